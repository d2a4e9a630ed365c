/**
 * The schema of YANG / .fxs files named by a scenario (`schema: [files]`). Parsing them belongs to
 * the schema layer (src/schema); until its loader is merged this is the one function to redirect.
 */
import { NsoMockError } from '../codec/index.js';
import type { Schema } from '../schema/index.js';

/**
 * Loads the models in `paths` (absolute).
 * @throws NsoMockError `NSOMOCK_USAGE` naming the files while no YANG loader is available
 */
export function loadSchemaFiles(paths: readonly string[]): Promise<Schema> {
  return Promise.reject(
    new NsoMockError('NSOMOCK_USAGE', `Failed to load schema: YANG files need the schema layer's loader (src/schema), not in this build (${paths.join(', ')})`, {
      details: { option: 'schema', value: paths },
    }),
  );
}
