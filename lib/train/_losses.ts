/**
 * Reads what `model.compile` set up (loss, metrics, optimizer) and turns it into the functions
 * the training loop calls. Mean squared and mean absolute error run as one fused kernel each
 * (`kernels/loss.ts`), giving the same numbers as tfjs' four-kernel versions; every other loss
 * or metric runs the compiled function itself.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { compiledState } from "../_tfjs_internals.ts";
import {
  binaryCrossentropyLoss,
  meanAbsoluteErrorLoss,
  meanSquaredErrorLoss,
} from "./kernels/loss.ts";

/** A loss or metric reduced to a scalar: `(yTrue, yPred) → mean over the batch`. */
export type ScalarFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/** The compiled loss and metrics of a model, ready for the loop. */
export interface Objective {
  /** Name of the loss as compiled (for messages). */
  lossName: string;
  /** The loss, averaged over the batch. */
  loss: ScalarFn;
  /** Whether the targets are class indices (sparse categorical cross-entropy). */
  sparseTargets: boolean;
  /** Metric names as Keras reports them (`mae`, `MAE`, `acc`, …). */
  metricNames: string[];
  /** One function per metric name. */
  metrics: ScalarFn[];
}

type LossOrMetricFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** Names of the mean squared error, lower-cased. */
export const MSE_NAMES: ReadonlySet<string> = new Set([
  "meansquarederror",
  "mean_squared_error",
  "mse",
]);
/** Names of the mean absolute error, lower-cased. */
export const MAE_NAMES: ReadonlySet<string> = new Set([
  "meanabsoluteerror",
  "mean_absolute_error",
  "mae",
]);
/** Names of the binary cross-entropy, lower-cased. */
export const BCE_NAMES: ReadonlySet<string> = new Set([
  "binarycrossentropy",
  "binary_crossentropy",
]);
/** Names of the sparse categorical cross-entropy, lower-cased. */
export const SPARSE_NAMES: ReadonlySet<string> = new Set([
  "sparsecategoricalcrossentropy",
  "sparse_categorical_crossentropy",
]);

// One fused kernel forward and one backward (see kernels/loss.ts); stock ops as fallback.
const mse: ScalarFn = meanSquaredErrorLoss;
const mae: ScalarFn = meanAbsoluteErrorLoss;
const bce: ScalarFn = binaryCrossentropyLoss;

function fast(name: string | undefined): ScalarFn | null {
  if (typeof name !== "string") return null;
  const key = name.toLowerCase();
  if (MSE_NAMES.has(key)) return mse;
  if (MAE_NAMES.has(key)) return mae;
  if (BCE_NAMES.has(key)) return bce;
  return null;
}

function reduced(fn: LossOrMetricFn): ScalarFn {
  return (y, p) => tf.mean(fn(y, p)) as tf.Scalar;
}

/**
 * Extracts the compiled loss and metrics of `model`.
 *
 * @param model A compiled single-output model.
 * @param caller Function name for error messages.
 * @returns The objective.
 */
export function compiledObjective(model: tf.LayersModel, caller: string): Objective {
  const m = compiledState(model);
  if (m === null || m.optimizer == null) {
    throw new TypeError(
      `${caller}(): expected a compiled model, found one without ${
        model.optimizer == null ? "an optimizer" : "a loss"
      }; call model.compile({ optimizer, loss, metrics }) first`,
    );
  }
  if (model.outputs.length !== 1) {
    throw new TypeError(
      `${caller}(): expected a model with one output, found ${model.outputs.length} outputs`,
    );
  }
  const rawLoss = Array.isArray(m.loss) ? m.loss[0] : m.loss;
  const lossName = typeof rawLoss === "string"
    ? rawLoss
    : (rawLoss as { name?: string } | undefined)?.name ?? "loss";
  const loss = fast(typeof rawLoss === "string" ? rawLoss : undefined) ??
    reduced(m.lossFunctions[0]);
  const names = m.metricsNames.slice(1);
  const pairs = m.metricsTensors;
  const metrics = names.map((name, i) => fast(name) ?? reduced(pairs[i][0]));
  return {
    lossName,
    loss,
    sparseTargets: typeof rawLoss === "string" && SPARSE_NAMES.has(rawLoss.toLowerCase()),
    metricNames: names,
    metrics,
  };
}
