/** MAAPI_DIFF_ITER 183 (MAAPI.md §M4): starts the item loop; the answers are handled in server.ts. */
import { atom, binary, tuple } from '../../codec/index.js';
import type { OpHandler } from '../context.js';

/** §M4.2 [CAP]: the text the capture's client accepted with `{badstate, Reason}`. */
export const DIFF_BADSTATE_REASON = 'transaction is not in a state where diff can be iterated';

export const diffIterate: OpHandler = (ctx) => {
  const th = ctx.request.th ?? 0;
  const found = ctx.transaction(th);
  if (found.state !== 'pending') {
    // §M4.2: a terminating `{badstate, Reason}` instead of items (Python: Error(... (17): Reason)).
    const reason = found.state === 'finished' ? DIFF_BADSTATE_REASON : `no transaction ${th}`;
    ctx.endDiff(tuple(atom('badstate'), binary(reason)), reason);
    return;
  }
  ctx.startDiff(th, found.transaction);
};
