/**
 * Best-epoch tracking for `fit`: Keras 3's `EarlyStopping` rules (monitor, mode, min delta,
 * patience, baseline, start epoch, restore best weights) and a "keep the best weights"
 * checkpoint (seed 003's `deepcopy(state_dict)` whenever validation improves). Weights are
 * copied into typed arrays, because the fused optimizer updates variables in place.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { EarlyStoppingOptions, KeepBestWeightsOptions, MonitorMode } from "./fit_options.ts";

/** A copy of every weight of a model. */
export type WeightSnapshot = Array<{ values: Float32Array | Int32Array; shape: number[] }>;

/**
 * Copies the current value of every weight (trainable or not) of `model`.
 *
 * @param model The model.
 * @returns The copy.
 */
export function snapshotWeights(model: tf.LayersModel): WeightSnapshot {
  return model.weights.map((w) => {
    const t = w.read();
    const data = t.dataSync();
    const values = data instanceof Int32Array
      ? data.slice()
      : Float32Array.from(data as Float32Array);
    return { values, shape: t.shape.slice() };
  });
}

/**
 * Writes a snapshot back into `model`'s weights.
 *
 * @param model The model the snapshot was taken from.
 * @param snapshot The copy.
 */
export function restoreWeights(model: tf.LayersModel, snapshot: WeightSnapshot): void {
  const weights = model.weights;
  tf.tidy(() => {
    for (let i = 0; i < weights.length; i++) {
      const { values, shape } = snapshot[i];
      const variable = weights[i].read() as tf.Variable;
      variable.assign(tf.tensor(values.slice(), shape, variable.dtype));
    }
  });
}

/**
 * Resolves `"auto"` as Keras does: accuracies and AUCs are maximised, everything else minimised.
 *
 * @param monitor Key in the epoch logs.
 * @param mode Requested mode.
 * @returns `"min"` or `"max"`.
 */
export function resolveMode(monitor: string, mode: MonitorMode): "min" | "max" {
  if (mode !== "auto") return mode;
  return /acc|auc|precision|recall/i.test(monitor) ? "max" : "min";
}

/** Tracks the best value of one monitored figure. */
export class BestTracker {
  /** Best value so far, or `null` before the first epoch. */
  best: number | null = null;
  /** Absolute 1-based epoch of the best value. */
  bestEpoch: number | null = null;
  /** Weights at the best epoch (when asked to keep them). */
  weights: WeightSnapshot | null = null;
  readonly #sign: number;

  /**
   * @param monitor Key in the epoch logs.
   * @param mode `"min"` or `"max"`.
   * @param minDelta Smallest change that counts as an improvement.
   * @param keepWeights Whether to copy the weights at every improvement.
   */
  constructor(
    readonly monitor: string,
    mode: "min" | "max",
    readonly minDelta: number,
    readonly keepWeights: boolean,
  ) {
    this.#sign = mode === "min" ? 1 : -1;
  }

  /** Whether `value` beats `reference` by more than `minDelta` (NaN never does; null always loses). */
  beats(value: number, reference: number | null): boolean {
    if (!Number.isFinite(value)) return false;
    if (reference === null) return true;
    return this.#sign * (reference - value) > this.minDelta;
  }

  /** Records an epoch; returns whether it improved on the best. */
  observe(epoch: number, value: number, model: tf.LayersModel): boolean {
    if (!this.beats(value, this.best)) return false;
    this.best = value;
    this.bestEpoch = epoch;
    if (this.keepWeights) this.weights = snapshotWeights(model);
    return true;
  }
}

/** Keras 3 `EarlyStopping`, on top of a {@linkcode BestTracker}. */
export class EarlyStopper {
  /** Epochs since the last improvement (Keras' `wait`). */
  wait = 0;
  /** Absolute 1-based epoch at which training was stopped, or `null`. */
  stoppedEpoch: number | null = null;

