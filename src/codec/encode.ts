import { ByteWriter } from './byte-writer.js';
import { CodecError } from './errors.js';
import { Tag, VERSION_MAGIC } from './tags.js';
import type { Term } from './term.js';

// Tag values as module-local constants: switch cases on locals compile to plain integer
// compares, while `Tag.X` is a property load on an imported binding (much slower under
// module loaders that rewrite imports into getters, such as vitest's).
const { ATOM_EXT, ATOM_UTF8_EXT, BINARY_EXT, BIT_BINARY_EXT, EXPORT_EXT, INTEGER_EXT, LARGE_BIG_EXT, LARGE_TUPLE_EXT, LIST_EXT, MAP_EXT, NEWER_REFERENCE_EXT, NEW_FLOAT_EXT, NEW_PID_EXT, NEW_PORT_EXT, NIL_EXT, SMALL_ATOM_UTF8_EXT, SMALL_BIG_EXT, SMALL_INTEGER_EXT, SMALL_TUPLE_EXT, STRING_EXT, V4_PORT_EXT } = Tag;


/** Options of {@link encodeTerm}. */
export interface EncodeOptions {
  /**
   * `'latin1'` (default): atoms as OTP 25 `term_to_binary/1` writes them — ATOM_EXT (100) when every
   * character is Latin-1, UTF-8 tags only for other names. This is what NSO 5.7 sends and what the
   * Java library requires (PROTOCOL.md §6.2).
   * `'utf8'`: as `term_to_binary(T, [{minor_version, 2}])` (the OTP 26+ default): SMALL_ATOM_UTF8_EXT
   * (119), or ATOM_UTF8_EXT (118) for names of 256 UTF-8 bytes or more.
   */
  readonly atomEncoding?: 'latin1' | 'utf8';
}

const MAX_ATOM_CHARS = 255;
const STRING_EXT_MAX = 0xffff;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const U32_MAX = 0xffffffff;
const U64_MAX = (1n << 64n) - 1n;

const textEncoder = new TextEncoder();

// Pre-encoded atoms (tag, length and name bytes), one cache per atom encoding. Notification terms
// repeat a handful of atoms (`undefined`, `ok`, `true`, ...), so encoding one is a lookup plus a
// short copy. Bounded, so a generator of random atoms cannot grow it without limit.
const ATOM_CACHE_LIMIT = 4096;
const latin1Atoms = new Map<string, Uint8Array>();
const utf8Atoms = new Map<string, Uint8Array>();

// Small encodings are carved out of a shared 64 KiB slab instead of getting an ArrayBuffer each
// (the trick of Node's Buffer pool): V8 allocates typed arrays above 64 bytes off-heap, which costs
// several times the encoding itself, while a view on a slab is one small object. Encoding is
// synchronous and never calls out, so the slab writer cannot be re-entered. A term that outgrows
// the slab moves to a buffer of its own (ByteWriter.ensure) and is returned from there.
const SLAB_BYTES = 64 * 1024;
/** A new slab is started when less than this is left, so most terms fit without a move. */
const SLAB_MIN_FREE = 2048;
const EMPTY = new Uint8Array(0);
let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;
const slabWriter = new ByteWriter(16);

/**
 * Encodes a term, version byte included, byte-identical to OTP 25 `term_to_binary/1` (or
 * `term_to_binary(T, [{minor_version, 2}])` with `atomEncoding: 'utf8'`). Maps are written in the
 * order of their entries (Erlang orders small maps by key; PROTOCOL.md §6.1: the server never sends maps).
 *
 * The result may be a view on a shared 64 KiB slab (as Node's pooled Buffers are): it is never
 * written again by the codec, but it keeps the slab alive; `slice()` it to keep many small results for long.
 *
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` when the value has no Erlang encoding (atom longer
 *   than 255 characters or with a lone surrogate, non-finite float, integer field out of range,
 *   unknown kind, or nesting deeper than the stack).
 * @example
 *   encodeTerm(tuple(atom('ok'), int(1))) // => Uint8Array [131, 104, 2, 100, 0, 2, 111, 107, 97, 1]
 */
export function encodeTerm(term: Term, options?: EncodeOptions): Uint8Array {
  return encodeToSlab(term, options, false);
}

/**
 * Encodes into the shared slab, optionally behind a 4-byte big-endian length prefix (PROTOCOL.md §5;
 * used by `encodeFrame`, so a frame is written in one pass with no copy). Internal to the codec.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`, as {@link encodeTerm}.
 */
