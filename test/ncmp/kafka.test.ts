import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachKafkaPublisher, createNcmpEngine, NcmpError, type NcmpRecord } from '../../src/ncmp/index.js';

/**
 * The Kafka path end to end, against a real Kafka protocol endpoint without Docker or a JVM:
 * librdkafka's in-memory mock cluster, hosted by Debian's kcat (shared/schemas/ncmp/README.md,
 * "A real Kafka endpoint for tests"). CI installs kcat in .ci/run; a missing kcat is a failure.
 */
let kcat: ChildProcess | undefined;
let bootstrap = '';

function startMockCluster(): Promise<string> {
  const found = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  if (found.error !== undefined) {
    throw new Error('kcat is not installed: the NCMP Kafka tests need it to host the mock cluster (apt-get install kcat; .ci/run does this)');
  }
  const child = spawn('kcat', ['-X', 'test.mock.num.brokers=1', '-d', 'mock', '-b', 'x:1', '-C', '-t', '__host', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  kcat = child;
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error('kcat printed no bootstrap.servers line within 10 s')), 10_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`kcat exited early with code ${code}`)));
    // -d mock is chatty: keep reading stderr for the whole run so kcat never blocks on a full pipe.
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const m = /bootstrap\.servers=(127\.0\.0\.1:\d+)/.exec(line);
      if (m?.[1] !== undefined && bootstrap === '') {
        clearTimeout(guard);
        resolve(m[1]);
      }
    });
  });
}

beforeAll(async () => {
  bootstrap = await startMockCluster();
}, 20_000);

afterAll(async () => {
  if (kcat === undefined || kcat.exitCode !== null) return;
  kcat.removeAllListeners('exit');
  const exited = new Promise((resolve) => kcat?.once('exit', resolve));
  kcat.kill('SIGTERM');
  await exited;
});

