import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNsoMock } from '../../src/harness/index.js';
import { headerBytesFromJson, type NcmpRecordJson, type NcmpRunReport } from '../../src/ncmp/index.js';
import type { RunReport } from '../../src/scenarios/index.js';
import { ManualClock } from '../../src/server/index.js';
import { consumeKafka, startKcatCluster, type KcatCluster } from '../ncmp/kcat-cluster.js';
import { driveClock } from '../ncmp/manual-drive.js';
import { mainJs, repoRoot, startCli, type CliProcess, type ReadyLine } from './cli-process.js';
import { scaled } from '../support/time-scale.js';

/**
 * The NCMP event family through the built CLI: `serve` with the HTTP feed, `run` for every
 * example, `validate` of an impossible transition, Kafka through the kcat mock cluster, and the
 * startup rule (nothing heavy is loaded for a scenario that does not publish).
 */
type NcmpReady = ReadyLine & { readonly ncmp?: { readonly url: string } };

let dir: string;
const spawned: CliProcess[] = [];
let cluster: KcatCluster | undefined;

function cli(args: readonly string[]): CliProcess {
  const p = startCli(args);
  spawned.push(p);
  return p;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-ncmp-e2e-'));
});

afterAll(async () => {
  for (const p of spawned) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(spawned.map((p) => p.exited));
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Reads `count` NDJSON lines from a feed URL, then aborts the request. */
async function readLines(url: string, count: number, timeoutMs = 10_000): Promise<NcmpRecordJson[]> {
  const controller = new AbortController();
  const guard = setTimeout(() => controller.abort(new Error(`fewer than ${count} lines within ${timeoutMs} ms from ${url}`)), timeoutMs);
  try {
    const response = await fetch(url, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const lines: string[] = [];
    while (lines.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n')) {
        lines.push(text.slice(0, i));
        text = text.slice(i + 1);
      }
    }
    controller.abort();
    return lines.slice(0, count).map((l) => JSON.parse(l) as NcmpRecordJson);
  } finally {
    clearTimeout(guard);
  }
}

/** The same scenario through the harness on a ManualClock: the reference the CLI must match. */
async function reference(file: string): Promise<NcmpRunReport> {
  const clock = new ManualClock({ now: Date.UTC(2026, 0, 1) });
  await using mock = await startNsoMock({ clock });
  const report = await driveClock(clock, mock.play(join(repoRoot, file)));
  return report.ncmp!;
}

/** A record without what the wall clock decides: timestamp, eventTime (also forwarded) and the time headers. */
function timeless(record: NcmpRecordJson): unknown {
  const { timestamp: _t, value, headers, ...rest } = record;
  void _t;
  const { eventTime: _e, forwardedEvent, ...event } = value as Record<string, unknown>;
  void _e;
  const forwarded = forwardedEvent === undefined ? {} : { forwardedEvent: { ...(forwardedEvent as object), eventTime: undefined } };
  return { ...rest, value: { ...event, ...forwarded }, headers: headers.filter((h) => h.key !== 'eventTime' && h.key !== 'ce_time') };
}

describe('nso-mock serve --ncmp-port (built CLI)', () => {
  it('reports the feed in the ready line; the NDJSON feed from offset 0 holds what the engine produced', async () => {
    const p = cli(['serve', '--scenario', 'examples/ncmp/lcm-v2-fleet.yaml', '--port', '0', '--ncmp-port', '0']);
    const ready = (await p.ready) as NcmpReady;
    expect(ready).toEqual({ event: 'ready', tcp: { host: '127.0.0.1', port: expect.any(Number) }, unix: null, ncmp: { url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) } });
    const url = ready.ncmp!.url;
    // Connected right after the ready line, before or while the scenario plays: the feed replays from 0 and follows.
    const records = await readLines(`${url}/topics/ncmp-events?from=0`, 9);
    expect(records.map((r) => r.offset)).toEqual([...Array(9).keys()]);
    // node-b's property update publishes nothing, as CPS.
    expect(records.map((r) => r.key)).toEqual(['node-a', 'node-b', 'node-c', 'node-a', 'node-b', 'node-c', 'node-c', 'node-c', 'node-a']);
    expect(records.map((r) => (r.value as { eventType: string }).eventType.split('.').pop())).toEqual([
      'create', 'create', 'create', 'update', 'update', 'update', 'update', 'delete', 'update',
    ]);
    // start-time anchors the first event; the header carries the same time, Java-serialized.
    expect((records[0]?.value as { eventTime: string }).eventTime).toBe('2024-05-01T12:00:00.000+0000');
    expect(records[0]?.headers.find((h) => h.key === 'eventTime')?.text).toBe('2024-05-01T12:00:00.000+0000');
    expect([...headerBytesFromJson(records[0]!.headers[0]!).subarray(0, 5)]).toEqual([0xac, 0xed, 0x00, 0x05, 0x74]);
    // Same seed and start-time, same records as the harness on a ManualClock, times included: the
    // events carry the scenario's virtual time, not the wall clock's.
    const expected = await reference('examples/ncmp/lcm-v2-fleet.yaml');
    expect(records).toEqual(expected.topics[0]!.records);
    // A late consumer from an offset, without following.
    const tail = await fetch(`${url}/topics/ncmp-events?from=7&follow=false`).then((r) => r.text());
    expect(tail.trim().split('\n').map((l) => (JSON.parse(l) as NcmpRecordJson).offset)).toEqual([7, 8]);
    expect(await fetch(`${url}/topics`).then((r) => r.json())).toEqual([{ topic: 'ncmp-events', partitions: 4, records: 9 }]);
    await expect.poll(() => p.stderr()).toContain('serving until SIGINT or SIGTERM');
    expect(p.stderr()).toContain('ncmp: ncmp-events 9 records (seed 7, LCM v2)');
    expect(p.stderr()).toContain('update-properties node-b: no LCM event (CPS publishes none for a public-property update');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, scaled(30_000));

  it('a plain serve has no ncmp key in its ready line', async () => {
    const p = cli(['serve', '--port', '0']);
    expect(await p.ready).toEqual({ event: 'ready', tcp: { host: '127.0.0.1', port: expect.any(Number) }, unix: null });
    // The signal handlers are in place once the demo plays.
    await expect.poll(() => p.stderr()).toContain('playing');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, scaled(30_000));
});

describe('nso-mock run examples/ncmp (built CLI)', () => {
  for (const file of ['async-responses.yaml', 'cm-handle-lifecycle.yaml', 'lcm-v2-fleet.yaml']) {
    it(`${file}: exits 0, writes the records per topic into the report and the tee file`, async () => {
      const reportFile = join(dir, `${file}.report.json`);
      const teeFile = join(dir, `${file}.tee.ndjson`);
      const p = cli(['run', `examples/ncmp/${file}`, '--port', '0', '--report', reportFile, '--ncmp-tee', teeFile]);
      expect(await p.exited, p.stderr()).toBe(0);
      expect(p.stdout.at(-1)).toBe('{"event":"done","status":"passed","exitCode":0}');
      const report = JSON.parse(await readFile(reportFile, 'utf8')) as RunReport;
      expect(report.status).toBe('passed');
      const ncmp = report.ncmp!;
      const expected = await reference(`examples/ncmp/${file}`);
      expect(ncmp.topics.map((t) => [t.topic, t.count])).toEqual(expected.topics.map((t) => [t.topic, t.count]));
      // With a start-time the times are the scenario's virtual ones: the same as on the ManualClock.
      const virtual = (await readFile(join(repoRoot, 'examples/ncmp', file), 'utf8')).includes('start-time:');
      const view = virtual ? (r: NcmpRecordJson): unknown => r : timeless;
      expect(ncmp.topics.flatMap((t) => t.records.map(view))).toEqual(expected.topics.flatMap((t) => t.records.map(view)));
      const tee = (await readFile(teeFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as NcmpRecordJson);
      expect(tee.map((r) => [r.topic, r.offset]).sort()).toEqual(ncmp.topics.flatMap((t) => t.records.map((r) => [r.topic, r.offset])).sort());
    }, scaled(30_000));
  }
});

describe('nso-mock validate (built CLI)', () => {
  it('exits 2 and names the step of an impossible cm-handle transition', async () => {
    const file = join(dir, 'impossible.yaml');
    await writeFile(
      file,
      ['name: impossible', 'steps:', '  - ncmp-cm-handle: { cmHandleId: ch-1, trigger: register }', '  - name: too early', '    ncmp-cm-handle: { cmHandleId: ch-1, trigger: upgrade }', ''].join('\n'),
    );
    const p = cli(['validate', file]);
    expect(await p.exited).toBe(2);
    expect(p.stdout).toEqual([`${file}: 1 problem`]);
    expect(p.stderr()).toContain(
      `${file}:4:5: steps[1].ncmp-cm-handle.trigger: expected a trigger ch-1 accepts in state ADVISED (module-sync-succeeded, module-sync-failed, deregister, deregister-begin, set-data-producer-identifier, update-properties), found upgrade (only READY handles can be upgraded, not ADVISED)`,
    );
    // run refuses it the same way, before listening.
    const run = cli(['run', file, '--port', '0']);
    expect(await run.exited).toBe(2);
    expect(run.stdout).toEqual([]);
  }, scaled(30_000));

  it('rejects a malformed --kafka-brokers as bad usage', async () => {
    const p = cli(['run', 'examples/ncmp/async-responses.yaml', '--port', '0', '--kafka-brokers', 'no-port-here']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('--kafka-brokers takes host:port[,host:port...], got "no-port-here"');
  }, scaled(30_000));

  it('refuses an unreachable broker with one line of its own, not kafkajs stack traces', async () => {
    // A port nothing listens on: bound, then closed again.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const p = cli(['run', 'examples/ncmp/async-responses.yaml', '--port', '0', '--kafka-brokers', `127.0.0.1:${port}`]);
    expect(await p.exited).toBe(2);
    expect(p.stdout).toEqual([]);
    expect(p.stderr()).toContain(`nso-mock: error: Failed to connect to Kafka: Connection error: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(p.stderr()).not.toContain('kafkajs');
    expect(p.stderr()).not.toContain('    at ');
  }, scaled(30_000));
});

describe('nso-mock run --kafka-brokers (built CLI, kcat mock cluster)', () => {
  // Every example runs against the documented test broker (docs/ncmp.md: kcat's mock cluster, whose
  // auto-created topics have 4 partitions), each on a fresh cluster.
  for (const file of ['async-responses.yaml', 'cm-handle-lifecycle.yaml', 'lcm-v2-fleet.yaml']) {
    it(`${file}: publishes every record; a kafkajs consumer group reads them with key, partition, headers and value intact`, async () => {
      cluster = await startKcatCluster();
      try {
        const reportFile = join(dir, `kafka-${file}.report.json`);
        const p = cli(['run', `examples/ncmp/${file}`, '--port', '0', '--kafka-brokers', cluster.bootstrap, '--report', reportFile]);
        // run waits until the broker acknowledged every record before it exits.
        expect(await p.exited, p.stderr()).toBe(0);
        const topics = (JSON.parse(await readFile(reportFile, 'utf8')) as RunReport).ncmp!.topics;
        const records = topics.flatMap((t) => t.records);
        const got = await consumeKafka(cluster.bootstrap, topics.map((t) => t.topic), records.length, `ncmp-e2e-${file}`, 15_000);
        expect(got).toHaveLength(records.length);
        const byPlace = new Map(got.map((g) => [`${g.topic}/${g.partition}/${g.message.offset}`, g.message]));
        // The keys really are spread by the partitioner, as the feed says.
        if (file === 'lcm-v2-fleet.yaml') expect(new Set(records.map((r) => r.partition)).size).toBeGreaterThan(1);
        for (const record of records) {
          const message = byPlace.get(`${record.topic}/${record.partition}/${record.partitionOffset}`);
          expect(message, `${record.topic} offset ${record.offset}`).toBeDefined();
          expect(message!.key?.toString()).toBe(record.key);
          expect(JSON.parse(message!.value!.toString('utf8'))).toEqual(record.value);
          expect(message!.timestamp).toBe(String(record.timestamp));
          expect(Object.entries(message!.headers ?? {}).map(([k, v]) => [k, Buffer.from(v as Buffer)])).toEqual(
            record.headers.map((h) => [h.key, Buffer.from(headerBytesFromJson(h))]),
          );
        }
      } finally {
        await cluster.stop();
      }
    }, scaled(30_000));
  }

  it('run is byte-for-byte repeatable for a seed and start-time: the NDJSON tee and the Kafka records of two runs are the same bytes', async () => {
    // Waits, a repeat and parallel branches: the times are the scenario's virtual ones, whatever the host's timers do.
    const file = join(dir, 'repeatable.yaml');
    await writeFile(
      file,
      [
        'name: repeatable',
        'seed: 11',
        'ncmp: { lcm-schema-version: v2, partitions: 4, start-time: "2024-05-01T12:00:00Z" }',
        'steps:',
        '  - ncmp-cm-handle: { cmHandleId: ch-1, trigger: register, alternateId: "ME=1" }',
        '  - wait: 37ms',
        '  - parallel:',
        '      - sequence:',
        '          - wait: 20ms',
        '          - ncmp-cm-handle: { cmHandleId: ch-1, trigger: module-sync-succeeded }',
        '      - sequence:',
        '          - wait: 5ms',
        '          - ncmp-cm-handle: { cmHandleId: ch-2, trigger: register, lcmSchemaVersion: v1 }',
        '  - repeat:',
        '      times: 2',
        '      steps:',
        '        - wait: 13ms',
        '        - ncmp-async-response: { format: data-operation, topic: client-topic, responses: [ { operationId: op, ids: [ch-1], statusCode: 0 } ] }',
        '  - ncmp-async-response: { format: legacy, topic: client-topic, data: { x: 1 } }',
        '',
      ].join('\n'),
    );
    const once = async (n: number): Promise<{ tee: Buffer; kafka: string; report: NcmpRunReport }> => {
      const broker = await startKcatCluster();
      try {
        const teeFile = join(dir, `repeatable-${n}.ndjson`);
        const reportFile = join(dir, `repeatable-${n}.report.json`);
        const p = cli(['run', file, '--port', '0', '--ncmp-tee', teeFile, '--kafka-brokers', broker.bootstrap, '--report', reportFile]);
        expect(await p.exited, p.stderr()).toBe(0);
        const report = (JSON.parse(await readFile(reportFile, 'utf8')) as RunReport).ncmp!;
        const count = report.topics.reduce((n, t) => n + t.count, 0);
        const got = await consumeKafka(broker.bootstrap, report.topics.map((t) => t.topic), count, `repeatable-${n}`, 15_000);
        // Every byte a consumer can see: place, key, value, headers (in order), timestamp.
        const kafka = got
          .map((g) => ({
            at: `${g.topic}/${g.partition}/${g.message.offset.padStart(4, '0')}`,
            key: g.message.key?.toString('base64'),
            value: g.message.value?.toString('base64'),
            headers: Object.entries(g.message.headers ?? {}).map(([k, v]) => [k, Buffer.from(v as Buffer).toString('base64')]),
            timestamp: g.message.timestamp,
          }))
          .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
        return { tee: await readFile(teeFile), kafka: JSON.stringify(kafka), report };
      } finally {
        await broker.stop();
      }
    };
    const first = await once(1);
    const second = await once(2);
    expect(second.tee.equals(first.tee)).toBe(true);
    expect(second.kafka).toBe(first.kafka);
    expect(first.tee.toString('utf8').trim().split('\n')).toHaveLength(9);
    // The virtual times: start-time plus the waits before each step (parallel branches on their own).
    const lcm = first.report.topics.find((t) => t.topic === 'ncmp-events')!.records;
    expect(lcm.map((r) => [r.key, r.timestamp - Date.UTC(2024, 4, 1, 12)])).toEqual([
      ['ch-1', 0],
      ['ch-2', 42],
      ['ch-1', 57],
    ]);
    expect(lcm.map((r) => (r.value as { eventTime: string }).eventTime)).toEqual([
      '2024-05-01T12:00:00.000+0000',
      '2024-05-01T12:00:00.042+0000',
      '2024-05-01T12:00:00.057+0000',
    ]);
    const client = first.report.topics.find((t) => t.topic === 'client-topic')!.records;
    expect(client.map((r) => r.headers.find((h) => h.key === 'ce_time')?.text ?? (r.value as { eventTime: string }).eventTime)).toEqual([
      '2024-05-01T12:00:00.07Z',
      '2024-05-01T12:00:00.083Z',
      '2024-05-01T12:00:00.083+0000',
    ]);
  }, scaled(60_000));
});

describe('startup cost', () => {
  it('loading and checking an NCMP scenario loads neither fastify, kafkajs nor the NCMP Ajv', () => {
    const script = [
      "const { createRequire } = await import('node:module');",
      "const { loadScenario } = await import('./dist/scenarios/index.js');",
      "await loadScenario('examples/ncmp/lcm-v2-fleet.yaml');",
      'const loaded = Object.keys(createRequire(import.meta.url).cache);',
      "process.stdout.write(JSON.stringify(loaded.filter((f) => /node_modules\\/(fastify|kafkajs|ajv-formats|@sinclair)\\/|ajv\\/dist\\/2019/.test(f))));",
    ].join('\n');
    expect(mainJs).toContain('dist');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual([]);
  }, scaled(30_000));
});
