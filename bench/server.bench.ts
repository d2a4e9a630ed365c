/**
 * The server, against an Erlang gen_tcp server doing the same work in the same run
 * (bench/peers/nsomock_peer.erl; the mock: startNsoMock() with default options in its own process,
 * bench/peers/mock-driver.mjs). Both are read by the same client process (bench/peers/reader.mjs),
 * so no server shares its thread with its client, and both get fresh input: every notification is
 * built and encoded per send with its counter in it (no cached frame re-sent).
 *
 * The peers' batching: the mock writes every frame queued in one tick as one buffer, and the
 * emitting code below queues 20,000 per tick, so the fair peer is an Erlang server that sends
 * 20,000 frames per gen_tcp:send ("Erlang, batching"); "Erlang, one send per frame" is what a real
 * NSO does, kept as a second row.
 *
 * Rows: emission throughput (harness), scenario `repeat` emission (mock.play), commit-diff
 * handshake round trips (harness and CLI), 1,000 subscribers connecting and subscribing (time and
 * RSS per idle subscriber), and stream events with many values (cost per event).
 *
 * Run: npm run build && npx vitest bench --run bench/server.bench.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { encodeClientFrame } from '../src/client/index.js';
import { NOTIF, subscriptionToTerm, type Subscription } from '../src/codec/index.js';
import { cleanUp, erlangPeer, interleave, MAIN_JS, mockPeer, numberOf, once, ONCE, proc, readerOf, recordRow, rssKiB, type Proc } from './support.js';

/** Notifications per throughput sample, and the emits per tick (the mock) / frames per send (Erlang). */
const N = 200_000;
const BATCH = 20_000;
/** Notifications per scenario sample. */
const SCENARIO_N = 100_000;
/** Handshakes per commit-diff sample. */
const COMMITS = 2000;
const SUBSCRIBERS = 1000;
const ROUNDS = 5;

const dir = mkdtempSync(join(tmpdir(), 'nsomock-server-bench-'));
const hex = (s: Omit<Subscription, 'heartbeatInterval' | 'healthCheckInterval' | 'verbosity'>): string =>
  Buffer.from(encodeClientFrame(subscriptionToTerm({ heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0, ...s }), 'c')).toString('hex');
const DAEMON = hex({ mask: NOTIF.DAEMON });
const COMMIT = hex({ mask: NOTIF.COMMIT_DIFF });

const started: Proc[] = [];
function track<T extends { proc: Proc }>(p: T): T {
  started.push(p.proc);
  return p;
}
function trackProc(p: Proc): Proc {
  started.push(p);
  return p;
}

async function connected(reader: Proc): Promise<void> {
  reader.send('connect');
  await reader.next(/^ready /);
}

/** ms from sending `command` to `server` until the reader saw `frames` more frames. */
async function timedFrames(server: Proc, reader: Proc, frames: number, command: string, done: RegExp): Promise<number> {
  reader.send(`expect ${frames}`);
  await reader.next(/^armed$/);
  const t0 = performance.now();
  server.send(command);
  await reader.next(/^done /);
  const ms = performance.now() - t0;
  await server.next(done);
  return ms;
}

