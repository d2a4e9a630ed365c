/**
 * Tagged values (PROTOCOL.md §9.5): `{Tag, Value}` with Tag `[NsHash|TagHash]` (UseIKP = 0: C,
 * Java, Python), `[NsAtom|TagAtom]` or a bare `TagAtom` (UseIKP = 1: econfd).
 */
import { atom, improper, tuple, type Term } from '../term.js';
import { confValueFromTerm, confValuePython, confValueToTerm, normalizeConfValue } from './conf-value.js';
import { intIn, onlyKeys, record, show, UINT32 } from './input.js';
import { at, badTerm, describeTerm, intTerm, readTuple, unencodable, type PythonDict } from './layout.js';
import { XML_MARKERS, type TagValue, type TagValueInput } from './notification.js';

function tagToTerm(tv: TagValue, path: string): Term {
  const { ns, tag } = tv;
  if (ns === undefined) return typeof tag === 'number' ? intTerm(tag) : atom(tag);
  if (typeof ns === 'number' && typeof tag === 'number') return improper([intTerm(ns)], intTerm(tag));
  if (typeof ns === 'string' && typeof tag === 'string') return improper([atom(ns)], atom(tag));
  throw unencodable(`${path}.ns`, 'ns and tag must both be hashes (numbers) or both atom names (text)');
}

/** `{Tag, Value}`. @throws CodecError `NSOMOCK_CODEC_UNENCODABLE` for a mixed hash/atom tag */
export function tagValueToTerm(tv: TagValue, path = 'values[0]'): Term {
  return tuple(tagToTerm(tv, path), confValueToTerm(tv.v, `${path}.v`));
}

/** Reads `{Tag, Value}`. @throws CodecError `NSOMOCK_CODEC_BAD_NOTIFICATION` */
export function tagValueFromTerm(term: Term, path = 'values[0]'): TagValue {
  const e = readTuple(term, path, 2);
  const tag = at(e, 0, path);
  const v = confValueFromTerm(at(e, 1, path), `${path}.v`);
  if (tag.kind === 'atom') return { tag: tag.name, v };
  if (tag.kind === 'integer' && typeof tag.value === 'number') return { tag: tag.value, v };
  if (tag.kind === 'list' && tag.elements.length === 1 && tag.tail.kind !== 'nil') {
    const ns = tag.elements[0];
    const t = tag.tail;
    if (ns?.kind === 'integer' && t.kind === 'integer' && typeof ns.value === 'number' && typeof t.value === 'number') {
      return { ns: ns.value, tag: t.value, v };
    }
    if (ns?.kind === 'atom' && t.kind === 'atom') return { ns: ns.name, tag: t.name, v };
  }
  throw badTerm(`${path}.tag`, `expected [NsHash|TagHash], [NsAtom|TagAtom] or an atom, got ${describeTerm(tag)}`);
}

/** Whether the tag is the hashed form every C/Python client needs (§9.5). */
export function isHashedTag(tv: TagValue): boolean {
  return typeof tv.ns === 'number' && typeof tv.tag === 'number';
}

/** Erlang's atom limit: 255 characters (an atom tag longer than that cannot be encoded, §9.5). */
const MAX_ATOM_CHARS = 255;

function tagPart(value: unknown, path: string): number | string {
  if (typeof value === 'string') {
    if (value === '') throw unencodable(path, 'empty atom name');
    const chars = [...value].length;
    if (chars > MAX_ATOM_CHARS) throw unencodable(path, `expected an atom name of at most ${MAX_ATOM_CHARS} characters, got ${chars} characters`);
    return value;
  }
  return intIn(value, path, UINT32);
}

/**
 * A tag-value from input: `{ ns, tag, v }` or `{ ns, tag, xml: 'start' }`.
 * @throws CodecError `NSOMOCK_CODEC_UNENCODABLE`
 */
export function normalizeTagValue(input: TagValueInput | unknown, path = 'values[0]'): TagValue {
  const r = record(input, path);
  onlyKeys(r, path, ['ns', 'tag', 'v', 'xml']);
  const tag = tagPart(r['tag'], `${path}.tag`);
  const ns = r['ns'] === undefined ? undefined : tagPart(r['ns'], `${path}.ns`);
  if (ns !== undefined && typeof ns !== typeof tag) {
    throw unencodable(`${path}.ns`, 'ns and tag must both be hashes (numbers) or both atom names (text)');
  }
  const xml = r['xml'];
  let v;
  if (xml !== undefined) {
    if (r['v'] !== undefined) throw unencodable(`${path}.xml`, "give 'v' or 'xml', not both");
    const code = typeof xml === 'string' && Object.prototype.hasOwnProperty.call(XML_MARKERS, xml) ? XML_MARKERS[xml as keyof typeof XML_MARKERS] : undefined;
    if (code === undefined) throw unencodable(`${path}.xml`, `unknown marker ${show(xml)} (expected one of ${Object.keys(XML_MARKERS).join(', ')})`);
    v = normalizeConfValue({ confd_type: code }, `${path}.v`);
  } else {
    if (r['v'] === undefined) throw unencodable(`${path}.v`, "a tag-value needs 'v' or 'xml'");
    v = normalizeConfValue(r['v'], `${path}.v`);
  }
  return ns === undefined ? { tag, v } : { ns, tag, v };
}

/** Python's `_ncs.TagValue` rendering (`ns`, `tag`, `v`); only defined for hashed tags. */
export function tagValuePython(tv: TagValue): PythonDict {
  return { $type: 'TagValue', ns: tv.ns ?? null, tag: tv.tag, v: confValuePython(tv.v) };
}
