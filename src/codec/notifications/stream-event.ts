/**
 * Stream event — bit 524288 — PROTOCOL.md §11.15 [V57]: `{524288, X}` with X `{DateTime, TagValues}`
 * (event 1), `notification_complete` (2), `replay_complete` (3) or `{replay_failed, Reason}` (4).
 */
import { atom, list, tuple, type Term } from '../term.js';
import { dateTimeFromMillis, dateTimeFromTerm, dateTimePython, dateTimeToTerm, normalizeDateTime } from './datetime.js';
import { enumMember, listOf, onlyKeys, text, type NormalizeContext, record } from './input.js';
import { at, badTerm, bitTerm, describeTerm, readList, readText, readTuple, textTerm, type PythonDict } from './layout.js';
import { NOTIF, STREAM_EVENTS, type StreamEventInput, type StreamEventNotification } from './notification.js';
import { isHashedTag, normalizeTagValue, tagValueFromTerm, tagValuePython, tagValueToTerm } from './tag-value.js';

/** `{524288, X}`. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` for a tag-value that cannot be encoded */
export function streamEventToTerm(n: StreamEventNotification): Term {
  let x: Term;
  switch (n.event) {
    case 1:
      x = tuple(dateTimeToTerm(n.event_time), list(n.values.map((tv, i) => tagValueToTerm(tv, `values[${i}]`))));
      break;
    case 2:
      x = atom('notification_complete');
      break;
    case 3:
      x = atom('replay_complete');
      break;
    case 4:
      x = tuple(atom('replay_failed'), textTerm(n.error));
      break;
  }
  return tuple(bitTerm(NOTIF.STREAM_EVENT), x);
}

/**
 * Reads X as the C decoder does: exactly `replay_complete` is 3, any other atom is 2, a 2-tuple
 * starting with an atom is replay failed, anything else must be `{DateTime, List}`.
 * @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION`
 */
export function streamEventFromTerm(e: readonly Term[]): StreamEventNotification {
  const x = at(e, 1, 'event');
  if (x.kind === 'atom') return { type: 'stream-event', event: x.name === 'replay_complete' ? 3 : 2 };
  const pair = readTuple(x, 'event', 2);
  const first = at(pair, 0, 'event');
  if (first.kind === 'atom') return { type: 'stream-event', event: 4, error: readText(at(pair, 1, 'error'), 'error') };
  if (first.kind !== 'tuple') throw badTerm('event_time', `expected a date-time, got ${describeTerm(first)}`);
  return {
    type: 'stream-event',
    event: 1,
    event_time: dateTimeFromTerm(first, 'event_time'),
    values: readList(at(pair, 1, 'values'), 'values').map((t, i) => tagValueFromTerm(t, `values[${i}]`)),
  };
}

/**
 * Defaults: `event` notification, `event_time` now (UTC), `values` []; `error` (event 4) ''.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeStreamEvent(input: StreamEventInput, ctx: NormalizeContext): StreamEventNotification {
  const r = record(input, '');
  const event = enumMember(STREAM_EVENTS, input.event ?? 'notification', 'event', [1, 2, 3, 4] as const);
  onlyKeys(r, '', ['type', 'event', ...(event === 1 ? ['event_time', 'values'] : event === 4 ? ['error'] : [])]);
  switch (event) {
    case 1:
      return {
        type: 'stream-event',
        event,
        event_time: input.event_time === undefined ? dateTimeFromMillis(ctx.nowMs) : normalizeDateTime(input.event_time, 'event_time'),
        values: listOf(input.values ?? [], 'values', normalizeTagValue),
      };
    case 4:
      return { type: 'stream-event', event, error: text(input.error ?? '', 'error') };
    default:
      return { type: 'stream-event', event };
  }
}

/**
 * Python `stream`: `type` (the event), `event_time` + `values` or `error`. `null` when a tag is not
 * the hashed `[Ns|Tag]` form: that shape (UseIKP = 1, econfd) never reaches a C/Python client.
 */
export function streamEventPython(n: StreamEventNotification): PythonDict | null {
  switch (n.event) {
    case 1:
      if (!n.values.every(isHashedTag)) return null;
      return {
        type: NOTIF.STREAM_EVENT,
        stream: { type: 1, event_time: dateTimePython(n.event_time), values: n.values.map(tagValuePython) },
      };
    case 4:
      return { type: NOTIF.STREAM_EVENT, stream: { type: 4, error: n.error } };
    default:
      return { type: NOTIF.STREAM_EVENT, stream: { type: n.event } };
  }
}
