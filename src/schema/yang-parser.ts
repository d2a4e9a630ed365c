/**
 * YANG's generic statement grammar (RFC 7950 §6.1–§6.3): a file is one statement,
 * `keyword [argument] (';' | '{' statement* '}')`, where the keyword is an identifier or
 * `prefix:identifier` (an extension such as `tailf:info`) and the argument a string — unquoted,
 * single-quoted (verbatim), or double-quoted (escapes `\n \t \" \\`, and the indentation rule of
 * §6.1.3), quoted parts joined with `+`. Comments are `//` to the end of the line and `/* … *\/`.
 *
 * This layer knows nothing of what the keywords mean (compile.ts does); it only keeps every
 * statement's position so that any later error can say `file:line:col`.
 *
 * No published npm package fits (docs/schemas.md, "Why a parser of our own"): `yang-parser` has not
 * changed in years and keeps no positions, `yang-js` is an evaluator around it.
 */
import { SchemaError } from './errors.js';

/** One parsed statement. */
export interface YangStatement {
  /** `container`, `leaf`, … or `prefix:name` for an extension. */
  readonly keyword: string;
  /** The argument after quoting and concatenation, when the statement has one. */
  readonly arg?: string;
  readonly children: readonly YangStatement[];
  readonly file: string;
  /** 1-based position of the keyword. */
  readonly line: number;
  readonly column: number;
}

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly line: number; readonly column: number }
  | { readonly kind: 'quoted'; readonly text: string; readonly line: number; readonly column: number }
  | { readonly kind: ';' | '{' | '}' | '+'; readonly line: number; readonly column: number }
  | { readonly kind: 'eof'; readonly line: number; readonly column: number };

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', '"': '"', '\\': '\\' };

/** Nesting deeper than this is refused (bounded recursion, STYLE.md §7.2); real models stay far below. */
const MAX_DEPTH = 256;

class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private peeked: Token | undefined;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  fail(reason: string, line: number, column: number): never {
    throw new SchemaError('NSOMOCK_SCHEMA_INVALID', 'parse YANG', reason, { file: this.file, line, column });
  }

  peek(): Token {
    this.peeked ??= this.read();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  private column(): number {
    return this.pos - this.lineStart + 1;
  }

  private advance(): void {
    if (this.text.charCodeAt(this.pos) === 10) {
      this.line++;
      this.lineStart = this.pos + 1;
    }
    this.pos++;
  }

  private skipSpaceAndComments(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.advance();
      } else if (c === '/' && t[this.pos + 1] === '/') {
        while (this.pos < t.length && t[this.pos] !== '\n') this.pos++;
      } else if (c === '/' && t[this.pos + 1] === '*') {
        const line = this.line;
        const column = this.column();
        this.pos += 2;
        while (this.pos < t.length && !(t[this.pos] === '*' && t[this.pos + 1] === '/')) this.advance();
        if (this.pos >= t.length) this.fail('unterminated comment', line, column);
        this.pos += 2;
      } else {
        return;
      }
    }
  }

  private read(): Token {
    this.skipSpaceAndComments();
    const line = this.line;
    const column = this.column();
    const t = this.text;
    if (this.pos >= t.length) return { kind: 'eof', line, column };
    const c = t[this.pos]!;
    if (c === ';' || c === '{' || c === '}' || c === '+') {
      // '+' is only an operator between quoted strings; an unquoted word may start with it ("+1").
      if (c !== '+' || /[\s"']/.test(t[this.pos + 1] ?? ' ')) {
        this.pos++;
        return { kind: c, line, column };
      }
    }
    if (c === '"') return { kind: 'quoted', text: this.doubleQuoted(line, column), line, column };
    if (c === "'") {
      this.advance();
      const start = this.pos;
      while (this.pos < t.length && t[this.pos] !== "'") this.advance();
      if (this.pos >= t.length) this.fail('unterminated single-quoted string', line, column);
      const text = t.slice(start, this.pos);
      this.pos++;
      return { kind: 'quoted', text, line, column };
    }
    const start = this.pos;
    while (this.pos < t.length) {
      const d = t[this.pos]!;
      if (d === ' ' || d === '\t' || d === '\n' || d === '\r' || d === ';' || d === '{' || d === '}') break;
      if (d === '"' || d === "'") this.fail(`a quote inside an unquoted string '${t.slice(start, this.pos)}'`, this.line, this.column());
      if (d === '/' && (t[this.pos + 1] === '/' || t[this.pos + 1] === '*')) break;
      this.pos++;
    }
    return { kind: 'word', text: t.slice(start, this.pos), line, column };
  }

  /**
   * A double-quoted string (§6.1.3): escapes; whitespace before a line break dropped; on each
   * continuation line, leading whitespace up to the column after the opening quote dropped.
   */
  private doubleQuoted(line: number, column: number): string {
    const t = this.text;
    const indent = column; // characters before the text starts: the quote's column
    this.advance();
    let out = '';
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\' && this.pos + 1 < t.length) {
        const e = t[this.pos + 1]!;
        // YANG 1.1 refuses other escapes, YANG 1.0 left them open and older models write "\d" in
        // patterns; patterns are skipped anyway, so an unknown escape is kept as written.
        const v = ESCAPES[e];
        out += v ?? `\\${e}`;
        if (e === '\n') {
          this.advance();
          this.advance();
        } else {
          this.pos += 2;
        }
        continue;
      }
      if (c === '\n') {
        out = out.replace(/[ \t]+$/, '') + '\n';
        this.advance();
        let skipped = 0;
        while (skipped < indent && this.pos < t.length && (t[this.pos] === ' ' || t[this.pos] === '\t')) {
          skipped += t[this.pos] === '\t' ? 8 : 1;
          this.pos++;
        }
        continue;
      }
      out += c;
      this.advance();
    }
    return this.fail('unterminated double-quoted string', line, column);
  }
}

