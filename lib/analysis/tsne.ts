/**
 * t-SNE (van der Maaten & Hinton 2008) of an embedding table, exact or Barnes-Hut
 * (van der Maaten 2014), written to follow scikit-learn's `TSNE` (1.2 defaults: PCA
 * initialisation, learning rate "auto", early exaggeration 12 for 250 iterations, momentum 0.5
 * then 0.8, gains, each phase starting with fresh gains as scikit-learn's two descents do) and
 * seeded through {@linkcode createRng}, so a run is reproducible. It runs every iteration it is
 * asked for: scikit-learn's checks that end a run early (made every 50 iterations: no
 * progress for 250 iterations in the first phase or 300 in the second, or a gradient norm under
 * 1e-7) are left out. `test/analysis/tsne_test.ts` checks its steps against scikit-learn's own
 * functions (`test/fixtures/make_tsne_fixtures.py`).
 *
 * No npm package fits: `tsne-js` and `@keckelt/tsne` draw from `Math.random` with no way to
 * seed it (and the latter's published build lacks its implementation file), and both are exact
 * O(N²) per iteration.
 *
 * @module
 */

import { DEFAULT_SEED } from "../defaults.ts";
import { checkSeed, createRng } from "../random.ts";
import type { EmbeddingTable } from "./types.ts";
import { checkEmbeddings } from "./_table.ts";
import {
  checkFiniteNumber,
  checkNonNegativeInt,
  checkOptionKeys,
  checkPositiveInt,
} from "../_validate.ts";
import { pca, type PcaResult } from "./pca.ts";
import { SpaceTree } from "./_tsne_tree.ts";
import { interruptCheck, interruptDue, interruptible } from "../_interrupt.ts";

const MACHINE_EPSILON = 2.220446049250313e-16;
const PERPLEXITY_TOLERANCE = 1e-5;
const MIN_GAIN = 0.01;

/** Options of {@linkcode tsne}. */
export interface TsneOptions {
  /**
   * Effective number of neighbours each point attends to (must be below the number of rows).
   * @default {30}
   */
  perplexity?: number;
  /**
   * Total gradient-descent iterations, early exaggeration included.
   * @default {1000}
   */
  iterations?: number;
  /**
   * Seed of the random initialisation (`init: "random"`); the PCA initialisation is
   * deterministic whatever the seed.
   * @default {42} (DEFAULT_SEED)
   */
  seed?: number;
  /**
   * Output dimensions (Barnes-Hut supports 1 to 3).
   * @default {2}
   */
  dims?: number;
  /**
   * `"pca"`: the first principal components scaled to standard deviation 1e-4 (scikit-learn's
   * default since 1.2; keeps the global layout); `"random"`: N(0, 1e-4²) draws from the seed.
   * @default {"pca"}
   */
  init?: "pca" | "random";
  /**
   * `"barnes-hut"`: sparse input similarities over the ⌊3·perplexity⌋ + 1 nearest neighbours and
   * tree-approximated repulsion, O(N log N) per iteration; `"exact"`: all pairs, O(N²).
   * @default {"barnes-hut"}
   */
  method?: "barnes-hut" | "exact";
  /**
   * Barnes-Hut accuracy: a cell is summarised when its width / distance is below theta.
   * @default {0.5}
   */
  theta?: number;
  /**
   * Input distance: squared Euclidean (as scikit-learn's default) or cosine distance 1 − cos.
   * @default {"euclidean"}
   */
  metric?: "euclidean" | "cosine";
  /**
   * Factor applied to the input similarities during the first `exaggerationIterations` (a
   * finite number ≥ 1).
   * @default {12}
   */
  earlyExaggeration?: number;
  /**
   * Iterations with early exaggeration and momentum 0.5.
   * @default {250}
   */
  exaggerationIterations?: number;
  /**
   * Step size; `"auto"` is max(N / earlyExaggeration / 4, 50) as in scikit-learn.
   * @default {"auto"}
   */
  learningRate?: number | "auto";
}

