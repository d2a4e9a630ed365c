/**
 * The test API's entry point: a started mock (server listening, scenario player ready) with a
 * typed lifecycle. `await using mock = await startNsoMock()` closes it at the end of the scope
 * (`Symbol.asyncDispose`, as testcontainers' started containers do).
 */
import type { Notification, NotificationInput } from '../codec/index.js';
import {
  createMockServer,
  type BoundAddresses,
  type Clock,
  type Delivery,
  type JournalEntry,
  type JournalStats,
  type MockServer,
  type MockServerOptions,
  type SubscriberInfo,
  type Violation,
} from '../server/index.js';
import { createMaapiWiring, type MaapiServer, type MaapiWiring } from '../maapi/index.js';
import { loadSchema } from '../schema/index.js';
import type { NcmpEngine, NcmpEngineOptions, NcmpScenarioSettings } from '../ncmp/index.js';
import type { Schema } from '../schema/index.js';
import type { LoadScenarioOptions, RunLogEvent, RunReport, Scenario, ScenarioDocument } from '../scenarios/index.js';
import {
  MockHarness,
  type AckMatch,
  type EmitResult,
  type HarnessEmitOptions,
  type RecordedAck,
  type UnexpectedFramePolicy,
  type WaitOptions,
} from './mock-harness.js';
import { Toxics } from './toxics.js';
import { TrafficCounter, type CountFilter, type TrafficCounts } from './traffic-counts.js';

/** Options of {@link startNsoMock}: server options, plus a scenario whose options configure the server. */
export interface StartNsoMockOptions extends MockServerOptions {
  /**
   * A loaded scenario whose `profile` and server options (`options.strict`, the timeouts
   * `event-reply-timeout`, `write-stall-timeout`, `input-stall-timeout`, and the limits
   * `max-frame-bytes`, `max-subscribe-frame-bytes`, `max-decoded-bytes`,
   * `max-subscribe-decoded-bytes`, `journal-max-bytes`) apply to the server (explicit options here win).
   */
  readonly scenario?: Scenario;
  /** What to do with client frames nobody expected (wrong acks, garbage): default `'error'` (see {@link UnexpectedFramePolicy}). */
  readonly onUnexpectedFrame?: UnexpectedFramePolicy;
  /** How long `emit()` waits for the acks of a synchronous kind (default 5000 ms). */
  readonly ackTimeoutMs?: number;
  /** Where the `'warn'` policy writes (default `console`). */
  readonly logger?: { warn(message: string): void };
  /**
   * Create the NCMP engine (`mock.ncmp`, docs/ncmp.md) at start, with these options (`true`: the
   * defaults). A `scenario` that uses NCMP also creates it, from its `ncmp:` settings; otherwise
   * the first `play()` of a scenario that uses NCMP does.
   */
  readonly ncmp?: NcmpEngineOptions | true;
  /**
   * MAAPI on the same listeners (docs/maapi.md): on by default, with the scenario's `schema:` or
   * this `schema` — a loaded `Schema`, or model files (`.yang`, `.fxs`; relative paths from the
   * working directory); `false` closes client-type-7 connections at once, as before. A
   * `clientHandlers[7]` of your own wins.
   * @example startNsoMock({ maapi: { schema: ['examples/models/mk.yang'] } })
   */
  readonly maapi?: false | { readonly schema?: Schema | readonly string[] };
}

/**
 * What `emit()` returns: the `Delivery` at once (recipients, `sent`, `acked`), and a promise-like
 * that resolves when the notification was written and, for the synchronous kinds, acked by every
 * recipient (PROTOCOL.md §12) — or rejects with a `HarnessError`.
 */
export type EmitHandle = Delivery & PromiseLike<EmitResult>;

/** Options of {@link RunningNsoMock.play}. */
export interface PlayOptions {
  /** Aborts the run (it then resolves with status `aborted`). */
  readonly signal?: AbortSignal;
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Receives the run log. */
  readonly onLog?: (event: RunLogEvent) => void;
  /** How a scenario given as a path or document is loaded. */
  readonly load?: LoadScenarioOptions;
  /** Services for extension steps, keyed as each extension documents (NCMP: `{ ncmp: engine }` plays on that engine instead of `mock.ncmp`). */
  readonly extensions?: { readonly ncmp?: NcmpEngine; readonly [key: string]: unknown };
}

