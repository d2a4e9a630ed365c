// The bookkeeping shared by the shaped decoders (decode.ts) and the shaped encoders (encode.ts):
// a fixed number of slots, each holding at most one generated function, and the rule for when
// generating one is worth it. The generated code itself, and how a slot is chosen, stay with each
// side; this only counts.
//
// Generated code starts in V8's interpreter, slower than the optimised general code: only a shape
// that keeps coming (`warmup` times with no function, or more often than its slot's function hits)
// is worth it. Bounded: at most MAX_SLOT_COMPILES generations per slot and MAX_SHAPE_COMPILES per
// cache, so input that keeps changing shape cannot make the codec generate code without bound.

/** Generations of code per slot at most (a slot whose traffic keeps changing shape stops trying). */
const MAX_SLOT_COMPILES = 8;
/** Generations of code per cache (per process, for the decoder's and the encoder's) at most. */
const MAX_SHAPE_COMPILES = 256;
/**
 * General operations of a slot before code is generated for it, by default: never. On the
 * benchmark a real stream resembles, every notification shape in rotation (bench/codec.bench.ts,
 * bench/RESULTS.md), the generated code did not pay: generated ÷ general was 0.57-0.74× for
 * encode, 0.71-0.82× for decode, 0.99-1.18× for decode + reading the binaries (medians of two runs,
 * interleaved rounds); only one shape repeated gains (commit_diff decode 1.6-2.5×). So it is off unless a test turns it on
 * (setShapedDecodeWarmup/setShapedEncodeWarmup); ADR 003 "Session 3" has the numbers.
 */
const DEFAULT_WARMUP = Number.POSITIVE_INFINITY;

interface ShapeSlot<F> {
  fn: F | undefined;
  /** Operations done by `fn` since the last generation. */
  hits: number;
  /** Operations done by the general path since the last generation. */
  misses: number;
  compiles: number;
}

/** Counters since the process started: functions generated, operations done by one, operations done by the general path. */
export interface ShapeStats {
  compiles: number;
  shaped: number;
  general: number;
}

/**
 * Slots of generated functions of type `F`, with their hit and miss counts.
 * @example
 *   const cache = new ShapeCache<MyFn>(64);
 *   const fn = cache.get(key);                       // try the generated function first
 *   if (result !== undefined) cache.hit(key);        // ...and count a hit
 *   else if (cache.missed(key)) cache.set(key, compile(...));   // general path done: maybe compile
 */
export class ShapeCache<F> {
  readonly #slots: (ShapeSlot<F> | undefined)[];
  #compiles = 0;
  #warmup = DEFAULT_WARMUP;
  readonly #stats: ShapeStats = { compiles: 0, shaped: 0, general: 0 };

  constructor(slotCount: number) {
    this.#slots = new Array<ShapeSlot<F> | undefined>(slotCount).fill(undefined);
  }

  /** The generated function of slot `key`, if any. */
  get(key: number): F | undefined {
    return this.#slots[key]?.fn;
  }

  /** Counts an operation that slot `key`'s generated function did. */
  hit(key: number): void {
    this.#slots[key]!.hits++;
    this.#stats.shaped++;
  }

  /**
   * Counts an operation of the general path in slot `key` (negative: a term with no slot); true when
   * code should now be generated for it (the caller then calls {@link set}, with `undefined` if it could not).
   */
  missed(key: number): boolean {
    this.#stats.general++;
    if (key < 0) return false;
    let slot = this.#slots[key];
    if (slot === undefined) slot = this.#slots[key] = { fn: undefined, hits: 0, misses: 0, compiles: 0 };
    slot.misses++;
    if (slot.misses < this.#warmup || slot.misses <= slot.hits >> 2) return false;
    if (slot.compiles >= MAX_SLOT_COMPILES || this.#compiles >= MAX_SHAPE_COMPILES) return false;
    slot.compiles++;
    this.#compiles++;
    this.#stats.compiles++;
    slot.hits = 0;
    slot.misses = 0;
    return true;
  }

  /** Installs a newly generated function in slot `key`; `undefined` keeps the one it had. */
  set(key: number, fn: F | undefined): void {
    const slot = this.#slots[key]!;
    slot.fn = fn ?? slot.fn;
  }

  /** Sets how many general operations of a slot come before code is generated for it; returns the previous value. */
  setWarmup(n: number): number {
    const previous = this.#warmup;
    this.#warmup = n;
    return previous;
  }

  /** A copy of the counters. */
  statsSnapshot(): ShapeStats {
    return { ...this.#stats };
  }

  /** Stops all generation (code generation from strings is disabled in this process). */
  disable(): void {
    this.#compiles = MAX_SHAPE_COMPILES;
  }
}
