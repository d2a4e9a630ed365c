/**
 * The pytest plugin in python/ (README "Test a Python consumer with pytest"): its own test suite runs
 * under the machine's python3 and pytest against the BUILT CLI, and `pip install` of the folder (and
 * of an sdist built from it) registers the `nso_mock` fixture through the pytest11 entry point.
 * A missing pytest fails here with the install hint (CI installs python3-pytest, see .ci/run): never
 * a skip.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mainJs, repoRoot } from './cli-process.js';
import { scaled } from '../support/time-scale.js';

const MISSING_PYTEST =
  'pytest-plugin tests: `python3 -m pytest` is not available. The pytest plugin (python/) is tested with the real pytest; ' +
  'install it (Debian/Ubuntu: apt-get install python3-pytest python3-venv, or npm run setup-test-deps, which .ci/run also runs) and run the tests again.';

interface Run {
  readonly code: number;
  readonly output: string;
}

function run(command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd ?? repoRoot, env: { ...process.env, NSO_MOCK_CLI: `node ${mainJs}`, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: -1, output: `${output}\n${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

async function requirePytest(): Promise<void> {
  const probe = await run('python3', ['-c', 'import pytest, venv; print(pytest.__version__)']);
  if (probe.code !== 0) throw new Error(`${MISSING_PYTEST}\n${probe.output}`);
}

const scratch = mkdtempSync(join(tmpdir(), 'nsomock-pytest-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('python/ (the pytest plugin)', () => {
  it('its test suite passes under python3 -m pytest, the forgotten-ack example failing as it must', async () => {
    await requirePytest();
    const result = await run('python3', ['-m', 'pytest', 'python/tests', '-q', '-p', 'no:cacheprovider']);
    expect(result.output).not.toMatch(/skipped|xfail|deselected/);
    expect(result.output).toMatch(/\b12 passed\b/);
    expect(result).toMatchObject({ code: 0 });
  }, scaled(240_000));

  it('pip installs from the folder and from its sdist, offline, and the fixture registers itself (pytest11)', async () => {
    await requirePytest();
    const venv = join(scratch, 'venv');
    const made = await run('python3', ['-m', 'venv', '--system-site-packages', venv]);
    expect(made).toMatchObject({ code: 0 });
    const python = join(venv, 'bin', 'python');
    // The sdist, built by the folder's own PEP 517 backend as any frontend would call it.
    const sdistDir = join(scratch, 'sdist');
    const built = await run(python, ['-c', `import os, sys; sys.path.insert(0, '_build'); import backend; os.makedirs(${JSON.stringify(sdistDir)}); print(backend.build_sdist(${JSON.stringify(sdistDir)}))`], { cwd: join(repoRoot, 'python') });
    expect(built).toMatchObject({ code: 0 });
    const [sdist] = readdirSync(sdistDir);
    expect(sdist).toBe('pytest_nso_mock-0.1.0.tar.gz');
    for (const source of [join(repoRoot, 'python'), join(sdistDir, sdist ?? '')]) {
      const installed = await run(python, ['-m', 'pip', 'install', '--no-index', '--disable-pip-version-check', '--force-reinstall', '--no-deps', source]);
      expect(installed.output).toMatch(/Successfully installed pytest-nso-mock-0\.1\.0/);
      // A project of its own: no conftest, nothing on PYTHONPATH; only the entry point brings nso_mock.
      const project = mkdtempSync(join(scratch, 'project-'));
      writeFileSync(
        join(project, 'test_mine.py'),
        [
          'def test_emits_to_nobody(nso_mock):',
          '    assert nso_mock.emit({"type": "commit-diff", "th": 1})["recipients"] == []',
          '    assert nso_mock.port > 0 and nso_mock.violations() == []',
          '',
        ].join('\n'),
      );
      const tested = await run(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', project], { cwd: project, env: { PYTHONPATH: '' } });
      expect(tested.output).toMatch(/\b1 passed\b/);
      expect(tested).toMatchObject({ code: 0 });
    }
  }, scaled(240_000));
});
