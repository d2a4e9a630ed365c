/**
 * The notification model: what the server emits, what a scenario writes, what a test asserts.
 *
 * Two shapes per type:
 * - `Notification` (the union, discriminant `type`): fully populated, enum fields are numbers (the
 *   wire values, so unknown values from a real server survive a round trip and the numbers match
 *   the Python dict), text fields are strings, IP addresses are text.
 * - `NotificationInput`: the friendly form scenarios and `emit()` accept. Optional fields get
 *   defaults from `NotificationDefaults`; enum fields accept the kebab-case name or the number
 *   (`database: 'running' | 2`); date-times accept ISO-8601 text. `normalizeNotification` (index.ts)
 *   turns an input into a `Notification` and rejects values outside the ranges of PROTOCOL.md §6.4.
 *
 * Field names are the keys of Python's `read_notification` dict (PROTOCOL.md §11 "Py" columns), so
 * what a scenario says is what a Python client sees. Exceptions, chosen for a uniform model: the
 * sub-type of every notification is the field `event` (Python calls it `type`, `provider`,
 * `pdu_type` …), the transaction handle is `th` (Python: `tctx.th`), IP addresses are one text
 * field `addr` (Python: `af` + `ip4`/`ip6`), and list-shaped data that Python flattens into parallel
 * lists (CQ progress) are lists of records.
 */
import type { Term } from '../term.js';

// ---------------------------------------------------------------------------------------------
// Profiles and type names
// ---------------------------------------------------------------------------------------------

/**
 * A layout profile (PROTOCOL.md §0.4, §16; NSO62.md): which layouts a connection's client reads.
 * - `nso57`: verified against the NSO 5.7.1 libraries (progress as the 19-tuple; no audit-network,
 *   no compaction, call-home types 1 and 2).
 * - `nso62`: verified against the NSO 6.2.5 libraries (NSO62.md §B): progress as the 15-tuple
 *   `{Type, Timestamp, Duration, TraceId, SpanId, ParentSpanId, Usid, Tid, Datastore, Context,
 *   Subsystem, Msg, Annotation, Attributes, Links}`, audit-network with `Config` always a binary,
 *   compaction, call-home types 1 and 2 only.
 * - `nso66`: `nso62` plus what the NSO 6.6 API documentation adds (call-home type 3,
 *   device-disconnected) — inferred, never run against a real 6.6 library.
 */
export type Profile = 'nso57' | 'nso62' | 'nso66';

/** Every profile, oldest first. */
export const PROFILES: readonly Profile[] = ['nso57', 'nso62', 'nso66'];

/**
 * A profile name as users may write it: a {@link Profile}, or `nso6x`, the deprecated name of the
 * earlier guessed 6.x profile, now an alias of `nso66` (not a layout of its own).
 */
export type ProfileName = Profile | 'nso6x';

/** Deprecated profile names and the profile each stands for. */
export const DEPRECATED_PROFILE_ALIASES: Readonly<Record<Exclude<ProfileName, Profile>, Profile>> = Object.freeze({ nso6x: 'nso66' });

/** Every name a profile option accepts (the deprecated alias last). */
export const PROFILE_NAMES: readonly ProfileName[] = [...PROFILES, 'nso6x'];

/**
 * A profile option: a profile forced on every connection, or `auto` (the default) — each
 * connection gets the profile of its client's protocol version (`profileForProtocolVersion`).
 */
export type ProfileSetting = ProfileName | 'auto';

/** Every value a profile option accepts. */
export const PROFILE_SETTINGS: readonly ProfileSetting[] = ['auto', ...PROFILE_NAMES];

/** The kebab-case name of every notification type (PROTOCOL.md §10.1, §10.2). */
export type NotificationType =
  | 'audit'
  | 'daemon'
  | 'netconf'
  | 'devel'
  | 'jsonrpc'
  | 'webui'
  | 'commit-simple'
  | 'commit-diff'
  | 'user-session'
  | 'ha-info'
  | 'subagent-info'
  | 'commit-failed'
  | 'snmpa'
  | 'forward-info'
  | 'heartbeat'
  | 'health-check'
  | 'confirmed-commit'
  | 'upgrade'
  | 'commit-progress'
  | 'progress'
  | 'stream-event'
  | 'package-reload'
  | 'cq-progress'
  | 'reopen-logs'
  | 'call-home-info'
  | 'audit-network'
  | 'compaction';

/** Every notification type, in type-bit order. */
export const NOTIFICATION_TYPES: readonly NotificationType[] = [
  'audit',
  'daemon',
  'commit-simple',
  'commit-diff',
  'user-session',
  'ha-info',
  'subagent-info',
  'commit-failed',
  'snmpa',
  'forward-info',
  'netconf',
  'devel',
  'heartbeat',
  'confirmed-commit',
  'upgrade',
  'commit-progress',
  'health-check',
  'stream-event',
  'package-reload',
  'cq-progress',
  'reopen-logs',
  'progress',
  'call-home-info',
  'jsonrpc',
  'webui',
  'audit-network',
  'compaction',
];

/** The five types that share the syslog layout `{Bit, Logno, Prio, Msg}` (PROTOCOL.md §11.2). */
export type SyslogType = 'daemon' | 'netconf' | 'devel' | 'jsonrpc' | 'webui';

/** The four 1-tuple types (PROTOCOL.md §11.11). */
export type BareType = 'heartbeat' | 'health-check' | 'package-reload' | 'reopen-logs';

/** The two progress types; both carry the same event tuple (PROTOCOL.md §11.14). */
export type ProgressType = 'progress' | 'commit-progress';

