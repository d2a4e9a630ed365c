import { describe, expect, it } from 'vitest';
import { atom, binary, improper, int, list, NIL, tuple, type Term } from '../../../src/codec/term.js';
import {
  normalizeNotification,
  notificationFromTerm,
  notificationTypes,
  notificationToTerm,
  type Notification,
  type NotificationInput,
} from '../../../src/codec/notifications/index.js';
import { codecErrorOf } from '../../support/codec-errors.js';

const uinfo = tuple(int(42), binary('admin'), binary(''), binary('cli'), int(2), tuple(int(127), int(0), int(0), int(1)), int(53012), int(1700000000), binary(''), int(0));
const U = atom('undefined');

describe('normalizeNotification rejects bad input with NSOMOCK_CODEC_UNENCODABLE and the field path', () => {
  // Each input is wrong in exactly one field; the path names it (PROTOCOL.md §6.4 for the ranges).
  const cases: readonly [string, unknown, string, RegExp][] = [
    ['no type', { logno: 1 }, 'type', /unknown notification type/],
    ['unknown type', { type: 'commit' }, 'type', /unknown notification type 'commit'/],
    ['unknown field (typo)', { type: 'audit', mesg: 'x' }, 'mesg', /unknown field 'mesg'/],
    ['unknown enum name', { type: 'commit-diff', db: 'runing' }, 'database', /unknown name 'runing'/],
    ['both db and database', { type: 'commit-diff', db: 'running', database: 2 }, 'db', /not both/],
    ['logno not an integer', { type: 'audit', logno: 1.5 }, 'logno', /expected an integer/],
    ['usid beyond 32 bits', { type: 'audit', usid: 2 ** 31 }, 'usid', /2147483648 outside -2147483648\.\.2147483647/],
    ['msg not text', { type: 'daemon', msg: 42 }, 'msg', /expected text/],
    ['uinfo port beyond 16 bits', { type: 'commit-simple', uinfo: { port: 70000 } }, 'uinfo.port', /outside 0\.\.65535/],
    ['uinfo logintime in 2^31..2^32-1', { type: 'commit-simple', uinfo: { logintime: 3_000_000_000 } }, 'uinfo.logintime', /misreads/],
    ['uinfo address', { type: 'user-session', uinfo: { addr: '300.1.1.1' } }, 'uinfo.addr', /no IPv4 or IPv6 address/],
    ['uinfo proto name', { type: 'user-session', uinfo: { proto: 'telnet' } }, 'uinfo.proto', /unknown name 'telnet'/],
    ['progress timestamp below 2^32', { type: 'progress', timestamp: 1_700_000_000 }, 'timestamp', /outside 2\^32\.\.2\^53−1/],
    ['progress timestamp text', { type: 'progress', timestamp: 'yesterday' }, 'timestamp', /no ISO-8601 date-time/],
    ['progress duration negative', { type: 'progress', timestamp: 2 ** 40, duration: -1 }, 'duration', /outside 0\.\./],
    ['cq id negative', { type: 'cq-progress', cq_id: -5 }, 'cq_id', /outside 0\.\./],
    ['ha-info without event', { type: 'ha-info' }, 'event', /needs an event/],
    ['ha-info unknown event number', { type: 'ha-info', event: 9 }, 'event', /9 is not one of 1, 2, 3, 4, 5, 6, 7/],
    ['ha-info node address', { type: 'ha-info', event: 'secondary-died', node: { nodeid: 'n2', addr: 'n2.local' } }, 'node.addr', /no IPv4/],
    ['ha-info data of another event', { type: 'ha-info', event: 'is-none', node: { nodeid: 'x' } }, 'node', /unknown field 'node'/],
    ['stream event time', { type: 'stream-event', event_time: '2023-13-01T00:00:00Z' }, 'event_time.month', /13 outside 1\.\.12/],
    ['stream value uint8 range', { type: 'stream-event', values: [{ ns: 1, tag: 2, v: { confd_type: 'uint8', value: 256 } }] }, 'values[0].v.value', /256 outside 0\.\.255/],
    ['stream tag hash beyond 32 bits', { type: 'stream-event', values: [{ ns: 1, tag: 2 ** 32, xml: 'start' }] }, 'values[0].tag', /outside 0\.\.4294967295/],
    ['stream mixed ns/tag forms', { type: 'stream-event', values: [{ ns: 1, tag: 'x', v: 'a' }] }, 'values[0].ns', /must both be hashes/],
    ['stream unknown marker', { type: 'stream-event', values: [{ ns: 1, tag: 2, xml: 'begin' }] }, 'values[0].xml', /unknown marker 'begin'/],
    ['stream unknown confd_type', { type: 'stream-event', values: [{ ns: 1, tag: 2, v: { confd_type: 'uint128', value: 1 } }] }, 'values[0].v.confd_type', /unknown confd_type 'uint128'/],
    ['stream non-finite double', { type: 'stream-event', values: [{ ns: 1, tag: 2, v: Number.POSITIVE_INFINITY }] }, 'values[0].v', /no Erlang encoding/],
    ['snmpa field of the other PDU family', { type: 'snmpa', event: 'v1-trap', request_id: 5 }, 'request_id', /no slot in a v1 trap/],
    ['snmpa oid sub-id', { type: 'snmpa', vb: [{ oid: [1, -3] }] }, 'vb[0].oid[1]', /outside 0\.\./],
    ['snmpa variable name', { type: 'snmpa', vb: [{ name: '' }] }, 'vb[0].name', /no atom name/],
    ['commit flags name', { type: 'commit-simple', flags: ['confirmed', 'urgent'] }, 'flags[1]', /unknown name 'urgent'/],
    ['upgrade without event', { type: 'upgrade' }, 'event', /needs an event/],
    ['compaction ntrans', { type: 'compaction', ntrans: -1 }, 'ntrans', /outside 0\.\.2147483647/],
    ['defaults uinfo', { type: 'audit' }, 'defaults.uinfo.usid', /expected an integer/],
  ];

  it.each(cases)('%s', (label, input, path, message) => {
    const defaults = label === 'defaults uinfo' ? { uinfo: { usid: 'x' as unknown as number } } : {};
    const e = codecErrorOf(() => normalizeNotification(input as NotificationInput, defaults));
    expect(e.code).toBe('NSOMOCK_CODEC_UNENCODABLE');
    expect(e.details.path).toBe(path);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^Failed to encode notification: .* \(.*\)$/);
  });
});

