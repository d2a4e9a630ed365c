/**
 * The schema-loading streams of MAAPI as codec Terms, one Term per frame, so the MAAPI server only
 * frames them (each is sent as a term without an op prefix, MAAPI.md §M6.1):
 *
 * - LOAD_ALL_NS (232) / LOAD_NS_LIST (253), §M6.2: per namespace one list of records — `{ns, …}`,
 *   the `{keys, …}` records, the node tree (`{node, …}` 18-tuples, `{choice, …}`, `{case, …}`),
 *   `{root, FirstTopNodeN}`, `{parent, [{NodeN, ParentN}, …]}` — and `eof` after the last.
 * - LOAD_HASH_DB (231), §M6.4: the entry count first, then the `{NameAtom, Hash}` records, then `eof`.
 *
 * Numbering and order (the layout Java's MaapiSchemas documents and the 6.2.5 C library accepted):
 * data nodes are numbered 1.. in pre-order per namespace (top-level nodes of the namespace's module
 * and everything under them, augmented nodes of other modules included, carrying their own NsHash);
 * choices and cases take the numbers after the nodes. Records go out in reverse pre-order, so every
 * node a `FirstChildN`/`NextN` names was sent before the node naming it; a node's choice and case
 * records go just before the node itself (after its children, which they name).
 */
import { atom, binary, C_TYPE, int, list, tuple, type Term } from '../codec/index.js';
import type { Schema, SchemaCase, SchemaChoice, SchemaNamespace, SchemaNode } from './model.js';
import { valueToTerm } from './values.js';

/** `CS_NODE_*` flag bits (confd_lib.h) used in node records. */
export const CS_NODE_FLAGS = {
  IS_LIST: 1,
  IS_WRITE: 2,
  IS_CDB: 4,
  IS_CONTAINER: 256,
  IS_LEAF_LIST: 8192,
} as const;

/** Options of {@link loadAllNsFrames}. */
export interface LoadNsOptions {
  /** Only these namespace URIs (LOAD_NS_LIST, §M6.5); all namespaces when absent. */
  readonly uris?: readonly string[];
}

interface Numbering {
  readonly nodes: Map<SchemaNode, number>;
  readonly choices: Map<SchemaChoice, number>;
  readonly cases: Map<SchemaCase, number>;
  readonly keys: Map<SchemaNode, number>;
  /** Pre-order. */
  readonly order: SchemaNode[];
}

function walk(node: SchemaNode, out: SchemaNode[]): void {
  out.push(node);
  for (const c of node.children) walk(c, out);
}

function choicesOf(choices: readonly SchemaChoice[], out: SchemaChoice[]): void {
  for (const ch of choices) {
    out.push(ch);
    for (const cs of ch.cases) choicesOf(cs.choices ?? [], out);
  }
}

function numberNamespace(roots: readonly SchemaNode[]): Numbering {
  const order: SchemaNode[] = [];
  for (const r of roots) walk(r, order);
  const nodes = new Map(order.map((n, i) => [n, i + 1] as const));
  const choices = new Map<SchemaChoice, number>();
  const cases = new Map<SchemaCase, number>();
  let next = order.length + 1;
  for (const n of order) {
    const all: SchemaChoice[] = [];
    choicesOf(n.choices, all);
    for (const ch of all) {
      choices.set(ch, next++);
      for (const cs of ch.cases) cases.set(cs, next++);
    }
  }
  const keys = new Map<SchemaNode, number>();
  for (const n of order) if (n.kind === 'list' && n.keys !== undefined && n.keys.length > 0) keys.set(n, keys.size + 1);
  return { nodes, choices, cases, keys, order };
}

function siblingAfter<T>(items: readonly T[], item: T): T | undefined {
  const i = items.indexOf(item);
  return i < 0 ? undefined : items[i + 1];
}

function primType(node: SchemaNode): number {
  if (node.kind === 'leaf-list') return C_TYPE.LIST;
  if (node.kind === 'leaf') return node.type?.confdType ?? C_TYPE.BUF;
  return 0;
}

function flags(node: SchemaNode): number {
  let f = node.config ? CS_NODE_FLAGS.IS_WRITE | CS_NODE_FLAGS.IS_CDB : 0;
  if (node.kind === 'list') f |= CS_NODE_FLAGS.IS_LIST;
  if (node.kind === 'container') f |= CS_NODE_FLAGS.IS_CONTAINER;
  if (node.kind === 'leaf-list') f |= CS_NODE_FLAGS.IS_LEAF_LIST;
  return f;
}

function minOccurs(node: SchemaNode): number {
  if (node.kind === 'leaf') return node.mandatory === true || (node.parent?.keys?.includes(node.name) ?? false) ? 1 : 0;
  if (node.kind === 'list' || node.kind === 'leaf-list') return node.minElements ?? 0;
  return 0;
}

function maxOccurs(node: SchemaNode): number {
  if (node.kind === 'list' || node.kind === 'leaf-list') return node.maxElements ?? -1;
  return 1;
}

function defaultValue(node: SchemaNode): Term {
  if (node.kind !== 'leaf' || node.default === undefined || node.type === undefined) return atom('not_found');
  return valueToTerm(node.type, node.default, { leaf: node });
}

