/**
 * Private helpers shared by `pca()` and `transposedPca()`: the checks of the
 * component count and of the variance, and the deterministic signs of the components.
 *
 * @module
 */

import type { EmbeddingTable } from "./types.ts";
import { checkEmbeddings } from "./_table.ts";
import { checkPositiveInt } from "../_validate.ts";

/** A column-indexed matrix, as ml-pca returns them. */
interface Columns {
  get(row: number, column: number): number;
}

/** Checks the table and the component count; `minSize` checks the rows (and factors). */
export function checkPcaInput(
  table: EmbeddingTable,
  components: number,
  who: string,
  minSize: (n: number, dim: number) => void,
): void {
  checkEmbeddings(table, who);
  checkPositiveInt(components, "components", who);
  const n = table.ids.length, dim = table.dim;
  minSize(n, dim);
  if (components > Math.min(n, dim)) {
    throw new RangeError(
      `${who}: expected components <= min(rows, dim) = ${Math.min(n, dim)}, found ${components}`,
    );
  }
}

/**
 * Throws when the samples the PCA fits have no variance, which would make every explained
 * share 0 / 0: for `pca()` (samples = rows) when every row equals the first; for
 * `transposedPca()` (samples = factors, each row centred on its own mean) when every row is
 * constant across its factors. Exact comparison: rows that differ at all are fitted.
 */
export function checkVariance(table: EmbeddingTable, transposed: boolean, who: string): void {
  const { vectors, dim } = table, n = table.ids.length;
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) {
      const other = transposed ? vectors[i * dim] : vectors[d];
      if (vectors[i * dim + d] !== other) return;
    }
  }
  throw new RangeError(
    transposed
      ? `${who}: the rows have zero variance across their factors: each of the ${n} rows has ` +
        `${dim} equal factors, and the transposed fit centres each row on its own mean, so no ` +
        "component explains any share of the variance"
      : `${who}: the rows have zero variance: all ${n} rows are identical, so no component ` +
        "explains any share of the variance; expected rows that differ",
  );
}

/**
 * Throws unless every explained-variance share is a number: after `checkVariance()`, only rows
 * that differ so little that their variance rounds to 0.
 */
export function checkShares(shares: Float64Array, who: string): Float64Array {
  for (let c = 0; c < shares.length; c++) {
    if (!Number.isFinite(shares[c])) {
      throw new RangeError(
        `${who}: the explained variance share of component ${c + 1} is ${shares[c]}; the rows ` +
          "have (numerically) zero variance",
      );
    }
  }
  return shares;
}

/**
 * The first `components` columns of `coordinates` (one row per table row), each flipped so
 * that its largest absolute value is positive (scikit-learn's `svd_flip`).
 *
 * @returns Row-major `scores` (n × components) and the sign applied to each component.
 */
export function signedScores(
  coordinates: Columns,
  n: number,
  components: number,
): { scores: Float64Array; signs: number[] } {
  const scores = new Float64Array(n * components);
  const signs: number[] = [];
  for (let c = 0; c < components; c++) {
    let best = 0;
    for (let i = 0; i < n; i++) {
      if (Math.abs(coordinates.get(i, c)) > Math.abs(coordinates.get(best, c))) best = i;
    }
    const sign = coordinates.get(best, c) < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) scores[i * components + c] = sign * coordinates.get(i, c);
    signs.push(sign);
  }
  return { scores, signs };
}
