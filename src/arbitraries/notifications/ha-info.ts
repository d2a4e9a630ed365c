import fc from 'fast-check';
import type { ConfValue, HaInfoNotification, HaNode } from '../../codec/index.js';
import { int32Arb, ipArb, resolve, textArb, type NotificationConstraints, type ResolvedConstraints } from './shared.js';

function haNodeArb(c: ResolvedConstraints): fc.Arbitrary<HaNode> {
  const nodeid: fc.Arbitrary<ConfValue> = fc.oneof(
    { arbitrary: textArb(c, 1).map((value) => ({ confd_type: 5 as const, value })), weight: 4 },
    { arbitrary: int32Arb.map((value) => ({ confd_type: 8 as const, value })), weight: 1 },
  );
  return fc.oneof(
    { arbitrary: fc.record({ nodeid, addr: ipArb() }), weight: 4 },
    { arbitrary: fc.record({ nodeid, str: textArb(c) }), weight: 1 },
  );
}

/** HA-info notifications, every HaType 1..7 (PROTOCOL.md §11.6). */
export function haInfoNotification(constraints?: NotificationConstraints): fc.Arbitrary<HaInfoNotification> {
  const c = resolve(constraints);
  const T = 'ha-info' as const;
  return fc.oneof(
    fc.constantFrom(26, 31).map((noprimary): HaInfoNotification => ({ type: T, event: 1, noprimary })),
    fc.tuple(fc.constantFrom(2 as const, 3 as const), haNodeArb(c)).map(([event, node]): HaInfoNotification => ({ type: T, event, node })),
    fc.integer({ min: 0, max: 1 }).map((v): HaInfoNotification => ({ type: T, event: 4, cdb_initialized_by_copy: v })),
    fc.constantFrom(5 as const, 6 as const).map((event): HaInfoNotification => ({ type: T, event })),
    fc.constantFrom(0, 26, 31).map((v): HaInfoNotification => ({ type: T, event: 7, besecondary_result: v })),
  );
}