function nodeRecord(node: SchemaNode, num: Numbering, next: SchemaNode | undefined): Term {
  const first = node.children[0];
  const firstChoice = node.choices[0];
  return tuple(
    atom('node'),
    int(num.nodes.get(node)!),
    int(node.tagHash),
    int(node.ns.hash),
    int(num.keys.get(node) ?? 0),
    int(minOccurs(node)),
    int(maxOccurs(node)),
    int(primType(node)),
    int(0), // TypeNsHash: no named types are sent (§M6.2: 0 / '' accepted)
    atom(''),
    defaultValue(node),
    int(flags(node)),
    int(first === undefined ? 0 : num.nodes.get(first)!),
    int(next === undefined ? 0 : num.nodes.get(next)!),
    int(firstChoice === undefined ? 0 : num.choices.get(firstChoice)!),
    int(0), // Cmp: normal
    list([]), // MetaData
    list([]), // MountId
  );
}

/** Choice and case records of the choices in `choices` (and nested ones), each after what it names. */
function choiceRecords(parent: SchemaNode, choices: readonly SchemaChoice[], num: Numbering, out: Term[]): void {
  const parentN = num.nodes.get(parent)!;
  for (let i = choices.length - 1; i >= 0; i--) {
    const ch = choices[i]!;
    for (let j = ch.cases.length - 1; j >= 0; j--) {
      const cs = ch.cases[j]!;
      const nested = cs.choices ?? [];
      choiceRecords(parent, nested, num, out);
      const positions = cs.nodes.map((n) => parent.children.indexOf(n)).filter((p) => p >= 0);
      const firstNode = positions.length === 0 ? undefined : parent.children[Math.min(...positions)];
      const lastNode = positions.length === 0 ? undefined : parent.children[Math.max(...positions)];
      const nextCase = ch.cases[j + 1];
      out.push(
        tuple(
          atom('case'),
          int(parentN),
          int(num.cases.get(cs)!),
          int(cs.tagHash),
          int((cs.ns ?? ch.ns ?? parent.ns).hash),
          int(firstNode === undefined ? 0 : num.nodes.get(firstNode)!),
          int(lastNode === undefined ? 0 : num.nodes.get(lastNode)!),
          int(nextCase === undefined ? 0 : num.cases.get(nextCase)!),
          int(nested[0] === undefined ? 0 : num.choices.get(nested[0])!),
        ),
      );
    }
    const defaultCase = ch.defaultCase === undefined ? undefined : ch.cases.find((c) => c.name === ch.defaultCase);
    const nextChoice = choices[i + 1];
    out.push(
      tuple(
        atom('choice'),
        int(parentN),
        int(num.choices.get(ch)!),
        int(ch.tagHash),
        int((ch.ns ?? parent.ns).hash),
        int(ch.mandatory === true ? 1 : 0),
        int(defaultCase === undefined ? 0 : num.cases.get(defaultCase)!),
        int(ch.cases[0] === undefined ? 0 : num.cases.get(ch.cases[0])!),
        int(nextChoice === undefined ? 0 : num.choices.get(nextChoice)!),
      ),
    );
  }
}

/**
 * The records of one namespace, in the order §M6.2 requires (`ns` first, `parent` last).
 * @example
 *   namespaceRecords(schema, schema.namespaces[0]!) // [{ns,…},{keys,1,[…]},{node,5,…},…,{root,1},{parent,[…]}]
 */
export function namespaceRecords(schema: Schema, ns: SchemaNamespace): Term[] {
  const roots = schema.roots.filter((r) => r.ns === ns);
  const num = numberNamespace(roots);
  const out: Term[] = [
    tuple(atom('ns'), atom(ns.uri), atom(ns.prefix), int(ns.hash), ns.revision === undefined ? atom('') : binary(ns.revision), binary(ns.module)),
  ];
  for (const [n, k] of num.keys) out.push(tuple(atom('keys'), int(k), list(n.keys!.map((name) => int(n.children.find((c) => c.name === name)!.tagHash)))));
  for (let i = num.order.length - 1; i >= 0; i--) {
    const node = num.order[i]!;
    choiceRecords(node, node.choices, num, out);
    out.push(nodeRecord(node, num, siblingAfter(node.parent === undefined ? roots : node.parent.children, node)));
  }
  out.push(tuple(atom('root'), int(roots[0] === undefined ? 0 : num.nodes.get(roots[0])!)));
  out.push(
    tuple(
      atom('parent'),
      list(num.order.filter((n) => n.parent !== undefined).map((n) => tuple(int(num.nodes.get(n)!), int(num.nodes.get(n.parent!)!)))),
    ),
  );
  return out;
}

/**
 * The LOAD_ALL_NS (or LOAD_NS_LIST) reply stream: one frame (a list of records) per namespace, then
 * `eof` (§M6.2). An empty schema gives `eof` alone, which the C library accepts.
 * @example
 *   for (const t of loadAllNsFrames(schema)) socket.write(encodeFrame(t))
 */
export function loadAllNsFrames(schema: Schema, options: LoadNsOptions = {}): Term[] {
  const wanted = options.uris === undefined ? undefined : new Set(options.uris);
  const frames = schema.namespaces.filter((ns) => wanted === undefined || wanted.has(ns.uri)).map((ns) => list(namespaceRecords(schema, ns)));
  return [...frames, atom('eof')];
}

/**
 * The LOAD_HASH_DB reply stream (§M6.4): the entry count, the `{NameAtom, Hash}` records as one list
 * (left out when there are none: `0, eof` is what the C library accepted), then `eof`.
 * @example
 *   loadHashDbFrames(schema) // [5, [{sys,…},{host,…},…], eof]
 */
export function loadHashDbFrames(schema: Schema): Term[] {
  const entries = [...schema.hashes].map(([name, hash]) => tuple(atom(name), int(hash)));
  return entries.length === 0 ? [int(0), atom('eof')] : [int(entries.length), list(entries), atom('eof')];
}
