/**
 * Schema-valid documents -> compiled steps, with the checks a schema cannot express:
 * - a type the profile cannot send (PROTOCOL.md §16), a field value the codec rejects (§6.4 ranges,
 *   addresses), caught by running `normalizeNotification` on every emit at load time;
 * - `wait-ack` on a type that is never acked (§12.1);
 * - `expect-ack` for a handshake no earlier step started (a th no commit-diff carried), or with
 *   two keys at once;
 * - a garbage fault with both `bytes` and `length`;
 * - stream events whose values or time do not encode, `replay-from` without a replay log, history
 *   dated before `replay-from` (PROTOCOL.md §14).
 */
import { CodecError } from '../codec/index.js';
import {
  normalizeNotification,
  notificationTypes,
  progressFieldWithoutSlot,
  PROFILES,
  type NotificationInput,
  type NotificationType,
  type Profile,
} from '../codec/index.js';
import { dateTimeToMillis } from '../server/index.js';
import { SchemaError, typeChange, typeDataEntry, type Schema } from '../schema/index.js';
import { MAX_DURATION_TEXT, parseDuration } from './duration.js';
import type { SchemaProblem } from './validate.js';
import { render } from './validate.js';
import {
  DEFAULT_AWAIT_SUBSCRIBERS_MS,
  DEFAULT_EXPECT_VIOLATION_MS,
  DEFAULT_NO_ACK_MS,
  type AckKeyFields,
  type AckMatcher,
  type CompiledSelector,
  type CompiledStreamEvent,
  type DurationInput,
  type EmitStepOptions,
  type StepTransaction,
  type FaultBody,
  type FaultSpec,
  MASK_FLAG_NAMES,
  type MaskName,
  type ScenarioDefaults,
  type SourceLocation,
  type Step,
  type DateTimeDocument,
  STEP_KINDS,
  type StepDocument,
  type StreamBody,
  type StreamEventDocument,
  type SubscriberSelector,
} from './scenario.js';
import { formatPath, type DocPath } from './source.js';
import { extensionStepKinds } from './steps/extensions.js';

/** The clock value the load-time normalisation check uses (the play uses the run's clock). */
const CHECK_TIME = Date.UTC(2026, 0, 1);

/** Which handshakes earlier steps started, for the `expect-ack` cross-check. */
export interface EmitHistory {
  readonly th: Set<number>;
  readonly audit: Set<number>;
  readonly auditNetwork: Set<number>;
  ha: boolean;
  /** Types a fuzz step may have emitted (their keys are unknowable). */
  readonly fuzzed: Set<NotificationType>;
  /**
   * False once a skipped step (one with schema problems) might have started a handshake
   * ({@link mayStartHandshake}): cross-checks would then be guesses.
   */
  complete: boolean;
}

/** A fresh {@link EmitHistory}. */
export function emptyHistory(): EmitHistory {
  return { th: new Set(), audit: new Set(), auditNetwork: new Set(), ha: false, fuzzed: new Set(), complete: true };
}

/**
 * Whether a step that failed the schema (so is not compiled) might have started a handshake that a
 * later `expect-ack` refers to: an emit of a type that is acked (or of an unreadable type), a fuzz,
 * a container holding one, or something unrecognisable (a misspelt `emitt`). Only then do the
 * cross-step checks stop; a bad `within`, a fault typo or a bad wait leave them running, so every
 * problem is reported at once without guessing a th or usid the invalid step may have carried.
 * @example
 *   mayStartHandshake({ wait: '2 sec' })                          // false
 *   mayStartHandshake({ emit: { type: 'commit-diff', th: 'x' } }) // true
 */
