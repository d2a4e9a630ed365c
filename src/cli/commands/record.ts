import type { CommandModule } from 'yargs';

/** The options of `nso-mock record` (docs/cli.md). */
export interface RecordArgs {
  readonly upstream?: string;
  readonly 'upstream-unix'?: string;
  readonly out: string;
  readonly host: string;
  readonly port?: number;
  readonly unix?: string;
  readonly 'access-secret-file'?: string;
  readonly 'upstream-secret-file'?: string;
  readonly name?: string;
  readonly profile: 'auto' | 'nso57' | 'nso62' | 'nso66';
  readonly redact?: readonly string[];
  readonly 'max-gap'?: string;
  readonly 'log-format': 'text' | 'json';
  readonly verbose: boolean;
}

/** `HOST:PORT` (an IPv6 host in brackets). */
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):([0-9]{1,5})$/;

/**
 * `--upstream HOST:PORT` as host and port, or undefined when it is not one.
 * @example parseHostPort('10.0.0.5:4569') // { host: '10.0.0.5', port: 4569 }
 */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const m = HOST_PORT.exec(text);
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}

/**
 * The checks yargs' types cannot express; the message of the first failing one, or undefined.
 * @example checkRecordArgs({ out: 'x.yaml' }) // 'give the NSO to record: --upstream HOST:PORT or --upstream-unix PATH'
 */
export function checkRecordArgs(args: Readonly<Record<string, unknown>>): string | undefined {
  const upstream = args['upstream'];
  const unix = args['upstream-unix'];
  if ((upstream === undefined) === (unix === undefined)) return 'give the NSO to record: --upstream HOST:PORT or --upstream-unix PATH (one of them)';
  if (upstream !== undefined && (typeof upstream !== 'string' || parseHostPort(upstream) === undefined)) {
    return `--upstream takes HOST:PORT (port 1 to 65535), got ${JSON.stringify(upstream)}`;
  }
  if (unix !== undefined && (typeof unix !== 'string' || unix === '')) return `--upstream-unix takes one socket path, got ${JSON.stringify(unix)}`;
  const port = args['port'];
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) {
    return `--port must be an integer from 0 to 65535, got ${Number.isNaN(port) ? 'something that is not a number' : String(port)}`;
  }
  for (const name of ['out', 'unix', 'access-secret-file', 'upstream-secret-file', 'name', 'max-gap']) {
    const value = args[name];
    if (value !== undefined && (typeof value !== 'string' || value === '')) return `--${name} takes one value, got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** `nso-mock record`: a transparent recording proxy in front of a real NSO; writes a replayable scenario. */
export const recordCommand: CommandModule<object, RecordArgs> = {
  command: 'record',
  describe: "Proxy clients to a real NSO and record its events into a scenario that `run` replays (docs/cli.md)",
  builder: (y) =>
    y
      .option('upstream', { type: 'string', describe: 'The NSO to record, HOST:PORT (its IPC port, 4569 by default on NSO)' })
      .option('upstream-unix', { type: 'string', describe: "The NSO to record, by its Unix socket (NCS_IPC_PATH)" })
      .option('out', { type: 'string', demandOption: true, describe: 'The scenario file to write (atomically; rewritten after every connection and when stopped)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'TCP address to listen on' })
      .option('port', { type: 'number', describe: 'TCP port clients connect to (0 = a free one; default 4569, or no TCP when only --unix is given)' })
      .option('unix', { type: 'string', describe: 'Unix-domain socket path clients connect to' })
      .option('access-secret-file', { type: 'string', describe: "Check clients' IPC access check with the secret in this file" })
      .option('upstream-secret-file', { type: 'string', describe: "Answer the upstream's IPC access check with the secret in this file" })
      .option('name', { type: 'string', describe: "The scenario's name (default: where and when it was recorded)" })
      .option('profile', {
        type: 'string',
        choices: ['auto', 'nso57', 'nso62', 'nso66'],
        default: 'auto',
        describe: "Layout profile: auto checks each connection against its client's protocol version and writes none (replayed the same way); a name is forced on every connection and written",
      })
      .option('redact', { type: 'string', array: true, describe: 'PATTERN=>REPLACEMENT: replace every match of the regular expression in the recorded text (user names, addresses, messages); repeatable' })
      .option('max-gap', { type: 'string', describe: 'Longest wait to write (e.g. 2s); longer pauses are shortened to it' })
      .option('log-format', { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'Format of the logs on stderr' })
      .option('verbose', { type: 'boolean', default: false, describe: 'Also log debug lines (checkpoint writes, socket errors)' })
      .check((argv) => {
        const problem = checkRecordArgs(argv);
        if (problem !== undefined) throw new Error(problem);
        return true;
      }) as never,
  handler: async (argv) => {
    const { runRecord } = await import('../record-command.js');
    process.exitCode = await runRecord(argv);
  },
};
