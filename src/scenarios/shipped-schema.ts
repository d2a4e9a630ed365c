/**
 * The shipped JSON Schema of the scenario format (`nso-mock schema` prints it; package export
 * `nso-mock/scenario.schema.json`). Importing the JSON makes tsc copy it to dist/scenarios/.
 */
import schemaJson from './scenario.schema.json' with { type: 'json' };

/**
 * The scenario JSON Schema (draft-07), as committed in `src/scenarios/scenario.schema.json`.
 * @example
 *   process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2));
 */
export function scenarioJsonSchema(): { readonly [key: string]: unknown } {
  return schemaJson;
}
