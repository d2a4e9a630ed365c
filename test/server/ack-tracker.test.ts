import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ack } from '../../src/codec/index.js';
import { AckTracker, ackScope, type AckOutcome, type PendingAck } from '../../src/server/ack-tracker.js';
import { ManualClock } from '../../src/server/clock.js';
import { fcRuns } from '../support/fc-config.js';

const diff = (th: number): Ack => ({ kind: 'diff-done', th });
const audit = (usid: number): Ack => ({ kind: 'audit-synced', usid });

function setup(replyTimeoutMs = 1000): { clock: ManualClock; tracker: AckTracker; timeouts: [number, PendingAck][]; settled: number[] } {
  const clock = new ManualClock();
  const timeouts: [number, PendingAck][] = [];
  const settled: number[] = [];
  const tracker = new AckTracker({
    clock,
    replyTimeoutMs,
    onTimeout: (id, p) => timeouts.push([id, p]),
    onSettled: (hs) => settled.push(hs.id),
  });
  return { clock, tracker, timeouts, settled };
}

describe('ackScope (§12.2)', () => {
  it('keys per transaction, per user session and globally for HA', () => {
    expect(ackScope(diff(17))).toBe('th:17');
    expect(ackScope(audit(42))).toBe('audit:42');
    expect(ackScope({ kind: 'audit-network-synced', usid: 42 })).toBe('audit-network:42');
    expect(ackScope({ kind: 'ha-synced' })).toBe('ha');
  });
});

describe('AckTracker', () => {
  it('settles ok when every recipient acked, and blocks its scope until then', async () => {
    const { tracker, settled } = setup();
    const hs = tracker.open(diff(17), [1, 2]);
    expect(tracker.isBlocked('th:17')).toBe(true);
    expect(tracker.receive(1, diff(17))).toEqual({ result: 'matched', handshakeId: hs.id, settled: false });
    expect(tracker.pendingOf(2)).toMatchObject([{ handshakeId: hs.id, expected: diff(17), deadline: 1000 }]);
    expect(tracker.receive(2, diff(17))).toEqual({ result: 'matched', handshakeId: hs.id, settled: true });
    expect(tracker.isBlocked('th:17')).toBe(false);
    expect(settled).toEqual([hs.id]);
    const outcome = await hs.outcome;
    expect(outcome).toMatchObject({ ok: true, required: [1, 2], acked: [1, 2], missing: [] });
  });

  it('settles at once when nobody must ack', async () => {
    const { tracker } = setup();
    const hs = tracker.open(diff(1), []);
    expect(hs.settled).toBe(true);
    expect((await hs.outcome).ok).toBe(true);
    expect(tracker.isBlocked('th:1')).toBe(false);
  });

  it('classifies duplicate, unknown-handle and late acks (§12.4, §20)', () => {
    const { tracker, clock, timeouts } = setup(500);
    tracker.open(diff(17), [1]);
    expect(tracker.receive(1, diff(99)).result).toBe('ack-unknown-handle');
    expect(tracker.receive(1, diff(17)).result).toBe('matched');
    expect(tracker.receive(1, diff(17)).result).toBe('ack-duplicate');
    expect(tracker.receive(3, diff(17)).result).toBe('ack-unknown-handle');
    tracker.open(audit(42), [1]);
    clock.advance(500);
    expect(timeouts.map(([id, p]) => [id, p.expected])).toEqual([[1, audit(42)]]);
    expect(tracker.receive(1, audit(42)).result).toBe('ack-late');
  });

  it('gives up a recipient on timeout and settles not-ok', async () => {
    const { tracker, clock } = setup(1000);
    const hs = tracker.open({ kind: 'ha-synced' }, [1, 2]);
    tracker.receive(2, { kind: 'ha-synced' });
    clock.advance(999);
    expect(hs.settled).toBe(false);
    clock.advance(1);
    const outcome = await hs.outcome;
    expect(outcome).toMatchObject({ ok: false, acked: [2], missing: [{ connectionId: 1, reason: 'timeout' }], settledAt: 1000 });
  });

  it('drop() releases what a closing connection blocked (§12.3)', async () => {
    const { tracker } = setup(0);
    const a = tracker.open(diff(1), [1, 2]);
    const b = tracker.open(audit(7), [1]);
    const owed = tracker.drop(1);
    expect(owed.map((p) => p.expected)).toEqual([diff(1), audit(7)]);
    expect(owed[0]?.deadline).toBeUndefined();
    expect(b.settled).toBe(true);
    expect(a.settled).toBe(false);
    expect(tracker.isBlocked('audit:7')).toBe(false);
    tracker.receive(2, diff(1));
    expect(await a.outcome).toMatchObject({ ok: false, acked: [2], missing: [{ connectionId: 1, reason: 'disconnect' }] });
    expect(tracker.receive(1, diff(1)).result).toBe('ack-late');
    tracker.forget(1);
    expect(tracker.receive(1, diff(1)).result).toBe('ack-unknown-handle');
  });

  it('matches the oldest open handshake of a scope first', () => {
    const { tracker } = setup();
    const first = tracker.open(audit(42), [1]);
    const second = tracker.open(audit(42), [1]);
    expect(tracker.receive(1, audit(42))).toMatchObject({ handshakeId: first.id });
    expect(tracker.receive(1, audit(42))).toMatchObject({ handshakeId: second.id });
    expect(tracker.openHandshakes).toBe(0);
  });

  describe('properties', () => {
    it('acks racing deadlines: every recipient ends acked xor missing, and the outcome settles once', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.integer({ min: 1, max: 4 }),
          fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 8 }),
          async (s, recipients, ackers) => {
            const { tracker, clock, timeouts } = setup(1000);
            const ids = Array.from({ length: recipients }, (_, i) => i + 1);
            const hs = tracker.open(diff(5), ids);
            let settledCount = 0;
            void hs.outcome.then(() => (settledCount += 1));
            const receipts: { id: number; result: string }[] = [];
            // Acks (some from non-recipients, some repeated) race the clock passing the deadline.
            const tasks: Promise<unknown>[] = ackers.map((a) => s.schedule(Promise.resolve(a + 1)).then((id) => receipts.push({ id, result: tracker.receive(id, diff(5)).result })));
            tasks.push(s.schedule(Promise.resolve()).then(() => void clock.advance(1000)));
            await s.waitAll();
            await Promise.all(tasks);
            const outcome: AckOutcome = await hs.outcome;
            await Promise.resolve();
            expect(settledCount).toBe(1);
            const missing = outcome.missing.map((m) => m.connectionId);
            expect([...outcome.acked, ...missing].sort()).toEqual(ids);
            expect(new Set(outcome.acked).size).toBe(outcome.acked.length);
            expect(outcome.ok).toBe(missing.length === 0);
            expect(timeouts.map(([id]) => id).sort()).toEqual(missing.sort());
            for (const r of receipts) {
              if (r.result === 'matched') expect(outcome.acked).toContain(r.id);
              if (r.result === 'ack-late') expect(missing).toContain(r.id);
              if (!ids.includes(r.id)) expect(r.result).toBe('ack-unknown-handle');
            }
            expect(tracker.isBlocked('th:5')).toBe(false);
          },
        ),
        { numRuns: fcRuns() },
      );
    });
  });
});
