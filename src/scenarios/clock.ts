/**
 * Time for the scenario player. The player never calls `setTimeout` itself: every wait goes through
 * the injected {@link Clock} (the same interface the server takes, so one `ManualClock` drives both
 * in tests) and ends early when the run's AbortSignal fires.
 */
import { NsoMockError } from '../codec/index.js';

/** An opaque handle returned by {@link Clock.setTimeout}. */
export type ClockTimer = object;

/** A time source and timer service: structurally the server's `Clock`. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `callback` once after `delayMs` milliseconds. */
  setTimeout(callback: () => void, delayMs: number): ClockTimer;
  /** Cancels a timer; cancelling a fired or cancelled timer does nothing. */
  clearTimeout(timer: ClockTimer): void;
}

/** The error a wait rejects with when the run is aborted. */
export function abortError(signal: AbortSignal): NsoMockError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return new NsoMockError('NSOMOCK_SCENARIO_ABORTED', `Failed to finish the scenario: ${why}`, {
    details: {},
    cause: reason,
  });
}

/**
 * Runs `callback` once `clock.now()` has moved `ms` on; returns the function that cancels it. A
 * host timer may fire before the clock reads its due time (Node's timers count from the event
 * loop's cached time, which trails `Date.now()`), so an early firing re-arms for the rest: a wait
 * or an ack deadline of N ms never ends after fewer than N ms of the clock.
 */
export function afterAtLeast(clock: Clock, ms: number, callback: () => void): () => void {
  const due = clock.now() + ms;
  const fire = (): void => {
    const left = due - clock.now();
    if (left > 0) timer = clock.setTimeout(fire, left);
    else callback();
  };
  let timer = clock.setTimeout(fire, ms);
  return () => clock.clearTimeout(timer);
}

/**
 * Resolves after `ms` on `clock`, or rejects with `NSOMOCK_SCENARIO_ABORTED` when `signal` aborts.
 * @throws NsoMockError `NSOMOCK_SCENARIO_ABORTED` when the signal aborts first.
 * @example
 *   await sleep(clock, 250, signal);
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      cancel();
      reject(abortError(signal));
    };
    const cancel = afterAtLeast(clock, ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** How {@link waitUntil} ended. */
export type WaitResult = 'met' | 'timeout';

/**
 * Waits until `check()` returns true, re-checking whenever `subscribe`'s callback is called (an
 * event that may have changed the answer), or until `ms` pass on `clock`. `check` runs once at the
 * start, so a condition that already holds resolves at once.
 * @throws NsoMockError `NSOMOCK_SCENARIO_ABORTED` when the signal aborts first.
 * @example
 *   const result = await waitUntil(clock, signal, 5_000, () => subs().length >= 2, (wake) => target.on('subscribed', wake));
 */
export function waitUntil(
  clock: Clock,
  signal: AbortSignal,
  ms: number,
  check: () => boolean,
  subscribe: (wake: () => void) => () => void,
): Promise<WaitResult> {
  return new Promise<WaitResult>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    let done = false;
    let unsubscribe: (() => void) | undefined;
    let cancelTimer: (() => void) | undefined;
    const finish = (outcome: (() => void)): void => {
      if (done) return;
      done = true;
      cancelTimer?.();
      unsubscribe?.();
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const onAbort = (): void => finish(() => reject(abortError(signal)));
    const wake = (): void => {
      if (done) return;
      let met: boolean;
      try {
        met = check();
      } catch (error) {
        finish(() => reject(error));
        return;
      }
      if (met) finish(() => resolve('met'));
    };
    wake();
    if (done) return;
    unsubscribe = subscribe(wake);
    signal.addEventListener('abort', onAbort, { once: true });
    cancelTimer = afterAtLeast(clock, ms, () => finish(() => resolve(check() ? 'met' : 'timeout')));
  });
}
