/**
 * The Kafka delivery path (`--kafka-brokers`): publishes the records of a {@link RecordStore} with
 * kafkajs, byte for byte — same key bytes, same header bytes in the same order, same value bytes,
 * same timestamp — to the partition the store assigned (Kafka's default partitioner, so a broker
 * and the embedded feed agree). Topics the broker lacks are created with the store's partition
 * count; an existing topic with a different count is an error, because the keys would land in
 * other partitions than the feed reports.
 *
 * kafkajs is imported when a publisher attaches, not with this module (it costs ~70 ms of startup,
 * and only `--kafka-brokers` needs it).
 */
import type { Admin, IHeaders, logLevel as KafkaLogLevel, Message, Producer } from 'kafkajs';
import { NcmpError } from './errors.js';
import type { NcmpHeader, NcmpRecord, RecordStore } from './record.js';

/** kafkajs log levels by name. */
export type KafkaLogLevelName = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** Options of {@link attachKafkaPublisher}. */
export interface KafkaPublisherOptions {
  readonly brokers: readonly string[];
  readonly store: RecordStore;
  readonly clientId?: string;
  /** Publish what the store already holds before following it (default true). */
  readonly fromStart?: boolean;
  /**
   * Create missing topics with the store's partition count (default true). Where the broker refuses
   * CreateTopics, or with false, a missing topic is left to the broker's auto-creation.
   */
  readonly createTopics?: boolean;
  readonly replicationFactor?: number;
  /** Records per produce request (default 500). */
  readonly batchSize?: number;
  /** kafkajs timeouts and retries, kept short: a mock should fail fast. */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly retries?: number;
  /** Default `error`: kafkajs is chatty. */
  readonly logLevel?: KafkaLogLevelName;
  /**
   * Called once when publishing fails (the publisher then stops); `flushed()` rejects with the
   * same error. Lets a long-running `serve` report a broker failure as it happens.
   */
  readonly onError?: (error: NcmpError) => void;
}

