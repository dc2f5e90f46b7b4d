/**
 * The training loop: {@linkcode fit}, {@linkcode evaluate} and {@linkcode predict} for a
 * compiled tfjs layers model, as Keras' `model.fit` / `evaluate` / `predict` behave, but
 * fast enough to train the tutorials' recommenders in seconds.
 *
 * `fit` reads the compiled loss, metrics and optimizer, and runs its own loop instead of
 * `model.fit`: the data are read into typed arrays once, every batch becomes a few small
 * tensors, the forward pass calls the layers directly, and the fused Adam of
 * `lib/train/optimizer.ts` folds the Keras L2 penalties into its update. It adds what the
 * tutorials need: a seeded shuffle per epoch, Keras' validation split, a learning-rate
 * change between calls, early stopping and "keep the best weights", a history with seconds
 * per epoch, an error naming the batch where the loss stopped being finite, and one live
 * progress line.
 *
 * Numbers follow Keras: `loss` and `val_loss` include the weight penalties
 * (`embeddings_regularizer=l2(λ)` and the like); metrics such as `mse` and `mae` do not.
 *
 * @module
 */

import process from "node:process";
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_SEED } from "../defaults.ts";
import { createRng, type Rng } from "../random.ts";
import { batchTensors, type Columns, permuteColumns, splitColumns, toColumns } from "./_batches.ts";
import { type ForwardPlan, planForward, runForward } from "./_graph.ts";
import { compiledObjective, type Objective } from "./_losses.ts";
import {
  BestTracker,
  EarlyStopper,
  type MonitorMode,
  resolveMode,
  restoreWeights,
} from "./_monitor.ts";
import { collectPenalties, penaltyTensor, type PenaltyTerm } from "./_penalties.ts";
import { formatDuration, formatValue, trainingProgress, type Verbosity } from "./progress.ts";

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
   * Absolute epoch before which nothing is monitored (a warm-up).
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

/** Options of {@linkcode fit}. */
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
   * Seed of the shuffles and of stock `Dropout` masks. The same seed, model initialisation
   * and data give identical weights and history.
   * @default {DEFAULT_SEED (42)}
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
   * Number of epochs already run by earlier calls: history epochs are numbered from it and
   * the shuffle stream continues instead of repeating.
   * @default {0}
   */
  initialEpoch?: number;
  /**
   * Progress reporting (see {@linkcode Verbosity}): `"auto"` shows one live line in Jupyter
   * and terminals and stays silent in tests and pipes; `true` is 1 and `false` is 0.
   * @default {"auto"}
   */
  verbose?: Verbosity | boolean;
  /**
   * Called after every epoch with the absolute epoch index and its logs. Set
   * `model.stopTraining = true` inside it to stop.
   * @default {undefined}
   */
  onEpochEnd?: (epoch: number, logs: Record<string, number>) => void | Promise<void>;
}

/** What {@linkcode fit} returns: Keras' `History` plus timings and the best epoch. */
export interface History {
  /** Absolute epoch index of every entry (0-based, offset by `initialEpoch`). */
  epoch: number[];
  /** Per-epoch figures: `loss`, metrics, `val_loss`, `val_<metric>`. */
  history: Record<string, number[]>;
  /** Wall-clock seconds of every epoch, validation included. */
  seconds: number[];
  /** Seconds of every epoch's training steps alone (what samples/s is measured on). */
  trainSeconds: number[];
  /**
   * CPU seconds this process spent on every epoch's training steps (all its threads): unlike
   * wall time, hardly affected by other programs competing for the CPU.
   */
  trainCpuSeconds: number[];
  /** Learning rate used in every epoch. */
  learningRate: number[];
  /** Key that decided the best epoch (`keepBestWeights` first, then `earlyStopping`), or null. */
  monitor: string | null;
  /** Absolute epoch with the best monitored value, or `null` without a monitor. */
  bestEpoch: number | null;
  /** The best monitored value, or `null`. */
  bestValue: number | null;
  /** Absolute epoch at which early stopping ended training, or `null` if it ran to the end. */
  stoppedEpoch: number | null;
  /** Whether the model now holds the best epoch's weights (restored at the end). */
  restoredBestWeights: boolean;
  /** Sizes of the run. */
  params: {
    epochs: number;
    batchSize: number;
    samples: number;
    validationSamples: number;
    stepsPerEpoch: number;
  };
}

