/**
 * The Erlang oracle (STYLE.md §5.1): ONE long-lived `erl -noshell` process per test worker,
 * spawned lazily, spoken to over its stdin/stdout with `{packet,4}` framing
 * (`open_port({fd,0,1}, [binary,{packet,4}])` inside a small compiled module). It answers with the
 * real runtime's `binary_to_term/1` and `term_to_binary/1,2`, so codec tests compare against
 * Erlang itself rather than against our own encoder.
 *
 * Errors (bad input bytes, unparsable text) come back as values, never as crashes of the oracle.
 * If `erl` is missing every call rejects with a message that says how to install it: the oracle
 * tests then fail loudly instead of being skipped (CI installs erlang-nox, see .ci/run).
 *
 * The framing and the reply layout here are deliberately independent of src/codec: replies are
 * `<<Status:8, ...>>` with raw byte fields, never terms, so a codec bug cannot hide in the oracle.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `term_to_binary(T)` and `term_to_binary(T, [{minor_version, 2}])` of one term, or Erlang's error. */
export type OracleEncodings =
  | { readonly ok: true; readonly latin1: Uint8Array; readonly utf8: Uint8Array }
  | { readonly ok: false; readonly error: string };

const ERLANG_SOURCE = String.raw`
-module(nsomock_oracle).
-export([main/0]).

main() ->
    Port = open_port({fd, 0, 1}, [binary, {packet, 4}, eof]),
    loop(Port).

loop(Port) ->
    receive
        {Port, {data, Req}} ->
            Reply = try handle(Req)
                    catch C:R -> <<1, (iolist_to_binary(io_lib:format("~p:~p", [C, R])))/binary>>
                    end,
            port_command(Port, Reply),
            loop(Port);
        {Port, eof} ->
            halt(0)
    end.

both(T) ->
    A = term_to_binary(T),
    B = term_to_binary(T, [{minor_version, 2}]),
    <<0, (byte_size(A)):32, A/binary, B/binary>>.

handle(<<1, Bin/binary>>) ->
    both(binary_to_term(Bin));
handle(<<2, Text/binary>>) ->
    S = unicode:characters_to_list(Text),
    {ok, Tokens, _} = erl_scan:string(S ++ "."),
    {ok, Exprs} = erl_parse:parse_exprs(Tokens),
    {value, T, _} = erl_eval:exprs(Exprs, []),
    both(T);
handle(<<3, Kind, N:32, Bin/binary>>) ->
    T = binary_to_term(Bin),
    erlang:garbage_collect(),
    {Us, _} = case Kind of
                  1 -> timer:tc(fun() -> enc_loop(N, T, 0) end);
                  2 -> timer:tc(fun() -> dec_loop(N, Bin, ok) end)
              end,
    <<0, Us:64>>;
handle(<<4, Range:64, Bins/binary>>) ->
    <<0, (phash2_all(Bins, Range, <<>>))/binary>>.

%% A batch of length-prefixed binaries -> their erlang:phash2(B, Range), 32 bits each.
phash2_all(<<>>, _, Acc) -> Acc;
phash2_all(<<Len:32, B:Len/binary, Rest/binary>>, Range, Acc) ->
    phash2_all(Rest, Range, <<Acc/binary, (erlang:phash2(B, Range)):32>>).

%% The results are accumulated and returned so the compiler cannot drop the pure BIF calls.
enc_loop(0, _, Acc) -> Acc;
enc_loop(N, T, Acc) -> B = term_to_binary(T), enc_loop(N - 1, T, Acc + byte_size(B)).

dec_loop(0, _, Last) -> Last;
dec_loop(N, B, _) -> dec_loop(N - 1, B, binary_to_term(B)).
`;

const MISSING_ERL =
  'Erlang oracle: `erl` was not found on PATH. The codec is checked against the real Erlang/OTP runtime; ' +
  'install it (Debian/Ubuntu: apt-get install erlang-nox, or npm run setup-test-deps, which .ci/run also runs) and run the tests again.';

interface Pending {
  resolve(reply: Uint8Array): void;
  reject(error: Error): void;
}

