/**
 * A small event-notification client: the first NSO notification client for Node.js and how our
 * own tests talk to the server. It speaks the protocol the way the real libraries do (PROTOCOL.md
 * §2–§12, C style by default, Java style on request) and imports only the codec, never the
 * server, so it stays an independent peer (STYLE.md §2).
 */
import { createConnection, type Socket } from 'node:net';
import {
  ackToTerm,
  CHALLENGE_TAG,
  challengeLength,
  computeAccessResponse,
  decodeTerm,
  decodeVersionReply,
  encodeChallengeResponse,
  formatInteger,
  FrameDecoder,
  isAtom,
  isTuple,
  layoutProblem,
  notificationFromTerm,
  NsoMockError,
  PROFILE_INFO,
  CodecError,
  subscriptionToTerm,
  UsageError,
  binaryText,
  integerValue,
  type AccessCheckVersion,
  type Ack,
  type DateTime,
  type Notification,
  type NotificationType,
  type Profile,
  type StreamRequest,
  type Subscription,
  type Term,
  type VersionReply,
} from '../codec/index.js';
import { connectHeaderFor, encodeClientFrame, type ClientStyle } from './encoding.js';

/** Where to connect: TCP or a Unix-domain socket path (§1.1). */
export type ClientAddress = { readonly host: string; readonly port: number } | { readonly path: string };

/** A stream subscription (§8.1 StreamInfo, §14). */
export interface ClientStreamOptions {
  readonly name: string;
  readonly startTime?: DateTime | Date;
  readonly stopTime?: DateTime | Date;
  /**
   * XPath filter over the notification content (§8.1 element 4); omitted or `''` = none. A server
   * that cannot compile it refuses the subscription with code 50 (§8.4): `connect` rejects with
   * `NSOMOCK_CLIENT_CONNECT_FAILED`, `details.code` 50.
   */
  readonly xpathFilter?: string;
  /** User session for AAA filtering; 0 = none (default). */
  readonly usid?: number;
  /** Atom tags instead of hashes (econfd sends 1, C and Java 0; §8.3). Default false. */
  readonly useIkp?: boolean;
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** OR of `NOTIF` type and flag bits (§10.1). */
  readonly mask: number;
  /** Heartbeat interval in ms; required (> 0) with the HEARTBEAT bit, like the real libraries (§8.2). */
  readonly heartbeatInterval?: number;
  /** Health-check interval in ms; required (> 0) with the HEALTH_CHECK bit (§8.2). */
  readonly healthCheckInterval?: number;
  /** Stream subscription; required with the STREAM_EVENT bit (§8.2). */
  readonly stream?: ClientStreamOptions;
  /** Progress verbosity 0..3 (§8.1). Default 0. */
  readonly verbosity?: 0 | 1 | 2 | 3;
  /** The IPC access secret (§3): asks for the challenge and answers it. */
  readonly accessSecret?: Uint8Array | string;
  /** Access-check variant: default v1 (MD5) for `c`, v2 (SHA-256) for `java` (§3.2). */
  readonly accessCheck?: AccessCheckVersion;
  /**
   * The NSO release the client speaks as (§0.4, NSO62.md): its connect header carries that
   * release's protocol and library versions (nso57: 77 / 0x07070100, nso62: 82 / 0x08020500,
   * nso66: 86, a placeholder), and it reads only that profile's layouts — a notification its
   * library could not read (a 19-tuple progress for nso62, a 15-tuple for nso57, a type the
   * profile lacks) is an error (`NSOMOCK_CODEC_BAD_NOTIFICATION`), as it is for the real library.
   * Default `nso57`.
   */
  readonly profile?: Profile;
  /** Header bytes and encodings of the C (default) or Java library (§18). */
  readonly style?: ClientStyle;
  /** Protocol version in the header (§2). Default the profile's (77 for nso57). */
  readonly protocolVersion?: number;
  /** Send the required ack for every notification automatically (§12.1). Default false. */
  readonly autoAck?: boolean;
  /** Send this term instead of the subscription the options describe (tests of server validation). */
  readonly subscriptionTerm?: Term;
  /** Real-time limit for connect + handshake + subscription, ms. Default 10000. */
  readonly timeoutMs?: number;
  /** Largest frame accepted from the server. Default 64 MiB. */
  readonly maxFrameBytes?: number;
}

