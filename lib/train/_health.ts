/**
 * Private: what the engine knows about whether a model can still be used — its "diverged"
 * mark, set by `fit` when training broke the weights, and a scan of its weights for NaN,
 * infinite or overflowing values. The scan is remembered until a weight changes: a weight
 * given a new value gets a new data buffer, and every in-place update of the fused Adam
 * counts as a write ({@linkcode noteWeightsWritten}), so checking a model before every
 * prediction costs one pass over its weights only after training.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";

/** Why `fit` marked a model as unusable. */
export interface Divergence {
  /** 1-based absolute epoch of the batch whose loss was not finite. */
  epoch: number;
  /** 1-based batch within that epoch. */
  batch: number;
  /** The loss found (NaN or ±Infinity). */
  loss: number;
  /** The learning rate of that batch (NaN when the optimizer has none to read). */
  learningRate: number;
  /** What was wrong with the weights, e.g. "they reach 3.2e+30 (dense_1/kernel) …". */
  reason: string;
  /**
   * Whether it happened before the model's first update (first batch of a never-trained
   * model): the weights it was built or given were unusable, and no learning rate is to blame.
   */
  beforeUpdate?: boolean;
}

/** What a pass over a model's weights found. */
export interface WeightScan {
  /** Values that are NaN or ±Infinity, over every weight. */
  nonFinite: number;
  /** Name of the first weight holding one, or null. */
  nonFiniteIn: string | null;
  /** Largest finite absolute value. */
  maxAbs: number;
  /** Name of the weight holding it ("" for a model without weights). */
  maxAbsIn: string;
}

/** Writes made in place (the fused Adam): any of them may have changed any model's weights. */
let inPlaceWrites = 0;

/** Counts one in-place update of some weights (called by the fused Adam at every step). */
export function noteWeightsWritten(): void {
  inPlaceWrites++;
}

/** The data buffers of a model's weights: a weight given a new value gets a new one. */
function buffers(model: tf.LayersModel): object[] {
  return model.weights.map((w) => w.read().dataId);
}

function sameBuffers(a: object[], b: object[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

const marks = new WeakMap<tf.LayersModel, { divergence: Divergence; buffers: object[] }>();
const scans = new WeakMap<
  tf.LayersModel,
  { scan: WeightScan; buffers: object[]; writes: number }
>();

/**
 * Marks `model` as diverged. The mark stays until every weight of the model is given a new
 * value (`model.setWeights`, loading weights): then the weights are the caller's, checked
 * again by the scan.
 */
export function markDiverged(model: tf.LayersModel, divergence: Divergence): void {
  marks.set(model, { divergence, buffers: buffers(model) });
}

/** The divergence mark of `model`, or null (none, or every weight replaced since). */
export function divergenceOf(model: tf.LayersModel): Divergence | null {
  const mark = marks.get(model);
  if (mark === undefined) return null;
  const now = buffers(model);
  if (now.every((id) => !mark.buffers.includes(id))) {
    marks.delete(model);
    return null;
  }
  return mark.divergence;
}

/**
 * Scans every weight of `model` (trainable or not) for NaN, infinite and largest values;
 * remembered until a weight changes.
 */
export function scanWeights(model: tf.LayersModel): WeightScan {
  const ids = buffers(model);
  const cached = scans.get(model);
  if (cached && cached.writes === inPlaceWrites && sameBuffers(cached.buffers, ids)) {
    return cached.scan;
  }
  const scan: WeightScan = { nonFinite: 0, nonFiniteIn: null, maxAbs: 0, maxAbsIn: "" };
  for (const w of model.weights) {
    const values = w.read().dataSync();
    let bad = 0, max = 0;
    for (let i = 0; i < values.length; i++) {
      const a = Math.abs(values[i]);
      if (a > max) {
        if (a === Infinity) bad++;
        else max = a;
      } else if (a !== a) bad++;
    }
    if (bad > 0) {
      scan.nonFinite += bad;
      scan.nonFiniteIn ??= w.name;
    }
    if (max > scan.maxAbs || scan.maxAbsIn === "") {
      scan.maxAbs = max;
      scan.maxAbsIn = w.name;
    }
  }
  scans.set(model, { scan, buffers: ids, writes: inPlaceWrites });
  return scan;
}

/** A number for messages: 3 significant digits, exponent form when huge or tiny. */
export function short(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  const a = Math.abs(x);
  return a >= 1e5 || a < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

/** "12 NaN or infinite values (the first in dense_1/kernel)", for messages. */
export function describeNonFinite(scan: WeightScan): string {
  return `${scan.nonFinite.toLocaleString("en-US")} NaN or infinite value${
    scan.nonFinite === 1 ? "" : "s"
  } (the first in ${scan.nonFiniteIn})`;
}
