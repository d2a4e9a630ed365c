/**
 * HA info — bit 64 — PROTOCOL.md §11.6 [V57]: `{64, {HaType, Data}}`. With HA_INFO_SYNC in the
 * mask the client acks with the bare atom `ha_synced` and all HA processing waits (§12).
 */
import { tuple, type Term } from '../term.js';
import { confValueFromTerm, confValuePython, confValueToTerm, normalizeConfValue } from './conf-value.js';
import { enumMember, enumValue, flag01, onlyKeys, pickAlias, record, text } from './input.js';
import { AF_UNSPEC, ipFromTerm, ipPythonKeys, ipToTerm, normalizeIp } from './ip.js';
import { at, badTerm, bitTerm, intTerm, readInt, readText, readTuple, textTerm, UNDEFINED, unencodable, type PythonDict } from './layout.js';
import {
  HA_ERRORS,
  HA_EVENTS,
  NOTIF,
  type HaInfoInput,
  type HaInfoNotification,
  type HaNode,
  type Profile,
} from './notification.js';

/** `{NodeId, Address}` (§9.7): a host name travels as a binary. */
export function haNodeToTerm(node: HaNode, path = 'node'): Term {
  const addr = 'addr' in node ? ipToTerm(node.addr, `${path}.addr`) : textTerm(node.str);
  return tuple(confValueToTerm(node.nodeid, `${path}.nodeid`), addr);
}

/** Reads `{NodeId, Address}`; a binary address is a host name (C only, §9.7). @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function haNodeFromTerm(term: Term, path = 'node'): HaNode {
  const e = readTuple(term, path, 2);
  const nodeid = confValueFromTerm(at(e, 0, path), `${path}.nodeid`);
  const addr = at(e, 1, path);
  if (addr.kind === 'binary') return { nodeid, str: readText(addr, `${path}.str`) };
  return { nodeid, addr: ipFromTerm(addr, `${path}.addr`) };
}

/** `{64, {HaType, Data}}`; IS_PRIMARY / IS_NONE carry `undefined` (their data is ignored by every decoder). */
export function haInfoToTerm(n: HaInfoNotification): Term {
  let data: Term;
  switch (n.event) {
    case 1:
      data = intTerm(n.noprimary);
      break;
    case 2:
    case 3:
      data = haNodeToTerm(n.node);
      break;
    case 4:
      data = intTerm(n.cdb_initialized_by_copy);
      break;
    case 5:
    case 6:
      data = UNDEFINED;
      break;
    case 7:
      data = intTerm(n.besecondary_result);
      break;
  }
  return tuple(bitTerm(NOTIF.HA_INFO), tuple(intTerm(n.event), data));
}

