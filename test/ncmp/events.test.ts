import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import {
  checkNcmpSchema,
  createNcmpEngine,
  javaDeserializeString,
  ncmpSchemaNames,
  ncmpStepProblems,
  recordToJson,
  validateNcmpSteps,
  type NcmpCmHandleStep,
  type NcmpRecord,
} from '../../src/ncmp/index.js';
import { SHARED_DIR } from '../support/shared-dir.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0, 250);
const clock = { now: (): number => T0 };
const utf8 = new TextDecoder();
const valueOf = (r: NcmpRecord): Record<string, any> => JSON.parse(utf8.decode(r.value!));
const headersOf = (r: NcmpRecord): Record<string, string> =>
  Object.fromEntries(r.headers.map((h) => [h.key, javaDeserializeString(h.value) ?? utf8.decode(h.value)]));

/** Runs steps on a fresh engine and returns the LCM events' `event` payloads. */
function lcm(version: 'v1' | 'v2', steps: readonly Omit<NcmpCmHandleStep, 'cmHandleId'>[]): Record<string, any>[] {
  const engine = createNcmpEngine({ clock, lcmSchemaVersion: version });
  const out: NcmpRecord[] = [];
  for (const s of steps) out.push(...engine.cmHandle({ cmHandleId: 'ch-1', ...s }));
  for (const r of out) expect(checkNcmpSchema(version === 'v1' ? 'lcm-event-v1' : 'lcm-event-v2', valueOf(r))).toEqual([]);
  return out.map((r) => valueOf(r)['event']);
}

const register = { trigger: 'register', alternateId: 'fdn=1', moduleSetTag: 'tag-1', properties: { color: 'green' } } as const;

