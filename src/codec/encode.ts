import { ByteWriter } from './byte-writer.js';
import { CodecError } from './errors.js';
import { ShapeCache } from './shape-cache.js';
import { Tag, VERSION_MAGIC } from './tags.js';
import type { Term } from './term.js';

// Tag values as module-local constants: switch cases on locals compile to plain integer
// compares, while `Tag.X` is a property load on an imported binding (much slower under
// module loaders that rewrite imports into getters, such as vitest's).
const VERSION: number = VERSION_MAGIC;
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
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
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
let slabBuffer: ArrayBufferLike = slab.buffer;
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
    slabBuffer = slab.buffer;
    slabUsed = 0;
  }
  const start = slabUsed;
  // SLAB_MIN_FREE leaves room for the prefix and the version byte.
  let o = framed ? start + 4 : start;
  slab[o++] = VERSION;
  const utf8 = options !== undefined && options.atomEncoding === 'utf8';
  if (!utf8) {
    // A shaped encoder (below) writes straight into the slab, without the writer; when the term is
    // not its shape it returns -1 and the general encoder writes over whatever it wrote. The
    // general path is a function of its own, so that V8 compiles this one small whichever of the
    // two paths ran while it was being profiled.
    const end = encodeShaped(term, slab, o);
    if (end >= 0) {
      if (framed) {
        const n = end - start - 4;
        slab[start] = n >>> 24;
        slab[start + 1] = n >>> 16;
        slab[start + 2] = n >>> 8;
        slab[start + 3] = n;
      }
      slabUsed = end;
      // A view made from the slab's ArrayBuffer directly: half the cost of `subarray()` (which
      // looks up the species constructor and re-checks its arguments on every call).
      return new Uint8Array(slabBuffer, start, end - start);
    }
  }
  return encodeToSlabGeneral(term, utf8, framed, start, o);
}

/** {@link encodeToSlab} by the general encoder, from `o` (just past the version byte at `start`, or the prefix and it). */
function encodeToSlabGeneral(term: Term, utf8: boolean, framed: boolean, start: number, o: number): Uint8Array {
  const w = slabWriter;
  w.adopt(slab, start);
  try {
    w.length = encodeRoot(w, term, o, utf8);
    if (!utf8) noteEncoded(term);
    if (framed) w.patchU32(0, w.size - 4);
    if (w.buffer !== slab) return w.finish();
    const end = w.length;
    slabUsed = end;
    return new Uint8Array(slabBuffer, start, end - start);
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
  writer.u8(VERSION_MAGIC);
  writer.length = encodeRoot(writer, term, writer.length, options?.atomEncoding === 'utf8');
}

// ---- the encoder proper -------------------------------------------------------------------------
//
// The hot path passes the write offset `o` as an argument and returns the new one, and writes
// straight into `out`, the writer's buffer, held in a module variable for the duration of one
// encode (encoding is synchronous and never calls out of the codec, so it is never re-entered).
// The offset then lives in a register instead of being loaded from and stored to the writer for
// every byte. `room(o, n)` makes space for n bytes; when the writer has to grow it moves its
// output to a new buffer (ByteWriter.ensure), so `out` is reloaded and the offset rebased.
// Rare kinds (bitstrings, big integers, pids, ports, references, exports, funs) go through the
// ByteWriter methods instead: `cur.length` is synchronised before and `o` read back after.

/** The writer of the running encode; `out` is its buffer. */
let cur: ByteWriter = slabWriter;
let out: Uint8Array = EMPTY;

/** Encodes `term` at absolute offset `o` of `writer`'s buffer; returns the end offset. */
function encodeRoot(writer: ByteWriter, term: Term, o: number, utf8: boolean): number {
  cur = writer;
  out = writer.buffer;
  try {
    return encodeValue(term, o, utf8);
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw unencodable(writer, 'the term is nested deeper than the stack allows', error);
    }
    throw error;
  } finally {
    out = EMPTY;
    cur = slabWriter;
  }
}

/** Makes room for `n` bytes at `o`; returns the (possibly rebased) offset. */
function room(o: number, n: number): number {
  return o + n <= out.length ? o : grow(o, n);
}

function grow(o: number, n: number): number {
  cur.length = o;
  cur.ensure(n);
  out = cur.buffer;
  return cur.length;
}

/** Hands the rest of a rare term to the ByteWriter-based code: before it, `cur.length = o`. */
function sync(o: number): ByteWriter {
  cur.length = o;
  return cur;
}

