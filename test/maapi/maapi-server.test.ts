/**
 * The MAAPI server side over real TCP and Unix sockets (MAAPI.md): the hand-off after the version
 * reply, diff_iterate with every iterator answer, the reads, cursors, errors, unsupported ops,
 * bad frames, the journal and the call record, and attach bound to a pending commit-diff.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, connectMaapi, type DiffItemReceived, type IterAnswer, type MaapiClient } from '../../src/client/index.js';
import { atom, binary, decodeTerm, encodeTerm, formatTerm, improper, int, list, NOTIF, tuple, type Term } from '../../src/codec/index.js';
import { createMaapiServer, type MaapiServer, type MaapiTransactionInput } from '../../src/maapi/index.js';
import { loadAllNsFrames } from '../../src/schema/index.js';
import type { MockServerOptions } from '../../src/server/index.js';
import { startServer, until, type Started } from '../server/helpers.js';
import { captureSchema, schemaFromYang } from '../support/maapi-schema.js';
import { rawMaapi } from './raw-maapi.js';

const NS = 1912237357;

/** A tree with entries, leaves and a second list entry, in tree order (parents first). */
const TX: MaapiTransactionInput = {
  th: 17,
  changes: [
    { path: '/mk:sys', op: 'modified' },
    { path: '/mk:sys/host{h1}', op: 'created' },
    { path: '/mk:sys/host{h1}/address', op: 'value-set', value: '10.0.0.1' },
    { path: '/mk:sys/host{h1}/port', op: 'value-set', value: 22 },
    { path: '/mk:sys/host{h2}', op: 'modified' },
    { path: '/mk:sys/host{h2}/port', op: 'value-set', value: 8080 },
    { path: '/mk:sys/host{h0}', op: 'deleted' },
  ],
};

let started: Started | undefined;
let clients: MaapiClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await started?.close();
  started = undefined;
});

async function start(maapiOptions: Parameters<typeof createMaapiServer>[0] = {}, serverOptions: MockServerOptions = {}): Promise<{ maapi: MaapiServer; st: Started }> {
  const maapi = createMaapiServer({ schema: captureSchema(), ...maapiOptions });
  started = await startServer({ clientHandlers: { 7: maapi.handle }, ...serverOptions });
  return { maapi, st: started };
}

async function client(st: Started, via: 'tcp' | 'unix', options = {}): Promise<MaapiClient> {
  const c = await connectMaapi(via === 'tcp' ? st.tcp : { path: st.unix }, options);
  clients.push(c);
  return c;
}

/** Iterates with a fixed answer per item (by op name and path text), returning what was seen. */
async function walk(m: MaapiClient, th: number, answer: (item: DiffItemReceived) => IterAnswer = () => 'recurse'): Promise<string[]> {
  const seen: string[] = [];
  for await (const item of m.diffIterate(th)) {
    seen.push(`${item.opName} ${formatTerm(item.keypath)}`);
    item.answer = answer(item);
  }
  return seen;
}

const H1 = `{<<"h1">>},1002,[${NS}|1001]`;
const H2 = `{<<"h2">>},1002,[${NS}|1001]`;

