import fc from 'fast-check';
import type { BareNotification, BareType } from '../../codec/index.js';

/** Heartbeat, health check, package reload, reopen logs (PROTOCOL.md §11.11). */
export function bareNotification(type?: BareType): fc.Arbitrary<BareNotification> {
  const types: fc.Arbitrary<BareType> = type === undefined ? fc.constantFrom('heartbeat', 'health-check', 'package-reload', 'reopen-logs') : fc.constant(type);
  return types.map((t) => ({ type: t }));
}
