import { describe, expect, it } from 'vitest';
import { atom, binary, formatTerm, improper, int, list, tuple, type Term } from '../../src/codec/index.js';
import { childByHash, keypathFromTerm, keypathToTerm, loadSchema, parseKeypath, phash2, sameKeypath, SchemaError, schemaPath } from '../../src/schema/index.js';
import { parseErlangTerm } from '../support/erlang-term-parser.js';
import { captureSchema, loadMaapiVectors } from './capture-schema.js';

const schema = captureSchema();
const MK = new URL('../../examples/models/mk.yang', import.meta.url).pathname;

function errorOf(f: () => unknown): SchemaError {
  try {
    f();
  } catch (e) {
    if (e instanceof SchemaError) return e;
    throw e;
  }
  throw new Error('expected a SchemaError');
}

describe('parseKeypath', () => {
  it('resolves the steps and types the keys', () => {
    const kp = parseKeypath('/mk:sys/host{h1}/port', schema);
    expect(kp.steps.map((s) => s.node.name)).toEqual(['sys', 'host', 'port']);
    expect(kp.steps[1]!.keys).toEqual([{ text: 'h1', term: binary('h1') }]);
    expect(kp.target.name).toBe('port');
    expect(kp.text).toBe('/mk:sys/host{h1}/port');
  });

  it('takes the prefix as optional, quoted keys, and several keys', () => {
    const s = loadSchema([
      {
        path: 'k.yang',
        text: 'module k { namespace "urn:k"; prefix k; list peer { key "addr port"; leaf addr { type string; } leaf port { type uint16; } leaf note { type string; } } }',
      },
    ]);
    const kp = parseKeypath('/peer{"a b" 830}/note', s);
    expect(kp.steps[0]!.keys).toEqual([
      { text: 'a b', term: binary('a b') },
      { text: '830', term: tuple(int(11), int(830)) },
    ]);
    expect(kp.text).toBe('/k:peer{"a b" 830}/note');
    expect(parseKeypath(kp.text, s).text).toBe(kp.text);
  });

  it.each([
    ['/mk:sys/hots{h1}', /no node 'hots' under 'sys' \(there: host\)/, 'NSOMOCK_SCHEMA_PATH'],
    ['/zz:sys', /prefix 'zz' names no loaded module/, 'NSOMOCK_SCHEMA_PATH'],
    ['/mk:sys/host{h1 h2}', /list 'host' has 1 key\(s\) \(name\), 2 given/, 'NSOMOCK_SCHEMA_PATH'],
    ['/mk:sys{x}', /'sys' is a container, not a list/, 'NSOMOCK_SCHEMA_PATH'],
    ['mk:sys', /a keypath starts with \//, 'NSOMOCK_SCHEMA_PATH'],
    ['/mk:sys/host{h1', /'\{' after 'host' is not closed/, 'NSOMOCK_SCHEMA_PATH'],
  ])('refuses %s', (path, message, code) => {
    const e = errorOf(() => parseKeypath(path, schema));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.details.path).toBe(path);
  });

  it('refuses a key that does not fit its type', () => {
    const s = loadSchema([{ path: 'k.yang', text: 'module k { namespace "urn:k"; prefix k; list p { key n; leaf n { type uint8; } } }' }]);
    const e = errorOf(() => parseKeypath('/p{300}', s));
    expect(e.code).toBe('NSOMOCK_SCHEMA_VALUE');
    expect(e.message).toMatch(/'300' is no uint8: outside 0\.\.255/);
  });

  it('asks for a prefix where two modules define the same top-level name', () => {
    const s = loadSchema([
      { path: 'a.yang', text: 'module a { namespace "urn:a"; prefix a; container c; }' },
      { path: 'b.yang', text: 'module b { namespace "urn:b"; prefix b; container c; }' },
    ]);
    expect(errorOf(() => parseKeypath('/c', s)).message).toMatch(/'c' is defined by a and b: write it with a prefix/);
    expect(parseKeypath('/b:c', s).target.ns.module).toBe('b');
  });
});

