import fc from 'fast-check';
import type { CommitSimpleNotification } from '../../codec/index.js';
import { datastoreArb, resolve, userInfoArb, type NotificationConstraints } from './shared.js';

/** Commit-simple notifications (PROTOCOL.md §11.3). */
export function commitSimpleNotification(constraints?: NotificationConstraints): fc.Arbitrary<CommitSimpleNotification> {
  const c = resolve(constraints);
  return fc.record({
    type: fc.constant('commit-simple' as const),
    database: datastoreArb,
    uinfo: userInfoArb(c),
    diff_available: fc.integer({ min: 0, max: 1 }),
    flags: fc.integer({ min: 0, max: 3 }),
  });
}
