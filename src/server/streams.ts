/**
 * Named notification streams (PROTOCOL.md §14): each stream keeps a bounded history (its replay
 * log); a subscription with a start time replays the matching events, then `replay_complete`,
 * then live events, then `notification_complete` at the stop time. The planning here is pure;
 * mock-server.ts writes the frames and runs the stop timer.
 */
import { NsoMockError, type DateTime, type StreamEventInput, type StreamEventNotification, type StreamRequest } from '../codec/index.js';
import type { TagNames } from './event-tree.js';

/** How a stream is declared. */
export interface StreamOptions {
  /** Whether the stream keeps a replay log (§14: a start time on a stream without it gives `replay_failed`). Default true. */
  readonly replaySupport?: boolean;
  /** Events kept for replay; older ones are evicted (and the log then starts later). Default 10,000. */
  readonly maxHistory?: number;
  /**
   * Event time (ms since 1970, or a `Date`) from which the replay log is complete: a subscription
   * whose start time is earlier gets `replay_failed` (§14 "T1 outside the log"). Default: when the
   * stream is first defined; a redefinition keeps it unless given again. It may lie in the past
   * (a log with history, see `history`), never in the future, and never before an event the log
   * already evicted.
   */
  readonly logStart?: number | Date;
  /**
   * Events put into the replay log at definition, each dated (`event_time`, default now) between
   * `logStart` and now. They are the stream's past: replayed to subscribers that ask for them, in
   * event-time order, never sent live.
   */
  readonly history?: readonly StreamHistoryEvent[];
  /**
   * Local names of the stream's hashed tags (tag hash as decimal text → YANG node name), for the
   * XPath filters of its subscribers (§8.1, §14): with UseIKP = 0 a tag-value list carries only
   * hashes (§9.5), and a filter names nodes. Atom tags need no entry. A redefinition keeps the
   * table unless given again.
   * @example
   *   { '1203': 'link-up', '1204': 'if-name' }
   */
  readonly tagNames?: TagNames;
}

/** An event of `StreamOptions.history`, in the friendly form of `streams.publish()`. */
export type StreamHistoryEvent = Omit<StreamEventInput, 'type' | 'event' | 'error'>;

/** A declared stream. */
export interface StreamInfo {
  readonly name: string;
  readonly replaySupport: boolean;
  readonly maxHistory: number;
  /** Events currently in the replay log. */
  readonly historySize: number;
  /** Event time (ms since 1970) from which the log is complete: `StreamOptions.logStart` or the definition time, later once events were evicted. */
  readonly logStart: number;
}

/** The event variant a stream's history holds (§11.15 `{DateTime, TagValues}`). */
export type StreamEvent = Extract<StreamEventNotification, { readonly event: 1 }>;

/** What to send after `ok` for a stream subscription, and what follows. */
export interface ReplayPlan {
  /** Notifications to send now, in order: replayed events then markers (§14). */
  readonly send: readonly StreamEventNotification[];
  /** `live`: live events follow; `done`: no stream events any more (§7, §14). */
  readonly phase: 'live' | 'done';
  /** When to send `notification_complete` (ms since 1970), for a stop time in the future. */
  readonly stopAt?: number;
}

/**
 * Milliseconds since 1970 of a §9.3 date-time (no timezone = UTC; microseconds kept as a fraction).
 * @example
 *   dateTimeToMillis({ year: 2023, month: 11, day: 14, hour: 22, min: 13, sec: 20, micro: 0, timezone: 0, timezone_minutes: 0 })
 */
export function dateTimeToMillis(dt: DateTime): number {
  const local = Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.min, dt.sec) + dt.micro / 1000;
  const offsetMinutes = dt.timezone === null ? 0 : dt.timezone * 60 + dt.timezone_minutes;
  return local - offsetMinutes * 60_000;
}

const REPLAY_COMPLETE: StreamEventNotification = Object.freeze({ type: 'stream-event', event: 3 });
const NOTIFICATION_COMPLETE: StreamEventNotification = Object.freeze({ type: 'stream-event', event: 2 });

function replayFailed(error: string): StreamEventNotification {
  return { type: 'stream-event', event: 4, error };
}

/**
 * Plans the §14 table for one subscription.
 * @example
 *   planReplay(info, history, { name: 'NETCONF', startTime, usid: 0, useIkp: false }, clock.now())
 */
