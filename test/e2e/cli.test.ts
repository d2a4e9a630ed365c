import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NotifClient } from '../../src/client/index.js';
import { NOTIF } from '../../src/codec/index.js';
import type { RunReport } from '../../src/scenarios/index.js';
import { mainJs, repoRoot, startCli, type ReadyLine } from './cli-process.js';
import { scaled } from '../support/time-scale.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-e2e-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tcpOf(ready: ReadyLine): { host: string; port: number } {
  if (ready.tcp === null) throw new Error('no TCP address in the ready line');
  return ready.tcp;
}

/** Reads notifications until the connection closes (the CLI shut down). */
async function consume(client: NotifClient): Promise<string[]> {
  const types: string[] = [];
  for await (const n of client) types.push(n.type);
  return types;
}

describe('nso-mock run (built CLI)', () => {
  it('--profile nso6x still works, as nso66, with a deprecation warning', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = join(dir, 'log-only.yaml');
    await writeFile(file, 'name: log only\nsteps:\n  - log: hi\n');
    const cli = startCli(['run', file, '--port', '0', '--profile', 'nso6x']);
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toContain('profile nso6x is deprecated: it is an alias of nso66');
    expect(cli.stderr()).toContain('PASS log only');
    expect(cli.stderr()).toMatch(/profile nso66\)/);
  });

  it('passes over TCP with a client that acks, prints ready first and writes both reports', async () => {
    const reportFile = join(dir, 'tcp', 'report.json');
    const junitFile = join(dir, 'tcp', 'junit.xml');
    const cli = startCli(['run', 'examples/commit-diff-ack.yaml', '--port', '0', '--report', reportFile, '--junit', junitFile]);
    const ready = await cli.ready;
    expect(ready).toEqual({ event: 'ready', tcp: { host: '127.0.0.1', port: expect.any(Number) }, unix: null });
    const client = await connect(tcpOf(ready), { mask: NOTIF.COMMIT_DIFF, autoAck: true });
    const received = consume(client);
    expect(await cli.exited).toBe(0);
    expect(await received).toEqual(Array(7).fill('commit-diff'));
    expect(cli.stdout.map((l) => JSON.parse(l) as { event: string })).toMatchObject([{ event: 'ready' }, { event: 'done', status: 'passed', exitCode: 0 }]);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as RunReport;
    expect(report).toMatchObject({ scenario: 'commit-diff consumer acks every transaction', status: 'passed', seed: 42, failures: [] });
    expect(report.acks).toHaveLength(7);
    expect(report.acks.every((a) => a.result === 'matched' && typeof a.latencyMs === 'number')).toBe(true);
    const junit = await readFile(junitFile, 'utf8');
    expect(junit).toContain('<testsuite name="commit-diff consumer acks every transaction" tests="6" failures="0"');
    expect(cli.stderr()).toContain('PASS commit-diff consumer acks every transaction');
  });

  it('passes over a Unix socket', async () => {
    const path = join(dir, 'nso-ipc.sock');
    const cli = startCli(['run', 'examples/audit-sync.yaml', '--unix', path]);
    const ready = await cli.ready;
    expect(ready).toEqual({ event: 'ready', tcp: null, unix: path });
    const client = await connect({ path }, { mask: NOTIF.AUDIT | NOTIF.AUDIT_SYNC, autoAck: true });
    const received = consume(client);
    expect(await cli.exited).toBe(0);
    expect(await received).toEqual(['audit', 'audit', 'audit']);
  });

  it('exits 1 and names the violation when the client forgets an ack', async () => {
    const reportFile = join(dir, 'forgot', 'report.json');
    const cli = startCli(['run', 'test/e2e/fixtures/forgotten-ack.yaml', '--port', '0', '--report', reportFile]);
    const client = await connect(tcpOf(await cli.ready), { mask: NOTIF.COMMIT_DIFF });
    const first = await client.next();
    expect(first.notification).toMatchObject({ type: 'commit-diff', th: 5 });
    // No diffDone(5): the server gives up after event-reply-timeout and closes the connection.
    await client.closed;
    expect(await cli.exited).toBe(1);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as RunReport;
    expect(report.status).toBe('failed');
    expect(report.violations.map((v) => [v.code, v.connectionId, v.closed])).toEqual([['ack-timeout', 1, true]]);
    expect(report.steps[2]).toMatchObject({ kind: 'expect-ack', status: 'failed', error: 'connection 1 closed without sending {5,done}' });
    expect(cli.stderr()).toContain('FAIL a client that forgets to ack');
    expect(cli.stderr()).toContain('violation ack-timeout on connection 1');
  });

  it('exits 2 for an invalid scenario, with every problem positioned, and prints no ready line', async () => {
    const cli = startCli(['run', 'test/e2e/fixtures/invalid.yaml', '--port', '0']);
    expect(await cli.exited).toBe(2);
    expect(cli.stdout).toEqual([]);
    expect(cli.stderr()).toContain('test/e2e/fixtures/invalid.yaml:3:19: steps[0].emit.type: expected a notification type');
    expect(cli.stderr()).toContain('found "comit-diff" (did you mean commit-diff?)');
    expect(cli.stderr()).toContain('test/e2e/fixtures/invalid.yaml:4:11: steps[1].wait: expected a duration');
  });

  it('exits 2 for bad usage', async () => {
    const unknown = startCli(['run', 'examples/commit-diff-ack.yaml', '--prot', '0']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toContain('Unknown argument: prot (did you mean --port?)');
    const typos = startCli(['run', 'examples/commit-diff-ack.yaml', '--clinet', 'x', '--proflie', 'nso6x', '--zzzzzz']);
    expect(await typos.exited).toBe(2);
    expect(typos.stderr()).toMatch(/\nnso-mock: Unknown arguments: clinet, proflie, zzzzzz \(did you mean --client, --profile\?\)\n$/);
    const command = startCli(['srve']);
    expect(await command.exited).toBe(2);
    expect(command.stderr()).toContain('Unknown argument: srve (did you mean serve?)');
    const badPort = startCli(['serve', '--port', '70000']);
    expect(await badPort.exited).toBe(2);
    expect(badPort.stderr()).toContain('--port must be an integer from 0 to 65535, got 70000');
    const none = startCli([]);
    expect(await none.exited).toBe(2);
    expect(none.stderr()).toContain('Name a command');
  });
});

