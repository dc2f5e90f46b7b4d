/**
 * Models written the way the notebooks write them: stock tfjs layers in a few lines, no
 * library builder, unseeded initializers (seeded by `setRandomSeed`) and names that follow no
 * convention, so that the library must find the tables from the graph.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/** Keras' default dense kernel initializer, which the notebooks set (tfjs' own is Glorot-normal). */
const KERAS_DENSE = { kernelInitializer: "glorotUniform" } as const;

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

/** The Keras 2 tutorials' layers in a few short helpers, as a notebook cell would write them. */
const idInput = () => tf.input({ shape: [1], dtype: "int32" });
const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) =>
  layer.apply(x) as tf.SymbolicTensor;
const l2 = (l2: number) => tf.regularizers.l2({ l2 });

/** Notebook 01's model A (Keras 2): `Y = dot([U, V], axes=-1)`, then `Flatten()`; L2 1e-4. */
export function kerasMf({ users, movies, factors }: NetSizes): tf.LayersModel {
  const user = idInput(), movie = idInput();
  const table = (inputDim: number) =>
    tf.layers.embedding({ inputDim, outputDim: factors, embeddingsRegularizer: l2(1e-4) });
  const U = apply(table(users), user);
  const V = apply(table(movies), movie);
  const Y = apply(tf.layers.flatten(), apply(tf.layers.dot({ axes: -1 }), [U, V]));
  return tf.model({ inputs: [user, movie], outputs: Y });
}

/** Notebook 01's model B: model A plus `Flatten()(Embedding(n, 1))` biases (no L2), `add`. */
export function kerasBiasedMf({ users, movies, factors }: NetSizes): tf.LayersModel {
  const user = idInput(), movie = idInput();
  const table = (inputDim: number) =>
    tf.layers.embedding({ inputDim, outputDim: factors, embeddingsRegularizer: l2(1e-4) });
  const U = apply(table(users), user);
  const V = apply(table(movies), movie);
  const Y = apply(tf.layers.flatten(), apply(tf.layers.dot({ axes: -1 }), [U, V]));
  const ub = apply(
    tf.layers.flatten(),
    apply(tf.layers.embedding({ inputDim: users, outputDim: 1 }), user),
  );
  const mb = apply(
    tf.layers.flatten(),
    apply(tf.layers.embedding({ inputDim: movies, outputDim: 1 }), movie),
  );
  return tf.model({ inputs: [user, movie], outputs: apply(tf.layers.add(), [Y, ub, mb]) });
}

/** Notebook 03's RecommenderV2: `Reshape`d he_normal tables, `Dot(axes=1)`, `Add`, sigmoid, scaling. */
export function recommenderV2(
  { users, movies, factors }: NetSizes,
  [min, max]: [number, number],
): tf.LayersModel {
  const table = (input: tf.SymbolicTensor, rows: number, width: number) =>
    apply(
      tf.layers.reshape({ targetShape: [width] }),
      apply(
        tf.layers.embedding({
          inputDim: rows,
          outputDim: width,
          embeddingsInitializer: "heNormal",
          embeddingsRegularizer: l2(1e-6),
        }),
        input,
      ),
    );
  const user = idInput(), movie = idInput();
  const u = table(user, users, factors), ub = table(user, users, 1);
  const m = table(movie, movies, factors), mb = table(movie, movies, 1);
  let x = apply(tf.layers.dot({ axes: 1 }), [u, m]);
  x = apply(tf.layers.add(), [x, ub, mb]);
  x = apply(tf.layers.activation({ activation: "sigmoid" }), x);
  x = apply(tf.layers.rescaling({ scale: max - min, offset: min }), x);
  return tf.model({ inputs: [user, movie], outputs: x });
}

/**
 * Notebook 03's keras.io RecommenderNetV2 with a per-row dot: `sigmoid(dot + ub + mb)`; L2 1e-6
 * on the factor tables only.
 */
export function recommenderNetV2({ users, movies, factors }: NetSizes): tf.LayersModel {
  const user = idInput(), movie = idInput();
  const embed = (input: tf.SymbolicTensor, rows: number, width: number) =>
    apply(
      tf.layers.flatten(),
      apply(
        tf.layers.embedding({
          inputDim: rows,
          outputDim: width,
          embeddingsInitializer: width > 1 ? "heNormal" : undefined, // biases: ±0.05 uniform
          embeddingsRegularizer: width > 1 ? l2(1e-6) : undefined,
        }),
        input,
      ),
    );
  const dot = apply(tf.layers.dot({ axes: 1 }), [
    embed(user, users, factors),
    embed(movie, movies, factors),
  ]);
  const x = apply(tf.layers.add(), [dot, embed(user, users, 1), embed(movie, movies, 1)]);
  return tf.model({
    inputs: [user, movie],
    outputs: apply(tf.layers.activation({ activation: "sigmoid" }), x),
  });
}

/**
 * Notebook 01's model C (Keras 2): `concatenate([U, V])` of L2 1e-4 tables, `Flatten`, dropout,
 * dense 70, dense 1.
 */
export function kerasNn({ users, movies, factors }: NetSizes): tf.LayersModel {
  const user = idInput(), movie = idInput();
  const table = (inputDim: number) =>
    tf.layers.embedding({ inputDim, outputDim: factors, embeddingsRegularizer: l2(1e-4) });
  const U = apply(table(users), user);
  const V = apply(table(movies), movie);
  let Y = apply(tf.layers.flatten(), apply(tf.layers.concatenate(), [U, V]));
  Y = apply(tf.layers.dropout({ rate: 0.3 }), Y);
  Y = apply(tf.layers.dense({ units: 70, activation: "relu", ...KERAS_DENSE }), Y);
  Y = apply(tf.layers.dropout({ rate: 0.75 }), Y);
  return tf.model({
    inputs: [user, movie],
    outputs: apply(tf.layers.dense({ units: 1, ...KERAS_DENSE }), Y),
  });
}

