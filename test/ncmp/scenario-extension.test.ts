import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startNsoMock } from '../../src/harness/index.js';
import {
  cmHandleTriggerNames,
  createNcmpEngine,
  ncmpEngineOptions,
  ncmpRunReport,
  scenarioUsesNcmp,
  validateNcmpSteps,
  type NcmpCmHandleStep,
} from '../../src/ncmp/index.js';
import { parseScenario, playScenario, ScenarioError, scenarioFromDocument, type RunReport, type ScenarioDocument } from '../../src/scenarios/index.js';
import { ManualClock } from '../../src/server/index.js';
import { fcRuns } from '../support/fc-config.js';
import { driveClock } from './manual-drive.js';

/**
 * The NCMP extension of the scenario engine (src/scenarios/steps/ncmp.ts): the loader's checks with
 * positions, the `ncmp:` settings, and playing on the run's engine.
 */
const T0 = Date.UTC(2026, 0, 1);

/** A document with NCMP steps or settings: `ScenarioDocument` does not declare extension steps yet. */
function doc(value: { name: string } & Record<string, unknown>): ScenarioDocument {
  return value as unknown as ScenarioDocument;
}

async function loadError(text: string): Promise<string> {
  try {
    await parseScenario(text, { file: 'bad.yaml' });
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  throw new Error('the scenario loaded');
}

async function playDocument(document: ScenarioDocument, seed?: number): Promise<RunReport> {
  const clock = new ManualClock({ now: T0 });
  await using mock = await startNsoMock({ clock });
  // `return await`: a bare `return` of the promise would dispose of the mock (close the server)
  // before the play settles, and a step that emits after that fails with "the server is closed".
  return await driveClock(clock, mock.play(document, seed === undefined ? {} : { seed }));
}

describe('loading NCMP scenarios', () => {
  it('reports every problem with file:line:col, path, expected and found', async () => {
    const message = await loadError(`name: bad
ncmp:
  lcm-schema-version: v3
  partitionz: 2
  start-time: yesterday
steps:
  - ncmp-cm-handle: { cmHandleId: ch-1, trigger: register }
  - ncmp-cm-handle: { cmHandleId: ch-1, trigger: retry, alternateId: x }
  - name: sync
    ncmp-cm-handle: { cmHandleId: ch-1, trigger: module-sync-succeed }
  - ncmp-cm-handle: { cmHandleId: ch-1, trigger: set-data-producer-identifier }
  - ncmp-cm-handle: { cmHandleId: ch-1, trigger: deregister, eventIds: [a, b, c] }
  - ncmp-async-response: { topic: t }
  - ncmp-async-response: { format: legacy, topic: "bad topic", responses: [] }
  - repeat:
      times: 2
      steps:
        - ncmp-cm-handle: { cmHandleId: ch-2, trigger: deregister-complete }
`);
    expect(message).toMatchInlineSnapshot(`
      "Failed to load scenario: 12 problems (bad.yaml)
      bad.yaml:3:23: ncmp.lcm-schema-version: expected one of v1, v2, found "v3" (did you mean v1?)
      bad.yaml:4:3: ncmp.partitionz: expected a field of ncmp (lcm-schema-version, seed, partitions, topics, start-time, utc-offset-minutes, type-id-headers, validate), found unknown field "partitionz" (did you mean partitions?)
      bad.yaml:5:15: ncmp.start-time: expected an ISO-8601 date-time such as 2026-01-01T00:00:00Z, found "yesterday"
      bad.yaml:8:5: steps[1].ncmp-cm-handle.trigger: expected a trigger ch-1 accepts in state ADVISED (module-sync-succeeded, module-sync-failed, deregister, deregister-begin, set-data-producer-identifier, update-properties), found retry (the watchdog retries only LOCKED handles, not ADVISED)
      bad.yaml:8:70: steps[1].ncmp-cm-handle.alternateId: expected a field retry uses (cmHandleId, trigger, eventIds, lcmSchemaVersion), found alternateId (only register uses it)
      bad.yaml:10:50: steps[2].ncmp-cm-handle.trigger: expected one of register, module-sync-succeeded, module-sync-failed, retry, upgrade, deregister, deregister-begin, deregister-complete, set-data-producer-identifier, update-properties, found "module-sync-succeed" (did you mean module-sync-succeeded?)
      bad.yaml:11:21: steps[3].ncmp-cm-handle.dataProducerIdentifier: expected the new dataProducerIdentifier (set-data-producer-identifier needs it), found nothing
      bad.yaml:12:72: steps[4].ncmp-cm-handle.eventIds: expected at most 2 eventIds (deregister publishes 2 events), found 3 eventIds
      bad.yaml:13:26: steps[5].ncmp-async-response.format: expected one of legacy, data-operation, found nothing
      bad.yaml:14:51: steps[6].ncmp-async-response.topic: expected a string matching /^[a-zA-Z0-9._-]{1,249}$/, found "bad topic"
      bad.yaml:14:75: steps[6].ncmp-async-response.responses: expected a non-empty list of mappings, found an empty list
      bad.yaml:18:11: steps[7].repeat.steps[0].ncmp-cm-handle.trigger: expected a trigger ch-2 accepts before it is registered (register), found deregister-complete (the cm-handle is not registered)"
    `);
  });

  it('checks which fields go with a trigger or a format', async () => {
    const message = await loadError(`name: fields
steps:
  - ncmp-cm-handle: { cmHandleId: ch-1, trigger: register, dataSyncEnabled: true }
  - ncmp-async-response: { format: legacy, topic: t, origin: ncmp }
  - ncmp-async-response: { format: data-operation, topic: t }
  - ncmp-async-response: { format: data-operation, origin: ncmp, internal: false, topic: t, responses: [{ operationId: o, ids: [a], statusCode: 100 }] }
`);
    expect(message.split('\n').slice(1)).toEqual([
      'bad.yaml:3:77: steps[0].ncmp-cm-handle.dataSyncEnabled: expected a field register uses (cmHandleId, trigger, eventIds, lcmSchemaVersion, alternateId, moduleSetTag, dataProducerIdentifier, properties), found dataSyncEnabled (only module-sync-succeeded uses it)',
      'bad.yaml:4:62: steps[1].ncmp-async-response.origin: expected a field the legacy format uses (format, topic, requestId, status, code, data, dmiEventId, eventId, source, internal), found origin (only data-operation uses it)',
      'bad.yaml:5:26: steps[2].ncmp-async-response.responses: expected a non-empty list of responses (the data-operation format needs it), found nothing',
      'bad.yaml:6:76: steps[3].ncmp-async-response.internal: expected no internal with origin ncmp (NCMP publishes its own errors on the client topic only), found false',
    ]);
  });

  it('runs the state machine over includes and nested steps in execution order', async () => {
    const files: Record<string, string> = {
      '/s/base.yaml': 'name: base\nsteps:\n  - ncmp-cm-handle: { cmHandleId: ch-1, trigger: register }\n',
      '/s/main.yaml': 'name: main\ninclude: [base.yaml]\nsteps:\n  - sequence:\n      - ncmp-cm-handle: { cmHandleId: ch-1, trigger: module-sync-succeeded }\n      - ncmp-cm-handle: { cmHandleId: ch-1, trigger: register }\n',
    };
    const readFile = (path: string): Promise<string> => Promise.resolve(files[path] ?? '');
    const error = await parseScenario(files['/s/main.yaml']!, { file: '/s/main.yaml', displayRoot: '/s', readFile }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).details.problems.map((p) => [p.file, p.line, p.path])).toEqual([['main.yaml', 6, 'steps[0].sequence[1].ncmp-cm-handle.trigger']]);
  });

  it('merges ncmp settings from includes (the including file wins) and knows which scenarios use NCMP', async () => {
    const files: Record<string, string> = {
      '/s/base.yaml': 'name: base\nncmp: { lcm-schema-version: v2, partitions: 3 }\n',
      '/s/main.yaml': 'name: main\ninclude: [base.yaml]\nncmp: { partitions: 2 }\nsteps:\n  - wait: 1ms\n',
    };
    const readFile = (path: string): Promise<string> => Promise.resolve(files[path] ?? '');
    const scenario = await parseScenario(files['/s/main.yaml']!, { file: '/s/main.yaml', displayRoot: '/s', readFile });
    expect(scenario.extensions['ncmp']).toEqual({ 'lcm-schema-version': 'v2', partitions: 2 });
    expect(scenarioUsesNcmp(scenario)).toBe(true);
    expect(scenarioUsesNcmp(await scenarioFromDocument({ name: 'plain', steps: [{ wait: '1ms' }] }))).toBe(false);
    const nested = await scenarioFromDocument(doc({ name: 'nested', steps: [{ repeat: { times: 1, steps: [{ 'ncmp-cm-handle': { cmHandleId: 'a', trigger: 'register' } }] } }] }));
    expect(scenarioUsesNcmp(nested)).toBe(true);
  });
});

