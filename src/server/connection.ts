/**
 * The imperative shell of one session: Duplex ↔ FrameDecoder ↔ session reducer. It reads bytes,
 * decodes them into reducer inputs, and carries out the effects (writes, timers through the
 * injected Clock, callbacks into the server). Nothing a socket sends can throw out of this file:
 * every input path is guarded and a failure becomes a violation that closes only this connection
 * (STYLE.md §3; aedes `lib/client.js` does the same with `connectionError`).
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import {
  decodeTerm,
  encodeFrame,
  FrameDecoder,
  type Ack,
  type ConnectHeader,
  type DecodeLimits,
  type Profile,
  type Subscription,
  type Term,
} from '../codec/index.js';
import type { Clock, ClockTimer } from './clock.js';
import type { InputBudget } from './input-budget.js';
import type { Journal, JournalEntryKind } from './journal.js';
import { rawBytesWanted, step, type SessionConfig } from './session.js';
import {
  initialSessionState,
  type CloseReason,
  type ConnectionProfileChoice,
  type SessionEffect,
  type SessionInput,
  type SessionPhase,
  type SessionState,
  type SessionTimer,
} from './session-state.js';
import type { ViolationCode } from './violations.js';

/** How a connection reached the server. */
export type Transport = 'tcp' | 'unix' | 'duplex';

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly session: SessionConfig;
  readonly clock: Clock;
  readonly journal: Journal;
  readonly maxFrameBytes: number;
  /** The frame limit until the connection has subscribed (at most maxFrameBytes). */
  readonly maxSubscribeFrameBytes: number;
  /** Decode limits of frames after the subscription. */
  readonly decodeLimits: DecodeLimits;
  /** Decode limits of frames before the subscription (a smaller budget). */
  readonly subscribeDecodeLimits: DecodeLimits;
  readonly atomEncoding: 'latin1' | 'utf8';
  /** 0 = no write-stall detection. */
  readonly writeStallTimeoutMs: number;
  readonly highWaterMarkBytes: number;
  /** The bytes all connections together may hold for incomplete input; each takes and gives back its own share. */
  readonly inputBudget: InputBudget;
  /** How long a connection we ended may stay half-open before it is destroyed. */
  readonly lingerMs: number;
  /** How long an incomplete header or frame may go without a byte before `input-stall` (clock ms; 0 = off). */
  readonly inputStallTimeoutMs: number;
  /** The pre-encoded heartbeat / health-check frame and its term (§11.11). */
  periodicFrame(type: 'heartbeat' | 'health-check'): { readonly frame: Uint8Array; readonly term: Term };
  onViolation(connection: Connection, code: ViolationCode, expected: string, actual: string, closes: boolean): void;
  onSubscribed(connection: Connection, subscription: Subscription, profile: Profile): void;
  onAck(connection: Connection, ack: Ack): void;
  onPeriodic(connection: Connection, type: 'heartbeat' | 'health-check'): void;
  /** The connection started closing: stop delivering to it, release its acks (§12.3). */
  onClosing(connection: Connection, reason: CloseReason): void;
  /** The socket is gone. */
  onClosed(connection: Connection, reason: CloseReason): void;
  /** The version reply went to a client type a handler takes (MAAPI.md §M1): give it the channel. */
  onHandOff(connection: Connection, channel: ClientChannel): void;
}

/**
 * A connection of another client type (MAAPI, type 7) after the connect header, the access check
 * and the version reply (MAAPI.md §M1): the handler reads the raw bytes that follow and writes its
 * replies; the server still owns the socket (journal, output bounds, shutdown, `closed` event).
 */
export interface ClientChannel {
  readonly connectionId: number;
  readonly transport: Transport;
  readonly remoteAddress: string | undefined;
  readonly header: ConnectHeader;
  /** The server's frame and term limits (§5, §6), for the handler's own framing. */
  readonly maxFrameBytes: number;
  readonly decodeLimits: DecodeLimits;
  readonly atomEncoding: 'latin1' | 'utf8';
  /** The server clock's time. */
  now(): number;
  /** Receives every byte after the version reply, in order (bytes that came with the header first). */
  onData(listener: (chunk: Uint8Array) => void): void;
  /** Called once when the socket is gone. */
  onClosed(listener: () => void): void;
  /** Queues bytes for the client (same batching and output bound as notifications). False when gone. */
  write(bytes: Uint8Array): boolean;
  /** Adds a journal entry of kind `maapi` (a request or reply: its term, bytes and a note such as `MAAPI_ATTACH th=17`). */
  record(direction: 'in' | 'out', entry: { readonly term?: Term; readonly raw?: Uint8Array; readonly note?: string }): void;
  /** Records a violation against this connection; `closes` ends it (destroyed, like a bad frame, §17). */
  violation(code: ViolationCode, expected: string, actual: string, closes: boolean): void;
}

