import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { termArbitrary } from '../../src/arbitraries/term.js';
import {
  atom,
  binary,
  bitstring,
  ByteWriter,
  encodeTerm,
  encodeTermInto,
  float,
  improper,
  int,
  list,
  map,
  NIL,
  pid,
  port,
  ref,
  tuple,
  type Term,
} from '../../src/codec/index.js';
import { codecErrorCode } from '../support/codec-errors.js';
import { fcRuns } from '../support/fc-config.js';
import { toHex } from '../support/vectors.js';

const unencodable = (t: Term): string => codecErrorCode(() => encodeTerm(t));

const hex = (t: Term, utf8 = false): string => toHex(encodeTerm(t, utf8 ? { atomEncoding: 'utf8' } : undefined));

describe('encodeTerm: choices term_to_binary/1 makes on OTP 25', () => {
  it('integers: 97, 98, minimal 110, 111 beyond 255 bytes', () => {
    expect(hex(int(255))).toBe('8361ff');
    expect(hex(int(-1))).toBe('8362ffffffff');
    expect(hex(int(2 ** 31))).toBe('836e040000000080');
    expect(hex(int(-(2 ** 31) - 1))).toBe('836e040101000080');
    expect(hex(int(2n ** 64n - 1n))).toBe('836e0800ffffffffffffffff');
    expect(hex(int(2 ** 53))).toBe('836e070000000000000020');
    const big = hex(int(2n ** 2040n));
    expect(big.slice(0, 14)).toBe('836f0000010000');
    expect(hex(int(2n ** 2040n - 1n)).slice(0, 8)).toBe('836eff00');
  });
  it('atoms: ATOM_EXT for Latin-1, UTF-8 tags only for other names; minor_version 2 always UTF-8', () => {
    expect(hex(atom('café'))).toBe('83640004636166e9');
    expect(hex(atom('café'), true)).toBe('837705636166c3a9');
    expect(hex(atom('α'))).toBe('837702ceb1');
    expect(hex(atom('α'.repeat(255))).slice(0, 8)).toBe('837601fe');
    expect(hex(atom('a'.repeat(255))).slice(0, 8)).toBe('836400ff');
    expect(hex(atom('a'.repeat(255)), true).slice(0, 6)).toBe('8377ff');
  });
  it('lists: STRING_EXT up to 65535 small integers, LIST_EXT beyond and with a tail', () => {
    expect(hex(list([int(1), int(255)]))).toBe('836b000201ff');
    expect(hex(list(Array.from({ length: 65535 }, () => int(1)))).slice(0, 8)).toBe('836bffff');
    expect(hex(list(Array.from({ length: 65536 }, () => int(1)))).slice(0, 12)).toBe('836c00010000');
    expect(hex(improper([int(1)], int(2)))).toBe('836c0000000161016102');
    expect(hex(list([int(1), int(256)]))).toBe('836c000000026101620000010' + '06a');
    // a hand-built list whose tail is a list is flattened, as Erlang sees it
    expect(hex({ kind: 'list', elements: [int(1)], tail: { kind: 'list', elements: [int(2)], tail: NIL } })).toBe('836b00020102');
  });
  it('tuples 104/105, maps in the given order, bitstrings, pids, ports, refs', () => {
    expect(hex(tuple(...Array.from({ length: 256 }, () => NIL))).slice(0, 12)).toBe('836900000100');
    expect(hex(map([[atom('b'), int(1)], [atom('a'), int(2)]]))).toBe('837400000002640001626101640001616102');
    expect(hex(bitstring(Uint8Array.of(0xff), 3))).toBe('834d0000000103e0');
    expect(hex(bitstring(Uint8Array.of(0xff), 8))).toBe('836d00000001ff');
    expect(hex(pid('a@b', 5, 1, 2))).toBe('8358640003614062000000050000000100000002');
    expect(hex(port('a@b', 5, 1))).toBe('83596400036140620000000500000001');
    expect(hex(port('a@b', 2n ** 32n, 1))).toBe('837864000361406200000001000000000000000' + '1');
    expect(hex(ref('a@b', 1, [1, 2, 3]))).toBe('835a0003640003614062000000010000000100000002' + '00000003');
  });
  it('floats as NEW_FLOAT_EXT, -0.0 kept', () => {
    expect(hex(float(0.25))).toBe('83463fd0000000000000');
    expect(hex(float(-0))).toBe('83468000000000000000');
  });
  it('encodeTermInto appends to a writer', () => {
    const w = new ByteWriter(16);
    const at = w.reserve(4);
    encodeTermInto(w, binary('x'.repeat(100)));
    w.patchU32(at, w.length - 4);
    expect(toHex(w.finish().subarray(0, 10))).toBe('0000006a836d00000064');
  });
});

