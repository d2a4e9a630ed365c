// The dispatcher without sockets: submit → queue → deliver to recipients that record their
// frames, the per-scope hold of §12.2 and its release by acks, the ack deadline, close.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  decodeTerm,
  normalizeNotification,
  notificationFromTerm,
  type Notification,
  type NotificationInput,
  type Profile,
  type Subscription,
} from '../../src/codec/index.js';
import type { PendingAck } from '../../src/server/ack-tracker.js';
import { ManualClock } from '../../src/server/clock.js';
import { Dispatcher, type DeliveredEvent, type NotSentEvent, type Recipient } from '../../src/server/dispatcher.js';
import { BIT } from '../../src/server/subscriptions.js';

/** A recipient that keeps what it is sent (no socket). */
class RecordingRecipient implements Recipient {
  readonly frames: Uint8Array[] = [];
  readonly subscription: Subscription;
  readonly header = undefined;
  readonly profileChoice = { basis: 'forced' };
  accepting = true;
  constructor(
    readonly id: number,
    mask: number,
    readonly profile: Profile = 'nso62',
  ) {
    this.subscription = { mask, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 };
  }
  sendFrame(frame: Uint8Array): boolean {
    if (!this.accepting) return false;
    this.frames.push(frame);
    return true;
  }
  /** The notifications received, decoded from the frames (4-byte length prefix, then the term). */
  received(): Notification[] {
    return this.frames.map((f) => {
      const length = new DataView(f.buffer, f.byteOffset, f.byteLength).getUint32(0);
      expect(length).toBe(f.byteLength - 4);
      return notificationFromTerm(decodeTerm(f.subarray(4)), this.profile);
    });
  }
}

function setup(replyTimeoutMs = 1000) {
  const clock = new ManualClock();
  const recipients = new Map<number, RecordingRecipient>();
  const delivered: DeliveredEvent[] = [];
  const notSent: NotSentEvent[] = [];
  const timeouts: [number, PendingAck][] = [];
  const dispatcher = new Dispatcher(
    {
      streams: { accepts: () => true, selects: () => true },
      recipient: (id) => recipients.get(id),
      wantDelivered: () => true,
      delivered: (e) => delivered.push(e),
      notSent: (e) => notSent.push(e),
      onAckTimeout: (id, p) => {
        // As the server does: the offender is closed first, so what the handshake releases skips it.
        timeouts.push([id, p]);
        dispatcher.unsubscribe(id);
      },
    },
    { clock, atomEncoding: 'latin1', replyTimeoutMs },
  );
  const add = (id: number, mask: number, profile?: Profile): RecordingRecipient => {
    const r = new RecordingRecipient(id, mask, profile);
    recipients.set(id, r);
    dispatcher.subscribe(id, mask);
    return r;
  };
  const submit = (input: NotificationInput) => dispatcher.submit(normalizeNotification(input, { now: () => clock.now() }), {});
  return { clock, dispatcher, add, submit, delivered, notSent, timeouts, recipients };
}

