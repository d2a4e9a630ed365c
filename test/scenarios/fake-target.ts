/**
 * A small in-memory stand-in for the server, for scheduler tests: subscribers are declared by the
 * test, `emit` delivers synchronously by mask (PROTOCOL.md §10.1), acks and violations are
 * injected by the test, faults and stream calls are recorded.
 */
import { EventEmitter } from 'node:events';
import { ackRequiredBy, notificationTypes, type Ack, type Notification } from '../../src/codec/index.js';
import type { ManualClock, Violation, ViolationCode } from '../../src/server/index.js';
import type { ScenarioTarget, TargetDelivery, TargetEvents, TargetSubscriber } from '../../src/scenarios/target.js';

export interface FaultCall {
  readonly connectionId: number;
  readonly call: string;
  readonly args: readonly unknown[];
}

export class FakeTarget implements ScenarioTarget {
  readonly violations: Violation[] = [];
  readonly emitted: { readonly notification: Notification; readonly stream?: string; readonly recipients: readonly number[] }[] = [];
  readonly faults: FaultCall[] = [];
  readonly streamCalls: { readonly call: string; readonly name: string; readonly arg: unknown }[] = [];
  hung = false;
  readonly #events = new EventEmitter();
  readonly #subs: TargetSubscriber[] = [];
  readonly #clock: ManualClock;
  #nextId = 1;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  /** A client subscribes with `mask`. */
  subscribe(mask: number): number {
    const sub = { id: this.#subs.length + 1, subscription: { mask } };
    this.#subs.push(sub);
    this.#events.emit('subscribed', sub);
    return sub.id;
  }

  /** A client sends an ack (the fake matches every ack). */
  ack(connectionId: number, ack: Ack, result: 'matched' | 'ack-unknown-handle' = 'matched'): void {
    this.#events.emit('ack', { connectionId, ack, result, time: this.#clock.now() });
  }

  /** The server records a violation. */
  violate(connectionId: number, code: ViolationCode): void {
    const v: Violation = { code, connectionId, expected: 'x', actual: 'y', time: this.#clock.now(), closed: false };
    this.violations.push(v);
    this.#events.emit('violation', v);
  }

  /** The server did not send a notification to a connection (its profile lacks it, or encoding failed). */
  notSend(connectionId: number, type: Notification['type'], reason: 'profile' | 'unencodable', message: string): void {
    this.#events.emit('not-sent', { connectionId, emissionId: 0, type, reason, message, time: this.#clock.now() });
  }

  /** A connection closes. */
  disconnect(connectionId: number, close: { reason?: string; detail?: string } = {}): void {
    const i = this.#subs.findIndex((s) => s.id === connectionId);
    if (i >= 0) this.#subs.splice(i, 1);
    const { reason = 'client-closed', detail } = close;
    this.#events.emit('closed', { connectionId, reason, ...(detail === undefined ? {} : { detail }), subscribed: true, pendingAcks: [], delivered: 0, time: this.#clock.now() });
  }

  emit(notification: Notification): TargetDelivery {
    return this.#deliver(notification);
  }

  #deliver(notification: Notification, stream?: string): TargetDelivery {
    const id = this.#nextId++;
    const bit = notificationTypes[notification.type].bit;
    const recipients = this.#subs.filter((s) => (s.subscription.mask & bit) !== 0).map((s) => s.id);
    for (const connectionId of recipients) {
      this.#events.emit('delivered', { connectionId, emissionId: id, type: notification.type, bit, time: this.#clock.now() });
    }
    this.emitted.push(stream === undefined ? { notification, recipients } : { notification, stream, recipients });
    const t = this.#clock.now();
    const required = recipients.filter((r) => ackRequiredBy(notification, this.#subs.find((s) => s.id === r)?.subscription.mask ?? 0) !== undefined);
    return {
      id,
      notification,
      queued: false,
      recipients,
      sent: Promise.resolve(recipients),
      acked: Promise.resolve({ ok: true, expected: undefined, required, acked: [], missing: [], openedAt: t, settledAt: t }),
    };
  }

  subscribers(): readonly TargetSubscriber[] {
    return [...this.#subs];
  }

  connection(id: number): ReturnType<ScenarioTarget['connection']> {
    const record = (call: string) => (...args: unknown[]): void => {
      this.faults.push({ connectionId: id, call, args });
    };
    return {
      inject: record('inject'),
      stall: record('stall'),
      close: record('close'),
      truncateNextFrame: record('truncateNextFrame'),
      slowWrite: record('slowWrite'),
      hang: record('hang'),
      delay: record('delay'),
      cutAfter: record('cutAfter'),
    };
  }

  hang(hung: boolean): void {
    this.hung = hung;
  }

  readonly streams: ScenarioTarget['streams'] = {
    define: (name, options) => {
      this.streamCalls.push({ call: 'define', name, arg: options });
      return { name, replaySupport: options?.replaySupport ?? true, maxHistory: 10_000, historySize: 0, logStart: this.#clock.now() };
    },
    publish: (name, event) => {
      this.streamCalls.push({ call: 'publish', name, arg: event });
      return this.#deliver(event as Notification, name) as ReturnType<ScenarioTarget['streams']['publish']>;
    },
  };

  on<K extends keyof TargetEvents>(event: K, listener: (...args: TargetEvents[K]) => void): this {
    this.#events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof TargetEvents>(event: K, listener: (...args: TargetEvents[K]) => void): this {
    this.#events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  listenerCount(): number {
    return this.#events.eventNames().reduce((n, e) => n + this.#events.listenerCount(e), 0);
  }
}

/**
 * Runs `promise` to completion on a manual clock: lets pending I/O and microtasks settle, then
 * fires the next timer, until the promise settles. Tests never sleep (STYLE.md §5).
 * @throws Error when the promise can never settle (no timer left while it is pending).
 */
export async function drive<T>(clock: ManualClock, promise: Promise<T>, hooks: { readonly at?: Readonly<Record<number, () => void>> } = {}): Promise<T> {
  let settled = false;
  let value: T | undefined;
  let failure: unknown;
  let failed = false;
  promise.then(
    (v) => {
      settled = true;
      value = v;
    },
    (e: unknown) => {
      settled = true;
      failed = true;
      failure = e;
    },
  );
  const start = clock.now();
  const pendingHooks = new Map(Object.entries(hooks.at ?? {}).map(([k, f]) => [Number(k), f]));
  let idle = 0;
  for (let guard = 0; guard < 1_000_000; guard += 1) {
    await new Promise<void>((r) => setImmediate(r));
    if (settled) break;
    const nextTimer = clock.nextDue();
    const nextHook = [...pendingHooks.keys()].map((k) => start + k).filter((t) => t >= clock.now()).sort((a, b) => a - b)[0];
    if (nextHook !== undefined && (nextTimer === undefined || nextHook <= nextTimer)) {
      clock.advanceTo(nextHook);
      const key = nextHook - start;
      const hook = pendingHooks.get(key);
      pendingHooks.delete(key);
      hook?.();
      continue;
    }
    if (nextTimer === undefined) {
      // Nothing on the clock: the promise waits for real I/O (a dynamic import, a socket). Poll it
      // for a while; this waits for work to finish, never for time to pass.
      if (++idle > 5_000) throw new Error(`drive(): the promise is pending but no timer is scheduled (at ${clock.now() - start} ms)`);
      await new Promise<void>((r) => setTimeout(r, 1));
      continue;
    }
    idle = 0;
    clock.advanceTo(nextTimer);
  }
  if (failed) throw failure;
  return value as T;
}