for (const via of ['tcp', 'unix'] as const) {
  describe(`MAAPI over ${via}`, () => {
    it('diff_iterate RECURSE: every item in order, then {return} (§M4.2)', async () => {
      const { maapi, st } = await start();
      maapi.addTransaction(TX);
      const m = await client(st, via);
      await m.attach(17, 42);
      expect(await walk(m, 17)).toEqual([
        `modified [[${NS}|1001]]`,
        `created [${H1}]`,
        `value-set [1004,${H1}]`,
        `value-set [1005,${H1}]`,
        `modified [${H2}]`,
        `value-set [1005,${H2}]`,
        `deleted [{<<"h0">>},1002,[${NS}|1001]]`,
      ]);
      await m.detach(17);
      expect(maapi.calls().map((c) => `${c.name}${c.ok ? '' : ' !'}`)).toEqual(['attach', 'diff-iterate', 'detach']);
      expect(maapi.calls()[1]?.detail).toBe('7 item(s) of 7 sent, answers RECURSE RECURSE RECURSE RECURSE RECURSE RECURSE RECURSE');
    });

    it('diff_iterate CONTINUE skips the children of the item, UP the rest of its siblings (§M4.2)', async () => {
      const { maapi, st } = await start();
      maapi.addTransaction(TX);
      const m = await client(st, via);
      await m.attach(17);
      // CONTINUE on host{h1}: its leaves are skipped; host{h2} follows.
      expect(await walk(m, 17, (i) => (i.opName === 'created' ? 'continue' : 'recurse'))).toEqual([
        `modified [[${NS}|1001]]`,
        `created [${H1}]`,
        `modified [${H2}]`,
        `value-set [1005,${H2}]`,
        `deleted [{<<"h0">>},1002,[${NS}|1001]]`,
      ]);
      // UP on h1's address: h1's port is skipped, the next sibling of host{h1} (host{h2}) follows.
      expect(await walk(m, 17, (i) => (formatTerm(i.keypath).startsWith('[1004') ? 'up' : 'recurse'))).toEqual([
        `modified [[${NS}|1001]]`,
        `created [${H1}]`,
        `value-set [1004,${H1}]`,
        `modified [${H2}]`,
        `value-set [1005,${H2}]`,
        `deleted [{<<"h0">>},1002,[${NS}|1001]]`,
      ]);
      // UP on host{h2}: every remaining item below /mk:sys is skipped — the end.
      expect(await walk(m, 17, (i) => (i.opName === 'modified' && formatTerm(i.keypath).includes('h2') ? 'up' : 'recurse'))).toHaveLength(5);
      // CONTINUE on /mk:sys: everything is below it.
      expect(await walk(m, 17, () => 'continue')).toEqual([`modified [[${NS}|1001]]`]);
    });

    it('diff_iterate STOP: nothing more is sent, the next frame is a new request (§M4.2)', async () => {
      const { maapi, st } = await start();
      maapi.addTransaction(TX);
      const raw = await rawMaapi(via === 'tcp' ? st.tcp : { path: st.unix });
      raw.write(Uint8Array.from([0x07, 0x00, 0x52, 0x08, 0x02, 0x05, 0x00, 0x3c, 0x12]));
      expect(Buffer.from(await raw.readRaw(9)).toString('hex')).toBe('000052080205003c12');
      raw.write(Buffer.from('00000010000000b7000000110000000000000000', 'hex'));
      await raw.readFrame();
      raw.write(Buffer.from('0000000400000002', 'hex')); // RECURSE
      await raw.readFrame();
      raw.write(Buffer.from('0000000400000001', 'hex')); // STOP
      raw.write(Buffer.from('00000008000000dd00000011', 'hex')); // detach th 17
      expect(Buffer.from(await raw.readFrame()).toString('hex')).toBe('00000004000000dd');
      expect(raw.unread()).toBe(0);
      raw.close();
      expect(maapi.calls().map((c) => [c.name, c.detail])).toEqual([
        ['diff-iterate', '2 item(s) of 7 sent, answers RECURSE STOP'],
        ['detach', 'th 17 was not attached on this socket'],
      ]);
    });

    it('reads: get_elem, exists, num_instances, get_object, get_values, get_next with a cursor, destroy_cursor (§M5)', async () => {
      const { maapi, st } = await start();
      maapi.addTransaction(TX);
      const m = await client(st, via);
      await m.attach(17);
      expect(formatTerm(await m.getElem(17, '/mk:sys/host{h1}/address'))).toBe('<<"10.0.0.1">>');
      expect(formatTerm(await m.getElem(17, '/mk:sys/host{h1}/port'))).toBe('{11,22}');
      expect(formatTerm(await m.getElem(17, '/mk:sys/host{h2}/name'))).toBe('<<"h2">>');
      expect(await m.exists(17, '/mk:sys/host{h2}')).toBe(true);
      expect(await m.exists(17, '/mk:sys/host{h0}')).toBe(false);
      const path = (p: string): Term => list([improper([atom('mk')], atom('sys')), atom('host'), ...(p === '' ? [] : [tuple(binary(p))])]);
      expect(formatTerm((await m.request(165, 17, path('')))!)).toBe('2');
      expect(formatTerm((await m.request(176, 17, path('h2')))!)).toBe('[<<"h2">>,not_found,{11,8080}]');
      const tag = (t: number): Term => improper([int(NS)], int(t));
      const values = await m.request(194, 17, tuple(list([tuple(tag(1005), atom('not_found')), tuple(tag(1004), atom('not_found'))]), path('h1')));
      expect(formatTerm(values!)).toBe(`[{[${NS}|1005],{11,22}},{[${NS}|1004],<<"10.0.0.1">>}]`);
      const first = await m.request(169, 17, tuple(atom('first'), path(''), int(5), int(0), atom('')));
      expect(formatTerm(first!)).toBe('{1,{<<"h1">>}}');
      const second = await m.request(169, 17, tuple(first!, path(''), int(5), int(0), atom('')));
      expect(formatTerm(second!)).toBe('{2,{<<"h2">>}}');
      expect(formatTerm((await m.request(169, 17, tuple(second!, path(''), int(5), int(0), atom(''))))!)).toBe('false');
      expect(await m.request(269, 17, int(5))).toBeUndefined();
      expect(maapi.calls().at(-1)?.detail).toBe('cursor 5');
    });

    it('errors: unknown th on attach (1), a missing leaf (1, naming the path), a bad path (8), a finished transaction (61, badstate)', async () => {
      const { maapi, st } = await start();
      maapi.addTransaction(TX);
      const m = await client(st, via);
      await expect(m.attach(99)).rejects.toMatchObject({ code: 'NSOMOCK_CLIENT_MAAPI', details: { op: 220, code: 1, reason: 'No such transaction' } });
      await expect(m.getElem(17, '/mk:sys/host{h9}/port')).rejects.toMatchObject({ details: { code: 1, reason: '/mk:sys/host{h9}/port not found' } });
      await expect(m.getElem(17, '/mk:sys/nosuch')).rejects.toMatchObject({ details: { code: 8 } });
      maapi.finishTransaction(17);
      await expect(m.attach(17)).rejects.toMatchObject({ details: { code: 1 } });
      await expect(m.getElem(17, '/mk:sys/host{h1}/port')).rejects.toMatchObject({ details: { code: 61, reason: 'transaction 17 is finished (its diff-done ack arrived)' } });
      await expect(walk(m, 17)).rejects.toMatchObject({ details: { op: 183, code: 17, reason: 'transaction is not in a state where diff can be iterated' } });
      // The socket is still usable after every error.
      await m.startUserSession('admin');
      expect(formatTerm((await m.request(105, undefined))!)).toBe('1');
    });

    it('an op outside the subset: error 21 naming the op, a violation and a journal line; the connection stays open', async () => {
      const { maapi, st } = await start();
      const m = await client(st, via);
      await expect(m.request(150, 17, list([]))).rejects.toMatchObject({
        details: { op: 150, code: 21, reason: 'MAAPI_SET_ELEM (150) is not supported by nso-mock (docs/maapi.md lists the ops it serves)' },
      });
      await m.startUserSession('admin');
      const v = st.server.violations.find((x) => x.code === 'maapi-unsupported');
      expect(v).toMatchObject({ actual: 'MAAPI_SET_ELEM (150)', closed: false });
      const notes = st.server.journal.entries().filter((e) => e.kind === 'maapi').map((e) => `${e.direction} ${e.note}`);
      expect(notes).toEqual([
        'in MAAPI_SET_ELEM th=17',
        'out MAAPI_SET_ELEM error 21: MAAPI_SET_ELEM (150) is not supported by nso-mock (docs/maapi.md lists the ops it serves)',
        'in MAAPI_START_USER_SESSION',
        'out MAAPI_START_USER_SESSION ok',
      ]);
      expect(maapi.calls()[0]).toMatchObject({ name: 'op-150', ok: false, code: 21, th: 17 });
    });

    it('a zero frame length is a violation that closes only that connection', async () => {
      const { st } = await start();
      const other = await client(st, via);
      const raw = await rawMaapi(via === 'tcp' ? st.tcp : { path: st.unix });
      // Header and the bad frame in one write: the bytes after the header reach the handler too.
      raw.write(Uint8Array.from([0x07, 0x00, 0x52, 0x08, 0x02, 0x05, 0x00, 0x3c, 0x12, 0, 0, 0, 0]));
      await raw.closed;
      expect(st.server.violations.map((v) => v.code)).toEqual(['bad-frame-length']);
      await other.startUserSession('admin');
    });

    it('the access check runs for MAAPI too (PROTOCOL.md §3, MAAPI.md §M1.1)', async () => {
      const { st } = await start({}, { accessSecret: 'sekret' });
      const m = await client(st, via, { accessSecret: 'sekret' });
      await m.startUserSession('admin');
      await expect(connectMaapi(via === 'tcp' ? st.tcp : { path: st.unix }, { accessSecret: 'wrong' })).rejects.toMatchObject({ code: 'NSOMOCK_CLIENT_CONNECT_FAILED' });
    });
  });
}