describe('LCM events (README state-machine table)', () => {
  it('envelope: ids, correlation id, CPS time format, source, type, schema, version', () => {
    const engine = createNcmpEngine({ clock, seed: 'x' });
    const [record] = engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register' });
    const event = valueOf(record!);
    expect(Object.keys(event)).toEqual(['eventId', 'eventCorrelationId', 'eventTime', 'eventSource', 'eventType', 'eventSchema', 'eventSchemaVersion', 'event']);
    expect(event).toMatchObject({
      eventCorrelationId: 'ch-1',
      eventTime: '2024-05-01T12:00:00.250+0000',
      eventSource: 'org.onap.ncmp',
      eventType: 'org.onap.ncmp.cmhandle-lcm-event.create',
      eventSchema: 'org.onap.ncmp:cmhandle-lcm-event',
      eventSchemaVersion: '1.0',
    });
    expect(event['eventId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(record!.timestamp).toBe(T0);
  });

  it('headers: the seven envelope fields Java-serialized, then Spring __TypeId__ in UTF-8', () => {
    const engine = createNcmpEngine({ clock });
    const [record] = engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register' });
    const event = valueOf(record!);
    const javaFields = record!.headers.filter((h) => h.key !== '__TypeId__');
    expect(javaFields).toHaveLength(7);
    for (const h of javaFields) {
      expect([...h.value.subarray(0, 5)]).toEqual([0xac, 0xed, 0x00, 0x05, 0x74]);
      expect(javaDeserializeString(h.value)).toBe(event[h.key]);
    }
    expect(record!.headers.at(-1)).toEqual({ key: '__TypeId__', value: new TextEncoder().encode('org.onap.cps.ncmp.events.lcm.LcmEventV1') });
    expect(checkNcmpSchema('lcm-event-header-v1', headersOf(record!))).toEqual([]);
    expect(utf8.decode(record!.key!)).toBe('ch-1');
    const noType = createNcmpEngine({ clock, typeIdHeaders: false }).cmHandle({ cmHandleId: 'ch-1', trigger: 'register' });
    expect(noType[0]!.headers.map((h) => h.key)).not.toContain('__TypeId__');
  });

  it('registration: CREATE with state ADVISED and properties (V1: properties as a one-element list)', () => {
    expect(lcm('v1', [register])).toEqual([
      {
        cmHandleId: 'ch-1',
        alternateId: 'fdn=1',
        moduleSetTag: 'tag-1',
        dataProducerIdentifier: '',
        newValues: { cmHandleState: 'ADVISED', cmHandleProperties: [{ color: 'green' }] },
      },
    ]);
    const [v2] = lcm('v2', [register]);
    expect(v2).toEqual({
      cmHandleId: 'ch-1',
      alternateId: 'fdn=1',
      newValues: {
        dataSyncEnabled: null,
        cmHandleState: 'ADVISED',
        alternateId: 'fdn=1',
        moduleSetTag: 'tag-1',
        dataProducerIdentifier: '',
        cmHandleProperties: { color: 'green' },
      },
    });
  });

  it('module sync succeeds: old {ADVISED}, new {READY, dataSyncEnabled false}', () => {
    const [, v1] = lcm('v1', [register, { trigger: 'module-sync-succeeded' }]);
    expect(v1).toMatchObject({ oldValues: { cmHandleState: 'ADVISED' }, newValues: { cmHandleState: 'READY', dataSyncEnabled: false } });
    expect(Object.keys(v1!['oldValues'])).toEqual(['cmHandleState']);
    const [, v2] = lcm('v2', [register, { trigger: 'module-sync-succeeded' }]);
    expect(v2).toEqual({
      cmHandleId: 'ch-1',
      alternateId: 'fdn=1',
      oldValues: { dataSyncEnabled: null, cmHandleState: 'ADVISED' },
      newValues: { dataSyncEnabled: false, cmHandleState: 'READY' },
    });
  });

  it('module sync fails, watchdog retry, upgrade: state only', () => {
    const events = lcm('v1', [register, { trigger: 'module-sync-failed' }, { trigger: 'retry' }, { trigger: 'module-sync-succeeded' }, { trigger: 'upgrade' }, { trigger: 'retry' }]);
    const states = events.slice(1).map((e) => [e['oldValues'], e['newValues']]);
    expect(states).toEqual([
      [{ cmHandleState: 'ADVISED' }, { cmHandleState: 'LOCKED' }],
      [{ cmHandleState: 'LOCKED' }, { cmHandleState: 'ADVISED' }],
      [{ cmHandleState: 'ADVISED' }, { cmHandleState: 'READY', dataSyncEnabled: false }],
      [{ cmHandleState: 'READY' }, { cmHandleState: 'LOCKED' }],
      [{ cmHandleState: 'LOCKED' }, { cmHandleState: 'ADVISED' }],
    ]);
  });

  it('deregistration: UPDATE to DELETING, then DELETE with ids only', () => {
    const v1 = lcm('v1', [register, { trigger: 'deregister' }]);
    expect(v1[1]).toMatchObject({ oldValues: { cmHandleState: 'ADVISED' }, newValues: { cmHandleState: 'DELETING' } });
    expect(v1[2]).toEqual({ cmHandleId: 'ch-1', alternateId: 'fdn=1', moduleSetTag: 'tag-1', dataProducerIdentifier: '' });
    const v2 = lcm('v2', [register, { trigger: 'deregister-begin' }, { trigger: 'deregister-complete' }]);
    expect(v2[2]).toEqual({ cmHandleId: 'ch-1', alternateId: 'fdn=1' });
  });

  it('dataProducerIdentifier change: V2 only that field; V1 empty values plus the new value at the top', () => {
    const v2 = lcm('v2', [register, { trigger: 'set-data-producer-identifier', dataProducerIdentifier: 'dp-9' }]);
    expect(v2[1]).toEqual({ cmHandleId: 'ch-1', alternateId: 'fdn=1', oldValues: { dataProducerIdentifier: '' }, newValues: { dataProducerIdentifier: 'dp-9' } });
    const v1 = lcm('v1', [register, { trigger: 'set-data-producer-identifier', dataProducerIdentifier: 'dp-9' }]);
    expect(v1[1]).toEqual({ cmHandleId: 'ch-1', alternateId: 'fdn=1', moduleSetTag: 'tag-1', dataProducerIdentifier: 'dp-9', oldValues: {}, newValues: {} });
  });

  it('public property change with the non-CPS opt-in (nonCpsLcmEvent): UPDATE with the old and new property maps', () => {
    const v1 = lcm('v1', [register, { trigger: 'update-properties', properties: { color: 'red' }, nonCpsLcmEvent: true }]);
    expect(v1[1]).toMatchObject({ oldValues: { cmHandleProperties: [{ color: 'green' }] }, newValues: { cmHandleProperties: [{ color: 'red' }] } });
    const v2 = lcm('v2', [register, { trigger: 'update-properties', properties: { color: 'red' }, nonCpsLcmEvent: true }]);
    expect(v2[1]).toEqual({ cmHandleId: 'ch-1', alternateId: 'fdn=1', oldValues: { cmHandleProperties: { color: 'green' } }, newValues: { cmHandleProperties: { color: 'red' } } });
  });

  it('V2 events carry the V2 schema name and type header', () => {
    const engine = createNcmpEngine({ clock, lcmSchemaVersion: 'v2' });
    const [record] = engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register' });
    expect(valueOf(record!)['eventSchema']).toBe('org.onap.ncmp:cmhandle-lcm-event.v2');
    expect(headersOf(record!)['__TypeId__']).toBe('org.onap.cps.ncmp.events.lcm.LcmEventV2');
  });
});

describe('async responses', () => {
  it('legacy: DMI event on ncmp-async-m2m keyed by requestId, NCMP event with forwardedEvent on the client topic', () => {
    const engine = createNcmpEngine({ clock, seed: 5 });
    const [dmiRecord, ncmpRecord] = engine.asyncResponse({ format: 'legacy', topic: 'my-topic', requestId: 'req-1', data: { 'ietf:data': { x: 1 }, payload: 'dropped' } });
    expect(dmiRecord!.topic).toBe('ncmp-async-m2m');
    expect(utf8.decode(dmiRecord!.key!)).toBe('req-1');
    const dmi = valueOf(dmiRecord!);
    expect(checkNcmpSchema('dmi-async-request-response-event-v1', dmi)).toEqual([]);
    expect(dmi).toMatchObject({
      eventCorrelationId: 'req-1',
      eventTarget: 'my-topic',
      eventType: 'org.onap.cps.ncmp.event.model.DmiAsyncRequestResponseEvent',
      eventSource: 'org.onap.cps.ncmp.dmi',
      eventContent: { 'response-status': 'OK', 'response-code': '200' },
    });
    expect(ncmpRecord!.topic).toBe('my-topic');
    const ncmp = valueOf(ncmpRecord!);
    expect(checkNcmpSchema('ncmp-async-request-response-event-v1', ncmp)).toEqual([]);
    expect(utf8.decode(ncmpRecord!.key!)).toBe(ncmp['eventId']);
    expect(ncmp['eventId']).not.toBe(dmi['eventId']);
    expect(ncmp).toMatchObject({ eventCorrelationId: 'req-1', eventTarget: 'my-topic', eventTime: '2024-05-01T12:00:00.250+0000' });
    expect(ncmp['forwardedEvent']).toMatchObject({ eventId: dmi['eventId'], eventSource: 'org.onap.cps.ncmp.dmi', 'response-code': '200' });
    expect(ncmp['forwardedEvent']['response-data']).toEqual({ 'ietf:data': { x: 1 } });
    // NCMP's Jackson writes the schema's key order; a consumer diffing JSON text sees it.
    const envelope = ['eventId', 'eventCorrelationId', 'eventTime', 'eventTarget', 'eventType', 'eventSchema', 'eventSchemaVersion'];
    expect(Object.keys(ncmp)).toEqual([...envelope, 'forwardedEvent']);
    expect(Object.keys(ncmp['forwardedEvent'])).toEqual([...envelope, 'eventSource', 'response-data-schema', 'response-status', 'response-code', 'response-data']);
    expect(headersOf(ncmpRecord!)).toEqual({ __TypeId__: 'org.onap.cps.ncmp.event.model.NcmpAsyncRequestResponseEvent' });
  });

  it('DataOperationEvent from a DMI: ce_* headers, m2m then the ce_destination topic, keyed by ce_correlationid', () => {
    const engine = createNcmpEngine({ clock, seed: 5 });
    const records = engine.asyncResponse({
      format: 'data-operation',
      topic: 'client-topic',
      requestId: 'req-2',
      responses: [{ operationId: 'op-1', ids: ['ch-1', 'ch-2'], resourceIdentifier: '/a', options: '(fields=x)', statusCode: 0, result: { a: [1] } }],
    });
    expect(records.map((r) => r.topic)).toEqual(['ncmp-async-m2m', 'client-topic']);
    const [internal, forwarded] = records;
    expect(forwarded!.headers).toEqual(internal!.headers);
    expect(forwarded!.value).toEqual(internal!.value);
    const h = headersOf(forwarded!);
    expect(checkNcmpSchema('cloud-event-headers', h)).toEqual([]);
    expect(h).toMatchObject({
      ce_specversion: '1.0',
      ce_source: 'DMI',
      ce_type: 'org.onap.cps.ncmp.events.async1_0_0.DataOperationEvent',
      ce_dataschema: 'urn:cps:org.onap.cps.ncmp.events.async1_0_0.DataOperationEvent:1.0.0',
      ce_time: '2024-05-01T12:00:00.25Z',
      ce_correlationid: 'req-2',
      ce_destination: 'client-topic',
    });
    expect(forwarded!.headers.map((x) => x.key).slice(0, 4)).toEqual(['ce_specversion', 'ce_id', 'ce_source', 'ce_type']);
    expect(utf8.decode(forwarded!.key!)).toBe('req-2');
    const data = valueOf(forwarded!);
    expect(checkNcmpSchema('data-operation-event-1.0.0', data)).toEqual([]);
    expect(data).toEqual({
      data: {
        responses: [
          { operationId: 'op-1', ids: ['ch-1', 'ch-2'], resourceIdentifier: '/a', options: '(fields=x)', statusCode: '0', statusMessage: 'Successfully applied changes', result: { a: [1] } },
        ],
      },
    });
  });

  it('DataOperationEvent from NCMP itself: straight to the client topic, ce_source NCMP, default status message', () => {
    const engine = createNcmpEngine({ clock });
    const records = engine.asyncResponse({ format: 'data-operation', origin: 'ncmp', topic: 'client-topic', responses: [{ operationId: 'op-1', ids: ['ch-9'], statusCode: '101' }] });
    expect(records.map((r) => r.topic)).toEqual(['client-topic']);
    expect(headersOf(records[0]!)['ce_source']).toBe('NCMP');
    expect(valueOf(records[0]!)['data']['responses'][0]['statusMessage']).toBe('cm handle(s) not ready');
  });

  it('rejects an illegal client topic with NSOMOCK_USAGE', () => {
    const engine = createNcmpEngine({ clock });
    expect(() => engine.asyncResponse({ format: 'legacy', topic: 'no spaces' })).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
  });
});

describe('corrected schemas', () => {
  it('reject events that are wrong where CPS would be', () => {
    const engine = createNcmpEngine({ clock });
    const good = valueOf(engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register', properties: { a: 'b' } })[0]!);
    expect(checkNcmpSchema('lcm-event-v1', { ...good, eventTime: '2024-05-01T12:00:00Z' })).not.toEqual([]);
    expect(checkNcmpSchema('lcm-event-v1', { ...good, event: { ...good['event'], newValues: { cmHandleState: 'GONE' } } })).not.toEqual([]);
    expect(checkNcmpSchema('lcm-event-v1', { ...good, eventSource: 'elsewhere' })).not.toEqual([]);
    const { eventId: _omit, ...noId } = good;
    expect(checkNcmpSchema('lcm-event-v1', noId)).not.toEqual([]);
    expect(ncmpSchemaNames).toHaveLength(7);
  });

  it('the engine refuses to publish an event that fails its schema (NSOMOCK_NCMP_SCHEMA)', () => {
    const engine = createNcmpEngine({ clock });
    expect(() => engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register', eventIds: [''] })).toThrow(expect.objectContaining({ code: 'NSOMOCK_NCMP_SCHEMA' }));
    expect(engine.records('ncmp-events')).toHaveLength(0);
    expect(engine.cmHandles().size).toBe(0);
  });

  describe('the original CPS files have the defects shared/schemas/ncmp/README.md lists', () => {
    const root = fileURLToPath(new URL('schemas/ncmp/', SHARED_DIR));
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const original = (path: string): ((v: unknown) => boolean) => {
      const schema = JSON.parse(readFileSync(join(root, path), 'utf8'));
      delete schema.$id;
      return ajv.compile(schema) as (v: unknown) => boolean;
    };
    const engine = createNcmpEngine({ clock });
    const [created] = engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register', properties: { color: 'green' } });

    it('V1 cmHandleProperties: the original rejects the array NCMP sends, the corrected copy accepts it', () => {
      expect(original('lcm/lcm-event-schema-v1.json')(valueOf(created!))).toBe(false);
      expect(checkNcmpSchema('lcm-event-v1', valueOf(created!))).toEqual([]);
    });

    it('header schema: no instance can pass the original', () => {
      expect(original('lcm/lcm-event-header-v1.json')(headersOf(created!))).toBe(false);
      expect(checkNcmpSchema('lcm-event-header-v1', headersOf(created!))).toEqual([]);
    });

    it('DataOperationEvent result: the original rejects any non-empty result', () => {
      const data = { data: { responses: [{ operationId: 'o', ids: ['c'], statusCode: '0', statusMessage: 'ok', result: { x: 1 } }] } };
      expect(original('async-m2m/data-operation-event-schema-1.0.0.json')(data)).toBe(false);
      expect(checkNcmpSchema('data-operation-event-1.0.0', data)).toEqual([]);
    });

    it('async schemas: the required arrays sit inside properties, so a validator cannot even compile the original', () => {
      expect(() => original('async-m2m/ncmp-async-request-response-event-schema-v1.json')).toThrow(/properties\/required must be object,boolean/);
      expect(() => original('async-m2m/dmi-async-request-response-event-schema-v1.json')).toThrow(/properties\/required must be object,boolean/);
      expect(checkNcmpSchema('ncmp-async-request-response-event-v1', { eventId: 'e', forwardedEvent: {} })).not.toEqual([]);
    });
  });

  it('the JSON view shows every header decoded', () => {
    const engine = createNcmpEngine({ clock });
    const [record] = engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register' });
    const json = recordToJson(record!);
    expect(json.headers.find((h) => h.key === 'eventSource')).toMatchObject({ text: 'org.onap.ncmp', base64: Buffer.from(record!.headers.find((h) => h.key === 'eventSource')!.value).toString('base64') });
    expect(json.value).toEqual(valueOf(record!));
  });
});

/**
 * The five places where CPS-NCMP's own code decides what a consumer sees (cps-ncmp-service, master).
 * Each description names the CPS class whose behaviour the test pins.
 */
describe('as CPS-NCMP sends them', () => {
  const bare = { trigger: 'register' } as const;

  it('unset alternateId, moduleSetTag, dataProducerIdentifier are "", never null or absent, as YangModelCmHandle stores them (StringUtils.trimToEmpty) for PayloadFactory', () => {
    const v1 = lcm('v1', [bare, { trigger: 'module-sync-succeeded' }, { trigger: 'deregister' }]);
    for (const event of v1) {
      expect(event).toMatchObject({ alternateId: '', moduleSetTag: '', dataProducerIdentifier: '' });
      expect(Object.keys(event).slice(0, 4)).toEqual(['cmHandleId', 'alternateId', 'moduleSetTag', 'dataProducerIdentifier']);
    }
    const v2 = lcm('v2', [bare, { trigger: 'set-data-producer-identifier', dataProducerIdentifier: 'dp-1' }, { trigger: 'deregister' }]);
    expect(v2[0]).toEqual({
      cmHandleId: 'ch-1',
      alternateId: '',
      newValues: { dataSyncEnabled: null, cmHandleState: 'ADVISED', alternateId: '', moduleSetTag: '', dataProducerIdentifier: '', cmHandleProperties: {} },
    });
    expect(v2[1]).toEqual({ cmHandleId: 'ch-1', alternateId: '', oldValues: { dataProducerIdentifier: '' }, newValues: { dataProducerIdentifier: 'dp-1' } });
    expect(v2[3]).toEqual({ cmHandleId: 'ch-1', alternateId: '' });
    // trimToEmpty also trims (Java's String.trim: every char up to U+0020).
    const [trimmed] = lcm('v1', [{ trigger: 'register', alternateId: ' \tME=1\n', moduleSetTag: '   ' }]);
    expect(trimmed).toMatchObject({ alternateId: 'ME=1', moduleSetTag: '', dataProducerIdentifier: '' });
  });

  it('a public-property update publishes no LCM event: CmHandleRegistrationServicePropertyHandler changes the inventory only (LCM events come from LcmEventsCmHandleStateHandlerImpl and the dataProducerIdentifier update)', () => {
    const engine = createNcmpEngine({ clock });
    engine.cmHandle({ cmHandleId: 'ch-1', ...register });
    expect(engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'update-properties', properties: { color: 'red' } })).toEqual([]);
    expect(engine.records('ncmp-events')).toHaveLength(1);
    expect(engine.cmHandles().get('ch-1')?.properties).toEqual({ color: 'red' });
    // A pinned eventId for an event that is never sent is a scenario mistake, said at load time.
    expect(
      validateNcmpSteps([
        { 'ncmp-cm-handle': { cmHandleId: 'ch-1', ...register } },
        { 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'update-properties', properties: { color: 'red' }, eventIds: ['e-1'] } },
      ]).map((p) => p.index),
    ).toEqual([1]);
  });

  it('ADVISED → READY carries dataSyncEnabled false, as LcmEventsCmHandleStateHandlerImpl sets it (CompositeStateUtils.setInitialDataStoreSyncState); true is refused', () => {
    const [, ready] = lcm('v1', [register, { trigger: 'module-sync-succeeded' }]);
    expect(ready!['newValues']).toEqual({ dataSyncEnabled: false, cmHandleState: 'READY' });
    const engine = createNcmpEngine({ clock });
    engine.cmHandle({ cmHandleId: 'ch-1', ...register });
    expect(() => engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'module-sync-succeeded', dataSyncEnabled: true })).toThrow(
      expect.objectContaining({ code: 'NSOMOCK_USAGE', message: expect.stringContaining('data sync off') }),
    );
    expect(engine.records('ncmp-events')).toHaveLength(1);
    expect(ncmpStepProblems('ncmp-cm-handle', { cmHandleId: 'ch-1', trigger: 'module-sync-succeeded', dataSyncEnabled: true })).toEqual([
      { path: ['dataSyncEnabled'], expected: expect.stringContaining('LcmEventsCmHandleStateHandlerImpl'), found: 'true' },
    ]);
  });

  it('after a module upgrade READY keeps the old moduleSetTag with no tag delta: ModuleSyncService writes the new tag to the database only, LcmEventsCmHandleStateHandlerImpl publishes the in-memory handle', () => {
    const upgrade = [register, { trigger: 'module-sync-succeeded' }, { trigger: 'upgrade', moduleSetTag: 'tag-new' }, { trigger: 'retry' }, { trigger: 'module-sync-succeeded' }, { trigger: 'deregister-begin' }] as const;
    const v1 = lcm('v1', upgrade);
    expect(v1.map((e) => e['moduleSetTag'])).toEqual(['tag-1', 'tag-1', 'tag-1', 'tag-1', 'tag-1', 'tag-new']);
    expect(v1[4]).toMatchObject({ oldValues: { cmHandleState: 'ADVISED' }, newValues: { cmHandleState: 'READY' } });
    const v2 = lcm('v2', upgrade);
    expect(v2[4]).toEqual({ cmHandleId: 'ch-1', alternateId: 'fdn=1', oldValues: { cmHandleState: 'ADVISED' }, newValues: { cmHandleState: 'READY' } });
    // The next event reads the handle back from the database, new tag on both sides: still no delta.
    expect(v2[5]).toEqual({ cmHandleId: 'ch-1', alternateId: 'fdn=1', oldValues: { cmHandleState: 'READY' }, newValues: { cmHandleState: 'DELETING' } });
    for (const event of v2) expect(JSON.stringify(event)).not.toContain('tag-new');
  });

  it('a dataProducerIdentifier is set once: CmHandleRegistrationServicePropertyHandler ignores a blank one and keeps one already set (no event either way)', () => {
    const engine = createNcmpEngine({ clock });
    engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'register' });
    expect(() => engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'set-data-producer-identifier', dataProducerIdentifier: '  ' })).toThrow(
      expect.objectContaining({ code: 'NSOMOCK_NCMP_INVALID_TRANSITION', message: expect.stringContaining('blank') }),
    );
    engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'set-data-producer-identifier', dataProducerIdentifier: 'dp-1' });
    expect(() => engine.cmHandle({ cmHandleId: 'ch-1', trigger: 'set-data-producer-identifier', dataProducerIdentifier: 'dp-2' })).toThrow(
      expect.objectContaining({ code: 'NSOMOCK_NCMP_INVALID_TRANSITION', message: expect.stringContaining('already set to "dp-1"') }),
    );
    expect(engine.records('ncmp-events')).toHaveLength(2);
    expect(engine.cmHandles().get('ch-1')?.dataProducerIdentifier).toBe('dp-1');
  });

  it('a DataOperationEvent from the DMI has ce_source DMI and a UUID key on ncmp-async-m2m, as DmiRestStubController sends it; NCMP forwards it keyed by ce_correlationid', () => {
    const step = { format: 'data-operation', topic: 'client-topic', requestId: 'req-3', responses: [{ operationId: 'op', ids: ['ch-1'], statusCode: 0 }] } as const;
    const run = (): NcmpRecord[] => {
      const engine = createNcmpEngine({ clock, seed: 9 });
      return [...engine.asyncResponse(step), ...engine.asyncResponse(step)];
    };
    const [internal, forwarded, internal2] = run();
    expect(headersOf(internal!)['ce_source']).toBe('DMI');
    const key = utf8.decode(internal!.key!);
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(key).not.toBe('req-3');
    expect(utf8.decode(internal2!.key!)).not.toBe(key); // a new one per record, as randomUUID()
    expect(utf8.decode(forwarded!.key!)).toBe('req-3');
    // Seed-derived: the same keys on every run.
    expect(run().map((r) => utf8.decode(r.key!))).toEqual([key, 'req-3', utf8.decode(internal2!.key!), 'req-3']);
    // Unless the scenario says otherwise.
    const pinned = createNcmpEngine({ clock }).asyncResponse({ ...step, source: 'ONAP-DMI-PLUGIN', dmiKey: 'my-key' });
    expect(utf8.decode(pinned[0]!.key!)).toBe('my-key');
    expect(headersOf(pinned[0]!)['ce_source']).toBe('ONAP-DMI-PLUGIN');
  });
});
