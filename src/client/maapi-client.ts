/**
 * A small MAAPI client (MAAPI.md) for the project's tests and for TypeScript users of the mock:
 * the subset an event consumer uses — user session, attach, diff iteration as an async iterator,
 * get_elem, detach. It speaks what the NSO 6.2.5 C library sends (§M1.1 header, named paths §M5).
 * Imports the codec only (an independent peer of the server).
 */
import { createConnection, type Socket } from 'node:net';
import {
  atom,
  binary,
  challengeLength,
  CHALLENGE_TAG,
  computeAccessResponse,
  decodeTerm,
  decodeVersionReply,
  encodeChallengeResponse,
  encodeConnectHeader,
  encodeTerm,
  FrameDecoder,
  formatTerm,
  improper,
  int,
  integerValue,
  list,
  NsoMockError,
  tuple,
  type AccessCheckVersion,
  type Term,
  type VersionReply,
} from '../codec/index.js';
import type { ClientAddress } from './notif-client.js';

/** Options of {@link connectMaapi}. */
export interface MaapiConnectOptions {
  /** IPC access-check secret (PROTOCOL.md §3). */
  readonly accessSecret?: Uint8Array | string;
  readonly accessCheck?: AccessCheckVersion;
  /** Handshake deadline (ms). Default 10000. */
  readonly timeoutMs?: number;
}

/** How the consumer answers a diff item (§M4.2). */
export type IterAnswer = 'recurse' | 'continue' | 'up' | 'stop';

const ANSWER_CODE: Readonly<Record<IterAnswer, number>> = { stop: 1, recurse: 2, continue: 3, up: 5 };
const MOP_NAMES = ['', 'created', 'deleted', 'modified', 'value-set', 'moved-after', 'attr-set'] as const;

/** One diff item (§M4.3). Set `answer` in the loop body; the default is `recurse`. */
export interface DiffItemReceived {
  /** The hashed keypath, leaf first, as sent. */
  readonly keypath: Term;
  readonly op: number;
  /** `created`, `deleted`, `modified`, `value-set`, `moved-after`, `attr-set`. */
  readonly opName: string;
  readonly oldValue: Term;
  readonly newValue: Term;
  answer: IterAnswer;
}

/** A MAAPI connection. */
export interface MaapiClient {
  readonly versionReply: VersionReply;
  /** MAAPI_START_USER_SESSION (§M2.1), as the C library sends it. */
  startUserSession(user: string, context?: string, groups?: readonly string[]): Promise<void>;
  endUserSession(): Promise<void>;
  /** MAAPI_ATTACH (§M3.1). @throws NsoMockError NSOMOCK_CLIENT_MAAPI (e.g. code 1, No such transaction) */
  attach(th: number, usid?: number, ns?: number): Promise<void>;
  detach(th: number): Promise<void>;
  /**
   * MAAPI_DIFF_ITER (§M4): yields each item; leaving the loop early answers STOP, as every NSO
   * client does when its callback throws.
   * @throws NsoMockError NSOMOCK_CLIENT_MAAPI for `{badstate, Reason}` / `{error}`
   */
  diffIterate(th: number, flags?: number): AsyncIterable<DiffItemReceived>;
  /** MAAPI_GET_ELEM (§M5) of a path such as `/mk:sys/host{h1}/address`. @throws NSOMOCK_CLIENT_MAAPI when absent (code 1) */
  getElem(th: number, path: string): Promise<Term>;
  /** MAAPI_EXISTS. */
  exists(th: number, path: string): Promise<boolean>;
  /** Sends one request and returns the reply term (undefined for `Op` alone). For ops this client has no method for. */
  request(op: number, th: number | undefined, term?: Term): Promise<Term | undefined>;
  close(): void;
}

/**
 * Connects as a MAAPI client (type 7, NSO 6.2.5 C header `07 0052 08020500 3c 12`).
 * @example
 *   const m = await connectMaapi({ host: '127.0.0.1', port: 4569 });
 *   await m.attach(17);
 *   for await (const item of m.diffIterate(17)) console.log(item.opName, formatTerm(item.keypath));
 * @throws NsoMockError NSOMOCK_CLIENT_CONNECT_FAILED
 */
