/**
 * The IPC access check (§3), the Java client's header and side connection (§2, §17), the listeners
 * (§1.1: TCP, Unix, stale socket files) and the fault-injection hooks, over real sockets.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NotifClient } from '../../src/client/index.js';
import { atom, frameBytes, NOTIF, tuple } from '../../src/codec/index.js';
import { createMockServer, type MockServerOptions } from '../../src/server/index.js';
import { earlyFiringClock } from '../support/early-clock.js';
import { cHeader, frameOf, rawConnect, type RawClient } from './raw-socket.js';
import { startServer, tempSocketPath, until, waitFor, type Started } from './helpers.js';

const SECRET = 's3cr3t-shared-secret\n';

let s: Started | undefined;
const clients: NotifClient[] = [];
const raws: RawClient[] = [];
const cleanups: (() => void)[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const r of raws.splice(0)) r.destroy();
  await s?.close();
  s = undefined;
  for (const c of cleanups.splice(0)) c();
});

async function start(options: MockServerOptions = {}): Promise<Started> {
  s = await startServer(options);
  return s;
}

describe('IPC access check (§3)', () => {
  for (const [style, version] of [
    ['c', 'v1'],
    ['java', 'v2'],
    ['c', 'v2'],
  ] as const) {
    it(`${style} client, ${version}: the right secret is accepted`, async () => {
      const st = await start({ accessSecret: SECRET });
      const c = await connect(st.tcp, { mask: NOTIF.AUDIT, accessSecret: SECRET, style, accessCheck: version });
      clients.push(c);
      st.server.emit({ type: 'audit', msg: 'in' });
      expect((await c.next()).notification).toMatchObject({ msg: 'in' });
      const header = st.server.journal.entries(1)[0]?.raw;
      expect(header?.[0]).toBe(version === 'v2' ? 0xcb : 0x8b);
      expect(st.server.journal.entries(1).map((e) => e.kind).slice(0, 5)).toEqual(['header', 'challenge', 'challenge-response', 'access-result', 'version-reply']);
    });

    it(`${style} client, ${version}: a wrong secret is refused and no event leaks`, async () => {
      const st = await start({ accessSecret: SECRET });
      const ok = await connect({ path: st.unix }, { mask: NOTIF.AUDIT, accessSecret: SECRET, style, accessCheck: version });
      clients.push(ok);
      st.server.on('connection', () => st.server.emit({ type: 'audit', msg: 'secret stuff' }));
      await expect(connect(st.tcp, { mask: NOTIF.AUDIT, accessSecret: 'guess', style, accessCheck: version })).rejects.toMatchObject({
        code: 'NSOMOCK_CLIENT_CONNECT_FAILED',
        details: { stage: 'access-check' },
      });
      expect(st.server.violations.map((v) => v.code)).toEqual(['access-denied']);
      expect(st.server.journal.entries(2).filter((e) => e.direction === 'out').map((e) => e.kind)).toEqual(['challenge', 'access-result']);
      expect(st.server.journal.entries(2).find((e) => e.kind === 'access-result')?.raw).toEqual(Uint8Array.of(1));
      expect((await ok.next()).notification).toMatchObject({ msg: 'secret stuff' });
    });
  }

  it('a raw client with a wrong digest gets exactly the challenge and 0x01, then the close', async () => {
    const st = await start({ accessSecret: SECRET });
    const r = await rawConnect(st.tcp);
    raws.push(r);
    await r.write(cHeader(0x80));
    await r.waitBytes(17);
    st.server.emit({ type: 'audit' });
    await r.write(Uint8Array.of(12, ...new Uint8Array(16)));
    await r.closed;
    const got = r.received();
    expect(got.length).toBe(18);
    expect(got[0]).toBe(11);
    expect(got[17]).toBe(1);
  });

  it('reads the secret from accessSecretFile (every byte, trailing newline included)', async () => {
    const dir = tempSocketPath('secret');
    cleanups.push(dir.cleanup);
    writeFileSync(dir.path, SECRET);
    const st = await start({ accessSecretFile: dir.path });
    clients.push(await connect(st.tcp, { mask: NOTIF.AUDIT, accessSecret: readFileSync(dir.path) }));
    await expect(connect(st.tcp, { mask: NOTIF.AUDIT, accessSecret: SECRET.trimEnd() })).rejects.toMatchObject({ details: { stage: 'access-check' } });
    expect(() => createMockServer({ accessSecretFile: `${dir.path}.missing` })).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
  });

  it('without a configured secret the check is not required, and a client that asks still gets in (lenient §3.4)', async () => {
    const st = await start();
    clients.push(await connect(st.tcp, { mask: NOTIF.AUDIT, accessSecret: 'anything' }));
    expect(st.server.subscribers()).toHaveLength(1);
  });
});

describe('the Java client (§2, §17, §18)', () => {
  it('sends the Java header, and its MAAPI side connection is closed at once without a reply', async () => {
    const st = await start({ accessSecret: SECRET });
    const side = await rawConnect(st.tcp);
    raws.push(side);
    // Java opens the type-7 connection after the version reply of its notification socket (§2).
    const java = await connect(st.tcp, { mask: NOTIF.COMMIT_DIFF | NOTIF.WEBUI, style: 'java', accessSecret: SECRET });
    clients.push(java);
    await side.write(Uint8Array.from([0xc7, 0x00, 0x4d, 0x07, 0x07, 0x01, 0x00, 0x00, 0x00]));
    await side.closed;
    expect(side.received().length).toBe(0);
    const javaHeader = st.server.journal.entries().find((e) => e.kind === 'header' && e.raw?.[0] === 0xcb)?.raw;
    expect(Array.from(javaHeader ?? [])).toEqual([0xcb, 0x00, 0x4d, 0x07, 0x07, 0x01, 0x00, 0x00, 0x00]);
    // The mask with bit 27 arrives as SMALL_BIG_EXT from Java and decodes to the same value (§6.3).
    expect(st.server.subscribers()[0]?.subscription.mask).toBe(NOTIF.COMMIT_DIFF | NOTIF.WEBUI);
    const d = st.server.emit({ type: 'commit-diff', th: 4 });
    await java.next();
    await java.diffDone(4);
    expect((await d.acked).ok).toBe(true);
    expect(st.server.violations).toEqual([]);
  });
});

describe('listeners (§1.1)', () => {
  it('listens on TCP and Unix at once, reports the bound addresses, and removes the socket file on close', async () => {
    const st = await start();
    expect(st.tcp.port).toBeGreaterThan(0);
    expect(st.server.addresses).toEqual({ tcp: st.tcp, unix: st.unix });
    const a = await connect(st.tcp, { mask: NOTIF.AUDIT });
    const b = await connect({ path: st.unix }, { mask: NOTIF.AUDIT });
    expect(st.server.subscribers().map((x) => x.transport)).toEqual(['tcp', 'unix']);
    const path = st.unix;
    await st.close();
    s = undefined;
    expect(existsSync(path)).toBe(false);
    await Promise.all([a.closed, b.closed]);
    expect(() => st.server.emit({ type: 'audit' })).toThrow(expect.objectContaining({ code: 'NSOMOCK_SERVER_CLOSED' }));
  });

  it('with only a Unix path there is no TCP listener', async () => {
    const dir = tempSocketPath();
    cleanups.push(dir.cleanup);
    const server = createMockServer({ unix: dir.path });
    expect(await server.listen()).toEqual({ unix: dir.path });
    await server.close();
  });

  it('removes a stale socket file left by a crashed server', async () => {
    const dir = tempSocketPath();
    cleanups.push(dir.cleanup);
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(dir.path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(dir.path)).toBe(true);
    const server = createMockServer({ unix: dir.path });
    await server.listen();
    const c = await connect({ path: dir.path }, { mask: NOTIF.AUDIT });
    await c.close();
    await server.close();
  });

  it('refuses a live socket, a non-socket file and a busy port with NSOMOCK_SERVER_LISTEN_FAILED', async () => {
    const st = await start();
    await expect(createMockServer({ unix: st.unix, tcp: false }).listen()).rejects.toMatchObject({ code: 'NSOMOCK_SERVER_LISTEN_FAILED' });
    const dir = tempSocketPath('plain-file');
    cleanups.push(dir.cleanup);
    writeFileSync(dir.path, 'keep me');
    await expect(createMockServer({ unix: dir.path }).listen()).rejects.toMatchObject({ code: 'NSOMOCK_SERVER_LISTEN_FAILED' });
    expect(readFileSync(dir.path, 'utf8')).toBe('keep me');
    await expect(createMockServer({ tcp: { port: st.tcp.port } }).listen()).rejects.toMatchObject({
      code: 'NSOMOCK_SERVER_LISTEN_FAILED',
      details: { errno: 'EADDRINUSE' },
    });
    // The failed servers did not disturb the running one.
    const c = await connect({ path: st.unix }, { mask: NOTIF.AUDIT });
    clients.push(c);
  });

  it('rejects bad options with NSOMOCK_USAGE', () => {
    expect(() => createMockServer({ eventReplyTimeoutMs: -1 })).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
    expect(() => createMockServer({ journalLimit: 1.5 })).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
    expect(() => createMockServer().connection(99)).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
  });

  it('serves an in-process duplex with handle()', async () => {
    const server = createMockServer({ tcp: false });
    const tcp = createServer((socket) => server.handle(socket));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const address = tcp.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    const c = await connect({ host: '127.0.0.1', port: address.port }, { mask: NOTIF.AUDIT });
    expect(server.subscribers()[0]?.transport).toBe('duplex');
    server.emit({ type: 'audit', msg: 'via handle' });
    expect((await c.next()).notification).toMatchObject({ msg: 'via handle' });
    await c.close();
    await server.close();
    await new Promise((r) => tcp.close(r));
  });
});

describe('fault injection', () => {
  it('inject(): raw bytes reach the client in order with frames', async () => {
    const st = await start();
    const c = await connect(st.tcp, { mask: NOTIF.AUDIT });
    clients.push(c);
    st.server.emit({ type: 'audit', msg: 'before' });
    st.server.connection(1).inject(frameBytes(Uint8Array.of(131, 0x6a)));
    st.server.emit({ type: 'audit', msg: 'after' });
    expect((await c.next()).notification).toMatchObject({ msg: 'before' });
    await expect(c.next()).rejects.toMatchObject({ code: 'NSOMOCK_CODEC_BAD_NOTIFICATION' });
    expect((await c.next()).notification).toMatchObject({ msg: 'after' });
  });

  it('truncateNextFrame(): half a frame, then the end of the stream', async () => {
    const st = await start();
    const c = await connect(st.tcp, { mask: NOTIF.AUDIT });
    clients.push(c);
    st.server.connection(1).truncateNextFrame();
    const closed = waitFor(st.server, 'closed');
    st.server.emit({ type: 'audit', msg: 'cut' });
    expect((await closed)[0].reason).toBe('fault-injection');
    expect(await c.drain()).toEqual([]);
    expect(st.server.journal.entries(1).at(-1)).toMatchObject({ kind: 'injected', note: 'truncated frame' });
  });

  it('slowWrite(): frames trickle out a few bytes per clock tick and arrive intact', async () => {
    const st = await start();
    const c = await connect(st.tcp, { mask: NOTIF.AUDIT });
    clients.push(c);
    st.server.connection(1).slowWrite(5, 10);
    for (const msg of ['a', 'bb', 'ccc']) st.server.emit({ type: 'audit', msg });
    await until(() => st.clock.pendingTimers() > 0, 'the first slow write is scheduled');
    let ticks = 0;
    let bytes = 0;
    const got: string[] = [];
    const reading = (async () => {
      for (const r of await c.take(3)) {
        got.push(r.notification.type === 'audit' ? r.notification.msg : '?');
        bytes += 4 + r.raw.length;
      }
    })();
    while (got.length < 3) {
      st.clock.advance(10);
      ticks += 1;
      await new Promise((r) => setTimeout(r, 1));
    }
    await reading;
    expect(got).toEqual(['a', 'bb', 'ccc']);
    // The first 5 bytes go out at once, every further 5 need a tick.
    expect(ticks).toBeGreaterThanOrEqual(Math.ceil(bytes / 5) - 1);
  });

  it('stall(): nothing is written until the clock passes the stall', async () => {
    const st = await start();
    const c = await connect(st.tcp, { mask: NOTIF.AUDIT | NOTIF.DAEMON });
    clients.push(c);
    st.server.connection(1).stall(5000);
    st.server.emit({ type: 'audit', msg: 'held' });
    await new Promise((r) => setTimeout(r, 20));
    expect(c.received).toBe(0);
    expect(st.server.connections()[0]?.bufferedBytes).toBeGreaterThan(0);
    st.clock.advance(5000);
    expect((await c.next()).notification).toMatchObject({ msg: 'held' });
  });

  it('stall(): frames queued during the stall go out when its timer fires, even if now() still reads earlier', async () => {
    // Node's timers count from the event loop's cached time, which trails Date.now(): a 1 ms timer
    // can fire while Date.now() has not moved 1 ms yet. This clock's timers fire 1 ms early to match.
    const { manual, clock } = earlyFiringClock();
    const st = await start({ clock });
    const c = await connect(st.tcp, { mask: NOTIF.AUDIT });
    clients.push(c);
    st.server.connection(1).stall(2);
    st.server.emit({ type: 'audit', msg: 'held' });
    await new Promise((r) => setTimeout(r, 20));
    expect(c.received).toBe(0);
    manual.advance(1);
    expect((await c.next()).notification).toMatchObject({ msg: 'held' });
  });

  it('close(): the server ends the connection; the reason is fault-injection', async () => {
    const st = await start();
    const c = await connect(st.tcp, { mask: NOTIF.AUDIT });
    clients.push(c);
    const closed = waitFor(st.server, 'closed');
    st.server.connection(1).close();
    expect((await closed)[0]).toMatchObject({ reason: 'fault-injection', subscribed: true });
    await c.closed;
  });

  it('a hostile frame on one connection does not disturb the subscription term of another', async () => {
    const st = await start();
    const c = await connect(st.tcp, { mask: NOTIF.AUDIT });
    clients.push(c);
    const r = await rawConnect(st.tcp);
    raws.push(r);
    await r.write(cHeader());
    await r.write(frameOf(tuple(atom('not'), atom('a'), atom('subscription'))));
    await r.closed;
    st.server.emit({ type: 'audit', msg: 'fine' });
    expect((await c.next()).notification).toMatchObject({ msg: 'fine' });
  });
});