/** ...and after it, the offset to continue from. */
function resume(): number {
  out = cur.buffer;
  return cur.length;
}

function unencodableAt(o: number, reason: string): CodecError {
  return unencodable(sync(o), reason);
}

function unencodable(w: ByteWriter, reason: string, cause?: unknown): CodecError {
  return new CodecError('NSOMOCK_CODEC_UNENCODABLE', `Failed to encode term: ${reason} (at byte ${w.size})`, {
    details: { offset: w.size },
    ...(cause === undefined ? {} : { cause }),
  });
}

// `switch` order follows frequency in notifications; every case is a small function, so the JIT
// inlines them here and into `encodeElements`.
function encodeValue(t: Term, o: number, utf8: boolean): number {
  switch (t.kind) {
    case 'integer': {
      const v = t.value;
      return typeof v === 'number' ? encodeNumber(v, o) : encodeBig(v, o);
    }
    case 'binary':
      return encodeBinary(t.bytes, o);
    case 'tuple':
      return encodeTuple(t.elements, o, utf8);
    case 'atom':
      return encodeAtom(t.name, o, utf8);
    case 'list':
      return encodeList(t.elements, t.tail, o, utf8);
    case 'nil':
      o = room(o, 1);
      out[o] = NIL_EXT;
      return o + 1;
    case 'float':
      return encodeFloat(t.value, o);
    default:
      return encodeRare(t, o, utf8);
  }
}

/**
 * The elements of a tuple or list. The common leaves are encoded in this loop rather than by a call
 * of `encodeValue` per element: in a notification most elements are integers and binaries, and a
 * call per leaf costs about as much as writing it.
 */
function encodeElements(els: readonly Term[], o: number, utf8: boolean): number {
  const n = els.length;
  for (let i = 0; i < n; i++) {
    const e = els[i]!;
    switch (e.kind) {
      case 'integer': {
        const v = e.value;
        o = typeof v === 'number' ? encodeNumber(v, o) : encodeBig(v, o);
        break;
      }
      case 'binary':
        o = encodeBinary(e.bytes, o);
        break;
      case 'atom':
        o = encodeAtom(e.name, o, utf8);
        break;
      case 'tuple':
        o = encodeTuple(e.elements, o, utf8);
        break;
      default:
        o = encodeValue(e, o, utf8);
    }
  }
  return o;
}

function encodeTuple(els: readonly Term[], o: number, utf8: boolean): number {
  const n = els.length;
  o = room(o, 5);
  const b = out;
  if (n < 256) {
    b[o++] = SMALL_TUPLE_EXT;
    b[o++] = n;
  } else {
    b[o++] = LARGE_TUPLE_EXT;
    b[o++] = n >>> 24;
    b[o++] = n >>> 16;
    b[o++] = n >>> 8;
    b[o++] = n;
  }
  return encodeElements(els, o, utf8);
}

/**
 * SMALL_INTEGER_EXT for 0..255, INTEGER_EXT for the rest of signed 32-bit, SMALL_BIG_EXT with the
 * minimal magnitude beyond (PROTOCOL.md §6.3, row "Erlang term_to_binary").
 */
function encodeNumber(v: number, o: number): number {
  // Bit tricks instead of range + Number.isInteger checks: `v & 0xff` equals v only for integers
  // 0..255, and `v | 0` equals v only for integers in signed 32-bit (both false for fractions).
  if ((v & 0xff) === v) {
    o = room(o, 2);
    const b = out;
    b[o] = SMALL_INTEGER_EXT;
    b[o + 1] = v;
    return o + 2;
  }
  if ((v | 0) === v) {
    o = room(o, 5);
    const b = out;
    b[o] = INTEGER_EXT;
    b[o + 1] = v >>> 24;
    b[o + 2] = v >>> 16;
    b[o + 3] = v >>> 8;
    b[o + 4] = v;
    return o + 5;
  }
  return encodeWideNumber(v, o);
}

