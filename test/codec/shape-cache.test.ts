import { describe, expect, it } from 'vitest';
import { ShapeCache } from '../../src/codec/shape-cache.js';

/** Calls `missed(key)` `n` times; how many of them asked for code to be generated. */
function miss(cache: ShapeCache<string>, key: number, n: number): number {
  let asked = 0;
  for (let i = 0; i < n; i++) if (cache.missed(key)) asked++;
  return asked;
}

describe('ShapeCache', () => {
  it('asks for code after `warmup` general operations of a slot, not before', () => {
    const cache = new ShapeCache<string>(4);
    cache.setWarmup(3);
    expect(miss(cache, 1, 2)).toBe(0);
    expect(cache.missed(1)).toBe(true);
    cache.set(1, 'f1');
    expect(cache.get(1)).toBe('f1');
    expect(cache.get(2)).toBeUndefined();
    expect(cache.statsSnapshot()).toEqual({ compiles: 1, shaped: 0, general: 3 });
  });

  it('does not regenerate while the function hits more than four times as often as the slot misses', () => {
    const cache = new ShapeCache<string>(4);
    cache.setWarmup(2);
    expect(miss(cache, 0, 2)).toBe(1);
    cache.set(0, 'f');
    for (let i = 0; i < 40; i++) cache.hit(0);
    // 40 hits: up to 10 misses (40 >> 2) are tolerated, the 11th asks again.
    expect(miss(cache, 0, 10)).toBe(0);
    expect(cache.missed(0)).toBe(true);
    // A failed generation (undefined) keeps the function the slot had.
    cache.set(0, undefined);
    expect(cache.get(0)).toBe('f');
    expect(cache.statsSnapshot()).toEqual({ compiles: 2, shaped: 40, general: 13 });
  });

  it('generates at most 8 times per slot and 256 times in all, and never after disable()', () => {
    const perSlot = new ShapeCache<string>(2);
    perSlot.setWarmup(1);
    expect(miss(perSlot, 0, 100)).toBe(8);

    const total = new ShapeCache<string>(64);
    total.setWarmup(1);
    let asked = 0;
    for (let key = 0; key < 64; key++) asked += miss(total, key, 10);
    expect(asked).toBe(256);

    const disabled = new ShapeCache<string>(2);
    disabled.setWarmup(1);
    disabled.disable();
    expect(miss(disabled, 0, 10)).toBe(0);
  });

  it('counts a term with no slot (negative key) as general and never asks for code', () => {
    const cache = new ShapeCache<string>(2);
    cache.setWarmup(1);
    expect(miss(cache, -1, 5)).toBe(0);
    expect(cache.statsSnapshot()).toEqual({ compiles: 0, shaped: 0, general: 5 });
    expect(cache.setWarmup(7)).toBe(1);
  });
});
