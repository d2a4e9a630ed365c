/** User sessions (MAAPI.md §M2): START_USER_SESSION 100, END_USER_SESSION 101, GET_MY_USER_SESSION 105. */
import { binaryText, int, type Term } from '../../codec/index.js';
import type { OpHandler } from '../context.js';
import { MAAPI_ERR } from '../op-codes.js';

/** §M2.1: the 6.2.5 7-tuple, or the legacy lists (Java to servers ≤ 6.2, econfd) — the mock reads user and context only. */
export const startUserSession: OpHandler = (ctx) => {
  const fields = sessionFields(ctx.request.term);
  if (fields === undefined) {
    ctx.error(MAAPI_ERR.PROTOUSAGE, 'start_user_session: expected {User, {Ip, Port}, Context, Proto, UseIKP, Groups, Ids} (MAAPI.md §M2.1)');
    return;
  }
  const usid = ctx.nextUsid();
  ctx.conn.session = { usid, user: fields.user, context: fields.context };
  ctx.ok(undefined, `user ${fields.user}, context ${fields.context}, usid ${usid}`);
};

function sessionFields(term: Term | undefined): { user: string; context: string } | undefined {
  if (term === undefined) return undefined;
  const elements = term.kind === 'tuple' ? term.elements : term.kind === 'list' ? term.elements : undefined;
  const user = elements?.[0];
  const context = elements?.[2];
  if (user === undefined || context === undefined) return undefined;
  const text = (t: Term): string | undefined => (t.kind === 'binary' ? binaryText(t) : t.kind === 'atom' ? t.name : undefined);
  const u = text(user);
  const c = text(context);
  return u === undefined || c === undefined ? undefined : { user: u, context: c };
}

/** §M2.2: ends the session (no session: still `Op`, closing the socket ends it anyway). */
export const endUserSession: OpHandler = (ctx) => {
  const had = ctx.conn.session;
  ctx.conn.session = undefined;
  ctx.ok(undefined, had === undefined ? 'no user session was open' : `usid ${had.usid}`);
};

/** §M2.1: the usid of this socket's session; none → NOSESSION (22). */
export const getMyUserSession: OpHandler = (ctx) => {
  const session = ctx.conn.session;
  if (session === undefined) {
    ctx.error(MAAPI_ERR.NOSESSION, 'no user session on this socket');
    return;
  }
  ctx.ok(int(session.usid));
};