// ---------------------------------------------------------------------------------------------
// Type and flag bits (PROTOCOL.md §10.1)
// ---------------------------------------------------------------------------------------------

/**
 * Every type and flag bit of PROTOCOL.md §10.1 under its Python-style name (`NOTIF_AUDIT` →
 * `NOTIF.AUDIT`, `NCS_NOTIF_CQ_PROGRESS` → `NOTIF.CQ_PROGRESS`), plus the aliases `SYSLOG`
 * (= DAEMON) and `SYSLOG_TAKEOVER` (= DAEMON | TAKEOVER_SYSLOG).
 * @example
 *   const mask = NOTIF.COMMIT_DIFF | NOTIF.AUDIT | NOTIF.AUDIT_SYNC;
 */
export const NOTIF = {
  AUDIT: 1,
  DAEMON: 2,
  SYSLOG: 2,
  TAKEOVER_SYSLOG: 4,
  SYSLOG_TAKEOVER: 6,
  COMMIT_SIMPLE: 8,
  COMMIT_DIFF: 16,
  USER_SESSION: 32,
  HA_INFO: 64,
  SUBAGENT_INFO: 128,
  COMMIT_FAILED: 256,
  SNMPA: 512,
  FORWARD_INFO: 1024,
  NETCONF: 2048,
  DEVEL: 4096,
  HEARTBEAT: 8192,
  CONFIRMED_COMMIT: 16384,
  UPGRADE_EVENT: 32768,
  COMMIT_PROGRESS: 65536,
  AUDIT_SYNC: 131072,
  HEALTH_CHECK: 262144,
  STREAM_EVENT: 524288,
  HA_INFO_SYNC: 1048576,
  PACKAGE_RELOAD: 2097152,
  CQ_PROGRESS: 4194304,
  REOPEN_LOGS: 8388608,
  PROGRESS: 16777216,
  CALL_HOME_INFO: 33554432,
  JSONRPC: 67108864,
  WEBUI: 134217728,
  AUDIT_NETWORK: 268435456,
  AUDIT_NETWORK_SYNC: 536870912,
  COMPACTION: 1073741824,
} as const;

/** A name of `NOTIF`. */
export type NotifName = keyof typeof NOTIF;

/** The flag bits that are never a notification type (PROTOCOL.md §10.1, §11.20). */
export const NOTIF_FLAG_BITS: number = NOTIF.TAKEOVER_SYSLOG | NOTIF.AUDIT_SYNC | NOTIF.HA_INFO_SYNC | NOTIF.AUDIT_NETWORK_SYNC;

// ---------------------------------------------------------------------------------------------
// Enumerations (PROTOCOL.md Appendix A). Names are kebab-case forms of the C constants.
// ---------------------------------------------------------------------------------------------

/** `enum confd_dbname` (PROTOCOL.md §A.4). */
export const DATASTORES = {
  'no-db': 0,
  candidate: 1,
  running: 2,
  startup: 3,
  operational: 4,
  transaction: 5,
  'pre-commit-running': 6,
  intended: 7,
} as const;
/** A datastore name of `DATASTORES`. */
export type DatastoreName = keyof typeof DATASTORES;

/** `enum confd_proto` (PROTOCOL.md §A.6). */
export const PROTOS = {
  unknown: 0,
  tcp: 1,
  ssh: 2,
  system: 3,
  console: 4,
  ssl: 5,
  http: 6,
  https: 7,
  udp: 8,
  tls: 9,
} as const;
/** A protocol name of `PROTOS`. */
export type ProtoName = keyof typeof PROTOS;

/** Syslog priorities (PROTOCOL.md §11.2 element 3). */
export const SYSLOG_PRIOS = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
} as const;
/** A priority name of `SYSLOG_PRIOS`. */
export type SyslogPrioName = keyof typeof SYSLOG_PRIOS;

/** Commit flags (PROTOCOL.md §11.3 element 5, §A.5). */
export const COMMIT_FLAGS = { confirmed: 1, 'confirmed-extended': 2 } as const;
/** A flag name of `COMMIT_FLAGS`. */
export type CommitFlagName = keyof typeof COMMIT_FLAGS;

/** User-session events (PROTOCOL.md §11.5). */
export const USER_SESSION_EVENTS = {
  start: 1,
  stop: 2,
  lock: 3,
  unlock: 4,
  'start-trans': 5,
  'stop-trans': 6,
} as const;

/** HA events (PROTOCOL.md §11.6): 6.x names, and the 5.7 names as aliases. */
export const HA_EVENTS = {
  noprimary: 1,
  nomaster: 1,
  'secondary-died': 2,
  'slave-died': 2,
  'secondary-arrived': 3,
  'slave-arrived': 3,
  'secondary-initialized': 4,
  'slave-initialized': 4,
  'is-primary': 5,
  'is-master': 5,
  'is-none': 6,
  'besecondary-result': 7,
  'beslave-result': 7,
} as const;

/** HA error codes carried by `noprimary` / `besecondary_result` (PROTOCOL.md §11.6, §A.2). */
export const HA_ERRORS = { ok: 0, 'ha-closed': 26, 'ha-notick': 31 } as const;

/** Subagent events (PROTOCOL.md §11.7). */
export const SUBAGENT_EVENTS = { up: 1, down: 2 } as const;

/** Data providers, the sub-type of commit-failed (PROTOCOL.md §11.8, §A.5). */
export const COMMIT_FAILED_PROVIDERS = { cdb: 1, netconf: 2, external: 3, snmpgw: 4, javascript: 5 } as const;