function encodeWideNumber(v: number, o: number): number {
  if (!Number.isSafeInteger(v)) {
    if (Number.isInteger(v)) return encodeBig(BigInt(v), o);
    throw unencodableAt(o, `integer term holds the non-integer ${v}`);
  }
  // A safe integer outside int32 (such as the µs timestamps of §6.4): at most 7 magnitude bytes.
  // Split once into two 32-bit halves (exact in double arithmetic); the bytes then come from
  // shifts instead of a `% 256` and a division per byte.
  const mag = Math.abs(v);
  const lo = mag % 0x100000000;
  const hi = (mag - lo) / 0x100000000;
  const n = hi === 0 ? 4 : hi < 0x100 ? 5 : hi < 0x10000 ? 6 : 7;
  o = room(o, 3 + n);
  const b = out;
  b[o++] = SMALL_BIG_EXT;
  b[o++] = n;
  b[o++] = v < 0 ? 1 : 0;
  b[o++] = lo;
  b[o++] = lo >>> 8;
  b[o++] = lo >>> 16;
  b[o++] = lo >>> 24;
  for (let i = 4, h = hi; i < n; i++, h >>>= 8) b[o++] = h;
  return o;
}

function encodeBig(v: bigint, o: number): number {
  // A bigint inside the safe range is written exactly as the same number would be.
  if (v >= MIN_SAFE && v <= MAX_SAFE) return encodeNumber(Number(v), o);
  encodeBigInt(sync(o), v);
  return resume();
}

function encodeBinary(bytes: Uint8Array, o: number): number {
  const n = bytes.length;
  if (n > U32_MAX) throw unencodableAt(o, `binary of ${n} bytes is too large`);
  o = room(o, 5 + n);
  const b = out;
  b[o] = BINARY_EXT;
  b[o + 1] = n >>> 24;
  b[o + 2] = n >>> 16;
  b[o + 3] = n >>> 8;
  b[o + 4] = n;
  return copyBytes(bytes, b, o + 5);
}

/** Copies `src` to `b` at `o` (room already made); returns the end offset. */
function copyBytes(src: Uint8Array, b: Uint8Array, o: number): number {
  const n = src.length;
  // A loop beats TypedArray#set below ~8 bytes: `set` has a fixed cost of about 20 ns per call.
  if (n < 8) {
    for (let i = 0; i < n; i++) b[o + i] = src[i]!;
  } else {
    b.set(src, o);
  }
  return o + n;
}

function encodeAtom(name: string, o: number, utf8: boolean): number {
  const encoded = encodedAtom(o, name, utf8);
  o = room(o, encoded.length);
  return copyBytes(encoded, out, o);
}

function encodeFloat(v: number, o: number): number {
  if (!Number.isFinite(v)) throw unencodableAt(o, `float ${v} has no Erlang representation`);
  // NEW_FLOAT_EXT, big-endian IEEE 754 (PROTOCOL.md §6.1), through one shared Float64Array.
  // room() may replace `out` (a larger slab): read it after.
  const at = room(o, 9);
  return writeFloat(out, at, v);
}

/** Writes NEW_FLOAT_EXT `v` at `o` (9 bytes, room checked by the caller); the end offset. */
function writeFloat(b: Uint8Array, o: number, v: number): number {
  b[o++] = NEW_FLOAT_EXT;
  F64[0] = v;
  if (LITTLE_ENDIAN) for (let i = 7; i >= 0; i--) b[o++] = F64_BYTES[i]!;
  else for (let i = 0; i < 8; i++) b[o++] = F64_BYTES[i]!;
  return o;
}

