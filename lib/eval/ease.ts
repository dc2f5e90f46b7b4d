/**
 * EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", 2019): an item × item
 * linear model of binary feedback with a closed form. Each movie's column of the training
 * matrix X is regressed on every other movie's column, with an L2 penalty λ:
 *
 *   B = argmin ‖X − XB‖² + λ‖B‖²  subject to diag(B) = 0,
 *
 * whose solution is P = (XᵀX + λI)⁻¹ and B = I − P · diag(1 / diag P). A user's score for a
 * movie is the sum of that movie's weights from the movies they watched (`X_u B`). Unlike
 * item-kNN's cosine, the weights are fitted jointly, so two movies that are always watched
 * together do not count twice.
 *
 * The inverse is dense: its cost grows with the cube of the movies modelled (ml-100k's 1,682
 * take about a second; the 8,000-odd movies an ml-latest-small training part watches about 20 s
 * with the native kernels on 2 cores, minutes in JavaScript). `maxMovies` caps it (by default
 * at 10,000, above every catalogue here): only the most-watched movies of the training part are
 * modelled, and the others are scored below every modelled movie (they still fill a list when too
 * few candidates are left).
 * Movies without a training rating are never modelled (their weights would be zero).
 *
 * @module
 */

import { checkLearningRate, checkOptionKeys, checkPositiveInt, encodeIds } from "../_validate.ts";
import { invertSpd } from "../train/kernels/spd_inverse.ts";
import type { CatalogueScorer, RankingTask } from "./ranking_protocol.ts";
import { checkTask } from "./_task.ts";

export { invertSpd };

/**
 * The most movies {@linkcode ease} models unless told otherwise: above every catalogue here
 * (ml-latest-small's 9,724 movies), so EASE is the whole-catalogue model by default.
 */
export const EASE_MAX_MOVIES = 10_000;

/** Options of {@linkcode ease}. */
export interface EaseOptions {
  /**
   * The L2 penalty λ added to the diagonal of the Gram matrix XᵀX (in co-watch counts).
   * @default {200}
   */
  lambda?: number;
  /**
   * The most movies modelled: the most-watched ones (ties: lower movie column first).
   * @default {EASE_MAX_MOVIES}
   */
  maxMovies?: number;
}

/** A fitted EASE model; see {@linkcode ease}. */
export interface Ease {
  /** The penalty. */
  readonly lambda: number;
  /** Catalogue columns of the modelled movies, in model order. */
  readonly modelled: Int32Array;
  /** Scores of whole catalogue rows (unmodelled movies score below every modelled one). */
  readonly scorer: CatalogueScorer;
  /**
   * The weight B[from, to]: how much watching `from` adds to the score of `to` (0 when either
   * movie is not modelled).
   * @param from A catalogue movie id.
   * @param to A catalogue movie id.
   * @returns The weight.
   */
  weight(from: number, to: number): number;
}

/** Every option of {@linkcode ease} (the type makes the list complete). */
const EASE_OPTIONS: Record<keyof EaseOptions, true> = { lambda: true, maxMovies: true };

/**
 * Fits EASE on a task's training matrix (see the module doc).
 *
 * @param task The task.
 * @param options λ and the cap on the movies modelled.
 * @returns The fitted model.
 * @throws {TypeError} When `task` is not a RankingTask or λ not a number.
 * @throws {RangeError} When λ is not a finite number > 0 or `maxMovies` not a positive integer.
 * @example
 * ```ts
 * import { ratingsFrame } from "../data/mod.ts";
 * import { ease, rankingTask, topKMovies } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * // Users who watched 10 also watched 20; user 3 watched 10 only.
 * const train = ratingsFrame({
 *   userId: [1, 1, 2, 2, 2, 3], movieId: [10, 20, 10, 20, 30, 10], rating: [5, 5, 4, 4, 1, 3],
 * });
 * const test = ratingsFrame({ userId: [3], movieId: [20], rating: [4] });
 * const task = rankingTask(train, test);
 * const model = ease(task, { lambda: 1 });
 * assertEquals(model.weight(10, 10), 0); // a movie never predicts itself
 * assertEquals(topKMovies(task, model.scorer, { k: 1 }).get(3), Int32Array.of(20));
 * ```
 */
