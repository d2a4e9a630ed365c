/**
 * Codec throughput on real notification terms (taken from the shared vectors), against peers
 * measured in the same run (STYLE.md §5 "Benchmarks"):
 *   (a) the Erlang runtime itself (OTP 25, through the test oracle): compiled `term_to_binary/1` and
 *       `binary_to_term/1` loops timed with `timer:tc` inside `erl`, so no IPC is in the timing;
 *   (b) erlpack (discord, native C++ addon): pack/unpack of the closest JS value;
 *   (c) erlang_js (pure JS): term_to_binary/binary_to_term of its own representation.
 *
 * Fairness (docs/decisions/003-codec-performance.md): every side does the same work in the same
 * shape, a batch of N = 1000 operations on one term with every result consumed, timed as a whole:
 *   - each `bench()` iteration below is one batch, so vitest's per-iteration timer overhead is
 *     spread over 1000 operations (its `hz` column is batches per second);
 *   - the ratio table at the end comes from a separate run in which the four contenders take turns,
 *     one batch each per round (Erlang: one `timer:tc` over N operations per round), so the load of
 *     the machine falls on all of them alike. ops/s = all operations ÷ all batch time, which keeps
 *     every side's garbage collection in its figure.
 * The codec functions are bound to local constants once: vitest turns every imported binding into a
 * getter call, a cost that plain Node ESM (production) does not have; the call itself is unchanged.
 *
 * Run: npx vitest bench --run bench/codec.bench.ts
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { afterAll, bench, describe } from 'vitest';
import { decodeTerm, encodeTerm, type Term } from '../src/codec/index.js';
import { closeErlangOracle, erlangOracle } from '../test/support/erlang-oracle.js';
import { fromHex, loadNotifications } from '../test/support/vectors.js';

const require = createRequire(import.meta.url);
const erlpack = require('erlpack') as { pack(v: unknown): Buffer; unpack(b: Uint8Array): unknown };
const erlangJs = (require('erlang_js') as { Erlang: ErlangJs }).Erlang;

interface ErlangJs {
  term_to_binary(term: unknown, cb: (err: unknown, out: Buffer) => void): void;
  binary_to_term(data: Buffer, cb: (err: unknown, out: unknown) => void): void;
}

/** Operations per batch, on every side. */
const N = 1000;
/** Rounds of the interleaved measurement behind the ratio table (one batch per contender each). */
const ROUNDS = 100;
/** Time per vitest bench task (ms). */
const BENCH_MS = 200;

const NAMES = ['audit.cli_command', 'commit_diff.comment_label', 'progress.stop_all_fields', 'stream_event.notification'];

const encode: (term: Term) => Uint8Array = encodeTerm;
const decode: (bytes: Uint8Array) => Term = decodeTerm;

interface Case {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly buffer: Buffer;
  readonly term: Term;
  readonly erlpackValue: unknown;
  readonly erlpackBytes: Buffer;
  readonly erlangJsValue: unknown;
}

const cases: Case[] = NAMES.map((name) => {
  const v = loadNotifications().find((x) => x.name === name);
  if (v === undefined) throw new Error(`bench: vector ${name} not found`);
  const bytes = fromHex(v.etf_hex);
  const buffer = Buffer.from(bytes);
  // erlpack cannot read improper lists ([Ns|Tag] in stream events) and has no atoms or tuples in
  // pack(), so its value is the closest JS shape: tuples and lists as arrays, atoms and binaries as strings.
  const erlpackValue = toErlpackValue(decodeTerm(bytes));
  let erlangJsValue: unknown;
  erlangJs.binary_to_term(buffer, (err, out) => {
    if (err !== undefined) throw err;
    erlangJsValue = out;
  });
  return { name, bytes, buffer, term: decodeTerm(bytes), erlpackValue, erlpackBytes: erlpack.pack(erlpackValue), erlangJsValue };
});

function toErlpackValue(t: Term): unknown {
  switch (t.kind) {
    case 'atom':
      return t.name;
    case 'integer':
    case 'float':
      return Number(t.value);
    case 'binary':
      return Buffer.from(t.bytes).toString('utf8');
    case 'tuple':
      return t.elements.map(toErlpackValue);
    case 'list':
      return [...t.elements.map(toErlpackValue), ...(t.tail.kind === 'nil' ? [] : [toErlpackValue(t.tail)])];
    case 'nil':
      return [];
    default:
      throw new Error(`bench: no erlpack shape for ${t.kind}`);
  }
}

// Every result is folded into `sink`, which is printed, so the JIT cannot drop the work.
let sink = 0;

/** One batch: N operations on one case. */
type Batch = (c: Case) => void;

const JS_PEERS = ['nso-mock', 'erlpack', 'erlang_js'] as const;
type JsPeer = (typeof JS_PEERS)[number];
/**
 * `decode+bytes`: decode, then read `bytes` of every binary in the result. Decoded binaries are
 * lazy views (term.ts `Binary`), so plain `decode` leaves that work to whoever reads them, while
 * Erlang's `binary_to_term` (its figure here is the same as for `decode`) and the peers always
 * build them; this row charges it to us (plus a walk of the term that Erlang does not do).
 */
type Op = 'encode' | 'decode' | 'decode+bytes';
const OPS: readonly Op[] = ['encode', 'decode', 'decode+bytes'];
/** Who takes part in each op (the peers' decode+bytes would repeat their decode). */
const PEERS_OF: Record<Op, readonly JsPeer[]> = { encode: JS_PEERS, decode: JS_PEERS, 'decode+bytes': ['nso-mock'] };