export function planReplay(stream: StreamInfo, history: readonly StreamEvent[], request: StreamRequest, now: number): ReplayPlan {
  // §14 row 1: no start time = live only, never completes (a stop time without a start is ignored, §8.1).
  if (request.startTime === undefined) return { send: [], phase: 'live' };
  const start = dateTimeToMillis(request.startTime);
  const stop = request.stopTime === undefined ? undefined : dateTimeToMillis(request.stopTime);
  // §14 last row: replay impossible → {replay_failed, Reason}, no stream events afterwards.
  if (!stream.replaySupport) return { send: [replayFailed(`stream ${stream.name} has no replay support`)], phase: 'done' };
  if (start < stream.logStart) return { send: [replayFailed(`start time is before the replay log of ${stream.name}`)], phase: 'done' };
  if (start > now) return { send: [replayFailed('start time is in the future')], phase: 'done' };
  if (stop !== undefined && stop < start) return { send: [replayFailed('stop time is before start time')], phase: 'done' };
  // Replayed events in event-time order (stable for equal times), then replay_complete exactly once.
  const replayed = history
    .map((event, i) => ({ event, i, t: dateTimeToMillis(event.event_time) }))
    .filter(({ t }) => t >= start && (stop === undefined || t <= stop))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ event }) => event);
  const send: StreamEventNotification[] = [...replayed, REPLAY_COMPLETE];
  if (stop === undefined) return { send, phase: 'live' };
  // §14 [INF, medium]: a stop time already past → replay_complete then notification_complete (RFC 5277 order).
  if (stop <= now) return { send: [...send, NOTIFICATION_COMPLETE], phase: 'done' };
  return { send, phase: 'live', stopAt: stop };
}

/** The marker sent when a stream subscription reaches its stop time (§11.15 `notification_complete`). */
export function notificationComplete(): StreamEventNotification {
  return NOTIFICATION_COMPLETE;
}

const NO_TAG_NAMES: TagNames = Object.freeze({});

interface StreamRecord {
  readonly name: string;
  readonly replaySupport: boolean;
  readonly maxHistory: number;
  logStart: number;
  readonly tagNames: TagNames;
  /** The log is incomplete before this time: just after the newest evicted event (-Infinity: nothing evicted). */
  evictedUntil: number;
  /** Oldest event time first (stable for equal times). */
  history: StreamEvent[];
}

/**
 * The registry of named streams and their histories. `server.streams` wraps it with `publish()`,
 * which also delivers to live subscribers.
 * @example
 *   registry.define('NETCONF', { replaySupport: true }, clock.now());
 *   registry.record('NETCONF', event);
 */
export class StreamRegistry {
  readonly #streams = new Map<string, StreamRecord>();

  /**
   * Declares a stream (again = redefine: the history is kept, options change). `history` holds the
   * normalised `options.history` events (the registry does not normalise; mock-server.ts does).
   * @throws NsoMockError `NSOMOCK_SERVER_STREAM` on an empty name, a bad maxHistory, a log start in
   *   the future, a history event dated before the log start or after `now`, or a `tagNames` key
   *   that is not a 32-bit hash in decimal or a name that is empty.
   */
  define(name: string, options: StreamOptions, now: number, history: readonly StreamEvent[] = []): StreamInfo {
    if (name.length === 0) throw streamError('define stream', 'the name is empty', name);
    const maxHistory = options.maxHistory ?? 10_000;
    if (!Number.isInteger(maxHistory) || maxHistory < 0) throw streamError('define stream', `maxHistory ${maxHistory} is not a non-negative integer`, name);
    const old = this.#streams.get(name);
    const evictedUntil = old?.evictedUntil ?? -Infinity;
    let logStart = old?.logStart ?? now;
    if (options.logStart !== undefined) {
      const requested = options.logStart instanceof Date ? options.logStart.getTime() : options.logStart;
      if (!Number.isFinite(requested)) throw streamError('define stream', `logStart ${String(options.logStart)} is no time`, name);
      if (requested > now) throw streamError('define stream', `logStart ${isoOf(requested)} is after now (${isoOf(now)})`, name);
      // The log cannot claim events it already evicted (§14: such a start time is outside the log).
      logStart = Math.max(requested, evictedUntil);
    }
    for (const [i, event] of history.entries()) {
      const t = dateTimeToMillis(event.event_time);
      // History is the stream's past: inside the log (else it could never be replayed) and not
      // after now (a replay never reaches beyond now, §14).
      if (t < logStart) throw streamError('define stream', `history[${i}] is dated ${isoOf(t)}, before the log start ${isoOf(logStart)}`, name);
      if (t > now) throw streamError('define stream', `history[${i}] is dated ${isoOf(t)}, after now (${isoOf(now)}); publish live events instead`, name);
    }
    const tagNames = options.tagNames === undefined ? (old?.tagNames ?? {}) : checkTagNames(options.tagNames, name);
    const record: StreamRecord = {
      name,
      replaySupport: options.replaySupport ?? true,
      maxHistory,
      logStart,
      tagNames,
      evictedUntil,
      history: old === undefined ? [] : [...old.history],
    };
    for (const event of history) insertByTime(record.history, event);
    evict(record);
    this.#streams.set(name, record);
    return info(record);
  }

