/**
 * CPS builds several of its outputs from `java.util.HashMap`s (the LCM header map, the V2
 * oldValues/newValues maps, CloudEvent extensions), and Jackson and Kafka write them in the map's
 * iteration order. Reproducing that order makes the mock's bytes match CPS's, not just its meaning.
 *
 * HashMap iterates its buckets in index order, entries of one bucket in insertion order (lists of
 * fewer than 8 entries are never treeified). The index is `(h ^ (h >>> 16)) & (tableSize - 1)` with
 * `h = String.hashCode()`. The table starts at 16 buckets (or the next power of two of an explicit
 * capacity) and doubles whenever size exceeds 0.75 × table size; a resize keeps relative order.
 */

/** Java's `String.hashCode()` (31-based polynomial over UTF-16 code units, wrapping at 32 bits). */
export function javaStringHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

/**
 * Orders `keys` (given in insertion order) as a `HashMap<String, ?>` holding them would iterate.
 * @param initialCapacity the capacity passed to the HashMap constructor (16 for `new HashMap<>()`).
 * @example javaHashMapOrder(['correlationid', 'destination'])
 */
export function javaHashMapOrder(keys: readonly string[], initialCapacity = 16): string[] {
  let table = 1;
  while (table < initialCapacity) table <<= 1;
  while (keys.length > table * 0.75) table <<= 1;
  const mask = table - 1;
  return keys
    .map((key, i) => {
      const h = javaStringHash(key);
      return { key, i, bucket: (h ^ (h >>> 16)) & mask };
    })
    .sort((a, b) => a.bucket - b.bucket || a.i - b.i)
    .map((e) => e.key);
}

/** Copies `entries` into a plain object whose key order is {@link javaHashMapOrder}'s. Undefined values are dropped. */
export function javaHashMapObject(entries: Readonly<Record<string, unknown>>, initialCapacity = 16): Record<string, unknown> {
  const present = Object.keys(entries).filter((k) => entries[k] !== undefined);
  const out: Record<string, unknown> = {};
  for (const key of javaHashMapOrder(present, initialCapacity)) out[key] = entries[key];
  return out;
}