/** SNMP PDU types, the sub-type of snmpa (PROTOCOL.md §A.8). */
export const SNMP_PDU_TYPES = {
  'v1-trap': 1,
  'v2-trap': 2,
  inform: 3,
  'get-response': 4,
  'get-request': 5,
  'get-next-request': 6,
  report: 7,
  'get-bulk-request': 8,
  'set-request': 9,
} as const;

/** Varbind kinds (PROTOCOL.md §11.9). */
export const SNMP_VARBIND_KINDS = { variable: 1, oid: 2, 'col-row': 3 } as const;

/** SNMP value types of a varbind (PROTOCOL.md §11.9). */
export const SNMP_VARTYPES = {
  null: 0,
  integer: 1,
  integer32: 2,
  'octet-string': 3,
  'object-identifier': 4,
  'ip-address': 5,
  counter32: 6,
  timeticks: 7,
  opaque: 8,
  counter64: 9,
  unsigned32: 10,
} as const;

/** Forward-info events (PROTOCOL.md §11.10). */
export const FORWARD_EVENTS = { up: 1, down: 2, failed: 3 } as const;

/** Confirmed-commit events (PROTOCOL.md §11.12), with short aliases. */
export const CONFIRMED_COMMIT_EVENTS = {
  'confirmed-commit': 1,
  'confirming-commit': 2,
  'abort-commit': 3,
  confirmed: 1,
  confirming: 2,
  abort: 3,
} as const;

/** Upgrade events (PROTOCOL.md §11.13); `commited` is the C spelling, `committed` an alias. */
export const UPGRADE_EVENTS = {
  'init-started': 1,
  'init-succeeded': 2,
  performed: 3,
  commited: 4,
  committed: 4,
  aborted: 5,
} as const;

/** Progress events (PROTOCOL.md §11.14, §A.3). */
export const PROGRESS_EVENTS = { start: 1, stop: 2, info: 3 } as const;

/** Stream events (PROTOCOL.md §11.15). */
export const STREAM_EVENTS = {
  notification: 1,
  'notification-complete': 2,
  'replay-complete': 3,
  'replay-failed': 4,
} as const;

/** Commit-queue progress events (PROTOCOL.md §11.16). */
export const CQ_PROGRESS_EVENTS = {
  waiting: 1,
  executing: 2,
  locked: 3,
  completed: 4,
  failed: 5,
  deleted: 6,
} as const;

/** Call-home events (PROTOCOL.md §11.17); 3 exists only in 6.6 [INF]. */
export const CALL_HOME_EVENTS = { 'device-connected': 1, 'unknown-device': 2, 'device-disconnected': 3 } as const;

/** Compaction database files (PROTOCOL.md §11.19, §A.5). */
export const COMPACTION_DBFILES = { 'a-cdb': 1, 'o-cdb': 2, 's-cdb': 3 } as const;

/** Compaction kinds, the sub-type of compaction (PROTOCOL.md §11.19, §A.5). */
export const COMPACTION_EVENTS = { automatic: 1, manual: 2 } as const;

/** An enum field of a `NotificationInput`: a name of the table or the number. */
export type EnumInput<T extends Readonly<Record<string, number>>> = keyof T | number;

// ---------------------------------------------------------------------------------------------
// Shared sub-structures (PROTOCOL.md §9)
// ---------------------------------------------------------------------------------------------

/** An IP address in text form: `'127.0.0.1'` or `'2001:db8::1'` (PROTOCOL.md §9.2). Normalised to the `inet_ntop` form. */
export type IpAddress = string;

/**
 * `_ncs.DateTime` / `struct confd_datetime` (PROTOCOL.md §9.3). `timezone` `null` means "no
 * timezone" (wire `[]`; Python −111). Minutes of a negative offset carry the sign of the hours
 * (`-05:30` → `timezone -5, timezone_minutes -30`) [INF].
 */
export interface DateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly min: number;
  readonly sec: number;
  readonly micro: number;
  readonly timezone: number | null;
  readonly timezone_minutes: number;
}

/**
 * A date-time as input: ISO-8601 text (`'2026-01-01T00:00:00Z'`, `'2023-11-14T22:13:20.5+01:00'`;
 * no offset = no timezone), a `Date` (UTC), or a partial `DateTime` (missing fields are 0 / 1 / no timezone).
 */
export type DateTimeInput = string | Date | Partial<DateTime>;

/** The user info 10-tuple (PROTOCOL.md §9.1); names are the Python `UserInfo` attributes. */
export interface UserInfo {
  readonly usid: number;
  readonly username: string;
  readonly clearpass: string;
  readonly context: string;
  /** `enum confd_proto` (§A.6). */
  readonly proto: number;
  readonly addr: IpAddress;
  readonly port: number;
  /** Seconds since 1970 (§6.4: signed 32-bit, or ≥ 2^32). */
  readonly logintime: number;
  readonly snmp_v3_ctx: string;
  /** bit0 forward, bit1 has identification, bit2 has opaque. */
  readonly flags: number;
}

/** User info as input: every field optional (defaults from `NotificationDefaults.uinfo`), `proto` by name or number. */
export interface UserInfoInput {
  readonly usid?: number;
  readonly username?: string;
  readonly clearpass?: string;
  readonly context?: string;
  readonly proto?: EnumInput<typeof PROTOS>;
  readonly addr?: IpAddress;
  readonly port?: number;
  readonly logintime?: number;
  readonly snmp_v3_ctx?: string;
  readonly flags?: number;
}

/**
 * An HA node `{NodeId, Address}` (PROTOCOL.md §9.7). The address is an IP (`addr`) or, as only the
 * C decoder knows, a host name binary (`str`, Python's key for it).
 */
