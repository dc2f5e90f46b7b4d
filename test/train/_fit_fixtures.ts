/**
 * Tiny synthetic ratings with the real schema (user, movie, rating 1–5) drawn from a known
 * low-rank model, and small seeded tfjs models built from stock layers, for the fit tests.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../lib/random.ts";

/** Row-aligned synthetic ratings. */
export interface Ratings {
  users: Int32Array;
  movies: Int32Array;
  ratings: Float32Array;
}

/**
 * `n` ratings of `numUsers` users on `numMovies` movies: 3 + 1.5·(p_u·q_m) + noise, clipped to
 * 1–5, as row-aligned arrays of row indices (test/models' `syntheticRatings()` gives a ratings
 * DataFrame with raw ids instead).
 */
export function syntheticRatingArrays(n: number, seed = 1, numUsers = 30, numMovies = 40): Ratings {
  const rng = createRng(seed);
  const p = Array.from({ length: numUsers }, () => [rng.normal(), rng.normal()]);
  const q = Array.from({ length: numMovies }, () => [rng.normal(), rng.normal()]);
  const users = new Int32Array(n), movies = new Int32Array(n), ratings = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.int(numUsers), m = rng.int(numMovies);
    const r = 3 + 1.5 * (p[u][0] * q[m][0] + p[u][1] * q[m][1]) * 0.5 + 0.2 * rng.normal();
    users[i] = u;
    movies[i] = m;
    ratings[i] = Math.min(5, Math.max(1, Math.round(r)));
  }
  return { users, movies, ratings };
}

/** The ratings as model inputs `[users, movies]` (int32 [n,1]) and targets (float32 [n]). */
export function ratingTensors(r: Ratings, from = 0, to = r.ratings.length) {
  const n = to - from;
  return {
    x: [
      tf.tensor2d(r.users.subarray(from, to), [n, 1], "int32"),
      tf.tensor2d(r.movies.subarray(from, to), [n, 1], "int32"),
    ],
    y: tf.tensor1d(r.ratings.subarray(from, to)),
  };
}

/** Disposes what {@linkcode ratingTensors} made. */
export function disposeData(d: { x: tf.Tensor[]; y: tf.Tensor }): void {
  tf.dispose([...d.x, d.y]);
}

/** Options of {@linkcode stockDotBiasModel}. */
export interface StockModelOptions {
  numUsers?: number;
  numMovies?: number;
  factors?: number;
  /** Keras L2 λ on the factor embeddings. */
  l2?: number;
  seed?: number;
}

/**
 * dot(U[u], M[m]) + b_u + b_m + 3.5 from stock layers, with seeded initialisers (not
 * lib/models' `dotBiasModel()` builder).
 */
export function stockDotBiasModel(o: StockModelOptions = {}): tf.LayersModel {
  const { numUsers = 30, numMovies = 40, factors = 4, l2 = 0, seed = 7 } = o;
  const rng = createRng(seed);
  const init = () =>
    tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: rng.uint32() });
  const reg = l2 > 0 ? tf.regularizers.l2({ l2 }) : undefined;
  const u = tf.input({ shape: [1], dtype: "int32", name: "user" });
  const m = tf.input({ shape: [1], dtype: "int32", name: "movie" });
  const emb = (rows: number, dim: number, r?: ReturnType<typeof tf.regularizers.l2>) =>
    tf.layers.embedding({
      inputDim: rows,
      outputDim: dim,
      embeddingsInitializer: init(),
      embeddingsRegularizer: r,
    });
  const flat = (t: tf.SymbolicTensor) => tf.layers.flatten().apply(t) as tf.SymbolicTensor;
  const uf = flat(emb(numUsers, factors, reg).apply(u) as tf.SymbolicTensor);
  const mf = flat(emb(numMovies, factors, reg).apply(m) as tf.SymbolicTensor);
  const ub = flat(emb(numUsers, 1).apply(u) as tf.SymbolicTensor);
  const mb = flat(emb(numMovies, 1).apply(m) as tf.SymbolicTensor);
  const dot = tf.layers.dot({ axes: 1 }).apply([uf, mf]) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([dot, ub, mb]) as tf.SymbolicTensor;
  const out = tf.layers.dense({
    units: 1,
    kernelInitializer: "ones",
    biasInitializer: tf.initializers.constant({ value: 3.5 }),
    trainable: false,
  }).apply(sum) as tf.SymbolicTensor;
  return tf.model({ inputs: [u, m], outputs: out });
}

/** Embeddings → concat → stock Dropout → dense relu → dense 1 (`units` outputs), seeded. */
export function mlpModel(
  o: StockModelOptions & {
    dropout?: number;
    units?: number;
    activation?: "linear" | "softmax" | "sigmoid";
  } = {},
): tf.LayersModel {
  const { numUsers = 30, numMovies = 40, factors = 4, seed = 7, dropout = 0.3, units = 1 } = o;
  const rng = createRng(seed);
  const u = tf.input({ shape: [1], dtype: "int32" });
  const m = tf.input({ shape: [1], dtype: "int32" });
  const emb = (rows: number) =>
    tf.layers.embedding({
      inputDim: rows,
      outputDim: factors,
      embeddingsInitializer: tf.initializers.randomUniform({
        minval: -0.05,
        maxval: 0.05,
        seed: rng.uint32(),
      }),
    });
  const cat = tf.layers.concatenate().apply([
    tf.layers.flatten().apply(emb(numUsers).apply(u)) as tf.SymbolicTensor,
    tf.layers.flatten().apply(emb(numMovies).apply(m)) as tf.SymbolicTensor,
  ]) as tf.SymbolicTensor;
  const dropped = tf.layers.dropout({ rate: dropout }).apply(cat) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({
    units: 16,
    activation: "relu",
    kernelInitializer: tf.initializers.glorotUniform({ seed: rng.uint32() }),
  }).apply(dropped) as tf.SymbolicTensor;
  const out = tf.layers.dense({
    units,
    activation: o.activation ?? "linear",
    kernelInitializer: tf.initializers.glorotUniform({ seed: rng.uint32() }),
  }).apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: [u, m], outputs: out });
}

/** Every weight of a model as plain arrays (for exact comparisons). */
export function weightValues(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}