export function mayStartHandshake(step: unknown): boolean {
  if (!isRecord(step)) return true;
  const kinds = Object.keys(step).filter((k) => k !== 'name');
  const kind = kinds[0];
  if (kind === undefined || kinds.length > 1) return true;
  const body = step[kind];
  switch (kind) {
    case 'emit': {
      const type = isRecord(body) ? body['type'] : undefined;
      if (typeof type !== 'string' || !Object.hasOwn(notificationTypes, type)) return true;
      return notificationTypes[type as NotificationType].ack !== undefined;
    }
    case 'fuzz':
      return true;
    case 'repeat':
      return !isRecord(body) || !Array.isArray(body['steps']) || body['steps'].some(mayStartHandshake);
    case 'sequence':
    case 'parallel':
      return !Array.isArray(body) || body.some(mayStartHandshake);
    default:
      // Every other known kind (waits, expectations, faults, streams, extension steps) starts none.
      return !(STEP_KINDS as readonly string[]).includes(kind) && !extensionStepKinds.some((e) => e.kind === kind);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What compiling steps needs to know and where it reports. */
export interface CompileContext {
  /** The profile forced on every connection; undefined = `auto` (per connection: any type of any profile may be emitted). */
  readonly profile: Profile | undefined;
  readonly defaults: ScenarioDefaults;
  /** The position of a path of the file being compiled. */
  readonly locate: (path: DocPath) => SourceLocation;
  readonly history: EmitHistory;
  /** Problems found, in the same form as schema problems of this file. */
  readonly problems: SchemaProblem[];
  /** The scenario's models (`schema:`), when it names any: commit-diff changes/data are checked against them. */
  readonly schema?: Schema;
}

/** What a duration must be, in problem messages. */
export const DURATION_EXPECTED: string = `a finite duration from 0 to ${MAX_DURATION_TEXT}, such as 250ms, 2s or 1m30s`;

/**
 * The ms of a duration; `fallback` only when it is absent. A value that is not a duration (which
 * the schema refuses, so only a trusted document can carry one) is reported through `bad`, never
 * replaced by the default: "wait forever" must not quietly become "don't wait".
 */
export function ms(value: DurationInput | undefined, fallback: number, bad: (found: string) => void): number {
  if (value === undefined) return fallback;
  const parsed = parseDuration(value);
  if (parsed !== undefined) return parsed;
  bad(render(value));
  return fallback;
}

/**
 * The bit of a mask name (a type bit or a flag of PROTOCOL.md §10.1).
 * @example maskBit('commit-diff') // 16
 */
export function maskBit(name: MaskName): number {
  switch (name) {
    case 'audit-sync':
      return 131072;
    case 'ha-info-sync':
      return 1048576;
    case 'audit-network-sync':
      return 536870912;
    case 'takeover-syslog':
      return 4;
    default:
      return notificationTypes[name].bit;
  }
}

/** The OR of the bits of mask names. */
export function maskOf(names: readonly MaskName[]): number {
  // `|` is safe: every bit of §10.1 is below 2^31.
  return names.reduce((mask, n) => mask | maskBit(n), 0);
}

/**
 * The names of a mask's bits, as a scenario writes them (the inverse of `maskOf` for known bits).
 * @example maskNames(16 | 131072) // ['commit-diff', 'audit-sync']
 */
export function maskNames(mask: number): MaskName[] {
  return [...(Object.keys(notificationTypes) as NotificationType[]), ...MASK_FLAG_NAMES].filter((n) => (mask & maskBit(n)) !== 0);
}

function selector(value: SubscriberSelector | undefined): CompiledSelector {
  if (value === undefined || value === 'all') return { kind: 'all' };
  if (value === 'first' || value === 'last') return { kind: value };
  if ('index' in value) return { kind: 'index', index: value.index };
  if ('connection' in value) return { kind: 'connection', id: value.connection };
  return { kind: 'mask', mask: maskOf(value['subscribed-to']) };
}

/** Compiles a list of schema-valid steps at `base` (e.g. `['steps']`). */
export function compileSteps(steps: readonly StepDocument[], base: DocPath, ctx: CompileContext): Step[] {
  return steps.map((step, i) => compileStep(step, [...base, i], ctx));
}

/** Compiles one schema-valid step written at `path`. */
export function compileStep(doc: StepDocument, path: DocPath, ctx: CompileContext): Step {
  const at = ctx.locate(path);
  const named = doc.name === undefined ? { at } : { at, name: doc.name };
  const problem = (sub: DocPath, expected: string, found: string, anchor: 'value' | 'key' = 'value'): void => {
    ctx.problems.push({ path: [...path, ...sub], anchor, expected, found });
  };
  const dur = (value: DurationInput | undefined, fallback: number, sub: DocPath): number =>
    ms(value, fallback, (found) => problem(sub, DURATION_EXPECTED, found));
  if ('await-subscribers' in doc) {
    const b = doc['await-subscribers'];
    return { ...named, kind: 'await-subscribers', count: b.count ?? 1, mask: maskOf(b.mask ?? []), withinMs: dur(b.within, DEFAULT_AWAIT_SUBSCRIBERS_MS, ['await-subscribers', 'within']) };
  }
  if ('emit' in doc) return { ...named, ...compileEmit(doc.emit, [...path, 'emit'], ctx) };
  if ('emit-raw' in doc) {
    const b = doc['emit-raw'];
    return { ...named, kind: 'emit-raw', bytes: Uint8Array.from(Buffer.from(b.hex, 'hex')), target: selector(b.to) };
  }
  if ('expect-ack' in doc) {
    const b = doc['expect-ack'];
    const ack = ackMatcher(b, [...path, 'expect-ack'], ctx, true);
    return {
      ...named,
      kind: 'expect-ack',
      ...(ack === undefined ? {} : { ack }),
      ...(b.within === undefined ? {} : { withinMs: dur(b.within, 0, ['expect-ack', 'within']) }),
      from: selector(b.from),
    };
  }
  if ('expect-no-ack' in doc) {
    const b = doc['expect-no-ack'];
    const ack = ackMatcher(b, [...path, 'expect-no-ack'], ctx, false);
    return { ...named, kind: 'expect-no-ack', ...(ack === undefined ? {} : { ack }), forMs: dur(b.for, DEFAULT_NO_ACK_MS, ['expect-no-ack', 'for']), from: selector(b.from) };
  }
  if ('wait' in doc) return { ...named, kind: 'wait', ms: dur(doc.wait, 0, ['wait']) };
  if ('repeat' in doc) {
    return { ...named, kind: 'repeat', times: doc.repeat.times, steps: compileSteps(doc.repeat.steps, [...path, 'repeat', 'steps'], ctx) };
  }
  if ('sequence' in doc) return { ...named, kind: 'sequence', steps: compileSteps(doc.sequence, [...path, 'sequence'], ctx) };
  if ('parallel' in doc) return { ...named, kind: 'parallel', steps: compileSteps(doc.parallel, [...path, 'parallel'], ctx) };
  if ('stream' in doc) return { ...named, ...compileStream(doc.stream, [...path, 'stream'], ctx) };
  if ('fuzz' in doc) {
    const b = doc.fuzz;
    b.types.forEach((type, i) => {
      if (ctx.profile !== undefined && !notificationTypes[type].profiles.includes(ctx.profile)) {
        problem(['fuzz', 'types', i], `a type the ${ctx.profile} profile can send (${type} needs ${notificationTypes[type].profiles.join(' or ')})`, type);
      }
      ctx.history.fuzzed.add(type);
    });
    return {
      ...named,
      kind: 'fuzz',
      types: b.types,
      count: b.count,
      ...(b.seed === undefined ? {} : { seed: b.seed }),
      everyMs: dur(b.every, 0, ['fuzz', 'every']),
    };
  }
  if ('fault' in doc) {
    const fault = compileFault(doc.fault, [...path, 'fault'], ctx);
    return { ...named, kind: 'fault', fault, target: selector(doc.fault.target) };
  }
  if ('heartbeat' in doc) return { ...named, kind: 'heartbeat', action: doc.heartbeat };
  if ('health-check' in doc) return { ...named, kind: 'health-check', action: doc['health-check'] };
  if ('expect-violation' in doc) {
    const b = doc['expect-violation'];
    return { ...named, kind: 'expect-violation', code: b.code, withinMs: dur(b.within, DEFAULT_EXPECT_VIOLATION_MS, ['expect-violation', 'within']), from: selector(b.from) };
  }
  if ('log' in doc) return { ...named, kind: 'log', message: doc.log };
  // An extension step: the one key besides `name` is its kind.
  const record = doc as Record<string, unknown>;
  const kind = Object.keys(record).find((k) => k !== 'name') ?? '';
  const extension = extensionStepKinds.find((e) => e.kind === kind);
  for (const p of extension?.check?.(record[kind]) ?? []) problem([kind, ...p.path], p.expected, p.found);
  return { ...named, kind: 'extension', extension: kind, body: record[kind] };
}

/** A declared change or data entry that does not fit the models, as a problem (the field at fault, the reason). */
function modelProblem(check: () => unknown): { field: 'op' | 'path' | 'value'; expected: string; found: string } | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    const field = error.details.field ?? 'path';
    const expected = field === 'path' ? "a keypath of the scenario's models (schema:)" : field === 'op' ? 'a change op' : "a value of the leaf's type in the scenario's models (schema:)";
    return { field, expected, found: error.reason };
  }
}

