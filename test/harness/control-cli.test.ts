/**
 * `nso-mock serve --control-port`: the built CLI serves the control API next to the mock, names
 * it in the ready line, takes the token from the environment, and an HTTP-driven emit reaches a
 * real subscriber.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { NOTIF } from '../../src/codec/index.js';
import { mainJs, repoRoot } from '../e2e/cli-process.js';

function serve(args: readonly string[], env: Record<string, string>): { ready: Promise<Record<string, unknown>>; stop: () => Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [mainJs, 'serve', '--scenario', 'examples/commit-diff-ack.yaml', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line !== undefined) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('exit', () => reject(new Error('serve exited before its ready line')));
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    ready,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('serve --control-port', () => {
  it('serves the control API on loopback with the token from NSO_MOCK_CONTROL_TOKEN', async () => {
    const server = serve(['--port', '0', '--control-port', '0'], { NSO_MOCK_CONTROL_TOKEN: 'from-env' });
    try {
      const ready = await server.ready;
      const url = ready['control'] as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/ready`)).status).toBe(200);
      expect((await fetch(`${url}/subscribers`)).status).toBe(401);
      const tcp = ready['tcp'] as { host: string; port: number };
      const client = await connect(tcp, { mask: NOTIF.DAEMON });
      const res = await fetch(`${url}/emit`, {
        method: 'POST',
        headers: { authorization: 'Bearer from-env', 'content-type': 'application/json' },
        body: JSON.stringify({ notification: { type: 'daemon', msg: 'via http' } }),
      });
      expect(res.status).toBe(200);
      const received = await client.next();
      expect(received.notification).toMatchObject({ type: 'daemon', msg: 'via http' });
      await client.close();
    } finally {
      await server.stop();
    }
  });

  it('keeps --log-format json stderr all JSON (no validator warning) and posted includes inside --control-root', async () => {
    const root = await mkdtemp(join(tmpdir(), 'nso-mock-control-cli-'));
    const server = serve(['--port', '0', '--control-port', '0', '--log-format', 'json', '--control-root', root], {});
    try {
      const url = (await server.ready)['control'] as string;
      const res = await fetch(`${url}/play`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: `name: x\ninclude: [${JSON.stringify(join(repoRoot, 'examples/idle.yaml'))}]\nsteps: []\n` }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(`outside the control root`);
    } finally {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    }
    const lines = server.stderr().split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it('without --control-port, the ready line has no control member', async () => {
    const server = serve(['--port', '0'], {});
    try {
      expect(await server.ready).not.toHaveProperty('control');
    } finally {
      await server.stop();
    }
  });
});
