/**
 * One entry per notification type: type bit, C and Python names, the Python dict key (§10.2), the
 * ack it needs and under which sync flag (§12), and the profiles that may emit it (§16).
 */
import type { AckKind } from './ack.js';
import { NOTIF, type Notification, type NotificationType, type Profile } from './notification.js';
import { describeProfile } from './profiles.js';
import { progressFieldWithoutSlot } from './progress.js';

/** Metadata of one notification type. */
export interface NotificationSpec {
  readonly type: NotificationType;
  /** The type bit, element 1 of the tuple (§10.1). */
  readonly bit: number;
  /** The C constant (`CONFD_NOTIF_AUDIT`, `NCS_NOTIF_CQ_PROGRESS`). */
  readonly cName: string;
  /** The Python `_ncs.events` constant (`NOTIF_AUDIT`, `NCS_NOTIF_CQ_PROGRESS`). */
  readonly pythonName: string;
  /** The nested key of Python's `read_notification` dict (§10.2); `undefined` for the 1-tuples. */
  readonly pythonKey: string | undefined;
  /**
   * The ack this type needs (§12): always for commit-diff, otherwise only when `syncFlag` is in the
   * subscription mask.
   */
  readonly ack: AckKind | undefined;
  /** The flag bit that makes the ack required; absent when the ack is unconditional or there is none. */
  readonly syncFlag?: number;
  /** Profiles whose clients can decode this type (§16: nso57 never emits audit-network or compaction; NSO62.md). */
  readonly profiles: readonly Profile[];
  /** PROTOCOL.md section of the layout. */
  readonly section: string;
}

const ALL: readonly Profile[] = ['nso57', 'nso62', 'nso66'];
/** Types NSO 6.2.5 reads (NSO62.md §B: audit network, compaction) and NSO 5.7.1 does not have. */
const SINCE_NSO62: readonly Profile[] = ['nso62', 'nso66'];

function spec(
  type: NotificationType,
  bit: number,
  cName: string,
  pythonName: string,
  pythonKey: string | undefined,
  section: string,
  extra: { ack?: AckKind; syncFlag?: number; profiles?: readonly Profile[] } = {},
): NotificationSpec {
  return Object.freeze({
    type,
    bit,
    cName,
    pythonName,
    pythonKey,
    ack: extra.ack,
    ...(extra.syncFlag === undefined ? {} : { syncFlag: extra.syncFlag }),
    profiles: extra.profiles ?? ALL,
    section,
  });
}

/**
 * Every notification type's metadata.
 * @example
 *   notificationTypes['commit-diff'].bit // 16
 *   notificationTypes['audit'].syncFlag  // NOTIF.AUDIT_SYNC
 */
