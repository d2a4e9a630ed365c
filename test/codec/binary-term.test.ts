import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binary, binaryView, decodeTerm, encodeTerm, termEqual, tuple, type Term } from '../../src/codec/index.js';
import { fcRuns } from '../support/fc-config.js';
import { fromHex } from '../support/vectors.js';

// Decoded binaries are lazy views (term.ts `Binary`, docs/decisions/003-codec-performance.md): these
// tests pin down that they still behave like the plain `{ kind: 'binary', bytes }` values they replace.

function decodedBinary(hex: string): Term {
  const t = decodeTerm(fromHex(hex));
  if (t.kind !== 'binary') throw new Error(`expected a binary, got ${t.kind}`);
  return t;
}

describe('BinaryTerm: decoded binaries are lazy views', () => {
  it('reads as a view on the input, the same view every time', () => {
    const input = fromHex('836d00000003616263');
    const t = decodeTerm(input);
    if (t.kind !== 'binary') throw new Error('not a binary');
    const first = t.bytes;
    expect(first.buffer).toBe(input.buffer);
    expect(first.byteOffset).toBe(input.byteOffset + 6);
    expect([...first]).toEqual([0x61, 0x62, 0x63]);
    expect(t.bytes).toBe(first);
    input[7] = 0x7a; // the view shares memory with the input, as ADR 001 documents
    expect(t.bytes[1]).toBe(0x7a);
  });
  it('views a Buffer input at its byte offset', () => {
    const pooled = Buffer.from('00000000836d00000002ffee', 'hex').subarray(4);
    const t = decodeTerm(pooled);
    expect(t.kind === 'binary' && [...t.bytes]).toEqual([0xff, 0xee]);
  });
  it('has kind as its only own enumerable field, and encodes like a constructed binary', () => {
    const t = decodedBinary('836d000000026869');
    expect(Object.keys(t)).toEqual(['kind']);
    expect(encodeTerm(t)).toEqual(encodeTerm(binary('hi')));
  });
});

describe('BinaryTerm: generic code sees the content', () => {
  it('toEqual compares content between decoded and constructed binaries', () => {
    expect(decodedBinary('836d000000026869')).toEqual(binary('hi'));
    expect(decodedBinary('836d000000026869')).not.toEqual(binary('ho'));
    expect(tuple(decodedBinary('836d000000026869'))).toEqual(tuple(binary('hi')));
    expect(tuple(decodedBinary('836d000000026869'))).not.toEqual(tuple(binary('hi!')));
    expect(binary('a')).not.toEqual(binary(''));
  });
  it('JSON, util.inspect and fast-check print kind and bytes', () => {
    const t = decodedBinary('836d000000026869');
    expect(JSON.stringify(t)).toBe(JSON.stringify({ kind: 'binary', bytes: Uint8Array.of(0x68, 0x69) }));
    expect(inspect(t)).toBe(inspect({ kind: 'binary', bytes: Uint8Array.of(0x68, 0x69) }));
    expect(fc.stringify(t)).toBe('{"kind":"binary","bytes":Uint8Array.from([104,105])}');
  });
  it('iterates its bytes', () => {
    expect([...(binary(Uint8Array.of(1, 2, 3)) as unknown as Iterable<number>)]).toEqual([1, 2, 3]);
  });
});

describe('binaryView', () => {
  it('refuses a range outside the source', () => {
    const src = new Uint8Array(4);
    expect(() => binaryView(src, 3, 2)).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
    expect(() => binaryView(src, -1, 1)).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
    expect(() => binaryView(src, 0.5, 1)).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
    expect(() => binaryView(src, 0, Number.NaN)).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
    expect(binaryView(src, 4, 0).bytes.length).toBe(0);
  });

  describe('properties', () => {
    it('reads the same bytes as subarray(), and is termEqual to binary() of them', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 64 }).chain((src) =>
            fc.tuple(fc.constant(src), fc.nat(src.length)).chain(([s, start]) => fc.tuple(fc.constant(s), fc.constant(start), fc.nat(s.length - start))),
          ),
          ([src, start, length]) => {
            const view = binaryView(src, start, length);
            expect([...view.bytes]).toEqual([...src.subarray(start, start + length)]);
            expect(termEqual(view, binary(src.slice(start, start + length)))).toBe(true);
          },
        ),
        { numRuns: fcRuns() },
      );
    });
  });
});
