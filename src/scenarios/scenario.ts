/**
 * The two shapes of a scenario:
 * - `ScenarioDocument`: what a YAML file (or a TypeScript object) says, field for field. Its types
 *   are checked against the TypeBox schema of schema.ts at compile time.
 * - `Scenario`: what the loader compiles a document into and the scheduler plays. Durations are
 *   milliseconds, includes are resolved, every step knows where it was written.
 */
import type {
  DateTime,
  NotificationInput,
  NotificationType,
  Profile,
  ProfileSetting,
  TagValueInput,
  UserInfoInput,
} from '../codec/index.js';
import type { DeclaredChange } from '../schema/index.js';
import type { ViolationCode } from '../server/index.js';

/** A compiled scenario's profile: `auto` (per connection, from its client's protocol version) or one forced on every connection. */
export type ScenarioProfile = Profile | 'auto';

// ---------------------------------------------------------------------------------------------
// Names shared by the schema and the loader
// ---------------------------------------------------------------------------------------------

/** The `$id` of the shipped JSON Schema (Ajv keys compiled definitions by it). */
export const SCENARIO_SCHEMA_ID = 'https://nso-mock.dev/schemas/scenario.schema.json';

/** Every built-in step kind, in the order the docs present them. */
export const STEP_KINDS = [
  'await-subscribers',
  'emit',
  'emit-raw',
  'expect-ack',
  'expect-no-ack',
  'wait',
  'repeat',
  'sequence',
  'parallel',
  'stream',
  'fuzz',
  'fault',
  'heartbeat',
  'health-check',
  'expect-violation',
  'log',
] as const;

/** A built-in step kind. */
export type StepKind = (typeof STEP_KINDS)[number];

/** Fault kinds of the `fault` step. */
export const FAULT_KINDS = ['stall', 'close', 'garbage', 'truncate-frame', 'slow-write'] as const;

/** A fault kind. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Flag names a subscription mask may hold besides the types (PROTOCOL.md §10.1). */
export const MASK_FLAG_NAMES = ['audit-sync', 'ha-info-sync', 'audit-network-sync', 'takeover-syslog'] as const;

/** A sync or takeover flag of the subscription mask. */
export type MaskFlagName = (typeof MASK_FLAG_NAMES)[number];

/** A name that may appear in a mask list: a notification type or a flag. */
export type MaskName = NotificationType | MaskFlagName;

/**
 * A time value: a string with units (`250ms`, `2s`, `1.5s`, `1m30s`), or a bare `0`. A bare
 * non-zero number is refused ("add a unit: 5s, 200ms").
 */
export type DurationInput = 0 | string;

/** A date-time as written: ISO-8601 text or the fields of a `DateTime`. */
export type DateTimeDocument = string | Partial<DateTime>;

/**
 * Which subscribers a step applies to. Indexes count subscribers in the order they subscribed,
 * from 0; `connection` is the server's connection id.
 */
export type SubscriberSelector =
  | 'all'
  | 'first'
  | 'last'
  | { index: number }
  | { connection: number }
  | { 'subscribed-to': MaskName[] };

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

/** `await-subscribers`: wait until `count` subscribers with every bit of `mask` are connected. */
export interface AwaitSubscribersBody {
  count?: number;
  mask?: MaskName[];
  within?: DurationInput;
}

/** Options an `emit` step adds to the notification's own fields (kebab-case, so they never collide). */
export interface EmitStepOptions {
  /** Block until every recipient that must ack has acked: `true` = `options.ack-timeout`. */
  'wait-ack'?: boolean | DurationInput;
  /** commit-diff only: what MAAPI's diff_iterate on its th streams, in order (docs/maapi.md). */
  changes?: TransactionChangeDocument[];
  /** commit-diff only: the configuration a MAAPI client attached to its th reads (`path: value`); default: what the changes imply. */
  data?: Record<string, unknown>;
}

/** Change ops of a transaction (MAAPI.md §M4.3 `MOP_*`): the schema layer's list. */
export { CHANGE_OPS } from '../schema/index.js';

/** One change of a commit-diff's transaction, in diff_iterate order (docs/maapi.md): the schema layer's `DeclaredChange`. */
export type TransactionChangeDocument = DeclaredChange;

/** The transaction a commit-diff step declares for MAAPI clients. */
export interface StepTransaction {
  readonly th: number;
  readonly changes?: readonly TransactionChangeDocument[];
  readonly data?: Readonly<Record<string, unknown>>;
}

/** `emit`: a notification in its friendly form plus step options. */
export type EmitBody = NotificationInput & EmitStepOptions;