export function encodeToSlab(term: Term, options: EncodeOptions | undefined, framed: boolean): Uint8Array {
  if (SLAB_BYTES - slabUsed < SLAB_MIN_FREE) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const w = slabWriter;
  w.adopt(slab, slabUsed);
  try {
    const at = framed ? w.reserve(4) : 0;
    encodeTermInto(w, term, options);
    if (framed) w.patchU32(at, w.size - 4);
    const out = w.finish();
    if (w.buffer === slab) slabUsed = w.length;
    return out;
  } finally {
    // Do not keep a buffer that now belongs to a result (or a half-written one after an error).
    w.adopt(EMPTY, 0);
  }
}

/**
 * Appends the external-format encoding of `term` (version byte included) to `writer`. Used by
 * `encodeFrame` to write the length prefix and the term into one buffer.
 *
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`, as {@link encodeTerm}.
 * @example
 *   const w = new ByteWriter(); const at = w.reserve(4); encodeTermInto(w, t); w.patchU32(at, w.size - 4);
 */
export function encodeTermInto(writer: ByteWriter, term: Term, options?: EncodeOptions): void {
  const utf8 = options?.atomEncoding === 'utf8';
  writer.u8(VERSION_MAGIC);
  try {
    encodeValue(writer, term, utf8);
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw unencodable(writer, 'the term is nested deeper than the stack allows', error);
    }
    throw error;
  }
}

function unencodable(w: ByteWriter, reason: string, cause?: unknown): CodecError {
  return new CodecError('NSOMOCK_CODEC_UNENCODABLE', `Failed to encode term: ${reason} (at byte ${w.size})`, {
    details: { offset: w.size },
    ...(cause === undefined ? {} : { cause }),
  });
}

function encodeValue(w: ByteWriter, t: Term, utf8: boolean): void {
  switch (t.kind) {
    case 'atom':
      w.bytes(encodedAtom(w, t.name, utf8));
      return;
    case 'integer':
      if (typeof t.value === 'number') encodeNumberInt(w, t.value);
      else encodeBigInt(w, t.value);
      return;
    case 'float':
      if (!Number.isFinite(t.value)) throw unencodable(w, `float ${t.value} has no Erlang representation`);
      w.u8(NEW_FLOAT_EXT);
      w.f64(t.value);
      return;
    case 'binary': {
      const n = t.bytes.length;
      if (n > U32_MAX) throw unencodable(w, `binary of ${n} bytes is too large`);
      w.ensure(5 + n);
      w.u8(BINARY_EXT);
      w.u32(n);
      w.bytes(t.bytes);
      return;
    }
    case 'bitstring':
      encodeBitstring(w, t.bytes, t.bits);
      return;
    case 'tuple': {
      const els = t.elements;
      const n = els.length;
      if (n < 256) {
        w.ensure(2);
        w.u8(SMALL_TUPLE_EXT);
        w.u8(n);
      } else {
        w.u8(LARGE_TUPLE_EXT);
        w.u32(n);
      }
      for (let i = 0; i < n; i++) encodeValue(w, els[i]!, utf8);
      return;
    }
    case 'nil':
      w.u8(NIL_EXT);
      return;
    case 'list':
      encodeList(w, t.elements, t.tail, utf8);
      return;
    case 'map': {
      w.u8(MAP_EXT);
      w.u32(t.entries.length);
      for (const [k, v] of t.entries) {
        encodeValue(w, k, utf8);
        encodeValue(w, v, utf8);
      }
      return;
    }
    case 'pid':
      // NEW_PID_EXT: OTP 23+ always writes 32-bit creation.
      w.u8(NEW_PID_EXT);
      w.bytes(encodedAtom(w, t.node, utf8));
      w.u32(u32(w, t.id, 'pid id'));
      w.u32(u32(w, t.serial, 'pid serial'));
      w.u32(u32(w, t.creation, 'pid creation'));
      return;
    case 'port': {
      // OTP 25: NEW_PORT_EXT while the id fits 32 bits, V4_PORT_EXT (64-bit id) beyond.
      const id = BigInt(t.id);
      if (id < 0n || id > U64_MAX) throw unencodable(w, `port id ${id} is outside 0..2^64-1`);
      const wide = id > BigInt(U32_MAX);
      w.u8(wide ? V4_PORT_EXT : NEW_PORT_EXT);
      w.bytes(encodedAtom(w, t.node, utf8));
      if (wide) w.u32(Number(id >> 32n));
      w.u32(Number(id & 0xffffffffn));
      w.u32(u32(w, t.creation, 'port creation'));
      return;
    }
    case 'reference': {
      const n = t.ids.length;
      if (n > 5) throw unencodable(w, `reference with ${n} id words (OTP 25 allows at most 5)`);
      w.u8(NEWER_REFERENCE_EXT);
      w.u16(n);
      w.bytes(encodedAtom(w, t.node, utf8));
      w.u32(u32(w, t.creation, 'reference creation'));
      for (const id of t.ids) w.u32(u32(w, id, 'reference id'));
      return;
    }
    case 'export': {
      if (!Number.isInteger(t.arity) || t.arity < 0 || t.arity > 255) {
        throw unencodable(w, `export arity ${t.arity} is outside 0..255`);
      }
      w.u8(EXPORT_EXT);
      w.bytes(encodedAtom(w, t.module, utf8));
      w.bytes(encodedAtom(w, t.function, utf8));
      w.u8(SMALL_INTEGER_EXT);
      w.u8(t.arity);
      return;
    }
    case 'fun':
      // Kept raw by the decoder (tag included); written back verbatim.
      w.bytes(t.raw);
      return;
    default:
      throw unencodable(w, `unknown term kind ${JSON.stringify((t as { kind?: unknown }).kind)}`);
  }
}

