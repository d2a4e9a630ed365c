import type { Term } from './term.js';

/** Options of {@link formatTerm}. */
export interface FormatTermOptions {
  /**
   * The longest text returned, in characters (default {@link DEFAULT_FORMAT_MAX_LENGTH}). A longer
   * term is cut: the text ends with `…` and is `maxLength` long (one less when the cut would split
   * a surrogate pair). Formatting stops as soon
   * as the cap is passed, so the cost is bounded by the cap, not by the size of the term.
   */
  readonly maxLength?: number;
}

/** The default `maxLength` of {@link formatTerm}: 1 Mi characters, far beyond any notification's text. */
export const DEFAULT_FORMAT_MAX_LENGTH: number = 1 << 20;

/**
 * Integers whose magnitude has more bytes than this print as `#Integer<N bytes>` instead of in
 * decimal: `BigInt#toString(10)` is super-linear (4 MiB took 5.7 s), while the decoder refuses
 * anything above its `maxBigIntBytes` (default 1024) anyway.
 */
const MAX_DECIMAL_BIG_BYTES = 1024;
const MAX_DECIMAL_BIG = 1n << BigInt(MAX_DECIMAL_BIG_BYTES * 8);

/**
 * An integer as text: decimal, except that one of more than 1024 bytes prints as
 * `#Integer<N bytes>`, so no caller (log line, violation, error message) pays for converting an
 * enormous bigint to decimal.
 * @example formatInteger(42) // '42'
 * @example formatInteger(1n << 100_000n) // '#Integer<12501 bytes>'
 */
export function formatInteger(value: number | bigint): string {
  if (typeof value === 'number') return String(value);
  const magnitude = value < 0n ? -value : value;
  if (magnitude < MAX_DECIMAL_BIG) return value.toString();
  // Hex is linear in the size (a power-of-two radix), unlike decimal.
  return `#Integer<${Math.ceil(magnitude.toString(16).length / 2)} bytes>`;
}

/**
 * Prints a term in Erlang syntax, as `io:format("~w", [T])` would (lists as `[1,2]`, never as
 * strings; floats in Erlang's shortest form such as `1.0e3`; atoms quoted only when needed, with
 * `\x{...}` for characters beyond Latin-1), except that binaries print as `<<"text">>` when every
 * byte is printable ASCII (or as `<<"text"/utf8>>` for printable UTF-8), like `~p`, and as byte lists
 * otherwise. Used in error messages, logs and the CLI `decode` command; the output parses back with
 * `erl_scan`/`erl_parse` for every kind except pids, ports, references and funs, which print in the
 * `#Pid<node.id.serial>` style because their Erlang form names node-local numbers.
 *
 * Bounded for hostile input (PROTOCOL.md §17): the text is at most `maxLength` characters (cut
 * with `…`; one less when the cut would split a surrogate pair), formatting stops once that is passed, and integers of more than 1024 bytes print as
 * `#Integer<N bytes>` ({@link formatInteger}).
 *
 * @example
 *   formatTerm(tuple(atom('ok'), binary('abc'), list([int(1), int(2)]))) // => '{ok,<<"abc">>,[1,2]}'
 *   formatTerm(list([int(1), int(2), int(3)]), { maxLength: 5 }) // => '[1,2…'
 */
export function formatTerm(term: Term, options?: FormatTermOptions): string {
  const max = Math.max(1, options?.maxLength ?? DEFAULT_FORMAT_MAX_LENGTH);
  const out = new Out(max);
  write(term, out);
  const text = out.parts.join('');
  if (!out.full) return text;
  // Never end on half of a surrogate pair (an astral character in a UTF-8 binary's text).
  const high = text.charCodeAt(max - 2);
  return `${text.slice(0, high >= 0xd800 && high < 0xdc00 ? max - 2 : max - 1)}…`;
}