/** Every option of {@linkcode tsne} (the type makes the list complete). */
const TSNE_OPTIONS: Record<keyof TsneOptions, true> = {
  perplexity: true,
  iterations: true,
  seed: true,
  dims: true,
  init: true,
  method: true,
  theta: true,
  metric: true,
  earlyExaggeration: true,
  exaggerationIterations: true,
  learningRate: true,
};

/** The result of {@linkcode tsne}. */
export interface TsneResult {
  /** Raw ids of the rows. */
  ids: Int32Array;
  /** Titles of the rows, when the table has them. */
  titles?: string[];
  /** Output dimensions. */
  dims: number;
  /** Row-major coordinates: row `i` is `coordinates.subarray(i * dims, (i + 1) * dims)`. */
  coordinates: Float64Array;
  /** Final Kullback-Leibler divergence KL(P‖Q) (over the sparse P for Barnes-Hut). */
  klDivergence: number;
}

/** Input similarities as a symmetric sparse matrix in CSR form, summing to 1. */
interface SparseP {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

function distanceRow(
  x: Float64Array,
  n: number,
  dim: number,
  i: number,
  cosine: boolean,
  out: Float64Array,
): void {
  const o = i * dim;
  for (let j = 0; j < n; j++) {
    const p = j * dim;
    let s = 0;
    if (cosine) {
      for (let d = 0; d < dim; d++) s += x[o + d] * x[p + d];
      out[j] = Math.max(0, 1 - s);
    } else {
      for (let d = 0; d < dim; d++) {
        const t = x[o + d] - x[p + d];
        s += t * t;
      }
      out[j] = s;
    }
  }
}

/** Conditional p_{j|i} over the given distances, by binary search on the precision (sklearn). */
function conditional(dist: Float64Array, perplexity: number, out: Float64Array, len: number): void {
  const desired = Math.log(perplexity);
  let beta = 1, betaMin = -Infinity, betaMax = Infinity;
  for (let step = 0; step < 100; step++) {
    let sum = 0;
    for (let j = 0; j < len; j++) sum += out[j] = Math.exp(-dist[j] * beta);
    if (sum === 0) sum = 1e-8;
    let sumDist = 0;
    for (let j = 0; j < len; j++) {
      out[j] /= sum;
      sumDist += dist[j] * out[j];
    }
    const entropyDiff = Math.log(sum) + beta * sumDist - desired;
    if (Math.abs(entropyDiff) <= PERPLEXITY_TOLERANCE) break;
    if (entropyDiff > 0) {
      betaMin = beta;
      beta = betaMax === Infinity ? beta * 2 : (beta + betaMax) / 2;
    } else {
      betaMax = beta;
      beta = betaMin === -Infinity ? beta / 2 : (beta + betaMin) / 2;
    }
  }
}

/** k nearest neighbours of row i (ties by index), distances ascending. */
function nearest(
  row: Float64Array,
  i: number,
  k: number,
  idx: Int32Array,
  dist: Float64Array,
): void {
  // A bounded max-heap on (distance, index) holding the k best so far.
  let size = 0;
  const worse = (a: number, b: number) => row[a] > row[b] || (row[a] === row[b] && a > b);
  for (let j = 0; j < row.length; j++) {
    if (j === i) continue;
    if (size < k) {
      let c = size++;
      idx[c] = j;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(idx[c], idx[p])) break;
        [idx[c], idx[p]] = [idx[p], idx[c]];
        c = p;
      }
    } else if (worse(idx[0], j)) {
      idx[0] = j;
      let c = 0;
      for (;;) {
        const l = 2 * c + 1, r = l + 1;
        let m = c;
        if (l < size && worse(idx[l], idx[m])) m = l;
        if (r < size && worse(idx[r], idx[m])) m = r;
        if (m === c) break;
        [idx[c], idx[m]] = [idx[m], idx[c]];
        c = m;
      }
    }
  }
  const sorted = Array.from(idx.subarray(0, k)).sort((a, b) => row[a] - row[b] || a - b);
  sorted.forEach((j, t) => {
    idx[t] = j;
    dist[t] = row[j];
  });
}

