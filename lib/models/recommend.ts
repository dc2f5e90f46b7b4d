/**
 * Top-k recommendations by raw ids: one user's ranked list with titles and genres (a
 * DataFrame, for notebooks), or many users' movie ids (a Map, for ranking metrics). Scoring
 * is one batched forward pass over every candidate.
 *
 * @module
 */

import pl from "nodejs-polars";
import { DEFAULT_K } from "../defaults.ts";
import { topKIndices } from "../top_k.ts";
import {
  checkInteger,
  checkNonNegativeInt,
  checkOptionKeys,
  checkPositiveInt,
  type DataFrame,
  describe,
  encodeIds,
  isDataFrame,
  ratingColumns,
} from "../_validate.ts";
import { batchSizeOption } from "./_inputs.ts";
import { checkRecommender, usableScores } from "./_usable.ts";
import type { Recommender } from "./recommender.ts";

/** Options of {@linkcode recommend}. */
export interface RecommendOptions {
  /**
   * Length of the list.
   * @default {10}
   */
  k?: number;
  /**
   * Ratings the user has seen (e.g. the training ratings); their movies are left out.
   * @default {undefined}
   */
  exclude?: DataFrame;
  /**
   * Leave out the movies the user has rated in `exclude` (or, without it, in `ratings`). When
   * true and neither is given, a `TypeError` asks for one: silently recommending seen movies
   * is the seed tutorials' bug.
   * @default {true}
   */
  excludeSeen?: boolean;
  /**
   * Only movies with at least this many ratings (counted in `ratings`, else in the ratings the
   * model was built from).
   * @default {0}
   */
  minRatings?: number;
  /**
   * Ratings to count popularity in (the `count` column, `minRatings`, the fallback).
   * @default {undefined}
   */
  ratings?: DataFrame;
  /**
   * What to do for a user the model does not know (not in its encoder, or in it but without a
   * rating in `exclude` or `ratings` when either is given): throw a `RangeError` naming the
   * user (`null`), or rank movies by number of ratings (`"popularity"`; `score` is then the
   * count). `exclude` counts only with `excludeSeen` (the default).
   * @default {null}
   */
  fallback?: "popularity" | null;
  /**
   * Rows per forward pass.
   * @default {65536}
   */
  batchSize?: number;
}

function countsOf(rec: Recommender, ratings: DataFrame | undefined, where: string) {
  if (ratings === undefined) return rec.movieCounts;
  const { movieIds } = ratingColumns(ratings, where, false);
  const counts = new Int32Array(rec.movies.size);
  for (const j of rec.movies.encode(movieIds.filter((id) => rec.movies.has(id)))) counts[j]++;
  return counts;
}

/** Per user (or for `only` user), the movie rows seen in `df`; unknown movies are skipped. */
function seenBy(
  rec: Recommender,
  df: DataFrame,
  where: string,
  only?: number,
): Map<number, Set<number>> {
  const { userIds, movieIds } = ratingColumns(df, where, false);
  const users: number[] = [], movies: number[] = [];
  for (let i = 0; i < userIds.length; i++) {
    if ((only === undefined || userIds[i] === only) && rec.movies.has(movieIds[i])) {
      users.push(userIds[i]);
      movies.push(movieIds[i]);
    }
  }
  const rows = rec.movies.encode(movies);
  const seen = new Map<number, Set<number>>();
  for (let i = 0; i < users.length; i++) {
    let set = seen.get(users[i]);
    if (!set) seen.set(users[i], set = new Set());
    set.add(rows[i]);
  }
  return seen;
}

/**
 * Whether `userId` has a row in any of the given frames (every row counts, whatever the movie);
 * also the frames' names, for the error.
 */
function ratedIn(
  frames: [string, DataFrame | undefined][],
  userId: number,
  where: string,
): { rated: boolean; names: string[] } {
  const names: string[] = [];
  const read = new Set<DataFrame>();
  let rated = false;
  for (const [name, df] of frames) {
    if (df === undefined) continue;
    names.push(`options.${name}`);
    if (rated || read.has(df) || !isDataFrame(df) || df.height === 0) continue;
    read.add(df);
    // One column filtered in Polars (a whole-frame conversion would cost as much as the rest
    // of the call); a frame without the column gets ratingColumns()' error naming it.
    if (!df.columns.includes("userId")) ratingColumns(df, where, false);
    rated = df.filter(pl.col("userId").eq(pl.lit(userId))).height > 0;
  }
  return { rated, names };
}

