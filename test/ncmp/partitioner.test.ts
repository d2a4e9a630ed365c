import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey, RecordLog, toPositive } from '../../src/ncmp/index.js';
import { fcRuns } from '../support/fc-config.js';

const utf8 = new TextEncoder();

/** kafkajs' Java-compatible DefaultPartitioner is the independent peer: same answer for every key. */
function kafkajsPartition(key: Uint8Array, numPartitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: numPartitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
  }));
  return partitioner({ topic: 't', partitionMetadata, message: { key: Buffer.from(key), value: null } });
}

describe('murmur2', () => {
  // Kafka's own UtilsTest.testMurmur2 vectors (signed 32-bit, as Java returns them).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
    ['', 275646681],
  ])('hashes %j like Kafka', (input, expected) => {
    expect(murmur2(utf8.encode(input))).toBe(expected);
  });

  it('clears the sign bit instead of negating (Utils.toPositive)', () => {
    expect(toPositive(-790332482)).toBe(1357151166);
    expect(toPositive(-2147483648)).toBe(0);
    // 1357151166 % 50 = 16: a known Kafka placement for "foobar" on 50 partitions.
    expect(partitionForKey(utf8.encode('foobar'), 50)).toBe(16);
  });

  it('places records in the log as the partitioner says, with per-partition offsets', () => {
    const log = new RecordLog('ncmp-events', 4);
    const keys = ['ch-1', 'ch-2', 'ch-3', 'ch-1', 'ch-4', 'ch-1'];
    const records = keys.map((key) => log.append({ key, value: '{}', timestamp: 0 }));
    const perPartition = new Map<number, number>();
    for (const r of records) {
      expect(r.partition).toBe(kafkajsPartition(utf8.encode(r.key === null ? '' : new TextDecoder().decode(r.key)), 4));
      const expected = perPartition.get(r.partition) ?? 0;
      expect(r.partitionOffset).toBe(expected);
      perPartition.set(r.partition, expected + 1);
    }
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  describe('properties', () => {
    it('agrees with kafkajs DefaultPartitioner on every key and partition count', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
          expect(partitionForKey(key, n)).toBe(kafkajsPartition(key, n));
        }),
        { numRuns: fcRuns() },
      );
    });

    it('agrees with kafkajs on string keys (UTF-8 bytes), including non-ASCII', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer({ min: 1, max: 12 }), (key, n) => {
          expect(partitionForKey(utf8.encode(key), n)).toBe(kafkajsPartition(utf8.encode(key), n));
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});
