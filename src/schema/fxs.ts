/**
 * Compiled schema files (`.fxs`, MAAPI.md §M6.7) → `Schema`. An `.fxs` carries the exact hashes NSO
 * uses, `tailf:id-value` overrides included, which a YANG file alone cannot give.
 *
 * Layout: magic `04 07 06 08`, then chunks `Len:32` + bytes; chunks 0–8 are Erlang external terms.
 * What is read (field positions beyond those named in §M6.7 are unknown, so the reader looks for
 * fields by shape, not by fixed index, wherever the spec says "…"):
 *
 * - chunk 0 `{Version, {fxs_header, fxs_header, NsUri, NsUri, cs, …, PrefixString, NsHash, …}}`:
 *   the URI (element 3), the prefix (the first character list after `cs`), the namespace hash (the
 *   first integer after the prefix);
 * - chunk 8 `{yang_module, ModuleAtom, RevisionBin}`: module name and revision (else the module
 *   name is the first binary inside chunk 0's `{yang_header, …}`, else the prefix);
 * - chunk 5 hash table: `{hash, {hash_uri, NsUri}, uri, NsHash, …}` (overrides chunk 0's hash) and
 *   `{hash, {hash, Tag}, …, TagHash, …}` → `schema.hashes`;
 * - chunk 3 `cs` records `{cs, _, TagHash, NsUri, NsHash, {exs, Tagpath, TypeRef, PrimType, Default,
 *   _, MinOccurs, MaxOccurs, Children, …}, …}` → the tree (Tagpath leaf first; Children in order).
 *
 * Inferred, not known [INF] (docs/schemas.md): a node with children is a list when MaxOccurs is
 * `unbounded` or > 1, else a container; a node without children is a leaf-list when MaxOccurs is
 * `unbounded` or > 1, a leaf when it has a PrimType, else an (empty) container; a list's keys are its
 * leading leaf children with MinOccurs 1 (confdc puts keys first). Choices and typedef details are
 * not read: leaves get PrimType as their `confdType`, and enumerations carry no names.
 */
import { C_TYPE, decodeTerm, formatTerm, NsoMockError, type Term } from '../codec/index.js';
import { SchemaError } from './errors.js';
import type { Schema, SchemaLeafType, SchemaNamespace, SchemaNode, SchemaNodeKind } from './model.js';
import { BUILTIN_CONFD_TYPES } from './types.js';
import { termToValue } from './values.js';

/**
 * The YANG built-in type a value type comes from, for messages (`'x' is no uint16`): the .fxs chunks
 * read here carry the PrimType only, not the typedef (§M6.7); `C_* n` when no built-in maps to it.
 */
function builtinOf(confdType: number): string {
  for (const [name, code] of BUILTIN_CONFD_TYPES) if (code === confdType && name !== 'union' && name !== 'leafref') return name;
  return `C_* ${confdType}`;
}

/** The 4 bytes every `.fxs` starts with (§M6.7). */
export const FXS_MAGIC: Uint8Array = Uint8Array.of(0x04, 0x07, 0x06, 0x08);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
interface MNode extends Mutable<Omit<SchemaNode, 'children' | 'parent'>> {
  parent?: MNode;
  children: MNode[];
}

function bad(file: string, reason: string, cause?: unknown): never {
  throw new SchemaError('NSOMOCK_SCHEMA_INVALID', 'read .fxs', reason, { file }, cause);
}

