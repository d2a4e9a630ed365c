/**
 * The shaped encoders (encode.ts, docs/decisions/003-codec-performance.md) are a fast path: once a
 * term shape repeats, generated code writes it. They must never change what `encodeTerm` and
 * `encodeFrame` return or throw. The reference is `encodeTermInto` on a fresh ByteWriter, which
 * always runs the general encoder (itself checked byte for byte against Erlang elsewhere).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendableTermArbitrary } from '../../src/arbitraries/term.js';
import { setShapedEncodeWarmup, shapedEncodeStats } from '../../src/codec/encode.js';
import {
  atom,
  binary,
  ByteWriter,
  CodecError,
  decodeTerm,
  encodeFrame,
  encodeTerm,
  encodeTermInto,
  float,
  frameBytes,
  improper,
  int,
  list,
  NIL,
  tuple,
  type Term,
} from '../../src/codec/index.js';
import { fcRuns } from '../support/fc-config.js';
import { fromHex, loadNotifications } from '../support/vectors.js';

type Outcome = { hex: string } | { code: string; message: string } | { thrown: string };

function outcome(run: () => Uint8Array): Outcome {
  try {
    return { hex: Buffer.from(run()).toString('hex') };
  } catch (error) {
    if (error instanceof CodecError) return { code: error.code, message: error.message };
    return { thrown: String(error) };
  }
}

function general(t: Term): Uint8Array {
  const w = new ByteWriter(16);
  encodeTermInto(w, t);
  return w.copy();
}

function expectSameAsGeneral(t: Term): void {
  expect(outcome(() => encodeTerm(t))).toEqual(outcome(() => general(t)));
}

/** Encodes `t` until a shaped encoder encodes it (or its shape is not one they handle). */
function warm(t: Term): void {
  const before = shapedEncodeStats().shaped;
  for (let i = 0; i < 8 && shapedEncodeStats().shaped === before; i++) encodeTerm(t);
}

const shape = (a: Term, s: Term, f: Term, ns: Term, leaf: Term): Term =>
  tuple(int(7), a, s, f, list([ns, binary('x')]), improper([a], leaf), NIL, tuple(atom('ok'), atom('é'), atom('日本')));

const SAMPLE = shape(int(5), binary('abc'), float(0.25), int(300), atom('leaf'));

// Code is generated after a few repetitions here (10,000 by default), so every case exercises it.
let previousWarmup = 0;
beforeAll(() => {
  previousWarmup = setShapedEncodeWarmup(2);
});
afterAll(() => {
  setShapedEncodeWarmup(previousWarmup);
});

describe('shaped encoders', () => {
  it('encode warmed notification terms by generated code, byte for byte as the general encoder', () => {
    const before = shapedEncodeStats();
    const terms = loadNotifications().map((v) => decodeTerm(fromHex(v.etf_hex)));
    for (const t of terms) warm(t);
    for (const t of terms) expectSameAsGeneral(t);
    for (const v of loadNotifications()) expect(Buffer.from(encodeTerm(decodeTerm(fromHex(v.etf_hex)))).toString('hex')).toBe(v.etf_hex);
    const after = shapedEncodeStats();
    expect(after.compiles).toBeGreaterThan(before.compiles);
    expect(after.shaped).toBeGreaterThan(before.shaped);
  });

  it('fall back to the general encoder for other values in a warmed shape, with the same bytes or error', () => {
    warm(SAMPLE);
    const before = shapedEncodeStats().shaped;
    expectSameAsGeneral(SAMPLE);
    expect(shapedEncodeStats().shaped).toBe(before + 1);
    const ints = [0, 255, 256, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 40), 2 ** 53 - 1, 2 ** 64, -0];
    const others: Term[] = [
      ...ints.map((v) => int(v)),
      int(2n ** 80n),
      { kind: 'integer', value: 1.5 },
      float(Number.NaN),
      float(-0),
      float(Number.POSITIVE_INFINITY),
      atom('other'),
      atom('x'.repeat(256)),
      binary(''),
      binary('y'.repeat(5000)),
      NIL,
      list([int(1), int(2)]),
      improper([int(1)], int(2)),
      tuple(),
      { kind: 'map', entries: [] },
      { kind: 'bogus' } as unknown as Term,
    ];
    for (const x of others) {
      for (const t of [
        shape(x, binary('abc'), float(0.25), int(300), atom('leaf')),
        shape(int(5), x, float(0.25), int(300), atom('leaf')),
        shape(int(5), binary('abc'), x, int(300), atom('leaf')),
        shape(int(5), binary('abc'), float(0.25), x, atom('leaf')),
        shape(int(5), binary('abc'), float(0.25), int(300), x),
      ]) {
        warm(SAMPLE);
        expectSameAsGeneral(t);
      }
    }
  });

  it('leave lists the general encoder would write as STRING_EXT to it', () => {
    const ints = tuple(int(4), list([int(1), int(2)]), improper([int(1)], int(2)));
    warm(ints);
    expectSameAsGeneral(ints);
    const mixed = tuple(int(4), list([int(1), atom('a')]), improper([int(1)], int(2)));
    warm(mixed);
    expectSameAsGeneral(mixed);
    expectSameAsGeneral(ints);
    expect(Buffer.from(encodeTerm(ints)).toString('hex')).toBe('83680361046b000201026c0000000161016102');
  });

  it('give the same frames, and survive slab roll-over and binaries too large for the slab', () => {
    const big = tuple(int(9), binary('z'.repeat(3000)), atom('end'));
    warm(big);
    warm(SAMPLE);
    const expected = Buffer.from(general(SAMPLE)).toString('hex');
    for (let i = 0; i < 2000; i++) {
      expect(Buffer.from(encodeTerm(SAMPLE)).toString('hex')).toBe(expected);
      if (i % 50 === 0) expectSameAsGeneral(big);
    }
    expect(Buffer.from(encodeFrame(SAMPLE)).toString('hex')).toBe(Buffer.from(frameBytes(general(SAMPLE))).toString('hex'));
  });

  it('keep utf8 atom encoding on the general encoder', () => {
    warm(SAMPLE);
    const w = new ByteWriter(16);
    encodeTermInto(w, SAMPLE, { atomEncoding: 'utf8' });
    expect(Buffer.from(encodeTerm(SAMPLE, { atomEncoding: 'utf8' })).toString('hex')).toBe(Buffer.from(w.copy()).toString('hex'));
  });

  describe('properties', () => {
    it('a warmed random term and a random term of the same slot encode as the general encoder', () => {
      fc.assert(
        fc.property(fc.nat(1_000_000), sendableTermArbitrary(), sendableTermArbitrary(), (k, a, b) => {
          // The root's arity and first integer choose the slot: k spreads the cases over the slots.
          const ta = tuple(int(k), a);
          const tb = tuple(int(k), b);
          warm(ta);
          expectSameAsGeneral(ta);
          expectSameAsGeneral(tb);
          return true;
        }),
        { numRuns: fcRuns(5) },
      );
    });
  });
});
