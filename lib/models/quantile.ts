/**
 * A one-column quantile transformer with uniform output, matching scikit-learn's
 * `QuantileTransformer()` (1,000 quantiles, linear percentiles, the two-sided interpolation
 * that maps ties to their mid-rank) except that it never subsamples: every value is used, so
 * the fit is exact and needs no random choice. The hybrid model scales its movie metadata
 * (popularity, release year) with it, as the seed-002 lab does.
 *
 * @module
 */

/** Options of {@linkcode QuantileTransformer.fit}. */
export interface QuantileOptions {
  /**
   * Number of quantiles (capped at the number of values).
   * @default {1000}
   */
  nQuantiles?: number;
}

/** The JSON form of a fitted {@linkcode QuantileTransformer}. */
export interface QuantileJSON {
  /** Value at each reference level (non-decreasing). */
  quantiles: number[];
  /** Reference levels, evenly spaced in [0, 1]. */
  references: number[];
}

const BOUNDS = 1e-7;

function interp(x: number, xp: ArrayLike<number>, fp: ArrayLike<number>): number {
  const n = xp.length;
  if (x < xp[0]) return fp[0];
  if (x >= xp[n - 1]) return fp[n - 1];
  let lo = 0, hi = n - 1; // invariant: xp[lo] <= x < xp[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xp[mid] <= x) lo = mid;
    else hi = mid;
  }
  if (x === xp[lo]) return fp[lo];
  return fp[lo] + (fp[hi] - fp[lo]) * (x - xp[lo]) / (xp[hi] - xp[lo]);
}

/** Maps values to [0, 1] through their empirical quantiles. */
export class QuantileTransformer {
  /** Value at each reference level. */
  readonly quantiles: Float64Array;
  /** Reference levels in [0, 1]. */
  readonly references: Float64Array;
  readonly #negQ: Float64Array;
  readonly #negR: Float64Array;

  private constructor(quantiles: Float64Array, references: Float64Array) {
    this.quantiles = quantiles;
    this.references = references;
    this.#negQ = quantiles.map((_, i) => -quantiles[quantiles.length - 1 - i]);
    this.#negR = references.map((_, i) => -references[references.length - 1 - i]);
  }

  /**
   * Fits the quantiles of `values`.
   *
   * @param values Finite numbers (at least one).
   * @param options Number of quantiles.
   * @returns The fitted transformer.
   * @example
   * ```ts
   * import { QuantileTransformer } from "./quantile.ts";
   * const q = QuantileTransformer.fit([1, 2, 3, 4, 5]);
   * console.log(q.transform([1, 3, 5])); // Float32Array [0, 0.5, 1]
   * ```
   */
  static fit(values: ArrayLike<number>, options: QuantileOptions = {}): QuantileTransformer {
    const { nQuantiles = 1000 } = options;
    if (!Number.isInteger(nQuantiles) || nQuantiles < 1) {
      throw new RangeError(
        `QuantileTransformer.fit(): expected nQuantiles >= 1, found ${nQuantiles}`,
      );
    }
    if (values.length === 0) {
      throw new RangeError("QuantileTransformer.fit(): expected at least one value, found none");
    }
    const sorted = Float64Array.from(values);
    for (let i = 0; i < sorted.length; i++) {
      if (!Number.isFinite(sorted[i])) {
        throw new RangeError(
          `QuantileTransformer.fit(): expected finite values, found ${sorted[i]} at ${i}`,
        );
      }
    }
    sorted.sort();
    const m = Math.min(nQuantiles, sorted.length);
    const references = new Float64Array(m);
    const quantiles = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      references[k] = m === 1 ? 0 : k / (m - 1);
      const pos = references[k] * (sorted.length - 1);
      const lo = Math.floor(pos), hi = Math.ceil(pos);
      quantiles[k] = sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
      if (k > 0 && quantiles[k] < quantiles[k - 1]) quantiles[k] = quantiles[k - 1];
    }
    return new QuantileTransformer(quantiles, references);
  }

  /**
   * Rebuilds a fitted transformer from its JSON form.
   * @param json The object written by {@linkcode QuantileTransformer.toJSON}.
   * @returns The transformer.
   * @example
   * ```ts
   * import { QuantileTransformer } from "./quantile.ts";
   * const q = QuantileTransformer.fromJSON({ quantiles: [0, 10], references: [0, 1] });
   * console.log(q.transform([5])); // Float32Array [0.5]
   * ```
   */
  static fromJSON(json: QuantileJSON): QuantileTransformer {
    const q = json?.quantiles, r = json?.references;
    if (!Array.isArray(q) || !Array.isArray(r) || q.length !== r.length || q.length === 0) {
      throw new TypeError(
        "QuantileTransformer.fromJSON(): expected { quantiles, references } of equal, non-zero length",
      );
    }
    return new QuantileTransformer(Float64Array.from(q), Float64Array.from(r));
  }

  /**
   * Maps values to [0, 1]; values outside the fitted range are clipped to 0 or 1.
   * @param values Finite numbers.
   * @returns The uniform scores.
   * @example
   * ```ts
   * import { QuantileTransformer } from "./quantile.ts";
   * QuantileTransformer.fit([10, 20, 30]).transform([0, 25, 99]); // Float32Array [0, 0.75, 1]
   * ```
   */
  transform(values: ArrayLike<number>): Float32Array {
    const q = this.quantiles, r = this.references;
    const lo = q[0], hi = q[q.length - 1];
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (!Number.isFinite(x)) {
        throw new RangeError(
          `QuantileTransformer.transform(): expected finite values, found ${x} at ${i}`,
        );
      }
      if (x - BOUNDS < lo) out[i] = 0;
      else if (x + BOUNDS > hi) out[i] = 1;
      else out[i] = 0.5 * (interp(x, q, r) - interp(-x, this.#negQ, this.#negR));
    }
    return out;
  }

  /** @returns The JSON form (quantiles and reference levels). */
  toJSON(): QuantileJSON {
    return { quantiles: Array.from(this.quantiles), references: Array.from(this.references) };
  }
}
