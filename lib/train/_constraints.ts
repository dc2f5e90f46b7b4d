/**
 * Keras-style weight constraints (`kernelConstraint: tf.constraints.maxNorm(…)`,
 * `embeddingsConstraint: tf.constraints.nonNeg()`, …). Keras projects every constrained weight
 * after each optimizer update. tfjs' own `model.fit` never does — its optimizers update the
 * variables directly, and only `LayerVariable.write` applies a constraint — so a constraint
 * written in a notebook would change nothing. The training loop applies them after each update,
 * as Keras does.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/** A weight with its constraint. */
export interface ConstrainedWeight {
  /** The variable the optimizer updates. */
  variable: tf.Variable;
  /** The projection applied after each update (`apply(w)` returns the projected weight). */
  constraint: { apply(w: tf.Tensor): tf.Tensor };
}

/**
 * The trainable weights of `model` that carry a constraint.
 *
 * @param model The model.
 * @returns One entry per constrained trainable weight (empty for most models).
 */
export function collectConstraints(model: tf.LayersModel): ConstrainedWeight[] {
  const out: ConstrainedWeight[] = [];
  for (const w of model.trainableWeights) {
    const constraint = (w as unknown as { constraint?: ConstrainedWeight["constraint"] | null })
      .constraint;
    if (constraint != null) out.push({ variable: w.read() as tf.Variable, constraint });
  }
  return out;
}

/**
 * Projects each weight with its constraint (after an optimizer update).
 *
 * @param weights The constrained weights.
 */
export function applyConstraints(weights: ConstrainedWeight[]): void {
  for (const { variable, constraint } of weights) {
    tf.tidy(() => variable.assign(constraint.apply(variable)));
  }
}
