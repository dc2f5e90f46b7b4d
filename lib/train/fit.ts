/**
 * The training loop: {@linkcode fit}, {@linkcode evaluate} and {@linkcode predictOutputs} for a
 * compiled tfjs layers model, as Keras' `model.fit` / `evaluate` / `predict` behave, but
 * fast enough to train the tutorials' recommenders in seconds.
 *
 * `fit` reads the compiled loss, metrics and optimizer, and runs its own loop instead of
 * `model.fit`: the data are read into typed arrays once, every batch becomes a few small
 * tensors, the forward pass calls the layers directly, and the fused Adam of
 * `lib/train/optimizer.ts` folds the Keras L2 penalties into its update. It adds what the
 * tutorials need: a seeded shuffle per epoch, Keras' validation split, a learning-rate
 * change between calls, early stopping and "keep the best weights", a history with seconds
 * per epoch, and one live progress line. When the loss stops being finite, the error names
 * the batch and, once the batch has failed (never while training goes well), says whether the
 * weights are to blame: a model whose weights hold NaN or overflow is marked as diverged and
 * refused afterwards (`health.ts`). A loss that explodes by orders of magnitude without
 * becoming NaN is reported in the history's `warnings` and the progress line.
 *
 * Numbers follow Keras: `loss` and `val_loss` include the weight penalties
 * (`embeddings_regularizer=l2(λ)` and the like); metrics such as `mse` and `mae` do not.
 * Weight constraints (`kernelConstraint`, `embeddingsConstraint`, …) are applied after every
 * update, as Keras applies them (tfjs' own `model.fit` leaves them out).
 *
 * @module
 */

import { cpuSeconds } from "./_clock.ts";
import { checkBackend } from "./_backend_state.ts";
import * as tf from "@tensorflow/tfjs";
import { disposalProblem, isTraining, setTraining } from "../_tfjs_internals.ts";
import { InterruptedError, interruptible } from "../_interrupt.ts";
export { InterruptedError } from "../_interrupt.ts";
import { createRng } from "../random.ts";
import { batchTensors } from "./_batches.ts";
import { checkOptionKeys, describe } from "../_validate.ts";
import { checkFiniteTargets, checkInt, inputColumns, modelShape, targetColumn } from "./_data.ts";
import { runForward } from "./_graph.ts";
import { emptyHistory, type History, recordEpoch, summaryLine, warningTag } from "./_history.ts";
import { knowNothingLoss, LossWatch } from "./_explosion.ts";
import { diagnose, type FailedBatch } from "./_failure.ts";
import { markDiverged, short } from "./_health.ts";
import { checkUsable, DIVERGED_ADVICE } from "./health.ts";
import { compiledObjective } from "./_losses.ts";
import { evaluateColumns, noiseLayers, tick, trainEpoch } from "./_loop.ts";
import { restoreWeights } from "./_monitor.ts";
import { collectPenalties } from "./_penalties.ts";
import {
  driveOptimizer,
  forwardPlan,
  type OptimizerDriver,
  planRun,
  type Run,
  setTrainedEpochs,
  trainedEpochs,
} from "./_setup.ts";
import { type TrainingProgress, trainingProgress } from "./progress.ts";
import type { EvaluateOptions, FitData, FitOptions, PredictOptions } from "./fit_options.ts";

export type { History, TrainingWarning } from "./_history.ts";
export { setTrainedEpochs, trainedEpochs };

/**
 * Raised by {@linkcode fit} when the training loss becomes NaN or infinite. When the weights
 * before that batch are fine (the data or the loss function are to blame), they are left as
 * they were; when they are not — NaN or infinite values, or so large that the outputs or the
 * weight penalty overflow — the model is marked as diverged (`diverged` is true): predicting,
 * recommending, saving or training it again then fails with a `DivergedModelError`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fit, NonFiniteLossError } from "./fit.ts";
 * import { assertEquals, assertRejects } from "@std/assert";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
 * model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
 * const x = tf.ones([4, 1]), y = tf.tensor1d([1, NaN, 1, 1]);
 * const e = await assertRejects(
 *   () => fit(model, { x, y }, { batchSize: 2, shuffle: false, verbose: 0 }),
 *   NonFiniteLossError,
 * );
 * assertEquals([e.epoch, e.batch], [1, 1]);
 * assertEquals(e.message.slice(0, 41), "fit(): the loss became NaN in epoch 1/1, ");
 * ```
 */