/** The error for a user to whom no movie is left once the seen and rare ones are removed. */
function nothingLeft(
  userId: number,
  n: number,
  seen: Set<number>,
  minRatings: number,
  counts: Int32Array | undefined,
  where: string,
): RangeError {
  let rare = 0;
  if (minRatings > 0) {
    for (let j = 0; j < n; j++) if (!seen.has(j) && counts![j] < minRatings) rare++;
  }
  const fmt = (x: number) => x.toLocaleString("en-US");
  const reasons = [];
  if (seen.size > 0) reasons.push(`${fmt(seen.size)} rated by the user (excludeSeen)`);
  if (rare > 0) reasons.push(`${fmt(rare)} more with fewer than minRatings ${minRatings} ratings`);
  return new RangeError(
    `${where}: no movie is left to recommend to user ${userId}: of the model's ${fmt(n)} ` +
      `movies, ${reasons.join(" and ")}; set excludeSeen: false${
        minRatings > 0 ? " or lower minRatings" : ""
      } to get a list`,
  );
}

/** Every option of {@linkcode recommend} (the type makes the list complete). */
const RECOMMEND_OPTIONS: Record<keyof RecommendOptions, true> = {
  k: true,
  exclude: true,
  excludeSeen: true,
  minRatings: true,
  ratings: true,
  fallback: true,
  batchSize: true,
};

/**
 * Recommends `k` movies to a user, best first, as a DataFrame with columns movieId, title,
 * genres, score (predicted stars) and count (ratings of the movie, null when unknown). The
 * list is never empty: when every movie is left out (seen, or rarer than `minRatings`), a
 * `RangeError` says so; a model whose training diverged throws a `DivergedModelError`.
 *
 * A user the model does not know gets a `RangeError` naming them, or with `fallback:
 * "popularity"` the most-rated movies. That covers a user the encoder knows who has no rating
 * in `exclude` or `ratings` when either is given (an encoder fitted on every rating, a model
 * trained on a split): their embedding row never trained, so the model's list for them would
 * be noise. A rating of the user in either frame is enough to get the model's list; without
 * either frame there is nothing to check against.
 *
 * @param rec The recommender.
 * @param userId A raw user id.
 * @param options k, the ratings to exclude, popularity filters and the new-user fallback.
 * @returns The ranked recommendations (fewer than k rows when fewer candidates remain).
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { buildModel } from "./build.ts";
 * import { recommend } from "./recommend.ts";
 * import { assertEquals } from "@std/assert";
 * const ratings = pl.DataFrame({ userId: [1, 2, 2], movieId: [10, 10, 20], rating: [4, 3, 5] });
 * const rec = buildModel("dot-bias", { ratings, factors: 2 });
 * const top = recommend(rec, 1, { k: 5, exclude: ratings });
 * assertEquals(top.getColumn("movieId").toArray(), [20]);
 * ```
 */
export function recommend(
  rec: Recommender,
  userId: number,
  options: RecommendOptions = {},
): DataFrame {
  const where = "recommend()";
  checkOptionKeys(options, Object.keys(RECOMMEND_OPTIONS), where);
  checkRecommender(rec, where);
  const k = checkPositiveInt(options.k ?? DEFAULT_K, "k", where);
  const batchSize = batchSizeOption(options.batchSize ?? 65536, where);
  const { excludeSeen = true, minRatings = 0, fallback = null } = options;
  checkInteger(userId, "userId", where);
  if (fallback !== null && fallback !== "popularity") {
    throw new TypeError(`${where}: expected fallback "popularity" or null, found ${fallback}`);
  }
  checkNonNegativeInt(minRatings, "minRatings", where);
  for (const key of ["exclude", "ratings"] as const) {
    if (options[key] !== undefined && !isDataFrame(options[key])) {
      throw new TypeError(
        `${where}: expected ${key} to be a DataFrame, found ${describe(options[key])}`,
      );
    }
  }
  const counts = countsOf(rec, options.ratings, where);
  const inEncoder = rec.users.has(userId);
  if (!inEncoder && fallback === null) encodeIds(rec.users, [userId], "user", where); // throws
  // A user the encoder knows but with no rating in the frames given: their row never trained.
  const { rated, names } = inEncoder
    ? ratedIn(
      [["exclude", excludeSeen ? options.exclude : undefined], ["ratings", options.ratings]],
      userId,
      where,
    )
    : { rated: false, names: [] };
  const known = inEncoder && (names.length === 0 || rated);
  if (!known && fallback === null) {
    throw new RangeError(
      `${where}: user ${userId} has no rating in ${names.join(" or ")}, so the model learnt ` +
        "nothing about them (an encoder fitted on more ratings than the model trained on?); " +
        'pass fallback: "popularity" for the most-rated movies, or ratings that include the user',
    );
  }
  if ((minRatings > 0 || !known) && !counts) {
    throw new TypeError(
      `${where}: ${
        known ? "minRatings" : "the popularity fallback"
      } needs rating counts: pass options.ratings`,
    );
  }
  let seen = new Set<number>();
  if (excludeSeen) {
    const source = options.exclude ?? options.ratings;
    if (!source) {
      throw new TypeError(
        `${where}: excludeSeen needs the user's ratings: pass options.exclude (or set excludeSeen: false)`,
      );
    }
    seen = seenBy(rec, source, where, userId).get(userId) ?? seen;
  }
  const n = rec.movies.size;
  let scores: Float32Array;
  if (known) {
    const users = new Int32Array(n).fill(rec.users.encode([userId])[0]);
    const movies = Int32Array.from({ length: n }, (_, j) => j);
    scores = usableScores(rec, users, movies, batchSize, where);
  } else {
    scores = Float32Array.from(counts!);
  }
  const top = topKIndices(
    scores,
    k,
    (j) => seen.has(j) || (minRatings > 0 && counts![j] < minRatings),
  );
  if (top.length === 0) throw nothingLeft(userId, n, seen, minRatings, counts, where);
  const ids = rec.movies.decode(top);
  const entries = Array.from(ids, (id) => rec.catalog?.get(id));
  return pl.DataFrame([
    pl.Series("movieId", ids, pl.Int32),
    pl.Series("title", entries.map((e) => e?.title ?? null), pl.Utf8),
    pl.Series("genres", entries.map((e) => e?.genres ?? null), pl.Utf8),
    pl.Series("score", Float64Array.from(top, (j) => scores[j]), pl.Float64),
    pl.Series("count", top.map((j) => counts ? counts[j] : null), pl.Int32),
  ]);
}

