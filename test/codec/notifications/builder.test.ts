import { describe, expect, it } from 'vitest';
import { decodeTerm } from '../../../src/codec/decode.js';
import { encodeTerm } from '../../../src/codec/encode.js';
import {
  normalizeNotification,
  notificationFromTerm,
  notificationToTerm,
  notificationTypes,
  type NotificationDefaults,
  type NotificationInput,
  type Profile,
} from '../../../src/codec/notifications/index.js';
import { fromHex, loadNotifications, loadNotifications66, toHex } from '../../support/vectors.js';

/**
 * "Builder → same bytes": a friendly NotificationInput, as a scenario author would write it, for
 * (almost) every vector. Normalising it and encoding gives the Erlang bytes of the vector.
 */
const TRACE = '9b1a3a5e-7c1f-4f62-a1de-0d5f3c8b2e11';
const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIHk1N9w2oQ8x9Xq7nq7cJtQfJqf3x3m1w6bq3QeFf0aZ';
const NS = 1928374655;
const oper = { usid: 7, username: 'oper', context: 'netconf', proto: 'ssh', addr: '2001:db8::1', port: 40000, logintime: 1700000100, flags: 1 } as const;
// The vectors' user session is the default user info; only the clock has to say November 2023.
const defaults: NotificationDefaults = { now: () => 1_700_000_000_000 };

