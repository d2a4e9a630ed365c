/**
 * The blocking handshakes of §12 over real sockets: what blocks, what keeps flowing, what releases.
 */
import { describe, expect, it } from 'vitest';
import type { NotifClient } from '../../src/client/index.js';
import { NOTIF } from '../../src/codec/index.js';
import type { AckOutcome } from '../../src/server/index.js';
import { useServerPerTest, waitFor } from './helpers.js';

const s = useServerPerTest({ profile: 'nso66' });
const client = (mask: number): Promise<NotifClient> => s.client({ mask, profile: 'nso66' });

/** Whether a promise has settled, after letting pending I/O callbacks run. */
async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

function ackSeen(id: number): Promise<unknown> {
  return waitFor(s.server, 'ack', (e) => e.connectionId === id);
}

describe('commit-diff (§11.4, §12.2 per transaction)', () => {
  it('keeps the transaction pending until every commit-diff subscriber sent {TH, done}', async () => {
    const a = await client(NOTIF.COMMIT_DIFF);
    const b = await client(NOTIF.COMMIT_DIFF | NOTIF.AUDIT);
    const other = await client(NOTIF.AUDIT);
    const d = s.server.emit({ type: 'commit-diff', th: 17 });
    expect(d.recipients).toEqual([1, 2]);
    expect(d.queued).toBe(false);
    expect((await a.next()).notification).toMatchObject({ type: 'commit-diff', th: 17 });
    await b.next();
    expect(s.server.pendingAcks().map((p) => p.connectionId)).toEqual([1, 2]);
    // Other types keep flowing while the transaction waits (§12.2).
    s.server.emit({ type: 'audit', msg: 'meanwhile' });
    expect((await other.next()).type).toBe('audit');
    expect((await b.next()).type).toBe('audit');
    // A different transaction is not blocked by TH 17.
    const d2 = s.server.emit({ type: 'commit-diff', th: 18 });
    expect(d2.queued).toBe(false);
    await a.diffDone(17);
    await ackSeen(1);
    expect(await isSettled(d.acked)).toBe(false);
    await b.diffDone(17);
    const outcome: AckOutcome = await d.acked;
    expect(outcome).toMatchObject({ ok: true, expected: { kind: 'diff-done', th: 17 }, required: [1, 2], acked: [1, 2], missing: [] });
    expect(s.server.pendingAcks().flatMap((p) => p.pending.map((x) => x.expected))).toEqual([
      { kind: 'diff-done', th: 18 },
      { kind: 'diff-done', th: 18 },
    ]);
  });

  it('resolves at once when nobody subscribes to commit-diff, and emitAndWait passes', async () => {
    await client(NOTIF.AUDIT);
    const outcome = await s.server.emitAndWait({ type: 'commit-diff', th: 5 });
    expect(outcome).toMatchObject({ ok: true, required: [] });
  });

  it('a disconnecting subscriber releases the transaction (§12.3) and is reported with its pending ack', async () => {
    const a = await client(NOTIF.COMMIT_DIFF);
    const b = await client(NOTIF.COMMIT_DIFF);
    const d = s.server.emit({ type: 'commit-diff', th: 3 });
    await a.next();
    await b.next();
    await a.diffDone(3);
    const closed = waitFor(s.server, 'closed');
    await b.close();
    const [event] = await closed;
    expect(event).toMatchObject({ connectionId: 2, reason: 'peer-closed', subscribed: true, pendingAcks: [{ expected: { kind: 'diff-done', th: 3 } }] });
    expect(await d.acked).toMatchObject({ ok: false, acked: [1], missing: [{ connectionId: 2, reason: 'disconnect' }] });
    expect(s.server.violations.map((v) => v.code)).toEqual(['ack-missing']);
  });

  it('emitAndWait rejects with NSOMOCK_SERVER_ACK_FAILED when an ack times out (§20)', async () => {
    const a = await client(NOTIF.COMMIT_DIFF);
    const waiting = s.server.emitAndWait({ type: 'commit-diff', th: 9 });
    await a.next();
    s.clock.advance(120_000);
    await expect(waiting).rejects.toMatchObject({ code: 'NSOMOCK_SERVER_ACK_FAILED' });
  });
});