/**
 * `emit-raw`: bytes written to subscribers exactly as given (a frame's 4-byte length prefix
 * included), for frames the codec cannot express: what `nso-mock record` writes for an upstream
 * frame it could not decode or re-encode byte for byte.
 */
export interface EmitRawBody {
  /** The bytes, as hex digits in pairs. */
  hex: string;
  /** Which subscribers get them (default all). */
  to?: SubscriberSelector;
}

/** The handshake an ack expectation is about; no key = any ack. */
export interface AckKeyFields {
  /** `{TH, done}` after a commit-diff (PROTOCOL.md §12.1). */
  th?: number;
  /** `{Usid, synced}` (audit) or `{Usid, audit_network_sync}` (`of: audit-network`). */
  usid?: number;
  of?: 'audit' | 'audit-network';
  /** `ha_synced`. */
  ha?: true;
}

/** `expect-ack`: every recipient of the matching notification acks within the time limit. */
export interface ExpectAckBody extends AckKeyFields {
  within?: DurationInput;
  from?: SubscriberSelector;
}

/** `expect-no-ack`: no matching ack arrives for a while. */
export interface ExpectNoAckBody extends AckKeyFields {
  for?: DurationInput;
  from?: SubscriberSelector;
}

/** `repeat`: run the steps `times` times. */
export interface RepeatBody {
  times: number;
  steps: StepDocument[];
}

/** One event of a named stream: its time and XML content (PROTOCOL.md §9.5, §11.15). */
export interface StreamEventDocument {
  time?: DateTimeDocument;
  values: TagValueInput[];
}

/** `stream`: define (or extend) a named stream, with a replay log and live events (PROTOCOL.md §14). */
export interface StreamBody {
  name: string;
  /** Whether the stream keeps a replay log (default true). */
  replay?: boolean;
  /**
   * Where the replay log starts (ISO-8601 or date-time fields): a subscriber asking for replay
   * from an earlier time gets `replay_failed`. Default: when the stream is first defined. May be
   * in the past, so that `history` can hold events dated before the run; not in the future.
   */
  'replay-from'?: DateTimeDocument;
  /**
   * Events put in the replay log when the step runs, dated `time` (default now; between
   * `replay-from` and now). They are the stream's past: replayed, in event-time order, to
   * subscribers that ask for them, never sent live.
   */
  history?: StreamEventDocument[];
  /** Events published live by this step. */
  events?: StreamEventDocument[];
  /** Pause between live events. */
  every?: DurationInput;
  /**
   * Local names of the stream's hashed tags (hash in decimal → YANG node name), for the XPath
   * filters of its subscribers (PROTOCOL.md §8.1, §14). A later step without it keeps the table.
   */
  'tag-names'?: Record<string, string>;
}

/** `fuzz`: `count` notifications generated with fast-check from a seed. */
export interface FuzzBody {
  types: NotificationType[];
  count: number;
  seed?: number;
  every?: DurationInput;
}

/** `fault`: break one or more connections on purpose. */
export type FaultBody =
  | { kind: 'stall'; target?: SubscriberSelector; for: DurationInput }
  | { kind: 'close'; target?: SubscriberSelector }
  | { kind: 'garbage'; target?: SubscriberSelector; bytes?: string; length?: number }
  | { kind: 'truncate-frame'; target?: SubscriberSelector }
  | { kind: 'slow-write'; target?: SubscriberSelector; 'chunk-bytes'?: number; interval?: DurationInput; for?: DurationInput };

/** `expect-violation`: a client makes the named protocol mistake (server violation code). */
export interface ExpectViolationBody {
  code: ViolationCode;
  within?: DurationInput;
  from?: SubscriberSelector;
}

/**
 * Heartbeat and health-check control (PROTOCOL.md §13): `hang` stops the periodic messages,
 * `resume` restarts them. The server pauses both kinds together, so the `heartbeat` and
 * `health-check` steps have the same effect; write the one your test is about.
 */
export type TimerControl = 'hang' | 'resume';

interface Named {
  /** A label for logs and reports. */
  name?: string;
}

/** A step as written: one kind key, plus an optional `name`. */
export type StepDocument =
  | (Named & { 'await-subscribers': AwaitSubscribersBody })
  | (Named & { emit: EmitBody })
  | (Named & { 'emit-raw': EmitRawBody })
  | (Named & { 'expect-ack': ExpectAckBody })
  | (Named & { 'expect-no-ack': ExpectNoAckBody })
  | (Named & { wait: DurationInput })
  | (Named & { repeat: RepeatBody })
  | (Named & { sequence: StepDocument[] })
  | (Named & { parallel: StepDocument[] })
  | (Named & { stream: StreamBody })
  | (Named & { fuzz: FuzzBody })
  | (Named & { fault: FaultBody })
  | (Named & { heartbeat: TimerControl })
  | (Named & { 'health-check': TimerControl })
  | (Named & { 'expect-violation': ExpectViolationBody })
  | (Named & { log: string });

