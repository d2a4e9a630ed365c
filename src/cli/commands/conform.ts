/**
 * `nso-mock conform --client "CMD {port} {unix}"`: the conformance catalogue against a client
 * under test, with console, JSON, JUnit and HTML reports (docs/conformance.md).
 */
import type { CommandModule } from 'yargs';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';

/** A profile option's profile: `nso6x` is the deprecated alias of `nso66`. */
export function profileOf(name: ConformArgs['profile']): 'nso57' | 'nso62' | 'nso66' {
  return name === 'nso6x' ? 'nso66' : name;
}

/** The parsed options of `conform`. */
export interface ConformArgs {
  readonly client?: string;
  readonly cases?: readonly string[];
  readonly profile: 'nso57' | 'nso62' | 'nso66' | 'nso6x';
  readonly json?: string;
  readonly junit?: string;
  readonly html?: string;
  readonly parallel: number;
  readonly 'timeout-scale': number;
  readonly list: boolean;
  readonly verbose: boolean;
  readonly 'dict-path'?: string;
  readonly 'allow-not-judged'?: boolean;
}

/** Where the command writes (tests pass their own streams). */
export interface ConformIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** `--cases a,b --cases c` → `['a', 'b', 'c']`. */
function splitList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const out = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return out.length === 0 ? undefined : out;
}

/**
 * Runs `conform` and resolves with the exit code: 0 when no case failed and every case could be
 * judged (non-strict and skipped cases do not fail a run; not-judged ones do, unless
 * `--allow-not-judged`), 1 otherwise, 2 for bad usage.
 * @example
 *   process.exitCode = await runConformCommand({ client: 'python3 c.py --port {port}', profile: 'nso57', parallel: 4, 'timeout-scale': 1, list: false, verbose: false });
 */
export async function runConformCommand(args: ConformArgs, io: ConformIo = { stdout: process.stdout, stderr: process.stderr }): Promise<ExitCode> {
  const harness = await import('../../harness/index.js');
  const cases = splitList(args.cases);
  if (args.list) {
    const listed = await harness.listConformCases(profileOf(args.profile), cases);
    if (listed.length === 0) {
      // The same verdict as running them: a filter that selects nothing is a mistake, not an empty pass.
      io.stderr.write(`nso-mock conform: no case matches ${JSON.stringify(cases ?? [])} (profile ${args.profile}; --list without --cases shows them all)\n`);
      return EXIT_CODES.usage;
    }
    for (const c of listed) io.stdout.write(`${c.name.padEnd(30)} ${c.sections.join(' ').padEnd(24)} ${c.title}\n`);
    return EXIT_CODES.ok;
  }
  if (args.client === undefined || args.client.trim() === '') {
    io.stderr.write('nso-mock conform: --client is required (a command line with placeholders such as {port} and {mask})\n');
    return EXIT_CODES.usage;
  }
  try {
    const { checkReportPath } = await import('../reports.js');
    for (const option of ['json', 'junit', 'html'] as const) {
      const path = args[option];
      if (path !== undefined) await checkReportPath(path, option);
    }
  } catch (error) {
    io.stderr.write(`nso-mock conform: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_CODES.usage;
  }
  let report;
  try {
    report = await harness.runConform({
      client: args.client,
      profile: profileOf(args.profile),
      parallel: args.parallel,
      timeoutScale: args['timeout-scale'],
      ...(args['dict-path'] === undefined ? {} : { dictPath: args['dict-path'] }),
      ...(cases === undefined ? {} : { cases }),
      onCase: (r) => io.stderr.write(`  ${r.verdict.toUpperCase().padEnd(10)} ${r.name} (${Math.round(r.durationMs)} ms)\n`),
    });
  } catch (error) {
    io.stderr.write(`nso-mock conform: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof Error && (error as { code?: string }).code === 'NSOMOCK_USAGE' ? EXIT_CODES.usage : EXIT_CODES.failed;
  }
  io.stdout.write(harness.formatConsoleReport(report, { verbose: args.verbose }));
  const files = [
    { option: 'json', path: args.json, text: () => harness.formatJsonReport(report) },
    { option: 'junit', path: args.junit, text: () => harness.formatJUnitReport(report) },
    { option: 'html', path: args.html, text: () => harness.formatHtmlReport(report, { allowNotJudged: args['allow-not-judged'] === true }) },
  ];
  let written = true;
  for (const { option, path, text } of files) {
    if (path === undefined) continue;
    try {
      // All or nothing: a failed write leaves the previous report, never half of one.
      await harness.writeFileAtomic(path, text());
    } catch (error) {
      io.stderr.write(`nso-mock conform: Failed to write the --${option} report: ${error instanceof Error ? error.message : String(error)} (${path})\n`);
      written = false;
    }
  }
  if (!written) return EXIT_CODES.usage;
  return harness.reportPassed(report, { allowNotJudged: args['allow-not-judged'] === true }) ? EXIT_CODES.ok : EXIT_CODES.failed;
}

/** `nso-mock conform`. */
export const conformCommand: CommandModule<object, ConformArgs> = {
  command: 'conform',
  describe: 'Run the conformance catalogue against a client under test; exit 0 if every case was judged and none failed, 1 otherwise',
  builder: (y) =>
    y
      .option('client', {
        type: 'string',
        describe:
          'Client command, run with sh; placeholders {host} {port} {unix} {mask} {mask_names} {heartbeat} {health_check} {stream} {start_time} {stop_time} {profile} {access_file} {case}',
      })
      .option('cases', { type: 'string', array: true, describe: 'Case names or prefixes, comma separated (decode, ack.commit-diff, stream.*); default all' })
      .option('profile', { choices: ['nso57', 'nso62', 'nso66', 'nso6x'] as const, default: 'nso57' as const, describe: 'Layout profile of the mock, forced on every connection (nso6x: deprecated alias of nso66)' })
      .option('json', { type: 'string', describe: 'Write the JSON report to this file' })
      .option('junit', { type: 'string', describe: 'Write a JUnit XML report to this file' })
      .option('html', { type: 'string', describe: 'Write a self-contained HTML report to this file' })
      .option('parallel', { type: 'number', default: 4, describe: 'Cases run at once' })
      .option('timeout-scale', { type: 'number', default: 1, describe: 'Multiply every deadline (slow machines)' })
      .option('list', { type: 'boolean', default: false, describe: 'List the cases and exit' })
      .option('dict-path', {
        type: 'string',
        describe: 'Where the decoded dict is in each JSON line the client prints: a member name or a JSON pointer (/python_dict); default the line itself',
      })
      .option('allow-not-judged', { type: 'boolean', default: false, describe: 'Exit 0 even when some cases could not be judged (no decoded output found)' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Show the details of passing cases too' })
      .check((argv) => {
        if (!Number.isInteger(argv.parallel) || argv.parallel < 1) throw new Error(`--parallel must be a positive integer, got ${String(argv.parallel)}`);
        if (!(argv['timeout-scale'] > 0)) throw new Error(`--timeout-scale must be positive, got ${String(argv['timeout-scale'])}`);
        return true;
      }) as never,
  handler: async (argv) => {
    process.exitCode = await runConformCommand(argv);
  },
};
