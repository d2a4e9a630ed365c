import { describe, expect, it } from 'vitest';
import { decodeTerm } from '../../../src/codec/decode.js';
import {
  ackFromTerm,
  ackRequiredBy,
  isAvailableIn,
  NOTIF,
  NOTIF_FLAG_BITS,
  NOTIFICATION_TYPES,
  normalizeNotification,
  notificationFromTerm,
  notificationTypeOfBit,
  notificationTypes,
} from '../../../src/codec/notifications/index.js';
import { fromHex, loadClientMessages, loadNotifications, loadNotifications66 } from '../../support/vectors.js';

describe('registry', () => {
  const vectors = [...loadNotifications(), ...loadNotifications66()];

  it('lists every type once, with distinct single-bit values that are no flag bits (§10.1)', () => {
    const specs = Object.values(notificationTypes);
    expect(specs.map((s) => s.type).sort()).toEqual([...NOTIFICATION_TYPES].sort());
    expect(new Set(specs.map((s) => s.bit)).size).toBe(specs.length);
    for (const s of specs) {
      expect(s.bit & (s.bit - 1)).toBe(0);
      expect(s.bit & NOTIF_FLAG_BITS).toBe(0);
      expect(notificationTypeOfBit(s.bit)).toBe(s.type);
    }
    expect(notificationTypeOfBit(NOTIF.AUDIT_SYNC)).toBeUndefined();
  });

  it.each(vectors)('$name: bit, Python constant and dict key agree with the vector', (v) => {
    const type = notificationTypeOfBit(v.mask_bit);
    expect(type).toBeDefined();
    const spec = notificationTypes[type!];
    expect(spec.pythonName).toBe(v.mask_name);
    expect(notificationFromTerm(decodeTerm(fromHex(v.etf_hex)), 'nso66').type).toBe(type);
    if (v.python_dict !== null) {
      const keys = Object.keys(v.python_dict).filter((k) => k !== 'type');
      expect(keys).toEqual(spec.pythonKey === undefined ? [] : [spec.pythonKey]);
    }
  });

  it('sync flags and ack kinds are those of §12', () => {
    expect(notificationTypes['commit-diff']).toMatchObject({ ack: 'diff-done' });
    expect(notificationTypes['commit-diff'].syncFlag).toBeUndefined();
    expect(notificationTypes.audit).toMatchObject({ ack: 'audit-synced', syncFlag: NOTIF.AUDIT_SYNC });
    expect(notificationTypes['audit-network']).toMatchObject({ ack: 'audit-network-synced', syncFlag: NOTIF.AUDIT_NETWORK_SYNC });
    expect(notificationTypes['ha-info']).toMatchObject({ ack: 'ha-synced', syncFlag: NOTIF.HA_INFO_SYNC });
    expect(Object.values(notificationTypes).filter((s) => s.ack !== undefined).map((s) => s.type).sort()).toEqual(
      ['audit', 'audit-network', 'commit-diff', 'ha-info'],
    );
  });

  it('profiles follow §16 and NSO62.md: nso57 never emits audit-network, compaction or call-home 3; nso62 not call-home 3', () => {
    const nso57 = Object.values(notificationTypes).filter((s) => !s.profiles.includes('nso57')).map((s) => s.type).sort();
    expect(nso57).toEqual(['audit-network', 'compaction']);
    expect(Object.values(notificationTypes).filter((s) => !s.profiles.includes('nso62'))).toEqual([]);
    const callHome3 = normalizeNotification({ type: 'call-home-info', event: 'device-disconnected' });
    expect(isAvailableIn(callHome3, 'nso57')).toBe(false);
    expect(isAvailableIn(callHome3, 'nso62')).toBe(false);
    expect(isAvailableIn(callHome3, 'nso66')).toBe(true);
    expect(isAvailableIn(normalizeNotification({ type: 'call-home-info' }), 'nso57')).toBe(true);
  });
});

