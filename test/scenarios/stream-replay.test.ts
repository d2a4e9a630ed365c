/**
 * The `stream` step's `replay-from` and backdated `history` (PROTOCOL.md §14), played against the
 * real server over TCP on a ManualClock: nothing here waits for time to pass.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type NotifClient, type ReceivedNotification } from '../../src/client/index.js';
import { NOTIF, type TagValueInput } from '../../src/codec/index.js';
import { parseScenario, scenarioFromDocument } from '../../src/scenarios/load.js';
import type { ScenarioDocument } from '../../src/scenarios/scenario.js';
import { assertRunPassed, playScenario } from '../../src/scenarios/scheduler.js';
import { createMockServer, ManualClock, type MockServer } from '../../src/server/index.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const values = (n: number): TagValueInput[] => [
  { ns: 1928374655, tag: 101, xml: 'start' },
  { ns: 1928374655, tag: 102, v: n },
  { ns: 1928374655, tag: 101, xml: 'stop' },
];
const iso = (ms: number): string => new Date(ms).toISOString();

let clock: ManualClock;
let server: MockServer;
const clients: NotifClient[] = [];

beforeEach(async () => {
  clock = new ManualClock({ now: T0 + 60 * MIN });
  server = createMockServer({ tcp: { port: 0 }, clock });
  await server.listen();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

async function subscribe(startTime: number, mask: number = NOTIF.STREAM_EVENT): Promise<NotifClient> {
  const tcp = server.addresses.tcp;
  if (tcp === undefined) throw new Error('not listening');
  const c = await connect(tcp, { mask, stream: { name: 'events', startTime: new Date(startTime) } });
  clients.push(c);
  return c;
}

async function play(doc: ScenarioDocument): Promise<void> {
  assertRunPassed(await playScenario(await scenarioFromDocument(doc), server, { clock }));
}

/** Minutes after T0 of an event, or the marker's name. */
function describeStream(r: ReceivedNotification): string | number {
  const n = r.notification;
  if (n.type !== 'stream-event') return n.type;
  if (n.event === 1) return (Date.UTC(n.event_time.year, n.event_time.month - 1, n.event_time.day, n.event_time.hour, n.event_time.min) - T0) / MIN;
  return ['', '', 'notification-complete', 'replay-complete', 'replay-failed'][n.event] ?? '?';
}

const defineWithHistory: ScenarioDocument = {
  name: 'a stream whose log starts at midnight',
  steps: [
    {
      stream: {
        name: 'events',
        'replay-from': iso(T0),
        history: [30, 10, 20].map((m) => ({ time: iso(T0 + m * MIN), values: values(m) })),
      },
    },
  ],
};

describe('stream replay-from and history', () => {
  it('a start time inside the history: those events in event-time order, replay_complete, then live', async () => {
    await play(defineWithHistory);
    const c = await subscribe(T0 + 15 * MIN);
    expect(server.streams.list()).toEqual([expect.objectContaining({ name: 'events', logStart: T0, historySize: 3 })]);
    await play({ name: 'live', steps: [{ stream: { name: 'events', events: [{ values: values(60) }] } }] });
    expect((await c.take(4)).map(describeStream)).toEqual([20, 30, 'replay-complete', 60]);
  });

  it('a start time before replay-from: {replay_failed, Reason}, and no stream events after it', async () => {
    await play(defineWithHistory);
    const c = await subscribe(T0 - 1000, NOTIF.STREAM_EVENT | NOTIF.AUDIT);
    await play({ name: 'live', steps: [{ stream: { name: 'events', events: [{ values: values(60) }] } }, { emit: { type: 'audit', msg: 'after' } }] });
    const [failed, next] = await c.take(2);
    expect(failed?.notification).toMatchObject({ type: 'stream-event', event: 4, error: expect.stringContaining('before the replay log') });
    expect(next?.type).toBe('audit');
  });

  it('fails the step when replay-from is after the run clock (checked at play time)', async () => {
    const report = await playScenario(
      await scenarioFromDocument({ name: 'future', steps: [{ stream: { name: 'events', 'replay-from': iso(T0 + 2 * 60 * MIN) } }] }),
      server,
      { clock },
    );
    expect(report.status).toBe('failed');
    expect(report.steps[0]?.error).toMatch(/logStart 2026-01-01T02:00:00.000Z is after now/);
  });
});

describe('tag-names and XPath filters (PROTOCOL.md §8.1, §14)', () => {
  it('names hashed tags for the filters of subscribers; history and live events are filtered alike', async () => {
    const text = [
      'name: filtered',
      'steps:',
      '  - stream:',
      '      name: events',
      `      replay-from: ${iso(T0)}`,
      '      tag-names: { 101: reading, 102: value }',
      '      history:',
      `        - { time: ${iso(T0 + 10 * MIN)}, values: [ { ns: 1928374655, tag: 101, xml: start }, { ns: 1928374655, tag: 102, v: 10 }, { ns: 1928374655, tag: 101, xml: stop } ] }`,
      `        - { time: ${iso(T0 + 20 * MIN)}, values: [ { ns: 1928374655, tag: 101, xml: start }, { ns: 1928374655, tag: 102, v: 20 }, { ns: 1928374655, tag: 101, xml: stop } ] }`,
      '',
    ].join('\n');
    assertRunPassed(await playScenario(await parseScenario(text, { file: 'filtered.yaml' }), server, { clock }));
    const tcp = server.addresses.tcp;
    if (tcp === undefined) throw new Error('not listening');
    const c = await connect(tcp, { mask: NOTIF.STREAM_EVENT, stream: { name: 'events', startTime: new Date(T0), xpathFilter: '/reading[value > 15]' } });
    clients.push(c);
    // A later step without tag-names keeps them.
    await play({ name: 'live', steps: [{ stream: { name: 'events', events: [{ values: values(5) }, { values: values(60) }] } }] });
    expect((await c.take(3)).map(describeStream)).toEqual([20, 'replay-complete', 60]);
  });

  it('refuses tag-names keys that are not hashes in decimal', async () => {
    const error = await parseScenario(['name: bad', 'steps:', '  - stream: { name: a, tag-names: { eth: x } }', ''].join('\n'), { file: 'bad.yaml' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'NSOMOCK_SCENARIO_INVALID' });
  });
});

describe('loading', () => {
  it('reports history before replay-from, replay-from without a log, and bad times, with positions', async () => {
    const text = [
      'name: bad streams',
      'steps:',
      '  - stream:',
      '      name: a',
      '      replay-from: 2026-01-01T00:00:00Z',
      '      history:',
      '        - { time: 2025-12-31T23:59:59Z, values: [] }',
      '  - stream: { name: b, replay: false, replay-from: 2026-01-01T00:00:00Z }',
      '  - stream: { name: c, events: [ { time: 2026-13-01T00:00:00Z, values: [] } ] }',
      '',
    ].join('\n');
    const error = await parseScenario(text, { file: 'bad.yaml' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'NSOMOCK_SCENARIO_INVALID' });
    const problems = (error as { details: { problems: { line: number; path: string; expected: string }[] } }).details.problems;
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [7, 'steps[0].stream.history[0].time'],
      [8, 'steps[1].stream.replay-from'],
      [9, 'steps[2].stream.events[0].time.month'],
    ]);
    expect(problems[0]?.expected).toContain('at or after replay-from (2026-01-01T00:00:00.000Z)');
  });
});
