import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { anyNotificationArbitrary, progressNotification } from '../../../src/arbitraries/index.js';
import { decodeTerm } from '../../../src/codec/decode.js';
import { encodeTerm } from '../../../src/codec/encode.js';
import { encodeFrame } from '../../../src/codec/frame.js';
import {
  isAvailableIn,
  layoutProblem,
  normalizeNotification,
  notificationFromTerm,
  notificationToTerm,
  pythonDictView,
  type Notification,
} from '../../../src/codec/notifications/index.js';
import { AnnotatedBytes } from '../../support/annotated-bytes.js';
import { closeErlangOracle, erlangOracle } from '../../support/erlang-oracle.js';
import { fcRuns } from '../../support/fc-config.js';
import { fromHex, loadNotificationsNso62, loadNso62Layouts, loadNso62WrongLayouts, toHex } from '../../support/vectors.js';

/**
 * `notifications_nso62.jsonl` (NSO62.md): every frame the real NSO 6.2.5 libraries read, byte-exact
 * both ways under the nso62 profile, and the Python dict view equal to what 6.2.5's
 * `read_notification()` returned (`python_dict_nso62`). The `wrong_layout` frames (5.7 and guessed
 * forms that abort or mislead a 6.2.5 client) are never produced under nso62.
 */
const layouts = loadNso62Layouts();
const wrong = loadNso62WrongLayouts();

describe('notifications_nso62.jsonl', () => {
  it('has every 6.2.5 layout and the wrong ones', () => {
    expect(layouts.length).toBe(82);
    expect(wrong.map((v) => v.name).sort()).toEqual([
      'progress.attributes_links_undefined',
      'progress.attributes_undefined',
      'progress.links_undefined',
      'stream_event.econfd_ikp_form',
      'wrong57.audit_network_config_undefined',
      'wrong57.call_home_type3',
      'wrong57.commit_progress_19_tuple',
      'wrong57.progress_19_tuple',
      'wrong6x.progress_guessed_order',
    ]);
  });

  describe.each(layouts.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    it('decodes to a notification of its type that nso62 clients can read', () => {
      const n = notificationFromTerm(decodeTerm(fromHex(v.etf_hex)), 'nso62');
      expect(n.type).toBe(v.type);
      expect(isAvailableIn(n, 'nso62')).toBe(true);
    });

    it('encodes back to etf_hex and frame_hex under nso62 (from the notification, also after normalizing it)', () => {
      const n = notificationFromTerm(decodeTerm(fromHex(v.etf_hex)), 'nso62');
      expect(toHex(encodeTerm(notificationToTerm(n, 'nso62')))).toBe(v.etf_hex);
      expect(toHex(encodeFrame(notificationToTerm(normalizeNotification(n), 'nso62')))).toBe(v.frame_hex);
    });

    it('gives python_dict_nso62 as the Python view of nso62', () => {
      expect(pythonDictView(decodeTerm(fromHex(v.etf_hex)), 'nso62')).toEqual(v.python_dict_nso62);
    });
  });

  describe.each(wrong.filter((v) => v.name !== 'stream_event.econfd_ikp_form').map((v) => [v.name, v] as const))('%s (wrong for 6.2.5)', (_name, v) => {
    it('is never what nso62 sends: refused by the decoder, not available in nso62, or encoded differently', () => {
      let n: Notification;
      try {
        n = notificationFromTerm(decodeTerm(fromHex(v.etf_hex)), 'nso62');
      } catch (error) {
        expect((error as { code?: string }).code).toBe('NSOMOCK_CODEC_BAD_NOTIFICATION');
        return;
      }
      if (!isAvailableIn(n, 'nso62')) {
        expect(v.name).toMatch(/call_home_type3|19_tuple/);
        return;
      }
      expect(toHex(encodeTerm(notificationToTerm(n, 'nso62')))).not.toBe(v.etf_hex);
    });
  });

  it('the 5.7 19-tuples decode (they are the nso57 layout) but nso62 has no slot for their 5.7-only fields', () => {
    const v = wrong.find((x) => x.name === 'wrong57.progress_19_tuple');
    const n = notificationFromTerm(decodeTerm(fromHex(v?.etf_hex ?? '')), 'nso57');
    expect(isAvailableIn(n, 'nso57')).toBe(true);
    expect(isAvailableIn(n, 'nso62')).toBe(false);
    expect(() => notificationToTerm(n, 'nso62')).toThrow(/phase has no slot in the nso62 progress layout/);
  });

  it('audit-network without config is sent with Config <<>>, never the atom undefined', () => {
    const v = wrong.find((x) => x.name === 'wrong57.audit_network_config_undefined');
    const n = notificationFromTerm(decodeTerm(fromHex(v?.etf_hex ?? '')), 'nso62');
    const good = layouts.find((x) => x.name === 'audit_network.minimal');
    expect(toHex(encodeTerm(notificationToTerm(n, 'nso62')))).toBe(good?.etf_hex);
  });

  it('the econfd atom-tag stream form is only sent when tags are given as atom names (an explicit econfd choice)', () => {
    const v = wrong.find((x) => x.name === 'stream_event.econfd_ikp_form');
    const n = notificationFromTerm(decodeTerm(fromHex(v?.etf_hex ?? '')), 'nso62');
    expect(n.type === 'stream-event' && n.event === 1 && n.values.every((tv) => typeof tv.tag === 'string')).toBe(true);
    expect(pythonDictView(decodeTerm(fromHex(v?.etf_hex ?? '')), 'nso62')).toBeNull();
  });

  it('the client-side lines are the 6.2.5 libraries: protocol 82, library 0x08020500', () => {
    const header = loadNotificationsNso62().find((v) => v.name === 'client.connect_header');
    expect(header !== undefined && 'raw_hex' in header ? header.raw_hex : undefined).toBe('0b0052080205003c12');
  });
});

