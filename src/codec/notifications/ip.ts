/**
 * IP addresses (PROTOCOL.md §9.2): text in the model, a 4-tuple (IPv4) or 8-tuple of 16-bit
 * groups (IPv6) on the wire. The text form is what glibc `inet_ntop` prints, because that is what
 * the Python binding puts into `ip4` / `ip6` / `UserInfo.addr`.
 */
import { tuple, type Term } from '../term.js';
import { badTerm, describeTerm, intTerm, readInt, unencodable, type PythonDict } from './layout.js';
import type { IpAddress } from './notification.js';

/** Linux address family numbers, as the vectors use them (README: `af`). */
export const AF_INET = 2;
/** Linux `AF_INET6`. */
export const AF_INET6 = 10;
/** `AF_UNSPEC`: an HA node whose address is a host name (§9.7). */
export const AF_UNSPEC = 0;

/** A parsed address: 4 bytes or 8 groups. */
export interface ParsedIp {
  readonly af: typeof AF_INET | typeof AF_INET6;
  readonly parts: readonly number[];
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIpv6(text: string): number[] | undefined {
  let head = text;
  let v4: number[] | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const group = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const left = group(halves[0] ?? '');
  const right = halves.length === 2 ? group(halves[1] ?? '') : [];
  if (left === undefined || right === undefined) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== 8) return undefined;
  if (v4 !== undefined) {
    groups[6] = ((v4[0] ?? 0) << 8) | (v4[1] ?? 0);
    groups[7] = ((v4[2] ?? 0) << 8) | (v4[3] ?? 0);
  }
  return groups;
}

/** Parses IPv4 or IPv6 text; `undefined` when it is neither. */
export function parseIp(text: string): ParsedIp | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { af: AF_INET, parts: v4 };
  if (!text.includes(':')) return undefined;
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { af: AF_INET6, parts: v6 };
}

/**
 * IPv6 text exactly as glibc `inet_ntop` writes it: lowercase hex, the longest run (first on ties)
 * of two or more zero groups as `::`, and the IPv4-mapped / -compatible forms with a dotted quad.
 */
export function formatIpv6(groups: readonly number[]): string {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (groups[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // glibc: an embedded IPv4 address for ::a.b.c.d and ::ffff:a.b.c.d
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))) {
      const g6 = groups[6] ?? 0;
      const g7 = groups[7] ?? 0;
      out += `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
      break;
    }
    out += (groups[i] ?? 0).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** The canonical text of a parsed address. */
export function formatIp(ip: ParsedIp): IpAddress {
  return ip.af === AF_INET ? ip.parts.join('.') : formatIpv6(ip.parts);
}

/**
 * Results by address text, for the few addresses a run uses over and over (the default user
 * info's, a scenario's): parsing and re-formatting them was a large part of normalising and
 * encoding a small notification. Bounded; emptied when full, so a stream of distinct addresses
 * only loses the cache.
 */
const IP_CACHE_MAX = 1024;
const canonicalIps = new Map<string, IpAddress>();
const ipTerms = new Map<string, Term>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= IP_CACHE_MAX) cache.clear();
  cache.set(key, value);
  return value;
}

/** Validates and canonicalises an address given as input. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` */
export function normalizeIp(value: unknown, path: string): IpAddress {
  if (typeof value !== 'string') throw unencodable(path, 'expected an IP address as text');
  const hit = canonicalIps.get(value);
  if (hit !== undefined) return hit;
  const ip = parseIp(value);
  if (ip === undefined) throw unencodable(path, `'${value}' is no IPv4 or IPv6 address`);
  return remember(canonicalIps, value, formatIp(ip));
}

/**
 * The wire tuple of an address (§9.2). The term is shared between calls with the same text
 * (frozen: terms are immutable values).
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function ipToTerm(addr: IpAddress, path: string): Term {
  const hit = ipTerms.get(addr);
  if (hit !== undefined) return hit;
  const ip = parseIp(addr);
  if (ip === undefined) throw unencodable(path, `'${addr}' is no IPv4 or IPv6 address`);
  const term = tuple(...ip.parts.map((p) => Object.freeze(intTerm(p))));
  Object.freeze(term.elements);
  return remember(ipTerms, addr, Object.freeze(term));
}

/** Reads an address tuple: 4 elements of 0..255 or 8 of 0..65535. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function ipFromTerm(term: Term, path: string): IpAddress {
  if (term.kind !== 'tuple' || (term.elements.length !== 4 && term.elements.length !== 8)) {
    throw badTerm(path, `expected an IP address tuple (4 or 8 integers), got ${describeTerm(term)}`);
  }
  const max = term.elements.length === 4 ? 255 : 0xffff;
  const parts = term.elements.map((e, i) => {
    const n = readInt(e, `${path}[${i}]`);
    if (n < 0 || n > max) throw badTerm(`${path}[${i}]`, `address part ${n} outside 0..${max}`);
    return n;
  });
  return formatIp({ af: parts.length === 4 ? AF_INET : AF_INET6, parts });
}

/** The address family of a (valid) address text. */
export function afOf(addr: IpAddress): number {
  return parseIp(addr)?.af ?? AF_UNSPEC;
}

/** Python's `af` + `ip4` / `ip6` keys (§9.2). */
export function ipPythonKeys(addr: IpAddress): PythonDict {
  const af = afOf(addr);
  return af === AF_INET ? { af, ip4: addr } : { af, ip6: addr };
}
