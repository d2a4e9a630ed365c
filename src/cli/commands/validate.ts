import type { CommandModule } from 'yargs';

/** The parsed options of `validate`. */
export interface ValidateArgs {
  readonly files: readonly string[];
  readonly format: 'text' | 'json';
  readonly profile?: 'auto' | 'nso57' | 'nso62' | 'nso66' | 'nso6x';
}

/** `nso-mock validate F...`: exit 0 when every file is a valid scenario, 2 otherwise. */
export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: 'validate <files..>',
  describe: 'Check scenario files; print every problem as file:line:col: path: expected X, found Y',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'Scenario files' })
      .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Output format' })
      .option('profile', {
          choices: ['auto', 'nso57', 'nso62', 'nso66', 'nso6x'] as const,
          describe: "Check against this profile instead of the files' own (auto: any type of any profile; a forced profile refuses types it lacks)",
        }) as never,
  handler: async (argv) => {
    const { validateFiles } = await import('../validate-command.js');
    process.exitCode = await validateFiles(argv);
  },
};
