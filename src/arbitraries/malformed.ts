/**
 * Generators of broken traffic (STYLE.md §5 levels 1–2, PROTOCOL.md §17): truncated terms and
 * frames, bytes that are no tag, wrong version bytes, oversize and zero length prefixes, inner
 * lengths that overrun the input, trailing bytes, bad connect headers, re-chunking of valid
 * streams, and progress events delivered out of causal order.
 *
 * Every malformed value carries the codec error codes decoding it must raise and the §17
 * violation a strict mock reports, so one property covers every kind:
 * `expect(() => decodeFramed(m.bytes)).toThrow(expect.objectContaining({ code: oneOf(m.expectedCodes) }))`.
 */
import fc from 'fast-check';
import {
  binary,
  encodeTerm,
  int,
  list,
  NIL,
  Tag,
  tuple,
  type NsoMockErrorCode,
  type Term,
} from '../codec/index.js';
import { termArbitrary } from './term.js';

/** The kinds of malformed traffic. */
export type MalformedKind =
  | 'truncated-term'
  | 'truncated-frame'
  | 'wrong-tag'
  | 'bad-version'
  | 'oversize-length'
  | 'zero-length'
  | 'oversize-inner-length'
  | 'trailing-bytes'
  | 'bad-header';

/** Every {@link MalformedKind}. */
export const MALFORMED_KINDS: readonly MalformedKind[] = [
  'truncated-term',
  'truncated-frame',
  'wrong-tag',
  'bad-version',
  'oversize-length',
  'zero-length',
  'oversize-inner-length',
  'trailing-bytes',
  'bad-header',
];

/** The violation a strict mock reports for the bytes when a client sends them (PROTOCOL.md §17). */
export type MalformedViolation = 'bad-frame-length' | 'bad-term' | 'bad-header' | 'truncated';

/** One piece of malformed traffic. */
export interface MalformedBytes {
  readonly kind: MalformedKind;
  /**
   * The bytes as they travel on the socket: a 4-byte length prefix and payload for every framed
   * kind; the raw 9 header bytes for `bad-header`; for `truncated-frame` a frame cut short (the
   * connection must end after them).
   */
  readonly bytes: Uint8Array;
  /** The codec error code(s) that decoding `bytes` raises (as a frame, or as a connect header). */
  readonly expectedCodes: readonly NsoMockErrorCode[];
  /** What a strict mock reports (PROTOCOL.md §17). */
  readonly violation: MalformedViolation;
  /** One line saying what is wrong, for reports and shrunk scenarios. */
  readonly description: string;
}

/** Constraints shared by the malformed generators. */
export interface MalformedConstraints {
  /** The valid terms the malformed bytes are derived from (default: `termArbitrary({ maxDepth: 3 })`). */
  readonly base?: fc.Arbitrary<Term>;
  /** The receiver's frame limit; `oversize-length` prefixes exceed it (default 16 MiB, PROTOCOL.md §5). */
  readonly maxFrameBytes?: number;
}

const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

function baseTerms(constraints: MalformedConstraints): fc.Arbitrary<Term> {
  return constraints.base ?? termArbitrary({ maxDepth: 3 });
}

/** A 4-byte big-endian length prefix followed by `payload` (PROTOCOL.md §5). */
function framed(payload: Uint8Array, length: number = payload.length): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, length >>> 0);
  out.set(payload, 4);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const KNOWN_TAGS: ReadonlySet<number> = new Set<number>(Object.values(Tag));

/** Byte values that are no tag of erl_ext_dist (and not the version byte either, §6.1). */
export const NON_TAG_BYTES: readonly number[] = Array.from({ length: 256 }, (_, b) => b).filter(
  (b) => !KNOWN_TAGS.has(b) && b !== 131,
);

/**
 * A frame whose payload is a strict, non-empty prefix of a valid term: decoding fails with
 * `NSOMOCK_CODEC_TRUNCATED` (STYLE.md §5: every strict prefix must fail).
 * @example
 *   fc.sample(truncatedTerm(), 1)[0].expectedCodes // => ['NSOMOCK_CODEC_TRUNCATED']
 */
