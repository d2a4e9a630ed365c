import fc from 'fast-check';
import type { CommitFailedNotification } from '../../codec/index.js';
import { datastoreArb, ipArb, portArb, resolve, textArb, type NotificationConstraints } from './shared.js';

/** Commit-failed notifications, every provider (PROTOCOL.md §11.8). */
export function commitFailedNotification(constraints?: NotificationConstraints): fc.Arbitrary<CommitFailedNotification> {
  const c = resolve(constraints);
  const T = 'commit-failed' as const;
  return fc.oneof(
    fc.record({ type: fc.constant(T), event: fc.constant(2 as const), dbname: datastoreArb, addr: ipArb(), port: portArb }),
    fc.record({ type: fc.constant(T), event: fc.constant(3 as const), dbname: datastoreArb, daemon_name: textArb(c) }),
    fc.record({ type: fc.constant(T), event: fc.constantFrom(1 as const, 4 as const, 5 as const), dbname: datastoreArb }),
  );
}
