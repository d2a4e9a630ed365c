import fc from 'fast-check';
import type { AuditNotification } from '../../codec/index.js';
import { int32Arb, resolve, textArb, type NotificationConstraints } from './shared.js';

/** Audit notifications (PROTOCOL.md §11.1). */
export function auditNotification(constraints?: NotificationConstraints): fc.Arbitrary<AuditNotification> {
  const c = resolve(constraints);
  return fc.record({ type: fc.constant('audit' as const), logno: int32Arb, user: textArb(c), usid: int32Arb, msg: textArb(c) });
}
