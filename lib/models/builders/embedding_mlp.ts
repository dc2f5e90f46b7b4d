/**
 * The "embeddings → concatenate → dense stack" models, written with the stock layers a Keras
 * tutorial uses. One builder serves three kinds with different options (tutorial 01's NN, 03's
 * RecommenderNet, the lab's deep model and 05's DLRM are `mlp`/`dlrm`; the lab's home
 * assignment and 05's further thought are `classifier`, a softmax over the rating values);
 * the hybrid adds the movies' metadata to the concatenation.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { createRng, type Rng } from "../../random.ts";
import type { BuiltConfig } from "../recommender.ts";
import { dense, embed, idInputs, sigmoidRange, type TableSizes, withDropout } from "./_parts.ts";

/** User and movie embeddings, concatenated, then the input dropout. */
function concatEmbeddings(c: BuiltConfig, size: TableSizes, rng: Rng) {
  const [user, movie] = idInputs();
  const table = { width: c.factors, init: c.initializer, l2: c.l2 };
  const u = embed(user, size.users, { ...table, name: "user_embedding", seed: rng.uint32() });
  const m = embed(movie, size.movies, { ...table, name: "movie_embedding", seed: rng.uint32() });
  const x = tf.layers.concatenate({ name: "concat" }).apply([u, m]) as tf.SymbolicTensor;
  return { user, movie, x: withDropout(x, c.inputDropout, "input_dropout") };
}

/** The hidden dense layers, each followed by its dropout, then the output layer. */
function denseStack(x: tf.SymbolicTensor, c: BuiltConfig, rng: Rng): tf.SymbolicTensor {
  const init = c.kernelInitializer;
  c.hidden.forEach((units, i) => {
    const name = `hidden_${i + 1}`;
    x = dense(x, units, { name, activation: c.activation, init, seed: rng.uint32() });
    x = withDropout(x, c.dropout[i], `dropout_${i + 1}`);
  });
  const out = { name: "prediction", activation: c.outputActivation, init, seed: rng.uint32() };
  const y = dense(x, c.outputUnits, out);
  return c.yRange ? sigmoidRange(y, c.yRange) : y;
}

/** `mlp`, `dlrm`, `classifier`: embeddings → concatenate → dropout → dense stack. */
export function embeddingMlp(c: BuiltConfig, size: TableSizes): tf.LayersModel {
  const rng = createRng(c.seed);
  const { user, movie, x } = concatEmbeddings(c, size, rng);
  return tf.model({ inputs: [user, movie], outputs: denseStack(x, c, rng), name: c.kind });
}

/** `hybrid`: the same, with each movie's scaled metadata (a frozen table) in the concatenation. */
export function hybridModel(c: BuiltConfig, size: TableSizes): tf.LayersModel {
  const rng = createRng(c.seed);
  const { user, movie, x } = concatEmbeddings(c, size, rng);
  const width = c.metadata!.columns.length;
  const meta = tf.layers.embedding({
    name: "movie_metadata",
    inputDim: size.movies,
    outputDim: width,
    embeddingsInitializer: "zeros",
    trainable: false,
  });
  const metaRow = tf.layers.flatten({ name: "movie_metadata_flat" }).apply(meta.apply(movie));
  const values = tf.tensor2d(size.metadata!, [size.movies, width]);
  meta.setWeights([values]);
  values.dispose();
  const joined = tf.layers.concatenate({ name: "concat_metadata" })
    .apply([x, metaRow as tf.SymbolicTensor]) as tf.SymbolicTensor;
  return tf.model({ inputs: [user, movie], outputs: denseStack(joined, c, rng), name: c.kind });
}
