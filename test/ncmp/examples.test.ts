import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startNsoMock } from '../../src/harness/index.js';
import { checkNcmpSchema, formatEventTime } from '../../src/ncmp/index.js';
import { loadScenario, type RunReport } from '../../src/scenarios/index.js';
import { ManualClock } from '../../src/server/index.js';
import { driveClock } from './manual-drive.js';

/**
 * Every examples/ncmp/*.yaml through the real engine: the loader (schema, step checks, the
 * cm-handle state machine over the whole scenario), the scenario player on a ManualClock, and the
 * NCMP engine the harness creates for a scenario that uses NCMP. The CLI runs them too
 * (test/e2e/ncmp.test.ts).
 */
const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'ncmp');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const T0 = Date.UTC(2026, 0, 1);

/** Records per topic each example publishes. */
const EXPECTED_RECORDS: Record<string, Record<string, number>> = {
  'async-responses.yaml': { 'ncmp-async-m2m': 2, 'my-client-topic': 3 },
  'cm-handle-lifecycle.yaml': { 'ncmp-events': 10 },
  // update-properties publishes nothing (as CPS).
  'lcm-v2-fleet.yaml': { 'ncmp-events': 9 },
};

async function play(file: string): Promise<RunReport> {
  const clock = new ManualClock({ now: T0 });
  await using mock = await startNsoMock({ clock });
  return await driveClock(clock, mock.play(join(dir, file))); // awaited before `mock` is disposed of
}

describe('examples/ncmp', () => {
  it('has the examples this test knows', () => {
    expect(files).toEqual(Object.keys(EXPECTED_RECORDS));
  });

  for (const file of files) {
    it(`${file} validates and runs green through the scenario engine`, async () => {
      const scenario = await loadScenario(join(dir, file));
      expect(scenario.extensions['ncmp']).toBeDefined();
      const report = await play(file);
      expect(report.failures).toEqual([]);
      expect(report.status).toBe('passed');
      expect(report.steps.every((s) => s.status === 'passed')).toBe(true);
      const ncmp = report.ncmp;
      expect(ncmp?.seed).toBe(String(scenario.seed));
      expect(Object.fromEntries((ncmp?.topics ?? []).map((t) => [t.topic, t.count]))).toEqual(EXPECTED_RECORDS[file]);
      for (const topic of ncmp?.topics ?? []) {
        expect(topic.records.map((r) => r.offset)).toEqual(topic.records.map((_, i) => i));
        for (const record of topic.records) {
          const value = record.value as { eventSchema?: string };
          if (topic.topic === 'ncmp-events') {
            expect(checkNcmpSchema(value.eventSchema?.endsWith('.v2') === true ? 'lcm-event-v2' : 'lcm-event-v1', value)).toEqual([]);
          }
        }
      }
      // Same file, same bytes: ids from the seed, times from the (manual) scenario clock.
      expect((await play(file)).ncmp).toEqual(ncmp);
    });
  }

  it('times come from the scenario clock: start-time anchors the first event, waits move the rest', async () => {
    const report = await play('async-responses.yaml');
    const byTopic = Object.fromEntries((report.ncmp?.topics ?? []).map((t) => [t.topic, t.records]));
    const client = byTopic['my-client-topic'] ?? [];
    expect(client.map((r) => r.timestamp)).toEqual([0, 100, 200].map((d) => Date.UTC(2024, 4, 1, 12) + d));
    expect((client[0]?.value as { eventTime: string }).eventTime).toBe('2024-05-01T12:00:00.000+0000');
    // Without start-time the events carry the scenario clock's own time (the ManualClock's T0).
    const lifecycle = await play('cm-handle-lifecycle.yaml');
    const lcm = lifecycle.ncmp?.topics[0]?.records ?? [];
    expect((lcm[0]?.value as { eventTime: string }).eventTime).toBe(formatEventTime(T0));
    expect(lcm.at(-1)?.timestamp).toBe(T0 + 50 + 2000 + 1000 + 1000);
  });
});
