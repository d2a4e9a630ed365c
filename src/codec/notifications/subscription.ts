/**
 * The subscription request and its reply (PROTOCOL.md §8). The request is
 * `{Mask, HeartbeatInterval, HealthCheckInterval, StreamInfo, Verbosity}` with StreamInfo
 * `undefined` or `{StreamName, StartTime, StopTime, XPathFilter, Usid, UseIKP}`.
 *
 * Decoding is by value, so the C (UTF-8 atoms), Java (ATOM_EXT; SMALL_BIG_EXT for integers
 * ≥ 2^27, §6.3) and econfd encodings give the same `Subscription`.
 */
import { formatInteger } from '../term-format.js';
import { atom, int, tuple, type Term } from '../term.js';
import { dateTimeFromTerm, dateTimeToTerm } from './datetime.js';
import { badTerm, describeTerm, readText, textTerm, UNDEFINED } from './layout.js';
import type { DateTime } from './notification.js';

/** The StreamInfo of a subscription (§8.1). */
export interface StreamRequest {
  /** The stream name (an atom on the wire), e.g. `NETCONF`, `ncs-events`. */
  readonly name: string;
  /** Replay start; absent = live only (§14). */
  readonly startTime?: DateTime;
  /** Replay/live end; only meaningful with `startTime`. */
  readonly stopTime?: DateTime;
  readonly xpathFilter?: string;
  /** The user session whose AAA rules filter the stream; 0 = none. */
  readonly usid: number;
  /** `true` = atom tags in stream values (econfd), `false` = hashed tags (C, Java, Python) (§9.5). */
  readonly useIkp: boolean;
}

/** A decoded subscription request (§8.1). */
export interface Subscription {
  /** OR of type and flag bits (§10.1). */
  readonly mask: number;
  /** Milliseconds; meaningful only with the HEARTBEAT bit. */
  readonly heartbeatInterval: number;
  /** Milliseconds; meaningful only with the HEALTH_CHECK bit. */
  readonly healthCheckInterval: number;
  readonly stream?: StreamRequest;
  /** Progress verbosity 0 NORMAL, 1 VERBOSE, 2 VERY_VERBOSE, 3 DEBUG. */
  readonly verbosity: number;
}

const MAX31 = 0x7fffffff;

function fail(path: string, reason: string): never {
  throw badTerm(path, reason, 'subscription');
}

function intField(term: Term, path: string, label: string, min: number, max: number): number {
  if (term.kind !== 'integer') fail(path, `${label} is not an integer but ${describeTerm(term)}`);
  const v = term.value;
  if (typeof v !== 'number' || v < min || v > max) fail(path, `${label} ${formatInteger(v)} outside ${min}..${max}`);
  return v;
}

function optDateTime(term: Term, path: string, label: string): DateTime | undefined {
  if (term.kind === 'atom' && term.name === 'undefined') return undefined;
  try {
    return dateTimeFromTerm(term, path);
  } catch {
    return fail(path, `${label} is not undefined or a datetime {19, {Y,Mo,D,H,Mi,S,Us,Tz,TzMin}} but ${describeTerm(term)}`);
  }
}

function streamFromTerm(term: Term): StreamRequest | undefined {
  if (term.kind === 'atom' && term.name === 'undefined') return undefined;
  if (term.kind !== 'tuple' || term.elements.length !== 6) {
    fail('stream', `stream info is not undefined or a 6-tuple {StreamName, StartTime, StopTime, XPathFilter, Usid, UseIKP} but ${describeTerm(term)}`);
  }
  const [name, start, stop, xpath, usid, ikp] = term.elements as [Term, Term, Term, Term, Term, Term];
  if (name.kind !== 'atom' && name.kind !== 'binary') fail('stream.name', `stream name is not an atom but ${describeTerm(name)}`);
  const startTime = optDateTime(start, 'stream.start_time', 'start time');
  const stopTime = optDateTime(stop, 'stream.stop_time', 'stop time');
  let xpathFilter: string | undefined;
  if (!(xpath.kind === 'atom' && xpath.name === 'undefined')) {
    if (xpath.kind !== 'binary') fail('stream.xpath_filter', `xpath filter is not undefined or a binary but ${describeTerm(xpath)}`);
    xpathFilter = readText(xpath, 'stream.xpath_filter');
  }
  return {
    name: readText(name, 'stream.name'),
    ...(startTime === undefined ? {} : { startTime }),
    ...(stopTime === undefined ? {} : { stopTime }),
    ...(xpathFilter === undefined ? {} : { xpathFilter }),
    usid: intField(usid, 'stream.usid', 'usid', -0x80000000, MAX31),
    useIkp: intField(ikp, 'stream.use_ikp', 'use_ikp', 0, 1) === 1,
  };
}

