/**
 * Predictions in stars by raw ids: one pair, or every row of a DataFrame (batched).
 *
 * @module
 */

import {
  checkInteger,
  checkOptionKeys,
  type DataFrame,
  describe,
  encodeIds,
  isDataFrame,
  ratingColumns,
} from "../_validate.ts";
import { batchSizeOption } from "./_inputs.ts";
import { checkRecommender, usableScores } from "./_usable.ts";
import type { Recommender } from "./recommender.ts";

/** Options of {@linkcode predictRatings}. */
export interface PredictRatingsOptions {
  /**
   * Rows per forward pass.
   * @default {65536}
   */
  batchSize?: number;
}

/** Raw id pairs to score: `userIds[i]` with `movieIds[i]`. */
export interface IdPairs {
  /** Raw user ids. */
  userIds: ArrayLike<number>;
  /** Raw movie ids, same length. */
  movieIds: ArrayLike<number>;
}

/** Every option of {@linkcode predictRatings} (the type makes the list complete). */
const PREDICT_RATINGS_OPTIONS: Record<keyof PredictRatingsOptions, true> = { batchSize: true };

/**
 * Predicts the rating (stars) of each (userId, movieId) row. Unknown ids throw a `RangeError`
 * naming them; an empty input or pairs of different lengths throw too. A model whose training
 * diverged (marked by `train`, or with NaN or infinite weights, or whose outputs overflow)
 * throws a `DivergedModelError` saying what happened and what to do: a prediction is never
 * NaN. Anything but a recommender is a `TypeError`, and one freed by `disposeRecommender()` a
 * `RangeError` saying so.
 *
 * @param rec The recommender.
 * @param data A ratings DataFrame (userId, movieId; other columns ignored) or id arrays.
 * @param options Batch size.
 * @returns One prediction per row.
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { predictRatings } from "./predict.ts";
 * import { assertEquals } from "@std/assert";
 * const rec = buildModel("dot-bias", {
 *   users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([10, 20]), yRange: [0, 5],
 * });
 * assertEquals(predictRatings(rec, { userIds: [1, 2], movieIds: [20, 10] }).length, 2);
 * ```
 */
export function predictRatings(
  rec: Recommender,
  data: DataFrame | IdPairs,
  options: PredictRatingsOptions = {},
): Float32Array {
  const where = "predictRatings()";
  checkOptionKeys(options, Object.keys(PREDICT_RATINGS_OPTIONS), where);
  checkRecommender(rec, where);
  const batchSize = batchSizeOption(options.batchSize ?? 65536, where);
  let userIds: ArrayLike<number>, movieIds: ArrayLike<number>;
  if (isDataFrame(data)) {
    ({ userIds, movieIds } = ratingColumns(data, where, false));
  } else if (data && typeof data === "object" && "userIds" in data && "movieIds" in data) {
    ({ userIds, movieIds } = data);
    if (userIds.length !== movieIds.length) {
      throw new RangeError(
        `${where}: expected as many movieIds as userIds (${userIds.length}), found ${movieIds.length}`,
      );
    }
    if (userIds.length === 0) {
      throw new RangeError(`${where}: expected at least one (userId, movieId) pair, found none`);
    }
  } else {
    throw new TypeError(
      `${where}: expected a ratings DataFrame or { userIds, movieIds }, found ${describe(data)}`,
    );
  }
  const frame = isDataFrame(data);
  return scorePairs(rec, userIds, movieIds, batchSize, where, frame ? "ratings" : undefined);
}

/** Scores raw id pairs, an unknown id named with the caller and where it was found. */
function scorePairs(
  rec: Recommender,
  userIds: ArrayLike<number>,
  movieIds: ArrayLike<number>,
  batchSize: number,
  where: string,
  source?: string,
): Float32Array {
  return usableScores(
    rec,
    encodeIds(rec.users, userIds, "user", where, source),
    encodeIds(rec.movies, movieIds, "movie", where, source),
    batchSize,
    where,
  );
}

/**
 * Predicts one user's rating of one movie, by raw ids.
 *
 * @param rec The recommender.
 * @param userId A raw user id the model knows.
 * @param movieId A raw movie id the model knows.
 * @returns The predicted rating in stars.
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { predict } from "./predict.ts";
 * import { assertEquals } from "@std/assert";
 * const rec = buildModel("dot", { users: IdEncoder.fit([1]), movies: IdEncoder.fit([10]) });
 * assertEquals(typeof predict(rec, 1, 10), "number");
 * ```
 */
export function predict(rec: Recommender, userId: number, movieId: number): number {
  const where = "predict()";
  checkRecommender(rec, where);
  checkInteger(userId, "userId", where);
  checkInteger(movieId, "movieId", where);
  return scorePairs(rec, [userId], [movieId], 1, where)[0];
}
