/**
 * Toxics (`mock.toxics`) and verification counts (`mock.count()`) over real TCP sockets with the
 * package client. Time is the injected ManualClock: a latency toxic holds a frame until the test
 * moves the clock, so no assertion depends on how fast the host is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NotifClient, type ReceivedNotification } from '../../src/client/index.js';
import { atom, NOTIF, subscriptionToTerm } from '../../src/codec/index.js';
import { startNsoMock, type RunningNsoMock } from '../../src/harness/index.js';
import { ManualClock, type ClosedEvent } from '../../src/server/index.js';
import { cHeader, frameOf, rawConnect } from '../server/raw-socket.js';

const T0 = Date.UTC(2026, 0, 1);
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function start(journalLimit?: number): Promise<{ mock: RunningNsoMock; clock: ManualClock }> {
  const clock = new ManualClock({ now: T0 });
  const mock = await startNsoMock({ clock, onUnexpectedFrame: 'ignore', ...(journalLimit === undefined ? {} : { journalLimit }) });
  cleanup.push(() => mock.close());
  return { mock, clock };
}

async function subscriber(mock: RunningNsoMock, mask: number, options: { autoAck?: boolean; protocolVersion?: number } = {}): Promise<NotifClient> {
  const c = await connect(mock.addresses.tcp!, { mask, ...options });
  cleanup.push(() => c.close());
  return c;
}

/** The id the server gave the client that subscribed last. */
function lastId(mock: RunningNsoMock): number {
  return mock.subscribers.at(-1)!.id;
}

function closedEvent(mock: RunningNsoMock, id: number): Promise<ClosedEvent> {
  return new Promise((resolve) => {
    const on = (e: ClosedEvent): void => {
      if (e.connectionId !== id) return;
      mock.server.off('closed', on);
      resolve(e);
    };
    mock.server.on('closed', on);
  });
}

