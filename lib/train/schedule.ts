/**
 * Learning-rate schedules stepped once per batch: fastai's one-cycle policy
 * (`fit_one_cycle`, after Smith 2018: a cosine warm-up from `max / divFactor` to `max`, then a
 * cosine annealing down to `max / finalDivFactor`) and an Adam that follows a schedule.
 *
 * The engine's `fit` sets a learning rate per call; a schedule changes it at every step
 * instead. {@linkcode ScheduledAdam} is the engine's fused Adam with one change: before each
 * update it sets `learningRate = schedule(step)`, so `model.compile({ optimizer })` and `fit`
 * work unchanged. With decoupled weight decay (AdamW) the decay follows the schedule too, as
 * in PyTorch and fastai.
 *
 * @module
 */

import { type AdamOptions, FusedAdam, type NamedTensor } from "./optimizer.ts";
import type * as tf from "@tensorflow/tfjs";
import { checkOptionKeys } from "../_options.ts";
import { ADAM_OPTION_NAMES } from "./_adam_options.ts";

/** A learning rate for every 0-based optimizer step. */
export type LearningRateSchedule = (step: number) => number;

/** Options of {@linkcode oneCycle}. */
export interface OneCycleOptions {
  /**
   * Share of the steps spent warming up (fastai's `pct_start`).
   * @default {0.25}
   */
  warmupFraction?: number;
  /**
   * The schedule starts at `maxLearningRate / divFactor`.
   * @default {25}
   */
  divFactor?: number;
  /**
   * The schedule ends at `maxLearningRate / finalDivFactor` (fastai's `div_final`).
   * @default {1e5}
   */
  finalDivFactor?: number;
}

function checkPositive(value: unknown, name: string, caller: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !(value > 0)) {
    throw new RangeError(`${caller}: expected ${name} > 0, found ${value}`);
  }
  return value;
}

/** Every option of {@linkcode oneCycle} (the type makes the list complete). */
const ONE_CYCLE_OPTIONS: Record<keyof OneCycleOptions, true> = {
  warmupFraction: true,
  divFactor: true,
  finalDivFactor: true,
};

/**
 * fastai's one-cycle schedule: cosine from `max / divFactor` up to `max` over the first
 * `warmupFraction` of the steps, then cosine down to `max / finalDivFactor` at the last step.
 * Steps past the end keep the final rate.
 *
 * @param maxLearningRate The peak learning rate.
 * @param totalSteps Optimizer steps in the whole run (epochs × batches per epoch).
 * @param options Warm-up share and the start and end divisors.
 * @returns The schedule.
 * @example
 * ```ts
 * import { oneCycle } from "./schedule.ts";
 * import { assertAlmostEquals, assertEquals } from "@std/assert";
 * const lr = oneCycle(0.01, 100);
 * assertAlmostEquals(lr(0), 0.0004, 1e-7);
 * assertEquals(lr(25), 0.01);
 * assertEquals(lr(99) < 1e-6, true);
 * ```
 */
export function oneCycle(
  maxLearningRate: number,
  totalSteps: number,
  options: OneCycleOptions = {},
): LearningRateSchedule {
  const caller = "oneCycle()";
  checkOptionKeys(options, Object.keys(ONE_CYCLE_OPTIONS), caller);
  checkPositive(maxLearningRate, "maxLearningRate", caller);
  if (!Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new RangeError(
      `${caller}: expected totalSteps to be an integer >= 1, found ${totalSteps}`,
    );
  }
  const { warmupFraction = 0.25, divFactor = 25, finalDivFactor = 1e5 } = options;
  if (typeof warmupFraction !== "number" || !(warmupFraction >= 0 && warmupFraction < 1)) {
    throw new RangeError(`${caller}: expected warmupFraction in [0, 1), found ${warmupFraction}`);
  }
  checkPositive(divFactor, "divFactor", caller);
  checkPositive(finalDivFactor, "finalDivFactor", caller);
  const start = maxLearningRate / divFactor, end = maxLearningRate / finalDivFactor;
  const warmup = Math.floor(totalSteps * warmupFraction);
  const cosine = (from: number, to: number, p: number) =>
    to + (from - to) / 2 * (1 + Math.cos(Math.PI * p));
  return (step: number) => {
    if (step < warmup) return cosine(start, maxLearningRate, step / warmup);
    const rest = totalSteps - 1 - warmup;
    return rest <= 0
      ? maxLearningRate
      : cosine(maxLearningRate, end, Math.min(1, (step - warmup) / rest));
  };
}

