import fc from 'fast-check';
import type { AuditNetworkNotification } from '../../codec/index.js';
import { int32Arb, optTextArb, resolve, textArb, type NotificationConstraints } from './shared.js';

/** Audit-network notifications (PROTOCOL.md §11.18, NSO62.md §B; NSO 6.x only, §16): `config` always text ('' = none, sent as `<<>>`). */
export function auditNetworkNotification(constraints?: NotificationConstraints): fc.Arbitrary<AuditNetworkNotification> {
  const c = resolve(constraints);
  return fc
    .record({ usid: int32Arb, tid: int32Arb, user: textArb(c), device: textArb(c), trace_id: optTextArb(c), config: textArb(c) })
    .map(({ trace_id, config, ...rest }): AuditNetworkNotification => ({
      type: 'audit-network',
      ...rest,
      ...(trace_id === undefined ? {} : { trace_id }),
      config,
    }));
}
