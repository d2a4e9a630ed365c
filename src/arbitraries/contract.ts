/**
 * The shared contract every published arbitrary passes (STYLE.md §7 rule 7, after fast-check's
 * own `ArbitraryAssertions.ts`): the same seed gives the same values, every value is valid (it
 * encodes and decodes, or validates, or fails to decode the way it says), and shrinking
 * terminates, keeps values valid and never makes them bigger. `test/arbitraries/contract.test.ts`
 * loops this over the notification registry, the term, malformed and scenario generators; users
 * can run it over their own arbitraries too.
 */
import fc from 'fast-check';
import { NsoMockError } from '../codec/index.js';

/** An arbitrary and what "valid" means for its values. */
export interface ArbitraryContract<T> {
  /** A name for messages (`notification:commit-diff`). */
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Throws (any error) or returns `false` when a value is not valid. */
  readonly check: (value: T) => void | boolean;
  /** A size measure; the end of the shrink path must not be larger than its start (default: none). */
  readonly size?: (value: T) => number;
  /** Equality for the same-seed check (default: `fc.stringify` equality). */
  readonly equal?: (a: T, b: T) => boolean;
}

/** How hard {@link assertArbitraryContract} tries. */
export interface ContractOptions {
  /** Values sampled for the determinism and validity checks (default 100). */
  readonly numRuns?: number;
  /** The seed of the first sample (default 42). */
  readonly seed?: number;
  /** Seeds whose shrink path is walked (default 3, taken after `seed`). */
  readonly shrinkSeeds?: number;
  /** The most shrink steps one path may take before it counts as non-terminating (default 2000). */
  readonly maxShrinkSteps?: number;
}

/** What the contract run saw, for assertions and reports. */
export interface ContractReport<T> {
  readonly name: string;
  /** Values sampled. */
  readonly samples: number;
  /** Shrink steps per walked path. */
  readonly shrinkSteps: readonly number[];
  /** The minimal value each walked path ended at. */
  readonly minimal: readonly T[];
}

/** Thrown by {@link assertArbitraryContract} when a contract does not hold. */
export class ArbitraryContractError extends NsoMockError<{ readonly contract: string; readonly seed: number }> {}

function fail(name: string, seed: number, what: string, cause?: unknown): never {
  throw new ArbitraryContractError('NSOMOCK_USAGE', `Failed to satisfy the arbitrary contract: ${what} (${name}, seed ${seed})`, {
    details: { contract: name, seed },
    cause,
  });
}

function validate<T>(contract: ArbitraryContract<T>, value: T): unknown {
  try {
    return contract.check(value) === false ? new Error('check returned false') : undefined;
  } catch (error) {
    return error ?? new Error('check threw');
  }
}

/**
 * Runs the contract and throws {@link ArbitraryContractError} (code `NSOMOCK_USAGE`, with the seed)
 * at the first broken rule.
 * @throws ArbitraryContractError `NSOMOCK_USAGE` naming the rule, the arbitrary and the seed.
 * @example
 *   assertArbitraryContract({
 *     name: 'term',
 *     arbitrary: termArbitrary({ maxDepth: 2 }),
 *     check: (t) => termEqual(decodeTerm(encodeTerm(t)), t),
 *     size: (t) => encodeTerm(t).length,
 *   });
 */
export function assertArbitraryContract<T>(contract: ArbitraryContract<T>, options: ContractOptions = {}): ContractReport<T> {
  const numRuns = options.numRuns ?? 100;
  const seed = options.seed ?? 42;
  const equal = contract.equal ?? ((a: T, b: T) => fc.stringify(a) === fc.stringify(b));

  // 1. Same seed, same values (fast-check replays failures by seed and path; so do our shrunk scenarios).
  const first = fc.sample(contract.arbitrary, { seed, numRuns });
  const second = fc.sample(contract.arbitrary, { seed, numRuns });
  first.forEach((value, i) => {
    const again = second[i] as T;
    if (!equal(value, again)) {
      fail(contract.name, seed, `sample ${i} differs between two runs with the same seed: ${fc.stringify(value)} vs ${fc.stringify(again)}`);
    }
  });

  // 2. Every value is valid.
  first.forEach((value) => {
    const problem = validate(contract, value);
    if (problem !== undefined) fail(contract.name, seed, `invalid value ${fc.stringify(value).slice(0, 500)}`, problem);
  });

  // 3. Shrinking: a property that always fails walks the first-shrink path down to a minimal value.
  // Every value on the way must stay valid, the walk must end, and it must not grow.
  const maxSteps = options.maxShrinkSteps ?? 2000;
  const shrinkSteps: number[] = [];
  const minimal: T[] = [];
  for (let k = 1; k <= (options.shrinkSeeds ?? 3); k++) {
    const pathSeed = seed + k;
    let steps = 0;
    let start: T | undefined;
    let invalid: { value: T; problem: unknown } | undefined;
    const result = fc.check(
      fc.property(contract.arbitrary, (value) => {
        if (start === undefined) start = value;
        steps += 1;
        if (invalid === undefined) {
          const problem = validate(contract, value);
          if (problem !== undefined) invalid = { value, problem };
        }
        // Past the bound, pretend to pass so the runner stops descending (reported below).
        return steps > maxSteps;
      }),
      { seed: pathSeed, numRuns: 1 },
    );
    if (invalid !== undefined) {
      fail(contract.name, pathSeed, `shrinking produced an invalid value ${fc.stringify(invalid.value).slice(0, 500)}`, invalid.problem);
    }
    if (steps > maxSteps) fail(contract.name, pathSeed, `shrinking did not terminate within ${maxSteps} steps`);
    if (!result.failed || result.counterexample === null) fail(contract.name, pathSeed, 'no counterexample for an always-failing property');
    const end = result.counterexample[0];
    if (contract.size !== undefined && start !== undefined && contract.size(end) > contract.size(start)) {
      fail(contract.name, pathSeed, `shrinking grew the value from size ${contract.size(start)} to ${contract.size(end)}`);
    }
    shrinkSteps.push(result.numShrinks);
    minimal.push(end);
  }
  return { name: contract.name, samples: first.length, shrinkSteps, minimal };
}
