/**
 * LCM (cm-handle lifecycle) events, V1 (NCMP's default) and V2 (opt-in since CPS 3.7.7), built the
 * way CPS master builds them: `LcmEventObjectCreator` + `PayloadFactory` for the JSON value and
 * `LcmEventProducer.extractHeadersAsMap` + `EventProducer.convertToKafkaHeaders` for the headers
 * (shared/schemas/ncmp/README.md, "How these events look on the wire").
 *
 * Payload rules (PayloadFactory):
 * - The event type comes from the transition: no current handle → create; target DELETED → delete;
 *   otherwise update.
 * - V2 create: `newValues` holds dataSyncEnabled, cmHandleState, alternateId, moduleSetTag,
 *   dataProducerIdentifier and cmHandleProperties. V2 update: for each of those six attributes that
 *   differs, the old value goes to `oldValues` and the new one to `newValues` (Java
 *   `Objects.equals`). alternateId, moduleSetTag and dataProducerIdentifier are never null: CPS
 *   stores them through `trimToEmpty`, so unset is `""`; only dataSyncEnabled is null (before the
 *   first module sync), which Jackson writes. V2 delete: ids only. V2 always carries alternateId at
 *   the top.
 * - V1 is derived from V2: only dataSyncEnabled, cmHandleState and cmHandleProperties survive into
 *   `Values` (nulls dropped, properties wrapped in a one-element list — a fluke of the old schema),
 *   and alternateId, moduleSetTag and dataProducerIdentifier of the target are always set at the top.
 * - The V2 maps are `HashMap`s, so their keys come out in HashMap order (java-hash-order.ts).
 */
import type { CmHandle, CmHandleState, CmHandleTransition } from './cm-handle-state.js';
import { javaHashMapOrder } from './java-hash-order.js';
import { javaSerializeString } from './java-serialized.js';
import type { NcmpHeader } from './record.js';

/** `app.lcm.events.event-schema-version`: v1 (default) or v2. */
export type LcmSchemaVersion = 'v1' | 'v2';

/** The three LCM event kinds. */
export type LcmEventKind = 'create' | 'update' | 'delete';

/** The seven envelope fields of every LCM event (lcm-event-base.json). */
export interface LcmEnvelope {
  readonly eventId: string;
  /** Always the cmHandleId. */
  readonly eventCorrelationId: string;
  /** `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (event-time.ts). */
  readonly eventTime: string;
  readonly eventSource: 'org.onap.ncmp';
  readonly eventType: `org.onap.ncmp.cmhandle-lcm-event.${LcmEventKind}`;
  readonly eventSchema: string;
  readonly eventSchemaVersion: string;
}

/** V1 `Values`: only what changed, nulls omitted. */
export interface LcmValuesV1 {
  readonly dataSyncEnabled?: boolean;
  readonly cmHandleState?: CmHandleState;
  /** A list holding one map: what NCMP sends, whatever the schema says. */
  readonly cmHandleProperties?: readonly Readonly<Record<string, string>>[];
}

/** V1 payload. */
export interface LcmPayloadV1 {
  readonly cmHandleId: string;
  /** `""` when unset, as CPS sends it. */
  readonly alternateId: string;
  /** `""` when unset. */
  readonly moduleSetTag: string;
  /** `""` when unset. */
  readonly dataProducerIdentifier: string;
  readonly oldValues?: LcmValuesV1;
  readonly newValues?: LcmValuesV1;
}

/** V2 payload: free-form maps of the attributes that changed. */
export interface LcmPayloadV2 {
  readonly cmHandleId: string;
  /** `""` when unset. */
  readonly alternateId: string;
  readonly oldValues?: Readonly<Record<string, unknown>>;
  readonly newValues?: Readonly<Record<string, unknown>>;
}

/** An LCM event as NCMP serialises it with its V1 payload. */
export interface LcmEventV1 extends LcmEnvelope {
  readonly event: LcmPayloadV1;
}

/** An LCM event with its V2 payload. */
export interface LcmEventV2 extends LcmEnvelope {
  readonly event: LcmPayloadV2;
}

/** Either version. */
export type LcmEvent = LcmEventV1 | LcmEventV2;

/** `eventSchema` per version (V2's per shared/schemas/ncmp/README.md). */
export const LCM_EVENT_SCHEMA: Readonly<Record<LcmSchemaVersion, string>> = {
  v1: 'org.onap.ncmp:cmhandle-lcm-event',
  v2: 'org.onap.ncmp:cmhandle-lcm-event.v2',
};

/** The Java class Spring's JsonSerializer names in the `__TypeId__` header. */
export const LCM_EVENT_JAVA_TYPE: Readonly<Record<LcmSchemaVersion, string>> = {
  v1: 'org.onap.cps.ncmp.events.lcm.LcmEventV1',
  v2: 'org.onap.cps.ncmp.events.lcm.LcmEventV2',
};

/** What an LCM event needs besides the transition: the id and the time, both from the engine. */
export interface LcmEventContext {
  readonly eventId: string;
  readonly eventTime: string;
}

/** The LCM event kind a transition produces (LcmEventObjectCreator.determineEventType). */
export function lcmEventKind(transition: CmHandleTransition): LcmEventKind {
  if (transition.current === undefined) return 'create';
  return transition.target.state === 'DELETED' ? 'delete' : 'update';
}

