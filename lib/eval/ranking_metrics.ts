/**
 * Top-k ranking metrics with a relevance threshold: precision, recall, NDCG, MAP and hit rate
 * at k, plus catalogue coverage, following Microsoft Recommenders' definitions
 * (`recommenders.evaluation.python_evaluation`).
 *
 * @module
 */

import type pl from "nodejs-polars";
import { DEFAULT_K, RELEVANCE_THRESHOLD } from "../defaults.ts";
import {
  checkFiniteNumber,
  checkInteger,
  checkOptionKeys,
  checkPositiveInt,
  describe,
  ratingColumns,
  toIds,
} from "../_validate.ts";

/** Options of {@linkcode rankingMetrics}. */
export interface RankingOptions {
  /**
   * Length of the recommendation lists that is scored (longer lists are cut to k; a shorter
   * list, e.g. when k exceeds the catalogue, is scored as it is, precision still dividing by k).
   * @default {10} (DEFAULT_K)
   */
  k?: number;
  /**
   * A test rating at or above this makes the movie relevant to its user.
   * @default {4} (RELEVANCE_THRESHOLD)
   */
  threshold?: number;
  /**
   * Number of movies that could have been recommended, the denominator of `coverage`. Pass the
   * number of movies in the training set (Microsoft Recommenders' `catalog_coverage`).
   * @default the number of distinct movies in `test` or in the lists
   */
  catalogSize?: number;
}

/** The result of {@linkcode rankingMetrics}; every metric is a mean over the evaluated users. */
export interface RankingMetrics {
  /** Mean of `hits@k / k` (a list shorter than k still divides by k). */
  precision: number;
  /** Mean of `hits@k / |relevant|`. */
  recall: number;
  /** Mean of `DCG@k / IDCG@k` with binary gains and `1 / log2(rank + 1)` discounts. */
  ndcg: number;
  /** Mean of `Σ_{hits at rank r ≤ k} precision@r / min(|relevant|, k)` (MAP@k). */
  map: number;
  /** Share of users with at least one relevant movie in their top k. */
  hitRate: number;
  /** Distinct movies over all top-k lists divided by `catalogSize`. */
  coverage: number;
  /** Number of users evaluated: those with a list and at least one relevant test movie. */
  users: number;
  /** Users with a list but no relevant test movie (skipped: recall is undefined for them). */
  usersWithoutRelevant: number;
  /** Users with a relevant test movie but no list (skipped, as Microsoft Recommenders does). */
  usersWithoutList: number;
  /** The k used. */
  k: number;
}

/** Every option of {@linkcode rankingMetrics} (the type makes the list complete). */
const RANKING_OPTIONS: Record<keyof RankingOptions, true> = {
  k: true,
  threshold: true,
  catalogSize: true,
};

/**
 * Scores top-k recommendation lists against held-out ratings.
 *
 * Relevant movies of a user are the test movies they rated at or above `threshold`. A user is
 * evaluated when they have a list in `topK` and at least one relevant test movie; users with
 * no relevant movie are skipped (recall and NDCG are undefined for them) and users without a
 * list are skipped too, as Microsoft Recommenders does by scoring only the users common to the
 * truth and the predictions. This is Microsoft Recommenders' `precision_at_k`, `recall_at_k`,
 * `ndcg_at_k` (binary relevance), `map_at_k` and `hit_ratio_at_k` run on the test set filtered
 * to `rating >= threshold`. Both skip counts are returned so that nothing is hidden.
 *
 * @param topK Each user's recommended movie ids, best first (seen movies already removed), keyed
 *   by integer userId (a key such as NaN or the text "1" is an error, not a user without match).
 * @param test Held-out ratings (userId, movieId, rating).
 * @param options k, relevance threshold and catalogue size.
 * @returns The metrics and how many users they average over.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { rankingMetrics } from "./ranking_metrics.ts";
 * import { assertEquals } from "@std/assert";
 * const test = pl.DataFrame({ userId: [1, 1, 1], movieId: [10, 20, 30], rating: [5, 4, 2] });
 * const m = rankingMetrics(new Map([[1, [10, 30, 20]]]), test, { k: 2 });
 * assertEquals(m.precision, 0.5);
 * assertEquals(m.recall, 0.5);
 * ```
 */
