/**
 * XPath filters of stream subscriptions (PROTOCOL.md §8.1 element 4 XPathFilter, §14: "every new
 * notification of the stream that passes the XPath filter"; §8.4: a filter that does not compile is
 * refused with `{error, 50, Reason}`, CONFD_ERR_XPATH).
 *
 * The subset of XPath 1.0 that stream filters use, evaluated over a plain tree (no DOM):
 *
 * - location paths, absolute (`/a/b`, `//b`) and relative (`a/b`, `.//b`); axes `child`,
 *   `descendant`, `descendant-or-self`, `self`, `parent` (`a/child::b` as well as the
 *   abbreviations `//`, `.`, `..`); node tests `name`, `prefix:name`, `*`, `prefix:*`, `node()`,
 *   `text()`. A name matches on the local name; **a prefix matches any namespace** (a tag-value
 *   list carries namespace hashes, not the prefixes of a filter, §9.5);
 * - predicates `[expr]`, a number in one being the position (`[1]`, `[last()]`);
 * - `=` `!=` `<` `<=` `>` `>=` with the XPath 1.0 rules (a node-set compares true if any of its
 *   nodes does), `and`, `or`, unary `-`, union `|`, parentheses, string and number literals;
 * - functions `not()`, `true()`, `false()`, `boolean()`, `string()`, `number()`, `count()`,
 *   `contains()`, `starts-with()`, `string-length()`, `position()`, `last()`.
 *
 * Anything else (attributes, variables, arithmetic, other axes and functions) fails to compile with
 * `NSOMOCK_SERVER_XPATH`, whose message names the offset in the filter. A filter selects an event
 * when its value over the notification's root is true (a node-set: non-empty; XPath `boolean()`).
 *
 * Work is bounded: the filter length and nesting depth at compile time, the nodes visited per
 * evaluation at run time (an evaluation that would exceed it selects nothing, so no event leaks
 * past a filter it could not finish). Absolute paths inside predicates are evaluated once per event,
 * not once per context node.
 */
import { NsoMockError } from '../codec/index.js';

/** One element of the tree a filter is evaluated on: the notification content as XML. */
export interface FilterElement {
  /** Local name (no prefix); `undefined` for an element whose name is not known (matches only `*` and `node()`). */
  readonly name: string | undefined;
  /** Child elements, in document order. */
  readonly children?: readonly FilterElement[];
  /** Text of a leaf (its string value). An element with children has none. */
  readonly value?: string;
}

/** Limits of {@link compileXPathFilter}. */
export interface XPathFilterLimits {
  /** Longest filter accepted, in characters. Default 4096. */
  readonly maxLength?: number;
  /** Deepest nesting of expressions (parentheses, predicates, function arguments, operators). Default 64. */
  readonly maxDepth?: number;
  /** Nodes one evaluation may visit before it gives up (and selects nothing). Default 1,000,000. */
  readonly maxVisits?: number;
}

/** A compiled filter. */
export interface XPathFilter {
  /** The filter text as given. */
  readonly source: string;
  /**
   * Whether the notification whose top-level elements are `roots` passes the filter. Never throws;
   * false when the evaluation exceeded `maxVisits`.
   */
  test(roots: readonly FilterElement[]): boolean;
}

/** The details of an `NSOMOCK_SERVER_XPATH` error. */
export interface XPathErrorDetails {
  readonly filter: string;
  /** Offset (0-based, UTF-16 units) in the filter where compiling failed. */
  readonly position: number;
}

export const DEFAULT_XPATH_FILTER_LIMITS: Required<XPathFilterLimits> = Object.freeze({ maxLength: 4096, maxDepth: 64, maxVisits: 1_000_000 });

/**
 * Compiles a stream filter.
 * @throws NsoMockError `NSOMOCK_SERVER_XPATH` when the filter is not in the supported subset, with
 *   the offset of the problem (`details.position`).
 * @example
 *   const f = compileXPathFilter("/link-up[if-name='eth0']");
 *   f.test([{ name: 'link-up', children: [{ name: 'if-name', value: 'eth0' }] }]); // true
 */
