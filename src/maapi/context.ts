/**
 * What an op handler sees: its connection's state, the server's (schema, transactions) and the
 * reply primitives. One handler per op (ops/*.ts), one dispatch point (server.ts).
 */
import type { Term } from '../codec/index.js';
import type { Schema } from '../schema/index.js';
import type { MaapiRequest } from './wire.js';
import type { MaapiTransaction } from './transaction.js';

/** A diff_iterate in progress on a connection (§M4.2). */
export interface DiffRun {
  readonly th: number;
  readonly transaction: MaapiTransaction;
  /** The item sent last, waiting for its answer. */
  index: number;
  readonly answers: number[];
}

/** One connection's MAAPI state. */
export interface MaapiConnectionState {
  readonly connectionId: number;
  /** §M2.1: the user session, when one was started. */
  session: { readonly usid: number; readonly user: string; readonly context: string } | undefined;
  /** §M3: transactions attached on this socket. */
  readonly attached: Set<number>;
  /** §M5: open cursors, by the client's cursor id, with the list path they walk. */
  readonly cursors: Map<number, string>;
  diff: DiffRun | undefined;
}

/** Whether a transaction handle can be used, and its content. */
export type TransactionLookup =
  | { readonly state: 'pending'; readonly transaction: MaapiTransaction }
  /** Its diff-done ack arrived (or the test finished it): attach fails, reads get NOTRANS. */
  | { readonly state: 'finished' }
  | { readonly state: 'unknown' };

/** The reply side of one request. */
export interface OpContext {
  readonly conn: MaapiConnectionState;
  readonly schema: Schema;
  readonly request: MaapiRequest;
  transaction(th: number): TransactionLookup;
  /** A new user-session id (§M2.1). */
  nextUsid(): number;
  /** `Op` (+ term) reply (§M1.2). */
  ok(term?: Term, detail?: string): void;
  /** Error reply (§M1.3). */
  error(code: number, reason: string, appTag?: string): void;
  /** Stream items, no op prefix (§M6). */
  items(terms: readonly Term[], detail?: string): void;
  /** Starts the diff_iterate loop (§M4.2): sends the first item or the end. */
  startDiff(th: number, transaction: MaapiTransaction): void;
  /** Ends a diff_iterate request at once with a terminating item (§M4.2: `{badstate, Reason}`). */
  endDiff(term: Term, detail: string): void;
}

/** One op's handler. */
export type OpHandler = (ctx: OpContext) => void;
