/**
 * `serve` and `run`: load the scenario (an invalid one exits 2 before anything listens), start the
 * mock, print the ready line as the first line on stdout, play, report, and (serve) keep serving
 * until SIGINT/SIGTERM.
 */
import { NsoMockError } from '../codec/index.js';
import { createMockServer, describeClosed, type MockServer } from '../server/index.js';
import type { RunLogEvent, RunReport, Scenario } from '../scenarios/index.js';
import type { WriteStream } from 'node:fs';
import type { ClientRunReport, ClientUnderTest } from './client-under-test.js';
import type { CliNcmp } from './commands/ncmp.js';
import { DEFAULT_CLIENT_GRACE_MS, type RunClientArgs } from './commands/run.js';
import type { ServerArgs } from './commands/options.js';
import { DEFAULT_PORT, ncmpOptionsGiven, serverLimitsOf } from './commands/options.js';
import { type CommandIo, processSignals } from './command-io.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { createMaapiWiring, type MaapiWiring } from '../maapi/index.js';
import { createLogger, type CliLogger } from './logger.js';
import { checkReportPath, formatSummary, writeJsonReport, writeJUnitReport } from './reports.js';

/** What `serve` and `run` were asked to do. */
export interface ServerCommandArgs extends ServerArgs, RunClientArgs {
  readonly mode: 'serve' | 'run';
  readonly scenario?: string;
}

/** Where the command writes (tests pass their own streams). */
export type ServerCommandIo = CommandIo;

/** How a signal reaches the run: the abort signal of the scenario, and (serve) the end of serving. */
interface StopControl {
  readonly controller: AbortController;
  readonly stopped: Promise<void>;
}

/**
 * Runs `serve` or `run` and resolves with the exit code.
 * @example
 *   process.exitCode = await runServer({ mode: 'run', scenario: 'x.yaml', host: '127.0.0.1', 'log-format': 'text', verbose: false });
 */
