import { describe, expect, it } from 'vitest';
import { dateTimeFromMillis, type StreamRequest } from '../../src/codec/index.js';
import { dateTimeToMillis, planReplay, StreamRegistry, type StreamEvent, type StreamInfo } from '../../src/server/streams.js';

const T0 = Date.UTC(2023, 10, 14, 12, 0, 0);

const dt = dateTimeFromMillis;

const ev = (ms: number): StreamEvent => ({ type: 'stream-event', event: 1, event_time: dt(ms), values: [] });
const req = (startTime?: number, stopTime?: number): StreamRequest => ({
  name: 'NETCONF',
  usid: 0,
  useIkp: false,
  ...(startTime === undefined ? {} : { startTime: dt(startTime) }),
  ...(stopTime === undefined ? {} : { stopTime: dt(stopTime) }),
});
const info = (over: Partial<StreamInfo> = {}): StreamInfo => ({ name: 'NETCONF', replaySupport: true, maxHistory: 100, historySize: 0, logStart: T0, ...over });

describe('dateTimeToMillis (§9.3)', () => {
  it('applies the timezone offset, and treats no timezone as UTC', () => {
    expect(dateTimeToMillis(dt(T0))).toBe(T0);
    expect(dateTimeToMillis({ ...dt(T0), timezone: 1, timezone_minutes: 30 })).toBe(T0 - 90 * 60_000);
    expect(dateTimeToMillis({ ...dt(T0), timezone: null })).toBe(T0);
    expect(dateTimeToMillis({ ...dt(T0), micro: 1500 })).toBe(T0 + 1.5);
  });
});

describe('planReplay (§14)', () => {
  const history = [ev(T0 + 3000), ev(T0 + 1000), ev(T0 + 2000)];

  it('no start time: live only, nothing replayed', () => {
    expect(planReplay(info(), history, req(), T0 + 5000)).toEqual({ send: [], phase: 'live' });
  });

  it('start only: matching events in time order, replay_complete, then live', () => {
    const plan = planReplay(info(), history, req(T0 + 1500), T0 + 5000);
    expect(plan.phase).toBe('live');
    expect(plan.send.map((n) => (n.event === 1 ? dateTimeToMillis(n.event_time) : n.event))).toEqual([T0 + 2000, T0 + 3000, 3]);
    expect(plan.stopAt).toBeUndefined();
  });

  it('stop in the future: replay up to now, replay_complete, stop timer', () => {
    const plan = planReplay(info(), history, req(T0, T0 + 10_000), T0 + 5000);
    expect(plan.send.map((n) => n.event)).toEqual([1, 1, 1, 3]);
    expect(plan).toMatchObject({ phase: 'live', stopAt: T0 + 10_000 });
  });

  it('stop in the past: replay up to the stop, replay_complete, notification_complete', () => {
    const plan = planReplay(info(), history, req(T0, T0 + 2000), T0 + 5000);
    expect(plan.send.map((n) => (n.event === 1 ? dateTimeToMillis(n.event_time) : n.event))).toEqual([T0 + 1000, T0 + 2000, 3, 2]);
    expect(plan.phase).toBe('done');
  });

  it('replay impossible: replay_failed and nothing else', () => {
    for (const [stream, request] of [
      [info({ replaySupport: false }), req(T0)],
      [info({ logStart: T0 + 1 }), req(T0)],
      [info(), req(T0 + 9000)],
      [info(), req(T0 + 2000, T0 + 1000)],
    ] as const) {
      const plan = planReplay(stream, history, request, T0 + 5000);
      expect(plan.phase).toBe('done');
      expect(plan.send).toHaveLength(1);
      expect(plan.send[0]).toMatchObject({ event: 4, error: expect.any(String) });
    }
  });
});

