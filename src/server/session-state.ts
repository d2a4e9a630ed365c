/**
 * The states of one event-notification session (PROTOCOL.md §7) and what the reducer in
 * session.ts consumes and produces. session.ts is pure; connection.ts carries out the effects.
 *
 * ```
 *                 accept (connection.ts sets the init timer, §1.2)
 *                   |
 *                   v
 *         +--------------------+  first byte: client type != 11 and no handler for it (§2, §17) --> closed
 *         | await-header       |  9 bytes: bit 6 without bit 7 (§17) --- violation ---> closed
 *         |                    |  init timer (§1.2) --------- violation header-timeout -> closed
 *         +--------------------+
 *           | 9 bytes, bit 7 set (or a secret is configured but bit 7 is missing: close, §3.4)
 *           |------------------------------------------+
 *           | no bit 7, no secret                      v
 *           |                        +----------------------------+
 *           |                        | await-challenge-response   |  wrong digest / byte 0 != 12:
 *           |                        | (challenge 1+N sent, §3.1) |  write 0x01, violation --> closed
 *           |                        +----------------------------+
 *           |                                          | good digest: write 0x00 (§3.2)
 *           v                                          v
 *         write the 9-byte version reply (§4; one write) <-----+
 *           | strict and version not allowed: status 1 (§4.3) --- violation bad-version -> closed
 *           | another client type with a handler (MAAPI.md §M1): --> handed-off (the handler
 *           |   reads and writes the bytes that follow; the server still owns the socket)
 *           v
 *         +--------------------+  bad frame / bad term (§17) ---------- violation --> closed
 *         | await-subscription |  not a §8.1 5-tuple: {error,21,..} - violation --> closed
 *         |                    |  unknown stream/usid: {error,1|22,..} (§8.4, §14) -> closed
 *         |                    |  init timer (§1.2) ------ violation subscribe-timeout --> closed
 *         +--------------------+
 *           | valid: reply `ok` (§8.4); heartbeat / health-check timers (§13)
 *           v
 *         +--------------------+  server -> client: notifications (§10) and periodic frames
 *         | subscribed         |  client -> server: acks (§12) -> 'ack' effect or violation
 *         |                    |  bad frame / bad term / second subscription -> violation -> closed
 *         +--------------------+
 *           | peer closed / ack-timeout / write stall / output overflow / shutdown / fault
 *           v
 *         +--------------------+  the socket is ended; an ack still read here is `ack-late` (§20)
 *         | closing            |
 *         +--------------------+
 *           | the socket is gone
 *           v
 *         closed   (the tracker drops this client's pending acks and reports them, §12.3)
 * ```
 */
import type { AccessCheckVersion, Ack, ConnectHeader, Profile, Subscription, Term } from '../codec/index.js';

/**
 * How a connection's profile was chosen: `forced` (the server's `profile` option), `option` (its
 * `profileForProtocolVersion` callback), or from the client's protocol version by the table of
 * `profileForProtocolVersion` in the codec: `known`, `newer` (above every known version) or
 * `older` (an unknown lower version). `note` is the line to log for `newer` and `older`.
 */
export interface ConnectionProfileChoice {
  readonly basis: 'forced' | 'option' | 'known' | 'newer' | 'older';
  readonly note?: string;
}
import type { JournalEntryKind } from './journal.js';
import type { ViolationCode } from './violations.js';

/** The phase of a session (a string-literal union, STYLE.md §4). */
export type SessionPhase =
  | 'await-header'
  | 'await-challenge-response'
  | 'await-subscription'
  | 'subscribed'
  /** Another client type's handler owns the connection after the version reply (MAAPI.md §M1; `clientHandlers`). */
  | 'handed-off'
  | 'closing'
  | 'closed';

/** The timers a session asks its shell to run (through the injected Clock). */
export type SessionTimer = 'init' | 'heartbeat' | 'health-check';

/** Why a connection was closed. */
export type CloseReason =
  /** The client closed or reset its socket. */
  | 'peer-closed'
  /** A client type other than 11 (e.g. the Java MAAPI side connection, §2, §17). */
  | 'client-type'
  /** The access check failed or was required but not asked for (§3). */
  | 'access-denied'
  /** Strict mode refused the protocol version (§4.3). */
  | 'bad-version'
  /** The subscription was refused with an error reply (§8.4). */
  | 'subscribe-refused'
  /** A protocol violation (see the violation record). */
  | 'violation'
  /** A required ack did not arrive within event-reply-timeout (§20). */
  | 'ack-timeout'
  /** A write stayed blocked longer than the write-stall limit (§20). */
  | 'write-stall'
  /** More than highWaterMarkBytes of output queued for a slow client. */
  | 'output-overflow'
  /** Its incomplete input would take the server's buffered input past maxBufferedInputBytes. */
  | 'input-overflow'
  /** An incomplete header or frame made no progress for longer than inputStallTimeoutMs. */
  | 'input-stall'
  /** `server.close()`. */
  | 'server-closed'
  /** A fault-injection hook (`close()`, `truncateNextFrame()`). */
  | 'fault-injection';

