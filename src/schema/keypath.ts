/**
 * Keypaths against a `Schema`: the text form users write (`/mk:sys/host{h1}/address`) and the two
 * Erlang forms MAAPI carries —
 *
 * - the hashed keypath (HKeypath) of diff_iterate items and C_OBJECTREF values, **leaf first**:
 *   `[1004, {<<"h1">>}, 1002, [NsHash|1001]]` — `[NsHash|TagHash]` for the top step and wherever
 *   the namespace changes (an augment), a bare tag hash otherwise, a key tuple just before (leaf-side
 *   of) its list's tag (MAAPI.md §M4.3, PROTOCOL.md §9.6);
 * - the named path of C/Python requests, **top first**: `[[mk|sys], host, {<<"h1">>}, address]`,
 *   keys as binaries of their text (MAAPI.md §M5).
 *
 * `keypathFromTerm` reads either (and econfd's / Java's variants: atoms or hashes in any step,
 * `[NsUri|Tag]`, a binary holding the text form), so the MAAPI server can compare a requested
 * path with the declared one by their canonical `text`.
 */
import { atom, binary, binaryText, formatTerm, improper, int, list, termEqual, tuple, type Term } from '../codec/index.js';
import { SchemaError } from './errors.js';
import type { Schema, SchemaNamespace, SchemaNode } from './model.js';
import { termToValue, valueToTerm } from './values.js';

/** A list key's value: the text as written and the typed term (§9.4) of the key leaf. */
export interface KeyValue {
  readonly text: string;
  readonly term: Term;
}

/** One step: a node, and for a list instance its key values (in the list's `keys` order). */
export interface KeypathStep {
  readonly node: SchemaNode;
  readonly keys?: readonly KeyValue[];
}

/** A keypath resolved against a schema. */
export interface ResolvedKeypath {
  /** Top first. */
  readonly steps: readonly KeypathStep[];
  /** The node the path ends at. */
  readonly target: SchemaNode;
  /** Canonical text: prefix on the top step and where the namespace changes, keys quoted when needed. */
  readonly text: string;
}

function pathError(path: string, reason: string): never {
  throw new SchemaError('NSOMOCK_SCHEMA_PATH', 'resolve keypath', `${reason} in '${path}'`, { path });
}

function quoteKey(text: string): string {
  return text === '' || /[\s{}"\\]/.test(text) ? `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : text;
}

function formatSteps(steps: readonly KeypathStep[]): string {
  let out = '';
  let ns: SchemaNamespace | undefined;
  for (const s of steps) {
    out += `/${s.node.ns !== ns ? `${s.node.ns.prefix}:` : ''}${s.node.name}`;
    ns = s.node.ns;
    if (s.keys !== undefined) out += `{${s.keys.map((k) => quoteKey(k.text)).join(' ')}}`;
  }
  return out === '' ? '/' : out;
}

function resolved(steps: KeypathStep[], path: string): ResolvedKeypath {
  const last = steps[steps.length - 1] ?? pathError(path, 'an empty keypath names no node');
  return { steps, target: last.node, text: formatSteps(steps) };
}

/** A child of `parent` (a root when undefined) by name, the prefix picking the module when given. */
function findChild(schema: Schema, parent: SchemaNode | undefined, name: string, prefix: string | undefined, path: string): SchemaNode {
  const pool = parent === undefined ? schema.roots : parent.children;
  let matches = pool.filter((n) => n.name === name);
  if (prefix !== undefined) {
    if (!schema.namespaces.some((ns) => ns.prefix === prefix || ns.module === prefix)) pathError(path, `prefix '${prefix}' names no loaded module`);
    matches = matches.filter((n) => n.ns.prefix === prefix || n.ns.module === prefix);
  }
  if (matches.length === 0) {
    const where = parent === undefined ? 'at the top level' : `under '${parent.name}'`;
    const known = pool.map((n) => n.name);
    return pathError(path, `no node '${prefix === undefined ? '' : `${prefix}:`}${name}' ${where}${known.length > 0 ? ` (there: ${known.join(', ')})` : ''}`);
  }
  if (matches.length > 1) pathError(path, `'${name}' is defined by ${matches.map((n) => n.ns.module).join(' and ')}: write it with a prefix`);
  return matches[0]!;
}

function keyLeaf(list: SchemaNode, key: string): SchemaNode {
  return list.children.find((c) => c.name === key)!;
}

/**
 * A list entry's keys from their texts, typed by the key leaves (in the list's `keys` order).
 * @example
 *   listKeys(hostList, ['h1'], '/mk:sys/host{h1}') // [{ text: 'h1', term: <<"h1">> }]
 * @throws SchemaError `NSOMOCK_SCHEMA_PATH` (no keys, wrong count) or `NSOMOCK_SCHEMA_VALUE`
 */
export function listKeys(list: SchemaNode, texts: readonly string[], path: string): KeyValue[] {
  const keys = list.keys ?? [];
  if (keys.length === 0) pathError(path, `list '${list.name}' has no keys to give`);
  if (texts.length !== keys.length) pathError(path, `list '${list.name}' has ${keys.length} key(s) (${keys.join(' ')}), ${texts.length} given`);
  return texts.map((text, i) => {
    const leaf = keyLeaf(list, keys[i]!);
    return { text, term: valueToTerm(leaf.type!, text, { leaf, path }) };
  });
}

/** Splits the text in `{…}` into key texts: space-separated, `"…"` or `'…'` quoted (with `\"` escapes). */
function splitKeys(inner: string, path: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < inner.length) {
    const c = inner[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      let text = '';
      i++;
      while (i < inner.length && inner[i] !== c) {
        if (inner[i] === '\\' && c === '"' && i + 1 < inner.length) i++;
        text += inner[i];
        i++;
      }
      if (i >= inner.length) pathError(path, 'an unterminated quoted key');
      i++;
      out.push(text);
    } else {
      let j = i;
      while (j < inner.length && !/\s/.test(inner[j]!)) j++;
      out.push(inner.slice(i, j));
      i = j;
    }
  }
  return out;
}

