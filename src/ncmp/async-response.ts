/**
 * Asynchronous data-operation responses, in the two forms CPS-NCMP consumers read
 * (shared/schemas/ncmp/README.md, "async-m2m" and the wire summary):
 *
 * 1. Legacy, single cm-handle (`GET …/ch/{id}/data/…?topic=`): the DMI plugin puts a
 *    `DmiAsyncRequestResponseEvent` on `ncmp-async-m2m` (key = requestId); NCMP maps it
 *    (`NcmpAsyncRequestResponseEventMapper`) to an `NcmpAsyncRequestResponseEvent` with a new eventId
 *    and eventTime, the DMI fields copied into `forwardedEvent`, and publishes it to the client's
 *    topic (`eventTarget`) with the new eventId as key. Both carry only Spring's `__TypeId__` header.
 * 2. CloudEvents `DataOperationEvent` (batch, `POST /ncmp/v1/data?topic=`), binary mode: the value
 *    is the event data, the attributes are `ce_*` headers. The DMI sends it to `ncmp-async-m2m`
 *    (key = requestId) with `ce_destination` = client topic; NCMP's DataOperationEventConsumer
 *    forwards the same event to `ce_destination` with key = `ce_correlationid`. Errors NCMP finds
 *    itself (cm-handle not found / not ready, DMI not responding) go straight to the client topic
 *    with `ce_source` NCMP.
 */
import { javaHashMapOrder } from './java-hash-order.js';
import type { NcmpHeader } from './record.js';

/** The envelope fields both legacy events start with, in schema order. */
interface LegacyEventEnvelope {
  readonly eventId: string;
  /** The requestId NCMP gave the DMI. */
  readonly eventCorrelationId: string;
  readonly eventTime: string;
  /** The client's topic. */
  readonly eventTarget: string;
  readonly eventType: string;
  readonly eventSchema: string;
  readonly eventSchemaVersion: string;
}

/** The response the DMI read: its `eventContent`, flattened into NCMP's `forwardedEvent`. */
interface LegacyResponseContent {
  readonly 'response-data-schema': string;
  readonly 'response-status': string;
  readonly 'response-code': string;
  readonly 'response-data': Readonly<Record<string, unknown>>;
}

/** The DMI plugin's legacy response event (dmi-async-request-response-event-schema-v1). */
export interface DmiAsyncRequestResponseEvent extends LegacyEventEnvelope {
  readonly eventSource: string;
  readonly eventContent: LegacyResponseContent;
}

/** NCMP's legacy response event on the client topic (ncmp-async-request-response-event-schema-v1). */
export interface NcmpAsyncRequestResponseEvent extends LegacyEventEnvelope {
  readonly forwardedEvent: LegacyEventEnvelope & { readonly eventSource: string } & LegacyResponseContent;
}

/** Java class names (Spring's `__TypeId__` header) and constants of the legacy pair. */
export const LEGACY_ASYNC = {
  dmiJavaType: 'org.onap.cps.ncmp.event.model.DmiAsyncRequestResponseEvent',
  ncmpJavaType: 'org.onap.cps.ncmp.event.model.NcmpAsyncRequestResponseEvent',
  /** DmiAsyncRequestResponseEventCreator: `Application.class.getPackageName()`. */
  dmiSource: 'org.onap.cps.ncmp.dmi',
} as const;

