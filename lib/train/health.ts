/**
 * Whether a model can still be used: a model whose training diverged — its loss became NaN
 * or infinite because the weights had grown out of range — is marked by `fit`
 * ({@linkcode divergence}), and {@linkcode checkUsable} refuses such a model, or one whose
 * weights hold NaN or infinite values, with a {@linkcode DivergedModelError} that says what
 * happened and what to do. Predicting, recommending, saving and training call it, so a broken
 * model is never used silently.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import { describeNonFinite, type Divergence, divergenceOf, scanWeights, short } from "./_health.ts";

export type { Divergence } from "./_health.ts";

/** What to do with a broken model, at the end of every message about one. */
export const DIVERGED_ADVICE: string =
  "rebuild the model (buildModel, or the code that made it) and train it at a lower learning " +
  "rate, or load a saved copy";

/**
 * Raised when a model is used (predict, recommend, save, train) after its training diverged,
 * or while its weights hold NaN or infinite values.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { checkUsable, DivergedModelError } from "./health.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
 * model.setWeights([tf.tensor2d([[NaN]]), tf.tensor1d([0])]);
 * const e = assertThrows(() => checkUsable(model, "predict()"), DivergedModelError);
 * assertEquals(e.message.slice(0, 53), "predict(): the model's weights hold 1 NaN or infinite");
 * ```
 */
export class DivergedModelError extends RangeError {
  /** The mark `fit` left, or null when the weights are broken without one (set by hand, loaded). */
  readonly divergence: Divergence | null;

  /**
   * Creates the error.
   * @param divergence The mark, or null.
   * @param message Full message.
   */
  constructor(divergence: Divergence | null, message: string) {
    super(message);
    this.name = "DivergedModelError";
    this.divergence = divergence;
  }
}

/**
 * Where and why `fit` found that `model`'s training diverged (its weights are unusable), or
 * null. The mark is cleared when every weight is given a new value (`model.setWeights(…)`).
 *
 * @param model A model.
 * @returns The mark: epoch, batch, loss, learning rate and reason; or null.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { divergence } from "./health.ts";
 * import { assertEquals } from "@std/assert";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
 * assertEquals(divergence(model), null);
 * ```
 */
export function divergence(model: tf.LayersModel): Divergence | null {
  return divergenceOf(model);
}

/**
 * Throws a {@linkcode DivergedModelError} when `model` is marked as diverged or its weights
 * hold NaN or infinite values; the message names the caller, says what is wrong and what to do.
 * Checking costs one pass over the weights after they change, nothing otherwise.
 *
 * @param model A model.
 * @param where The caller, for the message (`"predictRatings()"`).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { checkUsable } from "./health.ts";
 * import { assertThrows } from "@std/assert";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
 * checkUsable(model, "predict()"); // fine: finite weights, no mark
 * model.setWeights([tf.tensor2d([[NaN]]), tf.tensor1d([0])]);
 * assertThrows(() => checkUsable(model, "predict()"), RangeError, "predict(): the model's weights");
 * ```
 */
export function checkUsable(model: tf.LayersModel, where: string): void {
  const mark = divergenceOf(model);
  if (mark?.beforeUpdate) {
    throw new DivergedModelError(
      mark,
      `${where}: this model's weights were already too large before its first training step ` +
        `(epoch ${mark.epoch}, batch ${mark.batch}): the loss became ${mark.loss}, and ` +
        `${mark.reason}. Its outputs would be NaN or meaningless. To go on, build it again ` +
        "with smaller initial weights, or load a saved copy",
    );
  }
  if (mark !== null) {
    throw new DivergedModelError(
      mark,
      `${where}: this model's training diverged in epoch ${mark.epoch}, batch ${mark.batch}${
        Number.isFinite(mark.learningRate) ? ` at learning rate ${short(mark.learningRate)}` : ""
      }: the loss became ${mark.loss}, and ${mark.reason}. Its outputs would be NaN or ` +
        `meaningless. To go on, ${DIVERGED_ADVICE}`,
    );
  }
  const scan = scanWeights(model);
  if (scan.nonFinite > 0) {
    throw new DivergedModelError(
      null,
      `${where}: the model's weights hold ${
        describeNonFinite(scan)
      }, so its outputs would be NaN. To go on, ${DIVERGED_ADVICE}`,
    );
  }
}

/**
 * The largest absolute value among `model`'s weights and the weight holding it (NaN and
 * infinite values left aside): a trained recommender's weights are rarely above 10, a diverged
 * one's can reach 1e30. Remembered until a weight changes.
 *
 * @param model A model.
 * @returns The value and the weight's name (`""` for a model without weights).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { largestWeight } from "./health.ts";
 * import { assertEquals } from "@std/assert";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
 * model.setWeights([tf.tensor2d([[-3]]), tf.tensor1d([1])]);
 * assertEquals(largestWeight(model).value, 3);
 * ```
 */
export function largestWeight(model: tf.LayersModel): { value: number; name: string } {
  const scan = scanWeights(model);
  return { value: scan.maxAbs, name: scan.maxAbsIn };
}
