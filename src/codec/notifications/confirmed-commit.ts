/**
 * Confirmed commit — bit 16384 — PROTOCOL.md §11.12 [V57]: `{16384, ConfType, Timeout, UInfo}`.
 */
import { tuple, type Term } from '../term.js';
import { enumValue, intIn, onlyKeys, type NormalizeContext, record } from './input.js';
import { at, bitTerm, intTerm, readInt, type PythonDict } from './layout.js';
import {
  CONFIRMED_COMMIT_EVENTS,
  NOTIF,
  type ConfirmedCommitInput,
  type ConfirmedCommitNotification,
} from './notification.js';
import { userInfoFromTerm, userInfoOrDefault, userInfoPython, userInfoToTerm } from './uinfo.js';

/** `{16384, ConfType, Timeout, UInfo}`. */
export function confirmedCommitToTerm(n: ConfirmedCommitNotification): Term {
  return tuple(bitTerm(NOTIF.CONFIRMED_COMMIT), intTerm(n.event), intTerm(n.timeout), userInfoToTerm(n.uinfo));
}

/** Reads the 4-tuple. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function confirmedCommitFromTerm(e: readonly Term[]): ConfirmedCommitNotification {
  return {
    type: 'confirmed-commit',
    event: readInt(at(e, 1, 'event'), 'event'),
    timeout: readInt(at(e, 2, 'timeout'), 'timeout'),
    uinfo: userInfoFromTerm(at(e, 3, 'uinfo')),
  };
}

/** Defaults: `event` confirmed-commit, `timeout` 600 for it and 0 otherwise, default uinfo. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeConfirmedCommit(input: ConfirmedCommitInput, ctx: NormalizeContext): ConfirmedCommitNotification {
  onlyKeys(record(input, ''), '', ['type', 'event', 'timeout', 'uinfo']);
  const event = enumValue(CONFIRMED_COMMIT_EVENTS, input.event ?? 'confirmed-commit', 'event');
  return {
    type: 'confirmed-commit',
    event,
    timeout: intIn(input.timeout ?? (event === 1 ? 600 : 0), 'timeout'),
    uinfo: userInfoOrDefault(input.uinfo, ctx.uinfo),
  };
}

/** Python `confirm`: `type` (the event), `timeout`, `uinfo`. */
export function confirmedCommitPython(n: ConfirmedCommitNotification): PythonDict {
  return { type: NOTIF.CONFIRMED_COMMIT, confirm: { type: n.event, timeout: n.timeout, uinfo: userInfoPython(n.uinfo) } };
}