/** `/prefix:name{keys}/name…`: the shape of a keypath (MAAPI.md §M4.3 notation), checked without a schema. */
const KEYPATH_SHAPE = /^\/[^/{}:\s]+:[^/{}\s]+(?:\{[^}]*\})?(?:\/(?:[^/{}:\s]+:)?[^/{}\s]+(?:\{[^}]*\})?)*$/;

function compileEmit(
  body: NotificationInput & EmitStepOptions,
  path: DocPath,
  ctx: CompileContext,
): { kind: 'emit'; notification: NotificationInput; waitAck?: number | true; transaction?: StepTransaction } {
  const { 'wait-ack': waitAck, changes, data, ...rest } = body;
  const input = rest as NotificationInput;
  const spec = notificationTypes[input.type];
  const problem = (sub: DocPath, expected: string, found: string, anchor: 'value' | 'key' = 'value'): void => {
    ctx.problems.push({ path: [...path, ...sub], anchor, expected, found });
  };
  // A forced profile refuses what it lacks (§16); with `auto` each connection's profile decides
  // at emit time, and connections whose profile lacks the type are reported, never sent it.
  if (ctx.profile !== undefined && !spec.profiles.includes(ctx.profile)) {
    problem(['type'], `a type the ${ctx.profile} profile can send (${input.type} needs profile ${spec.profiles.join(' or ')}, PROTOCOL.md §16)`, input.type);
  }
  if (waitAck !== undefined && waitAck !== false && spec.ack === undefined) {
    problem(
      ['wait-ack'],
      'no wait-ack: only commit-diff, audit, audit-network and ha-info notifications are acked (PROTOCOL.md §12.1)',
      `wait-ack on ${input.type}`,
    );
  }
  try {
    // A realistic "now": defaulted timestamps must be in range (PROTOCOL.md §6.4: progress µs ≥ 2^32).
    const n = normalizeNotification(input, { ...ctx.defaults, now: () => CHECK_TIME });
    if (n.type === 'call-home-info' && n.event === 3 && ctx.profile !== undefined && ctx.profile !== 'nso66') {
      problem(['event'], `a call-home event the ${ctx.profile} profile can send (device-disconnected needs nso66, PROTOCOL.md §11.17, NSO62.md §B)`, render(input.type === 'call-home-info' ? input.event : undefined));
    }
    if (n.type === 'progress' || n.type === 'commit-progress') {
      // A field with no slot in the layout: in the forced profile, or (auto) in every profile.
      const profiles = ctx.profile === undefined ? PROFILES : [ctx.profile];
      const missing = profiles.map((p) => progressFieldWithoutSlot(n, p));
      const field = missing.every((f) => f !== undefined) ? missing[0] : undefined;
      if (field !== undefined) {
        problem(
          [field],
          ctx.profile === undefined
            ? 'progress fields of one layout: the 5.7 19-tuple (phase, service, node, device, package, ...) or the 6.2 15-tuple (span_id, parent_span_id, attributes, links), PROTOCOL.md §11.14, NSO62.md §B'
            : `a field the ${ctx.profile} progress layout has (PROTOCOL.md §11.14, NSO62.md §B)`,
          field,
        );
      }
    }
    recordEmit(n.type, n, ctx.history);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    const { expected, found } = splitReason(error.message);
    problem(fieldPath(error.details.path ?? ''), expected, found);
  }
  // A commit-diff's transaction for MAAPI clients (docs/maapi.md): it needs the th they attach to.
  let transaction: StepTransaction | undefined;
  if (changes !== undefined || data !== undefined) {
    const th = (input as { th?: unknown }).th;
    if (typeof th !== 'number') {
      problem([changes !== undefined ? 'changes' : 'data'], 'a th on this commit-diff (the transaction MAAPI clients attach to, MAAPI.md §M3.1)', 'changes/data without th');
    } else {
      transaction = { th, ...(changes === undefined ? {} : { changes }), ...(data === undefined ? {} : { data }) };
    }
    // The shape is checked with or without models; with the scenario's models (`schema:`) each path
    // and value is checked against them too, so `validate` reports it at its position (docs/maapi.md).
    (changes ?? []).forEach((change, i) => {
      const at = (field: string): DocPath => ['changes', i, field];
      const before = ctx.problems.length;
      if (!KEYPATH_SHAPE.test(change.path)) problem(at('path'), 'a keypath like /mk:sys/host{h1}/address (the first step with its module prefix)', render(change.path));
      if (change.op === 'value-set' && change.value === undefined) problem(at('op'), 'a value for value-set', 'no value');
      if (change.op === 'moved-after' && !/\}$/.test(change.path)) problem(at('path'), 'a list entry (a path ending in {keys}) for moved-after', render(change.path));
      if (change.op === 'attr-set' && (typeof change.value !== 'object' || change.value === null || typeof (change.value as { attr?: unknown }).attr !== 'number')) {
        problem(at('value'), 'value: { attr: <attribute hash>, value: <text> } for attr-set', render(change.value));
      }
      if (ctx.schema === undefined || ctx.problems.length > before) return;
      const bad = modelProblem(() => typeChange(ctx.schema!, change));
      if (bad !== undefined) problem(at(bad.field === 'value' && change.value === undefined ? 'op' : bad.field), bad.expected, bad.found);
    });
    for (const [key, value] of Object.entries(data ?? {})) {
      if (!KEYPATH_SHAPE.test(key)) {
        problem(['data', key], 'a keypath like /mk:sys/host{h1}/address (the first step with its module prefix)', render(key), 'key');
        continue;
      }
      if (ctx.schema === undefined) continue;
      const bad = modelProblem(() => typeDataEntry(ctx.schema!, key, value));
      if (bad !== undefined) problem(['data', key], bad.expected, bad.found, bad.field === 'path' ? 'key' : 'value');
    }
  }
  const base = { kind: 'emit' as const, notification: input, ...(transaction === undefined ? {} : { transaction }) };
  if (waitAck === undefined || waitAck === false) return base;
  return { ...base, waitAck: waitAck === true ? true : ms(waitAck, 0, (found) => problem(['wait-ack'], DURATION_EXPECTED, found)) };
}