export async function runServer(
  args: ServerCommandArgs,
  io: ServerCommandIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<ExitCode> {
  const logger = createLogger({ format: args['log-format'], verbose: args.verbose, stream: io.stderr as never });
  const controller = new AbortController();
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  // The handlers go in before anything listens: until a process has a SIGTERM handler the signal
  // kills it outright, so one sent right after the ready line (or during startup) would skip the
  // cleanup (listeners closed, the Unix socket file removed) and the documented exit code.
  const removeSignals = (io.onStop ?? processSignals)((why) => {
    logger.log('info', `stopping (${why})`);
    controller.abort(new Error(why));
    stopRequested();
  });
  try {
    return await serveAndPlay(args, io, logger, { controller, stopped });
  } finally {
    removeSignals();
  }
}

async function serveAndPlay(args: ServerCommandArgs, io: ServerCommandIo, logger: CliLogger, stop: StopControl): Promise<ExitCode> {
  const { controller, stopped } = stop;
  if (args.profile === 'nso6x') {
    logger.log('warn', 'profile nso6x is deprecated: it is an alias of nso66 (NSO 6.2 layouts plus the inferred call-home device-disconnected); use nso62 for NSO 6.2 clients, or leave --profile out to pick per connection');
  }
  // 1. The scenario first: an invalid file must not look like a started server.
  let scenario: Scenario | undefined;
  if (args.scenario !== undefined) {
    try {
      const { loadScenario } = await import('../scenarios/index.js');
      scenario = await loadScenario(args.scenario, args.profile === undefined ? {} : { profile: args.profile });
    } catch (error) {
      return reportStartupError(error, logger);
    }
  }
  // 1b. The output files, also before anything listens: a path that cannot be written is bad usage.
  let clientLog: WriteStream | undefined;
  try {
    if (args.report !== undefined) await checkReportPath(args.report, 'report');
    if (args.junit !== undefined) await checkReportPath(args.junit, 'junit');
    if (args.client !== undefined && args['client-log'] !== undefined) {
      const { openClientLog } = await import('./client-under-test.js');
      clientLog = await openClientLog(args['client-log']);
    }
  } catch (error) {
    return reportStartupError(error, logger);
  }
  // 2. The server.
  const tcp = args.port !== undefined || args.unix === undefined ? { host: args.host, port: args.port ?? DEFAULT_PORT } : false;
  // The server directly, not the harness: the harness index brings the conformance runner and
  // fast-check, which `serve` does not need before its ready line (bench/startup.bench.ts).
  let server: MockServer;
  let maapi: MaapiWiring;
  try {
    // MAAPI (docs/maapi.md) on the same listeners: attach, diff_iterate, reads, schema loading.
    // --schema wins over the scenario's `schema:` (its files resolved when it loaded).
    const files = args.schema !== undefined && args.schema.length > 0 ? args.schema : (scenario?.schemaFiles ?? []);
    const schema = files.length === 0 ? undefined : (await import('../schema/index.js')).loadSchema(files);
    maapi = createMaapiWiring(schema === undefined ? {} : { schema });
    maapi.onCall((call) => {
      const what = `maapi: connection ${call.connectionId}: ${call.name}${call.th === undefined ? '' : ` th ${call.th}`}`;
      if (call.ok) logger.log('debug', `${what} ok${call.detail === undefined ? '' : ` (${call.detail})`}`, { connection: call.connectionId, op: call.name });
      else logger.log('warn', `${what} error ${call.code ?? '?'}: ${call.detail ?? ''}`, { connection: call.connectionId, op: call.name, code: call.code });
    });
    server = createMockServer({
      ...(scenario === undefined ? {} : (await import('../scenarios/index.js')).scenarioServerOptions(scenario)),
      ...serverLimitsOf(args),
      clientHandlers: maapi.clientHandlers,
      tcp,
      ...(args.unix === undefined ? {} : { unix: args.unix }),
      ...(args['unix-mode'] === undefined ? {} : { unixMode: Number.parseInt(args['unix-mode'], 8) }),
      ...(args.profile === undefined ? {} : { profile: args.profile }),
      ...(args['access-secret-file'] === undefined ? {} : { accessSecretFile: args['access-secret-file'] }),
    });
    maapi.bind(server);
    await server.listen();
  } catch (error) {
    clientLog?.end();
    return reportStartupError(error, logger);
  }
  const exposed = server.addresses.tcp;
  if (exposed !== undefined && !isLoopback(exposed.host) && args['access-secret-file'] === undefined) {
    // The event port has no authentication of its own: whoever reaches it can subscribe and read
    // every notification (PROTOCOL.md §3: only the IPC access check, with a secret, authenticates).
    logger.log(
      'warn',
      `the IPC port ${exposed.host}:${exposed.port} is not on loopback and has no authentication: anyone who can reach it can subscribe and read every notification; listen on 127.0.0.1 (--host), or require the IPC access check with --access-secret-file`,
      { host: exposed.host, port: exposed.port },
    );
  }
  // 2b. The HTTP control API, when asked for (fastify loads only then).
  let control: { readonly url: string; close(): Promise<void> } | undefined;
  if (args['control-port'] !== undefined) {
    try {
      const { startControlFromArgs } = await import('./commands/control.js');
      control = await startControlFromArgs(server, args, process.env, maapi);
    } catch (error) {
      clientLog?.end();
      await server.close();
      return reportStartupError(error, logger);
    }
  }
  // 2c. NCMP (docs/ncmp.md), when the scenario or an option uses it: src/ncmp loads only then.
  // The run's seed is fixed here so the engine's ids and the player's choices derive from the same one.
  let ncmp: CliNcmp | undefined;
  let seed = args.seed;
  if (ncmpOptionsGiven(args) || (scenario !== undefined && (await import('../ncmp/index.js')).scenarioUsesNcmp(scenario))) {
    seed ??= scenario?.seed ?? Math.floor(Math.random() * 0x7fffffff);
    try {
      const { startNcmpFromArgs } = await import('./commands/ncmp.js');
      ncmp = await startNcmpFromArgs(args, scenario, { seed, clock: server.clock, logger });
    } catch (error) {
      clientLog?.end();
      await control?.close();
      await server.close();
      return reportStartupError(error, logger);
    }
  }
  // 3. The ready line: the first (and in serve mode the only) line on stdout.
  const { addresses } = server;
  io.stdout.write(
    `${JSON.stringify({
      event: 'ready',
      tcp: addresses.tcp ?? null,
      unix: addresses.unix ?? null,
      ...(control === undefined ? {} : { control: control.url }),
      ...(ncmp?.url === undefined ? {} : { ncmp: { url: ncmp.url } }),
    })}\n`,
  );
  if (control !== undefined) logger.log('info', `control API on ${control.url}`, { control: control.url });
  const where = [addresses.tcp === undefined ? undefined : `tcp ${addresses.tcp.host}:${addresses.tcp.port}`, addresses.unix === undefined ? undefined : `unix ${addresses.unix}`]
    .filter((x) => x !== undefined)
    .join(' and ');
  logger.log('info', `listening on ${where}`, { tcp: addresses.tcp ?? null, unix: addresses.unix ?? null });

  let report: RunReport | undefined;
  let client: ClientUnderTest | undefined;
  let code: ExitCode = EXIT_CODES.ok;
  try {
    // 4. The client under test (`run --client`), now that its address is known.
    if (args.client !== undefined && scenario !== undefined) {
      const { clientPlaceholders, startClientUnderTest } = await import('./client-under-test.js');
      client = await startClientUnderTest({
        template: args.client,
        placeholders: clientPlaceholders(scenario, {
          tcp: addresses.tcp,
          unix: addresses.unix,
          // the loaded scenario's profile already has --profile applied and nso6x resolved (auto or a profile)
          profile: scenario.profile,
          accessFile: args['access-secret-file'],
        }),
        logger,
        logFormat: args['log-format'],
        stderr: io.stderr,
        ...(clientLog === undefined ? {} : { logFile: clientLog }),
        ...(args['client-log'] === undefined ? {} : { logPath: args['client-log'] }),
        graceMs: args['client-grace'] ?? DEFAULT_CLIENT_GRACE_MS,
        onFailedExit: (exit) => {
          // Whatever the scenario still waits for cannot come: fail fast instead of timing out.
          const how = exit.signal === null ? `exited with code ${String(exit.code)}` : `was killed by ${exit.signal}`;
          logger.log('error', `the client ${how} before the scenario ended`, { code: 'NSOMOCK_HARNESS_CLIENT_FAILED', exit: { code: exit.code, signal: exit.signal } });
          controller.abort(new Error(`the client ${how}`));
        },
      });
    }
    // NCMP's event schemas compile after the ready line but before the first step (~150 ms).
    ncmp?.engine.warmUp();
    // The demo loads after the ready line: it is trusted, and the schema machinery costs startup time.
    const toPlay = scenario ?? (args.mode === 'serve' ? await loadDemo() : undefined);
    // Stopped before the demo began: nothing to report.
    if (toPlay !== undefined && !(scenario === undefined && controller.signal.aborted)) {
      const { playScenario } = await import('../scenarios/index.js');
      report = await playScenario(toPlay, server, {
        clock: server.clock,
        signal: controller.signal,
        ...(seed === undefined ? {} : { seed }),
        onLog: (event) => logRun(logger, event),
        extensions: { maapi: maapi.service, ...(ncmp === undefined ? {} : { ncmp: ncmp.engine }) },
      });
      if (ncmp !== undefined) report = await withNcmp(report, ncmp, args.mode, logger);
      let clientSection: ClientRunReport | undefined;
      if (client !== undefined) {
        clientSection = await client.finish(report.connections.length > 0 && server.subscribers().length === 0);
        const { withClient } = await import('./client-under-test.js');
        report = withClient(report, clientSection);
      }
      io.stderr.write(
        args['log-format'] === 'json'
          ? ''
          : formatSummary(report, { stopped: args.mode === 'serve' }) + (ncmp === undefined ? '' : await ncmpSummary(report)) + (clientSection === undefined ? '' : await clientSummary(clientSection)),
      );
      if (args['log-format'] === 'json') {
        if (clientSection !== undefined) logger.log('info', `client ${clientSection.ended}`, { client: clientSection });
        logger.log(report.status === 'passed' ? 'info' : 'error', 'run finished', { status: report.status, failures: report.failures });
      }
      if (report.failures.length > 0 || (args.mode === 'run' && report.status !== 'passed')) code = EXIT_CODES.failed;
      if (!(await writeReports(args, report, logger))) code = EXIT_CODES.usage;
    }
    if (args.mode === 'serve' && !controller.signal.aborted) {
      logServerEvents(server, logger);
      logger.log('info', 'serving until SIGINT or SIGTERM');
      await stopped;
    }
    if (args.mode === 'run') {
      io.stdout.write(`${JSON.stringify({ event: 'done', status: report?.status ?? 'aborted', exitCode: code })}\n`);
    }
  } catch (error) {
    code = reportStartupError(error, logger);
  } finally {
    await client?.stop();
    clientLog?.end();
    await control?.close();
    await ncmp?.close();
    await server.close();
  }
  return code;
}

/**
 * The run report with its NCMP part (`report.ncmp`: the records per topic). In `run` mode the
 * brokers must have acknowledged every record first: a record that never reached Kafka fails the run.
 */
async function withNcmp(report: RunReport, ncmp: CliNcmp, mode: ServerCommandArgs['mode'], logger: CliLogger): Promise<RunReport> {
  let failures = report.failures;
  if (mode === 'run') {
    try {
      await ncmp.flushed();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.log('error', message, { code: (error as { code?: unknown }).code });
      failures = [...failures, `ncmp: ${message}`];
    }
  }
  return {
    ...report,
    ...(failures === report.failures ? {} : { status: 'failed' as const, failures }),
    ncmp: ncmp.report(),
  };
}

async function ncmpSummary(report: RunReport): Promise<string> {
  const section = report.ncmp;
  if (section === undefined) return '';
  const { formatNcmpSummary } = await import('./commands/ncmp.js');
  return formatNcmpSummary(section);
}

async function clientSummary(section: ClientRunReport): Promise<string> {
  const { formatClientSummary } = await import('./client-under-test.js');
  return formatClientSummary(section);
}

async function loadDemo(): Promise<Scenario> {
  const [{ scenarioFromDocument }, { demoScenario }] = await Promise.all([import('../scenarios/index.js'), import('./demo.js')]);
  // Trusted: test/cli/demo.test.ts validates it; skipping Ajv saves ~100 ms of CPU after startup.
  return scenarioFromDocument(demoScenario, { trusted: true });
}

function logRun(logger: CliLogger, event: RunLogEvent): void {
  logger.log(event.level, event.message, { at: event.at, ...(event.step === undefined ? {} : { step: event.step }) });
}

function logServerEvents(server: MockServer, logger: CliLogger): void {
  server.on('subscribed', (s) => {
    const from = s.profileChoice.basis === 'forced' ? 'forced' : `from protocol ${s.header?.protocolVersion ?? '?'}`;
    logger.log('info', `connection ${s.id} subscribed (mask ${s.subscription.mask}, profile ${s.profile} ${from})`, { connection: s.id, profile: s.profile });
    if (s.profileChoice.note !== undefined) logger.log('warn', `connection ${s.id}: ${s.profileChoice.note}`, { connection: s.id });
  });
  // Never silent: a notification a connection's profile lacks (or that failed to encode) is logged.
  server.on('not-sent', (e) => logger.log(e.reason === 'unencodable' ? 'error' : 'info', e.message, { connection: e.connectionId, reason: e.reason }));
  server.on('violation', (v) =>
    logger.log('warn', `connection ${v.connectionId}: violation ${v.code} (expected ${v.expected}, got ${v.actual})`, { connection: v.connectionId, code: v.code }),
  );
  server.on('closed', (e) => logger.log('info', describeClosed(e), { connection: e.connectionId }));
}

/** Writes `--report` and `--junit`; false (logged, without a stack) when one could not be written. */
async function writeReports(args: ServerCommandArgs, report: RunReport, logger: CliLogger): Promise<boolean> {
  let ok = true;
  const files = [
    { option: 'report', kind: 'JSON', path: args.report, write: writeJsonReport },
    { option: 'junit', kind: 'JUnit', path: args.junit, write: writeJUnitReport },
  ];
  for (const { option, kind, path, write } of files) {
    if (path === undefined) continue;
    try {
      await write(path, report);
      logger.log('info', `wrote the ${kind} report to ${path}`);
    } catch (error) {
      // Checked before the run (checkReportPath); this is a disk that filled or a path removed since.
      logger.log('error', `Failed to write the ${kind} report: ${error instanceof Error ? error.message : String(error)} (${path})`, { option });
      ok = false;
    }
  }
  return ok;
}

/** Whether a bound address is loopback only (127.0.0.0/8, ::1, and IPv4-mapped 127.x). */
function isLoopback(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || /^::ffff:127\.\d+\.\d+\.\d+$/i.test(host) || host === 'localhost';
}

/**
 * What to do about an address in use, naming the option that chose it: port 4569 is the default,
 * so a second mock, or a local NSO, is the usual holder.
 */
function addressInUseHint(error: NsoMockError): string | undefined {
  const details = error.details as { errno?: unknown; address?: unknown } | undefined;
  const errno = details?.errno ?? (error.cause as { code?: unknown } | undefined)?.code;
  if (errno !== 'EADDRINUSE') return undefined;
  const another = (option: string): string => `choose another ${option} (0 picks a free one; the ready line names it)`;
  if (error.message.startsWith('Failed to start the control API')) return `another process listens there: ${another('--control-port')}`;
  if (error.message.startsWith('Failed to start the NCMP feed')) return `another process listens there: ${another('--ncmp-port')}`;
  if (typeof details?.address === 'string' && !/:\d+$/.test(details.address)) return 'another server listens on that socket: stop it, or choose another --unix path';
  return `another process listens there (a second nso-mock, or NSO itself on its IPC port 4569?): stop it, or ${another('--port')}`;
}

/** Scenario, usage and bind problems exit 2; anything else is an internal failure (1). */

function reportStartupError(error: unknown, logger: CliLogger): ExitCode {
  if (error instanceof NsoMockError && (error.code === 'NSOMOCK_SCENARIO_INVALID' || error.code === 'NSOMOCK_SCENARIO_INCLUDE')) {
    logger.log('error', error.message, { code: error.code, problems: (error.details as { problems?: unknown }).problems });
    return EXIT_CODES.usage;
  }
  if (
    error instanceof NsoMockError &&
    (error.code === 'NSOMOCK_USAGE' || error.code === 'NSOMOCK_SERVER_LISTEN_FAILED' || error.code === 'NSOMOCK_NCMP_KAFKA' || error.code === 'NSOMOCK_SCHEMA_INVALID')
  ) {
    logger.log('error', error.message, { code: error.code });
    const hint = addressInUseHint(error);
    if (hint !== undefined) logger.log('info', hint);
    return EXIT_CODES.usage;
  }
  logger.log('error', error instanceof Error ? (error.stack ?? error.message) : String(error));
  return EXIT_CODES.failed;
}
