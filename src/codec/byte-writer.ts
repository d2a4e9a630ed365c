/**
 * A growable output buffer for the encoders (STYLE.md §6 "Codec performance": one growable writer
 * per encode; reserve() then patch() for length prefixes, so a frame is written in one pass).
 *
 * The output is `buffer[start, length)`. A writer can be pointed into a larger shared slab with
 * {@link ByteWriter.adopt} (the encoders do this so that small results need no allocation of their
 * own, see encode.ts); when it outgrows the slab it moves its output into a fresh buffer of its own.
 * Offsets returned by {@link ByteWriter.reserve} are relative to the output start, so they survive such a move.
 *
 * Multi-byte integers are written byte by byte (faster than a DataView for 2- and 4-byte fields in
 * V8, and it keeps big-endian order explicit, PROTOCOL.md §1.3); doubles go through one shared
 * Float64Array, which avoids a DataView per buffer.
 */
export class ByteWriter {
  /** The backing store. Replaced when the writer grows. */
  buffer: Uint8Array;
  /** Absolute write cursor in `buffer`. */
  length = 0;
  /** Absolute offset of the first output byte in `buffer`. */
  start = 0;

  /**
   * @param initialCapacity first allocation in bytes (grows by doubling)
   * @example
   *   const w = new ByteWriter(64); w.u8(131); w.u32(7); const bytes = w.finish();
   */
  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Number of output bytes written so far. */
  get size(): number {
    return this.length - this.start;
  }

  /** Points the writer at `buffer`, writing from `offset` on (the previous content is forgotten). */
  adopt(buffer: Uint8Array, offset: number): void {
    this.buffer = buffer;
    this.start = offset;
    this.length = offset;
  }

  /** Makes room for `n` more bytes. Callers that write through `buffer` directly call this first. */
  ensure(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const size = this.length - this.start;
    let capacity = Math.max(64, size * 2);
    while (capacity < size + n) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(this.start, this.length));
    this.buffer = next;
    this.start = 0;
    this.length = size;
  }

  /** Writes one byte. */
  u8(value: number): void {
    if (this.length >= this.buffer.length) this.ensure(1);
    this.buffer[this.length++] = value;
  }

  /** Writes two bytes, big-endian. */
  u16(value: number): void {
    this.ensure(2);
    const b = this.buffer;
    let o = this.length;
    b[o++] = value >>> 8;
    b[o++] = value;
    this.length = o;
  }

  /** Writes four bytes, big-endian (signed or unsigned: only the low 32 bits are used). */
  u32(value: number): void {
    this.ensure(4);
    const b = this.buffer;
    let o = this.length;
    b[o++] = value >>> 24;
    b[o++] = value >>> 16;
    b[o++] = value >>> 8;
    b[o++] = value;
    this.length = o;
  }

  /** Writes an IEEE 754 double, big-endian (NEW_FLOAT_EXT, PROTOCOL.md §6.1). */
  f64(value: number): void {
    this.ensure(8);
    F64[0] = value;
    const b = this.buffer;
    let o = this.length;
    if (LITTLE_ENDIAN) for (let i = 7; i >= 0; i--) b[o++] = F64_BYTES[i]!;
    else for (let i = 0; i < 8; i++) b[o++] = F64_BYTES[i]!;
    this.length = o;
  }

  /** Copies `bytes` in. */
  bytes(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    // For short runs a loop beats TypedArray#set, whose call overhead dominates below ~16 bytes.
    if (n < 16) {
      const b = this.buffer;
      let o = this.length;
      for (let i = 0; i < n; i++) b[o++] = bytes[i]!;
    } else {
      this.buffer.set(bytes, this.length);
    }
    this.length += n;
  }

  /**
   * Reserves `n` bytes to be filled in later with {@link ByteWriter.patchU32} / {@link ByteWriter.patchU8}
   * (a length prefix whose value is known only after the body is written). Returns the offset of the
   * reserved bytes, relative to the output start.
   */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.length - this.start;
    this.length += n;
    return at;
  }

  /** Overwrites one byte at `offset` (from {@link ByteWriter.reserve}). */
  patchU8(offset: number, value: number): void {
    this.buffer[this.start + offset] = value;
  }

  /** Overwrites four bytes at `offset` (from {@link ByteWriter.reserve}) with `value`, big-endian. */
  patchU32(offset: number, value: number): void {
    const b = this.buffer;
    const o = this.start + offset;
    b[o] = value >>> 24;
    b[o + 1] = value >>> 16;
    b[o + 2] = value >>> 8;
    b[o + 3] = value;
  }

  /** The output as a view on the backing store (no copy; invalid after the next write or reset). */
  finish(): Uint8Array {
    // Built from the ArrayBuffer directly: about half the cost of `subarray()`.
    const b = this.buffer;
    return new Uint8Array(b.buffer, b.byteOffset + this.start, this.length - this.start);
  }

  /** The output as a fresh, exactly-sized copy. */
  copy(): Uint8Array {
    return this.buffer.slice(this.start, this.length);
  }

  /** Forgets the content, keeping the allocation for reuse. */
  reset(): void {
    this.start = 0;
    this.length = 0;
  }
}

const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
