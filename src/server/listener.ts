/**
 * TCP and Unix-domain listeners (PROTOCOL.md §1.1: the byte protocol is the same over both).
 * A stale Unix socket file (left by a crashed server) is removed; a live one or a non-socket file
 * at the path is an error, never deleted.
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { NsoMockError } from '../codec/index.js';

/** A bound listener. */
export interface Listener {
  readonly kind: 'tcp' | 'unix';
  /** `host:port` for TCP, the path for Unix. */
  readonly address: string;
  readonly server: Server;
  /** Stops accepting (existing connections are the caller's); removes the Unix socket file. */
  close(): Promise<void>;
}

/** Details of `NSOMOCK_SERVER_LISTEN_FAILED`. */
export interface ListenErrorDetails {
  readonly address: string;
  readonly errno?: string;
}

function listenError(address: string, reason: string, cause?: unknown, errno?: string): NsoMockError<ListenErrorDetails> {
  return new NsoMockError('NSOMOCK_SERVER_LISTEN_FAILED', `Failed to listen: ${reason} (${address})`, {
    details: errno === undefined ? { address } : { address, errno },
    cause,
  });
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function bind(server: Server, address: string, listen: (done: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: unknown): void => reject(listenError(address, error instanceof Error ? error.message : String(error), error, errnoOf(error)));
    server.once('error', onError);
    listen(() => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

/**
 * Listens on TCP (`port` 0 = a random free port).
 * @throws NsoMockError `NSOMOCK_SERVER_LISTEN_FAILED` (port in use, bad host).
 */
export async function listenTcp(host: string, port: number, onSocket: (socket: Socket) => void): Promise<Listener & { readonly port: number; readonly host: string }> {
  const server = createServer({ noDelay: true }, onSocket);
  await bind(server, `${host}:${port}`, (done) => server.listen({ host, port, exclusive: true }, done));
  const addr = server.address();
  const boundPort = typeof addr === 'object' && addr !== null ? addr.port : port;
  const boundHost = typeof addr === 'object' && addr !== null ? addr.address : host;
  return {
    kind: 'tcp',
    address: `${boundHost}:${boundPort}`,
    host: boundHost,
    port: boundPort,
    server,
    close: () => closeServer(server),
  };
}

/** Default permissions of the Unix socket: owner only (anyone who can connect can subscribe; there is no other check unless an access secret is set). */
export const DEFAULT_UNIX_MODE = 0o600;

/**
 * Listens on a Unix-domain socket path, removing a stale socket file first. The socket file gets
 * `mode` (default 0600, owner only) whatever the umask: it is created under a umask that leaves
 * only the owner's bits (where the process may set one: not in worker threads), then set to
 * `mode` exactly before the listener is returned.
 * @throws NsoMockError `NSOMOCK_SERVER_LISTEN_FAILED` (path in use by a live server, not a socket,
 *   not writable, the mode cannot be set).
 */
export async function listenUnix(path: string, onSocket: (socket: Socket) => void, mode: number = DEFAULT_UNIX_MODE): Promise<Listener & { readonly path: string }> {
  await removeStaleSocket(path);
  const server = createServer(onSocket);
  await bind(server, path, (done) => {
    // bind(2) happens inside listen(), synchronously: a umask of 077 for that call means the
    // socket never exists with wider permissions (no window in which another user could connect).
    let previous: number | undefined;
    try {
      previous = process.umask(0o077);
    } catch {
      previous = undefined; // worker threads cannot change the umask: the chmod below still applies
    }
    try {
      server.listen({ path, exclusive: true }, done);
    } finally {
      if (previous !== undefined) process.umask(previous);
    }
  });
  try {
    await chmod(path, mode);
  } catch (error) {
    await closeServer(server);
    throw listenError(path, `cannot set the socket's mode to ${mode.toString(8)}`, error, errnoOf(error));
  }
  return {
    kind: 'unix',
    address: path,
    path,
    server,
    close: async () => {
      await closeServer(server);
      // Node unlinks the path on close on most platforms; make sure nothing is left behind.
      await unlink(path).catch(() => undefined);
    },
  };
}

/**
 * Deletes `path` when it is a socket nobody listens on (a crashed server's leftover).
 * @throws NsoMockError `NSOMOCK_SERVER_LISTEN_FAILED` when a server answers there or the path is no socket.
 */
export async function removeStaleSocket(path: string): Promise<boolean> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw listenError(path, 'cannot inspect the socket path', error, errnoOf(error));
  }
  if (!isSocket) throw listenError(path, 'the path exists and is not a socket; refusing to delete it');
  const live = await new Promise<boolean>((resolve) => {
    const probe = createConnection({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw listenError(path, 'another server is listening on this socket', undefined, 'EADDRINUSE');
  await unlink(path).catch((error: unknown) => {
    if (errnoOf(error) !== 'ENOENT') throw listenError(path, 'cannot remove the stale socket file', error, errnoOf(error));
  });
  return true;
}

/** Where a server listens: TCP unless `tcp` is false (127.0.0.1:4569 when neither is given), and a Unix path if given. */
export interface ListenSpec {
  readonly tcp?: { readonly host?: string; readonly port?: number } | false;
  readonly unix?: string;
  readonly unixMode?: number;
}

/** The listeners a server started and where they are bound. */
export interface Listening {
  readonly listeners: readonly Listener[];
  readonly addresses: { readonly tcp?: { readonly host: string; readonly port: number }; readonly unix?: string };
}

/**
 * Starts the listeners of a `ListenSpec`; `onSocket` gets each accepted socket and its transport.
 * If one fails, those already started are closed before the error is thrown.
 * @throws NsoMockError `NSOMOCK_SERVER_LISTEN_FAILED`
 */
export async function startListeners(spec: ListenSpec, onSocket: (socket: Socket, transport: 'tcp' | 'unix') => void): Promise<Listening> {
  const { tcp, unix } = spec;
  const wantTcp = tcp !== false && (tcp !== undefined || unix === undefined);
  const listeners: Listener[] = [];
  let addresses: Listening['addresses'] = {};
  try {
    if (wantTcp) {
      const l = await listenTcp(tcp === undefined ? '127.0.0.1' : (tcp.host ?? '127.0.0.1'), tcp === undefined ? 4569 : (tcp.port ?? 4569), (s) => onSocket(s, 'tcp'));
      listeners.push(l);
      addresses = { ...addresses, tcp: { host: l.host, port: l.port } };
    }
    if (unix !== undefined) {
      const l = await listenUnix(unix, (s) => onSocket(s, 'unix'), spec.unixMode ?? DEFAULT_UNIX_MODE);
      listeners.push(l);
      addresses = { ...addresses, unix: l.path };
    }
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close()));
    throw error;
  }
  return { listeners, addresses };
}
