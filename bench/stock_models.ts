/**
 * The bench's models written as the notebooks write them: stock tfjs layers, default
 * (unseeded) initializers — seeded by `setRandomSeed` — and `model.compile` as Keras does. The
 * engine has to recognise nothing: this is what `--stock` measures.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { adam } from "../lib/train/optimizer.ts";

/** The models the bench can write from stock layers. */
export type StockModel = "dot" | "dot-bias" | "mlp" | "dlrm";

/**
 * Notebook 02's EmbeddingNet (a PyTorch `nn.Module`): user and movie factors (and biases),
 * initialised N(0, 1) as PyTorch does, the dot product plus the biases through a sigmoid
 * scaled to 0–5.5; Adam with PyTorch's coupled weight decay.
 */
function embeddingNet(users: number, movies: number, biases: boolean): tf.LayersModel {
  const user = tf.input({ shape: [1], dtype: "int32", name: "user" });
  const movie = tf.input({ shape: [1], dtype: "int32", name: "movie" });
  const table = (rows: number, width: number) =>
    tf.layers.embedding({
      inputDim: rows,
      outputDim: width,
      embeddingsInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1 }),
    });
  const u = table(users, 50).apply(user) as tf.SymbolicTensor;
  const m = table(movies, 50).apply(movie) as tf.SymbolicTensor;
  let score = tf.layers.dot({ axes: -1 }).apply([u, m]) as tf.SymbolicTensor;
  if (biases) {
    const ub = table(users, 1).apply(user) as tf.SymbolicTensor;
    const mb = table(movies, 1).apply(movie) as tf.SymbolicTensor;
    score = tf.layers.add().apply([score, ub, mb]) as tf.SymbolicTensor;
  }
  const flat = tf.layers.flatten().apply(score);
  const unit = tf.layers.activation({ activation: "sigmoid" }).apply(flat);
  const rating = tf.layers.rescaling({ scale: 5.5, offset: 0 }).apply(unit) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [user, movie], outputs: rating });
  model.compile({
    optimizer: adam({ learningRate: 3e-3, weightDecay: 3e-4, decay: "l2", epsilon: 1e-8 }),
    loss: "meanSquaredError",
  });
  return model;
}

/**
 * A Keras functional concat MLP (seed 002's deep model, seed 004's DLRM): embeddings →
 * flatten → concatenate → [dropout] → dense relu layers → dense 1, compiled with
 * `tf.train.adam(1e-3)`.
 */
function concatMlp(
  users: number,
  movies: number,
  o: { factors: number; hidden: number[]; dropout: number; metrics: string[] },
): tf.LayersModel {
  const user = tf.input({ shape: [1], dtype: "int32", name: "user" });
  const movie = tf.input({ shape: [1], dtype: "int32", name: "movie" });
  const embed = (rows: number, input: tf.SymbolicTensor) =>
    tf.layers.flatten().apply(
      tf.layers.embedding({ inputDim: rows, outputDim: o.factors }).apply(input),
    ) as tf.SymbolicTensor;
  let x = tf.layers.concatenate().apply([embed(users, user), embed(movies, movie)]);
  if (o.dropout > 0) x = tf.layers.dropout({ rate: o.dropout }).apply(x);
  for (const units of o.hidden) {
    x = tf.layers.dense({ units, activation: "relu" }).apply(x);
    if (o.dropout > 0) x = tf.layers.dropout({ rate: o.dropout }).apply(x);
  }
  const out = tf.layers.dense({ units: 1 }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [user, movie], outputs: out });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError", metrics: o.metrics });
  return model;
}

/**
 * One of the bench's models from stock layers, compiled.
 *
 * @param kind Which model.
 * @param users Rows of the user tables.
 * @param movies Rows of the movie tables.
 * @returns The compiled model.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { stockModel } from "./stock_models.ts";
 * assertEquals(stockModel("dot-bias", 3, 4).countParams(), 3 * 50 + 4 * 50 + 3 + 4);
 * ```
 */
export function stockModel(kind: StockModel, users: number, movies: number): tf.LayersModel {
  switch (kind) {
    case "dot":
      return embeddingNet(users, movies, false);
    case "dot-bias":
      return embeddingNet(users, movies, true);
    case "mlp":
      return concatMlp(users, movies, { factors: 64, hidden: [64], dropout: 0.5, metrics: [] });
    case "dlrm":
      return concatMlp(users, movies, {
        factors: 8,
        hidden: [32, 4],
        dropout: 0,
        metrics: ["mae"],
      });
  }
}