/** Inputs of the DMI's legacy event (DmiAsyncRequestResponseEventCreator.createEvent). */
export interface DmiAsyncEventInput {
  readonly eventId: string;
  readonly requestId: string;
  readonly eventTime: string;
  readonly clientTopic: string;
  /** HTTP reason phrase, e.g. `OK`. */
  readonly status: string;
  /** HTTP status code as text, e.g. `200`. */
  readonly code: string;
  /** The resource data (what the DMI read from the node). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly source?: string;
}

/**
 * The DMI plugin's legacy response, field for field as DmiAsyncRequestResponseEventCreator fills it.
 * @example buildDmiAsyncEvent({ eventId, requestId: 'r1', eventTime, clientTopic: 'my-topic', status: 'OK', code: '200', data: {} })
 */
export function buildDmiAsyncEvent(input: DmiAsyncEventInput): DmiAsyncRequestResponseEvent {
  return {
    eventId: input.eventId,
    eventCorrelationId: input.requestId,
    eventTime: input.eventTime,
    eventTarget: input.clientTopic,
    eventType: LEGACY_ASYNC.dmiJavaType,
    eventSchema: `urn:cps:${LEGACY_ASYNC.dmiJavaType}`,
    eventSchemaVersion: 'v1',
    eventSource: input.source ?? LEGACY_ASYNC.dmiSource,
    eventContent: {
      'response-data-schema': `urn:cps:${LEGACY_ASYNC.dmiJavaType}:v1`,
      'response-status': input.status,
      'response-code': input.code,
      'response-data': input.data,
    },
  };
}

/**
 * NCMP's mapping of a DMI legacy event (NcmpAsyncRequestResponseEventMapper): a new eventId and
 * eventTime, the same-named fields copied, everything of the DMI event in `forwardedEvent`.
 * `response-data` is copied from the *additional* properties of NCMP's `ResponseData` model, which
 * declares one property, `payload` — so a top-level `payload` key of the DMI data is not forwarded.
 */
export function buildNcmpAsyncEvent(dmi: DmiAsyncRequestResponseEvent, context: { readonly eventId: string; readonly eventTime: string }): NcmpAsyncRequestResponseEvent {
  const { payload: _declaredProperty, ...additional } = dmi.eventContent['response-data'];
  void _declaredProperty;
  return {
    // Overwriting keeps a key's place, so eventId and eventTime stay first and third on the wire.
    ...legacyEnvelopeOf(dmi),
    eventId: context.eventId,
    eventTime: context.eventTime,
    forwardedEvent: {
      ...legacyEnvelopeOf(dmi),
      eventSource: dmi.eventSource,
      'response-data-schema': dmi.eventContent['response-data-schema'],
      'response-status': dmi.eventContent['response-status'],
      'response-code': dmi.eventContent['response-code'],
      'response-data': additional,
    },
  };
}

/** The envelope fields of a legacy event, picked in schema order (the JSON key order NCMP writes). */
function legacyEnvelopeOf(e: LegacyEventEnvelope): LegacyEventEnvelope {
  const { eventId, eventCorrelationId, eventTime, eventTarget, eventType, eventSchema, eventSchemaVersion } = e;
  return { eventId, eventCorrelationId, eventTime, eventTarget, eventType, eventSchema, eventSchemaVersion };
}

/** CloudEvents constants of the DataOperationEvent. */
export const DATA_OPERATION_EVENT = {
  type: 'org.onap.cps.ncmp.events.async1_0_0.DataOperationEvent',
  dataSchema: 'urn:cps:org.onap.cps.ncmp.events.async1_0_0.DataOperationEvent:1.0.0',
  specVersion: '1.0',
  ncmpSource: 'NCMP',
  /**
   * What the mock's DMI writes as `ce_source` unless a step says otherwise: `DMI`, as the DMI stub
   * CPS tests NCMP with (`DmiRestStubController`, which also keys the record with a random UUID).
   */
  dmiSource: 'DMI',
} as const;

/** NCMP's response codes (org.onap.cps.ncmp.api.NcmpResponseStatus) and their messages. */
export const NCMP_RESPONSE_STATUS: Readonly<Record<string, string>> = {
  '0': 'Successfully applied changes',
  '1': 'ACCEPTED',
  '100': 'cm handle id(s) not found',
  '101': 'cm handle(s) not ready',
  '102': 'dmi plugin service is not responding',
  '103': 'dmi plugin service is not able to read resource data',
  '104': 'REJECTED',
  '108': 'Unknown error',
  '109': 'cm-handle already exists',
  '110': 'cm-handle has an invalid character(s) in id',
  '111': 'alternate id already associated',
  '112': 'message too large',
};

/** One entry of `data.responses[]`. */
export interface DataOperationResponse {
  readonly operationId: string;
  readonly ids: readonly string[];
  readonly resourceIdentifier?: string;
  readonly options?: string;
  readonly statusCode: string;
  readonly statusMessage: string;
  readonly result?: unknown;
}

/** The CloudEvent data of a DataOperationEvent (data-operation-event-schema-1.0.0). */
export interface DataOperationEvent {
  readonly data: { readonly responses: readonly DataOperationResponse[] };
}

/** A response as a step gives it: statusMessage defaults to NCMP's message for the code. */
export interface DataOperationResponseInput {
  readonly operationId: string;
  readonly ids: readonly string[];
  readonly resourceIdentifier?: string;
  readonly options?: string;
  readonly statusCode: string | number;
  readonly statusMessage?: string;
  readonly result?: unknown;
}

/**
 * Builds the event data with CPS's field order (`Response`: operationId, ids, resourceIdentifier,
 * options, statusCode, statusMessage, result; nulls omitted).
 */
export function buildDataOperationEvent(responses: readonly DataOperationResponseInput[]): DataOperationEvent {
  return {
    data: {
      responses: responses.map((r) => {
        const code = String(r.statusCode);
        const out: Record<string, unknown> = { operationId: r.operationId, ids: [...r.ids] };
        if (r.resourceIdentifier !== undefined) out['resourceIdentifier'] = r.resourceIdentifier;
        if (r.options !== undefined) out['options'] = r.options;
        out['statusCode'] = code;
        out['statusMessage'] = r.statusMessage ?? NCMP_RESPONSE_STATUS[code] ?? 'Unknown error';
        if (r.result !== undefined) out['result'] = r.result;
        return out as unknown as DataOperationResponse;
      }),
    },
  };
}

/** CloudEvent attributes of a DataOperationEvent record. */
export interface DataOperationAttributes {
  readonly id: string;
  readonly source: string;
  /** `ce_time`, already formatted (event-time.ts formatCloudEventTime). */
  readonly time: string;
  /** The requestId: the `correlationid` extension. */
  readonly correlationId: string;
  /** The client topic: the `destination` extension. */
  readonly destination: string;
  /** `datacontenttype`, written as `content-type` only when set. */
  readonly contentType?: string;
}

const utf8 = new TextEncoder();

/**
 * Binary-mode headers as the CloudEvents Kafka writer emits them: `ce_specversion`, then the context
 * attributes in `CloudEventV1.readContextAttributes` order (id, source, type, datacontenttype as
 * `content-type`, dataschema, time), then the extensions in the iteration order of the builder's
 * `HashMap`; values in UTF-8. Blank extensions are skipped, as NcmpEvent does.
 */
export function dataOperationHeaders(attributes: DataOperationAttributes): NcmpHeader[] {
  const headers: [string, string][] = [
    ['ce_specversion', DATA_OPERATION_EVENT.specVersion],
    ['ce_id', attributes.id],
    ['ce_source', attributes.source],
    ['ce_type', DATA_OPERATION_EVENT.type],
  ];
  if (attributes.contentType !== undefined) headers.push(['content-type', attributes.contentType]);
  headers.push(['ce_dataschema', DATA_OPERATION_EVENT.dataSchema], ['ce_time', attributes.time]);
  const extensions: Record<string, string> = { correlationid: attributes.correlationId, destination: attributes.destination };
  for (const name of javaHashMapOrder(Object.keys(extensions))) {
    const value = extensions[name] ?? '';
    if (value.trim() !== '') headers.push([`ce_${name}`, value]);
  }
  return headers.map(([key, value]) => ({ key, value: utf8.encode(value) }));
}

/** The legacy type header (Spring JsonSerializer): the class name in UTF-8. */
export function typeIdHeader(javaType: string): NcmpHeader {
  return { key: '__TypeId__', value: utf8.encode(javaType) };
}
