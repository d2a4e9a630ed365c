/**
 * README "Testing a commit-diff consumer that uses MAAPI", step by step, with the built CLI: the
 * example scenario (step 1) runs green under `nso-mock run --client` (step 2) with a consumer that
 * makes the README's Python consumer's calls over real sockets (test/e2e/fixtures/maapi-consumer.mjs:
 * NSO's `ncs` package is not here — its bytes are checked by test/maapi/replay.test.ts), and the
 * report lists the MAAPI calls per connection (step 3). Also `serve --schema` without a scenario.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTerm, formatTerm } from '../../src/codec/index.js';
import type { RunReport } from '../../src/scenarios/index.js';
import { phash2 } from '../../src/schema/index.js';
import { rawMaapi } from '../maapi/raw-maapi.js';
import { repoRoot, startCli } from './cli-process.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-maapi-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("README's MAAPI consumer steps with the built CLI", () => {
  it('the README shows the example scenario and the run command this test runs', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Testing a commit-diff consumer that uses MAAPI'));
    expect(section).toContain('npx nso-mock run examples/maapi/commit-diff-consumer.yaml --port 0');
    expect(section).toContain("--client 'env NCS_IPC_PORT={port} python3 consumer.py' --report report.json");
    expect(section).toContain('schema: [../models/mk.yang]');
  });

  it('run examples/maapi/commit-diff-consumer.yaml --client CONSUMER: exit 0, the values typed by mk.yang, the calls in the report', async () => {
    const report = join(dir, 'report.json');
    const log = join(dir, 'consumer.log');
    const cli = startCli([
      'run',
      'examples/maapi/commit-diff-consumer.yaml',
      '--port',
      '0',
      '--client',
      'env NCS_IPC_PORT={port} node test/e2e/fixtures/maapi-consumer.mjs',
      '--client-log',
      log,
      '--report',
      report,
    ]);
    const code = await cli.exited;
    expect(code, cli.stderr()).toBe(0);
    const printed = (await readFile(log, 'utf8')).split('\n').filter((l) => !l.startsWith('#') && l.trim() !== '');
    const ns = phash2('http://example.com/mk');
    const [sys, host, address, port] = ['sys', 'host', 'address', 'port'].map((n) => phash2(n));
    expect(printed).toEqual(expect.arrayContaining([
      'commit-diff th 17',
      'schema file path: error 1',
      `value-set [${address},{<<"h1">>},${host},[${ns}|${sys}]] {10,0,0,1}`,
      `value-set [${port},{<<"h1">>},${host},[${ns}|${sys}]] {11,22}`,
      'address {10,0,0,1}',
      'port {11,22}',
    ]));
    const run = JSON.parse(await readFile(report, 'utf8')) as RunReport;
    expect(run.status).toBe('passed');
    const calls = (run.maapi ?? []).map((c) => `${c.op}${c.th === undefined ? '' : `(${c.th})`}${c.ok ? '' : ' error'}`);
    expect(calls).toEqual(['get-schema-file-path error', 'attach(17)', 'diff-iterate(17)', 'get-elem(17)', 'get-elem(17)', 'detach(17)']);
    expect(cli.stderr()).toMatch(/maapi connection \d+: .*attach\(17\)/);
  });

  it('serve --schema examples/models/mk.yang (no scenario): LOAD_HASH_DB has mk.yang\'s phash2 hashes', async () => {
    const cli = startCli(['serve', '--port', '0', '--schema', 'examples/models/mk.yang']);
    try {
      const ready = await cli.ready;
      const raw = await rawMaapi({ host: '127.0.0.1', port: ready.tcp!.port });
      raw.write(Uint8Array.from([0x07, 0x00, 0x52, 0x08, 0x02, 0x05, 0x00, 0x3c, 0x12]));
      await raw.readRaw(9);
      raw.write(Buffer.from('00000004000000e7', 'hex')); // LOAD_HASH_DB (231): count, records, eof (§M6.4)
      const term = async (): Promise<string> => formatTerm(decodeTerm((await raw.readFrame()).subarray(4)));
      const count = await term();
      const records = await term();
      expect(await term()).toBe('eof');
      raw.close();
      expect(records.match(/\{'?[a-z-]+'?,\d+\}/g)).toHaveLength(Number(count));
      for (const name of ['sys', 'host', 'name', 'address', 'port', 'enabled']) expect(records).toContain(`{${name},${phash2(name)}}`);
    } finally {
      cli.child.kill('SIGINT');
      await cli.exited;
    }
  });

  it('serve --schema with a model that does not load exits 2 before the ready line, naming file:line:col', async () => {
    const bad = join(dir, 'bad.yang');
    await import('node:fs/promises').then((fs) => fs.writeFile(bad, 'module bad {\n  namespace "urn:bad";\n  prefix b;\n  leaf x { type nosuch; }\n}\n'));
    const cli = startCli(['serve', '--port', '0', '--schema', bad]);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain(`${bad}:4:`);
  });

  it('validate reports a changes: value that does not fit mk.yang at its file:line:col (exit 2)', async () => {
    const file = join(dir, 'bad-port.yaml');
    const fs = await import('node:fs/promises');
    await fs.writeFile(
      file,
      `name: bad port\nschema: [${join(repoRoot, 'examples/models/mk.yang')}]\nsteps:\n  - emit:\n      type: commit-diff\n      th: 4\n      changes:\n        - { path: "/mk:sys/host{h1}/port", op: value-set, value: 99999 }\n`,
    );
    const cli = startCli(['validate', file]);
    expect(await cli.exited).toBe(2);
    expect(cli.stdout.join('\n') + cli.stderr()).toContain(`bad-port.yaml:8:66: steps[0].emit.changes[0].value: expected a value of the leaf's type in the scenario's models (schema:), found '99999' is no inet:port-number: outside 0..65535`);
  });
});