export class NonFiniteLossError extends RangeError {
  /** 1-based absolute epoch (as in "epoch 3/10"). */
  readonly epoch: number;
  /** 1-based batch within the epoch. */
  readonly batch: number;
  /** The loss value found (NaN or ±Infinity). */
  readonly loss: number;
  /** Whether the model's weights were found unusable and the model marked as diverged. */
  readonly diverged: boolean;

  /**
   * Creates the error; the arguments become its fields.
   * @param epoch 1-based absolute epoch.
   * @param batch 1-based batch.
   * @param loss The non-finite loss.
   * @param message Full message.
   * @param diverged Whether the model was marked as diverged.
   */
  constructor(epoch: number, batch: number, loss: number, message: string, diverged = false) {
    super(message);
    this.name = "NonFiniteLossError";
    this.epoch = epoch;
    this.batch = batch;
    this.loss = loss;
    this.diverged = diverged;
  }
}

function checkModel(model: unknown, caller: string): asserts model is tf.LayersModel {
  if (!(model instanceof tf.LayersModel)) {
    throw new TypeError(`${caller}(): expected a tf.LayersModel, found ${describe(model)}`);
  }
  const problem = disposalProblem(model, "the");
  if (problem !== null) throw new RangeError(`${caller}(): ${problem}`);
}

/**
 * The error for a failed batch, after finding out whether the weights are usable; a model
 * whose weights are not is marked as diverged.
 */
function nonFinite(
  run: Run,
  driver: OptimizerDriver,
  epoch: number,
  failed: FailedBatch,
): NonFiniteLossError {
  const total = run.initialEpoch + run.epochs, { loss } = failed;
  const learningRate = driver.rate();
  // The call's first batch, its update not applied: no step of this call has changed a weight.
  const beforeUpdate = epoch === run.initialEpoch + 1 && failed.batch === 1 && !failed.applied;
  const where = `fit(): the loss became ${loss} in epoch ${epoch}/${total}, batch ` +
    `${failed.batch}/${run.steps} (samples ${failed.start}–${failed.end - 1} of the ${
      run.shuffle ? "shuffled" : "unshuffled"
    } epoch${
      beforeUpdate
        ? ", before any update"
        : Number.isFinite(learningRate)
        ? `, learning rate ${short(learningRate)}`
        : ""
    })`;
  const diagnosis = diagnose(run, failed);
  if (diagnosis.diverged) {
    // Never trained: the weights it was built or given were unusable.
    const fresh = run.initialEpoch === 0 && trainedEpochs(run.model) === 0;
    markDiverged(run.model, {
      epoch,
      batch: failed.batch,
      loss,
      learningRate,
      reason: diagnosis.reason,
      beforeUpdate: beforeUpdate && fresh,
    });
    const marked = "The model is marked as diverged: predicting, recommending, saving or " +
      "training it fails.";
    if (beforeUpdate) {
      return new NonFiniteLossError(
        epoch,
        failed.batch,
        loss,
        `${where}: the weights are already too large at the start of this call, so no ` +
          `learning rate of it is to blame: ${diagnosis.reason}. ${marked} To go on, ${
            fresh
              ? "build the model again with smaller initial weights (its initializers, or the " +
                "weights given to it), or load a saved copy"
              : DIVERGED_ADVICE
          }`,
        true,
      );
    }
    return new NonFiniteLossError(
      epoch,
      failed.batch,
      loss,
      `${where}: the training diverged and the weights are unusable: ${diagnosis.reason}. ` +
        `${marked} To go on, ${DIVERGED_ADVICE}`,
      true,
    );
  }
  return new NonFiniteLossError(
    epoch,
    failed.batch,
    loss,
    `${where}: ${diagnosis.detail}. The weights are left as they were before this batch. ` +
      "Look for NaN or huge values in the inputs and targets" +
      (beforeUpdate ? "" : ", or lower the learning rate"),
  );
}

