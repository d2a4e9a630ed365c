/**
 * `validate F...`: load every file as `run` would (includes, schema, semantic checks) and print
 * every problem. Problems go to stderr (compiler style), the verdict per file to stdout.
 */
import { loadScenario, ScenarioError, type ScenarioProblem } from '../scenarios/index.js';
import type { ValidateArgs } from './commands/validate.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';

/** Where `validate` writes (tests pass their own streams). */
export interface ValidateIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * Validates files and resolves with the exit code: 0 when all are valid, 2 otherwise.
 * @example
 *   process.exitCode = await validateFiles({ files: ['a.yaml'], format: 'text' });
 */
export async function validateFiles(args: ValidateArgs, io: ValidateIo = { stdout: process.stdout, stderr: process.stderr }): Promise<ExitCode> {
  const results: { file: string; valid: boolean; problems: readonly ScenarioProblem[] }[] = [];
  for (const file of args.files) {
    try {
      await loadScenario(file, args.profile === undefined ? {} : { profile: args.profile });
      results.push({ file, valid: true, problems: [] });
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      results.push({ file, valid: false, problems: error.details.problems });
      if (args.format === 'text') io.stderr.write(`${error.message.split('\n').slice(1).join('\n')}\n`);
    }
  }
  if (args.format === 'json') {
    io.stdout.write(`${JSON.stringify({ valid: results.every((r) => r.valid), files: results }, null, 2)}\n`);
  } else {
    for (const r of results) io.stdout.write(`${r.file}: ${r.valid ? 'ok' : `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`}\n`);
  }
  return results.every((r) => r.valid) ? EXIT_CODES.ok : EXIT_CODES.usage;
}
