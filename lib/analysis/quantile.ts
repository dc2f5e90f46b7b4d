/**
 * A port of scikit-learn's `QuantileTransformer` (dense input): maps each feature through its
 * empirical CDF to a uniform or a standard normal distribution, as seed 002 does to feed
 * popularity and release year to its hybrid model. The algorithm follows
 * `sklearn/preprocessing/_data.py` step by step — numpy's linear percentiles, the two-sided
 * interpolation that averages over ties, the ±1e-7 bounds and the normal clipping — and is
 * tested against values computed with scikit-learn.
 *
 * @module
 */

import { DEFAULT_SEED } from "../defaults.ts";
import { checkSeed, createRng } from "../random.ts";
import {
  checkFinite,
  checkOptionKeys,
  checkPositiveInt,
  describe,
  isNumbers,
  type Numbers,
  plural,
} from "../_validate.ts";
import { normCdf, normPpf } from "./_normal.ts";

/** Values closer than this to the fitted bounds map to the bounds (sklearn's BOUNDS_THRESHOLD). */
const BOUNDS_THRESHOLD = 1e-7;
/** numpy's `np.spacing(1)`. */
const SPACING_1 = 2.220446049250313e-16;

/** Options of {@linkcode QuantileTransformer}. */
export interface QuantileTransformerOptions {
  /**
   * Number of quantiles (landmarks of the CDF); reduced to the number of samples when larger.
   * @default {1000}
   */
  nQuantiles?: number;
  /**
   * Target distribution: `"uniform"` on [0, 1] or `"normal"` (standard normal, clipped to
   * ±5.1993 so that the inverse stays finite).
   * @default {"uniform"}
   */
  outputDistribution?: "uniform" | "normal";
  /**
   * At most this many samples per feature are used to estimate the quantiles (drawn without
   * replacement with {@linkcode createRng}, so only the distribution, not the exact draw,
   * matches scikit-learn's).
   * @default {10000}
   */
  subsample?: number;
  /**
   * Seed of the subsampling draw.
   * @default {42} (DEFAULT_SEED)
   */
  seed?: number;
}

/** Every option of {@linkcode QuantileTransformer} (the type makes the list complete). */
const QUANTILE_OPTIONS: Record<keyof QuantileTransformerOptions, true> = {
  nQuantiles: true,
  outputDistribution: true,
  subsample: true,
  seed: true,
};

/** The JSON form of a fitted {@linkcode QuantileTransformer}. */
export interface QuantileTransformerJSON {
  /** Requested number of quantiles. */
  nQuantiles: number;
  /** Target distribution. */
  outputDistribution: "uniform" | "normal";
  /** Subsample size. */
  subsample: number;
  /** Subsampling seed. */
  seed: number;
  /** Reference probabilities (sklearn's `references_`), or null when not fitted. */
  references: number[] | null;
  /** Per feature, the fitted quantiles (sklearn's `quantiles_[:, f]`), or null when not fitted. */
  quantiles: number[][] | null;
}

/** Throws unless `values` are finite and non-decreasing, naming the first that is not. */
function checkSorted(values: Numbers, what: string, who: string): void {
  checkFinite(values, what, who);
  for (let i = 1; i < values.length; i++) {
    if (values[i] < values[i - 1]) {
      throw new RangeError(
        `${who}: expected ${what} to be non-decreasing, found ${values[i]} after ${
          values[i - 1]
        } at position ${i}`,
      );
    }
  }
}

/** `np.linspace(0, 1, n)`. */
function linspace01(n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) return out;
  const step = 1 / (n - 1);
  for (let i = 0; i < n; i++) out[i] = i * step;
  out[n - 1] = 1;
  return out;
}

/** `np.percentile(values, q * 100)` with the default "linear" method, for sorted values. */
function percentiles(sorted: Float64Array, references: Float64Array): Float64Array {
  const n = sorted.length;
  const out = new Float64Array(references.length);
  for (let k = 0; k < references.length; k++) {
    const q = (references[k] * 100) / 100; // sklearn multiplies by 100, numpy divides back
    const virtual = (n - 1) * q;
    let prev = Math.floor(virtual), next = prev + 1;
    if (virtual >= n - 1) prev = next = -1;
    const gamma = virtual - prev;
    const a = sorted[prev < 0 ? n - 1 : prev], b = sorted[next < 0 ? n - 1 : next];
    const diff = b - a;
    out[k] = gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma; // numpy's _lerp
  }
  return out;
}

