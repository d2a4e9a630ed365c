/**
 * The two time formats CPS puts on Kafka.
 *
 * - Legacy envelopes (LCM `eventTime`, the async `eventTime`s) use
 *   `DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ")`: always milliseconds, and the
 *   offset without a colon (`+0000`). See shared/schemas/ncmp/README.md, "Known defects".
 * - CloudEvents `ce_time` goes through the CloudEvents SDK, which writes
 *   `DateTimeFormatter.ISO_OFFSET_DATE_TIME`: fraction digits only as needed, `Z` for UTC.
 */
import { UsageError } from '../codec/errors.js';

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function checkTime(ms: number, offsetMinutes: number): Date {
  if (!Number.isFinite(ms) || !Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) >= 24 * 60) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to format event time: ${ms} with offset ${offsetMinutes} is not a valid instant`, {
      details: { option: 'time', value: ms },
    });
  }
  const local = new Date(Math.floor(ms) + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  if (year < 0 || year > 9999) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to format event time: year ${year} has no 4-digit yyyy form`, {
      details: { option: 'time', value: ms },
    });
  }
  return local;
}

function localPart(local: Date): string {
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}` +
    `T${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}`
  );
}

/**
 * Formats epoch milliseconds as CPS's `yyyy-MM-dd'T'HH:mm:ss.SSSZ`.
 * @param offsetMinutes the zone offset CPS's JVM would run with (CPS uses the system zone; 0 = UTC).
 * @example formatEventTime(Date.UTC(2024, 4, 1, 12)) // '2024-05-01T12:00:00.000+0000'
 * @throws UsageError `NSOMOCK_USAGE` for a non-finite time, an offset of a day or more, or a year outside 0..9999.
 */
export function formatEventTime(ms: number, offsetMinutes = 0): string {
  const local = checkTime(ms, offsetMinutes);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${localPart(local)}.${pad(local.getUTCMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`;
}

/**
 * Formats epoch milliseconds as `ISO_OFFSET_DATE_TIME` does, the form of CloudEvents' `ce_time`.
 * @example formatCloudEventTime(Date.UTC(2024, 4, 1, 12, 0, 0, 120)) // '2024-05-01T12:00:00.12Z'
 * @throws UsageError `NSOMOCK_USAGE` as {@link formatEventTime}.
 */
export function formatCloudEventTime(ms: number, offsetMinutes = 0): string {
  const local = checkTime(ms, offsetMinutes);
  const millis = local.getUTCMilliseconds();
  // appendFraction(NANO_OF_SECOND, 0, 9, true): trailing zeros are dropped, nothing for zero.
  const fraction = millis === 0 ? '' : `.${pad(millis, 3).replace(/0+$/, '')}`;
  if (offsetMinutes === 0) return `${localPart(local)}${fraction}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${localPart(local)}${fraction}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/** Pattern of {@link formatEventTime}'s output; the corrected schemas use it as the `cps-event-time` format. */
export const EVENT_TIME_PATTERN: RegExp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/;

/**
 * Parses a `yyyy-MM-dd'T'HH:mm:ss.SSSZ` string back to epoch milliseconds, or `undefined` if it is
 * not in that form.
 * @example parseEventTime('2024-05-01T12:00:00.000+0000') // 1714564800000
 */
export function parseEventTime(text: string): number | undefined {
  if (!EVENT_TIME_PATTERN.test(text)) return undefined;
  const iso = `${text.slice(0, 26)}:${text.slice(26)}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
