/**
 * YANG statement trees → `Schema` (model.ts): the documented subset of docs/schemas.md.
 *
 * Passes, in order:
 * 1. modules: name, namespace, prefix, newest revision, imports (prefix → module), includes;
 * 2. identities of every module (identityref values need all of them);
 * 3. each module's data tree: containers, lists (keys checked), leaves, leaf-lists, choices/cases
 *    (flattened into the parent's children, as ConfD's cs tree has them), `uses` expanded in place
 *    (the nodes take the using module's namespace, names resolve where the grouping was written),
 *    `refine` applied, types resolved through typedef chains to a built-in type and a `C_*` value type;
 * 4. top-level `augment`s, repeated until each target exists (an augment may target another's nodes);
 * 5. leafrefs typed as their target leaf (or as string, with a warning).
 *
 * Statements outside the subset (`description`, `must`, `when`, extensions such as `tailf:info`)
 * are skipped; those that would change the data tree (`deviation`, `anydata`) leave a warning.
 * Every error carries the statement's `file:line:col`.
 */
import { readFileSync } from 'node:fs';
import { SchemaError, formatSource } from './errors.js';
import type { Schema, SchemaCase, SchemaChoice, SchemaIdentity, SchemaLeafType, SchemaNamespace, SchemaNode, SchemaNodeKind } from './model.js';
import { readFxs } from './fxs.js';
import { phash2 } from './phash2.js';
import { BUILTIN_CONFD_TYPES, WELL_KNOWN_TYPEDEFS, bitsConfdType } from './types.js';
import { valueToTerm } from './values.js';
import { parseYang, type YangStatement } from './yang-parser.js';

/** A model given as text (`path` names it in errors and `SchemaNode.source`). */
export interface SchemaSource {
  readonly path: string;
  readonly text: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface MNode extends Mutable<Omit<SchemaNode, 'children' | 'choices' | 'parent'>> {
  parent?: MNode;
  children: MNode[];
  choices: MChoice[];
}
interface MCase extends Mutable<Omit<SchemaCase, 'nodes' | 'choices'>> {
  nodes: MNode[];
  choices: MChoice[];
}
interface MChoice extends Mutable<Omit<SchemaChoice, 'cases'>> {
  cases: MCase[];
}

interface ModuleInfo {
  readonly name: string;
  readonly prefix: string;
  readonly ns: SchemaNamespace;
  /** Import prefix → module name (own prefix included, includes' imports merged). */
  readonly imports: Map<string, string>;
  /** The module's body statements, its included submodules' appended. */
  readonly body: YangStatement[];
  readonly stmt: YangStatement;
  scope?: Scope;
}

/** A lexical scope: the typedefs and groupings visible from a statement (RFC 7950 §5.5). */
interface Scope {
  readonly module: ModuleInfo;
  readonly typedefs: Map<string, YangStatement>;
  readonly groupings: Map<string, YangStatement>;
  readonly parent?: Scope;
}

interface PendingLeafref {
  readonly node: MNode;
  readonly path: string;
  readonly stmt: YangStatement;
  readonly module: ModuleInfo;
}

/** Where a data-def statement's nodes go. */
interface Sink {
  readonly children: MNode[];
  readonly choices: MChoice[];
}

interface BuildContext {
  readonly scope: Scope;
  /** The namespace the new nodes get (the `uses`'s module's, not the grouping's). */
  readonly ns: SchemaNamespace;
  readonly parent: MNode | undefined;
  readonly config: boolean;
  /** Groupings being expanded, to refuse a grouping that uses itself. */
  readonly expanding: readonly YangStatement[];
}

const DATA_KINDS: ReadonlySet<string> = new Set(['container', 'list', 'leaf', 'leaf-list']);
const WARN_SKIPPED: ReadonlySet<string> = new Set(['anydata', 'anyxml', 'deviation']);
/** The fields a leafref copies from its target's type. */
const TYPE_DETAIL_FIELDS = ['enums', 'fractionDigits', 'members', 'bits', 'identities'] as const;

function sub(stmt: YangStatement, keyword: string): YangStatement | undefined {
  return stmt.children.find((c) => c.keyword === keyword);
}

function subs(stmt: YangStatement, keyword: string): YangStatement[] {
  return stmt.children.filter((c) => c.keyword === keyword);
}

function where(stmt: YangStatement): string {
  return formatSource(stmt.file, stmt.line, stmt.column);
}

function fail(stmt: YangStatement, reason: string): never {
  throw new SchemaError('NSOMOCK_SCHEMA_INVALID', 'load schema', reason, { file: stmt.file, line: stmt.line, column: stmt.column });
}

function argOf(stmt: YangStatement): string {
  if (stmt.arg === undefined) fail(stmt, `'${stmt.keyword}' needs an argument`);
  return stmt.arg;
}

function splitName(name: string): [prefix: string | undefined, local: string] {
  const i = name.indexOf(':');
  return i < 0 ? [undefined, name] : [name.slice(0, i), name.slice(i + 1)];
}

/**
 * Adds data nodes to a parent's children, refusing a name the parent already has in the same module
 * (RFC 7950 §6.2.1: sibling identifiers are unique, across the cases of a choice too).
 */
function addChildren(children: MNode[], nodes: readonly MNode[], stmt: YangStatement): void {
  for (const n of nodes) {
    const twin = children.find((c) => c !== n && c.name === n.name && c.ns.module === n.ns.module);
    if (twin !== undefined) fail(stmt, `'${n.name}' is defined twice under the same parent (first at ${twin.source ?? '?'})`);
    if (!children.includes(n)) children.push(n);
  }
}

function scopeOf(stmt: YangStatement, module: ModuleInfo, parent: Scope | undefined, children = stmt.children): Scope {
  const typedefs = new Map<string, YangStatement>();
  const groupings = new Map<string, YangStatement>();
  for (const c of children) {
    if (c.keyword === 'typedef') {
      const name = argOf(c);
      if (typedefs.has(name)) fail(c, `typedef '${name}' is defined twice in the same scope`);
      typedefs.set(name, c);
    } else if (c.keyword === 'grouping') {
      const name = argOf(c);
      if (groupings.has(name)) fail(c, `grouping '${name}' is defined twice in the same scope`);
      groupings.set(name, c);
    }
  }
  return parent === undefined ? { module, typedefs, groupings } : { module, typedefs, groupings, parent };
}

/** `tailf:id-value N` under a statement, when the prefix is bound to tailf-common. */
function idValue(stmt: YangStatement, imports: ReadonlyMap<string, string>): number | undefined {
  for (const c of stmt.children) {
    const [prefix, local] = splitName(c.keyword);
    if (prefix !== undefined && local === 'id-value' && imports.get(prefix) === 'tailf-common') {
      const v = Number(c.arg);
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) fail(c, `tailf:id-value '${c.arg ?? ''}' is no 32-bit unsigned integer`);
      return v;
    }
  }
  return undefined;
}

