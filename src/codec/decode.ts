import { inflateSync } from 'node:zlib';
import { ByteReader } from './byte-reader.js';
import { CodecError } from './errors.js';
import { ShapeCache } from './shape-cache.js';
import { Tag, VERSION_MAGIC } from './tags.js';
import {
  atom,
  binaryView,
  NIL,
  type AtomTerm,
  type BinaryTerm,
  type IntegerTerm,
  type ListTerm,
  type NilTerm,
  type Term,
} from './term.js';

// Tag values as module-local constants: switch cases on locals compile to plain integer
// compares, while `Tag.X` is a property load on an imported binding (much slower under
// module loaders that rewrite imports into getters, such as vitest's).
// Same for every other import used once per term or more.
const EMPTY_LIST: NilTerm = NIL;
const makeAtom: (name: string) => AtomTerm = atom;
const makeBinaryView: (source: Uint8Array, start: number, length: number) => BinaryTerm = binaryView;
const ByteReaderClass: typeof ByteReader = ByteReader;
const CodecErrorClass: typeof CodecError = CodecError;
const VERSION: number = VERSION_MAGIC;
const { ATOM_EXT, ATOM_UTF8_EXT, BINARY_EXT, BIT_BINARY_EXT, COMPRESSED, EXPORT_EXT, FLOAT_EXT, FUN_EXT, INTEGER_EXT, LARGE_BIG_EXT, LARGE_TUPLE_EXT, LIST_EXT, LOCAL_EXT, MAP_EXT, NEWER_REFERENCE_EXT, NEW_FLOAT_EXT, NEW_FUN_EXT, NEW_PID_EXT, NEW_PORT_EXT, NEW_REFERENCE_EXT, NIL_EXT, PID_EXT, PORT_EXT, REFERENCE_EXT, SMALL_ATOM_EXT, SMALL_ATOM_UTF8_EXT, SMALL_BIG_EXT, SMALL_INTEGER_EXT, SMALL_TUPLE_EXT, STRING_EXT, V4_PORT_EXT } = Tag;


/**
 * Limits for {@link decodeTerm}. Every limit is checked before the memory it guards is allocated
 * (STYLE.md §3, PROTOCOL.md §17): a length is compared with the remaining input and with its limit
 * as soon as its length field is read.
 */
export interface DecodeLimits {
  /** Maximum nesting of tuples, lists and maps (default 128). */
  readonly maxDepth?: number;
  /** Maximum encoded size of one atom in bytes (default 1020 = 255 characters of 4 UTF-8 bytes). */
  readonly maxAtomBytes?: number;
  /** Maximum arity of a tuple, length of a list or size of a map (default 1 << 20). */
  readonly maxArity?: number;
  /** Maximum size of a binary, a bignum magnitude or an uncompressed payload (default 64 MiB). */
  readonly maxBinaryBytes?: number;
  /**
   * Maximum magnitude of a SMALL_BIG_EXT / LARGE_BIG_EXT integer in bytes (default 1024, i.e.
   * |n| < 2^8192). NSO's integers fit 8 bytes (usids, handles, µs timestamps, §6.3); a larger one
   * is refused with `NSOMOCK_CODEC_INTEGER_TOO_LARGE` before it is built, because a bigint of
   * megabytes is cheap to send but costs seconds to turn into decimal text for a log line.
   */
  readonly maxBigIntBytes?: number;
  /** Accept bytes after the complete term, as `binary_to_term/1` does (default false: a strict mock rejects them, vectors `odd.trailing_bytes`). */
  readonly allowTrailingBytes?: boolean;
  /**
   * The budget of one decode, in estimated bytes of memory the decoded term holds (default 256 MiB):
   * every term object is charged {@link DECODE_COST.term}, every element slot of a tuple, list or
   * string {@link DECODE_COST.slot}, every map entry {@link DECODE_COST.entry}, and binaries, atom
   * names and bignum magnitudes their length; a COMPRESSED term is charged its declared
   * uncompressed size before it is inflated. The decode stops with `NSOMOCK_CODEC_BUDGET_EXCEEDED`
   * the moment the total passes the budget, so a term that is small on the wire but large in
   * memory (61 KB of deflated empty tuples inflate to 2.6 GB of objects) costs at most the budget.
   * The byte limits above bound the input; this one bounds what is built from it.
   */
  readonly maxDecodedBytes?: number;
  /**
   * Accept COMPRESSED terms (tag 80, default true, as `binary_to_term/1`). The server refuses them
   * from clients (NSO clients never send them, docs/decisions/005-decode-budget.md):
   * false gives `NSOMOCK_CODEC_COMPRESSED_REFUSED` at the tag, before anything is inflated.
   */
  readonly allowCompressed?: boolean;
}

/**
 * What {@link DecodeLimits.maxDecodedBytes} charges, in bytes: estimates of V8's sizes (an object
 * of two or three fields with its header; a pointer slot; a map entry's `[key, value]` array plus
 * its slot). Estimates, not measurements: the budget is a bound on amplification, not an exact
 * heap size.
 */
export const DECODE_COST: Readonly<{ term: number; slot: number; entry: number }> = Object.freeze({ term: 48, slot: 8, entry: 40 });
const TERM_COST = DECODE_COST.term;
const SLOT_COST = DECODE_COST.slot;
const ENTRY_COST = DECODE_COST.entry;

/** The defaults of every {@link DecodeLimits} field. */
export const DEFAULT_DECODE_LIMITS: Readonly<Required<DecodeLimits>> = Object.freeze({
  maxDepth: 128,
  maxAtomBytes: 1020,
  maxArity: 1 << 20,
  maxBinaryBytes: 64 * 1024 * 1024,
  maxBigIntBytes: 1024,
  allowTrailingBytes: false,
  maxDecodedBytes: 256 * 1024 * 1024,
  allowCompressed: true,
});

/** Erlang atoms hold at most 255 characters; `binary_to_term` rejects longer ones. */
const MAX_ATOM_CHARS = 255;
/** NEWER_REFERENCE_EXT carries at most 5 id words on OTP 25 (`binary_to_term` rejects 6). */
const MAX_REF_IDS = 5;

// SMALL_INTEGER_EXT values are shared, immutable terms: decoding a notification full of small
// integers then allocates nothing for them.
const SMALL_INTS: readonly IntegerTerm[] = Array.from({ length: 256 }, (_, value) =>
  Object.freeze({ kind: 'integer', value }) as IntegerTerm,
);

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

// Direct-mapped atom cache (see Decoder.atomBody): slot = hash of (tag family, name bytes).
const ATOM_SLOTS = 512;
const MAX_CACHED_ATOM_BYTES = 64;
const atomSlotBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(ATOM_SLOTS).fill(undefined);
const atomSlotUtf8: boolean[] = new Array<boolean>(ATOM_SLOTS).fill(false);
const atomSlotTerm: (AtomTerm | undefined)[] = new Array<AtomTerm | undefined>(ATOM_SLOTS).fill(undefined);