/** The kinds notifications (almost) never carry. */
function encodeRare(t: Term, o: number, utf8: boolean): number {
  switch (t.kind) {
    case 'map': {
      const entries = t.entries;
      o = room(o, 5);
      const b = out;
      const n = entries.length;
      b[o++] = MAP_EXT;
      b[o++] = n >>> 24;
      b[o++] = n >>> 16;
      b[o++] = n >>> 8;
      b[o++] = n;
      for (const [k, v] of entries) {
        o = encodeValue(k, o, utf8);
        o = encodeValue(v, o, utf8);
      }
      return o;
    }
    case 'bitstring':
      encodeBitstring(sync(o), t.bytes, t.bits);
      return resume();
    case 'pid': {
      // NEW_PID_EXT: OTP 23+ always writes 32-bit creation.
      const node = encodedAtom(o, t.node, utf8);
      const w = sync(o);
      w.u8(NEW_PID_EXT);
      w.bytes(node);
      w.u32(u32(w, t.id, 'pid id'));
      w.u32(u32(w, t.serial, 'pid serial'));
      w.u32(u32(w, t.creation, 'pid creation'));
      return resume();
    }
    case 'port': {
      // OTP 25: NEW_PORT_EXT while the id fits 32 bits, V4_PORT_EXT (64-bit id) beyond.
      const id = BigInt(t.id);
      if (id < 0n || id > U64_MAX) throw unencodableAt(o, `port id ${id} is outside 0..2^64-1`);
      const node = encodedAtom(o, t.node, utf8);
      const wide = id > BigInt(U32_MAX);
      const w = sync(o);
      w.u8(wide ? V4_PORT_EXT : NEW_PORT_EXT);
      w.bytes(node);
      if (wide) w.u32(Number(id >> 32n));
      w.u32(Number(id & 0xffffffffn));
      w.u32(u32(w, t.creation, 'port creation'));
      return resume();
    }
    case 'reference': {
      const n = t.ids.length;
      if (n > 5) throw unencodableAt(o, `reference with ${n} id words (OTP 25 allows at most 5)`);
      const node = encodedAtom(o, t.node, utf8);
      const w = sync(o);
      w.u8(NEWER_REFERENCE_EXT);
      w.u16(n);
      w.bytes(node);
      w.u32(u32(w, t.creation, 'reference creation'));
      for (const id of t.ids) w.u32(u32(w, id, 'reference id'));
      return resume();
    }
    case 'export': {
      if (!Number.isInteger(t.arity) || t.arity < 0 || t.arity > 255) {
        throw unencodableAt(o, `export arity ${t.arity} is outside 0..255`);
      }
      const module = encodedAtom(o, t.module, utf8);
      const fn = encodedAtom(o, t.function, utf8);
      const w = sync(o);
      w.u8(EXPORT_EXT);
      w.bytes(module);
      w.bytes(fn);
      w.u8(SMALL_INTEGER_EXT);
      w.u8(t.arity);
      return resume();
    }
    case 'fun':
      // Kept raw by the decoder (tag included); written back verbatim.
      sync(o).bytes(t.raw);
      return resume();
    default:
      throw unencodableAt(o, `unknown term kind ${JSON.stringify((t as { kind?: unknown }).kind)}`);
  }
}

function u32(w: ByteWriter, v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > U32_MAX) throw unencodable(w, `${what} ${v} is outside 0..2^32-1`);
  return v;
}