/**
 * A `stream` step. Checks what the schema cannot: each event's values and time encode (as an emit's
 * fields do), `replay-from` needs a replay log, and history lies inside it (PROTOCOL.md §14: an
 * event before the log start could never be replayed). Whether times are after "now" depends on
 * the run's clock and is checked when the step plays.
 */
function compileStream(b: StreamBody, path: DocPath, ctx: CompileContext): Omit<Extract<Step, { kind: 'stream' }>, 'at' | 'name'> {
  const problem = (sub: DocPath, expected: string, found: string): void => {
    ctx.problems.push({ path: [...path, ...sub], anchor: 'value', expected, found });
  };
  /**
   * The event time in ms, or undefined (no time, or a problem already reported). `sub` is where
   * the event is written, `timeAt` where its time is.
   */
  const eventTime = (time: DateTimeDocument | undefined, values: readonly unknown[] | undefined, sub: DocPath, timeAt: DocPath): number | undefined => {
    try {
      const n = normalizeNotification(
        { type: 'stream-event', ...(time === undefined ? {} : { event_time: time }), values: (values ?? []) as never },
        { now: () => CHECK_TIME },
      );
      return time === undefined || n.type !== 'stream-event' || n.event !== 1 ? undefined : dateTimeToMillis(n.event_time);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      const { expected, found } = splitReason(error.message);
      const field = fieldPath(error.details.path ?? '');
      problem(field[0] === 'event_time' ? [...timeAt, ...field.slice(1)] : [...sub, ...field], expected, found);
      return undefined;
    }
  };
  const replayFromMs = b['replay-from'] === undefined ? undefined : eventTime(b['replay-from'], [], [], ['replay-from']);
  if (b['replay-from'] !== undefined && b.replay === false) {
    problem(['replay-from'], 'no replay-from on a stream without a replay log (replay: false)', render(b['replay-from']));
  }
  const compiled = (list: readonly StreamEventDocument[] | undefined, key: 'history' | 'events'): CompiledStreamEvent[] =>
    (list ?? []).map((e, i) => {
      const t = eventTime(e.time, e.values, [key, i], [key, i, 'time']);
      if (key === 'history' && t !== undefined && replayFromMs !== undefined && t < replayFromMs) {
        problem([key, i, 'time'], `a time at or after replay-from (${new Date(replayFromMs).toISOString()}): history is inside the replay log`, render(e.time));
      }
      return e.time === undefined ? { values: e.values } : { time: e.time, values: e.values };
    });
  return {
    kind: 'stream',
    stream: b.name,
    replay: b.replay ?? true,
    ...(replayFromMs === undefined ? {} : { replayFromMs }),
    history: compiled(b.history, 'history'),
    events: compiled(b.events, 'events'),
    everyMs: ms(b.every, 0, (found) => problem(['every'], DURATION_EXPECTED, found)),
    ...(b['tag-names'] === undefined ? {} : { tagNames: b['tag-names'] }),
  };
}

