import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeModifiedUtf8, javaDeserializeString, javaHashMapOrder, javaSerializeString, javaStringHash } from '../../src/ncmp/index.js';
import { fcRuns } from '../support/fc-config.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('javaSerializeString', () => {
  // Hand-assembled from the Java Object Serialization Specification §6.4 (TC_STRING = 0x74).
  it('writes STREAM_MAGIC, STREAM_VERSION, TC_STRING, u16 length, bytes', () => {
    expect(hex(javaSerializeString('1.0'))).toBe('aced000574000331' + '2e30');
    expect(hex(javaSerializeString(''))).toBe('aced0005740000');
  });

  it('uses modified UTF-8: NUL as C0 80, supplementary characters as two 3-byte surrogates', () => {
    expect(hex(encodeModifiedUtf8('\u0000'))).toBe('c080');
    expect(hex(encodeModifiedUtf8('é'))).toBe('c3a9');
    expect(hex(encodeModifiedUtf8('€'))).toBe('e282ac');
    // U+1F600 = D83D DE00: ED A0 BD ED B8 80 (standard UTF-8 would be F0 9F 98 80).
    expect(hex(encodeModifiedUtf8('😀'))).toBe('eda0bdedb880');
    expect(hex(javaSerializeString('a\u0000'))).toBe('aced000574000361c080');
  });

  it('switches to TC_LONGSTRING with a u64 length above 65535 bytes', () => {
    const long = 'x'.repeat(70_000);
    const bytes = javaSerializeString(long);
    expect(hex(bytes.subarray(0, 13))).toBe('aced00057c' + (70_000).toString(16).padStart(16, '0'));
    expect(bytes.length).toBe(13 + 70_000);
    expect(javaDeserializeString(bytes)).toBe(long);
    expect(hex(javaSerializeString('x'.repeat(65_535)).subarray(0, 7))).toBe('aced000574ffff');
  });

  it('returns undefined for bytes that are not a serialized String, and throws on a corrupt body', () => {
    expect(javaDeserializeString(new TextEncoder().encode('org.onap.ncmp'))).toBeUndefined();
    expect(javaDeserializeString(Uint8Array.from([0xac, 0xed, 0, 5, 0x74, 0, 2, 0x61]))).toBeUndefined(); // length mismatch
    expect(() => javaDeserializeString(Uint8Array.from([0xac, 0xed, 0, 5, 0x74, 0, 1, 0xff]))).toThrow(/modified UTF-8/);
  });

  describe('properties', () => {
    it('round-trips every string, and the length prefix counts modified UTF-8 bytes', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
          const bytes = javaSerializeString(text);
          expect(javaDeserializeString(bytes)).toBe(text);
          expect((bytes[5]! << 8) | bytes[6]!).toBe(encodeModifiedUtf8(text).length);
          expect([...bytes.subarray(7)]).not.toContain(0); // modified UTF-8 never contains a zero byte
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});

describe('javaHashMapOrder', () => {
  it('hashes like String.hashCode()', () => {
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('Aa')).toBe(javaStringHash('BB')); // the classic collision: 2112
    expect(javaStringHash('Aa')).toBe(2112);
  });

  it('keeps insertion order inside one bucket', () => {
    expect(javaHashMapOrder(['BB', 'Aa'])).toEqual(['BB', 'Aa']);
    expect(javaHashMapOrder(['Aa', 'BB'])).toEqual(['Aa', 'BB']);
  });

  it('orders the LCM header map as CPS iterates it', () => {
    const fields = ['eventId', 'eventCorrelationId', 'eventTime', 'eventSource', 'eventType', 'eventSchema', 'eventSchemaVersion'];
    // Bucket indexes in a 16-slot table, from String.hashCode: derived in the test by the spread formula.
    const bucket = (k: string): number => {
      const h = javaStringHash(k);
      return (h ^ (h >>> 16)) & 15;
    };
    const order = javaHashMapOrder(fields, 7);
    expect([...order].sort()).toEqual([...fields].sort());
    for (let i = 1; i < order.length; i++) expect(bucket(order[i]!)).toBeGreaterThanOrEqual(bucket(order[i - 1]!));
    expect(order).toEqual(['eventId', 'eventSchema', 'eventCorrelationId', 'eventTime', 'eventSource', 'eventType', 'eventSchemaVersion']);
  });

});