class Compiler {
  private readonly modules = new Map<string, ModuleInfo>();
  private readonly submodules = new Map<string, YangStatement>();
  private readonly order: ModuleInfo[] = [];
  private readonly roots: MNode[] = [];
  private readonly hashes = new Map<string, number>();
  private readonly warnings: string[] = [];
  private readonly leafrefs: PendingLeafref[] = [];
  private readonly resolvedLeafrefs = new Set<MNode>();
  /** Leaf defaults, checked against their (leafref-resolved) types at the end. */
  private readonly defaults: { node: MNode; stmt: YangStatement }[] = [];
  /** module name → identity name → { stmt, module }. */
  private readonly identities = new Map<string, Map<string, YangStatement>>();

  constructor(private readonly trees: readonly YangStatement[]) {}

  compile(): Schema {
    for (const t of this.trees) {
      if (t.keyword === 'submodule') {
        const name = argOf(t);
        if (this.submodules.has(name)) fail(t, `submodule '${name}' is loaded twice`);
        this.submodules.set(name, t);
      }
    }
    for (const t of this.trees) if (t.keyword === 'module') this.declareModule(t);
    for (const m of this.order) m.scope = scopeOf(m.stmt, m, undefined, m.body);
    for (const m of this.order) this.collectIdentities(m);
    for (const m of this.order) {
      const sink: Sink = { children: this.roots, choices: [] };
      this.buildBody(m.body, sink, { scope: m.scope!, ns: m.ns, parent: undefined, config: true, expanding: [] });
      for (const c of sink.choices) {
        this.warnings.push(`${where(m.stmt)}: top-level choice '${c.name}' of module '${m.name}': its nodes are roots, the choice itself is not reported`);
      }
    }
    this.applyAugments();
    for (const p of this.leafrefs) this.resolveLeafref(p, []);
    for (const d of this.defaults) this.checkDefault(d.node, d.stmt);
    this.checkCollisions();
    const schema: Mutable<Schema> = {
      namespaces: this.order.map((m) => m.ns),
      roots: this.roots as unknown as SchemaNode[],
      hashes: this.hashes,
    };
    if (this.warnings.length > 0) schema.warnings = this.warnings;
    return schema;
  }

  private declareModule(stmt: YangStatement): void {
    const name = argOf(stmt);
    if (this.modules.has(name)) fail(stmt, `module '${name}' is loaded twice`);
    const nsStmt = sub(stmt, 'namespace') ?? fail(stmt, `module '${name}' has no namespace`);
    const prefixStmt = sub(stmt, 'prefix') ?? fail(stmt, `module '${name}' has no prefix`);
    const prefix = argOf(prefixStmt);
    const imports = new Map<string, string>([[prefix, name]]);
    const body = [...stmt.children];
    const addImports = (from: YangStatement): void => {
      for (const imp of subs(from, 'import')) {
        const p = argOf(sub(imp, 'prefix') ?? fail(imp, `import '${imp.arg ?? ''}' has no prefix`));
        if (imports.has(p) && imports.get(p) !== argOf(imp)) fail(imp, `prefix '${p}' is bound twice (to '${imports.get(p)}' and '${argOf(imp)}')`);
        imports.set(p, argOf(imp));
      }
    };
    addImports(stmt);
    for (const inc of subs(stmt, 'include')) {
      const s = this.submodules.get(argOf(inc)) ?? fail(inc, `submodule '${argOf(inc)}' is not among the loaded sources`);
      const belongs = sub(s, 'belongs-to');
      if (belongs?.arg !== name) fail(s, `submodule '${argOf(s)}' does not belong to module '${name}'`);
      const bp = sub(belongs, 'prefix');
      if (bp !== undefined) imports.set(argOf(bp), name);
      addImports(s);
      body.push(...s.children);
    }
    const revisions = [...subs(stmt, 'revision')].map(argOf).sort();
    const uri = argOf(nsStmt);
    const revision = revisions[revisions.length - 1];
    const ns: Mutable<SchemaNamespace> = { uri, prefix, module: name, hash: idValue(stmt, imports) ?? phash2(uri) };
    if (revision !== undefined) ns.revision = revision;
    const info: ModuleInfo = { name, prefix, ns, imports, body, stmt };
    this.modules.set(name, info);
    this.order.push(info);
  }

