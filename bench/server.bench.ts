/**
 * Server throughput over loopback TCP, against an Erlang `gen_tcp` server measured in the same run
 * (STYLE.md §5 "Benchmarks"; the Erlang runtime is the test-support one, OTP 25):
 *   - one subscriber: N small notifications (the 40-byte `syslog.daemon` vector frame);
 *   - fan-out: the same notification to 1,000 subscribers.
 * Both servers are read by the same external reader process (plain Node, counts frames by their
 * length prefixes), so neither server shares its CPU with the client. The Erlang server does what a
 * real NSO does per notification and subscriber: one `gen_tcp:send/2` of a pre-encoded frame
 * (measured with the default socket options and with `delay_send`, Erlang's own write coalescing).
 * The mock's emit path is measured twice: re-emitting one normalized Notification (its encoding is
 * reused: the frame is pre-encoded, like Erlang's) and emitting a fresh input object each time
 * (normalize + encode per notification).
 *
 * Run: npx vitest bench --run bench/server.bench.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { encodeClientFrame } from '../src/client/index.js';
import { decodeTerm, NOTIF, notificationFromTerm, subscriptionToTerm, type Notification, type NotificationInput } from '../src/codec/index.js';
import { createMockServer, type MockServer } from '../src/server/index.js';
import { fromHex, loadNotifications, toHex } from '../test/support/vectors.js';

const ONE_N = 1_000_000;
const FANOUT_K = 1000;
const FANOUT_N = 1000;
const BATCH = 20_000;

const vector = loadNotifications().find((v) => v.name === 'syslog.daemon');
if (vector === undefined) throw new Error('bench: vector syslog.daemon not found');
const FRAME_HEX = vector.frame_hex;
const NOTIFICATION: Notification = notificationFromTerm(decodeTerm(fromHex(vector.etf_hex)));
const SUBSCRIBE_HEX = toHex(encodeClientFrame(subscriptionToTerm({ mask: NOTIF.DAEMON, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 }), 'c'));

// ---- the reader: a separate process, so neither server shares its thread with the client ----------

const READER = String.raw`
const net = require('node:net');
const readline = require('node:readline');
const [host, port, k, subHex] = process.argv.slice(1);
const HEADER = Buffer.from('0b004d070701003c12', 'hex');
const SUB = Buffer.from(subHex, 'hex');
let frames = 0, target = Infinity, subscribed = 0;
function onFrames(n) { frames += n; if (frames >= target) { target = Infinity; process.stdout.write('done ' + frames + '\n'); } }
for (let i = 0; i < Number(k); i++) {
  const s = net.connect({ host, port: Number(port), noDelay: true });
  let pre = 9 + 10;          // version reply + the 'ok' frame, skipped as bytes
  let need = 0;              // bytes left of the current frame body
  let head = Buffer.alloc(4), headLen = 0;
  s.on('connect', () => { s.write(HEADER); s.write(SUB); });
  s.on('data', (b) => {
    let p = 0;
    if (pre > 0) { const t = Math.min(pre, b.length); pre -= t; p = t; if (pre === 0 && ++subscribed === Number(k)) process.stdout.write('ready\n'); }
    let n = 0;
    while (p < b.length) {
      if (need > 0) { const t = Math.min(need, b.length - p); need -= t; p += t; if (need === 0) n++; continue; }
      if (headLen === 0 && b.length - p >= 4) { need = b.readUInt32BE(p); p += 4; if (need === 0) n++; continue; }
      head[headLen++] = b[p++];
      if (headLen === 4) { need = head.readUInt32BE(0); headLen = 0; if (need === 0) n++; }
    }
    if (n > 0) onFrames(n);
  });
  s.on('error', (e) => { process.stderr.write(String(e) + '\n'); process.exit(1); });
}
readline.createInterface({ input: process.stdin }).on('line', (l) => {
  const m = /^expect (\d+)$/.exec(l);
  if (m) { frames = 0; target = Number(m[1]); process.stdout.write('armed\n'); }
});
`;

interface Proc {
  readonly child: ChildProcess;
  readonly lines: Interface;
  next(match: RegExp): Promise<string>;
  send(line: string): void;
}

function proc(command: string, args: string[]): Proc {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  if (child.stdout === null || child.stdin === null) throw new Error('bench: no stdio');
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  let waiter: ((l: string) => void) | undefined;
  lines.on('line', (l) => {
    if (waiter !== undefined) {
      const w = waiter;
      waiter = undefined;
      w(l);
    } else queue.push(l);
  });
  const stdin = child.stdin;
  return {
    child,
    lines,
    async next(match) {
      for (;;) {
        const l = queue.shift() ?? (await new Promise<string>((r) => (waiter = r)));
        if (match.test(l)) return l;
      }
    },
    send: (line) => void stdin.write(`${line}\n`),
  };
}

async function reader(port: number, k: number): Promise<Proc> {
  const p = proc(process.execPath, ['-e', READER, '127.0.0.1', String(port), String(k), SUBSCRIBE_HEX]);
  await p.next(/^ready$/);
  return p;
}

async function expectFrames(r: Proc, n: number, send: () => Promise<void>): Promise<void> {
  r.send(`expect ${n}`);
  await r.next(/^armed$/);
  await send();
  await r.next(/^done /);
}

// ---- the Erlang peer --------------------------------------------------------------------------------

const ERLANG = String.raw`
-module(nsomock_bench).
-export([main/0]).

main() ->
    {ok, L} = gen_tcp:listen(0, [binary, {active, false}, {reuseaddr, true}, {nodelay, true}, {backlog, 2048}, {ip, {127,0,0,1}}]),
    {ok, Port} = inet:port(L),
    io:format("port ~p~n", [Port]),
    loop(L, []).

loop(L, Pids) ->
    case io:get_line("") of
        eof -> halt(0);
        Line ->
            case string:tokens(string:trim(Line), " ") of
                ["accept", KS] ->
                    K = list_to_integer(KS),
                    [P ! close || P <- Pids],
                    New = [accept_one(L) || _ <- lists:seq(1, K)],
                    [receive {subscribed, P} -> ok end || P <- New],
                    io:format("accepted~n"),
                    loop(L, New);
                [Go, NS, Hex] when Go =:= "go"; Go =:= "go_delay" ->
                    N = list_to_integer(NS),
                    Frame = binary:decode_hex(list_to_binary(Hex)),
                    Self = self(),
                    [P ! {go, N, Frame, Self, Go =:= "go_delay"} || P <- Pids],
                    [receive {done, P} -> ok end || P <- Pids],
                    io:format("sent~n"),
                    loop(L, Pids);
                _ -> halt(0)
            end
    end.

accept_one(L) ->
    {ok, S} = gen_tcp:accept(L),
    Parent = self(),
    P = spawn(fun() -> receive start -> conn(S, Parent) end end),
    ok = gen_tcp:controlling_process(S, P),
    P ! start,
    P.

%% The handshake of PROTOCOL.md §2-§8 (lenient echo), then one gen_tcp:send per notification.
conn(S, Parent) ->
    {ok, <<_, Vsn:16, Lib:32, D, Kl>>} = gen_tcp:recv(S, 9),
    ok = gen_tcp:send(S, <<0, Vsn:16, Lib:32, D, Kl>>),
    ok = inet:setopts(S, [{packet, 4}]),
    {ok, _Subscription} = gen_tcp:recv(S, 0),
    ok = gen_tcp:send(S, term_to_binary(ok)),
    ok = inet:setopts(S, [{packet, raw}]),
    Parent ! {subscribed, self()},
    serve(S).

serve(S) ->
    receive
        {go, N, Frame, From, Delay} ->
            %% delay_send lets the port coalesce queued sends into fewer writes (Erlang's own batching).
            ok = inet:setopts(S, [{delay_send, Delay}]),
            send_n(S, Frame, N),
            From ! {done, self()},
            serve(S);
        close -> gen_tcp:close(S)
    end.

send_n(_, _, 0) -> ok;
send_n(S, F, N) -> ok = gen_tcp:send(S, F), send_n(S, F, N - 1).
`;

interface ErlangPeer {
  readonly proc: Proc;
  readonly port: number;
  readonly dir: string;
}

async function erlang(): Promise<ErlangPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'nsomock-bench-'));
  const file = join(dir, 'nsomock_bench.erl');
  writeFileSync(file, ERLANG);
  const boot = `{ok, M, B} = compile:file(${JSON.stringify(file)}, [binary, return_errors]), {module, M} = code:load_binary(M, ${JSON.stringify(file)}, B), M:main().`;
  const p = proc('erl', ['-noshell', '-eval', boot]);
  const line = await p.next(/^port \d+$/);
  return { proc: p, port: Number(line.slice(5)), dir };
}

// ---- the runs ---------------------------------------------------------------------------------------
// vitest runs only top-level hooks in bench mode, so every peer is started here: one mock server
// and one Erlang server per scenario, each with its own reader process.

interface Scenario {
  readonly server: MockServer;
  readonly nodeReader: Proc;
  readonly erl: ErlangPeer;
  readonly erlReader: Proc;
  readonly normalized: Notification;
}

const scenarios: Scenario[] = [];
const results = new Map<string, number[]>();

async function scenario(k: number): Promise<Scenario> {
  const server = createMockServer({ tcp: { port: 0 }, highWaterMarkBytes: 64 * 1024 * 1024 });
  const port = (await server.listen()).tcp?.port ?? 0;
  const nodeReader = await reader(port, k);
  const erl = await erlang();
  erl.proc.send(`accept ${k}`);
  const erlReader = await reader(erl.port, k);
  await erl.proc.next(/^accepted$/);
  const s: Scenario = { server, nodeReader, erl, erlReader, normalized: server.emit(NOTIFICATION).notification };
  // Swallow the one frame sent by emit() above.
  await expectFramesSoFar(nodeReader);
  scenarios.push(s);
  return s;
}

async function expectFramesSoFar(r: Proc): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  r.send('expect 0');
  await r.next(/^armed$/);
}

function record(name: string, perSecond: number): void {
  const list = results.get(name) ?? [];
  list.push(perSecond);
  results.set(name, list);
}

async function timed(name: string, notifications: number, run: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await run();
  record(name, notifications / ((performance.now() - t0) / 1000));
}

/**
 * Emits `n` notifications in batches of 20,000, waiting for the kernel to take each batch
 * (`drained()`, backpressure). Within a batch every frame for a connection is queued and written
 * at the end of the tick as ONE buffer (connection.ts concatenates the queued frames: one syscall
 * and one WriteReq per connection per tick instead of one per notification).
 */