export function compileXPathFilter(source: string, limits: XPathFilterLimits = {}): XPathFilter {
  const lim = { ...DEFAULT_XPATH_FILTER_LIMITS, ...limits };
  if (source.length > lim.maxLength) throw xpathError(source, lim.maxLength, `the filter is longer than ${lim.maxLength} characters`);
  const tokens = tokenize(source);
  const parser = new Parser(source, tokens, lim.maxDepth);
  const expr = parser.parseTop();
  return {
    source,
    test: (roots) => {
      const ev = new Evaluator(lim.maxVisits);
      try {
        return toBoolean(ev.eval(expr, { node: ev.document(roots), position: 1, size: 1 }));
      } catch (e) {
        if (e === BUDGET) return false;
        throw e;
      }
    },
  };
}

function xpathError(filter: string, position: number, reason: string): NsoMockError<XPathErrorDetails> {
  return new NsoMockError('NSOMOCK_SERVER_XPATH', `Failed to compile XPath filter: ${reason} (at offset ${position} of ${JSON.stringify(filter)})`, {
    details: { filter, position },
  });
}

// ---- tokens --------------------------------------------------------------------------------------

type Token =
  | { readonly k: 'name'; readonly prefix: string | undefined; readonly local: string; readonly pos: number }
  | { readonly k: 'literal'; readonly value: string; readonly pos: number }
  | { readonly k: 'number'; readonly value: number; readonly pos: number }
  | { readonly k: 'op'; readonly value: string; readonly pos: number }
  | { readonly k: 'end'; readonly pos: number };

// XML NCName, approximated: ASCII letters, '_', and any non-ASCII character start one; digits,
// '.', '-' may follow (XPath 1.0 §3.7 and XML Namespaces).
const NAME_START = /[A-Za-z_\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_.\-\u00B7\u00C0-\uFFFF]/;
const TWO_CHAR_OPS = ['//', '..', '::', '!=', '<=', '>='];
const ONE_CHAR_OPS = '/()[].@,|*=<>+-$:';

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const name = (): string => {
    const start = i;
    i += 1;
    while (i < src.length && NAME_CHAR.test(src[i]!)) i += 1;
    return src.slice(start, i);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
      continue;
    }
    const pos = i;
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw xpathError(src, pos, 'unterminated string literal');
      out.push({ k: 'literal', value: src.slice(i + 1, end), pos });
      i = end + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^[0-9]*(\.[0-9]*)?/.exec(src.slice(i))!;
      out.push({ k: 'number', value: Number(m[0]), pos });
      i += m[0].length;
      continue;
    }
    if (NAME_START.test(c)) {
      const first = name();
      // A QName `prefix:local` or `prefix:*` (no space around the colon); `name::` is an axis.
      if (src[i] === ':' && src[i + 1] !== ':') {
        const after = src[i + 1] ?? '';
        if (after === '*') {
          i += 2;
          out.push({ k: 'name', prefix: first, local: '*', pos });
          continue;
        }
        if (NAME_START.test(after)) {
          i += 1;
          out.push({ k: 'name', prefix: first, local: name(), pos });
          continue;
        }
        throw xpathError(src, i, `expected a local name or '*' after '${first}:'`);
      }
      out.push({ k: 'name', prefix: undefined, local: first, pos });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (TWO_CHAR_OPS.includes(two)) {
      out.push({ k: 'op', value: two, pos });
      i += 2;
      continue;
    }
    if (ONE_CHAR_OPS.includes(c)) {
      out.push({ k: 'op', value: c, pos });
      i += 1;
      continue;
    }
    throw xpathError(src, pos, `unexpected character ${JSON.stringify(c)}`);
  }
  out.push({ k: 'end', pos: src.length });
  return out;
}

// ---- syntax tree ---------------------------------------------------------------------------------

type Axis = 'child' | 'descendant' | 'descendant-or-self' | 'self' | 'parent';
type NodeTest = { readonly k: 'name'; readonly local: string } | { readonly k: 'element' } | { readonly k: 'node' } | { readonly k: 'text' };
interface Step {
  readonly axis: Axis;
  readonly test: NodeTest;
  readonly predicates: readonly Expr[];
}
type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
type Expr =
  | { readonly k: 'or' | 'and' | 'union'; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'cmp'; readonly op: CompareOp; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'neg'; readonly e: Expr }
  | { readonly k: 'literal'; readonly value: string }
  | { readonly k: 'number'; readonly value: number }
  | { readonly k: 'call'; readonly name: FunctionName; readonly args: readonly Expr[] }
  /** A location path; absolute paths are evaluated once per event (they do not depend on the context). */
  | { readonly k: 'path'; readonly absolute: boolean; readonly steps: readonly Step[] }
  /** A filter expression `(e)[p]/steps`. */
  | { readonly k: 'filter'; readonly primary: Expr; readonly predicates: readonly Expr[]; readonly steps: readonly Step[] };

