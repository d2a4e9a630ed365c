/**
 * The server limits a scenario's `options:` sets (input-stall-timeout, the frame and decode budgets
 * before and after subscribing, journal-max-bytes) reach the server `startNsoMock({ scenario })`
 * creates, and explicit options win; checked over real TCP by what a client sees.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { binary, NOTIF, subscriptionToTerm, tuple } from '../../src/codec/index.js';
import { startNsoMock, type RunningNsoMock } from '../../src/harness/index.js';
import { ManualClock } from '../../src/server/index.js';
import { parseScenario } from '../../src/scenarios/index.js';
import { until } from '../server/helpers.js';
import { cHeader, frameOf, rawConnect } from '../server/raw-socket.js';

const LIMITS = `name: limits
options:
  input-stall-timeout: 150ms
  max-subscribe-frame-bytes: 64
  max-subscribe-decoded-bytes: 2048
  max-frame-bytes: 4096
  max-decoded-bytes: 512
  journal-max-bytes: 8192
steps: []
`;

let mock: RunningNsoMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function start(extra: Parameters<typeof startNsoMock>[0] = {}): Promise<{ mock: RunningNsoMock; clock: ManualClock }> {
  const clock = new ManualClock({ now: Date.UTC(2026, 0, 1) });
  mock = await startNsoMock({ scenario: await parseScenario(LIMITS), clock, onUnexpectedFrame: 'ignore', ...extra });
  return { mock, clock };
}

async function violationOf(m: RunningNsoMock): Promise<{ code: string; actual: string }> {
  await m.waitFor(() => m.violations.length > 0, { within: 5_000 });
  return m.violations[0]!;
}

describe('scenario options: server limits', () => {
  it('loads them into ScenarioOptions', async () => {
    const scenario = await parseScenario(LIMITS);
    expect(scenario.options).toMatchObject({
      inputStallTimeoutMs: 150,
      maxSubscribeFrameBytes: 64,
      maxSubscribeDecodedBytes: 2048,
      maxFrameBytes: 4096,
      maxDecodedBytes: 512,
      journalMaxBytes: 8192,
    });
  });

  it('refuses a size of 0 (but journal-max-bytes 0), a fraction, and a duration without a unit, at their positions', async () => {
    const error = await parseScenario('name: x\noptions:\n  max-frame-bytes: 0\n  max-decoded-bytes: 1.5\n  journal-max-bytes: 0\n  input-stall-timeout: 5\nsteps: []\n', { file: 'l.yaml' }).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error?.code).toBe('NSOMOCK_SCENARIO_INVALID');
    expect(error?.message).toMatch(/^l\.yaml:3:20: options\.max-frame-bytes: /m);
    expect(error?.message).toMatch(/^l\.yaml:4:22: options\.max-decoded-bytes: /m);
    expect(error?.message).toMatch(/^l\.yaml:6:24: options\.input-stall-timeout: .*unit/m);
    expect(error?.message).not.toContain('journal-max-bytes');
  });

  it('journal-max-bytes: the journal cap', async () => {
    const { mock: m } = await start();
    expect(m.journalStats.maxBytes).toBe(8192);
  });

  it('input-stall-timeout: half a header held 150 ms (of the injected clock) is closed with input-stall', async () => {
    const { mock: m, clock } = await start();
    const client = await rawConnect(m.addresses.tcp!);
    await client.write(cHeader().subarray(0, 4));
    await until(() => m.server.connections().some((c) => c.heldInputBytes === 4), 'the server holds the 4 bytes');
    clock.advance(149);
    expect(m.violations).toEqual([]);
    clock.advance(1);
    expect(await violationOf(m)).toMatchObject({ code: 'input-stall' });
    await client.closed;
  });

  it('max-subscribe-frame-bytes: a subscription frame over 64 bytes is refused at its length prefix', async () => {
    const { mock: m } = await start();
    const client = await rawConnect(m.addresses.tcp!);
    await client.write(cHeader());
    await client.waitBytes(9);
    const big = frameOf(tuple(binary(new Uint8Array(80))));
    expect(big.length).toBeGreaterThan(64 + 4);
    await client.write(big);
    const v = await violationOf(m);
    expect(v.code).toBe('bad-frame-length');
    expect(v.actual).toContain('maxSubscribeFrameBytes 64');
    await client.closed;
  });

  it('max-frame-bytes and max-decoded-bytes after the subscription; explicit options win over the scenario', async () => {
    const { mock: m } = await start();
    const client = await rawConnect(m.addresses.tcp!);
    await client.write(cHeader());
    await client.waitBytes(9);
    await client.write(frameOf(subscriptionToTerm({ mask: NOTIF.DAEMON, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 })));
    await m.waitForSubscribers(1, { within: 5_000 });
    // A 1 KiB binary: under max-frame-bytes 4096, over the decode budget of 512.
    await client.write(frameOf(tuple(binary(new Uint8Array(1024)))));
    const v = await violationOf(m);
    expect(v.code).toBe('bad-term');
    expect(v.actual).toMatch(/budget|maxDecodedBytes/i);
    await client.closed;
    await m.close();

    const { mock: m2 } = await start({ maxDecodedBytes: 1024 * 1024, maxFrameBytes: 1000 });
    const c2 = await rawConnect(m2.addresses.tcp!);
    await c2.write(cHeader());
    await c2.waitBytes(9);
    await c2.write(frameOf(subscriptionToTerm({ mask: NOTIF.DAEMON, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 })));
    await m2.waitForSubscribers(1, { within: 5_000 });
    await c2.write(frameOf(tuple(binary(new Uint8Array(1024)))));
    const v2 = await violationOf(m2);
    expect(v2.code).toBe('bad-frame-length');
    await c2.closed;
  });
});
