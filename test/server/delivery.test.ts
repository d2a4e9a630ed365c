/**
 * Delivery over real TCP and Unix sockets with the client: every vector notification arrives byte
 * for byte, only where the mask says (§10.1), in emission order, in the connection's profile.
 */
import { describe, expect, it } from 'vitest';
import { decodeTerm, isAvailableIn, NOTIF, notificationFromTerm, notificationToTerm, notificationTypes, type Notification } from '../../src/codec/index.js';
import { fromHex, loadHandshake, loadNotifications, loadNotifications66, loadNso62Layouts, toHex } from '../support/vectors.js';
import { rawConnect } from './raw-socket.js';
import { ALL_TYPES_MASK, useServerPerTest, waitFor } from './helpers.js';

const s = useServerPerTest();
const client = s.client;

const vectors57 = loadNotifications().filter((v) => !v.name.startsWith('audit_network'));
/** The layouts where 6.x differs from 5.7 (NSO62.md §B) and nso66's extras. */
const vectors6x = [
  ...loadNso62Layouts()
    .filter((v) => ['progress', 'commit-progress', 'audit-network', 'compaction', 'call-home-info'].includes(v.type))
    .map((v) => ({ mask_bit: v.bit, etf_hex: v.etf_hex })),
  ...loadNotifications66(),
];

function notificationOf(hex: string): Notification {
  return notificationFromTerm(decodeTerm(fromHex(hex)));
}

