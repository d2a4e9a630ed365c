import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atom, binary, C_TYPE, float, formatTerm, improper, int, list, tuple, type Term } from '../../src/codec/index.js';
import { loadSchema, phash2, SchemaError, termToValue, valueToTerm, type SchemaLeafType, type SchemaNode } from '../../src/schema/index.js';
import { parseErlangTerm } from '../support/erlang-term-parser.js';
import { fcRuns } from '../support/fc-config.js';

const schema = loadSchema([
  {
    path: 'v.yang',
    text: `module v {
  namespace "urn:v"; prefix v;
  import ietf-inet-types { prefix inet; }
  import ietf-yang-types { prefix yang; }
  identity proto; identity tcp { base proto; } identity udp { base proto; }
  container c {
    leaf s { type string; }
    leaf i8 { type int8; } leaf i16 { type int16; } leaf i32 { type int32; } leaf i64 { type int64; }
    leaf u8 { type uint8; } leaf u16 { type uint16; } leaf u32 { type uint32; } leaf u64 { type uint64; }
    leaf b { type boolean; }
    leaf e { type enumeration { enum up; enum down { value 7; } } }
    leaf d { type decimal64 { fraction-digits 3; } }
    leaf v4 { type inet:ipv4-address; } leaf v6 { type inet:ipv6-address; }
    leaf ip { type inet:ip-address; } leaf host { type inet:host; }
    leaf p4 { type inet:ipv4-prefix; }
    leaf dt { type yang:date-and-time; }
    leaf mac { type yang:mac-address; }
    leaf hex { type yang:hex-string; }
    leaf dq { type yang:dotted-quad; }
    leaf oid { type yang:object-identifier; }
    leaf bin { type binary; }
    leaf bits { type bits { bit a; bit b; bit c { position 31; } } }
    leaf id { type identityref { base proto; } }
    leaf flag { type empty; }
    leaf u { type union { type uint8; type enumeration { enum auto; } } }
  }
}`,
  },
]);

const c = schema.roots[0]!;
function leaf(name: string): SchemaNode {
  return c.children.find((n) => n.name === name)!;
}
function typeOf(name: string): SchemaLeafType {
  return leaf(name).type!;
}

const cases: readonly [leaf: string, text: string, erlang: string][] = [
  ['s', 'hello', '<<"hello">>'],
  ['i8', '-128', '{6,-128}'],
  ['i16', '32767', '{7,32767}'],
  ['i32', '-5', '-5'],
  ['i64', '9223372036854775807', '{9,9223372036854775807}'],
  ['u8', '255', '{10,255}'],
  ['u16', '22', '{11,22}'],
  ['u32', '4294967295', '{12,4294967295}'],
  ['u64', '18446744073709551615', '{13,18446744073709551615}'],
  ['b', 'true', 'true'],
  ['e', 'down', '{28,7}'],
  ['d', '-1.5', '{43,{-1500,3}}'],
  ['v4', '10.0.0.1', '{10,0,0,1}'],
  ['v6', '2001:db8::1', '{8193,3512,0,0,0,0,0,1}'],
  ['ip', '10.0.0.2', '{10,0,0,2}'],
  ['ip', '::1', '{0,0,0,0,0,0,0,1}'],
  ['host', 'example.com', '<<"example.com">>'],
  ['p4', '10.0.0.0/8', '{40,{{10,0,0,0},8}}'],
  ['mac', '00:1a:2b:3c:4d:5e', '{39,<<0,26,43,60,77,94>>}'],
  ['hex', '0a:ff', '{47,<<10,255>>}'],
  ['dq', '1.2.3.4', '{46,<<1,2,3,4>>}'],
  ['oid', '1.3.6', '{38,<<0,0,0,1,0,0,0,3,0,0,0,6>>}'],
  ['bin', 'AQID', '{39,<<1,2,3>>}'],
  ['bits', 'a c', '{29,2147483649}'],
  ['u', '7', '{10,7}'],
  ['u', 'auto', '{28,0}'],
];

