/**
 * Private: noticing a training loss that explodes by orders of magnitude without ever becoming
 * NaN (a learning rate far too high for a linear output: the loss of a dot model at 1e3 goes
 * to 1e14 and stays finite). Checked once per epoch, on the epoch's mean training loss, against
 * two yardsticks:
 *
 * - the loss of a model that knows nothing — predicting 0 for every sample under the squared
 *   (mean of y²) or absolute error (mean of |y|), equal odds under a cross-entropy (ln 2, or
 *   ln of the number of classes). A loss 1,000 times larger is not a matter of tuning: the
 *   weights have run away. Unknown losses have no such yardstick;
 * - the lowest epoch loss of the run so far, when positive: a loss 1,000 times larger than
 *   that, and larger than the know-nothing loss (or than the first epoch's for an unknown
 *   loss), has exploded.
 *
 * A well-behaved run never comes near either bound: its loss starts within a few times the
 * know-nothing loss (a model with N(0, 1) embeddings on 50 factors: about 5 times) and goes
 * down. One warning per run is recorded.
 *
 * @module
 */

import type { Columns } from "./_batches.ts";
import { short } from "./_health.ts";
import { MAE_NAMES, MSE_NAMES, SPARSE_NAMES } from "./_losses.ts";

/** How many times a yardstick an epoch loss may be before it counts as exploded. */
export const EXPLOSION_FACTOR = 1000;

const CROSS_ENTROPY = new Set([
  "binarycrossentropy",
  "binary_crossentropy",
  "categoricalcrossentropy",
  "categorical_crossentropy",
]);

/** A warning `fit` records in the history. */
export interface TrainingWarning {
  /** Absolute 1-based epoch it concerns. */
  epoch: number;
  /** What happened and what to do. */
  message: string;
}

/**
 * The loss of a model that knows nothing, with what it is, or null for a loss without one.
 *
 * @param lossName The compiled loss name.
 * @param y The training targets.
 * @param outputUnits Values per sample of the model's output.
 */
export function knowNothingLoss(
  lossName: string,
  y: Columns,
  outputUnits: number,
): { value: number; what: string } | null {
  const name = lossName.toLowerCase();
  const values = y.columns[0]?.values;
  if (MSE_NAMES.has(name) || MAE_NAMES.has(name)) {
    if (!values || values.length === 0) return null;
    const squared = MSE_NAMES.has(name);
    let sum = 0;
    for (let i = 0; i < values.length; i++) {
      sum += squared ? values[i] * values[i] : Math.abs(values[i]);
    }
    const value = sum / values.length;
    return value > 0 && Number.isFinite(value)
      ? { value, what: "predicting 0 for every sample" }
      : null;
  }
  if (name === "binarycrossentropy" || name === "binary_crossentropy") {
    // Targets outside 0–1 (ratings fed to the cross-entropy by mistake) make its scale arbitrary.
    if (values && values.some((v) => !(v >= 0 && v <= 1))) return null;
    return { value: Math.LN2, what: "predicting equal odds" };
  }
  if ((SPARSE_NAMES.has(name) || CROSS_ENTROPY.has(name)) && outputUnits > 1) {
    return { value: Math.log(outputUnits), what: "predicting every class equally likely" };
  }
  return null;
}

/** Watches the epoch losses of one run. */
export class LossWatch {
  #lowest = Infinity;
  #lowestEpoch = 0;
  #first = NaN;
  #warned = false;

  /** @param reference The know-nothing loss (see {@linkcode knowNothingLoss}), or null. */
  constructor(readonly reference: { value: number; what: string } | null) {}

  /**
   * Looks at one epoch's mean training loss.
   *
   * @param epoch Absolute 1-based epoch.
   * @param loss Its mean training loss.
   * @returns A warning the first time the loss has exploded in this run, else null.
   */
  observe(epoch: number, loss: number): TrainingWarning | null {
    const ref = this.reference;
    if (Number.isNaN(this.#first)) this.#first = loss;
    let why: string | null = null;
    if (ref !== null && loss > EXPLOSION_FACTOR * ref.value) {
      why = `over ${EXPLOSION_FACTOR.toLocaleString("en-US")} times the loss of ${ref.what} ` +
        `(${short(ref.value)})`;
    } else if (
      this.#lowest > 0 && loss > EXPLOSION_FACTOR * this.#lowest &&
      loss > (ref !== null ? ref.value : this.#first)
    ) {
      why = `over ${EXPLOSION_FACTOR.toLocaleString("en-US")} times its lowest value in this ` +
        `run (${short(this.#lowest)}, epoch ${this.#lowestEpoch})`;
    }
    if (loss < this.#lowest) {
      this.#lowest = loss;
      this.#lowestEpoch = epoch;
    }
    if (why === null || this.#warned) return null;
    this.#warned = true;
    return {
      epoch,
      message: `epoch ${epoch}: the loss exploded to ${short(loss)}, ${why}; the training ` +
        "diverged without reaching NaN and the model is unlikely to be of use: lower the " +
        "learning rate and train a new model",
    };
  }
}
