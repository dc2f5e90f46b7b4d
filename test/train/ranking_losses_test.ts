import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import {
  bprLoss,
  type RankingBatch,
  softmaxLoss,
  weightedSquaredLoss,
} from "../../lib/train/mod.ts";
import { createRng } from "../../lib/random.ts";

const BACKENDS = ["cpu", "wasm"] as const;

/** Largest absolute difference between two tensors' values. */
function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  assertEquals(a.shape, b.shape);
  const x = a.dataSync(), y = b.dataSync();
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

/** A batch of 3 users over 7 movies with random scores and positives, 4 negatives each. */
function fixture(seed: number) {
  const rng = createRng(seed);
  const rows = 3, n = 7, k = 4;
  const x = Float32Array.from(
    { length: rows * n },
    (_, i) => (i % n === 0 || rng.next() < 0.3) ? 1 : 0,
  );
  const s = Float32Array.from({ length: rows * n }, () => 3 * rng.normal());
  const pos: number[] = [];
  x.forEach((v, i) => v && pos.push(i));
  const neg = pos.flatMap((p) => Array.from({ length: k }, () => p - (p % n) + rng.int(n)));
  const batch = {
    users: tf.tensor1d([0, 1, 2], "int32"),
    count: pos.length,
    positive: tf.tensor1d(pos, "int32"),
    negative: tf.tensor1d(neg, "int32"),
    negatives: k,
  } as RankingBatch;
  return { x: tf.tensor2d(x, [rows, n]), s: tf.tensor2d(s, [rows, n]), batch };
}

/** The losses written with stock tfjs ops, as their docs define them. */
const stock = {
  softmax: (x: tf.Tensor, s: tf.Tensor) =>
    tf.div(tf.neg(tf.sum(tf.mul(x, tf.logSoftmax(s)))), tf.sum(x)),
  bpr: (_x: tf.Tensor, s: tf.Tensor, b: RankingBatch) => {
    const flat = tf.reshape(s, [-1]);
    const pos = tf.reshape(tf.gather(flat, b.positive), [-1, 1]);
    const neg = tf.reshape(tf.gather(flat, b.negative), [b.count, b.negatives]);
    return tf.mean(tf.softplus(tf.sub(neg, pos)));
  },
  squared: (x: tf.Tensor, s: tf.Tensor) =>
    tf.div(
      tf.add(tf.sum(tf.mul(x, tf.square(tf.sub(1, s)))), tf.mul(0.3, tf.sum(tf.square(s)))),
      tf.sum(x),
    ),
};

for (const backend of BACKENDS) {
  for (
    const [name, fused, reference] of [
      ["softmaxLoss()", softmaxLoss, stock.softmax],
      ["bprLoss()", bprLoss, stock.bpr],
      ["weightedSquaredLoss()", weightedSquaredLoss(0.3), stock.squared],
    ] as const
  ) {
    Deno.test(`${name} equals its stock-op definition in value and gradient (${backend})`, async () => {
      await setupBackend({ backend });
      for (const seed of [1, 2, 3]) {
        const { x, s, batch } = fixture(seed);
        const f = (t: tf.Tensor) => fused(x, t, batch) as tf.Scalar;
        const g = (t: tf.Tensor) => (reference as typeof stock.bpr)(x, t, batch) as tf.Scalar;
        assertAlmostEquals(f(s).dataSync()[0], g(s).dataSync()[0], 1e-5);
        const d = maxDiff(tf.grad(f)(s), tf.grad(g)(s));
        assertAlmostEquals(d, 0, 1e-6);
      }
    });
  }
}

Deno.test("softmaxLoss() is log(catalogue) when every score is equal", () => {
  const loss = softmaxLoss(tf.tensor2d([[1, 0, 0, 0], [0, 1, 1, 0]]), tf.zeros([2, 4]));
  assertAlmostEquals(loss.dataSync()[0], Math.log(4), 1e-6);
});

Deno.test("softmaxLoss() stays finite for scores far beyond exp's range", () => {
  const loss = softmaxLoss(tf.tensor2d([[1, 0]]), tf.tensor2d([[1000, -1000]]));
  assertEquals(loss.dataSync()[0], 0);
  const worst = softmaxLoss(tf.tensor2d([[1, 0]]), tf.tensor2d([[-1000, 1000]]));
  assertEquals(worst.dataSync()[0], 2000);
});

Deno.test("bprLoss() needs the batch and a matching number of negatives", () => {
  const s = tf.zeros([1, 3]);
  assertThrows(() => bprLoss(s, s), TypeError, "bprLoss(): expected the batch");
  const batch = {
    positive: tf.tensor1d([0], "int32"),
    negative: tf.tensor1d([1, 2], "int32"),
    count: 1,
    negatives: 1,
  } as RankingBatch;
  assertThrows(() => bprLoss(s, s, batch), RangeError, "expected 1 × 1 negatives (at most 1,000 per positive), found 2");
});

Deno.test("the losses refuse scores and positives of different shapes", () => {
  assertThrows(
    () => softmaxLoss(tf.zeros([2, 3]), tf.zeros([2, 4])),
    TypeError,
    "softmaxLoss(): expected positives of the scores' shape [2,4], found [2,3]",
  );
  assertThrows(() => weightedSquaredLoss(-1), RangeError, "expected unobservedWeight >= 0");
});
