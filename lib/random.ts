/**
 * One seeded pseudo-random generator for every random choice in the library: splits,
 * shuffles, initialisers and sampling. The same seed reproduces a run exactly; one call to
 * {@linkcode setRandomSeed} seeds a whole session (tfjs initializers without a seed, and the
 * default seed of training and model building).
 *
 * The generator is sfc32 (a small, fast, well-tested 128-bit state generator), seeded through
 * splitmix32 so that nearby seeds give unrelated streams.
 *
 * Checks are written here rather than taken from the validation module, which loads Polars:
 * the tfjs kernels and plots that draw random numbers do not need it.
 *
 * @module
 */

import { describe } from "./_describe.ts";
import { seedUnseededInitializers } from "./_tfjs_internals.ts";

/**
 * The largest seed whose stream is its own: {@linkcode createRng} reduces a seed to 32 bits, so
 * 2³² gives seed 0's stream again (and −1 that of 2³² − 1). Seeds from 0 to this one each give a
 * different stream; the library's entry points that take a user's seed check it
 * ({@linkcode checkSeed}) and refuse any other, as do the programs beside it (`createRng()`
 * itself folds any number, for the seeds tfjs layers carry).
 */
export const MAX_SEED = 4294967295;

/** A seeded random number generator. Create one with {@linkcode createRng}. */
export interface Rng {
  /** The seed this generator was created with. */
  readonly seed: number;
  /** A float uniformly distributed in [0, 1). */
  next(): number;
  /** A 32-bit unsigned integer. */
  uint32(): number;
  /** An integer uniformly distributed in [0, n). Throws a `RangeError` when n < 1. */
  int(n: number): number;
  /**
   * Fills `out` with integers uniformly distributed in [0, n): the same draws, in the same
   * order, as `out.length` calls of `int(n)`, in one tight loop (about ten times faster for
   * long arrays). Throws a `RangeError` unless 1 ≤ n ≤ 2³¹ (the draws fill an Int32Array).
   * Returns `out`.
   */
  ints(n: number, out: Int32Array): Int32Array;
  /** A standard normal draw (Box–Muller). */
  normal(): number;
  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<T>(array: T[] | Int32Array | Uint32Array | Float32Array | Float64Array): typeof array;
  /**
   * A random permutation of 0..n-1 (empty for 0). Throws a `RangeError` unless n is an
   * integer >= 0 (NaN gave an empty permutation, 1.5 one of length 1).
   */
  permutation(n: number): Int32Array;
  /** A new generator whose seed is drawn from this one (for an independent sub-stream). */
  fork(): Rng;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A value as a message shows it: a number as it is, anything else described ("string 3"). */
function shown(x: unknown): string {
  return typeof x === "number" ? String(x) : describe(x);
}

/**
 * Checks a seed given to the library: an integer from 0 to {@linkcode MAX_SEED}, the seeds
 * whose streams are their own. {@linkcode createRng} reduces any integer to 32 bits, so 2³² + 42
 * would silently give seed 42's stream and −1 that of {@linkcode MAX_SEED}; a function that takes
 * a user's seed refuses them instead.
 *
 * @param value The seed to check.
 * @param who The calling function, e.g. `"randomSplit()"`.
 * @param name What the seed is, as the caller calls it.
 * @returns The seed, typed as a number.
 * @throws {TypeError} When `value` is not a number.
 * @throws {RangeError} When it is a number but not an integer from 0 to {@linkcode MAX_SEED}.
 * @example
 * ```ts
 * import { checkSeed } from "./random.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 * assertEquals(checkSeed(42, "f()"), 42);
 * assertThrows(
 *   () => checkSeed(2 ** 32 + 42, "f()"),
 *   RangeError,
 *   "f(): expected seed to be an integer in [0, 4294967295], found 4294967338",
 * );
 * ```
 */
export function checkSeed(value: unknown, who: string, name = "seed"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_SEED) {
    const Error = typeof value === "number" ? RangeError : TypeError;
    throw new Error(
      `${who}: expected ${name} to be an integer in [0, ${MAX_SEED}], found ${shown(value)}`,
    );
  }
  return value;
}