describe('every type reads its input through the same field check (no casts at the input boundary)', () => {
  // The smallest input each type accepts; an unknown field next to it is named by its path.
  const minimal = (type: string): { type: string; [field: string]: unknown } =>
    type === 'ha-info' ? { type, event: 'secondary-died' } : type === 'upgrade' ? { type, event: 'init-started' } : { type };
  it.each(Object.keys(notificationTypes))('%s: an unknown field is NSOMOCK_CODEC_UNENCODABLE at its path', (type) => {
    expect(() => normalizeNotification(minimal(type) as NotificationInput)).not.toThrow();
    const e = codecErrorOf(() => normalizeNotification({ ...minimal(type), zz_typo: 1 } as NotificationInput));
    expect(e.code).toBe('NSOMOCK_CODEC_UNENCODABLE');
    expect(e.details.path).toBe('zz_typo');
    expect(e.message).toMatch(/unknown field 'zz_typo'/);
  });

  it('an input without a prototype (Object.create(null), as some parsers make) is read like any object', () => {
    const input = Object.assign(Object.create(null) as Record<string, unknown>, { type: 'audit', logno: 7, msg: 'x' });
    expect(normalizeNotification(input as unknown as NotificationInput)).toMatchObject({ type: 'audit', logno: 7, msg: 'x' });
  });
});

describe('notificationToTerm refuses fields the profile has no slot for', () => {
  const base = normalizeNotification({ type: 'progress', timestamp: 2 ** 40 });
  it.each<[string, Notification, 'nso57' | 'nso62' | 'nso66', string]>([
    ['span_id under nso57', { ...base, span_id: 'abc' } as Notification, 'nso57', 'span_id'],
    ['attributes under nso57', { ...base, attributes: [{ name: 'a', value: 1 }] } as Notification, 'nso57', 'attributes'],
    ['phase under nso62', { ...base, phase: 'validate' } as Notification, 'nso62', 'phase'],
    ['commit_queue_id under nso66', { ...base, commit_queue_id: 5 } as Notification, 'nso66', 'commit_queue_id'],
  ])('%s', (_label, n, profile, path) => {
    const e = codecErrorOf(() => notificationToTerm(n, profile));
    expect(e.code).toBe('NSOMOCK_CODEC_UNENCODABLE');
    expect(e.details.path).toBe(path);
  });
});

