import type { CommandModule } from 'yargs';
import { withServerOptions, type ServerArgs } from './options.js';

/** `nso-mock run F`: serve, play the scenario once, exit 0 (passed), 1 (failed) or 2 (invalid). */
export const runCommand: CommandModule<object, ServerArgs & { readonly file: string }> = {
  command: 'run <file>',
  describe: 'Play a scenario once against a fresh mock; exit 0 if every expectation held, 1 if not, 2 if the file is invalid',
  builder: (y) => withServerOptions(y.positional('file', { type: 'string', demandOption: true, describe: 'Scenario file' })) as never,
  handler: async (argv) => {
    const { runServer } = await import('../server-command.js');
    process.exitCode = await runServer({ ...argv, scenario: argv.file, mode: 'run' });
  },
};
