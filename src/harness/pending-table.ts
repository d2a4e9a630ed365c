/**
 * Formats the acks still outstanding as a readable table, for `assertNoPendingAcks()` (STYLE.md
 * §7 rule 8, after undici's pending-interceptors-formatter): a failing test should say at a glance
 * which subscriber owes which ack since when.
 */
import { formatAck, type Ack } from '../codec/index.js';

/** One ack a subscriber still owes (PROTOCOL.md §12). */
export interface PendingAckRow {
  /** The connection (= subscriber id) that owes it. */
  readonly connectionId: number;
  /** Where the subscriber connected from (`127.0.0.1:53012`, a socket path). */
  readonly peer?: string;
  /** The ack it owes. */
  readonly expected: Ack;
  /** `clock.now()` when the notification that needs it was sent. */
  readonly since: number;
  /** When the event-reply-timeout fires for it (§20); undefined when off. */
  readonly deadline: number | undefined;
}

/** Which notification an ack answers (§12.1), for the table's "after" column. */
function answeredKind(ack: Ack): string {
  switch (ack.kind) {
    case 'diff-done':
      return `commit-diff (th ${ack.th})`;
    case 'audit-synced':
      return `audit (usid ${ack.usid})`;
    case 'audit-network-synced':
      return `audit-network (usid ${ack.usid})`;
    case 'ha-synced':
      return 'ha-info';
    default: {
      const never: never = ack;
      return String(never);
    }
  }
}

function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `│ ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' │ ')} │`;
  const rule = (left: string, mid: string, right: string): string =>
    `${left}${widths.map((w) => '─'.repeat(w + 2)).join(mid)}${right}`;
  return [rule('┌', '┬', '┐'), line(header), rule('├', '┼', '┤'), ...rows.map(line), rule('└', '┴', '┘')].join('\n');
}

/**
 * The table `assertNoPendingAcks()` prints: one row per owed ack, oldest first.
 * @example
 *   formatPendingAcks([{ connectionId: 1, expected: { kind: 'diff-done', th: 17 }, since: 0, deadline: undefined }], 250)
 *   // 1 ack is still pending:
 *   // ┌────────────┬──────┬───────────┬──────────────────────┬─────────┬──────────┐
 *   // │ connection │ peer │ owes      │ after                │ waiting │ deadline │
 *   // ...
 */
export function formatPendingAcks(rows: readonly PendingAckRow[], now: number): string {
  if (rows.length === 0) return 'No acks are pending.';
  const sorted = [...rows].sort((a, b) => a.since - b.since || a.connectionId - b.connectionId);
  const table = renderTable(
    ['connection', 'peer', 'owes', 'after', 'waiting', 'deadline'],
    sorted.map((row) => [
      String(row.connectionId),
      row.peer ?? '-',
      formatAck(row.expected),
      answeredKind(row.expected),
      `${Math.max(0, now - row.since)} ms`,
      row.deadline === undefined ? 'none' : row.deadline <= now ? 'passed' : `in ${row.deadline - now} ms`,
    ]),
  );
  const count = rows.length === 1 ? '1 ack is' : `${rows.length} acks are`;
  return `${count} still pending:\n\n${table}`;
}