export type HaNode =
  | { readonly nodeid: ConfValue; readonly addr: IpAddress }
  | { readonly nodeid: ConfValue; readonly str: string };

/** An HA node as input: `nodeid` text (a C_BUF) or a value, and `addr` (IP text) or `str` (host name). */
export interface HaNodeInput {
  readonly nodeid?: ConfValueInput;
  readonly addr?: IpAddress;
  readonly str?: string;
}

/**
 * C type codes of `confd_value_t` (PROTOCOL.md §9.4, §A.7) under their C names without `C_`.
 * @example
 *   const v: ConfValue = { confd_type: C_TYPE.UINT32, value: 1000 };
 */
export const C_TYPE = {
  NOEXISTS: 1,
  XMLTAG: 2,
  BUF: 5,
  INT8: 6,
  INT16: 7,
  INT32: 8,
  INT64: 9,
  UINT8: 10,
  UINT16: 11,
  UINT32: 12,
  UINT64: 13,
  DOUBLE: 14,
  IPV4: 15,
  IPV6: 16,
  BOOL: 17,
  QNAME: 18,
  DATETIME: 19,
  DATE: 20,
  TIME: 23,
  DURATION: 27,
  ENUM_VALUE: 28,
  BIT32: 29,
  BIT64: 30,
  LIST: 31,
  XMLBEGIN: 32,
  XMLEND: 33,
  OBJECTREF: 34,
  OID: 38,
  BINARY: 39,
  IPV4PREFIX: 40,
  IPV6PREFIX: 41,
  DEFAULT: 42,
  DECIMAL64: 43,
  IDENTITYREF: 44,
  XMLBEGINDEL: 45,
  DQUAD: 46,
  HEXSTR: 47,
  IPV4_AND_PLEN: 48,
  IPV6_AND_PLEN: 49,
  BITBIG: 50,
  XMLMOVEFIRST: 51,
  XMLMOVEAFTER: 52,
} as const;

/** A name of `C_TYPE` in kebab case (`'uint32'`, `'xmlbegin'`, `'ipv4-and-plen'`), as input accepts it. */
export type ConfdTypeName = Lowercase<keyof typeof C_TYPE> extends infer N
  ? N extends string
    ? N extends `${infer A}_${infer B}`
      ? B extends `${infer C}_${infer D}`
        ? `${A}-${C}-${D}`
        : `${A}-${B}`
      : N
    : never
  : never;

/** Value types without a payload: `not_found`, `default` and the tag-value markers of §9.5. */
export type MarkerConfdType = 1 | 2 | 32 | 33 | 42 | 45 | 51 | 52;
/** Integer value types: `{Code, I}` on the wire, except C_INT32 which is a bare integer (§9.4). */
export type IntegerConfdType = 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 28 | 29 | 30;
/** Value types whose payload is a binary (§9.4). */
export type BytesConfdType = 39 | 46 | 47 | 50;
/** Prefix types, kept as `'addr/len'` text (§9.4). */
export type PrefixConfdType = 40 | 41 | 48 | 49;
/** Value types kept as their raw Erlang term (structure not modelled; round-trips unchanged). */
export type RawConfdType = 18 | 20 | 23 | 27 | 34;

/**
 * A `confd_value_t` (PROTOCOL.md §9.4), keyed like the Python `Value` rendering of the vectors
 * (`confd_type` = the C type code). C_XMLTAG (2) is the `leaf` marker of tag-value lists (§9.5).
 */
export type ConfValue =
  | { readonly confd_type: MarkerConfdType }
  | { readonly confd_type: 5; readonly value: string }
  | { readonly confd_type: IntegerConfdType; readonly value: number | bigint }
  | { readonly confd_type: 14; readonly value: number }
  | { readonly confd_type: 15 | 16; readonly value: IpAddress }
  | { readonly confd_type: 17; readonly value: boolean }
  | { readonly confd_type: 19; readonly value: DateTime }
  | { readonly confd_type: 31; readonly value: readonly ConfValue[] }
  | { readonly confd_type: 38; readonly value: readonly number[] }
  | { readonly confd_type: BytesConfdType; readonly value: Uint8Array }
  | { readonly confd_type: PrefixConfdType; readonly value: string }
  | { readonly confd_type: 43; readonly value: number | bigint; readonly fraction_digits: number }
  | { readonly confd_type: 44; readonly value: { readonly ns: number; readonly id: number } }
  | { readonly confd_type: RawConfdType; readonly raw: Term };

/**
 * A value as input: text → C_BUF, boolean → C_BOOL, an integer → C_INT32 (C_INT64 outside 32 bits),
 * another number → C_DOUBLE, an array → C_LIST, or an explicit `{ confd_type, value }` where
 * `confd_type` is a code or a `ConfdTypeName` (date-times accept ISO text, byte values a list of bytes).
 * @example
 *   'eth0'                                   // C_BUF
 *   { confd_type: 'uint32', value: 1000 }    // {12, 1000}
 *   { confd_type: 'xmlbegin' }               // start
 */
export type ConfValueInput =
  | string
  | boolean
  | number
  | bigint
  | readonly ConfValueInput[]
  | {
      readonly confd_type: ConfdTypeName | number;
      readonly value?: unknown;
      readonly fraction_digits?: number;
      readonly raw?: Term;
    };

/**
 * One `{Tag, Value}` element of a tag-value list (PROTOCOL.md §9.5). `ns`/`tag` are 32-bit hashes
 * (UseIKP = 0, what C, Java and Python get) or atom texts (UseIKP = 1, econfd); without `ns` the tag
 * is bare (`TagAtom`).
 */
