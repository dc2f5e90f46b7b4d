/**
 * Private: what went wrong when a batch's loss was not finite, found once, after the failure
 * (nothing is checked or copied while training goes well). Either the model is broken — its
 * weights hold NaN or infinite values, or are so large that its outputs or its weight penalty
 * overflow — and `fit` marks it as diverged; or the model is fine and the data (a NaN target)
 * or the loss function are to blame, and the weights are those before the batch.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { batchTensors, type Columns } from "./_batches.ts";
import { runForward } from "./_graph.ts";
import { describeNonFinite, scanWeights, short } from "./_health.ts";
import { penaltyTensor } from "./_penalties.ts";
import type { Run } from "./_setup.ts";

/** A step whose loss was not finite, with the epoch's (shuffled) data to look at. */
export interface FailedBatch {
  /** 1-based batch within the epoch. */
  batch: number;
  /** The batch's first and one-past-last sample in the epoch's order. */
  start: number;
  end: number;
  /** The loss found. */
  loss: number;
  /** Whether the optimizer applied the update (a fused weight penalty overflowed). */
  applied: boolean;
  /** The epoch's inputs and targets, in its order. */
  x: Columns;
  y: Columns;
  /** The epoch's order (sample `i` of the epoch is sample `order[i]` of the data), or null. */
  order: Int32Array | null;
}

/** What the failure says about the model. */
export type Diagnosis =
  /** The weights are unusable: `reason` says how. */
  | { diverged: true; reason: string }
  /** The weights are fine and those before the batch: `detail` says what was not. */
  | { diverged: false; detail: string };

/** The first non-finite value of columns `[start, end)`: sample (in the data's order) and value. */
function firstNonFinite(
  data: Columns,
  start: number,
  end: number,
  order: Int32Array | null,
): { sample: number; value: number; column: number } | null {
  for (let c = 0; c < data.columns.length; c++) {
    const { values, width } = data.columns[c];
    for (let i = start * width; i < end * width; i++) {
      if (!Number.isFinite(values[i])) {
        const s = Math.floor(i / width);
        return { sample: order ? order[s] : s, value: values[i], column: c };
      }
    }
  }
  return null;
}

/**
 * Finds out whether the weights before the failed batch are usable.
 *
 * @param run The run.
 * @param failed The batch.
 * @returns The diagnosis.
 */
export function diagnose(run: Run, failed: FailedBatch): Diagnosis {
  const scan = scanWeights(run.model);
  const largest = `the largest weight is ${short(scan.maxAbs)}, in ${scan.maxAbsIn}`;
  if (scan.nonFinite > 0) {
    return { diverged: true, reason: `its weights hold ${describeNonFinite(scan)}` };
  }
  if (failed.applied) {
    return {
      diverged: true,
      reason: `the weight penalty overflowed (${largest}) and this batch's update was applied`,
    };
  }
  const { start, end, order } = failed;
  const badY = firstNonFinite(failed.y, start, end, order);
  if (badY) {
    return { diverged: false, detail: `the target of sample ${badY.sample} is ${badY.value}` };
  }
  const badX = firstNonFinite(failed.x, start, end, order);
  if (badX) {
    return {
      diverged: false,
      detail: `input ${badX.column + 1} of sample ${badX.sample} is ${badX.value}`,
    };
  }
  const [outputsFinite, penaltyFinite] = tf.tidy(() => {
    const xs = batchTensors(failed.x, start, end);
    const out = runForward(run.model, run.plan, xs, false)[0];
    const penalty = penaltyTensor(run.penalties.terms);
    return [
      tf.all(tf.isFinite(out)).dataSync()[0] === 1,
      penalty === null || Number.isFinite(penalty.dataSync()[0]),
    ];
  });
  if (!outputsFinite) {
    return { diverged: true, reason: `its outputs overflow (${largest})` };
  }
  if (!penaltyFinite) {
    return { diverged: true, reason: `its weight penalty overflows (${largest})` };
  }
  return {
    diverged: false,
    detail: `the model's outputs and the targets of this batch are finite, so the loss ` +
      `function itself gave ${failed.loss}`,
  };
}
