/**
 * The one place where recommenders are compiled, and where their config and their optimizer
 * are kept in step. The config owns the training settings — loss, metrics, optimizer, learning
 * rate and schedule — and {@linkcode compileModel} makes the model's optimizer from them;
 * a model compiled by hand (`model.compile({ optimizer: tf.train.adam(1e-3), … })`) has its
 * settings read back into the config ({@linkcode syncConfig}) before it trains or is saved.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { adam } from "./_engine.ts";
import { settingsOf } from "./_optimizer_settings.ts";
import { compiledState } from "../_tfjs_internals.ts";
import { checkLearningRate, checkOptionKeys, describe } from "../_validate.ts";
import type { DecayMode, LossName, Recommender, TrainingConfig } from "./recommender.ts";
import { checkRecommender } from "./_usable.ts";

const LOSS_ALIASES: Record<string, LossName> = {
  mse: "meanSquaredError",
  mae: "meanAbsoluteError",
  bce: "binaryCrossentropy",
  meanSquaredError: "meanSquaredError",
  meanAbsoluteError: "meanAbsoluteError",
  binaryCrossentropy: "binaryCrossentropy",
  sparseCategoricalCrossentropy: "sparseCategoricalCrossentropy",
};

/**
 * Normalises a loss name or alias; throws a `TypeError` listing the known ones.
 *
 * @param v A loss name (`mse`, `mae`, `bce` or a tfjs name).
 * @returns The tfjs name.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { lossName } from "./compile.ts";
 * assertEquals(lossName("mse"), "meanSquaredError");
 * ```
 */
export function lossName(v: unknown): LossName {
  const name = typeof v === "string" ? LOSS_ALIASES[v] : undefined;
  if (!name) {
    throw new TypeError(
      `unknown loss ${JSON.stringify(v)} (known: ${Object.keys(LOSS_ALIASES).join(", ")})`,
    );
  }
  return name;
}

/**
 * Metric names tfjs' `model.compile` knows (tfjs-layers' metrics map, and the accuracy and
 * cross-entropy aliases it resolves by the loss); any other name fails inside tfjs.
 */
const METRICS = [
  ...["mse", "MSE", "mae", "MAE", "mape", "MAPE", "cosine", "accuracy", "acc", "crossentropy"],
  ...["ce", "binaryAccuracy", "categoricalAccuracy", "precision", "categoricalCrossentropy"],
  "sparseCategoricalCrossentropy",
];

/**
 * Checks a list of metric names against those tfjs' `model.compile` knows.
 *
 * @param v The list.
 * @param where The caller, for the message (`"buildModel()"`).
 * @returns A copy of the list.
 * @throws {TypeError} When `v` is not an array, or naming the first unknown metric and its
 *   position, with the known names.
 * @example
 * ```ts
 * import { assertEquals, assertThrows } from "@std/assert";
 * import { metricNames } from "./compile.ts";
 * assertEquals(metricNames(["mae"], "f()"), ["mae"]);
 * assertThrows(() => metricNames(["rmse"], "f()"), TypeError, 'f(): unknown metric "rmse" in metrics[0]');
 * ```
 */
export function metricNames(v: unknown, where: string): string[] {
  if (!Array.isArray(v)) {
    throw new TypeError(`${where}: expected metrics to be an array of names, found ${describe(v)}`);
  }
  v.forEach((m, i) => {
    if (typeof m !== "string" || !METRICS.includes(m)) {
      throw new TypeError(
        `${where}: unknown metric ${typeof m === "string" ? JSON.stringify(m) : describe(m)} ` +
          `in metrics[${i}] (known: ${METRICS.join(", ")})`,
      );
    }
  });
  return [...v];
}

/**
 * Optimizers made from a config (or read into one), each with that config: their settings are
 * the config's. Another recommender wrapping the same model has its own config, which still
 * needs reading (a notebook cell that wraps a model and trains it, run twice).
 */
const inStep = new WeakMap<tf.Optimizer, object>();

/**
 * A new optimizer from a config's settings: the engine's fused Adam, or the stock tfjs
 * optimizer the config names.
 *
 * @param config The training settings.
 * @returns The optimizer, at the config's learning rate.
 */
export function optimizerFrom(config: TrainingConfig): tf.Optimizer {
  const { stock, weightDecay, decay, beta1, beta2, epsilon, epsilonHat } = config.optimizer;
  if (stock) {
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[stock.className];
    if (entry === undefined) {
      throw new TypeError(
        `compileModel(): unknown tfjs optimizer class "${stock.className}" in the config`,
      );
    }
    const conf = { ...stock.config, learningRate: config.learningRate };
    return entry[1](entry[0], conf as tf.serialization.ConfigDict) as tf.Optimizer;
  }
  const adamSettings = { weightDecay, decay, beta1, beta2, epsilon, epsilonHat };
  return adam({ ...adamSettings, learningRate: config.learningRate });
}

