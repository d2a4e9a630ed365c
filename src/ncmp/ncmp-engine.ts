/**
 * The NCMP engine: what the scenario engine calls for the `ncmp-cm-handle` and
 * `ncmp-async-response` steps. It owns the cm-handle inventory, the deterministic id source and the
 * {@link RecordStore}; every event becomes a record there, and the feeds and the Kafka publisher
 * read from the store.
 */
import {
  buildDataOperationEvent,
  buildDmiAsyncEvent,
  buildNcmpAsyncEvent,
  DATA_OPERATION_EVENT,
  dataOperationHeaders,
  LEGACY_ASYNC,
  typeIdHeader,
} from './async-response.js';
import { applyCmHandleTrigger, type CmHandle } from './cm-handle-state.js';
import { NcmpError } from './errors.js';
import { formatCloudEventTime, formatEventTime } from './event-time.js';
import { createIdSource, type IdSource } from './ids.js';
import { javaDeserializeString } from './java-serialized.js';
import { buildLcmEvent, lcmHeaders, type LcmSchemaVersion } from './lcm-event.js';
import { assertTopicName, RecordStore, type NcmpHeader, type NcmpRecord, type NcmpRecordListener, type PartitionConfig, type TopicInfo } from './record.js';
import { assertNcmpSchema, warmUpNcmpSchemas } from './schemas.js';
import { cmHandleTriggerOf, type NcmpAsyncResponseStep, type NcmpCmHandleStep } from './step-schemas.js';

/** The scenario clock, structurally: epoch milliseconds. */
export interface NcmpClock {
  now(): number;
}

/** The topics CPS uses by default (env overrides `LCM_EVENTS_TOPIC`, `NCMP_ASYNC_M2M_TOPIC`). */
export interface NcmpTopics {
  readonly lcm: string;
  readonly asyncM2m: string;
}

/** CPS's default topic names. */
export const DEFAULT_NCMP_TOPICS: NcmpTopics = { lcm: 'ncmp-events', asyncM2m: 'ncmp-async-m2m' };

/** Options of {@link createNcmpEngine}. */
export interface NcmpEngineOptions {
  /** The scenario seed every id derives from (default 0). */
  readonly seed?: string | number;
  /** The scenario clock (default: the system clock). */
  readonly clock?: NcmpClock;
  /** LCM payload version (default v1, as NCMP). */
  readonly lcmSchemaVersion?: LcmSchemaVersion;
  readonly topics?: Partial<NcmpTopics>;
  /** Partitions per topic (default 1, Kafka's `num.partitions`). */
  readonly partitions?: PartitionConfig;
  /** Add Spring's `__TypeId__` header to legacy events (default true, as CPS). */
  readonly typeIdHeaders?: boolean;
  /** Validate each event against the corrected schemas before appending (default true). */
  readonly validate?: boolean;
  /** The zone offset of the mock "JVM" for event times (default 0 = UTC, `+0000`). */
  readonly utcOffsetMinutes?: number;
}

/** Options of one publication ({@link NcmpEngine.cmHandle}, {@link NcmpEngine.asyncResponse}). */
export interface NcmpPublishOptions {
  /**
   * The time the step's events carry (eventTime, ce_time, record timestamp), epoch ms. Default: the
   * engine's clock. Scenario steps pass the scenario's virtual time when it has a `start-time`
   * ({@link ncmpStepTime}), so a run gives the same bytes every time.
   */
  readonly time?: number;
}

/** The engine the scenario engine drives. */
export interface NcmpEngine {
  readonly store: RecordStore;
  readonly topics: NcmpTopics;
  /** The seed the ids derive from, as text. */
  readonly seed: string;
  /** The LCM schema version of steps that do not name one. */
  readonly lcmSchemaVersion: LcmSchemaVersion;
  /**
   * Applies a cm-handle step; returns the LCM records it appended (none on rejection).
   * @throws NcmpError `NSOMOCK_NCMP_INVALID_TRANSITION` for a transition the state machine forbids.
   */
  cmHandle(step: NcmpCmHandleStep, options?: NcmpPublishOptions): NcmpRecord[];
  /** Publishes an async response; returns the records appended (internal topic first). */
  asyncResponse(step: NcmpAsyncResponseStep, options?: NcmpPublishOptions): NcmpRecord[];
  /** The records of `topic` from offset `from` (default 0). */
  records(topic: string, from?: number): NcmpRecord[];
  /** Replays `topic` from `from`, then follows it; returns the unsubscribe function. */
  subscribe(topic: string, from: number, listener: NcmpRecordListener): () => void;
  /** Topics that have a log. */
  topicInfo(): TopicInfo[];
  /** The current inventory (DELETED handles are gone). */
  cmHandles(): ReadonlyMap<string, CmHandle>;
  /**
   * Loads Ajv and compiles the event schemas now (once per process, ~150 ms) instead of on the
   * first event, which would then be late by as much on a wall-clock run. The CLI calls it after
   * its ready line, `mock.play()` before playing. No-op with `validate: false`.
   */
  warmUp(): void;
  /** Detaches every subscriber. The store stays readable. */
  close(): Promise<void>;
}

