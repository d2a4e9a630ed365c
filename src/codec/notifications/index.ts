/**
 * The public surface of the notification layouts (re-exported by `codec/index.ts`):
 * normalise friendly input, map `Notification` ⇄ `Term` per profile, render Python's view, and
 * say which ack a notification needs.
 */
import { type Term } from '../term.js';
import type { PendingAckKey } from './ack.js';
import { auditFromTerm, auditPython, auditToTerm, normalizeAudit } from './audit.js';
import { auditNetworkFromTerm, auditNetworkPython, auditNetworkToTerm, normalizeAuditNetwork } from './audit-network.js';
import { bareFromTerm, barePython, bareToTerm, normalizeBare } from './bare.js';
import { callHomeInfoFromTerm, callHomeInfoPython, callHomeInfoToTerm, normalizeCallHomeInfo } from './call-home-info.js';
import { commitDiffFromTerm, commitDiffPython, commitDiffToTerm, normalizeCommitDiff } from './commit-diff.js';
import { commitFailedFromTerm, commitFailedPython, commitFailedToTerm, normalizeCommitFailed } from './commit-failed.js';
import { commitSimpleFromTerm, commitSimplePython, commitSimpleToTerm, normalizeCommitSimple } from './commit-simple.js';
import { compactionFromTerm, compactionPython, compactionToTerm, normalizeCompaction } from './compaction.js';
import { confirmedCommitFromTerm, confirmedCommitPython, confirmedCommitToTerm, normalizeConfirmedCommit } from './confirmed-commit.js';
import { cqProgressFromTerm, cqProgressPython, cqProgressToTerm, normalizeCqProgress } from './cq-progress.js';
import { forwardInfoFromTerm, forwardInfoPython, forwardInfoToTerm, normalizeForwardInfo } from './forward-info.js';
import { haInfoFromTerm, haInfoPython, haInfoToTerm, normalizeHaInfo } from './ha-info.js';
import { show, type NormalizeContext } from './input.js';
import { badTerm, describeTerm, readInt, unencodable, type PythonDict } from './layout.js';
import {
  DEFAULT_USER_INFO,
  type Notification,
  type NotificationDefaults,
  type NotificationInput,
  type Profile,
  type UserInfo,
  type UserInfoInput,
} from './notification.js';
import { normalizeProgress, progressFromTerm, progressPython, progressToTerm } from './progress.js';
import { toNso62Objects } from './python-nso62.js';
import { describeProfile } from './profiles.js';
import { notificationTypeOfBit, notificationTypes, unavailableReason } from './registry.js';
import { normalizeSnmpa, snmpaFromTerm, snmpaPython, snmpaToTerm } from './snmpa.js';
import { normalizeStreamEvent, streamEventFromTerm, streamEventPython, streamEventToTerm } from './stream-event.js';
import { normalizeSubagentInfo, subagentInfoFromTerm, subagentInfoPython, subagentInfoToTerm } from './subagent-info.js';
import { normalizeSyslog, syslogFromTerm, syslogPython, syslogToTerm } from './syslog.js';
import { normalizeUserInfo } from './uinfo.js';
import { normalizeUpgrade, upgradeFromTerm, upgradePython, upgradeToTerm } from './upgrade.js';
import { normalizeUserSession, userSessionFromTerm, userSessionPython, userSessionToTerm } from './user-session.js';

export * from './notification.js';
export { notificationTypes, notificationTypeOfBit, notificationBit, isSubscribed, isAvailableIn, unavailableReason, type NotificationSpec } from './registry.js';
export {
  PROFILE_INFO,
  PROTOCOL_VERSION_PROFILES,
  NEWEST_VERIFIED_PROFILE,
  profileForProtocolVersion,
  resolveProfile,
  resolveProfileSetting,
  isDeprecatedProfileName,
  describeProfile,
  type ProfileInfo,
  type ProfileChoice,
} from './profiles.js';
export { progressFieldWithoutSlot } from './progress.js';
export { ackFromTerm, ackToTerm, ackKeyString, formatAck, type Ack, type AckKind, type PendingAckKey } from './ack.js';
export {
  subscriptionFromTerm,
  subscriptionToTerm,
  SUBSCRIBE_OK,
  subscribeErrorTerm,
  subscribeReplyFromTerm,
  type Subscription,
  type StreamRequest,
  type SubscribeReply,
} from './subscription.js';
export type { PythonDict, PythonValue } from './layout.js';
export { parseIsoDateTime, dateTimeIso, dateTimeFromMillis, TIMEZONE_UNDEF } from './datetime.js';
export { normalizeConfValue, CONFD_TYPE_NAMES, CONFD_INT_RANGES, confValueToTerm, confValueFromTerm } from './conf-value.js';
export { normalizeTagValue } from './tag-value.js';
export { normalizeIp, parseIp, AF_INET, AF_INET6, AF_UNSPEC } from './ip.js';

