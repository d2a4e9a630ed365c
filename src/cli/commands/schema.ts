import type { CommandModule } from 'yargs';

/** `nso-mock schema`: print the JSON Schema of the scenario format. */
export const schemaCommand: CommandModule<object, object> = {
  command: 'schema',
  describe: 'Print the JSON Schema of the scenario format (for editors: yaml-language-server)',
  handler: async () => {
    const { scenarioJsonSchema } = await import('../../scenarios/index.js');
    process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  },
};