  has(name: string): boolean {
    return this.#streams.has(name);
  }

  /** A stream's description, or undefined. */
  get(name: string): StreamInfo | undefined {
    const r = this.#streams.get(name);
    return r === undefined ? undefined : info(r);
  }

  /** Every declared stream. */
  list(): StreamInfo[] {
    return [...this.#streams.values()].map(info);
  }

  /** The replay log of a stream, oldest first. */
  history(name: string): readonly StreamEvent[] {
    return this.#streams.get(name)?.history ?? [];
  }

  /**
   * Adds an event to a stream's log at its event time (evicting the oldest beyond maxHistory,
   * which moves the log start).
   * @throws NsoMockError `NSOMOCK_SERVER_STREAM` for an unknown stream.
   */
  record(name: string, event: StreamEvent): void {
    const r = this.#streams.get(name);
    if (r === undefined) throw streamError('publish', 'unknown stream', name);
    if (r.maxHistory === 0) return;
    insertByTime(r.history, event);
    evict(r);
  }

  /** Names of a stream's hashed tags for XPath filters (`StreamOptions.tagNames`); `{}` when none were given or the stream is unknown. */
  tagNames(name: string): TagNames {
    return this.#streams.get(name)?.tagNames ?? NO_TAG_NAMES;
  }

  /** Plans the replay of a subscription (§14); undefined for an unknown stream. */
  plan(request: StreamRequest, now: number): ReplayPlan | undefined {
    const r = this.#streams.get(request.name);
    return r === undefined ? undefined : planReplay(info(r), r.history, request, now);
  }
}

/**
 * Inserts after every event with an earlier or equal time: live events (dated now) append in O(1),
 * a backdated one goes where it belongs, so eviction from the front drops the oldest.
 */
function insertByTime(history: StreamEvent[], event: StreamEvent): void {
  const t = dateTimeToMillis(event.event_time);
  let i = history.length;
  while (i > 0) {
    const before = history[i - 1];
    if (before === undefined || dateTimeToMillis(before.event_time) <= t) break;
    i -= 1;
  }
  if (i === history.length) history.push(event);
  else history.splice(i, 0, event);
}

function evict(r: StreamRecord): void {
  if (r.history.length <= r.maxHistory) return;
  const evicted = r.history.splice(0, r.history.length - r.maxHistory);
  const last = evicted[evicted.length - 1];
  if (last === undefined) return;
  // The log is complete only after the newest evicted event.
  r.evictedUntil = Math.max(r.evictedUntil, dateTimeToMillis(last.event_time) + 0.001);
  r.logStart = Math.max(r.logStart, r.evictedUntil);
}

function isoOf(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

function info(r: StreamRecord): StreamInfo {
  return { name: r.name, replaySupport: r.replaySupport, maxHistory: r.maxHistory, historySize: r.history.length, logStart: r.logStart };
}

/** A frozen copy of a `tagNames` table, checked: keys are hashes in decimal (§9.5: 32-bit), names non-empty text. */
function checkTagNames(tagNames: TagNames, name: string): TagNames {
  const out: Record<string, string> = {};
  for (const [hash, local] of Object.entries(tagNames)) {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(hash) || Number(hash) > 0xffff_ffff) throw streamError('define stream', `tagNames key ${JSON.stringify(hash)} is not a 32-bit tag hash in decimal`, name);
    if (typeof local !== 'string' || local.length === 0) throw streamError('define stream', `tagNames[${hash}] is not a non-empty name`, name);
    out[hash] = local;
  }
  return Object.freeze(out);
}

function streamError(action: string, reason: string, name: string): NsoMockError<{ stream: string }> {
  return new NsoMockError('NSOMOCK_SERVER_STREAM', `Failed to ${action}: ${reason} (stream ${JSON.stringify(name)})`, { details: { stream: name } });
}
