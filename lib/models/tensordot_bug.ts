/**
 * The keras.io collaborative-filtering example's model with its `tensordot` bug kept, as a
 * teaching fixture (seed 001, keras-io issue #397). Its score is
 *
 * `sigmoid(tensordot(U[users], M[movies], 2) + ub[user] + mb[movie])`
 *
 * and `tensordot(u, m, 2)` on two `[batch, factors]` tensors contracts BOTH axes: it is one
 * number per batch, `Σ_b u_b · m_b`, added to every row. A prediction therefore depends on the
 * other pairs in its batch, and within one batch the ranking of movies is decided by the
 * biases alone. The fixed model is the `bce` kind of {@linkcode buildModel} (a per-row dot).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { createRng } from "../random.ts";
import { buildModel, type ModelOptions } from "./build.ts";
import { compileModel } from "./compile.ts";
import { makeInitializer, makeL2 } from "./_init.ts";
import type { Recommender } from "./recommender.ts";

/**
 * `sigmoid(Σ_batch u·m + ub + mb)`: the buggy head of the keras.io model. Inputs
 * `[u [n, f], m [n, f], ub [n, 1], mb [n, 1]]`; output `[n, 1]`.
 */
export class BatchTensordot extends tf.layers.Layer {
  /** Name under which the class is registered for serialisation. */
  static className = "BatchTensordot";

  /** @param args Layer arguments (a name). */
  constructor(args: { name?: string } = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = inputShape as tf.Shape[];
    return [shapes[0][0], 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      if (list.length !== 4) {
        throw new TypeError(
          `BatchTensordot: expected 4 inputs [u, m, ub, mb], found ${list.length}`,
        );
      }
      const [u, m, ub, mb] = list;
      // tf.tensordot(u, m, 2) in the tutorial: the sum over the batch AND the factors.
      const batchSum = tf.sum(tf.mul(u, m));
      return tf.sigmoid(tf.add(tf.add(ub, mb), batchSum));
    });
  }
}
tf.serialization.registerClass(BatchTensordot);

/**
 * Builds the keras.io `RecommenderNetV2` with its bug: the same options, encoders, target
 * (ratings min-max scaled to 0–1) and compilation as `buildModel("bce", options)`, but the
 * graph of the tutorial (four `Embedding` layers and {@linkcode BatchTensordot}). Train, predict
 * and recommend with it as with any recommender; its predictions change with `batchSize`.
 * It is a fixture: `saveRecommender` would save the fixed graph's layout, so do not save it.
 *
 * @param options The `bce` model options (e.g. `recipes.seed001.netV2` and the ratings).
 * @returns The buggy recommender (kind `"bce"`, same parameter count as the fixed one).
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { buildTensordotBugModel } from "./tensordot_bug.ts";
 * import { predictRatings } from "./predict.ts";
 * const ratings = pl.DataFrame({ userId: [1, 1, 2], movieId: [7, 8, 7], rating: [1, 5, 3] });
 * const rec = buildTensordotBugModel({ ratings, factors: 4, initializer: "heNormal" });
 * const alone = predictRatings(rec, ratings, { batchSize: 1 });
 * const together = predictRatings(rec, ratings, { batchSize: 3 });
 * console.log(alone[0] !== together[0]); // true: the other rows of the batch matter
 * ```
 */
export function buildTensordotBugModel(options: ModelOptions = {}): Recommender {
  const rec = buildModel("bce", options);
  const { config } = rec;
  const rng = createRng(config.seed);
  const users = tf.input({ shape: [1], dtype: "int32", name: "user" });
  const movies = tf.input({ shape: [1], dtype: "int32", name: "movie" });
  const embed = (
    name: string,
    rows: number,
    width: number,
    input: tf.SymbolicTensor,
    init: typeof config.initializer,
    l2: number,
  ) =>
    tf.layers.flatten({ name: `${name}_flat` }).apply(
      tf.layers.embedding({
        name,
        inputDim: rows,
        outputDim: width,
        embeddingsInitializer: makeInitializer(init, rng.uint32()),
        embeddingsRegularizer: makeL2(l2),
      }).apply(input),
    ) as tf.SymbolicTensor;
  const u = embed(
    "user_embedding",
    rec.users.size,
    config.factors,
    users,
    config.initializer,
    config.l2,
  );
  const ub = embed("user_bias", rec.users.size, 1, users, config.biasInitializer, config.biasL2);
  const m = embed(
    "movie_embedding",
    rec.movies.size,
    config.factors,
    movies,
    config.initializer,
    config.l2,
  );
  const mb = embed("movie_bias", rec.movies.size, 1, movies, config.biasInitializer, config.biasL2);
  const output = new BatchTensordot({ name: "tensordot_sigmoid" }).apply([u, m, ub, mb]);
  rec.model.dispose();
  rec.model = tf.model({
    inputs: [users, movies],
    outputs: output as tf.SymbolicTensor,
    name: "recommender_net_v2_tensordot",
  });
  compileModel(rec);
  return rec;
}