export const notificationTypes: Readonly<Record<NotificationType, NotificationSpec>> = Object.freeze({
  audit: spec('audit', NOTIF.AUDIT, 'CONFD_NOTIF_AUDIT', 'NOTIF_AUDIT', 'audit', '§11.1', {
    ack: 'audit-synced',
    syncFlag: NOTIF.AUDIT_SYNC,
  }),
  daemon: spec('daemon', NOTIF.DAEMON, 'CONFD_NOTIF_DAEMON', 'NOTIF_DAEMON', 'syslog', '§11.2'),
  'commit-simple': spec('commit-simple', NOTIF.COMMIT_SIMPLE, 'CONFD_NOTIF_COMMIT_SIMPLE', 'NOTIF_COMMIT_SIMPLE', 'commit', '§11.3'),
  'commit-diff': spec('commit-diff', NOTIF.COMMIT_DIFF, 'CONFD_NOTIF_COMMIT_DIFF', 'NOTIF_COMMIT_DIFF', 'commit_diff', '§11.4', {
    ack: 'diff-done',
  }),
  'user-session': spec('user-session', NOTIF.USER_SESSION, 'CONFD_NOTIF_USER_SESSION', 'NOTIF_USER_SESSION', 'user_sess', '§11.5'),
  'ha-info': spec('ha-info', NOTIF.HA_INFO, 'CONFD_NOTIF_HA_INFO', 'NOTIF_HA_INFO', 'hnot', '§11.6', {
    ack: 'ha-synced',
    syncFlag: NOTIF.HA_INFO_SYNC,
  }),
  'subagent-info': spec('subagent-info', NOTIF.SUBAGENT_INFO, 'CONFD_NOTIF_SUBAGENT_INFO', 'NOTIF_SUBAGENT_INFO', 'subagent', '§11.7'),
  'commit-failed': spec('commit-failed', NOTIF.COMMIT_FAILED, 'CONFD_NOTIF_COMMIT_FAILED', 'NOTIF_COMMIT_FAILED', 'cfail', '§11.8'),
  snmpa: spec('snmpa', NOTIF.SNMPA, 'CONFD_NOTIF_SNMPA', 'NOTIF_SNMPA', 'snmpa', '§11.9'),
  'forward-info': spec('forward-info', NOTIF.FORWARD_INFO, 'CONFD_NOTIF_FORWARD_INFO', 'NOTIF_FORWARD_INFO', 'forward', '§11.10'),
  netconf: spec('netconf', NOTIF.NETCONF, 'CONFD_NOTIF_NETCONF', 'NOTIF_NETCONF', 'syslog', '§11.2'),
  devel: spec('devel', NOTIF.DEVEL, 'CONFD_NOTIF_DEVEL', 'NOTIF_DEVEL', 'syslog', '§11.2'),
  heartbeat: spec('heartbeat', NOTIF.HEARTBEAT, 'CONFD_NOTIF_HEARTBEAT', 'NOTIF_HEARTBEAT', undefined, '§11.11'),
  'confirmed-commit': spec('confirmed-commit', NOTIF.CONFIRMED_COMMIT, 'CONFD_NOTIF_CONFIRMED_COMMIT', 'NOTIF_CONFIRMED_COMMIT', 'confirm', '§11.12'),
  upgrade: spec('upgrade', NOTIF.UPGRADE_EVENT, 'CONFD_NOTIF_UPGRADE_EVENT', 'NOTIF_UPGRADE_EVENT', 'upgrade', '§11.13'),
  'commit-progress': spec('commit-progress', NOTIF.COMMIT_PROGRESS, 'CONFD_NOTIF_COMMIT_PROGRESS', 'NOTIF_COMMIT_PROGRESS', 'progress', '§11.14'),
  'health-check': spec('health-check', NOTIF.HEALTH_CHECK, 'CONFD_NOTIF_HEALTH_CHECK', 'NOTIF_HEALTH_CHECK', undefined, '§11.11'),
  'stream-event': spec('stream-event', NOTIF.STREAM_EVENT, 'CONFD_NOTIF_STREAM_EVENT', 'NOTIF_STREAM_EVENT', 'stream', '§11.15'),
  'package-reload': spec('package-reload', NOTIF.PACKAGE_RELOAD, 'NCS_NOTIF_PACKAGE_RELOAD', 'NCS_NOTIF_PACKAGE_RELOAD', undefined, '§11.11'),
  'cq-progress': spec('cq-progress', NOTIF.CQ_PROGRESS, 'NCS_NOTIF_CQ_PROGRESS', 'NCS_NOTIF_CQ_PROGRESS', 'cq_progress', '§11.16'),
  'reopen-logs': spec('reopen-logs', NOTIF.REOPEN_LOGS, 'CONFD_NOTIF_REOPEN_LOGS', 'NOTIF_REOPEN_LOGS', undefined, '§11.11'),
  progress: spec('progress', NOTIF.PROGRESS, 'CONFD_NOTIF_PROGRESS', 'NOTIF_PROGRESS', 'progress', '§11.14'),
  'call-home-info': spec('call-home-info', NOTIF.CALL_HOME_INFO, 'NCS_NOTIF_CALL_HOME_INFO', 'NCS_NOTIF_CALL_HOME_INFO', 'call_home', '§11.17'),
  jsonrpc: spec('jsonrpc', NOTIF.JSONRPC, 'CONFD_NOTIF_JSONRPC', 'NOTIF_JSONRPC', 'syslog', '§11.2'),
  webui: spec('webui', NOTIF.WEBUI, 'CONFD_NOTIF_WEBUI', 'NOTIF_WEBUI', 'syslog', '§11.2'),
  'audit-network': spec('audit-network', NOTIF.AUDIT_NETWORK, 'NCS_NOTIF_AUDIT_NETWORK', 'NCS_NOTIF_AUDIT_NETWORK', 'audit_network', '§11.18', {
    ack: 'audit-network-synced',
    syncFlag: NOTIF.AUDIT_NETWORK_SYNC,
    profiles: SINCE_NSO62,
  }),
  compaction: spec('compaction', NOTIF.COMPACTION, 'CONFD_NOTIF_COMPACTION', 'NOTIF_COMPACTION', 'compaction', '§11.19', {
    profiles: SINCE_NSO62,
  }),
});

