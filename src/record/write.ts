/**
 * Turns a {@link Recording} into scenario YAML that validates and replays byte for byte, and
 * writes it atomically.
 *
 * Every `emit` is checked through the real scenario loader (the YAML text is parsed and compiled
 * as `nso-mock run` would) and then normalised and encoded as the server does: an emit whose
 * frame would differ from what the upstream sent, or that the loader refuses, becomes `emit-raw`
 * with the exact bytes. Each connection's frames are checked against the profile its client gets
 * on replay: by default (`auto`) the profile of its own connect header's protocol version, as the
 * replaying mock picks it, and the scenario names no profile; a profile asked for is forced on
 * every connection and written into the scenario.
 */
import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import type { Profile } from '../codec/index.js';
import { formatProblem, parseScenario, ScenarioError, type Scenario } from '../scenarios/index.js';
import { checkEmits, type BuildOptions, type BuiltRecording, type Recording } from './recording.js';

/** Options of {@link renderRecording}. */
export interface RenderOptions extends Omit<BuildOptions, 'profile' | 'forceRaw'> {
  /** The profile to force on every connection (written into the scenario); default: `auto`, per connection. */
  readonly profile?: Profile;
  /** Where the file will be (for the loader's messages and relative paths). */
  readonly file: string;
}

/** A rendered recording. */
export interface RenderedRecording {
  readonly text: string;
  readonly built: BuiltRecording;
  /** The forced profile, or `auto` (none written: each connection its client's). */
  readonly profile: Profile | 'auto';
  /** Problems the loader found in the final text (only possible through `--redact` making a value invalid). */
  readonly problems: readonly string[];
}

/** Steps that may be written in flow style (one line each). */
const FLOW_BODIES = new Set(['await-subscribers', 'expect-ack', 'emit-raw', 'fault', 'stream']);

/**
 * The YAML text of a built recording: the header as the file's first comment, each step's
 * comment above it, short bodies on one line.
 * @example toYaml(recording.build({ name: 'x', profile: 'nso57', endedAt: Date.now() }))
 */
export function toYaml(built: BuiltRecording): string {
  const doc = new Document(built.document);
  doc.commentBefore = built.header.map((l) => ` ${l}`).join('\n');
  const steps = doc.get('steps', true);
  if (isSeq(steps)) {
    steps.items.forEach((item, i) => {
      if (!isMap(item)) return;
      const text = built.stepComments.get(i);
      if (text !== undefined) item.commentBefore = text.split('\n').map((l) => ` ${l}`).join('\n');
      for (const pair of (item as YAMLMap).items) {
        const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
        if (FLOW_BODIES.has(key) && (isMap(pair.value) || isSeq(pair.value))) pair.value.flow = true;
      }
    });
  }
  return doc.toString({ lineWidth: 0 });
}

/** The step indexes a loader error names (`steps[4].emit.x` → 4). */
function stepsNamedBy(error: unknown): number[] {
  if (!(error instanceof ScenarioError)) return [];
  return error.details.problems.flatMap((p) => {
    const m = /^steps\[(\d+)\]/.exec(p.path);
    return m === null ? [] : [Number(m[1])];
  });
}

async function load(text: string, file: string): Promise<{ scenario?: Scenario; error?: unknown }> {
  try {
    return { scenario: await parseScenario(text, { file }) };
  } catch (error) {
    return { error };
  }
}

/** The events that must be raw (the loader refuses their emit, or the mock would send some recipient other bytes, or send it to one more). */
async function rawEvents(recording: Recording, options: RenderOptions): Promise<Set<number>> {
  const forceRaw = new Set<number>();
  // Each round can only add events (of a finite set), so this ends; usually the second round
  // confirms the first. A group made raw can part a later broadcast from it, hence no fixed count.
  for (;;) {
    const built = recording.build({ ...options, redact: [], forceRaw });
    const { scenario, error } = await load(toYaml(built), options.file);
    const before = forceRaw.size;
    if (scenario === undefined) {
      const named = stepsNamedBy(error);
      const events = named.flatMap((i) => {
        const frames = built.emitted.get(i) ?? built.streamHistory.get(i) ?? [];
        return frames.map((f) => f.event);
      });
      if (events.length === 0) throw error;
      for (const e of events) forceRaw.add(e);
    } else {
      for (const e of checkEmits(built, scenario.steps as never)) forceRaw.add(e);
    }
    if (forceRaw.size === before) return forceRaw;
  }
}

/**
 * Builds, checks and renders a recording.
 * @throws the loader's ScenarioError only if the recorder itself wrote something the loader refuses outside any emit (a bug).
 * @example
 *   const { text } = await renderRecording(recorder.recording, { name: 'incident', file: 'out.yaml', endedAt: Date.now() });
 */
export async function renderRecording(recording: Recording, options: RenderOptions): Promise<RenderedRecording> {
  const forceRaw = await rawEvents(recording, options);
  const built = recording.build({ ...options, forceRaw });
  const text = toYaml(built);
  const { error } = await load(text, options.file);
  const problems =
    error === undefined
      ? []
      : error instanceof ScenarioError
        ? error.details.problems.map((p) => formatProblem(p))
        : [(error as Error).message];
  return { text, built, profile: options.profile ?? 'auto', problems };
}