/** Options of {@linkcode evaluate}. */
export interface EvaluateOptions {
  /**
   * Samples per forward pass (only changes speed and memory).
   * @default {4096}
   */
  batchSize?: number;
}

/** Options of {@linkcode predict}. */
export interface PredictOptions {
  /**
   * Samples per forward pass (only changes speed and memory).
   * @default {4096}
   */
  batchSize?: number;
}

/**
 * Raised by {@linkcode fit} when the training loss becomes NaN or infinite; the weights are
 * left as they were before that batch.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fit, NonFiniteLossError } from "./fit.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
 * model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
 * const x = tf.ones([4, 1]), y = tf.tensor1d([1, NaN, 1, 1]);
 * try {
 *   await fit(model, { x, y }, { batchSize: 2, shuffle: false, verbose: 0 });
 * } catch (e) {
 *   if (!(e instanceof NonFiniteLossError) || e.batch !== 1) throw e;
 *   console.log(e.message.slice(0, 41)); // fit(): the loss became NaN in epoch 1/1
 * }
 * ```
 */
export class NonFiniteLossError extends RangeError {
  /** 1-based absolute epoch (as in "epoch 3/10"). */
  readonly epoch: number;
  /** 1-based batch within the epoch. */
  readonly batch: number;
  /** The loss value found (NaN or ±Infinity). */
  readonly loss: number;

  /**
   * @param epoch 1-based absolute epoch.
   * @param batch 1-based batch.
   * @param loss The non-finite loss.
   * @param message Full message.
   */
  constructor(epoch: number, batch: number, loss: number, message: string) {
    super(message);
    this.name = "NonFiniteLossError";
    this.epoch = epoch;
    this.batch = batch;
    this.loss = loss;
  }
}

interface Optimizerish {
  learningRate?: unknown;
  setLearningRate?: (lr: number) => void;
  setPenalties?: (map: Map<string, number>) => void;
  lastPenalty?: () => number;
  applyGradients(grads: tf.NamedTensorMap): void;
  getClassName?: () => string;
}

interface Prepared {
  objective: Objective;
  plan: ForwardPlan;
  inputDtypes: Array<"float32" | "int32">;
  outputShape: number[];
}

const plans = new WeakMap<tf.LayersModel, ForwardPlan>();

function prepare(model: tf.LayersModel, caller: string, needLoss: boolean): Prepared {
  if (!(model instanceof tf.LayersModel)) {
    throw new TypeError(`${caller}(): expected a tf.LayersModel, found ${describe(model)}`);
  }
  const objective = needLoss ? compiledObjective(model, caller) : null as unknown as Objective;
  let plan = plans.get(model);
  if (!plan) {
    plan = planForward(model);
    plans.set(model, plan);
  }
  const inputDtypes = model.inputs.map((t) => (t.dtype === "int32" ? "int32" : "float32")) as Array<
    "float32" | "int32"
  >;
  const outputShape = model.outputs[0].shape.slice(1).map((d) => d ?? -1);
  return { objective, plan, inputDtypes, outputShape };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "object") return (v as object).constructor?.name ?? "an object";
  return `${typeof v} ${String(v)}`;
}

