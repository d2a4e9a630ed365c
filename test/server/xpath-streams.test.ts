/**
 * XPath filters of stream subscriptions over real sockets (PROTOCOL.md §8.1 XPathFilter, §8.4
 * CONFD_ERR_XPATH, §14): a filter applies to replayed and live events of its own subscription only;
 * a filter that does not compile is refused with `{error, 50, Reason}` and nothing is sent.
 */
import { describe, expect, it } from 'vitest';
import { connect, type NotifClient, type ReceivedNotification } from '../../src/client/index.js';
import { NOTIF, type TagValueInput } from '../../src/codec/index.js';
import { useServerPerTest } from './helpers.js';

const s = useServerPerTest();
const client = s.client;

const T0 = Date.UTC(2023, 10, 14, 12, 0, 0);
const NS = 1928374655;
const TAG_NAMES = { 101: 'link-up', 102: 'link-down', 103: 'if-name', 104: 'speed' };

/** <link-up|link-down><if-name>…</if-name><speed>…</speed></…> with hashed tags (UseIKP = 0, §9.5). */
const linkEvent = (kind: 'link-up' | 'link-down', ifName: string, speed: number): TagValueInput[] => {
  const tag = kind === 'link-up' ? 101 : 102;
  return [
    { ns: NS, tag, xml: 'start' },
    { ns: NS, tag: 103, v: ifName },
    { ns: NS, tag: 104, v: { confd_type: 'uint32', value: speed } },
    { ns: NS, tag, xml: 'stop' },
  ];
};

/** `link-up:eth0` for an event, the marker name otherwise. */
function describeStream(r: ReceivedNotification): string {
  const n = r.notification;
  if (n.type !== 'stream-event') return n.type;
  if (n.event !== 1) return ['', '', 'notification-complete', 'replay-complete', 'replay-failed'][n.event] ?? '?';
  const kind = n.values[0]?.tag === 101 ? 'link-up' : 'link-down';
  const ifName = n.values[1]?.v;
  return `${kind}:${ifName !== undefined && ifName.confd_type === 5 ? ifName.value : '?'}`;
}

/** What a client received up to the reopen-logs sentinel emitted now. */
async function receivedSoFar(c: NotifClient): Promise<string[]> {
  s.server.emit({ type: 'reopen-logs' });
  const out: string[] = [];
  for (let r = await c.next(); r.type !== 'reopen-logs'; r = await c.next()) out.push(describeStream(r));
  return out;
}

const MASK = NOTIF.STREAM_EVENT | NOTIF.REOPEN_LOGS;

