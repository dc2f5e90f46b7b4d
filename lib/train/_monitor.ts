/**
 * Best-epoch tracking for `fit`: Keras 3's `EarlyStopping` rules (monitor, mode, min delta,
 * patience, baseline, start epoch, restore best weights) and a "keep the best weights"
 * checkpoint (seed 003's `deepcopy(state_dict)` whenever validation improves). Weights are
 * copied into typed arrays, because the fused optimizer updates variables in place.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import {
  checkBoolean,
  checkFiniteNumber,
  checkInteger,
  checkOptionKeys,
  describe,
} from "../_validate.ts";
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

/** Every field of `earlyStopping` (the type makes the list complete). */
const EARLY_STOPPING_FIELDS: Record<keyof EarlyStoppingOptions, true> = {
  monitor: true,
  patience: true,
  minDelta: true,
  mode: true,
  restoreBestWeights: true,
  baseline: true,
  startFromEpoch: true,
};

/** Every field of `keepBestWeights` (the type makes the list complete). */
const KEEP_BEST_WEIGHTS_FIELDS: Record<keyof KeepBestWeightsOptions, true> = {
  monitor: true,
  mode: true,
};

/** The fields of a monitor option given as an object, checked; `{}` for `true`, null for off. */
function monitorFields(
  value: unknown,
  name: "earlyStopping" | "keepBestWeights",
  fields: readonly string[],
  who: string,
  off: readonly unknown[],
): Record<string, unknown> | null {
  if (off.includes(value)) return null;
  if (value === true) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `${who}: expected ${name} to be true, false${
        off.includes(null) ? ", null" : ""
      } or an object of its options (${fields.join(", ")}), found ${describe(value)}`,
    );
  }
  const given = checkOptionKeys(value, fields, who, `${name}.`);
  if (given.monitor !== undefined && typeof given.monitor !== "string") {
    throw new TypeError(
      `${who}: expected ${name}.monitor to be a key of the epoch logs ("val_loss", …), found ${
        describe(given.monitor)
      }`,
    );
  }
  if (given.mode !== undefined && !["min", "max", "auto"].includes(given.mode as string)) {
    const Class = typeof given.mode === "string" ? RangeError : TypeError;
    throw new Class(
      `${who}: expected ${name}.mode "min", "max" or "auto", found ${describe(given.mode)}`,
    );
  }
  return given;
}

/**
 * Checks the monitoring options of a `fit` or `train` call, before anything runs: each is
 * off, `true` or an object of known fields with values of the right type, so that a misspelt
 * field (`patients` for `patience`) is refused rather than run with its default.
 *
 * @param earlyStopping The `earlyStopping` option.
 * @param keepBestWeights The `keepBestWeights` option.
 * @param who The calling function, for messages (`"train()"`).
 * @throws {TypeError} For a value of the wrong type, or an unknown field (naming the field it
 *   most likely meant).
 * @throws {RangeError} For a field of the right type but a bad value (a negative patience).
 */
export function checkMonitorOptions(
  earlyStopping: unknown,
  keepBestWeights: unknown,
  who: string,
): void {
  const es = monitorFields(
    earlyStopping,
    "earlyStopping",
    Object.keys(EARLY_STOPPING_FIELDS),
    who,
    [undefined, null, false],
  );
  if (es !== null) {
    for (const field of ["patience", "startFromEpoch"]) {
      if (es[field] !== undefined) {
        checkInteger(es[field], `earlyStopping.${field}`, who, { min: 0 });
      }
    }
    if (es.minDelta !== undefined) {
      checkFiniteNumber(es.minDelta, "earlyStopping.minDelta", who);
    }
    if (es.baseline !== undefined && es.baseline !== null) {
      checkFiniteNumber(es.baseline, "earlyStopping.baseline", who);
    }
    if (es.restoreBestWeights !== undefined) {
      checkBoolean(es.restoreBestWeights, "earlyStopping.restoreBestWeights", who);
    }
  }
  monitorFields(
    keepBestWeights,
    "keepBestWeights",
    Object.keys(KEEP_BEST_WEIGHTS_FIELDS),
    who,
    [undefined, false],
  );
}

function monitored(
  name: string,
  monitor: string,
  mode: MonitorMode,
  keys: string[],
): { monitor: string; mode: "min" | "max" } {
  if (!keys.includes(monitor)) {
    throw new RangeError(
      `fit(): ${name}.monitor "${monitor}" is not reported by this run; expected one of ${
        keys.join(", ")
      }`,
    );
  }
  return { monitor, mode: resolveMode(monitor, mode) };
}

/**
 * Checks the monitoring options (see {@linkcode checkMonitorOptions}) and the keys they watch
 * against those the run reports, and builds the monitors.
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
  checkMonitorOptions(earlyStopping, keepBestWeights, "fit()");
  let stopper: EarlyStopper | null = null;
  let keeper: BestTracker | null = null;
  if (earlyStopping) {
    const es = earlyStopping === true ? {} : earlyStopping;
    const spec = monitored("earlyStopping", es.monitor ?? "val_loss", es.mode ?? "auto", keys);
    stopper = new EarlyStopper(
      new BestTracker(
        spec.monitor,
        spec.mode,
        Math.abs(es.minDelta ?? 0),
        es.restoreBestWeights ?? false,
      ),
      es.patience ?? 0,
      es.baseline ?? null,
      es.startFromEpoch ?? 0,
    );
  }
  if (keepBestWeights) {
    const kb = keepBestWeights === true ? {} : keepBestWeights;
    const spec = monitored("keepBestWeights", kb.monitor ?? "val_loss", kb.mode ?? "auto", keys);
    keeper = new BestTracker(spec.monitor, spec.mode, 0, true);
  }
  return { stopper, keeper };
}