function sparseP(
  x: Float64Array,
  n: number,
  dim: number,
  perplexity: number,
  cosine: boolean,
): SparseP {
  const k = Math.min(n - 1, Math.floor(3 * perplexity + 1));
  const row = new Float64Array(n);
  const nbr = new Int32Array(n * k);
  const cond = new Float64Array(n * k);
  const idx = new Int32Array(k), dist = new Float64Array(k), p = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    distanceRow(x, n, dim, i, cosine, row);
    nearest(row, i, k, idx, dist);
    conditional(dist, perplexity, p, k);
    nbr.set(idx, i * k);
    cond.set(p, i * k);
  }
  // Symmetrise: P = (P_cond + P_condᵀ) / sum, merging (i, j) and (j, i) entries.
  const rows = Array.from({ length: n }, () => new Map<number, number>());
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = nbr[i * k + t], v = cond[i * k + t];
      rows[i].set(j, (rows[i].get(j) ?? 0) + v);
      rows[j].set(i, (rows[j].get(i) ?? 0) + v);
    }
  }
  let nnz = 0, total = 0;
  for (const r of rows) {
    nnz += r.size;
    for (const v of r.values()) total += v;
  }
  total = Math.max(total, MACHINE_EPSILON);
  const indptr = new Int32Array(n + 1),
    indices = new Int32Array(nnz),
    values = new Float64Array(nnz);
  let at = 0;
  for (let i = 0; i < n; i++) {
    for (const [j, v] of Array.from(rows[i]).sort((a, b) => a[0] - b[0])) {
      indices[at] = j;
      values[at++] = v / total;
    }
    indptr[i + 1] = at;
  }
  return { indptr, indices, values };
}

function denseP(
  x: Float64Array,
  n: number,
  dim: number,
  perplexity: number,
  cosine: boolean,
): Float64Array {
  const P = new Float64Array(n * n);
  const row = new Float64Array(n), dist = new Float64Array(n - 1), p = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    distanceRow(x, n, dim, i, cosine, row);
    for (let j = 0, t = 0; j < n; j++) if (j !== i) dist[t++] = row[j];
    conditional(dist, perplexity, p, n - 1);
    for (let j = 0, t = 0; j < n; j++) if (j !== i) P[i * n + j] = p[t++];
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = P[i * n + j] + P[j * n + i];
      P[i * n + j] = P[j * n + i] = s;
      total += 2 * s;
    }
  }
  for (let t = 0; t < P.length; t++) P[t] = Math.max(P[t] / total, MACHINE_EPSILON);
  for (let i = 0; i < n; i++) P[i * n + i] = 0;
  return P;
}

/** Student-t kernel with `dof` degrees of freedom, unnormalised, as scikit-learn writes it. */
function kernel(d2: number, dof: number): number {
  const q = dof / (dof + d2);
  return dof === 1 ? q : q ** ((dof + 1) / 2);
}

/** KL(P‖Q) and its gradient over all pairs (scikit-learn's `_kl_divergence`). */
function exactGradient(
  P: Float64Array,
  y: Float64Array,
  n: number,
  dims: number,
  dof: number,
  exaggeration: number,
  grad: Float64Array,
): number {
  const w = new Float64Array(n * n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let d2 = 0;
      for (let d = 0; d < dims; d++) d2 += (y[i * dims + d] - y[j * dims + d]) ** 2;
      const v = kernel(d2, dof);
      w[i * n + j] = w[j * n + i] = v;
      sum += 2 * v;
    }
  }
  grad.fill(0);
  let kl = 0;
  const c = (2 * (dof + 1)) / dof;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const p = P[i * n + j] * exaggeration;
      const q = Math.max(w[i * n + j] / sum, MACHINE_EPSILON);
      kl += p * Math.log(Math.max(p, MACHINE_EPSILON) / q);
      const f = c * (p - q) * w[i * n + j];
      for (let d = 0; d < dims; d++) grad[i * dims + d] += f * (y[i * dims + d] - y[j * dims + d]);
    }
  }
  return kl;
}

