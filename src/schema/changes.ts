/**
 * Declared transactions against a `Schema`: the changes and data a scenario's commit-diff step (or
 * a test) writes as text — `{ path: /mk:sys/host{h1}/port, op: value-set, value: 22 }` — resolved
 * to keypaths and typed values. The scenario loader calls these to report a bad path or value at
 * its file:line:col when the scenario loads; the MAAPI server builds its diff items (MAAPI.md §M4.3)
 * and data tree (§M5) from what they return. One place decides what a change may say.
 */
import { atom, binary, int, tuple, type Term } from '../codec/index.js';
import { SchemaError } from './errors.js';
import { listKeys, parseKeypath, type KeyValue, type ResolvedKeypath } from './keypath.js';
import type { Schema } from './model.js';
import { valueToTerm } from './values.js';

/** The change ops as scenarios write them, in `MOP_*` order (MAAPI.md §M4.3: 1 created … 6 attr-set). */
export const CHANGE_OPS = ['created', 'deleted', 'modified', 'value-set', 'moved-after', 'attr-set'] as const;

/** A change op as scenarios write it. */
export type ChangeOp = (typeof CHANGE_OPS)[number];

/** One declared change, as a scenario writes it. */
export interface DeclaredChange {
  /** `/mk:sys/host{h1}/address`. */
  readonly path: string;
  readonly op: ChangeOp;
  /**
   * `value-set`: the new value (typed by the leaf). `moved-after`: the keys of the entry it now
   * follows (`h1`, or a list for several keys); absent = moved first. `attr-set`:
   * `{ attr: <attribute hash>, value: <text> }` (value absent = the attribute was deleted).
   */
  readonly value?: unknown;
  /** Accepted and kept for reports; never sent (MAAPI.md §M4.3: OldValue is always `undefined`). */
  readonly 'old-value'?: unknown;
}

/** A declared change resolved against the schema. */
export interface TypedChange {
  readonly op: ChangeOp;
  readonly keypath: ResolvedKeypath;
  /**
   * The diff item's NewValue (§M4.3): the typed leaf value of a value-set, the key tuple of the entry
   * a moved entry now follows, `{Attr, Value}` of an attr-set; undefined where NSO sends `undefined`.
   */
  readonly newValue?: Term;
  /** moved-after: the keys of the entry it now follows; undefined = moved first. */
  readonly after?: readonly KeyValue[];
}

/** A declared data entry resolved against the schema. */
export interface TypedDataEntry {
  readonly keypath: ResolvedKeypath;
  /** A leaf's value, a leaf-list's values; undefined for a list entry or container (it exists). */
  readonly value?: Term | readonly Term[];
}

function fieldError(field: 'op' | 'path' | 'value', path: string, reason: string, cause?: unknown): never {
  throw new SchemaError('NSOMOCK_SCHEMA_VALUE', 'type a declared change', reason, { path, field }, cause);
}

/** Re-throws a SchemaError of the keypath or value step with the field it belongs to. */
function within<T>(field: 'path' | 'value', path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof SchemaError) || e.details.field !== undefined) throw e;
    return fieldError(field, path, e.reason, e);
  }
}

