/**
 * SNMP agent — bit 512 — PROTOCOL.md §11.9 [V57 C and Java]:
 * `{512, {PduType, ReqId|TimeStamp, Ip, Port, ErrStatus|SpecificTrap, ErrIndex|GenericTrap, NumVarbinds, Varbinds, undefined, Enterprise}}`.
 * Varbinds are `{{1, SnmpType, NameAtom} | {2, SnmpType, Oid} | {3, SnmpType, RowIndex, ColumnAtom}, ValueText | undefined}`.
 */
import { atom, list, tuple, type Term } from '../term.js';
import { enumValue, intIn, listOf, NAT32, onlyKeys, PORT, record, show, text } from './input.js';
import { ipFromTerm, ipPythonKeys, ipToTerm, normalizeIp } from './ip.js';
import {
  at,
  badTerm,
  bitTerm,
  describeTerm,
  intTerm,
  readInt,
  readList,
  readText,
  readTuple,
  textTerm,
  UNDEFINED,
  unencodable,
  type PythonDict,
} from './layout.js';
import {
  NOTIF,
  SNMP_PDU_TYPES,
  SNMP_VARBIND_KINDS,
  SNMP_VARTYPES,
  type SnmpaInput,
  type SnmpaNotification,
  type SnmpVarbind,
} from './notification.js';

const V1_TRAP = 1;

function oidTerm(oid: readonly number[]): Term {
  // term_to_binary writes a list of 0..255 integers as STRING_EXT, longer ones as LIST_EXT (§6.1);
  // the encoder makes that choice, the model only holds the numbers.
  return list(oid.map((n) => intTerm(n)));
}

function varbindToTerm(vb: SnmpVarbind): Term {
  let variable: Term;
  switch (vb.type) {
    case 1:
      variable = tuple(intTerm(1), intTerm(vb.vartype), atom(vb.name));
      break;
    case 2:
      variable = tuple(intTerm(2), intTerm(vb.vartype), oidTerm(vb.oid));
      break;
    case 3:
      variable = tuple(intTerm(3), intTerm(vb.vartype), oidTerm(vb.cr[1]), atom(vb.cr[0]));
      break;
  }
  return tuple(variable, vb.val === null ? UNDEFINED : textTerm(vb.val));
}

/** The nested 10-tuple; slot 9 is `undefined` (read by nobody, §11.9). */
export function snmpaToTerm(n: SnmpaNotification): Term {
  const v1 = n.event === V1_TRAP;
  return tuple(
    bitTerm(NOTIF.SNMPA),
    tuple(
      intTerm(n.event),
      intTerm(v1 ? n.time_stamp : n.request_id),
      ipToTerm(n.addr, 'addr'),
      intTerm(n.port),
      intTerm(v1 ? n.specific_trap : n.error_status),
      intTerm(v1 ? n.generic_trap : n.error_index),
      intTerm(n.vb.length),
      list(n.vb.map(varbindToTerm)),
      UNDEFINED,
      oidTerm(n.enterprise),
    ),
  );
}

function oidFromTerm(term: Term, path: string): number[] {
  return readList(term, path).map((t, i) => readInt(t, `${path}[${i}]`));
}

function varbindFromTerm(term: Term, path: string): SnmpVarbind {
  const [variable, value] = readTuple(term, path, 2);
  if (variable === undefined || value === undefined) throw badTerm(path, 'expected {Var, Value}');
  // "any non-binary" value means no value (C_NOEXISTS, §11.9)
  const val = value.kind === 'binary' ? readText(value, `${path}.val`) : null;
  const v = readTuple(variable, `${path}.var`, [3, 4]);
  const kind = readInt(at(v, 0, path), `${path}.type`);
  const vartype = readInt(at(v, 1, path), `${path}.vartype`);
  if (kind === 1 && v.length === 3) return { type: 1, vartype, name: readText(at(v, 2, path), `${path}.name`), val };
  if (kind === 2 && v.length === 3) return { type: 2, vartype, oid: oidFromTerm(at(v, 2, path), `${path}.oid`), val };
  if (kind === 3 && v.length === 4) {
    return { type: 3, vartype, cr: [readText(at(v, 3, path), `${path}.cr[0]`), oidFromTerm(at(v, 2, path), `${path}.cr[1]`)], val };
  }
  throw badTerm(`${path}.type`, `unknown varbind kind ${kind} for ${describeTerm(variable)}`);
}

