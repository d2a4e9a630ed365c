/**
 * Building blocks of the notification arbitraries: texts, addresses, date-times, user info,
 * values and tag-values, all inside the ranges real clients read (PROTOCOL.md §6.4) and in the
 * canonical form `normalizeNotification` produces (so `normalize(n)` equals `n`).
 */
import fc from 'fast-check';
import {
  int,
  normalizeIp,
  tuple,
  type ConfValue,
  type DateTime,
  type IpAddress,
  type Profile,
  type TagValue,
  type UserInfo,
} from '../../codec/index.js';

/** Constraints shared by every notification arbitrary. */
export interface NotificationConstraints {
  /** The layout profile the values must be encodable in (default `nso57`, PROTOCOL.md §16). */
  readonly profile?: Profile;
  /** Maximum length of generated texts (default 24). */
  readonly maxTextLength?: number;
  /** Maximum length of generated lists: varbinds, tag-values, devices (default 4). */
  readonly maxItems?: number;
  /** Generate any Unicode text (default true); false: printable ASCII only (0x20–0x7e). */
  readonly unicode?: boolean;
  /**
   * Texts a C client reads back unchanged (PROTOCOL.md §6.5): no NUL (C strings stop there) and at
   * most {@link C_TEXT_MAX_BYTES} UTF-8 bytes (the C library's smallest buffers). Default: on when
   * `clientStyle` is `'c'` (the C library, Python's `_ncs`), off otherwise.
   */
  readonly cSafe?: boolean;
  /** The client the values are for: `'c'` (C library, Python) turns `cSafe` on by default; `'java'` does not. */
  readonly clientStyle?: 'c' | 'java';
  /**
   * Generate values the model keeps as raw terms (C_DATE and the other §9.4 types without a
   * friendly form; default true). Scenario documents have no syntax for a raw term, so the
   * scenario arbitrary turns this off.
   */
  readonly rawValues?: boolean;
}

/** Constraints with defaults applied. */
export interface ResolvedConstraints {
  readonly profile: Profile;
  readonly maxTextLength: number;
  readonly maxItems: number;
  readonly unicode: boolean;
  readonly cSafe: boolean;
  readonly rawValues: boolean;
}

/**
 * The longest text, in UTF-8 bytes, that every C buffer holds: the smallest ones (`context`,
 * `name`, `target`) have 32 bytes including the NUL.
 */
export const C_TEXT_MAX_BYTES = 31;

/** Applies the defaults of {@link NotificationConstraints}. */
export function resolve(c: NotificationConstraints = {}): ResolvedConstraints {
  return {
    profile: c.profile ?? 'nso57',
    maxTextLength: c.maxTextLength ?? 24,
    maxItems: c.maxItems ?? 4,
    unicode: c.unicode ?? true,
    cSafe: c.cSafe ?? c.clientStyle === 'c',
    rawValues: c.rawValues ?? true,
  };
}

/** One printable ASCII character (0x20–0x7e). */
const printableAsciiUnit: fc.Arbitrary<string> = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
/** One Unicode scalar value but U+0000, mostly printable ASCII (as fast-check's own `binary` unit leans). */
const nonNulUnit: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: printableAsciiUnit, weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 0x1f }).map((code) => String.fromCharCode(code)), weight: 1 },
  { arbitrary: fc.oneof(fc.integer({ min: 0x7f, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff })).map((code) => String.fromCodePoint(code)), weight: 2 },
);
const utf8 = new TextEncoder();

