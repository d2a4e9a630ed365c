/**
 * Options shared by `serve` and `run` (docs/cli.md), declared once in {@link SERVER_OPTIONS}: the
 * yargs builder and the fast path of fast-args.ts both read this table, and both validate with
 * {@link checkServerArgs}, so they cannot disagree.
 */
import type { Argv } from 'yargs';
import type { MockServerOptions } from '../../server/index.js';

/** The parsed options of `serve` and `run`. */
export interface ServerArgs {
  readonly host: string;
  readonly port?: number;
  readonly unix?: string;
  /** Permissions of the --unix socket, octal text (default 600). */
  readonly 'unix-mode'?: string;
  readonly profile?: 'auto' | 'nso57' | 'nso62' | 'nso66' | 'nso6x';
  readonly 'access-secret-file'?: string;
  readonly seed?: number;
  readonly report?: string;
  readonly junit?: string;
  readonly 'log-format': 'text' | 'json';
  readonly verbose: boolean;
  /** The HTTP control API (docs/control-api.md): loopback port, optional bearer token. */
  readonly 'control-port'?: number;
  readonly 'control-token'?: string;
  /** The directory the includes of a scenario posted to the control API's `/play` must stay in (default: the working directory). */
  readonly 'control-root'?: string;
  /** The NCMP feed (docs/ncmp.md): NDJSON/SSE over HTTP on this loopback port (0 = a free one). */
  readonly 'ncmp-port'?: number;
  /** Also write every NCMP record, as NDJSON, to this file. */
  readonly 'ncmp-tee'?: string;
  /** Publish the NCMP records to these Kafka brokers (`host:port,host:port`). */
  readonly 'kafka-brokers'?: string;
  /** MAAPI's data models (docs/maapi.md): `.yang` / `.fxs` files; wins over the scenario's `schema:`. */
  readonly schema?: readonly string[];
  /** Server limits (docs/decisions/005-decode-budget.md); each wins over the scenario's `options:`. */
  readonly 'max-frame-bytes'?: number;
  readonly 'max-subscribe-frame-bytes'?: number;
  readonly 'max-decoded-bytes'?: number;
  readonly 'max-subscribe-decoded-bytes'?: number;
  readonly 'journal-max-bytes'?: number;
  /** A duration with a unit (`5s`, `500ms`; `0` = off), as in scenarios. */
  readonly 'input-stall-timeout'?: string;
}

/** The NSO default IPC port (PROTOCOL.md §1.1): real clients connect here without configuration. */
export const DEFAULT_PORT = 4569;

/** One option of {@link SERVER_OPTIONS}. */
export interface OptionSpec {
  readonly type: 'string' | 'number' | 'boolean';
  readonly describe: string;
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
  /** Takes one or more values (`--schema a.yang b.yang`, or the option repeated). */
  readonly array?: boolean;
}

