import { describe, expect, it } from 'vitest';
import { decodeTerm } from '../../../src/codec/decode.js';
import { encodeTerm } from '../../../src/codec/encode.js';
import {
  notificationFromTerm,
  notificationToTerm,
  pythonDictView,
  type Profile,
} from '../../../src/codec/notifications/index.js';
import { fromHex, loadNotifications, loadNotifications6x, toHex, type NotificationVector } from '../../support/vectors.js';

/**
 * Every notification vector, byte-exact both ways: Erlang bytes → Notification → the same bytes
 * (ATOM_EXT and UTF-8 atom encodings), and the Python dict view equals the vector's.
 */
const cases: readonly (readonly [Profile, NotificationVector])[] = [
  ...loadNotifications().map((v) => ['nso57', v] as const),
  ...loadNotifications6x().map((v) => ['nso6x', v] as const),
];

describe('notification vectors', () => {
  it('covers both files', () => {
    expect(loadNotifications().length).toBeGreaterThanOrEqual(55);
    expect(loadNotifications6x().length).toBe(3);
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

    it(`${v.name}: pythonDictView equals python_dict`, () => {
      const term = decodeTerm(fromHex(v.etf_hex));
      // python_dict is the 6.x-era binding; NSO 5.7.1 differs only where python_dict_nso57 is given
      expect(pythonDictView(term, 'nso6x')).toEqual(v.python_dict);
      if (profile === 'nso57') expect(pythonDictView(term, 'nso57')).toEqual(v.python_dict_nso57 ?? v.python_dict);
    });
  });
});
