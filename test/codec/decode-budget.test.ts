/**
 * The decode budget (DecodeLimits.maxDecodedBytes): a term that is small on the wire but large in
 * memory stops with NSOMOCK_CODEC_BUDGET_EXCEEDED as soon as the budget is spent, whether it
 * expands by nesting or by compression (tag 80); tag 80 can be refused outright
 * (allowCompressed: false, docs/decisions/005-decode-budget.md); the shaped decoders never decode
 * past a budget either.
 */
import { execFileSync } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { malformedBytes } from '../../src/arbitraries/malformed.js';
import { termArbitrary } from '../../src/arbitraries/term.js';
import { setShapedDecodeWarmup, shapedDecodeStats } from '../../src/codec/decode.js';
import {
  atom,
  binary,
  CodecError,
  DECODE_COST,
  decodeTerm,
  decodeTermAt,
  encodeTerm,
  formatTerm,
  int,
  termEqual,
  tuple,
  type Term,
} from '../../src/codec/index.js';
import { codecErrorOf } from '../support/codec-errors.js';
import { fcRuns } from '../support/fc-config.js';

/** `<<131, 80, Size:32, Zlib/binary>>` around the encoding of `inner` (without its version byte). */
function compressed(inner: Uint8Array, declared = inner.length): Uint8Array {
  const z = deflateSync(inner);
  const out = new Uint8Array(6 + z.length);
  out[0] = 131;
  out[1] = 80;
  new DataView(out.buffer).setUint32(2, declared);
  out.set(z, 6);
  return out;
}

/** LARGE_TUPLE_EXT of `n` empty tuples, without a version byte: 2 bytes on the wire per tuple. */
function emptyTuples(n: number): Uint8Array {
  const out = new Uint8Array(5 + 2 * n);
  out[0] = 105;
  new DataView(out.buffer).setUint32(1, n);
  for (let i = 0; i < n; i += 1) out[5 + 2 * i] = 104; // SMALL_TUPLE_EXT, arity 0 (the next byte)
  return out;
}

/**
 * A lower bound of what a decoded term holds, computed from the term alone (independent of the
 * decoder's bookkeeping): objects, slots and bytes, with the shared small integers and [] free.
 */
function termCost(t: Term): number {
  const { term: T, slot: S, entry: E } = DECODE_COST;
  switch (t.kind) {
    case 'integer':
      return typeof t.value === 'number' && t.value >= 0 && t.value <= 255 ? 0 : T;
    case 'float':
      return T;
    case 'atom':
      return T + t.name.length;
    case 'binary':
      return T + t.bytes.length;
    case 'bitstring':
      return T + t.bytes.length;
    case 'tuple':
      return T + S * t.elements.length + t.elements.reduce((a, e) => a + termCost(e), 0);
    case 'list':
      return T + S * t.elements.length + t.elements.reduce((a, e) => a + termCost(e), 0) + termCost(t.tail);
    case 'nil':
      return 0;
    case 'map':
      return T + E * t.entries.length + t.entries.reduce((a, [k, v]) => a + termCost(k) + termCost(v), 0);
    default:
      return T;
  }
}

function withCompressedVersion(term: Term): Uint8Array {
  return compressed(encodeTerm(term).subarray(1));
}

