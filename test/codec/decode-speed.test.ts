/**
 * The shaped decoders (decode.ts, docs/decisions/003-codec-performance.md) are a fast path: once a
 * term shape repeats, generated code decodes it. They must never change what `decodeTerm` returns
 * or throws. The reference is the same call with limits that are not eligible for shaped decoding
 * (`maxDepth` one below the default), which always runs the general decoder.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendableTermArbitrary } from '../../src/arbitraries/term.js';
import { setShapedDecodeWarmup, shapedDecodeStats } from '../../src/codec/decode.js';
import {
  atom,
  binary,
  CodecError,
  decodeTerm,
  decodeTermAt,
  DEFAULT_DECODE_LIMITS,
  encodeTerm,
  float,
  formatTerm,
  improper,
  int,
  list,
  NIL,
  termEqual,
  tuple,
  type Term,
} from '../../src/codec/index.js';
import { fcRuns } from '../support/fc-config.js';
import { fromHex, loadNotifications } from '../support/vectors.js';

/** Limits no shaped decoder is used under (they allow less than the defaults). */
const GENERAL_ONLY = { maxDepth: DEFAULT_DECODE_LIMITS.maxDepth - 1 };

type Outcome = { term: Term } | { code: string; message: string; details: unknown };

function outcome(run: () => Term): Outcome {
  try {
    return { term: run() };
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    return { code: error.code, message: error.message, details: error.details };
  }
}

/** Decodes `bytes` with the shaped decoders enabled and with the general decoder only, and expects the same outcome. */
function expectSameAsGeneral(bytes: Uint8Array): void {
  const shaped = outcome(() => decodeTerm(bytes));
  const general = outcome(() => decodeTerm(bytes, GENERAL_ONLY));
  if ('term' in shaped && 'term' in general) {
    if (!termEqual(shaped.term, general.term)) {
      expect.fail(`shaped ${formatTerm(shaped.term)} but general ${formatTerm(general.term)} for ${Buffer.from(bytes).toString('hex')}`);
    }
  } else {
    expect(shaped, Buffer.from(bytes).toString('hex')).toEqual(general);
  }
}

/** Decodes `bytes` until a shaped decoder decodes it (or its shape is not one they handle). */
function warm(bytes: Uint8Array): void {
  const before = shapedDecodeStats().shaped;
  for (let i = 0; i < 8 && shapedDecodeStats().shaped === before; i++) decodeTerm(bytes);
}

/** Every strict prefix, and every byte replaced by a few other values. */
function* variants(bytes: Uint8Array): Generator<Uint8Array> {
  for (let n = 0; n < bytes.length; n++) yield bytes.subarray(0, n);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    for (const v of new Set([0, 1, 0xff, 0x7f, b ^ 1, (b + 1) & 0xff, (b + 0x80) & 0xff])) {
      if (v === b) continue;
      const copy = bytes.slice();
      copy[i] = v;
      yield copy;
    }
  }
  yield Uint8Array.of(...bytes, 0); // a trailing byte
}

const SHAPES: readonly Term[] = [
  tuple(int(1), int(108), binary('admin'), int(42), binary("CLI 'show running-config'")),
  tuple(int(1 << 24), tuple(int(2), int(1_700_000_000_234_567), int(-5), int(2 ** 31), int(-(2 ** 40)), binary(''))),
  tuple(atom('ok'), atom('undefined'), atom('héllo'), atom('日本'), NIL, float(-0), float(0.25)),
  list([improper([int(1_928_374_655)], int(101)), tuple(improper([int(7)], atom('start')), list([binary('a'), binary('b')]))]),
  tuple(),
  tuple(tuple(tuple(tuple(int(0))))),
];

// Code is generated after a few repetitions here (10,000 by default), so every case exercises it.
let previousWarmup = 0;
beforeAll(() => {
  previousWarmup = setShapedDecodeWarmup(2);
});
afterAll(() => {
  setShapedDecodeWarmup(previousWarmup);
});

