/**
 * The two baselines of the top-k protocol: most popular (every user gets the movies with the
 * most training ratings) and item-kNN (a movie is recommended to a user when it resembles the
 * movies they watched). Both score whole catalogue rows of a {@linkcode RankingTask}, so they
 * plug into `topKMovies` and `evaluateRanking` like any model.
 *
 * Item-kNN here is the textbook one on binary feedback: the similarity of two movies is the
 * cosine of their columns of the user × movie matrix (users who watched both, divided by the
 * square root of the product of their audiences); each candidate movie keeps its k most
 * similar other movies as its neighbourhood; a user's score for the candidate is the sum of
 * its similarities to the neighbours the user watched. It is computed sparsely: the
 * co-occurrence counts of one movie at a time (cost Σ over users of their movies squared), a
 * linear-time selection of its k neighbours, and scoring from the neighbour lists turned
 * around (each watched movie adds its share to the candidates it is a neighbour of), so
 * ml-latest-small's 9,724 movies take well under a second and never a 9,724² matrix.
 *
 * @module
 */

import { checkOptionKeys, checkPositiveInt, encodeIds } from "../_validate.ts";
import type { CatalogueScorer, RankingTask } from "./ranking_protocol.ts";
import { checkTask } from "./_task.ts";

/**
 * The most-popular baseline: every user's scores are the movies' training ratings, so every
 * list is the most-watched movies the user has not seen yet (ties: lower movie column first).
 *
 * @param task The task.
 * @returns A scorer of whole catalogue rows.
 * @example
 * ```ts
 * import { ratingsFrame } from "../data/mod.ts";
 * import { popularityScorer, rankingTask, topKMovies } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const train = ratingsFrame({ userId: [1, 2, 2, 3], movieId: [10, 10, 20, 20], rating: [5, 4, 1, 3] });
 * const test = ratingsFrame({ userId: [1, 3], movieId: [30, 10], rating: [2, 4] });
 * const task = rankingTask(train, test);
 * assertEquals(topKMovies(task, popularityScorer(task), { k: 2 }).get(1), Int32Array.of(20, 30));
 * ```
 */
export function popularityScorer(task: RankingTask): CatalogueScorer {
  checkTask(task, "popularityScorer()");
  const counts = Float32Array.from(task.movieCounts);
  const n = counts.length;
  return (rows) => {
    const out = new Float32Array(rows.length * n);
    for (let b = 0; b < rows.length; b++) out.set(counts, b * n);
    return out;
  };
}

/** Options of {@linkcode itemKnn}. */
export interface ItemKnnOptions {
  /**
   * Neighbourhood size: how many of its most similar movies each candidate keeps.
   * @default {200}
   */
  neighbours?: number;
}

/** A fitted item-kNN; see {@linkcode itemKnn}. */
export interface ItemKnn {
  /** The neighbourhood size. */
  readonly neighbours: number;
  /** Scores of whole catalogue rows (sum of similarities to the neighbours watched). */
  readonly scorer: CatalogueScorer;
  /**
   * The neighbourhood of a movie, most similar first (ties: lower movie column first).
   * @param movieId A catalogue movie id.
   * @param n How many to return, a positive integer (at most the neighbourhood comes back).
   * @returns Movie ids and cosine similarities.
   * @throws {RangeError} On an unknown movie id or an `n` that is not a positive integer.
   */
  similar(movieId: number, n?: number): { movieId: number; similarity: number }[];
}

/** One movie's co-occurrence counts with every other movie, as (columns, counts). */
function coCounts(
  movie: number,
  byMovie: { indptr: Int32Array; indices: Int32Array },
  byUser: { indptr: Int32Array; indices: Int32Array },
  acc: Float64Array,
  touched: Int32Array,
): number {
  let t = 0;
  for (let p = byMovie.indptr[movie]; p < byMovie.indptr[movie + 1]; p++) {
    const u = byMovie.indices[p];
    for (let q = byUser.indptr[u]; q < byUser.indptr[u + 1]; q++) {
      const j = byUser.indices[q];
      if (j === movie) continue;
      if (acc[j] === 0) touched[t++] = j;
      acc[j]++;
    }
  }
  return t;
}

