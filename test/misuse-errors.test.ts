/**
 * Misuse of the public API throws an NsoMockError with a documented NSOMOCK_* code (STYLE.md §3),
 * never a bare RangeError or TypeError: term constructors, term equality, clocks, the journal and
 * phash2.
 */
import { describe, expect, it } from 'vitest';
import { binaryView, CodecError, int, NsoMockError, termEqual, UsageError, type Term } from '../src/codec/index.js';
import { phash2 } from '../src/schema/index.js';
import { Journal, ManualClock } from '../src/server/index.js';
// Not exported from the package (realClock is); misuse of it is still a typed error.
import { createRealClock } from '../src/server/clock.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('public misuse throws NsoMockError codes', () => {
  it.each([
    ['int(1.5)', () => int(1.5), CodecError, 'NSOMOCK_CODEC_UNENCODABLE'],
    ['int(NaN)', () => int(Number.NaN), CodecError, 'NSOMOCK_CODEC_UNENCODABLE'],
    ['int(Infinity)', () => int(Number.POSITIVE_INFINITY), CodecError, 'NSOMOCK_CODEC_UNENCODABLE'],
    ['binaryView past the end', () => binaryView(new Uint8Array(4), 3, 2), UsageError, 'NSOMOCK_USAGE'],
    ['termEqual of a value that is no term', () => termEqual({ kind: 'nope' } as unknown as Term, { kind: 'nope' } as unknown as Term), UsageError, 'NSOMOCK_USAGE'],
    ['ManualClock.advance(-1)', () => new ManualClock().advance(-1), UsageError, 'NSOMOCK_USAGE'],
    ['ManualClock.advance(NaN)', () => new ManualClock().advance(Number.NaN), UsageError, 'NSOMOCK_USAGE'],
    ['createRealClock({ maxChunkMs: 0 })', () => createRealClock({ maxChunkMs: 0 }), UsageError, 'NSOMOCK_USAGE'],
    ['new Journal(-1)', () => new Journal(-1), UsageError, 'NSOMOCK_USAGE'],
    ['new Journal(10, { maxBytes: -1 })', () => new Journal(10, { maxBytes: -1 }), UsageError, 'NSOMOCK_USAGE'],
    ['phash2(x, 0)', () => phash2('x', 0), UsageError, 'NSOMOCK_USAGE'],
  ] as const)('%s', (_name, f, type, code) => {
    expect(f).toThrow(expect.objectContaining({ code }));
    const error = thrown(f);
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(NsoMockError);
    expect((error as Error).message).toMatch(/^Failed to [a-z]/);
  });

  it('int() still takes every integer, unsafe ones as bigint', () => {
    expect(int(2 ** 60)).toEqual({ kind: 'integer', value: 2n ** 60n });
    expect(int(-7)).toEqual({ kind: 'integer', value: -7 });
  });
});
