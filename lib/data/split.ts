/**
 * Train/test splits of a ratings table, each reproducing one tutorial's habit and all seeded
 * through `createRng`, so the same seed gives the same split on every machine:
 *
 * | function | mirrors | sizes |
 * | --- | --- | --- |
 * | {@linkcode randomSplit} | scikit-learn `train_test_split` (seeds 001–003) | test = ceil(n·f), exact |
 * | {@linkcode maskSplit} | `np.random.rand(n) < 0.8` (seed 000) | about p·n, varies |
 * | {@linkcode tailSplit} | Keras `validation_split` (seeds 002, 004) | last n − floor(n·(1−f)) rows |
 * | {@linkcode perUserSplit} | per-user holdout | ceil(c·f) or `testCount` per user |
 * | {@linkcode temporalSplit} | "predict the future" | the latest ceil(n·f) ratings |
 * | {@linkcode predefinedSplit} | ml-100k's u1–u5, ua, ub files | as published |
 *
 * Every function returns `{ train, test }`, each with at least one row (a split that would
 * leave a part empty is a `RangeError` naming the split and the sizes); callers rename `test`
 * to `val` where it is used for validation. Seeds are integers.
 *
 * @module
 */

import type { DataFrame } from "nodejs-polars";
import { COLUMNS, DEFAULT_SEED } from "../defaults.ts";
import { checkSeed, createRng } from "../random.ts";
import {
  checkBoolean,
  checkFrame,
  checkNonNegativeInt,
  checkOptionKeys,
  found,
  numberColumn,
  plural,
} from "../_validate.ts";
import { gatherRows, idValues, partitionRows } from "./_rows.ts";
import type { MovieLens } from "./types.ts";
import type { PredefinedSplitName, Split } from "./types.ts";

function checkFraction(value: number, name: string, caller: string): number {
  if (typeof value !== "number" || !(value > 0 && value < 1)) {
    const Error = typeof value === "number" ? RangeError : TypeError; // "0.2" is no fraction
    throw new Error(`${caller}: expected ${name} strictly between 0 and 1, found ${found(value)}`);
  }
  return value;
}

function checkRows(df: DataFrame, caller: string, columns: string[] = []): number {
  checkFrame(df, columns, caller);
  if (df.height === 0) throw new RangeError(`${caller}: expected at least one row, found none`);
  return df.height;
}

/**
 * Throws a `RangeError` when a part would be empty.
 * @param what The split as a phrase, e.g. "a test fraction of 0.999 on 8 ratings".
 */
function checkParts(caller: string, what: string, nTest: number, n: number): void {
  if (nTest > 0 && nTest < n) return;
  throw new RangeError(
    `${caller}: ${what} leaves the ${nTest >= n ? "training" : "test"} part empty (expected ` +
      "at least one rating in each part)",
  );
}

function ascending(indices: ArrayLike<number>): Int32Array {
  return Int32Array.from(indices).sort();
}

/** Options of {@linkcode randomSplit}. */
export interface RandomSplitOptions {
  /**
   * Share of rows in the test part; the test size is ceil(n × testFraction), as in
   * scikit-learn, so 100,836 × 0.1 gives 10,084 test rows and 90,752 train rows.
   * @default {0.2}
   */
  testFraction?: number;
  /**
   * Seed of the permutation.
   * @default {DEFAULT_SEED}
   */
  seed?: number;
  /**
   * Return rows in the permuted order (as `train_test_split` does); false keeps file order.
   * @default {true}
   */
  shuffle?: boolean;
}

/** Every option of {@linkcode randomSplit} (the type makes the list complete). */
const RANDOM_SPLIT_OPTIONS: Record<keyof RandomSplitOptions, true> = {
  testFraction: true,
  seed: true,
  shuffle: true,
};

