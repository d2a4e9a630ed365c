/**
 * The example Python client (examples/clients/python) is what the conform and fuzz end-to-end tests
 * run, so it is checked here on its own against the Erlang-made vectors: its decoder against every
 * `python_dict`, and its bytes on the wire against the C-library encodings of handshake.json and
 * client_messages.jsonl, over a real socket with a scripted peer (no nso-mock server involved).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { anyNotificationArbitrary, isCStringSafe } from '../../src/arbitraries/index.js';
import { encodeFrame, normalizeNotification, notificationToTerm, pythonDictView } from '../../src/codec/index.js';
import { parseJsonLine } from '../../src/harness/conform/compare.js';
import { fcRuns } from '../support/fc-config.js';
import {
  fromHex,
  loadClientMessages,
  loadHandshake,
  loadNotifications,
  loadNotifications66,
  loadNso62Layouts,
  toHex,
  type NotificationVector,
} from '../support/vectors.js';

const clientPath = fileURLToPath(new URL('../../examples/clients/python/nso_events_client.py', import.meta.url));
const buggyPath = fileURLToPath(new URL('../../examples/clients/python/nso_events_client_buggy.py', import.meta.url));

/** Drops the vectors' explanatory `note` members, which are not part of the Python dict. */
function withoutNotes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNotes);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).filter(([key]) => key !== 'note').map(([key, inner]) => [key, withoutNotes(inner)]),
    );
  }
  return value;
}

function decodeWithPython(script: string, vectors: readonly Pick<NotificationVector, 'frame_hex'>[], extra: string[]): unknown[] {
  const result = spawnSync('python3', [script, '--decode-frames', ...extra], {
    input: vectors.map((v) => v.frame_hex).join('\n'),
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
}

const messages = new Map(loadClientMessages().map((m) => [m.name, m]));
function cStyle(name: string): string {
  const message = messages.get(name);
  if (message === undefined) throw new Error(`no client message vector ${name}`);
  return message.etf_hex_c_style;
}

function notificationFrame(name: string): Uint8Array {
  const vector = loadNotifications().find((v) => v.name === name);
  if (vector === undefined) throw new Error(`no notification vector ${name}`);
  return fromHex(vector.frame_hex);
}

/** A scripted server end: read exact byte counts, read frames, write bytes. */
class ScriptedPeer {
  private buffered = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  private ended = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.waiter?.();
    });
    socket.on('end', () => {
      this.ended = true;
      this.waiter?.();
    });
  }

  async read(n: number): Promise<Buffer> {
    while (this.buffered.length < n) {
      if (this.ended) throw new Error(`peer closed with ${this.buffered.length} of ${n} bytes`);
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  async readFrame(): Promise<Buffer> {
    const length = (await this.read(4)).readUInt32BE(0);
    return this.read(length);
  }

  write(hexOrBytes: string | Uint8Array): void {
    this.socket.write(typeof hexOrBytes === 'string' ? fromHex(hexOrBytes) : hexOrBytes);
  }

  async closed(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => (this.waiter = resolve));
  }
}

