/**
 * Hand-built `Schema` objects for the MAAPI tests (until the schema layer parses YANG, and so the
 * tests can use the capture's own hashes: MAAPI.md vectors use tags 1001… and namespace 1912237357).
 */
import type { Schema, SchemaLeafType, SchemaNamespace, SchemaNode, SchemaNodeKind } from '../../src/schema/index.js';

/** A node as tests write it. */
export interface NodeSpec {
  readonly kind: SchemaNodeKind;
  readonly name: string;
  readonly hash: number;
  readonly keys?: readonly string[];
  readonly type?: SchemaLeafType;
  readonly default?: string;
  readonly config?: boolean;
  readonly children?: readonly NodeSpec[];
}

export const STRING: SchemaLeafType = { base: 'string', confdType: 5 };
export const UINT16: SchemaLeafType = { base: 'uint16', confdType: 11 };
export const BOOLEAN: SchemaLeafType = { base: 'boolean', confdType: 17 };

/** Builds a schema of one or more modules; hashes are listed in document order (LOAD_HASH_DB, §M6.4). */
export function buildSchema(modules: readonly { readonly ns: SchemaNamespace; readonly roots: readonly NodeSpec[] }[]): Schema {
  const hashes = new Map<string, number>();
  const roots: SchemaNode[] = [];
  const build = (spec: NodeSpec, ns: SchemaNamespace, parent: SchemaNode | undefined): SchemaNode => {
    hashes.set(spec.name, spec.hash);
    const node: { -readonly [K in keyof SchemaNode]: SchemaNode[K] } = {
      kind: spec.kind,
      name: spec.name,
      tagHash: spec.hash,
      ns,
      children: [],
      choices: [],
      config: spec.config ?? true,
      ...(parent === undefined ? {} : { parent }),
      ...(spec.keys === undefined ? {} : { keys: spec.keys }),
      ...(spec.type === undefined ? {} : { type: spec.type }),
      ...(spec.default === undefined ? {} : { default: spec.default }),
    };
    node.children = (spec.children ?? []).map((c) => build(c, ns, node));
    return node;
  };
  for (const m of modules) for (const r of m.roots) roots.push(build(r, m.ns, undefined));
  return { namespaces: modules.map((m) => m.ns), roots, hashes };
}

/** The model of the captured vectors (maapi_nso62.jsonl): module mock, prefix mk, hand-picked hashes. */
export const CAPTURE_NS: SchemaNamespace = { uri: 'http://example.com/mock', prefix: 'mk', module: 'mock', revision: '2024-01-01', hash: 1912237357 };

export const CAPTURE_ROOTS: readonly NodeSpec[] = [
  {
    kind: 'container',
    name: 'sys',
    hash: 1001,
    children: [
      {
        kind: 'list',
        name: 'host',
        hash: 1002,
        keys: ['name'],
        children: [
          { kind: 'leaf', name: 'name', hash: 1003, type: STRING },
          { kind: 'leaf', name: 'address', hash: 1004, type: STRING },
          { kind: 'leaf', name: 'port', hash: 1005, type: UINT16 },
        ],
      },
    ],
  },
];

/** The capture's schema. */
export function captureSchema(): Schema {
  return buildSchema([{ ns: CAPTURE_NS, roots: CAPTURE_ROOTS }]);
}

/**
 * examples/models/mk.yang by hand (module mk, namespace http://example.com/mk, prefix mk): the
 * names and types of the example model. The hashes are placeholders, not NSO's phash2 values
 * (those come with the schema layer's YANG loader).
 */
export function mkSchema(): Schema {
  return buildSchema([
    {
      ns: { uri: 'http://example.com/mk', prefix: 'mk', module: 'mk', hash: 500 },
      roots: [
        {
          kind: 'container',
          name: 'sys',
          hash: 501,
          children: [
            {
              kind: 'list',
              name: 'host',
              hash: 502,
              keys: ['name'],
              children: [
                { kind: 'leaf', name: 'name', hash: 503, type: STRING },
                { kind: 'leaf', name: 'address', hash: 504, type: STRING },
                { kind: 'leaf', name: 'port', hash: 505, type: UINT16 },
                { kind: 'leaf-list', name: 'tag', hash: 506, type: STRING },
                { kind: 'container', name: 'config', hash: 507, children: [{ kind: 'leaf', name: 'enabled', hash: 508, type: BOOLEAN }] },
              ],
            },
          ],
        },
      ],
    },
  ]);
}
