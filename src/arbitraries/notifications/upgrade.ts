import fc from 'fast-check';
import type { UpgradeNotification } from '../../codec/index.js';

/** Upgrade notifications (PROTOCOL.md §11.13). */
export function upgradeNotification(): fc.Arbitrary<UpgradeNotification> {
  return fc.integer({ min: 1, max: 5 }).map((event) => ({ type: 'upgrade' as const, event }));
}
