/**
 * Wires the MAAPI server side (src/maapi) into a mock: the event server hands client-type-7
 * connections to it (`clientHandlers`), attach follows the server's pending commit-diffs
 * (`transactionPending`), and the scenario player declares transactions and reads calls through
 * the `maapi` service (scenarios/steps/maapi.ts). The harness and the CLI use it.
 */
import { dirname, resolve } from 'node:path';
import { NsoMockError } from '../codec/index.js';
import { createMaapiServer, type MaapiCall, type MaapiServer } from '../maapi/index.js';
import type { ClientHandler, MockServer } from '../server/index.js';
import type { Scenario, ScenarioMaapi } from '../scenarios/index.js';
import type { Schema } from '../schema/index.js';

/** What a mock needs to serve MAAPI. */
export interface MaapiWiring {
  readonly maapi: MaapiServer;
  /** For `createMockServer({ clientHandlers })`. */
  readonly clientHandlers: Readonly<Record<number, ClientHandler>>;
  /** Connects attach to the server's pending commit-diffs (call once the server exists). */
  bind(server: MockServer): void;
  /** The player's `maapi` service. */
  readonly service: ScenarioMaapi;
  /** Listeners of calls (the CLI's log). */
  onCall(listener: (call: MaapiCall) => void): () => void;
}

const EMPTY: Schema = { namespaces: [], roots: [], hashes: new Map() };

/**
 * Creates the MAAPI server for a mock.
 * @example
 *   const w = createMaapiWiring({ schema });
 *   const server = createMockServer({ clientHandlers: w.clientHandlers });
 *   w.bind(server);
 */
export function createMaapiWiring(options: { readonly schema?: Schema } = {}): MaapiWiring {
  let server: MockServer | undefined;
  const listeners = new Set<(call: MaapiCall) => void>();
  const maapi = createMaapiServer({
    schema: options.schema ?? EMPTY,
    isPending: (th) => server?.transactionPending(th) ?? false,
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
    bind: (s) => {
      server = s;
    },
    service: {
      declareTransaction: (t) => {
        maapi.addTransaction({ th: t.th, ...(t.changes === undefined ? {} : { changes: t.changes }), ...(t.data === undefined ? {} : { data: t.data }) });
      },
      calls: () => maapi.calls(),
      onCall: (listener) => onCall(() => listener()),
    },
    onCall,
  };
}

/**
 * The schema a scenario names (`schema: [files]`, relative to the scenario file).
 *
 * YANG parsing belongs to the schema layer (src/schema); until its loader is merged this function
 * is the one place to redirect to it.
 * @throws NsoMockError `NSOMOCK_USAGE` naming the files while no YANG loader is available
 */
export async function loadScenarioSchema(scenario: Scenario): Promise<Schema | undefined> {
  const files = scenario.extensions['schema'] as readonly string[] | undefined;
  if (files === undefined || files.length === 0) return undefined;
  const base = scenario.file === undefined ? process.cwd() : dirname(scenario.file);
  const paths = files.map((f) => resolve(base, f));
  return Promise.reject(
    new NsoMockError('NSOMOCK_USAGE', `Failed to load schema: YANG files need the schema layer's loader (src/schema), not in this build (${paths.join(', ')})`, {
      details: { option: 'schema', value: paths },
    }),
  );
}