/**
 * The profile of codec calls that are given none (PROTOCOL.md §0.4): the verified NSO 5.7.1
 * layouts. The server does not use it: it picks each connection's profile from the client's
 * protocol version (`profileForProtocolVersion`) unless one is forced.
 */
export const DEFAULT_PROFILE: Profile = 'nso57';

/**
 * The `NormalizeContext` of one normalisation, computed on first read: most types need neither the
 * default user info nor the time, and a subscriber-facing emit loop should not pay for validating
 * the default user info (an IP address parse among others) on every syslog or heartbeat.
 * `now()` is still read at most once per normalisation.
 */
class LazyContext implements NormalizeContext {
  readonly #defaults: NotificationDefaults;
  #nowMs: number | undefined;
  #uinfo: UserInfo | undefined;

  constructor(defaults: NotificationDefaults) {
    this.#defaults = defaults;
  }

  get nowMs(): number {
    return (this.#nowMs ??= (this.#defaults.now ?? Date.now)());
  }

  get uinfo(): UserInfo {
    return (this.#uinfo ??= defaultUserInfo(this.#defaults.uinfo, this.nowMs));
  }

  get usid(): number {
    return this.#defaults.usid ?? this.uinfo.usid;
  }
}

/** A validated default user info, and the login second it was built for (undefined: it does not depend on the time). */
interface DefaultUserInfoEntry {
  readonly second: number | undefined;
  readonly uinfo: UserInfo;
}

/** The cache key of "no `defaults.uinfo`". */
const NO_UINFO: object = Object.freeze({});
const defaultUserInfos = new WeakMap<object, DefaultUserInfoEntry>();

/**
 * `DEFAULT_USER_INFO` with `defaults.uinfo` over it, validated once per `defaults.uinfo` object
 * (and per second of `now` while `logintime` comes from the clock) rather than per notification.
 * Defaults are values: a caller changes them by passing another object, not by mutating this one.
 */
function defaultUserInfo(input: UserInfoInput | undefined, nowMs: number): UserInfo {
  const key = input === undefined ? NO_UINFO : typeof input === 'object' && input !== null ? input : undefined;
  const second = Math.floor(nowMs / 1000);
  const hit = key === undefined ? undefined : defaultUserInfos.get(key);
  if (hit !== undefined && (hit.second === undefined || hit.second === second)) return hit.uinfo;
  const uinfo = normalizeUserInfo(input, { ...DEFAULT_USER_INFO, logintime: second }, 'defaults.uinfo');
  if (key !== undefined) {
    const fixedLogin = input !== undefined && input.logintime !== undefined && input.logintime !== null;
    defaultUserInfos.set(key, { second: fixedLogin ? undefined : second, uinfo });
  }
  return uinfo;
}

/**
 * Turns a friendly `NotificationInput` into a fully populated `Notification`: fills defaults (user
 * info, usid, timestamps from `defaults.now`), resolves enum names and ISO date-times, rejects
 * unknown fields and values outside the ranges real clients read (PROTOCOL.md §6.4).
 *
 * Idempotent: a `Notification` (one this function returned, or one `notificationFromTerm` decoded
 * within those ranges) is accepted as input and comes back equal, so callers need not tell the two
 * apart. `defaults.uinfo` is validated only when a type carries user info, then cached per object.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` with `details.path` naming the field (e.g. `uinfo.port`)
 * @example
 *   normalizeNotification({ type: 'commit-diff', db: 'running', th: 1001, comment: 'nightly' })
 *   normalizeNotification({ type: 'heartbeat' })
 *   normalizeNotification(normalizeNotification({ type: 'audit' })) // equal to the inner result
 */
export function normalizeNotification(value: NotificationInput | Notification, defaults: NotificationDefaults = {}): Notification {
  if (typeof value !== 'object' || value === null) throw unencodable('', `expected a notification object, got ${show(value)}`);
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(notificationTypes, type)) {
    throw unencodable('type', `unknown notification type ${show(type)} (expected one of ${Object.keys(notificationTypes).join(', ')})`);
  }
  // Every Notification field is also an input field with a value the input accepts (the
  // properties test "normalize(n) = n" checks this per type), so one switch serves both.
  const input = value as NotificationInput;
  switch (input.type) {
    case 'audit':
      return normalizeAudit(input, new LazyContext(defaults));
    case 'daemon':
    case 'netconf':
    case 'devel':
    case 'jsonrpc':
    case 'webui':
      return normalizeSyslog(input);
    case 'commit-simple':
      return normalizeCommitSimple(input, new LazyContext(defaults));
    case 'commit-diff':
      return normalizeCommitDiff(input, new LazyContext(defaults));
    case 'user-session':
      return normalizeUserSession(input, new LazyContext(defaults));
    case 'ha-info':
      return normalizeHaInfo(input);
    case 'subagent-info':
      return normalizeSubagentInfo(input);
    case 'commit-failed':
      return normalizeCommitFailed(input);
    case 'snmpa':
      return normalizeSnmpa(input);
    case 'forward-info':
      return normalizeForwardInfo(input, new LazyContext(defaults));
    case 'heartbeat':
    case 'health-check':
    case 'package-reload':
    case 'reopen-logs':
      return normalizeBare(input);
    case 'confirmed-commit':
      return normalizeConfirmedCommit(input, new LazyContext(defaults));
    case 'upgrade':
      return normalizeUpgrade(input);
    case 'progress':
    case 'commit-progress':
      return normalizeProgress(input, new LazyContext(defaults));
    case 'stream-event':
      return normalizeStreamEvent(input, new LazyContext(defaults));
    case 'cq-progress':
      return normalizeCqProgress(input, new LazyContext(defaults));
    case 'call-home-info':
      return normalizeCallHomeInfo(input);
    case 'audit-network':
      return normalizeAuditNetwork(input, new LazyContext(defaults));
    case 'compaction':
      return normalizeCompaction(input, new LazyContext(defaults));
  }
}

/**
 * The notification's term (PROTOCOL.md §11). Only progress differs by profile (the 5.7 19-tuple
 * or the 6.2 15-tuple, NSO62.md §B); whether a profile's clients can decode a type at all is
 * `unavailableReason`'s question, not this function's.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` when a value cannot be put on the wire (an address
 *   that does not parse, a progress field with no slot in the profile's layout)
 * @example encodeTerm(notificationToTerm(normalizeNotification({ type: 'heartbeat' }))) // 83 68 01 62 00 00 20 00
 */
export function notificationToTerm(n: Notification, profile: Profile = DEFAULT_PROFILE): Term {
  switch (n.type) {
    case 'audit':
      return auditToTerm(n);
    case 'daemon':
    case 'netconf':
    case 'devel':
    case 'jsonrpc':
    case 'webui':
      return syslogToTerm(n);
    case 'commit-simple':
      return commitSimpleToTerm(n);
    case 'commit-diff':
      return commitDiffToTerm(n);
    case 'user-session':
      return userSessionToTerm(n);
    case 'ha-info':
      return haInfoToTerm(n);
    case 'subagent-info':
      return subagentInfoToTerm(n);
    case 'commit-failed':
      return commitFailedToTerm(n);
    case 'snmpa':
      return snmpaToTerm(n);
    case 'forward-info':
      return forwardInfoToTerm(n);
    case 'heartbeat':
    case 'health-check':
    case 'package-reload':
    case 'reopen-logs':
      return bareToTerm(n);
    case 'confirmed-commit':
      return confirmedCommitToTerm(n);
    case 'upgrade':
      return upgradeToTerm(n);
    case 'progress':
    case 'commit-progress':
      return progressToTerm(n, profile);
    case 'stream-event':
      return streamEventToTerm(n);
    case 'cq-progress':
      return cqProgressToTerm(n);
    case 'call-home-info':
      return callHomeInfoToTerm(n);
    case 'audit-network':
      return auditNetworkToTerm(n);
    case 'compaction':
      return compactionToTerm(n);
  }
}

/** Arities of the outer tuple that the decoders accept, per type (`undefined` = checked by the type). */
const ARITIES: Readonly<Partial<Record<Notification['type'], readonly number[]>>> = {
  audit: [5],
  daemon: [4],
  netconf: [4],
  devel: [4],
  jsonrpc: [4],
  webui: [4],
  'commit-simple': [5],
  'commit-diff': [5, 6, 7],
  'user-session': [4],
  'ha-info': [2],
  'subagent-info': [2],
  snmpa: [2],
  'forward-info': [4],
  'confirmed-commit': [4],
  upgrade: [2],
  progress: [2],
  'commit-progress': [2],
  'stream-event': [2],
  'cq-progress': [11],
  'call-home-info': [6, 7],
  'audit-network': [2],
  compaction: [9],
};

/**
 * Reads a notification term, tolerant like the C decoder: commit-diff of arity 5 or 7, `undefined`
 * or `<<>>` for absent text, atoms where text is expected, extra elements after a 1-tuple type.
 * Progress is read by arity (19 or the 6.2 15-tuple) whatever the profile.
 * @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` with `details.path` naming the element
 * @example notificationFromTerm(decodeTerm(payload)).type // 'commit-diff'
 */
export function notificationFromTerm(term: Term, _profile: Profile = DEFAULT_PROFILE): Notification {
  if (term.kind !== 'tuple' || term.elements.length === 0) {
    throw badTerm('', `expected a tuple whose first element is a type bit, got ${describeTerm(term)}`);
  }
  const e = term.elements;
  const first = e[0];
  const bit = first === undefined ? 0 : readInt(first, 'type');
  const type = notificationTypeOfBit(bit);
  if (type === undefined) throw badTerm('type', `${bit} is no notification type bit (§10.1)`);
  const arities = ARITIES[type];
  if (arities !== undefined && !arities.includes(e.length)) {
    throw badTerm('', `a ${type} notification is a ${arities.join(' or ')}-tuple, got a ${e.length}-tuple`);
  }
  switch (type) {
    case 'audit':
      return auditFromTerm(e);
    case 'daemon':
    case 'netconf':
    case 'devel':
    case 'jsonrpc':
    case 'webui':
      return syslogFromTerm(e, type);
    case 'commit-simple':
      return commitSimpleFromTerm(e);
    case 'commit-diff':
      return commitDiffFromTerm(e);
    case 'user-session':
      return userSessionFromTerm(e);
    case 'ha-info':
      return haInfoFromTerm(e);
    case 'subagent-info':
      return subagentInfoFromTerm(e);
    case 'commit-failed':
      return commitFailedFromTerm(e);
    case 'snmpa':
      return snmpaFromTerm(e);
    case 'forward-info':
      return forwardInfoFromTerm(e);
    case 'heartbeat':
    case 'health-check':
    case 'package-reload':
    case 'reopen-logs':
      return bareFromTerm(type);
    case 'confirmed-commit':
      return confirmedCommitFromTerm(e);
    case 'upgrade':
      return upgradeFromTerm(e);
    case 'progress':
    case 'commit-progress':
      return progressFromTerm(e, type);
    case 'stream-event':
      return streamEventFromTerm(e);
    case 'cq-progress':
      return cqProgressFromTerm(e);
    case 'call-home-info':
      return callHomeInfoFromTerm(e);
    case 'audit-network':
      return auditNetworkFromTerm(e);
    case 'compaction':
      return compactionFromTerm(e);
  }
}

/**
 * The dict Python's `read_notification()` returns for a notification (without `_notif`), as the
 * vectors render it. `profile` picks the binding: `nso57` (NSO 5.7.1: `notifications.jsonl`'s
 * `python_dict_nso57` where given, else `python_dict`), `nso62` (NSO 6.2.5, exactly
 * `notifications_nso62.jsonl`'s `python_dict_nso62` with its JSON conventions) or `nso66` (the
 * 6.2.5 binding plus call-home type 3 [INF]). Progress keys follow the layout (`layout`, default
 * the profile). `null` for shapes a C/Python client never receives (stream events with atom tags, §9.5).
 */
export function notificationPythonDict(n: Notification, profile: Profile = DEFAULT_PROFILE, layout: Profile = profile): PythonDict | null {
  const dict = pythonDictOf(n, profile, layout);
  return dict === null || profile === 'nso57' ? dict : toNso62Objects(dict);
}

function pythonDictOf(n: Notification, profile: Profile, layout: Profile): PythonDict | null {
  switch (n.type) {
    case 'audit':
      return auditPython(n);
    case 'daemon':
    case 'netconf':
    case 'devel':
    case 'jsonrpc':
    case 'webui':
      return syslogPython(n);
    case 'commit-simple':
      return commitSimplePython(n);
    case 'commit-diff':
      return commitDiffPython(n);
    case 'user-session':
      return userSessionPython(n);
    case 'ha-info':
      return haInfoPython(n, profile);
    case 'subagent-info':
      return subagentInfoPython(n);
    case 'commit-failed':
      return commitFailedPython(n);
    case 'snmpa':
      return snmpaPython(n);
    case 'forward-info':
      return forwardInfoPython(n);
    case 'heartbeat':
    case 'health-check':
    case 'package-reload':
    case 'reopen-logs':
      return barePython(n);
    case 'confirmed-commit':
      return confirmedCommitPython(n);
    case 'upgrade':
      return upgradePython(n);
    case 'progress':
    case 'commit-progress':
      return progressPython(n, layout);
    case 'stream-event':
      return streamEventPython(n);
    case 'cq-progress':
      return cqProgressPython(n);
    case 'call-home-info':
      return callHomeInfoPython(n, profile);
    case 'audit-network':
      return auditNetworkPython(n);
    case 'compaction':
      return compactionPython(n);
  }
}

/**
 * `read_notification()`'s dict for a term — exactly the vectors' `python_dict_nso62` (profile
 * `nso62`), or `python_dict_nso57` / `python_dict` of `notifications.jsonl` (profile `nso57`).
 * Progress keys follow the term's arity (19: the 5.7 keys; 15: the 6.2 keys).
 * @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` when the term is no notification
 * @example pythonDictView(decodeTerm(payload), 'nso57') // { type: 1, audit: { logno: 108, ... } }
 */
export function pythonDictView(term: Term, profile: Profile = DEFAULT_PROFILE): PythonDict | null {
  const n = notificationFromTerm(term, profile);
  let layout = profile;
  if (n.type === 'progress' || n.type === 'commit-progress') {
    const event = term.kind === 'tuple' ? term.elements[1] : undefined;
    layout = event?.kind === 'tuple' && event.elements.length === 15 ? (profile === 'nso57' ? 'nso62' : profile) : 'nso57';
  }
  return notificationPythonDict(n, profile, layout);
}

/**
 * Why a client whose library reads `profile`'s layouts could not read this notification term as
 * that library does, or undefined when it can (NSO62.md §D: a 6.2.5 client aborts on the 5.7
 * progress 19-tuple, misreads an audit-network Config that is not a binary and a call-home type 3;
 * a 5.7.1 client aborts on any progress arity but 19). What a real client of the profile would
 * choke on, for clients and conformance checks.
 * @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` when the term is no notification at all
 * @example layoutProblem(decodeTerm(frame19), 'nso62') // 'progress is a 19-tuple; NSO 6.2 reads a 15-tuple (profile nso62)'
 */
export function layoutProblem(term: Term, profile: Profile): string | undefined {
  const n = notificationFromTerm(term, profile);
  const inner = term.kind === 'tuple' ? term.elements[1] : undefined;
  if (n.type === 'progress' || n.type === 'commit-progress') {
    const arity = inner?.kind === 'tuple' ? inner.elements.length : 0;
    const want = profile === 'nso57' ? 19 : 15;
    if (arity !== want) return `${n.type} is a ${arity}-tuple; ${describeProfile(profile)} reads a ${want}-tuple (profile ${profile}, §11.14, NSO62.md §B)`;
  }
  if (n.type === 'audit-network' && inner?.kind === 'tuple' && inner.elements[5]?.kind !== 'binary') {
    return `audit-network Config is not a binary; ${describeProfile(profile)} reads it as text (profile ${profile}, NSO62.md §D)`;
  }
  return unavailableReason(n, profile);
}

/**
 * The ack a connection with `mask` owes after receiving `n`, as the key the matching `Ack` will
 * equal (§12): commit-diff always (`{TH, done}`), audit with AUDIT_SYNC, audit-network with
 * AUDIT_NETWORK_SYNC, HA info with HA_INFO_SYNC; `undefined` when none (or when `mask` does not
 * subscribe to the type at all).
 * @example ackRequiredBy(n, NOTIF.COMMIT_DIFF) // { kind: 'diff-done', th: 1001 }
 */
export function ackRequiredBy(n: Notification, mask: number): PendingAckKey | undefined {
  const spec = notificationTypes[n.type];
  if ((mask & spec.bit) === 0 || spec.ack === undefined) return undefined;
  if (spec.syncFlag !== undefined && (mask & spec.syncFlag) === 0) return undefined;
  switch (n.type) {
    case 'commit-diff':
      return { kind: 'diff-done', th: n.th };
    case 'audit':
      return { kind: 'audit-synced', usid: n.usid };
    case 'audit-network':
      return { kind: 'audit-network-synced', usid: n.usid };
    case 'ha-info':
      return { kind: 'ha-synced' };
    default:
      return undefined;
  }
}
