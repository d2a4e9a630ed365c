/**
 * Scenario files -> `Scenario`. Three passes, so that one run reports every problem:
 * 1. read each file (following `include`, cycle-checked), parse YAML with the `yaml` library
 *    (positions via a LineCounter) and validate it against the schema (validate.ts);
 * 2. merge defaults, options, profile and seed in execution order (includes first, the including
 *    file last, so it wins);
 * 3. compile the steps that passed the schema and run the semantic checks (compile.ts).
 * Any problem anywhere -> one ScenarioError listing all of them as `file:line:col: path: expected
 * X, found Y`.
 */
import { readFile as fsReadFile, readFile as fsReadBytes } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { resolveProfile, type ProfileSetting } from '../codec/index.js';
import { checkScenarioBody } from './body-limits.js';
import { compileStep, DURATION_EXPECTED, emptyHistory, mayStartHandshake, ms, type CompileContext } from './compile.js';
import { scenarioError, type ScenarioProblem } from './errors.js';
import {
  DEFAULT_ACK_TIMEOUT_MS,
  type Scenario,
  type ScenarioDefaults,
  type ScenarioDocument,
  type ScenarioOptions,
  type ScenarioOptionsDocument,
  type ScenarioProfile,
  type SourceLocation,
  type Step,
} from './scenario.js';
import { formatPath, YamlSource, type DocPath, type Position } from './source.js';
import { scenarioExtensions } from './steps/extensions.js';
import { checkScenarioDocument, type SchemaProblem } from './validate.js';
import { loadSchema, SchemaError, type Schema, type SchemaBytesSource, type SchemaSource } from '../schema/index.js';

/** Options of {@link loadScenario}, {@link parseScenario} and {@link scenarioFromDocument}. */
export interface LoadScenarioOptions {
  /** Reads an included (or the given) file as UTF-8 text. Default: `fs.readFile`. */
  readonly readFile?: (path: string) => Promise<string>;
  /** File names in messages are relative to this directory when inside it. Default: `process.cwd()`. */
  readonly displayRoot?: string;
  /** Overrides the profile the files ask for (the CLI's `--profile`; `auto`: per connection). */
  readonly profile?: ProfileSetting;
  /**
   * Skips the schema validation of an in-memory document known to be valid (a built-in one
   * covered by a test); the semantic checks and compilation still run. Never use it for input.
   */
  readonly trusted?: boolean;
}

interface FileNode {
  readonly path: string;
  readonly display: string;
  readonly value: unknown;
  readonly locate: (path: DocPath, anchor?: 'value' | 'key') => Position | undefined;
  readonly problems: ScenarioProblem[];
  /** Whether a problem is about an include (for the error code). */
  readonly includeProblems: Set<ScenarioProblem>;
  readonly schemaProblemPaths: DocPath[];
  readonly includes: FileNode[];
}

/**
 * Where a problem without a position of its own is reported (an in-memory document, an unreadable
 * file, the document as a whole): line 1, column 1, so editors and CI annotations still point into
 * the file instead of dropping a line-0 annotation.
 */
const START: Position = { line: 1, column: 1 };

function defaultReadFile(path: string): Promise<string> {
  return fsReadFile(path, 'utf8');
}

