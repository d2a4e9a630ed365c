import type { Term } from '../codec/index.js';

/** What a journal entry records. */
export type JournalEntryKind =
  /** The 9-byte connect header (§2), raw. */
  | 'header'
  /** The IPC access-check challenge (§3.2), raw. */
  | 'challenge'
  /** The client's challenge response (§3.2), raw. */
  | 'challenge-response'
  /** The access-check result byte (§3.2), raw. */
  | 'access-result'
  /** The 9-byte version reply (§4), raw. */
  | 'version-reply'
  /** A complete frame (§5) whose payload decoded to `term`. */
  | 'frame'
  /** Bytes that could not be read as a frame or term; `raw` holds (a prefix of) them. */
  | 'bad-frame'
  /** Bytes written by fault injection (`inject()`, a truncated frame), raw. */
  | 'injected';

/** One frame or unframed message in or out of a connection. */
export interface JournalEntry {
  /** Position in the journal since the server started (never reused, survives eviction). */
  readonly seq: number;
  /** `clock.now()` when it was read or queued for writing. */
  readonly time: number;
  readonly connectionId: number;
  readonly direction: 'in' | 'out';
  readonly kind: JournalEntryKind;
  /** The decoded term of a frame (`kind: 'frame'`). Shared between entries; do not mutate. */
  readonly term?: Term;
  /** The bytes of unframed messages and of bad frames (at most 256 bytes are kept). */
  readonly raw?: Uint8Array;
  /** Why a bad frame was rejected. */
  readonly note?: string;
}

/** The fields a caller provides; the journal adds `seq`. */
export type JournalRecord = Omit<JournalEntry, 'seq'>;

/** The most bytes of a raw message the journal keeps (a 16 MiB garbage frame must not be retained). */
export const JOURNAL_RAW_BYTES = 256;

/**
 * A bounded ring of the most recent {@link JournalEntry} values. Recording is O(1) and never
 * allocates beyond the entry itself: the ring is a fixed array overwritten in place, so a server
 * that runs for days holds at most `limit` entries.
 * @example
 *   const journal = new Journal(1000);
 *   journal.record({ time: 0, connectionId: 1, direction: 'in', kind: 'frame', term });
 *   journal.entries(); // oldest first
 */
export class Journal {
  readonly limit: number;
  #ring: (JournalEntry | undefined)[];
  #next = 0;
  #held = 0;
  #total = 0;

  /** @throws RangeError when `limit` is not a non-negative integer (0 disables recording). */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`journal limit must be a non-negative integer, got ${limit}`);
    this.limit = limit;
    this.#ring = new Array<JournalEntry | undefined>(limit);
  }

  /** Entries ever recorded, including evicted ones. */
  get total(): number {
    return this.#total;
  }

  /** Entries currently held (at most `limit`). */
  get size(): number {
    return this.#held;
  }

  /** Whether recording does anything (a limit of 0 turns the journal off, e.g. for benchmarks). */
  get enabled(): boolean {
    return this.limit > 0;
  }

  /** Appends an entry, evicting the oldest when full. Raw bytes are copied and capped at {@link JOURNAL_RAW_BYTES}. */
  record(entry: JournalRecord): void {
    if (this.limit === 0) return;
    const raw = entry.raw === undefined ? undefined : entry.raw.slice(0, JOURNAL_RAW_BYTES);
    const stored: JournalEntry = raw === undefined ? { seq: this.#total, ...entry } : { seq: this.#total, ...entry, raw };
    this.#ring[this.#next] = stored;
    this.#next = (this.#next + 1) % this.limit;
    if (this.#held < this.limit) this.#held += 1;
    this.#total += 1;
  }

  /** The held entries, oldest first, optionally only those of one connection. */
  entries(connectionId?: number): JournalEntry[] {
    const out: JournalEntry[] = [];
    const n = this.#held;
    const start = (this.#next - n + this.limit) % this.limit;
    for (let i = 0; i < n; i += 1) {
      const e = this.#ring[(start + i) % this.limit];
      if (e !== undefined && (connectionId === undefined || e.connectionId === connectionId)) out.push(e);
    }
    return out;
  }

  /** Forgets every held entry (`total` keeps counting). */
  clear(): void {
    this.#ring = new Array<JournalEntry | undefined>(this.limit);
    this.#next = 0;
    this.#held = 0;
  }
}