/** `defaults`: values every emitted notification starts from. */
export interface ScenarioDefaults {
  uinfo?: UserInfoInput;
  usid?: number;
}

/** `options`: server behaviour and player policy. */
export interface ScenarioOptionsDocument {
  /** Strict server (PROTOCOL.md §17). */
  strict?: boolean;
  /** Close a subscriber that does not ack within this time (PROTOCOL.md §20; 0 = never). */
  'event-reply-timeout'?: DurationInput;
  /** Close a subscriber whose socket stays unwritable this long (PROTOCOL.md §1.2; 0 = never). */
  'write-stall-timeout'?: DurationInput;
  /** Close a connection whose incomplete header or frame gets no further byte this long (violation `input-stall`; 0 = never; default 5s). */
  'input-stall-timeout'?: DurationInput;
  /** Largest client frame once a connection has subscribed (PROTOCOL.md §5, §17; default 16 MiB). */
  'max-frame-bytes'?: number;
  /** Largest client frame before the subscription (default 32 KiB; at most max-frame-bytes). */
  'max-subscribe-frame-bytes'?: number;
  /** Decode budget of one client frame after the subscription, in estimated bytes of the decoded term (default 1 MiB; docs/decisions/004). */
  'max-decoded-bytes'?: number;
  /** Decode budget of one client frame before the subscription (default 256 KiB). */
  'max-subscribe-decoded-bytes'?: number;
  /** Estimated bytes the journal may hold; the oldest entries beyond it are dropped and counted (default 64 MiB). */
  'journal-max-bytes'?: number;
  /** Default limit of `wait-ack: true`, `expect-ack` and the end-of-run ack check (default 5s). */
  'ack-timeout'?: DurationInput;
  /** Stop at the first failed step (default true); the rest are reported as skipped. */
  'fail-fast'?: boolean;
  /** At the end, every ack still owed must arrive within ack-timeout (default true). */
  'require-acks'?: boolean;
}

/** A scenario file as written. */
export interface ScenarioDocument {
  /** The editor's schema hint, if written as a key. */
  $schema?: string;
  name: string;
  description?: string;
  /** `auto` (the default): each connection gets its client's profile; a name forces it (`nso6x`: deprecated alias of `nso66`). */
  profile?: ProfileSetting;
  seed?: number;
  /** Other scenario files (relative to this one): their defaults and options apply, their steps run first. */
  include?: string[];
  defaults?: ScenarioDefaults;
  options?: ScenarioOptionsDocument;
  steps?: StepDocument[];
}

// ---------------------------------------------------------------------------------------------
// The compiled form
// ---------------------------------------------------------------------------------------------

/** Where a step or value was written: file, 1-based line and column, and its path in the document. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `steps[3].repeat.steps[0]`. */
  readonly path: string;
}

/** The acks of PROTOCOL.md §12.1 a step can wait for (mirrors the codec's `Ack`). */
export type AckMatcher =
  | { readonly kind: 'diff-done'; readonly th: number }
  | { readonly kind: 'audit-synced'; readonly usid: number }
  | { readonly kind: 'audit-network-synced'; readonly usid: number }
  | { readonly kind: 'ha-synced' };

/** A selector in compiled form. */
export type CompiledSelector =
  | { readonly kind: 'all' }
  | { readonly kind: 'first' }
  | { readonly kind: 'last' }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'connection'; readonly id: number }
  | { readonly kind: 'mask'; readonly mask: number };

/** A stream event in compiled form. */
export interface CompiledStreamEvent {
  /** ISO-8601 text or `DateTime` fields; undefined = the clock's now when published. */
  readonly time?: DateTimeDocument;
  readonly values: readonly TagValueInput[];
}

/** A fault in compiled form. */
export type FaultSpec =
  | { readonly kind: 'stall'; readonly ms: number }
  | { readonly kind: 'close' }
  | { readonly kind: 'garbage'; readonly bytes?: Uint8Array; readonly length: number }
  | { readonly kind: 'truncate-frame' }
  | { readonly kind: 'slow-write'; readonly chunkBytes: number; readonly intervalMs: number; readonly ms?: number };

interface StepBase {
  readonly at: SourceLocation;
  readonly name?: string;
}