/** Barnes-Hut gradient (scikit-learn's `_kl_divergence_bh`); returns KL over the sparse P. */
function bhGradient(
  P: SparseP,
  y: Float64Array,
  tree: SpaceTree,
  dof: number,
  exaggeration: number,
  theta: number,
  grad: Float64Array,
  withError: boolean,
): number {
  const { n, dims } = tree;
  tree.build(y);
  grad.fill(0);
  let sumQ = 0;
  for (let i = 0; i < n; i++) sumQ += tree.repulsion(i, theta * theta, dof, grad, i * dims);
  // grad now holds the repulsive forces; combine with the attractive ones from the sparse P.
  const c = (2 * (dof + 1)) / dof;
  const exponent = (dof + 1) / 2;
  let kl = 0;
  if (dims === 2 && dof === 1 && !withError) {
    // The common case, unrolled: 2 dimensions, Cauchy kernel.
    const { indptr, indices, values } = P;
    for (let i = 0; i < n; i++) {
      const x0 = y[2 * i], x1 = y[2 * i + 1];
      let g0 = -grad[2 * i] / sumQ, g1 = -grad[2 * i + 1] / sumQ;
      for (let t = indptr[i]; t < indptr[i + 1]; t++) {
        const j = indices[t];
        const d0 = x0 - y[2 * j], d1 = x1 - y[2 * j + 1];
        const f = (values[t] * exaggeration) / (1 + d0 * d0 + d1 * d1);
        g0 += f * d0;
        g1 += f * d1;
      }
      grad[2 * i] = c * g0;
      grad[2 * i + 1] = c * g1;
    }
    return NaN;
  }
  for (let i = 0; i < n; i++) {
    const yi = i * dims;
    for (let d = 0; d < dims; d++) grad[yi + d] = -grad[yi + d] / sumQ;
    for (let t = P.indptr[i]; t < P.indptr[i + 1]; t++) {
      const yj = P.indices[t] * dims;
      let d2 = 0;
      for (let d = 0; d < dims; d++) d2 += (y[yi + d] - y[yj + d]) ** 2;
      let q = dof / (dof + d2);
      if (dof !== 1) q = q ** exponent;
      const p = P.values[t] * exaggeration;
      const f = p * q;
      for (let d = 0; d < dims; d++) grad[yi + d] += f * (y[yi + d] - y[yj + d]);
      if (withError) kl += p * Math.log(Math.max(p, 1e-38) / Math.max(q / sumQ, 1e-38));
    }
    for (let d = 0; d < dims; d++) grad[yi + d] *= c;
  }
  return kl;
}

/**
 * Embeds the rows of a table in 2 (or `dims`) dimensions with t-SNE. Deterministic: the same
 * table and options give the same coordinates, the same as {@linkcode tsneSync}'s.
 *
 * The gradient descent gives way to the event loop every 250 ms in the Jupyter kernel, so that
 * Kernel › Interrupt stops it after the current iteration with an `InterruptedError` (the
 * kernel and its variables stay; a map of 1,682 movies takes a few seconds). Outside the kernel
 * it runs straight through, as {@linkcode tsneSync} does.
 *
 * @param table Embeddings with raw ids (more rows than the perplexity).
 * @param options Perplexity, iterations, seed, output dimensions and optimiser settings.
 * @returns Coordinates per row, with the ids, titles and final KL divergence.
 * @throws {RangeError} On a bad option or table, or rows all identical with `init: "pca"`,
 *   before any work; when the descent diverges (a coordinate leaves the floating-point range,
 *   e.g. with a learningRate of 1e300), naming the iteration.
 * @throws {TypeError} On an option of the wrong kind (a perplexity given as text).
 * @example
 * ```ts
 * import { tsne } from "./tsne.ts";
 * import { assertEquals } from "@std/assert";
 * const vectors = Float32Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 5) + (i % 7) * 0.1);
 * const table = { ids: Int32Array.from({ length: 20 }, (_, i) => i + 1), vectors, dim: 2 };
 * const { coordinates } = await tsne(table, { perplexity: 5, iterations: 300 });
 * assertEquals(coordinates.length, 40);
 * ```
 */
