/**
 * `nso-mock run` (in-process) serves MAAPI on its listener: a consumer attaches to the
 * commit-diff's th, the scenario's expect-maapi sees it before the ack, a failed call is a warn
 * line, and the summary lists the calls per connection (docs/maapi.md).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServer } from '../../src/cli/server-command.js';
import { connect, connectMaapi } from '../../src/client/index.js';
import { NOTIF } from '../../src/codec/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nso-mock-maapi-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SCENARIO = `name: consumer attaches before it acks
steps:
  - await-subscribers: { count: 1, mask: [commit-diff], within: 30s }
  - emit: { type: commit-diff, th: 17 }
  - expect-maapi: { th: 17, ops: [attach, diff-iterate, detach], within: 30000 }
  - expect-ack: { th: 17, within: 30s }
`;

describe('nso-mock run with a MAAPI consumer', () => {
  it('passes, logs the failed attach and lists the calls in the summary', async () => {
    const file = join(dir, 'maapi.yaml');
    await writeFile(file, SCENARIO);
    let consumer: Promise<void> | undefined;
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const line = chunk.toString('utf8');
        if (line.includes('"event":"ready"')) {
          const port = (JSON.parse(line) as { tcp: { port: number } }).tcp.port;
          consumer = (async () => {
            const events = await connect({ host: '127.0.0.1', port }, { mask: NOTIF.COMMIT_DIFF });
            await events.next();
            const m = await connectMaapi({ host: '127.0.0.1', port });
            await expect(m.attach(99)).rejects.toMatchObject({ details: { code: 1 } });
            await m.attach(17);
            for await (const item of m.diffIterate(17)) void item;
            await m.detach(17);
            await events.diffDone(17);
            m.close();
            events.close();
          })();
        }
        done();
      },
    });
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const code = await runServer({ mode: 'run', scenario: file, host: '127.0.0.1', port: 0, 'log-format': 'text', verbose: false }, { stdout, stderr });
    await consumer;
    expect(text).toContain('warn: maapi: connection 2: attach th 99 error 1: No such transaction');
    expect(text).toContain('maapi connection 2: attach(99) !error 1, attach(17), diff-iterate(17), detach(17)');
    expect(text).toMatch(/^PASS consumer attaches before it acks/m);
    expect(code).toBe(0);
  });
});
