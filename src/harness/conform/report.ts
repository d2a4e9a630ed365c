/**
 * The conformance report and its four renderings: a console table, JSON, JUnit XML (for CI test
 * tabs) and a self-contained HTML page (no external assets, so it can be attached to a build).
 */
import type { OutputMismatch } from './compare.js';

/**
 * A case's verdict: `pass`; `fail` (a must of the protocol was broken: a missing or wrong ack, a
 * crash, a hang, wrong decoded output); `non-strict` (every must held, but a should did not: no
 * heartbeat watchdog, an error exit where a clean one was expected); `not-judged` (nothing failed,
 * but the runner could not check the decoding: the client printed no decoded dict it could find —
 * see `dictPath`; a run with such cases fails unless they are explicitly allowed); `skipped` (the
 * case does not apply: another profile, a precondition the runner could not set up).
 */
export type Verdict = 'pass' | 'fail' | 'non-strict' | 'not-judged' | 'skipped';

/** Every verdict, in report order. */
export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'non-strict', 'not-judged', 'skipped'];

/** What became of the client process during one case. */
export interface ClientOutcome {
  /** The command line that was run (placeholders filled). */
  readonly command: string;
  /** Exit code, or null when it was killed by a signal or still ran at the end (and was stopped). */
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Whether the runner had to stop it at the end of the case. */
  readonly stoppedByRunner: boolean;
  /** The last lines of its stderr. */
  readonly stderrTail: readonly string[];
  /** Lines it printed on stdout. */
  readonly stdoutLines: number;
}

/** The result of one case. */
export interface CaseResult {
  /** `decode.commit-diff`, `ack.audit-sync`… */
  readonly name: string;
  readonly title: string;
  /** The PROTOCOL.md sections the case checks (`§12.1`). */
  readonly sections: readonly string[];
  readonly verdict: Verdict;
  /** Why it failed or is non-strict (empty for a pass). */
  readonly reasons: readonly string[];
  /** Neutral observations (what was sent, how long the ack took). */
  readonly notes: readonly string[];
  readonly durationMs: number;
  /** The last journal entries of the client's connection(s), one line each. */
  readonly journal: readonly string[];
  readonly client: ClientOutcome | undefined;
  /** The decoded-output comparison, when the client printed JSON lines. */
  readonly output?: { readonly compared: number; readonly mismatches: readonly OutputMismatch[] };
}

/** The result of a whole `conform` run. */
export interface ConformReport {
  /** The client command template as given. */
  readonly client: string;
  readonly profile: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly cases: readonly CaseResult[];
  readonly summary: Readonly<Record<Verdict, number>>;
}

/** Counts verdicts. */
export function summarize(cases: readonly CaseResult[]): Record<Verdict, number> {
  const out: Record<Verdict, number> = { pass: 0, fail: 0, 'non-strict': 0, 'not-judged': 0, skipped: 0 };
  for (const c of cases) out[c.verdict] += 1;
  return out;
}

/** Options of {@link reportPassed}. */
export interface ReportPassedOptions {
  /** Let cases that could not be judged pass the run (`conform --allow-not-judged`). Default false. */
  readonly allowNotJudged?: boolean;
}

/**
 * Whether the run passed: no case failed and — unless `allowNotJudged` — none was left unjudged
 * (a run that compared nothing must not look green). Non-strict and skipped cases do not fail a run.
 */
export function reportPassed(report: ConformReport, options: ReportPassedOptions = {}): boolean {
  return report.summary.fail === 0 && (options.allowNotJudged === true || (report.summary['not-judged'] ?? 0) === 0);
}

/**
 * The verdict line: `46 cases: 3 passed, 0 failed, 0 non-strict, 0 skipped; 43 of 46 not judged`.
 * @example
 *   formatVerdictLine(report) // => '46 cases: 46 passed, 0 failed, 0 non-strict, 0 skipped'
 */
