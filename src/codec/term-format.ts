import type { Term } from './term.js';

/**
 * Prints a term in Erlang syntax, as `io:format("~w", [T])` would (lists as `[1,2]`, never as
 * strings; floats in Erlang's shortest form such as `1.0e3`; atoms quoted only when needed, with
 * `\x{...}` for characters beyond Latin-1), except that binaries print as `<<"text">>` when every
 * byte is printable ASCII (or as `<<"text"/utf8>>` for printable UTF-8), like `~p`, and as byte lists
 * otherwise. Used in error messages, logs and the CLI `decode` command; the output parses back with
 * `erl_scan`/`erl_parse` for every kind except pids, ports, references and funs, which print in the
 * `#Pid<node.id.serial>` style because their Erlang form names node-local numbers.
 *
 * @example
 *   formatTerm(tuple(atom('ok'), binary('abc'), list([int(1), int(2)]))) // => '{ok,<<"abc">>,[1,2]}'
 */
export function formatTerm(term: Term): string {
  const out: string[] = [];
  write(term, out);
  return out.join('');
}

function write(t: Term, out: string[]): void {
  switch (t.kind) {
    case 'atom':
      out.push(formatAtom(t.name));
      return;
    case 'integer':
      out.push(t.value.toString());
      return;
    case 'float':
      out.push(formatFloat(t.value));
      return;
    case 'binary':
      out.push(formatBinary(t.bytes));
      return;
    case 'bitstring': {
      const n = t.bytes.length;
      const parts: string[] = [];
      for (let i = 0; i < n - 1; i++) parts.push(String(t.bytes[i]));
      if (n > 0) parts.push(t.bits === 8 ? String(t.bytes[n - 1]) : `${t.bytes[n - 1]! >> (8 - t.bits)}:${t.bits}`);
      out.push(`<<${parts.join(',')}>>`);
      return;
    }
    case 'nil':
      out.push('[]');
      return;
    case 'tuple':
      out.push('{');
      t.elements.forEach((e, i) => {
        if (i > 0) out.push(',');
        write(e, out);
      });
      out.push('}');
      return;
    case 'list': {
      out.push('[');
      t.elements.forEach((e, i) => {
        if (i > 0) out.push(',');
        write(e, out);
      });
      let tail = t.tail;
      while (tail.kind === 'list') {
        for (const e of tail.elements) {
          out.push(',');
          write(e, out);
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
      t.entries.forEach(([k, v], i) => {
        if (i > 0) out.push(',');
        write(k, out);
        out.push(' => ');
        write(v, out);
      });
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

function formatBinary(bytes: Uint8Array): string {
  if (bytes.length === 0) return '<<>>';
  let ascii = true;
  for (const b of bytes) {
    if (!((b >= 32 && b < 127) || ESCAPES[b] !== undefined)) {
      ascii = false;
      break;
    }
  }
  if (ascii) return `<<"${escapeChars(String.fromCharCode(...bytes), '"')}">>`;
  const text = printableUtf8(bytes);
  if (text !== undefined) return `<<"${escapeChars(text, '"')}"/utf8>>`;
  return `<<${bytes.join(',')}>>`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

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
