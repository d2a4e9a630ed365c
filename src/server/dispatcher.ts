/**
 * Who receives a notification and when (PROTOCOL.md §10.1, §12): submit, the per-scope queues
 * behind open handshakes (§12.2), release when a handshake settles, delivery by mask to each
 * recipient with its profile's encoding (shared by every recipient of one profile and outer bit,
 * kept for a notification emitted again), and the ack tracking. Socket-free: recipients are
 * anything with `sendFrame`, the streams and the reports are the host's; testable without sockets.
 */
import {
  ackRequiredBy,
  describeProfile,
  encodeFrame,
  notificationToTerm,
  notificationTypes,
  PROFILES,
  unavailableReason,
  type Ack,
  type ConnectHeader,
  type Notification,
  type NotificationType,
  type Profile,
  type Subscription,
} from '../codec/index.js';
import { AckTracker, ackScope, type AckOutcome, type Handshake, type PendingAck } from './ack-tracker.js';
import type { Clock } from './clock.js';
import type { StreamEvent } from './streams.js';
import { outerBitFor, SubscriptionIndex } from './subscriptions.js';
import type { FilterElement } from './xpath-filter.js';

/** A subscriber is identified by its connection id (unique per server, starting at 1). */
export type SubscriberId = number;

/** One notification written to one subscriber. */
export interface DeliveredEvent {
  readonly connectionId: SubscriberId;
  readonly emissionId: number;
  readonly type: NotificationType;
  /** The type bit the outer tuple carried (§10.1). */
  readonly bit: number;
  readonly time: number;
}
/** A notification a subscriber of its type was not sent, and why (never silent: also in the journal). */
export interface NotSentEvent {
  readonly connectionId: SubscriberId;
  readonly emissionId: number;
  readonly type: NotificationType;
  /** `profile`: the connection's profile has no such type or variant; `unencodable`: encoding failed (an error). */
  readonly reason: 'profile' | 'unencodable';
  /** One line: `audit-network not sent to connection 3: its client speaks NSO 5.7, protocol 77 (profile nso57)`. */
  readonly message: string;
  readonly time: number;
}

/** Options of one emission. */
export interface EmitOptions {
  /** Deliver a stream event through this named stream (§14): recorded in its history, sent to its live subscribers. */
  readonly stream?: string;
  /** Verbosity of a progress event (§8.1, §11.14): only subscribers with at least this verbosity get it. Default 0. */
  readonly verbosity?: 0 | 1 | 2 | 3;
}

/** Why a subscriber of the type was not sent a notification. */
export interface SkippedRecipient {
  readonly connectionId: SubscriberId;
  /**
   * `profile`: its layout profile has no such type or variant (§16.5, NSO62.md); `unencodable`:
   * encoding it for that connection failed (an error, reported); `verbosity`: below the event's
   * verbosity; `filter`: a stream event its subscription's XPath filter did not select (§14).
   */
  readonly reason: 'profile' | 'unencodable' | 'verbosity' | 'filter';
  /** For `profile` and `unencodable`: why, in one line (also the `not-sent` event and the journal note). */
  readonly message?: string;
}

/** The handle of one emitted notification. */
export interface Delivery {
  readonly id: number;
  readonly notification: Notification;
  /** Whether it was held at emit time behind an open handshake of its scope (§12.2). */
  readonly queued: boolean;
  /** The subscribers it was written to (empty while queued). */
  readonly recipients: readonly SubscriberId[];
  readonly skipped: readonly SkippedRecipient[];
  /** Resolves with the recipients once it is written (at once unless queued; `[]` if the server closed first). */
  readonly sent: Promise<readonly SubscriberId[]>;
  /** Settles when every required ack arrived or was given up (timeout, disconnect); never rejects. */
  readonly acked: Promise<AckOutcome>;
}
/** What the dispatcher sees of a connection: enough to choose, encode and write. */
export interface Recipient {
  readonly id: SubscriberId;
  readonly subscription: Subscription | undefined;
  readonly profile: Profile | undefined;
  readonly profileChoice: { readonly basis: string } | undefined;
  readonly header: ConnectHeader | undefined;
  /** Queues one frame; false when the connection is closing or just closed on overflow. */
  sendFrame(frame: Uint8Array, time: number): boolean;
}

/** The stream side of a delivery (implemented by the stream hub). */
export interface StreamSelector {
  /** Whether a notification of `stream` (undefined: none) goes to this subscriber. */
  accepts(id: SubscriberId, stream: string | undefined): boolean;
  /** Whether the subscriber's XPath filter selects the event; `trees` caches the event's tree per stream. */
  selects(id: SubscriberId, n: StreamEvent, trees: Map<string, FilterElement[]>): boolean;
}

