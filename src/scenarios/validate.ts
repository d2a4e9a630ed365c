/**
 * Schema validation of scenario documents with readable errors.
 *
 * Ajv validates against the shipped `scenario.schema.json`, but never against the whole
 * `steps` union at once: its raw anyOf output for a bad step is dozens of lines about step kinds
 * the author never meant. Instead the validator dispatches first (the step kind key; for `emit` the
 * notification `type`; for `fault` its `kind`) and validates the body against that one definition.
 * Inside a definition the remaining unions (durations, selectors, enum-or-number fields) are
 * resolved by shape: when exactly one branch fits the value's shape and it is a mapping or list,
 * its own errors are reported; otherwise one problem describes the whole union.
 *
 * The validators of the top level and of every definition are generated at build time (Ajv
 * standalone code, scripts/build-validators.mjs, dist/scenarios/scenario-validators.cjs), so a
 * run loads no Ajv and compiles nothing; Ajv is loaded on first use (synchronously, through
 * `createRequire`) only for what was not generated (see validatorOf).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AnySchema, ErrorObject, ValidateFunction } from 'ajv';
import { DURATION_PATTERN, durationStringInRange, MAX_DURATION_TEXT, parseDuration } from './duration.js';
import { scenarioJsonSchema } from './shipped-schema.js';
import { FAULT_KINDS, SCENARIO_SCHEMA_ID, STEP_KINDS } from './scenario.js';
import type { DocPath } from './source.js';
import { extensionStepKinds } from './steps/extensions.js';

/** One schema problem, before it is given a file position. */
export interface SchemaProblem {
  readonly path: DocPath;
  /** Whether the position is the value or (for unknown fields) the key. */
  readonly anchor: 'value' | 'key';
  readonly expected: string;
  readonly found: string;
}

type JsonObject = { readonly [key: string]: unknown };

const requireCjs = createRequire(import.meta.url);

const DEFINITIONS_PREFIX = '#/definitions/';

/** Every step key the validator knows, built-in and extension. */
const allStepKinds: readonly string[] = [...STEP_KINDS, ...extensionStepKinds.map((e) => e.kind)];

/**
 * The notification types, from the schema: the `emit-<type>` definitions the `emit` body's union
 * refers to (the `emit-raw` step's body is also named `emit-…`, but is no notification type).
 */
const notificationTypes: readonly string[] = (
  ((scenarioJsonSchema() as { definitions: JsonObject }).definitions['emit'] as { anyOf?: { $ref?: string }[] } | undefined)?.anyOf ?? []
)
  .map((r) => r.$ref ?? '')
  .filter((ref) => ref.startsWith('#/definitions/emit-'))
  .map((ref) => ref.slice('#/definitions/emit-'.length));

// ---------------------------------------------------------------------------------------------
// The schemas, and their validators: generated at build time, else compiled by Ajv on first use
// ---------------------------------------------------------------------------------------------

/** The schemas validated against (plain JSON, no Ajv): the top level and every definition. */
export interface PreparedSchemas {
  /** The top level, with `steps` checked only for being a list (steps are dispatched one by one). */
  readonly root: JsonObject;
  readonly definitions: Readonly<Record<string, JsonObject>>;
  /** The whole schema with these definitions, as Ajv registers it (refs resolve against it). */
  readonly registered: JsonObject;
  /** The validator name of each schema above (`#root`, or the definition's name). */
  readonly names: ReadonlyMap<JsonObject, string>;
}

let prepared: PreparedSchemas | undefined;

/** Rewrites `#/definitions/x` into absolute refs so any sub-schema compiles on its own. */
function absolutize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absolutize);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith(DEFINITIONS_PREFIX) ? `${SCENARIO_SCHEMA_ID}${v}` : absolutize(v);
  }
  return out;
}

/**
 * The schemas the validator uses, prepared once. Internal (not exported by the layer's index):
 * scripts/build-validators.mjs generates a validator for each from the same preparation.
 * @example
 *   Object.keys(preparedSchemas().definitions) // ['duration', 'step', 'emit-audit', …]
 */