/** The k-th largest of `values[0..n)` (quickselect on a copy in `work`). */
function kthLargest(values: Float64Array, n: number, k: number, work: Float64Array): number {
  work.set(values.subarray(0, n));
  let lo = 0, hi = n - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = work[(lo + hi) >> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (work[i] > pivot) i++;
      while (work[j] < pivot) j--;
      if (i <= j) {
        const t = work[i];
        work[i] = work[j];
        work[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return work[target];
}

/** Every option of {@linkcode itemKnn} (the type makes the list complete). */
const ITEM_KNN_OPTIONS: Record<keyof ItemKnnOptions, true> = { neighbours: true };

/**
 * Item-kNN on binary feedback (see the module doc): cosine similarities of the movies'
 * columns of the training matrix, each candidate movie's `neighbours` most similar movies (ties
 * at the cut: lower movie column first; movies with no common user are never neighbours), and
 * a user's score for a candidate = the sum of its similarities to the neighbours they watched.
 *
 * @param task The task (its training matrix).
 * @param options The neighbourhood size.
 * @returns The fitted model: a scorer and the neighbourhoods.
 * @throws {RangeError} When `neighbours` is not a positive integer.
 * @example
 * ```ts
 * import { ratingsFrame } from "../data/mod.ts";
 * import { itemKnn, rankingTask, topKMovies } from "./mod.ts";
 * import { assertAlmostEquals, assertEquals } from "@std/assert";
 * // Users who watched 10 also watched 20; user 3 watched 10 only.
 * const train = ratingsFrame({
 *   userId: [1, 1, 2, 2, 2, 3], movieId: [10, 20, 10, 20, 30, 10], rating: [5, 5, 4, 4, 1, 3],
 * });
 * const test = ratingsFrame({ userId: [3], movieId: [20], rating: [4] });
 * const task = rankingTask(train, test);
 * const knn = itemKnn(task, { neighbours: 1 });
 * const [nearest] = knn.similar(20);
 * assertEquals(nearest.movieId, 10);
 * assertAlmostEquals(nearest.similarity, Math.sqrt(2 / 3)); // cosine of the two movies' columns
 * assertEquals(topKMovies(task, knn.scorer, { k: 1 }).get(3), Int32Array.of(20));
 * ```
 */
export function itemKnn(task: RankingTask, options: ItemKnnOptions = {}): ItemKnn {
  const who = "itemKnn()";
  checkOptionKeys(options, Object.keys(ITEM_KNN_OPTIONS), who);
  checkTask(task, who);
  const k = checkPositiveInt(options.neighbours ?? 200, "neighbours", who);
  const byUser = task.train, n = byUser.cols;
  const byMovie = transpose(byUser);
  const counts = task.movieCounts;
  const acc = new Float64Array(n), sims = new Float64Array(n), work = new Float64Array(n);
  const touched = new Int32Array(n);
  // Neighbour lists of every candidate (forward), kept to answer similar().
  const fwdPtr = new Int32Array(n + 1);
  const fwdIdx: number[] = [], fwdSim: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = coCounts(i, byMovie, byUser, acc, touched);
    for (let a = 0; a < t; a++) {
      const j = touched[a];
      sims[a] = acc[j] / Math.sqrt(counts[i] * counts[j]);
    }
    for (const a of nearest(sims, t, Math.min(k, t), touched, work)) {
      fwdIdx.push(touched[a]);
      fwdSim.push(sims[a]);
    }
    fwdPtr[i + 1] = fwdIdx.length;
    for (let a = 0; a < t; a++) acc[touched[a]] = 0;
  }
  // Turned around: for each watched movie j, the candidates i it is a neighbour of.
  const { revPtr, revIdx, revSim } = reversed(n, fwdPtr, fwdIdx, fwdSim);
  const scorer: CatalogueScorer = (rows) => {
    const out = new Float64Array(rows.length * n);
    for (let b = 0; b < rows.length; b++) {
      const u = rows[b], base = b * n;
      for (let q = byUser.indptr[u]; q < byUser.indptr[u + 1]; q++) {
        const j = byUser.indices[q];
        for (let p = revPtr[j]; p < revPtr[j + 1]; p++) out[base + revIdx[p]] += revSim[p];
      }
    }
    return out;
  };
  const ids = task.movies.ids;
  return {
    neighbours: k,
    scorer,
    similar(movieId, count = k) {
      checkPositiveInt(count, "n", "ItemKnn.similar()"); // -1 listed all but the last
      const i = encodeIds(task.movies, [movieId], "movie", "ItemKnn.similar()")[0];
      const list = [];
      for (let p = fwdPtr[i]; p < fwdPtr[i + 1]; p++) {
        list.push({ column: fwdIdx[p], similarity: fwdSim[p] });
      }
      list.sort((a, b) => b.similarity - a.similarity || a.column - b.column);
      return list.slice(0, count).map((e) => ({
        movieId: ids[e.column],
        similarity: e.similarity,
      }));
    },
  };
}

/**
 * The positions (in `0 … t − 1`) of the `keep` largest similarities: those above the cut
 * first, then ties at the cut by ascending column (`touched`), up to `keep`.
 */
function nearest(
  sims: Float64Array,
  t: number,
  keep: number,
  touched: Int32Array,
  work: Float64Array,
): number[] {
  const cut = keep > 0 && keep < t ? kthLargest(sims, t, keep, work) : -Infinity;
  const chosen: number[] = [];
  for (let a = 0; a < t; a++) if (sims[a] > cut) chosen.push(a);
  if (chosen.length < keep) {
    const ties: number[] = [];
    for (let a = 0; a < t; a++) if (sims[a] === cut) ties.push(a);
    ties.sort((x, y) => touched[x] - touched[y]);
    for (const a of ties) {
      if (chosen.length === keep) break;
      chosen.push(a);
    }
  }
  return chosen;
}

/** The neighbour lists turned around: for each movie j, the movies i it is a neighbour of. */
function reversed(n: number, fwdPtr: Int32Array, fwdIdx: number[], fwdSim: number[]) {
  const revPtr = new Int32Array(n + 1);
  for (const j of fwdIdx) revPtr[j + 1]++;
  for (let j = 0; j < n; j++) revPtr[j + 1] += revPtr[j];
  const revIdx = new Int32Array(fwdIdx.length), revSim = new Float64Array(fwdIdx.length);
  const fill = revPtr.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let p = fwdPtr[i]; p < fwdPtr[i + 1]; p++) {
      const at = fill[fwdIdx[p]]++;
      revIdx[at] = i;
      revSim[at] = fwdSim[p];
    }
  }
  return { revPtr, revIdx, revSim };
}

/** The movie-major copy of a user-major matrix. */
function transpose(m: RankingTask["train"]): { indptr: Int32Array; indices: Int32Array } {
  const indptr = new Int32Array(m.cols + 1);
  for (const c of m.indices) indptr[c + 1]++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1] += indptr[c];
  const indices = new Int32Array(m.indices.length);
  const fill = indptr.slice(0, m.cols);
  for (let u = 0; u < m.rows; u++) {
    for (let p = m.indptr[u]; p < m.indptr[u + 1]; p++) indices[fill[m.indices[p]]++] = u;
  }
  return { indptr, indices };
}
