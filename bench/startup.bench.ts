/**
 * Process start-up and the CPU of a short command, against a bare Node process doing the least the
 * same job needs, spawned the same way and interleaved with ours round by round:
 *   - `serve --port 0` start to its ready line ÷ a `node -e` that listens on a TCP port and prints
 *     one line (Node's own start-up plus a listen: the floor no Node CLI can beat);
 *   - `nso-mock validate` of a 1 KB scenario: CPU time (user + system of the whole process, via a
 *     preloaded exit hook, bench/peers/cpu.cjs, loaded into both) ÷ `node -e 0`.
 *
 * Run: npm run build && npx vitest bench --run bench/startup.bench.ts
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { BENCH_DIR, interleave, MAIN_JS, once, ONCE, recordRow, ROOT_DIR } from './support.js';

if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build first`);

const FLOOR = `require('node:net').createServer().listen(0, '127.0.0.1', function () { process.stdout.write(JSON.stringify({ event: 'ready', port: this.address().port }) + '\\n'); });`;
const ROUNDS = 15;

/** Spawns `node args…`, resolves with the ms until its first stdout line, and kills it. */
function timeToReady(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (!out.includes('\n')) return;
      const ms = performance.now() - start;
      child.once('exit', () => resolve(ms));
      child.kill('SIGKILL');
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!out.includes('\n')) reject(new Error(`exited (${String(code)}) before its ready line`));
    });
  });
}

/** CPU ms of `node -r cpu.cjs args…` to its exit (user + system, whole process). */
function cpuOf(args: readonly string[], dir: string, expectCode: number): Promise<number> {
  const file = join(dir, `cpu-${Math.random().toString(36).slice(2)}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', join(BENCH_DIR, 'peers', 'cpu.cjs'), ...args], { stdio: 'ignore', env: { ...process.env, NSOMOCK_BENCH_CPU: file }, cwd: ROOT_DIR });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== expectCode) reject(new Error(`bench: ${args.join(' ')} exited ${String(code)}`));
      else resolve(Number(readFileSync(file, 'utf8').trim()) / 1000);
    });
  });
}

describe('start-up', () => {
  bench(
    'serve ready line vs node listen + print',
    once(async () => {
      await timeToReady([MAIN_JS, 'serve', '--port', '0']);
      await timeToReady(['-e', FLOOR]);
      const s = await interleave(ROUNDS, [
        { name: 'serve', run: () => timeToReady([MAIN_JS, 'serve', '--port', '0']) },
        { name: 'floor', run: () => timeToReady(['-e', FLOOR]) },
      ]);
      recordRow({
        section: 'CLI start-up and CPU',
        what: 'process start to the ready line',
        ours: 'nso-mock serve --port 0',
        peer: 'node -e: listen on TCP, print one line',
        unit: 'ms',
        higherIsBetter: false,
        oursSamples: s.get('serve')!,
        peerSamples: s.get('floor')!,
        target: '≤ 1.6',
      });
    }),
    ONCE,
  );
  bench(
    'validate CPU vs node -e 0',
    once(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nsomock-cpu-'));
      try {
        const file = join(ROOT_DIR, 'examples', 'commit-diff-ack.yaml');
        await cpuOf([MAIN_JS, 'validate', file], dir, 0);
        const s = await interleave(ROUNDS, [
          { name: 'validate', run: () => cpuOf([MAIN_JS, 'validate', file], dir, 0) },
          { name: 'floor', run: () => cpuOf(['-e', '0'], dir, 0) },
        ]);
        recordRow({
          section: 'CLI start-up and CPU',
          what: `CPU time (user + system) of validating examples/commit-diff-ack.yaml (${readFileSync(file).length} bytes)`,
          ours: 'nso-mock validate',
          peer: 'node -e 0',
          unit: 'ms',
          higherIsBetter: false,
          oursSamples: s.get('validate')!,
          peerSamples: s.get('floor')!,
          target: '≤ 2.5',
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    ONCE,
  );
});
