/**
 * Field-by-field comparison of what a client under test printed (JSON lines in the vectors'
 * `python_dict` form, PROTOCOL.md §15) with what Python's `read_notification()` returns for the
 * frames the mock sent (`pythonDictView`).
 *
 * JSON numbers beyond 2^53 must stay exact (64-bit values, §6.4), and `JSON.parse` in Node 20
 * cannot give them back, so lines are read by {@link parseJsonLine}, which returns such integers as
 * bigints.
 */
import { UsageError, type PythonDict, type PythonValue } from '../../codec/index.js';

/** One difference between an expected and a printed dict. */
export interface OutputMismatch {
  /** Index of the notification (0 = the first one sent after the subscription reply). */
  readonly index: number;
  /** Path inside the dict (`commit_diff.uinfo.port`), empty for the whole line. */
  readonly path: string;
  readonly expected: string;
  readonly actual: string;
}

class JsonReader {
  private at = 0;
  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`Failed to parse JSON: ${what} at character ${this.at}`);
  }

  space(): void {
    while (this.at < this.text.length && ' \t\r\n'.includes(this.text[this.at] ?? '')) this.at++;
  }

  value(): PythonValue {
    this.space();
    const c = this.text[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === 't' && this.text.startsWith('true', this.at)) return (this.at += 4), true;
    if (c === 'f' && this.text.startsWith('false', this.at)) return (this.at += 5), false;
    if (c === 'n' && this.text.startsWith('null', this.at)) return (this.at += 4), null;
    if (c === 'N' && this.text.startsWith('NaN', this.at)) return (this.at += 3), Number.NaN;
    if (c === 'I' && this.text.startsWith('Infinity', this.at)) return (this.at += 8), Number.POSITIVE_INFINITY;
    if (c === '-' && this.text.startsWith('-Infinity', this.at)) return (this.at += 9), Number.NEGATIVE_INFINITY;
    return this.number();
  }

  object(): PythonDict {
    const out: Record<string, PythonValue> = {};
    this.at++;
    this.space();
    if (this.text[this.at] === '}') return this.at++, out;
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail('expected a key');
      const key = this.string();
      this.space();
      if (this.text[this.at++] !== ':') this.fail('expected ":"');
      out[key] = this.value();
      this.space();
      const sep = this.text[this.at++];
      if (sep === '}') return out;
      if (sep !== ',') this.fail('expected "," or "}"');
    }
  }

  array(): PythonValue[] {
    const out: PythonValue[] = [];
    this.at++;
    this.space();
    if (this.text[this.at] === ']') return this.at++, out;
    for (;;) {
      out.push(this.value());
      this.space();
      const sep = this.text[this.at++];
      if (sep === ']') return out;
      if (sep !== ',') this.fail('expected "," or "]"');
    }
  }

  string(): string {
    const start = this.at;
    this.at++;
    while (this.at < this.text.length) {
      const c = this.text[this.at];
      if (c === '\\') this.at += 2;
      else if (c === '"') {
        this.at++;
        return JSON.parse(this.text.slice(start, this.at)) as string;
      } else this.at++;
    }
    return this.fail('unterminated string');
  }

  number(): number | bigint {
    const match = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.at));
    if (match === null) return this.fail('unexpected character');
    this.at += match[0].length;
    const isInteger = match[1] === undefined && match[2] === undefined;
    const n = Number(match[0]);
    return isInteger && !Number.isSafeInteger(n) ? BigInt(match[0]) : n;
  }

  end(): void {
    this.space();
    if (this.at !== this.text.length) this.fail('trailing characters');
  }
}

/**
 * Parses one JSON text; integers outside ±(2^53 − 1) become bigints, and Python's `NaN` /
 * `Infinity` extensions are accepted.
 * @throws SyntaxError on malformed JSON (callers treat such lines as "not decoded output").
 * @example
 *   parseJsonLine('{"cq_id": 18446744073709551615}') // => { cq_id: 18446744073709551615n }
 */
export function parseJsonLine(text: string): PythonValue {
  const reader = new JsonReader(text);
  const value = reader.value();
  reader.end();
  return value;
}

/**
 * Where the decoded dict is inside each printed JSON line: `undefined` (the line itself), a member
 * name (`python_dict`) or an RFC 6901 JSON pointer (`/python_dict`, `/event/dict`, `/items/0`).
 * @throws UsageError `NSOMOCK_USAGE` for a pointer with a bad escape (`~2`).
 * @example
 *   parseDictPath('/event/python_dict') // => ['event', 'python_dict']
 */
