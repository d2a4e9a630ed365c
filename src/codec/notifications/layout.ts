/**
 * Shared helpers of the notification layouts: the two error constructors (every layout error
 * names a field path) and small term readers that turn "this element is not what §11 says" into a
 * precise `NSOMOCK_CODEC_BAD_NOTIFICATION`. Internal to `codec/notifications`; not re-exported.
 */
import { CodecError } from '../errors.js';
import { formatInteger } from '../term-format.js';
import { atom, binary, binaryText, int, type BinaryTerm, type IntegerTerm, type Term } from '../term.js';

/** What a layout error was about, for the message's "Failed to <action>" part. */
export type LayoutSubject = 'notification' | 'subscription' | 'ack';

/**
 * `NSOMOCK_CODEC_BAD_NOTIFICATION`: a term does not have the layout it should have. The path `''`
 * (the whole term) adds no `(where)` part to the message.
 * @example badTerm('uinfo.port', 'expected an integer, got a binary')
 */
export function badTerm(path: string, reason: string, subject: LayoutSubject = 'notification'): CodecError {
  return new CodecError('NSOMOCK_CODEC_BAD_NOTIFICATION', `Failed to decode ${subject}: ${reason}${where(path)}`, {
    details: { offset: -1, path },
  });
}

/** `NSOMOCK_CODEC_UNENCODABLE`: a notification value cannot be put on the wire (or is outside §6.4). */
export function unencodable(path: string, reason: string, subject: LayoutSubject = 'notification'): CodecError {
  return new CodecError('NSOMOCK_CODEC_UNENCODABLE', `Failed to encode ${subject}: ${reason}${where(path)}`, {
    details: { offset: -1, path },
  });
}

/** The message's `(<where>)` part, or nothing for the whole term (an empty `()` says nothing). */
function where(path: string): string {
  return path === '' ? '' : ` (${path})`;
}

/** Joins a field path: `join('uinfo', 'port')` → `uinfo.port`; `join('values', 2)` → `values[2]`. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** A short description of a term for error messages ("a binary", "the atom foo", "a 3-tuple"). */
export function describeTerm(term: Term): string {
  switch (term.kind) {
    case 'atom':
      return `the atom ${term.name}`;
    case 'integer':
      return `the integer ${formatInteger(term.value)}`;
    case 'float':
      return `the float ${term.value}`;
    case 'binary':
      return 'a binary';
    case 'tuple':
      return `a ${term.elements.length}-tuple`;
    case 'list':
      return term.tail.kind === 'nil' ? 'a list' : 'an improper list';
    case 'nil':
      return '[]';
    default:
      return `a ${term.kind}`;
  }
}

/** The elements of a tuple of one of the given arities (any arity when omitted). */
export function readTuple(term: Term, path: string, arity?: number | readonly number[]): readonly Term[] {
  if (term.kind !== 'tuple') throw badTerm(path, `expected a tuple, got ${describeTerm(term)}`);
  if (arity !== undefined) {
    const allowed = typeof arity === 'number' ? [arity] : arity;
    if (!allowed.includes(term.elements.length)) {
      throw badTerm(path, `expected a ${allowed.join(' or ')}-tuple, got a ${term.elements.length}-tuple`);
    }
  }
  return term.elements;
}

/** An element that must exist (the arity was checked before). */
export function at(elements: readonly Term[], index: number, path: string): Term {
  const element = elements[index];
  if (element === undefined) throw badTerm(path, `missing element ${index + 1}`);
  return element;
}

/** An integer that fits a JavaScript safe integer. */
export function readInt(term: Term, path: string): number {
  if (term.kind !== 'integer') throw badTerm(path, `expected an integer, got ${describeTerm(term)}`);
  if (typeof term.value !== 'number') throw badTerm(path, `integer ${formatInteger(term.value)} is outside the supported range ±(2^53−1)`);
  return term.value;
}

/** An integer of any size (number when safe, bigint otherwise). */
export function readAnyInt(term: Term, path: string): number | bigint {
  if (term.kind !== 'integer') throw badTerm(path, `expected an integer, got ${describeTerm(term)}`);
  return term.value;
}

/** A text field: a binary (UTF-8), or an atom whose text C copies (PROTOCOL.md §6.5). */
export function readText(term: Term, path: string): string {
  if (term.kind === 'binary') return binaryText(term);
  if (term.kind === 'atom') return term.name;
  throw badTerm(path, `expected a binary, got ${describeTerm(term)}`);
}

