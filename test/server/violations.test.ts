/**
 * Every violation kind of §17 / §12.4 / §20, provoked over real sockets. Each one closes at most
 * the offending connection; a well-behaved subscriber next to it keeps receiving.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NotifClient } from '../../src/client/index.js';
import { atom, int, NOTIF, subscriptionToTerm, tuple } from '../../src/codec/index.js';
import type { MockServerOptions, ViolationCode } from '../../src/server/index.js';
import { cHeader, frameOf, rawConnect, type RawClient } from './raw-socket.js';
import { startServer, until, waitFor, type Started } from './helpers.js';

let s: Started | undefined;
const clients: NotifClient[] = [];
const raws: RawClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const r of raws.splice(0)) r.destroy();
  await s?.close();
  s = undefined;
});

async function start(options: MockServerOptions = {}): Promise<Started> {
  s = await startServer(options);
  return s;
}

async function good(st: Started, mask: number = NOTIF.AUDIT): Promise<NotifClient> {
  const c = await connect({ path: st.unix }, { mask });
  clients.push(c);
  return c;
}

async function raw(st: Started, allowHalfOpen = false): Promise<RawClient> {
  const r = await rawConnect(st.tcp, allowHalfOpen);
  raws.push(r);
  return r;
}

/** A raw client that has done the handshake and is waiting to subscribe (the 9-byte reply read). */
async function afterHandshake(st: Started): Promise<RawClient> {
  const r = await raw(st);
  await r.write(cHeader());
  await r.waitBytes(9);
  return r;
}

async function expectViolation(st: Started, code: ViolationCode, provoke: () => Promise<unknown> | void): Promise<void> {
  const seen = waitFor(st.server, 'violation', (v) => v.code === code);
  await provoke();
  const [v] = await seen;
  expect(v.code).toBe(code);
  expect(typeof v.expected).toBe('string');
  expect(typeof v.actual).toBe('string');
}

/** The neighbour still works: an audit event reaches it. */
async function neighbourStillServed(st: Started, c: NotifClient): Promise<void> {
  st.server.emit({ type: 'audit', msg: 'still here' });
  expect((await c.next()).notification).toMatchObject({ type: 'audit', msg: 'still here' });
}