function displayName(path: string, root: string): string {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * Loads a scenario file and everything it includes.
 * @throws ScenarioError `NSOMOCK_SCENARIO_INVALID` listing every problem (YAML, schema, semantics),
 *   or `NSOMOCK_SCENARIO_INCLUDE` when the only problems are includes (unreadable, cyclic)
 * @example
 *   const scenario = await loadScenario('examples/commit-diff-ack.yaml');
 */
export async function loadScenario(file: string, options: LoadScenarioOptions = {}): Promise<Scenario> {
  const root = options.displayRoot ?? process.cwd();
  const path = resolve(root, file);
  const read = options.readFile ?? defaultReadFile;
  let text: string;
  try {
    text = await read(path);
  } catch (error) {
    const display = displayName(path, root);
    throw scenarioError(
      display,
      [{ file: display, ...START, path: '(root)', expected: 'a readable scenario file', found: readFailure(error) }],
      'NSOMOCK_SCENARIO_INVALID',
    );
  }
  return finish(await readTree(path, text, [path], { ...options, displayRoot: root, readFile: read }), { ...options, displayRoot: root, readFile: read });
}

/**
 * Loads a scenario from YAML text; `file` names it in messages and anchors relative includes.
 * @throws ScenarioError as {@link loadScenario}
 * @example
 *   await parseScenario('name: x\nsteps:\n  - wait: 10ms\n', { file: 'inline.yaml' })
 */
export async function parseScenario(text: string, options: LoadScenarioOptions & { readonly file?: string } = {}): Promise<Scenario> {
  const root = options.displayRoot ?? process.cwd();
  const path = resolve(root, options.file ?? 'scenario.yaml');
  return finish(await readTree(path, text, [path], { ...options, displayRoot: root, readFile: options.readFile ?? defaultReadFile }), { ...options, displayRoot: root, readFile: options.readFile ?? defaultReadFile });
}

/**
 * Validates and compiles an in-memory document (the same shape as a YAML file). Positions in
 * messages are omitted; includes are relative to `displayRoot`.
 * @throws ScenarioError as {@link loadScenario}
 * @example
 *   const scenario = await scenarioFromDocument({ name: 'demo', steps: [{ emit: { type: 'heartbeat' } }] });
 */
export async function scenarioFromDocument(document: ScenarioDocument, options: LoadScenarioOptions = {}): Promise<Scenario> {
  const root = options.displayRoot ?? process.cwd();
  // Before the clone and the schema check, which both recurse (as readTree does for text).
  const tooMuch = checkScenarioBody(document, '(document)');
  if (tooMuch !== undefined) throw scenarioError('(document)', [tooMuch], 'NSOMOCK_SCENARIO_INVALID');
  const node = await buildNode(resolve(root, '(document)'), '(document)', structuredClone(document), () => undefined, [], {
    ...options,
    displayRoot: root,
    readFile: options.readFile ?? defaultReadFile,
  });
  return finish(node, { ...options, displayRoot: root, readFile: options.readFile ?? defaultReadFile });
}

type ResolvedOptions = LoadScenarioOptions & { readonly displayRoot: string; readonly readFile: (path: string) => Promise<string> };

async function readTree(path: string, text: string, stack: readonly string[], options: ResolvedOptions): Promise<FileNode> {
  const display = displayName(path, options.displayRoot);
  // Depth and size before the YAML parser, which recurses: a file nested thousands deep (a posted
  // scenario or any include) overflowed its stack into "Maximum call stack size exceeded".
  const tooMuch = checkScenarioBody(text, display);
  if (tooMuch !== undefined) {
    return { path, display, value: undefined, locate: () => undefined, problems: [tooMuch], includeProblems: new Set(), schemaProblemPaths: [], includes: [] };
  }
  const source = await YamlSource.parse(display, text);
  const syntax: ScenarioProblem[] = source.syntaxProblems.map((p) => ({
    file: display,
    line: p.line,
    column: p.column,
    path: '(yaml)',
    expected: 'valid YAML',
    found: p.message,
  }));
  // Files are never trusted (only an in-memory document can be).
  const node = await buildNode(path, display, source.value, (p, anchor) => source.locate(p, anchor), stack, { ...options, trusted: false }, syntax.length > 0);
  node.problems.unshift(...syntax);
  return node;
}

async function buildNode(
  path: string,
  display: string,
  value: unknown,
  locate: (path: DocPath, anchor?: 'value' | 'key') => Position | undefined,
  stack: readonly string[],
  options: ResolvedOptions,
  broken = false,
): Promise<FileNode> {
  const problems: ScenarioProblem[] = [];
  const node: FileNode = { path, display, value, locate, problems, includeProblems: new Set(), schemaProblemPaths: [], includes: [] };
  if (broken) return node;
  const at = (p: DocPath, anchor: 'value' | 'key' = 'value'): Position => locate(p, anchor) ?? START;
  const schemaProblems: SchemaProblem[] =
    value === undefined || value === null
      ? [{ path: [], anchor: 'value', expected: 'a scenario: a mapping with name and steps', found: 'an empty document' }]
      : options.trusted === true
        ? []
        : checkScenarioDocument(value);
  for (const p of schemaProblems) {
    const { line, column } = at(p.path, p.anchor);
    problems.push({ file: display, line, column, path: formatPath(p.path), expected: p.expected, found: p.found });
    node.schemaProblemPaths.push(p.path);
  }
  const include = isRecord(value) ? value['include'] : undefined;
  if (!Array.isArray(include)) return node;
  for (const [i, entry] of include.entries()) {
    if (typeof entry !== 'string' || entry === '') continue;
    const target = resolve(dirname(path), entry);
    const { line, column } = at(['include', i]);
    const where = { file: display, line, column, path: formatPath(['include', i]) };
    if (stack.includes(target)) {
      const cycle = [...stack.slice(stack.indexOf(target)), target].map((p) => displayName(p, options.displayRoot)).join(' → ');
      const problem = { ...where, expected: `a file that does not include ${display} again`, found: `the cycle ${cycle}` };
      problems.push(problem);
      node.includeProblems.add(problem);
      continue;
    }
    let text: string;
    try {
      text = await options.readFile(target);
    } catch (error) {
      const problem = { ...where, expected: 'a readable scenario file', found: `${entry}: ${readFailure(error)}` };
      problems.push(problem);
      node.includeProblems.add(problem);
      continue;
    }
    node.includes.push(await readTree(target, text, [...stack, target], options));
  }
  return node;
}

function readFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/** Whether the top-level field `key` of a node passed the schema. */
function fieldValid(node: FileNode, key: string): boolean {
  return !node.schemaProblemPaths.some((p) => p.length === 0 || p[0] === key);
}

function executionOrder(node: FileNode): FileNode[] {
  return [...node.includes.flatMap(executionOrder), node];
}

/** The scenario's models: `schema:` of the last file (in execution order) that names them, relative to that file. */
interface ScenarioModels {
  readonly node: FileNode;
  readonly files: readonly string[];
}

function scenarioModels(files: readonly FileNode[]): ScenarioModels | undefined {
  let found: ScenarioModels | undefined;
  for (const node of files) {
    const list = isRecord(node.value) ? node.value['schema'] : undefined;
    if (!Array.isArray(list) || !fieldValid(node, 'schema')) continue;
    found = { node, files: list.filter((f): f is string => typeof f === 'string').map((f) => resolve(dirname(node.path), f)) };
  }
  return found;
}

/**
 * Loads the models `schema:` names (docs/maapi.md), read through the scenario's reader so the same
 * rules apply as to includes (the control API's --control-root). A model that does not load is a
 * problem at the model's file:line:col (or at the `schema:` entry when it cannot be read).
 */
async function loadModels(models: ScenarioModels, options: ResolvedOptions, problems: ScenarioProblem[]): Promise<Schema | undefined> {
  const sources: (SchemaSource | SchemaBytesSource)[] = [];
  for (const [i, file] of models.files.entries()) {
    try {
      const text = await options.readFile(file);
      sources.push(file.endsWith('.fxs') ? { path: file, bytes: new Uint8Array(await fsReadBytes(file)) } : { path: file, text });
    } catch (error) {
      const pos = models.node.locate(['schema', i]) ?? START;
      problems.push({ file: models.node.display, ...pos, path: formatPath(['schema', i]), expected: 'a readable model file (.yang or .fxs)', found: readFailure(error) });
    }
  }
  if (sources.length < models.files.length) return undefined;
  try {
    return loadSchema(sources);
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    const d = error.details;
    const i = d.file === undefined ? -1 : models.files.indexOf(d.file);
    const at =
      d.file !== undefined && d.line !== undefined
        ? { file: displayName(d.file, options.displayRoot), line: d.line, column: d.column ?? 1 }
        : { file: models.node.display, ...(models.node.locate(i < 0 ? ['schema'] : ['schema', i]) ?? START) };
    problems.push({ ...at, path: formatPath(i < 0 ? ['schema'] : ['schema', i]), expected: 'a model that loads (docs/schemas.md)', found: error.reason });
    return undefined;
  }
}

async function finish(top: FileNode, options: ResolvedOptions): Promise<Scenario> {
  const files = executionOrder(top);
  const doc = (node: FileNode): Partial<ScenarioDocument> => (isRecord(node.value) ? (node.value as Partial<ScenarioDocument>) : {});

  // Pass 2: merge in execution order; the including file comes last and wins.
  let profile: ProfileSetting | undefined;
  let seed: number | undefined;
  let defaults: ScenarioDefaults = {};
  let optionsDoc: ScenarioOptionsDocument = {};
  const extensionSettings: Record<string, unknown> = {};
  for (const node of files) {
    const d = doc(node);
    for (const extension of scenarioExtensions) {
      const key = extension.key;
      if (key === undefined || !fieldValid(node, key)) continue;
      const value = (d as Record<string, unknown>)[key];
      if (value !== undefined) extensionSettings[key] = isRecord(value) && isRecord(extensionSettings[key]) ? { ...extensionSettings[key], ...value } : value;
    }
    if (d.profile !== undefined && fieldValid(node, 'profile')) profile = d.profile;
    if (d.seed !== undefined && fieldValid(node, 'seed')) seed = d.seed;
    if (d.defaults !== undefined && fieldValid(node, 'defaults')) {
      const uinfo = { ...defaults.uinfo, ...d.defaults.uinfo };
      defaults = { ...defaults, ...d.defaults, ...(Object.keys(uinfo).length > 0 ? { uinfo } : {}) };
    }
    if (d.options !== undefined && fieldValid(node, 'options')) optionsDoc = { ...optionsDoc, ...d.options };
  }
  const setting = options.profile ?? profile ?? 'auto';
  const effectiveProfile: ScenarioProfile = setting === 'auto' ? 'auto' : resolveProfile(setting);
  const problems: ScenarioProblem[] = files.flatMap((f) => f.problems);
  // The models, so commit-diff changes/data are checked against them now, each at its position.
  const models = scenarioModels(files);
  const schema = models === undefined || models.files.length === 0 ? undefined : await loadModels(models, options, problems);

  // Pass 3: compile every schema-valid step, in execution order.
  const history = emptyHistory();
  const steps: Step[] = [];
  const includeOnly = new Set(files.flatMap((f) => [...f.includeProblems]));
  for (const node of files) {
    const list = doc(node).steps;
    if (!Array.isArray(list)) continue;
    const semantic: SchemaProblem[] = [];
    const location = (path: DocPath, anchor: 'value' | 'key' = 'value'): SourceLocation => {
      const pos = node.locate(path, anchor) ?? { line: 0, column: 0 };
      return { file: node.display, line: pos.line, column: pos.column, path: formatPath(path) };
    };
    const ctx: CompileContext = { profile: effectiveProfile === 'auto' ? undefined : effectiveProfile, defaults, locate: (p) => location(p), history, problems: semantic, ...(schema === undefined ? {} : { schema }) };
    list.forEach((step, i) => {
      const invalid = node.schemaProblemPaths.some((p) => p[0] === 'steps' && p[1] === i);
      if (invalid) {
        if (mayStartHandshake(step)) history.complete = false;
        return;
      }
      steps.push(compileStep(step, ['steps', i], ctx));
    });
    for (const p of semantic) {
      const pos = node.locate(p.path, p.anchor) ?? START;
      problems.push({ file: node.display, line: pos.line, column: pos.column, path: formatPath(p.path), expected: p.expected, found: p.found });
    }
  }
  problems.push(...checkExtensions(steps, extensionSettings));
  // Only a trusted document can reach here with a bad duration (the schema refuses them): report
  // it at the including file's options rather than run with a default.
  const optionMs = (key: 'event-reply-timeout' | 'write-stall-timeout' | 'input-stall-timeout' | 'ack-timeout', fallback: number): number =>
    ms(optionsDoc[key], fallback, (found) => {
      const pos = top.locate(['options', key]) ?? START;
      problems.push({ file: top.display, line: pos.line, column: pos.column, path: formatPath(['options', key]), expected: DURATION_EXPECTED, found });
    });
  const resolvedOptions: ScenarioOptions = {
    ...(optionsDoc.strict === undefined ? {} : { strict: optionsDoc.strict }),
    ...(optionsDoc['event-reply-timeout'] === undefined ? {} : { eventReplyTimeoutMs: optionMs('event-reply-timeout', 0) }),
    ...(optionsDoc['write-stall-timeout'] === undefined ? {} : { writeStallTimeoutMs: optionMs('write-stall-timeout', 0) }),
    ...(optionsDoc['input-stall-timeout'] === undefined ? {} : { inputStallTimeoutMs: optionMs('input-stall-timeout', 0) }),
    ...(optionsDoc['max-frame-bytes'] === undefined ? {} : { maxFrameBytes: optionsDoc['max-frame-bytes'] }),
    ...(optionsDoc['max-subscribe-frame-bytes'] === undefined ? {} : { maxSubscribeFrameBytes: optionsDoc['max-subscribe-frame-bytes'] }),
    ...(optionsDoc['max-decoded-bytes'] === undefined ? {} : { maxDecodedBytes: optionsDoc['max-decoded-bytes'] }),
    ...(optionsDoc['max-subscribe-decoded-bytes'] === undefined ? {} : { maxSubscribeDecodedBytes: optionsDoc['max-subscribe-decoded-bytes'] }),
    ...(optionsDoc['journal-max-bytes'] === undefined ? {} : { journalMaxBytes: optionsDoc['journal-max-bytes'] }),
    ackTimeoutMs: optionMs('ack-timeout', DEFAULT_ACK_TIMEOUT_MS),
    failFast: optionsDoc['fail-fast'] ?? true,
    requireAcks: optionsDoc['require-acks'] ?? true,
  };
  if (problems.length > 0) {
    const code = problems.every((p) => includeOnly.has(p)) ? 'NSOMOCK_SCENARIO_INCLUDE' : 'NSOMOCK_SCENARIO_INVALID';
    throw scenarioError(top.display, problems, code);
  }
  const d = doc(top);
  return {
    name: typeof d.name === 'string' ? d.name : top.display,
    ...(typeof d.description === 'string' ? { description: d.description } : {}),
    ...(top.display === '(document)' ? {} : { file: top.display }),
    profile: effectiveProfile,
    ...(seed === undefined ? {} : { seed }),
    defaults,
    options: resolvedOptions,
    steps,
    extensions: extensionSettings,
    ...(models === undefined || models.files.length === 0 ? {} : { schemaFiles: models.files }),
  };
}

/** Each extension's whole-scenario check, over its steps in execution order (nested ones included). */
function checkExtensions(steps: readonly Step[], settings: Readonly<Record<string, unknown>>): ScenarioProblem[] {
  const flat = (list: readonly Step[]): Step[] => list.flatMap((s) => [s, ...('steps' in s ? flat(s.steps) : [])]);
  const all = flat(steps);
  const problems: ScenarioProblem[] = [];
  for (const extension of scenarioExtensions) {
    if (extension.checkSteps === undefined) continue;
    const own = all.filter((s): s is Step & { kind: 'extension' } => s.kind === 'extension' && extension.steps.some((k) => k.kind === s.extension));
    const config = extension.key === undefined ? undefined : settings[extension.key];
    for (const p of extension.checkSteps(config, own.map((s, index) => ({ kind: s.extension, body: s.body, index })))) {
      const step = own[p.step];
      if (step === undefined) continue;
      const path = formatPath([step.extension, ...p.path]);
      problems.push({ ...step.at, path: `${step.at.path}.${path}`, expected: p.expected, found: p.found });
    }
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