export function formatVerdictLine(report: ConformReport): string {
  const s = report.summary;
  const notJudged = s['not-judged'] ?? 0;
  return `${report.cases.length} cases: ${s.pass} passed, ${s.fail} failed, ${s['non-strict']} non-strict, ${s.skipped} skipped${
    notJudged === 0 ? '' : `; ${notJudged} of ${report.cases.length} not judged (no decoded output found: is the dict under a key? --dict-path)`
  }`;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

const MARK: Readonly<Record<Verdict, string>> = { pass: 'PASS', fail: 'FAIL', 'non-strict': 'NON-STRICT', 'not-judged': 'NOT JUDGED', skipped: 'SKIP' };

/**
 * The console rendering: one line per case, then the details of every case that did not pass,
 * then a summary line.
 * @example
 *   process.stdout.write(formatConsoleReport(report));
 */
export function formatConsoleReport(report: ConformReport, options: { readonly verbose?: boolean } = {}): string {
  const nameWidth = Math.max(4, ...report.cases.map((c) => c.name.length));
  const lines: string[] = [`nso-mock conform — ${report.client} (profile ${report.profile})`, ''];
  lines.push(`${'case'.padEnd(nameWidth)}  ${'verdict'.padEnd(10)}  ${'ms'.padStart(6)}  reason`);
  lines.push(`${'-'.repeat(nameWidth)}  ${'-'.repeat(10)}  ${'-'.repeat(6)}  ${'-'.repeat(40)}`);
  for (const c of report.cases) {
    lines.push(`${c.name.padEnd(nameWidth)}  ${MARK[c.verdict].padEnd(10)}  ${String(Math.round(c.durationMs)).padStart(6)}  ${truncate(c.reasons[0] ?? '', 100)}`);
  }
  const detailed = report.cases.filter((c) => options.verbose === true || c.verdict === 'fail' || c.verdict === 'non-strict' || c.verdict === 'not-judged');
  for (const c of detailed) {
    lines.push('', `── ${c.name} (${c.sections.join(', ')}): ${MARK[c.verdict]} — ${c.title}`);
    for (const r of c.reasons) lines.push(`   reason: ${r}`);
    for (const n of c.notes) lines.push(`   note:   ${n}`);
    for (const m of c.output?.mismatches.slice(0, 10) ?? []) lines.push(`   output: #${m.index} ${m.path || '(line)'}: expected ${m.expected}, got ${m.actual}`);
    if (c.client !== undefined) {
      lines.push(`   client: ${c.client.command}`);
      lines.push(`           exit ${c.client.exitCode ?? '-'}${c.client.signal === null ? '' : ` signal ${c.client.signal}`}${c.client.stoppedByRunner ? ' (stopped by the runner)' : ''}`);
      for (const s of c.client.stderrTail.slice(-5)) lines.push(`   stderr: ${truncate(s, 160)}`);
    }
    if (c.journal.length > 0) {
      lines.push('   journal:');
      for (const j of c.journal) lines.push(`     ${truncate(j, 160)}`);
    }
  }
  lines.push('', `${formatVerdictLine(report)} in ${(report.durationMs / 1000).toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}

/** The JSON rendering (bigints as decimal strings). */
export function formatJsonReport(report: ConformReport): string {
  return `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}

function xml(text: string): string {
  // XML 1.0 cannot hold most control characters even escaped; replace them.
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function caseDetails(c: CaseResult): string {
  const parts = [
    ...c.reasons.map((r) => `reason: ${r}`),
    ...c.notes.map((n) => `note: ${n}`),
    ...(c.output?.mismatches ?? []).map((m) => `output #${m.index} ${m.path || '(line)'}: expected ${m.expected}, got ${m.actual}`),
    ...(c.client === undefined ? [] : [`client: ${c.client.command} (exit ${c.client.exitCode ?? '-'}, signal ${c.client.signal ?? '-'})`, ...c.client.stderrTail.map((s) => `stderr: ${s}`)]),
    ...(c.journal.length > 0 ? ['journal:', ...c.journal.map((j) => `  ${j}`)] : []),
  ];
  return parts.join('\n');
}

/**
 * The JUnit XML rendering: one `<testcase>` per case, classname `nso-mock.conform.<group>`.
 * `fail` is a `<failure>`, `skipped` and `not-judged` a `<skipped>`, `non-strict` a passing case with a
 * `verdict` property and the reasons in `<system-out>` (JUnit has no "warning").
 */
export function formatJUnitReport(report: ConformReport): string {
  const s = report.summary;
  const time = (ms: number): string => (ms / 1000).toFixed(3);
  const cases = report.cases.map((c) => {
    const group = c.name.split('.')[0] ?? c.name;
    const head = `    <testcase classname="nso-mock.conform.${xml(group)}" name="${xml(c.name)}" time="${time(c.durationMs)}">`;
    const body: string[] = [`      <properties><property name="verdict" value="${c.verdict}"/><property name="sections" value="${xml(c.sections.join(' '))}"/></properties>`];
    if (c.verdict === 'fail') body.push(`      <failure message="${xml(c.reasons[0] ?? 'failed')}" type="${xml(c.name)}">${xml(caseDetails(c))}</failure>`);
    if (c.verdict === 'skipped') body.push(`      <skipped message="${xml(c.reasons[0] ?? 'skipped')}"/>`);
    if (c.verdict === 'not-judged') body.push(`      <skipped message="${xml(`not judged: ${c.reasons[0] ?? ''}`)}"/>`);
    if (c.verdict !== 'fail') {
      const out = caseDetails(c);
      if (out !== '') body.push(`      <system-out>${xml(out)}</system-out>`);
    }
    return [head, ...body, '    </testcase>'].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="nso-mock conform" tests="${report.cases.length}" failures="${s.fail}" skipped="${s.skipped + (s['not-judged'] ?? 0)}" time="${time(report.durationMs)}">`,
    `  <testsuite name="nso-mock conform: ${xml(report.client)}" tests="${report.cases.length}" failures="${s.fail}" errors="0" skipped="${s.skipped + (s['not-judged'] ?? 0)}" time="${time(report.durationMs)}" timestamp="${xml(report.startedAt)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Report order of the HTML page: what needs attention first. */
const ATTENTION: readonly Verdict[] = ['fail', 'not-judged', 'non-strict', 'skipped', 'pass'];

/**
 * The HTML rendering: one self-contained page (inline CSS, no scripts, no external assets). It
 * opens with the overall verdict (coloured), lists the cases that need attention first, filters by
 * verdict (radio buttons and CSS only), wraps long journal lines, and shows the client command as
 * it was run (placeholders filled) next to the template.
 */
export function formatHtmlReport(report: ConformReport, options: ReportPassedOptions = {}): string {
  const s = report.summary;
  const passed = reportPassed(report, options);
  const rank = (v: Verdict): number => ATTENTION.indexOf(v);
  const ordered = report.cases.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c.verdict) - rank(b.c.verdict) || a.i - b.i).map(({ c }) => c);
  const rows = ordered
    .map((c) => {
      const details = caseDetails(c);
      const open = c.verdict === 'fail' ? ' open' : '';
      return `<tr class="${c.verdict}"><td><code>${html(c.name)}</code></td><td>${html(c.title)}</td><td>${html(c.sections.join(', '))}</td><td class="v">${MARK[c.verdict]}</td><td class="n">${Math.round(c.durationMs)}</td><td>${
        details === '' ? '' : `<details${open}><summary>${html(c.reasons[0] ?? c.notes[0] ?? 'details')}</summary><pre>${html(details)}</pre></details>`
      }</td></tr>`;
    })
    .join('\n');
  const asRun = report.cases.find((c) => c.client !== undefined)?.client?.command;
  const filters = ['all', ...ATTENTION.filter((v) => s[v] > 0)]
    .map((v) => {
      const count = v === 'all' ? report.cases.length : s[v as Verdict];
      const label = v === 'all' ? 'all' : MARK[v as Verdict].toLowerCase();
      return `<input type="radio" name="verdict" id="show-${v}"${v === 'all' ? ' checked' : ''}><label for="show-${v}">${label} (${count})</label>`;
    })
    .join('');
  const hide = ATTENTION.map((v) => `#show-${v}:checked~table tbody tr:not(.${v})`).join(',');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>nso-mock conform: ${passed ? 'PASSED' : 'FAILED'}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
.verdict{font-size:1.6em;font-weight:bold;padding:.4em .8em;border-radius:6px;color:#fff;display:inline-block}
.verdict.passed{background:#16794a}.verdict.failed{background:#b00020}
table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th:nth-child(1){width:14em}th:nth-child(3){width:7em}th:nth-child(4){width:7em}th:nth-child(5){width:4em}
tr.pass td.v{color:#16794a}tr.fail td.v{color:#b00020;font-weight:bold}tr.non-strict td.v{color:#a66300}tr.not-judged td.v{color:#a66300;font-weight:bold}tr.skipped td.v{color:#777}
td.n{text-align:right}pre{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;background:#f6f6f6;padding:8px;max-height:30em;overflow:auto}
.summary span{margin-right:1.5em}code.cmd{white-space:pre-wrap;overflow-wrap:anywhere}
input[name=verdict]{margin-left:1em}table{margin-top:1em}${hide}{display:none}
</style></head><body>
<h1>nso-mock conform</h1>
<p class="verdict ${passed ? 'passed' : 'failed'}">${passed ? 'PASSED' : 'FAILED'} — ${html(formatVerdictLine(report))}</p>
<p>Client command, as run: <code class="cmd">${html(asRun ?? report.client)}</code><br>template: <code class="cmd">${html(report.client)}</code></p>
<p>Profile <code>${html(report.profile)}</code>, started ${html(report.startedAt)}, ${(report.durationMs / 1000).toFixed(1)} s.</p>
<p class="summary"><span>${report.cases.length} cases</span><span>${s.pass} passed</span><span>${s.fail} failed</span><span>${s['non-strict']} non-strict</span><span>${s['not-judged'] ?? 0} not judged</span><span>${s.skipped} skipped</span></p>
<span>Show:</span>${filters}
<table><thead><tr><th>case</th><th>what it checks</th><th>PROTOCOL.md</th><th>verdict</th><th>ms</th><th>details</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
