/**
 * The two NCMP scenario steps, as plain TypeScript types and as JSON Schema objects the scenario
 * schema embeds: `{ ncmp-cm-handle: NcmpCmHandleStep }` and
 * `{ ncmp-async-response: NcmpAsyncResponseStep }`. `validateNcmpSteps` runs the cm-handle state
 * machine over a whole step list so a scenario with an impossible transition is rejected when it is
 * validated, before anything is played.
 *
 * The schemas are plain JSON (what TypeBox would build), not TypeBox values: this module is loaded
 * with the scenario engine on every run, and TypeBox costs ~70 ms to import. Shapes are checked with
 * the NCMP Ajv (schemas.ts), loaded only when a shape is checked.
 */
import { applyCmHandleTrigger, cmHandleTriggerNames, type CmHandle, type CmHandleRejection, type CmHandleTrigger, type CmHandleTriggerName } from './cm-handle-state.js';
import { NcmpError } from './errors.js';
import { compileNcmpJsonSchema } from './schemas.js';
import type { DataOperationResponseInput } from './async-response.js';
import type { LcmSchemaVersion } from './lcm-event.js';
import type { NsoMockErrorCode } from '../codec/errors.js';

/** A JSON Schema object (plain JSON: TypeBox's `TSchema` values are structurally compatible). */
export type NcmpJsonSchema = { readonly [keyword: string]: unknown };

/** A cm-handle step: applies one trigger and publishes the LCM events CPS would. */
export interface NcmpCmHandleStep {
  readonly cmHandleId: string;
  readonly trigger: CmHandleTriggerName;
  /** register only. */
  readonly alternateId?: string;
  /** register; upgrade (the tag applied when the module sync after the upgrade succeeds). */
  readonly moduleSetTag?: string;
  /** register; required by set-data-producer-identifier. */
  readonly dataProducerIdentifier?: string;
  /** register; required by update-properties (the complete new set of public properties). */
  readonly properties?: Readonly<Record<string, string>>;
  /**
   * module-sync-succeeded: only `false`, what CPS always sets (the field stays for old scenarios;
   * `true` is refused when the scenario is loaded).
   */
  readonly dataSyncEnabled?: boolean;
  /**
   * update-properties: NOT CPS behaviour. CPS publishes no LCM event for a property update; `true`
   * publishes an UPDATE with the cmHandleProperties delta anyway (docs/ncmp.md, "How the mock's
   * events differ from CPS").
   */
  readonly nonCpsLcmEvent?: boolean;
  /** Pins the eventIds of the events this step produces, in order (deregister produces two). */
  readonly eventIds?: readonly string[];
  /** Overrides the engine's LCM schema version for this step's events. */
  readonly lcmSchemaVersion?: LcmSchemaVersion;
}

/** Legacy single-cm-handle response: DMI event on ncmp-async-m2m, NCMP event on the client topic. */
export interface NcmpLegacyAsyncResponseStep {
  readonly format: 'legacy';
  /** The client's `topic=` value. */
  readonly topic: string;
  /** Pins the requestId (otherwise derived from the seed). */
  readonly requestId?: string;
  /** HTTP reason phrase; default `OK`. */
  readonly status?: string;
  /** HTTP status code; default `200`. */
  readonly code?: string | number;
  /** The resource data the DMI returns; default `{}`. */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Pins the DMI event's eventId. */
  readonly dmiEventId?: string;
  /** Pins NCMP's eventId (also the record key on the client topic). */
  readonly eventId?: string;
  /** The DMI's eventSource; default `org.onap.cps.ncmp.dmi`. */
  readonly source?: string;
  /** Also publish the DMI's record on the internal topic (default true). */
  readonly internal?: boolean;
}

