/**
 * Model-based test (fast-check `commands`, STYLE.md §5.3) of connect / emit / ack / drop sequences
 * over a real Unix socket, against a small model of §10.1 delivery and §12 blocking: who must
 * receive what, in which order, what is queued, and which acks stay pending.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connect, type NotifClient, type ReceivedNotification } from '../../src/client/index.js';
import { NOTIF, type NotificationInput } from '../../src/codec/index.js';
import type { Delivery, MockServer } from '../../src/server/index.js';
import { fcRuns } from '../support/fc-config.js';
import { startServer, waitFor, type Started } from './helpers.js';

type Kind = 'commit-diff' | 'audit' | 'ha-info' | 'daemon';
const BITS: Record<Kind, number> = { 'commit-diff': NOTIF.COMMIT_DIFF, audit: NOTIF.AUDIT, 'ha-info': NOTIF.HA_INFO, daemon: NOTIF.DAEMON };
const MASKS = [
  NOTIF.COMMIT_DIFF,
  NOTIF.AUDIT,
  NOTIF.AUDIT | NOTIF.AUDIT_SYNC,
  NOTIF.HA_INFO,
  NOTIF.HA_INFO | NOTIF.HA_INFO_SYNC | NOTIF.DAEMON,
  NOTIF.DAEMON | NOTIF.AUDIT | NOTIF.COMMIT_DIFF,
  NOTIF.COMMIT_DIFF | NOTIF.AUDIT | NOTIF.AUDIT_SYNC | NOTIF.HA_INFO | NOTIF.HA_INFO_SYNC | NOTIF.DAEMON,
];

interface Emission {
  readonly label: string;
  readonly kind: Kind;
  readonly scope: string | undefined;
  readonly input: NotificationInput;
  readonly delivery: Delivery;
  /** Model verdict once settled. */
  outcome?: 'ok' | 'failed';
}

interface Handshake {
  readonly emission: Emission;
  readonly remaining: Set<number>;
  missing: boolean;
}

interface Slot {
  client: NotifClient | undefined;
  id: number;
  mask: number;
  expected: string[];
}

class Model {
  readonly slots: Slot[] = Array.from({ length: 4 }, () => ({ client: undefined, id: 0, mask: 0, expected: [] }));
  readonly open: Handshake[] = [];
  readonly queues = new Map<string, Emission[]>();
  readonly emissions: Emission[] = [];
  seq = 0;

  blocked(scope: string): boolean {
    return this.open.some((h) => h.emission.scope === scope) || (this.queues.get(scope)?.length ?? 0) > 0;
  }

  /** Delivers now: recipients by mask (§10.1), handshake for those who must ack (§12.1). Returns recipient ids. */
  deliver(e: Emission): number[] {
    const recipients: number[] = [];
    const owing = new Set<number>();
    for (const [i, slot] of this.slots.entries()) {
      if (slot.client === undefined || (slot.mask & BITS[e.kind]) === 0) continue;
      recipients.push(slot.id);
      slot.expected.push(e.label);
      const must = e.kind === 'commit-diff' || (e.kind === 'audit' && (slot.mask & NOTIF.AUDIT_SYNC) !== 0) || (e.kind === 'ha-info' && (slot.mask & NOTIF.HA_INFO_SYNC) !== 0);
      if (must) owing.add(i);
    }
    if (owing.size > 0) this.open.push({ emission: e, remaining: owing, missing: false });
    else e.outcome = 'ok';
    // The server delivers in subscription order; ids are handed out in that order here.
    return recipients.sort((a, b) => a - b);
  }

  /** A handshake lost its last owed ack: settle it and release its scope's queue (§12.2). */
  settle(h: Handshake): void {
    this.open.splice(this.open.indexOf(h), 1);
    h.emission.outcome = h.missing ? 'failed' : 'ok';
    const scope = h.emission.scope;
    if (scope === undefined) return;
    const queue = this.queues.get(scope) ?? [];
    while (queue.length > 0 && !this.open.some((o) => o.emission.scope === scope)) {
      const next = queue.shift();
      if (next !== undefined) this.deliver(next);
    }
  }

