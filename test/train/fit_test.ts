import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertLess,
  assertNotEquals,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import {
  evaluate,
  fit,
  type History,
  NonFiniteLossError,
  predictOutputs,
} from "../../lib/train/fit.ts";
import type { EvaluateOptions, FitOptions, PredictOptions } from "../../lib/train/fit_options.ts";
import { checkUsable, DivergedModelError, divergence } from "../../lib/train/health.ts";
import { knowNothingLoss, LossWatch } from "../../lib/train/_explosion.ts";
import { adam, FusedAdam } from "../../lib/train/optimizer.ts";
import { embeddingDotBias } from "../../lib/models/embedding_dot_bias.ts";
import { setDisplayTarget } from "../../lib/notebook/display.ts";
import { inFakeKernel } from "../_fake_kernel.ts";
import {
  disposeData,
  mlpModel,
  ratingTensors,
  stockDotBiasModel,
  syntheticRatingArrays,
  weightValues,
} from "./_fit_fixtures.ts";

await setupBackend();

/** y = w·x with w starting at 0, trained by plain SGD: the weight after each epoch is known. */
function lineModel(lr = 0.1): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: "zeros" }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(lr), loss: "meanSquaredError" });
  return model;
}

function kernel(model: tf.LayersModel): number {
  return model.getWeights()[0].dataSync()[0];
}

/** Train on y = 2x (w → 2), validate on y = x: val loss (w − 1)² is best at epoch 3 (w = 0.976). */
function lineData() {
  return {
    train: { x: tf.ones([4, 1]), y: tf.fill([4, 1], 2) },
    val: { x: tf.ones([1, 1]), y: tf.ones([1, 1]) },
  };
}

/** Runs `body` on a fresh line model (SGD at `lr`) and the line data, then frees both. */
async function withLine(
  lr: number,
  body: (model: tf.LayersModel, data: ReturnType<typeof lineData>) => Promise<void>,
): Promise<void> {
  const model = lineModel(lr);
  const data = lineData();
  try {
    await body(model, data);
  } finally {
    tf.dispose([data.train.x, data.train.y, data.val.x, data.val.y]);
    model.dispose();
  }
}

Deno.test("fit() lowers the loss on synthetic ratings", async () => {
  const r = syntheticRatingArrays(2000);
  const data = ratingTensors(r);
  const model = stockDotBiasModel({ factors: 4 });
  model.compile({
    optimizer: adam({ learningRate: 0.02 }),
    loss: "meanSquaredError",
    metrics: ["mae"],
  });
  try {
    const h = await fit(model, data, { epochs: 8, batchSize: 64, verbose: 0 });
    const loss = h.history.loss;
    assertEquals(h.epoch, [1, 2, 3, 4, 5, 6, 7, 8]);
    assertEquals(Object.keys(h.history), ["loss", "mae"]);
    assertLess(loss[7], loss[0] * 0.6, `loss went ${loss[0]} → ${loss[7]}`);
    assertEquals(h.params.stepsPerEpoch, Math.ceil(2000 / 64));
    assertEquals(h.warnings, []);
    assertEquals(h.seconds.length, 8);
    assert(h.trainSeconds.every((s, i) => s > 0 && s <= h.seconds[i]));
    assert(h.trainCpuSeconds.every((s) => s >= 0 && Number.isFinite(s)));
  } finally {
    disposeData(data);
    model.dispose();
  }
});

Deno.test("fit() runs plain SGD exactly: one full batch per epoch gives the analytic weights", async () => {
  await withLine(0.1, async (model, { train }) => {
    const h = await fit(model, train, { epochs: 3, batchSize: 4, verbose: 0 });
    // w ← w − 0.1 · 2(w − 2): 0 → 0.4 → 0.72 → 0.976; the loss is measured before each step.
    assertAlmostEquals(kernel(model), 0.976, 1e-6);
    assertAlmostEquals(h.history.loss[0], 4, 1e-6);
    assertAlmostEquals(h.history.loss[1], (0.4 - 2) ** 2, 1e-5);
  });
});