describe('toxics', () => {
  it('latency holds each frame its time on the server clock, then delivers it; other connections are not held', async () => {
    const { mock, clock } = await start();
    const slow = await subscriber(mock, NOTIF.AUDIT);
    const slowId = lastId(mock);
    const fast = await subscriber(mock, NOTIF.AUDIT);
    const toxic = mock.toxics.add({ kind: 'latency', ms: 500, scope: { connection: slowId } });
    expect(toxic).toMatchObject({ id: 't1', kind: 'latency', ms: 500, scope: { connection: slowId }, addedAt: T0, applied: [slowId] });
    mock.emit({ type: 'audit', msg: 'one' });
    // The fast client's copy went out in the same tick: once it arrived, the slow one's would have.
    expect((await fast.next()).notification).toMatchObject({ msg: 'one' });
    clock.advance(499);
    mock.emit({ type: 'audit', msg: 'two' }); // due at T0 + 999
    const two = (await fast.next()).raw.length + 4;
    // Both frames are still held on the server: nothing was handed to the slow client's socket.
    expect(mock.server.connection(slowId).info().bufferedBytes).toBe(two * 2);
    expect(slow.received).toBe(0);
    clock.advance(1);
    expect((await slow.next()).notification).toMatchObject({ msg: 'one' });
    expect(clock.now() - T0).toBe(500);
    clock.advance(498);
    mock.emit({ type: 'audit', msg: 'probe' });
    await fast.next();
    expect(slow.received).toBe(1);
    clock.advance(1);
    expect((await slow.next()).notification).toMatchObject({ msg: 'two' });
    // Per frame, not cumulative: the probe, emitted at +998, is due at +1498.
    clock.advance(499);
    expect((await slow.next()).notification).toMatchObject({ msg: 'probe' });
  });

  it('removing a latency toxic writes what it held at once and lets later frames through unheld', async () => {
    const { mock, clock } = await start();
    const c = await subscriber(mock, NOTIF.AUDIT);
    const t = mock.toxics.add({ kind: 'latency', ms: 10_000, scope: { connection: lastId(mock) } });
    const probe = await subscriber(mock, NOTIF.AUDIT);
    mock.emit({ type: 'audit', msg: 'held' });
    const written = (await probe.next()).raw.length + 4; // the same frame, after the same flush
    // Held on the server (not handed to the socket), so the client cannot have it.
    expect(mock.server.connection(1).info().bufferedBytes).toBe(written);
    expect(c.received).toBe(0);
    expect(mock.toxics.list().map((x) => x.id)).toEqual([t.id]);
    expect(mock.toxics.remove(t.id)).toBe(true);
    expect(mock.toxics.remove(t.id)).toBe(false);
    expect(mock.toxics.list()).toEqual([]);
    mock.emit({ type: 'audit', msg: 'after' });
    const got = await c.take(2);
    expect(got.map((n) => (n.notification as { msg: string }).msg)).toEqual(['held', 'after']);
    expect(clock.now()).toBe(T0); // nothing waited for the clock
  });

  it('a cut toxic lets exactly N bytes through, then ends the connection with the toxic named in the close reason', async () => {
    const { mock } = await start();
    const probe = await subscriber(mock, NOTIF.AUDIT);
    mock.emit({ type: 'audit', msg: 'sized' });
    const frameBytes = (await probe.next()).raw.length + 4; // payload + 4-byte length prefix (§5)
    const victim = await subscriber(mock, NOTIF.AUDIT);
    const id = lastId(mock);
    const closed = closedEvent(mock, id);
    const t = mock.toxics.add({ kind: 'cut', bytes: frameBytes + 3, scope: { connection: id } });
    mock.emit({ type: 'audit', msg: 'sized' });
    mock.emit({ type: 'audit', msg: 'sized' });
    const event = await closed;
    expect(event).toMatchObject({ reason: 'fault-injection', detail: `toxic ${t.id}: cut after ${frameBytes + 3} bytes` });
    await victim.closed;
    const got: ReceivedNotification[] = [];
    await expect(
      (async () => {
        for (;;) got.push(await victim.next());
      })(),
    ).rejects.toMatchObject({ code: 'NSOMOCK_CLIENT_CLOSED' });
    expect(got).toHaveLength(1); // the second frame: 3 bytes of it, then the end
    expect(mock.toxics.get(t.id)?.cut).toEqual([id]);
    const note = mock.journal.find((e) => e.connectionId === id && e.kind === 'injected')?.note;
    expect(note).toBe(`toxic ${t.id}: cut after ${frameBytes + 3} bytes: 3 of a ${frameBytes}-byte write sent, then the connection ended`);
    // The probe, not in scope, got both.
    expect((await probe.take(2)).length).toBe(2);
  });

  it('a cut toxic of 0 bytes closes a subscribed connection at once, and a later subscriber on its subscription', async () => {
    const { mock } = await start();
    const now = await subscriber(mock, NOTIF.AUDIT);
    const closedNow = closedEvent(mock, 1);
    const t = mock.toxics.add({ kind: 'cut', bytes: 0 });
    expect(await closedNow).toMatchObject({ reason: 'fault-injection', detail: `toxic ${t.id}: cut after 0 bytes` });
    await now.closed;
    const closedLater = closedEvent(mock, 2);
    const later = await subscriber(mock, NOTIF.AUDIT); // the subscription reply (§8.4) went out before the cut
    expect(await closedLater).toMatchObject({ reason: 'fault-injection' });
    await later.closed;
    expect(mock.toxics.get(t.id)?.cut).toEqual([1, 2]);
  });

  it('a garbage toxic writes its bytes to each connection in scope, now and on later subscriptions', async () => {
    const { mock } = await start();
    const before = await subscriber(mock, NOTIF.AUDIT);
    const t = mock.toxics.add({ kind: 'garbage', bytes: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) });
    expect(t.hex).toBe('deadbeef');
    const after = await subscriber(mock, NOTIF.AUDIT);
    // The client reads them as the length prefix of a frame (§5): 0xdeadbeef bytes, over its limit.
    for (const c of [before, after]) await expect(c.next()).rejects.toThrow(/3735928559/);
    expect(mock.toxics.get(t.id)?.applied).toEqual([1, 2]);
    expect(mock.journal.filter((e) => e.kind === 'injected').map((e) => [e.connectionId, Buffer.from(e.raw!).toString('hex')])).toEqual([
      [1, 'deadbeef'],
      [2, 'deadbeef'],
    ]);
  });

  it('scopes: future reaches only later subscribers, protocolVersion only clients with that header, existing none later', async () => {
    const { mock, clock } = await start();
    const old = await subscriber(mock, NOTIF.AUDIT);
    const future = mock.toxics.add({ kind: 'latency', ms: 100, scope: 'future' });
    const existing = mock.toxics.add({ kind: 'stall', ms: 50, scope: 'existing' });
    const v78 = mock.toxics.add({ kind: 'latency', ms: 1000, scope: { protocolVersion: 78 } });
    const c77 = await subscriber(mock, NOTIF.AUDIT);
    const c78 = await subscriber(mock, NOTIF.AUDIT, { protocolVersion: 78 });
    expect(mock.toxics.get(future.id)?.applied).toEqual([2, 3]);
    expect(mock.toxics.get(existing.id)?.applied).toEqual([1]);
    expect(mock.toxics.get(v78.id)?.applied).toEqual([3]);
    mock.emit({ type: 'audit', msg: 'x' });
    clock.advance(50); // the stall of connection 1 ends
    expect((await old.next()).notification).toMatchObject({ msg: 'x' });
    expect(c77.received + c78.received).toBe(0);
    clock.advance(50);
    await c77.next();
    expect(c78.received).toBe(0);
    clock.advance(999); // latencies add up: 100 + 1000
    mock.emit({ type: 'audit', msg: 'probe' });
    await old.next();
    expect(c78.received).toBe(0);
    clock.advance(1);
    expect((await c78.next()).notification).toMatchObject({ msg: 'x' });
  });

  it('writes held by latency count against highWaterMarkBytes: past it the connection closes with output-overflow, the held ones noted in the journal', async () => {
    const clock = new ManualClock({ now: T0 });
    const mock = await startNsoMock({ clock, onUnexpectedFrame: 'ignore', highWaterMarkBytes: 2000 });
    cleanup.push(() => mock.close());
    const c = await subscriber(mock, NOTIF.AUDIT);
    mock.toxics.add({ kind: 'latency', ms: 1000 });
    const closed = closedEvent(mock, 1);
    for (let i = 0; i < 40; i += 1) mock.emit({ type: 'audit', msg: 'x'.repeat(100) });
    expect(await closed).toMatchObject({ reason: 'output-overflow' });
    await c.closed;
    expect(c.received).toBe(0);
    expect(mock.violations).toEqual([expect.objectContaining({ code: 'output-overflow', actual: expect.stringMatching(/held by latency\), limit 2000$/) })]);
    expect(mock.journal.filter((e) => e.kind === 'injected').map((e) => e.note)).toEqual([expect.stringMatching(/^latency: \d+ held write\(s\), \d+ bytes, not written: the connection closed \(output-overflow\)$/)]);
  });

  it('a toxic for an open connection that has not subscribed acts from its subscription on, after the ok reply; existing never reaches it', async () => {
    const { mock } = await start();
    const raw = await rawConnect(mock.addresses.tcp!);
    cleanup.push(async () => raw.destroy());
    await raw.write(cHeader());
    await raw.waitBytes(9); // the version reply (§4)
    const mine = mock.toxics.add({ kind: 'garbage', bytes: Uint8Array.of(0x0b, 0xad, 0xf0, 0x0d), scope: { connection: 1 } });
    const existing = mock.toxics.add({ kind: 'garbage', bytes: Uint8Array.of(0xee), scope: 'existing' });
    expect([mine.applied, existing.applied]).toEqual([[], []]);
    await raw.write(frameOf(subscriptionToTerm({ mask: NOTIF.AUDIT, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 })));
    const ok = frameOf(atom('ok')).length;
    const got = await raw.waitBytes(9 + ok + 4);
    // Version reply, the `ok` frame (§8.4), then exactly the toxic's bytes.
    expect(Buffer.from(got.subarray(9 + ok)).toString('hex')).toBe('0badf00d');
    expect([mock.toxics.get(mine.id)?.applied, mock.toxics.get(existing.id)?.applied]).toEqual([[1], []]);
  });

  it('refuses bad toxics with NSOMOCK_USAGE, and reset() removes every toxic', async () => {
    const { mock } = await start();
    expect(() => mock.toxics.add({ kind: 'latency', ms: -1 })).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE', message: 'Failed to add the toxic: ms must be a non-negative integer, got -1' }));
    expect(() => mock.toxics.add({ kind: 'garbage' })).toThrow(/exactly one of bytes and length/);
    expect(() => mock.toxics.add({ kind: 'cut', bytes: 1, scope: { connection: 42 } })).toThrow(/no open connection 42/);
    expect(mock.toxics.add({ kind: 'garbage', length: 8, scope: 'future' }).hex).toMatch(/^[0-9a-f]{16}$/);
    mock.reset();
    expect(mock.toxics.list()).toEqual([]);
  });
});

