/**
 * `--redact` rules: a regular expression and its replacement, applied to every text of what a
 * recording writes (user names, addresses, messages, comments of the notifications, and the
 * file's comments), so a lab's names and addresses need not end up in a shared test.
 */
import { UsageError } from '../codec/index.js';

/** One rule: every match of `pattern` (global) becomes `replacement` (`$1` refers to groups). */
export interface RedactRule {
  readonly pattern: RegExp;
  readonly replacement: string;
  /** The rule as written, for logs. */
  readonly source: string;
}

/** The separator of pattern and replacement in `--redact PATTERN=>REPLACEMENT`. */
const ARROW = '=>';

/**
 * Parses `PATTERN=>REPLACEMENT` (the first `=>` separates them; the pattern is a JavaScript
 * regular expression, matched globally; an empty replacement deletes).
 * @throws UsageError `NSOMOCK_USAGE` without `=>`, with an empty pattern or one that does not compile.
 * @example parseRedactRule('admin|oper=>user').pattern // /admin|oper/g
 */
export function parseRedactRule(text: string): RedactRule {
  const at = text.indexOf(ARROW);
  if (at <= 0) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to read --redact: expected PATTERN=>REPLACEMENT, got ${JSON.stringify(text)}`, { details: { option: 'redact' } });
  }
  const source = text.slice(0, at);
  let pattern: RegExp;
  try {
    pattern = new RegExp(source, 'g');
  } catch (error) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to read --redact: ${(error as Error).message} (${JSON.stringify(text)})`, { details: { option: 'redact' } });
  }
  return { pattern, replacement: text.slice(at + ARROW.length), source: text };
}

/**
 * A copy of `value` with every string (not the keys) passed through the rules, in order.
 * @example redactValue({ uinfo: { username: 'alice' } }, [parseRedactRule('alice=>user')]) // { uinfo: { username: 'user' } }
 */
export function redactValue(value: unknown, rules: readonly RedactRule[]): unknown {
  if (rules.length === 0) return value;
  if (typeof value === 'string') return rules.reduce((text, r) => text.replace(r.pattern, r.replacement), value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, rules));
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'type' ? v : redactValue(v, rules)]));
  }
  return value;
}
