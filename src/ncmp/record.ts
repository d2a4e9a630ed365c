/**
 * The one record model of the NCMP event family. Every event the engine produces becomes an
 * {@link NcmpRecord} appended to its topic's {@link RecordLog}; the NDJSON feed, the SSE feed, the
 * file tee and the Kafka publisher are all views of those logs, so they cannot disagree.
 */
import { UsageError } from '../codec/errors.js';
import { javaDeserializeString } from './java-serialized.js';
import { partitionForKey } from './partitioner.js';

/** One Kafka record header: raw bytes, exactly as a consumer receives them. */
export interface NcmpHeader {
  readonly key: string;
  readonly value: Uint8Array;
}

/** A record as it sits in the per-topic log (and on a Kafka broker). */
export interface NcmpRecord {
  readonly topic: string;
  /** Kafka's default partitioner applied to the key (see partitioner.ts). */
  readonly partition: number;
  /** Position in the per-topic log, counting all partitions: the feed's `from` and the SSE `id`. */
  readonly offset: number;
  /** Offset within its partition, as a broker assigns it to a topic that started empty. */
  readonly partitionOffset: number;
  readonly key: Uint8Array | null;
  readonly headers: readonly NcmpHeader[];
  readonly value: Uint8Array | null;
  /** Record timestamp, epoch milliseconds (the scenario clock). */
  readonly timestamp: number;
}

/** What a producer hands to {@link RecordStore.append}; strings are encoded as UTF-8. */
export interface NcmpRecordInput {
  readonly topic: string;
  readonly key: string | Uint8Array | null;
  readonly headers?: readonly NcmpHeader[];
  readonly value: string | Uint8Array | null;
  readonly timestamp: number;
}

/** Receives records appended to a log. */
export type NcmpRecordListener = (record: NcmpRecord) => void;

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function toBytes(v: string | Uint8Array): Uint8Array {
  return typeof v === 'string' ? utf8.encode(v) : v;
}

/** Kafka's legal topic names: 1..249 of `[a-zA-Z0-9._-]`, not `.` or `..`. */
export const TOPIC_NAME_PATTERN: RegExp = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * Checks a topic name against Kafka's rules (the broker rejects anything else).
 * @throws UsageError `NSOMOCK_USAGE` for an illegal name.
 */
export function assertTopicName(topic: string): void {
  if (!TOPIC_NAME_PATTERN.test(topic) || topic === '.' || topic === '..') {
    throw new UsageError('NSOMOCK_USAGE', `Failed to use topic ${JSON.stringify(topic)}: not a legal Kafka topic name`, {
      details: { option: 'topic', value: topic },
    });
  }
}

/**
 * The append-only log of one topic. Partitions and partition offsets are assigned on append as a
 * broker would; `offset` is the log position across partitions.
 */
export class RecordLog {
  readonly topic: string;
  readonly numPartitions: number;
  readonly #records: NcmpRecord[] = [];
  readonly #partitionNext: number[];
  readonly #listeners = new Set<NcmpRecordListener>();
  #roundRobin = 0;

  constructor(topic: string, numPartitions: number) {
    assertTopicName(topic);
    if (!Number.isInteger(numPartitions) || numPartitions < 1) {
      throw new UsageError('NSOMOCK_USAGE', `Failed to create topic log: partitions must be a positive integer (${topic})`, {
        details: { option: 'partitions', value: numPartitions },
      });
    }
    this.topic = topic;
    this.numPartitions = numPartitions;
    this.#partitionNext = new Array<number>(numPartitions).fill(0);
  }

  /** Number of records in the log (= the offset the next record gets). */
  get length(): number {
    return this.#records.length;
  }

