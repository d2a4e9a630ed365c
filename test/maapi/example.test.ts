/**
 * examples/maapi/commit-diff-consumer.yaml validates and runs green with a consumer that walks
 * the transaction over MAAPI before it acks; the model is the scenario's own schema: (mk.yang, loaded by the schema layer).
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { connect, connectMaapi } from '../../src/client/index.js';
import { formatTerm, NOTIF } from '../../src/codec/index.js';
import { startNsoMock } from '../../src/harness/index.js';
import { phash2 } from '../../src/schema/index.js';
import { loadScenario, scenarioFromDocument, type ScenarioDocument } from '../../src/scenarios/index.js';
import { MK_YANG } from '../support/maapi-schema.js';

const FILE = fileURLToPath(new URL('../../examples/maapi/commit-diff-consumer.yaml', import.meta.url));

describe('docs/maapi.md', () => {
  it("its scenario validates (schema, changes, data, expect-maapi)", async () => {
    const text = readFileSync(new URL('../../docs/maapi.md', import.meta.url), 'utf8');
    const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    // Its schema: [../models/mk.yang] is relative to examples/maapi/, where the example file lives.
    const scenario = await scenarioFromDocument(parse(yamlBlock) as ScenarioDocument, { displayRoot: dirname(FILE) });
    expect(scenario.schemaFiles).toEqual([MK_YANG]);
    expect(scenario.steps.map((s) => (s.kind === 'extension' ? s.extension : s.kind))).toEqual(['await-subscribers', 'emit', 'expect-maapi', 'expect-ack']);
  });
});

describe('examples/maapi/commit-diff-consumer.yaml', () => {
  it('validates, declares th 17 and names the mk model', async () => {
    const scenario = await loadScenario(FILE);
    expect(scenario.extensions['schema']).toEqual(['../models/mk.yang']);
    const emit = scenario.steps.find((s) => s.kind === 'emit');
    expect(emit?.kind === 'emit' ? emit.transaction?.changes?.length : 0).toBe(7);
  });

  it('runs green with a consumer that attaches, iterates, reads, detaches and then acks', async () => {
    const scenario = await loadScenario(FILE);
    await using mock = await startNsoMock({ scenario });
    const playing = mock.play(scenario);
    const events = await connect(mock.addresses.tcp!, { mask: NOTIF.COMMIT_DIFF });
    const n = await events.next();
    const th = n.notification.type === 'commit-diff' ? n.notification.th : -1;
    const m = await connectMaapi(mock.addresses.tcp!);
    const seen: string[] = [];
    await m.attach(th);
    for await (const item of m.diffIterate(th)) seen.push(`${item.opName} ${formatTerm(item.newValue)}`);
    const port = formatTerm(await m.getElem(th, '/mk:sys/host{h2}/port'));
    // mk.yang types them: inet:ipv4-address is C_IPV4 (a 4-tuple), inet:port-number C_UINT16 ({11, V}).
    const address = formatTerm(await m.getElem(th, '/mk:sys/host{h1}/address'));
    await m.detach(th);
    await events.diffDone(th);
    const report = await playing;
    m.close();
    events.close();
    expect(th).toBe(17);
    expect(seen).toEqual(['modified undefined', 'created undefined', 'value-set {10,0,0,1}', 'value-set {11,22}', 'modified undefined', 'value-set {11,8022}', 'deleted undefined']);
    expect(port).toBe('{11,8022}');
    expect(address).toBe('{10,0,0,1}');
    expect(mock.maapi?.schema.namespaces[0]?.hash).toBe(phash2('http://example.com/mk'));
    expect(report.failures).toEqual([]);
    expect(report.status).toBe('passed');
  });
});

describe('startNsoMock({ maapi: { schema: [files] } })', () => {
  it('loads model files (relative to the working directory) for a scenario without schema:', async () => {
    await using mock = await startNsoMock({ maapi: { schema: ['examples/models/mk.yang'] } });
    const host = mock.maapi?.schema.roots[0]?.children[0];
    expect(host?.name).toBe('host');
    expect(host?.tagHash).toBe(phash2('host'));
    const tx = mock.maapi?.addTransaction({ th: 3, changes: [{ path: '/mk:sys/host{h9}/port', op: 'value-set', value: 2022 }] });
    const [ns, sys, port] = [phash2('http://example.com/mk'), phash2('sys'), phash2('port')];
    expect(tx?.items.map((i) => formatTerm(i.term))).toEqual([`{[${port},{<<"h9">>},${phash2('host')},[${ns}|${sys}]],4,undefined,{11,2022}}`]);
  });

  it('refuses a model file that does not load, naming it', async () => {
    await expect(startNsoMock({ maapi: { schema: ['examples/models/none.yang'] } })).rejects.toMatchObject({ code: 'NSOMOCK_SCHEMA_INVALID' });
  });
});
