/**
 * `nso-mock run F --client CMD` end to end: the built CLI starts the example Python client (or a
 * small shell client) itself, plays the scenario once, stops the client and exits 0/1/2.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/scenarios/index.js';
import { startCli } from './cli-process.js';
import { scaled } from '../support/time-scale.js';

const CLIENT = 'python3 examples/clients/python/nso_events_client.py --port {port} --mask {mask}';
const BUGGY = 'python3 examples/clients/python/nso_events_client_buggy.py --bug forget-diff-ack --port {port} --mask {mask}';

interface ClientSection {
  readonly command: string;
  readonly exit: { readonly code: number | null; readonly signal: string | null };
  readonly ended: string;
  readonly stderrTail: readonly string[];
  readonly log?: string;
}
type ReportWithClient = RunReport & { readonly client: ClientSection };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-run-client-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readReport(file: string): Promise<ReportWithClient> {
  return JSON.parse(await readFile(file, 'utf8')) as ReportWithClient;
}

/** Whether a process still runs (a zombie left to a non-reaping init counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') !== true;
  } catch {
    return false;
  }
}

/** The JSON lines nso-mock printed on stdout, parsed (a line that is not JSON fails the test). */
function machineLines(stdout: readonly string[]): { event: string }[] {
  return stdout.map((line) => JSON.parse(line) as { event: string });
}

