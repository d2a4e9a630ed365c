import { describe, expect, it } from 'vitest';
import { C_TYPE } from '../../src/codec/index.js';
import { loadSchema, parseYang, phash2, SchemaError, type Schema, type SchemaNode } from '../../src/schema/index.js';

const MK = new URL('../../examples/models/mk.yang', import.meta.url).pathname;

function child(node: SchemaNode | Schema, name: string): SchemaNode {
  const list = 'roots' in node ? node.roots : node.children;
  const found = list.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no child ${name}`);
  return found;
}

/** The thrown SchemaError (fails the test when nothing is thrown). */
function errorOf(f: () => unknown): SchemaError {
  try {
    f();
  } catch (e) {
    if (e instanceof SchemaError) return e;
    throw e;
  }
  throw new Error('expected a SchemaError');
}

function mod(body: string, header = ''): { path: string; text: string } {
  return { path: 't.yang', text: `module t {\n  namespace "urn:t";\n  prefix t;\n${header}${body}\n}\n` };
}

describe('parseYang', () => {
  it('keeps keyword, argument and position of every statement', () => {
    const m = parseYang('module a {\n  prefix "a";\n  leaf x { type string; }\n}', 'a.yang');
    expect(m).toMatchObject({ keyword: 'module', arg: 'a', line: 1, column: 1, file: 'a.yang' });
    expect(m.children.map((c) => [c.keyword, c.arg, c.line, c.column])).toEqual([
      ['prefix', 'a', 2, 3],
      ['leaf', 'x', 3, 3],
    ]);
  });

  it('joins quoted strings with +, reads escapes and keeps single quotes verbatim', () => {
    const m = parseYang(`module a { description "one " + 'two\\n' + "th\\"ree\\t"; }`, 'a.yang');
    expect(m.children[0]!.arg).toBe('one two\\nth"ree\t');
  });

  it('keeps an unknown escape as written (YANG 1.0 patterns write "\\d")', () => {
    const m = parseYang('module a { pattern "[a-z]\\d+\\.x"; }', 'a.yang');
    expect(m.children[0]!.arg).toBe('[a-z]\\d+\\.x');
  });

  it('trims a double-quoted string’s continuation lines to the quote’s column (RFC 7950 §6.1.3)', () => {
    const m = parseYang('module a {\n  description "first   \n                second";\n}', 'a.yang');
    // the quote is in column 15: 15 of the 16 spaces go, one stays
    expect(m.children[0]!.arg).toBe('first\n second');
  });

  it('skips // and /* */ comments and takes prefixed keywords (extensions)', () => {
    const m = parseYang('module a { // x\n /* y { */ tailf:info "z"; }', 'a.yang');
    expect(m.children.map((c) => c.keyword)).toEqual(['tailf:info']);
  });

  it.each([
    ['module a { leaf x { type string; }', 'a.yang', /'module' opened at 1:1 is not closed \(a\.yang:1:35\)/],
    ['module a { leaf x type string; }', 'a.yang', /expected ';' or '\{' after 'leaf x', found 'type' \(a\.yang:1:19\)/],
    ['module a { description "abc; }', 'a.yang', /unterminated double-quoted string \(a\.yang:1:24\)/],
    ['container a { }', 'a.yang', /holds one 'module' or 'submodule', found 'container' \(a\.yang:1:1\)/],
    ['module a { } module b { }', 'a.yang', /only one top-level statement.*\(a\.yang:1:14\)/],
    ['module a {\n  /* open', 'a.yang', /unterminated comment \(a\.yang:2:3\)/],
  ])('reports syntax errors with file:line:col: %s', (text, file, message) => {
    const e = errorOf(() => parseYang(text, file));
    expect(e.code).toBe('NSOMOCK_SCHEMA_INVALID');
    expect(e.message).toMatch(message);
  });
});