/** A compiled step. */
export type Step =
  | (StepBase & { readonly kind: 'await-subscribers'; readonly count: number; readonly mask: number; readonly withinMs: number })
  | (StepBase & { readonly kind: 'emit';
      readonly notification: NotificationInput;
      /** Wait for the acks: a limit in ms, or `true` for `options.ackTimeoutMs`. */
      readonly waitAck?: number | true;
      /** A commit-diff's declared transaction, handed to the MAAPI server before the emit. */
      readonly transaction?: StepTransaction;
    })
  | (StepBase & { readonly kind: 'emit-raw'; readonly bytes: Uint8Array; readonly target: CompiledSelector })
  | (StepBase & {
      readonly kind: 'expect-ack';
      readonly ack?: AckMatcher;
      /** Limit from the emit; undefined = `options.ackTimeoutMs`. */
      readonly withinMs?: number;
      readonly from: CompiledSelector;
    })
  | (StepBase & { readonly kind: 'expect-no-ack'; readonly ack?: AckMatcher; readonly forMs: number; readonly from: CompiledSelector })
  | (StepBase & { readonly kind: 'wait'; readonly ms: number })
  | (StepBase & { readonly kind: 'repeat'; readonly times: number; readonly steps: readonly Step[] })
  | (StepBase & { readonly kind: 'sequence'; readonly steps: readonly Step[] })
  | (StepBase & { readonly kind: 'parallel'; readonly steps: readonly Step[] })
  | (StepBase & {
      readonly kind: 'stream';
      readonly stream: string;
      readonly replay: boolean;
      /** `replay-from` in ms since 1970 (the server's `logStart`). */
      readonly replayFromMs?: number;
      readonly history: readonly CompiledStreamEvent[];
      readonly events: readonly CompiledStreamEvent[];
      readonly everyMs: number;
      /** `tag-names`: hashed tag → local name, for subscribers' XPath filters. */
      readonly tagNames?: Readonly<Record<string, string>>;
    })
  | (StepBase & {
      readonly kind: 'fuzz';
      readonly types: readonly NotificationType[];
      readonly count: number;
      /** The step's own seed; undefined = derived from the run seed and the step's path. */
      readonly seed?: number;
      readonly everyMs: number;
    })
  | (StepBase & { readonly kind: 'fault'; readonly fault: FaultSpec; readonly target: CompiledSelector })
  | (StepBase & { readonly kind: 'heartbeat' | 'health-check'; readonly action: TimerControl })
  | (StepBase & { readonly kind: 'expect-violation'; readonly code: ViolationCode; readonly withinMs: number; readonly from: CompiledSelector })
  | (StepBase & { readonly kind: 'log'; readonly message: string })
  | (StepBase & { readonly kind: 'extension'; readonly extension: string; readonly body: unknown });

/** The player's policy and the server options a scenario asks for, resolved. */
export interface ScenarioOptions {
  readonly strict?: boolean;
  readonly eventReplyTimeoutMs?: number;
  readonly writeStallTimeoutMs?: number;
  readonly inputStallTimeoutMs?: number;
  readonly maxFrameBytes?: number;
  readonly maxSubscribeFrameBytes?: number;
  readonly maxDecodedBytes?: number;
  readonly maxSubscribeDecodedBytes?: number;
  readonly journalMaxBytes?: number;
  readonly ackTimeoutMs: number;
  readonly failFast: boolean;
  readonly requireAcks: boolean;
}

/** A loaded, validated scenario, ready to play. */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** The file it was loaded from (undefined for in-memory documents). */
  readonly file?: string;
  /**
   * `auto`: each connection gets the profile of its client's protocol version (any type of any
   * profile may be emitted; connections whose profile lacks it are not sent it, and the run
   * report says so); a profile: forced on every connection (types it lacks are refused at load).
   */
  readonly profile: ScenarioProfile;
  /** The seed written in the file; the player picks (and reports) one when absent. */
  readonly seed?: number;
  readonly defaults: ScenarioDefaults;
  readonly options: ScenarioOptions;
  readonly steps: readonly Step[];
  /** Settings of extensions (steps/extensions.ts), by their top-level key (`ncmp`). */
  readonly extensions: Readonly<Record<string, unknown>>;
  /**
   * The model files `schema:` names (docs/maapi.md), absolute (written relative to the file that
   * names them); they loaded, and the commit-diff changes/data were checked against them.
   */
  readonly schemaFiles?: readonly string[];
}

/** The default of `options.ack-timeout`. */
export const DEFAULT_ACK_TIMEOUT_MS = 5_000;
/** The default `within` of `await-subscribers`. */
export const DEFAULT_AWAIT_SUBSCRIBERS_MS = 10_000;
/** The default `for` of `expect-no-ack`. */
export const DEFAULT_NO_ACK_MS = 1_000;
/** The default `within` of `expect-violation`. */
export const DEFAULT_EXPECT_VIOLATION_MS = 1_000;
