/**
 * `ClientProcess.fromTemplate`: placeholders and the NSO environment variables from the same
 * values (docs/conformance.md, "The client command"), on a real `sh`.
 */
import { describe, expect, it } from 'vitest';
import { ClientProcess, listConformCases, runConformCase, runFuzzScenario } from '../../src/harness/index.js';
import { TIME_SCALE } from '../support/time-scale.js';

const PRINT_ENV = 'printf "%s|" "${NCS_IPC_ADDR-unset}" "${NCS_IPC_PORT-unset}" "${NCS_IPC_PATH-unset}" "${NCS_IPC_ACCESS_FILE-unset}" "${CONFD_IPC_ACCESS_FILE-unset}" "${NSO_MOCK_MASK-unset}" "${NSO_MOCK_PROFILE-unset}" "${NSO_MOCK_CASE-unset}"';

async function output(client: ClientProcess): Promise<string> {
  await client.exited;
  return client.stdout;
}

describe('ClientProcess.fromTemplate', () => {
  it('fills the placeholders (quoted) and sets the same values in the environment', async () => {
    const client = ClientProcess.fromTemplate(`echo {port} {case}; ${PRINT_ENV}`, {
      host: '127.0.0.1',
      port: 4569,
      unix: '/tmp/ipc sock',
      access_file: 's.key',
      mask: 16,
      profile: 'nso6x',
      case: "it's",
    });
    expect(client.command).toBe(`echo 4569 'it'\\''s'; ${PRINT_ENV}`);
    expect(await output(client)).toBe("4569 it's\n127.0.0.1|4569|/tmp/ipc sock|s.key|s.key|16|nso6x|it's|");
  });

  it('removes an inherited variable that has no value (an NCS_IPC_PATH would win over the port), and options.env wins', async () => {
    const saved = process.env['NCS_IPC_PATH'];
    process.env['NCS_IPC_PATH'] = '/somewhere/else.sock';
    try {
      const client = ClientProcess.fromTemplate(PRINT_ENV, { host: '127.0.0.1', port: 4569, unix: '' }, { env: { NSO_MOCK_CASE: 'mine' } });
      expect(await output(client)).toBe('127.0.0.1|4569|unset|unset|unset|unset|unset|mine|');
    } finally {
      if (saved === undefined) delete process.env['NCS_IPC_PATH'];
      else process.env['NCS_IPC_PATH'] = saved;
    }
  });

  it('keeps no stdout with keepStdout: false (the output is read by the caller), but still the stderr tail', async () => {
    const client = ClientProcess.fromTemplate('echo out; echo err >&2', {}, { keepStdout: false });
    const seen: string[] = [];
    client.child.stdout?.on('data', (chunk: string) => seen.push(chunk));
    expect(await client.exited).toMatchObject({ code: 0, stopped: false });
    expect(client.stdout).toBe('');
    expect(seen.join('')).toBe('out\n');
    expect(client.stderrTail).toEqual(['err']);
  });

  describe('the runners start their client with it', () => {
    // An inherited NCS_IPC_PATH must not reach the client: it would win over the port (§1.1).
    async function withInheritedPath<T>(body: () => Promise<T>): Promise<T> {
      const saved = process.env['NCS_IPC_PATH'];
      process.env['NCS_IPC_PATH'] = '/somewhere/else.sock';
      try {
        return await body();
      } finally {
        if (saved === undefined) delete process.env['NCS_IPC_PATH'];
        else process.env['NCS_IPC_PATH'] = saved;
      }
    }

    it('fuzz: the NSO variables, profile and case, and no inherited NCS_IPC_PATH', async () => {
      const outcome = await withInheritedPath(() =>
        runFuzzScenario(
          { scenario: { name: 'env', steps: [{ 'await-subscribers': { mask: ['audit'], within: '50ms' } }] }, mask: 1, maskNames: ['audit'] },
          { client: `echo {port} >&2; ${PRINT_ENV} >&2` },
        ),
      );
      const [port, env] = outcome.stderrTail;
      expect(env).toBe(`127.0.0.1|${port}|unset|unset|unset|1|nso57|fuzz|`);
    });

    it('conform: the NSO variables, profile and case, and no inherited NCS_IPC_PATH', async () => {
      const [c] = await listConformCases('nso57', ['handshake.tcp']);
      expect(c?.name).toBe('handshake.tcp');
      const result = await withInheritedPath(() => runConformCase(c!, { client: `echo {port} {mask} >&2; ${PRINT_ENV} >&2`, timeoutScale: 0.2 * TIME_SCALE }));
      const [placeholders, env] = result.client?.stderrTail ?? [];
      const [port, mask] = placeholders?.split(' ') ?? [];
      expect(env).toBe(`127.0.0.1|${port}|unset|unset|unset|${mask}|nso57|handshake.tcp|`);
    });
  });
});