describe('audit with AUDIT_SYNC (§11.1, §12.2 per user session)', () => {
  it("blocks that user session's later audit events until {Usid, synced}; other sessions flow", async () => {
    const sync = await client(NOTIF.AUDIT | NOTIF.AUDIT_SYNC);
    const plain = await client(NOTIF.AUDIT);
    const first = s.server.emit({ type: 'audit', usid: 42, msg: 'one' });
    expect(first.recipients).toEqual([1, 2]);
    const second = s.server.emit({ type: 'audit', usid: 42, msg: 'two' });
    expect(second.queued).toBe(true);
    expect(second.recipients).toEqual([]);
    const otherSession = s.server.emit({ type: 'audit', usid: 7, msg: 'other' });
    expect(otherSession.queued).toBe(false);
    // Plain subscribers wait too: the session itself is blocked, so 'two' does not exist yet.
    expect((await plain.take(2)).map((r) => r.notification.type === 'audit' && r.notification.msg)).toEqual(['one', 'other']);
    expect((await sync.take(2)).map((r) => r.notification.type === 'audit' && r.notification.msg)).toEqual(['one', 'other']);
    // usid 7 also needs a sync from the AUDIT_SYNC subscriber; it is independent of 42.
    await sync.syncAudit(7);
    expect(await otherSession.acked).toMatchObject({ ok: true, acked: [1] });
    expect(await isSettled(second.sent)).toBe(false);
    await sync.syncAudit(42);
    expect(await first.acked).toMatchObject({ ok: true, required: [1], acked: [1] });
    expect(await second.sent).toEqual([1, 2]);
    expect((await plain.next()).notification).toMatchObject({ msg: 'two' });
    expect((await sync.next()).notification).toMatchObject({ msg: 'two' });
    // 'two' opened its own handshake; the scope stays blocked until it is synced.
    const third = s.server.emit({ type: 'audit', usid: 42, msg: 'three' });
    expect(third.queued).toBe(true);
    await sync.syncAudit(42);
    expect(await third.sent).toEqual([1, 2]);
  });

  it('an event-reply-timeout closes the silent subscriber and releases the session (§20)', async () => {
    const sync = await client(NOTIF.AUDIT | NOTIF.AUDIT_SYNC);
    const plain = await client(NOTIF.AUDIT);
    const first = s.server.emit({ type: 'audit', usid: 42, msg: 'one' });
    const second = s.server.emit({ type: 'audit', usid: 42, msg: 'two' });
    await sync.next();
    const closed = waitFor(s.server, 'closed');
    s.clock.advance(119_999);
    expect(await isSettled(first.acked)).toBe(false);
    s.clock.advance(1);
    expect(await first.acked).toMatchObject({ ok: false, missing: [{ connectionId: 1, reason: 'timeout' }] });
    expect((await closed)[0]).toMatchObject({ connectionId: 1, reason: 'ack-timeout' });
    expect(s.server.violations.map((v) => v.code)).toEqual(['ack-timeout']);
    expect(await second.sent).toEqual([2]);
    expect((await plain.take(2)).map((r) => r.notification.type === 'audit' && r.notification.msg)).toEqual(['one', 'two']);
    await sync.closed;
  });
});

describe('audit-network with AUDIT_NETWORK_SYNC (§11.18)', () => {
  it('blocks the user session until {Usid, audit_network_sync}', async () => {
    const sync = await client(NOTIF.AUDIT_NETWORK | NOTIF.AUDIT_NETWORK_SYNC);
    const first = s.server.emit({ type: 'audit-network', usid: 42, device: 'ce0' });
    const second = s.server.emit({ type: 'audit-network', usid: 42, device: 'ce1' });
    const audit = s.server.emit({ type: 'audit', usid: 42 });
    expect([first.queued, second.queued, audit.queued]).toEqual([false, true, false]);
    expect((await sync.next()).notification).toMatchObject({ device: 'ce0' });
    await sync.syncAuditNetwork(42);
    expect(await first.acked).toMatchObject({ ok: true });
    expect((await sync.next()).notification).toMatchObject({ device: 'ce1' });
  });
});

describe('HA info with HA_INFO_SYNC (§11.6, §12.2 global)', () => {
  it('blocks all later HA events until ha_synced; other types flow', async () => {
    const sync = await client(NOTIF.HA_INFO | NOTIF.HA_INFO_SYNC | NOTIF.DAEMON);
    const plain = await client(NOTIF.HA_INFO);
    const first = s.server.emit({ type: 'ha-info', event: 'is-primary' });
    const second = s.server.emit({ type: 'ha-info', event: 'secondary-arrived', node: { nodeid: 'n2', addr: '10.0.0.2' } });
    const daemon = s.server.emit({ type: 'daemon', msg: 'log line' });
    expect([first.queued, second.queued, daemon.queued]).toEqual([false, true, false]);
    expect((await sync.take(2)).map((r) => r.type)).toEqual(['ha-info', 'daemon']);
    expect((await plain.next()).notification).toMatchObject({ event: 5 });
    await sync.syncHa();
    expect(await first.acked).toMatchObject({ ok: true, required: [1], acked: [1] });
    expect((await plain.next()).notification).toMatchObject({ event: 3 });
    expect((await sync.next()).notification).toMatchObject({ event: 3 });
    await sync.syncHa();
    expect(await second.acked).toMatchObject({ ok: true });
  });

  it('with autoAck the client acknowledges every handshake by itself', async () => {
    await s.client({ mask: NOTIF.HA_INFO | NOTIF.HA_INFO_SYNC | NOTIF.COMMIT_DIFF | NOTIF.AUDIT | NOTIF.AUDIT_SYNC, autoAck: true, profile: 'nso66' });
    const outcomes = await Promise.all([
      s.server.emitAndWait({ type: 'ha-info', event: 'is-none' }),
      s.server.emitAndWait({ type: 'ha-info', event: 'is-primary' }),
      s.server.emitAndWait({ type: 'commit-diff', th: 1 }),
      s.server.emitAndWait({ type: 'audit', usid: 9 }),
    ]);
    expect(outcomes.map((o) => o.acked)).toEqual([[1], [1], [1], [1]]);
  });
});
