/**
 * Commit queue progress — bit 4194304 — PROTOCOL.md §11.16 [V57]:
 * `{4194304, Type, Time, CqId, CqTag, Completed, Transient, Failed, ComplSvc, FailSvc, TraceId}`.
 * The 6.x additions (`label`, transient reasons) have no known slot and are not modelled (§19 item 3).
 */
import { list, tuple, type Term } from '../term.js';
import { dateTimeFromMillis, dateTimeFromTerm, dateTimePython, dateTimeToTerm, normalizeDateTime } from './datetime.js';
import { enumValue, intIn, NAT64, onlyKeys, optListOf, optText, record, text, type NormalizeContext } from './input.js';
import {
  at,
  bitTerm,
  intTerm,
  optText as optTextTerm,
  readInt,
  readList,
  readOptList,
  readOptText,
  readText,
  readTuple,
  textTerm,
  UNDEFINED,
  withDefined,
  type PythonDict,
  type PythonValue,
} from './layout.js';
import {
  CQ_PROGRESS_EVENTS,
  NOTIF,
  type CqCompletedService,
  type CqFailedDevice,
  type CqFailedService,
  type CqProgressInput,
  type CqProgressNotification,
} from './notification.js';

const names = (xs: readonly string[]): Term => list(xs.map((x) => textTerm(x)));
function optList<T>(xs: readonly T[] | undefined, f: (x: T) => Term): Term {
  return xs === undefined ? UNDEFINED : list(xs.map(f));
}

/** The 11-tuple; an absent list is `undefined`. */
export function cqProgressToTerm(n: CqProgressNotification): Term {
  return tuple(
    bitTerm(NOTIF.CQ_PROGRESS),
    intTerm(n.event),
    dateTimeToTerm(n.timestamp),
    intTerm(n.cq_id),
    optTextTerm(n.cq_tag),
    optList(n.completed_devices, (d) => textTerm(d)),
    optList(n.transient_devices, (d) => textTerm(d)),
    optList(n.failed_devices, (f) => tuple(textTerm(f.device), textTerm(f.reason))),
    optList(n.completed_services, (s) => tuple(textTerm(s.service), names(s.completed_devices))),
    optList(n.failed_services, (s) => tuple(textTerm(s.service), names(s.completed_devices), names(s.failed_devices))),
    optTextTerm(n.trace_id),
  );
}

function textList(term: Term, path: string): string[] {
  return readList(term, path).map((t, i) => readText(t, `${path}[${i}]`));
}

function optTextList(term: Term, path: string): string[] | undefined {
  return readOptList(term, path)?.map((t, i) => readText(t, `${path}[${i}]`));
}

