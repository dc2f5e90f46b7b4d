/**
 * The training engine: one call to set up a fast tfjs backend with the custom kernels
 * (`setupBackend`), a fused Adam usable from `model.compile` (`adam`, `FusedAdam`), a
 * Keras-style training loop (`fit`, `evaluate`, `predictOutputs`) with seeded shuffling,
 * validation, early stopping, best-weight restoring, a per-epoch history and one live progress
 * line, and a loop that trains embedding tables for ranking on implicit feedback (`fitRanking`, with a
 * catalogue softmax, BPR and a weighted squared loss).
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { adam, fit, setupBackend } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * await setupBackend();
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
 * model.compile({ optimizer: adam({ learningRate: 0.1 }), loss: "meanSquaredError" });
 * const x = tf.tensor2d([[0], [1], [2], [3]]), y = tf.tensor1d([1, 3, 5, 7]);
 * const history = await fit(model, { x, y }, { epochs: 20, batchSize: 4, verbose: 0 });
 * assertEquals(history.history.loss.length, 20);
 * ```
 *
 * @module
 */

export * from "./backend.ts";
export * from "./optimizer.ts";
export * from "./fit.ts";
export * from "./health.ts";
export * from "./fit_options.ts";
export * from "./progress.ts";
export * from "./schedule.ts";
export * from "./ranking.ts";
export * from "./ranking_losses.ts";
