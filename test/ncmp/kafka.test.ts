import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachKafkaPublisher, createNcmpEngine, NcmpError, type NcmpRecord } from '../../src/ncmp/index.js';
import { consumeKafka, MOCK_PARTITIONS, startKcatCluster, type ConsumedMessage, type KcatCluster } from './kcat-cluster.js';

/**
 * The Kafka path end to end, against a real Kafka protocol endpoint without Docker or a JVM:
 * librdkafka's in-memory mock cluster, hosted by Debian's kcat (kcat-cluster.ts).
 */
let cluster: KcatCluster | undefined;
let bootstrap = '';

beforeAll(async () => {
  cluster = await startKcatCluster();
  bootstrap = cluster.bootstrap;
}, 20_000);

afterAll(async () => {
  await cluster?.stop();
});

function consume(topics: string[], count: number, groupId: string): Promise<ConsumedMessage[]> {
  return consumeKafka(bootstrap, topics, count, groupId);
}

const clock = { now: (): number => Date.UTC(2024, 4, 1, 12) };
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
      // It says where the count is set, with the broker's number filled in.
      expect((failure as Error).message).toContain('a scenario\'s `ncmp: { partitions: 4 }` or `{ partitions: { lcm-mismatch: 4 } }`');
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
