/**
 * Rating-prediction errors on the original star scale: MSE, RMSE and MAE, always computed from
 * predictions (never read off a training loss, which includes the regulariser).
 *
 * @module
 */

import { checkFinite, describe, isNumbers, type Numbers } from "../_validate.ts";

export type { Numbers };

/** The three rating errors of one set of predictions. */
export interface RatingMetrics {
  /** Mean squared error, in squared stars. */
  mse: number;
  /** Root mean squared error, in stars. */
  rmse: number;
  /** Mean absolute error, in stars. */
  mae: number;
  /** Number of (true, predicted) pairs. */
  n: number;
}

function checkPair(yTrue: Numbers, yPred: Numbers, who: string): void {
  if (!isNumbers(yTrue)) {
    throw new TypeError(
      `${who}: expected yTrue to be an array of numbers, found ${describe(yTrue)}`,
    );
  }
  if (!isNumbers(yPred)) {
    throw new TypeError(
      `${who}: expected yPred to be an array of numbers, found ${describe(yPred)}`,
    );
  }
  if (yTrue.length !== yPred.length) {
    throw new RangeError(
      `${who}: expected yTrue and yPred of the same length, found ${yTrue.length} and ${yPred.length}`,
    );
  }
  if (yTrue.length === 0) {
    throw new RangeError(`${who}: expected at least one rating, found empty arrays`);
  }
  checkFinite(yTrue, "yTrue", who);
  checkFinite(yPred, "yPred", who);
}

function sums(yTrue: Numbers, yPred: Numbers): { sq: number; abs: number } {
  let sq = 0, abs = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = yPred[i] - yTrue[i];
    sq += d * d;
    abs += Math.abs(d);
  }
  return { sq, abs };
}

/**
 * Mean squared error, `mean((yPred - yTrue)²)`.
 *
 * @param yTrue True ratings.
 * @param yPred Predicted ratings, same length.
 * @returns The MSE (squared stars).
 * @example
 * ```ts
 * import { mse } from "./rating_metrics.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(mse([4, 3], [3.5, 3]), 0.125);
 * ```
 */
export function mse(yTrue: Numbers, yPred: Numbers): number {
  checkPair(yTrue, yPred, "mse()");
  return sums(yTrue, yPred).sq / yTrue.length;
}

/**
 * Root mean squared error, `sqrt(mse)`, in stars.
 *
 * @param yTrue True ratings.
 * @param yPred Predicted ratings, same length.
 * @returns The RMSE.
 * @example
 * ```ts
 * import { rmse } from "./rating_metrics.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(rmse([1, 5], [2, 4]), 1);
 * ```
 */
export function rmse(yTrue: Numbers, yPred: Numbers): number {
  checkPair(yTrue, yPred, "rmse()");
  return Math.sqrt(sums(yTrue, yPred).sq / yTrue.length);
}

/**
 * Mean absolute error, `mean(|yPred - yTrue|)`, in stars.
 *
 * @param yTrue True ratings.
 * @param yPred Predicted ratings, same length.
 * @returns The MAE.
 * @example
 * ```ts
 * import { mae } from "./rating_metrics.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(mae([4, 3], [3, 3.5]), 0.75);
 * ```
 */
export function mae(yTrue: Numbers, yPred: Numbers): number {
  checkPair(yTrue, yPred, "mae()");
  return sums(yTrue, yPred).abs / yTrue.length;
}

/**
 * MSE, RMSE and MAE in one pass.
 *
 * @param yTrue True ratings.
 * @param yPred Predicted ratings, same length.
 * @returns `{ mse, rmse, mae, n }`.
 * @example
 * ```ts
 * import { ratingMetrics } from "./rating_metrics.ts";
 * import { assertEquals } from "@std/assert";
 * const m = ratingMetrics([4, 2], [3, 4]);
 * assertEquals(m, { mse: 2.5, rmse: Math.sqrt(2.5), mae: 1.5, n: 2 });
 * ```
 */
export function ratingMetrics(yTrue: Numbers, yPred: Numbers): RatingMetrics {
  checkPair(yTrue, yPred, "ratingMetrics()");
  const { sq, abs } = sums(yTrue, yPred);
  const n = yTrue.length;
  return { mse: sq / n, rmse: Math.sqrt(sq / n), mae: abs / n, n };
}
