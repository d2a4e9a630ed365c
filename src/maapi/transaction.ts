/**
 * A transaction MAAPI clients attach to (MAAPI.md §M3): the ordered changes `diff_iterate` streams
 * (§M4) and the data reads see (§M5), compiled once against the schema from what a scenario's
 * commit-diff step (or a test) declares.
 */
import { atom, int, NsoMockError, tuple, type Term } from '../codec/index.js';
import type { Schema } from '../schema/index.js';
import { DataTree } from './data-tree.js';
import { formatResolved, hashedKeypath, keyTerms, parseTextPath, PathProblem, resolveTextPath, segments, type ResolvedPath } from './keypath.js';
import { CHANGE_OPS, MOP, type ChangeOp } from './op-codes.js';
import { inputText, typeValue, ValueProblem } from './values.js';

/** One declared change, as a scenario writes it. */
export interface MaapiChangeInput {
  /** `/mk:sys/host{h1}/address`. */
  readonly path: string;
  readonly op: ChangeOp;
  /**
   * `value-set`: the new value (typed by the leaf). `moved-after`: the keys of the entry it now
   * follows (`h1`, or a list for several keys); absent = moved first. `attr-set`:
   * `{ attr: <attribute hash>, value: <text> }` (value absent = the attribute was deleted).
   */
  readonly value?: unknown;
  /** Accepted and kept for the report; never sent (§M4.3: OldValue is always `undefined`). */
  readonly 'old-value'?: unknown;
}

/** What a transaction declares. */
export interface MaapiTransactionInput {
  readonly th: number;
  readonly changes?: readonly MaapiChangeInput[];
  /**
   * The configuration reads see, as `path: value` (leaves; a list for a leaf-list; `null` or `{}` for
   * an entry or presence container without leaves). Default: what the changes imply.
   */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** One diff item, ready to send (§M4.3). */
export interface DiffItem {
  readonly op: ChangeOp;
  readonly path: string;
  /** Segment texts top first (iteration order for CONTINUE / UP, §M4.2). */
  readonly segments: readonly string[];
  /** `{HKeypath, Op, undefined, NewValue}`. */
  readonly term: Term;
}

/** A compiled transaction. */
export interface MaapiTransaction {
  readonly th: number;
  readonly items: readonly DiffItem[];
  readonly data: DataTree;
}

const UNDEFINED = atom('undefined');

/**
 * Compiles a declared transaction against the schema.
 * @example compileTransaction(schema, { th: 17, changes: [{ path: '/mk:sys/host{h1}/address', op: 'value-set', value: '10.0.0.1' }] })
 * @throws NsoMockError `NSOMOCK_MAAPI_TRANSACTION` naming the field (`changes[2].path`, `data["/mk:sys/x"]`) and the reason
 */
export function compileTransaction(schema: Schema, input: MaapiTransactionInput): MaapiTransaction {
  const changes = input.changes ?? [];
  const items: DiffItem[] = [];
  const implied = new DataTree();
  changes.forEach((change, i) => {
    const at = (field: string): string => `changes[${i}]${field}`;
    if (!CHANGE_OPS.includes(change.op)) fail(input.th, at('.op'), `op is one of ${CHANGE_OPS.join(', ')}, got ${JSON.stringify(change.op)}`);
    const path = resolve(schema, input.th, at('.path'), change.path);
    const last = path[path.length - 1]!;
    let newValue: Term = UNDEFINED;
    guard(input.th, at('.value'), () => {
      switch (change.op) {
        case 'value-set':
          if (last.node.kind !== 'leaf' && last.node.kind !== 'leaf-list') throw new ValueProblem(`value-set is for a leaf; ${last.node.name} is a ${last.node.kind}`);
          if (change.value === undefined) throw new ValueProblem('value-set needs a value');
          newValue = typeValue(last.node.type, inputText(change.value));
          implied.set(path, newValue);
          return;
        case 'created':
          implied.create(path);
          return;
        case 'deleted':
          implied.delete(path);
          return;
        case 'modified':
          return;
        case 'moved-after': {
          if (last.keys === undefined) throw new ValueProblem('moved-after is for a list entry (a path ending in {keys})');
          if (change.value === undefined || change.value === null) {
            implied.move(path, undefined);
            return;
          }
          const keys = (Array.isArray(change.value) ? change.value : String(change.value).split(' ')).map(inputText);
          newValue = tuple(...keyTerms({ node: last.node, keys }));
          implied.move(path, keys);
          return;
        }
        case 'attr-set': {
          const v = change.value as { attr?: unknown; value?: unknown } | undefined;
          if (typeof v !== 'object' || v === null || typeof v.attr !== 'number') throw new ValueProblem('attr-set needs value: { attr: <attribute hash>, value: <text> }');
          newValue = tuple(int(v.attr), v.value === undefined || v.value === null ? atom('not_found') : typeValue(undefined, inputText(v.value)));
          return;
        }
        default: {
          const never: never = change.op;
          throw new ValueProblem(`unknown op ${String(never)}`);
        }
      }
    });
    items.push({
      op: change.op,
      path: formatResolved(path),
      segments: segments(path),
      term: tuple(hashedKeypath(path), int(MOP[change.op]), UNDEFINED, newValue),
    });
  });
  return { th: input.th, items, data: input.data === undefined ? implied : compileData(schema, input.th, input.data) };
}

function compileData(schema: Schema, th: number, data: Readonly<Record<string, unknown>>): DataTree {
  const tree = new DataTree();
  for (const [key, value] of Object.entries(data)) {
    const at = `data[${JSON.stringify(key)}]`;
    const path = resolve(schema, th, at, key);
    const node = path[path.length - 1]!.node;
    guard(th, at, () => {
      if (node.kind === 'leaf') {
        tree.set(path, typeValue(node.type, inputText(value)));
      } else if (node.kind === 'leaf-list') {
        const values = Array.isArray(value) ? value : [value];
        tree.set(path, values.map((v) => typeValue(node.type, inputText(v))));
      } else {
        if (value !== null && value !== undefined && !(typeof value === 'object' && Object.keys(value).length === 0)) {
          throw new ValueProblem(`${node.name} is a ${node.kind}: give its leaves as paths of their own, and null or {} for the ${node.kind === 'list' ? 'entry' : 'container'} itself`);
        }
        if (node.kind === 'list' && path[path.length - 1]!.keys === undefined) throw new ValueProblem(`a list entry needs its keys: ${key}{...}`);
        tree.create(path);
      }
    });
  }
  return tree;
}

function resolve(schema: Schema, th: number, field: string, path: unknown): ResolvedPath {
  if (typeof path !== 'string') fail(th, field, `a path is text like /mk:sys/host{h1}/address, got ${typeof path}`);
  try {
    parseTextPath(path);
    return resolveTextPath(schema, path);
  } catch (e) {
    if (e instanceof PathProblem) fail(th, field, e.message);
    throw e;
  }
}

function guard(th: number, field: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValueProblem || e instanceof PathProblem) fail(th, field, e.message);
    throw e;
  }
}

function fail(th: number, field: string, reason: string): never {
  throw new NsoMockError('NSOMOCK_MAAPI_TRANSACTION', `Failed to compile transaction ${th}: ${reason} (${field})`, { details: { th, field, reason } });
}
