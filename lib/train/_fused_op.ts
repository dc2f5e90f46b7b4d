/**
 * Private: a scalar op computed in one JavaScript pass together with its gradient (the ranking
 * losses and the count-weighted L2 term), wrapped as a tfjs op with `tf.customGrad`.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";

/** What a fused op computes: its value, and its gradient given the output's gradient. */
export interface Fused {
  value: tf.Scalar;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/** `tf.customGrad` for a scalar function of tensors, typed as it is called. */
export function fusedOp(
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => Fused,
): (...inputs: tf.Tensor[]) => tf.Scalar {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) =>
    f(args.slice(0, -1) as tf.Tensor[], args[args.length - 1] as tf.GradSaveFunc)
  );
  return (...inputs) => op(...inputs) as tf.Scalar;
}

