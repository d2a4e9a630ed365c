/**
 * `nso-mock record`: start the recording proxy, print the ready line, write the scenario after
 * every connection that ends (a checkpoint) and when stopped (SIGINT/SIGTERM), always atomically.
 */
import { readFile } from 'node:fs/promises';
import { NsoMockError, UsageError } from '../codec/index.js';
import { parseRedactRule, renderRecording, startRecorder, type Recorder, type RedactRule } from '../record/index.js';
import { parseDuration } from '../scenarios/index.js';
import { parseHostPort, type RecordArgs } from './commands/record.js';
import { DEFAULT_PORT } from './commands/options.js';
import { type CommandIo, processSignals } from './command-io.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { createLogger, type CliLogger } from './logger.js';
import { checkReportPath, writeAtomic } from './reports.js';

/** Where the command writes, and what stops it (tests pass their own). */
export type RecordIo = CommandIo;

async function readSecret(path: string, option: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to read the --${option}: ${(error as Error).message} (${path})`, { cause: error, details: { option, value: path } });
  }
}

async function packageVersion(): Promise<string> {
  try {
    const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? 'unknown version';
  } catch {
    return 'unknown version';
  }
}

/**
 * Runs `nso-mock record` until stopped; resolves with the exit code: 0 when the scenario was
 * written and validates, 1 when it was written with problems (a `--redact` replacement that
 * makes a value invalid) or could not be written, 2 for bad usage or an unbindable address.
 * @example process.exitCode = await runRecord({ upstream: '127.0.0.1:4569', out: 'x.yaml', host: '127.0.0.1', 'log-format': 'text', verbose: false });
 */
export async function runRecord(args: RecordArgs, io: RecordIo = { stdout: process.stdout, stderr: process.stderr }): Promise<ExitCode> {
  const logger = createLogger({ format: args['log-format'], verbose: args.verbose, stream: io.stderr as never });
  let stopRequested!: (why: string) => void;
  const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
  const removeSignals = (io.onStop ?? processSignals)((why) => stopRequested(why));
  try {
    return await record(args, io, logger, stopped);
  } finally {
    removeSignals();
  }
}

async function record(args: RecordArgs, io: RecordIo, logger: CliLogger, stopped: Promise<string>): Promise<ExitCode> {
  // 1. Everything that can be wrong with the options, before anything listens.
  let rules: RedactRule[];
  let maxGapMs: number | undefined;
  let accessSecret: Uint8Array | undefined;
  let upstreamSecret: Uint8Array | undefined;
  try {
    rules = (args.redact ?? []).map(parseRedactRule);
    if (args['max-gap'] !== undefined) {
      maxGapMs = parseDuration(args['max-gap']);
      if (maxGapMs === undefined || maxGapMs < 1) {
        throw new UsageError('NSOMOCK_USAGE', `Failed to read --max-gap: expected a duration of at least 1ms such as 500ms or 2s, got ${JSON.stringify(args['max-gap'])}`, {
          details: { option: 'max-gap', value: args['max-gap'] },
        });
      }
    }
    await checkReportPath(args.out, 'out');
    if (args['access-secret-file'] !== undefined) accessSecret = await readSecret(args['access-secret-file'], 'access-secret-file');
    if (args['upstream-secret-file'] !== undefined) upstreamSecret = await readSecret(args['upstream-secret-file'], 'upstream-secret-file');
  } catch (error) {
    logger.log('error', (error as Error).message, { code: (error as NsoMockError).code });
    return EXIT_CODES.usage;
  }
  const tcpUpstream = args.upstream === undefined ? undefined : parseHostPort(args.upstream);
  const upstream = tcpUpstream ?? { path: args['upstream-unix'] ?? '' };
  const version = await packageVersion();

  // 2. The proxy.
  let recorder: Recorder;
  let writing: Promise<unknown> = Promise.resolve();
  let lastProblems: readonly string[] = [];
  const write = async (final: boolean): Promise<boolean> => {
    const run = async (): Promise<boolean> => {
      try {
        const endedAt = Date.now();
        const rendered = await renderRecording(recorder.recording, {
          name: args.name ?? `recorded from ${'path' in upstream ? upstream.path : `${upstream.host}:${upstream.port}`} at ${new Date(recorder.recording.startedAt).toISOString()}`,
          file: args.out,
          endedAt,
          redact: rules,
          ...(maxGapMs === undefined ? {} : { maxGapMs }),
          ...(args.profile === 'auto' ? {} : { profile: args.profile }),
        });
        await writeAtomic(args.out, rendered.text);
        lastProblems = rendered.problems;
        const t = rendered.built.totals;
        logger.log(
          final ? 'info' : 'debug',
          `${final ? 'wrote' : 'checkpoint'} ${args.out}: ${t.connections} connection${t.connections === 1 ? '' : 's'}, ${t.emits} emits, ${t.raw} raw frames, ${t.acks} acks, ${t.missingAcks} missing acks (profile ${rendered.profile})`,
          { file: args.out, ...t, profile: rendered.profile },
        );
        for (const p of rendered.problems) logger.log('error', `the recording does not validate: ${p}`, { file: args.out });
        return true;
      } catch (error) {
        logger.log('error', `Failed to write the recording: ${(error as Error).message} (${args.out})`, { file: args.out });
        return false;
      }
    };
    const next = writing.then(run);
    writing = next.catch(() => undefined);
    return next;
  };
  try {
    recorder = await startRecorder({
      upstream,
      ...(args.port !== undefined || args.unix === undefined ? { tcp: { host: args.host, port: args.port ?? DEFAULT_PORT } } : {}),
      ...(args.unix === undefined ? {} : { unix: args.unix }),
      ...(accessSecret === undefined ? {} : { accessSecret }),
      ...(upstreamSecret === undefined ? {} : { upstreamSecret }),
      recorder: version,
      log: (level, message, fields) => logger.log(level, message, fields),
      onConnectionClosed: () => void write(false),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ' (is NSO or another mock on it? choose another --port; 0 picks a free one)' : '';
    logger.log('error', `Failed to listen: ${(error as Error).message}${hint}`, { code: 'NSOMOCK_USAGE' });
    return EXIT_CODES.usage;
  }
  const { addresses } = recorder;
  io.stdout.write(`${JSON.stringify({ event: 'ready', tcp: addresses.tcp ?? null, unix: addresses.unix ?? null, upstream: recorder.recording.context.upstream, out: args.out })}\n`);
  const where = [addresses.tcp === undefined ? undefined : `tcp ${addresses.tcp.host}:${addresses.tcp.port}`, addresses.unix === undefined ? undefined : `unix ${addresses.unix}`]
    .filter((x) => x !== undefined)
    .join(' and ');
  logger.log('info', `listening on ${where}; recording into ${args.out} until stopped (Ctrl-C)`, { tcp: addresses.tcp ?? null, unix: addresses.unix ?? null });

  // 3. Until stopped; then the final write.
  const why = await stopped;
  logger.log('info', `stopping (${why})`);
  await recorder.close();
  const ok = await write(true);
  if (!ok) return EXIT_CODES.failed;
  return lastProblems.length === 0 ? EXIT_CODES.ok : EXIT_CODES.failed;
}