export function preparedSchemas(): PreparedSchemas {
  if (prepared !== undefined) return prepared;
  const root = absolutize(scenarioJsonSchema()) as JsonObject & { definitions: Record<string, JsonObject> };
  // Nested steps are validated by the dispatcher, one at a time (see the header comment).
  const definitions: Record<string, JsonObject> = { ...root.definitions, duration: boundDuration(root.definitions['duration']), step: { title: 'step' } };
  const { definitions: _all, ...top } = root;
  void _all;
  const rootProperties = { ...(top['properties'] as JsonObject), steps: { type: 'array' } };
  const rootSchema: JsonObject = { ...top, properties: rootProperties };
  const names = new Map<JsonObject, string>([[rootSchema, ROOT_VALIDATOR]]);
  for (const [name, schema] of Object.entries(definitions)) names.set(schema, name);
  prepared = { root: rootSchema, definitions, registered: { ...root, definitions }, names };
  return prepared;
}

/** The name of the top-level validator among the generated ones. */
export const ROOT_VALIDATOR = '#root';

/**
 * An Ajv instance set up as the validator needs it (options, the duration-bound keyword, the whole
 * schema registered). Internal: also used by scripts/build-validators.mjs, with `source: true`.
 */
export function createScenarioAjv(options: { readonly source?: boolean } = {}): import('ajv').default {
  const ajvModule = requireCjs('ajv') as typeof import('ajv');
  const ajv = new ajvModule.Ajv({ allErrors: true, verbose: true, strict: false, ...(options.source === true ? { code: { source: true } } : {}) });
  // The shipped schema bounds only numeric durations (a pattern cannot bound `1h30m…`); this
  // validator also bounds the strings, through a keyword of its own kept out of the shipped file
  // (Ajv in strict mode, as users run it, refuses unknown keywords). A code keyword, so the
  // generated validators carry it: the function's own source text goes into the generated code.
  ajv.addKeyword({
    keyword: DURATION_BOUND_KEYWORD,
    type: 'string',
    schemaType: 'boolean',
    code(cxt) {
      const { _Code } = requireCjs('ajv/dist/compile/codegen/code.js') as { _Code: new (code: string) => import('ajv').Code };
      const fn = cxt.gen.scopeValue('func', { ref: durationStringInRange, code: new _Code(`(${durationStringInRange.toString()})`) });
      cxt.fail(ajvModule._`!${fn}(${cxt.data})`);
    },
  });
  ajv.addSchema(preparedSchemas().registered as AnySchema);
  return ajv;
}

/** Strips what makes a sub-schema a document of its own (its `$id` and `$schema`). */
export function validatorSchema(schema: JsonObject): JsonObject {
  const { $id: _id, $schema: _schema, ...rest } = schema as Record<string, unknown>;
  void _id;
  void _schema;
  return rest;
}

/** The generated validators next to this module (dist/ after `npm run build`), or null. */
let generated: Readonly<Record<string, ValidateFunction>> | null | undefined;
let runtimeAjv: import('ajv').default | undefined;
const validators = new WeakMap<JsonObject, ValidateFunction>();

function generatedValidators(): Readonly<Record<string, ValidateFunction>> | null {
  if (generated === undefined) {
    const file = new URL(`./${GENERATED_VALIDATORS}`, import.meta.url);
    generated = existsSync(file) ? (requireCjs(fileURLToPath(file)) as Record<string, ValidateFunction>) : null;
  }
  return generated;
}

/** The file scripts/build-validators.mjs writes next to the built module. */
export const GENERATED_VALIDATORS = 'scenario-validators.cjs';

/**
 * The validator of one schema: the generated one for the top level and the definitions (no Ajv
 * loaded, nothing compiled: `nso-mock validate` of a small file costs little more than Node's
 * start), Ajv compiled on first use for the rest (the branches of a union an error is reported in)
 * and where no generated file exists (running from src/).
 */
function validatorOf(schema: JsonObject): ValidateFunction {
  let fn = validators.get(schema);
  if (fn !== undefined) return fn;
  const name = preparedSchemas().names.get(schema);
  fn = name === undefined ? undefined : generatedValidators()?.[name];
  if (fn === undefined) {
    runtimeAjv ??= createScenarioAjv();
    fn = runtimeAjv.compile(validatorSchema(schema));
  }
  validators.set(schema, fn);
  return fn;
}

const DURATION_BOUND_KEYWORD = 'x-nso-mock-duration-bound';

