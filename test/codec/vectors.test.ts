import { describe, expect, it } from 'vitest';
import {
  decodeTerm,
  encodeFrame,
  encodeTerm,
  FrameDecoder,
  formatTerm,
  termEqual,
  type NsoMockErrorCode,
  type Term,
} from '../../src/codec/index.js';
import { codecErrorCode as codeOf } from '../support/codec-errors.js';
import { parseErlangTerm } from '../support/erlang-term-parser.js';
import {
  allTermEncodings,
  fromHex,
  loadClientMessages,
  loadEtfPrimitives,
  loadMalformed,
  loadNotifications,
  loadNotifications6x,
  loadServerReplies,
  toHex,
} from '../support/vectors.js';

function expectSameTerm(actual: Term, expected: Term): void {
  if (!termEqual(actual, expected)) expect(formatTerm(actual)).toBe(formatTerm(expected));
  expect(termEqual(actual, expected)).toBe(true);
}

describe('etf_primitives.jsonl', () => {
  for (const v of loadEtfPrimitives()) {
    it(v.name, () => {
      const expected = parseErlangTerm(v.term);
      expectSameTerm(decodeTerm(fromHex(v.etf_hex)), expected);
      if (v.direction === 'decode_only') {
        expect(toHex(encodeTerm(expected))).toBe(v.reencoded_etf_hex);
      } else {
        expect(toHex(encodeTerm(expected))).toBe(v.etf_hex);
        expect(toHex(encodeTerm(expected, { atomEncoding: 'utf8' }))).toBe(v.etf_hex_utf8_atoms);
        expectSameTerm(decodeTerm(fromHex(v.etf_hex_utf8_atoms!)), expected);
      }
    });
  }
});

describe('notification, client and server vectors, both directions', () => {
  const files = [
    ['notifications.jsonl', loadNotifications()],
    ['notifications_6x_inferred.jsonl', loadNotifications6x()],
    ['client_messages.jsonl', loadClientMessages()],
    ['server_replies.jsonl', loadServerReplies()],
  ] as const;
  for (const [file, vectors] of files) {
    describe(file, () => {
      for (const v of vectors) {
        it(v.name, () => {
          const expected = parseErlangTerm(v.term);
          expectSameTerm(decodeTerm(fromHex(v.etf_hex)), expected);
          expectSameTerm(decodeTerm(fromHex(v.etf_hex_utf8_atoms)), expected);
          expect(toHex(encodeTerm(expected))).toBe(v.etf_hex);
          expect(toHex(encodeTerm(expected, { atomEncoding: 'utf8' }))).toBe(v.etf_hex_utf8_atoms);
          expect(toHex(encodeFrame(expected))).toBe(v.frame_hex);
          if ('etf_hex_c_style' in v) {
            expectSameTerm(decodeTerm(fromHex(v.etf_hex_c_style)), expected);
            expectSameTerm(decodeTerm(fromHex(v.etf_hex_java_style)), expected);
          }
        });
      }
    });
  }
});

describe('formatTerm prints what Erlang printed', () => {
  for (const e of allTermEncodings().filter((x) => x.label.endsWith(':etf_hex'))) {
    it(e.label, () => {
      expect(formatTerm(decodeTerm(fromHex(e.hex)))).toBe(e.term);
    });
  }
});

describe('malformed.jsonl verdicts', () => {
  const expectedCodes: Record<string, NsoMockErrorCode> = {
    'bad.truncated_small_int': 'NSOMOCK_CODEC_TRUNCATED',
    'bad.no_version_byte': 'NSOMOCK_CODEC_BAD_VERSION',
    'bad.unknown_tag': 'NSOMOCK_CODEC_UNKNOWN_TAG',
    'bad.truncated_tuple': 'NSOMOCK_CODEC_TRUNCATED',
    'bad.binary_length_overrun': 'NSOMOCK_CODEC_TRUNCATED',
    'bad.truncated_atom': 'NSOMOCK_CODEC_TRUNCATED',
    'bad.version_only': 'NSOMOCK_CODEC_TRUNCATED',
  };
  it('covers every bad.* entry', () => {
    const bad = loadMalformed().filter((v) => v.name.startsWith('bad.')).map((v) => v.name);
    expect(bad.sort()).toEqual(Object.keys(expectedCodes).sort());
  });
  for (const v of loadMalformed()) {
    it(`${v.name}: frame_hex carries etf_hex`, () => {
      const d = new FrameDecoder();
      d.push(fromHex(v.frame_hex));
      expect(toHex(d.readFrame()!)).toBe(v.etf_hex);
    });
    if (v.name.startsWith('bad.')) {
      it(`${v.name} is rejected (${v.erlang_binary_to_term})`, () => {
        expect(codeOf(() => decodeTerm(fromHex(v.etf_hex)))).toBe(expectedCodes[v.name]);
        expect(codeOf(() => decodeTerm(fromHex(v.etf_hex), { allowTrailingBytes: true }))).toBe(expectedCodes[v.name]);
      });
    }
  }
  it('odd.trailing_bytes: rejected by default, 1 with allowTrailingBytes (as binary_to_term)', () => {
    const bytes = fromHex(loadMalformed().find((v) => v.name === 'odd.trailing_bytes')!.etf_hex);
    expect(codeOf(() => decodeTerm(bytes))).toBe('NSOMOCK_CODEC_TRAILING_BYTES');
    expectSameTerm(decodeTerm(bytes, { allowTrailingBytes: true }), parseErlangTerm('1'));
  });
  it('odd.zero_length_small_big decodes to 0', () => {
    const bytes = fromHex(loadMalformed().find((v) => v.name === 'odd.zero_length_small_big')!.etf_hex);
    expectSameTerm(decodeTerm(bytes), parseErlangTerm('0'));
    expect(toHex(encodeTerm(decodeTerm(bytes)))).toBe('836100');
  });
});

describe('every strict prefix of every vector encoding is truncated', () => {
  const encodings = allTermEncodings();
  it(`checks ${encodings.length} encodings`, () => {
    let prefixes = 0;
    for (const e of encodings) {
      const bytes = fromHex(e.hex);
      for (let n = 0; n < bytes.length; n++) {
        const code = codeOf(() => decodeTerm(bytes.subarray(0, n)));
        if (code !== 'NSOMOCK_CODEC_TRUNCATED') expect.fail(`${e.label} prefix ${n}/${bytes.length}: ${code}`);
        prefixes++;
      }
    }
    expect(prefixes).toBeGreaterThan(10_000);
  });
});