/** CloudEvents DataOperationEvent (batch response). */
export interface NcmpDataOperationResponseStep {
  readonly format: 'data-operation';
  /** The client's `topic=` value (`ce_destination`). */
  readonly topic: string;
  readonly requestId?: string;
  /** `dmi` (default): via ncmp-async-m2m and forwarded; `ncmp`: an error NCMP publishes itself. */
  readonly origin?: 'dmi' | 'ncmp';
  /** `ce_source`; default `DMI` (dmi, as CPS's DMI stub) or `NCMP` (ncmp). */
  readonly source?: string;
  /** Pins `ce_id`. */
  readonly ceId?: string;
  /**
   * dmi: pins the key of the DMI's record on ncmp-async-m2m. Default: a UUID derived from the seed
   * (CPS's DMI stub sends `UUID.randomUUID()`); the forwarded record is keyed by the requestId.
   */
  readonly dmiKey?: string;
  /** `datacontenttype`, sent as a `content-type` header only when given. */
  readonly contentType?: string;
  readonly internal?: boolean;
  readonly responses: readonly DataOperationResponseInput[];
}

/** Either async response step. */
export type NcmpAsyncResponseStep = NcmpLegacyAsyncResponseStep | NcmpDataOperationResponseStep;

/** The step keys as they appear in scenario files. */
export const NCMP_STEP_KEYS = { cmHandle: 'ncmp-cm-handle', asyncResponse: 'ncmp-async-response' } as const;

/** Kafka's legal topic names (record.ts TOPIC_NAME_PATTERN, as a schema pattern). */
const TOPIC_PATTERN = '^[a-zA-Z0-9._-]{1,249}$';
const stringMap = { type: 'object', patternProperties: { '^.*$': { type: 'string' } } } as const;
const topicName = { type: 'string', pattern: TOPIC_PATTERN } as const;
const nonEmpty = { type: 'string', minLength: 1 } as const;

/** JSON Schema of {@link NcmpCmHandleStep}. */
export const ncmpCmHandleStepSchema: NcmpJsonSchema = {
  type: 'object',
  properties: {
    cmHandleId: { type: 'string', minLength: 1, description: 'The cm-handle id (also the LCM record key and eventCorrelationId).' },
    trigger: { type: 'string', enum: [...cmHandleTriggerNames], description: 'What happens to the cm-handle (docs/ncmp.md, the state machine).' },
    alternateId: { type: 'string', description: 'register: the alternate id (e.g. an FDN).' },
    moduleSetTag: { type: 'string', description: 'register; upgrade (applied when the next module sync succeeds).' },
    dataProducerIdentifier: { type: 'string', description: 'register; required by set-data-producer-identifier.' },
    properties: { ...stringMap, description: 'register; required by update-properties (the complete new set of public properties).' },
    dataSyncEnabled: { type: 'boolean', description: 'module-sync-succeeded: false only (CPS starts every READY handle with data sync off).' },
    nonCpsLcmEvent: {
      type: 'boolean',
      description: 'update-properties: NOT CPS behaviour, opt-in: publish an UPDATE with the cmHandleProperties delta (CPS publishes no LCM event for a property update).',
    },
    eventIds: { type: 'array', items: nonEmpty, description: 'Pins the eventIds of the events of this step, in order (deregister publishes two).' },
    lcmSchemaVersion: { type: 'string', enum: ['v1', 'v2'], description: 'The LCM schema version of this step only.' },
  },
  required: ['cmHandleId', 'trigger'],
  additionalProperties: false,
  description: 'Drives the CPS-NCMP cm-handle state machine and publishes the LCM events CPS would.',
};

const dataOperationResponseSchema: NcmpJsonSchema = {
  type: 'object',
  properties: {
    operationId: { type: 'string' },
    ids: { type: 'array', items: { type: 'string' } },
    resourceIdentifier: { type: 'string' },
    options: { type: 'string' },
    statusCode: { anyOf: [{ type: 'string', pattern: '^[0-9]+$' }, { type: 'integer', minimum: 0 }] },
    statusMessage: { type: 'string' },
    result: {},
  },
  required: ['operationId', 'ids', 'statusCode'],
  additionalProperties: false,
};

