/**
 * Leaf values from text to the wire form (PROTOCOL.md §9.4), by the leaf's schema type — a minimal
 * version kept here until the schema layer's value typing is merged (redirect `typeValue` then).
 */
import { atom, binary, binaryText, float, int, tuple, type Term } from '../codec/index.js';
import type { SchemaLeafType } from '../schema/index.js';

/** Thrown for text the type does not take. */
export class ValueProblem extends Error {
  override readonly name = 'ValueProblem';
}

const WRAPPED_INTEGERS = new Set([6, 7, 9, 10, 11, 12, 13]); // C_INT8/16/64, C_UINT8..64: `{Type, I}`
const RANGES: Readonly<Record<number, readonly [bigint, bigint]>> = {
  6: [-128n, 127n],
  7: [-32768n, 32767n],
  8: [-2147483648n, 2147483647n],
  9: [-(2n ** 63n), 2n ** 63n - 1n],
  10: [0n, 255n],
  11: [0n, 65535n],
  12: [0n, 4294967295n],
  13: [0n, 2n ** 64n - 1n],
};

/**
 * The §9.4 term of `text` for a leaf of type `type` (no type: C_BUF).
 * @example typeValue({ base: 'uint16', confdType: 11 }, '22') // {11, 22}
 * @throws ValueProblem when the text does not fit the type
 */
export function typeValue(type: SchemaLeafType | undefined, text: string): Term {
  if (type === undefined) return binary(text);
  const code = type.confdType;
  if (RANGES[code] !== undefined) {
    if (!/^[+-]?\d+$/.test(text.trim())) throw new ValueProblem(`${JSON.stringify(text)} is not an integer (${type.base})`);
    const n = BigInt(text.trim());
    const [lo, hi] = RANGES[code];
    if (n < lo || n > hi) throw new ValueProblem(`${text} is outside ${type.base} (${lo}..${hi})`);
    const value = int(n);
    return WRAPPED_INTEGERS.has(code) ? tuple(int(code), value) : value;
  }
  switch (code) {
    case 14: {
      const n = Number(text);
      if (Number.isNaN(n)) throw new ValueProblem(`${JSON.stringify(text)} is not a number (${type.base})`);
      return float(n);
    }
    case 15: {
      const parts = text.split('.');
      if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new ValueProblem(`${JSON.stringify(text)} is not an IPv4 address`);
      return tuple(...parts.map((p) => int(Number(p))));
    }
    case 17:
      if (text !== 'true' && text !== 'false') throw new ValueProblem(`${JSON.stringify(text)} is not a boolean (true or false)`);
      return atom(text);
    case 28: {
      const e = type.enums?.find((x) => x.name === text);
      if (e === undefined) throw new ValueProblem(`${JSON.stringify(text)} is not one of ${(type.enums ?? []).map((x) => x.name).join(', ')}`);
      return tuple(int(28), int(e.value));
    }
    case 43: {
      const digits = type.fractionDigits ?? 0;
      const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text.trim());
      if (m === null || (m[3] ?? '').length > digits) throw new ValueProblem(`${JSON.stringify(text)} is not a decimal64 with ${digits} fraction digits`);
      const scaled = BigInt(`${m[1] ?? ''}${m[2] ?? ''}${(m[3] ?? '').padEnd(digits, '0')}`);
      return tuple(int(43), tuple(int(scaled), int(digits)));
    }
    default:
      // C_BUF and every type the mock does not model: the text as a binary (what C_BUF carries).
      return binary(text);
  }
}

/** A scenario value (YAML scalar) as text for {@link typeValue}. */
export function inputText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new ValueProblem(`a value is a string, number or boolean, got ${value === null ? 'null' : typeof value}`);
}

/** A key element of a request path (§M5: binaries from C/Python; typed values from others) as text. */
export function keyText(term: Term): string {
  switch (term.kind) {
    case 'binary':
      return binaryText(term);
    case 'integer':
      return String(term.value);
    case 'atom':
      return term.name;
    case 'float':
      return String(term.value);
    case 'tuple':
      if (term.elements.length === 2 && term.elements[0]?.kind === 'integer') return keyText(term.elements[1]!);
      if (term.elements.length === 4 && term.elements.every((e) => e.kind === 'integer')) return term.elements.map(keyText).join('.');
      return '?';
    default:
      return '?';
  }
}