  /** The acks each connection owes, as the server reports them. */
  owed(): { connectionId: number; pending: string[] }[] {
    const out: { connectionId: number; pending: string[] }[] = [];
    for (const [i, slot] of this.slots.entries()) {
      if (slot.client === undefined) continue;
      const pending = this.open.filter((h) => h.remaining.has(i)).map((h) => h.emission.scope ?? '?');
      if (pending.length > 0) out.push({ connectionId: slot.id, pending });
    }
    return out.sort((a, b) => a.connectionId - b.connectionId);
  }
}

interface Real {
  readonly st: Started;
  readonly server: MockServer;
}

function scopeOfAck(ack: { kind: string; th?: number; usid?: number }): string {
  return ack.kind === 'diff-done' ? `th:${ack.th}` : ack.kind === 'audit-synced' ? `audit:${ack.usid}` : 'ha';
}

function checkPending(m: Model, r: Real): void {
  const real = r.server
    .pendingAcks()
    .map((p) => ({ connectionId: p.connectionId, pending: p.pending.map((x) => scopeOfAck(x.expected as { kind: string; th?: number; usid?: number })) }));
  expect(real).toEqual(m.owed());
}

class ConnectCmd implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly slot: number,
    readonly mask: number,
  ) {}
  check(m: Readonly<Model>): boolean {
    return m.slots[this.slot]?.client === undefined;
  }
  async run(m: Model, r: Real): Promise<void> {
    const client = await connect({ path: r.st.unix }, { mask: this.mask });
    const slot = m.slots[this.slot];
    if (slot === undefined) throw new Error('no slot');
    const info = r.server.subscribers().at(-1);
    slot.client = client;
    slot.id = info?.id ?? -1;
    slot.mask = this.mask;
    slot.expected = [];
    expect(info?.subscription.mask).toBe(this.mask);
    checkPending(m, r);
  }
  toString(): string {
    return `connect(${this.slot}, ${this.mask})`;
  }
}

class EmitCmd implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly kind: Kind,
    readonly key: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: Model, r: Real): Promise<void> {
    const label = `#${(m.seq += 1)}`;
    const input: NotificationInput =
      this.kind === 'commit-diff'
        ? { type: 'commit-diff', th: this.key, comment: label, label: '' }
        : this.kind === 'audit'
          ? { type: 'audit', usid: this.key, msg: label }
          : this.kind === 'ha-info'
            ? { type: 'ha-info', event: 'secondary-arrived', node: { nodeid: label, addr: '10.0.0.1' } }
            : { type: 'daemon', msg: label };
    const scope = this.kind === 'commit-diff' ? `th:${this.key}` : this.kind === 'audit' ? `audit:${this.key}` : this.kind === 'ha-info' ? 'ha' : undefined;
    const delivery = r.server.emit(input);
    const e: Emission = { label, kind: this.kind, scope, input, delivery };
    m.emissions.push(e);
    if (scope !== undefined && m.blocked(scope)) {
      const q = m.queues.get(scope) ?? [];
      q.push(e);
      m.queues.set(scope, q);
      expect(delivery.queued).toBe(true);
      expect(delivery.recipients).toEqual([]);
    } else {
      const recipients = m.deliver(e);
      expect(delivery.queued).toBe(false);
      expect(delivery.recipients).toEqual(recipients);
    }
    checkPending(m, r);
  }
  toString(): string {
    return `emit(${this.kind}, ${this.key})`;
  }
}

class AckCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check(m: Readonly<Model>): boolean {
    return m.open.length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    // Pick an owed (slot, handshake) pair; the client acks its oldest handshake of that scope.
    const pairs = m.open.flatMap((h) => [...h.remaining].map((slot) => ({ h, slot })));
    const pair = pairs[this.pick % pairs.length];
    if (pair === undefined) return;
    const h = m.open.find((o) => o.emission.scope === pair.h.emission.scope && o.remaining.has(pair.slot));
    const slot = m.slots[pair.slot];
    if (h === undefined || slot?.client === undefined) return;
    const seen = waitFor(r.server, 'ack', (e) => e.connectionId === slot.id);
    const scope = h.emission.scope ?? '';
    if (scope.startsWith('th:')) await slot.client.diffDone(Number(scope.slice(3)));
    else if (scope.startsWith('audit:')) await slot.client.syncAudit(Number(scope.slice(6)));
    else await slot.client.syncHa();
    const [event] = await seen;
    expect(event.result).toBe('matched');
    h.remaining.delete(pair.slot);
    if (h.remaining.size === 0) m.settle(h);
    checkPending(m, r);
  }
  toString(): string {
    return `ack(${this.pick})`;
  }
}

class DropCmd implements fc.AsyncCommand<Model, Real> {
  constructor(readonly slot: number) {}
  check(m: Readonly<Model>): boolean {
    return m.slots[this.slot]?.client !== undefined;
  }
  async run(m: Model, r: Real): Promise<void> {
    const slot = m.slots[this.slot];
    const client = slot?.client;
    if (slot === undefined || client === undefined) return;
    const closed = waitFor(r.server, 'closed', (e) => e.connectionId === slot.id);
    await client.close();
    const [event] = await closed;
    // §12.3: what it owed is reported and released.
    expect(event.pendingAcks.length).toBe(m.open.filter((h) => h.remaining.has(this.slot)).length);
    const got = (await client.drain()).map(labelOf);
    slot.client = undefined;
    for (const h of [...m.open]) {
      if (!h.remaining.delete(this.slot)) continue;
      h.missing = true;
      if (h.remaining.size === 0) m.settle(h);
    }
    // The client may not have read its last frames before closing; what it did read is a prefix.
    expect(slot.expected.slice(0, got.length)).toEqual(got);
    checkPending(m, r);
  }
  toString(): string {
    return `drop(${this.slot})`;
  }
}

function labelOf(r: ReceivedNotification): string {
  const n = r.notification as unknown as Record<string, unknown>;
  if (typeof n['msg'] === 'string') return n['msg'];
  if (typeof n['comment'] === 'string') return n['comment'];
  const node = n['node'] as { nodeid?: { value?: unknown } | unknown } | undefined;
  const id = (node?.nodeid as { value?: unknown } | undefined)?.value ?? node?.nodeid;
  return typeof id === 'string' ? id : JSON.stringify(n);
}

describe('properties', () => {
  it('connect/emit/ack/drop against the delivery and handshake model', async () => {
    const commands = [
      fc.tuple(fc.nat(3), fc.constantFrom(...MASKS)).map(([slot, mask]) => new ConnectCmd(slot, mask)),
      fc.tuple(fc.constantFrom<Kind>('commit-diff', 'audit', 'ha-info', 'daemon'), fc.integer({ min: 1, max: 2 })).map(([k, key]) => new EmitCmd(k, key)),
      fc.nat(20).map((pick) => new AckCmd(pick)),
      fc.nat(3).map((slot) => new DropCmd(slot)),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
        const st = await startServer({ eventReplyTimeoutMs: 0 });
        const model = new Model();
        try {
          await fc.asyncModelRun(() => ({ model, real: { st, server: st.server } }), cmds);
          // Settled handshakes report the model's verdict.
          for (const e of model.emissions) {
            if (e.outcome === undefined) continue;
            expect((await e.delivery.acked).ok).toBe(e.outcome === 'ok');
          }
          // Whatever each live client was sent, it receives completely and in order.
          const live = model.slots.filter((s) => s.client !== undefined);
          await st.server.drained();
          await st.close();
          for (const slot of live) {
            const got = (await slot.client?.drain())?.map(labelOf);
            expect(got).toEqual(slot.expected);
          }
        } finally {
          await Promise.all(model.slots.map((s) => s.client?.close()));
          await st.close();
        }
      }),
      { numRuns: fcRuns() },
    );
  });
});