/**
 * Decodes one complete term in external format (starting with the version byte 131), such as a
 * frame payload (PROTOCOL.md §5, §6). Binaries in the result are views on `bytes`: copy them
 * (`bytes.slice()`) if the input buffer is reused afterwards.
 *
 * @throws CodecError `NSOMOCK_CODEC_BAD_VERSION` (first byte is not 131), `NSOMOCK_CODEC_TRUNCATED`,
 *   `NSOMOCK_CODEC_UNKNOWN_TAG`, `NSOMOCK_CODEC_LIMIT_EXCEEDED`, `NSOMOCK_CODEC_INTEGER_TOO_LARGE`
 *   (a bignum beyond `maxBigIntBytes`), `NSOMOCK_CODEC_INVALID`,
 *   `NSOMOCK_CODEC_TRAILING_BYTES` (unless `allowTrailingBytes`). Never anything else, whatever the input.
 * @example
 *   decodeTerm(Uint8Array.of(131, 97, 1)) // => { kind: 'integer', value: 1 }
 */
export function decodeTerm(bytes: Uint8Array, limits?: DecodeLimits): Term {
  const shaped = (limits === undefined || limits === lastEligible || fastEligible(limits)) && shapedWithinBudget(limits, bytes.length);
  if (shaped) {
    const fast = decodeShaped(bytes, 0);
    // A shaped decode that stops before the end falls through, so the error is the general one.
    if (fast !== undefined && shapedEnd === bytes.length) return fast;
  }
  const d = acquire(bytes, 0, limits);
  try {
    const term = d.top();
    const end = d.r.offset;
    if (end !== bytes.length && d.allowTrailingBytes !== true) {
      throw new CodecErrorClass(
        'NSOMOCK_CODEC_TRAILING_BYTES',
        `Failed to decode term: ${bytes.length - end} trailing byte(s) after the term at byte ${end}`,
        { details: { offset: end } },
      );
    }
    if (shaped) noteDecoded(bytes, 0, end);
    return term;
  } finally {
    release(d);
  }
}

/**
 * Decodes one term in external format (version byte included) that starts at `offset`, and
 * returns it with the offset just past it. Trailing bytes are the caller's business.
 *
 * @throws CodecError as {@link decodeTerm}, except `NSOMOCK_CODEC_TRAILING_BYTES`.
 * @example
 *   const { term, end } = decodeTermAt(buf, 0); // the next term (if any) starts at `end`
 */
export function decodeTermAt(
  bytes: Uint8Array,
  offset: number,
  limits?: DecodeLimits,
): { term: Term; end: number } {
  const shaped = (limits === undefined || limits === lastEligible || fastEligible(limits)) && shapedWithinBudget(limits, bytes.length - offset);
  if (shaped) {
    const fast = decodeShaped(bytes, offset);
    if (fast !== undefined) return { term: fast, end: shapedEnd };
  }
  const d = acquire(bytes, offset, limits);
  try {
    const term = d.top();
    if (shaped) noteDecoded(bytes, offset, d.r.offset);
    return { term, end: d.r.offset };
  } finally {
    release(d);
  }
}

// One Decoder (and its ByteReader) is reused for every top-level call instead of two allocations
// per term: decoding is synchronous and never calls out of the codec, so the shared one is free
// whenever a call starts. The `busy` flag still guards re-entry (a nested call, should one ever
// happen, gets a fresh decoder), and `release` drops the reference to the input so a large
// socket chunk is not kept alive by the idle decoder.
const EMPTY_INPUT = new Uint8Array(0);
let sharedDecoder: Decoder | undefined;

function acquire(bytes: Uint8Array, offset: number, limits: DecodeLimits | undefined): Decoder {
  let d = sharedDecoder;
  if (d === undefined || d.busy) d = new Decoder(new ByteReaderClass(EMPTY_INPUT), DEFAULT_DECODE_LIMITS);
  if (sharedDecoder === undefined) sharedDecoder = d;
  // Limits first: nothing of this run is in the decoder until they are read. The frozen defaults
  // need no re-reading when they are already in place (the common case).
  const l = limits ?? DEFAULT_DECODE_LIMITS;
  if (l !== DEFAULT_DECODE_LIMITS || d.limits !== DEFAULT_DECODE_LIMITS) d.setLimits(l);
  d.busy = true;
  d.spent = 0;
  d.r.reset(bytes, offset, bytes.length);
  return d;
}

function release(d: Decoder): void {
  d.r.reset(EMPTY_INPUT, 0, 0);
  d.busy = false;
}

/** A decoder: the reader plus the limits, flattened into fields for fast access. */
class Decoder {
  readonly r: ByteReader;
  /** Set while a top-level call uses this decoder (see `acquire`). */
  busy = false;
  allowTrailingBytes = false;
  private maxDepth = 0;
  private maxAtomBytes = 0;
  private maxArity = 0;
  private maxBinaryBytes = 0;
  private maxBigIntBytes = 0;
  private budget = 0;
  private allowCompressed = true;
  /** Estimated bytes charged so far in this decode (see {@link DecodeLimits.maxDecodedBytes}). */
  spent = 0;
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS;
  constructor(r: ByteReader, limits: DecodeLimits) {
    this.r = r;
    this.setLimits(limits);
  }

  setLimits(limits: DecodeLimits): void {
    this.limits = limits;
    this.maxDepth = limits.maxDepth ?? DEFAULT_DECODE_LIMITS.maxDepth;
    this.maxAtomBytes = limits.maxAtomBytes ?? DEFAULT_DECODE_LIMITS.maxAtomBytes;
    this.maxArity = limits.maxArity ?? DEFAULT_DECODE_LIMITS.maxArity;
    this.maxBinaryBytes = limits.maxBinaryBytes ?? DEFAULT_DECODE_LIMITS.maxBinaryBytes;
    this.maxBigIntBytes = limits.maxBigIntBytes ?? DEFAULT_DECODE_LIMITS.maxBigIntBytes;
    this.allowTrailingBytes = limits.allowTrailingBytes === true;
    this.budget = limits.maxDecodedBytes ?? DEFAULT_DECODE_LIMITS.maxDecodedBytes;
    this.allowCompressed = limits.allowCompressed !== false;
  }

  /** Charges `units` estimated bytes to this decode's budget (see {@link DecodeLimits.maxDecodedBytes}). */
  private charge(units: number, at: number): void {
    if ((this.spent += units) > this.budget) this.overBudget(at);
  }

  private overBudget(at: number): never {
    return this.r.fail(
      'NSOMOCK_CODEC_BUDGET_EXCEEDED',
      `decoded term would hold more than maxDecodedBytes ${this.budget} (estimated ${this.spent})`,
      at,
    );
  }