/** Every option of `serve` and `run` (the names are the `ServerArgs` keys). */
export const SERVER_OPTIONS: Readonly<Record<keyof ServerArgs, OptionSpec>> = {
  host: { type: 'string', default: '127.0.0.1', describe: 'TCP address to listen on' },
  port: { type: 'number', describe: `TCP port (0 = pick a free one; default ${DEFAULT_PORT}, or no TCP when only --unix is given)` },
  unix: { type: 'string', describe: 'Unix-domain socket path to listen on (what clients get as NCS_IPC_PATH)' },
  'unix-mode': { type: 'string', describe: 'Permissions of the --unix socket, in octal (default 600: owner only; 660 lets the group connect)' },
  profile: {
    type: 'string',
    choices: ['auto', 'nso57', 'nso62', 'nso66', 'nso6x'],
    describe: "Layout profile forced on every connection (overrides the scenario); default auto: each connection gets its client's (protocol 77: nso57, 82: nso62); nso6x is a deprecated alias of nso66",
  },
  'access-secret-file': { type: 'string', describe: 'Require the IPC access check, with the secret in this file' },
  seed: { type: 'number', describe: 'Seed of every random choice (overrides the scenario)' },
  report: { type: 'string', describe: 'Write the JSON run report to this file' },
  junit: { type: 'string', describe: 'Write a JUnit XML report to this file' },
  'log-format': { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'Format of the logs on stderr' },
  verbose: { type: 'boolean', default: false, describe: 'Also log every emit and ack' },
  'control-port': { type: 'number', describe: 'Serve the HTTP control API on this loopback port (0 = a free one; docs/control-api.md)' },
  'control-token': { type: 'string', describe: 'Bearer token the control API requires (default: $NSO_MOCK_CONTROL_TOKEN, else none)' },
  'control-root': { type: 'string', describe: 'Directory the includes of a scenario posted to the control API must stay in (default: the working directory)' },
  'ncmp-port': { type: 'number', describe: 'Serve the NCMP event feed (NDJSON and SSE per topic) on this loopback port (0 = a free one; docs/ncmp.md)' },
  'ncmp-tee': { type: 'string', describe: 'Also write every NCMP record as NDJSON to this file' },
  'kafka-brokers': { type: 'string', describe: 'Publish the NCMP records to these Kafka brokers (host:port,host:port)' },
  schema: { type: 'string', array: true, describe: "Data models MAAPI clients load and transactions use (.yang or .fxs files; default: the scenario's schema:, docs/maapi.md)" },
  'max-frame-bytes': { type: 'number', describe: 'Largest client frame once a connection has subscribed, in bytes (default 16777216: 16 MiB)' },
  'max-subscribe-frame-bytes': { type: 'number', describe: 'Largest client frame before the subscription, in bytes (default 32768: 32 KiB; at most --max-frame-bytes)' },
  'max-decoded-bytes': { type: 'number', describe: 'Decode budget of one client frame after the subscription, in estimated bytes of the decoded term (default 1048576: 1 MiB)' },
  'max-subscribe-decoded-bytes': { type: 'number', describe: 'Decode budget of one client frame before the subscription (default 262144: 256 KiB)' },
  'journal-max-bytes': { type: 'number', describe: 'Estimated bytes the journal may hold; older entries are dropped and counted (default 67108864: 64 MiB)' },
  'input-stall-timeout': { type: 'string', describe: 'Close a connection whose incomplete frame gets no byte for this long (violation input-stall), with a unit: 5s, 500ms; 0 = never (default 5s)' },
};

/** The byte-limit options and the server option each sets; the least value each may take. */
const BYTE_LIMITS = [
  ['max-frame-bytes', 'maxFrameBytes', 1],
  ['max-subscribe-frame-bytes', 'maxSubscribeFrameBytes', 1],
  ['max-decoded-bytes', 'maxDecodedBytes', 1],
  ['max-subscribe-decoded-bytes', 'maxSubscribeDecodedBytes', 1],
  ['journal-max-bytes', 'journalMaxBytes', 0],
] as const satisfies readonly (readonly [keyof ServerArgs, keyof MockServerOptions, number])[];

// The scenario format's durations (src/scenarios/duration.ts: DURATION_PATTERN, MAX_DURATION_MS),
// restated here because the fast path must not load the scenarios layer before the ready line
// (bench/startup.bench.ts); test/cli/server-limits.test.ts checks that both read every text alike.
const DURATION = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+$/;
const DURATION_PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const MAX_DURATION_MS = 2_073_600_000;

/**
 * A duration option's milliseconds, read as a scenario reads one (`250ms`, `5s`, `1m30s`, a bare
 * `0`); undefined for anything else, a bare non-zero number included (`--input-stall-timeout 5`
 * read as 5 ms where 5 s was meant is the mistake units prevent), and past 576h.
 * @example parseDurationOption('1.5s') // 1500
 */
export function parseDurationOption(text: string): number | undefined {
  if (text === '0') return 0;
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(DURATION_PART)) total += Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
  return total <= MAX_DURATION_MS ? Math.round(total) : undefined;
}

/**
 * The server options the limit flags set (checked already by {@link checkServerArgs}).
 * @example serverLimitsOf({ 'max-frame-bytes': 1024, 'input-stall-timeout': '2s' }) // { maxFrameBytes: 1024, inputStallTimeoutMs: 2000 }
 */
export function serverLimitsOf(args: Partial<ServerArgs>): MockServerOptions {
  const out: Record<string, number> = {};
  for (const [flag, option] of BYTE_LIMITS) {
    const value = args[flag];
    if (value !== undefined) out[option] = value;
  }
  const stall = args['input-stall-timeout'];
  const stallMs = stall === undefined ? undefined : parseDurationOption(stall);
  if (stallMs !== undefined) out['inputStallTimeoutMs'] = stallMs;
  return out;
}