function toList(x: tf.Tensor | tf.Tensor[], caller: string, what: string): tf.Tensor[] {
  const list = Array.isArray(x) ? x : [x];
  list.forEach((t, i) => {
    if (!(t instanceof tf.Tensor)) {
      throw new TypeError(
        `${caller}(): expected ${what}[${i}] to be a tf.Tensor, found ${describe(t)}`,
      );
    }
    if (t.isDisposed) throw new TypeError(`${caller}(): ${what}[${i}] is disposed`);
  });
  return list;
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Checks x against the model's inputs and returns their columns. */
function inputColumns(
  model: tf.LayersModel,
  prep: Prepared,
  x: tf.Tensor | tf.Tensor[],
  caller: string,
  what: string,
): Columns {
  const xs = toList(x, caller, what);
  if (xs.length !== model.inputs.length) {
    throw new RangeError(
      `${caller}(): the model has ${model.inputs.length} input(s) (${
        model.inputs.map((t) => t.name).join(", ")
      }), found ${xs.length} tensor(s) in ${what}`,
    );
  }
  const n = xs[0].shape[0];
  xs.forEach((t, i) => {
    if (t.rank === 0 || t.shape[0] !== n) {
      throw new RangeError(
        `${caller}(): expected every tensor of ${what} to have ${n} samples on axis 0, found shape [${t.shape}] for ${what}[${i}]`,
      );
    }
    const want = model.inputs[i].shape.slice(1);
    const got = t.shape.slice(1);
    const wantSize = product(want.map((d) => d ?? 1));
    const fixed = want.every((d) => d !== null);
    if (fixed && product(got) !== wantSize) {
      throw new RangeError(
        `${caller}(): model input "${
          model.inputs[i].name
        }" expects samples of shape [${want}], found [${got}] in ${what}[${i}]`,
      );
    }
  });
  const shapes = xs.map((t, i) => {
    const want = model.inputs[i].shape.slice(1);
    return want.every((d) => d !== null) ? want as number[] : t.shape.slice(1);
  });
  return toColumns(xs, prep.inputDtypes, shapes);
}

/** Checks y against the model's output and returns its column. */
function targetColumn(
  prep: Prepared,
  y: tf.Tensor,
  n: number,
  caller: string,
  what: string,
): Columns {
  if (!(y instanceof tf.Tensor)) {
    throw new TypeError(`${caller}(): expected ${what} to be a tf.Tensor, found ${describe(y)}`);
  }
  if (y.isDisposed) throw new TypeError(`${caller}(): ${what} is disposed`);
  if (y.rank === 0 || y.shape[0] !== n) {
    throw new RangeError(
      `${caller}(): expected ${what} to have ${n} samples on axis 0 like x, found shape [${y.shape}]`,
    );
  }
  const per = product(y.shape.slice(1));
  const out = prep.outputShape;
  let shape: number[];
  if (prep.objective.sparseTargets) {
    if (per !== 1) {
      throw new RangeError(
        `${caller}(): sparse categorical cross-entropy expects one class index per sample, found samples of shape [${
          y.shape.slice(1)
        }] in ${what}`,
      );
    }
    shape = [1];
  } else if (out.every((d) => d > 0) && per === product(out)) {
    shape = out;
  } else {
    throw new RangeError(
      `${caller}(): the model outputs samples of shape [${out}], found targets of shape [${
        y.shape.slice(1)
      }] in ${what}`,
    );
  }
  return toColumns([y], ["float32"], [shape]);
}

function checkInt(caller: string, name: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new RangeError(`${caller}(): expected ${name} to be an integer >= ${min}, found ${v}`);
  }
  return v;
}

function getLearningRate(opt: Optimizerish): number {
  return typeof opt.learningRate === "number" ? opt.learningRate : NaN;
}

function setLearningRate(opt: Optimizerish, lr: number): void {
  if (typeof opt.setLearningRate === "function") opt.setLearningRate(lr);
  else if (typeof opt.learningRate === "number") opt.learningRate = lr;
  else {
    throw new TypeError(
      `fit(): cannot change the learning rate of optimizer ${
        opt.getClassName?.() ?? describe(opt)
      }`,
    );
  }
}

