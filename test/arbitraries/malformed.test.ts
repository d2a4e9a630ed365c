import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeTerm,
  encodeFrame,
  FrameDecoder,
  termEqual,
} from '../../src/codec/index.js';
import {
  MALFORMED_KINDS,
  NON_TAG_BYTES,
  SAMPLE_TERMS,
  badConnectHeader,
  malformedBytes,
  oversizeLength,
  rechunk,
  reorderedProgressEvents,
  validFrames,
} from '../../src/arbitraries/malformed.js';
import { fcRuns } from '../support/fc-config.js';
import { MALFORMED_TEST_MAX_FRAME, verdictOf } from './malformed-verdict.js';

const MAX_FRAME = MALFORMED_TEST_MAX_FRAME;

describe('malformed traffic', () => {
  it('has a non-tag byte list that excludes every tag and the version byte', () => {
    expect(NON_TAG_BYTES).not.toContain(131);
    expect(NON_TAG_BYTES).not.toContain(104);
    expect(NON_TAG_BYTES).toContain(0);
  });

  it('gives the codec error the value announces, for every kind', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(malformedBytes({ maxFrameBytes: MAX_FRAME }), (m) => {
        seen.add(m.kind);
        const verdict = verdictOf(m);
        if (m.kind === 'truncated-frame') expect(verdict).toBe('incomplete');
        else if (m.kind === 'bad-header') expect(verdict).toBe('refused-header');
        else expect(m.expectedCodes).toContain(verdict);
      }),
      { numRuns: fcRuns(3) },
    );
    expect([...seen].sort()).toEqual([...MALFORMED_KINDS].sort());
  });

  it('refuses an oversize prefix before the payload arrives', () => {
    const [m] = fc.sample(oversizeLength({ maxFrameBytes: MAX_FRAME }), { seed: 1, numRuns: 1 });
    if (m === undefined) throw new Error('no sample');
    const decoder = new FrameDecoder({ maxFrameBytes: MAX_FRAME });
    decoder.push(m.bytes.subarray(0, 4));
    expect(() => decoder.readFrame()).toThrow(expect.objectContaining({ code: 'NSOMOCK_CODEC_FRAME_TOO_LARGE' }));
  });

  it('bad headers are 9 bytes the codec reads but a strict mock refuses', () => {
    for (const m of fc.sample(badConnectHeader(), { seed: 7, numRuns: 50 })) {
      expect(m.bytes).toHaveLength(9);
      expect(verdictOf(m)).toBe('refused-header');
    }
  });

  describe('properties', () => {
    it('re-chunked frames concatenate back and decode to the same frames', () => {
      fc.assert(
        fc.property(
          validFrames().chain((frames) => {
            const stream = Uint8Array.from(frames.flatMap((f) => [...f]));
            return fc.tuple(fc.constant(frames), rechunk(stream));
          }),
          ([frames, chunks]) => {
            expect(chunks.every((c) => c.length > 0)).toBe(true);
            const decoder = new FrameDecoder();
            const got: Uint8Array[] = [];
            for (const chunk of chunks) {
              decoder.push(chunk);
              for (let f = decoder.readFrame(); f !== undefined; f = decoder.readFrame()) got.push(f.slice());
            }
            expect(got.map((g) => [...g])).toEqual(frames.map((f) => [...f.subarray(4)]));
          },
        ),
        { numRuns: fcRuns() },
      );
    });

    it('rechunk shrinks towards a single chunk', () => {
      const bytes = encodeFrame(SAMPLE_TERMS[0] ?? SAMPLE_TERMS[1]!);
      const out = fc.check(fc.property(rechunk(bytes), () => false), { seed: 3 });
      expect(out.counterexample?.[0]).toHaveLength(1);
    });

    it('reordered progress events are a non-identity permutation of a causal trace', () => {
      fc.assert(
        fc.property(reorderedProgressEvents(), ({ ordered, reordered }) => {
          expect(reordered).toHaveLength(ordered.length);
          expect(new Set(reordered)).toEqual(new Set(ordered));
          expect(reordered).not.toEqual(ordered);
          const timestamps = ordered.map((e) => e.timestamp);
          expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
          expect(ordered[0]?.event).toBe('start');
          expect(ordered.at(-1)?.event).toBe('stop');
          expect(ordered.every((e) => e.timestamp >= 2 ** 32)).toBe(true);
        }),
        { numRuns: fcRuns() },
      );
    });

    it('sample terms decode to themselves (the fixed bases are valid)', () => {
      for (const term of SAMPLE_TERMS) expect(termEqual(decodeTerm(encodeFrame(term).subarray(4)), term)).toBe(true);
    });
  });
});
