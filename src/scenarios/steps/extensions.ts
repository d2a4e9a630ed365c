/**
 * The extension point for step kinds that live outside the NSO notification core (the NCMP event
 * family of `src/ncmp`: `ncmp-cm-handle`, `ncmp-async-response`).
 *
 * A definition brings the JSON Schema of its body (a TypeBox schema), optional semantic checks and
 * the code that plays it. Adding one here adds it to the generated `scenario.schema.json` (rebuild
 * it with `npx vitest run test/scenarios/schema.test.ts -u`… see docs/scenario-format.md), to the
 * loader's dispatch and to the scheduler.
 *
 * To plug NCMP in: `import { ncmpStepKinds } from '../../ncmp/index.js'` and spread it into
 * {@link extensionStepKinds}. Nothing else in the scenarios layer changes.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Clock } from '../clock.js';

/** What an extension step may use while it plays. */
export interface ExtensionStepContext {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** The run's seed, for reproducible random choices. */
  readonly seed: number;
  /** Writes a line to the run log. */
  log(message: string): void;
  /**
   * Services the caller of `playScenario` provided under `extensions` (for NCMP: its engine),
   * keyed by whatever the extension documents.
   */
  readonly services: Readonly<Record<string, unknown>>;
}

/** A problem an extension's semantic check found in a body: a path below the body and the words. */
export interface ExtensionProblem {
  /** Path segments below the step body (`['events', 0, 'state']`), empty for the body itself. */
  readonly path: readonly (string | number)[];
  readonly expected: string;
  readonly found: string;
}

/**
 * One extension step kind.
 * @example
 *   const ping: ExtensionStepKind = {
 *     kind: 'ping', description: 'Says hello.', schema: Type.Object({ to: Type.String() }),
 *     run: async (body, ctx) => ctx.log(`hello ${(body as { to: string }).to}`),
 *   };
 */
export interface ExtensionStepKind {
  /** The step key, kebab-case and prefixed by its family (`ncmp-cm-handle`). */
  readonly kind: string;
  readonly description: string;
  /** The JSON Schema of the body (validated before `check` and `run` see it). */
  readonly schema: TSchema;
  /** Semantic checks beyond the schema. */
  check?(body: unknown): readonly ExtensionProblem[];
  /** Plays the step; throw (any error) to fail it. The scheduler records the time it took. */
  run(body: unknown, context: ExtensionStepContext): Promise<void>;
}

/** The registered extension step kinds (none yet; see the header comment). */
export const extensionStepKinds: readonly ExtensionStepKind[] = [];
