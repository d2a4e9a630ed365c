import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sendableTermArbitrary, termArbitrary } from '../../src/arbitraries/term.js';
import {
  atom,
  binary,
  bitstring,
  DEFAULT_FORMAT_MAX_LENGTH,
  float,
  formatInteger,
  formatTerm,
  improper,
  int,
  list,
  map,
  NIL,
  pid,
  termEqual,
  tuple,
  type Term,
  type TermKind,
} from '../../src/codec/index.js';
import { parseErlangTerm } from '../support/erlang-term-parser.js';
import { fcRuns } from '../support/fc-config.js';

describe('formatTerm (Erlang ~w syntax)', () => {
  it('prints floats the way Erlang does (shortest, fixed on ties)', () => {
    const cases: [number, string][] = [
      [1, '1.0'], [0.25, '0.25'], [-1.5e300, '-1.5e300'], [1e20, '1.0e20'], [1e15, '1.0e15'],
      [123456789012345, '123456789012345.0'], [1e16, '1.0e16'], [0.001, '0.001'], [0.0001, '0.0001'],
      [1.5e-7, '1.5e-7'], [100, '100.0'], [12345.678, '12345.678'], [5e-324, '5.0e-324'],
      [1.7976931348623157e308, '1.7976931348623157e308'], [1e-5, '1.0e-5'], [-0, '-0.0'], [1000, '1.0e3'],
      [1234567, '1234567.0'], [0.0005, '0.0005'], [12300000, '1.23e7'],
    ];
    for (const [v, text] of cases) expect(formatTerm(float(v))).toBe(text);
  });
  it('quotes atoms only when needed', () => {
    expect(formatTerm(atom('ok'))).toBe('ok');
    expect(formatTerm(atom('NETCONF'))).toBe("'NETCONF'");
    expect(formatTerm(atom(''))).toBe("''");
    expect(formatTerm(atom('andalso'))).toBe("'andalso'");
    expect(formatTerm(atom('a@b.c'))).toBe("'a@b.c'");
    expect(formatTerm(atom("it's\n"))).toBe("'it\\'s\\n'");
    expect(formatTerm(atom('α'))).toBe("'\\x{3B1}'");
    expect(formatTerm(atom('café'))).toBe('café');
  });
  it('prints binaries as text when printable, else as bytes', () => {
    expect(formatTerm(binary('a\nb"c\\'))).toBe('<<"a\\nb\\"c\\\\">>');
    expect(formatTerm(binary('café'))).toBe('<<"café"/utf8>>');
    expect(formatTerm(binary(Uint8Array.of(120, 0)))).toBe('<<120,0>>');
    expect(formatTerm(binary(''))).toBe('<<>>');
    expect(formatTerm(bitstring(Uint8Array.of(1, 0xe0), 3))).toBe('<<1,7:3>>');
  });
  it('prints containers like ~w', () => {
    expect(formatTerm(tuple(int(1), list([int(97), int(98)]), improper([int(1)], int(2)), NIL))).toBe('{1,[97,98],[1|2],[]}');
    expect(formatTerm(map([[atom('a'), int(1)]]))).toBe('#{a => 1}');
    expect(formatTerm(pid('a@b', 1, 2, 3))).toBe('#Pid<a@b.1.2>');
  });
});

const SENDABLE = new Set<TermKind>(['atom', 'integer', 'float', 'binary', 'tuple', 'list', 'nil']);