/**
 * The seed `offset` places after `seed`, wrapping past {@linkcode MAX_SEED} to 0: a program that
 * derives seeds from a user's (a validation carve-out at seed + 1000, say) stays within the
 * seeds the library accepts, on the very stream {@linkcode createRng} gave the plain sum.
 *
 * @param seed A seed from 0 to {@linkcode MAX_SEED}.
 * @param offset A non-negative integer.
 * @returns `(seed + offset) mod 2³²`.
 * @throws {TypeError} When `seed` is not a number.
 * @throws {RangeError} When `seed` is not a seed the library accepts, or `offset` is not a
 *   non-negative safe integer.
 * @example
 * ```ts
 * import { MAX_SEED, offsetSeed } from "./random.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(offsetSeed(42, 1000), 1042);
 * assertEquals(offsetSeed(MAX_SEED, 1), 0);
 * ```
 */
export function offsetSeed(seed: number, offset: number): number {
  checkSeed(seed, "offsetSeed()");
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(
      `offsetSeed(): expected offset to be a non-negative integer, found ${shown(offset)}`,
    );
  }
  return (seed + offset) % (MAX_SEED + 1);
}

/**
 * A seed saved before seeds were checked ({@linkcode checkSeed}, 2026-12-07; saved models of
 * formats 1 to 3 may hold any integer) as the seed of the stream it gave: {@linkcode createRng}
 * reduces an integer to its low 32 bits, so 2³² + 42 gave seed 42's stream and −1 that of
 * {@linkcode MAX_SEED}. Anything but an integer is returned as it is, for the caller's check.
 *
 * @param value A stored seed.
 * @returns The seed in 0 … {@linkcode MAX_SEED} with the same stream, or `value` itself.
 * @example
 * ```ts
 * import { MAX_SEED, storedSeed } from "./random.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals([storedSeed(2 ** 32 + 42), storedSeed(-1), storedSeed(7)], [42, MAX_SEED, 7]);
 * assertEquals(storedSeed("7"), "7");
 * ```
 */
export function storedSeed(value: unknown): unknown {
  return typeof value === "number" && Number.isSafeInteger(value) ? value >>> 0 : value;
}

/**
 * Creates a seeded generator.
 *
 * @param seed Any integer; it is reduced to 32 bits (0 to {@linkcode MAX_SEED} are the distinct
 *   streams). A fraction is truncated toward zero (1.5 gives seed 1's stream), as tfjs layers
 *   may carry any number as their seed.
 * @returns A generator whose whole stream is fixed by `seed`.
 * @throws {TypeError} When `seed` is not a finite number.
 * @example
 * ```ts
 * import { createRng } from "./random.ts";
 * import { assertEquals } from "@std/assert";
 * const a = createRng(7), b = createRng(7);
 * assertEquals(a.next(), b.next(), "not reproducible");
 * ```
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) {
    throw new TypeError(`createRng(): expected a finite integer seed, found ${shown(seed)}`);
  }
  const init = splitmix32(Math.trunc(seed));
  let a = init(), b = init(), c = init(), d = init();
  let spare: number | null = null;
  const uint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) uint32();
  const next = (): number => uint32() / 4294967296;
  const rng: Rng = {
    seed: Math.trunc(seed),
    next,
    uint32,
    int(n: number): number {
      if (!(n >= 1) || !Number.isFinite(n)) {
        throw new RangeError(`Rng.int(): expected n >= 1, found ${n}`);
      }
      return Math.floor(next() * Math.floor(n));
    },
    ints(n: number, out: Int32Array): Int32Array {
      if (!(n >= 1 && n <= 2 ** 31)) {
        throw new RangeError(`Rng.ints(): expected 1 <= n <= 2^31, found ${n}`);
      }
      const m = Math.floor(n);
      // The state in locals: the closure's variables hold numbers above 2³¹, which V8 boxes
      // on every store; locals stay in registers. Same steps as uint32() and next().
      let w = a, x = b, y = c, z = d;
      for (let i = 0; i < out.length; i++) {
        const t = (((w + x) >>> 0) + z) >>> 0;
        z = (z + 1) >>> 0;
        w = x ^ (x >>> 9);
        x = (y + (y << 3)) >>> 0;
        y = (y << 21) | (y >>> 11);
        y = (y + t) >>> 0;
        out[i] = Math.floor((t / 4294967296) * m);
      }
      a = w, b = x, c = y, d = z;
      return out;
    },
    normal(): number {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle(array) {
      for (let i = array.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = array[i];
        array[i] = array[j];
        array[j] = t;
      }
      return array;
    },
    permutation(n: number): Int32Array {
      if (!Number.isInteger(n) || n < 0) {
        throw new RangeError(`Rng.permutation(): expected n to be an integer >= 0, found ${n}`);
      }
      const p = new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      rng.shuffle(p);
      return p;
    },
    fork(): Rng {
      return createRng(uint32());
    },
  };
  return rng;
}

let globalSeed: number | null = null;
let globalStream: Rng | null = null;

/**
 * Seeds everything random in a session at once, as Keras' `keras.utils.set_random_seed`:
 * - tfjs layers built afterwards whose initializers were given no seed (the way a Keras
 *   tutorial writes them: `tf.layers.embedding({ inputDim, outputDim })`) get deterministic
 *   weights. tfjs seeds each such initializer from `Math.random()`, which cannot be seeded;
 *   here each one takes the next seed of one sfc32 stream seeded with `seed`, in the order
 *   the layers are built. So the same code after the same `setRandomSeed` builds the same
 *   weights, and calling `setRandomSeed` again restarts the stream. Initializers with their
 *   own seed, and random tensors made directly with `tf.random*`, are not affected.
 * - `seed` becomes the default seed of training (`fit`, `train`: shuffles and dropout masks)
 *   and of model building (`buildModel`), wherever no seed is given.
 *
 * @param seed An integer from 0 to {@linkcode MAX_SEED}.
 * @throws {TypeError} When `seed` is not a number.
 * @throws {RangeError} When it is not an integer from 0 to {@linkcode MAX_SEED}.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { randomSeed, setRandomSeed } from "./random.ts";
 * const weights = () => {
 *   const layer = tf.layers.dense({ units: 2, inputShape: [3] });
 *   layer.build([null, 3]);
 *   return Array.from(layer.getWeights()[0].dataSync());
 * };
 * setRandomSeed(7);
 * const a = weights();
 * setRandomSeed(7);
 * assertEquals(weights(), a);
 * assertEquals(randomSeed(), 7);
 * ```
 */
