/**
 * A client under test as a child process, for `conform` and `fuzz`: the command template with its
 * placeholders filled (each value shell-quoted), run through the shell in its own process group so
 * that stopping it also stops what it started, with stdout kept and stderr's tail kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Values for the `{name}` placeholders of a client command. */
export type Placeholders = Readonly<Record<string, string | number | undefined>>;

/** The placeholders every runner fills (docs/conformance.md). */
export const PLACEHOLDER_NAMES: readonly string[] = [
  'host',
  'port',
  'unix',
  'mask',
  'mask_names',
  'heartbeat',
  'health_check',
  'stream',
  'start_time',
  'stop_time',
  'profile',
  'access_file',
  'case',
];

/** Quotes a value for POSIX `sh`; the empty string becomes `''` so positions are kept. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Fills `{name}` placeholders; unknown names are left as written, known names without a value
 * become `''`.
 * @example
 *   fillPlaceholders('client --port {port} --unix {unix}', { port: 4569 }) // => "client --port 4569 --unix ''"
 */
export function fillPlaceholders(template: string, values: Placeholders): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, name: string) => {
    if (!(name in values) && !PLACEHOLDER_NAMES.includes(name)) return whole;
    const value = values[name];
    return shellQuote(value === undefined ? '' : String(value));
  });
}

/** How a client process ended. */
export interface ClientExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Whether the runner stopped it. */
  readonly stopped: boolean;
}

/** Options of {@link ClientProcess}. */
export interface ClientProcessOptions {
  /** Added to the environment; an undefined value removes an inherited variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Lines of stderr kept (default 50). */
  readonly stderrLines?: number;
  /**
   * Whether {@link ClientProcess.stdout} keeps everything the client prints (default true). A
   * long `nso-mock run --client` forwards the output instead: keeping it would grow without bound.
   */
  readonly keepStdout?: boolean;
}

/**
 * The environment a client gets beside its placeholders (docs/conformance.md, "The client
 * command"): the NSO variables a real client reads (PROTOCOL.md §1.1), so a client needs no
 * placeholders at all. A variable without a value is removed (undefined), so that one inherited
 * from the caller's environment (an NCS_IPC_PATH, which wins over the port) cannot redirect the
 * client, and an empty NCS_IPC_PORT cannot break a client that parses it.
 * @example
 *   clientEnvironment({ host: '127.0.0.1', port: 4569 }).NCS_IPC_PORT // => '4569'
 */
function clientEnvironment(values: Placeholders): Record<string, string | undefined> {
  const text = (name: string): string | undefined => {
    const value = values[name];
    return value === undefined || value === '' ? undefined : String(value);
  };
  return {
    NCS_IPC_ADDR: text('host'),
    NCS_IPC_PORT: text('port'),
    NCS_IPC_PATH: text('unix'),
    NCS_IPC_ACCESS_FILE: text('access_file'),
    CONFD_IPC_ACCESS_FILE: text('access_file'),
    NSO_MOCK_MASK: text('mask'),
    NSO_MOCK_PROFILE: text('profile'),
    NSO_MOCK_CASE: text('case'),
  };
}

/**
 * A spawned client under test.
 * @example
 *   const client = new ClientProcess("python3 client.py --port 4569");
 *   const exit = await client.stop();
 */
export class ClientProcess {
  readonly command: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (never rejects; a spawn failure is exit code 127). */
  readonly exited: Promise<ClientExit>;
  #stdout = '';
  #stderr: string[] = [];
  #partial = '';
  #exit: ClientExit | undefined;
  #stopping = false;
  readonly #keep: number;
  readonly #watchers = new Set<() => void>();

  /**
   * Starts a client from a command template: the placeholders filled ({@link fillPlaceholders})
   * and the same values in the NSO environment variables (docs/conformance.md); `options.env`
   * is applied last, so a caller can still override any of them.
   * @example
   *   const client = ClientProcess.fromTemplate('python3 client.py --port {port} --mask {mask}', { host: '127.0.0.1', port: 4569, mask: 16 });
   */
  static fromTemplate(template: string, values: Placeholders, options: ClientProcessOptions = {}): ClientProcess {
    return new ClientProcess(fillPlaceholders(template, values), { ...options, env: { ...clientEnvironment(values), ...options.env } });
  }

  constructor(command: string, options: ClientProcessOptions = {}) {
    this.command = command;
    this.#keep = options.stderrLines ?? 50;
    const keepStdout = options.keepStdout ?? true;
    this.child = spawn(command, {
      shell: true,
      detached: true, // its own process group: stop() signals the shell and what it started
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (keepStdout) this.#stdout += chunk;
      this.#wake();
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (this.#partial + chunk).split('\n');
      this.#partial = lines.pop() ?? '';
      this.#stderr.push(...lines);
      if (this.#stderr.length > this.#keep) this.#stderr.splice(0, this.#stderr.length - this.#keep);
    });
    this.exited = new Promise<ClientExit>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.#exit !== undefined) return;
        if (this.#partial !== '') this.#stderr.push(this.#partial);
        this.#exit = { code, signal, stopped: this.#stopping };
        this.#wake();
        resolve(this.#exit);
      };
      this.child.once('error', (error) => {
        this.#stderr.push(`spawn failed: ${error.message}`);
        done(127, null);
      });
      // 'close' (not 'exit'): all of stdout has been read by then.
      this.child.once('close', done);
    });
  }

  /** Everything it printed on stdout so far (nothing with `keepStdout: false`). */
  get stdout(): string {
    return this.#stdout;
  }

  /** The last lines of its stderr. */
  get stderrTail(): readonly string[] {
    return this.#partial === '' ? this.#stderr : [...this.#stderr, this.#partial];
  }

  /** How it ended, once it has. */
  get exit(): ClientExit | undefined {
    return this.#exit;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  #wake(): void {
    for (const w of [...this.#watchers]) w();
  }

  /** Resolves when `predicate` holds (checked on every stdout chunk and at exit), or after `ms` (false). */
  async until(predicate: () => boolean, ms: number): Promise<boolean> {
    if (predicate()) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), ms);
      const check = (): void => {
        if (predicate()) finish(true);
        else if (!this.running) finish(predicate());
      };
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        this.#watchers.delete(check);
        resolve(value);
      };
      this.#watchers.add(check);
    });
  }

  /** Resolves with the exit if it happens within `ms`, else undefined. */
  async waitForExit(ms: number): Promise<ClientExit | undefined> {
    if (this.#exit !== undefined) return this.#exit;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops it: SIGTERM to its process group, SIGKILL after `graceMs` (default 1000). */
  async stop(graceMs = 1000): Promise<ClientExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.#stopping = true;
    this.#signal('SIGTERM');
    const exit = await this.waitForExit(graceMs);
    if (exit !== undefined) return exit;
    this.#signal('SIGKILL');
    return this.exited;
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}
