import { UsageError } from './errors.js';
import type { Term } from './term.js';

/**
 * Structural equality of two terms, as Erlang's `=:=` sees them:
 * - integers compare by value whether held as `number` or `bigint` (the constructors normalise, but
 *   hand-built objects may not);
 * - floats compare by bits: `NaN` equals `NaN`, and `-0.0` differs from `0.0` (they are different
 *   NEW_FLOAT_EXT bytes; OTP 25's `=:=` still calls them equal, OTP 27's does not, and a byte-exact
 *   codec needs the bit view);
 * - an integer never equals a float (`1 =:= 1.0` is false);
 * - lists compare element-wise including the tail (a list tail that is itself a list is flattened);
 * - maps compare as sets of entries, independent of order (Erlang maps are unordered).
 *
 * @example
 *   termEqual(int(5), int(5n)) // true
 *   termEqual(float(-0), float(0)) // false
 */
export function termEqual(a: Term, b: Term): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case 'atom':
      return b.kind === 'atom' && a.name === b.name;
    case 'integer':
      if (b.kind !== 'integer') return false;
      return typeof a.value === typeof b.value ? a.value === b.value : BigInt(a.value) === BigInt(b.value);
    case 'float':
      return b.kind === 'float' && Object.is(a.value, b.value);
    case 'binary':
      return b.kind === 'binary' && bytesEqual(a.bytes, b.bytes);
    case 'bitstring':
      return b.kind === 'bitstring' && a.bits === b.bits && bytesEqual(a.bytes, b.bytes);
    case 'nil':
      return b.kind === 'nil';
    case 'tuple': {
      if (b.kind !== 'tuple' || a.elements.length !== b.elements.length) return false;
      for (let i = 0; i < a.elements.length; i++) if (!termEqual(a.elements[i]!, b.elements[i]!)) return false;
      return true;
    }
    case 'list': {
      if (b.kind !== 'list') return false;
      const [ea, ta] = flatten(a);
      const [eb, tb] = flatten(b);
      if (ea.length !== eb.length) return false;
      for (let i = 0; i < ea.length; i++) if (!termEqual(ea[i]!, eb[i]!)) return false;
      return termEqual(ta, tb);
    }
    case 'map': {
      if (b.kind !== 'map' || a.entries.length !== b.entries.length) return false;
      const used = new Array<boolean>(b.entries.length).fill(false);
      outer: for (const [ka, va] of a.entries) {
        for (let j = 0; j < b.entries.length; j++) {
          const [kb, vb] = b.entries[j]!;
          if (!used[j] && termEqual(ka, kb)) {
            if (!termEqual(va, vb)) return false;
            used[j] = true;
            continue outer;
          }
        }
        return false;
      }
      return true;
    }
    case 'pid':
      return b.kind === 'pid' && a.node === b.node && a.id === b.id && a.serial === b.serial && a.creation === b.creation;
    case 'port':
      return b.kind === 'port' && a.node === b.node && BigInt(a.id) === BigInt(b.id) && a.creation === b.creation;
    case 'reference':
      return (
        b.kind === 'reference' &&
        a.node === b.node &&
        a.creation === b.creation &&
        a.ids.length === b.ids.length &&
        a.ids.every((id, i) => id === b.ids[i])
      );
    case 'export':
      return b.kind === 'export' && a.module === b.module && a.function === b.function && a.arity === b.arity;
    case 'fun':
      return b.kind === 'fun' && bytesEqual(a.raw, b.raw);
    default:
      return assertNever(a);
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Elements and final tail of a list, following tails that are themselves lists. */
function flatten(l: Extract<Term, { kind: 'list' }>): [Term[], Term] {
  const elements: Term[] = [...l.elements];
  let tail = l.tail;
  while (tail.kind === 'list') {
    elements.push(...tail.elements);
    tail = tail.tail;
  }
  return [elements, tail];
}

function assertNever(x: never): never {
  // Reached only for a value that is no Term (a cast, or JSON given as a term): misuse, not input.
  const kind = (x as { kind?: unknown }).kind;
  throw new UsageError('NSOMOCK_USAGE', `Failed to compare terms: unknown term kind ${JSON.stringify(kind)} (termEqual)`, { details: { option: 'kind', value: kind } });
}