/** Running sums over one pass, weighted by batch size. */
class Accumulator {
  sums: Float64Array;
  count = 0;
  constructor(readonly names: string[]) {
    this.sums = new Float64Array(names.length);
  }
  add(values: number[], n: number) {
    for (let i = 0; i < values.length; i++) this.sums[i] += values[i] * n;
    this.count += n;
  }
  means(prefix = ""): Record<string, number> {
    const out: Record<string, number> = {};
    this.names.forEach((name, i) => (out[prefix + name] = this.sums[i] / this.count));
    return out;
  }
}

/** Loss (data + penalty) and metrics over a data set, in inference mode. */
function evaluateColumns(
  model: tf.LayersModel,
  prep: Prepared,
  xcols: Columns,
  ycols: Columns,
  batchSize: number,
  terms: PenaltyTerm[],
): Record<string, number> {
  const { objective, plan } = prep;
  const acc = new Accumulator(["loss", ...objective.metricNames]);
  for (let start = 0; start < xcols.n; start += batchSize) {
    const end = Math.min(xcols.n, start + batchSize);
    const values = tf.tidy(() => {
      const xs = batchTensors(xcols, start, end);
      const y = batchTensors(ycols, start, end)[0];
      const pred = runForward(model, plan, xs, false)[0];
      const parts = [objective.loss(y, pred), ...objective.metrics.map((fn) => fn(y, pred))];
      return parts.map((p) => p.dataSync()[0]);
    });
    acc.add(values, end - start);
  }
  const logs = acc.means();
  if (terms.length > 0) {
    logs.loss += tf.tidy(() => penaltyTensor(terms)!.dataSync()[0]);
  }
  return logs;
}

/**
 * Computes the compiled loss and metrics of `model` on a data set, in inference mode, as
 * Keras' `model.evaluate` does: `loss` includes the weight penalties, metrics do not.
 *
 * @param model A compiled model.
 * @param data Inputs and targets.
 * @param options Batch size.
 * @returns `{ loss, <metric>: value, … }`, each the mean over all samples.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { evaluate } from "./fit.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], useBias: false, kernelInitializer: "ones" })] });
 * model.compile({ optimizer: "sgd", loss: "meanSquaredError", metrics: ["mae"] });
 * const scores = evaluate(model, { x: tf.tensor2d([[1, 2], [3, 4]]), y: tf.tensor1d([3, 5]) });
 * console.log(scores); // { loss: 2, mae: 1 }
 * ```
 */
export function evaluate(
  model: tf.LayersModel,
  data: FitData,
  options: EvaluateOptions = {},
): Record<string, number> {
  const prep = prepare(model, "evaluate", true);
  const batchSize = checkInt("evaluate", "batchSize", options.batchSize ?? 4096, 1);
  if (data === null || typeof data !== "object") {
    throw new TypeError(`evaluate(): expected data { x, y }, found ${describe(data)}`);
  }
  const xcols = inputColumns(model, prep, data.x, "evaluate", "data.x");
  const ycols = targetColumn(prep, data.y, xcols.n, "evaluate", "data.y");
  if (xcols.n === 0) throw new RangeError("evaluate(): expected at least one sample, found 0");
  const { terms } = collectPenalties(model, "evaluate");
  return evaluateColumns(model, prep, xcols, ycols, batchSize, terms);
}

/**
 * Runs the model forward in inference mode and returns its outputs as one flat array.
 *
 * @param model A model (compiled or not).
 * @param x One tensor per model input.
 * @param options Batch size.
 * @returns `n × outputSize` values, sample after sample (one per sample for a rating model).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { predict } from "./fit.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], useBias: false, kernelInitializer: "ones" })] });
 * console.log(predict(model, tf.tensor2d([[1, 2], [3, 4]]))); // Float32Array(2) [ 3, 7 ]
 * ```
 */
