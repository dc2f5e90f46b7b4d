/**
 * What a compiled optimizer's settings are, as a recommender's config records them: the one
 * reading behind `syncConfig()` (compile.ts) and `compareModels()`' check of the update rule.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { FusedAdam } from "./_engine.ts";
import type { OptimizerSettings } from "./recommender.ts";

/**
 * The settings of a compiled optimizer, as a config records them.
 *
 * @param optimizer A tfjs optimizer.
 * @returns Its learning rate (NaN when it has none) and settings.
 */
export function settingsOf(
  optimizer: tf.Optimizer,
): { learningRate: number; settings: OptimizerSettings } {
  if (optimizer instanceof FusedAdam) {
    const { learningRate, beta1, beta2, epsilon, weightDecay, decay, epsilonHat } = optimizer;
    return { learningRate, settings: { weightDecay, decay, beta1, beta2, epsilon, epsilonHat } };
  }
  const config = optimizer.getConfig() as Record<string, unknown>;
  const learningRate = typeof config.learningRate === "number" ? config.learningRate : NaN;
  if (optimizer.getClassName() === "Adam") {
    // tf.train.adam: the fused Adam computes the same with ε added after the bias correction.
    const { beta1, beta2, epsilon } = config as Record<string, number>;
    return {
      learningRate,
      settings: { weightDecay: 0, decay: "none", beta1, beta2, epsilon, epsilonHat: false },
    };
  }
  return {
    learningRate,
    settings: {
      weightDecay: 0,
      decay: "none",
      stock: { className: optimizer.getClassName(), config },
    },
  };
}