describe('Dispatcher (socket-free)', () => {
  it('delivers by mask to the subscribers of the type, one shared encoding per profile and outer bit', async () => {
    const { dispatcher, add, submit, delivered } = setup();
    const a = add(1, BIT.COMMIT_DIFF);
    const b = add(2, BIT.COMMIT_DIFF | BIT.AUDIT);
    const c = add(3, BIT.AUDIT);
    expect(dispatcher.subscriberCount()).toBe(3);
    expect(dispatcher.subscriberCount(BIT.AUDIT)).toBe(2);
    const d = submit({ type: 'commit-diff', th: 17 });
    expect(d.queued).toBe(false);
    expect(d.recipients).toEqual([1, 2]);
    expect(await d.sent).toEqual([1, 2]);
    expect(c.frames).toHaveLength(0);
    expect(a.frames[0]).toBe(b.frames[0]);
    expect(a.received()).toMatchObject([{ type: 'commit-diff', th: 17 }]);
    expect(delivered.map((e) => [e.connectionId, e.emissionId, e.type, e.bit])).toEqual([
      [1, d.id, 'commit-diff', BIT.COMMIT_DIFF],
      [2, d.id, 'commit-diff', BIT.COMMIT_DIFF],
    ]);
  });

  it('holds a later emission of a blocked scope until every recipient acked, then releases it (§12.2)', async () => {
    const { dispatcher, add, submit } = setup();
    const a = add(1, BIT.COMMIT_DIFF);
    const b = add(2, BIT.COMMIT_DIFF);
    const first = submit({ type: 'commit-diff', th: 17 });
    expect(dispatcher.isBlocked('th:17')).toBe(true);
    const second = submit({ type: 'commit-diff', th: 17 });
    const other = submit({ type: 'commit-diff', th: 18 });
    expect(second.queued).toBe(true);
    expect(second.recipients).toEqual([]);
    expect(other.queued).toBe(false);
    expect(a.received().map((n) => (n as { th: number }).th)).toEqual([17, 18]);

    expect(dispatcher.acks.receive(1, { kind: 'diff-done', th: 17 })).toMatchObject({ result: 'matched', settled: false });
    expect(b.frames).toHaveLength(2);
    expect(dispatcher.acks.receive(2, { kind: 'diff-done', th: 17 })).toMatchObject({ result: 'matched', settled: true });
    expect(await first.acked).toMatchObject({ ok: true, required: [1, 2] });
    expect(second.recipients).toEqual([1, 2]);
    expect(await second.sent).toEqual([1, 2]);
    expect(b.received().map((n) => (n as { th: number }).th)).toEqual([17, 18, 17]);
    expect(dispatcher.isBlocked('th:17')).toBe(true);
  });

  it('reports the ack deadline to the host, which closes the offender; the scope is released past it', async () => {
    const { clock, dispatcher, add, submit, timeouts } = setup(500);
    const a = add(1, BIT.COMMIT_DIFF);
    const first = submit({ type: 'commit-diff', th: 4 });
    const held = submit({ type: 'commit-diff', th: 4 });
    clock.advance(499);
    expect(timeouts).toEqual([]);
    clock.advance(1);
    expect(timeouts.map(([id, p]) => [id, p.expected])).toEqual([[1, { kind: 'diff-done', th: 4 }]]);
    expect(await first.acked).toMatchObject({ ok: false, missing: [{ connectionId: 1, reason: 'timeout' }] });
    // Released with no subscriber left: sent to nobody, nothing owed.
    expect(await held.sent).toEqual([]);
    expect(await held.acked).toMatchObject({ ok: true, required: [] });
    expect(a.frames).toHaveLength(1);
    expect(dispatcher.subscriberCount()).toBe(0);
  });

  it('lists only recipients that took the frame', () => {
    const { add, submit } = setup();
    add(1, BIT.AUDIT);
    add(2, BIT.AUDIT).accepting = false;
    const d = submit({ type: 'audit', usid: 1, user: 'admin', msg: 'hello' } as NotificationInput);
    expect(d.recipients).toEqual([1]);
  });

  it('close() cancels what is still held: sent resolves empty, acked settles not ok', async () => {
    const { dispatcher, add, submit } = setup();
    add(1, BIT.COMMIT_DIFF);
    submit({ type: 'commit-diff', th: 9 });
    const held = submit({ type: 'commit-diff', th: 9 });
    dispatcher.close();
    expect(await held.sent).toEqual([]);
    expect(await held.acked).toMatchObject({ ok: false, expected: { kind: 'diff-done', th: 9 }, required: [] });
    // Stopped: an ack no longer releases anything.
    dispatcher.acks.receive(1, { kind: 'diff-done', th: 9 });
    expect(held.recipients).toEqual([]);
  });
});

describe('the socket-free parts', () => {
  const serverDir = join(dirname(fileURLToPath(import.meta.url)), '../../src/server');
  /** Every module specifier a file imports, and those of the server files it imports, transitively. */
  function importsOf(file: string, seen = new Set<string>()): Set<string> {
    if (seen.has(file)) return new Set();
    seen.add(file);
    const source = readFileSync(join(serverDir, file), 'utf8');
    const specs = new Set<string>();
    // `import … from 'x'`, `export … from 'x'`, `import 'x'` and `import('x')`.
    for (const m of source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1] ?? m[2] ?? '';
      specs.add(spec);
      if (spec.startsWith('./')) for (const s of importsOf(spec.slice(2).replace(/\.js$/, '.ts'), seen)) specs.add(s);
    }
    return specs;
  }

  // Each with an import it must have, so a scan that finds nothing cannot pass.
  for (const [file, needs] of [
    ['dispatcher.ts', './ack-tracker.js'],
    ['stream-hub.ts', './streams.js'],
  ] as const) {
    it(`${file} imports no node:net, node:stream or connection.ts (also not through the server files it imports)`, () => {
      const specs = importsOf(file);
      expect(specs.size).toBeGreaterThan(3);
      expect(specs).toContain(needs);
      expect(specs).toContain('../codec/index.js');
      for (const banned of ['node:net', 'net', 'node:stream', 'stream', 'node:dgram', './connection.js', './listener.js', './mock-server.js']) {
        expect(specs, `${file} imports ${banned}`).not.toContain(banned);
      }
    });
  }
});