  private collectIdentities(m: ModuleInfo): void {
    const map = new Map<string, YangStatement>();
    for (const s of m.body) {
      if (s.keyword === 'identity') {
        map.set(argOf(s), s);
        this.hashes.set(argOf(s), phash2(argOf(s)));
      }
    }
    this.identities.set(m.name, map);
  }

  /** The module a prefix names, as seen from `module`. */
  private moduleOf(prefix: string | undefined, module: ModuleInfo, stmt: YangStatement): { name: string; info: ModuleInfo | undefined } {
    if (prefix === undefined) return { name: module.name, info: module };
    const name = module.imports.get(prefix) ?? fail(stmt, `unknown prefix '${prefix}' (module '${module.name}' imports ${[...module.imports.keys()].map((p) => `'${p}'`).join(', ')})`);
    return { name, info: this.modules.get(name) };
  }

  private notLoaded(stmt: YangStatement, moduleName: string, what: string): never {
    return fail(stmt, `${what} comes from module '${moduleName}', which is not loaded: add its .yang file to the schema sources`);
  }

  // ---------------------------------------------------------------------------------- data tree

  private buildBody(stmts: readonly YangStatement[], sink: Sink, ctx: BuildContext): void {
    for (const s of stmts) {
      if (DATA_KINDS.has(s.keyword)) addChildren(sink.children, [this.buildNode(s, ctx)], s);
      else if (s.keyword === 'choice') this.buildChoice(s, sink, ctx);
      else if (s.keyword === 'uses') this.expandUses(s, sink, ctx);
      else if (WARN_SKIPPED.has(s.keyword)) this.warnings.push(`${where(s)}: '${s.keyword}${s.arg === undefined ? '' : ` ${s.arg}`}' is outside the supported subset and was skipped`);
    }
  }

  private buildNode(stmt: YangStatement, ctx: BuildContext): MNode {
    const name = argOf(stmt);
    const kind = stmt.keyword as SchemaNodeKind;
    const configStmt = sub(stmt, 'config');
    if (configStmt !== undefined && configStmt.arg !== 'true' && configStmt.arg !== 'false') fail(configStmt, `config must be true or false, not '${configStmt.arg ?? ''}'`);
    const config = ctx.config && configStmt?.arg !== 'false';
    const tagHash = idValue(stmt, ctx.scope.module.imports) ?? phash2(name);
    this.hashes.set(name, tagHash);
    const node: MNode = { kind, name, tagHash, ns: ctx.ns, children: [], choices: [], config, source: where(stmt) };
    if (ctx.parent !== undefined) node.parent = ctx.parent;
    const scope = scopeOf(stmt, ctx.scope.module, ctx.scope);
    if (kind === 'container' || kind === 'list') {
      if (kind === 'container' && sub(stmt, 'presence') !== undefined) node.presence = true;
      this.buildBody(stmt.children, node, { ...ctx, scope, parent: node, config });
    }
    if (kind === 'list') {
      const keyStmt = sub(stmt, 'key');
      if (keyStmt === undefined && config) fail(stmt, `list '${name}' has no key (a configuration list needs one)`);
      if (keyStmt !== undefined) {
        const keys = argOf(keyStmt).trim().split(/\s+/).map((k) => splitName(k)[1]);
        for (const k of keys) {
          const leaf = node.children.find((c) => c.name === k);
          if (leaf === undefined || leaf.kind !== 'leaf') fail(keyStmt, `key '${k}' of list '${name}' names no leaf of the list`);
        }
        node.keys = keys;
      }
    }
    if (kind === 'leaf' || kind === 'leaf-list') {
      const typeStmt = sub(stmt, 'type') ?? fail(stmt, `${kind} '${name}' has no type`);
      const resolved = this.resolveType(typeStmt, scope, []);
      node.type = resolved.type;
      if (resolved.type.base === 'leafref' && resolved.type.path !== undefined) {
        this.leafrefs.push({ node, path: resolved.type.path, stmt: typeStmt, module: ctx.scope.module });
      }
      const defStmt = sub(stmt, 'default');
      const def = defStmt?.arg ?? resolved.default;
      if (def !== undefined && kind === 'leaf') {
        node.default = def;
        this.defaults.push({ node, stmt: defStmt ?? stmt });
      }
      if (sub(stmt, 'mandatory')?.arg === 'true') node.mandatory = true;
    }
    this.occurrences(stmt, node);
    return node;
  }