/** One notification as received. */
export interface ReceivedNotification {
  readonly type: NotificationType;
  /** The type bit of the outer tuple (§10.1). */
  readonly bit: number;
  readonly notification: Notification;
  readonly term: Term;
  /** The payload bytes of the frame (without the length prefix). */
  readonly raw: Uint8Array;
}

/** A connected, subscribed client. Iterate it for notifications. */
export interface NotifClient extends AsyncIterable<ReceivedNotification> {
  /** The server's 9-byte version reply (§4). */
  readonly versionReply: VersionReply;
  /** The subscription reply term (`ok`, §8.4). */
  readonly subscribeReply: Term;
  /** The mask that was subscribed. */
  readonly mask: number;
  /** Notifications received so far (including ones not yet consumed). */
  readonly received: number;
  /** Resolves when the socket has closed (by either side). */
  readonly closed: Promise<void>;
  /** Whether the socket has closed. */
  readonly isClosed: boolean;
  /**
   * The next notification.
   * @throws NsoMockError `NSOMOCK_CLIENT_CLOSED` when the connection closed and nothing is left;
   *   CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` (or another codec code) for a frame that is not a notification.
   */
  next(): Promise<ReceivedNotification>;
  /** The next `n` notifications. */
  take(n: number): Promise<ReceivedNotification[]>;
  /** Everything received until the connection closes (the server closed it, or after `close()`). */
  drain(): Promise<ReceivedNotification[]>;
  /**
   * `{TH, done}` (§12.1).
   * @throws (rejects with) UsageError `NSOMOCK_USAGE` when `th` is not a safe integer, e.g. the
   *   record passed instead of its notification (`diffDone(record.th)`); NsoMockError `NSOMOCK_CLIENT_CLOSED`.
   */
  diffDone(th: number): Promise<void>;
  /**
   * `{Usid, synced}` (§12.1).
   * @throws (rejects with) UsageError `NSOMOCK_USAGE` when `usid` is not a safe integer; NsoMockError `NSOMOCK_CLIENT_CLOSED`.
   */
  syncAudit(usid: number): Promise<void>;
  /**
   * `{Usid, audit_network_sync}` (§12.1).
   * @throws (rejects with) UsageError `NSOMOCK_USAGE` when `usid` is not a safe integer; NsoMockError `NSOMOCK_CLIENT_CLOSED`.
   */
  syncAuditNetwork(usid: number): Promise<void>;
  /**
   * `ha_synced` (§12.1).
   * @throws (rejects with) NsoMockError `NSOMOCK_CLIENT_CLOSED`.
   */
  syncHa(): Promise<void>;
  /**
   * Any ack term, as this client's library would encode it.
   * @throws (rejects with, never throws) UsageError `NSOMOCK_USAGE` when `ack` is not an {@link Ack}
   *   (unknown kind, `th`/`usid` not a safe integer); NsoMockError `NSOMOCK_CLIENT_CLOSED`.
   */
  sendAck(ack: Ack): Promise<void>;
  /** Raw bytes on the socket (tests of server robustness). */
  sendRaw(bytes: Uint8Array): Promise<void>;
  /** Stops reading from the socket (the server's writes then block: §20 write stall). */
  pause(): void;
  resume(): void;
  /** Ends the connection and resolves when the socket is closed. */
  close(): Promise<void>;
}