/**
 * Reads the model's compiled loss, metrics and optimizer into its config, when the optimizer
 * was not made from the config (a model compiled by hand, or recompiled): afterwards the
 * config describes what the model trains with.
 *
 * @param rec The recommender (compiled).
 * @param where Caller, for the error when the model is not compiled.
 * @returns The same recommender.
 */
export function syncConfig<R extends Recommender>(rec: R, where: string): R {
  const optimizer = rec.model.optimizer;
  const state = compiledState(rec.model);
  if (optimizer == null || state === null) {
    throw new TypeError(
      `${where}: expected a compiled model; call model.compile({ optimizer, loss }) first`,
    );
  }
  if (inStep.get(optimizer) === rec.config) return rec;
  const { learningRate, settings } = settingsOf(optimizer);
  const config = rec.config as TrainingConfig;
  if (Number.isFinite(learningRate)) config.learningRate = learningRate;
  config.optimizer = settings;
  const loss = Array.isArray(state.loss) ? state.loss[0] : state.loss;
  if (typeof loss === "string") config.loss = loss;
  config.metrics = state.metricsNames.slice(1);
  inStep.set(optimizer, config);
  return rec;
}

/**
 * Marks the model's current optimizer as in step with the config (after the training loop
 * replaced a compiled `tf.train.adam` by the equivalent fused Adam).
 *
 * @param rec The recommender.
 */
export function markInStep(rec: Recommender): void {
  if (rec.model.optimizer != null) inStep.set(rec.model.optimizer, rec.config);
}

/** Options of {@linkcode compileModel}: overrides written back to the config. */
export interface CompileOptions {
  /**
   * Loss (alias or tfjs name).
   * @default {config.loss}
   */
  loss?: LossName | "mse" | "mae" | "bce";
  /**
   * Metrics.
   * @default {config.metrics}
   */
  metrics?: string[];
  /**
   * Adam learning rate.
   * @default {config.learningRate}
   */
  learningRate?: number;
  /**
   * Weight decay and its mode.
   * @default {config.optimizer}
   */
  optimizer?: { weightDecay?: number; decay?: DecayMode };
}

/** Every option of {@linkcode compileModel} (the type makes the list complete). */
const COMPILE_OPTIONS: Record<keyof CompileOptions, true> = {
  loss: true,
  metrics: true,
  learningRate: true,
  optimizer: true,
};

/** Every setting of `compileModel()`'s `optimizer` option (the type makes the list complete). */
const COMPILE_OPTIMIZER_SETTINGS: Record<keyof NonNullable<CompileOptions["optimizer"]>, true> = {
  weightDecay: true,
  decay: true,
};

/**
 * Compiles a recommender's model from its config — the engine's Adam (or the stock optimizer a
 * custom model's config names), its loss and metrics: the one place where models are
 * compiled. Overrides are written back to `rec.config`. Recompiling starts a fresh optimizer
 * (new Adam moments) and frees the one it replaces, as `disposeRecommender()` would;
 * to lower the learning rate mid-course, pass `learningRate` to `train()`.
 *
 * @param rec The recommender.
 * @param options Loss, metrics, learning rate or weight decay to change.
 * @returns The same recommender.
 * @throws {TypeError} When `rec` is not a recommender, or an option is unknown.
 * @throws {RangeError} For a recommender freed by `disposeRecommender()`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { compileModel } from "./compile.ts";
 * const rec = buildModel("dot", { users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([5]) });
 * compileModel(rec, { loss: "mae", learningRate: 0.01 });
 * assertEquals([rec.config.loss, rec.config.learningRate], ["meanAbsoluteError", 0.01]);
 * ```
 */
export function compileModel<R extends Recommender>(rec: R, options: CompileOptions = {}): R {
  checkOptionKeys(options, Object.keys(COMPILE_OPTIONS), "compileModel()");
  checkRecommender(rec, "compileModel()");
  if (options.optimizer !== undefined) {
    const keys = Object.keys(COMPILE_OPTIMIZER_SETTINGS);
    checkOptionKeys(options.optimizer, keys, "compileModel()", "optimizer.");
  }
  const config = rec.config as TrainingConfig;
  if (options.loss !== undefined) config.loss = lossName(options.loss);
  if (options.metrics !== undefined) {
    config.metrics = metricNames(options.metrics, "compileModel()");
  }
  if (options.learningRate !== undefined) {
    config.learningRate = checkLearningRate(options.learningRate, "compileModel()");
  }
  if (options.optimizer !== undefined) {
    config.optimizer = {
      ...config.optimizer,
      weightDecay: options.optimizer.weightDecay ?? config.optimizer.weightDecay,
      decay: options.optimizer.decay ?? config.optimizer.decay,
    };
  }
  const optimizer = optimizerFrom(config);
  const replaced = rec.model.optimizer;
  rec.model.compile({ optimizer, loss: config.loss, metrics: config.metrics });
  inStep.set(optimizer, config);
  // tfjs' compile() drops the old optimizer without freeing its state (Adam's moments).
  if (replaced != null && replaced !== optimizer) replaced.dispose();
  return rec;
}
