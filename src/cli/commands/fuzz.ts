/**
 * `nso-mock fuzz --client CMD`: property-based fuzzing of a client under test; on failure the
 * minimal scenario is written as YAML (docs/conformance.md, "Fuzzing").
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';

/** The parsed options of `fuzz`. */
export interface FuzzArgs {
  readonly client?: string;
  readonly runs: number;
  readonly seed?: number;
  readonly out: string;
  readonly profile: 'nso57' | 'nso62' | 'nso66' | 'nso6x';
  readonly types?: readonly string[];
  readonly 'max-events': number;
  readonly 'ack-timeout': number;
  readonly 'transport-faults': boolean;
  readonly 'terminal-faults': boolean;
  readonly 'shrink-time': number;
  readonly 'timeout-scale': number;
  readonly replay?: string;
}

/** Where the command writes. */
export interface FuzzIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Runs `fuzz` (or `fuzz --replay FILE`) and resolves with the exit code: 0 when every run held,
 * 1 when one failed (the seed and the scenario file are printed), 2 for bad usage.
 */
export async function runFuzzCommand(args: FuzzArgs, io: FuzzIo = { stdout: process.stdout, stderr: process.stderr }): Promise<ExitCode> {
  if (args.client === undefined || args.client.trim() === '') {
    io.stderr.write('nso-mock fuzz: --client is required (a command line with placeholders such as {port} and {mask})\n');
    return EXIT_CODES.usage;
  }
  if (args.replay !== undefined) {
    try {
      await access(args.replay, constants.R_OK);
    } catch (error) {
      io.stderr.write(`nso-mock fuzz: Failed to read the scenario to replay: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message)} (${args.replay})\n`);
      return EXIT_CODES.usage;
    }
  }
  const harness = await import('../../harness/index.js');
  const types = args.types?.flatMap((t) => t.split(',')).map((t) => t.trim()).filter((t) => t !== '');
  const options = {
    client: args.client,
    runs: args.runs,
    out: args.out,
    profile: args.profile === 'nso6x' ? ('nso66' as const) : args.profile,
    maxEvents: args['max-events'],
    ackTimeoutMs: args['ack-timeout'],
    transportFaults: args['transport-faults'],
    terminalFaults: args['terminal-faults'],
    shrinkTimeLimitMs: args['shrink-time'],
    timeoutScale: args['timeout-scale'],
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    ...(types === undefined || types.length === 0 ? {} : { types: types as never }),
  };
  try {
    if (args.replay !== undefined) {
      const outcome = await harness.runFuzzScenario(await harness.loadFuzzScenario(args.replay), options);
      if (outcome.ok) {
        io.stdout.write(`nso-mock fuzz: ${args.replay} passed (${Math.round(outcome.durationMs)} ms)\n`);
        return EXIT_CODES.ok;
      }
      io.stdout.write(`nso-mock fuzz: ${args.replay} failed:\n${outcome.failures.map((f) => `  ${f}\n`).join('')}`);
      for (const line of outcome.stderrTail.slice(-10)) io.stdout.write(`  client stderr: ${line}\n`);
      return EXIT_CODES.failed;
    }
    let dots = 0;
    const result = await harness.runFuzz({
      ...options,
      onRun: (run) => {
        io.stderr.write(run.phase === 'generate' ? (run.ok ? '.' : 'F') : run.ok ? 's' : 'S');
        if (++dots % 60 === 0) io.stderr.write('\n');
      },
    });
    io.stderr.write('\n');
    const rate = `${result.runsPerSecond.toFixed(1)} runs/s`;
    if (result.passed) {
      io.stdout.write(`nso-mock fuzz: ${result.runs} runs passed in ${(result.durationMs / 1000).toFixed(1)} s (${rate}), seed ${result.seed}\n`);
      return EXIT_CODES.ok;
    }
    const c = result.counterexample;
    io.stdout.write(
      [
        `nso-mock fuzz: run ${result.runs} of ${args.runs} failed (seed ${result.seed}, ${rate}); shrunk in ${c?.shrinks ?? 0} step(s) over ${result.shrinkRuns} attempt(s)`,
        ...(c?.failures ?? []).map((f) => `  ${f}`),
        ...(c?.stderrTail ?? []).slice(-5).map((l) => `  client stderr: ${l}`),
        `minimal scenario: ${c?.file ?? '(none)'}`,
        `reproduce: nso-mock fuzz --client ${JSON.stringify(args.client)} --replay ${c?.file ?? ''}`,
        `      or: nso-mock run ${c?.file ?? ''} --port 0 --client ${JSON.stringify(args.client)}   (the plain player; the client subscribes with mask ${c?.mask ?? ''})`,
        `  rerun the search: nso-mock fuzz --client ${JSON.stringify(args.client)} --seed ${result.seed} --runs ${args.runs}`,
        '',
      ].join('\n'),
    );
    return EXIT_CODES.failed;
  } catch (error) {
    io.stderr.write(`nso-mock fuzz: ${error instanceof Error ? error.message : String(error)}\n`);
    const code = (error as { code?: string }).code;
    return code === 'NSOMOCK_USAGE' || code === 'NSOMOCK_SCENARIO_INVALID' ? EXIT_CODES.usage : EXIT_CODES.failed;
  }
}

