/**
 * Progress and commit progress — bits 16777216 / 65536 — PROTOCOL.md §11.14, NSO62.md §B: `{Bit, Event}`.
 *
 * - `nso57` [V57]: Event is exactly a 19-tuple (the 5.7.1 C library asserts on the arity and
 *   aborts the client process otherwise, so never send another arity to a 5.7 client).
 * - `nso62`, `nso66` [V625]: the 15-tuple `{Type, Timestamp, Duration, TraceId, SpanId,
 *   ParentSpanId, Usid, Tid, Datastore, Context, Subsystem, Msg, Annotation, Attributes, Links}`;
 *   Attributes and Links are always lists (`undefined` there makes 6.2.5's `read_notification`
 *   fail with confd_errno 20), and a 19-tuple aborts a 6.2.5 client (NSO62.md §D).
 *
 * Decoding goes by arity (19 or 15) whatever the profile; encoding goes by profile and refuses
 * fields the profile's layout has no slot for ({@link progressFieldWithoutSlot}).
 */
import { list, tuple, type Term } from '../term.js';
import { normalizeDateTime } from './datetime.js';
import {
  enumValue,
  intIn,
  NAT64,
  onlyKeys,
  optInt,
  optListOf,
  optText,
  pickAlias,
  record,
  show,
  text,
  TIMESTAMP64,
  type NormalizeContext,
} from './input.js';
import {
  at,
  badTerm,
  bitTerm,
  describeTerm,
  intTerm,
  optText as optTextTerm,
  readInt,
  readList,
  readOptInt,
  readOptText,
  readText,
  readTuple,
  textTerm,
  UNDEFINED,
  unencodable,
  withDefined,
  type PythonDict,
} from './layout.js';
import {
  DATASTORES,
  NOTIF,
  PROGRESS_EVENTS,
  type DateTime,
  type Profile,
  type ProgressAttribute,
  type ProgressInput,
  type ProgressLink,
  type ProgressNotification,
  type ProgressType,
} from './notification.js';

/** The type bit of each progress type (§10.1). */
export const PROGRESS_BITS: Readonly<Record<ProgressType, number>> = {
  progress: NOTIF.PROGRESS,
  'commit-progress': NOTIF.COMMIT_PROGRESS,
};

/** Fields only the 19-tuple (nso57) has. */
const NSO57_ONLY = ['phase', 'service', 'service_phase', 'commit_queue_id', 'node', 'device', 'device_phase', 'package'] as const;
/** Fields only the 15-tuple (nso62, nso66) has. */
const NSO62_ONLY = ['span_id', 'parent_span_id'] as const;

const optIntTerm = (v: number | undefined): Term => (v === undefined ? UNDEFINED : intTerm(v));

/**
 * The first field of `n` that has no slot in the profile's progress layout, or undefined.
 * @example progressFieldWithoutSlot({ ...n, phase: 'validate' }, 'nso62') // 'phase'
 */
export function progressFieldWithoutSlot(n: ProgressNotification, profile: Profile): string | undefined {
  if (profile === 'nso57') {
    for (const key of NSO62_ONLY) if (n[key] !== undefined) return key;
    if ((n.attributes?.length ?? 0) > 0) return 'attributes';
    if ((n.links?.length ?? 0) > 0) return 'links';
    return undefined;
  }
  for (const key of NSO57_ONLY) if (n[key] !== undefined) return key;
  return undefined;
}

/**
 * The 19-tuple (`nso57`) or the 6.2 15-tuple (`nso62`, `nso66`).
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` when a field has no slot in the profile's layout
 */
