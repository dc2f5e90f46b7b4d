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
const ROWS = 3, N = 7, K = 4;

/** A batch of 3 users over 7 movies with random scores and positives, 4 negatives each. */
function fixture(seed: number) {
  const rng = createRng(seed);
  const x = Array.from({ length: ROWS * N }, (_, i) => (i % N === 0 || rng.next() < 0.3) ? 1 : 0);
  const s = Array.from({ length: ROWS * N }, () => 3 * rng.normal());
  const pos: number[] = [];
  x.forEach((v, i) => v && pos.push(i));
  const neg = pos.flatMap((p) => Array.from({ length: K }, () => p - (p % N) + rng.int(N)));
  const batch = {
    users: tf.tensor1d([0, 1, 2], "int32"),
    count: pos.length,
    positive: tf.tensor1d(pos, "int32"),
    negative: tf.tensor1d(neg, "int32"),
    negatives: K,
  } as RankingBatch;
  return { x, s, pos, neg, batch, xt: tf.tensor2d(x, [ROWS, N]), st: tf.tensor2d(s, [ROWS, N]) };
}

/** The loss and its gradient in float64, straight from each loss's definition. */
const reference = {
  softmax(x: number[], s: number[]) {
    const total = x.reduce((a, b) => a + b, 0);
    let loss = 0;
    const grad = new Array(s.length).fill(0);
    for (let r = 0; r < ROWS; r++) {
      const row = s.slice(r * N, (r + 1) * N), xr = x.slice(r * N, (r + 1) * N);
      const z = row.reduce((a, v) => a + Math.exp(v), 0);
      const count = xr.reduce((a, b) => a + b, 0);
      row.forEach((v, j) => {
        loss -= xr[j] * (v - Math.log(z));
        grad[r * N + j] = (count * Math.exp(v) / z - xr[j]) / total;
      });
    }
    return { loss: loss / total, grad };
  },
  bpr(pos: number[], neg: number[], s: number[]) {
    const grad = new Array(s.length).fill(0);
    let loss = 0;
    neg.forEach((q, i) => {
      const p = pos[Math.floor(i / K)], z = s[q] - s[p];
      loss += Math.log1p(Math.exp(z));
      const g = 1 / (1 + Math.exp(-z)) / neg.length;
      grad[q] += g;
      grad[p] -= g;
    });
    return { loss: loss / neg.length, grad };
  },
  squared(x: number[], s: number[], w0: number) {
    const total = x.reduce((a, b) => a + b, 0);
    const loss = s.reduce((a, v, i) => a + x[i] * (1 - v) ** 2 + w0 * v * v, 0) / total;
    return { loss, grad: s.map((v, i) => (2 * w0 * v - 2 * x[i] * (1 - v)) / total) };
  },
};

function check(
  f: (s: tf.Tensor) => tf.Tensor,
  st: tf.Tensor,
  want: { loss: number; grad: number[] },
) {
  assertAlmostEquals(f(st).dataSync()[0], want.loss, 1e-5);
  const got = tf.grad((s: tf.Tensor) => f(s) as tf.Scalar)(st).dataSync();
  want.grad.forEach((g, i) => assertAlmostEquals(got[i], g, 1e-6));
}

for (const backend of BACKENDS) {
  Deno.test(`softmaxLoss() gives the catalogue softmax's value and gradient (${backend})`, async () => {
    await setupBackend({ backend });
    for (const seed of [1, 2, 3]) {
      const { x, s, xt, st } = fixture(seed);
      check((t) => softmaxLoss(xt, t), st, reference.softmax(x, s));
    }
  });

  Deno.test(`bprLoss() gives BPR's value and gradient over the sampled pairs (${backend})`, async () => {
    await setupBackend({ backend });
    for (const seed of [1, 2, 3]) {
      const { pos, neg, s, xt, st, batch } = fixture(seed);
      check((t) => bprLoss(xt, t, batch), st, reference.bpr(pos, neg, s));
    }
  });

  Deno.test(`weightedSquaredLoss() gives its value and gradient (${backend})`, async () => {
    await setupBackend({ backend });
    for (const seed of [1, 2, 3]) {
      const { x, s, xt, st } = fixture(seed);
      check((t) => weightedSquaredLoss(0.3)(xt, t), st, reference.squared(x, s, 0.3));
    }
  });
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
  assertThrows(() => bprLoss(s, s, batch), RangeError, "expected 1 × 1 negatives, found 2");
});

Deno.test("the losses refuse scores and positives of different shapes", () => {
  assertThrows(
    () => softmaxLoss(tf.zeros([2, 3]), tf.zeros([2, 4])),
    TypeError,
    "softmaxLoss(): expected positives of the scores' shape [2,4], found [2,3]",
  );
  assertThrows(() => weightedSquaredLoss(-1), RangeError, "expected unobservedWeight >= 0");
});

Deno.test("weightedSquaredLoss() weighs the pull towards 0 by 0.3 by default", () => {
  // By hand: positives [1, 0], scores [1, 2]: (0 + 0.3 · (1 + 4)) / 1 = 1.5.
  const loss = weightedSquaredLoss()(tf.tensor2d([[1, 0]]), tf.tensor2d([[1, 2]]));
  assertAlmostEquals(loss.dataSync()[0], 1.5, 1e-6);
  loss.dispose();
});

Deno.test("softmaxLoss() and weightedSquaredLoss() refuse scores that are not 2-D", () => {
  const flat = tf.zeros([3]);
  for (
    const [name, loss] of [["softmaxLoss", softmaxLoss], [
      "weightedSquaredLoss",
      weightedSquaredLoss(),
    ]] as const
  ) {
    assertThrows(
      () => loss(flat, flat),
      TypeError,
      `${name}(): expected scores to be a 2-D tensor, found`,
    );
  }
  flat.dispose();
});