/** The fields of each async-response format (the schema allows their union; {@link ncmpStepProblems} the right ones). */
const FORMAT_FIELDS: Readonly<Record<NcmpAsyncResponseStep['format'], readonly string[]>> = {
  legacy: ['format', 'topic', 'requestId', 'status', 'code', 'data', 'dmiEventId', 'eventId', 'source', 'internal'],
  'data-operation': ['format', 'topic', 'requestId', 'origin', 'source', 'ceId', 'dmiKey', 'contentType', 'internal', 'responses'],
};

/**
 * JSON Schema of {@link NcmpAsyncResponseStep}. One mapping for both formats rather than a union:
 * a missing or misspelt `format` is then reported as that field (a union could only say "a
 * mapping"); which fields go with which format is checked by {@link ncmpStepProblems}.
 */
export const ncmpAsyncResponseStepSchema: NcmpJsonSchema = {
  type: 'object',
  properties: {
    format: { type: 'string', enum: ['legacy', 'data-operation'], description: 'legacy: NcmpAsyncRequestResponseEvent; data-operation: CloudEvents DataOperationEvent.' },
    topic: { ...topicName, description: "The client's topic= (eventTarget, ce_destination)." },
    requestId: { ...nonEmpty, description: 'Pins the requestId (otherwise derived from the seed).' },
    status: { type: 'string', description: 'legacy: HTTP reason phrase (default OK).' },
    code: { anyOf: [{ type: 'string' }, { type: 'integer' }], description: 'legacy: HTTP status code (default 200).' },
    data: { type: 'object', patternProperties: { '^.*$': {} }, description: 'legacy: the resource data the DMI returns (default {}).' },
    dmiEventId: { ...nonEmpty, description: "legacy: pins the DMI event's eventId." },
    eventId: { ...nonEmpty, description: "legacy: pins NCMP's eventId (the record key on the client topic)." },
    source: { ...nonEmpty, description: "The DMI's eventSource (legacy) or ce_source (data-operation)." },
    internal: { type: 'boolean', description: "Also publish the DMI's record on ncmp-async-m2m (default true)." },
    origin: { type: 'string', enum: ['dmi', 'ncmp'], description: 'data-operation: dmi (default, via ncmp-async-m2m) or ncmp (its own error).' },
    ceId: { ...nonEmpty, description: 'data-operation: pins ce_id.' },
    dmiKey: { ...nonEmpty, description: "data-operation from the DMI: pins the key of its ncmp-async-m2m record (default a seed-derived UUID, as CPS's DMI stub sends a random one)." },
    contentType: { ...nonEmpty, description: 'data-operation: datacontenttype, sent as content-type.' },
    responses: { type: 'array', items: dataOperationResponseSchema, minItems: 1, description: 'data-operation: data.responses.' },
  },
  required: ['format', 'topic'],
  additionalProperties: false,
  description: 'Publishes an asynchronous data-operation response the way the DMI plugin and NCMP do.',
};

/** The optional fields each trigger uses (besides cmHandleId, trigger, eventIds and lcmSchemaVersion). */
const TRIGGER_FIELDS: Readonly<Record<CmHandleTriggerName, readonly string[]>> = {
  register: ['alternateId', 'moduleSetTag', 'dataProducerIdentifier', 'properties'],
  'module-sync-succeeded': ['dataSyncEnabled'],
  'module-sync-failed': [],
  retry: [],
  upgrade: ['moduleSetTag'],
  deregister: [],
  'deregister-begin': [],
  'deregister-complete': [],
  'set-data-producer-identifier': ['dataProducerIdentifier'],
  'update-properties': ['properties', 'nonCpsLcmEvent'],
};
const COMMON_FIELDS = ['cmHandleId', 'trigger', 'eventIds', 'lcmSchemaVersion'];