describe('playing NCMP steps', () => {
  it('applies the ncmp settings: schema version, topics, partitions, id seed, zone offset, start-time', async () => {
    const settings = doc({
      name: 'settings',
      seed: 5,
      ncmp: { 'lcm-schema-version': 'v2', topics: { lcm: 'lcm-x', 'async-m2m': 'm2m-x' }, partitions: { 'lcm-x': 3 }, seed: 'fixed', 'utc-offset-minutes': 120, 'start-time': '2024-05-01T12:00:00Z' },
      steps: [
        { 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'register' } },
        { wait: '1s' },
        { 'ncmp-async-response': { format: 'legacy', topic: 'client', data: {} } },
      ],
    });
    const report = await playDocument(settings);
    expect(report.status).toBe('passed');
    const topics = report.ncmp?.topics ?? [];
    expect(topics.map((t) => [t.topic, t.partitions, t.count])).toEqual([
      ['lcm-x', 3, 1],
      ['m2m-x', 1, 1],
      ['client', 1, 1],
    ]);
    const lcm = topics[0]?.records[0]?.value as { eventSchema: string; eventTime: string; eventId: string };
    expect(lcm.eventSchema).toBe('org.onap.ncmp:cmhandle-lcm-event.v2');
    expect(lcm.eventTime).toBe('2024-05-01T14:00:00.000+0200');
    expect((topics[2]?.records[0]?.value as { eventTime: string }).eventTime).toBe('2024-05-01T14:00:01.000+0200');
    // ids come from ncmp.seed, not from the run's seed.
    expect(report.ncmp?.seed).toBe('fixed');
    const other = await playDocument(settings, 999);
    expect((other.ncmp?.topics[0]?.records[0]?.value as { eventId: string }).eventId).toBe(lcm.eventId);
  });

  it('with a start-time the events carry the virtual scenario time (start-time + waits), however late the host fires its timers', async () => {
    const scenario = doc({
      name: 'virtual time',
      seed: 3,
      ncmp: { 'start-time': '2024-05-01T12:00:00Z' },
      steps: [
        { wait: '10ms' },
        { 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'register' } },
        { parallel: [{ sequence: [{ wait: '30ms' }, { 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'module-sync-succeeded' } }] }, { wait: '50ms' }] },
        { repeat: { times: 2, steps: [{ wait: '7ms' }, { 'ncmp-async-response': { format: 'legacy', topic: 'client', data: {} } }] } },
        // A fixed duration besides waits: expect-no-ack's `for`.
        { 'expect-no-ack': { for: '100ms' } },
        // fuzz's pacing: 3 notifications 5 ms apart are 10 ms of scenario time.
        { fuzz: { types: ['audit', 'commit-simple'], count: 3, every: '5ms' } },
        { 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'deregister-begin' } },
      ],
    });
    // A loaded host: every timer fires `lag` ms after it was due, a different lag each time.
    const playLate = async (lags: readonly number[]): Promise<RunReport> => {
      const clock = new ManualClock({ now: T0 });
      await using mock = await startNsoMock({ clock });
      let settled = false;
      const played = mock.play(scenario).finally(() => {
        settled = true;
      });
      // Driven until the play settles (fuzz loads fast-check on first use, which takes real time);
      // the real-time bound is a guard, as driveClock's, not a deadline of the test.
      const guard = Date.now() + 20_000;
      for (let i = 0; !settled && Date.now() < guard; i += 1) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        await new Promise<void>((resolve) => setImmediate(resolve));
        const due = clock.nextDue();
        if (!settled && due !== undefined) clock.advanceTo(due + (lags[i % lags.length] ?? 0));
      }
      // Awaited inside the scope of `mock`, which a bare `return played` would close mid-run.
      return await played;
    };
    const exact = await playDocument(scenario);
    expect(exact.failures).toEqual([]);
    const late = await playLate([13, 0, 29, 4, 51]);
    expect(late.status).toBe('passed');
    expect(late.ncmp).toEqual(exact.ncmp);
    const times = (late.ncmp?.topics ?? []).flatMap((t) => t.records.map((r) => [t.topic, r.timestamp - Date.UTC(2024, 4, 1, 12)]));
    // register after 10 ms; the sync 30 ms into the parallel; the parallel ends with its 50 ms branch;
    // then 7 + 7; then 100 ms without acks; then the fuzz's 2 × 5 ms.
    expect(times).toEqual([
      ['ncmp-events', 10],
      ['ncmp-events', 40],
      ['ncmp-events', 74 + 100 + 10],
      ['ncmp-async-m2m', 67],
      ['ncmp-async-m2m', 74],
      ['client', 67],
      ['client', 74],
    ]);
  });

  it('derives the ids from the run seed when ncmp.seed is absent (--seed changes them)', async () => {
    const seeded = doc({ name: 'seeded', steps: [{ 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'register' } }] });
    const eventId = (r: RunReport): unknown => (r.ncmp?.topics[0]?.records[0]?.value as { eventId: string }).eventId;
    const a = await playDocument(seeded, 1);
    const b = await playDocument(seeded, 1);
    const c = await playDocument(seeded, 2);
    expect([a.seed, a.ncmp?.seed]).toEqual([1, '1']);
    expect(eventId(a)).toBe(eventId(b));
    expect(eventId(a)).not.toBe(eventId(c));
  });

  it('a transition the loader cannot see (a register repeated) fails its step at run time, with its position', async () => {
    const scenario = await parseScenario(
      'name: twice\nsteps:\n  - repeat:\n      times: 2\n      steps:\n        - ncmp-cm-handle: { cmHandleId: ch-1, trigger: register }\n',
      { file: 'twice.yaml' },
    );
    const clock = new ManualClock({ now: T0 });
    await using mock = await startNsoMock({ clock });
    const report = await driveClock(clock, mock.play(scenario));
    expect(report.status).toBe('failed');
    expect(report.failures).toEqual([
      'twice.yaml:6:11: ncmp-cm-handle (steps[0].repeat.steps[0]): Failed to apply register to cm-handle ch-1: the cm-handle is already registered (ADVISED) (state ADVISED)',
    ]);
    // The mock keeps its engine: the handle registered by the first iteration is still there.
    expect(mock.ncmp?.cmHandles().get('ch-1')?.state).toBe('ADVISED');
  });

  it('needs the run engine among the services: without it the step fails and says how to give one', async () => {
    const scenario = await scenarioFromDocument(doc({ name: 'no engine', steps: [{ 'ncmp-cm-handle': { cmHandleId: 'a', trigger: 'register' } }] }));
    const clock = new ManualClock({ now: T0 });
    await using mock = await startNsoMock({ clock });
    const report = await driveClock(clock, playScenario(scenario, mock.server, { clock, seed: 1 }));
    expect(report.status).toBe('failed');
    expect(report.steps[0]?.error).toMatch(/^no NCMP engine for this run: play the scenario with extensions: \{ ncmp: createNcmpEngine\(\.\.\.\) \}/);
  });

  it('plays on an engine the caller gives (and startNsoMock({ ncmp }) creates one up front)', async () => {
    const clock = new ManualClock({ now: T0 });
    const engine = createNcmpEngine(ncmpEngineOptions({ partitions: 2 }, { seed: 9, clock }));
    await using mock = await startNsoMock({ clock, ncmp: { partitions: 5 } });
    expect(mock.ncmp?.store.partitionsFor('anything')).toBe(5);
    const given = doc({ name: 'given', steps: [{ 'ncmp-cm-handle': { cmHandleId: 'a', trigger: 'register' } }] });
    const report = await driveClock(clock, mock.play(given, { extensions: { ncmp: engine } }));
    expect(report.status).toBe('passed');
    expect(engine.records('ncmp-events')).toHaveLength(1);
    expect(mock.ncmp?.records('ncmp-events')).toHaveLength(0);
    expect(report.ncmp).toEqual(ncmpRunReport(engine));
    // The mock's own engine, for a play without one: only this run's records are in the report.
    await driveClock(clock, mock.play(given));
    const again = await driveClock(clock, mock.play(doc({ name: 'more', steps: [{ 'ncmp-cm-handle': { cmHandleId: 'b', trigger: 'register' } }] })));
    expect(mock.ncmp?.records('ncmp-events').map((r) => new TextDecoder().decode(r.key!))).toEqual(['a', 'b']);
    expect(again.ncmp?.topics.map((t) => [t.topic, t.count, t.records[0]?.offset])).toEqual([['ncmp-events', 1, 1]]);
  });
});

