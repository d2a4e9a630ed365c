/** Attach and detach (MAAPI.md §M3): ATTACH 220, DETACH 221. */
import type { OpHandler } from '../context.js';
import { MAAPI_ERR } from '../op-codes.js';

/**
 * §M3.1: valid while the commit-diff with that th waits for its diff-done ack. Otherwise error 1
 * (NOEXISTS) `No such transaction`, as the capture's error example (which of 1 / 61 NSO uses is [UNK]).
 */
export const attach: OpHandler = (ctx) => {
  const th = ctx.request.th ?? 0;
  const found = ctx.transaction(th);
  if (found.state !== 'pending') {
    ctx.error(MAAPI_ERR.NOEXISTS, 'No such transaction');
    return;
  }
  ctx.conn.attached.add(th);
  ctx.ok(undefined, `${found.transaction.items.length} change(s)`);
};

/** §M3.2: always `Op` (detach does not release the commit; only the diff-done ack does). */
export const detach: OpHandler = (ctx) => {
  const th = ctx.request.th ?? 0;
  const was = ctx.conn.attached.delete(th);
  ctx.ok(undefined, was ? undefined : `th ${th} was not attached on this socket`);
};
