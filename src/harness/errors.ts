/**
 * The harness's error class (STYLE.md §3): thrown only for misuse of the test API and for failed
 * harness assertions (a wait that timed out, acks still pending, a frame the unexpected-frame
 * policy treats as an error). A client's protocol mistake is never thrown by the server; the
 * harness turns it into a `HarnessError` only when a test asked for that (`emit()` of a
 * synchronous kind, the `'error'` policy).
 */
import { NsoMockError, type NsoMockErrorCode } from '../codec/index.js';
import type { PendingAckRow } from './pending-table.js';

/**
 * The codes a {@link HarnessError} carries: the harness's own, plus `NSOMOCK_SERVER_ACK_FAILED`
 * when `emit()` saw a handshake end without every ack.
 */
export type HarnessErrorCode = Extract<NsoMockErrorCode, `NSOMOCK_HARNESS_${string}`> | 'NSOMOCK_SERVER_ACK_FAILED';

/** What a {@link HarnessError} says in structured form. */
export interface HarnessErrorDetails {
  /** The acks still pending (`NSOMOCK_HARNESS_PENDING_ACKS`). */
  readonly pending?: readonly PendingAckRow[];
  /** How long the harness waited (`NSOMOCK_HARNESS_TIMEOUT`). */
  readonly waitedMs?: number;
  /** What was awaited, in words (`NSOMOCK_HARNESS_TIMEOUT`). */
  readonly awaiting?: string;
  /** The connection concerned, when there is one. */
  readonly connectionId?: number;
  /** The server's violation code behind the error (`NSOMOCK_HARNESS_UNEXPECTED_FRAME`, failed emits). */
  readonly violation?: string;
  /** The client under test's exit code or signal (`NSOMOCK_HARNESS_CLIENT_FAILED`). */
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  /** The offset asked for and the oldest one the journal still holds (`NSOMOCK_HARNESS_COUNT_INCOMPLETE`). */
  readonly since?: number;
  readonly firstHeld?: number;
}

/**
 * A failed harness assertion or wait.
 * @example
 *   try { mock.assertNoPendingAcks(); } catch (e) {
 *     if (e instanceof HarnessError && e.code === 'NSOMOCK_HARNESS_PENDING_ACKS') console.log(e.details.pending);
 *   }
 */
export class HarnessError extends NsoMockError<HarnessErrorDetails> {
  declare readonly code: HarnessErrorCode;

  /** @throws nothing; `code` must be one of the `NSOMOCK_HARNESS_*` codes. */
  constructor(code: HarnessErrorCode, message: string, options: { readonly details: HarnessErrorDetails; readonly cause?: unknown }) {
    super(code, message, options);
  }
}
