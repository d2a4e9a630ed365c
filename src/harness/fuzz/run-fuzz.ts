/**
 * `nso-mock fuzz`: property-based fuzzing of a client under test with fast-check. Each run plays a
 * generated scenario (arbitraries/scenario.ts `clientFuzzScenarioArbitrary`: every notification
 * type, ack-requiring events acked at once or later, slow writes and stalls, optionally a terminal
 * fault) against a fresh mock and a freshly spawned client. The property: the client acks
 * everything it must, on time (§12), and neither crashes nor hangs. On failure fast-check shrinks
 * the scenario; the minimal one is written as YAML that `nso-mock run` (or `fuzz --replay`) plays.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { isAbsolute, join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { LineCounter, parse, parseDocument, stringify } from 'yaml';
import { notificationTypes, resolveProfile, UsageError, type NotificationType, type Profile } from '../../codec/index.js';
import {
  clientFuzzScenarioArbitrary,
  type ClientFuzzScenario,
  type GeneratedFault,
  type GeneratedScenario,
} from '../../arbitraries/index.js';
import type { ScenarioDocument } from '../../scenarios/index.js';
import { ClientProcess } from '../client-process.js';
import { maskOfNames, type ConformMaskName } from '../conform/cases.js';
import { startNsoMock } from '../start-nso-mock.js';

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** The client command, with the placeholders of `conform` (`{port}`, `{mask}`, `{profile}`…). */
  readonly client: string;
  /** Generated scenarios to play (default 25). */
  readonly runs?: number;
  /** fast-check seed (default: random, and reported). */
  readonly seed?: number;
  /** Directory for the minimal failing scenario (default the working directory). */
  readonly out?: string;
  /** Layout profile (default `nso57`). */
  readonly profile?: Profile;
  /** Notification types to emit (default: every type of the profile but heartbeat, health-check, stream-event). */
  readonly types?: readonly NotificationType[];
  /** Most notifications per scenario (default 12). */
  readonly maxEvents?: number;
  /** Time the client gets for each ack, ms (default 1000). */
  readonly ackTimeoutMs?: number;
  /** Slow writes and stalls between notifications (default true). */
  readonly transportFaults?: boolean;
  /** Sometimes end with a close, garbage or a truncated frame; the client must then exit or reconnect without crashing (default false). */
  readonly terminalFaults?: boolean;
  /** Stop shrinking after this long, ms (default 60000); the smallest failure so far is kept. */
  readonly shrinkTimeLimitMs?: number;
  /** Multiplies the client's startup and exit deadlines (default 1). */
  readonly timeoutScale?: number;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Called after every run (generation and shrinking). */
  readonly onRun?: (run: FuzzRunInfo) => void;
}

/** One played scenario. */
export interface FuzzRunInfo {
  /** `generate` for the runs fast-check draws, `shrink` for the attempts to make a failure smaller. */
  readonly phase: 'generate' | 'shrink';
  readonly index: number;
  readonly ok: boolean;
  readonly steps: number;
  readonly durationMs: number;
}

/** What one played scenario gave. */
export interface FuzzOutcome {
  readonly ok: boolean;
  /** Why it failed, one line each. */
  readonly failures: readonly string[];
  readonly durationMs: number;
  /** The last lines the client wrote on stderr. */
  readonly stderrTail: readonly string[];
}

/** The minimal failing scenario. */
export interface FuzzCounterexample {
  readonly scenario: GeneratedScenario;
  readonly mask: number;
  readonly failures: readonly string[];
  readonly stderrTail: readonly string[];
  /** Where the YAML was written. */
  readonly file: string;
  readonly yaml: string;
  /** fast-check's path to the counterexample (`--seed S` plus this path replays it). */
  readonly path: string;
  /** Successful shrink steps. */
  readonly shrinks: number;
}

/** The result of a fuzz session. */
export interface FuzzResult {
  readonly passed: boolean;
  readonly seed: number;
  /** Scenarios drawn (not counting shrink attempts). */
  readonly runs: number;
  /** Shrink attempts played. */
  readonly shrinkRuns: number;
  readonly durationMs: number;
  /** Drawn scenarios per second, before any shrinking. */
  readonly runsPerSecond: number;
  readonly counterexample?: FuzzCounterexample;
}

