/**
 * Toxics: faults added and removed at run time, for connections that exist now and connections that
 * subscribe later, as Toxiproxy does for a proxied link. They reuse the server's per-connection
 * fault hooks (`MockServer.connection(id)`: `delay`, `stall`, `cutAfter`, `inject`), the same ones
 * the scenario `fault` step drives, so a toxic and a scenario fault behave alike. A toxic acts on
 * subscribed connections (PROTOCOL.md §8): a connection in scope is affected from its subscription
 * on, so its handshake (§2–§4) is never delayed or cut.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../codec/index.js';
import type { ClosedEvent, MockServer, SubscriberInfo } from '../server/index.js';

/**
 * Which connections a toxic acts on:
 * - `'all'` (default): those subscribed now and those that subscribe later;
 * - `'existing'`: only those subscribed now;
 * - `'future'`: only those that subscribe after the toxic was added;
 * - `{ connection: id }`: that open connection (from its subscription on, if it has not subscribed yet);
 * - `{ protocolVersion: n }`: subscribed now or later, with protocol version `n` in the connect header (§2; 77 for NSO 5.7).
 */
export type ToxicScope = 'all' | 'existing' | 'future' | { readonly connection: number } | { readonly protocolVersion: number };

/**
 * A toxic to add:
 * - `latency`: every write to the connection (notifications, heartbeats) is held `ms` (server clock)
 *   before it is written, order kept; latencies of several toxics on one connection add up;
 * - `stall`: the connection writes nothing for `ms` (output queues), once, when the toxic reaches it;
 * - `cut`: after `bytes` more bytes the connection is ended: the write that reaches the limit is
 *   cut there, and the connection closes with reason `fault-injection` and the detail
 *   `toxic <id>: cut after <bytes> bytes` (the last cut toxic to reach a connection wins);
 * - `garbage`: `bytes` (or `length` random bytes) are written to the connection once, unframed,
 *   in order with its frames — what a client must survive or report.
 */
export type ToxicSpec =
  | { readonly kind: 'latency'; readonly ms: number; readonly scope?: ToxicScope }
  | { readonly kind: 'stall'; readonly ms: number; readonly scope?: ToxicScope }
  | { readonly kind: 'cut'; readonly bytes: number; readonly scope?: ToxicScope }
  | { readonly kind: 'garbage'; readonly bytes?: Uint8Array; readonly length?: number; readonly scope?: ToxicScope };

/** A toxic as added, with what it did so far. */
export interface ToxicInfo {
  /** `t1`, `t2`, …: what `remove()` and `DELETE /toxics/{id}` take. */
  readonly id: string;
  readonly kind: ToxicSpec['kind'];
  /** `latency`, `stall`: the time; otherwise absent. */
  readonly ms?: number;
  /** `cut`: the limit. */
  readonly bytes?: number;
  /** `garbage`: the bytes written to each connection, hex. */
  readonly hex?: string;
  readonly scope: ToxicScope;
  /** Server clock time when it was added. */
  readonly addedAt: number;
  /** The connections it reached, in order (closed ones stay listed). */
  readonly applied: readonly number[];
  /** `cut`: the connections it closed. */
  readonly cut?: readonly number[];
}

interface Toxic {
  readonly id: string;
  readonly spec: ToxicSpec;
  readonly scope: ToxicScope;
  readonly garbage: Uint8Array | undefined;
  readonly addedAt: number;
  readonly applied: number[];
  readonly open: Set<number>;
  readonly cut: number[];
  readonly detail: string;
}

function fail(message: string, option: string, value: unknown): never {
  throw new UsageError('NSOMOCK_USAGE', `Failed to add the toxic: ${message}`, { details: { option, value } });
}

function checkCount(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(`${name} must be a non-negative integer, got ${String(value)}`, name, value);
  return value;
}