/**
 * Runs the epochs of a checked run, recording each in `history`; returns when they are done,
 * early stopping fires or `model.stopTraining` is set.
 */
async function runEpochs(
  run: Run,
  driver: OptimizerDriver,
  history: History,
  progress: TrainingProgress,
): Promise<void> {
  const { model, monitors: { stopper, keeper } } = run;
  const noisy = noiseLayers(model);
  const root = createRng(run.seed);
  for (let e = 0; e < run.initialEpoch; e++) root.fork();
  const model_ = model as unknown as { stopTraining: boolean };
  model_.stopTraining = false;
  const outputUnits = model.outputs[0].shape.slice(1).reduce((a: number, d) => a * (d ?? 1), 1);
  const watch = new LossWatch(knowNothingLoss(run.objective.lossName, run.train[1], outputUnits));
  try {
    for (let e = 1; e <= run.epochs; e++) {
      const epoch = run.initialEpoch + e;
      const t0 = performance.now(), cpu0 = cpuSeconds();
      const out = await trainEpoch(run, driver, epoch, root.fork(), progress, noisy);
      if ("failed" in out) throw nonFinite(run, driver, epoch, out.failed);
      const trainSeconds = (performance.now() - t0) / 1000, trainCpu = cpuSeconds() - cpu0;
      const logs = out.logs;
      if (run.val) {
        const v = evaluateColumns(
          model,
          run.plan,
          run.objective,
          run.val,
          run.validationBatchSize,
          run.penalties.terms,
        );
        for (const k of run.trainKeys) logs[`val_${k}`] = v[k];
      }
      recordEpoch(history, {
        epoch,
        logs,
        seconds: (performance.now() - t0) / 1000,
        trainSeconds,
        trainCpuSeconds: trainCpu,
        learningRate: driver.rate(),
      });
      setTrainedEpochs(model, epoch);
      const warning = watch.observe(epoch, logs.loss);
      if (warning !== null) {
        history.warnings.push(warning);
        progress.warn(warningTag(warning));
      }
      keeper?.observe(epoch, logs[keeper.monitor], model);
      const stop =
        stopper?.observe(epoch, logs[stopper.tracker.monitor], model, run.initialEpoch + 1) ??
          false;
      const drawn = progress.epochEnd(epoch, logs);
      if (run.onEpochEnd) await run.onEpochEnd(epoch, { ...logs });
      if (drawn) await tick();
      if (stop) history.stoppedEpoch = epoch;
      if (stop || model_.stopTraining) break;
    }
  } finally {
    for (const d of noisy) d.layer.seed = d.seed;
  }
}

/** Records the best epoch in `history` and puts its weights back when asked to. */
function finishMonitors(run: Run, history: History): void {
  const best = run.monitors.keeper ?? run.monitors.stopper?.tracker ?? null;
  if (!best) return;
  history.bestEpoch = best.bestEpoch;
  history.bestValue = best.best;
  if (best.keepWeights && best.weights) {
    restoreWeights(run.model, best.weights);
    history.restoredBestWeights = true;
  }
}

