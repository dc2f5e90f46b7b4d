/**
 * Private: raw ids → model input tensors, and the batched forward pass that decodes outputs to
 * stars. Shared by training, prediction and recommendation.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { Recommender } from "./recommender.ts";
import { decodeOutput } from "./target.ts";
import { predictOutputs } from "./_engine.ts";
import { checkPositiveInt } from "../_validate.ts";

/** Index arrays → the two `int32 [n, 1]` input tensors. */
export function inputTensors(users: Int32Array, movies: Int32Array): [tf.Tensor2D, tf.Tensor2D] {
  return [
    tf.tensor2d(users, [users.length, 1], "int32"),
    tf.tensor2d(movies, [movies.length, 1], "int32"),
  ];
}

/** Forward pass over index pairs in batches; returns predictions in stars. */
export function scoreIndices(
  rec: Recommender,
  users: Int32Array,
  movies: Int32Array,
  batchSize: number,
): Float32Array {
  const x = inputTensors(users, movies);
  try {
    const raw = predictOutputs(rec.model, x, { batchSize });
    return decodeOutput(rec.config.target, raw, rec.config.outputUnits);
  } finally {
    tf.dispose(x);
  }
}

/** Checks a batch size option. */
export function batchSizeOption(v: unknown, where: string): number {
  return checkPositiveInt(v, "batchSize", where);
}
