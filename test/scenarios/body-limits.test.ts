/** The depth and size limits of scenarios posted to /play: every shipped example is within them. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { checkScenarioBody, MAX_SCENARIO_DEPTH } from '../../src/scenarios/body-limits.js';
import { loadScenario, parseScenario, scenarioFromDocument, ScenarioError } from '../../src/scenarios/index.js';

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

  describe('the loader bounds every file it reads', () => {
    const deepFlow = 'name: deep\nsteps:\n  - emit: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n';
    const deepBlock = 'name: deep\nsteps:\n' + Array.from({ length: 200 }, (_, i) => `${' '.repeat(i + 2)}a${i}:`).join('\n') + ' 1\n';

    async function failure(load: () => Promise<unknown>): Promise<ScenarioError> {
      const error = await load().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ScenarioError);
      return error as ScenarioError;
    }

    it('an include nested too deep is a problem at that file, not a stack overflow', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'nso-mock-deep-include-'));
      try {
        for (const [name, text, found] of [
          ['flow.yaml', deepFlow, 'flow collections nested deeper'],
          ['block.yaml', deepBlock, 'block collections nested deeper'],
        ] as const) {
          await writeFile(join(dir, name), text);
          await writeFile(join(dir, 'top.yaml'), `name: top\ninclude: [${name}]\nsteps: []\n`);
          for (const error of [
            await failure(() => loadScenario('top.yaml', { displayRoot: dir })),
            await failure(() => parseScenario(`name: top\ninclude: [${name}]\nsteps: []\n`, { displayRoot: dir, file: 'posted.yaml' })),
            await failure(() => scenarioFromDocument({ name: 'top', include: [name], steps: [] }, { displayRoot: dir })),
          ]) {
            expect(error.code).toBe('NSOMOCK_SCENARIO_INVALID');
            expect(error.message).toMatch(new RegExp(`\\n${name.replace('.', '\\.')}:\\d+:\\d+: \\(yaml\\): expected nesting at most ${MAX_SCENARIO_DEPTH} deep, found ${found}$`));
            expect(error.message).not.toContain('call stack');
          }
        }
        // The top file itself, too.
        await writeFile(join(dir, 'deep.yaml'), deepFlow);
        const top = await failure(() => loadScenario('deep.yaml', { displayRoot: dir }));
        expect(top.message).toMatch(/\ndeep\.yaml:3:\d+: \(yaml\): expected nesting at most 128 deep, found flow collections nested deeper$/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('an in-memory document nested too deep is refused before it is cloned or checked', async () => {
      let deep: unknown = 1;
      for (let i = 0; i < 5000; i += 1) deep = { a: deep };
      const error = await failure(() => scenarioFromDocument({ name: 'x', steps: [{ emit: deep }] } as never));
      expect(error.code).toBe('NSOMOCK_SCENARIO_INVALID');
      expect(error.message).toMatch(/\(document\):1:1: steps\[0\]\.emit\..+: expected nesting at most 128 deep, found objects or arrays nested deeper$/);
    });
  });
});
