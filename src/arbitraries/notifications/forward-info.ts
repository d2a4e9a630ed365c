import fc from 'fast-check';
import type { ForwardInfoNotification } from '../../codec/index.js';
import { resolve, textArb, userInfoArb, type NotificationConstraints } from './shared.js';

/** Forward-info notifications (PROTOCOL.md §11.10). */
export function forwardInfoNotification(constraints?: NotificationConstraints): fc.Arbitrary<ForwardInfoNotification> {
  const c = resolve(constraints);
  return fc.record({ type: fc.constant('forward-info' as const), event: fc.integer({ min: 1, max: 3 }), target: textArb(c), uinfo: userInfoArb(c) });
}
