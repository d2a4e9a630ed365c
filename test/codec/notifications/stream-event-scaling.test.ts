/**
 * A stream event's cost is linear in its number of values (issue: 8,000 → 16,000 values looked
 * worse than linear). The profile (docs/decisions/009-performance-targets.md) found no quadratic
 * step, only allocation; this pins the work that scales with the values by counting, not timing:
 * the term built from the input has the same number of nodes per value, and its encoding the same
 * number of bytes per value, at every size.
 */
import { describe, expect, it } from 'vitest';
import { encodeTerm, normalizeNotification, notificationToTerm, type Term } from '../../../src/codec/index.js';

function nodes(t: Term): number {
  switch (t.kind) {
    case 'tuple':
      return 1 + t.elements.reduce((n, e) => n + nodes(e), 0);
    case 'list':
      return 1 + nodes(t.tail) + t.elements.reduce((n, e) => n + nodes(e), 0);
    default:
      return 1;
  }
}

function streamEvent(values: number): Term {
  const input = { type: 'stream-event' as const, values: Array.from({ length: values }, (_, i) => ({ ns: 1928374655, tag: 102, v: `e${String(i % 10)}` })) };
  return notificationToTerm(normalizeNotification(input));
}

describe('stream event size and work per value', () => {
  it('builds the same number of term nodes and encoded bytes per value from 1,000 to 16,000 values', () => {
    const sizes = [1000, 2000, 4000, 8000, 16_000];
    const measured = sizes.map((n) => {
      const term = streamEvent(n);
      return { n, nodes: nodes(term), bytes: encodeTerm(term).length };
    });
    const [first, ...rest] = measured;
    for (const m of rest) {
      // Exactly affine in n: (f(n) - f(1000)) / (n - 1000) is one constant per value.
      expect((m.nodes - first!.nodes) / (m.n - first!.n)).toBe((measured[1]!.nodes - first!.nodes) / (measured[1]!.n - first!.n));
      expect((m.bytes - first!.bytes) / (m.n - first!.n)).toBe((measured[1]!.bytes - first!.bytes) / (measured[1]!.n - first!.n));
    }
    // ...and small: a value is a {[Ns|Tag], Value} tuple, a handful of nodes and bytes.
    expect((measured[1]!.nodes - first!.nodes) / 1000).toBeLessThanOrEqual(6);
    expect((measured[1]!.bytes - first!.bytes) / 1000).toBeLessThanOrEqual(24);
  });
});
