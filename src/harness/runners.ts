/**
 * Entry points of the conformance and fuzz runners that load their implementation on first use:
 * the runners pull in fast-check, the arbitraries and the YAML library, which `serve` (which
 * imports this layer's index for `startNsoMock`) must not pay for at startup (bench/startup.bench.ts).
 */
import type { Profile } from '../codec/index.js';
import type { ConformCase } from './conform/cases.js';
import type { CaseResult, ConformReport } from './conform/report.js';
import type { ConformOptions } from './conform/run-conform.js';
import type { FuzzOptions, FuzzOutcome, FuzzResult, PlayableFuzzScenario } from './fuzz/run-fuzz.js';

/**
 * Runs the conformance catalogue against a client (see conform/run-conform.ts).
 * @throws UsageError `NSOMOCK_USAGE` when no case matches `options.cases`.
 * @example
 *   const report = await runConform({ client: 'python3 client.py --port {port} --mask {mask}' });
 */
export async function runConform(options: ConformOptions): Promise<ConformReport> {
  const { runConform: run } = await import('./conform/run-conform.js');
  return run(options);
}

/** Runs one conformance case (see conform/run-conform.ts). */
export async function runConformCase(c: ConformCase, options: ConformOptions): Promise<CaseResult> {
  const { runConformCase: run } = await import('./conform/run-conform.js');
  return run(c, options);
}

/** The cases that apply to a profile, optionally filtered by names or prefixes (`decode`, `ack.*`). */
export async function listConformCases(profile: Profile = 'nso57', filters?: readonly string[]): Promise<ConformCase[]> {
  const { selectCases } = await import('./conform/cases.js');
  return selectCases(profile, filters);
}

/**
 * Fuzzes a client with generated scenarios (see fuzz/run-fuzz.ts).
 * @throws UsageError `NSOMOCK_USAGE` for an unknown notification type.
 * @example
 *   const result = await runFuzz({ client: 'python3 client.py --port {port} --mask {mask}', runs: 50 });
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const { runFuzz: run } = await import('./fuzz/run-fuzz.js');
  return run(options);
}

/** Plays one fuzz scenario against a client and judges it (see fuzz/run-fuzz.ts). */
export async function runFuzzScenario(fuzz: PlayableFuzzScenario, options: FuzzOptions): Promise<FuzzOutcome> {
  const { runFuzzScenario: run } = await import('./fuzz/run-fuzz.js');
  return run(fuzz, options);
}

/**
 * Reads a scenario written by the fuzz runner (its first step awaits a subscriber with a mask).
 * @throws UsageError `NSOMOCK_USAGE` when the file has no such step.
 */
export async function loadFuzzScenario(file: string): Promise<PlayableFuzzScenario> {
  const { loadFuzzScenario: load } = await import('./fuzz/run-fuzz.js');
  return load(file);
}
