/**
 * User info (PROTOCOL.md §9.1): `{Usid, User, ClearPass, Context, Proto, Ip, Port, LoginTime, SnmpV3Ctx, Flags}`.
 */
import { tuple, type Term } from '../term.js';
import { enumValue, intIn, loginTime, onlyKeys, PORT, record, text } from './input.js';
import { afOf, ipFromTerm, ipToTerm, normalizeIp } from './ip.js';
import { at, intTerm, readInt, readText, readTuple, textTerm, type PythonDict } from './layout.js';
import { PROTOS, type UserInfo, type UserInfoInput } from './notification.js';

const KEYS: readonly (keyof UserInfo)[] = [
  'usid',
  'username',
  'clearpass',
  'context',
  'proto',
  'addr',
  'port',
  'logintime',
  'snmp_v3_ctx',
  'flags',
];

/** The 10-tuple. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` when `addr` is no IP address */
export function userInfoToTerm(u: UserInfo, path = 'uinfo'): Term {
  return tuple(
    intTerm(u.usid),
    textTerm(u.username),
    textTerm(u.clearpass),
    textTerm(u.context),
    intTerm(u.proto),
    ipToTerm(u.addr, `${path}.addr`),
    intTerm(u.port),
    intTerm(u.logintime),
    textTerm(u.snmp_v3_ctx),
    intTerm(u.flags),
  );
}

/** Reads the 10-tuple. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function userInfoFromTerm(term: Term, path = 'uinfo'): UserInfo {
  const e = readTuple(term, path, 10);
  const el = (i: number): Term => at(e, i, path);
  const p = (i: number): string => `${path}.${KEYS[i] ?? i}`;
  return {
    usid: readInt(el(0), p(0)),
    username: readText(el(1), p(1)),
    clearpass: readText(el(2), p(2)),
    context: readText(el(3), p(3)),
    proto: readInt(el(4), p(4)),
    addr: ipFromTerm(el(5), p(5)),
    port: readInt(el(6), p(6)),
    logintime: readInt(el(7), p(7)),
    snmp_v3_ctx: readText(el(8), p(8)),
    flags: readInt(el(9), p(9)),
  };
}

/**
 * Merges an input over `base` and validates it (§6.4: 32-bit fields, 16-bit port, `logintime`
 * outside 2^31..2^32−1).
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeUserInfo(input: UserInfoInput | undefined, base: UserInfo, path = 'uinfo'): UserInfo {
  const r = input === undefined ? {} : record(input, path);
  onlyKeys(r, path, KEYS);
  const v = <K extends keyof UserInfo>(k: K): unknown => r[k] ?? base[k];
  return {
    usid: intIn(v('usid'), `${path}.usid`),
    username: text(v('username'), `${path}.username`),
    clearpass: text(v('clearpass'), `${path}.clearpass`),
    context: text(v('context'), `${path}.context`),
    proto: enumValue(PROTOS, v('proto'), `${path}.proto`),
    addr: normalizeIp(v('addr'), `${path}.addr`),
    port: intIn(v('port'), `${path}.port`, PORT),
    logintime: loginTime(v('logintime'), `${path}.logintime`),
    snmp_v3_ctx: text(v('snmp_v3_ctx'), `${path}.snmp_v3_ctx`),
    flags: intIn(v('flags'), `${path}.flags`),
  };
}

/**
 * The user info of a notification: `base` itself when the input gives none. `base` must already be
 * valid (the context's default user info), so a notification without its own `uinfo` costs no
 * validation and shares the default's object (notifications are immutable values).
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function userInfoOrDefault(input: UserInfoInput | undefined, base: UserInfo, path = 'uinfo'): UserInfo {
  return input === undefined ? base : normalizeUserInfo(input, base, path);
}

/** Python's `_ncs.UserInfo` rendering (README: `$type` UserInfo; `lmode` is always 0 here). */
export function userInfoPython(u: UserInfo): PythonDict {
  return {
    $type: 'UserInfo',
    usid: u.usid,
    username: u.username,
    clearpass: u.clearpass,
    context: u.context,
    proto: u.proto,
    af: afOf(u.addr),
    addr: u.addr,
    port: u.port,
    logintime: u.logintime,
    snmp_v3_ctx: u.snmp_v3_ctx,
    flags: u.flags,
    lmode: 0,
  };
}
