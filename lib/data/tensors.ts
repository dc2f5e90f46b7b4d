/**
 * From a ratings DataFrame to model inputs: fit the user and movie id encoders on the training
 * part, then turn any part into index arrays or tfjs tensors of shape [n, 1] (the models take
 * two int32 inputs of shape [1]). An id the encoders never saw is an error naming it.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { DataFrame } from "nodejs-polars";
import { COLUMNS } from "../defaults.ts";
import { checkFrame, checkOptionKeys, numberColumn } from "../_validate.ts";
import { idValues } from "./_rows.ts";
import { IdEncoder } from "./encoder.ts";

/** The two encoders a model needs. */
export interface Encoders {
  /** userId ↔ user index (named "user" in errors). */
  users: IdEncoder;
  /** movieId ↔ movie index (named "movie" in errors). */
  movies: IdEncoder;
}

/** Options of {@linkcode fitEncoders}. */
export interface FitEncodersOptions {
  /**
   * Index order: `"sorted"` (ascending ids, as scikit-learn's LabelEncoder in seed 001) or
   * `"appearance"` (order of first appearance, as pandas' `unique()` in seed 000).
   * @default {"sorted"}
   */
  order?: "sorted" | "appearance";
}

/** Every option of {@linkcode fitEncoders} (the type makes the list complete). */
const FIT_ENCODERS_OPTIONS: Record<keyof FitEncodersOptions, true> = { order: true };

/**
 * Fits user and movie encoders on a ratings table (normally the training part).
 *
 * @param df Ratings with userId and movieId columns.
 * @param options The index order.
 * @returns `{ users, movies }`.
 * @throws {TypeError} On a missing column, or a null or fractional id (naming column and row).
 * @throws {RangeError} On a table without rows, or an id outside 32 bits (naming column and
 *   row).
 * @example
 * ```ts
 * import { fitEncoders, ratingsFrame } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({ userId: [9, 3, 9], movieId: [50, 50, 7], rating: [4, 3, 5] });
 * const { users, movies } = fitEncoders(df);
 * assertEquals(users.size, 2);
 * assertEquals(movies.size, 2);
 * assertEquals(Array.from(users.ids), [3, 9]);
 * ```
 */
export function fitEncoders(df: DataFrame, options: FitEncodersOptions = {}): Encoders {
  const who = "fitEncoders()";
  checkOptionKeys(options, Object.keys(FIT_ENCODERS_OPTIONS), who);
  const { order = "sorted" } = options;
  checkFrame(df, [COLUMNS.user, COLUMNS.movie], who);
  if (df.height === 0) throw new RangeError(`${who}: expected at least one rating, found none`);
  return {
    users: IdEncoder.fit(idValues(df, COLUMNS.user, who), { order, name: "user" }),
    movies: IdEncoder.fit(idValues(df, COLUMNS.movie, who), { order, name: "movie" }),
  };
}

/** Index and rating arrays of a ratings table, row-aligned. */
export interface RatingArrays {
  /** User indices (rows of the user embedding). */
  users: Int32Array;
  /** Movie indices (rows of the movie embedding). */
  movies: Int32Array;
  /** Ratings, as float32 (what the models train on). */
  ratings: Float32Array;
}

function checkEncoders(encoders: Encoders, caller: string): void {
  if (!(encoders?.users instanceof IdEncoder) || !(encoders?.movies instanceof IdEncoder)) {
    throw new TypeError(`${caller}: expected encoders { users: IdEncoder, movies: IdEncoder }`);
  }
}

/**
 * Encodes a ratings table into typed arrays.
 *
 * @param df Ratings with userId, movieId and rating columns.
 * @param encoders The fitted encoders (see {@linkcode fitEncoders}).
 * @returns Row-aligned `{ users, movies, ratings }`.
 * @throws {RangeError} Naming the first userId or movieId the encoders do not know, or a
 *   null, NaN or infinite rating and its row.
 * @throws {TypeError} On a missing column, or a null or fractional id (naming column and row).
 * @example
 * ```ts
 * import { fitEncoders, ratingsFrame, ratingsToArrays } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({ userId: [9, 3], movieId: [50, 7], rating: [4, 3.5] });
 * const a = ratingsToArrays(df, fitEncoders(df));
 * assertEquals(a.users, Int32Array.of(1, 0));
 * assertEquals(a.movies, Int32Array.of(1, 0));
 * assertEquals(a.ratings, Float32Array.of(4, 3.5));
 * ```
 */
export function ratingsToArrays(df: DataFrame, encoders: Encoders): RatingArrays {
  const who = "ratingsToArrays()";
  checkFrame(df, [COLUMNS.user, COLUMNS.movie, COLUMNS.rating], who);
  checkEncoders(encoders, who);
  return {
    users: encoders.users.encode(idValues(df, COLUMNS.user, who)),
    movies: encoders.movies.encode(idValues(df, COLUMNS.movie, who)),
    ratings: Float32Array.from(numberColumn(df, COLUMNS.rating, who)),
  };
}

/** Model inputs and targets as tfjs tensors. Dispose them when done. */
export interface RatingTensors {
  /** `[users, movies]`: int32 tensors of shape [n, 1]. */
  x: [tf.Tensor2D, tf.Tensor2D];
  /** Ratings: a float32 tensor of shape [n, 1]. */
  y: tf.Tensor2D;
}

/**
 * Encodes a ratings table into tfjs tensors for `model.fit` / `model.predict`.
 *
 * @param df Ratings with userId, movieId and rating columns.
 * @param encoders The fitted encoders.
 * @returns `{ x: [users, movies], y }`, each of shape [n, 1]: three new tensors the caller owns
 *   and frees (`tf.dispose([...x, y])`) when done with them.
 * @throws {RangeError} Naming the first unknown id.
 * @example
 * ```ts
 * import { fitEncoders, ratingsFrame, ratingsToTensors } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({ userId: [9, 3], movieId: [50, 7], rating: [4, 3.5] });
 * const { x, y } = ratingsToTensors(df, fitEncoders(df));
 * assertEquals(x[0].shape, [2, 1]);
 * assertEquals(x[0].dtype, "int32");
 * assertEquals(y.dtype, "float32");
 * x.forEach((t) => t.dispose());
 * y.dispose();
 * ```
 */
export function ratingsToTensors(df: DataFrame, encoders: Encoders): RatingTensors {
  const { users, movies, ratings } = ratingsToArrays(df, encoders);
  const n = ratings.length;
  return {
    x: [tf.tensor2d(users, [n, 1], "int32"), tf.tensor2d(movies, [n, 1], "int32")],
    y: tf.tensor2d(ratings, [n, 1], "float32"),
  };
}
