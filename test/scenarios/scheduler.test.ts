import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NOTIF } from '../../src/codec/index.js';
import { ManualClock } from '../../src/server/index.js';
import { scenarioFromDocument } from '../../src/scenarios/load.js';
import type { ScenarioDocument } from '../../src/scenarios/scenario.js';
import { assertRunPassed, deriveSeed, playScenario, type RunLogEvent } from '../../src/scenarios/scheduler.js';
import { fcRuns } from '../support/fc-config.js';
import { drive, FakeTarget } from './fake-target.js';

const T0 = Date.UTC(2026, 0, 1);

async function setup(doc: Omit<ScenarioDocument, 'name'> & { name?: string }) {
  const clock = new ManualClock({ now: T0 });
  const target = new FakeTarget(clock);
  const scenario = await scenarioFromDocument({ name: 'test', seed: 7, ...doc });
  return { clock, target, scenario };
}

describe('playScenario', () => {
  it('passes when every recipient acks a commit-diff in time, and records the latency', async () => {
    const { clock, target, scenario } = await setup({
      steps: [{ emit: { type: 'commit-diff', th: 1001 } }, { 'expect-ack': { th: 1001, within: '2s' } }],
    });
    const a = target.subscribe(NOTIF.COMMIT_DIFF);
    const b = target.subscribe(NOTIF.COMMIT_DIFF | NOTIF.AUDIT);
    const report = await drive(clock, playScenario(scenario, target, { clock }), {
      at: { 500: () => target.ack(a, { kind: 'diff-done', th: 1001 }), 1500: () => target.ack(b, { kind: 'diff-done', th: 1001 }) },
    });
    expect(report.status).toBe('passed');
    expect(report.steps.map((s) => [s.kind, s.status, s.durationMs])).toEqual([
      ['emit', 'passed', 0],
      ['expect-ack', 'passed', 1500],
    ]);
    expect(report.acks.map((x) => [x.connectionId, x.ack, x.latencyMs])).toEqual([
      [a, '{1001,done}', 500],
      [b, '{1001,done}', 1500],
    ]);
    expect(report.connections.map((c) => [c.id, c.delivered, c.acks])).toEqual([
      [a, { 'commit-diff': 1 }, 1],
      [b, { 'commit-diff': 1 }, 1],
    ]);
  });

  it('fails an expect-ack at its deadline, names the missing ack, and skips the rest (fail-fast)', async () => {
    const { clock, target, scenario } = await setup({
      steps: [{ emit: { type: 'commit-diff', th: 7 } }, { 'expect-ack': { th: 7, within: '2s' } }, { log: 'never' }],
    });
    const c = target.subscribe(NOTIF.COMMIT_DIFF);
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(report.status).toBe('failed');
    expect(report.steps.map((s) => s.status)).toEqual(['passed', 'failed', 'skipped']);
    expect(report.steps[1]?.error).toBe(`connection ${c} did not send {7,done} within 2s`);
    expect(report.steps[1]?.durationMs).toBe(2000);
    // Reported once, by the step (the end-of-run check does not repeat it).
    expect(report.failures).toEqual([`(document): expect-ack (steps[1]): connection ${c} did not send {7,done} within 2s`]);
    expect(report.pendingAcks).toEqual([{ connectionId: c, ack: '{7,done}', since: 0 }]);
    expect(report.log).toEqual([]);
  });

  it('runs on after a failure with fail-fast off', async () => {
    const { clock, target, scenario } = await setup({
      options: { 'fail-fast': false, 'require-acks': false },
      steps: [{ emit: { type: 'commit-diff', th: 7 } }, { 'expect-ack': { th: 7, within: '100ms' } }, { log: 'still here' }],
    });
    target.subscribe(NOTIF.COMMIT_DIFF);
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(report.steps.map((s) => s.status)).toEqual(['passed', 'failed', 'passed']);
    expect(report.log).toEqual([{ at: 100, message: 'still here' }]);
    expect(report.status).toBe('failed');
  });

  it('waits for subscribers with the right mask, and times out with a count', async () => {
    const { clock, target, scenario } = await setup({
      steps: [{ 'await-subscribers': { count: 2, mask: ['commit-diff', 'audit-sync'], within: '5s' } }],
    });
    const report = await drive(clock, playScenario(scenario, target, { clock }), {
      at: { 1000: () => target.subscribe(NOTIF.COMMIT_DIFF | NOTIF.AUDIT_SYNC), 2000: () => target.subscribe(NOTIF.COMMIT_DIFF) },
    });
    expect(report.steps[0]?.status).toBe('failed');
    expect(report.steps[0]?.durationMs).toBe(5000);
    expect(report.steps[0]?.error).toBe(
      '1 of 2 subscribers with mask 131088 (commit-diff, audit-sync) connected within 5s; connection 2 subscribed with mask 16 (commit-diff), without audit-sync',
    );
  });

  it('names the bits a subscriber with the wrong mask lacks when await-subscribers times out', async () => {
    const { clock, target, scenario } = await setup({ steps: [{ 'await-subscribers': { count: 1, mask: ['commit-diff'], within: '2s' } }] });
    const report = await drive(clock, playScenario(scenario, target, { clock }), { at: { 10: () => target.subscribe(NOTIF.AUDIT) } });
    expect(report.steps[0]?.error).toBe(
      '0 of 1 subscriber with mask 16 (commit-diff) connected within 2s; connection 1 subscribed with mask 1 (audit), without commit-diff',
    );
  });

  it('resolves await-subscribers as soon as enough subscribe', async () => {
    const { clock, target, scenario } = await setup({ steps: [{ 'await-subscribers': { count: 1 } }] });
    const report = await drive(clock, playScenario(scenario, target, { clock }), { at: { 1234: () => target.subscribe(NOTIF.AUDIT) } });
    expect(report.steps[0]).toMatchObject({ status: 'passed', durationMs: 1234 });
    expect(report.connections[0]).toMatchObject({ mask: NOTIF.AUDIT, subscribedAt: 1234 });
  });

  it('repeats steps on the clock', async () => {
    const { clock, target, scenario } = await setup({
      steps: [{ repeat: { times: 3, steps: [{ emit: { type: 'heartbeat' } }, { wait: '10ms' }] } }],
    });
    target.subscribe(NOTIF.HEARTBEAT);
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(report.steps[0]).toMatchObject({ status: 'passed', iterations: 3, durationMs: 30 });
    expect(target.emitted.map((e) => e.notification.type)).toEqual(['heartbeat', 'heartbeat', 'heartbeat']);
    expect(report.totals.notifications).toBe(3);
  });

  it('a repeat of plain emits runs them in batches of 1,000 without yielding (a connection writes a batch as one buffer)', async () => {
    const { clock, target, scenario } = await setup({
      steps: [{ repeat: { times: 2500, steps: [{ emit: { type: 'reopen-logs' } }, { emit: { type: 'heartbeat' } }] } }],
    });
    target.subscribe(NOTIF.REOPEN_LOGS | NOTIF.HEARTBEAT);
    // A microtask queued at a batch's first emit runs only when the player yields: it sees how
    // many emits ran in that batch. Counting, not timing.
    const batches: number[] = [];
    let open = false;
    target.on('delivered', () => {
      if (open) return;
      open = true;
      const before = target.emitted.length; // the target records an emission after its deliveries
      queueMicrotask(() => {
        open = false;
        batches.push(target.emitted.length - before);
      });
    });
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(report.steps[0]).toMatchObject({ status: 'passed', iterations: 2500 });
    expect(report.steps[0]?.children?.map((c) => [c.kind, c.status])).toEqual([
      ['emit', 'passed'],
      ['emit', 'passed'],
    ]);
    expect(target.emitted).toHaveLength(5000);
    // 1,000 emits, then a yield (checked before an iteration: iterations of 2 emits), ...
    expect(batches).toEqual([1000, 1000, 1000, 1000, 1000]);
  });

  it('matches each ack to the oldest emission of its handshake that still owes it', async () => {
    const { clock, target, scenario } = await setup({
      steps: [
        { repeat: { times: 3, steps: [{ emit: { type: 'commit-diff', th: 5 } }, { wait: '100ms' }] } },
        { 'expect-ack': { th: 5, within: '2s' } },
      ],
    });
    const c = target.subscribe(NOTIF.COMMIT_DIFF);
    const report = await drive(clock, playScenario(scenario, target, { clock }), {
      at: {
        250: () => target.ack(c, { kind: 'diff-done', th: 5 }),
        260: () => target.ack(c, { kind: 'diff-done', th: 5 }),
        270: () => target.ack(c, { kind: 'diff-done', th: 5 }),
      },
    });
    expect(report.status).toBe('passed');
    // Emitted at 0, 100, 200: the acks answer them in that order.
    expect(report.acks.map((a) => a.latencyMs)).toEqual([250, 160, 70]);
    expect(report.pendingAcks).toEqual([]);
  });

  it('runs parallel branches at the same time', async () => {
    const { clock, target, scenario } = await setup({
      steps: [{ parallel: [{ wait: '1s' }, { sequence: [{ wait: '300ms' }, { emit: { type: 'reopen-logs' } }] }] }],
    });
    target.subscribe(NOTIF.REOPEN_LOGS);
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(report.steps[0]).toMatchObject({ status: 'passed', durationMs: 1000 });
    expect(report.steps[0]?.children?.map((c) => c.durationMs)).toEqual([1000, 300]);
  });

  it('wait-ack blocks the emit until the audit-sync subscriber acks', async () => {
    const { clock, target, scenario } = await setup({
      defaults: { usid: 42 },
      steps: [{ emit: { type: 'audit', msg: 'commit', 'wait-ack': '3s' } }, { log: 'after' }],
    });
    const synced = target.subscribe(NOTIF.AUDIT | NOTIF.AUDIT_SYNC);
    target.subscribe(NOTIF.AUDIT); // no sync flag: owes nothing (PROTOCOL.md §11.1)
    const report = await drive(clock, playScenario(scenario, target, { clock }), {
      at: { 800: () => target.ack(synced, { kind: 'audit-synced', usid: 42 }) },
    });
    expect(report.status).toBe('passed');
    expect(report.steps[0]?.durationMs).toBe(800);
    expect(report.log).toEqual([{ at: 800, message: 'after' }]);
  });

  it('fails expect-ack when nobody had to ack (no subscriber has the sync flag)', async () => {
    const { clock, target, scenario } = await setup({
      steps: [{ emit: { type: 'audit', usid: 5 } }, { 'expect-ack': { usid: 5, within: '1s' } }],
    });
    target.subscribe(NOTIF.AUDIT);
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(report.steps[1]?.error).toBe('nobody had to send {5,synced}: no recipient subscribed to audit with its sync flag');
  });

  it('reports a connection that closes instead of acking', async () => {
    const { clock, target, scenario } = await setup({
      steps: [{ emit: { type: 'ha-info', event: 'secondary-died', node: { nodeid: 'n2', addr: '10.0.0.2' } } }, { 'expect-ack': { ha: true, within: '5s' } }],
    });
    const c = target.subscribe(NOTIF.HA_INFO | NOTIF.HA_INFO_SYNC);
    const report = await drive(clock, playScenario(scenario, target, { clock }), { at: { 100: () => target.disconnect(c) } });
    expect(report.steps[1]?.error).toBe(`connection ${c} closed without sending ha_synced`);
    expect(report.steps[1]?.durationMs).toBe(100);
  });

  it('expect-no-ack fails as soon as a matching ack arrives, and passes after its window otherwise', async () => {
    const { clock, target, scenario } = await setup({
      options: { 'fail-fast': false, 'require-acks': false },
      steps: [{ emit: { type: 'commit-diff', th: 3 } }, { 'expect-no-ack': { th: 3, for: '1s' } }, { 'expect-no-ack': { for: '1s' } }],
    });
    const c = target.subscribe(NOTIF.COMMIT_DIFF);
    const report = await drive(clock, playScenario(scenario, target, { clock }), { at: { 400: () => target.ack(c, { kind: 'diff-done', th: 3 }) } });
    expect(report.steps.map((s) => [s.status, s.durationMs])).toEqual([
      ['passed', 0],
      ['failed', 400],
      ['passed', 1000],
    ]);
    expect(report.steps[1]?.error).toBe(`connection ${c} sent {3,done} (expected no {3,done} for 1s)`);
  });

  it('expect-violation claims a violation; an unclaimed one fails the run', async () => {
    const { clock, target, scenario } = await setup({
      steps: [{ 'expect-violation': { code: 'bad-term', within: '2s' } }, { wait: '1s' }],
    });
    const c = target.subscribe(NOTIF.AUDIT);
    const report = await drive(clock, playScenario(scenario, target, { clock }), {
      at: { 300: () => target.violate(c, 'bad-term'), 400: () => target.violate(c, 'ack-duplicate') },
    });
    expect(report.steps[0]).toMatchObject({ status: 'passed', durationMs: 300 });
    expect(report.violations.map((v) => [v.code, v.wanted])).toEqual([
      ['bad-term', true],
      ['ack-duplicate', false],
    ]);
    expect(report.status).toBe('failed');
    expect(report.failures).toEqual([`violation ack-duplicate on connection ${c}: expected x, got y`]);
  });

  it('reports every notification not sent: a profile gap is reported, an encoding failure fails the run', async () => {
    const { clock, target, scenario } = await setup({ steps: [{ wait: '1s' }] });
    const c = target.subscribe(NOTIF.AUDIT);
    const lines: RunLogEvent[] = [];
    const gap = `audit-network not sent to connection ${c}: its client speaks NSO 5.7, protocol 77 (profile nso57)`;
    const broken = `stream-event not sent to connection ${c}: Failed to encode term: atom too long`;
    const report = await drive(clock, playScenario(scenario, target, { clock, onLog: (e) => lines.push(e) }), {
      at: { 100: () => target.notSend(c, 'audit-network', 'profile', gap), 200: () => target.notSend(c, 'stream-event', 'unencodable', broken) },
    });
    expect(report.notSent).toEqual([
      { at: 100, connectionId: c, type: 'audit-network', reason: 'profile', message: gap },
      { at: 200, connectionId: c, type: 'stream-event', reason: 'unencodable', message: broken },
    ]);
    expect(report.totals.notSent).toBe(2);
    expect(report.failures).toEqual([broken]);
    expect(report.status).toBe('failed');
    expect(lines.filter((l) => l.message.includes('not sent')).map((l) => l.level)).toEqual(['info', 'error']);
  });

  it('fails the run at the end when an owed ack never comes (require-acks)', async () => {
    const { clock, target, scenario } = await setup({
      options: { 'ack-timeout': '3s' },
      steps: [{ emit: { type: 'commit-diff', th: 9 } }],
    });
    const c = target.subscribe(NOTIF.COMMIT_DIFF);
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(report.steps[0]?.status).toBe('passed');
    expect(report.status).toBe('failed');
    expect(report.durationMs).toBe(3000);
    expect(report.failures).toEqual([`end of run: connection ${c} never sent {9,done} (ack-missing)`]);
    expect(() => assertRunPassed(report)).toThrow(/NSOMOCK|1 failure/);
  });

  it('fails the run at the end when a subscriber closed instead of acking and no step was waiting', async () => {
    const { clock, target, scenario } = await setup({ steps: [{ emit: { type: 'commit-diff', th: 4 } }, { wait: '1s' }] });
    const c = target.subscribe(NOTIF.COMMIT_DIFF);
    const report = await drive(clock, playScenario(scenario, target, { clock }), { at: { 10: () => target.disconnect(c) } });
    expect(report.steps.map((s) => s.status)).toEqual(['passed', 'passed']);
    expect(report.failures).toEqual([`end of run: connection ${c} closed without sending {4,done} (ack-missing)`]);
    expect(report.status).toBe('failed');
  });

  it('injects faults into the selected connections; garbage bytes are seeded', async () => {
    const { clock, target, scenario } = await setup({
      steps: [
        { fault: { kind: 'stall', for: '2s', target: 'first' } },
        { fault: { kind: 'garbage', length: 4, target: 'last' } },
        { fault: { kind: 'slow-write', 'chunk-bytes': 3, interval: '5ms', for: '1s', target: { index: 0 } } },
        { fault: { kind: 'close', target: { 'subscribed-to': ['audit'] } } },
        { wait: '2s' },
      ],
    });
    const a = target.subscribe(NOTIF.COMMIT_DIFF);
    const b = target.subscribe(NOTIF.AUDIT);
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(report.status).toBe('passed');
    const garbage = target.faults.find((f) => f.call === 'inject')?.args[0] as Uint8Array;
    expect(target.faults.map((f) => [f.connectionId, f.call, f.call === 'inject' ? (f.args[0] as Uint8Array).length : f.args])).toEqual([
      [a, 'stall', [2000]],
      [b, 'inject', 4],
      [a, 'slowWrite', [3, 5]],
      [b, 'close', []],
      [a, 'slowWrite', [0]],
    ]);
    // The same seed and step path give the same bytes.
    const third = await setup({ steps: [{ log: 'x' }, { fault: { kind: 'garbage', length: 4, target: 'last' } }] });
    third.target.subscribe(NOTIF.COMMIT_DIFF);
    third.target.subscribe(NOTIF.AUDIT);
    await drive(third.clock, playScenario(third.scenario, third.target, { clock: third.clock }));
    expect(third.target.faults[0]?.args[0]).toEqual(garbage);
  });

  it('emit-raw: odd or non-hex digits and unknown fields are load errors with their position', async () => {
    const { parseScenario } = await import('../../src/scenarios/load.js');
    await expect(
      parseScenario('name: raw\nsteps:\n  - emit-raw: { hex: "abc" }\n  - emit-raw: { hex: "00", too: all }\n', { file: 'raw.yaml' }),
    ).rejects.toThrow(/raw\.yaml:3:22: steps\[0\]\.emit-raw\.hex: expected hex digits in pairs, such as 00ff83, found "abc"[\s\S]*raw\.yaml:4:28: steps\[1\]\.emit-raw\.too: expected a field of emit-raw \(hex, to\), found unknown field "too" \(did you mean to\?\)/);
  });

  it('emit-raw writes its bytes exactly as given to the selected subscribers, and fails when nobody matches', async () => {
    const { clock, target, scenario } = await setup({
      steps: [{ 'emit-raw': { hex: '0000000383610a' } }, { 'emit-raw': { hex: 'ff00', to: { index: 1 } } }],
    });
    const a = target.subscribe(NOTIF.COMMIT_DIFF);
    const b = target.subscribe(NOTIF.AUDIT);
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(report.status).toBe('passed');
    expect(target.faults.map((f) => [f.connectionId, f.call, Buffer.from(f.args[0] as Uint8Array).toString('hex')])).toEqual([
      [a, 'inject', '0000000383610a'],
      [b, 'inject', '0000000383610a'],
      [b, 'inject', 'ff00'],
    ]);
    const nobody = await setup({ steps: [{ 'emit-raw': { hex: '00', to: 'first' } }] });
    const failed = await drive(nobody.clock, playScenario(nobody.scenario, nobody.target, { clock: nobody.clock }));
    expect(failed.steps[0]?.error).toBe('no subscriber matches the emit-raw target (1 bytes not written)');
  });

  it('fails a fault step when no subscriber matches', async () => {
    const { clock, target, scenario } = await setup({ steps: [{ fault: { kind: 'close', target: 'first' } }] });
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(report.steps[0]?.error).toBe('no subscriber matches the fault target');
  });

  it('hangs and resumes heartbeats', async () => {
    const { clock, target, scenario } = await setup({ steps: [{ heartbeat: 'hang' }, { wait: '50ms' }] });
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(target.hung).toBe(true);
    expect(report.status).toBe('passed');
  });

  it('defines a stream with its history and replay-from, then publishes its events live', async () => {
    const { clock, target, scenario } = await setup({
      steps: [
        {
          stream: {
            name: 'events',
            'replay-from': '2025-12-31T22:00:00Z',
            history: [{ time: '2025-12-31T23:00:00Z', values: [{ ns: 1, tag: 2, xml: 'start' }, { ns: 1, tag: 2, xml: 'stop' }] }],
            events: [{ values: [] }, { values: [] }],
            every: '1s',
          },
        },
        { stream: { name: 'events' } },
      ],
    });
    target.subscribe(NOTIF.STREAM_EVENT);
    const report = await drive(clock, playScenario(scenario, target, { clock }));
    expect(report.steps[0]).toMatchObject({ status: 'passed', durationMs: 1000 });
    expect(target.streamCalls.map((c) => [c.call, c.name])).toEqual([
      ['define', 'events'],
      ['publish', 'events'],
      ['publish', 'events'],
      ['define', 'events'],
    ]);
    expect(target.streamCalls[0]?.arg).toEqual({
      replaySupport: true,
      logStart: Date.UTC(2025, 11, 31, 22),
      history: [{ event_time: '2025-12-31T23:00:00Z', values: [{ ns: 1, tag: 2, xml: 'start' }, { ns: 1, tag: 2, xml: 'stop' }] }],
    });
    // A later step without replay-from or history leaves the log alone.
    expect(target.streamCalls[3]?.arg).toEqual({ replaySupport: true });
    expect(report.connections[0]?.delivered).toEqual({ 'stream-event': 2 });
  });

  it('resolves with status aborted when the signal aborts, marking the rest', async () => {
    const { clock, target, scenario } = await setup({ steps: [{ wait: '10s' }, { log: 'no' }] });
    const controller = new AbortController();
    const report = await drive(clock, playScenario(scenario, target, { clock, signal: controller.signal }), {
      at: { 2500: () => controller.abort(new Error('SIGTERM')) },
    });
    expect(report.status).toBe('aborted');
    expect(report.steps.map((s) => [s.status, s.durationMs])).toEqual([
      ['aborted', 2500],
      ['aborted', 0],
    ]);
    expect(report.failures).toEqual([]);
  });

  it('fuzzes reproducibly from the seed', async () => {
    const run = async (seed: number) => {
      const { clock, target, scenario } = await setup({ seed, steps: [{ fuzz: { types: ['audit', 'commit-simple', 'progress'], count: 20 } }] });
      target.subscribe(NOTIF.AUDIT | NOTIF.COMMIT_SIMPLE | NOTIF.PROGRESS);
      const report = await drive(clock, playScenario(scenario, target, { clock }));
      return { report, emitted: target.emitted.map((e) => e.notification) };
    };
    const first = await run(42);
    const second = await run(42);
    expect(first.report.status).toBe('passed');
    expect(first.emitted).toHaveLength(20);
    expect(second.emitted).toEqual(first.emitted);
    expect(new Set(first.emitted.map((n) => n.type)).size).toBeGreaterThan(1);
    expect((await run(43)).emitted).not.toEqual(first.emitted);
  });

  it('logs what it does and leaves no listener behind', async () => {
    const { clock, target, scenario } = await setup({ steps: [{ log: 'hello' }] });
    const lines: RunLogEvent[] = [];
    await drive(clock, playScenario(scenario, target, { clock, onLog: (e) => lines.push(e) }));
    expect(lines.map((l) => l.message)).toEqual(['playing test (profile auto, seed 7)', 'hello', 'test: passed']);
    expect(target.listenerCount()).toBe(0);
  });

  it('logs a closed connection with its reason and the close detail', async () => {
    const { clock, target, scenario } = await setup({ steps: [{ wait: '1s' }] });
    const c = target.subscribe(NOTIF.AUDIT);
    const d = target.subscribe(NOTIF.AUDIT);
    const lines: RunLogEvent[] = [];
    await drive(clock, playScenario(scenario, target, { clock, onLog: (e) => lines.push(e) }), {
      at: { 10: () => target.disconnect(c, { reason: 'bad-frame', detail: 'frame length 9999999 over the limit' }), 20: () => target.disconnect(d) },
    });
    expect(lines.map((l) => l.message).filter((m) => m.startsWith('connection'))).toEqual([
      `connection ${c} closed (bad-frame: frame length 9999999 over the limit)`,
      `connection ${d} closed (client-closed)`,
    ]);
  });

  describe('properties', () => {
    it('a wait of any length takes exactly that long on the clock', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 5 }), async (waits) => {
          const { clock, target, scenario } = await setup({ steps: waits.map((w) => ({ wait: `${w}ms` })) });
          const report = await drive(clock, playScenario(scenario, target, { clock }));
          expect(report.durationMs).toBe(waits.reduce((a, b) => a + b, 0));
          expect(report.steps.map((s) => s.durationMs)).toEqual(waits);
        }),
        { numRuns: fcRuns(0.2) },
      );
    });

    it('derived seeds are stable 31-bit integers', () => {
      fc.assert(
        fc.property(fc.integer(), fc.string(), (seed, p) => {
          const s = deriveSeed(seed, p);
          expect(s).toBe(deriveSeed(seed, p));
          expect(Number.isInteger(s) && s >= 0 && s <= 0x7fffffff).toBe(true);
        }),
        { numRuns: fcRuns() },
      );
    });
  });
});
