/**
 * The README's quick start on a fresh machine: `npm ci && npm start` serves (the ready line is the
 * first thing on stdout with `npm start --silent`: npm's own `> nso-mock start` banner goes to
 * stdout otherwise, and the prestart build writes to stderr), and `npm run setup-test-deps` —
 * scripts/install-test-deps.sh, which .ci/run also calls — installs exactly what the tests need.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './cli-process.js';
import { scaled } from '../support/time-scale.js';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

describe('npm start', () => {
  it('--silent: the first stdout line is the ready line (the prestart build is skipped here: it would rewrite dist/ under the other tests)', async () => {
    const child = spawn('npm', ['start', '--silent', '--ignore-scripts', '--', '--port', '0', '--scenario', 'examples/idle.yaml'], {
      cwd: repoRoot,
      detached: true, // npm does not pass SIGTERM on; the test stops the whole group
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          const end = out.indexOf('\n');
          if (end >= 0) resolve(out.slice(0, end));
        });
        child.on('close', (code) => reject(new Error(`npm start exited (${String(code)}) before a line; stdout: ${out}`)));
      });
      expect(JSON.parse(first)).toMatchObject({ event: 'ready', tcp: { host: '127.0.0.1' } });
    } finally {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    }
  }, scaled(60_000));

  it('builds before it serves, with the build output on stderr, and the README names both commands', () => {
    expect(pkg.scripts['prestart']).toBe('tsc -p tsconfig.build.json 1>&2');
    expect(pkg.scripts['start']).toBe('node dist/cli/main.js serve');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm run setup-test-deps && npm test');
    expect(readme).toContain('npm start --silent');
  });
});

describe('scripts/install-test-deps.sh (npm run setup-test-deps, .ci/run)', () => {
  const script = join(repoRoot, 'scripts', 'install-test-deps.sh');

  it('is what .ci/run and npm run setup-test-deps call', () => {
    expect(readFileSync(join(repoRoot, '.ci', 'run'), 'utf8')).toMatch(/^scripts\/install-test-deps\.sh$/m);
    expect(pkg.scripts['setup-test-deps']).toBe('bash scripts/install-test-deps.sh');
  });

  it('on a machine with none of the tools, would install every package the tests need', () => {
    const empty = mkdtempSync(join(tmpdir(), 'nso-mock-empty-path-'));
    try {
      const result = spawnSync('/bin/bash', [script, '--dry-run'], { env: { PATH: empty }, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('install-test-deps: would install: erlang-nox kcat python3 python3-pytest python3-venv');
      expect(result.status).toBe(0);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('on this machine (which runs the tests) finds everything installed', () => {
    const result = spawnSync('/bin/bash', [script, '--dry-run'], { encoding: 'utf8' });
    expect(result.stdout).toContain('everything the tests need is installed');
    expect(result.status).toBe(0);
  });
});