describe('ackRequiredBy', () => {
  const acks = new Map(loadClientMessages().filter((m) => m.name.startsWith('ack.')).map((m) => [m.name, ackFromTerm(decodeTerm(fromHex(m.etf_hex)))]));

  it('commit-diff always owes {TH, done}, equal to the decoded ack of the vector', () => {
    const n = normalizeNotification({ type: 'commit-diff', th: 17 });
    expect(ackRequiredBy(n, NOTIF.COMMIT_DIFF)).toEqual(acks.get('ack.diff_done'));
    expect(ackRequiredBy(n, NOTIF.AUDIT)).toBeUndefined();
  });

  it('audit owes {Usid, synced} only with AUDIT_SYNC', () => {
    const n = normalizeNotification({ type: 'audit', usid: 42 });
    expect(ackRequiredBy(n, NOTIF.AUDIT)).toBeUndefined();
    expect(ackRequiredBy(n, NOTIF.AUDIT | NOTIF.AUDIT_SYNC)).toEqual(acks.get('ack.audit_sync'));
    expect(ackRequiredBy(n, NOTIF.AUDIT_SYNC)).toBeUndefined();
  });

  it('audit-network owes {Usid, audit_network_sync} only with AUDIT_NETWORK_SYNC', () => {
    const n = normalizeNotification({ type: 'audit-network', usid: 42 });
    expect(ackRequiredBy(n, NOTIF.AUDIT_NETWORK)).toBeUndefined();
    expect(ackRequiredBy(n, NOTIF.AUDIT_NETWORK | NOTIF.AUDIT_NETWORK_SYNC)).toEqual(acks.get('ack.audit_network_sync'));
  });

  it('HA info owes ha_synced only with HA_INFO_SYNC', () => {
    const n = normalizeNotification({ type: 'ha-info', event: 'is-none' });
    expect(ackRequiredBy(n, NOTIF.HA_INFO)).toBeUndefined();
    expect(ackRequiredBy(n, NOTIF.HA_INFO | NOTIF.HA_INFO_SYNC)).toEqual(acks.get('ack.ha_sync'));
  });

  it('other types owe nothing', () => {
    expect(ackRequiredBy(normalizeNotification({ type: 'heartbeat' }), 0x7fffffff)).toBeUndefined();
  });
});

describe('defaults', () => {
  it('fill user info, usid and timestamps from NotificationDefaults', () => {
    const now = (): number => 1_800_000_000_123;
    const defaults = { uinfo: { usid: 7, username: 'oper', proto: 'https' as const }, now };
    expect(normalizeNotification({ type: 'audit', msg: 'x' }, defaults)).toMatchObject({ user: 'oper', usid: 7 });
    expect(normalizeNotification({ type: 'audit' }, { ...defaults, usid: 9 })).toMatchObject({ usid: 9 });
    expect(normalizeNotification({ type: 'commit-diff' }, defaults)).toMatchObject({
      uinfo: { usid: 7, username: 'oper', proto: 7, logintime: 1_800_000_000 },
    });
    expect(normalizeNotification({ type: 'progress' }, defaults)).toMatchObject({ timestamp: 1_800_000_000_123_000, usid: 7 });
    expect(normalizeNotification({ type: 'stream-event' }, defaults)).toMatchObject({
      event_time: { year: 2027, micro: 123_000, timezone: 0 },
    });
    // the brief's examples
    expect(normalizeNotification({ type: 'commit-diff', db: 'running', th: 1001, comment: 'nightly' }, defaults)).toMatchObject({
      database: 2,
      th: 1001,
      comment: 'nightly',
      label: '',
    });
    expect(
      normalizeNotification({ type: 'stream-event', event: 'notification', event_time: '2026-01-01T00:00:00Z', values: [] }),
    ).toMatchObject({ event: 1, event_time: { year: 2026, month: 1, day: 1, timezone: 0 } });
  });
});