describe('stream XPath filters (§14)', () => {
  it('applies to the replay and to live events of its subscription; other subscribers get everything', async () => {
    s.server.streams.define('NETCONF', {
      logStart: T0 - 60_000,
      tagNames: TAG_NAMES,
      history: [
        { event_time: new Date(T0 - 30_000), values: linkEvent('link-up', 'eth0', 1000) },
        { event_time: new Date(T0 - 20_000), values: linkEvent('link-down', 'eth0', 0) },
        { event_time: new Date(T0 - 10_000), values: linkEvent('link-up', 'eth1', 10) },
      ],
    });
    const filtered = await client({ mask: MASK, stream: { name: 'NETCONF', startTime: new Date(T0 - 60_000), xpathFilter: "/link-up[speed >= 100 or if-name = 'eth2']" } });
    const all = await client({ mask: MASK, stream: { name: 'NETCONF', startTime: new Date(T0 - 60_000) } }, 'unix');
    expect(s.server.subscribers().map((i) => i.stream)).toEqual([
      { name: 'NETCONF', phase: 'live', xpathFilter: "/link-up[speed >= 100 or if-name = 'eth2']" },
      { name: 'NETCONF', phase: 'live' },
    ]);

    s.server.streams.publish('NETCONF', { values: linkEvent('link-up', 'eth2', 1) });
    s.server.streams.publish('NETCONF', { values: linkEvent('link-down', 'eth2', 1) });
    const delivery = s.server.streams.publish('NETCONF', { values: linkEvent('link-up', 'eth3', 10) });
    s.server.streams.publish('NETCONF', { values: linkEvent('link-up', 'eth4', 100) });

    expect(await receivedSoFar(filtered)).toEqual(['link-up:eth0', 'replay-complete', 'link-up:eth2', 'link-up:eth4']);
    expect(await receivedSoFar(all)).toEqual([
      'link-up:eth0',
      'link-down:eth0',
      'link-up:eth1',
      'replay-complete',
      'link-up:eth2',
      'link-down:eth2',
      'link-up:eth3',
      'link-up:eth4',
    ]);
    // The decision is recorded on the delivery, like the profile and verbosity skips.
    expect(delivery.recipients).toEqual([2]);
    expect(delivery.skipped).toEqual([{ connectionId: 1, reason: 'filter' }]);
  });

  it('evaluates atom tags (UseIKP = 1, econfd) by name, and a prefix matches any namespace', async () => {
    s.server.streams.define('events');
    const c = await client({ mask: MASK, stream: { name: 'events', useIkp: true, xpathFilter: "/al:alarm[al:severity = 'major']" } });
    const alarm = (severity: string): TagValueInput[] => [
      { ns: 'urn:example:alarms', tag: 'alarm', xml: 'start' },
      { ns: 'urn:example:alarms', tag: 'severity', v: severity },
      { ns: 'urn:example:alarms', tag: 'alarm', xml: 'stop' },
    ];
    s.server.streams.publish('events', { values: alarm('minor') });
    s.server.streams.publish('events', { values: alarm('major') });
    const got = await c.take(1);
    expect(got[0]?.notification).toMatchObject({ event: 1, values: [{ tag: 'alarm' }, { tag: 'severity', v: { value: 'major' } }, { tag: 'alarm' }] });
    expect(await receivedSoFar(c)).toEqual([]);
  });

  it('without tagNames a hashed tag has no name: only * and node() match it', async () => {
    s.server.streams.define('anon');
    const named = await client({ mask: MASK, stream: { name: 'anon', xpathFilter: '/link-up' } });
    const wildcard = await client({ mask: MASK, stream: { name: 'anon', xpathFilter: "/*[*[1] = 'eth0']" } });
    s.server.streams.publish('anon', { values: linkEvent('link-up', 'eth0', 1) });
    expect(await receivedSoFar(named)).toEqual([]);
    expect(await receivedSoFar(wildcard)).toEqual(['link-up:eth0']);
  });

  it('an empty filter is no filter', async () => {
    s.server.streams.define('NETCONF');
    const c = await client({ mask: MASK, stream: { name: 'NETCONF', xpathFilter: '' } });
    s.server.streams.publish('NETCONF', { values: linkEvent('link-down', 'eth0', 1) });
    expect(await receivedSoFar(c)).toEqual(['link-down:eth0']);
    expect(s.server.subscribers()[0]?.stream).toEqual({ name: 'NETCONF', phase: 'live' });
  });

  it.each(['tcp', 'unix'] as const)('a filter that does not compile is refused with {error, 50, Reason} (§8.4) over %s; nothing is sent', async (via) => {
    s.server.streams.define('NETCONF', { tagNames: TAG_NAMES });
    const address = via === 'tcp' ? s.tcp : { path: s.unix };
    await expect(connect(address, { mask: MASK, stream: { name: 'NETCONF', xpathFilter: '/link-up[speed + 1 > 2]' } })).rejects.toMatchObject({
      code: 'NSOMOCK_CLIENT_CONNECT_FAILED',
      details: {
        stage: 'subscribe',
        code: 50,
        reason: `Failed to compile XPath filter: arithmetic ('+') is not supported in stream filters (at offset 15 of "/link-up[speed + 1 > 2]")`,
      },
    });
    expect(s.server.violations.map((v) => [v.code, v.actual])).toEqual([['stream-refused', expect.stringContaining('NETCONF: Failed to compile XPath filter')]]);
    expect(s.server.subscribers()).toEqual([]);
    // The stream and other subscribers carry on.
    const ok = await client({ mask: MASK, stream: { name: 'NETCONF', xpathFilter: 'link-up' } }, via);
    s.server.streams.publish('NETCONF', { values: linkEvent('link-up', 'eth0', 1) });
    expect(await receivedSoFar(ok)).toEqual(['link-up:eth0']);
  });

  it('an unknown stream is still refused with 1, before the filter is looked at', async () => {
    await expect(connect(s.tcp, { mask: MASK, stream: { name: 'nope', xpathFilter: '((' } })).rejects.toMatchObject({ details: { stage: 'subscribe', code: 1 } });
  });
});
