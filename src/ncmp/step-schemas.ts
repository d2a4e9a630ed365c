/**
 * The two NCMP scenario steps, as plain TypeScript types and as TypeBox (JSON Schema) objects the
 * scenario schema embeds: `{ ncmp-cm-handle: NcmpCmHandleStep }` and
 * `{ ncmp-async-response: NcmpAsyncResponseStep }`. `validateNcmpSteps` runs the cm-handle state
 * machine over a whole step list so a scenario with an impossible transition is rejected when it is
 * validated, before anything is played.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { applyCmHandleTrigger, cmHandleTriggerNames, type CmHandle, type CmHandleRejection, type CmHandleTrigger, type CmHandleTriggerName } from './cm-handle-state.js';
import { NcmpError } from './errors.js';
import type { DataOperationResponseInput } from './async-response.js';
import type { LcmSchemaVersion } from './lcm-event.js';
import type { NsoMockErrorCode } from '../codec/errors.js';

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
  /** module-sync-succeeded: the dataSyncEnabled flag the handle gets (default false). */
  readonly dataSyncEnabled?: boolean;
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
  /** `ce_source`; default `ONAP-DMI-PLUGIN` (dmi) or `NCMP` (ncmp). */
  readonly source?: string;
  /** Pins `ce_id`. */
  readonly ceId?: string;
  /** `datacontenttype`, sent as a `content-type` header only when given. */
  readonly contentType?: string;
  readonly internal?: boolean;
  readonly responses: readonly DataOperationResponseInput[];
}

/** Either async response step. */
export type NcmpAsyncResponseStep = NcmpLegacyAsyncResponseStep | NcmpDataOperationResponseStep;

/** The step keys as they appear in scenario files. */
export const NCMP_STEP_KEYS = { cmHandle: 'ncmp-cm-handle', asyncResponse: 'ncmp-async-response' } as const;

const stringMap = Type.Record(Type.String(), Type.String());
const topicName = Type.String({ pattern: '^[a-zA-Z0-9._-]{1,249}$' });

/** JSON Schema of {@link NcmpCmHandleStep}. */
export const ncmpCmHandleStepSchema: TSchema = Type.Object(
  {
    cmHandleId: Type.String({ minLength: 1 }),
    trigger: Type.Union(cmHandleTriggerNames.map((t) => Type.Literal(t))),
    alternateId: Type.Optional(Type.String()),
    moduleSetTag: Type.Optional(Type.String()),
    dataProducerIdentifier: Type.Optional(Type.String()),
    properties: Type.Optional(stringMap),
    dataSyncEnabled: Type.Optional(Type.Boolean()),
    eventIds: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 2 })),
    lcmSchemaVersion: Type.Optional(Type.Union([Type.Literal('v1'), Type.Literal('v2')])),
  },
  { additionalProperties: false, description: 'Drives the CPS-NCMP cm-handle state machine and publishes the LCM events CPS would.' },
);

const dataOperationResponseSchema = Type.Object(
  {
    operationId: Type.String(),
    ids: Type.Array(Type.String()),
    resourceIdentifier: Type.Optional(Type.String()),
    options: Type.Optional(Type.String()),
    statusCode: Type.Union([Type.String({ pattern: '^[0-9]+$' }), Type.Integer({ minimum: 0 })]),
    statusMessage: Type.Optional(Type.String()),
    result: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

/** JSON Schema of {@link NcmpAsyncResponseStep}. */
export const ncmpAsyncResponseStepSchema: TSchema = Type.Union(
  [
    Type.Object(
      {
        format: Type.Literal('legacy'),
        topic: topicName,
        requestId: Type.Optional(Type.String({ minLength: 1 })),
        status: Type.Optional(Type.String()),
        code: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
        data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        dmiEventId: Type.Optional(Type.String({ minLength: 1 })),
        eventId: Type.Optional(Type.String({ minLength: 1 })),
        source: Type.Optional(Type.String({ minLength: 1 })),
        internal: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        format: Type.Literal('data-operation'),
        topic: topicName,
        requestId: Type.Optional(Type.String({ minLength: 1 })),
        origin: Type.Optional(Type.Union([Type.Literal('dmi'), Type.Literal('ncmp')])),
        source: Type.Optional(Type.String({ minLength: 1 })),
        ceId: Type.Optional(Type.String({ minLength: 1 })),
        contentType: Type.Optional(Type.String({ minLength: 1 })),
        internal: Type.Optional(Type.Boolean()),
        responses: Type.Array(dataOperationResponseSchema, { minItems: 1 }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'Publishes an asynchronous data-operation response the way the DMI plugin and NCMP do.' },
);

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
      return step.dataSyncEnabled === undefined ? { trigger: 'module-sync-succeeded' } : { trigger: 'module-sync-succeeded', dataSyncEnabled: step.dataSyncEnabled };
    case 'upgrade':
      return step.moduleSetTag === undefined ? { trigger: 'upgrade' } : { trigger: 'upgrade', moduleSetTag: step.moduleSetTag };
    case 'set-data-producer-identifier':
      return { trigger: 'set-data-producer-identifier', dataProducerIdentifier: step.dataProducerIdentifier ?? missing('dataProducerIdentifier') };
    case 'update-properties':
      return { trigger: 'update-properties', properties: step.properties ?? missing('properties') };
    default:
      return { trigger: step.trigger };
  }
}

function shapeProblems(schema: TSchema, value: unknown): string[] {
  return [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.path === '' ? '/' : e.path} ${e.message}`);
}

/**
 * Checks every NCMP step of a scenario step list (other steps are skipped, indexes are positions in
 * `steps`): shapes against the step schemas, then the cm-handle state machine from an empty
 * inventory, so impossible transitions are found before the scenario runs. Returns every problem.
 * @example
 *   validateNcmpSteps([{ 'ncmp-cm-handle': { cmHandleId: 'ch-1', trigger: 'module-sync-succeeded' } }])
 *   // [{ index: 0, code: 'NSOMOCK_NCMP_INVALID_TRANSITION', ... 'not registered' }]
 */
export function validateNcmpSteps(steps: readonly unknown[], initial?: ReadonlyMap<string, CmHandle>): NcmpStepProblem[] {
  const problems: NcmpStepProblem[] = [];
  const inventory = new Map<string, CmHandle>(initial ?? []);
  steps.forEach((entry, index) => {
    if (entry === null || typeof entry !== 'object') return;
    const record = entry as Record<string, unknown>;
    if (Object.hasOwn(record, NCMP_STEP_KEYS.cmHandle)) {
      const step = record[NCMP_STEP_KEYS.cmHandle];
      const shape = shapeProblems(ncmpCmHandleStepSchema, step);
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
    } else if (Object.hasOwn(record, NCMP_STEP_KEYS.asyncResponse)) {
      const shape = shapeProblems(ncmpAsyncResponseStepSchema, record[NCMP_STEP_KEYS.asyncResponse]);
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
