/**
 * A model's parameters as a table, the counterpart of Keras' `model.summary()`: one row per
 * weight (layer, weight, shape, trainable, count) and a total. The fused dot-bias layer holds
 * its four tables in one layer, so a per-weight table says more than a per-layer one.
 *
 * @module
 */

import pl from "nodejs-polars";
import type * as tf from "@tensorflow/tfjs";
import { describe } from "../_validate.ts";
import type { Recommender } from "./recommender.ts";
import { shapeText } from "./_shape.ts";

function isLayersModel(value: unknown): value is tf.LayersModel {
  return typeof value === "object" && value !== null &&
    Array.isArray((value as tf.LayersModel).weights) &&
    typeof (value as tf.LayersModel).countParams === "function";
}

/**
 * One row per weight of a model — layer, weight, shape (`"9,724 × 50"`), trainable and params —
 * then a `total` row with the number of parameters (`model.countParams()`). A weight is
 * trainable when both it and its layer are: the weights of a layer built with
 * `trainable: false` (a frozen lookup table, say) show `false`, as Keras' summary counts them
 * among the non-trainable parameters.
 *
 * @param model A recommender or a tfjs layers model.
 * @returns A DataFrame with columns layer, weight, shape, trainable, params.
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { parameterTable } from "./summary.ts";
 * import { assertEquals } from "@std/assert";
 * const rec = buildModel("dot-bias", {
 *   users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([10, 20, 30]), factors: 4,
 * });
 * const table = parameterTable(rec);
 * assertEquals(table.getColumn("params").toArray(), [8, 12, 2, 3, 25]);
 * ```
 */
export function parameterTable(model: Recommender | tf.LayersModel): pl.DataFrame {
  const m = isLayersModel(model)
    ? model
    : isLayersModel((model as Recommender | null)?.model)
    ? (model as Recommender).model
    : null;
  if (!m) {
    throw new TypeError(
      `parameterTable(): expected a recommender or a tfjs LayersModel, found ${describe(model)}`,
    );
  }
  const layer: string[] = [], weight: string[] = [], shape: string[] = [];
  const trainable: (boolean | null)[] = [], params: number[] = [];
  for (const l of m.layers) {
    for (const w of l.weights) {
      layer.push(l.name);
      weight.push(w.originalName.split("/").pop() ?? w.originalName);
      shape.push(shapeText(w.shape));
      // A frozen layer (`trainable: false`) leaves its variables' own flag true; it trains none.
      trainable.push(l.trainable && w.trainable);
      params.push(w.shape.reduce((a: number, b) => a * (b ?? 1), 1));
    }
  }
  layer.push("total");
  weight.push("");
  shape.push("");
  trainable.push(null);
  params.push(m.countParams());
  return pl.DataFrame([
    pl.Series("layer", layer, pl.Utf8),
    pl.Series("weight", weight, pl.Utf8),
    pl.Series("shape", shape, pl.Utf8),
    pl.Series("trainable", trainable, pl.Bool),
    pl.Series("params", params, pl.Int64),
  ]);
}
