/**
 * Private: find a model's embedding tables by name, whatever layer holds them.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";

/** Names of the user and movie tables, fused layer first, then the concat kinds' layers. */
export const USER_TABLE = ["user_factors", "user_embedding"];
/** See {@linkcode USER_TABLE}. */
export const MOVIE_TABLE = ["movie_factors", "movie_embedding"];

/** Finds a weight by its short name, or the weight of a one-weight layer by the layer's name. */
export function findTable(model: tf.LayersModel, names: string[]): tf.LayerVariable | undefined {
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const short = w.originalName.split("/").pop()!;
      if (names.includes(short)) return w;
      if (names.includes(layer.name) && layer.weights.length === 1) return w;
    }
  }
  return undefined;
}
