/**
 * Validation helpers of `normalizeNotification`: enum names, integer ranges (PROTOCOL.md §6.4) and
 * text fields. Each throws `NSOMOCK_CODEC_UNENCODABLE` naming the field path. Internal.
 */
import { unencodable } from './layout.js';
import type { UserInfo } from './notification.js';

/** Signed 32-bit, what the C library reads for every integer field not listed in §6.4. */
export const INT32: Range = { min: -0x80000000, max: 0x7fffffff };
/** Non-negative signed 32-bit. */
export const NAT32: Range = { min: 0, max: 0x7fffffff };
/** Unsigned 32-bit (hashes, §9.5). */
export const UINT32: Range = { min: 0, max: 0xffffffff };
/** A port (`uinfo.port` is a 16-bit C field, §9.1). */
export const PORT: Range = { min: 0, max: 0xffff };
/** A non-negative 64-bit value that is a safe JavaScript integer (durations, ids; §6.4 "both kinds"). */
export const NAT64: Range = { min: 0, max: Number.MAX_SAFE_INTEGER };
/** §6.4: the progress timestamp is read as a 64-bit node, so it must be ≥ 2^32. */
export const TIMESTAMP64: Range = { min: 2 ** 32, max: Number.MAX_SAFE_INTEGER };

/** An inclusive integer range. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

function rangeText(range: Range): string {
  const show = (n: number): string => (n === 2 ** 32 ? '2^32' : n === Number.MAX_SAFE_INTEGER ? '2^53−1' : String(n));
  return `${show(range.min)}..${show(range.max)}`;
}

/** An integer within `range`. */
export function intIn(value: unknown, path: string, range: Range = INT32): number {
  if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
    value = Number(value);
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw unencodable(path, `expected an integer, got ${show(value)}`);
  }
  if (value < range.min || value > range.max) {
    throw unencodable(path, `${value} outside ${rangeText(range)}`);
  }
  // -0 is no Erlang integer; normalise it so what is normalised equals what decodes back
  return value === 0 ? 0 : value;
}

/** `logintime` (§6.4): signed 32-bit or a 64-bit value ≥ 2^32, never 2^31..2^32−1. */
export function loginTime(value: unknown, path: string): number {
  const n = intIn(value, path, { min: INT32.min, max: Number.MAX_SAFE_INTEGER });
  if (n > INT32.max && n < 2 ** 32) {
    throw unencodable(path, `${n} is in 2^31..2^32−1, which the C library misreads (PROTOCOL.md §6.4)`);
  }
  return n;
}

/** A 0/1 flag from a boolean or a number. */
export function flag01(value: unknown, path: string): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return intIn(value, path, { min: 0, max: 1 });
}

/** A text field. */
export function text(value: unknown, path: string): string {
  if (typeof value !== 'string') throw unencodable(path, `expected text, got ${show(value)}`);
  return value;
}

/** An optional text field. */
export function optText(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : text(value, path);
}

/** An optional integer field. */
export function optInt(value: unknown, path: string, range: Range = INT32): number | undefined {
  return value === undefined ? undefined : intIn(value, path, range);
}

/** A list field. */
export function listOf<T>(value: unknown, path: string, item: (v: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) throw unencodable(path, `expected a list, got ${show(value)}`);
  return value.map((v: unknown, i: number) => item(v, `${path}[${i}]`));
}

/** An optional list field. */
export function optListOf<T>(value: unknown, path: string, item: (v: unknown, path: string) => T): T[] | undefined {
  return value === undefined ? undefined : listOf(value, path, item);
}

/** Whether a value is a plain object whose fields can be read by name (not null, not a list). */
export function isFieldRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A plain object field, or a whole notification input (path ''), narrowed to its fields by name:
 * the typed input interfaces have no index signature, and a JavaScript caller may pass anything.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` when it is not an object
 */
export function record(value: unknown, path: string): Readonly<Record<string, unknown>> {
  if (!isFieldRecord(value)) throw unencodable(path === '' ? '(input)' : path, `expected an object, got ${show(value)}`);
  return value;
}

/**
 * An enum field: a name of `table` or a number within `range` (numbers need not be named: a mock
 * may send values a real server would not, on purpose).
 */
export function enumValue(
  table: Readonly<Record<string, number>>,
  value: unknown,
  path: string,
  range: Range = INT32,
): number {
  if (typeof value === 'string') {
    const n = Object.prototype.hasOwnProperty.call(table, value) ? table[value] : undefined;
    if (n === undefined) {
      throw unencodable(path, `unknown name '${value}' (expected one of ${Object.keys(table).join(', ')}, or a number)`);
    }
    return n;
  }
  return intIn(value, path, range);
}

/** Like `enumValue`, but only the listed numbers are allowed (layouts that differ per value). */
export function enumMember<N extends number>(
  table: Readonly<Record<string, number>>,
  value: unknown,
  path: string,
  allowed: readonly N[],
): N {
  const n = enumValue(table, value, path);
  if (!(allowed as readonly number[]).includes(n)) {
    throw unencodable(path, `${n} is not one of ${allowed.join(', ')}`);
  }
  return n as N;
}

/** Rejects keys the input type does not know (typos in YAML would otherwise be silently ignored). */
export function onlyKeys(input: Readonly<Record<string, unknown>>, path: string, keys: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (!keys.includes(key) && input[key] !== undefined) {
      throw unencodable(path === '' ? key : `${path}.${key}`, `unknown field '${key}' (known: ${keys.join(', ')})`);
    }
  }
}

/** Rejects giving both a field and its alias (`database` and `db`). */
export function pickAlias(input: Readonly<Record<string, unknown>>, path: string, name: string, alias: string): unknown {
  const a = input[name];
  const b = input[alias];
  if (a !== undefined && b !== undefined) {
    throw unencodable(path === '' ? alias : `${path}.${alias}`, `give '${name}' or its alias '${alias}', not both`);
  }
  return a ?? b;
}

/** A value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** What `normalizeNotification` resolved from `NotificationDefaults`, shared by every type. */
export interface NormalizeContext {
  /** The default user info, already validated. */
  readonly uinfo: UserInfo;
  /** The default usid (audit, audit-network, progress). */
  readonly usid: number;
  /** `now()` in milliseconds, read once per normalisation. */
  readonly nowMs: number;
}
