/**
 * The recording model without sockets: a timeline fed with frames at fixed times becomes a
 * scenario (broadcasts merged, acks and missing acks, raw frames, gaps, redaction), and what it
 * writes loads and re-encodes to the recorded bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  ackToTerm,
  decodeConnectHeader,
  encodeFrame,
  normalizeNotification,
  notificationToTerm,
  NOTIF,
  SUBSCRIBE_OK,
  subscriptionToTerm,
  type NotificationInput,
  type Profile,
  type Term,
} from '../../src/codec/index.js';
import { checkEmits, parseRedactRule, Recording, renderRecording, toYaml } from '../../src/record/index.js';
import { parseScenario } from '../../src/scenarios/index.js';

const T0 = Date.UTC(2026, 0, 1, 12);
const C_HEADER = decodeConnectHeader(Buffer.from('0b004d070701003c12', 'hex'));
const JAVA_HEADER = decodeConnectHeader(Buffer.from('0b004d070701000000', 'hex'));
/** A 6.2.5 C/Python client: protocol 82, library 8.2.5.0 (NSO62.md §A). */
const C62_HEADER = decodeConnectHeader(Buffer.from('0b0052080205003c12', 'hex'));
const FIXED = { uinfo: { logintime: 1_767_268_800 } };

function payload(term: Term): Uint8Array {
  return encodeFrame(term, { atomEncoding: 'latin1' }).subarray(4);
}

function notification(input: NotificationInput, profile: Profile = 'nso57'): Uint8Array {
  return payload(notificationToTerm(normalizeNotification(input, { ...FIXED, now: () => T0 }), profile));
}

function context() {
  return { upstream: 'tcp 10.0.0.5:4569', upstreamAccess: 'none', clientAccess: 'none', recorder: 'test' };
}

/** A connection that subscribed with `mask` at `at` (and got `ok`). */
function subscribe(rec: Recording, id: number, mask: number, at: number, header = C_HEADER): void {
  rec.onConnect(id, 'tcp', `10.0.0.9:${50000 + id}`, at - 5);
  rec.onHeader(id, header);
  rec.onClientFrame(id, payload(subscriptionToTerm({ mask, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 })), at);
  rec.onServerFrame(id, payload(SUBSCRIBE_OK), at + 1);
}

