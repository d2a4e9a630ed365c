import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { buildScenarioJsonSchema } from '../../src/scenarios/schema.js';
import { NOTIFICATION_TYPES } from '../../src/codec/index.js';
import { STEP_KINDS } from '../../src/scenarios/scenario.js';
import { MAX_DURATION_MS } from '../../src/scenarios/duration.js';

const schemaFile = fileURLToPath(new URL('../../src/scenarios/scenario.schema.json', import.meta.url));

/** The committed text of a freshly built schema: what `scenario.schema.json` must hold. */
function generated(): string {
  return `${JSON.stringify(buildScenarioJsonSchema(), null, 2)}\n`;
}

describe('scenario.schema.json', () => {
  it('is the schema built from src/scenarios/schema.ts (regenerate: NSOMOCK_UPDATE_SCHEMA=1 npx vitest run test/scenarios/schema.test.ts)', () => {
    const fresh = generated();
    if (process.env['NSOMOCK_UPDATE_SCHEMA'] === '1') writeFileSync(schemaFile, fresh);
    expect(readFileSync(schemaFile, 'utf8')).toBe(fresh);
  });

  it('is a valid draft-07 schema that Ajv compiles in strict mode', () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    expect(() => ajv.compile(buildScenarioJsonSchema())).not.toThrow();
  });

  it('refuses bare numbers as durations for every validator, but 0 (strings are bounded by the loader)', () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    const validate = ajv.compile(buildScenarioJsonSchema());
    const withWait = (wait: unknown): unknown => ({ name: 'x', steps: [{ wait }], options: { 'ack-timeout': wait } });
    expect(validate(withWait('576h'))).toBe(true);
    expect(validate(withWait(0))).toBe(true);
    expect(validate(withWait(5))).toBe(false);
    expect(validate(withWait(MAX_DURATION_MS))).toBe(false);
    expect(validate(withWait(1e20 * 3_600_000))).toBe(false);
  });

  it('is deterministic', () => {
    expect(generated()).toBe(generated());
  });

  it('has a definition per notification type and per step kind, for the loader to dispatch on', () => {
    const definitions = buildScenarioJsonSchema()['definitions'] as Record<string, unknown>;
    for (const type of NOTIFICATION_TYPES) expect(definitions).toHaveProperty(`emit-${type}`);
    for (const kind of STEP_KINDS) expect(definitions).toHaveProperty(`step-${kind}`);
  });
});