const inputs: Readonly<Record<string, NotificationInput>> = {
  'audit.cli_command': { type: 'audit', logno: 108, msg: "CLI 'show running-config'" },
  'audit.no_session': { type: 'audit', logno: 171, user: 'bob', usid: 0, msg: 'login succeeded via rest from 10.0.0.9' },
  'syslog.daemon': { type: 'daemon', logno: 29, prio: 'info', msg: 'NCS started vsn: 5.7.1' },
  'syslog.netconf': { type: 'netconf', logno: 86, msg: 'netconf id=12 got rpc: {urn:ietf:params:xml:ns:netconf:base:1.0}get-config' },
  'syslog.devel': { type: 'devel', logno: 90, prio: 'debug', msg: 'CDB: Operational DB re-initialized' },
  'syslog.jsonrpc': { type: 'jsonrpc', logno: 144, msg: 'jsonrpc: request {"method":"login"}' },
  'syslog.webui': { type: 'webui', logno: 190, prio: 6, msg: 'webui access: GET /index.html 200' },
  'commit_simple.running': { type: 'commit-simple', db: 'running' },
  'commit_simple.confirmed_ipv6': { type: 'commit-simple', database: 2, diff_available: false, flags: ['confirmed'], uinfo: oper },
  'commit_diff.short': { type: 'commit-diff', db: 'running', th: 17 },
  'commit_diff.comment_label': { type: 'commit-diff', th: 18, comment: 'fix mtu', label: 'change-1234' },
  'commit_diff.empty_comment_label': { type: 'commit-diff', th: 19, flags: ['confirmed-extended'], comment: '', label: '' },
  'user_session.start': { type: 'user-session', event: 'start' },
  'user_session.stop': { type: 'user-session', event: 'stop' },
  'user_session.lock_running': { type: 'user-session', event: 'lock', db: 'running', uinfo: oper },
  'user_session.start_trans_running': { type: 'user-session', event: 'start-trans', database: 'running' },
  'ha_info.nomaster_closed': { type: 'ha-info', event: 'nomaster', nomaster: 'ha-closed' },
  'ha_info.slave_died_ipv4': { type: 'ha-info', event: 'secondary-died', node: { nodeid: 'node2', addr: '10.0.0.2' } },
  'ha_info.slave_arrived_ipv6': { type: 'ha-info', event: 'slave-arrived', node: { nodeid: 'node3', addr: '2001:DB8:0:0::3' } },
  'ha_info.slave_arrived_hostname': { type: 'ha-info', event: 'secondary-arrived', node: { nodeid: 'node4', str: 'node4.example.com' } },
  'ha_info.slave_initialized': { type: 'ha-info', event: 'secondary-initialized', cdb_initialized_by_copy: true },
  'ha_info.is_master': { type: 'ha-info', event: 'is-primary' },
  'ha_info.is_none': { type: 'ha-info', event: 'is-none' },
  'ha_info.beslave_result_ok': { type: 'ha-info', event: 'besecondary-result' },
  'subagent_info.up': { type: 'subagent-info', event: 'up', name: 'subagent-a' },
  'subagent_info.down': { type: 'subagent-info', event: 'down', name: 'subagent-a' },
  'commit_failed.netconf_ipv4': { type: 'commit-failed', event: 'netconf', db: 'running', addr: '192.168.1.10', port: 830 },
  'commit_failed.netconf_ipv6': { type: 'commit-failed', provider: 'netconf', addr: '2001:db8::a' },
  'commit_failed.external': { type: 'commit-failed', event: 'external', daemon_name: 'ext-daemon' },
  'commit_failed.cdb': { type: 'commit-failed', event: 'cdb' },
  'snmpa.v2trap': {
    type: 'snmpa',
    event: 'v2-trap',
    request_id: 1234,
    addr: '10.0.0.5',
    vb: [
      { oid: '1.3.6.1.2.1.1.3.0', vartype: 'timeticks', val: '123456' },
      { oid: [1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0], vartype: 'object-identifier', val: '1.3.6.1.6.3.1.1.5.3' },
    ],
  },
  'snmpa.v1trap': {
    type: 'snmpa',
    event: 'v1-trap',
    time_stamp: 98765,
    addr: '10.0.0.5',
    specific_trap: 3,
    generic_trap: 6,
    vb: [{ oid: '1.3.6.1.2.1.1.3.0', vartype: 7, val: '123456' }],
    enterprise: '1.3.6.1.4.1.24961',
  },
  'snmpa.get_request_colrow_and_name': {
    type: 'snmpa',
    event: 'get-request',
    request_id: 77,
    port: 50123,
    vb: [
      { cr: ['ifDescr', [2]], val: null },
      { name: 'sysDescr', vartype: 'octet-string' },
    ],
  },
  'forward_info.up': { type: 'forward-info', event: 'up', target: 'target-1' },
  heartbeat: { type: 'heartbeat' },
  health_check: { type: 'health-check' },
  package_reload: { type: 'package-reload' },
  reopen_logs: { type: 'reopen-logs' },
  'confirmed_commit.start': { type: 'confirmed-commit' },
  'confirmed_commit.confirming': { type: 'confirmed-commit', event: 'confirming-commit' },
  'confirmed_commit.abort': { type: 'confirmed-commit', event: 'abort' },
  'upgrade_event.1': { type: 'upgrade', event: 'init-started' },
  'upgrade_event.4': { type: 'upgrade', event: 'commited' },
  'commit_progress.start': {
    type: 'commit-progress',
    event: 'start',
    timestamp: 1700000000123456,
    tid: 17,
    context: 'cli',
    trace_id: TRACE,
    phase: 'validate',
    msg: 'run validation',
  },
  'progress.stop_all_fields': {
    type: 'progress',
    event: 'stop',
    timestamp: '2023-11-14T22:13:20.234567Z',
    duration: 111111,
    tid: 17,
    context: 'cli',
    trace_id: TRACE,
    subsystem: 'ncs',
    phase: 'write-start',
    msg: 'applying service',
    annotation: 'slow device',
    service: '/vpn:l3vpn{acme}',
    service_phase: 'create',
    commit_queue_id: 1700000000555,
    node: 'lsa-node-1',
    device: 'pe-1',
    device_phase: 'push-configuration',
    package: 'l3vpn',
  },
  'progress.info_minimal': {
    type: 'progress',
    timestamp: 1700000000345678,
    usid: 0,
    tid: 0,
    db: 'no-db',
    msg: 'reloading packages',
    commit_queue_id: 0,
  },
  'stream_event.notification': {
    type: 'stream-event',
    event: 'notification',
    event_time: '2023-11-14T22:13:20.123456Z',
    values: [
      { ns: NS, tag: 101, xml: 'start' },
      { ns: NS, tag: 102, v: 'eth0' },
      { ns: NS, tag: 103, v: { confd_type: 'uint32', value: 1000 } },
      { ns: NS, tag: 104, v: true },
      { ns: NS, tag: 105, xml: 'leaf' },
      { ns: NS, tag: 106, v: { confd_type: 'int16', value: -1500 } },
      { ns: NS, tag: 107, v: 0.25 },
      { ns: NS, tag: 108, v: { confd_type: 'ipv4', value: '10.0.0.1' } },
      { ns: NS, tag: 109, v: ['a', 'b'] },
      { ns: NS, tag: 110, v: { confd_type: 'datetime', value: '2023-11-14T22:13:20+00:00' } },
      { ns: NS, tag: 101, xml: 'stop' },
    ],
  },
  'stream_event.notification_no_tz': {
    type: 'stream-event',
    event_time: '2023-11-14T22:13:20',
    values: [
      { ns: NS, tag: 101, xml: 'start' },
      { ns: NS, tag: 101, xml: 'stop' },
    ],
  },
  'stream_event.econfd_ikp_form': {
    type: 'stream-event',
    event_time: { year: 2023, month: 11, day: 14, hour: 22, min: 13, sec: 20, timezone: 0 },
    values: [
      { ns: 'http://example.com/ns/link', tag: 'link-up', xml: 'start' },
      { ns: 'http://example.com/ns/link', tag: 'if-name', v: 'eth0' },
      { ns: 'http://example.com/ns/link', tag: 'link-up', xml: 'stop' },
    ],
  },
  'stream_event.replay_complete': { type: 'stream-event', event: 'replay-complete' },
  'stream_event.notification_complete': { type: 'stream-event', event: 'notification-complete' },
  'stream_event.replay_failed': { type: 'stream-event', event: 'replay-failed', error: 'replay log not enabled' },
  'cq_progress.waiting_minimal': { type: 'cq-progress', timestamp: '2023-11-14T22:13:20.5Z', cq_id: 1700000000555 },
  'cq_progress.completed': {
    type: 'cq-progress',
    event: 'completed',
    timestamp: '2023-11-14T22:13:20.500000+00:00',
    cq_id: 1700000000555,
    cq_tag: 'nightly',
    completed_devices: ['pe-1', 'pe-2'],
    transient_devices: [],
    failed_devices: [],
    completed_services: [{ service: '/vpn:l3vpn{acme}', completed_devices: ['pe-1', 'pe-2'] }],
    failed_services: [],
    trace_id: TRACE,
  },
  'cq_progress.failed': {
    type: 'cq-progress',
    event: 'failed',
    timestamp: '2023-11-14T22:13:20.5Z',
    cq_id: 1700000000556,
    completed_devices: ['pe-1'],
    transient_devices: ['pe-3'],
    failed_devices: [{ device: 'pe-2', reason: 'connection refused' }],
    completed_services: [],
    failed_services: [{ service: '/vpn:l3vpn{beta}', completed_devices: ['pe-1'], failed_devices: ['pe-2'] }],
  },
  'call_home_info.device_connected': { type: 'call-home-info', addr: '192.168.1.50', ssh_host_key: KEY, device: 'pe-9' },
  'call_home_info.unknown_device_ipv6': { type: 'call-home-info', event: 'unknown-device', addr: '2001:db8::50', ssh_host_key: KEY },
  'audit_network.basic': {
    type: 'audit-network',
    tid: 17,
    device: 'pe-1',
    trace_id: TRACE,
    config: 'interface GigabitEthernet0/1\n mtu 9000\n',
  },
};

