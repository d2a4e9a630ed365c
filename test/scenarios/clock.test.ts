import { describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../../src/scenarios/clock.js';
import { earlyFiringClock } from '../support/early-clock.js';

/** Whether `p` has settled after the pending microtasks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('scenario waits on a clock whose timers fire early', () => {
  it('sleep(10) does not end before the clock has moved 10 ms', async () => {
    const { manual, clock } = earlyFiringClock();
    const start = manual.now();
    const slept = sleep(clock, 10, new AbortController().signal);
    manual.advance(9); // the host timer fires here, 1 ms early
    expect(await settled(slept)).toBe(false);
    manual.advance(1);
    expect(await settled(slept)).toBe(true);
    expect(manual.now() - start).toBe(10);
  });

  it('waitUntil times out only once its full time has passed, and a condition met in the last ms counts', async () => {
    const { manual, clock } = earlyFiringClock();
    let met = false;
    const wakers: (() => void)[] = [];
    const result = waitUntil(clock, new AbortController().signal, 10, () => met, (wake) => {
      wakers.push(wake);
      return () => undefined;
    });
    manual.advance(9);
    expect(await settled(result)).toBe(false);
    met = true; // e.g. the ack arrives 9.5 ms in, before the 10 ms deadline
    manual.advance(1);
    expect(await result).toBe('met');

    const timedOut = waitUntil(clock, new AbortController().signal, 10, () => false, () => () => undefined);
    manual.advance(9);
    expect(await settled(timedOut)).toBe(false);
    manual.advance(1);
    expect(await timedOut).toBe('timeout');
  });

  it('cancels the re-armed timer when aborted', async () => {
    const { manual, clock } = earlyFiringClock();
    const abort = new AbortController();
    const slept = sleep(clock, 10, abort.signal);
    manual.advance(9);
    abort.abort('stop');
    await expect(slept).rejects.toMatchObject({ code: 'NSOMOCK_SCENARIO_ABORTED' });
    expect(manual.pendingTimers()).toBe(0);
  });
});
