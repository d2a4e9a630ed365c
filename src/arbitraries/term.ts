import fc from 'fast-check';
import {
  atom,
  binary,
  bitstring,
  exportFun,
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
  type AtomTerm,
  type Term,
} from '../codec/index.js';

/** Constraints of {@link termArbitrary}. */
export interface TermConstraints {
  /** Maximum container nesting (default 3). */
  readonly maxDepth?: number;
  /** Maximum elements of one tuple, list or map (default 5). */
  readonly maxLength?: number;
  /** Maximum bytes of one binary (default 32). */
  readonly maxBinaryBytes?: number;
  /** Generate maps (default true). */
  readonly withMaps?: boolean;
  /** Generate pids, ports, references and external funs (default true). */
  readonly withIdentifiers?: boolean;
  /** Generate bitstrings (default true). */
  readonly withBitstrings?: boolean;
  /** Generate atoms outside Latin-1 (default true). */
  readonly withUnicodeAtoms?: boolean;
}

const P2 = (n: number): bigint => 1n << BigInt(n);

// Every integer size-class boundary of the encoders (PROTOCOL.md §6.3): SMALL_INTEGER_EXT ends at
// 255, Java's INTEGER_EXT range at 2^27, INTEGER_EXT at 2^31, unsigned 32-bit at 2^32, doubles'
// exact range at 2^53, int64/uint64 at 2^63/2^64; ±1 around each, and negatives.
const BOUNDARIES: readonly bigint[] = (() => {
  const out = new Set<bigint>();
  for (const e of [8, 27, 31, 32, 53, 56, 63, 64, 2040, 2048]) {
    for (const d of [-1n, 0n, 1n]) {
      out.add(P2(e) + d);
      out.add(-(P2(e) + d));
    }
  }
  for (const v of [0n, 1n, -1n, 255n, 256n, -256n, 2147483647n, -2147483648n]) out.add(v);
  return [...out];
})();

/**
 * Integers across every size class: 0..255, signed 32-bit, safe integers, 64-bit, bignums up to
 * LARGE_BIG_EXT (more than 255 magnitude bytes), and the exact boundaries of each class.
 */
export function integerTermArbitrary(): fc.Arbitrary<Term> {
  return fc
    .oneof(
      fc.integer({ min: 0, max: 255 }).map((v) => BigInt(v)),
      fc.integer().map((v) => BigInt(v)),
      fc.maxSafeInteger().map((v) => BigInt(v)),
      fc.bigInt({ min: -P2(64), max: P2(64) }),
      fc.constantFrom(...BOUNDARIES),
      fc.bigInt({ min: -P2(2100), max: P2(2100) }),
    )
    .map((v) => int(v));
}

const COMMON_ATOMS = ['ok', 'undefined', 'error', 'true', 'false', '', 'NETCONF', 'café', "it's", 'a b'] as const;

/** Atoms: common names, Latin-1 names (ATOM_EXT) and, unless disabled, any Unicode names (UTF-8 tags). */
export function atomTermArbitrary(withUnicode = true): fc.Arbitrary<AtomTerm> {
  const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 20 });
  const long = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 200, maxLength: 255 });
  const arbs: fc.Arbitrary<string>[] = [fc.constantFrom(...COMMON_ATOMS), latin1, long];
  if (withUnicode) {
    arbs.push(fc.string({ unit: 'binary', maxLength: 20 }));
    // Long non-Latin-1 names take 256+ UTF-8 bytes: the ATOM_UTF8_EXT (118) case.
    arbs.push(fc.string({ unit: 'binary', minLength: 100, maxLength: 255 }).map((s) => 'λ' + [...s].slice(1).join('')));
  }
  return fc.oneof(...arbs).map((name) => atom(name));
}

/** Node names for pids, ports and references (never the oracle's own `nonode@nohost`). */
const nodeName = fc.constantFrom('a@b', 'nso@localhost', 'n1@host.example', 'ñodo@h');

function identifierArbitrary(): fc.Arbitrary<Term> {
  const u32 = fc.nat({ max: 0xffffffff });
  return fc.oneof(
    fc.tuple(nodeName, u32, u32, u32).map(([n, id, serial, creation]) => pid(n, id, serial, creation)),
    fc.tuple(nodeName, fc.bigInt({ min: 0n, max: P2(64) - 1n }), u32).map(([n, id, creation]) => port(n, id, creation)),
    fc.tuple(nodeName, u32, fc.array(u32, { minLength: 1, maxLength: 5 })).map(([n, creation, ids]) => ref(n, creation, ids)),
    fc
      .tuple(atomTermArbitrary(false), atomTermArbitrary(false), fc.integer({ min: 0, max: 255 }))
      .map(([m, f, arity]) => exportFun(m.name, f.name, arity)),
  );
}

