/**
 * Time, injected. Every timer the server runs (init deadline, heartbeat and health check §13,
 * event-reply-timeout and write stall §20, stream stop time §14) goes through a {@link Clock}, so
 * tests drive time with a {@link ManualClock} and never sleep (STYLE.md §5).
 */

import { UsageError } from '../codec/index.js';

/** An opaque handle returned by {@link Clock.setTimeout}. */
export type ClockTimer = object;

/** The time source and timer service of a server. */
export interface Clock {
  /** Milliseconds since the Unix epoch (a manual clock starts wherever it was told to). */
  now(): number;
  /** Runs `callback` once after `delayMs` milliseconds (negative delays count as 0). */
  setTimeout(callback: () => void, delayMs: number): ClockTimer;
  /** Cancels a timer; cancelling a fired or cancelled timer does nothing. */
  clearTimeout(timer: ClockTimer): void;
}

/**
 * The longest delay Node's `setTimeout` honours (2^31−1 ms, about 24.8 days). A longer one fires
 * after 1 ms with a TimeoutOverflowWarning, which would turn "wait a month" into "don't wait".
 */
export const MAX_TIMER_CHUNK_MS = 2_147_483_647;

/** The host timer functions a real clock arms (Node's by default). */
export interface TimerHost {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link createRealClock}. */
export interface RealClockOptions {
  /** The timers to arm. Default: Node's global `setTimeout`/`clearTimeout`. */
  readonly host?: TimerHost;
  /** The longest single host timer, in ms. Default (and maximum) {@link MAX_TIMER_CHUNK_MS}. */
  readonly maxChunkMs?: number;
}

/** A real timer: the host handle currently armed (re-armed chunk by chunk), until fired or cleared. */
interface RealTimer {
  handle: unknown;
  done: boolean;
}

const nodeTimers: TimerHost = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * A wall clock (`Date.now()`) whose timers honour any delay: one longer than the host allows is
 * armed in chunks of at most `maxChunkMs`, re-armed as each chunk ends, and `clearTimeout` cancels
 * whichever chunk is armed. An infinite delay never fires; a negative or NaN one counts as 0.
 * @throws UsageError `NSOMOCK_USAGE` when `maxChunkMs` is not an integer from 1 to {@link MAX_TIMER_CHUNK_MS}
 * @example
 *   const clock = createRealClock();
 *   clock.setTimeout(() => console.log('a month later'), 30 * 24 * 3_600_000);
 */
