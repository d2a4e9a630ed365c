/**
 * What the scenario engine, the harness and the CLI need to play NCMP steps, kept here so they all
 * agree (and so `src/ncmp` stays independent: it knows scenarios only structurally):
 *
 * - the top-level `ncmp:` settings of a scenario file ({@link NcmpScenarioSettings}, its JSON
 *   Schema, and {@link ncmpEngineOptions} that turns settings + run seed + scenario clock into
 *   engine options);
 * - the check of the whole step list against the cm-handle state machine
 *   ({@link ncmpTransitionProblems}), worded as the loader's `expected …, found …` problems (single
 *   bodies: `ncmpStepProblems` in step-schemas.ts);
 * - {@link scenarioUsesNcmp}, so callers create an engine (and load nothing more) only when needed;
 * - {@link ncmpRunReport}, the NCMP part of a run report.
 */
import { UsageError } from '../codec/errors.js';
import { cmHandleTriggersFrom } from './cm-handle-state.js';
import type { LcmSchemaVersion } from './lcm-event.js';
import type { NcmpClock, NcmpEngine, NcmpEngineOptions } from './ncmp-engine.js';
import { recordToJson, type NcmpRecordJson } from './record.js';
import { NCMP_STEP_KEYS, validateNcmpSteps, type NcmpFieldProblem, type NcmpJsonSchema } from './step-schemas.js';

/** The top-level key of the settings in a scenario, and the key of the engine among the player's extension services. */
export const NCMP_SCENARIO_KEY = 'ncmp';

/** The `ncmp:` settings block of a scenario file (kebab-case, like the scenario's `options`). */
export interface NcmpScenarioSettings {
  /** LCM schema version of every cm-handle step (a step may override it): v1 (default, as NCMP) or v2. */
  readonly 'lcm-schema-version'?: LcmSchemaVersion;
  /** Seed of the derived ids (eventIds, requestIds, ce_ids). Default: the run's seed. */
  readonly seed?: number | string;
  /** Partitions of every topic (default 1), or per topic. */
  readonly partitions?: number | Readonly<Record<string, number>>;
  /** CPS's topic names (`LCM_EVENTS_TOPIC`, `NCMP_ASYNC_M2M_TOPIC`). */
  readonly topics?: { readonly lcm?: string; readonly 'async-m2m'?: string };
  /**
   * The scenario's virtual clock at the start of the run (ISO-8601): an NCMP step's events carry
   * start-time plus the scenario time before the step (its waits), not the host's clock, so a run
   * gives the same bytes every time. Default: the scenario clock's own time (not repeatable on a
   * wall clock).
   */
  readonly 'start-time'?: string;
  /** Zone offset of the mock "JVM" in minutes (default 0: `+0000`, `Z`). */
  readonly 'utc-offset-minutes'?: number;
  /** Spring's `__TypeId__` header on legacy events (default true, as CPS). */
  readonly 'type-id-headers'?: boolean;
  /** Validate every produced event against the corrected schemas (default true). */
  readonly validate?: boolean;
}

const TOPIC_PATTERN = '^[a-zA-Z0-9._-]{1,249}$';
const ISO_DATE_TIME = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})$';

/** JSON Schema of {@link NcmpScenarioSettings}. */
export const ncmpSettingsSchema: NcmpJsonSchema = {
  type: 'object',
  properties: {
    'lcm-schema-version': { type: 'string', enum: ['v1', 'v2'], description: 'LCM schema version: v1 (default, as NCMP) or v2.' },
    seed: { anyOf: [{ type: 'integer' }, { type: 'string', minLength: 1 }], description: 'Seed of the derived ids; default the run seed.' },
    partitions: {
      anyOf: [
        { type: 'integer', minimum: 1 },
        { type: 'object', patternProperties: { [TOPIC_PATTERN]: { type: 'integer', minimum: 1 } }, additionalProperties: false },
      ],
      description: 'Partitions of every topic (default 1), or per topic.',
    },
    topics: {
      type: 'object',
      properties: { lcm: { type: 'string', pattern: TOPIC_PATTERN }, 'async-m2m': { type: 'string', pattern: TOPIC_PATTERN } },
      additionalProperties: false,
      description: 'CPS topic names (default ncmp-events and ncmp-async-m2m).',
    },
    // The title makes the scenario loader say "an ISO-8601 date-time such as …" rather than print the pattern.
    'start-time': {
      type: 'string',
      pattern: ISO_DATE_TIME,
      title: 'iso-date-time',
      description: 'The virtual clock at the start of the run (e.g. 2024-05-01T12:00:00Z): events carry start-time plus the waits before their step, the same bytes on every run.',
    },
    'utc-offset-minutes': { type: 'integer', minimum: -1439, maximum: 1439, description: 'Zone offset of event times in minutes (default 0).' },
    'type-id-headers': { type: 'boolean', description: "Spring's __TypeId__ header on legacy events (default true)." },
    validate: { type: 'boolean', description: 'Validate produced events against the schemas (default true).' },
  },
  additionalProperties: false,
};

