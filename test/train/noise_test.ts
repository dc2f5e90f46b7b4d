import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertNotEquals } from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import { fit } from "../../lib/train/fit.ts";
import { adam } from "../../lib/train/optimizer.ts";
import { planRun } from "../../lib/train/_setup.ts";
import { createRng } from "../../lib/random.ts";
import {
  disposeData,
  mlpModel,
  ratingTensors,
  syntheticRatingArrays,
  weightValues,
} from "./_fit_fixtures.ts";

await setupBackend();

type NoiseKind = "GaussianNoise" | "GaussianDropout" | "AlphaDropout";
const KINDS: NoiseKind[] = ["GaussianNoise", "GaussianDropout", "AlphaDropout"];

function noiseLayer(kind: NoiseKind, name?: string): tf.layers.Layer {
  if (kind === "GaussianNoise") return tf.layers.gaussianNoise({ stddev: 0.5, name });
  if (kind === "GaussianDropout") return tf.layers.gaussianDropout({ rate: 0.3, name });
  return tf.layers.alphaDropout({ rate: 0.2, name });
}

/** Embeddings → concat → the noise layer → dense selu → dense 1, with seeded initial weights. */
function noisyModel(kind: NoiseKind): tf.LayersModel {
  const rng = createRng(3);
  const user = tf.input({ shape: [1], dtype: "int32" });
  const movie = tf.input({ shape: [1], dtype: "int32" });
  const look = (n: number, ids: tf.SymbolicTensor) =>
    tf.layers.flatten().apply(
      tf.layers.embedding({
        inputDim: n,
        outputDim: 4,
        embeddingsInitializer: tf.initializers.randomNormal({ seed: rng.uint32() }),
      }).apply(ids),
    ) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate().apply([look(30, user), look(40, movie)]);
  const noisy = noiseLayer(kind, "noise").apply(cat) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({
    units: 8,
    activation: "selu",
    kernelInitializer: tf.initializers.glorotUniform({ seed: rng.uint32() }),
  }).apply(noisy);
  const out = tf.layers.dense({
    units: 1,
    kernelInitializer: tf.initializers.glorotUniform({ seed: rng.uint32() }),
  }).apply(hidden) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [user, movie], outputs: out });
  model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: "meanSquaredError" });
  return model;
}

for (const kind of KINDS) {
  Deno.test(`fit() with ${kind === "AlphaDropout" ? "an" : "a"} ${kind} layer repeats its history and weights for a seed, and not for another`, async () => {
    const r = syntheticRatingArrays(400, 4);
    const run = async (seed: number) => {
      const data = ratingTensors(r);
      const model = noisyModel(kind);
      try {
        const notes = planRun(model, data, { seed }).notes;
        const h = await fit(model, data, {
          epochs: 2,
          batchSize: 50,
          seed,
          validationSplit: 0.2,
          verbose: 0,
        });
        return { notes, history: h.history, weights: weightValues(model) };
      } finally {
        disposeData(data);
        model.dispose();
      }
    };
    const a = await run(5), b = await run(5), c = await run(6);
    assertEquals(a.history, b.history, "the same seed should give the same history");
    assertEquals(a.weights, b.weights, "the same seed should give the same weights");
    assertNotEquals(a.history.loss, c.history.loss, "another seed should draw other noise");
    assertEquals(a.notes.filter((n) => n.includes("unseeded")), [], `${a.notes}`);
  });
}

/** Mean, standard deviation and fourth central moment of `v`, in float64. */
function moments(v: ArrayLike<number>): { mean: number; sd: number; m4: number } {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  let m2 = 0, m4 = 0;
  for (let i = 0; i < v.length; i++) {
    const d = (v[i] - mean) ** 2;
    m2 += d;
    m4 += d * d;
  }
  return { mean, sd: Math.sqrt(m2 / v.length), m4: m4 / v.length };
}

/**
 * Draws of a layer in training with its `seed` field set as fit() sets it before a step.
 * The sample size N = 200,000 puts the standard error of a mean at σ/√N ≈ 0.0022σ and that of a
 * normal sample's standard deviation at σ/√(2N) ≈ 0.0016σ; the checks allow 5 standard errors,
 * which a correct draw exceeds with probability below 1e-6, while a wrong scale (sd for variance,
 * rate for 1 − rate) misses by tens of them.
 */
const N = 200_000;
const Z = 5;

function draw(layer: tf.layers.Layer, x: tf.Tensor, seed: number, training = true): Float32Array {
  Object.assign(layer, { seed });
  return tf.tidy(() => (layer.apply(x, { training }) as tf.Tensor).dataSync() as Float32Array);
}

Deno.test("GaussianNoise adds seeded N(0, stddev) noise in training and nothing in inference", () => {
  const layer = tf.layers.gaussianNoise({ stddev: 0.5 });
  const x = tf.fill([N], 3);
  try {
    const y = draw(layer, x, 1);
    assertEquals(draw(layer, x, 1), y, "the same seed should give the same noise");
    assertNotEquals(draw(layer, x, 2).slice(0, 10), y.slice(0, 10));
    const m = moments(y.map((v) => v - 3));
    assertLess(Math.abs(m.mean), Z * 0.5 / Math.sqrt(N), `mean ${m.mean}`);
    assertLess(Math.abs(m.sd - 0.5), Z * 0.5 / Math.sqrt(2 * N), `sd ${m.sd}`);
    assert(draw(layer, x, 1, false).every((v) => v === 3), "inference should be the identity");
  } finally {
    x.dispose();
  }
});