export async function tsne(table: EmbeddingTable, options: TsneOptions = {}): Promise<TsneResult> {
  const run = startTsne(table, options, "tsne()"); // a bad option rejects the promise
  return await interruptible(async () => {
    const total = run.settings.iterations;
    for (const it of run.steps) {
      if (interruptDue()) await interruptCheck(() => `at iteration ${it + 1} of ${total}`);
    }
    return run.finish();
  });
}

/**
 * {@linkcode tsne} without giving way to the event loop: the same coordinates, returned at
 * once, and Kernel › Interrupt cannot stop it. For programs and tests.
 *
 * @param table Embeddings with raw ids (more rows than the perplexity).
 * @param options Perplexity, iterations, seed, output dimensions and optimiser settings.
 * @returns Coordinates per row, with the ids, titles and final KL divergence.
 * @throws {RangeError} On a bad option or table, or rows all identical with `init: "pca"`,
 *   before any work; when the descent diverges (a coordinate leaves the floating-point range,
 *   e.g. with a learningRate of 1e300), naming the iteration.
 * @throws {TypeError} On an option of the wrong kind (a perplexity given as text).
 * @example
 * ```ts
 * import { tsneSync } from "./tsne.ts";
 * import { assertEquals } from "@std/assert";
 * const vectors = Float32Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 5) + (i % 7) * 0.1);
 * const table = { ids: Int32Array.from({ length: 20 }, (_, i) => i + 1), vectors, dim: 2 };
 * const { coordinates } = tsneSync(table, { perplexity: 5, iterations: 300 });
 * assertEquals(coordinates.length, 40);
 * ```
 */
export function tsneSync(table: EmbeddingTable, options: TsneOptions = {}): TsneResult {
  const run = startTsne(table, options, "tsneSync()");
  for (const _ of run.steps);
  return run.finish();
}

/** A t-SNE set up and ready to descend: `steps` runs one iteration per item, then `finish()`. */
interface TsneRun {
  settings: TsneSettings;
  steps: Generator<number>;
  finish(): TsneResult;
}

/** Checks the table and options, computes the input similarities and the starting layout. */
function startTsne(table: EmbeddingTable, options: TsneOptions, who: string): TsneRun {
  checkOptionKeys(options, Object.keys(TSNE_OPTIONS), who);
  checkEmbeddings(table, who);
  const n = table.ids.length, dim = table.dim;
  const o = tsneSettings(options, n, dim, who);
  // Inputs in float64; for the cosine metric, unit rows so that 1 − x·y is the distance.
  const x = Float64Array.from(table.vectors);
  const cosine = o.metric === "cosine";
  if (cosine) unitRows(x, n, dim);
  const exact = o.method === "exact";
  const Pdense = exact ? denseP(x, n, dim, o.perplexity, cosine) : null;
  const Psparse = exact ? null : sparseP(x, n, dim, o.perplexity, cosine);

  const dims = o.dims;
  const y = initialLayout(table, o, who);
  const dof = Math.max(dims - 1, 1);
  const tree = exact ? null : new SpaceTree(n, dims);
  const gradient = (exaggeration: number, out: Float64Array, withError: boolean): number =>
    exact
      ? exactGradient(Pdense!, y, n, dims, dof, exaggeration, out)
      : bhGradient(Psparse!, y, tree!, dof, exaggeration, o.theta, out, withError);
  const finish = (): TsneResult => {
    const klDivergence = gradient(1, new Float64Array(n * dims), true);
    const result: TsneResult = { ids: table.ids.slice(), dims, coordinates: y, klDivergence };
    if (table.titles) result.titles = table.titles.slice();
    return result;
  };
  return { settings: o, steps: descend(y, gradient, o, who), finish };
}

