/**
 * The fake NSO event-notification server: listeners, connections, delivery by mask (§10.1), the
 * blocking handshakes (§12), timers (§13, §20), named streams (§14), a journal and violations.
 * This file is the public face and wires the parts: who receives a notification and which acks are
 * outstanding is `dispatcher.ts` (socket-free), the named streams `stream-hub.ts`, each socket a
 * `Connection` (a pure session reducer in a thin shell) that sees only its `ConnectionHost`.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import {
  encodeFrame,
  formatAck,
  int,
  normalizeNotification,
  notificationToTerm,
  NsoMockError,
  resolveProfileSetting,
  tuple,
  UsageError,
  type Ack,
  type ConnectHeader,
  type DecodeLimits,
  type Notification,
  type NotificationDefaults,
  type NotificationInput,
  type Profile,
  type ProfileSetting,
  type StreamEventInput,
  type StreamRequest,
  type Subscription,
  type Term,
} from '../codec/index.js';
import { ackScope, type AckOutcome, type AckReceipt, type PendingAck } from './ack-tracker.js';
import { Dispatcher, type Delivery, type DeliveredEvent, type EmitOptions, type NotSentEvent, type SubscriberId } from './dispatcher.js';
import { realClock, type Clock } from './clock.js';
import { Connection, type ClientChannel, type ConnectionFaults, type ConnectionHost, type Transport } from './connection.js';
import { InputBudget } from './input-budget.js';
import { Journal } from './journal.js';
import { startListeners, type Listener } from './listener.js';
import type { SessionConfig, StreamCheck } from './session.js';
import type { CloseReason, SessionPhase } from './session-state.js';
import { StreamHub } from './stream-hub.js';
import type { StreamEvent, StreamInfo, StreamOptions } from './streams.js';
import { BIT } from './subscriptions.js';
import { violation, type Violation, type ViolationCode } from './violations.js';

export type { Delivery, DeliveredEvent, EmitOptions, NotSentEvent, SkippedRecipient, SubscriberId } from './dispatcher.js';

/** Options of {@link createMockServer}. Every limit has a safe default. */
export interface MockServerOptions {
  /** TCP listener (§1.1). Default `{ host: '127.0.0.1', port: 4569 }` unless only `unix` is given; `false` = none; port 0 = random. */
  readonly tcp?: { readonly host?: string; readonly port?: number } | false;
  /** Unix-domain socket path (§1.1); a stale socket file there is removed. */
  readonly unix?: string;
  /**
   * Permissions of the Unix socket file, whatever the umask. Default 0o600: only the owner can
   * connect (anyone who can connect can subscribe; the access check applies only with a secret).
   * 0o660 lets the group in.
   */
  readonly unixMode?: number;
  /**
   * The layout profile (§0.4, NSO62.md). Default `auto`: each connection gets the profile of its
   * client's protocol version (the codec's `profileForProtocolVersion`: 77 → nso57, 82 → nso62,
   * newer → nso62, other → nso57). A profile name forces it on every connection (`nso6x` is the
   * deprecated alias of `nso66`).
   */
  readonly profile?: ProfileSetting;
  /** Picks a connection's profile from its protocol version before the built-in table (§4.3, §16); return undefined for the table's choice. Ignored when `profile` forces one. */
  readonly profileForProtocolVersion?: (protocolVersion: number) => Profile | undefined;
  /** Atom encoding of server frames (§6.2). Default `latin1` (ATOM_EXT, what Java needs). */
  readonly atomEncoding?: 'latin1' | 'utf8';
  /** The IPC access-check secret (§3): bytes, or text (UTF-8). Enables the check. */
  readonly accessSecret?: Uint8Array | string;
  /** A file holding the secret (read once, at creation; every byte counts, §3.2). */
  readonly accessSecretFile?: string;
  /** Strict mode (§17). Default false (lenient, §16). */
  readonly strict?: boolean;
  /** Strict mode: accepted protocol versions (§4.3); others get status 1. */
  readonly allowedProtocolVersions?: readonly number[];
  /** event-reply-timeout (§20) in ms; 0 = off. Default 120000. */
  readonly eventReplyTimeoutMs?: number;
  /** Write-stall limit (§1.2, §20) in ms; 0 = off. Default 15000. */
  readonly writeStallTimeoutMs?: number;
  /** Init window for header and subscription (§1.2) in ms; 0 = off. Default 5000. */
  readonly initTimeoutMs?: number;
  /** Smallest heartbeat / health-check interval (§13). Default 1000. */
  readonly minHeartbeatIntervalMs?: number;
  /** Largest client frame (§5, §17) once a connection has subscribed. Default 16 MiB. */
  readonly maxFrameBytes?: number;
  /**
   * Largest client frame before the connection has subscribed: the subscription term (§8.1) is
   * well under 1 KiB, with a stream name and an XPath filter of at most 4096 characters (16 KiB of
   * UTF-8) under 17 KiB. A larger length prefix is a `bad-frame-length` violation as soon as it is
   * read, so a client that has not subscribed can make the server hold no more. Default 32 KiB.
   */
  readonly maxSubscribeFrameBytes?: number;
  /**
   * Decode budget of one client frame before the connection has subscribed, in estimated bytes of
   * the decoded term (codec `maxDecodedBytes`): a subscription costs under 2 KiB, a 4096-character
   * filter sent as a list of integers under 240 KiB. Default 256 KiB.
   */
  readonly maxSubscribeDecodedBytes?: number;
  /**
   * Decode budget of one client frame after the subscription (codec `maxDecodedBytes`). What a
   * client sends then are acks (§12.1) of under 100 bytes; a frame past the budget is a `bad-term`
   * violation, stopped as soon as the budget is spent. Default 1 MiB.
   */
  readonly maxDecodedBytes?: number;
  /** Output queued per connection before a slow client is closed (`output-overflow`). Default 8 MiB. */
  readonly highWaterMarkBytes?: number;
  /**
   * Received bytes held for incomplete headers and frames, summed over all connections. A
   * connection whose input would take the total past it is closed (`input-overflow`): each one is
   * held to maxFrameBytes, but forty clients each sending 16 MiB minus a byte would hold ~640 MiB.
   * Default 256 MiB.
   */
  readonly maxBufferedInputBytes?: number;
  /** Journal entries kept (0 = no journal). Default 10000. */
  readonly journalLimit?: number;
  /**
   * The most bytes the journal's entries may take (estimated); the oldest are dropped beyond it and
   * counted (`journal.dropped`). Received frames over 64 KiB are journaled as size and preview.
   * Default 64 MiB.
   */
  readonly journalMaxBytes?: number;
  /** Violations kept in `violations` (the most recent; `violationCount` counts all). Default 10000. */
  readonly violationLimit?: number;
  /** The time source. Default the wall clock. */
  readonly clock?: Clock;
  /** Known user sessions for stream subscriptions (§14: unknown usid → error 22). Undefined = any usid. */
  readonly userSessions?: readonly number[];
  /** Defaults for `normalizeNotification` (user info etc.); `now` defaults to the server clock. */
  readonly notificationDefaults?: NotificationDefaults;
  /** How long a connection we ended may stay half-open before it is destroyed (clock ms). Default 5000. */
  readonly lingerMs?: number;
  /**
   * How long an incomplete header or frame may go without a further byte before the connection is
   * closed with violation `input-stall` (clock ms; 0 = off), before and after the subscription: a
   * half-sent frame must not hold a connection forever. Default 5000.
   */
  readonly inputStallTimeoutMs?: number;
  /** Real-time grace for `close()` to flush before destroying sockets (ms). Default 1000. */
  readonly shutdownGraceMs?: number;
  /**
   * Handlers for other client types, by type (the low six bits of the header's first byte, §2):
   * after the connect header, the access check and the version reply (MAAPI.md §M1) the handler
   * owns the connection's bytes. `{ 7: maapi }` serves MAAPI. A type with no handler is closed at
   * once (`client-type`, §17). The server does not know what a handler speaks.
   */
  readonly clientHandlers?: Readonly<Record<number, ClientHandler>>;
}

