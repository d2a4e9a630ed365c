/**
 * Leaf values between their YANG text form (`10.0.0.1`, `22`, `ssh`) and the confd value term a
 * read returns (PROTOCOL.md §9.4: `{11,22}` for a uint16, a 4-tuple for an IPv4 address, …), typed
 * by the leaf's `SchemaLeafType`. The term building is the codec's (`normalizeConfValue` +
 * `confValueToTerm`); this file only turns text into the codec's input and back.
 *
 * Dispatch is on `confdType` (a leafref carries its target's), except for unions, whose members
 * are tried in order (RFC 7950 §9.12: the first member type the text is valid for wins).
 */
import {
  CONFD_INT_RANGES,
  confValueFromTerm,
  confValueToTerm,
  dateTimeIso,
  improper,
  int,
  NsoMockError,
  normalizeConfValue,
  termEqual,
  type ConfValue,
  type Term,
} from '../codec/index.js';
import { SchemaError } from './errors.js';
import type { SchemaLeafType, SchemaNode } from './model.js';

/** What some types need beyond the text: the leaf (type `empty`: its `[NsHash|TagHash]`). */
export interface ValueOptions {
  /** The leaf the value belongs to (for `empty`, and for error messages). */
  readonly leaf?: SchemaNode;
  /** Where the value came from, for error messages (a keypath, `file:line:col`). */
  readonly path?: string;
}

function bad(text: string, type: SchemaLeafType, reason: string, options: ValueOptions): never {
  const what = type.typedef ?? type.base;
  throw new SchemaError('NSOMOCK_SCHEMA_VALUE', 'type a value', `'${text}' is no ${what}: ${reason}`, options.path === undefined ? {} : { path: options.path });
}

/** YANG's integer lexical form (RFC 7950 §9.2.1): decimal, `0x` hex or leading-0 octal, optional sign. */
function parseInteger(text: string): bigint | undefined {
  const m = /^([+-]?)(0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text.trim());
  if (m === null) return undefined;
  const digits = m[2]!;
  const magnitude = digits.startsWith('0x') ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  return m[1] === '-' ? -magnitude : magnitude;
}