/** Every option of {@linkcode tsne} resolved and checked, with the learning rate as a number. */
type TsneSettings = Required<Omit<TsneOptions, "learningRate">> & { learningRate: number };

function tsneSettings(options: TsneOptions, n: number, dim: number, who: string): TsneSettings {
  const {
    perplexity = 30,
    iterations = 1000,
    seed = DEFAULT_SEED,
    dims = 2,
    init = "pca",
    method = "barnes-hut",
    theta = 0.5,
    metric = "euclidean",
    earlyExaggeration = 12,
    exaggerationIterations = 250,
    learningRate = "auto",
  } = options;
  if (n < 3) throw new RangeError(`${who}: expected at least 3 rows, found ${n}`);
  checkFiniteNumber(perplexity, "perplexity", who);
  if (!(perplexity > 0 && perplexity < n)) {
    throw new RangeError(
      `${who}: expected 0 < perplexity < number of rows (${n}), found ${perplexity}`,
    );
  }
  checkPositiveInt(iterations, "iterations", who);
  checkPositiveInt(dims, "dims", who);
  checkSeed(seed, who);
  checkMethod(method, init, dims, Math.min(n, dim), who);
  if (metric !== "euclidean" && metric !== "cosine") {
    throw new RangeError(
      `${who}: expected metric "euclidean" or "cosine", found ${JSON.stringify(metric)}`,
    );
  }
  checkFiniteNumber(theta, "theta", who);
  if (!(theta >= 0 && theta <= 1)) {
    throw new RangeError(`${who}: expected 0 <= theta <= 1, found ${theta}`);
  }
  checkFiniteNumber(earlyExaggeration, "earlyExaggeration", who);
  if (!(earlyExaggeration >= 1)) {
    throw new RangeError(
      `${who}: expected earlyExaggeration to be a finite number >= 1, found ${earlyExaggeration}`,
    );
  }
  checkNonNegativeInt(exaggerationIterations, "exaggerationIterations", who);
  if (learningRate !== "auto") checkFiniteNumber(learningRate, "learningRate", who);
  const lr = learningRate === "auto" ? Math.max(n / earlyExaggeration / 4, 50) : learningRate;
  if (!(lr > 0) || !Number.isFinite(lr)) {
    throw new RangeError(
      `${who}: expected learningRate "auto" or a positive number, found ${learningRate}`,
    );
  }
  return {
    perplexity,
    iterations,
    seed,
    dims,
    init,
    method,
    theta,
    metric,
    earlyExaggeration,
    exaggerationIterations,
    learningRate: lr,
  };
}

/** Checks the gradient method and the initialisation against the output dimensions. */
function checkMethod(
  method: string,
  init: string,
  dims: number,
  maxPcaDims: number,
  who: string,
): void {
  if (method !== "barnes-hut" && method !== "exact") {
    throw new RangeError(
      `${who}: expected method "barnes-hut" or "exact", found ${JSON.stringify(method)}`,
    );
  }
  if (method === "barnes-hut" && dims > 3) {
    throw new RangeError(
      `${who}: Barnes-Hut supports dims 1 to 3, found ${dims}; use method "exact"`,
    );
  }
  if (init !== "pca" && init !== "random") {
    throw new RangeError(`${who}: expected init "pca" or "random", found ${JSON.stringify(init)}`);
  }
  if (init === "pca" && dims > maxPcaDims) {
    throw new RangeError(
      `${who}: PCA initialisation needs dims <= ${maxPcaDims}, found ${dims}; use init "random"`,
    );
  }
}