function recordEmit(type: NotificationType, n: { readonly type: NotificationType }, history: EmitHistory): void {
  const fields = n as Record<string, unknown>;
  if (type === 'commit-diff' && typeof fields['th'] === 'number') history.th.add(fields['th']);
  if (type === 'audit' && typeof fields['usid'] === 'number') history.audit.add(fields['usid']);
  if (type === 'audit-network' && typeof fields['usid'] === 'number') history.auditNetwork.add(fields['usid']);
  if (type === 'ha-info') history.ha = true;
}

function ackMatcher(b: AckKeyFields, path: DocPath, ctx: CompileContext, required: boolean): AckMatcher | undefined {
  const keys = (['th', 'usid', 'ha'] as const).filter((k) => b[k] !== undefined);
  const problem = (sub: DocPath, expected: string, found: string): void => {
    ctx.problems.push({ path: [...path, ...sub], anchor: 'value', expected, found });
  };
  if (keys.length > 1) {
    problem([keys[1] ?? 'th'], 'one of th, usid or ha (one handshake per step)', keys.join(' and '));
    return undefined;
  }
  if (b.of !== undefined && b.usid === undefined) problem(['of'], 'of only together with usid', `of: ${b.of} without usid`);
  const history = ctx.history;
  const check = required && history.complete;
  if (b.th !== undefined) {
    if (check && !history.th.has(b.th) && !history.fuzzed.has('commit-diff')) {
      problem(['th'], `the th of an earlier commit-diff emit (${listOrNone(history.th)})`, String(b.th));
    }
    return { kind: 'diff-done', th: b.th };
  }
  if (b.usid !== undefined) {
    const network = b.of === 'audit-network';
    const seen = network ? history.auditNetwork : history.audit;
    if (check && !seen.has(b.usid) && !history.fuzzed.has(network ? 'audit-network' : 'audit')) {
      problem(['usid'], `the usid of an earlier ${network ? 'audit-network' : 'audit'} emit (${listOrNone(seen)})`, String(b.usid));
    }
    return network ? { kind: 'audit-network-synced', usid: b.usid } : { kind: 'audit-synced', usid: b.usid };
  }
  if (b.ha === true) {
    if (check && !history.ha && !history.fuzzed.has('ha-info')) problem(['ha'], 'an earlier ha-info emit to ack', 'none');
    return { kind: 'ha-synced' };
  }
  if (required) problem([], 'th, usid or ha: which handshake to expect', 'none of them');
  return undefined;
}