  private occurrences(stmt: YangStatement, node: MNode): void {
    const min = sub(stmt, 'min-elements');
    if (min !== undefined) {
      const v = Number(min.arg);
      if (!Number.isInteger(v) || v < 0) fail(min, `min-elements '${min.arg ?? ''}' is no non-negative integer`);
      node.minElements = v;
    }
    const max = sub(stmt, 'max-elements');
    if (max !== undefined && max.arg !== 'unbounded') {
      const v = Number(max.arg);
      if (!Number.isInteger(v) || v < 1) fail(max, `max-elements '${max.arg ?? ''}' is no positive integer or 'unbounded'`);
      node.maxElements = v;
    }
  }

  private buildChoice(stmt: YangStatement, sink: Sink, ctx: BuildContext): MChoice {
    const name = argOf(stmt);
    const tagHash = idValue(stmt, ctx.scope.module.imports) ?? phash2(name);
    this.hashes.set(name, tagHash);
    const choice: MChoice = { name, tagHash, cases: [], ns: ctx.ns, source: where(stmt) };
    if (sub(stmt, 'mandatory')?.arg === 'true') choice.mandatory = true;
    const scope = scopeOf(stmt, ctx.scope.module, ctx.scope);
    this.addCases(stmt.children, choice, sink, { ...ctx, scope });
    const def = sub(stmt, 'default');
    if (def !== undefined) {
      if (!choice.cases.some((c) => c.name === def.arg)) fail(def, `default case '${def.arg ?? ''}' of choice '${name}' is no case of it`);
      choice.defaultCase = argOf(def);
    }
    sink.choices.push(choice);
    return choice;
  }

  /** Cases (and shorthand cases) of `stmts` into `choice`; their nodes also into the parent's `sink`. */
  private addCases(stmts: readonly YangStatement[], choice: MChoice, sink: Sink, ctx: BuildContext): void {
    for (const s of stmts) {
      const shorthand = DATA_KINDS.has(s.keyword) || s.keyword === 'choice';
      if (s.keyword !== 'case' && !shorthand) {
        if (WARN_SKIPPED.has(s.keyword)) this.warnings.push(`${where(s)}: '${s.keyword} ${s.arg ?? ''}' in choice '${choice.name}' was skipped`);
        continue;
      }
      const name = argOf(s);
      if (choice.cases.some((c) => c.name === name)) fail(s, `choice '${choice.name}' has two cases named '${name}'`);
      const tagHash = (s.keyword === 'case' ? idValue(s, ctx.scope.module.imports) : undefined) ?? phash2(name);
      this.hashes.set(name, tagHash);
      const c: MCase = { name, tagHash, nodes: [], choices: [], ns: ctx.ns };
      const caseSink: Sink = { children: c.nodes, choices: c.choices };
      if (s.keyword === 'case') this.buildBody(s.children, caseSink, { ...ctx, scope: scopeOf(s, ctx.scope.module, ctx.scope) });
      else this.buildBody([s], caseSink, ctx);
      addChildren(sink.children, c.nodes, s);
      choice.cases.push(c);
    }
  }

  private expandUses(stmt: YangStatement, sink: Sink, ctx: BuildContext): void {
    const [prefix, local] = splitName(argOf(stmt));
    const found = this.findGrouping(prefix, local, ctx.scope, stmt);
    if (ctx.expanding.includes(found.stmt)) fail(stmt, `grouping '${local}' uses itself`);
    const groupingScope = scopeOf(found.stmt, found.scope.module, found.scope);
    const added: Sink = { children: [], choices: [] };
    this.buildBody(found.stmt.children, added, { ...ctx, scope: groupingScope, expanding: [...ctx.expanding, found.stmt] });
    for (const r of subs(stmt, 'refine')) this.refine(r, added, ctx);
    for (const a of subs(stmt, 'augment')) {
      const target = this.walkDescendant(added, argOf(a), a, ctx.scope.module);
      this.augmentInto(target, a, { ...ctx, scope: scopeOf(a, ctx.scope.module, ctx.scope) });
    }
    addChildren(sink.children, added.children, stmt);
    sink.choices.push(...added.choices);
  }

