/**
 * The shared contract (src/arbitraries/contract.ts) over every published arbitrary: the term
 * generators, each malformed-traffic generator, one arbitrary per notification type of the
 * registry (both profiles) and the scenario generators.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  decodeTerm,
  encodeTerm,
  notificationFromTerm,
  notificationToTerm,
  notificationTypes,
  termEqual,
  type Notification,
  type Profile,
  type Term,
} from '../../src/codec/index.js';
import { anyNotificationArbitrary, notificationArbitrary } from '../../src/arbitraries/notifications/index.js';
import { clientFuzzScenarioArbitrary, scenarioArbitrary, type GeneratedScenario } from '../../src/arbitraries/scenario.js';
import { checkScenarioDocument, parseScenario, scenarioFromDocument, type ScenarioDocument } from '../../src/scenarios/index.js';
import { assertArbitraryContract, type ArbitraryContract } from '../../src/arbitraries/contract.js';
import {
  MALFORMED_KINDS,
  malformedBytes,
  rechunk,
  reorderedProgressEvents,
  SAMPLE_TERMS,
  type MalformedBytes,
} from '../../src/arbitraries/malformed.js';
import { sendableTermArbitrary, termArbitrary } from '../../src/arbitraries/term.js';
import { fcRuns } from '../support/fc-config.js';
import { MALFORMED_TEST_MAX_FRAME, verdictOf } from './malformed-verdict.js';

const options = { numRuns: fcRuns(0.5), maxShrinkSteps: 5000 };

function termContract(name: string, arbitrary: fc.Arbitrary<Term>): ArbitraryContract<Term> {
  return {
    name,
    arbitrary,
    check: (t) => termEqual(decodeTerm(encodeTerm(t)), t),
    size: (t) => encodeTerm(t).length,
    equal: termEqual,
  };
}

function notificationContract(name: string, arbitrary: fc.Arbitrary<Notification>, profile: Profile): ArbitraryContract<Notification> {
  return {
    name,
    arbitrary,
    // Values encode and decode: the wire bytes read back to the same notification (§11).
    // (toEqual, not isDeepStrictEqual: fast-check records have a null prototype.)
    check: (n) => {
      expect(notificationFromTerm(decodeTerm(encodeTerm(notificationToTerm(n, profile))), profile)).toEqual(n);
    },
    size: (n) => encodeTerm(notificationToTerm(n, profile)).length,
  };
}

function scenarioContract(name: string, arbitrary: fc.Arbitrary<GeneratedScenario>): ArbitraryContract<GeneratedScenario> {
  return {
    name,
    arbitrary,
    // Valid against the shipped schema, and the YAML form reads back to the same document.
    check: (doc) => {
      const problems = checkScenarioDocument(doc);
      if (problems.length > 0) throw new Error(JSON.stringify(problems.slice(0, 3)));
      return isDeepStrictEqual(parse(stringify(doc)), doc);
    },
    size: (doc) => JSON.stringify(doc).length,
    equal: isDeepStrictEqual,
  };
}

function malformedContract(kind: MalformedBytes['kind']): ArbitraryContract<MalformedBytes> {
  return {
    name: `malformed:${kind}`,
    arbitrary: malformedBytes({ kinds: [kind], maxFrameBytes: MALFORMED_TEST_MAX_FRAME }),
    // "Encodes and decodes" for broken traffic means: decoding fails exactly as announced.
    check: (m) => {
      const verdict = verdictOf(m);
      if (m.kind === 'truncated-frame') return verdict === 'incomplete';
      if (m.kind === 'bad-header') return verdict === 'refused-header';
      return (m.expectedCodes as readonly string[]).includes(verdict);
    },
    size: (m) => m.bytes.length,
  };
}

describe('arbitrary contract', () => {
  it('rejects an arbitrary whose values are invalid, naming it and the seed', () => {
    expect(() =>
      assertArbitraryContract({ name: 'odd', arbitrary: fc.integer(), check: (n) => n % 2 === 0 }, { numRuns: 50 }),
    ).toThrow(/arbitrary contract.*\(odd, seed 42\)/);
  });

  it('rejects an arbitrary that is not deterministic', () => {
    let calls = 0;
    const unstable = fc.integer().map((n) => n + calls++);
    expect(() => assertArbitraryContract({ name: 'unstable', arbitrary: unstable, check: () => true })).toThrow(/same seed/);
  });

  it('rejects shrinking that leaves the valid domain', () => {
    // Generated values are >= 10 only by chance of the filterless map; shrinking goes to 0.
    const arb = fc.integer({ min: 0, max: 1000 }).map((n) => n + 10);
    const bad = fc.integer({ min: 0, max: 1000 });
    expect(() => assertArbitraryContract({ name: 'ok', arbitrary: arb, check: (n) => n >= 10 })).not.toThrow();
    expect(() =>
      assertArbitraryContract({ name: 'leaks', arbitrary: bad, check: (n) => n === 0 || n > 3 }, { numRuns: 1, seed: 5 }),
    ).toThrow(/shrinking produced an invalid value/);
  });

  describe('terms', () => {
    for (const [name, arbitrary] of [
      ['term', termArbitrary({ maxDepth: 3 })],
      ['term:sendable', sendableTermArbitrary({ maxDepth: 3 })],
    ] as const) {
      it(`${name} passes the contract`, () => {
        const report = assertArbitraryContract(termContract(name, arbitrary), options);
        expect(report.samples).toBe(options.numRuns);
        // The minimal term is tiny (`[]`, `#{}`, `<<0:1>>`…): shrinking reached the bottom, not a random stop.
        for (const t of report.minimal) expect(encodeTerm(t).length).toBeLessThanOrEqual(8);
      });
    }
  });

  describe('malformed traffic', () => {
    for (const kind of MALFORMED_KINDS) {
      it(`${kind} passes the contract`, () => {
        assertArbitraryContract(malformedContract(kind), options);
      });
    }

    it('rechunk passes the contract (chunks concatenate back to the input)', () => {
      const bytes = encodeTerm(SAMPLE_TERMS[0] ?? SAMPLE_TERMS[1]!);
      const report = assertArbitraryContract(
        {
          name: 'rechunk',
          arbitrary: rechunk(bytes),
          check: (chunks) => Buffer.concat(chunks).equals(Buffer.from(bytes)),
          size: (chunks) => chunks.length,
        },
        options,
      );
      for (const minimal of report.minimal) expect(minimal).toHaveLength(1);
    });

    it('reordered progress events pass the contract', () => {
      assertArbitraryContract(
        {
          name: 'reordered-progress',
          arbitrary: reorderedProgressEvents(),
          check: ({ ordered, reordered }) =>
            ordered.length === reordered.length && reordered.some((e, i) => e !== ordered[i]),
          size: ({ ordered }) => ordered.length,
        },
        options,
      );
    });
  });

  describe('notifications (one arbitrary per registry type, per profile)', () => {
    const few = { ...options, numRuns: fcRuns(0.2), shrinkSeeds: 1 };
    for (const profile of ['nso57', 'nso62', 'nso66'] as const) {
      const types = Object.values(notificationTypes).filter((s) => s.profiles.includes(profile)).map((s) => s.type);
      for (const type of types) {
        it(`${type} (${profile}) passes the contract`, () => {
          assertArbitraryContract(notificationContract(`notification:${type}:${profile}`, notificationArbitrary(type, { profile }), profile), few);
        });
      }
      it(`the union of all types (${profile}) passes the contract`, () => {
        // No size rule for the union: shrinking the type towards the first one may give a bigger layout.
        const { size: _size, ...contract } = notificationContract(`notification:any:${profile}`, anyNotificationArbitrary({ profile }), profile);
        assertArbitraryContract(contract, few);
      });
    }
  });

  describe('scenarios', () => {
    const few = { ...options, numRuns: fcRuns(0.3), shrinkSeeds: 2 };
    for (const profile of ['nso57', 'nso62', 'nso66'] as const) {
      it(`scenarioArbitrary (${profile}) passes the contract: schema-valid, YAML round trip`, () => {
        assertArbitraryContract(scenarioContract(`scenario:${profile}`, scenarioArbitrary({ profile })), few);
      });
      it(`clientFuzzScenarioArbitrary (${profile}) passes the contract`, () => {
        assertArbitraryContract(
          scenarioContract(`client-fuzz:${profile}`, clientFuzzScenarioArbitrary({ profile, terminalFaults: true }).map((f) => f.scenario)),
          few,
        );
      });
    }

    it('generated scenarios load (schema and semantic checks) from objects and from YAML text', async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArbitrary(), clientFuzzScenarioArbitrary(), async (doc, fuzz) => {
          const loaded = await scenarioFromDocument(doc as ScenarioDocument);
          expect(loaded.name).toBe(doc.name);
          const fromYaml = await parseScenario(stringify(fuzz.scenario), { file: 'fuzz.yaml' });
          expect(fromYaml.steps).toHaveLength(fuzz.scenario.steps.length);
        }),
        { numRuns: fcRuns(0.3) },
      );
    });
  });
});