export function truncatedTerm(constraints: MalformedConstraints = {}): fc.Arbitrary<MalformedBytes> {
  return baseTerms(constraints)
    .map((term) => encodeTerm(term))
    .filter((bytes) => bytes.length > 2)
    .chain((bytes) =>
      fc.integer({ min: 1, max: bytes.length - 1 }).map(
        (keep): MalformedBytes => ({
          kind: 'truncated-term',
          bytes: framed(bytes.subarray(0, keep)),
          expectedCodes: ['NSOMOCK_CODEC_TRUNCATED'],
          violation: 'bad-term',
          description: `term cut after ${keep} of ${bytes.length} bytes`,
        }),
      ),
    );
}

/**
 * A frame cut short: the length prefix promises more bytes than follow. On a socket this is only
 * visible when the connection then ends (the receiver waits otherwise), so a scenario sends it
 * last, before a disconnect.
 */
export function truncatedFrame(constraints: MalformedConstraints = {}): fc.Arbitrary<MalformedBytes> {
  return baseTerms(constraints)
    .map((term) => framed(encodeTerm(term)))
    .chain((frame) =>
      fc.integer({ min: 1, max: frame.length - 1 }).map(
        (keep): MalformedBytes => ({
          kind: 'truncated-frame',
          bytes: frame.slice(0, keep),
          expectedCodes: ['NSOMOCK_CODEC_TRUNCATED'],
          violation: 'truncated',
          description: `frame cut after ${keep} of ${frame.length} bytes`,
        }),
      ),
    );
}

/**
 * A frame holding a tuple in which one element starts with a byte that is no tag: decoding
 * fails with `NSOMOCK_CODEC_UNKNOWN_TAG` at that element.
 */
export function wrongTag(constraints: MalformedConstraints = {}): fc.Arbitrary<MalformedBytes> {
  return fc
    .record({
      before: fc.array(baseTerms(constraints), { maxLength: 3 }),
      after: fc.array(baseTerms(constraints), { maxLength: 3 }),
      badTag: fc.constantFrom(...NON_TAG_BYTES),
      junk: fc.uint8Array({ maxLength: 8 }),
    })
    .map(({ before, after, badTag, junk }): MalformedBytes => {
      const arity = before.length + 1 + after.length;
      const body = (t: Term): Uint8Array => encodeTerm(t).subarray(1);
      const payload = concat([
        Uint8Array.of(131, Tag.SMALL_TUPLE_EXT, arity),
        ...before.map(body),
        Uint8Array.of(badTag),
        junk,
        ...after.map(body),
      ]);
      return {
        kind: 'wrong-tag',
        bytes: framed(payload),
        expectedCodes: ['NSOMOCK_CODEC_UNKNOWN_TAG'],
        violation: 'bad-term',
        description: `element ${before.length + 1} of ${arity} starts with 0x${badTag.toString(16).padStart(2, '0')}, which is no tag`,
      };
    });
}

/** A frame whose payload does not start with the version byte 131 (PROTOCOL.md §5). */
export function badVersion(constraints: MalformedConstraints = {}): fc.Arbitrary<MalformedBytes> {
  return fc
    .tuple(baseTerms(constraints), fc.integer({ min: 0, max: 255 }).filter((b) => b !== 131))
    .map(([term, version]): MalformedBytes => {
      const payload = encodeTerm(term).slice();
      payload[0] = version;
      return {
        kind: 'bad-version',
        bytes: framed(payload),
        expectedCodes: ['NSOMOCK_CODEC_BAD_VERSION'],
        violation: 'bad-term',
        description: `version byte ${version} instead of 131`,
      };
    });
}

/**
 * A length prefix above the receiver's `maxFrameBytes`, followed by a few payload bytes: the
 * receiver must refuse it as soon as the prefix is read, before buffering (PROTOCOL.md §17).
 */
export function oversizeLength(constraints: MalformedConstraints = {}): fc.Arbitrary<MalformedBytes> {
  const limit = constraints.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  return fc
    .tuple(fc.integer({ min: limit + 1, max: 0xffffffff }), fc.uint8Array({ maxLength: 16 }))
    .map(([length, tail]): MalformedBytes => ({
      kind: 'oversize-length',
      bytes: framed(concat([Uint8Array.of(131), tail]), length),
      expectedCodes: ['NSOMOCK_CODEC_FRAME_TOO_LARGE'],
      violation: 'bad-frame-length',
      description: `length prefix ${length} exceeds the ${limit}-byte frame limit`,
    }));
}