  /** The version byte, then one term (or a COMPRESSED one); the reader is left just past it. */
  top(): Term {
    const r = this.r;
    const at = r.offset;
    const version = r.u8();
    if (version !== VERSION) r.fail('NSOMOCK_CODEC_BAD_VERSION', `expected version byte 131, got ${version}`, at);
    try {
      if (r.peek() === COMPRESSED) {
        const term = this.compressed();
        r.offset = r.end;
        return term;
      }
      return this.term(0);
    } catch (error) {
      // Recursion is bounded by maxDepth; if a caller raised maxDepth past what the stack holds,
      // the overflow is still reported as a limit, never as a RangeError (STYLE.md §7 rule 2).
      if (error instanceof RangeError && /call stack/i.test(error.message)) {
        throw new CodecErrorClass('NSOMOCK_CODEC_LIMIT_EXCEEDED', 'Failed to decode term: nesting exceeds the stack', {
          details: { offset: r.offset },
          cause: error,
        });
      }
      throw error;
    }
  }

  /** COMPRESSED (80): only valid right after the version byte, as in `binary_to_term/1`. */
  compressed(): Term {
    const r = this.r;
    const tagAt = r.offset;
    r.tag = r.u8();
    if (!this.allowCompressed) {
      r.fail('NSOMOCK_CODEC_COMPRESSED_REFUSED', 'compressed terms (tag 80) are not accepted here', tagAt);
    }
    const size = r.u32();
    // Checked before inflating, so a "zip bomb" header costs nothing (STYLE.md §3): the declared
    // size against the byte limit and the decode budget; inflateSync stops at that size
    // (maxOutputLength), so the inflated bytes never exceed what was charged.
    if (size > this.maxBinaryBytes) {
      r.fail('NSOMOCK_CODEC_LIMIT_EXCEEDED', `uncompressed size ${size} exceeds maxBinaryBytes ${this.maxBinaryBytes}`, tagAt);
    }
    this.charge(size, tagAt);
    const deflated = r.bytesView(r.remaining());
    let inflated: Uint8Array;
    try {
      inflated = inflateSync(deflated, { maxOutputLength: Math.max(1, size) });
    } catch (error) {
      const truncated = (error as { code?: unknown }).code === 'Z_BUF_ERROR';
      throw new CodecErrorClass(
        truncated ? 'NSOMOCK_CODEC_TRUNCATED' : 'NSOMOCK_CODEC_INVALID',
        `Failed to decode term: compressed payload does not inflate to ${size} bytes at byte ${tagAt}`,
        { details: { offset: tagAt, tag: COMPRESSED }, cause: error },
      );
    }
    if (inflated.length !== size) {
      r.fail('NSOMOCK_CODEC_INVALID', `compressed payload inflates to ${inflated.length} bytes, header says ${size}`, tagAt);
    }
    // Offsets of errors inside the payload are offsets in the inflated bytes.
    const inner = new Decoder(new ByteReaderClass(inflated), this.limits);
    // The terms built from the inflated bytes count against the same budget.
    inner.spent = this.spent;
    const term = inner.term(0);
    this.spent = inner.spent;
    if (inner.r.offset !== inflated.length) {
      r.fail('NSOMOCK_CODEC_INVALID', 'compressed payload has bytes after its term', tagAt);
    }
    return term;
  }

  /** Decodes the term at the cursor; `depth` is the number of enclosing containers. */
  term(depth: number): Term {
    const r = this.r;
    const tagAt = r.offset;
    const tag = r.u8();
    r.tag = tag;
    return this.body(tag, tagAt, depth);
  }

  /**
   * {@link Decoder.term} for an element of a tuple, list or map. The commonest leaves of
   * notifications (SMALL_INTEGER_EXT, BINARY_EXT, INTEGER_EXT) are decoded right here: this method
   * is small enough to be inlined into the container loops, so those elements cost no call of the
   * big recursive switch in `body()` (a JS call costs about as much as decoding such a leaf).
   */
  private element(depth: number): Term {
    const r = this.r;
    const tagAt = r.offset;
    const tag = r.u8();
    r.tag = tag;
    if (tag === SMALL_INTEGER_EXT) return SMALL_INTS[r.u8()]!;
    if (tag === BINARY_EXT) return this.binary(tagAt);
    if (tag === INTEGER_EXT) {
      this.charge(TERM_COST, tagAt);
      return { kind: 'integer', value: r.i32() };
    }
    return this.body(tag, tagAt, depth);
  }

  private tuple(n: number, depth: number, at: number): Term {
    this.count(n, 1, 0, 'tuple', at);
    this.enter(depth, at);
    this.charge(n * SLOT_COST, at);
    // Pre-sized: one allocation of the right length instead of push() growth (n is bounded by the
    // remaining input above, so this cannot be abused to allocate more than the input justifies).
    const elements = new Array<Term>(n);
    for (let i = 0; i < n; i++) elements[i] = this.element(depth + 1);
    return { kind: 'tuple', elements };
  }

  /**
   * LIST_EXT. A tail that is itself a list (LIST_EXT or STRING_EXT) is merged, as Erlang does, so the
   * result is canonical; chained tails are followed in a loop, so they cost no stack.
   */
  private list(depth: number, at: number): Term {
    const r = this.r;
    this.enter(depth, at);
    let n = r.u32();
    this.count(n, 1, 1, 'list', at);
    if (n > this.maxArity) this.limit(`list longer than maxArity ${this.maxArity}`, at);
    this.charge(n * SLOT_COST, at);
    // The first (usually only) segment fills a pre-sized array; chained segments append.
    const elements = new Array<Term>(n);
    for (let i = 0; i < n; i++) elements[i] = this.element(depth + 1);
    for (;;) {
      const tailAt = r.offset;
      const next = r.peek();
      if (next === LIST_EXT) {
        r.u8();
        r.tag = next;
        n = r.u32();
        this.count(n, 1, 1, 'list', at);
        if (elements.length + n > this.maxArity) this.limit(`list longer than maxArity ${this.maxArity}`, at);
        this.charge(n * SLOT_COST, at);
        for (let i = 0; i < n; i++) elements.push(this.element(depth + 1));
        continue;
      }
      if (next === NIL_EXT) {
        r.u8();
        return elements.length === 0 ? EMPTY_LIST : { kind: 'list', elements, tail: EMPTY_LIST };
      }
      const tail = this.element(depth + 1);
      // Only a STRING_EXT tail decodes to a list (LIST_EXT tails are looped above); testing the tag
      // rather than `tail.kind` spares a property load on a term of any shape.
      if (next === STRING_EXT && tail.kind === 'list') {
        if (elements.length + tail.elements.length > this.maxArity) this.limit(`list longer than maxArity ${this.maxArity}`, tailAt);
        for (const e of tail.elements) elements.push(e);
        return { kind: 'list', elements, tail: EMPTY_LIST };
      }
      if (elements.length === 0) return tail; // LIST_EXT with count 0 is just its tail
      return { kind: 'list', elements, tail } satisfies ListTerm;
    }
  }

