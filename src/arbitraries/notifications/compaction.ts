import fc from 'fast-check';
import type { CompactionNotification } from '../../codec/index.js';
import { nat32Arb, nat64Arb, timestamp64Arb } from './shared.js';

/** Compaction notifications, flat layout [INF] (PROTOCOL.md §11.19; NSO 6.x only, §16). */
export function compactionNotification(): fc.Arbitrary<CompactionNotification> {
  return fc.record({
    type: fc.constant('compaction' as const),
    dbfile: fc.integer({ min: 1, max: 3 }),
    event: fc.integer({ min: 1, max: 2 }),
    fsize_start: nat64Arb,
    fsize_end: nat64Arb,
    fsize_last: nat64Arb,
    time_start: timestamp64Arb,
    duration: nat64Arb,
    ntrans: nat32Arb,
  });
}
