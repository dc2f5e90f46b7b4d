/**
 * Shared shapes of the data layer: a train/test split, a rating scale, and the names of
 * ml-100k's predefined splits.
 *
 * @module
 */

import type { DataFrame } from "nodejs-polars";

/** Two disjoint parts of a ratings table. Callers rename `test` to `val` where it validates. */
export interface Split {
  /** The rows to fit on. */
  train: DataFrame;
  /** The held-out rows. */
  test: DataFrame;
}

/** The star scale of a data set: every rating is `min + k * step` for an integer k, ≤ `max`. */
export interface RatingScale {
  /** Lowest rating (0.5 in ml-latest-small, 1 in ml-100k). */
  min: number;
  /** Highest rating (5 in both). */
  max: number;
  /** Spacing of the allowed values (0.5 in ml-latest-small, 1 in ml-100k). */
  step: number;
}

/**
 * ml-100k's predefined splits: u1–u5 are the five disjoint 80/20 folds of a 5-fold cross
 * validation; ua/ub hold out exactly 10 ratings per user.
 */
export type PredefinedSplitName = "u1" | "u2" | "u3" | "u4" | "u5" | "ua" | "ub";

/** All predefined split names, in file order. */
export const PREDEFINED_SPLIT_NAMES: readonly PredefinedSplitName[] = [
  "u1",
  "u2",
  "u3",
  "u4",
  "u5",
  "ua",
  "ub",
];

/** Lazily loaded predefined splits of a data set (ml-100k only). */
export interface PredefinedSplits {
  /** The splits whose `.base` and `.test` files are both present. */
  names: PredefinedSplitName[];
  /** Reads and parses one split (`<name>.base` → train, `<name>.test` → test), memoized. */
  load(name: PredefinedSplitName): Promise<Split>;
}