/** The handler's listeners; chunks that arrive before it listens wait in `early`. */
interface HandOff {
  onData: ((chunk: Uint8Array) => void) | undefined;
  onClosed: (() => void) | undefined;
  early: Uint8Array[];
}

/** Frames up to this size are copied into the connection's open output chunk (see `#queue`). */
const SMALL_FRAME_BYTES = 4096;
const MIN_CHUNK_BYTES = 16 * 1024;
const MAX_CHUNK_BYTES = 1024 * 1024;

/** The fault-injection hooks of one connection (for the scenario engine). */
export interface ConnectionFaults {
  /** Writes raw bytes to the client, in order with queued frames. */
  inject(bytes: Uint8Array): void;
  /** Stops writing for `ms` (clock time); output queues up to highWaterMarkBytes. */
  stall(ms: number): void;
  /** Closes the connection (graceful end). */
  close(): void;
  /** Writes only the first half of the next frame, then ends the connection. */
  truncateNextFrame(): void;
  /** Writes at most `bytesPerTick` bytes every `tickMs` (clock time); 0 turns trickling off. */
  slowWrite(bytesPerTick: number, tickMs?: number): void;
  /** Pauses (true) or resumes (false) heartbeats and health checks (§13). */
  hang(hung: boolean): void;
  /**
   * Holds every write `ms` (clock time) before it is queued, order kept (a latency toxic); 0 turns
   * it off and releases what is held at once.
   */
  delay(ms: number): void;
  /**
   * Ends the connection once `bytes` more bytes were written: the write that crosses the limit is
   * cut there, journaled (`injected`, with `detail`), and the connection closes with reason
   * `fault-injection` and `detail` (a cut toxic). 0 closes at once; `undefined` cancels.
   */
  cutAfter(bytes: number | undefined, detail?: string): void;
}

/**
 * One accepted socket and its session.
 * @example
 *   const c = new Connection(host, socket, 1, 'tcp');
 *   c.start();
 */
export class Connection implements ConnectionFaults {
  readonly id: number;
  readonly transport: Transport;
  readonly remoteAddress: string | undefined;
  readonly connectedAt: number;
  /** Notifications written to this connection (heartbeats included). */
  delivered = 0;

  readonly #host: ConnectionHost;
  readonly #socket: Duplex;
  readonly #decoder: FrameDecoder;
  /** This connection's share of `host.inputBudget`. */
  #inputHeld = 0;
  #state: SessionState;
  #sawFirstByte = false;
  readonly #timers = new Map<SessionTimer, ClockTimer>();
  // Output: frames queued since the last flush, written as one buffer (one syscall per tick).
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  // Small frames are copied into an open chunk (sealed into #pending when full, before a large
  // frame and at the flush): a tick of 20,000 notifications then keeps a few buffers alive until
  // the flush instead of 20,000 frame views, which the garbage collector had to copy (survivors).
  #open: Uint8Array | undefined;
  #openUsed = 0;
  #flushScheduled = false;
  #ended = false;
  #closedNotified = false;
  #blockedSince: number | undefined;
  #stallTimer: ClockTimer | undefined;
  #stalledUntil = 0;
  #stallResume: ClockTimer | undefined;
  #slowBytes = 0;
  #slowTickMs = 1;
  #slowTimer: ClockTimer | undefined;
  #truncateNext = false;
  // Latency (delay()): writes held until their due time, oldest first; one timer for the head.
  #delayMs = 0;
  #delayed: { readonly due: number; readonly bytes: Uint8Array }[] = [];
  #delayedBytes = 0;
  #delayTimer: ClockTimer | undefined;
  // cutAfter(): bytes still allowed before the connection is ended.
  #cutRemaining: number | undefined;
  #cutDetail = '';
  #lingerTimer: ClockTimer | undefined;
  /** Clock time of the last byte received (progress of an incomplete header or frame). */
  #inputProgressAt = 0;
  #inputStallTimer: ClockTimer | undefined;
  #drainWaiters: (() => void)[] = [];
  /** Set once the connection is handed to another client type's handler (MAAPI.md §M1). */
  #handOff: HandOff | undefined;

  constructor(host: ConnectionHost, socket: Duplex, id: number, transport: Transport, remoteAddress?: string) {
    this.#host = host;
    this.#socket = socket;
    this.id = id;
    this.transport = transport;
    this.remoteAddress = remoteAddress;
    this.connectedAt = host.clock.now();
    this.#decoder = new FrameDecoder({ maxFrameBytes: host.maxSubscribeFrameBytes });
    this.#state = initialSessionState(id);
  }