export function progressToTerm(n: ProgressNotification, profile: Profile): Term {
  const field = progressFieldWithoutSlot(n, profile);
  if (field !== undefined) {
    throw unencodable(
      field,
      profile === 'nso57'
        ? `${field} has no slot in the nso57 progress layout (§11.14); use profile nso62`
        : `${field} has no slot in the ${profile} progress layout (NSO62.md §B); put it in an attribute or use profile nso57`,
    );
  }
  if (profile === 'nso57') {
    const event = tuple(
      intTerm(n.event),
      intTerm(n.timestamp),
      optIntTerm(n.duration),
      intTerm(n.usid),
      intTerm(n.tid),
      intTerm(n.datastore),
      optTextTerm(n.context),
      optTextTerm(n.trace_id),
      optTextTerm(n.subsystem),
      optTextTerm(n.phase),
      optTextTerm(n.msg),
      optTextTerm(n.annotation),
      optTextTerm(n.service),
      optTextTerm(n.service_phase),
      optIntTerm(n.commit_queue_id),
      optTextTerm(n.node),
      optTextTerm(n.device),
      optTextTerm(n.device_phase),
      optTextTerm(n.package),
    );
    return tuple(bitTerm(PROGRESS_BITS[n.type]), event);
  }
  const attributes = (n.attributes ?? []).map((a) => tuple(textTerm(a.name), typeof a.value === 'string' ? textTerm(a.value) : intTerm(a.value)));
  const links = (n.links ?? []).map((l) => tuple(textTerm(l.trace_id), textTerm(l.span_id)));
  // NSO62.md §B: the ids come before usid; Attributes and Links are lists even when empty.
  const event = tuple(
    intTerm(n.event),
    intTerm(n.timestamp),
    optIntTerm(n.duration),
    optTextTerm(n.trace_id),
    optTextTerm(n.span_id),
    optTextTerm(n.parent_span_id),
    intTerm(n.usid),
    intTerm(n.tid),
    intTerm(n.datastore),
    optTextTerm(n.context),
    optTextTerm(n.subsystem),
    optTextTerm(n.msg),
    optTextTerm(n.annotation),
    list(attributes),
    list(links),
  );
  return tuple(bitTerm(PROGRESS_BITS[n.type]), event);
}

/** Reads the 19-tuple or the 6.2 15-tuple. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function progressFromTerm(e: readonly Term[], type: ProgressType): ProgressNotification {
  const ev = readTuple(at(e, 1, 'event'), 'event', [19, 15]);
  const el = (i: number, name: string): Term => at(ev, i, name);
  const s = (i: number, name: string): string | undefined => readOptText(el(i, name), name);
  const head = {
    type,
    event: readInt(el(0, 'event'), 'event'),
    timestamp: readInt(el(1, 'timestamp'), 'timestamp'),
    duration: readOptInt(el(2, 'duration'), 'duration'),
  };
  if (ev.length === 19) {
    return withDefined<ProgressNotification>({
      ...head,
      usid: readInt(el(3, 'usid'), 'usid'),
      tid: readInt(el(4, 'tid'), 'tid'),
      datastore: readInt(el(5, 'datastore'), 'datastore'),
      context: s(6, 'context'),
      trace_id: s(7, 'trace_id'),
      subsystem: s(8, 'subsystem'),
      phase: s(9, 'phase'),
      msg: s(10, 'msg'),
      annotation: s(11, 'annotation'),
      service: s(12, 'service'),
      service_phase: s(13, 'service_phase'),
      commit_queue_id: readOptInt(el(14, 'commit_queue_id'), 'commit_queue_id'),
      node: s(15, 'node'),
      device: s(16, 'device'),
      device_phase: s(17, 'device_phase'),
      package: s(18, 'package'),
    });
  }
  const attributes = readList(el(13, 'attributes'), 'attributes').map((t, i): ProgressAttribute => {
    const path = `attributes[${i}]`;
    const [name, value] = readTuple(t, path, 2);
    if (name === undefined || value === undefined) throw badTerm(path, 'expected {Name, Value}');
    if (value.kind === 'binary') return { name: readText(name, `${path}.name`), value: readText(value, `${path}.value`) };
    if (value.kind === 'integer') return { name: readText(name, `${path}.name`), value: readInt(value, `${path}.value`) };
    throw badTerm(`${path}.value`, `expected a binary or an integer, got ${describeTerm(value)}`);
  });
  const links = readList(el(14, 'links'), 'links').map((t, i): ProgressLink => {
    const path = `links[${i}]`;
    const [traceId, spanId] = readTuple(t, path, 2);
    if (traceId === undefined || spanId === undefined) throw badTerm(path, 'expected {TraceId, SpanId}');
    return { trace_id: readText(traceId, `${path}.trace_id`), span_id: readText(spanId, `${path}.span_id`) };
  });
  return withDefined<ProgressNotification>({
    ...head,
    trace_id: s(3, 'trace_id'),
    span_id: s(4, 'span_id'),
    parent_span_id: s(5, 'parent_span_id'),
    usid: readInt(el(6, 'usid'), 'usid'),
    tid: readInt(el(7, 'tid'), 'tid'),
    datastore: readInt(el(8, 'datastore'), 'datastore'),
    context: s(9, 'context'),
    subsystem: s(10, 'subsystem'),
    msg: s(11, 'msg'),
    annotation: s(12, 'annotation'),
    attributes,
    links,
  });
}

/** Microseconds since 1970 from a date-time (its timezone offset applied; none = UTC). */
export function dateTimeToMicros(dt: DateTime): number {
  const offsetMinutes = (dt.timezone ?? 0) * 60 + dt.timezone_minutes;
  const ms = Date.UTC(dt.year, dt.month - 1, dt.day, dt.hour, dt.min, dt.sec) - offsetMinutes * 60_000;
  return ms * 1000 + dt.micro;
}

