/**
 * The dot-product models, written with the stock layers a Keras tutorial uses:
 *
 * - `dot`: user and movie embeddings → dot (tutorial 01's model A, 03's RecommenderV1, the
 *   lab's RegressionModel);
 * - `dot-bias`: the same plus a user and a movie bias, optionally in a sigmoid range (01's
 *   model B, 03's RecommenderV2, 02's EmbeddingNet, fastai's `EmbeddingDotBias`);
 * - `bce`: dot-bias through a sigmoid, for binary cross-entropy on ratings scaled to 0–1
 *   (03's keras.io RecommenderNetV2, with a per-row dot product);
 *
 * and the same three as the one fused `EmbeddingDotBias` layer (`fused: true`). The stock and
 * fused models draw their tables' initial weights from the seed in the same order, so the
 * same seed gives the same weights, and the same predictions.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { createRng } from "../../random.ts";
import { embeddingDotBias } from "../embedding_dot_bias.ts";
import type { BuiltConfig } from "../recommender.ts";
import { embed, idInputs, sigmoidRange, type TableSizes } from "./_parts.ts";

/** The seeds of the four tables, in the order the fused layer draws them. */
function tableSeeds(seed: number): () => number {
  const rng = createRng(createRng(seed).uint32());
  return () => rng.uint32();
}

/** The factor and bias table options of a config. */
function tables(c: BuiltConfig) {
  return {
    factors: { width: c.factors, init: c.initializer, l2: c.l2 },
    bias: { width: 1, init: c.biasInitializer, l2: c.biasL2 },
  };
}

/** `dot`: `dot(u, m)` (in a sigmoid range when `yRange` is set). */
export function dotModel(c: BuiltConfig, size: TableSizes): tf.LayersModel {
  const seed = tableSeeds(c.seed), { factors } = tables(c);
  const [user, movie] = idInputs();
  const u = embed(user, size.users, { ...factors, name: "user_embedding", seed: seed() });
  const m = embed(movie, size.movies, { ...factors, name: "movie_embedding", seed: seed() });
  let y = tf.layers.dot({ axes: 1, name: "dot" }).apply([u, m]) as tf.SymbolicTensor;
  if (c.yRange) y = sigmoidRange(y, c.yRange);
  return tf.model({ inputs: [user, movie], outputs: y, name: "dot" });
}

/** The two id inputs, the four tables and `dot(u, m) + ub + mb`: dot-bias and bce share it. */
function dotPlusBiases(c: BuiltConfig, size: TableSizes) {
  const seed = tableSeeds(c.seed), { factors, bias } = tables(c);
  const [user, movie] = idInputs();
  const u = embed(user, size.users, { ...factors, name: "user_embedding", seed: seed() });
  const m = embed(movie, size.movies, { ...factors, name: "movie_embedding", seed: seed() });
  const ub = embed(user, size.users, { ...bias, name: "user_bias", seed: seed() });
  const mb = embed(movie, size.movies, { ...bias, name: "movie_bias", seed: seed() });
  const dot = tf.layers.dot({ axes: 1, name: "dot" }).apply([u, m]) as tf.SymbolicTensor;
  const z = tf.layers.add({ name: "add" }).apply([dot, ub, mb]) as tf.SymbolicTensor;
  return { inputs: [user, movie], z };
}

/** `dot-bias`: `dot(u, m) + ub + mb` (in a sigmoid range when `yRange` is set). */
export function dotBiasModel(c: BuiltConfig, size: TableSizes): tf.LayersModel {
  const { inputs, z } = dotPlusBiases(c, size);
  const y = c.yRange ? sigmoidRange(z, c.yRange) : z;
  return tf.model({ inputs, outputs: y, name: "dot_bias" });
}

/** `bce`: `sigmoid(dot(u, m) + ub + mb)`, a probability for binary cross-entropy. */
export function bceModel(c: BuiltConfig, size: TableSizes): tf.LayersModel {
  const { inputs, z } = dotPlusBiases(c, size);
  const y = tf.layers.activation({ activation: "sigmoid", name: "sigmoid" }).apply(z);
  return tf.model({ inputs, outputs: y as tf.SymbolicTensor, name: "bce" });
}

/** `dot`, `dot-bias` or `bce` as the one fused layer (same tables, same seeds). */
export function fusedDotModel(c: BuiltConfig, size: TableSizes): tf.LayersModel {
  const [user, movie] = idInputs();
  const layer = embeddingDotBias({
    name: "embedding_dot_bias",
    numUsers: size.users,
    numMovies: size.movies,
    factors: c.factors,
    bias: c.kind !== "dot",
    yRange: c.kind === "bce" ? [0, 1] : c.yRange,
    embeddingsInitializer: c.initializer,
    biasInitializer: c.biasInitializer,
    embeddingsL2: c.l2,
    biasL2: c.biasL2,
    seed: createRng(c.seed).uint32(),
  });
  const y = layer.apply([user, movie]) as tf.SymbolicTensor;
  return tf.model({ inputs: [user, movie], outputs: y, name: c.kind.replace("-", "_") });
}
