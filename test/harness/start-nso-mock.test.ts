/**
 * The in-process test API: startNsoMock's RunningNsoMock over real TCP sockets, driven by the
 * package's own client (an independent peer: it imports the codec only).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NotifClient } from '../../src/client/index.js';
import { NOTIF } from '../../src/codec/index.js';
import { ManualClock } from '../../src/server/index.js';
import { HarnessError, startNsoMock, type RunningNsoMock, type UnexpectedFrame } from '../../src/harness/index.js';
import { scaled } from '../support/time-scale.js';

const open: { mocks: RunningNsoMock[]; clients: NotifClient[] } = { mocks: [], clients: [] };
afterEach(async () => {
  for (const c of open.clients.splice(0)) await c.close();
  for (const m of open.mocks.splice(0)) await m.close();
});

async function started(options: Parameters<typeof startNsoMock>[0] = {}): Promise<RunningNsoMock> {
  const mock = await startNsoMock({ ackTimeoutMs: 2000, ...options });
  open.mocks.push(mock);
  return mock;
}

async function client(mock: RunningNsoMock, mask: number, autoAck = false): Promise<NotifClient> {
  const tcp = mock.addresses.tcp;
  if (tcp === undefined) throw new Error('no TCP address');
  const c = await connect(tcp, { mask, autoAck });
  open.clients.push(c);
  return c;
}

describe('startNsoMock', () => {
  it('listens on a random loopback port by default and closes with await using', async () => {
    let port = 0;
    {
      await using mock = await startNsoMock();
      port = mock.addresses.tcp?.port ?? 0;
      expect(mock.addresses.tcp?.host).toBe('127.0.0.1');
      expect(port).toBeGreaterThan(0);
      const c = await client(mock, NOTIF.AUDIT);
      expect(mock.subscribers).toHaveLength(1);
      await c.close();
    }
    await expect(connect({ host: '127.0.0.1', port }, { mask: NOTIF.AUDIT, timeoutMs: 2000 })).rejects.toMatchObject({
      code: 'NSOMOCK_CLIENT_CONNECT_FAILED',
    });
  });

  it('emit() resolves once a commit diff is acked, and exposes the Delivery at once', async () => {
    const mock = await started();
    const c = await client(mock, NOTIF.COMMIT_DIFF);
    const handle = mock.emit({ type: 'commit-diff', th: 17 });
    expect(handle.notification.type).toBe('commit-diff');
    const received = await c.next();
    expect(received.notification).toMatchObject({ type: 'commit-diff', th: 17 });
    let settled = false;
    const done = Promise.resolve(handle).then((r) => {
      settled = true;
      return r;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false); // still waiting for {17, done}
    await c.diffDone(17);
    const result = await done;
    expect(result.outcome?.ok).toBe(true);
    expect(result.recipients).toEqual([mock.subscribers[0]?.id]);
    mock.assertNoPendingAcks();
  });

  it('emit() of a kind without ack resolves when written', async () => {
    const mock = await started();
    await client(mock, NOTIF.DAEMON);
    const result = await mock.emit({ type: 'daemon', msg: 'hello' });
    expect(result.outcome?.ok).toBe(true);
    expect(result.outcome?.expected).toBeUndefined();
  });

  it('emit() rejects with NSOMOCK_HARNESS_TIMEOUT when the ack does not come', async () => {
    const mock = await started();
    await client(mock, NOTIF.COMMIT_DIFF);
    const error = await Promise.resolve(mock.emit({ type: 'commit-diff', th: 5 }, { within: 100 })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HarnessError);
    expect(error).toMatchObject({ code: 'NSOMOCK_HARNESS_TIMEOUT', details: { waitedMs: 100 } });
    expect((error as HarnessError).details.pending?.[0]?.expected).toEqual({ kind: 'diff-done', th: 5 });
  });

  it('emit() rejects with NSOMOCK_SERVER_ACK_FAILED when the subscriber disconnects instead of acking', async () => {
    const mock = await started();
    const c = await client(mock, NOTIF.COMMIT_DIFF);
    const handle = mock.emit({ type: 'commit-diff', th: 6 });
    await c.next();
    await c.close();
    await expect(handle).rejects.toMatchObject({ code: 'NSOMOCK_SERVER_ACK_FAILED' });
  });

  it('assertNoPendingAcks() throws a readable table of what is still owed', async () => {
    const mock = await started();
    await client(mock, NOTIF.COMMIT_DIFF | NOTIF.AUDIT | NOTIF.AUDIT_SYNC);
    mock.emit({ type: 'commit-diff', th: 17 }, { noWait: true });
    mock.emit({ type: 'audit', usid: 42, msg: 'x' }, { noWait: true });
    await mock.waitFor(() => mock.harness.pendingAckRows().length === 2, { within: scaled(2000) });
    let thrown: unknown;
    try {
      mock.assertNoPendingAcks();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'NSOMOCK_HARNESS_PENDING_ACKS' });
    const message = (thrown as Error).message;
    expect(message).toContain('2 acks are still pending');
    expect(message).toContain('{17,done}');
    expect(message).toContain('{42,synced}');
    expect(message).toMatch(/│ connection │ peer\s+│ owes/);
    expect((thrown as HarnessError).details.pending).toHaveLength(2);
  });

  it('waitFor, waitForSubscribers and waitForAck resolve on server events and time out with a code', async () => {
    const mock = await started();
    const pending = mock.waitForSubscribers(1, { within: scaled(2000), mask: NOTIF.COMMIT_DIFF });
    const c = await client(mock, NOTIF.COMMIT_DIFF | NOTIF.AUDIT);
    const [sub] = await pending;
    expect(sub?.subscription.mask).toBe(NOTIF.COMMIT_DIFF | NOTIF.AUDIT);
    mock.emit({ type: 'commit-diff', th: 99 }, { noWait: true });
    await c.next();
    await c.diffDone(99);
    const ack = await mock.waitForAck({ th: 99 }, { within: scaled(2000) });
    expect(ack).toMatchObject({ connectionId: sub?.id, result: 'matched', ack: { kind: 'diff-done', th: 99 } });
    // Already received acks count: a second wait resolves at once.
    await expect(mock.waitForAck({ kind: 'diff-done' }, { within: 10 })).resolves.toMatchObject({ seq: 0 });
    await expect(mock.waitForAck({ th: 100 }, { within: 50 })).rejects.toMatchObject({
      code: 'NSOMOCK_HARNESS_TIMEOUT',
      details: { awaiting: 'an ack with th 100' },
    });
  });

  it('waitFor polls: a predicate about something the server never reports resolves on the next poll', async () => {
    const clock = new ManualClock({ now: 1_000_000 });
    const mock = await started({ clock, tcp: false });
    let consumerPrinted = false; // stands for a consumer's output: no server event follows it
    const polled = mock.waitFor(() => consumerPrinted && 'seen', { within: scaled(5000), interval: 100 });
    const eventsOnly = mock.waitFor(() => consumerPrinted && 'seen', { within: scaled(5000), interval: 0 });
    let polledValue: string | undefined;
    void polled.then((v) => (polledValue = v));
    const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve)); // microtasks, not time
    await settle();
    clock.advance(100); // the first poll: still false
    await settle();
    consumerPrinted = true;
    await settle();
    expect(polledValue).toBeUndefined(); // no server event, no poll yet
    clock.advance(99);
    await settle();
    expect(polledValue).toBeUndefined();
    clock.advance(1); // the second poll, 200 ms in
    await settle();
    expect(polledValue).toBe('seen');
    // interval 0 re-checks on server events only: nothing happens here until the deadline.
    clock.advance(5000);
    await expect(eventsOnly).rejects.toMatchObject({ code: 'NSOMOCK_HARNESS_TIMEOUT' });
    // A finished wait leaves no poll timer behind.
    expect(clock.pendingTimers()).toBe(0);
    await expect(mock.waitFor(() => true, { within: 10, interval: -1 })).rejects.toMatchObject({ code: 'NSOMOCK_USAGE' });
  });

  it("the 'error' policy rejects the wait in flight when the client sends a wrong ack", async () => {
    const mock = await started();
    const c = await client(mock, NOTIF.COMMIT_DIFF);
    const handle = mock.emit({ type: 'commit-diff', th: 17 });
    await c.next();
    await c.diffDone(18);
    await expect(handle).rejects.toMatchObject({ code: 'NSOMOCK_HARNESS_UNEXPECTED_FRAME', details: { violation: 'ack-unknown-handle' } });
    expect(mock.violations.map((v) => v.code)).toEqual(['ack-unknown-handle']);
  });

  it("the 'error' policy throws at the next call when nothing was waiting", async () => {
    const mock = await started();
    const c = await client(mock, NOTIF.COMMIT_DIFF);
    // Not through waitFor: a wait in flight would receive the error itself.
    const violation = new Promise((resolve) => mock.server.once('violation', resolve));
    await c.diffDone(1234);
    await violation;
    expect(() => mock.assertNoPendingAcks()).toThrow(expect.objectContaining({ code: 'NSOMOCK_HARNESS_UNEXPECTED_FRAME' }));
    expect(() => mock.assertNoPendingAcks()).not.toThrow(); // reported once
  });

  it("'warn' logs, 'ignore' stays silent, a callback sees the frame", async () => {
    const warnings: string[] = [];
    const warn = await started({ onUnexpectedFrame: 'warn', logger: { warn: (m: string) => warnings.push(m) } });
    const seen: UnexpectedFrame[] = [];
    const ignore = await started({ onUnexpectedFrame: 'ignore' });
    const callback = await started({ onUnexpectedFrame: (f) => void seen.push(f) });
    for (const mock of [warn, ignore, callback]) {
      const c = await client(mock, NOTIF.COMMIT_DIFF);
      await c.diffDone(7);
      await mock.waitFor(() => mock.violations.length > 0, { within: scaled(2000) });
      expect(() => mock.assertNoPendingAcks()).not.toThrow();
    }
    expect(warnings).toEqual([expect.stringContaining('ack-unknown-handle')]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.violation.code).toBe('ack-unknown-handle');
    expect(seen[0]?.term).toBeDefined();
    expect(seen[0]?.text).toContain('ack-unknown-handle');
  });

  it('a throwing callback turns the frame into an error', async () => {
    const mock = await started({
      onUnexpectedFrame: () => {
        throw new Error('no stray acks in this test');
      },
    });
    const c = await client(mock, NOTIF.COMMIT_DIFF);
    const violation = new Promise((resolve) => mock.server.once('violation', resolve));
    await c.diffDone(8);
    await violation;
    let thrown: unknown;
    try {
      mock.assertNoPendingAcks();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'NSOMOCK_HARNESS_UNEXPECTED_FRAME' });
    expect((thrown as Error).cause).toMatchObject({ message: 'no stray acks in this test' });
  });

  it('journal, violations, acks and subscribers reflect the traffic; reset() forgets it', async () => {
    const mock = await started({ onUnexpectedFrame: 'ignore' });
    const c = await client(mock, NOTIF.COMMIT_DIFF, true);
    await mock.emit({ type: 'commit-diff', th: 3 });
    await c.diffDone(4);
    await mock.waitFor(() => mock.violations.length === 1, { within: scaled(2000) });
    expect(mock.journal.some((e) => e.direction === 'out' && e.kind === 'frame')).toBe(true);
    expect(mock.acks.map((a) => a.result)).toEqual(['matched', 'ack-unknown-handle']);
    mock.reset();
    expect(mock.journal).toEqual([]);
    expect(mock.violations).toEqual([]);
    expect(mock.acks).toEqual([]);
    expect(mock.subscribers).toHaveLength(1); // connections survive a reset
    mock.reset({ disconnect: true });
    await c.closed;
    await mock.waitFor(() => mock.subscribers.length === 0, { within: scaled(2000) });
  });

  it('waitForSubscribers counts on every server event and builds the subscriber list only when the count is reached', async () => {
    // 1,000 subscribers took seconds when every event rebuilt the list (quadratic): count the
    // rebuilds instead of timing them.
    const mock = await started();
    const real = mock.server.subscribers.bind(mock.server);
    let built = 0;
    mock.server.subscribers = () => {
      built += 1;
      return real();
    };
    const k = 12;
    const pending = mock.waitForSubscribers(k, { within: 10_000, mask: NOTIF.AUDIT });
    for (let i = 0; i < k; i += 1) await client(mock, i % 2 === 0 ? NOTIF.AUDIT : NOTIF.AUDIT | NOTIF.COMMIT_DIFF);
    const subs = await pending;
    expect(subs).toHaveLength(k);
    expect(built).toBeLessThanOrEqual(2);
    expect(mock.server.subscriberCount()).toBe(k);
    expect(mock.server.subscriberCount(NOTIF.AUDIT)).toBe(k);
    expect(mock.server.subscriberCount(NOTIF.COMMIT_DIFF)).toBe(k / 2);
    expect(mock.server.subscriberCount(NOTIF.COMMIT_DIFF)).toBe(real().filter((s) => (s.subscription.mask & NOTIF.COMMIT_DIFF) !== 0).length);
  });

  it('close() is idempotent and rejects waits in flight', async () => {
    const mock = await started();
    const waiting = mock.waitForSubscribers(1, { within: scaled(5000) });
    await Promise.all([mock.close(), mock.close()]);
    await expect(waiting).rejects.toBeInstanceOf(HarnessError);
  });
});
