import fc from 'fast-check';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { termArbitrary } from '../../src/arbitraries/term.js';
import {
  atom,
  CodecError,
  decodeTerm,
  decodeTermAt,
  DEFAULT_DECODE_LIMITS,
  encodeTerm,
  formatTerm,
  int,
  list,
  termEqual,
  tuple,
  type DecodeLimits,
  type NsoMockErrorCode,
  type Term,
} from '../../src/codec/index.js';
import { codecErrorOf } from '../support/codec-errors.js';
import { fcRuns } from '../support/fc-config.js';
import { parseErlangTerm } from '../support/erlang-term-parser.js';
import { fromHex } from '../support/vectors.js';

function decodeError(bytes: Uint8Array, limits?: DecodeLimits): CodecError {
  return codecErrorOf(() => decodeTerm(bytes, limits), (t) => `decoded ${formatTerm(t)}`);
}

function code(hex: string, limits?: DecodeLimits): NsoMockErrorCode {
  return decodeError(fromHex(hex), limits).code;
}

function decodesTo(hex: string, text: string): void {
  const t = decodeTerm(fromHex(hex));
  expect(formatTerm(t)).toBe(formatTerm(parseErlangTerm(text)));
  expect(termEqual(t, parseErlangTerm(text))).toBe(true);
}

const REAL_FUN =
  '8370000000BD01065361AA461590D1BDF1EB62D1A6EB080000002A0000000164000865726C5F6576616C612A6200329B0D5864000D6E6F6E6F6465406E6F686F7374000000090000000000000000680661016A6400046E6F6E656400046E6F6E6574000000006C000000016805640006636C6175736561016C0000000168036400037661726101640001586A6A6C0000000168056400026F7061016400012B68036400037661726101640001586803640007696E7465676572610161016A6A';

const u32 = (n: number): string => n.toString(16).padStart(8, '0');

