/**
 * The scenario schema validators generated at build time (scripts/build-validators.mjs, Ajv
 * standalone code in dist/scenarios/scenario-validators.cjs) against the ones Ajv compiles at run
 * time from the same preparation: same verdict and the same errors for every schema they cover, on
 * the shipped examples, on generated scenarios and on documents broken on purpose. Needs
 * `npm run build` (npm test builds first).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scenarioArbitrary } from '../../src/arbitraries/index.js';
import { durationStringInRange, parseDuration } from '../../src/scenarios/duration.js';
import { createScenarioAjv, GENERATED_VALIDATORS, preparedSchemas, ROOT_VALIDATOR, validatorSchema } from '../../src/scenarios/validate.js';
import { fcRuns } from '../support/fc-config.js';

const require = createRequire(import.meta.url);
const generated = require(fileURLToPath(new URL(`../../dist/scenarios/${GENERATED_VALIDATORS}`, import.meta.url))) as Record<string, ValidateFunction>;
const ajv = createScenarioAjv();
const { root, definitions } = preparedSchemas();
const schemas = new Map<string, object>([[ROOT_VALIDATOR, root], ...Object.entries(definitions)]);
const runtime = new Map<string, ValidateFunction>();
function runtimeOf(name: string): ValidateFunction {
  let fn = runtime.get(name);
  if (fn === undefined) runtime.set(name, (fn = ajv.compile(validatorSchema(schemas.get(name) as never))));
  return fn;
}

/** What a validator says about a value: its verdict and errors (without the schema objects, which are copies). */
function verdict(fn: ValidateFunction, value: unknown): { valid: boolean; errors: Omit<ErrorObject, 'schema' | 'parentSchema'>[] } {
  const valid = fn(value) as boolean;
  const errors = (fn.errors ?? []).map(({ schema: _s, parentSchema: _p, ...rest }) => rest);
  return { valid, errors };
}

function expectSame(name: string, value: unknown): void {
  const gen = generated[name];
  expect(gen, `generated validator ${name}`).toBeTypeOf('function');
  expect(verdict(gen!, value)).toEqual(verdict(runtimeOf(name), value));
}

/** Every step body of a document, with the definition that checks it (as validate.ts dispatches). */
function stepBodies(doc: unknown): [string, unknown][] {
  const out: [string, unknown][] = [];
  const visit = (steps: unknown): void => {
    if (!Array.isArray(steps)) return;
    for (const step of steps as Record<string, unknown>[]) {
      if (step === null || typeof step !== 'object') continue;
      for (const [kind, body] of Object.entries(step)) {
        if (kind === 'name') continue;
        const b = body as Record<string, unknown> | undefined;
        const name = kind === 'emit' ? `emit-${String(b?.['type'])}` : kind === 'fault' ? `fault-${String(b?.['kind'])}` : kind;
        if (schemas.has(name)) out.push([name, body]);
        if (kind === 'repeat') visit(b?.['steps']);
        if (kind === 'sequence' || kind === 'parallel') visit(body);
      }
    }
  };
  visit((doc as { steps?: unknown } | null)?.steps);
  return out;
}

const examples = readdirSync(new URL('../../examples/', import.meta.url))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => [f, parse(readFileSync(new URL(`../../examples/${f}`, import.meta.url), 'utf8')) as unknown] as const);

describe('generated scenario validators', () => {
  it('exist for the top level and every definition', () => {
    expect(Object.keys(generated).sort()).toEqual([...schemas.keys()].sort());
  });

  it('decide and report as the runtime-compiled validators on the shipped examples', () => {
    expect(examples.length).toBeGreaterThan(10);
    let bodies = 0;
    for (const [, doc] of examples) {
      expectSame(ROOT_VALIDATOR, doc);
      for (const [name, body] of stepBodies(doc)) {
        expectSame(name, body);
        bodies += 1;
      }
    }
    expect(bodies).toBeGreaterThan(50);
  });

  it('report the same errors for broken documents and step bodies', () => {
    const broken: [string, unknown][] = [
      [ROOT_VALIDATOR, { name: 3, steps: 'x', extra: true }],
      [ROOT_VALIDATOR, { name: 'n', profile: 'nso99', options: { 'ack-timeout': '1000h' }, steps: [] }],
      ['wait', '2 sec'],
      ['wait', '1000h'],
      ['wait', -1],
      ['emit-commit-diff', { type: 'commit-diff', th: 'x', db: 'nowhere', comment: 7 }],
      ['emit-audit', { type: 'audit', usid: -5, msg: null, unknown: 1 }],
      ['repeat', { times: 0, steps: 'no' }],
      ['await-subscribers', { count: -1, mask: ['commit-diff', 'nope'], within: '99999999999999999999h' }],
      ['expect-ack', { th: 1, within: '1.5s', from: { connection: 'x' } }],
    ];
    for (const [name, value] of broken) {
      expectSame(name, value);
      expect(verdict(generated[name]!, value).valid, `${name} ${JSON.stringify(value)}`).toBe(false);
    }
  });

  describe('properties', () => {
    it('decide and report as the runtime-compiled validators on generated scenarios', () => {
      fc.assert(
        fc.property(scenarioArbitrary(), (scenario) => {
          const doc = JSON.parse(JSON.stringify(scenario)) as unknown;
          expectSame(ROOT_VALIDATOR, doc);
          for (const [name, body] of stepBodies(doc)) expectSame(name, body);
        }),
        { numRuns: fcRuns() },
      );
    });

    it('durationStringInRange (copied into the generated code) is parseDuration for strings', () => {
      const part = fc.tuple(fc.oneof(fc.nat(2000).map(String), fc.tuple(fc.nat(99), fc.nat(999)).map(([a, b]) => `${a}.${b}`)), fc.constantFrom('ms', 's', 'm', 'h', 'x', ''));
      fc.assert(
        fc.property(fc.oneof(fc.array(part, { maxLength: 4 }).map((ps) => ps.map(([n, u]) => n + u).join('')), fc.string()), (text) => {
          expect(durationStringInRange(text)).toBe(parseDuration(text) !== undefined);
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});