describe('budget', () => {
  it('stops a deflated tuple of 4 M empty tuples (tens of KB on the wire, GBs of objects) at the budget, before inflating', () => {
    const bomb = compressed(emptyTuples(4_000_000));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const error = codecErrorOf(() => decodeTerm(bomb, { maxDecodedBytes: 1024 * 1024 }));
    // The declared size (8 MB) alone is past a 1 MiB budget: refused at the tag, before inflating
    // (no clock involved: the offset and the estimate show where it stopped).
    expect(error.code).toBe('NSOMOCK_CODEC_BUDGET_EXCEEDED');
    expect(error.details.offset).toBe(1);
    expect(error.details.tag).toBe(80);
    expect(error.message).toMatch(/\(estimated 8000005\)/);
  });

  it('charges the declared size before inflating: garbage after a too-large size is never looked at', () => {
    // Declares 16 MiB uncompressed.
    const bytes = Uint8Array.from([131, 80, 0x01, 0, 0, 0, 1, 2, 3, 4]);
    expect(codecErrorOf(() => decodeTerm(bytes, { maxDecodedBytes: 32 << 20 })).code).toBe('NSOMOCK_CODEC_INVALID');
    expect(codecErrorOf(() => decodeTerm(bytes, { maxDecodedBytes: 1 << 20 })).code).toBe('NSOMOCK_CODEC_BUDGET_EXCEEDED');
  });

  it('counts the terms built from inflated bytes against the same budget', () => {
    const bytes = compressed(emptyTuples(10_000));
    const inflated = 5 + 2 * 10_000;
    // Enough for the inflated bytes, not for the 10,000 tuples built from them.
    const error = codecErrorOf(() => decodeTerm(bytes, { maxDecodedBytes: inflated + 100 * DECODE_COST.term }));
    expect(error.code).toBe('NSOMOCK_CODEC_BUDGET_EXCEEDED');
    const t = decodeTerm(bytes);
    expect(t.kind === 'tuple' && t.elements.length).toBe(10_000);
  });

  it('refuses tag 80 outright when compressed terms are not allowed (what the server does)', () => {
    const bytes = withCompressedVersion(tuple(atom('ok'), int(1)));
    expect(termEqual(decodeTerm(bytes), tuple(atom('ok'), int(1)))).toBe(true);
    const error = codecErrorOf(() => decodeTerm(bytes, { allowCompressed: false }));
    expect(error.code).toBe('NSOMOCK_CODEC_COMPRESSED_REFUSED');
    expect(error.details.offset).toBe(1);
    expect(error.message).toMatch(/^Failed to decode term: compressed terms \(tag 80\) are not accepted/);
  });

  it('stops an uncompressed expansion (200 KB of empty tuples) at the budget', () => {
    const bytes = Uint8Array.from([131, ...emptyTuples(100_000)]);
    expect(codecErrorOf(() => decodeTerm(bytes, { maxDecodedBytes: 1024 * 1024 })).code).toBe('NSOMOCK_CODEC_BUDGET_EXCEEDED');
    const t = decodeTerm(bytes);
    expect(t.kind === 'tuple' && t.elements.length).toBe(100_000);
  });

  it('charges binaries their bytes: a 2 MB binary is past a 1 MiB budget, a 100 KB one is not', () => {
    const big = encodeTerm(binary(new Uint8Array(2_000_000)));
    expect(codecErrorOf(() => decodeTerm(big, { maxDecodedBytes: 1 << 20 })).code).toBe('NSOMOCK_CODEC_BUDGET_EXCEEDED');
    const small = encodeTerm(binary(new Uint8Array(100_000)));
    expect(decodeTerm(small, { maxDecodedBytes: 1 << 20 }).kind).toBe('binary');
    expect(codecErrorOf(() => decodeTermAt(big, 0, { maxDecodedBytes: 1 << 20 })).code).toBe('NSOMOCK_CODEC_BUDGET_EXCEEDED');
  });

  it('a budget of exactly what a term costs decodes it; one byte less does not', () => {
    const t = tuple(atom('ok'), binary(Uint8Array.of(1, 2, 3)), int(100_000), tuple());
    const bytes = encodeTerm(t);
    let lo = 0;
    let hi = 1 << 20;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      try {
        decodeTerm(bytes, { maxDecodedBytes: mid });
        hi = mid;
      } catch (error) {
        expect(error instanceof CodecError && error.code).toBe('NSOMOCK_CODEC_BUDGET_EXCEEDED');
        lo = mid + 1;
      }
    }
    // tuple 48 + 4 slots, atom 48 + 2, binary 48 + 3, integer 48, empty tuple 48.
    const { term: T, slot: S } = DECODE_COST;
    expect(lo).toBe(T + 4 * S + (T + 2) + (T + 3) + T + T);
    expect(lo).toBeGreaterThanOrEqual(termCost(t));
  });

  it('the shaped decoders (hot shapes) never decode past a budget the general decoder would refuse', () => {
    const previous = setShapedDecodeWarmup(2);
    try {
      const t = tuple(int(17), atom('done'), binary(new Uint8Array(64)), tuple(int(1), int(2)));
      const bytes = encodeTerm(t);
      const before = shapedDecodeStats().shaped;
      for (let i = 0; i < 10; i += 1) decodeTerm(bytes);
      expect(shapedDecodeStats().shaped).toBeGreaterThan(before);
      const cost = termCost(t);
      expect(codecErrorOf(() => decodeTerm(bytes, { maxDecodedBytes: cost - 1 })).code).toBe('NSOMOCK_CODEC_BUDGET_EXCEEDED');
      expect(codecErrorOf(() => decodeTermAt(bytes, 0, { maxDecodedBytes: cost - 1 })).code).toBe('NSOMOCK_CODEC_BUDGET_EXCEEDED');
    } finally {
      setShapedDecodeWarmup(previous);
    }
  });

  it('Erlang\'s own compressed bomb (term_to_binary(make_tuple(4000000, {}), [compressed])) stops at the budget', () => {
    const b64 = execFileSync('erl', ['-noshell', '-eval', 'io:format("~s", [base64:encode(term_to_binary(erlang:make_tuple(4000000, {}), [compressed]))]), halt().'], {
      encoding: 'utf8',
    });
    const bomb = new Uint8Array(Buffer.from(b64, 'base64'));
    expect(bomb[1]).toBe(80);
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(codecErrorOf(() => decodeTerm(bomb, { maxDecodedBytes: 1 << 20 })).code).toBe('NSOMOCK_CODEC_BUDGET_EXCEEDED');
    expect(codecErrorOf(() => decodeTerm(bomb, { allowCompressed: false })).code).toBe('NSOMOCK_CODEC_COMPRESSED_REFUSED');
  }, 30_000);
});