describe('notificationFromTerm rejects wrong terms with NSOMOCK_CODEC_BAD_NOTIFICATION and the element path', () => {
  const progress19 = (over: Record<number, Term>): Term => {
    const e: Term[] = [int(1), int(2 ** 40), U, int(0), int(0), int(2), ...Array.from({ length: 13 }, () => U)];
    for (const [i, t] of Object.entries(over)) e[Number(i)] = t;
    return tuple(int(16777216), tuple(...e));
  };
  const cases: readonly [string, Term, string, RegExp][] = [
    ['not a tuple', list([int(1)]), '', /expected a tuple/],
    ['empty tuple', tuple(), '', /expected a tuple/],
    ['type not an integer', tuple(atom('audit')), 'type', /expected an integer/],
    ['unknown type bit', tuple(int(3), int(1)), 'type', /3 is no notification type bit/],
    ['flag bit as a type (§11.20)', tuple(int(4), int(1), int(6), binary('x')), 'type', /4 is no notification type bit/],
    ['audit wrong arity', tuple(int(1), int(108), binary('admin'), int(42)), '', /audit notification is a 5-tuple, got a 4-tuple/],
    ['audit msg an integer', tuple(int(1), int(108), binary('admin'), int(42), int(5)), 'msg', /expected a binary/],
    ['commit-diff arity 8', tuple(int(16), int(2), uinfo, int(17), int(0), binary(''), binary(''), binary('')), '', /5 or 6 or 7-tuple/],
    ['uinfo 9-tuple', tuple(int(8), int(2), tuple(int(1)), int(1), int(0)), 'uinfo', /expected a 10-tuple/],
    ['uinfo port a binary', tuple(int(16), int(2), tuple(int(42), binary('a'), binary(''), binary('c'), int(2), tuple(int(1), int(2), int(3), int(4)), binary('x'), int(0), binary(''), int(0)), int(17), int(0)), 'uinfo.port', /expected an integer/],
    ['IP 5-tuple', tuple(int(256), int(2), int(2), tuple(int(1), int(2), int(3), int(4), int(5)), int(830)), 'addr', /IP address tuple/],
    ['IPv4 part 300', tuple(int(256), int(2), int(2), tuple(int(300), int(2), int(3), int(4)), int(830)), 'addr[0]', /300 outside 0\.\.255/],
    ['commit-failed provider 9', tuple(int(256), int(9), int(2)), 'event', /unknown data provider 9/],
    ['commit-failed provider 2 short', tuple(int(256), int(2), int(2)), 'event', /needs a 5-tuple/],
    ['HA type 8', tuple(int(64), tuple(int(8), int(0))), 'event', /unknown HA info type 8/],
    ['HA node address an atom', tuple(int(64), tuple(int(2), tuple(binary('n'), atom('x')))), 'node.addr', /IP address tuple/],
    ['progress arity 12 (Java legacy)', tuple(int(16777216), tuple(...Array.from({ length: 12 }, () => U))), 'event', /19 or 15-tuple/],
    ['progress timestamp undefined', progress19({ 1: U }), 'timestamp', /expected an integer/],
    ['progress msg an integer', progress19({ 10: int(3) }), 'msg', /expected a binary/],
    ['stream datetime tag 20', tuple(int(524288), tuple(tuple(int(20), tuple()), NIL)), 'event_time', /date-time tag 19/],
    ['stream tag a bare list', tuple(int(524288), tuple(tuple(int(19), tuple(...Array.from({ length: 9 }, () => int(1)))), list([tuple(list([int(1)]), atom('start'))]))), 'values[0].tag', /expected \[NsHash\|TagHash\]/],
    ['stream value unknown code', tuple(int(524288), tuple(tuple(int(19), tuple(...Array.from({ length: 9 }, () => int(1)))), list([tuple(improper([int(1)], int(2)), tuple(int(99), int(1)))]))), 'values[0].v.confd_type', /unknown value type code 99/],
    ['snmpa varbind count mismatch', tuple(int(512), tuple(int(2), int(1), tuple(int(1), int(2), int(3), int(4)), int(162), int(0), int(0), int(3), NIL, U, NIL)), 'num_variables', /says 3 varbinds, the list has 0/],
    ['cq timestamp missing', tuple(int(4194304), int(1), U, int(1), U, U, U, U, U, U, U), 'timestamp', /expected a tuple/],
    ['audit-network not nested', tuple(int(268435456), int(42)), 'audit_network', /expected a tuple/],
  ];

  it.each(cases)('%s', (_label, term, path, message) => {
    const e = codecErrorOf(() => notificationFromTerm(term));
    expect(e.code).toBe('NSOMOCK_CODEC_BAD_NOTIFICATION');
    expect(e.details.path).toBe(path);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^Failed to decode notification: /);
  });
});

describe('tolerant decoding (what real servers and the C decoder accept)', () => {
  it('reads atoms where text is expected and re-encodes them as binaries (§6.5)', () => {
    const n = notificationFromTerm(tuple(int(1), int(108), atom('admin'), int(42), binary('m')));
    expect(n).toEqual({ type: 'audit', logno: 108, user: 'admin', usid: 42, msg: 'm' });
  });

  it('reads commit-diff of arity 6 as a comment without label', () => {
    const n = notificationFromTerm(tuple(int(16), int(2), uinfo, int(17), int(0), binary('c')));
    expect(n).toMatchObject({ type: 'commit-diff', th: 17, comment: 'c' });
  });

  it('ignores elements after the type bit of a heartbeat (§11.11)', () => {
    expect(notificationFromTerm(tuple(int(8192), atom('extra')))).toEqual({ type: 'heartbeat' });
  });

  it('takes any atom other than replay_complete as notification complete (§11.15)', () => {
    expect(notificationFromTerm(tuple(int(524288), atom('done')))).toEqual({ type: 'stream-event', event: 2 });
  });

  it('reads an SNMP variable name given as a binary', () => {
    const vb = list([tuple(tuple(int(1), int(3), binary('sysDescr')), U)]);
    const n = notificationFromTerm(tuple(int(512), tuple(int(5), int(7), tuple(int(1), int(2), int(3), int(4)), int(161), int(0), int(0), int(1), vb, U, NIL)));
    expect(n).toMatchObject({ vb: [{ type: 1, name: 'sysDescr', val: null }] });
  });
});
