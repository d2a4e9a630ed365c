import { CodecError, type NsoMockErrorCode } from './errors.js';
import { tagName } from './tags.js';

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * A read cursor over one input buffer. It is the ONLY place in the codec that checks bounds
 * (STYLE.md §7 rule 2), so every other module reads through it and never indexes the input itself.
 *
 * Reads return numbers or views (`subarray`) on the input: nothing is copied.
 */
export class ByteReader {
  /** The whole input; offsets in errors are relative to its start. Replaced by {@link ByteReader.reset}. */
  bytes: Uint8Array;
  /** The read cursor. */
  offset: number;
  /** One past the last readable byte. Replaced by {@link ByteReader.reset}. */
  end: number;
  /** The tag being decoded, reported in error details (set by the decoder). */
  tag: number | undefined = undefined;
  /**
   * `bytes.buffer`, fetched on the first view (see {@link ByteReader.bytesView}); `undefined` until then.
   * Fetched lazily because reading `.buffer` of a small on-heap typed array moves its bytes off-heap.
   */
  private arrayBuffer: ArrayBufferLike | undefined = undefined;
  /** `bytes.byteOffset`, fetched with {@link ByteReader.arrayBuffer}. */
  private base = 0;

  /**
   * @example
   *   const r = new ByteReader(bytes); const version = r.u8();
   */
  constructor(bytes: Uint8Array, offset = 0, end: number = bytes.length) {
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
  }

  /**
   * Points the reader at a new input (the decoder reuses one reader for every call instead of
   * allocating one per term). Pass an empty array to drop the reference to the last input.
   * @example
   *   r.reset(payload, 0, payload.length);
   */
  reset(bytes: Uint8Array, offset: number, end: number): void {
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
    this.tag = undefined;
    this.arrayBuffer = undefined;
  }

  /** Bytes left between the cursor and the end. */
  remaining(): number {
    return this.end - this.offset;
  }

  /** Throws `NSOMOCK_CODEC_TRUNCATED` unless `n` more bytes are available. */
  need(n: number): void {
    if (n > this.end - this.offset) this.truncated();
  }

  /** Reads one byte. @throws CodecError NSOMOCK_CODEC_TRUNCATED */
  u8(): number {
    if (this.offset >= this.end) this.truncated();
    return this.bytes[this.offset++]!;
  }

  /** The next byte without moving the cursor, or -1 at the end. */
  peek(): number {
    return this.offset < this.end ? this.bytes[this.offset]! : -1;
  }

  /** Reads a big-endian unsigned 16-bit integer. @throws CodecError NSOMOCK_CODEC_TRUNCATED */
  u16(): number {
    let o = this.offset;
    if (o + 2 > this.end) this.truncated();
    const b = this.bytes;
    const v = (b[o++]! << 8) | b[o++]!;
    this.offset = o;
    return v;
  }

  /** Reads a big-endian unsigned 32-bit integer. @throws CodecError NSOMOCK_CODEC_TRUNCATED */
  u32(): number {
    return this.i32() >>> 0;
  }

  /** Reads a big-endian signed 32-bit integer. @throws CodecError NSOMOCK_CODEC_TRUNCATED */
  i32(): number {
    let o = this.offset;
    if (o + 4 > this.end) this.truncated();
    const b = this.bytes;
    const v = (b[o++]! << 24) | (b[o++]! << 16) | (b[o++]! << 8) | b[o++]!;
    this.offset = o;
    return v;
  }

  /** Reads a big-endian IEEE 754 double. @throws CodecError NSOMOCK_CODEC_TRUNCATED */
  f64(): number {
    let o = this.offset;
    if (o + 8 > this.end) this.truncated();
    // Through one shared Float64Array rather than a DataView per input buffer (cheaper per decode).
    const b = this.bytes;
    if (LITTLE_ENDIAN) for (let i = 7; i >= 0; i--) F64_BYTES[i] = b[o++]!;
    else for (let i = 0; i < 8; i++) F64_BYTES[i] = b[o++]!;
    this.offset = o;
    return F64[0]!;
  }

  /**
   * Returns the next `n` bytes as a plain `Uint8Array` view on the input (no copy, even when the
   * input is a Buffer). @throws CodecError NSOMOCK_CODEC_TRUNCATED
   */
  bytesView(n: number): Uint8Array {
    const o = this.offset;
    if (n > this.end - o) this.truncated();
    this.offset = o + n;
    // `new Uint8Array(buffer, offset, n)` costs about half of `subarray()`, which looks up the
    // species constructor and re-validates its arguments on every call (a large share of decoding
    // binary-heavy notifications).
    let ab = this.arrayBuffer;
    if (ab === undefined) {
      ab = this.arrayBuffer = this.bytes.buffer;
      this.base = this.bytes.byteOffset;
    }
    return new Uint8Array(ab, this.base + o, n);
  }

  /**
   * A 32-bit FNV-1a style hash of the next `n` bytes, mixed into `seed`, after a successful
   * {@link ByteReader.need}(n) (the decoder's atom cache keys on it, so a cached atom costs no string).
   */
  hash(n: number, seed: number): number {
    const b = this.bytes;
    const o = this.offset;
    let h = seed;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ b[o + i]!, 0x01000193);
    return h >>> 0;
  }

  /** Whether the next `expected.length` bytes equal `expected`, after a successful {@link ByteReader.need}. */
  matches(expected: Uint8Array): boolean {
    const b = this.bytes;
    const o = this.offset;
    const n = expected.length;
    for (let i = 0; i < n; i++) if (b[o + i] !== expected[i]) return false;
    return true;
  }

  /** The byte at `offset + i` for `i < n` after a successful {@link ByteReader.need}(n) (unchecked by design: the caller proved the bound). */
  at(i: number): number {
    return this.bytes[this.offset + i]!;
  }

  /** Moves the cursor forward by `n` bytes. @throws CodecError NSOMOCK_CODEC_TRUNCATED */
  skip(n: number): void {
    if (n > this.end - this.offset) this.truncated();
    this.offset += n;
  }

  /** Throws `NSOMOCK_CODEC_TRUNCATED` at the cursor. */
  truncated(): never {
    const where = this.tag === undefined ? '' : ` inside ${tagName(this.tag) ?? `tag ${this.tag}`}`;
    return this.fail('NSOMOCK_CODEC_TRUNCATED', `input ended${where}`, this.end);
  }

  /**
   * Throws a CodecError with the current tag; the message reads
   * `Failed to decode term: <reason> at byte <offset>` (STYLE.md §3).
   */
  fail(code: NsoMockErrorCode, reason: string, offset: number = this.offset): never {
    throw new CodecError(code, `Failed to decode term: ${reason} at byte ${offset}`, {
      details: this.tag === undefined ? { offset } : { offset, tag: this.tag },
    });
  }
}

/**
 * Reads a big-endian unsigned 32-bit integer at `offset` without a cursor, for callers that have
 * already checked that four bytes are there (the frame decoder's length prefix); past the end the
 * missing bytes read as 0, so check first.
 */
export function readU32BE(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}
