/**
 * The extension point for event families outside the NSO notification core (the NCMP family of
 * `src/ncmp`: top-level `ncmp:` settings and the `ncmp-cm-handle` / `ncmp-async-response` steps).
 *
 * An extension brings the JSON Schemas of its settings and step bodies (TypeBox), optional checks
 * and the code that plays its steps. Registering one in {@link scenarioExtensions} adds it to the
 * generated `scenario.schema.json` (then regenerate it: `NSOMOCK_UPDATE_SCHEMA=1 npx vitest run
 * test/scenarios/schema.test.ts`), to the loader's dispatch and checks, and to the scheduler.
 *
 * Registered: NCMP (steps/ncmp.ts), MAAPI (steps/maapi.ts: `schema:` and `expect-maapi`). An extension module is loaded with the scenario engine on every
 * run, so it must stay light: heavy dependencies load inside `run` or on first use.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Clock } from '../clock.js';
import { maapiScenarioExtension } from './maapi.js';
import { ncmpScenarioExtension } from './ncmp.js';

/** What an extension step may use while it plays. */
export interface ExtensionStepContext {
  readonly clock: Clock;
  /**
   * Milliseconds since the run started on the scenario's virtual clock: the fixed durations before
   * this step (waits, `expect-no-ack`'s `for`, `stream`/`fuzz` pacing; steps that end on an event
   * count 0), so the same on every run, unlike `clock.now()`.
   */
  readonly scenarioTimeMs: number;
  readonly signal: AbortSignal;
  /** A seed for this step, derived from the run's seed and the step's path. */
  readonly seed: number;
  /** The extension's top-level settings from the scenario (undefined when absent). */
  readonly config: unknown;
  /** Writes a line to the run log. */
  log(message: string): void;
  /**
   * Services the caller of `playScenario` provided under `extensions` (for NCMP: its engine),
   * keyed as the extension documents.
   */
  readonly services: Readonly<Record<string, unknown>>;
}

/** A problem an extension's check found: a path below the step body (or settings) and the words. */
export interface ExtensionProblem {
  /** Path segments below the step body or the settings (`['events', 0, 'state']`); empty for the whole. */
  readonly path: readonly (string | number)[];
  readonly expected: string;
  readonly found: string;
}

/** One extension step kind. */
export interface ExtensionStepKind {
  /** The step key, kebab-case and prefixed by its family (`ncmp-cm-handle`). */
  readonly kind: string;
  readonly description: string;
  /** The JSON Schema of the body (validated before `check` and `run` see it). */
  readonly schema: TSchema;
  /** Checks of one body beyond the schema. */
  check?(body: unknown): readonly ExtensionProblem[];
  /** Plays the step; throw (any error) to fail it. The scheduler records the time it took. */
  run(body: unknown, context: ExtensionStepContext): Promise<void>;
}

/** A step of an extension as the scenario lists it, for whole-scenario checks. */
export interface ExtensionStepRef {
  readonly kind: string;
  readonly body: unknown;
  /** Index among the extension's steps, in execution order. */
  readonly index: number;
}

/** A problem of a whole-scenario check, attached to one of the extension's steps. */
export interface ExtensionStepProblem extends ExtensionProblem {
  /** `index` of the step it is about ({@link ExtensionStepRef.index}). */
  readonly step: number;
}

/**
 * An event family.
 * @example
 *   const ping: ScenarioExtension = {
 *     name: 'ping', key: 'ping', config: Type.Object({ to: Type.String() }), configDescription: 'Whom to ping.',
 *     steps: [{ kind: 'ping-send', description: 'Sends a ping.', schema: Type.Object({}), run: async (_b, ctx) => ctx.log('ping') }],
 *   };
 */
export interface ScenarioExtension {
  readonly name: string;
  /** The top-level key of its settings (`ncmp`), if it has settings. */
  readonly key?: string;
  /** The JSON Schema of the settings under `key`. */
  readonly config?: TSchema;
  readonly configDescription?: string;
  readonly steps: readonly ExtensionStepKind[];
  /** Checks across all of its steps in execution order (e.g. a state machine over a whole run). */
  checkSteps?(config: unknown, steps: readonly ExtensionStepRef[]): readonly ExtensionStepProblem[];
}

/** The registered extensions. */
export const scenarioExtensions: readonly ScenarioExtension[] = [ncmpScenarioExtension, maapiScenarioExtension];

/** Every extension step kind. */
export const extensionStepKinds: readonly ExtensionStepKind[] = scenarioExtensions.flatMap((e) => e.steps);

/** The extension a step kind belongs to. */
export function extensionOfStep(kind: string): ScenarioExtension | undefined {
  return scenarioExtensions.find((e) => e.steps.some((s) => s.kind === kind));
}