  private findGrouping(prefix: string | undefined, local: string, scope: Scope, stmt: YangStatement): { stmt: YangStatement; scope: Scope } {
    const { name: moduleName, info } = this.moduleOf(prefix, scope.module, stmt);
    if (moduleName === scope.module.name) {
      for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) {
        const g = s.groupings.get(local);
        if (g !== undefined) return { stmt: g, scope: s };
      }
      return fail(stmt, `grouping '${local}' is not defined in module '${moduleName}' (nor in an enclosing scope)`);
    }
    if (info?.scope === undefined) return this.notLoaded(stmt, moduleName, `grouping '${prefix}:${local}'`);
    const g = info.scope.groupings.get(local) ?? fail(stmt, `grouping '${local}' is not defined at the top of module '${moduleName}'`);
    return { stmt: g, scope: info.scope };
  }

  /** `refine` (RFC 7950 §7.13.2): the properties that matter to the mock; the rest are ignored. */
  private refine(r: YangStatement, added: Sink, ctx: BuildContext): void {
    const target = this.walkDescendant(added, argOf(r), r, ctx.scope.module);
    if (target.kind !== 'node') return;
    const node = target.node;
    for (const c of r.children) {
      if (c.keyword === 'default' && node.kind === 'leaf') node.default = argOf(c);
      else if (c.keyword === 'mandatory') node.mandatory = c.arg === 'true';
      else if (c.keyword === 'presence' && node.kind === 'container') node.presence = true;
      else if (c.keyword === 'config' && c.arg === 'false') this.setConfigFalse(node);
      else if (c.keyword === 'min-elements' || c.keyword === 'max-elements') this.occurrences(r, node);
    }
  }

  private setConfigFalse(node: MNode): void {
    node.config = false;
    for (const c of node.children) this.setConfigFalse(c);
  }

  /** Two names with one hash: NSO's compiler refuses them unless `tailf:id-value` separates them (§M6.8). */
  private checkCollisions(): void {
    const byHash = new Map<number, string>();
    for (const [name, hash] of this.hashes) {
      const other = byHash.get(hash);
      if (other !== undefined) this.warnings.push(`tags '${other}' and '${name}' have the same hash ${hash}; NSO needs a tailf:id-value on one of them`);
      else byHash.set(hash, name);
    }
  }

  private checkDefault(node: MNode, stmt: YangStatement): void {
    if (node.default === undefined || node.type === undefined) return;
    try {
      valueToTerm(node.type, node.default, { leaf: node as unknown as SchemaNode });
    } catch (e) {
      if (e instanceof SchemaError) fail(stmt, `default of leaf '${node.name}': ${e.reason}`);
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------- augment

  private applyAugments(): void {
    let pending = this.order.flatMap((m) => m.body.filter((s) => s.keyword === 'augment').map((stmt) => ({ stmt, m })));
    while (pending.length > 0) {
      const left: typeof pending = [];
      for (const p of pending) {
        const target = this.tryWalkAbsolute(argOf(p.stmt), p.stmt, p.m);
        if (target === undefined) {
          left.push(p);
          continue;
        }
        const parent = target.kind === 'node' ? target.node : target.kind === 'choice' || target.kind === 'case' ? target.parent : undefined;
        const config = parent === undefined ? true : parent.config;
        this.augmentInto(target, p.stmt, { scope: scopeOf(p.stmt, p.m, p.m.scope), ns: p.m.ns, parent, config, expanding: [] });
      }
      if (left.length === pending.length) {
        const first = left[0]!;
        this.walkAbsolute(argOf(first.stmt), first.stmt, first.m); // throws with the step that is missing
        fail(first.stmt, `augment target '${argOf(first.stmt)}' does not resolve`);
      }
      pending = left;
    }
  }

  private augmentInto(target: Target, stmt: YangStatement, ctx: BuildContext): void {
    if (target.kind === 'root' || target.kind === 'sink') fail(stmt, `augment target '${argOf(stmt)}' names no node`);
    if (target.kind === 'node') {
      if (target.node.kind !== 'container' && target.node.kind !== 'list') {
        fail(stmt, `augment target '${argOf(stmt)}' is a ${target.node.kind}; only containers, lists, choices and cases can be augmented`);
      }
      this.buildBody(stmt.children, target.node, { ...ctx, parent: target.node, config: target.node.config });
    } else if (target.kind === 'choice') {
      const sink = target.parent ?? { children: this.roots, choices: [] };
      this.addCases(stmt.children, target.choice, sink, ctx);
    } else {
      const before = target.case.nodes.length;
      this.buildBody(stmt.children, { children: target.case.nodes, choices: target.case.choices }, ctx);
      const parentChildren = target.parent?.children ?? this.roots;
      addChildren(parentChildren, target.case.nodes.slice(before), stmt);
    }
  }

  /** A schema node id `/p:a/p:b` (RFC 7950 §6.5) from the roots; choices and cases may be steps. `undefined`: not (yet) there. */
  private tryWalkAbsolute(path: string, stmt: YangStatement, module: ModuleInfo): Target | undefined {
    if (!path.startsWith('/')) fail(stmt, `augment target '${path}' must be an absolute schema node id (start with '/')`);
    const r = this.walkSteps({ kind: 'root' }, path.slice(1), stmt, module);
    return typeof r === 'string' ? undefined : r;
  }

  private walkAbsolute(path: string, stmt: YangStatement, module: ModuleInfo): Target {
    const r = this.walkSteps({ kind: 'root' }, path.slice(1), stmt, module);
    return typeof r === 'string' ? fail(stmt, `'${r}' in augment target '${path}' names no node, choice or case`) : r;
  }

  /** A descendant schema node id `a/b` (refine, uses-augment) among just-expanded nodes. */
  private walkDescendant(sink: Sink, path: string, stmt: YangStatement, module: ModuleInfo): Target {
    const r = this.walkSteps({ kind: 'sink', sink }, path, stmt, module);
    return typeof r === 'string' ? fail(stmt, `'${r}' in '${path}' names no node, choice or case of the grouping`) : r;
  }

  /** The target, or the first step that names nothing. */
  private walkSteps(start: Target, path: string, stmt: YangStatement, module: ModuleInfo): Target | string {
    let at: Target = start;
    for (const step of path.split('/')) {
      const [prefix, local] = splitName(step.trim());
      const moduleName = this.moduleOf(prefix, module, stmt).name;
      const next = this.stepInto(at, local, moduleName);
      if (next === undefined) return step;
      at = next;
    }
    return at;
  }

  private stepInto(at: Target, name: string, moduleName: string): Target | undefined {
    const match = (n: MNode): boolean => n.name === name && n.ns.module === moduleName;
    switch (at.kind) {
      case 'root': {
        const n = this.roots.find(match);
        return n === undefined ? undefined : { kind: 'node', node: n };
      }
      case 'sink': {
        const n = at.sink.children.find((c) => c.name === name);
        if (n !== undefined) return { kind: 'node', node: n };
        const c = at.sink.choices.find((ch) => ch.name === name);
        return c === undefined ? undefined : { kind: 'choice', choice: c, parent: undefined };
      }
      case 'node': {
        const n = at.node.children.find(match);
        if (n !== undefined && !this.inChoice(at.node, n)) return { kind: 'node', node: n };
        const c = at.node.choices.find((ch) => ch.name === name);
        if (c !== undefined) return { kind: 'choice', choice: c, parent: at.node };
        return n === undefined ? undefined : { kind: 'node', node: n };
      }
      case 'choice': {
        const c = at.choice.cases.find((cs) => cs.name === name);
        return c === undefined ? undefined : { kind: 'case', case: c, parent: at.parent };
      }
      case 'case': {
        const n = at.case.nodes.find(match);
        if (n !== undefined) return { kind: 'node', node: n };
        const c = at.case.choices.find((ch) => ch.name === name);
        return c === undefined ? undefined : { kind: 'choice', choice: c, parent: at.parent };
      }
    }
  }

  /** Whether `child` sits in a choice of `node` (then a schema node id must name the choice and case). */
  private inChoice(node: MNode, child: MNode): boolean {
    const inCases = (choices: readonly MChoice[]): boolean => choices.some((c) => c.cases.some((cs) => cs.nodes.includes(child) || inCases(cs.choices)));
    return inCases(node.choices);
  }

  // ---------------------------------------------------------------------------------- types

  private resolveType(typeStmt: YangStatement, scope: Scope, chain: readonly YangStatement[]): { type: SchemaLeafType; default?: string } {
    const [prefix, local] = splitName(argOf(typeStmt));
    const module = scope.module;
    if (prefix === undefined && BUILTIN_CONFD_TYPES.has(local)) return { type: this.builtin(local, typeStmt, scope) };
    const { name: moduleName, info } = this.moduleOf(prefix, module, typeStmt);
    const known = WELL_KNOWN_TYPEDEFS.get(moduleName)?.get(local);
    if (known !== undefined) return { type: this.restrict(known, typeStmt) };
    let found: { stmt: YangStatement; scope: Scope } | undefined;
    if (moduleName === module.name) {
      for (let s: Scope | undefined = scope; s !== undefined && found === undefined; s = s.parent) {
        const t = s.typedefs.get(local);
        if (t !== undefined) found = { stmt: t, scope: s };
      }
      if (found === undefined) fail(typeStmt, `type '${argOf(typeStmt)}' is neither a built-in type nor a typedef of module '${moduleName}'`);
    } else {
      if (info?.scope === undefined) this.notLoaded(typeStmt, moduleName, `type '${argOf(typeStmt)}'`);
      const t = info.scope.typedefs.get(local) ?? fail(typeStmt, `module '${moduleName}' has no top-level typedef '${local}'`);
      found = { stmt: t, scope: info.scope };
    }
    if (chain.includes(found.stmt)) fail(typeStmt, `typedef '${local}' derives from itself`);
    const inner = sub(found.stmt, 'type') ?? fail(found.stmt, `typedef '${local}' has no type`);
    const base = this.resolveType(inner, scopeOf(found.stmt, found.scope.module, found.scope), [...chain, found.stmt]);
    const type: Mutable<SchemaLeafType> = { ...this.restrict(base.type, typeStmt), typedef: `${found.scope.module.prefix}:${local}` };
    const def = sub(found.stmt, 'default')?.arg ?? base.default;
    return def === undefined ? { type } : { type, default: def };
  }

  /** A derived type's restrictions that change values: an enum or bits subset (YANG 1.1). */
  private restrict(base: SchemaLeafType, typeStmt: YangStatement): SchemaLeafType {
    if (base.base === 'enumeration' && subs(typeStmt, 'enum').length > 0) {
      const enums = subs(typeStmt, 'enum').map((e) => base.enums?.find((b) => b.name === e.arg) ?? fail(e, `enum '${e.arg ?? ''}' is not in the base type`));
      return { ...base, enums };
    }
    if (base.base === 'bits' && subs(typeStmt, 'bit').length > 0) {
      const bits = subs(typeStmt, 'bit').map((e) => base.bits?.find((b) => b.name === e.arg) ?? fail(e, `bit '${e.arg ?? ''}' is not in the base type`));
      return { ...base, bits };
    }
    return base;
  }

  private builtin(name: string, typeStmt: YangStatement, scope: Scope): SchemaLeafType {
    const confdType = BUILTIN_CONFD_TYPES.get(name)!;
    switch (name) {
      case 'enumeration': {
        const enums: { name: string; value: number }[] = [];
        let next = 0;
        for (const e of subs(typeStmt, 'enum')) {
          const n = argOf(e);
          if (enums.some((x) => x.name === n)) fail(e, `enum '${n}' appears twice`);
          const vs = sub(e, 'value');
          const value = vs === undefined ? next : Number(vs.arg);
          if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) fail(vs ?? e, `enum '${n}' has no valid 32-bit value`);
          if (enums.some((x) => x.value === value)) fail(vs ?? e, `enum '${n}' repeats the value ${value}`);
          enums.push({ name: n, value });
          next = Math.max(next, value + 1);
        }
        if (enums.length === 0) fail(typeStmt, 'an enumeration needs at least one enum');
        return { base: name, confdType, enums };
      }
      case 'bits': {
        const bits: { name: string; position: number }[] = [];
        let next = 0;
        for (const b of subs(typeStmt, 'bit')) {
          const ps = sub(b, 'position');
          const position = ps === undefined ? next : Number(ps.arg);
          if (!Number.isInteger(position) || position < 0 || position >= 2 ** 32) fail(ps ?? b, `bit '${b.arg ?? ''}' has no valid position`);
          bits.push({ name: argOf(b), position });
          next = Math.max(next, position + 1);
        }
        if (bits.length === 0) fail(typeStmt, 'a bits type needs at least one bit');
        return { base: name, confdType: bitsConfdType(Math.max(...bits.map((b) => b.position))), bits };
      }
      case 'decimal64': {
        const fd = sub(typeStmt, 'fraction-digits') ?? fail(typeStmt, 'decimal64 needs fraction-digits');
        const fractionDigits = Number(fd.arg);
        if (!Number.isInteger(fractionDigits) || fractionDigits < 1 || fractionDigits > 18) fail(fd, `fraction-digits must be 1..18, not '${fd.arg ?? ''}'`);
        return { base: name, confdType, fractionDigits };
      }
      case 'union': {
        const members = subs(typeStmt, 'type').map((m) => this.resolveType(m, scope, []).type);
        if (members.length === 0) fail(typeStmt, 'a union needs member types');
        return { base: name, confdType, members };
      }
      case 'leafref': {
        const p = sub(typeStmt, 'path') ?? fail(typeStmt, 'leafref needs a path');
        return { base: name, confdType, path: argOf(p) };
      }
      case 'identityref': {
        const bases = subs(typeStmt, 'base');
        if (bases.length === 0) fail(typeStmt, 'identityref needs a base');
        const identities = bases.flatMap((b) => this.derivedIdentities(b, scope.module));
        return { base: name, confdType, identities };
      }
      default:
        return { base: name, confdType };
    }
  }

  /** Every identity derived, directly or not, from the identity `base` names. */
  private derivedIdentities(baseStmt: YangStatement, module: ModuleInfo): SchemaIdentity[] {
    const [prefix, local] = splitName(argOf(baseStmt));
    const { name: baseModule } = this.moduleOf(prefix, module, baseStmt);
    if (!this.identities.get(baseModule)?.has(local)) {
      if (!this.modules.has(baseModule)) this.notLoaded(baseStmt, baseModule, `identity '${argOf(baseStmt)}'`);
      fail(baseStmt, `identity '${local}' is not defined in module '${baseModule}'`);
    }
    const out: SchemaIdentity[] = [];
    const derives = (idStmt: YangStatement, m: ModuleInfo, seen: Set<YangStatement>): boolean => {
      if (seen.has(idStmt)) return false;
      seen.add(idStmt);
      return subs(idStmt, 'base').some((b) => {
        const [p, l] = splitName(argOf(b));
        const bm = this.moduleOf(p, m, b).name;
        if (bm === baseModule && l === local) return true;
        const next = this.identities.get(bm)?.get(l);
        const nm = this.modules.get(bm);
        return next !== undefined && nm !== undefined && derives(next, nm, seen);
      });
    };
    for (const m of this.order) {
      for (const [name, stmt] of this.identities.get(m.name) ?? []) {
        if (derives(stmt, m, new Set())) out.push({ name, prefix: m.prefix, nsHash: m.ns.hash, idHash: phash2(name) });
      }
    }
    return out;
  }

  private resolveLeafref(p: PendingLeafref, stack: readonly MNode[]): void {
    const node = p.node;
    if (node.type === undefined || this.resolvedLeafrefs.has(node) || stack.includes(node)) return;
    this.resolvedLeafrefs.add(node);
    const target = this.leafrefTarget(p);
    const path = p.path;
    if (target === undefined || target.type === undefined) {
      this.warnings.push(`${where(p.stmt)}: leafref path '${path}' does not resolve to a leaf; typed as string`);
      node.type = { ...node.type, base: 'leafref', confdType: BUILTIN_CONFD_TYPES.get('string')!, path };
      return;
    }
    const pendingTarget = this.leafrefs.find((q) => q.node === target);
    if (pendingTarget !== undefined) this.resolveLeafref(pendingTarget, [...stack, node]);
    const t: Mutable<SchemaLeafType> = { base: 'leafref', confdType: target.type!.confdType, path };
    for (const f of TYPE_DETAIL_FIELDS) if (target.type![f] !== undefined) (t as Record<string, unknown>)[f] = target.type![f];
    if (node.type.typedef !== undefined) t.typedef = node.type.typedef;
    node.type = t;
  }

  private leafrefTarget(p: PendingLeafref): MNode | undefined {
    const steps = p.path
      .replace(/\[[^\]]*\]/g, '')
      .split('/')
      .map((s) => s.trim());
    // The context node of a relative path is the leaf itself; '..' from a top-level node is the root.
    let at: MNode | undefined = p.path.trim().startsWith('/') ? undefined : p.node;
    for (const step of steps) {
      if (step === '' || step === '.') continue;
      if (step === '..') {
        if (at === undefined) return undefined;
        at = at.parent;
        continue;
      }
      const [, local] = splitName(step);
      at = (at === undefined ? this.roots : at.children).find((n) => n.name === local);
      if (at === undefined) return undefined;
    }
    return at !== undefined && (at.kind === 'leaf' || at.kind === 'leaf-list') ? at : undefined;
  }
}

