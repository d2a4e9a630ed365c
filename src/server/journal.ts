import { DECODE_COST, decodeTerm, formatTerm, UsageError, type Term } from '../codec/index.js';

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
  | 'injected'
  /** A MAAPI request or reply (MAAPI.md §M1.2): its term, its bytes and a note naming the op. */
  | 'maapi'
  /** A notification this connection subscribed to was not sent (its profile lacks it, or it could not be encoded); `note` says why. */
  | 'not-sent';

/** One frame or unframed message in or out of a connection. */
export interface JournalEntry {
  /** Position in the journal since the server started (never reused, survives eviction). */
  readonly seq: number;
  /** `clock.now()` when it was read or queued for writing. */
  readonly time: number;
  readonly connectionId: number;
  readonly direction: 'in' | 'out';
  readonly kind: JournalEntryKind;
  /**
   * The decoded term of a frame (`kind: 'frame'`) of at most {@link JOURNAL_TERM_BYTES} on the wire.
   * Shared between entries; do not mutate. A larger frame's term is not kept: see `preview`.
   */
  readonly term?: Term;
  /** A larger frame's term in Erlang syntax, cut at {@link JOURNAL_PREVIEW_CHARS} characters (its `term` is not kept). */
  readonly preview?: string;
  /** Bytes of the message on the wire (a frame's payload, without its length prefix), when known. */
  readonly size?: number;
  /** The first {@link JOURNAL_RAW_BYTES} bytes of unframed messages, bad frames and large sent frames. */
  readonly raw?: Uint8Array;
  /** Why a bad frame was rejected, or why a notification was not sent (`not-sent`). */
  readonly note?: string;
}

/** The fields a caller provides; the journal adds `seq` (and `preview` when it does not keep a term). */
export type JournalRecord = Omit<JournalEntry, 'seq' | 'preview'>;

/** The most bytes of a raw message the journal keeps (a 16 MiB garbage frame must not be retained). */
export const JOURNAL_RAW_BYTES = 1024;
/**
 * Received frames larger than this on the wire, or whose term holds more than this in memory, are
 * journaled without their term: a preview, the size (and, for bad frames, the first raw bytes).
 */
export const JOURNAL_TERM_BYTES: number = 64 * 1024;
/** The length of the preview of a term the journal does not keep. */
export const JOURNAL_PREVIEW_CHARS = 512;
/** The longest note kept (longer ones are cut). */
const JOURNAL_NOTE_CHARS = 1024;
/** What an entry costs besides its bytes (its columns, the entry object when read). */
const ENTRY_OVERHEAD_BYTES = 96;
/** Default of {@link JournalOptions.maxBytes}. */
export const DEFAULT_JOURNAL_MAX_BYTES: number = 64 * 1024 * 1024;

/**
 * The memory a term holds, estimated as the decoder's budget charges it (codec `DECODE_COST`),
 * counted only up to `limit` (the walk stops there, so it costs at most ~limit/48 visits).
 */
function termCostUpTo(term: Term, limit: number): number {
  const stack: Term[] = [term];
  let cost = 0;
  while (stack.length > 0 && cost < limit) {
    const t = stack.pop()!;
    switch (t.kind) {
      case 'tuple':
        cost += DECODE_COST.term + DECODE_COST.slot * t.elements.length;
        for (const e of t.elements) stack.push(e);
        break;
      case 'list':
        cost += DECODE_COST.term + DECODE_COST.slot * t.elements.length;
        for (const e of t.elements) stack.push(e);
        stack.push(t.tail);
        break;
      case 'map':
        cost += DECODE_COST.term + DECODE_COST.entry * t.entries.length;
        for (const [k, v] of t.entries) stack.push(k, v);
        break;
      case 'binary':
      case 'bitstring':
        cost += DECODE_COST.term + t.bytes.length;
        break;
      case 'atom':
        cost += DECODE_COST.term + t.name.length;
        break;
      case 'nil':
        break;
      default:
        cost += DECODE_COST.term;
    }
  }
  return cost;
}

/** Options of a {@link Journal}. */
export interface JournalOptions {
  /**
   * The most bytes the held entries may take, estimated: per entry its raw bytes, note and preview,
   * plus the wire size of a kept term and a fixed overhead. The oldest entries are dropped to stay
   * under it (counted in `dropped`). Default 64 MiB.
   */
  readonly maxBytes?: number;
}

