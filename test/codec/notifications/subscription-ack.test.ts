import { describe, expect, it } from 'vitest';
import { decodeTerm } from '../../../src/codec/decode.js';
import { encodeTerm } from '../../../src/codec/encode.js';
import { CodecError } from '../../../src/codec/errors.js';
import { atom, binary, int, tuple, type Term } from '../../../src/codec/term.js';
import {
  ackFromTerm,
  ackKeyString,
  ackToTerm,
  formatAck,
  NOTIF,
  parseIsoDateTime,
  SUBSCRIBE_OK,
  subscribeErrorTerm,
  subscribeReplyFromTerm,
  subscriptionFromTerm,
  subscriptionToTerm,
  type Ack,
  type Subscription,
} from '../../../src/codec/notifications/index.js';
import { codecErrorOf } from '../../support/codec-errors.js';
import { fromHex, loadClientMessages, loadServerReplies, toHex } from '../../support/vectors.js';

const ENCODINGS = ['etf_hex', 'etf_hex_c_style', 'etf_hex_java_style', 'etf_hex_utf8_atoms'] as const;

function maskOf(meaning: unknown): number | undefined {
  if (typeof meaning === 'number') return meaning;
  if (typeof meaning !== 'string') return undefined;
  return meaning.split('|').reduce((acc, name) => acc | (NOTIF as Record<string, number>)[name]!, 0);
}

/** What each subscription vector means, as a Subscription (from its `meaning` where it has one, else from the Erlang text). */
const expectedSubscriptions: Readonly<Record<string, Subscription>> = {
  'subscribe.c.audit_only': { mask: 1, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 },
  'subscribe.c.heartbeat_health': {
    mask: NOTIF.AUDIT | NOTIF.HEARTBEAT | NOTIF.HEALTH_CHECK,
    heartbeatInterval: 10000,
    healthCheckInterval: 20000,
    verbosity: 0,
  },
  'subscribe.c.progress_verbose': {
    mask: NOTIF.COMMIT_DIFF | NOTIF.COMMIT_PROGRESS | NOTIF.PROGRESS,
    heartbeatInterval: 0,
    healthCheckInterval: 0,
    verbosity: 2,
  },
  'subscribe.c.stream_live': {
    mask: NOTIF.STREAM_EVENT,
    heartbeatInterval: 0,
    healthCheckInterval: 0,
    stream: { name: 'NETCONF', usid: 0, useIkp: false },
    verbosity: 0,
  },
  'subscribe.c.stream_replay_filter': {
    mask: NOTIF.STREAM_EVENT,
    heartbeatInterval: 0,
    healthCheckInterval: 0,
    stream: { name: 'NETCONF', startTime: parseIsoDateTime('2023-11-14T00:00:00Z', 't'), xpathFilter: '/link-up', usid: 0, useIkp: false },
    verbosity: 0,
  },
  'subscribe.c.stream_replay_window_aaa': {
    mask: NOTIF.AUDIT | NOTIF.STREAM_EVENT,
    heartbeatInterval: 0,
    healthCheckInterval: 0,
    stream: {
      name: 'ncs-events',
      startTime: parseIsoDateTime('2023-11-14T00:00:00Z', 't'),
      stopTime: parseIsoDateTime('2023-11-15T00:00:00Z', 't'),
      usid: 42,
      useIkp: false,
    },
    verbosity: 0,
  },
  'subscribe.econfd.stream_ikp': {
    mask: NOTIF.STREAM_EVENT,
    heartbeatInterval: 0,
    healthCheckInterval: 0,
    stream: { name: 'NETCONF', usid: 0, useIkp: true },
    verbosity: 0,
  },
  'subscribe.java.webui_audit': { mask: NOTIF.WEBUI | NOTIF.AUDIT, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 },
  'subscribe.high_bits.audit_network_sync': {
    mask: NOTIF.AUDIT | NOTIF.AUDIT_NETWORK | NOTIF.AUDIT_NETWORK_SYNC,
    heartbeatInterval: 0,
    healthCheckInterval: 0,
    verbosity: 0,
  },
  'subscribe.high_bits.compaction': { mask: NOTIF.COMPACTION, heartbeatInterval: 0, healthCheckInterval: 0, verbosity: 0 },
};

const expectedAcks: Readonly<Record<string, Ack>> = {
  'ack.diff_done': { kind: 'diff-done', th: 17 },
  'ack.diff_done_large_th': { kind: 'diff-done', th: 300 },
  'ack.audit_sync': { kind: 'audit-synced', usid: 42 },
  'ack.audit_network_sync': { kind: 'audit-network-synced', usid: 42 },
  'ack.ha_sync': { kind: 'ha-synced' },
};

