/**
 * The ranking model of notebook 06 as tfjs code and its recipes: a user and a movie embedding
 * table and a movie bias, the score their dot product plus the bias, trained on implicit
 * feedback with a softmax over the catalogue, BPR or a weighted squared loss
 * ({@linkcode rankingRecipes}). `deno task evaluate --task ranking` chooses each recipe's L2
 * strength and epochs on a validation part and trains {@linkcode rankingNetwork}.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { IdEncoder } from "../data/encoder.ts";
import {
  checkFiniteNumber,
  checkLearningRate,
  checkNonNegativeInt,
  checkNonNegativeNumber,
  checkPositiveInt,
  describe,
} from "../_validate.ts";
import { adam, bprLoss, type RankingLoss, softmaxLoss, weightedSquaredLoss } from "./_engine.ts";
import { checkSeed, withRandomSeed } from "../random.ts";

/** The names of the ranking recipes. */
export type RankingRecipeName = "softmax" | "bpr" | "squared";

/** How an embedding model trains and how its L2 strength and epochs are chosen. */
export interface RankingRecipe {
  /** Row name. */
  name: RankingRecipeName;
  /** What the row is, for the table. */
  label: string;
  /** The loss. */
  loss: RankingLoss;
  /** Factors per user and movie. */
  factors: number;
  /** Adam's learning rate (constant). */
  learningRate: number;
  /** Users per step. */
  batchUsers: number;
  /** Sampled negatives per positive (0: none). */
  negatives: number;
  /** Power of the count weights of the L2 term. */
  l2Power: number;
  /** The first L2 strength tried on the validation task. */
  l2Start: number;
  /** The ratio between two neighbouring strengths of the ladder. */
  l2Step: number;
  /** The most strengths tried. */
  l2MaxTries: number;
  /** Longest run on the validation task. */
  maxEpochs: number;
  /** Epochs between two validation scores. */
  evalEvery: number;
}

/**
 * The ranking recipes `deno task evaluate --task ranking` and `deno task bench --model softmax|bpr`
 * train: the settings of notebook 06's ranking model with each loss (settings from the
 * project's research on a validation part carved out of the training part; the L2 strengths
 * here are where the evaluation's search starts).
 */
export const rankingRecipes: Record<RankingRecipeName, RankingRecipe> = {
  softmax: {
    name: "softmax",
    label: "embeddings, softmax over the catalogue",
    loss: softmaxLoss,
    factors: 64,
    learningRate: 5e-3,
    // 32 users per step (30 Adam updates per epoch on ml-100k): on the validation task of
    // ml-100k's split 42 it beat 64 on each of 3 initial seeds (NDCG@10 0.2901 against 0.2885).
    batchUsers: 32,
    negatives: 0,
    l2Power: 0.5,
    l2Start: 0.1,
    l2Step: 1.4,
    l2MaxTries: 5,
    maxEpochs: 80,
    evalEvery: 5,
  },
  bpr: {
    name: "bpr",
    label: "embeddings, BPR (16 negatives per positive)",
    loss: bprLoss,
    factors: 64,
    learningRate: 1e-2,
    batchUsers: 64,
    negatives: 16,
    l2Power: 0.5,
    l2Start: 0.011,
    l2Step: 1.45,
    l2MaxTries: 5,
    maxEpochs: 80,
    evalEvery: 5,
  },
  squared: {
    name: "squared",
    label: "embeddings, weighted squared loss (w0 = 0.3)",
    loss: weightedSquaredLoss(0.3),
    factors: 64,
    learningRate: 5e-3,
    batchUsers: 64,
    negatives: 0,
    l2Power: 0.5,
    l2Start: 0.1,
    l2Step: 1.4,
    l2MaxTries: 5,
    maxEpochs: 60,
    evalEvery: 5,
  },
};

