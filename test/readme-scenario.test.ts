/**
 * The scenario shown in the README's "Scenarios" section loads, and its client receives what it
 * emits: every emitted or fuzzed type is in the mask its `await-subscribers` waits for (which is
 * also the `{mask}` a `run --client` gives the client). Otherwise the example would pass while
 * sending most of its notifications to nobody.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { notificationTypes, type NotificationType } from '../src/codec/index.js';
import { loadScenario, type Step } from '../src/scenarios/index.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

function allSteps(steps: readonly Step[]): Step[] {
  return steps.flatMap((s) => [s, ...('steps' in s ? allSteps(s.steps) : [])]);
}

describe("README's scenario example", () => {
  it('loads, and subscribes to every type it emits', async () => {
    const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Scenarios'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'nso-mock-readme-'));
    try {
      await writeFile(join(dir, 'readme.yaml'), yaml ?? '');
      const scenario = await loadScenario(join(dir, 'readme.yaml'));
      const steps = allSteps(scenario.steps);
      const awaited = steps.find((s): s is Step & { kind: 'await-subscribers' } => s.kind === 'await-subscribers');
      const mask = awaited?.mask ?? 0;
      const emitted = new Set<NotificationType>(steps.flatMap((s) => (s.kind === 'emit' ? [s.notification.type] : s.kind === 'fuzz' ? s.types : [])));
      expect(emitted.size).toBeGreaterThan(1);
      const unsubscribed = [...emitted].filter((t) => (mask & notificationTypes[t].bit) === 0);
      expect(unsubscribed).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
