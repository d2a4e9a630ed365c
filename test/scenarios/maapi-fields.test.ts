/**
 * A commit-diff's `changes:` / `data:` and the `expect-maapi` step (docs/maapi.md): the shape is
 * checked when the scenario loads, and with `schema:` every path and value against the models
 * too — each problem at its file:line:col (what `nso-mock validate` prints).
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenarios/index.js';
import { FILE as FXS_FILE } from '../support/fxs-sample.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-maapi-fields-'));
  await mkdir(join(dir, 'models'));
  await copyFile(new URL('../../examples/models/mk.yang', import.meta.url), join(dir, 'models', 'mk.yang'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function problems(yaml: string): Promise<string[]> {
  const file = join(dir, 'bad.yaml');
  await writeFile(file, yaml);
  try {
    await loadScenario(file, { displayRoot: dir });
    return [];
  } catch (e) {
    return (e as Error).message.split('\n').slice(1);
  }
}

describe('changes, data and expect-maapi', () => {
  it('load into the emit step and an extension step', async () => {
    const file = join(dir, 'good.yaml');
    await writeFile(
      file,
      `name: ok
schema: [models/mk.yang]
steps:
  - emit:
      type: commit-diff
      th: 17
      changes:
        - { path: "/mk:sys/host{h1}", op: created }
        - { path: "/mk:sys/host{h1}/port", op: value-set, value: 22, old-value: 21 }
      data:
        /mk:sys/host{h1}/port: 22
  - expect-maapi: { th: 17, ops: [attach, diff-iterate, detach] }
`,
    );
    const scenario = await loadScenario(file);
    expect(scenario.extensions['schema']).toEqual(['models/mk.yang']);
    expect(scenario.schemaFiles).toEqual([join(dir, 'models', 'mk.yang')]);
    const [emit, expectMaapi] = scenario.steps;
    expect(emit?.kind === 'emit' ? emit.transaction : undefined).toEqual({
      th: 17,
      changes: [
        { path: '/mk:sys/host{h1}', op: 'created' },
        { path: '/mk:sys/host{h1}/port', op: 'value-set', value: 22, 'old-value': 21 },
      ],
      data: { '/mk:sys/host{h1}/port': 22 },
    });
    expect(emit?.kind === 'emit' ? emit.notification : undefined).not.toHaveProperty('changes');
    expect(expectMaapi).toMatchObject({ kind: 'extension', extension: 'expect-maapi', body: { th: 17 } });
  });

  it('problems at their positions: no th, a bad op, an unknown op name (schema); a path without prefix, value-set without value, attr-set without attr, moved-after on a leaf, a bad data key (compile)', async () => {
    expect(
      await problems(`name: bad
steps:
  - emit:
      type: commit-diff
      changes: [{ path: "/mk:sys", op: modified }]
  - emit: { type: commit-diff, th: 4, changes: [{ path: "/mk:sys", op: renamed }] }
  - expect-maapi: { ops: [attach, iterate] }
`),
    ).toEqual([
      'bad.yaml:5:16: steps[0].emit.changes: expected a th on this commit-diff (the transaction MAAPI clients attach to, MAAPI.md §M3.1), found changes/data without th',
      'bad.yaml:6:72: steps[1].emit.changes[0].op: expected one of created, deleted, modified, value-set, moved-after, attr-set, found "renamed"',
      'bad.yaml:7:35: steps[2].expect-maapi.ops[1]: expected one of start-user-session, end-user-session, get-my-user-session, exists, num-instances, get-elem, get-next, get-object, diff-iterate, get-values, attach, detach, load-hash-db, load-all-ns, load-ns-list, get-schema-file-path, load-mns-maps, destroy-cursor, found "iterate"',
    ]);
    expect(
      await problems(`name: bad
steps:
  - emit:
      type: commit-diff
      th: 5
      changes:
        - { path: "/sys/host{h1}", op: created }
        - { path: "/mk:sys/host{h1}/port", op: value-set }
        - { path: "/mk:sys/host{h1}/port", op: attr-set, value: 3 }
        - { path: "/mk:sys/host{h1}/port", op: moved-after }
      data:
        sys/host: 1
`),
    ).toEqual([
      'bad.yaml:7:19: steps[0].emit.changes[0].path: expected a keypath like /mk:sys/host{h1}/address (the first step with its module prefix), found "/sys/host{h1}"',
      'bad.yaml:8:48: steps[0].emit.changes[1].op: expected a value for value-set, found no value',
      'bad.yaml:9:65: steps[0].emit.changes[2].value: expected value: { attr: <attribute hash>, value: <text> } for attr-set, found 3',
      'bad.yaml:10:19: steps[0].emit.changes[3].path: expected a list entry (a path ending in {keys}) for moved-after, found "/mk:sys/host{h1}/port"',
      'bad.yaml:12:9: steps[0].emit.data["sys/host"]: expected a keypath like /mk:sys/host{h1}/address (the first step with its module prefix), found "sys/host"',
    ]);
  });

  it('with schema: each path and value against the models, at its position (an unknown node, a key count, a value outside its type, a value for a container, data of the wrong type)', async () => {
    expect(
      await problems(`name: bad
schema: [models/mk.yang]
steps:
  - emit:
      type: commit-diff
      th: 5
      changes:
        - { path: "/mk:sys/hots{h1}", op: created }
        - { path: "/mk:sys/host{h1 h2}", op: created }
        - { path: "/mk:sys/host{h1}/port", op: value-set, value: 70000 }
        - { path: "/mk:sys/host{h1}/address", op: value-set, value: 10.0.0.300 }
        - { path: "/mk:sys/host{h1}/config", op: value-set, value: 1 }
        - { path: "/mk:sys/host{h1}", op: moved-after, value: [a, b] }
        - { path: "/mk:sys/host{h1}/port", op: value-set, value: 22 }
      data:
        /mk:sys/host{h1}/port: ssh
        /mk:sys/nothing: 1
        /mk:sys/host{h1}/address: 10.0.0.1
`),
    ).toEqual([
      "bad.yaml:8:19: steps[0].emit.changes[0].path: expected a keypath of the scenario's models (schema:), found no node 'hots' under 'sys' (there: host) in '/mk:sys/hots{h1}'",
      "bad.yaml:9:19: steps[0].emit.changes[1].path: expected a keypath of the scenario's models (schema:), found list 'host' has 1 key(s) (name), 2 given in '/mk:sys/host{h1 h2}'",
      "bad.yaml:10:66: steps[0].emit.changes[2].value: expected a value of the leaf's type in the scenario's models (schema:), found '70000' is no inet:port-number: outside 0..65535",
      "bad.yaml:11:69: steps[0].emit.changes[3].value: expected a value of the leaf's type in the scenario's models (schema:), found '10.0.0.300' is no inet:ipv4-address: expected an IPv4 address, got '10.0.0.300' (value.value)",
      "bad.yaml:12:68: steps[0].emit.changes[4].value: expected a value of the leaf's type in the scenario's models (schema:), found value-set is for a leaf; 'config' is a container",
      "bad.yaml:13:63: steps[0].emit.changes[5].value: expected a value of the leaf's type in the scenario's models (schema:), found list 'host' has 1 key(s) (name), 2 given in '/mk:sys/host{h1}'",
      "bad.yaml:16:32: steps[0].emit.data[\"/mk:sys/host{h1}/port\"]: expected a value of the leaf's type in the scenario's models (schema:), found 'ssh' is no inet:port-number: not an integer",
      "bad.yaml:17:9: steps[0].emit.data[\"/mk:sys/nothing\"]: expected a keypath of the scenario's models (schema:), found no node 'nothing' under 'sys' (there: host) in '/mk:sys/nothing'",
    ]);
  });

  it('a schema: file that does not load is reported at the model\'s own line:col, one that is missing at its entry', async () => {
    await writeFile(join(dir, 'models', 'broken.yang'), 'module broken {\n  namespace "urn:b";\n  prefix b;\n  container c { leaf x { type nosuchtype; } }\n}\n');
    const broken = await problems('name: bad\nschema: [models/broken.yang]\nsteps:\n  - wait: 1ms\n');
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatch(/^models\/broken\.yang:4:\d+: schema\[0\]: expected a model that loads \(docs\/schemas\.md\), found .*nosuchtype/);
    expect(await problems('name: bad\nschema: [models/none.yang]\nsteps:\n  - wait: 1ms\n')).toEqual([
      'bad.yaml:2:10: schema[0]: expected a readable model file (.yang or .fxs), found no such file',
    ]);
  });

  it('a compiled .fxs model in schema: (its own hashes), checked the same way', async () => {
    await writeFile(join(dir, 'models', 'fx.fxs'), FXS_FILE);
    const yaml = (value: string): string =>
      `name: fxs\nschema: [models/fx.fxs]\nsteps:\n  - emit:\n      type: commit-diff\n      th: 6\n      changes:\n        - { path: "/fx:sys/host{h1}/port", op: value-set, value: ${value} }\n`;
    expect(await problems(yaml('22'))).toEqual([]);
    expect(await problems(yaml('x'))).toEqual([
      "bad.yaml:8:66: steps[0].emit.changes[0].value: expected a value of the leaf's type in the scenario's models (schema:), found 'x' is no uint16: not an integer",
    ]);
  });
});
