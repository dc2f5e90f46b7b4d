/**
 * The keras.io collaborative-filtering example's model with its `tensordot` bug kept, as a
 * teaching fixture (notebook 03, keras-io issue #397). Its score is
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
import { embed, idInputs } from "./builders/_parts.ts";
import type { Recommender } from "./recommender.ts";

/**
 * `sigmoid(Σ_batch u·m + ub + mb)`: the buggy head of the keras.io model. Inputs
 * `[u [n, f], m [n, f], ub [n, 1], mb [n, 1]]`; output `[n, 1]`.
 */
export class BatchTensordot extends tf.layers.Layer {
  /** Name under which the class is registered for serialisation. */
  static className = "BatchTensordot";

  /**
   * Creates the layer.
   * @param args Layer arguments (a name).
   */
  constructor(args: { name?: string } = {}) {
    super(args);
  }

  /**
   * The output shape: one score per row of the batch.
   * @param inputShape The shapes of the four inputs.
   * @returns `[n, 1]`, `n` being the first input's batch dimension.
   */
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = inputShape as tf.Shape[];
    return [shapes[0][0], 1];
  }

  /**
   * The buggy score `sigmoid(Σ_batch u·m + ub + mb)`.
   * @param inputs `[u, m, ub, mb]`: user and movie factors `[n, f]`, user and movie biases
   *   `[n, 1]`.
   * @returns `[n, 1]`: each row's biases plus the one sum over the whole batch, squashed.
   * @throws {TypeError} Unless given four inputs.
   */
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
 * @param options The `bce` model options (e.g. `recipes.kerasCollaborativeFiltering.recommenderNetV2` and the ratings).
 * @returns The buggy recommender (kind `"bce"`, same parameter count as the fixed one).
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { buildTensordotBugModel } from "./tensordot_bug.ts";
 * import { predictRatings } from "./predict.ts";
 * import { assertNotEquals } from "@std/assert";
 * const ratings = pl.DataFrame({ userId: [1, 1, 2], movieId: [7, 8, 7], rating: [1, 5, 3] });
 * const rec = buildTensordotBugModel({ ratings, factors: 4, initializer: "heNormal" });
 * const alone = predictRatings(rec, ratings, { batchSize: 1 });
 * const together = predictRatings(rec, ratings, { batchSize: 3 });
 * assertNotEquals(alone[0], together[0]); // the other rows of the batch matter
 * ```
 */
export function buildTensordotBugModel(options: ModelOptions = {}): Recommender {
  const rec = buildModel("bce", options);
  const c = rec.config, rng = createRng(c.seed);
  const [user, movie] = idInputs();
  const factors = { width: c.factors, init: c.initializer, l2: c.l2 };
  const bias = { width: 1, init: c.biasInitializer, l2: c.biasL2 };
  const u = embed(user, rec.users.size, { ...factors, name: "user_embedding", seed: rng.uint32() });
  const ub = embed(user, rec.users.size, { ...bias, name: "user_bias", seed: rng.uint32() });
  const m = embed(movie, rec.movies.size, {
    ...factors,
    name: "movie_embedding",
    seed: rng.uint32(),
  });
  const mb = embed(movie, rec.movies.size, { ...bias, name: "movie_bias", seed: rng.uint32() });
  const output = new BatchTensordot({ name: "tensordot_sigmoid" }).apply([u, m, ub, mb]);
  rec.model.dispose();
  rec.model = tf.model({
    inputs: [user, movie],
    outputs: output as tf.SymbolicTensor,
    name: "recommender_net_v2_tensordot",
  });
  compileModel(rec);
  return rec;
}
