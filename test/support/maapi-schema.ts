/**
 * Schemas for the MAAPI tests, loaded by the schema layer from YANG (no hand-built placeholders):
 * the capture's model (test/schema/capture-schema.ts: `tailf:id-value` gives it the made-up hashes
 * of maapi_nso62.jsonl, namespace 1912237357 and tags 1001…1005) and the example model
 * examples/models/mk.yang with its real phash2 hashes.
 */
import { fileURLToPath } from 'node:url';
import { loadSchema, type Schema } from '../../src/schema/index.js';
import { CAPTURE_YANG, captureSchema } from '../schema/capture-schema.js';

export { captureSchema };

/** examples/models/mk.yang, as the CLI and scenarios load it. */
export const MK_YANG: string = fileURLToPath(new URL('../../examples/models/mk.yang', import.meta.url));

/** The example model (module mk, namespace http://example.com/mk): hashes are phash2 of the names. */
export function mkSchema(): Schema {
  return loadSchema([MK_YANG]);
}

/** A second module for tests that need two namespaces (the iter capture's `/other:box`, tag 2001, namespace 77). */
export const OTHER_YANG = `module other {
  namespace "http://example.com/other";
  prefix other;
  import tailf-common { prefix tailf; }
  tailf:id-value 77;
  container box { tailf:id-value 2001; }
}
`;

/** The capture's model plus {@link OTHER_YANG}. */
export function captureSchemaWithOther(): Schema {
  return loadSchema([
    { path: 'mock.yang', text: CAPTURE_YANG },
    { path: 'other.yang', text: OTHER_YANG },
  ]);
}

/** A model from YANG text (for tests of single record layouts). */
export function schemaFromYang(text: string, path = 'test.yang'): Schema {
  return loadSchema([{ path, text }]);
}