/**
 * The engine's fused Adam with a per-step learning-rate schedule. Create it with
 * {@linkcode scheduledAdam}.
 */
export class ScheduledAdam extends FusedAdam {
  /** The name tfjs serialisation knows this class by. */
  static override get className(): string {
    return "ScheduledAdam";
  }

  /** The schedule: learning rate of each 0-based step. */
  readonly schedule: LearningRateSchedule;

  /**
   * Creates the optimizer, starting at the schedule's step-0 learning rate.
   * @param schedule Learning rate per step.
   * @param options Adam's other hyper-parameters (its `learningRate` is replaced by the schedule).
   * @throws {TypeError} When `schedule` is not a function.
   */
  constructor(schedule: LearningRateSchedule, options: AdamOptions = {}) {
    if (typeof schedule !== "function") {
      throw new TypeError(
        `scheduledAdam(): expected a schedule function, found ${typeof schedule}`,
      );
    }
    super({ ...options, learningRate: schedule(0) });
    this.schedule = schedule;
  }

  /**
   * Sets the learning rate of this step from the schedule, then applies one Adam step.
   *
   * @param variableGradients Gradients by variable name, or a list of `{ name, tensor }`.
   */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const lr = this.schedule(this.iterations);
    if (!(Number.isFinite(lr) && lr >= 0)) {
      throw new RangeError(
        `ScheduledAdam: the schedule gave learning rate ${lr} at step ${this.iterations}; expected a finite number >= 0`,
      );
    }
    this.learningRate = lr;
    super.applyGradients(variableGradients);
  }
}

/**
 * An Adam whose learning rate follows `schedule`, step by step; pass it to `model.compile`.
 *
 * @param schedule Learning rate per 0-based step, e.g. {@linkcode oneCycle}.
 * @param options Adam's betas, epsilon and weight decay (`decay: "decoupled"` for AdamW).
 * @returns The optimizer.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "./backend.ts";
 * import { oneCycle, scheduledAdam } from "./schedule.ts";
 * import { assertEquals } from "@std/assert";
 * await setupBackend({ backend: "cpu" });
 * const w = tf.variable(tf.tensor1d([1]), true, "schedule_doc_w");
 * const opt = scheduledAdam(oneCycle(0.1, 10), { weightDecay: 0.01, decay: "decoupled" });
 * for (let i = 0; i < 10; i++) opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
 * assertEquals(opt.iterations, 10);
 * assertEquals(opt.learningRate < 1e-5, true);
 * opt.dispose();
 * w.dispose();
 * ```
 */
export function scheduledAdam(
  schedule: LearningRateSchedule,
  options: AdamOptions = {},
): ScheduledAdam {
  checkOptionKeys(options, ADAM_OPTION_NAMES, "scheduledAdam()");
  return new ScheduledAdam(schedule, options);
}

/**
 * A learning-rate schedule as JSON, the form a model's config stores and `train()` runs:
 * - `steps`: phases of constant rates, by absolute epoch (epoch 1 is the model's first), the
 *   last rate kept after the last phase (seed 000 lowers its rate by hand this way);
 * - `oneCycle`: fastai's one-cycle policy ({@linkcode oneCycle}) over the steps of each
 *   training call.
 */
export type ScheduleSpec =
  | { type: "steps"; phases: { learningRate: number; epochs: number }[] }
  | {
    type: "oneCycle";
    maxLearningRate: number;
    warmupFraction?: number;
    divFactor?: number;
    finalDivFactor?: number;
  };

/** Where a training step is. */
export interface StepPosition {
  /** Absolute epoch, counted from 1. */
  epoch: number;
  /** 0-based step within the training call. */
  step: number;
  /** Steps of the whole training call. */
  steps: number;
}

/** The learning rate of each step of a training call. */
export type StepSchedule = (at: StepPosition) => number;

/** Every field of a `"steps"` schedule (the type makes the list complete). */
const STEPS_FIELDS: Record<keyof Extract<ScheduleSpec, { type: "steps" }>, true> = {
  type: true,
  phases: true,
};

