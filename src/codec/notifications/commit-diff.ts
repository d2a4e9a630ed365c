/**
 * Commit diff — bit 16 — PROTOCOL.md §11.4 [V57]: `{16, Db, UInfo, TH, Flags}` or
 * `{16, Db, UInfo, TH, Flags, Comment, Label}`. Always acked with `{TH, done}` (§12).
 */
import { tuple, type Term } from '../term.js';
import { normalizeCommitFlags } from './commit-flags.js';
import { enumValue, intIn, onlyKeys, optText, pickAlias, type NormalizeContext, record } from './input.js';
import { at, bitTerm, intTerm, readInt, readText, textTerm, type PythonDict } from './layout.js';
import { DATASTORES, NOTIF, type CommitDiffInput, type CommitDiffNotification } from './notification.js';
import { userInfoFromTerm, userInfoOrDefault, userInfoPython, userInfoToTerm } from './uinfo.js';

/** The 5-tuple when neither comment nor label is set, else the 7-tuple with `<<>>` for the missing one. */
export function commitDiffToTerm(n: CommitDiffNotification): Term {
  const head = [bitTerm(NOTIF.COMMIT_DIFF), intTerm(n.database), userInfoToTerm(n.uinfo), intTerm(n.th), intTerm(n.flags)];
  if (n.comment === undefined && n.label === undefined) return tuple(...head);
  return tuple(...head, textTerm(n.comment ?? ''), textTerm(n.label ?? ''));
}

/**
 * Reads arity 5 or 7 (C and Java read elements 6/7 only at arity 7, §11.4; arity 6 is tolerated
 * like econfd and read as a comment).
 * @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION`
 */
export function commitDiffFromTerm(e: readonly Term[]): CommitDiffNotification {
  const base = {
    type: 'commit-diff' as const,
    database: readInt(at(e, 1, 'database'), 'database'),
    uinfo: userInfoFromTerm(at(e, 2, 'uinfo')),
    th: readInt(at(e, 3, 'th'), 'th'),
    flags: readInt(at(e, 4, 'flags'), 'flags'),
  };
  if (e.length === 5) return base;
  const comment = readText(at(e, 5, 'comment'), 'comment');
  if (e.length === 6) return { ...base, comment };
  return { ...base, comment, label: readText(at(e, 6, 'label'), 'label') };
}

/** Defaults: running, default uinfo, `th` 1, `flags` 0, no comment/label (either one given: the other is ''). @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeCommitDiff(input: CommitDiffInput, ctx: NormalizeContext): CommitDiffNotification {
  const r = record(input, '');
  onlyKeys(r, '', ['type', 'database', 'db', 'uinfo', 'th', 'flags', 'comment', 'label']);
  // canonical: both absent (the 5-tuple) or both present (the 7-tuple, '' = <<>>), so what is
  // normalised is exactly what a decoder reads back
  let comment = optText(input.comment, 'comment');
  let label = optText(input.label, 'label');
  if (comment !== undefined || label !== undefined) {
    comment ??= '';
    label ??= '';
  }
  return {
    type: 'commit-diff',
    database: enumValue(DATASTORES, pickAlias(r, '', 'database', 'db') ?? 'running', 'database'),
    uinfo: userInfoOrDefault(input.uinfo, ctx.uinfo),
    th: intIn(input.th ?? 1, 'th'),
    flags: normalizeCommitFlags(input.flags),
    ...(comment === undefined ? {} : { comment }),
    ...(label === undefined ? {} : { label }),
  };
}

/** Python `commit_diff`: `database`, `flags`, `uinfo`, `tctx` (TransCtxRef), `comment`/`label` only when non-empty. */
export function commitDiffPython(n: CommitDiffNotification): PythonDict {
  const uinfo = userInfoPython(n.uinfo);
  return {
    type: NOTIF.COMMIT_DIFF,
    commit_diff: {
      database: n.database,
      flags: n.flags,
      uinfo,
      tctx: {
        $type: 'TransCtxRef',
        th: n.th,
        fd: -1,
        uinfo,
        note: 'library-built context; only th (from the term) and uinfo matter',
      },
      ...(n.comment ? { comment: n.comment } : {}),
      ...(n.label ? { label: n.label } : {}),
    },
  };
}