/** `np.interp(x, xp, fp)` for increasing (possibly repeated) `xp`, bit for bit. */
function interp(x: number, xp: ArrayLike<number>, fp: ArrayLike<number>): number {
  const n = xp.length;
  if (n === 1) return fp[0];
  if (x > xp[n - 1]) return fp[n - 1];
  if (x < xp[0]) return fp[0];
  // Largest j with xp[j] <= x, as numpy's binary_search_with_guess.
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = lo + ((hi - lo) >> 1);
    if (x >= xp[mid]) lo = mid + 1;
    else hi = mid;
  }
  const j = lo - 1;
  if (j === n - 1 || xp[j] === x) return fp[j];
  const slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  return slope * (x - xp[j]) + fp[j];
}

function checkColumns(columns: Numbers[], who: string, features?: number): number {
  if (!Array.isArray(columns) || columns.length === 0 || !columns.every(isNumbers)) {
    const hint = isNumbers(columns) ? " (wrap a single feature as [values])" : "";
    throw new TypeError(
      `${who}: expected a non-empty array of columns, one array of numbers per feature, ` +
        `found ${describe(columns)}${hint}`,
    );
  }
  if (features !== undefined && columns.length !== features) {
    throw new RangeError(
      `${who}: expected ${plural(features, "column")} as in fit(), found ${columns.length}`,
    );
  }
  const n = columns[0].length;
  columns.forEach((col, f) => {
    if (col.length !== n) {
      throw new RangeError(
        `${who}: expected columns of equal length, found ${n} in column 0 and ${col.length} in column ${f}`,
      );
    }
    for (let i = 0; i < col.length; i++) {
      if (!Number.isFinite(col[i])) {
        throw new RangeError(
          `${who}: expected finite numbers, found ${col[i]} in column ${f} at row ${i}`,
        );
      }
    }
  });
  if (n === 0) throw new RangeError(`${who}: expected at least one row, found empty columns`);
  return n;
}

/**
 * Transforms features to a uniform or normal distribution through their quantiles, exactly as
 * scikit-learn's `QuantileTransformer` on dense data. Data are given as columns (one array per
 * feature). Unlike scikit-learn, NaN is rejected rather than treated as missing.
 *
 * @example
 * ```ts
 * import { QuantileTransformer } from "./quantile.ts";
 * import { assertEquals } from "@std/assert";
 * const qt = new QuantileTransformer({ nQuantiles: 5 });
 * const [u] = qt.fitTransform([[10, 20, 30, 40, 50]]);
 * assertEquals(u, Float64Array.of(0, 0.25, 0.5, 0.75, 1));
 * ```
 */
export class QuantileTransformer {
  /** Requested number of quantiles. */
  readonly nQuantiles: number;
  /** Target distribution. */
  readonly outputDistribution: "uniform" | "normal";
  /** Maximum number of samples used per feature. */
  readonly subsample: number;
  /** Seed of the subsampling draw. */
  readonly seed: number;
  #references: Float64Array | null = null;
  #quantiles: Float64Array[] | null = null;

  /**
   * Creates an unfitted transformer.
   * @param options Number of quantiles, output distribution, subsample size and seed.
   */
  constructor(options: QuantileTransformerOptions = {}) {
    const who = "QuantileTransformer";
    checkOptionKeys(options, Object.keys(QUANTILE_OPTIONS), who);
    const {
      nQuantiles = 1000,
      outputDistribution = "uniform",
      subsample = 10_000,
      seed = DEFAULT_SEED,
    } = options;
    checkPositiveInt(nQuantiles, "nQuantiles", who);
    checkPositiveInt(subsample, "subsample", who);
    if (outputDistribution !== "uniform" && outputDistribution !== "normal") {
      throw new RangeError(
        `${who}: expected outputDistribution "uniform" or "normal", found ${
          JSON.stringify(outputDistribution)
        }`,
      );
    }
    if (nQuantiles > subsample) {
      throw new RangeError(
        `${who}: nQuantiles (${nQuantiles}) cannot exceed the number of samples used, subsample (${subsample})`,
      );
    }
    checkSeed(seed, who);
    this.nQuantiles = nQuantiles;
    this.outputDistribution = outputDistribution;
    this.subsample = subsample;
    this.seed = seed;
  }

