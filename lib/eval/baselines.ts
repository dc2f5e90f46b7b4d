/**
 * Rating baselines that every learned model must beat: the global mean, the per-movie mean and
 * the regularised user + movie bias model (Koren 2010; Surprise's `BaselineOnly` with ALS).
 * Each is fitted on a training DataFrame (userId, movieId, rating) and predicts for any
 * (userId, movieId) pairs, with a documented fallback for users and movies not seen in training.
 *
 * @module
 */

import type pl from "nodejs-polars";
import { COLUMNS } from "../defaults.ts";
import type { ScoreTable } from "../analysis/types.ts";
import {
  checkFrame,
  checkNonNegativeNumber,
  checkOptionKeys,
  checkPositiveInt,
  describe,
  idColumn,
  isDataFrame,
  type Numbers,
  ratingColumns,
  toIds,
} from "../_validate.ts";

/** (userId, movieId) pairs to predict for, as two parallel arrays of raw ids. */
export interface Pairs {
  /** Raw user ids. */
  userIds: Numbers;
  /** Raw movie ids, same length as `userIds`. */
  movieIds: Numbers;
}

/** A fitted baseline. */
export interface Baseline {
  /** A short label for comparison tables, e.g. `"movie mean"`. */
  readonly name: string;
  /** Mean rating of the training data. */
  readonly globalMean: number;
  /**
   * Predicted ratings for (userId, movieId) pairs.
   * @param pairs A DataFrame with userId and movieId columns, or `{ userIds, movieIds }`.
   * @returns One prediction per pair.
   */
  predict(pairs: pl.DataFrame | Pairs): Float32Array;
}

/** A fitted {@linkcode movieMeanBaseline}: also exposes the per-movie means. */
export interface MovieMeanBaseline extends Baseline {
  /** Mean training rating of each movie seen in training. */
  readonly movieMeans: ScoreTable;
}

/** A fitted {@linkcode biasBaseline}: also exposes the learned biases. */
export interface BiasBaseline extends Baseline {
  /** Bias `b_u` of each training user (deviation from the global mean). */
  readonly userBiases: ScoreTable;
  /** Bias `b_i` of each training movie (deviation from the global mean). */
  readonly movieBiases: ScoreTable;
}

/** Options of {@linkcode biasBaseline}. */
export interface BiasBaselineOptions {
  /**
   * Shrinkage of the user biases: `b_u = Σ(r - μ - b_i) / (regUser + n_u)`.
   * @default {15}
   */
  regUser?: number;
  /**
   * Shrinkage of the movie biases: `b_i = Σ(r - μ - b_u) / (regMovie + n_i)`.
   * @default {10}
   */
  regMovie?: number;
  /**
   * Alternating passes (movies, then users) of the least-squares updates.
   * @default {10}
   */
  iterations?: number;
}

interface Training {
  users: Numbers;
  movies: Numbers;
  ratings: Float64Array;
  mean: number;
}

function readTraining(train: pl.DataFrame, who: string): Training {
  const { userIds: users, movieIds: movies, ratings } = ratingColumns(train, who);
  let sum = 0;
  for (let i = 0; i < ratings.length; i++) sum += ratings[i];
  return { users, movies, ratings, mean: sum / ratings.length };
}

function readPairs(
  pairs: pl.DataFrame | Pairs,
  who: string,
): { users: Numbers; movies: Numbers } {
  if (isDataFrame(pairs)) {
    checkFrame(pairs, [COLUMNS.user, COLUMNS.movie], who);
    return {
      users: idColumn(pairs, COLUMNS.user, who),
      movies: idColumn(pairs, COLUMNS.movie, who),
    };
  }
  if (
    typeof pairs !== "object" || pairs === null || !("userIds" in pairs) || !("movieIds" in pairs)
  ) {
    throw new TypeError(
      `${who}: expected a DataFrame or { userIds, movieIds }, found ${describe(pairs)}`,
    );
  }
  const users = toIds(pairs.userIds, "userIds", who);
  const movies = toIds(pairs.movieIds, "movieIds", who);
  if (users.length !== movies.length) {
    throw new RangeError(
      `${who}: expected userIds and movieIds of the same length, found ${users.length} and ${movies.length}`,
    );
  }
  return { users, movies };
}

/** Dense indices for the distinct ids, in order of first appearance. */
function indexIds(
  ids: Numbers,
): { index: Map<number, number>; ids: Int32Array; of: Int32Array } {
  const index = new Map<number, number>();
  const of = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    let k = index.get(ids[i]);
    if (k === undefined) {
      k = index.size;
      index.set(ids[i], k);
    }
    of[i] = k;
  }
  return { index, ids: Int32Array.from(index.keys()), of };
}

/**
 * Predicts the training mean rating for every pair.
 *
 * @param train Training ratings (userId, movieId, rating).
 * @returns A baseline named `"global mean"`.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { globalMeanBaseline } from "./baselines.ts";
 * import { assertEquals } from "@std/assert";
 * const train = pl.DataFrame({ userId: [1, 2], movieId: [10, 10], rating: [3, 5] });
 * assertEquals(
 *   globalMeanBaseline(train).predict({ userIds: [7], movieIds: [99] }),
 *   Float32Array.of(4),
 * );
 * ```
 */
export function globalMeanBaseline(train: pl.DataFrame): Baseline {
  const who = "globalMeanBaseline()";
  const { mean } = readTraining(train, who);
  return {
    name: "global mean",
    globalMean: mean,
    predict(pairs) {
      const { users } = readPairs(pairs, `${this.name} predict()`);
      return new Float32Array(users.length).fill(mean);
    },
  };
}