describe('shaped decoders', () => {
  it('decode a warmed notification shape by generated code, to the same term', () => {
    const before = shapedDecodeStats();
    for (const v of loadNotifications()) {
      const bytes = fromHex(v.etf_hex);
      warm(bytes);
      expectSameAsGeneral(bytes);
    }
    const after = shapedDecodeStats();
    expect(after.compiles).toBeGreaterThan(before.compiles);
    expect(after.shaped).toBeGreaterThan(before.shaped);
  });

  it('decode the benchmark notifications and the sample shapes by generated code once warmed', () => {
    const names = ['audit.cli_command', 'commit_diff.comment_label', 'progress.stop_all_fields', 'stream_event.notification'];
    const inputs = [
      ...loadNotifications()
        .filter((v) => names.includes(v.name))
        .map((v) => fromHex(v.etf_hex)),
      ...SHAPES.map((t) => encodeTerm(t).slice()),
    ];
    expect(inputs).toHaveLength(names.length + SHAPES.length);
    for (const bytes of inputs) {
      warm(bytes);
      const before = shapedDecodeStats().shaped;
      decodeTerm(bytes);
      expect(shapedDecodeStats().shaped, Buffer.from(bytes).toString('hex')).toBe(before + 1);
    }
  });

  it('give the general outcome for every truncation and byte change of a warmed shape', () => {
    const before = shapedDecodeStats().shaped;
    for (const t of SHAPES) {
      const bytes = encodeTerm(t).slice();
      warm(bytes);
      expect(termEqual(decodeTerm(bytes), t)).toBe(true);
      for (const variant of variants(bytes)) {
        warm(bytes); // keep the original shape in its slot
        expectSameAsGeneral(variant);
      }
    }
    for (const v of loadNotifications().slice(0, 12)) {
      const bytes = fromHex(v.etf_hex);
      for (const variant of variants(bytes)) {
        warm(bytes);
        expectSameAsGeneral(variant);
      }
    }
    expect(shapedDecodeStats().shaped).toBeGreaterThan(before);
  });

  it('are not used under limits below the defaults, so those limits still apply', () => {
    const bytes = encodeTerm(tuple(tuple(int(1)), binary('abcdef')));
    warm(bytes);
    expect(() => decodeTerm(bytes, { maxDepth: 1 })).toThrow(expect.objectContaining({ code: 'NSOMOCK_CODEC_LIMIT_EXCEEDED' }));
    expect(() => decodeTerm(bytes, { maxBinaryBytes: 5 })).toThrow(expect.objectContaining({ code: 'NSOMOCK_CODEC_LIMIT_EXCEEDED' }));
  });

  it('are not used under a maxBigIntBytes below the 7-byte bignums they read', () => {
    // 2^50 is a SMALL_BIG_EXT of 7 bytes, the largest integer a shaped decoder reads.
    const bytes = encodeTerm(tuple(int(2 ** 50), binary('abc')));
    expect(bytes[4]).toBe(7);
    warm(bytes);
    const before = shapedDecodeStats().shaped;
    expect(decodeTerm(bytes)).toEqual(tuple(int(2 ** 50), binary('abc')));
    expect(shapedDecodeStats().shaped).toBe(before + 1);
    expect(() => decodeTerm(bytes, { maxBigIntBytes: 6 })).toThrow(expect.objectContaining({ code: 'NSOMOCK_CODEC_INTEGER_TOO_LARGE' }));
    expect(decodeTerm(bytes, { maxBigIntBytes: 7 })).toEqual(tuple(int(2 ** 50), binary('abc')));
  });

  it('report trailing bytes as the general decoder does, and decodeTermAt returns the end', () => {
    const bytes = encodeTerm(tuple(int(3), binary('xyz')));
    warm(bytes);
    const withTail = Uint8Array.of(...bytes, 131, 106);
    expect(() => decodeTerm(withTail)).toThrow(expect.objectContaining({ code: 'NSOMOCK_CODEC_TRAILING_BYTES' }));
    expect(termEqual(decodeTerm(withTail, { allowTrailingBytes: true }), tuple(int(3), binary('xyz')))).toBe(true);
    const at = decodeTermAt(withTail, 0);
    expect(at.end).toBe(bytes.length);
    expect(termEqual(at.term, tuple(int(3), binary('xyz')))).toBe(true);
  });

  it('return views on the input, as the general decoder does', () => {
    const bytes = encodeTerm(tuple(binary('abc'), int(1))).slice();
    warm(bytes);
    const t = decodeTerm(bytes);
    if (t.kind !== 'tuple' || t.elements[0]?.kind !== 'binary') expect.fail(formatTerm(t));
    const view = t.elements[0].bytes;
    expect(view.buffer).toBe(bytes.buffer);
    expect(Array.from(view)).toEqual([97, 98, 99]);
  });

  describe('properties', () => {
    it('decode∘encode = id, warmed or not, and agree with the general decoder on changed bytes', () => {
      fc.assert(
        fc.property(sendableTermArbitrary(), fc.nat(), fc.nat(255), (t, at, value) => {
          const bytes = encodeTerm(t).slice();
          warm(bytes);
          if (!termEqual(decodeTerm(bytes), t)) return false;
          const changed = bytes.slice();
          changed[at % changed.length] = value;
          expectSameAsGeneral(changed);
          expectSameAsGeneral(bytes.subarray(0, at % bytes.length));
          return true;
        }),
        { numRuns: fcRuns(5) },
      );
    });

    it('the same shape with other values decodes to those values', () => {
      const shape = (a: number, s: string, f: number, ns: number[]): Term =>
        tuple(int(a), binary(s), float(f), list(ns.map(int)), improper([int(a)], atom('leaf')));
      fc.assert(
        fc.property(
          fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
          fc.string(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 3, maxLength: 3 }),
          (a, s, f, ns) => {
            const t = shape(a, s, f, ns);
            const bytes = encodeTerm(t).slice();
            warm(bytes);
            return termEqual(decodeTerm(bytes), t);
          },
        ),
        { numRuns: fcRuns(5) },
      );
    });
  });
});