/**
 * Trains a compiled model, Keras-style, with a fast custom loop. Epochs are counted from 1,
 * absolutely: a model trained before continues (its epochs numbered on, its shuffle stream
 * not repeated), and the progress line says so.
 *
 * @param model A model compiled with `model.compile({ optimizer, loss, metrics })`. A compiled
 *   `tf.train.adam` is replaced by the engine's fused Adam with the same hyper-parameters and
 *   state; other optimizers and layers without a fast path train as tfjs runs them (slower,
 *   said once in the progress line).
 * @param data Training inputs and targets.
 * @param options Epochs, batch size, validation, learning rate, early stopping, progress, ….
 * @returns The history of this call.
 * @throws {TypeError} On an unknown option (naming it and the option it most likely meant) or
 *   data that do not fit the model.
 * @throws {RangeError} On a bad option value (a `seed` that is not an integer from 0 to
 *   `MAX_SEED`, …), a NaN or infinite validation target (naming its sample), or, at the step it
 *   happens, a `schedule` that gives a learning rate that is not a finite number > 0 (naming the
 *   epoch, the step and the value).
 * @throws {NonFiniteLossError} when a batch's loss is NaN or infinite: the weights are left as
 *   they were before that batch, or, when those are unusable, the model is marked as diverged.
 * @throws {DivergedModelError} for a model marked as diverged or with NaN or infinite weights.
 * @throws {InterruptedError} on Kernel › Interrupt in the Jupyter kernel (once `lib/notebook` is
 *   imported), after the current batch: the model keeps the weights of that batch.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { fit } from "./fit.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: tf.initializers.zeros() })] });
 * model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
 * const x = tf.tensor2d([[0], [1], [2], [3]]), y = tf.tensor1d([1, 3, 5, 7]);
 * const history = await fit(model, { x, y }, { epochs: 50, batchSize: 4, verbose: 0 });
 * const losses = history.history.loss;
 * assertEquals(losses[0] > losses[losses.length - 1], true);
 * assertEquals(history.epoch.slice(0, 3), [1, 2, 3]);
 * const again = await fit(model, { x, y }, { epochs: 2, batchSize: 4, verbose: 0 });
 * assertEquals(again.epoch, [51, 52]); // continues
 * ```
 */
export async function fit(
  model: tf.LayersModel,
  data: FitData,
  options: FitOptions = {},
): Promise<History> {
  checkModel(model, "fit");
  const run = planRun(model, data, options);
  checkBackend("fit()", run.train[0].n);
  if (isTraining(model)) {
    throw new TypeError("fit(): this model is already being trained by another fit() call");
  }
  checkUsable(model, "fit()");
  setTraining(model, true);
  let driver: OptimizerDriver;
  try {
    driver = await driveOptimizer(run);
  } catch (e) {
    setTraining(model, false);
    throw e;
  }
  const history = emptyHistory(run.keys, {
    epochs: run.epochs,
    batchSize: run.batchSize,
    samples: run.train[0].n,
    validationSamples: run.val ? run.val[0].n : 0,
    stepsPerEpoch: run.steps,
    initialEpoch: run.initialEpoch,
  }, run.monitors.keeper?.monitor ?? run.monitors.stopper?.tracker.monitor ?? null);
  const { epochs, steps: batches, initialEpoch, notes } = run;
  const progress = trainingProgress(
    { epochs, batches, samples: run.train[0].n, initialEpoch, notes },
    { verbose: run.verbose },
  );
  const started = performance.now();
  let failed: boolean | "interrupted" = true;
  try {
    await interruptible(() => runEpochs(run, driver, history, progress));
    finishMonitors(run, history);
    failed = false;
  } catch (e) {
    if (e instanceof InterruptedError) failed = "interrupted";
    throw e;
  } finally {
    setTraining(model, false);
    const line = summaryLine(history, notes, (performance.now() - started) / 1000, failed);
    // Never let a display problem hide the error that stopped training.
    if (failed) await progress.close(line).catch(() => {});
    else await progress.close(line);
  }
  return history;
}

/** Every option of {@linkcode evaluate} (the type makes the list complete). */
const EVALUATE_OPTIONS: Record<keyof EvaluateOptions, true> = { batchSize: true };