/** Takes a connection of another client type after its version reply (see `clientHandlers`). */
export type ClientHandler = (channel: ClientChannel) => void;

/** The addresses `listen()` bound. */
export interface BoundAddresses {
  readonly tcp?: { readonly host: string; readonly port: number };
  readonly unix?: string;
}

/** A connection, in any phase. */
export interface ConnectionInfo {
  readonly id: SubscriberId;
  readonly transport: Transport;
  readonly remoteAddress: string | undefined;
  readonly connectedAt: number;
  readonly phase: SessionPhase;
  readonly header: ConnectHeader | undefined;
  /** Output queued and not yet taken by the kernel (backpressure, §20). */
  readonly bufferedBytes: number;
  /** Bytes received of an incomplete header or frame, held until the rest arrives (see inputStallTimeoutMs). */
  readonly heldInputBytes: number;
}

/** A subscribed connection. */
export interface SubscriberInfo extends ConnectionInfo {
  readonly subscription: Subscription;
  readonly profile: Profile;
  /**
   * How `profile` was chosen: `forced` (the `profile` option), `option` (`profileForProtocolVersion`),
   * or from the client's protocol version: `known`, `newer` (above every known version), `older`
   * (unknown and lower); `note` is the line to log for `newer` and `older`.
   */
  readonly profileChoice: { readonly basis: 'forced' | 'option' | 'known' | 'newer' | 'older'; readonly note?: string };
  /** Acks it still owes (§12). */
  readonly pendingAcks: readonly PendingAck[];
  /** Frames delivered to it (notifications, periodic frames, stream markers). */
  readonly delivered: number;
  /** Its stream subscription state (§14), when it has one, with the XPath filter applied to it. */
  readonly stream?: { readonly name: string; readonly phase: 'live' | 'done'; readonly xpathFilter?: string };
}

/** A received ack and how it was classified. */
export interface AckEvent {
  readonly connectionId: SubscriberId;
  readonly ack: Ack;
  readonly result: AckReceipt['result'];
  readonly handshakeId?: number;
  readonly time: number;
}

/** A connection went away. */
export interface ClosedEvent {
  readonly connectionId: SubscriberId;
  readonly reason: CloseReason;
  /**
   * What the reason alone does not say, for logs: for `client-type`, the first byte in hex
   * (`first byte 0x47 'G' is client type 7, not 11 (§2)`: an HTTP request). Absent otherwise.
   */
  readonly detail?: string;
  /** Whether it had subscribed. */
  readonly subscribed: boolean;
  /** The acks it still owed; they were released (§12.3). */
  readonly pendingAcks: readonly PendingAck[];
  readonly delivered: number;
  readonly time: number;
}

