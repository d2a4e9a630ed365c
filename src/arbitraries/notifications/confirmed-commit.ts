import fc from 'fast-check';
import type { ConfirmedCommitNotification } from '../../codec/index.js';
import { nat32Arb, resolve, userInfoArb, type NotificationConstraints } from './shared.js';

/** Confirmed-commit notifications (PROTOCOL.md §11.12); a timeout only for event 1. */
export function confirmedCommitNotification(constraints?: NotificationConstraints): fc.Arbitrary<ConfirmedCommitNotification> {
  const c = resolve(constraints);
  return fc
    .record({ event: fc.integer({ min: 1, max: 3 }), timeout: nat32Arb, uinfo: userInfoArb(c) })
    .map(({ event, timeout, uinfo }) => ({ type: 'confirmed-commit' as const, event, timeout: event === 1 ? timeout : 0, uinfo }));
}