/** The zero-length frame `00 00 00 00` (PROTOCOL.md §5: a C client cannot decode it). */
export function zeroLength(): fc.Arbitrary<MalformedBytes> {
  return fc.constant<MalformedBytes>({
    kind: 'zero-length',
    bytes: new Uint8Array(4),
    expectedCodes: ['NSOMOCK_CODEC_FRAME_TOO_LARGE'],
    violation: 'bad-frame-length',
    description: 'frame length 0',
  });
}

/**
 * A well-framed term with an inner length field (binary, list, tuple, atom or bignum) that claims
 * more bytes or elements than the frame holds: decoding fails before allocating for it
 * (`NSOMOCK_CODEC_TRUNCATED`, or `NSOMOCK_CODEC_LIMIT_EXCEEDED` when the claim also exceeds a limit).
 */
export function oversizeInnerLength(): fc.Arbitrary<MalformedBytes> {
  const u32 = (n: number): Uint8Array => {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, n >>> 0);
    return out;
  };
  return fc
    .record({
      tag: fc.constantFrom(Tag.BINARY_EXT, Tag.LIST_EXT, Tag.LARGE_TUPLE_EXT, Tag.ATOM_UTF8_EXT, Tag.LARGE_BIG_EXT),
      claimed: fc.integer({ min: 64, max: 0xffffffff }),
      present: fc.uint8Array({ maxLength: 32 }),
    })
    .map(({ tag, claimed, present }): MalformedBytes => {
      const header =
        tag === Tag.ATOM_UTF8_EXT
          ? Uint8Array.of(tag, (claimed >>> 8) & 0xff || 1, claimed & 0xff)
          : tag === Tag.LARGE_BIG_EXT
            ? concat([Uint8Array.of(tag), u32(claimed), Uint8Array.of(0)])
            : concat([Uint8Array.of(tag), u32(claimed)]);
      // Keep the present bytes fewer than the claim so the claim always overruns the frame.
      const body = present.subarray(0, Math.min(present.length, 63));
      return {
        kind: 'oversize-inner-length',
        bytes: framed(concat([Uint8Array.of(131), header, body])),
        expectedCodes: ['NSOMOCK_CODEC_TRUNCATED', 'NSOMOCK_CODEC_LIMIT_EXCEEDED'],
        violation: 'bad-term',
        description: `inner length field of tag ${tag} overruns the frame`,
      };
    });
}

/**
 * A frame holding a complete term followed by extra bytes. Erlang's `binary_to_term/1` ignores
 * them, a strict mock does not (PROTOCOL.md §17, vectors `odd.trailing_bytes`).
 */
export function trailingBytes(constraints: MalformedConstraints = {}): fc.Arbitrary<MalformedBytes> {
  return fc
    .tuple(baseTerms(constraints), fc.uint8Array({ minLength: 1, maxLength: 16 }))
    .map(([term, extra]): MalformedBytes => ({
      kind: 'trailing-bytes',
      bytes: framed(concat([encodeTerm(term), extra])),
      expectedCodes: ['NSOMOCK_CODEC_TRAILING_BYTES'],
      violation: 'bad-term',
      description: `${extra.length} trailing byte(s) after a complete term`,
    }));
}

/**
 * A 9-byte connect header a strict mock must refuse (PROTOCOL.md §2, §17): a client type other
 * than 11, or the v2 bit 0x40 without the challenge bit 0x80. The codec reads it
 * (`decodeConnectHeader`) without error; refusing it is the session's job, so `expectedCodes` is
 * empty and `violation` is `bad-header`.
 */
export function badConnectHeader(): fc.Arbitrary<MalformedBytes> {
  const rest = fc.uint8Array({ minLength: 8, maxLength: 8 });
  const wrongType = fc
    .tuple(fc.integer({ min: 0, max: 63 }).filter((t) => t !== 11), fc.constantFrom(0, 0x80, 0xc0), rest)
    .map(([clientType, flags, tail]) => ({
      first: clientType | flags,
      tail,
      why: `client type ${clientType} instead of 11`,
    }));
  const v2WithoutV1 = fc
    .tuple(fc.integer({ min: 0, max: 63 }), rest)
    .map(([clientType, tail]) => ({ first: clientType | 0x40, tail, why: 'bit 0x40 without bit 0x80' }));
  return fc.oneof(wrongType, v2WithoutV1).map(
    ({ first, tail, why }): MalformedBytes => ({
      kind: 'bad-header',
      bytes: concat([Uint8Array.of(first), tail]),
      expectedCodes: [],
      violation: 'bad-header',
      description: why,
    }),
  );
}