describe('attach follows the commit-diff handshake (MAAPI.md §M3.1, PROTOCOL.md §12)', () => {
  it('attach works while the diff-done ack is pending and fails with error 1 after it', async () => {
    let server: Started['server'] | undefined;
    const maapi = createMaapiServer({ schema: captureSchema(), isPending: (th) => server?.transactionPending(th) ?? false });
    started = await startServer({ clientHandlers: { 7: maapi.handle } });
    server = started.server;
    maapi.addTransaction(TX);
    const notif = await connect(started.tcp, { mask: NOTIF.COMMIT_DIFF });
    try {
      const m = await client(started, 'unix');
      await expect(m.attach(17)).rejects.toMatchObject({ details: { code: 1 } });
      const delivery = started.server.emit({ type: 'commit-diff', th: 17 });
      const n = await notif.next();
      expect(n.notification).toMatchObject({ type: 'commit-diff', th: 17 });
      expect(started.server.transactionPending(17)).toBe(true);
      await m.attach(17);
      expect(await walk(m, 17)).toHaveLength(7);
      await m.detach(17);
      // Detach does not release the commit (§M3.2): only the ack does.
      expect(started.server.transactionPending(17)).toBe(true);
      await notif.diffDone(17);
      await delivery.acked;
      expect(started.server.transactionPending(17)).toBe(false);
      await expect(m.attach(17)).rejects.toMatchObject({ details: { code: 1, reason: 'No such transaction' } });
      // A commit-diff without declared changes: attach works, the diff is empty.
      started.server.emit({ type: 'commit-diff', th: 18 });
      await notif.next();
      await until(() => started!.server.transactionPending(18), 'th 18 pending');
      await m.attach(18);
      expect(await walk(m, 18)).toEqual([]);
    } finally {
      notif.close();
    }
  });
});

