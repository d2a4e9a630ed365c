/** The HTTP control API over real HTTP (fetch) and real NSO sockets (the package client). */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NotifClient } from '../../src/client/index.js';
import { NOTIF } from '../../src/codec/index.js';
import { startControlServer, type ControlServer } from '../../src/harness/control-server.js';
import { startNsoMock, type RunningNsoMock } from '../../src/harness/index.js';
import { scaled } from '../support/time-scale.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(
  token?: string,
  root?: string,
): Promise<{ mock: RunningNsoMock; control: ControlServer; call: (method: string, path: string, body?: unknown, auth?: string | null) => Promise<{ status: number; json: any }> }> {
  const mock = await startNsoMock({ ackTimeoutMs: 2000, onUnexpectedFrame: 'ignore' });
  cleanup.push(() => mock.close());
  const control = await startControlServer(mock, { ...(token === undefined ? {} : { token }), ...(root === undefined ? {} : { root }) });
  cleanup.push(() => control.close());
  const call = async (method: string, path: string, body?: unknown, auth: string | null | undefined = token): Promise<{ status: number; json: any }> => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth !== undefined && auth !== null) headers['authorization'] = `Bearer ${auth}`;
    const res = await fetch(`${control.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  return { mock, control, call };
}

async function subscriber(mock: RunningNsoMock, mask: number, autoAck = false): Promise<NotifClient> {
  const c = await connect(mock.addresses.tcp!, { mask, autoAck });
  cleanup.push(() => c.close());
  return c;
}

describe('control API', () => {
  it('binds to loopback only', async () => {
    const mock = await startNsoMock();
    cleanup.push(() => mock.close());
    await expect(startControlServer(mock, { host: '0.0.0.0' })).rejects.toMatchObject({ code: 'NSOMOCK_USAGE' });
    const { control } = await setup();
    expect(control.host).toBe('127.0.0.1');
    expect(control.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('POST /profile forces a profile on connections made from now on; auto gives each its client\'s again', async () => {
    const { mock, call } = await setup();
    expect(await call('POST', '/profile', { profile: 'nso62' })).toEqual({ status: 200, json: { profile: 'nso62' } });
    await subscriber(mock, NOTIF.AUDIT); // a 5.7 client (protocol 77), forced to nso62
    expect(await call('POST', '/profile', { profile: 'auto' })).toEqual({ status: 200, json: { profile: 'auto' } });
    await subscriber(mock, NOTIF.AUDIT);
    const subs = (await call('GET', '/subscribers')).json as { profile: string; profileChoice: { basis: string } }[];
    expect(subs.map((s) => [s.profile, s.profileChoice.basis])).toEqual([
      ['nso62', 'forced'],
      ['nso57', 'known'],
    ]);
    expect((await call('POST', '/profile', { profile: 'nso6x' })).json).toEqual({ profile: 'nso66' });
    expect((await call('POST', '/profile', { profile: 'nso99' })).status).toBe(400);
  });

  it('reports readiness and lists subscribers', async () => {
    const { mock, call } = await setup();
    expect((await call('GET', '/ready')).json).toMatchObject({ ready: true, subscribers: 0, tcp: { port: mock.addresses.tcp?.port } });
    await subscriber(mock, NOTIF.COMMIT_DIFF | NOTIF.AUDIT);
    const subs = await call('GET', '/subscribers');
    expect(subs.status).toBe(200);
    expect(subs.json).toEqual([expect.objectContaining({ id: 1, transport: 'tcp', mask: NOTIF.COMMIT_DIFF | NOTIF.AUDIT, pendingAcks: [] })]);
  });

  it('emits and waits for the ack, then reports the handshake', async () => {
    const { mock, call } = await setup();
    await subscriber(mock, NOTIF.COMMIT_DIFF, true);
    const res = await call('POST', '/emit', { notification: { type: 'commit-diff', th: 17 } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ type: 'commit-diff', recipients: [1], acked: { ok: true, expected: '{17,done}', acked: [1] } });
  });

  it('answers an emit nobody subscribed to at once: no recipients, nothing owed (as docs/control-api.md warns)', async () => {
    const { mock, call } = await setup();
    await subscriber(mock, NOTIF.AUDIT, true);
    const res = await call('POST', '/emit', { notification: { type: 'commit-diff', th: 17 }, within: scaled(5000) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ recipients: [], acked: { ok: true, expected: null, acked: [], missing: [] } });
  });

  it('answers 504 with the pending table when the ack does not come, then 409 from assert-no-pending-acks', async () => {
    const { mock, call } = await setup();
    await subscriber(mock, NOTIF.COMMIT_DIFF);
    const res = await call('POST', '/emit', { notification: { type: 'commit-diff', th: 5 }, within: 100 });
    expect(res.status).toBe(504);
    expect(res.json).toMatchObject({ error: 'NSOMOCK_HARNESS_TIMEOUT' });
    const pending = await call('GET', '/pending-acks');
    expect(pending.json.pending).toEqual([expect.objectContaining({ connectionId: 1, ack: '{5,done}' })]);
    expect(pending.json.table).toContain('{5,done}');
    const asserted = await call('POST', '/assert-no-pending-acks');
    expect(asserted.status).toBe(409);
    expect(asserted.json).toMatchObject({ error: 'NSOMOCK_HARNESS_PENDING_ACKS' });
  });

  it('answers 400 for an invalid notification or request body', async () => {
    const { call } = await setup();
    expect((await call('POST', '/emit', { notification: { type: 'commit-diff', th: 'x' } })).json).toMatchObject({ error: 'NSOMOCK_CODEC_UNENCODABLE' });
    // Valid but for the unknown member, so only refusing unknown members can make this a 400.
    const bad = await call('POST', '/emit', { notification: { type: 'audit', msg: 'x' }, nope: 1 });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: 'NSOMOCK_USAGE', details: { member: 'nope' } });
  });

  it('waits for subscribers by integer mask or by the names a scenario takes', async () => {
    const { mock, call } = await setup();
    await subscriber(mock, NOTIF.COMMIT_DIFF | NOTIF.AUDIT);
    const byNames = await call('POST', '/wait-for-subscribers', { mask: ['commit-diff', 'audit'], within: scaled(2000) });
    expect(byNames.status).toBe(200);
    expect(byNames.json).toEqual([expect.objectContaining({ id: 1, mask: NOTIF.COMMIT_DIFF | NOTIF.AUDIT })]);
    expect((await call('POST', '/wait-for-subscribers', { mask: NOTIF.COMMIT_DIFF, within: scaled(2000) })).status).toBe(200);
    // A flag name is a bit like any other: nobody asked for audit-sync.
    expect((await call('POST', '/wait-for-subscribers', { mask: ['commit-diff', 'audit-sync'], within: 50 })).status).toBe(504);
    const typo = await call('POST', '/wait-for-subscribers', { mask: ['commit-dif'] });
    expect(typo.status).toBe(400);
    expect(typo.json.details).toMatchObject({ member: 'mask[0]' });
    expect(typo.json.message).toContain('commit-diff');
  });

  it('waits for an ack with a timeout', async () => {
    const { mock, call } = await setup();
    const c = await subscriber(mock, NOTIF.COMMIT_DIFF);
    await call('POST', '/emit', { notification: { type: 'commit-diff', th: 42 }, wait: false });
    const waiting = call('POST', '/wait-for-ack', { th: 42, within: scaled(2000) });
    await c.next();
    await c.diffDone(42);
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ connectionId: 1, ack: '{42,done}', result: 'matched' });
    const timeout = await call('POST', '/wait-for-ack', { th: 43, within: 50 });
    expect(timeout.status).toBe(504);
  });

  it('plays a scenario given as YAML text and returns the run report', async () => {
    const { mock, call } = await setup();
    await subscriber(mock, NOTIF.COMMIT_DIFF, true);
    const yaml = ['name: via-control', 'steps:', '  - emit: { type: commit-diff, th: 7, wait-ack: 2s }'].join('\n');
    const res = await call('POST', '/play', { scenario: yaml });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ scenario: 'via-control', status: 'passed' });
    const doc = await call('POST', '/play', { scenario: { name: 'as-object', steps: [{ emit: { type: 'commit-diff', th: 8, 'wait-ack': '2s' } }] } });
    expect(doc.json).toMatchObject({ status: 'passed' });
    const invalid = await call('POST', '/play', { scenario: 'name: x\nsteps: [ { nope: 1 } ]' });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ error: 'NSOMOCK_SCENARIO_INVALID' });
  });

  it('keeps the includes of a posted scenario inside the control root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nso-mock-control-root-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const root = join(dir, 'root');
    await mkdir(root);
    const secret = 'name: secret-text-never-quoted\nsteps: []\n';
    await writeFile(join(dir, 'outside.yaml'), secret);
    await writeFile(join(root, 'inside.yaml'), 'name: inside\nsteps: []\n');
    await symlink(join(dir, 'outside.yaml'), join(root, 'link.yaml'));
    const { call } = await setup(undefined, root);
    const inside = await call('POST', '/play', { scenario: 'name: x\ninclude: [inside.yaml]\nsteps: []\n' });
    expect(inside.status).toBe(200);
    expect(inside.json).toMatchObject({ status: 'passed' });
    for (const include of ['../outside.yaml', join(dir, 'outside.yaml'), 'link.yaml']) {
      for (const scenario of [`name: x\ninclude: [${JSON.stringify(include)}]\nsteps: []\n`, { name: 'x', include: [include], steps: [] }]) {
        const res = await call('POST', '/play', { scenario });
        expect(res.status, include).toBe(400);
        expect(res.json.error).toBe('NSOMOCK_SCENARIO_INCLUDE');
        expect(res.json.message).toContain('outside the control root');
        expect(JSON.stringify(res.json)).not.toContain('secret-text-never-quoted');
      }
    }
  });

  it('answers an include outside the root the same whether or not the file exists (no oracle of which files exist)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nso-mock-control-root-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const root = join(dir, 'root');
    await mkdir(root);
    await mkdir(join(dir, 'elsewhere'));
    await writeFile(join(dir, 'elsewhere', 'exists.yaml'), 'name: e\nsteps: []\n');
    await symlink(join(dir, 'elsewhere'), join(root, 'door'));
    const { call } = await setup(undefined, root);
    const answer = async (include: string): Promise<{ status: number; json: any }> => {
      const res = await call('POST', '/play', { scenario: { name: 'x', include: [include], steps: [] } });
      return { status: res.status, json: { error: res.json.error, message: String(res.json.message).replaceAll(include, '<include>') } };
    };
    const pairs: [string, string][] = [
      [join(dir, 'elsewhere', 'exists.yaml'), join(dir, 'elsewhere', 'missing.yaml')],
      ['../elsewhere/exists.yaml', '../elsewhere/missing.yaml'],
      ['door/exists.yaml', 'door/missing.yaml'],
      ['/etc/hostname', '/etc/no-such-file-here'],
      ['../elsewhere/exists.yaml', '../no-such-dir/a/b.yaml'],
    ];
    for (const [existing, missing] of pairs) {
      const a = await answer(existing);
      const b = await answer(missing);
      expect(a.status, existing).toBe(400);
      expect(a.json.message, existing).toContain('outside the control root');
      expect(b, missing).toEqual(a);
    }
    // Inside the root a missing file is still reported as missing.
    const missingInside = await call('POST', '/play', { scenario: { name: 'x', include: ['nope.yaml'], steps: [] } });
    expect(missingInside.status).toBe(400);
    expect(missingInside.json.message).not.toContain('outside the control root');
  });

  it('refuses a scenario nested too deep or too large with 400 and a problem in the loader\'s form, never a 500', async () => {
    const { call, control } = await setup();
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const post = async (body: string): Promise<{ status: number; json: any }> => {
      const res = await fetch(`${control.url}/play`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: res.status, json: await res.json() };
    };
    for (const body of [`{"scenario":${deep}}`, `{"scenario":{"name":"x","steps":[{"emit":${deep}}]}}`]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('NSOMOCK_SCENARIO_INVALID');
      expect(res.json.message).toMatch(/^Failed to load scenario: 1 problem \(control-api\)\ncontrol-api:1:1: .+: expected nesting at most 128 deep, found objects or arrays nested deeper$/);
    }
    const yamlBodies = [
      'name: x\nsteps:\n  - emit: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n',
      'name: x\nsteps: ' + '{a: '.repeat(3000) + '1' + '}'.repeat(3000) + '\n',
      'name: x\nsteps:\n' + Array.from({ length: 200 }, (_, i) => `${' '.repeat(i + 2)}a${i}:`).join('\n') + ' 1\n',
    ];
    for (const scenario of yamlBodies) {
      const res = await call('POST', '/play', { scenario });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('NSOMOCK_SCENARIO_INVALID');
      expect(res.json.message).toMatch(/^Failed to load scenario: 1 problem \(control-api\)\ncontrol-api:\d+:\d+: \(yaml\): expected nesting at most 128 deep, found (flow|block) collections nested deeper$/);
    }
    const big = await call('POST', '/play', { scenario: `name: x\nsteps: []\n# ${'x'.repeat(5 * 1024 * 1024)}\n` });
    expect(big.status).toBe(400);
    expect(big.json.message).toMatch(/expected a scenario of at most 4194304 bytes/);
    // A normal scenario with quotes, comments and flow collections still plays.
    const ok = await call('POST', '/play', { scenario: "name: \"it's [ok\"\n# a { comment\nsteps: [{ wait: 1ms }, { wait: '1ms' }]\n" });
    expect(ok.status).toBe(200);
  });

  it('refuses an include (inside the control root) nested too deep with the same 400 as a deep body', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nso-mock-control-root-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'deep.yaml'), 'name: deep\nsteps:\n  - emit: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n');
    const { call } = await setup(undefined, dir);
    for (const scenario of ['name: x\ninclude: [deep.yaml]\nsteps: []\n', { name: 'x', include: ['deep.yaml'], steps: [] }]) {
      const res = await call('POST', '/play', { scenario });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe('NSOMOCK_SCENARIO_INVALID');
      expect(res.json.message).toMatch(/\ndeep\.yaml:3:\d+: \(yaml\): expected nesting at most 128 deep, found flow collections nested deeper$/);
      expect(res.json.message).not.toContain('call stack');
    }
  });

  it('shows the journal and violations, and reset forgets them', async () => {
    const { mock, call } = await setup();
    const c = await subscriber(mock, NOTIF.COMMIT_DIFF);
    await c.diffDone(999);
    await mock.waitFor(() => mock.violations.length > 0, { within: scaled(2000) });
    const violations = await call('GET', '/violations');
    expect(violations.json).toEqual([expect.objectContaining({ code: 'ack-unknown-handle', connectionId: 1, text: expect.stringContaining('ack-unknown-handle') })]);
    const journal = await call('GET', '/journal?connection=1&limit=2');
    expect(journal.json).toHaveLength(2);
    expect(journal.json.at(-1)).toMatchObject({ direction: 'in', kind: 'frame', term: '{999,done}' });
    expect((await call('POST', '/reset')).status).toBe(204);
    expect((await call('GET', '/violations')).json).toEqual([]);
    expect((await call('GET', '/journal')).json).toEqual([]);
  });

  it('shows the journal counters (held, total, dropped, bytes) and a large frame as size and preview', async () => {
    const mock = await startNsoMock({ journalMaxBytes: 4096, onUnexpectedFrame: 'ignore' });
    cleanup.push(() => mock.close());
    const control = await startControlServer(mock, {});
    cleanup.push(() => control.close());
    const c = await subscriber(mock, NOTIF.DAEMON);
    for (let i = 0; i < 100; i += 1) mock.emit({ type: 'daemon', msg: `m${i}` });
    await c.take(100);
    const stats = (await (await fetch(`${control.url}/journal/stats`)).json()) as Record<string, number>;
    expect(stats).toMatchObject({ maxBytes: 4096, limit: 10_000, total: mock.journalStats.total });
    expect(stats['bytes']).toBeLessThanOrEqual(4096);
    expect(stats['dropped']).toBeGreaterThan(0);
    expect(stats['held']! + stats['dropped']!).toBe(stats['total']);
    const res = await fetch(`${control.url}/journal`);
    expect(res.headers.get('x-journal-dropped')).toBe(String(mock.journalStats.dropped));
    expect(res.headers.get('x-journal-total')).toBe(String(mock.journalStats.total));
    const entries = (await res.json()) as { size?: number }[];
    expect(entries.length).toBe(stats['held']);
    expect(entries.every((e) => typeof e.size === 'number')).toBe(true);
  });

  it('requires the bearer token on every endpoint but /ready', async () => {
    const { call } = await setup('s3cret');
    expect((await call('GET', '/ready', undefined, null)).status).toBe(200);
    const denied = await call('GET', '/subscribers', undefined, null);
    expect(denied.status).toBe(401);
    expect((await call('GET', '/subscribers', undefined, 'wrong')).status).toBe(401);
    expect((await call('GET', '/subscribers', undefined, 's3cret')).status).toBe(200);
  });
});
