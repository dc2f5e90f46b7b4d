/**
 * Models: one factory (`buildModel(kind, options)`) for the seven kinds the tutorials use —
 * `dot`, `dot-bias`, `mlp`, `bce`, `dlrm`, `hybrid`, `classifier` — each a few lines of stock
 * tfjs layers (`builders/`), compiled in one place, trained with the training engine, each
 * carrying its id encoders and target transform so that training, prediction, recommendation
 * and analysis take raw ids and speak stars. A model written as tfjs code in a notebook is
 * wrapped with `recommender()` and checked against its `buildModel` twin with
 * `compareModels()`. Recipes reproduce each tutorial's exact model; models save to and load
 * from a folder. A ranking model on implicit feedback trains with `trainRanking()`, and
 * `rankingScorer()` turns any recommender into the scorer of the top-k protocol.
 *
 * @module
 */

export * from "./recommender.ts";
export * from "./layers.ts";
export * from "./embedding_dot_bias.ts";
export * from "./target.ts";
export * from "./build.ts";
export * from "./compare.ts";
export * from "./compile.ts";
export * from "./recipes.ts";
export * from "./train.ts";
export * from "./wrap.ts";
export * from "./predict.ts";
export * from "./recommend.ts";
export * from "./embeddings.ts";
export * from "./persist.ts";
export * from "./dispose.ts";
export * from "./over_seeds.ts";
export * from "./tensordot_bug.ts";
export * from "./summary.ts";
export * from "./train_ranking.ts";
export * from "./ranking_recipes.ts";
