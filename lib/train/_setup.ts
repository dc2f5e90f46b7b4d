/**
 * Setting up one `fit` run: every option and the data are checked first, with nothing
 * changed ({@linkcode planRun}); only then is the model's optimizer prepared
 * ({@linkcode driveOptimizer}): a compiled `tf.train.adam` is replaced by the engine's fused
 * Adam with the same hyper-parameters and state, Keras L2 penalties are handed to the fused
 * Adam, and the learning rate is set. The driver's update applies the weights' constraints
 * after the optimizer's step, as Keras does (tfjs' `model.fit` leaves them out).
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import { DEFAULT_SEED } from "../defaults.ts";
import { checkSeed, randomSeed } from "../random.ts";
import type { Columns } from "./_batches.ts";
import { checkBoolean, checkOptionKeys, describe } from "../_validate.ts";
import { checkInt, inputColumns, type ModelShape, modelShape } from "./_data.ts";
import { splitValidation, targetColumn } from "./_data.ts";
import { type ForwardPlan, planForward, slowLayers } from "./_graph.ts";
import { compiledObjective, type Objective } from "./_losses.ts";
import { type Monitors, monitorsFor } from "./_monitor.ts";
import { collectPenalties, type Penalties, type PenaltyTerm } from "./_penalties.ts";
import { applyConstraints, collectConstraints, type ConstrainedWeight } from "./_constraints.ts";
import { FusedAdam } from "./optimizer.ts";
import { useFusedAdam } from "./_compiled_rate.ts";
import type { FitData, FitOptions } from "./fit_options.ts";
import { checkVerbosity, type Verbosity } from "./progress.ts";
import type { StepSchedule } from "./schedule.ts";

/** A checked run: everything the loop needs, nothing changed yet. */
export interface Run {
  model: tf.LayersModel;
  /** The trainable variables, in the model's order. */
  variables: tf.Variable[];
  objective: Objective;
  plan: ForwardPlan;
  shape: ModelShape;
  /** Training inputs and targets. */
  train: [Columns, Columns];
  /** Validation inputs and targets, or null. */
  val: [Columns, Columns] | null;
  epochs: number;
  batchSize: number;
  validationBatchSize: number;
  /** Epochs run before this call (the first epoch of the call is this + 1). */
  initialEpoch: number;
  shuffle: boolean;
  seed: number;
  /** Steps per epoch. */
  steps: number;
  /** Keys of the training logs (`loss`, metrics). */
  trainKeys: string[];
  /** Keys of the epoch logs (training, then `val_…`). */
  keys: string[];
  monitors: Monitors;
  learningRate: number | null;
  schedule: StepSchedule | null;
  penalties: Penalties;
  /** Weights with a constraint, projected after every update (as Keras does). */
  constraints: ConstrainedWeight[];
  verbose: Verbosity;
  onEpochEnd?: FitOptions["onEpochEnd"];
  /** Notes for the progress line (continuing, stock layers). */
  notes: string[];
}

/** Every option of `fit` (the type makes the list complete). */
const FIT_OPTIONS: Record<keyof FitOptions, true> = {
  epochs: true,
  batchSize: true,
  shuffle: true,
  seed: true,
  validationData: true,
  validationSplit: true,
  validationBatchSize: true,
  learningRate: true,
  schedule: true,
  earlyStopping: true,
  keepBestWeights: true,
  initialEpoch: true,
  verbose: true,
  onEpochEnd: true,
  fuse: true,
};

const plans = new WeakMap<tf.LayersModel, ForwardPlan>();
const plainPlans = new WeakMap<tf.LayersModel, ForwardPlan>();
const trained = new WeakMap<tf.LayersModel, number>();

/**
 * The cached forward plan of `model`.
 *
 * @param model The model.
 * @param fuse `false` for the plan that runs every layer as written (see `FitOptions.fuse`).
 * @returns The plan.
 */
export function forwardPlan(model: tf.LayersModel, fuse = true): ForwardPlan {
  const cache = fuse ? plans : plainPlans;
  let plan = cache.get(model);
  if (!plan) cache.set(model, plan = planForward(model, { fuse }));
  return plan;
}

/**
 * How many epochs `fit` has run on `model` so far (0 for a new model).
 *
 * @param model A model.
 * @returns The count.
 */
export function trainedEpochs(model: tf.LayersModel): number {
  return trained.get(model) ?? 0;
}

/**
 * Sets the count of epochs run (e.g. for a model loaded from disk, so that training numbers
 * its epochs on).
 *
 * @param model A model.
 * @param epochs Epochs it has run.
 */
export function setTrainedEpochs(model: tf.LayersModel, epochs: number): void {
  checkInt("setTrainedEpochs", "epochs", epochs, 0);
  trained.set(model, epochs);
}

function verbosity(v: FitOptions["verbose"]): Verbosity {
  if (v === true) return 1;
  if (v === false) return 0;
  return v === undefined ? "auto" : checkVerbosity(v, "fit()");
}

function learningRateOption(options: FitOptions): number | null {
  const lr = options.learningRate ?? null;
  if (lr !== null && !(typeof lr === "number" && Number.isFinite(lr) && lr > 0)) {
    throw new RangeError(`fit(): expected learningRate to be a positive number, found ${lr}`);
  }
  if (lr !== null && options.schedule != null) {
    throw new TypeError("fit(): give either learningRate or schedule, found both");
  }
  if (options.schedule != null && typeof options.schedule !== "function") {
    throw new TypeError(
      `fit(): expected schedule to be a function, found ${describe(options.schedule)}`,
    );
  }
  return lr;
}

