import { describe, expect, it } from 'vitest';
import { decodeTerm, encodeTerm } from '../../src/codec/index.js';
import { allTermEncodings, fromHex, loadEtfPrimitives, loadNotifications, toHex } from '../support/vectors.js';

describe('vectors re-encode byte-exact', () => {
  it('loads vectors', () => {
    expect(allTermEncodings().length).toBeGreaterThan(200);
  });
  for (const v of [...loadEtfPrimitives(), ...loadNotifications()]) {
    it(v.name, () => {
      const t = decodeTerm(fromHex(v.etf_hex));
      const expected = 'reencoded_etf_hex' in v && v.reencoded_etf_hex !== undefined ? v.reencoded_etf_hex : v.etf_hex;
      expect(toHex(encodeTerm(t))).toBe(expected);
      if (v.etf_hex_utf8_atoms !== undefined && !('direction' in v)) expect(toHex(encodeTerm(t, { atomEncoding: 'utf8' }))).toBe(v.etf_hex_utf8_atoms);
    });
  }
});
