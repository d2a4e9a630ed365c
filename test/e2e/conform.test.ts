/**
 * `nso-mock conform` end to end: the built CLI against the example Python client (every case
 * passes) and against its buggy variants (exactly the cases about each bug fail).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConformReport } from '../../src/harness/index.js';
import { startCli } from './cli-process.js';
import { timeoutScaleArg } from '../support/time-scale.js';

const PLACEHOLDERS =
  '--port {port} --unix {unix} --mask {mask} --heartbeat {heartbeat} --health-check {health_check} --stream {stream} --start-time {start_time} --stop-time {stop_time} --binding {profile}';
const GOOD = `python3 examples/clients/python/nso_events_client.py ${PLACEHOLDERS}`;
const buggy = (bug: string): string => `python3 examples/clients/python/nso_events_client_buggy.py --bug ${bug} ${PLACEHOLDERS}`;

async function conform(client: string, extra: readonly string[]): Promise<{ code: number; report: ConformReport; stdout: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'nso-conform-e2e-'));
  // Every run gets the one test time scale; a test's own --timeout-scale (a factor) is multiplied by it.
  const scale = extra.includes('--timeout-scale') ? [] : ['--timeout-scale', timeoutScaleArg()];
  const cli = startCli(['conform', '--client', client, '--json', join(dir, 'report.json'), ...scale, ...extra]);
  const code = await cli.exited;
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ConformReport;
  return { code, report, stdout: cli.stdout.join('\n'), dir };
}

function verdicts(report: ConformReport): Record<string, string> {
  return Object.fromEntries(report.cases.map((c) => [c.name, c.verdict]));
}

describe('nso-mock conform', () => {
  it('passes every case of the nso57 catalogue with the example client, and writes every report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nso-conform-e2e-'));
    const started = performance.now();
    const { code, report, stdout } = await conform(GOOD, ['--junit', join(dir, 'junit.xml'), '--html', join(dir, 'report.html'), '--parallel', '6']);
    const seconds = (performance.now() - started) / 1000;
    const notPassing = report.cases.filter((c) => c.verdict !== 'pass').map((c) => `${c.name}: ${c.reasons.join('; ')}`);
    expect(notPassing).toEqual([]);
    expect(code).toBe(0);
    expect(report.cases.length).toBeGreaterThanOrEqual(40);
    expect(report.summary).toMatchObject({ fail: 0, 'non-strict': 0, skipped: 0 });
    expect(stdout).toMatch(/\d+ cases: \d+ passed, 0 failed/);
    // Every decode case compared the decoded output field by field.
    for (const c of report.cases.filter((x) => x.name.startsWith('decode.'))) expect(c.output?.compared, c.name).toBeGreaterThan(0);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(report.cases.length);
    expect(junit).not.toContain('<failure');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<!DOCTYPE html>');
    expect(html).not.toMatch(/<script|<link|src="http/);
    console.info(`conform: ${report.cases.length} cases in ${seconds.toFixed(1)} s (runner ${(report.durationMs / 1000).toFixed(1)} s)`);
  });

  it('passes the NSO 6.2 cases with the example client acting as a 6.2.5 client (protocol 82, the 6.2 dict)', async () => {
    const { code, report } = await conform(GOOD, ['--profile', 'nso62', '--cases', 'nso62,decode.audit-network,decode.compaction,decode.progress,ack.audit-network-sync,decode.ha-info']);
    expect(verdicts(report)).toEqual({
      'nso62.protocol-version': 'pass',
      'nso62.layouts': 'pass',
      'decode.ha-info': 'pass',
      'decode.progress': 'pass',
      'decode.audit-network': 'pass',
      'decode.compaction': 'pass',
      'ack.audit-network-sync': 'pass',
    });
    expect(code).toBe(0);
  });

  it('nso62.protocol-version fails a client that says 77 under the nso62 catalogue, and names the fix', async () => {
    const { code, report } = await conform(GOOD.replace('{profile}', 'nso57'), ['--profile', 'nso62', '--cases', 'nso62.protocol-version']);
    expect(code).toBe(1);
    expect(report.cases[0]?.reasons[0]).toMatch(/sent protocol 77, which an automatic mock \(and NSO\) answers with the nso57 layouts; a 6\.2 client sends 82/);
  });

  it('forget-diff-ack: the commit-diff cases fail, the others pass', async () => {
    const { code, report } = await conform(buggy('forget-diff-ack'), ['--cases', 'decode.commit-diff,ack.commit-diff,decode.audit,ack.audit-sync', '--timeout-scale', timeoutScaleArg(0.5)]);
    expect(code).toBe(1);
    expect(verdicts(report)).toEqual({ 'decode.audit': 'pass', 'decode.commit-diff': 'fail', 'ack.commit-diff': 'fail', 'ack.audit-sync': 'pass' });
    const failed = report.cases.find((c) => c.name === 'ack.commit-diff');
    expect(failed?.reasons[0]).toMatch(/no \{17,done\} within \d+ ms after the commit-diff notification/);
    expect(failed?.journal.some((line) => line.includes('{16,2,'))).toBe(true);
  });

  it('wrong-th: ack.commit-diff fails and names the handle that was sent', async () => {
    const { code, report } = await conform(buggy('wrong-th'), ['--cases', 'ack.commit-diff,decode.daemon', '--timeout-scale', timeoutScaleArg(0.5)]);
    expect(code).toBe(1);
    expect(verdicts(report)).toEqual({ 'decode.daemon': 'pass', 'ack.commit-diff': 'fail' });
    const reasons = report.cases.find((c) => c.name === 'ack.commit-diff')?.reasons.join('\n');
    expect(reasons).toContain('it sent {18,done} instead');
    expect(reasons).toContain('ack-unknown-handle');
  });

  it('crash-on-unknown: decode.call-home-info fails on the crash', async () => {
    const { code, report } = await conform(buggy('crash-on-unknown'), ['--cases', 'decode.call-home-info,decode.commit-simple,decode.audit']);
    expect(code).toBe(1);
    expect(verdicts(report)).toEqual({ 'decode.audit': 'pass', 'decode.commit-simple': 'pass', 'decode.call-home-info': 'fail' });
    const c = report.cases.find((x) => x.name === 'decode.call-home-info');
    expect(c?.reasons[0]).toBe('the client exited with code 1 during the case');
    expect(c?.client?.stderrTail.join('\n')).toContain('KeyError');
  });

  it('misdecode: the syslog decode cases fail field by field', async () => {
    const { code, report } = await conform(buggy('misdecode'), ['--cases', 'decode.daemon,decode.netconf,decode.audit']);
    expect(code).toBe(1);
    expect(verdicts(report)).toEqual({ 'decode.audit': 'pass', 'decode.daemon': 'fail', 'decode.netconf': 'fail' });
    const mismatches = report.cases.find((c) => c.name === 'decode.daemon')?.output?.mismatches ?? [];
    expect(new Set(mismatches.map((m) => m.path))).toEqual(new Set(['syslog.prio', 'syslog.logno']));
  });

  it('ignore-sync: the audit and HA sync cases fail, commit diffs still pass', async () => {
    const { code, report } = await conform(buggy('ignore-sync'), ['--cases', 'ack.audit-sync,ack.ha-sync,ack.commit-diff', '--timeout-scale', timeoutScaleArg(0.5)]);
    expect(code).toBe(1);
    expect(verdicts(report)).toEqual({ 'ack.commit-diff': 'pass', 'ack.audit-sync': 'fail', 'ack.ha-sync': 'fail' });
  });

  it('no-watchdog: heartbeat.watchdog is non-strict, which does not fail the run', async () => {
    const { code, report } = await conform(buggy('no-watchdog'), ['--cases', 'heartbeat.watchdog', '--timeout-scale', timeoutScaleArg(0.6)]);
    expect(verdicts(report)).toEqual({ 'heartbeat.watchdog': 'non-strict' });
    expect(report.cases[0]?.reasons[0]).toMatch(/no heartbeat watchdog/);
    expect(code).toBe(0);
  });

  // A client that prints its own JSON shape: {"frame": …, "python_dict": {…}} (python3 keeps the
  // 64-bit integers exact while wrapping).
  const WRAPPED = `${GOOD} | python3 -u -c 'import sys, json
for line in sys.stdin: print(json.dumps({"frame": "..", "python_dict": json.loads(line)}), flush=True)'`;
  const someCases = ['--cases', 'decode.commit-diff,decode.audit,decode.daemon'];

  it('a client printing its dict under its own key: not judged (exit 1) without --dict-path, judged with it', async () => {
    const blind = await conform(WRAPPED, someCases);
    expect(verdicts(blind.report)).toEqual({ 'decode.commit-diff': 'not-judged', 'decode.audit': 'not-judged', 'decode.daemon': 'not-judged' });
    expect(blind.stdout).toMatch(/3 cases: 0 passed, 0 failed, 0 non-strict, 0 skipped; 3 of 3 not judged/);
    expect(blind.code).toBe(1);
    const allowed = await conform(WRAPPED, [...someCases, '--allow-not-judged']);
    expect(allowed.code).toBe(0);
    const judged = await conform(WRAPPED, [...someCases, '--dict-path', '/python_dict']);
    expect(verdicts(judged.report)).toEqual({ 'decode.commit-diff': 'pass', 'decode.audit': 'pass', 'decode.daemon': 'pass' });
    for (const c of judged.report.cases) expect(c.output?.compared, c.name).toBeGreaterThan(0);
    expect(judged.code).toBe(0);
  });

  it('exits 2 without a client, and lists the catalogue with --list', async () => {
    const missing = startCli(['conform']);
    expect(await missing.exited).toBe(2);
    const list = startCli(['conform', '--list', '--cases', 'ack']);
    expect(await list.exited).toBe(0);
    expect(list.stdout.filter((l) => l !== '').map((l) => l.split(' ')[0])).toEqual(['ack.commit-diff', 'ack.interleaved', 'ack.audit-sync', 'ack.ha-sync', 'ack.none-without-flag']);
  });
});
