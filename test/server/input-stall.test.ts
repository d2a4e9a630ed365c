/**
 * A half-sent header or frame that makes no progress closes its connection with `input-stall`
 * (inputStallTimeoutMs, on the injected clock), before and after the subscription, while a good
 * subscriber loses nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NotifClient } from '../../src/client/index.js';
import { NOTIF, subscriptionToTerm } from '../../src/codec/index.js';
import { startServer, until, waitFor, type Started } from './helpers.js';
import { cHeader, frameOf, rawConnect, type RawClient } from './raw-socket.js';

const SUBSCRIBE = frameOf(subscriptionToTerm({ mask: NOTIF.DAEMON, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 }));

let st: Started | undefined;
let good: NotifClient | undefined;
afterEach(async () => {
  await good?.close();
  await st?.close();
  st = undefined;
  good = undefined;
});

async function setup(options: Parameters<typeof startServer>[0] = {}): Promise<{ st: Started; good: NotifClient; check: () => Promise<void> }> {
  st = await startServer(options);
  good = await connect(st.tcp, { mask: NOTIF.DAEMON });
  const s = st;
  const g = good;
  const sent: string[] = [];
  const check = async (): Promise<void> => {
    for (let i = 0; i < 5; i += 1) {
      const msg = `m${sent.length}`;
      s.server.emit({ type: 'daemon', msg });
      sent.push(msg);
    }
    const got = (await g.take(5)).map((r) => (r.notification.type === 'daemon' ? r.notification.msg : r.type));
    expect(got).toEqual(sent.slice(-5));
  };
  return { st, good, check };
}


function held(s: Started, id: number): number | undefined {
  return s.server.connections().find((c) => c.id === id)?.heldInputBytes;
}

async function subscribedRaw(s: Started): Promise<{ client: RawClient; id: number }> {
  const client = await rawConnect(s.tcp);
  const subscribed = waitFor(s.server, 'subscribed');
  await client.write(cHeader());
  await client.waitBytes(9);
  await client.write(SUBSCRIBE);
  const [info] = await subscribed;
  return { client, id: info.id };
}

describe('input-stall', () => {
  it('after subscribing: half an ack held without progress is closed after inputStallTimeoutMs, not before', async () => {
    const { st: s, check } = await setup({ inputStallTimeoutMs: 5000 });
    const { client, id } = await subscribedRaw(s);
    await check();
    // 4-byte length prefix of a 100-byte frame, then 10 of its bytes.
    await client.write(Uint8Array.from([0, 0, 0, 100, 131, 104, 2, 97, 17, 100, 0, 4, 100, 111]));
    await until(() => held(s, id) === 14, 'the server holds the 14 bytes');
    s.clock.advance(4999);
    await check();
    expect(s.server.violations).toEqual([]);
    // A byte of progress restarts the wait.
    await client.write(Uint8Array.of(110));
    await until(() => held(s, id) === 15, 'the server holds the 15th byte');
    s.clock.advance(4999);
    await check();
    expect(s.server.violations).toEqual([]);
    const violation = waitFor(s.server, 'violation');
    s.clock.advance(1);
    const [v] = await violation;
    expect(v).toMatchObject({ code: 'input-stall', connectionId: id, closed: true });
    expect(v.actual).toMatch(/^15 bytes of an incomplete frame held with no byte for 5000 ms \(limit 5000 ms\)$/);
    await client.closed;
    await check();
    const closed = s.server.journal.entries(id).filter((e) => e.kind === 'bad-frame');
    expect(closed).toEqual([]);
  });

  it('before subscribing (init window off): half a subscription frame is closed with input-stall', async () => {
    const { st: s, check } = await setup({ inputStallTimeoutMs: 2000, initTimeoutMs: 0 });
    const client = await rawConnect(s.tcp);
    await client.write(cHeader());
    await client.waitBytes(9);
    await client.write(SUBSCRIBE.subarray(0, 7));
    await until(() => s.server.connections().some((c) => c.heldInputBytes === 7), 'the server holds the 7 bytes');
    const violation = waitFor(s.server, 'violation');
    s.clock.advance(2000);
    const [v] = await violation;
    expect(v).toMatchObject({ code: 'input-stall', closed: true });
    expect(v.actual).toMatch(/^7 bytes of an incomplete frame/);
    await client.closed;
    await check();
  });

  it('half a connect header is an incomplete header', async () => {
    const { st: s, check } = await setup({ inputStallTimeoutMs: 1000, initTimeoutMs: 0 });
    const client = await rawConnect(s.tcp);
    await client.write(cHeader().subarray(0, 4));
    await until(() => s.server.connections().some((c) => c.heldInputBytes === 4), 'the server holds the 4 bytes');
    const violation = waitFor(s.server, 'violation');
    s.clock.advance(1000);
    const [v] = await violation;
    expect(v.code).toBe('input-stall');
    expect(v.actual).toMatch(/^4 bytes of an incomplete header/);
    await client.closed;
    await check();
  });

  it('a connection that holds no incomplete input is never stalled, and 0 turns the check off', async () => {
    const { st: s, check } = await setup({ inputStallTimeoutMs: 1000 });
    const { client } = await subscribedRaw(s);
    s.clock.advance(60_000);
    await check();
    expect(s.server.violations).toEqual([]);
    client.destroy();
    await st?.close();
    good = undefined;
    const again = await setup({ inputStallTimeoutMs: 0 });
    const raw = await subscribedRaw(again.st);
    await raw.client.write(Uint8Array.of(0, 0, 0, 50, 131));
    await until(() => held(again.st, raw.id) === 5, 'the server holds the 5 bytes');
    again.st.clock.advance(3_600_000);
    await again.check();
    expect(again.st.server.violations).toEqual([]);
    raw.client.destroy();
  });
});
