/**
 * Three ranking losses for `fitRanking` and `trainRanking`, each a function of a batch's 0/1
 * positives and whole-catalogue scores, as a Keras loss is a function of `yTrue` and `yPred`:
 *
 * | loss | what it rewards | sampling |
 * |---|---|---|
 * | {@linkcode softmaxLoss} | the user's probability mass (a softmax over the catalogue) on their movies | none |
 * | {@linkcode bprLoss} | each watched movie scored above sampled movies of the same user | `negatives` per positive |
 * | {@linkcode weightedSquaredLoss} | watched movies near 1, every movie near 0 with a small weight | none |
 *
 * Each is a few stock tfjs ops, exactly the lines notebook 06 writes. (A version that computed
 * each loss and its gradient in one JavaScript pass was measured slower than these ops on the
 * WASM backend — 4.8 against 3.3 ms for a softmax step of 64 users over ml-100k's catalogue,
 * 5.4 against 4.9 ms for BPR with 16 negatives — and was dropped.)
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { checkFiniteNumber, describe } from "../_validate.ts";
import type { RankingLoss } from "./ranking.ts";

function checkScores(positives: tf.Tensor, scores: tf.Tensor, who: string): void {
  if (!(scores instanceof tf.Tensor) || scores.rank !== 2) {
    throw new TypeError(`${who}: expected scores to be a 2-D tensor, found ${describe(scores)}`);
  }
  if (!(positives instanceof tf.Tensor) || !tf.util.arraysEqual(positives.shape, scores.shape)) {
    throw new TypeError(
      `${who}: expected positives of the scores' shape [${scores.shape}], found ${
        positives instanceof tf.Tensor ? `[${positives.shape}]` : describe(positives)
      }`,
    );
  }
}

/**
 * Softmax cross-entropy over the whole catalogue, per user:
 * `−sum(positives ⊙ logSoftmax(scores)) / sum(positives)`, the mean over the batch's positives
 * of `−log softmax(scores of the user)[movie]` (a multinomial likelihood of each user's movies).
 *
 * @param positives `[B, catalogue]` 0/1.
 * @param scores `[B, catalogue]`.
 * @returns The mean negative log-probability of a positive, a scalar.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { softmaxLoss } from "./ranking_losses.ts";
 * import { assertEquals } from "@std/assert";
 * const loss = softmaxLoss(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 0]]));
 * assertEquals(loss.dataSync()[0].toFixed(4), "0.6931"); // = log 2: two equally scored movies
 * ```
 */
export const softmaxLoss: RankingLoss = (positives, scores): tf.Tensor => {
  checkScores(positives, scores, "softmaxLoss()");
  return tf.tidy(() =>
    tf.div(tf.neg(tf.sum(tf.mul(positives, tf.logSoftmax(scores)))), tf.sum(positives))
  );
};

/**
 * Bayesian personalised ranking on the score rows: every positive against the `negatives`
 * movies drawn for it, `mean softplus(s_negative − s_positive)` (minus the log-probability that
 * the positive ranks first of the pair). The scores are gathered from the flattened score
 * matrix at the positions the batch gives. Needs the batch and `negatives ≥ 1`.
 *
 * @param _positives Not read (the positions come with the batch).
 * @param scores `[B, catalogue]`.
 * @param batch The batch: positions of the positives and of their negatives (required).
 * @returns The mean pairwise loss, a scalar.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { bprLoss } from "./ranking_losses.ts";
 * import { assertEquals } from "@std/assert";
 * // One user, movie 0 watched (score 2), one negative: movie 1 (score 0).
 * const batch = { positive: tf.tensor1d([0], "int32"), negative: tf.tensor1d([1], "int32"), count: 1, negatives: 1 };
 * const loss = bprLoss(tf.tensor2d([[1, 0]]), tf.tensor2d([[2, 0]]), batch as never);
 * assertEquals(loss.dataSync()[0].toFixed(4), "0.1269"); // = log(1 + e^-2)
 * ```
 */
export const bprLoss: RankingLoss = (_positives, scores, batch): tf.Tensor => {
  const who = "bprLoss()";
  if (batch === undefined) {
    throw new TypeError(
      `${who}: expected the batch with its sampled negatives (train with trainRanking or fitRanking)`,
    );
  }
  if (!(scores instanceof tf.Tensor) || scores.rank !== 2) {
    throw new TypeError(`${who}: expected scores to be a 2-D tensor, found ${describe(scores)}`);
  }
  if (batch.negative.size !== batch.positive.size * batch.negatives) {
    throw new RangeError(
      `${who}: expected ${batch.positive.size} × ${batch.negatives} negatives, found ${batch.negative.size}`,
    );
  }
  return tf.tidy(() => {
    const flat = tf.reshape(scores, [-1]);
    const watched = tf.reshape(tf.gather(flat, batch.positive), [-1, 1]);
    const sampled = tf.reshape(tf.gather(flat, batch.negative), [-1, batch.negatives]);
    return tf.mean(tf.softplus(tf.sub(sampled, watched)));
  });
};

/**
 * A weighted squared loss on the whole catalogue (implicit matrix factorisation's objective):
 * `(Σ positives ⊙ (1 − s)² + w0 · Σ s²) / Σ positives`, which pulls every watched movie's
 * score towards 1 and every score towards 0 with weight `w0`.
 *
 * @param unobservedWeight `w0`, the weight of the pull towards 0 (≥ 0).
 * @returns The loss.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { weightedSquaredLoss } from "./ranking_losses.ts";
 * import { assertEquals } from "@std/assert";
 * const loss = weightedSquaredLoss(0.5)(tf.tensor2d([[1, 0]]), tf.tensor2d([[1, 2]]));
 * assertEquals(loss.dataSync()[0], 2.5);
 * ```
 */
export function weightedSquaredLoss(unobservedWeight = 0.3): RankingLoss {
  const who = "weightedSquaredLoss()";
  const w0 = checkFiniteNumber(unobservedWeight, "unobservedWeight", who);
  if (w0 < 0) throw new RangeError(`${who}: expected unobservedWeight >= 0, found ${w0}`);
  return (positives, scores) => {
    checkScores(positives, scores, who);
    return tf.tidy(() => {
      const hits = tf.sum(tf.mul(positives, tf.square(tf.sub(1, scores))));
      return tf.div(tf.add(hits, tf.mul(w0, tf.sum(tf.square(scores)))), tf.sum(positives));
    });
  };
}