const messages = loadClientMessages();

describe('client messages', () => {
  it('has an expectation for every vector', () => {
    expect(messages.map((m) => m.name).sort()).toEqual([...Object.keys(expectedSubscriptions), ...Object.keys(expectedAcks)].sort());
  });

  describe.each(messages.filter((m) => m.name.startsWith('subscribe.')))('$name', (m) => {
    it.each(ENCODINGS)('decodes %s to the expected subscription', (field) => {
      const s = subscriptionFromTerm(decodeTerm(fromHex(m[field])));
      expect(s).toEqual(expectedSubscriptions[m.name]);
    });

    it('agrees with the vector meaning', () => {
      const s = subscriptionFromTerm(decodeTerm(fromHex(m.etf_hex)));
      const meaning = (typeof m.meaning === 'object' ? m.meaning : {}) as Record<string, unknown>;
      const mask = maskOf(meaning['mask']);
      if (mask !== undefined) expect(s.mask).toBe(mask);
      if (typeof meaning['verbosity'] === 'number') expect(s.verbosity).toBe(meaning['verbosity']);
      if (typeof meaning['heartbeat_interval'] === 'number') expect(s.heartbeatInterval).toBe(meaning['heartbeat_interval']);
      if (meaning['stream'] === null) expect(s.stream).toBeUndefined();
      if (typeof meaning['stream'] === 'string') expect(s.stream?.name).toBe(meaning['stream']);
      if (typeof meaning['start'] === 'string') expect(s.stream?.startTime).toEqual(parseIsoDateTime(meaning['start'], 'start'));
      if (typeof meaning['stop'] === 'string') expect(s.stream?.stopTime).toEqual(parseIsoDateTime(meaning['stop'], 'stop'));
      if (typeof meaning['xpath_filter'] === 'string') expect(s.stream?.xpathFilter).toBe(meaning['xpath_filter']);
      if (typeof meaning['usid'] === 'number') expect(s.stream?.usid).toBe(meaning['usid']);
    });

    it('subscriptionToTerm re-encodes it byte-exact (both atom encodings)', () => {
      const s = subscriptionFromTerm(decodeTerm(fromHex(m.etf_hex)));
      expect(toHex(encodeTerm(subscriptionToTerm(s)))).toBe(m.etf_hex);
      expect(toHex(encodeTerm(subscriptionToTerm(s), { atomEncoding: 'utf8' }))).toBe(m.etf_hex_c_style);
    });
  });

  describe.each(messages.filter((m) => m.name.startsWith('ack.')))('$name', (m) => {
    it.each(ENCODINGS)('decodes %s to the expected ack', (field) => {
      expect(ackFromTerm(decodeTerm(fromHex(m[field])))).toEqual(expectedAcks[m.name]);
    });

    it('ackToTerm re-encodes it byte-exact', () => {
      const ack = expectedAcks[m.name]!;
      expect(toHex(encodeTerm(ackToTerm(ack)))).toBe(m.etf_hex);
      expect(toHex(encodeTerm(ackToTerm(ack), { atomEncoding: 'utf8' }))).toBe(m.etf_hex_c_style);
    });

    it('formatAck prints it as Erlang does', () => {
      expect(formatAck(expectedAcks[m.name]!)).toBe(m.term);
    });
  });
});