/** `host:port`, the form kafkajs takes (an IPv6 host in brackets). */
const BROKER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$/;

/**
 * The broker list of `--kafka-brokers`: comma-separated `host:port`, blanks around commas ignored.
 * @example parseKafkaBrokers('k1:9092, k2:9092') // ['k1:9092', 'k2:9092']
 */
export function parseKafkaBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/** Whether an NCMP option was given (the NCMP engine then starts even for a scenario without NCMP steps). */
export function ncmpOptionsGiven(args: Pick<ServerArgs, 'ncmp-port' | 'ncmp-tee' | 'kafka-brokers'>): boolean {
  return args['ncmp-port'] !== undefined || args['ncmp-tee'] !== undefined || args['kafka-brokers'] !== undefined;
}

/** A rejected value as the user can recognise it: yargs turns `--port abc` into NaN. */
function shown(value: unknown): string {
  return typeof value === 'number' && Number.isNaN(value) ? 'something that is not a number' : String(value);
}

/**
 * The checks yargs' types cannot express; the message of the first failing one, or undefined.
 * @example checkServerArgs({ port: 70000 }) // '--port must be an integer from 0 to 65535, got 70000'
 */
export function checkServerArgs(args: Readonly<Record<string, unknown>>): string | undefined {
  for (const name of ['port', 'control-port', 'ncmp-port']) {
    const port = args[name];
    if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) {
      return `--${name} must be an integer from 0 to 65535, got ${shown(port)}`;
    }
  }
  const brokers = args['kafka-brokers'];
  if (typeof brokers === 'string') {
    const list = parseKafkaBrokers(brokers);
    const bad = list.find((b) => !BROKER.test(b) || Number(b.slice(b.lastIndexOf(':') + 1)) > 65535);
    if (list.length === 0 || bad !== undefined) return `--kafka-brokers takes host:port[,host:port...], got ${JSON.stringify(brokers)}`;
  }
  const unixMode = args['unix-mode'];
  if (unixMode !== undefined && (typeof unixMode !== 'string' || !/^0?[0-7]{3}$/.test(unixMode))) {
    return `--unix-mode takes permissions in octal, such as 600 or 660, got ${JSON.stringify(unixMode)}`;
  }
  for (const [flag, , least] of BYTE_LIMITS) {
    const value = args[flag];
    if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least)) {
      return `--${flag} must be a whole number of bytes${least === 1 ? ' from 1' : ', 0 or more'}, got ${shown(value)}`;
    }
  }
  const stall = args['input-stall-timeout'];
  if (stall !== undefined && (typeof stall !== 'string' || parseDurationOption(stall) === undefined)) {
    return `--input-stall-timeout takes a duration with a unit, such as 5s or 500ms (0 = never; at most 576h), got ${JSON.stringify(stall)}`;
  }
  const seed = args['seed'];
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isSafeInteger(seed))) return `--seed must be an integer, got ${shown(seed)}`;
  for (const [name, spec] of Object.entries(SERVER_OPTIONS)) {
    const value = args[name];
    if (value === undefined) continue;
    if (spec.array === true) {
      const list: unknown[] = Array.isArray(value) ? value : [value];
      if (list.length === 0 || list.some((v) => typeof v !== spec.type || v === '')) return `--${name} takes one or more ${spec.type} values, got ${JSON.stringify(value)}`;
    } else if (typeof value !== spec.type) {
      return `--${name} takes one ${spec.type} value, got ${JSON.stringify(value)}`;
    }
  }
  return undefined;
}

/** Adds the options of {@link ServerArgs} to a command. */
export function withServerOptions<T>(y: Argv<T>): Argv<T & ServerArgs> {
  let out: Argv<T> = y;
  for (const [name, spec] of Object.entries(SERVER_OPTIONS)) {
    out = out.option(name, {
      type: spec.type,
      describe: spec.describe,
      ...(spec.choices === undefined ? {} : { choices: [...spec.choices] }),
      ...(spec.array === true ? { array: true } : {}),
      ...(spec.default === undefined ? {} : { default: spec.default }),
    }) as Argv<T>;
  }
  return out.check((argv) => {
    const problem = checkServerArgs(argv);
    if (problem !== undefined) throw new Error(problem);
    return true;
  }) as unknown as Argv<T & ServerArgs>;
}