async function throughput(): Promise<void> {
  const mock = track(await mockPeer());
  const erl = track(await erlangPeer());
  const mockReader = trackProc(readerOf(mock.port, 1, DAEMON));
  const erlReader = trackProc(readerOf(erl.port, 1, DAEMON));
  await connected(mockReader);
  await connected(erlReader);
  const scenario = join(dir, 'repeat.yaml');
  writeFileSync(
    scenario,
    `name: bench repeat\nsteps:\n  - await-subscribers: { count: 1, mask: [daemon], within: 60s }\n  - repeat: { times: ${SCENARIO_N}, steps: [ { emit: { type: daemon, logno: 29, prio: 6, msg: "NCS started vsn: 5.7.1" } } ] }\n`,
  );
  // Warm-up: one of each.
  await timedFrames(mock.proc, mockReader, N, `emit ${N} ${BATCH}`, /^sent$/);
  await timedFrames(mock.proc, mockReader, SCENARIO_N, `play ${scenario}`, /^played passed$/);
  await timedFrames(erl.proc, erlReader, N, `emit_batch ${N} ${BATCH}`, /^sent$/);
  await timedFrames(erl.proc, erlReader, N, `emit_naive ${N}`, /^sent$/);
  const s = await interleave(ROUNDS, [
    { name: 'mock', run: async () => N / ((await timedFrames(mock.proc, mockReader, N, `emit ${N} ${BATCH}`, /^sent$/)) / 1000) },
    { name: 'scenario', run: async () => SCENARIO_N / ((await timedFrames(mock.proc, mockReader, SCENARIO_N, `play ${scenario}`, /^played passed$/)) / 1000) },
    { name: 'batch', run: async () => N / ((await timedFrames(erl.proc, erlReader, N, `emit_batch ${N} ${BATCH}`, /^sent$/)) / 1000) },
    { name: 'naive', run: async () => N / ((await timedFrames(erl.proc, erlReader, N, `emit_naive ${N}`, /^sent$/)) / 1000) },
  ]);
  const base = { section: 'Server: emission to one subscriber (fresh input per notification)', unit: 'notifications/s', higherIsBetter: true } as const;
  const what = `${N.toLocaleString('en-US')} daemon notifications`;
  recordRow({ ...base, what, ours: `mock.emit() (harness), ${BATCH.toLocaleString('en-US')} per tick`, oursSamples: s.get('mock')!, peer: `Erlang, batching (${BATCH.toLocaleString('en-US')} frames per send)`, peerSamples: s.get('batch')! });
  recordRow({ ...base, what, ours: `mock.emit() (harness), ${BATCH.toLocaleString('en-US')} per tick`, oursSamples: s.get('mock')!, peer: 'Erlang, one send per frame', peerSamples: s.get('naive')! });
  recordRow({
    ...base,
    what: `scenario repeat of ${SCENARIO_N.toLocaleString('en-US')} emits`,
    ours: 'mock.play() of a `repeat` of `emit`',
    oursSamples: s.get('scenario')!,
    peer: `Erlang, batching (${BATCH.toLocaleString('en-US')} frames per send)`,
    peerSamples: s.get('batch')!,
    target: '≥ 1.0',
  });
  recordRow({ ...base, what: `scenario repeat of ${SCENARIO_N.toLocaleString('en-US')} emits`, ours: 'mock.play() of a `repeat` of `emit`', oursSamples: s.get('scenario')!, peer: 'Erlang, one send per frame', peerSamples: s.get('naive')! });
}

/** Round trips per second, from the client's first commit-diff to its last (the client acks each at once). */
async function roundTrips(server: Proc, reader: Proc, command: string): Promise<number> {
  reader.send(`expect ${COMMITS}`);
  await reader.next(/^armed$/);
  server.send(command);
  const ms = numberOf(await reader.next(/^done /));
  await server.next(/^sent$/);
  return (COMMITS - 1) / (ms / 1000);
}

