import fc from 'fast-check';
import type { SyslogNotification, SyslogType } from '../../codec/index.js';
import { int32Arb, resolve, textArb, type NotificationConstraints } from './shared.js';

/** Syslog-family notifications of one type, or of any of the five (PROTOCOL.md §11.2). */
export function syslogNotification(type?: SyslogType, constraints?: NotificationConstraints): fc.Arbitrary<SyslogNotification> {
  const c = resolve(constraints);
  const types: fc.Arbitrary<SyslogType> = type === undefined ? fc.constantFrom('daemon', 'netconf', 'devel', 'jsonrpc', 'webui') : fc.constant(type);
  return fc.record({ type: types, logno: int32Arb, prio: fc.integer({ min: 0, max: 7 }), msg: textArb(c) });
}