/**
 * Computes the compiled loss and metrics of `model` on a data set, in inference mode, as
 * Keras' `model.evaluate` does: `loss` includes the weight penalties, metrics do not.
 *
 * @param model A compiled model.
 * @param data Inputs and targets.
 * @param options Batch size.
 * @returns `{ loss, <metric>: value, … }`, each the mean over all samples.
 * @throws {RangeError} On a NaN or infinite target (naming its sample), an empty data set or a
 *   shape that does not fit the model.
 * @throws {TypeError} On an unknown option, naming the option it most likely meant.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { evaluate } from "./fit.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], useBias: false, kernelInitializer: "ones" })] });
 * model.compile({ optimizer: "sgd", loss: "meanSquaredError", metrics: ["mae"] });
 * const scores = evaluate(model, { x: tf.tensor2d([[1, 2], [3, 4]]), y: tf.tensor1d([3, 5]) });
 * assertEquals(scores, { loss: 2, mae: 1 });
 * ```
 */
export function evaluate(
  model: tf.LayersModel,
  data: FitData,
  options: EvaluateOptions = {},
): Record<string, number> {
  checkOptionKeys(options, Object.keys(EVALUATE_OPTIONS), "evaluate()");
  checkModel(model, "evaluate");
  const objective = compiledObjective(model, "evaluate");
  const batchSize = checkInt("evaluate", "batchSize", options.batchSize ?? 4096, 1);
  if (data === null || typeof data !== "object") {
    throw new TypeError(`evaluate(): expected data { x, y }, found ${describe(data)}`);
  }
  const shape = modelShape(model);
  const x = inputColumns(model, shape, data.x, "evaluate", "data.x");
  const y = targetColumn(shape, objective, data.y, x.n, "evaluate", "data.y");
  if (x.n === 0) throw new RangeError("evaluate(): expected at least one sample, found 0");
  checkFiniteTargets(y, "evaluate", "data.y");
  const { terms } = collectPenalties(model, "evaluate");
  return evaluateColumns(model, forwardPlan(model), objective, [x, y], batchSize, terms);
}

/** Every option of {@linkcode predictOutputs} (the type makes the list complete). */
const PREDICT_OPTIONS: Record<keyof PredictOptions, true> = { batchSize: true };

/**
 * Runs the model forward in inference mode and returns its outputs as one flat array.
 *
 * @param model A model (compiled or not).
 * @param x One tensor per model input.
 * @param options Batch size.
 * @returns `n × outputSize` values, sample after sample (one per sample for a rating model).
 * @throws {TypeError} On an unknown option (naming it and the option it most likely meant).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { predictOutputs } from "./fit.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], useBias: false, kernelInitializer: "ones" })] });
 * assertEquals(predictOutputs(model, tf.tensor2d([[1, 2], [3, 4]])), Float32Array.of(3, 7));
 * ```
 */
export function predictOutputs(
  model: tf.LayersModel,
  x: tf.Tensor | tf.Tensor[],
  options: PredictOptions = {},
): Float32Array {
  checkModel(model, "predictOutputs");
  checkOptionKeys(options, Object.keys(PREDICT_OPTIONS), "predictOutputs()");
  const batchSize = checkInt("predictOutputs", "batchSize", options.batchSize ?? 4096, 1);
  const xcols = inputColumns(model, modelShape(model), x, "predictOutputs", "x");
  const plan = forwardPlan(model);
  let out = new Float32Array(0);
  for (let start = 0; start < xcols.n; start += batchSize) {
    const end = Math.min(xcols.n, start + batchSize);
    // The tensor leaves the tidy, not its values: tfjs looks for tensors in whatever a tidy
    // returns, and walks a typed array value by value (1.9 s of notebook 06's 30).
    const y = tf.tidy(() => runForward(model, plan, batchTensors(xcols, start, end), false)[0]);
    let values: Float32Array;
    try {
      values = y.dataSync() as Float32Array;
    } finally {
      y.dispose();
    }
    const width = values.length / (end - start);
    if (start === 0) out = new Float32Array(xcols.n * width);
    out.set(values, start * width);
  }
  return out;
}
