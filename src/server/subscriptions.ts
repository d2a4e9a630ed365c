/**
 * Who receives what (PROTOCOL.md §10.1): a notification goes to a connection only when its type bit
 * is in the connection's mask; PROGRESS (bit 24) is a superset of COMMIT_PROGRESS (bit 16).
 */
import type { Ack } from '../codec/index.js';

/** The type and flag bits the server itself looks at (values of §10.1). */
export const BIT = {
  AUDIT: 1,
  COMMIT_DIFF: 16,
  HA_INFO: 64,
  HEARTBEAT: 8192,
  COMMIT_PROGRESS: 65536,
  AUDIT_SYNC: 131072,
  HEALTH_CHECK: 262144,
  STREAM_EVENT: 524288,
  HA_INFO_SYNC: 1048576,
  PROGRESS: 16777216,
  AUDIT_NETWORK: 268435456,
  AUDIT_NETWORK_SYNC: 536870912,
} as const;

/**
 * Whether a connection with `mask` receives a notification whose type bit is `bit` (§10.1).
 * Flag bits (TAKEOVER_SYSLOG, the sync flags) are never notification types, so they deliver nothing.
 * @example
 *   deliversTo(BIT.PROGRESS, BIT.COMMIT_PROGRESS) // true: PROGRESS is a superset
 */
export function deliversTo(mask: number, bit: number): boolean {
  if ((mask & bit) !== 0) return true;
  return bit === BIT.COMMIT_PROGRESS && (mask & BIT.PROGRESS) !== 0;
}

/**
 * The type bit the outer tuple carries for this connection (§10.1 [INF]): a transaction progress
 * event goes to a PROGRESS-only subscriber tagged PROGRESS; with both bits it keeps COMMIT_PROGRESS.
 */
export function outerBitFor(mask: number, bit: number): number {
  if (bit === BIT.COMMIT_PROGRESS && (mask & BIT.COMMIT_PROGRESS) === 0 && (mask & BIT.PROGRESS) !== 0) return BIT.PROGRESS;
  return bit;
}

/** The outcome of checking an ack against the mask of the connection that sent it (§12.4). */
export type AckMaskCheck = 'ok' | 'ack-unsubscribed' | 'ack-without-flag';

/**
 * Checks an ack against its sender's mask: the base type must be subscribed, and for audit,
 * audit-network and HA the sync flag too (§12.1, §12.4). A commit-diff ack needs no flag (§11.4).
 */
export function checkAckAgainstMask(ack: Ack, mask: number): AckMaskCheck {
  const [base, flag] = ackBits(ack);
  if ((mask & base) === 0) return 'ack-unsubscribed';
  if (flag !== 0 && (mask & flag) === 0) return 'ack-without-flag';
  return 'ok';
}

/** The base type bit and sync flag bit (0 when none) an ack answers. */
export function ackBits(ack: Ack): readonly [base: number, flag: number] {
  switch (ack.kind) {
    case 'diff-done':
      return [BIT.COMMIT_DIFF, 0];
    case 'audit-synced':
      return [BIT.AUDIT, BIT.AUDIT_SYNC];
    case 'audit-network-synced':
      return [BIT.AUDIT_NETWORK, BIT.AUDIT_NETWORK_SYNC];
    case 'ha-synced':
      return [BIT.HA_INFO, BIT.HA_INFO_SYNC];
    default: {
      const never: never = ack;
      throw new TypeError(`unknown ack ${JSON.stringify(never)}`);
    }
  }
}

/** The 31 bit values of §10.1 (bit 0 … bit 30). */
const ALL_BITS: readonly number[] = Array.from({ length: 31 }, (_, i) => 2 ** i);

/**
 * An index from type bit to the connections that receive it, in subscription order, so a fan-out to
 * 1,000 subscribers does not test 1,000 masks per notification.
 * @example
 *   const index = new SubscriptionIndex();
 *   index.add(7, BIT.COMMIT_DIFF | BIT.AUDIT);
 *   [...index.recipients(BIT.AUDIT)] // [7]
 */
export class SubscriptionIndex {
  readonly #byBit = new Map<number, Set<number>>();
  readonly #masks = new Map<number, number>();
  /** Registered connections per distinct mask (a handful of masks, however many connections), for {@link countWith}. */
  readonly #perMask = new Map<number, number>();
  static readonly #empty: ReadonlySet<number> = new Set<number>();

  /** Registers connection `id` with its mask (replacing an earlier registration). */
  add(id: number, mask: number): void {
    this.remove(id);
    this.#masks.set(id, mask);
    this.#perMask.set(mask, (this.#perMask.get(mask) ?? 0) + 1);
    for (const bit of ALL_BITS) {
      if (!deliversTo(mask, bit)) continue;
      let set = this.#byBit.get(bit);
      if (set === undefined) this.#byBit.set(bit, (set = new Set()));
      set.add(id);
    }
  }

  /** Forgets connection `id`. */
  remove(id: number): void {
    const mask = this.#masks.get(id);
    if (mask === undefined) return;
    this.#masks.delete(id);
    const n = (this.#perMask.get(mask) ?? 1) - 1;
    if (n === 0) this.#perMask.delete(mask);
    else this.#perMask.set(mask, n);
    for (const set of this.#byBit.values()) set.delete(id);
  }

  /** The mask of a registered connection. */
  maskOf(id: number): number | undefined {
    return this.#masks.get(id);
  }

  /**
   * How many registered connections have every bit of `mask` (0: all of them). Kept per distinct
   * mask, so a wait for N subscribers re-checked on every server event costs O(distinct masks),
   * not a rebuild of the subscriber list (which made 1,000 subscribers quadratic).
   */
  countWith(mask: number): number {
    if (mask === 0) return this.#masks.size;
    let n = 0;
    for (const [m, count] of this.#perMask) if ((m & mask) === mask) n += count;
    return n;
  }

  /** Registered connections. */
  get size(): number {
    return this.#masks.size;
  }

  /** The connections that receive type `bit`, in subscription order (a live view: copy before mutating the index). */
  recipients(bit: number): ReadonlySet<number> {
    return this.#byBit.get(bit) ?? SubscriptionIndex.#empty;
  }
}
