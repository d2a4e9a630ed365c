/**
 * An independent parser of Erlang term text, as printed in the vectors' `term` fields, into our
 * Term model. It shares no code with the decoder or the encoder (it uses only the Term
 * constructors), so `termEqual(decodeTerm(etf), parseErlangTerm(text))` checks the decoder against
 * what Erlang printed, not against ourselves (STYLE.md §7 rule 3).
 *
 * Grammar (the subset Erlang's printer produces for data): integers (`-12`, `16#ff`, `$a`), floats
 * (`1.5`, `-1.5e300`), atoms (bare or `'quoted'` with escapes), binaries (`<<>>`, `<<"text">>`,
 * `<<"text"/utf8>>`, `<<1,2,3>>`, mixed segments, `<<7:3>>` bit segments), strings (`"abc"` = list
 * of character codes), lists (`[]`, `[1,2]`, `[H|T]`), tuples and maps (`#{k => v}`).
 */
import {
  atom,
  binary,
  bitstring,
  float,
  improper,
  int,
  list,
  map,
  NIL,
  tuple,
  type Term,
} from '../../src/codec/term.js';

/** Parses one Erlang term; an optional trailing `.` is allowed. @throws SyntaxError with the position. */
export function parseErlangTerm(text: string): Term {
  const p = new Parser(text);
  const term = p.term();
  p.ws();
  if (p.peek() === '.') p.pos++;
  p.ws();
  if (p.pos !== text.length) p.fail('end of input');
  return term;
}

const ESCAPE: Record<string, number> = { b: 8, d: 127, e: 27, f: 12, n: 10, r: 13, s: 32, t: 9, v: 11 };

class Parser {
  pos = 0;
  constructor(private readonly src: string) {}

  fail(expected: string): never {
    throw new SyntaxError(`Erlang term text: expected ${expected} at ${this.pos}: ${JSON.stringify(this.src.slice(this.pos, this.pos + 20))}`);
  }

  peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  ws(): void {
    while (/\s/.test(this.peek())) this.pos++;
  }

  expect(s: string): void {
    this.ws();
    if (!this.src.startsWith(s, this.pos)) this.fail(JSON.stringify(s));
    this.pos += s.length;
  }

  /** Tries to consume `s` (after whitespace). */
  accept(s: string): boolean {
    this.ws();
    if (this.src.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  term(): Term {
    this.ws();
    const c = this.peek();
    if (c === '{') return this.seq('{', '}', (els) => tuple(...els));
    if (c === '[') return this.list();
    if (c === '<' && this.peek(1) === '<') return this.binary();
    if (c === '#' && this.peek(1) === '{') return this.map();
    if (c === '"') return list(this.quoted('"').map((cp) => int(cp)));
    if (c === "'") return atom(String.fromCodePoint(...this.quoted("'")));
    if (c === '$') {
      this.pos++;
      return int(this.char());
    }
    if (/[-+0-9]/.test(c)) return this.number();
    if (/[a-zß-öø-ÿ]/.test(c)) {
      const m = /^[a-zß-öø-ÿ][a-zA-Z0-9_@À-ÖØ-öø-ÿ]*/.exec(this.src.slice(this.pos))!;
      this.pos += m[0].length;
      return atom(m[0]);
    }
    return this.fail('a term');
  }

  seq(open: string, close: string, make: (els: Term[]) => Term): Term {
    this.expect(open);
    const els: Term[] = [];
    if (!this.accept(close)) {
      do els.push(this.term());
      while (this.accept(','));
      this.expect(close);
    }
    return make(els);
  }

  list(): Term {
    this.expect('[');
    if (this.accept(']')) return NIL;
    const els: Term[] = [];
    do els.push(this.term());
    while (this.accept(','));
    let tail: Term = NIL;
    if (this.accept('|')) tail = this.term();
    this.expect(']');
    return improper(els, tail);
  }

  map(): Term {
    this.expect('#{');
    const entries: [Term, Term][] = [];
    if (!this.accept('}')) {
      do {
        const k = this.term();
        this.expect('=>');
        entries.push([k, this.term()]);
      } while (this.accept(','));
      this.expect('}');
    }
    return map(entries);
  }

  number(): Term {
    const m = /^[-+]?(?:(\d+)#([0-9a-zA-Z]+)|\d+(\.\d+(?:[eE][-+]?\d+)?)?)/.exec(this.src.slice(this.pos));
    if (m === null) return this.fail('a number');
    this.pos += m[0].length;
    const text = m[0];
    if (m[1] !== undefined && m[2] !== undefined) {
      const negative = text.startsWith('-');
      const base = BigInt(Number(m[1]));
      let v = 0n;
      for (const ch of m[2].toLowerCase()) v = v * base + BigInt(Number.parseInt(ch, 36));
      return int(negative ? -v : v);
    }
    if (m[3] !== undefined) return float(Number(text));
    return int(BigInt(text));
  }

  binary(): Term {
    this.expect('<<');
    const bytes: number[] = [];
    let bits = 8;
    if (!this.accept('>>')) {
      do {
        if (bits !== 8) this.fail('no segment after a bit segment');
        this.ws();
        if (this.peek() === '"') {
          const cps = this.quoted('"');
          if (this.accept('/utf8')) bytes.push(...new TextEncoder().encode(String.fromCodePoint(...cps)));
          else for (const cp of cps) bytes.push(cp & 0xff);
        } else {
          const v = this.number();
          if (v.kind !== 'integer') this.fail('an integer segment');
          let value = Number(v.value);
          if (this.accept(':')) {
            const size = this.number();
            bits = Number(size.kind === 'integer' ? size.value : 8);
            if (bits < 1 || bits > 8) this.fail('a size of 1..8 bits');
            value = (value << (8 - bits)) & 0xff;
          }
          bytes.push(value & 0xff);
        }
      } while (this.accept(','));
      this.expect('>>');
    }
    const u8 = Uint8Array.from(bytes);
    return bits === 8 ? binary(u8) : bitstring(u8, bits);
  }

  /** A quoted string or atom body; returns code points. */
  quoted(q: string): number[] {
    this.expect(q);
    const cps: number[] = [];
    while (this.peek() !== q) {
      if (this.pos >= this.src.length) this.fail(`closing ${q}`);
      cps.push(this.char());
    }
    this.pos++;
    return cps;
  }

  /** One possibly escaped character (inside quotes or after `$`). */
  char(): number {
    const c = this.src.codePointAt(this.pos);
    if (c === undefined) return this.fail('a character');
    this.pos += c > 0xffff ? 2 : 1;
    if (c !== 0x5c) return c;
    const e = this.peek();
    this.pos++;
    if (ESCAPE[e] !== undefined) return ESCAPE[e];
    if (/[0-7]/.test(e)) {
      let oct = e;
      while (oct.length < 3 && /[0-7]/.test(this.peek())) oct += this.src[this.pos++];
      return Number.parseInt(oct, 8);
    }
    if (e === 'x') {
      if (this.peek() === '{') {
        const end = this.src.indexOf('}', this.pos);
        const cp = Number.parseInt(this.src.slice(this.pos + 1, end), 16);
        this.pos = end + 1;
        return cp;
      }
      const hex = this.src.slice(this.pos, this.pos + 2);
      this.pos += 2;
      return Number.parseInt(hex, 16);
    }
    if (e === '^') return this.src.charCodeAt(this.pos++) & 31;
    return e.codePointAt(0) ?? this.fail('an escape');
  }
}
