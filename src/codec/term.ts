/**
 * A lossless model of Erlang terms (erl_ext_dist). Every term the decoder reads maps to exactly
 * one value here, and `encodeTerm` maps it back to the bytes `erlang:term_to_binary/1` produces.
 *
 * Conventions that keep the model canonical (so structural equality is Erlang equality):
 * - integers are `number` when they are safe integers and `bigint` otherwise (the constructor
 *   normalises, so `int(5n)` and `int(5)` are the same value);
 * - the empty list is always `nil`, never a `list` with no elements;
 * - STRING_EXT decodes to a proper `list` of small integers, as it does in Erlang (the encoder
 *   chooses STRING_EXT again when the list qualifies, exactly as term_to_binary does);
 * - binaries are `Uint8Array` views; the decoder returns views on its input (copy them if the
 *   input buffer is reused).
 */
import { CodecError, UsageError } from './errors.js';

export interface AtomTerm {
  readonly kind: 'atom';
  /** The atom text as Unicode (Latin-1 atoms decode to the same code points). */
  readonly name: string;
}
export interface IntegerTerm {
  readonly kind: 'integer';
  /** A safe integer as `number`, anything larger as `bigint` (never a bigint that is a safe integer). */
  readonly value: number | bigint;
}
export interface FloatTerm {
  readonly kind: 'float';
  readonly value: number;
}
export interface BinaryTerm {
  readonly kind: 'binary';
  readonly bytes: Uint8Array;
}
/** BIT_BINARY_EXT: a binary whose last byte holds only `bits` significant bits (1..8). Decode only in practice. */
export interface BitstringTerm {
  readonly kind: 'bitstring';
  readonly bytes: Uint8Array;
  readonly bits: number;
}
export interface TupleTerm {
  readonly kind: 'tuple';
  readonly elements: readonly Term[];
}
/** A non-empty list. `tail` is `nil` for a proper list; anything else makes it improper (`[Ns|Tag]`, PROTOCOL.md §9.4). */
export interface ListTerm {
  readonly kind: 'list';
  readonly elements: readonly Term[];
  readonly tail: Term;
}
export interface NilTerm {
  readonly kind: 'nil';
}
export interface MapTerm {
  readonly kind: 'map';
  readonly entries: readonly (readonly [Term, Term])[];
}
export interface PidTerm {
  readonly kind: 'pid';
  readonly node: string;
  readonly id: number;
  readonly serial: number;
  readonly creation: number;
}
export interface PortTerm {
  readonly kind: 'port';
  readonly node: string;
  readonly id: bigint;
  readonly creation: number;
}
export interface ReferenceTerm {
  readonly kind: 'reference';
  readonly node: string;
  readonly creation: number;
  readonly ids: readonly number[];
}
export interface ExportTerm {
  readonly kind: 'export';
  readonly module: string;
  readonly function: string;
  readonly arity: number;
}
/** NEW_FUN_EXT, kept as its raw encoded bytes (tag included); nso-mock never interprets funs. */
export interface FunTerm {
  readonly kind: 'fun';
  readonly raw: Uint8Array;
}

export type Term =
  | AtomTerm
  | IntegerTerm
  | FloatTerm
  | BinaryTerm
  | BitstringTerm
  | TupleTerm
  | ListTerm
  | NilTerm
  | MapTerm
  | PidTerm
  | PortTerm
  | ReferenceTerm
  | ExportTerm
  | FunTerm;

export type TermKind = Term['kind'];

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

// Atoms are immutable values, so the common ones are shared instead of allocated per decode.
const atomCache = new Map<string, AtomTerm>();

/** An atom. Frequently used atoms are interned. */
export function atom(name: string): AtomTerm {
  let cached = atomCache.get(name);
  if (cached === undefined) {
    cached = Object.freeze({ kind: 'atom', name }) as AtomTerm;
    if (atomCache.size < 4096) atomCache.set(name, cached);
  }
  return cached;
}

/**
 * An integer.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` for a number that is not an integer (1.5, NaN, Infinity): no Erlang integer holds it.
 * @example int(42)
 */
export function int(value: number | bigint): IntegerTerm {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      if (!Number.isInteger(value)) {
        throw new CodecError('NSOMOCK_CODEC_UNENCODABLE', `Failed to make an integer term: int() needs an integer, got ${value}`, { details: { offset: -1 } });
      }
      return { kind: 'integer', value: BigInt(value) };
    }
    return { kind: 'integer', value };
  }
  return { kind: 'integer', value: value <= MAX_SAFE && value >= MIN_SAFE ? Number(value) : value };
}

export function float(value: number): FloatTerm {
  return { kind: 'float', value };
}

/**
 * The one implementation of {@link BinaryTerm}: `kind` is an own field, `bytes` a getter. A decoded
 * binary only records where its bytes lie in the decoder's input; the `Uint8Array` view is created
 * on the first read of `bytes` and kept. Creating a typed array costs V8 more than everything else
 * in decoding a binary (and more garbage-collector work), and many binaries of a notification are
 * never read, so this is what lets `decodeTerm` keep up with `binary_to_term/1`
 * (docs/decisions/003-codec-performance.md).
 *
 * Because `bytes` is not an own property, the class also says how to see its content where
 * generic code walks own properties: it iterates its bytes (so vitest's `toEqual` compares the
 * content of two binaries, not just their `kind`), `toJSON` and `util.inspect` show `{kind, bytes}`
 * as the plain object did, and fast-check prints it as that object in counterexamples.
 */
/** The source array of the last view made by a `Binary`, with its buffer and offset (see `bytes`). */
let lastSource: Uint8Array | undefined;
let lastBuffer: ArrayBufferLike = new ArrayBuffer(0);
let lastOffset = 0;