/** What the dispatcher needs from the server around it. */
export interface DispatcherHost {
  readonly streams: StreamSelector;
  /** The open connection with this id, if any. */
  recipient(id: SubscriberId): Recipient | undefined;
  /** Whether anybody listens for `delivered` (skips building the events when nobody does). */
  wantDelivered(): boolean;
  delivered(event: DeliveredEvent): void;
  /** A recipient was not sent a notification (never silent: the host journals it and emits `not-sent`). */
  notSent(event: NotSentEvent): void;
  /** An ack deadline fired (§20). */
  onAckTimeout(connectionId: SubscriberId, pending: PendingAck): void;
}

export interface DispatcherOptions {
  readonly clock: Clock;
  readonly atomEncoding: 'latin1' | 'utf8';
  /** event-reply-timeout in ms (§20); 0 turns deadlines off. */
  readonly replyTimeoutMs: number;
}

/** Every type and flag bit: `ackRequiredBy` with it gives the ack a notification's handshake is about (its scope). */
const ALL_BITS_MASK = 0x7fffffff;

const NO_SKIPS: readonly SkippedRecipient[] = Object.freeze([]);

/**
 * One emitted notification and its {@link Delivery} handle. The promises are created only when
 * read: emitting a million notifications a second must not allocate two promises, two resolvers
 * and an outcome object per notification that nobody awaits.
 */
export class Emission implements Delivery {
  readonly id: number;
  readonly notification: Notification;
  readonly options: EmitOptions;
  /** The §12.2 scope its handshake would block, when it can need acks. */
  readonly scope: string | undefined;
  readonly expected: Ack | undefined;
  readonly queued: boolean;
  readonly recipients: SubscriberId[] = [];
  #skipped: SkippedRecipient[] | undefined;
  #sentAt: number | undefined;
  #sent: Promise<readonly SubscriberId[]> | undefined;
  #resolveSent: ((r: readonly SubscriberId[]) => void) | undefined;
  #handshake: Handshake | undefined;
  #outcome: AckOutcome | undefined;
  #acked: Promise<AckOutcome> | undefined;
  #resolveAcked: ((o: AckOutcome) => void) | undefined;

  constructor(id: number, notification: Notification, options: EmitOptions, expected: Ack | undefined, scope: string | undefined, queued: boolean) {
    this.id = id;
    this.notification = notification;
    this.options = options;
    this.expected = expected;
    this.scope = scope;
    this.queued = queued;
  }

  get skipped(): readonly SkippedRecipient[] {
    return this.#skipped ?? NO_SKIPS;
  }

