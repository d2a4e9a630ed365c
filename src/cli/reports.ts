/**
 * What the CLI makes of a RunReport: a readable summary (stderr), the JSON report (`--report`)
 * and JUnit XML (`--junit`) for CI systems that render test results.
 */
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../codec/index.js';
import type { WriteFileAtomicOptions } from '../harness/index.js';
import type { RunReport, StepReport } from '../scenarios/index.js';

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Options of `formatSummary`. */
export interface SummaryOptions {
  /**
   * The run was ended by the signal that stops `serve`, its normal end: the verdict reads STOPPED,
   * not ABORTED (which, for `run`, is a failure).
   */
  readonly stopped?: boolean;
}

/**
 * A few readable lines: verdict, counts, ack latencies, and every failure.
 * @example
 *   process.stderr.write(formatSummary(report));
 */
export function formatSummary(report: RunReport, options: SummaryOptions = {}): string {
  const verdict = report.status === 'passed' ? 'PASS' : report.status === 'failed' ? 'FAIL' : options.stopped === true ? 'STOPPED' : 'ABORTED';
  const lines = [`${verdict} ${report.scenario} (${seconds(report.durationMs)}, seed ${report.seed}, profile ${report.profile})`];
  const t = report.totals;
  const latencies = report.acks.flatMap((a) => (a.latencyMs === undefined ? [] : [a.latencyMs])).sort((a, b) => a - b);
  const latency =
    latencies.length === 0 ? '' : ` (latency p50 ${percentile(latencies, 50) ?? 0} ms, p95 ${percentile(latencies, 95) ?? 0} ms, max ${latencies[latencies.length - 1] ?? 0} ms)`;
  // The step a signal interrupted (and those after it) are `aborted`: counted, so the numbers add up.
  const aborted = report.steps.filter((s) => s.status === 'aborted').length;
  lines.push(`  steps: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped${aborted === 0 ? '' : `, ${aborted} aborted`} of ${t.steps}`);
  // Emitted and delivered side by side: a notification no subscriber's mask includes reaches nobody.
  const delivered = report.connections.reduce((sum, c) => sum + c.deliveredTotal, 0);
  lines.push(`  notifications: ${t.notifications} emitted, ${delivered} delivered · acks: ${t.acks}${latency} · violations: ${t.violations} · subscribers: ${report.connections.filter((c) => c.mask !== undefined).length}`);
  // MAAPI calls per connection (docs/maapi.md): `attach(17)`, a failed one with its error code.
  const maapiByConnection = new Map<number, string[]>();
  for (const call of report.maapi ?? []) {
    const calls = maapiByConnection.get(call.connectionId) ?? [];
    calls.push(`${call.op}${call.th === undefined ? '' : `(${call.th})`}${call.ok ? '' : ` !error ${call.code ?? '?'}`}`);
    maapiByConnection.set(call.connectionId, calls);
  }
  for (const [id, calls] of maapiByConnection) lines.push(`  maapi connection ${id}: ${calls.join(', ')}`);
  if (t.notSent > 0) {
    const byProfile = report.notSent.filter((n) => n.reason === 'profile').length;
    lines.push(`  not sent: ${t.notSent} (a connection's profile lacks the type or variant${byProfile < report.notSent.length ? '; or encoding failed' : ''}), first: ${report.notSent[0]?.message ?? ''}`);
  }
  for (const failure of report.failures) lines.push(`  ✗ ${failure}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the JSON report (pretty, with a trailing newline), creating the directory.
 * @example
 *   await writeJsonReport('reports/run.json', report);
 */
export async function writeJsonReport(path: string, report: RunReport, options?: WriteFileAtomicOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeAtomic(path, `${JSON.stringify(report, null, 2)}\n`, options);
}

/**
 * The harness's all-or-nothing writer (a temporary file renamed over the target): a full disk
 * leaves the previous report or none, never half of one. Loaded when a report is written, so the
 * CLI's start does not load the harness.
 */
export async function writeAtomic(path: string, text: string, options?: WriteFileAtomicOptions): Promise<void> {
  const { writeFileAtomic } = await import('../harness/index.js');
  await writeFileAtomic(path, text, options);
}

function xml(text: string): string {
  // XML 1.0 cannot hold most control characters at all; replace them rather than emit invalid XML.
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function testcase(step: StepReport, suite: string): string {
  const name = `${step.path} ${step.kind}${step.name === undefined ? '' : `: ${step.name}`}`;
  const head = `    <testcase classname="${xml(suite)}" name="${xml(name)}" file="${xml(step.file)}" line="${step.line}" time="${(step.durationMs / 1000).toFixed(3)}"`;
  switch (step.status) {
    case 'passed':
      return `${head}/>`;
    case 'skipped':
      return `${head}>\n      <skipped/>\n    </testcase>`;
    case 'aborted':
      return `${head}>\n      <skipped message="aborted"/>\n    </testcase>`;
    case 'failed': {
      const message = step.error ?? 'failed';
      return `${head}>\n      <failure message="${xml(message)}" type="expectation">${xml(`${step.file}:${step.line}:${step.column}: ${message}`)}</failure>\n    </testcase>`;
    }
  }
}

/**
 * JUnit XML: one test suite per scenario, one test case per top-level step, plus an `end of run`
 * case that fails on violations and acks still owed (failures no step owns).
 * @example
 *   await writeFile('junit.xml', toJUnitXml(report));
 */
export function toJUnitXml(report: RunReport): string {
  const suite = report.scenario;
  const cases = report.steps.map((s) => testcase(s, suite));
  const stepFailures = new Set(report.steps.filter((s) => s.status === 'failed').map((s) => s.error));
  const runFailures = report.failures.filter((f) => ![...stepFailures].some((e) => e !== undefined && f.endsWith(e)));
  const endName = 'end of run: violations and acks still owed';
  cases.push(
    runFailures.length === 0
      ? `    <testcase classname="${xml(suite)}" name="${endName}" time="0.000"/>`
      : `    <testcase classname="${xml(suite)}" name="${endName}" time="0.000">\n      <failure message="${xml(runFailures[0] ?? '')}" type="run">${xml(runFailures.join('\n'))}</failure>\n    </testcase>`,
  );
  const failures = report.steps.filter((s) => s.status === 'failed').length + (runFailures.length > 0 ? 1 : 0);
  const skipped = report.steps.filter((s) => s.status === 'skipped' || s.status === 'aborted').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="nso-mock" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${(report.durationMs / 1000).toFixed(3)}" timestamp="${xml(report.startedAt)}">`,
    `    <properties>\n      <property name="seed" value="${report.seed}"/>\n      <property name="profile" value="${xml(report.profile)}"/>${
      report.file === undefined ? '' : `\n      <property name="file" value="${xml(report.file)}"/>`
    }\n    </properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * Writes the JUnit XML file, creating the directory.
 * @example
 *   await writeJUnitReport('reports/junit.xml', report);
 */
export async function writeJUnitReport(path: string, report: RunReport, options?: WriteFileAtomicOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeAtomic(path, toJUnitXml(report), options);
}

/**
 * Checks, before any work, that a report can be written at `path` (its directory is created, as
 * the writers do), so that a bad path is a usage error (exit 2) and not a failure after the run.
 * @throws UsageError `NSOMOCK_USAGE` naming the option.
 * @example
 *   await checkReportPath('reports/run.json', 'report');
 */
export async function checkReportPath(path: string, option: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await access(dirname(path), constants.W_OK);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory() === true) throw new Error('it is a directory');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError('NSOMOCK_USAGE', `Failed to prepare the --${option} file: ${reason} (${path})`, { cause: error, details: { option, value: path } });
  }
}