  /** Appends a record and notifies listeners synchronously, in append order. */
  append(input: Omit<NcmpRecordInput, 'topic'>): NcmpRecord {
    const key = input.key === null ? null : toBytes(input.key);
    // Keyed records: Kafka's default partitioner. Unkeyed (never produced by CPS's NCMP events):
    // a deterministic round robin, where Kafka ≥ 3.3 would stick to a random batch partition.
    const partition = key === null ? this.#roundRobin++ % this.numPartitions : partitionForKey(key, this.numPartitions);
    const partitionOffset = this.#partitionNext[partition] ?? 0;
    this.#partitionNext[partition] = partitionOffset + 1;
    const record: NcmpRecord = Object.freeze({
      topic: this.topic,
      partition,
      offset: this.#records.length,
      partitionOffset,
      key,
      headers: Object.freeze([...(input.headers ?? [])]),
      value: input.value === null ? null : toBytes(input.value),
      timestamp: input.timestamp,
    });
    this.#records.push(record);
    for (const listener of this.#listeners) listener(record);
    return record;
  }

  /** The record at `offset`, if any. */
  get(offset: number): NcmpRecord | undefined {
    return this.#records[offset];
  }

  /** Records from `from` (inclusive) to the end; a copy. */
  slice(from = 0): NcmpRecord[] {
    return this.#records.slice(Math.max(0, from));
  }

  /** Calls `listener` for every record appended from now on; returns the unsubscribe function. */
  onAppend(listener: NcmpRecordListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Replays the records from `from` synchronously, then follows new ones: a late subscriber sees
   * everything. Returns the unsubscribe function.
   */
  subscribe(from: number, listener: NcmpRecordListener): () => void {
    for (let i = Math.max(0, from); i < this.#records.length; i++) listener(this.#records[i] as NcmpRecord);
    return this.onAppend(listener);
  }
}

/** Partition counts: one number for every topic, or per topic (missing topics get 1, Kafka's `num.partitions` default). */
export type PartitionConfig = number | Readonly<Record<string, number>>;

/** Summary of one topic, as `GET /topics` lists it. */
export interface TopicInfo {
  readonly topic: string;
  readonly partitions: number;
  readonly records: number;
}

/** The set of per-topic logs an engine writes to; logs are created on first use. */
export class RecordStore {
  readonly #logs = new Map<string, RecordLog>();
  readonly #listeners = new Set<NcmpRecordListener>();
  readonly #topicListeners = new Set<(log: RecordLog) => void>();
  readonly #partitions: PartitionConfig;

  constructor(partitions: PartitionConfig = 1) {
    this.#partitions = partitions;
  }

  /** Partition count a topic gets when its log is created. */
  partitionsFor(topic: string): number {
    return typeof this.#partitions === 'number' ? this.#partitions : (this.#partitions[topic] ?? 1);
  }

  /** The log of `topic`, created (empty) if needed. */
  log(topic: string): RecordLog {
    let log = this.#logs.get(topic);
    if (log === undefined) {
      log = new RecordLog(topic, this.partitionsFor(topic));
      this.#logs.set(topic, log);
      const created = log;
      log.onAppend((record) => {
        for (const listener of this.#listeners) listener(record);
      });
      for (const listener of this.#topicListeners) listener(created);
    }
    return log;
  }

  /** Whether a log exists for `topic`. */
  has(topic: string): boolean {
    return this.#logs.has(topic);
  }

  /** Appends to the record's topic. */
  append(input: NcmpRecordInput): NcmpRecord {
    return this.log(input.topic).append(input);
  }

  /** Every topic in creation order. */
  topics(): TopicInfo[] {
    return [...this.#logs.values()].map((l) => ({ topic: l.topic, partitions: l.numPartitions, records: l.length }));
  }

  /** Every record of every topic, in append order per topic, topics in creation order. */
  all(): NcmpRecord[] {
    return [...this.#logs.values()].flatMap((l) => l.slice(0));
  }

  /** Follows appends to every topic (used by the tee and the Kafka publisher). */
  onRecord(listener: NcmpRecordListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called when a topic's log is created. */
  onTopic(listener: (log: RecordLog) => void): () => void {
    this.#topicListeners.add(listener);
    return () => this.#topicListeners.delete(listener);
  }
}

/** A header in the JSON view: the raw bytes in base64 plus a readable text form when there is one. */
export interface NcmpHeaderJson {
  readonly key: string;
  /** The raw header bytes, base64. */
  readonly base64: string;
  /** The Java-deserialized string (LCM headers) or the UTF-8 text (ce_* headers), when decodable. */
  readonly text?: string;
}

/** The JSON view of a record, one NDJSON line / SSE data field. */
export interface NcmpRecordJson {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly partitionOffset: number;
  readonly timestamp: number;
  /** The key as UTF-8 text (CPS keys are strings), or null. */
  readonly key: string | null;
  /** Present only when the key bytes are not valid UTF-8. */
  readonly keyBase64?: string;
  readonly headers: readonly NcmpHeaderJson[];
  /** The value, parsed: its JSON text is embedded byte for byte in the line. */
  readonly value?: unknown;
  /** Present instead of `value` when the value bytes are not JSON. */
  readonly valueBase64?: string;
}

function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return undefined;
  }
}

function headerJson(h: NcmpHeader): NcmpHeaderJson {
  const base64 = Buffer.from(h.value.buffer, h.value.byteOffset, h.value.byteLength).toString('base64');
  const text = javaDeserializeStringSafe(h.value) ?? utf8Text(h.value);
  return text === undefined ? { key: h.key, base64 } : { key: h.key, base64, text };
}

function javaDeserializeStringSafe(bytes: Uint8Array): string | undefined {
  try {
    return javaDeserializeString(bytes);
  } catch {
    return undefined;
  }
}

const lineCache = new WeakMap<NcmpRecord, string>();

/**
 * The JSON line of a record (no trailing newline). Computed once per record and cached, because
 * every feed consumer sends the same line. A JSON value is embedded as its exact text, so the line
 * carries the value bytes unchanged (compact JSON has no newlines; a value with raw newlines is
 * re-serialised so the line stays one line).
 * @example JSON.parse(recordJsonLine(record)).headers[0].text // 'ch-1' for eventCorrelationId
 */
export function recordJsonLine(record: NcmpRecord): string {
  const cached = lineCache.get(record);
  if (cached !== undefined) return cached;
  const keyText = record.key === null ? null : utf8Text(record.key);
  const meta: Record<string, unknown> = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    partitionOffset: record.partitionOffset,
    timestamp: record.timestamp,
    key: record.key === null ? null : (keyText ?? null),
  };
  if (record.key !== null && keyText === undefined) meta['keyBase64'] = Buffer.from(record.key).toString('base64');
  meta['headers'] = record.headers.map(headerJson);
  let tail: string;
  if (record.value === null) {
    tail = ',"value":null}';
  } else {
    const text = utf8Text(record.value);
    let parsed: unknown;
    let ok = false;
    if (text !== undefined) {
      try {
        parsed = JSON.parse(text);
        ok = true;
      } catch {
        ok = false;
      }
    }
    if (ok && text !== undefined) {
      tail = `,"value":${/[\n\r]/.test(text) ? JSON.stringify(parsed) : text}}`;
    } else {
      tail = `,"valueBase64":${JSON.stringify(Buffer.from(record.value).toString('base64'))}}`;
    }
  }
  const line = JSON.stringify(meta).slice(0, -1) + tail;
  lineCache.set(record, line);
  return line;
}

/** The parsed JSON view of a record. */
export function recordToJson(record: NcmpRecord): NcmpRecordJson {
  return JSON.parse(recordJsonLine(record)) as NcmpRecordJson;
}

/** Reads a header's raw bytes back from its JSON view. */
export function headerBytesFromJson(header: NcmpHeaderJson): Uint8Array {
  return new Uint8Array(Buffer.from(header.base64, 'base64'));
}
