/**
 * The options of {@linkcode fit}, `evaluate` and `predict` (in `fit.ts`): data, epochs and
 * batches, validation, learning rate or schedule, early stopping, best weights, progress.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import type { Verbosity } from "./progress.ts";
import type { StepSchedule } from "./schedule.ts";

/** Direction of improvement of a monitored figure (`"auto"`: maximise accuracies and AUCs). */
export type MonitorMode = "min" | "max" | "auto";

/** Inputs and targets. `x` is one tensor per model input; the first axis indexes samples. */
export interface FitData {
  /** Model inputs: one tensor, or one per input (e.g. `[users, movies]`). */
  x: tf.Tensor | tf.Tensor[];
  /** Targets: `[n]` or `[n, ...outputShape]` (class indices for sparse cross-entropy). */
  y: tf.Tensor;
}

/** Keras 3 `EarlyStopping` options. */
export interface EarlyStoppingOptions {
  /**
   * Key of the epoch logs to watch, e.g. `"val_loss"` or `"val_MAE"`.
   * @default {"val_loss"}
   */
  monitor?: string;
  /**
   * Epochs without improvement after which training stops.
   * @default {0}
   */
  patience?: number;
  /**
   * Smallest change of the monitored value that counts as an improvement.
   * @default {0}
   */
  minDelta?: number;
  /**
   * Whether lower (`"min"`) or higher (`"max"`) is better; `"auto"` maximises accuracies
   * and AUCs and minimises everything else.
   * @default {"auto"}
   */
  mode?: MonitorMode;
  /**
   * Put back the weights of the best epoch when training ends (stopped early or not).
   * @default {false}
   */
  restoreBestWeights?: boolean;
  /**
   * A value the monitored figure must beat before the patience counter resets, or `null`.
   * @default {null}
   */
  baseline?: number | null;
  /**
   * Epochs not monitored at the start (a warm-up): epochs 1 … `startFromEpoch`, counted
   * absolutely (as Keras' `start_from_epoch`).
   * @default {0}
   */
  startFromEpoch?: number;
}

/** Keep the weights of the best epoch (seed 003's `deepcopy(state_dict)` on improvement). */
export interface KeepBestWeightsOptions {
  /**
   * Key of the epoch logs that decides the best epoch.
   * @default {"val_loss"}
   */
  monitor?: string;
  /**
   * Whether lower or higher is better (`"auto"` as for early stopping).
   * @default {"auto"}
   */
  mode?: MonitorMode;
}

/** Options of `fit`. */
export interface FitOptions {
  /**
   * Epochs to run in this call.
   * @default {1}
   */
  epochs?: number;
  /**
   * Samples per gradient step.
   * @default {32}
   */
  batchSize?: number;
  /**
   * Shuffle the training samples at the start of every epoch (seeded).
   * @default {true}
   */
  shuffle?: boolean;
  /**
   * Seed of the shuffles and of the training noise of `Dropout`, `SpatialDropout1D`,
   * `GaussianNoise`, `GaussianDropout` and `AlphaDropout` layers (a new draw for each layer
   * every step, which replaces a `Dropout` layer's own seed during the run). The same seed,
   * model initialisation and data give identical weights and history.
   * @default {the seed of setRandomSeed(), else DEFAULT_SEED (42)}
   */
  seed?: number;
  /**
   * Validation samples, evaluated after every epoch (`val_loss`, `val_<metric>`).
   * @default {null}
   */
  validationData?: FitData | [tf.Tensor | tf.Tensor[], tf.Tensor] | null;
  /**
   * Fraction of the samples held out for validation: the LAST fraction, taken before any
   * shuffling, as Keras does. Cannot be combined with `validationData`.
   * @default {0}
   */
  validationSplit?: number;
  /**
   * Batch size of the validation pass (it only changes speed and memory).
   * @default {4096}
   */
  validationBatchSize?: number;
  /**
   * Learning rate to set on the optimizer before training, e.g. to continue at a lower rate
   * (seed 000). `null` keeps the optimizer's current rate.
   * @default {null}
   */
  learningRate?: number | null;
  /**
   * A learning rate for every step, set on the optimizer before the step (see `scheduleFrom`
   * in `schedule.ts`); cannot be combined with `learningRate`.
   * @default {null}
   */
  schedule?: StepSchedule | null;
  /**
   * Early stopping, or `null` for none; `true` means `{ monitor: "val_loss", patience: 0 }`.
   * @default {null}
   */
  earlyStopping?: EarlyStoppingOptions | boolean | null;
  /**
   * Restore the best epoch's weights at the end: `true` watches `val_loss`.
   * @default {false}
   */
  keepBestWeights?: KeepBestWeightsOptions | boolean;
  /**
   * Epochs already run (Keras' `initial_epoch`): this call's first epoch is `initialEpoch + 1`,
   * the shuffle stream continues where those epochs left it, and early stopping's
   * `startFromEpoch` counts from epoch 1. By default, the epochs `fit` has already run on this
   * model (`trainedEpochs`): training a trained model again continues, and says so.
   * @default {trainedEpochs(model)}
   */
  initialEpoch?: number;
  /**
   * Progress reporting (see {@linkcode Verbosity}): `"auto"` shows one live line in Jupyter
   * and terminals and stays silent in tests and pipes; `true` is 1 and `false` is 0.
   * @default {"auto"}
   */
  verbose?: Verbosity | boolean;
  /**
   * Called after every epoch with the absolute epoch (counted from 1) and its logs. Set
   * `model.stopTraining = true` inside it to stop.
   * @default {undefined}
   */
  onEpochEnd?: (epoch: number, logs: Record<string, number>) => void | Promise<void>;
  /**
   * Run a dot product of two embedding lookups written as stock layers (with biases and a
   * sigmoid range, when present) as the one fused dot-bias op, on the same weights: the
   * same results, several kernels fewer per step. `false` runs every layer as written.
   * @default {true}
   */
  fuse?: boolean;
}

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /**
   * Samples per forward pass (only changes speed and memory).
   * @default {4096}
   */
  batchSize?: number;
}

/** Options of `predict`. */
export interface PredictOptions {
  /**
   * Samples per forward pass (only changes speed and memory).
   * @default {4096}
   */
  batchSize?: number;
}