  private map(depth: number, at: number): Term {
    const r = this.r;
    const n = r.u32();
    this.count(n, 2, 0, 'map', at);
    this.enter(depth, at);
    this.charge(n * ENTRY_COST, at);
    const entries = new Array<readonly [Term, Term]>(n);
    for (let i = 0; i < n; i++) {
      const key = this.element(depth + 1);
      entries[i] = [key, this.element(depth + 1)];
    }
    return { kind: 'map', entries };
  }

  /** Decodes the term whose tag byte (at `tagAt`) was just read. */
  private body(tag: number, tagAt: number, depth: number): Term {
    const r = this.r;
    // Every term but the shared ones (small integers, []) is an object: charged before it is built.
    // Binaries charge their own (with their bytes); an unknown tag is refused just below.
    if (tag !== SMALL_INTEGER_EXT && tag !== NIL_EXT && tag !== BINARY_EXT) this.charge(TERM_COST, tagAt);
    switch (tag) {
      case SMALL_INTEGER_EXT:
        return SMALL_INTS[r.u8()]!;
      case INTEGER_EXT:
        return { kind: 'integer', value: r.i32() };
      case SMALL_BIG_EXT:
        return this.big(r.u8(), tagAt);
      case LARGE_BIG_EXT: {
        const n = r.u32();
        r.need(n + 1);
        if (n > this.maxBinaryBytes) this.limit(`bignum of ${n} bytes exceeds maxBinaryBytes ${this.maxBinaryBytes}`, tagAt);
        return this.big(n, tagAt);
      }
      case ATOM_EXT:
        return this.atomBody(r.u16(), false, tagAt);
      case SMALL_ATOM_EXT:
        return this.atomBody(r.u8(), false, tagAt);
      case ATOM_UTF8_EXT:
        return this.atomBody(r.u16(), true, tagAt);
      case SMALL_ATOM_UTF8_EXT:
        return this.atomBody(r.u8(), true, tagAt);
      case BINARY_EXT:
        return this.binary(tagAt);
      case SMALL_TUPLE_EXT:
        return this.tuple(r.u8(), depth, tagAt);
      case LARGE_TUPLE_EXT:
        return this.tuple(r.u32(), depth, tagAt);
      case LIST_EXT:
        return this.list(depth, tagAt);
      case MAP_EXT:
        return this.map(depth, tagAt);
      case NIL_EXT:
        return EMPTY_LIST;
      case STRING_EXT: {
        const n = r.u16();
        r.need(n);
        if (n === 0) return EMPTY_LIST;
        if (n > this.maxArity) this.limit(`string of ${n} elements exceeds maxArity ${this.maxArity}`, tagAt);
        this.charge(n * SLOT_COST, tagAt);
        const elements = new Array<Term>(n);
        for (let i = 0; i < n; i++) elements[i] = SMALL_INTS[r.at(i)]!;
        r.skip(n);
        return { kind: 'list', elements, tail: EMPTY_LIST };
      }
      case NEW_FLOAT_EXT: {
        const value = r.f64();
        if (!Number.isFinite(value)) r.fail('NSOMOCK_CODEC_INVALID', 'NEW_FLOAT_EXT is not a finite number', tagAt);
        return { kind: 'float', value };
      }
      case FLOAT_EXT:
        return this.floatText(tagAt);
      case BIT_BINARY_EXT:
        return this.bitBinary(tagAt);
      case NEW_PID_EXT:
      case PID_EXT: {
        const node = this.atomName(tagAt);
        const id = r.u32();
        const serial = r.u32();
        const creation = tag === PID_EXT ? r.u8() : r.u32();
        return { kind: 'pid', node, id, serial, creation };
      }
      case PORT_EXT:
      case NEW_PORT_EXT:
      case V4_PORT_EXT: {
        const node = this.atomName(tagAt);
        let id: bigint;
        if (tag === V4_PORT_EXT) {
          const hi = r.u32();
          id = (BigInt(hi) << 32n) | BigInt(r.u32());
        } else {
          id = BigInt(r.u32());
        }
        const creation = tag === PORT_EXT ? r.u8() : r.u32();
        return { kind: 'port', node, id, creation };
      }
      case REFERENCE_EXT: {
        const node = this.atomName(tagAt);
        const id = r.u32();
        const creation = r.u8();
        return { kind: 'reference', node, creation, ids: [id] };
      }
      case NEW_REFERENCE_EXT:
      case NEWER_REFERENCE_EXT: {
        const n = r.u16();
        if (n > MAX_REF_IDS) r.fail('NSOMOCK_CODEC_INVALID', `reference with ${n} id words (at most ${MAX_REF_IDS})`, tagAt);
        const node = this.atomName(tagAt);
        r.tag = tag;
        const creation = tag === NEW_REFERENCE_EXT ? r.u8() : r.u32();
        const ids: number[] = [];
        for (let i = 0; i < n; i++) ids.push(r.u32());
        return { kind: 'reference', node, creation, ids };
      }
      case EXPORT_EXT: {
        const module = this.atomName(tagAt);
        const fn = this.atomName(tagAt);
        r.tag = tag;
        if (r.u8() !== SMALL_INTEGER_EXT) r.fail('NSOMOCK_CODEC_INVALID', 'EXPORT_EXT arity is not a SMALL_INTEGER_EXT', tagAt);
        return { kind: 'export', module, function: fn, arity: r.u8() };
      }
      case NEW_FUN_EXT: {
        // Kept raw, delimited by its Size field (which counts itself); nso-mock never looks inside.
        const size = r.u32();
        if (size < 4) r.fail('NSOMOCK_CODEC_INVALID', `NEW_FUN_EXT size ${size} is smaller than its own size field`, tagAt);
        r.need(size - 4);
        this.charge(size, tagAt);
        r.skip(size - 4);
        return { kind: 'fun', raw: r.bytes.subarray(tagAt, r.offset) };
      }
      case FUN_EXT:
        return this.oldFun(depth, tagAt);
      case LOCAL_EXT:
        return r.fail('NSOMOCK_CODEC_INVALID', 'LOCAL_EXT is only valid inside the node that wrote it', tagAt);
      default:
        return r.fail('NSOMOCK_CODEC_UNKNOWN_TAG', `unknown tag 0x${tag.toString(16).padStart(2, '0')}`, tagAt);
    }
  }

