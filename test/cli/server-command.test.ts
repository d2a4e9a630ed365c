/**
 * `runServer` in-process: the SIGINT/SIGTERM handlers are in place when the ready line is written
 * (a process without a handler dies outright on SIGTERM, skipping the cleanup), and a stop at that
 * very moment is graceful.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServer } from '../../src/cli/server-command.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-server-command-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runServer and signals', () => {
  it.each(['serve', 'run'] as const)('%s: the handlers exist when the ready line is written, and a SIGTERM then stops it gracefully', async (mode) => {
    const socket = join(dir, `${mode}.sock`);
    const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    const lines: string[] = [];
    let socketAtReady = false;
    let handlersAtReady = { SIGINT: 0, SIGTERM: 0 };
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const line = chunk.toString('utf8');
        lines.push(line);
        if (line.includes('"event":"ready"')) {
          socketAtReady = existsSync(socket);
          const added = process.listeners('SIGTERM').filter((l) => !before.SIGTERM.includes(l));
          const addedInt = process.listeners('SIGINT').filter((l) => !before.SIGINT.includes(l));
          handlersAtReady = { SIGINT: addedInt.length, SIGTERM: added.length };
          // What Node does when the signal arrives: call the handler (no real signal: this is a test worker).
          (added[0] as ((signal: NodeJS.Signals) => void) | undefined)?.('SIGTERM');
        }
        done();
      },
    });
    const stderr = new PassThrough();
    const code = await runServer(
      { mode, host: '127.0.0.1', unix: socket, 'log-format': 'text', verbose: false, ...(mode === 'run' ? { scenario: 'examples/commit-diff-ack.yaml' } : {}) },
      { stdout, stderr },
    );
    expect(handlersAtReady).toEqual({ SIGINT: 1, SIGTERM: 1 });
    expect(socketAtReady).toBe(true);
    // serve: a stop by signal is a clean end (0); run: the scenario was aborted (1). docs/cli.md, "Exit codes".
    expect(code).toBe(mode === 'serve' ? 0 : 1);
    expect(existsSync(socket)).toBe(false);
    expect(String(stderr.read())).toContain('stopping (SIGTERM)');
    // The handlers are gone again.
    expect(process.listeners('SIGTERM')).toEqual(before.SIGTERM);
    expect(process.listeners('SIGINT')).toEqual(before.SIGINT);
    if (mode === 'run') expect(JSON.parse(lines[1] ?? '{}')).toEqual({ event: 'done', status: 'aborted', exitCode: 1 });
  });

  it('removes its handlers when startup fails (an invalid scenario exits 2)', async () => {
    const before = process.listeners('SIGTERM');
    const stdout = new PassThrough();
    const code = await runServer(
      { mode: 'run', scenario: 'test/e2e/fixtures/invalid.yaml', host: '127.0.0.1', port: 0, 'log-format': 'text', verbose: false },
      { stdout, stderr: new PassThrough() },
    );
    expect(code).toBe(2);
    expect(stdout.read()).toBeNull();
    expect(process.listeners('SIGTERM')).toEqual(before);
  });
});
