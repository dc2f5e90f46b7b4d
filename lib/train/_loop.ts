/**
 * The training loop of `fit`: one epoch ({@linkcode trainEpoch}) is a seeded shuffle, then one
 * step per batch ({@linkcode trainStep}: forward pass on the gradient tape, loss plus the
 * penalties the optimizer does not fuse, gradients, update, metrics); after it, the
 * validation pass ({@linkcode evaluateColumns}).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { allLayers, fieldsOf, TRAINING_ONLY_LAYERS } from "../_tfjs_internals.ts";
import { interruptCheck, interruptDue } from "../_interrupt.ts";
import type { Rng } from "../random.ts";
import { batchTensors, type Columns, permuteColumns } from "./_batches.ts";
import { runForward } from "./_graph.ts";
import type { Objective } from "./_losses.ts";
import { penaltyTensor, type PenaltyTerm } from "./_penalties.ts";
import type { OptimizerDriver, Run } from "./_setup.ts";
import type { ForwardPlan } from "./_graph.ts";
import type { FailedBatch } from "./_failure.ts";
import type { TrainingProgress } from "./progress.ts";
import type { StepSchedule } from "./schedule.ts";
import { found } from "../_validate.ts";

/** Running sums over one pass, weighted by batch size. */
export class Accumulator {
  sums: Float64Array;
  count = 0;
  constructor(readonly names: string[]) {
    this.sums = new Float64Array(names.length);
  }
  add(values: number[], n: number) {
    for (let i = 0; i < values.length; i++) this.sums[i] += values[i] * n;
    this.count += n;
  }
  means(): Record<string, number> {
    const out: Record<string, number> = {};
    this.names.forEach((name, i) => (out[name] = this.sums[i] / this.count));
    return out;
  }
}

/** One batch of the epoch: samples `[start, end)` of the (shuffled) columns. */
interface Batch {
  x: Columns;
  y: Columns;
  start: number;
  end: number;
}

/** What a step measured: the loss (non-finite: the update was skipped or overflowed) and metrics. */
export interface StepResult {
  loss: number;
  metrics: number[];
  /** Whether the optimizer applied the update. */
  applied: boolean;
}

/**
 * `tf.variableGrads(f, variables)`, except when `f` throws (a custom loss that fails, say):
 * tfjs frees what its gradient tape saved for the backward pass only when a backward pass
 * runs, so every failed step would keep those tensors for good. Here the failed step ends on
 * a zero that depends on a trainable variable, tfjs' backward pass frees the whole tape, and
 * the error is rethrown.
 *
 * @param f The loss, recorded on the tape.
 * @param variables The variables to differentiate (at least one trainable, as tfjs requires).
 * @returns The loss and the gradients, as `tf.variableGrads` returns them.
 */
export function variableGradsFreeingTape(
  f: () => tf.Scalar,
  variables: tf.Variable[],
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  let failure: { error: unknown } | null = null;
  const result = tf.variableGrads(() => {
    try {
      return f();
    } catch (error) {
      failure = { error };
      const anchor = variables.find((v) => v.trainable) ?? variables[0];
      return tf.mul(tf.sum(anchor), 0) as tf.Scalar;
    }
  }, variables);
  if (failure !== null) {
    tf.dispose([result.value, ...Object.values(result.grads)]);
    throw (failure as { error: unknown }).error;
  }
  return result;
}

/**
 * One training step on one batch.
 *
 * @param run The run (model, plan, objective).
 * @param driver The optimizer.
 * @param batch The batch.
 * @returns The loss (penalties included), metrics, and whether the update was applied.
 */
export function trainStep(run: Run, driver: OptimizerDriver, batch: Batch): StepResult {
  const { model, plan, objective } = run;
  const xs = batchTensors(batch.x, batch.start, batch.end);
  const y = batchTensors(batch.y, batch.start, batch.end)[0];
  const needPred = objective.metrics.length > 0;
  let pred: tf.Tensor | null = null;
  try {
    const { value, grads } = variableGradsFreeingTape(() => {
      const out = runForward(model, plan, xs, true)[0];
      if (needPred) pred = tf.keep(out);
      const dataLoss = objective.loss(y, out);
      const p = penaltyTensor(driver.tapeTerms);
      return p === null ? dataLoss : tf.add(dataLoss, p) as tf.Scalar;
    }, run.variables);
    let loss = value.dataSync()[0];
    value.dispose();
    if (!Number.isFinite(loss)) {
      tf.dispose(grads);
      return { loss, metrics: [], applied: false };
    }
    driver.apply(grads);
    tf.dispose(grads);
    loss += driver.lastPenalty();
    const p = pred as tf.Tensor | null;
    const metrics = p === null
      ? []
      : tf.tidy(() => objective.metrics.map((fn) => fn(y, p).dataSync()[0]));
    return { loss, metrics, applied: true };
  } finally {
    if (pred !== null) (pred as tf.Tensor).dispose();
    tf.dispose(xs);
    y.dispose();
  }
}

/** The seed field of a layer that draws training noise. */
interface NoiseSeed {
  seed?: number;
}

/**
 * The classes whose training noise `fit` seeds before every step, through a `seed` field: the
 * layers that act only in training, but for batch normalisation, which draws nothing.
 */
const SEEDED_NOISE_LAYERS: ReadonlySet<string> = new Set(
  Object.keys(TRAINING_ONLY_LAYERS).filter((c) => c !== "BatchNormalization"),
);

