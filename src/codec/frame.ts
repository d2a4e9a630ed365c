import { readU32BE } from './byte-reader.js';
import { type EncodeOptions, encodeToSlab } from './encode.js';
import { CodecError } from './errors.js';
import type { Term } from './term.js';

/** Size of the big-endian length prefix of every frame (PROTOCOL.md §5). */
const HEADER_BYTES = 4;
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Smallest buffer the decoder allocates when it has to copy (a slab for many small frames). */
const SLAB_BYTES = 64 * 1024;

/**
 * Encodes a term as one frame: the 4-byte big-endian payload length, then the term with its
 * version byte (PROTOCOL.md §5). The length is reserved and patched, so the frame is written in
 * one pass with no copy (a view on the encoder's slab, see `encodeTerm`).
 *
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` (see `encodeTerm`).
 * @example
 *   encodeFrame(atom('ok')) // => 00 00 00 06 83 64 00 02 6f 6b
 */
export function encodeFrame(term: Term, options?: EncodeOptions): Uint8Array {
  return encodeToSlab(term, options, true);
}

/**
 * Prefixes an already encoded payload with its 4-byte big-endian length (PROTOCOL.md §5), for
 * pre-encoded or deliberately malformed payloads.
 * @example
 *   frameBytes(Uint8Array.of(131, 97, 1)) // => 00 00 00 03 83 61 01
 */
export function frameBytes(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  const n = payload.length;
  out[0] = n >>> 24;
  out[1] = n >>> 16;
  out[2] = n >>> 8;
  out[3] = n;
  out.set(payload, HEADER_BYTES);
  return out;
}

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Largest accepted payload; a larger length prefix is refused as soon as it is read (default 16 MiB). */
  readonly maxFrameBytes?: number;
}

/**
 * Incremental splitter of a byte stream into frames (PROTOCOL.md §5), plus raw reads for the
 * unframed handshake bytes (§2–§4). Push chunks as they arrive, then pull with
 * {@link FrameDecoder.readRaw} / {@link FrameDecoder.readFrame} until they return `undefined`.
 *
 * Memory (STYLE.md §6): one buffer with a read cursor, never a concat per chunk.
 * - When nothing is buffered, a pushed chunk is adopted as the buffer without copying; frames that
 *   lie inside it are returned as views on it (the common case: a socket chunk holds whole frames).
 * - Otherwise bytes are appended into an owned slab. When the slab is full, the unread bytes move to
 *   a fresh slab (compaction only when needed). Bytes already handed out are never overwritten, so
 *   returned payloads stay valid (and decoded binaries that view them too); an old slab is freed
 *   when its last view is collected.
 * - The length prefix is checked before the payload is buffered: a length above `maxFrameBytes`
 *   or of zero throws at once, and the decoder then drops everything it is given.
 *
 * Chunks are taken over, not copied: do not modify a chunk after pushing it.
 *
 * @example
 *   const d = new FrameDecoder({ maxFrameBytes: 1 << 20 });
 *   socket.on('data', (chunk) => { d.push(chunk); for (let f; (f = d.readFrame()); ) handle(decodeTerm(f)); });
 */
export class FrameDecoder {
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** Whether `buf` is our own slab (appendable) rather than an adopted chunk. */
  private owned = false;
  /** Stream offset of `buf[0]`, for error details. */
  private base = 0;
  private failure: CodecError | undefined = undefined;
  /**
   * Largest accepted payload. It may change between reads: the server holds a connection to a
   * small limit until it has subscribed, then raises it (a length prefix is checked when it is read).
   */
  maxFrameBytes: number;

  constructor(options?: FrameDecoderOptions) {
    this.maxFrameBytes = options?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** Adds received bytes. After a refused frame the decoder is failed and discards input. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0 || this.failure !== undefined) return;
    if (this.start === this.end) {
      // Nothing pending: adopt the chunk (zero copy).
      this.base += this.end;
      this.buf = chunk;
      this.start = 0;
      this.end = n;
      this.owned = false;
      return;
    }
    if (!this.owned || this.end + n > this.buf.length) {
      const pending = this.end - this.start;
      // Doubling keeps the copying of a large frame that arrives in pieces linear overall, without
      // trusting its length prefix for a big up-front allocation.
      const capacity = Math.max(SLAB_BYTES, 2 * (pending + n));
      const next = new Uint8Array(capacity);
      next.set(this.buf.subarray(this.start, this.end));
      this.base += this.start;
      this.buf = next;
      this.start = 0;
      this.end = pending;
      this.owned = true;
    }
    this.buf.set(chunk, this.end);
    this.end += n;
  }

  /**
   * The next `n` unframed bytes (connect header, access-check response), or `undefined` until
   * `n` bytes have arrived. The result is a view; it stays valid.
   */
  readRaw(n: number): Uint8Array | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (this.end - this.start < n) return undefined;
    const out = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    return out;
  }

  /**
   * The next frame's payload (without its length prefix), or `undefined` until it is complete.
   * The result is a view that stays valid.
   *
   * @throws CodecError `NSOMOCK_CODEC_FRAME_TOO_LARGE` as soon as a length prefix larger than
   *   `maxFrameBytes`, or zero, is seen (before its payload is buffered); every later call throws it again.
   */
  readFrame(): Uint8Array | undefined {
    if (this.failure !== undefined) throw this.failure;
    const avail = this.end - this.start;
    if (avail < HEADER_BYTES) return undefined;
    const b = this.buf;
    const s = this.start;
    const len = readU32BE(b, s);
    if (len === 0 || len > this.maxFrameBytes) {
      const offset = this.base + s;
      this.failure = new CodecError(
        'NSOMOCK_CODEC_FRAME_TOO_LARGE',
        len === 0
          ? `Failed to read frame: zero length prefix (at stream byte ${offset})`
          : `Failed to read frame: length ${len} exceeds maxFrameBytes ${this.maxFrameBytes} (at stream byte ${offset})`,
        { details: { offset } },
      );
      // Drop what we hold; nothing after a bad prefix can be framed reliably.
      this.buf = new Uint8Array(0);
      this.start = this.end = 0;
      this.owned = false;
      throw this.failure;
    }
    if (avail < HEADER_BYTES + len) return undefined;
    this.start = s + HEADER_BYTES + len;
    return b.subarray(s + HEADER_BYTES, s + HEADER_BYTES + len);
  }
}