Deno.test("fit() applies weight constraints after every update, as Keras does (tfjs' model.fit leaves them out)", async () => {
  await setupBackend();
  // SGD, one full batch per epoch: w0 is pulled below 0 and nonNeg() puts it back at 0 each step.
  const dense = tf.layers.dense({
    units: 1,
    inputShape: [2],
    useBias: false,
    kernelInitializer: "ones",
    kernelConstraint: tf.constraints.nonNeg(),
  });
  const model = tf.sequential({ layers: [dense] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
  const x = tf.tensor2d([[1, 0], [0, 1]]), y = tf.tensor2d([[-3], [2]]);
  try {
    await fit(model, { x, y }, { epochs: 5, batchSize: 2, shuffle: false, verbose: 0 });
    let [w0, w1] = [1, 1];
    for (let step = 0; step < 5; step++) { // the gradient of the mean over 2 samples: (w − y)
      [w0, w1] = [Math.max(0, w0 - 0.1 * (w0 + 3)), w1 - 0.1 * (w1 - 2)];
    }
    const [k0, k1] = dense.getWeights()[0].dataSync() as Float32Array;
    assertEquals(k0, 0);
    assertAlmostEquals(k1, w1, 1e-6);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
  // The fused Adam (which updates weights in place) and a maxNorm on embedding rows.
  const data = ratingTensors(syntheticRatingArrays(400, 3));
  const norms = async (constrained: boolean) => {
    const user = tf.input({ shape: [1], dtype: "int32" });
    const movie = tf.input({ shape: [1], dtype: "int32" });
    const constraint = constrained ? tf.constraints.maxNorm({ maxValue: 0.5, axis: 1 }) : undefined;
    const table = tf.layers.embedding({
      inputDim: 30,
      outputDim: 4,
      embeddingsConstraint: constraint,
    });
    const u = tf.layers.flatten().apply(table.apply(user)) as tf.SymbolicTensor;
    const m = tf.layers.flatten().apply(
      tf.layers.embedding({ inputDim: 40, outputDim: 4 }).apply(movie),
    ) as tf.SymbolicTensor;
    const out = tf.layers.dot({ axes: 1 }).apply([u, m]) as tf.SymbolicTensor;
    const net = tf.model({ inputs: [user, movie], outputs: out });
    net.compile({ optimizer: tf.train.adam(0.05), loss: "meanSquaredError" });
    await fit(net, data, { epochs: 5, batchSize: 50, verbose: 0, seed: 1 });
    const rows = table.getWeights()[0].arraySync() as number[][];
    net.dispose();
    return rows.map((r) => Math.hypot(...r));
  };
  try {
    assertGreater(
      Math.max(...await norms(false)),
      0.6,
      "without the constraint rows grow past 0.5",
    );
    const constrained = await norms(true);
    assert(constrained.every((n) => n <= 0.5 + 1e-5), `row norms ${constrained}`);
  } finally {
    disposeData(data);
  }
});

Deno.test("fit() is deterministic for a seed, dropout masks included", async () => {
  const r = syntheticRatingArrays(600, 3);
  const run = async (seed: number) => {
    const data = ratingTensors(r);
    const model = mlpModel({ dropout: 0.3, seed: 11 });
    model.compile({
      optimizer: adam({ learningRate: 0.01 }),
      loss: "meanSquaredError",
      metrics: ["mae"],
    });
    try {
      const h = await fit(model, data, {
        epochs: 3,
        batchSize: 32,
        seed,
        validationSplit: 0.2,
        verbose: 0,
      });
      return { history: h.history, weights: weightValues(model) };
    } finally {
      disposeData(data);
      model.dispose();
    }
  };
  const a = await run(5), b = await run(5), c = await run(6);
  assertEquals(a.history, b.history);
  assertEquals(a.weights, b.weights);
  assertNotEquals(a.history.loss, c.history.loss);
});

Deno.test("fit() restores a stock Dropout layer's own seed afterwards", async () => {
  const r = syntheticRatingArrays(100);
  const data = ratingTensors(r);
  const model = mlpModel({ dropout: 0.5 });
  model.compile({ optimizer: adam(), loss: "meanSquaredError" });
  const dropout = model.layers.find((l) => l.getClassName() === "Dropout") as unknown as {
    seed?: number;
  };
  try {
    assertEquals(dropout.seed, undefined);
    await fit(model, data, { epochs: 1, batchSize: 50, verbose: 0 });
    assertEquals(dropout.seed, undefined);
  } finally {
    disposeData(data);
    model.dispose();
  }
});

Deno.test("fit(), evaluate() and predictOutputs() leave no tensors behind", async () => {
  const r = syntheticRatingArrays(500);
  const data = ratingTensors(r);
  const model = stockDotBiasModel({ l2: 1e-3 });
  model.compile({
    optimizer: adam({ learningRate: 0.01 }),
    loss: "meanSquaredError",
    metrics: ["mae"],
  });
  const plain = mlpModel({ dropout: 0.2 });
  plain.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError", metrics: ["mse"] });
  try {
    // The first call creates the optimizers' moments; they are meant to stay.
    await fit(model, data, { epochs: 1, batchSize: 100, verbose: 0 });
    await fit(plain, data, { epochs: 1, batchSize: 100, verbose: 0 });
    const before = tf.memory().numTensors;
    await fit(model, data, {
      epochs: 3,
      batchSize: 64,
      validationSplit: 0.2,
      earlyStopping: { patience: 0, restoreBestWeights: true },
      verbose: 0,
    });
    await fit(plain, data, {
      epochs: 2,
      batchSize: 64,
      validationSplit: 0.2,
      keepBestWeights: true,
      verbose: 0,
    });
    evaluate(model, data);
    predictOutputs(model, data.x, { batchSize: 77 });
    evaluate(plain, data, { batchSize: 33 });
    predictOutputs(plain, data.x);
    assertEquals(tf.memory().numTensors, before);
  } finally {
    disposeData(data);
    model.dispose();
    plain.dispose();
  }
});

Deno.test("fit() stops on a NaN loss, naming the epoch and batch, with the weights before it", async () => {
  const model = lineModel(0.1);
  const y = tf.tensor2d(Float32Array.from({ length: 50 }, (_, i) => (i === 25 ? NaN : 2)), [50, 1]);
  const x = tf.ones([50, 1]);
  const before = tf.memory().numTensors;
  try {
    const err = await assertRejects(
      () => fit(model, { x, y }, { epochs: 2, batchSize: 10, shuffle: false, verbose: 0 }),
      NonFiniteLossError,
      "the loss became NaN in epoch 1/2, batch 3/5",
    );
    assertEquals([err.epoch, err.batch], [1, 3]);
    assert(Number.isNaN(err.loss));
    assert(err instanceof RangeError);
    // The data are to blame, not the model: it is not marked, and the message names the sample.
    assertEquals([err.diverged, divergence(model)], [false, null]);
    assert(err.message.includes("the target of sample 25 is NaN"), err.message);
    // Two SGD steps happened before the bad batch: w = 0 → 0.4 → 0.72.
    assertAlmostEquals(kernel(model), 0.72, 1e-6);
    assertEquals(tf.memory().numTensors, before);
    assertEquals((model as unknown as { isTraining: boolean }).isTraining, false);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

Deno.test("fit() stops on an infinite loss too", async () => {
  const model = lineModel(0.1);
  const x = tf.ones([8, 1]);
  const y = tf.tensor2d([2, 2, 2, 2, 2, 2, Infinity, 2], [8, 1]);
  try {
    await assertRejects(
      () => fit(model, { x, y }, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 }),
      NonFiniteLossError,
      "batch 2/2",
    );
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

Deno.test("fit() marks a model whose weights blew up as diverged, and refuses to train it again", async () => {
  const r = syntheticRatingArrays(400);
  const data = ratingTensors(r);
  const model = mlpModel();
  model.compile({ optimizer: adam({ learningRate: 1e30 }), loss: "meanSquaredError" });
  const fresh = model.getWeights().map((w) => w.clone());
  try {
    const err = await assertRejects(
      () => fit(model, data, { epochs: 2, batchSize: 32, verbose: 0 }),
      NonFiniteLossError,
      "the training diverged and the weights are unusable",
    );
    assertEquals(err.diverged, true);
    assert(err.message.includes("learning rate 1.00e+30"), err.message);
    assert(err.message.includes("rebuild the model"), err.message);
    const mark = divergence(model);
    assertEquals([mark?.epoch, mark?.batch, mark?.learningRate], [err.epoch, err.batch, 1e30]);
    // Training again, even at a sane rate, fails at once and says why.
    model.optimizer = adam({ learningRate: 1e-3 });
    await assertRejects(
      () => fit(model, data, { epochs: 1, batchSize: 32, verbose: 0 }),
      DivergedModelError,
      `fit(): this model's training diverged in epoch ${err.epoch}, batch ${err.batch}`,
    );
    // New values for every weight clear the mark.
    model.setWeights(fresh);
    assertEquals(divergence(model), null);
    const h = await fit(model, data, { epochs: 1, batchSize: 32, verbose: 0 });
    assert(Number.isFinite(h.history.loss[0]));
  } finally {
    disposeData(data);
    tf.dispose(fresh);
    model.optimizer.dispose();
    model.dispose();
  }
});

Deno.test("fit() blames weights too large from the start, not the learning rate, when the first batch overflows", async () => {
  // A stock model built with 1e30 weights: its first batch's outputs overflow before any step.
  // The error advised lowering the learning rate, which had not been used yet.
  const huge = tf.initializers.constant({ value: 1e30 });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 4, inputShape: [2], kernelInitializer: huge }),
      tf.layers.dense({ units: 1, kernelInitializer: huge }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
  const x = tf.ones([8, 2]), y = tf.ones([8, 1]);
  try {
    const err = await assertRejects(
      () => fit(model, { x, y }, { epochs: 2, batchSize: 4, verbose: 0 }),
      NonFiniteLossError,
    );
    assertEquals([err.epoch, err.batch, err.diverged], [1, 1, true]);
    assertEquals(
      err.message,
      "fit(): the loss became Infinity in epoch 1/2, batch 1/2 (samples 0–3 of the shuffled " +
        "epoch, before any update): the weights are already too large at the start of this " +
        "call, so no learning rate of it is to blame: its outputs overflow (the largest weight " +
        `is 1.00e+30, in ${model.layers[0].weights[0].name}). The model is marked as diverged: ` +
        "predicting, recommending, saving or training it fails. To go on, build the model " +
        "again with smaller initial weights (its initializers, or the weights given to it), or " +
        "load a saved copy",
    );
    assertEquals(divergence(model)?.beforeUpdate, true);
    const e = await assertRejects(
      () => fit(model, { x, y }, { verbose: 0 }),
      DivergedModelError,
      "fit(): this model's weights were already too large before its first training step " +
        "(epoch 1, batch 1): the loss became Infinity, and its outputs overflow",
    );
    assert(!e.message.includes("learning rate"), e.message);
  } finally {
    tf.dispose([x, y]);
    model.optimizer.dispose();
    model.dispose();
  }
});

Deno.test("fit(), evaluate() and predictOutputs() refuse ids outside an embedding's rows, naming the input, the row and the range", async () => {
  // They failed inside tfjs: "GatherV2: the index value 1000000 is not in [0, 29]".
  const model = stockDotBiasModel({ numUsers: 30, numMovies: 40 });
  model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: "meanSquaredError" });
  const before = weightValues(model);
  const users = tf.tensor2d([[1], [1000000], [2], [-1]], [4, 1], "int32");
  const movies = tf.tensor2d([[1], [2], [3], [4]], [4, 1], "int32");
  const tooFar = tf.tensor2d([[1], [2], [40], [4]], [4, 1], "int32");
  const y = tf.tensor1d([4, 3, 2, 1]);
  try {
    await assertRejects(
      () => fit(model, { x: [users, movies], y }, { verbose: 0 }),
      RangeError,
      `fit(): data.x[0] (model input "${model.inputs[0].name}") holds 1000000 at row 1, ` +
        'outside [0, 29]: the rows of the table of layer "', // the first user embedding's name
    );
    const e = await assertRejects(
      () => fit(model, { x: [users, movies], y }, { verbose: 0 }),
      RangeError,
      "(2 of its values are outside); ids must be encoded as rows 0 … 29",
    );
    assert(!e.message.includes("GatherV2"), e.message);
    await assertRejects(
      () =>
        fit(model, { x: [movies, movies], y }, {
          validationData: { x: [movies, tooFar], y },
          verbose: 0,
        }),
      RangeError,
      `fit(): validationData.x[1] (model input "${model.inputs[1].name}") holds 40 at row 2, ` +
        "outside [0, 39]",
    );
    assertEquals(weightValues(model), before, "no step was taken");
    assertThrows(
      () => evaluate(model, { x: [movies, tooFar], y }),
      RangeError,
      "evaluate(): data.x[1]",
    );
    assertThrows(
      () => predictOutputs(model, [users, movies]),
      RangeError,
      "predictOutputs(): x[0]",
    );
    // The fused dot-bias layer: its two inputs index numUsers and numMovies rows.
    const u = tf.input({ shape: [1], dtype: "int32", name: "u" });
    const m = tf.input({ shape: [1], dtype: "int32", name: "m" });
    const layer = embeddingDotBias({ numUsers: 30, numMovies: 3, factors: 2 });
    const fused = tf.model({ inputs: [u, m], outputs: layer.apply([u, m]) as tf.SymbolicTensor });
    fused.compile({ optimizer: adam(), loss: "meanSquaredError" });
    await assertRejects(
      () => fit(fused, { x: [movies, movies], y }, { verbose: 0 }),
      RangeError,
      `fit(): data.x[1] (model input "${fused.inputs[1].name}") holds 3 at row 2, outside [0, 2]`,
    );
    fused.dispose();
    // Behind a layer that only reshapes, and from a float input (cast as the lookup casts it).
    const flat = tf.input({ shape: [2] });
    const shaped = tf.layers.reshape({ targetShape: [2, 1] }).apply(flat) as tf.SymbolicTensor;
    const looked = tf.layers.embedding({ inputDim: 5, outputDim: 1 }).apply(shaped);
    const out = tf.layers.dense({ units: 1 }).apply(
      tf.layers.flatten().apply(looked) as tf.SymbolicTensor,
    ) as tf.SymbolicTensor;
    const reshaped = tf.model({ inputs: flat, outputs: out });
    reshaped.compile({ optimizer: adam(), loss: "meanSquaredError" });
    const x = tf.tensor2d([[0, 4.5], [5, 1]]), two = tf.tensor1d([1, 2]);
    await assertRejects(
      () => fit(reshaped, { x, y: two }, { verbose: 0 }),
      RangeError,
      `fit(): data.x[0] (model input "${reshaped.inputs[0].name}") holds 5 at row 1`,
    );
    tf.dispose([x, two]);
    reshaped.dispose();
  } finally {
    tf.dispose([users, movies, tooFar, y]);
    model.dispose();
  }
});

Deno.test("fit() refuses a model whose weights hold NaN, naming the weight", async () => {
  const model = lineModel();
  model.setWeights([tf.tensor2d([[NaN]])]);
  const x = tf.ones([4, 1]), y = tf.ones([4, 1]);
  try {
    const err = await assertRejects(
      () => fit(model, { x, y }, { verbose: 0 }),
      DivergedModelError,
      "fit(): the model's weights hold 1 NaN or infinite value (the first in dense_",
    );
    assertEquals(err.divergence, null);
    assertThrows(() => checkUsable(model, "f()"), DivergedModelError, "f(): the model's weights");
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

Deno.test("fit() reports a loss that explodes without becoming NaN, in the history and the progress line", async () => {
  const r = syntheticRatingArrays(400);
  const data = ratingTensors(r);
  const model = stockDotBiasModel();
  model.compile({ optimizer: adam({ learningRate: 1e3 }), loss: "meanSquaredError" });
  try {
    let h: History | undefined;
    const sent = await inFakeKernel(async () => {
      h = await fit(model, data, { epochs: 3, batchSize: 32 });
    });
    assertEquals(h!.history.loss.every(Number.isFinite), true);
    assertEquals(h!.warnings.length, 1);
    assertEquals(h!.warnings[0].epoch, 1);
    assert(
      h!.warnings[0].message.includes("over 1,000 times the loss of predicting 0 for every sample"),
      h!.warnings[0].message,
    );
    const last = (sent[sent.length - 1].obj as Record<string, string>)["text/plain"];
    assert(last.includes("⚠ loss exploded in epoch 1"), last);
    // The model is not broken, only useless: the warning is the whole report.
    assertEquals(divergence(model), null);
  } finally {
    disposeData(data);
    model.optimizer.dispose();
    model.dispose();
  }
});

Deno.test("a loss that grows 1,000-fold over its lowest epoch counts as exploded too", () => {
  const unknown = new LossWatch(null);
  assertEquals(unknown.observe(1, 0.5), null);
  assertEquals(unknown.observe(2, 1e-4), null);
  assertEquals(unknown.observe(3, 0.4), null); // 4,000 × the lowest, but below the first epoch
  assert(
    unknown.observe(4, 600)?.message.includes("its lowest value in this run (1.00e-4, epoch 2)"),
  );
  assertEquals(unknown.observe(5, 1e6), null, "one warning per run");
  const y = {
    n: 2,
    columns: [{
      values: Float32Array.of(3, 4),
      width: 1,
      sampleShape: [],
      dtype: "float32" as const,
    }],
  };
  assertEquals(knowNothingLoss("meanSquaredError", y, 1)?.value, 12.5);
  assertEquals(knowNothingLoss("mae", y, 1)?.value, 3.5);
  assertEquals(knowNothingLoss("sparseCategoricalCrossentropy", y, 10)?.value, Math.log(10));
  assertEquals(knowNothingLoss("huber", y, 1), null);
  assertEquals(knowNothingLoss("binaryCrossentropy", y, 1), null, "targets outside 0–1");
  // A loss that can go below 0 (targets outside 0–1 under a cross-entropy) has no lowest to
  // compare with.
  const negative = new LossWatch(null);
  assertEquals(negative.observe(1, 30), null);
  assertEquals(negative.observe(2, -5), null);
  assertEquals(negative.observe(3, 31), null);
  const mse = new LossWatch(knowNothingLoss("mse", y, 1));
  assertEquals(mse.observe(1, 1e-6), null);
  assertEquals(
    mse.observe(2, 10),
    null,
    "10 million × the lowest, but not worse than predicting 0",
  );
  assert(mse.observe(3, 12_501)?.message.includes("over 1,000 times the loss of predicting 0"));
});

Deno.test("the know-nothing loss is ln 2 for 0/1 targets under binary cross-entropy, and none for one class", () => {
  const targets = (...v: number[]) => ({
    n: v.length,
    columns: [{
      values: Float32Array.from(v),
      width: 1,
      sampleShape: [],
      dtype: "float32" as const,
    }],
  });
  const y = targets(0, 1, 1, 0.5);
  assertEquals(knowNothingLoss("binaryCrossentropy", y, 1)?.value, Math.LN2);
  assertEquals(knowNothingLoss("binary_crossentropy", targets(0, 0), 1)?.value, Math.LN2);
  // One output unit: ln 1 = 0 would call every loss an explosion.
  assertEquals(knowNothingLoss("sparseCategoricalCrossentropy", targets(0, 0), 1), null);
  assertEquals(knowNothingLoss("sparseCategoricalCrossentropy", targets(0, 1), 2)?.value, Math.LN2);
});

Deno.test("a loss that explodes after a tie for the lowest names the first epoch that reached it", () => {
  const watch = new LossWatch(null);
  for (const [epoch, loss] of [[1, 0.5], [2, 0.5], [3, 0.5]]) {
    assertEquals(watch.observe(epoch, loss), null);
  }
  assert(watch.observe(4, 600)?.message.includes("its lowest value in this run (0.5, epoch 1)"));
});

Deno.test("early stopping stops after `patience` bad epochs and restores the best weights", async () => {
  await withLine(0.1, async (model, { train, val }) => {
    const seen: number[] = [];
    const h = await fit(model, train, {
      epochs: 20,
      batchSize: 4,
      validationData: val,
      earlyStopping: { monitor: "val_loss", patience: 1, restoreBestWeights: true },
      onEpochEnd: () => void seen.push(kernel(model)),
      verbose: 0,
    });
    assertEquals(h.epoch, [1, 2, 3, 4]);
    assertEquals([h.bestEpoch, h.stoppedEpoch, h.monitor], [3, 4, "val_loss"]);
    assert(h.restoredBestWeights);
    assertAlmostEquals(seen[2], 0.976, 1e-6);
    assertEquals(kernel(model), seen[2]);
    assertAlmostEquals(h.bestValue!, (0.976 - 1) ** 2, 1e-7);
    assertAlmostEquals(evaluate(model, val).loss, h.history.val_loss[2], 1e-7);
  });
});

Deno.test("the progress line says 'stopped early' only when the run ended before its epoch limit", async () => {
  const { train, val } = lineData();
  // Best at epoch 3, so patience 1 fires at epoch 4: before a limit of 5, at a limit of 4.
  const lastLine = async (epochs: number) => {
    const model = lineModel(0.1);
    try {
      let h: History | undefined;
      const sent = await inFakeKernel(async () => {
        h = await fit(model, train, {
          epochs,
          batchSize: 4,
          validationData: val,
          earlyStopping: { monitor: "val_loss", patience: 1 },
        });
      });
      return { h: h!, line: (sent.at(-1)!.obj as Record<string, string>)["text/plain"] };
    } finally {
      model.dispose();
    }
  };
  try {
    const before = await lastLine(5);
    assertEquals([before.h.epoch.length, before.h.stoppedEpoch], [4, 4]);
    assert(before.line.endsWith(" · stopped early"), before.line);
    const atLimit = await lastLine(4);
    assertEquals([atLimit.h.epoch.length, atLimit.h.stoppedEpoch], [4, 4]);
    assert(atLimit.line.includes("4 epochs in "), atLimit.line);
    assert(!atLimit.line.includes("stopped early"), atLimit.line);
  } finally {
    tf.dispose([train.x, train.y, val.x, val.y]);
  }
});

Deno.test("early stopping without restoreBestWeights keeps the last weights", async () => {
  await withLine(0.1, async (model, { train, val }) => {
    const h = await fit(model, train, {
      epochs: 20,
      batchSize: 4,
      validationData: [val.x, val.y],
      earlyStopping: { patience: 2 },
      verbose: 0,
    });
    assertEquals([h.bestEpoch, h.stoppedEpoch, h.restoredBestWeights], [3, 5, false]);
    // Five SGD steps: w = 2 − 2·0.8⁵.
    assertAlmostEquals(kernel(model), 2 - 2 * 0.8 ** 5, 1e-6);
  });
});

Deno.test("keepBestWeights runs every epoch and restores the best one", async () => {
  await withLine(0.1, async (model, { train, val }) => {
    const h = await fit(model, train, {
      epochs: 6,
      batchSize: 4,
      validationData: val,
      keepBestWeights: true,
      verbose: 0,
    });
    assertEquals(h.epoch.length, 6);
    assertEquals([h.bestEpoch, h.stoppedEpoch, h.restoredBestWeights], [3, null, true]);
    assertAlmostEquals(kernel(model), 0.976, 1e-6);
  });
});

Deno.test("validationSplit holds out the last fraction, before any shuffling", async () => {
  const model = lineModel(0.05);
  // The first 40 samples say y = 2x, the last 10 say y = x.
  const x = tf.ones([50, 1]);
  const y = tf.tensor2d(Float32Array.from({ length: 50 }, (_, i) => (i < 40 ? 2 : 1)), [50, 1]);
  const tail = { x: x.slice([40, 0], [10, 1]), y: y.slice([40, 0], [10, 1]) };
  try {
    const h = await fit(model, { x, y }, {
      epochs: 2,
      batchSize: 8,
      validationSplit: 0.2,
      verbose: 0,
    });
    assertEquals([h.params.samples, h.params.validationSamples], [40, 10]);
    // Training only ever saw y = 2 (every batch alike, so shuffling cannot matter): each step
    // multiplies 2 − w by 0.9, and epoch 1's loss is the mean of (2 − w)² = 4·0.81^k, k < 5.
    const mean81 = [0, 1, 2, 3, 4].reduce((a, k) => a + 4 * 0.81 ** k, 0) / 5;
    assertAlmostEquals(h.history.loss[0], mean81, 1e-5);
    assertAlmostEquals(kernel(model), 2 - 2 * 0.9 ** 10, 1e-5);
    assertAlmostEquals(h.history.val_loss[1], (kernel(model) - 1) ** 2, 1e-6);
    assertAlmostEquals(evaluate(model, tail).loss, h.history.val_loss[1], 1e-6);
  } finally {
    tf.dispose([x, y, tail.x, tail.y]);
    model.dispose();
  }
});

Deno.test("fit() sets the learning rate before training, and it stays for later calls", async () => {
  const model = lineModel(0.1);
  const { train, val } = lineData();
  try {
    const a = await fit(model, train, { epochs: 1, batchSize: 4, learningRate: 0.05, verbose: 0 });
    assertEquals(a.learningRate, [0.05]);
    assertAlmostEquals(kernel(model), 0.2, 1e-6); // 0 − 0.05 · 2(0 − 2)
    const b = await fit(model, train, { epochs: 2, batchSize: 4, initialEpoch: 1, verbose: 0 });
    assertEquals(b.learningRate, [0.05, 0.05]);
    assertEquals(b.epoch, [2, 3]);
  } finally {
    tf.dispose([train.x, train.y, val.x, val.y]);
    model.dispose();
  }
  const fused = stockDotBiasModel();
  const opt = adam({ learningRate: 1e-3 });
  fused.compile({ optimizer: opt, loss: "meanSquaredError" });
  const data = ratingTensors(syntheticRatingArrays(100));
  try {
    const h = await fit(fused, data, { epochs: 1, batchSize: 50, learningRate: 1e-4, verbose: 0 });
    assertEquals([opt.learningRate, h.learningRate[0]], [1e-4, 1e-4]);
  } finally {
    disposeData(data);
    fused.dispose();
  }
});

Deno.test("fit() hands Keras L2 penalties to the fused Adam and reports loss = data loss + penalty", async () => {
  const lambda = 0.05;
  const r = syntheticRatingArrays(400);
  const data = ratingTensors(r);
  const model = stockDotBiasModel({ l2: lambda, factors: 3 });
  const opt = adam({ learningRate: 0.01 });
  model.compile({ optimizer: opt, loss: "meanSquaredError", metrics: ["mse"] });
  try {
    const h = await fit(model, data, {
      epochs: 2,
      batchSize: 400,
      validationData: data,
      verbose: 0,
    });
    assert(opt instanceof FusedAdam);
    const factorNames = model.layers
      .filter((l) => l.getClassName() === "Embedding" && (l.getWeights()[0].shape[1] ?? 0) > 1)
      .map((l) => (l.weights[0].read() as tf.Variable).name);
    assertEquals([...opt.penalties().keys()].sort(), factorNames.sort());
    assertEquals([...opt.penalties().values()], [lambda, lambda]);
    // One full batch per epoch: the reported train loss is the MSE plus λ·Σw² before the step.
    assertGreater(h.history.loss[0] - h.history.mse[0], 0);
    assertAlmostEquals(h.history.loss[1] - h.history.mse[1], opt.lastPenalty(), 1e-6);
    // Validation after the last step: the penalty at the final weights.
    const penalty = tf.tidy(() =>
      model.layers.filter((l) =>
        l.getClassName() === "Embedding" && (l.getWeights()[0].shape[1] ?? 0) > 1
      )
        .map((l) => tf.sum(tf.square(l.getWeights()[0])).dataSync()[0] * lambda)
        .reduce((a, b) => a + b, 0)
    );
    assertAlmostEquals(h.history.val_loss[1] - h.history.val_mse[1], penalty, 1e-6);
    assertAlmostEquals(evaluate(model, data).loss, h.history.val_loss[1], 1e-6);
  } finally {
    disposeData(data);
    model.dispose();
  }
});

Deno.test("fit() takes the penalties of a layer with a penalties() method (the fused dot-bias layer)", async () => {
  const data = ratingTensors(syntheticRatingArrays(400));
  const build = () => {
    const u = tf.input({ shape: [1], dtype: "int32" }),
      m = tf.input({ shape: [1], dtype: "int32" });
    const layer = embeddingDotBias({
      numUsers: 30,
      numMovies: 40,
      factors: 3,
      yRange: [0, 5.5],
      embeddingsL2: 0.01,
      biasL2: 0.002,
      seed: 3,
    });
    return {
      layer,
      model: tf.model({ inputs: [u, m], outputs: layer.apply([u, m]) as tf.SymbolicTensor }),
    };
  };
  const fusedRun = build(), sgdRun = build();
  const opt = adam({ learningRate: 0.01 });
  fusedRun.model.compile({ optimizer: opt, loss: "meanSquaredError", metrics: ["mse"] });
  sgdRun.model.compile({
    optimizer: tf.train.sgd(0.05),
    loss: "meanSquaredError",
    metrics: ["mse"],
  });
  try {
    await fit(fusedRun.model, data, { epochs: 1, batchSize: 100, verbose: 0 });
    assertEquals(opt.penalties(), fusedRun.layer.penalties());
    assertEquals(fusedRun.layer.penalties().size, 4);
    // Stock SGD: the penalty goes on the tape; the loss of a full batch is MSE + Σ λ·Σw².
    const penalty = tf.tidy(() =>
      sgdRun.model.weights.map((w) => {
        const lambda = sgdRun.layer.penalties().get((w.read() as tf.Variable).name)!;
        return lambda * tf.sum(tf.square(w.read())).dataSync()[0];
      }).reduce((a, b) => a + b, 0)
    );
    const h = await fit(sgdRun.model, data, { epochs: 1, batchSize: 400, verbose: 0 });
    assertAlmostEquals(h.history.loss[0] - h.history.mse[0], penalty, 1e-6);
  } finally {
    disposeData(data);
    fusedRun.model.dispose();
    sgdRun.model.dispose();
  }
});

Deno.test("fit() adds the penalties to the loss for other optimizers, as Keras does", async () => {
  const lambda = 0.05;
  const data = ratingTensors(syntheticRatingArrays(300));
  const model = stockDotBiasModel({ l2: lambda, factors: 3 });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError", metrics: ["mse"] });
  const reference = stockDotBiasModel({ l2: lambda, factors: 3 });
  reference.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError", metrics: ["mse"] });
  try {
    // One full-batch SGD step from the same initial weights, our loop vs tfjs' own model.fit.
    const h = await fit(model, data, { epochs: 1, batchSize: 300, shuffle: false, verbose: 0 });
    const k = await reference.fit(data.x, data.y.reshape([-1, 1]), {
      epochs: 1,
      batchSize: 300,
      shuffle: false,
      verbose: 0,
    });
    assertAlmostEquals(h.history.loss[0], k.history.loss[0] as number, 1e-5);
    const a = weightValues(model), b = weightValues(reference);
    for (let i = 0; i < a.length; i++) {
      for (let j = 0; j < a[i].length; j++) assertAlmostEquals(a[i][j], b[i][j], 1e-6);
    }
  } finally {
    disposeData(data);
    model.dispose();
    reference.dispose();
  }
});

Deno.test("fit() with the fused Adam trains Dense layers as tfjs' own Adam does", async () => {
  // Regression test: on WASM, XNNPACK caches Dense kernels packed; an in-place update must not
  // leave the forward pass on stale weights.
  const data = ratingTensors(syntheticRatingArrays(800));
  const run = async (optimizer: tf.Optimizer) => {
    const model = mlpModel({ dropout: 0, seed: 4 });
    model.compile({ optimizer, loss: "meanSquaredError" });
    try {
      const h = await fit(model, data, { epochs: 4, batchSize: 100, verbose: 0 });
      return { loss: h.history.loss, final: evaluate(model, data).loss };
    } finally {
      model.dispose();
    }
  };
  try {
    const fused = await run(adam({ learningRate: 0.01 }));
    const stock = await run(tf.train.adam(0.01));
    for (let i = 0; i < 4; i++) {
      assertAlmostEquals(fused.loss[i], stock.loss[i], 2e-3 * stock.loss[i]);
    }
    assertAlmostEquals(fused.final, stock.final, 2e-3 * stock.final);
    assertLess(fused.final, fused.loss[0] / 4);
  } finally {
    disposeData(data);
  }
});

Deno.test("evaluate() and predictOutputs() agree with tfjs' model.evaluate and model.predict", async () => {
  const data = ratingTensors(syntheticRatingArrays(300));
  const model = mlpModel({ dropout: 0.5 });
  model.compile({
    optimizer: adam({ learningRate: 0.01 }),
    loss: "meanSquaredError",
    metrics: ["mae"],
  });
  try {
    await fit(model, data, { epochs: 1, batchSize: 32, verbose: 0 });
    const ours = evaluate(model, data, { batchSize: 64 });
    const theirs = tf.tidy(() =>
      (model.evaluate(data.x, data.y.reshape([-1, 1]), { batchSize: 300 }) as tf.Scalar[]).map((
        t,
      ) => t.dataSync()[0])
    );
    assertAlmostEquals(ours.loss, theirs[0], 1e-5);
    assertAlmostEquals(ours.mae, theirs[1], 1e-5);
    const p = predictOutputs(model, data.x, { batchSize: 64 });
    const q = tf.tidy(() => (model.predict(data.x) as tf.Tensor).dataSync());
    assertEquals(p.length, 300);
    for (let i = 0; i < p.length; i++) assertAlmostEquals(p[i], q[i], 1e-6);
  } finally {
    disposeData(data);
    model.dispose();
  }
});

Deno.test("fit() trains classifiers with sparse categorical and binary cross-entropy", async () => {
  const r = syntheticRatingArrays(1000);
  const labels = tf.tensor1d(r.ratings.map((v) => v - 1));
  const data = ratingTensors(r);
  const classifier = mlpModel({ units: 5, activation: "softmax", dropout: 0 });
  classifier.compile({
    optimizer: adam({ learningRate: 0.01 }),
    loss: "sparseCategoricalCrossentropy",
    metrics: ["acc"],
  });
  const binary = mlpModel({ units: 1, activation: "sigmoid", dropout: 0 });
  binary.compile({ optimizer: adam({ learningRate: 0.01 }), loss: "binaryCrossentropy" });
  const scaled = tf.tensor1d(r.ratings.map((v) => (v - 1) / 4));
  try {
    const c = await fit(classifier, { x: data.x, y: labels }, {
      epochs: 4,
      batchSize: 64,
      validationSplit: 0.2,
      verbose: 0,
    });
    assertEquals(Object.keys(c.history), ["loss", "acc", "val_loss", "val_acc"]);
    assertLess(c.history.loss[3], c.history.loss[0]);
    const b = await fit(binary, { x: data.x, y: scaled }, { epochs: 4, batchSize: 64, verbose: 0 });
    assertLess(b.history.loss[3], b.history.loss[0]);
    assertEquals(predictOutputs(classifier, data.x).length, 1000 * 5);
  } finally {
    tf.dispose([labels, scaled]);
    disposeData(data);
    classifier.dispose();
    binary.dispose();
  }
});

Deno.test("fit() checks its inputs and names what is wrong", async () => {
  const data = ratingTensors(syntheticRatingArrays(20));
  const model = stockDotBiasModel();
  try {
    await assertRejects(
      () => fit(model, data, { verbose: 0 }),
      TypeError,
      "expected a compiled model",
    );
    model.compile({ optimizer: adam(), loss: "meanSquaredError", metrics: ["mae"] });
    await assertRejects(
      () => fit(model, { x: data.x[0], y: data.y }),
      RangeError,
      "found 1 tensor in",
    );
    await assertRejects(
      () => fit(model, { x: data.x, y: tf.zeros([20, 3]) }),
      RangeError,
      "the model outputs samples of shape [1], found targets of shape [3]",
    );
    await assertRejects(
      () => fit(model, { x: data.x, y: tf.zeros([19]) }),
      RangeError,
      "20 samples",
    );
    await assertRejects(
      () => fit(model, data, { epochs: 1.5 }),
      RangeError,
      "epochs to be an integer",
    );
    await assertRejects(() => fit(model, data, { batchSize: 0 }), RangeError, "batchSize");
    await assertRejects(
      () => fit(model, data, { validationSplit: 1 }),
      RangeError,
      "validationSplit",
    );
    await assertRejects(
      () => fit(model, data, { validationSplit: 0.2, validationData: data }),
      TypeError,
      "either validationData or validationSplit",
    );
    await assertRejects(
      () => fit(model, data, { validationSplit: 0.2, earlyStopping: { monitor: "val_MAE" } }),
      RangeError,
      'earlyStopping.monitor "val_MAE" is not reported by this run; expected one of loss, mae, val_loss, val_mae',
    );
    await assertRejects(
      () => fit(model, data, { keepBestWeights: true }),
      RangeError,
      '"val_loss"',
    );
    await assertRejects(() => fit(model, data, { learningRate: -1 }), RangeError, "learningRate");
    assertThrows(
      () => evaluate(model, { x: data.x, y: data.y }, { batchSize: 0 }),
      RangeError,
      "batchSize",
    );
    assertThrows(
      () => evaluate(model, { x: data.x, y: data.y }, { batch_size: 64 } as EvaluateOptions),
      TypeError,
      'evaluate(): unknown option "batch_size" (did you mean "batchSize"?)',
    );
    assertThrows(
      () => evaluate(model, { x: data.x, y: data.y }, 64 as unknown as EvaluateOptions),
      TypeError,
      "evaluate(): expected an options object, found number 64",
    );
    assertThrows(() => predictOutputs(model, [data.x[0]]), RangeError, "the model has 2 inputs");
    // A mistyped batch size was ignored: the default of 4096 ran instead.
    assertThrows(
      () => predictOutputs(model, data.x, { batchsize: 64 } as PredictOptions),
      TypeError,
      'predictOutputs(): unknown option "batchsize" (did you mean "batchSize"?)',
    );
    assertThrows(
      () => predictOutputs(model, data.x, null as unknown as PredictOptions),
      TypeError,
      "predictOutputs(): expected an options object, found null",
    );
    assertThrows(
      () => predictOutputs({} as tf.LayersModel, data.x),
      TypeError,
      "expected a tf.LayersModel",
    );
  } finally {
    disposeData(data);
    model.dispose();
  }
});

Deno.test("setting model.stopTraining in onEpochEnd stops after that epoch", async () => {
  await withLine(0.1, async (model, { train }) => {
    const h = await fit(model, train, {
      epochs: 10,
      batchSize: 4,
      onEpochEnd: (epoch) => {
        if (epoch === 2) model.stopTraining = true;
      },
      verbose: 0,
    });
    assertEquals(h.epoch, [1, 2]);
    assertEquals(h.stoppedEpoch, null);
  });
});

Deno.test("initialEpoch numbers the epochs on and continues the shuffle stream", async () => {
  const r = syntheticRatingArrays(300);
  const run = async (initialEpoch: number) => {
    const data = ratingTensors(r);
    const model = stockDotBiasModel();
    model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: "meanSquaredError" });
    try {
      const h = await fit(model, data, { epochs: 1, batchSize: 16, initialEpoch, verbose: 0 });
      return h;
    } finally {
      disposeData(data);
      model.dispose();
    }
  };
  const first = await run(0), later = await run(3);
  assertEquals(later.epoch, [4]);
  assertNotEquals(first.history.loss[0], later.history.loss[0]);
});

Deno.test("fit() in Jupyter shows one live line updated in place", async () => {
  const model = lineModel(0.1);
  const { train, val } = lineData();
  let sent;
  try {
    sent = await inFakeKernel(() =>
      fit(model, train, { epochs: 3, batchSize: 2, validationData: val })
    );
  } finally {
    tf.dispose([train.x, train.y, val.x, val.y]);
    model.dispose();
  }
  assertGreater(sent.length, 1);
  const id = sent[0].options?.display_id;
  assert(typeof id === "string" && id.length > 0);
  assertEquals(sent[0].options?.update, undefined);
  assert(sent.slice(1).every((s) => s.options?.update === true && s.options.display_id === id));
  const last = (sent[sent.length - 1].obj as Record<string, string>)["text/plain"];
  assert(last.startsWith("stock tfjs optimizer SGD: slower · 3 epochs in 0:0"), last);
  assert(last.includes("val_loss"), last);
});

Deno.test("fit() is silent by default outside Jupyter and terminals", async () => {
  const restore = setDisplayTarget({
    jupyter: null,
    stdout: () => {
      throw new Error("unexpected stdout");
    },
    stderr: () => {
      throw new Error("unexpected stderr");
    },
    stderrIsTerminal: false,
  });
  const model = lineModel(0.1);
  const { train, val } = lineData();
  try {
    if (!Deno.stderr.isTerminal()) await fit(model, train, { epochs: 2, batchSize: 2 });
    await fit(model, train, { epochs: 2, batchSize: 2, verbose: false });
  } finally {
    restore();
    tf.dispose([train.x, train.y, val.x, val.y]);
    model.dispose();
  }
});

Deno.test("fit() sets a scheduled learning rate before every step", async () => {
  await withLine(0.1, async (model, { train }) => {
    const seen: string[] = [];
    const h = await fit(model, train, {
      epochs: 2,
      batchSize: 2,
      schedule: ({ epoch, step, steps }) => {
        seen.push(`${epoch}:${step}/${steps}`);
        return 0.01 * (step + 1);
      },
      verbose: 0,
    });
    assertEquals(seen, ["1:0/4", "1:1/4", "2:2/4", "2:3/4"]);
    assertEquals(h.learningRate, [0.02, 0.04]);
    await assertRejects(
      () => fit(model, train, { learningRate: 0.1, schedule: () => 0.1, verbose: 0 }),
      TypeError,
      "either learningRate or schedule",
    );
  });
});

Deno.test("fit() on a trained model continues where it stopped, unless told otherwise", async () => {
  await withLine(0.1, async (model, { train }) => {
    assertEquals((await fit(model, train, { epochs: 2, batchSize: 4, verbose: 0 })).epoch, [1, 2]);
    const on = await fit(model, train, { epochs: 1, batchSize: 4, verbose: 0 });
    assertEquals([on.epoch, on.params.initialEpoch], [[3], 2]);
    const restart = await fit(model, train, {
      epochs: 1,
      batchSize: 4,
      initialEpoch: 0,
      verbose: 0,
    });
    assertEquals(restart.epoch, [1]);
  });
});

Deno.test("fit() keeps each sample's several input values with its target when it shuffles", async () => {
  // One full batch of plain SGD from w = 0 on y = w·x: w₁ = lr·(2/n)·Σ yᵢ·xᵢ whatever the order,
  // but only if every row of x still meets its own target after the shuffle.
  const n = 6, lr = 0.05;
  const xs = Array.from({ length: n }, (_, i) => [i + 1, (i * 7) % 5 - 2, 0.5 * (n - i)]);
  const ys = xs.map(([a, b, c]) => a - 2 * b + 0.25 * c + (n % 3));
  const expected = [0, 1, 2].map((k) =>
    lr * (2 / n) * xs.reduce((s, row, i) => s + ys[i] * row[k], 0)
  );
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 1, inputShape: [3], useBias: false, kernelInitializer: "zeros" }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(lr), loss: "meanSquaredError" });
  const x = tf.tensor2d(xs), y = tf.tensor2d(ys, [n, 1]);
  try {
    await fit(model, { x, y }, { epochs: 1, batchSize: n, shuffle: true, seed: 3, verbose: 0 });
    const w = Array.from(model.getWeights()[0].dataSync());
    for (let k = 0; k < 3; k++) assertAlmostEquals(w[k], expected[k], 1e-4, `weight ${k}: ${w}`);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

Deno.test("evaluate() weighs every batch by its size, also when the batch size divides the samples", () => {
  // w = 0 predicts 0, so the loss is the mean of y²: (1 + 4 + 9 + 16) / 4 = 7.5.
  const model = lineModel(0.1);
  const x = tf.ones([4, 1]), y = tf.tensor2d([1, 2, 3, 4], [4, 1]);
  try {
    for (const batchSize of [1, 2, 3, 4, 5]) {
      assertAlmostEquals(evaluate(model, { x, y }, { batchSize }).loss, 7.5, 1e-6, `${batchSize}`);
    }
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

Deno.test("evaluate() and the validation loss add a single layer's L2 penalty, as Keras does", async () => {
  // w = 2 on x = 1, y = 1: MSE 1, penalty 0.25·2² = 1.
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 1,
        inputShape: [1],
        useBias: false,
        kernelInitializer: tf.initializers.constant({ value: 2 }),
        kernelRegularizer: tf.regularizers.l2({ l2: 0.25 }),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0), loss: "meanSquaredError" });
  const x = tf.ones([2, 1]), y = tf.ones([2, 1]);
  try {
    assertAlmostEquals(evaluate(model, { x, y }).loss, 2, 1e-6);
    const h = await fit(model, { x, y }, { epochs: 1, validationData: { x, y }, verbose: 0 });
    assertAlmostEquals(h.history.val_loss[0], 2, 1e-6);
    assertAlmostEquals(h.history.loss[0], 2, 1e-6);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

/** A regularizer of tfjs' own base class that is not an L1L2: half the sum of the weights. */
function halfSumRegularizer() {
  const Base = Object.getPrototypeOf(Object.getPrototypeOf(tf.regularizers.l2())).constructor as {
    new (): ReturnType<typeof tf.regularizers.l2>;
  };
  return new (class HalfSum extends Base {
    override apply(x: tf.Tensor): tf.Scalar {
      return tf.mul(0.5, tf.sum(x));
    }
    override getClassName(): string {
      return "HalfSum";
    }
    getConfig() {
      return {};
    }
  })();
}

Deno.test("evaluate() and fit() add a custom regularizer's penalty and nothing else", async () => {
  // w = 2 on x = 1, y = 1: MSE 1, penalty 0.5·2 = 1 (an L2 term on top would add 4).
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 1,
        inputShape: [1],
        useBias: false,
        kernelInitializer: tf.initializers.constant({ value: 2 }),
        kernelRegularizer: halfSumRegularizer(),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0), loss: "meanSquaredError" });
  const x = tf.ones([2, 1]), y = tf.ones([2, 1]);
  try {
    assertAlmostEquals(evaluate(model, { x, y }).loss, 2, 1e-6);
    const h = await fit(model, { x, y }, { epochs: 1, validationData: { x, y }, verbose: 0 });
    assertAlmostEquals(h.history.loss[0], 2, 1e-6);
    assertAlmostEquals(h.history.val_loss[0], 2, 1e-6);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

Deno.test("fit() computes MSE and MAE, named alone or in a one-element list, in the fused loss kernel", async () => {
  const { train, val } = lineData();
  try {
    for (const loss of ["meanSquaredError", "meanAbsoluteError", ["meanAbsoluteError"]]) {
      const model = lineModel(0.1);
      model.compile({ optimizer: tf.train.sgd(0.1), loss: loss as string | string[] });
      const info = await tf.profile(async () => {
        await fit(model, train, { epochs: 1, batchSize: 4, verbose: 0 });
      });
      const names = info.kernelNames;
      assert(
        names.includes("FusedRegressionLoss") && names.includes("FusedRegressionLossGrad"),
        `${JSON.stringify(loss)}: kernels run ${names}`,
      );
      model.dispose();
    }
  } finally {
    tf.dispose([train.x, train.y, val.x, val.y]);
  }
});

Deno.test("fit() runs one epoch when epochs is not given, and none for epochs 0", async () => {
  const { train, val } = lineData();
  const model = lineModel(0.1);
  try {
    const none = await fit(model, train, { epochs: 0, batchSize: 4, verbose: 0 });
    assertEquals([none.epoch, kernel(model)], [[], 0]);
    const one = await fit(model, train, { batchSize: 4, verbose: 0 });
    assertEquals(one.epoch, [1]);
    // One SGD step from w = 0 on y = 2x: the gradient of the MSE is −4, so w = 0.4.
    assertAlmostEquals(kernel(model), 0.4, 1e-6);
  } finally {
    tf.dispose([train.x, train.y, val.x, val.y]);
    model.dispose();
  }
});

Deno.test("fit() trains every epoch after a run that onEpochEnd stopped through model.stopTraining", async () => {
  await withLine(0.1, async (model, { train }) => {
    const stopped = await fit(model, train, {
      epochs: 3,
      batchSize: 4,
      onEpochEnd: () => void (model.stopTraining = true),
      verbose: 0,
    });
    assertEquals(stopped.epoch, [1]);
    const next = await fit(model, train, { epochs: 3, batchSize: 4, verbose: 0 });
    assertEquals(next.epoch, [2, 3, 4]);
    assertEquals(next.params.validationSamples, 0);
  });
});

Deno.test("fit() measures an exploding loss against the targets' scale, not the inputs'", async () => {
  // x = 10, y = 0.1: predicting 0 costs 0.01 (the inputs would say 100). Epoch 1 measures 0.01
  // and moves w to 2 (lr 1, gradient −2); epoch 2 measures (20 − 0.1)² ≈ 396 > 1,000 × 0.01.
  const model = lineModel(1);
  const x = tf.fill([4, 1], 10), y = tf.fill([4, 1], 0.1);
  try {
    const h = await fit(model, { x, y }, { epochs: 2, batchSize: 4, verbose: 0 });
    assertEquals(h.warnings.length, 1);
    assertEquals(h.warnings[0].epoch, 2);
    assert(
      h.warnings[0].message.includes("the loss of predicting 0 for every sample (0.01)"),
      h.warnings[0].message,
    );
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

Deno.test("fit()'s live line counts the batches from 1, as Keras prints them", async () => {
  const model = lineModel(0.1);
  const x = tf.ones([6, 1]), y = tf.fill([6, 1], 2);
  try {
    const sent = await inFakeKernel(() => fit(model, { x, y }, { epochs: 1, batchSize: 2 }));
    const first = (sent[0].obj as Record<string, string>)["text/plain"];
    assert(first.includes("epoch 1/1 · batch 1/3 · loss 4.0000 ·"), first);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});

Deno.test("evaluate() and fit() take a 1-D tensor for an input of shape [1]", async () => {
  const model = lineModel(0.1);
  const y = tf.tensor2d([1, 2, 3, 4], [4, 1]);
  const flat = tf.ones([4]), column = tf.ones([4, 1]), scalar = tf.scalar(1);
  try {
    assertEquals(evaluate(model, { x: flat, y }).loss, evaluate(model, { x: column, y }).loss);
    const h = await fit(model, { x: flat, y }, { epochs: 1, batchSize: 4, verbose: 0 });
    assertAlmostEquals(h.history.loss[0], 7.5, 1e-6);
    assertThrows(() => evaluate(model, { x: scalar, y }), RangeError, "samples on axis 0");
  } finally {
    tf.dispose([flat, column, scalar, y]);
    model.dispose();
  }
});

Deno.test("keepBestWeights with mode 'max' keeps the largest value", async () => {
  // lineData's val_loss falls to epoch 3, then rises past its epoch-1 value 0.36: at epoch 8,
  // w = 1.6645 and (w − 1)² = 0.4416.
  await withLine(0.1, async (model, { train, val }) => {
    const h = await fit(model, train, {
      epochs: 8,
      batchSize: 4,
      validationData: val,
      keepBestWeights: { monitor: "val_loss", mode: "max" },
      verbose: 0,
    });
    assertEquals(h.bestEpoch, 8);
    assertAlmostEquals(h.bestValue!, 0.4416, 1e-3);
    assertAlmostEquals(kernel(model), 1.6645, 1e-3);
  });
});

Deno.test("an equal value is no improvement: early stopping waits out a plateau, as Keras does", async () => {
  // Learning rate 0: every epoch's val_loss is exactly 1.
  await withLine(0, async (model, { train, val }) => {
    const h = await fit(model, train, {
      epochs: 5,
      batchSize: 4,
      validationData: val,
      earlyStopping: { monitor: "val_loss", patience: 1 },
      verbose: 0,
    });
    assertEquals([h.epoch, h.stoppedEpoch, h.bestEpoch, h.bestValue], [[1, 2], 2, 1, 1]);
  });
});

Deno.test("keepBestWeights passes over a validation loss that overflows to Infinity", async () => {
  await withLine(0.1, async (model, { train }) => {
    const val = { x: tf.ones([1, 1]), y: tf.fill([1, 1], 3e38) };
    const h = await fit(model, train, {
      epochs: 2,
      batchSize: 4,
      validationData: val,
      keepBestWeights: true,
      verbose: 0,
    });
    assertEquals(h.history.val_loss, [Infinity, Infinity]);
    assertEquals([h.bestEpoch, h.bestValue, h.restoredBestWeights], [null, null, false]);
  });
});

Deno.test("early stopping ignores the epochs up to startFromEpoch, then counts patience", async () => {
  // val_loss is best at epoch 3 and worse at 4, so patience 1 stops at epoch 4.
  await withLine(0.1, async (model, { train, val }) => {
    const h = await fit(model, train, {
      epochs: 6,
      batchSize: 4,
      validationData: val,
      earlyStopping: { monitor: "val_loss", patience: 1, startFromEpoch: 2 },
      verbose: 0,
    });
    assertEquals([h.epoch, h.stoppedEpoch, h.bestEpoch], [[1, 2, 3, 4], 4, 3]);
  });
});

Deno.test("fit() refuses an unknown option, naming it and the option it most likely meant", async () => {
  await withLine(0.1, async (model, { train }) => {
    const before = kernel(model);
    await assertRejects(
      () => fit(model, train, { epoch: 3, verbose: 0 } as FitOptions),
      TypeError,
      'fit(): unknown option "epoch" (did you mean "epochs"?)',
    );
    await assertRejects(
      () => fit(model, train, { seed: 1.5, verbose: 0 }),
      RangeError,
      "fit(): expected seed to be an integer in [0, 4294967295], found 1.5",
    );
    await assertRejects( // it shuffled as seed 42
      () => fit(model, train, { seed: 2 ** 32 + 42, verbose: 0 }),
      RangeError,
      "fit(): expected seed to be an integer in [0, 4294967295], found 4294967338",
    );
    assertEquals(kernel(model), before);
  });
});

Deno.test("fit() refuses a misspelt or mistyped earlyStopping or keepBestWeights field, and options of the wrong type", async () => {
  await withLine(0.1, async (model, { train, val }) => {
    const before = kernel(model);
    const cases: [FitOptions, ErrorConstructor, string][] = [
      [
        { earlyStopping: { patients: 5 } as never },
        TypeError,
        'fit(): unknown option "earlyStopping.patients" (did you mean "earlyStopping.patience"?)',
      ],
      [
        { keepBestWeights: { monitr: "val_loss" } as never },
        TypeError,
        'fit(): unknown option "keepBestWeights.monitr" (did you mean "keepBestWeights.monitor"?)',
      ],
      [
        { earlyStopping: "yes" as never },
        TypeError,
        "fit(): expected earlyStopping to be true, false, null or an object of its options",
      ],
      [
        { earlyStopping: { minDelta: "0.1" as never } },
        TypeError,
        "fit(): expected earlyStopping.minDelta to be a finite number, found string 0.1",
      ],
      [
        { earlyStopping: { monitor: 3 as never } },
        TypeError,
        'fit(): expected earlyStopping.monitor to be a key of the epoch logs ("val_loss", …), ' +
        "found number 3",
      ],
      [
        { epochs: "2" as never },
        TypeError,
        "fit(): expected epochs to be an integer >= 0, found string 2",
      ],
      [
        { initialEpoch: "a" as never },
        TypeError,
        "fit(): expected initialEpoch to be an integer >= 0, found string a",
      ],
      [{ epochs: -1 }, RangeError, "fit(): expected epochs to be an integer >= 0, found -1"],
    ];
    for (const [options, Class, message] of cases) {
      await assertRejects(
        () => fit(model, train, { validationData: val, verbose: 0, ...options }),
        Class,
        message,
      );
    }
    assertEquals(kernel(model), before);
  });
});

Deno.test("fit() refuses a schedule's learning rate that is not a finite number > 0, at its step", async () => {
  for (const rate of [-1, NaN, 0, Infinity]) {
    await withLine(0.1, async (model, { train }) => {
      const before = kernel(model);
      await assertRejects(
        () => fit(model, train, { epochs: 3, schedule: () => rate, verbose: 0 }),
        RangeError,
        "fit(): expected the schedule to give a learning rate that is a finite number > 0, " +
          `found ${rate} for epoch 1, step 0 (0-based, of 3 in this call)`,
      );
      assertEquals(kernel(model), before, "no step was taken");
    });
  }
  await withLine(0.1, async (model, { train }) => {
    await assertRejects(
      () =>
        fit(model, train, {
          epochs: 2,
          batchSize: 2,
          schedule: ({ step }) => step < 3 ? 0.01 : -0.01,
          verbose: 0,
        }),
      RangeError,
      "found -0.01 for epoch 2, step 3 (0-based, of 4 in this call)",
    );
  });
});

Deno.test("evaluate() and fit()'s validation refuse a NaN or infinite target, naming its sample", async () => {
  await withLine(0.1, async (model, { train }) => {
    const nan = tf.tensor2d([[1], [NaN]]), inf = tf.tensor2d([[Infinity]]);
    const two = tf.ones([2, 1]), one = tf.ones([1, 1]);
    try {
      assertThrows(
        () => evaluate(model, { x: two, y: nan }),
        RangeError,
        "evaluate(): expected finite targets in data.y, found NaN in sample 1",
      );
      await assertRejects(
        () => fit(model, train, { validationData: { x: one, y: inf }, verbose: 0 }),
        RangeError,
        "fit(): expected finite targets in validationData.y, found Infinity in sample 0",
      );
      await assertRejects(
        () => fit(model, { x: two, y: nan }, { validationSplit: 0.5, verbose: 0 }),
        RangeError,
        "fit(): expected finite targets in the validation part of data.y, found NaN in sample 1",
      );
    } finally {
      tf.dispose([nan, inf, two, one]);
    }
  });
});

Deno.test("fit(), evaluate() and predictOutputs() refuse a model disposed by hand, by name", async () => {
  const x = tf.tensor2d([[1], [2]]), y = tf.tensor1d([2, 4]);
  try {
    const gone = lineModel();
    gone.dispose();
    const message = "the model was disposed (model.dispose()) and cannot be used any more";
    await assertRejects(() => fit(gone, { x, y }, { verbose: 0 }), RangeError, `fit(): ${message}`);
    assertThrows(() => evaluate(gone, { x, y }), RangeError, `evaluate(): ${message}`);
    assertThrows(() => predictOutputs(gone, x), RangeError, `predictOutputs(): ${message}`);
    // A weight freed from under the model: its layer disposed on its own.
    const bare = lineModel();
    bare.layers[0].dispose();
    assertThrows(
      () => predictOutputs(bare, x),
      RangeError,
      'predictOutputs(): the weight "dense_Dense',
    );
    // A model that is a layer of another counts two references, and is not disposed for that.
    const inner = lineModel(), input = tf.input({ shape: [1] });
    const outer = tf.model({ inputs: input, outputs: inner.apply(input) as tf.SymbolicTensor });
    assertEquals(Array.from(predictOutputs(inner, x)), [0, 0]);
    outer.dispose(); // frees the inner model with it
    assertThrows(() => predictOutputs(inner, x), RangeError, `predictOutputs(): ${message}`);
  } finally {
    tf.dispose([x, y]);
  }
});