/**
 * The layers of `model` (nested models included, in order) that draw noise while training:
 * stock `Dropout` and `SpatialDropout1D`, which draw from `Math.random` unless seeded, and
 * `GaussianNoise`, `GaussianDropout` and `AlphaDropout`, whose seeded call (`kernels/noise.ts`)
 * reads a `seed` field that tfjs does not give them. Each comes with its own seed, which `fit`
 * puts back afterwards.
 *
 * @param model The model.
 * @returns The layers' seed fields and their values before training.
 */
export function noiseLayers(model: tf.LayersModel): Array<{ layer: NoiseSeed; seed?: number }> {
  return allLayers(model).filter((layer) => SEEDED_NOISE_LAYERS.has(layer.getClassName()))
    .map((layer) => {
      const l = fieldsOf<NoiseSeed>(layer);
      return { layer: l, seed: l.seed };
    });
}

/**
 * The learning rate `schedule` gives a step, checked: a rate that is not a finite number > 0
 * would train with gradient ascent, not at all, or into NaN weights reported as a divergence.
 *
 * @param schedule The run's schedule.
 * @param epoch Absolute 1-based epoch.
 * @param step 0-based step of the training call.
 * @param steps Steps of the whole call.
 * @returns The rate.
 * @throws {RangeError} Naming the epoch, the step and the value the schedule gave.
 */
export function scheduledRate(
  schedule: StepSchedule,
  epoch: number,
  step: number,
  steps: number,
): number {
  const lr = schedule({ epoch, step, steps });
  if (typeof lr !== "number" || !(lr > 0) || !Number.isFinite(lr)) {
    throw new RangeError(
      `fit(): expected the schedule to give a learning rate that is a finite number > 0, found ` +
        `${found(lr)} for epoch ${epoch}, step ${step} (0-based, of ${steps} in this call)`,
    );
  }
  return lr;
}

/** Yields to the event loop (so that a live Jupyter line can be sent). */
export const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Trains one epoch: shuffles the samples (seeded by the epoch's generator), seeds the layers
 * that draw noise (dropouts, Gaussian noise) for every step, and runs every batch.
 *
 * @param run The run.
 * @param driver The optimizer.
 * @param epoch Absolute 1-based epoch (for the progress line).
 * @param rng The epoch's generator.
 * @param progress The progress line.
 * @returns The epoch's mean training logs, or the step that failed.
 */
export async function trainEpoch(
  run: Run,
  driver: OptimizerDriver,
  epoch: number,
  rng: Rng,
  progress: TrainingProgress,
  noisy: Array<{ layer: NoiseSeed }>,
): Promise<{ logs: Record<string, number> } | { failed: FailedBatch }> {
  const [tx, ty] = run.train;
  const n = tx.n;
  const order = run.shuffle ? rng.permutation(n) : null;
  const x = order ? permuteColumns(tx, order) : tx;
  const y = order ? permuteColumns(ty, order) : ty;
  const acc = new Accumulator(run.trainKeys);
  const first = (epoch - run.initialEpoch - 1) * run.steps;
  const totalSteps = run.epochs * run.steps;
  for (let b = 0; b < run.steps; b++) {
    const start = b * run.batchSize, end = Math.min(n, start + run.batchSize);
    for (const d of noisy) d.layer.seed = rng.uint32();
    if (run.schedule) driver.setRate(scheduledRate(run.schedule, epoch, first + b, totalSteps));
    const result = trainStep(run, driver, { x, y, start, end });
    if (!Number.isFinite(result.loss)) {
      const { loss, applied } = result;
      return { failed: { batch: b + 1, start, end, loss, applied, x, y, order } };
    }
    acc.add([result.loss, ...result.metrics], end - start);
    // One yield to the event loop serves both: a redrawn progress line leaves, and an interrupt
    // is taken (a separate yield for each cost a second 2 ms right after the first).
    const drawn = progress.active && progress.batch(epoch, b + 1, () => acc.means());
    if (drawn || interruptDue()) await interruptCheck(() => stoppedAt(epoch, b + 1, run.steps));
  }
  return { logs: acc.means() };
}

/**
 * Where an interrupted loop stopped, and what the model keeps, for the error's message.
 *
 * @param epoch The epoch (absolute, 1-based).
 * @param batch The last batch run in it (1-based).
 * @param batches Batches per epoch.
 * @returns For example "in epoch 3, batch 120/1262: the model keeps its weights after that
 *   batch, and epoch 3 counts as not done (training again starts it anew from those weights)".
 */
export function stoppedAt(epoch: number, batch: number, batches: number): string {
  return `in epoch ${epoch}, batch ${batch}/${batches}: the model keeps its weights after that ` +
    `batch, and epoch ${epoch} counts as not done (training again starts it anew from those ` +
    "weights)";
}

/**
 * Loss (data + penalty) and metrics over a data set, in inference mode.
 *
 * @param model The model.
 * @param plan Its forward plan.
 * @param objective The compiled loss and metrics.
 * @param data Inputs and targets.
 * @param batchSize Samples per forward pass.
 * @param terms Penalty terms added to the loss.
 * @returns `{ loss, <metric>: value, … }`.
 */
export function evaluateColumns(
  model: tf.LayersModel,
  plan: ForwardPlan,
  objective: Objective,
  data: [Columns, Columns],
  batchSize: number,
  terms: PenaltyTerm[],
): Record<string, number> {
  const [xcols, ycols] = data;
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
  if (terms.length > 0) logs.loss += tf.tidy(() => penaltyTensor(terms)!.dataSync()[0]);
  return logs;
}
