import fc from 'fast-check';
import type { SnmpaNotification, SnmpVarbind } from '../../codec/index.js';
import { atomNameArb, int32Arb, ipArb, nat32Arb, portArb, resolve, textArb, type NotificationConstraints, type ResolvedConstraints } from './shared.js';

function varbindArb(c: ResolvedConstraints): fc.Arbitrary<SnmpVarbind> {
  const oid = fc.array(nat32Arb, { maxLength: 12 });
  const vartype = fc.integer({ min: 0, max: 10 });
  const val = fc.option(textArb(c), { nil: null });
  return fc.oneof(
    fc.record({ type: fc.constant(1 as const), vartype, name: atomNameArb(), val }),
    fc.record({ type: fc.constant(2 as const), vartype, oid, val }),
    fc.record({ type: fc.constant(3 as const), vartype, cr: fc.tuple(atomNameArb(), oid), val }),
  );
}

/** SNMP agent notifications: v1 traps and the other PDU types (PROTOCOL.md §11.9). */
export function snmpaNotification(constraints?: NotificationConstraints): fc.Arbitrary<SnmpaNotification> {
  const c = resolve(constraints);
  return fc
    .record({
      event: fc.integer({ min: 1, max: 9 }),
      a: int32Arb,
      b: int32Arb,
      d: int32Arb,
      addr: ipArb(),
      port: portArb,
      vb: fc.array(varbindArb(c), { maxLength: c.maxItems }),
      enterprise: fc.array(nat32Arb, { maxLength: 10 }),
    })
    .map(({ event, a, b, d, addr, port, vb, enterprise }): SnmpaNotification => {
      const v1 = event === 1;
      return {
        type: 'snmpa',
        event,
        request_id: v1 ? 0 : a,
        addr,
        port,
        error_status: v1 ? 0 : b,
        error_index: v1 ? 0 : d,
        vb,
        time_stamp: v1 ? a : 0,
        specific_trap: v1 ? b : 0,
        generic_trap: v1 ? d : 0,
        enterprise,
      };
    });
}
