/**
 * The client against the vectors and against a scripted peer written here with plain `node:net`
 * (not our server), so the client is checked as an independent implementation of §2–§12.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, connectHeaderFor, encodeClientTerm, type ConnectOptions } from '../../src/client/index.js';
import { ackFromTerm, ackToTerm, decodeTerm, NOTIF, subscriptionFromTerm, subscriptionToTerm } from '../../src/codec/index.js';
import { fromHex, loadClientMessages, loadHandshake, loadNotifications, loadServerReplies, toHex } from '../support/vectors.js';

const handshake = loadHandshake();
const header = (name: string): string => handshake.connect_headers.find((h) => h.name === name)?.hex ?? '';

describe('encodings of the real libraries (§2, §6.3, §8.3, §18)', () => {
  it('sends the observed connect headers', () => {
    expect(toHex(connectHeaderFor('c', undefined))).toBe(header('c_libconfd_5_7_1'));
    expect(toHex(connectHeaderFor('java', undefined))).toBe(header('java_or_econfd_5_7_1'));
    expect(toHex(connectHeaderFor('c', 'v1'))).toBe(header('c_with_access_check_v1'));
    expect(toHex(connectHeaderFor('java', 'v2'))).toBe(header('java_with_access_check_v2'));
  });

  const messages = loadClientMessages().filter((m) => !m.origin.startsWith('econfd'));
  for (const m of messages) {
    it(`${m.name}: C and Java styles give the libraries' bytes`, () => {
      const term = decodeTerm(fromHex(m.etf_hex));
      const ack = ackFromTerm(term);
      const rebuilt = ack !== undefined ? ackToTerm(ack) : subscriptionToTerm(subscriptionFromTerm(term));
      expect(toHex(encodeClientTerm(rebuilt, 'c'))).toBe(m.etf_hex_c_style);
      expect(toHex(encodeClientTerm(rebuilt, 'java'))).toBe(m.etf_hex_java_style);
    });
  }
});

/** A scripted peer: replies with fixed bytes and records what the client sent. */
interface Peer {
  readonly port: number;
  readonly received: () => Uint8Array;
  readonly sockets: Socket[];
  readonly server: Server;
}

const peers: Server[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await new Promise((r) => p.close(r));
});

async function peer(script: (socket: Socket, received: () => Uint8Array) => Promise<void> | void): Promise<Peer> {
  const chunks: Buffer[] = [];
  const sockets: Socket[] = [];
  const received = (): Uint8Array => new Uint8Array(Buffer.concat(chunks));
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    void script(socket, received);
  });
  peers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { port: address.port, received, sockets, server };
}