type Target =
  | { readonly kind: 'root' }
  | { readonly kind: 'sink'; readonly sink: Sink }
  | { readonly kind: 'node'; readonly node: MNode }
  | { readonly kind: 'choice'; readonly choice: MChoice; readonly parent: MNode | undefined }
  | { readonly kind: 'case'; readonly case: MCase; readonly parent: MNode | undefined };

/** A compiled schema file given as bytes (`path` names it in errors). */
export interface SchemaBytesSource {
  readonly path: string;
  readonly bytes: Uint8Array;
}

function readSource(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new SchemaError('NSOMOCK_SCHEMA_INVALID', 'load schema', `cannot read the file (${(e as Error).message})`, { file: path }, e);
  }
}

/**
 * Loads data models into a `Schema`: each source is a file path (`*.fxs` read as a compiled schema,
 * anything else as YANG text), `{ path, text }` (YANG) or `{ path, bytes }` (`.fxs`). YANG modules
 * may come in any order (imports, augments and includes resolve across all of them);
 * `ietf-inet-types` and `ietf-yang-types` typedefs are known without their files (docs/schemas.md).
 * Namespaces and roots keep the order of the sources.
 * @example
 *   const schema = loadSchema(['examples/models/mk.yang']);
 *   schema.roots[0]!.name // 'sys'
 * @throws SchemaError `NSOMOCK_SCHEMA_INVALID` with file:line:col (syntax, unknown grouping/typedef/prefix, bad key, bad type), or a malformed .fxs
 */
