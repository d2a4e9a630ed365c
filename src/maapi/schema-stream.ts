/**
 * Schema loading over the socket (MAAPI.md §M6): the record streams of LOAD_ALL_NS (232, §M6.2),
 * LOAD_MNS_MAPS (264, §M6.3) and LOAD_HASH_DB (231, §M6.4), built from the schema model. Kept here
 * until the schema layer's record-stream functions are merged (redirect `loadAllNsItems` /
 * `hashDbItems` then).
 */
import { atom, binary, int, list, tuple, type Term } from '../codec/index.js';
import type { Schema, SchemaNamespace, SchemaNode } from '../schema/index.js';
import { typeValue } from './values.js';

/** `CS_NODE_*` flags (§M6.2). */
const FLAG = { LIST: 1, WRITE: 2, CDB: 4, CONTAINER: 256, LEAF_LIST: 8192 } as const;

export const EOF_TERM: Term = atom('eof');

/**
 * The items of LOAD_ALL_NS (or LOAD_NS_LIST for `uris`): one frame per namespace holding
 * `[{ns,…}, {keys,…}…, {node,…}…, {root,N}, {parent,[…]}]`, nodes numbered in document order
 * and sent children and later siblings first (§M6.2), then `eof`.
 */
export function loadAllNsItems(schema: Schema, uris?: ReadonlySet<string>): Term[] {
  const items: Term[] = [];
  for (const ns of schema.namespaces) {
    if (uris !== undefined && !uris.has(ns.uri)) continue;
    items.push(list(namespaceRecords(ns, schema.roots.filter((r) => r.ns === ns))));
  }
  items.push(EOF_TERM);
  return items;
}

interface Numbered {
  readonly node: SchemaNode;
  readonly n: number;
  readonly parent: number;
  next: number;
  firstChild: number;
  keyN: number;
}

function namespaceRecords(ns: SchemaNamespace, roots: readonly SchemaNode[]): Term[] {
  const numbered: Numbered[] = [];
  const keys: Term[] = [];
  const visit = (siblings: readonly SchemaNode[], parent: number): number => {
    let previous: Numbered | undefined;
    let first = 0;
    for (const node of siblings) {
      const entry: Numbered = { node, n: numbered.length + 1, parent, next: 0, firstChild: 0, keyN: 0 };
      numbered.push(entry);
      if (first === 0) first = entry.n;
      if (previous !== undefined) previous.next = entry.n;
      previous = entry;
      if (node.kind === 'list' && (node.keys?.length ?? 0) > 0) {
        entry.keyN = keys.length + 1;
        const hashes = (node.keys ?? []).map((k) => int(node.children.find((c) => c.name === k)?.tagHash ?? 0));
        keys.push(tuple(atom('keys'), int(entry.keyN), list(hashes)));
      }
      entry.firstChild = visit(node.children, entry.n);
    }
    return first;
  };
  const firstTop = visit(roots, 0);
  const nodes = [...numbered].reverse().map(nodeRecord);
  const parents = numbered.filter((e) => e.parent !== 0).map((e) => tuple(int(e.n), int(e.parent)));
  return [
    tuple(atom('ns'), atom(ns.uri), atom(ns.prefix), int(ns.hash), binary(ns.revision ?? ''), binary(ns.module)),
    ...keys,
    ...nodes,
    tuple(atom('root'), int(firstTop)),
    tuple(atom('parent'), list(parents)),
  ];
}

function nodeRecord(e: Numbered): Term {
  const node = e.node;
  const config = node.config ? FLAG.WRITE | FLAG.CDB : 0;
  const parentList = node.parent?.kind === 'list' ? node.parent : undefined;
  const isKey = parentList?.keys?.includes(node.name) ?? false;
  let min = 0;
  let max = 1;
  let flags = config;
  let prim = 0;
  switch (node.kind) {
    case 'container':
      flags |= FLAG.CONTAINER;
      break;
    case 'list':
      flags |= FLAG.LIST;
      min = node.minElements ?? 0;
      max = node.maxElements ?? -1; // §M6.2: −1 = unbounded
      break;
    case 'leaf':
      prim = node.type?.confdType ?? 5;
      min = isKey ? 1 : 0;
      break;
    case 'leaf-list':
      flags |= FLAG.LEAF_LIST;
      prim = node.type?.confdType ?? 5;
      min = node.minElements ?? 0;
      max = node.maxElements ?? -1;
      break;
    default: {
      const never: never = node.kind;
      throw new TypeError(`unknown node kind ${String(never)}`);
    }
  }
  let defVal: Term = atom('not_found');
  if (node.default !== undefined && node.kind === 'leaf') {
    try {
      defVal = typeValue(node.type, node.default);
    } catch {
      defVal = binary(node.default);
    }
  }
  return tuple(
    atom('node'),
    int(e.n),
    int(node.tagHash),
    int(node.ns.hash),
    int(e.keyN),
    int(min),
    int(max),
    int(prim),
    int(0), // TypeNsHash: no named type (accepted, §M6.2)
    atom(''), // TypeName
    defVal,
    int(flags),
    int(e.firstChild),
    int(e.next),
    int(0), // FirstChoiceN: choice children are flattened into the node list (docs/maapi.md)
    int(0), // Cmp
    list([]), // MetaData
    list([]), // MountId
  );
}

/** The items of LOAD_HASH_DB (§M6.4): the entry count first (C requires it), the `{Name, Hash}` list, `eof`. */
export function hashDbItems(schema: Schema): Term[] {
  const entries = [...schema.hashes.entries()].map(([name, hash]) => tuple(atom(name), int(hash)));
  return entries.length === 0 ? [int(0), EOF_TERM] : [int(entries.length), list(entries), EOF_TERM];
}

/** LOAD_MNS_MAPS (§M6.3): the mock has no mount points, so only `eof`. */
export function mountMapItems(): Term[] {
  return [EOF_TERM];
}
