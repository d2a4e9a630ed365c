/**
 * The named streams of one server (PROTOCOL.md §14): the registry with each stream's history, the
 * check of a stream subscription before `ok` (§8.4), each subscriber's stream, phase and compiled
 * XPath filter, the replay on subscribe and the stop timer. Socket-free: what it sends goes through
 * the `send` callback its caller gives, so it is testable without a connection.
 */
import { NsoMockError, type Notification, type StreamRequest } from '../codec/index.js';
import type { Clock, ClockTimer } from './clock.js';
import { eventTree } from './event-tree.js';
import type { StreamCheck } from './session.js';
import { notificationComplete, StreamRegistry, type StreamEvent, type StreamInfo, type StreamOptions } from './streams.js';
import { compileXPathFilter, type FilterElement, type XPathFilter } from './xpath-filter.js';

interface StreamSubscription {
  readonly name: string;
  /** The compiled XPath filter (§8.1 element 4), applied to replayed and live events (§14). */
  readonly filter: XPathFilter | undefined;
  phase: 'live' | 'done';
  stopTimer: ClockTimer | undefined;
}

/** What `SubscriberInfo.stream` shows of a subscriber's stream. */
export interface StreamSubscriberInfo {
  readonly name: string;
  readonly phase: 'live' | 'done';
  readonly xpathFilter?: string;
}

export class StreamHub {
  readonly #clock: Clock;
  readonly #registry = new StreamRegistry();
  readonly #subs = new Map<number, StreamSubscription>();
  /** Filters compiled when a subscription was checked, picked up when it starts (same request object). */
  readonly #compiledFilters = new WeakMap<StreamRequest, XPathFilter>();
  readonly #userSessions: ReadonlySet<number> | undefined;

  constructor(clock: Clock, userSessions: ReadonlySet<number> | undefined) {
    this.#clock = clock;
    this.#userSessions = userSessions;
  }

  // ---- the registry ---------------------------------------------------------------------------

  define(name: string, options: StreamOptions, history: readonly StreamEvent[]): StreamInfo {
    return this.#registry.define(name, options, this.#clock.now(), history);
  }

  has(name: string): boolean {
    return this.#registry.has(name);
  }

  list(): StreamInfo[] {
    return this.#registry.list();
  }

  history(name: string): readonly StreamEvent[] {
    return this.#registry.history(name);
  }

  /** Puts a published event into the stream's replay log. */
  record(name: string, event: StreamEvent): void {
    this.#registry.record(name, event);
  }

  // ---- subscribers ----------------------------------------------------------------------------

  /** The session's check of a stream request before `ok` (§8.4); compiles its filter once. */
  check(request: StreamRequest): StreamCheck {
    // §14 / §8.4: unknown stream → CONFD_ERR_NOEXISTS (1); unknown usid → CONFD_ERR_NOSESSION (22).
    if (!this.#registry.has(request.name)) return { ok: false, code: 1, reason: `no such stream: ${request.name}` };
    // §8.4: a filter that does not compile → CONFD_ERR_XPATH (50), so no event goes out unfiltered.
    if (hasFilter(request)) {
      try {
        this.#compiledFilters.set(request, compileXPathFilter(request.xpathFilter));
      } catch (e) {
        if (!(e instanceof NsoMockError) || e.code !== 'NSOMOCK_SERVER_XPATH') throw e;
        return { ok: false, code: 50, reason: e.message };
      }
    }
    const userSessions = this.#userSessions;
    if (userSessions !== undefined && request.usid !== 0 && !userSessions.has(request.usid)) {
      return { ok: false, code: 22, reason: `no such user session: ${request.usid}` };
    }
    return { ok: true };
  }

  /**
   * A subscriber's stream subscription started (after `ok`): sends the replay and its markers
   * through `send`, and `notification_complete` at the stop time.
   */
  start(id: number, request: StreamRequest, send: (n: Notification) => void): void {
    const plan = this.#registry.plan(request, this.#clock.now());
    if (plan === undefined) return; // checked by the session before `ok` (§8.4)
    const filter = hasFilter(request) ? (this.#compiledFilters.get(request) ?? compileXPathFilter(request.xpathFilter)) : undefined;
    const sub: StreamSubscription = { name: request.name, filter, phase: plan.phase, stopTimer: undefined };
    this.#subs.set(id, sub);
    const tagNames = this.#registry.tagNames(request.name);
    for (const n of plan.send) {
      // §14: replayed events pass the filter too; the markers always go out.
      if (filter !== undefined && n.event === 1 && !filter.test(eventTree(n.values, tagNames))) continue;
      send(n);
    }
    if (plan.stopAt !== undefined) {
      sub.stopTimer = this.#clock.setTimeout(() => {
        sub.stopTimer = undefined;
        if (sub.phase !== 'live' || this.#subs.get(id) !== sub) return;
        // §14: at the stop time, notification_complete; no stream events afterwards.
        sub.phase = 'done';
        send(notificationComplete());
      }, plan.stopAt - this.#clock.now());
    }
  }

  /**
   * Whether a notification goes to this subscriber as far as streams go: one published to a
   * stream only to that stream's live subscribers; one without a stream to every subscriber not in
   * a stream or in a live one.
   */
  accepts(id: number, stream: string | undefined): boolean {
    const sub = this.#subs.get(id);
    if (stream === undefined) return sub === undefined || sub.phase === 'live';
    return sub !== undefined && sub.name === stream && sub.phase === 'live';
  }

  /**
   * Whether the subscriber's XPath filter, if any, selects the event (§14). `trees` holds the
   * event's XML tree per stream (tag names are per stream), built once for all its filters.
   */
  selects(id: number, n: StreamEvent, trees: Map<string, FilterElement[]>): boolean {
    const sub = this.#subs.get(id);
    if (sub?.filter === undefined) return true;
    let tree = trees.get(sub.name);
    if (tree === undefined) {
      tree = eventTree(n.values, this.#registry.tagNames(sub.name));
      trees.set(sub.name, tree);
    }
    return sub.filter.test(tree);
  }

  /** The subscriber's stream, for `SubscriberInfo`. */
  info(id: number): StreamSubscriberInfo | undefined {
    const sub = this.#subs.get(id);
    if (sub === undefined) return undefined;
    return { name: sub.name, phase: sub.phase, ...(sub.filter === undefined ? {} : { xpathFilter: sub.filter.source }) };
  }

  /** The subscriber is closing: no more stream events, no stop timer. */
  drop(id: number): void {
    const sub = this.#subs.get(id);
    if (sub?.stopTimer !== undefined) this.#clock.clearTimeout(sub.stopTimer);
    this.#subs.delete(id);
  }

  /** The server closes: every stop timer goes. */
  close(): void {
    for (const sub of this.#subs.values()) if (sub.stopTimer !== undefined) this.#clock.clearTimeout(sub.stopTimer);
    this.#subs.clear();
  }
}

/**
 * Whether a stream request carries a filter to apply. An empty filter counts as none: the Python
 * binding and the example client send `undefined` for it, and a C client that sets `""` means
 * "no filter" (how NSO treats `<<>>` is not known, PROTOCOL.md §8.1).
 */
function hasFilter(request: StreamRequest): request is StreamRequest & { readonly xpathFilter: string } {
  return request.xpathFilter !== undefined && request.xpathFilter.trim() !== '';
}