  /** The session state (read-only snapshot). */
  get state(): SessionState {
    return this.#state;
  }

  /** Why the connection is closing, beyond its reason (see {@link SessionState.closeDetail}). */
  get closeDetail(): string | undefined {
    return this.#state.closeDetail;
  }

  get phase(): SessionPhase {
    return this.#state.phase;
  }

  get header(): ConnectHeader | undefined {
    return this.#state.header;
  }

  get subscription(): Subscription | undefined {
    return this.#state.subscription;
  }

  get profile(): Profile | undefined {
    return this.#state.profile;
  }

  /** How the profile was chosen (forced or from the client's protocol version). */
  get profileChoice(): ConnectionProfileChoice | undefined {
    return this.#state.profileChoice;
  }

  /** Bytes queued and not yet accepted by the kernel. */
  get bufferedBytes(): number {
    return this.#pendingBytes + this.#delayedBytes + this.#socket.writableLength;
  }

  /** Bytes received and not yet read: an incomplete header or frame. */
  get heldInputBytes(): number {
    return this.#decoder.buffered;
  }

  /** Attaches the socket listeners and arms the init timer. */
  start(): void {
    const socket = this.#socket;
    socket.on('data', (chunk: Uint8Array) => this.#guard(() => this.#onData(chunk)));
    socket.on('drain', () => this.#guard(() => this.#onDrain()));
    // A reset or EPIPE is the client's business; 'close' follows and releases the session.
    socket.on('error', () => undefined);
    socket.on('end', () => this.#guard(() => this.#onPeerEnd()));
    socket.on('close', () => this.#guard(() => this.#dispatch({ kind: 'socket-closed' })));
    this.#dispatch({ kind: 'accepted' });
  }

  /** Feeds one input to the reducer and carries out its effects (the only dispatch point). */
  dispatch(input: SessionInput): void {
    this.#guard(() => this.#dispatch(input));
  }

  /**
   * Queues one pre-encoded frame (a notification) for writing. The frame goes to the journal (its
   * term is decoded from it when read), stamped `time` (one clock read per emission, not per
   * recipient). Returns false when the connection is no longer writable.
   */
  sendFrame(frame: Uint8Array, time: number = this.#host.clock.now()): boolean {
    if (this.#ended || this.#state.phase === 'closed') return false;
    const journal = this.#host.journal;
    if (journal.enabled) journal.addFrame(time, this.id, 'out', frame);
    this.delivered += 1;
    return this.#enqueue(frame);
  }

  /** Resolves when everything queued has been handed to the kernel (or the connection is gone). */
  whenDrained(): Promise<void> {
    if (this.bufferedBytes === 0 || this.#ended || this.#state.phase === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Destroys the socket at once (server shutdown after the grace period). */
  destroy(): void {
    this.#socket.destroy();
  }

  /** Flushes queued output and ends the socket (server shutdown), returning when it is closed. */
  shutdown(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#state.phase === 'closed' || this.#socket.destroyed) {
        resolve();
        return;
      }
      this.#socket.once('close', () => resolve());
      this.#dispatch({ kind: 'close', reason: 'server-closed' });
      // Shutdown must not wait for a client that does not read: real time, not the injected clock,
      // bounds it (a manual clock might never move again).
      const guard = setTimeout(() => this.#socket.destroy(), graceMs);
      guard.unref();
      this.#socket.once('close', () => clearTimeout(guard));
    });
  }

  // ---- fault injection -------------------------------------------------------------------------

  inject(bytes: Uint8Array): void {
    if (this.#ended || this.#state.phase === 'closed') return;
    this.#journal('out', 'injected', undefined, bytes);
    this.#enqueue(bytes);
  }

  stall(ms: number): void {
    this.#stalledUntil = this.#host.clock.now() + ms;
    if (this.#stallResume !== undefined) this.#host.clock.clearTimeout(this.#stallResume);
    this.#stallResume = this.#host.clock.setTimeout(() => {
      this.#stallResume = undefined;
      // The timer firing is the end of the stall, whatever now() reads: Node's timers count from
      // the event loop's cached time, which trails Date.now(), so a 1 ms stall's timer can fire
      // while now() is still below #stalledUntil. Flushing by the clock alone then left the frames
      // queued during the stall unwritten for good (fuzz found it: a probe never delivered).
      this.#stalledUntil = 0;
      this.#guard(() => this.#flush());
    }, ms);
  }

  close(): void {
    this.dispatch({ kind: 'close', reason: 'fault-injection' });
  }

  truncateNextFrame(): void {
    this.#truncateNext = true;
  }

  slowWrite(bytesPerTick: number, tickMs = 1): void {
    this.#slowBytes = Math.max(0, Math.floor(bytesPerTick));
    this.#slowTickMs = Math.max(0, tickMs);
    if (this.#slowBytes === 0) this.#scheduleFlush();
  }

  hang(hung: boolean): void {
    this.dispatch({ kind: 'hang', hung });
  }

  delay(ms: number): void {
    this.#delayMs = Math.max(0, ms);
    if (this.#delayMs === 0) this.#guard(() => this.#releaseDelayed(true));
  }

  cutAfter(bytes: number | undefined, detail = `cut after ${bytes ?? 0} bytes`): void {
    if (bytes === undefined) {
      this.#cutRemaining = undefined;
      return;
    }
    if (this.#ended || this.#state.phase === 'closed') return;
    this.#cutRemaining = Math.max(0, Math.floor(bytes));
    this.#cutDetail = detail;
    if (this.#cutRemaining === 0) this.#guard(() => this.#cut(new Uint8Array(0)));
  }

  // ---- input ------------------------------------------------------------------------------------

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      // A bug of ours must not take the server down; report it against this connection and close it.
      try {
        this.#host.onViolation(this, 'internal', 'input the server can process', `internal error: ${error instanceof Error ? error.message : String(error)}`, true);
      } finally {
        this.#socket.destroy();
      }
    }
  }

  #onData(chunk: Uint8Array): void {
    if (this.#state.phase === 'closed') return;
    if (this.#state.phase === 'handed-off') {
      this.#forward(chunk);
      return;
    }
    if (!this.#sawFirstByte && chunk.length > 0) {
      this.#sawFirstByte = true;
      this.#dispatch({ kind: 'header-start', byte: chunk[0] ?? 0 });
      if (this.#state.phase !== 'await-header') return;
    }
    this.#decoder.push(chunk);
    this.#inputProgressAt = this.#host.clock.now();
    this.#pump();
    this.#accountInput();
    this.#watchInputStall();
  }

  /**
   * While an incomplete header or frame is held, a timer on the injected clock checks that bytes
   * keep coming: none for inputStallTimeoutMs closes the connection with `input-stall`, whether or
   * not it has subscribed (the init window only covers the time before). One timer per held
   * period, re-armed for the remainder when bytes arrived meanwhile (as the write-stall timer).
   */
  #watchInputStall(): void {
    const limit = this.#host.inputStallTimeoutMs;
    if (limit <= 0) return;
    if (!this.#holdsIncompleteInput()) {
      if (this.#inputStallTimer !== undefined) this.#host.clock.clearTimeout(this.#inputStallTimer);
      this.#inputStallTimer = undefined;
      return;
    }
    if (this.#inputStallTimer === undefined) this.#armInputStall(limit);
  }

  #holdsIncompleteInput(): boolean {
    const phase = this.#state.phase;
    return phase !== 'closing' && phase !== 'closed' && !this.#socket.destroyed && this.#decoder.buffered > 0;
  }

  #armInputStall(delay: number): void {
    const clock = this.#host.clock;
    this.#inputStallTimer = clock.setTimeout(() => {
      this.#inputStallTimer = undefined;
      this.#guard(() => {
        if (!this.#holdsIncompleteInput()) return;
        const limit = this.#host.inputStallTimeoutMs;
        const idle = clock.now() - this.#inputProgressAt;
        if (idle < limit) {
          // Bytes came meanwhile, or the timer fired before now() moved its full delay.
          this.#armInputStall(limit - idle);
          return;
        }
        const held = this.#decoder.buffered;
        const what = rawBytesWanted(this.#state) === undefined ? 'frame' : 'header';
        this.#dispatch({ kind: 'input-stall', detail: `${held} bytes of an incomplete ${what} held with no byte for ${idle} ms (limit ${this.#host.inputStallTimeoutMs} ms)` });
      });
    }, delay);
  }

  /**
   * Brings this connection's share of the server-wide buffered-input total up to date, after its
   * input was processed (complete frames are gone by then: only a partial header or frame is
   * held). A connection that would take the total past maxBufferedInputBytes is closed with
   * `input-overflow`, and its share is released at once so the others can go on.
   */
  #accountInput(): void {
    const budget = this.#host.inputBudget;
    const held = this.#socket.destroyed || this.#state.phase === 'closed' ? 0 : this.#decoder.buffered;
    const delta = held - this.#inputHeld;
    if (delta <= 0) {
      budget.release(-delta);
    } else if (!budget.take(delta)) {
      budget.release(this.#inputHeld);
      this.#inputHeld = 0;
      this.#dispatch({
        kind: 'input-overflow',
        detail: `${held} bytes of an incomplete header or frame held, ${budget.held} by other connections, limit ${budget.limit} in all`,
      });
      return;
    }
    this.#inputHeld = held;
  }

  /** Gives this connection's share of the buffered-input total back (it will read no more). */
  #releaseInput(): void {
    this.#host.inputBudget.release(this.#inputHeld);
    this.#inputHeld = 0;
  }

  #pump(): void {
    for (;;) {
      const phase = this.#state.phase;
      // A destroyed socket (a violation closed it) has nothing more to say; an ended one
      // (ack timeout) is still read, so a late ack is seen (§20).
      if (phase === 'closed' || this.#socket.destroyed) return;
      const want = rawBytesWanted(this.#state);
      if (want !== undefined) {
        const bytes = this.#decoder.readRaw(want);
        if (bytes === undefined) return;
        if (phase === 'await-header') {
          this.#journal('in', 'header', undefined, bytes, undefined, bytes.length);
          this.#dispatch({ kind: 'header', bytes, entropy: randomBytes(32) });
        } else {
          this.#journal('in', 'challenge-response', undefined, bytes, undefined, bytes.length);
          this.#dispatch({ kind: 'challenge-response', bytes });
        }
        continue;
      }
      if (phase === 'handed-off') {
        // Bytes that arrived with the header belong to the handler (MAAPI.md §M1.2).
        const rest = this.#decoder.buffered > 0 ? this.#decoder.readRaw(this.#decoder.buffered) : undefined;
        if (rest !== undefined) this.#forward(rest);
        return;
      }
      if (phase !== 'await-subscription' && phase !== 'subscribed' && phase !== 'closing') return;
      // Until it has subscribed, a connection gets only what a subscription needs (frame size and
      // decode budget); then what an honest client never reaches (docs/decisions/005-decode-budget.md).
      const presubscribe = phase === 'await-subscription';
      this.#decoder.maxFrameBytes = presubscribe ? this.#host.maxSubscribeFrameBytes : this.#host.maxFrameBytes;
      let payload: Uint8Array | undefined;
      try {
        payload = this.#decoder.readFrame();
      } catch (error) {
        if (phase === 'closing') return;
        const message = error instanceof Error ? error.message : String(error);
        const detail = presubscribe ? `${message}; before the subscription frames are limited to maxSubscribeFrameBytes ${this.#host.maxSubscribeFrameBytes}` : message;
        this.#journal('in', 'bad-frame', undefined, undefined, detail);
        this.#dispatch({ kind: 'bad-frame', code: 'bad-frame-length', detail });
        return;
      }
      if (payload === undefined) return;
      let term: Term;
      try {
        term = decodeTerm(payload, presubscribe ? this.#host.subscribeDecodeLimits : this.#host.decodeLimits);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        this.#journal('in', 'bad-frame', undefined, payload, detail, payload.length);
        this.#dispatch({ kind: 'bad-frame', code: 'bad-term', detail });
        continue;
      }
      this.#journal('in', 'frame', term, undefined, undefined, payload.length);
      this.#dispatch({ kind: 'frame', term });
    }
  }

  #onPeerEnd(): void {
    // The client half-closed: nothing more will arrive; answer with our end (Node would otherwise
    // keep a half-open socket), and let 'close' release the session.
    if (!this.#socket.destroyed) this.#socket.end();
  }

  #dispatch(input: SessionInput): void {
    const { state, effects } = step(this.#state, input, this.#host.session);
    this.#state = state;
    for (const effect of effects) this.#run(effect);
  }

  #run(effect: SessionEffect): void {
    switch (effect.kind) {
      case 'write':
        this.#journal('out', effect.journal, undefined, effect.bytes);
        this.#enqueue(effect.bytes);
        return;
      case 'send': {
        const frame = encodeFrame(effect.term, { atomEncoding: this.#host.atomEncoding });
        this.#journal('out', 'frame', effect.term, undefined, undefined, frame.length - 4);
        this.#enqueue(frame);
        return;
      }
      case 'set-timer': {
        this.#clearTimer(effect.timer);
        const timer = effect.timer;
        this.#timers.set(
          timer,
          this.#host.clock.setTimeout(() => {
            this.#timers.delete(timer);
            this.dispatch({ kind: 'timer', timer });
          }, effect.delayMs),
        );
        return;
      }
      case 'clear-timer':
        this.#clearTimer(effect.timer);
        return;
      case 'violation':
        this.#host.onViolation(this, effect.code, effect.expected, effect.actual, effect.closes);
        return;
      case 'subscribed':
        this.#host.onSubscribed(this, effect.subscription, effect.profile);
        return;
      case 'ack':
        this.#host.onAck(this, effect.ack);
        return;
      case 'periodic': {
        this.sendFrame(this.#host.periodicFrame(effect.type).frame);
        this.#host.onPeriodic(this, effect.type);
        return;
      }
      case 'close':
        this.#close(effect.reason, effect.mode);
        return;
      case 'release':
        this.#release();
        return;
      case 'hand-off':
        this.#startHandOff();
        return;
      default: {
        const never: never = effect;
        throw new TypeError(`unhandled session effect ${JSON.stringify(never)}`);
      }
    }
  }

  #close(reason: CloseReason, mode: 'end' | 'destroy'): void {
    this.#dropDelayed(reason);
    if (!this.#ended) {
      this.#ended = true;
      this.#host.onClosing(this, reason);
    }
    if (mode === 'destroy') {
      this.#dropPending();
      this.#socket.destroy();
      return;
    }
    // 'end': write what is queued (an error reply, §8.4), then FIN. A client that never closes its
    // side is destroyed after the linger time.
    this.#flush(true);
    if (this.#lingerTimer === undefined && this.#host.lingerMs > 0) {
      this.#lingerTimer = this.#host.clock.setTimeout(() => {
        this.#lingerTimer = undefined;
        this.#socket.destroy();
      }, this.#host.lingerMs);
    }
  }

  #startHandOff(): void {
    const handOff: HandOff = { onData: undefined, onClosed: undefined, early: [] };
    this.#handOff = handOff;
    const header = this.#state.header;
    if (header === undefined) throw new TypeError('hand-off before the connect header');
    const host = this.#host;
    const channel: ClientChannel = {
      connectionId: this.id,
      transport: this.transport,
      remoteAddress: this.remoteAddress,
      header,
      maxFrameBytes: host.maxFrameBytes,
      decodeLimits: host.decodeLimits,
      atomEncoding: host.atomEncoding,
      now: () => host.clock.now(),
      onData: (listener) => {
        handOff.onData = listener;
        const early = handOff.early;
        handOff.early = [];
        for (const chunk of early) this.#guard(() => listener(chunk));
      },
      onClosed: (listener) => {
        handOff.onClosed = listener;
      },
      write: (bytes) => {
        if (this.#ended || this.#state.phase === 'closed') return false;
        return this.#enqueue(bytes);
      },
      record: (direction, entry) => this.#journal(direction, 'maapi', entry.term, entry.raw, entry.note),
      violation: (code, expected, actual, closes) => {
        host.onViolation(this, code, expected, actual, closes);
        if (closes) this.#dispatch({ kind: 'close', reason: 'violation' });
      },
    };
    host.onHandOff(this, channel);
  }

  #forward(chunk: Uint8Array): void {
    const handOff = this.#handOff;
    if (handOff === undefined) return;
    if (handOff.onData === undefined) handOff.early.push(chunk);
    else handOff.onData(chunk);
  }