function bitstringArbitrary(): fc.Arbitrary<Term> {
  return fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 7 })).map(([bytes, bits]) => {
    // Canonical: the unused low bits of the last byte are zero, as Erlang keeps them.
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! & ((0xff << (8 - bits)) & 0xff);
    return bitstring(bytes, bits);
  });
}

interface Built {
  readonly term: fc.Arbitrary<Term>;
}

function build(c: TermConstraints, sendable: boolean): fc.Arbitrary<Term> {
  const maxDepth = c.maxDepth ?? 3;
  const maxLength = c.maxLength ?? 5;
  const maxBinaryBytes = c.maxBinaryBytes ?? 32;
  const withMaps = !sendable && (c.withMaps ?? true);
  const withIds = !sendable && (c.withIdentifiers ?? true);
  const withBits = !sendable && (c.withBitstrings ?? true);
  const withUnicode = c.withUnicodeAtoms ?? true;

  const scalars: fc.Arbitrary<Term>[] = [
    atomTermArbitrary(withUnicode),
    integerTermArbitrary(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => float(v)),
    fc.uint8Array({ maxLength: maxBinaryBytes }).map((b) => binary(b)),
    fc.constant(NIL),
    // Lists of 0..255 (STRING_EXT), including the text-like ones every OID list is.
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }).map((vs) => list(vs.map((v) => int(v)))),
  ];
  if (withBits) scalars.push(bitstringArbitrary());
  if (withIds) scalars.push(identifierArbitrary());
  const leaf = fc.oneof(...scalars);
  // Map keys: no floats, because OTP 25 treats 0.0 and -0.0 as the same key.
  const key = fc.oneof(atomTermArbitrary(withUnicode), integerTermArbitrary(), fc.uint8Array({ maxLength: 8 }).map((b) => binary(b)));

  const { term } = fc.letrec<{ term: Term; tuple: Term; list: Term; improper: Term; map: Term }>((tie) => {
    const containers: fc.Arbitrary<Term>[] = [
      leaf,
      tie('tuple'),
      tie('list'),
      tie('improper'),
    ];
    if (withMaps) containers.push(tie('map'));
    return {
      term: fc.oneof({ maxDepth, depthIdentifier: 'term' }, ...containers),
      tuple: fc.array(tie('term'), { maxLength }).map((els) => tuple(...els)),
      list: fc.array(tie('term'), { maxLength }).map((els) => list(els)),
      improper: fc
        .tuple(fc.array(tie('term'), { minLength: 1, maxLength }), leaf.filter((t) => t.kind !== 'nil' && t.kind !== 'list'))
        .map(([els, tail]) => improper(els, tail)),
      map: fc
        .uniqueArray(fc.tuple(key, tie('term')), {
          maxLength,
          selector: ([k]) => keyIdentity(k),
        })
        .map((entries) => map(entries)),
    };
  }) as unknown as Built;
  return term;
}

/** A string that identifies a map key's value (keys are atoms, integers or binaries). */
function keyIdentity(k: Term): string {
  if (k.kind === 'atom') return `a:${k.name}`;
  if (k.kind === 'integer') return `i:${k.value.toString()}`;
  if (k.kind === 'binary') return `b:${[...k.bytes].join(',')}`;
  return `?:${k.kind}`;
}

/**
 * Any term the encoder supports: atoms (Latin-1 and Unicode, up to 255 characters), integers of
 * every size class and boundary, floats (including -0.0, excluding NaN and infinities, which Erlang
 * cannot hold), binaries, bitstrings, tuples, proper and improper lists, STRING_EXT-shaped lists,
 * maps with unique keys, nil, and pids, ports, references and external funs.
 *
 * @example
 *   fc.assert(fc.property(termArbitrary({ maxDepth: 2 }), (t) => termEqual(decodeTerm(encodeTerm(t)), t)));
 */
export function termArbitrary(constraints?: TermConstraints): fc.Arbitrary<Term> {
  return build(constraints ?? {}, false);
}

/**
 * Only the kinds the server sends on the notification socket (PROTOCOL.md §6.1): atoms, integers,
 * floats, binaries, tuples, lists (proper and improper) and nil; no maps, pids, ports, references,
 * funs or bitstrings.
 */
export function sendableTermArbitrary(constraints?: TermConstraints): fc.Arbitrary<Term> {
  return build(constraints ?? {}, true);
}