describe('decodeTerm: tags', () => {
  it('reads all four atom tags to the same atom', () => {
    for (const hex of ['836400026f6b', '8373026f6b', '837600026f6b', '8377026f6b']) decodesTo(hex, 'ok');
  });
  it('reads Latin-1 bytes of ATOM_EXT as code points and UTF-8 bytes of tag 119 as UTF-8', () => {
    expect(decodeTerm(fromHex('83640004636166e9'))).toBe(atom('café'));
    expect(decodeTerm(fromHex('837705636166c3a9'))).toBe(atom('café'));
    expect(decodeTerm(fromHex('837702ceb1'))).toBe(atom('α'));
  });
  it('rejects invalid UTF-8 in a UTF-8 atom and atoms of more than 255 characters', () => {
    expect(code('837701e9')).toBe('NSOMOCK_CODEC_INVALID');
    expect(code('83640100' + '61'.repeat(256))).toBe('NSOMOCK_CODEC_INVALID');
    expect(code('83760200' + 'ceb1'.repeat(256))).toBe('NSOMOCK_CODEC_INVALID');
  });
  it('reads SMALL_BIG and LARGE_BIG, non-minimal and zero-length', () => {
    decodesTo('836e0000', '0');
    decodesTo('836e0001', '0'); // negative zero-length is still 0
    decodesTo('836e0400ffffff7f', '2147483647');
    decodesTo('836e040100000080', '-2147483648');
    decodesTo('836f000000040001000000', '1');
    decodesTo('836e0800ffffffffffffffff', '18446744073709551615');
    decodesTo('836e0801ffffffffffffffff', '-18446744073709551615');
    decodesTo('836e0700ffffffffffff1f', '9007199254740991');
    decodesTo('836e070000000000000020', '9007199254740992');
  });
  it('keeps safe integers as numbers and larger ones as bigints', () => {
    expect(decodeTerm(fromHex('836e0700ffffffffffff1f'))).toEqual({ kind: 'integer', value: 9007199254740991 });
    expect(decodeTerm(fromHex('836e070000000000000020'))).toEqual({ kind: 'integer', value: 9007199254740992n });
  });
  it('reads STRING_EXT as a list of integers and an empty STRING_EXT as []', () => {
    decodesTo('836b0003616263', '"abc"');
    decodesTo('836b0000', '[]');
  });
  it('merges list tails that are lists, as Erlang does', () => {
    decodesTo('836c0000000161016c0000000161026a', '[1,2]');
    decodesTo('836c00000001610a6b00020b0c', '[10,11,12]');
    decodesTo('836c00000000610a', '10'); // LIST_EXT of 0 elements is its tail
    decodesTo('836c000000016101610a', '[1|10]');
  });
  it('reads FLOAT_EXT text and rejects bad text', () => {
    decodesTo('8363' + Buffer.from('1.50000000000000000000e+00').toString('hex').padEnd(62, '0'), '1.5');
    expect(code('8363' + Buffer.from('1').toString('hex').padEnd(62, '0'))).toBe('NSOMOCK_CODEC_INVALID');
    expect(code('8363' + Buffer.from('1.5x').toString('hex').padEnd(62, '0'))).toBe('NSOMOCK_CODEC_INVALID');
  });
  it('rejects non-finite NEW_FLOAT_EXT (binary_to_term does)', () => {
    expect(code('83467ff0000000000000')).toBe('NSOMOCK_CODEC_INVALID');
    expect(code('83467ff8000000000000')).toBe('NSOMOCK_CODEC_INVALID');
  });
  it('keeps -0.0 apart from 0.0', () => {
    const neg = decodeTerm(fromHex('83468000000000000000'));
    expect(neg.kind === 'float' && Object.is(neg.value, -0)).toBe(true);
    expect(termEqual(neg, decodeTerm(fromHex('83460000000000000000')))).toBe(false);
  });
  it('reads LARGE_TUPLE_EXT and MAP_EXT', () => {
    decodesTo('83690000000261016102', '{1,2}');
    decodesTo('837400000002640001616102640001626101', '#{a => 2,b => 1}');
  });
  it('reads BIT_BINARY_EXT, canonicalised like Erlang (masking, 8 bits = binary, empty = <<>>)', () => {
    decodesTo('834d0000000103ff', '<<7:3>>');
    decodesTo('834d0000000108ff', '<<255>>');
    decodesTo('834d0000000000', '<<>>');
    expect(code('834d0000000100ff')).toBe('NSOMOCK_CODEC_INVALID');
    expect(code('834d0000000003')).toBe('NSOMOCK_CODEC_INVALID');
    expect(toHexOf(encodeTerm(decodeTerm(fromHex('834d0000000103ff'))))).toBe('834d0000000103e0');
  });
  it('reads pids, ports and references in every encoding and re-encodes them as OTP 25 does', () => {
    const node = '6400036140' + '62';
    const cases: [string, string][] = [
      ['8367' + node + '00000005' + '00000001' + '02', '8358' + node + '00000005' + '00000001' + '00000002'],
      ['8358' + node + 'ffffffff' + 'ffffffff' + '00000001', '8358' + node + 'ffffffff' + 'ffffffff' + '00000001'],
      ['8366' + node + '00000005' + '01', '8359' + node + '00000005' + '00000001'],
      ['8359' + node + '00000005' + '00000001', '8359' + node + '00000005' + '00000001'],
      ['8378' + node + '0000000500000005' + '00000001', '8378' + node + '0000000500000005' + '00000001'],
      ['8378' + node + '0000000000000005' + '00000001', '8359' + node + '00000005' + '00000001'],
      ['8365' + node + '00000009' + '01', '835a0001' + node + '00000001' + '00000009'],
      ['83720003' + node + '01' + '000000010000000200000003', '835a0003' + node + '00000001' + '000000010000000200000003'],
      ['835a0003' + node + '00000001' + '000000010000000200000003', '835a0003' + node + '00000001' + '000000010000000200000003'],
    ];
    for (const [input, reencoded] of cases) expect(toHexOf(encodeTerm(decodeTerm(fromHex(input))))).toBe(reencoded);
    expect(code('835a0006' + node + '00000001' + '00'.repeat(24))).toBe('NSOMOCK_CODEC_INVALID');
    expect(code('8358610100000000000000000000000000')).toBe('NSOMOCK_CODEC_INVALID'); // node is no atom
  });
  it('reads EXPORT_EXT and keeps NEW_FUN_EXT raw by its size', () => {
    const exp = decodeTerm(fromHex('83716400056c697374736400036d61706102'));
    expect(exp).toEqual({ kind: 'export', module: 'lists', function: 'map', arity: 2 });
    expect(formatTerm(exp)).toBe('fun lists:map/2');
    expect(toHexOf(encodeTerm(exp))).toBe('83716400056c697374736400036d61706102');
    // term_to_binary(fun(X) -> X + 1 end) from an OTP 25 shell.
    const funHex = REAL_FUN.toLowerCase();
    const fun = decodeTerm(fromHex(funHex));
    expect(fun.kind).toBe('fun');
    expect(toHexOf(encodeTerm(fun))).toBe(funHex);
    const inTuple = decodeTerm(fromHex('836802' + funHex.slice(2) + '6a'));
    expect(inTuple.kind === 'tuple' && inTuple.elements[1]!.kind).toBe('nil');
    expect(code('837000000003')).toBe('NSOMOCK_CODEC_INVALID');
    expect(code('8370000000ff00')).toBe('NSOMOCK_CODEC_TRUNCATED');
  });
  it('reads COMPRESSED (tag 80) and checks the size before inflating', () => {
    const inner = encodeTerm(list(Array.from({ length: 100 }, () => atom('undefined')))).subarray(1);
    const z = deflateSync(inner);
    const bytes = Uint8Array.from([131, 80, ...fromHex(u32(inner.length)), ...z]);
    expect(termEqual(decodeTerm(bytes), decodeTerm(Uint8Array.from([131, ...inner])))).toBe(true);
    const huge = Uint8Array.from([131, 80, ...fromHex(u32(0xffffffff)), ...z]);
    expect(decodeError(huge).code).toBe('NSOMOCK_CODEC_LIMIT_EXCEEDED');
    const lying = Uint8Array.from([131, 80, ...fromHex(u32(inner.length + 1)), ...z]);
    expect(decodeError(lying).code).toBe('NSOMOCK_CODEC_INVALID');
    expect(decodeError(Uint8Array.from([131, 80, ...fromHex(u32(inner.length)), 1, 2, 3])).code).toBe('NSOMOCK_CODEC_INVALID');
    expect(decodeError(bytes.subarray(0, bytes.length - 3)).code).toBe('NSOMOCK_CODEC_TRUNCATED');
    // Only directly after the version byte, as in binary_to_term/1.
    expect(code('83680150000000017800')).toBe('NSOMOCK_CODEC_UNKNOWN_TAG');
  });
  it('rejects LOCAL_EXT', () => {
    expect(code('8379' + '00'.repeat(8))).toBe('NSOMOCK_CODEC_INVALID');
  });
});

