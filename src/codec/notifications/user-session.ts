/**
 * User session — bit 32 — PROTOCOL.md §11.5 [V57]: `{32, SessType, UInfo, Db}`.
 */
import { tuple, type Term } from '../term.js';
import { enumValue, onlyKeys, pickAlias, type NormalizeContext, record } from './input.js';
import { at, bitTerm, intTerm, readInt, type PythonDict } from './layout.js';
import {
  DATASTORES,
  NOTIF,
  USER_SESSION_EVENTS,
  type UserSessionInput,
  type UserSessionNotification,
} from './notification.js';
import { userInfoFromTerm, userInfoOrDefault, userInfoPython, userInfoToTerm } from './uinfo.js';

/** `{32, SessType, UInfo, Db}`. */
export function userSessionToTerm(n: UserSessionNotification): Term {
  return tuple(bitTerm(NOTIF.USER_SESSION), intTerm(n.event), userInfoToTerm(n.uinfo), intTerm(n.database));
}

/** Reads the 4-tuple. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function userSessionFromTerm(e: readonly Term[]): UserSessionNotification {
  return {
    type: 'user-session',
    event: readInt(at(e, 1, 'event'), 'event'),
    uinfo: userInfoFromTerm(at(e, 2, 'uinfo')),
    database: readInt(at(e, 3, 'database'), 'database'),
  };
}

/** Defaults: `event` start, default uinfo, `database` no-db (0). @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeUserSession(input: UserSessionInput, ctx: NormalizeContext): UserSessionNotification {
  const r = record(input, '');
  onlyKeys(r, '', ['type', 'event', 'uinfo', 'database', 'db']);
  return {
    type: 'user-session',
    event: enumValue(USER_SESSION_EVENTS, input.event ?? 'start', 'event'),
    uinfo: userInfoOrDefault(input.uinfo, ctx.uinfo),
    database: enumValue(DATASTORES, pickAlias(r, '', 'database', 'db') ?? 'no-db', 'database'),
  };
}

/** Python `user_sess`: `type` (the event), `uinfo`, `database`. */
export function userSessionPython(n: UserSessionNotification): PythonDict {
  return { type: NOTIF.USER_SESSION, user_sess: { type: n.event, uinfo: userInfoPython(n.uinfo), database: n.database } };
}
