import type { CommandModule } from 'yargs';

/** The parsed options of `decode`. */
export interface DecodeArgs {
  readonly hex: string;
  readonly profile: 'nso57' | 'nso62' | 'nso66' | 'nso6x';
}

/** `nso-mock decode <hex>`: a frame or term in Erlang syntax, and a notification's Python-dict view. */
export const decodeCommand: CommandModule<object, DecodeArgs> = {
  command: 'decode <hex>',
  describe: 'Print a frame or term (hex; spaces, colons and 0x allowed) in Erlang syntax and, for a notification, its Python dict',
  builder: (y) =>
    y
      .positional('hex', { type: 'string', demandOption: true, describe: 'Hex bytes: a term (83…) or frames (4-byte length + term)' })
      .option('profile', {
          choices: ['nso57', 'nso62', 'nso66', 'nso6x'] as const,
          default: 'nso57' as const,
          describe: 'Layout profile of the notification and Python binding (nso62: the NSO 6.2.5 dict; nso6x: deprecated alias of nso66)',
        }) as never,
  handler: async (argv) => {
    const { decodeHex } = await import('../decode-command.js');
    process.exitCode = decodeHex(argv);
  },
};