describe('decodeTerm: errors', () => {
  it('names the tag and byte offset: "unknown tag 0x7a at byte 15"', () => {
    const bytes = Uint8Array.from([...encodeTerm(tuple(int(1), int(2), atom('hello')))].slice(0, 16).concat([0x7a]));
    bytes[2] = 4;
    const e = decodeError(bytes);
    expect(e.code).toBe('NSOMOCK_CODEC_UNKNOWN_TAG');
    expect(e.message).toBe('Failed to decode term: unknown tag 0x7a at byte 15');
    expect(e.details).toEqual({ offset: 15, tag: 0x7a });
    expect(e).toBeInstanceOf(CodecError);
    expect(e.name).toBe('CodecError');
  });
  it('reports a bad version byte', () => {
    expect(code('8261')).toBe('NSOMOCK_CODEC_BAD_VERSION');
    expect(code('')).toBe('NSOMOCK_CODEC_TRUNCATED');
  });
  it('reports trailing bytes unless allowed, and decodeTermAt returns the end', () => {
    expect(code('836101ff')).toBe('NSOMOCK_CODEC_TRAILING_BYTES');
    const bytes = fromHex('836101836102');
    const first = decodeTermAt(bytes, 0);
    expect(first.end).toBe(3);
    expect(decodeTermAt(bytes, first.end).term).toEqual(int(2));
  });
  it('calls a count larger than the remaining bytes truncated, before allocating', () => {
    expect(code('8368ff')).toBe('NSOMOCK_CODEC_TRUNCATED');
    expect(code('8369ffffffff')).toBe('NSOMOCK_CODEC_TRUNCATED');
    expect(code('836cffffffff6a')).toBe('NSOMOCK_CODEC_TRUNCATED');
    expect(code('8374ffffffff')).toBe('NSOMOCK_CODEC_TRUNCATED');
    expect(code('836dffffffff')).toBe('NSOMOCK_CODEC_TRUNCATED');
    expect(code('836fffffffff00')).toBe('NSOMOCK_CODEC_TRUNCATED');
  });
  it('enforces every limit', () => {
    const tuple3 = '836803610161026103';
    expect(code(tuple3, { maxArity: 2 })).toBe('NSOMOCK_CODEC_LIMIT_EXCEEDED');
    expect(code('836c000000036101610261036a', { maxArity: 2 })).toBe('NSOMOCK_CODEC_LIMIT_EXCEEDED');
    expect(code('836b0003010203', { maxArity: 2 })).toBe('NSOMOCK_CODEC_LIMIT_EXCEEDED');
    expect(code('836d00000003616263', { maxBinaryBytes: 2 })).toBe('NSOMOCK_CODEC_LIMIT_EXCEEDED');
    expect(code('836400026f6b', { maxAtomBytes: 1 })).toBe('NSOMOCK_CODEC_LIMIT_EXCEEDED');
    expect(code('836f0000000300010203', { maxBinaryBytes: 2 })).toBe('NSOMOCK_CODEC_LIMIT_EXCEEDED');
  });
  it('refuses a bignum larger than maxBigIntBytes with its own code, at its tag', () => {
    // LARGE_BIG_EXT of n magnitude bytes 0xff: 131, 111, n:u32, sign 0, magnitude.
    const big = (n: number): Uint8Array => {
      const b = new Uint8Array(7 + n).fill(0xff);
      b.set([131, 111, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, 0]);
      return b;
    };
    const limit = DEFAULT_DECODE_LIMITS.maxBigIntBytes;
    const atLimit = decodeTerm(big(limit));
    expect(atLimit.kind === 'integer' && atLimit.value).toBe((1n << BigInt(limit * 8)) - 1n);
    const e = decodeError(big(limit + 1));
    expect(e.code).toBe('NSOMOCK_CODEC_INTEGER_TOO_LARGE');
    expect(e.details).toMatchObject({ offset: 1, tag: 111 });
    expect(e.message).toContain(`integer of ${limit + 1} bytes exceeds maxBigIntBytes ${limit}`);
    // The finding's 4 MiB integer inside a tuple: refused, and the message stays short.
    const huge = big(4 << 20);
    const inTuple = new Uint8Array(huge.length + 2);
    inTuple.set([131, 104, 1]);
    inTuple.set(huge.subarray(1), 3);
    const e4 = decodeError(inTuple);
    expect(e4.code).toBe('NSOMOCK_CODEC_INTEGER_TOO_LARGE');
    expect(e4.message.length).toBeLessThan(120);
    // SMALL_BIG_EXT too, and a caller may lower or raise the limit.
    expect(code('836e0300010203', { maxBigIntBytes: 2 })).toBe('NSOMOCK_CODEC_INTEGER_TOO_LARGE');
    expect(decodeTerm(fromHex('836e0300010203'), { maxBigIntBytes: 3 })).toEqual(int(0x030201));
    expect(decodeTerm(big(limit + 1), { maxBigIntBytes: limit + 1 }).kind).toBe('integer');
    // A truncated bignum is still reported as truncated.
    expect(code('836f0000100000ff')).toBe('NSOMOCK_CODEC_TRUNCATED');
  });
  it('bounds depth with maxDepth, and survives depths far past the stack', () => {
    const nested = (depth: number): Uint8Array => Uint8Array.from([131, ...new Array<number>(depth).fill(0).flatMap(() => [104, 1]), 106]);
    expect(decodeTerm(nested(DEFAULT_DECODE_LIMITS.maxDepth)).kind).toBe('tuple');
    expect(decodeError(nested(DEFAULT_DECODE_LIMITS.maxDepth + 1)).code).toBe('NSOMOCK_CODEC_LIMIT_EXCEEDED');
    expect(decodeError(nested(3), { maxDepth: 2 }).code).toBe('NSOMOCK_CODEC_LIMIT_EXCEEDED');
    expect(decodeError(nested(200_000), { maxDepth: 1_000_000 }).code).toBe('NSOMOCK_CODEC_LIMIT_EXCEEDED');
  });
  it('follows chained list tails without using the stack', () => {
    const n = 100_000;
    const parts: number[] = [131];
    for (let i = 0; i < n; i++) parts.push(108, 0, 0, 0, 1, 97, i & 0xff);
    parts.push(106);
    const t = decodeTerm(Uint8Array.from(parts));
    expect(t.kind === 'list' && t.elements.length).toBe(n);
  });
});

