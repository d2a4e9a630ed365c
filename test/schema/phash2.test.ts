import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { phash2 } from '../../src/schema/index.js';
import { closeErlangOracle, erlangOracle } from '../support/erlang-oracle.js';
import { fcRuns } from '../support/fc-config.js';

afterAll(async () => {
  await closeErlangOracle();
});

const utf8 = new TextEncoder();

/** YANG identifiers (RFC 7950 §14: `[a-zA-Z_][a-zA-Z0-9_.-]*`), the names NSO hashes as tags. */
const yangIdentifier = fc
  .tuple(
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_'),
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_.-'), maxLength: 40 }),
  )
  .map(([head, tail]) => head + tail);

describe('phash2', () => {
  it('gives NSO’s own namespace hash for tailf-ncs (MAAPI.md §M6.8)', () => {
    expect(phash2('http://tail-f.com/ns/ncs', 2147483647)).toBe(469622343);
    expect(phash2('http://tail-f.com/ns/ncs')).toBe(469622343);
  });

  it('hashes a string as its UTF-8 bytes', () => {
    expect(phash2('grüße')).toBe(phash2(utf8.encode('grüße')));
  });

  it('rejects a range Erlang rejects', () => {
    expect(() => phash2('x', 0)).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
    expect(() => phash2('x', 2 ** 32 + 1)).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
    expect(() => phash2('x', 1.5)).toThrow(expect.objectContaining({ name: 'UsageError', code: 'NSOMOCK_USAGE' }));
  });

  it('agrees with erl on every length 0..40 (each block/tail split)', async () => {
    const inputs = Array.from({ length: 41 }, (_, n) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + n * 11 + 200) & 0xff));
    expect(inputs.map((b) => phash2(b))).toEqual(await erlangOracle().phash2(inputs));
  });

  describe('properties', () => {
    it('equals erlang:phash2/2 on random binaries and ranges', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 20 }),
          fc.oneof(fc.constant(2147483647), fc.constant(2 ** 32), fc.integer({ min: 1, max: 2 ** 32 })),
          async (binaries, range) => {
            const expected = await erlangOracle().phash2(binaries, range);
            expect(binaries.map((b) => phash2(b, range))).toEqual(expected);
          },
        ),
        { numRuns: fcRuns(0.5) },
      );
    });

    it('hashes any string as erl hashes its UTF-8 bytes (ASCII fast path, non-ASCII, long strings)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ minLength: 300, maxLength: 1200 })), { minLength: 1, maxLength: 10 }),
          async (texts) => {
            const expected = await erlangOracle().phash2(texts.map((t) => utf8.encode(t)));
            expect(texts.map((t) => phash2(t))).toEqual(expected);
          },
        ),
        { numRuns: fcRuns(0.3) },
      );
    });

    it('equals erlang:phash2(Name, 2147483647) on YANG identifiers and URIs', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(yangIdentifier, fc.webUrl()), { minLength: 1, maxLength: 30 }), async (names) => {
          const expected = await erlangOracle().phash2(names.map((n) => utf8.encode(n)));
          expect(names.map((n) => phash2(n))).toEqual(expected);
        }),
        { numRuns: fcRuns(0.5) },
      );
    });
  });
});
