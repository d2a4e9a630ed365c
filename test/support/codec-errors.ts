/**
 * Catching the `CodecError` a codec call throws, for tests that assert on its code or details.
 * Anything else thrown is rethrown, so a TypeError in the codec still fails the test as itself.
 */
import { CodecError, type NsoMockErrorCode } from '../../src/codec/index.js';

/**
 * The `CodecError` that `fn` throws; throws when `fn` returns (naming what it returned, through
 * `describe`) or throws anything else.
 */
export function codecErrorOf<T>(fn: () => T, describe: (value: T) => string = () => 'a value'): CodecError {
  let value: T;
  try {
    value = fn();
  } catch (error) {
    if (error instanceof CodecError) return error;
    throw error;
  }
  throw new Error(`expected a CodecError, got ${describe(value)}`);
}

/** The code of the `CodecError` that `fn` throws, or `'no error'` when it returns; anything else thrown is rethrown. */
export function codecErrorCode(fn: () => unknown): NsoMockErrorCode | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    if (error instanceof CodecError) return error.code;
    throw error;
  }
}