/** A problem in one step body: a path below it, and what was expected and found. */
export interface NcmpFieldProblem {
  readonly path: readonly (string | number)[];
  readonly expected: string;
  readonly found: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function unusedFields(body: Record<string, unknown>, allowed: readonly string[], owner: string, usersOf: (field: string) => readonly string[]): NcmpFieldProblem[] {
  return Object.keys(body)
    .filter((field) => !allowed.includes(field))
    .map((field) => {
      const users = usersOf(field);
      return {
        path: [field],
        expected: `a field ${owner} uses (${allowed.join(', ')})`,
        found: users.length === 0 ? `unknown field ${field}` : `${field} (only ${users.join(' and ')} ${users.length === 1 ? 'uses' : 'use'} it)`,
      };
    });
}

/**
 * Checks one step body that passed its schema, for what the schema cannot say: a field the
 * trigger or format does not use (it would be silently ignored), a field the trigger or format
 * needs, more pinned eventIds than the step publishes events, `internal` on NCMP's own errors.
 * `kind` is the step key (`ncmp-cm-handle`, `ncmp-async-response`).
 * @example ncmpStepProblems('ncmp-cm-handle', { cmHandleId: 'a', trigger: 'retry', alternateId: 'x' })
 *   // [{ path: ['alternateId'], expected: 'a field retry uses (cmHandleId, trigger, eventIds, lcmSchemaVersion)', found: 'alternateId (only register uses it)' }]
 */
export function ncmpStepProblems(kind: string, body: unknown): NcmpFieldProblem[] {
  if (!isRecord(body)) return [];
  const problems: NcmpFieldProblem[] = [];
  if (kind === NCMP_STEP_KEYS.cmHandle) {
    const trigger = body['trigger'] as CmHandleTriggerName;
    const own = TRIGGER_FIELDS[trigger];
    if (own === undefined) return [];
    const triggers = Object.keys(TRIGGER_FIELDS) as CmHandleTriggerName[];
    problems.push(...unusedFields(body, [...COMMON_FIELDS, ...own], trigger, (field) => triggers.filter((t) => TRIGGER_FIELDS[t].includes(field))));
    if (trigger === 'set-data-producer-identifier' && body['dataProducerIdentifier'] === undefined) {
      problems.push({ path: ['dataProducerIdentifier'], expected: 'the new dataProducerIdentifier (set-data-producer-identifier needs it)', found: 'nothing' });
    }
    if (trigger === 'update-properties' && body['properties'] === undefined) {
      problems.push({ path: ['properties'], expected: 'the complete new set of properties (update-properties needs it)', found: 'nothing' });
    }
    if (trigger === 'module-sync-succeeded' && body['dataSyncEnabled'] === true) {
      problems.push({
        path: ['dataSyncEnabled'],
        expected: "false or nothing (CPS's LcmEventsCmHandleStateHandlerImpl starts every READY handle with data sync off)",
        found: 'true',
      });
    }
    const eventIds = body['eventIds'];
    const events = lcmEventCount(trigger, body['nonCpsLcmEvent'] === true);
    if (Array.isArray(eventIds) && eventIds.length > events) {
      problems.push({ path: ['eventIds'], expected: `at most ${plural(events, 'eventId')} (${trigger} publishes ${plural(events, 'event')})`, found: plural(eventIds.length, 'eventId') });
    }
  } else if (kind === NCMP_STEP_KEYS.asyncResponse) {
    const format = body['format'] as NcmpAsyncResponseStep['format'];
    const own = FORMAT_FIELDS[format];
    if (own === undefined) return [];
    const formats = Object.keys(FORMAT_FIELDS) as NcmpAsyncResponseStep['format'][];
    problems.push(...unusedFields(body, own, `the ${format} format`, (field) => formats.filter((f) => FORMAT_FIELDS[f].includes(field))));
    if (format === 'data-operation' && body['responses'] === undefined) {
      problems.push({ path: ['responses'], expected: 'a non-empty list of responses (the data-operation format needs it)', found: 'nothing' });
    }
    if (format === 'data-operation' && body['origin'] === 'ncmp' && body['dmiKey'] !== undefined) {
      problems.push({ path: ['dmiKey'], expected: 'no dmiKey with origin ncmp (no DMI record is published)', found: String(body['dmiKey']) });
    }
    if (format === 'data-operation' && body['origin'] === 'ncmp' && body['internal'] !== undefined) {
      problems.push({
        path: ['internal'],
        expected: 'no internal with origin ncmp (NCMP publishes its own errors on the client topic only)',
        found: String(body['internal']),
      });
    }
  }
  return problems;
}

/** How many LCM events a trigger publishes (deregister two; a property update none, as CPS, unless the non-CPS opt-in). */
function lcmEventCount(trigger: CmHandleTriggerName, nonCpsLcmEvent: boolean): number {
  if (trigger === 'deregister') return 2;
  if (trigger === 'update-properties') return nonCpsLcmEvent ? 1 : 0;
  return 1;
}

/** One problem `validateNcmpSteps` found. */
export interface NcmpStepProblem {
  /** Index of the step in the list given. */
  readonly index: number;
  readonly code: NsoMockErrorCode;
  readonly message: string;
  /** For state-machine rejections. */
  readonly rejection?: CmHandleRejection;
}

/**
 * Turns a cm-handle step into a state-machine trigger.
 * @throws NcmpError `NSOMOCK_USAGE` when a field the trigger needs is missing.
 */
export function cmHandleTriggerOf(step: NcmpCmHandleStep): CmHandleTrigger {
  const missing = (field: string): never => {
    throw new NcmpError('NSOMOCK_USAGE', `Failed to read ncmp-cm-handle step: trigger ${step.trigger} needs ${field} (${step.cmHandleId})`, {
      cmHandleId: step.cmHandleId,
      trigger: step.trigger,
    });
  };
  const defined = <T extends object>(o: T): T => {
    for (const k of Object.keys(o)) if ((o as Record<string, unknown>)[k] === undefined) delete (o as Record<string, unknown>)[k];
    return o;
  };
  switch (step.trigger) {
    case 'register':
      return defined({
        trigger: 'register',
        alternateId: step.alternateId,
        moduleSetTag: step.moduleSetTag,
        dataProducerIdentifier: step.dataProducerIdentifier,
        properties: step.properties,
      }) as CmHandleTrigger;
    case 'module-sync-succeeded':
      if (step.dataSyncEnabled === true) {
        throw new NcmpError(
          'NSOMOCK_USAGE',
          `Failed to read ncmp-cm-handle step: dataSyncEnabled true on module-sync-succeeded; CPS's state handler starts every READY handle with data sync off (${step.cmHandleId})`,
          { cmHandleId: step.cmHandleId, trigger: step.trigger },
        );
      }
      return { trigger: 'module-sync-succeeded' };
    case 'upgrade':
      return step.moduleSetTag === undefined ? { trigger: 'upgrade' } : { trigger: 'upgrade', moduleSetTag: step.moduleSetTag };
    case 'set-data-producer-identifier':
      return { trigger: 'set-data-producer-identifier', dataProducerIdentifier: step.dataProducerIdentifier ?? missing('dataProducerIdentifier') };
    case 'update-properties': {
      const properties = step.properties ?? missing('properties');
      return step.nonCpsLcmEvent === true ? { trigger: 'update-properties', properties, nonCpsLcmEvent: true } : { trigger: 'update-properties', properties };
    }
    default:
      return { trigger: step.trigger };
  }
}

function shapeProblems(kind: string, schema: NcmpJsonSchema, value: unknown): string[] {
  const validate = compileNcmpJsonSchema(schema);
  if (!validate(value)) {
    return (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'}`);
  }
  return ncmpStepProblems(kind, value)
    .slice(0, 3)
    .map((p) => `/${p.path.join('/')} expected ${p.expected}, found ${p.found}`);
}

/** Options of {@link validateNcmpSteps}. */
export interface ValidateNcmpStepsOptions {
  /**
   * Check each step body against its JSON Schema first (default true). The scenario loader has
   * already done that with positions, and passes false.
   */
  readonly checkShapes?: boolean;
}

/**
 * Checks every NCMP step of a scenario step list (other steps are skipped, indexes are positions in
 * `steps`): shapes against the step schemas, then the cm-handle state machine from an empty
 * inventory, so impossible transitions are found before the scenario runs. Returns every problem.
 * @example
 *   validateNcmpSteps([{ 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'module-sync-succeeded' } }])
 *   // [{ index: 0, code: 'NSOMOCK_NCMP_INVALID_TRANSITION', ... 'not registered' }]
 */
export function validateNcmpSteps(steps: readonly unknown[], initial?: ReadonlyMap<string, CmHandle>, options: ValidateNcmpStepsOptions = {}): NcmpStepProblem[] {
  const checkShapes = options.checkShapes ?? true;
  const problems: NcmpStepProblem[] = [];
  const inventory = new Map<string, CmHandle>(initial ?? []);
  steps.forEach((entry, index) => {
    if (entry === null || typeof entry !== 'object') return;
    const record = entry as Record<string, unknown>;
    if (Object.hasOwn(record, NCMP_STEP_KEYS.cmHandle)) {
      const step = record[NCMP_STEP_KEYS.cmHandle];
      const shape = checkShapes ? shapeProblems(NCMP_STEP_KEYS.cmHandle, ncmpCmHandleStepSchema, step) : [];
      if (shape.length > 0) {
        problems.push({ index, code: 'NSOMOCK_USAGE', message: `Failed to read ncmp-cm-handle step: ${shape.join('; ')} (step ${index})` });
        return;
      }
      const s = step as NcmpCmHandleStep;
      let trigger: CmHandleTrigger;
      try {
        trigger = cmHandleTriggerOf(s);
      } catch (e) {
        problems.push({ index, code: 'NSOMOCK_USAGE', message: `${(e as Error).message.replace(/\)$/, '')}, step ${index})` });
        return;
      }
      const result = applyCmHandleTrigger(inventory.get(s.cmHandleId), s.cmHandleId, trigger);
      if (!result.ok) {
        const r = result.rejection;
        problems.push({
          index,
          code: 'NSOMOCK_NCMP_INVALID_TRANSITION',
          message: `Failed to apply ${r.trigger} to cm-handle ${r.cmHandleId}: ${r.reason} (state ${r.from}, step ${index})`,
          rejection: r,
        });
        return;
      }
      if (s.eventIds !== undefined && s.eventIds.length > result.transitions.length) {
        problems.push({
          index,
          code: 'NSOMOCK_USAGE',
          message: `Failed to read ncmp-cm-handle step: ${s.eventIds.length} eventIds pinned but ${s.trigger} publishes ${result.transitions.length} event(s) (step ${index})`,
        });
      }
      if (result.handle === undefined) inventory.delete(s.cmHandleId);
      else inventory.set(s.cmHandleId, result.handle);
    } else if (checkShapes && Object.hasOwn(record, NCMP_STEP_KEYS.asyncResponse)) {
      const shape = shapeProblems(NCMP_STEP_KEYS.asyncResponse, ncmpAsyncResponseStepSchema, record[NCMP_STEP_KEYS.asyncResponse]);
      if (shape.length > 0) {
        problems.push({ index, code: 'NSOMOCK_USAGE', message: `Failed to read ncmp-async-response step: ${shape.join('; ')} (step ${index})` });
      }
    }
  });
  return problems;
}

/**
 * {@link validateNcmpSteps}, throwing on the first problem.
 * @throws NcmpError `NSOMOCK_NCMP_INVALID_TRANSITION` or `NSOMOCK_USAGE`, with `details.stepIndex`.
 */
export function assertValidNcmpSteps(steps: readonly unknown[]): void {
  const [first] = validateNcmpSteps(steps);
  if (first === undefined) return;
  const r = first.rejection;
  throw new NcmpError(
    first.code,
    first.message,
    r === undefined ? { stepIndex: first.index } : { stepIndex: first.index, cmHandleId: r.cmHandleId, from: r.from, trigger: r.trigger },
  );
}