export function predict(
  model: tf.LayersModel,
  x: tf.Tensor | tf.Tensor[],
  options: PredictOptions = {},
): Float32Array {
  const prep = prepare(model, "predict", false);
  const batchSize = checkInt("predict", "batchSize", options.batchSize ?? 4096, 1);
  const xcols = inputColumns(model, prep, x, "predict", "x");
  let out = new Float32Array(0);
  for (let start = 0; start < xcols.n; start += batchSize) {
    const end = Math.min(xcols.n, start + batchSize);
    const values = tf.tidy(() => {
      const xs = batchTensors(xcols, start, end);
      return runForward(model, prep.plan, xs, false)[0].dataSync() as Float32Array;
    });
    const width = values.length / (end - start);
    if (start === 0) out = new Float32Array(xcols.n * width);
    out.set(values, start * width);
  }
  return out;
}

function resolveValidation(
  model: tf.LayersModel,
  prep: Prepared,
  options: FitOptions,
  xcols: Columns,
  ycols: Columns,
): { train: [Columns, Columns]; val: [Columns, Columns] | null } {
  const split = options.validationSplit ?? 0;
  const vd = options.validationData ?? null;
  if (typeof split !== "number" || !(split >= 0 && split < 1)) {
    throw new RangeError(`fit(): expected validationSplit in [0, 1), found ${split}`);
  }
  if (vd !== null && split > 0) {
    throw new TypeError(
      `fit(): give either validationData or validationSplit, found both (validationSplit ${split})`,
    );
  }
  if (vd !== null) {
    const [vx, vy] = Array.isArray(vd) ? vd : [vd.x, vd.y];
    const vxcols = inputColumns(model, prep, vx, "fit", "validationData.x");
    const vycols = targetColumn(prep, vy, vxcols.n, "fit", "validationData.y");
    if (vxcols.n === 0) {
      throw new RangeError("fit(): expected validationData with at least one sample, found 0");
    }
    return { train: [xcols, ycols], val: [vxcols, vycols] };
  }
  if (split > 0) {
    const at = Math.floor(xcols.n * (1 - split));
    if (at <= 0 || at >= xcols.n) {
      throw new RangeError(
        `fit(): validationSplit ${split} of ${xcols.n} samples leaves ${at} for training and ${
          xcols.n - at
        } for validation; expected both to be non-empty`,
      );
    }
    const [xt, xv] = splitColumns(xcols, at);
    const [yt, yv] = splitColumns(ycols, at);
    return { train: [xt, yt], val: [xv, yv] };
  }
  return { train: [xcols, ycols], val: null };
}

interface MonitorSpec {
  monitor: string;
  mode: "min" | "max";
}

function monitorSpec(
  caller: string,
  name: string,
  monitor: unknown,
  mode: unknown,
  keys: string[],
): MonitorSpec {
  if (typeof monitor !== "string" || !keys.includes(monitor)) {
    throw new RangeError(
      `${caller}(): ${name}.monitor "${monitor}" is not reported by this run; expected one of ${
        keys.join(", ")
      }`,
    );
  }
  if (!["min", "max", "auto"].includes(mode as string)) {
    throw new RangeError(
      `${caller}(): expected ${name}.mode "min", "max" or "auto", found ${mode}`,
    );
  }
  return { monitor, mode: resolveMode(monitor, mode as MonitorMode) };
}

/** Stock tfjs `Dropout` layers draw their masks from `Math.random` unless seeded. */
function stockDropouts(model: tf.LayersModel): Array<{ layer: { seed?: number }; seed?: number }> {
  const out: Array<{ layer: { seed?: number }; seed?: number }> = [];
  const walk = (layers: tf.layers.Layer[]) => {
    for (const layer of layers) {
      const cls = layer.getClassName();
      if (cls === "Dropout" || cls === "SpatialDropout1D") {
        const l = layer as unknown as { seed?: number };
        out.push({ layer: l, seed: l.seed });
      }
      const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (Array.isArray(inner)) walk(inner);
    }
  };
  walk(model.layers);
  return out;
}

