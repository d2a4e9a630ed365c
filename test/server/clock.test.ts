import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRealClock, ManualClock, MAX_TIMER_CHUNK_MS, realClock, type TimerHost } from '../../src/server/clock.js';
import { fcRuns } from '../support/fc-config.js';

describe('ManualClock', () => {
  it('fires timers in due order, with now() at each due time', () => {
    const clock = new ManualClock({ now: 1000 });
    const seen: [string, number][] = [];
    clock.setTimeout(() => seen.push(['b', clock.now()]), 20);
    clock.setTimeout(() => seen.push(['a', clock.now()]), 10);
    clock.setTimeout(() => seen.push(['c', clock.now()]), 20);
    expect(clock.advance(15)).toBe(1);
    expect(seen).toEqual([['a', 1010]]);
    expect(clock.now()).toBe(1015);
    clock.advance(100);
    expect(seen).toEqual([
      ['a', 1010],
      ['b', 1020],
      ['c', 1020],
    ]);
    expect(clock.now()).toBe(1115);
  });

  it('fires timers scheduled by a callback within the same advance', () => {
    const clock = new ManualClock();
    const times: number[] = [];
    const tick = (): void => {
      times.push(clock.now());
      if (times.length < 5) clock.setTimeout(tick, 1000);
    };
    clock.setTimeout(tick, 1000);
    clock.advance(10_000);
    expect(times).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('does not fire cancelled timers', () => {
    const clock = new ManualClock();
    let fired = false;
    const t = clock.setTimeout(() => (fired = true), 5);
    clock.clearTimeout(t);
    expect(clock.nextDue()).toBeUndefined();
    clock.advance(10);
    expect(fired).toBe(false);
  });

  it('runNext moves to the next due time', () => {
    const clock = new ManualClock();
    clock.setTimeout(() => undefined, 250);
    expect(clock.runNext()).toBe(true);
    expect(clock.now()).toBe(250);
    expect(clock.runNext()).toBe(false);
  });

  it('refuses a negative advance', () => {
    expect(() => new ManualClock().advance(-1)).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
  });

  it('realClock reads the wall clock', () => {
    const before = Date.now();
    expect(realClock.now()).toBeGreaterThanOrEqual(before);
    const t = realClock.setTimeout(() => undefined, 10_000);
    realClock.clearTimeout(t);
  });

  describe('realClock and long delays', () => {
    /** A host whose timers fire only when the test says so: the armed delays are recorded. */
    function fakeHost(): TimerHost & { armed: number[]; live: Set<() => void>; fireNext(): void } {
      const queue: { callback: () => void; delay: number }[] = [];
      const live = new Set<() => void>();
      return {
        armed: [],
        live,
        setTimeout(callback, delayMs) {
          this.armed.push(delayMs);
          queue.push({ callback, delay: delayMs });
          live.add(callback);
          return callback;
        },
        clearTimeout(handle) {
          live.delete(handle as () => void);
        },
        fireNext() {
          const next = queue.shift();
          if (next !== undefined && live.delete(next.callback)) next.callback();
        },
      };
    }

    it('arms a delay beyond 2^31-1 ms in chunks and fires only after the last one', () => {
      const host = fakeHost();
      const clock = createRealClock({ host });
      let fired = 0;
      const delay = 2 * MAX_TIMER_CHUNK_MS + 5;
      clock.setTimeout(() => (fired += 1), delay);
      expect(host.armed).toEqual([MAX_TIMER_CHUNK_MS]);
      host.fireNext();
      host.fireNext();
      expect(fired).toBe(0);
      expect(host.armed).toEqual([MAX_TIMER_CHUNK_MS, MAX_TIMER_CHUNK_MS, 5]);
      host.fireNext();
      expect(fired).toBe(1);
    });

    it('cancels whichever chunk is armed', () => {
      const host = fakeHost();
      const clock = createRealClock({ host, maxChunkMs: 10 });
      let fired = false;
      const t = clock.setTimeout(() => (fired = true), 25);
      host.fireNext();
      expect(host.armed).toEqual([10, 10]);
      clock.clearTimeout(t);
      expect(host.live.size).toBe(0);
      host.fireNext();
      expect(fired).toBe(false);
      expect(host.armed).toEqual([10, 10]);
    });

    it('never fires an infinite delay, and counts negative and NaN delays as 0', () => {
      const host = fakeHost();
      const clock = createRealClock({ host, maxChunkMs: 7 });
      let fired = false;
      clock.setTimeout(() => (fired = true), Infinity);
      for (let i = 0; i < 100; i += 1) host.fireNext();
      expect(fired).toBe(false);
      expect(host.armed.every((d) => d === 7)).toBe(true);
      const zero = fakeHost();
      const other = createRealClock({ host: zero });
      other.setTimeout(() => undefined, -5);
      other.setTimeout(() => undefined, NaN);
      expect(zero.armed).toEqual([0, 0]);
    });

    it('refuses a chunk size Node cannot arm', () => {
      expect(() => createRealClock({ maxChunkMs: MAX_TIMER_CHUNK_MS + 1 })).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
      expect(() => createRealClock({ maxChunkMs: 0 })).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
    });

    it('arms a 1000 h timer on Node without a TimeoutOverflowWarning', async () => {
      const warnings: string[] = [];
      const onWarning = (w: Error): void => void warnings.push(w.name);
      process.on('warning', onWarning);
      try {
        const t = realClock.setTimeout(() => undefined, 1000 * 3_600_000);
        realClock.clearTimeout(t);
        // Node emits the warning on the next tick of the timer call; let it through.
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off('warning', onWarning);
      }
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    });
  });

  describe('properties', () => {
    it('fires every timer exactly once, sorted by (due, scheduling order)', () => {
      fc.assert(
        fc.property(fc.array(fc.nat(1000), { maxLength: 60 }), fc.array(fc.nat(300), { minLength: 1, maxLength: 10 }), (delays, steps) => {
          const clock = new ManualClock();
          const fired: number[] = [];
          delays.forEach((d, i) => clock.setTimeout(() => fired.push(i), d));
          for (const s of steps) clock.advance(s);
          clock.advance(1000);
          const expected = delays.map((d, i) => [d, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
          expect(fired).toEqual(expected);
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});