export function createRealClock(options: RealClockOptions = {}): Clock {
  const host = options.host ?? nodeTimers;
  const maxChunk = options.maxChunkMs ?? MAX_TIMER_CHUNK_MS;
  if (!Number.isInteger(maxChunk) || maxChunk < 1 || maxChunk > MAX_TIMER_CHUNK_MS) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to create a clock: maxChunkMs must be an integer from 1 to ${MAX_TIMER_CHUNK_MS}, got ${maxChunk} (createRealClock)`, {
      details: { option: 'maxChunkMs', value: maxChunk },
    });
  }
  const arm = (timer: RealTimer, callback: () => void, remainingMs: number): void => {
    // Count the remaining time down chunk by chunk rather than re-reading Date.now(): the host's
    // timers are monotonic, and a wall-clock jump must not shorten or stretch the wait.
    const chunk = Math.min(remainingMs, maxChunk);
    timer.handle = host.setTimeout(() => {
      if (timer.done) return;
      if (remainingMs > chunk) {
        arm(timer, callback, remainingMs - chunk);
        return;
      }
      timer.done = true;
      callback();
    }, chunk);
  };
  return Object.freeze({
    now: (): number => Date.now(),
    setTimeout: (callback: () => void, delayMs: number): ClockTimer => {
      const timer: RealTimer = { handle: undefined, done: false };
      arm(timer, callback, delayMs > 0 ? delayMs : 0);
      return timer;
    },
    clearTimeout: (timer: ClockTimer): void => {
      const t = timer as RealTimer;
      if (t.done) return;
      t.done = true;
      host.clearTimeout(t.handle);
    },
  });
}

/**
 * The wall clock: `Date.now()` and Node timers, with delays beyond 2^31−1 ms honoured
 * ({@link createRealClock}).
 * @example
 *   createMockServer({ clock: realClock })
 */
export const realClock: Clock = createRealClock();

interface ManualTimer {
  readonly due: number;
  readonly seq: number;
  callback: (() => void) | undefined;
  cancelled: boolean;
}

/** Options of {@link ManualClock}. */
export interface ManualClockOptions {
  /** The initial value of `now()` in ms since the epoch. Default 0. */
  readonly now?: number;
}

/**
 * A clock that moves only when told to. Timers fire synchronously inside {@link advance}, in due
 * order (ties in scheduling order), with `now()` equal to each timer's due time while it runs;
 * timers scheduled by a firing callback fire in the same `advance` when they fall in the window.
 * @example
 *   const clock = new ManualClock({ now: Date.UTC(2023, 10, 14) });
 *   const server = createMockServer({ clock });
 *   clock.advance(10_000); // fires every heartbeat due in the next 10 s
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  // A binary min-heap on (due, seq): 1,000 subscribers each with a heartbeat timer stay cheap.
  #heap: ManualTimer[] = [];
  #cancelled = 0;

  constructor(options: ManualClockOptions = {}) {
    this.#now = options.now ?? 0;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, delayMs: number): ClockTimer {
    const timer: ManualTimer = { due: this.#now + Math.max(0, delayMs), seq: this.#seq++, callback, cancelled: false };
    this.#push(timer);
    return timer;
  }

  clearTimeout(timer: ClockTimer): void {
    const t = timer as ManualTimer;
    if (t.cancelled) return;
    t.cancelled = true;
    // Drop the closure now (it may hold a whole connection), and compact the heap when cancelled
    // timers dominate it: a clock that is never advanced must not accumulate them.
    t.callback = undefined;
    this.#cancelled += 1;
    if (this.#cancelled > 64 && this.#cancelled * 2 > this.#heap.length) this.#compact();
  }

  /** The number of timers scheduled and not yet fired or cancelled. */
  pendingTimers(): number {
    let n = 0;
    for (const t of this.#heap) if (!t.cancelled) n += 1;
    return n;
  }

  /** The due time of the next live timer, or undefined when none is scheduled. */
  nextDue(): number | undefined {
    this.#dropCancelledTop();
    return this.#heap[0]?.due;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due. Returns the number fired.
   * @throws UsageError `NSOMOCK_USAGE` for a negative or NaN `ms`.
   */
  advance(ms: number): number {
    if (!(ms >= 0)) {
      throw new UsageError('NSOMOCK_USAGE', `Failed to advance the clock: the duration must be non-negative, got ${ms} (ManualClock.advance)`, { details: { option: 'ms', value: ms } });
    }
    return this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to `time` (never backwards), firing every timer due up to it. */
  advanceTo(time: number): number {
    let fired = 0;
    for (;;) {
      this.#dropCancelledTop();
      const top = this.#heap[0];
      if (top === undefined || top.due > time) break;
      this.#pop();
      if (top.due > this.#now) this.#now = top.due;
      const callback = top.callback;
      top.cancelled = true;
      top.callback = undefined;
      fired += 1;
      callback?.();
    }
    if (time > this.#now) this.#now = time;
    return fired;
  }

  /** Fires the next live timer (moving time to its due time). Returns false when none is left. */
  runNext(): boolean {
    const due = this.nextDue();
    if (due === undefined) return false;
    this.advanceTo(due);
    return true;
  }

  #dropCancelledTop(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.cancelled) {
      this.#pop();
      this.#cancelled -= 1;
    }
  }

  #compact(): void {
    const live = this.#heap.filter((t) => !t.cancelled);
    this.#heap = [];
    this.#cancelled = 0;
    for (const t of live) this.#push(t);
  }

  #less(a: ManualTimer, b: ManualTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  #push(timer: ManualTimer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && this.#less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && this.#less(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
}