export function ease(task: RankingTask, options: EaseOptions = {}): Ease {
  const who = "ease()";
  checkOptionKeys(options, Object.keys(EASE_OPTIONS), who);
  checkTask(task, who);
  const lambda = checkLearningRate(options.lambda ?? 200, who, "lambda"); // a finite number > 0
  const cap = checkPositiveInt(options.maxMovies ?? EASE_MAX_MOVIES, "maxMovies", who);
  const x = task.train, cols = x.cols, counts = task.movieCounts;
  // The modelled movies: watched in training, the most-watched first, at most `cap`.
  const watched: number[] = [];
  for (let c = 0; c < cols; c++) if (counts[c] > 0) watched.push(c);
  watched.sort((p, q) => counts[q] - counts[p] || p - q);
  const modelled = Int32Array.from(watched.slice(0, cap)).sort();
  const n = modelled.length;
  const at = new Int32Array(cols).fill(-1);
  for (let i = 0; i < n; i++) at[modelled[i]] = i;
  // Gram matrix of the modelled columns: co-watch counts.
  const g = new Float64Array(n * n);
  const seen = new Int32Array(cols);
  for (let u = 0; u < x.rows; u++) {
    let s = 0;
    for (let p = x.indptr[u]; p < x.indptr[u + 1]; p++) {
      const i = at[x.indices[p]];
      if (i >= 0) seen[s++] = i;
    }
    for (let a = 0; a < s; a++) {
      const ia = seen[a] * n;
      for (let b = 0; b < s; b++) g[ia + seen[b]]++;
    }
  }
  for (let i = 0; i < n; i++) g[i * n + i] += lambda;
  invertSpd(g, n);
  // B = I − P · diag(1 / diag P): B[i, j] = −P[i, j] / P[j, j], zero diagonal.
  const diag = new Float64Array(n);
  for (let j = 0; j < n; j++) diag[j] = g[j * n + j];
  for (let i = 0; i < n; i++) {
    const ii = i * n;
    for (let j = 0; j < n; j++) g[ii + j] = i === j ? 0 : -g[ii + j] / diag[j];
  }
  // Unmodelled movies score below the lowest possible modelled score (a sum of at most
  // `longest` weights, each at least −largest).
  let longest = 0;
  for (let u = 0; u < x.rows; u++) longest = Math.max(longest, x.indptr[u + 1] - x.indptr[u]);
  let largest = 0;
  for (let i = 0; i < n * n; i++) largest = Math.max(largest, Math.abs(g[i]));
  const below = -(longest * largest) - 1;
  const scorer: CatalogueScorer = (rows) => {
    const out = new Float64Array(rows.length * cols);
    const sums = new Float64Array(n);
    for (let r = 0; r < rows.length; r++) {
      const u = rows[r];
      sums.fill(0);
      for (let p = x.indptr[u]; p < x.indptr[u + 1]; p++) {
        const i = at[x.indices[p]];
        if (i < 0) continue;
        const ii = i * n;
        for (let j = 0; j < n; j++) sums[j] += g[ii + j];
      }
      const base = r * cols;
      out.fill(below, base, base + cols);
      for (let j = 0; j < n; j++) out[base + modelled[j]] = sums[j];
    }
    return out;
  };
  return {
    lambda,
    modelled,
    scorer,
    weight(from, to) {
      const [i, j] = encodeIds(task.movies, [from, to], "movie", "Ease.weight()");
      const a = at[i], b = at[j];
      return a < 0 || b < 0 ? 0 : g[a * n + b];
    },
  };
}