async function emitMany(server: MockServer, n: number, make: () => Notification | NotificationInput): Promise<void> {
  for (let sent = 0; sent < n; ) {
    const batch = Math.min(BATCH, n - sent);
    for (let i = 0; i < batch; i += 1) server.emit(make());
    sent += batch;
    await server.drained();
  }
}

/**
 * The Erlang peer's run: each of its processes sends `perProcess` pre-encoded frames (`go`: one
 * gen_tcp:send each; `go_delay`: the same with `delay_send`), timed until its reader saw `total`.
 */
function erlangSends(s: Scenario, command: 'go' | 'go_delay', perProcess: number, total: number): Promise<void> {
  return expectFrames(s.erlReader, total, async () => {
    s.erl.proc.send(`${command} ${perProcess} ${FRAME_HEX}`);
    await s.erl.proc.next(/^sent$/);
  });
}

let one: Scenario;
let fan: Scenario;

beforeAll(async () => {
  one = await scenario(1);
  fan = await scenario(FANOUT_K);
}, 60_000);

afterAll(async () => {
  for (const s of scenarios) {
    s.nodeReader.child.kill();
    s.erlReader.child.kill();
    s.erl.proc.child.kill();
    rmSync(s.erl.dir, { recursive: true, force: true });
    await s.server.close();
  }
  console.log('\nserver bench: notifications per second (median of the runs)');
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const rows = [...results.entries()].map(([name, xs]) => ({ name, median: median(xs) }));
  for (const r of rows) console.log(`  ${r.name.padEnd(44)} ${Math.round(r.median).toLocaleString('en-US').padStart(12)} /s`);
  const ratio = (a: string, b: string): void => {
    const x = rows.find((r) => r.name === a)?.median;
    const y = rows.find((r) => r.name === b)?.median;
    if (x !== undefined && y !== undefined) console.log(`  ${a} / ${b}: ${(x / y).toFixed(2)}x`);
  };
  ratio('one subscriber: mock (re-emit)', 'one subscriber: erlang gen_tcp');
  ratio('one subscriber: mock (re-emit)', 'one subscriber: erlang gen_tcp delay_send');
  ratio('one subscriber: mock (fresh input)', 'one subscriber: erlang gen_tcp');
  ratio('fan-out 1000: mock (re-emit)', 'fan-out 1000: erlang gen_tcp');
  ratio('fan-out 1000: mock (re-emit)', 'fan-out 1000: erlang gen_tcp delay_send');
});