const systemClock: NcmpClock = { now: () => Date.now() };

function headerObject(headers: readonly NcmpHeader[], decode: (bytes: Uint8Array) => string | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const h of headers) out[h.key] = decode(h.value);
  return out;
}

const utf8 = new TextDecoder();

/**
 * Creates an engine. Nothing listens anywhere: attach `startNcmpFeed` and/or `attachKafkaPublisher`
 * to `engine.store` for delivery.
 * @example
 *   const engine = createNcmpEngine({ seed: 1, clock: { now: () => Date.UTC(2024, 4, 1) } });
 *   engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register' });
 *   engine.records('ncmp-events')[0]?.partition // 0
 */
export function createNcmpEngine(options: NcmpEngineOptions = {}): NcmpEngine {
  const clock = options.clock ?? systemClock;
  const ids: IdSource = createIdSource(options.seed ?? 0);
  const topics: NcmpTopics = { ...DEFAULT_NCMP_TOPICS, ...options.topics };
  assertTopicName(topics.lcm);
  assertTopicName(topics.asyncM2m);
  const store = new RecordStore(options.partitions ?? 1);
  const defaultVersion = options.lcmSchemaVersion ?? 'v1';
  const withTypeId = options.typeIdHeaders ?? true;
  const validate = options.validate ?? true;
  const offset = options.utcOffsetMinutes ?? 0;
  const inventory = new Map<string, CmHandle>();
  const unsubscribers = new Set<() => void>();

  function cmHandle(step: NcmpCmHandleStep, publish: NcmpPublishOptions = {}): NcmpRecord[] {
    const trigger = cmHandleTriggerOf(step);
    const result = applyCmHandleTrigger(inventory.get(step.cmHandleId), step.cmHandleId, trigger);
    if (!result.ok) {
      const r = result.rejection;
      throw new NcmpError('NSOMOCK_NCMP_INVALID_TRANSITION', `Failed to apply ${r.trigger} to cm-handle ${r.cmHandleId}: ${r.reason} (state ${r.from})`, {
        cmHandleId: r.cmHandleId,
        from: r.from,
        trigger: r.trigger,
      });
    }
    const version = step.lcmSchemaVersion ?? defaultVersion;
    const now = publish.time ?? clock.now();
    const eventTime = formatEventTime(now, offset);
    // Build and validate every event first, so a step is all-or-nothing.
    const events = result.transitions.map((transition, i) => {
      const event = buildLcmEvent(version, transition, { eventId: ids.next('lcm-event', step.eventIds?.[i]), eventTime });
      const headers = lcmHeaders(event, version, withTypeId);
      if (validate) {
        assertNcmpSchema(version === 'v1' ? 'lcm-event-v1' : 'lcm-event-v2', event, `LCM event for ${step.cmHandleId}`);
        assertNcmpSchema('lcm-event-header-v1', headerObject(headers, (b) => javaDeserializeString(b) ?? utf8.decode(b)), `LCM headers for ${step.cmHandleId}`);
      }
      return { event, headers };
    });
    if (result.handle === undefined) inventory.delete(step.cmHandleId);
    else inventory.set(step.cmHandleId, result.handle);
    // LcmEventProducer keys by the current handle's id, which is always the cmHandleId.
    return events.map(({ event, headers }) =>
      store.append({ topic: topics.lcm, key: step.cmHandleId, headers, value: JSON.stringify(event), timestamp: now }),
    );
  }

  function asyncResponse(step: NcmpAsyncResponseStep, publish: NcmpPublishOptions = {}): NcmpRecord[] {
    assertTopicName(step.topic);
    const now = publish.time ?? clock.now();
    const requestId = ids.next('request', step.requestId);
    if (step.format === 'legacy') {
      const eventTime = formatEventTime(now, offset);
      const dmiEventId = ids.next('dmi-event', step.dmiEventId);
      const ncmpEventId = ids.next('ncmp-event', step.eventId);
      const dmi = buildDmiAsyncEvent({
        eventId: dmiEventId,
        requestId,
        eventTime,
        clientTopic: step.topic,
        status: step.status ?? 'OK',
        code: String(step.code ?? '200'),
        data: step.data ?? {},
        ...(step.source === undefined ? {} : { source: step.source }),
      });
      const ncmp = buildNcmpAsyncEvent(dmi, { eventId: ncmpEventId, eventTime });
      if (validate) {
        assertNcmpSchema('dmi-async-request-response-event-v1', dmi, `DMI async response ${requestId}`);
        assertNcmpSchema('ncmp-async-request-response-event-v1', ncmp, `NCMP async response ${requestId}`);
      }
      const out: NcmpRecord[] = [];
      if (step.internal !== false) {
        out.push(
          store.append({
            topic: topics.asyncM2m,
            key: requestId,
            headers: withTypeId ? [typeIdHeader(LEGACY_ASYNC.dmiJavaType)] : [],
            value: JSON.stringify(dmi),
            timestamp: now,
          }),
        );
      }
      out.push(
        store.append({
          topic: step.topic,
          key: ncmpEventId,
          headers: withTypeId ? [typeIdHeader(LEGACY_ASYNC.ncmpJavaType)] : [],
          value: JSON.stringify(ncmp),
          timestamp: now,
        }),
      );
      return out;
    }
    const origin = step.origin ?? 'dmi';
    const data = buildDataOperationEvent(step.responses);
    const headers = dataOperationHeaders({
      id: ids.next('cloud-event', step.ceId),
      source: step.source ?? (origin === 'dmi' ? DATA_OPERATION_EVENT.dmiSource : DATA_OPERATION_EVENT.ncmpSource),
      time: formatCloudEventTime(now, offset),
      correlationId: requestId,
      destination: step.topic,
      ...(step.contentType === undefined ? {} : { contentType: step.contentType }),
    });
    if (validate) {
      assertNcmpSchema('data-operation-event-1.0.0', data, `DataOperationEvent ${requestId}`);
      assertNcmpSchema('cloud-event-headers', headerObject(headers, (b) => utf8.decode(b)), `DataOperationEvent headers ${requestId}`);
    }
    const value = JSON.stringify(data);
    const out: NcmpRecord[] = [];
    // CPS's DMI stub (DmiRestStubController) keys its record with UUID.randomUUID(): here one from
    // the seed, drawn for every DMI response so `internal: false` does not move the keys after it.
    const dmiKey = origin === 'dmi' ? ids.next('dmi-record-key', step.dmiKey) : undefined;
    if (dmiKey !== undefined && step.internal !== false) {
      out.push(store.append({ topic: topics.asyncM2m, key: dmiKey, headers, value, timestamp: now }));
    }
    // DataOperationEventConsumer forwards the same CloudEvent to ce_destination, keyed by ce_correlationid;
    // NCMP's own errors go there directly with the same key.
    out.push(store.append({ topic: step.topic, key: requestId, headers, value, timestamp: now }));
    return out;
  }

  return {
    store,
    topics,
    seed: String(options.seed ?? 0),
    lcmSchemaVersion: defaultVersion,
    cmHandle,
    asyncResponse,
    records: (topic: string, from = 0): NcmpRecord[] => (store.has(topic) ? store.log(topic).slice(from) : []),
    subscribe(topic: string, from: number, listener: NcmpRecordListener): () => void {
      const off = store.log(topic).subscribe(from, listener);
      const unsubscribe = (): void => {
        off();
        unsubscribers.delete(unsubscribe);
      };
      unsubscribers.add(unsubscribe);
      return unsubscribe;
    },
    topicInfo: (): TopicInfo[] => store.topics(),
    cmHandles: (): ReadonlyMap<string, CmHandle> => new Map(inventory),
    warmUp(): void {
      if (validate) warmUpNcmpSchemas();
    },
    close(): Promise<void> {
      for (const off of [...unsubscribers]) off();
      return Promise.resolve();
    },
  };
}
