/**
 * `nso-mock record` end to end, over real sockets, with nso-mock itself as the upstream: a
 * scenario played by an upstream mock (the harness), recorded through the built CLI's `record`,
 * then replayed by the built CLI's `run --client` — the same raw client both times, which logs
 * every byte sequence it receives. The frames must be identical and the recording must validate.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNsoMock, type RunningNsoMock } from '../../src/harness/index.js';
import { parseDuration, type RunReport, type ScenarioDocument } from '../../src/scenarios/index.js';
import { repoRoot, startCli, type CliProcess } from './cli-process.js';

const CLIENT = join(repoRoot, 'test/e2e/fixtures/frame-log-client.mjs');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-record-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface ClientRun {
  readonly code: number;
  readonly lines: string[];
}

/** Runs the logging client against an address; resolves when it exits. */
function runClient(out: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLIENT, '--out', out, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NCS_IPC_PATH: '', NCS_IPC_ACCESS_FILE: '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (stderr !== '') process.stderr.write(`client stderr: ${stderr}\n`);
      resolve({ code: code ?? -1, lines: readFileSync(out, 'utf8').split('\n').filter((l) => l !== '') });
    });
  });
}

/** Starts `record` and waits for its ready line. */
async function startRecord(args: readonly string[]): Promise<{ cli: CliProcess; port?: number; unix?: string }> {
  const cli = startCli(['record', ...args]);
  const ready = await cli.ready;
  return { cli, ...(ready.tcp === null ? {} : { port: ready.tcp.port }), ...(ready.unix === null ? {} : { unix: ready.unix }) };
}

/** Stops `record` (SIGTERM) and returns its exit code and the file it wrote. */
async function stopRecord(cli: CliProcess, out: string): Promise<{ code: number; yaml: string }> {
  cli.child.kill('SIGTERM');
  const code = await cli.exited;
  return { code, yaml: await readFile(out, 'utf8') };
}

async function validate(file: string): Promise<number> {
  const cli = startCli(['validate', file]);
  return cli.exited;
}

/** `nso-mock run file --client …`: the exit code, the report and the client's log lines. */
async function replay(file: string, clientArgs: string, extra: readonly string[] = []): Promise<{ code: number; report: RunReport; lines: string[]; stderr: string }> {
  const out = `${file}.replay.txt`;
  const report = `${file}.report.json`;
  const cli = startCli(['run', file, '--report', report, ...extra, '--client-grace', '10000', '--client', `node ${CLIENT} --out ${out} ${clientArgs}`]);
  const code = await cli.exited;
  return {
    code,
    report: JSON.parse(await readFile(report, 'utf8')) as RunReport,
    lines: readFileSync(out, 'utf8').split('\n').filter((l) => l !== ''),
    stderr: cli.stderr(),
  };
}

const INCIDENT: ScenarioDocument = {
  name: 'upstream incident',
  steps: [
    { 'await-subscribers': { count: 1, mask: ['commit-diff', 'audit'] } },
    { emit: { type: 'commit-diff', db: 'running', th: 1001, comment: 'nightly', uinfo: { username: 'alice', addr: '10.1.2.3' } } },
    { 'expect-ack': { th: 1001, within: '5s' } },
    { wait: '120ms' },
    { emit: { type: 'audit', logno: 14, usid: 42, msg: 'commit by alice' } },
    // {3}: a term, but no notification layout: must be recorded as raw bytes.
    { 'emit-raw': { hex: '000000058368016103' } },
    { wait: '30ms' },
    { emit: { type: 'commit-diff', th: 1002 } },
    { 'expect-ack': { th: 1002, within: '5s' } },
  ],
};
/** Frames the client waits for after the subscription reply. */
const INCIDENT_FRAMES = 4;
const MASK = 16 | 1;