const byBit: ReadonlyMap<number, NotificationType> = new Map(
  Object.values(notificationTypes).map((s) => [s.bit, s.type] as const),
);

/**
 * The type whose bit this is; `undefined` for flag bits and unknown values (§10.1).
 * @example notificationTypeOfBit(16) // 'commit-diff'
 */
export function notificationTypeOfBit(bit: number): NotificationType | undefined {
  return byBit.get(bit);
}

/** The type bit of a notification (element 1 of its tuple). */
export function notificationBit(n: Pick<Notification, 'type'>): number {
  return notificationTypes[n.type].bit;
}

/** Whether a connection with this mask receives the notification (its type bit is in the mask, §10.1). */
export function isSubscribed(n: Pick<Notification, 'type'>, mask: number): boolean {
  const bit = notificationBit(n);
  // bits ≥ 2^31 do not exist; `& ` works on the low 32 bits, which hold every bit of §10.1
  return (mask & bit) !== 0;
}

/**
 * Why clients of `profile` cannot read the notification, or undefined when they can (§16,
 * NSO62.md): the type is not in the profile; call-home event 3 (device-disconnected) exists only
 * in nso66 [INF] (a 6.2.5 client reads it as type 3 without the device, NSO62.md §D); a progress
 * field has no slot in the profile's layout (the 5.7 19-tuple has no span ids, attributes or
 * links; the 6.2 15-tuple has no phase, service, node, device, package, commit queue id).
 * @example unavailableReason({ type: 'compaction', ... }, 'nso57') // 'compaction is not in NSO 5.7 (profile nso57)'
 */
export function unavailableReason(n: Notification, profile: Profile): string | undefined {
  const spec = notificationTypes[n.type];
  if (!spec.profiles.includes(profile)) return `${n.type} is not in ${describeProfile(profile)} (profile ${profile}; it needs ${spec.profiles.join(' or ')})`;
  if (n.type === 'call-home-info' && n.event === 3 && profile !== 'nso66') {
    return `call-home-info device-disconnected (type 3) is not in ${describeProfile(profile)} (profile ${profile}; it needs nso66)`;
  }
  if (n.type === 'progress' || n.type === 'commit-progress') {
    const field = progressFieldWithoutSlot(n, profile);
    if (field !== undefined) return `${n.type} field ${field} has no slot in the ${describeProfile(profile)} layout (profile ${profile}, §11.14)`;
  }
  return undefined;
}

/**
 * Whether clients of `profile` can decode the notification: {@link unavailableReason} is undefined.
 */
export function isAvailableIn(n: Notification, profile: Profile): boolean {
  return unavailableReason(n, profile) === undefined;
}
