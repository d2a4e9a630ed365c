/**
 * The pieces of `run --client` that need no process: its placeholders, the option checks, and how
 * a client's end becomes a failure, a report section and summary lines. The processes themselves
 * are tested end to end (test/e2e/run-client.test.ts).
 */
import { Writable } from 'node:stream';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFailure, clientPlaceholders, formatClientSummary, maskNamesOf, openClientLog, withClient, type ClientRunReport } from '../../src/cli/client-under-test.js';
import { ignoreClosedOutput } from '../../src/cli/closed-output.js';
import { checkRunClientArgs } from '../../src/cli/commands/run.js';
import { checkReportPath } from '../../src/cli/reports.js';
import { NOTIF } from '../../src/codec/index.js';
import { scenarioFromDocument, type RunReport } from '../../src/scenarios/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-client-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const report: RunReport = {
  scenario: 's',
  profile: 'nso57',
  seed: 1,
  status: 'aborted',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 10,
  steps: [],
  connections: [],
  acks: [],
  violations: [],
  pendingAcks: [],
  failures: ['expect-ack (steps[2]): connection 1 closed without sending {5,done}'],
  log: [],
  notSent: [],
  totals: { steps: 0, passed: 0, failed: 0, skipped: 0, notifications: 0, acks: 0, violations: 0, notSent: 0 },
};

function section(over: Partial<ClientRunReport>): ClientRunReport {
  return { command: 'c', exit: { code: null, signal: 'SIGTERM' }, ended: 'stopped', stderrTail: [], ...over };
}

describe('placeholders of run --client', () => {
  it('names every bit of a mask as scenarios write them', () => {
    expect(maskNamesOf(NOTIF.COMMIT_DIFF | NOTIF.AUDIT_SYNC | NOTIF.AUDIT)).toEqual(['audit', 'commit-diff', 'audit-sync']);
    expect(maskNamesOf(0)).toEqual([]);
  });

  it('takes the mask of the first await-subscribers that has one (nested too), the first stream, and the scenario name', async () => {
    const scenario = await scenarioFromDocument({
      name: 'nested',
      steps: [
        { 'await-subscribers': { count: 1 } },
        { stream: { name: 'events', history: [] } },
        { repeat: { times: 1, steps: [{ 'await-subscribers': { count: 1, mask: ['commit-diff', 'audit-sync', 'audit'] } }] } },
        { 'await-subscribers': { count: 1, mask: ['daemon'] } },
      ],
    });
    expect(clientPlaceholders(scenario, { tcp: { host: '127.0.0.1', port: 4569 }, profile: 'nso6x', accessFile: 's.key' })).toEqual({
      host: '127.0.0.1',
      port: 4569,
      unix: undefined,
      mask: NOTIF.COMMIT_DIFF | NOTIF.AUDIT_SYNC | NOTIF.AUDIT,
      mask_names: 'audit,commit-diff,audit-sync',
      heartbeat: 0,
      health_check: 0,
      stream: 'events',
      profile: 'nso6x',
      access_file: 's.key',
      case: 'nested',
    });
  });

  it('fills {heartbeat} and {health_check} with 1000 ms when the mask has those bits, else 0', async () => {
    const withBits = (mask: string[]) => scenarioFromDocument({ name: 'timers', steps: [{ 'await-subscribers': { count: 1, mask: mask as never } }] });
    const context = { tcp: { host: '127.0.0.1', port: 4569 }, profile: 'nso57' };
    expect(clientPlaceholders(await withBits(['commit-diff', 'heartbeat']), context)).toMatchObject({ heartbeat: 1000, health_check: 0 });
    expect(clientPlaceholders(await withBits(['health-check']), context)).toMatchObject({ heartbeat: 0, health_check: 1000 });
    expect(clientPlaceholders(await withBits(['heartbeat', 'health-check', 'audit']), context)).toMatchObject({ heartbeat: 1000, health_check: 1000 });
  });

  it('leaves {mask} empty for a scenario that names none, and {port} for a Unix-only mock', async () => {
    const scenario = await scenarioFromDocument({ name: 'plain', steps: [{ wait: '1ms' }] });
    expect(clientPlaceholders(scenario, { unix: '/tmp/x.sock', profile: 'nso57' })).toMatchObject({ port: undefined, unix: '/tmp/x.sock', mask: undefined, mask_names: undefined });
  });
});

describe('checkRunClientArgs', () => {
  it.each([
    [{}, undefined],
    [{ client: 'c {port}', 'client-log': 'c.log', 'client-grace': 0 }, undefined],
    [{ client: '  ' }, '--client takes one command line (with placeholders such as {port} and {mask}), got "  "'],
    [{ 'client-log': 'c.log' }, '--client-log needs --client'],
    [{ 'client-grace': 5 }, '--client-grace needs --client'],
    [{ client: 'c', 'client-grace': -1 }, '--client-grace must be a whole number of ms (0 or more), got -1'],
    [{ client: 'c', 'client-grace': 1.5 }, '--client-grace must be a whole number of ms (0 or more), got 1.5'],
    [{ client: 'c', 'client-log': '' }, '--client-log takes one file name, got ""'],
  ])('%j -> %s', (args, problem) => {
    expect(checkRunClientArgs(args)).toBe(problem);
  });
});

