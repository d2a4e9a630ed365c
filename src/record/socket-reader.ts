/**
 * Reads exact byte counts from a socket during the unframed handshake (PROTOCOL.md §2–§4), then
 * hands over what it buffered beyond them so the proxy can switch to forwarding chunks.
 */
import type { Socket } from 'node:net';

/**
 * A pull reader on a socket's `data` events.
 * @example
 *   const r = new SocketReader(socket);
 *   const header = await r.read(9); // undefined when the peer closed first
 */
export class SocketReader {
  readonly #socket: Socket;
  #chunks: Buffer[] = [];
  #length = 0;
  #ended = false;
  #wake: (() => void) | undefined;
  readonly #onData = (chunk: Buffer): void => {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    this.#wake?.();
  };
  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#wake?.();
  };

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
  }

  /** The next `n` bytes, or undefined when the socket ended before they all came. */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.#length < n) {
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
    const all = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#length);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.#chunks = rest.length === 0 ? [] : [rest];
    this.#length = rest.length;
    return out;
  }

  /** Stops reading; returns the bytes received beyond the last `read`. */
  detach(): Buffer {
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
    const rest = Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [];
    this.#length = 0;
    return rest;
  }
}