/**
 * Resolves a text keypath: `/mk:sys/host{h1}/address` (a prefix is optional where the name is
 * unambiguous; several keys space-separated, `{"a b" c}` quoted).
 * @example
 *   const kp = parseKeypath('/sys/host{h1}/port', schema);
 *   kp.text // '/mk:sys/host{h1}/port'
 * @throws SchemaError `NSOMOCK_SCHEMA_PATH` (unknown node, wrong key count) or `NSOMOCK_SCHEMA_VALUE` (a key that does not fit its type)
 */
export function parseKeypath(text: string, schema: Schema): ResolvedKeypath {
  if (!text.startsWith('/')) pathError(text, 'a keypath starts with /');
  const steps: KeypathStep[] = [];
  let i = 1;
  let parent: SchemaNode | undefined;
  while (i < text.length) {
    let j = i;
    while (j < text.length && text[j] !== '/' && text[j] !== '{') j++;
    const name = text.slice(i, j);
    if (name === '') pathError(text, `an empty step at character ${i + 1}`);
    const colon = name.indexOf(':');
    const node = findChild(schema, parent, colon < 0 ? name : name.slice(colon + 1), colon < 0 ? undefined : name.slice(0, colon), text);
    let keys: KeyValue[] | undefined;
    if (text[j] === '{') {
      if (node.kind !== 'list') pathError(text, `'${node.name}' is a ${node.kind}, not a list, and takes no keys`);
      // find the closing brace outside quotes
      let k = j + 1;
      let quote: string | undefined;
      while (k < text.length && (quote !== undefined || text[k] !== '}')) {
        if (quote !== undefined && text[k] === '\\') k++;
        else if (quote === undefined && (text[k] === '"' || text[k] === "'")) quote = text[k];
        else if (quote !== undefined && text[k] === quote) quote = undefined;
        k++;
      }
      if (k >= text.length) pathError(text, `'{' after '${node.name}' is not closed`);
      keys = listKeys(node, splitKeys(text.slice(j + 1, k), text), text);
      j = k + 1;
      if (j < text.length && text[j] !== '/') pathError(text, `'/' expected after the keys of '${node.name}'`);
    }
    steps.push(keys === undefined ? { node } : { node, keys });
    parent = node;
    i = j + 1;
  }
  return resolved(steps, text);
}

