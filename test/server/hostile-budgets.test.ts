/**
 * Frames that are small on the wire but large in memory, compressed terms, and frames past the
 * limits of a connection that has not subscribed (docs/decisions/005-decode-budget.md), sent over
 * real sockets while a good subscriber receives a steady stream that must lose nothing.
 */
import { deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type NotifClient } from '../../src/client/index.js';
import { atom, binary, encodeTerm, frameBytes, NOTIF, subscriptionToTerm, tuple } from '../../src/codec/index.js';
import { JOURNAL_RAW_BYTES, type Violation } from '../../src/server/index.js';
import { startServer, waitFor, type Started } from './helpers.js';
import { cHeader, frameOf, rawConnect, type RawClient } from './raw-socket.js';

const SUBSCRIBE = frameOf(subscriptionToTerm({ mask: NOTIF.DAEMON, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 }));

/** LARGE_TUPLE_EXT of `n` empty tuples (no version byte). */
function emptyTuples(n: number): Uint8Array {
  const out = new Uint8Array(5 + 2 * n);
  out[0] = 105;
  new DataView(out.buffer).setUint32(1, n);
  for (let i = 0; i < n; i += 1) out[5 + 2 * i] = 104;
  return out;
}

/** `131, 80, Size, Zlib` of `inner`: a compressed term. */
function compressedTerm(inner: Uint8Array): Uint8Array {
  const z = deflateSync(inner, { level: 9 });
  const out = new Uint8Array(6 + z.length);
  out[0] = 131;
  out[1] = 80;
  new DataView(out.buffer).setUint32(2, inner.length);
  out.set(z, 6);
  return out;
}

let st: Started;
let good: NotifClient;
let sent: string[];
let n: number;

function emit(count = 1): void {
  for (let i = 0; i < count; i += 1) {
    const msg = `m${(n += 1)}`;
    st.server.emit({ type: 'daemon', msg });
    sent.push(msg);
  }
}

async function goodGotEverything(): Promise<void> {
  emit(3);
  const got = (await good.take(sent.length)).map((r) => (r.notification.type === 'daemon' ? r.notification.msg : r.type));
  expect(got).toEqual(sent);
}

/** Opens a hostile connection (subscribed or not), sends `frame`, and returns its violation. */
async function hostile(frame: Uint8Array, subscribed: boolean): Promise<{ violation: Violation; client: RawClient }> {
  const client = await rawConnect(st.tcp);
  await client.write(cHeader());
  await client.waitBytes(9);
  if (subscribed) {
    await client.write(SUBSCRIBE);
    await waitFor(st.server, 'subscribed', (s) => s.id === st.server.connections().at(-1)?.id);
  }
  const violation = waitFor(st.server, 'violation');
  // Written in pieces, with notifications emitted in between.
  for (let at = 0; at < frame.length; at += 1 << 20) {
    await client.write(frame.subarray(at, at + (1 << 20)));
    emit();
  }
  const [v] = await violation;
  // A lenient server keeps a connection open after some violations (bad-ack): end it here.
  if (!v.closed) client.destroy();
  await client.closed;
  return { violation: v, client };
}

beforeEach(async () => {
  st = await startServer();
  good = await connect(st.tcp, { mask: NOTIF.DAEMON });
  sent = [];
  n = 0;
  emit(5);
});

afterEach(async () => {
  await good.close();
  await st.close();
});