describe('count (verification)', () => {
  it('counts what a real client received and acked, by type, connection and offset', async () => {
    const { mock } = await start();
    const acking = await subscriber(mock, NOTIF.COMMIT_DIFF | NOTIF.AUDIT, { autoAck: true });
    const silent = await subscriber(mock, NOTIF.COMMIT_DIFF);
    const start0 = mock.count();
    expect(start0).toMatchObject({ sent: {}, acked: {}, unmatchedAcks: 0 });
    for (const th of [1, 2, 3]) mock.emit({ type: 'commit-diff', th });
    mock.emit({ type: 'audit', msg: 'a' });
    mock.emit({ type: 'audit', msg: 'b' });
    const got = await acking.take(5);
    await mock.waitForAck({ th: 3, connectionId: 1 }, { within: 5000 });
    const received = await silent.take(3);
    const byType = (ns: readonly ReceivedNotification[]): Record<string, number> => ns.reduce<Record<string, number>>((m, n) => ({ ...m, [n.type]: (m[n.type] ?? 0) + 1 }), {});
    expect(mock.count({ connection: 1 })).toMatchObject({ sent: byType(got), acked: { 'commit-diff': 3 }, unmatchedAcks: 0 });
    expect(mock.count({ connection: 2 })).toMatchObject({ sent: byType(received), acked: {} });
    expect(mock.count({ type: 'commit-diff' })).toMatchObject({ sent: { 'commit-diff': 6 }, acked: { 'commit-diff': 3 } });
    // Since an offset: only what came after.
    const mark = mock.count();
    await silent.diffDone(1);
    await silent.diffDone(99); // acks nothing: an unmatched ack (and a violation)
    await mock.waitForAck({ th: 99 }, { within: 5000 });
    expect(mock.count({ since: mark.next })).toEqual({ since: mark.next, next: expect.any(Number), sent: {}, acked: { 'commit-diff': 1 }, unmatchedAcks: 1, otherFrames: 0 });
    expect(mock.count().acked).toEqual({ 'commit-diff': 4 });
    // After a reset, counting starts again.
    mock.reset();
    expect(mock.count()).toMatchObject({ sent: {}, acked: {}, unmatchedAcks: 0 });
  });

  it('refuses a count the journal can no longer give in full (NSOMOCK_HARNESS_COUNT_INCOMPLETE)', async () => {
    const { mock } = await start(4);
    const c = await subscriber(mock, NOTIF.AUDIT);
    for (let i = 0; i < 6; i += 1) mock.emit({ type: 'audit', msg: String(i) });
    await c.take(6);
    expect(() => mock.count()).toThrow(expect.objectContaining({ code: 'NSOMOCK_HARNESS_COUNT_INCOMPLETE', details: { since: 0, firstHeld: expect.any(Number) } }));
    const firstHeld = mock.journal[0]!.seq;
    expect(mock.count({ since: firstHeld }).sent).toEqual({ audit: 4 });
  });
});