/** A scenario value (a YAML scalar) as the text `valueToTerm` reads. */
function scalarText(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return fieldError('value', path, `a value is a string, number or boolean, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
}

function resolvePath(schema: Schema, path: unknown): ResolvedKeypath {
  if (typeof path !== 'string') return fieldError('path', String(path), `a path is text like /mk:sys/host{h1}/address, got ${typeof path}`);
  return within('path', path, () => parseKeypath(path, schema));
}

/**
 * Resolves one declared change: its path against the schema, its value by the leaf's type.
 * @example
 *   typeChange(schema, { path: '/mk:sys/host{h1}/port', op: 'value-set', value: 22 }).newValue // {11,22}
 * @throws SchemaError `NSOMOCK_SCHEMA_VALUE` with `details.field` (`op`, `path` or `value`) and the reason
 */
export function typeChange(schema: Schema, change: DeclaredChange): TypedChange {
  if (!(CHANGE_OPS as readonly string[]).includes(change.op)) {
    fieldError('op', String(change.path), `op is one of ${CHANGE_OPS.join(', ')}, got ${JSON.stringify(change.op)}`);
  }
  const keypath = resolvePath(schema, change.path);
  const last = keypath.steps[keypath.steps.length - 1]!;
  const node = keypath.target;
  return within('value', keypath.text, (): TypedChange => {
    switch (change.op) {
      case 'created':
      case 'deleted':
      case 'modified':
        return { op: change.op, keypath };
      case 'value-set':
        if (node.kind !== 'leaf' && node.kind !== 'leaf-list') return fieldError('value', keypath.text, `value-set is for a leaf; '${node.name}' is a ${node.kind}`);
        if (change.value === undefined) return fieldError('value', keypath.text, 'value-set needs a value');
        return { op: change.op, keypath, newValue: valueToTerm(node.type!, scalarText(change.value, keypath.text), { leaf: node, path: keypath.text }) };
      case 'moved-after': {
        if (last.keys === undefined) return fieldError('path', keypath.text, 'moved-after is for a list entry (a path ending in {keys})');
        if (change.value === undefined || change.value === null) return { op: change.op, keypath };
        const texts = Array.isArray(change.value) ? change.value.map((v) => scalarText(v, keypath.text)) : scalarText(change.value, keypath.text).split(' ');
        const after = listKeys(node, texts, keypath.text);
        return { op: change.op, keypath, newValue: tuple(...after.map((k) => k.term)), after };
      }
      case 'attr-set': {
        const v = change.value as { attr?: unknown; value?: unknown } | undefined;
        if (typeof v !== 'object' || v === null || typeof v.attr !== 'number') return fieldError('value', keypath.text, 'attr-set needs value: { attr: <attribute hash>, value: <text> }');
        // §M4.3 [INF]: `{Attr, Value}`, the attribute's value as text (C_BUF); deleted = `not_found`.
        const value = v.value === undefined || v.value === null ? atom('not_found') : binary(scalarText(v.value, keypath.text));
        return { op: change.op, keypath, newValue: tuple(int(v.attr), value) };
      }
      default: {
        const never: never = change.op;
        return fieldError('op', keypath.text, `unknown op ${String(never)}`);
      }
    }
  });
}

/**
 * Resolves one declared data entry (`path: value`): a leaf's value typed by the leaf, a leaf-list's
 * values (a list or one scalar), `null` or `{}` for a list entry or container that exists.
 * @example
 *   typeDataEntry(schema, '/mk:sys/host{h1}/address', '10.0.0.1').value // {10,0,0,1}
 * @throws SchemaError `NSOMOCK_SCHEMA_VALUE` with `details.field` (`path` or `value`) and the reason
 */
export function typeDataEntry(schema: Schema, path: string, value: unknown): TypedDataEntry {
  const keypath = resolvePath(schema, path);
  const node = keypath.target;
  return within('value', keypath.text, (): TypedDataEntry => {
    const typed = (v: unknown): Term => valueToTerm(node.type!, scalarText(v, keypath.text), { leaf: node, path: keypath.text });
    if (node.kind === 'leaf') return { keypath, value: typed(value) };
    if (node.kind === 'leaf-list') return { keypath, value: (Array.isArray(value) ? value : [value]).map(typed) };
    if (value !== null && value !== undefined && !(typeof value === 'object' && Object.keys(value).length === 0)) {
      const what = node.kind === 'list' ? 'entry' : 'container';
      return fieldError('value', keypath.text, `'${node.name}' is a ${node.kind}: give its leaves as paths of their own, and null or {} for the ${what} itself`);
    }
    if (node.kind === 'list' && keypath.steps[keypath.steps.length - 1]!.keys === undefined) return fieldError('path', keypath.text, `a list entry needs its keys: ${keypath.text}{...}`);
    return { keypath };
  });
}