/** Options of {@link keypathToTerm}. */
export interface KeypathTermOptions {
  /**
   * `'hashed'` (default): the leaf-first HKeypath of diff_iterate items (§M4.3).
   * `'names'`: the top-first named path C/Python send in requests (§M5), keys as binaries of their text.
   */
  readonly form?: 'hashed' | 'names';
}

/**
 * The Erlang term of a resolved keypath.
 * @example
 *   keypathToTerm(parseKeypath('/mk:sys/host{h1}/address', schema))
 *   // [AddressHash, {<<"h1">>}, HostHash, [NsHash|SysHash]]
 */
export function keypathToTerm(kp: ResolvedKeypath, options: KeypathTermOptions = {}): Term {
  const out: Term[] = [];
  let ns: SchemaNamespace | undefined;
  const named = options.form === 'names';
  for (const s of kp.steps) {
    const qualified = s.node.ns !== ns;
    ns = s.node.ns;
    if (named) out.push(qualified ? improper([atom(s.node.ns.prefix)], atom(s.node.name)) : atom(s.node.name));
    else out.push(qualified ? improper([int(s.node.ns.hash)], int(s.node.tagHash)) : int(s.node.tagHash));
    if (s.keys !== undefined) out.push(tuple(...s.keys.map((k) => (named ? binary(k.text) : k.term))));
  }
  return list(named ? out : out.reverse());
}

type Element =
  | { readonly kind: 'tag'; readonly ns?: number | string; readonly tag: number | string }
  | { readonly kind: 'keys'; readonly keys: readonly Term[] };

function describe(term: Term): string {
  return term.kind === 'atom' ? term.name : term.kind === 'integer' ? String(term.value) : term.kind;
}

function readElement(e: Term, path: string): Element {
  switch (e.kind) {
    case 'integer':
      return { kind: 'tag', tag: Number(e.value) };
    case 'atom':
      return { kind: 'tag', tag: e.name };
    case 'tuple':
      return { kind: 'keys', keys: e.elements };
    case 'list': {
      const head = e.elements[0];
      if (e.elements.length === 1 && head !== undefined && (head.kind === 'integer' || head.kind === 'atom') && (e.tail.kind === 'integer' || e.tail.kind === 'atom')) {
        return { kind: 'tag', ns: head.kind === 'integer' ? Number(head.value) : head.name, tag: e.tail.kind === 'integer' ? Number(e.tail.value) : e.tail.name };
      }
      break;
    }
    default:
      break;
  }
  return pathError(path, `a keypath element must be a tag (integer or atom), [Ns|Tag] or a key tuple, not ${describe(e)}`);
}

function nsMatches(schema: Schema, node: SchemaNode, ns: number | string | undefined): boolean {
  if (ns === undefined) return true;
  if (typeof ns === 'number') return node.ns.hash === ns;
  return node.ns.prefix === ns || node.ns.uri === ns || node.ns.module === ns || !schema.namespaces.some((n) => n.prefix === ns || n.uri === ns || n.module === ns);
}

function isQualified(e: Term): boolean {
  return e.kind === 'list' && e.elements.length === 1 && e.tail.kind !== 'nil';
}

/**
 * Resolves a keypath term: an HKeypath (leaf first, hashed, §M4.3), a named path (top first, atoms,
 * §M5), their mixes (econfd: `[NsUri|Tag]` atoms; Java: hashes top first) or a binary holding the
 * text form. Key tuples are typed by the key leaves: binaries are read as text, typed values are
 * checked against the key's type and kept.
 * @example
 *   keypathFromTerm(parseErlang('[[mk|sys],host,{<<"h1">>},address]'), schema).text // '/mk:sys/host{h1}/address'
 * @throws SchemaError `NSOMOCK_SCHEMA_PATH` / `NSOMOCK_SCHEMA_VALUE`
 */
export function keypathFromTerm(term: Term, schema: Schema): ResolvedKeypath {
  if (term.kind === 'binary') return parseKeypath(binaryText(term), schema);
  const shown = describeTerm(term);
  if (term.kind !== 'list' || term.tail.kind !== 'nil') return pathError(shown, 'a keypath term is a proper list');
  const elements = term.elements;
  // Top first when the first element is the qualified top step; leaf first (HKeypath) when the last
  // is. When both are (a leaf-first path whose leaf is in another namespace, an augment), the order
  // that resolves wins, top first tried first.
  const firstQualified = isQualified(elements[0]!);
  const lastQualified = isQualified(elements[elements.length - 1]!);
  if (firstQualified && lastQualified && elements.length > 1) {
    try {
      return resolveOrdered(elements, schema, shown);
    } catch (e) {
      if (!(e instanceof SchemaError)) throw e;
      return resolveOrdered([...elements].reverse(), schema, shown);
    }
  }
  return resolveOrdered(firstQualified || !lastQualified ? elements : [...elements].reverse(), schema, shown);
}

