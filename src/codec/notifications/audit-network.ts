/**
 * Audit network — bit 268435456 — PROTOCOL.md §11.18 [VN]: `{268435456, {Usid, Tid, User, Device, TraceId, Config}}`.
 * Not in NSO 5.7.1 (the 5.7 profile never emits it, §16). With AUDIT_NETWORK_SYNC the session
 * waits for `{Usid, audit_network_sync}` (§12).
 */
import { tuple, type Term } from '../term.js';
import { intIn, onlyKeys, optText, text, type NormalizeContext } from './input.js';
import { at, bitTerm, intTerm, optText as optTextTerm, readInt, readOptText, readText, readTuple, textTerm, type PythonDict } from './layout.js';
import { NOTIF, type AuditNetworkInput, type AuditNetworkNotification } from './notification.js';

/** `{268435456, {Usid, Tid, User, Device, TraceId, Config}}`. */
export function auditNetworkToTerm(n: AuditNetworkNotification): Term {
  return tuple(
    bitTerm(NOTIF.AUDIT_NETWORK),
    tuple(intTerm(n.usid), intTerm(n.tid), textTerm(n.user), textTerm(n.device), optTextTerm(n.trace_id), optTextTerm(n.config)),
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
    ...(config === undefined ? {} : { config }),
  };
}

/** Defaults: `usid`/`user` from the default user info, `tid` 0, `device` 'device'. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeAuditNetwork(input: AuditNetworkInput, ctx: NormalizeContext): AuditNetworkNotification {
  onlyKeys(input as unknown as Record<string, unknown>, '', ['type', 'usid', 'tid', 'user', 'device', 'trace_id', 'config']);
  const traceId = optText(input.trace_id, 'trace_id');
  const config = optText(input.config, 'config');
  return {
    type: 'audit-network',
    usid: intIn(input.usid ?? ctx.usid, 'usid'),
    tid: intIn(input.tid ?? 0, 'tid'),
    user: text(input.user ?? ctx.uinfo.username, 'user'),
    device: text(input.device ?? 'device', 'device'),
    ...(traceId === undefined ? {} : { trace_id: traceId }),
    ...(config === undefined ? {} : { config }),
  };
}

/** Python `audit_network`: `trace_id` only when non-empty, `config` when present. */
export function auditNetworkPython(n: AuditNetworkNotification): PythonDict {
  return {
    type: NOTIF.AUDIT_NETWORK,
    audit_network: {
      usid: n.usid,
      tid: n.tid,
      user: n.user,
      device: n.device,
      ...(n.trace_id ? { trace_id: n.trace_id } : {}),
      ...(n.config === undefined ? {} : { config: n.config }),
    },
  };
}