Deno.test("GaussianDropout multiplies by seeded N(1, sqrt(rate / (1 - rate))) noise in training only", () => {
  const layer = tf.layers.gaussianDropout({ rate: 0.3 });
  const ones = tf.ones([N]), threes = tf.fill([N], 3);
  try {
    const y = draw(layer, ones, 1);
    assertEquals(draw(layer, ones, 1), y, "the same seed should give the same noise");
    assertNotEquals(draw(layer, ones, 2).slice(0, 10), y.slice(0, 10));
    // Multiplicative: 3 times the input, 3 times each output, for the same draws.
    assertEquals(draw(layer, threes, 1), y.map((v) => Math.fround(3 * v)));
    const sd = Math.sqrt(0.3 / 0.7);
    const m = moments(y);
    assertLess(Math.abs(m.mean - 1), Z * sd / Math.sqrt(N), `mean ${m.mean}`);
    assertLess(Math.abs(m.sd - sd), Z * sd / Math.sqrt(2 * N), `sd ${m.sd} against ${sd}`);
    assert(draw(layer, threes, 1, false).every((v) => v === 3), "inference should be the identity");
  } finally {
    tf.dispose([ones, threes]);
  }
});

Deno.test("AlphaDropout drops a seeded share of rate, with tfjs' affine correction and variance 1", () => {
  const rate = 0.2;
  const rng = createRng(9);
  const input = Float32Array.from({ length: N }, () => rng.normal());
  const x = tf.tensor1d(input);
  const layer = tf.layers.alphaDropout({ rate });
  try {
    const y = draw(layer, x, 1);
    assertEquals(draw(layer, x, 1), y, "the same seed should give the same mask");
    assertNotEquals(draw(layer, x, 2), y);
    // tfjs-layers 4.22's call(): a kept x becomes a·x + b, a dropped one a·(−alphaP) + b.
    const alphaP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;
    const a = ((1 - rate) * (1 + rate * alphaP ** 2)) ** -0.5;
    const b = -a * alphaP * rate;
    const droppedValue = Math.fround(Math.fround(Math.fround(-alphaP) * Math.fround(a)) + b);
    let dropped = 0;
    for (let i = 0; i < N; i++) {
      if (y[i] === droppedValue) dropped++;
      else assertLess(Math.abs(y[i] - (a * input[i] + b)), 1e-5, `element ${i}`);
    }
    const share = dropped / N;
    assertLess(Math.abs(share - rate), Z * Math.sqrt(rate * (1 - rate) / N), `dropped ${share}`);
    // For inputs of mean 0 and variance 1 the output keeps variance 1, as tfjs documents. Its
    // mean is −2·a·rate·alphaP (0.618 at rate 0.2), not 0: tfjs sets dropped elements to
    // −alphaP where Keras sets alphaP, and this layer keeps tfjs' arithmetic.
    const m = moments(y), mx = moments(input);
    const varianceSe = Math.sqrt((m.m4 - m.sd ** 4) / N);
    assertLess(Math.abs(m.sd ** 2 - mx.sd ** 2), Z * varianceSe, `variance ${m.sd ** 2}`);
    const mean = -2 * a * rate * alphaP + a * mx.mean;
    assertLess(Math.abs(m.mean - mean), Z * m.sd / Math.sqrt(N), `mean ${m.mean} against ${mean}`);
    assert(draw(layer, x, 1, false).every((v, i) => v === input[i]), "inference: identity");
  } finally {
    x.dispose();
  }
});

Deno.test("AlphaDropout with a noiseShape drops whole broadcast slices, seeded", () => {
  const layer = tf.layers.alphaDropout({ rate: 0.5, noiseShape: [1, 64] });
  const x = tf.ones([100, 64]);
  try {
    const y = draw(layer, x, 4);
    assertEquals(draw(layer, x, 4), y);
    const columns = Array.from({ length: 64 }, (_, j) =>
      new Set(
        Array.from({ length: 100 }, (_, i) => y[i * 64 + j]),
      ));
    assert(columns.every((c) => c.size === 1), "one mask value per column");
    const values = new Set(columns.map((c) => [...c][0]));
    assertEquals(values.size, 2, "some columns kept, some dropped");
  } finally {
    x.dispose();
  }
});

Deno.test("fit() trains a model without noise layers as before (dropout masks from the same draws)", async () => {
  // The loss history of this run before the noise layers were seeded (commit 971815a): seeding
  // them must not change which seeds the Dropout layers get.
  const data = ratingTensors(syntheticRatingArrays(600, 3));
  const model = mlpModel({ dropout: 0.3, seed: 11 });
  model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: "meanSquaredError" });
  try {
    const h = await fit(model, data, { epochs: 2, batchSize: 32, seed: 5, verbose: 0 });
    assertEquals(h.history.loss, [7.5231042544047035, 1.8390342140197753]);
  } finally {
    disposeData(data);
    model.dispose();
  }
});