describe('keypath terms against the capture (maapi_nso62.jsonl)', () => {
  const vectors = loadMaapiVectors();

  it('gives the diff_iterate items’ HKeypaths exactly (§M4.3)', () => {
    // the 'iter' scenario ran without schemas (made-up paths such as [1003,[Ns|1001]]); 'txn' used the model
    const items = vectors.filter((v) => v.scenario === 'txn' && v.op === 'diff_iter_diff_change');
    expect(items.length).toBeGreaterThan(5);
    for (const v of items) {
      const hkp = (parseErlangTerm(v.term!) as Extract<Term, { kind: 'tuple' }>).elements[0]!;
      const kp = keypathFromTerm(hkp, schema);
      expect(formatTerm(keypathToTerm(kp))).toBe(formatTerm(hkp));
    }
    const address = vectors.find((v) => v.op === 'diff_iter_diff_change' && v.term!.startsWith('{[1004'))!;
    const hkp = (parseErlangTerm(address.term!) as Extract<Term, { kind: 'tuple' }>).elements[0]!;
    expect(keypathFromTerm(hkp, schema).text).toBe('/mk:sys/host{h1}/address');
  });

  it('reads the named request paths of get_elem, exists, num_instances, get_object (§M5) and writes them back', () => {
    const requests = vectors.filter((v) => ['MAAPI_GET_ELEM', 'MAAPI_EXISTS', 'MAAPI_NUM_INSTANCES', 'MAAPI_GET_OBJECT'].includes(v.op));
    expect(requests.length).toBeGreaterThan(4);
    const texts = new Set<string>();
    for (const v of requests) {
      const path = parseErlangTerm(v.term!);
      const kp = keypathFromTerm(path, schema);
      texts.add(kp.text);
      expect(formatTerm(keypathToTerm(kp, { form: 'names' }))).toBe(formatTerm(path));
    }
    expect([...texts].sort()).toEqual(['/mk:sys/host', '/mk:sys/host{h1}', '/mk:sys/host{h1}/address', '/mk:sys/host{h9}/address', '/mk:sys/host{h9}/port']);
  });

  it('treats the hashed and the named form of one path as the same', () => {
    const hashed = keypathFromTerm(list([int(1005), tuple(binary('h1')), int(1002), improper([int(1912237357)], int(1001))]), schema);
    const named = keypathFromTerm(list([improper([atom('mk')], atom('sys')), atom('host'), tuple(binary('h1')), atom('port')]), schema);
    expect(sameKeypath(hashed, named)).toBe(true);
    expect(sameKeypath(hashed, parseKeypath('/mk:sys/host{h2}/port', schema))).toBe(false);
  });

  it('accepts econfd’s [NsUri|Tag] atoms and a binary holding the text form', () => {
    const econfd = list([improper([atom('http://example.com/mock')], atom('sys')), atom('host')]);
    expect(keypathFromTerm(econfd, schema).text).toBe('/mk:sys/host');
    expect(keypathFromTerm(binary('/mk:sys/host{h1}'), schema).text).toBe('/mk:sys/host{h1}');
  });

  it.each([
    ['[[1912237357|1001],9999]', /no node with tag hash 9999 under 'sys'/],
    ['[[mk|sys],{<<"x">>}]', /'sys' is no keyed list/],
    ['[[mk|sys],host,{<<"a">>,<<"b">>}]', /list 'host' has 1 key\(s\), the tuple 2/],
    ['{a,b}', /a keypath term is a proper list/],
    ['[[mk|sys],3.5]', /a keypath element must be a tag/],
  ])('refuses %s', (text, message) => {
    const e = errorOf(() => keypathFromTerm(parseErlangTerm(text), schema));
    expect(e.code).toBe('NSOMOCK_SCHEMA_PATH');
    expect(e.message).toMatch(message);
  });
});

describe('keypaths over the example model', () => {
  const mk = loadSchema([MK]);

  it('uses phash2 hashes and typed keys in the HKeypath', () => {
    const kp = parseKeypath('/mk:sys/host{h1}/config/ssh-key', mk);
    const ns = phash2('http://example.com/mk');
    expect(formatTerm(keypathToTerm(kp))).toBe(
      formatTerm(list([int(phash2('ssh-key')), int(phash2('config')), tuple(binary('h1')), int(phash2('host')), improper([int(ns)], int(phash2('sys')))])),
    );
  });

  it('qualifies a step whose namespace changes (an augment) in text and terms', () => {
    const s = loadSchema([
      MK,
      { path: 'x.yang', text: 'module x { namespace "urn:x"; prefix x; import mk { prefix mk; } augment /mk:sys { leaf extra { type int8; } } }' },
    ]);
    const kp = parseKeypath('/sys/extra', s);
    expect(kp.text).toBe('/mk:sys/x:extra');
    expect(formatTerm(keypathToTerm(kp))).toBe(`[[${phash2('urn:x')}|${phash2('extra')}],[${phash2('http://example.com/mk')}|${phash2('sys')}]]`);
    expect(keypathFromTerm(keypathToTerm(kp), s).text).toBe('/mk:sys/x:extra');
  });
});

describe('schemaPath and childByHash', () => {
  it('name a node without keys and find one by its hashes', () => {
    const port = parseKeypath('/mk:sys/host{h1}/port', schema).target;
    expect(schemaPath(port)).toBe('/mk:sys/host/port');
    const sys = childByHash(schema, undefined, 1001, 1912237357);
    expect(sys?.name).toBe('sys');
    expect(childByHash(schema, undefined, 1001, 42)).toBeUndefined();
    expect(childByHash(schema, childByHash(schema, sys, 1002), 1005)).toBe(port);
  });
});