/**
 * A seeded random split with exact sizes.
 *
 * @param df The ratings (any DataFrame).
 * @param options Test share, seed, row order.
 * @returns `{ train, test }`, disjoint, together every row once.
 * @throws {RangeError} On a fraction outside (0, 1), a seed that is not an integer from 0 to
 *   `MAX_SEED`, or sizes that leave the training part empty (1 rating, or a fraction of 0.999
 *   on 8).
 * @throws {TypeError} On a fraction or seed that is not a number, or a `shuffle` that is not
 *   true or false.
 * @example
 * ```ts
 * import { randomSplit, ratingsFrame } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({ userId: [1, 1, 2, 2, 3], movieId: [1, 2, 1, 3, 2], rating: [4, 3, 5, 2, 1] });
 * const { train, test } = randomSplit(df, { testFraction: 0.2, seed: 7 });
 * assertEquals(train.height, 4);
 * assertEquals(test.height, 1);
 * ```
 */
export function randomSplit(df: DataFrame, options: RandomSplitOptions = {}): Split {
  const caller = "randomSplit()";
  checkOptionKeys(options, Object.keys(RANDOM_SPLIT_OPTIONS), caller);
  const { testFraction = 0.2, seed = DEFAULT_SEED, shuffle = true } = options;
  const n = checkRows(df, caller);
  checkFraction(testFraction, "testFraction", caller);
  checkSeed(seed, caller);
  checkBoolean(shuffle, "shuffle", caller);
  const nTest = Math.ceil(n * testFraction);
  checkParts(caller, `a test fraction of ${testFraction} on ${plural(n, "rating")}`, nTest, n);
  const perm = createRng(seed).permutation(n);
  let test: ArrayLike<number> = perm.subarray(0, nTest);
  let train: ArrayLike<number> = perm.subarray(nTest);
  if (!shuffle) {
    test = ascending(test);
    train = ascending(train);
  }
  return { train: gatherRows(df, train), test: gatherRows(df, test) };
}

/** Options of {@linkcode maskSplit}. */
export interface MaskSplitOptions {
  /**
   * Probability that a row goes to train (seed 000: 0.8).
   * @default {0.8}
   */
  trainProbability?: number;
  /**
   * Seed of the per-row draws.
   * @default {DEFAULT_SEED}
   */
  seed?: number;
}

/** Every option of {@linkcode maskSplit} (the type makes the list complete). */
const MASK_SPLIT_OPTIONS: Record<keyof MaskSplitOptions, true> = {
  trainProbability: true,
  seed: true,
};

/**
 * Seed 000's split: one uniform draw per row, train where it is below `trainProbability`.
 * The sizes vary around p·n (seed 000 got 80,099 / 19,905 of 100,004). Row order is kept.
 *
 * @param df The ratings.
 * @param options Train probability and seed.
 * @returns `{ train, test }`.
 * @throws {RangeError} On a probability outside (0, 1), a seed that is not an integer from 0 to
 *   `MAX_SEED`, or draws that send every row to one part (likely on a few rows: try another
 *   seed).
 * @example
 * ```ts
 * import { maskSplit, ratingsFrame } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const n = 1000;
 * const df = ratingsFrame({
 *   userId: Array.from({ length: n }, (_, i) => i % 10),
 *   movieId: Array.from({ length: n }, (_, i) => Math.floor(i / 10)),
 *   rating: Array.from({ length: n }, () => 3),
 * });
 * const { train, test } = maskSplit(df, { trainProbability: 0.8, seed: 42 });
 * assertEquals(train.height + test.height, 1000); // about 800 in train
 * ```
 */
export function maskSplit(df: DataFrame, options: MaskSplitOptions = {}): Split {
  const caller = "maskSplit()";
  checkOptionKeys(options, Object.keys(MASK_SPLIT_OPTIONS), caller);
  const { trainProbability = 0.8, seed = DEFAULT_SEED } = options;
  const n = checkRows(df, caller);
  checkFraction(trainProbability, "trainProbability", caller);
  checkSeed(seed, caller);
  const rng = createRng(seed);
  const flags = new Uint8Array(n);
  let nTrain = 0;
  for (let i = 0; i < n; i++) {
    flags[i] = rng.next() < trainProbability ? 1 : 0;
    nTrain += flags[i];
  }
  const what = `a train probability of ${trainProbability} on ${
    plural(n, "rating")
  } (seed ${seed})`;
  checkParts(caller, what, n - nTrain, n);
  const { selected, rest } = partitionRows(df, flags);
  return { train: selected, test: rest };
}