const TERMINAL_EXIT_MS = 5_000;

class FuzzFailure extends Error {
  constructor(readonly outcome: FuzzOutcome) {
    super(outcome.failures.join('\n'));
  }
}

/** The part of a fuzz scenario one run needs. */
export interface PlayableFuzzScenario {
  readonly scenario: GeneratedScenario | ScenarioDocument;
  readonly mask: number;
  readonly maskNames: readonly string[];
  readonly terminal?: GeneratedFault;
  /** The file the scenario was read from: it is then played from the file, so failures name its lines. */
  readonly file?: string;
}

/**
 * Plays one fuzz scenario against a fresh mock and a freshly spawned client, and judges it.
 * @throws never for client behaviour (it is in the outcome); NsoMockError when the scenario is invalid.
 */
export async function runFuzzScenario(fuzz: PlayableFuzzScenario, options: FuzzOptions): Promise<FuzzOutcome> {
  const started = performance.now();
  const scale = options.timeoutScale ?? 1;
  // A replayed file without a profile loads as auto; the fuzz run forces one (the client's {profile}).
  const own = fuzz.scenario.profile;
  const profile: Profile = own !== undefined && own !== 'auto' ? resolveProfile(own) : (options.profile ?? 'nso57');
  const failures: string[] = [];
  const mock = await startNsoMock({
    tcp: { host: '127.0.0.1', port: 0 },
    profile,
    eventReplyTimeoutMs: 0,
    journalLimit: 2000,
    onUnexpectedFrame: 'ignore',
  });
  const tcp = mock.addresses.tcp ?? { host: '127.0.0.1', port: 0 };
  const client = ClientProcess.fromTemplate(
    options.client,
    { host: tcp.host, port: tcp.port, mask: fuzz.mask, mask_names: fuzz.maskNames.join(','), heartbeat: 0, health_check: 0, profile, case: 'fuzz' },
    { ...(options.env === undefined ? {} : { env: options.env }), ...(options.cwd === undefined ? {} : { cwd: options.cwd }) },
  );
  try {
    const report = await mock.play(fuzz.file ?? (fuzz.scenario as ScenarioDocument), {
      ...(fuzz.scenario.seed === undefined ? {} : { seed: fuzz.scenario.seed }),
    });
    if (report.status !== 'passed') failures.push(...report.failures);
    for (const v of report.violations) {
      const line = `violation ${v.code} on connection ${v.connectionId}: expected ${v.expected}, got ${v.actual}`;
      if (!v.wanted && !failures.some((f) => f.includes(v.code))) failures.push(line);
    }
    if (fuzz.terminal === undefined) {
      // A client that died mid-scenario left no subscriber (a probe with no recipient needs no ack);
      // its process may take a moment longer to be reaped than its socket to close.
      const gone = mock.subscribers.length === 0;
      const exit = client.exit ?? (gone ? await client.waitForExit(Math.round(1000 * scale)) : undefined);
      if (exit !== undefined) failures.unshift(exit.signal !== null ? `the client crashed (killed by ${exit.signal})` : `the client exited with code ${exit.code} during the scenario`);
      else if (gone) failures.unshift('the client closed its connection during the scenario');
    } else {
      // After a terminal fault the client must give up on the connection without crashing: exit or reconnect.
      const ms = Math.round(TERMINAL_EXIT_MS * scale);
      const firstId = mock.subscribers[0]?.id;
      const exit = await Promise.race([
        client.waitForExit(ms),
        mock.waitFor(() => mock.subscribers.some((s) => s.id !== firstId), { within: ms }).then(() => 'reconnected' as const, () => undefined),
      ]);
      if (exit === undefined) failures.push(`the client neither exited nor reconnected within ${ms} ms after the terminal fault (${fuzz.terminal.kind}): it hangs`);
      else if (exit !== 'reconnected' && exit.signal !== null) failures.push(`the client crashed (killed by ${exit.signal}) after the terminal fault (${fuzz.terminal.kind})`);
    }
  } finally {
    await client.stop();
    await mock.close();
  }
  return { ok: failures.length === 0, failures, durationMs: performance.now() - started, stderrTail: client.stderrTail.slice(-20) };
}

