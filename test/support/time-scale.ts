/**
 * The one setting for every real-clock deadline in the tests: NSO_MOCK_TEST_TIME_SCALE (default 1).
 * On a loaded machine (CI runners shared with other jobs, a laptop building something else) set it
 * to 2 or 3: ack deadlines of the conform and fuzz end-to-end runs, waits that must succeed, timing
 * bounds, fuzz shrink budgets and vitest's own test timeout all grow together, so a slow machine
 * never fails a test that a quiet one passes. Waits that are meant to expire are left short.
 * (Tests on the scenario scheduler and the server's timers use an injected clock and need none.)
 */
function readScale(): number {
  const raw = process.env['NSO_MOCK_TEST_TIME_SCALE'];
  if (raw === undefined || raw === '') return 1;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`NSO_MOCK_TEST_TIME_SCALE must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

/** The factor every real-clock deadline of the tests is multiplied by. */
export const TIME_SCALE: number = readScale();

/**
 * `ms` times {@link TIME_SCALE}, rounded.
 * @example scaled(2000) // 2000, or 6000 with NSO_MOCK_TEST_TIME_SCALE=3
 */
export function scaled(ms: number): number {
  return Math.round(ms * TIME_SCALE);
}

/** A `--timeout-scale` value for `conform`: `factor` times {@link TIME_SCALE}, as a CLI argument. */
export function timeoutScaleArg(factor = 1): string {
  return String(factor * TIME_SCALE);
}