describe('decodeTerm: binaries are views on the input', () => {
  it('does not copy binary contents', () => {
    const bytes = fromHex('836d00000003616263');
    const t = decodeTerm(bytes);
    expect(t.kind === 'binary' && t.bytes.buffer).toBe(bytes.buffer);
    bytes[6] = 0x7a;
    expect(t.kind === 'binary' && t.bytes[0]).toBe(0x7a);
  });
});

function toHexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function onlyCodecErrors(bytes: Uint8Array): boolean {
  try {
    decodeTerm(bytes);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    if (typeof error.details.offset !== 'number') throw new Error('CodecError without an offset');
  }
  return true;
}

describe('properties', () => {
  it('decode(encode(t)) equals t, in both atom encodings', () => {
    fc.assert(
      fc.property(termArbitrary(), (t: Term) => {
        expect(termEqual(decodeTerm(encodeTerm(t)), t)).toBe(true);
        expect(termEqual(decodeTerm(encodeTerm(t, { atomEncoding: 'utf8' })), t)).toBe(true);
      }),
      { numRuns: fcRuns() },
    );
  });
  it('encode(decode(encode(t))) is byte-identical (the encoding is canonical)', () => {
    fc.assert(
      fc.property(termArbitrary(), (t: Term) => {
        const bytes = encodeTerm(t);
        expect(toHexOf(encodeTerm(decodeTerm(bytes)))).toBe(toHexOf(bytes));
      }),
      { numRuns: fcRuns() },
    );
  });
  it('every strict prefix of an encoded term is truncated', () => {
    fc.assert(
      fc.property(termArbitrary({ maxDepth: 2 }), (t: Term) => {
        const bytes = encodeTerm(t);
        for (let n = 0; n < bytes.length; n++) {
          expect(decodeError(bytes.subarray(0, n)).code).toBe('NSOMOCK_CODEC_TRUNCATED');
        }
      }),
      { numRuns: fcRuns(0.5) },
    );
  });
  // Cheap, so it runs a fixed 100,000 cases whatever FC_NUM_RUNS says.
  it('100,000 random byte strings yield a value or a CodecError, never anything else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), onlyCodecErrors), { numRuns: 50_000, seed: 131 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => onlyCodecErrors(Uint8Array.from([131, ...tail]))),
      { numRuns: 50_000, seed: 80 },
    );
  });
  it('mutated valid encodings yield a value or a CodecError', () => {
    fc.assert(
      fc.property(termArbitrary({ maxDepth: 2 }), fc.nat(), fc.nat({ max: 255 }), (t, at, byte) => {
        const bytes = encodeTerm(t);
        bytes[at % bytes.length] = byte;
        return onlyCodecErrors(bytes);
      }),
      { numRuns: 20_000, seed: 7 },
    );
  });
});