export function connectMaapi(address: ClientAddress, options: MaapiConnectOptions = {}): Promise<MaapiClient> {
  const secret = typeof options.accessSecret === 'string' ? new TextEncoder().encode(options.accessSecret) : options.accessSecret;
  const access = secret === undefined ? undefined : (options.accessCheck ?? 'v1');
  const where = 'path' in address ? address.path : `${address.host}:${address.port}`;
  return new Promise((resolve, reject) => {
    const socket = 'path' in address ? createConnection({ path: address.path }) : createConnection({ host: address.host, port: address.port, noDelay: true });
    const decoder = new FrameDecoder({ maxFrameBytes: 64 * 1024 * 1024 });
    let stage: 'access-check' | 'access-result' | 'version' = 'version';
    let settled = false;
    const fail = (message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(new NsoMockError('NSOMOCK_CLIENT_CONNECT_FAILED', `Failed to connect: ${message} (${where})`, { details: { address: where, stage }, cause }));
    };
    const timer = setTimeout(() => fail(`no version reply within ${options.timeoutMs ?? 10_000} ms`), options.timeoutMs ?? 10_000);
    const onData = (chunk: Uint8Array): void => {
      decoder.push(chunk);
      for (;;) {
        if (stage === 'access-check' && secret !== undefined && access !== undefined) {
          const challenge = decoder.readRaw(1 + challengeLength(access));
          if (challenge === undefined) return;
          if (challenge[0] !== CHALLENGE_TAG) return fail('access denied (bad challenge)');
          socket.write(encodeChallengeResponse(computeAccessResponse(secret, challenge.subarray(1), access)));
          stage = 'access-result';
          continue;
        }
        if (stage === 'access-result') {
          const result = decoder.readRaw(1);
          if (result === undefined) return;
          if (result[0] !== 0) return fail('access denied');
          stage = 'version';
          continue;
        }
        const bytes = decoder.readRaw(9);
        if (bytes === undefined) return;
        const reply = decodeVersionReply(bytes);
        if (reply.status !== 0) return fail(`version reply status ${reply.status}`);
        settled = true;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('close', onEarlyClose);
        resolve(new Client(socket, decoder, reply));
        return;
      }
    };
    const onEarlyClose = (): void => fail('the server closed the connection during the handshake (does it serve MAAPI, client type 7?)');
    socket.on('data', onData);
    socket.once('close', onEarlyClose);
    socket.on('error', (e) => fail(e.message, e));
    socket.once('connect', () => {
      if (access !== undefined) stage = 'access-check';
      socket.write(
        encodeConnectHeader({
          clientType: 7,
          wantChallenge: access !== undefined,
          wantChallengeV2: access === 'v2',
          protocolVersion: 82,
          libraryVersion: 0x08020500,
          maxDepth: 60,
          maxKeyLength: 18,
          rawFlags: access === undefined ? 0 : access === 'v2' ? 0xc0 : 0x80,
        }),
      );
    });
  });
}

/** `/mk:sys/host{h1}/address` → `[[mk|sys], host, {<<"h1">>}, address]` (§M5: named, top first, keys as binaries). */
export function maapiPathTerm(path: string): Term {
  const out: Term[] = [];
  const re = /\/([^/{]+)(?:\{([^}]*)\})?/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(path)) !== null) {
    consumed = re.lastIndex;
    const ident = m[1]!;
    const colon = ident.indexOf(':');
    out.push(colon < 0 ? atom(ident) : improper([atom(ident.slice(0, colon))], atom(ident.slice(colon + 1))));
    if (m[2] !== undefined) out.push(tuple(...m[2].split(' ').filter((k) => k !== '').map((k) => binary(k))));
  }
  if (consumed !== path.length || out.length === 0) throw new NsoMockError('NSOMOCK_USAGE', `Failed to encode path: ${JSON.stringify(path)} is not /prefix:name/name{key}… (maapiPathTerm)`, { details: { path } });
  return list(out);
}

class Client implements MaapiClient {
  readonly versionReply: VersionReply;
  readonly #socket: Socket;
  readonly #decoder: FrameDecoder;
  #waiters: ((payload: Uint8Array | Error) => void)[] = [];
  #queue: Uint8Array[] = [];
  #closedError: Error | undefined;
  /** Requests run one at a time (MAAPI is request/reply on one socket). */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(socket: Socket, decoder: FrameDecoder, versionReply: VersionReply) {
    this.#socket = socket;
    this.#decoder = decoder;
    this.versionReply = versionReply;
    socket.on('data', (chunk: Uint8Array) => {
      this.#decoder.push(chunk);
      this.#drain();
    });
    socket.once('close', () => {
      this.#closedError = new NsoMockError('NSOMOCK_CLIENT_CLOSED', 'Failed to read a MAAPI reply: the connection is closed (MAAPI client)', { details: {} });
      for (const w of this.#waiters.splice(0)) w(this.#closedError);
    });
    this.#drain();
  }

  #drain(): void {
    for (;;) {
      const payload = this.#decoder.readFrame();
      if (payload === undefined) return;
      const waiter = this.#waiters.shift();
      if (waiter === undefined) this.#queue.push(payload.slice());
      else waiter(payload.slice());
    }
  }

  #next(): Promise<Uint8Array> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#closedError !== undefined) return Promise.reject(this.#closedError);
    return new Promise((resolve, reject) => this.#waiters.push((p) => (p instanceof Error ? reject(p) : resolve(p))));
  }