  /** BINARY_EXT after its tag: a lazy view (term.ts `binaryView`), so no Uint8Array is made unless `bytes` is read. */
  private binary(at: number): Term {
    const r = this.r;
    const n = r.u32();
    r.need(n);
    if (n > this.maxBinaryBytes) this.limit(`binary of ${n} bytes exceeds maxBinaryBytes ${this.maxBinaryBytes}`, at);
    this.charge(TERM_COST + n, at);
    const start = r.offset;
    r.skip(n);
    return makeBinaryView(r.bytes, start, n);
  }

  private limit(reason: string, at: number): never {
    return this.r.fail('NSOMOCK_CODEC_LIMIT_EXCEEDED', reason, at);
  }

  private enter(depth: number, at: number): void {
    if (depth >= this.maxDepth) this.limit(`nesting deeper than maxDepth ${this.maxDepth}`, at);
  }

  /** A count of elements that each need at least `perElement` bytes: truncation first, then the limit. */
  private count(n: number, perElement: number, extra: number, what: string, at: number): void {
    if (n * perElement + extra > this.r.remaining()) this.r.truncated();
    if (n > this.maxArity) this.limit(`${what} of ${n} elements exceeds maxArity ${this.maxArity}`, at);
  }

  /** SMALL_BIG_EXT / LARGE_BIG_EXT body: sign byte, then `n` magnitude bytes, little-endian (§6.1). */
  private big(n: number, at: number): Term {
    const r = this.r;
    r.need(n + 1);
    // Before the magnitude is read into a bigint: building one is linear, but anything that later
    // prints it in decimal is not (PROTOCOL.md §17: bad input is refused cheaply).
    if (n > this.maxBigIntBytes) {
      r.fail('NSOMOCK_CODEC_INTEGER_TOO_LARGE', `integer of ${n} bytes exceeds maxBigIntBytes ${this.maxBigIntBytes}`, at);
    }
    this.charge(n, at);
    const negative = r.u8() !== 0;
    if (n <= 7) {
      const v = smallBigValue(r.bytes, r.offset, n, negative);
      if (v !== undefined) {
        r.skip(n);
        return { kind: 'integer', value: v };
      }
    }
    let hex = '';
    for (let i = n - 1; i >= 0; i--) {
      const b = r.at(i);
      hex += (b < 16 ? '0' : '') + b.toString(16);
    }
    r.skip(n);
    const big = BigInt('0x' + hex);
    const value = negative ? -big : big;
    if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
      return { kind: 'integer', value: Number(value) };
    }
    return { kind: 'integer', value };
  }

  /** The name of an atom, read after its length field. */
  private atomBody(n: number, utf8: boolean, at: number): AtomTerm {
    const r = this.r;
    r.need(n);
    if (n > this.maxAtomBytes) this.limit(`atom of ${n} bytes exceeds maxAtomBytes ${this.maxAtomBytes}`, at);
    this.charge(n, at);
    // Atom cache keyed by the encoded bytes: a hit costs a hash and a compare over the name bytes
    // and allocates nothing (no string, no Map lookup by string). Notifications repeat a few atoms.
    const slot = r.hash(n, n ^ (utf8 ? 0x100 : 0)) & (ATOM_SLOTS - 1);
    const cachedBytes = atomSlotBytes[slot];
    if (cachedBytes !== undefined && cachedBytes.length === n && atomSlotUtf8[slot] === utf8 && r.matches(cachedBytes)) {
      r.skip(n);
      return atomSlotTerm[slot]!;
    }
    let name = '';
    let ascii = true;
    // Short names are built char by char: cheaper than a TextDecoder call.
    for (let i = 0; i < n; i++) {
      const b = r.at(i);
      if (b >= 0x80) ascii = false;
      name += String.fromCharCode(b);
    }
    if (!ascii && utf8) {
      try {
        name = utf8Decoder.decode(r.bytes.subarray(r.offset, r.offset + n));
      } catch {
        r.fail('NSOMOCK_CODEC_INVALID', 'atom is not valid UTF-8', at);
      }
      let chars = 0;
      for (const _ of name) chars++;
      if (chars > MAX_ATOM_CHARS) r.fail('NSOMOCK_CODEC_INVALID', `atom of ${chars} characters (Erlang allows ${MAX_ATOM_CHARS})`, at);
    } else if (n > MAX_ATOM_CHARS) {
      r.fail('NSOMOCK_CODEC_INVALID', `atom of ${n} characters (Erlang allows ${MAX_ATOM_CHARS})`, at);
    }
    const term = makeAtom(name);
    if (n <= MAX_CACHED_ATOM_BYTES) {
      atomSlotBytes[slot] = r.bytes.slice(r.offset, r.offset + n);
      atomSlotUtf8[slot] = utf8;
      atomSlotTerm[slot] = term;
    }
    r.skip(n);
    return term;
  }

  /** An atom in any of the four atom encodings, where the format requires one (node names, EXPORT_EXT). */
  private atomName(outerAt: number): string {
    const r = this.r;
    const at = r.offset;
    const tag = r.u8();
    switch (tag) {
      case ATOM_EXT:
        return this.atomBody(r.u16(), false, at).name;
      case SMALL_ATOM_EXT:
        return this.atomBody(r.u8(), false, at).name;
      case ATOM_UTF8_EXT:
        return this.atomBody(r.u16(), true, at).name;
      case SMALL_ATOM_UTF8_EXT:
        return this.atomBody(r.u8(), true, at).name;
      default:
        return r.fail('NSOMOCK_CODEC_INVALID', `expected an atom inside the term at byte ${outerAt}, got tag ${tag}`, at);
    }
  }

  /** FLOAT_EXT (99): 31 bytes of `%.20e` text, NUL padded. Erlang's parser wants digits, a dot and digits. */
  private floatText(at: number): Term {
    const r = this.r;
    const raw = r.bytesView(31);
    let text = '';
    for (let i = 0; i < 31 && raw[i] !== 0; i++) text += String.fromCharCode(raw[i]!);
    const value = /^[+-]?\d+\.\d+(?:[eE][+-]?\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(value)) r.fail('NSOMOCK_CODEC_INVALID', `FLOAT_EXT text ${JSON.stringify(text)} is not a float`, at);
    return { kind: 'float', value };
  }

  /**
   * BIT_BINARY_EXT (77). Canonicalised as Erlang does: 8 bits in the last byte is a plain binary,
   * an empty one is `<<>>`, and the unused low bits of the last byte are cleared (so the bytes are
   * a copy here, not a view: bitstrings are rare and the copy keeps equality semantic).
   */
  private bitBinary(at: number): Term {
    const r = this.r;
    const n = r.u32();
    const bits = r.u8();
    r.need(n);
    if (n > this.maxBinaryBytes) this.limit(`bitstring of ${n} bytes exceeds maxBinaryBytes ${this.maxBinaryBytes}`, at);
    this.charge(n, at);
    if (bits > 8 || (n === 0) !== (bits === 0)) {
      r.fail('NSOMOCK_CODEC_INVALID', `BIT_BINARY_EXT with ${n} bytes and ${bits} bits in the last byte`, at);
    }
    if (n === 0 || bits === 8) {
      const start = r.offset;
      r.skip(n);
      return makeBinaryView(r.bytes, start, n);
    }
    const bytes = r.bytesView(n).slice();
    bytes[n - 1] = bytes[n - 1]! & ((0xff << (8 - bits)) & 0xff);
    return { kind: 'bitstring', bytes, bits };
  }

  /** FUN_EXT (117, pre-R7 funs): walked to find its end, kept raw like NEW_FUN_EXT. */
  private oldFun(depth: number, at: number): Term {
    const r = this.r;
    const numFree = r.u32();
    this.count(numFree, 1, 4, 'FUN_EXT free variables', at);
    this.enter(depth, at);
    const pid = this.term(depth + 1);
    const mod = this.term(depth + 1);
    const index = this.term(depth + 1);
    const uniq = this.term(depth + 1);
    if (pid.kind !== 'pid' || mod.kind !== 'atom' || index.kind !== 'integer' || uniq.kind !== 'integer') {
      r.tag = FUN_EXT;
      r.fail('NSOMOCK_CODEC_INVALID', 'FUN_EXT fields have the wrong types', at);
    }
    for (let i = 0; i < numFree; i++) this.term(depth + 1);
    return { kind: 'fun', raw: r.bytes.subarray(at, r.offset) };
  }
}

