import type { CommandModule } from 'yargs';
import { withServerOptions, type ServerArgs } from './options.js';

/** The options of `run` beyond those it shares with `serve`: the client under test. */
export interface RunClientArgs {
  /** The client command (run with `sh`), with the placeholders of `conform`. */
  readonly client?: string;
  /** Write the client's stdout and stderr to this file instead of nso-mock's stderr. */
  readonly 'client-log'?: string;
  /** Ms between the SIGTERM that stops the client and the SIGKILL. */
  readonly 'client-grace'?: number;
}

/** The default of `--client-grace`: the one `conform` and `fuzz` give a client to stop. */
export const DEFAULT_CLIENT_GRACE_MS = 1000;

/**
 * The checks of the client options; the message of the first failing one, or undefined.
 * @example checkRunClientArgs({ 'client-log': 'c.log' }) // '--client-log needs --client'
 */
export function checkRunClientArgs(args: Readonly<Record<string, unknown>>): string | undefined {
  const client = args['client'];
  if (client !== undefined && (typeof client !== 'string' || client.trim() === '')) {
    return `--client takes one command line (with placeholders such as {port} and {mask}), got ${JSON.stringify(client)}`;
  }
  for (const name of ['client-log', 'client-grace']) {
    if (args[name] !== undefined && client === undefined) return `--${name} needs --client`;
  }
  const log = args['client-log'];
  if (log !== undefined && (typeof log !== 'string' || log === '')) return `--client-log takes one file name, got ${JSON.stringify(log)}`;
  const grace = args['client-grace'];
  if (grace !== undefined && (typeof grace !== 'number' || !Number.isSafeInteger(grace) || grace < 0)) {
    return `--client-grace must be a whole number of ms (0 or more), got ${String(grace)}`;
  }
  return undefined;
}

/** `nso-mock run F`: serve, play the scenario once, exit 0 (passed), 1 (failed) or 2 (invalid). */
export const runCommand: CommandModule<object, ServerArgs & RunClientArgs & { readonly file: string }> = {
  command: 'run <file>',
  describe: 'Play a scenario once against a fresh mock; exit 0 if every expectation held, 1 if not, 2 if the file is invalid',
  builder: (y) =>
    withServerOptions(y.positional('file', { type: 'string', demandOption: true, describe: 'Scenario file' }))
      .option('client', {
        type: 'string',
        describe:
          'Client under test: a command run with sh once the mock listens, stopped when the scenario ends; placeholders {host} {port} {unix} {mask} {mask_names} {stream} {profile} {access_file} {case} (docs/cli.md)',
      })
      .option('client-log', { type: 'string', describe: "Write the client's stdout and stderr to this file (default: nso-mock's stderr, each line prefixed)" })
      .option('client-grace', { type: 'number', describe: `Ms the client gets to exit after SIGTERM before SIGKILL (default ${DEFAULT_CLIENT_GRACE_MS})` })
      .check((argv) => {
        const problem = checkRunClientArgs(argv);
        if (problem !== undefined) throw new Error(problem);
        return true;
      }) as never,
  handler: async (argv) => {
    const { runServer } = await import('../server-command.js');
    process.exitCode = await runServer({ ...argv, scenario: argv.file, mode: 'run' });
  },
};
