/**
 * Freeing a {@linkcode Recommender}: the one way to give back everything a model holds — its
 * weights, its optimizer's state (Adam's moments, as many tensors again as the model has
 * trainable weights, twice) and the training kernels' saved contexts. `model.dispose()` alone
 * frees the weights only, and leaves the optimizer's tensors behind.
 *
 * @module
 */

import { releaseKernelContexts } from "./_engine.ts";
import { checkRecommenderShape, markFreed } from "./_usable.ts";
import type { Recommender } from "./recommender.ts";

/**
 * Frees everything a recommender owns: the model's weights, its optimizer's state and the
 * kernel contexts left by training. The recommender cannot be trained or used afterwards
 * (training, predicting or recommending with it is a `RangeError` saying it was freed); its
 * encoders, config and catalogue stay readable. Calling it again, or on a model already
 * disposed by hand, does nothing more.
 *
 * @param rec The recommender to free.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { disposeRecommender } from "./dispose.ts";
 * import { train } from "./train.ts";
 * import pl from "nodejs-polars";
 * const ratings = pl.DataFrame({ userId: [1, 2], movieId: [5, 5], rating: [4, 2] });
 * const before = tf.memory().numTensors;
 * const rec = buildModel("dot-bias", { users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([5]) });
 * await train(rec, ratings, { epochs: 1, verbose: 0 }); // Adam's moments are made here
 * disposeRecommender(rec);
 * assertEquals(tf.memory().numTensors, before);
 * ```
 */
export function disposeRecommender(rec: Recommender): void {
  checkRecommenderShape(
    rec,
    "disposeRecommender()",
    "pass the recommender that holds it (disposeRecommender(rec), not rec.model), or free a " +
      "model of your own with model.dispose() and its optimizer with model.optimizer.dispose()",
  );
  const model = rec.model;
  if (markFreed(model)) return;
  const optimizer = model.optimizer;
  try {
    model.dispose();
  } catch (e) {
    // Disposed by hand before: its weights are gone already; free the rest.
    if (!/already disposed/.test((e as Error).message)) throw e;
  }
  optimizer?.dispose();
  releaseKernelContexts();
}