function colonHex(text: string): Uint8Array | undefined {
  if (text === '') return new Uint8Array(0);
  const parts = text.split(':');
  if (!parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return Uint8Array.from(parts.map((p) => Number.parseInt(p, 16)));
}

function toHexColon(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The ConfValue (codec form) of a text for a non-union type. */
function confValueOf(type: SchemaLeafType, text: string, options: ValueOptions): ConfValue | Term {
  const code = type.confdType;
  switch (code) {
    case 5:
      return { confd_type: 5, value: text };
    case 6:
    case 7:
    case 8:
    case 9:
    case 10:
    case 11:
    case 12:
    case 13: {
      const v = parseInteger(text);
      if (v === undefined) return bad(text, type, 'not an integer', options);
      const [min, max] = CONFD_INT_RANGES[code as keyof typeof CONFD_INT_RANGES];
      if (v < min || v > max) return bad(text, type, `outside ${min}..${max}`, options);
      return normalizeConfValue({ confd_type: code, value: v });
    }
    case 17:
      if (text !== 'true' && text !== 'false') return bad(text, type, "expected 'true' or 'false'", options);
      return { confd_type: 17, value: text === 'true' };
    case 28: {
      const e = type.enums?.find((x) => x.name === text);
      if (e === undefined) return bad(text, type, `expected one of ${(type.enums ?? []).map((x) => x.name).join(', ')}`, options);
      return { confd_type: 28, value: e.value };
    }
    case 43: {
      const fd = type.fractionDigits ?? 0;
      const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
      if (m === null) return bad(text, type, 'not a decimal number', options);
      const frac = m[3] ?? '';
      if (frac.length > fd) return bad(text, type, `more than ${fd} fraction digits`, options);
      const scaled = BigInt(m[2]! + frac.padEnd(fd, '0')) * (m[1] === '-' ? -1n : 1n);
      if (scaled < -(2n ** 63n) || scaled >= 2n ** 63n) return bad(text, type, 'outside the 64-bit range', options);
      return normalizeConfValue({ confd_type: 43, value: scaled, fraction_digits: fd });
    }
    case 15:
    case 16:
    case 40:
    case 41:
    case 19:
    case 38:
      return normalizeConfValue({ confd_type: code, value: text });
    case 46: {
      const parts = text.split('.');
      if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) return bad(text, type, 'expected four dotted bytes', options);
      return { confd_type: 46, value: Uint8Array.from(parts.map(Number)) };
    }
    case 47: {
      const bytes = colonHex(text);
      if (bytes === undefined) return bad(text, type, 'expected colon-separated hex bytes', options);
      return { confd_type: 47, value: bytes };
    }
    case 39: {
      // yang:mac-address / phys-address are colon-hex text; YANG's binary is base64 (RFC 7950 §9.8.2).
      if (type.typedef === 'yang:mac-address' || type.typedef === 'yang:phys-address') {
        const bytes = colonHex(text);
        if (bytes === undefined) return bad(text, type, 'expected colon-separated hex bytes', options);
        return { confd_type: 39, value: bytes };
      }
      if (!/^[A-Za-z0-9+/\s]*={0,2}$/.test(text)) return bad(text, type, 'not base64', options);
      return { confd_type: 39, value: new Uint8Array(Buffer.from(text, 'base64')) };
    }
    case 29:
    case 30:
    case 50: {
      let mask = 0n;
      for (const name of text.split(/\s+/).filter((s) => s !== '')) {
        const b = type.bits?.find((x) => x.name === name);
        if (b === undefined) return bad(text, type, `unknown bit '${name}' (bits: ${(type.bits ?? []).map((x) => x.name).join(', ')})`, options);
        mask |= 1n << BigInt(b.position);
      }
      if (code !== 50) return normalizeConfValue({ confd_type: code, value: mask });
      // C_BITBIG: bit 0 is the least significant bit of the first byte [INF].
      const bytes: number[] = [];
      for (let m = mask; m > 0n; m >>= 8n) bytes.push(Number(m & 0xffn));
      return { confd_type: 50, value: Uint8Array.from(bytes) };
    }
    case 44: {
      const [prefix, name] = text.includes(':') ? [text.slice(0, text.indexOf(':')), text.slice(text.indexOf(':') + 1)] : [undefined, text];
      // The prefix is the defining module's; a model may write another module's import prefix for it,
      // so a name that only one identity has is accepted with any prefix.
      const byName = type.identities?.filter((x) => x.name === name) ?? [];
      const id = byName.find((x) => prefix === undefined || x.prefix === prefix) ?? (byName.length === 1 ? byName[0] : undefined);
      if (id === undefined) return bad(text, type, `expected one of ${(type.identities ?? []).map((x) => `${x.prefix}:${x.name}`).join(', ')}`, options);
      return { confd_type: 44, value: { ns: id.nsHash, id: id.idHash } };
    }
    case 2: {
      if (text !== '') return bad(text, type, 'a leaf of type empty has no value', options);
      const leaf = options.leaf;
      if (leaf === undefined) return bad(text, type, 'an empty leaf’s value is its [NsHash|TagHash]: pass the leaf', options);
      return improper([int(leaf.ns.hash)], int(leaf.tagHash));
    }
    default:
      return bad(text, type, `values of confd type ${code} are not supported`, options);
  }
}

function isTerm(v: ConfValue | Term): v is Term {
  return 'kind' in v;
}

/**
 * The confd value term (PROTOCOL.md §9.4) of a leaf value written as text.
 * @example
 *   valueToTerm({ base: 'uint16', confdType: 11 }, '22') // {11, 22}
 *   valueToTerm(addressLeaf.type!, '10.0.0.1')           // {10, 0, 0, 1}
 * @throws SchemaError `NSOMOCK_SCHEMA_VALUE` when the text does not fit the type
 */
export function valueToTerm(type: SchemaLeafType, text: string, options: ValueOptions = {}): Term {
  if (type.base === 'union' && type.members !== undefined) {
    for (const m of type.members) {
      try {
        return valueToTerm(m, text, options);
      } catch (e) {
        if (!(e instanceof NsoMockError)) throw e;
      }
    }
    return bad(text, type, `fits none of the union's member types (${type.members.map((m) => m.typedef ?? m.base).join(', ')})`, options);
  }
  try {
    const v = confValueOf(type, text, options);
    return isTerm(v) ? v : confValueToTerm(v);
  } catch (e) {
    if (e instanceof SchemaError) throw e;
    if (e instanceof NsoMockError) return bad(text, type, e.message.replace(/^Failed to [^:]*: /, ''), options);
    throw e;
  }
}

function formatDecimal(value: bigint, fd: number): string {
  const neg = value < 0n;
  const digits = (neg ? -value : value).toString().padStart(fd + 1, '0');
  const whole = digits.slice(0, digits.length - fd);
  // canonical decimal64 (RFC 7950 §9.3.2): no trailing zeros, but at least one fraction digit
  const frac = digits.slice(digits.length - fd).replace(/0+$/, '') || '0';
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

function textOf(type: SchemaLeafType, v: ConfValue): string | undefined {
  if ('raw' in v) return undefined;
  switch (v.confd_type) {
    case 5:
      return v.value;
    case 6:
    case 7:
    case 8:
    case 9:
    case 10:
    case 11:
    case 12:
    case 13:
      return String(v.value);
    case 17:
      return v.value ? 'true' : 'false';
    case 28:
      return type.enums?.find((e) => e.value === Number(v.value))?.name;
    case 43:
      return formatDecimal(BigInt(v.value), v.fraction_digits);
    case 15:
    case 16:
    case 40:
    case 41:
      return v.value;
    case 19:
      return dateTimeIso(v.value);
    case 38:
      return v.value.join('.');
    case 46:
      return Array.from(v.value).join('.');
    case 47:
      return toHexColon(v.value);
    case 39:
      return type.typedef === 'yang:mac-address' || type.typedef === 'yang:phys-address' ? toHexColon(v.value) : Buffer.from(v.value).toString('base64');
    case 29:
    case 30:
      return (type.bits ?? []).filter((b) => (BigInt(v.value) >> BigInt(b.position)) & 1n).map((b) => b.name).join(' ');
    case 50: {
      const bytes = v.value;
      return (type.bits ?? []).filter((b) => ((bytes[b.position >> 3] ?? 0) >> (b.position & 7)) & 1).map((b) => b.name).join(' ');
    }
    case 44: {
      const id = type.identities?.find((x) => x.nsHash === v.value.ns && x.idHash === v.value.id);
      return id === undefined ? undefined : `${id.prefix}:${id.name}`;
    }
    default:
      return undefined;
  }
}

/** Whether a decoded value's type is one the leaf type can hold (a bare integer is C_INT32, an atom C_BUF, …). */
function fits(type: SchemaLeafType, v: ConfValue): boolean {
  return v.confd_type === type.confdType;
}

/**
 * The YANG text form of a confd value term, read as the leaf's type (the inverse of `valueToTerm`).
 * @example
 *   termToValue(portLeaf.type!, tuple(int(11), int(22))) // '22'
 * @throws SchemaError `NSOMOCK_SCHEMA_VALUE` when the term is no value of the type
 */
export function termToValue(type: SchemaLeafType, term: Term, options: ValueOptions = {}): string {
  if (type.base === 'union' && type.members !== undefined) {
    for (const m of type.members) {
      try {
        return termToValue(m, term, options);
      } catch (e) {
        if (!(e instanceof NsoMockError)) throw e;
      }
    }
  } else if (type.confdType === 2) {
    const leaf = options.leaf;
    // An empty leaf reads as its [NsHash|TagHash] (§9.4 C_XMLTAG), in tag-value lists as the atom `leaf` (§9.5).
    if (term.kind === 'atom' && term.name === 'leaf') return '';
    if (term.kind === 'list' && (leaf === undefined ? term.tail.kind === 'integer' : termEqual(term, improper([int(leaf.ns.hash)], int(leaf.tagHash))))) return '';
  } else {
    let v: ConfValue | undefined;
    try {
      v = confValueFromTerm(term);
    } catch {
      v = undefined;
    }
    if (v !== undefined && fits(type, v)) {
      const text = textOf(type, v);
      if (text !== undefined) return text;
    }
  }
  const what = type.typedef ?? type.base;
  const details = options.path === undefined ? {} : { path: options.path };
  throw new SchemaError('NSOMOCK_SCHEMA_VALUE', 'read a value', `the term is no ${what} value (confd type ${type.confdType})`, details);
}
