/**
 * Outstanding acks of the blocking handshakes (PROTOCOL.md §12), their deadlines
 * (event-reply-timeout, §20) and the classification of acks that match nothing (§12.4).
 *
 * A handshake is one emitted notification that some recipients must acknowledge. It is keyed by
 * its scope (§12.2): a transaction (`th:17`), a user session for audit (`audit:42`) or audit-network
 * (`audit-network:42`), or the whole HA subsystem (`ha`). It settles when every recipient acked,
 * or was given up on: its deadline passed or its connection closed (§12.3); either way whatever it
 * blocked proceeds, as NSO does.
 */
import type { Ack } from '../codec/index.js';
import type { Clock, ClockTimer } from './clock.js';

/** Why a recipient's ack is missing. */
export type AckMissReason = 'timeout' | 'disconnect';

/** One recipient that did not ack. */
export interface MissingAck {
  readonly connectionId: number;
  readonly reason: AckMissReason;
}

/** How a handshake ended. */
export interface AckOutcome {
  /** True when every required ack arrived (or none was required). */
  readonly ok: boolean;
  /** The ack each recipient owed; undefined when the notification needed none. */
  readonly expected: Ack | undefined;
  /** The connections that owed it. */
  readonly required: readonly number[];
  /** Those that sent it, in arrival order. */
  readonly acked: readonly number[];
  /** Those given up on (timeout or disconnect), in order. */
  readonly missing: readonly MissingAck[];
  /** `clock.now()` when the handshake opened and settled. */
  readonly openedAt: number;
  readonly settledAt: number;
}

/** An ack a connection still owes. */
export interface PendingAck {
  readonly handshakeId: number;
  readonly expected: Ack;
  /** `clock.now()` when the notification was sent. */
  readonly since: number;
  /** When event-reply-timeout fires for it; undefined when the timeout is off. */
  readonly deadline: number | undefined;
}

/** The result of matching a received ack. */
export type AckReceipt =
  | { readonly result: 'matched'; readonly handshakeId: number; readonly settled: boolean }
  /** After its deadline fired or its connection was given up (§20). */
  | { readonly result: 'ack-late' }
  /** For a handshake this connection already acknowledged (§12.4). */
  | { readonly result: 'ack-duplicate' }
  /** For nothing this connection was ever asked (§12.4). */
  | { readonly result: 'ack-unknown-handle' };

/** An open or settled handshake. */
export interface Handshake {
  readonly id: number;
  readonly scope: string;
  readonly expected: Ack;
  readonly required: readonly number[];
  readonly openedAt: number;
  /** Settles exactly once, never rejects. */
  readonly outcome: Promise<AckOutcome>;
  readonly settled: boolean;
}

/** Options of {@link AckTracker}. */
export interface AckTrackerOptions {
  readonly clock: Clock;
  /** event-reply-timeout in ms (§20); 0 turns deadlines off. */
  readonly replyTimeoutMs: number;
  /** Called when a deadline fires (the server records `ack-timeout` and closes that connection). */
  readonly onTimeout?: (connectionId: number, pending: PendingAck) => void;
  /** Called once per handshake when it settles (the server releases what the scope blocked). */
  readonly onSettled?: (handshake: Handshake, outcome: AckOutcome) => void;
}

/**
 * The blocking scope of an ack (§12.2).
 * @example
 *   ackScope({ kind: 'diff-done', th: 17 }) // 'th:17'
 */
export function ackScope(ack: Ack): string {
  switch (ack.kind) {
    case 'diff-done':
      return `th:${ack.th}`;
    case 'audit-synced':
      return `audit:${ack.usid}`;
    case 'audit-network-synced':
      return `audit-network:${ack.usid}`;
    case 'ha-synced':
      return 'ha';
    default: {
      const never: never = ack;
      throw new TypeError(`unknown ack ${JSON.stringify(never)}`);
    }
  }
}

/** How many settled or given-up keys a connection remembers for duplicate / late detection. */
const MEMORY_LIMIT = 1024;

/** A handshake with the bookkeeping behind it; `view()` hands out only its `Handshake` part. */
interface OpenHandshake extends Omit<Handshake, 'settled'> {
  readonly remaining: Set<number>;
  readonly acked: number[];
  readonly missing: MissingAck[];
  readonly timers: Map<number, ClockTimer>;
  readonly since: Map<number, { since: number; deadline: number | undefined }>;
  resolve: (outcome: AckOutcome) => void;
  settled: boolean;
}

