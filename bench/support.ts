/**
 * What every benchmark file shares (STYLE.md §5 "Benchmarks"; the rules are in bench/README.md):
 * child processes driven by lines (the Erlang peer, the mock driver, the reader), interleaved
 * rounds, and the rows that `bench/write-results.mjs` turns into bench/RESULTS.md.
 *
 * A row compares ours with a named peer doing the same work. Every round runs each contender once,
 * in an order that rotates from round to round, so a burst of load from the machine's other users
 * falls on all of them alike; the row keeps every sample and the per-round ratio, and prints the
 * min / median / max of the ratios.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR: string = fileURLToPath(new URL('.', import.meta.url));
export const ROOT_DIR: string = fileURLToPath(new URL('..', import.meta.url));
export const MAIN_JS: string = join(ROOT_DIR, 'dist', 'cli', 'main.js');
export const ROWS_FILE: string = join(BENCH_DIR, '.results', 'rows.jsonl');

/** Options of a `bench()` that does its own rounds (see {@link once}). */
export const ONCE = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 } as const;

/**
 * A bench function that measures on its first call only: vitest's bench runner (tinybench) calls a
 * task more than once even with {@link ONCE}, and these tasks do their own interleaved rounds.
 */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

/** A child process spoken to by lines. */
export interface Proc {
  readonly child: ChildProcess;
  next(match: RegExp): Promise<string>;
  send(line: string): void;
  /** Closes stdin and waits for the exit (kills after 5 s). */
  stop(): Promise<void>;
}

export function proc(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Proc {
  const child = spawn(command, [...args], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  if (child.stdout === null || child.stdin === null) throw new Error('bench: no stdio');
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  let waiter: ((l: string | undefined) => void) | undefined;
  let ended = false;
  lines.on('line', (l) => {
    if (waiter !== undefined) {
      const w = waiter;
      waiter = undefined;
      w(l);
    } else queue.push(l);
  });
  lines.on('close', () => {
    ended = true;
    waiter?.(undefined);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stdin = child.stdin;
  return {
    child,
    async next(match) {
      for (;;) {
        const l = queue.shift() ?? (ended ? undefined : await new Promise<string | undefined>((r) => (waiter = r)));
        if (l === undefined) throw new Error(`bench: ${command} ${args.join(' ').slice(0, 80)} ended before a line matching ${String(match)}`);
        if (match.test(l)) return l;
      }
    },
    send: (line) => void stdin.write(`${line}\n`),
    async stop() {
      stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The number after `prefix ` in a line such as `us 1234`. */
export function numberOf(line: string): number {
  return Number(line.split(' ')[1]);
}

let erlDir: string | undefined;

/** Starts the Erlang peer (bench/peers/nsomock_peer.erl, compiled once per process) and reads its port. */
export async function erlangPeer(): Promise<{ proc: Proc; port: number }> {
  if (erlDir === undefined) {
    erlDir = mkdtempSync(join(tmpdir(), 'nsomock-bench-'));
    writeFileSync(join(erlDir, 'nsomock_peer.erl'), readFileSync(join(BENCH_DIR, 'peers', 'nsomock_peer.erl')));
    const compiled = proc('erlc', ['-o', erlDir, join(erlDir, 'nsomock_peer.erl')]);
    await new Promise<void>((resolve, reject) => compiled.child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`bench: erlc exited ${String(code)}`)))));
  }
  const p = proc('erl', ['-noshell', '-pa', erlDir, '-s', 'nsomock_peer', 'main']);
  return { proc: p, port: numberOf(await p.next(/^port \d+$/)) };
}

/** Starts the mock driver (bench/peers/mock-driver.mjs: startNsoMock() in its own process). */
export async function mockPeer(): Promise<{ proc: Proc; port: number }> {
  const p = proc(process.execPath, [join(BENCH_DIR, 'peers', 'mock-driver.mjs')]);
  return { proc: p, port: numberOf(await p.next(/^port \d+$/)) };
}

/** Starts a reader (bench/peers/reader.mjs) of `k` connections; `connect` is sent by the caller. */
export function readerOf(port: number, k: number, subscriptionHex: string, ack = false): Proc {
  return proc(process.execPath, [join(BENCH_DIR, 'peers', 'reader.mjs'), '127.0.0.1', String(port), String(k), subscriptionHex, ...(ack ? ['ack'] : [])]);
}

/** Resident set size of a process, KiB (Linux /proc). */
export function rssKiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? Number.NaN : Number(m[1]);
}

export interface Contender {
  readonly name: string;
  /** One sample (the row's unit). */
  run(): Promise<number>;
}

/**
 * `rounds` rounds, each one sample per contender; the order rotates by one each round. Returns the
 * samples by contender name.
 */
export async function interleave(rounds: number, contenders: readonly Contender[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + r) % contenders.length]!;
      out.get(c.name)!.push(await c.run());
    }
  }
  return out;
}

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export function spread(xs: readonly number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { min: s[0] ?? Number.NaN, median, max: s[s.length - 1] ?? Number.NaN };
}

/** One line of the results table. */
export interface Row {
  /** Section of RESULTS.md. */
  readonly section: string;
  /** What is measured, and for single-shape or special rows, say so. */
  readonly what: string;
  readonly ours: string;
  readonly peer: string;
  /** Unit of the samples: a rate (`/s`: higher is better) or a cost (`ms`, `µs`, `KiB`: lower is better). */
  readonly unit: string;
  readonly higherIsBetter: boolean;
  readonly oursSamples: readonly number[];
  readonly peerSamples: readonly number[];
  /** The issue's target for ours ÷ peer, as text (`≥ 1.0`, `≤ 2`), if it sets one. */
  readonly target?: string;
  readonly note?: string;
}

/** Appends a row for write-results.mjs and prints it. Ratios are per round (same round, same load). */
export function recordRow(row: Row): void {
  mkdirSync(join(BENCH_DIR, '.results'), { recursive: true });
  const ratios = row.oursSamples.map((x, i) => x / (row.peerSamples[i] ?? Number.NaN));
  appendFileSync(ROWS_FILE, `${JSON.stringify({ ...row, ratios })}\n`);
  const r = spread(ratios);
  const o = spread(row.oursSamples);
  const p = spread(row.peerSamples);
  const f = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3));
  process.stdout.write(
    `  ${row.what} — ${row.ours} ÷ ${row.peer}: ${r.min.toFixed(2)} / ${r.median.toFixed(2)} / ${r.max.toFixed(2)}× ` +
      `(ours median ${f(o.median)} ${row.unit}, peer ${f(p.median)} ${row.unit})${row.target === undefined ? '' : `, target ${row.target}`}\n`,
  );
}

/** Removes the temporary directory of the Erlang peer. */
export function cleanUp(): void {
  if (erlDir !== undefined) rmSync(erlDir, { recursive: true, force: true });
  erlDir = undefined;
}