describe('Recording.build', () => {
  it('merges one broadcast seen on two connections into one emit, and waits for every ack before the expect-ack', async () => {
    const rec = new Recording(context(), T0);
    subscribe(rec, 1, NOTIF.COMMIT_DIFF, T0 + 10);
    subscribe(rec, 2, NOTIF.COMMIT_DIFF | NOTIF.AUDIT, T0 + 20, JAVA_HEADER);
    const diff = notification({ type: 'commit-diff', th: 7, comment: 'x' });
    rec.onServerFrame(1, diff, T0 + 100);
    rec.onServerFrame(2, diff, T0 + 101);
    rec.onClientFrame(2, payload(ackToTerm({ kind: 'diff-done', th: 7 })), T0 + 130);
    rec.onClientFrame(1, payload(ackToTerm({ kind: 'diff-done', th: 7 })), T0 + 160);
    const audit = notification({ type: 'audit', msg: 'only to 2' });
    rec.onServerFrame(2, audit, T0 + 1_500);
    const built = rec.build({ name: 'two', profile: 'nso57', endedAt: T0 + 2_000 });
    expect(built.document.steps?.map((s) => Object.keys(s).filter((k) => k !== 'name')[0])).toEqual([
      'await-subscribers',
      'await-subscribers',
      'await-subscribers',
      'wait',
      'emit',
      'wait',
      'expect-ack',
      'wait',
      'emit',
    ]);
    expect(built.document.steps?.[0]).toEqual({ 'await-subscribers': { count: 1, mask: ['commit-diff'] } });
    // Both subscribers have commit-diff (whichever subscribes first on replay, both are awaited);
    // only the second has audit too.
    expect(built.document.steps?.[1]).toEqual({ 'await-subscribers': { count: 2, mask: ['commit-diff'] } });
    expect(built.document.steps?.[2]).toEqual({ 'await-subscribers': { count: 1, mask: ['audit', 'commit-diff'] } });
    expect(built.document.steps?.[3]).toEqual({ wait: '80ms' });
    expect(built.document.steps?.[5]).toEqual({ wait: '60ms' });
    expect(built.document.steps?.[6]).toEqual({ 'expect-ack': { th: 7 } });
    expect(built.stepComments.get(6)).toBe('{7,done} upstream: connection 2 acked after 29ms; connection 1 acked after 60ms');
    expect(built.stepComments.get(2)).toContain('connection 2 (tcp 10.0.0.9:50002, Java/econfd library 7.7.1.0, protocol 77) subscribed with mask 17');
    expect(built.totals).toMatchObject({ emits: 2, raw: 0, acks: 1, missingAcks: 0, connections: 2 });
    // Written, loaded by the scenario loader, and encoded as the server would: the recorded bytes.
    const scenario = await parseScenario(toYaml(built), { file: 'two.yaml' });
    expect(checkEmits(built, scenario.steps)).toEqual(new Set());
  });

  it('keeps what it cannot express as emit-raw bytes, counts heartbeats without writing them, and shows a missing ack', () => {
    const rec = new Recording(context(), T0);
    subscribe(rec, 1, NOTIF.COMMIT_DIFF | NOTIF.HEARTBEAT, T0);
    rec.onServerFrame(1, notification({ type: 'heartbeat' }), T0 + 10);
    rec.onServerFrame(1, Uint8Array.of(131, 104, 1, 97, 3), T0 + 20); // {3}
    rec.onServerFrame(1, Uint8Array.of(131, 200), T0 + 30); // not a term
    rec.onServerFrame(1, notification({ type: 'commit-diff', th: 9 }), T0 + 40);
    rec.onClosed(1, 'client', 'end', T0 + 1_040);
    const built = rec.build({ name: 'raw', profile: 'nso57', endedAt: T0 + 2_000 });
    const steps = built.document.steps ?? [];
    expect(steps.filter((s) => 'emit-raw' in s)).toEqual([
      { 'emit-raw': { hex: '000000058368016103', to: { index: 0 } } },
      { 'emit-raw': { hex: '0000000283c8', to: { index: 0 } } },
    ]);
    expect(steps.at(-1)).toEqual({ 'expect-ack': { th: 9 } });
    expect(built.stepComments.get(steps.length - 1)).toBe(
      '{9,done} upstream: connection 1 never sent it: the client closed the connection 1s after the notification (this step fails when the client does the same again)',
    );
    expect(built.totals).toMatchObject({ emits: 1, raw: 2, acks: 0, missingAcks: 1 });
    expect(built.header.join('\n')).toContain('1 heartbeats/health checks (not written: the mock sends them from the subscription\'s interval)');
    expect(built.header.join('\n')).toContain('closed by the client after 1.045s (end)');
  });

  it('--max-gap shortens long waits and says so; --redact rewrites every text; a forced raw frame keeps its bytes', () => {
    const rec = new Recording(context(), T0);
    subscribe(rec, 1, NOTIF.AUDIT, T0);
    const bytes = notification({ type: 'audit', msg: 'commit by alice from 10.1.2.3' });
    rec.onServerFrame(1, bytes, T0 + 60_001);
    const rules = [parseRedactRule('alice=>user'), parseRedactRule('10\\.1\\.(\\d+)\\.\\d+=>192.0.$1.1')];
    const built = rec.build({ name: 'r', profile: 'nso57', endedAt: T0 + 61_000, maxGapMs: 2_000, redact: rules });
    const steps = built.document.steps ?? [];
    expect(steps[1]).toEqual({ wait: '2s' });
    expect(built.stepComments.get(1)).toBe('1m1ms upstream, shortened by --max-gap');
    expect((steps[2] as { emit: { msg: string } }).emit.msg).toBe('commit by user from 192.0.2.1');
    expect(built.header).toContain('waits longer than 2s are shortened to it (--max-gap)');
    const raw = rec.build({ name: 'r', profile: 'nso57', endedAt: T0 + 61_000, forceRaw: new Set(rec.frames().map((f) => f.event)) });
    const framed = Buffer.alloc(4 + bytes.length);
    framed.writeUInt32BE(bytes.length, 0);
    framed.set(bytes, 4);
    expect(raw.document.steps?.[2]).toEqual({ 'emit-raw': { hex: framed.toString('hex'), to: { index: 0 } } });
  });

  it('an upstream close becomes a close fault for that subscriber; a type its client\'s profile lacks is raw, unless --profile forces one that has it', async () => {
    const rec = new Recording(context(), T0);
    subscribe(rec, 1, NOTIF.AUDIT_NETWORK | NOTIF.AUDIT, T0);
    const network = notification({ type: 'audit-network', usid: 3, device: 'pe-1', tid: 1, user: 'u', config: '' }, 'nso62');
    rec.onServerFrame(1, network, T0 + 5);
    rec.onClosed(1, 'upstream', 'end', T0 + 10);
    // auto: the 77-client gets nso57 on replay, which has no audit-network: the mock would not send it.
    const auto = await renderRecording(rec, { name: 'p', file: 'p.yaml', endedAt: T0 + 20 });
    expect(auto.profile).toBe('auto');
    expect(auto.built.totals).toMatchObject({ emits: 0, raw: 1 });
    expect(auto.built.document.steps?.at(-1)).toEqual({ fault: { kind: 'close', target: { index: 0 } } });
    expect(auto.text).not.toMatch(/^profile:/m);
    expect(auto.text).toMatch(/# a audit-network the mock would not send to connection 1 \(audit-network is not in NSO 5\.7 \(profile nso57; it needs nso62 or nso66\)\): written as it was/);
    expect(auto.text).toContain("# profile: auto (none written): on replay each connection gets the profile of its client's protocol version");
    expect(auto.text).toContain('event client (C/Python library 7.7.1.0, protocol 77 → profile nso57)');
    // Forced: every connection is checked against it, and the scenario forces it on replay.
    const forced = await renderRecording(rec, { name: 'p', file: 'p.yaml', endedAt: T0 + 20, profile: 'nso62' });
    expect(forced.profile).toBe('nso62');
    expect(forced.built.totals).toMatchObject({ emits: 1, raw: 0 });
    expect(forced.problems).toEqual([]);
    expect(forced.text).toMatch(/^profile: nso62$/m);
    expect(forced.text).toContain('# profile: nso62, forced on every connection on replay (--profile)');
  });

  it('a 5.7 and a 6.2 client: one progress broadcast in two layouts is one emit that each client\'s profile encodes to the bytes it got', async () => {
    const rec = new Recording(context(), T0);
    subscribe(rec, 1, NOTIF.PROGRESS, T0);
    subscribe(rec, 2, NOTIF.PROGRESS, T0 + 2, C62_HEADER);
    const event: NotificationInput = { type: 'progress', timestamp: 2 ** 40, duration: 15, usid: 7, tid: 9, datastore: 'running', msg: 'applying transaction', trace_id: 't-1' };
    const p57 = notification(event, 'nso57');
    const p62 = notification(event, 'nso62');
    expect(Buffer.from(p57).equals(Buffer.from(p62))).toBe(false);
    rec.onServerFrame(2, p62, T0 + 50);
    rec.onServerFrame(1, p57, T0 + 51);
    const rendered = await renderRecording(rec, { name: 'mixed', file: 'mixed.yaml', endedAt: T0 + 100 });
    expect(rendered.built.totals).toMatchObject({ emits: 1, raw: 0 });
    expect(rendered.text).not.toMatch(/^profile:/m);
    const [frames] = [...rendered.built.emitted.values()];
    expect(frames?.map((f) => [f.conn, f.profile])).toEqual([
      [2, 'nso62'],
      [1, 'nso57'],
    ]);
    expect(rendered.text).toContain('event client (C/Python library 8.2.5.0, protocol 82 → profile nso62)');
    const scenario = await parseScenario(rendered.text, { file: 'mixed.yaml' });
    expect(scenario.profile).toBe('auto');
    expect(checkEmits(rendered.built, scenario.steps)).toEqual(new Set());
    // Forced to nso57, the 6.2 client's 15-tuple cannot be reproduced: its frame is raw, and the
    // emit (from the 5.7 client's frame, first seen now) reaches both on replay, so it is raw too.
    const forced = await renderRecording(rec, { name: 'mixed', file: 'mixed.yaml', endedAt: T0 + 100, profile: 'nso57' });
    expect(forced.built.totals).toMatchObject({ emits: 0, raw: 2 });
  });

  it('a 5.7-only progress field: the 6.2 client\'s layout is no encoding of it, so its frame is raw and the emit reaches only the 5.7 client', async () => {
    const rec = new Recording(context(), T0);
    subscribe(rec, 1, NOTIF.PROGRESS, T0);
    subscribe(rec, 2, NOTIF.PROGRESS, T0 + 2, C62_HEADER);
    rec.onServerFrame(1, notification({ type: 'progress', timestamp: 2 ** 40, phase: 'validate', msg: 'm' }, 'nso57'), T0 + 50);
    const p62 = notification({ type: 'progress', timestamp: 2 ** 40, msg: 'm' }, 'nso62');
    rec.onServerFrame(2, p62, T0 + 51);
    const rendered = await renderRecording(rec, { name: 'phase', file: 'phase.yaml', endedAt: T0 + 100 });
    const steps = rendered.built.document.steps ?? [];
    expect(steps.filter((x) => 'emit' in x)).toEqual([{ emit: expect.objectContaining({ type: 'progress', phase: 'validate' }) }]);
    expect(steps.filter((x) => 'emit-raw' in x)).toEqual([{ 'emit-raw': { hex: `${p62.length.toString(16).padStart(8, '0')}${Buffer.from(p62).toString('hex')}`, to: { index: 1 } } }]);
    const scenario = await parseScenario(rendered.text, { file: 'phase.yaml' });
    expect(checkEmits(rendered.built, scenario.steps)).toEqual(new Set());
  });
});

describe('parseRedactRule', () => {
  it('reads PATTERN=>REPLACEMENT and refuses what is not one', () => {
    expect(parseRedactRule('a=b=>c').pattern.source).toBe('a=b');
    expect(parseRedactRule('x=>').replacement).toBe('');
    expect(() => parseRedactRule('nothing')).toThrow('Failed to read --redact: expected PATTERN=>REPLACEMENT, got "nothing"');
    expect(() => parseRedactRule('=>x')).toThrow('expected PATTERN=>REPLACEMENT');
    expect(() => parseRedactRule('(=>x')).toThrow(/Failed to read --redact: Invalid regular expression/);
  });
});