/** Reads `{512, Pdu}` (Pdu of at least 10 elements; NumVarbinds must equal the list length). @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function snmpaFromTerm(e: readonly Term[]): SnmpaNotification {
  const pdu = readTuple(at(e, 1, 'pdu'), 'pdu');
  if (pdu.length < 10) throw badTerm('pdu', `expected at least 10 elements, got ${pdu.length}`);
  const el = (i: number): Term => at(pdu, i, 'pdu');
  const event = readInt(el(0), 'event');
  const v1 = event === V1_TRAP;
  const slot2 = readInt(el(1), v1 ? 'time_stamp' : 'request_id');
  const slot5 = readInt(el(4), v1 ? 'specific_trap' : 'error_status');
  const slot6 = readInt(el(5), v1 ? 'generic_trap' : 'error_index');
  const count = readInt(el(6), 'num_variables');
  const vb = readList(el(7), 'vb').map((t, i) => varbindFromTerm(t, `vb[${i}]`));
  if (count !== vb.length) throw badTerm('num_variables', `says ${count} varbinds, the list has ${vb.length}`);
  const slot10 = el(9);
  return {
    type: 'snmpa',
    event,
    request_id: v1 ? 0 : slot2,
    addr: ipFromTerm(el(2), 'addr'),
    port: readInt(el(3), 'port'),
    error_status: v1 ? 0 : slot5,
    error_index: v1 ? 0 : slot6,
    vb,
    time_stamp: v1 ? slot2 : 0,
    specific_trap: v1 ? slot5 : 0,
    generic_trap: v1 ? slot6 : 0,
    enterprise: slot10.kind === 'list' || slot10.kind === 'nil' ? oidFromTerm(slot10, 'enterprise') : [],
  };
}

function oidInput(value: unknown, path: string): number[] {
  const parts = typeof value === 'string' ? value.split('.').filter((s) => s !== '').map(Number) : value;
  return listOf(parts, path, (n, p) => intIn(n, p, NAT32));
}

function atomName(value: unknown, path: string): string {
  const name = text(value, path);
  if (name === '' || [...name].length > 255) throw unencodable(path, `${show(name)} is no atom name (1..255 characters)`);
  return name;
}

function normalizeVarbind(value: unknown, path: string): SnmpVarbind {
  const r = record(value, path);
  onlyKeys(r, path, ['type', 'vartype', 'name', 'oid', 'cr', 'val']);
  const inferred = r['name'] !== undefined ? 1 : r['cr'] !== undefined ? 3 : 2;
  const kind = enumValue(SNMP_VARBIND_KINDS, r['type'] ?? inferred, `${path}.type`);
  const vartype = enumValue(SNMP_VARTYPES, r['vartype'] ?? 'octet-string', `${path}.vartype`);
  const rawVal = r['val'];
  const val = rawVal === undefined || rawVal === null ? null : text(rawVal, `${path}.val`);
  switch (kind) {
    case 1:
      return { type: 1, vartype, name: atomName(r['name'], `${path}.name`), val };
    case 2:
      return { type: 2, vartype, oid: oidInput(r['oid'], `${path}.oid`), val };
    case 3: {
      const cr = listOf(r['cr'], `${path}.cr`, (x) => x);
      if (cr.length !== 2) throw unencodable(`${path}.cr`, 'expected [column, rowindex]');
      return { type: 3, vartype, cr: [atomName(cr[0], `${path}.cr[0]`), oidInput(cr[1], `${path}.cr[1]`)], val };
    }
    default:
      throw unencodable(`${path}.type`, `unknown varbind kind ${kind} (expected 1 variable, 2 oid, 3 col-row)`);
  }
}

/**
 * Defaults: `event` (PDU type) v2-trap, `addr` 127.0.0.1, `port` 162, every number 0, no varbinds,
 * `enterprise` []. The fields of the other PDU family are forced to 0 (the wire has no room for them).
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeSnmpa(input: SnmpaInput): SnmpaNotification {
  const r = record(input, '');
  const event = enumValue(SNMP_PDU_TYPES, input.event ?? 'v2-trap', 'event');
  const v1 = event === V1_TRAP;
  const v1Keys = ['time_stamp', 'specific_trap', 'generic_trap'];
  const otherKeys = ['request_id', 'error_status', 'error_index'];
  onlyKeys(r, '', ['type', 'event', 'addr', 'port', 'vb', 'enterprise', ...v1Keys, ...otherKeys]);
  // the other PDU family's fields have no slot on the wire: only 0 (what a decoder reports) is accepted
  for (const key of v1 ? otherKeys : v1Keys) {
    if (r[key] !== undefined && r[key] !== 0) {
      throw unencodable(key, `${key} has no slot in a ${v1 ? 'v1 trap' : 'non-v1 PDU'} (§11.9); leave it out or 0`);
    }
  }
  const n = (key: string): number => intIn(r[key] ?? 0, key);
  return {
    type: 'snmpa',
    event,
    request_id: v1 ? 0 : n('request_id'),
    addr: normalizeIp(input.addr ?? '127.0.0.1', 'addr'),
    port: intIn(input.port ?? 162, 'port', PORT),
    error_status: v1 ? 0 : n('error_status'),
    error_index: v1 ? 0 : n('error_index'),
    vb: listOf(input.vb ?? [], 'vb', normalizeVarbind),
    time_stamp: v1 ? n('time_stamp') : 0,
    specific_trap: v1 ? n('specific_trap') : 0,
    generic_trap: v1 ? n('generic_trap') : 0,
    enterprise: oidInput(input.enterprise ?? [], 'enterprise'),
  };
}


function varbindPython(vb: SnmpVarbind): PythonDict {
  const val: PythonDict = vb.val === null ? { $type: 'Value', confd_type: 1 } : { $type: 'Value', confd_type: 5, value: vb.val };
  const base = { $type: 'SnmpVarbind', type: vb.type, vartype: vb.vartype, val };
  switch (vb.type) {
    case 1:
      return { ...base, name: vb.name };
    case 2:
      return { ...base, oid: [...vb.oid] };
    case 3:
      return { ...base, cr: [vb.cr[0], [...vb.cr[1]]] };
  }
}

/**
 * Python `snmpa`: `pdu_type`, `request_id`, `error_status`, `error_index`, `port`, `af`, `ip4`/`ip6`,
 * `vb` (only when there are varbinds); v1 traps add `time_stamp`, `specific_trap`, `generic_trap`
 * and `enterprise` (only when non-empty) and report the other three as 0.
 */
export function snmpaPython(n: SnmpaNotification): PythonDict {
  const v1 = n.event === V1_TRAP;
  return {
    type: NOTIF.SNMPA,
    snmpa: {
      pdu_type: n.event,
      request_id: n.request_id,
      error_status: n.error_status,
      error_index: n.error_index,
      port: n.port,
      ...ipPythonKeys(n.addr),
      ...(n.vb.length > 0 ? { vb: n.vb.map(varbindPython) } : {}),
      ...(v1
        ? {
            generic_trap: n.generic_trap,
            specific_trap: n.specific_trap,
            time_stamp: n.time_stamp,
            ...(n.enterprise.length > 0 ? { enterprise: [...n.enterprise] } : {}),
          }
        : {}),
    },
  };
}