describe('StreamRegistry', () => {
  it('keeps a bounded history and moves the log start past evicted events', () => {
    const r = new StreamRegistry();
    r.define('s', { maxHistory: 2 }, T0);
    r.record('s', ev(T0 + 1));
    r.record('s', ev(T0 + 2));
    r.record('s', ev(T0 + 3));
    expect(r.history('s').map((e) => dateTimeToMillis(e.event_time))).toEqual([T0 + 2, T0 + 3]);
    expect(r.get('s')?.logStart).toBeGreaterThan(T0 + 1);
    expect(r.plan({ ...req(T0), name: 's' }, T0 + 10)?.send[0]).toMatchObject({ event: 4 });
    expect(r.plan({ ...req(T0 + 2), name: 's' }, T0 + 10)?.send.map((n) => n.event)).toEqual([1, 1, 3]);
    expect(r.plan({ ...req(), name: 'nope' }, T0)).toBeUndefined();
  });

  it('refuses unknown streams and bad definitions with NSOMOCK_SERVER_STREAM', () => {
    const r = new StreamRegistry();
    expect(() => r.record('x', ev(T0))).toThrow(expect.objectContaining({ code: 'NSOMOCK_SERVER_STREAM' }));
    expect(() => r.define('', {}, T0)).toThrow(expect.objectContaining({ code: 'NSOMOCK_SERVER_STREAM' }));
    expect(() => r.define('x', { maxHistory: -1 }, T0)).toThrow(expect.objectContaining({ code: 'NSOMOCK_SERVER_STREAM' }));
    expect(r.list()).toEqual([]);
  });

  it('backdates the log: logStart in the past, history placed by event time', () => {
    const r = new StreamRegistry();
    const now = T0 + 60_000;
    const defined = r.define('s', { logStart: new Date(T0) }, now, [ev(T0 + 3000), ev(T0 + 1000), ev(T0 + 2000)]);
    expect(defined).toMatchObject({ logStart: T0, historySize: 3 });
    r.record('s', ev(now));
    r.record('s', ev(T0 + 1500)); // a live event dated in the past lands in order
    expect(r.history('s').map((e) => dateTimeToMillis(e.event_time) - T0)).toEqual([1000, 1500, 2000, 3000, 60_000]);
    expect(r.plan({ ...req(T0 + 1800), name: 's' }, now)?.send.map((n) => (n.event === 1 ? dateTimeToMillis(n.event_time) - T0 : n.event))).toEqual([
      2000, 3000, 60_000, 3,
    ]);
    expect(r.plan({ ...req(T0 - 1), name: 's' }, now)?.send).toEqual([expect.objectContaining({ event: 4 })]);
    // A redefinition keeps the log start unless given again; it can move it, but not before evictions.
    expect(r.define('s', {}, now).logStart).toBe(T0);
    expect(r.define('s', { logStart: T0 + 500 }, now).logStart).toBe(T0 + 500);
    expect(r.define('s', { logStart: T0 - 10_000, maxHistory: 2 }, now).logStart).toBeGreaterThan(T0 + 2000);
    expect(r.history('s').map((e) => dateTimeToMillis(e.event_time) - T0)).toEqual([3000, 60_000]);
    expect(r.define('s', { logStart: T0 - 10_000, maxHistory: 2 }, now).logStart).toBeGreaterThan(T0 + 2000);
  });

  it('refuses a log start in the future and history outside logStart..now', () => {
    const r = new StreamRegistry();
    const stream = expect.objectContaining({ code: 'NSOMOCK_SERVER_STREAM' });
    expect(() => r.define('s', { logStart: T0 + 1 }, T0)).toThrow(stream);
    expect(() => r.define('s', { logStart: Number.NaN }, T0)).toThrow(stream);
    expect(() => r.define('s', { logStart: T0 - 1000 }, T0, [ev(T0 - 1001)])).toThrow(stream);
    expect(() => r.define('s', { logStart: T0 - 1000 }, T0, [ev(T0 + 1)])).toThrow(expect.objectContaining({ message: expect.stringContaining('after now') }));
    expect(r.list()).toEqual([]);
  });
});
