/**
 * The control API's toxics and counts endpoints over real HTTP (fetch) and real NSO sockets (the
 * package client), with the JSON shapes docs/control-api.md documents. The mock runs on a
 * ManualClock: a held frame waits for the test to move the clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NotifClient } from '../../src/client/index.js';
import { NOTIF } from '../../src/codec/index.js';
import { startControlServer } from '../../src/harness/control-server.js';
import { startNsoMock, type RunningNsoMock } from '../../src/harness/index.js';
import { createMockServer, ManualClock, type ClosedEvent } from '../../src/server/index.js';

const T0 = Date.UTC(2026, 0, 1);
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;

async function setup(journalLimit?: number): Promise<{ mock: RunningNsoMock; clock: ManualClock; call: Call }> {
  const clock = new ManualClock({ now: T0 });
  const mock = await startNsoMock({ clock, onUnexpectedFrame: 'ignore', ...(journalLimit === undefined ? {} : { journalLimit }) });
  cleanup.push(() => mock.close());
  const control = await startControlServer(mock);
  cleanup.push(() => control.close());
  const call: Call = async (method, path, body) => {
    const res = await fetch(`${control.url}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  return { mock, clock, call };
}

async function subscriber(mock: RunningNsoMock, mask: number, autoAck = false): Promise<NotifClient> {
  const c = await connect(mock.addresses.tcp!, { mask, autoAck });
  cleanup.push(() => c.close());
  return c;
}

describe('control API: toxics', () => {
  it('POST /toxics adds a latency toxic (201, its JSON), GET lists it, DELETE removes it and the held frame goes out', async () => {
    const { mock, clock, call } = await setup();
    const c = await subscriber(mock, NOTIF.AUDIT);
    const added = await call('POST', '/toxics', { kind: 'latency', ms: 250 });
    expect(added).toEqual({ status: 201, json: { id: 't1', kind: 'latency', ms: 250, scope: 'all', addedAt: T0, applied: [1] } });
    expect((await call('GET', '/toxics')).json).toEqual([added.json]);
    expect((await call('GET', '/toxics/t1')).json).toEqual(added.json);
    await call('POST', '/emit', { notification: { type: 'audit', msg: 'late' } });
    expect(mock.server.connection(1).info().bufferedBytes).toBeGreaterThan(0); // held, not written
    expect(c.received).toBe(0);
    clock.advance(250);
    expect((await c.next()).notification).toMatchObject({ msg: 'late' });
    // Removal: the next frame is not held.
    await call('POST', '/emit', { notification: { type: 'audit', msg: 'held' } });
    expect(await call('DELETE', '/toxics/t1')).toEqual({ status: 204, json: undefined });
    expect((await c.next()).notification).toMatchObject({ msg: 'held' });
    expect(clock.now()).toBe(T0 + 250);
    expect(await call('DELETE', '/toxics/t1')).toEqual({
      status: 404,
      json: { error: 'NSOMOCK_USAGE', message: 'Failed to find the toxic: no toxic t1 (GET /toxics lists them)', details: { id: 't1' } },
    });
    expect((await call('GET', '/toxics')).json).toEqual([]);
  });

  it('a cut toxic closes the connection after N bytes, and GET /toxics/{id} says which connections it cut', async () => {
    const { mock, call } = await setup();
    const c = await subscriber(mock, NOTIF.AUDIT);
    const closed = new Promise<ClosedEvent>((resolve) => mock.server.once('closed', resolve));
    expect((await call('POST', '/toxics', { kind: 'cut', bytes: 5, scope: { connection: 1 } })).status).toBe(201);
    await call('POST', '/emit', { notification: { type: 'audit' } });
    expect(await closed).toMatchObject({ connectionId: 1, reason: 'fault-injection', detail: 'toxic t1: cut after 5 bytes' });
    await c.closed;
    expect(c.received).toBe(0); // 5 bytes: the length prefix and one byte of the term
    expect((await call('GET', '/toxics/t1')).json).toEqual({ id: 't1', kind: 'cut', bytes: 5, cut: [1], scope: { connection: 1 }, addedAt: T0, applied: [1] });
    const journal = (await call('GET', '/journal?connection=1')).json as { kind: string; note?: string; raw?: string }[];
    expect(journal.at(-1)).toMatchObject({ kind: 'injected', note: expect.stringMatching(/^toxic t1: cut after 5 bytes: 5 of a \d+-byte write sent/) });
    expect(journal.at(-1)?.raw).toHaveLength(10); // 5 bytes, hex
  });

  it('a garbage toxic for future connections reaches the next subscriber, byte for byte', async () => {
    const { mock, call } = await setup();
    const before = await subscriber(mock, NOTIF.AUDIT);
    const added = await call('POST', '/toxics', { kind: 'garbage', hex: '7FFFFFFF', scope: 'future' });
    expect(added.json).toEqual({ id: 't1', kind: 'garbage', hex: '7fffffff', scope: 'future', addedAt: T0, applied: [] });
    const after = await subscriber(mock, NOTIF.AUDIT);
    await expect(after.next()).rejects.toThrow(/2147483647/); // read as a frame length (§5)
    await call('POST', '/emit', { notification: { type: 'audit', msg: 'clean' } });
    expect((await before.next()).notification).toMatchObject({ msg: 'clean' });
    expect((await call('GET', '/toxics/t1')).json.applied).toEqual([2]);
  });

  it('refuses bodies that do not fit, naming the member (400), and /reset removes every toxic', async () => {
    const { mock, call } = await setup();
    await subscriber(mock, NOTIF.AUDIT);
    const refused = async (body: unknown): Promise<string> => {
      const res = await call('POST', '/toxics', body);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('NSOMOCK_USAGE');
      return res.json.message as string;
    };
    expect(await refused({ kind: 'latency', ms: 5, msec: 1 })).toBe('Failed to read the request: the body has an unknown member "msec"');
    expect(await refused({ kind: 'latency', bytes: 5 })).toBe('Failed to read the request: the body member "bytes" does not go with kind latency (it takes ms)');
    expect(await refused({ kind: 'cut' })).toBe('Failed to read the request: the body misses the required member "bytes" (kind cut)');
    expect(await refused({ kind: 'garbage', hex: 'ab', length: 3 })).toBe('Failed to read the request: the body needs exactly one of the members "hex" and "length" (kind garbage)');
    expect(await refused({ kind: 'garbage', hex: 'abc' })).toMatch(/member "hex" must match pattern/);
    expect(await refused({ kind: 'slow', ms: 1 })).toMatch(/member "kind" must be one of latency, stall, cut, garbage/);
    expect(await refused({ kind: 'stall', ms: 1, scope: 'everyone' })).toMatch(/scope/);
    expect(await refused({ kind: 'stall', ms: 1, scope: { connection: 9 } })).toBe('Failed to add the toxic: no open connection 9');
    expect((await call('POST', '/toxics', { kind: 'stall', ms: 1, scope: { protocolVersion: 77 } })).status).toBe(201);
    expect(await call('POST', '/reset', {})).toMatchObject({ status: 204 });
    expect((await call('GET', '/toxics')).json).toEqual([]);
  });
});

describe('control API around a bare server', () => {
  it('serves toxics and counts, and leaves no listener on the server when it closes', async () => {
    const server = createMockServer({ tcp: { host: '127.0.0.1', port: 0 } });
    await server.listen();
    cleanup.push(() => server.close());
    const events = ['ack', 'subscribed', 'closed', 'violation', 'delivered', 'connection'] as const;
    const listeners = (): number[] => events.map((e) => server.listenerCount(e));
    const before = listeners();
    const control = await startControlServer(server);
    expect(listeners()).not.toEqual(before);
    const res = await fetch(`${control.url}/toxics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'stall', ms: 5 }) });
    expect(res.status).toBe(201);
    expect((await (await fetch(`${control.url}/counts`)).json()) as unknown).toMatchObject({ sent: {}, acked: {} });
    await control.close();
    expect(listeners()).toEqual(before);
  });
});

describe('control API: counts', () => {
  it('GET /counts answers what a real client received and acked, filtered by type, connection and since', async () => {
    const { mock, call } = await setup();
    const c = await subscriber(mock, NOTIF.COMMIT_DIFF | NOTIF.AUDIT, true);
    const first = (await call('GET', '/counts')).json;
    // The one frame so far is the subscription reply `ok` (§8.4): not a notification.
    expect(first).toEqual({ since: 0, next: first.next, sent: {}, acked: {}, unmatchedAcks: 0, otherFrames: 1 });
    for (const th of [10, 11]) expect((await call('POST', '/emit', { notification: { type: 'commit-diff', th } })).json.acked.ok).toBe(true);
    await call('POST', '/emit', { notification: { type: 'audit' } });
    const got = await c.take(3);
    expect(got.map((n) => n.type)).toEqual(['commit-diff', 'commit-diff', 'audit']);
    expect((await call('GET', '/counts')).json).toMatchObject({ since: 0, sent: { 'commit-diff': 2, audit: 1 }, acked: { 'commit-diff': 2 } });
    expect((await call('GET', '/counts?type=commit-diff&connection=1')).json).toMatchObject({ sent: { 'commit-diff': 2 }, acked: { 'commit-diff': 2 } });
    expect((await call('GET', '/counts?connection=2')).json).toMatchObject({ sent: {}, acked: {} });
    const mark = (await call('GET', '/counts')).json.next as number;
    await call('POST', '/emit', { notification: { type: 'commit-diff', th: 12 } });
    expect((await call('GET', `/counts?since=${mark}`)).json).toEqual({ since: mark, next: expect.any(Number), sent: { 'commit-diff': 1 }, acked: { 'commit-diff': 1 }, unmatchedAcks: 0, otherFrames: 0 });
    const bad = await call('GET', '/counts?type=commit');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/member "type" must be one of audit/);
    expect((await call('GET', '/counts?typ=audit')).json.message).toBe('Failed to read the request: the querystring has an unknown member "typ"');
  });

  it('answers 409 NSOMOCK_HARNESS_COUNT_INCOMPLETE when the journal no longer holds the traffic since the offset', async () => {
    const { mock, call } = await setup(3);
    const c = await subscriber(mock, NOTIF.AUDIT);
    for (let i = 0; i < 4; i += 1) await call('POST', '/emit', { notification: { type: 'audit' } });
    await c.take(4);
    const res = await call('GET', '/counts');
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ error: 'NSOMOCK_HARNESS_COUNT_INCOMPLETE', details: { since: 0 } });
    expect(res.json.message).toMatch(/journal holds entries from \d+ on .*journalLimit 3/);
  });
});