describe('delivery (§10, §11)', () => {
  it('sends every NSO 5.7 vector byte-exact over TCP and Unix, to a subscriber of every type', async () => {
    s.server.streams.define('NETCONF');
    const mask = NOTIF.STREAM_EVENT | (ALL_TYPES_MASK & ~(NOTIF.AUDIT_SYNC | NOTIF.HA_INFO_SYNC | NOTIF.AUDIT_NETWORK_SYNC | NOTIF.HEARTBEAT | NOTIF.HEALTH_CHECK));
    const a = await client({ mask, stream: { name: 'NETCONF' } }, 'tcp');
    const b = await client({ mask, stream: { name: 'NETCONF' } }, 'unix');
    const sent = vectors57.filter((v) => v.mask_bit !== NOTIF.HEARTBEAT && v.mask_bit !== NOTIF.HEALTH_CHECK);
    for (const v of sent) {
      const n = notificationOf(v.etf_hex);
      // A PROGRESS + COMMIT_PROGRESS subscriber gets each progress type under its own bit (§10.1).
      const d = s.server.emit(n);
      expect(d.recipients).toEqual([1, 2]);
      if (n.type === 'commit-diff') {
        await a.diffDone(n.th);
        await b.diffDone(n.th);
      }
    }
    for (const c of [a, b]) {
      const got = await c.take(sent.length);
      expect(got.map((r) => toHex(r.raw))).toEqual(sent.map((v) => v.etf_hex));
      expect(got.map((r) => r.bit)).toEqual(sent.map((v) => v.mask_bit));
    }
  });

  it('sends 6.x-only types to nso66 connections and skips nso57 ones, with the reason (§16.5)', async () => {
    await s.restart({ profileForProtocolVersion: (v) => (v === 99 ? 'nso66' : undefined) });
    const old = await client({ mask: ALL_TYPES_MASK & ~NOTIF.AUDIT_NETWORK_SYNC & ~(NOTIF.HEARTBEAT | NOTIF.HEALTH_CHECK | NOTIF.STREAM_EVENT) });
    const neu = await client({ mask: ALL_TYPES_MASK & ~NOTIF.AUDIT_NETWORK_SYNC & ~(NOTIF.HEARTBEAT | NOTIF.HEALTH_CHECK | NOTIF.STREAM_EVENT), protocolVersion: 99, profile: 'nso66' });
    expect(s.server.subscribers().map((i) => i.profile)).toEqual(['nso57', 'nso66']);
    const sent = vectors6x.filter((v) => v.mask_bit !== NOTIF.STREAM_EVENT).map((v) => notificationOf(v.etf_hex));
    const decodableBy57 = (n: Notification): boolean => {
      if (!isAvailableIn(n, 'nso57')) return false;
      try {
        notificationToTerm(n, 'nso57');
        return true;
      } catch {
        return false;
      }
    };
    for (const n of sent) {
      const d = s.server.emit(n);
      expect(d.recipients).toEqual(decodableBy57(n) ? [1, 2] : [2]);
      expect(d.skipped).toEqual(
        decodableBy57(n) ? [] : [{ connectionId: 1, reason: 'profile', message: expect.stringMatching(new RegExp(`^${n.type} not sent to connection 1: its client speaks NSO 5\\.7, protocol 77 \\(profile nso57\\); `)) }],
      );
      if (n.type === 'commit-diff') await Promise.all([old.diffDone(n.th), neu.diffDone(n.th)]);
    }
    expect((await neu.take(sent.length)).map((r) => r.type)).toEqual(sent.map((n) => n.type));
    s.server.emit({ type: 'reopen-logs' });
    const got: string[] = [];
    for (let r = await old.next(); r.type !== 'reopen-logs'; r = await old.next()) got.push(r.type);
    expect(got).toEqual(sent.filter(decodableBy57).map((n) => n.type));
    expect(sent.some((n) => !decodableBy57(n))).toBe(true);
  });

  it('answers the full exchange of handshake.json byte for byte', async () => {
    const ex = loadHandshake().full_exchange_example;
    const r = await rawConnect(s.tcp);
    const subscribed = waitFor(s.server, 'subscribed');
    for (const hex of ex.client_to_server_hex) await r.write(fromHex(hex));
    await subscribed;
    const audit = loadNotifications().find((v) => toHex(fromHex(v.frame_hex)) === ex.server_to_client_hex[2]);
    expect(audit).toBeDefined();
    s.server.emit(notificationOf(audit?.etf_hex ?? ''));
    const expected = ex.server_to_client_hex.join('');
    expect(toHex(await r.waitBytes(expected.length / 2))).toBe(expected);
    r.destroy();
  });

  it('filters by mask: each client gets exactly its types, in emission order', async () => {
    const masks = [NOTIF.AUDIT, NOTIF.COMMIT_SIMPLE | NOTIF.DAEMON, NOTIF.DAEMON, NOTIF.UPGRADE_EVENT | NOTIF.AUDIT | NOTIF.DEVEL];
    const cs = await Promise.all(masks.map((mask, i) => client({ mask }, i % 2 === 0 ? 'tcp' : 'unix')));
    const emitted = [
      { type: 'audit', msg: 'a1' },
      { type: 'daemon', msg: 'd1' },
      { type: 'commit-simple' },
      { type: 'upgrade', event: 'performed' },
      { type: 'devel', msg: 'v1' },
      { type: 'audit', msg: 'a2' },
      { type: 'package-reload' },
    ] as const;
    for (const e of emitted) s.server.emit(e);
    await s.server.drained();
    await Promise.all(cs.map((c) => c.close()));
    for (const [i, c] of cs.entries()) {
      const mask = masks[i] ?? 0;
      const expected = emitted.filter((e) => (mask & notificationTypes[e.type].bit) !== 0).map((e) => e.type);
      const got = (await c.drain()).map((r) => r.type);
      expect(got).toEqual(expected);
    }
  });

  it('keeps the order of one tick of small and large frames (small ones share an output chunk)', async () => {
    const c = await client({ mask: NOTIF.DAEMON });
    // Sizes around the copy threshold and past a chunk: 40 B frames, 5 KB and 100 KB messages.
    const msgs = Array.from({ length: 3000 }, (_, i) => (i % 1000 === 500 ? 'x'.repeat(100_000) : i % 97 === 0 ? `${i}`.padEnd(5000, '.') : `m${i}`));
    for (const msg of msgs) s.server.emit({ type: 'daemon', msg });
    const got = await c.take(msgs.length);
    expect(got.map((r) => (r.notification.type === 'daemon' ? r.notification.msg : ''))).toEqual(msgs);
  });

  it('tags transaction progress by the subscribed bit: PROGRESS-only gets 16777216 (§10.1)', async () => {
    const both = await client({ mask: NOTIF.PROGRESS | NOTIF.COMMIT_PROGRESS });
    const progressOnly = await client({ mask: NOTIF.PROGRESS });
    const commitOnly = await client({ mask: NOTIF.COMMIT_PROGRESS });
    s.server.emit({ type: 'commit-progress', msg: 'applying' });
    s.server.emit({ type: 'progress', msg: 'action' });
    expect((await both.take(2)).map((r) => r.bit)).toEqual([NOTIF.COMMIT_PROGRESS, NOTIF.PROGRESS]);
    expect((await progressOnly.take(2)).map((r) => r.bit)).toEqual([NOTIF.PROGRESS, NOTIF.PROGRESS]);
    expect((await commitOnly.take(1)).map((r) => r.bit)).toEqual([NOTIF.COMMIT_PROGRESS]);
  });

  it('filters progress by verbosity (§8.1, §11.14)', async () => {
    const normal = await client({ mask: NOTIF.PROGRESS, verbosity: 0 });
    const debug = await client({ mask: NOTIF.PROGRESS, verbosity: 3 });
    const d = s.server.emit({ type: 'progress', msg: 'debug detail' }, { verbosity: 2 });
    expect(d.recipients).toEqual([2]);
    expect(d.skipped).toEqual([{ connectionId: 1, reason: 'verbosity' }]);
    s.server.emit({ type: 'progress', msg: 'normal' });
    expect((await debug.take(2)).map((r) => r.notification.type === 'progress' && r.notification.msg)).toEqual(['debug detail', 'normal']);
    expect((await normal.next()).notification).toMatchObject({ msg: 'normal' });
  });

  it('reports subscribers, delivered counts and the journal', async () => {
    const c = await client({ mask: NOTIF.AUDIT }, 'unix');
    const [info] = s.server.subscribers();
    expect(info).toMatchObject({ id: 1, transport: 'unix', phase: 'subscribed', profile: 'nso57', delivered: 0, pendingAcks: [] });
    expect(info?.header).toMatchObject({ clientType: 11, protocolVersion: 77, maxDepth: 60, maxKeyLength: 18 });
    const delivered = waitFor(s.server, 'delivered');
    s.server.emit({ type: 'audit', msg: 'hello' });
    expect((await delivered)[0]).toMatchObject({ connectionId: 1, type: 'audit', bit: 1 });
    await c.next();
    expect(s.server.subscribers()[0]?.delivered).toBe(1);
    const kinds = s.server.journal.entries(1).map((e) => `${e.direction}:${e.kind}`);
    expect(kinds).toEqual(['in:header', 'out:version-reply', 'in:frame', 'out:frame', 'out:frame']);
    const last = s.server.journal.entries(1).at(-1);
    expect(last?.term?.kind).toBe('tuple');
  });
});
