/**
 * A transaction MAAPI clients attach to (MAAPI.md §M3): the ordered changes `diff_iterate` streams
 * (§M4) and the data reads see (§M5), compiled once against the schema from what a scenario's
 * commit-diff step (or a test) declares. Paths and values are the schema layer's (`typeChange`,
 * `typeDataEntry`), so a scenario is checked by the same rules when it loads.
 */
import { atom, int, NsoMockError, tuple, type Term } from '../codec/index.js';
import { keypathToTerm, SchemaError, typeChange, typeDataEntry, type ChangeOp, type DeclaredChange, type ResolvedKeypath, type Schema } from '../schema/index.js';
import { DataTree } from './data-tree.js';
import { MOP } from './op-codes.js';

/** One declared change, as a scenario writes it (the schema layer's `DeclaredChange`). */
export type MaapiChangeInput = DeclaredChange;

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

/** Segment texts (`host{h1}`) of a keypath, for the iteration order of diff items (§M4.2). */
function segments(kp: ResolvedKeypath): string[] {
  return kp.steps.map((s) => `${s.node.ns.hash}:${s.node.name}${s.keys === undefined ? '' : `{${s.keys.map((k) => k.text).join('\u0000')}}`}`);
}

/**
 * Compiles a declared transaction against the schema.
 * @example compileTransaction(schema, { th: 17, changes: [{ path: '/mk:sys/host{h1}/address', op: 'value-set', value: '10.0.0.1' }] })
 * @throws NsoMockError `NSOMOCK_MAAPI_TRANSACTION` naming the field (`changes[2].path`, `data["/mk:sys/x"]`) and the reason
 */
export function compileTransaction(schema: Schema, input: MaapiTransactionInput): MaapiTransaction {
  const items: DiffItem[] = [];
  const implied = new DataTree();
  (input.changes ?? []).forEach((change, i) => {
    const typed = guard(input.th, (field) => `changes[${i}].${field}`, () => typeChange(schema, change));
    const steps = typed.keypath.steps;
    switch (typed.op) {
      case 'value-set':
        implied.set(steps, typed.newValue!);
        break;
      case 'created':
        implied.create(steps);
        break;
      case 'deleted':
        implied.delete(steps);
        break;
      case 'moved-after':
        implied.move(steps, typed.after);
        break;
      case 'modified':
      case 'attr-set':
        break;
      default: {
        const never: never = typed.op;
        throw new TypeError(`unknown op ${String(never)}`);
      }
    }
    items.push({
      op: typed.op,
      path: typed.keypath.text,
      segments: segments(typed.keypath),
      term: tuple(keypathToTerm(typed.keypath), int(MOP[typed.op]), UNDEFINED, typed.newValue ?? UNDEFINED),
    });
  });
  return { th: input.th, items, data: input.data === undefined ? implied : compileData(schema, input.th, input.data) };
}

function compileData(schema: Schema, th: number, data: Readonly<Record<string, unknown>>): DataTree {
  const tree = new DataTree();
  for (const [key, value] of Object.entries(data)) {
    const entry = guard(th, () => `data[${JSON.stringify(key)}]`, () => typeDataEntry(schema, key, value));
    if (entry.value === undefined) tree.create(entry.keypath.steps);
    else tree.set(entry.keypath.steps, entry.value);
  }
  return tree;
}

function guard<T>(th: number, at: (field: string) => string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    const field = at(e.details.field ?? 'path');
    throw new NsoMockError('NSOMOCK_MAAPI_TRANSACTION', `Failed to compile transaction ${th}: ${e.reason} (${field})`, { details: { th, field, reason: e.reason }, cause: e });
  }
}
