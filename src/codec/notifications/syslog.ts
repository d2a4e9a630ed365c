/**
 * Syslog family — bits 2, 2048, 4096, 67108864, 134217728 — PROTOCOL.md §11.2 [V57]:
 * `{Bit, Logno, Prio, Msg}` for daemon, netconf, devel, jsonrpc and webui.
 */
import { tuple, type Term } from '../term.js';
import { enumValue, intIn, onlyKeys, text, record } from './input.js';
import { at, bitTerm, intTerm, readInt, readText, textTerm, type PythonDict } from './layout.js';
import { NOTIF, SYSLOG_PRIOS, type SyslogInput, type SyslogNotification, type SyslogType } from './notification.js';

/** The type bit of each syslog-family type (§10.1). */
export const SYSLOG_BITS: Readonly<Record<SyslogType, number>> = {
  daemon: NOTIF.DAEMON,
  netconf: NOTIF.NETCONF,
  devel: NOTIF.DEVEL,
  jsonrpc: NOTIF.JSONRPC,
  webui: NOTIF.WEBUI,
};

/** `{Bit, Logno, Prio, Msg}`. */
export function syslogToTerm(n: SyslogNotification): Term {
  return tuple(bitTerm(SYSLOG_BITS[n.type]), intTerm(n.logno), intTerm(n.prio), textTerm(n.msg));
}

/** Reads the 4-tuple of the given type. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function syslogFromTerm(e: readonly Term[], type: SyslogType): SyslogNotification {
  return {
    type,
    logno: readInt(at(e, 1, 'logno'), 'logno'),
    prio: readInt(at(e, 2, 'prio'), 'prio'),
    msg: readText(at(e, 3, 'msg'), 'msg'),
  };
}

/** Defaults: `logno` 0, `prio` info (6), `msg` ''. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeSyslog(input: SyslogInput): SyslogNotification {
  onlyKeys(record(input, ''), '', ['type', 'logno', 'prio', 'msg']);
  return {
    type: input.type,
    logno: intIn(input.logno ?? 0, 'logno'),
    prio: enumValue(SYSLOG_PRIOS, input.prio ?? 'info', 'prio'),
    msg: text(input.msg ?? '', 'msg'),
  };
}

/** Python `syslog`: `prio`, `logno`, `msg`. */
export function syslogPython(n: SyslogNotification): PythonDict {
  return { type: SYSLOG_BITS[n.type], syslog: { prio: n.prio, logno: n.logno, msg: n.msg } };
}