/**
 * The YAML of a failing scenario: a comment header saying what failed and how to replay it, then
 * the document (what `nso-mock run` loads).
 */
export function fuzzScenarioYaml(scenario: GeneratedScenario, info: { readonly seed: number; readonly client: string; readonly failures: readonly string[]; readonly path?: string; readonly mask: number }): string {
  const header = [
    `# Minimal failing scenario found by: nso-mock fuzz --seed ${info.seed}${info.path === undefined ? '' : ` (fast-check path ${info.path})`}`,
    `# Client: ${info.client}`,
    `# The client must subscribe with mask ${info.mask} ({mask}).`,
    '# What failed:',
    ...info.failures.map((f) => `#   ${f.replace(/\n/g, ' ')}`),
    '# Replay it:',
    `#   nso-mock fuzz --client ${JSON.stringify(info.client)} --replay <this file>`,
    `#   or: nso-mock run <this file> --port 0 --client ${JSON.stringify(info.client)}`,
    '',
  ].join('\n');
  return `${header}${stringify(scenario, { lineWidth: 0 })}`;
}

/**
 * Reads a scenario written by {@link fuzzScenarioYaml} (or any scenario whose first step awaits a
 * subscriber with a mask) into what {@link runFuzzScenario} plays.
 * @throws UsageError `NSOMOCK_USAGE` when the file has no `await-subscribers` mask.
 */
export async function loadFuzzScenario(file: string): Promise<PlayableFuzzScenario> {
  const scenario = parse(await readFile(file, 'utf8')) as GeneratedScenario;
  const first = scenario.steps?.find((s): s is Extract<typeof s, { 'await-subscribers': unknown }> => 'await-subscribers' in s);
  const names = first?.['await-subscribers'].mask;
  if (names === undefined) {
    throw new UsageError('NSOMOCK_USAGE', `Failed to load a fuzz scenario: ${file} has no await-subscribers step with a mask`, { details: { option: 'replay', value: file } });
  }
  // The terminal fault is the last fault after the probe would be (a close may follow garbage, a frame to cut may follow truncate-frame).
  const faults = scenario.steps.slice(-3).filter((st): st is Extract<typeof st, { fault: unknown }> => 'fault' in st && ['close', 'garbage', 'truncate-frame'].includes(st.fault.kind));
  const hasProbe = scenario.steps.some((st) => st.name?.startsWith('probe') === true);
  const terminal = hasProbe ? undefined : faults[0]?.fault;
  const mask = maskOfNames(names as ConformMaskName[]);
  const path = resolve(file);
  return terminal === undefined ? { scenario, mask, maskNames: names, file: path } : { scenario, mask, maskNames: names, terminal, file: path };
}

/**
 * Failures of a scenario played as a document name it `(document)` and the step by its path
 * (`(document): probe: … (steps[2]): …`). Once the scenario is written, they can name the file and
 * the line of that step instead, as `nso-mock run` on the file would: the lines a user opens.
 */
function locateFailures(failures: readonly string[], yaml: string, display: string): string[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter });
  return failures.map((failure) => {
    if (!failure.startsWith('(document): ')) return failure;
    const path = /\((steps(?:\[\d+\]|\.[A-Za-z-]+)*)\)/.exec(failure)?.[1];
    const segments = path?.split(/\.|\[(\d+)\]/).filter((x): x is string => x !== undefined && x !== '').map((x) => (/^\d+$/.test(x) ? Number(x) : x));
    const node = segments === undefined ? undefined : doc.getIn(segments, true);
    const offset = node !== null && typeof node === 'object' && 'range' in node ? (node.range as [number, number, number] | undefined)?.[0] : undefined;
    const where = offset === undefined ? display : `${display}:${lineCounter.linePos(offset).line}:${lineCounter.linePos(offset).col}`;
    return `${where}: ${failure.slice('(document): '.length)}`;
  });
}

function randomSeed(): number {
  return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) & 0x7fffffff;
}

