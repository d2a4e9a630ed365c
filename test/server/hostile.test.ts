/**
 * A hostile client never costs another client an event (STYLE.md §5.4, PROTOCOL.md §17): random
 * bytes, malformed frames and truncations at any stage of the exchange, written in arbitrary
 * chunks while notifications are being emitted. Valid traffic cut into arbitrary chunks still
 * subscribes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { malformedBytes, rechunk } from '../../src/arbitraries/malformed.js';
import { connect } from '../../src/client/index.js';
import { formatTerm, frameBytes, NOTIF, subscriptionToTerm } from '../../src/codec/index.js';
import { fcRuns } from '../support/fc-config.js';
import { startServer, until, waitFor, type Started } from './helpers.js';
import { cHeader, frameOf, rawConnect, type RawClient } from './raw-socket.js';

const SUBSCRIBE = frameOf(subscriptionToTerm({ mask: NOTIF.DAEMON, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 }));

type Stage = 'before-header' | 'after-header' | 'after-subscribe';

function prefixOf(stage: Stage): Uint8Array {
  if (stage === 'before-header') return new Uint8Array(0);
  if (stage === 'after-header') return cHeader();
  return Uint8Array.from([...cHeader(), ...SUBSCRIBE]);
}

const junk = fc.oneof(
  malformedBytes({ maxFrameBytes: 64 * 1024 }).map((m) => m.bytes),
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
);

describe('properties', () => {
  it('hostile bytes at any stage, in any chunking, cost the other subscribers nothing', async () => {
    const scenario = fc
      .record({
        stage: fc.constantFrom<Stage>('before-header', 'after-header', 'after-subscribe'),
        junk,
        endAfter: fc.boolean(),
        before: fc.nat(4),
        between: fc.nat(3),
      })
      .chain((r) => {
        const bytes = Uint8Array.from([...prefixOf(r.stage), ...r.junk]);
        return rechunk(bytes, { maxChunks: 6 }).map((chunks) => ({ ...r, chunks }));
      });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ chunks, endAfter, before, between }) => {
        const st = await startServer({ maxFrameBytes: 64 * 1024 });
        try {
          const a = await connect({ path: st.unix }, { mask: NOTIF.AUDIT | NOTIF.DAEMON });
          const b = await connect(st.tcp, { mask: NOTIF.DAEMON });
          const expectedA: string[] = [];
          const expectedB: string[] = [];
          let n = 0;
          const emit = (): void => {
            const msg = `m${(n += 1)}`;
            if (n % 2 === 0) {
              st.server.emit({ type: 'audit', msg });
              expectedA.push(msg);
            } else {
              st.server.emit({ type: 'daemon', msg });
              expectedA.push(msg);
              expectedB.push(msg);
            }
          };
          for (let i = 0; i < before; i += 1) emit();
          const hostile = await rawConnect(st.tcp);
          for (const chunk of chunks) {
            await hostile.write(chunk);
            for (let i = 0; i < between; i += 1) emit();
          }
          if (endAfter) hostile.socket.end();
          await until(() => st.server.connections().length === 3 || hostile.socket.destroyed, 'the hostile connection is accepted');
          for (let i = 0; i < 3; i += 1) emit();
          const got = async (c: typeof a, count: number): Promise<string[]> =>
            (await c.take(count)).map((r) => (r.notification.type === 'audit' || r.notification.type === 'daemon' ? r.notification.msg : r.type));
          expect(await got(a, expectedA.length)).toEqual(expectedA);
          expect(await got(b, expectedB.length)).toEqual(expectedB);
          // Nothing a socket sent escaped as an exception, and the server still takes new clients.
          const c = await connect(st.tcp, { mask: NOTIF.DAEMON });
          st.server.emit({ type: 'daemon', msg: 'last' });
          expect((await c.next()).notification).toMatchObject({ msg: 'last' });
          expect(st.server.violations.every((v) => v.connectionId !== 1 && v.connectionId !== 2)).toBe(true);
          hostile.destroy();
          await Promise.all([a.close(), b.close(), c.close()]);
        } finally {
          await st.close();
        }
      }),
      { numRuns: fcRuns(0.5) },
    );
  });

  it('a valid exchange cut into arbitrary chunks still subscribes and receives', async () => {
    const bytes = Uint8Array.from([...cHeader(), ...SUBSCRIBE]);
    await fc.assert(
      fc.asyncProperty(rechunk(bytes, { maxChunks: 12 }), async (chunks) => {
        const st = await startServer();
        try {
          const r = await rawConnect(st.tcp);
          const subscribed = waitFor(st.server, 'subscribed');
          for (const chunk of chunks) await r.write(chunk);
          await subscribed;
          st.server.emit({ type: 'daemon', msg: 'x' });
          // 9-byte version reply + `ok` frame (10 bytes) + the daemon frame.
          const got = await r.waitBytes(19 + 1);
          expect(got.slice(9, 19)).toEqual(Uint8Array.from([0, 0, 0, 6, 131, 100, 0, 2, 111, 107]));
          expect(st.server.violations).toEqual([]);
          r.destroy();
        } finally {
          await st.close();
        }
      }),
      { numRuns: fcRuns(0.5) },
    );
  });
});

/** A frame holding one LARGE_BIG_EXT of `n` magnitude bytes 0xff (audit finding 1: `83 6f <n:u32> 00 ff…`). */
function bigIntFrame(n: number): Uint8Array {
  const payload = new Uint8Array(7 + n).fill(0xff);
  payload.set([131, 111, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, 0]);
  return frameBytes(payload);
}

