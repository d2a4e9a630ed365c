/**
 * The yargs program: every command, its help, and the usage-error policy (exit 2).
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { conformCommand } from './commands/conform.js';
import { decodeCommand } from './commands/decode.js';
import { fuzzCommand } from './commands/fuzz.js';
import { recordCommand } from './commands/record.js';
import { runCommand } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
import { serveCommand } from './commands/serve.js';
import { validateCommand } from './commands/validate.js';
import { EXIT_CODES } from './exit-codes.js';

/**
 * Parses `argv` (without node and the script) and runs the command; sets `process.exitCode`.
 * @example
 *   await runCli(['validate', 'examples/commit-diff-ack.yaml']);
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await program(argv);
  } catch (error) {
    // Already handled by the fail handler; rethrowing there is what stops yargs from running
    // the command anyway (it does with exitProcess(false)).
    if (!(error instanceof ReportedFailure)) throw error;
    if (error.usage !== undefined) {
      const { help, message } = error.usage;
      process.stderr.write(`${help}\n\nnso-mock: ${message}${await suggestionFor(message, help)}\n`);
    }
  }
}

class ReportedFailure extends Error {
  constructor(readonly usage?: { readonly help: string; readonly message: string }) {
    super('reported');
  }
}

/**
 * ` (did you mean --client?)` for yargs' "Unknown argument: clinet", from the options and
 * commands the help lists. Loaded only on this error path: the suggester lives with the scenario
 * loader, which a plain `--help` does not need.
 */
async function suggestionFor(message: string, help: string): Promise<string> {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message)?.[1];
  if (unknown === undefined) return '';
  const options = [...help.matchAll(/^\s{2}--([a-z][a-z-]*)/gm)].map((m) => m[1] ?? '');
  const commands = [...help.matchAll(/^\s{2}nso-mock ([a-z]+)/gm)].map((m) => m[1] ?? '');
  const { closest } = await import('../scenarios/index.js');
  const guesses = unknown.split(', ').flatMap((word) => {
    const bare = word.replace(/^-+/, '');
    const option = closest(bare, options);
    if (option !== undefined) return [`--${option}`];
    const command = closest(bare, commands);
    return command === undefined ? [] : [command];
  });
  return guesses.length === 0 ? '' : ` (did you mean ${guesses.join(', ')}?)`;
}

/** What a command's positional argument is, for the message when it is missing. */
const POSITIONALS: Readonly<Record<string, string>> = {
  run: 'the scenario file to play (nso-mock run <file>)',
  validate: 'at least one scenario file (nso-mock validate <files..>)',
  decode: 'the hex bytes to decode (nso-mock decode <hex>)',
};

/** yargs' "Not enough non-option arguments: got 0, need at least 1" says what, not which. */
function clearer(command: string | undefined, message: string): string {
  const wanted = command === undefined ? undefined : POSITIONALS[command];
  return wanted !== undefined && message.startsWith('Not enough non-option arguments') ? `missing ${wanted}` : message;
}

/**
 * nso-mock's own version, from its package.json (src/cli and dist/cli are both two levels below
 * it). yargs' default looks for the nearest package.json from the working directory, which for an
 * installed nso-mock is the consuming project's.
 */
export function ownVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

async function program(argv: readonly string[]): Promise<void> {
  await yargs([...argv])
    .scriptName('nso-mock')
    .version(ownVersion())
    .usage('$0 <command> [options]\n\nA scriptable fake of the NSO event-notification server.')
    .command(serveCommand)
    .command(runCommand)
    .command(validateCommand)
    .command(decodeCommand)
    .command(schemaCommand)
    .command(conformCommand)
    .command(fuzzCommand)
    .command(recordCommand)
    .demandCommand(1, 'Name a command: serve, run, validate, decode, schema, conform, fuzz or record.')
    .strict()
    .exitProcess(false)
    .fail((message, error, y) => {
      // yargs calls this for usage mistakes (message) and for errors thrown by handlers (error).
      if (error !== undefined && error !== null && message === null) {
        process.stderr.write(`nso-mock: error: ${error.stack ?? error.message}\n`);
        process.exitCode = EXIT_CODES.failed;
        throw new ReportedFailure();
      }
      process.exitCode = EXIT_CODES.usage;
      throw new ReportedFailure({ help: String(y.help()), message: clearer(argv[0], message ?? error?.message ?? 'bad usage') });
    })
    .help()
    .wrap(Math.min(110, process.stderr.columns ?? 100))
    .parseAsync();
}
