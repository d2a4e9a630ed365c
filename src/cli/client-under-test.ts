/**
 * `nso-mock run F --client CMD`: the client under test as a child of the run. It starts once the
 * mock listens, with the placeholders and NSO environment variables of `conform` and `fuzz`
 * (harness `ClientProcess.fromTemplate`: same quoting, own process group, stderr tail). Its output
 * never reaches nso-mock's stdout, which carries only the machine lines: it goes to stderr, each
 * line prefixed, or to `--client-log`. A client that exits with an error or dies before the
 * scenario ends fails the run; one still running at the end is stopped (SIGTERM, then SIGKILL).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { NOTIF, notificationTypes, UsageError } from '../codec/index.js';
import type { ClientExit, ClientProcess, Placeholders } from '../harness/index.js';
import type { RunReport, Scenario, Step } from '../scenarios/index.js';
import type { CliLogger } from './logger.js';

/** How the client's run ended, in the run report (`client`) and the summary. */
export interface ClientRunReport {
  /** The command as run (placeholders filled). */
  readonly command: string;
  /** Its exit (a spawn failure is code 127, as `sh` reports a missing command). */
  readonly exit: { readonly code: number | null; readonly signal: string | null };
  /**
   * `during-scenario`: it exited by itself before the scenario ended; `stopped`: the run stopped
   * it with SIGTERM; `killed`: it outlived the SIGTERM by `--client-grace` and got SIGKILL.
   */
  readonly ended: 'during-scenario' | 'stopped' | 'killed';
  /** The last lines of its stderr. */
  readonly stderrTail: readonly string[];
  /** The `--client-log` file, when given. */
  readonly log?: string;
}

/** The flags of the subscription mask and their names in scenarios (PROTOCOL.md §10.1). */
const FLAG_NAMES: readonly (readonly [string, number])[] = [
  ['takeover-syslog', NOTIF.TAKEOVER_SYSLOG],
  ['audit-sync', NOTIF.AUDIT_SYNC],
  ['ha-info-sync', NOTIF.HA_INFO_SYNC],
  ['audit-network-sync', NOTIF.AUDIT_NETWORK_SYNC],
];

/**
 * The names of a mask's bits, as a scenario writes them (`commit-diff,audit-sync`).
 * @example maskNamesOf(16 | 131072) // ['commit-diff', 'audit-sync']
 */
export function maskNamesOf(mask: number): string[] {
  const types = Object.entries(notificationTypes)
    .filter(([, spec]) => (mask & spec.bit) !== 0)
    .map(([name]) => name);
  return [...types, ...FLAG_NAMES.filter(([, bit]) => (mask & bit) !== 0).map(([name]) => name)];
}