describe('loadSchema on examples/models/mk.yang', () => {
  const schema = loadSchema([MK]);

  it('reads the namespace, prefix, revision and the namespace hash phash2(uri)', () => {
    expect(schema.namespaces).toEqual([
      { uri: 'http://example.com/mk', prefix: 'mk', module: 'mk', revision: '2024-01-01', hash: phash2('http://example.com/mk') },
    ]);
  });

  it('builds the tree with tag hashes, keys, types and defaults', () => {
    const sys = child(schema, 'sys');
    expect(sys).toMatchObject({ kind: 'container', tagHash: 1280841638, config: true });
    const host = child(sys, 'host');
    expect(host).toMatchObject({ kind: 'list', tagHash: 1711485895, keys: ['name'], parent: sys });
    expect(host.children.map((c) => c.name)).toEqual(['name', 'address', 'port', 'tag', 'config']);
    expect(child(host, 'address').type).toEqual({ base: 'string', typedef: 'inet:ipv4-address', confdType: C_TYPE.IPV4 });
    expect(child(host, 'port')).toMatchObject({ default: '22', type: { base: 'uint16', typedef: 'inet:port-number', confdType: C_TYPE.UINT16 } });
    expect(child(host, 'tag')).toMatchObject({ kind: 'leaf-list', type: { base: 'string', confdType: C_TYPE.BUF } });
  });

  it('flattens the choice into the container’s children and lists its cases', () => {
    const config = child(child(child(schema, 'sys'), 'host'), 'config');
    expect(config.children.map((c) => c.name)).toEqual(['enabled', 'ssh-key', 'telnet-password']);
    expect(config.choices).toHaveLength(1);
    const choice = config.choices[0]!;
    expect(choice.name).toBe('transport');
    expect(choice.tagHash).toBe(phash2('transport'));
    expect(choice.cases.map((c) => [c.name, c.tagHash, c.nodes.map((n) => n.name)])).toEqual([
      ['ssh', phash2('ssh'), ['ssh-key']],
      ['telnet', phash2('telnet'), ['telnet-password']],
    ]);
  });

  it('lists every tag, choice and case name with its hash', () => {
    const names = ['sys', 'host', 'name', 'address', 'port', 'tag', 'config', 'enabled', 'transport', 'ssh', 'ssh-key', 'telnet', 'telnet-password'];
    expect([...schema.hashes.keys()].sort()).toEqual([...names].sort());
    for (const n of names) expect(schema.hashes.get(n)).toBe(phash2(n));
  });

  it('records where each node was declared', () => {
    expect(child(schema, 'sys').source).toMatch(/mk\.yang:\d+:3$/);
  });
});

