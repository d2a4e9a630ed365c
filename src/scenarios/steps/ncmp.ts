/**
 * The NCMP event family as a scenario extension (steps/extensions.ts): the top-level `ncmp:`
 * settings and the `ncmp-cm-handle` / `ncmp-async-response` steps (docs/ncmp.md).
 *
 * - Schemas and checks come from `src/ncmp` (its index is light: fastify, Ajv, kafkajs and TypeBox
 *   load only when a feed starts, an event is validated or a broker is attached).
 * - The loader rejects impossible cm-handle transitions (`checkSteps` runs the state machine over
 *   the scenario's NCMP steps in execution order), positioned at the step.
 * - Playing a step needs the run's {@link NcmpEngine} among the player's extension services under
 *   `ncmp` (`playScenario(s, server, { extensions: { ncmp: engine } })`): the engine holds the
 *   cm-handle inventory and the topic logs for the whole run, and its ids derive from the run seed.
 *   `startNsoMock().play()` and the CLI create it when a scenario uses NCMP.
 */
import type { TSchema } from '@sinclair/typebox';
import {
  NCMP_SCENARIO_KEY,
  NCMP_STEP_KEYS,
  ncmpAsyncResponseStepSchema,
  ncmpCmHandleStepSchema,
  ncmpSettingsSchema,
  ncmpStepProblems,
  ncmpTransitionProblems,
  type NcmpAsyncResponseStep,
  type NcmpCmHandleStep,
  type NcmpEngine,
  type NcmpRecord,
} from '../../ncmp/index.js';
import type { ExtensionStepContext, ScenarioExtension } from './extensions.js';

/**
 * The schemas are plain JSON Schema: the scenario schema builder only embeds them (it needs none of
 * TypeBox's symbols), and building them with TypeBox would load it on every run.
 */
const asSchema = (schema: object): TSchema => schema as TSchema;

function engineOf(context: ExtensionStepContext): NcmpEngine {
  const engine = context.services[NCMP_SCENARIO_KEY] as NcmpEngine | undefined;
  if (engine === undefined || typeof engine.cmHandle !== 'function') {
    throw new Error(
      'no NCMP engine for this run: play the scenario with extensions: { ncmp: createNcmpEngine(...) } (startNsoMock().play() and the CLI do this)',
    );
  }
  return engine;
}

function describeRecords(records: readonly NcmpRecord[]): string {
  if (records.length === 0) return 'no records';
  return records.map((r) => `${r.topic}[${r.partition}]@${r.offset}`).join(', ');
}

/** The NCMP extension. */
export const ncmpScenarioExtension: ScenarioExtension = {
  name: 'CPS-NCMP events',
  key: NCMP_SCENARIO_KEY,
  config: asSchema(ncmpSettingsSchema),
  configDescription: 'Settings of the CPS-NCMP event family (docs/ncmp.md): LCM schema version, id seed, topics, partitions, event times.',
  steps: [
    {
      kind: NCMP_STEP_KEYS.cmHandle,
      description: 'Drives the CPS-NCMP cm-handle state machine and publishes the LCM events CPS would (docs/ncmp.md).',
      schema: asSchema(ncmpCmHandleStepSchema),
      check: (body) => ncmpStepProblems(NCMP_STEP_KEYS.cmHandle, body),
      run(body, context): Promise<void> {
        const step = body as NcmpCmHandleStep;
        const records = engineOf(context).cmHandle(step);
        context.log(`ncmp: ${step.trigger} ${step.cmHandleId}: ${describeRecords(records)}`);
        return Promise.resolve();
      },
    },
    {
      kind: NCMP_STEP_KEYS.asyncResponse,
      description: 'Publishes an asynchronous data-operation response the way the DMI plugin and NCMP do (docs/ncmp.md).',
      schema: asSchema(ncmpAsyncResponseStepSchema),
      check: (body) => ncmpStepProblems(NCMP_STEP_KEYS.asyncResponse, body),
      run(body, context): Promise<void> {
        const step = body as NcmpAsyncResponseStep;
        const records = engineOf(context).asyncResponse(step);
        context.log(`ncmp: ${step.format} response for ${step.topic}: ${describeRecords(records)}`);
        return Promise.resolve();
      },
    },
  ],
  checkSteps: (_config, steps) => ncmpTransitionProblems(steps),
};