export interface TagValue {
  readonly ns?: number | string;
  readonly tag: number | string;
  readonly v: ConfValue;
}

/** Element markers of §9.5, as the `xml` shortcut of `TagValueInput`. */
export const XML_MARKERS = {
  start: 32,
  stop: 33,
  leaf: 2,
  delete: 45,
  'move-first': 51,
  'move-after': 52,
} as const;

/**
 * A tag-value as input: `{ ns, tag, v }`, or `{ ns, tag, xml: 'start' | 'stop' | 'leaf' | … }` for
 * the element markers.
 * @example
 *   [{ ns: 1928374655, tag: 101, xml: 'start' }, { ns: 1928374655, tag: 102, v: 'eth0' }, { ns: 1928374655, tag: 101, xml: 'stop' }]
 */
export interface TagValueInput {
  readonly ns?: number | string;
  readonly tag: number | string;
  readonly v?: ConfValueInput;
  readonly xml?: keyof typeof XML_MARKERS;
}

/** An SNMP varbind (PROTOCOL.md §11.9); `val` is the textual SNMP value, `null` for "no value". */
export type SnmpVarbind =
  | { readonly type: 1; readonly vartype: number; readonly name: string; readonly val: string | null }
  | { readonly type: 2; readonly vartype: number; readonly oid: readonly number[]; readonly val: string | null }
  | {
      readonly type: 3;
      readonly vartype: number;
      /** `[column, rowindex]`, as Python's `cr`. */
      readonly cr: readonly [string, readonly number[]];
      readonly val: string | null;
    };

/** A varbind as input: the kind (`type`) is inferred from `name` / `oid` / `cr` when omitted. */
export interface SnmpVarbindInput {
  readonly type?: EnumInput<typeof SNMP_VARBIND_KINDS>;
  readonly vartype?: EnumInput<typeof SNMP_VARTYPES>;
  readonly name?: string;
  readonly oid?: readonly number[] | string;
  readonly cr?: readonly [string, readonly number[] | string];
  readonly val?: string | null;
}

/** A 6.x progress attribute (placeholder layout, PROTOCOL.md §11.14) [INF]. */
export interface ProgressAttribute {
  readonly name: string;
  readonly value: string | number;
}

/** A 6.x progress link (placeholder layout, PROTOCOL.md §11.14) [INF]. */
export interface ProgressLink {
  readonly trace_id: string;
  readonly span_id: string;
}

/** A failed device of CQ progress (PROTOCOL.md §11.16 element 8). */
export interface CqFailedDevice {
  readonly device: string;
  readonly reason: string;
}

/** A completed service of CQ progress (PROTOCOL.md §11.16 element 9). */
export interface CqCompletedService {
  readonly service: string;
  readonly completed_devices: readonly string[];
}

