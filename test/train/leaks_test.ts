/**
 * Tensor-leak checks of the training engine's public API, beyond those of `fit_test.ts` (fit,
 * evaluate and predictOutputs called again), `optimizer_test.ts` (FusedAdam steps) and the
 * kernel tests: calls that fail half-way, the ranking loop and losses, the optimizer hand-over
 * and the backend switch leave the tensor count where it was, beyond what they return.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { interactionMatrix } from "../../lib/eval/mod.ts";
import {
  adam,
  bprLoss,
  catalogueScores,
  checkUsable,
  divergence,
  evaluate,
  fit,
  fitRanking,
  fusedAdamFor,
  largestWeight,
  NonFiniteLossError,
  oneCycle,
  predictOutputs,
  type RankingLoss,
  scheduledAdam,
  setupBackend,
  softmaxLoss,
  weightedSquaredLoss,
} from "../../lib/train/mod.ts";
import { createRng } from "../../lib/random.ts";
import { assertLeavesNoTensors, tensorsLeftBy } from "../_tensor_count.ts";
import {
  disposeData,
  mlpModel,
  ratingTensors,
  stockDotBiasModel,
  syntheticRatingArrays,
} from "./_fit_fixtures.ts";

const BACKENDS = ["cpu", "wasm"] as const;

/** Frees a model and the optimizer it was compiled with (model.dispose() frees the weights only). */
function disposeModel(model: tf.LayersModel): void {
  const optimizer = model.optimizer;
  model.dispose();
  optimizer?.dispose();
}

/** 12 users, 12 movies, 3 to 4 movies each. */
function positives() {
  const u: number[] = [], m: number[] = [];
  for (let user = 0; user < 12; user++) {
    for (let j = 0; j < 4; j++) {
      if (j === user % 4 && user % 3 === 0) continue;
      u.push(user);
      m.push(4 * Math.floor(user / 4) + j);
    }
  }
  return interactionMatrix(u, m, 12, 12);
}

/** Ranking tables of 12 users and 12 movies (only the variables stay: made in a tidy). */
function rankingTables(seed: number) {
  const rng = createRng(seed);
  const normal = (rows: number) =>
    tf.variable(tf.tensor2d(Float32Array.from({ length: rows * 3 }, () => 0.1 * rng.normal()), [
      rows,
      3,
    ]));
  return tf.tidy(() => ({
    userFactors: normal(12),
    movieFactors: normal(12),
    movieBias: tf.variable(tf.zeros([12, 1])),
  }));
}

const disposeTables = (t: ReturnType<typeof rankingTables>) => tf.dispose(Object.values(t));

for (const backend of BACKENDS) {
  Deno.test(`fit() whose loss or forward pass throws leaves no tensor behind, and the model trains on (${backend})`, async () => {
    await setupBackend({ backend });
    const r = syntheticRatingArrays(200);
    const data = ratingTensors(r);
    // Ids past the tables: the forward pass throws in its first batch.
    const outside = {
      x: [tf.tensor2d([[0], [99]], [2, 1], "int32"), tf.tensor2d([[0], [1]], [2, 1], "int32")],
      y: tf.tensor1d([3, 4]),
    };
    const throwing = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor => {
      tf.sub(yTrue, yPred);
      throw new Error("a typo in the loss");
    };
    const options = { epochs: 1, batchSize: 64, verbose: 0 } as const;
    for (const [name, model] of [["dot-bias", stockDotBiasModel()], ["mlp", mlpModel()]] as const) {
      try {
        model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: "meanSquaredError" });
        await fit(model, data, options); // makes Adam's moments
        await assertLeavesNoTensors(
          `fit() of ${name} with ids past its tables`,
          () => assertRejects(() => fit(model, outside, options), Error, "99"),
        );
        const optimizer = model.optimizer;
        model.compile({ optimizer, loss: throwing });
        // Before the fix, each call kept what the gradient tape had saved of the forward pass:
        // 9 tensors (cpu) or 6 (wasm) for the dot-bias model, 23 or 18 for the mlp.
        await assertLeavesNoTensors(
          `fit() of ${name} with a loss that throws`,
          () => assertRejects(() => fit(model, data, options), Error, "a typo in the loss"),
        );
        model.compile({ optimizer, loss: "meanSquaredError" });
        await assertLeavesNoTensors(
          `fit() of ${name} after the failures`,
          () => fit(model, data, options),
          1,
        );
        await assertLeavesNoTensors(
          `evaluate() and predictOutputs() of ${name} past its tables`,
          () => {
            assertThrows(() => evaluate(model, outside), Error, "99");
            assertThrows(() => predictOutputs(model, outside.x), Error, "99");
          },
        );
      } finally {
        disposeModel(model);
      }
    }
    disposeData(data);
    disposeData(outside);
  });

  Deno.test(`fitRanking() again, and stopped by a NaN loss or a loss that fails, leaves no tensor behind (${backend})`, async () => {
    await setupBackend({ backend });
    const start = tf.memory().numTensors;
    const tables = rankingTables(1);
    const optimizer = adam({ learningRate: 0.05 });
    const run = (loss: RankingLoss, negatives = 0) =>
      fitRanking(tables, positives(), {
        loss,
        optimizer,
        epochs: 2,
        batchUsers: 5,
        negatives,
        l2: 0.01,
        verbose: 0,
      });
    await run(softmaxLoss); // makes Adam's moments
    await assertLeavesNoTensors("fitRanking() again with each loss", async () => {
      await run(softmaxLoss);
      await run(bprLoss, 2);
      await run(weightedSquaredLoss(0.3));
    });
    await assertLeavesNoTensors(
      "fitRanking() stopped by a NaN loss",
      () => assertRejects(() => run((_p, s) => tf.mul(tf.sum(s), NaN)), NonFiniteLossError),
    );
    // Before the fix, these kept what the gradient tape had saved: 9 and 11 tensors a call.
    await assertLeavesNoTensors(
      "fitRanking() with BPR and no negatives",
      () => assertRejects(() => run(bprLoss), RangeError, "no negatives are sampled"),
    );
    await assertLeavesNoTensors(
      "fitRanking() with a loss that is not a scalar",
      () => assertRejects(() => run((p, s) => tf.mul(p, s)), TypeError, "return a scalar tensor"),
    );
    optimizer.dispose();
    disposeTables(tables);
    assertEquals(tf.memory().numTensors, start);
  });

  Deno.test(`fusedAdamFor() and FusedAdam.setWeights() keep the moments they copy and nothing more (${backend})`, async () => {
    await setupBackend({ backend });
    const start = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.tensor1d([1, -2, 3])));
    const stock = tf.train.adam(0.1);
    stock.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
    // Before the fix, the copies' clones stayed too: 4 tensors instead of 2.
    let fused = null as Awaited<ReturnType<typeof fusedAdamFor>>;
    assertEquals(await tensorsLeftBy(async () => fused = await fusedAdamFor(stock)), 2);
    stock.dispose();
    const saved = await fused!.getWeights(); // the step count, a new scalar, and the moments
    const other = adam();
    assertEquals(await tensorsLeftBy(() => other.setWeights(saved)), 2);
    await assertLeavesNoTensors("FusedAdam.setWeights() again", () => other.setWeights(saved));
    tf.dispose(saved[0].tensor);
    fused!.dispose();
    other.dispose();
    w.dispose();
    assertEquals(tf.memory().numTensors, start);
  });

  Deno.test(`fit() taking over a tf.train.adam that model.fit trained leaves nothing once the model is freed (${backend})`, async () => {
    await setupBackend({ backend });
    const data = ratingTensors(syntheticRatingArrays(200));
    const start = tf.memory().numTensors;
    const model = mlpModel({ dropout: 0 });
    model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
    await model.fit(data.x, data.y, { epochs: 1, batchSize: 64, verbose: 0 });
    await fit(model, data, { epochs: 1, batchSize: 64, verbose: 0 });
    disposeModel(model);
    // Before the fix, the fused Adam kept a clone of each moment it took over: 2 per weight.
    assertEquals(tf.memory().numTensors, start);
    disposeData(data);
  });
}

