/**
 * Top-k ranking quality of any rating predictor: every test user gets a list of the k
 * movies with the highest predicted rating among the movies of the training part that they
 * did not rate in training, scored by the eval layer's `rankingMetrics` (a test rating of at
 * least 4 stars makes a movie relevant).
 *
 * @module
 */

import type { DataFrame } from "nodejs-polars";
import { COLUMNS, DEFAULT_K, RELEVANCE_THRESHOLD } from "../../lib/defaults.ts";
import { type RankingMetrics, rankingMetrics } from "../../lib/eval/mod.ts";
import { checkPositiveInt } from "../../lib/_validate.ts";
import { topKIndices } from "../../lib/top_k.ts";

/** Predicted ratings (stars) for (userId, movieId) pairs given as raw-id arrays. */
export type Scorer = (userIds: Int32Array, movieIds: Int32Array) => Float32Array;

/** Options of {@linkcode rankingOf}. */
export interface RankingOfOptions {
  /**
   * List length.
   * @default {10}
   */
  k?: number;
  /**
   * A test rating at or above this makes the movie relevant.
   * @default {4}
   */
  threshold?: number;
  /**
   * Pairs scored per call of the scorer (only changes speed and memory).
   * @default {262144}
   */
  batchPairs?: number;
}

function ids(df: DataFrame, column: string): Int32Array {
  return Int32Array.from(df.getColumn(column).toArray() as number[]);
}

/**
 * The top-k lists of every test user, from a scorer, excluding the movies each user rated in
 * training; candidates are the movies of the training part.
 *
 * @param score The predictor.
 * @param train Training ratings (candidates and exclusions).
 * @param test Test ratings (whose users get lists).
 * @param options k and batch size.
 * @returns userId → movie ids, best first (ties: lower movie id first).
 * @example
 * ```ts
 * import { ratingsFrame } from "../../lib/data/mod.ts";
 * import { topKLists } from "./top_k_ranking.ts";
 * const train = ratingsFrame({ userId: [1, 2, 2], movieId: [10, 10, 20], rating: [5, 3, 4] });
 * const test = ratingsFrame({ userId: [1], movieId: [20], rating: [5] });
 * const byMovie = (_u: Int32Array, m: Int32Array) => Float32Array.from(m, (id) => id);
 * console.log(topKLists(byMovie, train, test, { k: 5 }).get(1)); // [20]
 * ```
 */
export function topKLists(
  score: Scorer,
  train: DataFrame,
  test: DataFrame,
  options: RankingOfOptions = {},
): Map<number, number[]> {
  const { k = DEFAULT_K, batchPairs = 262_144 } = options;
  if (typeof score !== "function") {
    throw new TypeError(`topKLists(): expected a scorer function, found ${typeof score}`);
  }
  checkPositiveInt(k, "k", "topKLists()");
  const candidates = Int32Array.from(new Set(ids(train, COLUMNS.movie))).sort();
  const slot = new Map<number, number>();
  candidates.forEach((id, j) => slot.set(id, j));
  const seen = new Map<number, number[]>();
  const tu = ids(train, COLUMNS.user), tm = ids(train, COLUMNS.movie);
  for (let i = 0; i < tu.length; i++) {
    let list = seen.get(tu[i]);
    if (!list) seen.set(tu[i], list = []);
    list.push(slot.get(tm[i])!);
  }
  const users = Int32Array.from(new Set(ids(test, COLUMNS.user))).sort();
  const n = candidates.length;
  const perBatch = Math.max(1, Math.floor(batchPairs / n));
  const result = new Map<number, number[]>();
  const excluded = new Uint8Array(n);
  for (let start = 0; start < users.length; start += perBatch) {
    const end = Math.min(users.length, start + perBatch);
    const u = new Int32Array((end - start) * n), m = new Int32Array((end - start) * n);
    for (let b = 0; b < end - start; b++) {
      u.fill(users[start + b], b * n, (b + 1) * n);
      m.set(candidates, b * n);
    }
    const scores = score(u, m);
    if (scores.length !== u.length) {
      throw new RangeError(
        `topKLists(): the scorer returned ${scores.length} scores for ${u.length} pairs`,
      );
    }
    for (let b = 0; b < end - start; b++) {
      const user = users[start + b];
      const mine = seen.get(user) ?? [];
      for (const j of mine) excluded[j] = 1;
      const top = topKIndices(scores.subarray(b * n, (b + 1) * n), k, (j) => excluded[j] === 1);
      for (const j of mine) excluded[j] = 0;
      result.set(user, top.map((j) => candidates[j]));
    }
  }
  return result;
}

/**
 * Precision, recall and NDCG at k (and the rest of `rankingMetrics`) of a scorer on a split.
 *
 * @param score The predictor.
 * @param train Training ratings: candidates are its movies; each user's training movies are
 *   left out of their list.
 * @param test Test ratings: relevant movies are those rated ≥ `threshold`.
 * @param options k, threshold, batch size.
 * @returns The metrics, or null when no test user has a relevant movie.
 * @example
 * ```ts
 * import { ratingsFrame } from "../../lib/data/mod.ts";
 * import { rankingOf } from "./top_k_ranking.ts";
 * const train = ratingsFrame({ userId: [1, 2, 2, 2], movieId: [10, 10, 20, 30], rating: [5, 3, 4, 1] });
 * const test = ratingsFrame({ userId: [1, 1], movieId: [20, 30], rating: [5, 1] });
 * const byMovie = (_u: Int32Array, m: Int32Array) => Float32Array.from(m, (id) => -id);
 * console.log(rankingOf(byMovie, train, test, { k: 1 })?.precision); // 1
 * ```
 */
export function rankingOf(
  score: Scorer,
  train: DataFrame,
  test: DataFrame,
  options: RankingOfOptions = {},
): RankingMetrics | null {
  const { k = DEFAULT_K, threshold = RELEVANCE_THRESHOLD } = options;
  const rated = test.getColumn(COLUMNS.rating).toArray() as number[];
  if (!rated.some((r) => r >= threshold)) return null;
  const lists = topKLists(score, train, test, options);
  const catalogSize = new Set(train.getColumn(COLUMNS.movie).toArray() as number[]).size;
  return rankingMetrics(lists, test, { k, threshold, catalogSize });
}