/** The `duration` definition with {@link DURATION_BOUND_KEYWORD} on its string branch. */
function boundDuration(duration: JsonObject | undefined): JsonObject {
  if (duration === undefined) throw new Error('scenario schema has no definition duration');
  const branches = duration['anyOf'] as JsonObject[];
  return { ...duration, anyOf: branches.map((b) => (b['type'] === 'string' ? { ...b, [DURATION_BOUND_KEYWORD]: true } : b)) };
}

const DURATION_SHAPE = new RegExp(DURATION_PATTERN);

/**
 * Whether a value is written like a duration but is out of range: a number that is not negative
 * (NaN, infinite or too large) or a well-formed string that adds up to too much. Those get a
 * message naming the maximum rather than the generic "a duration such as 2s".
 */
function outOfRangeDuration(value: unknown): boolean {
  if (typeof value === 'number') return !(value < 0) && parseDuration(value) === undefined;
  return typeof value === 'string' && DURATION_SHAPE.test(value) && parseDuration(value) === undefined;
}

function definition(name: string): JsonObject {
  const found = preparedSchemas().definitions[name];
  if (found === undefined) throw new Error(`scenario schema has no definition ${name}`);
  return found;
}

function deref(schema: unknown): JsonObject {
  let s = schema as JsonObject;
  for (let i = 0; i < 20 && typeof s['$ref'] === 'string'; i += 1) {
    const ref = s['$ref'];
    const name = ref.slice(ref.indexOf(DEFINITIONS_PREFIX) + DEFINITIONS_PREFIX.length);
    s = definition(name);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// The dispatcher
// ---------------------------------------------------------------------------------------------

/**
 * Validates a scenario document (the plain value of a YAML file) and returns every problem found,
 * in document order of discovery; an empty list means valid.
 * @example
 *   checkScenarioDocument({ name: 'x', steps: [{ wait: '2 sec' }] })
 *   // [{ path: ['steps', 0, 'wait'], anchor: 'value', expected: 'a duration …', found: '"2 sec"' }]
 */
export function checkScenarioDocument(value: unknown): SchemaProblem[] {
  const problems = checkAgainst(preparedSchemas().root, value, []);
  if (isObject(value) && Array.isArray(value['steps'])) {
    value['steps'].forEach((step, i) => problems.push(...checkStep(step, ['steps', i])));
  }
  return problems;
}

/** Validates one step (and, recursively, the steps inside it). */
export function checkStep(step: unknown, path: DocPath): SchemaProblem[] {
  if (!isObject(step)) {
    return [{ path, anchor: 'value', expected: `a step: a mapping with one step kind (${allStepKinds.join(', ')})`, found: render(step) }];
  }
  const keys = Object.keys(step);
  const kinds = keys.filter((k) => allStepKinds.includes(k));
  const others = keys.filter((k) => k !== 'name' && !allStepKinds.includes(k));
  const problems: SchemaProblem[] = [];
  if (kinds.length === 0) {
    const unknown = others[0];
    if (unknown === undefined) {
      return [{ path, anchor: 'value', expected: `a step kind (${allStepKinds.join(', ')})`, found: keys.length === 0 ? 'an empty mapping' : 'only a name' }];
    }
    return [{ path: [...path, unknown], anchor: 'key', expected: `a step kind (${allStepKinds.join(', ')})`, found: withSuggestion(unknown, allStepKinds) }];
  }
  if (kinds.length > 1) {
    problems.push({
      path: [...path, kinds[1] ?? ''],
      anchor: 'key',
      expected: 'one step kind per list item (start another "- " item)',
      found: `${kinds[0] ?? ''} and ${kinds.slice(1).join(' and ')} in one item`,
    });
  }
  for (const other of others) {
    problems.push({
      path: [...path, other],
      anchor: 'key',
      expected: 'only the step kind and name in a step',
      found: `unknown field ${withSuggestion(other, ['name', ...allStepKinds])}`,
    });
  }
  if ('name' in step && typeof step['name'] !== 'string') {
    problems.push({ path: [...path, 'name'], anchor: 'value', expected: 'a string', found: render(step['name']) });
  }
  const kind = kinds[0] ?? '';
  problems.push(...checkBody(kind, step[kind], [...path, kind]));
  return problems;
}

function checkBody(kind: string, body: unknown, path: DocPath): SchemaProblem[] {
  switch (kind) {
    case 'emit':
      return checkDiscriminated(body, path, 'type', notificationTypes, 'emit-', 'a notification: a mapping with a type and its fields', 'a notification type');
    case 'fault':
      return checkDiscriminated(body, path, 'kind', FAULT_KINDS, 'fault-', 'a fault: a mapping with a kind', 'a fault kind');
    case 'repeat': {
      const problems = checkAgainst(definition('repeat'), body, path);
      if (isObject(body) && Array.isArray(body['steps'])) body['steps'].forEach((s, i) => problems.push(...checkStep(s, [...path, 'steps', i])));
      return problems;
    }
    case 'sequence':
    case 'parallel': {
      const problems = checkAgainst(definition(kind), body, path);
      if (Array.isArray(body)) body.forEach((s, i) => problems.push(...checkStep(s, [...path, i])));
      return problems;
    }
    default:
      return checkAgainst(definition(kind), body, path);
  }
}

/** A mapping whose schema depends on one field (`emit` on `type`, `fault` on `kind`). */
function checkDiscriminated(
  body: unknown,
  path: DocPath,
  field: string,
  choices: readonly string[],
  prefix: string,
  whatBody: string,
  whatField: string,
): SchemaProblem[] {
  if (!isObject(body)) return [{ path, anchor: 'value', expected: whatBody, found: render(body) }];
  const choice = body[field];
  if (choice === undefined) {
    return [{ path: [...path, field], anchor: 'value', expected: `${whatField} (${choices.join(', ')})`, found: 'nothing' }];
  }
  if (typeof choice !== 'string' || !choices.includes(choice)) {
    return [{ path: [...path, field], anchor: 'value', expected: `${whatField} (${choices.join(', ')})`, found: withSuggestion(choice, choices) }];
  }
  return checkAgainst(definition(`${prefix}${choice}`), body, path);
}

// ---------------------------------------------------------------------------------------------
// Ajv errors -> problems
// ---------------------------------------------------------------------------------------------

function checkAgainst(schema: JsonObject, value: unknown, base: DocPath): SchemaProblem[] {
  const validate = validatorOf(schema);
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  const problems: SchemaProblem[] = [];
  // Unions outermost first; everything at or below a handled union belongs to it.
  // Ajv reports an inner union before the outer one at the same path: take the later (outer) one.
  const unions = errors
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => pointer(a.e.instancePath).length - pointer(b.e.instancePath).length || b.i - a.i)
    .map(({ e }) => e);
  const handled: DocPath[] = [];
  for (const union of unions) {
    const at = pointer(union.instancePath);
    if (handled.some((h) => isPrefix(h, at))) continue;
    handled.push(at);
    problems.push(...resolveUnion(union, [...base, ...at]));
  }
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    const at = pointer(error.instancePath);
    if (handled.some((h) => isPrefix(h, at))) continue;
    const problem = translate(error, [...base, ...at]);
    if (problem === undefined) continue;
    const key = `${problem.path.join('\u0000')}|${problem.anchor}|${problem.expected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function resolveUnion(error: ErrorObject, path: DocPath): SchemaProblem[] {
  const unionSchema = error.parentSchema as JsonObject;
  const branches = ((unionSchema['anyOf'] ?? unionSchema['oneOf']) as unknown[]).map(deref);
  const fitting = branches.filter((b) => fitsShape(b, error.data));
  const title = unionSchema['title'];
  if ((title === 'duration' || title === 'wait-ack') && typeof error.data === 'number' && Number.isFinite(error.data) && error.data > 0) {
    return [{ path, anchor: 'value', expected: `a duration with a unit (add a unit: 5s, 200ms)`, found: render(error.data) }];
  }
  if ((title === 'duration' || title === 'wait-ack') && outOfRangeDuration(error.data)) {
    return [{ path, anchor: 'value', expected: `a finite duration of at most ${MAX_DURATION_TEXT}`, found: render(error.data) }];
  }
  const only = fitting.length === 1 ? fitting[0] : undefined;
  if (only !== undefined && (only['type'] === 'object' || only['type'] === 'array') && !hasTitle(unionSchema)) {
    return checkAgainst(only, error.data, path);
  }
  return [{ path, anchor: 'value', expected: describe(unionSchema), found: withSuggestion(error.data, enumValues(branches)) }];
}

/** Whether `value` has the shape of `schema` (type, const, enum; a mapping shares a key with it). */
function fitsShape(schema: JsonObject, value: unknown): boolean {
  const s = deref(schema);
  const anyOf = s['anyOf'] as unknown[] | undefined;
  if (anyOf !== undefined) return anyOf.some((b) => fitsShape(deref(b), value));
  if ('const' in s) return s['const'] === value;
  const enumeration = s['enum'] as unknown[] | undefined;
  if (enumeration !== undefined) return enumeration.includes(value);
  const type = s['type'];
  if (typeof type === 'string' && !typeMatches(type, value)) return false;
  if (type === 'object' && isObject(value)) {
    const properties = (s['properties'] ?? {}) as JsonObject;
    const names = Object.keys(properties);
    for (const name of names) {
      const p = deref(properties[name]);
      if ('const' in p && name in value && value[name] !== p['const']) return false;
    }
    return names.length === 0 || Object.keys(value).some((k) => names.includes(k));
  }
  return true;
}

function translate(error: ErrorObject, path: DocPath): SchemaProblem | undefined {
  const parent = error.parentSchema as JsonObject;
  switch (error.keyword) {
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      const properties = (parent['properties'] ?? {}) as JsonObject;
      return { path: [...path, missing], anchor: 'value', expected: describe(properties[missing] ?? {}), found: 'nothing' };
    }
    case 'additionalProperties': {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((parent['properties'] ?? {}) as JsonObject);
      return {
        path: [...path, extra],
        anchor: 'key',
        expected: `${fieldsOf(parent, path)} (${allowed.join(', ')})`,
        found: `unknown field ${withSuggestion(extra, allowed)}`,
      };
    }
    case 'if':
    case 'then':
    case 'else':
    case 'not':
      return undefined;
    default: {
      // `mask: commit-diff` for `mask: [commit-diff]`: one valid item where a list belongs.
      const items = error.keyword === 'type' && parent['type'] === 'array' && isObject(parent['items']) ? deref(parent['items']) : undefined;
      if (items !== undefined && !Array.isArray(error.data) && !isObject(error.data) && fitsShape(items, error.data)) {
        return { path, anchor: 'value', expected: describe(parent), found: `${render(error.data)} (a list is written [${String(error.data)}])` };
      }
      return { path, anchor: 'value', expected: describe(parent), found: withSuggestion(error.data, (parent['enum'] ?? []) as unknown[]) };
    }
  }
}

/** "a commit-diff field", "a field of await-subscribers", "a top-level field". */
function fieldsOf(schema: JsonObject, path: DocPath): string {
  const properties = (schema['properties'] ?? {}) as JsonObject;
  const typeConst = properties['type'] === undefined ? undefined : deref(properties['type'])['const'];
  if (typeof typeConst === 'string') return `a ${typeConst} field`;
  const kindConst = properties['kind'] === undefined ? undefined : deref(properties['kind'])['const'];
  if (typeof kindConst === 'string') return `a ${kindConst} fault field`;
  const owner = [...path].reverse().find((s): s is string => typeof s === 'string');
  return owner === undefined ? 'a top-level field' : `a field of ${owner}`;
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

/** What a named (titled) definition means, in words; mechanical descriptions cover the rest. */
const TITLED: Readonly<Record<string, string>> = {
  duration: 'a duration with a unit, such as 250ms, 2s or 1m30s',
  'iso-date-time': 'an ISO-8601 date-time such as 2026-01-01T00:00:00Z',
  'date-time': 'an ISO-8601 date-time such as 2026-01-01T00:00:00Z, or a mapping of DateTime fields',
  timestamp: 'microseconds since 1970, or an ISO-8601 date-time',
  'wait-ack': 'true, false or a duration such as 2s',
  'subscriber-selector': 'all, first, last, { index: n }, { connection: id } or { subscribed-to: [types] }',
  'conf-value': 'a value: text, a number, true/false, a list, or { confd_type, value }',
  'ip-address': 'an IP address such as 127.0.0.1 or 2001:db8::1',
  'commit-flags': 'a number, or a list of confirmed, confirmed-extended',
  'hex-bytes': 'hex digits in pairs, such as 00ff83',
  step: 'a step',
};

function hasTitle(schema: JsonObject): boolean {
  return typeof schema['title'] === 'string' && schema['title'] in TITLED;
}

/**
 * A schema in words: "an integer from 0 to 65535", "one of running, candidate … or an integer".
 * @example
 *   describe({ type: 'integer', minimum: 1 }) // 'an integer ≥ 1'
 */
export function describe(schemaIn: unknown): string {
  const schema = deref(schemaIn);
  const title = schema['title'];
  if (typeof title === 'string' && title in TITLED) return TITLED[title] ?? title;
  const branches = (schema['anyOf'] ?? schema['oneOf']) as unknown[] | undefined;
  if (branches !== undefined) return joinOr(branches.map(describe));
  if ('const' in schema) return JSON.stringify(schema['const']);
  const enumeration = schema['enum'] as unknown[] | undefined;
  if (enumeration !== undefined) return enumeration.length === 1 ? String(enumeration[0]) : `one of ${enumeration.map(String).join(', ')}`;
  const min = schema['minimum'] as number | undefined;
  const max = schema['maximum'] as number | undefined;
  switch (schema['type']) {
    case 'integer':
    case 'number': {
      const noun = schema['type'] === 'integer' ? 'an integer' : 'a number';
      if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
      if (min !== undefined) return `${noun} ≥ ${min}`;
      if (max !== undefined) return `${noun} ≤ ${max}`;
      return noun;
    }
    case 'string': {
      if (typeof schema['pattern'] === 'string') return `a string matching /${schema['pattern']}/`;
      return (schema['minLength'] as number | undefined) === 1 ? 'a non-empty string' : 'a string';
    }
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'an empty value';
    case 'array': {
      const minItems = schema['minItems'] as number | undefined;
      const items = schema['items'];
      const of = items === undefined || Array.isArray(items) ? '' : ` of ${plural(describe(items))}`;
      return minItems !== undefined && minItems > 0 ? `a non-empty list${of}` : `a list${of}`;
    }
    case 'object':
      return 'a mapping';
    default:
      return 'a value';
  }
}

function plural(description: string): string {
  // "an integer ≥ 0" -> "integers ≥ 0"; anything more complex stays as is, introduced by "of".
  const m = /^an? (integer|number|string|mapping|value|step)(.*)$/.exec(description);
  return m === null ? description.replace(/^one of /, '') : `${m[1] ?? ''}s${m[2] ?? ''}`;
}

function joinOr(parts: readonly string[]): string {
  const unique = [...new Set(parts)];
  if (unique.length <= 1) return unique[0] ?? 'a value';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1] ?? ''}`;
}

/**
 * A found value in words: strings quoted, `nothing` for absent, `an empty value` for YAML null.
 * @example
 *   render('2 sec') // '"2 sec"'
 */
export function render(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty mapping';
    return `a mapping with ${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''}`;
  }
  return typeof value;
}

