/**
 * The built CLI under the conditions of real use: a reader that closes stdout early, a SIGTERM the
 * moment the ready line is read, and wrong input (missing files, bad values, ports in use). Each
 * must give a clear one-line message, no stack trace, and the documented exit code (docs/cli.md).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from './cli-process.js';

/** A stack trace line, as Node prints one for an uncaught error. */
const STACK = /\n\s+at .+[:(]\d+/;

let dir: string;
let taken: Server;
let takenPort: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-robust-'));
  taken = createServer();
  takenPort = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
});
afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

/** Starts the CLI with its stdout already closed by the reader (what `| head -0` does). */
function withClosedStdout(args: readonly string[]): CliProcess {
  const cli = startCli(args);
  cli.child.stdout.destroy();
  return cli;
}

describe('a closed stdout (EPIPE)', () => {
  it.each([
    ['conform --list', ['conform', '--list']],
    ['schema', ['schema']],
    ['validate', ['validate', 'examples/commit-diff-ack.yaml', 'examples/audit-sync.yaml']],
    ['decode', ['decode', '00000008 83 68 01 62 00 00 20 00']],
    ['--help', ['--help']],
    ['run (ready and done lines)', ['run', 'test/e2e/fixtures/short-wait.yaml', '--port', '0']],
  ])('%s finishes its work and exits 0 without a stack trace', async (_name, args) => {
    const cli = withClosedStdout(args);
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).not.toMatch(STACK);
    expect(cli.stderr()).not.toContain('EPIPE');
  });

  it('keeps the exit code of the work: a failing run still exits 1', async () => {
    const cli = withClosedStdout(['run', 'test/e2e/fixtures/forgotten-ack.yaml', '--port', '0', '--client', 'python3 examples/clients/python/nso_events_client_buggy.py --bug forget-diff-ack --port {port} --mask {mask}']);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain('FAIL a client that forgets to ack');
    expect(cli.stderr()).not.toMatch(STACK);
  });
});

describe('SIGTERM sent the moment the ready line is read', () => {
  // Five rounds each: the signal lands at a different point of the startup tail each time.
  it.each([1, 2, 3, 4, 5])('serve shuts down gracefully: exit 0, the Unix socket file removed (round %i)', async (round) => {
    const socket = join(dir, `serve-${round}.sock`);
    const cli = startCli(['serve', '--unix', socket, '--log-format', 'json']);
    await cli.ready.then(() => cli.child.kill('SIGTERM'));
    expect(await cli.exited).toBe(0);
    expect(existsSync(socket)).toBe(false);
    expect(cli.stderr()).toContain('"msg":"stopping (SIGTERM)"');
  });

  it.each([1, 2, 3])('run is aborted: exit 1, a done line, the Unix socket file removed (round %i)', async (round) => {
    const socket = join(dir, `run-${round}.sock`);
    const cli = startCli(['run', 'examples/commit-diff-ack.yaml', '--unix', socket]);
    await cli.ready.then(() => cli.child.kill('SIGTERM'));
    expect(await cli.exited).toBe(1);
    expect(existsSync(socket)).toBe(false);
    expect(JSON.parse(cli.stdout[1] ?? '{}')).toEqual({ event: 'done', status: 'aborted', exitCode: 1 });
  });
});