/** Checks every field of a recipe, naming the bad one (`recipe.factors`, …). */
function checkRecipe(recipe: RankingRecipe, who: string): void {
  if (typeof recipe !== "object" || recipe === null) {
    throw new TypeError(
      `${who}: expected a recipe (rankingRecipes.softmax, …), found ${describe(recipe)}`,
    );
  }
  if (typeof recipe.loss !== "function") {
    throw new TypeError(
      `${who}: expected recipe.loss to be a ranking loss function, found ${describe(recipe.loss)}`,
    );
  }
  checkPositiveInt(recipe.factors, "recipe.factors", who);
  checkLearningRate(recipe.learningRate, who, "recipe.learningRate");
  checkPositiveInt(recipe.batchUsers, "recipe.batchUsers", who);
  checkNonNegativeInt(recipe.negatives, "recipe.negatives", who);
  checkFiniteNumber(recipe.l2Power, "recipe.l2Power", who);
  checkNonNegativeNumber(recipe.l2Start, "recipe.l2Start", who);
  // The ratio between neighbouring L2 strengths of the search: 1 or less would search nothing.
  if (!(typeof recipe.l2Step === "number" && Number.isFinite(recipe.l2Step) && recipe.l2Step > 1)) {
    throw new RangeError(
      `${who}: expected recipe.l2Step to be a finite number > 1, found ${recipe.l2Step}`,
    );
  }
  checkPositiveInt(recipe.l2MaxTries, "recipe.l2MaxTries", who);
  checkPositiveInt(recipe.maxEpochs, "recipe.maxEpochs", who);
  checkPositiveInt(recipe.evalEvery, "recipe.evalEvery", who);
}

/**
 * The ranking model as tfjs code: a user and a movie embedding table (N(0, 0.1²)), a movie bias
 * (zeros), the score their dot product plus the bias; compiled with the engine's Adam
 * (PyTorch's ε placement) and the recipe's loss. Its initial weights depend on `seed` only.
 *
 * @param recipe The recipe (factors, learning rate, loss).
 * @param encoders The id encoders (table sizes).
 * @param seed Seed of the initial weights.
 * @returns The compiled model.
 * @throws {RangeError} When a field of the recipe is out of range (`factors` not a positive
 *   integer, a `learningRate` that is not a finite number > 0, a negative `negatives`, …, each
 *   named), or `seed` is not an integer; a `TypeError` for a field, an encoder or a recipe of
 *   the wrong kind. The whole recipe is checked, so a bad one fails here, not in a later run.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { IdEncoder } from "../data/mod.ts";
 * import { setupBackend } from "../train/mod.ts";
 * import { rankingNetwork, rankingRecipes } from "./ranking_recipes.ts";
 * await setupBackend({ backend: "cpu" });
 * const encoders = { users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([10, 20, 30]) };
 * const model = rankingNetwork(rankingRecipes.softmax, encoders, 42);
 * assertEquals(model.countParams(), 2 * 64 + 3 * 64 + 3);
 * model.dispose();
 * ```
 */
export function rankingNetwork(
  recipe: RankingRecipe,
  encoders: { users: IdEncoder; movies: IdEncoder },
  seed: number,
): tf.LayersModel {
  const who = "rankingNetwork()";
  checkRecipe(recipe, who);
  for (const name of ["users", "movies"] as const) {
    if (!(encoders?.[name] instanceof IdEncoder)) {
      throw new TypeError(
        `${who}: expected encoders.${name} to be an IdEncoder, found ${describe(encoders?.[name])}`,
      );
    }
  }
  checkSeed(seed, who);
  return withRandomSeed(seed, () => {
    const user = tf.input({ shape: [1], dtype: "int32", name: "user" });
    const movie = tf.input({ shape: [1], dtype: "int32", name: "movie" });
    const init = () => tf.initializers.randomNormal({ mean: 0, stddev: 0.1 });
    const p = tf.layers.embedding({
      inputDim: encoders.users.size,
      outputDim: recipe.factors,
      embeddingsInitializer: init(),
    }).apply(user) as tf.SymbolicTensor;
    const q = tf.layers.embedding({
      inputDim: encoders.movies.size,
      outputDim: recipe.factors,
      embeddingsInitializer: init(),
    }).apply(movie) as tf.SymbolicTensor;
    const b = tf.layers.embedding({
      inputDim: encoders.movies.size,
      outputDim: 1,
      embeddingsInitializer: "zeros",
    }).apply(movie) as tf.SymbolicTensor;
    const dot = tf.layers.dot({ axes: -1 }).apply([p, q]) as tf.SymbolicTensor;
    const score = tf.layers.flatten().apply(tf.layers.add().apply([dot, b])) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [user, movie], outputs: score });
    model.compile({
      optimizer: adam({ learningRate: recipe.learningRate, epsilon: 1e-8, epsilonHat: false }),
      loss: recipe.loss,
    });
    return model;
  });
}
