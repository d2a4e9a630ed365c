import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTerm } from '../../../src/codec/decode.js';
import { encodeTerm } from '../../../src/codec/encode.js';
import {
  ackRequiredBy,
  isAvailableIn,
  normalizeNotification,
  notificationFromTerm,
  notificationToTerm,
  notificationTypes,
  pythonDictView,
  PROFILES,
  type NotificationInput,
  type NotificationType,
  type Profile,
} from '../../../src/codec/notifications/index.js';
import { assertArbitraryContract } from '../../../src/arbitraries/contract.js';
import { anyNotificationArbitrary, notificationArbitrary } from '../../../src/arbitraries/notifications/index.js';
import { fcRuns } from '../../support/fc-config.js';

const typesOf = (profile: Profile): NotificationType[] =>
  Object.values(notificationTypes)
    .filter((s) => s.profiles.includes(profile))
    .map((s) => s.type);

describe('properties', () => {
  describe.each(PROFILES)('%s', (profile) => {
    it.each(typesOf(profile))('%s: fromTerm(decode(encode(toTerm(n)))) = n, and the Python view never throws', (type) => {
      fc.assert(
        fc.property(notificationArbitrary(type, { profile, withIkpTags: true }), (n) => {
          const term = notificationToTerm(n, profile);
          expect(notificationFromTerm(term, profile)).toEqual(n);
          for (const atomEncoding of ['latin1', 'utf8'] as const) {
            expect(notificationFromTerm(decodeTerm(encodeTerm(term, { atomEncoding })), profile)).toEqual(n);
          }
          for (const p of PROFILES) pythonDictView(term, p);
        }),
        { numRuns: fcRuns(0.5) },
      );
    });

    it.each(typesOf(profile))('%s: generated notifications are canonical inputs (normalize(n) = n)', (type) => {
      fc.assert(
        fc.property(notificationArbitrary(type, { profile }), (n) => {
          expect(normalizeNotification(n as NotificationInput)).toEqual(n);
        }),
        { numRuns: fcRuns(0.5) },
      );
    });

    it.each(typesOf(profile))('%s: the arbitrary passes the shared contract (deterministic, shrinks stay valid)', (type) => {
      const report = assertArbitraryContract(
        {
          name: `notification:${type}:${profile}`,
          arbitrary: notificationArbitrary(type, { profile }),
          check: (n) => {
            expect(notificationFromTerm(decodeTerm(encodeTerm(notificationToTerm(n, profile))), profile)).toEqual(n);
          },
          size: (n) => encodeTerm(notificationToTerm(n, profile)).length,
        },
        { numRuns: fcRuns(0.2), shrinkSeeds: 1 },
      );
      expect(report.samples).toBeGreaterThan(0);
    });

    it('anyNotificationArbitrary stays inside the profile (§16)', () => {
      fc.assert(
        fc.property(anyNotificationArbitrary({ profile }), (n) => {
          expect(isAvailableIn(n, profile)).toBe(true);
        }),
        { numRuns: fcRuns() },
      );
    });
  });

  it('ackRequiredBy follows the type bit and the sync flag (§12)', () => {
    fc.assert(
      fc.property(anyNotificationArbitrary({ profile: 'nso62' }), fc.integer({ min: 0, max: 0x7fffffff }), (n, mask) => {
        const spec = notificationTypes[n.type];
        const key = ackRequiredBy(n, mask);
        const subscribed = (mask & spec.bit) !== 0;
        const flagged = spec.syncFlag === undefined || (mask & spec.syncFlag) !== 0;
        expect(key !== undefined).toBe(subscribed && spec.ack !== undefined && flagged);
        if (key !== undefined) expect(key.kind).toBe(spec.ack);
      }),
      { numRuns: fcRuns(2) },
    );
  });
});
