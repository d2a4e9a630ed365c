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
import { NOTIF, subscriptionToTerm } from '../../src/codec/index.js';
import { fcRuns } from '../support/fc-config.js';
import { startServer, until, waitFor } from './helpers.js';
import { cHeader, frameOf, rawConnect } from './raw-socket.js';

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