/**
 * The value of a SMALL_BIG_EXT magnitude of `n` ≤ 7 bytes at `p` (little-endian, §6.1) when it is a
 * safe integer, else `undefined` (the caller builds a bigint). Shared by `Decoder.big` and the
 * shaped decoders, so both give the same value (the bounds are the caller's).
 */
function smallBigValue(b: Uint8Array, p: number, n: number, negative: boolean): number | undefined {
  if (n <= 6) {
    // Up to 48 bits: exact in a double, no BigInt needed.
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[p + i]!;
    return negative && v !== 0 ? -v : v;
  }
  // 7 bytes (the µs timestamps of NSO 5.7): safe while hi * 2^32 + lo < 2^53.
  const lo = b[p]! + b[p + 1]! * 0x100 + b[p + 2]! * 0x10000 + b[p + 3]! * 0x1000000;
  const hi = b[p + 4]! + b[p + 5]! * 0x100 + b[p + 6]! * 0x10000;
  if (hi >= 0x200000) return undefined;
  const v = hi * 0x100000000 + lo;
  return negative ? -v : v;
}

// ---- shaped decoders ------------------------------------------------------------------------------
//
// A notification stream repeats a few term shapes (the same tuples, in the same nesting, with
// leaves of the same kinds; only the values differ). Once a shape has been decoded often enough (shape-cache.ts),
// a decoder for exactly that shape is generated: straight-line code that checks each tag byte and
// each length against the input, and builds the term with literals. The cursor is a local (a
// register), there is no recursion and no dispatch on the tag, and each property store is its own
// monomorphic site. On any difference from the shape (another tag, arity or atom, too few bytes,
// a value the general decoder would reject) it returns `undefined` at once, before building
// anything more, and the general decoder runs: so every error, and every term it would build
// differently, comes from the general decoder, and the shaped decoder only ever returns the term
// the general decoder returns for the same bytes (test/codec/decode-speed.test.ts checks this on
// generated terms and on every truncation and byte change of them).
//
// Limits: shapes are recorded only from input the general decoder accepted under limits at least
// as large as the defaults, hold at most MAX_SHAPE_NODES nodes at a depth of at most MAX_SHAPE_DEPTH
// (far below the default maxDepth) and are used only under such limits; each binary's length is
// checked against the remaining input and the default maxBinaryBytes before its view is made.
// Memory: SHAPE_SLOTS slots, chosen by the first bytes of the input, each with one decoder;
// shape-cache.ts bounds how many decoders are generated per process, so random input cannot make
// the codec generate code without bound.

/** A generated decoder: the term, with its end in `shapedEnd`, or `undefined` when the input does not have its shape. */
type ShapedDecoder = (b: Uint8Array, o: number, end: number) => Term | undefined;

const SHAPE_SLOTS = 64;
const shapeCache = new ShapeCache<ShapedDecoder>(SHAPE_SLOTS);

/**
 * Sets how many general decodes of a slot come before code is generated for it (default: never, see shape-cache.ts) and
 * returns the previous value. Internal (not exported by the codec's index), for
 * test/codec/decode-speed.test.ts, which needs shapes compiled after a few decodes.
 * @example
 *   const previous = setShapedDecodeWarmup(2); try { ... } finally { setShapedDecodeWarmup(previous); }
 */
export function setShapedDecodeWarmup(n: number): number {
  return shapeCache.setWarmup(n);
}
const SHAPE_KEY_BYTES = 8;
const MAX_SHAPE_NODES = 256;
const MAX_SHAPE_DEPTH = 32;
/** Nested containers with this many descendants or more get a function of their own (see compileShape). */
const SPLIT_NODES = 6;
/** The end offset of the last successful shaped decode. */
let shapedEnd = 0;
/** The slot of the input of the last {@link decodeShaped} call. */
let shapedKey = 0;

/**
 * Counters of the shaped decoders since the process started: decoders generated, decodes done by
 * one, and successful decodes done by the general decoder under eligible limits. Internal (not
 * exported by the codec's index): test/codec/decode-speed.test.ts uses it to prove that its
 * comparisons exercised the shaped decoders.
 * @example
 *   const { shaped } = shapedDecodeStats();
 */
export function shapedDecodeStats(): { compiles: number; shaped: number; general: number } {
  return shapeCache.statsSnapshot();
}
/** The largest bignum magnitude (bytes) a shaped decoder reads; larger ones go to the general decoder. */
const SHAPED_MAX_BIG_BYTES = 7;
/** The last limits object found eligible for shaped decoding (most callers pass the same one). */
let lastEligible: DecodeLimits | undefined = DEFAULT_DECODE_LIMITS;

/**
 * Whether `limits` allow at least what the shaped decoders accept: the defaults, except that the
 * only bignums they take are SMALL_BIG_EXT safe integers of at most 7 bytes (`shapedInteger`), so
 * any maxBigIntBytes of 7 or more is enough.
 */