function u32(w: ByteWriter, v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > U32_MAX) throw unencodable(w, `${what} ${v} is outside 0..2^32-1`);
  return v;
}

/**
 * SMALL_INTEGER_EXT for 0..255, INTEGER_EXT for the rest of signed 32-bit, SMALL_BIG_EXT with the
 * minimal magnitude beyond (PROTOCOL.md §6.3, row "Erlang term_to_binary").
 */
function encodeNumberInt(w: ByteWriter, v: number): void {
  // Bit tricks instead of range + Number.isInteger checks: `v & 0xff` equals v only for integers
  // 0..255, and `v | 0` equals v only for integers in signed 32-bit (both false for fractions).
  if ((v & 0xff) === v) {
    w.ensure(2);
    const b = w.buffer;
    b[w.length++] = SMALL_INTEGER_EXT;
    b[w.length++] = v;
    return;
  }
  if ((v | 0) === v) {
    w.ensure(5);
    const b = w.buffer;
    let o = w.length;
    b[o++] = INTEGER_EXT;
    b[o++] = v >>> 24;
    b[o++] = v >>> 16;
    b[o++] = v >>> 8;
    b[o++] = v;
    w.length = o;
    return;
  }
  if (!Number.isSafeInteger(v)) {
    if (Number.isInteger(v)) return encodeBigInt(w, BigInt(v));
    throw unencodable(w, `integer term holds the non-integer ${v}`);
  }
  // A safe integer outside int32: at most 7 magnitude bytes, computed with exact double arithmetic.
  let mag = Math.abs(v);
  w.ensure(10);
  w.u8(SMALL_BIG_EXT);
  const nAt = w.reserve(1);
  w.u8(v < 0 ? 1 : 0);
  let n = 0;
  while (mag > 0) {
    w.u8(mag % 256);
    mag = Math.floor(mag / 256);
    n++;
  }
  w.patchU8(nAt, n);
}

function encodeBigInt(w: ByteWriter, v: bigint): void {
  if (v >= BigInt(INT32_MIN) && v <= BigInt(INT32_MAX)) return encodeNumberInt(w, Number(v));
  const negative = v < 0n;
  let hex = (negative ? -v : v).toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  const n = hex.length / 2;
  if (n < 256) {
    w.ensure(3 + n);
    w.u8(SMALL_BIG_EXT);
    w.u8(n);
  } else {
    if (n > U32_MAX) throw unencodable(w, 'integer is too large');
    w.ensure(6 + n);
    w.u8(LARGE_BIG_EXT);
    w.u32(n);
  }
  w.u8(negative ? 1 : 0);
  // Magnitude little-endian: the hex string is big-endian, so walk it from the end.
  for (let i = hex.length - 2; i >= 0; i -= 2) w.u8(Number.parseInt(hex.slice(i, i + 2), 16));
}