describe('decode budget over real sockets', () => {
  it('a 40 KB compressed bomb before subscribing is refused at its length prefix (32 KiB before the subscription)', async () => {
    // {<<40,000 random bytes>>, {{}, {}, ... 4 M times}}: the random binary does not deflate.
    const noise = encodeTerm(binary(new Uint8Array(40_000).map(() => Math.floor(Math.random() * 256)))).subarray(1);
    const bomb = compressedTerm(Uint8Array.from([104, 2, ...noise, ...emptyTuples(4_000_000)]));
    expect(bomb.length).toBeGreaterThan(32 * 1024);
    const { violation } = await hostile(frameBytes(bomb), false);
    expect(violation.code).toBe('bad-frame-length');
    expect(violation.actual).toMatch(/maxSubscribeFrameBytes 32768/);
    await goodGotEverything();
  });

  it('a compressed bomb under 32 KiB before subscribing is refused at its tag 80, never inflated', async () => {
    const bomb = compressedTerm(emptyTuples(1_500_000));
    expect(bomb.length).toBeLessThan(32 * 1024);
    const { violation } = await hostile(frameBytes(bomb), false);
    expect(violation.code).toBe('bad-term');
    expect(violation.actual).toMatch(/compressed terms \(tag 80\) are not accepted/);
    await goodGotEverything();
  });

  it('a compressed subscription is refused too (clients never send tag 80)', async () => {
    const sub = compressedTerm(encodeTerm(subscriptionToTerm({ mask: NOTIF.DAEMON, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 })).subarray(1));
    const { violation } = await hostile(frameBytes(sub), false);
    expect(violation.code).toBe('bad-term');
    await goodGotEverything();
  });

  it('after subscribing: a compressed bomb, 2 MB of empty tuples and a 15 MB binary are refused by the budget', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [compressedTerm(emptyTuples(4_000_000)), /compressed terms \(tag 80\) are not accepted/],
      [Uint8Array.from([131, ...emptyTuples(1_000_000)]), /more than maxDecodedBytes 1048576/],
      [encodeTerm(tuple(atom('ack'), binary(new Uint8Array(15_000_000)))), /more than maxDecodedBytes 1048576/],
    ];
    for (const [payload, why] of cases) {
      const { violation } = await hostile(frameBytes(payload), true);
      expect(violation.code).toBe('bad-term');
      expect(violation.actual).toMatch(why);
    }
    await goodGotEverything();
    // The journal kept a bounded record of the refused frames, not their terms.
    const bad = st.server.journal.entries().filter((e) => e.kind === 'bad-frame');
    expect(bad.length).toBe(3);
    for (const e of bad) expect(e.raw?.length ?? 0).toBeLessThanOrEqual(JOURNAL_RAW_BYTES);
  });

  it('ten frames of 3 MB (under a raised budget) leave no term in the journal: size, preview and first bytes', async () => {
    await good.close();
    await st.close();
    st = await startServer({ maxDecodedBytes: 32 << 20 });
    good = await connect(st.tcp, { mask: NOTIF.DAEMON });
    sent = [];
    n = 0;
    for (let i = 0; i < 10; i += 1) {
      const payload = encodeTerm(tuple(atom('ack'), binary(new Uint8Array(3_000_000).fill(66))));
      const { violation } = await hostile(frameBytes(payload), true);
      expect(violation.code).toBe('bad-ack');
    }
    await goodGotEverything();
    const big = st.server.journal.entries().filter((e) => e.direction === 'in' && (e.size ?? 0) > 1_000_000);
    expect(big).toHaveLength(10);
    for (const e of big) {
      expect(e.kind).toBe('frame');
      expect(e.term).toBeUndefined();
      expect(e.preview).toMatch(/^\{ack,<<"BBBB/);
    }
    expect(st.server.journal.bytes).toBeLessThan(1 << 20);
  });

  it('budgets are options: a larger subscription budget and frame limit take a larger subscription frame', async () => {
    await good.close();
    await st.close();
    st = await startServer({ maxSubscribeFrameBytes: 1 << 20, maxSubscribeDecodedBytes: 64 });
    // 64 estimated bytes is less than any subscription costs: refused as a bad term.
    await expect(connect(st.tcp, { mask: NOTIF.DAEMON })).rejects.toMatchObject({ code: expect.stringMatching(/^NSOMOCK_CLIENT_/) });
    expect(st.server.violations.at(-1)).toMatchObject({ code: 'bad-term', actual: expect.stringMatching(/maxDecodedBytes 64 /) });
    await st.close();
    st = await startServer({ maxSubscribeFrameBytes: 1 << 20 });
    good = await connect(st.tcp, { mask: NOTIF.DAEMON });
    sent = [];
    n = 0;
    await goodGotEverything();
  });
});
