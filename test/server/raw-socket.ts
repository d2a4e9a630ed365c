/**
 * A raw socket for hostile-client tests: it writes whatever it is told and records every byte the
 * server sends, so tests can check "closed without a reply" and exact reply bytes.
 */
import { createConnection, type Socket } from 'node:net';
import { encodeConnectHeader, encodeTerm, frameBytes, type Term } from '../../src/codec/index.js';

export interface RawClient {
  readonly socket: Socket;
  /** Every byte received so far. */
  received(): Uint8Array;
  /** Resolves when the server closed (or reset) the connection. */
  readonly closed: Promise<void>;
  write(bytes: Uint8Array): Promise<void>;
  /** Waits until at least `n` bytes have arrived (or the socket closed). */
  waitBytes(n: number): Promise<Uint8Array>;
  destroy(): void;
}

export function rawConnect(address: { host: string; port: number } | { path: string }, allowHalfOpen = false): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = 'path' in address ? createConnection({ path: address.path, allowHalfOpen }) : createConnection({ host: address.host, port: address.port, allowHalfOpen });
    const chunks: Buffer[] = [];
    let waiters: (() => void)[] = [];
    let isClosed = false;
    const wake = (): void => {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      wake();
    });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) =>
      socket.once('close', () => {
        isClosed = true;
        wake();
        r();
      }),
    );
    const received = (): Uint8Array => new Uint8Array(Buffer.concat(chunks));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({
        socket,
        received,
        closed,
        write: (bytes) => new Promise((r) => socket.write(bytes, () => r())),
        waitBytes: async (n) => {
          while (received().length < n && !isClosed) await new Promise<void>((r) => waiters.push(r));
          return received();
        },
        destroy: () => socket.destroy(),
      });
    });
  });
}

/** The C library's header (§2): `0b 00 4d 07 07 01 00 3c 12`, with optional flag bits / another client type. */
export function cHeader(flags = 0, clientType = 11): Uint8Array {
  return encodeConnectHeader({
    clientType,
    wantChallenge: (flags & 0x80) !== 0,
    wantChallengeV2: (flags & 0x40) !== 0,
    protocolVersion: 77,
    libraryVersion: 0x07070100,
    maxDepth: 60,
    maxKeyLength: 18,
    rawFlags: flags & 0xc0,
  });
}

/** One frame holding `term` (§5). */
export function frameOf(term: Term): Uint8Array {
  return frameBytes(encodeTerm(term));
}
