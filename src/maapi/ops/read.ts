/**
 * Reads in the attached transaction (MAAPI.md §M5): EXISTS 164, NUM_INSTANCES 165, GET_ELEM 166,
 * GET_OBJECT 176, GET_VALUES 194. [UNK] whether NSO requires the attach on the same socket: the
 * mock serves any pending transaction (the capture's library read without attaching).
 */
import { atom, int, isAtom, list, tuple, type Term } from '../../codec/index.js';
import { keypathFromTerm, SchemaError, type KeypathStep, type ResolvedKeypath, type SchemaNode } from '../../schema/index.js';
import type { OpContext, OpHandler } from '../context.js';
import { MAAPI_ERR } from '../op-codes.js';
import type { MaapiTransaction } from '../transaction.js';

const NOT_FOUND = atom('not_found');

/** The pending transaction of the request's th and the resolved request path; on failure the error reply is sent. */
export function readTarget(ctx: OpContext, pathTerm: Term | undefined): { transaction: MaapiTransaction; path: ResolvedKeypath } | undefined {
  const th = ctx.request.th ?? 0;
  const found = ctx.transaction(th);
  if (found.state !== 'pending') {
    // §M5 [UNK 61 or 1]: NOTRANS, naming why.
    ctx.error(MAAPI_ERR.NOTRANS, found.state === 'finished' ? `transaction ${th} is finished (its diff-done ack arrived)` : `no transaction ${th}`);
    return undefined;
  }
  if (pathTerm === undefined) {
    ctx.error(MAAPI_ERR.PROTOUSAGE, 'expected a path term (MAAPI.md §M5)');
    return undefined;
  }
  try {
    return { transaction: found.transaction, path: keypathFromTerm(pathTerm, ctx.schema) };
  } catch (e) {
    // §M1.3 suggestion: an unknown path (or a key that does not fit its type) → BADPATH (8).
    if (!(e instanceof SchemaError)) throw e;
    ctx.error(MAAPI_ERR.BADPATH, `bad path: ${e.reason}`);
    return undefined;
  }
}

/** §M5: Value, or error 1 `{<<"/path not found",0>>, ''}` (the capture's second form, which names the path). */
export const getElem: OpHandler = (ctx) => {
  const target = readTarget(ctx, ctx.request.term);
  if (target === undefined) return;
  const value = target.transaction.data.get(target.path.steps);
  if (value === undefined) {
    ctx.error(MAAPI_ERR.NOEXISTS, `${target.path.text} not found`, '');
    return;
  }
  ctx.ok(value, target.path.text);
};

/** §M5: `1` / `0` (integers, not booleans). */
export const exists: OpHandler = (ctx) => {
  const target = readTarget(ctx, ctx.request.term);
  if (target === undefined) return;
  const yes = target.transaction.data.exists(target.path.steps);
  ctx.ok(int(yes ? 1 : 0), `${target.path.text}: ${yes}`);
};

/** §M5: the number of entries of the list at the path. */
export const numInstances: OpHandler = (ctx) => {
  const target = readTarget(ctx, ctx.request.term);
  if (target === undefined) return;
  const last = target.path.steps[target.path.steps.length - 1]!;
  if (last.node.kind !== 'list' || last.keys !== undefined) {
    ctx.error(MAAPI_ERR.BADPATH, `bad path: ${target.path.text} is not a list`);
    return;
  }
  const n = target.transaction.data.entries(target.path.steps).length;
  ctx.ok(int(n), `${target.path.text}: ${n}`);
};

/**
 * §M5: the values of the children in schema order, `not_found` for absent leaves; [UNK] what NSO
 * puts for non-leaf children: the mock puts `not_found`.
 */
export const getObject: OpHandler = (ctx) => {
  const target = readTarget(ctx, ctx.request.term);
  if (target === undefined) return;
  const { path, transaction } = target;
  const last = path.steps[path.steps.length - 1]!;
  if (!(last.node.kind === 'container' || (last.node.kind === 'list' && last.keys !== undefined)) || !transaction.data.instance(path.steps)) {
    ctx.error(MAAPI_ERR.NOEXISTS, `${path.text} not found`, '');
    return;
  }
  const values = last.node.children.map((child) => childValue(transaction, path.steps, child));
  ctx.ok(list(values), path.text);
};

function childValue(transaction: MaapiTransaction, path: readonly KeypathStep[], child: SchemaNode): Term {
  if (child.kind !== 'leaf' && child.kind !== 'leaf-list') return NOT_FOUND;
  return transaction.data.get([...path, { node: child }]) ?? NOT_FOUND;
}

/**
 * §M5: `{TagVals, Path}`: each `{[Ns|Tag], not_found}` gets its value, same order and tags;
 * `{Tag, start}` … `{Tag, stop}` bracket a container's children (§9.5).
 */
export const getValues: OpHandler = (ctx) => {
  const term = ctx.request.term;
  if (term === undefined || term.kind !== 'tuple' || term.elements.length !== 2) {
    ctx.error(MAAPI_ERR.PROTOUSAGE, 'expected {TagVals, Path} (MAAPI.md §M5)');
    return;
  }
  const target = readTarget(ctx, term.elements[1]);
  if (target === undefined) return;
  const tagVals = term.elements[0]!;
  const pairs = tagVals.kind === 'list' ? tagVals.elements : [];
  const stack: (readonly KeypathStep[])[] = [target.path.steps];
  const out: Term[] = [];
  for (const pair of pairs) {
    if (pair.kind !== 'tuple' || pair.elements.length !== 2) {
      ctx.error(MAAPI_ERR.PROTOUSAGE, 'a TagVals element is {Tag, Value} (PROTOCOL.md §9.5)');
      return;
    }
    const [tag, value] = pair.elements as [Term, Term];
    const here = stack[stack.length - 1]!;
    if (isAtom(value, 'stop')) {
      stack.pop();
      out.push(pair);
      continue;
    }
    const parent = here[here.length - 1]!.node;
    const child = parent.children.find((c) => tagMatches(c, tag));
    if (child === undefined) {
      ctx.error(MAAPI_ERR.BADPATH, `bad path: no child with tag ${describeTag(tag)} under ${parent.name}`);
      return;
    }
    if (isAtom(value, 'start')) {
      stack.push([...here, { node: child }]);
      out.push(pair);
      continue;
    }
    out.push(tuple(tag, childValue(target.transaction, here, child)));
  }
  ctx.ok(list(out), target.path.text);
};

function tagMatches(node: SchemaNode, tag: Term): boolean {
  if (tag.kind === 'list' && tag.elements.length === 1) return tagMatches(node, tag.tail);
  if (tag.kind === 'integer') return BigInt(tag.value) === BigInt(node.tagHash);
  if (tag.kind === 'atom') return tag.name === node.name;
  return false;
}

function describeTag(tag: Term): string {
  if (tag.kind === 'list' && tag.elements.length === 1) return describeTag(tag.tail);
  return tag.kind === 'integer' ? String(tag.value) : tag.kind === 'atom' ? tag.name : `<${tag.kind}>`;
}
