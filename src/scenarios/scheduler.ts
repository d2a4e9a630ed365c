/**
 * The scenario player. It runs compiled steps against a {@link ScenarioTarget} on an injected
 * Clock and AbortSignal (it never calls `setTimeout` itself), records what each step did and what
 * the server saw (deliveries, acks with latencies, violations), and returns a {@link RunReport}.
 *
 * Failures are values: a step that fails is recorded with its reason and, under `fail-fast`
 * (the default), the rest of the run is skipped. `playScenario` rejects only when the caller
 * misuses it; an aborted run resolves with status `aborted`.
 */
import { formatAck, NsoMockError } from '../codec/index.js';
import {
  ackRequiredBy,
  normalizeNotification,
  notificationTypes,
  type Notification,
  type NotificationInput,
  type NotificationType,
} from '../codec/index.js';
import { ackScope, describeClosed, type AckEvent, type ClosedEvent, type DeliveredEvent, type NotSentEvent, type Violation } from '../server/index.js';
import { abortError, sleep, waitUntil, type Clock, type ClockTimer } from './clock.js';
import { maskNames } from './compile.js';
import { formatDuration } from './duration.js';
import type { AckRecord, ConnectionReport, MaapiCallRecord, NotSentRecord, PendingAckRecord, RunReport, StepReport, StepStatus, ViolationRecord } from './report.js';
import type { AckMatcher, CompiledSelector, FaultSpec, Scenario, Step } from './scenario.js';
import { extensionOfStep, extensionStepKinds } from './steps/extensions.js';
import { MAAPI_SERVICE_KEY, maapiService, type ScenarioMaapi } from './steps/maapi.js';
import type { ScenarioTarget, TargetDelivery, TargetEvents, TargetSubscriber } from './target.js';

/** Not-sent records a run report keeps (a fuzz run against an old client could produce millions). */
const MAX_NOT_SENT_RECORDS = 1000;

/** A line of the run log. */
export interface RunLogEvent {
  /** ms since the run started. */
  readonly at: number;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  /** The step it is about (`steps[2]`). */
  readonly step?: string;
}

