/**
 * Subagent info — bit 128 — PROTOCOL.md §11.7 [V57]: `{128, {SubType, Name}}`.
 */
import { tuple, type Term } from '../term.js';
import { enumValue, onlyKeys, text, record } from './input.js';
import { at, bitTerm, intTerm, readInt, readText, readTuple, textTerm, type PythonDict } from './layout.js';
import { NOTIF, SUBAGENT_EVENTS, type SubagentInfoInput, type SubagentInfoNotification } from './notification.js';

/** `{128, {SubType, Name}}`. */
export function subagentInfoToTerm(n: SubagentInfoNotification): Term {
  return tuple(bitTerm(NOTIF.SUBAGENT_INFO), tuple(intTerm(n.event), textTerm(n.name)));
}

/** Reads `{128, {SubType, Name}}`. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function subagentInfoFromTerm(e: readonly Term[]): SubagentInfoNotification {
  const inner = readTuple(at(e, 1, 'event'), 'event', 2);
  return {
    type: 'subagent-info',
    event: readInt(at(inner, 0, 'event'), 'event'),
    name: readText(at(inner, 1, 'name'), 'name'),
  };
}

/** Defaults: `event` up, `name` 'subagent'. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeSubagentInfo(input: SubagentInfoInput): SubagentInfoNotification {
  onlyKeys(record(input, ''), '', ['type', 'event', 'name']);
  return {
    type: 'subagent-info',
    event: enumValue(SUBAGENT_EVENTS, input.event ?? 'up', 'event'),
    name: text(input.name ?? 'subagent', 'name'),
  };
}

/** Python `subagent`: `type` (the event), `name`. */
export function subagentInfoPython(n: SubagentInfoNotification): PythonDict {
  return { type: NOTIF.SUBAGENT_INFO, subagent: { type: n.event, name: n.name } };
}
