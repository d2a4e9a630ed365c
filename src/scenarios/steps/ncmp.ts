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
  ncmpStepTime,
  ncmpTransitionProblems,
  type NcmpAsyncResponseStep,
  type NcmpCmHandleStep,
  type NcmpEngine,
  type NcmpPublishOptions,
  type NcmpRecord,
  type NcmpScenarioSettings,
} from '../../ncmp/index.js';
import type { ExtensionStepContext, ExtensionStepKind, ScenarioExtension } from './extensions.js';

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

/**
 * One NCMP step kind: the loader checks the body with `src/ncmp`'s checks, playing it publishes
 * through the run's engine and logs where the records went.
 */
function ncmpStep<S>(
  kind: (typeof NCMP_STEP_KEYS)[keyof typeof NCMP_STEP_KEYS],
  description: string,
  schema: object,
  publish: (engine: NcmpEngine, step: S, options: NcmpPublishOptions) => { readonly records: readonly NcmpRecord[]; readonly what: string; readonly none?: string },
): ExtensionStepKind {
  return {
    kind,
    description,
    schema: asSchema(schema),
    check: (body) => ncmpStepProblems(kind, body),
    run(body, context): Promise<void> {
      // With a start-time the events carry the scenario's virtual time: the same bytes on every run.
      const time = ncmpStepTime(context.config as NcmpScenarioSettings | undefined, context.scenarioTimeMs);
      const { records, what, none } = publish(engineOf(context), body as S, time === undefined ? {} : { time });
      context.log(`ncmp: ${what}: ${records.length === 0 && none !== undefined ? none : describeRecords(records)}`);
      return Promise.resolve();
    },
  };
}

/** The NCMP extension. */
export const ncmpScenarioExtension: ScenarioExtension = {
  name: 'CPS-NCMP events',
  key: NCMP_SCENARIO_KEY,
  config: asSchema(ncmpSettingsSchema),
  configDescription: 'Settings of the CPS-NCMP event family (docs/ncmp.md): LCM schema version, id seed, topics, partitions, event times.',
  steps: [
    ncmpStep<NcmpCmHandleStep>(
      NCMP_STEP_KEYS.cmHandle,
      'Drives the CPS-NCMP cm-handle state machine and publishes the LCM events CPS would (docs/ncmp.md).',
      ncmpCmHandleStepSchema,
      (engine, step, options) => ({
        records: engine.cmHandle(step, options),
        what: `${step.trigger} ${step.cmHandleId}`,
        // Said in the log, so a step without records is not mistaken for a lost event.
        none: 'no LCM event (CPS publishes none for a public-property update; nonCpsLcmEvent: true opts in to one)',
      }),
    ),
    ncmpStep<NcmpAsyncResponseStep>(
      NCMP_STEP_KEYS.asyncResponse,
      'Publishes an asynchronous data-operation response the way the DMI plugin and NCMP do (docs/ncmp.md).',
      ncmpAsyncResponseStepSchema,
      (engine, step, options) => ({ records: engine.asyncResponse(step, options), what: `${step.format} response for ${step.topic}` }),
    ),
  ],
  checkSteps: (_config, steps) => ncmpTransitionProblems(steps),
};