/** The events of a {@link MockServer}. */
export interface MockServerEvents {
  listening: [addresses: BoundAddresses];
  connection: [info: ConnectionInfo];
  subscribed: [info: SubscriberInfo];
  ack: [event: AckEvent];
  violation: [violation: Violation];
  closed: [event: ClosedEvent];
  delivered: [event: DeliveredEvent];
  /** A subscriber of the type was not sent a notification its profile lacks, or that could not be encoded. */
  'not-sent': [event: NotSentEvent];
}

/** The connection-level controls (fault injection and introspection) of one connection. */
export interface ConnectionControl extends ConnectionFaults {
  readonly id: SubscriberId;
  info(): ConnectionInfo;
  /** Resolves when its queued output is handed to the kernel. */
  whenDrained(): Promise<void>;
}

/** The stream API of a server (§14). */
export interface MockStreams {
  /**
   * Declares a named stream, optionally with a replay log that starts in the past (`logStart`) and
   * events already in it (`history`, not sent live).
   * @throws NsoMockError `NSOMOCK_SERVER_STREAM` on a bad name or option, a log start in the future,
   *   or a history event outside logStart..now; CodecError `NSOMOCK_CODEC_UNENCODABLE` on a bad history event.
   * @example
   *   server.streams.define('events', { logStart: Date.UTC(2026, 0, 1), history: [{ event_time: '2026-01-01T00:00:05Z', values }] });
   */
  define(name: string, options?: StreamOptions): StreamInfo;
  /** Records an event in the stream's history and sends it to the stream's live subscribers. @throws `NSOMOCK_SERVER_STREAM` for an unknown stream. */
  publish(name: string, event: Omit<StreamEventInput, 'type' | 'event' | 'error'>): Delivery;
  has(name: string): boolean;
  list(): StreamInfo[];
  history(name: string): readonly StreamEvent[];
}

/** The public face of the server (see {@link createMockServer}). */
export interface MockServer {
  readonly clock: Clock;
  readonly journal: Journal;
  /** The violations so far, oldest first (the most recent `violationLimit` of them). */
  readonly violations: readonly Violation[];
  /** Violations ever recorded, including ones evicted from `violations`. */
  readonly violationCount: number;
  readonly streams: MockStreams;
  /** The addresses bound by `listen()` (empty before). */
  readonly addresses: BoundAddresses;
  /** Binds the configured listeners. @throws NsoMockError `NSOMOCK_SERVER_LISTEN_FAILED`. */
  listen(): Promise<BoundAddresses>;
  /** Serves an already connected duplex stream (in-process transports). @throws `NSOMOCK_SERVER_CLOSED`. */
  handle(stream: Duplex, transport?: Transport): SubscriberId;
  /**
   * Sends a notification to every subscriber whose mask has its type (§10.1).
   * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` for a bad input, NsoMockError `NSOMOCK_SERVER_CLOSED`.
   */
  emit(input: NotificationInput | Notification, options?: EmitOptions): Delivery;
  /** `emit()` and wait for its handshake. @throws NsoMockError `NSOMOCK_SERVER_ACK_FAILED` when an ack is missing. */
  emitAndWait(input: NotificationInput | Notification, options?: EmitOptions): Promise<AckOutcome>;
  /** Subscribed connections, in subscription order. */
  subscribers(): SubscriberInfo[];
  /**
   * How many connections are subscribed with every bit of `mask` (default 0: all), without building
   * {@link subscribers}' list: O(distinct masks), for waits re-checked on every server event.
   * @example
   *   server.subscriberCount(NOTIF.COMMIT_DIFF) // 2
   */
  subscriberCount(mask?: number): number;
  /** Every open connection. */
  connections(): ConnectionInfo[];
  /** Fault injection and introspection of one connection. @throws UsageError `NSOMOCK_USAGE` for an unknown id. */
  connection(id: SubscriberId): ConnectionControl;
  /** Every ack still owed, per subscriber. */
  pendingAcks(): { readonly connectionId: SubscriberId; readonly pending: readonly PendingAck[] }[];
  /**
   * Whether a commit-diff with this transaction handle waits for its diff-done ack (§12.1, §12.2):
   * while it does, a MAAPI client may attach to the transaction (MAAPI.md §M3.1).
   */
  transactionPending(th: number): boolean;
  /** Pauses (true) or resumes heartbeats / health checks of every subscriber, now and later (§13). */
  hang(hung: boolean): void;
  /**
   * Forces a profile on every connection that sends its header from now on, or `auto` (each gets
   * its client's, by protocol version). Connections already past their header keep theirs.
   * @throws UsageError `NSOMOCK_USAGE` for an unknown profile name
   */
  setProfile(setting: ProfileSetting): void;
  /** The profile forced on new connections, or `auto`. */
  readonly profileSetting: Profile | 'auto';
  /** Resolves when every connection's queued output is handed to the kernel (backpressure for bulk emitters). */
  drained(): Promise<void>;
  /** Closes listeners and connections, cancels queued emissions, removes the socket file. */
  close(): Promise<void>;
  on<K extends keyof MockServerEvents>(event: K, listener: (...args: MockServerEvents[K]) => void): this;
  once<K extends keyof MockServerEvents>(event: K, listener: (...args: MockServerEvents[K]) => void): this;
  off<K extends keyof MockServerEvents>(event: K, listener: (...args: MockServerEvents[K]) => void): this;
  addListener<K extends keyof MockServerEvents>(event: K, listener: (...args: MockServerEvents[K]) => void): this;
  removeListener<K extends keyof MockServerEvents>(event: K, listener: (...args: MockServerEvents[K]) => void): this;
  listenerCount<K extends keyof MockServerEvents>(event: K): number;
}

