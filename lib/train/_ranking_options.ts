/**
 * The option names the ranking loop's two entry points share: `fitRanking()` (ranking.ts) and
 * `trainRanking()` (models/train_ranking.ts) each add their own to this list for their checks of
 * unknown keys.
 *
 * @module
 */

import type { FitRankingOptions } from "./ranking.ts";

/** The options both entry points take (the type makes the list complete). */
export const RANKING_LOOP_OPTIONS: Readonly<
  Record<keyof Omit<FitRankingOptions, "optimizer" | "initialEpoch">, true>
> = Object.freeze({
  loss: true,
  epochs: true,
  batchUsers: true,
  l2: true,
  l2Power: true,
  penalty: true,
  negatives: true,
  seed: true,
  verbose: true,
  onEpochEnd: true,
});
