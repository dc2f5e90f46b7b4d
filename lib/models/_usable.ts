/**
 * Private: scoring (user, movie) rows only with a model that can be used — not marked as
 * diverged by training, no NaN or infinite weight — and never handing back a NaN or infinite
 * score: such a score means the weights are so large that the outputs overflow, and the
 * caller gets a `DivergedModelError` that says so instead.
 *
 * @module
 */

import { checkUsable, DIVERGED_ADVICE, DivergedModelError, largestWeight } from "./_engine.ts";
import { scoreIndices } from "./_inputs.ts";
import type { Recommender } from "./recommender.ts";

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