/** The chunks of an `.fxs` file (§M6.7), bounds-checked. */
export function fxsChunks(bytes: Uint8Array, file = 'schema.fxs'): Uint8Array[] {
  if (bytes.length < 4 || !FXS_MAGIC.every((b, i) => bytes[i] === b)) bad(file, 'not an .fxs file (the magic 04 07 06 08 is missing)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Uint8Array[] = [];
  let at = 4;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) bad(file, `chunk ${chunks.length} is cut short in its length (byte ${at})`);
    const len = view.getUint32(at);
    if (at + 4 + len > bytes.length) bad(file, `chunk ${chunks.length} says ${len} bytes but ${bytes.length - at - 4} are left (byte ${at})`);
    chunks.push(bytes.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return chunks;
}

function chunkTerm(chunks: readonly Uint8Array[], i: number, file: string): Term | undefined {
  const c = chunks[i];
  if (c === undefined || c.length === 0 || c[0] !== 131) return undefined;
  try {
    return decodeTerm(c);
  } catch (e) {
    return bad(file, `chunk ${i} is no Erlang term (${e instanceof NsoMockError ? e.message : String(e)})`, e);
  }
}

function textOf(t: Term | undefined): string | undefined {
  if (t === undefined) return undefined;
  if (t.kind === 'atom') return t.name;
  if (t.kind === 'binary') return new TextDecoder().decode(t.bytes);
  if (t.kind === 'nil') return '';
  if (t.kind === 'list' && t.tail.kind === 'nil' && t.elements.every((e) => e.kind === 'integer' && Number(e.value) >= 0 && Number(e.value) < 0x110000)) {
    return String.fromCodePoint(...t.elements.map((e) => Number((e as Extract<Term, { kind: 'integer' }>).value)));
  }
  return undefined;
}

function isCharList(t: Term): boolean {
  return t.kind === 'list' && textOf(t) !== undefined;
}

function numOf(t: Term | undefined): number | undefined {
  return t?.kind === 'integer' ? Number(t.value) : undefined;
}

function tupleOf(t: Term | undefined, first?: string): readonly Term[] | undefined {
  if (t?.kind !== 'tuple') return undefined;
  const head = t.elements[0];
  if (first !== undefined && !(head?.kind === 'atom' && head.name === first)) return undefined;
  return t.elements;
}

function listOf(t: Term | undefined): readonly Term[] {
  if (t === undefined) return [];
  if (t.kind === 'nil') return [];
  if (t.kind === 'list') return t.elements;
  return [];
}

function findTuple(t: Term, first: string, depth = 0): readonly Term[] | undefined {
  const own = tupleOf(t, first);
  if (own !== undefined) return own;
  if (depth > 4) return undefined;
  const inner = t.kind === 'tuple' ? t.elements : t.kind === 'list' ? t.elements : [];
  for (const e of inner) {
    const found = findTuple(e, first, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function namespaceOf(chunks: readonly Uint8Array[], file: string): Mutable<SchemaNamespace> {
  const c0 = chunkTerm(chunks, 0, file) ?? bad(file, 'chunk 0 (the header) is missing');
  const header = findTuple(c0, 'fxs_header') ?? bad(file, `chunk 0 has no fxs_header record: ${formatTerm(c0, { maxLength: 200 })}`);
  const uri = textOf(header[2]) ?? bad(file, 'the fxs_header has no namespace URI in element 3');
  const csAt = header.findIndex((e) => e.kind === 'atom' && e.name === 'cs');
  const prefixAt = header.findIndex((e, i) => i > Math.max(csAt, 3) && isCharList(e));
  const prefix = prefixAt < 0 ? undefined : textOf(header[prefixAt]);
  const hash = prefixAt < 0 ? undefined : header.slice(prefixAt + 1).map(numOf).find((n) => n !== undefined);
  const c8 = tupleOf(chunkTerm(chunks, 8, file), 'yang_module');
  const yangHeader = findTuple(c0, 'yang_header');
  const module = textOf(c8?.[1]) ?? textOf(yangHeader?.find((e) => e.kind === 'binary')) ?? prefix ?? bad(file, 'no module name (chunk 8 or yang_header)');
  const ns: Mutable<SchemaNamespace> = { uri, prefix: prefix ?? module, module, hash: hash ?? 0 };
  const revision = textOf(c8?.[2]);
  if (revision !== undefined && revision !== '') ns.revision = revision;
  return ns;
}

function primConfdType(t: Term | undefined): number | undefined {
  if (t?.kind === 'integer') return Number(t.value);
  if (t?.kind === 'atom') {
    const key = t.name.replace(/^C_/i, '').toUpperCase().replace(/-/g, '_');
    return (C_TYPE as Readonly<Record<string, number>>)[key];
  }
  return undefined;
}

function occurs(t: Term | undefined): number | undefined {
  if (t?.kind === 'atom' && t.name === 'unbounded') return Number.POSITIVE_INFINITY;
  return numOf(t);
}

/**
 * Reads one `.fxs` file's bytes into a `Schema` (one namespace).
 * @example
 *   const schema = readFxs(readFileSync('mk.fxs'), 'mk.fxs')
 * @throws SchemaError `NSOMOCK_SCHEMA_INVALID` (no magic, a chunk cut short, no header)
 */
export function readFxs(bytes: Uint8Array, file = 'schema.fxs'): Schema {
  const chunks = fxsChunks(bytes, file);
  const ns = namespaceOf(chunks, file);
  const hashes = new Map<string, number>();
  for (const h of listOf(chunkTerm(chunks, 5, file))) {
    const e = tupleOf(h, 'hash');
    const key = tupleOf(e?.[1]);
    const value = numOf(e?.[3]);
    if (key === undefined || value === undefined) continue;
    const kind = textOf(key[0]);
    if (kind === 'hash_uri' && textOf(key[1]) === ns.uri) ns.hash = value;
    else if (kind === 'hash') {
      const name = textOf(key[1]);
      if (name !== undefined) hashes.set(name, value);
    }
  }
  const frozenNs: SchemaNamespace = ns;
  const nodes = new Map<string, MNode>();
  const order: { node: MNode; tagpath: string[]; children: string[]; min: number | undefined }[] = [];
  for (const r of listOf(chunkTerm(chunks, 3, file))) {
    const cs = tupleOf(r, 'cs');
    const exs = tupleOf(cs?.[5], 'exs');
    if (cs === undefined || exs === undefined) continue;
    const tagpath = listOf(exs[1]).map(textOf);
    if (tagpath.length === 0 || tagpath.some((t) => t === undefined)) bad(file, `a cs record has no tag path: ${formatTerm(r, { maxLength: 200 })}`);
    const top = (tagpath as string[]).slice().reverse();
    const name = top[top.length - 1]!;
    const tagHash = numOf(cs[2]) ?? hashes.get(name) ?? bad(file, `cs record for ${top.join('/')} has no tag hash`);
    const children = listOf(exs[8]).map(textOf).filter((t): t is string => t !== undefined);
    const max = occurs(exs[7]);
    const many = max !== undefined && max > 1;
    const prim = primConfdType(exs[3]);
    let kind: SchemaNodeKind;
    if (children.length > 0) kind = many ? 'list' : 'container';
    else if (many) kind = 'leaf-list';
    else kind = prim !== undefined && prim !== 0 ? 'leaf' : 'container';
    const node: MNode = { kind, name, tagHash, ns: frozenNs, children: [], choices: [], config: true, source: `${file}:cs ${top.join('/')}` };
    if (kind === 'leaf' || kind === 'leaf-list') {
      const confdType = prim === C_TYPE.LIST || prim === undefined ? C_TYPE.BUF : prim;
      const type: SchemaLeafType = { base: builtinOf(confdType), confdType };
      node.type = type;
      const def = exs[4];
      if (def !== undefined && !(def.kind === 'atom' && (def.name === 'undefined' || def.name === 'not_found' || def.name === 'false' && type.confdType !== C_TYPE.BOOL))) {
        try {
          node.default = termToValue(type, def);
        } catch {
          /* a default whose form is unknown is left out */
        }
      }
    }
    const min = numOf(exs[6]);
    if ((kind === 'list' || kind === 'leaf-list') && min !== undefined && min > 0) node.minElements = min;
    if ((kind === 'list' || kind === 'leaf-list') && max !== undefined && Number.isFinite(max)) node.maxElements = max;
    if (kind === 'leaf' && min === 1) node.mandatory = true;
    nodes.set(top.join('/'), node);
    hashes.set(name, hashes.get(name) ?? tagHash);
    order.push({ node, tagpath: top, children, min });
  }
  const roots: MNode[] = [];
  for (const { node, tagpath, children } of order) {
    if (tagpath.length === 1) roots.push(node);
    else {
      const parent = nodes.get(tagpath.slice(0, -1).join('/'));
      if (parent === undefined) bad(file, `cs record ${tagpath.join('/')} has no parent record`);
      node.parent = parent;
    }
    for (const c of children) {
      const child = nodes.get([...tagpath, c].join('/'));
      if (child !== undefined) node.children.push(child);
    }
  }
  for (const { node } of order) {
    if (node.kind !== 'list') continue;
    const keys: string[] = [];
    for (const c of node.children) {
      const entry = order.find((o) => o.node === c)!;
      if (c.kind !== 'leaf' || entry.min !== 1) break;
      keys.push(c.name);
      delete c.mandatory;
    }
    if (keys.length > 0) node.keys = keys;
  }
  return { namespaces: [frozenNs], roots: roots as unknown as SchemaNode[], hashes };
}