async function recordIncident(
  name: string,
  upstreamOptions: Parameters<typeof startNsoMock>[0],
  recordArgs: (upstream: RunningNsoMock) => string[],
  clientEnv: (rec: { port?: number; unix?: string }) => Record<string, string>,
  clientArgs: readonly string[] = [],
  scenario: ScenarioDocument = INCIDENT,
  mask: number = MASK,
): Promise<{ client: ClientRun; yaml: string; file: string; code: number; stderr: string; upstream: RunReport }> {
  const file = join(dir, `${name}.yaml`);
  await using upstream = await startNsoMock({ onUnexpectedFrame: 'ignore', ...upstreamOptions });
  const rec = await startRecord([...recordArgs(upstream), '--out', file]);
  const played = upstream.play(scenario);
  const client = await runClient(join(dir, `${name}.client.txt`), ['--mask', String(mask), '--expect', String(INCIDENT_FRAMES), ...clientArgs], clientEnv(rec));
  const report = await played;
  const { code, yaml } = await stopRecord(rec.cli, file);
  return { client, yaml, file, code, stderr: rec.cli.stderr(), upstream: report };
}

describe('nso-mock record → nso-mock run', () => {
  it('TCP: the replay gives the client the same frames, byte for byte; the recording validates and says where it came from', async () => {
    const r = await recordIncident('tcp', { tcp: { host: '127.0.0.1', port: 0 } }, (u) => ['--upstream', `127.0.0.1:${u.addresses.tcp?.port}`, '--port', '0'], (rec) => ({
      NCS_IPC_PORT: String(rec.port),
    }));
    expect(r.upstream.status).toBe('passed');
    expect(r.code).toBe(0);
    expect(r.client.code).toBe(0);
    // version reply, subscription reply, 4 frames, done
    expect(r.client.lines).toHaveLength(7);
    expect(r.client.lines).toContain('frame 000000058368016103');
    expect(r.yaml).toMatch(/^# Recorded by nso-mock record \S+ from tcp 127\.0\.0\.1:\d+$/m);
    expect(r.yaml).toContain('# upstream version reply: status 0, protocol 77, version 7.7.1.0 (0x07070100), max depth 60, max key length 18');
    expect(r.yaml).toContain('- emit-raw: { hex: "000000058368016103", to: { index: 0 } }');
    expect(r.yaml).toMatch(/# \{1001,done\} upstream: connection 1 acked after \d+m?s/);
    expect(r.yaml).toContain('- expect-ack: { th: 1001 }');
    expect(r.yaml).toContain('username: alice');
    expect(await validate(r.file)).toBe(0);

    const again = await replay(r.file, '--mask {mask} --expect 4', ['--port', '0']);
    expect(again.code).toBe(0);
    expect(again.report.status).toBe('passed');
    expect(again.lines).toEqual(r.client.lines);
  });

  it('access check on both sides: the recorder checks its clients with one secret and answers the upstream with another; the replay checks too', async () => {
    const upstreamSecret = join(dir, 'upstream.secret');
    const clientSecret = join(dir, 'client.secret');
    await writeFile(upstreamSecret, 'upstream-secret\n');
    await writeFile(clientSecret, 'client-secret\n');
    const r = await recordIncident(
      'access',
      { tcp: { host: '127.0.0.1', port: 0 }, accessSecretFile: upstreamSecret },
      (u) => ['--upstream', `127.0.0.1:${u.addresses.tcp?.port}`, '--port', '0', '--access-secret-file', clientSecret, '--upstream-secret-file', upstreamSecret],
      (rec) => ({ NCS_IPC_PORT: String(rec.port), NCS_IPC_ACCESS_FILE: clientSecret }),
    );
    expect(r.upstream.status).toBe('passed');
    expect(r.code).toBe(0);
    expect(r.client.lines[0]).toMatch(/^version 00/);
    expect(r.yaml).toContain("# access check: upstream answered with --upstream-secret-file; clients checked with --access-secret-file");
    expect(await validate(r.file)).toBe(0);

    const again = await replay(r.file, '--mask {mask} --expect 4', ['--port', '0', '--access-secret-file', clientSecret]);
    expect(again.code).toBe(0);
    expect(again.lines).toEqual(r.client.lines);
  });

  it('a refused access check: a client with the wrong secret gets the refusal byte; an upstream that refuses the recorder is a refusal for the client and a log line', async () => {
    const upstreamSecret = join(dir, 'up2.secret');
    const clientSecret = join(dir, 'client2.secret');
    const wrong = join(dir, 'wrong.secret');
    await writeFile(upstreamSecret, 'right\n');
    await writeFile(clientSecret, 'client\n');
    await writeFile(wrong, 'wrong\n');
    await using upstream = await startNsoMock({ tcp: { host: '127.0.0.1', port: 0 }, accessSecretFile: upstreamSecret });
    const file = join(dir, 'refused.yaml');
    const rec = await startRecord(['--upstream', `127.0.0.1:${upstream.addresses.tcp?.port}`, '--port', '0', '--access-secret-file', clientSecret, '--upstream-secret-file', wrong, '--out', file]);
    // Wrong client secret: refused by the recorder itself.
    const bad = await runClient(join(dir, 'refused-a.txt'), ['--mask', '16'], { NCS_IPC_PORT: String(rec.port), NCS_IPC_ACCESS_FILE: wrong });
    expect(bad.code).toBe(3);
    expect(bad.lines).toEqual(['access-denied 01']);
    // Right client secret, but the recorder's upstream secret is wrong: the upstream refuses, the client is refused the same way.
    const refused = await runClient(join(dir, 'refused-b.txt'), ['--mask', '16'], { NCS_IPC_PORT: String(rec.port), NCS_IPC_ACCESS_FILE: clientSecret });
    expect(refused.code).toBe(3);
    expect(refused.lines).toEqual(['access-denied 01']);
    // No secret at all: the recorder requires the check, so it closes without a reply, as NSO does.
    const none = await runClient(join(dir, 'refused-c.txt'), ['--mask', '16'], { NCS_IPC_PORT: String(rec.port) });
    expect(none.lines).toEqual(['closed']);
    const { code, yaml } = await stopRecord(rec.cli, file);
    expect(code).toBe(0);
    const stderr = rec.cli.stderr();
    expect(stderr).toMatch(/connection 3: the client did not ask for the access check this recorder requires \(--access-secret-file\): closed without a reply, as NSO does/);
    expect(stderr).toMatch(/connection 1: the client failed the access check \(v2\): wrong secret/);
    expect(stderr).toMatch(/connection 2: the upstream refused the access check with result byte 1 \(is --upstream-secret-file the upstream's secret\?\)/);
    expect(yaml).toMatch(/the upstream refused the access check/);
    expect(await validate(file)).toBe(0);
  });

  it('access check relayed: with no secret of its own the recorder passes a C client\'s v1 challenge through to the upstream', async () => {
    const secret = join(dir, 'shared.secret');
    await writeFile(secret, 'shared\n');
    const r = await recordIncident(
      'relay',
      { tcp: { host: '127.0.0.1', port: 0 }, accessSecretFile: secret },
      (u) => ['--upstream', `127.0.0.1:${u.addresses.tcp?.port}`, '--port', '0'],
      (rec) => ({ NCS_IPC_PORT: String(rec.port), NCS_IPC_ACCESS_FILE: secret }),
      ['--access', 'v1'],
    );
    expect(r.upstream.status).toBe('passed');
    expect(r.code).toBe(0);
    expect(r.client.lines).toHaveLength(7);
    expect(await validate(r.file)).toBe(0);
    const again = await replay(r.file, '--mask {mask} --expect 4 --access v1', ['--port', '0', '--access-secret-file', secret]);
    expect(again.code).toBe(0);
    expect(again.lines).toEqual(r.client.lines);
  });

  it('two clients with different masks: one broadcast is one emit, and each client gets the same frames again', async () => {
    const file = join(dir, 'two.yaml');
    await using upstream = await startNsoMock({ tcp: { host: '127.0.0.1', port: 0 } });
    const rec = await startRecord(['--upstream', `127.0.0.1:${upstream.addresses.tcp?.port}`, '--port', '0', '--out', file]);
    const played = upstream.play({
      name: 'two subscribers',
      steps: [
        { 'await-subscribers': { count: 2, mask: ['commit-diff'] } },
        { emit: { type: 'commit-diff', th: 5 } },
        { 'expect-ack': { th: 5 } },
        { emit: { type: 'audit', msg: 'only the audit subscriber' } },
        { emit: { type: 'commit-diff', th: 6 } },
        { 'expect-ack': { th: 6 } },
      ],
    });
    const env = { NCS_IPC_PORT: String(rec.port) };
    const [a, b] = await Promise.all([
      runClient(join(dir, 'two-a.txt'), ['--mask', '16', '--expect', '2'], env),
      runClient(join(dir, 'two-b.txt'), ['--mask', '17', '--expect', '3'], env),
    ]);
    expect((await played).status).toBe('passed');
    const { code, yaml } = await stopRecord(rec.cli, file);
    expect(code).toBe(0);
    expect(yaml.match(/- emit:/g)).toHaveLength(3);
    expect(yaml).toMatch(/# \{5,done\} upstream: connection \d acked after [\d.]+m?s; connection \d acked after [\d.]+m?s\n/);
    expect(await validate(file)).toBe(0);
    const client = `node ${CLIENT}`;
    const cli = startCli([
      'run', file, '--port', '0',
      '--client', `${client} --out ${file}.a.txt --mask 16 --expect 2 & ${client} --out ${file}.b.txt --mask 17 --expect 3; wait`,
    ]);
    expect(await cli.exited).toBe(0);
    expect(readFileSync(`${file}.a.txt`, 'utf8').split('\n').filter((l) => l !== '')).toEqual(a.lines);
    expect(readFileSync(`${file}.b.txt`, 'utf8').split('\n').filter((l) => l !== '')).toEqual(b.lines);
  });

  it('a stream subscription with replay: the replayed events become the stream step\'s history, live ones emit-raw; the replay gives the same frames', async () => {
    const values = (n: number) => [
      { ns: 1, tag: 2, xml: 'start' },
      { ns: 1, tag: 3, v: { confd_type: 'int32', value: n } },
      { ns: 1, tag: 2, xml: 'stop' },
    ];
    const r = await recordIncident(
      'stream',
      { tcp: { host: '127.0.0.1', port: 0 } },
      (u) => ['--upstream', `127.0.0.1:${u.addresses.tcp?.port}`, '--port', '0'],
      (rec) => ({ NCS_IPC_PORT: String(rec.port) }),
      ['--stream', 'events', '--start', '2026-01-01T00:00:00Z', '--expect', '5'],
      {
        name: 'a stream with a past',
        steps: [
          {
            stream: {
              name: 'events',
              'replay-from': '2026-01-01T00:00:00Z',
              history: [
                { time: '2026-01-01T00:05:00Z', values: values(1) as never },
                { time: '2026-01-01T00:06:00Z', values: values(2) as never },
              ],
            },
          },
          { 'await-subscribers': { count: 1, mask: ['stream-event'] } },
          { wait: '50ms' },
          { stream: { name: 'events', events: [{ time: '2026-02-01T00:00:00Z', values: values(3) as never }] } },
          // Acked only once the client has read everything before it: the replay cannot end early.
          { emit: { type: 'commit-diff', th: 77 } },
          { 'expect-ack': { th: 77 } },
        ],
      },
      524288 | 16,
    );
    expect(r.upstream.status).toBe('passed');
    expect(r.code).toBe(0);
    // version, subscribe reply, 2 replayed, replay-complete, 1 live, the commit diff, done
    expect(r.client.lines).toHaveLength(8);
    expect(r.yaml).toMatch(/a subscriber asked for stream events with replay: 2 replayed events are its history/);
    expect(r.yaml).toMatch(/- stream: \{ name: events, replay-from: \{.*\}, history: \[/);
    expect(r.yaml.match(/- emit-raw:/g)).toHaveLength(1);
    expect(await validate(r.file)).toBe(0);
    const again = await replay(r.file, '--mask {mask} --expect 5 --stream {stream} --start 2026-01-01T00:00:00Z', ['--port', '0']);
    expect(again.code).toBe(0);
    expect(again.lines).toEqual(r.client.lines);
  });

  it('an upstream that requires the access check the recorder was not told about: the client is closed, the log says what to give', async () => {
    const secret = join(dir, 'unknown.secret');
    await writeFile(secret, 'only the upstream knows\n');
    await using upstream = await startNsoMock({ tcp: { host: '127.0.0.1', port: 0 }, accessSecretFile: secret });
    const file = join(dir, 'unasked.yaml');
    const rec = await startRecord(['--upstream', `127.0.0.1:${upstream.addresses.tcp?.port}`, '--port', '0', '--out', file]);
    const client = await runClient(join(dir, 'unasked.txt'), ['--mask', '16'], { NCS_IPC_PORT: String(rec.port) });
    expect(client.lines).toEqual(['closed']);
    const { code, yaml } = await stopRecord(rec.cli, file);
    expect(code).toBe(0);
    expect(rec.cli.stderr()).toContain('connection 1: the upstream closed before its version reply (does it require the access check? give --upstream-secret-file)');
    expect(yaml).toContain('the upstream closed before its version reply');
    expect(await validate(file)).toBe(0);
  });

  it('a Unix-socket upstream, recorded on a Unix socket and replayed on one', async () => {
    const upstreamPath = join(dir, 'upstream.sock');
    const recordPath = join(dir, 'record.sock');
    const r = await recordIncident('unix', { tcp: false, unix: upstreamPath }, () => ['--upstream-unix', upstreamPath, '--unix', recordPath], (rec) => ({
      NCS_IPC_PATH: rec.unix ?? '',
    }));
    expect(r.upstream.status).toBe('passed');
    expect(r.code).toBe(0);
    expect(r.client.lines).toHaveLength(7);
    expect(r.yaml).toContain(`from unix ${upstreamPath}`);
    expect(r.yaml).toMatch(/1: unix local: event client/);
    expect(await validate(r.file)).toBe(0);
    const again = await replay(r.file, '--mask {mask} --expect 4', ['--unix', join(dir, 'replay.sock')]);
    expect(again.code).toBe(0);
    expect(again.lines).toEqual(r.client.lines);
  });

  it('a client that misses an ack: the recording shows the missing ack, and the replay of the same client reports it', async () => {
    const r = await recordIncident(
      'missed-ack',
      { tcp: { host: '127.0.0.1', port: 0 } },
      (u) => ['--upstream', `127.0.0.1:${u.addresses.tcp?.port}`, '--port', '0'],
      (rec) => ({ NCS_IPC_PORT: String(rec.port) }),
      ['--skip-ack', '1001'],
      {
        name: 'the upstream still sends the rest',
        options: { 'require-acks': false, 'fail-fast': false },
        steps: [
          { 'await-subscribers': { count: 1, mask: ['commit-diff'] } },
          { emit: { type: 'commit-diff', th: 1001 } },
          { 'expect-ack': { th: 1001, within: '300ms' } },
          { emit: { type: 'audit', msg: 'after the missing ack' } },
          { emit: { type: 'commit-diff', th: 1002 } },
          { 'expect-ack': { th: 1002, within: '5s' } },
          { emit: { type: 'audit', msg: 'last' } },
        ],
      },
    );
    expect(r.code).toBe(0);
    expect(r.upstream.failures.join('\n')).toContain('did not send {1001,done}');
    expect(r.yaml).toMatch(/# \{1001,done\} upstream: connection 1 never sent it: the client closed the connection \d+m?s after the notification \(this step fails when the client does the same again\)/);
    expect(r.yaml).toMatch(/# \{1002,done\} upstream: connection 1 acked after/);
    expect(await validate(r.file)).toBe(0);

    const again = await replay(r.file, '--mask {mask} --expect 4 --skip-ack 1001', ['--port', '0']);
    expect(again.code).toBe(1);
    expect(again.report.failures.join('\n')).toMatch(/connection \d+ closed without sending \{1001,done\}/);
    expect(again.lines).toEqual(r.client.lines);
    // The same client with the ack it forgot: the recording passes.
    const fixed = await replay(r.file, '--mask {mask} --expect 4', ['--port', '0']);
    expect(fixed.code).toBe(0);
  });
});

describe('nso-mock record: bad input', () => {
  it('an unreachable upstream: the client is closed at once, the log says why, and the (empty) recording is still written and validates', async () => {
    // A port nothing listens on: bind one, then close it.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const file = join(dir, 'unreachable.yaml');
    const rec = await startRecord(['--upstream', `127.0.0.1:${port}`, '--port', '0', '--out', file]);
    const client = await runClient(join(dir, 'unreachable.txt'), ['--mask', '16'], { NCS_IPC_PORT: String(rec.port) });
    expect(client.lines).toEqual(['closed']);
    const { code, yaml } = await stopRecord(rec.cli, file);
    expect(code).toBe(0);
    expect(rec.cli.stderr()).toMatch(new RegExp(`connection 1: the upstream tcp 127\\.0\\.0\\.1:${port} is unreachable \\(connect ECONNREFUSED`));
    expect(yaml).toMatch(/the upstream was unreachable: connect ECONNREFUSED/);
    expect(await validate(file)).toBe(0);
  });

  it('an upstream that closes: the client gets the close, the recording has a close fault, and the replay closes the same way', async () => {
    const r = await recordIncident(
      'upstream-close',
      { tcp: { host: '127.0.0.1', port: 0 } },
      (u) => ['--upstream', `127.0.0.1:${u.addresses.tcp?.port}`, '--port', '0'],
      (rec) => ({ NCS_IPC_PORT: String(rec.port) }),
      [],
      {
        name: 'upstream goes away',
        steps: [
          { 'await-subscribers': { count: 1, mask: ['commit-diff'] } },
          { emit: { type: 'audit', msg: 'before' } },
          { wait: '50ms' },
          { fault: { kind: 'close' } },
        ],
      },
    );
    expect(r.client.lines.at(-1)).toBe('closed');
    expect(r.yaml).toMatch(/# the upstream closed connection 1 \(end\)\n\s+- fault: \{ kind: close, target: \{ index: 0 \} \}/);
    expect(r.stderr).toMatch(/connection 1: the upstream closed the connection \(end\); closing the client too/);
    expect(await validate(r.file)).toBe(0);
    const again = await replay(r.file, '--mask {mask} --expect 4', ['--port', '0']);
    expect(again.code).toBe(0);
    expect(again.lines).toEqual(r.client.lines);
  });

  it('other client types (MAAPI, type 7) are forwarded untouched both ways and noted', async () => {
    // An echoing upstream: whatever the recorder forwards comes back unchanged.
    const echo: Server = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const port = (echo.address() as { port: number }).port;
    const file = join(dir, 'maapi.yaml');
    const rec = await startRecord(['--upstream', `127.0.0.1:${port}`, '--port', '0', '--out', file]);
    const sent = Buffer.concat([Buffer.from('07004d0707010000', 'hex'), Buffer.from([0]), Buffer.from('any MAAPI bytes \u0000\u00ff', 'latin1')]);
    const got = await new Promise<Buffer>((resolve, reject) => {
      const s = connect(rec.port ?? 0, '127.0.0.1');
      const chunks: Buffer[] = [];
      s.on('connect', () => s.write(sent));
      s.on('data', (c: Buffer) => {
        chunks.push(c);
        if (Buffer.concat(chunks).length >= sent.length) s.end();
      });
      s.on('close', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
    });
    expect(got.equals(sent)).toBe(true);
    const { code, yaml } = await stopRecord(rec.cli, file);
    echo.close();
    expect(code).toBe(0);
    expect(yaml).toContain(`client type 7 (MAAPI): forwarded untouched, ${sent.length} bytes up, ${sent.length} bytes down; not in the steps`);
    expect(rec.cli.stderr()).toContain('connection 1: client type 7 (MAAPI): forwarded untouched, not recorded');
    expect(await validate(file)).toBe(0);
  });

  it('--redact replaces user names and addresses, --max-gap shortens the waits; the result still validates and replays', async () => {
    const r = await recordIncident(
      'redacted',
      { tcp: { host: '127.0.0.1', port: 0 } },
      (u) => ['--upstream', `127.0.0.1:${u.addresses.tcp?.port}`, '--port', '0', '--redact', 'alice=>user1', '--redact', '10\\.1\\.\\d+\\.\\d+=>192.0.2.1', '--max-gap', '20ms'],
      (rec) => ({ NCS_IPC_PORT: String(rec.port) }),
    );
    expect(r.code).toBe(0);
    expect(r.yaml).not.toContain('alice');
    expect(r.yaml).not.toContain('10.1.2.3');
    expect(r.yaml).toContain('username: user1');
    expect(r.yaml).toContain('addr: 192.0.2.1');
    expect(r.yaml).toContain('msg: commit by user1');
    const waits = [...r.yaml.matchAll(/- wait: (\d+)ms/g)].map((m) => Number(m[1]));
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(20);
    // The upstream's 120ms wait (longer on a loaded machine, never shorter) became 20ms.
    const shortened = [...r.yaml.matchAll(/# (\S+) upstream, shortened by --max-gap\n\s+- wait: 20ms/g)].map((m) => parseDuration(m[1] ?? '0') ?? 0);
    expect(shortened.every((ms) => ms > 20)).toBe(true);
    expect(Math.max(...shortened)).toBeGreaterThanOrEqual(120);
    expect(await validate(r.file)).toBe(0);
    const again = await replay(r.file, '--mask {mask} --expect 4', ['--port', '0']);
    expect(again.code).toBe(0);
    // The redacted emits carry other bytes; the frame count and the raw frame stay.
    expect(again.lines).toHaveLength(r.client.lines.length);
    expect(again.lines).toContain('frame 000000058368016103');
  });

  it('bad options are usage errors (exit 2) before anything listens', async () => {
    const both = startCli(['record', '--upstream', '127.0.0.1:4569', '--upstream-unix', '/tmp/x', '--out', join(dir, 'x.yaml')]);
    expect(await both.exited).toBe(2);
    expect(both.stderr()).toContain('give the NSO to record: --upstream HOST:PORT or --upstream-unix PATH (one of them)');
    const port = startCli(['record', '--upstream', 'nso:99999', '--out', join(dir, 'x.yaml')]);
    expect(await port.exited).toBe(2);
    expect(port.stderr()).toContain('--upstream takes HOST:PORT (port 1 to 65535), got "nso:99999"');
    const redact = startCli(['record', '--upstream', '127.0.0.1:4569', '--port', '0', '--out', join(dir, 'x.yaml'), '--redact', 'no arrow']);
    expect(await redact.exited).toBe(2);
    expect(redact.stderr()).toContain('Failed to read --redact: expected PATTERN=>REPLACEMENT, got "no arrow"');
    const gap = startCli(['record', '--upstream', '127.0.0.1:4569', '--port', '0', '--out', join(dir, 'x.yaml'), '--max-gap', '2 sec']);
    expect(await gap.exited).toBe(2);
    expect(gap.stderr()).toContain('Failed to read --max-gap: expected a duration of at least 1ms such as 500ms or 2s, got "2 sec"');
    const secret = startCli(['record', '--upstream', '127.0.0.1:4569', '--port', '0', '--out', join(dir, 'x.yaml'), '--upstream-secret-file', join(dir, 'missing')]);
    expect(await secret.exited).toBe(2);
    expect(secret.stderr()).toContain('Failed to read the --upstream-secret-file: ENOENT');
  });
});