function listOrNone(values: ReadonlySet<number>): string {
  return values.size === 0 ? 'there is none' : [...values].join(', ');
}

function compileFault(b: FaultBody, path: DocPath, ctx: CompileContext): FaultSpec {
  const dur = (value: DurationInput | undefined, fallback: number, field: string): number =>
    ms(value, fallback, (found) => ctx.problems.push({ path: [...path, field], anchor: 'value', expected: DURATION_EXPECTED, found }));
  switch (b.kind) {
    case 'stall':
      return { kind: 'stall', ms: dur(b.for, 0, 'for') };
    case 'close':
      return { kind: 'close' };
    case 'truncate-frame':
      return { kind: 'truncate-frame' };
    case 'slow-write':
      return { kind: 'slow-write', chunkBytes: b['chunk-bytes'] ?? 1, intervalMs: dur(b.interval, 10, 'interval'), ...(b.for === undefined ? {} : { ms: dur(b.for, 0, 'for') }) };
    case 'garbage': {
      if (b.bytes !== undefined && b.length !== undefined) {
        ctx.problems.push({ path: [...path, 'length'], anchor: 'key', expected: 'either bytes or length, not both', found: 'both' });
      }
      if (b.bytes !== undefined) return { kind: 'garbage', bytes: Uint8Array.from(Buffer.from(b.bytes, 'hex')), length: b.bytes.length / 2 };
      return { kind: 'garbage', length: b.length ?? 16 };
    }
  }
}

