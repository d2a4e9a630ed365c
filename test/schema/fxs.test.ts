/**
 * No real .fxs file is available (MAAPI.md §M6.7 describes them from inspection), so these tests
 * build one (test/support/fxs-sample.ts).
 */
import { describe, expect, it } from 'vitest';
import { encodeTerm, formatTerm } from '../../src/codec/index.js';
import { fxsChunks, keypathToTerm, loadAllNsFrames, loadSchema, parseKeypath, readFxs, SchemaError } from '../../src/schema/index.js';
import { parseErlangTerm } from '../support/erlang-term-parser.js';
import { CHUNKS, FILE, fxsFile, termChunks, URI } from '../support/fxs-sample.js';

function errorOf(f: () => unknown): SchemaError {
  try {
    f();
  } catch (e) {
    if (e instanceof SchemaError) return e;
    throw e;
  }
  throw new Error('expected a SchemaError');
}

describe('readFxs (MAAPI.md §M6.7)', () => {
  const schema = readFxs(FILE, 'fx.fxs');

  it('takes the namespace from chunk 0, the module and revision from chunk 8, the hash from chunk 5', () => {
    expect(schema.namespaces).toEqual([{ uri: URI, prefix: 'fx', module: 'fx', revision: '2025-05-05', hash: 9999 }]);
  });

  it('builds the tree from the cs records with the file’s own tag hashes', () => {
    const sys = schema.roots[0]!;
    expect(sys).toMatchObject({ kind: 'container', name: 'sys', tagHash: 11 });
    const host = sys.children[0]!;
    expect(host).toMatchObject({ kind: 'list', name: 'host', keys: ['name'], parent: sys });
    expect(host.children.map((c) => [c.kind, c.name, c.tagHash, c.type?.confdType])).toEqual([
      ['leaf', 'name', 13, 5],
      ['leaf', 'port', 4242, 11],
      ['leaf-list', 'tag', 15, 5],
    ]);
    expect(host.children[1]!.default).toBe('22');
    expect(schema.hashes.get('port')).toBe(4242);
    expect(schema.hashes.get('sys')).toBe(11);
  });

  it('serves keypaths and LOAD_ALL_NS from it', () => {
    const kp = parseKeypath('/fx:sys/host{h1}/port', schema);
    expect(formatTerm(keypathToTerm(kp))).toBe('[4242,{<<"h1">>},12,[9999|11]]');
    const [records] = loadAllNsFrames(schema);
    expect(formatTerm(records!, { maxLength: 10000 })).toContain('{node,4,4242,9999,0,0,1,11,0,\'\',{11,22},6,0,5,0,0,[],[]}');
  });

  it('loads through loadSchema beside YANG modules, in source order', () => {
    const s = loadSchema([
      { path: 'a.yang', text: 'module a { namespace "urn:a"; prefix a; leaf x { type string; } }' },
      { path: 'fx.fxs', bytes: FILE },
    ]);
    expect(s.namespaces.map((n) => n.module)).toEqual(['a', 'fx']);
    expect(s.roots.map((r) => r.name)).toEqual(['x', 'sys']);
    expect(s.hashes.get('port')).toBe(4242);
  });

  it('splits chunks and refuses a damaged file with the reason', () => {
    expect(fxsChunks(FILE).length).toBe(CHUNKS.length + 3);
    expect(errorOf(() => readFxs(Uint8Array.of(1, 2, 3, 4), 'x.fxs')).message).toMatch(/not an \.fxs file \(the magic 04 07 06 08 is missing\) \(x\.fxs\)/);
    expect(errorOf(() => readFxs(FILE.subarray(0, 40), 'x.fxs')).message).toMatch(/chunk 0 says \d+ bytes but 32 are left/);
    expect(errorOf(() => readFxs(fxsFile([encodeTerm(parseErlangTerm('{"8.2_0",nothing}'))]), 'x.fxs')).message).toMatch(/chunk 0 has no fxs_header record/);
    expect(errorOf(() => readFxs(fxsFile([...termChunks.slice(0, 3), new Uint8Array([131, 104, 9])]), 'x.fxs')).message).toMatch(/chunk 3 is no Erlang term/);
  });
});