/** A started mock. */
export interface RunningNsoMock extends AsyncDisposable {
  /** The server, for everything the harness does not wrap (journal, streams, fault injection). */
  readonly server: MockServer;
  /** Where it listens: `tcp` (host, port) and/or `unix` (path). */
  readonly addresses: BoundAddresses;
  readonly clock: Clock;
  /** The test API around the server (waits, acks, the unexpected-frame policy); the members below delegate to it. */
  readonly harness: MockHarness;
  /**
   * Sends a notification to its subscribers (PROTOCOL.md §10.1). Await it to wait until it was
   * written and, for commit-diff and the sync-flagged kinds, acked (§12).
   * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` (at once); awaiting rejects with HarnessError
   *   `NSOMOCK_HARNESS_TIMEOUT`, `NSOMOCK_SERVER_ACK_FAILED` or `NSOMOCK_HARNESS_UNEXPECTED_FRAME`.
   * @example
   *   await mock.emit({ type: 'commit-diff', th: 17 }); // resolves after {17, done}
   */
  emit(input: NotificationInput | Notification, options?: HarnessEmitOptions): EmitHandle;
  /** Resolves with the first truthy value of `predicate`, re-checked on every server event. @throws HarnessError `NSOMOCK_HARNESS_TIMEOUT`. */
  waitFor<T>(predicate: () => T | undefined | null | false | 0 | '', options: WaitOptions): Promise<T>;
  /** Waits for `count` subscribers (with every bit of `mask`). @throws HarnessError `NSOMOCK_HARNESS_TIMEOUT`. */
  waitForSubscribers(count: number, options: WaitOptions & { readonly mask?: number }): Promise<readonly SubscriberInfo[]>;
  /** Waits for an ack (already received ones count). @throws HarnessError `NSOMOCK_HARNESS_TIMEOUT`. */
  waitForAck(match: AckMatch, options: WaitOptions & { readonly afterSeq?: number }): Promise<RecordedAck>;
  /** Subscribed connections, in subscription order. */
  readonly subscribers: readonly SubscriberInfo[];
  /** The journal entries held, oldest first. */
  readonly journal: readonly JournalEntry[];
  /** The journal's counters: entries held and ever recorded, dropped to stay within its limits, estimated bytes and the cap. */
  readonly journalStats: JournalStats;
  /** Violations since start (or the last `reset()`). */
  readonly violations: readonly Violation[];
  /** Acks received since start (or the last `reset()`). */
  readonly acks: readonly RecordedAck[];
  /** @throws HarnessError `NSOMOCK_HARNESS_PENDING_ACKS` with a table of the acks still owed. */
  assertNoPendingAcks(): void;
  /**
   * Faults added and removed at run time, for connections subscribed now or later (Toxiproxy's
   * toxics): latency per write, a stall, a cut after N bytes, garbage bytes. See {@link Toxics}.
   * @example
   *   const slow = mock.toxics.add({ kind: 'latency', ms: 200, scope: 'future' });
   *   mock.toxics.add({ kind: 'cut', bytes: 64, scope: { connection: 1 } });
   *   mock.toxics.remove(slow.id);
   */
  readonly toxics: Toxics;
  /**
   * How many notifications were sent and acked, per type (WireMock's `verify`), from the journal:
   * optionally of one `type`, one `connection`, and `since` a journal offset (the `next` of an
   * earlier count). Counts start at the last `reset()`.
   * @throws HarnessError `NSOMOCK_HARNESS_COUNT_INCOMPLETE` when the journal no longer holds all
   *   the traffic asked for (more than `journalLimit` entries since then).
   * @example
   *   expect(mock.count({ type: 'commit-diff' })).toMatchObject({ sent: { 'commit-diff': 2 }, acked: { 'commit-diff': 2 } });
   */
  count(filter?: CountFilter): TrafficCounts;
  /**
   * Forgets journal, violations and acks; removes every toxic; resumes heartbeats; `disconnect`
   * also closes every connection.
   */
  reset(options?: { readonly disconnect?: boolean }): void;
  /**
   * Plays a scenario (a loaded one, a document, or a file path) against this server. A run with
   * NCMP steps plays them on `mock.ncmp` and adds the records it appended, per topic, to the report
   * as `report.ncmp` (an `NcmpRunReport`).
   * @example
   *   const report = await mock.play('examples/ncmp/lcm-v2-fleet.yaml');
   *   report.ncmp?.topics.map((t) => t.count); // no cast: RunReport declares the NCMP part
   * @throws ScenarioError `NSOMOCK_SCENARIO_INVALID` when a document or file does not load; step
   *   failures are in the report, not thrown (see `assertRunPassed`).
   */
  play(scenario: Scenario | ScenarioDocument | string, options?: PlayOptions): Promise<RunReport>;
  /**
   * The NCMP engine (docs/ncmp.md): its `store` is what feeds (`startNcmpFeed`) and Kafka
   * publishers follow. Created at start (`ncmp` option, or a `scenario` that uses NCMP) or by the
   * first `play()` of a scenario that uses NCMP; one engine for the mock's life, so a cm-handle
   * registered by one play is still known to the next. Undefined until then.
   */
  readonly ncmp: NcmpEngine | undefined;
  /**
   * The MAAPI server side (docs/maapi.md): its calls per connection (`calls(connectionId)`), the
   * transactions scenarios declared. Undefined with `maapi: false`.
   */
  readonly maapi: MaapiServer | undefined;
  /** Closes listeners and connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * The models MAAPI serves: the option's (a Schema, or files to load), else the scenario's `schema:`
 * (its files, resolved when the scenario loaded); undefined when neither names any.
 * @throws SchemaError `NSOMOCK_SCHEMA_INVALID` for a model file that does not load
 */
function maapiSchema(option: Schema | readonly string[] | undefined, scenario: Scenario | undefined): Schema | undefined {
  if (option !== undefined && !isFileList(option)) return option;
  const files = option ?? scenario?.schemaFiles ?? [];
  return files.length === 0 ? undefined : loadSchema(files);
}

function isFileList(value: Schema | readonly string[]): value is readonly string[] {
  return Array.isArray(value);
}

function isScenario(value: Scenario | ScenarioDocument): value is Scenario {
  return 'options' in value && typeof (value as Scenario).options.ackTimeoutMs === 'number' && Array.isArray(value.steps);
}

/** Server options a scenario asks for (explicit options win). */
async function serverOptionsOf(scenario: Scenario | undefined): Promise<MockServerOptions> {
  if (scenario === undefined) return {};
  const { scenarioServerOptions } = await import('../scenarios/index.js');
  return scenarioServerOptions(scenario);
}

/**
 * Starts a mock: creates the server, binds its listeners (default: TCP on 127.0.0.1, a random
 * port) and returns the running handle.
 * @throws NsoMockError `NSOMOCK_SERVER_LISTEN_FAILED` when a listener cannot bind; UsageError
 *   `NSOMOCK_USAGE` for an invalid option.
 * @example
 *   await using mock = await startNsoMock();
 *   const client = await connect(mock.addresses.tcp!, { mask: NOTIF.COMMIT_DIFF });
 *   const report = await mock.play('examples/commit-diff-ack.yaml');
 */
export async function startNsoMock(options: StartNsoMockOptions = {}): Promise<RunningNsoMock> {
  const { scenario, ...rest } = options;
  const serverOptions: MockServerOptions = {
    ...(await serverOptionsOf(scenario)),
    ...(rest.tcp === undefined && rest.unix === undefined ? { tcp: { host: '127.0.0.1', port: 0 } } : {}),
    ...rest,
  };
  const { onUnexpectedFrame, ackTimeoutMs, logger, ncmp: ncmpOptions, maapi: maapiOptions, ...plainServerOptions } = serverOptions as StartNsoMockOptions;
  // MAAPI (docs/maapi.md): client type 7 on the same listeners, unless turned off or handled by the caller.
  let maapi: MaapiWiring | undefined;
  if (maapiOptions !== false && plainServerOptions.clientHandlers?.[7] === undefined) {
    const schema = maapiSchema(maapiOptions?.schema, scenario);
    maapi = createMaapiWiring(schema === undefined ? {} : { schema });
  }
  const server = createMockServer(maapi === undefined ? plainServerOptions : { ...plainServerOptions, clientHandlers: { ...maapi.clientHandlers, ...plainServerOptions.clientHandlers } });
  maapi?.bind(server);
  // NCMP loads only for a mock that uses it (src/ncmp is light, but this keeps startNsoMock() free of it).
  let ncmp: NcmpEngine | undefined;
  if (ncmpOptions !== undefined) {
    const { createNcmpEngine } = await import('../ncmp/index.js');
    ncmp = createNcmpEngine({ clock: server.clock, ...(ncmpOptions === true ? {} : ncmpOptions) });
  } else if (scenario !== undefined) {
    const { createNcmpEngine, ncmpEngineOptions, scenarioUsesNcmp, NCMP_SCENARIO_KEY } = await import('../ncmp/index.js');
    if (scenarioUsesNcmp(scenario)) {
      ncmp = createNcmpEngine(ncmpEngineOptions(scenario.extensions[NCMP_SCENARIO_KEY] as NcmpScenarioSettings | undefined, { seed: scenario.seed ?? 0, clock: server.clock }));
    }
  }
  await server.listen();
  return wrapMockServer(server, {
    ...(onUnexpectedFrame === undefined ? {} : { onUnexpectedFrame }),
    ...(ackTimeoutMs === undefined ? {} : { ackTimeoutMs }),
    ...(logger === undefined ? {} : { logger }),
    ...(ncmp === undefined ? {} : { ncmp }),
    ...(maapi === undefined ? {} : { maapi }),
  });
}

/**
 * The running-mock handle (the test API) around a server that is already listening: what
 * `startNsoMock` returns, for a server created some other way (the CLI's `serve`).
 * @example
 *   const server = createMockServer({ tcp: { port: 0 } });
 *   await server.listen();
 *   const mock = wrapMockServer(server, { onUnexpectedFrame: 'ignore' });
 */
export function wrapMockServer(
  server: MockServer,
  options: Pick<StartNsoMockOptions, 'onUnexpectedFrame' | 'ackTimeoutMs' | 'logger'> & { readonly ncmp?: NcmpEngine; readonly maapi?: MaapiWiring } = {},
): RunningNsoMock {
  const { onUnexpectedFrame, ackTimeoutMs, logger } = options;
  let ncmp: NcmpEngine | undefined = options.ncmp;
  const addresses = server.addresses;
  const harness = new MockHarness(server, {
    ...(onUnexpectedFrame === undefined ? {} : { onUnexpectedFrame }),
    ...(ackTimeoutMs === undefined ? {} : { ackTimeoutMs }),
    ...(logger === undefined ? {} : { logger }),
  });
  const toxics = new Toxics(server);
  const counter = new TrafficCounter(server);
  // Whoever detaches the harness from a server that stays up (the control API around serve's
  // server) detaches the toxics and the counter with it: nothing of this wrapper stays listening.
  const detachHarness = harness.detach.bind(harness);
  harness.detach = (): void => {
    detachHarness();
    toxics.detach();
    counter.detach();
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= (harness.detach(), Promise.all([server.close(), ncmp?.close()]).then(() => undefined)));
  return {
    server,
    addresses,
    clock: server.clock,
    harness,
    emit(input, emitOptions = {}) {
      // The Delivery now, the settled result when awaited: the emit happens once, here.
      const { within, noWait, ...rest } = emitOptions;
      const delivery = server.emit(input, rest);
      let settled: Promise<EmitResult> | undefined;
      const result = (): Promise<EmitResult> =>
        (settled ??= harness.settle(delivery, { ...(within === undefined ? {} : { within }), ...(noWait === undefined ? {} : { noWait }) }));
      return {
        ...delivery,
        then<A = EmitResult, B = never>(onOk?: ((r: EmitResult) => A | PromiseLike<A>) | null, onError?: ((e: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B> {
          return result().then(onOk, onError);
        },
      };
    },
    waitFor: (predicate, waitOptions) => harness.waitFor(predicate, waitOptions),
    waitForSubscribers: (count, waitOptions) => harness.waitForSubscribers(count, waitOptions),
    waitForAck: (match, waitOptions) => harness.waitForAck(match, waitOptions),
    get subscribers() {
      return harness.subscribers;
    },
    get journal() {
      return harness.journal();
    },
    get journalStats() {
      return harness.server.journal.stats();
    },
    get violations() {
      return harness.violations;
    },
    get acks() {
      return harness.acks;
    },
    assertNoPendingAcks: () => harness.assertNoPendingAcks(),
    toxics,
    count: (filter) => counter.count(filter),
    reset: (resetOptions) => {
      toxics.clear();
      harness.reset(resetOptions);
    },
    async play(what, playOptions = {}) {
      // Read before the first await: a dispose right after this call must count as mid-run.
      const openAtStart = closing === undefined;
      // The player (and the YAML/schema machinery) loads on first use: a server that only serves
      // starts faster (the CLI's ready line, bench/startup.bench.ts).
      const { loadScenario, playScenario, scenarioFromDocument } = await import('../scenarios/index.js');
      const loaded =
        typeof what === 'string'
          ? await loadScenario(what, playOptions.load)
          : isScenario(what)
            ? what
            : await scenarioFromDocument(what, playOptions.load);
      // NCMP: the engine the caller gave, else the mock's, created now for a scenario that uses
      // NCMP; the run's seed is fixed here so the engine's ids and the player agree on it.
      let seed = playOptions.seed;
      // MAAPI: commit-diff transactions and expect-maapi go through the mock's MAAPI server.
      let extensions = options.maapi === undefined || playOptions.extensions?.['maapi'] !== undefined ? playOptions.extensions : { maapi: options.maapi.service, ...playOptions.extensions };
      let engine = extensions?.ncmp;
      const ncmpModule = await import('../ncmp/index.js');
      if (engine === undefined && ncmpModule.scenarioUsesNcmp(loaded)) {
        seed ??= loaded.seed ?? Math.floor(Math.random() * 0x7fffffff);
        const settings = loaded.extensions[ncmpModule.NCMP_SCENARIO_KEY] as NcmpScenarioSettings | undefined;
        ncmp ??= ncmpModule.createNcmpEngine(ncmpModule.ncmpEngineOptions(settings, { seed, clock: server.clock }));
        engine = ncmp;
        extensions = { ...extensions, ncmp };
      }
      engine?.warmUp();
      const before = new Map(engine?.store.topics().map((t) => [t.topic, t.records]));
      const played = await playScenario(loaded, server, {
        clock: server.clock,
        ...(playOptions.signal === undefined ? {} : { signal: playOptions.signal }),
        ...(seed === undefined ? {} : { seed }),
        ...(playOptions.onLog === undefined ? {} : { onLog: playOptions.onLog }),
        ...(extensions === undefined ? {} : { extensions }),
      });
      // Closed mid-run (typically `return mock.play(…)` inside an `await using mock` scope, which
      // disposes of the mock before the play settles): the steps after that fail with "the server
      // is closed", or pass if they never touch it. Said once, with the cause, and never passed.
      const report: RunReport =
        openAtStart && closing !== undefined && played.status !== 'aborted'
          ? {
              ...played,
              status: 'failed',
              failures: [
                ...played.failures,
                'the mock was closed while the scenario was playing: close it after play() settles (inside an `await using mock` scope, `return await mock.play(…)`, not `return mock.play(…)`)',
              ],
            }
          : played;
      if (engine === undefined) return report;
      return { ...report, ncmp: ncmpModule.ncmpRunReport(engine, before) };
    },
    get ncmp() {
      return ncmp;
    },
    maapi: options.maapi?.maapi,
    close,
    [Symbol.asyncDispose]: close,
  };
}
