/**
 * fast-check arbitraries for every notification type (published as part of `nso-mock/arbitraries`).
 * Values are fully populated `Notification`s in the canonical form `normalizeNotification`
 * produces, encodable in the chosen profile, with integers inside the ranges of PROTOCOL.md §6.4.
 *
 * @example
 *   fc.assert(fc.property(notificationArbitrary('commit-diff'), (n) => {
 *     expect(notificationFromTerm(notificationToTerm(n))).toEqual(n);
 *   }));
 */
import fc from 'fast-check';
import { notificationTypes, type Notification, type NotificationOf, type NotificationType } from '../../codec/index.js';
import { auditNetworkNotification } from './audit-network.js';
import { auditNotification } from './audit.js';
import { bareNotification } from './bare.js';
import { callHomeInfoNotification } from './call-home-info.js';
import { commitDiffNotification } from './commit-diff.js';
import { commitFailedNotification } from './commit-failed.js';
import { commitSimpleNotification } from './commit-simple.js';
import { compactionNotification } from './compaction.js';
import { confirmedCommitNotification } from './confirmed-commit.js';
import { cqProgressNotification } from './cq-progress.js';
import { forwardInfoNotification } from './forward-info.js';
import { haInfoNotification } from './ha-info.js';
import { progressNotification } from './progress.js';
import { resolve } from './shared.js';
import { snmpaNotification } from './snmpa.js';
import { streamEventNotification, type StreamEventConstraints } from './stream-event.js';
import { subagentInfoNotification } from './subagent-info.js';
import { syslogNotification } from './syslog.js';
import { upgradeNotification } from './upgrade.js';
import { userSessionNotification } from './user-session.js';

export { C_TEXT_MAX_BYTES, type NotificationConstraints } from './shared.js';
export type { StreamEventConstraints } from './stream-event.js';
export {
  auditNetworkNotification,
  auditNotification,
  bareNotification,
  callHomeInfoNotification,
  commitDiffNotification,
  commitFailedNotification,
  commitSimpleNotification,
  compactionNotification,
  confirmedCommitNotification,
  cqProgressNotification,
  forwardInfoNotification,
  haInfoNotification,
  progressNotification,
  snmpaNotification,
  streamEventNotification,
  subagentInfoNotification,
  syslogNotification,
  upgradeNotification,
  userSessionNotification,
};

/**
 * The arbitrary of one notification type.
 * @example fc.sample(notificationArbitrary('ha-info'), 3)
 */
export function notificationArbitrary<T extends NotificationType>(type: T, constraints?: StreamEventConstraints): fc.Arbitrary<NotificationOf<T>> {
  return arbitraryOf(type, constraints) as fc.Arbitrary<NotificationOf<T>>;
}

function arbitraryOf(type: NotificationType, c: StreamEventConstraints | undefined): fc.Arbitrary<Notification> {
  switch (type) {
    case 'audit':
      return auditNotification(c);
    case 'daemon':
    case 'netconf':
    case 'devel':
    case 'jsonrpc':
    case 'webui':
      return syslogNotification(type, c);
    case 'commit-simple':
      return commitSimpleNotification(c);
    case 'commit-diff':
      return commitDiffNotification(c);
    case 'user-session':
      return userSessionNotification(c);
    case 'ha-info':
      return haInfoNotification(c);
    case 'subagent-info':
      return subagentInfoNotification(c);
    case 'commit-failed':
      return commitFailedNotification(c);
    case 'snmpa':
      return snmpaNotification(c);
    case 'forward-info':
      return forwardInfoNotification(c);
    case 'heartbeat':
    case 'health-check':
    case 'package-reload':
    case 'reopen-logs':
      return bareNotification(type);
    case 'confirmed-commit':
      return confirmedCommitNotification(c);
    case 'upgrade':
      return upgradeNotification();
    case 'progress':
    case 'commit-progress':
      return progressNotification(type, c);
    case 'stream-event':
      return streamEventNotification(c);
    case 'cq-progress':
      return cqProgressNotification(c);
    case 'call-home-info':
      return callHomeInfoNotification(c);
    case 'audit-network':
      return auditNetworkNotification(c);
    case 'compaction':
      return compactionNotification();
  }
}

/**
 * Any notification the profile's clients can decode (§16: no audit-network or compaction for
 * `nso57`), every type equally likely.
 * @example fc.sample(anyNotificationArbitrary({ profile: 'nso62' }), 5)
 */
export function anyNotificationArbitrary(constraints?: StreamEventConstraints): fc.Arbitrary<Notification> {
  const profile = resolve(constraints).profile;
  const types = Object.values(notificationTypes)
    .filter((s) => s.profiles.includes(profile))
    .map((s) => s.type);
  return fc.constantFrom(...types).chain((t) => arbitraryOf(t, constraints));
}