/** Scales each row of a row-major matrix to unit length (a zero row stays zero). */
function unitRows(x: Float64Array, n: number, dim: number): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[i * dim + d] ** 2;
    const norm = Math.sqrt(s) || 1;
    for (let d = 0; d < dim; d++) x[i * dim + d] /= norm;
  }
}

/**
 * The starting layout: the first principal components scaled so that PC1 has standard
 * deviation 1e-4 (scikit-learn's "pca" init), or N(0, 1e-4²) draws from the seed.
 */
function initialLayout(table: EmbeddingTable, o: TsneSettings, who: string): Float64Array {
  const n = table.ids.length, dims = o.dims;
  const y = new Float64Array(n * dims);
  if (o.init === "pca") {
    let p: PcaResult;
    try {
      p = pca({ ids: table.ids, vectors: table.vectors, dim: table.dim }, { components: dims });
    } catch (e) {
      // Identical rows: the error named pca(), which the caller never called.
      if (!(e instanceof RangeError)) throw e;
      throw new RangeError(
        `${who}: the PCA initialisation cannot start from these rows (${e.message}); ` +
          'use init "random"',
      );
    }
    let mean = 0, sq = 0;
    for (let i = 0; i < n; i++) mean += p.scores[i * dims] / n;
    for (let i = 0; i < n; i++) sq += (p.scores[i * dims] - mean) ** 2 / n;
    const scale = 1e-4 / (Math.sqrt(sq) || 1);
    for (let t = 0; t < y.length; t++) y[t] = p.scores[t] * scale;
  } else {
    const rng = createRng(o.seed);
    for (let t = 0; t < y.length; t++) y[t] = 1e-4 * rng.normal();
  }
  return y;
}

/**
 * Gradient descent with momentum (0.5 during early exaggeration, then 0.8) and per-coordinate
 * gains, as scikit-learn's `_gradient_descent`: one iteration per item, yielding its index.
 * Like scikit-learn, which calls `_gradient_descent` once for each phase, the phase after early
 * exaggeration starts with a zero update and every gain at 1.
 */
function* descend(
  y: Float64Array,
  gradient: (exaggeration: number, out: Float64Array, withError: boolean) => number,
  o: TsneSettings,
  who: string,
): Generator<number> {
  const grad = new Float64Array(y.length), update = new Float64Array(y.length);
  const gains = new Float64Array(y.length).fill(1);
  const lr = o.learningRate;
  for (let it = 0; it < o.iterations; it++) {
    const early = it < o.exaggerationIterations;
    const momentum = early ? 0.5 : 0.8;
    if (it > 0 && it === o.exaggerationIterations) { // the second phase, as a new descent
      update.fill(0);
      gains.fill(1);
    }
    gradient(early ? o.earlyExaggeration : 1, grad, false);
    for (let t = 0; t < y.length; t++) {
      gains[t] = update[t] * grad[t] < 0 ? gains[t] + 0.2 : gains[t] * 0.8;
      if (gains[t] < MIN_GAIN) gains[t] = MIN_GAIN;
      update[t] = momentum * update[t] - lr * gains[t] * grad[t];
      y[t] += update[t];
    }
    if (!allFinite(y)) diverged(y, it, o, who); // NaN coordinates would reach the map
    yield it;
  }
}

function allFinite(values: Float64Array): boolean {
  for (let t = 0; t < values.length; t++) if (!Number.isFinite(values[t])) return false;
  return true;
}

/** Throws the error of a descent whose coordinates left the floating-point range. */
function diverged(y: Float64Array, it: number, o: TsneSettings, who: string): never {
  const bad = y.find((v) => !Number.isFinite(v));
  throw new RangeError(
    `${who}: the gradient descent diverged at iteration ${it + 1} (a coordinate became ` +
      `${bad}); expected a smaller learningRate (${o.learningRate}) or earlyExaggeration ` +
      `(${o.earlyExaggeration})`,
  );
}
