import { describe, expect, it } from 'vitest';
import { encodeTerm, formatTerm, type Term } from '../../src/codec/index.js';
import { loadAllNsFrames, loadHashDbFrames, loadSchema, phash2 } from '../../src/schema/index.js';
import { parseErlangTerm } from '../support/erlang-term-parser.js';
import { toHex } from '../support/vectors.js';
import { captureSchema, loadMaapiVectors } from './capture-schema.js';

const MK = new URL('../../examples/models/mk.yang', import.meta.url).pathname;

function tupleElements(t: Term): readonly Term[] {
  if (t.kind !== 'tuple') throw new Error(`not a tuple: ${formatTerm(t)}`);
  return t.elements;
}
function listElements(t: Term): readonly Term[] {
  if (t.kind !== 'list') throw new Error(`not a list: ${formatTerm(t)}`);
  return t.elements;
}
function num(t: Term | undefined): number {
  if (t?.kind !== 'integer') throw new Error('not an integer');
  return Number(t.value);
}
function tag(t: Term): string {
  const e = tupleElements(t)[0]!;
  return e.kind === 'atom' ? e.name : '?';
}

describe('schema-loading streams against the capture (maapi_nso62.jsonl)', () => {
  const vectors = loadMaapiVectors().filter((v) => v.scenario === 'schema');
  const schema = captureSchema();

  it('LOAD_ALL_NS: the same records, byte for byte, then eof (§M6.2)', () => {
    const captured = vectors.filter((v) => v.op === 'MAAPI_LOAD_ALL_NS_stream');
    const frames = loadAllNsFrames(schema);
    expect(frames.map((f) => formatTerm(f))).toEqual(captured.map((v) => v.term));
    // the server's frames are Length:32 + term, no op (§M6.1)
    expect(frames.map((f) => toHex(encodeTerm(f)))).toEqual(captured.map((v) => v.hex.slice(8)));
  });

  it('LOAD_HASH_DB: count, records, eof (§M6.4)', () => {
    const captured = vectors.filter((v) => v.op === 'MAAPI_LOAD_HASH_DB_stream');
    expect(loadHashDbFrames(schema).map((f) => formatTerm(f))).toEqual(captured.map((v) => v.term));
  });

  it('an empty schema: eof alone; hash db 0, eof (as the iter scenario accepted)', () => {
    const empty = { namespaces: [], roots: [], hashes: new Map<string, number>() };
    expect(loadAllNsFrames(empty).map((f) => formatTerm(f))).toEqual(['eof']);
    expect(loadHashDbFrames(empty).map((f) => formatTerm(f))).toEqual(['0', 'eof']);
  });
});

describe('LOAD_ALL_NS records of the example model (choices, leaf-lists, defaults)', () => {
  const schema = loadSchema([MK]);
  const records = listElements(loadAllNsFrames(schema)[0]!);
  const byTag = (t: string): Term[] => records.filter((r) => tag(r) === t);

  it('orders ns, keys, tree, root, parent; every referenced number was sent before', () => {
    expect(tag(records[0]!)).toBe('ns');
    expect(tag(records[records.length - 2]!)).toBe('root');
    expect(tag(records[records.length - 1]!)).toBe('parent');
    const seen = new Set<string>();
    for (const r of records) {
      const e = tupleElements(r);
      const refs: [string, number][] = [];
      if (tag(r) === 'node') refs.push(['node', num(e[12])], ['node', num(e[13])], ['choice', num(e[14])]);
      if (tag(r) === 'choice') refs.push(['case', num(e[6])], ['case', num(e[7])], ['choice', num(e[8])]);
      if (tag(r) === 'case') refs.push(['node', num(e[5])], ['node', num(e[6])], ['case', num(e[7])], ['choice', num(e[8])]);
      for (const [kind, n] of refs) if (n !== 0) expect(seen.has(`${kind}:${n}`), `${formatTerm(r)} names ${kind} ${n}`).toBe(true);
      if (tag(r) === 'node') seen.add(`node:${num(e[1])}`);
      if (tag(r) === 'choice') seen.add(`choice:${num(e[2])}`);
      if (tag(r) === 'case') seen.add(`case:${num(e[2])}`);
    }
    expect(byTag('node')).toHaveLength(10);
  });

  it('describes the choice transport and its cases with their first/last nodes', () => {
    const nodeN = (name: string): number => num(tupleElements(byTag('node').find((n) => num(tupleElements(n)[2]) === phash2(name))!)[1]);
    const [choice] = byTag('choice');
    const e = tupleElements(choice!);
    expect(num(e[1])).toBe(nodeN('config'));
    expect(num(e[3])).toBe(phash2('transport'));
    expect(num(e[4])).toBe(phash2('http://example.com/mk'));
    const cases = byTag('case').map(tupleElements);
    expect(cases.map((c) => [num(c[3]), num(c[5]), num(c[6])])).toEqual([
      [phash2('telnet'), nodeN('telnet-password'), nodeN('telnet-password')],
      [phash2('ssh'), nodeN('ssh-key'), nodeN('ssh-key')],
    ]);
    // first case named by the choice; ssh's NextCaseN is telnet
    expect(num(e[7])).toBe(num(cases[1]![2]));
    expect(num(cases[1]![7])).toBe(num(cases[0]![2]));
    // config's FirstChoiceN
    const config = tupleElements(byTag('node').find((n) => num(tupleElements(n)[2]) === phash2('config'))!);
    expect(num(config[14])).toBe(num(e[2]));
  });

  it('gives port its default as a typed value, tag the leaf-list flag and C_LIST', () => {
    const node = (name: string): readonly Term[] => tupleElements(byTag('node').find((n) => num(tupleElements(n)[2]) === phash2(name))!);
    expect(formatTerm(node('port')[10]!)).toBe('{11,22}');
    expect(num(node('port')[7])).toBe(11);
    expect(num(node('address')[7])).toBe(15);
    expect(num(node('tag')[11])).toBe(8192 | 6);
    expect(num(node('tag')[7])).toBe(31);
    expect(num(node('tag')[6])).toBe(-1);
  });

  it('sends an Erlang-readable stream (parses back through erl syntax)', () => {
    for (const f of loadAllNsFrames(schema)) expect(formatTerm(parseErlangTerm(formatTerm(f, { maxLength: 100000 })), { maxLength: 100000 })).toBe(formatTerm(f, { maxLength: 100000 }));
  });

  it('LOAD_NS_LIST: only the URIs asked for', () => {
    const two = loadSchema([MK, { path: 'o.yang', text: 'module o { namespace "urn:o"; prefix o; leaf x { type string; } }' }]);
    expect(loadAllNsFrames(two).length).toBe(3);
    const only = loadAllNsFrames(two, { uris: ['urn:o'] });
    expect(only.length).toBe(2);
    expect(formatTerm(tupleElements(listElements(only[0]!)[0]!)[1]!)).toBe("'urn:o'");
  });
});