export function setRandomSeed(seed: number): void {
  checkSeed(seed, "setRandomSeed()");
  globalSeed = seed;
  globalStream = createRng(seed);
  // tfjs treats a seed of 0 as "no seed": draw from 1 … 2³¹ − 1.
  seedUnseededInitializers(() => globalStream === null ? null : 1 + globalStream.int(0x7ffffffe));
}

/**
 * The seed given to {@linkcode setRandomSeed}, or `null` when it has not been called.
 *
 * @returns The session seed.
 * @example
 * ```ts
 * import { randomSeed, setRandomSeed } from "./random.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(randomSeed(), null); // until setRandomSeed() is called
 * setRandomSeed(42);
 * assertEquals(randomSeed(), 42);
 * ```
 */
export function randomSeed(): number | null {
  return globalSeed;
}

/**
 * Runs `build` as if {@linkcode setRandomSeed} had just been called with `seed`, then puts the
 * session's seed and stream back: the layers `build` makes get the weights a fresh session
 * seeded with `seed` would give them (for repeats over seeds), and nothing else changes.
 * `build` must finish synchronously (model building does).
 *
 * @param seed An integer from 0 to {@linkcode MAX_SEED}.
 * @param build What to run.
 * @returns What `build` returned.
 * @throws {TypeError} When `seed` is not a number or `build` not a function.
 * @throws {RangeError} When `seed` is not an integer from 0 to {@linkcode MAX_SEED}.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { randomSeed, withRandomSeed } from "./random.ts";
 * const kernel = () => {
 *   const layer = tf.layers.dense({ units: 1, inputShape: [2] });
 *   layer.build([null, 2]);
 *   return Array.from(layer.getWeights()[0].dataSync());
 * };
 * assertEquals(withRandomSeed(3, kernel), withRandomSeed(3, kernel));
 * assertEquals(withRandomSeed(3, randomSeed), 3);
 * ```
 */
export function withRandomSeed<T>(seed: number, build: () => T): T {
  checkSeed(seed, "withRandomSeed()");
  if (typeof build !== "function") {
    throw new TypeError(`withRandomSeed(): expected build to be a function, found ${typeof build}`);
  }
  const saved = { seed: globalSeed, stream: globalStream };
  setRandomSeed(seed);
  try {
    return build();
  } finally {
    globalSeed = saved.seed;
    globalStream = saved.stream;
  }
}