function firstStep<K extends Step['kind']>(steps: readonly Step[], kind: K, accept: (s: Extract<Step, { kind: K }>) => boolean): Extract<Step, { kind: K }> | undefined {
  for (const step of steps) {
    if (step.kind === kind && accept(step as Extract<Step, { kind: K }>)) return step as Extract<Step, { kind: K }>;
    if ('steps' in step) {
      const inner = firstStep(step.steps, kind, accept);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/** The heartbeat / health-check interval, ms, that `run --client` asks a client to subscribe with (§13). */
export const CLIENT_TIMER_INTERVAL_MS = 1000;

/** Where the mock listens and what it was started with. */
export interface ClientContext {
  readonly tcp?: { readonly host: string; readonly port: number } | undefined;
  readonly unix?: string | undefined;
  readonly profile: string;
  readonly accessFile?: string | undefined;
}

/**
 * The placeholder values of `run --client`: the mock's addresses, and from the scenario the mask
 * of its first `await-subscribers` with one, the name of its first stream, and its name as `{case}`.
 * `{heartbeat}` and `{health_check}` are {@link CLIENT_TIMER_INTERVAL_MS} when that mask has the
 * heartbeat or health-check bit (a C client refuses the bit without an interval: "Need heartbeat
 * interval"), else 0.
 * @example
 *   clientPlaceholders(scenario, { tcp: { host: '127.0.0.1', port: 4569 }, profile: 'nso57' }).mask // 16
 */
export function clientPlaceholders(scenario: Scenario, context: ClientContext): Placeholders {
  const mask = firstStep(scenario.steps, 'await-subscribers', (s) => s.mask !== 0)?.mask;
  return {
    host: context.tcp?.host,
    port: context.tcp?.port,
    unix: context.unix,
    mask,
    mask_names: mask === undefined ? undefined : maskNamesOf(mask).join(','),
    heartbeat: mask !== undefined && (mask & NOTIF.HEARTBEAT) !== 0 ? CLIENT_TIMER_INTERVAL_MS : 0,
    health_check: mask !== undefined && (mask & NOTIF.HEALTH_CHECK) !== 0 ? CLIENT_TIMER_INTERVAL_MS : 0,
    stream: firstStep(scenario.steps, 'stream', () => true)?.stream,
    profile: context.profile,
    access_file: context.accessFile,
    case: scenario.name,
  };
}

/**
 * Opens `--client-log` (creating its directory) before anything listens, so that a path that
 * cannot be written is a usage error (exit 2) rather than a failure after the run.
 * @throws UsageError `NSOMOCK_USAGE` when the file cannot be opened.
 */
export async function openClientLog(path: string): Promise<WriteStream> {
  try {
    await mkdir(dirname(path), { recursive: true });
    const stream = createWriteStream(path);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError('NSOMOCK_USAGE', `Failed to open the client log: ${reason} (${path})`, { cause: error, details: { option: 'client-log', value: path } });
  }
}

/** Options of {@link startClientUnderTest}. */
export interface ClientUnderTestOptions {
  readonly template: string;
  readonly placeholders: Placeholders;
  readonly logger: CliLogger;
  readonly logFormat: 'text' | 'json';
  /** Where the prefixed lines go in text format (the command's stderr). */
  readonly stderr: NodeJS.WritableStream;
  /** Where the client's output goes instead of the logger (`--client-log`). */
  readonly logFile?: WriteStream;
  readonly logPath?: string;
  /** Ms between SIGTERM and SIGKILL. */
  readonly graceMs: number;
  /** Called once when the client exits by itself with an error or a signal (the run then stops). */
  readonly onFailedExit: (exit: ClientExit) => void;
}

/** A running client under test. */
export interface ClientUnderTest {
  readonly process: ClientProcess;
  /**
   * Called when the scenario has ended: waits a moment for a client that already lost its
   * connection (`lostConnection`: its exit may be reaped after its socket closed), stops it if it
   * still runs, and says how it ended.
   */
  finish(lostConnection: boolean): Promise<ClientRunReport>;
  /** Stops it whatever the state of the run (error paths); idempotent. */
  stop(): Promise<void>;
}

/** How long after the scenario a client with no connection left gets to be reaped as exited. */
const REAP_MS = 1000;

function forwardLines(stream: Readable | null, write: (line: string) => void): void {
  if (stream === null) return;
  let partial = '';
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) write(line.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (partial !== '') write(partial);
    partial = '';
  });
}

/**
 * Spawns the client and routes its output.
 * @example
 *   const client = await startClientUnderTest({ template: 'python3 c.py --port {port}', placeholders, logger, logFormat: 'text', stderr: process.stderr, graceMs: 1000, onFailedExit: abort });
 */
export async function startClientUnderTest(options: ClientUnderTestOptions): Promise<ClientUnderTest> {
  const { ClientProcess } = await import('../harness/index.js');
  const child = ClientProcess.fromTemplate(options.template, options.placeholders, { keepStdout: false, stderrLines: 50 });
  options.logger.log('info', `started the client: ${child.command}`, { command: child.command, pid: child.child.pid ?? null });
  const { logFile } = options;
  if (logFile !== undefined) {
    // Both streams, as they come: what `CMD > F 2>&1` would give.
    child.child.stdout?.on('data', (chunk: string) => logFile.write(chunk));
    child.child.stderr?.on('data', (chunk: string) => logFile.write(chunk));
  } else if (options.logFormat === 'json') {
    forwardLines(child.child.stdout, (line) => options.logger.log('info', line, { client: 'stdout' }));
    forwardLines(child.child.stderr, (line) => options.logger.log('info', line, { client: 'stderr' }));
  } else {
    const { stderr } = options;
    forwardLines(child.child.stdout, (line) => stderr.write(`[client] ${line}\n`));
    forwardLines(child.child.stderr, (line) => stderr.write(`[client stderr] ${line}\n`));
  }
  // A hard exit of nso-mock (a second signal) must not leave the client's process group behind.
  const killOnExit = (): void => {
    const pid = child.child.pid;
    if (child.running && pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', killOnExit);

  let scenarioEnded = false;
  let endedDuringScenario = false;
  void child.exited.then((exit) => {
    if (exit.stopped || scenarioEnded) return;
    endedDuringScenario = true;
    if (exit.code !== 0 || exit.signal !== null) options.onFailedExit(exit);
  });
  const closeLog = async (): Promise<void> => {
    if (logFile === undefined || logFile.closed) return;
    await new Promise<void>((resolve) => logFile.end(() => resolve()));
  };
  const stop = async (): Promise<ClientExit> => {
    const exit = await child.stop(options.graceMs);
    process.off('exit', killOnExit);
    await closeLog();
    return exit;
  };
  return {
    process: child,
    async finish(lostConnection) {
      if (child.running && lostConnection) await child.waitForExit(REAP_MS);
      // Exits from here on are the run's doing (or after the scenario): not the client's fault.
      scenarioEnded = true;
      const exit = await stop();
      // `exited` settles before this line runs (stop awaited it), so the flag is final here.
      const ended: ClientRunReport['ended'] = endedDuringScenario ? 'during-scenario' : exit.signal === 'SIGKILL' ? 'killed' : 'stopped';
      if (ended === 'killed') options.logger.log('warn', `the client did not exit within ${options.graceMs} ms of SIGTERM: killed it`);
      return {
        command: child.command,
        exit: { code: exit.code, signal: exit.signal },
        ended,
        stderrTail: child.stderrTail.slice(-20),
        ...(options.logPath === undefined ? {} : { log: options.logPath }),
      };
    },
    async stop() {
      await stop();
    },
  };
}

/**
 * Why the client fails the run, or undefined: it exited with an error or was killed by a signal
 * before the scenario ended. The last stderr lines are part of the reason (CI shows this line).
 * @example clientFailure(section) // 'the client exited with code 3 before the scenario ended; its stderr ended with: boom'
 */
export function clientFailure(section: ClientRunReport): string | undefined {
  if (section.ended !== 'during-scenario') return undefined;
  const { code, signal } = section.exit;
  if (signal === null && code === 0) return undefined;
  const how = signal !== null ? `was killed by ${signal}` : `exited with code ${String(code)}`;
  const tail = section.stderrTail.filter((l) => l.trim() !== '').slice(-3);
  return `the client ${how} before the scenario ended${tail.length === 0 ? ' (nothing on its stderr)' : `; its stderr ended with: ${tail.join(' | ')}`}`;
}

/**
 * The run report with its `client` section; a client that failed puts its reason first and
 * makes the status `failed` (also when the run was aborted because of it).
 */
export function withClient(report: RunReport, section: ClientRunReport): RunReport {
  const failure = clientFailure(section);
  return {
    ...report,
    ...(failure === undefined ? {} : { status: 'failed' as const, failures: [failure, ...report.failures] }),
    client: section,
  } as RunReport;
}

/**
 * The client lines of the run summary (stderr): how it ended and, when it failed the run, the
 * tail of its stderr.
 * @example formatClientSummary(section) // '  client: stopped (SIGTERM) after the run\n'
 */
export function formatClientSummary(section: ClientRunReport): string {
  const { code, signal } = section.exit;
  const how = signal !== null ? `killed by ${signal}` : `exit code ${String(code)}`;
  const head =
    section.ended === 'during-scenario'
      ? `  client: exited during the scenario (${how})`
      : section.ended === 'killed'
        ? `  client: did not exit on SIGTERM, killed (SIGKILL) after the run`
        : `  client: stopped (SIGTERM) after the run${signal === 'SIGTERM' ? '' : ` (${how})`}`;
  const lines = [head];
  if (clientFailure(section) !== undefined) {
    for (const line of section.stderrTail.slice(-10)) lines.push(`    client stderr: ${line}`);
  }
  if (section.log !== undefined) lines.push(`    client output: ${section.log}`);
  return `${lines.join('\n')}\n`;
}