  #release(): void {
    this.#dropDelayed(this.#state.closeReason ?? 'peer-closed');
    for (const timer of [this.#stallTimer, this.#stallResume, this.#slowTimer, this.#lingerTimer, this.#inputStallTimer, this.#delayTimer]) {
      if (timer !== undefined) this.#host.clock.clearTimeout(timer);
    }
    this.#stallTimer = this.#stallResume = this.#slowTimer = this.#lingerTimer = this.#inputStallTimer = this.#delayTimer = undefined;
    for (const timer of this.#timers.values()) this.#host.clock.clearTimeout(timer);
    this.#timers.clear();
    this.#dropPending();
    this.#releaseInput();
    this.#resolveDrainWaiters();
    if (!this.#ended) {
      this.#ended = true;
      this.#host.onClosing(this, this.#state.closeReason ?? 'peer-closed');
    }
    const handOff = this.#handOff;
    if (handOff?.onClosed !== undefined) {
      handOff.onClosed();
      handOff.onClosed = undefined;
    }
    if (!this.#closedNotified) {
      this.#closedNotified = true;
      this.#host.onClosed(this, this.#state.closeReason ?? 'peer-closed');
    }
  }

  #clearTimer(timer: SessionTimer): void {
    const t = this.#timers.get(timer);
    if (t !== undefined) {
      this.#host.clock.clearTimeout(t);
      this.#timers.delete(timer);
    }
  }

