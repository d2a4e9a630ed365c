/**
 * Keypaths against a `Schema` — a minimal version kept here until the schema layer's keypath
 * parser is merged (the lead can redirect `parseKeypath`/`resolveRequestPath` to src/schema's):
 * - text paths as scenarios write them, `/mk:sys/host{h1}/address` (PROTOCOL.md §9.6 notation);
 * - request paths as C/Python send them: named, top first, `[[mk|sys], host, {<<"h1">>}, address]`
 *   (MAAPI.md §M5), and the hashed forms Java/econfd may send (`[NsHash|Tag]`, bare tag hashes);
 * - hashed keypaths, leaf first, for diff items (§M4.3).
 */
import { improper, int, isAtom, list, tuple, type Term } from '../codec/index.js';
import type { Schema, SchemaNode } from '../schema/index.js';
import { keyText, typeValue } from './values.js';

/** One step of a resolved path: a schema node, and for a list entry the key values as text. */
export interface PathStep {
  readonly node: SchemaNode;
  readonly keys?: readonly string[];
}

/** A path resolved against the schema, top first. */
export type ResolvedPath = readonly PathStep[];

/** Why a path does not resolve (becomes BADPATH on the wire, NSOMOCK_MAAPI_TRANSACTION in a scenario). */
export class PathProblem extends Error {
  override readonly name = 'PathProblem';
}

/** A step of a text path before resolution. */
interface TextStep {
  readonly prefix: string | undefined;
  readonly name: string;
  readonly keys: readonly string[] | undefined;
}

/**
 * Splits `/mk:sys/host{h1}/address` (keys space-separated, `"quoted"` when they hold spaces or braces).
 * @throws PathProblem for a path that is not of that form
 */
export function parseTextPath(path: string): TextStep[] {
  if (!path.startsWith('/')) throw new PathProblem(`a keypath starts with '/': ${JSON.stringify(path)}`);
  const steps: TextStep[] = [];
  let i = 1;
  while (i <= path.length) {
    let j = i;
    while (j < path.length && path[j] !== '/' && path[j] !== '{') j += 1;
    const ident = path.slice(i, j);
    if (ident === '') throw new PathProblem(`empty step at character ${i + 1} of ${JSON.stringify(path)}`);
    const colon = ident.indexOf(':');
    const prefix = colon < 0 ? undefined : ident.slice(0, colon);
    const name = colon < 0 ? ident : ident.slice(colon + 1);
    let keys: string[] | undefined;
    if (path[j] === '{') {
      keys = [];
      j += 1;
      let current = '';
      let quoted = false;
      let closed = false;
      let hasToken = false;
      for (; j < path.length; j += 1) {
        const c = path[j]!;
        if (quoted) {
          if (c === '\\' && j + 1 < path.length) current += path[++j];
          else if (c === '"') quoted = false;
          else current += c;
        } else if (c === '"') {
          quoted = true;
          hasToken = true;
        } else if (c === '}') {
          closed = true;
          j += 1;
          break;
        } else if (c === ' ') {
          if (hasToken) keys.push(current);
          current = '';
          hasToken = false;
        } else {
          current += c;
          hasToken = true;
        }
      }
      if (!closed) throw new PathProblem(`unclosed '{' in ${JSON.stringify(path)}`);
      if (hasToken) keys.push(current);
    }
    steps.push({ prefix, name, keys });
    if (j >= path.length) break;
    if (path[j] !== '/') throw new PathProblem(`expected '/' at character ${j + 1} of ${JSON.stringify(path)}`);
    i = j + 1;
  }
  return steps;
}

/**
 * Resolves a text path against the schema: the first step needs the module prefix.
 * @example resolveTextPath(schema, '/mk:sys/host{h1}/address')
 * @throws PathProblem naming the step that does not resolve
 */
export function resolveTextPath(schema: Schema, path: string): ResolvedPath {
  const steps = parseTextPath(path);
  const out: PathStep[] = [];
  let parent: SchemaNode | undefined;
  for (const step of steps) {
    const candidates = parent === undefined ? schema.roots : parent.children;
    const node = candidates.find((n) => n.name === step.name && (step.prefix === undefined || n.ns.prefix === step.prefix));
    if (node === undefined || (parent === undefined && step.prefix === undefined)) {
      const where = parent === undefined ? 'at the top level (a top-level step needs its prefix, e.g. /mk:sys)' : `under ${parent.name}`;
      const known = candidates.map((n) => (parent === undefined ? `${n.ns.prefix}:${n.name}` : n.name)).join(', ');
      throw new PathProblem(`no node ${step.prefix === undefined ? '' : `${step.prefix}:`}${step.name} ${where} (known: ${known || 'none'}) in ${path}`);
    }
    out.push(withKeys(node, step.keys, path));
    parent = node;
  }
  return out;
}

function withKeys(node: SchemaNode, keys: readonly string[] | undefined, path: string): PathStep {
  if (keys === undefined) return { node };
  if (node.kind !== 'list') throw new PathProblem(`${node.name} is a ${node.kind}, not a list: no keys in ${path}`);
  const want = node.keys?.length ?? 0;
  if (keys.length !== want) throw new PathProblem(`${node.name} has ${want} key(s) (${(node.keys ?? []).join(' ')}), got ${keys.length} in ${path}`);
  return { node, keys };
}