const inputs6x: Readonly<Record<string, NotificationInput>> = {
  'call_home_info.device_disconnected': { type: 'call-home-info', event: 'device-disconnected', addr: '192.168.1.50', port: 4334, ssh_host_key: KEY, device: 'pe-9' },
  'compaction.automatic_a_cdb': {
    type: 'compaction',
    dbfile: 'a-cdb',
    event: 'automatic',
    fsize_start: 104857600,
    fsize_end: 20971520,
    fsize_last: 18874368,
    time_start: 1700000000123456,
    duration: 2500000,
    ntrans: 1234,
  },
};

const cases: readonly (readonly [Profile, string, NotificationInput])[] = [
  ...Object.entries(inputs).map(([name, input]) => ['nso57', name, input] as const),
  ...Object.entries(inputs6x).map(([name, input]) => ['nso66', name, input] as const),
];

const vectors = new Map([...loadNotifications(), ...loadNotifications66()].map((v) => [v.name, v]));

describe('builder → same bytes', () => {
  it('has an input for every vector and every notification type', () => {
    expect(cases.map(([, name]) => name).sort()).toEqual([...vectors.keys()].sort());
    const covered = new Set(cases.map(([, , input]) => input.type));
    expect([...Object.keys(notificationTypes)].filter((t) => !covered.has(t as NotificationInput['type']))).toEqual([]);
  });

  it.each(cases)('%s %s', (profile, name, input) => {
    const v = vectors.get(name);
    if (v === undefined) throw new Error(`no vector ${name}`);
    const n = normalizeNotification(input, defaults);
    expect(n).toEqual(notificationFromTerm(decodeTerm(fromHex(v.etf_hex)), profile));
    const term = notificationToTerm(n, profile);
    expect(toHex(encodeTerm(term))).toBe(v.etf_hex);
    expect(toHex(encodeTerm(term, { atomEncoding: 'utf8' }))).toBe(v.etf_hex_utf8_atoms);
  });
});