  /**
   * @param tracker Tracks the monitored figure (and the best weights when restoring).
   * @param patience Epochs without improvement before stopping.
   * @param baseline Value to beat before the wait counter resets, or `null`.
   * @param startFromEpoch Epochs (absolute, from 1) not monitored: epochs 1 … startFromEpoch.
   */
  constructor(
    readonly tracker: BestTracker,
    readonly patience: number,
    readonly baseline: number | null,
    readonly startFromEpoch: number,
  ) {}

  /**
   * Records an epoch; returns whether training must stop.
   *
   * @param epoch Absolute 1-based epoch.
   * @param value The monitored value.
   * @param model The model (its weights are copied at an improvement when restoring).
   * @param firstEpoch The first epoch of this run (never stopped at, as in Keras).
   */
  observe(epoch: number, value: number, model: tf.LayersModel, firstEpoch: number): boolean {
    if (epoch <= this.startFromEpoch) return false;
    this.wait += 1;
    if (this.tracker.observe(epoch, value, model)) {
      if (this.baseline === null || this.tracker.beats(value, this.baseline)) this.wait = 0;
      return false;
    }
    if (this.wait >= this.patience && epoch > firstEpoch) {
      this.stoppedEpoch = epoch;
      return true;
    }
    return false;
  }
}

/** The monitors of one run: early stopping and "keep the best weights", each optional. */
export interface Monitors {
  /** Early stopping, or null. */
  stopper: EarlyStopper | null;
  /** The best-weights keeper, or null. */
  keeper: BestTracker | null;
}

function monitored(
  name: string,
  monitor: unknown,
  mode: unknown,
  keys: string[],
): { monitor: string; mode: "min" | "max" } {
  if (typeof monitor !== "string" || !keys.includes(monitor)) {
    throw new RangeError(
      `fit(): ${name}.monitor "${monitor}" is not reported by this run; expected one of ${
        keys.join(", ")
      }`,
    );
  }
  if (!["min", "max", "auto"].includes(mode as string)) {
    throw new RangeError(`fit(): expected ${name}.mode "min", "max" or "auto", found ${mode}`);
  }
  return { monitor, mode: resolveMode(monitor, mode as MonitorMode) };
}

function nonNegativeInt(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new RangeError(`fit(): expected ${name} to be an integer >= 0, found ${v}`);
  }
  return v;
}

/**
 * Checks the monitoring options against the keys the run reports and builds the monitors.
 *
 * @param earlyStopping `fit`'s `earlyStopping` option.
 * @param keepBestWeights `fit`'s `keepBestWeights` option.
 * @param keys The keys of the epoch logs (`loss`, metrics, `val_…`).
 * @returns The monitors.
 */
export function monitorsFor(
  earlyStopping: EarlyStoppingOptions | boolean | null | undefined,
  keepBestWeights: KeepBestWeightsOptions | boolean | undefined,
  keys: string[],
): Monitors {
  let stopper: EarlyStopper | null = null;
  let keeper: BestTracker | null = null;
  if (earlyStopping) {
    const es = earlyStopping === true ? {} : earlyStopping;
    const spec = monitored("earlyStopping", es.monitor ?? "val_loss", es.mode ?? "auto", keys);
    const minDelta = Math.abs(es.minDelta ?? 0);
    if (!Number.isFinite(minDelta)) {
      throw new RangeError(
        `fit(): expected earlyStopping.minDelta to be finite, found ${es.minDelta}`,
      );
    }
    stopper = new EarlyStopper(
      new BestTracker(spec.monitor, spec.mode, minDelta, es.restoreBestWeights ?? false),
      nonNegativeInt("earlyStopping.patience", es.patience ?? 0),
      es.baseline ?? null,
      nonNegativeInt("earlyStopping.startFromEpoch", es.startFromEpoch ?? 0),
    );
  }
  if (keepBestWeights) {
    const kb = keepBestWeights === true ? {} : keepBestWeights;
    const spec = monitored("keepBestWeights", kb.monitor ?? "val_loss", kb.mode ?? "auto", keys);
    keeper = new BestTracker(spec.monitor, spec.mode, 0, true);
  }
  return { stopper, keeper };
}
