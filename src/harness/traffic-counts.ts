/**
 * Verification in WireMock's `verify` style: how many notifications of each type were sent, and how
 * many of them were acked (PROTOCOL.md §12), optionally for one type, one connection, and since an
 * offset. Counted from the server's journal (every frame out, in order, numbered by `seq`), so the
 * counts are what went on the wire, and a count that the journal can no longer give in full is
 * refused rather than given short.
 */
import { notificationFromTerm, type Ack, type NotificationType } from '../codec/index.js';
import type { AckEvent, MockServer } from '../server/index.js';
import { HarnessError } from './errors.js';

/** Filters of {@link TrafficCounter.count}; every one given must hold. */
export interface CountFilter {
  /** Only this notification type (`sent` and `acked` then have at most this key). */
  readonly type?: NotificationType;
  /** Only this connection. */
  readonly connection?: number;
  /**
   * Only traffic from this journal offset on (a journal entry's `seq`, or the `next` of an earlier
   * count). Default: everything since the last reset. Counts never reach back before a reset.
   */
  readonly since?: number;
}

/** What {@link TrafficCounter.count} answers. */
export interface TrafficCounts {
  /** The first offset counted. */
  readonly since: number;
  /** The offset to pass as `since` to count only what comes after this answer. */
  readonly next: number;
  /** Notifications written, per type (heartbeats and health checks included); types with none are absent. */
  readonly sent: Readonly<Partial<Record<NotificationType, number>>>;
  /**
   * Acks that settled a notification, per type of the notification (`{TH, done}` counts for
   * commit-diff, `{Usid, synced}` for audit, `{Usid, audit_network_sync}` for audit-network,
   * `ha_synced` for ha-info).
   */
  readonly acked: Readonly<Partial<Record<NotificationType, number>>>;
  /** Acks that settled nothing (wrong, unknown, duplicate, late: each also a violation). */
  readonly unmatchedAcks: number;
  /** Frames written that are not notifications: the subscription reply `ok` and error replies (§8.4). */
  readonly otherFrames: number;
}

const ACKED_TYPE: Readonly<Record<Ack['kind'], NotificationType>> = {
  'diff-done': 'commit-diff',
  'audit-synced': 'audit',
  'audit-network-synced': 'audit-network',
  'ha-synced': 'ha-info',
};

interface AckRecord {
  /** The journal seq of the ack's frame. */
  readonly seq: number;
  readonly connectionId: number;
  readonly type: NotificationType;
  readonly matched: boolean;
}

/**
 * Counts a server's traffic. `startNsoMock()` hands one out behind `mock.count()`; the control
 * API's `GET /counts` uses the same one.
 * @example
 *   const before = mock.count();
 *   await mock.emit({ type: 'commit-diff', th: 7 });
 *   mock.count({ type: 'commit-diff', since: before.next }); // { sent: { 'commit-diff': 1 }, acked: { 'commit-diff': 1 }, … }
 */
export class TrafficCounter {
  readonly #server: MockServer;
  #acks: AckRecord[] = [];
  readonly #off: () => void;

  constructor(server: MockServer) {
    this.#server = server;
    const onAck = (e: AckEvent): void => {
      const journal = this.#server.journal;
      if (!journal.enabled) return;
      // The ack's frame was journaled just before the server reported it (connection.ts #pump).
      this.#acks.push({ seq: journal.total - 1, connectionId: e.connectionId, type: ACKED_TYPE[e.ack.kind], matched: e.result === 'matched' });
      // Acks older than the journal's oldest entry can never be counted again: drop them.
      if (this.#acks.length > journal.limit && (this.#acks[0]?.seq ?? 0) < journal.firstHeld) this.#acks = this.#acks.filter((a) => a.seq >= journal.firstHeld);
    };
    server.on('ack', onAck);
    this.#off = () => server.off('ack', onAck);
  }

  /**
   * Counts what was sent and acked, by notification type.
   * @throws HarnessError `NSOMOCK_HARNESS_COUNT_INCOMPLETE` when the journal no longer holds every
   *   entry since the offset (more traffic than the server's `journalLimit` since then; count
   *   more often with `since`, or raise the limit), or is off (`journalLimit: 0`).
   * @example
   *   expect(mock.count({ type: 'commit-diff' })).toMatchObject({ sent: { 'commit-diff': 3 }, acked: { 'commit-diff': 3 } });
   */
  count(filter: CountFilter = {}): TrafficCounts {
    const journal = this.#server.journal;
    const next = journal.total;
    const since = Math.max(filter.since ?? 0, journal.clearedAt);
    if (!journal.enabled && next > since) {
      throw new HarnessError('NSOMOCK_HARNESS_COUNT_INCOMPLETE', 'Failed to count the traffic: the journal is off (journalLimit 0), so nothing was recorded', {
        details: { since, firstHeld: journal.firstHeld },
      });
    }
    if (since < journal.firstHeld) {
      throw new HarnessError(
        'NSOMOCK_HARNESS_COUNT_INCOMPLETE',
        `Failed to count the traffic since offset ${since}: the journal holds entries from ${journal.firstHeld} on (${journal.firstHeld - since} evicted, journalLimit ${journal.limit}); count with a later since, or raise journalLimit`,
        { details: { since, firstHeld: journal.firstHeld } },
      );
    }
    const sent: Partial<Record<NotificationType, number>> = {};
    const acked: Partial<Record<NotificationType, number>> = {};
    let otherFrames = 0;
    for (const e of journal.entries(filter.connection)) {
      if (e.seq < since || e.direction !== 'out' || e.kind !== 'frame' || e.term === undefined) continue;
      let type: NotificationType;
      try {
        type = notificationFromTerm(e.term).type;
      } catch {
        if (filter.type === undefined) otherFrames += 1;
        continue;
      }
      if (filter.type !== undefined && type !== filter.type) continue;
      sent[type] = (sent[type] ?? 0) + 1;
    }
    let unmatchedAcks = 0;
    for (const a of this.#acks) {
      if (a.seq < since || a.seq >= next) continue;
      if (filter.connection !== undefined && a.connectionId !== filter.connection) continue;
      if (filter.type !== undefined && a.type !== filter.type) continue;
      if (a.matched) acked[a.type] = (acked[a.type] ?? 0) + 1;
      else unmatchedAcks += 1;
    }
    return { since, next, sent, acked, unmatchedAcks, otherFrames };
  }

  /** Stops following the server. */
  detach(): void {
    this.#off();
  }
}
