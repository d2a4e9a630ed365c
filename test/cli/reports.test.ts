import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeHex, parseHex } from '../../src/cli/decode-command.js';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSummary, toJUnitXml, writeJsonReport, writeJUnitReport } from '../../src/cli/reports.js';
import type { RunReport } from '../../src/scenarios/index.js';
import { loadNso62Layouts } from '../support/vectors.js';

const base: RunReport = {
  scenario: 'commit <&> "quotes"',
  file: 'examples/x.yaml',
  profile: 'nso57',
  seed: 42,
  status: 'failed',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 2500,
  steps: [
    { path: 'steps[0]', kind: 'emit', file: 'examples/x.yaml', line: 3, column: 5, status: 'passed', startedAt: 0, durationMs: 0 },
    {
      path: 'steps[1]',
      kind: 'expect-ack',
      name: 'acked in time',
      file: 'examples/x.yaml',
      line: 4,
      column: 5,
      status: 'failed',
      startedAt: 0,
      durationMs: 2000,
      error: 'connection 1 did not send {1001,done} within 2s',
    },
    { path: 'steps[2]', kind: 'log', file: 'examples/x.yaml', line: 5, column: 5, status: 'skipped', startedAt: 2000, durationMs: 0 },
  ],
  connections: [{ id: 1, mask: 16, subscribedAt: 0, delivered: { 'commit-diff': 1 }, deliveredTotal: 1, acks: 1, violations: 1 }],
  acks: [
    { connectionId: 1, ack: '{17,done}', result: 'ack-unknown-handle', at: 10 },
    { connectionId: 1, ack: '{1000,done}', result: 'matched', at: 10, latencyMs: 12 },
  ],
  violations: [{ code: 'ack-unknown-handle', connectionId: 1, expected: 'an ack nothing waits for', actual: '{17,done}', at: 10, closed: false, wanted: false }],
  pendingAcks: [{ connectionId: 1, ack: '{1001,done}', since: 0 }],
  failures: [
    'examples/x.yaml:4:5: acked in time (steps[1]): connection 1 did not send {1001,done} within 2s',
    'violation ack-unknown-handle on connection 1: expected an ack nothing waits for, got {17,done}',
  ],
  log: [],
  notSent: [],
  totals: { steps: 3, passed: 1, failed: 1, skipped: 1, notifications: 2, acks: 2, violations: 1, notSent: 0 },
};

describe('run summary', () => {
  it('says the verdict, the counts, the latencies and every failure', () => {
    expect(formatSummary(base)).toMatchInlineSnapshot(`
      "FAIL commit <&> "quotes" (2.50 s, seed 42, profile nso57)
        steps: 1 passed, 1 failed, 1 skipped of 3
        notifications: 2 emitted, 1 delivered · acks: 2 (latency p50 12 ms, p95 12 ms, max 12 ms) · violations: 1 · subscribers: 1
        ✗ examples/x.yaml:4:5: acked in time (steps[1]): connection 1 did not send {1001,done} within 2s
        ✗ violation ack-unknown-handle on connection 1: expected an ack nothing waits for, got {17,done}
      "
    `);
  });

  it('lists the MAAPI calls per connection, failed ones with their error code (docs/maapi.md)', () => {
    const withMaapi: RunReport = {
      ...base,
      maapi: [
        { connectionId: 3, op: 'attach', th: 99, ok: false, code: 1, detail: 'No such transaction', at: 5 },
        { connectionId: 2, op: 'attach', th: 17, ok: true, at: 6 },
        { connectionId: 2, op: 'diff-iterate', th: 17, ok: true, detail: '7 item(s) of 7 sent', at: 7 },
        { connectionId: 2, op: 'load-all-ns', ok: true, at: 8 },
      ],
    };
    expect(formatSummary(withMaapi).split('\n').filter((l) => l.includes('maapi'))).toEqual([
      '  maapi connection 3: attach(99) !error 1',
      '  maapi connection 2: attach(17), diff-iterate(17), load-all-ns',
    ]);
  });

  it('counts aborted steps, and says STOPPED for a serve ended by its signal', () => {
    const aborted: RunReport = {
      ...base,
      status: 'aborted',
      failures: [],
      steps: [base.steps[0]!, { ...base.steps[1]!, status: 'aborted', error: 'aborted' }, { ...base.steps[2]!, status: 'aborted' }],
      totals: { ...base.totals, failed: 0, skipped: 0 },
    };
    expect(formatSummary(aborted).split('\n').slice(0, 2)).toEqual([
      'ABORTED commit <&> "quotes" (2.50 s, seed 42, profile nso57)',
      '  steps: 1 passed, 0 failed, 0 skipped, 2 aborted of 3',
    ]);
    expect(formatSummary(aborted, { stopped: true })).toMatch(/^STOPPED commit/);
    expect(formatSummary(base, { stopped: true })).toMatch(/^FAIL commit/);
  });
});

