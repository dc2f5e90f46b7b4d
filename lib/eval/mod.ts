/**
 * Evaluation: rating errors (MSE, RMSE, MAE), the global-mean, movie-mean and user + movie bias
 * baselines, top-k ranking metrics with a relevance threshold, and a predictions table.
 *
 * @module
 */

export * from "./rating_metrics.ts";
export * from "./baselines.ts";
export * from "./ranking_metrics.ts";
export * from "./predictions_table.ts";