describe('properties', () => {
  const stepArb: fc.Arbitrary<NcmpCmHandleStep> = fc
    .record({ cmHandleId: fc.constantFrom('ch-1', 'ch-2'), trigger: fc.constantFrom(...cmHandleTriggerNames), value: fc.constantFrom('a', 'b') })
    .map(({ cmHandleId, trigger, value }) => {
      if (trigger === 'set-data-producer-identifier') return { cmHandleId, trigger, dataProducerIdentifier: value };
      if (trigger === 'update-properties') return { cmHandleId, trigger, properties: { p: value } };
      return { cmHandleId, trigger };
    });

  it('the loader rejects exactly the steps the state machine rejects, each at its own step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 12 }), async (steps) => {
        const expected = validateNcmpSteps(steps.map((s) => ({ 'ncmp-cm-handle': s }))).map((p) => `steps[${p.index}].ncmp-cm-handle.trigger`);
        const error = await scenarioFromDocument(doc({ name: 'generated', steps: steps.map((s) => ({ 'ncmp-cm-handle': s })) })).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (expected.length === 0) {
          expect(error).toBeUndefined();
        } else {
          expect(error).toBeInstanceOf(ScenarioError);
          expect((error as ScenarioError).details.problems.map((p) => p.path)).toEqual(expected);
        }
      }),
      { numRuns: fcRuns(0.5) },
    );
  });
});