interface ConnectionAcks {
  /** Open handshakes by scope, oldest first (an ack settles the oldest, §12.1 carries no sequence). */
  readonly pending: Map<string, OpenHandshake[]>;
  readonly acked: Set<string>;
  readonly late: Set<string>;
}

/**
 * Tracks every open handshake.
 * @example
 *   const tracker = new AckTracker({ clock, replyTimeoutMs: 120_000 });
 *   const hs = tracker.open({ kind: 'diff-done', th: 17 }, [1, 2]);
 *   tracker.receive(1, { kind: 'diff-done', th: 17 }); // { result: 'matched', settled: false }
 *   tracker.receive(2, { kind: 'diff-done', th: 17 }); // settled: true; hs.outcome resolves ok
 */
export class AckTracker {
  readonly #options: AckTrackerOptions;
  readonly #connections = new Map<number, ConnectionAcks>();
  readonly #openByScope = new Map<string, number>();
  #nextId = 1;
  #open = 0;

  constructor(options: AckTrackerOptions) {
    this.#options = options;
  }

  /** Handshakes not yet settled. */
  get openHandshakes(): number {
    return this.#open;
  }

  /** Whether an unsettled handshake holds `scope` (§12.2: later events of that scope must wait). */
  isBlocked(scope: string): boolean {
    return (this.#openByScope.get(scope) ?? 0) > 0;
  }

  /**
   * Opens a handshake that `required` connections must ack with `expected`. With no recipient it
   * is settled at once (ok). Deadlines start now.
   */
  open(expected: Ack, required: readonly number[]): Handshake {
    const now = this.#options.clock.now();
    const unique = [...new Set(required)];
    let resolve!: (outcome: AckOutcome) => void;
    const outcome = new Promise<AckOutcome>((r) => (resolve = r));
    const hs: OpenHandshake = {
      id: this.#nextId++,
      scope: ackScope(expected),
      expected,
      required: unique,
      openedAt: now,
      outcome,
      remaining: new Set(unique),
      acked: [],
      missing: [],
      timers: new Map(),
      since: new Map(),
      resolve,
      settled: false,
    };
    if (unique.length === 0) {
      this.#settle(hs, now, false);
      return view(hs);
    }
    this.#open += 1;
    this.#openByScope.set(hs.scope, (this.#openByScope.get(hs.scope) ?? 0) + 1);
    const timeout = this.#options.replyTimeoutMs;
    for (const id of unique) {
      const conn = this.#conn(id);
      const queue = conn.pending.get(hs.scope);
      if (queue === undefined) conn.pending.set(hs.scope, [hs]);
      else queue.push(hs);
      hs.since.set(id, { since: now, deadline: timeout > 0 ? now + timeout : undefined });
      if (timeout > 0) hs.timers.set(id, this.#options.clock.setTimeout(() => this.#expire(hs, id), timeout));
    }
    return view(hs);
  }

  /** Matches an ack from `connectionId` (already checked against its mask, §12.4). */
  receive(connectionId: number, ack: Ack): AckReceipt {
    const scope = ackScope(ack);
    const conn = this.#connections.get(connectionId);
    const queue = conn?.pending.get(scope);
    const hs = queue?.[0];
    if (conn === undefined || queue === undefined || hs === undefined) {
      if (conn?.late.has(scope) === true) return { result: 'ack-late' };
      if (conn?.acked.has(scope) === true) return { result: 'ack-duplicate' };
      return { result: 'ack-unknown-handle' };
    }
    this.#unlink(conn, hs, connectionId);
    remember(conn.acked, scope);
    conn.late.delete(scope);
    hs.acked.push(connectionId);
    const settled = this.#progress(hs, connectionId);
    return { result: 'matched', handshakeId: hs.id, settled };
  }

  /**
   * Gives up every ack `connectionId` still owes (it is closing, §12.3). Returns what it owed.
   * Acks it sends later are classified `ack-late`.
   */
  drop(connectionId: number, reason: AckMissReason = 'disconnect'): PendingAck[] {
    const conn = this.#connections.get(connectionId);
    if (conn === undefined) return [];
    const owed = this.pendingOf(connectionId);
    const handshakes = [...conn.pending.values()].flat();
    for (const hs of handshakes) {
      this.#unlink(conn, hs, connectionId);
      remember(conn.late, hs.scope);
      hs.missing.push({ connectionId, reason });
      this.#progress(hs, connectionId);
    }
    return owed;
  }

  /** Forgets a connection entirely (after it is gone); its pending acks are dropped first. */
  forget(connectionId: number): void {
    this.drop(connectionId);
    this.#connections.delete(connectionId);
  }

  /** The acks `connectionId` still owes, oldest first. */
  pendingOf(connectionId: number): PendingAck[] {
    const conn = this.#connections.get(connectionId);
    if (conn === undefined) return [];
    const out: PendingAck[] = [];
    for (const queue of conn.pending.values()) {
      for (const hs of queue) {
        const t = hs.since.get(connectionId);
        out.push({ handshakeId: hs.id, expected: hs.expected, since: t?.since ?? hs.openedAt, deadline: t?.deadline });
      }
    }
    return out.sort((a, b) => a.handshakeId - b.handshakeId);
  }

  #expire(hs: OpenHandshake, connectionId: number): void {
    const conn = this.#connections.get(connectionId);
    if (conn === undefined || hs.settled || !hs.remaining.has(connectionId)) return;
    const t = hs.since.get(connectionId);
    const pending: PendingAck = { handshakeId: hs.id, expected: hs.expected, since: t?.since ?? hs.openedAt, deadline: t?.deadline };
    this.#unlink(conn, hs, connectionId);
    remember(conn.late, hs.scope);
    hs.missing.push({ connectionId, reason: 'timeout' });
    // The server closes the offender first, so what the handshake releases is not sent to it.
    this.#options.onTimeout?.(connectionId, pending);
    this.#progress(hs, connectionId);
  }

  #unlink(conn: ConnectionAcks, hs: OpenHandshake, connectionId: number): void {
    const queue = conn.pending.get(hs.scope);
    if (queue !== undefined) {
      const i = queue.indexOf(hs);
      if (i >= 0) queue.splice(i, 1);
      if (queue.length === 0) conn.pending.delete(hs.scope);
    }
    const timer = hs.timers.get(connectionId);
    if (timer !== undefined) {
      this.#options.clock.clearTimeout(timer);
      hs.timers.delete(connectionId);
    }
  }