describe('properties', () => {
  const budgetArb = fc.integer({ min: 0, max: 8 * 1024 });
  const termBytes = termArbitrary({ maxDepth: 4 }).chain((t) => fc.constantFrom(encodeTerm(t), withCompressedVersion(t)));
  const inputs = fc.oneof(
    termBytes,
    malformedBytes({ maxFrameBytes: 16 * 1024 }).map((m) => m.bytes),
    fc.uint8Array({ maxLength: 256 }).map((b) => Uint8Array.from([131, ...b])),
    fc.nat(20_000).map((n) => compressed(emptyTuples(n))),
    fc.nat(20_000).map((n) => Uint8Array.from([131, ...emptyTuples(n)])),
  );

  it('any input either decodes to a term that holds at most the budget, or gives a CodecError', () => {
    fc.assert(
      fc.property(inputs, budgetArb, fc.boolean(), (bytes, maxDecodedBytes, allowCompressed) => {
        let t: Term;
        try {
          t = decodeTerm(bytes, { maxDecodedBytes, allowCompressed, allowTrailingBytes: true });
        } catch (error) {
          if (!(error instanceof CodecError)) throw error;
          return;
        }
        if (termCost(t) > maxDecodedBytes) throw new Error(`decoded ${formatTerm(t).slice(0, 200)} of cost ${termCost(t)} within a budget of ${maxDecodedBytes}`);
        if (!allowCompressed && bytes[1] === 80) throw new Error('decoded a compressed term while they are refused');
      }),
      { numRuns: fcRuns() },
    );
  });

  it('a budget never changes what a term decodes to, only whether it decodes', () => {
    fc.assert(
      fc.property(termArbitrary({ maxDepth: 4 }), budgetArb, (t, maxDecodedBytes) => {
        const bytes = encodeTerm(t);
        try {
          expect(termEqual(decodeTerm(bytes, { maxDecodedBytes }), t)).toBe(true);
        } catch (error) {
          if (!(error instanceof CodecError) || error.code !== 'NSOMOCK_CODEC_BUDGET_EXCEEDED') throw error;
          expect(termCost(t)).toBeGreaterThan(0);
        }
      }),
      { numRuns: fcRuns() },
    );
  });
});