function resolveOrdered(elements: readonly Term[], schema: Schema, shown: string): ResolvedKeypath {
  const ordered = elements.map((e) => readElement(e, shown));
  const steps: KeypathStep[] = [];
  let parent: SchemaNode | undefined;
  for (let i = 0; i < ordered.length; i++) {
    const e = ordered[i]!;
    if (e.kind === 'keys') return pathError(shown, `a key tuple must follow a list's tag (element ${i + 1})`);
    const pool = parent === undefined ? schema.roots : parent.children;
    const node = pool.find((n) => (typeof e.tag === 'number' ? n.tagHash === e.tag : n.name === e.tag) && nsMatches(schema, n, e.ns));
    if (node === undefined) {
      const where = parent === undefined ? 'at the top level' : `under '${parent.name}'`;
      return pathError(shown, `no node with tag ${typeof e.tag === 'number' ? `hash ${e.tag}` : `'${e.tag}'`}${e.ns === undefined ? '' : ` in namespace ${e.ns}`} ${where}`);
    }
    const next = ordered[i + 1];
    if (next?.kind === 'keys') {
      if (node.kind !== 'list' || node.keys === undefined) return pathError(shown, `'${node.name}' is no keyed list and takes no key tuple`);
      if (next.keys.length !== node.keys.length) return pathError(shown, `list '${node.name}' has ${node.keys.length} key(s), the tuple ${next.keys.length}`);
      const keys = next.keys.map((k, ki) => {
        const leaf = keyLeaf(node, node.keys![ki]!);
        const text = k.kind === 'binary' && leaf.type!.confdType !== 5 ? binaryText(k) : termToValue(leaf.type!, k, { leaf, path: shown });
        return { text, term: valueToTerm(leaf.type!, text, { leaf, path: shown }) };
      });
      steps.push({ node, keys });
      i++;
    } else {
      steps.push({ node });
    }
    parent = node;
  }
  return resolved(steps, shown);
}

function describeTerm(term: Term): string {
  return formatTerm(term, { maxLength: 200 });
}

/** Whether two resolved keypaths name the same node instance (same steps, equal key terms). */
export function sameKeypath(a: ResolvedKeypath, b: ResolvedKeypath): boolean {
  return (
    a.steps.length === b.steps.length &&
    a.steps.every((s, i) => {
      const t = b.steps[i]!;
      if (s.node !== t.node) return false;
      if (s.keys === undefined || t.keys === undefined) return s.keys === t.keys;
      return s.keys.length === t.keys.length && s.keys.every((k, j) => termEqual(k.term, t.keys![j]!.term));
    })
  );
}

/**
 * A node's schema path, without keys: `/mk:sys/host/address` (prefix on the top step and where the
 * namespace changes), for messages and logs.
 * @example
 *   schemaPath(parseKeypath('/mk:sys/host{h1}/port', schema).target) // '/mk:sys/host/port'
 */
export function schemaPath(node: SchemaNode): string {
  const chain: SchemaNode[] = [];
  for (let n: SchemaNode | undefined = node; n !== undefined; n = n.parent) chain.unshift(n);
  return formatSteps(chain.map((n) => ({ node: n })));
}

/**
 * The child of `parent` (a top-level node when undefined) with this tag hash, and namespace hash when
 * given — how a hashed keypath or tag-value list names a node (§M4.3, PROTOCOL.md §9.5).
 * @example
 *   childByHash(schema, undefined, 1280841638, nsHash)?.name // 'sys'
 */
export function childByHash(schema: Schema, parent: SchemaNode | undefined, tagHash: number, nsHash?: number): SchemaNode | undefined {
  const pool = parent === undefined ? schema.roots : parent.children;
  return pool.find((n) => n.tagHash === tagHash && (nsHash === undefined || n.ns.hash === nsHash));
}
