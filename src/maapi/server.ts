/**
 * The MAAPI server side (MAAPI.md): one handler per op, one dispatch point (`#dispatch`), the
 * diff_iterate loop (§M4.2), and a record of every call per connection. It plugs into the event
 * server as the handler of client type 7 (`createMockServer({ clientHandlers: { 7: maapi.handle } })`,
 * wired by the harness): the server does the connect header, access check and version reply
 * (§M1.1) and hands over the bytes that follow.
 */
import { atom, binary, tuple, type DecodeLimits, type Term } from '../codec/index.js';
import type { Schema } from '../schema/index.js';
import type { MaapiConnectionState, OpContext, OpHandler, TransactionLookup } from './context.js';
import { attach, detach } from './ops/attach.js';
import { destroyCursor, getNext } from './ops/cursor.js';
import { diffIterate } from './ops/diff-iterate.js';
import { exists, getElem, getObject, getValues, numInstances } from './ops/read.js';
import { getSchemaFilePath, loadAllNs, loadHashDb, loadMnsMaps, loadNsList } from './ops/schema.js';
import { endUserSession, getMyUserSession, startUserSession } from './ops/session.js';
import { ITER, MAAPI_ERR, MAAPI_OPS, opName } from './op-codes.js';
import { compileTransaction, type MaapiTransaction, type MaapiTransactionInput } from './transaction.js';
import { errorReply, itemFrame, MaapiFrameReader, okReply, parseRequest, type MaapiRequest } from './wire.js';

/**
 * The part of the event server's `ClientChannel` MAAPI uses (structurally the same; maapi does not
 * import the server layer).
 */
export interface MaapiChannel {
  readonly connectionId: number;
  readonly maxFrameBytes: number;
  readonly decodeLimits: DecodeLimits;
  readonly atomEncoding: 'latin1' | 'utf8';
  now(): number;
  onData(listener: (chunk: Uint8Array) => void): void;
  onClosed(listener: () => void): void;
  write(bytes: Uint8Array): boolean;
  record(direction: 'in' | 'out', entry: { readonly term?: Term; readonly raw?: Uint8Array; readonly note?: string }): void;
  violation(code: 'bad-frame-length' | 'bad-term' | 'maapi-unsupported', expected: string, actual: string, closes: boolean): void;
}

/** One MAAPI call, as journals, reports and `expect-maapi` see it. */
export interface MaapiCall {
  readonly connectionId: number;
  /** Clock time the request was read. */
  readonly time: number;
  readonly op: number;
  /** Short name: `attach`, `diff-iterate`, `get-elem`, … (`op-150` outside the subset). */
  readonly name: string;
  readonly th?: number;
  readonly ok: boolean;
  /** The error code of an error reply (§M1.3). */
  readonly code?: number;
  /** The reply in words: the reason of an error, the path read, the answers of a diff_iterate. */
  readonly detail?: string;
}

/** Options of {@link createMaapiServer}. */
export interface MaapiServerOptions {
  /** The data models (paths, hashes, schema loading). Default: no models. */
  readonly schema?: Schema;
  /**
   * Whether the commit-diff with this th is still pending (its diff-done ack not received): the
   * harness passes the event server's `transactionPending`. Default: every added transaction is
   * pending until `finishTransaction(th)`.
   */
  readonly isPending?: (th: number) => boolean;
  /** Called for every call when it completes. */
  readonly onCall?: (call: MaapiCall) => void;
  /** Calls kept by `calls()` (the most recent). Default 10000. */
  readonly callLimit?: number;
  /** Declared transactions kept (the most recent; a long `serve` declares one per commit). Default 10000. */
  readonly transactionLimit?: number;
}

/** The MAAPI server. */
export interface MaapiServer {
  /** The client-type-7 handler for the event server's `clientHandlers`. */
  readonly handle: (channel: MaapiChannel) => void;
  readonly schema: Schema;
  /** Declares a transaction's changes and data (compiled against the schema now). @throws NSOMOCK_MAAPI_TRANSACTION */
  addTransaction(input: MaapiTransactionInput): MaapiTransaction;
  /** Marks a transaction finished (without `isPending`: what the diff-done ack does). */
  finishTransaction(th: number): void;
  /** Calls so far (all connections, or one), oldest first. */
  calls(connectionId?: number): MaapiCall[];
}

