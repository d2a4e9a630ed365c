/**
 * Type-level tests of `nso-mock/schema` (src/schema/index.ts): what a TypeScript user of the
 * package export gets (`tsc --noEmit` checks them; vitest runs the value checks).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Term } from '../../src/codec/index.js';
import {
  CHANGE_OPS,
  keypathToTerm,
  loadSchema,
  parseKeypath,
  phash2,
  SchemaError,
  typeChange,
  valueToTerm,
  type ChangeOp,
  type ResolvedKeypath,
  type Schema,
  type SchemaErrorCode,
  type SchemaNode,
  type TypedChange,
} from '../../src/schema/index.js';

describe('nso-mock/schema types', () => {
  it('loadSchema → Schema, parseKeypath → ResolvedKeypath, keypathToTerm → Term', () => {
    expectTypeOf(loadSchema).parameter(0).toEqualTypeOf<readonly (string | { readonly path: string; readonly text: string } | { readonly path: string; readonly bytes: Uint8Array })[]>();
    expectTypeOf(loadSchema).returns.toEqualTypeOf<Schema>();
    expectTypeOf(parseKeypath).returns.toEqualTypeOf<ResolvedKeypath>();
    expectTypeOf<ResolvedKeypath['target']>().toEqualTypeOf<SchemaNode>();
    expectTypeOf(keypathToTerm).returns.toEqualTypeOf<Term>();
    expectTypeOf(valueToTerm).returns.toEqualTypeOf<Term>();
    expectTypeOf(phash2).returns.toEqualTypeOf<number>();
    expectTypeOf<ChangeOp>().toEqualTypeOf<'created' | 'deleted' | 'modified' | 'value-set' | 'moved-after' | 'attr-set'>();
    expectTypeOf(typeChange).returns.toEqualTypeOf<TypedChange>();
    expectTypeOf<SchemaErrorCode>().toExtend<SchemaError['code']>();
  });

  it('works as the TSDoc examples say', () => {
    const schema = loadSchema(['examples/models/mk.yang']);
    expect(schema.roots[0]!.name).toBe('sys');
    expect(parseKeypath('/sys/host{h1}/port', schema).text).toBe('/mk:sys/host{h1}/port');
    expect(CHANGE_OPS).toHaveLength(6);
    expect(() => parseKeypath('/mk:nope', schema)).toThrow(SchemaError);
  });
});