/**
 * The toxics of one server. `startNsoMock()` hands one out as `mock.toxics`; the control API's
 * `/toxics` endpoints use the same one.
 * @example
 *   const slow = mock.toxics.add({ kind: 'latency', ms: 200 });       // every subscriber, now and later
 *   mock.toxics.add({ kind: 'cut', bytes: 100, scope: { connection: 3 } });
 *   mock.toxics.remove(slow.id);                                       // frames flow at once again
 */
export class Toxics {
  readonly #server: MockServer;
  readonly #toxics = new Map<string, Toxic>();
  #next = 1;
  readonly #off: () => void;

  constructor(server: MockServer) {
    this.#server = server;
    const onSubscribed = (s: SubscriberInfo): void => this.#onSubscribed(s);
    const onClosed = (e: ClosedEvent): void => this.#onClosed(e);
    server.on('subscribed', onSubscribed);
    server.on('closed', onClosed);
    this.#off = () => {
      server.off('subscribed', onSubscribed);
      server.off('closed', onClosed);
    };
  }

  /**
   * Adds a toxic; it acts at once on the subscribed connections in its scope.
   * @throws UsageError `NSOMOCK_USAGE` for a bad value (a negative time, no or two garbage
   *   sources) or a `{ connection }` scope naming no open connection.
   * @example
   *   const t = mock.toxics.add({ kind: 'garbage', bytes: Uint8Array.of(0xde, 0xad), scope: 'future' });
   */
  add(spec: ToxicSpec): ToxicInfo {
    const scope = spec.scope ?? 'all';
    let garbage: Uint8Array | undefined;
    switch (spec.kind) {
      case 'latency':
      case 'stall':
        checkCount(spec.ms, 'ms');
        break;
      case 'cut':
        checkCount(spec.bytes, 'bytes');
        break;
      case 'garbage':
        if ((spec.bytes === undefined) === (spec.length === undefined)) fail('give exactly one of bytes and length', 'bytes', spec.bytes);
        if (spec.length !== undefined && checkCount(spec.length, 'length') === 0) fail('length must be at least 1', 'length', spec.length);
        if (spec.bytes !== undefined && spec.bytes.length === 0) fail('bytes must not be empty', 'bytes', '');
        garbage = spec.bytes === undefined ? new Uint8Array(randomBytes(spec.length ?? 1)) : Uint8Array.from(spec.bytes);
        break;
      default: {
        const never: never = spec;
        fail(`unknown kind ${String((never as { kind: unknown }).kind)} (latency, stall, cut, garbage)`, 'kind', (never as { kind: unknown }).kind);
      }
    }
    if (typeof scope === 'object') {
      if ('connection' in scope) {
        checkCount(scope.connection, 'scope.connection');
        if (!this.#server.connections().some((c) => c.id === scope.connection)) fail(`no open connection ${scope.connection}`, 'scope.connection', scope.connection);
      } else {
        checkCount(scope.protocolVersion, 'scope.protocolVersion');
      }
    } else if (!['all', 'existing', 'future'].includes(scope)) {
      fail(`scope must be all, existing, future, { connection } or { protocolVersion }, got ${String(scope)}`, 'scope', scope);
    }
    const id = `t${this.#next}`;
    this.#next += 1;
    const detail = spec.kind === 'cut' ? `toxic ${id}: cut after ${spec.bytes} bytes` : `toxic ${id}`;
    const toxic: Toxic = { id, spec, scope, garbage, addedAt: this.#server.clock.now(), applied: [], open: new Set(), cut: [], detail };
    this.#toxics.set(id, toxic);
    if (scope !== 'future') {
      for (const s of this.#server.subscribers()) if (this.#matches(toxic, s)) this.#apply(toxic, s.id);
    }
    return this.#view(toxic);
  }

  /** The toxics in force, oldest first. */
  list(): ToxicInfo[] {
    return [...this.#toxics.values()].map((t) => this.#view(t));
  }

  /** One toxic, or undefined. */
  get(id: string): ToxicInfo | undefined {
    const t = this.#toxics.get(id);
    return t === undefined ? undefined : this.#view(t);
  }

  /**
   * Removes a toxic and undoes what lasts of it: held writes go out at once (latency), a stall
   * ends now, a cut not yet reached is cancelled. Garbage already written stays written.
   * @returns false when there is no such toxic.
   */
  remove(id: string): boolean {
    const toxic = this.#toxics.get(id);
    if (toxic === undefined) return false;
    this.#toxics.delete(id);
    for (const connectionId of toxic.open) {
      const control = this.#control(connectionId);
      if (control === undefined) continue;
      switch (toxic.spec.kind) {
        case 'latency':
          control.delay(this.#latencyOf(connectionId));
          break;
        case 'stall':
          control.stall(0);
          break;
        case 'cut':
          if (!toxic.cut.includes(connectionId)) control.cutAfter(undefined);
          break;
        case 'garbage':
          break;
      }
    }
    return true;
  }

  /** Removes every toxic. */
  clear(): void {
    for (const id of [...this.#toxics.keys()]) this.remove(id);
  }

  /** Stops following the server (the toxics in force stay in force on their connections). */
  detach(): void {
    this.#off();
  }

  #matches(toxic: Toxic, s: SubscriberInfo): boolean {
    const scope = toxic.scope;
    if (typeof scope === 'string') return true;
    if ('connection' in scope) return s.id === scope.connection;
    return s.header?.protocolVersion === scope.protocolVersion;
  }

  #onSubscribed(s: SubscriberInfo): void {
    for (const toxic of this.#toxics.values()) {
      if (toxic.scope === 'existing' || toxic.applied.includes(s.id)) continue;
      if (this.#matches(toxic, s)) this.#apply(toxic, s.id);
    }
  }

  #onClosed(e: ClosedEvent): void {
    for (const toxic of this.#toxics.values()) {
      if (!toxic.open.delete(e.connectionId)) continue;
      if (toxic.spec.kind === 'cut' && e.reason === 'fault-injection' && e.detail === toxic.detail) toxic.cut.push(e.connectionId);
    }
  }

  #control(connectionId: number): ReturnType<MockServer['connection']> | undefined {
    if (!this.#server.connections().some((c) => c.id === connectionId)) return undefined;
    return this.#server.connection(connectionId);
  }

  /** The latency of every latency toxic on a connection, added up. */
  #latencyOf(connectionId: number): number {
    let ms = 0;
    for (const t of this.#toxics.values()) if (t.spec.kind === 'latency' && t.open.has(connectionId)) ms += t.spec.ms;
    return ms;
  }

  #apply(toxic: Toxic, connectionId: number): void {
    const control = this.#control(connectionId);
    if (control === undefined) return;
    toxic.applied.push(connectionId);
    toxic.open.add(connectionId);
    const spec = toxic.spec;
    switch (spec.kind) {
      case 'latency':
        control.delay(this.#latencyOf(connectionId));
        break;
      case 'stall':
        control.stall(spec.ms);
        break;
      case 'cut':
        control.cutAfter(spec.bytes, toxic.detail);
        break;
      case 'garbage':
        control.inject(toxic.garbage ?? new Uint8Array(0));
        break;
    }
  }

  #view(t: Toxic): ToxicInfo {
    const spec = t.spec;
    return {
      id: t.id,
      kind: spec.kind,
      ...(spec.kind === 'latency' || spec.kind === 'stall' ? { ms: spec.ms } : {}),
      ...(spec.kind === 'cut' ? { bytes: spec.bytes, cut: [...t.cut] } : {}),
      ...(t.garbage === undefined ? {} : { hex: Buffer.from(t.garbage).toString('hex') }),
      scope: t.scope,
      addedAt: t.addedAt,
      applied: [...t.applied],
    };
  }
}
