/**
 * Principal component analysis of an embedding table (through ml-pca), done the standard way:
 * each factor is centred across the movies and every movie gets coordinates on the components
 * (scikit-learn's `PCA(n).fit_transform(embeddings)`), not seed 000's PCA of the transposed
 * matrix.
 *
 * @module
 */

import { PCA } from "ml-pca";
import type { EmbeddingTable, ScoreTable } from "./types.ts";
import { checkPcaInput, checkShares, checkVariance, signedScores } from "./_pca.ts";
import { rankByScore, type RankedRow, type RankOptions } from "./rank_by_score.ts";
import { checkOptionKeys } from "../_validate.ts";

/** Options of {@linkcode pca}. */
export interface PcaOptions {
  /**
   * Number of principal components to keep.
   * @default {3}
   */
  components?: number;
}

/** Every option of {@linkcode pca} (the type makes the list complete). */
const PCA_OPTIONS: Record<keyof PcaOptions, true> = { components: true };

/** The result of {@linkcode pca}. */
export interface PcaResult {
  /** Raw ids of the rows. */
  ids: Int32Array;
  /** Titles of the rows, when the table has them. */
  titles?: string[];
  /** Number of components kept. */
  components: number;
  /** Row-major coordinates: row `i` is `scores.subarray(i * components, (i + 1) * components)`. */
  scores: Float64Array;
  /** Share of the total variance explained by each kept component (decreasing). */
  explainedVarianceRatio: Float64Array;
  /** Row-major unit directions: component `c` is `loadings.subarray(c * dim, (c + 1) * dim)`. */
  loadings: Float64Array;
  /** Mean vector that was subtracted from every row. */
  mean: Float64Array;
  /** Number of factors per row of the input. */
  dim: number;
}

/**
 * Fits PCA on the rows of an embedding table and returns their coordinates.
 *
 * Signs are made deterministic as scikit-learn 1.2 does (`svd_flip` on the scores): in each
 * component, the row with the largest absolute score has a positive score. Signs carry no
 * meaning; read a component from the movies at both ends (see {@linkcode sortAlong}).
 *
 * @param table Embeddings with raw ids (at least 2 rows).
 * @param options Number of components (at most min(rows, dim)).
 * @returns Scores, explained variance ratio, loadings, mean, ids and titles. A component that
 *   explains nothing (rows on a line, asked for 2 components) has a share of 0.
 * @throws {RangeError} When the rows have zero variance (all identical: every share would be
 *   0 / 0), there are fewer than 2 rows, or more components than min(rows, dim).
 * @example
 * ```ts
 * import { pca } from "./pca.ts";
 * import { assertEquals } from "@std/assert";
 * const t = { ids: Int32Array.of(1, 2, 3), vectors: Float32Array.of(0, 0, 1, 1, 2, 2), dim: 2 };
 * const p = pca(t, { components: 1 });
 * assertEquals(p.explainedVarianceRatio, Float64Array.of(1)); // all variance lies along (1, 1)
 * ```
 */
export function pca(table: EmbeddingTable, options: PcaOptions = {}): PcaResult {
  const who = "pca()";
  checkOptionKeys(options, Object.keys(PCA_OPTIONS), who);
  const { components = 3 } = options;
  checkPcaInput(table, components, who, (n) => {
    if (n < 2) throw new RangeError(`${who}: expected at least 2 rows, found ${n}`);
  });
  checkVariance(table, false, who);
  const { ids, vectors, dim } = table;
  const n = ids.length;
  const rows = Array.from(
    { length: n },
    (_, i) => Array.from(vectors.subarray(i * dim, (i + 1) * dim)),
  );
  const model = new PCA(rows, { method: "SVD", center: true, scale: false });
  const projected = model.predict(rows, { nComponents: components });
  const eigen = model.getEigenvectors(); // dim × k, columns are the directions
  const ratio = model.getExplainedVariance();
  const { scores, signs } = signedScores(projected, n, components);
  const loadings = new Float64Array(components * dim);
  for (let c = 0; c < components; c++) {
    for (let d = 0; d < dim; d++) loadings[c * dim + d] = signs[c] * eigen.get(d, c);
  }
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += vectors[i * dim + d] / n;
  const out: PcaResult = {
    ids: ids.slice(),
    components,
    scores,
    explainedVarianceRatio: checkShares(Float64Array.from(ratio.slice(0, components)), who),
    loadings,
    mean,
    dim,
  };
  if (table.titles) out.titles = table.titles.slice();
  return out;
}

/**
 * The coordinates of every row on one component, as a score table.
 *
 * @param result A {@linkcode pca} result.
 * @param component 0-based component index (0 = PC1).
 * @returns Ids, titles and the scores on that component.
 * @example
 * ```ts
 * import { componentScores, pca } from "./pca.ts";
 * import { assertAlmostEquals } from "@std/assert";
 * const t = { ids: Int32Array.of(1, 2, 3), vectors: Float32Array.of(0, 0, 1, 1, 2, 2), dim: 2 };
 * const [a, b, c] = componentScores(pca(t, { components: 1 }), 0).values; // ±[√2, 0, −√2]
 * assertAlmostEquals(Math.abs(a), Math.SQRT2, 1e-6);
 * assertAlmostEquals(b, 0, 1e-6);
 * assertAlmostEquals(c, -a, 1e-6);
 * ```
 */
export function componentScores(result: PcaResult, component: number): ScoreTable {
  const who = "componentScores()";
  if (!Number.isInteger(component) || component < 0 || component >= result.components) {
    throw new RangeError(
      `${who}: expected a component index 0..${
        result.components - 1
      } (0 = PC1), found ${component}`,
    );
  }
  const k = result.components;
  const out: ScoreTable = {
    ids: result.ids,
    values: Float32Array.from(result.ids, (_, i) => result.scores[i * k + component]),
  };
  if (result.titles) out.titles = result.titles;
  return out;
}

/** Every option of {@linkcode sortAlong}: `rankByScore()`'s (the type makes the list complete). */
const SORT_ALONG_OPTIONS: Record<keyof RankOptions, true> = { n: true, order: true, among: true };

/**
 * Movies sorted along one principal component, e.g. the 10 highest or lowest on PC1, to read
 * what the component captures.
 *
 * @param result A {@linkcode pca} result.
 * @param component 0-based component index (0 = PC1).
 * @param options How many rows, which end, and an optional subset of ids (e.g. most-rated).
 * @returns Rows `{ rank, movieId, title?, score }`.
 * @example
 * ```ts
 * import { pca, sortAlong } from "./pca.ts";
 * import { assertAlmostEquals, assertEquals } from "@std/assert";
 * const t = { ids: Int32Array.of(1, 2, 3), vectors: Float32Array.of(0, 0, 1, 1, 2, 2), dim: 2 };
 * const [top] = sortAlong(pca(t, { components: 1 }), 0, { n: 1 }); // the movie at the positive end
 * assertEquals([top.rank, top.movieId], [1, 1]);
 * assertAlmostEquals(top.score, Math.SQRT2, 1e-6);
 * ```
 */
export function sortAlong(
  result: PcaResult,
  component: number,
  options: RankOptions = {},
): RankedRow[] {
  checkOptionKeys(options, Object.keys(SORT_ALONG_OPTIONS), "sortAlong()");
  return rankByScore(componentScores(result, component), options);
}