/** Options of {@linkcode tailSplit}. */
export interface TailSplitOptions {
  /**
   * Share held out at the end, as Keras' `validation_split` (seed 002: 0.1, seed 004: 0.15).
   * @default {0.1}
   */
  fraction?: number;
}

/** Every option of {@linkcode tailSplit} (the type makes the list complete). */
const TAIL_SPLIT_OPTIONS: Record<keyof TailSplitOptions, true> = { fraction: true };

/**
 * Keras' `validation_split`: the first floor(n·(1−f)) rows train, the rest (the last rows,
 * unshuffled) test. On ratings.csv, which is sorted by userId, the test part is the last
 * users, unseen in training: shuffle first (e.g. {@linkcode randomSplit}) unless you mean that.
 *
 * @param df The rows, in the order Keras would see them.
 * @param options The held-out share.
 * @returns `{ train, test }`.
 * @throws {RangeError} On a fraction outside (0, 1) or one that leaves a part empty.
 * @example
 * ```ts
 * import { ratingsFrame, tailSplit } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({ userId: [1, 2, 3, 4, 5], movieId: [1, 1, 1, 1, 1], rating: [1, 2, 3, 4, 5] });
 * const { test } = tailSplit(df, { fraction: 0.4 });
 * assertEquals(test.getColumn("userId").toArray(), [4, 5]);
 * ```
 */
export function tailSplit(df: DataFrame, options: TailSplitOptions = {}): Split {
  const caller = "tailSplit()";
  checkOptionKeys(options, Object.keys(TAIL_SPLIT_OPTIONS), caller);
  const { fraction = 0.1 } = options;
  const n = checkRows(df, caller);
  checkFraction(fraction, "fraction", caller);
  const at = Math.floor(n * (1 - fraction));
  checkParts(caller, `a fraction of ${fraction} on ${plural(n, "rating")}`, n - at, n);
  return { train: df.slice(0, at), test: df.slice(at, n - at) };
}

/** Options of {@linkcode perUserSplit}. */
export interface PerUserSplitOptions {
  /**
   * Share of each user's ratings held out: ceil(count × testFraction). Ignored when
   * `testCount` is given.
   * @default {0.2}
   */
  testFraction?: number;
  /**
   * A fixed number of ratings held out per user (ml-100k's ua/ub hold out 10).
   * @default {undefined}
   */
  testCount?: number;
  /**
   * Ratings every user keeps in train, whatever the share (so each user's embedding trains).
   * @default {1}
   */
  minTrain?: number;
  /**
   * Seed of the per-user draws.
   * @default {DEFAULT_SEED}
   */
  seed?: number;
}

function perUserCount(c: number, fraction: number, count: number | undefined, minTrain: number) {
  const k = count !== undefined ? count : Math.ceil(c * fraction);
  return Math.max(0, Math.min(k, c - minTrain));
}

function checkCounts(options: PerUserSplitOptions | TemporalSplitOptions, caller: string) {
  return checkNonNegativeInt(options.minTrain ?? 1, "minTrain", caller);
}

function groupByUser(df: DataFrame, caller: string): Map<number, number[]> {
  const users = idValues(df, COLUMNS.user, caller);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < users.length; i++) {
    const list = groups.get(users[i]);
    if (list) list.push(i);
    else groups.set(users[i], [i]);
  }
  return groups;
}

/** Every option of {@linkcode perUserSplit} (the type makes the list complete). */
const PER_USER_SPLIT_OPTIONS: Record<keyof PerUserSplitOptions, true> = {
  testFraction: true,
  testCount: true,
  minTrain: true,
  seed: true,
};

