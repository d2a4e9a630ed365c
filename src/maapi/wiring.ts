/**
 * Wires the MAAPI server into a mock (the harness and the CLI use it): the event server hands
 * client-type-7 connections to it (`clientHandlers`), attach follows the server's pending
 * commit-diffs (`transactionPending`), and the scenario player declares transactions and reads
 * calls through the `maapi` service (scenarios/steps/maapi.ts; the types match structurally, so
 * this layer imports neither the server nor the scenarios).
 */
import type { Schema } from '../schema/index.js';
import { createMaapiServer, type MaapiCall, type MaapiChannel, type MaapiServer } from './server.js';
import type { MaapiTransactionInput } from './transaction.js';

/** What a mock needs to serve MAAPI. */
export interface MaapiWiring {
  readonly maapi: MaapiServer;
  /** For `createMockServer({ clientHandlers })`. */
  readonly clientHandlers: Readonly<Record<number, (channel: MaapiChannel) => void>>;
  /** Connects attach to the server's pending commit-diffs (call once the server exists). */
  bind(server: { transactionPending(th: number): boolean }): void;
  /** The scenario player's `maapi` service. */
  readonly service: {
    declareTransaction(transaction: MaapiTransactionInput): void;
    calls(): readonly MaapiCall[];
    onCall(listener: () => void): () => void;
  };
  /** Listeners of calls (the CLI's log); returns the unsubscribe function. */
  onCall(listener: (call: MaapiCall) => void): () => void;
}

/**
 * Creates the MAAPI server for a mock.
 * @example
 *   const w = createMaapiWiring({ schema });
 *   const server = createMockServer({ clientHandlers: w.clientHandlers });
 *   w.bind(server);
 */
export function createMaapiWiring(options: { readonly schema?: Schema } = {}): MaapiWiring {
  let pending: ((th: number) => boolean) | undefined;
  const listeners = new Set<(call: MaapiCall) => void>();
  const maapi = createMaapiServer({
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    isPending: (th) => pending?.(th) ?? false,
    onCall: (call) => {
      for (const l of [...listeners]) l(call);
    },
  });
  const onCall = (listener: (call: MaapiCall) => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return {
    maapi,
    clientHandlers: { 7: maapi.handle },
    bind: (server) => {
      pending = (th) => server.transactionPending(th);
    },
    service: {
      declareTransaction: (t) => void maapi.addTransaction(t),
      calls: () => maapi.calls(),
      onCall: (listener) => onCall(() => listener()),
    },
    onCall,
  };
}