function parseStartTime(startTime: string): number {
  const start = Date.parse(startTime);
  if (Number.isNaN(start)) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to read ncmp settings: start-time ${JSON.stringify(startTime)} is not a date (ncmp.start-time)`, {
      details: { option: 'ncmp.start-time', value: startTime },
    });
  }
  return start;
}

/**
 * The time an NCMP step's events carry in a scenario with a `start-time`: start-time plus the
 * scenario time before the step (the extension context's `scenarioTimeMs`: the waits on the way,
 * not the host's clock). Undefined without a `start-time` (the engine's clock then gives the time).
 * @throws UsageError `NSOMOCK_USAGE` when `start-time` is not a valid date.
 * @example ncmpStepTime({ 'start-time': '2024-05-01T12:00:00Z' }, 250) // Date.UTC(2024, 4, 1, 12, 0, 0, 250)
 */
export function ncmpStepTime(settings: NcmpScenarioSettings | undefined, scenarioTimeMs: number): number | undefined {
  const startTime = settings?.['start-time'];
  return startTime === undefined ? undefined : parseStartTime(startTime) + scenarioTimeMs;
}

/** What the engine of a run derives from besides the settings. */
export interface NcmpRunContext {
  /** The run's seed (the scenario's, `--seed`, or the one the player picked). */
  readonly seed: number | string;
  /** The scenario clock. */
  readonly clock: NcmpClock;
}

/**
 * Engine options for a scenario run: its `ncmp:` settings applied to the run's seed and clock.
 * @throws UsageError `NSOMOCK_USAGE` when `start-time` is not a valid date.
 * @example
 *   createNcmpEngine(ncmpEngineOptions(scenario.extensions.ncmp, { seed: 42, clock: server.clock }))
 */
export function ncmpEngineOptions(settings: NcmpScenarioSettings | undefined, context: NcmpRunContext): NcmpEngineOptions {
  const s = settings ?? {};
  let clock: NcmpClock = context.clock;
  const startTime = s['start-time'];
  if (startTime !== undefined) {
    const start = parseStartTime(startTime);
    // Scenario steps pass their own time (ncmpStepTime: start-time + the scenario's virtual time).
    // This clock is for direct engine calls: the first is at start-time, later ones move with the
    // scenario clock (host timing included).
    let origin: number | undefined;
    clock = {
      now: (): number => {
        const t = context.clock.now();
        origin ??= t;
        return start + (t - origin);
      },
    };
  }
  const topics = s.topics;
  return {
    seed: s.seed ?? context.seed,
    clock,
    ...(s['lcm-schema-version'] === undefined ? {} : { lcmSchemaVersion: s['lcm-schema-version'] }),
    ...(s.partitions === undefined ? {} : { partitions: s.partitions }),
    ...(topics === undefined
      ? {}
      : { topics: { ...(topics.lcm === undefined ? {} : { lcm: topics.lcm }), ...(topics['async-m2m'] === undefined ? {} : { asyncM2m: topics['async-m2m'] }) } }),
    ...(s['utc-offset-minutes'] === undefined ? {} : { utcOffsetMinutes: s['utc-offset-minutes'] }),
    ...(s['type-id-headers'] === undefined ? {} : { typeIdHeaders: s['type-id-headers'] }),
    ...(s.validate === undefined ? {} : { validate: s.validate }),
  };
}

/** A compiled scenario step, structurally (the scenario engine's `Step`). */
export interface NcmpStepLike {
  readonly kind: string;
  readonly extension?: string;
  readonly steps?: readonly NcmpStepLike[];
}

/** A compiled scenario, structurally (the scenario engine's `Scenario`). */
export interface NcmpScenarioLike {
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly steps: readonly NcmpStepLike[];
}

const NCMP_KINDS: readonly string[] = Object.values(NCMP_STEP_KEYS);

/**
 * Whether a scenario has `ncmp:` settings or an NCMP step (nested ones included).
 * @example scenarioUsesNcmp(await loadScenario('examples/ncmp/async-responses.yaml')) // true
 */
export function scenarioUsesNcmp(scenario: NcmpScenarioLike): boolean {
  if (scenario.extensions[NCMP_SCENARIO_KEY] !== undefined) return true;
  const walk = (steps: readonly NcmpStepLike[]): boolean =>
    steps.some((s) => (s.kind === 'extension' && s.extension !== undefined && NCMP_KINDS.includes(s.extension)) || (s.steps !== undefined && walk(s.steps)));
  return walk(scenario.steps);
}

/** A problem of the whole step list, on the step at `step` (index in the list given). */
export interface NcmpListProblem extends NcmpFieldProblem {
  readonly step: number;
}

/**
 * Runs the cm-handle state machine over a scenario's NCMP steps in execution order, from an empty
 * inventory, and words each impossible transition as a problem of the `trigger` field. Bodies are
 * assumed schema-valid (the loader checked them); steps whose fields are incomplete are skipped
 * (`ncmpStepProblems` reports those).
 * @example
 *   ncmpTransitionProblems([{ kind: 'ncmp-cm-handle', body: { cmHandleId: 'a', trigger: 'retry' } }])
 *   // [{ step: 0, path: ['trigger'], expected: 'a trigger a accepts before it is registered (register)', found: 'retry (the cm-handle is not registered)' }]
 */
export function ncmpTransitionProblems(steps: readonly { readonly kind: string; readonly body: unknown }[]): NcmpListProblem[] {
  const problems = validateNcmpSteps(
    steps.map((s) => ({ [s.kind]: s.body })),
    undefined,
    { checkShapes: false },
  );
  return problems.flatMap((p) => {
    const r = p.rejection;
    if (p.code !== 'NSOMOCK_NCMP_INVALID_TRANSITION' || r === undefined) return [];
    const allowed = cmHandleTriggersFrom(r.from);
    const when = r.from === 'NONE' ? 'before it is registered' : `in state ${r.from}`;
    return [{ step: p.index, path: ['trigger'], expected: `a trigger ${r.cmHandleId} accepts ${when} (${allowed.join(', ') || 'none'})`, found: `${r.trigger} (${r.reason})` }];
  });
}

/** One topic in the NCMP part of a run report. */
export interface NcmpTopicReport {
  readonly topic: string;
  readonly partitions: number;
  /** Number of records. */
  readonly count: number;
  /** Every record, in log order, in the feed's JSON view. */
  readonly records: readonly NcmpRecordJson[];
}

/** The NCMP part of a run report (`report.ncmp`). */
export interface NcmpRunReport {
  /** The seed the ids were derived from. */
  readonly seed: string;
  /** The default LCM schema version of the run. */
  readonly lcmSchemaVersion: LcmSchemaVersion;
  readonly topics: readonly NcmpTopicReport[];
}

/**
 * The records of an engine, per topic, for the run report: every record, or those appended after
 * `since` (topic → log length before the run, for an engine that outlives one run). Topics without
 * records in that window are left out.
 * @example
 *   const before = new Map(engine.store.topics().map((t) => [t.topic, t.records]));
 *   const report = { ...(await playScenario(...)), ncmp: ncmpRunReport(engine, before) };
 */
export function ncmpRunReport(engine: Pick<NcmpEngine, 'store' | 'seed' | 'lcmSchemaVersion'>, since?: ReadonlyMap<string, number>): NcmpRunReport {
  return {
    seed: engine.seed,
    lcmSchemaVersion: engine.lcmSchemaVersion,
    topics: engine.store.topics().flatMap((t) => {
      const records = engine.store.log(t.topic).slice(since?.get(t.topic) ?? 0).map(recordToJson);
      return records.length === 0 ? [] : [{ topic: t.topic, partitions: t.partitions, count: records.length, records }];
    }),
  };
}