/** A running oracle process. Obtain the shared one with {@link erlangOracle}. */
export class ErlangOracle {
  private readonly child: ChildProcess;
  private readonly pending: Pending[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;
  private stderr = '';
  private readonly exited: Promise<void>;
  private readonly dir: string;

  /** @param command the Erlang executable (default `erl` from PATH; tests use a missing one to check the failure message). */
  constructor(command = 'erl') {
    this.dir = mkdtempSync(join(tmpdir(), 'nsomock-oracle-'));
    const file = join(this.dir, 'nsomock_oracle.erl');
    writeFileSync(file, ERLANG_SOURCE);
    const boot =
      `{ok, M, B} = compile:file(${JSON.stringify(file)}, [binary, return_errors]), ` +
      `{module, M} = code:load_binary(M, ${JSON.stringify(file)}, B), M:main().`;
    this.child = spawn(command, ['-noshell', '-noinput', '-eval', boot], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        this.fail(error.code === 'ENOENT' ? new Error(MISSING_ERL, { cause: error }) : error);
        resolve();
      });
      this.child.once('exit', (code, signal) => {
        this.fail(new Error(`Erlang oracle exited (code ${code}, signal ${signal}): ${this.stderr.trim()}`));
        resolve();
      });
    });
    this.child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.child.stdin!.on('error', () => {
      /* reported through 'exit' */
    });
    this.idle();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const len = this.buffered.readUInt32BE(0);
      if (this.buffered.length < 4 + len) break;
      const reply = Uint8Array.prototype.slice.call(this.buffered, 4, 4 + len);
      this.buffered = this.buffered.subarray(4 + len);
      this.pending.shift()?.resolve(reply);
    }
    if (this.pending.length === 0) this.idle();
  }

  /** The child must not keep a worker alive while nothing is pending. */
  private idle(): void {
    this.child.unref();
    (this.child.stdout as unknown as { unref?: () => void }).unref?.();
    (this.child.stderr as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.child.stdout as unknown as { ref?: () => void }).ref?.();
  }

  private request(op: number, body: Uint8Array): Promise<Uint8Array> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.busy();
      const header = Buffer.alloc(5);
      header.writeUInt32BE(body.length + 1, 0);
      header[4] = op;
      this.child.stdin!.write(header);
      this.child.stdin!.write(body);
    });
  }

  private static encodings(reply: Uint8Array): OracleEncodings {
    const b = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
    if (b[0] !== 0) return { ok: false, error: b.subarray(1).toString('utf8') };
    const n = b.readUInt32BE(1);
    return { ok: true, latin1: reply.slice(5, 5 + n), utf8: reply.slice(5 + n) };
  }

  /** `binary_to_term(bytes)` in Erlang, then both `term_to_binary` forms of the result. */
  async roundtrip(bytes: Uint8Array): Promise<OracleEncodings> {
    return ErlangOracle.encodings(await this.request(1, bytes));
  }

  /** Parses and evaluates Erlang term text (no trailing dot), then both `term_to_binary` forms. */
  async parse(text: string): Promise<OracleEncodings> {
    return ErlangOracle.encodings(await this.request(2, Buffer.from(text, 'utf8')));
  }

  /**
   * Times `iterations` calls of `term_to_binary(binary_to_term(bytes))` (`'encode'`, the decode is
   * done once, outside the timing) or of `binary_to_term(bytes)` (`'decode'`) in compiled Erlang.
   * Returns the elapsed microseconds.
   */
  async time(kind: 'encode' | 'decode', bytes: Uint8Array, iterations: number): Promise<number> {
    const body = Buffer.alloc(5 + bytes.length);
    body[0] = kind === 'encode' ? 1 : 2;
    body.writeUInt32BE(iterations, 1);
    body.set(bytes, 5);
    const reply = Buffer.from(await this.request(3, body));
    if (reply[0] !== 0) throw new Error(`Erlang oracle: timing failed: ${reply.subarray(1).toString()}`);
    return Number(reply.readBigUInt64BE(1));
  }

  /**
   * `erlang:phash2(B, range)` of each binary, in one round trip (the schema layer's tag hashes,
   * MAAPI.md §M6.8). The reply is raw 32-bit words, never a term, so the codec plays no part.
   */
  async phash2(binaries: readonly Uint8Array[], range = 2147483647): Promise<number[]> {
    const size = binaries.reduce((n, b) => n + 4 + b.length, 0);
    const body = Buffer.alloc(8 + size);
    body.writeBigUInt64BE(BigInt(range), 0);
    let at = 8;
    for (const b of binaries) {
      body.writeUInt32BE(b.length, at);
      body.set(b, at + 4);
      at += 4 + b.length;
    }
    const reply = Buffer.from(await this.request(4, body));
    if (reply[0] !== 0) throw new Error(`Erlang oracle: phash2 failed: ${reply.subarray(1).toString()}`);
    return binaries.map((_, i) => reply.readUInt32BE(1 + 4 * i));
  }

  /** Ends the process (closing stdin makes it halt; killed if it does not within a second). */
  async close(): Promise<void> {
    if (this.failure === undefined) {
      this.busy();
      this.child.stdin!.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Kills the process at once (for process exit). */
  kill(): void {
    this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let shared: ErlangOracle | undefined;

/**
 * The worker's oracle, spawned on first use. Call {@link closeErlangOracle} in `afterAll`; it is
 * also killed when the worker process exits.
 * @example
 *   const oracle = erlangOracle(); const r = await oracle.roundtrip(encodeTerm(t));
 */
export function erlangOracle(): ErlangOracle {
  if (shared === undefined) {
    shared = new ErlangOracle();
    const instance = shared;
    process.once('exit', () => instance.kill());
  }
  return shared;
}

/** Closes the worker's oracle, if one was started. */
export async function closeErlangOracle(): Promise<void> {
  const instance = shared;
  shared = undefined;
  await instance?.close();
}