/**
 * Reads and validates the §8.1 shape. Semantic checks (STREAM_EVENT without stream info, interval 0
 * with the HEARTBEAT bit, unknown stream) are the server's, since the reply differs (§8.4, §17).
 * @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` with the reason, e.g. `verbosity 7 outside 0..3`
 * @example subscriptionFromTerm(decodeTerm(frame)).mask & NOTIF.COMMIT_DIFF
 */
export function subscriptionFromTerm(term: Term): Subscription {
  if (term.kind !== 'tuple' || term.elements.length !== 5) {
    fail('', `expected a 5-tuple {Mask, HeartbeatInterval, HealthCheckInterval, StreamInfo, Verbosity}, got ${describeTerm(term)}`);
  }
  const [mask, hb, hc, stream, verbosity] = term.elements as [Term, Term, Term, Term, Term];
  const s = streamFromTerm(stream);
  return {
    mask: intField(mask, 'mask', 'mask', 0, MAX31),
    heartbeatInterval: intField(hb, 'heartbeat_interval', 'heartbeat interval', 0, MAX31),
    healthCheckInterval: intField(hc, 'health_check_interval', 'health check interval', 0, MAX31),
    ...(s === undefined ? {} : { stream: s }),
    verbosity: intField(verbosity, 'verbosity', 'verbosity', 0, 3),
  };
}

/** The request term a client sends (what the mock's own client uses). */
export function subscriptionToTerm(s: Subscription): Term {
  const st = s.stream;
  const info =
    st === undefined
      ? UNDEFINED
      : tuple(
          atom(st.name),
          st.startTime === undefined ? UNDEFINED : dateTimeToTerm(st.startTime),
          st.stopTime === undefined ? UNDEFINED : dateTimeToTerm(st.stopTime),
          st.xpathFilter === undefined ? UNDEFINED : textTerm(st.xpathFilter),
          int(st.usid),
          int(st.useIkp ? 1 : 0),
        );
  return tuple(int(s.mask), int(s.heartbeatInterval), int(s.healthCheckInterval), info, int(s.verbosity));
}

/** The accepting reply: the atom `ok` (§8.4; C treats anything but an error tuple as success, so send exactly this). */
export const SUBSCRIBE_OK: Term = atom('ok');

/**
 * The refusing reply `{error, Code, Reason}`; a NUL is appended to Reason as the real server does (§8.4).
 * @example subscribeErrorTerm(1, 'no such stream: FOO')
 */
export function subscribeErrorTerm(code: number, reason: string): Term {
  return tuple(atom('error'), int(code), textTerm(`${reason}\0`));
}

/** A decoded subscription reply (for clients). */
export type SubscribeReply = { readonly ok: true } | { readonly ok: false; readonly code: number; readonly reason: string };

/**
 * Reads a reply the way the C library does: an `{error, Code, Reason}` tuple is a refusal (one
 * trailing NUL of Reason is dropped), anything else is success (§8.4).
 */
export function subscribeReplyFromTerm(term: Term): SubscribeReply {
  if (term.kind === 'tuple' && term.elements.length === 3) {
    const [tag, code, reason] = term.elements as [Term, Term, Term];
    if (tag.kind === 'atom' && tag.name === 'error' && code.kind === 'integer') {
      const text = reason.kind === 'binary' || reason.kind === 'atom' ? readText(reason, 'reason') : '';
      return { ok: false, code: Number(code.value), reason: text.endsWith('\0') ? text.slice(0, -1) : text };
    }
  }
  return { ok: true };
}
