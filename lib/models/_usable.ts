/**
 * Private: scoring (user, movie) rows only with a model that can be used — a recommender (not
 * a bare tfjs model, nor one freed by `disposeRecommender()` or whose tfjs model was disposed by
 * hand: {@linkcode checkRecommender}, which the callers run before they read the recommender's
 * encoders), not marked as diverged by training, no NaN or infinite weight — and never handing
 * back a NaN or infinite score: such a score means the weights are so large that the outputs
 * overflow, and the caller gets a `DivergedModelError` that says so instead.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { IdEncoder } from "../data/encoder.ts";
import { describe } from "../_validate.ts";
import { disposalProblem } from "../_tfjs_internals.ts";
import { checkUsable, DIVERGED_ADVICE, DivergedModelError, largestWeight } from "./_engine.ts";
import { scoreIndices } from "./_inputs.ts";
import type { Recommender } from "./recommender.ts";

/** Models freed by `disposeRecommender()`. */
const freed = new WeakSet<tf.LayersModel>();

/**
 * Records that a recommender's model was freed (by `disposeRecommender()`).
 *
 * @param model The model.
 * @returns Whether it had been freed before.
 */
export function markFreed(model: tf.LayersModel): boolean {
  if (freed.has(model)) return true;
  freed.add(model);
  return false;
}

/**
 * Checks that `rec` has the shape of a recommender: an object with a tfjs model, its two id
 * encoders and a config (whether its model can still be used is {@linkcode checkRecommender}'s
 * business).
 *
 * @param rec The value to check.
 * @param where The caller, for messages (`"disposeRecommender()"`).
 * @throws {TypeError} For anything else (a bare tf.LayersModel is told to wrap it first, or,
 *   with `bareModel`, what to do instead).
 */
export function checkRecommenderShape(
  rec: unknown,
  where: string,
  bareModel = "wrap it with its id encoders first: recommender(model, { users, movies })",
): asserts rec is Recommender {
  if (rec instanceof tf.LayersModel) {
    throw new TypeError(`${where}: expected a Recommender, found a tf.LayersModel; ${bareModel}`);
  }
  const r = rec as Partial<Recommender> | null;
  if (
    typeof r !== "object" || r === null || !(r.model instanceof tf.LayersModel) ||
    !(r.users instanceof IdEncoder) || !(r.movies instanceof IdEncoder) ||
    typeof r.config !== "object" || r.config === null
  ) {
    throw new TypeError(
      `${where}: expected a Recommender ({ model, users, movies, config }, from buildModel(), ` +
        `recommender() or loadRecommender()), found ${describe(rec)}`,
    );
  }
}

/**
 * Checks that a recommender's model (or a bare model) can still be used: not freed by
 * `disposeRecommender()`, not disposed by hand (`model.dispose()`), no weight lost to the
 * disposal of a model that shares it.
 *
 * @param model The model.
 * @param where The caller, for messages (`"compareModels(): a"`).
 * @param holder What holds the model, as the message names it (`"this recommender"`).
 * @throws {RangeError} When it cannot, saying why and what to do.
 */
export function checkModelAlive(
  model: tf.LayersModel,
  where: string,
  holder = "this recommender",
): void {
  if (freed.has(model)) {
    throw new RangeError(
      `${where}: ${holder} was freed by disposeRecommender() and its weights are gone; ` +
        "build or load it again",
    );
  }
  const problem = disposalProblem(model, `${holder}'s`);
  if (problem !== null) throw new RangeError(`${where}: ${problem}`);
}

/**
 * Checks that `rec` is a recommender that can still be used: an object with a tfjs model, its
 * two id encoders and a config, whose model has not been freed by `disposeRecommender()`, nor
 * disposed by hand (`rec.model.dispose()`), nor lost a weight to the disposal of a model that
 * shares it.
 *
 * @param rec The value to check.
 * @param where The caller, for messages (`"train()"`).
 * @throws {TypeError} For anything else (a bare tf.LayersModel is told to wrap it first).
 * @throws {RangeError} For a recommender freed by `disposeRecommender()`, or whose model or a
 *   weight of it was disposed.
 */
export function checkRecommender(rec: unknown, where: string): asserts rec is Recommender {
  checkRecommenderShape(rec, where);
  checkModelAlive(rec.model, where);
}

/** Formats a number for messages (3 significant digits). */
function short(x: number): string {
  return Math.abs(x) >= 1e5 ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

/**
 * Scores index pairs in stars, after checking that the model can be used.
 *
 * @param rec The recommender.
 * @param users User rows.
 * @param movies Movie rows (same length).
 * @param batchSize Rows per forward pass.
 * @param where The caller, for messages.
 * @returns One finite score per pair.
 * @throws {DivergedModelError} for a diverged model, NaN or infinite weights or scores.
 */
export function usableScores(
  rec: Recommender,
  users: Int32Array,
  movies: Int32Array,
  batchSize: number,
  where: string,
): Float32Array {
  checkUsable(rec.model, where);
  const scores = scoreIndices(rec, users, movies, batchSize);
  let bad = 0, first = -1;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad === 0) return scores;
  const largest = largestWeight(rec.model);
  const [user] = rec.users.decode([users[first]]), [movie] = rec.movies.decode([movies[first]]);
  throw new DivergedModelError(
    null,
    `${where}: the model predicts ${scores[first]} for ${bad.toLocaleString("en-US")} of ` +
      `${scores.length.toLocaleString("en-US")} (user, movie) pairs (the first: user ${user}, ` +
      `movie ${movie}): its weights are finite but reach ${short(largest.value)} (in ` +
      `${largest.name}), so its outputs overflow; its training diverged. To go on, ` +
      DIVERGED_ADVICE,
  );
}
