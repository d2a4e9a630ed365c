import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, parseDuration } from '../../src/scenarios/duration.js';
import { parseScenario, scenarioFromDocument, ScenarioError } from '../../src/scenarios/index.js';
import { MAX_DURATION_MS as ROOT_MAX_DURATION_MS } from '../../src/index.js';
import type { ScenarioDocument } from '../../src/scenarios/scenario.js';
import { fcRuns } from '../support/fc-config.js';

/** The error message of loading `text` as `d.yaml` (the test fails if it loads). */
async function problems(text: string): Promise<string> {
  const error = await parseScenario(text, { file: 'd.yaml', displayRoot: '/scenarios' }).catch((e: unknown) => e);
  if (error instanceof ScenarioError) return error.message;
  throw new Error(`expected a ScenarioError, got ${String(error)}`);
}

describe('duration limits', () => {
  it('parseDuration refuses what is not finite or longer than 576h', () => {
    expect(MAX_DURATION_MS).toBe(576 * 3_600_000);
    expect(ROOT_MAX_DURATION_MS).toBe(MAX_DURATION_MS);
    expect(MAX_DURATION_MS).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(parseDuration('576h')).toBe(MAX_DURATION_MS);
    expect(parseDuration(MAX_DURATION_MS)).toBe(MAX_DURATION_MS);
    expect(parseDuration(MAX_DURATION_MS + 1)).toBeUndefined();
    expect(parseDuration('576h1ms')).toBeUndefined();
    expect(parseDuration('1000h')).toBeUndefined();
    expect(parseDuration('99999999999999999999h')).toBeUndefined();
    expect(parseDuration(Infinity)).toBeUndefined();
    expect(parseDuration(NaN)).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
  });

  it('validate reports each out-of-range duration with its position and the maximum', async () => {
    expect(
      await problems(`name: x
options: { event-reply-timeout: 1000h }
steps:
  - await-subscribers: { count: 1, within: 1000h }
  - wait: 99999999999999999999h
  - wait: 2147484s
  - wait: .inf
  - wait: 1e400
  - wait: .nan
  - wait: 2073600001
  - emit: { type: commit-diff, th: 1, wait-ack: 577h }
  - wait: 576h
`),
    ).toMatchInlineSnapshot(`
      "Failed to load scenario: 9 problems (d.yaml)
      d.yaml:2:33: options.event-reply-timeout: expected a finite duration of at most 576h (24 days), found "1000h"
      d.yaml:4:44: steps[0].await-subscribers.within: expected a finite duration of at most 576h (24 days), found "1000h"
      d.yaml:5:11: steps[1].wait: expected a finite duration of at most 576h (24 days), found "99999999999999999999h"
      d.yaml:6:11: steps[2].wait: expected a finite duration of at most 576h (24 days), found "2147484s"
      d.yaml:7:11: steps[3].wait: expected a finite duration of at most 576h (24 days), found Infinity
      d.yaml:8:11: steps[4].wait: expected a finite duration of at most 576h (24 days), found Infinity
      d.yaml:9:11: steps[5].wait: expected a finite duration of at most 576h (24 days), found NaN
      d.yaml:10:11: steps[6].wait: expected a duration with a unit (add a unit: 5s, 200ms), found 2073600001
      d.yaml:11:49: steps[7].emit.wait-ack: expected a finite duration of at most 576h (24 days), found "577h""
    `);
  });

  it('validate refuses a bare number as a duration, asking for a unit (a bare 0 is fine)', async () => {
    expect(
      await problems(`name: x
options: { ack-timeout: 5 }
steps:
  - await-subscribers: { count: 1, within: 5 }
  - wait: 0
  - emit: { type: commit-diff, th: 1, wait-ack: 200 }
  - fault: { kind: slow-write, interval: 1.5, for: 0 }
`),
    ).toMatchInlineSnapshot(`
      "Failed to load scenario: 4 problems (d.yaml)
      d.yaml:2:25: options.ack-timeout: expected a duration with a unit (add a unit: 5s, 200ms), found 5
      d.yaml:4:44: steps[0].await-subscribers.within: expected a duration with a unit (add a unit: 5s, 200ms), found 5
      d.yaml:6:49: steps[2].emit.wait-ack: expected a duration with a unit (add a unit: 5s, 200ms), found 200
      d.yaml:7:42: steps[3].fault.interval: expected a duration with a unit (add a unit: 5s, 200ms), found 1.5"
    `);
  });

  it('compile reports a bad duration in a trusted document instead of using the default', async () => {
    const doc = {
      name: 'trusted',
      options: { 'ack-timeout': Infinity },
      steps: [{ wait: Infinity }, { 'await-subscribers': { within: '1000h' } }, { fault: { kind: 'stall', for: Number.NaN } }],
    } as unknown as ScenarioDocument;
    const error = await scenarioFromDocument(doc, { trusted: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).details.problems.map((p) => [p.path, p.found])).toEqual([
      ['steps[0].wait', 'Infinity'],
      ['steps[1].await-subscribers.within', '"1000h"'],
      ['steps[2].fault.for', 'NaN'],
      ['options.ack-timeout', 'Infinity'],
    ]);
  });

  describe('properties', () => {
    it('a duration parses exactly when it is from 0 to the maximum, and formats back to itself', () => {
      fc.assert(
        fc.property(fc.oneof(fc.nat(MAX_DURATION_MS), fc.integer({ min: MAX_DURATION_MS + 1, max: Number.MAX_SAFE_INTEGER })), (value) => {
          const parsed = parseDuration(formatDuration(value));
          if (value <= MAX_DURATION_MS) expect(parsed).toBe(value);
          else expect(parsed).toBeUndefined();
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});
