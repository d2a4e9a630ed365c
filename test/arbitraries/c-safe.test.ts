/**
 * C-safe generation (`cSafe`, on by default for `clientStyle: 'c'`): every generated text has no
 * NUL and fits the C library's smallest buffers; `unicode: false` means printable ASCII (0x20–0x7e).
 * IP addresses are not texts on the wire (§9.4: tuples of integers; a C client formats them into
 * INET6_ADDRSTRLEN buffers), so they are left out of the byte limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { notificationTypes, type Notification, type Profile } from '../../src/codec/index.js';
import { C_TEXT_MAX_BYTES, anyNotificationArbitrary, clientFuzzScenarioArbitrary, isCStringSafe, notificationArbitrary } from '../../src/arbitraries/index.js';
import { fcRuns } from '../support/fc-config.js';

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) for (const v of Object.values(value)) strings(v, out);
  return out;
}

const isIpText = (s: string): boolean => /^(\d{1,3}(\.\d{1,3}){3}(\/\d+)?|[0-9a-f:]*:[0-9a-f:.]*(\/\d+)?)$/.test(s);
const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length;
const texts = (n: Notification): string[] => strings(n).filter((s) => !isIpText(s));
const typesOf = (profile: Profile): string[] => Object.values(notificationTypes).filter((s) => s.profiles.includes(profile)).map((s) => s.type);

describe('properties', () => {
  for (const profile of ['nso57', 'nso62', 'nso66'] as const) {
    it(`clientStyle 'c' (${profile}): no text of any type holds a NUL or exceeds ${C_TEXT_MAX_BYTES} UTF-8 bytes`, () => {
      for (const type of typesOf(profile)) {
        fc.assert(
          fc.property(notificationArbitrary(type as never, { profile, clientStyle: 'c', maxTextLength: 64 }), (n) => {
            for (const s of texts(n)) {
              expect(s.includes('\0'), `${type}: ${JSON.stringify(s)}`).toBe(false);
              expect(utf8Bytes(s), `${type}: ${JSON.stringify(s)}`).toBeLessThanOrEqual(C_TEXT_MAX_BYTES);
            }
          }),
          { numRuns: fcRuns(0.5) },
        );
      }
    });

    it(`unicode: false (${profile}): every text is printable ASCII, 0x20–0x7e`, () => {
      for (const type of typesOf(profile)) {
        fc.assert(
          fc.property(notificationArbitrary(type as never, { profile, unicode: false }), (n) => {
            for (const s of strings(n)) expect(s, type).toMatch(/^[\x20-\x7e]*$/);
          }),
          { numRuns: fcRuns(0.5) },
        );
      }
    });
  }

  it('cSafe with unicode still generates non-ASCII text (the limit is in bytes, not a fallback to ASCII)', () => {
    const samples = fc.sample(anyNotificationArbitrary({ cSafe: true }), { seed: 17, numRuns: 400 });
    const all = samples.flatMap(texts);
    expect(all.some((s) => /[^\x00-\x7f]/.test(s))).toBe(true);
    expect(all.some((s) => utf8Bytes(s) > 24)).toBe(true); // long multi-byte texts are cut to fit, not avoided
    expect(all.every((s) => !s.includes('\0') && utf8Bytes(s) <= C_TEXT_MAX_BYTES)).toBe(true);
  });

  it("without clientStyle 'c' (the default, and 'java') texts may hold NUL and exceed the C limits", () => {
    for (const constraints of [{}, { clientStyle: 'java' as const }]) {
      const all = fc.sample(anyNotificationArbitrary({ ...constraints, maxTextLength: 64 }), { seed: 5, numRuns: 500 }).flatMap(texts);
      expect(all.some((s) => s.includes('\0'))).toBe(true);
      expect(all.some((s) => utf8Bytes(s) > C_TEXT_MAX_BYTES)).toBe(true);
    }
  });

  it("clientFuzzScenarioArbitrary defaults to the C style: every emitted notification is C-safe; 'java' is not limited", () => {
    const emitted = (style?: 'c' | 'java'): Notification[] =>
      fc
        .sample(clientFuzzScenarioArbitrary(style === undefined ? {} : { clientStyle: style }), { seed: 3, numRuns: 60 })
        .flatMap((s) => s.scenario.steps)
        .flatMap((step) => ('emit' in step ? [step.emit as unknown as Notification] : []));
    const c = emitted();
    expect(c.length).toBeGreaterThan(50);
    expect(c.every((n) => isCStringSafe(n))).toBe(true);
    expect(emitted('java').some((n) => !isCStringSafe(n))).toBe(true);
  });
});