/** Cuts a text to at most `maxBytes` UTF-8 bytes, at a code point boundary. */
function fitUtf8(text: string, maxBytes: number): string {
  if (utf8.encode(text).length <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = utf8.encode(ch).length;
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/**
 * Text (UTF-8 on the wire): any Unicode scalar values, or printable ASCII (`unicode: false`); with
 * `cSafe`, no NUL and at most {@link C_TEXT_MAX_BYTES} bytes.
 */
export function textArb(c: ResolvedConstraints, minLength = 0): fc.Arbitrary<string> {
  if (!c.unicode) return fc.string({ unit: printableAsciiUnit, minLength, maxLength: c.cSafe ? Math.min(c.maxTextLength, C_TEXT_MAX_BYTES) : c.maxTextLength });
  if (!c.cSafe) return fc.string({ unit: 'binary', minLength, maxLength: c.maxTextLength });
  // A code point is at most 4 bytes, so the cut keeps at least one of a non-empty text.
  return fc.string({ unit: nonNulUnit, minLength, maxLength: Math.min(c.maxTextLength, C_TEXT_MAX_BYTES) }).map((text) => fitUtf8(text, C_TEXT_MAX_BYTES));
}

/** An optional text (absent = the atom `undefined`). */
export function optTextArb(c: ResolvedConstraints): fc.Arbitrary<string | undefined> {
  return fc.option(textArb(c), { nil: undefined });
}

/** A name usable as an atom (SNMP names, econfd tags). */
export function atomNameArb(): fc.Arbitrary<string> {
  return fc.stringMatching(/^[a-z][a-zA-Z0-9_-]{0,20}$/);
}

/** A signed 32-bit integer (§6.4: every field not listed there). */
export const int32Arb: fc.Arbitrary<number> = fc.integer({ min: -0x80000000, max: 0x7fffffff });
/** A non-negative signed 32-bit integer. */
export const nat32Arb: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0x7fffffff });
/** A port. */
export const portArb: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffff });
/** A 64-bit value that is a safe integer (durations, ids). */
export const nat64Arb: fc.Arbitrary<number> = fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }).map(Number);
/** A µs timestamp ≥ 2^32 (§6.4). */
export const timestamp64Arb: fc.Arbitrary<number> = fc.bigInt({ min: 2n ** 32n, max: BigInt(Number.MAX_SAFE_INTEGER) }).map(Number);
/** A datastore (§A.4). */
export const datastoreArb: fc.Arbitrary<number> = fc.integer({ min: 0, max: 7 });

/** Uncompressed IPv6 text; `canonicalIp` turns it into the `inet_ntop` form. */
function formatIpv6(groups: readonly number[]): string {
  return groups.map((g) => g.toString(16)).join(':');
}

/** IPv4 or IPv6 text in canonical (`inet_ntop`) form. */
export function ipArb(): fc.Arbitrary<IpAddress> {
  const v4 = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }).map((p) => p.join('.'));
  const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
  const v6 = fc.array(group, { minLength: 8, maxLength: 8 }).map(formatIpv6);
  return fc.oneof(v4, v6).map(canonicalIp);
}

/** Canonicalises an address through the codec's own parser and printer (`inet_ntop` form). */
function canonicalIp(text: string): IpAddress {
  return normalizeIp(text, 'addr');
}

/** An IPv4 address only. */
export function ipv4Arb(): fc.Arbitrary<IpAddress> {
  return fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }).map((p) => p.join('.'));
}