describe('how the client ended', () => {
  it('an exit with an error during the scenario fails the run, first, with the tail of its stderr', () => {
    const s = section({ ended: 'during-scenario', exit: { code: 3, signal: null }, stderrTail: ['line 1', '', 'line 2', 'line 3', 'Traceback: boom'] });
    expect(clientFailure(s)).toBe('the client exited with code 3 before the scenario ended; its stderr ended with: line 2 | line 3 | Traceback: boom');
    const out = withClient(report, s) as RunReport & { client: ClientRunReport };
    expect(out.status).toBe('failed');
    expect(out.failures).toEqual([clientFailure(s), ...report.failures]);
    expect(out.client).toBe(s);
    expect(formatClientSummary(s)).toBe(
      ['  client: exited during the scenario (exit code 3)', '    client stderr: line 1', '    client stderr: ', '    client stderr: line 2', '    client stderr: line 3', '    client stderr: Traceback: boom', ''].join('\n'),
    );
  });

  it('a signal during the scenario is a crash; an empty stderr is said so', () => {
    expect(clientFailure(section({ ended: 'during-scenario', exit: { code: null, signal: 'SIGSEGV' } }))).toBe(
      'the client was killed by SIGSEGV before the scenario ended (nothing on its stderr)',
    );
  });

  it('exit 0 during the scenario, a stop by the run, or a kill after the grace period do not fail it', () => {
    for (const s of [
      section({ ended: 'during-scenario', exit: { code: 0, signal: null } }),
      section({ ended: 'stopped', exit: { code: 143, signal: null }, stderrTail: ['bye'] }),
      section({ ended: 'killed', exit: { code: null, signal: 'SIGKILL' } }),
    ]) {
      expect(clientFailure(s)).toBeUndefined();
      const out = withClient(report, s);
      expect(out.status).toBe('aborted');
      expect(out.failures).toEqual(report.failures);
    }
    expect(formatClientSummary(section({ ended: 'stopped' }))).toBe('  client: stopped (SIGTERM) after the run\n');
    expect(formatClientSummary(section({ ended: 'stopped', exit: { code: 0, signal: null }, log: 'c.log' }))).toBe(
      '  client: stopped (SIGTERM) after the run (exit code 0)\n    client output: c.log\n',
    );
    expect(formatClientSummary(section({ ended: 'killed', exit: { code: null, signal: 'SIGKILL' } }))).toBe('  client: did not exit on SIGTERM, killed (SIGKILL) after the run\n');
  });
});

describe('output files checked before the run', () => {
  it('openClientLog creates the directory, and names the file it cannot open', async () => {
    const log = await openClientLog(join(dir, 'a', 'b', 'client.log'));
    await new Promise<void>((resolve) => log.end(() => resolve()));
    await expect(openClientLog('/dev/null/client.log')).rejects.toMatchObject({ code: 'NSOMOCK_USAGE', message: expect.stringMatching(/^Failed to open the client log: .*\(\/dev\/null\/client\.log\)$/) });
  });

  it('checkReportPath accepts a new file in a new directory, rejects a directory and an impossible path', async () => {
    await expect(checkReportPath(join(dir, 'r', 'report.json'), 'report')).resolves.toBeUndefined();
    await writeFile(join(dir, 'r', 'existing.json'), '{}');
    await expect(checkReportPath(join(dir, 'r', 'existing.json'), 'report')).resolves.toBeUndefined();
    await expect(checkReportPath(join(dir, 'r'), 'junit')).rejects.toMatchObject({ code: 'NSOMOCK_USAGE', message: `Failed to prepare the --junit file: it is a directory (${join(dir, 'r')})` });
    await expect(checkReportPath('/dev/null/x.json', 'report')).rejects.toMatchObject({ code: 'NSOMOCK_USAGE' });
  });
});

describe('ignoreClosedOutput', () => {
  it('swallows the errors of a reader that left, and only those', () => {
    const stream = new Writable({ write: (_c, _e, done) => done() });
    ignoreClosedOutput(stream);
    const gone = (code: string): Error => Object.assign(new Error(code), { code });
    expect(() => stream.emit('error', gone('EPIPE'))).not.toThrow();
    expect(() => stream.emit('error', gone('ERR_STREAM_DESTROYED'))).not.toThrow();
    expect(() => stream.emit('error', gone('ENOSPC'))).toThrow('ENOSPC');
  });
});