/** A raw connection that has sent the C header and a subscription, once the server has it subscribed. */
async function subscribedRawClient(st: Started): Promise<RawClient> {
  const hostile = await rawConnect(st.tcp);
  const subscribed = waitFor(st.server, 'subscribed');
  await hostile.write(Uint8Array.from([...cHeader(), ...SUBSCRIBE]));
  await subscribed;
  return hostile;
}

describe('huge integers (audit finding 1: one frame used to stall the event loop for seconds)', () => {
  it('a 4 MiB integer after subscribing is refused by the decode limit with a short violation, and the journal formats fast', async () => {
    const st = await startServer();
    try {
      const hostile = await subscribedRawClient(st);
      const violation = waitFor(st.server, 'violation');
      await hostile.write(bigIntFrame(4 << 20));
      const [v] = await violation;
      expect(v.code).toBe('bad-term');
      expect(v.actual).toContain('exceeds maxBigIntBytes 1024');
      expect(v.actual.length).toBeLessThan(300);
      // Every journal entry formats within the formatter's cap (the control API's /journal view does this).
      for (const e of st.server.journal.entries()) if (e.term !== undefined) expect(formatTerm(e.term).length).toBeLessThan(1000);
      // The server still serves: a new subscriber gets an event.
      const c = await connect(st.tcp, { mask: NOTIF.DAEMON });
      st.server.emit({ type: 'daemon', msg: 'after' });
      expect((await c.next()).notification).toMatchObject({ msg: 'after' });
      hostile.destroy();
      await c.close();
    } finally {
      await st.close();
    }
  });

  it('an integer the decoder allows (1024 bytes) is reported in at most 200 characters', async () => {
    const st = await startServer();
    try {
      const hostile = await subscribedRawClient(st);
      const violation = waitFor(st.server, 'violation');
      await hostile.write(bigIntFrame(1024));
      const [v] = await violation;
      expect(v.code).toBe('bad-ack');
      expect(v.actual).toHaveLength(200);
      expect(v.actual.endsWith('…')).toBe(true);
      expect(v.actual.startsWith(((1n << 8192n) - 1n).toString().slice(0, 100))).toBe(true);
      hostile.destroy();
    } finally {
      await st.close();
    }
  });
});

/** A frame holding one binary, its payload `size` bytes long (a bad ack: recorded, connection kept, lenient). */
function binaryFrame(size: number): Uint8Array {
  const n = size - 6;
  const payload = new Uint8Array(size).fill(0x61);
  payload.set([131, 109, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  return frameBytes(payload);
}

describe('maxBufferedInputBytes (audit finding 11: no server-wide cap on partial frames)', () => {
  it('closes the connection whose partial frame would pass the total, and only that one', async () => {
    const st = await startServer({ maxBufferedInputBytes: 1000 });
    try {
      const subscribe = async (): Promise<Awaited<ReturnType<typeof rawConnect>>> => {
        const r = await rawConnect(st.tcp);
        const subscribed = waitFor(st.server, 'subscribed');
        await r.write(Uint8Array.from([...cHeader(), ...SUBSCRIBE]));
        await subscribed;
        return r;
      };
      const good = await connect(st.tcp, { mask: NOTIF.DAEMON });
      // a holds 604 bytes of a 2004-byte frame.
      const a = await subscribe();
      const aFrame = binaryFrame(2000);
      await a.write(aFrame.subarray(0, 604));
      // b's 504 more would make 1108 > 1000: b is closed, a is not.
      const b = await subscribe();
      const overflow = waitFor(st.server, 'violation');
      await b.write(binaryFrame(2000).subarray(0, 504));
      const [v] = await overflow;
      expect(v).toMatchObject({ code: 'input-overflow', closed: true });
      // (504 unless TCP split b's write; a's 604 arrived before b subscribed.)
      expect(v.actual).toMatch(/^\d+ bytes of an incomplete header or frame held, 604 by other connections, limit 1000 in all$/);
      await b.closed;
      // a completes its frame (a bad ack in lenient mode: recorded, not closed); its share is released.
      const aDone = waitFor(st.server, 'violation');
      await a.write(aFrame.subarray(604));
      expect((await aDone)[0]).toMatchObject({ code: 'bad-ack', closed: false });
      // With a's share gone, c may hold 900 bytes: its frame completes as a bad ack, not an overflow.
      const c = await subscribe();
      const cFrame = binaryFrame(1200);
      await c.write(cFrame.subarray(0, 904));
      const cDone = waitFor(st.server, 'violation');
      await c.write(cFrame.subarray(904));
      expect((await cDone)[0]).toMatchObject({ code: 'bad-ack', closed: false });
      st.server.emit({ type: 'daemon', msg: 'still here' });
      expect((await good.next()).notification).toMatchObject({ msg: 'still here' });
      expect(st.server.violations.map((x) => x.code)).toEqual(['input-overflow', 'bad-ack', 'bad-ack']);
      for (const r of [a, c]) r.destroy();
      await good.close();
    } finally {
      await st.close();
    }
  });

  it('is refused when negative, like the other limits', async () => {
    await expect(startServer({ maxBufferedInputBytes: -1 })).rejects.toMatchObject({ code: 'NSOMOCK_USAGE', details: { option: 'maxBufferedInputBytes' } });
  });
});
