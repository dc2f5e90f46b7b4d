/**
 * Models written the way the notebooks write them: stock tfjs layers in a few lines, no
 * library builder, unseeded initializers (seeded by `setRandomSeed`) and names that follow no
 * convention, so that the library must find the tables from the graph.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/** Sizes of {@linkcode embeddingNet}. */
export interface NetSizes {
  users: number;
  movies: number;
  factors: number;
}

/**
 * Notebook 02's EmbeddingNet (a PyTorch `nn.Module`) as tfjs code: four tables, N(0, 1) as
 * PyTorch initialises them, dot product plus biases, sigmoid range 0–5.5.
 */
export function embeddingNet({ users, movies, factors }: NetSizes): tf.LayersModel {
  const user = tf.input({ shape: [1], dtype: "int32", name: "who" });
  const movie = tf.input({ shape: [1], dtype: "int32", name: "what" });
  const table = (rows: number, width: number, name: string) =>
    tf.layers.embedding({
      inputDim: rows,
      outputDim: width,
      embeddingsInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1 }),
      name,
    });
  const u = table(users, factors, "a").apply(user) as tf.SymbolicTensor;
  const m = table(movies, factors, "b").apply(movie) as tf.SymbolicTensor;
  const ub = table(users, 1, "c").apply(user) as tf.SymbolicTensor;
  const mb = table(movies, 1, "d").apply(movie) as tf.SymbolicTensor;
  const dot = tf.layers.dot({ axes: -1 }).apply([u, m]) as tf.SymbolicTensor;
  const z = tf.layers.flatten().apply(tf.layers.add().apply([dot, ub, mb])) as tf.SymbolicTensor;
  const p = tf.layers.activation({ activation: "sigmoid" }).apply(z);
  const out = tf.layers.rescaling({ scale: 5.5, offset: 0 }).apply(p) as tf.SymbolicTensor;
  return tf.model({ inputs: [user, movie], outputs: out });
}

/** A Keras-tutorial concat MLP: embeddings → flatten → concatenate → dropout → dense → 1. */
export function concatMlp({ users, movies, factors }: NetSizes): tf.LayersModel {
  const user = tf.input({ shape: [1], dtype: "int32" });
  const movie = tf.input({ shape: [1], dtype: "int32" });
  const flat = (t: tf.SymbolicTensor) => tf.layers.flatten().apply(t) as tf.SymbolicTensor;
  const u = flat(
    tf.layers.embedding({ inputDim: users, outputDim: factors }).apply(user) as tf.SymbolicTensor,
  );
  const m = flat(
    tf.layers.embedding({ inputDim: movies, outputDim: factors }).apply(movie) as tf.SymbolicTensor,
  );
  let x = tf.layers.concatenate().apply([u, m]) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 8, activation: "relu" }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: [user, movie], outputs: out });
}