/** A date-time in valid ranges; `timezone` null (no timezone) or −12..14 hours. */
export function dateTimeArb(): fc.Arbitrary<DateTime> {
  return fc
    .record({
      year: fc.integer({ min: 1970, max: 2100 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      min: fc.integer({ min: 0, max: 59 }),
      sec: fc.integer({ min: 0, max: 59 }),
      micro: fc.integer({ min: 0, max: 999_999 }),
      tz: fc.option(fc.integer({ min: -12, max: 14 }), { nil: null }),
      tzMinutes: fc.constantFrom(0, 30, 45),
    })
    .map(({ tz, tzMinutes, ...rest }) => ({
      ...rest,
      timezone: tz,
      timezone_minutes: tz === null || tzMinutes === 0 ? 0 : tz < 0 ? -tzMinutes : tzMinutes,
    }));
}

/** User info (§9.1) with `logintime` outside 2^31..2^32−1 (§6.4). */
export function userInfoArb(c: ResolvedConstraints): fc.Arbitrary<UserInfo> {
  return fc.record({
    usid: int32Arb,
    username: textArb(c),
    clearpass: textArb(c),
    context: textArb(c),
    proto: fc.integer({ min: 0, max: 9 }),
    addr: ipArb(),
    port: portArb,
    logintime: fc.oneof(int32Arb, fc.bigInt({ min: 2n ** 32n, max: BigInt(Number.MAX_SAFE_INTEGER) }).map(Number)),
    snmp_v3_ctx: textArb(c),
    flags: fc.integer({ min: 0, max: 7 }),
  });
}

const P = (n: number): bigint => 2n ** BigInt(n);
const canonicalInt = (v: bigint): number | bigint => (v >= -P(53) + 1n && v <= P(53) - 1n ? Number(v) : v);

/** A leaf value (§9.4): every modelled type except the tag-value markers. */
export function confValueArb(c: ResolvedConstraints, depth = 1): fc.Arbitrary<ConfValue> {
  const ranged = (code: 6 | 7 | 9 | 10 | 11 | 12 | 13 | 28 | 29 | 30, min: bigint, max: bigint): fc.Arbitrary<ConfValue> =>
    fc.bigInt({ min, max }).map((v) => ({ confd_type: code, value: canonicalInt(v) }) as ConfValue);
  const leaves: fc.Arbitrary<ConfValue>[] = [
    textArb(c).map((value) => ({ confd_type: 5 as const, value })),
    int32Arb.map((value) => ({ confd_type: 8 as const, value })),
    ranged(6, -128n, 127n),
    ranged(7, -32768n, 32767n),
    ranged(9, -P(63), P(63) - 1n),
    ranged(10, 0n, 255n),
    ranged(11, 0n, 65535n),
    ranged(12, 0n, P(32) - 1n),
    ranged(13, 0n, P(64) - 1n),
    ranged(28, -P(31), P(31) - 1n),
    ranged(29, 0n, P(32) - 1n),
    ranged(30, 0n, P(64) - 1n),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => ({ confd_type: 14 as const, value })),
    ipv4Arb().map((value) => ({ confd_type: 15 as const, value })),
    fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((g) => ({ confd_type: 16 as const, value: canonicalIp(formatIpv6(g)) })),
    fc.boolean().map((value) => ({ confd_type: 17 as const, value })),
    dateTimeArb().map((value) => ({ confd_type: 19 as const, value })),
    fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: c.maxItems }).map((value) => ({ confd_type: 38 as const, value })),
    fc.tuple(fc.constantFrom(39 as const, 46 as const, 47 as const, 50 as const), fc.uint8Array({ maxLength: 8 })).map(([confd_type, value]) => ({ confd_type, value })),
    fc.tuple(ipv4Arb(), fc.integer({ min: 0, max: 32 }), fc.constantFrom(40 as const, 48 as const)).map(([a, l, confd_type]) => ({ confd_type, value: `${a}/${l}` })),
    fc.tuple(fc.bigInt({ min: -P(63), max: P(63) - 1n }), fc.integer({ min: 1, max: 18 })).map(([v, fraction_digits]) => ({ confd_type: 43 as const, value: canonicalInt(v), fraction_digits })),
    fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })).map(([ns, id]) => ({ confd_type: 44 as const, value: { ns, id } })),
    fc.constantFrom<ConfValue>({ confd_type: 1 }, { confd_type: 42 }),
  ];
  if (c.rawValues) {
    leaves.push(
      fc.tuple(fc.integer({ min: 1970, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([y, m, d]) => ({
        confd_type: 20 as const,
        raw: tuple(int(20), tuple(int(y), int(m), int(d), int(0), int(0))),
      })),
    );
  }
  const leaf = fc.oneof(...leaves);
  if (depth <= 0) return leaf;
  // C_LIST of leaves (one level: leaf-lists, §9.4)
  const listArb = fc.array(leaf, { maxLength: c.maxItems }).map((value) => ({ confd_type: 31 as const, value }));
  return fc.oneof({ arbitrary: leaf, weight: 5 }, { arbitrary: listArb, weight: 1 });
}

/**
 * A stream-event tag-value list (§9.5): `start`, leaves and nested containers, `stop`; hashed tags
 * (what C/Python clients get) unless `ikp`.
 */
export function tagValuesArb(c: ResolvedConstraints, ikp = false): fc.Arbitrary<TagValue[]> {
  const nsArb = ikp ? atomNameArb().map((s) => `http://example.com/${s}`) : fc.integer({ min: 0, max: 0xffffffff });
  const tagArb = ikp ? atomNameArb() : fc.integer({ min: 0, max: 0xffffffff });
  return fc
    .tuple(nsArb, tagArb, fc.array(fc.tuple(tagArb, fc.oneof(confValueArb(c), fc.constant<ConfValue>({ confd_type: 2 }))), { maxLength: c.maxItems }))
    .map(([ns, top, leaves]) => [
      { ns, tag: top, v: { confd_type: 32 } },
      ...leaves.map(([tag, v]) => ({ ns, tag, v })),
      { ns, tag: top, v: { confd_type: 33 } },
    ] as TagValue[]);
}
