/**
 * Evaluation: rating errors (MSE, RMSE, MAE), the global-mean, movie-mean and user + movie bias
 * baselines, top-k ranking metrics with a relevance threshold, a predictions table, and a
 * side-by-side table of several models (also on subsets such as movies unseen in training),
 * and the top-k protocol on implicit feedback with its most-popular, item-kNN and EASE
 * baselines.
 *
 * @module
 */

export * from "./rating_metrics.ts";
export * from "./baselines.ts";
export * from "./ranking_metrics.ts";
export * from "./predictions_table.ts";
export * from "./comparison.ts";
export * from "./ranking_protocol.ts";
export * from "./ranking_baselines.ts";
export * from "./ease.ts";
