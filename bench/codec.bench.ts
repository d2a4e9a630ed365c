/**
 * Codec throughput on real notification terms (taken from the shared vectors), against peers
 * measured in the same run (STYLE.md §5 "Benchmarks"):
 *   (a) the Erlang runtime itself: compiled `term_to_binary/1` and `binary_to_term/1` loops timed
 *       inside `erl` (through the test oracle, so no IPC is in the timing);
 *   (b) erlpack (discord, native C++ addon): pack/unpack of the equivalent JS value;
 *   (c) erlang_js (pure JS): term_to_binary/binary_to_term of its own representation.
 * vitest prints its own table per group; the ratio table (ours ÷ peer, ops/s) is printed at the end.
 *
 * Run: npx vitest bench --run bench/codec.bench.ts
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, bench, describe } from 'vitest';
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

const NAMES = ['audit.cli_command', 'commit_diff.comment_label', 'progress.stop_all_fields', 'stream_event.notification'];

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

// Keeps results observable so the JIT cannot drop the work.
let sink = 0;

const contenders = {
  encode: {
    'nso-mock': (c: Case): void => {
      sink += encodeTerm(c.term).length;
    },
    erlpack: (c: Case): void => {
      sink += erlpack.pack(c.erlpackValue).length;
    },
    erlang_js: (c: Case): void => {
      erlangJs.term_to_binary(c.erlangJsValue, (_e, out) => {
        sink += out.length;
      });
    },
  },
  decode: {
    'nso-mock': (c: Case): void => {
      sink += decodeTerm(c.bytes).kind.length;
    },
    erlpack: (c: Case): void => {
      sink += erlpack.unpack(c.erlpackBytes) === undefined ? 0 : 1;
    },
    erlang_js: (c: Case): void => {
      erlangJs.binary_to_term(c.buffer, (_e, out) => {
        sink += out === undefined ? 0 : 1;
      });
    },
  },
} as const;

type Op = keyof typeof contenders;
type Peer = keyof (typeof contenders)['encode'];

/** ops/s of `fn` over roughly `ms` milliseconds, after a warm-up. */
function measure(fn: () => void, ms = 300): number {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(ms) * 1_000_000n;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    elapsed = process.hrtime.bigint() - start;
  }
  return n / (Number(elapsed) / 1e9);
}

const erlangOps = new Map<string, number>();

beforeAll(async () => {
  const oracle = erlangOracle();
  for (const c of cases) {
    for (const op of ['encode', 'decode'] as const) {
      const iterations = 200_000;
      await oracle.time(op, c.bytes, 20_000); // warm-up
      const us = await oracle.time(op, c.bytes, iterations);
      erlangOps.set(`${op}:${c.name}`, iterations / (us / 1e6));
    }
  }
}, 120_000);

afterAll(async () => {
  await closeErlangOracle();
  const rows: string[][] = [['op', 'term', 'nso-mock ops/s', 'erlang ops/s', '÷ erlang', '÷ erlpack', '÷ erlang_js']];
  for (const op of ['encode', 'decode'] as Op[]) {
    for (const c of cases) {
      const ours = measure(() => contenders[op]['nso-mock'](c));
      const peers: Record<Peer, number> = {
        'nso-mock': ours,
        erlpack: measure(() => contenders[op].erlpack(c)),
        erlang_js: measure(() => contenders[op].erlang_js(c)),
      };
      const erl = erlangOps.get(`${op}:${c.name}`) ?? Number.NaN;
      rows.push([
        op,
        c.name,
        Math.round(ours).toLocaleString('en-US'),
        Math.round(erl).toLocaleString('en-US'),
        (ours / erl).toFixed(2) + '×',
        (ours / peers.erlpack).toFixed(2) + '×',
        (ours / peers.erlang_js).toFixed(2) + '×',
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  process.stdout.write(`\nCodec ratio table (ours ÷ peer, ops/s; > 1 means nso-mock is faster)\n${lines.join('\n')}\n(sink ${sink % 10})\n`);
}, 120_000);

for (const op of ['encode', 'decode'] as Op[]) {
  for (const c of cases) {
    describe(`${op} ${c.name} (${c.bytes.length} bytes)`, () => {
      for (const peer of Object.keys(contenders[op]) as Peer[]) {
        bench(peer, () => contenders[op][peer](c), { time: 300 });
      }
    });
  }
}
