/**
 * Hostile soak (issue 12, docs/decisions/005-decode-budget.md): a good subscriber receives a steady
 * stream of notifications while hostile clients send 10 expansion bombs and 10 frames of ~15 MB to
 * the same server. Prints the server's peak RSS (goal < 512 MiB), the longest event-loop stall of
 * the server during each bomb and each large frame (goal < 50 ms per bomb) and the notifications
 * the good subscriber lost (goal 0). Exits 1 when a goal is missed.
 *
 * The server runs in a child process (this file with the argument `server`), so its RSS and its
 * event loop are its own: the 15 MB frames this process builds do not count.
 *
 * Run: npm run soak   (compiles this file and src/ into dist-soak/, then runs it with node)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { connect } from '../src/client/index.js';
import { encodeConnectHeader, encodeTerm, frameBytes, NOTIF, subscriptionToTerm, atom, binary, tuple } from '../src/codec/index.js';
import { createMockServer } from '../src/server/index.js';

const EMIT_EVERY_MS = 2;
const GOAL_RSS_MIB = 512;
const GOAL_STALL_MS = 50;

// ---- the server (child process) -----------------------------------------------------------------

type ToServer = { readonly cmd: 'mark' } | { readonly cmd: 'stop' };
type FromServer =
  | { readonly event: 'ready'; readonly port: number }
  | { readonly event: 'mark'; readonly stallMs: number; readonly rssMiB: number; readonly violations: number; readonly lastViolation?: string }
  | { readonly event: 'stopped'; readonly emitted: number; readonly peakRssMiB: number; readonly journalBytes: number; readonly journalDropped: number };

async function serverRole(): Promise<void> {
  const server = createMockServer({ tcp: { host: '127.0.0.1', port: 0 } });
  const { tcp } = await server.listen();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let emitted = 0;
  let lastViolation: string | undefined;
  server.on('violation', (v) => {
    lastViolation = `${v.code}: ${v.actual.slice(0, 120)}`;
  });
  const send = (m: FromServer): void => {
    process.send?.(m);
  };
  // The steady stream: one daemon notification every EMIT_EVERY_MS once someone subscribed.
  const timer = setInterval(() => {
    if (server.subscribers().length === 0) return;
    server.emit({ type: 'daemon', msg: `n${emitted}` });
    emitted += 1;
  }, EMIT_EVERY_MS);
  process.on('message', (m: ToServer) => {
    if (m.cmd === 'mark') {
      send({
        event: 'mark',
        stallMs: loop.max / 1e6,
        rssMiB: process.memoryUsage().rss / 2 ** 20,
        violations: server.violationCount,
        ...(lastViolation === undefined ? {} : { lastViolation }),
      });
      loop.reset();
      return;
    }
    clearInterval(timer);
    const journal = server.journal.stats();
    void server.close().then(() => {
      send({ event: 'stopped', emitted, peakRssMiB: process.resourceUsage().maxRSS / 1024, journalBytes: journal.bytes, journalDropped: journal.dropped });
      process.disconnect?.();
    });
  });
  send({ event: 'ready', port: tcp!.port });
}

// ---- the driver -----------------------------------------------------------------------------------

/** LARGE_TUPLE_EXT of `n` copies of `element` (encoded, no version byte). */
function tupleOf(n: number, element: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + n * element.length);
  out[0] = 105;
  new DataView(out.buffer).setUint32(1, n);
  for (let i = 0; i < n; i += 1) out.set(element, 5 + i * element.length);
  return out;
}

/** A compressed term of 4 M empty tuples: ~8 MB inflated, tens of KB deflated (the bomb). */
function compressedBomb(): Uint8Array {
  const inner = tupleOf(4_000_000, Uint8Array.of(104, 0));
  const z = deflateSync(inner);
  const out = new Uint8Array(6 + z.length);
  out.set([131, 80], 0);
  new DataView(out.buffer).setUint32(2, inner.length);
  out.set(z, 6);
  return frameBytes(out);
}

/** ~15 MB uncompressed: a tuple of 1 M tuples of 7 empty tuples (GBs of objects if decoded). */
function tupleBomb(): Uint8Array {
  const seven = Uint8Array.of(104, 7, ...Array.from({ length: 7 }, () => [104, 0]).flat());
  const body = tupleOf(936_000, seven);
  const payload = new Uint8Array(1 + body.length);
  payload[0] = 131;
  payload.set(body, 1);
  return frameBytes(payload);
}

/** ~15 MB: `{ack, <<15 MB>>}`. */
function binaryFrame(): Uint8Array {
  return frameBytes(encodeTerm(tuple(atom('ack'), binary(new Uint8Array(15_000_000).fill(0x41)))));
}

const SUBSCRIBE = frameBytes(encodeTerm(subscriptionToTerm({ mask: NOTIF.DAEMON, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 })));

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends header (+ subscription), then `frame`; resolves when the server closed the connection. */
async function hostile(port: number, frame: Uint8Array, subscribe: boolean): Promise<void> {
  const s = await rawSocket(port);
  s.on('error', () => undefined);
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  let got = 0;
  const replied = new Promise<void>((r) =>
    s.on('data', (d: Buffer) => {
      got += d.length;
      // 9-byte version reply, then (subscribed) the `ok` frame: 4 + 5 bytes.
      if (got >= (subscribe ? 18 : 9)) r();
    }),
  );
  // The C library's header (§2): 0b 00 4d 07 07 01 00 3c 12.
  s.write(encodeConnectHeader({ clientType: 11, wantChallenge: false, wantChallengeV2: false, protocolVersion: 77, libraryVersion: 0x07070100, maxDepth: 60, maxKeyLength: 18, rawFlags: 0 }));
  if (subscribe) s.write(SUBSCRIBE);
  await replied;
  s.write(frame);
  await closed;
}

