/**
 * Codec throughput against the Erlang runtime (OTP, `term_to_binary/1` and `binary_to_term/1` in a
 * compiled loop timed with timer:tc inside `erl`, bench/peers/nsomock_peer.erl), in the same run.
 *
 * Same work on both sides: every vector of test/fixtures/shared/protocol/vectors/notifications.jsonl
 * (all 58 notification shapes) in rotation, N operations per batch, every result consumed. A
 * stream of real notifications mixes shapes, so the mix is the headline; rows on one shape are
 * labelled "single shape" (the case the shape-specialised generated code was built for).
 *   - decode + read binaries: decode, then read every binary's bytes (decoded binaries are lazy
 *     views; a consumer reads them, Erlang's binary_to_term always builds them);
 *   - decode + notificationFromTerm: what a client library returns (Erlang's figure: binary_to_term
 *     alone, so this row charges us for the mapping to objects Erlang code does not need).
 * The JS side runs in child processes on the production build (dist/): `general` is the codec as
 * shipped (no generated code), `shaped` the same with the shape-specialised code generation on (its
 * old default, warm-up 10,000 per slot); ADR 003: does the generated code pay?
 * Contenders take turns, one batch each per round, the order rotating (bench/support.ts).
 *
 * Run: npm run build && npx vitest bench --run bench/codec.bench.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { loadNotifications } from '../test/support/vectors.js';
import { BENCH_DIR, cleanUp, erlangPeer, interleave, numberOf, once, ONCE, proc, recordRow, type Proc } from './support.js';

const vectors = loadNotifications();
const SHAPES = vectors.length;
/** Operations per batch: every shape 3,000 times (~50 ms). */
const N = SHAPES * 3000;
const ROUNDS = 11;
/** Warm-up batches per op and JS worker: 5 × 3,000 = 15,000 per shape, past the generated code's warm-up of 10,000. */
const WARMUP = 5;

const dir = mkdtempSync(join(tmpdir(), 'nsomock-codec-'));
const file = join(dir, 'vectors.hex');
writeFileSync(file, `${vectors.map((v) => v.etf_hex).join('\n')}\n`);

let erl: Proc | undefined;
const workers = new Map<string, Proc>();

async function setup(): Promise<void> {
  if (erl !== undefined) return;
  erl = (await erlangPeer()).proc;
  erl.send(`load ${file}`);
  await erl.next(/^loaded /);
  for (const mode of ['shaped', 'general']) workers.set(mode, proc(process.execPath, [join(BENCH_DIR, 'peers', 'codec-worker.mjs'), file, mode]));
}

async function jsBatch(mode: string, command: string): Promise<number> {
  const w = workers.get(mode)!;
  w.send(command);
  return numberOf(await w.next(/^ns /)) / 1e9;
}

async function erlBatch(command: string): Promise<number> {
  erl!.send(command);
  return numberOf(await erl!.next(/^us /)) / 1e6;
}

/**
 * One section: ours (shaped and general) against Erlang for `jsOp`/`erlOp`. `index` selects a
 * single shape. Records: as shipped ÷ Erlang, generation on ÷ Erlang, on ÷ as shipped.
 */
async function measure(what: string, jsOp: string, erlOp: string, index?: number): Promise<void> {
  await setup();
  const js = index === undefined ? `${jsOp} ${N}` : `${jsOp}1 ${index} ${N}`;
  const er = index === undefined ? `${erlOp} ${N}` : `${erlOp}1 ${index} ${N}`;
  for (let i = 0; i < WARMUP; i++) for (const mode of workers.keys()) await jsBatch(mode, js);
  await erlBatch(er);
  const samples = await interleave(ROUNDS, [
    { name: 'shaped', run: async () => N / (await jsBatch('shaped', js)) },
    { name: 'general', run: async () => N / (await jsBatch('general', js)) },
    { name: 'erlang', run: async () => N / (await erlBatch(er)) },
  ]);
  const peerName = erlOp === 'enc' ? 'Erlang term_to_binary' : 'Erlang binary_to_term';
  const base = { section: 'Codec', unit: 'ops/s', higherIsBetter: true, peerSamples: samples.get('erlang')! };
  const target = jsOp === 'enc' || jsOp === 'read' ? (index === undefined ? '≥ 1.0' : undefined) : undefined;
  recordRow({ ...base, what, ours: 'nso-mock (as shipped)', oursSamples: samples.get('general')!, peer: peerName, ...(target === undefined ? {} : { target }) });
  recordRow({ ...base, what, ours: 'nso-mock, code generation on', oursSamples: samples.get('shaped')!, peer: peerName });
  recordRow({ ...base, what, ours: 'nso-mock, code generation on', oursSamples: samples.get('shaped')!, peer: 'nso-mock as shipped (off)', peerSamples: samples.get('general')!, note: 'does the generated code pay' });
}

const single = (name: string): number => {
  const i = vectors.findIndex((v) => v.name === name);
  if (i < 0) throw new Error(`bench: vector ${name} not found`);
  return i;
};

afterAll(async () => {
  for (const w of workers.values()) await w.stop();
  await erl?.stop();
  cleanUp();
  rmSync(dir, { recursive: true, force: true });
});

describe(`codec: ${SHAPES} notification shapes in rotation, ${N} operations per batch, ${ROUNDS} interleaved rounds`, () => {
  bench(`encode, mix of all ${SHAPES} shapes`, once(() => measure(`encode, mix of all ${SHAPES} shapes`, 'enc', 'enc')), ONCE);
  bench(`decode, mix`, once(() => measure(`decode, mix of all ${SHAPES} shapes`, 'dec', 'dec')), ONCE);
  bench(`decode + read every binary, mix`, once(() => measure(`decode + read every binary, mix of all ${SHAPES} shapes`, 'read', 'dec')), ONCE);
  bench(`decode + notificationFromTerm, mix`, once(() => measure(`decode + notificationFromTerm, mix (Erlang: binary_to_term only)`, 'notif', 'dec')), ONCE);
  bench('single shape: encode stream_event', once(() => measure('single shape (stream_event.notification): encode', 'enc', 'enc', single('stream_event.notification'))), ONCE);
  bench('single shape: decode + read stream_event', once(() => measure('single shape (stream_event.notification): decode + read binaries', 'read', 'dec', single('stream_event.notification'))), ONCE);
  bench('single shape: decode commit_diff', once(() => measure('single shape (commit_diff.comment_label): decode', 'dec', 'dec', single('commit_diff.comment_label'))), ONCE);
});
