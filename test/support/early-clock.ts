import { ManualClock, type Clock } from '../../src/server/index.js';

/**
 * A manual clock whose timers of 2 ms or more fire 1 ms before `now()` has moved by their delay, as
 * Node's can: they count from the event loop's cached time, which trails `Date.now()`. (A 1 ms
 * timer still takes 1 ms: a real one never fires before the loop turns.) Advance `manual`.
 */
export function earlyFiringClock(start: number = Date.UTC(2023, 10, 14, 12, 0, 0)): { readonly manual: ManualClock; readonly clock: Clock } {
  const manual = new ManualClock({ now: start });
  const clock: Clock = {
    now: () => manual.now(),
    setTimeout: (callback, delayMs) => manual.setTimeout(callback, delayMs >= 2 ? delayMs - 1 : delayMs),
    clearTimeout: (timer) => manual.clearTimeout(timer),
  };
  return { manual, clock };
}
