import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sendableTermArbitrary } from '../../src/arbitraries/term.js';
import { CodecError, decodeTerm, encodeFrame, encodeTerm, frameBytes, FrameDecoder, termEqual } from '../../src/codec/index.js';
import { codecErrorOf } from '../support/codec-errors.js';
import { fcRuns } from '../support/fc-config.js';
import { fromHex, loadHandshake, loadNotifications, toHex } from '../support/vectors.js';

function drain(d: FrameDecoder): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let f = d.readFrame(); f !== undefined; f = d.readFrame()) out.push(f);
  return out;
}

describe('encodeFrame / frameBytes', () => {
  it('writes the 4-byte big-endian length then the term (PROTOCOL.md §5)', () => {
    for (const v of loadNotifications()) {
      const framed = encodeFrame(decodeTerm(fromHex(v.etf_hex)));
      expect(toHex(framed)).toBe(v.frame_hex);
      expect(toHex(frameBytes(fromHex(v.etf_hex)))).toBe(v.frame_hex);
    }
  });
  it('uses the UTF-8 atom option', () => {
    const v = loadNotifications().find((x) => x.etf_hex !== x.etf_hex_utf8_atoms)!;
    const framed = encodeFrame(decodeTerm(fromHex(v.etf_hex)), { atomEncoding: 'utf8' });
    expect(toHex(framed.subarray(4))).toBe(v.etf_hex_utf8_atoms);
  });
});

describe('FrameDecoder', () => {
  it('replays the full handshake example: raw header, then frames', () => {
    const ex = loadHandshake().full_exchange_example;
    const d = new FrameDecoder();
    d.push(fromHex(ex.client_to_server_hex.join('')));
    expect(toHex(d.readRaw(9)!)).toBe(ex.client_to_server_hex[0]);
    expect(d.readRaw(1000)).toBeUndefined();
    const [sub] = drain(d);
    expect(toHex(sub!)).toBe(ex.client_to_server_hex[1]!.slice(8));
    expect(d.buffered).toBe(0);
  });
  it('returns nothing until a frame is complete, byte by byte', () => {
    const frame = fromHex(loadNotifications()[0]!.frame_hex);
    const d = new FrameDecoder();
    for (let i = 0; i < frame.length - 1; i++) {
      d.push(frame.subarray(i, i + 1));
      expect(d.readFrame()).toBeUndefined();
    }
    d.push(frame.subarray(frame.length - 1));
    expect(toHex(d.readFrame()!)).toBe(toHex(frame.subarray(4)));
  });
  it('keeps returned payloads valid while more data arrives', () => {
    const frames = loadNotifications().map((v) => fromHex(v.frame_hex));
    const all = Uint8Array.from(frames.flatMap((f) => [...f]));
    const d = new FrameDecoder();
    const got: Uint8Array[] = [];
    for (let i = 0; i < all.length; i += 7) {
      d.push(all.slice(i, i + 7));
      got.push(...drain(d));
    }
    expect(got.map(toHex)).toEqual(frames.map((f) => toHex(f.subarray(4))));
  });
  it('refuses an oversize length at the 4-byte prefix, before buffering the payload', () => {
    const d = new FrameDecoder({ maxFrameBytes: 1024 });
    d.push(Uint8Array.of(0, 0, 4, 1));
    const e = codecErrorOf(() => d.readFrame());
    expect(e.code).toBe('NSOMOCK_CODEC_FRAME_TOO_LARGE');
    expect(e.details.offset).toBe(0);
    for (let i = 0; i < 100; i++) d.push(new Uint8Array(64 * 1024));
    expect(d.buffered).toBe(0);
    expect(codecErrorOf(() => d.readFrame()).code).toBe('NSOMOCK_CODEC_FRAME_TOO_LARGE');
  });
  it('refuses a zero length and reports the stream offset', () => {
    const d = new FrameDecoder();
    d.push(fromHex('00000003836101'));
    d.push(fromHex('00000000'));
    expect(drain.bind(null, d)).toThrow(CodecError);
    const d2 = new FrameDecoder();
    d2.push(fromHex('0000000383610100000000'));
    d2.readFrame();
    expect(codecErrorOf(() => d2.readFrame()).details.offset).toBe(7);
  });
  it('accepts a frame of exactly maxFrameBytes', () => {
    const d = new FrameDecoder({ maxFrameBytes: 3 });
    d.push(fromHex('00000003836101'));
    expect(toHex(d.readFrame()!)).toBe('836101');
  });
});

describe('properties', () => {
  it('re-chunking concatenated frames at arbitrary points yields the same payloads', () => {
    fc.assert(
      fc.property(
        fc.array(sendableTermArbitrary({ maxDepth: 2 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (terms, cutsRaw) => {
          const frames = terms.map((t) => encodeFrame(t));
          const all = Uint8Array.from(frames.flatMap((f) => [...f]));
          const cuts = [...new Set(cutsRaw.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          const d = new FrameDecoder();
          const got: Uint8Array[] = [];
          let prev = 0;
          for (const c of [...cuts, all.length]) {
            d.push(all.slice(prev, c));
            prev = c;
            got.push(...drain(d));
          }
          expect(got.length).toBe(terms.length);
          got.forEach((payload, i) => {
            expect(toHex(payload)).toBe(toHex(encodeTerm(terms[i]!)));
            expect(termEqual(decodeTerm(payload), terms[i]!)).toBe(true);
          });
          expect(d.buffered).toBe(0);
        },
      ),
      { numRuns: fcRuns() },
    );
  });
  it('an oversize length is rejected before buffering, however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1025, max: 0xffffffff }), fc.nat({ max: 3 }), (len, split) => {
        const d = new FrameDecoder({ maxFrameBytes: 1024 });
        const header = Uint8Array.of(len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
        d.push(header.subarray(0, split));
        expect(d.readFrame()).toBeUndefined();
        d.push(header.subarray(split));
        expect(codecErrorOf(() => d.readFrame()).code).toBe('NSOMOCK_CODEC_FRAME_TOO_LARGE');
        d.push(new Uint8Array(4096));
        expect(d.buffered).toBe(0);
      }),
      { numRuns: fcRuns() },
    );
  });
});
