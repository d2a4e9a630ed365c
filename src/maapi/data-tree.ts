/**
 * The configuration an attached transaction reads (MAAPI.md §M5): an ordered tree of containers,
 * list entries (in insertion order, as `moved-after` leaves them) and leaf values in wire form.
 */
import { list, type Term } from '../codec/index.js';
import type { KeyValue, KeypathStep, SchemaNode } from '../schema/index.js';

/** A path as the tree walks it: a resolved keypath's steps, top first. */
type Steps = readonly KeypathStep[];

type Instance = Map<string, Child>;
interface Entry {
  readonly keys: readonly KeyValue[];
  readonly instance: Instance;
}
type Child =
  | { readonly kind: 'leaf'; value: Term }
  | { readonly kind: 'leaf-list'; values: Term[] }
  | { readonly kind: 'container'; readonly instance: Instance }
  | { readonly kind: 'list'; readonly entries: Map<string, Entry> };

/** Where a node's data lives in its parent instance (names can repeat across namespaces: augment). */
function slot(node: SchemaNode): string {
  return `${node.ns.hash}:${node.name}`;
}

/** Entries are told apart by their keys' canonical texts (the schema layer types both declared and requested keys). */
function entryKey(keys: readonly KeyValue[]): string {
  return keys.map((k) => k.text).join('\u0000');
}

function isTermList(value: Term | readonly Term[]): value is readonly Term[] {
  return Array.isArray(value);
}

/** A list entry found by a cursor: its keys as text and as typed values. */
export interface EntryKeys {
  readonly keys: readonly string[];
  readonly typed: readonly Term[];
}

export class DataTree {
  readonly #root: Instance = new Map();

  /** Creates the containers and list entries along `path` (entry key leaves included). */
  create(path: Steps): void {
    this.#walk(path, true);
  }

  /** Sets a leaf (or a leaf-list's values), creating what lies above it. */
  set(path: Steps, value: Term | readonly Term[]): void {
    const last = path[path.length - 1];
    if (last === undefined) return;
    const parent = this.#walk(path.slice(0, -1), true);
    if (parent === undefined) return;
    if (isTermList(value)) parent.set(slot(last.node), { kind: 'leaf-list', values: [...value] });
    else parent.set(slot(last.node), { kind: 'leaf', value });
  }

  /** Removes the node at `path` (an entry, a container, a leaf) and everything below it. */
  delete(path: Steps): void {
    const last = path[path.length - 1];
    if (last === undefined) return;
    const parent = this.#walk(path.slice(0, -1), false);
    if (parent === undefined) return;
    const child = parent.get(slot(last.node));
    if (child === undefined) return;
    if (last.keys !== undefined && child.kind === 'list') child.entries.delete(entryKey(last.keys));
    else parent.delete(slot(last.node));
  }

  /** Moves a list entry to follow `after` (or to the front when undefined), as MOP_MOVED_AFTER says. */
  move(path: Steps, after: readonly KeyValue[] | undefined): void {
    const last = path[path.length - 1];
    if (last?.keys === undefined) return;
    const parent = this.#walk(path.slice(0, -1), true);
    const child = parent?.get(slot(last.node));
    if (child?.kind !== 'list') return;
    const moving = child.entries.get(entryKey(last.keys));
    if (moving === undefined) return;
    const rest = [...child.entries.entries()].filter(([k]) => k !== entryKey(last.keys!));
    const at = after === undefined ? 0 : rest.findIndex(([k]) => k === entryKey(after)) + 1;
    rest.splice(at, 0, [entryKey(last.keys), moving]);
    child.entries.clear();
    for (const [k, v] of rest) child.entries.set(k, v);
  }

  /** Whether the node at `path` exists (a leaf with a value, an entry, a container with data). */
  exists(path: Steps): boolean {
    const last = path[path.length - 1];
    if (last === undefined) return false;
    const parent = this.#walk(path.slice(0, -1), false);
    const child = parent?.get(slot(last.node));
    if (child === undefined) return this.#isKeyLeaf(path);
    if (last.keys !== undefined) return child.kind === 'list' && child.entries.has(entryKey(last.keys));
    return true;
  }

  /** A leaf's value (a leaf-list's as a list), or undefined. Key leaves of an existing entry come from its keys. */
  get(path: Steps): Term | undefined {
    const last = path[path.length - 1];
    if (last === undefined) return undefined;
    const parent = this.#walk(path.slice(0, -1), false);
    const child = parent?.get(slot(last.node));
    if (child?.kind === 'leaf') return child.value;
    if (child?.kind === 'leaf-list') return list(child.values);
    if (child === undefined && this.#isKeyLeaf(path)) {
      const entry = path[path.length - 2]!;
      const i = (entry.node.keys ?? []).indexOf(last.node.name);
      return entry.keys?.[i]?.term;
    }
    return undefined;
  }

  /** The entries of the list at `path` (its last step without keys), in order. */
  entries(path: Steps): EntryKeys[] {
    const last = path[path.length - 1];
    if (last === undefined) return [];
    const parent = this.#walk(path.slice(0, -1), false);
    const child = parent?.get(slot(last.node));
    if (child?.kind !== 'list') return [];
    return [...child.entries.values()].map((e) => ({ keys: e.keys.map((k) => k.text), typed: e.keys.map((k) => k.term) }));
  }

  /** Whether an entry or container at `path` exists as an instance (for get_object). */
  instance(path: Steps): boolean {
    return path.length > 0 && this.#walk(path, false) !== undefined;
  }

  #isKeyLeaf(path: Steps): boolean {
    const last = path[path.length - 1];
    const entry = path[path.length - 2];
    if (last === undefined || entry?.keys === undefined) return false;
    return (entry.node.keys ?? []).includes(last.node.name) && this.#walk(path.slice(0, -1), false) !== undefined;
  }

  /** The instance at the end of `path` (a container or an entry); undefined when absent and not creating. */
  #walk(path: Steps, create: boolean): Instance | undefined {
    let here: Instance = this.#root;
    for (const step of path) {
      const key = slot(step.node);
      let child = here.get(key);
      if (step.node.kind === 'list') {
        if (step.keys === undefined) return undefined;
        if (child === undefined) {
          if (!create) return undefined;
          child = { kind: 'list', entries: new Map() };
          here.set(key, child);
        }
        if (child.kind !== 'list') return undefined;
        let entry = child.entries.get(entryKey(step.keys));
        if (entry === undefined) {
          if (!create) return undefined;
          entry = { keys: step.keys, instance: new Map() };
          child.entries.set(entryKey(step.keys), entry);
        }
        here = entry.instance;
        continue;
      }
      if (step.node.kind !== 'container') return undefined;
      if (child === undefined) {
        if (!create) return undefined;
        child = { kind: 'container', instance: new Map() };
        here.set(key, child);
      }
      if (child.kind !== 'container') return undefined;
      here = child.instance;
    }
    return here;
  }
}