/** The journal's counters (harness `journalStats`, control API `GET /journal/stats`). */
export interface JournalStats {
  /** Entries held now. */
  readonly held: number;
  /** Entries ever recorded. */
  readonly total: number;
  /** Entries dropped to stay within the entry limit or the byte cap (oldest first), since the server started. */
  readonly dropped: number;
  /** Estimated bytes the held entries take. */
  readonly bytes: number;
  /** The byte cap. */
  readonly maxBytes: number;
  /** The entry limit. */
  readonly limit: number;
}

const KINDS: readonly JournalEntryKind[] = ['header', 'challenge', 'challenge-response', 'access-result', 'version-reply', 'frame', 'bad-frame', 'injected', 'maapi', 'not-sent'];
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
 *
 * Memory is bounded twice: by entries (`limit`) and by bytes (`maxBytes`, estimated). A frame over
 * {@link JOURNAL_TERM_BYTES} keeps no term, only its size, a preview and its first
 * {@link JOURNAL_RAW_BYTES} bytes; raw bytes and notes are cut; when the bytes of the held entries
 * would pass `maxBytes`, the oldest are dropped and counted (`dropped`).
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
  #preview: (string | undefined)[];
  readonly #size: Float64Array;
  /** Estimated bytes of each slot's entry. */
  readonly #cost: Float64Array;
  #next = 0;
  #held = 0;
  #total = 0;
  #dropped = 0;
  #bytes = 0;
  /** The byte cap (see {@link JournalOptions.maxBytes}). */
  readonly maxBytes: number;
  #clearedAt = 0;

  /** @throws UsageError `NSOMOCK_USAGE` when `limit` is not a non-negative integer (0 disables recording) or `maxBytes` is negative. */
  constructor(limit: number, options?: JournalOptions) {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new UsageError('NSOMOCK_USAGE', `Failed to create the journal: limit must be a non-negative integer, got ${limit} (Journal)`, { details: { option: 'limit', value: limit } });
    }
    const maxBytes = options?.maxBytes ?? DEFAULT_JOURNAL_MAX_BYTES;
    if (!(maxBytes >= 0)) {
      throw new UsageError('NSOMOCK_USAGE', `Failed to create the journal: maxBytes must be a non-negative number, got ${maxBytes} (Journal)`, { details: { option: 'maxBytes', value: maxBytes } });
    }
    this.maxBytes = maxBytes;
    this.limit = limit;
    this.#preview = new Array<string | undefined>(limit).fill(undefined);
    this.#size = new Float64Array(limit).fill(-1);
    this.#cost = new Float64Array(limit);
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

  /** Entries dropped (oldest first) to stay within `limit` or `maxBytes`. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Estimated bytes of the held entries (at most `maxBytes`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The counters, in one object. */
  stats(): JournalStats {
    return { held: this.#held, total: this.#total, dropped: this.#dropped, bytes: this.#bytes, maxBytes: this.maxBytes, limit: this.limit };
  }

  /** Whether recording does anything (a limit of 0 turns the journal off, e.g. for benchmarks). */
  get enabled(): boolean {
    return this.limit > 0;
  }

  /**
   * Appends an entry, evicting the oldest when full. Raw bytes are copied and capped at
   * {@link JOURNAL_RAW_BYTES}; a term of a frame whose `size` is over {@link JOURNAL_TERM_BYTES} is
   * kept as a preview only.
   */
  record(entry: JournalRecord): void {
    this.add(entry.time, entry.connectionId, entry.direction, entry.kind, entry.term, entry.raw, entry.note, entry.size);
  }

  /** {@link record} without an argument object (the per-frame hot path). `size`: the message's bytes on the wire. */
  add(time: number, connectionId: number, direction: 'in' | 'out', kind: JournalEntryKind, term?: Term, raw?: Uint8Array, note?: string, size?: number): void {
    if (this.limit === 0) return;
    let kept = term;
    let preview: string | undefined;
    // What the term holds in memory, not its wire size: 40 KB of empty tuples is ~1 MB of objects.
    const termBytes = term === undefined ? 0 : termCostUpTo(term, JOURNAL_TERM_BYTES + 1);
    if (term !== undefined && ((size !== undefined && size > JOURNAL_TERM_BYTES) || termBytes > JOURNAL_TERM_BYTES)) {
      kept = undefined;
      preview = formatTerm(term, { maxLength: JOURNAL_PREVIEW_CHARS });
    }
    const rawKept = raw === undefined ? undefined : raw.slice(0, JOURNAL_RAW_BYTES);
    const noteKept = note === undefined || note.length <= JOURNAL_NOTE_CHARS ? note : `${note.slice(0, JOURNAL_NOTE_CHARS - 1)}…`;
    const cost =
      ENTRY_OVERHEAD_BYTES +
      (rawKept?.length ?? 0) +
      2 * ((noteKept?.length ?? 0) + (preview?.length ?? 0)) +
      (kept === undefined ? 0 : termBytes);
    const i = this.#slot(cost);
    if (i < 0) return;
    this.#time[i] = time;
    this.#connection[i] = connectionId;
    this.#flags[i] = (direction === 'out' ? 0x80 : 0) | KIND_CODE[kind];
    this.#term[i] = kept;
    this.#frameBuffer[i] = undefined;
    this.#raw[i] = rawKept;
    this.#note[i] = noteKept;
    this.#preview[i] = preview;
    this.#size[i] = size ?? raw?.length ?? -1;
    this.#advance(i);
  }

  /**
   * Records a complete frame (4-byte length prefix and term, §5) the server encoded itself. The
   * bytes are referenced, not copied (an encoded frame is never written to again, STYLE.md §6
   * "one growable writer per encode"), and the entry's `term` is decoded from them on first read.
   */
  addFrame(time: number, connectionId: number, direction: 'in' | 'out', frame: Uint8Array): void {
    if (this.limit === 0) return;
    // The server's own frame, whatever its size (what it sent is what the user emitted, and the
    // conformance runner compares it with what the client decoded): held by reference and charged
    // its bytes against maxBytes, so large ones push older entries out rather than add up.
    const size = frame.byteLength - 4;
    const i = this.#slot(ENTRY_OVERHEAD_BYTES + size);
    if (i < 0) return;
    this.#time[i] = time;
    this.#connection[i] = connectionId;
    this.#flags[i] = (direction === 'out' ? 0x80 : 0) | FRAME_CODE;
    this.#term[i] = undefined;
    this.#frameBuffer[i] = frame.buffer;
    this.#frameOffset[i] = frame.byteOffset;
    this.#frameLength[i] = frame.byteLength;
    this.#raw[i] = undefined;
    this.#note[i] = undefined;
    this.#preview[i] = undefined;
    this.#size[i] = size;
    this.#advance(i);
  }

  /**
   * The slot for a new entry of `cost` bytes: the oldest entries are dropped until it fits under
   * maxBytes (and the slot it takes, when the ring is full). Returns the slot, already charged, or
   * -1 when the entry alone is over maxBytes: then it is dropped too (after everything older).
   */
  #slot(cost: number): number {
    const i = this.#next;
    if (cost > this.maxBytes) {
      while (this.#held > 0) this.#evictOldest();
      this.#total += 1;
      this.#dropped += 1;
      return -1;
    }
    if (this.#held === this.limit) this.#evictOldest();
    while (this.#held > 0 && this.#bytes + cost > this.maxBytes) this.#evictOldest();
    this.#cost[i] = cost;
    this.#bytes += cost;
    return i;
  }

  /** Drops the oldest held entry. */
  #evictOldest(): void {
    const o = (this.#next - this.#held + this.limit) % this.limit;
    this.#bytes -= this.#cost[o] ?? 0;
    this.#cost[o] = 0;
    this.#term[o] = undefined;
    this.#frameBuffer[o] = undefined;
    this.#raw[o] = undefined;
    this.#note[o] = undefined;
    this.#preview[o] = undefined;
    this.#held -= 1;
    this.#dropped += 1;
  }

  #advance(i: number): void {
    this.#next = i + 1 === this.limit ? 0 : i + 1;
    this.#held += 1;
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
      const preview = this.#preview[i];
      const size = this.#size[i] ?? -1;
      out.push({
        seq: this.#total - n + k,
        time: this.#time[i] ?? 0,
        connectionId: conn,
        direction: (flags & 0x80) !== 0 ? 'out' : 'in',
        kind: KINDS[flags & 0x7f] ?? 'frame',
        ...(term === undefined ? {} : { term }),
        ...(preview === undefined ? {} : { preview }),
        ...(size < 0 ? {} : { size }),
        ...(raw === undefined ? {} : { raw }),
        ...(note === undefined ? {} : { note }),
      });
    }
    return out;
  }

  /** Forgets every held entry (`total` and `dropped` keep counting). */
  clear(): void {
    this.#preview = new Array<string | undefined>(this.limit).fill(undefined);
    this.#cost.fill(0);
    this.#bytes = 0;
    this.#term = new Array<Term | undefined>(this.limit).fill(undefined);
    this.#frameBuffer = new Array<ArrayBufferLike | undefined>(this.limit).fill(undefined);
    this.#raw = new Array<Uint8Array | undefined>(this.limit).fill(undefined);
    this.#note = new Array<string | undefined>(this.limit).fill(undefined);
    this.#next = 0;
    this.#held = 0;
    this.#clearedAt = this.#total;
  }
}
