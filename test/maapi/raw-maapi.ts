/**
 * A raw MAAPI socket for the tests: writes exact bytes, reads the 9-byte version reply and whole
 * `Length:32` frames (MAAPI.md §M1.2), so replies can be compared byte for byte.
 */
import { createConnection, type Socket } from 'node:net';

export interface RawMaapi {
  write(bytes: Uint8Array): void;
  /** The next `n` raw bytes (the version reply). */
  readRaw(n: number): Promise<Uint8Array>;
  /** The next whole frame, length prefix included. */
  readFrame(): Promise<Uint8Array>;
  /** Resolves when the server closed the socket. */
  readonly closed: Promise<void>;
  /** Bytes received and not read yet. */
  unread(): number;
  close(): void;
}

export function rawMaapi(address: { host: string; port: number } | { path: string }): Promise<RawMaapi> {
  return new Promise((resolve, reject) => {
    const socket: Socket = 'path' in address ? createConnection({ path: address.path }) : createConnection({ host: address.host, port: address.port });
    let buffer = Buffer.alloc(0);
    let waiters: (() => void)[] = [];
    let ended = false;
    const wake = (): void => {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      wake();
    });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) =>
      socket.once('close', () => {
        ended = true;
        wake();
        r();
      }),
    );
    const take = async (n: () => number | undefined): Promise<Uint8Array> => {
      for (;;) {
        const want = n();
        if (want !== undefined && buffer.length >= want) {
          const out = new Uint8Array(buffer.subarray(0, want));
          buffer = buffer.subarray(want);
          return out;
        }
        if (ended) throw new Error(`socket closed with ${buffer.length} unread byte(s), wanted ${want ?? 'a frame'}`);
        await new Promise<void>((r) => waiters.push(r));
      }
    };
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({
        write: (bytes) => void socket.write(bytes),
        readRaw: (n) => take(() => n),
        readFrame: () => take(() => (buffer.length < 4 ? undefined : 4 + buffer.readUInt32BE(0))),
        closed,
        unread: () => buffer.length,
        close: () => socket.destroy(),
      });
    });
  });
}