export function loadSchema(sources: readonly (string | SchemaSource | SchemaBytesSource)[]): Schema {
  const parts: ({ kind: 'yang'; tree: YangStatement } | { kind: 'fxs'; schema: Schema })[] = sources.map((s) => {
    if (typeof s === 'string') {
      const bytes = readSource(s);
      if (s.endsWith('.fxs')) return { kind: 'fxs', schema: readFxs(bytes, s) };
      return { kind: 'yang', tree: parseYang(bytes.toString('utf8'), s) };
    }
    if ('bytes' in s) return { kind: 'fxs', schema: readFxs(s.bytes, s.path) };
    return { kind: 'yang', tree: parseYang(s.text, s.path) };
  });
  const yang = new Compiler(parts.flatMap((p) => (p.kind === 'yang' ? [p.tree] : []))).compile();
  const fxs = parts.flatMap((p) => (p.kind === 'fxs' ? [p.schema] : []));
  if (fxs.length === 0) return yang;
  const namespaces: SchemaNamespace[] = [];
  for (const p of parts) {
    if (p.kind === 'fxs') namespaces.push(...p.schema.namespaces);
    else if (p.tree.keyword === 'module') namespaces.push(...yang.namespaces.filter((ns) => ns.module === p.tree.arg));
  }
  for (const ns of namespaces) {
    if (namespaces.filter((n) => n.uri === ns.uri).length > 1) {
      throw new SchemaError('NSOMOCK_SCHEMA_INVALID', 'load schema', `namespace '${ns.uri}' is loaded twice (a .yang and an .fxs of the same module?)`, {});
    }
  }
  const all = [yang, ...fxs];
  const roots = namespaces.flatMap((ns) => all.flatMap((s) => s.roots.filter((r) => r.ns === ns)));
  const hashes = new Map<string, number>();
  for (const s of all) for (const [k, v] of s.hashes) hashes.set(k, v);
  const merged: Mutable<Schema> = { namespaces, roots, hashes };
  if (yang.warnings !== undefined) merged.warnings = yang.warnings;
  return merged;
}