/** The six attributes PayloadFactory tracks, in its insertion order; dataSyncEnabled unset = null, as in Java. */
function attributes(h: CmHandle): Record<string, unknown> {
  return {
    dataSyncEnabled: h.dataSyncEnabled ?? null,
    cmHandleState: h.state,
    alternateId: h.alternateId,
    moduleSetTag: h.moduleSetTag,
    dataProducerIdentifier: h.dataProducerIdentifier,
    cmHandleProperties: h.properties,
  };
}

function javaEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra);
  return ka.length === Object.keys(rb).length && ka.every((k) => Object.hasOwn(rb, k) && ra[k] === rb[k]);
}

/** Copies a HashMap's content, keeping null values (Jackson writes them). */
function hashMap(entries: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of javaHashMapOrder(Object.keys(entries))) out[key] = entries[key];
  return out;
}

/** The V2 payload (PayloadFactory.createPayloadV2). */
function payloadV2(kind: LcmEventKind, t: CmHandleTransition): LcmPayloadV2 {
  const target = t.target;
  const ids = { cmHandleId: target.cmHandleId, alternateId: target.alternateId };
  if (kind === 'create') return { ...ids, newValues: hashMap(attributes(target)) };
  if (kind === 'delete' || t.current === undefined) return ids;
  const before = attributes(t.current);
  const after = attributes(target);
  const oldValues: Record<string, unknown> = {};
  const newValues: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (!javaEquals(before[key], after[key])) {
      oldValues[key] = before[key];
      newValues[key] = after[key];
    }
  }
  if (Object.keys(oldValues).length === 0) return ids;
  return { ...ids, oldValues: hashMap(oldValues), newValues: hashMap(newValues) };
}

/** PayloadFactory.mapToValues: map → V1 Values (NON_NULL, so nulls vanish; fixed property order). */
function valuesV1(map: Readonly<Record<string, unknown>>): LcmValuesV1 {
  const out: { dataSyncEnabled?: boolean; cmHandleState?: CmHandleState; cmHandleProperties?: Readonly<Record<string, string>>[] } = {};
  const dse = map['dataSyncEnabled'];
  if (typeof dse === 'boolean') out.dataSyncEnabled = dse;
  const state = map['cmHandleState'];
  if (typeof state === 'string') out.cmHandleState = state as CmHandleState;
  const props = map['cmHandleProperties'];
  if (props !== undefined && props !== null) out.cmHandleProperties = [props as Readonly<Record<string, string>>];
  return out;
}

/** The V1 payload (PayloadFactory.createPayloadV1). */
function payloadV1(kind: LcmEventKind, t: CmHandleTransition): LcmPayloadV1 {
  const v2 = payloadV2(kind, t);
  const target = t.target;
  const out: {
    cmHandleId: string;
    alternateId: string;
    moduleSetTag: string;
    dataProducerIdentifier: string;
    oldValues?: LcmValuesV1;
    newValues?: LcmValuesV1;
  } = { cmHandleId: target.cmHandleId, alternateId: target.alternateId, moduleSetTag: target.moduleSetTag, dataProducerIdentifier: target.dataProducerIdentifier };
  if (v2.oldValues !== undefined) out.oldValues = valuesV1(v2.oldValues);
  if (v2.newValues !== undefined) out.newValues = valuesV1(v2.newValues);
  return out;
}

/**
 * Builds the LCM event CPS publishes for one transition.
 * @example
 *   const r = applyCmHandleTrigger(undefined, 'ch-1', { trigger: 'register' });
 *   if (r.ok) buildLcmEvent('v1', r.transitions[0]!, { eventId, eventTime });
 */
export function buildLcmEvent(version: LcmSchemaVersion, transition: CmHandleTransition, context: LcmEventContext): LcmEvent {
  const kind = lcmEventKind(transition);
  const envelope: LcmEnvelope = {
    eventId: context.eventId,
    eventCorrelationId: transition.target.cmHandleId,
    eventTime: context.eventTime,
    eventSource: 'org.onap.ncmp',
    eventType: `org.onap.ncmp.cmhandle-lcm-event.${kind}`,
    eventSchema: LCM_EVENT_SCHEMA[version],
    eventSchemaVersion: '1.0',
  };
  return version === 'v1' ? { ...envelope, event: payloadV1(kind, transition) } : { ...envelope, event: payloadV2(kind, transition) };
}

/** The envelope field names, in the order LcmEventProducer puts them into its HashMap. */
const HEADER_FIELDS = ['eventId', 'eventCorrelationId', 'eventTime', 'eventSource', 'eventType', 'eventSchema', 'eventSchemaVersion'] as const;

const utf8 = new TextEncoder();

/**
 * The Kafka headers of an LCM record: the seven envelope fields, each Java-serialized, in the
 * iteration order of CPS's `new HashMap<>(7)`, then (unless `typeIdHeader` is false) Spring
 * JsonSerializer's `__TypeId__` with the Java class name in UTF-8.
 * @example lcmHeaders(event, 'v1').map((h) => h.key)
 */
export function lcmHeaders(event: LcmEnvelope, version: LcmSchemaVersion, typeIdHeader = true): NcmpHeader[] {
  const headers: NcmpHeader[] = javaHashMapOrder(HEADER_FIELDS, 7).map((key) => ({
    key,
    value: javaSerializeString(event[key as (typeof HEADER_FIELDS)[number]]),
  }));
  if (typeIdHeader) headers.push({ key: '__TypeId__', value: utf8.encode(LCM_EVENT_JAVA_TYPE[version]) });
  return headers;
}