/** Reads `{64, {HaType, Data}}`; HaType outside 1..7 fails as in C and Java. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function haInfoFromTerm(e: readonly Term[]): HaInfoNotification {
  const inner = readTuple(at(e, 1, 'event'), 'event', 2);
  const event = readInt(at(inner, 0, 'event'), 'event');
  const data = at(inner, 1, 'data');
  switch (event) {
    case 1:
      return { type: 'ha-info', event, noprimary: readInt(data, 'noprimary') };
    case 2:
    case 3:
      return { type: 'ha-info', event, node: haNodeFromTerm(data) };
    case 4:
      return { type: 'ha-info', event, cdb_initialized_by_copy: readInt(data, 'cdb_initialized_by_copy') };
    case 5:
    case 6:
      return { type: 'ha-info', event };
    case 7:
      return { type: 'ha-info', event, besecondary_result: readInt(data, 'besecondary_result') };
    default:
      throw badTerm('event', `unknown HA info type ${event} (expected 1..7)`);
  }
}

function normalizeNode(value: unknown, path: string): HaNode {
  const r = record(value ?? {}, path);
  onlyKeys(r, path, ['nodeid', 'addr', 'str']);
  const nodeid = normalizeConfValue(r['nodeid'] ?? 'node', `${path}.nodeid`);
  if (r['addr'] !== undefined && r['str'] !== undefined) throw unencodable(`${path}.str`, "give 'addr' or 'str', not both");
  if (r['str'] !== undefined) return { nodeid, str: text(r['str'], `${path}.str`) };
  return { nodeid, addr: normalizeIp(r['addr'] ?? '127.0.0.1', `${path}.addr`) };
}

/**
 * `event` is required; data defaults: `noprimary` ha-closed (26), `node` `{ nodeid: 'node', addr: '127.0.0.1' }`,
 * `cdb_initialized_by_copy` 0, `besecondary_result` 0. The 5.7 names `nomaster` / `beslave_result` are aliases.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeHaInfo(input: HaInfoInput): HaInfoNotification {
  const r = record(input, '');
  const dataKeys: Readonly<Record<number, readonly string[]>> = {
    1: ['noprimary', 'nomaster'],
    2: ['node'],
    3: ['node'],
    4: ['cdb_initialized_by_copy'],
    5: [],
    6: [],
    7: ['besecondary_result', 'beslave_result'],
  };
  if (input.event === undefined) throw unencodable('event', 'ha-info needs an event (e.g. secondary-died)');
  const event = enumMember(HA_EVENTS, input.event, 'event', [1, 2, 3, 4, 5, 6, 7] as const);
  onlyKeys(r, '', ['type', 'event', ...(dataKeys[event] ?? [])]);
  switch (event) {
    case 1:
      return { type: 'ha-info', event, noprimary: enumValue(HA_ERRORS, pickAlias(r, '', 'noprimary', 'nomaster') ?? 'ha-closed', 'noprimary') };
    case 2:
    case 3:
      return { type: 'ha-info', event, node: normalizeNode(input.node, 'node') };
    case 4:
      return { type: 'ha-info', event, cdb_initialized_by_copy: flag01(input.cdb_initialized_by_copy ?? 0, 'cdb_initialized_by_copy') };
    case 5:
    case 6:
      return { type: 'ha-info', event };
    case 7:
      return {
        type: 'ha-info',
        event,
        besecondary_result: enumValue(HA_ERRORS, pickAlias(r, '', 'besecondary_result', 'beslave_result') ?? 0, 'besecondary_result'),
      };
  }
}

function nodePython(node: HaNode): PythonDict {
  const nodeid = confValuePython(node.nodeid);
  return 'addr' in node ? { nodeid, ...ipPythonKeys(node.addr) } : { nodeid, af: AF_UNSPEC, str: node.str };
}

/**
 * Python `hnot`. The 6.x bindings (profiles `nso62` [V625, NSO62.md §C] and `nso66`; the vectors'
 * `python_dict`) set the new and the old key names; NSO 5.7.1 (`nso57`, `python_dict_nso57`) only
 * the old ones (§11.6).
 */
export function haInfoPython(n: HaInfoNotification, profile: Profile): PythonDict {
  const both = profile !== 'nso57';
  let data: PythonDict = {};
  switch (n.event) {
    case 1:
      data = both ? { noprimary: n.noprimary, nomaster: n.noprimary } : { nomaster: n.noprimary };
      break;
    case 2: {
      const node = nodePython(n.node);
      data = both ? { secondary_died: node, slave_died: node } : { slave_died: node };
      break;
    }
    case 3: {
      const node = nodePython(n.node);
      data = both ? { secondary_arrived: node, slave_arrived: node } : { slave_arrived: node };
      break;
    }
    case 4:
      data = { cdb_initialized_by_copy: n.cdb_initialized_by_copy };
      break;
    case 5:
    case 6:
      break;
    case 7:
      data = both
        ? { besecondary_result: n.besecondary_result, beslave_result: n.besecondary_result }
        : { beslave_result: n.besecondary_result };
      break;
  }
  return { type: NOTIF.HA_INFO, hnot: { type: n.event, ...data } };
}