/**
 * The log line of a closed connection: its reason, and the detail when there is one.
 * @example
 *   describeClosed({ connectionId: 3, reason: 'client-type', detail: "first byte 0x47 'G' …", … }) // "connection 3 closed (client-type: first byte 0x47 'G' …)"
 */
export function describeClosed(e: ClosedEvent): string {
  return `connection ${e.connectionId} closed (${String(e.reason)}${e.detail === undefined ? '' : `: ${e.detail}`})`;
}

/**
 * Creates a server (not yet listening).
 * @throws UsageError `NSOMOCK_USAGE` for an invalid option.
 * @example
 *   const server = createMockServer({ tcp: { port: 0 }, clock });
 *   const { tcp } = await server.listen();
 *   const d = server.emit({ type: 'commit-diff', th: 17 });
 *   const outcome = await d.acked; // after every commit-diff subscriber sent {17, done}
 */
export function createMockServer(options: MockServerOptions = {}): MockServer {
  return new MockServerImpl(options);
}

const DEFAULTS = {
  eventReplyTimeoutMs: 120_000,
  writeStallTimeoutMs: 15_000,
  initTimeoutMs: 5_000,
  minHeartbeatIntervalMs: 1_000,
  maxFrameBytes: 16 * 1024 * 1024,
  maxSubscribeFrameBytes: 32 * 1024,
  maxSubscribeDecodedBytes: 256 * 1024,
  maxDecodedBytes: 1024 * 1024,
  highWaterMarkBytes: 8 * 1024 * 1024,
  maxBufferedInputBytes: 256 * 1024 * 1024,
  journalLimit: 10_000,
  journalMaxBytes: 64 * 1024 * 1024,
  violationLimit: 10_000,
  lingerMs: 5_000,
  inputStallTimeoutMs: 5_000,
  shutdownGraceMs: 1_000,
} as const;