describe('encodeTerm: unencodable values throw NSOMOCK_CODEC_UNENCODABLE', () => {
  it.each<[string, Term]>([
    ['NaN', float(Number.NaN)],
    ['Infinity', float(Number.POSITIVE_INFINITY)],
    ['an atom of 256 characters', atom('a'.repeat(256))],
    ['a lone surrogate', atom('\ud800')],
    ['a non-integer integer', { kind: 'integer', value: 1.5 }],
    ['a pid id past 32 bits', pid('a@b', 2 ** 32, 0, 0)],
    ['a port id past 64 bits', port('a@b', 2n ** 64n, 0)],
    ['a reference with 6 ids', ref('a@b', 0, [1, 2, 3, 4, 5, 6])],
    ['a bitstring of 0 bits', bitstring(Uint8Array.of(1), 0)],
    ['an unknown kind', { kind: 'set' } as unknown as Term],
    ['nesting deeper than the stack', Array.from({ length: 200_000 }).reduce<Term>((acc) => tuple(acc), NIL)],
  ])('%s', (_name, t) => {
    expect(unencodable(t)).toBe('NSOMOCK_CODEC_UNENCODABLE');
  });
  it('slab results never overlap, and terms larger than the slab are returned whole', () => {
    const results = Array.from({ length: 5000 }, (_, i) => encodeTerm(binary(new Uint8Array(40).fill(i & 0xff))));
    results.forEach((r, i) => expect(r[10]).toBe(i & 0xff));
    results[0]!.fill(0);
    expect(results[1]![10]).toBe(1);
    const big = encodeTerm(binary(new Uint8Array(200_000).fill(7)));
    expect(big.length).toBe(200_006);
    expect(big[200_005]).toBe(7);
    expect(hex(int(1))).toBe('836101');
  });
  it('a failed encode leaves the encoder usable', () => {
    expect(unencodable(tuple(int(1), float(Number.NaN)))).toBe('NSOMOCK_CODEC_UNENCODABLE');
    expect(hex(int(1))).toBe('836101');
  });
});

describe('encodeTermInto: growing writers', () => {
  it('appends after existing content and grows in the middle of a term', () => {
    const w = new ByteWriter(16);
    w.u8(0xaa);
    const t = tuple(...Array.from({ length: 40 }, (_, i) => tuple(int(i * 1000), binary('x'.repeat(i)), atom(`a${i}`))));
    encodeTermInto(w, t);
    expect(toHex(w.finish())).toBe('aa' + toHex(encodeTerm(t)));
  });

  describe('properties', () => {
    // The encoder passes write offsets through its calls and rebases them when the writer moves
    // its output to a bigger buffer: any term, written after any prefix into a writer that views
    // part of a larger buffer, must come out exactly as encodeTerm writes it.
    it('encodeTermInto(writer at any offset) writes the bytes of encodeTerm', () => {
      fc.assert(
        fc.property(termArbitrary(), fc.nat(40), fc.nat(24), fc.boolean(), (t, offset, prefix, utf8) => {
          const options = utf8 ? ({ atomEncoding: 'utf8' } as const) : undefined;
          const w = new ByteWriter(16);
          w.adopt(new Uint8Array(offset + prefix + 8), offset);
          for (let i = 0; i < prefix; i++) w.u8(i);
          encodeTermInto(w, t, options);
          const out = w.finish();
          expect(toHex(out.subarray(0, prefix))).toBe(toHex(Uint8Array.from({ length: prefix }, (_, i) => i)));
          expect(toHex(out.subarray(prefix))).toBe(toHex(encodeTerm(t, options)));
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});
