/**
 * A growable output buffer for the encoders (STYLE.md §6 "Codec performance": one growable writer
 * per encode; reserve() then patch() for length prefixes, so a frame is written in one pass).
 *
 * Bytes are written straight into a `Uint8Array`; multi-byte integers are written byte by byte
 * (faster than a DataView for 2- and 4-byte fields in V8, and it keeps big-endian order explicit,
 * PROTOCOL.md §1.3). Only doubles go through a DataView, which is re-created when the buffer grows.
 */
export class ByteWriter {
  /** The backing store; valid bytes are `[0, length)`. Replaced when the writer grows. */
  buffer: Uint8Array;
  /** Number of bytes written so far (the write cursor). */
  length = 0;
  private view: DataView;

  /**
   * @param initialCapacity first allocation in bytes (grows by doubling)
   * @example
   *   const w = new ByteWriter(64); w.u8(131); w.u32(7); const bytes = w.finish();
   */
  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  /** Makes room for `n` more bytes. Callers of the unchecked `put*` helpers call this first. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < need) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
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
    this.view.setFloat64(this.length, value, false);
    this.length += 8;
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
   * Reserves `n` bytes to be filled in later with {@link ByteWriter.patchU32} (a length prefix whose
   * value is known only after the body is written). Returns the offset of the reserved bytes.
   */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.length;
    this.length += n;
    return at;
  }

  /** Overwrites four bytes at `offset` (from {@link ByteWriter.reserve}) with `value`, big-endian. */
  patchU32(offset: number, value: number): void {
    const b = this.buffer;
    b[offset] = value >>> 24;
    b[offset + 1] = value >>> 16;
    b[offset + 2] = value >>> 8;
    b[offset + 3] = value;
  }

  /** The written bytes as a view on the backing store (no copy; invalid after the next write or reset). */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /** The written bytes as a fresh, exactly-sized copy. */
  copy(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  /** Forgets the content, keeping the allocation for reuse. */
  reset(): void {
    this.length = 0;
  }
}