interface Session {
  peer: ScriptedPeer;
  child: ChildProcess;
  stdout: () => string;
  exit: Promise<number | null>;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function startSession(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Session> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const child = spawn('python3', [script, '--port', String(address.port), ...args], {
    env: { ...process.env, NCS_IPC_ACCESS_FILE: '', CONFD_IPC_ACCESS_FILE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(() => {
    child.kill('SIGKILL');
    server.close();
  });
  const socket = await accepted;
  cleanups.push(() => socket.destroy());
  return { peer: new ScriptedPeer(socket), child, stdout: () => out, exit };
}

const handshake = loadHandshake();
const okReply = handshake.server_replies.find((r) => r.name === 'ok_echo_c')?.hex ?? '';
const subscribeOk = '00000006836400026f6b';

type AccessCheckVector = (typeof handshake.access_check)[number];

/** The v1 access-check vector and a temp secret file holding `contents(vector)`, for NCS_IPC_ACCESS_FILE. */
function v1AccessCheck(contents: (vector: AccessCheckVector) => string | Uint8Array): { vector: AccessCheckVector; secretFile: string } {
  const vector = handshake.access_check.find((a) => a.name === 'v1_md5');
  if (vector === undefined) throw new Error('no v1 vector');
  const secretFile = join(mkdtempSync(join(tmpdir(), 'nso-access-')), 'secret');
  writeFileSync(secretFile, contents(vector));
  return { vector, secretFile };
}

describe('example Python client: decoder', () => {
  it('decodes every NSO 5.7 vector to its python_dict_nso57 (or python_dict) view', () => {
    const vectors = loadNotifications().filter((v) => v.python_dict !== null);
    const got = decodeWithPython(clientPath, vectors, ['--binding', 'nso57']);
    expect(got).toHaveLength(vectors.length);
    vectors.forEach((vector, i) => {
      expect(got[i], vector.name).toEqual(withoutNotes(vector.python_dict_nso57 ?? vector.python_dict));
    });
  });

  it('decodes every NSO 6.2.5 layout to what 6.2.5 returned (python_dict_nso62) with the nso62 binding', () => {
    // the one leaf that is uninitialised memory in the library is rendered {"$varies": "int"} by both
    const vectors = loadNso62Layouts().filter((v) => v.type !== 'stream-event' || !v.name.includes('econfd'));
    const got = decodeWithPython(clientPath, vectors, ['--binding', 'nso62']);
    expect(got).toHaveLength(vectors.length);
    vectors.forEach((vector, i) => {
      expect(got[i], vector.name).toEqual(vector.python_dict_nso62);
    });
  });

  it('refuses the 5.7 progress 19-tuple with the nso62 binding (the 6.2.5 library aborts on it, NSO62.md §D)', () => {
    const frames = loadNotifications().filter((v) => v.name.startsWith('progress.') && v.term.includes(',{'));
    expect(frames.length).toBeGreaterThan(0);
    for (const got of decodeWithPython(clientPath, frames, ['--binding', 'nso62'])) expect(got).toHaveProperty('error');
  });

  it("decodes nso66's inferred extras with the nso66 binding (the deprecated nso6x name too)", () => {
    const vectors = loadNotifications66();
    for (const binding of ['nso66', 'nso6x']) {
      const got = decodeWithPython(clientPath, vectors, ['--binding', binding]);
      vectors.forEach((vector, i) => expect(got[i], vector.name).toEqual(vector.python_dict));
    }
  });

  it('reports the shapes that never reach a C/Python client as errors, as read_notification does', () => {
    const vectors = loadNotifications().filter((v) => v.python_dict === null);
    expect(vectors.length).toBeGreaterThan(0);
    for (const got of decodeWithPython(clientPath, vectors, [])) expect(got).toHaveProperty('error');
  });

  it('the misdecode bug of the buggy variant changes exactly the syslog views', () => {
    const vectors = loadNotifications().filter((v) => v.python_dict !== null);
    const good = decodeWithPython(clientPath, vectors, []);
    const bad = decodeWithPython(buggyPath, vectors, ['--bug', 'misdecode']);
    const differing = vectors.filter((_, i) => JSON.stringify(good[i]) !== JSON.stringify(bad[i])).map((v) => v.name);
    expect(differing).toEqual(vectors.filter((v) => v.name.startsWith('syslog.')).map((v) => v.name));
  });
});

describe('example Python client: bytes on the wire', () => {
  it('sends the C header and subscription, and acks a commit diff with the C bytes', async () => {
    const s = await startSession(clientPath, ['--heartbeat', '10000', '--health-check', '20000', '--mask', 'audit,commit-diff']);
    expect(toHex(await s.peer.read(9))).toBe('0b004d070701003c12');
    s.peer.write(okReply);
    // audit|commit-diff|heartbeat|health-check differs from the vector's mask only by bit 4.
    const subscription = toHex(await s.peer.readFrame());
    expect(subscription).toBe(cStyle('subscribe.c.heartbeat_health').replace('6200042001', '6200042011'));
    s.peer.write(subscribeOk);
    s.peer.write(notificationFrame('commit_diff.short'));
    expect(toHex(await s.peer.readFrame())).toBe(cStyle('ack.diff_done'));
    s.peer.socket.end();
    expect(await s.exit).toBe(0);
    const lines = s.stdout().trim().split('\n');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ type: 16, commit_diff: { tctx: { th: 17 } } });
  });

  it('subscribes to a stream replay exactly like the C library', async () => {
    const s = await startSession(clientPath, ['--mask', '0', '--stream', 'NETCONF', '--start-time', '2023-11-14T00:00:00+00:00', '--xpath', '/link-up', '--idle-exit', '0.2']);
    await s.peer.read(9);
    s.peer.write(okReply);
    expect(toHex(await s.peer.readFrame())).toBe(cStyle('subscribe.c.stream_replay_filter'));
    s.peer.write(subscribeOk);
    expect(await s.exit).toBe(0);
  });

  it('acks audit sync, HA sync and audit network sync with the C bytes', async () => {
    const s = await startSession(clientPath, ['--mask', 'audit,audit-sync,ha-info,ha-info-sync,audit-network,audit-network-sync']);
    await s.peer.read(9);
    s.peer.write(okReply);
    await s.peer.readFrame();
    s.peer.write(subscribeOk);
    s.peer.write(notificationFrame('audit.cli_command'));
    expect(toHex(await s.peer.readFrame())).toBe(cStyle('ack.audit_sync'));
    s.peer.write(notificationFrame('ha_info.is_master'));
    expect(toHex(await s.peer.readFrame())).toBe(cStyle('ack.ha_sync'));
    s.peer.write(notificationFrame('audit_network.basic'));
    expect(toHex(await s.peer.readFrame())).toBe(cStyle('ack.audit_network_sync'));
    s.peer.socket.end();
    expect(await s.exit).toBe(0);
  });

  it('runs the v1 access check with the vector secret and challenge', async () => {
    const { vector, secretFile } = v1AccessCheck((v) => fromHex(v.secret_file_bytes_hex));
    const s = await startSession(clientPath, ['--idle-exit', '0.2'], { NCS_IPC_ACCESS_FILE: secretFile });
    expect(toHex(await s.peer.read(9))).toBe('8b004d070701003c12');
    s.peer.write(vector.server_challenge_hex);
    expect(toHex(await s.peer.read(17))).toBe(vector.client_response_hex);
    s.peer.write(vector.server_ok_hex + okReply);
    expect(toHex(await s.peer.readFrame())).toBe(cStyle('subscribe.c.audit_only'));
    s.peer.write(subscribeOk);
    expect(await s.exit).toBe(0);
  });

  it('gives up with exit code 3 when the access check is refused', async () => {
    const { vector, secretFile } = v1AccessCheck(() => 'wrong\n');
    const s = await startSession(clientPath, [], { NCS_IPC_ACCESS_FILE: secretFile });
    await s.peer.read(9);
    s.peer.write(vector.server_challenge_hex);
    await s.peer.read(17);
    s.peer.write('01');
    expect(await s.exit).toBe(3);
  });

  it('fails on a version-mismatch reply the way the C library does', async () => {
    const s = await startSession(clientPath, []);
    await s.peer.read(9);
    s.peer.write(handshake.server_replies.find((r) => r.name === 'reject_protocol_version')?.hex ?? '');
    expect(await s.exit).toBe(3);
  });

  it('fires its heartbeat watchdog (exit 4) when heartbeats stop', async () => {
    const s = await startSession(clientPath, ['--heartbeat', '1000', '--watchdog-factor', '0.3']);
    await s.peer.read(9);
    s.peer.write(okReply);
    await s.peer.readFrame();
    s.peer.write(subscribeOk);
    s.peer.write(notificationFrame('heartbeat'));
    expect(await s.exit).toBe(4);
    expect(s.stdout()).toContain('"type": 8192');
  });

  it('the buggy variant acks the wrong transaction handle with --bug wrong-th', async () => {
    const s = await startSession(buggyPath, ['--bug', 'wrong-th', '--mask', 'commit-diff']);
    await s.peer.read(9);
    s.peer.write(okReply);
    await s.peer.readFrame();
    s.peer.write(subscribeOk);
    s.peer.write(notificationFrame('commit_diff.short'));
    expect(toHex(await s.peer.readFrame())).toBe('83680261127704646f6e65'); // {18, done}
  });

  it('the buggy variant crashes on call home with --bug crash-on-unknown', async () => {
    const s = await startSession(buggyPath, ['--bug', 'crash-on-unknown', '--mask', 'call-home-info']);
    await s.peer.read(9);
    s.peer.write(okReply);
    await s.peer.readFrame();
    s.peer.write(subscribeOk);
    s.peer.write(notificationFrame('call_home_info.device_connected'));
    expect(await s.exit).toBe(1);
  });
});

describe('example Python client: properties', () => {
  for (const profile of ['nso57', 'nso62', 'nso66'] as const) {
    // Texts a C client would cut (a NUL, more than the smallest 32-byte buffer, §6.5) are left out:
    // pythonDictView does not model C truncation; the client does (see the next test).
    it(`decodes generated notifications (${profile}) exactly as pythonDictView renders them`, () => {
      const sample = fc.sample(anyNotificationArbitrary({ profile }).filter(isCStringSafe), { seed: 20231114, numRuns: fcRuns(2) });
      const frames = sample.map((n) => toHex(encodeFrame(notificationToTerm(n, profile))));
      const result = spawnSync('python3', [clientPath, '--decode-frames', '--binding', profile], { input: frames.join('\n'), encoding: 'utf8' });
      expect(result.status).toBe(0);
      // 64-bit values must stay exact: parse with the runner's bigint-preserving reader.
      const got = result.stdout.trim().split('\n').map((line) => parseJsonLine(line));
      sample.forEach((n, i) => {
        const expected = pythonDictView(notificationToTerm(n, profile), profile);
        expect(got[i], `${n.type} ${frames[i]}`).toEqual(expected === null ? expect.objectContaining({ error: expect.any(String) }) : withoutNotes(expected));
      });
    });
  }
});

describe('example Python client: C string rules', () => {
  it('cuts texts at the first NUL and at the C buffer size, as the C library does (§6.5)', () => {
    const n = { type: 'subagent-info', event: 1, name: `${'x'.repeat(40)}` } as const;
    const withNul = { type: 'subagent-info', event: 2, name: 'sub\u0000agent' } as const;
    const frames = [n, withNul].map((x) => toHex(encodeFrame(notificationToTerm(normalizeNotification(x)))));
    const result = spawnSync('python3', [clientPath, '--decode-frames'], { input: frames.join('\n'), encoding: 'utf8' });
    const [long, cut] = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { subagent: { name: string } });
    expect(long?.subagent.name).toBe('x'.repeat(31)); // name[32]
    expect(cut?.subagent.name).toBe('sub');
  });
});