/** Details of `NSOMOCK_CLIENT_CONNECT_FAILED`. */
export interface ConnectFailedDetails {
  readonly address: string;
  /** The handshake step that failed. */
  readonly stage: 'connect' | 'access-check' | 'version' | 'subscribe' | 'timeout';
  /** The server's error code (`{error, Code, Reason}`, §8.4) or version status (§4). */
  readonly code?: number;
  /** The server's reason text (without the trailing NUL). */
  readonly reason?: string;
}

const NOTIF_HEARTBEAT = 8192;
const NOTIF_HEALTH_CHECK = 262144;
const NOTIF_STREAM_EVENT = 524288;
const NOTIF_COMMIT_PROGRESS = 65536;
const NOTIF_PROGRESS = 16777216;
const NOTIF_AUDIT_SYNC = 131072;
const NOTIF_HA_INFO_SYNC = 1048576;
const NOTIF_AUDIT_NETWORK_SYNC = 536870912;
const BACKLOG_PAUSE = 100_000;

/**
 * Connects, runs the handshake (§2–§4), subscribes (§8) and returns the client.
 * @throws NsoMockError `NSOMOCK_CLIENT_CONNECT_FAILED` (refused connection, access denied, version
 *   status ≠ 0, `{error, Code, Reason}` reply, timeout); UsageError `NSOMOCK_USAGE` for options the
 *   real libraries refuse before connecting (§8.2).
 * @example
 *   const client = await connect({ host: '127.0.0.1', port: 4569 }, { mask: NOTIF.COMMIT_DIFF });
 *   for await (const { notification } of client) {
 *     if (notification.type === 'commit-diff') await client.diffDone(notification.th);
 *   }
 */