/** A failed service of CQ progress (PROTOCOL.md §11.16 element 10). */
export interface CqFailedService {
  readonly service: string;
  readonly completed_devices: readonly string[];
  readonly failed_devices: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// The Notification union
// ---------------------------------------------------------------------------------------------

/** §11.1 `{1, Logno, User, Usid, Msg}`. */
export interface AuditNotification {
  readonly type: 'audit';
  readonly logno: number;
  readonly user: string;
  readonly usid: number;
  readonly msg: string;
}

/** §11.2 `{Bit, Logno, Prio, Msg}` for daemon, netconf, devel, jsonrpc and webui. */
export interface SyslogNotification {
  readonly type: SyslogType;
  readonly logno: number;
  readonly prio: number;
  readonly msg: string;
}

/** §11.3 `{8, Db, UInfo, DiffAvailable, Flags}`. */
export interface CommitSimpleNotification {
  readonly type: 'commit-simple';
  readonly database: number;
  readonly uinfo: UserInfo;
  readonly diff_available: number;
  readonly flags: number;
}

/**
 * §11.4 `{16, Db, UInfo, TH, Flags}` or `{16, Db, UInfo, TH, Flags, Comment, Label}`. Both
 * `comment` and `label` absent = the 5-tuple; either present = the 7-tuple (`''` = `<<>>`).
 */
export interface CommitDiffNotification {
  readonly type: 'commit-diff';
  readonly database: number;
  readonly uinfo: UserInfo;
  readonly th: number;
  readonly flags: number;
  readonly comment?: string;
  readonly label?: string;
}

/** §11.5 `{32, SessType, UInfo, Db}`. */
export interface UserSessionNotification {
  readonly type: 'user-session';
  readonly event: number;
  readonly uinfo: UserInfo;
  readonly database: number;
}

/** §11.6 `{64, {HaType, Data}}`, one variant per HaType. */
export type HaInfoNotification =
  | { readonly type: 'ha-info'; readonly event: 1; readonly noprimary: number }
  | { readonly type: 'ha-info'; readonly event: 2 | 3; readonly node: HaNode }
  | { readonly type: 'ha-info'; readonly event: 4; readonly cdb_initialized_by_copy: number }
  | { readonly type: 'ha-info'; readonly event: 5 | 6 }
  | { readonly type: 'ha-info'; readonly event: 7; readonly besecondary_result: number };

/** §11.7 `{128, {SubType, Name}}`. */
export interface SubagentInfoNotification {
  readonly type: 'subagent-info';
  readonly event: number;
  readonly name: string;
}

/** §11.8 `{256, Provider, Db, …}`; `event` is the provider. */
export type CommitFailedNotification =
  | { readonly type: 'commit-failed'; readonly event: 2; readonly dbname: number; readonly addr: IpAddress; readonly port: number }
  | { readonly type: 'commit-failed'; readonly event: 3; readonly dbname: number; readonly daemon_name: string }
  | { readonly type: 'commit-failed'; readonly event: 1 | 4 | 5; readonly dbname: number };

/**
 * §11.9 `{512, {PduType, ReqId|TimeStamp, Ip, Port, ErrStatus|Specific, ErrIndex|Generic, N, Vbs, undefined, Enterprise}}`.
 * Flat like the Python dict: for a v1 trap (`event` 1) `time_stamp`, `specific_trap`,
 * `generic_trap` fill slots 2, 5, 6 and `request_id`/`error_status`/`error_index` are 0; for other
 * PDUs the v1 fields are 0. `enterprise` is slot 10 (`[]` except for v1 traps).
 */
export interface SnmpaNotification {
  readonly type: 'snmpa';
  readonly event: number;
  readonly request_id: number;
  readonly addr: IpAddress;
  readonly port: number;
  readonly error_status: number;
  readonly error_index: number;
  readonly vb: readonly SnmpVarbind[];
  readonly time_stamp: number;
  readonly specific_trap: number;
  readonly generic_trap: number;
  readonly enterprise: readonly number[];
}

/** §11.10 `{1024, FwdType, Target, UInfo}`. */
export interface ForwardInfoNotification {
  readonly type: 'forward-info';
  readonly event: number;
  readonly target: string;
  readonly uinfo: UserInfo;
}

/** §11.11 the 1-tuples `{8192}`, `{262144}`, `{2097152}`, `{8388608}`. */
export interface BareNotification {
  readonly type: BareType;
}

/** §11.12 `{16384, ConfType, Timeout, UInfo}`. */
export interface ConfirmedCommitNotification {
  readonly type: 'confirmed-commit';
  readonly event: number;
  readonly timeout: number;
  readonly uinfo: UserInfo;
}

/** §11.13 `{32768, Event}`. */
export interface UpgradeNotification {
  readonly type: 'upgrade';
  readonly event: number;
}

/**
 * §11.14 `{65536 | 16777216, Event}`. Under `nso57` the event is the verified 19-tuple; under
 * `nso62`/`nso66` the verified 6.2.5 15-tuple (NSO62.md §B: `trace_id`, `span_id`,
 * `parent_span_id` before `usid`; `attributes` and `links` instead of `phase`, `service`,
 * `service_phase`, `commit_queue_id`, `node`, `device`, `device_phase`, `package`). Absent text
 * fields are the atom `undefined`, `''` is `<<>>`.
 */
export interface ProgressNotification {
  readonly type: ProgressType;
  readonly event: number;
  /** Microseconds since 1970; §6.4: keep it ≥ 2^32. */
  readonly timestamp: number;
  readonly duration?: number;
  readonly usid: number;
  readonly tid: number;
  readonly datastore: number;
  readonly context?: string;
  readonly trace_id?: string;
  readonly subsystem?: string;
  readonly phase?: string;
  readonly msg?: string;
  readonly annotation?: string;
  readonly service?: string;
  readonly service_phase?: string;
  readonly commit_queue_id?: number;
  readonly node?: string;
  readonly device?: string;
  readonly device_phase?: string;
  readonly package?: string;
  /** nso62/nso66 only. */
  readonly span_id?: string;
  /** nso62/nso66 only. */
  readonly parent_span_id?: string;
  /** nso62/nso66 only; always a list (maybe empty) when decoded from the 15-tuple. */
  readonly attributes?: readonly ProgressAttribute[];
  /** nso62/nso66 only; always a list (maybe empty) when decoded from the 15-tuple. */
  readonly links?: readonly ProgressLink[];
}

/** §11.15 `{524288, X}`, one variant per stream event kind. */
export type StreamEventNotification =
  | { readonly type: 'stream-event'; readonly event: 1; readonly event_time: DateTime; readonly values: readonly TagValue[] }
  | { readonly type: 'stream-event'; readonly event: 2 | 3 }
  | { readonly type: 'stream-event'; readonly event: 4; readonly error: string };

/**
 * §11.16 `{4194304, Type, Time, CqId, CqTag, Completed, Transient, Failed, ComplSvc, FailSvc, TraceId}`.
 * An absent list is the atom `undefined`, `[]` stays `[]` (both mean "none" to every decoder).
 */
export interface CqProgressNotification {
  readonly type: 'cq-progress';
  readonly event: number;
  readonly timestamp: DateTime;
  readonly cq_id: number;
  readonly cq_tag?: string;
  readonly completed_devices?: readonly string[];
  readonly transient_devices?: readonly string[];
  readonly failed_devices?: readonly CqFailedDevice[];
  readonly completed_services?: readonly CqCompletedService[];
  readonly failed_services?: readonly CqFailedService[];
  readonly trace_id?: string;
}

/** §11.17 `{33554432, Type, Ip, Port, HostKey, KeyAlg [, Device]}`; `device` absent = the 6-tuple. */
export interface CallHomeInfoNotification {
  readonly type: 'call-home-info';
  readonly event: number;
  readonly addr: IpAddress;
  readonly port: number;
  readonly ssh_host_key: string;
  readonly ssh_key_alg: string;
  readonly device?: string;
}

/** §11.18 `{268435456, {Usid, Tid, User, Device, TraceId, Config}}`. */
export interface AuditNetworkNotification {
  readonly type: 'audit-network';
  readonly usid: number;
  readonly tid: number;
  readonly user: string;
  readonly device: string;
  readonly trace_id?: string;
  readonly config?: string;
}

/** §11.19 [INF, low] the flat `{1073741824, DbFile, Type, FsStart, FsEnd, FsLast, TimeStart, Duration, NTrans}`. */
export interface CompactionNotification {
  readonly type: 'compaction';
  readonly dbfile: number;
  readonly event: number;
  readonly fsize_start: number;
  readonly fsize_end: number;
  readonly fsize_last: number;
  readonly time_start: number;
  readonly duration: number;
  readonly ntrans: number;
}

/** Every server → client notification (PROTOCOL.md §10, §11); discriminant `type`. */
export type Notification =
  | AuditNotification
  | SyslogNotification
  | CommitSimpleNotification
  | CommitDiffNotification
  | UserSessionNotification
  | HaInfoNotification
  | SubagentInfoNotification
  | CommitFailedNotification
  | SnmpaNotification
  | ForwardInfoNotification
  | BareNotification
  | ConfirmedCommitNotification
  | UpgradeNotification
  | ProgressNotification
  | StreamEventNotification
  | CqProgressNotification
  | CallHomeInfoNotification
  | AuditNetworkNotification
  | CompactionNotification;

/** The `Notification` variant(s) of one type. */
export type NotificationOf<T extends NotificationType> = Extract<Notification, { readonly type: T }>;

// ---------------------------------------------------------------------------------------------
// NotificationInput: the friendly form
// ---------------------------------------------------------------------------------------------

/** Datastore input: a name or a number. `db` is accepted as an alias of the datastore field. */
export type DatastoreInput = EnumInput<typeof DATASTORES>;

/**
 * The fields an input shares as-is with its `Notification`, all optional. An input extends it and
 * redeclares only `Redeclared` (the fields it accepts in a friendlier form: enum names, ISO text), so
 * a field added to a notification cannot be forgotten in its input.
 */
type SharedInputFields<N, Redeclared extends keyof N = never> = Partial<Omit<N, 'type' | Redeclared>>;

/** Audit input; `user`/`usid` default to the default user info. */
export interface AuditInput extends SharedInputFields<AuditNotification> {
  readonly type: 'audit';
}

/** Syslog-family input; `prio` defaults to `info` (6). */
export interface SyslogInput {
  readonly type: SyslogType;
  readonly logno?: number;
  readonly prio?: EnumInput<typeof SYSLOG_PRIOS>;
  readonly msg?: string;
}

/** Commit flags input: a number or a list of flag names. */
export type CommitFlagsInput = number | readonly (CommitFlagName | number)[];

/** Commit-simple input; `database` defaults to running, `diff_available` to 1. */
export interface CommitSimpleInput {
  readonly type: 'commit-simple';
  readonly database?: DatastoreInput;
  readonly db?: DatastoreInput;
  readonly uinfo?: UserInfoInput;
  readonly diff_available?: number | boolean;
  readonly flags?: CommitFlagsInput;
}

/** Commit-diff input; `th` defaults to 1, `database` to running. */
export interface CommitDiffInput extends SharedInputFields<CommitDiffNotification, 'database' | 'uinfo' | 'flags'> {
  readonly type: 'commit-diff';
  readonly database?: DatastoreInput;
  readonly db?: DatastoreInput;
  readonly uinfo?: UserInfoInput;
  readonly flags?: CommitFlagsInput;
}

/** User-session input; `event` defaults to start, `database` to no-db (0). */
export interface UserSessionInput {
  readonly type: 'user-session';
  readonly event?: EnumInput<typeof USER_SESSION_EVENTS>;
  readonly uinfo?: UserInfoInput;
  readonly database?: DatastoreInput;
  readonly db?: DatastoreInput;
}

/**
 * HA-info input. `event` is required. Data by event: `noprimary` (alias `nomaster`, default
 * `ha-closed` 26), `node` (events 2/3), `cdb_initialized_by_copy` (default 0), `besecondary_result`
 * (alias `beslave_result`, default 0).
 */
export interface HaInfoInput {
  readonly type: 'ha-info';
  readonly event: EnumInput<typeof HA_EVENTS>;
  readonly noprimary?: EnumInput<typeof HA_ERRORS>;
  readonly nomaster?: EnumInput<typeof HA_ERRORS>;
  readonly node?: HaNodeInput;
  readonly cdb_initialized_by_copy?: number | boolean;
  readonly besecondary_result?: EnumInput<typeof HA_ERRORS>;
  readonly beslave_result?: EnumInput<typeof HA_ERRORS>;
}

/** Subagent input; `event` defaults to up. */
export interface SubagentInfoInput {
  readonly type: 'subagent-info';
  readonly event?: EnumInput<typeof SUBAGENT_EVENTS>;
  readonly name?: string;
}

/** Commit-failed input; `event` (the provider; alias `provider`) defaults to netconf. */
export interface CommitFailedInput {
  readonly type: 'commit-failed';
  readonly event?: EnumInput<typeof COMMIT_FAILED_PROVIDERS>;
  readonly provider?: EnumInput<typeof COMMIT_FAILED_PROVIDERS>;
  readonly dbname?: DatastoreInput;
  readonly db?: DatastoreInput;
  readonly addr?: IpAddress;
  readonly port?: number;
  readonly daemon_name?: string;
}

/** SNMP agent input; `event` (the PDU type) defaults to v2-trap. */
export interface SnmpaInput extends SharedInputFields<SnmpaNotification, 'event' | 'vb' | 'enterprise'> {
  readonly type: 'snmpa';
  readonly event?: EnumInput<typeof SNMP_PDU_TYPES>;
  readonly vb?: readonly SnmpVarbindInput[];
  readonly enterprise?: readonly number[] | string;
}

/** Forward-info input; `event` defaults to up. */
export interface ForwardInfoInput {
  readonly type: 'forward-info';
  readonly event?: EnumInput<typeof FORWARD_EVENTS>;
  readonly target?: string;
  readonly uinfo?: UserInfoInput;
}

/** Heartbeat, health check, package reload, reopen logs: nothing but the type. */
export interface BareInput {
  readonly type: BareType;
}

/** Confirmed-commit input; `event` defaults to confirmed-commit, `timeout` to 600 for it and 0 otherwise. */
export interface ConfirmedCommitInput {
  readonly type: 'confirmed-commit';
  readonly event?: EnumInput<typeof CONFIRMED_COMMIT_EVENTS>;
  readonly timeout?: number;
  readonly uinfo?: UserInfoInput;
}

/** Upgrade input; `event` is required. */
export interface UpgradeInput {
  readonly type: 'upgrade';
  readonly event: EnumInput<typeof UPGRADE_EVENTS>;
}

/**
 * Progress input. `event` defaults to info, `timestamp` to `now()` in µs (accepts ISO text),
 * `usid` to the default usid, `tid` to 0, `datastore` (alias `db`) to running. `duration`
 * defaults to absent.
 */
export interface ProgressInput extends SharedInputFields<ProgressNotification, 'event' | 'timestamp' | 'datastore'> {
  readonly type: ProgressType;
  readonly event?: EnumInput<typeof PROGRESS_EVENTS>;
  readonly timestamp?: number | string | Date;
  readonly datastore?: DatastoreInput;
  readonly db?: DatastoreInput;
}

/** Stream-event input; `event` defaults to notification, `event_time` to now (UTC), `values` to `[]`. */
export interface StreamEventInput {
  readonly type: 'stream-event';
  readonly event?: EnumInput<typeof STREAM_EVENTS>;
  readonly event_time?: DateTimeInput;
  readonly values?: readonly TagValueInput[];
  readonly error?: string;
}

/** CQ-progress input; `event` defaults to waiting, `timestamp` to now (UTC), `cq_id` to 1. */
export interface CqProgressInput extends SharedInputFields<CqProgressNotification, 'event' | 'timestamp'> {
  readonly type: 'cq-progress';
  readonly event?: EnumInput<typeof CQ_PROGRESS_EVENTS>;
  readonly timestamp?: DateTimeInput;
}

/** Call-home input; `event` defaults to device-connected, `port` to 4334, `ssh_key_alg` to ssh-ed25519. */
export interface CallHomeInfoInput extends SharedInputFields<CallHomeInfoNotification, 'event'> {
  readonly type: 'call-home-info';
  readonly event?: EnumInput<typeof CALL_HOME_EVENTS>;
}

/** Audit-network input; `usid`/`user` default to the default user info, `tid` to 0. */
export interface AuditNetworkInput extends SharedInputFields<AuditNetworkNotification> {
  readonly type: 'audit-network';
}

/** Compaction input [INF]; `dbfile` defaults to a-cdb, `event` to automatic, `time_start` to now (µs). */
export interface CompactionInput extends SharedInputFields<CompactionNotification, 'dbfile' | 'event' | 'time_start'> {
  readonly type: 'compaction';
  readonly dbfile?: EnumInput<typeof COMPACTION_DBFILES>;
  readonly event?: EnumInput<typeof COMPACTION_EVENTS>;
  readonly time_start?: number | string | Date;
}

/**
 * What scenarios and `emit()` accept: the same shapes as `Notification` with optional fields,
 * enum names or numbers, ISO date-times.
 * @example
 *   { type: 'commit-diff', db: 'running', th: 1001, comment: 'nightly' }
 *   { type: 'audit', logno: 14, usid: 42, msg: 'commit by admin' }
 *   { type: 'ha-info', event: 'secondary-died', node: { nodeid: 'n2', addr: '10.0.0.2' } }
 */
export type NotificationInput =
  | AuditInput
  | SyslogInput
  | CommitSimpleInput
  | CommitDiffInput
  | UserSessionInput
  | HaInfoInput
  | SubagentInfoInput
  | CommitFailedInput
  | SnmpaInput
  | ForwardInfoInput
  | BareInput
  | ConfirmedCommitInput
  | UpgradeInput
  | ProgressInput
  | StreamEventInput
  | CqProgressInput
  | CallHomeInfoInput
  | AuditNetworkInput
  | CompactionInput;

/**
 * Where `normalizeNotification` takes its defaults from.
 * @example
 *   normalizeNotification({ type: 'audit', msg: 'x' }, { uinfo: { usid: 7, username: 'oper' }, now: () => clock.now() })
 */
export interface NotificationDefaults {
  /** Overrides of `DEFAULT_USER_INFO`, used wherever a notification carries user info. */
  readonly uinfo?: UserInfoInput;
  /** The usid of audit, audit-network and progress when the input has none (default: the uinfo's usid). */
  readonly usid?: number;
  /** The time source: milliseconds since 1970 (default `Date.now`). Timestamps and `logintime` derive from it. */
  readonly now?: () => number;
}

/**
 * The default user info (the vectors' session: admin over SSH from 127.0.0.1:53012, usid 42).
 * `logintime` is replaced by `now()` in seconds unless given.
 */
export const DEFAULT_USER_INFO: UserInfo = Object.freeze({
  usid: 42,
  username: 'admin',
  clearpass: '',
  context: 'cli',
  proto: 2,
  addr: '127.0.0.1',
  port: 53012,
  logintime: 1700000000,
  snmp_v3_ctx: '',
  flags: 0,
});