describe('6.2 layouts field by field', () => {
  it('progress.start: {Bit, {Type, Timestamp, Duration, TraceId, SpanId, ParentSpanId, Usid, Tid, Datastore, Context, Subsystem, Msg, Annotation, Attributes, Links}}', () => {
    const want = new AnnotatedBytes()
      .version()
      .tuple('outer', 2)
      .int('bit (PROGRESS)', 16777216)
      .tuple('event', 15)
      .int('event.type (start)', 1)
      .int('event.timestamp', 1700000000123456n)
      .undef('event.duration')
      .binary('event.trace_id', '9b1a3a5e-7c1f-4f62-a1de-0d5f3c8b2e11')
      .binary('event.span_id', '00f067aa0ba902b7')
      .binary('event.parent_span_id', '53995c3f42cd8ad8')
      .int('event.usid', 42)
      .int('event.tid', 17)
      .int('event.datastore (running)', 2)
      .binary('event.context', 'cli')
      .binary('event.subsystem', 'ncs')
      .binary('event.msg', 'run validation')
      .undef('event.annotation')
      .nil('event.attributes')
      .nil('event.links');
    const n = normalizeNotification({
      type: 'progress',
      event: 'start',
      timestamp: 1700000000123456,
      trace_id: '9b1a3a5e-7c1f-4f62-a1de-0d5f3c8b2e11',
      span_id: '00f067aa0ba902b7',
      parent_span_id: '53995c3f42cd8ad8',
      usid: 42,
      tid: 17,
      datastore: 'running',
      context: 'cli',
      subsystem: 'ncs',
      msg: 'run validation',
    });
    expect(want.firstDifference(encodeTerm(notificationToTerm(n, 'nso62')))).toBeUndefined();
    // the builder agrees with the vector Erlang wrote
    expect(toHex(want.bytes())).toBe(layouts.find((v) => v.name === 'progress.start')?.etf_hex);
  });

  it('progress with attributes and links: lists of {Name, Value} and {TraceId, SpanId}; an integer attribute above 2^32 is a SMALL_BIG', () => {
    const want = new AnnotatedBytes()
      .version()
      .tuple('outer', 2)
      .int('bit (COMMIT_PROGRESS)', 65536)
      .tuple('event', 15)
      .int('event.type (info)', 3)
      .int('event.timestamp', 1700000000345680n)
      .undef('event.duration')
      .undef('event.trace_id')
      .undef('event.span_id')
      .undef('event.parent_span_id')
      .int('event.usid', 0)
      .int('event.tid', 0)
      .int('event.datastore', 0)
      .undef('event.context')
      .undef('event.subsystem')
      .binary('event.msg', 'm')
      .undef('event.annotation')
      .list('event.attributes', 2)
      .tuple('attributes[0]', 2)
      .binary('attributes[0].name', 'commit-queue-id')
      .int('attributes[0].value', 1700000000555n)
      .tuple('attributes[1]', 2)
      .binary('attributes[1].name', 'device')
      .binary('attributes[1].value', 'pe-1')
      .nil('event.attributes tail')
      .list('event.links', 1)
      .tuple('links[0]', 2)
      .binary('links[0].trace_id', '0af7651916cd43dd8448eb211c80319c')
      .binary('links[0].span_id', 'b7ad6b7169203331')
      .nil('event.links tail');
    const n = normalizeNotification({
      type: 'commit-progress',
      event: 'info',
      timestamp: 1700000000345680,
      usid: 0,
      datastore: 0,
      msg: 'm',
      attributes: [
        { name: 'commit-queue-id', value: 1700000000555 },
        { name: 'device', value: 'pe-1' },
      ],
      links: [{ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' }],
    });
    expect(want.firstDifference(encodeTerm(notificationToTerm(n, 'nso62')))).toBeUndefined();
  });

  it('audit-network without config: {Bit, {Usid, Tid, User, Device, undefined, <<>>}}', () => {
    const want = new AnnotatedBytes()
      .frameLength()
      .version()
      .tuple('outer', 2)
      .int('bit (AUDIT_NETWORK)', 268435456)
      .tuple('event', 6)
      .int('usid', 0)
      .int('tid', 0)
      .binary('user', 'system')
      .binary('device', 'pe-2')
      .undef('trace_id')
      .binary('config', '');
    const n = normalizeNotification({ type: 'audit-network', usid: 0, tid: 0, user: 'system', device: 'pe-2' });
    expect(want.firstDifference(encodeFrame(notificationToTerm(n, 'nso62')))).toBeUndefined();
    expect(toHex(want.bytes())).toBe(layouts.find((v) => v.name === 'audit_network.minimal')?.frame_hex);
  });

  it('a failing layout names the field: the 5.7 order puts usid where 6.2 reads the trace id', () => {
    const want = new AnnotatedBytes()
      .version()
      .tuple('outer', 2)
      .int('bit (PROGRESS)', 16777216)
      .tuple('event', 15)
      .int('event.type', 3)
      .int('event.timestamp', 1700000000345678n)
      .undef('event.duration')
      .undef('event.trace_id');
    const n = normalizeNotification({ type: 'progress', event: 'info', timestamp: 1700000000345678, usid: 7 });
    const nso57 = encodeTerm(notificationToTerm(n, 'nso57'));
    expect(want.firstDifference(nso57)).toMatch(/^field 'event \(15-tuple\)'/);
  });
});

describe('properties of the nso62 profile', () => {
  afterAll(async () => {
    await closeErlangOracle();
  });

  it('every generated nso62 notification is a 6.2.5 layout: a 6.2 reader finds nothing wrong, a 5.7 reader does for progress', () => {
    fc.assert(
      fc.property(anyNotificationArbitrary({ profile: 'nso62' }), (n) => {
        const term = notificationToTerm(n, 'nso62');
        expect(layoutProblem(term, 'nso62')).toBeUndefined();
        if (n.type === 'progress' || n.type === 'commit-progress') expect(layoutProblem(term, 'nso57')).toMatch(/15-tuple; NSO 5\.7 reads a 19-tuple/);
        if (n.type === 'call-home-info') expect(n.event).not.toBe(3);
      }),
      { numRuns: fcRuns() },
    );
  });

  it('the progress 15-tuple has its lists at 14 and 15 and its usid at 7, as Erlang encodes it (term_to_binary)', async () => {
    await fc.assert(
      fc.asyncProperty(progressNotification(undefined, { profile: 'nso62', maxItems: 3 }), async (n) => {
        const term = notificationToTerm(n, 'nso62');
        const inner = term.kind === 'tuple' ? term.elements[1] : undefined;
        expect(inner?.kind === 'tuple' ? inner.elements.length : 0).toBe(15);
        if (inner?.kind !== 'tuple') return;
        expect(['nil', 'list']).toContain(inner.elements[13]?.kind);
        expect(['nil', 'list']).toContain(inner.elements[14]?.kind);
        expect(inner.elements[6]).toMatchObject({ kind: 'integer' });
        const ours = encodeTerm(term);
        const erl = await erlangOracle().roundtrip(ours);
        if (!erl.ok) throw new Error(`Erlang rejected ${toHex(ours)}: ${erl.error}`);
        expect(toHex(ours)).toBe(toHex(erl.latin1));
      }),
      { numRuns: fcRuns(0.5) },
    );
  });
});