function parseStatement(lx: Lexer, file: string, depth: number): YangStatement {
  const kw = lx.next();
  if (kw.kind !== 'word') {
    const what = kw.kind === 'eof' ? 'the end of the file' : kw.kind === 'quoted' ? `the string "${kw.text}"` : `'${kw.kind}'`;
    return lx.fail(`expected a statement keyword, found ${what}`, kw.line, kw.column);
  }
  if (!/^([A-Za-z_][A-Za-z0-9_.-]*:)?[A-Za-z_][A-Za-z0-9_.-]*$/.test(kw.text)) {
    return lx.fail(`'${kw.text}' is no statement keyword`, kw.line, kw.column);
  }
  if (depth > MAX_DEPTH) return lx.fail(`statements nested deeper than ${MAX_DEPTH}`, kw.line, kw.column);
  let arg: string | undefined;
  const a = lx.peek();
  if (a.kind === 'word') {
    lx.next();
    arg = a.text;
  } else if (a.kind === 'quoted') {
    lx.next();
    arg = a.text;
    while (lx.peek().kind === '+') {
      const plus = lx.next();
      const more = lx.next();
      if (more.kind !== 'quoted') lx.fail("'+' must join two quoted strings", plus.line, plus.column);
      arg += more.text;
    }
  }
  const end = lx.next();
  const base = { keyword: kw.text, file, line: kw.line, column: kw.column };
  const withArg = arg === undefined ? base : { ...base, arg };
  if (end.kind === ';') return { ...withArg, children: [] };
  if (end.kind !== '{') {
    const what = end.kind === 'eof' ? 'the end of the file' : end.kind === 'word' || end.kind === 'quoted' ? `'${end.text}'` : `'${end.kind}'`;
    return lx.fail(`expected ';' or '{' after '${kw.text}${arg === undefined ? '' : ` ${arg}`}', found ${what}`, end.line, end.column);
  }
  const children: YangStatement[] = [];
  for (;;) {
    const t = lx.peek();
    if (t.kind === '}') {
      lx.next();
      return { ...withArg, children };
    }
    if (t.kind === 'eof') return lx.fail(`'${kw.text}' opened at ${kw.line}:${kw.column} is not closed`, t.line, t.column);
    children.push(parseStatement(lx, file, depth + 1));
  }
}

/**
 * Parses one YANG file into its statement tree (the `module` or `submodule` statement).
 * @example
 *   const m = parseYang('module mk { namespace "http://example.com/mk"; prefix mk; }', 'mk.yang');
 *   m.keyword // 'module'
 * @throws SchemaError `NSOMOCK_SCHEMA_INVALID` with file:line:col for a syntax error
 */
export function parseYang(text: string, file: string): YangStatement {
  const lx = new Lexer(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file);
  const top = parseStatement(lx, file, 0);
  const rest = lx.peek();
  if (rest.kind !== 'eof') lx.fail(`only one top-level statement is allowed, found more after '${top.keyword}'`, rest.line, rest.column);
  if (top.keyword !== 'module' && top.keyword !== 'submodule') {
    lx.fail(`a YANG file holds one 'module' or 'submodule', found '${top.keyword}'`, top.line, top.column);
  }
  if (top.arg === undefined) lx.fail(`'${top.keyword}' needs a name`, top.line, top.column);
  return top;
}