describe('wrong input: a clear message, no stack trace, the documented exit code', () => {
  it.each([
    ['a missing scenario file (run)', ['run', 'missing.yaml', '--port', '0'], 2, 'missing.yaml:1:1: (root): expected a readable scenario file, found no such file'],
    ['a missing scenario file (serve)', ['serve', '--scenario', 'missing.yaml', '--port', '0'], 2, 'expected a readable scenario file, found no such file'],
    ['a missing file (validate)', ['validate', 'missing.yaml'], 2, 'missing.yaml:1:1: (root): expected a readable scenario file'],
    ['an unknown option', ['serve', '--port', '0', '--bogus'], 2, 'Unknown argument: bogus'],
    ['run without a file', ['run', '--port', '0'], 2, 'nso-mock: missing the scenario file to play (nso-mock run <file>)'],
    ['validate without a file', ['validate'], 2, 'nso-mock: missing at least one scenario file'],
    ['decode without hex', ['decode'], 2, 'nso-mock: missing the hex bytes to decode'],
    ['a port that is not a number', ['run', 'examples/commit-diff-ack.yaml', '--port', 'abc'], 2, '--port must be an integer from 0 to 65535, got something that is not a number'],
    ['a port out of range', ['serve', '--ncmp-port', '70000'], 2, '--ncmp-port must be an integer from 0 to 65535, got 70000'],
    ['a bad profile', ['run', 'examples/commit-diff-ack.yaml', '--profile', 'nso99'], 2, 'Argument: profile, Given: "nso99", Choices: "auto", "nso57", "nso62", "nso66", "nso6x"'],
    ['bad hex', ['decode', 'zz'], 2, 'Failed to read hex: expected pairs of hex digits'],
    ['conform without --client', ['conform'], 2, '--client is required'],
    ['conform --list matching nothing', ['conform', '--list', '--cases', 'nosuch'], 2, 'no case matches ["nosuch"]'],
    ['conform with an unwritable report', ['conform', '--client', 'true', '--json', '/dev/null/report.json'], 2, 'Failed to prepare the --json file'],
    ['fuzz --replay of a missing file', ['fuzz', '--client', 'true', '--replay', 'missing.yaml'], 2, 'Failed to read the scenario to replay: no such file (missing.yaml)'],
    ['fuzz --runs 0', ['fuzz', '--client', 'true', '--runs', '0'], 2, '--runs must be a positive integer, got 0'],
    ['an unwritable --report', ['run', 'examples/commit-diff-ack.yaml', '--port', '0', '--report', '/dev/null/run.json'], 2, 'Failed to prepare the --report file'],
    ['a missing access secret file', ['serve', '--port', '0', '--access-secret-file', 'missing.key'], 2, 'Failed to read the access secret'],
  ])('%s', async (_name, args, code, message) => {
    const cli = startCli(args);
    expect(await cli.exited).toBe(code);
    expect(cli.stderr()).toContain(message);
    expect(cli.stderr()).not.toMatch(STACK);
    // Nothing listened: no ready line.
    expect(cli.stdout.filter((l) => l.startsWith('{"event":"ready"'))).toEqual([]);
  });

  it('an include nested too deep: validate, run and serve give the depth problem at the include, exit 2', async () => {
    await writeFile(join(dir, 'deep.yaml'), 'name: deep\nsteps:\n  - emit: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n');
    const top = join(dir, 'top-of-deep.yaml');
    await writeFile(top, 'name: top\ninclude: [deep.yaml]\nsteps: []\n');
    for (const args of [['validate', top], ['run', top, '--port', '0'], ['serve', '--scenario', top, '--port', '0']]) {
      const cli = startCli(args);
      expect(await cli.exited, args[0]).toBe(2);
      expect(cli.stderr()).toMatch(/deep\.yaml:3:\d+: \(yaml\): expected nesting at most 128 deep, found flow collections nested deeper/);
      expect(cli.stderr()).not.toContain('call stack');
      expect(cli.stderr()).not.toMatch(STACK);
      expect(cli.stdout.filter((l) => l.startsWith('{"event":"ready"'))).toEqual([]);
    }
  });

  it.each([
    ['--port', 'Failed to listen: listen EADDRINUSE'],
    ['--control-port', 'Failed to start the control API: listen EADDRINUSE'],
    ['--ncmp-port', 'Failed to start the NCMP feed: listen EADDRINUSE'],
  ])('a %s in use exits 2 before the ready line, saying which option to change', async (option, message) => {
    const args = option === '--port' ? ['serve', '--port', String(takenPort)] : ['serve', '--port', '0', option, String(takenPort)];
    const cli = startCli(args);
    expect(await cli.exited).toBe(2);
    expect(cli.stdout).toEqual([]);
    expect(cli.stderr()).toContain(message);
    expect(cli.stderr()).toContain(`(127.0.0.1:${takenPort})`);
    expect(cli.stderr()).toContain(`nso-mock: another process listens there`);
    expect(cli.stderr()).toContain(`choose another ${option} (0 picks a free one; the ready line names it)`);
    expect(cli.stderr()).not.toMatch(STACK);
  });
});