/** The pieces of the text, with their total length; `full` once it passed the cap. */
class Out {
  readonly parts: string[] = [];
  length = 0;
  full = false;
  constructor(readonly max: number) {}
  push(piece: string): void {
    if (this.full) return;
    this.parts.push(piece);
    this.length += piece.length;
    if (this.length > this.max) this.full = true;
  }
  /** Characters still wanted before the cap is passed (at least 1 while not full). */
  room(): number {
    return this.max - this.length + 1;
  }
}

function write(t: Term, out: Out): void {
  if (out.full) return;
  switch (t.kind) {
    case 'atom':
      out.push(formatAtom(t.name));
      return;
    case 'integer':
      out.push(formatInteger(t.value));
      return;
    case 'float':
      out.push(formatFloat(t.value));
      return;
    case 'binary': {
      const shown = prefix(t.bytes, out);
      const cut = shown.length < t.bytes.length;
      out.push(formatBinary(shown, cut));
      // A cut binary ends the text even if its prefix printed shorter than the room left.
      if (cut) out.full = true;
      return;
    }
    case 'bitstring': {
      // A cut bitstring shows whole bytes only: its text is cut anyway.
      const cut = t.bytes.length > out.room();
      const bytes = cut ? t.bytes.subarray(0, out.room()) : t.bytes;
      const n = bytes.length;
      const parts: string[] = [];
      for (let i = 0; i < n - 1; i++) parts.push(String(bytes[i]));
      if (n > 0) parts.push(t.bits === 8 || cut ? String(bytes[n - 1]) : `${bytes[n - 1]! >> (8 - t.bits)}:${t.bits}`);
      out.push(`<<${parts.join(',')}${cut ? ',' : '>>'}`);
      if (cut) out.full = true;
      return;
    }
    case 'nil':
      out.push('[]');
      return;
    case 'tuple':
      out.push('{');
      for (let i = 0; i < t.elements.length && !out.full; i++) {
        if (i > 0) out.push(',');
        write(t.elements[i]!, out);
      }
      out.push('}');
      return;
    case 'list': {
      out.push('[');
      for (let i = 0; i < t.elements.length && !out.full; i++) {
        if (i > 0) out.push(',');
        write(t.elements[i]!, out);
      }
      let tail = t.tail;
      while (tail.kind === 'list' && !out.full) {
        for (let i = 0; i < tail.elements.length && !out.full; i++) {
          out.push(',');
          write(tail.elements[i]!, out);
        }
        tail = tail.tail;
      }
      if (tail.kind !== 'nil') {
        out.push('|');
        write(tail, out);
      }
      out.push(']');
      return;
    }
    case 'map':
      out.push('#{');
      for (let i = 0; i < t.entries.length && !out.full; i++) {
        const [k, v] = t.entries[i]!;
        if (i > 0) out.push(',');
        write(k, out);
        out.push(' => ');
        write(v, out);
      }
      out.push('}');
      return;
    case 'pid':
      out.push(`#Pid<${formatAtom(t.node)}.${t.id}.${t.serial}>`);
      return;
    case 'port':
      out.push(`#Port<${formatAtom(t.node)}.${t.id}>`);
      return;
    case 'reference':
      out.push(`#Ref<${formatAtom(t.node)}.${t.ids.join('.')}>`);
      return;
    case 'export':
      out.push(`fun ${formatAtom(t.module)}:${formatAtom(t.function)}/${t.arity}`);
      return;
    case 'fun':
      out.push(`#Fun<${t.raw.length} bytes>`);
      return;
    default:
      out.push(`#Unknown<${String((t as { kind?: unknown }).kind)}>`);
  }
}

/**
 * The bytes of a binary worth formatting: all of them when its text can fit in the room left,
 * else about as many as there are characters of room, ending at a UTF-8 character boundary (the
 * text is cut anyway; a cut binary may print in another of the three forms than the whole would).
 */
