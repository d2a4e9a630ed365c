/**
 * The NCMP part of a run report is declared (`RunReport.ncmp`), so a test reads it without a cast.
 * `tsc --noEmit` (npm test's typecheck) checks the types, where `expectTypeOf` does the work; the
 * play below is the same reading at run time.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { startNsoMock, type PlayOptions, type RunningNsoMock } from '../../src/harness/index.js';
import type { NcmpEngine, NcmpRunReport, NcmpTopicReport } from '../../src/ncmp/index.js';
import type { RunReport, ScenarioDocument } from '../../src/scenarios/index.js';
import { ManualClock } from '../../src/server/index.js';
import { driveClock } from './manual-drive.js';

describe('RunReport.ncmp (typed)', () => {
  it('declares the optional NcmpRunReport on the report and the engine among play() services', () => {
    expectTypeOf<RunReport['ncmp']>().toEqualTypeOf<NcmpRunReport | undefined>();
    expectTypeOf<Awaited<ReturnType<RunningNsoMock['play']>>['ncmp']>().toEqualTypeOf<NcmpRunReport | undefined>();
    expectTypeOf<NonNullable<PlayOptions['extensions']>['ncmp']>().toEqualTypeOf<NcmpEngine | undefined>();
  });

  it('is read from a play() result with no cast', async () => {
    const clock = new ManualClock({ now: Date.UTC(2026, 0, 1) });
    await using mock = await startNsoMock({ clock });
    // `ScenarioDocument` does not declare extension steps; the document is the only cast here.
    const document = { name: 'typed', seed: 3, steps: [{ 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'register' } }] } as unknown as ScenarioDocument;
    const report = await driveClock(clock, mock.play(document));
    const topics: readonly NcmpTopicReport[] | undefined = report.ncmp?.topics;
    expect(topics?.map((t) => [t.topic, t.count])).toEqual([['ncmp-events', 1]]);
    expect(report.ncmp?.seed).toBe('3');
  });
});