async function driver(): Promise<void> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // The server never outlives the driver, whatever happens to it.
  process.on('exit', () => child.kill());
  const messages: FromServer[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (m: FromServer) => {
    messages.push(m);
    wake?.();
  });
  const next = async <E extends FromServer['event']>(event: E): Promise<Extract<FromServer, { event: E }>> => {
    for (;;) {
      const i = messages.findIndex((m) => m.event === event);
      if (i >= 0) return messages.splice(i, 1)[0] as Extract<FromServer, { event: E }>;
      await new Promise<void>((r) => (wake = r));
    }
  };
  const { port } = await next('ready');
  const good = await connect({ host: '127.0.0.1', port }, { mask: NOTIF.DAEMON });
  let received = 0;
  let outOfOrder = 0;
  void (async () => {
    try {
      for await (const r of good) {
        if (r.notification.type === 'daemon' && r.notification.msg !== `n${received}`) outOfOrder += 1;
        received += 1;
      }
    } catch {
      // closed
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  child.send({ cmd: 'mark' } satisfies ToServer);
  const baseline = await next('mark');

  const rows: { what: string; stallMs: number; rssMiB: number; result: string }[] = [];
  const run = async (what: string, frame: () => Uint8Array, subscribe: boolean): Promise<void> => {
    const bytes = frame();
    child.send({ cmd: 'mark' } satisfies ToServer);
    await next('mark');
    await hostile(port, bytes, subscribe);
    child.send({ cmd: 'mark' } satisfies ToServer);
    const m = await next('mark');
    rows.push({ what, stallMs: m.stallMs, rssMiB: m.rssMiB, result: m.lastViolation ?? '(no violation)' });
  };
  const bombs: [string, () => Uint8Array, boolean][] = [];
  for (let i = 0; i < 5; i += 1) bombs.push([`compressed bomb ${i + 1} (before subscribing)`, compressedBomb, false]);
  for (let i = 0; i < 5; i += 1) bombs.push([`compressed bomb ${i + 6} (subscribed)`, compressedBomb, true]);
  const large: [string, () => Uint8Array, boolean][] = [];
  for (let i = 0; i < 5; i += 1) large.push([`15 MB tuple expansion ${i + 1} (subscribed)`, tupleBomb, true]);
  for (let i = 0; i < 5; i += 1) large.push([`15 MB binary ${i + 6} (subscribed)`, binaryFrame, true]);
  for (const [what, frame, subscribe] of [...bombs, ...large]) await run(what, frame, subscribe);

  // Let the stream run a little more, then stop emitting and wait for the subscriber to catch up.
  await new Promise((r) => setTimeout(r, 300));
  child.send({ cmd: 'stop' } satisfies ToServer);
  const stopped = await next('stopped');
  const deadline = Date.now() + 10_000;
  while (received < stopped.emitted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await good.close().catch(() => undefined);

  const lost = stopped.emitted - received;
  const bombStall = Math.max(...rows.slice(0, 10).map((r) => r.stallMs));
  const largeStall = Math.max(...rows.slice(10).map((r) => r.stallMs));
  const out: string[] = [];
  out.push(`hostile soak: ${rows.length} hostile frames against one server (baseline RSS ${baseline.rssMiB.toFixed(0)} MiB, idle loop max ${baseline.stallMs.toFixed(1)} ms)`);
  for (const r of rows) out.push(`  ${r.what.padEnd(42)} stall ${r.stallMs.toFixed(1).padStart(6)} ms  rss ${r.rssMiB.toFixed(0).padStart(4)} MiB  ${r.result}`);
  out.push(`peak RSS of the server: ${stopped.peakRssMiB.toFixed(0)} MiB (goal < ${GOAL_RSS_MIB} MiB)`);
  out.push(`longest stall per expansion bomb: ${bombStall.toFixed(1)} ms (goal < ${GOAL_STALL_MS} ms); per 15 MB frame: ${largeStall.toFixed(1)} ms`);
  out.push(`notifications: ${stopped.emitted} emitted, ${received} received, ${lost} lost, ${outOfOrder} out of order (goal 0 lost)`);
  out.push(`journal: ${(stopped.journalBytes / 2 ** 20).toFixed(1)} MiB held, ${stopped.journalDropped} entries dropped`);
  process.stdout.write(`${out.join('\n')}\n`);
  const ok = stopped.peakRssMiB < GOAL_RSS_MIB && bombStall < GOAL_STALL_MS && lost === 0 && outOfOrder === 0;
  process.stdout.write(ok ? 'PASS\n' : 'FAIL\n');
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[2] === 'server') {
  void serverRole();
} else {
  driver().catch((error: unknown) => {
    process.stderr.write(`hostile soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
    process.exit();
  });
}
