/**
 * Property-test run counts come from FC_NUM_RUNS (CI sets a fixed default in .ci/run), so a
 * developer can run the suite deeper locally without editing tests.
 * `scale` lets an expensive property (sockets, the Erlang oracle) run fewer cases than a cheap one.
 */
export function fcRuns(scale = 1): number {
  const fromEnv = Number.parseInt(process.env['FC_NUM_RUNS'] ?? '', 10);
  const base = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 100;
  return Math.max(1, Math.round(base * scale));
}