function fastEligible(limits: DecodeLimits): boolean {
  const d = DEFAULT_DECODE_LIMITS;
  const ok =
    (limits.maxBigIntBytes ?? d.maxBigIntBytes) >= SHAPED_MAX_BIG_BYTES &&
    (limits.maxDepth ?? d.maxDepth) >= d.maxDepth &&
    (limits.maxAtomBytes ?? d.maxAtomBytes) >= d.maxAtomBytes &&
    (limits.maxArity ?? d.maxArity) >= d.maxArity &&
    (limits.maxBinaryBytes ?? d.maxBinaryBytes) >= d.maxBinaryBytes;
  if (ok) lastEligible = limits;
  return ok;
}

/**
 * The most a shaped decode can charge to a budget: its nodes (at most MAX_SHAPE_NODES, each an
 * object in a slot) plus its binaries, which lie inside the input. A budget below that for an
 * input of `length` bytes takes the general decoder, which charges term by term.
 */
function shapedWithinBudget(limits: DecodeLimits | undefined, length: number): boolean {
  const budget = limits?.maxDecodedBytes ?? DEFAULT_DECODE_LIMITS.maxDecodedBytes;
  return budget >= MAX_SHAPE_NODES * (TERM_COST + SLOT_COST) + length;
}

/** The slot of an input: a hash of its first bytes (for notifications: version, outer tuple, type). */
function shapeSlotOf(b: Uint8Array, o: number): number {
  const n = Math.min(SHAPE_KEY_BYTES, b.length - o);
  let h = n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[o + i]!, 0x01000193);
  return (h ^ (h >>> 15)) & (SHAPE_SLOTS - 1);
}

/** The shaped decode of `b` from `o`, or `undefined` (no decoder for its slot, or not its shape). */
function decodeShaped(b: Uint8Array, o: number): Term | undefined {
  const key = (shapedKey = shapeSlotOf(b, o));
  const decode = shapeCache.get(key);
  if (decode === undefined) return undefined;
  const term = decode(b, o, b.length);
  if (term !== undefined) shapeCache.hit(key);
  return term;
}

/** After a successful general decode of `b[o, end)`: count it, and generate a decoder for its shape when its slot keeps missing. */
function noteDecoded(b: Uint8Array, o: number, end: number): void {
  // The slot decodeShaped() just computed for the same input (nothing runs in between).
  const key = shapedKey;
  if (shapeCache.missed(key)) shapeCache.set(key, compileShape(b, o, end));
}

/** Constants and helpers of the generated code, passed in as one object and bound to locals there. */
interface ShapeEnv {
  readonly ints: readonly IntegerTerm[];
  readonly nil: NilTerm;
  readonly atoms: readonly AtomTerm[];
  readonly view: (source: Uint8Array, start: number, length: number) => BinaryTerm;
  readonly integer: (b: Uint8Array, o: number, end: number) => IntegerTerm | undefined;
  readonly f64: (b: Uint8Array, p: number) => number;
  readonly done: (end: number) => void;
  readonly pos: { at: number };
}

function readF64(b: Uint8Array, p: number): number {
  if (LITTLE_ENDIAN) for (let i = 7; i >= 0; i--) F64_BYTES[i] = b[p++]!;
  else for (let i = 0; i < 8; i++) F64_BYTES[i] = b[p++]!;
  return F64[0]!;
}
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

const setShapedEnd = (end: number): void => {
  shapedEnd = end;
};

/** The environment of the generated code; `at` is where {@link shapedInteger} stopped. */
const shapeEnv = { at: 0 };

/**
 * An integer in any of SMALL_INTEGER_EXT, INTEGER_EXT or SMALL_BIG_EXT (safe, ≤ 7 bytes) at `o`,
 * with its end in `shapeEnv.at`, or `undefined` (the general decoder then reads it). For the
 * shaped decoders: one integer shape covers a value whatever its size.
 */
function shapedInteger(b: Uint8Array, o: number, end: number): IntegerTerm | undefined {
  const tag = b[o];
  if (tag === SMALL_INTEGER_EXT) {
    if (end - o < 2) return undefined;
    shapeEnv.at = o + 2;
    return SMALL_INTS[b[o + 1]!];
  }
  if (tag === INTEGER_EXT) {
    if (end - o < 5) return undefined;
    shapeEnv.at = o + 5;
    return { kind: 'integer', value: (b[o + 1]! << 24) | (b[o + 2]! << 16) | (b[o + 3]! << 8) | b[o + 4]! };
  }
  if (tag !== SMALL_BIG_EXT || end - o < 3) return undefined;
  const n = b[o + 1]!;
  if (n > SHAPED_MAX_BIG_BYTES || end - o < 3 + n) return undefined;
  const v = smallBigValue(b, o + 3, n, b[o + 2] !== 0);
  if (v === undefined) return undefined;
  shapeEnv.at = o + 3 + n;
  return { kind: 'integer', value: v };
}

/**
 * Generates the shaped decoder of the term at `b[o, end)` (which the general decoder accepted), or
 * returns `undefined` when the term holds something the shaped decoders do not handle (maps,
 * strings, big tuples, pids, ...: those shapes keep the general decoder).
 */