/** Reads `count` messages of `topics` with a kafkajs consumer group (bounded by `timeoutMs`). */
async function consume(topics: string[], count: number, groupId: string, timeoutMs = 20_000): Promise<{ topic: string; partition: number; message: KafkaMessage }[]> {
  const kafka = new Kafka({ clientId: 'ncmp-test-consumer', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, rebalanceTimeout: 10_000 });
  const got: { topic: string; partition: number; message: KafkaMessage }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`consumer group read ${got.length} of ${count} records within ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          got.push({ topic, partition, message });
          if (got.length >= count) {
            clearTimeout(guard);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

const clock = { now: (): number => Date.UTC(2024, 4, 1, 12) };
/** The kcat mock cluster cannot take CreateTopics (it names controller 0, which does not exist) and auto-creates topics with 4 partitions. */
const MOCK_PARTITIONS = 4;
const buf = (b: Uint8Array | null): Buffer | null => (b === null ? null : Buffer.from(b));

describe('Kafka publisher against the kcat mock cluster', () => {
  it('a kafkajs consumer group reads every record with key, partition, offset, headers and value intact', async () => {
    const engine = createNcmpEngine({ clock, seed: 11, partitions: MOCK_PARTITIONS });
    const publisher = await attachKafkaPublisher({ brokers: [bootstrap], store: engine.store, logLevel: 'nothing' });
    try {
      for (let i = 0; i < 8; i++) engine.cmHandle({ cmHandleId: `ch-${i}`, trigger: 'register', properties: { i: String(i) } });
      engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'module-sync-succeeded' });
      engine.cmHandle({ cmHandleId: 'ch-2', trigger: 'deregister' });
      engine.asyncResponse({ format: 'legacy', topic: 'client-topic', data: { x: 1 } });
      engine.asyncResponse({ format: 'data-operation', topic: 'client-topic', responses: [{ operationId: 'op', ids: ['ch-1'], statusCode: 0 }] });
      await publisher.flushed();
      const expected = engine.store.all();
      expect(publisher.sent).toBe(expected.length);
      const got = await consume(['ncmp-events', 'ncmp-async-m2m', 'client-topic'], expected.length, 'ncmp-test-1');
      expect(got).toHaveLength(expected.length);
      const byPlace = new Map(got.map((g) => [`${g.topic}/${g.partition}/${g.message.offset}`, g.message]));
      const partitionsUsed = new Set(expected.filter((r) => r.topic === 'ncmp-events').map((r) => r.partition));
      expect(partitionsUsed.size).toBeGreaterThan(1); // the keys really were spread by the partitioner
      for (const record of expected) {
        const message = byPlace.get(`${record.topic}/${record.partition}/${record.partitionOffset}`);
        expect(message, `${record.topic} offset ${record.offset}`).toBeDefined();
        expect(message!.key).toEqual(buf(record.key));
        expect(message!.value).toEqual(buf(record.value));
        expect(message!.timestamp).toBe(String(record.timestamp));
        // Header order and bytes: kafkajs decodes headers into an object in wire order.
        const headers = Object.entries(message!.headers ?? {}).map(([key, value]) => [key, value]);
        expect(headers).toEqual(record.headers.map((h: NcmpRecord['headers'][number]) => [h.key, Buffer.from(h.value)]));
      }
      const lcmHeader = byPlace.get(`ncmp-events/${expected[0]!.partition}/0`)?.headers?.['eventSource'] as Buffer;
      expect([...lcmHeader.subarray(0, 5)]).toEqual([0xac, 0xed, 0x00, 0x05, 0x74]);
    } finally {
      await publisher.close();
    }
  }, 60_000);

  it('publishes records appended before it attached (late attach) and keeps following', async () => {
    const engine = createNcmpEngine({ clock, seed: 12, topics: { lcm: 'lcm-late' }, partitions: MOCK_PARTITIONS });
    engine.cmHandle({ cmHandleId: 'early', trigger: 'register' });
    const publisher = await attachKafkaPublisher({ brokers: [bootstrap], store: engine.store, logLevel: 'nothing' });
    try {
      engine.cmHandle({ cmHandleId: 'late', trigger: 'register' });
      await publisher.flushed();
      const got = await consume(['lcm-late'], 2, 'ncmp-test-2');
      // Different keys may sit in different partitions, so only the set is ordered-independent.
      expect(got.map((g) => g.message.key?.toString()).sort()).toEqual(['early', 'late']);
      for (const g of got) {
        const record = engine.records('lcm-late').find((r) => Buffer.from(r.key!).equals(g.message.key!));
        expect([g.partition, g.message.offset]).toEqual([record?.partition, String(record?.partitionOffset)]);
      }
    } finally {
      await publisher.close();
    }
  }, 60_000);

  it('refuses a topic whose broker partition count differs from the mock log (NSOMOCK_NCMP_KAFKA)', async () => {
    const engine = createNcmpEngine({ clock, topics: { lcm: 'lcm-mismatch' }, partitions: 1 });
    const publisher = await attachKafkaPublisher({ brokers: [bootstrap], store: engine.store, logLevel: 'nothing' });
    try {
      engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register' });
      const failure = await publisher.flushed().then(() => undefined, (e: unknown) => e);
      expect(failure).toBeInstanceOf(NcmpError);
      expect(failure).toMatchObject({ code: 'NSOMOCK_NCMP_KAFKA', details: { topic: 'lcm-mismatch' } });
      expect((failure as Error).message).toMatch(/has 4 partitions but the mock assigns 1/);
    } finally {
      await publisher.close();
    }
  }, 60_000);

  it('fails fast with NSOMOCK_NCMP_KAFKA when no broker answers', async () => {
    const engine = createNcmpEngine({ clock });
    const failure = await attachKafkaPublisher({ brokers: ['127.0.0.1:1'], store: engine.store, logLevel: 'nothing', retries: 0, connectionTimeoutMs: 500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({ code: 'NSOMOCK_NCMP_KAFKA' });
  }, 30_000);
});
