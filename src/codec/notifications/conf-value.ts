/**
 * `confd_value_t` in Erlang form (PROTOCOL.md §9.4) and the tag-value markers of §9.5.
 *
 * Position decides the type on the wire: a bare integer is C_INT32, a binary C_BUF, a 4-tuple
 * IPv4, an 8-tuple IPv6, `{Code, X}` a typed value, a list C_LIST. Types whose inner structure the
 * mock does not model (C_QNAME, C_DATE, C_TIME, C_DURATION, C_OBJECTREF) are kept as their raw term,
 * so they still round-trip byte for byte.
 */
import { atom, binary, float, list, tuple, type Term } from '../term.js';
import { dateTimeFromTerm, dateTimeIso, dateTimeToTerm, normalizeDateTime } from './datetime.js';
import { intIn, listOf, record, show, text, UINT32 } from './input.js';
import { AF_INET, AF_INET6, formatIp, ipFromTerm, ipToTerm, parseIp } from './ip.js';
import {
  at,
  badTerm,
  describeTerm,
  intTerm,
  readAnyInt,
  readInt,
  readList,
  readTuple,
  textTerm,
  unencodable,
  type PythonDict,
  type PythonValue,
} from './layout.js';
import {
  C_TYPE,
  type BytesConfdType,
  type ConfdTypeName,
  type ConfValue,
  type ConfValueInput,
  type IntegerConfdType,
  type MarkerConfdType,
  type PrefixConfdType,
  type RawConfdType,
} from './notification.js';

/** The marker atoms of §9.4 / §9.5 by C type. */
const MARKER_ATOMS: Readonly<Record<MarkerConfdType, string>> = {
  1: 'not_found',
  2: 'leaf',
  32: 'start',
  33: 'stop',
  42: 'default',
  45: 'delete',
  51: 'move_first',
  52: 'move_after',
};
const ATOM_MARKERS: ReadonlyMap<string, MarkerConfdType> = new Map(
  (Object.entries(MARKER_ATOMS) as [string, string][]).map(([code, name]) => [name, Number(code) as MarkerConfdType]),
);

/** Ranges of the integer value types (§9.4); 64-bit ones are checked as bigints. */
export const CONFD_INT_RANGES: Readonly<Record<IntegerConfdType, readonly [bigint, bigint]>> = {
  6: [-128n, 127n],
  7: [-32768n, 32767n],
  8: [-(2n ** 31n), 2n ** 31n - 1n],
  9: [-(2n ** 63n), 2n ** 63n - 1n],
  10: [0n, 255n],
  11: [0n, 65535n],
  12: [0n, 2n ** 32n - 1n],
  13: [0n, 2n ** 64n - 1n],
  28: [-(2n ** 31n), 2n ** 31n - 1n],
  29: [0n, 2n ** 32n - 1n],
  30: [0n, 2n ** 64n - 1n],
};
const MARKERS: readonly number[] = [1, 2, 32, 33, 42, 45, 51, 52];
const BYTES: readonly number[] = [39, 46, 47, 50];
const PREFIXES: readonly number[] = [40, 41, 48, 49];
const RAW: readonly number[] = [18, 20, 23, 27, 34];

/** Kebab-case names of `C_TYPE` (`'uint32'`, `'ipv4-and-plen'`) → code. */
export const CONFD_TYPE_NAMES: Readonly<Record<ConfdTypeName, number>> = Object.fromEntries(
  Object.entries(C_TYPE).map(([k, v]) => [k.toLowerCase().replace(/_/g, '-'), v]),
) as Record<ConfdTypeName, number>;
const KNOWN_CODES: ReadonlySet<number> = new Set(Object.values(C_TYPE));

function isInt(code: number): code is IntegerConfdType {
  return Object.prototype.hasOwnProperty.call(CONFD_INT_RANGES, code);
}

/** Narrows a normalised number | bigint to the canonical form (number when safe). */
function canonicalInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function prefixToTerm(code: PrefixConfdType, value: string, path: string): Term {
  const [addr, len] = value.split('/');
  const ip = addr === undefined ? undefined : parseIp(addr);
  if (ip === undefined || len === undefined || !/^\d+$/.test(len)) throw unencodable(path, `'${value}' is no address/length`);
  return tuple(intTerm(code), tuple(ipToTerm(formatIp(ip), path), intTerm(Number(len))));
}