const EMPTY_SCHEMA: Schema = { namespaces: [], roots: [], hashes: new Map() };

/** One handler per op (§M7). */
const HANDLERS: ReadonlyMap<number, OpHandler> = new Map<number, OpHandler>([
  [100, startUserSession],
  [101, endUserSession],
  [105, getMyUserSession],
  [164, exists],
  [165, numInstances],
  [166, getElem],
  [169, getNext],
  [176, getObject],
  [183, diffIterate],
  [194, getValues],
  [220, attach],
  [221, detach],
  [231, loadHashDb],
  [232, loadAllNs],
  [253, loadNsList],
  [262, getSchemaFilePath],
  [264, loadMnsMaps],
  [269, destroyCursor],
]);

const RETURN: Term = tuple(atom('return'));

/**
 * Creates the MAAPI server side.
 * @example
 *   const maapi = createMaapiServer({ schema, isPending: (th) => server.transactionPending(th) });
 *   const server = createMockServer({ clientHandlers: { 7: maapi.handle } });
 *   maapi.addTransaction({ th: 17, changes: [{ path: '/mk:sys/host{h1}', op: 'created' }] });
 */
export function createMaapiServer(options: MaapiServerOptions = {}): MaapiServer {
  return new MaapiServerImpl(options);
}

class MaapiServerImpl implements MaapiServer {
  readonly schema: Schema;
  readonly handle: (channel: MaapiChannel) => void;
  readonly #options: MaapiServerOptions;
  readonly #transactions = new Map<number, MaapiTransaction>();
  readonly #finished = new Set<number>();
  readonly #calls: MaapiCall[] = [];
  readonly #callLimit: number;
  #nextUsid = 1;

  constructor(options: MaapiServerOptions) {
    this.#options = options;
    this.schema = options.schema ?? EMPTY_SCHEMA;
    this.#callLimit = options.callLimit ?? 10_000;
    this.handle = (channel) => this.#attachChannel(channel);
  }

  addTransaction(input: MaapiTransactionInput): MaapiTransaction {
    const transaction = compileTransaction(this.schema, input);
    this.#transactions.delete(input.th);
    this.#transactions.set(input.th, transaction);
    this.#finished.delete(input.th);
    // Bounded: the oldest declarations go first (Map order is insertion order).
    const limit = this.#options.transactionLimit ?? 10_000;
    for (const th of this.#transactions.keys()) {
      if (this.#transactions.size <= limit) break;
      this.#transactions.delete(th);
      this.#finished.delete(th);
    }
    return transaction;
  }

  finishTransaction(th: number): void {
    this.#finished.add(th);
  }

  calls(connectionId?: number): MaapiCall[] {
    return connectionId === undefined ? [...this.#calls] : this.#calls.filter((c) => c.connectionId === connectionId);
  }

  #lookup(th: number): TransactionLookup {
    const isPending = this.#options.isPending;
    const known = this.#transactions.get(th);
    if (isPending !== undefined) {
      if (isPending(th)) return { state: 'pending', transaction: known ?? compileTransaction(this.schema, { th }) };
      return known === undefined ? { state: 'unknown' } : { state: 'finished' };
    }
    if (known === undefined) return { state: 'unknown' };
    return this.#finished.has(th) ? { state: 'finished' } : { state: 'pending', transaction: known };
  }

  #record(call: MaapiCall): void {
    this.#calls.push(call);
    if (this.#calls.length > this.#callLimit) this.#calls.splice(0, this.#calls.length - this.#callLimit);
    this.#options.onCall?.(call);
  }

  #attachChannel(channel: MaapiChannel): void {
    const reader = new MaapiFrameReader(channel.maxFrameBytes);
    const conn: MaapiConnectionState = { connectionId: channel.connectionId, session: undefined, attached: new Set(), cursors: new Map(), diff: undefined };
    let broken = false;
    channel.onClosed(() => {
      if (conn.diff !== undefined) this.#endDiff(channel, conn, 'connection closed');
    });
    channel.onData((chunk) => {
      if (broken) return;
      reader.push(chunk);
      for (;;) {
        let payload: Uint8Array | undefined;
        try {
          payload = reader.next();
        } catch (e) {
          broken = true;
          channel.record('in', { note: `bad frame: ${(e as Error).message}` });
          channel.violation('bad-frame-length', 'a MAAPI frame length between 1 and maxFrameBytes (MAAPI.md §M1.2)', (e as Error).message, true);
          return;
        }
        if (payload === undefined) return;
        if (conn.diff !== undefined && payload.length === 4) {
          this.#onIterAnswer(channel, conn, new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0), payload);
          continue;
        }
        if (conn.diff !== undefined) this.#endDiff(channel, conn, 'a new request arrived before the iteration ended');
        let request: MaapiRequest;
        try {
          request = parseRequest(payload, channel.decodeLimits);
        } catch (e) {
          broken = true;
          channel.record('in', { raw: payload, note: `bad term: ${(e as Error).message}` });
          channel.violation('bad-term', 'Op:32 [TH:32] and one Erlang term (MAAPI.md §M1.2)', (e as Error).message, true);
          return;
        }
        this.#dispatch(channel, conn, request);
      }
    });
  }

