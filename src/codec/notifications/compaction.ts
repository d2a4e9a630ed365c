/**
 * Compaction — bit 1073741824 — PROTOCOL.md §11.19 [INF, low]: the flat
 * `{1073741824, DbFile, Type, FsStart, FsEnd, FsLast, TimeStart, Duration, NTrans}` of the 6.x
 * vector. Whether a real 6.x server nests the eight fields in one tuple instead is unknown (§19
 * item 2). NSO 6.x only; the 5.7 profile never emits it (§16).
 */
import { tuple, type Term } from '../term.js';
import { enumValue, intIn, NAT32, NAT64, onlyKeys, type NormalizeContext, record } from './input.js';
import { microsInput } from './progress.js';
import { at, bitTerm, intTerm, readInt, type PythonDict } from './layout.js';
import { COMPACTION_DBFILES, COMPACTION_EVENTS, NOTIF, type CompactionInput, type CompactionNotification } from './notification.js';

const FIELDS = ['dbfile', 'event', 'fsize_start', 'fsize_end', 'fsize_last', 'time_start', 'duration', 'ntrans'] as const;

/** The flat 9-tuple [INF]. */
export function compactionToTerm(n: CompactionNotification): Term {
  return tuple(bitTerm(NOTIF.COMPACTION), ...FIELDS.map((f) => intTerm(n[f])));
}

/** Reads the flat 9-tuple [INF]. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function compactionFromTerm(e: readonly Term[]): CompactionNotification {
  const v = (i: number): number => readInt(at(e, i + 1, FIELDS[i] ?? ''), FIELDS[i] ?? '');
  return {
    type: 'compaction',
    dbfile: v(0),
    event: v(1),
    fsize_start: v(2),
    fsize_end: v(3),
    fsize_last: v(4),
    time_start: v(5),
    duration: v(6),
    ntrans: v(7),
  };
}

/**
 * Defaults: `dbfile` a-cdb, `event` automatic, sizes 0, `time_start` now (µs; ISO text accepted),
 * `duration` 0, `ntrans` 0. Sizes and times are 0..2^53−1, `ntrans` 0..2^31−1.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeCompaction(input: CompactionInput, ctx: NormalizeContext): CompactionNotification {
  onlyKeys(record(input, ''), '', ['type', ...FIELDS]);
  return {
    type: 'compaction',
    dbfile: enumValue(COMPACTION_DBFILES, input.dbfile ?? 'a-cdb', 'dbfile'),
    event: enumValue(COMPACTION_EVENTS, input.event ?? 'automatic', 'event'),
    fsize_start: intIn(input.fsize_start ?? 0, 'fsize_start', NAT64),
    fsize_end: intIn(input.fsize_end ?? 0, 'fsize_end', NAT64),
    fsize_last: intIn(input.fsize_last ?? 0, 'fsize_last', NAT64),
    time_start: input.time_start === undefined ? ctx.nowMs * 1000 : microsInput(input.time_start, 'time_start'),
    duration: intIn(input.duration ?? 0, 'duration', NAT64),
    ntrans: intIn(input.ntrans ?? 0, 'ntrans', NAT32),
  };
}

/** Python `compaction`: the eight fields; the event is `type` [INF]. */
export function compactionPython(n: CompactionNotification): PythonDict {
  return {
    type: NOTIF.COMPACTION,
    compaction: {
      dbfile: n.dbfile,
      type: n.event,
      fsize_start: n.fsize_start,
      fsize_end: n.fsize_end,
      fsize_last: n.fsize_last,
      time_start: n.time_start,
      duration: n.duration,
      ntrans: n.ntrans,
    },
  };
}