/**
 * Per-user holdout: for every user, a random share (or a fixed count) of their ratings goes
 * to test, never more than leaves `minTrain` in train. Row order is kept.
 *
 * @param df Ratings with a userId column.
 * @param options `testFraction` or `testCount`, `minTrain`, seed.
 * @returns `{ train, test }`; every user of `df` is in train (when minTrain ≥ 1).
 * @throws {RangeError} On bad options, or when no user has more than `minTrain` ratings (an
 *   empty test part) or `minTrain: 0` holds every rating out (an empty training part).
 * @example
 * ```ts
 * import { perUserSplit, ratingsFrame } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({ userId: [1, 1, 1, 1, 2, 2], movieId: [1, 2, 3, 4, 1, 2], rating: [5, 4, 3, 2, 1, 2] });
 * const { train, test } = perUserSplit(df, { testCount: 1, seed: 1 });
 * assertEquals(train.height, 4);
 * assertEquals(test.height, 2);
 * ```
 */
export function perUserSplit(df: DataFrame, options: PerUserSplitOptions = {}): Split {
  const caller = "perUserSplit()";
  checkOptionKeys(options, Object.keys(PER_USER_SPLIT_OPTIONS), caller);
  checkRows(df, caller, [COLUMNS.user]);
  const { testFraction = 0.2, testCount, seed = DEFAULT_SEED } = options;
  if (testCount !== undefined) checkNonNegativeInt(testCount, "testCount", caller);
  else checkFraction(testFraction, "testFraction", caller);
  const minTrain = checkCounts(options, caller);
  const rng = createRng(checkSeed(seed, caller));
  const flags = new Uint8Array(df.height);
  const groups = groupByUser(df, caller);
  let nTest = 0;
  for (const rows of groups.values()) {
    const k = perUserCount(rows.length, testFraction, testCount, minTrain);
    nTest += k;
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(rows.length - i);
      const t = rows[i];
      rows[i] = rows[j];
      rows[j] = t;
      flags[rows[i]] = 1;
    }
  }
  const share = testCount !== undefined
    ? `a test count of ${testCount}`
    : `a test fraction of ${testFraction}`;
  const what = `${share} with minTrain ${minTrain} on ${perUsers(df.height, groups.size)}`;
  checkParts(caller, what, nTest, df.height);
  const { selected, rest } = partitionRows(df, flags);
  return { train: rest, test: selected };
}

function perUsers(n: number, users: number): string {
  return `${plural(n, "rating")} of ${plural(users, "user")}`;
}

/** Options of {@linkcode temporalSplit}. */
export interface TemporalSplitOptions {
  /**
   * Share of ratings held out: the latest ceil(n × testFraction) (per user with `by: "user"`).
   * @default {0.2}
   */
  testFraction?: number;
  /**
   * `"global"`: one time cut for everybody (test = the most recent ratings overall; users
   * who only rated after the cut are cold-start). `"user"`: each user's own latest ratings.
   * @default {"global"}
   */
  by?: "global" | "user";
  /**
   * With `by: "user"`, ratings each user keeps in train.
   * @default {1}
   */
  minTrain?: number;
}

/** Every option of {@linkcode temporalSplit} (the type makes the list complete). */
const TEMPORAL_SPLIT_OPTIONS: Record<keyof TemporalSplitOptions, true> = {
  testFraction: true,
  by: true,
  minTrain: true,
};

/**
 * A split by time: train on the past, test on the future. Equal timestamps are ordered by
 * row, so the split is deterministic. Row order is kept in both parts.
 *
 * @param df Ratings with timestamp (and userId for `by: "user"`) columns.
 * @param options Share held out and whether the cut is global or per user.
 * @returns `{ train, test }`; with `"global"` every test timestamp ≥ every train timestamp.
 * @throws {RangeError} On a `testFraction` outside (0, 1), no rows, a null or NaN timestamp,
 *   or sizes that leave a part empty.
 * @throws {TypeError} When `by` is neither `"global"` nor `"user"`, `testFraction` is not a
 *   number, or a column is missing.
 * @example
 * ```ts
 * import { ratingsFrame, temporalSplit } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({
 *   userId: [1, 2, 1, 2],
 *   movieId: [1, 1, 2, 2],
 *   rating: [3, 4, 5, 2],
 *   timestamp: [40, 10, 30, 20],
 * });
 * const { test } = temporalSplit(df, { testFraction: 0.5 });
 * assertEquals(test.getColumn("timestamp").toArray(), [40, 30]);
 * ```
 */
