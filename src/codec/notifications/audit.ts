/**
 * Audit — bit 1 — PROTOCOL.md §11.1 [V57]: `{1, Logno, User, Usid, Msg}`. With AUDIT_SYNC in the
 * mask the client acks `{Usid, synced}` (§12).
 */
import { tuple, type Term } from '../term.js';
import { intIn, onlyKeys, text, type NormalizeContext, record } from './input.js';
import { at, bitTerm, intTerm, readInt, readText, textTerm, type PythonDict } from './layout.js';
import { NOTIF, type AuditInput, type AuditNotification } from './notification.js';

/** `{1, Logno, User, Usid, Msg}`. */
export function auditToTerm(n: AuditNotification): Term {
  return tuple(bitTerm(NOTIF.AUDIT), intTerm(n.logno), textTerm(n.user), intTerm(n.usid), textTerm(n.msg));
}

/** Reads the 5-tuple (arity checked by the caller's registry dispatch). @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function auditFromTerm(e: readonly Term[]): AuditNotification {
  return {
    type: 'audit',
    logno: readInt(at(e, 1, 'logno'), 'logno'),
    user: readText(at(e, 2, 'user'), 'user'),
    usid: readInt(at(e, 3, 'usid'), 'usid'),
    msg: readText(at(e, 4, 'msg'), 'msg'),
  };
}

/** Defaults: `logno` 0, `user` and `usid` from the default user info, `msg` ''. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeAudit(input: AuditInput, ctx: NormalizeContext): AuditNotification {
  onlyKeys(record(input, ''), '', ['type', 'logno', 'user', 'usid', 'msg']);
  return {
    type: 'audit',
    logno: intIn(input.logno ?? 0, 'logno'),
    user: text(input.user ?? ctx.uinfo.username, 'user'),
    usid: intIn(input.usid ?? ctx.usid, 'usid'),
    msg: text(input.msg ?? '', 'msg'),
  };
}

/** Python `audit`: all four keys always present (§11.1). */
export function auditPython(n: AuditNotification): PythonDict {
  return { type: NOTIF.AUDIT, audit: { logno: n.logno, user: n.user, usid: n.usid, msg: n.msg } };
}