/**
 * Checks a `fit` call and gathers what the run needs, changing nothing.
 *
 * @param model A compiled model.
 * @param data Training inputs and targets.
 * @param options `fit`'s options.
 * @returns The run.
 */
export function planRun(
  model: tf.LayersModel,
  data: FitData,
  options: FitOptions,
): Run {
  checkOptionKeys(options, Object.keys(FIT_OPTIONS), "fit()");
  const objective = compiledObjective(model, "fit");
  if (data === null || typeof data !== "object") {
    throw new TypeError(`fit(): expected data { x, y }, found ${describe(data)}`);
  }
  const epochs = checkInt("fit", "epochs", options.epochs ?? 1, 0);
  const batchSize = checkInt("fit", "batchSize", options.batchSize ?? 32, 1);
  const validationBatchSize = checkInt(
    "fit",
    "validationBatchSize",
    options.validationBatchSize ?? 4096,
    1,
  );
  const initialEpoch = checkInt(
    "fit",
    "initialEpoch",
    options.initialEpoch ?? trainedEpochs(model),
    0,
  );
  const seed = checkSeed(options.seed ?? randomSeed() ?? DEFAULT_SEED, "fit()");
  const shape = modelShape(model);
  const x = inputColumns(model, shape, data.x, "fit", "data.x");
  const y = targetColumn(shape, objective, data.y, x.n, "fit", "data.y");
  if (x.n === 0) throw new RangeError("fit(): expected at least one training sample, found 0");
  const vd = options.validationData ?? null;
  const { train, val } = splitValidation(
    model,
    shape,
    objective,
    {
      data: vd === null ? null : Array.isArray(vd) ? vd : [vd.x, vd.y],
      split: options.validationSplit ?? 0,
    },
    x,
    y,
  );
  const trainKeys = ["loss", ...objective.metricNames];
  const keys = val ? [...trainKeys, ...trainKeys.map((k) => `val_${k}`)] : trainKeys;
  const plan = forwardPlan(model, checkBoolean(options.fuse ?? true, "fuse", "fit()"));
  const notes = initialEpoch > 0 ? [`continuing from epoch ${initialEpoch}`] : [];
  notes.push(...slowLayers(model, plan).map((l) => `stock tfjs for layer ${l}: slower`));
  return {
    model,
    variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
    objective,
    plan,
    shape,
    train,
    val,
    epochs,
    batchSize,
    validationBatchSize,
    initialEpoch,
    shuffle: options.shuffle ?? true,
    seed,
    steps: Math.ceil(train[0].n / batchSize),
    trainKeys,
    keys,
    monitors: monitorsFor(options.earlyStopping, options.keepBestWeights, keys),
    learningRate: learningRateOption(options),
    schedule: options.schedule ?? null,
    penalties: collectPenalties(model, "fit"),
    constraints: collectConstraints(model),
    verbose: verbosity(options.verbose),
    onEpochEnd: options.onEpochEnd,
    notes,
  };
}

/** The optimizer as the loop drives it. */
export interface OptimizerDriver {
  /** Applies one update. */
  apply(grads: tf.NamedTensorMap): void;
  /** The current learning rate (NaN when the optimizer has none to read). */
  rate(): number;
  /** Sets the learning rate. */
  setRate(lr: number): void;
  /** Penalties the loop adds to the loss on the tape (empty when the optimizer fuses them). */
  tapeTerms: PenaltyTerm[];
  /** The penalty the last update measured (fused penalties), else 0. */
  lastPenalty(): number;
}

interface Settable {
  learningRate?: unknown;
  setLearningRate?: (lr: number) => void;
  applyGradients(grads: tf.NamedTensorMap): void;
  getClassName(): string;
}

/**
 * Prepares the model's optimizer for the run (the first change `fit` makes): a compiled
 * `tf.train.adam` becomes the fused Adam (same hyper-parameters, state carried over); Keras L2
 * penalties go to the fused Adam; the learning rate is set. Any other optimizer trains as it
 * is, said once in the run's notes.
 *
 * @param run The checked run.
 * @returns The driver.
 */
export async function driveOptimizer(run: Run): Promise<OptimizerDriver> {
  const { model } = run;
  const fusedAdam = await useFusedAdam(model); // before the first setRate
  const opt = model.optimizer as unknown as Settable;
  if (fusedAdam === null && !(opt instanceof FusedAdam)) {
    run.notes.push(`stock tfjs optimizer ${opt.getClassName()}: slower`);
  }
  const fused = fusedAdam !== null && run.penalties.pureL2;
  fusedAdam?.setPenalties(
    new Map(fused ? run.penalties.terms.map((t) => [t.variable.name, t.l2]) : []),
  );
  const setRate = (lr: number) => {
    if (typeof opt.setLearningRate === "function") opt.setLearningRate(lr);
    else if (typeof opt.learningRate === "number") opt.learningRate = lr;
    else {
      throw new TypeError(
        `fit(): cannot change the learning rate of optimizer ${opt.getClassName()}`,
      );
    }
  };
  if (run.learningRate !== null) setRate(run.learningRate);
  return {
    apply: (grads) => {
      opt.applyGradients(grads);
      applyConstraints(run.constraints);
    },
    rate: () => typeof opt.learningRate === "number" ? opt.learningRate : NaN,
    setRate,
    tapeTerms: fused ? [] : run.penalties.terms,
    lastPenalty: () => fused ? fusedAdam!.lastPenalty() : 0,
  };
}
