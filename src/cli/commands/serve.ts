import type { CommandModule } from 'yargs';
import { withServerOptions, type ServerArgs } from './options.js';

/** `nso-mock serve [--scenario F]`: start, print the ready line, play, keep serving until a signal. */
export const serveCommand: CommandModule<object, ServerArgs & { readonly scenario?: string }> = {
  command: 'serve',
  describe: 'Start the mock, print a ready line, play a scenario (default: a demo) and serve until SIGINT/SIGTERM',
  builder: (y) => withServerOptions(y.option('scenario', { type: 'string', describe: 'Scenario file to play (default: the built-in demo)' })) as never,
  handler: async (argv) => {
    // The implementation (server, scenarios) loads only now: `--help` stays instant.
    const { runServer } = await import('../server-command.js');
    process.exitCode = await runServer({ ...argv, mode: 'serve' });
  },
};