/** A publisher following a store. */
export interface KafkaPublisher {
  /** Records acknowledged by the broker so far. */
  readonly sent: number;
  /**
   * Resolves once every record appended so far is acknowledged.
   * @throws NcmpError `NSOMOCK_NCMP_KAFKA` if publishing failed (the publisher stops at the first failure).
   */
  flushed(): Promise<void>;
  /** Stops following, waits for in-flight sends and disconnects. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

// kafkajs' `logLevel` enum values (NOTHING 0, ERROR 1, WARN 2, INFO 4, DEBUG 5), spelled out so
// this table does not need kafkajs loaded.
const LEVELS: Readonly<Record<KafkaLogLevelName, KafkaLogLevel>> = {
  nothing: 0 as KafkaLogLevel,
  error: 1 as KafkaLogLevel,
  warn: 2 as KafkaLogLevel,
  info: 4 as KafkaLogLevel,
  debug: 5 as KafkaLogLevel,
};

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * kafkajs takes headers as an object; insertion order is the wire order, and a repeated key is
 * given as an array (its values then go out together — CPS's events never repeat a header key).
 */
export function toKafkaHeaders(headers: readonly NcmpHeader[]): IHeaders {
  const out: Record<string, Buffer | Buffer[]> = {};
  for (const h of headers) {
    const value = asBuffer(h.value);
    const prev = out[h.key];
    if (prev === undefined) out[h.key] = value;
    else out[h.key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** The kafkajs message for a record, with the record's partition. */
export function toKafkaMessage(record: NcmpRecord): Message {
  return {
    key: record.key === null ? null : asBuffer(record.key),
    value: record.value === null ? null : asBuffer(record.value),
    partition: record.partition,
    headers: toKafkaHeaders(record.headers),
    timestamp: String(record.timestamp),
  };
}

function kafkaError(action: string, cause: unknown, details: { topic?: string; brokers: readonly string[] }): NcmpError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const where = details.topic ?? details.brokers.join(',');
  return cause instanceof NcmpError ? cause : new NcmpError('NSOMOCK_NCMP_KAFKA', `Failed to ${action}: ${reason} (${where})`, details, cause);
}

/**
 * Connects to the brokers and publishes every record of `store` (existing ones first unless
 * `fromStart` is false), then each new one, in order.
 * @example
 *   const kafka = await attachKafkaPublisher({ brokers: ['127.0.0.1:9092'], store: engine.store });
 *   engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register' });
 *   await kafka.flushed();
 * @throws NcmpError `NSOMOCK_NCMP_KAFKA` when the brokers cannot be reached.
 */
export async function attachKafkaPublisher(options: KafkaPublisherOptions): Promise<KafkaPublisher> {
  const brokers = [...options.brokers];
  const { Kafka, Partitioners } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: options.clientId ?? 'nso-mock-ncmp',
    brokers,
    logLevel: LEVELS[options.logLevel ?? 'error'],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    retry: { retries: options.retries ?? 2, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  // The record's explicit partition wins in kafkajs' DefaultPartitioner; naming it also silences
  // kafkajs' "default partitioner changed" warning.
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1 });
  const admin: Admin = kafka.admin();
  try {
    await Promise.all([producer.connect(), admin.connect()]);
  } catch (cause) {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    throw kafkaError('connect to Kafka', cause, { brokers });
  }

  const { store } = options;
  const batchSize = options.batchSize ?? 500;
  const ready = new Set<string>();
  const queue: NcmpRecord[] = options.fromStart === false ? [] : store.all();
  let sent = 0;
  let running: Promise<void> | undefined;
  let failure: NcmpError | undefined;
  let closed = false;

  async function ensureTopic(topic: string, partitions: number): Promise<void> {
    if (ready.has(topic)) return;
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(topic) && options.createTopics !== false) {
        try {
          await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: options.replicationFactor ?? 1 }] });
        } catch {
          // Some brokers cannot take CreateTopics (librdkafka's mock cluster names no live controller);
          // the metadata request below then lets the broker auto-create the topic with its default
          // partition count, and the count check says what to configure if that differs.
        }
      }
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const actual = meta.topics.find((t) => t.name === topic)?.partitions.length ?? 0;
      if (actual === 0) throw new Error(`topic ${topic} does not exist and could not be created`);
      if (actual !== partitions) {
        throw new NcmpError(
          'NSOMOCK_NCMP_KAFKA',
          `Failed to publish to ${topic}: the broker's topic has ${actual} partitions but the mock assigns ${partitions}; create the topic with ${partitions}, or give the mock the broker's count (a scenario's \`ncmp: { partitions: ${actual} }\` or \`{ partitions: { ${topic}: ${actual} } }\`, docs/ncmp.md) (${topic})`,
          { topic, brokers },
        );
      }
    } catch (cause) {
      throw kafkaError(`prepare topic ${topic}`, cause, { topic, brokers });
    }
    ready.add(topic);
  }

  async function drain(): Promise<void> {
    while (queue.length > 0 && failure === undefined) {
      const batch = queue.splice(0, batchSize);
      const byTopic = new Map<string, Message[]>();
      for (const record of batch) {
        await ensureTopic(record.topic, store.log(record.topic).numPartitions);
        const list = byTopic.get(record.topic) ?? [];
        list.push(toKafkaMessage(record));
        byTopic.set(record.topic, list);
      }
      try {
        await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      } catch (cause) {
        throw kafkaError('publish records', cause, { brokers });
      }
      sent += batch.length;
    }
  }

  function kick(): Promise<void> {
    running ??= drain()
      .catch((e: unknown) => {
        failure = kafkaError('publish records', e, { brokers });
        options.onError?.(failure);
      })
      .finally(() => {
        running = undefined;
        if (queue.length > 0 && failure === undefined && !closed) void kick();
      });
    return running;
  }

  const off = store.onRecord((record) => {
    if (closed || failure !== undefined) return;
    queue.push(record);
    void kick();
  });
  void kick();

  async function flushed(): Promise<void> {
    while (running !== undefined || (queue.length > 0 && failure === undefined)) await (running ?? kick());
    if (failure !== undefined) throw failure;
  }

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    off();
    await running;
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  };

  return {
    get sent(): number {
      return sent;
    },
    flushed,
    close,
    [Symbol.asyncDispose]: close,
  };
}
