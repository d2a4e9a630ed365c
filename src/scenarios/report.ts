/**
 * The result of playing a scenario: what each step did, what each connection received, which acks
 * arrived and how fast, which violations occurred, and whether the run passed. Plain JSON data
 * (the CLI writes it as the `--report` file; times are ms relative to the run start, so reports of
 * runs on a manual clock are reproducible).
 */
import type { NotificationType, Profile } from '../codec/index.js';
// Type-only: the player never loads src/ncmp for the report; the NCMP extension's step module does that.
import type { NcmpRunReport } from '../ncmp/index.js';
import type { ViolationCode } from '../server/index.js';

/** How a step ended. */
export type StepStatus = 'passed' | 'failed' | 'skipped' | 'aborted';

/** One step's outcome. */
export interface StepReport {
  /** `steps[3].repeat.steps[0]`. */
  readonly path: string;
  readonly kind: string;
  readonly name?: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly status: StepStatus;
  /** ms since the run started. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** Why it failed, in words. */
  readonly error?: string;
  /** repeat: iterations completed. */
  readonly iterations?: number;
  /** sequence, parallel, repeat (the last iteration, or the failing one). */
  readonly children?: readonly StepReport[];
}

/** What one connection received and did during the run. */
export interface ConnectionReport {
  readonly id: number;
  /** The subscription mask, when it subscribed during the run. */
  readonly mask?: number;
  /** ms since the run started. */
  readonly subscribedAt?: number;
  /** Notifications written to it by the player's steps, by type (periodic heartbeats excluded). */
  readonly delivered: Readonly<Partial<Record<NotificationType, number>>>;
  readonly deliveredTotal: number;
  readonly acks: number;
  readonly violations: number;
  /** ms since the run started, when it closed during the run. */
  readonly closedAt?: number;
  readonly closeReason?: string;
}

/** One ack received. */
export interface AckRecord {
  readonly connectionId: number;
  /** In Erlang syntax, as the client sent it: `{1001,done}`, `{42,synced}`, `ha_synced`. */
  readonly ack: string;
  /** The server's verdict: matched, or why not (PROTOCOL.md §12.4). */
  readonly result: string;
  /** ms since the run started. */
  readonly at: number;
  /** ms from the delivery of the notification it answers, when it matched one the player sent. */
  readonly latencyMs?: number;
}

/** A violation during the run. */
export interface ViolationRecord {
  readonly code: ViolationCode;
  readonly connectionId: number;
  readonly expected: string;
  readonly actual: string;
  /** ms since the run started. */
  readonly at: number;
  readonly closed: boolean;
  /** Whether an `expect-violation` step asked for it (then it does not fail the run). */
  readonly wanted: boolean;
}

/** An ack still owed when the run ended. */
/** A MAAPI call a client made during the run (docs/maapi.md). */
export interface MaapiCallRecord {
  readonly connectionId: number;
  /** Short op name: attach, diff-iterate, get-elem, detach… (`op-150` outside the subset). */
  readonly op: string;
  readonly th?: number;
  readonly ok: boolean;
  /** The error code of an error reply (MAAPI.md §M1.3). */
  readonly code?: number;
  readonly detail?: string;
  /** ms since the run started. */
  readonly at: number;
}

export interface PendingAckRecord {
  readonly connectionId: number;
  readonly ack: string;
  /** ms since the run started, when the notification was delivered. */
  readonly since: number;
}

/** A notification not sent to one subscriber of its type, and why. */
export interface NotSentRecord {
  /** ms since the run started. */
  readonly at: number;
  readonly connectionId: number;
  readonly type: NotificationType;
  readonly reason: 'profile' | 'unencodable';
  /** `audit-network not sent to connection 3: its client speaks NSO 5.7, protocol 77 (profile nso57); ...` */
  readonly message: string;
}

/** The whole run. */
export interface RunReport {
  readonly scenario: string;
  readonly file?: string;
  /** `auto` (per connection, from its client's protocol version) or the profile forced on every connection. */
  readonly profile: Profile | 'auto';
  /** The seed every random choice came from (give it back with `--seed` to reproduce). */
  readonly seed: number;
  readonly status: 'passed' | 'failed' | 'aborted';
  /** ISO-8601, from the run's clock. */
  readonly startedAt: string;
  readonly durationMs: number;
  readonly steps: readonly StepReport[];
  readonly connections: readonly ConnectionReport[];
  readonly acks: readonly AckRecord[];
  readonly violations: readonly ViolationRecord[];
  readonly pendingAcks: readonly PendingAckRecord[];
  /** Every reason the run failed, one line each. */
  readonly failures: readonly string[];
  /**
   * Notifications a subscriber of their type was not sent (at most the first 1000; `totals.notSent`
   * counts all): `profile` when its client's profile lacks the type or variant (not a failure),
   * `unencodable` when encoding failed at emit time (a failure, also in `failures`).
   */
  readonly notSent: readonly NotSentRecord[];
  /** Lines written by `log` steps. */
  readonly log: readonly { readonly at: number; readonly message: string }[];
  /**
   * The NCMP event family's part (docs/ncmp.md): the records the run appended, per topic. Present
   * when the run played on an NCMP engine; `startNsoMock().play()` and the CLI's `run` add it,
   * `playScenario` alone leaves it out (it does not know the engine's logs before the run).
   */
  readonly ncmp?: NcmpRunReport;
  /** MAAPI calls made during the run, oldest first, when the run had a MAAPI server (docs/maapi.md). */
  readonly maapi?: readonly MaapiCallRecord[];
  /** Counts for a summary. */
  readonly totals: {
    readonly steps: number;
    readonly passed: number;
    readonly failed: number;
    readonly skipped: number;
    readonly notifications: number;
    readonly acks: number;
    readonly violations: number;
    /** Notifications not sent to a subscriber of their type (every one, also past the 1000 kept in `notSent`). */
    readonly notSent: number;
  };
}
