/**
 * Heartbeats and health checks on the injected clock (§13), and named-stream replay (§14), over
 * real sockets. No test sleeps: time moves only when the ManualClock is advanced.
 */
import { describe, expect, it } from 'vitest';
import type { ReceivedNotification } from '../../src/client/index.js';
import { NOTIF, type TagValueInput } from '../../src/codec/index.js';
import { useServerPerTest } from './helpers.js';

const s = useServerPerTest();
const client = s.client;

/** What each open client received since the last call: everything up to a sentinel (reopen-logs) emitted to all now. */
async function receivedSoFar(): Promise<string[][]> {
  s.server.emit({ type: 'reopen-logs' });
  return Promise.all(
    s.clients.map(async (c) => {
      const out: string[] = [];
      for (let r = await c.next(); r.type !== 'reopen-logs'; r = await c.next()) out.push(r.type);
      return out;
    }),
  );
}

describe('heartbeat and health check (§13)', () => {
  it('sends each at its interval, first one interval after the subscription', async () => {
    await client({ mask: NOTIF.HEARTBEAT | NOTIF.HEALTH_CHECK | NOTIF.REOPEN_LOGS, heartbeatInterval: 2000, healthCheckInterval: 5000 });
    s.clock.advance(1999);
    expect(await receivedSoFar()).toEqual([[]]);
    s.clock.advance(1);
    expect(await receivedSoFar()).toEqual([['heartbeat']]);
    s.clock.advance(8000);
    // t = 4000 hb, 5000 hc, 6000 hb, 8000 hb, 10000 hc + hb (the health check was armed earlier, at 5000)
    expect(await receivedSoFar()).toEqual([['heartbeat', 'health-check', 'heartbeat', 'heartbeat', 'health-check', 'heartbeat']]);
    expect(s.server.subscribers()[0]?.delivered).toBe(7 + 3);
  });

  it('raises intervals below minHeartbeatIntervalMs (1000 by default; configurable for tests)', async () => {
    await client({ mask: NOTIF.HEARTBEAT | NOTIF.REOPEN_LOGS, heartbeatInterval: 10 });
    s.clock.advance(999);
    expect(await receivedSoFar()).toEqual([[]]);
    s.clock.advance(1);
    expect(await receivedSoFar()).toEqual([['heartbeat']]);
    await s.restart({ minHeartbeatIntervalMs: 10 });
    await client({ mask: NOTIF.HEARTBEAT | NOTIF.REOPEN_LOGS, heartbeatInterval: 10 });
    s.clock.advance(50);
    expect(await receivedSoFar()).toEqual([Array(5).fill('heartbeat')]);
  });

  it('hang stops periodic frames (per connection and server-wide) and resume restarts them', async () => {
    const hb = { mask: NOTIF.HEARTBEAT | NOTIF.REOPEN_LOGS, heartbeatInterval: 1000 };
    await client(hb);
    await client(hb);
    s.server.connection(1).hang(true);
    s.clock.advance(3000);
    expect(await receivedSoFar()).toEqual([[], ['heartbeat', 'heartbeat', 'heartbeat']]);
    s.server.connection(1).hang(false);
    s.clock.advance(1000);
    expect(await receivedSoFar()).toEqual([['heartbeat'], ['heartbeat']]);
    s.server.hang(true);
    await client(hb);
    s.clock.advance(5000);
    expect(await receivedSoFar()).toEqual([[], [], []]);
    s.server.hang(false);
    s.clock.advance(1000);
    expect(await receivedSoFar()).toEqual([['heartbeat'], ['heartbeat'], ['heartbeat']]);
  });
});

const T0 = Date.UTC(2023, 10, 14, 12, 0, 0);
const value = (n: number): TagValueInput[] => [
  { ns: 1928374655, tag: 101, xml: 'start' },
  { ns: 1928374655, tag: 102, v: n },
  { ns: 1928374655, tag: 101, xml: 'stop' },
];

function describeStream(r: ReceivedNotification): string {
  const n = r.notification;
  if (n.type !== 'stream-event') return n.type;
  if (n.event === 1) return `event@${n.event_time.sec}`;
  return ['', '', 'notification-complete', 'replay-complete', 'replay-failed'][n.event] ?? '?';
}

