/**
 * A `pyang -f tree`-like listing of a schema with every hash, for users who compare the mock's tag
 * hashes with the constants `ncsc --emit-python/--emit-java/--emit-h` generated for their models.
 */
import type { Schema, SchemaChoice, SchemaNode } from './model.js';

function typeText(n: SchemaNode): string {
  const t = n.type;
  if (t === undefined) return '';
  return `${t.typedef ?? t.base} (C ${t.confdType})`;
}

function nodeLines(n: SchemaNode, indent: string, inChoice: ReadonlySet<SchemaNode>, out: string[]): void {
  if (inChoice.has(n)) return;
  const rw = n.config ? 'rw' : 'ro';
  const suffix = n.kind === 'list' ? `*${n.keys === undefined ? '' : ` [${n.keys.join(' ')}]`}` : n.kind === 'leaf-list' ? '*' : n.presence === true ? '!' : '';
  const label = `${indent}+--${rw} ${n.name}${suffix}`;
  const type = typeText(n);
  out.push(`${label.padEnd(44)} ${String(n.tagHash).padStart(10)}${type === '' ? '' : `  ${type}`}${n.default === undefined ? '' : `  default ${n.default}`}`);
  childLines(n, `${indent}   `, out);
}

function choiceLines(parent: SchemaNode, ch: SchemaChoice, indent: string, out: string[]): void {
  out.push(`${`${indent}+--: (${ch.name})`.padEnd(44)} ${String(ch.tagHash).padStart(10)}`);
  for (const cs of ch.cases) {
    out.push(`${`${indent}   +--: (${cs.name})`.padEnd(44)} ${String(cs.tagHash).padStart(10)}`);
    const nested = new Set<SchemaNode>();
    const collect = (choices: readonly SchemaChoice[]): void => choices.forEach((c) => c.cases.forEach((x) => x.nodes.forEach((n) => nested.add(n))));
    collect(cs.choices ?? []);
    for (const n of cs.nodes) if (!nested.has(n)) nodeLines(n, `${indent}      `, new Set(), out);
    for (const inner of cs.choices ?? []) choiceLines(parent, inner, `${indent}      `, out);
  }
}

function childLines(n: SchemaNode, indent: string, out: string[]): void {
  const inChoice = new Set<SchemaNode>();
  const collect = (choices: readonly SchemaChoice[]): void =>
    choices.forEach((c) =>
      c.cases.forEach((cs) => {
        cs.nodes.forEach((x) => inChoice.add(x));
        collect(cs.choices ?? []);
      }),
    );
  collect(n.choices);
  for (const c of n.children) nodeLines(c, indent, inChoice, out);
  for (const ch of n.choices) choiceLines(n, ch, indent, out);
}

/**
 * The schema as a tree with every tag hash (right column), type (`typedef (C code)`) and default.
 * @example
 *   console.log(formatSchemaTree(loadSchema(['examples/models/mk.yang'])))
 *   // module: mk  http://example.com/mk  prefix mk  hash 1457256292
 *   //   +--rw sys                                   1280841638
 *   //      +--rw host* [name]                       1711485895
 */
export function formatSchemaTree(schema: Schema): string {
  const out: string[] = [];
  for (const ns of schema.namespaces) {
    out.push(`module: ${ns.module}  ${ns.uri}  prefix ${ns.prefix}  hash ${ns.hash}${ns.revision === undefined ? '' : `  revision ${ns.revision}`}`);
    for (const r of schema.roots.filter((x) => x.ns === ns)) nodeLines(r, '  ', new Set(), out);
  }
  return out.join('\n');
}
