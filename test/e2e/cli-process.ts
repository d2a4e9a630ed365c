/**
 * Spawns the BUILT CLI (`node dist/cli/main.js`) as a user would, and reads its output: the
 * ready line first on stdout, logs on stderr, the exit code.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';

export const repoRoot: string = fileURLToPath(new URL('../..', import.meta.url));
export const mainJs: string = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface ReadyLine {
  readonly event: 'ready';
  readonly tcp: { readonly host: string; readonly port: number } | null;
  readonly unix: string | null;
}

export interface CliProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Every stdout line so far. */
  readonly stdout: string[];
  /** All stderr text so far. */
  stderr(): string;
  /** The first stdout line, parsed (rejects if the process exits first). */
  readonly ready: Promise<ReadyLine>;
  /** The exit code (a signal death gives -1). */
  readonly exited: Promise<number>;
}

/** Starts `node dist/cli/main.js ...args` in the repository root. */
export function startCli(args: readonly string[]): CliProcess {
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: build first (npm run build; npm test does)`);
  const child = spawn(process.execPath, [mainJs, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  let stderr = '';
  let partial = '';
  let resolveReady!: (r: ReadyLine) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<ReadyLine>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  // Commands without a ready line (validate, decode) never await it.
  ready.catch(() => undefined);
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    partial += chunk;
    for (let i = partial.indexOf('\n'); i >= 0; i = partial.indexOf('\n')) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      stdout.push(line);
      if (stdout.length === 1) {
        try {
          resolveReady(JSON.parse(line) as ReadyLine);
        } catch (e) {
          rejectReady(new Error(`first stdout line is not JSON: ${line} (${String(e)})`));
        }
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  void exited.then(() => rejectReady(new Error(`the CLI exited before its ready line; stderr:\n${stderr}`)));
  return { child, stdout, stderr: () => stderr, ready, exited };
}
