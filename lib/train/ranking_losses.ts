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
 * Each is one fused op: a single pass in JavaScript over the score matrix computes the loss
 * and its gradient together (float64 sums), and the gradient is handed back when the tape
 * asks for it. Written with stock tfjs ops, the softmax takes about a dozen kernels forward and
 * back (max, subtract, exp, sum, log, multiply, …, each a full pass over the `[B, catalogue]`
 * matrix) and BPR two gathers, a softplus and two segment sums; fused, a training step of
 * either spends most of its time in the matrix products. The values equal the stock-op
 * definitions written in each function's doc (a test checks values and gradients).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { checkFiniteNumber, describe } from "../_validate.ts";
import type { RankingBatch, RankingLoss } from "./ranking.ts";
import { fusedOp } from "./_fused_op.ts";

function checkScores(
  positives: tf.Tensor,
  scores: tf.Tensor,
  who: string,
): [number, number] {
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
  return [scores.shape[0], scores.shape[1]!];
}

/**
 * Softmax cross-entropy over the whole catalogue, per user: the mean over the batch's
 * positives of `−log softmax(scores of the user)[movie]`, i.e. with stock ops
 * `−sum(positives ⊙ logSoftmax(scores)) / sum(positives)` (a multinomial likelihood of each
 * user's movies). One fused op; its gradient is `(n_u · softmax(s_u) − x_u) / N` per row.
 *
 * @param positives `[B, catalogue]` 0/1.
 * @param scores `[B, catalogue]`.
 * @returns The mean negative log-probability of a positive, a scalar.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { softmaxLoss } from "./ranking_losses.ts";
 * const loss = softmaxLoss(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 0]]));
 * console.log(loss.dataSync()[0].toFixed(4)); // 0.6931 (= log 2: two equally scored movies)
 * ```
 */
export const softmaxLoss: RankingLoss = (positives, scores) => {
  const [rows, n] = checkScores(positives, scores, "softmaxLoss()");
  const op = fusedOp(([x, s], save) => {
    const xv = x.dataSync(), sv = s.dataSync();
    const grad = new Float32Array(rows * n);
    const rowCount = new Float64Array(rows), rowSum = new Float64Array(rows);
    let loss = 0, total = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      let max = -Infinity, count = 0, hit = 0;
      for (let j = 0; j < n; j++) if (sv[o + j] > max) max = sv[o + j];
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(sv[o + j] - max);
        grad[o + j] = e;
        sum += e;
        if (xv[o + j] !== 0) {
          count += xv[o + j];
          hit += xv[o + j] * sv[o + j];
        }
      }
      loss += count * (max + Math.log(sum)) - hit;
      rowCount[r] = count;
      rowSum[r] = sum;
      total += count;
    }
    for (let r = 0; r < rows; r++) {
      const o = r * n, a = rowCount[r] / (rowSum[r] * total);
      for (let j = 0; j < n; j++) grad[o + j] = a * grad[o + j] - xv[o + j] / total;
    }
    const g = tf.tensor2d(grad, [rows, n]);
    save([g]);
    return {
      value: tf.scalar(loss / total),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.zerosLike(x), tf.mul(saved[0], dy)],
    };
  });
  return op(positives, scores);
};

/**
 * Bayesian personalised ranking on the score rows: every positive against the `negatives`
 * movies drawn for it, `mean softplus(s_negative − s_positive)` (minus the log-probability
 * that the positive ranks first of the pair), i.e. with stock ops
 * `mean(softplus(reshape(gather(flat, negative), [count, negatives]) − gather(flat, positive)[:, None]))`
 * on `flat = reshape(scores, [-1])`. One fused op. Needs the batch and `negatives ≥ 1`.
 *
 * @param _positives Not read (the positions come with the batch).
 * @param scores `[B, catalogue]`.
 * @param batch The batch: positions of the positives and of their negatives (required).
 * @returns The mean pairwise loss, a scalar.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { bprLoss } from "./ranking_losses.ts";
 * // One user, movie 0 watched (score 2), one negative: movie 1 (score 0).
 * const batch = { positive: tf.tensor1d([0], "int32"), negative: tf.tensor1d([1], "int32"), count: 1, negatives: 1 };
 * const loss = bprLoss(tf.tensor2d([[1, 0]]), tf.tensor2d([[2, 0]]), batch as never);
 * console.log(loss.dataSync()[0].toFixed(4)); // 0.1269 (= log(1 + e^-2))
 * ```
 */
