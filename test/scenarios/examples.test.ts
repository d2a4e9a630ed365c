import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connect, connectMaapi, type ConnectOptions, type NotifClient, type ReceivedNotification } from '../../src/client/index.js';
import { formatTerm, NOTIF, notificationTypes, type NotificationType } from '../../src/codec/index.js';
import { startNsoMock, type RunningNsoMock } from '../../src/harness/index.js';
import { loadScenario, type Scenario, type Step } from '../../src/scenarios/index.js';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Every scenario example (examples/ncmp/ belongs to the NCMP family and has its own test; examples/maapi/ runs here with a MAAPI consumer). */
const exampleFiles: readonly string[] = [
  ...readdirSync(examplesDir).filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`),
  ...readdirSync(`${examplesDir}shared`).filter((f) => f.endsWith('.yaml')).map((f) => `examples/shared/${f}`),
  ...readdirSync(`${examplesDir}maapi`).filter((f) => f.endsWith('.yaml')).map((f) => `examples/maapi/${f}`),
].sort();

function allSteps(steps: readonly Step[]): Step[] {
  return steps.flatMap((s) => [s, ...('steps' in s ? allSteps(s.steps) : [])]);
}

/** Types the scenario emits explicitly. */
function emittedTypes(scenario: Scenario): Set<NotificationType> {
  return new Set(allSteps(scenario.steps).flatMap((s) => (s.kind === 'emit' ? [s.notification.type] : s.kind === 'fuzz' ? s.types : [])));
}

/** The clients a scenario waits for: one per awaited subscriber, with the awaited mask (or every emitted type). */
function clientMasks(scenario: Scenario): number[] {
  const everything = [...emittedTypes(scenario)].reduce((m, t) => m | notificationTypes[t].bit, 0);
  return allSteps(scenario.steps)
    .filter((s): s is Step & { kind: 'await-subscribers' } => s.kind === 'await-subscribers')
    .flatMap((s) => Array<number>(s.count).fill(s.mask === 0 ? everything : s.mask));
}

interface Subscriber {
  readonly client: NotifClient;
  readonly received: ReceivedNotification[];
  /** Resolves when the connection ended; `error` is set when reading failed (garbage from the server). */
  readonly done: Promise<void>;
  error?: unknown;
}

function optionsFor(mask: number, scenario: Scenario): ConnectOptions {
  return {
    mask,
    autoAck: true,
    ...(scenario.profile === 'auto' ? {} : { profile: scenario.profile }),
    ...((mask & NOTIF.HEARTBEAT) !== 0 ? { heartbeatInterval: 1000 } : {}),
    ...((mask & NOTIF.HEALTH_CHECK) !== 0 ? { healthCheckInterval: 1000 } : {}),
  };
}

async function subscribe(mock: RunningNsoMock, options: ConnectOptions): Promise<Subscriber> {
  const tcp = mock.addresses.tcp;
  if (tcp === undefined) throw new Error('no TCP listener');
  const client = await connect(tcp, options);
  const received: ReceivedNotification[] = [];
  const sub: { -readonly [K in keyof Subscriber]: Subscriber[K] } = { client, received, done: Promise.resolve() };
  sub.done = (async () => {
    try {
      for await (const n of client) received.push(n);
    } catch (error) {
      sub.error = error;
    }
  })();
  return sub;
}

/** Per-example client behaviour, where the derived one (ack everything) is not the point. */
const special: Readonly<Record<string, (mock: RunningNsoMock, scenario: Scenario) => Promise<Subscriber[]>>> = {
  'examples/stream-replay.yaml': async (mock, scenario) => {
    // Replay from the start of the stream's log (its replay-from), once the first stream step ran.
    await expect.poll(() => mock.server.streams.list().length, { timeout: 10_000, interval: 5 }).toBe(1);
    const logStart = mock.server.streams.list()[0]?.logStart ?? 0;
    return [await subscribe(mock, { ...optionsFor(NOTIF.STREAM_EVENT, scenario), stream: { name: 'events', startTime: new Date(Math.floor(logStart)) } })];
  },
  'examples/maapi/commit-diff-consumer.yaml': async (mock, scenario) => {
    // A MAAPI consumer: attach to the commit's th, walk the diff, read a value, detach, then ack.
    const sub = await subscribe(mock, { ...optionsFor(NOTIF.COMMIT_DIFF, scenario), autoAck: false });
    await expect.poll(() => sub.received.length, { timeout: 10_000, interval: 5 }).toBeGreaterThan(0);
    const n = sub.received[0]!.notification;
    const th = n.type === 'commit-diff' ? n.th : -1;
    const m = await connectMaapi(mock.addresses.tcp!);
    await m.attach(th);
    let items = 0;
    for await (const _item of m.diffIterate(th)) items += 1;
    expect(items).toBe(7);
    expect(formatTerm(await m.getElem(th, '/mk:sys/host{h1}/address'))).toBe('{10,0,0,1}');
    await m.detach(th);
    m.close();
    await sub.client.diffDone(th);
    return [sub];
  },
  'examples/violations.yaml': async (mock, scenario) => {
    const sub = await subscribe(mock, optionsFor(NOTIF.COMMIT_DIFF, scenario));
    await sub.client.diffDone(9999); // a transaction nobody asked about (§12.4)
    return [sub];
  },
};

describe('examples', () => {
  it('are all here: one per notification type at least, every type in some emit', async () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(10);
    const covered = new Set<NotificationType>();
    for (const file of exampleFiles) {
      const scenario = await loadScenario(file, { displayRoot: repoRoot });
      for (const s of allSteps(scenario.steps)) if (s.kind === 'emit') covered.add(s.notification.type);
    }
    expect([...covered].sort()).toEqual(Object.keys(notificationTypes).sort());
  });

  describe.each(exampleFiles)('%s', (file) => {
    it('validates', async () => {
      const scenario = await loadScenario(file, { displayRoot: repoRoot });
      expect(scenario.name.length).toBeGreaterThan(0);
      expect(scenario.steps.length).toBeGreaterThan(0);
    });

    it('runs green against the mock with the TypeScript client', async () => {
      const scenario = await loadScenario(file, { displayRoot: repoRoot });
      await using mock = await startNsoMock({ scenario });
      const playing = mock.play(scenario);
      const custom = special[file];
      const subscribers = custom !== undefined ? await custom(mock, scenario) : await Promise.all(clientMasks(scenario).map((m) => subscribe(mock, optionsFor(m, scenario))));
      const report = await playing;
      const brokenBeforeClose =
        file === 'examples/broken-frames.yaml'
          ? await Promise.all(
              subscribers.map(async (s, i) => {
                await s.done;
                // Garbage makes the reader fail; a cut frame ends the connection before any audit arrives.
                return i === 0 ? s.error !== undefined : s.client.isClosed && s.received.length === 0;
              }),
            )
          : [];
      expect(report.failures).toEqual([]);
      expect(report.status).toBe('passed');
      await mock.close();
      await Promise.all(subscribers.map((s) => s.done));
      // What the scenario emitted reached the subscribers of its type.
      const received = new Set(subscribers.flatMap((s) => s.received.map((n) => n.type)));
      for (const type of emittedTypes(scenario)) {
        if (file === 'examples/broken-frames.yaml' || type === 'stream-event') continue;
        expect(received, `${type} was not received`).toContain(type);
      }
      if (file === 'examples/stream-replay.yaml') {
        const events = subscribers[0]?.received.map((n) => n.notification) ?? [];
        expect(events.map((n) => (n.type === 'stream-event' ? n.event : 0))).toEqual([1, 1, 3, 1, 1, 1]);
        // The backdated history, replayed in event-time order (it is written newest first).
        expect(events.slice(0, 2).map((n) => (n.type === 'stream-event' && n.event === 1 ? [n.event_time.year, n.event_time.sec] : []))).toEqual([
          [2020, 5],
          [2020, 10],
        ]);
      }
      if (file === 'examples/broken-frames.yaml') {
        // The garbage and the cut frame broke the clients they were aimed at, before the mock closed.
        expect(brokenBeforeClose).toEqual([true, true]);
      }
    });
  });
});