describe('formatTerm on hostile terms (bounded cost and length, audit finding 1)', () => {
  it('prints integers up to 1024 bytes in decimal and larger ones by size, never converting those to decimal', () => {
    const atLimit = (1n << 8192n) - 1n;
    expect(formatTerm(int(atLimit))).toBe(atLimit.toString());
    expect(formatTerm(int(-atLimit))).toBe((-atLimit).toString());
    expect(formatTerm(int(1n << 8192n))).toBe('#Integer<1025 bytes>');
    // The finding's 4 MiB integer: its decimal text takes seconds to make; its size takes microseconds.
    expect(formatTerm(tuple(int(-((1n << BigInt(8 << 22)) - 1n))))).toBe('{#Integer<4194304 bytes>}');
    expect(formatInteger(12345678901234567890n)).toBe('12345678901234567890');
  });

  it('stops formatting at maxLength instead of formatting everything and cutting', () => {
    let visited = 0;
    // Elements that count how often the formatter looks at them.
    const counted = (v: number): Term => ({
      get kind() {
        visited++;
        return 'integer' as const;
      },
      value: v,
    }) as Term;
    const big = list(Array.from({ length: 100_000 }, (_, i) => counted(i)));
    const text = formatTerm(big, { maxLength: 20 });
    expect(text).toBe('[0,1,2,3,4,5,6,7,8,…');
    expect(visited).toBeLessThan(50);
    expect(formatTerm(list([int(1), int(2), int(3)]), { maxLength: 5 })).toBe('[1,2…');
    expect(formatTerm(list([int(1), int(2), int(3)]), { maxLength: 7 })).toBe('[1,2,3]');
    // '😀' is two UTF-16 units: a cut between them drops the pair.
    expect(formatTerm(binary('😀😀😀'), { maxLength: 6 })).toBe('<<"😀…');
    expect(formatTerm(binary('😀😀😀'), { maxLength: 7 })).toBe('<<"😀…');
    // A cut binary is never shown closed, even when its prefix prints shorter than the cap.
    expect(formatTerm(binary('😀😀😀😀😀😀'), { maxLength: 12 })).toBe('<<"😀😀😀…');
    expect(formatTerm(binary(Uint8Array.of(1, 2, 3, 4, 5, 6)), { maxLength: 9 })).toBe('<<1,2,3,…');
  });

  it('caps the default length, and formats a megabyte binary without overflowing the stack', () => {
    const text = formatTerm(tuple(binary(new Uint8Array(4 << 20).fill(97))));
    expect(text).toHaveLength(DEFAULT_FORMAT_MAX_LENGTH);
    expect(text.startsWith('{<<"aaaa')).toBe(true);
    expect(text.endsWith('a…')).toBe(true);
    expect(formatTerm(binary(new Uint8Array(200_000).fill(98)), { maxLength: Infinity })).toBe(`<<"${'b'.repeat(200_000)}">>`);
  });
});

function kinds(t: Term, out = new Set<TermKind>()): Set<TermKind> {
  out.add(t.kind);
  if (t.kind === 'tuple') t.elements.forEach((e) => kinds(e, out));
  if (t.kind === 'list') {
    t.elements.forEach((e) => kinds(e, out));
    kinds(t.tail, out);
  }
  if (t.kind === 'map') t.entries.forEach(([k, v]) => (kinds(k, out), kinds(v, out)));
  return out;
}

describe('properties', () => {
  it('what formatTerm prints, the independent parser reads back (all kinds except identifiers)', () => {
    fc.assert(
      fc.property(termArbitrary({ withIdentifiers: false }), (t) => {
        expect(termEqual(parseErlangTerm(formatTerm(t)), t)).toBe(true);
      }),
      { numRuns: fcRuns() },
    );
  });
  it('maxLength only cuts: a text that fits is unchanged, a longer one is cut to maxLength with …', () => {
    fc.assert(
      fc.property(termArbitrary(), fc.integer({ min: 1, max: 120 }), (t, max) => {
        const full = formatTerm(t);
        const cut = formatTerm(t, { maxLength: max });
        if (full.length <= max) expect(cut).toBe(full);
        else {
          // One short only where the cut would split a surrogate pair.
          expect(cut.length === max || (cut.length === max - 1 && /[\ud800-\udbff]/.test(full[max - 2]!))).toBe(true);
          expect(cut.endsWith('…')).toBe(true);
          expect(cut).not.toMatch(/[\ud800-\udbff]…$/);
        }
      }),
      { numRuns: fcRuns() },
    );
  });
  it('sendable terms never contain maps, pids or bitstrings', () => {
    fc.assert(
      fc.property(sendableTermArbitrary(), (t) => {
        expect([...kinds(t)].filter((k) => !SENDABLE.has(k))).toEqual([]);
      }),
      { numRuns: fcRuns() },
    );
  });
});
