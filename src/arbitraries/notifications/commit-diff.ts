import fc from 'fast-check';
import type { CommitDiffNotification } from '../../codec/index.js';
import { datastoreArb, int32Arb, resolve, textArb, userInfoArb, type NotificationConstraints } from './shared.js';

/** Commit-diff notifications (PROTOCOL.md §11.4): the 5-tuple, or the 7-tuple with comment and label ('' allowed). */
export function commitDiffNotification(constraints?: NotificationConstraints): fc.Arbitrary<CommitDiffNotification> {
  const c = resolve(constraints);
  const base = fc.record({
    type: fc.constant('commit-diff' as const),
    database: datastoreArb,
    uinfo: userInfoArb(c),
    th: int32Arb,
    flags: fc.integer({ min: 0, max: 3 }),
  });
  const extra = fc.option(fc.record({ comment: textArb(c), label: textArb(c) }), { nil: undefined });
  return fc.tuple(base, extra).map(([b, e]): CommitDiffNotification => (e === undefined ? b : { ...b, ...e }));
}