  /** Whether {@linkcode QuantileTransformer.fit} has run. */
  get fitted(): boolean {
    return this.#quantiles !== null;
  }

  /** Number of quantiles actually used (sklearn's `n_quantiles_`). */
  get nQuantilesFitted(): number {
    return this.#fit("nQuantilesFitted").references.length;
  }

  /** Reference probabilities, `linspace(0, 1, nQuantilesFitted)` (sklearn's `references_`). */
  get references(): Float64Array {
    return this.#fit("references").references.slice();
  }

  /** Per feature, the fitted quantiles (sklearn's `quantiles_[:, f]`). */
  get quantiles(): Float64Array[] {
    return this.#fit("quantiles").quantiles.map((q) => q.slice());
  }

  #fit(who: string): { references: Float64Array; quantiles: Float64Array[] } {
    if (this.#references === null || this.#quantiles === null) {
      throw new TypeError(
        `QuantileTransformer.${who}: the transformer is not fitted; call fit() first`,
      );
    }
    return { references: this.#references, quantiles: this.#quantiles };
  }

  /**
   * Estimates the quantiles of each feature.
   * @param columns One array of numbers per feature, all the same length.
   * @returns This transformer, fitted.
   */
  fit(columns: Numbers[]): this {
    const n = checkColumns(columns, "QuantileTransformer.fit()");
    const references = linspace01(Math.max(1, Math.min(this.nQuantiles, n)));
    const rng = createRng(this.seed);
    this.#quantiles = columns.map((col) => {
      let values = Float64Array.from(col);
      if (this.subsample < n) {
        const pick = rng.permutation(n).subarray(0, this.subsample);
        values = Float64Array.from(pick, (i) => col[i]);
      }
      values.sort();
      const q = percentiles(values, references);
      for (let k = 1; k < q.length; k++) q[k] = Math.max(q[k], q[k - 1]); // np.maximum.accumulate
      return q;
    });
    this.#references = references;
    return this;
  }

  /**
   * Maps each feature to the output distribution; values outside the fitted range map to its
   * bounds (0 and 1, or ±5.1993 for the normal output).
   * @param columns One array per feature, as many as in fit().
   * @returns The transformed columns.
   */
  transform(columns: Numbers[]): Float64Array[] {
    const { references, quantiles } = this.#fit("transform()");
    checkColumns(columns, "QuantileTransformer.transform()", quantiles.length);
    const normal = this.outputDistribution === "normal";
    const refRev = references.map((_, i) => -references[references.length - 1 - i]);
    const clipMin = normPpf(BOUNDS_THRESHOLD - SPACING_1);
    const clipMax = normPpf(1 - (BOUNDS_THRESHOLD - SPACING_1));
    return columns.map((col, f) => {
      const q = quantiles[f];
      const qRev = q.map((_, i) => -q[q.length - 1 - i]);
      const lower = q[0], upper = q[q.length - 1];
      return Float64Array.from(col, (x) => {
        const atLower = normal ? x - BOUNDS_THRESHOLD < lower : x === lower;
        const atUpper = normal ? x + BOUNDS_THRESHOLD > upper : x === upper;
        // Average the interpolation from both sides so that tied quantiles map to the middle.
        let y = 0.5 * (interp(x, q, references) - interp(-x, qRev, refRev));
        if (atUpper) y = 1;
        if (atLower) y = 0;
        if (normal) y = Math.min(Math.max(normPpf(y), clipMin), clipMax);
        return y;
      });
    });
  }

  /**
   * Fits on the columns and transforms them.
   * @param columns One array of numbers per feature.
   * @returns The transformed columns.
   */
  fitTransform(columns: Numbers[]): Float64Array[] {
    return this.fit(columns).transform(columns);
  }

  /**
   * Maps values of the output distribution back to the original scale.
   * @param columns One array per feature, as many as in fit().
   * @returns The columns on the original scale.
   */
  inverseTransform(columns: Numbers[]): Float64Array[] {
    const { references, quantiles } = this.#fit("inverseTransform()");
    checkColumns(columns, "QuantileTransformer.inverseTransform()", quantiles.length);
    const normal = this.outputDistribution === "normal";
    return columns.map((col, f) => {
      const q = quantiles[f];
      return Float64Array.from(col, (value) => {
        const x = normal ? normCdf(value) : value;
        const atLower = normal ? x - BOUNDS_THRESHOLD < 0 : x === 0;
        const atUpper = normal ? x + BOUNDS_THRESHOLD > 1 : x === 1;
        let y = interp(x, references, q);
        if (atUpper) y = q[q.length - 1];
        if (atLower) y = q[0];
        return y;
      });
    });
  }

  /**
   * The transformer as plain data, which `JSON.stringify` writes and
   * {@linkcode QuantileTransformer.fromJSON} reads back.
   * @returns The options, plus the fitted references and quantiles (null before `fit`).
   */
  toJSON(): QuantileTransformerJSON {
    return {
      nQuantiles: this.nQuantiles,
      outputDistribution: this.outputDistribution,
      subsample: this.subsample,
      seed: this.seed,
      references: this.#references ? Array.from(this.#references) : null,
      quantiles: this.#quantiles ? this.#quantiles.map((q) => Array.from(q)) : null,
    };
  }

  /**
   * Rebuilds a transformer from its JSON form.
   * @param json The object written by {@linkcode QuantileTransformer.toJSON}.
   * @returns A transformer that transforms exactly as the saved one.
   * @throws {TypeError} When `json` is not a saved transformer.
   * @throws {RangeError} On bad options, or references or quantiles that are not finite and
   *   non-decreasing (references within [0, 1]), as `fit()` makes them.
   * @example
   * ```ts
   * import { QuantileTransformer } from "./quantile.ts";
   * import { assertEquals } from "@std/assert";
   * const a = new QuantileTransformer({ nQuantiles: 3 }).fit([[1, 2, 3]]);
   * const b = QuantileTransformer.fromJSON(JSON.parse(JSON.stringify(a)));
   * assertEquals(b.transform([[2.5]]), [Float64Array.of(0.75)]);
   * ```
   */
  static fromJSON(json: QuantileTransformerJSON): QuantileTransformer {
    const who = "QuantileTransformer.fromJSON()";
    if (typeof json !== "object" || json === null) {
      throw new TypeError(
        `${who}: expected a saved QuantileTransformer object, found ${describe(json)}`,
      );
    }
    const { nQuantiles, outputDistribution, subsample, seed } = json; // the options of the JSON
    const qt = new QuantileTransformer({ nQuantiles, outputDistribution, subsample, seed });
    if (json.references === null || json.quantiles === null) return qt;
    if (
      !isNumbers(json.references) || !Array.isArray(json.quantiles) || json.quantiles.length === 0
    ) {
      throw new TypeError(`${who}: expected references: number[] and quantiles: number[][]`);
    }
    const m = json.references.length;
    checkSorted(json.references, "references", who);
    if (m === 0 || json.references[0] < 0 || json.references[m - 1] > 1) {
      throw new RangeError(
        `${who}: expected references in [0, 1], found ${m === 0 ? "none" : json.references}`,
      );
    }
    json.quantiles.forEach((q, f) => {
      if (!isNumbers(q) || q.length !== m) {
        throw new RangeError(
          `${who}: expected ${m} quantiles for feature ${f} (one per reference), found ${
            isNumbers(q) ? q.length : describe(q)
          }`,
        );
      }
      // fit() makes them non-decreasing; a NaN or a decrease transformed to NaN or nonsense.
      checkSorted(q, `the quantiles of feature ${f}`, who);
    });
    qt.#references = Float64Array.from(json.references);
    qt.#quantiles = json.quantiles.map((q) => Float64Array.from(q));
    return qt;
  }
}