/** Every field of a phase of a `"steps"` schedule (the type makes the list complete). */
const PHASE_FIELDS: Record<keyof Extract<ScheduleSpec, { type: "steps" }>["phases"][number], true> =
  {
    learningRate: true,
    epochs: true,
  };

/** Every field of a `"oneCycle"` schedule (the type makes the list complete). */
const ONE_CYCLE_FIELDS: Record<keyof Extract<ScheduleSpec, { type: "oneCycle" }>, true> = {
  type: true,
  maxLearningRate: true,
  warmupFraction: true,
  divFactor: true,
  finalDivFactor: true,
};

/**
 * Checks a schedule spec and returns a copy.
 *
 * @param spec The candidate.
 * @param where Caller for messages.
 * @returns The spec, copied.
 * @example
 * ```ts
 * import { checkSchedule } from "./schedule.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(
 *   checkSchedule({ type: "oneCycle", maxLearningRate: 0.005 }, "doc").type,
 *   "oneCycle",
 * );
 * ```
 */
export function checkSchedule(spec: ScheduleSpec, where: string): ScheduleSpec {
  const type = (spec as { type?: unknown } | null)?.type;
  if (type === "steps") {
    checkOptionKeys(spec, Object.keys(STEPS_FIELDS), where, "schedule.");
    const phases = (spec as { phases?: unknown }).phases;
    if (!Array.isArray(phases) || phases.length === 0) {
      throw new RangeError(`${where}: expected schedule.phases to be a non-empty array`);
    }
    return {
      type,
      phases: phases.map((p, i) => {
        if (typeof p === "object" && p !== null && !Array.isArray(p)) {
          checkOptionKeys(p, Object.keys(PHASE_FIELDS), where, `schedule.phases[${i}].`);
        }
        checkPositive(p?.learningRate, `schedule.phases[${i}].learningRate`, where);
        if (!Number.isInteger(p?.epochs) || p.epochs < 1) {
          throw new RangeError(
            `${where}: expected schedule.phases[${i}].epochs to be an integer >= 1, found ${p?.epochs}`,
          );
        }
        return { learningRate: p.learningRate, epochs: p.epochs };
      }),
    };
  }
  if (type === "oneCycle") {
    checkOptionKeys(spec, Object.keys(ONE_CYCLE_FIELDS), where, "schedule.");
    const s = spec as Extract<ScheduleSpec, { type: "oneCycle" }>;
    const { type: _type, maxLearningRate, ...rest } = s;
    oneCycle(maxLearningRate, 2, rest); // checks every parameter
    return { ...s };
  }
  throw new TypeError(
    `${where}: expected a schedule of type "steps" or "oneCycle", found ${JSON.stringify(type)}`,
  );
}

/**
 * The per-step learning rates of a schedule spec.
 *
 * @param spec A checked spec (see {@linkcode checkSchedule}).
 * @returns The rate for each step of a training call.
 * @example
 * ```ts
 * import { scheduleFrom } from "./schedule.ts";
 * import { assertEquals } from "@std/assert";
 * const lr = scheduleFrom({ type: "steps", phases: [{ learningRate: 1e-3, epochs: 5 }, { learningRate: 1e-4, epochs: 3 }] });
 * assertEquals(lr({ epoch: 5, step: 0, steps: 1 }), 0.001);
 * assertEquals(lr({ epoch: 6, step: 0, steps: 1 }), 0.0001);
 * assertEquals(lr({ epoch: 99, step: 0, steps: 1 }), 0.0001);
 * ```
 */
export function scheduleFrom(spec: ScheduleSpec): StepSchedule {
  if (spec.type === "steps") {
    const ends: number[] = [];
    let total = 0;
    for (const p of spec.phases) ends.push(total += p.epochs);
    return ({ epoch }) => {
      const i = ends.findIndex((end) => epoch <= end);
      return spec.phases[i === -1 ? spec.phases.length - 1 : i].learningRate;
    };
  }
  // oneCycle()'s own options, by name: a saved config's spec may carry names it does not take.
  const { maxLearningRate, warmupFraction, divFactor, finalDivFactor } = spec;
  const options = { warmupFraction, divFactor, finalDivFactor };
  let cached: { steps: number; fn: LearningRateSchedule } | null = null;
  return ({ step, steps }) => {
    if (cached?.steps !== steps) {
      cached = { steps, fn: oneCycle(maxLearningRate, steps, options) };
    }
    return cached.fn(step);
  };
}
