/**
 * The Python example test suite (examples/clients/python/test_consumer_example.py) runs as the
 * README's CI recipe says: the BUILT CLI serves examples/idle.yaml with a control port, and the
 * suite gets the ready line's addresses in NCS_IPC_PORT and NSO_MOCK_CONTROL.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot, startCli } from './e2e/cli-process.js';

interface ServeReady {
  readonly tcp: { readonly port: number } | null;
  readonly control?: string;
}

/** Runs `python3 -m unittest -v FILE` with extra environment; resolves with its exit code and output. */
function runUnittest(file: string, env: Readonly<Record<string, string>>): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-m', 'unittest', '-v', file], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe('examples/clients/python/test_consumer_example.py', () => {
  it('passes against `nso-mock serve --scenario examples/idle.yaml --control-port 0`', async () => {
    const serve = startCli(['serve', '--scenario', 'examples/idle.yaml', '--port', '0', '--control-port', '0']);
    try {
      const ready = (await serve.ready) as ServeReady;
      expect(ready.control).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { code, output } = await runUnittest('examples/clients/python/test_consumer_example.py', {
        NCS_IPC_PORT: String(ready.tcp?.port),
        NSO_MOCK_CONTROL: ready.control ?? '',
      });
      expect(output).toMatch(/Ran 3 tests/);
      expect(output).not.toMatch(/skipped/);
      expect({ code, output }).toMatchObject({ code: 0 });
      // The mock saw the consumer subscribe with the suite's mask (commit-diff | audit | audit-sync).
      expect(serve.stderr()).toContain('subscribed (mask 131089, profile nso57 from protocol 77)');
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  }, 60_000);

  it('fails without the control URL, saying which variable to set', async () => {
    const { code, output } = await runUnittest('examples/clients/python/test_consumer_example.py', { NSO_MOCK_CONTROL: '' });
    expect(code).not.toBe(0);
    expect(output).toContain('set NSO_MOCK_CONTROL');
  }, 30_000);
});