export function parseDictPath(path: string | undefined): readonly string[] {
  if (path === undefined || path === '') return [];
  if (!path.startsWith('/')) return [path];
  return path
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token)) {
        throw new UsageError('NSOMOCK_USAGE', `Failed to read the dict path: ${JSON.stringify(path)} is not a JSON pointer (RFC 6901: "~" must be followed by 0 or 1)`, {
          details: { option: 'dict-path', value: path },
        });
      }
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function at(value: PythonValue | undefined, path: readonly string[]): PythonValue | undefined {
  let here = value;
  for (const token of path) {
    if (Array.isArray(here) && /^(0|[1-9][0-9]*)$/.test(token)) here = here[Number(token)];
    else if (here !== null && here !== undefined && typeof here === 'object' && !Array.isArray(here) && Object.hasOwn(here, token)) here = (here as PythonDict)[token];
    else return undefined;
  }
  return here;
}

/**
 * The decoded notifications among a client's stdout lines: every line that parses as JSON and
 * holds, at `dictPath` ({@link parseDictPath}; default the line itself), an object with an integer
 * `type` member (other lines, such as logs, are ignored). Integers stay exact ({@link parseJsonLine}).
 * @example
 *   decodedOutputLines('{"frame":"..","python_dict":{"type":8192}}\n', '/python_dict') // => [{ type: 8192 }]
 */
export function decodedOutputLines(stdout: string, dictPath?: string): PythonDict[] {
  const path = parseDictPath(dictPath);
  const out: PythonDict[] = [];
  for (const line of stdout.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    let value: PythonValue | undefined;
    try {
      value = at(parseJsonLine(trimmed), path);
    } catch {
      continue;
    }
    if (value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value)) {
      const type = (value as PythonDict)['type'];
      if (typeof type === 'number' || typeof type === 'bigint') out.push(value as PythonDict);
    }
  }
  return out;
}

function show(value: PythonValue | undefined): string {
  if (value === undefined) return '(absent)';
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
}

function isDict(v: PythonValue | undefined): v is PythonDict {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
}

function sameScalar(a: PythonValue, b: PythonValue): boolean {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
    // Integers exactly: a printed integer literal beyond 2^53 is read as a bigint, so a number on
    // one side and a bigint on the other are equal only when the number is a safe integer — never
    // through a float that a client (or jq) rounded (1.8446744073709552e19 is not 2^64 - 1).
    const [big, small] = typeof a === 'bigint' ? [a, b] : [b as bigint, a];
    if (typeof small === 'bigint') return big === small;
    return Number.isSafeInteger(small) && BigInt(small) === big;
  }
  return a === b;
}

/**
 * Members of the expected view that are not part of Python's dict: the vectors' explanatory
 * `note` (in `commit_diff.tctx`), which `pythonDictView` reproduces.
 */
const EXPLANATORY_KEYS: ReadonlySet<string> = new Set(['note']);

function diff(index: number, path: string, expected: PythonValue | undefined, actual: PythonValue | undefined, out: OutputMismatch[]): void {
  const at = (key: string | number): string => (typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`);
  if (isDict(expected) && isDict(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      if (EXPLANATORY_KEYS.has(key) && !(key in actual)) continue;
      diff(index, at(key), expected[key], actual[key], out);
    }
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      out.push({ index, path, expected: `${expected.length} items ${show(expected)}`, actual: `${actual.length} items ${show(actual)}` });
      return;
    }
    expected.forEach((e, i) => diff(index, at(i), e, actual[i], out));
    return;
  }
  if (expected === undefined || actual === undefined || isDict(expected) || isDict(actual) || Array.isArray(expected) || Array.isArray(actual) || !sameScalar(expected, actual)) {
    out.push({ index, path, expected: show(expected), actual: show(actual) });
  }
}

/**
 * Compares the expected dicts (one per notification sent, in order) with what the client printed.
 * An expected `null` (a shape C/Python clients never receive) matches an absent line only when
 * it is the last one; callers normally leave such notifications out.
 * @example
 *   compareDecodedOutput([{ type: 8192 }], [{ type: 8192 }]) // => []
 */
export function compareDecodedOutput(expected: readonly PythonDict[], actual: readonly PythonDict[]): OutputMismatch[] {
  const out: OutputMismatch[] = [];
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (e === undefined) out.push({ index: i, path: '', expected: '(no more notifications)', actual: show(a) });
    else if (a === undefined) out.push({ index: i, path: '', expected: show(e), actual: '(no line printed)' });
    else diff(i, '', e, a, out);
  }
  return out;
}

/** One mismatch as a line: `#3 commit_diff.uinfo.port: expected 53012, got 53013`. */
export function formatMismatch(m: OutputMismatch): string {
  return `#${m.index} ${m.path === '' ? '(line)' : m.path}: expected ${m.expected}, got ${m.actual}`;
}
