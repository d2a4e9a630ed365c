/**
 * The recording proxy: clients connect to it as they would to NSO; for each one it opens the same
 * kind of connection to the upstream, with the client's own header, forwards every byte both ways
 * unchanged, and reports what passed to a {@link Recording}.
 *
 * The handshake (PROTOCOL.md §2–§4) is the only part it takes part in:
 * - access check towards the client (`accessSecret`): it challenges the client itself and refuses
 *   a wrong digest with a non-zero result byte and a close, as NSO does (§3.4);
 * - access check towards the upstream (`upstreamSecret`): it asks for the challenge and answers it;
 * - with neither secret and a client that asks for the challenge, the challenge, the response and
 *   the result are relayed as they are, so the client's own secret works against the upstream.
 * After the version reply every byte is forwarded as received; two FrameDecoders read copies of
 * the streams for the recording. Client types other than 11 (a Java client's MAAPI side
 * connection, type 7) are forwarded untouched from their first byte and only counted.
 *
 * Trouble ends one connection, never the proxy: an unreachable upstream closes the client at once
 * (what a client sees from an NSO that is down is a refused or closed connection); a refused
 * access check gives the client the refusal NSO would send; an upstream that closes closes the
 * client. Each is a log line and a note in the recording.
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { lstat, unlink } from 'node:fs/promises';
import {
  ACCESS_DENIED,
  ACCESS_OK,
  CHALLENGE_TAG,
  CLIENT_TYPE_EVENT_MANAGER,
  CONNECT_HEADER_BYTES,
  FrameDecoder,
  accessCheckVersionOf,
  challengeLength,
  checkChallengeResponse,
  computeAccessResponse,
  decodeConnectHeader,
  decodeVersionReply,
  encodeChallenge,
  encodeChallengeResponse,
  encodeConnectHeader,
  type AccessCheckVersion,
  type ConnectHeader,
} from '../codec/index.js';
import { clientTypeName, Recording, type RecordingContext, type RecordTransport } from './recording.js';
import { SocketReader } from './socket-reader.js';

/** Where the upstream is. */
export type UpstreamAddress = { readonly host: string; readonly port: number } | { readonly path: string };

/** A log line of the recorder. */
export type RecorderLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Readonly<Record<string, unknown>>) => void;

/** Options of {@link startRecorder}. */
export interface RecorderOptions {
  readonly upstream: UpstreamAddress;
  /** TCP listener (port 0 = a free one). */
  readonly tcp?: { readonly host: string; readonly port: number };
  /** Unix-socket listener path (a stale socket file is removed). */
  readonly unix?: string;
  /** Check clients' access-check digests with this secret (PROTOCOL.md §3); clients must ask for it. */
  readonly accessSecret?: Uint8Array;
  /** Answer the upstream's challenge with this secret. */
  readonly upstreamSecret?: Uint8Array;
  /** Time source (ms). Default `Date.now`. */
  readonly now?: () => number;
  readonly log?: RecorderLog;
  /** Version text for the recording's header. */
  readonly recorder?: string;
  /** Called after each connection ends (the CLI writes a checkpoint of the recording). */
  readonly onConnectionClosed?: () => void;
  /** Ms the upstream connection may take (default 5000: a dropped SYN must not hang the client). */
  readonly connectTimeoutMs?: number;
}

/** A running recorder. */
export interface Recorder {
  readonly recording: Recording;
  readonly addresses: { readonly tcp?: { readonly host: string; readonly port: number }; readonly unix?: string };
  /** Stops listening and ends every connection (both sides). */
  close(): Promise<void>;
}

/** How a failed handshake ends for the client. */
class HandshakeEnd extends Error {
  constructor(
    message: string,
    readonly level: 'info' | 'warn' | 'error',
    /** Bytes the client gets before the close (the refusal byte), if any. */
    readonly toClient?: Uint8Array,
  ) {
    super(message);
  }
}

