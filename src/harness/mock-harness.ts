/**
 * The test API on top of a started server (STYLE.md §7 rule 8): emit-and-settle, waits with
 * deadlines on the server's clock, the "nothing pending" assertion, a reset for suites that share
 * one mock, and an explicit policy for client frames nobody expected (after msw's
 * `onUnhandledRequest`). `startNsoMock()` hands this out as part of its `RunningNsoMock`; the
 * conformance runner, the fuzz runner and the HTTP control API are built on it too.
 */
import {
  formatAck,
  UsageError,
  formatTerm,
  type Ack,
  type Notification,
  type NotificationInput,
  type Term,
} from '../codec/index.js';
import {
  formatViolation,
  type AckEvent,
  type AckOutcome,
  type ClockTimer,
  type Delivery,
  type EmitOptions,
  type JournalEntry,
  type MockServer,
  type SubscriberInfo,
  type Violation,
  type ViolationCode,
} from '../server/index.js';
import { HarnessError } from './errors.js';
import { formatPendingAcks, type PendingAckRow } from './pending-table.js';

/** A client frame the harness did not expect: a protocol violation about something the client sent. */
export interface UnexpectedFrame {
  readonly connectionId: number;
  /** The server's record of it (code, expected, actual). */
  readonly violation: Violation;
  /** The offending frame's term, when it decoded. */
  readonly term?: Term;
  /** One line describing it, for logs and errors. */
  readonly text: string;
}

/**
 * What to do with an {@link UnexpectedFrame}:
 * - `'error'` (default): reject every wait in flight (`emit`, `waitFor`…) and the next call with
 *   `HarnessError` `NSOMOCK_HARNESS_UNEXPECTED_FRAME`;
 * - `'warn'`: print it with the logger and carry on;
 * - `'ignore'`: carry on silently (it is still in `violations`);
 * - a callback: decide yourself; if it throws, that error is treated as under `'error'`.
 */
export type UnexpectedFramePolicy = 'error' | 'warn' | 'ignore' | ((frame: UnexpectedFrame) => void);

/** The violation codes that are about a frame the client sent (PROTOCOL.md §12.4, §17). */
export const UNEXPECTED_FRAME_CODES: readonly ViolationCode[] = [
  'bad-frame-length',
  'bad-term',
  'bad-subscription',
  'second-subscription',
  'bad-ack',
  'ack-unsubscribed',
  'ack-without-flag',
  'ack-unknown-handle',
  'ack-duplicate',
  'ack-late',
];

/** Options of {@link MockHarness}. */
export interface MockHarnessOptions {
  /** Policy for unexpected client frames (default `'error'`). */
  readonly onUnexpectedFrame?: UnexpectedFramePolicy;
  /** How long `emit()` waits for the acks of a synchronous kind (default 5000 ms, on the server's clock). */
  readonly ackTimeoutMs?: number;
  /** Where `'warn'` writes (default `console`). */
  readonly logger?: { warn(message: string): void };
}

/** Options of {@link MockHarness.emit}. */
export interface HarnessEmitOptions extends EmitOptions {
  /** How long to wait for the acks (default: the harness's `ackTimeoutMs`). */
  readonly within?: number;
  /** Resolve as soon as the notification is written, without waiting for acks. */
  readonly noWait?: boolean;
}

/** What `emit()` resolves with. */
export interface EmitResult {
  readonly delivery: Delivery;
  /** The subscribers it was written to. */
  readonly recipients: readonly number[];
  /** How its handshake ended (`ok`, with no `expected` ack, for kinds that need none). */
  readonly outcome: AckOutcome | undefined;
}

/** Options of the waits. */
export interface WaitOptions {
  /** Deadline in ms on the server's clock. */
  readonly within: number;
  /** What is awaited, for the timeout message. */
  readonly description?: string;
  readonly signal?: AbortSignal;
  /**
   * `waitFor` also re-checks its predicate every `interval` ms on the server's clock, so a
   * predicate about anything (a consumer's output, a file) works, not only one about server events
   * (default {@link DEFAULT_POLL_INTERVAL_MS}; 0: only on server events). The other waits check on
   * server events only.
   */
  readonly interval?: number;
}

