import { describe, expect, it } from 'vitest';
import { demoScenario } from '../../src/cli/demo.js';
import { checkScenarioDocument, scenarioFromDocument } from '../../src/scenarios/index.js';

describe('the built-in demo of `serve`', () => {
  // serve loads it with `trusted: true` (no Ajv at startup); this is the check it skips.
  it('is a valid scenario', async () => {
    expect(checkScenarioDocument(demoScenario)).toEqual([]);
    const scenario = await scenarioFromDocument(demoScenario);
    expect(scenario.steps.map((s) => s.kind)).toEqual(['log', 'await-subscribers', 'repeat']);
  });

  it('compiles the same trusted or not', async () => {
    expect(await scenarioFromDocument(demoScenario, { trusted: true })).toEqual(await scenarioFromDocument(demoScenario));
  });
});