/** A µs timestamp from a number, ISO text or a Date. */
export function microsInput(value: unknown, path: string): number {
  if (typeof value === 'string' || value instanceof Date) return dateTimeToMicros(normalizeDateTime(value, path));
  return intIn(value, path, NAT64);
}

function attribute(value: unknown, path: string): ProgressAttribute {
  const r = record(value, path);
  onlyKeys(r, path, ['name', 'value']);
  const v = r['value'];
  if (typeof v !== 'string' && typeof v !== 'number') throw unencodable(`${path}.value`, `expected text or an integer, got ${show(v)}`);
  return { name: text(r['name'], `${path}.name`), value: typeof v === 'string' ? v : intIn(v, `${path}.value`, { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }) };
}

function link(value: unknown, path: string): ProgressLink {
  const r = record(value, path);
  onlyKeys(r, path, ['trace_id', 'span_id']);
  return { trace_id: text(r['trace_id'], `${path}.trace_id`), span_id: text(r['span_id'], `${path}.span_id`) };
}

const INPUT_KEYS = [
  'type',
  'event',
  'timestamp',
  'duration',
  'usid',
  'tid',
  'datastore',
  'db',
  'context',
  'trace_id',
  'subsystem',
  'phase',
  'msg',
  'annotation',
  'service',
  'service_phase',
  'commit_queue_id',
  'node',
  'device',
  'device_phase',
  'package',
  'span_id',
  'parent_span_id',
  'attributes',
  'links',
];

