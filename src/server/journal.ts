import { decodeTerm, type Term } from '../codec/index.js';

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

const KINDS: readonly JournalEntryKind[] = ['header', 'challenge', 'challenge-response', 'access-result', 'version-reply', 'frame', 'bad-frame', 'injected'];
const KIND_CODE: Readonly<Record<JournalEntryKind, number>> = Object.fromEntries(KINDS.map((k, i) => [k, i])) as Record<JournalEntryKind, number>;
const FRAME_CODE = KIND_CODE.frame;

/**
 * A bounded ring of the most recent {@link JournalEntry} values. Recording is O(1) and allocates
 * nothing: the ring is a set of fixed columns (typed arrays for numbers, plain arrays for terms and
 * bytes) overwritten in place, and entry objects are only built when `entries()` reads them. A
 * server that runs for days, or sends a million notifications a second, holds at most `limit` entries.
 *
 * Frames the server sends are kept as their encoded bytes ({@link addFrame}) and decoded when first
 * read: holding the term of each of the last `limit` fresh notifications kept ~8 objects apiece
 * alive past the young generation, which made garbage collection most of the cost of an emit loop
 * (bench/server.bench.ts, fresh input: 0.5 M/s with terms, ≥ 1 M/s with frames).
 * @example
 *   const journal = new Journal(1000);
 *   journal.record({ time: 0, connectionId: 1, direction: 'in', kind: 'frame', term });
 *   journal.entries(); // oldest first
 */
export class Journal {
  readonly limit: number;
  readonly #time: Float64Array;
  readonly #connection: Float64Array;
  /** bit 7: direction out; low bits: kind code. */
  readonly #flags: Uint8Array;
  #term: (Term | undefined)[];
  /**
   * Encoded frames (length prefix included) whose term has not been read yet, as buffer, offset
   * and length: a frame is a view on the encoder's shared slab, so consecutive entries share one
   * buffer and recording keeps no object per frame alive.
   */
  #frameBuffer: (ArrayBufferLike | undefined)[];
  readonly #frameOffset: Float64Array;
  readonly #frameLength: Float64Array;
  #raw: (Uint8Array | undefined)[];
  #note: (string | undefined)[];
  #next = 0;
  #held = 0;
  #total = 0;
  #clearedAt = 0;

  /** @throws RangeError when `limit` is not a non-negative integer (0 disables recording). */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`journal limit must be a non-negative integer, got ${limit}`);
    this.limit = limit;
    this.#time = new Float64Array(limit);
    this.#connection = new Float64Array(limit);
    this.#flags = new Uint8Array(limit);
    this.#term = new Array<Term | undefined>(limit).fill(undefined);
    this.#frameBuffer = new Array<ArrayBufferLike | undefined>(limit).fill(undefined);
    this.#frameOffset = new Float64Array(limit);
    this.#frameLength = new Float64Array(limit);
    this.#raw = new Array<Uint8Array | undefined>(limit).fill(undefined);
    this.#note = new Array<string | undefined>(limit).fill(undefined);
  }

  /** Entries ever recorded, including evicted ones. */
  get total(): number {
    return this.#total;
  }

  /** The `seq` of the oldest entry held (`total` when none is). */
  get firstHeld(): number {
    return this.#total - this.#held;
  }

  /** The `seq` of the first entry recorded after the last `clear()` (0 before any). */
  get clearedAt(): number {
    return this.#clearedAt;
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
    this.add(entry.time, entry.connectionId, entry.direction, entry.kind, entry.term, entry.raw, entry.note);
  }

  /** {@link record} without an argument object (the per-frame hot path). */
  add(time: number, connectionId: number, direction: 'in' | 'out', kind: JournalEntryKind, term?: Term, raw?: Uint8Array, note?: string): void {
    if (this.limit === 0) return;
    const i = this.#next;
    this.#time[i] = time;
    this.#connection[i] = connectionId;
    this.#flags[i] = (direction === 'out' ? 0x80 : 0) | KIND_CODE[kind];
    this.#term[i] = term;
    this.#frameBuffer[i] = undefined;
    this.#raw[i] = raw === undefined ? undefined : raw.slice(0, JOURNAL_RAW_BYTES);
    this.#note[i] = note;
    this.#advance(i);
  }

  /**
   * Records a complete frame (4-byte length prefix and term, §5) the server encoded itself. The
   * bytes are referenced, not copied (an encoded frame is never written to again, STYLE.md §6
   * "one growable writer per encode"), and the entry's `term` is decoded from them on first read.
   */
  addFrame(time: number, connectionId: number, direction: 'in' | 'out', frame: Uint8Array): void {
    if (this.limit === 0) return;
    const i = this.#next;
    this.#time[i] = time;
    this.#connection[i] = connectionId;
    this.#flags[i] = (direction === 'out' ? 0x80 : 0) | FRAME_CODE;
    this.#term[i] = undefined;
    this.#frameBuffer[i] = frame.buffer;
    this.#frameOffset[i] = frame.byteOffset;
    this.#frameLength[i] = frame.byteLength;
    this.#raw[i] = undefined;
    this.#note[i] = undefined;
    this.#advance(i);
  }

  #advance(i: number): void {
    this.#next = i + 1 === this.limit ? 0 : i + 1;
    if (this.#held < this.limit) this.#held += 1;
    this.#total += 1;
  }

  /** The term of slot `i`, decoding (once) a frame recorded by {@link addFrame}. */
  #termAt(i: number): Term | undefined {
    const term = this.#term[i];
    const buffer = this.#frameBuffer[i];
    if (term !== undefined || buffer === undefined) return term;
    // Our own encoding, so it decodes (the codec's decode∘encode = id property); the lenient
    // limits only matter for what a client sent, which is never recorded this way.
    const payload = new Uint8Array(buffer, (this.#frameOffset[i] ?? 0) + 4, (this.#frameLength[i] ?? 4) - 4);
    const decoded = decodeTerm(payload, { allowTrailingBytes: true });
    this.#term[i] = decoded;
    this.#frameBuffer[i] = undefined;
    return decoded;
  }

  /** The held entries, oldest first, optionally only those of one connection. */
  entries(connectionId?: number): JournalEntry[] {
    const out: JournalEntry[] = [];
    const n = this.#held;
    const start = (this.#next - n + this.limit) % this.limit;
    for (let k = 0; k < n; k += 1) {
      const i = (start + k) % this.limit;
      const conn = this.#connection[i] ?? 0;
      if (connectionId !== undefined && conn !== connectionId) continue;
      const flags = this.#flags[i] ?? 0;
      const term = this.#termAt(i);
      const raw = this.#raw[i];
      const note = this.#note[i];
      out.push({
        seq: this.#total - n + k,
        time: this.#time[i] ?? 0,
        connectionId: conn,
        direction: (flags & 0x80) !== 0 ? 'out' : 'in',
        kind: KINDS[flags & 0x7f] ?? 'frame',
        ...(term === undefined ? {} : { term }),
        ...(raw === undefined ? {} : { raw }),
        ...(note === undefined ? {} : { note }),
      });
    }
    return out;
  }

  /** Forgets every held entry (`total` keeps counting). */
  clear(): void {
    this.#term = new Array<Term | undefined>(this.limit).fill(undefined);
    this.#frameBuffer = new Array<ArrayBufferLike | undefined>(this.limit).fill(undefined);
    this.#raw = new Array<Uint8Array | undefined>(this.limit).fill(undefined);
    this.#note = new Array<string | undefined>(this.limit).fill(undefined);
    this.#next = 0;
    this.#held = 0;
    this.#clearedAt = this.#total;
  }
}