describe('handshake violations (§2, §4, §17)', () => {
  it('header-timeout: fewer than 9 bytes within the init window (§1.2)', async () => {
    const st = await start();
    const c = await good(st);
    const r = await raw(st);
    await r.write(Uint8Array.of(11, 0, 77));
    await until(() => st.server.connections().length === 2, 'the raw connection is accepted');
    await expectViolation(st, 'header-timeout', () => void st.clock.advance(5000));
    await r.closed;
    expect(r.received()).toEqual(new Uint8Array(0));
    await neighbourStillServed(st, c);
  });

  it('subscribe-timeout: no subscription within the init window', async () => {
    const st = await start();
    const r = await afterHandshake(st);
    await expectViolation(st, 'subscribe-timeout', () => void st.clock.advance(5000));
    await r.closed;
  });

  it('bad-header: bit 6 without bit 7 closes without a reply', async () => {
    const st = await start();
    const r = await raw(st);
    await expectViolation(st, 'bad-header', () => r.write(cHeader(0x40)));
    await r.closed;
    expect(r.received().length).toBe(0);
  });

  it('other client types (the Java MAAPI side connection, type 7) are closed at once, not left hanging (§2, §17)', async () => {
    const st = await start();
    const r = await raw(st);
    const closed = waitFor(st.server, 'closed');
    await r.write(Uint8Array.from([0x07, 0x00, 0x4d, 0x07, 0x07, 0x01, 0x00, 0x00, 0x00]));
    expect((await closed)[0]).toMatchObject({ reason: 'client-type', subscribed: false, detail: 'first byte 0x07 is client type 7, not 11 (§2)' });
    await r.closed;
    expect(r.received().length).toBe(0);
    // A one-byte type-12 header is refused just as fast.
    const r12 = await raw(st);
    await r12.write(Uint8Array.of(12));
    await r12.closed;
    expect(st.server.violations).toEqual([]);
  });

  it('an HTTP request instead of a connect header is closed as client-type, naming the byte in hex (audit finding 9)', async () => {
    const st = await start();
    const r = await raw(st);
    const closed = waitFor(st.server, 'closed');
    await r.write(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect((await closed)[0]).toMatchObject({ reason: 'client-type', detail: "first byte 0x47 'G' is client type 7, not 11 (§2)" });
    await r.closed;
    expect(r.received().length).toBe(0);
  });

  it('bad-version (strict): status 1 with the mock version, then close (§4.3)', async () => {
    const st = await start({ strict: true, allowedProtocolVersions: [77] });
    await expect(connect(st.tcp, { mask: NOTIF.AUDIT, protocolVersion: 80 })).rejects.toMatchObject({
      code: 'NSOMOCK_CLIENT_CONNECT_FAILED',
      details: { stage: 'version', code: 1 },
    });
    expect(st.server.violations.map((v) => v.code)).toEqual(['bad-version']);
    const ok = await connect(st.tcp, { mask: NOTIF.AUDIT });
    clients.push(ok);
  });
});

describe('frame violations (§5, §6, §17)', () => {
  it('bad-frame-length: a zero length prefix', async () => {
    const st = await start();
    const c = await good(st);
    const r = await afterHandshake(st);
    await expectViolation(st, 'bad-frame-length', () => r.write(Uint8Array.of(0, 0, 0, 0)));
    await r.closed;
    await neighbourStillServed(st, c);
  });

  it('bad-frame-length: a prefix above maxFrameBytes is refused before buffering', async () => {
    const st = await start({ maxFrameBytes: 1024 });
    const r = await afterHandshake(st);
    await expectViolation(st, 'bad-frame-length', () => r.write(Uint8Array.of(0, 0, 4, 1, 131)));
    await r.closed;
  });

  it('bad-term: a payload that is no term', async () => {
    const st = await start();
    const c = await good(st);
    const r = await afterHandshake(st);
    await expectViolation(st, 'bad-term', () => r.write(Uint8Array.of(0, 0, 0, 3, 0x00, 0x01, 0x02)));
    await r.closed;
    expect(st.server.journal.entries().some((e) => e.kind === 'bad-frame' && e.raw?.length === 3)).toBe(true);
    await neighbourStillServed(st, c);
  });

  it('trailing bytes after a term: accepted when lenient, bad-term when strict (§17)', async () => {
    const sub = subscriptionToTerm({ mask: NOTIF.AUDIT, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 });
    const frame = frameOf(sub);
    const padded = new Uint8Array([...frame.slice(4), 0xff]);
    const withTrailing = Uint8Array.of(0, 0, 0, padded.length, ...padded);
    const lenient = await start();
    const r = await afterHandshake(lenient);
    const subscribed = waitFor(lenient.server, 'subscribed');
    await r.write(withTrailing);
    await subscribed;
    await lenient.close();
    const strict = await start({ strict: true });
    const r2 = await afterHandshake(strict);
    await expectViolation(strict, 'bad-term', () => r2.write(withTrailing));
  });
});

describe('subscription violations (§8, §14, §17)', () => {
  it('bad-subscription: {error, 21, <<"bad subscription",0>>} then close', async () => {
    const st = await start();
    await expect(connect(st.tcp, { mask: 0, subscriptionTerm: tuple(atom('hello')) })).rejects.toMatchObject({
      code: 'NSOMOCK_CLIENT_CONNECT_FAILED',
      details: { stage: 'subscribe', code: 21, reason: 'bad subscription' },
    });
    expect(st.server.violations.map((v) => v.code)).toEqual(['bad-subscription']);
  });

  it('stream-refused: unknown stream → {error, 1, Reason}; unknown usid → 22 (§8.4, §14)', async () => {
    const st = await start({ userSessions: [42] });
    await expect(connect(st.tcp, { mask: NOTIF.STREAM_EVENT, stream: { name: 'nope' } })).rejects.toMatchObject({
      details: { stage: 'subscribe', code: 1, reason: 'no such stream: nope' },
    });
    st.server.streams.define('NETCONF');
    await expect(connect(st.tcp, { mask: NOTIF.STREAM_EVENT, stream: { name: 'NETCONF', usid: 7 } })).rejects.toMatchObject({
      details: { stage: 'subscribe', code: 22 },
    });
    clients.push(await connect(st.tcp, { mask: NOTIF.STREAM_EVENT, stream: { name: 'NETCONF', usid: 42 } }));
    expect(st.server.violations.map((v) => v.code)).toEqual(['stream-refused', 'stream-refused']);
  });

  it('zero-interval (strict): recorded, clamped, connection kept (§13, §17)', async () => {
    const st = await start({ strict: true });
    const c = await connect(st.tcp, { mask: 0, subscriptionTerm: subscriptionToTerm({ mask: NOTIF.HEARTBEAT, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 }) });
    clients.push(c);
    expect(st.server.violations.map((v) => v.code)).toEqual(['zero-interval']);
    st.clock.advance(1000);
    expect((await c.next()).type).toBe('heartbeat');
  });

  it('second-subscription closes the connection', async () => {
    const st = await start();
    const c = await good(st);
    await expectViolation(st, 'second-subscription', () => c.sendRaw(frameOf(subscriptionToTerm({ mask: 1, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 }))));
    await c.closed;
  });
});

describe('ack violations (§12.4, §20)', () => {
  it('bad-ack: ignored when lenient, closes when strict', async () => {
    const st = await start();
    const c = await good(st, NOTIF.AUDIT);
    await expectViolation(st, 'bad-ack', () => c.sendRaw(frameOf(atom('bogus'))));
    await neighbourStillServed(st, c);
    await st.close();
    const strict = await start({ strict: true });
    const c2 = await good(strict);
    await expectViolation(strict, 'bad-ack', () => c2.sendRaw(frameOf(tuple(atom('what'), int(1)))));
    await c2.closed;
  });

  it('ack-unsubscribed and ack-without-flag (checked against the mask)', async () => {
    const st = await start();
    const c = await good(st, NOTIF.AUDIT | NOTIF.HA_INFO);
    await expectViolation(st, 'ack-unsubscribed', () => c.diffDone(17));
    await expectViolation(st, 'ack-without-flag', () => c.syncAudit(42));
    await expectViolation(st, 'ack-without-flag', () => c.syncHa());
    await neighbourStillServed(st, c);
  });

  it('ack-unknown-handle and ack-duplicate', async () => {
    const st = await start();
    const c = await good(st, NOTIF.COMMIT_DIFF);
    await expectViolation(st, 'ack-unknown-handle', () => c.diffDone(99));
    const d = st.server.emit({ type: 'commit-diff', th: 17 });
    await c.next();
    await c.diffDone(17);
    expect((await d.acked).ok).toBe(true);
    await expectViolation(st, 'ack-duplicate', () => c.diffDone(17));
    expect(st.server.violations.map((v) => v.closed)).toEqual([false, false]);
    // Acks print in one Erlang form in every violation (audit finding 9: these used to say `{99, done}`).
    expect(st.server.violations.map((v) => v.actual)).toEqual(['{99,done}', '{17,done}']);
  });

  it('strict mode closes on an unexpected ack', async () => {
    const st = await start({ strict: true });
    const c = await good(st, NOTIF.COMMIT_DIFF);
    await expectViolation(st, 'ack-unknown-handle', () => c.diffDone(5));
    await c.closed;
  });

  it('ack-timeout then ack-late: the ack read after the deadline is late (§20)', async () => {
    const st = await start();
    const r = await raw(st, true);
    await r.write(cHeader());
    await r.write(frameOf(subscriptionToTerm({ mask: NOTIF.COMMIT_DIFF, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 })));
    await waitFor(st.server, 'subscribed');
    const d = st.server.emit({ type: 'commit-diff', th: 17 });
    await expectViolation(st, 'ack-timeout', () => void st.clock.advance(120_000));
    expect(await d.acked).toMatchObject({ ok: false, missing: [{ connectionId: 1, reason: 'timeout' }] });
    await expectViolation(st, 'ack-late', () => r.write(frameOf(tuple(int(17), atom('done')))));
  });

  it('eventReplyTimeoutMs 0 turns the deadline off', async () => {
    const st = await start({ eventReplyTimeoutMs: 0 });
    const c = await good(st, NOTIF.COMMIT_DIFF);
    const d = st.server.emit({ type: 'commit-diff', th: 1 });
    await c.next();
    st.clock.advance(10 * 120_000);
    expect(st.server.pendingAcks()).toMatchObject([{ connectionId: 1, pending: [{ deadline: undefined }] }]);
    await c.diffDone(1);
    expect((await d.acked).ok).toBe(true);
  });
});

describe('output violations (§20, backpressure)', () => {
  const bulk = (i: number): { type: 'devel'; msg: string } => ({ type: 'devel', msg: `${i}:${'x'.repeat(60_000)}` });

  it('write-stall: a client that stops reading is closed after the stall limit', async () => {
    const st = await start({ highWaterMarkBytes: 256 * 1024 * 1024 });
    const c = await good(st, NOTIF.DEVEL | NOTIF.AUDIT);
    const neighbour = await good(st, NOTIF.AUDIT);
    c.pause();
    // Fill the kernel buffers until Node itself holds output for the connection.
    for (let i = 0; st.server.connections()[0]?.bufferedBytes === 0; i += 1) {
      st.server.emit(bulk(i));
      await new Promise((r) => setTimeout(r, 1));
    }
    const closed = waitFor(st.server, 'closed', (e) => e.connectionId === 1);
    st.clock.advance(14_999);
    expect(st.server.violations).toEqual([]);
    await expectViolation(st, 'write-stall', () => void st.clock.advance(1));
    expect((await closed)[0].reason).toBe('write-stall');
    await neighbourStillServed(st, neighbour);
  });

  it('output-overflow: queued output beyond highWaterMarkBytes closes only the slow client', async () => {
    const st = await start({ highWaterMarkBytes: 512 * 1024 });
    const slow = await good(st, NOTIF.DEVEL | NOTIF.AUDIT);
    const fast = await good(st, NOTIF.DEVEL | NOTIF.AUDIT);
    slow.pause();
    let received = 0;
    const reading = (async () => {
      for await (const n of fast) {
        if (n.type === 'audit') return;
        received += 1;
      }
    })();
    const overflow = waitFor(st.server, 'violation', (v) => v.code === 'output-overflow');
    let sent = 0;
    while (st.server.violations.length === 0) {
      st.server.emit(bulk(sent));
      sent += 1;
      // Pace by the fast reader only: the slow one never drains.
      await st.server.connection(2).whenDrained();
      await new Promise((r) => setImmediate(r));
    }
    const [v] = await overflow;
    expect(v.connectionId).toBe(1);
    st.server.emit({ type: 'audit' });
    await reading;
    expect(received).toBe(sent);
    expect(st.server.subscribers().map((x) => x.id)).toEqual([2]);
  });
});
