/**
 * Validation of produced events against corrected copies of the CPS schemas (src/ncmp/schemas/,
 * each with a `$comment` naming its origin and what was corrected; the originals are in
 * shared/schemas/ncmp/). CPS never validates at run time — it only generates Java classes from
 * these files — so the checks are as lenient as Jackson is where the originals are wrong, and strict
 * where the mock controls the output (envelope constants, time format).
 *
 * Ajv and the schema files are loaded on first use, synchronously through `createRequire` (Ajv is
 * CommonJS; JSON loads the same way): the NCMP index is loaded with the scenario engine on every
 * run, and Ajv's import cost (~40 ms) belongs to runs that produce NCMP events. The type-only
 * imports of the JSON files below give their types and make tsc copy them into dist.
 */
import { createRequire } from 'node:module';
import type { Ajv2019 as Ajv2019Class, ValidateFunction } from 'ajv/dist/2019.js';
import type { FormatsPlugin } from 'ajv-formats';
import { NcmpError } from './errors.js';
import { EVENT_TIME_PATTERN } from './event-time.js';
import type cloudEventHeaders from './schemas/cloud-event-headers.json';
import type dataOperationEvent from './schemas/data-operation-event-1.0.0.json';
import type dmiAsync from './schemas/dmi-async-request-response-event-v1.json';
import type lcmHeaderV1 from './schemas/lcm-event-header-v1.json';
import type lcmV1 from './schemas/lcm-event-v1.json';
import type lcmV2 from './schemas/lcm-event-v2.json';
import type ncmpAsync from './schemas/ncmp-async-request-response-event-v1.json';

/** The schemas the mock validates against. */
export type NcmpSchemaName =
  | 'lcm-event-v1'
  | 'lcm-event-v2'
  | 'lcm-event-header-v1'
  | 'dmi-async-request-response-event-v1'
  | 'ncmp-async-request-response-event-v1'
  | 'data-operation-event-1.0.0'
  | 'cloud-event-headers';

/** Each schema's document, as its file types it. */
interface SchemaDocuments {
  'lcm-event-v1': typeof lcmV1;
  'lcm-event-v2': typeof lcmV2;
  'lcm-event-header-v1': typeof lcmHeaderV1;
  'dmi-async-request-response-event-v1': typeof dmiAsync;
  'ncmp-async-request-response-event-v1': typeof ncmpAsync;
  'data-operation-event-1.0.0': typeof dataOperationEvent;
  'cloud-event-headers': typeof cloudEventHeaders;
}

/** The file of each schema, relative to this module (src/ncmp/schemas/, copied to dist/ncmp/schemas/). */
const FILES: Readonly<Record<NcmpSchemaName, string>> = {
  'lcm-event-v1': './schemas/lcm-event-v1.json',
  'lcm-event-v2': './schemas/lcm-event-v2.json',
  'lcm-event-header-v1': './schemas/lcm-event-header-v1.json',
  'dmi-async-request-response-event-v1': './schemas/dmi-async-request-response-event-v1.json',
  'ncmp-async-request-response-event-v1': './schemas/ncmp-async-request-response-event-v1.json',
  'data-operation-event-1.0.0': './schemas/data-operation-event-1.0.0.json',
  'cloud-event-headers': './schemas/cloud-event-headers.json',
};

const requireCjs = createRequire(import.meta.url);

/** A schema document, read on first use (require caches it). */
function source<K extends NcmpSchemaName>(name: K): SchemaDocuments[K] {
  return requireCjs(FILES[name]) as SchemaDocuments[K];
}

/** Every schema name, for tests and docs. */
export const ncmpSchemaNames: readonly NcmpSchemaName[] = Object.keys(FILES) as NcmpSchemaName[];

let ajvInstance: Ajv2019Class | undefined;

/** The one Ajv (draft 2019-09, formats date-time, uuid and cps-event-time), created on first use. */
function ajv(): Ajv2019Class {
  if (ajvInstance !== undefined) return ajvInstance;
  const { Ajv2019 } = requireCjs('ajv/dist/2019.js') as typeof import('ajv/dist/2019.js');
  // ajv-formats is CommonJS: module.exports is the plugin (also exported as `default`).
  const addFormats = requireCjs('ajv-formats') as FormatsPlugin;
  const instance = new Ajv2019({ allErrors: true, strict: true });
  addFormats(instance, ['date-time', 'uuid']);
  instance.addFormat('cps-event-time', EVENT_TIME_PATTERN);
  ajvInstance = instance;
  return instance;
}

let compiled: Map<NcmpSchemaName, ValidateFunction> | undefined;

function validators(): Map<NcmpSchemaName, ValidateFunction> {
  if (compiled !== undefined) return compiled;
  const instance = ajv();
  compiled = new Map(ncmpSchemaNames.map((name) => [name, instance.compile(source(name))]));
  return compiled;
}

const ownCompiled = new WeakMap<object, ValidateFunction>();

/**
 * Compiles one of the mock's own JSON Schemas (the scenario step bodies) with the same Ajv, once per
 * schema object. Internal: step-schemas.ts checks step shapes with it.
 */
export function compileNcmpJsonSchema(schema: object): ValidateFunction {
  let fn = ownCompiled.get(schema);
  if (fn === undefined) {
    fn = ajv().compile(schema);
    ownCompiled.set(schema, fn);
  }
  return fn;
}

/** Loads Ajv and compiles every schema now rather than on the first check (idempotent, once per process). */
export function warmUpNcmpSchemas(): void {
  validators();
}

/** The corrected JSON Schema object, e.g. for embedding in other documents. */
export function ncmpSchema(name: NcmpSchemaName): object {
  return source(name);
}

/**
 * Validates `value` against a corrected schema; returns the problems (empty when valid).
 * @example checkNcmpSchema('lcm-event-v1', event) // []
 */
export function checkNcmpSchema(name: NcmpSchemaName, value: unknown): string[] {
  const validate = validators().get(name) as ValidateFunction;
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'}`);
}

/**
 * Throws unless `value` validates against the named schema.
 * @throws NcmpError `NSOMOCK_NCMP_SCHEMA` with the problems in `details.problems`.
 */
export function assertNcmpSchema(name: NcmpSchemaName, value: unknown, where: string): void {
  const problems = checkNcmpSchema(name, value);
  if (problems.length > 0) {
    throw new NcmpError(
      'NSOMOCK_NCMP_SCHEMA',
      `Failed to validate ${where}: ${problems.slice(0, 3).join('; ')} (schema ${name})`,
      { schema: name, problems },
    );
  }
}
