/**
 * Kafka's default partitioner for keyed records, so the embedded log and a real broker agree on
 * where every record lives: `Utils.toPositive(Utils.murmur2(keyBytes)) % numPartitions`
 * (org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey).
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's `Utils.murmur2(byte[])`: MurmurHash2, 32-bit, seed 0x9747b28c, little-endian 4-byte
 * blocks. Returns the signed 32-bit value Java returns. Java `int` arithmetic wraps at 32 bits, so
 * every multiply goes through Math.imul and shifts are unsigned (`>>>`), as in the Java source.
 * @example murmur2(new TextEncoder().encode('21')) // -973932308 (Kafka's UtilsTest vector)
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      ((data[i4] ?? 0) & 0xff) |
      (((data[i4 + 1] ?? 0) & 0xff) << 8) |
      (((data[i4 + 2] ?? 0) & 0xff) << 16) |
      (((data[i4 + 3] ?? 0) & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // Java folds the 1–3 trailing bytes in with a fall-through switch; the same as ifs (this
  // project's tsconfig forbids fall-through).
  const tail = length & ~3;
  const rest = length % 4;
  if (rest >= 3) h ^= ((data[tail + 2] ?? 0) & 0xff) << 16;
  if (rest >= 2) h ^= ((data[tail + 1] ?? 0) & 0xff) << 8;
  if (rest >= 1) {
    h ^= (data[tail] ?? 0) & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not Math.abs). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/**
 * The partition Kafka's default partitioner picks for a keyed record.
 * @example partitionForKey(new TextEncoder().encode('ch-1'), 4)
 */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions;
}
