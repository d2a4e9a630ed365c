/**
 * Audit network — bit 268435456 — PROTOCOL.md §11.18, NSO62.md §B [V625]:
 * `{268435456, {Usid, Tid, User, Device, TraceId | undefined, Config}}`. Config is always a binary,
 * `<<>>` when there is none: the atom `undefined` there reads as the text "undefined" in 6.2.5's
 * Python and makes the Java library throw (NSO62.md §D). Not in NSO 5.7.1 (the 5.7 profile never
 * emits it, §16). With AUDIT_NETWORK_SYNC the session waits for `{Usid, audit_network_sync}` (§12).
 */
import { tuple, type Term } from '../term.js';
import { intIn, onlyKeys, optText, text, type NormalizeContext, record } from './input.js';
import { at, bitTerm, intTerm, optText as optTextTerm, readInt, readOptText, readText, readTuple, textTerm, type PythonDict } from './layout.js';
import { NOTIF, type AuditNetworkInput, type AuditNetworkNotification } from './notification.js';

/** `{268435456, {Usid, Tid, User, Device, TraceId | undefined, Config}}`, Config `<<>>` when absent. */
export function auditNetworkToTerm(n: AuditNetworkNotification): Term {
  return tuple(
    bitTerm(NOTIF.AUDIT_NETWORK),
    tuple(intTerm(n.usid), intTerm(n.tid), textTerm(n.user), textTerm(n.device), optTextTerm(n.trace_id), textTerm(n.config ?? '')),
  );
}

/** Reads the nested 6-tuple. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function auditNetworkFromTerm(e: readonly Term[]): AuditNetworkNotification {
  const i = readTuple(at(e, 1, 'audit_network'), 'audit_network', 6);
  const traceId = readOptText(at(i, 4, 'trace_id'), 'trace_id');
  const config = readOptText(at(i, 5, 'config'), 'config');
  return {
    type: 'audit-network',
    usid: readInt(at(i, 0, 'usid'), 'usid'),
    tid: readInt(at(i, 1, 'tid'), 'tid'),
    user: readText(at(i, 2, 'user'), 'user'),
    device: readText(at(i, 3, 'device'), 'device'),
    ...(traceId === undefined ? {} : { trace_id: traceId }),
    // `undefined` there is no 6.2.5 layout (NSO62.md §D); read as "no config", sent back as <<>>
    config: config ?? '',
  };
}

/** Defaults: `usid`/`user` from the default user info, `tid` 0, `device` 'device', `config` '' (sent as `<<>>`). @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeAuditNetwork(input: AuditNetworkInput, ctx: NormalizeContext): AuditNetworkNotification {
  onlyKeys(record(input, ''), '', ['type', 'usid', 'tid', 'user', 'device', 'trace_id', 'config']);
  const traceId = optText(input.trace_id, 'trace_id');
  const config = optText(input.config, 'config');
  return {
    type: 'audit-network',
    usid: intIn(input.usid ?? ctx.usid, 'usid'),
    tid: intIn(input.tid ?? 0, 'tid'),
    user: text(input.user ?? ctx.uinfo.username, 'user'),
    device: text(input.device ?? 'device', 'device'),
    ...(traceId === undefined ? {} : { trace_id: traceId }),
    config: config ?? '',
  };
}

/** Python `audit_network` (NSO62.md §C): `usid tid user device config`, plus `trace_id` when it is a binary. */
export function auditNetworkPython(n: AuditNetworkNotification): PythonDict {
  return {
    type: NOTIF.AUDIT_NETWORK,
    audit_network: {
      usid: n.usid,
      tid: n.tid,
      user: n.user,
      device: n.device,
      ...(n.trace_id === undefined ? {} : { trace_id: n.trace_id }),
      config: n.config ?? '',
    },
  };
}
