/**
 * Arbitrary scenario documents (STYLE.md §5 level 5: generated scenarios validate against the
 * shipped schema), and the coherent "client fuzz" scenarios `nso-mock fuzz` plays against a client
 * under test: a mix of every notification type, ack-requiring events acked either at once or
 * later, transport faults (slow writes, stalls) and, optionally, a terminal fault.
 *
 * The values are plain data in the YAML document form of docs/scenario-format.md (the shapes of
 * `ScenarioDocument`, which this layer may not import: arbitraries depend on the codec only;
 * `test/types/scenario-arbitrary.test.ts` checks the shapes stay assignable). Every value is
 * JSON-safe, so it serialises to YAML and loads back unchanged.
 */
import fc from 'fast-check';
import {
  notificationTypes,
  type Notification,
  type NotificationType,
  type Profile,
} from '../codec/index.js';
import { C_TEXT_MAX_BYTES, notificationArbitrary } from './notifications/index.js';

/** A duration as written in a scenario (`'250ms'`, `'2s'`). */
export type GeneratedDuration = string;

/** A mask name: a notification type or a flag (PROTOCOL.md §10.1). */
export type GeneratedMaskName = NotificationType | 'audit-sync' | 'ha-info-sync' | 'audit-network-sync';

/** The ack key fields of `expect-ack` / `expect-no-ack` (PROTOCOL.md §12.1). */
export interface GeneratedAckKey {
  th?: number;
  usid?: number;
  of?: 'audit' | 'audit-network';
  ha?: true;
}

/** A fault step body. */
export type GeneratedFault =
  | { kind: 'stall'; for: GeneratedDuration }
  | { kind: 'slow-write'; 'chunk-bytes': number; interval: GeneratedDuration; for: GeneratedDuration }
  | { kind: 'close' }
  | { kind: 'garbage'; length: number }
  | { kind: 'truncate-frame' };

/** A step as written in a scenario document (a subset of the step kinds: the ones generated). */
export type GeneratedStep =
  | { name?: string; 'await-subscribers': { count: number; mask?: GeneratedMaskName[]; within?: GeneratedDuration } }
  | { name?: string; emit: Notification & { 'wait-ack'?: boolean | GeneratedDuration } }
  | { name?: string; 'expect-ack': GeneratedAckKey & { within?: GeneratedDuration } }
  | { name?: string; 'expect-no-ack': GeneratedAckKey & { for?: GeneratedDuration } }
  | { name?: string; wait: GeneratedDuration }
  | { name?: string; repeat: { times: number; steps: GeneratedStep[] } }
  | { name?: string; sequence: GeneratedStep[] }
  | { name?: string; parallel: GeneratedStep[] }
  | { name?: string; fault: GeneratedFault }
  | { name?: string; heartbeat: 'hang' | 'resume' }
  | { name?: string; 'health-check': 'hang' | 'resume' }
  | { name?: string; fuzz: { types: NotificationType[]; count: number; seed: number; every?: GeneratedDuration } }
  | { name?: string; log: string };

/** A scenario document as written (YAML or an object). */
export interface GeneratedScenario {
  name: string;
  description?: string;
  profile: Profile;
  seed?: number;
  options?: {
    strict?: boolean;
    'ack-timeout'?: GeneratedDuration;
    'event-reply-timeout'?: GeneratedDuration;
    'fail-fast'?: boolean;
  };
  steps: GeneratedStep[];
}

/** Constraints of {@link scenarioArbitrary}. */
export interface ScenarioConstraints {
  /** Layout profile of the scenario and its notifications (default `nso57`). */
  readonly profile?: Profile;
  /** Notification types emitted (default: every type of the profile). */
  readonly types?: readonly NotificationType[];
  /** Most top-level steps (default 8). */
  readonly maxSteps?: number;
  /** Nesting depth of `repeat` / `sequence` / `parallel` (default 2). */
  readonly maxDepth?: number;
}

/** Whether a value is plain JSON data (so a YAML round trip gives it back unchanged). */
export function isPlainData(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(value).every((v) => v === undefined || isPlainData(v));
  }
  return false;
}

const utf8 = new TextEncoder();

/**
 * Whether every text in a value survives a C client's fixed buffers unchanged (PROTOCOL.md §6.5,
 * §15): no NUL (C strings stop there) and at most 31 UTF-8 bytes (the smallest buffers, `context`,
 * `name` and `target`, hold 32 bytes with the NUL). Generated traffic that a real C/Python client
 * would truncate cannot be compared field by field with `pythonDictView`, which does not truncate.
 */