function encodeBitstring(w: ByteWriter, bytes: Uint8Array, bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) throw unencodable(w, `bitstring with ${bits} bits in the last byte`);
  const n = bytes.length;
  if (n === 0) throw unencodable(w, 'bitstring without bytes');
  if (bits === 8) {
    // A whole number of bytes is a binary (Erlang has no separate value for it).
    w.u8(BINARY_EXT);
    w.u32(n);
    w.bytes(bytes);
    return;
  }
  w.ensure(6 + n);
  w.u8(BIT_BINARY_EXT);
  w.u32(n);
  w.u8(bits);
  w.bytes(bytes);
  // term_to_binary writes the unused low bits of the last byte as zeros.
  w.buffer[w.length - 1] = bytes[n - 1]! & ((0xff << (8 - bits)) & 0xff);
}

/**
 * STRING_EXT when the list is proper, shorter than 65536 and made of integers 0..255 (what
 * `term_to_binary` does, PROTOCOL.md §6.1); LIST_EXT with its tail otherwise. A tail that is itself
 * a list (a hand-built, non-canonical value) is flattened first, as Erlang would see it.
 */
function encodeList(w: ByteWriter, elements: readonly Term[], tail: Term, utf8: boolean): void {
  let els = elements;
  let end = tail;
  if (end.kind === 'list') {
    const flat = [...elements];
    while (end.kind === 'list') {
      flat.push(...end.elements);
      end = end.tail;
    }
    els = flat;
  }
  const n = els.length;
  if (n === 0) return encodeValue(w, end, utf8);
  if (end.kind === 'nil' && n <= STRING_EXT_MAX && isByteList(els)) {
    w.ensure(3 + n);
    w.u8(STRING_EXT);
    w.u16(n);
    const b = w.buffer;
    let o = w.length;
    for (let i = 0; i < n; i++) b[o++] = (els[i] as { value: number }).value;
    w.length = o;
    return;
  }
  w.u8(LIST_EXT);
  w.u32(n);
  for (let i = 0; i < n; i++) encodeValue(w, els[i]!, utf8);
  encodeValue(w, end, utf8);
}

function isByteList(els: readonly Term[]): boolean {
  for (let i = 0; i < els.length; i++) {
    const e = els[i]!;
    if (e.kind !== 'integer') return false;
    const v = e.value;
    if (typeof v !== 'number' || v < 0 || v > 255 || !Number.isInteger(v)) return false;
  }
  return true;
}

/** The full encoding of an atom (tag, length, name), from the cache when possible. */
function encodedAtom(w: ByteWriter, name: string, utf8: boolean): Uint8Array {
  const cache = utf8 ? utf8Atoms : latin1Atoms;
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const encoded = encodeAtomUncached(w, name, utf8);
  if (cache.size < ATOM_CACHE_LIMIT) cache.set(name, encoded);
  return encoded;
}

function encodeAtomUncached(w: ByteWriter, name: string, utf8: boolean): Uint8Array {
  let latin1 = !utf8;
  let chars = 0;
  for (const ch of name) {
    chars++;
    const cp = ch.codePointAt(0)!;
    if (cp > 0xff) latin1 = false;
    // A lone surrogate has no UTF-8 form; TextEncoder would silently turn it into U+FFFD.
    if (cp >= 0xd800 && cp <= 0xdfff) throw unencodable(w, `atom ${JSON.stringify(name)} contains a lone surrogate`);
  }
  if (chars > MAX_ATOM_CHARS) throw unencodable(w, `atom of ${chars} characters (Erlang allows ${MAX_ATOM_CHARS})`);
  if (latin1) {
    // ATOM_EXT: what OTP 25 writes for Latin-1 names (PROTOCOL.md §6.2).
    const out = new Uint8Array(3 + chars);
    out[0] = ATOM_EXT;
    out[1] = 0;
    out[2] = chars;
    for (let i = 0; i < chars; i++) out[3 + i] = name.charCodeAt(i);
    return out;
  }
  const body = textEncoder.encode(name);
  if (body.length < 256) {
    const out = new Uint8Array(2 + body.length);
    out[0] = SMALL_ATOM_UTF8_EXT;
    out[1] = body.length;
    out.set(body, 2);
    return out;
  }
  const out = new Uint8Array(3 + body.length);
  out[0] = ATOM_UTF8_EXT;
  out[1] = body.length >>> 8;
  out[2] = body.length & 0xff;
  out.set(body, 3);
  return out;
}
