/**
 * Drives a promise that waits on a ManualClock: between turns of the event loop, the clock jumps to
 * its next timer. Scenarios with `wait: 2s` then play in milliseconds of real time, with exact
 * scenario times (no sleeping in tests).
 */
import type { ManualClock } from '../../src/server/index.js';

/**
 * Resolves with the promise's value once it settles.
 * @throws Error when it has not settled after `limitMs` of real time (a guard, not a wait: modules
 *   the scenario player imports on first use may take a while to load under vitest).
 */
export async function driveClock<T>(clock: ManualClock, promise: Promise<T>, limitMs = 20_000): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    // Let sockets, promises and immediates run before time moves.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (settled) return watched;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (settled) return watched;
    clock.runNext();
  }
  throw new Error(`driveClock: still pending after ${limitMs} ms`);
}