/** Options of {@link playScenario}. */
export interface PlayScenarioOptions {
  /** Every wait goes through it (use the server's clock, or a ManualClock in tests). */
  readonly clock: Clock;
  /** Aborts the run; it then resolves with status `aborted`. */
  readonly signal?: AbortSignal;
  /** Overrides the scenario's seed. Default: the scenario's, else a random one (reported). */
  readonly seed?: number;
  /** Receives the run log as it happens. */
  readonly onLog?: (event: RunLogEvent) => void;
  /** Services for extension steps (see steps/extensions.ts), keyed as each extension documents. */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** A failed expectation inside a step: recorded, never thrown out of `playScenario`. */
class StepFailure extends Error {}

interface Emission {
  readonly notification: Notification;
  /** The handshake scope (`th:17`), when the type can need an ack (PROTOCOL.md §12.2). */
  readonly scope: string | undefined;
  readonly emittedAt: number;
  sent: boolean;
  readonly deliveredAt: Map<number, number>;
  /** Connections that owe an ack for it (their mask asked for the handshake). */
  readonly owed: Set<number>;
  readonly ackedAt: Map<number, number>;
  readonly closedBeforeAck: Set<number>;
  /** Recipients whose missing ack a step already reported (the end-of-run check skips them). */
  readonly reported: Set<number>;
}

/** An ack with its absolute time and handshake scope. */
type ReceivedAck = AckRecord & { readonly time: number; readonly scope: string };

interface ConnectionState {
  mask?: number;
  subscribedAt?: number;
  readonly delivered: Partial<Record<NotificationType, number>>;
  deliveredTotal: number;
  acks: number;
  violations: number;
  closedAt?: number;
  closeReason?: string;
}

/**
 * A 31-bit seed for one step, derived from the run seed and the step's path (FNV-1a), so adding a
 * step does not change the random choices of the others.
 */
export function deriveSeed(seed: number, path: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${path}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

/**
 * Plain emits a `repeat` runs before it lets I/O run (setImmediate). Within a batch the frames for
 * a connection are written as one buffer, as the mock server does for a burst of `emit()` calls;
 * 1,000 keeps the event loop blocked for a few ms at most.
 */
const SYNC_EMITS_PER_YIELD = 1000;

/** mulberry32: a tiny seeded PRNG for garbage bytes (not for anything security related). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Plays a scenario against a server and reports what happened.
 * @throws never for step failures (they are in the report); NsoMockError `NSOMOCK_USAGE` only when
 *   a listener cannot be attached to the target.
 * @example
 *   const report = await playScenario(scenario, server, { clock: server.clock });
 *   if (report.status !== 'passed') console.error(report.failures.join('\n'));
 */
export async function playScenario(scenario: Scenario, target: ScenarioTarget, options: PlayScenarioOptions): Promise<RunReport> {
  const run = new Run(scenario, target, options);
  return run.play();
}

/**
 * A path of execution with its scenario time: the fixed durations (waits, `expect-no-ack`'s
 * `for`, the pacing of `stream` and `fuzz`) that came before, the same on every run whatever the
 * host's timers do. Steps that end on an event (acks, subscribers) add nothing. Parallel branches
 * each get their own.
 */
interface Lane {
  virtualMs: number;
}

class Run {
  readonly #scenario: Scenario;
  readonly #target: ScenarioTarget;
  readonly #clock: Clock;
  readonly #signal: AbortSignal;
  readonly #seed: number;
  readonly #onLog: ((event: RunLogEvent) => void) | undefined;
  readonly #services: Readonly<Record<string, unknown>>;
  readonly #start: number;

  readonly #emissions: Emission[] = [];
  readonly #byDeliveryId = new Map<number, Emission>();
  /** The last emission of each ack scope (expect-ack, expect-no-ack): a lookup, not a scan of every emission. */
  readonly #lastByScope = new Map<string, Emission>();
  /**
   * Emissions of each ack scope in emission order, from the oldest that may still take an ack
   * (`head`): an ack is matched against these instead of every emission of the run (which made
   * N commit-diff handshakes cost N² / 2 checks).
   */
  readonly #openByScope = new Map<string, { list: Emission[]; head: number }>();
  /** Emits run without yielding since the player last let I/O run (see {@link SYNC_EMITS_PER_YIELD}). */
  #syncEmits = 0;
  readonly #acks: ReceivedAck[] = [];
  readonly #violations: { readonly v: Violation; wanted: boolean }[] = [];
  readonly #connections = new Map<number, ConnectionState>();
  readonly #log: { at: number; message: string }[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #timers = new Set<ClockTimer>();
  readonly #failures: string[] = [];
  readonly #notSent: NotSentRecord[] = [];
  #notSentCount = 0;
  readonly #listeners: { [K in keyof TargetEvents]: (...args: TargetEvents[K]) => void };
  #pendingEmission: Emission | undefined;

  constructor(scenario: Scenario, target: ScenarioTarget, options: PlayScenarioOptions) {
    this.#scenario = scenario;
    this.#target = target;
    this.#clock = options.clock;
    this.#signal = options.signal ?? new AbortController().signal;
    this.#seed = options.seed ?? scenario.seed ?? Math.floor(Math.random() * 0x7fffffff);
    this.#onLog = options.onLog;
    this.#services = options.extensions ?? {};
    this.#start = this.#clock.now();
    this.#listeners = {
      subscribed: (s) => this.#onSubscribed(s),
      ack: (e) => this.#onAck(e),
      violation: (v) => this.#onViolation(v),
      delivered: (e) => this.#onDelivered(e),
      closed: (e) => this.#onClosed(e),
      'not-sent': (e) => this.#onNotSent(e),
    };
  }

  // ---- the run ------------------------------------------------------------------------------

  async play(): Promise<RunReport> {
    for (const [event, listener] of Object.entries(this.#listeners)) this.#target.on(event as keyof TargetEvents, listener as never);
    // Subscribers that connected before the run started.
    for (const s of this.#target.subscribers()) this.#connection(s.id).mask = s.subscription.mask;
    this.#emit('info', `playing ${this.#scenario.name} (profile ${this.#scenario.profile}, seed ${this.#seed})`);
    let steps: StepReport[] = [];
    try {
      steps = await this.#runList(this.#scenario.steps, { virtualMs: 0 });
      if (!this.#signal.aborted) await this.#finalAckCheck(steps);
    } finally {
      for (const [event, listener] of Object.entries(this.#listeners)) this.#target.off(event as keyof TargetEvents, listener as never);
      for (const t of this.#timers) this.#clock.clearTimeout(t);
    }
    return this.#report(steps);
  }

  #now(): number {
    return this.#clock.now() - this.#start;
  }

  #emit(level: RunLogEvent['level'], message: string, step?: string): void {
    this.#onLog?.(step === undefined ? { at: this.#now(), level, message } : { at: this.#now(), level, message, step });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  #subscribe = (wake: () => void): (() => void) => {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  };

  #connection(id: number): ConnectionState {
    let c = this.#connections.get(id);
    if (c === undefined) {
      c = { delivered: {}, deliveredTotal: 0, acks: 0, violations: 0 };
      this.#connections.set(id, c);
    }
    return c;
  }

  // ---- server events ------------------------------------------------------------------------

  #onSubscribed(s: TargetSubscriber): void {
    const c = this.#connection(s.id);
    c.mask = s.subscription.mask;
    c.subscribedAt = this.#now();
    this.#emit('info', describeSubscribed(s));
    if (s.profileChoice?.note !== undefined) this.#emit('warn', `connection ${s.id}: ${s.profileChoice.note}`);
    this.#wake();
  }

  #onDelivered(e: DeliveredEvent): void {
    const c = this.#connection(e.connectionId);
    c.delivered[e.type] = (c.delivered[e.type] ?? 0) + 1;
    c.deliveredTotal += 1;
    const emission = this.#byDeliveryId.get(e.emissionId) ?? this.#pendingEmission;
    if (emission !== undefined) {
      emission.deliveredAt.set(e.connectionId, e.time);
      const mask = c.mask ?? this.#maskOf(e.connectionId);
      if (mask !== undefined && ackRequiredBy(emission.notification, mask) !== undefined) emission.owed.add(e.connectionId);
    }
    this.#wake();
  }

  #onAck(e: AckEvent): void {
    const c = this.#connection(e.connectionId);
    c.acks += 1;
    const scope = ackScope(e.ack);
    let latencyMs: number | undefined;
    if (e.result === 'matched') {
      const emission = this.#oldestOwing(scope, e.connectionId);
      if (emission !== undefined) {
        emission.ackedAt.set(e.connectionId, e.time);
        const delivered = emission.deliveredAt.get(e.connectionId);
        if (delivered !== undefined) latencyMs = e.time - delivered;
      }
    }
    this.#acks.push({
      connectionId: e.connectionId,
      ack: formatAck(e.ack),
      result: e.result,
      at: e.time - this.#start,
      ...(latencyMs === undefined ? {} : { latencyMs }),
      time: e.time,
      scope,
    });
    this.#emit('debug', `connection ${e.connectionId} sent ${formatAck(e.ack)} (${e.result}${latencyMs === undefined ? '' : `, ${latencyMs} ms`})`);
    this.#wake();
  }

  /** Never silent: each one is in the report and the log; an encoding failure also fails the run. */
  #onNotSent(e: NotSentEvent): void {
    this.#notSentCount += 1;
    if (this.#notSent.length < MAX_NOT_SENT_RECORDS) {
      this.#notSent.push({ at: e.time - this.#start, connectionId: e.connectionId, type: e.type, reason: e.reason, message: e.message });
    }
    if (e.reason === 'unencodable') this.#failures.push(e.message);
    this.#emit(e.reason === 'unencodable' ? 'error' : 'info', e.message);
  }

