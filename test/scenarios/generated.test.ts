import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { scenarioArbitrary } from '../../src/arbitraries/index.js';
import { checkScenarioDocument, scenarioJsonSchema } from '../../src/scenarios/index.js';
import { YamlSource } from '../../src/scenarios/source.js';
import { fcRuns } from '../support/fc-config.js';

// The whole shipped schema at once (no dispatch): what an editor or another validator sees.
const validateWhole = new Ajv({ allErrors: true, strict: false }).compile(scenarioJsonSchema());

describe('generated scenario documents (STYLE.md §5: they validate against the shipped schema)', () => {
  describe('properties', () => {
    it.each(['nso57', 'nso62', 'nso66'] as const)('validate under profile %s, with the dispatching validator and the whole schema alike', (profile) => {
      fc.assert(
        fc.property(scenarioArbitrary({ profile }), (doc) => {
          expect(checkScenarioDocument(doc)).toEqual([]);
          expect(validateWhole(doc), JSON.stringify(validateWhole.errors)).toBe(true);
        }),
        { numRuns: fcRuns(0.3) },
      );
    });

    it('survive a YAML round trip unchanged', async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArbitrary(), async (doc) => {
          const source = await YamlSource.parse('generated.yaml', stringify(doc));
          expect(source.syntaxProblems).toEqual([]);
          expect(source.value).toEqual(doc);
        }),
        { numRuns: fcRuns(0.3) },
      );
    });

    it('the dispatching validator and the whole schema agree on mutated documents', () => {
      // Break one random leaf of a valid document: both must reject it, or both accept it.
      const mutated = scenarioArbitrary().chain((doc) =>
        fc.record({ doc: fc.constant(doc), path: fc.constantFrom(...leafPaths(doc)), value: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.boolean()) }),
      );
      fc.assert(
        fc.property(mutated, ({ doc, path, value }) => {
          const broken = setIn(structuredClone(doc), path, value);
          expect(checkScenarioDocument(broken).length === 0).toBe(validateWhole(broken));
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});

type Path = readonly (string | number)[];

function leafPaths(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...at, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...at, k]));
  return [at];
}

function setIn<T>(root: T, path: Path, value: unknown): T {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  const last = path[path.length - 1];
  if (last !== undefined) (node as Record<string | number, unknown>)[last] = value;
  return root;
}
