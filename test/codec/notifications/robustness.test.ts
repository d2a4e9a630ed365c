import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTerm } from '../../../src/codec/decode.js';
import { CodecError } from '../../../src/codec/errors.js';
import { type Term } from '../../../src/codec/term.js';
import {
  ackFromTerm,
  notificationFromTerm,
  pythonDictView,
  subscriptionFromTerm,
  type Profile,
} from '../../../src/codec/notifications/index.js';
import { sendableTermArbitrary } from '../../../src/arbitraries/term.js';
import { fcRuns } from '../../support/fc-config.js';
import { fromHex, loadClientMessages, loadNotifications, loadNotifications6x } from '../../support/vectors.js';

/** Runs a decoder; anything but a value or a CodecError BAD_NOTIFICATION fails the property. */
function decodesOrRejects(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof CodecError) || e.code !== 'NSOMOCK_CODEC_BAD_NOTIFICATION') throw e;
    expect(typeof e.details.path).toBe('string');
  }
}

/** Replaces the subterm at a random position (pre-order index) by `replacement`. */
function replaceAt(term: Term, index: number, replacement: Term): Term {
  let i = 0;
  const walk = (t: Term): Term => {
    if (i++ === index) return replacement;
    if (t.kind === 'tuple') return { kind: 'tuple', elements: t.elements.map(walk) };
    if (t.kind === 'list') return { kind: 'list', elements: t.elements.map(walk), tail: walk(t.tail) };
    return t;
  };
  return walk(term);
}

const validTerms: readonly Term[] = [...loadNotifications(), ...loadNotifications6x()].map((v) => decodeTerm(fromHex(v.etf_hex)));
const clientTerms: readonly Term[] = loadClientMessages().map((v) => decodeTerm(fromHex(v.etf_hex)));

// A valid notification (or client message) with one subterm replaced: the realistic hostile input.
const mutated = (pool: readonly Term[]): fc.Arbitrary<Term> =>
  fc
    .tuple(fc.constantFrom(...pool), fc.nat({ max: 60 }), sendableTermArbitrary({ maxDepth: 2 }))
    .map(([t, i, r]) => replaceAt(t, i, r));

describe('properties', () => {
  it.each<Profile>(['nso57', 'nso62', 'nso66'])('notificationFromTerm and pythonDictView (%s) return a value or throw BAD_NOTIFICATION', (profile) => {
    fc.assert(
      fc.property(fc.oneof(sendableTermArbitrary({ maxDepth: 3 }), mutated(validTerms)), (t) => {
        decodesOrRejects(() => notificationFromTerm(t, profile));
        decodesOrRejects(() => pythonDictView(t, profile));
      }),
      { numRuns: fcRuns(2) },
    );
  });

  it('subscriptionFromTerm returns a value or throws BAD_NOTIFICATION; ackFromTerm never throws', () => {
    fc.assert(
      fc.property(fc.oneof(sendableTermArbitrary({ maxDepth: 3 }), mutated(clientTerms)), (t) => {
        decodesOrRejects(() => subscriptionFromTerm(t));
        ackFromTerm(t);
      }),
      { numRuns: fcRuns(2) },
    );
  });
});
