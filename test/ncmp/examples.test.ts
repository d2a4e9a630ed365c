import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  checkNcmpSchema,
  createNcmpEngine,
  NCMP_STEP_KEYS,
  validateNcmpSteps,
  type LcmSchemaVersion,
  type NcmpAsyncResponseStep,
  type NcmpCmHandleStep,
  type NcmpEngine,
  type PartitionConfig,
} from '../../src/ncmp/index.js';

/**
 * Runs every examples/ncmp/*.yaml with a minimal stand-in for the scenario engine's NCMP hook
 * (ncmp-* steps go to the engine, `wait: ms` advances a fake clock), so the examples are proven to
 * run green before that hook exists.
 */
const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'ncmp');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

interface ExampleFile {
  name: string;
  seed: number;
  ncmp?: { lcmSchemaVersion?: LcmSchemaVersion; partitions?: PartitionConfig };
  steps: Record<string, unknown>[];
}

function play(example: ExampleFile): NcmpEngine {
  let now = Date.UTC(2024, 4, 1, 12);
  const engine = createNcmpEngine({ seed: example.seed, clock: { now: () => now }, ...example.ncmp });
  for (const step of example.steps) {
    if (NCMP_STEP_KEYS.cmHandle in step) engine.cmHandle(step[NCMP_STEP_KEYS.cmHandle] as NcmpCmHandleStep);
    else if (NCMP_STEP_KEYS.asyncResponse in step) engine.asyncResponse(step[NCMP_STEP_KEYS.asyncResponse] as NcmpAsyncResponseStep);
    else if ('wait' in step) now += Number(step['wait']);
    else throw new Error(`unknown step ${JSON.stringify(step)}`);
  }
  return engine;
}

const EXPECTED_RECORDS: Record<string, Record<string, number>> = {
  'async-responses.yaml': { 'ncmp-async-m2m': 2, 'my-client-topic': 3 },
  'cm-handle-lifecycle.yaml': { 'ncmp-events': 10 },
  'lcm-v2-fleet.yaml': { 'ncmp-events': 10 },
};

describe('examples/ncmp', () => {
  it('has the examples this test knows', () => {
    expect(files).toEqual(Object.keys(EXPECTED_RECORDS));
  });

  for (const file of files) {
    it(`${file} validates and runs green`, () => {
      const example = parse(readFileSync(join(dir, file), 'utf8')) as ExampleFile;
      expect(validateNcmpSteps(example.steps)).toEqual([]);
      const engine = play(example);
      expect(Object.fromEntries(engine.topicInfo().map((t) => [t.topic, t.records]))).toEqual(EXPECTED_RECORDS[file]);
      for (const record of engine.store.all()) {
        const value = JSON.parse(new TextDecoder().decode(record.value!));
        if (record.topic === engine.topics.lcm) {
          expect(checkNcmpSchema(value.eventSchema.endsWith('.v2') ? 'lcm-event-v2' : 'lcm-event-v1', value)).toEqual([]);
        }
      }
      // Same file, same bytes: the examples are deterministic.
      expect(play(example).store.all()).toEqual(engine.store.all());
    });
  }
});
