/**
 * Date-and-time (PROTOCOL.md §9.3): `{19, {Year, Month, Day, Hour, Minute, Second, Microsecond, TZ, TZMinutes}}`,
 * with `[]` in the TZ slot for "no timezone" (§6.6; Python −111).
 */
import { NIL, tuple, type Term } from '../term.js';
import { intIn, record, show, type Range } from './input.js';
import { at, badTerm, intTerm, readInt, readTuple, unencodable, type PythonDict } from './layout.js';
import type { DateTime, DateTimeInput } from './notification.js';

/** `CONFD_TIMEZONE_UNDEF`: what C and Python report for "no timezone". */
export const TIMEZONE_UNDEF = -111;

/** The C type tag of a date-time (§9.3, §9.4). */
const C_DATETIME = 19;

const FIELDS: readonly (readonly [keyof DateTime, Range])[] = [
  ['year', { min: -32768, max: 32767 }],
  ['month', { min: 1, max: 12 }],
  ['day', { min: 1, max: 31 }],
  ['hour', { min: 0, max: 23 }],
  ['min', { min: 0, max: 59 }],
  ['sec', { min: 0, max: 60 }],
  ['micro', { min: 0, max: 999_999 }],
];
const TZ: Range = { min: -14, max: 14 };
const TZ_MIN: Range = { min: -59, max: 59 };

/** The wire form `{19, {…}}` of a date-time. */
export function dateTimeToTerm(dt: DateTime): Term {
  return tuple(
    intTerm(C_DATETIME),
    tuple(
      intTerm(dt.year),
      intTerm(dt.month),
      intTerm(dt.day),
      intTerm(dt.hour),
      intTerm(dt.min),
      intTerm(dt.sec),
      intTerm(dt.micro),
      dt.timezone === null ? NIL : intTerm(dt.timezone),
      intTerm(dt.timezone_minutes),
    ),
  );
}

/**
 * Reads `{19, {…}}`; C rejects any other type tag here (§9.3).
 * @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION`
 */
export function dateTimeFromTerm(term: Term, path: string): DateTime {
  const outer = readTuple(term, path, 2);
  const tag = readInt(at(outer, 0, path), `${path}[0]`);
  if (tag !== C_DATETIME) throw badTerm(path, `expected the date-time tag 19, got ${tag}`);
  const inner = readTuple(at(outer, 1, path), `${path}[1]`, 9);
  const read = (i: number): number => readInt(at(inner, i, path), `${path}.${FIELDS[i]?.[0] ?? 'timezone_minutes'}`);
  const tzTerm = at(inner, 7, path);
  return {
    year: read(0),
    month: read(1),
    day: read(2),
    hour: read(3),
    min: read(4),
    sec: read(5),
    micro: read(6),
    timezone: tzTerm.kind === 'nil' ? null : readInt(tzTerm, `${path}.timezone`),
    timezone_minutes: readInt(at(inner, 8, path), `${path}.timezone_minutes`),
  };
}

/** A UTC date-time from milliseconds since 1970. */
export function dateTimeFromMillis(ms: number): DateTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(),
    micro: d.getUTCMilliseconds() * 1000,
    timezone: 0,
    timezone_minutes: 0,
  };
}

const ISO =
  /^(-?\d{4,5})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses ISO-8601 / RFC 3339 text. No offset = no timezone; `Z` = `+00:00`; fractions beyond
 * microseconds are cut. A negative offset gives both hours and minutes a minus sign [INF].
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function parseIsoDateTime(text: string, path: string): DateTime {
  const m = ISO.exec(text.trim());
  if (m === null) throw unencodable(path, `'${text}' is no ISO-8601 date-time`);
  let timezone: number | null = null;
  let timezoneMinutes = 0;
  const offset = m[8];
  if (offset !== undefined) {
    if (offset === 'Z' || offset === 'z') timezone = 0;
    else {
      const sign = offset.startsWith('-') ? -1 : 1;
      const digits = offset.slice(1).replace(':', '');
      timezone = sign * Number(digits.slice(0, 2));
      timezoneMinutes = digits.length > 2 ? sign * Number(digits.slice(2, 4)) : 0;
      if (timezone === 0) timezone = 0; // no -0
      if (timezoneMinutes === 0) timezoneMinutes = 0;
    }
  }
  return checkDateTime(
    {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4] ?? 0),
      min: Number(m[5] ?? 0),
      sec: Number(m[6] ?? 0),
      micro: Number(((m[7] ?? '') + '000000').slice(0, 6)),
      timezone,
      timezone_minutes: timezoneMinutes,
    },
    path,
  );
}

function checkDateTime(dt: DateTime, path: string): DateTime {
  for (const [key, range] of FIELDS) intIn(dt[key], `${path}.${key}`, range);
  if (dt.timezone !== null) intIn(dt.timezone, `${path}.timezone`, TZ);
  intIn(dt.timezone_minutes, `${path}.timezone_minutes`, TZ_MIN);
  return dt;
}

/**
 * A date-time from input: ISO text, a `Date` (UTC) or a partial `DateTime` (missing fields 0, or
 * 1 for month/day; missing `timezone` = none).
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeDateTime(value: DateTimeInput | unknown, path: string): DateTime {
  if (typeof value === 'string') return parseIsoDateTime(value, path);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw unencodable(path, 'invalid Date');
    return dateTimeFromMillis(value.getTime());
  }
  const r = record(value, path);
  for (const key of Object.keys(r)) {
    if (![...FIELDS.map((f) => f[0]), 'timezone', 'timezone_minutes'].includes(key as keyof DateTime)) {
      throw unencodable(`${path}.${key}`, `unknown date-time field ${show(key)}`);
    }
  }
  const get = (key: keyof DateTime, fallback: number): unknown => r[key] ?? fallback;
  const tz = r['timezone'];
  return checkDateTime(
    {
      year: get('year', 1970) as number,
      month: get('month', 1) as number,
      day: get('day', 1) as number,
      hour: get('hour', 0) as number,
      min: get('min', 0) as number,
      sec: get('sec', 0) as number,
      micro: get('micro', 0) as number,
      timezone: tz === undefined || tz === null || tz === TIMEZONE_UNDEF ? null : (tz as number),
      timezone_minutes: get('timezone_minutes', 0) as number,
    },
    path,
  );
}

/** Python's `_ncs.DateTime` rendering (README: `$type` DateTime). */
export function dateTimePython(dt: DateTime): PythonDict {
  return {
    $type: 'DateTime',
    year: dt.year,
    month: dt.month,
    day: dt.day,
    hour: dt.hour,
    min: dt.min,
    sec: dt.sec,
    micro: dt.micro,
    timezone: dt.timezone ?? TIMEZONE_UNDEF,
    timezone_minutes: dt.timezone_minutes,
  };
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

/** ISO text like Python's `datetime.isoformat()` (micro only when non-zero; `+HH:MM` when a timezone is set). */
export function dateTimeIso(dt: DateTime): string {
  let out = `${dt.year < 0 ? '-' : ''}${pad(dt.year, 4)}-${pad(dt.month)}-${pad(dt.day)}T${pad(dt.hour)}:${pad(dt.min)}:${pad(dt.sec)}`;
  if (dt.micro !== 0) out += `.${pad(dt.micro, 6)}`;
  if (dt.timezone !== null) {
    const negative = dt.timezone < 0 || (dt.timezone === 0 && dt.timezone_minutes < 0);
    out += `${negative ? '-' : '+'}${pad(dt.timezone)}:${pad(dt.timezone_minutes)}`;
  }
  return out;
}