/** Arity [min, max] of each supported function. */
const FUNCTIONS = {
  not: [1, 1],
  true: [0, 0],
  false: [0, 0],
  boolean: [1, 1],
  string: [0, 1],
  number: [0, 1],
  count: [1, 1],
  contains: [2, 2],
  'starts-with': [2, 2],
  'string-length': [0, 1],
  position: [0, 0],
  last: [0, 0],
} as const;
type FunctionName = keyof typeof FUNCTIONS;
const NODE_SET_ARG: ReadonlySet<string> = new Set(['count']);

const AXES: ReadonlySet<string> = new Set<Axis>(['child', 'descendant', 'descendant-or-self', 'self', 'parent']);
const DESCENDANT_OR_SELF_NODE: Step = { axis: 'descendant-or-self', test: { k: 'node' }, predicates: [] };

class Parser {
  #i = 0;
  #depth = 0;

  constructor(
    private readonly src: string,
    private readonly tokens: readonly Token[],
    private readonly maxDepth: number,
  ) {}

  parseTop(): Expr {
    if (this.#peek().k === 'end') throw this.#error(this.#peek(), 'the filter is empty');
    const e = this.#expr();
    const t = this.#peek();
    if (t.k !== 'end') throw this.#error(t, `unexpected ${describe(t)} after a complete expression`);
    return e;
  }

  #peek(offset = 0): Token {
    return this.tokens[Math.min(this.#i + offset, this.tokens.length - 1)]!;
  }

  #next(): Token {
    const t = this.#peek();
    if (this.#i < this.tokens.length - 1) this.#i += 1;
    return t;
  }

  #isOp(value: string, t: Token = this.#peek()): boolean {
    return t.k === 'op' && t.value === value;
  }

  /** `and`, `or`, `div`, `mod` are operators only where an operator may stand (XPath 1.0 §3.7). */
  #isOperatorName(value: string, t: Token = this.#peek()): boolean {
    return t.k === 'name' && t.prefix === undefined && t.local === value;
  }