/**
 * Fuzzes a client: draws `runs` scenarios, plays each, and on the first failure shrinks it and
 * writes the minimal scenario as YAML.
 * @throws UsageError `NSOMOCK_USAGE` for an unknown type in `types`.
 * @example
 *   const result = await runFuzz({ client: 'python3 client.py --port {port} --mask {mask}', runs: 50 });
 *   if (!result.passed) console.log(result.counterexample?.file, result.seed);
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const profile = options.profile ?? 'nso57';
  for (const t of options.types ?? []) {
    if (!(t in notificationTypes)) throw new UsageError('NSOMOCK_USAGE', `Failed to start fuzzing: unknown notification type ${t}`, { details: { option: 'types', value: t } });
  }
  const seed = options.seed ?? randomSeed();
  const numRuns = options.runs ?? 25;
  const ackTimeout = `${options.ackTimeoutMs ?? 1000}ms`;
  const arbitrary = clientFuzzScenarioArbitrary({
    profile,
    ackTimeout,
    ...(options.types === undefined ? {} : { types: options.types }),
    ...(options.maxEvents === undefined ? {} : { maxEvents: options.maxEvents }),
    ...(options.transportFaults === undefined ? {} : { transportFaults: options.transportFaults }),
    ...(options.terminalFaults === undefined ? {} : { terminalFaults: options.terminalFaults }),
  });
  const started = performance.now();
  let generated = 0;
  let shrinkRuns = 0;
  let firstFailureAt: number | undefined;
  let generationMs: number | undefined;
  let last: { fuzz: ClientFuzzScenario; outcome: FuzzOutcome } | undefined;
  const shrinkLimit = options.shrinkTimeLimitMs ?? 60_000;
  const property = fc.asyncProperty(arbitrary, async (fuzz) => {
    const shrinking = firstFailureAt !== undefined;
    // Past the shrink budget, accept every candidate without playing it: shrinking then stops.
    if (shrinking && performance.now() - (firstFailureAt ?? 0) > shrinkLimit) return true;
    const outcome = await runFuzzScenario(fuzz, options);
    if (shrinking) shrinkRuns += 1;
    else generated += 1;
    options.onRun?.({ phase: shrinking ? 'shrink' : 'generate', index: shrinking ? shrinkRuns : generated, ok: outcome.ok, steps: fuzz.scenario.steps.length, durationMs: outcome.durationMs });
    if (!outcome.ok) {
      if (firstFailureAt === undefined) {
        firstFailureAt = performance.now();
        generationMs = firstFailureAt - started;
      }
      last = { fuzz, outcome };
      throw new FuzzFailure(outcome);
    }
    return true;
  });
  const details = await fc.check(property, { numRuns, seed });
  const durationMs = performance.now() - started;
  const runsPerSecond = generated / ((generationMs ?? durationMs) / 1000);
  if (!details.failed || details.counterexample === null) {
    return { passed: true, seed, runs: generated, shrinkRuns, durationMs, runsPerSecond };
  }
  const [fuzz] = details.counterexample;
  // The counterexample is the last failing value fast-check saw; its outcome is the last failure recorded for it.
  const outcome = last !== undefined && last.fuzz === fuzz ? last.outcome : await runFuzzScenario(fuzz, options);
  const dir = resolve(options.out ?? '.');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `nso-mock-fuzz-${seed}.yaml`);
  const rel = relative(process.cwd(), file);
  const display = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
  const header = { seed, client: options.client, path: details.counterexamplePath ?? '', mask: fuzz.mask };
  // Each failure is one header line, so naming the file in them moves no line of the document.
  const failures = locateFailures(outcome.failures, fuzzScenarioYaml(fuzz.scenario, { ...header, failures: outcome.failures }), display);
  const yaml = fuzzScenarioYaml(fuzz.scenario, { ...header, failures });
  await writeFileAtomic(file, yaml);
  return {
    passed: false,
    seed,
    runs: generated,
    shrinkRuns,
    durationMs,
    runsPerSecond,
    counterexample: {
      scenario: fuzz.scenario,
      mask: fuzz.mask,
      failures,
      stderrTail: outcome.stderrTail,
      file,
      yaml,
      path: details.counterexamplePath ?? '',
      shrinks: details.numShrinks,
    },
  };
}