describe('loadSchema: the YANG subset', () => {
  it('expands groupings (nested, with refine) in the using module’s namespace', () => {
    const s = loadSchema([
      { path: 'g.yang', text: 'module g { namespace "urn:g"; prefix g; grouping ep { leaf host { type string; } leaf port { type uint16; default 1; } } }' },
      mod(`  import g { prefix g; }
  grouping both { uses g:ep { refine port { default 830; } } leaf extra { type int8; } }
  container c { uses both; }`),
    ]);
    const c = child(s, 'c');
    expect(c.children.map((n) => [n.name, n.ns.module])).toEqual([
      ['host', 't'],
      ['port', 't'],
      ['extra', 't'],
    ]);
    expect(child(c, 'port').default).toBe('830');
  });

  it('resolves chained typedefs, enum values (implicit and explicit), decimal64, union, bits, empty', () => {
    const s = loadSchema([
      mod(`  typedef pct { type decimal64 { fraction-digits 2; } }
  typedef pct2 { type pct; default "1.5"; }
  typedef color { type enumeration { enum red; enum green { value 10; } enum blue; } }
  container c {
    leaf p { type pct2; }
    leaf col { type color; }
    leaf u { type union { type int32; type string; } }
    leaf b { type bits { bit a; bit b { position 5; } bit c; } }
    leaf e { type empty; }
    leaf bin { type binary; }
    leaf i64 { type int64; }
  }`),
    ]);
    const c = child(s, 'c');
    expect(child(c, 'p')).toMatchObject({ default: '1.5', type: { base: 'decimal64', typedef: 't:pct2', confdType: C_TYPE.DECIMAL64, fractionDigits: 2 } });
    expect(child(c, 'col').type).toMatchObject({
      base: 'enumeration',
      confdType: C_TYPE.ENUM_VALUE,
      enums: [
        { name: 'red', value: 0 },
        { name: 'green', value: 10 },
        { name: 'blue', value: 11 },
      ],
    });
    expect(child(c, 'u').type!.members!.map((m) => m.confdType)).toEqual([C_TYPE.INT32, C_TYPE.BUF]);
    expect(child(c, 'b').type).toMatchObject({ confdType: C_TYPE.BIT32, bits: [{ name: 'a', position: 0 }, { name: 'b', position: 5 }, { name: 'c', position: 6 }] });
    expect(child(c, 'e').type!.confdType).toBe(C_TYPE.XMLTAG);
    expect(child(c, 'bin').type!.confdType).toBe(C_TYPE.BINARY);
    expect(child(c, 'i64').type!.confdType).toBe(C_TYPE.INT64);
  });

  it('types a leafref as its target, and an unresolvable one as string with a warning', () => {
    const s = loadSchema([
      mod(`  container c {
    list srv { key id; leaf id { type uint32; } }
    leaf pick { type leafref { path "../srv/id"; } }
    leaf abs { type leafref { path "/t:c/t:srv/t:id"; } }
    leaf chain { type leafref { path "../pick"; } }
    leaf lost { type leafref { path "../nothing"; } }
  }`),
    ]);
    const c = child(s, 'c');
    expect(child(c, 'pick').type).toMatchObject({ base: 'leafref', confdType: C_TYPE.UINT32, path: '../srv/id' });
    expect(child(c, 'abs').type!.confdType).toBe(C_TYPE.UINT32);
    expect(child(c, 'chain').type!.confdType).toBe(C_TYPE.UINT32);
    expect(child(c, 'lost').type!.confdType).toBe(C_TYPE.BUF);
    expect(s.warnings).toEqual([expect.stringMatching(/^t\.yang:\d+:\d+: leafref path '\.\.\/nothing' does not resolve/)]);
  });

  it('collects identities derived from an identityref base, across modules', () => {
    const s = loadSchema([
      { path: 'b.yang', text: 'module b { namespace "urn:b"; prefix b; identity proto; identity tcp { base proto; } }' },
      mod(`  import b { prefix b; }
  identity sctp { base b:proto; }
  identity sctp-x { base sctp; }
  leaf p { type identityref { base b:proto; } }`),
    ]);
    expect(child(s, 'p').type).toMatchObject({
      base: 'identityref',
      confdType: C_TYPE.IDENTITYREF,
      identities: [
        { name: 'tcp', prefix: 'b', nsHash: phash2('urn:b'), idHash: phash2('tcp') },
        { name: 'sctp', prefix: 't', nsHash: phash2('urn:t'), idHash: phash2('sctp') },
        { name: 'sctp-x', prefix: 't', nsHash: phash2('urn:t'), idHash: phash2('sctp-x') },
      ],
    });
  });

  it('applies augments (also of augmented nodes, into choices) with the augmenting module’s namespace', () => {
    const s = loadSchema([
      mod(`  import base { prefix b; }
  augment "/b:top/t:more" { leaf deeper { type string; } }
  augment "/b:top" { container more { presence "p"; } }
  augment "/b:top/b:how" { case third { leaf z { type string; } } }`),
      { path: 'base.yang', text: 'module base { namespace "urn:base"; prefix b; container top { choice how { leaf x { type string; } } } }' },
    ]);
    const top = child(s, 'top');
    expect(top.children.map((n) => [n.name, n.ns.module])).toEqual([
      ['x', 'base'],
      ['more', 't'],
      ['z', 't'],
    ]);
    expect(child(top, 'more')).toMatchObject({ presence: true });
    expect(child(child(top, 'more'), 'deeper').ns.uri).toBe('urn:t');
    expect(top.choices[0]!.cases.map((c) => c.name)).toEqual(['x', 'third']);
  });

  it('honours tailf:id-value for a node and the module', () => {
    const s = loadSchema([
      mod('  leaf x { type string; tf:id-value 77; }', '  import tailf-common { prefix tf; }\n  tf:id-value 12345;\n'),
    ]);
    expect(s.namespaces[0]!.hash).toBe(12345);
    expect(child(s, 'x').tagHash).toBe(77);
    expect(s.hashes.get('x')).toBe(77);
  });

  it('inherits config false, reads min/max-elements, mandatory, and warns on skipped data statements', () => {
    const s = loadSchema([
      mod(`  container st { config false; list e { min-elements 1; max-elements 4; leaf v { type string; mandatory true; } } anydata blob; }`),
    ]);
    const e = child(child(s, 'st'), 'e');
    expect(e).toMatchObject({ config: false, minElements: 1, maxElements: 4 });
    expect(e.keys).toBeUndefined();
    expect(child(e, 'v')).toMatchObject({ config: false, mandatory: true });
    expect(s.warnings).toEqual([expect.stringMatching(/t\.yang:4:\d+: 'anydata blob' is outside the supported subset/)]);
  });

  it('loads an ietf-interfaces-style module (features, if-feature, leafref typedef with prefixed absolute path, units, ranges)', () => {
    const s = loadSchema([
      {
        path: 'if.yang',
        text: `module ietf-interfaces {
  yang-version 1.1;
  namespace "urn:ietf:params:xml:ns:yang:ietf-interfaces";
  prefix if;
  import ietf-yang-types { prefix yang; }
  revision 2017-08-17 { description "Updated to support NMDA."; }
  revision 2014-05-08 { description "Initial revision."; }
  typedef interface-ref {
    type leafref { path "/if:interfaces/if:interface/if:name"; }
  }
  identity interface-type { description "Base identity."; }
  feature if-mib { reference "RFC 2863: The Interfaces Group MIB"; }
  container interfaces {
    list interface {
      key "name";
      leaf name { type string; }
      leaf type { type identityref { base interface-type; } mandatory true; }
      leaf enabled { type boolean; default "true"; }
      leaf admin-status {
        if-feature if-mib;
        type enumeration { enum up { value 1; } enum down { value 2; } enum testing { value 3; } }
        config false;
        mandatory true;
      }
      leaf if-index { if-feature if-mib; type int32 { range "1..2147483647"; } config false; }
      leaf phys-address { type yang:phys-address; config false; }
      leaf-list higher-layer-if { type interface-ref; config false; }
      leaf speed { type yang:gauge64; units "bits/second"; config false; }
      container statistics { config false; leaf in-octets { type yang:counter64; } }
    }
  }
}`,
      },
    ]);
    expect(s.namespaces[0]).toMatchObject({ module: 'ietf-interfaces', prefix: 'if', revision: '2017-08-17' });
    const itf = child(child(s, 'interfaces'), 'interface');
    expect(child(itf, 'higher-layer-if').type).toMatchObject({ base: 'leafref', confdType: C_TYPE.BUF, typedef: 'if:interface-ref', path: '/if:interfaces/if:interface/if:name' });
    expect(child(itf, 'admin-status')).toMatchObject({ config: false, mandatory: true, type: { enums: [{ name: 'up', value: 1 }, { name: 'down', value: 2 }, { name: 'testing', value: 3 }] } });
    expect(child(itf, 'enabled').default).toBe('true');
    expect(child(itf, 'type').type).toMatchObject({ confdType: C_TYPE.IDENTITYREF, identities: [] });
    expect(child(child(itf, 'statistics'), 'in-octets')).toMatchObject({ config: false, type: { confdType: C_TYPE.UINT64 } });
    expect(s.warnings).toBeUndefined();
  });

  it('warns when two names share a hash (NSO needs tailf:id-value then)', () => {
    const s = loadSchema([mod('  import tailf-common { prefix tf; }\n  leaf a { type string; tf:id-value 5; }\n  leaf b { type string; tf:id-value 5; }')]);
    expect(s.warnings).toEqual(["tags 'a' and 'b' have the same hash 5; NSO needs a tailf:id-value on one of them"]);
  });

  it('includes a submodule’s definitions', () => {
    const s = loadSchema([
      mod('  include t-sub;\n  container c { uses shared; }'),
      { path: 't-sub.yang', text: 'submodule t-sub { belongs-to t { prefix t; } grouping shared { leaf y { type t:small; } } typedef small { type uint8; } }' },
    ]);
    expect(child(child(s, 'c'), 'y').type!.confdType).toBe(C_TYPE.UINT8);
  });

  it.each([
    ['  container c { uses nope; }', /grouping 'nope' is not defined in module 't'.*\(t\.yang:4:17\)/],
    ['  list l { key "id"; leaf name { type string; } }', /key 'id' of list 'l' names no leaf of the list \(t\.yang:4:12\)/],
    ['  leaf x { type q:thing; }', /unknown prefix 'q' \(module 't' imports 't'\) \(t\.yang:4:12\)/],
    ['  leaf x { type strin; }', /type 'strin' is neither a built-in type nor a typedef of module 't' \(t\.yang:4:12\)/],
    ['  leaf x { type decimal64; }', /decimal64 needs fraction-digits \(t\.yang:4:12\)/],
    ['  leaf x { type enumeration { enum a; enum a; } }', /enum 'a' appears twice \(t\.yang:4:39\)/],
    ['  typedef a { type b; } typedef b { type a; } leaf x { type a; }', /typedef 'a' derives from itself/],
    ['  grouping g { container c { uses g; } } uses g;', /grouping 'g' uses itself \(t\.yang:4:30\)/],
    ['  import ext { prefix e; } leaf x { type e:thing; }', /type 'e:thing' comes from module 'ext', which is not loaded/],
    ['  augment "/t:nowhere" { leaf x { type string; } }', /'t:nowhere' in augment target '\/t:nowhere' names no node, choice or case \(t\.yang:4:3\)/],
    ['  leaf x { }', /leaf 'x' has no type \(t\.yang:4:3\)/],
    ['  container c { leaf a { type string; } leaf a { type int8; } }', /'a' is defined twice under the same parent \(first at t\.yang:4:17\) \(t\.yang:4:41\)/],
    ['  container c { leaf a { type string; } choice ch { leaf a { type int8; } } }', /'a' is defined twice under the same parent/],
    ['  list l { leaf name { type string; } }', /list 'l' has no key/],
    ['  leaf x { type uint8; default 300; }', /default of leaf 'x': '300' is no uint8: outside 0\.\.255 \(t\.yang:4:24\)/],
    ['  typedef t8 { type int8; default "x"; } leaf y { type t8; }', /default of leaf 'y': 'x' is no t:t8: not an integer \(t\.yang:4:42\)/],
  ])('reports a model error with its position: %s', (body, message) => {
    const e = errorOf(() => loadSchema([mod(body)]));
    expect(e.code).toBe('NSOMOCK_SCHEMA_INVALID');
    expect(e.message).toMatch(message);
  });

  it('reports a file it cannot read', () => {
    const e = errorOf(() => loadSchema(['/nonexistent/x.yang']));
    expect(e.message).toMatch(/^Failed to load schema: cannot read the file .*\(\/nonexistent\/x\.yang\)$/);
  });
});