/**
 * Resolves a request path term (§M5): a proper list, top first, of `[Prefix|Name]` / `[Ns|Tag]`
 * (first step or a namespace change), atoms or tag hashes, and key tuples after list steps.
 * @throws PathProblem when it does not resolve
 */
export function resolveRequestPath(schema: Schema, term: Term): ResolvedPath {
  if (term.kind !== 'list' || term.tail.kind !== 'nil') throw new PathProblem('a path is a list, top first (MAAPI.md §M5)');
  const out: PathStep[] = [];
  let parent: SchemaNode | undefined;
  for (const element of term.elements) {
    if (element.kind === 'tuple') {
      const last = out.pop();
      if (last === undefined || last.node.kind !== 'list') throw new PathProblem('a key tuple that follows no list step');
      out.push(withKeys(last.node, element.elements.map(keyText), formatResolved(out)));
      continue;
    }
    const candidates = parent === undefined ? schema.roots : parent.children;
    const node = candidates.find((n) => stepMatches(n, element));
    if (node === undefined) throw new PathProblem(`no node ${describeStep(element)} ${parent === undefined ? 'at the top level' : `under ${parent.name}`}`);
    out.push({ node });
    parent = node;
  }
  if (out.length === 0) throw new PathProblem('an empty path');
  return out;
}

function stepMatches(node: SchemaNode, element: Term): boolean {
  if (element.kind === 'atom') return node.name === element.name;
  if (element.kind === 'integer') return BigInt(node.tagHash) === BigInt(element.value);
  if (element.kind === 'list' && element.elements.length === 1) {
    const ns = element.elements[0]!;
    const tag = element.tail;
    const nsOk = ns.kind === 'atom' ? ns.name === node.ns.prefix || ns.name === node.ns.uri : ns.kind === 'integer' && BigInt(ns.value) === BigInt(node.ns.hash);
    return nsOk && stepMatches(node, tag);
  }
  return false;
}

function describeStep(element: Term): string {
  if (element.kind === 'atom') return element.name;
  if (element.kind === 'integer') return `tag<${element.value}>`;
  if (element.kind === 'list' && element.elements.length === 1) return `${describeStep(element.elements[0]!)}:${describeStep(element.tail)}`;
  return `<${element.kind}>`;
}

/** `/mk:sys/host{h1}/address` (the first step with its prefix, keys quoted when needed). */
export function formatResolved(path: ResolvedPath): string {
  return path
    .map((s, i) => {
      const name = i === 0 || s.node.ns !== path[i - 1]?.node.ns ? `${s.node.ns.prefix}:${s.node.name}` : s.node.name;
      return s.keys === undefined ? name : `${name}{${s.keys.map(quoteKey).join(' ')}}`;
    })
    .map((s) => `/${s}`)
    .join('');
}

function quoteKey(k: string): string {
  return /^[^\s{}"]+$/.test(k) ? k : JSON.stringify(k);
}

/**
 * The hashed keypath of a resolved path, leaf first (MAAPI.md §M4.3, PROTOCOL.md §9.6): the top
 * step and every namespace change `[NsHash|TagHash]`, other steps a bare tag hash, a list entry's
 * key tuple on the leaf side of its tag.
 * @example hashedKeypath(resolveTextPath(schema, '/mk:sys/host{h1}/address')) // [1004, {<<"h1">>}, 1002, [Ns|1001]]
 */
export function hashedKeypath(path: ResolvedPath): Term {
  const topFirst: Term[] = [];
  path.forEach((step, i) => {
    const previous = path[i - 1];
    topFirst.push(previous === undefined || previous.node.ns !== step.node.ns ? improper([int(step.node.ns.hash)], int(step.node.tagHash)) : int(step.node.tagHash));
    if (step.keys !== undefined) topFirst.push(tuple(...keyTerms(step)));
  });
  return list(topFirst.reverse());
}

/** A list entry's keys as typed values (the key leaves' types, PROTOCOL.md §9.4). */
export function keyTerms(step: PathStep): Term[] {
  const names = step.node.keys ?? [];
  return (step.keys ?? []).map((text, i) => {
    const leaf = step.node.children.find((c) => c.name === names[i]);
    return leaf?.type === undefined ? typeValue(undefined, text) : typeValue(leaf.type, text);
  });
}

/** Segment texts (`host{h1}`) of a path, for the iteration order of diff items (§M4.2). */
export function segments(path: ResolvedPath): string[] {
  return path.map((s) => (s.keys === undefined ? `${s.node.ns.hash}:${s.node.name}` : `${s.node.ns.hash}:${s.node.name}{${s.keys.join('\u0000')}}`));
}

/** Whether `term` is the atom `first` or `{first, Filter}` (GET_NEXT's opening Prev, §M5). */
export function isFirst(term: Term): boolean {
  return isAtom(term, 'first') || (term.kind === 'tuple' && term.elements.length === 2 && isAtom(term.elements[0]!, 'first'));
}