describe('without a handler', () => {
  it('type 7 is still closed at once (PROTOCOL.md §17)', async () => {
    started = await startServer();
    await expect(connectMaapi(started.tcp)).rejects.toMatchObject({ code: 'NSOMOCK_CLIENT_CONNECT_FAILED' });
  });
});

describe('schema loading in the Java order (MAAPI.md §M6.1: 231 → 253/232 → 264)', () => {
  it('hash db, a namespace list with a known and an unknown URI, mount maps', async () => {
    const { st } = await start();
    const raw = await rawMaapi({ path: st.unix });
    raw.write(Uint8Array.from([0x07, 0x00, 0x52, 0x08, 0x02, 0x05, 0x00, 0x00, 0x00]));
    await raw.readRaw(9);
    const term = (frame: Uint8Array): string => formatTerm(decodeTerm(frame.subarray(4)));
    raw.write(Buffer.from('00000004000000e7', 'hex'));
    expect(term(await raw.readFrame())).toBe('5');
    expect(term(await raw.readFrame())).toBe('[{sys,1001},{host,1002},{name,1003},{address,1004},{port,1005}]');
    expect(term(await raw.readFrame())).toBe('eof');
    const ask = encodeTerm(tuple(int(0), list([tuple(atom('http://example.com/mock'), int(3)), tuple(atom('http://nowhere'), int(3))])));
    const frame = Buffer.alloc(8 + ask.length);
    frame.writeUInt32BE(4 + ask.length, 0);
    frame.writeUInt32BE(253, 4);
    frame.set(ask, 8);
    raw.write(frame);
    expect(term(await raw.readFrame())).toMatch(/^\[\{ns,'http:\/\/example.com\/mock',mk,1912237357,/);
    expect(term(await raw.readFrame())).toBe('eof');
    raw.write(Buffer.from('0000000400000108', 'hex'));
    expect(term(await raw.readFrame())).toBe('eof');
    raw.close();
  });

  it("LOAD_ALL_NS over the socket is the schema layer's stream: leaf-lists, nested containers, config false, defaults (§M6.2)", async () => {
    const schema = schemaFromYang(`module t {
  namespace "urn:t";
  prefix t;
  container a {
    leaf-list tag { type string; }
    container st { config false; leaf up { type boolean; } }
  }
  leaf top { type uint16; default 7; }
}
`);
    const maapi = createMaapiServer({ schema });
    started = await startServer({ clientHandlers: { 7: maapi.handle } });
    const raw = await rawMaapi({ path: started.unix });
    raw.write(Uint8Array.from([0x07, 0x00, 0x52, 0x08, 0x02, 0x05, 0x00, 0x00, 0x00]));
    await raw.readRaw(9);
    raw.write(Buffer.from('00000004000000e8', 'hex'));
    const records = formatTerm(decodeTerm((await raw.readFrame()).subarray(4)));
    expect(formatTerm(decodeTerm((await raw.readFrame()).subarray(4)))).toBe('eof');
    raw.close();
    const [expected] = loadAllNsFrames(schema).map((t) => formatTerm(t));
    expect(records).toBe(expected);
    // Numbered in document order (a=1, tag=2, st=3, up=4, top=5), sent last first (§M6.2).
    const nodes = [...records.matchAll(/\{node,(\d+),\d+,\d+,\d+,-?\d+,-?\d+,(\d+),\d+,'',(\{[^}]*\}|[^,]+),(\d+),/g)].map((m) => `${m[1]} prim ${m[2]} def ${m[3]} flags ${m[4]}`);
    expect(nodes).toHaveLength(5);
    expect(nodes[0]).toBe('5 prim 11 def {11,7} flags 6');
    expect(nodes[1]).toBe('4 prim 17 def not_found flags 0');
    expect(nodes[2]).toBe('3 prim 0 def not_found flags 256');
    // A leaf-list's values are C_LIST (31, PROTOCOL.md §9.4), the schema layer's choice (docs/schemas.md).
    expect(nodes[3]).toBe('2 prim 31 def not_found flags 8198');
    expect(nodes[4]).toBe('1 prim 0 def not_found flags 262');
    expect(records).toMatch(/\{root,1\},\{parent,\[\{2,1\},\{3,1\},\{4,3\}\]\}\]$/);
  });
});

describe('bounds', () => {
  it('keeps the most recent transactionLimit declarations', async () => {
    const maapi = createMaapiServer({ schema: captureSchema(), transactionLimit: 2 });
    started = await startServer({ clientHandlers: { 7: maapi.handle } });
    for (const th of [1, 2, 3]) maapi.addTransaction({ th, changes: [{ path: '/mk:sys', op: 'modified' }] });
    const m = await client(started, 'tcp');
    await expect(m.attach(1)).rejects.toMatchObject({ details: { code: 1 } });
    await m.attach(2);
    await m.attach(3);
  });
});