function describeUpstream(u: UpstreamAddress): string {
  return 'path' in u ? `unix ${u.path}` : `tcp ${u.host}:${u.port}`;
}

async function removeStaleSocket(path: string): Promise<void> {
  try {
    const st = await lstat(path);
    if (!st.isSocket()) return;
  } catch {
    return;
  }
  // Only a socket nobody listens on is stale.
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (!alive) await unlink(path).catch(() => undefined);
}

function listenOn(server: Server, where: { port: number; host: string } | string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (typeof where === 'string') server.listen(where, done);
    else server.listen(where.port, where.host, done);
  });
}

/**
 * Starts the recording proxy.
 * @throws the listener's error (EADDRINUSE, EACCES) when a listener cannot bind.
 * @example
 *   const rec = await startRecorder({ upstream: { host: '127.0.0.1', port: 4569 }, tcp: { host: '127.0.0.1', port: 0 } });
 *   // … clients connect to rec.addresses.tcp …
 *   await rec.close();
 *   const built = rec.recording.build({ name: 'x', profile: 'nso57', endedAt: Date.now() });
 */
export async function startRecorder(options: RecorderOptions): Promise<Recorder> {
  const now = options.now ?? Date.now;
  const log: RecorderLog = options.log ?? (() => undefined);
  const context: RecordingContext = {
    upstream: describeUpstream(options.upstream),
    upstreamAccess: options.upstreamSecret === undefined ? 'not answered by the recorder (relayed when a client asks for it)' : 'answered with --upstream-secret-file',
    clientAccess: options.accessSecret === undefined ? 'not checked by the recorder' : 'checked with --access-secret-file',
    recorder: options.recorder ?? 'unknown version',
  };
  const recording = new Recording(context, now());
  const sockets = new Set<Socket>();
  let nextId = 1;
  let closing = false;

  const handle = (client: Socket, transport: RecordTransport): void => {
    if (closing) {
      client.destroy();
      return;
    }
    const id = nextId++;
    const remote = transport === 'tcp' ? `${client.remoteAddress ?? '?'}:${client.remotePort ?? '?'}` : 'local';
    recording.onConnect(id, transport, remote, now());
    sockets.add(client);
    void proxyConnection(id, client).finally(() => sockets.delete(client));
  };

  const openUpstream = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const u = options.upstream;
      const s = 'path' in u ? connect(u.path) : connect(u.port, u.host);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`no connection within ${options.connectTimeoutMs ?? 5000} ms`));
      }, options.connectTimeoutMs ?? 5000);
      s.once('connect', () => {
        clearTimeout(timer);
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });

  async function proxyConnection(id: number, client: Socket): Promise<void> {
    client.on('error', (e) => log('debug', `connection ${id}: client socket error: ${e.message}`));
    const fromClient = new SocketReader(client);
    let upstream: Socket;
    try {
      upstream = await openUpstream();
    } catch (error) {
      const message = `connection ${id}: the upstream ${context.upstream} is unreachable (${(error as Error).message}): closing the client as NSO being down would`;
      log('error', message, { connection: id });
      recording.noteConnection(id, `the upstream was unreachable: ${(error as Error).message}`);
      // Read the connect header first: closing with unread bytes would reset the connection
      // (ECONNRESET) instead of closing it; a client that sends nothing is closed after a second.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([fromClient.read(CONNECT_HEADER_BYTES), new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
      clearTimeout(timer);
      fromClient.detach();
      client.on('data', () => undefined);
      client.end();
      setTimeout(() => client.destroy(), 5000).unref();
      recording.onClosed(id, 'proxy', 'upstream unreachable', now());
      options.onConnectionClosed?.();
      return;
    }
    sockets.add(upstream);
    upstream.on('error', (e) => log('debug', `connection ${id}: upstream socket error: ${e.message}`));
    const fromUpstream = new SocketReader(upstream);
    const end = (by: 'client' | 'upstream' | 'proxy', reason: string): void => {
      recording.onClosed(id, by, reason, now());
    };
    try {
      const first = await fromClient.read(1);
      if (first === undefined) throw new HandshakeEnd(`connection ${id}: the client closed before sending its connect header`, 'info');
      const type = (first[0] ?? 0) & 0x3f;
      if (type !== CLIENT_TYPE_EVENT_MANAGER) {
        // §2: a Java client's MAAPI side connection (7), and the other IPC clients; the
        // NETCONF helper (12) sends a single header byte. Forwarded untouched from the first byte.
        recording.onHeader(id, { clientType: type, wantChallenge: false, wantChallengeV2: false, protocolVersion: 0, libraryVersion: 0, maxDepth: 0, maxKeyLength: 0, rawFlags: (first[0] ?? 0) & 0xc0 });
        log('info', `connection ${id}: client type ${type} (${clientTypeName(type)}): forwarded untouched, not recorded`, { connection: id, clientType: type });
        upstream.write(first);
        recording.onForwarded(id, 'up', 1);
        forward(id, client, upstream, fromClient.detach(), fromUpstream.detach(), 'opaque');
        return;
      }
      const rest = await fromClient.read(CONNECT_HEADER_BYTES - 1);
      if (rest === undefined) throw new HandshakeEnd(`connection ${id}: the client closed in the middle of its connect header`, 'info');
      const header = decodeConnectHeader(Buffer.concat([first, rest]));
      recording.onHeader(id, header);
      await handshake(id, header, client, upstream, fromClient, fromUpstream);
      forward(id, client, upstream, fromClient.detach(), fromUpstream.detach(), 'event');
    } catch (error) {
      fromClient.detach();
      fromUpstream.detach();
      if (error instanceof HandshakeEnd) {
        log(error.level, error.message, { connection: id });
        if (error.level !== 'info') recording.noteConnection(id, error.message.replace(/^connection \d+: /, ''));
        if (error.toClient !== undefined && !client.destroyed) client.end(error.toClient);
        else client.destroy();
      } else {
        log('error', `connection ${id}: ${(error as Error).message}`, { connection: id });
        recording.noteConnection(id, (error as Error).message);
        client.destroy();
      }
      upstream.destroy();
      end('proxy', error instanceof Error ? error.message.replace(/^connection \d+: /, '') : String(error));
      options.onConnectionClosed?.();
    }
  }

  /** §3, §4: access checks on both sides, then the version reply to the client. */
  async function handshake(
    id: number,
    header: ConnectHeader,
    client: Socket,
    upstream: Socket,
    fromClient: SocketReader,
    fromUpstream: SocketReader,
  ): Promise<void> {
    const clientV = accessCheckVersionOf(header);
    // 1. The client's access check, by us.
    if (options.accessSecret !== undefined) {
      if (clientV === undefined) {
        // §3.4: NSO with the check enabled closes a client that does not ask for it, without a reply.
        throw new HandshakeEnd(`connection ${id}: the client did not ask for the access check this recorder requires (--access-secret-file): closed without a reply, as NSO does`, 'warn');
      }
      const challenge = randomBytes(challengeLength(clientV));
      client.write(encodeChallenge(challenge));
      const response = await fromClient.read(1 + challengeLength(clientV));
      if (response === undefined) throw new HandshakeEnd(`connection ${id}: the client closed during the access check`, 'info');
      if (!checkChallengeResponse(options.accessSecret, challenge, response, clientV)) {
        throw new HandshakeEnd(`connection ${id}: the client failed the access check (${clientV}): wrong secret; refused with result byte ${ACCESS_DENIED} and closed`, 'warn', Uint8Array.of(ACCESS_DENIED));
      }
    }
    // 2. The upstream's, by us, relayed, or not at all.
    const mode = options.upstreamSecret !== undefined ? 'answer' : options.accessSecret === undefined && clientV !== undefined ? 'relay' : 'none';
    const upstreamV: AccessCheckVersion | undefined = mode === 'answer' ? (clientV ?? 'v2') : mode === 'relay' ? clientV : undefined;
    upstream.write(
      encodeConnectHeader({ ...header, rawFlags: 0, wantChallenge: upstreamV !== undefined, wantChallengeV2: upstreamV === 'v2' }),
    );
    // What the client gets when the upstream side fails after the client passed our own check.
    const refuse = options.accessSecret === undefined ? undefined : Uint8Array.of(ACCESS_DENIED);
    if (upstreamV !== undefined) {
      const n = challengeLength(upstreamV);
      const challenge = await fromUpstream.read(1 + n);
      if (challenge === undefined) {
        throw new HandshakeEnd(`connection ${id}: the upstream closed instead of sending the access-check challenge`, 'error', refuse);
      }
      if (challenge[0] !== CHALLENGE_TAG) {
        throw new HandshakeEnd(`connection ${id}: the upstream sent ${challenge.subarray(0, 4).toString('hex')}… instead of an access-check challenge (§3.2)`, 'error', refuse);
      }
      if (mode === 'answer') {
        upstream.write(encodeChallengeResponse(computeAccessResponse(options.upstreamSecret as Uint8Array, challenge.subarray(1), upstreamV)));
      } else {
        client.write(challenge);
        const response = await fromClient.read(1 + n);
        if (response === undefined) throw new HandshakeEnd(`connection ${id}: the client closed during the (relayed) access check`, 'info');
        upstream.write(response);
      }
      const result = await fromUpstream.read(1);
      if (result === undefined) throw new HandshakeEnd(`connection ${id}: the upstream closed during the access check`, 'error', refuse);
      if (result[0] !== ACCESS_OK) {
        const hint = mode === 'answer' ? ' (is --upstream-secret-file the upstream\'s secret?)' : " (the client's secret is not the upstream's)";
        throw new HandshakeEnd(
          `connection ${id}: the upstream refused the access check with result byte ${result[0] ?? '?'}${hint}; the client gets the same refusal`,
          'error',
          mode === 'relay' ? result : refuse,
        );
      }
      if (mode === 'relay') client.write(result);
    }
    // 3. The version reply (§4), forwarded as it is; after our own check, with its result byte (one write, §3.1).
    const reply = await fromUpstream.read(CONNECT_HEADER_BYTES);
    if (reply === undefined) {
      const why = upstreamV === undefined ? ' (does it require the access check? give --upstream-secret-file)' : '';
      throw new HandshakeEnd(`connection ${id}: the upstream closed before its version reply${why}`, 'error', refuse);
    }
    try {
      recording.onVersionReply(id, decodeVersionReply(reply));
    } catch (error) {
      recording.noteConnection(id, `the upstream's version reply ${reply.toString('hex')} does not decode: ${(error as Error).message}`);
    }
    client.write(options.accessSecret === undefined ? reply : Buffer.concat([Uint8Array.of(ACCESS_OK), reply]));
    log('info', `connection ${id}: ${header.protocolVersion === 0 ? '' : `protocol ${header.protocolVersion} `}event client connected, upstream version reply ${reply.toString('hex')}`, { connection: id });
  }

  /** After the handshake: every byte forwarded as received; event connections are also decoded. */
  function forward(id: number, client: Socket, upstream: Socket, clientRest: Buffer, upstreamRest: Buffer, mode: 'event' | 'opaque'): void {
    const up = new FrameDecoder();
    const down = new FrameDecoder();
    let downBroken = false;
    let upBroken = false;
    let ended = false;
    const fromClient = (chunk: Buffer): void => {
      if (chunk.length === 0) return;
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
      if (mode === 'opaque') {
        recording.onForwarded(id, 'up', chunk.length);
        return;
      }
      if (upBroken) return;
      const at = now();
      try {
        up.push(chunk);
        for (let f = up.readFrame(); f !== undefined; f = up.readFrame()) recording.onClientFrame(id, f, at);
      } catch (error) {
        upBroken = true;
        recording.noteConnection(id, `the client's frames stopped being frames: ${(error as Error).message}; its later bytes were forwarded but not read`);
        log('warn', `connection ${id}: ${(error as Error).message} (client side; still forwarded)`, { connection: id });
      }
    };
    const fromUpstream = (chunk: Buffer): void => {
      if (chunk.length === 0) return;
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
      if (mode === 'opaque') {
        recording.onForwarded(id, 'down', chunk.length);
        return;
      }
      const at = now();
      if (downBroken) {
        recording.onServerBytes(id, chunk, at, 'bytes after a bad length prefix');
        return;
      }
      try {
        down.push(chunk);
        for (let f = down.readFrame(); f !== undefined; f = down.readFrame()) recording.onServerFrame(id, f, at);
      } catch (error) {
        // A zero or oversized length prefix: from here on nothing is framed; keep the bytes as they are.
        downBroken = true;
        recording.onServerBytes(id, chunk, at, (error as Error).message);
        log('warn', `connection ${id}: the upstream sent ${(error as Error).message}; recorded as raw bytes`, { connection: id });
      }
    };
    const finish = (side: 'client' | 'upstream', reason: string): void => {
      if (ended) return;
      ended = true;
      const by = closing ? 'proxy' : side;
      if (mode === 'event' && !downBroken && down.buffered > 0) {
        // The upstream's last frame was cut short: the client got those bytes, so the replay must too.
        recording.onServerBytes(id, down.readRaw(down.buffered) ?? new Uint8Array(0), now(), 'a frame cut short by the close');
      }
      recording.onClosed(id, by, closing ? 'the recording stopped' : reason, now());
      if (by === 'proxy') {
        // Stopping: close() destroys both sides.
      } else if (by === 'upstream') {
        log('info', `connection ${id}: the upstream closed the connection (${reason}); closing the client too`, { connection: id });
        client.end();
      } else {
        log('info', `connection ${id}: the client closed the connection (${reason})`, { connection: id });
        upstream.end();
      }
      options.onConnectionClosed?.();
    };
    client.on('data', fromClient);
    upstream.on('data', fromUpstream);
    client.on('end', () => finish('client', 'end'));
    client.on('close', (hadError) => {
      finish('client', hadError ? 'error' : 'closed');
      upstream.destroy();
    });
    upstream.on('end', () => finish('upstream', 'end'));
    upstream.on('close', (hadError) => {
      finish('upstream', hadError ? 'error' : 'closed');
      client.destroy();
    });
    fromClient(clientRest);
    fromUpstream(upstreamRest);
    // A close that happened during the handshake hand-over.
    if (client.destroyed || client.readableEnded) finish('client', 'closed');
    else if (upstream.destroyed || upstream.readableEnded) finish('upstream', 'closed');
  }

  const servers: Server[] = [];
  const addresses: { tcp?: { host: string; port: number }; unix?: string } = {};
  try {
    if (options.tcp !== undefined) {
      const s = createServer((c) => handle(c, 'tcp'));
      await listenOn(s, options.tcp);
      servers.push(s);
      const a = s.address();
      if (a !== null && typeof a === 'object') addresses.tcp = { host: a.address, port: a.port };
    }
    if (options.unix !== undefined) {
      await removeStaleSocket(options.unix);
      const s = createServer((c) => handle(c, 'unix'));
      await listenOn(s, options.unix);
      servers.push(s);
      addresses.unix = options.unix;
    }
  } catch (error) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    throw error;
  }
  log('info', `recording ${context.upstream}`, { upstream: context.upstream });

  return {
    recording,
    addresses,
    async close(): Promise<void> {
      closing = true;
      const closed = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
      for (const s of sockets) s.destroy();
      await Promise.all(closed);
    },
  };
}