describe('server replies', () => {
  const replies = new Map(loadServerReplies().map((r) => [r.name, r]));
  const expected: Readonly<Record<string, Term>> = {
    'subscribe_reply.ok': SUBSCRIBE_OK,
    'subscribe_reply.error_nostream': subscribeErrorTerm(1, 'no such stream: FOO'),
    'subscribe_reply.error_xpath': subscribeErrorTerm(50, 'bad XPath filter'),
    'subscribe_reply.error_nosession': subscribeErrorTerm(22, 'no such user session'),
  };

  it('covers every reply vector', () => {
    expect([...replies.keys()].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s', (name, term) => {
    const v = replies.get(name)!;
    expect(toHex(encodeTerm(term))).toBe(v.etf_hex);
    expect(toHex(encodeTerm(term, { atomEncoding: 'utf8' }))).toBe(v.etf_hex_utf8_atoms);
  });

  it('subscribeReplyFromTerm reads them as the C library does', () => {
    expect(subscribeReplyFromTerm(SUBSCRIBE_OK)).toEqual({ ok: true });
    expect(subscribeReplyFromTerm(decodeTerm(fromHex(replies.get('subscribe_reply.error_xpath')!.etf_hex)))).toEqual({
      ok: false,
      code: 50,
      reason: 'bad XPath filter',
    });
  });
});

function subscriptionError(term: Term): CodecError {
  return codecErrorOf(() => subscriptionFromTerm(term));
}

describe('subscription validation (§8.1)', () => {
  const U = atom('undefined');
  const ok = (...over: [number, Term][]): Term => {
    const e: Term[] = [int(1), int(0), int(0), U, int(0)];
    for (const [i, t] of over) e[i] = t;
    return tuple(...e);
  };

  it.each<[string, Term, string, string]>([
    ['not a 5-tuple', tuple(int(1), int(0)), '', 'expected a 5-tuple'],
    ['an atom', atom('subscribe'), '', 'expected a 5-tuple'],
    ['mask not an integer', ok([0, binary('x')]), 'mask', 'mask is not an integer'],
    ['mask negative', ok([0, int(-1)]), 'mask', 'mask -1 outside 0..2147483647'],
    ['mask beyond 31 bits', ok([0, int(2 ** 31)]), 'mask', 'mask 2147483648 outside 0..2147483647'],
    ['heartbeat interval negative', ok([1, int(-5)]), 'heartbeat_interval', 'heartbeat interval -5 outside'],
    ['verbosity 7', ok([4, int(7)]), 'verbosity', 'verbosity 7 outside 0..3'],
    ['stream info a 5-tuple', ok([3, tuple(atom('NETCONF'), U, U, U, int(0))]), 'stream', 'stream info is not undefined or a 6-tuple'],
    ['stream name an integer', ok([3, tuple(int(3), U, U, U, int(0), int(0))]), 'stream.name', 'stream name is not an atom'],
    ['start time malformed', ok([3, tuple(atom('N'), tuple(int(20), tuple()), U, U, int(0), int(0))]), 'stream.start_time', 'start time is not undefined or a datetime'],
    ['xpath an atom', ok([3, tuple(atom('N'), U, U, atom('x'), int(0), int(0))]), 'stream.xpath_filter', 'xpath filter is not undefined or a binary'],
    ['use_ikp 2', ok([3, tuple(atom('N'), U, U, U, int(0), int(2))]), 'stream.use_ikp', 'use_ikp 2 outside 0..1'],
  ])('%s', (_label, term, path, reason) => {
    const e = subscriptionError(term);
    expect(e.code).toBe('NSOMOCK_CODEC_BAD_NOTIFICATION');
    expect(e.details.path).toBe(path);
    expect(e.message).toContain(reason);
    expect(e.message).toMatch(/^Failed to decode subscription: /);
    // The where part names the field; the whole term (path '') adds no empty "()" (audit finding 9).
    if (path !== '') expect(e.message.endsWith(` (${path})`)).toBe(true);
    expect(e.message).not.toContain('()');
  });

  it('prints an out-of-range bignum mask by size, not in decimal', () => {
    const e = subscriptionError(ok([0, int(1n << 20_000n)]));
    expect(e.message).toBe('Failed to decode subscription: mask #Integer<2501 bytes> outside 0..2147483647 (mask)');
    expect(subscriptionError(atom('hello')).message).toBe(
      'Failed to decode subscription: expected a 5-tuple {Mask, HeartbeatInterval, HealthCheckInterval, StreamInfo, Verbosity}, got the atom hello',
    );
  });
});

describe('acks', () => {
  it.each<[string, Term]>([
    ['unknown atom', atom('synced')],
    ['wrong second atom', tuple(int(17), atom('ok'))],
    ['3-tuple', tuple(int(17), atom('done'), atom('x'))],
    ['non-integer id', tuple(binary('17'), atom('done'))],
    ['swapped', tuple(atom('done'), int(17))],
  ])('%s is no ack', (_label, term) => {
    expect(ackFromTerm(term)).toBeUndefined();
  });

  it('ackKeyString separates kinds and ids', () => {
    const keys = [
      { kind: 'diff-done', th: 42 },
      { kind: 'audit-synced', usid: 42 },
      { kind: 'audit-network-synced', usid: 42 },
      { kind: 'ha-synced' },
      { kind: 'diff-done', th: 43 },
    ] as const;
    expect(new Set(keys.map(ackKeyString)).size).toBe(keys.length);
  });
});
