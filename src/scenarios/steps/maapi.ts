/**
 * MAAPI in scenarios (docs/maapi.md) as a scenario extension (steps/extensions.ts): the top-level
 * `schema:` (the YANG files the transactions' paths name) and the `expect-maapi` step, which waits
 * until a consumer made the named MAAPI calls on a transaction (e.g. attach, diff-iterate, detach
 * before its ack). A commit-diff emit's `changes:` / `data:` reach the MAAPI server through the
 * same service (`maapi`, see {@link ScenarioMaapi}); the harness provides it.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Scenario } from '../scenario.js';
import type { StepTransaction } from '../scenario.js';
import type { ExtensionStepContext, ScenarioExtension } from './extensions.js';

/** The key of the top-level schema list and of the player service. */
export const MAAPI_SCHEMA_KEY = 'schema';
export const MAAPI_SERVICE_KEY = 'maapi';

/** A MAAPI call as the player sees it (the maapi layer's `MaapiCall`, structurally). */
export interface ScenarioMaapiCall {
  readonly connectionId: number;
  /** Clock time the request was read. */
  readonly time: number;
  readonly name: string;
  readonly th?: number;
  readonly ok: boolean;
  readonly code?: number;
  readonly detail?: string;
}

/** What the player needs from the MAAPI server (the harness adapts its `MaapiServer`). */
export interface ScenarioMaapi {
  /** Declares a commit-diff's transaction before it is emitted. @throws when it does not fit the schema (the step fails with the reason). */
  declareTransaction(transaction: StepTransaction): void;
  calls(): readonly ScenarioMaapiCall[];
  /** Calls `listener` after each call; returns the unsubscribe function. */
  onCall(listener: () => void): () => void;
}

/** The `expect-maapi` body. */
export interface ExpectMaapiBody {
  /** Only calls on this transaction handle. */
  th?: number;
  /** Short op names in the order they must succeed (others may come between): attach, diff-iterate, get-elem, detach… */
  ops: string[];
  /** Time limit (ms, on the run's clock). Default 5000. */
  within?: number;
}

const asSchema = (schema: object): TSchema => schema as TSchema;

const OP_NAMES = [
  'start-user-session',
  'end-user-session',
  'get-my-user-session',
  'exists',
  'num-instances',
  'get-elem',
  'get-next',
  'get-object',
  'diff-iterate',
  'get-values',
  'attach',
  'detach',
  'load-hash-db',
  'load-all-ns',
  'load-ns-list',
  'get-schema-file-path',
  'load-mns-maps',
  'destroy-cursor',
];

/** The scenario's `schema:` files as absolute paths (resolved, relative to the file naming them, when it loaded). */
export function scenarioSchemaFiles(scenario: Scenario): string[] {
  return [...(scenario.schemaFiles ?? [])];
}

/** The run's MAAPI service. @throws Error when the player has none */
export function maapiService(services: Readonly<Record<string, unknown>>): ScenarioMaapi {
  const service = services[MAAPI_SERVICE_KEY] as ScenarioMaapi | undefined;
  if (service === undefined || typeof service.declareTransaction !== 'function') {
    throw new Error('no MAAPI server for this run: play the scenario with startNsoMock().play() or the CLI (they serve MAAPI), or pass extensions: { maapi }');
  }
  return service;
}

/** Whether `ops` occur in order among the successful `calls` (for `th` when given). */
export function maapiOpsSeen(calls: readonly ScenarioMaapiCall[], ops: readonly string[], th: number | undefined): boolean {
  let next = 0;
  for (const call of calls) {
    if (next >= ops.length) break;
    if (!call.ok || (th !== undefined && call.th !== th)) continue;
    if (call.name === ops[next]) next += 1;
  }
  return next >= ops.length;
}

function describeCalls(calls: readonly ScenarioMaapiCall[], th: number | undefined): string {
  const relevant = calls.filter((c) => th === undefined || c.th === th);
  if (relevant.length === 0) return th === undefined ? 'no MAAPI calls' : `no MAAPI calls on th ${th}`;
  return relevant.map((c) => `${c.name}${c.ok ? '' : ` (error ${c.code ?? '?'}${c.detail === undefined ? '' : `: ${c.detail}`})`}`).join(', ');
}

async function expectMaapi(body: ExpectMaapiBody, context: ExtensionStepContext): Promise<void> {
  const service = maapiService(context.services);
  const within = body.within ?? 5000;
  const seen = (): boolean => maapiOpsSeen(service.calls(), body.ops, body.th);
  if (!seen()) {
    await new Promise<void>((resolve, reject) => {
      let timer: ReturnType<ExtensionStepContext['clock']['setTimeout']> | undefined;
      const done = (error?: Error): void => {
        unsubscribe();
        if (timer !== undefined) context.clock.clearTimeout(timer);
        context.signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const unsubscribe = service.onCall(() => {
        if (seen()) done();
      });
      const onAbort = (): void => done(new Error('aborted'));
      context.signal.addEventListener('abort', onAbort);
      timer = context.clock.setTimeout(() => {
        done(new Error(`expected MAAPI calls ${body.ops.join(', ')}${body.th === undefined ? '' : ` on th ${body.th}`} within ${within} ms, saw ${describeCalls(service.calls(), body.th)}`));
      }, within);
    });
  }
  context.log(`maapi: ${body.ops.join(', ')}${body.th === undefined ? '' : ` on th ${body.th}`} seen`);
}

/** The MAAPI extension. */
export const maapiScenarioExtension: ScenarioExtension = {
  name: 'MAAPI',
  key: MAAPI_SCHEMA_KEY,
  config: asSchema({ type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 }),
  configDescription: 'Model files (.yang or .fxs; paths relative to this scenario file) the commit-diff transactions touch: their changes/data are checked against them when the scenario loads, and MAAPI clients load them (docs/maapi.md).',
  steps: [
    {
      kind: 'expect-maapi',
      description: 'Waits until a MAAPI client made these calls, in order (e.g. attach, diff-iterate, detach on th 17 before its ack; docs/maapi.md).',
      schema: asSchema({
        type: 'object',
        additionalProperties: false,
        required: ['ops'],
        properties: {
          th: { type: 'integer', description: 'Only calls on this transaction handle.' },
          ops: { type: 'array', minItems: 1, items: { enum: OP_NAMES }, description: 'Op names in the order they must succeed.' },
          within: { type: 'integer', minimum: 0, description: 'Time limit in ms (default 5000).' },
        },
      }),
      run: (body, context) => expectMaapi(body as ExpectMaapiBody, context),
    },
  ],
};
