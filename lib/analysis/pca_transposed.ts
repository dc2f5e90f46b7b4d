/**
 * Seed 000's PCA, reproduced to be compared with the standard one: scikit-learn's
 * `PCA(n).fit(embeddings.T).components_`, read as one coordinate per movie. Transposing makes
 * the factors the samples and the movies the features, so each movie is centred on the mean
 * of its own factors (not each factor across the movies), and the movie coordinates are unit
 * vectors over the movies: they shrink as the number of movies grows. Use {@linkcode pca} for
 * the standard analysis; this one exists to show the difference.
 *
 * @module
 */

import { PCA } from "ml-pca";
import type { EmbeddingTable } from "./types.ts";
import type { PcaOptions, PcaResult } from "./pca.ts";
import { checkPcaInput, checkShares, checkVariance, signedScores } from "./_pca.ts";
import { checkOptionKeys, plural } from "../_validate.ts";

/** The result of {@linkcode transposedPca}: a {@linkcode PcaResult} plus the row means. */
export interface TransposedPcaResult extends PcaResult {
  /**
   * The mean of each row's own factors, subtracted from that row before the SVD (the
   * centring the transposed fit does). `mean` is all zeros: no common vector was subtracted.
   */
  rowMeans: Float64Array;
}

/** Every option of {@linkcode transposedPca} (the type makes the list complete). */
const TRANSPOSED_PCA_OPTIONS: Record<keyof PcaOptions, true> = { components: true };

/**
 * PCA fitted on the transposed embedding table, as seed 000 does with scikit-learn
 * (`PCA(n_components).fit(movie_embed.T).components_`): row `i`'s coordinate on component `c`
 * is `components_[c][i]`. The explained-variance ratios are those of that fit (variance over
 * the factors, not over the movies). Signs follow the rule of {@linkcode pca}: in each
 * component the row with the largest absolute coordinate is positive.
 *
 * @param table Embeddings with raw ids (at least 2 rows and 2 factors).
 * @param options Number of components (at most min(rows, dim)).
 * @returns Coordinates per row (`scores`), explained variance ratios, unit directions in
 *   factor space (`loadings`), and each row's own mean (`rowMeans`).
 * @throws {RangeError} When the rows have zero variance across their factors (each row's
 *   factors all equal, so every share would be 0 / 0), or the table is too small.
 * @example
 * ```ts
 * import { transposedPca } from "./pca_transposed.ts";
 * import { assertEquals } from "@std/assert";
 * const t = {
 *   ids: Int32Array.of(1, 2, 3),
 *   vectors: Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1),
 *   dim: 4,
 * };
 * const p = transposedPca(t, { components: 1 });
 * assertEquals(p.scores.length, 3);
 * assertEquals(p.rowMeans, Float64Array.of(0.25, 0.25, 1));
 * ```
 */
export function transposedPca(
  table: EmbeddingTable,
  options: PcaOptions = {},
): TransposedPcaResult {
  const who = "transposedPca()";
  checkOptionKeys(options, Object.keys(TRANSPOSED_PCA_OPTIONS), who);
  const { components = 3 } = options;
  checkPcaInput(table, components, who, (n, dim) => {
    if (n < 2 || dim < 2) {
      throw new RangeError(
        `${who}: expected at least 2 rows and 2 factors, found ${plural(n, "row")} of ${
          plural(dim, "factor")
        }`,
      );
    }
  });
  checkVariance(table, true, who);
  const { ids, vectors, dim } = table;
  const n = ids.length;
  // The transposed matrix: one sample per factor, one feature per row of the table.
  const samples = Array.from(
    { length: dim },
    (_, d) => Array.from({ length: n }, (_, i) => vectors[i * dim + d]),
  );
  const model = new PCA(samples, { method: "SVD", center: true, scale: false });
  const directions = model.getEigenvectors(); // n × r: column c is components_[c]
  const ratio = model.getExplainedVariance();
  const rowMeans = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[i * dim + d];
    rowMeans[i] = s / dim;
  }
  const { scores } = signedScores(directions, n, components);
  const loadings = new Float64Array(components * dim);
  for (let c = 0; c < components; c++) {
    // The factor-space direction u_c ∝ Σ_i (x_i − rowMean_i) · v_c[i], normalised.
    const u = loadings.subarray(c * dim, (c + 1) * dim);
    for (let i = 0; i < n; i++) {
      const w = scores[i * components + c];
      for (let d = 0; d < dim; d++) u[d] += (vectors[i * dim + d] - rowMeans[i]) * w;
    }
    const norm = Math.hypot(...u);
    if (norm > 0) { for (let d = 0; d < dim; d++) u[d] /= norm; }
  }
  const out: TransposedPcaResult = {
    ids: ids.slice(),
    components,
    scores,
    explainedVarianceRatio: checkShares(Float64Array.from(ratio.slice(0, components)), who),
    loadings,
    mean: new Float64Array(dim),
    dim,
    rowMeans,
  };
  if (table.titles) out.titles = table.titles.slice();
  return out;
}