/** How often `waitFor` re-checks its predicate between server events, ms. */
export const DEFAULT_POLL_INTERVAL_MS = 20;

/** Matches acks: any field given must be equal (PROTOCOL.md §12.1). */
export interface AckMatch {
  readonly kind?: Ack['kind'];
  readonly th?: number;
  readonly usid?: number;
  readonly connectionId?: number;
}

/** An ack the harness recorded, numbered from 0 since the last reset. */
export interface RecordedAck extends AckEvent {
  readonly seq: number;
}

type Settle = { resolve(): void; reject(error: unknown): void };

function matchesAck(event: AckEvent, match: AckMatch): boolean {
  const ack = event.ack;
  if (match.kind !== undefined && ack.kind !== match.kind) return false;
  if (match.connectionId !== undefined && event.connectionId !== match.connectionId) return false;
  if (match.th !== undefined && !(ack.kind === 'diff-done' && ack.th === match.th)) return false;
  if (match.usid !== undefined && !((ack.kind === 'audit-synced' || ack.kind === 'audit-network-synced') && ack.usid === match.usid)) return false;
  return true;
}

function describeAckMatch(match: AckMatch): string {
  const parts = Object.entries(match).map(([k, v]) => `${k} ${String(v)}`);
  return parts.length === 0 ? 'any ack' : `an ack with ${parts.join(', ')}`;
}

/**
 * The harness around one server. Created by `startNsoMock()`; usable on any `MockServer`.
 * @example
 *   const harness = new MockHarness(server, { onUnexpectedFrame: 'warn' });
 *   await harness.waitForSubscribers(1, { within: 5000 });
 *   await harness.emit({ type: 'commit-diff', th: 17 }); // resolves once every subscriber sent {17, done}
 *   harness.assertNoPendingAcks();
 */
export class MockHarness {
  readonly server: MockServer;
  readonly ackTimeoutMs: number;
  #policy: UnexpectedFramePolicy;
  readonly #logger: { warn(message: string): void };
  #violationOffset = 0;
  #acks: RecordedAck[] = [];
  #unexpected: HarnessError | undefined;
  readonly #inFlight = new Set<Settle>();
  readonly #listeners: (() => void)[] = [];
  readonly #changeWaiters = new Set<() => void>();