/**
 * Defaults: `event` info, `timestamp` now (µs), `usid` the default usid, `tid` 0, `datastore`
 * running, every optional field absent. §6.4: `timestamp` must be ≥ 2^32 (the C library reads it
 * as a 64-bit node); `duration` and `commit_queue_id` are 0..2^53−1.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeProgress(input: ProgressInput, ctx: NormalizeContext): ProgressNotification {
  const r = record(input, '');
  onlyKeys(r, '', INPUT_KEYS);
  const s = (key: keyof ProgressInput): string | undefined => optText(r[key], key);
  const timestamp = input.timestamp === undefined ? ctx.nowMs * 1000 : microsInput(input.timestamp, 'timestamp');
  return withDefined<ProgressNotification>({
    type: input.type,
    event: enumValue(PROGRESS_EVENTS, input.event ?? 'info', 'event'),
    timestamp: intIn(timestamp, 'timestamp', TIMESTAMP64),
    duration: optInt(input.duration, 'duration', NAT64),
    usid: intIn(input.usid ?? ctx.usid, 'usid'),
    tid: intIn(input.tid ?? 0, 'tid'),
    datastore: enumValue(DATASTORES, pickAlias(r, '', 'datastore', 'db') ?? 'running', 'datastore'),
    context: s('context'),
    trace_id: s('trace_id'),
    subsystem: s('subsystem'),
    phase: s('phase'),
    msg: s('msg'),
    annotation: s('annotation'),
    service: s('service'),
    service_phase: s('service_phase'),
    commit_queue_id: optInt(input.commit_queue_id, 'commit_queue_id', NAT64),
    node: s('node'),
    device: s('device'),
    device_phase: s('device_phase'),
    package: s('package'),
    span_id: s('span_id'),
    parent_span_id: s('parent_span_id'),
    attributes: optListOf(input.attributes, 'attributes', attribute),
    links: optListOf(input.links, 'links', link),
  });
}

const nonEmpty = (key: string, v: string | undefined): PythonDict => (v ? { [key]: v } : {});
const present = (key: string, v: string | undefined): PythonDict => (v === undefined ? {} : { [key]: v });

/**
 * Python `progress` (§11.14). `layout` is the tuple the term had: `nso57` gives the 19-tuple keys
 * of the 5.7 table; `nso62`/`nso66` the 6.2.5 binding's keys (NSO62.md §C): `usid tid datastore`
 * always, every other field only when it was not `undefined`, `attributes` as a `{name: value}`
 * dict and `links` as a list of `ProgressLink` objects, each only when its list is not empty; no
 * `num_*`, `phase`, `service`, ... keys.
 */
export function progressPython(n: ProgressNotification, layout: Profile): PythonDict {
  if (layout === 'nso57') {
    return {
      type: PROGRESS_BITS[n.type],
      progress: {
        type: n.event,
        timestamp: n.timestamp,
        ...(n.event === 2 ? { duration: n.duration ?? 0 } : {}),
        usid: n.usid,
        tid: n.tid,
        datastore: n.datastore,
        ...present('context', n.context),
        ...nonEmpty('trace_id', n.trace_id),
        ...present('subsystem', n.subsystem),
        ...present('phase', n.phase),
        ...nonEmpty('msg', n.msg),
        ...present('annotation', n.annotation),
        ...present('service', n.service),
        ...present('service_phase', n.service_phase),
        ...(n.commit_queue_id ? { commit_queue_id: n.commit_queue_id } : {}),
        ...present('node', n.node),
        ...present('device', n.device),
        ...present('device_phase', n.device_phase),
        ...present('package', n.package),
      },
    };
  }
  const attributes = n.attributes ?? [];
  const links = n.links ?? [];
  return {
    type: PROGRESS_BITS[n.type],
    progress: {
      type: n.event,
      timestamp: n.timestamp,
      ...(n.duration === undefined ? {} : { duration: n.duration }),
      ...present('trace_id', n.trace_id),
      ...present('span_id', n.span_id),
      ...present('parent_span_id', n.parent_span_id),
      usid: n.usid,
      tid: n.tid,
      datastore: n.datastore,
      ...present('context', n.context),
      ...present('subsystem', n.subsystem),
      ...present('msg', n.msg),
      ...present('annotation', n.annotation),
      ...(attributes.length > 0 ? { attributes: Object.fromEntries(attributes.map((a) => [a.name, a.value])) } : {}),
      ...(links.length > 0 ? { links: links.map((l) => ({ $type: 'ProgressLink', span_id: l.span_id, trace_id: l.trace_id })) } : {}),
    },
  };
}