  /** The one dispatch point: the op table, or an error reply naming the op (§M7). */
  #dispatch(channel: MaapiChannel, conn: MaapiConnectionState, request: MaapiRequest): void {
    const name = opName(request.op);
    const spec = MAAPI_OPS.get(request.op);
    const short = spec?.short ?? `op-${request.op}`;
    const time = channel.now();
    channel.record('in', {
      ...(request.term === undefined ? {} : { term: request.term }),
      ...(request.words.length > 0 || request.term === undefined ? { raw: request.payload } : {}),
      note: `${name}${request.th === undefined ? '' : ` th=${request.th}`}`,
    });
    const base = { connectionId: conn.connectionId, time, op: request.op, name: short, ...(request.th === undefined ? {} : { th: request.th }) };
    const handler = HANDLERS.get(request.op);
    if (handler === undefined) {
      const reason = `${name} (${request.op}) is not supported by nso-mock (docs/maapi.md lists the ops it serves)`;
      channel.write(errorReply(request.op, MAAPI_ERR.PROTOUSAGE, reason, channel.atomEncoding));
      channel.record('out', { note: `${name} error ${MAAPI_ERR.PROTOUSAGE}: ${reason}` });
      channel.violation('maapi-unsupported', 'an op of the MAAPI subset (MAAPI.md §M7)', `${name} (${request.op})`, false);
      this.#record({ ...base, ok: false, code: MAAPI_ERR.PROTOUSAGE, detail: reason });
      return;
    }
    let done = false;
    const finish = (call: Omit<MaapiCall, keyof typeof base>): void => {
      if (done) return;
      done = true;
      this.#record({ ...base, ...call });
    };
    const ctx: OpContext = {
      conn,
      schema: this.schema,
      request,
      transaction: (th) => this.#lookup(th),
      nextUsid: () => this.#nextUsid++,
      ok: (term, detail) => {
        channel.write(okReply(request.op, term, channel.atomEncoding));
        channel.record('out', { ...(term === undefined ? {} : { term }), note: `${name} ok` });
        finish({ ok: true, ...(detail === undefined ? {} : { detail }) });
      },
      error: (code, reason, appTag) => {
        channel.write(errorReply(request.op, code, reason, channel.atomEncoding, appTag));
        channel.record('out', { note: `${name} error ${code}: ${reason}` });
        finish({ ok: false, code, detail: reason });
      },
      items: (terms, detail) => {
        for (const term of terms) {
          channel.write(itemFrame(term, channel.atomEncoding));
          channel.record('out', { term, note: `${name} item` });
        }
        finish({ ok: true, ...(detail === undefined ? {} : { detail }) });
      },
      startDiff: (th, transaction) => {
        conn.diff = { th, transaction, index: -1, answers: [] };
        this.#pendingDiffCall.set(conn, base);
        this.#sendDiffItem(channel, conn, 0);
      },
      endDiff: (term, detail) => {
        channel.write(itemFrame(term, channel.atomEncoding));
        channel.record('out', { term, note: `${name} end` });
        finish({ ok: false, code: MAAPI_ERR.BADSTATE, detail });
      },
    };
    handler(ctx);
  }

  /** diff_iterate calls are recorded when the loop ends (with its answers). */
  readonly #pendingDiffCall = new WeakMap<MaapiConnectionState, Omit<MaapiCall, 'ok'>>();

  /** Sends item `index`, or `{return}` when there is none (§M4.2). */
  #sendDiffItem(channel: MaapiChannel, conn: MaapiConnectionState, index: number): void {
    const diff = conn.diff!;
    const item = diff.transaction.items[index];
    if (item === undefined) {
      channel.write(itemFrame(RETURN, channel.atomEncoding));
      channel.record('out', { term: RETURN, note: 'MAAPI_DIFF_ITER end' });
      this.#endDiff(channel, conn, undefined);
      return;
    }
    diff.index = index;
    channel.write(itemFrame(item.term, channel.atomEncoding));
    channel.record('out', { term: item.term, note: `MAAPI_DIFF_ITER item ${index + 1}: ${item.op} ${item.path}` });
  }

  /** §M4.2: the client's answer to the item sent last. */
  #onIterAnswer(channel: MaapiChannel, conn: MaapiConnectionState, answer: number, raw: Uint8Array): void {
    const diff = conn.diff!;
    diff.answers.push(answer);
    channel.record('in', { raw, note: `MAAPI_DIFF_ITER answer ${iterName(answer)}` });
    const items = diff.transaction.items;
    const current = items[diff.index]!;
    switch (answer) {
      case ITER.STOP:
        // §M4.2: the client stops reading; nothing more is sent.
        this.#endDiff(channel, conn, undefined);
        return;
      case ITER.RECURSE:
        this.#sendDiffItem(channel, conn, diff.index + 1);
        return;
      case ITER.CONTINUE:
        // Skip the children of this node (items below its path), continue with the next sibling.
        this.#sendDiffItem(channel, conn, nextOutside(items, diff.index, current.segments));
        return;
      case ITER.UP:
        // Skip the remaining siblings: continue after everything below the parent.
        this.#sendDiffItem(channel, conn, nextOutside(items, diff.index, current.segments.slice(0, -1)));
        return;
      default: {
        // ITER_SUSPEND (4) and unknown answers: [UNK] for MAAPI clients; end with a reason.
        const reason = `iterator answer ${answer} is not supported by nso-mock (1 STOP, 2 RECURSE, 3 CONTINUE, 5 UP)`;
        const term = tuple(atom('badstate'), binary(reason));
        channel.write(itemFrame(term, channel.atomEncoding));
        channel.record('out', { term, note: 'MAAPI_DIFF_ITER end' });
        this.#endDiff(channel, conn, reason);
      }
    }
  }

  #endDiff(_channel: MaapiChannel, conn: MaapiConnectionState, problem: string | undefined): void {
    const diff = conn.diff;
    conn.diff = undefined;
    const base = this.#pendingDiffCall.get(conn);
    this.#pendingDiffCall.delete(conn);
    if (diff === undefined || base === undefined) return;
    const answers = diff.answers.map(iterName).join(' ');
    const detail = `${diff.answers.length} item(s) of ${diff.transaction.items.length} sent${answers === '' ? '' : `, answers ${answers}`}${problem === undefined ? '' : `; ${problem}`}`;
    this.#record({ ...base, ok: problem === undefined, ...(problem === undefined ? {} : { code: MAAPI_ERR.BADSTATE }), detail });
  }
}

function nextOutside(items: readonly { readonly segments: readonly string[] }[], from: number, prefix: readonly string[]): number {
  let i = from + 1;
  while (i < items.length && below(items[i]!.segments, prefix)) i += 1;
  return i;
}

function below(segments: readonly string[], prefix: readonly string[]): boolean {
  return segments.length > prefix.length && prefix.every((s, k) => segments[k] === s);
}

function iterName(answer: number): string {
  return ({ 1: 'STOP', 2: 'RECURSE', 3: 'CONTINUE', 4: 'SUSPEND', 5: 'UP' } as Record<number, string>)[answer] ?? String(answer);
}