function verbosity(v: FitOptions["verbose"]): Verbosity {
  if (v === true) return 1;
  if (v === false) return 0;
  return v ?? "auto";
}

/** CPU time of this process in seconds, or NaN where the runtime cannot tell. */
function cpuSeconds(): number {
  try {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  } catch {
    return NaN;
  }
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Trains a compiled model, Keras-style, with a fast custom loop.
 *
 * @param model A model compiled with `model.compile({ optimizer, loss, metrics })`.
 * @param data Training inputs and targets.
 * @param options Epochs, batch size, validation, learning rate, early stopping, progress, ….
 * @returns The history of this call.
 * @throws {NonFiniteLossError} when a batch's loss is NaN or infinite (the weights are left as
 *   they were before that batch).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fit } from "./fit.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: tf.initializers.zeros() })] });
 * model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
 * const x = tf.tensor2d([[0], [1], [2], [3]]), y = tf.tensor1d([1, 3, 5, 7]);
 * const history = await fit(model, { x, y }, { epochs: 50, batchSize: 4, verbose: 0 });
 * const losses = history.history.loss;
 * console.log(losses[0] > losses[losses.length - 1]); // true
 * ```
 */
export async function fit(
  model: tf.LayersModel,
  data: FitData,
  options: FitOptions = {},
): Promise<History> {
  const prep = prepare(model, "fit", true);
  const { objective, plan } = prep;
  if (data === null || typeof data !== "object") {
    throw new TypeError(`fit(): expected data { x, y }, found ${describe(data)}`);
  }
  const epochs = checkInt("fit", "epochs", options.epochs ?? 1, 0);
  const batchSize = checkInt("fit", "batchSize", options.batchSize ?? 32, 1);
  const valBatch = checkInt("fit", "validationBatchSize", options.validationBatchSize ?? 4096, 1);
  const initialEpoch = checkInt("fit", "initialEpoch", options.initialEpoch ?? 0, 0);
  const shuffle = options.shuffle ?? true;
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isFinite(seed)) throw new TypeError(`fit(): expected a finite seed, found ${seed}`);
  if ((model as unknown as { isTraining?: boolean }).isTraining) {
    throw new TypeError("fit(): this model is already being trained by another fit() call");
  }

  const xcols = inputColumns(model, prep, data.x, "fit", "data.x");
  const ycols = targetColumn(prep, data.y, xcols.n, "fit", "data.y");
  if (xcols.n === 0) throw new RangeError("fit(): expected at least one training sample, found 0");
  const { train, val } = resolveValidation(model, prep, options, xcols, ycols);
  const [tx, ty] = train;
  const n = tx.n;
  const steps = Math.ceil(n / batchSize);

  const opt = model.optimizer as unknown as Optimizerish;
  const lr = options.learningRate ?? null;
  if (lr !== null && !(typeof lr === "number" && Number.isFinite(lr) && lr > 0)) {
    throw new RangeError(`fit(): expected learningRate to be a positive number, found ${lr}`);
  }
  const penalties = collectPenalties(model, "fit");
  const fused = penalties.pureL2 && typeof opt.setPenalties === "function" &&
    typeof opt.lastPenalty === "function";
  const tapeTerms = fused ? [] : penalties.terms;

  const trainKeys = ["loss", ...objective.metricNames];
  const keys = val ? [...trainKeys, ...trainKeys.map((k) => `val_${k}`)] : trainKeys;
  let stopper: EarlyStopper | null = null;
  let keeper: BestTracker | null = null;
  if (options.earlyStopping) {
    const es = options.earlyStopping === true ? {} : options.earlyStopping;
    const spec = monitorSpec(
      "fit",
      "earlyStopping",
      es.monitor ?? "val_loss",
      es.mode ?? "auto",
      keys,
    );
    const patience = checkInt("fit", "earlyStopping.patience", es.patience ?? 0, 0);
    const minDelta = Math.abs(es.minDelta ?? 0);
    if (!Number.isFinite(minDelta)) {
      throw new RangeError(
        `fit(): expected earlyStopping.minDelta to be finite, found ${es.minDelta}`,
      );
    }
    const startFrom = checkInt("fit", "earlyStopping.startFromEpoch", es.startFromEpoch ?? 0, 0);
    stopper = new EarlyStopper(
      new BestTracker(spec.monitor, spec.mode, minDelta, es.restoreBestWeights ?? false),
      patience,
      es.baseline ?? null,
      startFrom,
    );
  }
  if (options.keepBestWeights) {
    const kb = options.keepBestWeights === true ? {} : options.keepBestWeights;
    const spec = monitorSpec(
      "fit",
      "keepBestWeights",
      kb.monitor ?? "val_loss",
      kb.mode ?? "auto",
      keys,
    );
    keeper = new BestTracker(spec.monitor, spec.mode, 0, true);
  }

  // Every check passed: now change the optimizer.
  if (lr !== null) setLearningRate(opt, lr);
  if (typeof opt.setPenalties === "function") {
    opt.setPenalties(new Map(fused ? penalties.terms.map((t) => [t.variable.name, t.l2]) : []));
  }
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const dropouts = stockDropouts(model);
  const root: Rng = createRng(seed);
  for (let e = 0; e < initialEpoch; e++) root.fork();

  const history: History = {
    epoch: [],
    history: Object.fromEntries(keys.map((k) => [k, [] as number[]])),
    seconds: [],
    trainSeconds: [],
    trainCpuSeconds: [],
    learningRate: [],
    monitor: keeper?.monitor ?? stopper?.tracker.monitor ?? null,
    bestEpoch: null,
    bestValue: null,
    stoppedEpoch: null,
    restoredBestWeights: false,
    params: {
      epochs,
      batchSize,
      samples: n,
      validationSamples: val ? val[0].n : 0,
      stepsPerEpoch: steps,
    },
  };
  const progress = trainingProgress(
    { epochs, batches: steps, samples: n, initialEpoch },
    { verbose: verbosity(options.verbose) },
  );
  const needPred = objective.metrics.length > 0;
  const runStart = performance.now();
  const m = model as unknown as { isTraining: boolean; stopTraining: boolean };
  m.isTraining = true;
  m.stopTraining = false;
  let failed = true;

  try {
    for (let e = 0; e < epochs; e++) {
      const epoch = initialEpoch + e;
      const epochRng = root.fork();
      const order = shuffle ? epochRng.permutation(n) : null;
      const ex = order ? permuteColumns(tx, order) : tx;
      const ey = order ? permuteColumns(ty, order) : ty;
      const acc = new Accumulator(trainKeys);
      const t0 = performance.now();
      const cpu0 = cpuSeconds();
      for (let b = 0; b < steps; b++) {
        const start = b * batchSize, end = Math.min(n, start + batchSize);
        for (const d of dropouts) d.layer.seed = epochRng.uint32();
        const xs = batchTensors(ex, start, end);
        const y = batchTensors(ey, start, end)[0];
        let pred: tf.Tensor | null = null;
        let lossValue = NaN;
        let applied = false;
        let metricValues: number[] = [];
        try {
          const { value, grads } = tf.variableGrads(() => {
            const out = runForward(model, plan, xs, true)[0];
            if (needPred) pred = tf.keep(out);
            const dataLoss = objective.loss(y, out);
            const p = penaltyTensor(tapeTerms);
            return p === null ? dataLoss : tf.add(dataLoss, p) as tf.Scalar;
          }, variables);
          lossValue = value.dataSync()[0];
          value.dispose();
          if (!Number.isFinite(lossValue)) {
            tf.dispose(grads);
          } else {
            opt.applyGradients(grads);
            applied = true;
            tf.dispose(grads);
            if (fused) lossValue += opt.lastPenalty!();
            if (needPred) {
              const p = pred!;
              metricValues = tf.tidy(() => objective.metrics.map((fn) => fn(y, p).dataSync()[0]));
            }
          }
        } finally {
          if (pred !== null) (pred as tf.Tensor).dispose();
          tf.dispose(xs);
          y.dispose();
        }
        if (!Number.isFinite(lossValue)) {
          const shown = epoch + 1, total = initialEpoch + epochs;
          throw new NonFiniteLossError(
            shown,
            b + 1,
            lossValue,
            `fit(): the loss became ${lossValue} in epoch ${shown}/${total}, batch ${
              b + 1
            }/${steps} (samples ${start}–${end - 1} of the ${
              shuffle ? "shuffled" : "unshuffled"
            } epoch); ${
              applied
                ? "the weight penalty overflowed, and this batch's update was applied"
                : "the weights are left as they were before this batch"
            }. Lower the learning rate or look for NaN or huge values in the inputs and targets`,
          );
        }
        acc.add([lossValue, ...metricValues], end - start);
        if (progress.active) {
          const drew = progress.batch(epoch, b + 1, () => acc.means());
          if (drew) await tick();
        }
      }
      const trainSeconds = (performance.now() - t0) / 1000;
      const trainCpu = cpuSeconds() - cpu0;
      const logs = acc.means();
      if (val) {
        const v = evaluateColumns(model, prep, val[0], val[1], valBatch, penalties.terms);
        for (const k of trainKeys) logs[`val_${k}`] = v[k];
      }
      history.epoch.push(epoch);
      for (const k of keys) history.history[k].push(logs[k]);
      history.trainSeconds.push(trainSeconds);
      history.trainCpuSeconds.push(trainCpu);
      history.seconds.push((performance.now() - t0) / 1000);
      history.learningRate.push(getLearningRate(opt));
      keeper?.observe(epoch, logs[keeper.monitor], model);
      const stop = stopper
        ? stopper.observe(epoch, logs[stopper.tracker.monitor], model, initialEpoch)
        : false;
      progress.epochEnd(epoch, logs);
      if (options.onEpochEnd) await options.onEpochEnd(epoch, { ...logs });
      if (progress.active) await tick();
      if (stop) {
        history.stoppedEpoch = epoch;
        break;
      }
      if (m.stopTraining) break;
    }
    const best = keeper ?? stopper?.tracker ?? null;
    if (best) {
      history.bestEpoch = best.bestEpoch;
      history.bestValue = best.best;
      if (best.keepWeights && best.weights) {
        restoreWeights(model, best.weights);
        history.restoredBestWeights = true;
      }
    }
    failed = false;
  } finally {
    m.isTraining = false;
    for (const d of dropouts) d.layer.seed = d.seed;
    const ran = history.epoch.length;
    const seconds = (performance.now() - runStart) / 1000;
    const parts = [`${ran} epoch${ran === 1 ? "" : "s"} in ${formatDuration(seconds)}`];
    const trainTime = history.trainSeconds.reduce((a, b) => a + b, 0);
    if (trainTime > 0) {
      parts.push(`${Math.round((ran * n) / trainTime).toLocaleString("en-US")} samples/s`);
    }
    for (const k of keys) {
      const series = history.history[k];
      if (series.length > 0) parts.push(`${k} ${formatValue(series[series.length - 1])}`);
    }
    if (history.bestEpoch !== null && history.monitor) {
      parts.push(
        `best ${history.monitor} ${formatValue(history.bestValue!)} at epoch ${
          history.bestEpoch + 1
        }${history.restoredBestWeights ? " (restored)" : ""}`,
      );
    }
    if (history.stoppedEpoch !== null) parts.push("stopped early");
    if (failed) {
      parts.push("failed");
      // Never let a display problem hide the error that stopped training.
      await progress.close(parts.join(" · ")).catch(() => {});
    } else await progress.close(parts.join(" · "));
  }
  return history;
}