class Binary implements BinaryTerm {
  readonly kind = 'binary';
  /** The decoder's input (`#start` ≥ 0), or the view itself once made (`#start` is then -1). */
  #source: Uint8Array;
  #start: number;
  #length: number;

  constructor(source: Uint8Array, start: number, length: number) {
    this.#source = source;
    this.#start = start;
    this.#length = length;
  }

  get bytes(): Uint8Array {
    const s = this.#source;
    const start = this.#start;
    if (start < 0) return s;
    // `.buffer` and `.byteOffset` of a typed array cost V8 more than the view itself, and the
    // binaries of one decoded term share their source: the last source's values are kept.
    if (s !== lastSource) {
      lastSource = s;
      lastBuffer = s.buffer;
      lastOffset = s.byteOffset;
    }
    const view = new Uint8Array(lastBuffer, lastOffset + start, this.#length);
    // One field for both the source and the view (and -1 in `#start`): a decoded binary is one
    // word smaller, which the decoder allocates by the dozen per notification.
    this.#source = view;
    this.#start = -1;
    return view;
  }

  [Symbol.iterator](): IterableIterator<number> {
    return this.bytes[Symbol.iterator]();
  }

  toJSON(): { kind: 'binary'; bytes: Uint8Array } {
    return { kind: 'binary', bytes: this.bytes };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): { kind: 'binary'; bytes: Uint8Array } {
    return { kind: 'binary', bytes: this.bytes };
  }

  [Symbol.for('fast-check/toStringMethod')](): string {
    return `{"kind":"binary","bytes":Uint8Array.from([${this.bytes.join(',')}])}`;
  }
}

/** A binary from bytes (kept as given, not copied) or from text (UTF-8 encoded). */
export function binary(content: Uint8Array | string): BinaryTerm {
  const bytes = typeof content === 'string' ? textEncoder.encode(content) : content;
  return new Binary(bytes, -1, bytes.length);
}

/**
 * A binary over `length` bytes of `source` from `start`, without creating the view yet: `bytes`
 * is `source`'s buffer viewed from there, made on first access (the decoder's binaries). The range
 * must lie inside `source`.
 * @throws UsageError `NSOMOCK_USAGE` when it does not (a programming error, not input).
 * @example
 *   binaryView(frame, 7, 5).bytes // the same memory as frame.subarray(7, 12)
 */
export function binaryView(source: Uint8Array, start: number, length: number): BinaryTerm {
  // Checked here rather than at the first read, where a bad range would throw far from its cause.
  if (!(start >= 0 && length >= 0 && start + length <= source.length) || (start | 0) !== start || (length | 0) !== length) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to make a binary view: ${start}+${length} is not a range of a ${source.length}-byte array (binaryView)`, {
      details: { option: 'start, length', value: [start, length] },
    });
  }
  return new Binary(source, start, length);
}

export function bitstring(bytes: Uint8Array, bits: number): BitstringTerm {
  return { kind: 'bitstring', bytes, bits };
}

export function tuple(...elements: Term[]): TupleTerm {
  return { kind: 'tuple', elements };
}

export const NIL: NilTerm = Object.freeze({ kind: 'nil' }) as NilTerm;

export function nil(): NilTerm {
  return NIL;
}

/** A proper list; the empty list is `nil`. */
export function list(elements: readonly Term[]): ListTerm | NilTerm {
  return elements.length === 0 ? NIL : { kind: 'list', elements, tail: NIL };
}

/**
 * A list with an explicit tail, e.g. `improper([int(ns)], int(tag))` for `[Ns|Tag]`. With a `nil`
 * tail this is a proper list; with no elements it is the tail itself (Erlang has no empty-headed list).
 */
export function improper(elements: readonly Term[], tail: Term): Term {
  if (elements.length === 0) return tail;
  if (tail.kind === 'list') return { kind: 'list', elements: [...elements, ...tail.elements], tail: tail.tail };
  return { kind: 'list', elements, tail };
}

export function map(entries: readonly (readonly [Term, Term])[]): MapTerm {
  return { kind: 'map', entries };
}

export function pid(node: string, id: number, serial: number, creation: number): PidTerm {
  return { kind: 'pid', node, id, serial, creation };
}

export function port(node: string, id: bigint | number, creation: number): PortTerm {
  return { kind: 'port', node, id: BigInt(id), creation };
}

export function ref(node: string, creation: number, ids: readonly number[]): ReferenceTerm {
  return { kind: 'reference', node, creation, ids };
}

export function exportFun(module: string, fn: string, arity: number): ExportTerm {
  return { kind: 'export', module, function: fn, arity };
}

// ---- small readers used by the notification layouts and error messages ----

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });

export function isAtom(term: Term, name?: string): term is AtomTerm {
  return term.kind === 'atom' && (name === undefined || term.name === name);
}

export function isTuple(term: Term, arity?: number): term is TupleTerm {
  return term.kind === 'tuple' && (arity === undefined || term.elements.length === arity);
}

/** The integer value as a bigint, or undefined when the term is no integer. */
export function integerValue(term: Term): bigint | undefined {
  return term.kind === 'integer' ? BigInt(term.value) : undefined;
}

/** Decodes a binary's bytes as UTF-8 (invalid sequences become U+FFFD, as Python's `str` view would not; callers that need exactness keep the bytes). */
export function binaryText(term: BinaryTerm): string {
  return textDecoder.decode(term.bytes);
}

/** The elements of a proper list (`[]` for nil), or undefined for anything else. */
export function properListElements(term: Term): readonly Term[] | undefined {
  if (term.kind === 'nil') return [];
  if (term.kind === 'list' && term.tail.kind === 'nil') return term.elements;
  return undefined;
}