/** Any malformed frame (every kind except `bad-header` and `truncated-frame`, which end a connection). */
export function malformedFrame(constraints: MalformedConstraints = {}): fc.Arbitrary<MalformedBytes> {
  return fc.oneof(
    truncatedTerm(constraints),
    wrongTag(constraints),
    badVersion(constraints),
    oversizeLength(constraints),
    zeroLength(),
    oversizeInnerLength(),
    trailingBytes(constraints),
  );
}

/** Any {@link MalformedBytes} of the given kinds (default: all). */
export function malformedBytes(
  constraints: MalformedConstraints & { readonly kinds?: readonly MalformedKind[] } = {},
): fc.Arbitrary<MalformedBytes> {
  const byKind: Record<MalformedKind, () => fc.Arbitrary<MalformedBytes>> = {
    'truncated-term': () => truncatedTerm(constraints),
    'truncated-frame': () => truncatedFrame(constraints),
    'wrong-tag': () => wrongTag(constraints),
    'bad-version': () => badVersion(constraints),
    'oversize-length': () => oversizeLength(constraints),
    'zero-length': () => zeroLength(),
    'oversize-inner-length': () => oversizeInnerLength(),
    'trailing-bytes': () => trailingBytes(constraints),
    'bad-header': () => badConnectHeader(),
  };
  const kinds = constraints.kinds ?? MALFORMED_KINDS;
  return fc.oneof(...kinds.map((kind) => byKind[kind]()));
}

/** Constraints of {@link rechunk}. */
export interface RechunkConstraints {
  /** Most chunks to cut the bytes into (default 16). */
  readonly maxChunks?: number;
  /** Allow empty chunks, as a socket never delivers but a careless shim might (default false). */
  readonly allowEmpty?: boolean;
}

/**
 * Cuts `bytes` at arbitrary points into chunks that concatenate back to `bytes` (STYLE.md §5
 * level 2: re-chunking frames at arbitrary points must yield the same frames). Shrinks towards
 * one chunk.
 * @example
 *   fc.assert(fc.property(rechunk(stream), (chunks) => { const d = new FrameDecoder(); chunks.forEach((c) => d.push(c)); ... }));
 */
export function rechunk(bytes: Uint8Array, constraints: RechunkConstraints = {}): fc.Arbitrary<Uint8Array[]> {
  const maxCuts = Math.max(0, Math.min((constraints.maxChunks ?? 16) - 1, bytes.length));
  const minCut = constraints.allowEmpty === true ? 0 : 1;
  const maxCut = constraints.allowEmpty === true ? bytes.length : bytes.length - 1;
  if (maxCut < minCut || maxCuts === 0) return fc.constant([bytes.slice()]);
  const cuts =
    constraints.allowEmpty === true
      ? fc.array(fc.integer({ min: minCut, max: maxCut }), { maxLength: maxCuts })
      : fc.uniqueArray(fc.integer({ min: minCut, max: maxCut }), { maxLength: maxCuts });
  return cuts.map((points) => {
    const sorted = [...points].sort((a, b) => a - b);
    const chunks: Uint8Array[] = [];
    let from = 0;
    for (const at of sorted) {
      chunks.push(bytes.slice(from, at));
      from = at;
    }
    chunks.push(bytes.slice(from));
    return chunks;
  });
}

/** One progress event of a generated trace, in the `NotificationInput` form (PROTOCOL.md §11.14). */
export interface ProgressEventInput {
  readonly type: 'progress' | 'commit-progress';
  readonly event: 'start' | 'stop' | 'info';
  readonly timestamp: number;
  readonly duration?: number;
  readonly usid: number;
  readonly tid: number;
  readonly datastore: number;
  readonly trace_id: string;
  readonly phase: string;
  readonly msg: string;
}

