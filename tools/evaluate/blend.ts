/**
 * Linear blending of several models' predictions (the Netflix-Prize habit): fit the blend on a
 * validation part, by least squares (best for MSE) or least absolute deviations (best for
 * MAE), then apply it to the test predictions.
 *
 * Optionally the weights depend linearly on per-rating meta-features, such as the log of the
 * user's and the movie's number of training ratings — feature-weighted linear stacking (Sill,
 * Takács, Mackey and Lin, 2009): `prediction = intercept + Σ_k (w_k + Σ_j v_kj·f_j)·p_k +
 * Σ_j u_j·f_j`, so that a model trusted for well-known movies can count less for rare ones.
 *
 * @module
 */

/** A fitted blend. */
export interface Blend {
  /** The constant term. */
  intercept: number;
  /** One weight per member, in the order the members were given. */
  weights: number[];
  /** Per member, one weight per meta-feature (the member's weight varies with it). */
  featureWeights: number[][];
  /** One weight per meta-feature alone. */
  featureTerms: number[];
  /** The criterion the blend was fitted for. */
  loss: BlendLoss;
}

/** `"squared"`: least squares (minimises MSE). `"absolute"`: least absolute deviations (MAE). */
export type BlendLoss = "squared" | "absolute";

/** Options of {@linkcode fitBlend}. */
export interface FitBlendOptions {
  /**
   * What the blend minimises on the validation ratings.
   * @default {"squared"}
   */
  loss?: BlendLoss;
  /**
   * Meta-features, one array per feature with one value per rating (feature-weighted
   * stacking); none gives a plain linear blend.
   * @default {[]}
   */
  features?: ArrayLike<number>[];
  /**
   * Ridge penalty on every coefficient but the intercept, relative to the number of ratings;
   * keeps the solve stable when members are nearly identical.
   * @default {1e-6}
   */
  ridge?: number;
  /**
   * Iteratively reweighted least-squares passes for `"absolute"`.
   * @default {60}
   */
  iterations?: number;
}

function checkColumns(
  columns: ArrayLike<number>[],
  n: number,
  what: string,
  like: string,
  caller: string,
): void {
  columns.forEach((p, k) => {
    if (p?.length !== n) {
      throw new RangeError(
        `${caller}: expected ${what} ${k} to have ${n} values like ${like}, found ${p?.length}`,
      );
    }
  });
}

/** Solves the (k × k) system `a x = b` in place by Gaussian elimination with pivoting. */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const k = b.length;
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    [a[c], a[pivot]] = [a[pivot], a[c]];
    [b[c], b[pivot]] = [b[pivot], b[c]];
    const d = a[c][c];
    if (Math.abs(d) < 1e-300) throw new RangeError("fitBlend(): the members are collinear");
    for (let r = c + 1; r < k; r++) {
      const f = a[r][c] / d;
      if (f === 0) continue;
      for (let j = c; j < k; j++) a[r][j] -= f * a[c][j];
      b[r] -= f * b[c];
    }
  }
  const x = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    let s = b[r];
    for (let j = r + 1; j < k; j++) s -= a[r][j] * x[j];
    x[r] = s / a[r][r];
  }
  return x;
}

/** The design row of rating i: 1, members, members × features, features. */
function designRow(
  members: ArrayLike<number>[],
  features: ArrayLike<number>[],
  i: number,
  row: Float64Array,
): void {
  let c = 0;
  row[c++] = 1;
  for (const m of members) row[c++] = m[i];
  for (const m of members) for (const f of features) row[c++] = m[i] * f[i];
  for (const f of features) row[c++] = f[i];
}

function width(members: number, features: number): number {
  return 1 + members + members * features + features;
}

/** Weighted least squares on the design rows; `w` null means unit weights. */
function weightedLeastSquares(
  members: ArrayLike<number>[],
  features: ArrayLike<number>[],
  target: ArrayLike<number>,
  w: Float64Array | null,
  ridge: number,
): Float64Array {
  const k = width(members.length, features.length), n = target.length;
  const a = Array.from({ length: k }, () => new Float64Array(k));
  const b = new Float64Array(k);
  const row = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    total += wi;
    designRow(members, features, i, row);
    for (let r = 0; r < k; r++) {
      const v = wi * row[r];
      b[r] += v * target[i];
      const ar = a[r];
      for (let c = r; c < k; c++) ar[c] += v * row[c];
    }
  }
  for (let r = 0; r < k; r++) for (let c = 0; c < r; c++) a[r][c] = a[c][r];
  for (let r = 1; r < k; r++) a[r][r] += ridge * total;
  return solve(a, b);
}

