import fc from 'fast-check';
import type { UserSessionNotification } from '../../codec/index.js';
import { datastoreArb, resolve, userInfoArb, type NotificationConstraints } from './shared.js';

/** User-session notifications (PROTOCOL.md §11.5). */
export function userSessionNotification(constraints?: NotificationConstraints): fc.Arbitrary<UserSessionNotification> {
  const c = resolve(constraints);
  return fc.record({
    type: fc.constant('user-session' as const),
    event: fc.integer({ min: 1, max: 6 }),
    uinfo: userInfoArb(c),
    database: datastoreArb,
  });
}
