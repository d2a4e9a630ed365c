/**
 * A mock closed while a scenario plays (the mistake behind issue 17's "fuzz under start-time fails
 * with 'the server is closed'": `return mock.play(…)` inside an `await using mock` scope) fails the
 * run and says why, whether or not the later steps touch the server.
 */
import { describe, expect, it } from 'vitest';
import { startNsoMock } from '../../src/harness/index.js';
import type { RunReport, ScenarioDocument } from '../../src/scenarios/index.js';
import { ManualClock } from '../../src/server/index.js';
import { driveClock } from '../ncmp/manual-drive.js';

const CLOSED = 'the mock was closed while the scenario was playing: close it after play() settles (inside an `await using mock` scope, `return await mock.play(…)`, not `return mock.play(…)`)';

async function playThenDispose(clock: ManualClock, document: ScenarioDocument): Promise<RunReport> {
  await using mock = await startNsoMock({ clock });
  // The mistake: no `await`, so the mock is disposed of as this returns, before the play settles.
  return mock.play(document);
}

describe('a mock closed during play()', () => {
  it('fails a run whose remaining steps never touch the server (waits only), which used to pass', async () => {
    const clock = new ManualClock({ now: 0 });
    const report = await driveClock(clock, playThenDispose(clock, { name: 'waits', steps: [{ wait: '10ms' }, { wait: '5ms' }] }));
    expect(report.status).toBe('failed');
    expect(report.failures).toEqual([CLOSED]);
  });

  it('adds the cause to the step that failed on the closed server', async () => {
    const clock = new ManualClock({ now: 0 });
    const report = await driveClock(clock, playThenDispose(clock, { name: 'emits', steps: [{ wait: '10ms' }, { emit: { type: 'audit' } }] }));
    expect(report.failures).toEqual(['(document): emit (steps[1]): Failed to emit: the server is closed (mock server)', CLOSED]);
  });

  it('leaves a run that settled before the close alone', async () => {
    const clock = new ManualClock({ now: 0 });
    await using mock = await startNsoMock({ clock });
    const report = await driveClock(clock, mock.play({ name: 'fine', steps: [{ wait: '10ms' }, { emit: { type: 'audit' } }] }));
    expect([report.status, report.failures]).toEqual(['passed', []]);
  });
});