export function connect(address: ClientAddress, options: ConnectOptions): Promise<NotifClient> {
  if (options.profile !== undefined && !Object.prototype.hasOwnProperty.call(PROFILE_INFO, options.profile)) {
    return Promise.reject(
      new UsageError('NSOMOCK_USAGE', `Failed to connect: unknown profile ${JSON.stringify(options.profile)} (expected one of ${Object.keys(PROFILE_INFO).join(', ')})`, {
        details: { option: 'profile', value: options.profile },
      }),
    );
  }
  const style = options.style ?? 'c';
  const subscriptionTerm = options.subscriptionTerm ?? subscriptionToTerm(subscriptionFor(options, style));
  const secret = typeof options.accessSecret === 'string' ? new TextEncoder().encode(options.accessSecret) : options.accessSecret;
  const access: AccessCheckVersion | undefined = secret === undefined ? undefined : (options.accessCheck ?? (style === 'java' ? 'v2' : 'v1'));
  const where = 'path' in address ? address.path : `${address.host}:${address.port}`;
  return new Promise<NotifClient>((resolve, reject) => {
    const socket = 'path' in address ? createConnection({ path: address.path }) : createConnection({ host: address.host, port: address.port, noDelay: true });
    const client = new Client(socket, options, style);
    let stage: ConnectFailedDetails['stage'] = 'connect';
    let settled = false;
    const fail = (s: ConnectFailedDetails['stage'], message: string, extra: { code?: number; reason?: string; cause?: unknown } = {}): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const details: ConnectFailedDetails = {
        address: where,
        stage: s,
        ...(extra.code === undefined ? {} : { code: extra.code }),
        ...(extra.reason === undefined ? {} : { reason: extra.reason }),
      };
      reject(new NsoMockError('NSOMOCK_CLIENT_CONNECT_FAILED', `Failed to connect: ${message} (${where})`, { details, cause: extra.cause }));
    };
    const timer = setTimeout(() => fail('timeout', `no complete handshake within ${options.timeoutMs ?? 10_000} ms (stage ${stage})`), options.timeoutMs ?? 10_000);
    const decoder = new FrameDecoder({ maxFrameBytes: options.maxFrameBytes ?? 64 * 1024 * 1024 });
    let challengeBytes: number | undefined;
    let versionReply: VersionReply | undefined;

    const onData = (chunk: Uint8Array): void => {
      decoder.push(chunk);
      try {
        for (;;) {
          if (stage === 'access-check' && challengeBytes !== undefined) {
            const challenge = decoder.readRaw(1 + challengeBytes);
            if (challenge === undefined) return;
            // §3.3: a wrong first byte is "Access denied".
            if (challenge[0] !== CHALLENGE_TAG || secret === undefined || access === undefined) return fail('access-check', 'access denied (bad challenge)');
            socket.write(encodeChallengeResponse(computeAccessResponse(secret, challenge.subarray(1), access)));
            challengeBytes = undefined;
            continue;
          }
          if (stage === 'access-check') {
            const result = decoder.readRaw(1);
            if (result === undefined) return;
            if (result[0] !== 0) return fail('access-check', 'access denied', { code: result[0] ?? -1 });
            stage = 'version';
            continue;
          }
          if (stage === 'version') {
            const bytes = decoder.readRaw(9);
            if (bytes === undefined) return;
            versionReply = decodeVersionReply(bytes);
            // §4.1: C fails on any status ≠ 0; Java accepts status 2.
            if (versionReply.status !== 0 && !(style === 'java' && versionReply.status === 2)) {
              return fail('version', `version reply status ${versionReply.status} (server protocol version ${versionReply.protocolVersion})`, { code: versionReply.status });
            }
            stage = 'subscribe';
            socket.write(encodeClientFrame(subscriptionTerm, style));
            continue;
          }
          if (stage === 'subscribe') {
            const payload = decoder.readFrame();
            if (payload === undefined) return;
            const reply = decodeTerm(payload);
            const error = errorReply(reply);
            // §8.4: C treats anything but {error, Code, Reason} as success.
            if (error !== undefined) return fail('subscribe', `subscription refused: ${error.reason} (code ${error.code})`, error);
            settled = true;
            clearTimeout(timer);
            socket.off('data', onData);
            socket.off('close', onEarlyClose);
            socket.off('error', onEarlyError);
            client.attach(decoder, versionReply ?? { status: 0, protocolVersion: 0, libraryVersion: 0, maxDepth: 0, maxKeyLength: 0 }, reply);
            resolve(client);
            return;
          }
          return;
        }
      } catch (error) {
        fail(stage, `bad bytes from the server: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    };
    const onEarlyClose = (): void => fail(stage, `the server closed the connection during the ${stage} step`);
    const onEarlyError = (error: Error): void => fail(stage, error.message, { cause: error });
    socket.on('data', onData);
    socket.once('close', onEarlyClose);
    socket.on('error', onEarlyError);
    socket.once('connect', () => {
      stage = access === undefined ? 'version' : 'access-check';
      if (access !== undefined) challengeBytes = challengeLength(access);
      const speaks = PROFILE_INFO[options.profile ?? 'nso57'];
      socket.write(connectHeaderFor(style, access, undefined, options.protocolVersion ?? speaks.protocolVersion, speaks.libraryVersion));
    });
  });
}

function subscriptionFor(options: ConnectOptions, style: ClientStyle): Subscription {
  const mask = options.mask;
  if (!Number.isInteger(mask) || mask < 0 || mask > 0x7fffffff) throw usage('mask', mask, 'an integer in 0..2^31-1');
  const hb = (mask & NOTIF_HEARTBEAT) !== 0 ? (options.heartbeatInterval ?? 0) : 0;
  const hc = (mask & NOTIF_HEALTH_CHECK) !== 0 ? (options.healthCheckInterval ?? 0) : 0;
  // §8.2: the libraries refuse these before connecting.
  if ((mask & NOTIF_HEARTBEAT) !== 0 && !(hb > 0)) throw usage('heartbeatInterval', options.heartbeatInterval, 'an interval > 0 with the HEARTBEAT bit');
  if ((mask & NOTIF_HEALTH_CHECK) !== 0 && !(hc > 0)) throw usage('healthCheckInterval', options.healthCheckInterval, 'an interval > 0 with the HEALTH_CHECK bit');
  if ((mask & NOTIF_STREAM_EVENT) !== 0 && options.stream === undefined) throw usage('stream', undefined, 'stream info with the STREAM_EVENT bit');
  // §8.3: C sends the verbosity only with a progress bit; Java always.
  const progress = (mask & (NOTIF_PROGRESS | NOTIF_COMMIT_PROGRESS)) !== 0;
  const verbosity = style === 'java' || progress ? (options.verbosity ?? 0) : 0;
  const base = { mask, heartbeatInterval: hb, healthCheckInterval: hc, verbosity };
  if ((mask & NOTIF_STREAM_EVENT) === 0 || options.stream === undefined) return base;
  const s = options.stream;
  const stream: StreamRequest = {
    name: s.name,
    usid: s.usid ?? 0,
    useIkp: s.useIkp ?? false,
    ...(s.startTime === undefined ? {} : { startTime: toDateTime(s.startTime) }),
    // §8.1: clients send `undefined` for the stop time when there is no start time.
    ...(s.stopTime === undefined || s.startTime === undefined ? {} : { stopTime: toDateTime(s.stopTime) }),
    ...(s.xpathFilter === undefined ? {} : { xpathFilter: s.xpathFilter }),
  };
  return { ...base, stream };
}

function toDateTime(value: DateTime | Date): DateTime {
  if (!(value instanceof Date)) return value;
  return {
    year: value.getUTCFullYear(),
    month: value.getUTCMonth() + 1,
    day: value.getUTCDate(),
    hour: value.getUTCHours(),
    min: value.getUTCMinutes(),
    sec: value.getUTCSeconds(),
    micro: value.getUTCMilliseconds() * 1000,
    timezone: 0,
    timezone_minutes: 0,
  };
}

function errorReply(term: Term): { code: number; reason: string } | undefined {
  if (!isTuple(term, 3) || !isAtom(term.elements[0] ?? term, 'error')) return undefined;
  const code = integerValue(term.elements[1] ?? term);
  const reasonTerm = term.elements[2];
  let reason = reasonTerm?.kind === 'binary' ? binaryText(reasonTerm) : reasonTerm?.kind === 'atom' ? reasonTerm.name : '';
  // §8.4: the server appends a NUL for the C library's benefit.
  const nul = reason.indexOf('\0');
  if (nul >= 0) reason = reason.slice(0, nul);
  return { code: code === undefined ? -1 : Number(code), reason };
}

const ACK_FIELD = { 'diff-done': 'th', 'audit-synced': 'usid', 'audit-network-synced': 'usid', 'ha-synced': undefined } as const;

/** Why `ack` is not an {@link Ack} (§12.1), or `undefined` when it is one. */
function ackProblem(ack: unknown): { text: string; field: string; value: unknown } | undefined {
  if (typeof ack !== 'object' || ack === null) return { text: `the ack must be an object, got ${describeValue(ack)}`, field: 'ack', value: ack };
  const kind = (ack as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !Object.hasOwn(ACK_FIELD, kind)) {
    return { text: `ack kind must be one of ${Object.keys(ACK_FIELD).join(', ')}, got ${describeValue(kind)}`, field: 'kind', value: kind };
  }
  const field = ACK_FIELD[kind as keyof typeof ACK_FIELD];
  if (field === undefined) return undefined;
  const value = (ack as Record<string, unknown>)[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    return { text: `${field} must be an integer, got ${describeValue(value)}`, field, value };
  }
  return undefined;
}

/** A value for a usage message: short, and never a whole object graph. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  if (typeof value === 'bigint') return `${formatInteger(value)}n`;
  return String(value);
}

function usage(option: string, value: unknown, wanted: string): UsageError {
  return new UsageError('NSOMOCK_USAGE', `Failed to subscribe: option ${option} must be ${wanted}, got ${String(value)} (connect)`, { details: { option, value } });
}

type Entry = { readonly ok: ReceivedNotification } | { readonly error: unknown };

class Client implements NotifClient {
  versionReply: VersionReply = { status: 0, protocolVersion: 0, libraryVersion: 0, maxDepth: 0, maxKeyLength: 0 };
  subscribeReply: Term = { kind: 'nil' };
  readonly mask: number;
  received = 0;
  readonly closed: Promise<void>;
  isClosed = false;

  readonly #socket: Socket;
  readonly #options: ConnectOptions;
  readonly #style: ClientStyle;
  readonly #profile: Profile;
  #decoder: FrameDecoder | undefined;
  readonly #queue: Entry[] = [];
  #head = 0;
  #waiters: { resolve: (e: Entry | undefined) => void }[] = [];
  #userPaused = false;
  #backlogPaused = false;

  constructor(socket: Socket, options: ConnectOptions, style: ClientStyle) {
    this.#socket = socket;
    this.#options = options;
    this.#style = style;
    this.#profile = options.profile ?? 'nso57';
    this.mask = options.mask;
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.#wake();
        resolve();
      }),
    );
    // Errors after the handshake surface as the end of the iteration.
    socket.on('error', () => undefined);
  }

  attach(decoder: FrameDecoder, versionReply: VersionReply, reply: Term): void {
    this.#decoder = decoder;
    this.versionReply = versionReply;
    this.subscribeReply = reply;
    this.#socket.on('data', (chunk: Uint8Array) => {
      decoder.push(chunk);
      this.#pump();
    });
    // Frames that arrived together with the subscription reply.
    this.#pump();
  }

  #pump(): void {
    const decoder = this.#decoder;
    if (decoder === undefined) return;
    for (;;) {
      let payload: Uint8Array | undefined;
      try {
        payload = decoder.readFrame();
      } catch (error) {
        this.#push({ error });
        this.#socket.destroy();
        return;
      }
      if (payload === undefined) break;
      this.received += 1;
      try {
        const term = decodeTerm(payload);
        const notification = notificationFromTerm(term, this.#profile);
        // What the real library of this profile would abort on or misread (NSO62.md §D).
        const problem = layoutProblem(term, this.#profile);
        if (problem !== undefined) {
          throw new CodecError('NSOMOCK_CODEC_BAD_NOTIFICATION', `Failed to read notification: ${problem} (client speaking profile ${this.#profile})`, {
            details: { offset: -1, path: '' },
          });
        }
        const bitTerm = isTuple(term) ? term.elements[0] : undefined;
        const bit = bitTerm === undefined ? 0 : Number(integerValue(bitTerm) ?? 0);
        this.#push({ ok: { type: notification.type, bit, notification, term, raw: payload } });
        if (this.#options.autoAck === true) this.#autoAck(notification);
      } catch (error) {
        this.#push({ error });
      }
    }
    if (this.#queue.length - this.#head > BACKLOG_PAUSE && !this.#backlogPaused) {
      this.#backlogPaused = true;
      this.#socket.pause();
    }
  }

  #autoAck(n: Notification): void {
    const mask = this.mask;
    if (n.type === 'commit-diff') void this.diffDone(n.th).catch(() => undefined);
    else if (n.type === 'audit' && (mask & NOTIF_AUDIT_SYNC) !== 0) void this.syncAudit(n.usid).catch(() => undefined);
    else if (n.type === 'audit-network' && (mask & NOTIF_AUDIT_NETWORK_SYNC) !== 0) void this.syncAuditNetwork(n.usid).catch(() => undefined);
    else if (n.type === 'ha-info' && (mask & NOTIF_HA_INFO_SYNC) !== 0) void this.syncHa().catch(() => undefined);
  }

  #push(entry: Entry): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve(entry);
    else this.#queue.push(entry);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve(undefined);
  }

  #shift(): Entry | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const entry = this.#queue[this.#head];
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#backlogPaused && this.#queue.length - this.#head < BACKLOG_PAUSE / 2) {
      this.#backlogPaused = false;
      if (!this.#userPaused) this.#socket.resume();
    }
    return entry;
  }

  async #nextEntry(): Promise<Entry | undefined> {
    const entry = this.#shift();
    if (entry !== undefined) return entry;
    if (this.isClosed) return undefined;
    return new Promise<Entry | undefined>((resolve) => this.#waiters.push({ resolve }));
  }

  async next(): Promise<ReceivedNotification> {
    const entry = await this.#nextEntry();
    if (entry === undefined) {
      throw new NsoMockError('NSOMOCK_CLIENT_CLOSED', 'Failed to read a notification: the connection is closed (client)', { details: {} });
    }
    if ('error' in entry) throw entry.error;
    return entry.ok;
  }

  async take(n: number): Promise<ReceivedNotification[]> {
    const out: ReceivedNotification[] = [];
    while (out.length < n) out.push(await this.next());
    return out;
  }

  async drain(): Promise<ReceivedNotification[]> {
    const out: ReceivedNotification[] = [];
    for (;;) {
      const entry = await this.#nextEntry();
      if (entry === undefined) return out;
      if ('ok' in entry) out.push(entry.ok);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ReceivedNotification> {
    for (;;) {
      const entry = await this.#nextEntry();
      if (entry === undefined) return;
      if ('error' in entry) throw entry.error;
      yield entry.ok;
    }
  }

  diffDone(th: number): Promise<void> {
    return this.#ack({ kind: 'diff-done', th }, 'diffDone');
  }

  syncAudit(usid: number): Promise<void> {
    return this.#ack({ kind: 'audit-synced', usid }, 'syncAudit');
  }

  syncAuditNetwork(usid: number): Promise<void> {
    return this.#ack({ kind: 'audit-network-synced', usid }, 'syncAuditNetwork');
  }

  syncHa(): Promise<void> {
    return this.#ack({ kind: 'ha-synced' }, 'syncHa');
  }

  sendAck(ack: Ack): Promise<void> {
    return this.#ack(ack, 'sendAck');
  }

  /**
   * Checks the ack before encoding it: JavaScript callers (or a cast) can pass anything, and the
   * encoder's own TypeError would escape as a stray rejection naming codec internals. Rejects
   * rather than throws, so `await` and `.catch()` both see it.
   */
  #ack(ack: Ack, method: string): Promise<void> {
    const problem = ackProblem(ack);
    if (problem !== undefined) {
      return Promise.reject(new UsageError('NSOMOCK_USAGE', `Failed to send an ack: ${problem.text} (${method})`, { details: { option: problem.field, value: problem.value } }));
    }
    let bytes: Uint8Array;
    try {
      bytes = encodeClientFrame(ackToTerm(ack), this.#style);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.sendRaw(bytes);
  }

  sendRaw(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.isClosed || this.#socket.destroyed || this.#socket.writableEnded) {
        reject(new NsoMockError('NSOMOCK_CLIENT_CLOSED', 'Failed to send: the connection is closed (client)', { details: {} }));
        return;
      }
      this.#socket.write(bytes, (error) => (error ? reject(new NsoMockError('NSOMOCK_CLIENT_CLOSED', `Failed to send: ${error.message} (client)`, { details: {}, cause: error })) : resolve()));
    });
  }

  pause(): void {
    this.#userPaused = true;
    this.#socket.pause();
  }

  resume(): void {
    this.#userPaused = false;
    if (!this.#backlogPaused) this.#socket.resume();
  }

  async close(): Promise<void> {
    if (!this.isClosed) {
      this.#socket.end();
      // A client that stops reading still has to see the close complete.
      this.#socket.resume();
    }
    await this.closed;
  }
}