function compileShape(b: Uint8Array, o: number, end: number): ShapedDecoder | undefined {
  if (b[o] !== VERSION) return undefined;
  const atoms: AtomTerm[] = [];
  let lines: string[] = ['if (end - o < 1 || b[o] !== ' + VERSION + ') return; o += 1;'];
  /** Functions of their own for the larger nested containers (see `split`). */
  const functions: string[] = [];
  let nodes = 0;
  // A nested container with SPLIT_NODES descendants or more becomes a function of its own. V8 runs
  // a new function in its interpreter until it has been called often enough and then compiles it
  // in the background, in a time that grows faster than its size: as one 100-node function, a
  // stream event's decoder ran at ~7 µs a decode (6× the general decoder) for its first ~20,000
  // decodes; as small functions, each is optimised soon (and may be inlined back).
  const split = (id: number, v: string, depth: number, body: () => boolean): boolean => {
    const outer = lines;
    lines = [];
    const before = nodes;
    const ok = body();
    const inner = lines;
    lines = outer;
    if (!ok) return false;
    if (depth === 0 || nodes - before < SPLIT_NODES) {
      for (const line of inner) lines.push(line);
      return true;
    }
    functions.push(`function s${id}(b, o, end) { let n, x;\n${inner.join('\n')}\nP.at = o; return ${v};\n}`);
    lines.push(`const ${v} = s${id}(b, o, end); if (${v} === undefined) return; o = P.at;`);
    return true;
  };
  let p = o + 1;
  // Emits the code of the term at `p` into `lines`, leaving its value in variable `v<id>`; returns the id.
  const emit = (depth: number): number | undefined => {
    if (++nodes > MAX_SHAPE_NODES || depth > MAX_SHAPE_DEPTH || p >= end) return undefined;
    const id = nodes;
    const v = 'v' + id;
    const tag = b[p]!;
    switch (tag) {
      case SMALL_INTEGER_EXT:
      case INTEGER_EXT:
      case SMALL_BIG_EXT:
        // One integer shape whichever of the three encodings the value takes (a value that grows
        // past 255 or 2^31 keeps its shape). SMALL_BIG_EXT: safe integers of at most 7 bytes.
        if (tag === SMALL_BIG_EXT) {
          const n = b[p + 1]!;
          if (n > SHAPED_MAX_BIG_BYTES || smallBigValue(b, p + 3, n, b[p + 2] !== 0) === undefined) return undefined;
          p += 3 + n;
        } else {
          p += tag === SMALL_INTEGER_EXT ? 2 : 5;
        }
        // Inline code for the encoding seen; a helper call for the other two.
        lines.push(
          `let ${v};`,
          tag === SMALL_INTEGER_EXT
            ? `if (b[o] === ${SMALL_INTEGER_EXT} && end - o >= 2) { ${v} = I[b[o + 1]]; o += 2; }`
            : tag === INTEGER_EXT
              ? `if (b[o] === ${INTEGER_EXT} && end - o >= 5) { ${v} = { kind: 'integer', value: (b[o + 1] << 24) | (b[o + 2] << 16) | (b[o + 3] << 8) | b[o + 4] }; o += 5; }`
              : `if (false) {}`,
          `else { ${v} = N(b, o, end); if (${v} === undefined) return; o = P.at; }`,
        );
        return id;
      case BINARY_EXT: {
        const n = ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0;
        p += 5 + n;
        lines.push(
          `if (end - o < 5 || b[o] !== ${BINARY_EXT}) return;`,
          `n = ((b[o + 1] << 24) | (b[o + 2] << 16) | (b[o + 3] << 8) | b[o + 4]) >>> 0; o += 5;`,
          `if (n > end - o || n > ${DEFAULT_DECODE_LIMITS.maxBinaryBytes}) return;`,
          `const ${v} = V(b, o, n); o += n;`,
        );
        return id;
      }
      case ATOM_EXT:
      case SMALL_ATOM_EXT:
      case ATOM_UTF8_EXT:
      case SMALL_ATOM_UTF8_EXT: {
        // The exact bytes of this atom (another atom in this place is another shape). Its term is
        // the one the general decoder returns for them.
        const lengthBytes = tag === ATOM_EXT || tag === ATOM_UTF8_EXT ? 2 : 1;
        const n = lengthBytes === 2 ? (b[p + 1]! << 8) | b[p + 2]! : b[p + 1]!;
        const size = 1 + lengthBytes + n;
        let term: Term;
        try {
          term = new Decoder(new ByteReaderClass(b, p, p + size), DEFAULT_DECODE_LIMITS).term(0);
        } catch {
          return undefined;
        }
        if (term.kind !== 'atom') return undefined;
        const checks: string[] = [];
        for (let i = 0; i < size; i++) checks.push(`b[o + ${i}] !== ${b[p + i]!}`);
        lines.push(`if (end - o < ${size} || ${checks.join(' || ')}) return;`, `const ${v} = A[${atoms.length}]; o += ${size};`);
        atoms.push(term);
        p += size;
        return id;
      }
      case NIL_EXT:
        p += 1;
        lines.push(`if (end - o < 1 || b[o] !== ${NIL_EXT}) return;`, `const ${v} = NIL; o += 1;`);
        return id;
      case NEW_FLOAT_EXT:
        p += 9;
        lines.push(
          `if (end - o < 9 || b[o] !== ${NEW_FLOAT_EXT}) return;`,
          `x = F(b, o + 1); if (!Number.isFinite(x)) return;`,
          `const ${v} = { kind: 'float', value: x }; o += 9;`,
        );
        return id;
      case SMALL_TUPLE_EXT: {
        const arity = b[p + 1]!;
        p += 2;
        const ok = split(id, v, depth, () => {
          lines.push(`if (end - o < 2 || b[o] !== ${SMALL_TUPLE_EXT} || b[o + 1] !== ${arity}) return; o += 2;`);
          const ids: string[] = [];
          for (let i = 0; i < arity; i++) {
            const e = emit(depth + 1);
            if (e === undefined) return false;
            ids.push('v' + e);
          }
          lines.push(`const ${v} = { kind: 'tuple', elements: [${ids.join(', ')}] };`);
          return true;
        });
        return ok ? id : undefined;
      }
      case LIST_EXT: {
        // A list of a fixed length whose tail is `[]` or a term that is no list (`[Ns|Tag]`).
        const n = ((b[p + 1]! << 24) | (b[p + 2]! << 16) | (b[p + 3]! << 8) | b[p + 4]!) >>> 0;
        if (n === 0 || n > MAX_SHAPE_NODES) return undefined;
        p += 5;
        const ok = split(id, v, depth, () => {
          lines.push(
            `if (end - o < 5 || b[o] !== ${LIST_EXT} || b[o + 1] !== ${n >>> 24} || b[o + 2] !== ${(n >>> 16) & 0xff} || b[o + 3] !== ${(n >>> 8) & 0xff} || b[o + 4] !== ${n & 0xff}) return; o += 5;`,
          );
          const ids: string[] = [];
          for (let i = 0; i < n; i++) {
            const e = emit(depth + 1);
            if (e === undefined) return false;
            ids.push('v' + e);
          }
          const tailTag = b[p];
          if (tailTag === LIST_EXT || tailTag === STRING_EXT) return false; // merged into the list by the general decoder
          const tail = emit(depth + 1);
          if (tail === undefined) return false;
          lines.push(`const ${v} = { kind: 'list', elements: [${ids.join(', ')}], tail: v${tail} };`);
          return true;
        });
        return ok ? id : undefined;
      }
      default:
        return undefined;
    }
  };
  const root = emit(0);
  if (root === undefined || p !== end) return undefined;
  lines.push(`D(o);`, `return v${root};`);
  const env: ShapeEnv = { ints: SMALL_INTS, nil: EMPTY_LIST, atoms, view: makeBinaryView, integer: shapedInteger, f64: readF64, done: setShapedEnd, pos: shapeEnv };
  // The generated text holds only numbers and the fixed code above: no byte of the input becomes code.
  let factory: (env: ShapeEnv) => ShapedDecoder;
  try {
    factory = new Function(
      'E',
      `'use strict'; const I = E.ints, NIL = E.nil, A = E.atoms, V = E.view, N = E.integer, F = E.f64, D = E.done;\n` +
        `const P = E.pos;\n${functions.join('\n')}\nreturn function shapedDecode(b, o, end) { let n, x;\n${lines.join('\n')}\n};`,
    ) as (env: ShapeEnv) => ShapedDecoder;
  } catch {
    // Code generation is disabled (node --disallow-code-generation-from-strings): the general
    // path stays, and nothing is generated again. Never an error of the caller's.
    shapeCache.disable();
    return undefined;
  }
  return factory(env);
}
