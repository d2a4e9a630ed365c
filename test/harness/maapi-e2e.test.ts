/**
 * End to end over real sockets (issue 13's proof): a scenario emits a commit-diff with declared
 * changes; a TypeScript consumer reads it, opens MAAPI, attaches to its th, iterates the diff
 * (every MOP_* op, every iterator answer), reads a value, detaches and only then acks; the
 * scenario's expect-maapi sees the calls before the ack, and the commit is released only by the ack.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { connect, connectMaapi, type DiffItemReceived, type IterAnswer } from '../../src/client/index.js';
import { formatTerm, NOTIF } from '../../src/codec/index.js';
import { startNsoMock } from '../../src/harness/index.js';
import { scenarioFromDocument, type ScenarioDocument } from '../../src/scenarios/index.js';
import { ManualClock } from '../../src/server/index.js';
import { tempSocketPath, until } from '../server/helpers.js';
import { captureSchema } from '../support/maapi-schema.js';

const DOC = {
  name: 'a commit-diff consumer that walks the diff over MAAPI',
  options: { 'ack-timeout': '10s' },
  steps: [
    { 'await-subscribers': { count: 1, mask: ['commit-diff'], within: '10s' } },
    {
      emit: {
        type: 'commit-diff',
        th: 17,
        changes: [
          { path: '/mk:sys', op: 'modified' },
          { path: '/mk:sys/host{h1}', op: 'created' },
          { path: '/mk:sys/host{h1}/address', op: 'value-set', value: '10.0.0.1' },
          { path: '/mk:sys/host{h1}/port', op: 'value-set', value: 22 },
          { path: '/mk:sys/host{h1}/address', op: 'attr-set', value: { attr: 2147483650, value: 'my-tag' } },
          { path: '/mk:sys/host{h2}', op: 'moved-after', value: 'h1' },
          { path: '/mk:sys/host{h0}', op: 'deleted' },
        ],
        data: { '/mk:sys/host{h1}/address': '10.0.0.1', '/mk:sys/host{h1}/port': 22, '/mk:sys/host{h2}': null },
      },
    },
    { 'expect-maapi': { th: 17, ops: ['attach', 'diff-iterate', 'get-elem', 'detach'], within: 10000 } },
    { 'expect-ack': { th: 17, within: '10s' } },
  ],
} as unknown as ScenarioDocument;

async function walk(m: Awaited<ReturnType<typeof connectMaapi>>, th: number, answer: (item: DiffItemReceived) => IterAnswer): Promise<string[]> {
  const seen: string[] = [];
  for await (const item of m.diffIterate(th)) {
    seen.push(`${item.opName} ${formatTerm(item.keypath)} ${formatTerm(item.newValue)}`);
    item.answer = answer(item);
  }
  return seen;
}

describe('commit-diff → MAAPI attach → diff_iterate → get_elem → detach → ack', () => {
  for (const via of ['tcp', 'unix'] as const) {
    it(`over ${via}`, async () => {
      const socket = tempSocketPath();
      const unix = via === 'unix' ? socket.path : undefined;
      onTestFinished(() => socket.cleanup());
      await using mock = await startNsoMock({ maapi: { schema: captureSchema() }, ...(unix === undefined ? {} : { unix, tcp: false }) });
      const address = unix === undefined ? mock.addresses.tcp! : { path: unix };
      const scenario = await scenarioFromDocument(DOC);
      const notif = await connect(address, { mask: NOTIF.COMMIT_DIFF });
      const playing = mock.play(scenario);
      const received = await notif.next();
      expect(received.notification).toMatchObject({ type: 'commit-diff', th: 17 });
      const m = await connectMaapi(address);
      const order: string[] = [];
      try {
        await m.attach(17, 42);
        // RECURSE everywhere: all seven items, every MOP_* code 1..6.
        const all = await walk(m, 17, () => 'recurse');
        expect(all).toEqual([
          'modified [[1912237357|1001]] undefined',
          'created [{<<"h1">>},1002,[1912237357|1001]] undefined',
          'value-set [1004,{<<"h1">>},1002,[1912237357|1001]] <<"10.0.0.1">>',
          'value-set [1005,{<<"h1">>},1002,[1912237357|1001]] {11,22}',
          'attr-set [1004,{<<"h1">>},1002,[1912237357|1001]] {2147483650,<<"my-tag">>}',
          'moved-after [{<<"h2">>},1002,[1912237357|1001]] {<<"h1">>}',
          'deleted [{<<"h0">>},1002,[1912237357|1001]] undefined',
        ]);
        // CONTINUE on the created entry skips its leaves.
        expect(await walk(m, 17, (i) => (i.opName === 'created' ? 'continue' : 'recurse'))).toHaveLength(4);
        // UP on the first leaf of h1 skips its other leaves.
        expect(await walk(m, 17, (i) => (i.opName === 'value-set' ? 'up' : 'recurse'))).toHaveLength(5);
        // STOP after the second item.
        expect(await walk(m, 17, (i) => (i.opName === 'created' ? 'stop' : 'recurse'))).toHaveLength(2);
        expect(formatTerm(await m.getElem(17, '/mk:sys/host{h1}/address'))).toBe('<<"10.0.0.1">>');
        await m.detach(17);
        order.push('detached');
        // The commit is still held: nothing released it but the ack.
        expect(mock.server.transactionPending(17)).toBe(true);
        await notif.diffDone(17);
        order.push('acked');
        const report = await playing;
        expect(report.failures).toEqual([]);
        expect(report.status).toBe('passed');
        expect(mock.server.transactionPending(17)).toBe(false);
        await expect(m.attach(17)).rejects.toMatchObject({ details: { code: 1 } });
        // The report lists the MAAPI calls of the run per connection, in order.
        const calls = (report.maapi ?? []).map((c) => `${c.connectionId}:${c.op}${c.ok ? '' : `!${c.code}`}`);
        const id = report.maapi?.[0]?.connectionId;
        expect(calls).toEqual([
          `${id}:attach`,
          `${id}:diff-iterate`,
          `${id}:diff-iterate`,
          `${id}:diff-iterate`,
          `${id}:diff-iterate`,
          `${id}:get-elem`,
          `${id}:detach`,
        ]);
        expect(report.maapi?.[4]?.detail).toBe('2 item(s) of 7 sent, answers RECURSE STOP');
        // expect-maapi passed before the ack arrived.
        const expectMaapi = report.steps[2]!;
        const ack = report.acks.find((a) => a.ack === '{17,done}')!;
        expect(expectMaapi.status).toBe('passed');
        expect(expectMaapi.startedAt + expectMaapi.durationMs).toBeLessThanOrEqual(ack.at);
        expect(order).toEqual(['detached', 'acked']);
        // The journal has the MAAPI requests and replies of that connection.
        const notes = mock.journal.filter((e) => e.kind === 'maapi' && e.connectionId === id && e.direction === 'in').map((e) => e.note);
        expect(notes[0]).toBe('MAAPI_ATTACH th=17');
      } finally {
        m.close();
        notif.close();
      }
    });
  }

  it('expect-maapi fails with what it saw when the consumer acks without iterating', async () => {
    // The expect-maapi deadline runs on a manual clock: it passes when the test moves time, after the attach.
    const clock = new ManualClock({ now: Date.UTC(2024, 0, 1) });
    await using mock = await startNsoMock({ maapi: { schema: captureSchema() }, clock });
    const doc = {
      ...DOC,
      steps: [DOC.steps![0], DOC.steps![1], { 'expect-maapi': { th: 17, ops: ['attach', 'diff-iterate'], within: 300 } }],
    } as unknown as ScenarioDocument;
    const notif = await connect(mock.addresses.tcp!, { mask: NOTIF.COMMIT_DIFF });
    const playing = mock.play(await scenarioFromDocument(doc));
    await notif.next();
    const m = await connectMaapi(mock.addresses.tcp!);
    await m.attach(17);
    await notif.diffDone(17);
    await until(() => mock.acks.length === 1, 'the ack');
    clock.advance(300);
    const report = await playing;
    m.close();
    notif.close();
    expect(report.status).toBe('failed');
    expect(report.failures.join('\n')).toContain('expected MAAPI calls attach, diff-iterate on th 17 within 300 ms, saw attach');
  });

  it('a change whose path does not resolve fails the emit step, naming the field', async () => {
    await using mock = await startNsoMock({ maapi: { schema: captureSchema() } });
    const doc = {
      name: 'bad path',
      steps: [{ emit: { type: 'commit-diff', th: 5, changes: [{ path: '/mk:sys/hots{h1}', op: 'created' }] } }],
    } as unknown as ScenarioDocument;
    const report = await mock.play(await scenarioFromDocument(doc));
    expect(report.status).toBe('failed');
    expect(report.failures.join('\n')).toContain("Failed to compile transaction 5: no node 'hots' under 'sys' (there: host) in '/mk:sys/hots{h1}' (changes[0].path)");
  });
});