/** `Failed to encode notification: expected an integer, got "x" (uinfo.port)` -> expected/found. */
function splitReason(message: string): { expected: string; found: string } {
  const reason = message.replace(/^Failed to [^:]*: /, '').replace(/ \([^()]*\)$/, '');
  // The codec's reasons read "expected X, got Y", "V outside A..B" or "V is no X" (input.ts, ip.ts).
  const expectedGot = /^expected (.*), got (.*)$/s.exec(reason);
  if (expectedGot !== null) return { expected: expectedGot[1] ?? '', found: expectedGot[2] ?? '' };
  const outside = /^(.+) outside (.+)$/s.exec(reason);
  if (outside !== null) return { expected: `a value in ${outside[2] ?? ''}`, found: outside[1] ?? '' };
  const isIn = /^(.+?) is in (\S+), (.+)$/s.exec(reason);
  if (isIn !== null) return { expected: `a value outside ${isIn[2] ?? ''} — ${isIn[3] ?? ''}`, found: isIn[1] ?? '' };
  const isNo = /^(.+) is no (.+)$/s.exec(reason);
  if (isNo !== null) return { expected: `${/^[aeiouAEIOU]/.test(isNo[2] ?? '') ? 'an' : 'a'} ${isNo[2] ?? ''}`, found: isNo[1] ?? '' };
  return { expected: 'a value the notification can carry', found: reason };
}

/** `uinfo.port` -> ['uinfo', 'port']; `values[2].v` -> ['values', 2, 'v']. */
export function fieldPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    if (part === '') continue;
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (m === null) {
      out.push(part);
      continue;
    }
    if (m[1] !== undefined && m[1] !== '') out.push(m[1]);
    for (const index of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

/** The path string of a step (for reports): `steps[3].repeat.steps[0]`. */
export function stepPath(path: DocPath): string {
  return formatPath(path);
}