export function isCStringSafe(value: unknown): boolean {
  if (typeof value === 'string') return !value.includes('\0') && utf8.encode(value).length <= C_TEXT_MAX_BYTES;
  if (Array.isArray(value)) return value.every(isCStringSafe);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) return Object.values(value).every(isCStringSafe);
  return true;
}

/** Drops `undefined` members (YAML writes them as nothing, JSON Schema sees them as present). */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function typesOf(profile: Profile, types: readonly NotificationType[] | undefined): NotificationType[] {
  const all = Object.values(notificationTypes)
    .filter((s) => s.profiles.includes(profile))
    .map((s) => s.type);
  return types === undefined ? all : all.filter((t) => types.includes(t));
}

/**
 * One notification of the given types, as plain data (values the YAML form cannot hold are
 * skipped); with `cStrings`, texts generated C-safe (`cSafe`) and only those a C client reads back
 * unchanged ({@link isCStringSafe}: the filter still drops the few non-text strings that are not,
 * such as long namespace URIs).
 */
function plainNotification(profile: Profile, types: readonly NotificationType[], cStrings = false): fc.Arbitrary<Notification> {
  return fc
    .constantFrom(...types)
    .chain((type) => notificationArbitrary(type, { profile, maxItems: 3, maxTextLength: cStrings ? 7 : 16, rawValues: false, cSafe: cStrings }))
    .filter((n) => isPlainData(n) && (!cStrings || isCStringSafe(n)))
    .map(plain);
}

const durationArb: fc.Arbitrary<GeneratedDuration> = fc.integer({ min: 0, max: 50 }).map((ms) => `${ms}ms`);

const ackKeyArb: fc.Arbitrary<GeneratedAckKey> = fc.oneof(
  fc.record({ th: fc.integer({ min: 1, max: 100_000 }) }),
  fc.record({ usid: fc.integer({ min: 0, max: 1000 }), of: fc.constantFrom<'audit' | 'audit-network'>('audit', 'audit-network') }),
  fc.constant<GeneratedAckKey>({ ha: true }),
);

const faultArb: fc.Arbitrary<GeneratedFault> = fc.oneof(
  durationArb.map((d): GeneratedFault => ({ kind: 'stall', for: d })),
  fc
    .record({ chunk: fc.integer({ min: 1, max: 16 }), every: fc.integer({ min: 0, max: 5 }), span: durationArb })
    .map(({ chunk, every, span }): GeneratedFault => ({ kind: 'slow-write', 'chunk-bytes': chunk, interval: `${every}ms`, for: span })),
  fc.constant<GeneratedFault>({ kind: 'close' }),
  fc.integer({ min: 1, max: 64 }).map((length): GeneratedFault => ({ kind: 'garbage', length })),
  fc.constant<GeneratedFault>({ kind: 'truncate-frame' }),
);

const maskNameArb = (types: readonly NotificationType[]): fc.Arbitrary<GeneratedMaskName[]> =>
  fc.subarray<GeneratedMaskName>([...types, 'audit-sync', 'ha-info-sync'], { minLength: 1 });

/**
 * Any scenario document the schema accepts: every generated step kind, nested `repeat` /
 * `sequence` / `parallel`, notifications of every type. Not meant to be played against a client
 * (faults and waits come in any order); meant for schema, loader and YAML round-trip properties.
 * @example
 *   fc.assert(fc.property(scenarioArbitrary(), (doc) => validateScenarioDocument(doc).ok));
 */
