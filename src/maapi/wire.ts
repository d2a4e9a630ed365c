/**
 * MAAPI framing after the version reply (MAAPI.md §M1.2, §M1.3): `Length:32` + payload, requests
 * `Op:32 [TH:32] [Term]`, replies `Op:32 [Term]`, errors `(Op|0x80000000):32, Ecode:32, Reason`,
 * stream items a bare term.
 */
import { atom, binary, decodeTerm, encodeTerm, tuple, type DecodeLimits, type Term } from '../codec/index.js';
import { ERROR_FLAG, MAAPI_OPS } from './op-codes.js';

/** One request as read from the socket. */
export interface MaapiRequest {
  readonly op: number;
  /** The transaction handle (signed 32-bit), for ops that carry one (§M1.2). */
  readonly th: number | undefined;
  /** The request term, when the payload has one. */
  readonly term: Term | undefined;
  /** Raw 32-bit words after `Op, TH` (MAAPI_DIFF_ITER, §M4.1). */
  readonly words: readonly number[];
  /** The payload, for the journal. */
  readonly payload: Uint8Array;
}

const TERM_VERSION = 131;

/**
 * Reads a request payload. Whether `TH` follows the op comes from the op table (§M7); for an op
 * outside it the payload is peeked: byte 4 is 131 when a term follows the op directly (§M1.2).
 * @throws whatever `decodeTerm` throws (`NSOMOCK_CODEC_*`) for a bad term.
 */
export function parseRequest(payload: Uint8Array, limits: DecodeLimits): MaapiRequest {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const op = view.getUint32(0);
  const spec = MAAPI_OPS.get(op);
  const hasTh = spec !== undefined ? spec.th : payload.length >= 8 && payload[4] !== TERM_VERSION;
  let offset = 4;
  let th: number | undefined;
  if (hasTh && payload.length >= 8) {
    th = view.getInt32(4);
    offset = 8;
  }
  const words: number[] = [];
  let term: Term | undefined;
  if (offset < payload.length) {
    if (payload[offset] === TERM_VERSION) {
      term = decodeTerm(payload.subarray(offset), limits);
    } else {
      for (; offset + 4 <= payload.length; offset += 4) words.push(view.getUint32(offset));
    }
  }
  return { op, th, term, words, payload };
}

/** `Op:32` alone, or `Op:32` + term, framed (§M1.2). */
export function okReply(op: number, term: Term | undefined, atomEncoding: 'latin1' | 'utf8'): Uint8Array {
  const body = term === undefined ? undefined : encodeTerm(term, { atomEncoding });
  const out = new Uint8Array(8 + (body?.length ?? 0));
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length - 4);
  view.setUint32(4, op >>> 0);
  if (body !== undefined) out.set(body, 8);
  return out;
}

/**
 * The error reply (§M1.3): `(Op|0x80000000):32, Ecode:32` + the reason, a binary ending in NUL
 * (econfd and Java strip the last byte unconditionally), or `{Binary, AppTag}` when an app tag is given.
 */
export function errorReply(op: number, code: number, reason: string, atomEncoding: 'latin1' | 'utf8', appTag?: string): Uint8Array {
  const text = binary(`${reason}\0`);
  const body = encodeTerm(appTag === undefined ? text : tuple(text, atom(appTag)), { atomEncoding });
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length - 4);
  view.setUint32(4, (op | ERROR_FLAG) >>> 0);
  view.setUint32(8, code >>> 0);
  out.set(body, 12);
  return out;
}

/** A stream item: a bare term, no op (§M4.2, §M6.1). */
export function itemFrame(term: Term, atomEncoding: 'latin1' | 'utf8'): Uint8Array {
  const body = encodeTerm(term, { atomEncoding });
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

/**
 * Incremental `Length:32` framing of the client's bytes; checks each length against `maxFrameBytes`
 * before buffering the payload (STYLE.md §3).
 */
export class MaapiFrameReader {
  readonly #maxFrameBytes: number;
  #buffer = new Uint8Array(0);

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Uint8Array): void {
    if (this.#buffer.length === 0) {
      this.#buffer = chunk.slice();
      return;
    }
    const next = new Uint8Array(this.#buffer.length + chunk.length);
    next.set(this.#buffer);
    next.set(chunk, this.#buffer.length);
    this.#buffer = next;
  }

  /** The next payload, undefined until it is complete; throws a RangeError for a zero or oversize length. */
  next(): Uint8Array | undefined {
    const buf = this.#buffer;
    if (buf.length < 4) return undefined;
    const length = new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0);
    if (length === 0 || length > this.#maxFrameBytes) {
      throw new RangeError(`frame length ${length} outside 1..${this.#maxFrameBytes}`);
    }
    if (buf.length < 4 + length) return undefined;
    const payload = buf.subarray(4, 4 + length);
    this.#buffer = buf.subarray(4 + length);
    return payload;
  }
}
