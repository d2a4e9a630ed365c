/**
 * Time values of the scenario format: one or more `<number><unit>` parts with the units `ms`, `s`,
 * `m` and `h` (`250ms`, `2s`, `1.5s`, `1m30s`), or a bare 0; a bare non-zero number is refused
 * ("add a unit: 5s, 200ms"). {@link parseDuration} still reads a number as milliseconds, for
 * callers that hold milliseconds already (the control API's `within`). The schema pattern below and {@link parseDuration} accept exactly the same strings; both are
 * bounded by {@link MAX_DURATION_MS} (the schema's number branch by `maximum`, its string branch by
 * the loader, since a pattern cannot bound a sum), so a value that passed validation always parses.
 */

/** The JSON Schema pattern of a duration string (also used by the loader's own checks). */
export const DURATION_PATTERN = '^(?:[0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h))+$';

/**
 * The longest duration a scenario may write: 576h (24 days). It stays below the 2^31−1 ms
 * (≈24.8 days) that Node's `setTimeout` honours, so a wait is right even on a caller-supplied
 * clock that hands delays straight to Node (the built-in one re-arms longer timers); no test run
 * sensibly waits longer, and a bound catches `1000h` typed for `1000s` and absurd values such as
 * `99999999999999999999h` instead of letting them overflow.
 */
export const MAX_DURATION_MS = 2_073_600_000;

/** {@link MAX_DURATION_MS} as written in messages and docs. */
export const MAX_DURATION_TEXT = '576h (24 days)';

const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;
const WHOLE = new RegExp(DURATION_PATTERN);

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

export type { DurationInput } from './scenario.js';

/**
 * Converts a scenario duration to milliseconds, or returns `undefined` when it is not one
 * (negative, not finite, longer than {@link MAX_DURATION_MS}, or a string that does not match
 * {@link DURATION_PATTERN}). Fractions of a millisecond are rounded to the nearest millisecond.
 * @example
 *   parseDuration('1m30s') // 90000
 *   parseDuration(250)     // 250
 *   parseDuration('2 sec') // undefined
 *   parseDuration('1000h') // undefined (over 576h)
 */
export function parseDuration(value: unknown): number | undefined {
  let total: number;
  if (typeof value === 'number') {
    total = value;
  } else {
    if (typeof value !== 'string' || !WHOLE.test(value)) return undefined;
    total = 0;
    for (const match of value.matchAll(PART)) {
      total += Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
    }
  }
  // `>= 0 && <= MAX` is false for NaN and both infinities (YAML `.nan`, `.inf`, `1e400`).
  return total >= 0 && total <= MAX_DURATION_MS ? Math.round(total) : undefined;
}

/**
 * Whether a string is a duration {@link parseDuration} accepts (`parseDuration(text) !== undefined`
 * for strings). Self-contained on purpose: the schema validators generated at build time
 * (scripts/build-validators.mjs) copy its source text, so it may refer to nothing outside itself
 * (test/scenarios/validators.test.ts checks it against parseDuration).
 * @example
 *   durationStringInRange('1m30s') // true
 *   durationStringInRange('1000h') // false (over 576h)
 */
export function durationStringInRange(text: string): boolean {
  if (!/^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+$/.test(text)) return false;
  const part = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;
  let total = 0;
  for (let m = part.exec(text); m !== null; m = part.exec(text)) {
    total += Number(m[1]) * (m[2] === 'h' ? 3_600_000 : m[2] === 'm' ? 60_000 : m[2] === 's' ? 1_000 : 1);
  }
  return total >= 0 && total <= 2_073_600_000;
}

/**
 * Prints milliseconds the way a scenario would write them: `250ms`, `2s`, `1.5s`, `1m30s`, `2h`.
 * `parseDuration(formatDuration(ms)) === ms` for every non-negative integer `ms`.
 * @example
 *   formatDuration(90_000) // '1m30s'
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`;
  const whole = Math.round(ms);
  if (whole === 0) return '0ms';
  if (whole < 1_000) return `${whole}ms`;
  // 1.5s reads better than 1500ms; three decimals keep every whole millisecond exact.
  if (whole < 60_000) return `${whole / 1_000}s`;
  const h = Math.floor(whole / 3_600_000);
  const m = Math.floor((whole % 3_600_000) / 60_000);
  const restMs = whole % 60_000;
  let out = '';
  if (h > 0) out += `${h}h`;
  if (m > 0) out += `${m}m`;
  if (restMs > 0) out += restMs % 1_000 === 0 ? `${restMs / 1_000}s` : `${restMs}ms`;
  return out;
}