describe('JUnit XML', () => {
  it('has a case per top-level step plus the end-of-run case, escaped', () => {
    expect(toJUnitXml(base)).toMatchInlineSnapshot(`
      "<?xml version="1.0" encoding="UTF-8"?>
      <testsuites name="nso-mock" tests="4" failures="2" errors="0" skipped="1" time="2.500">
        <testsuite name="commit &lt;&amp;&gt; &quot;quotes&quot;" tests="4" failures="2" errors="0" skipped="1" time="2.500" timestamp="2026-01-01T00:00:00.000Z">
          <properties>
            <property name="seed" value="42"/>
            <property name="profile" value="nso57"/>
            <property name="file" value="examples/x.yaml"/>
          </properties>
          <testcase classname="commit &lt;&amp;&gt; &quot;quotes&quot;" name="steps[0] emit" file="examples/x.yaml" line="3" time="0.000"/>
          <testcase classname="commit &lt;&amp;&gt; &quot;quotes&quot;" name="steps[1] expect-ack: acked in time" file="examples/x.yaml" line="4" time="2.000">
            <failure message="connection 1 did not send {1001,done} within 2s" type="expectation">examples/x.yaml:4:5: connection 1 did not send {1001,done} within 2s</failure>
          </testcase>
          <testcase classname="commit &lt;&amp;&gt; &quot;quotes&quot;" name="steps[2] log" file="examples/x.yaml" line="5" time="0.000">
            <skipped/>
          </testcase>
          <testcase classname="commit &lt;&amp;&gt; &quot;quotes&quot;" name="end of run: violations and acks still owed" time="0.000">
            <failure message="violation ack-unknown-handle on connection 1: expected an ack nothing waits for, got {17,done}" type="run">violation ack-unknown-handle on connection 1: expected an ack nothing waits for, got {17,done}</failure>
          </testcase>
        </testsuite>
      </testsuites>
      "
    `);
  });

  it('passes the end-of-run case when nothing else failed, and never emits raw control characters', () => {
    const xml = toJUnitXml({ ...base, status: 'passed', scenario: 'bell\u0007', failures: [], steps: [], totals: { ...base.totals, failed: 0 } });
    expect(xml).toContain('failures="0"');
    expect(xml).toContain('name="bell\ufffd"');
    expect(xml).not.toMatch(/[\u0000-\u0008]/);
  });
});

describe('decode', () => {
  function run(hex: string, profile: 'nso57' | 'nso62' | 'nso66' | 'nso6x' = 'nso57'): { code: number; out: string; err: string } {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = decodeHex({ hex, profile }, { stdout, stderr });
    return { code, out, err };
  }

  it('--profile nso62 prints what NSO 6.2.5 returns for every frame of notifications_nso62.jsonl', () => {
    const layouts = loadNso62Layouts();
    expect(layouts.length).toBeGreaterThan(80);
    for (const v of layouts) {
      const { code, out } = run(v.frame_hex, 'nso62');
      expect(code).toBe(0);
      const python = out.split('\n').find((l) => l.startsWith('python: '));
      expect(JSON.parse(python?.slice('python: '.length) ?? 'null'), v.name).toEqual(v.python_dict_nso62);
    }
  });

  it('warns when the frame is no layout of the profile (the 5.7 progress tuple under nso62 aborts a 6.2.5 client)', () => {
    const frame =
      '000000e58368026200010000681361016e070040222018240a06640009756e646566696e6564612a611161026d00000003636c696d0000002439623161336135652d376331662d346636322d613164652d306435663363386232653131640009756e646566696e65646d0000000876616c69646174656d0000000e72756e2076616c69646174696f6e640009756e646566696e6564640009756e646566696e6564640009756e646566696e6564640009756e646566696e6564640009756e646566696e6564640009756e646566696e6564640009756e646566696e6564640009756e646566696e6564';
    expect(run(frame, 'nso62').out).toContain('warning: a nso62 client cannot read this: commit-progress is a 19-tuple; NSO 6.2 reads a 15-tuple');
    expect(run(frame, 'nso57').out).not.toContain('warning');
  });

  it('reads hex with spaces, colons and 0x', () => {
    expect([...parseHex('0x83:68 01')]).toEqual([0x83, 0x68, 0x01]);
    expect(() => parseHex('abc')).toThrow(/pairs of hex digits/);
  });

  it('prints two concatenated frames, each with its Python view', () => {
    const { code, out } = run('0000000883680162000020000000000883680162000400 00');
    expect(code).toBe(0);
    expect(out).toBe('frame 1:\nframe: {8192}\npython: {"type":8192}\nframe 2:\nframe: {262144}\npython: {"type":262144}\n');
  });

  it('prints a term that is no notification without a Python view', () => {
    expect(run('83 64 00 02 6f 6b').out).toBe('term: ok\n');
  });

  it('exits 2 for a truncated frame', () => {
    const { code, err } = run('00000008 83 68 01');
    expect(code).toBe(2);
    expect(err).toContain('bytes left after the last complete frame');
  });
});

describe('report files are written all or nothing', () => {
  it('a disk that fills after 64 KiB leaves the previous JSON and JUnit reports whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nso-mock-reports-'));
    try {
      const json = join(dir, 'run.json');
      const junit = join(dir, 'junit.xml');
      await writeJsonReport(json, base);
      await writeJUnitReport(junit, base);
      const before = [await readFile(json, 'utf8'), await readFile(junit, 'utf8')];
      const huge: RunReport = { ...base, failures: Array.from({ length: 5000 }, (_, i) => `failure ${i} ${'x'.repeat(40)}`) };
      const write = async (handle: import('node:fs/promises').FileHandle, data: Uint8Array): Promise<void> => {
        await handle.write(data.subarray(0, 65_536));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      };
      await expect(writeJsonReport(json, huge, { write })).rejects.toThrow(/ENOSPC.*; the previous file is unchanged$/);
      await expect(writeJUnitReport(junit, huge, { write })).rejects.toThrow(/ENOSPC.*; the previous file is unchanged$/);
      expect([await readFile(json, 'utf8'), await readFile(junit, 'utf8')]).toEqual(before);
      expect(JSON.parse(before[0]!)).toMatchObject({ scenario: base.scenario });
      expect((await readdir(dir)).sort()).toEqual(['junit.xml', 'run.json']);
      await writeFile(json, 'replaced');
      await writeJsonReport(json, huge);
      expect(JSON.parse(await readFile(json, 'utf8')).failures).toHaveLength(5000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
