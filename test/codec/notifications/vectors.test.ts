import { describe, expect, it } from 'vitest';
import { decodeTerm } from '../../../src/codec/decode.js';
import { encodeTerm } from '../../../src/codec/encode.js';
import {
  isAvailableIn,
  notificationFromTerm,
  notificationToTerm,
  pythonDictView,
  type Profile,
} from '../../../src/codec/notifications/index.js';
import { fromHex, loadNotifications, loadNotifications66, loadNotifications6x, SUPERSEDED_6X_VECTORS, toHex, type NotificationVector } from '../../support/vectors.js';

/**
 * Every 5.7 notification vector (and the inferred 6.x ones nso66 keeps), byte-exact both ways:
 * Erlang bytes → Notification → the same bytes (ATOM_EXT and UTF-8 atom encodings), and the nso57
 * Python dict view equals the vector's. The 6.2.5 vectors are in nso62-vectors.test.ts.
 */
const cases: readonly (readonly [Profile, NotificationVector])[] = [
  ...loadNotifications().map((v) => ['nso57', v] as const),
  ...loadNotifications66().map((v) => ['nso66', v] as const),
];

describe('notification vectors', () => {
  it('covers both files', () => {
    expect(loadNotifications().length).toBeGreaterThanOrEqual(55);
    expect(loadNotifications6x().length).toBe(3);
    expect(loadNotifications66().map((v) => v.name)).toEqual(['call_home_info.device_disconnected', 'compaction.automatic_a_cdb']);
  });

  describe.each(cases)('%s %s', (profile, v) => {
    it(`${v.name}: decode → Notification → encode gives etf_hex and etf_hex_utf8_atoms`, () => {
      const n = notificationFromTerm(decodeTerm(fromHex(v.etf_hex)), profile);
      const term = notificationToTerm(n, profile);
      expect(toHex(encodeTerm(term))).toBe(v.etf_hex);
      expect(toHex(encodeTerm(term, { atomEncoding: 'utf8' }))).toBe(v.etf_hex_utf8_atoms);
      // the UTF-8 atom form decodes to the same notification
      expect(notificationFromTerm(decodeTerm(fromHex(v.etf_hex_utf8_atoms)), profile)).toEqual(n);
    });

    it(`${v.name}: pythonDictView equals the vector's dict`, () => {
      const term = decodeTerm(fromHex(v.etf_hex));
      // nso57: python_dict_nso57 where given, else python_dict; nso66's extras keep the 6.x dict
      if (profile === 'nso57') expect(pythonDictView(term, 'nso57')).toEqual(v.python_dict_nso57 ?? v.python_dict);
      else expect(pythonDictView(term, 'nso66')).toEqual(v.python_dict);
    });
  });

  it('the superseded guess (progress.span_based_guess, NSO62.md wins) is no layout of any profile', () => {
    const superseded = loadNotifications6x().filter((v) => SUPERSEDED_6X_VECTORS.includes(v.name));
    expect(superseded).toHaveLength(1);
    for (const v of superseded) {
      // usid/tid/datastore where 6.2 has the trace ids: the 6.2 reader refuses binaries there
      expect(() => notificationFromTerm(decodeTerm(fromHex(v.etf_hex)), 'nso66')).toThrow(/trace_id|usid|expected/);
    }
  });

  it('nso66 sends call-home device-disconnected; nso62 and nso57 do not', () => {
    const v = loadNotifications66().find((x) => x.name === 'call_home_info.device_disconnected');
    const n = notificationFromTerm(decodeTerm(fromHex(v?.etf_hex ?? '')), 'nso66');
    expect([isAvailableIn(n, 'nso57'), isAvailableIn(n, 'nso62'), isAvailableIn(n, 'nso66')]).toEqual([false, false, true]);
  });
});