export function temporalSplit(df: DataFrame, options: TemporalSplitOptions = {}): Split {
  const caller = "temporalSplit()";
  checkOptionKeys(options, Object.keys(TEMPORAL_SPLIT_OPTIONS), caller);
  const { testFraction = 0.2, by = "global" } = options;
  if (by !== "global" && by !== "user") {
    throw new TypeError(`${caller}: expected by to be "global" or "user", found "${by}"`);
  }
  const n = checkRows(
    df,
    caller,
    by === "user" ? [COLUMNS.timestamp, COLUMNS.user] : [
      COLUMNS.timestamp,
    ],
  );
  checkFraction(testFraction, "testFraction", caller);
  const minTrain = checkCounts(options, caller);
  const times = numberColumn(df, COLUMNS.timestamp, caller);
  const byTime = (a: number, b: number) => times[a] - times[b] || a - b;
  const flags = new Uint8Array(n);
  if (by === "global") {
    const nTest = Math.ceil(n * testFraction);
    checkParts(caller, `a test fraction of ${testFraction} on ${plural(n, "rating")}`, nTest, n);
    const order = Array.from({ length: n }, (_, i) => i).sort(byTime);
    for (let i = n - nTest; i < n; i++) flags[order[i]] = 1;
  } else {
    const groups = groupByUser(df, caller);
    let nTest = 0;
    for (const rows of groups.values()) {
      rows.sort(byTime);
      const k = perUserCount(rows.length, testFraction, undefined, minTrain);
      nTest += k;
      for (let i = rows.length - k; i < rows.length; i++) flags[rows[i]] = 1;
    }
    const what = `a test fraction of ${testFraction} by user with minTrain ${minTrain} on ` +
      perUsers(n, groups.size);
    checkParts(caller, what, nTest, n);
  }
  const { selected, rest } = partitionRows(df, flags);
  return { train: rest, test: selected };
}

/**
 * One of ml-100k's published splits: u1–u5 (five disjoint 80/20 folds) or ua/ub (10 ratings
 * per user held out), read from `<name>.base` / `<name>.test` on first use.
 * Every row of the two files must be a rating of the data set's own u.data (same userId,
 * movieId, rating and timestamp) and no (userId, movieId) pair may be in both files, as in the
 * published folds; u.data ratings in neither file are reported through the `onWarning` given
 * to `loadMovieLens()`.
 *
 * @param ml A data set from `loadMovieLens("ml-100k")` (or any folder with those files).
 * @param name `"u1"` … `"u5"`, `"ua"`, `"ub"`.
 * @returns A promise of `{ train: <name>.base, test: <name>.test }` in the ratings schema; it
 *   rejects (nothing is thrown synchronously) with a `RangeError` when the data set has no
 *   predefined splits or not that one, when the files hold a row that u.data lacks
 *   (naming the file, its line and the row, and how many such rows each file holds), or a
 *   pair in both files (naming it, its line in each, and how many such pairs there are).
 * @example
 * ```ts
 * import { loadMovieLens, predefinedSplit } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * // A tiny folder in ml-100k's layout, offline; on the real ml-100k, u1 is 80,000 / 20,000.
 * const tiny = new URL("../../test/fixtures/ml100k_tiny", import.meta.url).pathname;
 * const ml = await loadMovieLens(tiny);
 * const { train, test } = await predefinedSplit(ml, "u1");
 * assertEquals([train.height, test.height], [6, 2]);
 * ```
 */
export function predefinedSplit(ml: MovieLens, name: PredefinedSplitName): Promise<Split> {
  if (!ml?.predefinedSplits || ml.predefinedSplits.names.length === 0) {
    return Promise.reject(
      new RangeError(
        `predefinedSplit(): ${ml?.name ?? "this data set"} has no predefined splits ` +
          "(expected ml-100k with its u1.base/u1.test … ub.test files)",
      ),
    );
  }
  return ml.predefinedSplits.load(name);
}
