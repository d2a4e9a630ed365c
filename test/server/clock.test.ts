import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock, realClock } from '../../src/server/clock.js';
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
    expect(() => new ManualClock().advance(-1)).toThrow(RangeError);
  });

  it('realClock reads the wall clock', () => {
    const before = Date.now();
    expect(realClock.now()).toBeGreaterThanOrEqual(before);
    const t = realClock.setTimeout(() => undefined, 10_000);
    realClock.clearTimeout(t);
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