/** The byte count of every binary in `t`, read through `bytes`. */
function readBinaries(t: Term): number {
  switch (t.kind) {
    case 'binary':
      return t.bytes.length;
    case 'tuple': {
      const els = t.elements;
      let n = 0;
      for (let i = 0; i < els.length; i++) n += readBinaries(els[i]!);
      return n;
    }
    case 'list': {
      const els = t.elements;
      let n = readBinaries(t.tail);
      for (let i = 0; i < els.length; i++) n += readBinaries(els[i]!);
      return n;
    }
    default:
      return 0;
  }
}

const unavailable: Batch = () => {
  throw new Error('bench: no such contender');
};

const batches: Record<Op, Record<JsPeer, Batch>> = {
  'decode+bytes': {
    'nso-mock': (c) => {
      const bytes = c.bytes;
      let s = 0;
      for (let i = 0; i < N; i++) s += readBinaries(decode(bytes));
      sink += s;
    },
    erlpack: unavailable,
    erlang_js: unavailable,
  },
  encode: {
    'nso-mock': (c) => {
      const term = c.term;
      let s = 0;
      for (let i = 0; i < N; i++) s += encode(term).length;
      sink += s;
    },
    erlpack: (c) => {
      const value = c.erlpackValue;
      let s = 0;
      for (let i = 0; i < N; i++) s += erlpack.pack(value).length;
      sink += s;
    },
    erlang_js: (c) => {
      const value = c.erlangJsValue;
      let s = 0;
      const done = (_e: unknown, out: Buffer): void => {
        s += out.length;
      };
      for (let i = 0; i < N; i++) erlangJs.term_to_binary(value, done);
      sink += s;
    },
  },
  decode: {
    'nso-mock': (c) => {
      const bytes = c.bytes;
      let s = 0;
      for (let i = 0; i < N; i++) s += decode(bytes).kind.length;
      sink += s;
    },
    erlpack: (c) => {
      const bytes = c.erlpackBytes;
      let s = 0;
      for (let i = 0; i < N; i++) s += erlpack.unpack(bytes) === undefined ? 0 : 1;
      sink += s;
    },
    erlang_js: (c) => {
      const buffer = c.buffer;
      let s = 0;
      const done = (_e: unknown, out: unknown): void => {
        s += out === undefined ? 0 : 1;
      };
      for (let i = 0; i < N; i++) erlangJs.binary_to_term(buffer, done);
      sink += s;
    },
  },
};

/** Nanoseconds of one JS batch. */
function timeBatch(batch: Batch, c: Case): number {
  const start = process.hrtime.bigint();
  batch(c);
  return Number(process.hrtime.bigint() - start);
}

interface Row {
  readonly op: Op;
  readonly name: string;
  /** ops/s per contender. */
  readonly ops: Record<JsPeer | 'erlang', number>;
}

/** The interleaved measurement: ROUNDS rounds, each one batch per contender, Erlang first. */
async function measureCase(op: Op, c: Case): Promise<Row> {
  const oracle = erlangOracle();
  const erlangOp = op === 'encode' ? 'encode' : 'decode';
  const peers = PEERS_OF[op];
  await oracle.time(erlangOp, c.bytes, N); // warm-up (loads and runs the Erlang loop once)
  for (const peer of peers) for (let i = 0; i < 5; i++) batches[op][peer](c);
  const ns: Record<JsPeer | 'erlang', number> = { erlang: 0, 'nso-mock': 0, erlpack: Number.NaN, erlang_js: Number.NaN };
  for (const peer of peers) ns[peer] = 0;
  for (let round = 0; round < ROUNDS; round++) {
    ns.erlang += (await oracle.time(erlangOp, c.bytes, N)) * 1000;
    for (const peer of peers) ns[peer] += timeBatch(batches[op][peer], c);
  }
  const perSecond = (total: number): number => (ROUNDS * N) / (total / 1e9);
  return {
    op,
    name: c.name,
    ops: { erlang: perSecond(ns.erlang), 'nso-mock': perSecond(ns['nso-mock']), erlpack: perSecond(ns.erlpack), erlang_js: perSecond(ns.erlang_js) },
  };
}

function printTable(rows: readonly Row[]): void {
  const fmt = (n: number): string => (Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US'));
  const ratio = (a: number, b: number): string => (Number.isNaN(b) ? '-' : (a / b).toFixed(2) + '×');
  const table: string[][] = [
    ['op', 'term', 'nso-mock ops/s', 'erlang ops/s', 'erlpack ops/s', 'erlang_js ops/s', '÷ erlang', '÷ erlpack', '÷ erlang_js'],
  ];
  for (const { op, name, ops } of rows) {
    const ours = ops['nso-mock'];
    table.push([op, name, fmt(ours), fmt(ops.erlang), fmt(ops.erlpack), fmt(ops.erlang_js), ratio(ours, ops.erlang), ratio(ours, ops.erlpack), ratio(ours, ops.erlang_js)]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const lines = table.map((r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(
    `\nCodec ratio table (ours ÷ peer; > 1 means nso-mock is faster). ${ROUNDS} interleaved rounds of ${N} ops per contender; load average ${load}\n` +
      `${lines.join('\n')}\n(sink ${sink % 10})\n`,
  );
}

afterAll(async () => {
  try {
    const rows: Row[] = [];
    for (const op of OPS) for (const c of cases) rows.push(await measureCase(op, c));
    printTable(rows);
  } finally {
    await closeErlangOracle();
  }
}, 120_000);

for (const op of OPS) {
  for (const c of cases) {
    describe(`${op} ${c.name} (${c.bytes.length} bytes; ${N} ops per iteration)`, () => {
      for (const peer of PEERS_OF[op]) bench(peer, () => batches[op][peer](c), { time: BENCH_MS });
    });
  }
}
