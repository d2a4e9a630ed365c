/**
 * A parsed YAML file that remembers where every value was written, so a problem found in the
 * plain JS value (by path) can be reported as `file:line:column`. Uses the `yaml` library's node
 * ranges and a LineCounter.
 */
import type { Document, Node } from 'yaml';

type YamlModule = typeof import('yaml');

let yamlModule: YamlModule | undefined;

/** The `yaml` library, loaded on first use (it is not needed on the CLI's `serve` startup path). */
async function loadYaml(): Promise<YamlModule> {
  yamlModule ??= await import('yaml');
  return yamlModule;
}

/**
 * How far aliases may expand (the yaml library's `maxAliasCount`): enough for any hand-written
 * reuse of anchors, far below what an alias bomb needs.
 */
const MAX_ALIAS_COUNT = 1000;

/** A path into a document: mapping keys and list indexes. */
export type DocPath = readonly (string | number)[];

/** A 1-based position. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Which part of a mapping entry a problem is about. */
export type Anchor = 'value' | 'key';

/** A YAML syntax problem. */
export interface SyntaxProblem extends Position {
  readonly message: string;
}

/**
 * Formats a path as written in messages: `steps[3].emit.th`; the root is `(root)`.
 * @example
 *   formatPath(['steps', 3, 'emit', 'th']) // 'steps[3].emit.th'
 */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(root)' : out;
}

/** One YAML file: its JS value, its syntax problems and the positions of its nodes. */
export class YamlSource {
  readonly file: string;
  readonly value: unknown;
  readonly syntaxProblems: readonly SyntaxProblem[];
  readonly #doc: Document.Parsed;
  readonly #lines: InstanceType<YamlModule['LineCounter']>;
  readonly #yaml: YamlModule;

  /**
   * Parses YAML text.
   * @example
   *   const source = await YamlSource.parse('a.yaml', 'name: x\n');
   *   source.locate(['name']) // { line: 1, column: 7 }
   */
  static async parse(file: string, text: string): Promise<YamlSource> {
    return new YamlSource(file, text, await loadYaml());
  }

  private constructor(file: string, text: string, yaml: YamlModule) {
    const { LineCounter, parseDocument } = yaml;
    this.#yaml = yaml;
    this.file = file;
    this.#lines = new LineCounter();
    // uniqueKeys (the default) reports duplicate keys; YAML 1.2 core schema: `on`/`yes` stay strings,
    // `2026-01-01T00:00:00Z` stays a string.
    this.#doc = parseDocument(text, { lineCounter: this.#lines, prettyErrors: false, version: '1.2' });
    const problems: SyntaxProblem[] = [];
    for (const error of [...this.#doc.errors, ...this.#doc.warnings]) {
      const { line, col } = this.#lines.linePos(error.pos[0]);
      problems.push({ line, column: col, message: error.message.split('\n')[0] ?? error.message });
    }
    let value: unknown;
    if (this.#doc.errors.length === 0) {
      try {
        value = this.#doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (error) {
        // An alias bomb ("billion laughs": aliases of aliases, 9^8 nodes from 10 lines) makes the
        // yaml library throw a ReferenceError; it is bad input like any syntax error, so it is
        // reported at the first alias rather than escaping as an internal error.
        const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
        problems.push({ ...(this.#firstAlias() ?? { line: 1, column: 1 }), message: `${reason} (aliases expand past maxAliasCount ${MAX_ALIAS_COUNT})` });
      }
    }
    this.syntaxProblems = problems;
    this.value = value;
  }

  /** The position of the first alias (`*name`) in the document, if any. */
  #firstAlias(): Position | undefined {
    let found: Position | undefined;
    const { visit } = this.#yaml;
    visit(this.#doc, {
      Alias: (_key, node) => {
        found = this.#position(node);
        return visit.BREAK;
      },
    });
    return found;
  }

  /**
   * The position of the value (or, with `anchor: 'key'`, of the mapping key) at `path`; when the
   * path does not exist, the position of its nearest existing ancestor.
   */
  locate(path: DocPath, anchor: Anchor = 'value'): Position {
    const { isMap, isPair, isSeq } = this.#yaml;
    let node: unknown = this.#doc.contents;
    let position = this.#position(node) ?? { line: 1, column: 1 };
    for (let i = 0; i < path.length; i += 1) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && this.#keyText(p.key) === String(segment));
        if (pair === undefined) return position;
        if (last && anchor === 'key') return this.#position(pair.key) ?? position;
        node = pair.value;
        // `key:` with no value: point at the key.
        position = this.#position(node) ?? this.#position(pair.key) ?? position;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined) return position;
        node = item;
        position = this.#position(node) ?? position;
      } else {
        return position;
      }
    }
    return position;
  }

  #keyText(key: unknown): string | undefined {
    return this.#yaml.isScalar(key) ? String(key.value) : undefined;
  }

  #position(node: unknown): Position | undefined {
    const range = (node as Node | null | undefined)?.range;
    if (range === undefined || range === null) return undefined;
    const { line, col } = this.#lines.linePos(range[0]);
    return { line, column: col };
  }
}