/** An optional text field: the atom `undefined` is absent (PROTOCOL.md §6.6). */
export function readOptText(term: Term, path: string): string | undefined {
  if (term.kind === 'atom' && term.name === 'undefined') return undefined;
  return readText(term, path);
}

/** An optional integer: the atom `undefined` is absent (PROTOCOL.md §6.6). */
export function readOptInt(term: Term, path: string): number | undefined {
  if (term.kind === 'atom' && term.name === 'undefined') return undefined;
  return readInt(term, path);
}

/** The elements of a proper list (`[]` included; STRING_EXT decodes to a list of small integers). */
export function readList(term: Term, path: string): readonly Term[] {
  if (term.kind === 'nil') return [];
  if (term.kind === 'list' && term.tail.kind === 'nil') return term.elements;
  throw badTerm(path, `expected a list, got ${describeTerm(term)}`);
}

/** An optional list: the atom `undefined` is absent (PROTOCOL.md §6.6). */
export function readOptList(term: Term, path: string): readonly Term[] | undefined {
  if (term.kind === 'atom' && term.name === 'undefined') return undefined;
  return readList(term, path);
}

/** An atom's name. */
export function readAtom(term: Term, path: string): string {
  if (term.kind !== 'atom') throw badTerm(path, `expected an atom, got ${describeTerm(term)}`);
  return term.name;
}

/** The atom `undefined`, PROTOCOL.md §6.6's "absent". */
export const UNDEFINED: Term = atom('undefined');

/** An optional text as a term: absent → `undefined`, else a UTF-8 binary. */
export function optText(value: string | undefined): Term {
  return value === undefined ? UNDEFINED : textTerm(value);
}

/** Shared terms of the integers most fields hold (type bits are larger; see {@link intTerm}). */
const SMALL_INTS: readonly IntegerTerm[] = Array.from({ length: 256 }, (_, i) => Object.freeze(int(i)));
const bitTerms = new Map<number, IntegerTerm>();

/**
 * An integer term, shared (frozen) for 0..255 and for the §10.1 type bits instead of allocated per
 * notification: terms are immutable values, and fewer objects per encoded notification is less
 * garbage-collector work in an emit loop. Other values are a fresh `int()`.
 * @example intTerm(6) === intTerm(6) // true
 */
export function intTerm(value: number | bigint): IntegerTerm {
  if (typeof value === 'number' && value >= 0 && value < 256 && (value | 0) === value) return SMALL_INTS[value] ?? int(value);
  return int(value);
}

/** The shared term of a type bit (§10.1), e.g. `bitTerm(NOTIF.DAEMON)`. */
export function bitTerm(bit: number): IntegerTerm {
  let t = bitTerms.get(bit);
  if (t === undefined) {
    t = Object.freeze(int(bit));
    bitTerms.set(bit, t);
  }
  return t;
}

const utf8 = new TextEncoder();
/** The empty binary, shared: many text fields are empty (`clearpass`, `snmp_v3_ctx`, labels). */
const EMPTY_TEXT: BinaryTerm = binary(new Uint8Array(0));
/** Strings up to this length are tried on the ASCII path (longer ones amortise TextEncoder's call cost). */
const ASCII_PATH_MAX = 64;

/**
 * A text field as a UTF-8 binary (PROTOCOL.md §6.5). Short ASCII text, what almost every field
 * holds, is copied by a JavaScript loop: `TextEncoder.encode()` costs a call into C++ per field,
 * which was the largest single cost of encoding a small fresh notification (bench/server.bench.ts).
 * Anything else goes through TextEncoder, so the bytes are the same either way.
 * @example textTerm('admin').bytes // Uint8Array [97, 100, 109, 105, 110]
 */
export function textTerm(value: string): BinaryTerm {
  const n = value.length;
  if (n === 0) return EMPTY_TEXT;
  if (n > ASCII_PATH_MAX) return binary(utf8.encode(value));
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 1) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) return binary(utf8.encode(value));
    bytes[i] = c;
  }
  return binary(bytes);
}

/** Python-side values of `pythonDictView` (JSON, plus bigint for 64-bit values beyond 2^53). */
export type PythonValue = null | boolean | number | bigint | string | readonly PythonValue[] | PythonDict;

/** A Python dict as the vectors render it (`python_dict`): C-backed objects carry `$type`. */
export interface PythonDict {
  readonly [key: string]: PythonValue;
}

/**
 * `o` without its `undefined` members, so an absent optional field is an absent key
 * (exactOptionalPropertyTypes); the other keys keep their order.
 */
export function withDefined<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o)) if (value !== undefined) out[key] = value;
  return out as T;
}
