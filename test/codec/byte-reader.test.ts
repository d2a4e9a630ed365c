import { describe, expect, it } from 'vitest';
import { ByteReader, CodecError } from '../../src/codec/index.js';

describe('ByteReader', () => {
  it('reset() points it at a new input and clears the tag', () => {
    const r = new ByteReader(Uint8Array.of(1, 2, 3));
    r.u8();
    r.tag = 104;
    r.reset(Uint8Array.of(9, 8, 7, 6), 1, 3);
    expect(r.tag).toBeUndefined();
    expect(r.u8()).toBe(8);
    expect(r.u8()).toBe(7);
    expect(() => r.u8()).toThrow(CodecError);
  });
  it('bytesView() is a plain Uint8Array view at the right offset, even on a Buffer, and survives reset()', () => {
    const buf = Buffer.from([0, 0, 1, 2, 3, 4]).subarray(2);
    const r = new ByteReader(buf);
    r.u8();
    const v = r.bytesView(2);
    expect(Object.getPrototypeOf(v)).toBe(Uint8Array.prototype);
    expect(v.buffer).toBe(buf.buffer);
    expect([...v]).toEqual([2, 3]);
    r.reset(Uint8Array.of(5, 6), 0, 2);
    expect([...r.bytesView(2)]).toEqual([5, 6]);
    expect([...v]).toEqual([2, 3]);
  });
  it('hash() depends on the bytes and the seed only; matches() compares without moving the cursor', () => {
    const a = new ByteReader(Uint8Array.of(0, 111, 107));
    const b = new ByteReader(Uint8Array.of(111, 107, 0));
    a.skip(1);
    expect(a.hash(2, 7)).toBe(b.hash(2, 7));
    expect(a.hash(2, 7)).not.toBe(a.hash(2, 8));
    expect(a.hash(2, 7)).not.toBe(a.hash(1, 7));
    expect(a.matches(Uint8Array.of(111, 107))).toBe(true);
    expect(a.matches(Uint8Array.of(111, 108))).toBe(false);
    expect(a.offset).toBe(1);
  });
});