const opts = { iterations: 5, time: 0, warmupIterations: 1, warmupTime: 0 };

describe('one subscriber, 1,000,000 small notifications', () => {
  bench(
    'mock: re-emit one normalized notification',
    () => timed('one subscriber: mock (re-emit)', ONE_N, () => expectFrames(one.nodeReader, ONE_N, () => emitMany(one.server, ONE_N, () => one.normalized))),
    opts,
  );
  bench(
    'mock: a fresh input object per notification',
    () =>
      timed('one subscriber: mock (fresh input)', ONE_N, () =>
        expectFrames(one.nodeReader, ONE_N, () => emitMany(one.server, ONE_N, () => ({ type: 'daemon', logno: 29, prio: 6, msg: 'NCS started vsn: 5.7.1' }))),
      ),
    opts,
  );
  bench(
    'erlang gen_tcp: one send per pre-encoded frame',
    () => timed('one subscriber: erlang gen_tcp', ONE_N, () => erlangSends(one, 'go', ONE_N, ONE_N)),
    opts,
  );
  bench(
    'erlang gen_tcp with delay_send',
    () => timed('one subscriber: erlang gen_tcp delay_send', ONE_N, () => erlangSends(one, 'go_delay', ONE_N, ONE_N)),
    opts,
  );
});

describe('fan-out: 1,000 notifications to 1,000 subscribers', () => {
  const total = FANOUT_N * FANOUT_K;
  bench(
    'mock: 1,000 x 1,000 deliveries',
    () => timed('fan-out 1000: mock (re-emit)', total, () => expectFrames(fan.nodeReader, total, () => emitMany(fan.server, FANOUT_N, () => fan.normalized))),
    opts,
  );
  bench(
    'erlang gen_tcp: 1,000 processes x 1,000 sends',
    () => timed('fan-out 1000: erlang gen_tcp', total, () => erlangSends(fan, 'go', FANOUT_N, total)),
    opts,
  );
  bench(
    'erlang gen_tcp with delay_send: 1,000 processes',
    () => timed('fan-out 1000: erlang gen_tcp delay_send', total, () => erlangSends(fan, 'go_delay', FANOUT_N, total)),
    opts,
  );
});
