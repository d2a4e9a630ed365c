/**
 * Deterministic ids. CPS uses `UUID.randomUUID()` for every eventId, the NCMP async eventId and
 * CloudEvent ids; the mock derives them from the scenario seed instead, so a scenario run twice
 * produces the same bytes. Each namespace has its own counter, so adding an async response does not
 * shift the LCM eventIds, and pinning an id (giving it in the scenario) still consumes its slot so
 * the ids after it stay the same whether or not it is pinned.
 */
import { createRequire } from 'node:module';

// node:crypto loads on the first id (~3 ms of import time the scenario engine need not pay).
const requireBuiltin = createRequire(import.meta.url);
let createHash: typeof import('node:crypto').createHash | undefined;

/** The id namespaces the engine draws from. */
export type IdNamespace = 'lcm-event' | 'request' | 'dmi-event' | 'ncmp-event' | 'cloud-event' | 'dmi-record-key' | (string & {});

/** A per-namespace deterministic UUID source. */
export interface IdSource {
  /** The next id of `namespace`; returns `pinned` instead when given (the slot is consumed either way). */
  next(namespace: IdNamespace, pinned?: string): string;
  /** How many ids `namespace` has handed out. */
  count(namespace: IdNamespace): number;
}

/**
 * A version-4-shaped UUID derived from `sha256(seed NUL namespace NUL counter)`: the version nibble
 * and RFC 4122 variant bits are set so strict UUID parsers (Java's `UUID.fromString`, Ajv's `uuid`
 * format) accept it.
 * @example deterministicUuid('42', 'lcm-event', 0)
 */
export function deterministicUuid(seed: string, namespace: string, counter: number): string {
  createHash ??= (requireBuiltin('node:crypto') as typeof import('node:crypto')).createHash;
  const digest = createHash('sha256').update(`${seed}\u0000${namespace}\u0000${counter}`).digest();
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x40;
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Creates an {@link IdSource} for a scenario seed.
 * @example const ids = createIdSource(7); ids.next('lcm-event') // same value on every run
 */
export function createIdSource(seed: string | number): IdSource {
  const counters = new Map<string, number>();
  const seedText = String(seed);
  return {
    next(namespace: IdNamespace, pinned?: string): string {
      const n = counters.get(namespace) ?? 0;
      counters.set(namespace, n + 1);
      return pinned ?? deterministicUuid(seedText, namespace, n);
    },
    count(namespace: IdNamespace): number {
      return counters.get(namespace) ?? 0;
    },
  };
}
