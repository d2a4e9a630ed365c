/**
 * The fast paths of normalising and encoding fresh notifications (bench/server.bench.ts): the
 * default user info validated once per defaults object and second, short text copied without
 * TextEncoder, shared small-integer terms — each must give exactly what the slow path gave.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTerm } from '../../../src/codec/decode.js';
import { encodeTerm } from '../../../src/codec/encode.js';
import {
  normalizeNotification,
  notificationFromTerm,
  notificationToTerm,
  type NotificationDefaults,
  type UserInfoInput,
} from '../../../src/codec/notifications/index.js';
import { intTerm, textTerm } from '../../../src/codec/notifications/layout.js';
import { int } from '../../../src/codec/term.js';
import { fcRuns } from '../../support/fc-config.js';
import { fromHex, loadNotifications, loadNotifications66, loadNso62Layouts, toHex } from '../../support/vectors.js';

const T0 = 1_700_000_000_000;

describe('normalizeNotification on a Notification', () => {
  const vectors = [
    ...loadNotifications().map((v) => [v.name, v.etf_hex, 'nso57'] as const),
    ...loadNotifications66().map((v) => [v.name, v.etf_hex, 'nso66'] as const),
    ...loadNso62Layouts().map((v) => [`nso62 ${v.name}`, v.etf_hex, 'nso62'] as const),
  ];
  it.each(vectors)('%s: normalising the decoded notification gives it back, and it encodes to the vector', (_name, hex, profile) => {
    const n = notificationFromTerm(decodeTerm(fromHex(hex)), profile);
    const again = normalizeNotification(n);
    expect(again).toEqual(n);
    expect(toHex(encodeTerm(notificationToTerm(again, profile)))).toBe(hex);
  });

  it('is idempotent on its own results, whatever the defaults', () => {
    const defaults: NotificationDefaults = { uinfo: { username: 'oper', addr: '10.0.0.1' }, usid: 9, now: () => T0 };
    for (const input of [
      { type: 'audit', msg: 'x' },
      { type: 'commit-diff', th: 5, comment: 'c' },
      { type: 'progress', event: 'start', tid: 3 },
      { type: 'snmpa', event: 'v1-trap', time_stamp: 99, specific_trap: 2 },
      { type: 'stream-event', values: [{ ns: 1, tag: 2, xml: 'start' }] },
    ] as const) {
      const once = normalizeNotification(input, defaults);
      expect(normalizeNotification(once, { now: () => T0 + 86_400_000 })).toEqual(once);
    }
  });
});

describe('default user info', () => {
  it('is validated only for types that carry it', () => {
    const defaults = { uinfo: { port: 70_000 } };
    expect(normalizeNotification({ type: 'daemon', msg: 'up' }, defaults)).toEqual({ type: 'daemon', logno: 0, prio: 6, msg: 'up' });
    expect(() => normalizeNotification({ type: 'user-session', event: 'start' }, defaults)).toThrow(
      expect.objectContaining({ code: 'NSOMOCK_CODEC_UNENCODABLE', details: expect.objectContaining({ path: 'defaults.uinfo.port' }) }),
    );
  });

  it('follows the clock second by second, and another defaults object', () => {
    let now = T0;
    const uinfo: UserInfoInput = { username: 'oper' };
    const at = (ms: number, u: UserInfoInput = uinfo) => {
      now = ms;
      const n = normalizeNotification({ type: 'commit-simple' }, { uinfo: u, now: () => now });
      if (n.type !== 'commit-simple') throw new Error('type');
      return n.uinfo;
    };
    expect(at(T0).logintime).toBe(T0 / 1000);
    expect(at(T0 + 999)).toBe(at(T0)); // the same second: the cached object
    expect(at(T0 + 1000).logintime).toBe(T0 / 1000 + 1);
    expect(at(T0 + 1000, { username: 'bob' }).username).toBe('bob');
    expect(at(T0 + 5000, { username: 'fixed', logintime: 1 }).logintime).toBe(1);
  });

  it('reads now() at most once, and not at all for a type without time or user info', () => {
    let reads = 0;
    const now = (): number => {
      reads += 1;
      return T0;
    };
    normalizeNotification({ type: 'heartbeat' }, { now });
    expect(reads).toBe(0);
    normalizeNotification({ type: 'audit' }, { uinfo: { username: 'x' }, now });
    expect(reads).toBe(1);
  });
});

describe('properties', () => {
  it('textTerm holds the UTF-8 bytes TextEncoder gives, for any text', () => {
    const utf8 = new TextEncoder();
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 70 })), (s) => {
        expect([...textTerm(s).bytes]).toEqual([...utf8.encode(s)]);
      }),
      { numRuns: fcRuns() },
    );
  });

  it('intTerm equals int for every integer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -10, max: 300 }), fc.integer(), fc.maxSafeInteger()), (n) => {
        expect(intTerm(n)).toEqual(int(n));
      }),
      { numRuns: fcRuns() },
    );
  });
});