/** Reads the 11-tuple. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function cqProgressFromTerm(e: readonly Term[]): CqProgressNotification {
  const el = (i: number, name: string): Term => at(e, i, name);
  const failed = readOptList(el(7, 'failed_devices'), 'failed_devices')?.map((t, i): CqFailedDevice => {
    const path = `failed_devices[${i}]`;
    const p = readTuple(t, path, 2);
    return { device: readText(at(p, 0, path), `${path}.device`), reason: readText(at(p, 1, path), `${path}.reason`) };
  });
  const completedSvc = readOptList(el(8, 'completed_services'), 'completed_services')?.map((t, i): CqCompletedService => {
    const path = `completed_services[${i}]`;
    const p = readTuple(t, path, 2);
    return { service: readText(at(p, 0, path), `${path}.service`), completed_devices: textList(at(p, 1, path), `${path}.completed_devices`) };
  });
  const failedSvc = readOptList(el(9, 'failed_services'), 'failed_services')?.map((t, i): CqFailedService => {
    const path = `failed_services[${i}]`;
    const p = readTuple(t, path, 3);
    return {
      service: readText(at(p, 0, path), `${path}.service`),
      completed_devices: textList(at(p, 1, path), `${path}.completed_devices`),
      failed_devices: textList(at(p, 2, path), `${path}.failed_devices`),
    };
  });
  // The optional parts are read first, as before, so a term with several faults names the same one.
  const optional = {
    cq_tag: readOptText(el(4, 'cq_tag'), 'cq_tag'),
    completed_devices: optTextList(el(5, 'completed_devices'), 'completed_devices'),
    transient_devices: optTextList(el(6, 'transient_devices'), 'transient_devices'),
    failed_devices: failed,
    completed_services: completedSvc,
    failed_services: failedSvc,
    trace_id: readOptText(el(10, 'trace_id'), 'trace_id'),
  };
  return withDefined<CqProgressNotification>({
    type: 'cq-progress',
    event: readInt(el(1, 'event'), 'event'),
    timestamp: dateTimeFromTerm(el(2, 'timestamp'), 'timestamp'),
    cq_id: readInt(el(3, 'cq_id'), 'cq_id'),
    ...optional,
  });
}

const textItem = (v: unknown, path: string): string => text(v, path);

function failedDevice(v: unknown, path: string): CqFailedDevice {
  const r = record(v, path);
  onlyKeys(r, path, ['device', 'reason']);
  return { device: text(r['device'], `${path}.device`), reason: text(r['reason'] ?? '', `${path}.reason`) };
}

function completedService(v: unknown, path: string): CqCompletedService {
  const r = record(v, path);
  onlyKeys(r, path, ['service', 'completed_devices']);
  return {
    service: text(r['service'], `${path}.service`),
    completed_devices: optListOf(r['completed_devices'] ?? [], `${path}.completed_devices`, textItem) ?? [],
  };
}

function failedService(v: unknown, path: string): CqFailedService {
  const r = record(v, path);
  onlyKeys(r, path, ['service', 'completed_devices', 'failed_devices']);
  return {
    service: text(r['service'], `${path}.service`),
    completed_devices: optListOf(r['completed_devices'] ?? [], `${path}.completed_devices`, textItem) ?? [],
    failed_devices: optListOf(r['failed_devices'] ?? [], `${path}.failed_devices`, textItem) ?? [],
  };
}

/**
 * Defaults: `event` waiting, `timestamp` now (UTC), `cq_id` 1 (0..2^53−1, §6.4 accepts 64-bit),
 * every list and text absent.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeCqProgress(input: CqProgressInput, ctx: NormalizeContext): CqProgressNotification {
  onlyKeys(record(input, ''), '', [
    'type',
    'event',
    'timestamp',
    'cq_id',
    'cq_tag',
    'completed_devices',
    'transient_devices',
    'failed_devices',
    'completed_services',
    'failed_services',
    'trace_id',
  ]);
  // The optional fields are checked first, as before, so an input with several faults names the same one.
  const optional = {
    cq_tag: optText(input.cq_tag, 'cq_tag'),
    completed_devices: optListOf(input.completed_devices, 'completed_devices', textItem),
    transient_devices: optListOf(input.transient_devices, 'transient_devices', textItem),
    failed_devices: optListOf(input.failed_devices, 'failed_devices', failedDevice),
    completed_services: optListOf(input.completed_services, 'completed_services', completedService),
    failed_services: optListOf(input.failed_services, 'failed_services', failedService),
    trace_id: optText(input.trace_id, 'trace_id'),
  };
  return withDefined<CqProgressNotification>({
    type: 'cq-progress',
    event: enumValue(CQ_PROGRESS_EVENTS, input.event ?? 'waiting', 'event'),
    timestamp: input.timestamp === undefined ? dateTimeFromMillis(ctx.nowMs) : normalizeDateTime(input.timestamp, 'timestamp'),
    cq_id: intIn(input.cq_id ?? 1, 'cq_id', NAT64),
    ...optional,
  });
}

const bufList = (xs: readonly string[]): PythonDict => ({
  $type: 'Value',
  confd_type: 31,
  value: xs.map((x): PythonValue => ({ $type: 'Value', confd_type: 5, value: x })),
});

/**
 * Python `cq_progress`: lists only when non-empty; failed devices as the parallel lists
 * `failed_devices` / `failed_reasons`; service device lists as `Value`s of type C_LIST (§11.16).
 */
export function cqProgressPython(n: CqProgressNotification): PythonDict {
  const failed = n.failed_devices ?? [];
  const completedSvc = n.completed_services ?? [];
  const failedSvc = n.failed_services ?? [];
  return {
    type: NOTIF.CQ_PROGRESS,
    cq_progress: {
      type: n.event,
      timestamp: dateTimePython(n.timestamp),
      cq_id: n.cq_id,
      ...(n.cq_tag === undefined ? {} : { cq_tag: n.cq_tag }),
      ...(n.completed_devices?.length ? { completed_devices: [...n.completed_devices] } : {}),
      ...(n.transient_devices?.length ? { transient_devices: [...n.transient_devices] } : {}),
      ...(failed.length > 0 ? { failed_devices: failed.map((f) => f.device), failed_reasons: failed.map((f) => f.reason) } : {}),
      ...(completedSvc.length > 0
        ? {
            completed_services: completedSvc.map((s) => s.service),
            completed_services_completed_devices: completedSvc.map((s) => bufList(s.completed_devices)),
          }
        : {}),
      ...(failedSvc.length > 0
        ? {
            failed_services: failedSvc.map((s) => s.service),
            failed_services_completed_devices: failedSvc.map((s) => bufList(s.completed_devices)),
            failed_services_failed_devices: failedSvc.map((s) => bufList(s.failed_devices)),
          }
        : {}),
      ...(n.trace_id === undefined ? {} : { trace_id: n.trace_id }),
    },
  };
}