/** SMALL_BIG_EXT / LARGE_BIG_EXT with the minimal magnitude, for an integer outside the safe range. */
function encodeBigInt(w: ByteWriter, v: bigint): void {
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
function encodeList(elements: readonly Term[], tail: Term, o: number, utf8: boolean): number {
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
  if (n === 0) return encodeValue(end, o, utf8);
  if (end.kind === 'nil' && n <= STRING_EXT_MAX && isByteList(els)) {
    o = room(o, 3 + n);
    const b = out;
    b[o++] = STRING_EXT;
    b[o++] = n >>> 8;
    b[o++] = n;
    for (let i = 0; i < n; i++) b[o++] = (els[i] as { value: number }).value;
    return o;
  }
  o = room(o, 5);
  const b = out;
  b[o++] = LIST_EXT;
  b[o++] = n >>> 24;
  b[o++] = n >>> 16;
  b[o++] = n >>> 8;
  b[o++] = n;
  o = encodeElements(els, o, utf8);
  return encodeValue(end, o, utf8);
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

/** The full encoding of an atom (tag, length, name), from the cache when possible. `o` is for error details. */
function encodedAtom(o: number, name: string, utf8: boolean): Uint8Array {
  const cache = utf8 ? utf8Atoms : latin1Atoms;
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const encoded = encodeAtomUncached(o, name, utf8);
  if (cache.size < ATOM_CACHE_LIMIT) cache.set(name, encoded);
  return encoded;
}

function encodeAtomUncached(o: number, name: string, utf8: boolean): Uint8Array {
  let latin1 = !utf8;
  let chars = 0;
  for (const ch of name) {
    chars++;
    const cp = ch.codePointAt(0)!;
    if (cp > 0xff) latin1 = false;
    // A lone surrogate has no UTF-8 form; TextEncoder would silently turn it into U+FFFD.
    if (cp >= 0xd800 && cp <= 0xdfff) throw unencodableAt(o, `atom ${JSON.stringify(name)} contains a lone surrogate`);
  }
  if (chars > MAX_ATOM_CHARS) throw unencodableAt(o, `atom of ${chars} characters (Erlang allows ${MAX_ATOM_CHARS})`);
  if (latin1) {
    // ATOM_EXT: what OTP 25 writes for Latin-1 names (PROTOCOL.md §6.2).
    const bytes = new Uint8Array(3 + chars);
    bytes[0] = ATOM_EXT;
    bytes[1] = 0;
    bytes[2] = chars;
    for (let i = 0; i < chars; i++) bytes[3 + i] = name.charCodeAt(i);
    return bytes;
  }
  const body = textEncoder.encode(name);
  if (body.length < 256) {
    const bytes = new Uint8Array(2 + body.length);
    bytes[0] = SMALL_ATOM_UTF8_EXT;
    bytes[1] = body.length;
    bytes.set(body, 2);
    return bytes;
  }
  const bytes = new Uint8Array(3 + body.length);
  bytes[0] = ATOM_UTF8_EXT;
  bytes[1] = body.length >>> 8;
  bytes[2] = body.length & 0xff;
  bytes.set(body, 3);
  return bytes;
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

// ---- shaped encoders ------------------------------------------------------------------------------
//
// The encoding counterpart of decode.ts's shaped decoders (docs/decisions/003-codec-performance.md).
// The general encoder reads `kind` at one site for every term of every shape, so V8 sees 6-8 hidden
// classes there and looks the property up in its megamorphic cache each time; a notification also
// costs a call per container. Once a term shape (kinds, arities, list lengths, atom names) has been
// encoded often enough (shape-cache.ts), code for exactly that shape is generated: it checks each node's kind at its
// own site (one hidden class each, so a compare), writes the bytes with the offset in a local, and
// writes integers and binaries exactly as the general encoder does (same tag choice). On any
// difference (another kind, arity or atom, a value the general encoder would write differently or
// reject, too little room in the slab) it returns -1 and the general encoder runs, so every error
// comes from the general encoder. Lists whose elements could all be integers are left to the
// general encoder (its STRING_EXT choice depends on the values). Only the default Latin-1 atom
// encoding is shaped. Bounded: SHAPE_SLOTS slots chosen by the root tuple's arity and first
// integer, generated encoders per process bounded by shape-cache.ts, shapes of at most MAX_SHAPE_NODES nodes.

/** A generated encoder: the end offset in `b`, or -1 when the term is not its shape. */
type ShapedEncoder = (t: Term, b: Uint8Array, o: number) => number;

const SHAPE_SLOTS = 64;
const shapeCache = new ShapeCache<ShapedEncoder>(SHAPE_SLOTS);

/**
 * Sets how many general encodes of a slot come before code is generated for it (default: never, see shape-cache.ts) and
 * returns the previous value. Internal (not exported by the codec's index), for
 * test/codec/encode-speed.test.ts, which needs shapes compiled after a few encodes.
 * @example
 *   const previous = setShapedEncodeWarmup(2); try { ... } finally { setShapedEncodeWarmup(previous); }
 */
export function setShapedEncodeWarmup(n: number): number {
  return shapeCache.setWarmup(n);
}
/** Nested containers with this many descendants or more get a function of their own (see compileEncoder). */
const SPLIT_NODES = 6;
/** The kinds a shaped encoder handles (the others keep the general encoder). */
const SHAPED_KINDS: ReadonlySet<string> = new Set(['integer', 'binary', 'float', 'nil', 'atom', 'tuple', 'list']);
const MAX_SHAPE_NODES = 256;
const MAX_SHAPE_DEPTH = 32;
/** The slot of the term of the last {@link encodeShaped} call, or -1 for a term that has none. */
let shapedKey = -1;

/**
 * Counters of the shaped encoders since the process started: encoders generated, encodes done by
 * one, and encodes done by the general encoder. Internal (not exported by the codec's index):
 * test/codec/encode-speed.test.ts uses it to prove that its comparisons exercised them.
 * @example
 *   const { shaped } = shapedEncodeStats();
 */
export function shapedEncodeStats(): { compiles: number; shaped: number; general: number } {
  return shapeCache.statsSnapshot();
}

/** The slot of a root term: tuples only, by arity and the value of a first integer element (a notification's type). */
function encodeSlotOf(t: Term): number {
  if (t.kind !== 'tuple') return -1;
  const els = t.elements;
  const n = els.length;
  let h = Math.imul(n + 1, 0x01000193);
  if (n > 0) {
    const first = els[0]!;
    if (first.kind === 'integer' && typeof first.value === 'number') h = Math.imul(h ^ (first.value | 0), 0x01000193);
  }
  return (h ^ (h >>> 15)) & (SHAPE_SLOTS - 1);
}

function encodeShaped(t: Term, b: Uint8Array, o: number): number {
  const key = (shapedKey = encodeSlotOf(t));
  if (key < 0) return -1;
  const encode = shapeCache.get(key);
  if (encode === undefined) return -1;
  const end = encode(t, b, o);
  if (end >= 0) shapeCache.hit(key);
  return end;
}

/** After a general encode of `t`: count it, and generate an encoder for its shape when its slot keeps missing. */
function noteEncoded(t: Term): void {
  const key = shapedKey;
  if (shapeCache.missed(key)) shapeCache.set(key, compileEncoder(t));
}

/** Writes any integer `v` at `o` as the general encoder does, or returns -1 (bigint, non-integer, unsafe, no room). */
function shapedInteger(b: Uint8Array, v: unknown, o: number): number {
  if (typeof v !== 'number') return -1;
  if ((v & 0xff) === v) {
    if (o + 2 > b.length) return -1;
    b[o] = SMALL_INTEGER_EXT;
    b[o + 1] = v;
    return o + 2;
  }
  if ((v | 0) === v) {
    if (o + 5 > b.length) return -1;
    b[o] = INTEGER_EXT;
    b[o + 1] = v >>> 24;
    b[o + 2] = v >>> 16;
    b[o + 3] = v >>> 8;
    b[o + 4] = v;
    return o + 5;
  }
  if (!Number.isSafeInteger(v) || o + 10 > b.length) return -1;
  // encodeWideNumber writes into `out`, at most 3 + 7 bytes here (room checked above).
  const saved = out;
  out = b;
  try {
    return encodeWideNumber(v, o);
  } finally {
    out = saved;
  }
}

/** Writes a NEW_FLOAT_EXT of a finite `v` at `o`, or returns -1. */
function shapedFloat(b: Uint8Array, v: unknown, o: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || o + 9 > b.length) return -1;
  return writeFloat(b, o, v);
}

/** Writes a BINARY_EXT of `bytes` at `o`, or returns -1 (not bytes, or no room). */
function shapedBinary(b: Uint8Array, bytes: Uint8Array, o: number): number {
  const n = bytes.length;
  if (o + 5 + n > b.length) return -1;
  b[o] = BINARY_EXT;
  b[o + 1] = n >>> 24;
  b[o + 2] = n >>> 16;
  b[o + 3] = n >>> 8;
  b[o + 4] = n;
  return copyBytes(bytes, b, o + 5);
}

interface EncodeShapeEnv {
  readonly integer: (b: Uint8Array, v: unknown, o: number) => number;
  readonly float: (b: Uint8Array, v: unknown, o: number) => number;
  readonly binary: (b: Uint8Array, bytes: Uint8Array, o: number) => number;
  readonly names: readonly string[];
}

/** Generates the shaped encoder of `t` (which the general encoder just wrote), or `undefined` for a shape it does not handle. */
function compileEncoder(root: Term): ShapedEncoder | undefined {
  const names: string[] = [];
  let lines: string[] = [];
  const functions: string[] = [];
  let nodes = 0;
  // Nested containers with SPLIT_NODES descendants or more get a function of their own, as in
  // decode.ts's compileShape (a new function runs in V8's interpreter until it is hot, and one big
  // function is compiled much later than several small ones).
  const split = (v: string, depth: number, body: () => boolean): boolean => {
    const id = nodes;
    const outer = lines;
    lines = [];
    const ok = body();
    const inner = lines;
    lines = outer;
    if (!ok) return false;
    if (depth === 0 || nodes - id < SPLIT_NODES) {
      for (const line of inner) lines.push(line);
      return true;
    }
    functions.push(`function s${id}(${v}, b, o) { let x;\n${inner.join('\n')}\nreturn o;\n}`);
    lines.push(`o = s${id}(${v}, b, o); if (o < 0) return -1;`);
    return true;
  };
  // Emits the checks and writes of the term in variable `v`.
  const emit = (t: Term, v: string, depth: number): boolean => {
    if (++nodes > MAX_SHAPE_NODES || depth > MAX_SHAPE_DEPTH || !SHAPED_KINDS.has(t.kind)) return false;
    lines.push(`if (${v} == null || ${v}.kind !== '${t.kind}') return -1;`);
    switch (t.kind) {
      case 'integer':
        lines.push(
          typeof t.value === 'number' && (t.value & 0xff) === t.value
            ? `x = ${v}.value; if (typeof x === 'number' && (x & 0xff) === x && o + 2 <= b.length) { b[o] = ${SMALL_INTEGER_EXT}; b[o + 1] = x; o += 2; } else { o = INT(b, x, o); if (o < 0) return -1; }`
            : `o = INT(b, ${v}.value, o); if (o < 0) return -1;`,
        );
        return true;
      case 'binary':
        lines.push(`o = BIN(b, ${v}.bytes, o); if (o < 0) return -1;`);
        return true;
      case 'float':
        lines.push(`o = FLT(b, ${v}.value, o); if (o < 0) return -1;`);
        return true;
      case 'nil':
        lines.push(`if (o + 1 > b.length) return -1; b[o++] = ${NIL_EXT};`);
        return true;
      case 'atom': {
        let encoded: Uint8Array;
        try {
          encoded = encodedAtom(0, t.name, false);
        } catch {
          return false;
        }
        const bytes = Array.from(encoded, (x, i) => `b[o + ${i}] = ${x};`).join(' ');
        lines.push(`if (${v}.name !== S[${names.length}] || o + ${encoded.length} > b.length) return -1; ${bytes} o += ${encoded.length};`);
        names.push(t.name);
        return true;
      }
      case 'tuple': {
        const n = t.elements.length;
        if (n > 255) return false;
        const els = `e${nodes}`;
        return split(v, depth, () => {
          lines.push(`const ${els} = ${v}.elements; if (${els} == null || ${els}.length !== ${n} || o + 2 > b.length) return -1; b[o] = ${SMALL_TUPLE_EXT}; b[o + 1] = ${n}; o += 2;`);
          for (let i = 0; i < n; i++) {
            const child = `c${nodes + 1}`;
            lines.push(`const ${child} = ${els}[${i}];`);
            if (!emit(t.elements[i]!, child, depth + 1)) return false;
          }
          return true;
        });
      }
      case 'list': {
        const n = t.elements.length;
        const tail = t.tail;
        // Canonical lists only: at least one element, a tail that is no list, and (for a proper
        // list) an element that is no integer, so the general encoder writes LIST_EXT too.
        if (n === 0 || n > MAX_SHAPE_NODES || tail.kind === 'list') return false;
        if (tail.kind === 'nil' && t.elements.every((e) => e.kind === 'integer')) return false;
        const els = `e${nodes}`;
        const tailVar = `t${nodes}`;
        return split(v, depth, () => {
          lines.push(
            `const ${els} = ${v}.elements; const ${tailVar} = ${v}.tail; if (${els} == null || ${els}.length !== ${n} || o + 5 > b.length) return -1;`,
            `b[o] = ${LIST_EXT}; b[o + 1] = ${n >>> 24}; b[o + 2] = ${(n >>> 16) & 0xff}; b[o + 3] = ${(n >>> 8) & 0xff}; b[o + 4] = ${n & 0xff}; o += 5;`,
          );
          for (let i = 0; i < n; i++) {
            const child = `c${nodes + 1}`;
            lines.push(`const ${child} = ${els}[${i}];`);
            if (!emit(t.elements[i]!, child, depth + 1)) return false;
          }
          return emit(tail, tailVar, depth + 1);
        });
      }
      default:
        return false;
    }
  };
  if (root.kind !== 'tuple' || !emit(root, 't', 0)) return undefined;
  const env: EncodeShapeEnv = { integer: shapedInteger, float: shapedFloat, binary: shapedBinary, names };
  // The generated text holds only numbers, kind names and the fixed code above; atom names are
  // compared with strings from `S`, so no text of the term becomes code.
  let factory: (env: EncodeShapeEnv) => ShapedEncoder;
  try {
    factory = new Function(
      'E',
      `'use strict'; const INT = E.integer, FLT = E.float, BIN = E.binary, S = E.names;\n` +
        `${functions.join('\n')}\nreturn function shapedEncode(t, b, o) { let x;\n${lines.join('\n')}\nreturn o;\n};`,
    ) as (env: EncodeShapeEnv) => ShapedEncoder;
  } catch {
    // Code generation is disabled (node --disallow-code-generation-from-strings): the general
    // path stays, and nothing is generated again. Never an error of the caller's.
    shapeCache.disable();
    return undefined;
  }
  return factory(env);
}