export function rankingMetrics(
  topK: Map<number, ArrayLike<number>>,
  test: pl.DataFrame,
  options: RankingOptions = {},
): RankingMetrics {
  const who = "rankingMetrics()";
  checkOptionKeys(options, Object.keys(RANKING_OPTIONS), who);
  const { k = DEFAULT_K, threshold = RELEVANCE_THRESHOLD, catalogSize } = options;
  checkPositiveInt(k, "k", who);
  checkFiniteNumber(threshold, "threshold", who);
  if (!(topK instanceof Map)) {
    throw new TypeError(
      `${who}: expected topK to be a Map userId → movieIds, found ${describe(topK)}`,
    );
  }
  if (topK.size === 0) throw new RangeError(`${who}: expected at least one top-k list, found none`);
  const { relevant, seenMovies } = relevantMovies(test, threshold, who);
  const recommended = new Set<number>();
  let precision = 0, recall = 0, ndcg = 0, map = 0, hits1 = 0, evaluated = 0, noRelevant = 0;
  for (const [user, list] of topK) {
    // A key that is no user id (NaN, the text "1") would match no test user, silently.
    checkInteger(user, "each userId key of topK", who);
    const top = checkedList(list, user, k, who);
    for (const movie of top) recommended.add(movie);
    const rel = relevant.get(user);
    if (!rel) {
      noRelevant++;
      continue;
    }
    evaluated++;
    const { hits, dcg, ap, idcg } = listScores(top, rel, k);
    precision += hits / k;
    recall += hits / rel.size;
    ndcg += dcg / idcg;
    map += ap / Math.min(rel.size, k);
    if (hits > 0) hits1++;
  }
  let withoutList = 0;
  for (const user of relevant.keys()) if (!topK.has(user)) withoutList++;
  if (evaluated === 0) {
    throw new RangeError(
      `${who}: no user has both a top-k list and a test rating >= ${threshold} ` +
        `(${topK.size} lists, ${relevant.size} users with relevant test movies)`,
    );
  }
  const catalog = catalogOf(catalogSize, seenMovies, recommended, who);
  return {
    precision: precision / evaluated,
    recall: recall / evaluated,
    ndcg: ndcg / evaluated,
    map: map / evaluated,
    hitRate: hits1 / evaluated,
    coverage: recommended.size / catalog,
    users: evaluated,
    usersWithoutRelevant: noRelevant,
    usersWithoutList: withoutList,
    k,
  };
}

/** Each test user's relevant movies (rated at least `threshold`) and every movie of the test. */
function relevantMovies(
  test: pl.DataFrame,
  threshold: number,
  who: string,
): { relevant: Map<number, Set<number>>; seenMovies: Set<number> } {
  const { userIds: users, movieIds: movies, ratings } = ratingColumns(test, who);
  const relevant = new Map<number, Set<number>>();
  const seenMovies = new Set<number>();
  for (let r = 0; r < users.length; r++) {
    seenMovies.add(movies[r]);
    if (ratings[r] < threshold) continue;
    let set = relevant.get(users[r]);
    if (!set) relevant.set(users[r], set = new Set());
    set.add(movies[r]);
  }
  return { relevant, seenMovies };
}

/** The first `k` ids of a user's list; a movie listed twice is an error. */
function checkedList(list: ArrayLike<number>, user: number, k: number, who: string): Int32Array {
  const ids = toIds(list, `the list of user ${user}`, who);
  const top = ids.subarray(0, Math.min(k, ids.length));
  const unique = new Set<number>();
  for (const movie of top) {
    if (unique.has(movie)) {
      throw new RangeError(
        `${who}: movie ${movie} appears twice in the top-${k} list of user ${user}`,
      );
    }
    unique.add(movie);
  }
  return top;
}

/** Hits, discounted gain, average-precision sum and the ideal gain of one user's list. */
function listScores(
  top: Int32Array,
  rel: Set<number>,
  k: number,
): { hits: number; dcg: number; ap: number; idcg: number } {
  let hits = 0, dcg = 0, ap = 0;
  for (let r = 0; r < top.length; r++) {
    if (!rel.has(top[r])) continue;
    hits++;
    dcg += 1 / Math.log2(r + 2);
    ap += hits / (r + 1);
  }
  let idcg = 0;
  for (let r = 0; r < Math.min(rel.size, k); r++) idcg += 1 / Math.log2(r + 2);
  return { hits, dcg, ap, idcg };
}

/** The catalogue size for coverage: given (and checked), else every test or listed movie. */
function catalogOf(
  catalogSize: number | undefined,
  seenMovies: Set<number>,
  recommended: Set<number>,
  who: string,
): number {
  if (catalogSize === undefined) {
    const all = new Set(seenMovies);
    for (const m of recommended) all.add(m);
    return all.size;
  }
  checkPositiveInt(catalogSize, "catalogSize", who);
  if (catalogSize < recommended.size) {
    throw new RangeError(
      `${who}: catalogSize ${catalogSize} is smaller than the ${recommended.size} distinct movies recommended`,
    );
  }
  return catalogSize;
}
