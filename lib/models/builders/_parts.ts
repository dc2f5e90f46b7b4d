/**
 * Private: the pieces every builder is made of, each one stock tfjs layer or two, named the way
 * a Keras tutorial writes them: the two id inputs, an embedding looked up and flattened, a
 * dense layer, dropout, and the sigmoid range (`Activation('sigmoid')` then
 * `Lambda(x * (max − min) + min)`, here a `Rescaling` layer).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { makeInitializer, makeL2 } from "../_init.ts";
import type { InitializerSpec } from "../recommender.ts";

/** The sizes of a model's tables. */
export interface TableSizes {
  /** Rows of the user tables. */
  users: number;
  /** Rows of the movie tables. */
  movies: number;
  /** The hybrid's scaled metadata, `movies × columns` row-major. */
  metadata?: Float32Array;
}

/** How an embedding table is initialised and regularised. */
export interface EmbedOptions {
  /** Layer name. */
  name: string;
  /** Length of each row. */
  width: number;
  /** Initializer (its seed is `seed`). */
  init: InitializerSpec;
  /** Keras L2 coefficient on the whole table (0: none). */
  l2: number;
  /** Seed of the initializer. */
  seed: number;
}

/** The two int32 id inputs, `user` and `movie`, each `[batch, 1]`. */
export function idInputs(): [tf.SymbolicTensor, tf.SymbolicTensor] {
  return [
    tf.input({ shape: [1], dtype: "int32", name: "user" }),
    tf.input({ shape: [1], dtype: "int32", name: "movie" }),
  ];
}

/** `Flatten()(Embedding(rows, width)(ids))`: one row of the table per id, `[batch, width]`. */
export function embed(ids: tf.SymbolicTensor, rows: number, o: EmbedOptions): tf.SymbolicTensor {
  const table = tf.layers.embedding({
    name: o.name,
    inputDim: rows,
    outputDim: o.width,
    embeddingsInitializer: makeInitializer(o.init, o.seed),
    embeddingsRegularizer: makeL2(o.l2),
  });
  return tf.layers.flatten({ name: `${o.name}_flat` }).apply(table.apply(ids)) as tf.SymbolicTensor;
}

/** `Dense(units, activation)` with a seeded kernel initializer. */
export function dense(
  x: tf.SymbolicTensor,
  units: number,
  o: { name: string; activation: string; init: InitializerSpec; seed: number },
): tf.SymbolicTensor {
  return tf.layers.dense({
    name: o.name,
    units,
    activation: o.activation as "relu",
    kernelInitializer: makeInitializer(o.init, o.seed),
  }).apply(x) as tf.SymbolicTensor;
}

/** `Dropout(rate)`, or `x` itself when the rate is 0. */
export function withDropout(x: tf.SymbolicTensor, rate: number, name: string): tf.SymbolicTensor {
  return rate > 0 ? tf.layers.dropout({ rate, name }).apply(x) as tf.SymbolicTensor : x;
}

/** `sigmoid(x) · (high − low) + low`: an `Activation` and a `Rescaling` layer. */
export function sigmoidRange(x: tf.SymbolicTensor, [low, high]: [number, number]) {
  const p = tf.layers.activation({ activation: "sigmoid", name: "sigmoid" }).apply(x);
  return tf.layers.rescaling({ scale: high - low, offset: low, name: "rating_range" })
    .apply(p) as tf.SymbolicTensor;
}