export const bprLoss: RankingLoss = (_positives, scores, batch?: RankingBatch) => {
  const who = "bprLoss()";
  if (batch === undefined) {
    throw new TypeError(
      `${who}: expected the batch with its sampled negatives (train with trainRanking or fitRanking)`,
    );
  }
  if (!(scores instanceof tf.Tensor) || scores.rank !== 2) {
    throw new TypeError(`${who}: expected scores to be a 2-D tensor, found ${describe(scores)}`);
  }
  const pos = batch.positive.dataSync() as Int32Array,
    neg = batch.negative.dataSync() as Int32Array;
  const k = batch.negatives, size = scores.size;
  if (neg.length !== pos.length * k || k > 1000) {
    throw new RangeError(
      `${who}: expected ${pos.length} × ${k} negatives (at most 1,000 per positive), found ${neg.length}`,
    );
  }
  const op = fusedOp(([s], save) => {
    const sv = s.dataSync();
    const grad = new Float32Array(size);
    const pairs = neg.length, inv = 1 / pairs;
    let loss = 0;
    for (let i = 0, q = 0; i < pos.length; i++) {
      const p = pos[i], sp = sv[p];
      // softplus(z) = max(z, 0) + log(1 + e^-|z|) and its derivative sigmoid(z), from one
      // exponential per pair; the logs of a positive's pairs are taken once, of their product
      // (each factor is at most 2, so the product of k ≤ 1000 factors cannot overflow).
      let product = 1, gp = 0;
      for (let t = 0; t < k; t++, q++) {
        const z = sv[neg[q]] - sp, e = Math.exp(-Math.abs(z)), r = 1 / (1 + e);
        product *= 1 + e;
        if (z > 0) loss += z;
        const g = (z >= 0 ? r : e * r) * inv;
        grad[neg[q]] += g;
        gp += g;
      }
      loss += Math.log(product);
      grad[p] -= gp;
    }
    const g = tf.tensor(grad, s.shape);
    save([g]);
    return {
      value: tf.scalar(loss / pairs),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0], dy),
    };
  });
  return op(scores);
};

/**
 * A weighted squared loss on the whole catalogue (implicit matrix factorisation's objective):
 * `(Σ positives ⊙ (1 − s)² + w0 · Σ s²) / Σ positives`, which pulls every watched movie's
 * score towards 1 and every score towards 0 with weight `w0`. One fused op.
 *
 * @param unobservedWeight `w0`, the weight of the pull towards 0 (≥ 0).
 * @returns The loss.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { weightedSquaredLoss } from "./ranking_losses.ts";
 * const loss = weightedSquaredLoss(0.5)(tf.tensor2d([[1, 0]]), tf.tensor2d([[1, 2]]));
 * console.log(loss.dataSync()[0]); // 2.5 = (0 + 0.5 · (1 + 4)) / 1
 * ```
 */
export function weightedSquaredLoss(unobservedWeight = 0.3): RankingLoss {
  const who = "weightedSquaredLoss()";
  const w0 = checkFiniteNumber(unobservedWeight, "unobservedWeight", who);
  if (w0 < 0) throw new RangeError(`${who}: expected unobservedWeight >= 0, found ${w0}`);
  return (positives, scores) => {
    checkScores(positives, scores, who);
    const op = fusedOp(([x, s], save) => {
      const xv = x.dataSync(), sv = s.dataSync();
      let total = 0, loss = 0;
      for (let i = 0; i < xv.length; i++) {
        const v = sv[i], d = 1 - v;
        total += xv[i];
        loss += xv[i] * d * d + w0 * v * v;
      }
      const grad = new Float32Array(sv.length);
      for (let i = 0; i < sv.length; i++) {
        grad[i] = (2 * w0 * sv[i] - 2 * xv[i] * (1 - sv[i])) / total;
      }
      const g = tf.tensor(grad, s.shape);
      save([g]);
      return {
        value: tf.scalar(loss / total),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.zerosLike(x), tf.mul(saved[0], dy)],
      };
    });
    return op(positives, scores);
  };
}