export function scenarioArbitrary(constraints: ScenarioConstraints = {}): fc.Arbitrary<GeneratedScenario> {
  const profile = constraints.profile ?? 'nso57';
  const types = typesOf(profile, constraints.types);
  const leaf: fc.Arbitrary<GeneratedStep> = fc.oneof(
    { arbitrary: plainNotification(profile, types).map((n): GeneratedStep => ({ emit: n })), weight: 4 },
    fc.record({ count: fc.integer({ min: 1, max: 3 }), mask: maskNameArb(types), within: durationArb }).map((body): GeneratedStep => ({ 'await-subscribers': body })),
    fc.tuple(ackKeyArb, durationArb).map(([key, within]): GeneratedStep => ({ 'expect-ack': { ...key, within } })),
    fc.tuple(ackKeyArb, durationArb).map(([key, d]): GeneratedStep => ({ 'expect-no-ack': { ...key, for: d } })),
    durationArb.map((d): GeneratedStep => ({ wait: d })),
    faultArb.map((fault): GeneratedStep => ({ fault })),
    fc.constantFrom<'hang' | 'resume'>('hang', 'resume').map((action): GeneratedStep => ({ heartbeat: action })),
    fc.constantFrom<'hang' | 'resume'>('hang', 'resume').map((action): GeneratedStep => ({ 'health-check': action })),
    fc
      .record({ types: fc.subarray(types, { minLength: 1, maxLength: 4 }), count: fc.integer({ min: 1, max: 5 }), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) })
      .map((body): GeneratedStep => ({ fuzz: body })),
    fc.stringMatching(/^[a-z][a-z0-9 ]{0,20}$/).map((message): GeneratedStep => ({ log: message })),
  );
  const { step } = fc.letrec<{ step: GeneratedStep }>((tie) => ({
    step: fc.oneof(
      { depthSize: 'small', maxDepth: constraints.maxDepth ?? 2, withCrossShrink: true },
      { arbitrary: leaf, weight: 6 },
      fc
        .record({ times: fc.integer({ min: 1, max: 3 }), steps: fc.array(tie('step'), { minLength: 1, maxLength: 3 }) })
        .map((body): GeneratedStep => ({ repeat: body })),
      fc.array(tie('step'), { minLength: 1, maxLength: 3 }).map((steps): GeneratedStep => ({ sequence: steps })),
      fc.array(tie('step'), { minLength: 1, maxLength: 3 }).map((steps): GeneratedStep => ({ parallel: steps })),
    ),
  }));
  return fc
    .record(
      {
        name: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
        description: fc.string({ maxLength: 40 }),
        seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        options: fc.record(
          {
            strict: fc.boolean(),
            'ack-timeout': durationArb,
            'event-reply-timeout': durationArb,
            'fail-fast': fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        steps: fc.array(step, { maxLength: constraints.maxSteps ?? 8 }),
      },
      { requiredKeys: ['name', 'steps'] },
    )
    .map((doc): GeneratedScenario => plain({ ...doc, profile, steps: coherentSteps(doc.steps, newHistory()) }));
}

interface AckHistory {
  readonly th: Set<number>;
  readonly audit: Set<number>;
  readonly auditNetwork: Set<number>;
  ha: boolean;
  readonly fuzzed: Set<NotificationType>;
}

function newHistory(): AckHistory {
  return { th: new Set(), audit: new Set(), auditNetwork: new Set(), ha: false, fuzzed: new Set() };
}

function started(key: GeneratedAckKey, h: AckHistory): boolean {
  if (key.th !== undefined) return h.th.has(key.th) || h.fuzzed.has('commit-diff');
  if (key.usid !== undefined) {
    return key.of === 'audit-network' ? h.auditNetwork.has(key.usid) || h.fuzzed.has('audit-network') : h.audit.has(key.usid) || h.fuzzed.has('audit');
  }
  return key.ha === true && (h.ha || h.fuzzed.has('ha-info'));
}

/**
 * Makes a generated step list pass the loader's semantic checks (scenarios/compile.ts): an
 * `expect-ack` must name a handshake an earlier step started, so one that does not becomes an
 * `expect-no-ack` for the same key. Document order, as the loader reads it.
 */
function coherentSteps(steps: readonly GeneratedStep[], h: AckHistory): GeneratedStep[] {
  return steps.map((step): GeneratedStep => {
    if ('emit' in step) {
      const n = step.emit;
      if (n.type === 'commit-diff') h.th.add(n.th);
      else if (n.type === 'audit') h.audit.add(n.usid);
      else if (n.type === 'audit-network') h.auditNetwork.add(n.usid);
      else if (n.type === 'ha-info') h.ha = true;
      return step;
    }
    if ('fuzz' in step) {
      for (const t of step.fuzz.types) h.fuzzed.add(t);
      return step;
    }
    if ('expect-ack' in step) {
      const { within, ...key } = step['expect-ack'];
      return started(key, h) ? step : { 'expect-no-ack': within === undefined ? key : { ...key, for: within } };
    }
    if ('repeat' in step) return { repeat: { times: step.repeat.times, steps: coherentSteps(step.repeat.steps, h) } };
    if ('sequence' in step) return { sequence: coherentSteps(step.sequence, h) };
    if ('parallel' in step) return { parallel: coherentSteps(step.parallel, h) };
    return step;
  });
}

/** Constraints of {@link clientFuzzScenarioArbitrary}. */
export interface ClientFuzzConstraints {
  /** Layout profile (default `nso57`). */
  readonly profile?: Profile;
  /**
   * Types to emit (default: every type of the profile except heartbeat, health-check and
   * stream-event, which need subscription parameters a generic client cannot be told).
   * commit-diff is always added: the final probe is a commit diff.
   */
  readonly types?: readonly NotificationType[];
  /** Most notifications emitted before the probe (default 12). */
  readonly maxEvents?: number;
  /** The time a client gets for each ack (default `'2s'`). */
  readonly ackTimeout?: GeneratedDuration;
  /** Insert slow-write and stall faults between emits (default true). */
  readonly transportFaults?: boolean;
  /** Sometimes end with a close, garbage (then a close) or a truncated frame instead of the probe (default false). */
  readonly terminalFaults?: boolean;
  /**
   * The client under test: `'c'` (default: the C library, Python's `_ncs`) gets only C-safe texts
   * (no NUL, at most C_TEXT_MAX_BYTES bytes, `cSafe`), which it reads back unchanged; `'java'` any text.
   */
  readonly clientStyle?: 'c' | 'java';
}

/** A client fuzz scenario plus what the runner needs to know about it. */
export interface ClientFuzzScenario {
  readonly scenario: GeneratedScenario;
  /** The subscription mask the client must use (type and flag bits, PROTOCOL.md §10.1). */
  readonly mask: number;
  /** The same mask as names, in the order of `await-subscribers`. */
  readonly maskNames: readonly GeneratedMaskName[];
  /** The terminal fault the scenario ends with, if any (the runner then checks the client exits). */
  readonly terminal?: GeneratedFault;
}

/** Types a client fuzz scenario emits unless told otherwise. */
export const CLIENT_FUZZ_EXCLUDED_TYPES: readonly NotificationType[] = ['heartbeat', 'health-check', 'stream-event'];

const FLAG_BITS: Readonly<Record<'audit-sync' | 'ha-info-sync' | 'audit-network-sync', number>> = {
  'audit-sync': 131072,
  'ha-info-sync': 1048576,
  'audit-network-sync': 536870912,
};

/** The ack a notification needs under `flags` (PROTOCOL.md §12.1), as an expect-ack key. */
function ackKeyFor(n: Notification, flags: ReadonlySet<string>): GeneratedAckKey | undefined {
  switch (n.type) {
    case 'commit-diff':
      return { th: n.th };
    case 'audit':
      return flags.has('audit-sync') ? { usid: n.usid, of: 'audit' } : undefined;
    case 'audit-network':
      return flags.has('audit-network-sync') ? { usid: n.usid, of: 'audit-network' } : undefined;
    case 'ha-info':
      return flags.has('ha-info-sync') ? { ha: true } : undefined;
    default:
      return undefined;
  }
}

/**
 * A scenario to play against one client under test (`nso-mock fuzz`): it waits for the client to
 * subscribe with `mask`, emits a mix of notifications — each one that needs an ack either waits
 * for it (`wait-ack`) or is checked by an `expect-ack` at the end, so acks interleave with other
 * traffic (§12.2) — with slow writes and stalls in between, and ends with a probe commit diff
 * whose ack proves the client is still subscribed and reading (or with a terminal fault).
 *
 * Transaction handles are unique per scenario (a duplicate TH would queue behind the first, §12.2).
 * @example
 *   const [{ scenario, mask }] = fc.sample(clientFuzzScenarioArbitrary(), { seed: 1, numRuns: 1 });
 */
export function clientFuzzScenarioArbitrary(constraints: ClientFuzzConstraints = {}): fc.Arbitrary<ClientFuzzScenario> {
  const profile = constraints.profile ?? 'nso57';
  const ackTimeout = constraints.ackTimeout ?? '2s';
  const wanted = constraints.types ?? typesOf(profile, undefined).filter((t) => !CLIENT_FUZZ_EXCLUDED_TYPES.includes(t));
  const types = typesOf(profile, [...new Set<NotificationType>([...wanted, 'commit-diff'])]);
  const flagChoices = fc.record({
    'audit-sync': types.includes('audit') ? fc.boolean() : fc.constant(false),
    'ha-info-sync': types.includes('ha-info') ? fc.boolean() : fc.constant(false),
    'audit-network-sync': types.includes('audit-network') ? fc.boolean() : fc.constant(false),
  });
  const event = fc.record({
    notification: plainNotification(profile, types, (constraints.clientStyle ?? 'c') === 'c'),
    deferAck: fc.boolean(),
    fault: constraints.transportFaults === false ? fc.constant(undefined) : fc.option(faultArb.filter((f) => f.kind === 'stall' || f.kind === 'slow-write'), { freq: 4, nil: undefined }),
  });
  const terminal =
    constraints.terminalFaults === true
      ? fc.option(faultArb.filter((f) => f.kind === 'close' || f.kind === 'garbage' || f.kind === 'truncate-frame'), { freq: 3, nil: undefined })
      : fc.constant(undefined);
  return fc
    .record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      flags: flagChoices,
      events: fc.array(event, { maxLength: constraints.maxEvents ?? 12 }),
      terminal,
    })
    .map(({ seed, flags, events, terminal: end }): ClientFuzzScenario => {
      const flagSet = new Set(Object.entries(flags).filter(([, on]) => on).map(([name]) => name));
      const maskNames: GeneratedMaskName[] = [...types, ...(Object.keys(FLAG_BITS) as (keyof typeof FLAG_BITS)[]).filter((f) => flagSet.has(f))];
      const mask = maskNames.reduce((m, name) => m | (name in FLAG_BITS ? FLAG_BITS[name as keyof typeof FLAG_BITS] : (notificationTypes[name as NotificationType]?.bit ?? 0)), 0);
      const steps: GeneratedStep[] = [{ 'await-subscribers': { count: 1, mask: maskNames, within: '10s' } }];
      const deferred: GeneratedAckKey[] = [];
      let th = 1000;
      for (const { notification, deferAck, fault } of events) {
        // Unique handles: a repeated TH would queue behind the first handshake (§12.2).
        const n = notification.type === 'commit-diff' ? { ...notification, th: th++ } : notification;
        const key = ackKeyFor(n, flagSet);
        // HA acks are global (§12.2): deferring one would queue every later HA event, so wait.
        if (key !== undefined && (!deferAck || key.ha === true)) steps.push({ emit: { ...n, 'wait-ack': ackTimeout } });
        else steps.push({ emit: n });
        if (key !== undefined && deferAck && key.ha !== true) deferred.push(key);
        if (fault !== undefined) steps.push({ fault });
      }
      for (const key of deferred) steps.push({ 'expect-ack': { ...key, within: ackTimeout } });
      if (end === undefined) {
        // A client that died on an earlier notification must fail the run even when the probe
        // would have no recipient (and so need no ack).
        steps.push({ name: 'the client is still subscribed', 'await-subscribers': { count: 1, mask: maskNames, within: ackTimeout } });
        steps.push({
          name: 'probe: the client still reads and acks',
          emit: { ...(probeDiff(th) as Notification), 'wait-ack': ackTimeout },
        });
      } else {
        steps.push({ name: 'terminal fault', fault: end });
        // Garbage desynchronises the stream for good; like a real server, close after it, so a
        // client waiting for the rest of a "frame" sees the end instead of waiting forever.
        if (end.kind === 'garbage') steps.push({ name: 'close after garbage', fault: { kind: 'close' } });
        // truncate-frame cuts the *next* frame: send one (of a type that needs no ack, whose
        // pending ack the cut would otherwise leave unanswered, §12.3), or just close.
        if (end.kind === 'truncate-frame') {
          const plainType = types.find((t) => notificationTypes[t].ack === undefined && t !== 'upgrade' && t !== 'ha-info');
          steps.push(plainType === undefined ? { name: 'close', fault: { kind: 'close' } } : { name: 'the frame to cut', emit: { type: plainType } as Notification });
        }
      }
      const scenario: GeneratedScenario = plain({
        name: `client-fuzz-${seed}`,
        description: 'Generated by nso-mock fuzz; replay with `nso-mock run` against the same client.',
        profile,
        seed,
        options: { 'ack-timeout': ackTimeout, 'fail-fast': true },
        steps,
      });
      return end === undefined ? { scenario, mask, maskNames } : { scenario, mask, maskNames, terminal: end };
    });
}

/** The final commit diff of a fuzz scenario, in the friendly input form (defaults fill the rest). */
function probeDiff(th: number): { type: 'commit-diff'; th: number } {
  return { type: 'commit-diff', th };
}