/**
 * Predicts each movie's mean training rating; a movie not seen in training gets the global mean
 * (the baseline of the DLRM tutorial). The user is ignored.
 *
 * @param train Training ratings (userId, movieId, rating).
 * @returns A baseline named `"movie mean"`, with the per-movie means.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { movieMeanBaseline } from "./baselines.ts";
 * import { assertEquals } from "@std/assert";
 * const train = pl.DataFrame({ userId: [1, 2, 1], movieId: [10, 10, 20], rating: [3, 5, 1] });
 * assertEquals(
 *   movieMeanBaseline(train).predict({ userIds: [1, 1], movieIds: [10, 99] }),
 *   Float32Array.of(4, 3),
 * );
 * ```
 */
export function movieMeanBaseline(train: pl.DataFrame): MovieMeanBaseline {
  const who = "movieMeanBaseline()";
  const t = readTraining(train, who);
  const m = indexIds(t.movies);
  const sum = new Float64Array(m.ids.length), count = new Float64Array(m.ids.length);
  for (let r = 0; r < t.ratings.length; r++) {
    sum[m.of[r]] += t.ratings[r];
    count[m.of[r]]++;
  }
  const means = new Float64Array(m.ids.length);
  for (let k = 0; k < means.length; k++) means[k] = sum[k] / count[k];
  return {
    name: "movie mean",
    globalMean: t.mean,
    movieMeans: { ids: m.ids, values: Float32Array.from(means) },
    predict(pairs) {
      const { movies } = readPairs(pairs, `${this.name} predict()`);
      const out = new Float32Array(movies.length);
      for (let i = 0; i < movies.length; i++) {
        const k = m.index.get(movies[i]);
        out[i] = k === undefined ? t.mean : means[k];
      }
      return out;
    },
  };
}

/** Every option of {@linkcode biasBaseline} (the type makes the list complete). */
const BIAS_BASELINE_OPTIONS: Record<keyof BiasBaselineOptions, true> = {
  regUser: true,
  regMovie: true,
  iterations: true,
};

/**
 * The regularised user + movie bias baseline `r̂ = μ + b_u + b_i`, fitted by alternating least
 * squares exactly as Surprise's `BaselineOnly(bsl_options={"method": "als"})`: each pass first
 * sets every `b_i = Σ_u (r_ui − μ − b_u) / (regMovie + n_i)`, then every
 * `b_u = Σ_i (r_ui − μ − b_i) / (regUser + n_u)`. A user or movie not seen in training has
 * bias 0, so an unseen pair gets the global mean.
 *
 * @param train Training ratings (userId, movieId, rating).
 * @param options Shrinkage and number of passes.
 * @returns A baseline named `"user + movie bias"`, with the learned biases.
 * @throws {TypeError} When regUser or regMovie is not a number, or `train` not a ratings table.
 * @throws {RangeError} When regUser or regMovie is negative, NaN or infinite, iterations not a
 *   positive integer, or `train` empty or holding a bad id or rating (naming column and row).
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { biasBaseline } from "./baselines.ts";
 * import { assertEquals } from "@std/assert";
 * const train = pl.DataFrame({ userId: [1, 1, 2], movieId: [10, 20, 10], rating: [5, 3, 4] });
 * const b = biasBaseline(train, { regUser: 0, regMovie: 0, iterations: 20 });
 * assertEquals(b.predict({ userIds: [2], movieIds: [20] }), Float32Array.of(2)); // user 2 rates 1 below user 1, who rates 20 at 3
 * ```
 */
export function biasBaseline(train: pl.DataFrame, options: BiasBaselineOptions = {}): BiasBaseline {
  const who = "biasBaseline()";
  checkOptionKeys(options, Object.keys(BIAS_BASELINE_OPTIONS), who);
  const { regUser = 15, regMovie = 10, iterations = 10 } = options;
  checkNonNegativeNumber(regUser, "regUser", who);
  checkNonNegativeNumber(regMovie, "regMovie", who);
  checkPositiveInt(iterations, "iterations", who);
  const t = readTraining(train, who);
  const u = indexIds(t.users), m = indexIds(t.movies);
  const nU = new Float64Array(u.ids.length), nM = new Float64Array(m.ids.length);
  for (let r = 0; r < t.ratings.length; r++) {
    nU[u.of[r]]++;
    nM[m.of[r]]++;
  }
  const bu = new Float64Array(u.ids.length), bi = new Float64Array(m.ids.length);
  const dev = new Float64Array(Math.max(u.ids.length, m.ids.length));
  for (let it = 0; it < iterations; it++) {
    dev.fill(0);
    for (let r = 0; r < t.ratings.length; r++) dev[m.of[r]] += t.ratings[r] - t.mean - bu[u.of[r]];
    for (let k = 0; k < bi.length; k++) bi[k] = dev[k] / (regMovie + nM[k]);
    dev.fill(0);
    for (let r = 0; r < t.ratings.length; r++) dev[u.of[r]] += t.ratings[r] - t.mean - bi[m.of[r]];
    for (let k = 0; k < bu.length; k++) bu[k] = dev[k] / (regUser + nU[k]);
  }
  return {
    name: "user + movie bias",
    globalMean: t.mean,
    userBiases: { ids: u.ids, values: Float32Array.from(bu) },
    movieBiases: { ids: m.ids, values: Float32Array.from(bi) },
    predict(pairs) {
      const { users, movies } = readPairs(pairs, `${this.name} predict()`);
      const out = new Float32Array(users.length);
      for (let i = 0; i < users.length; i++) {
        const ku = u.index.get(users[i]), km = m.index.get(movies[i]);
        out[i] = t.mean + (ku === undefined ? 0 : bu[ku]) + (km === undefined ? 0 : bi[km]);
      }
      return out;
    },
  };
}