Deno.test("the ranking losses and catalogueScores() make the one tensor they return", async () => {
  await setupBackend({ backend: "wasm" });
  const positives = tf.tensor2d([[1, 0, 1], [0, 1, 0]]);
  const scores = tf.tensor2d([[0.1, 0.2, 0.3], [1, 2, 3]]);
  const batch = {
    users: tf.tensor1d([0, 1], "int32"),
    count: 3,
    positive: tf.tensor1d([0, 2, 4], "int32"),
    negative: tf.tensor1d([1, 3, 5], "int32"),
    negatives: 1,
  };
  const tables = rankingTables(2);
  const calls: [string, () => tf.Tensor][] = [
    ["softmaxLoss()", () => softmaxLoss(positives, scores)],
    ["bprLoss()", () => bprLoss(positives, scores, batch)],
    ["weightedSquaredLoss()", () => weightedSquaredLoss(0.3)(positives, scores)],
    ["catalogueScores()", () => catalogueScores(tables, batch.users)],
  ];
  for (const [what, f] of calls) {
    let out: tf.Tensor | null = null;
    assertEquals(await tensorsLeftBy(() => out = f()), 1, what);
    assertEquals(await tensorsLeftBy(() => out!.dispose()), -1, what);
  }
  const narrow = tf.ones([2, 2]);
  await assertLeavesNoTensors(
    "softmaxLoss() of mismatched shapes",
    () => assertThrows(() => softmaxLoss(positives, narrow), TypeError, "expected positives of"),
  );
  tf.dispose([positives, scores, narrow, batch.users, batch.positive, batch.negative]);
  disposeTables(tables);
});

Deno.test("scheduledAdam() training, then freeing the model and the optimizer, leaves no tensor behind", async () => {
  await setupBackend({ backend: "wasm" });
  const data = ratingTensors(syntheticRatingArrays(200));
  await assertLeavesNoTensors("scheduledAdam() through fit()", async () => {
    const model = stockDotBiasModel();
    model.compile({ optimizer: scheduledAdam(oneCycle(0.05, 8)), loss: "meanSquaredError" });
    await fit(model, data, { epochs: 2, batchSize: 64, verbose: 0 });
    disposeModel(model);
  }, 2);
  disposeData(data);
});

Deno.test("divergence(), checkUsable() and largestWeight() make no tensor", async () => {
  await setupBackend({ backend: "wasm" });
  const model = mlpModel();
  try {
    await assertLeavesNoTensors("the health checks", () => {
      divergence(model);
      checkUsable(model, "test");
      largestWeight(model);
    });
  } finally {
    model.dispose();
  }
});

Deno.test("setupBackend() switching between cpu and wasm leaves the tensor count as it was", async () => {
  const kept = tf.tensor1d([1, 2, 3]);
  await assertLeavesNoTensors("setupBackend() cpu, wasm, cpu, wasm", async () => {
    for (const backend of ["cpu", "wasm", "cpu", "wasm"] as const) await setupBackend({ backend });
  }, 2);
  assertEquals(Array.from(kept.dataSync()), [1, 2, 3]);
  kept.dispose();
});