describe('nso-mock serve (built CLI)', () => {
  it('plays the demo to a subscriber and stops cleanly on SIGTERM', async () => {
    const cli = startCli(['serve', '--port', '0', '--log-format', 'json']);
    const client = await connect(tcpOf(await cli.ready), { mask: NOTIF.COMMIT_DIFF | NOTIF.AUDIT, autoAck: true });
    const [diff, audit] = await client.take(2);
    expect(diff?.notification).toMatchObject({ type: 'commit-diff', th: 1001, comment: 'demo commit' });
    expect(audit?.type).toBe('audit');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    await client.closed;
    expect(cli.stdout).toHaveLength(1);
    const logs = cli
      .stderr()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(logs[0]).toMatchObject({ level: 'info', msg: expect.stringMatching(/^listening on tcp 127\.0\.0\.1:\d+$/) });
    expect(logs.some((l) => l.msg === 'stopping (SIGTERM)')).toBe(true);
  });

  it('plays a given scenario, then keeps serving until SIGINT', async () => {
    const cli = startCli(['serve', '--scenario', 'examples/syslog.yaml', '--port', '0']);
    const client = await connect(tcpOf(await cli.ready), { mask: NOTIF.DAEMON | NOTIF.NETCONF | NOTIF.DEVEL | NOTIF.JSONRPC | NOTIF.WEBUI });
    expect((await client.take(5)).map((n) => n.type)).toEqual(['daemon', 'netconf', 'devel', 'jsonrpc', 'webui']);
    await expect.poll(() => cli.stderr()).toContain('serving until SIGINT or SIGTERM');
    expect(client.isClosed).toBe(false);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });

  it("README quick start: the example client too early exits 3; --verbose logs the client's ack of the demo commit", async () => {
    // Started before anything listens (during the build): the failure the README describes.
    const early = spawnSync('python3', ['examples/clients/python/nso_events_client.py', '--port', '1', '--mask', 'commit-diff'], { cwd: repoRoot, encoding: 'utf8' });
    expect(early.status).toBe(3);
    expect(early.stderr).toContain('Connection refused');
    const cli = startCli(['serve', '--port', '0', '--verbose']);
    const port = String(tcpOf(await cli.ready).port);
    const client = spawn('python3', ['examples/clients/python/nso_events_client.py', '--port', port, '--mask', 'commit-diff,audit,progress,daemon', '--count', '4'], { cwd: repoRoot, stdio: 'ignore' });
    const clientExit = new Promise<number | null>((resolve) => client.on('close', resolve));
    expect(await clientExit).toBe(0);
    await expect.poll(() => cli.stderr()).toMatch(/connection 1 sent \{1001,done\} \(matched, \d+ ms\)/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  }, scaled(30_000));

  it('writes the --report of a served scenario when the scenario ends, not at shutdown (docs/cli.md)', async () => {
    const file = join(dir, 'served-idle.json');
    const cli = startCli(['serve', '--scenario', 'examples/idle.yaml', '--port', '0', '--report', file]);
    await cli.ready;
    await expect.poll(() => cli.stderr()).toContain('serving until SIGINT or SIGTERM');
    const report = JSON.parse(await readFile(file, 'utf8')) as RunReport;
    expect(report).toMatchObject({ scenario: expect.stringContaining('idle'), status: 'passed' });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('says STOPPED, not ABORTED, when Ctrl-C ends the demo (its normal end), counting the interrupted step', async () => {
    const cli = startCli(['serve', '--port', '0']);
    await cli.ready;
    await expect.poll(() => cli.stderr()).toContain('demo: waiting for a subscriber');
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toMatch(/^STOPPED built-in demo \(/m);
    expect(cli.stderr()).not.toContain('ABORTED');
    expect(cli.stderr()).toMatch(/steps: 1 passed, 0 failed, 0 skipped, 2 aborted of 3/);
  });
});

describe('nso-mock validate, decode, schema (built CLI)', () => {
  it('validate: 0 for the examples, 2 with positions for a bad file', async () => {
    const good = startCli(['validate', 'examples/commit-diff-ack.yaml', 'examples/include.yaml']);
    expect(await good.exited).toBe(0);
    expect(good.stdout).toEqual(['examples/commit-diff-ack.yaml: ok', 'examples/include.yaml: ok']);
    const bad = startCli(['validate', 'examples/syslog.yaml', 'test/e2e/fixtures/invalid.yaml']);
    expect(await bad.exited).toBe(2);
    expect(bad.stdout).toEqual(['examples/syslog.yaml: ok', 'test/e2e/fixtures/invalid.yaml: 2 problems']);
    expect(bad.stderr()).toMatch(/^test\/e2e\/fixtures\/invalid\.yaml:3:19: steps\[0\]\.emit\.type: /m);
  });

  it('decode: a heartbeat frame and an audit term, with the Python view', async () => {
    const heartbeat = startCli(['decode', '00000008 83 68 01 62 00 00 20 00']);
    expect(await heartbeat.exited).toBe(0);
    expect(heartbeat.stdout).toEqual(['frame: {8192}', 'python: {"type":8192}']);
    const audit = startCli(['decode', '8368056101616c6d0000000561646d696e612a6d00000019434c49202773686f772072756e6e696e672d636f6e66696727']);
    expect(await audit.exited).toBe(0);
    expect(audit.stdout[0]).toBe('term: {1,108,<<"admin">>,42,<<"CLI \'show running-config\'">>}');
    expect(JSON.parse(audit.stdout[1]?.replace(/^python: /, '') ?? '')).toEqual({
      type: 1,
      audit: { logno: 108, user: 'admin', usid: 42, msg: "CLI 'show running-config'" },
    });
    const garbage = startCli(['decode', 'zz']);
    expect(await garbage.exited).toBe(2);
  });

  it('schema: prints the shipped JSON Schema', async () => {
    const cli = startCli(['schema']);
    expect(await cli.exited).toBe(0);
    const shipped = JSON.parse(await readFile(new URL('../../src/scenarios/scenario.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(JSON.parse(cli.stdout.join('\n'))).toEqual(shipped);
  });
});

describe('nso-mock --version', () => {
  it("prints nso-mock's own version, not that of the project it runs in", async () => {
    const project = await mkdtemp(join(tmpdir(), 'nso-mock-consumer-'));
    try {
      await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '9.9.9' }));
      const own = (JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
      const result = spawnSync(process.execPath, [mainJs, '--version'], { cwd: project, encoding: 'utf8' });
      expect(result.status).toBe(0);
      expect(result.stdout.trim()).toBe(own);
      expect(own).not.toBe('9.9.9');
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