/** `nso-mock fuzz`. */
export const fuzzCommand: CommandModule<object, FuzzArgs> = {
  command: 'fuzz',
  describe: 'Fuzz a client under test with generated scenarios; on failure write the minimal one as YAML and exit 1',
  builder: (y) =>
    y
      .option('client', { type: 'string', describe: 'Client command, run with sh; the placeholders of conform ({port}, {mask}, {profile}…)' })
      .option('runs', { type: 'number', default: 25, describe: 'Generated scenarios to play' })
      .option('seed', { type: 'number', describe: 'fast-check seed (default random; always printed)' })
      .option('out', { type: 'string', default: '.', describe: 'Directory for the minimal failing scenario' })
      .option('profile', { choices: ['nso57', 'nso62', 'nso66', 'nso6x'] as const, default: 'nso57' as const, describe: 'Layout profile, forced on every connection (nso6x: deprecated alias of nso66)' })
      .option('types', { type: 'string', array: true, describe: 'Notification types to emit, comma separated (default all but heartbeat, health-check, stream-event)' })
      .option('max-events', { type: 'number', default: 12, describe: 'Most notifications per scenario' })
      .option('ack-timeout', { type: 'number', default: 1000, describe: 'Time the client gets for each ack, ms' })
      .option('transport-faults', { type: 'boolean', default: true, describe: 'Slow writes and stalls between notifications (--no-transport-faults to turn off)' })
      .option('terminal-faults', { type: 'boolean', default: false, describe: 'Sometimes end with a close, garbage or a truncated frame' })
      .option('shrink-time', { type: 'number', default: 60_000, describe: 'Stop shrinking after this long, ms' })
      .option('timeout-scale', { type: 'number', default: 1, describe: 'Multiply the client exit deadlines' })
      .option('replay', { type: 'string', describe: 'Play one scenario file (written by fuzz) against the client instead of searching' })
      .check((argv) => {
        if (!Number.isInteger(argv.runs) || argv.runs < 1) throw new Error(`--runs must be a positive integer, got ${String(argv.runs)}`);
        if (argv.seed !== undefined && !Number.isSafeInteger(argv.seed)) throw new Error(`--seed must be an integer, got ${String(argv.seed)}`);
        if (!(argv['ack-timeout'] > 0)) throw new Error(`--ack-timeout must be positive, got ${String(argv['ack-timeout'])}`);
        return true;
      }) as never,
  handler: async (argv) => {
    process.exitCode = await runFuzzCommand(argv);
  },
};
