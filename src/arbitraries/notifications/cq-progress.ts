import fc from 'fast-check';
import type { CqProgressNotification } from '../../codec/index.js';
import { dateTimeArb, nat64Arb, optTextArb, resolve, textArb, type NotificationConstraints } from './shared.js';

/** Commit-queue progress notifications (PROTOCOL.md §11.16); absent lists, empty lists and full ones. */
export function cqProgressNotification(constraints?: NotificationConstraints): fc.Arbitrary<CqProgressNotification> {
  const c = resolve(constraints);
  const names = fc.array(textArb(c), { maxLength: c.maxItems });
  const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
  return fc
    .record({
      type: fc.constant('cq-progress' as const),
      event: fc.integer({ min: 1, max: 6 }),
      timestamp: dateTimeArb(),
      cq_id: nat64Arb,
      cq_tag: optTextArb(c),
      completed_devices: opt(names),
      transient_devices: opt(names),
      failed_devices: opt(fc.array(fc.record({ device: textArb(c), reason: textArb(c) }), { maxLength: c.maxItems })),
      completed_services: opt(fc.array(fc.record({ service: textArb(c), completed_devices: names }), { maxLength: c.maxItems })),
      failed_services: opt(fc.array(fc.record({ service: textArb(c), completed_devices: names, failed_devices: names }), { maxLength: c.maxItems })),
      trace_id: optTextArb(c),
    })
    .map((n) => Object.fromEntries(Object.entries(n).filter(([, v]) => v !== undefined)) as unknown as CqProgressNotification);
}