  constructor(server: MockServer, options: MockHarnessOptions = {}) {
    this.server = server;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.#policy = options.onUnexpectedFrame ?? 'error';
    this.#logger = options.logger ?? console;
    const onAck = (event: AckEvent): void => {
      this.#acks.push({ ...event, seq: this.#acks.length });
      this.#changed();
    };
    const onViolation = (v: Violation): void => {
      if (UNEXPECTED_FRAME_CODES.includes(v.code)) this.#unexpectedFrame(v);
      this.#changed();
    };
    const onChange = (): void => this.#changed();
    server.on('ack', onAck);
    server.on('violation', onViolation);
    for (const event of ['subscribed', 'closed', 'delivered', 'connection'] as const) server.on(event, onChange);
    this.#listeners.push(() => {
      server.off('ack', onAck);
      server.off('violation', onViolation);
      for (const event of ['subscribed', 'closed', 'delivered', 'connection'] as const) server.off(event, onChange);
    });
  }

  /** The policy for unexpected client frames; can be changed at any time. */
  get onUnexpectedFrame(): UnexpectedFramePolicy {
    return this.#policy;
  }

  set onUnexpectedFrame(policy: UnexpectedFramePolicy) {
    this.#policy = policy;
  }

  /** Subscribed connections, in subscription order. */
  get subscribers(): readonly SubscriberInfo[] {
    return this.server.subscribers();
  }

  /** The journal entries held (oldest first), optionally of one connection. */
  journal(connectionId?: number): JournalEntry[] {
    return this.server.journal.entries(connectionId);
  }

  /** Violations since the harness started or was last reset, oldest first. */
  get violations(): readonly Violation[] {
    return this.server.violations.slice(this.#violationOffset);
  }

  /** Acks received since the harness started or was last reset, oldest first. */
  get acks(): readonly RecordedAck[] {
    return this.#acks;
  }

  #changed(): void {
    for (const wake of [...this.#changeWaiters]) wake();
  }

  #unexpectedFrame(v: Violation): void {
    const frames = this.server.journal.entries(v.connectionId).filter((e) => e.direction === 'in');
    const last = frames.at(-1);
    const term = last?.kind === 'frame' ? last.term : undefined;
    const text = `unexpected frame from connection ${v.connectionId}: ${v.code} (expected ${v.expected}, got ${v.actual})`;
    const frame: UnexpectedFrame = term === undefined ? { connectionId: v.connectionId, violation: v, text } : { connectionId: v.connectionId, violation: v, term, text };
    const policy = this.#policy;
    let error: HarnessError | undefined;
    if (policy === 'ignore') return;
    if (policy === 'warn') {
      this.#logger.warn(`nso-mock: ${text}`);
      return;
    }
    if (typeof policy === 'function') {
      try {
        policy(frame);
        return;
      } catch (cause) {
        error = new HarnessError('NSOMOCK_HARNESS_UNEXPECTED_FRAME', `Failed to accept a client frame: the onUnexpectedFrame callback threw (${text})`, {
          details: { connectionId: v.connectionId, violation: v.code },
          cause,
        });
      }
    }
    error ??= new HarnessError('NSOMOCK_HARNESS_UNEXPECTED_FRAME', `Failed to accept a client frame: ${v.code} (connection ${v.connectionId}: expected ${v.expected}, got ${v.actual})`, {
      details: { connectionId: v.connectionId, violation: v.code },
    });
    // Reported once: to the waits in flight if there are any, else to the next call.
    if (this.#inFlight.size > 0) for (const waiter of [...this.#inFlight]) waiter.reject(error);
    else this.#unexpected ??= error;
  }

  /** Throws the pending unexpected-frame error (policy `'error'`), once. */
  #throwUnexpected(): void {
    const error = this.#unexpected;
    if (error !== undefined) {
      this.#unexpected = undefined;
      throw error;
    }
  }

  /**
   * Runs `body` as a wait that an unexpected frame (policy `'error'`), the deadline or the signal
   * can cut short.
   */
  async #guard<T>(within: number, awaiting: string, signal: AbortSignal | undefined, body: (settle: Settle) => Promise<T>): Promise<T> {
    this.#throwUnexpected();
    const clock = this.server.clock;
    let timer: ClockTimer | undefined;
    let settle: Settle | undefined;
    let onAbort: (() => void) | undefined;
    const cut = new Promise<never>((_, reject) => {
      settle = { resolve: () => undefined, reject };
      this.#inFlight.add(settle);
      timer = clock.setTimeout(() => {
        const pending = this.pendingAckRows();
        const table = pending.length === 0 ? '' : `\n${formatPendingAcks(pending, clock.now())}`;
        reject(
          new HarnessError('NSOMOCK_HARNESS_TIMEOUT', `Failed to wait for ${awaiting}: nothing within ${within} ms${table}`, {
            details: { waitedMs: within, awaiting, pending },
          }),
        );
      }, within);
      if (signal !== undefined) {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
    cut.catch(() => undefined); // rejections after the race settled are nobody's business
    try {
      return await Promise.race([body(settle as Settle), cut]);
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
      if (settle !== undefined) this.#inFlight.delete(settle);
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Sends a notification to every subscriber of its type and resolves when it was written and,
   * for the synchronous kinds (commit-diff; audit, audit-network, HA info with their sync flag),
   * when every recipient acked (PROTOCOL.md §12).
   * @throws HarnessError `NSOMOCK_HARNESS_TIMEOUT` (acks missing at the deadline, with the pending
   *   table), `NSOMOCK_SERVER_ACK_FAILED` (the handshake ended without every ack: a recipient
   *   disconnected or hit the server's event-reply-timeout), `NSOMOCK_HARNESS_UNEXPECTED_FRAME`
   *   (a recipient sent a wrong ack, policy `'error'`); CodecError `NSOMOCK_CODEC_UNENCODABLE`
   *   for a bad input.
   * @example
   *   const { outcome } = await harness.emit({ type: 'commit-diff', th: 17 }, { within: 2000 });
   */
  async emit(input: NotificationInput | Notification, options: HarnessEmitOptions = {}): Promise<EmitResult> {
    this.#throwUnexpected();
    const { within, noWait, ...emitOptions } = options;
    const delivery = this.server.emit(input, emitOptions);
    return this.settle(delivery, { ...(within === undefined ? {} : { within }), ...(noWait === undefined ? {} : { noWait }) });
  }

  /**
   * Waits for an emitted notification to be written and (unless `noWait`) for its handshake, as
   * {@link MockHarness.emit} does.
   * @throws HarnessError as {@link MockHarness.emit}.
   */
  async settle(delivery: Delivery, options: { readonly within?: number; readonly noWait?: boolean } = {}): Promise<EmitResult> {
    const wait = options.within ?? this.ackTimeoutMs;
    return this.#guard(wait, `the acks of ${delivery.notification.type} #${delivery.id}`, undefined, async () => {
      const recipients = await delivery.sent;
      if (options.noWait === true) return { delivery, recipients, outcome: undefined };
      const outcome = await delivery.acked;
      if (!outcome.ok) {
        const missing = outcome.missing.map((m) => `connection ${m.connectionId} (${m.reason})`).join(', ');
        throw new HarnessError('NSOMOCK_SERVER_ACK_FAILED', `Failed to complete the ${delivery.notification.type} handshake: ${outcome.expected === undefined ? 'an ack' : formatAck(outcome.expected)} missing from ${missing}`, {
          details: { ...(outcome.missing[0] === undefined ? {} : { connectionId: outcome.missing[0].connectionId }) },
        });
      }
      return { delivery, recipients, outcome };
    });
  }

  /**
   * Resolves with the first truthy value of `predicate`, which is re-evaluated whenever the server
   * reports something (a connection, subscription, delivery, ack, violation or close) and every
   * `interval` ms (default {@link DEFAULT_POLL_INTERVAL_MS}), so it may look at anything.
   * @throws HarnessError `NSOMOCK_HARNESS_TIMEOUT` at the deadline, `NSOMOCK_HARNESS_UNEXPECTED_FRAME` (policy `'error'`).
   * @example
   *   const sub = await harness.waitFor(() => harness.subscribers.find((s) => s.subscription.mask & NOTIF.AUDIT), { within: 5000 });
   */
  async waitFor<T>(predicate: () => T | undefined | null | false | 0 | '', options: WaitOptions): Promise<T> {
    const interval = options.interval ?? DEFAULT_POLL_INTERVAL_MS;
    if (!(Number.isFinite(interval) && interval >= 0)) {
      throw new UsageError('NSOMOCK_USAGE', `Failed to wait: interval must be a number of ms >= 0, got ${String(interval)}`, { details: { option: 'interval', value: interval } });
    }
    const clock = this.server.clock;
    let finished = false;
    try {
      return await this.#guard(options.within, options.description ?? 'a condition', options.signal, async () => {
        // `finished`: once the deadline or the signal cut the wait short, the loop stops polling.
        while (!finished) {
          const value = predicate();
          if (value !== undefined && value !== null && value !== false && value !== 0 && value !== '') return value;
          await new Promise<void>((resolve) => {
            let poll: ClockTimer | undefined;
            const wake = (): void => {
              this.#changeWaiters.delete(wake);
              if (poll !== undefined) clock.clearTimeout(poll);
              resolve();
            };
            this.#changeWaiters.add(wake);
            if (interval > 0) poll = clock.setTimeout(wake, interval);
          });
        }
        return undefined as never;
      });
    } finally {
      finished = true;
    }
  }

  /**
   * Waits until at least `count` connections subscribed with every bit of `mask` (default 0).
   * @throws HarnessError `NSOMOCK_HARNESS_TIMEOUT`.
   */
  async waitForSubscribers(count: number, options: WaitOptions & { readonly mask?: number }): Promise<readonly SubscriberInfo[]> {
    const mask = options.mask ?? 0;
    return this.waitFor(
      () => {
        // Re-checked on every server event: count first (O(distinct masks)), build the list once.
        if (this.server.subscriberCount(mask) < count) return undefined;
        const subs = this.subscribers.filter((s) => (s.subscription.mask & mask) === mask);
        return subs.length >= count ? subs : undefined;
      },
      { interval: 0, description: `${count} subscriber(s)${mask === 0 ? '' : ` with mask bits ${mask}`}`, ...options },
    );
  }

  /**
   * Resolves with the first recorded ack (since the last reset, or after `afterSeq`) that matches.
   * @throws HarnessError `NSOMOCK_HARNESS_TIMEOUT`.
   * @example
   *   await harness.waitForAck({ th: 17 }, { within: 2000 });
   */
  async waitForAck(match: AckMatch, options: WaitOptions & { readonly afterSeq?: number }): Promise<RecordedAck> {
    const after = options.afterSeq ?? -1;
    return this.waitFor(() => this.#acks.find((a) => a.seq > after && matchesAck(a, match)), {
      interval: 0,
      description: describeAckMatch(match),
      ...options,
    });
  }

  /** Every ack still owed, one row per subscriber and ack (PROTOCOL.md §12). */
  pendingAckRows(): PendingAckRow[] {
    const peers = new Map(this.server.connections().map((c) => [c.id, c.remoteAddress]));
    const rows: PendingAckRow[] = [];
    for (const { connectionId, pending } of this.server.pendingAcks()) {
      const peer = peers.get(connectionId);
      for (const p of pending) {
        rows.push(
          peer === undefined
            ? { connectionId, expected: p.expected, since: p.since, deadline: p.deadline }
            : { connectionId, peer, expected: p.expected, since: p.since, deadline: p.deadline },
        );
      }
    }
    return rows;
  }

  /**
   * Throws when any subscriber still owes an ack (after nock's `done()` and undici's
   * `assertNoPendingInterceptors()`), with a table of what is pending.
   * @throws HarnessError `NSOMOCK_HARNESS_PENDING_ACKS` (details.pending lists the rows);
   *   `NSOMOCK_HARNESS_UNEXPECTED_FRAME` first, if one is pending under policy `'error'`.
   * @example
   *   afterEach(() => mock.assertNoPendingAcks());
   */
  assertNoPendingAcks(): void {
    this.#throwUnexpected();
    const rows = this.pendingAckRows();
    if (rows.length > 0) {
      throw new HarnessError('NSOMOCK_HARNESS_PENDING_ACKS', `Failed to assert no pending acks: ${formatPendingAcks(rows, this.server.clock.now())}`, {
        details: { pending: rows },
      });
    }
  }

  /**
   * A clean slate for the next test of a suite that shares one mock: forgets the journal, the
   * violations, the recorded acks and a pending unexpected-frame error, and resumes heartbeats.
   * Connections stay open unless `disconnect` is set (a client under test usually connects once).
   */
  reset(options: { readonly disconnect?: boolean } = {}): void {
    this.server.journal.clear();
    this.#violationOffset = this.server.violations.length;
    this.#acks = [];
    this.#unexpected = undefined;
    this.server.hang(false);
    if (options.disconnect === true) for (const c of this.server.connections()) this.server.connection(c.id).close();
  }

  /** Detaches the harness from the server (the server stays up). */
  detach(): void {
    for (const off of this.#listeners.splice(0)) off();
    for (const waiter of [...this.#inFlight]) waiter.reject(new HarnessError('NSOMOCK_HARNESS_TIMEOUT', 'Failed to wait: the harness was closed', { details: {} }));
  }

  /** One line per journal entry of a connection, for reports: `+12ms out frame {16,2,…}`. */
  formatJournal(connectionId?: number, limit = 20): string[] {
    const entries = this.journal(connectionId);
    const start = entries[0]?.time ?? 0;
    return entries.slice(-limit).map((e) => {
      const what = e.term !== undefined ? formatTerm(e.term, { maxLength: 201 }) : e.preview !== undefined ? e.preview : e.raw !== undefined ? Buffer.from(e.raw).toString('hex') : '';
      const shown = what.length > 200 ? `${what.slice(0, 199)}…` : what;
      return `+${e.time - start}ms #${e.connectionId} ${e.direction === 'in' ? '<-' : '->'} ${e.kind} ${shown}${e.note === undefined ? '' : ` (${e.note})`}`;
    });
  }

  /** Violations as lines, for reports. */
  formatViolations(): string[] {
    return this.violations.map(formatViolation);
  }
}