describe('valueToTerm / termToValue', () => {
  it.each(cases)('%s %s ⇄ %s (PROTOCOL.md §9.4)', (name, text, erlang) => {
    const term = valueToTerm(typeOf(name), text);
    expect(formatTerm(term)).toBe(erlang);
    expect(termToValue(typeOf(name), parseErlangTerm(erlang))).toBe(text);
  });

  it('types a date-and-time as C_DATETIME and reads it back', () => {
    const term = valueToTerm(typeOf('dt'), '2024-01-02T03:04:05+01:00');
    expect(term.kind === 'tuple' && term.elements[0]).toEqual(int(C_TYPE.DATETIME));
    expect(termToValue(typeOf('dt'), term)).toBe('2024-01-02T03:04:05+01:00');
  });

  it('types an identityref as {44, {NsHash, IdHash}}', () => {
    const term = valueToTerm(typeOf('id'), 'v:udp');
    expect(formatTerm(term)).toBe(formatTerm(tuple(int(44), tuple(int(phash2('urn:v')), int(phash2('udp'))))));
    expect(termToValue(typeOf('id'), term)).toBe('v:udp');
    expect(formatTerm(valueToTerm(typeOf('id'), 'tcp'))).toBe(formatTerm(tuple(int(44), tuple(int(phash2('urn:v')), int(phash2('tcp'))))));
  });

  it('gives an empty leaf its [NsHash|TagHash] and reads it (and the atom leaf) back', () => {
    const flag = leaf('flag');
    const term = valueToTerm(flag.type!, '', { leaf: flag });
    expect(formatTerm(term)).toBe(formatTerm(improper([int(phash2('urn:v'))], int(phash2('flag')))));
    expect(termToValue(flag.type!, term, { leaf: flag })).toBe('');
    expect(termToValue(flag.type!, atom('leaf'))).toBe('');
  });

  it('reads YANG’s hex and octal integer forms, and writes decimal (RFC 7950 §9.2.1)', () => {
    expect(formatTerm(valueToTerm(typeOf('i16'), '0x7fff'))).toBe('{7,32767}');
    expect(formatTerm(valueToTerm(typeOf('i16'), '-010'))).toBe('{7,-8}');
    expect(termToValue(typeOf('i16'), valueToTerm(typeOf('i16'), '0x10'))).toBe('16');
  });

  it('writes decimal64 canonically', () => {
    expect(termToValue(typeOf('d'), parseErlangTerm('{43,{2000,3}}'))).toBe('2.0');
    expect(termToValue(typeOf('d'), parseErlangTerm('{43,{5,3}}'))).toBe('0.005');
  });

  it.each([
    ['u8', '256', /'256' is no uint8: outside 0\.\.255/],
    ['i32', 'x', /'x' is no int32: not an integer/],
    ['b', 'yes', /expected 'true' or 'false'/],
    ['e', 'sideways', /expected one of up, down/],
    ['d', '1.2345', /more than 3 fraction digits/],
    ['v4', '10.0.0', /'10\.0\.0' is no inet:ipv4-address/],
    ['bits', 'a z', /unknown bit 'z'/],
    ['id', 'v:nope', /expected one of v:tcp, v:udp/],
    ['u', 'manual', /fits none of the union's member types \(uint8, enumeration\)/],
  ])('refuses %s = %s', (name, text, message) => {
    expect.assertions(2);
    try {
      valueToTerm(typeOf(name), text, { path: '/v:c' });
    } catch (e) {
      expect((e as SchemaError).code).toBe('NSOMOCK_SCHEMA_VALUE');
      expect((e as SchemaError).message).toMatch(message);
    }
  });

  it.each<[string, Term]>([
    ['u16', int(22)],
    ['s', tuple(int(11), int(1))],
    ['e', tuple(int(28), int(3))],
    ['b', float(1)],
    ['v4', list([int(1)])],
  ])('refuses a term of another type for %s', (name, term) => {
    expect(() => termToValue(typeOf(name), term)).toThrow(/is no .* value/);
  });

  it('keeps a binary read as a string leaf (the captured get_elem reply <<"10.0.0.1">>)', () => {
    expect(termToValue(typeOf('s'), binary('10.0.0.1'))).toBe('10.0.0.1');
  });

  describe('properties', () => {
    const ranges: readonly [string, bigint, bigint][] = [
      ['i8', -128n, 127n],
      ['i16', -32768n, 32767n],
      ['i32', -(2n ** 31n), 2n ** 31n - 1n],
      ['i64', -(2n ** 63n), 2n ** 63n - 1n],
      ['u8', 0n, 255n],
      ['u16', 0n, 65535n],
      ['u32', 0n, 2n ** 32n - 1n],
      ['u64', 0n, 2n ** 64n - 1n],
    ];

    it('an integer in range goes there and back; one outside is refused', () => {
      fc.assert(
        fc.property(fc.constantFrom(...ranges), fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }), ([name, min, max], v) => {
          const t = typeOf(name);
          if (v < min || v > max) {
            expect(() => valueToTerm(t, String(v))).toThrow(SchemaError);
          } else {
            expect(termToValue(t, valueToTerm(t, String(v)))).toBe(String(v));
          }
        }),
        { numRuns: fcRuns() },
      );
    });

    it('a decimal64 goes there and back in canonical form', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (scaled) => {
          const t = typeOf('d');
          const text = termToValue(t, tuple(int(43), tuple(int(scaled), int(3))));
          expect(formatTerm(valueToTerm(t, text))).toBe(formatTerm(tuple(int(43), tuple(int(scaled), int(3)))));
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});