/**
 * The wire form of a value (§9.4).
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` for an address or prefix that does not parse
 */
export function confValueToTerm(v: ConfValue, path = 'value'): Term {
  const code = v.confd_type;
  if ('raw' in v) return v.raw;
  if (isMarker(v)) return atom(MARKER_ATOMS[v.confd_type]);
  switch (v.confd_type) {
    case 5:
      return textTerm(v.value);
    case 8:
      return intTerm(v.value);
    case 6:
    case 7:
    case 9:
    case 10:
    case 11:
    case 12:
    case 13:
    case 28:
    case 29:
    case 30:
      return tuple(intTerm(code), intTerm(v.value));
    case 14:
      return float(v.value);
    case 15:
    case 16:
      return ipToTerm(v.value, path);
    case 17:
      return atom(v.value ? 'true' : 'false');
    case 19:
      return dateTimeToTerm(v.value);
    case 31:
      return list(v.value.map((item, i) => confValueToTerm(item, `${path}[${i}]`)));
    case 38: {
      const bytes = new Uint8Array(v.value.length * 4);
      const view = new DataView(bytes.buffer);
      v.value.forEach((sub, i) => view.setUint32(i * 4, sub >>> 0));
      return tuple(intTerm(38), binary(bytes));
    }
    case 39:
    case 46:
    case 47:
    case 50:
      return tuple(intTerm(code), binary(v.value));
    case 40:
    case 41:
    case 48:
    case 49:
      return prefixToTerm(v.confd_type, v.value, path);
    case 43:
      return tuple(intTerm(43), tuple(intTerm(v.value), intTerm(v.fraction_digits)));
    case 44:
      return tuple(intTerm(44), tuple(intTerm(v.value.ns), intTerm(v.value.id)));
  }
}

/**
 * Reads a value by position (§9.4). Atoms other than the markers and booleans are C_BUF, as the C
 * decoder makes them.
 * @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION`
 */
export function confValueFromTerm(term: Term, path = 'value'): ConfValue {
  switch (term.kind) {
    case 'atom': {
      if (term.name === 'true' || term.name === 'false') return { confd_type: 17, value: term.name === 'true' };
      const marker = ATOM_MARKERS.get(term.name);
      return marker === undefined ? { confd_type: 5, value: term.name } : { confd_type: marker };
    }
    case 'binary':
      return { confd_type: 5, value: new TextDecoder().decode(term.bytes) };
    case 'integer':
      return { confd_type: 8, value: term.value };
    case 'float':
      return { confd_type: 14, value: term.value };
    case 'nil':
    case 'list':
      return { confd_type: 31, value: readList(term, path).map((t, i) => confValueFromTerm(t, `${path}[${i}]`)) };
    case 'tuple':
      break;
    default:
      throw badTerm(path, `expected a value (§9.4), got ${describeTerm(term)}`);
  }
  const e = term.elements;
  if (e.length === 4) return { confd_type: 15, value: ipFromTerm(term, path) };
  if (e.length === 8) return { confd_type: 16, value: ipFromTerm(term, path) };
  if (e.length !== 2) throw badTerm(path, `expected a value (§9.4), got ${describeTerm(term)}`);
  const code = readInt(at(e, 0, path), `${path}.confd_type`);
  const x = at(e, 1, path);
  if (isInt(code) && code !== 8) return { confd_type: code, value: readAnyInt(x, `${path}.value`) };
  if (code === 19) return { confd_type: 19, value: dateTimeFromTerm(term, `${path}.value`) };
  if (RAW.includes(code)) return { confd_type: code as RawConfdType, raw: term };
  if (code === 38) {
    if (x.kind !== 'binary' || x.bytes.length % 4 !== 0) throw badTerm(`${path}.value`, 'expected a binary of 32-bit sub-ids');
    const view = new DataView(x.bytes.buffer, x.bytes.byteOffset, x.bytes.byteLength);
    return { confd_type: 38, value: Array.from({ length: x.bytes.length / 4 }, (_, i) => view.getUint32(i * 4)) };
  }
  if (BYTES.includes(code)) {
    if (x.kind !== 'binary') throw badTerm(`${path}.value`, `expected a binary, got ${describeTerm(x)}`);
    return { confd_type: code as BytesConfdType, value: x.bytes.slice() };
  }
  if (PREFIXES.includes(code)) {
    const p = readTuple(x, `${path}.value`, 2);
    const addr = ipFromTerm(at(p, 0, path), `${path}.value[0]`);
    return { confd_type: code as PrefixConfdType, value: `${addr}/${readInt(at(p, 1, path), `${path}.value[1]`)}` };
  }
  if (code === 43) {
    const p = readTuple(x, `${path}.value`, 2);
    return { confd_type: 43, value: readAnyInt(at(p, 0, path), `${path}.value[0]`), fraction_digits: readInt(at(p, 1, path), `${path}.value[1]`) };
  }
  if (code === 44) {
    const p = readTuple(x, `${path}.value`, 2);
    return { confd_type: 44, value: { ns: readInt(at(p, 0, path), `${path}.value[0]`), id: readInt(at(p, 1, path), `${path}.value[1]`) } };
  }
  throw badTerm(`${path}.confd_type`, `unknown value type code ${code}`);
}