  /**
   * The oldest emission of `scope` that `id` still owes an ack (what a scan of every emission in
   * order finds). Emissions written to every recipient whose owed acks all arrived (or whose
   * debtors closed) can take no more and are passed over for good.
   */
  #oldestOwing(scope: string, id: number): Emission | undefined {
    const open = this.#openByScope.get(scope);
    if (open === undefined) return undefined;
    const settled = (m: Emission): boolean => m.sent && [...m.owed].every((c) => m.ackedAt.has(c) || m.closedBeforeAck.has(c));
    while (open.head < open.list.length && settled(open.list[open.head]!)) open.head += 1;
    if (open.head > 1024 && open.head * 2 > open.list.length) {
      open.list = open.list.slice(open.head);
      open.head = 0;
    }
    for (let i = open.head; i < open.list.length; i += 1) {
      const m = open.list[i]!;
      if (m.owed.has(id) && !m.ackedAt.has(id) && !m.closedBeforeAck.has(id)) return m;
    }
    return undefined;
  }

  #onViolation(v: Violation): void {
    this.#violations.push({ v, wanted: false });
    this.#connection(v.connectionId).violations += 1;
    this.#emit('warn', `connection ${v.connectionId}: violation ${v.code} (expected ${v.expected}, got ${v.actual})`);
    this.#wake();
  }

  #onClosed(e: ClosedEvent): void {
    const c = this.#connection(e.connectionId);
    c.closedAt = e.time - this.#start;
    c.closeReason = String(e.reason);
    for (const m of this.#emissions) {
      if (m.owed.has(e.connectionId) && !m.ackedAt.has(e.connectionId)) m.closedBeforeAck.add(e.connectionId);
    }
    this.#emit('info', describeClosed(e));
    this.#wake();
  }

  #maskOf(id: number): number | undefined {
    return this.#target.subscribers().find((s) => s.id === id)?.subscription.mask;
  }

  // ---- steps --------------------------------------------------------------------------------

  async #runList(steps: readonly Step[], lane: Lane): Promise<StepReport[]> {
    const reports: StepReport[] = [];
    let stop = false;
    for (const step of steps) {
      if (stop || this.#signal.aborted) {
        reports.push(this.#skipped(step, this.#signal.aborted ? 'aborted' : 'skipped'));
        continue;
      }
      const report = await this.#runStep(step, lane);
      reports.push(report);
      if (report.status === 'aborted' || (report.status === 'failed' && this.#scenario.options.failFast)) stop = true;
    }
    return reports;
  }

  #skipped(step: Step, status: StepStatus): StepReport {
    return { ...this.#stepHeader(step), status, startedAt: this.#now(), durationMs: 0 };
  }

  #stepHeader(step: Step): Pick<StepReport, 'path' | 'kind' | 'name' | 'file' | 'line' | 'column'> {
    const kind = step.kind === 'extension' ? step.extension : step.kind;
    return {
      path: step.at.path,
      kind,
      ...(step.name === undefined ? {} : { name: step.name }),
      file: step.at.file,
      line: step.at.line,
      column: step.at.column,
    };
  }

  async #runStep(step: Step, lane: Lane): Promise<StepReport> {
    const startedAt = this.#now();
    const header = this.#stepHeader(step);
    const extra: { iterations?: number; children?: StepReport[] } = {};
    try {
      await this.#execute(step, extra, lane);
      const children = extra.children ?? [];
      const failedChild = children.find((c) => c.status === 'failed' || c.status === 'aborted');
      if (failedChild !== undefined) {
        const status: StepStatus = failedChild.status === 'aborted' ? 'aborted' : 'failed';
        return { ...header, status, startedAt, durationMs: this.#now() - startedAt, ...extra, ...(failedChild.error === undefined ? {} : { error: failedChild.error }) };
      }
      return { ...header, status: 'passed', startedAt, durationMs: this.#now() - startedAt, ...extra };
    } catch (error) {
      return this.#failedReport(step, header, startedAt, error, extra);
    }
  }

  #failedReport(step: Step, header: Pick<StepReport, 'path' | 'kind' | 'name' | 'file' | 'line' | 'column'>, startedAt: number, error: unknown, extra: { iterations?: number; children?: StepReport[] }): StepReport {
    const label = step.name === undefined ? `${header.kind} (${header.path})` : `${step.name} (${header.path})`;
    const aborted = this.#signal.aborted;
    const message = error instanceof Error ? error.message : String(error);
    if (!aborted) {
      const where = step.at.line > 0 ? `${step.at.file}:${step.at.line}:${step.at.column}` : step.at.file;
      this.#failures.push(`${where}: ${label}: ${message}`);
      this.#emit('error', `${label} failed: ${message}`, header.path);
    }
    return { ...header, status: aborted ? 'aborted' : 'failed', startedAt, durationMs: this.#now() - startedAt, error: aborted ? 'aborted' : message, ...extra };
  }

  /**
   * A list of plain emits (no wait-ack) run without yielding: the same reports as {@link #runList},
   * but the frames of consecutive emits reach the connection in one tick, so it writes them as one
   * buffer (an `await` per step let it flush, and pay a write, per notification).
   */
  #runEmitsSync(steps: readonly Step[]): StepReport[] {
    const reports: StepReport[] = [];
    let stop = false;
    for (const step of steps) {
      if (stop || this.#signal.aborted) {
        reports.push(this.#skipped(step, this.#signal.aborted ? 'aborted' : 'skipped'));
        continue;
      }
      const startedAt = this.#now();
      const header = this.#stepHeader(step);
      let report: StepReport;
      try {
        if (step.kind !== 'emit') throw new TypeError(`not an emit: ${step.kind}`);
        this.#emitNotification(step.notification, step.at.path);
        this.#syncEmits += 1;
        report = { ...header, status: 'passed', startedAt, durationMs: this.#now() - startedAt };
      } catch (error) {
        report = this.#failedReport(step, header, startedAt, error, {});
      }
      reports.push(report);
      if (report.status === 'aborted' || (report.status === 'failed' && this.#scenario.options.failFast)) stop = true;
    }
    return reports;
  }

  async #execute(step: Step, extra: { iterations?: number; children?: StepReport[] }, lane: Lane): Promise<void> {
    if (this.#signal.aborted) throw abortError(this.#signal);
    switch (step.kind) {
      case 'await-subscribers':
        return this.#awaitSubscribers(step.count, step.mask, step.withinMs);
      case 'emit': {
        // docs/maapi.md: the transaction MAAPI clients attach to exists before its commit-diff goes out.
        if (step.transaction !== undefined) maapiService(this.#services).declareTransaction(step.transaction);
        const emission = this.#emitNotification(step.notification, step.at.path);
        if (step.waitAck !== undefined) {
          const limit = step.waitAck === true ? this.#scenario.options.ackTimeoutMs : step.waitAck;
          await this.#awaitAcks(emission, limit, { kind: 'all' }, true);
        }
        return;
      }
      case 'emit-raw':
        return this.#emitRaw(step.bytes, step.target, step.at.path);
      case 'expect-ack': {
        if (step.ack === undefined) throw new StepFailure('no handshake named (th, usid or ha)');
        const scope = ackScope(step.ack);
        const emission = this.#lastByScope.get(scope);
        if (emission === undefined) throw new StepFailure(`nothing was emitted that waits for ${formatAck(step.ack)}`);
        return this.#awaitAcks(emission, step.withinMs ?? this.#scenario.options.ackTimeoutMs, step.from, true);
      }
      case 'expect-no-ack':
        await this.#expectNoAck(step.ack, step.forMs, step.from);
        lane.virtualMs += step.forMs;
        return;
      case 'wait':
        await sleep(this.#clock, step.ms, this.#signal);
        lane.virtualMs += step.ms;
        return;
      case 'repeat': {
        let last: StepReport[] = [];
        const plainEmits = step.steps.every((c) => c.kind === 'emit' && c.waitAck === undefined);
        for (let i = 0; i < step.times; i += 1) {
          if (plainEmits && this.#syncEmits >= SYNC_EMITS_PER_YIELD) {
            // Let I/O (writes, acks, Ctrl-C) run between batches.
            this.#syncEmits = 0;
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
          last = plainEmits ? this.#runEmitsSync(step.steps) : await this.#runList(step.steps, lane);
          extra.iterations = i + 1;
          extra.children = last;
          if (last.some((r) => r.status === 'failed' || r.status === 'aborted')) {
            if (this.#scenario.options.failFast || last.some((r) => r.status === 'aborted')) return;
          }
        }
        return;
      }
      case 'sequence':
        extra.children = await this.#runList(step.steps, lane);
        return;
      case 'parallel': {
        // Each branch keeps its own scenario time; the step ends with the longest.
        const lanes = step.steps.map(() => ({ virtualMs: lane.virtualMs }));
        extra.children = await Promise.all(step.steps.map((s, i) => this.#runStep(s, lanes[i]!)));
        lane.virtualMs = Math.max(lane.virtualMs, ...lanes.map((l) => l.virtualMs));
        return;
      }
      case 'stream':
        await this.#stream(step);
        lane.virtualMs += Math.max(0, step.events.length - 1) * step.everyMs;
        return;
      case 'fuzz':
        await this.#fuzz(step.types, step.count, step.seed ?? deriveSeed(this.#seed, step.at.path), step.everyMs, step.at.path);
        lane.virtualMs += Math.max(0, step.count - 1) * step.everyMs;
        return;
      case 'fault':
        return this.#fault(step.fault, step.target, step.at.path);
      case 'heartbeat':
      case 'health-check':
        this.#target.hang(step.action === 'hang');
        this.#emit('info', step.action === 'hang' ? 'heartbeats and health checks hung' : 'heartbeats and health checks resumed', step.at.path);
        return;
      case 'expect-violation':
        return this.#expectViolation(step.code, step.withinMs, step.from);
      case 'log':
        this.#log.push({ at: this.#now(), message: step.message });
        this.#emit('info', step.message, step.at.path);
        return;
      case 'extension': {
        const extension = extensionStepKinds.find((e) => e.kind === step.extension);
        if (extension === undefined) throw new StepFailure(`no extension handles ${step.extension}`);
        const family = extensionOfStep(step.extension);
        return extension.run(step.body, {
          config: family?.key === undefined ? undefined : this.#scenario.extensions[family.key],
          clock: this.#clock,
          scenarioTimeMs: lane.virtualMs,
          signal: this.#signal,
          seed: deriveSeed(this.#seed, step.at.path),
          log: (message) => this.#emit('info', message, step.at.path),
          services: this.#services,
        });
      }
    }
  }

  async #awaitSubscribers(count: number, mask: number, withinMs: number): Promise<void> {
    // Re-checked on every server event: the server's incremental count, not a rebuilt list per event.
    const target = this.#target;
    const matching = (): number => target.subscriberCount?.(mask) ?? target.subscribers().filter((s) => (s.subscription.mask & mask) === mask).length;
    const result = await waitUntil(this.#clock, this.#signal, withinMs, () => matching() >= count, this.#subscribe);
    if (result === 'timeout') {
      const noun = count === 1 ? 'subscriber' : 'subscribers';
      const what = mask === 0 ? noun : `${noun} with mask ${mask} (${maskNames(mask).join(', ')})`;
      // The usual cause is a client subscribed with the wrong mask: say what each one lacks.
      const short = mask === 0 ? [] : this.#target.subscribers().filter((s) => (s.subscription.mask & mask) !== mask);
      const others = short.map((s) => {
        const names = maskNames(s.subscription.mask);
        return `connection ${s.id} subscribed with mask ${s.subscription.mask} (${names.length === 0 ? 'nothing' : names.join(', ')}), without ${maskNames(mask & ~s.subscription.mask).join(', ')}`;
      });
      throw new StepFailure(`${matching()} of ${count} ${what} connected within ${formatDuration(withinMs)}${others.length === 0 ? '' : `; ${others.join('; ')}`}`);
    }
  }

  #emitNotification(input: NotificationInput, path: string): Emission {
    let notification: Notification;
    try {
      notification = normalizeNotification(input, { ...this.#scenario.defaults, now: () => this.#clock.now() });
    } catch (error) {
      throw new StepFailure(error instanceof Error ? error.message : String(error));
    }
    return this.#send(notification, path);
  }

  #send(notification: Notification, path: string, stream?: string): Emission {
    const expected = ackRequiredBy(notification, 0x7fffffff);
    const emission: Emission = {
      notification,
      scope: expected === undefined ? undefined : ackScope(expected),
      emittedAt: this.#clock.now(),
      sent: false,
      deliveredAt: new Map(),
      owed: new Set(),
      ackedAt: new Map(),
      closedBeforeAck: new Set(),
      reported: new Set(),
    };
    // 'delivered' events fire inside emit() for an emission that is not held, before its id is
    // known: #onDelivered attributes them to this pending emission.
    this.#pendingEmission = emission;
    let delivery: TargetDelivery;
    try {
      delivery = stream === undefined ? this.#target.emit(notification) : this.#target.streams.publish(stream, notification as never);
    } catch (error) {
      throw new StepFailure(error instanceof Error ? error.message : String(error));
    } finally {
      this.#pendingEmission = undefined;
    }
    this.#byDeliveryId.set(delivery.id, emission);
    this.#emissions.push(emission);
    if (emission.scope !== undefined) {
      this.#lastByScope.set(emission.scope, emission);
      let open = this.#openByScope.get(emission.scope);
      if (open === undefined) this.#openByScope.set(emission.scope, (open = { list: [], head: 0 }));
      open.list.push(emission);
    }
    void delivery.sent.then(() => {
      emission.sent = true;
      this.#wake();
    });
    this.#emit(
      'debug',
      delivery.queued
        ? `${notification.type} held until the open ${emission.scope ?? ''} handshake completes (PROTOCOL.md §12.2)`
        : `${notification.type} sent to ${delivery.recipients.length} subscriber${delivery.recipients.length === 1 ? '' : 's'}`,
      path,
    );
    return emission;
  }

  /** Selected connection ids among `ids`, by a selector (order: subscription order). */
  #select(selector: CompiledSelector, ids: readonly number[]): number[] {
    const order = this.#target.subscribers().map((s) => s.id);
    const known = [...order, ...ids.filter((id) => !order.includes(id)).sort((a, b) => a - b)];
    switch (selector.kind) {
      case 'all':
        return [...ids];
      case 'first':
        return known.slice(0, 1).filter((id) => ids.includes(id));
      case 'last':
        return known.slice(-1).filter((id) => ids.includes(id));
      case 'index': {
        const id = order[selector.index];
        return id === undefined ? [] : ids.filter((x) => x === id);
      }
      case 'connection':
        return ids.filter((x) => x === selector.id);
      case 'mask':
        return ids.filter((x) => ((this.#connections.get(x)?.mask ?? this.#maskOf(x) ?? 0) & selector.mask) === selector.mask);
    }
  }

  async #awaitAcks(emission: Emission, limitMs: number, from: CompiledSelector, requireSomeone: boolean): Promise<void> {
    const deadline = emission.emittedAt + limitMs;
    const expected = ackRequiredBy(emission.notification, 0x7fffffff);
    const what = expected === undefined ? 'an ack' : formatAck(expected);
    const settled = (): boolean => {
      if (!emission.sent) return false;
      const owed = this.#select(from, [...emission.owed]);
      return owed.every((id) => emission.ackedAt.has(id) || emission.closedBeforeAck.has(id));
    };
    await waitUntil(this.#clock, this.#signal, Math.max(0, deadline - this.#clock.now()), settled, this.#subscribe);
    if (!emission.sent) {
      throw new StepFailure(`${emission.notification.type} was still held behind an open ${emission.scope ?? ''} handshake after ${formatDuration(limitMs)} (PROTOCOL.md §12.2)`);
    }
    const owed = this.#select(from, [...emission.owed]);
    if (owed.length === 0 && requireSomeone) {
      throw new StepFailure(`nobody had to send ${what}: no recipient${from.kind === 'all' ? '' : ' selected'} subscribed to ${emission.notification.type} with its sync flag`);
    }
    const problems: string[] = [];
    for (const id of owed) {
      const acked = emission.ackedAt.get(id);
      if (acked !== undefined) {
        if (acked > deadline) problems.push(`connection ${id} sent ${what} after ${formatDuration(acked - emission.emittedAt)}, later than ${formatDuration(limitMs)}`);
        continue;
      }
      if (emission.closedBeforeAck.has(id)) problems.push(`connection ${id} closed without sending ${what}`);
      else problems.push(`connection ${id} did not send ${what} within ${formatDuration(limitMs)}`);
      emission.reported.add(id);
    }
    if (problems.length > 0) throw new StepFailure(problems.join('; '));
  }

  async #expectNoAck(ack: AckMatcher | undefined, forMs: number, from: CompiledSelector): Promise<void> {
    const scope = ack === undefined ? undefined : ackScope(ack);
    const last = scope === undefined ? undefined : this.#lastByScope.get(scope);
    // Keyed: any matching ack since the handshake's emit counts. Unkeyed: acks from now on.
    const since = last?.emittedAt;
    const firstIndex = this.#acks.length;
    const offending = (): ReceivedAck[] => {
      const ids = this.#select(from, [...new Set(this.#acks.map((a) => a.connectionId))]);
      return this.#acks.filter(
        (a, i) => (since === undefined ? i >= firstIndex : a.time >= since) && (scope === undefined || a.scope === scope) && ids.includes(a.connectionId),
      );
    };
    const result = await waitUntil(this.#clock, this.#signal, forMs, () => offending().length > 0, this.#subscribe);
    if (result === 'met') {
      const a = offending()[0];
      throw new StepFailure(`connection ${a?.connectionId ?? '?'} sent ${a?.ack ?? 'an ack'} (expected no ${ack === undefined ? 'ack' : formatAck(ack)} for ${formatDuration(forMs)})`);
    }
  }

  async #expectViolation(code: string, withinMs: number, from: CompiledSelector): Promise<void> {
    const find = (): { v: Violation; wanted: boolean } | undefined => {
      const ids = this.#select(from, [...new Set(this.#violations.map((x) => x.v.connectionId))]);
      return this.#violations.find((x) => !x.wanted && x.v.code === code && ids.includes(x.v.connectionId));
    };
    const result = await waitUntil(this.#clock, this.#signal, withinMs, () => find() !== undefined, this.#subscribe);
    const found = find();
    if (result === 'timeout' || found === undefined) throw new StepFailure(`no ${code} violation within ${formatDuration(withinMs)}`);
    found.wanted = true;
  }

  async #stream(step: Step & { kind: 'stream' }): Promise<void> {
    // History goes into the replay log with the definition (dated in the past, never sent live);
    // the server checks its times against the log start and its clock (PROTOCOL.md §14).
    const history = step.history.map((e) => ({ ...(e.time === undefined ? {} : { event_time: e.time }), values: e.values }));
    try {
      this.#target.streams.define(step.stream, {
        replaySupport: step.replay,
        ...(step.replayFromMs === undefined ? {} : { logStart: step.replayFromMs }),
        ...(history.length === 0 ? {} : { history }),
        ...(step.tagNames === undefined ? {} : { tagNames: step.tagNames }),
      });
    } catch (error) {
      throw new StepFailure(error instanceof Error ? error.message : String(error));
    }
    for (const [i, event] of step.events.entries()) {
      if (i > 0 && step.everyMs > 0) await sleep(this.#clock, step.everyMs, this.#signal);
      const input = { type: 'stream-event' as const, ...(event.time === undefined ? {} : { event_time: event.time }), values: event.values };
      let n: Notification;
      try {
        n = normalizeNotification(input as never, { ...this.#scenario.defaults, now: () => this.#clock.now() });
      } catch (error) {
        throw new StepFailure(error instanceof Error ? error.message : String(error));
      }
      this.#send(n, step.at.path, step.stream);
    }
  }

  async #fuzz(types: readonly NotificationType[], count: number, seed: number, everyMs: number, path: string): Promise<void> {
    // Loaded on first use: fast-check is not needed unless a scenario fuzzes.
    const [{ default: fc }, { notificationArbitrary }] = await Promise.all([import('fast-check'), import('../arbitraries/index.js')]);
    const forced = this.#scenario.profile;
    // auto: every connection gets its own layouts, so fuzz in the 5.7 shapes where the type exists
    // (else 6.2) and keep progress to the fields both layouts have (§11.14, NSO62.md §B).
    const arbitrary = fc.oneof(
      ...types.map((t) =>
        forced !== 'auto'
          ? notificationArbitrary(t, { profile: forced })
          : notificationArbitrary(t, { profile: notificationTypes[t].profiles.includes('nso57') ? 'nso57' : 'nso62' }).map(withoutLayoutOnlyFields),
      ),
    );
    const samples = fc.sample(arbitrary, { seed, numRuns: count });
    this.#emit('info', `fuzz: ${count} notifications of ${types.join(', ')} (seed ${seed})`, path);
    for (const [i, n] of samples.entries()) {
      if (i > 0 && everyMs > 0) await sleep(this.#clock, everyMs, this.#signal);
      if (this.#signal.aborted) throw abortError(this.#signal);
      this.#send(n as Notification, path);
    }
  }

  /** `emit-raw`: the bytes as given, in order with queued frames, to each selected subscriber. */
  #emitRaw(bytes: Uint8Array, target: CompiledSelector, path: string): void {
    const ids = this.#select(target, this.#target.subscribers().map((s) => s.id));
    if (ids.length === 0) throw new StepFailure(`no subscriber matches the emit-raw target (${bytes.length} bytes not written)`);
    for (const id of ids) this.#target.connection(id).inject(bytes);
    this.#emit('debug', `${bytes.length} raw bytes written to connection${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`, path);
  }

  #fault(fault: FaultSpec, target: CompiledSelector, path: string): void {
    const ids = this.#select(target, this.#target.subscribers().map((s) => s.id));
    if (ids.length === 0) throw new StepFailure(`no subscriber matches the fault target`);
    for (const id of ids) {
      const control = this.#target.connection(id);
      switch (fault.kind) {
        case 'stall':
          control.stall(fault.ms);
          break;
        case 'close':
          control.close();
          break;
        case 'truncate-frame':
          control.truncateNextFrame();
          break;
        case 'garbage': {
          const bytes = fault.bytes ?? randomBytes(fault.length, deriveSeed(this.#seed, `${path}#${id}`));
          control.inject(bytes);
          break;
        }
        case 'slow-write': {
          control.slowWrite(fault.chunkBytes, fault.intervalMs);
          if (fault.ms !== undefined) {
            const timer = this.#clock.setTimeout(() => {
              this.#timers.delete(timer);
              control.slowWrite(0);
            }, fault.ms);
            this.#timers.add(timer);
          }
          break;
        }
      }
      this.#emit('info', `fault ${fault.kind} on connection ${id}`, path);
    }
  }

  /** End of run: acks still owed must arrive within ack-timeout (options.require-acks). */
  async #finalAckCheck(steps: readonly StepReport[]): Promise<void> {
    if (!this.#scenario.options.requireAcks) return;
    const outstanding = (): { m: Emission; id: number }[] =>
      this.#emissions.flatMap((m) =>
        [...m.owed].filter((id) => !m.ackedAt.has(id) && !m.closedBeforeAck.has(id) && !m.reported.has(id)).map((id) => ({ m, id })),
      );
    const failed = steps.some((s) => s.status !== 'passed');
    if (!failed && outstanding().length > 0) {
      try {
        await waitUntil(this.#clock, this.#signal, this.#scenario.options.ackTimeoutMs, () => outstanding().length === 0, this.#subscribe);
      } catch {
        return;
      }
    }
    for (const { m, id } of outstanding()) {
      const expected = ackRequiredBy(m.notification, 0x7fffffff);
      const what = expected === undefined ? 'an ack' : formatAck(expected);
      this.#failures.push(`end of run: connection ${id} never sent ${what} (ack-missing)`);
    }
    for (const m of this.#emissions) {
      for (const id of m.closedBeforeAck) {
        if (m.reported.has(id)) continue;
        const expected = ackRequiredBy(m.notification, 0x7fffffff);
        this.#failures.push(`end of run: connection ${id} closed without sending ${expected === undefined ? 'an ack' : formatAck(expected)} (ack-missing)`);
      }
    }
  }

  // ---- the report ----------------------------------------------------------------------------

  #report(steps: readonly StepReport[]): RunReport {
    const aborted = this.#signal.aborted;
    const violations: ViolationRecord[] = this.#violations.map(({ v, wanted }) => ({
      code: v.code,
      connectionId: v.connectionId,
      expected: v.expected,
      actual: v.actual,
      at: v.time - this.#start,
      closed: v.closed,
      wanted,
    }));
    const failures = [...this.#failures];
    for (const v of violations) {
      if (!v.wanted) failures.push(`violation ${v.code} on connection ${v.connectionId}: expected ${v.expected}, got ${v.actual}`);
    }
    const pendingAcks: PendingAckRecord[] = this.#emissions.flatMap((m) =>
      [...m.owed]
        .filter((id) => !m.ackedAt.has(id) && !m.closedBeforeAck.has(id))
        .map((id) => {
          const expected = ackRequiredBy(m.notification, 0x7fffffff);
          return { connectionId: id, ack: expected === undefined ? '' : formatAck(expected), since: (m.deliveredAt.get(id) ?? m.emittedAt) - this.#start };
        }),
    );
    const connections: ConnectionReport[] = [...this.#connections.entries()]
      .sort(([a], [b]) => a - b)
      .map(([id, c]) => ({
        id,
        ...(c.mask === undefined ? {} : { mask: c.mask }),
        ...(c.subscribedAt === undefined ? {} : { subscribedAt: c.subscribedAt }),
        delivered: { ...c.delivered },
        deliveredTotal: c.deliveredTotal,
        acks: c.acks,
        violations: c.violations,
        ...(c.closedAt === undefined ? {} : { closedAt: c.closedAt }),
        ...(c.closeReason === undefined ? {} : { closeReason: c.closeReason }),
      }));
    const maapi = this.#services[MAAPI_SERVICE_KEY] as ScenarioMaapi | undefined;
    const maapiCalls: MaapiCallRecord[] | undefined =
      maapi === undefined || typeof maapi.calls !== 'function'
        ? undefined
        : maapi
            .calls()
            .filter((c) => c.time >= this.#start)
            .map((c) => ({
              connectionId: c.connectionId,
              op: c.name,
              ...(c.th === undefined ? {} : { th: c.th }),
              ok: c.ok,
              ...(c.code === undefined ? {} : { code: c.code }),
              ...(c.detail === undefined ? {} : { detail: c.detail }),
              at: c.time - this.#start,
            }));
    const flat = flatten(steps);
    const status: RunReport['status'] = aborted ? 'aborted' : failures.length > 0 || flat.some((s) => s.status === 'failed') ? 'failed' : 'passed';
    const report: RunReport = {
      scenario: this.#scenario.name,
      ...(this.#scenario.file === undefined ? {} : { file: this.#scenario.file }),
      profile: this.#scenario.profile,
      seed: this.#seed,
      status,
      startedAt: new Date(this.#start).toISOString(),
      durationMs: this.#now(),
      steps,
      connections,
      acks: this.#acks.map(({ time: _t, scope: _s, ...rest }) => rest),
      violations,
      pendingAcks,
      failures,
      notSent: [...this.#notSent],
      log: [...this.#log],
      ...(maapiCalls === undefined ? {} : { maapi: maapiCalls }),
      totals: {
        steps: steps.length,
        passed: steps.filter((s) => s.status === 'passed').length,
        failed: steps.filter((s) => s.status === 'failed').length,
        skipped: steps.filter((s) => s.status === 'skipped').length,
        notifications: this.#emissions.length,
        acks: this.#acks.length,
        violations: violations.length,
        notSent: this.#notSentCount,
      },
    };
    this.#emit(status === 'failed' ? 'error' : 'info', `${this.#scenario.name}: ${status}`);
    return report;
  }
}

function flatten(steps: readonly StepReport[]): StepReport[] {
  return steps.flatMap((s) => [s, ...flatten(s.children ?? [])]);
}

function randomBytes(length: number, seed: number): Uint8Array {
  const next = prng(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) out[i] = Math.floor(next() * 256);
  return out;
}

/**
 * Throws when a run did not pass: for tests that want a failed scenario to fail loudly.
 * @throws NsoMockError `NSOMOCK_SCENARIO_STEP_FAILED` listing every failure, or
 *   `NSOMOCK_SCENARIO_ABORTED` for an aborted run.
 * @example
 *   assertRunPassed(await mock.play(scenario));
 */
export function assertRunPassed(report: RunReport): void {
  if (report.status === 'passed') return;
  if (report.status === 'aborted') {
    throw new NsoMockError('NSOMOCK_SCENARIO_ABORTED', `Failed to finish the scenario: aborted (${report.scenario})`, { details: { report } });
  }
  throw new NsoMockError(
    'NSOMOCK_SCENARIO_STEP_FAILED',
    `Failed to play scenario: ${report.failures.length} failure${report.failures.length === 1 ? '' : 's'} (${report.scenario})\n${report.failures.join('\n')}`,
    { details: { report } },
  );
}

/**
 * Without the progress fields only one layout has (the 5.7 19-tuple's: phase, service,
 * service_phase, commit_queue_id, node, device, device_phase, package), so the event reaches 5.7
 * and 6.2 clients alike. The rest of a ProgressNotification is still one, typed as such.
 */
function withoutLayoutOnlyFields(n: Notification): Notification {
  if (n.type !== 'progress' && n.type !== 'commit-progress') return n;
  const { phase: _phase, service: _service, service_phase: _servicePhase, commit_queue_id: _cqId, node: _node, device: _device, device_phase: _devicePhase, package: _package, ...rest } = n;
  return rest;
}

/**
 * `connection 3 subscribed (mask 16, profile nso62 from protocol 82)` — the profile says which
 * layouts the connection gets (NSO62.md), and where it came from.
 */
export function describeSubscribed(s: TargetSubscriber): string {
  if (s.profile === undefined) return `connection ${s.id} subscribed (mask ${s.subscription.mask})`;
  const from = s.profileChoice?.basis === 'forced' ? 'forced' : s.header === undefined ? '' : `from protocol ${s.header.protocolVersion}`;
  return `connection ${s.id} subscribed (mask ${s.subscription.mask}, profile ${s.profile}${from === '' ? '' : ` ${from}`})`;
}
