/**
 * The server-limit flags of the built CLI reach the server and win over the scenario's `options:`;
 * read back through the control API (`GET /journal/stats`, `GET /violations`) over real TCP.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binary, tuple } from '../../src/codec/index.js';
import { cHeader, frameOf, rawConnect } from '../server/raw-socket.js';
import { startCli, type CliProcess } from './cli-process.js';

let dir: string;
let scenario: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-limits-'));
  scenario = join(dir, 'limits.yaml');
  // Idle until stopped, with limits the flags below override.
  await writeFile(scenario, 'name: limits\noptions:\n  journal-max-bytes: 8192\n  max-subscribe-frame-bytes: 4096\nsteps:\n  - wait: 1h\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function serve(args: readonly string[]): Promise<{ cli: CliProcess; port: number; control: string }> {
  const cli = startCli(['serve', '--scenario', scenario, '--port', '0', '--control-port', '0', ...args]);
  const ready = (await cli.ready) as unknown as { tcp: { port: number }; control: string };
  return { cli, port: ready.tcp.port, control: ready.control };
}

async function stop(cli: CliProcess, code = 0): Promise<void> {
  cli.child.kill('SIGTERM');
  expect(await cli.exited).toBe(code);
}

describe('serve: server-limit flags', () => {
  it('the scenario sets journal-max-bytes; --journal-max-bytes wins', async () => {
    const fromScenario = await serve([]);
    expect(((await (await fetch(`${fromScenario.control}/journal/stats`)).json()) as { maxBytes: number }).maxBytes).toBe(8192);
    await stop(fromScenario.cli);
    const fromFlag = await serve(['--journal-max-bytes', '4096']);
    expect(((await (await fetch(`${fromFlag.control}/journal/stats`)).json()) as { maxBytes: number }).maxBytes).toBe(4096);
    await stop(fromFlag.cli);
  });

  it('--max-subscribe-frame-bytes refuses a larger frame before the subscription (the scenario allowed 4096)', async () => {
    const { cli, port, control } = await serve(['--max-subscribe-frame-bytes', '64', '--input-stall-timeout', '30s']);
    const client = await rawConnect({ host: '127.0.0.1', port });
    await client.write(cHeader());
    await client.waitBytes(9);
    await client.write(frameOf(tuple(binary(new Uint8Array(80)))));
    await client.closed;
    const violations = (await (await fetch(`${control}/violations`)).json()) as { code: string; actual: string }[];
    expect(violations).toEqual([expect.objectContaining({ code: 'bad-frame-length', actual: expect.stringContaining('maxSubscribeFrameBytes 64') })]);
    // The violation fails the played scenario: serve exits 1 (docs/cli.md, exit codes).
    await stop(cli, 1);
  });

  it('a duration without a unit is bad usage (exit 2, no ready line)', async () => {
    const cli = startCli(['serve', '--port', '0', '--input-stall-timeout', '5']);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain('--input-stall-timeout takes a duration with a unit, such as 5s or 500ms');
    expect(cli.stdout).toEqual([]);
  });
});