function intValue(code: IntegerConfdType, value: unknown, path: string): number | bigint {
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value);
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) big = BigInt(value);
  else throw unencodable(path, `expected an integer, got ${show(value)}`);
  const [min, max] = CONFD_INT_RANGES[code];
  if (big < min || big > max) throw unencodable(path, `${big} outside ${min}..${max} for confd_type ${code}`);
  return canonicalInt(big);
}

function bytesValue(value: unknown, path: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  return Uint8Array.from(listOf(value, path, (b, p) => intIn(b, p, { min: 0, max: 255 })));
}

function oidValue(value: unknown, path: string): number[] {
  const parts = typeof value === 'string' ? value.split('.').filter((s) => s !== '').map(Number) : value;
  return listOf(parts, path, (n, p) => intIn(n, p, UINT32));
}

function codeOf(value: unknown, path: string): number {
  if (typeof value === 'string') {
    const code = (CONFD_TYPE_NAMES as Readonly<Record<string, number>>)[value];
    if (code === undefined) throw unencodable(path, `unknown confd_type '${value}'`);
    return code;
  }
  const n = intIn(value, path, { min: 0, max: 255 });
  if (!KNOWN_CODES.has(n)) throw unencodable(path, `unknown confd_type ${n}`);
  return n;
}

/**
 * A value from input (see `ConfValueInput`).
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeConfValue(input: ConfValueInput | unknown, path = 'value'): ConfValue {
  if (typeof input === 'string') return { confd_type: 5, value: input };
  if (typeof input === 'boolean') return { confd_type: 17, value: input };
  if (typeof input === 'number' || typeof input === 'bigint') {
    if (typeof input === 'number' && !Number.isInteger(input)) {
      if (!Number.isFinite(input)) throw unencodable(path, `${input} has no Erlang encoding`);
      return { confd_type: 14, value: input };
    }
    const big = BigInt(input);
    if (big >= -(2n ** 31n) && big < 2n ** 31n) return { confd_type: 8, value: Number(big) };
    return { confd_type: 9, value: intValue(9, big, path) };
  }
  if (Array.isArray(input)) return { confd_type: 31, value: input.map((v: unknown, i) => normalizeConfValue(v, `${path}[${i}]`)) };
  const r = record(input, path);
  const code = codeOf(r['confd_type'], `${path}.confd_type`);
  const vp = `${path}.value`;
  const value = r['value'];
  if (MARKERS.includes(code)) {
    if (value !== undefined) throw unencodable(vp, `confd_type ${code} takes no value`);
    return { confd_type: code as MarkerConfdType };
  }
  if (RAW.includes(code)) {
    const raw = r['raw'];
    if (typeof raw !== 'object' || raw === null || !('kind' in raw)) {
      throw unencodable(`${path}.raw`, `confd_type ${code} needs its Erlang term in 'raw'`);
    }
    return { confd_type: code as RawConfdType, raw: raw as Term };
  }
  if (isInt(code)) return { confd_type: code, value: intValue(code, value, vp) };
  switch (code) {
    case 5:
      return { confd_type: 5, value: text(value, vp) };
    case 14:
      if (typeof value !== 'number' || !Number.isFinite(value)) throw unencodable(vp, `expected a finite number, got ${show(value)}`);
      return { confd_type: 14, value };
    case 15:
    case 16: {
      const ip = typeof value === 'string' ? parseIp(value) : undefined;
      if (ip === undefined || ip.af !== (code === 15 ? AF_INET : AF_INET6)) {
        throw unencodable(vp, `expected an ${code === 15 ? 'IPv4' : 'IPv6'} address, got ${show(value)}`);
      }
      return { confd_type: code, value: formatIp(ip) };
    }
    case 17:
      if (typeof value !== 'boolean') throw unencodable(vp, `expected true or false, got ${show(value)}`);
      return { confd_type: 17, value };
    case 19:
      return { confd_type: 19, value: normalizeDateTime(value, vp) };
    case 31:
      return { confd_type: 31, value: listOf(value, vp, (v, p) => normalizeConfValue(v, p)) };
    case 38:
      return { confd_type: 38, value: oidValue(value, vp) };
    case 43:
      return {
        confd_type: 43,
        value: intValue(9, value, vp),
        fraction_digits: intIn(r['fraction_digits'], `${path}.fraction_digits`, { min: 1, max: 18 }),
      };
    case 44: {
      const id = record(value, vp);
      return { confd_type: 44, value: { ns: intIn(id['ns'], `${vp}.ns`, UINT32), id: intIn(id['id'], `${vp}.id`, UINT32) } };
    }
  }
  if (BYTES.includes(code)) return { confd_type: code as BytesConfdType, value: bytesValue(value, vp) };
  // the prefixes are what is left
  const prefix = text(value, vp);
  const [addr, len] = prefix.split('/');
  const ip = addr === undefined ? undefined : parseIp(addr);
  const v4 = code === 40 || code === 48;
  if (ip === undefined || ip.af !== (v4 ? AF_INET : AF_INET6) || len === undefined || !/^\d+$/.test(len)) {
    throw unencodable(vp, `expected an ${v4 ? 'IPv4' : 'IPv6'} 'address/length', got ${show(value)}`);
  }
  intIn(Number(len), vp, { min: 0, max: v4 ? 32 : 128 });
  return { confd_type: code as PrefixConfdType, value: `${formatIp(ip)}/${len}` };
}

function pyValue(v: ConfValue): PythonValue | undefined {
  if ('raw' in v || isMarker(v)) return undefined;
  switch (v.confd_type) {
    case 19:
      return dateTimeIso(v.value);
    case 31:
      return v.value.map(confValuePython);
    case 38:
      return v.value.join('.');
    case 39:
    case 46:
    case 47:
    case 50:
      return Array.from(v.value);
    case 43:
      return Number(v.value) / 10 ** v.fraction_digits;
    case 44:
      return [v.value.ns, v.value.id];
    default:
      return v.value;
  }
}

/**
 * Python's `_ncs.Value` rendering (README: `confd_type` + the natural `value`; no `value` for the
 * markers and C_NOEXISTS). Types the vectors do not cover are rendered best-effort: OIDs as dotted
 * text, byte values as lists of bytes, decimal64 as a float, identityrefs as `[ns, id]`, raw types
 * without a value.
 */
export function confValuePython(v: ConfValue): PythonDict {
  const value = pyValue(v);
  return value === undefined ? { $type: 'Value', confd_type: v.confd_type } : { $type: 'Value', confd_type: v.confd_type, value };
}

/** Whether a value is one of the tag-value element markers (§9.5) rather than a leaf value. */
export function isMarker(v: ConfValue): v is Extract<ConfValue, { readonly confd_type: MarkerConfdType }> {
  return MARKERS.includes(v.confd_type);
}