function unpack(x: Float64Array, members: number, features: number, loss: BlendLoss): Blend {
  let c = 1;
  const weights = Array.from({ length: members }, () => x[c++]);
  const featureWeights = Array.from(
    { length: members },
    () => Array.from({ length: features }, () => x[c++]),
  );
  const featureTerms = Array.from({ length: features }, () => x[c++]);
  return { intercept: x[0], weights, featureWeights, featureTerms, loss };
}

function evaluateRow(
  blend: Blend,
  members: ArrayLike<number>[],
  features: ArrayLike<number>[],
  i: number,
): number {
  let p = blend.intercept;
  for (let k = 0; k < members.length; k++) {
    let w = blend.weights[k];
    const fw = blend.featureWeights[k];
    for (let j = 0; j < features.length; j++) w += fw[j] * features[j][i];
    p += w * members[k][i];
  }
  for (let j = 0; j < features.length; j++) p += blend.featureTerms[j] * features[j][i];
  return p;
}

/**
 * Fits a blend on validation predictions.
 *
 * @param members Each member's predictions of the validation ratings (same order as `target`).
 * @param target The validation ratings.
 * @param options The loss (`"squared"` or `"absolute"`), meta-features, ridge, IRLS passes.
 * @returns The fitted blend.
 * @example
 * ```ts
 * import { applyBlend, fitBlend } from "./blend.ts";
 * const a = [1, 2, 3, 4], b = [2, 2, 2, 5];
 * const target = a.map((x, i) => 0.5 + 0.25 * x + 0.5 * b[i]);
 * const blend = fitBlend([a, b], target);
 * console.log(blend.weights.map((w) => w.toFixed(2))); // ["0.25", "0.50"]
 * console.log(applyBlend(blend, [[2], [2]])[0].toFixed(2)); // "2.00"
 * ```
 */
export function fitBlend(
  members: ArrayLike<number>[],
  target: ArrayLike<number>,
  options: FitBlendOptions = {},
): Blend {
  const caller = "fitBlend()";
  if (!Array.isArray(members) || members.length === 0) {
    throw new TypeError(`${caller}: expected an array of at least one member's predictions`);
  }
  const n = target?.length;
  if (typeof n !== "number" || n === 0) {
    throw new RangeError(`${caller}: expected at least one target rating, found none`);
  }
  const { loss = "squared", features = [], ridge = 1e-6, iterations = 60 } = options;
  checkColumns(members, n, "member", "the target", caller);
  checkColumns(features, n, "feature", "the target", caller);
  if (loss !== "squared" && loss !== "absolute") {
    throw new TypeError(`${caller}: expected loss "squared" or "absolute", found ${loss}`);
  }
  if (!(ridge >= 0) || !Number.isFinite(ridge)) {
    throw new RangeError(`${caller}: expected ridge >= 0, found ${ridge}`);
  }
  let x = weightedLeastSquares(members, features, target, null, ridge);
  if (loss === "absolute") {
    const w = new Float64Array(n);
    for (let it = 0; it < iterations; it++) {
      const current = unpack(x, members.length, features.length, loss);
      for (let i = 0; i < n; i++) {
        const p = evaluateRow(current, members, features, i);
        w[i] = 1 / Math.max(Math.abs(target[i] - p), 1e-4);
      }
      x = weightedLeastSquares(members, features, target, w, ridge);
    }
  }
  return unpack(x, members.length, features.length, loss);
}

/**
 * Applies a blend to the members' predictions.
 *
 * @param blend A fitted blend.
 * @param members Each member's predictions, in the order the blend was fitted with.
 * @param features The same meta-features as at fitting, for these ratings.
 * @returns The blended predictions.
 * @example
 * ```ts
 * import { applyBlend } from "./blend.ts";
 * const blend = {
 *   intercept: 1, weights: [0.5, 0.5], featureWeights: [[], []], featureTerms: [],
 *   loss: "squared" as const,
 * };
 * console.log(Array.from(applyBlend(blend, [[2, 4], [4, 0]]))); // [4, 3]
 * ```
 */
export function applyBlend(
  blend: Blend,
  members: ArrayLike<number>[],
  features: ArrayLike<number>[] = [],
): Float32Array {
  const caller = "applyBlend()";
  if (!Array.isArray(members) || members.length !== blend.weights.length) {
    throw new RangeError(
      `${caller}: expected ${blend.weights.length} members' predictions, found ${
        Array.isArray(members) ? members.length : typeof members
      }`,
    );
  }
  if (features.length !== blend.featureTerms.length) {
    throw new RangeError(
      `${caller}: expected ${blend.featureTerms.length} meta-features, found ${features.length}`,
    );
  }
  const n = members[0].length;
  checkColumns(members, n, "member", "member 0", caller);
  checkColumns(features, n, "feature", "member 0", caller);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = evaluateRow(blend, members, features, i);
  return out;
}