async function bytesFrom(received: () => Uint8Array, n: number): Promise<void> {
  const start = Date.now();
  while (received().length < n) {
    if (Date.now() - start > 5000) throw new Error(`peer got ${received().length} of ${n} bytes`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('the client against a scripted peer', () => {
  it('replays the full exchange of handshake.json byte for byte', async () => {
    const ex = handshake.full_exchange_example;
    const [hdr, sub] = ex.client_to_server_hex;
    const [version, ok, audit] = ex.server_to_client_hex;
    const p = await peer(async (socket, received) => {
      await bytesFrom(received, 9);
      socket.write(fromHex(version ?? ''));
      await bytesFrom(received, 9 + (sub?.length ?? 0) / 2);
      socket.write(fromHex(ok ?? ''));
      socket.end(fromHex(audit ?? ''));
    });
    const c = await connect({ host: '127.0.0.1', port: p.port }, { mask: NOTIF.AUDIT });
    const all = await c.drain();
    expect(toHex(p.received())).toBe(`${hdr}${sub}`);
    expect(all.map((r) => toHex(r.raw))).toEqual([audit?.slice(8)]);
    expect(all[0]?.notification).toMatchObject({ type: 'audit', logno: 108, usid: 42 });
    expect(c.versionReply).toMatchObject({ status: 0, protocolVersion: 77 });
    await expect(c.next()).rejects.toMatchObject({ code: 'NSOMOCK_CLIENT_CLOSED' });
    await expect(c.diffDone(1)).rejects.toMatchObject({ code: 'NSOMOCK_CLIENT_CLOSED' });
  });

  it('refuses a wrong ack argument with a rejected NSOMOCK_USAGE, sending nothing (review finding 8)', async () => {
    const ex = handshake.full_exchange_example;
    const [hdr, sub] = ex.client_to_server_hex;
    const [version, ok] = ex.server_to_client_hex;
    const sent = ((hdr?.length ?? 0) + (sub?.length ?? 0)) / 2;
    const p = await peer(async (socket, received) => {
      await bytesFrom(received, 9);
      socket.write(fromHex(version ?? ''));
      await bytesFrom(received, sent);
      socket.write(fromHex(ok ?? ''));
    });
    const c = await connect({ host: '127.0.0.1', port: p.port }, { mask: NOTIF.AUDIT });
    // What a JavaScript caller (or `diffDone(record.th)` on the record) passes.
    const wrong = c as unknown as {
      diffDone(th: unknown): Promise<void>;
      syncAudit(usid: unknown): Promise<void>;
      syncAuditNetwork(usid: unknown): Promise<void>;
      sendAck(ack: unknown): Promise<void>;
    };
    let pending: Promise<void> | undefined;
    expect(() => (pending = wrong.diffDone(undefined))).not.toThrow();
    await expect(pending).rejects.toMatchObject({ code: 'NSOMOCK_USAGE', message: 'Failed to send an ack: th must be an integer, got undefined (diffDone)' });
    await expect(wrong.diffDone(1.5)).rejects.toMatchObject({ code: 'NSOMOCK_USAGE', details: { option: 'th', value: 1.5 } });
    await expect(wrong.syncAudit('42')).rejects.toMatchObject({ code: 'NSOMOCK_USAGE', message: expect.stringContaining('usid must be an integer, got "42" (syncAudit)') });
    await expect(wrong.syncAuditNetwork(2n ** 70n)).rejects.toMatchObject({ code: 'NSOMOCK_USAGE', message: expect.stringContaining('got 1180591620717411303424n') });
    await expect(wrong.sendAck(undefined)).rejects.toMatchObject({ code: 'NSOMOCK_USAGE', message: expect.stringContaining('the ack must be an object, got undefined') });
    await expect(wrong.sendAck({ kind: 'done', th: 1 })).rejects.toMatchObject({ code: 'NSOMOCK_USAGE', details: { option: 'kind' } });
    expect(p.received().length).toBe(sent);
    // A right one still goes out: {7, done} in the C style.
    const ack = encodeClientTerm(ackToTerm({ kind: 'diff-done', th: 7 }), 'c');
    await c.diffDone(7);
    await bytesFrom(p.received, sent + 4 + ack.length);
    expect(toHex(p.received().subarray(sent + 4))).toBe(toHex(ack));
    await c.close();
  });

  it('decodes every 5.7 vector it is sent', async () => {
    const vectors = loadNotifications().filter((v) => !v.name.startsWith('audit_network'));
    const p = await peer(async (socket, received) => {
      await bytesFrom(received, 9);
      socket.write(fromHex('00004d070701003c12'));
      await bytesFrom(received, 10);
      socket.write(fromHex('00000006836400026f6b'));
      for (const v of vectors) socket.write(fromHex(v.frame_hex));
      socket.end();
    });
    const c = await connect({ host: '127.0.0.1', port: p.port }, { mask: 0x7fffffff & ~(NOTIF.STREAM_EVENT | NOTIF.HEARTBEAT | NOTIF.HEALTH_CHECK) });
    const got = [];
    for await (const r of c) got.push(r);
    expect(got.map((r) => r.bit)).toEqual(vectors.map((v) => v.mask_bit));
  });

  async function failingPeer(reply: string): Promise<number> {
    const p = await peer(async (socket, received) => {
      await bytesFrom(received, 9);
      socket.write(fromHex(reply.slice(0, 18)));
      if (reply.length > 18) {
        await bytesFrom(received, 10);
        socket.write(fromHex(reply.slice(18)));
      }
    });
    return p.port;
  }

  it('fails on version status 1 (C and Java) and status 2 (C only) (§4.1)', async () => {
    const port1 = await failingPeer('01004e070701003c12');
    await expect(connect({ host: '127.0.0.1', port: port1 }, { mask: 1 })).rejects.toMatchObject({
      code: 'NSOMOCK_CLIENT_CONNECT_FAILED',
      details: { stage: 'version', code: 1 },
    });
    const port2 = await failingPeer('02004d070701003c12');
    await expect(connect({ host: '127.0.0.1', port: port2 }, { mask: 1 })).rejects.toMatchObject({ details: { code: 2 } });
    const javaOk = await failingPeer(`02004d070701000000${'00000006836400026f6b'}`);
    const c = await connect({ host: '127.0.0.1', port: javaOk }, { mask: 1, style: 'java' });
    await c.close();
  });

  it('fails on {error, Code, Reason} with the reason text without its NUL (§8.4)', async () => {
    const nostream = loadServerReplies().find((r) => r.name === 'subscribe_reply.error_nostream');
    const p = await peer(async (socket, received) => {
      await bytesFrom(received, 9);
      socket.write(fromHex('00004d070701003c12'));
      await bytesFrom(received, 10);
      socket.write(fromHex(nostream?.frame_hex ?? ''));
    });
    await expect(connect({ host: '127.0.0.1', port: p.port }, { mask: NOTIF.STREAM_EVENT, stream: { name: 'FOO' } })).rejects.toMatchObject({
      details: { stage: 'subscribe', code: 1, reason: 'no such stream: FOO' },
    });
  });

  it('treats any reply other than an error tuple as success, like the C library (§8.4)', async () => {
    const p = await peer(async (socket, received) => {
      await bytesFrom(received, 9);
      socket.write(fromHex('00004d070701003c12'));
      await bytesFrom(received, 10);
      // The atom `yes` (83 64 00 03 79 65 73).
      socket.write(fromHex('000000078364000379657373'.slice(0, 22)));
    });
    const c = await connect({ host: '127.0.0.1', port: p.port }, { mask: 1 });
    expect(c.subscribeReply.kind).toBe('atom');
    await c.close();
  });

  it('fails when the peer closes during the handshake, or refuses the connection', async () => {
    const p = await peer((socket) => void socket.destroy());
    await expect(connect({ host: '127.0.0.1', port: p.port }, { mask: 1 })).rejects.toMatchObject({ code: 'NSOMOCK_CLIENT_CONNECT_FAILED' });
    const closedPort = p.port;
    await new Promise((r) => p.server.close(r));
    peers.splice(0);
    await expect(connect({ host: '127.0.0.1', port: closedPort }, { mask: 1 })).rejects.toMatchObject({ details: { stage: 'connect' } });
  });

  it('times out a silent peer', async () => {
    const p = await peer(() => undefined);
    await expect(connect({ host: '127.0.0.1', port: p.port }, { mask: 1, timeoutMs: 50 })).rejects.toMatchObject({ details: { stage: 'timeout' } });
  });

  it('refuses what the libraries refuse before connecting (§8.2)', () => {
    const bad: ConnectOptions[] = [
      { mask: NOTIF.HEARTBEAT },
      { mask: NOTIF.HEALTH_CHECK, healthCheckInterval: 0 },
      { mask: NOTIF.STREAM_EVENT },
      { mask: -1 },
    ];
    for (const options of bad) expect(() => connect({ host: '127.0.0.1', port: 1 }, options)).toThrow(expect.objectContaining({ code: 'NSOMOCK_USAGE' }));
  });
});