  #expect(value: string, what: string): void {
    const t = this.#next();
    if (!(t.k === 'op' && t.value === value)) throw this.#error(t, `expected ${what}, found ${describe(t)}`);
  }

  #error(t: Token, reason: string): NsoMockError<XPathErrorDetails> {
    return xpathError(this.src, t.pos, reason);
  }

  #enter(t: Token): void {
    this.#depth += 1;
    if (this.#depth > this.maxDepth) throw this.#error(t, `expressions are nested deeper than ${this.maxDepth}`);
  }

  #expr(): Expr {
    this.#enter(this.#peek());
    let l = this.#and();
    while (this.#isOperatorName('or')) {
      this.#next();
      l = { k: 'or', l, r: this.#and() };
    }
    this.#depth -= 1;
    return l;
  }

  #and(): Expr {
    let l = this.#equality();
    while (this.#isOperatorName('and')) {
      this.#next();
      l = { k: 'and', l, r: this.#equality() };
    }
    return l;
  }

  #equality(): Expr {
    let l = this.#relational();
    for (let t = this.#peek(); t.k === 'op' && (t.value === '=' || t.value === '!='); t = this.#peek()) {
      this.#next();
      l = { k: 'cmp', op: t.value, l, r: this.#relational() };
    }
    return l;
  }

  #relational(): Expr {
    let l = this.#unary();
    for (let t = this.#peek(); t.k === 'op' && ['<', '<=', '>', '>='].includes(t.value); t = this.#peek()) {
      this.#next();
      l = { k: 'cmp', op: t.value as CompareOp, l, r: this.#unary() };
    }
    return l;
  }

  #unary(): Expr {
    const t = this.#peek();
    if (this.#isOp('-', t)) {
      this.#next();
      this.#enter(t);
      const e: Expr = { k: 'neg', e: this.#unary() };
      this.#depth -= 1;
      return e;
    }
    const e = this.#union();
    const after = this.#peek();
    // Arithmetic is outside the subset; say so rather than "unexpected token".
    if (this.#isOp('+', after) || this.#isOp('-', after) || this.#isOp('*', after) || this.#isOperatorName('div', after) || this.#isOperatorName('mod', after)) {
      throw this.#error(after, `arithmetic (${describe(after)}) is not supported in stream filters`);
    }
    return e;
  }

  #union(): Expr {
    let l = this.#pathExpr();
    while (this.#isOp('|')) {
      const t = this.#next();
      const r = this.#pathExpr();
      if (!isNodeSetExpr(l) || !isNodeSetExpr(r)) throw this.#error(t, "'|' needs node-sets on both sides");
      l = { k: 'union', l, r };
    }
    return l;
  }

  #pathExpr(): Expr {
    const t = this.#peek();
    const primary =
      t.k === 'literal' ||
      t.k === 'number' ||
      this.#isOp('(', t) ||
      (t.k === 'name' && this.#isOp('(', this.#peek(1)) && !(t.prefix === undefined && (t.local === 'node' || t.local === 'text')));
    if (!primary) return this.#locationPath();
    const e = this.#primary();
    const predicates = this.#predicates();
    const steps: Step[] = [];
    if (this.#isOp('/') || this.#isOp('//')) {
      if (!isNodeSetExpr(e)) throw this.#error(this.#peek(), `a path can only continue a node-set, not ${describe(t)}`);
      this.#relativePath(steps);
    }
    if (predicates.length === 0 && steps.length === 0) return e;
    if (!isNodeSetExpr(e)) throw this.#error(t, `a predicate needs a node-set, not ${describe(t)}`);
    return { k: 'filter', primary: e, predicates, steps };
  }

  #primary(): Expr {
    const t = this.#next();
    switch (t.k) {
      case 'literal':
        return { k: 'literal', value: t.value };
      case 'number':
        return { k: 'number', value: t.value };
      case 'op': {
        // '('
        this.#enter(t);
        const e = this.#expr();
        this.#expect(')', "')'");
        this.#depth -= 1;
        return e;
      }
      case 'name': {
        const fname = t.prefix === undefined ? t.local : `${t.prefix}:${t.local}`;
        if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, fname)) throw this.#error(t, `function ${fname}() is not supported in stream filters`);
        const name = fname as FunctionName;
        this.#expect('(', "'('");
        this.#enter(t);
        const args: Expr[] = [];
        if (!this.#isOp(')')) {
          args.push(this.#expr());
          while (this.#isOp(',')) {
            this.#next();
            args.push(this.#expr());
          }
        }
        this.#expect(')', `')' to close ${name}()`);
        this.#depth -= 1;
        const [min, max] = FUNCTIONS[name];
        if (args.length < min || args.length > max) {
          throw this.#error(t, `${name}() takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${args.length}`);
        }
        if (NODE_SET_ARG.has(name) && !isNodeSetExpr(args[0]!)) throw this.#error(t, `${name}() needs a node-set argument`);
        return { k: 'call', name, args };
      }
      default:
        throw this.#error(t, `unexpected ${describe(t)}`);
    }
  }

  #predicates(): Expr[] {
    const out: Expr[] = [];
    while (this.#isOp('[')) {
      const t = this.#next();
      this.#enter(t);
      out.push(this.#expr());
      this.#expect(']', "']'");
      this.#depth -= 1;
    }
    return out;
  }

  #locationPath(): Expr {
    const t = this.#peek();
    const steps: Step[] = [];
    if (this.#isOp('/', t)) {
      this.#next();
      // `/` alone is the root; a step may follow.
      if (this.#startsStep()) this.#steps(steps);
      return { k: 'path', absolute: true, steps };
    }
    if (this.#isOp('//', t)) {
      this.#next();
      steps.push(DESCENDANT_OR_SELF_NODE);
      this.#steps(steps);
      return { k: 'path', absolute: true, steps };
    }
    if (this.#isOp('$', t)) throw this.#error(t, 'variables are not supported in stream filters');
    if (!this.#startsStep()) throw this.#error(t, `expected a location path, a literal, a number or a function call, found ${describe(t)}`);
    this.#steps(steps);
    return { k: 'path', absolute: false, steps };
  }

  /** After a primary expression: `/step...` or `//step...`. */
  #relativePath(steps: Step[]): void {
    while (this.#isOp('/') || this.#isOp('//')) {
      if (this.#isOp('//', this.#next())) steps.push(DESCENDANT_OR_SELF_NODE);
      steps.push(this.#step());
    }
  }

  #steps(steps: Step[]): void {
    steps.push(this.#step());
    this.#relativePath(steps);
  }

  #startsStep(): boolean {
    const t = this.#peek();
    return t.k === 'name' || this.#isOp('*', t) || this.#isOp('.', t) || this.#isOp('..', t) || this.#isOp('@', t);
  }

  #step(): Step {
    const t = this.#next();
    if (this.#isOp('.', t)) return { axis: 'self', test: { k: 'node' }, predicates: this.#noPredicates('.') };
    if (this.#isOp('..', t)) return { axis: 'parent', test: { k: 'node' }, predicates: this.#noPredicates('..') };
    if (this.#isOp('@', t)) throw this.#error(t, 'attributes are not supported (notification content has none)');
    let axis: Axis = 'child';
    let test = t;
    if (t.k === 'name' && t.prefix === undefined && this.#isOp('::')) {
      if (!AXES.has(t.local)) throw this.#error(t, `axis ${t.local}:: is not supported in stream filters`);
      axis = t.local as Axis;
      this.#next();
      test = this.#next();
    }
    return { axis, test: this.#nodeTest(test), predicates: this.#predicates() };
  }

  #noPredicates(abbrev: string): readonly Expr[] {
    if (this.#isOp('[')) throw this.#error(this.#peek(), `'${abbrev}' cannot take a predicate (XPath 1.0 §2.5)`);
    return [];
  }

  #nodeTest(t: Token): NodeTest {
    if (this.#isOp('*', t)) return { k: 'element' };
    if (t.k !== 'name') throw this.#error(t, `expected a node test, found ${describe(t)}`);
    if (t.prefix === undefined && (t.local === 'node' || t.local === 'text') && this.#isOp('(')) {
      this.#next();
      this.#expect(')', `')' after ${t.local}(`);
      return { k: t.local };
    }
    if (this.#isOp('(')) throw this.#error(this.#peek(), `node type ${t.local}() is not supported`);
    // `prefix:*` matches every element: a prefix matches any namespace.
    return t.local === '*' ? { k: 'element' } : { k: 'name', local: t.local };
  }
}

function isNodeSetExpr(e: Expr): boolean {
  return e.k === 'path' || e.k === 'filter' || e.k === 'union';
}

function describe(t: Token): string {
  switch (t.k) {
    case 'end':
      return 'the end of the filter';
    case 'literal':
      return `string ${JSON.stringify(t.value)}`;
    case 'number':
      return `number ${t.value}`;
    case 'name':
      return t.prefix === undefined && ['and', 'or', 'div', 'mod'].includes(t.local) ? `'${t.local}'` : `name ${t.prefix === undefined ? t.local : `${t.prefix}:${t.local}`}`;
    case 'op':
      return `'${t.value}'`;
  }
}

// ---- evaluation ----------------------------------------------------------------------------------

interface Node {
  readonly kind: 'root' | 'element' | 'text';
  readonly name: string | undefined;
  readonly parent: Node | undefined;
  readonly children: Node[];
  /** Pre-order index: document order. */
  readonly order: number;
  readonly text: string;
  stringValue?: string;
}

type Value = readonly Node[] | string | number | boolean;

interface Context {
  readonly node: Node;
  readonly position: number;
  readonly size: number;
}

/** Thrown (and caught in `test`) when an evaluation exceeds its visit budget. */
const BUDGET: unique symbol = Symbol('xpath budget');

class Evaluator {
  #visits = 0;
  readonly #absolute = new Map<Expr, readonly Node[]>();
  #root: Node | undefined;

  constructor(private readonly maxVisits: number) {}

  #visit(n = 1): void {
    this.#visits += n;
    if (this.#visits > this.maxVisits) throw BUDGET;
  }

  /** Builds the indexed tree iteratively (a tag-value list can nest as deep as it is long). */
  document(roots: readonly FilterElement[]): Node {
    let order = 0;
    const root: Node = { kind: 'root', name: undefined, parent: undefined, children: [], order: order++, text: '' };
    const stack: { node: Node; pending: readonly FilterElement[]; next: number }[] = [{ node: root, pending: roots, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next >= top.pending.length) {
        stack.pop();
        continue;
      }
      const el = top.pending[top.next++]!;
      this.#visit();
      const node: Node = { kind: 'element', name: el.name, parent: top.node, children: [], order: order++, text: '' };
      top.node.children.push(node);
      if (el.value !== undefined && el.value !== '') {
        node.children.push({ kind: 'text', name: undefined, parent: node, children: [], order: order++, text: el.value });
      }
      if (el.children !== undefined && el.children.length > 0) stack.push({ node, pending: el.children, next: 0 });
    }
    this.#root = root;
    return root;
  }

  eval(e: Expr, ctx: Context): Value {
    switch (e.k) {
      case 'or':
        return toBoolean(this.eval(e.l, ctx)) || toBoolean(this.eval(e.r, ctx));
      case 'and':
        return toBoolean(this.eval(e.l, ctx)) && toBoolean(this.eval(e.r, ctx));
      case 'union':
        return union(this.#nodes(e.l, ctx), this.#nodes(e.r, ctx));
      case 'cmp':
        return this.#compare(e.op, this.eval(e.l, ctx), this.eval(e.r, ctx));
      case 'neg':
        return -this.#number(this.eval(e.e, ctx));
      case 'literal':
      case 'number':
        return e.value;
      case 'call':
        return this.#call(e.name, e.args, ctx);
      case 'path': {
        if (!e.absolute) return this.#applySteps([ctx.node], e.steps);
        // Context-free: once per event however many predicates ask for it.
        let cached = this.#absolute.get(e);
        if (cached === undefined) {
          cached = this.#applySteps([this.#root!], e.steps);
          this.#absolute.set(e, cached);
        }
        return cached;
      }
      case 'filter': {
        let nodes = this.#nodes(e.primary, ctx);
        for (const p of e.predicates) nodes = this.#filter(nodes, p);
        return e.steps.length === 0 ? nodes : this.#applySteps(nodes, e.steps);
      }
    }
  }

  #nodes(e: Expr, ctx: Context): readonly Node[] {
    const v = this.eval(e, ctx);
    // The parser admits only node-set expressions here.
    return typeof v === 'object' ? v : [];
  }

  #applySteps(start: readonly Node[], steps: readonly Step[]): readonly Node[] {
    let current = start;
    for (const step of steps) {
      const out: Node[] = [];
      for (const node of current) {
        let selected = this.#axis(node, step);
        for (const p of step.predicates) selected = this.#filter(selected, p);
        for (const n of selected) out.push(n);
      }
      current = current.length <= 1 ? out : sortUnique(out);
    }
    return current;
  }

  /** The nodes of `step.axis` from `node` that pass the node test, in axis order (all forward but parent). */
  #axis(node: Node, step: Step): Node[] {
    const out: Node[] = [];
    const consider = (n: Node): void => {
      this.#visit();
      if (passes(step.test, n)) out.push(n);
    };
    switch (step.axis) {
      case 'self':
        consider(node);
        break;
      case 'parent':
        if (node.parent !== undefined) consider(node.parent);
        break;
      case 'child':
        for (const c of node.children) consider(c);
        break;
      case 'descendant':
      case 'descendant-or-self': {
        if (step.axis === 'descendant-or-self') consider(node);
        // Iterative pre-order walk: document order without recursion.
        const stack: Node[] = [...node.children].reverse();
        while (stack.length > 0) {
          const n = stack.pop()!;
          consider(n);
          for (let i = n.children.length - 1; i >= 0; i -= 1) stack.push(n.children[i]!);
        }
        break;
      }
    }
    return out;
  }

  #filter(nodes: readonly Node[], predicate: Expr): Node[] {
    const out: Node[] = [];
    const size = nodes.length;
    nodes.forEach((node, i) => {
      const v = this.eval(predicate, { node, position: i + 1, size });
      // XPath 1.0 §2.4: a number is a position test, anything else is converted to a boolean.
      if (typeof v === 'number' ? v === i + 1 : toBoolean(v)) out.push(node);
    });
    return out;
  }

  #call(name: FunctionName, args: readonly Expr[], ctx: Context): Value {
    const arg = (i: number): Value => this.eval(args[i]!, ctx);
    const str = (i: number): string => (args.length > i ? this.#string(arg(i)) : this.#stringValue(ctx.node));
    switch (name) {
      case 'not':
        return !toBoolean(arg(0));
      case 'true':
        return true;
      case 'false':
        return false;
      case 'boolean':
        return toBoolean(arg(0));
      case 'string':
        return str(0);
      case 'number':
        return args.length > 0 ? this.#number(arg(0)) : stringToNumber(this.#stringValue(ctx.node));
      case 'count':
        return this.#nodes(args[0]!, ctx).length;
      case 'contains':
        return str(0).includes(str(1));
      case 'starts-with':
        return str(0).startsWith(str(1));
      case 'string-length':
        return [...str(0)].length;
      case 'position':
        return ctx.position;
      case 'last':
        return ctx.size;
    }
  }

  /** XPath 1.0 §3.4. */
  #compare(op: CompareOp, l: Value, r: Value): boolean {
    if (typeof l === 'object' && typeof r === 'object') {
      const rs = r.map((n) => this.#stringValue(n));
      return l.some((a) => {
        const as = this.#stringValue(a);
        return rs.some((bs) => this.#compareAtoms(op, as, bs));
      });
    }
    if (typeof l === 'object') return this.#compareSet(op, l, r as string | number | boolean, false);
    if (typeof r === 'object') return this.#compareSet(op, r, l, true);
    return this.#compareAtoms(op, l, r);
  }

  #compareSet(op: CompareOp, set: readonly Node[], other: string | number | boolean, swapped: boolean): boolean {
    if (typeof other === 'boolean') return this.#compareAtoms(op, swapped ? other : set.length > 0, swapped ? set.length > 0 : other);
    return set.some((n) => {
      const s = this.#stringValue(n);
      const a = typeof other === 'number' ? stringToNumber(s) : s;
      return swapped ? this.#compareAtoms(op, other, a) : this.#compareAtoms(op, a, other);
    });
  }

  #compareAtoms(op: CompareOp, a: string | number | boolean, b: string | number | boolean): boolean {
    if (op === '=' || op === '!=') {
      let eq: boolean;
      if (typeof a === 'boolean' || typeof b === 'boolean') eq = toBoolean(a) === toBoolean(b);
      else if (typeof a === 'number' || typeof b === 'number') eq = this.#number(a) === this.#number(b);
      else eq = a === b;
      return op === '=' ? eq : !eq;
    }
    const x = this.#number(a);
    const y = this.#number(b);
    switch (op) {
      case '<':
        return x < y;
      case '<=':
        return x <= y;
      case '>':
        return x > y;
      case '>=':
        return x >= y;
    }
  }

  #string(v: Value): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return numberToString(v);
    return v.length === 0 ? '' : this.#stringValue(v[0]!);
  }

  #number(v: Value): number {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return stringToNumber(this.#string(v));
  }

  /** The concatenated text below a node (XPath 1.0 §5), cached per node, walked without recursion. */
  #stringValue(node: Node): string {
    if (node.kind === 'text') return node.text;
    if (node.stringValue !== undefined) return node.stringValue;
    let s = '';
    const stack: Node[] = [node];
    while (stack.length > 0) {
      const n = stack.pop()!;
      this.#visit();
      if (n.kind === 'text') s += n.text;
      for (let i = n.children.length - 1; i >= 0; i -= 1) stack.push(n.children[i]!);
    }
    node.stringValue = s;
    return s;
  }
}

function passes(test: NodeTest, n: Node): boolean {
  switch (test.k) {
    case 'node':
      return true;
    case 'text':
      return n.kind === 'text';
    case 'element':
      return n.kind === 'element';
    case 'name':
      return n.kind === 'element' && n.name === test.local;
  }
}

function toBoolean(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  return v.length > 0;
}

/** XPath 1.0 §4.4 `number()` of a string: optional whitespace, optional '-', digits with an optional fraction. */
function stringToNumber(s: string): number {
  const t = s.trim();
  return /^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(t) ? Number(t) : NaN;
}

/** XPath 1.0 §4.2 `string()` of a number (integers without a fraction; JavaScript's form otherwise). */
function numberToString(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Object.is(n, -0)) return '0';
  return String(n);
}

function union(a: readonly Node[], b: readonly Node[]): readonly Node[] {
  return sortUnique([...a, ...b]);
}

function sortUnique(nodes: Node[]): Node[] {
  const seen = new Set<Node>();
  const out: Node[] = [];
  for (const n of nodes) {
    if (seen.has(n)) continue;
    seen.add(n);
    out.push(n);
  }
  return out.sort((x, y) => x.order - y.order);
}