/** Options of {@linkcode topKForUsers}. */
export interface TopKOptions {
  /**
   * List length per user.
   * @default {10}
   */
  k?: number;
  /**
   * Ratings whose (user, movie) pairs are left out (usually the training ratings).
   * @default {undefined}
   */
  exclude?: DataFrame;
  /**
   * Rows per forward pass.
   * @default {65536}
   */
  batchSize?: number;
}

/** Every option of {@linkcode topKForUsers} (the type makes the list complete). */
const TOP_K_OPTIONS: Record<keyof TopKOptions, true> = { k: true, exclude: true, batchSize: true };

/**
 * The top-k movie ids for each user, best first, for ranking metrics. Unknown users throw a
 * `RangeError` naming them; a user who has rated every movie in `exclude` gets an empty list;
 * a model whose training diverged throws a `DivergedModelError`.
 *
 * @param rec The recommender.
 * @param userIds Raw user ids (duplicates are scored once).
 * @param options k, the ratings to exclude, batch size.
 * @returns userId → movie ids, best first.
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { topKForUsers } from "./recommend.ts";
 * import { assertEquals } from "@std/assert";
 * const rec = buildModel("dot", { users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([5, 6, 7]) });
 * assertEquals(topKForUsers(rec, [1, 2], { k: 2 }).get(1)?.length, 2);
 * ```
 */
export function topKForUsers(
  rec: Recommender,
  userIds: ArrayLike<number>,
  options: TopKOptions = {},
): Map<number, number[]> {
  const where = "topKForUsers()";
  checkOptionKeys(options, Object.keys(TOP_K_OPTIONS), where);
  checkRecommender(rec, where);
  const k = checkPositiveInt(options.k ?? DEFAULT_K, "k", where);
  const batchSize = batchSizeOption(options.batchSize ?? 65536, where);
  if (userIds == null || typeof userIds.length !== "number") {
    throw new TypeError(`${where}: expected an array of user ids, found ${describe(userIds)}`);
  }
  if (options.exclude !== undefined && !isDataFrame(options.exclude)) {
    throw new TypeError(
      `${where}: expected exclude to be a DataFrame, found ${describe(options.exclude)}`,
    );
  }
  const given = Array.from(userIds);
  encodeIds(rec.users, given, "user", where); // throws, naming the first unknown user
  const unique = [...new Set(given)];
  const rows = rec.users.encode(unique);
  const seen = options.exclude
    ? seenBy(rec, options.exclude, where)
    : new Map<number, Set<number>>();
  const n = rec.movies.size;
  const perBatch = Math.max(1, Math.floor(batchSize / n));
  const result = new Map<number, number[]>();
  const none = new Set<number>();
  for (let start = 0; start < unique.length; start += perBatch) {
    const end = Math.min(unique.length, start + perBatch);
    const users = new Int32Array((end - start) * n);
    const movies = new Int32Array((end - start) * n);
    for (let b = 0; b < end - start; b++) {
      users.fill(rows[start + b], b * n, (b + 1) * n);
      for (let j = 0; j < n; j++) movies[b * n + j] = j;
    }
    const scores = usableScores(rec, users, movies, batchSize, where);
    for (let b = 0; b < end - start; b++) {
      const id = unique[start + b];
      const skip = seen.get(id) ?? none;
      const top = topKIndices(scores.subarray(b * n, (b + 1) * n), k, (j) => skip.has(j));
      result.set(id, Array.from(rec.movies.decode(top)));
    }
  }
  return result;
}
