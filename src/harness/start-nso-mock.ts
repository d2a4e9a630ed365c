/**
 * The test API's entry point: a started mock (server listening, scenario player ready) with a
 * typed lifecycle. `await using mock = await startNsoMock()` closes it at the end of the scope
 * (`Symbol.asyncDispose`, as testcontainers' started containers do).
 */
import type { Notification, NotificationInput, Profile } from '../codec/index.js';
import {
  createMockServer,
  type BoundAddresses,
  type Clock,
  type Delivery,
  type EmitOptions,
  type MockServer,
  type MockServerOptions,
} from '../server/index.js';
import type { LoadScenarioOptions, RunLogEvent, RunReport, Scenario, ScenarioDocument } from '../scenarios/index.js';

/** Options of {@link startNsoMock}: server options, plus a scenario whose options configure the server. */
export interface StartNsoMockOptions extends MockServerOptions {
  /**
   * A loaded scenario whose `profile`, `options.strict`, `options.event-reply-timeout` and
   * `options.write-stall-timeout` apply to the server (explicit options here win).
   */
  readonly scenario?: Scenario;
}

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
  /** Services for extension steps (NCMP). */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** A started mock. */
export interface RunningNsoMock extends AsyncDisposable {
  /** The server, for everything the harness does not wrap (journal, streams, fault injection). */
  readonly server: MockServer;
  /** Where it listens: `tcp` (host, port) and/or `unix` (path). */
  readonly addresses: BoundAddresses;
  readonly clock: Clock;
  /** Sends a notification to its subscribers (PROTOCOL.md §10.1). @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`. */
  emit(input: NotificationInput | Notification, options?: EmitOptions): Delivery;
  /**
   * Plays a scenario (a loaded one, a document, or a file path) against this server.
   * @throws ScenarioError `NSOMOCK_SCENARIO_INVALID` when a document or file does not load; step
   *   failures are in the report, not thrown (see `assertRunPassed`).
   */
  play(scenario: Scenario | ScenarioDocument | string, options?: PlayOptions): Promise<RunReport>;
  /** Closes listeners and connections. Idempotent. */
  close(): Promise<void>;
}

function isScenario(value: Scenario | ScenarioDocument): value is Scenario {
  return 'options' in value && typeof (value as Scenario).options.ackTimeoutMs === 'number' && Array.isArray(value.steps);
}

/** Server options a scenario asks for (explicit options win). */
function serverOptionsOf(scenario: Scenario | undefined): MockServerOptions {
  if (scenario === undefined) return {};
  const o = scenario.options;
  const profile: Profile = scenario.profile;
  return {
    profile,
    ...(o.strict === undefined ? {} : { strict: o.strict }),
    ...(o.eventReplyTimeoutMs === undefined ? {} : { eventReplyTimeoutMs: o.eventReplyTimeoutMs }),
    ...(o.writeStallTimeoutMs === undefined ? {} : { writeStallTimeoutMs: o.writeStallTimeoutMs }),
  };
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
    ...serverOptionsOf(scenario),
    ...(rest.tcp === undefined && rest.unix === undefined ? { tcp: { host: '127.0.0.1', port: 0 } } : {}),
    ...rest,
  };
  const server = createMockServer(serverOptions);
  const addresses = await server.listen();
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= server.close());
  return {
    server,
    addresses,
    clock: server.clock,
    emit: (input, emitOptions) => server.emit(input, emitOptions),
    async play(what, playOptions = {}) {
      // The player (and the YAML/schema machinery) loads on first use: a server that only serves
      // starts faster (the CLI's ready line, bench/startup.bench.ts).
      const { loadScenario, playScenario, scenarioFromDocument } = await import('../scenarios/index.js');
      const loaded =
        typeof what === 'string'
          ? await loadScenario(what, playOptions.load)
          : isScenario(what)
            ? what
            : await scenarioFromDocument(what, playOptions.load);
      return playScenario(loaded, server, {
        clock: server.clock,
        ...(playOptions.signal === undefined ? {} : { signal: playOptions.signal }),
        ...(playOptions.seed === undefined ? {} : { seed: playOptions.seed }),
        ...(playOptions.onLog === undefined ? {} : { onLog: playOptions.onLog }),
        ...(playOptions.extensions === undefined ? {} : { extensions: playOptions.extensions }),
      });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
