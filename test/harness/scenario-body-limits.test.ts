/** The depth and size limits of scenarios posted to /play: every shipped example is within them. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkScenarioBody, MAX_SCENARIO_DEPTH } from '../../src/harness/scenario-body-limits.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

describe('scenario body limits', () => {
  const files = yamlFiles('examples');

  it('every example scenario, as text and as a document, is within the limits', () => {
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(checkScenarioBody(text, file), file).toBeUndefined();
      expect(checkScenarioBody(parse(text), file), file).toBeUndefined();
    }
  });

  it('refuses the first level past the limit, not one before', () => {
    const nest = (n: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < n; i += 1) v = { a: v };
      return v;
    };
    expect(checkScenarioBody(nest(MAX_SCENARIO_DEPTH), 'x')).toBeUndefined();
    expect(checkScenarioBody(nest(MAX_SCENARIO_DEPTH + 1), 'x')).toMatchObject({ expected: `nesting at most ${MAX_SCENARIO_DEPTH} deep` });
    const flow = (n: number): string => `steps: ${'['.repeat(n)}${']'.repeat(n)}`;
    expect(checkScenarioBody(flow(MAX_SCENARIO_DEPTH - 1), 'x')).toBeUndefined();
    expect(checkScenarioBody(flow(MAX_SCENARIO_DEPTH + 1), 'x')).toMatchObject({ line: 1, found: 'flow collections nested deeper' });
    // Brackets inside quotes and comments are text.
    expect(checkScenarioBody(`name: "${'['.repeat(500)}"\n# ${'{'.repeat(500)}\nsteps: []\n`, 'x')).toBeUndefined();
  });
});
