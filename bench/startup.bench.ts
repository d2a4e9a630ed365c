/**
 * How long `nso-mock serve` takes from process start to its ready line (target: under 150 ms),
 * against peers spawned the same way in the same run (STYLE.md §5 "Benchmarks"):
 *   (a) the floor: `node -e` that listens on a TCP port and prints one line — Node's own startup
 *       plus a listen, what no CLI can beat;
 *   (b) the CLI through yargs: `nso-mock serve --port 0 --verbose=false`, a command line the fast
 *       path leaves to yargs (src/cli/fast-args.ts), to show what the fast path saves.
 * Each sample spawns a process, waits for the first stdout line, then kills it. The ratio table
 * (mean time ÷ floor) and the absolute means are printed at the end.
 *
 * Run: npm run build && npx vitest bench --run bench/startup.bench.ts
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, bench, describe } from 'vitest';

const mainJs = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run npm run build first`);

const FLOOR = `require('node:net').createServer().listen(0, '127.0.0.1', function () { process.stdout.write(JSON.stringify({ event: 'ready', port: this.address().port }) + '\\n'); });`;

const samples: Record<string, number[]> = { serve: [], 'serve via yargs': [], floor: [] };

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

const options = { iterations: 20, warmupIterations: 2, time: 0 };

describe('process start -> ready line', () => {
  bench(
    'nso-mock serve --port 0',
    async () => {
      samples['serve']?.push(await timeToReady([mainJs, 'serve', '--port', '0']));
    },
    options,
  );
  bench(
    'nso-mock serve through yargs (--verbose=false)',
    async () => {
      samples['serve via yargs']?.push(await timeToReady([mainJs, 'serve', '--port', '0', '--verbose=false']));
    },
    options,
  );
  bench(
    'floor: node -e listen + print',
    async () => {
      samples['floor']?.push(await timeToReady(['-e', FLOOR]));
    },
    options,
  );
});

function stats(values: readonly number[]): { mean: number; median: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length), median: at(0.5), p95: at(0.95) };
}

afterAll(() => {
  const floor = stats(samples['floor'] ?? []).mean;
  const rows = Object.entries(samples).map(([name, values]) => {
    const s = stats(values);
    return `${name.padEnd(18)} mean ${s.mean.toFixed(1).padStart(6)} ms  median ${s.median.toFixed(1).padStart(6)} ms  p95 ${s.p95
      .toFixed(1)
      .padStart(6)} ms  ×floor ${(s.mean / floor).toFixed(2)}`;
  });
  process.stdout.write(`\nstartup (target: serve under 150 ms)\n${rows.join('\n')}\n`);
});