/**
 * Notebook 03's RecommenderNet: L2 1e-6 tables, dense and `Activation` layers apart, sigmoid
 * range at the end.
 */
export function recommenderNet(
  { users, movies, factors }: NetSizes,
  [min, max]: [number, number],
): tf.LayersModel {
  const user = idInput(), movie = idInput();
  const embed = (input: tf.SymbolicTensor, rows: number) =>
    apply(
      tf.layers.reshape({ targetShape: [factors] }),
      apply(
        tf.layers.embedding({
          inputDim: rows,
          outputDim: factors,
          embeddingsInitializer: "heNormal",
          embeddingsRegularizer: l2(1e-6),
        }),
        input,
      ),
    );
  let x = apply(tf.layers.concatenate(), [embed(user, users), embed(movie, movies)]);
  x = apply(tf.layers.dropout({ rate: 0.05 }), x);
  x = apply(tf.layers.dense({ units: 10, kernelInitializer: "heNormal" }), x);
  x = apply(tf.layers.activation({ activation: "relu" }), x);
  x = apply(tf.layers.dropout({ rate: 0.5 }), x);
  x = apply(tf.layers.dense({ units: 1, kernelInitializer: "heNormal" }), x);
  x = apply(tf.layers.activation({ activation: "sigmoid" }), x);
  x = apply(tf.layers.rescaling({ scale: max - min, offset: min }), x);
  return tf.model({ inputs: [user, movie], outputs: x });
}

/** Notebook 05's DLRM README: 8-d embeddings → concatenate → dense 32 → dense 4 → dense 1. */
export function dlrmMlp({ users, movies, factors }: NetSizes): tf.LayersModel {
  const user = idInput(), movie = idInput();
  const embed = (input: tf.SymbolicTensor, rows: number) =>
    apply(
      tf.layers.flatten(),
      apply(tf.layers.embedding({ inputDim: rows, outputDim: factors }), input),
    );
  let x = apply(tf.layers.concatenate(), [embed(user, users), embed(movie, movies)]);
  x = apply(tf.layers.dense({ units: 32, activation: "relu", ...KERAS_DENSE }), x);
  x = apply(tf.layers.dense({ units: 4, activation: "relu", ...KERAS_DENSE }), x);
  return tf.model({
    inputs: [user, movie],
    outputs: apply(tf.layers.dense({ units: 1, ...KERAS_DENSE }), x),
  });
}

/**
 * Notebook 04's rating classifier, as the lab's reference solution file builds it: embeddings →
 * concat → dropout 0.5 → dense 128 → dropout 0.2 → dense 128 → softmax.
 */
export function ratingClassifier(
  { users, movies, factors }: NetSizes,
  classes: number,
): tf.LayersModel {
  const user = idInput(), movie = idInput();
  const embed = (input: tf.SymbolicTensor, rows: number) =>
    apply(
      tf.layers.flatten(),
      apply(tf.layers.embedding({ inputDim: rows, outputDim: factors }), input),
    );
  let x = apply(tf.layers.concatenate(), [embed(user, users), embed(movie, movies)]);
  x = apply(tf.layers.dropout({ rate: 0.5 }), x);
  x = apply(tf.layers.dense({ units: 128, activation: "relu", ...KERAS_DENSE }), x);
  x = apply(tf.layers.dropout({ rate: 0.2 }), x);
  x = apply(tf.layers.dense({ units: 128, activation: "relu", ...KERAS_DENSE }), x);
  const out = apply(tf.layers.dense({ units: classes, activation: "softmax", ...KERAS_DENSE }), x);
  return tf.model({ inputs: [user, movie], outputs: out });
}

/**
 * Notebook 04's HybridModel as a functional model: each movie's metadata is a frozen table
 * looked up by the movie id, concatenated after the embeddings' dropout (stock layers, not
 * lib/models' `hybridModel()` builder).
 */
export function notebookHybridModel(
  { users, movies, factors }: NetSizes,
  metadata: tf.Tensor2D,
): tf.LayersModel {
  const user = idInput(), movie = idInput();
  const embed = (input: tf.SymbolicTensor, rows: number) =>
    apply(
      tf.layers.flatten(),
      apply(tf.layers.embedding({ inputDim: rows, outputDim: factors }), input),
    );
  let x = apply(tf.layers.concatenate(), [embed(user, users), embed(movie, movies)]);
  x = apply(tf.layers.dropout({ rate: 0.3 }), x);
  const table = tf.layers.embedding({
    inputDim: movies,
    outputDim: metadata.shape[1],
    weights: [metadata],
    trainable: false,
  });
  x = apply(tf.layers.concatenate(), [x, apply(tf.layers.flatten(), apply(table, movie))]);
  for (const rate of [0.3, 0.3]) {
    x = apply(
      tf.layers.dropout({ rate }),
      apply(tf.layers.dense({ units: 64, activation: "relu", ...KERAS_DENSE }), x),
    );
  }
  return tf.model({
    inputs: [user, movie],
    outputs: apply(tf.layers.dense({ units: 1, ...KERAS_DENSE }), x),
  });
}
