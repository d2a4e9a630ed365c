/**
 * Bad input never escapes as anything but a SchemaError: models, keypaths (text and terms), values
 * and .fxs bytes come from users and sockets, and the MAAPI server turns a SchemaError into an error
 * reply — any other exception would be a crash.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sendableTermArbitrary } from '../../src/arbitraries/term.js';
import { atom, binary, encodeTerm, improper, int, list, tuple, type Term } from '../../src/codec/index.js';
import { keypathFromTerm, loadSchema, parseKeypath, readFxs, SchemaError, termToValue, valueToTerm, type SchemaNode } from '../../src/schema/index.js';
import { fcRuns } from '../support/fc-config.js';

const MK_PATH = new URL('../../examples/models/mk.yang', import.meta.url).pathname;
const MK = readFileSync(MK_PATH, 'utf8');
const schema = loadSchema([MK_PATH]);

/** Runs f; returns 'ok' or 'schema-error', and lets any other exception fail the property. */
function outcome(f: () => unknown): 'ok' | 'schema-error' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof SchemaError) {
      expect(e.message).toMatch(/^Failed to /);
      return 'schema-error';
    }
    throw e;
  }
}

const yangToken = fc.constantFrom(
  '{', '}', ';', '"', "'", '+', ' ', '\n', '/*', '*/', '//', 'container', 'list', 'leaf', 'leaf-list', 'choice', 'case',
  'uses', 'grouping', 'augment', 'typedef', 'type', 'key', 'string', 'uint8', 'enumeration', 'enum', 'mk:sys', '/mk:sys',
  'x', 'default', '300', 'import', 'prefix', 'inet', 'leafref', 'path', '../x', 'identityref', 'base', 'union',
);

describe('properties: only SchemaError escapes', () => {
  it('loadSchema on mutations of the example model (some still load, some are refused)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.nat(MK.length), fc.nat(40), fc.array(yangToken, { maxLength: 6 }), (at, cut, insert) => {
        const text = MK.slice(0, at) + insert.join(' ') + MK.slice(Math.min(MK.length, at + cut));
        seen.add(outcome(() => loadSchema([{ path: 'm.yang', text }])));
      }),
      { numRuns: fcRuns(2), examples: [[0, 0, []], [MK.indexOf('container sys'), 0, ['}']]] },
    );
    expect([...seen].sort()).toEqual(['ok', 'schema-error']);
  });

  it('loadSchema on token soup inside a module', () => {
    fc.assert(
      fc.property(fc.array(yangToken, { maxLength: 60 }), (tokens) => {
        outcome(() => loadSchema([{ path: 't.yang', text: `module t { namespace "urn:t"; prefix t; ${tokens.join(' ')} }` }]));
      }),
      { numRuns: fcRuns(2) },
    );
  });

  it('parseKeypath on arbitrary text', () => {
    const pieces = fc.constantFrom('/', 'mk:', 'sys', 'host', '{', '}', 'h1', ' ', '"', "'", '\\', 'address', 'port', 'config', 'x:');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(pieces, { maxLength: 20 }).map((p) => p.join(''))), (text) => {
        outcome(() => parseKeypath(text, schema));
      }),
      { numRuns: fcRuns() },
    );
  });

  it('keypathFromTerm on arbitrary terms and near-miss keypaths', () => {
    const element = fc.oneof(
      fc.constantFrom<Term>(atom('sys'), atom('host'), atom('address'), int(1), improper([atom('mk')], atom('sys')), tuple(binary('h1')), tuple(int(5)), tuple()),
      sendableTermArbitrary({ maxDepth: 2 }),
    );
    fc.assert(
      fc.property(fc.oneof(sendableTermArbitrary({ maxDepth: 3 }), fc.array(element, { maxLength: 6 }).map((es) => list(es))), (term) => {
        outcome(() => keypathFromTerm(term, schema));
      }),
      { numRuns: fcRuns() },
    );
  });

  it('valueToTerm and termToValue on arbitrary input for every leaf of the model', () => {
    const leaves: SchemaNode[] = [];
    const walk = (n: SchemaNode): void => {
      if (n.type !== undefined) leaves.push(n);
      n.children.forEach(walk);
    };
    schema.roots.forEach(walk);
    fc.assert(
      fc.property(fc.constantFrom(...leaves), fc.string(), sendableTermArbitrary({ maxDepth: 2 }), (leaf, text, term) => {
        outcome(() => valueToTerm(leaf.type!, text, { leaf }));
        outcome(() => termToValue(leaf.type!, term, { leaf }));
      }),
      { numRuns: fcRuns() },
    );
  });

  it('readFxs on random bytes, truncations and term chunks', () => {
    const withMagic = (chunks: Uint8Array[]): Uint8Array => {
      const parts = chunks.flatMap((c) => [Uint8Array.of(c.length >>> 24, (c.length >>> 16) & 255, (c.length >>> 8) & 255, c.length & 255), c]);
      return Uint8Array.from([4, 7, 6, 8, ...parts.flatMap((p) => [...p])]);
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.array(sendableTermArbitrary({ maxDepth: 3 }).map((t) => encodeTerm(t)), { maxLength: 9 }).map(withMagic),
          fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 5 }).map(withMagic),
        ),
        (bytes) => {
          outcome(() => readFxs(bytes, 'r.fxs'));
        },
      ),
      { numRuns: fcRuns() },
    );
  });
});