  // ---- output -----------------------------------------------------------------------------------

  #enqueue(bytes: Uint8Array): boolean {
    if (this.#socket.destroyed) return false;
    if (this.#delayMs > 0 || this.#delayed.length > 0) {
      // Latency: held until due (behind anything already held, so the order stays). A write made
      // after the delay was turned off still waits for the held ones (#releaseDelayed empties them).
      if (this.#delayMs === 0) this.#releaseDelayed(true);
      else {
        this.#delayed.push({ due: this.#host.clock.now() + this.#delayMs, bytes });
        this.#delayedBytes += bytes.length;
        // Held output counts against the same bound as queued output: a latency toxic under a
        // heavy emitter must not grow the server without limit.
        const held = this.#pendingBytes + this.#delayedBytes + this.#socket.writableLength;
        if (held > this.#host.highWaterMarkBytes && !this.#ended) {
          this.#dispatch({ kind: 'output-blocked', code: 'output-overflow', detail: `${held} bytes queued (${this.#delayedBytes} held by latency), limit ${this.#host.highWaterMarkBytes}` });
          return false;
        }
        this.#armDelay();
        return true;
      }
    }
    return this.#enqueueNow(bytes);
  }

  #armDelay(): void {
    const head = this.#delayed[0];
    if (head === undefined || this.#delayTimer !== undefined) return;
    const clock = this.#host.clock;
    this.#delayTimer = clock.setTimeout(() => {
      this.#delayTimer = undefined;
      // The timer firing is the head's due time, whatever now() reads (see stall()).
      this.#guard(() => this.#releaseDelayed(false, head.due));
    }, Math.max(0, head.due - clock.now()));
  }

  /** Writes held by a latency toxic are not written once the connection closes: said in the journal. */
  #dropDelayed(reason: CloseReason): void {
    if (this.#delayed.length === 0) return;
    const [count, bytes] = [this.#delayed.length, this.#delayedBytes];
    this.#delayed = [];
    this.#delayedBytes = 0;
    if (this.#delayTimer !== undefined) this.#host.clock.clearTimeout(this.#delayTimer);
    this.#delayTimer = undefined;
    this.#journal('out', 'injected', undefined, undefined, `latency: ${count} held write(s), ${bytes} bytes, not written: the connection closed (${String(reason)})`);
  }

  /** Queues the held writes that are due (all of them when `all`), oldest first. */
  #releaseDelayed(all: boolean, dueBy: number = this.#host.clock.now()): void {
    while (this.#delayed.length > 0) {
      const head = this.#delayed[0]!;
      if (!all && head.due > dueBy) break;
      this.#delayed.shift();
      this.#delayedBytes -= head.bytes.length;
      if (!this.#enqueueNow(head.bytes)) {
        // Closed (a cut, an overflow): what is still held will not be written.
        this.#delayed = [];
        this.#delayedBytes = 0;
        break;
      }
    }
    if (this.#delayTimer !== undefined && this.#delayed.length === 0) {
      this.#host.clock.clearTimeout(this.#delayTimer);
      this.#delayTimer = undefined;
    }
    this.#armDelay();
    if (this.bufferedBytes === 0) this.#resolveDrainWaiters();
  }

  /** Writes the part of `bytes` the cut still allows, then ends the connection (fault injection). */
  #cut(bytes: Uint8Array): void {
    const allowed = bytes.subarray(0, this.#cutRemaining ?? 0);
    this.#cutRemaining = undefined;
    this.#journal('out', 'injected', undefined, allowed, `${this.#cutDetail}: ${allowed.length} of a ${bytes.length}-byte write sent, then the connection ended`);
    if (allowed.length > 0) this.#queue(allowed);
    this.#dispatch({ kind: 'close', reason: 'fault-injection', detail: this.#cutDetail });
  }

  #enqueueNow(bytes: Uint8Array): boolean {
    if (this.#socket.destroyed) return false;
    if (this.#cutRemaining !== undefined) {
      // The write that reaches the limit is the last one: its allowed part goes out, then the end.
      if (bytes.length >= this.#cutRemaining) {
        this.#cut(bytes);
        return false;
      }
      this.#cutRemaining -= bytes.length;
    }
    if (this.#truncateNext && bytes.length > 1) {
      // Fault injection: half a frame, then the end of the stream (a server crashing mid-write).
      this.#truncateNext = false;
      const half = bytes.subarray(0, Math.max(1, bytes.length >> 1));
      this.#journal('out', 'injected', undefined, half, 'truncated frame');
      this.#queue(half);
      this.#dispatch({ kind: 'close', reason: 'fault-injection' });
      return false;
    }
    this.#queue(bytes);
    if (this.#pendingBytes + this.#socket.writableLength > this.#host.highWaterMarkBytes && !this.#ended) {
      this.#dispatch({
        kind: 'output-blocked',
        code: 'output-overflow',
        detail: `${this.#pendingBytes + this.#socket.writableLength} bytes queued, limit ${this.#host.highWaterMarkBytes}`,
      });
      return false;
    }
    this.#scheduleFlush();
    return true;
  }

  #queue(bytes: Uint8Array): void {
    this.#pendingBytes += bytes.length;
    if (bytes.length > SMALL_FRAME_BYTES) {
      this.#seal();
      this.#pending.push(bytes);
      return;
    }
    let open = this.#open;
    if (open === undefined || open.length - this.#openUsed < bytes.length) {
      this.#seal();
      // Doubling chunks: a busy tick needs few of them; a quiet one allocates a small one.
      const last = this.#pending.length === 0 ? 0 : (this.#pending[this.#pending.length - 1]?.length ?? 0);
      open = this.#open = new Uint8Array(Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, last * 2)));
    }
    open.set(bytes, this.#openUsed);
    this.#openUsed += bytes.length;
  }

  /** Moves the open chunk's bytes to #pending. */
  #seal(): void {
    const open = this.#open;
    if (open === undefined) return;
    if (this.#openUsed > 0) this.#pending.push(open.subarray(0, this.#openUsed));
    this.#open = undefined;
    this.#openUsed = 0;
  }

  #dropPending(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#open = undefined;
    this.#openUsed = 0;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Batching: every frame queued during the current tick (an emit loop, a fan-out) is written in
    // one socket write of one concatenated buffer (one syscall, one WriteReq) once the tick ends.
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#guard(() => this.#flush());
    });
  }

  #flush(final = false): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    const clock = this.#host.clock;
    if (this.#pendingBytes > 0 && clock.now() >= this.#stalledUntil) {
      this.#seal();
      let data = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
      if (this.#slowBytes > 0 && data.length > this.#slowBytes) {
        // Trickle: this tick's share now, the rest at the next tick (re-chunks frames for the client).
        const rest = data.subarray(this.#slowBytes);
        data = data.subarray(0, this.#slowBytes);
        this.#pending = [rest];
        this.#pendingBytes = rest.length;
        if (this.#slowTimer === undefined) {
          this.#slowTimer = clock.setTimeout(() => {
            this.#slowTimer = undefined;
            this.#guard(() => this.#flush(final && this.#ended));
          }, this.#slowTickMs);
        }
      } else {
        this.#pending = [];
        this.#pendingBytes = 0;
      }
      if (!socket.write(data)) this.#writeBlocked();
    }
    if (final || (this.#ended && this.#pendingBytes === 0)) {
      if (this.#pendingBytes === 0 && !socket.writableEnded) socket.end();
    }
    if (this.bufferedBytes === 0) this.#resolveDrainWaiters();
  }

  #writeBlocked(): void {
    // §1.2 / §20: measure how long the kernel buffer stays full. One timer per blocked period,
    // re-armed for the remainder instead of cleared on every 'drain' (cheap under heavy output).
    const limit = this.#host.writeStallTimeoutMs;
    if (limit <= 0) return;
    const clock = this.#host.clock;
    if (this.#blockedSince === undefined) this.#blockedSince = clock.now();
    if (this.#stallTimer === undefined) this.#armStallTimer(limit);
  }

  #armStallTimer(delay: number): void {
    const clock = this.#host.clock;
    this.#stallTimer = clock.setTimeout(() => {
      this.#stallTimer = undefined;
      this.#guard(() => {
        const since = this.#blockedSince;
        if (since === undefined) return;
        const elapsed = clock.now() - since;
        const limit = this.#host.writeStallTimeoutMs;
        if (elapsed >= limit) {
          this.#dispatch({ kind: 'output-blocked', code: 'write-stall', detail: `a write blocked for ${elapsed} ms (limit ${limit} ms)` });
        } else {
          this.#armStallTimer(limit - elapsed);
        }
      });
    }, delay);
  }

  #onDrain(): void {
    this.#blockedSince = undefined;
    if (this.#pendingBytes > 0) this.#flush();
    if (this.bufferedBytes === 0) this.#resolveDrainWaiters();
  }

  #resolveDrainWaiters(): void {
    if (this.#drainWaiters.length === 0) return;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }

  #journal(direction: 'in' | 'out', kind: JournalEntryKind, term?: Term, raw?: Uint8Array, note?: string, size?: number): void {
    const journal = this.#host.journal;
    if (journal.enabled) journal.add(this.#host.clock.now(), this.id, direction, kind, term, raw, note, size);
  }
}