  #progress(hs: OpenHandshake, connectionId: number): boolean {
    hs.remaining.delete(connectionId);
    if (hs.remaining.size > 0 || hs.settled) return false;
    this.#open -= 1;
    const left = (this.#openByScope.get(hs.scope) ?? 1) - 1;
    if (left <= 0) this.#openByScope.delete(hs.scope);
    else this.#openByScope.set(hs.scope, left);
    this.#settle(hs, this.#options.clock.now(), true);
    return true;
  }

  #settle(hs: OpenHandshake, now: number, notify: boolean): void {
    hs.settled = true;
    const outcome: AckOutcome = {
      ok: hs.missing.length === 0,
      expected: hs.expected,
      required: hs.required,
      acked: [...hs.acked],
      missing: [...hs.missing],
      openedAt: hs.openedAt,
      settledAt: now,
    };
    hs.resolve(outcome);
    if (notify) this.#options.onSettled?.(view(hs), outcome);
  }

  #conn(id: number): ConnectionAcks {
    let conn = this.#connections.get(id);
    if (conn === undefined) this.#connections.set(id, (conn = { pending: new Map(), acked: new Set(), late: new Set() }));
    return conn;
  }
}

function view(hs: OpenHandshake): Handshake {
  return {
    id: hs.id,
    scope: hs.scope,
    expected: hs.expected,
    required: hs.required,
    openedAt: hs.openedAt,
    outcome: hs.outcome,
    get settled() {
      return hs.settled;
    },
  };
}

/** Adds to a bounded insertion-ordered set, evicting the oldest key (duplicate/late detection is best effort). */
function remember(set: Set<string>, key: string): void {
  set.delete(key);
  set.add(key);
  if (set.size > MEMORY_LIMIT) {
    const oldest = set.values().next();
    if (oldest.done !== true) set.delete(oldest.value);
  }
}