/** A causal progress trace and a delivery order that breaks it. */
export interface ReorderedProgress {
  /** The events in causal (timestamp) order: start, info…, stop per phase. */
  readonly ordered: readonly ProgressEventInput[];
  /** The same events in the delivery order; never equal to `ordered`. */
  readonly reordered: readonly ProgressEventInput[];
}

/** Constraints of {@link reorderedProgressEvents}. */
export interface ReorderedProgressConstraints {
  /** Most phases in the trace (each has a start, some infos and a stop; default 3). */
  readonly maxPhases?: number;
  /** Most info events per phase (default 2). */
  readonly maxInfos?: number;
}

const PHASES = ['validate', 'write-start', 'prepare', 'commit', 'push-configuration'] as const;
/** 2023-11-14T22:13:20Z in µs: §6.4 wants progress timestamps ≥ 2^32. */
const BASE_TIMESTAMP_US = 1_700_000_000_000_000;

/**
 * A transaction's progress trace delivered out of order (a stop before its start, an info after
 * the stop…): what a client that pairs start/stop events must survive.
 */
export function reorderedProgressEvents(constraints: ReorderedProgressConstraints = {}): fc.Arbitrary<ReorderedProgress> {
  const maxPhases = constraints.maxPhases ?? 3;
  const maxInfos = constraints.maxInfos ?? 2;
  const trace = fc.record({
    type: fc.constantFrom<'progress' | 'commit-progress'>('commit-progress', 'progress'),
    usid: fc.integer({ min: 1, max: 1000 }),
    tid: fc.integer({ min: 1, max: 100_000 }),
    trace: fc.uuid(),
    phases: fc.array(
      fc.record({ name: fc.constantFrom(...PHASES), infos: fc.integer({ min: 0, max: maxInfos }), step: fc.integer({ min: 1, max: 50_000 }) }),
      { minLength: 1, maxLength: maxPhases },
    ),
  });
  return trace
    .map(({ type, usid, tid, trace: traceId, phases }) => {
      const ordered: ProgressEventInput[] = [];
      let t = BASE_TIMESTAMP_US;
      for (const phase of phases) {
        const started = t;
        const common = { type, usid, tid, datastore: 2, trace_id: traceId, phase: phase.name };
        ordered.push({ ...common, event: 'start', timestamp: t, msg: `${phase.name} started` });
        for (let i = 0; i < phase.infos; i++) {
          t += phase.step;
          ordered.push({ ...common, event: 'info', timestamp: t, msg: `${phase.name} step ${i + 1}` });
        }
        t += phase.step;
        ordered.push({ ...common, event: 'stop', timestamp: t, duration: t - started, msg: `${phase.name} done` });
        t += 1;
      }
      return ordered;
    })
    .chain((ordered) =>
      // A permutation that is not the identity: swap at least one pair, then shuffle a few more.
      fc
        .tuple(
          fc.integer({ min: 0, max: ordered.length - 2 }),
          fc.array(fc.tuple(fc.nat(ordered.length - 1), fc.nat(ordered.length - 1)), { maxLength: ordered.length }),
        )
        .map(([first, swaps]): ReorderedProgress => {
          const order = ordered.map((_, i) => i);
          [order[first], order[first + 1]] = [order[first + 1] ?? first + 1, order[first] ?? first];
          for (const [a, b] of swaps) [order[a], order[b]] = [order[b] ?? b, order[a] ?? a];
          if (order.every((v, i) => v === i)) [order[0], order[1]] = [1, 0];
          return { ordered, reordered: order.map((i) => ordered[i] as ProgressEventInput) };
        }),
    );
}

/** A list of `count` small valid terms, for building streams to re-chunk in tests. */
export function validFrames(constraints: MalformedConstraints & { readonly maxFrames?: number } = {}): fc.Arbitrary<Uint8Array[]> {
  return fc
    .array(baseTerms(constraints), { minLength: 1, maxLength: constraints.maxFrames ?? 5 })
    .map((terms) => terms.map((term) => framed(encodeTerm(term))));
}

// Terms that exercise every length field, for tests that want fixed, readable bases.
/** A few fixed terms with every kind of length field (binary, list, tuple, bignum). */
export const SAMPLE_TERMS: readonly Term[] = [
  tuple(int(16), int(2), binary('admin'), int(17), int(0)),
  list([binary('pe-1'), binary('pe-2')]),
  tuple(int(1_700_000_000_123_456), NIL),
];
