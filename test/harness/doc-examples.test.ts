/**
 * The examples of docs/harness.md, run. Each example sits between `// doc: NAME` and `// end doc`;
 * the first test checks that every ```ts block of the page (without its import lines) equals the
 * example of the same name here, so the docs cannot drift from code that runs.
 *
 * `startSubscriber` stands for the code under test: here, the package's own client acking on its own.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NotifClient } from '../../src/client/index.js';
import { NOTIF } from '../../src/codec/index.js';
import { HarnessError, startNsoMock, type RunningNsoMock, type UnexpectedFrame } from '../../src/harness/index.js';

function startSubscriber(address: { host: string; port: number }, mask: number = NOTIF.COMMIT_DIFF): Promise<NotifClient> {
  return connect(address, { mask, autoAck: true });
}

/** Code lines of a snippet: no imports, no blank lines, no indentation. */
function normalize(code: string): string[] {
  return code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('import ') && !l.startsWith('// doc:') && l !== '// end doc');
}

describe('docs/harness.md', () => {
  it('shows exactly the examples this file runs', () => {
    const page = readFileSync(new URL('../../docs/harness.md', import.meta.url), 'utf8');
    const blocks = [...page.matchAll(/<!-- example: ([a-z-]+) -->\n```ts\n([\s\S]*?)```/g)].map((m) => [m[1] ?? '', m[2] ?? ''] as const);
    const self = readFileSync(new URL(import.meta.url), 'utf8');
    const examples = new Map([...self.matchAll(/\/\/ doc: ([a-z-]+)\n([\s\S]*?)\/\/ end doc/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
    expect(blocks.map(([name]) => name).sort()).toEqual([...examples.keys()].sort());
    for (const [name, code] of blocks) expect(normalize(code), name).toEqual(normalize(examples.get(name) ?? ''));
  });
});

describe('example: a test that waits for the ack', () => {
  it('runs', async () => {
    // doc: emit-and-ack
    await using mock = await startNsoMock();
    const subscriber = await startSubscriber(mock.addresses.tcp!); // the code under test
    await mock.waitForSubscribers(1, { within: 5000, mask: NOTIF.COMMIT_DIFF });
    const { outcome } = await mock.emit({ type: 'commit-diff', th: 17 });
    expect(outcome?.acked).toEqual([mock.subscribers[0]?.id]);
    mock.assertNoPendingAcks();
    await subscriber.close();
    // end doc
  });
});

// doc: shared-mock
let mock: RunningNsoMock;
let subscriber: NotifClient;
beforeAll(async () => {
  mock = await startNsoMock({ onUnexpectedFrame: 'error' });
  subscriber = await startSubscriber(mock.addresses.tcp!);
  await mock.waitForSubscribers(1, { within: 5000 });
});
afterEach(() => {
  mock.assertNoPendingAcks();
  mock.reset();
});
afterAll(async () => {
  await subscriber.close();
  await mock.close();
});
// end doc

describe('example: one mock for a whole suite', () => {
  it('acks a commit diff', async () => {
    await mock.emit({ type: 'commit-diff', th: 1 });
    expect(mock.acks).toHaveLength(1);
  });

  it('starts the next test from a clean slate', () => {
    expect(mock.acks).toHaveLength(0);
    expect(mock.journal).toHaveLength(0);
  });
});

describe('example: toxics and counts', () => {
  it('runs', async () => {
    // doc: toxics-and-counts
    await using mock = await startNsoMock();
    const subscriber = await startSubscriber(mock.addresses.tcp!); // the code under test
    await mock.waitForSubscribers(1, { within: 5000 });
    const slow = mock.toxics.add({ kind: 'latency', ms: 50 }); // every write to every subscriber held 50 ms
    await mock.emit({ type: 'commit-diff', th: 1 }); // still acked, 50 ms later
    mock.toxics.remove(slow.id);
    await mock.emit({ type: 'commit-diff', th: 2 });
    expect(mock.count({ type: 'commit-diff' })).toMatchObject({ sent: { 'commit-diff': 2 }, acked: { 'commit-diff': 2 } });
    await subscriber.close();
    // end doc
  });
});

describe('example: failures are HarnessErrors with a code', () => {
  it('runs', async () => {
    await using quiet = await startNsoMock();
    const client = await connect(quiet.addresses.tcp!, { mask: NOTIF.COMMIT_DIFF }); // never acks
    // doc: timeout
    try {
      await quiet.emit({ type: 'commit-diff', th: 5 }, { within: 200 });
    } catch (error) {
      if (!(error instanceof HarnessError)) throw error;
      expect(error.code).toBe('NSOMOCK_HARNESS_TIMEOUT');
      expect(error.message).toContain('{5,done}'); // the pending-ack table
    }
    // end doc
    expect(quiet.harness.pendingAckRows()).toHaveLength(1);
    await client.close();
  });
});

describe('example: a policy for unexpected frames', () => {
  it('runs', async () => {
    // doc: policy
    const frames: UnexpectedFrame[] = [];
    await using strict = await startNsoMock({ onUnexpectedFrame: (frame) => void frames.push(frame) });
    const client = await connect(strict.addresses.tcp!, { mask: NOTIF.COMMIT_DIFF });
    await client.diffDone(999); // an ack nobody asked for (§12.4)
    await strict.waitFor(() => frames.length > 0, { within: 2000 });
    expect(frames[0]?.violation.code).toBe('ack-unknown-handle');
    await client.close();
    // end doc
  });
});

describe('example: play a scenario', () => {
  it('runs', async () => {
    // doc: play
    await using mock = await startNsoMock();
    const subscriber = await startSubscriber(mock.addresses.tcp!);
    const report = await mock.play({
      name: 'two commits',
      steps: [
        { 'await-subscribers': { count: 1, mask: ['commit-diff'] } },
        { emit: { type: 'commit-diff', th: 1, 'wait-ack': '2s' } },
        { emit: { type: 'commit-diff', th: 2, 'wait-ack': '2s' } },
      ],
    });
    expect(report.status).toBe('passed');
    await subscriber.close();
    // end doc
  });
});
