import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, scenarioFromDocument, ScenarioError } from '../../src/scenarios/index.js';
import type { ScenarioDocument } from '../../src/scenarios/scenario.js';

/** A virtual directory: includes read from here, names in messages are relative to it. */
function files(map: Readonly<Record<string, string>>): { readonly readFile: (path: string) => Promise<string>; readonly displayRoot: string } {
  return {
    displayRoot: '/scenarios',
    readFile: (path) => {
      const text = map[path.replace(/^\/scenarios\//, '')];
      if (text === undefined) return Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' }));
      return Promise.resolve(text);
    },
  };
}

/** The error message of loading `text` as `bad.yaml` (the test fails if it loads). */
async function problems(text: string, others: Readonly<Record<string, string>> = {}): Promise<string> {
  try {
    await parseScenario(text, { file: 'bad.yaml', ...files(others) });
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  throw new Error('the scenario loaded');
}

describe('scenario errors: file:line:col, path, expected, found — every problem', () => {
  it('YAML syntax', async () => {
    expect(await problems('name: [x\nsteps: - a\n')).toMatchInlineSnapshot(`
      "Failed to load scenario: 3 problems (bad.yaml)
      bad.yaml:2:1: (yaml): expected valid YAML, found Flow sequence in block collection must be sufficiently indented and end with a ]
      bad.yaml:2:8: (yaml): expected valid YAML, found Unexpected block-seq-ind on same line with key
      bad.yaml:2:10: (yaml): expected valid YAML, found Implicit map keys need to be followed by map values"
    `);
  });

  it('an alias bomb is a YAML problem at the first alias, not a crash', async () => {
    const lines = ['name: bomb', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    const names = 'abcdefgh';
    for (let i = 1; i < names.length; i += 1) {
      const prev = names[i - 1] ?? '';
      lines.push(`${names[i] ?? ''}: &${names[i] ?? ''} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`);
    }
    lines.push('steps: []');
    const error = await parseScenario(`${lines.join('\n')}\n`, { file: 'bomb.yaml', ...files({}) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).code).toBe('NSOMOCK_SCENARIO_INVALID');
    expect((error as ScenarioError).message).toMatchInlineSnapshot(`
      "Failed to load scenario: 1 problem (bomb.yaml)
      bomb.yaml:3:8: (yaml): expected valid YAML, found Excessive alias count indicates a resource exhaustion attack (aliases expand past maxAliasCount 1000)"
    `);
  });

  it('a few aliases load', async () => {
    const scenario = await parseScenario('name: x\nsteps:\n  - &w { wait: 10ms }\n  - *w\n  - *w\n', { file: 'ok.yaml', ...files({}) });
    expect(scenario.steps.map((s) => s.kind)).toEqual(['wait', 'wait', 'wait']);
  });

  it('an empty file', async () => {
    expect(await problems('')).toMatchInlineSnapshot(`
      "Failed to load scenario: 1 problem (bad.yaml)
      bad.yaml:1:1: (root): expected a scenario: a mapping with name and steps, found an empty document"
    `);
  });

  it('top-level fields: unknown (with a suggestion), wrong enum, wrong type, bad duration', async () => {
    expect(
      await problems(`name: x
stepz: []
profile: nso99
seed: 1.5
options: { ack-timeout: 10 sec, strict: yes }
`),
    ).toMatchInlineSnapshot(`
      "Failed to load scenario: 5 problems (bad.yaml)
      bad.yaml:2:1: stepz: expected a top-level field ($schema, name, description, profile, seed, include, defaults, options, steps, ncmp, schema), found unknown field "stepz" (did you mean steps?)
      bad.yaml:3:10: profile: expected one of auto, nso57, nso62, nso66, nso6x, found "nso99"
      bad.yaml:4:7: seed: expected an integer, found 1.5
      bad.yaml:5:25: options.ack-timeout: expected a duration with a unit, such as 250ms, 2s or 1m30s, found "10 sec"
      bad.yaml:5:41: options.strict: expected true or false, found "yes""
    `);
  });

  it('a missing name', async () => {
    expect(await problems('steps: []\n')).toMatchInlineSnapshot(`
      "Failed to load scenario: 1 problem (bad.yaml)
      bad.yaml:1:1: name: expected a non-empty string, found nothing"
    `);
  });

  it('step kinds: unknown, two in one item, stray field, not a mapping', async () => {
    expect(
      await problems(`name: x
steps:
  - emitt: { type: heartbeat }
  - wait: 1s
    log: two kinds
  - log: hi
    when: later
  - just text
`),
    ).toMatchInlineSnapshot(`
      "Failed to load scenario: 4 problems (bad.yaml)
      bad.yaml:3:5: steps[0].emitt: expected a step kind (await-subscribers, emit, emit-raw, expect-ack, expect-no-ack, wait, repeat, sequence, parallel, stream, fuzz, fault, heartbeat, health-check, expect-violation, log, ncmp-cm-handle, ncmp-async-response, expect-maapi), found "emitt" (did you mean emit?)
      bad.yaml:5:5: steps[1].log: expected one step kind per list item (start another "- " item), found wait and log in one item
      bad.yaml:7:5: steps[2].when: expected only the step kind and name in a step, found unknown field "when"
      bad.yaml:8:5: steps[3]: expected a step: a mapping with one step kind (await-subscribers, emit, emit-raw, expect-ack, expect-no-ack, wait, repeat, sequence, parallel, stream, fuzz, fault, heartbeat, health-check, expect-violation, log, ncmp-cm-handle, ncmp-async-response, expect-maapi), found "just text""
    `);
  });

  it('suggests the scenario name for a Python constant or a differently cased name', async () => {
    const text = await problems(`name: x
steps:
  - await-subscribers: { mask: [NOTIF_COMMIT_DIFF, AUDIT_SYNC] }
  - emit: { type: NOTIF_AUDIT }
  - emit: { type: Commit_Diff, th: 1, db: RUNNING }
`);
    expect(text).toContain('found "NOTIF_COMMIT_DIFF" (did you mean commit-diff?)');
    expect(text).toContain('found "AUDIT_SYNC" (did you mean audit-sync?)');
    expect(text).toContain('found "NOTIF_AUDIT" (did you mean audit?)');
    expect(text).toContain('found "Commit_Diff" (did you mean commit-diff?)');
  });

  it('says how to write a list when one valid item stands where a list belongs', async () => {
    const text = await problems(`name: x
steps:
  - await-subscribers: { mask: commit-diff }
  - fuzz: { types: audit, count: 3 }
`);
    expect(text).toContain('steps[0].await-subscribers.mask: expected a list of audit,');
    expect(text).toContain('found "commit-diff" (a list is written [commit-diff])');
    expect(text).toContain('found "audit" (a list is written [audit])');
  });

  it('emit: dispatched on type, so errors speak about that type', async () => {
    expect(
      await problems(`name: x
steps:
  - emit: { type: comit-diff, th: 1 }
  - emit: { type: commit-diff, tth: 5, db: runing }
  - emit: { th: 5 }
  - emit: { type: audit, usid: "42", logno: 1.5 }
  - emit:
      type: ha-info
      node: { nodeid: n1, addr: 10.0.0.1 }
`),
    ).toMatchInlineSnapshot(`
      "Failed to load scenario: 7 problems (bad.yaml)
      bad.yaml:3:19: steps[0].emit.type: expected a notification type (audit, daemon, commit-simple, commit-diff, user-session, ha-info, subagent-info, commit-failed, snmpa, forward-info, netconf, devel, heartbeat, confirmed-commit, upgrade, commit-progress, health-check, stream-event, package-reload, cq-progress, reopen-logs, progress, call-home-info, jsonrpc, webui, audit-network, compaction), found "comit-diff" (did you mean commit-diff?)
      bad.yaml:4:32: steps[1].emit.tth: expected a commit-diff field (type, database, db, uinfo, th, flags, comment, label, changes, data, wait-ack), found unknown field "tth" (did you mean th?)
      bad.yaml:4:44: steps[1].emit.db: expected one of no-db, candidate, running, startup, operational, transaction, pre-commit-running, intended or an integer, found "runing" (did you mean running?)
      bad.yaml:5:11: steps[2].emit.type: expected a notification type (audit, daemon, commit-simple, commit-diff, user-session, ha-info, subagent-info, commit-failed, snmpa, forward-info, netconf, devel, heartbeat, confirmed-commit, upgrade, commit-progress, health-check, stream-event, package-reload, cq-progress, reopen-logs, progress, call-home-info, jsonrpc, webui, audit-network, compaction), found nothing
      bad.yaml:6:32: steps[3].emit.usid: expected an integer, found "42"
      bad.yaml:6:45: steps[3].emit.logno: expected an integer, found 1.5
      bad.yaml:8:7: steps[4].emit.event: expected one of noprimary, nomaster, secondary-died, slave-died, secondary-arrived, slave-arrived, secondary-initialized, slave-initialized, is-primary, is-master, is-none, besecondary-result, beslave-result or an integer, found nothing"
    `);
  });

  it('emit: values the codec rejects (ranges, addresses), found by normalising at load time', async () => {
    expect(
      await problems(`name: x
steps:
  - emit: { type: commit-diff, uinfo: { port: 70000 } }
  - emit: { type: commit-simple, uinfo: { addr: "not an ip" } }
  - emit: { type: commit-simple, uinfo: { addr: 300.1.1.1 } }
  - emit: { type: user-session, event: start, uinfo: { logintime: 3000000000 } }
`),
    ).toMatchInlineSnapshot(`
      "Failed to load scenario: 4 problems (bad.yaml)
      bad.yaml:3:47: steps[0].emit.uinfo.port: expected an integer from 0 to 65535, found 70000
      bad.yaml:4:49: steps[1].emit.uinfo.addr: expected an IP address such as 127.0.0.1 or 2001:db8::1, found "not an ip"
      bad.yaml:5:49: steps[2].emit.uinfo.addr: expected an IPv4 or IPv6 address, found '300.1.1.1'
      bad.yaml:6:67: steps[3].emit.uinfo.logintime: expected a value outside 2^31..2^32−1 — which the C library misreads (PROTOCOL.md §6.4), found 3000000000"
    `);
  });

  it('unions: durations, wait-ack, selectors, enum-or-number fields', async () => {
    expect(
      await problems(`name: x
steps:
  - wait: 2 sec
  - wait: -5
  - emit: { type: audit, wait-ack: maybe }
  - expect-ack: { th: 1, from: { indx: 1 } }
  - fault: { kind: close, target: everyone }
  - emit: { type: daemon, prio: loud }
`),
    ).toMatchInlineSnapshot(`
      "Failed to load scenario: 6 problems (bad.yaml)
      bad.yaml:3:11: steps[0].wait: expected a duration with a unit, such as 250ms, 2s or 1m30s, found "2 sec"
      bad.yaml:4:11: steps[1].wait: expected a duration with a unit, such as 250ms, 2s or 1m30s, found -5
      bad.yaml:5:36: steps[2].emit.wait-ack: expected true, false or a duration such as 2s, found "maybe"
      bad.yaml:6:32: steps[3].expect-ack.from: expected all, first, last, { index: n }, { connection: id } or { subscribed-to: [types] }, found a mapping with indx
      bad.yaml:7:35: steps[4].fault.target: expected all, first, last, { index: n }, { connection: id } or { subscribed-to: [types] }, found "everyone"
      bad.yaml:8:33: steps[5].emit.prio: expected one of emerg, alert, crit, err, warning, notice, info, debug or an integer, found "loud""
    `);
  });

  it('nested steps keep their full path', async () => {
    expect(
      await problems(`name: x
steps:
  - repeat:
      times: 0
      steps:
        - sequence:
            - wait: forever
        - parallel: []
`),
    ).toMatchInlineSnapshot(`
      "Failed to load scenario: 3 problems (bad.yaml)
      bad.yaml:4:14: steps[0].repeat.times: expected an integer ≥ 1, found 0
      bad.yaml:7:21: steps[0].repeat.steps[0].sequence[0].wait: expected a duration with a unit, such as 250ms, 2s or 1m30s, found "forever"
      bad.yaml:8:21: steps[0].repeat.steps[1].parallel: expected a non-empty list of steps, found an empty list"
    `);
  });

  it('fault kinds: dispatched on kind', async () => {
    expect(
      await problems(`name: x
steps:
  - fault: { kind: stal }
  - fault: { kind: stall }
  - fault: { kind: garbage, bytes: abc }
  - fault: { kind: garbage, bytes: abcd, length: 2 }
`),
    ).toMatchInlineSnapshot(`
      "Failed to load scenario: 4 problems (bad.yaml)
      bad.yaml:3:20: steps[0].fault.kind: expected a fault kind (stall, close, garbage, truncate-frame, slow-write), found "stal" (did you mean stall?)
      bad.yaml:4:12: steps[1].fault.for: expected a duration with a unit, such as 250ms, 2s or 1m30s, found nothing
      bad.yaml:5:36: steps[2].fault.bytes: expected hex digits in pairs, such as 00ff83, found "abc"
      bad.yaml:6:42: steps[3].fault.length: expected either bytes or length, not both, found both"
    `);
  });

  it('semantic checks: acks no earlier emit asked for, wait-ack on types never acked, a forced profile', async () => {
    expect(
      await problems(`name: x
profile: nso57
steps:
  - emit: { type: commit-diff, th: 1001 }
  - expect-ack: { th: 1002 }
  - expect-ack: { usid: 42 }
  - expect-ack: { th: 1001, usid: 42 }
  - expect-ack: { within: 1s }
  - expect-no-ack: { of: audit-network }
  - emit: { type: heartbeat, wait-ack: true }
  - emit: { type: compaction }
  - emit: { type: call-home-info, event: device-disconnected }
  - fuzz: { types: [audit, audit-network], count: 3 }
  - expect-ack: { ha: true }
`),
    ).toMatchInlineSnapshot(`
      "Failed to load scenario: 10 problems (bad.yaml)
      bad.yaml:5:23: steps[1].expect-ack.th: expected the th of an earlier commit-diff emit (1001), found 1002
      bad.yaml:6:25: steps[2].expect-ack.usid: expected the usid of an earlier audit emit (there is none), found 42
      bad.yaml:7:35: steps[3].expect-ack.usid: expected one of th, usid or ha (one handshake per step), found th and usid
      bad.yaml:8:17: steps[4].expect-ack: expected th, usid or ha: which handshake to expect, found none of them
      bad.yaml:9:26: steps[5].expect-no-ack.of: expected of only together with usid, found of: audit-network without usid
      bad.yaml:10:40: steps[6].emit.wait-ack: expected no wait-ack: only commit-diff, audit, audit-network and ha-info notifications are acked (PROTOCOL.md §12.1), found wait-ack on heartbeat
      bad.yaml:11:19: steps[7].emit.type: expected a type the nso57 profile can send (compaction needs profile nso62 or nso66, PROTOCOL.md §16), found compaction
      bad.yaml:12:42: steps[8].emit.event: expected a call-home event the nso57 profile can send (device-disconnected needs nso66, PROTOCOL.md §11.17, NSO62.md §B), found "device-disconnected"
      bad.yaml:13:28: steps[9].fuzz.types[1]: expected a type the nso57 profile can send (audit-network needs nso62 or nso66), found audit-network
      bad.yaml:14:23: steps[10].expect-ack.ha: expected an earlier ha-info emit to ack, found none"
    `);
  });

  it('profile auto (the default) accepts types of every profile; each connection decides at emit time', async () => {
    const doc = `name: x
steps:
  - emit: { type: compaction }
  - emit: { type: call-home-info, event: device-disconnected }
  - fuzz: { types: [audit, audit-network], count: 3 }
  - emit: { type: progress, phase: validate }
  - emit: { type: progress, span_id: abc }
`;
    await expect(parseScenario(doc, { file: 'ok.yaml' })).resolves.toMatchObject({ profile: 'auto' });
    expect(await problems(`profile: nso62
${doc}`)).toMatch(/steps\[1\]\.emit\.event: expected a call-home event the nso62 profile can send .*\n.*steps\[3\]\.emit\.phase: expected a field the nso62 progress layout has/);
  });

  it('a progress event with fields of both layouts is refused under auto too (no profile can send it)', async () => {
    expect(await problems(`name: x
steps:
  - emit: { type: progress, phase: validate, span_id: abc }
`)).toMatch(
      /bad.yaml:3:\d+: steps\[0\]\.emit\.span_id: expected progress fields of one layout/,
    );
  });

  it('a stream tag that is an over-long atom (256 characters) is refused at load with its position', async () => {
    expect(await problems(`name: x
steps:
  - stream: { name: s, events: [{ values: [{ ns: n, tag: ${'a'.repeat(256)}, v: 1 }] }] }
`)).toMatch(
      /bad.yaml:3:58: steps\[0\]\.stream\.events\[0\]\.values\[0\]\.tag: expected an atom name of at most 255 characters, found 256 characters/,
    );
  });

  it('cross-step checks keep running past an invalid step that cannot have started a handshake', async () => {
    expect(
      await problems(`name: x
steps:
  - emit: { type: commit-diff, th: 2001 }
  - expect-ack: { th: 2001, within: 1 s }
  - emit: { type: audit, usid: 42 }
  - fault: { kind: stal }
  - emit: { type: heartbeat, colour: red }
  - expect-ack: { usid: 43 }
`),
    ).toMatchInlineSnapshot(`
      "Failed to load scenario: 4 problems (bad.yaml)
      bad.yaml:4:37: steps[1].expect-ack.within: expected a duration with a unit, such as 250ms, 2s or 1m30s, found "1 s"
      bad.yaml:6:20: steps[3].fault.kind: expected a fault kind (stall, close, garbage, truncate-frame, slow-write), found "stal" (did you mean stall?)
      bad.yaml:7:30: steps[4].emit.colour: expected a heartbeat field (type, wait-ack), found unknown field "colour"
      bad.yaml:8:25: steps[5].expect-ack.usid: expected the usid of an earlier audit emit (42), found 43"
    `);
  });

  it('cross-step checks stop after an invalid step that may have started one (no guessed th)', async () => {
    const mayHaveStarted = [
      '{ emit: { type: commit-diff, th: 5, databse: running } }',
      '{ emitt: { type: commit-diff, th: 5 } }',
      '{ repeat: { times: two, steps: [ { emit: { type: commit-diff, th: 5 } } ] } }',
      '{ parallel: [ { emit: { type: commit-diff, th: 5 } }, { wait: soon } ] }',
      '{ fuzz: { types: [commit-diff], count: zero } }',
      '{ emit: { type: 42, th: 5 } }',
      '"emit"',
    ];
    for (const step of mayHaveStarted) {
      const message = await problems(`name: x\nsteps:\n  - ${step}\n  - expect-ack: { th: 5 }\n`);
      expect(message, step).toMatch(/^Failed to load scenario: \d+ problems? \(bad\.yaml\)\n/);
      expect(message, step).not.toContain('steps[1].expect-ack');
    }
  });

  it('includes: a missing file and a cycle, each reported where it is written', async () => {
    const others = {
      'a.yaml': 'name: a\ninclude: [b.yaml]\n',
      'b.yaml': 'name: b\ninclude: [a.yaml]\nsteps:\n  - wait: soon\n',
    };
    expect(await problems('name: top\ninclude: [a.yaml, missing.yaml]\n', others)).toMatchInlineSnapshot(`
      "Failed to load scenario: 3 problems (bad.yaml)
      b.yaml:2:11: include[0]: expected a file that does not include b.yaml again, found the cycle a.yaml → b.yaml → a.yaml
      b.yaml:4:11: steps[0].wait: expected a duration with a unit, such as 250ms, 2s or 1m30s, found "soon"
      bad.yaml:2:19: include[1]: expected a readable scenario file, found missing.yaml: no such file"
    `);
  });

  it('an include cycle alone gives NSOMOCK_SCENARIO_INCLUDE', async () => {
    const error = await parseScenario('name: top\ninclude: [top.yaml]\n', { file: 'top.yaml', ...files({ 'top.yaml': 'name: top\ninclude: [top.yaml]\n' }) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).code).toBe('NSOMOCK_SCENARIO_INCLUDE');
    expect((error as ScenarioError).details).toMatchObject({ file: 'top.yaml', line: 2, column: 11, path: 'include[0]' });
  });

  it('a file that cannot be read', async () => {
    const error = await loadScenario('nowhere.yaml', files({})).catch((e: unknown) => e);
    expect((error as ScenarioError).message).toMatchInlineSnapshot(`
      "Failed to load scenario: 1 problem (nowhere.yaml)
      nowhere.yaml:1:1: (root): expected a readable scenario file, found no such file"
    `);
  });

  it('a document without source text reports at line 1, column 1 (never line 0)', async () => {
    const doc = { name: 'x', steps: [{ 'expect-ack': { th: 9 } }, { wait: '2 sec' }] } as unknown as ScenarioDocument;
    const error = await scenarioFromDocument(doc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    const details = (error as ScenarioError).details;
    expect(details).toMatchObject({ file: '(document)', line: 1, column: 1, path: 'steps[1].wait' });
    expect(details.problems.map((p) => [p.line, p.column])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect((error as ScenarioError).message).toContain('\n(document):1:1: steps[0].expect-ack.th: expected the th of an earlier commit-diff emit');
  });

  it('details carry the first position and every problem', async () => {
    const error = await parseScenario('name: x\nsteps:\n  - wait: 2 sec\n  - wait: later\n', { file: 'd.yaml', ...files({}) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    const details = (error as ScenarioError).details;
    expect(details).toMatchObject({ file: 'd.yaml', line: 3, column: 11, path: 'steps[0].wait' });
    expect(details.problems.map((p) => [p.line, p.column, p.path])).toEqual([
      [3, 11, 'steps[0].wait'],
      [4, 11, 'steps[1].wait'],
    ]);
    expect((error as ScenarioError).code).toBe('NSOMOCK_SCENARIO_INVALID');
  });
});

describe('loading valid scenarios', () => {
  it('merges includes: their defaults and options first, their steps before ours', async () => {
    const scenario = await parseScenario(
      `name: top
include: [shared.yaml]
defaults: { uinfo: { username: bob } }
options: { fail-fast: false }
steps:
  - log: mine
`,
      {
        file: 'top.yaml',
        ...files({
          'shared.yaml': 'name: shared\nprofile: nso6x\ndefaults: { uinfo: { username: admin, usid: 7 } }\noptions: { ack-timeout: 3s, fail-fast: true }\nsteps:\n  - log: shared\n',
        }),
      },
    );
    // nso6x is the deprecated alias of nso66
    expect(scenario.profile).toBe('nso66');
    expect(scenario.defaults).toEqual({ uinfo: { username: 'bob', usid: 7 } });
    expect(scenario.options).toEqual({ ackTimeoutMs: 3000, failFast: false, requireAcks: true });
    expect(scenario.steps.map((s) => [s.kind, s.at.file, s.at.line, s.at.path])).toEqual([
      ['log', 'shared.yaml', 6, 'steps[0]'],
      ['log', 'top.yaml', 6, 'steps[0]'],
    ]);
  });

  it('compiles durations, masks and selectors', async () => {
    const scenario = await parseScenario(
      `name: x
steps:
  - await-subscribers: { count: 2, mask: [commit-diff, audit-sync], within: 1m30s }
  - expect-ack: { th: 1, from: { subscribed-to: [commit-diff] } }
  - emit: { type: commit-diff, th: 1, wait-ack: 1.5s }
  - fault: { kind: slow-write, target: last }
`,
      { file: 'x.yaml', ...files({}) },
    ).catch((e: unknown) => e);
    // th 1 is emitted after the expect-ack: the cross-check catches the order.
    expect((scenario as ScenarioError).details.problems.map((p) => p.path)).toEqual(['steps[1].expect-ack.th']);
    const ok = await parseScenario(
      `name: x
steps:
  - await-subscribers: { count: 2, mask: [commit-diff, audit-sync], within: 1m30s }
  - emit: { type: commit-diff, th: 1, wait-ack: 1.5s }
  - expect-ack: { th: 1, from: { subscribed-to: [commit-diff] } }
  - fault: { kind: slow-write, target: last }
`,
      { file: 'x.yaml', ...files({}) },
    );
    expect(ok.steps).toMatchObject([
      { kind: 'await-subscribers', count: 2, mask: 16 | 131072, withinMs: 90_000 },
      { kind: 'emit', waitAck: 1500 },
      { kind: 'expect-ack', ack: { kind: 'diff-done', th: 1 }, from: { kind: 'mask', mask: 16 } },
      { kind: 'fault', fault: { kind: 'slow-write', chunkBytes: 1, intervalMs: 10 }, target: { kind: 'last' } },
    ]);
  });
});
