import fc from 'fast-check';
import type { ProgressNotification, ProgressType } from '../../codec/index.js';
import {
  datastoreArb,
  int32Arb,
  nat64Arb,
  optTextArb,
  resolve,
  textArb,
  timestamp64Arb,
  type NotificationConstraints,
} from './shared.js';

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Progress / commit-progress notifications (PROTOCOL.md §11.14) in the layout of the profile:
 * the 19-tuple fields for `nso57`; the 6.2 15-tuple fields for `nso62` and `nso66` (NSO62.md §B),
 * where `attributes` and `links` are always lists (that is how the 15-tuple decodes).
 * Timestamps are ≥ 2^32 (§6.4).
 */
export function progressNotification(type?: ProgressType, constraints?: NotificationConstraints): fc.Arbitrary<ProgressNotification> {
  const c = resolve(constraints);
  const types: fc.Arbitrary<ProgressType> = type === undefined ? fc.constantFrom('progress', 'commit-progress') : fc.constant(type);
  const opt = optTextArb(c);
  const common = {
    type: types,
    event: fc.integer({ min: 1, max: 3 }),
    timestamp: timestamp64Arb,
    duration: fc.option(nat64Arb, { nil: undefined }),
    usid: int32Arb,
    tid: int32Arb,
    datastore: datastoreArb,
    context: opt,
    trace_id: opt,
    subsystem: opt,
    msg: opt,
    annotation: opt,
  };
  if (c.profile === 'nso57') {
    return fc
      .record({
        ...common,
        phase: opt,
        service: opt,
        service_phase: opt,
        commit_queue_id: fc.option(nat64Arb, { nil: undefined }),
        node: opt,
        device: opt,
        device_phase: opt,
        package: opt,
      })
      .map((n) => defined(n) as ProgressNotification);
  }
  const attribute = fc.record({
    name: textArb(c),
    value: fc.oneof(textArb(c), fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n }).map(Number)),
  });
  return fc
    .record({
      ...common,
      span_id: opt,
      parent_span_id: opt,
      attributes: fc.array(attribute, { maxLength: c.maxItems }),
      links: fc.array(fc.record({ trace_id: textArb(c), span_id: textArb(c) }), { maxLength: c.maxItems }),
    })
    .map((n) => defined(n) as ProgressNotification);
}