describe('nso-mock run --client (built CLI)', () => {
  it('gives a 6.2 Python client (protocol 82) the 6.2 layouts with no --profile, and a 5.7 one what it can read, reporting the rest', async () => {
    const { writeFile } = await import('node:fs/promises');
    const scenario = join(dir, 'mixed.yaml');
    await writeFile(
      scenario,
      [
        'name: mixed types, per-connection profiles',
        'steps:',
        '  - await-subscribers: { count: 1, mask: [audit-network, commit-progress] }',
        '  - emit: { type: commit-progress, event: start, tid: 7, msg: validating }',
        '  - emit: { type: audit-network, usid: 42, device: pe-1 }',
        '  - emit: { type: commit-progress, event: info, phase: validate }',
        '  - wait: 300ms',
        '',
      ].join('\n'),
    );
    for (const binding of ['nso62', 'nso57'] as const) {
      const reportFile = join(dir, `mixed-${binding}.json`);
      const cli = startCli(['run', scenario, '--port', '0', '--client', `${CLIENT} --binding ${binding}`, '--report', reportFile]);
      expect(await cli.exited).toBe(0);
      const report = await readReport(reportFile);
      expect(report.profile).toBe('auto');
      const decoded = cli.stderr().split('\n').filter((l) => l.startsWith('[client] {'));
      if (binding === 'nso62') {
        expect(cli.stderr()).toContain('connection 1 subscribed (mask 268500992, profile nso62 from protocol 82)');
        // the commit progress as the 6.2.5 dict (no 19-tuple that would abort a real 6.2 client), then the audit network
        expect(decoded[0]).toContain('"progress": {"type": 1');
        expect(decoded[1]).toContain('"audit_network": {"usid": 42');
        expect(report.notSent.map((n) => n.message)).toEqual([
          expect.stringMatching(/^commit-progress not sent to connection 1: its client speaks NSO 6\.2, protocol 82 \(profile nso62\); commit-progress field phase has no slot/),
        ]);
      } else {
        expect(cli.stderr()).toContain('audit-network not sent to connection 1: its client speaks NSO 5.7, protocol 77 (profile nso57)');
        expect(report.notSent.map((n) => [n.type, n.reason])).toEqual([['audit-network', 'profile']]);
        expect(decoded.map((l) => l.includes('"progress"'))).toEqual([true, true]);
      }
      expect(report.totals.notSent).toBe(1);
    }
  });

  it('fills {heartbeat} with 1000 ms when the mask has the heartbeat bit (a C-style client needs the interval)', async () => {
    const scenario = join(dir, 'heartbeat.yaml');
    await writeFile(
      scenario,
      ['name: heartbeat in the mask', 'steps:', '  - await-subscribers: { count: 1, mask: [commit-diff, heartbeat], within: 30s }', '  - emit: { type: commit-diff, th: 5 }', '  - expect-ack: { th: 5, within: 30s }', ''].join('\n'),
    );
    const cli = startCli(['run', scenario, '--port', '0', '--client', `${CLIENT} --heartbeat {heartbeat}`]);
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toMatch(/started the client: .* --mask 8208 --heartbeat 1000/);
  });

  it('passes with the example Python client, keeps stdout to the ready and done lines, and stops the client', async () => {
    const reportFile = join(dir, 'pass.json');
    const cli = startCli(['run', 'examples/commit-diff-ack.yaml', '--port', '0', '--client', CLIENT, '--report', reportFile]);
    expect(await cli.exited).toBe(0);
    expect(machineLines(cli.stdout)).toMatchObject([{ event: 'ready' }, { event: 'done', status: 'passed', exitCode: 0 }]);
    const report = await readReport(reportFile);
    expect(report.status).toBe('passed');
    expect(report.acks).toHaveLength(7);
    expect(report.client).toMatchObject({ ended: 'stopped', exit: { signal: 'SIGTERM' } });
    expect(report.client.command).toMatch(/nso_events_client\.py --port \d+ --mask 16$/);
    // The client's decoded notifications (its stdout) are on nso-mock's stderr, prefixed.
    expect(cli.stderr()).toMatch(/^\[client\] \{"type": 16, "commit_diff": /m);
    expect(cli.stderr()).toContain('[client stderr] {"event": "subscribed", "mask": 16}');
    expect(cli.stderr()).toContain('client: stopped (SIGTERM) after the run');
  });

  it('exits 1 and names the violation when the client never acks', async () => {
    const reportFile = join(dir, 'noack.json');
    const junitFile = join(dir, 'noack.xml');
    const cli = startCli(['run', 'test/e2e/fixtures/forgotten-ack.yaml', '--port', '0', '--client', BUGGY, '--report', reportFile, '--junit', junitFile]);
    expect(await cli.exited).toBe(1);
    expect(machineLines(cli.stdout)).toMatchObject([{ event: 'ready' }, { event: 'done', status: 'failed', exitCode: 1 }]);
    const report = await readReport(reportFile);
    expect(report.violations.map((v) => v.code)).toEqual(['ack-timeout']);
    expect(report.failures).toContain('violation ack-timeout on connection 1: expected {5,done}, got no ack within 300 ms');
    expect(cli.stderr()).toContain('FAIL a client that forgets to ack');
    expect(cli.stderr()).toContain('✗ violation ack-timeout on connection 1');
    expect(await readFile(junitFile, 'utf8')).toContain('violation ack-timeout');
  });

  it('fails a client that exits with an error before the scenario ends, quoting its stderr, without waiting for the timeouts', async () => {
    const reportFile = join(dir, 'crash.json');
    const started = performance.now();
    const cli = startCli(['run', 'examples/commit-diff-ack.yaml', '--port', '0', '--client', 'echo connecting; echo "fatal: cannot decode" >&2; exit 3', '--report', reportFile]);
    expect(await cli.exited).toBe(1);
    // The scenario would wait 10 s for a subscriber; the run stops when the client dies.
    expect(performance.now() - started).toBeLessThan(scaled(8000));
    expect(machineLines(cli.stdout)).toMatchObject([{ event: 'ready' }, { event: 'done', status: 'failed', exitCode: 1 }]);
    const report = await readReport(reportFile);
    expect(report.status).toBe('failed');
    expect(report.failures[0]).toBe('the client exited with code 3 before the scenario ended; its stderr ended with: fatal: cannot decode');
    expect(report.client).toMatchObject({ ended: 'during-scenario', exit: { code: 3, signal: null }, stderrTail: ['fatal: cannot decode'] });
    expect(cli.stderr()).toContain('✗ the client exited with code 3 before the scenario ended');
    expect(cli.stderr()).toContain('    client stderr: fatal: cannot decode');
    expect(cli.stderr()).toContain('[client] connecting');
  });

  it('reports a client killed by a signal as a crash', async () => {
    const reportFile = join(dir, 'killed.json');
    const cli = startCli(['run', 'examples/commit-diff-ack.yaml', '--port', '0', '--client', 'echo about to crash >&2; kill -SEGV $$', '--report', reportFile]);
    expect(await cli.exited).toBe(1);
    const report = await readReport(reportFile);
    expect(report.failures[0]).toBe('the client was killed by SIGSEGV before the scenario ended; its stderr ended with: about to crash');
  });

  it('logs a failed client with the code NSOMOCK_HARNESS_CLIENT_FAILED (--log-format json)', async () => {
    const cli = startCli(['run', 'examples/commit-diff-ack.yaml', '--port', '0', '--log-format', 'json', '--client', 'exit 4']);
    expect(await cli.exited).toBe(1);
    const lines = cli.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', code: 'NSOMOCK_HARNESS_CLIENT_FAILED', exit: { code: 4, signal: null } }));
  });

  it('writes the client output to --client-log instead of stderr', async () => {
    const log = join(dir, 'logs', 'client.log');
    const cli = startCli(['run', 'examples/commit-diff-ack.yaml', '--port', '0', '--client', CLIENT, '--client-log', log]);
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).not.toContain('[client');
    expect(cli.stderr()).toContain(`client output: ${log}`);
    const text = await readFile(log, 'utf8');
    expect(text).toContain('{"event": "subscribed", "mask": 16}');
    expect(text.match(/"commit_diff"/g)).toHaveLength(7);
  });

  it('gives the Unix socket to the client through NCS_IPC_PATH and {unix}', async () => {
    const socket = join(dir, 'ipc.sock');
    const cli = startCli(['run', 'test/e2e/fixtures/unix-commit-diff.yaml', '--unix', socket, '--client', 'test "$NCS_IPC_PATH" = {unix} && exec python3 examples/clients/python/nso_events_client.py --mask "$NSO_MOCK_MASK"']);
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toContain('PASS one acked commit over the Unix socket');
    expect(existsSync(socket)).toBe(false);
  });

  it('kills a client that ignores SIGTERM after --client-grace', async () => {
    const pidFile = join(dir, 'stubborn.pid');
    const reportFile = join(dir, 'stubborn.json');
    const cli = startCli(['run', 'test/e2e/fixtures/short-wait.yaml', '--port', '0', '--client', `echo $$ > ${pidFile}; trap '' TERM; sleep 30`, '--client-grace', '100', '--report', reportFile]);
    expect(await cli.exited).toBe(0);
    const report = await readReport(reportFile);
    expect(report.client).toMatchObject({ ended: 'killed', exit: { signal: 'SIGKILL' } });
    expect(cli.stderr()).toContain('the client did not exit within 100 ms of SIGTERM: killed it');
    expect(alive(Number(await readFile(pidFile, 'utf8')))).toBe(false);
  });

  it('stops the client when nso-mock itself is stopped by SIGTERM (exit 1: aborted)', async () => {
    const pidFile = join(dir, 'sleeper.pid');
    const cli = startCli(['run', 'examples/commit-diff-ack.yaml', '--port', '0', '--client', `echo $$ > ${pidFile}; exec sleep 30`]);
    await cli.ready;
    await expect.poll(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n')).toBe(true);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(1);
    expect(machineLines(cli.stdout)).toMatchObject([{ event: 'ready' }, { event: 'done', status: 'aborted', exitCode: 1 }]);
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('exits 2 before the ready line for bad client options', async () => {
    const noClient = startCli(['run', 'examples/commit-diff-ack.yaml', '--client-log', join(dir, 'x.log')]);
    expect(await noClient.exited).toBe(2);
    expect(noClient.stderr()).toContain('--client-log needs --client');
    const badLog = startCli(['run', 'examples/commit-diff-ack.yaml', '--port', '0', '--client', 'true', '--client-log', '/dev/null/client.log']);
    expect(await badLog.exited).toBe(2);
    expect(badLog.stdout).toEqual([]);
    expect(badLog.stderr()).toMatch(/nso-mock: error: Failed to open the client log: .* \(\/dev\/null\/client\.log\)/);
    expect(badLog.stderr()).not.toMatch(/\n\s+at /);
  });
});