  skip(connectionId: SubscriberId, reason: SkippedRecipient['reason'], message?: string): void {
    (this.#skipped ??= []).push(message === undefined ? { connectionId, reason } : { connectionId, reason, message });
  }

  get sent(): Promise<readonly SubscriberId[]> {
    if (this.#sent === undefined) {
      if (this.#sentAt !== undefined) this.#sent = Promise.resolve(this.recipients);
      // Cancelled before anybody asked (the server closed while it was queued): never sent.
      else if (this.#outcome !== undefined) this.#sent = Promise.resolve([]);
      else this.#sent = new Promise((r) => (this.#resolveSent = r));
    }
    return this.#sent;
  }

  get acked(): Promise<AckOutcome> {
    if (this.#acked === undefined) {
      if (this.#handshake !== undefined) this.#acked = this.#handshake.outcome;
      else if (this.#outcome !== undefined || this.#sentAt !== undefined) this.#acked = Promise.resolve(this.#finalOutcome());
      else this.#acked = new Promise((r) => (this.#resolveAcked = r));
    }
    return this.#acked;
  }

  /** Written to its recipients at `time`; `handshake` when some of them must ack. */
  markSent(time: number, handshake: Handshake | undefined): void {
    this.#sentAt = time;
    this.#handshake = handshake;
    this.#resolveSent?.(this.recipients);
    if (this.#resolveAcked !== undefined) {
      const resolve = this.#resolveAcked;
      if (handshake !== undefined) void handshake.outcome.then(resolve);
      else resolve(this.#finalOutcome());
    }
  }

  /** Never sent (the server closed while it was queued). */
  cancel(time: number): void {
    this.#outcome = { ok: false, expected: this.expected, required: [], acked: [], missing: [], openedAt: time, settledAt: time };
    this.#resolveSent?.([]);
    this.#resolveAcked?.(this.#outcome);
  }

  #finalOutcome(): AckOutcome {
    const t = this.#sentAt ?? 0;
    return (this.#outcome ??= { ok: true, expected: undefined, required: [], acked: [], missing: [], openedAt: t, settledAt: t });
  }
}

/** Encodings of one notification per (profile, outer bit), kept for notifications that are emitted again. */
type FrameCache = Map<number, Uint8Array | string>;

export class Dispatcher {
  /** Outstanding acks and the handshakes they hold (§12). */
  readonly acks: AckTracker;
  readonly #host: DispatcherHost;
  readonly #clock: Clock;
  readonly #atomEncoding: 'latin1' | 'utf8';
  /** Subscribers by type bit, updated as they subscribe and close (never rebuilt). */
  readonly #index = new SubscriptionIndex();
  readonly #queues = new Map<string, Emission[]>();
  readonly #frameCaches = new WeakMap<Notification, FrameCache>();
  #nextEmission = 1;
  #closed = false;

  constructor(host: DispatcherHost, options: DispatcherOptions) {
    this.#host = host;
    this.#clock = options.clock;
    this.#atomEncoding = options.atomEncoding;
    this.acks = new AckTracker({
      clock: options.clock,
      replyTimeoutMs: options.replyTimeoutMs,
      onTimeout: (connectionId, pending) => host.onAckTimeout(connectionId, pending),
      onSettled: (handshake) => this.#release(handshake),
    });
  }

  /** A connection subscribed with this mask: it receives from now on. */
  subscribe(id: SubscriberId, mask: number): void {
    this.#index.add(id, mask);
  }

  /** A connection is closing: no more deliveries to it. */
  unsubscribe(id: SubscriberId): void {
    this.#index.remove(id);
  }

  /** Subscribers whose mask has every bit of `mask` (0: all). */
  subscriberCount(mask = 0): number {
    return this.#index.countWith(mask);
  }

  /** Whether a handshake of this scope is open (§12.2). */
  isBlocked(scope: string): boolean {
    return this.acks.isBlocked(scope);
  }

  /** The server is closing: a settled handshake releases nothing any more. */
  stop(): void {
    this.#closed = true;
  }

  /** Emissions still held behind a handshake will never go out: each settles as cancelled. */
  close(): void {
    this.#closed = true;
    const now = this.#clock.now();
    for (const queue of this.#queues.values()) {
      for (const e of queue) e.cancel(now);
    }
    this.#queues.clear();
  }

  /**
   * Submits a normalized notification: delivered at once, or queued behind an open handshake of its
   * scope (§12.2). `again`: the notification object was emitted before (its encodings are worth keeping).
   */
  submit(notification: Notification, options: EmitOptions, again = false): Delivery {
    const expected = ackRequiredBy(notification, ALL_BITS_MASK);
    if (expected === undefined) {
      // The common case: a type no handshake can hold (§12.2), delivered at once.
      const e = new Emission(this.#nextEmission++, notification, options, undefined, undefined, false);
      this.#deliver(e, again);
      return e;
    }
    const scope = ackScope(expected);
    const queue = this.#queues.get(scope);
    const held = this.acks.isBlocked(scope) || (queue !== undefined && queue.length > 0);
    const e = new Emission(this.#nextEmission++, notification, options, expected, scope, held);
    if (held) {
      // §12.2: later events of a blocked scope wait (the user session / HA subsystem is blocked).
      if (queue === undefined) this.#queues.set(scope, [e]);
      else queue.push(e);
    } else {
      this.#deliver(e, again);
    }
    return e;
  }

  /** `again`: the notification object was emitted before (its encodings are worth keeping). */
  #deliver(e: Emission, again = false): void {
    const n = e.notification;
    const bit = notificationTypes[n.type].bit;
    const now = this.#clock.now();
    let required: SubscriberId[] | undefined;
    // Encodings per (profile, outer bit) are shared by every recipient (fan-out without
    // re-encoding) and kept with the notification when it is emitted again (a pre-encoded frame).
    let cache = this.#frameCaches.get(n);
    const reused = cache !== undefined;
    // A fresh notification's first encoding lives in these locals; a Map is made only for a second
    // (profile, outer bit) pair or to keep them, so the common case (one kind of subscriber)
    // allocates no Map per emission.
    let firstKey = -1;
    let firstFrame: Uint8Array | string | undefined;
    const minVerbosity = e.options.verbosity ?? 0;
    const isProgress = n.type === 'progress' || n.type === 'commit-progress';
    const isStream = n.type === 'stream-event';
    // The event's XML tree per stream (tag names are per stream), built once for all its filters.
    let trees: Map<string, FilterElement[]> | undefined;
    const wantDelivered = this.#host.wantDelivered();
    let checkedProfile: Profile | undefined;
    let lacking: string | undefined;
    // The live set: a connection closed during delivery (output overflow) is deleted from it,
    // which Set iteration tolerates.
    for (const id of this.#index.recipients(bit)) {
      const conn = this.#host.recipient(id);
      const subscription = conn?.subscription;
      const profile = conn?.profile;
      if (conn === undefined || subscription === undefined || profile === undefined) continue;
      if (isStream && !this.#host.streams.accepts(id, e.options.stream)) continue;
      if (isStream && n.event === 1 && !this.#host.streams.selects(id, n, (trees ??= new Map()))) {
        e.skip(id, 'filter');
        continue;
      }
      // One answer per profile: recipients mostly share one, so ask once, not per recipient.
      if (profile !== checkedProfile) {
        checkedProfile = profile;
        lacking = unavailableReason(n, profile);
      }
      if (lacking !== undefined) {
        // §16.5, NSO62.md §D: never send a type or variant the profile's clients cannot decode —
        // and never silently: the reason goes to the delivery, the journal and a 'not-sent' event.
        this.#notSent(e, conn, now, 'profile', `${n.type} not sent to connection ${id}: ${this.#profileReason(conn, profile)}; ${lacking}`);
        continue;
      }
      if (isProgress && subscription.verbosity < minVerbosity) {
        e.skip(id, 'verbosity');
        continue;
      }
      const outer = outerBitFor(subscription.mask, bit);
      const key = outer * 4 + PROFILES.indexOf(profile);
      let encoded: Uint8Array | string | undefined = key === firstKey ? firstFrame : cache?.get(key);
      if (encoded === undefined) {
        try {
          const term = notificationToTerm(outer === bit ? n : ({ ...n, type: 'progress' } as Notification), profile);
          encoded = encodeFrame(term, { atomEncoding: this.#atomEncoding });
        } catch (error) {
          // unavailableReason() above covers what a profile lacks; what still fails is an error
          // (reported as one, never a silent skip).
          encoded = error instanceof Error ? error.message : String(error);
        }
        if (firstKey === -1 && cache === undefined) {
          firstKey = key;
          firstFrame = encoded;
        } else {
          (cache ??= new Map()).set(key, encoded);
        }
      }
      if (typeof encoded === 'string') {
        this.#notSent(e, conn, now, 'unencodable', `${n.type} not sent to connection ${id}: ${encoded}`);
        continue;
      }
      if (!conn.sendFrame(encoded, now)) continue;
      e.recipients.push(id);
      if (e.expected !== undefined && ackRequiredBy(n, subscription.mask) !== undefined) (required ??= []).push(id);
      if (wantDelivered) this.#host.delivered({ connectionId: id, emissionId: e.id, type: n.type, bit: outer, time: now });
    }
    // Keep the encodings only for a notification emitted again: a stream of fresh notifications
    // should not pay a WeakMap insertion each.
    if (!reused && again && firstKey !== -1 && firstFrame !== undefined) {
      cache ??= new Map();
      cache.set(firstKey, firstFrame);
      this.#frameCaches.set(n, cache);
    }
    const handshake = e.expected !== undefined && required !== undefined ? this.acks.open(e.expected, required) : undefined;
    e.markSent(now, handshake);
  }

  /** How a connection came to have its profile, for a not-sent line: `its client speaks NSO 5.7, protocol 77 (profile nso57)`. */
  #profileReason(conn: Recipient, profile: Profile): string {
    const basis = conn.profileChoice?.basis;
    if (basis === 'forced') return `profile ${profile} is forced on every connection (${describeProfile(profile)})`;
    const version = conn.header?.protocolVersion;
    return `its client speaks ${describeProfile(profile)}${version === undefined ? '' : `, protocol ${version}`} (profile ${profile})`;
  }

  /** Records a recipient that was not sent the notification: delivery, journal note, 'not-sent' event. */
  #notSent(e: Emission, conn: Recipient, now: number, reason: 'profile' | 'unencodable', message: string): void {
    e.skip(conn.id, reason, message);
    this.#host.notSent({ connectionId: conn.id, emissionId: e.id, type: e.notification.type, reason, message, time: now });
  }

  /** A handshake settled: deliver what its scope held, until one of them blocks the scope again (§12.2). */
  #release(handshake: Handshake): void {
    const scope = handshake.scope;
    const queue = this.#queues.get(scope);
    while (queue !== undefined && queue.length > 0 && !this.acks.isBlocked(scope) && !this.#closed) {
      const next = queue.shift();
      if (next !== undefined) this.#deliver(next);
    }
    if (queue !== undefined && queue.length === 0) this.#queues.delete(scope);
  }
}