/** One session's state. Immutable: the reducer returns a new object for every change. */
export interface SessionState {
  readonly phase: SessionPhase;
  readonly connectionId: number;
  readonly header?: ConnectHeader;
  /** The access-check variant and the challenge that was sent (§3). */
  readonly access?: { readonly version: AccessCheckVersion; readonly challenge: Uint8Array };
  readonly subscription?: Subscription;
  /** The notification layout profile of this connection (§0.4, §16), chosen at the version reply. */
  readonly profile?: Profile;
  /** How `profile` was chosen (forced, or from the client's protocol version) and the log line, if any. */
  readonly profileChoice?: ConnectionProfileChoice;
  /** Effective periodic intervals after clamping (§13); undefined when the type is not subscribed. */
  readonly heartbeatIntervalMs?: number;
  readonly healthCheckIntervalMs?: number;
  /** Periodic frames are paused (`hang`, §13: lets tests exercise a client watchdog). */
  readonly hung: boolean;
  readonly closeReason?: CloseReason;
  /** What the reason alone does not say, e.g. the byte that was no client type 11 (`client-type`). */
  readonly closeDetail?: string;
}

/** What a session reacts to; everything is already decoded by the shell. */
export type SessionInput =
  /** The socket was accepted: arms the init timer (§1.2). */
  | { readonly kind: 'accepted' }
  /** The very first byte, so a one-byte type-12 header or a type-7 connection is refused at once (§2, §17). */
  | { readonly kind: 'header-start'; readonly byte: number }
  /** The 9 header bytes (§2); `entropy` is 32 fresh random bytes for a challenge (purity: the shell draws them). */
  | { readonly kind: 'header'; readonly bytes: Uint8Array; readonly entropy: Uint8Array }
  /** The 1 + N response bytes of the access check (§3.2). */
  | { readonly kind: 'challenge-response'; readonly bytes: Uint8Array }
  /** One decoded frame (§5). */
  | { readonly kind: 'frame'; readonly term: Term }
  /** A frame that could not be read: its length (§5) or its term (§6) is bad. */
  | { readonly kind: 'bad-frame'; readonly code: 'bad-frame-length' | 'bad-term'; readonly detail: string }
  | { readonly kind: 'timer'; readonly timer: SessionTimer }
  /** Pause (true) or resume (false) heartbeats and health checks (§13). */
  | { readonly kind: 'hang'; readonly hung: boolean }
  /** A write has been blocked longer than the stall limit (§20), or the output bound was exceeded. */
  | { readonly kind: 'output-blocked'; readonly code: 'write-stall' | 'output-overflow'; readonly detail: string }
  /** The incomplete input held by all connections would pass maxBufferedInputBytes with this one's. */
  | { readonly kind: 'input-overflow'; readonly detail: string }
  /** An incomplete header or frame received no byte for longer than the input-stall limit (the shell measures it on the clock). */
  | { readonly kind: 'input-stall'; readonly detail: string }
  /** The server decided to close (shutdown, ack timeout, fault injection, strict-mode ack violation). */
  | { readonly kind: 'close'; readonly reason: CloseReason; readonly detail?: string }
  /** The socket is gone (the peer closed, reset, or our own close completed). */
  | { readonly kind: 'socket-closed' };

/** What the shell must do, in order. */
export type SessionEffect =
  /** Write unframed bytes (challenge, access result, version reply: each in one write, §3.1, §4). */
  | { readonly kind: 'write'; readonly bytes: Uint8Array; readonly journal: JournalEntryKind }
  /** Write one frame holding `term` (subscription reply, §8.4). */
  | { readonly kind: 'send'; readonly term: Term }
  | { readonly kind: 'set-timer'; readonly timer: SessionTimer; readonly delayMs: number }
  | { readonly kind: 'clear-timer'; readonly timer: SessionTimer }
  | { readonly kind: 'violation'; readonly code: ViolationCode; readonly expected: string; readonly actual: string; readonly closes: boolean }
  /** The session has subscribed: register it for delivery (and start a stream replay, §14). */
  | { readonly kind: 'subscribed'; readonly subscription: Subscription; readonly profile: Profile }
  /** A well-formed ack that passed the mask checks: hand it to the ack tracker (§12). */
  | { readonly kind: 'ack'; readonly ack: Ack }
  /** Send one heartbeat or health check now (§13). */
  | { readonly kind: 'periodic'; readonly type: 'heartbeat' | 'health-check' }
  /** Close the socket: `end` flushes queued output first, `destroy` drops it. */
  | { readonly kind: 'close'; readonly reason: CloseReason; readonly mode: 'end' | 'destroy' }
  /** The session reached `closed`: release its subscription and pending acks (§12.3). */
  | { readonly kind: 'release' }
  /** The version reply is out: hand the connection to its client type's handler (MAAPI.md §M1). */
  | { readonly kind: 'hand-off' };

/** The result of one reducer step. */
export interface SessionStep {
  readonly state: SessionState;
  readonly effects: readonly SessionEffect[];
}

/**
 * The initial state of a session.
 * @example
 *   let state = initialSessionState(1);
 */
export function initialSessionState(connectionId: number): SessionState {
  return { phase: 'await-header', connectionId, hung: false };
}