function nonNegative(options: MockServerOptions, name: keyof typeof DEFAULTS): number {
  const value = options[name] ?? DEFAULTS[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to create server: option ${name} must be a non-negative number, got ${String(value)} (createMockServer)`, {
      details: { option: name, value },
    });
  }
  return value;
}

const NO_OPTIONS: EmitOptions = Object.freeze({});

/** How many recently normalized notifications `emit()` recognises when they are emitted again. */
const RECENT_NORMALIZED = 32;

const HEARTBEAT_TERM: Term = tuple(int(BIT.HEARTBEAT));
const HEALTH_CHECK_TERM: Term = tuple(int(BIT.HEALTH_CHECK));

class MockServerImpl implements MockServer {
  readonly clock: Clock;
  readonly journal: Journal;
  readonly violations: Violation[] = [];
  readonly streams: MockStreams;
  session: SessionConfig;
  readonly maxFrameBytes: number;
  readonly maxSubscribeFrameBytes: number;
  readonly decodeLimits: DecodeLimits;
  readonly subscribeDecodeLimits: DecodeLimits;
  readonly atomEncoding: 'latin1' | 'utf8';
  readonly writeStallTimeoutMs: number;
  readonly highWaterMarkBytes: number;
  /** The input bytes all connections may hold for incomplete headers and frames (see `Connection`'s accounting). */
  readonly inputBudget: InputBudget;
  readonly lingerMs: number;
  readonly inputStallTimeoutMs: number;

  readonly #options: MockServerOptions;
  readonly #events = new EventEmitter<MockServerEvents>();
  readonly #connections = new Map<SubscriberId, Connection>();
  readonly #dispatcher: Dispatcher;
  /** What a connection may touch of this server: limits, clock, journal, the input budget and its callbacks. */
  readonly #connectionHost: ConnectionHost;
  readonly #hub: StreamHub;
  readonly #owed = new Map<SubscriberId, PendingAck[]>();
  readonly #recent: (Notification | undefined)[] = new Array<Notification | undefined>(RECENT_NORMALIZED).fill(undefined);
  #recentNext = 0;
  readonly #periodic: Record<'heartbeat' | 'health-check', { frame: Uint8Array; term: Term }>;
  readonly #defaults: NotificationDefaults;
  readonly #shutdownGraceMs: number;
  readonly #clientHandlers: ReadonlyMap<number, ClientHandler>;
  readonly #violationLimit: number;
  #violationCount = 0;
  #listeners: Listener[] = [];
  #addresses: BoundAddresses = {};
  #nextConnection = 1;
  #closed = false;
  #hung = false;

  constructor(options: MockServerOptions) {
    this.#options = options;
    this.clock = options.clock ?? realClock;
    const replyTimeout = nonNegative(options, 'eventReplyTimeoutMs');
    this.writeStallTimeoutMs = nonNegative(options, 'writeStallTimeoutMs');
    this.highWaterMarkBytes = nonNegative(options, 'highWaterMarkBytes');
    this.maxFrameBytes = nonNegative(options, 'maxFrameBytes');
    this.maxSubscribeFrameBytes = Math.min(this.maxFrameBytes, nonNegative(options, 'maxSubscribeFrameBytes'));
    this.inputBudget = new InputBudget(nonNegative(options, 'maxBufferedInputBytes'));
    this.lingerMs = nonNegative(options, 'lingerMs');
    this.inputStallTimeoutMs = nonNegative(options, 'inputStallTimeoutMs');
    this.#shutdownGraceMs = nonNegative(options, 'shutdownGraceMs');
    this.#violationLimit = nonNegative(options, 'violationLimit');
    const journalLimit = nonNegative(options, 'journalLimit');
    if (!Number.isInteger(journalLimit)) {
      throw new UsageError('NSOMOCK_USAGE', `Failed to create server: option journalLimit must be an integer, got ${journalLimit} (createMockServer)`, {
        details: { option: 'journalLimit', value: journalLimit },
      });
    }
    this.journal = new Journal(journalLimit, { maxBytes: nonNegative(options, 'journalMaxBytes') });
    this.atomEncoding = options.atomEncoding ?? 'latin1';
    const strict = options.strict ?? false;
    // §17: trailing bytes after a term are accepted by Erlang (lenient) and refused in strict mode.
    // Clients never send compressed terms (docs/decisions/005-decode-budget.md): refused at the tag.
    this.decodeLimits = { allowTrailingBytes: !strict, allowCompressed: false, maxDecodedBytes: nonNegative(options, 'maxDecodedBytes') };
    this.subscribeDecodeLimits = { ...this.decodeLimits, maxDecodedBytes: nonNegative(options, 'maxSubscribeDecodedBytes') };
    this.#hub = new StreamHub(this.clock, options.userSessions === undefined ? undefined : new Set(options.userSessions));
    const handlers = options.clientHandlers ?? {};
    this.#clientHandlers = new Map(Object.entries(handlers).map(([type, handler]) => [Number(type), handler]));
    this.session = {
      accessSecret: resolveSecret(options),
      strict,
      initTimeoutMs: nonNegative(options, 'initTimeoutMs'),
      minHeartbeatIntervalMs: nonNegative(options, 'minHeartbeatIntervalMs'),
      profile: resolveProfileSetting(options.profile),
      profileForProtocolVersion: options.profileForProtocolVersion,
      allowedProtocolVersions: options.allowedProtocolVersions,
      handedOffClientTypes: new Set(this.#clientHandlers.keys()),
      checkStream: (request: StreamRequest): StreamCheck => this.#hub.check(request),
    };
    this.#defaults = { now: () => this.clock.now(), ...options.notificationDefaults };
    this.#periodic = {
      heartbeat: { frame: encodeFrame(HEARTBEAT_TERM, { atomEncoding: this.atomEncoding }), term: HEARTBEAT_TERM },
      'health-check': { frame: encodeFrame(HEALTH_CHECK_TERM, { atomEncoding: this.atomEncoding }), term: HEALTH_CHECK_TERM },
    };
    this.#dispatcher = new Dispatcher(
      {
        streams: this.#hub,
        recipient: (id) => this.#connections.get(id),
        wantDelivered: () => this.#events.listenerCount('delivered') > 0,
        delivered: (event) => this.#events.emit('delivered', event),
        notSent: (event) => {
          if (this.journal.enabled) this.journal.record({ time: event.time, connectionId: event.connectionId, direction: 'out', kind: 'not-sent', note: event.message });
          this.#events.emit('not-sent', event);
        },
        onAckTimeout: (connectionId, pending) => this.#onAckTimeout(connectionId, pending),
      },
      { clock: this.clock, atomEncoding: this.atomEncoding, replyTimeoutMs: replyTimeout },
    );
    this.streams = this.#makeStreams();
    this.#connectionHost = this.#makeConnectionHost();
  }

  #makeConnectionHost(): ConnectionHost {
    // A getter: setProfile() replaces the session config, and each connection step reads the current one.
    const session = (): SessionConfig => this.session;
    return {
      get session() {
        return session();
      },
      clock: this.clock,
      journal: this.journal,
      maxFrameBytes: this.maxFrameBytes,
      maxSubscribeFrameBytes: this.maxSubscribeFrameBytes,
      decodeLimits: this.decodeLimits,
      subscribeDecodeLimits: this.subscribeDecodeLimits,
      atomEncoding: this.atomEncoding,
      writeStallTimeoutMs: this.writeStallTimeoutMs,
      highWaterMarkBytes: this.highWaterMarkBytes,
      inputBudget: this.inputBudget,
      lingerMs: this.lingerMs,
      inputStallTimeoutMs: this.inputStallTimeoutMs,
      periodicFrame: (type) => this.#periodicFrame(type),
      onPeriodic: (connection, type) => this.#onPeriodic(connection, type),
      onViolation: (connection, code, expected, actual, closes) => this.#onViolation(connection, code, expected, actual, closes),
      onSubscribed: (connection, subscription, profile) => this.#onSubscribed(connection, subscription, profile),
      onAck: (connection, ack) => this.#onAck(connection, ack),
      onHandOff: (connection, channel) => this.#onHandOff(connection, channel),
      onClosing: (connection, reason) => this.#onClosing(connection, reason),
      onClosed: (connection, reason) => this.#onClosed(connection, reason),
    };
  }

  get addresses(): BoundAddresses {
    return this.#addresses;
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  async listen(): Promise<BoundAddresses> {
    this.#assertOpen('listen');
    if (this.#listeners.length > 0) return this.#addresses;
    const { listeners, addresses } = await startListeners(this.#options, (socket, transport) => {
      if (this.#closed) {
        socket.destroy();
        return;
      }
      socket.setNoDelay(true);
      this.#accept(socket, transport, transport === 'tcp' ? `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}` : undefined);
    });
    this.#listeners = [...listeners];
    this.#addresses = addresses;
    this.#events.emit('listening', addresses);
    return addresses;
  }

  handle(stream: Duplex, transport: Transport = 'duplex'): SubscriberId {
    this.#assertOpen('handle a connection');
    return this.#accept(stream, transport, undefined).id;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#dispatcher.stop();
    const listeners = this.#listeners;
    this.#listeners = [];
    const stopping = listeners.map((l) => l.close());
    await Promise.all([...this.#connections.values()].map((c) => c.shutdown(this.#shutdownGraceMs)));
    await Promise.all(stopping);
    this.#hub.close();
    // Emissions still held behind a handshake will never go out.
    this.#dispatcher.close();
  }

  // ---- emission -------------------------------------------------------------------------------

  emit(input: NotificationInput | Notification, options: EmitOptions = NO_OPTIONS): Delivery {
    this.#assertOpen('emit');
    const notification = this.#normalize(input);
    if (options.stream !== undefined) {
      if (notification.type !== 'stream-event') {
        throw new UsageError('NSOMOCK_USAGE', `Failed to emit: option stream needs a stream-event, got ${notification.type} (emit)`, {
          details: { option: 'stream', value: options.stream },
        });
      }
      if (!this.#hub.has(options.stream)) {
        throw new NsoMockError('NSOMOCK_SERVER_STREAM', `Failed to publish: unknown stream (stream ${JSON.stringify(options.stream)})`, {
          details: { stream: options.stream },
        });
      }
      if (notification.event === 1) this.#hub.record(options.stream, notification);
    }
    return this.#dispatcher.submit(notification, options, notification === input);
  }

  /**
   * A friendly input is normalised; so is a complete `Notification` (e.g. decoded from a vector):
   * `normalizeNotification` is idempotent on one.
   */
  #normalize(input: NotificationInput | Notification): Notification {
    // Re-emitting a notification this server normalized recently (e.g. `delivery.notification` in
    // a loop) skips the work: notifications are immutable values. A small ring rather than a
    // WeakSet: marking every fresh notification would cost more than it saves.
    const recent = this.#recent;
    for (let i = 0; i < recent.length; i += 1) if (recent[i] === input) return input as Notification;
    const n = normalizeNotification(input, this.#defaults);
    recent[this.#recentNext] = n;
    this.#recentNext = (this.#recentNext + 1) % RECENT_NORMALIZED;
    return n;
  }

  async emitAndWait(input: NotificationInput | Notification, options?: EmitOptions): Promise<AckOutcome> {
    const outcome = await this.emit(input, options).acked;
    if (!outcome.ok) {
      const missing = outcome.missing.map((m) => `${m.connectionId} (${m.reason})`).join(', ');
      throw new NsoMockError('NSOMOCK_SERVER_ACK_FAILED', `Failed to complete the handshake: missing acks from ${missing || 'nobody (cancelled)'} (emitAndWait)`, {
        details: { outcome },
      });
    }
    return outcome;
  }

  // ---- connections (ConnectionHost) ---------------------------------------------------------------

  #accept(stream: Duplex, transport: Transport, remoteAddress: string | undefined): Connection {
    const conn = new Connection(this.#connectionHost, stream, this.#nextConnection++, transport, remoteAddress);
    this.#connections.set(conn.id, conn);
    conn.start();
    if (this.#connections.has(conn.id)) this.#events.emit('connection', connectionInfo(conn));
    return conn;
  }

  #periodicFrame(type: 'heartbeat' | 'health-check'): { readonly frame: Uint8Array; readonly term: Term } {
    return this.#periodic[type];
  }

  #onPeriodic(connection: Connection, type: 'heartbeat' | 'health-check'): void {
    if (this.#events.listenerCount('delivered') === 0) return;
    const bit = type === 'heartbeat' ? BIT.HEARTBEAT : BIT.HEALTH_CHECK;
    this.#events.emit('delivered', { connectionId: connection.id, emissionId: 0, type, bit, time: this.clock.now() });
  }

  #onViolation(connection: Connection, code: ViolationCode, expected: string, actual: string, closes: boolean): void {
    this.#recordViolation(violation(code, connection.id, expected, actual, this.clock.now(), closes));
  }

  #onSubscribed(connection: Connection, subscription: Subscription, profile: Profile): void {
    if (this.#hung) connection.hang(true);
    this.#dispatcher.subscribe(connection.id, subscription.mask);
    const request = subscription.stream;
    if ((subscription.mask & BIT.STREAM_EVENT) !== 0 && request !== undefined) this.#hub.start(connection.id, request, (n) => this.#sendDirect(connection, n));
    this.#events.emit('subscribed', this.#subscriberInfo(connection, subscription, profile));
  }

  #onAck(connection: Connection, ack: Ack): void {
    const receipt = this.#dispatcher.acks.receive(connection.id, ack);
    const time = this.clock.now();
    this.#events.emit('ack', {
      connectionId: connection.id,
      ack,
      result: receipt.result,
      ...(receipt.result === 'matched' ? { handshakeId: receipt.handshakeId } : {}),
      time,
    });
    if (receipt.result === 'matched') return;
    // §12.4: ignore and record; strict mode closes the offender. A late ack arrives while closing anyway.
    const strict = this.session.strict && connection.phase === 'subscribed';
    this.#recordViolation(violation(receipt.result, connection.id, describeExpectation(receipt.result), describeAck(ack), time, strict));
    if (strict) connection.dispatch({ kind: 'close', reason: 'violation' });
  }

  #onHandOff(_connection: Connection, channel: ClientChannel): void {
    const handler = this.#clientHandlers.get(channel.header.clientType);
    if (handler === undefined) throw new TypeError(`no handler for client type ${channel.header.clientType}`);
    handler(channel);
  }

  transactionPending(th: number): boolean {
    return this.#dispatcher.acks.isBlocked(ackScope({ kind: 'diff-done', th }));
  }

  #onClosing(connection: Connection, reason: CloseReason): void {
    this.#dispatcher.unsubscribe(connection.id);
    this.#hub.drop(connection.id);
    // §12.3: a closing subscriber releases what it was blocking; report what it owed.
    const owed = this.#dispatcher.acks.drop(connection.id, 'disconnect');
    this.#owed.set(connection.id, owed);
    if (owed.length > 0 && reason !== 'server-closed') {
      this.#recordViolation(
        violation(
          'ack-missing',
          connection.id,
          owed.map((p) => describeAck(p.expected)).join(', '),
          `connection closed (${reason})`,
          this.clock.now(),
          true,
        ),
      );
    }
  }

  #onClosed(connection: Connection, reason: CloseReason): void {
    this.#dispatcher.acks.forget(connection.id);
    this.#connections.delete(connection.id);
    const owed = this.#owed.get(connection.id) ?? [];
    this.#owed.delete(connection.id);
    const detail = connection.closeDetail;
    this.#events.emit('closed', {
      connectionId: connection.id,
      reason,
      ...(detail === undefined ? {} : { detail }),
      subscribed: connection.subscription !== undefined,
      pendingAcks: owed,
      delivered: connection.delivered,
      time: this.clock.now(),
    });
  }

  #onAckTimeout(connectionId: SubscriberId, pending: PendingAck): void {
    const conn = this.#connections.get(connectionId);
    // §20: event-reply-timeout closes the subscriber's socket; what it blocked proceeds.
    this.#recordViolation(
      violation('ack-timeout', connectionId, describeAck(pending.expected), `no ack within ${(pending.deadline ?? pending.since) - pending.since} ms`, this.clock.now(), true),
    );
    conn?.dispatch({ kind: 'close', reason: 'ack-timeout' });
  }

  get violationCount(): number {
    return this.#violationCount;
  }

  #recordViolation(v: Violation): void {
    this.#violationCount += 1;
    this.violations.push(v);
    // Bounded like the journal: a client that misbehaves forever must not grow the server.
    if (this.violations.length > this.#violationLimit) this.violations.splice(0, this.violations.length - this.#violationLimit);
    this.#events.emit('violation', v);
  }

  // ---- streams (§14) -------------------------------------------------------------------------------

  #sendDirect(connection: Connection, n: Notification): void {
    const profile = connection.profile ?? this.session.profile ?? 'nso57';
    const term = notificationToTerm(n, profile);
    connection.sendFrame(encodeFrame(term, { atomEncoding: this.atomEncoding }));
  }

  #makeStreams(): MockStreams {
    return {
      define: (name, options = {}) => {
        // History events get the same defaults and checks as published ones (event_time: now).
        const history = (options.history ?? []).map((event) => normalizeNotification({ ...event, type: 'stream-event', event: 1 }, this.#defaults) as StreamEvent);
        return this.#hub.define(name, options, history);
      },
      publish: (name, event) => this.emit({ ...event, type: 'stream-event', event: 1 }, { stream: name }),
      has: (name) => this.#hub.has(name),
      list: () => this.#hub.list(),
      history: (name) => this.#hub.history(name),
    };
  }

  // ---- introspection ------------------------------------------------------------------------------

  subscribers(): SubscriberInfo[] {
    const out: SubscriberInfo[] = [];
    for (const conn of this.#connections.values()) {
      const { subscription, profile } = conn;
      if (conn.phase === 'subscribed' && subscription !== undefined && profile !== undefined) {
        out.push(this.#subscriberInfo(conn, subscription, profile));
      }
    }
    return out;
  }

  subscriberCount(mask = 0): number {
    return this.#dispatcher.subscriberCount(mask);
  }

  connections(): ConnectionInfo[] {
    return [...this.#connections.values()].map(connectionInfo);
  }

  connection(id: SubscriberId): ConnectionControl {
    const conn = this.#connections.get(id);
    if (conn === undefined) {
      throw new UsageError('NSOMOCK_USAGE', `Failed to find connection: no open connection ${id} (connection)`, { details: { option: 'id', value: id } });
    }
    return {
      id,
      info: () => connectionInfo(conn),
      whenDrained: () => conn.whenDrained(),
      inject: (bytes) => conn.inject(bytes),
      stall: (ms) => conn.stall(ms),
      close: () => conn.close(),
      truncateNextFrame: () => conn.truncateNextFrame(),
      slowWrite: (bytesPerTick, tickMs) => conn.slowWrite(bytesPerTick, tickMs),
      hang: (hung) => conn.hang(hung),
      delay: (ms) => conn.delay(ms),
      cutAfter: (bytes, detail) => conn.cutAfter(bytes, detail),
    };
  }

  pendingAcks(): { readonly connectionId: SubscriberId; readonly pending: readonly PendingAck[] }[] {
    const out: { connectionId: SubscriberId; pending: PendingAck[] }[] = [];
    for (const id of this.#connections.keys()) {
      const pending = this.#dispatcher.acks.pendingOf(id);
      if (pending.length > 0) out.push({ connectionId: id, pending });
    }
    return out;
  }

  setProfile(setting: ProfileSetting): void {
    // Connections read the session config at each step: the next header sees the new setting.
    this.session = { ...this.session, profile: resolveProfileSetting(setting) };
  }

  get profileSetting(): Profile | 'auto' {
    return this.session.profile ?? 'auto';
  }

  hang(hung: boolean): void {
    this.#hung = hung;
    for (const conn of this.#connections.values()) conn.hang(hung);
  }

  async drained(): Promise<void> {
    await Promise.all([...this.#connections.values()].map((c) => c.whenDrained()));
  }

  #subscriberInfo(conn: Connection, subscription: Subscription, profile: Profile): SubscriberInfo {
    const stream = this.#hub.info(conn.id);
    const info: SubscriberInfo = {
      ...connectionInfo(conn),
      subscription,
      profile,
      profileChoice: conn.profileChoice ?? { basis: 'forced' },
      pendingAcks: this.#dispatcher.acks.pendingOf(conn.id),
      delivered: conn.delivered,
    };
    if (stream === undefined) return info;
    return { ...info, stream };
  }

  #assertOpen(action: string): void {
    if (this.#closed) {
      throw new NsoMockError('NSOMOCK_SERVER_CLOSED', `Failed to ${action}: the server is closed (mock server)`, { details: {} });
    }
  }

  // ---- events -------------------------------------------------------------------------------------

  on<K extends keyof MockServerEvents>(event: K, listener: (...args: MockServerEvents[K]) => void): this {
    this.#events.on(event, listener as never);
    return this;
  }

  once<K extends keyof MockServerEvents>(event: K, listener: (...args: MockServerEvents[K]) => void): this {
    this.#events.once(event, listener as never);
    return this;
  }

  off<K extends keyof MockServerEvents>(event: K, listener: (...args: MockServerEvents[K]) => void): this {
    this.#events.off(event, listener as never);
    return this;
  }

  addListener<K extends keyof MockServerEvents>(event: K, listener: (...args: MockServerEvents[K]) => void): this {
    return this.on(event, listener);
  }

  removeListener<K extends keyof MockServerEvents>(event: K, listener: (...args: MockServerEvents[K]) => void): this {
    return this.off(event, listener);
  }

  listenerCount<K extends keyof MockServerEvents>(event: K): number {
    return this.#events.listenerCount(event);
  }
}

function connectionInfo(conn: Connection): ConnectionInfo {
  return {
    id: conn.id,
    transport: conn.transport,
    remoteAddress: conn.remoteAddress,
    connectedAt: conn.connectedAt,
    phase: conn.phase,
    header: conn.header,
    bufferedBytes: conn.bufferedBytes,
    heldInputBytes: conn.heldInputBytes,
  };
}

function resolveSecret(options: MockServerOptions): Uint8Array | undefined {
  if (options.accessSecret !== undefined) {
    return typeof options.accessSecret === 'string' ? new TextEncoder().encode(options.accessSecret) : options.accessSecret;
  }
  if (options.accessSecretFile === undefined) return undefined;
  try {
    return new Uint8Array(readFileSync(options.accessSecretFile));
  } catch (error) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to read the access secret: ${error instanceof Error ? error.message : String(error)} (${options.accessSecretFile})`, {
      details: { option: 'accessSecretFile', value: options.accessSecretFile },
      cause: error,
    });
  }
}

/** An ack in the same Erlang form everywhere (`{17,done}`): violations, the journal and the control API use formatAck too. */
function describeAck(ack: Ack): string {
  return formatAck(ack);
}

function describeExpectation(result: Exclude<AckReceipt['result'], 'matched'>): string {
  switch (result) {
    case 'ack-late':
      return 'the ack before event-reply-timeout (§20)';
    case 'ack-duplicate':
      return 'one ack per notification (§12.4)';
    case 'ack-unknown-handle':
      return 'an ack for a notification this connection received (§12.4)';
    default: {
      const never: never = result;
      return String(never);
    }
  }
}