  #send(op: number, th: number | undefined, term?: Term, words: readonly number[] = []): void {
    const body = term === undefined ? new Uint8Array(0) : encodeTerm(term, { atomEncoding: 'utf8' });
    const head = 4 + (th === undefined ? 0 : 4) + words.length * 4;
    const out = new Uint8Array(4 + head + body.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, head + body.length);
    view.setUint32(4, op);
    let at = 8;
    if (th !== undefined) {
      view.setInt32(at, th);
      at += 4;
    }
    for (const w of words) {
      view.setUint32(at, w);
      at += 4;
    }
    out.set(body, at);
    this.#socket.write(out);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  request(op: number, th: number | undefined, term?: Term): Promise<Term | undefined> {
    return this.#serial(async () => {
      this.#send(op, th, term);
      return replyTerm(op, await this.#next());
    });
  }

  async startUserSession(user: string, context = 'system', groups: readonly string[] = []): Promise<void> {
    // §M2.1: the 6.2.5 7-tuple.
    await this.request(
      100,
      undefined,
      tuple(
        binary(user),
        tuple(tuple(int(127), int(0), int(0), int(1)), int(0)),
        atom(context),
        int(1),
        atom('false'),
        list(groups.map((g) => binary(g))),
        tuple(atom('undefined'), atom('undefined'), atom('undefined'), binary('nso-mock client')),
      ),
    );
  }

  async endUserSession(): Promise<void> {
    await this.request(101, undefined);
  }

  async attach(th: number, usid = 0, ns = 0): Promise<void> {
    await this.request(220, th, tuple(int(ns), int(usid)));
  }

  async detach(th: number): Promise<void> {
    await this.request(221, th);
  }

  async getElem(th: number, path: string): Promise<Term> {
    const value = await this.request(166, th, maapiPathTerm(path));
    if (value === undefined) throw protocolError(166, 'a reply without a value');
    return value;
  }

  async exists(th: number, path: string): Promise<boolean> {
    const value = await this.request(164, th, maapiPathTerm(path));
    return value !== undefined && integerValue(value) === 1n;
  }

  diffIterate(th: number, flags = 0): AsyncIterable<DiffItemReceived> {
    const self = this;
    return {
      [Symbol.asyncIterator]: async function* () {
        // The whole loop holds the socket: no other request may interleave with its items (§M4.2).
        const previous = self.#chain;
        let release!: () => void;
        self.#chain = new Promise<void>((r) => (release = r));
        await previous;
        let finished = false;
        try {
          self.#send(183, th, undefined, [0, flags]);
          for (;;) {
            const term = decodeTerm(await self.#next());
            if (term.kind === 'tuple' && term.elements.length === 1 && term.elements[0]?.kind === 'atom' && term.elements[0].name === 'return') {
              finished = true;
              return;
            }
            if (term.kind !== 'tuple' || term.elements.length !== 4) {
              finished = true;
              const reason = term.kind === 'tuple' && term.elements[1]?.kind === 'binary' ? new TextDecoder().decode(term.elements[1].bytes) : formatTerm(term);
              const code = term.kind === 'tuple' && term.elements[0]?.kind === 'atom' && term.elements[0].name === 'badstate' ? 17 : 1;
              throw new NsoMockError('NSOMOCK_CLIENT_MAAPI', `Failed to iterate the diff of transaction ${th}: ${reason} (error ${code})`, { details: { op: 183, code, reason } });
            }
            const [keypath, op, oldValue, newValue] = term.elements as [Term, Term, Term, Term];
            const code = Number(integerValue(op) ?? 0);
            const item: DiffItemReceived = { keypath, op: code, opName: MOP_NAMES[code] ?? String(code), oldValue, newValue, answer: 'recurse' };
            yield item;
            const answer = ANSWER_CODE[item.answer];
            const out = new Uint8Array(8);
            new DataView(out.buffer).setUint32(0, 4);
            new DataView(out.buffer).setUint32(4, answer);
            self.#socket.write(out);
            if (answer === ANSWER_CODE.stop) {
              finished = true;
              return;
            }
          }
        } finally {
          if (!finished && self.#closedError === undefined) {
            // Left early (break / throw): answer STOP to the item in hand, as NSO's clients do.
            const out = new Uint8Array(8);
            new DataView(out.buffer).setUint32(0, 4);
            new DataView(out.buffer).setUint32(4, ANSWER_CODE.stop);
            self.#socket.write(out);
          }
          release();
        }
      },
    };
  }

  close(): void {
    this.#socket.destroy();
  }
}

function replyTerm(op: number, payload: Uint8Array): Term | undefined {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const word = view.getUint32(0);
  if (word === ((op | 0x80000000) >>> 0)) {
    const code = payload.length >= 8 ? view.getUint32(4) : 0;
    let reason = '';
    if (payload.length > 8) {
      const t = decodeTerm(payload.subarray(8));
      const text = t.kind === 'tuple' ? t.elements[0] : t;
      if (text?.kind === 'binary') reason = new TextDecoder().decode(text.bytes).replace(/\0$/, '');
    }
    throw new NsoMockError('NSOMOCK_CLIENT_MAAPI', `Failed MAAPI op ${op}: ${reason} (error ${code})`, { details: { op, code, reason } });
  }
  if (word !== op) throw protocolError(op, `reply op ${word}`);
  return payload.length > 4 ? decodeTerm(payload.subarray(4)) : undefined;
}

function protocolError(op: number, what: string): NsoMockError<{ op: number; code: number; reason: string }> {
  return new NsoMockError('NSOMOCK_CLIENT_MAAPI', `Failed MAAPI op ${op}: ${what} (MAAPI.md §M1.2)`, { details: { op, code: 0, reason: what } });
}
