/** Cursors (MAAPI.md §M5): GET_NEXT 169, DESTROY_CURSOR 269. */
import { atom, int, integerValue, isAtom, tuple, type Term } from '../../codec/index.js';
import type { OpHandler } from '../context.js';
import { MAAPI_ERR } from '../op-codes.js';
import { readTarget } from './read.js';

/**
 * `{Prev, Path, CursorId, BulkHint, SecondaryIndex}` → `{N, KeyTuple}` for the N-th entry (1-based;
 * the client sends it back as Prev, so N is the mock's position) or `false` after the last (§M5).
 */
export const getNext: OpHandler = (ctx) => {
  const term = ctx.request.term;
  if (term === undefined || term.kind !== 'tuple' || term.elements.length < 3) {
    ctx.error(MAAPI_ERR.PROTOUSAGE, 'expected {Prev, Path, CursorId, BulkHint, SecondaryIndex} (MAAPI.md §M5)');
    return;
  }
  const [prev, pathTerm, cursorTerm] = term.elements as [typeof term, typeof term, typeof term];
  const target = readTarget(ctx, pathTerm);
  if (target === undefined) return;
  const cursorId = Number(integerValue(cursorTerm) ?? -1);
  let position: number;
  if (isFirst(prev)) {
    position = 0;
    ctx.conn.cursors.set(cursorId, target.path.text);
  } else {
    const n = prev.kind === 'tuple' ? integerValue(prev.elements[0] ?? atom('x')) : undefined;
    if (n === undefined) {
      ctx.error(MAAPI_ERR.PROTOUSAGE, 'Prev is `first` or the previous reply {N, Keys} (MAAPI.md §M5)');
      return;
    }
    position = Number(n);
  }
  const entries = target.transaction.data.entries(target.path.steps);
  const entry = entries[position];
  if (entry === undefined) {
    ctx.ok(atom('false'), `cursor ${cursorId}: end`);
    return;
  }
  ctx.ok(tuple(int(position + 1), tuple(...entry.typed)), `cursor ${cursorId}: {${entry.keys.join(' ')}}`);
};

/** §M5: `Op` only (Java ignores the reply); an unknown cursor id is not an error [UNK]. */
export const destroyCursor: OpHandler = (ctx) => {
  const id = ctx.request.term === undefined ? undefined : integerValue(ctx.request.term);
  const known = id !== undefined && ctx.conn.cursors.delete(Number(id));
  ctx.ok(undefined, known ? `cursor ${id}` : `cursor ${String(id)} was not open`);
};

/** Whether `term` is the atom `first` or `{first, Filter}` (GET_NEXT's opening Prev, §M5). */
function isFirst(term: Term): boolean {
  return isAtom(term, 'first') || (term.kind === 'tuple' && term.elements.length === 2 && isAtom(term.elements[0]!, 'first'));
}