function prefix(bytes: Uint8Array, out: Out): Uint8Array {
  const room = out.room();
  if (bytes.length <= room) return bytes;
  // Cut at a UTF-8 character boundary, so printable UTF-8 text still prints as text.
  let end = room;
  for (let back = 0; back < 3 && end > 1 && (bytes[end]! & 0xc0) === 0x80; back++) end--;
  return bytes.subarray(0, end);
}

const RESERVED = new Set([
  'after', 'and', 'andalso', 'band', 'begin', 'bnot', 'bor', 'bsl', 'bsr', 'bxor', 'case', 'catch',
  'cond', 'div', 'end', 'fun', 'if', 'let', 'not', 'of', 'or', 'orelse', 'receive', 'rem', 'try',
  'when', 'xor',
]);

// Erlang's unquoted atom: a lower-case Latin-1 letter, then Latin-1 letters, digits, _ and @.
const UNQUOTED = /^[a-zß-öø-ÿ][a-zA-Z0-9_@À-ÖØ-öø-ÿ]*$/;

/** An atom as Erlang's `~w` writes it: bare when it can be, else single-quoted with escapes. */
function formatAtom(name: string): string {
  if (UNQUOTED.test(name) && !RESERVED.has(name)) return name;
  return `'${escapeChars(name, "'")}'`;
}

const ESCAPES: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\e', 92: '\\\\' };

function escapeChars(text: string, quote: string): string {
  let s = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote) s += '\\' + quote;
    else if (ESCAPES[cp] !== undefined) s += ESCAPES[cp];
    else if (cp < 32 || cp === 127) s += `\\${cp.toString(8).padStart(3, '0')}`;
    else if (cp > 0xff && quote === "'") s += `\\x{${cp.toString(16).toUpperCase()}}`;
    else s += ch;
  }
  return s;
}

/** A binary's text; `cut` (only a prefix of the binary is given) leaves out its closing part. */
function formatBinary(bytes: Uint8Array, cut = false): string {
  if (bytes.length === 0) return cut ? '<<' : '<<>>';
  let ascii = true;
  for (const b of bytes) {
    if (!((b >= 32 && b < 127) || ESCAPES[b] !== undefined)) {
      ascii = false;
      break;
    }
  }
  // Not String.fromCharCode(...bytes): spreading a binary of ~100k bytes or more overflows the stack.
  if (ascii) return `<<"${escapeChars(asciiDecoder.decode(bytes), '"')}${cut ? '' : '">>'}`;
  const text = printableUtf8(bytes);
  if (text !== undefined) return `<<"${escapeChars(text, '"')}${cut ? '' : '"/utf8>>'}`;
  return `<<${bytes.join(',')}${cut ? ',' : '>>'}`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** For bytes already known to be ASCII (where UTF-8 and ASCII agree). */
const asciiDecoder = new TextDecoder('utf-8');

function printableUtf8(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
  // Control characters (other than the escapable ones) and unassigned/private code points print as bytes.
  return /^(?:[\P{C}]|[\b\t\n\v\f\r\x1b])*$/u.test(text) ? text : undefined;
}

/**
 * Erlang's shortest float text (`float_to_list(F, [short])`, what `~w` prints): the shortest
 * digits that read back to the same double, written in fixed or scientific notation, whichever is
 * shorter (fixed on a tie), always with at least one digit after the dot: `1.0`, `1.0e3`, `0.0001`, `1.0e-5`.
 */
function formatFloat(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const [mantissa = '0', expText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  // Fixed notation: place the decimal point exp+1 digits into `digits`.
  let fixed: string;
  if (exp >= 0) {
    const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
    const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '0';
    fixed = `${intPart}.${frac}`;
  } else {
    fixed = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const sci = `${digits[0]}.${digits.length > 1 ? digits.slice(1) : '0'}e${exp}`;
  return sign + (sci.length < fixed.length ? sci : fixed);
}