async function cliRoundTrips(file: string): Promise<number> {
  const cli = proc(process.execPath, [MAIN_JS, 'run', file, '--port', '0']);
  const ready = JSON.parse(await cli.next(/^\{"event":"ready"/)) as { tcp: { port: number } };
  const reader = readerOf(ready.tcp.port, 1, COMMIT, true);
  reader.send(`expect ${COMMITS}`);
  await reader.next(/^armed$/);
  reader.send('connect');
  const ms = numberOf(await reader.next(/^done /));
  await cli.stop();
  await reader.stop();
  return (COMMITS - 1) / (ms / 1000);
}

async function commitDiff(): Promise<void> {
  const mock = track(await mockPeer());
  const erl = track(await erlangPeer());
  const mockReader = trackProc(readerOf(mock.port, 1, COMMIT, true));
  const erlReader = trackProc(readerOf(erl.port, 1, COMMIT, true));
  await connected(mockReader);
  await connected(erlReader);
  const file = join(dir, 'commit-diff.yaml');
  writeFileSync(
    file,
    `name: bench commit-diff round trips\nsteps:\n  - await-subscribers: { count: 1, mask: [commit-diff], within: 60s }\n  - repeat: { times: ${COMMITS}, steps: [ { emit: { type: commit-diff, th: 1000, comment: fix mtu, wait-ack: 10s } } ] }\n`,
  );
  await roundTrips(mock.proc, mockReader, `commit ${COMMITS}`);
  await roundTrips(erl.proc, erlReader, `commit ${COMMITS}`);
  const s = await interleave(ROUNDS, [
    { name: 'harness', run: () => roundTrips(mock.proc, mockReader, `commit ${COMMITS}`) },
    { name: 'cli', run: () => cliRoundTrips(file) },
    { name: 'erlang', run: () => roundTrips(erl.proc, erlReader, `commit ${COMMITS}`) },
  ]);
  const base = { section: 'Server: commit-diff handshakes (emit, {Th, done}, next; PROTOCOL.md §12)', what: `${COMMITS} round trips, one subscriber that acks at once`, unit: 'round trips/s', higherIsBetter: true, peer: 'Erlang: send, gen_tcp:recv the ack, next', peerSamples: s.get('erlang')!, target: '≥ 0.8' } as const;
  recordRow({ ...base, ours: 'harness: await mock.emit(commit-diff)', oursSamples: s.get('harness')! });
  recordRow({ ...base, ours: 'CLI: nso-mock run, repeat of emit with wait-ack', oursSamples: s.get('cli')! });
}

async function subscribers(): Promise<void> {
  const sample = async (start: () => Promise<{ proc: Proc; port: number }>): Promise<{ ms: number; kib: number }> => {
    const server = await start();
    await new Promise((r) => setTimeout(r, 300));
    const before = rssKiB(server.proc.child.pid);
    const reader = readerOf(server.port, SUBSCRIBERS, DAEMON);
    server.proc.send(`expect ${SUBSCRIBERS}`);
    const t0 = performance.now();
    reader.send('connect');
    await Promise.all([reader.next(/^ready /), server.proc.next(/^subscribed /)]);
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 300));
    const kib = (rssKiB(server.proc.child.pid) - before) / SUBSCRIBERS;
    await reader.stop();
    await server.proc.stop();
    return { ms, kib };
  };
  const rss = new Map<string, number[]>([
    ['mock', []],
    ['erlang', []],
  ]);
  const s = await interleave(3, [
    {
      name: 'mock',
      run: async () => {
        const r = await sample(mockPeer);
        rss.get('mock')!.push(r.kib);
        return r.ms;
      },
    },
    {
      name: 'erlang',
      run: async () => {
        const r = await sample(erlangPeer);
        rss.get('erlang')!.push(r.kib);
        return r.ms;
      },
    },
  ]);
  const base = { section: `Server: ${SUBSCRIBERS.toLocaleString('en-US')} subscribers connect and subscribe`, ours: 'mock (harness waitForSubscribers)', peer: 'Erlang gen_tcp server, a process per connection', higherIsBetter: false } as const;
  recordRow({ ...base, what: 'time until all are subscribed (both sides see it)', unit: 'ms', oursSamples: s.get('mock')!, peerSamples: s.get('erlang')!, target: '≤ 2' });
  recordRow({ ...base, what: 'RSS per idle subscriber (growth ÷ count)', unit: 'KiB', oursSamples: rss.get('mock')!, peerSamples: rss.get('erlang')!, note: 'target ≤ 16 KiB absolute' });
}

async function streamEvents(): Promise<void> {
  const mock = track(await mockPeer());
  const erl = track(await erlangPeer());
  const K = 5;
  for (const values of [1000, 8000, 10_000, 16_000]) {
    const us = async (p: Proc): Promise<number> => {
      p.send(`stream ${values} ${K}`);
      return numberOf(await p.next(/^us /)) / K;
    };
    await us(mock.proc);
    await us(erl.proc);
    const s = await interleave(ROUNDS, [
      { name: 'mock', run: () => us(mock.proc) },
      { name: 'erlang', run: () => us(erl.proc) },
    ]);
    recordRow({
      section: 'Server: a stream event with many values (cost per event)',
      what: `${values.toLocaleString('en-US')} values`,
      ours: 'mock.emit(stream-event input) until written',
      peer: 'Erlang term_to_binary of the same term',
      unit: 'µs',
      higherIsBetter: false,
      oursSamples: s.get('mock')!,
      peerSamples: s.get('erlang')!,
      ...(values === 10_000 ? { target: '≤ 2' } : {}),
    });
  }
}

afterAll(async () => {
  for (const p of started) await p.stop();
  cleanUp();
  rmSync(dir, { recursive: true, force: true });
});

describe('server against Erlang', () => {
  bench('emission throughput and scenario repeat', once(throughput), ONCE);
  bench('commit-diff round trips', once(commitDiff), ONCE);
  bench('1,000 subscribers', once(subscribers), ONCE);
  bench('stream event with many values', once(streamEvents), ONCE);
});