function enumValues(branches: readonly JsonObject[]): string[] {
  const out: string[] = [];
  for (const b of branches) {
    const e = b['enum'] as unknown[] | undefined;
    if (e !== undefined) for (const v of e) if (typeof v === 'string') out.push(v);
    if (typeof b['const'] === 'string') out.push(b['const']);
  }
  return out;
}

/** `"emitt" (did you mean emit?)` when a candidate is close. */
export function withSuggestion(value: unknown, candidates: readonly unknown[]): string {
  const text = render(value);
  if (typeof value !== 'string') return text;
  const strings = candidates.filter((c): c is string => typeof c === 'string');
  const best = closest(value, strings);
  return best === undefined ? text : `${text} (did you mean ${best}?)`;
}

/**
 * The closest candidate within a small edit distance, if any. The word is also compared the way
 * a Python or C programmer may spell it, as its `_ncs` constant: `NOTIF_COMMIT_DIFF`, `Audit` and
 * `commit_diff` all suggest `commit-diff`.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  const plain = word.toLowerCase();
  const constant = plain.replace(/^notif_/, '').replaceAll('_', '-');
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const c = candidate.toLowerCase();
    const d = Math.min(distance(plain, c), distance(constant, c));
    if (d < bestDistance && d <= limit) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  // Optimal string alignment: a transposition ("comit" / "cmoit") counts as one edit.
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return true;
  }
}

/** `/steps/0/emit` -> ['steps', 0, 'emit'] (numbers for list indexes). */
function pointer(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function isPrefix(prefix: DocPath, path: DocPath): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}
