import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIT, checkAckAgainstMask, deliversTo, outerBitFor, SubscriptionIndex } from '../../src/server/subscriptions.js';
import { fcRuns } from '../support/fc-config.js';

describe('delivery rule (§10.1)', () => {
  it('delivers a type only to masks that contain its bit', () => {
    expect(deliversTo(BIT.COMMIT_DIFF | BIT.AUDIT, BIT.AUDIT)).toBe(true);
    expect(deliversTo(BIT.COMMIT_DIFF, BIT.AUDIT)).toBe(false);
    expect(deliversTo(BIT.AUDIT_SYNC, BIT.AUDIT)).toBe(false);
  });

  it('treats PROGRESS as a superset of COMMIT_PROGRESS, tagging by the subscribed bit', () => {
    expect(deliversTo(BIT.PROGRESS, BIT.COMMIT_PROGRESS)).toBe(true);
    expect(deliversTo(BIT.COMMIT_PROGRESS, BIT.PROGRESS)).toBe(false);
    expect(outerBitFor(BIT.PROGRESS, BIT.COMMIT_PROGRESS)).toBe(BIT.PROGRESS);
    expect(outerBitFor(BIT.PROGRESS | BIT.COMMIT_PROGRESS, BIT.COMMIT_PROGRESS)).toBe(BIT.COMMIT_PROGRESS);
    expect(outerBitFor(BIT.PROGRESS, BIT.PROGRESS)).toBe(BIT.PROGRESS);
  });

  it('checks acks against the sender mask (§12.4)', () => {
    expect(checkAckAgainstMask({ kind: 'diff-done', th: 1 }, BIT.COMMIT_DIFF)).toBe('ok');
    expect(checkAckAgainstMask({ kind: 'diff-done', th: 1 }, BIT.AUDIT)).toBe('ack-unsubscribed');
    expect(checkAckAgainstMask({ kind: 'audit-synced', usid: 1 }, BIT.AUDIT)).toBe('ack-without-flag');
    expect(checkAckAgainstMask({ kind: 'audit-synced', usid: 1 }, BIT.AUDIT | BIT.AUDIT_SYNC)).toBe('ok');
    expect(checkAckAgainstMask({ kind: 'ha-synced' }, BIT.HA_INFO)).toBe('ack-without-flag');
    expect(checkAckAgainstMask({ kind: 'ha-synced' }, BIT.HA_INFO_SYNC)).toBe('ack-unsubscribed');
    expect(checkAckAgainstMask({ kind: 'audit-network-synced', usid: 1 }, BIT.AUDIT_NETWORK | BIT.AUDIT_NETWORK_SYNC)).toBe('ok');
  });
});

describe('SubscriptionIndex', () => {
  it('lists recipients in subscription order and forgets removed ones', () => {
    const index = new SubscriptionIndex();
    index.add(3, BIT.AUDIT);
    index.add(1, BIT.AUDIT | BIT.PROGRESS);
    index.add(2, BIT.COMMIT_DIFF);
    expect([...index.recipients(BIT.AUDIT)]).toEqual([3, 1]);
    expect([...index.recipients(BIT.COMMIT_PROGRESS)]).toEqual([1]);
    index.remove(3);
    expect([...index.recipients(BIT.AUDIT)]).toEqual([1]);
    expect(index.maskOf(2)).toBe(BIT.COMMIT_DIFF);
    expect(index.size).toBe(2);
    expect([...index.recipients(BIT.HEARTBEAT)]).toEqual([]);
  });

  it('counts connections with every bit of a mask, incrementally', () => {
    const index = new SubscriptionIndex();
    index.add(1, BIT.AUDIT | BIT.COMMIT_DIFF);
    index.add(2, BIT.AUDIT);
    index.add(3, BIT.COMMIT_DIFF);
    expect(index.countWith(0)).toBe(3);
    expect(index.countWith(BIT.AUDIT)).toBe(2);
    expect(index.countWith(BIT.AUDIT | BIT.COMMIT_DIFF)).toBe(1);
    index.add(2, BIT.COMMIT_DIFF); // re-registration replaces the mask
    expect(index.countWith(BIT.AUDIT)).toBe(1);
    expect(index.countWith(BIT.COMMIT_DIFF)).toBe(3);
    index.remove(1);
    index.remove(1);
    expect(index.countWith(BIT.COMMIT_DIFF)).toBe(2);
    expect(index.countWith(BIT.HEARTBEAT)).toBe(0);
  });

  describe('properties', () => {
    it('countWith equals a count over the registered masks', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(15), fc.integer({ min: 0, max: 0x7fffffff })), { maxLength: 30 }),
          fc.array(fc.nat(15), { maxLength: 8 }),
          fc.array(fc.integer({ min: 0, max: 0x7fffffff }), { minLength: 1, maxLength: 6 }),
          (adds, removed, queries) => {
            const index = new SubscriptionIndex();
            const model = new Map<number, number>();
            for (const [id, mask] of adds) {
              index.add(id, mask);
              model.set(id, mask);
            }
            for (const id of removed) {
              index.remove(id);
              model.delete(id);
            }
            for (const q of [0, ...queries, ...[...model.values()]]) {
              expect(index.countWith(q)).toBe([...model.values()].filter((m) => (m & q) === q).length);
            }
          },
        ),
        { numRuns: fcRuns() },
      );
    });

    it('agrees with deliversTo for every bit', () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 0x7fffffff }), { maxLength: 12 }), fc.array(fc.nat(11), { maxLength: 5 }), (masks, removed) => {
          const index = new SubscriptionIndex();
          masks.forEach((m, id) => index.add(id, m));
          for (const r of removed) index.remove(r);
          for (let b = 0; b < 31; b += 1) {
            const bit = 2 ** b;
            const expected = masks.map((m, id) => [m, id] as const).filter(([m, id]) => !removed.includes(id) && deliversTo(m, bit)).map(([, id]) => id);
            expect([...index.recipients(bit)].sort((a, c) => a - c)).toEqual(expected);
          }
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});
