import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sendableTermArbitrary, termArbitrary } from '../../src/arbitraries/term.js';
import {
  atom,
  binary,
  bitstring,
  float,
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
  it('sendable terms never contain maps, pids or bitstrings', () => {
    fc.assert(
      fc.property(sendableTermArbitrary(), (t) => {
        expect([...kinds(t)].filter((k) => !SENDABLE.has(k))).toEqual([]);
      }),
      { numRuns: fcRuns() },
    );
  });
});
