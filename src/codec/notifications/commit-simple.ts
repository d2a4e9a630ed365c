/**
 * Commit simple — bit 8 — PROTOCOL.md §11.3 [V57]: `{8, Db, UInfo, DiffAvailable, Flags}`.
 */
import { tuple, type Term } from '../term.js';
import { normalizeCommitFlags } from './commit-flags.js';
import { enumValue, flag01, onlyKeys, pickAlias, type NormalizeContext, record } from './input.js';
import { at, bitTerm, intTerm, readInt, type PythonDict } from './layout.js';
import { DATASTORES, NOTIF, type CommitSimpleInput, type CommitSimpleNotification } from './notification.js';
import { userInfoFromTerm, userInfoOrDefault, userInfoPython, userInfoToTerm } from './uinfo.js';

/** `{8, Db, UInfo, DiffAvailable, Flags}`. */
export function commitSimpleToTerm(n: CommitSimpleNotification): Term {
  return tuple(bitTerm(NOTIF.COMMIT_SIMPLE), intTerm(n.database), userInfoToTerm(n.uinfo), intTerm(n.diff_available), intTerm(n.flags));
}

/** Reads the 5-tuple. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function commitSimpleFromTerm(e: readonly Term[]): CommitSimpleNotification {
  return {
    type: 'commit-simple',
    database: readInt(at(e, 1, 'database'), 'database'),
    uinfo: userInfoFromTerm(at(e, 2, 'uinfo')),
    diff_available: readInt(at(e, 3, 'diff_available'), 'diff_available'),
    flags: readInt(at(e, 4, 'flags'), 'flags'),
  };
}

/** Defaults: running, default uinfo, `diff_available` 1, `flags` 0. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeCommitSimple(input: CommitSimpleInput, ctx: NormalizeContext): CommitSimpleNotification {
  const r = record(input, '');
  onlyKeys(r, '', ['type', 'database', 'db', 'uinfo', 'diff_available', 'flags']);
  return {
    type: 'commit-simple',
    database: enumValue(DATASTORES, pickAlias(r, '', 'database', 'db') ?? 'running', 'database'),
    uinfo: userInfoOrDefault(input.uinfo, ctx.uinfo),
    diff_available: flag01(input.diff_available ?? 1, 'diff_available'),
    flags: normalizeCommitFlags(input.flags),
  };
}

/** Python `commit`: `database`, `diff_available`, `flags`, `uinfo`. */
export function commitSimplePython(n: CommitSimpleNotification): PythonDict {
  return {
    type: NOTIF.COMMIT_SIMPLE,
    commit: { database: n.database, diff_available: n.diff_available, flags: n.flags, uinfo: userInfoPython(n.uinfo) },
  };
}