describe('named streams (§14)', () => {
  async function withHistory(): Promise<void> {
    s.server.streams.define('NETCONF', { replaySupport: true });
    for (const sec of [10, 20, 30]) {
      s.clock.advanceTo(T0 + sec * 1000);
      s.server.streams.publish('NETCONF', { values: value(sec) });
    }
    expect(s.server.streams.history('NETCONF')).toHaveLength(3);
  }

  it('live only without a start time; never completes', async () => {
    await withHistory();
    const c = await client({ mask: NOTIF.STREAM_EVENT, stream: { name: 'NETCONF' } });
    s.clock.advanceTo(T0 + 40_000);
    s.server.streams.publish('NETCONF', { values: value(40) });
    expect(describeStream(await c.next())).toBe('event@40');
    expect(s.server.subscribers()[0]?.stream).toEqual({ name: 'NETCONF', phase: 'live' });
  });

  it('start time: replay from it, replay_complete, then live events', async () => {
    await withHistory();
    const c = await client({ mask: NOTIF.STREAM_EVENT, stream: { name: 'NETCONF', startTime: new Date(T0 + 15_000) } });
    s.clock.advanceTo(T0 + 40_000);
    s.server.streams.publish('NETCONF', { values: value(40) });
    expect((await c.take(4)).map(describeStream)).toEqual(['event@20', 'event@30', 'replay-complete', 'event@40']);
  });

  it('start and future stop: replay, replay_complete, live, notification_complete at the stop time, then no stream events', async () => {
    await withHistory();
    const c = await client({
      mask: NOTIF.STREAM_EVENT | NOTIF.AUDIT,
      stream: { name: 'NETCONF', startTime: new Date(T0 + 5000), stopTime: new Date(T0 + 60_000) },
    });
    s.clock.advanceTo(T0 + 40_000);
    s.server.streams.publish('NETCONF', { values: value(40) });
    s.clock.advanceTo(T0 + 60_000);
    s.server.streams.publish('NETCONF', { values: value(0) });
    // §7: the socket stays open and other types keep flowing.
    s.server.emit({ type: 'audit', msg: 'after' });
    expect((await c.take(7)).map(describeStream)).toEqual(['event@10', 'event@20', 'event@30', 'replay-complete', 'event@40', 'notification-complete', 'audit']);
    expect(s.server.subscribers()[0]?.stream?.phase).toBe('done');
  });

  it('stop already past: replay up to it, replay_complete, notification_complete', async () => {
    await withHistory();
    s.clock.advanceTo(T0 + 100_000);
    const c = await client({ mask: NOTIF.STREAM_EVENT, stream: { name: 'NETCONF', startTime: new Date(T0), stopTime: new Date(T0 + 25_000) } });
    expect((await c.take(4)).map(describeStream)).toEqual(['event@10', 'event@20', 'replay-complete', 'notification-complete']);
  });

  it('a backdated log (logStart + history): replay from inside it in event-time order, replay_complete, then live', async () => {
    s.clock.advanceTo(T0 + 50_000);
    s.server.streams.define('events', { logStart: T0 });
    const early = await client({ mask: NOTIF.STREAM_EVENT, stream: { name: 'events' } });
    // Given out of order, to the defined stream; history is the past, so its live subscriber does not get it.
    s.server.streams.define('events', { history: [30, 10, 20].map((sec) => ({ event_time: new Date(T0 + sec * 1000), values: value(sec) })) });
    const c = await client({ mask: NOTIF.STREAM_EVENT, stream: { name: 'events', startTime: new Date(T0 + 15_000) } });
    expect(s.server.streams.history('events')).toHaveLength(3);
    s.clock.advanceTo(T0 + 55_000);
    s.server.streams.publish('events', { values: value(55) });
    expect((await c.take(4)).map(describeStream)).toEqual(['event@20', 'event@30', 'replay-complete', 'event@55']);
    expect(describeStream(await early.next())).toBe('event@55');
  });

  it('a start time before the log start: {replay_failed, Reason}', async () => {
    s.clock.advanceTo(T0 + 60_000);
    s.server.streams.define('events', { logStart: T0, history: [{ event_time: new Date(T0), values: value(0) }] });
    const c = await client({ mask: NOTIF.STREAM_EVENT | NOTIF.AUDIT, stream: { name: 'events', startTime: new Date(T0 - 1000) } });
    s.server.streams.publish('events', { values: value(60) });
    s.server.emit({ type: 'audit' });
    const [failed, next] = await c.take(2);
    expect(failed?.notification).toMatchObject({ type: 'stream-event', event: 4, error: expect.stringContaining('before the replay log') });
    expect(next?.type).toBe('audit');
  });

  it('replay impossible: {replay_failed, Reason} and no stream events afterwards', async () => {
    s.server.streams.define('nolog', { replaySupport: false });
    const c = await client({ mask: NOTIF.STREAM_EVENT | NOTIF.AUDIT, stream: { name: 'nolog', startTime: new Date(T0 - 1000) } });
    s.server.streams.publish('nolog', {});
    s.server.emit({ type: 'audit' });
    const [failed, next] = await c.take(2);
    expect(failed?.notification).toMatchObject({ type: 'stream-event', event: 4, error: expect.stringContaining('no replay support') });
    expect(next?.type).toBe('audit');
  });

  it('events of other streams do not reach a stream subscriber; raw stream emits reach every live one', async () => {
    s.server.streams.define('A');
    s.server.streams.define('B');
    const a = await client({ mask: NOTIF.STREAM_EVENT, stream: { name: 'A' } });
    const b = await client({ mask: NOTIF.STREAM_EVENT, stream: { name: 'B' } });
    expect(s.server.streams.publish('A', { values: value(1) }).recipients).toEqual([1]);
    expect(s.server.emit({ type: 'stream-event', event: 'replay-complete' }).recipients).toEqual([1, 2]);
    expect((await a.take(2)).map(describeStream)).toEqual([expect.stringMatching(/^event@/), 'replay-complete']);
    expect((await b.next()).notification).toMatchObject({ event: 3 });
    expect(() => s.server.streams.publish('nope', {})).toThrow(expect.objectContaining({ code: 'NSOMOCK_SERVER_STREAM' }));
  });
});
