import * as tf from "@tensorflow/tfjs";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import { adam } from "../../lib/train/optimizer.ts";
import {
  EmbeddingDotBias,
  embeddingDotBias,
  type EmbeddingDotBiasOptions,
} from "../../lib/models/embedding_dot_bias.ts";
import { createRng } from "../../lib/random.ts";

await setupBackend({ backend: "wasm" });

function build(options: EmbeddingDotBiasOptions) {
  const users = tf.input({ shape: [1], dtype: "int32", name: "user" });
  const movies = tf.input({ shape: [1], dtype: "int32", name: "movie" });
  const layer = embeddingDotBias(options);
  const output = layer.apply([users, movies]) as tf.SymbolicTensor;
  return { layer, model: tf.model({ inputs: [users, movies], outputs: output }) };
}

/** A small synthetic rating set with a real low-rank structure. */
function synthetic(n: number, numUsers: number, numMovies: number, seed: number) {
  const rng = createRng(seed);
  const taste = Array.from({ length: numUsers }, () => rng.normal());
  const kind = Array.from({ length: numMovies }, () => rng.normal());
  const u = new Int32Array(n), m = new Int32Array(n), r = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    u[i] = rng.int(numUsers);
    m[i] = rng.int(numMovies);
    r[i] = Math.min(5, Math.max(1, 3 + taste[u[i]] * kind[m[i]] + 0.1 * rng.normal()));
  }
  return {
    x: [tf.tensor2d(u, [n, 1], "int32"), tf.tensor2d(m, [n, 1], "int32")],
    y: tf.tensor2d(r, [n, 1]),
  };
}

Deno.test("embeddingDotBias() gives one prediction per row and Keras' parameter count", () => {
  const { model } = build({ numUsers: 7, numMovies: 11, factors: 3 });
  assertEquals(model.outputs[0].shape, [null, 1]);
  assertEquals(model.countParams(), 7 * 3 + 11 * 3 + 7 + 11);
  const y = model.predict([
    tf.tensor2d([[0], [6], [3]], [3, 1], "int32"),
    tf.tensor2d([[10], [0], [5]], [3, 1], "int32"),
  ]) as tf.Tensor;
  assertEquals(y.shape, [3, 1]);
  const noBias = build({ numUsers: 7, numMovies: 11, factors: 3, bias: false }).model;
  assertEquals(noBias.countParams(), 7 * 3 + 11 * 3);
  tf.dispose([y]);
  model.dispose();
  noBias.dispose();
});

Deno.test("embeddingDotBias() names its weights like the Keras tables", () => {
  const { layer, model } = build({ numUsers: 4, numMovies: 5, factors: 2 });
  const names = layer.weights.map((w) => w.originalName.split("/").pop());
  assertEquals(names, ["user_factors", "movie_factors", "user_bias", "movie_bias"]);
  assertEquals(layer.weights.map((w) => w.shape), [[4, 2], [5, 2], [4, 1], [5, 1]]);
  model.dispose();
});

Deno.test("embeddingDotBias() computes dot + biases + offset through the output range", () => {
  const { layer, model } = build({
    numUsers: 2,
    numMovies: 3,
    factors: 2,
    yRange: [0, 5.5],
    offset: 0.5,
  });
  layer.setWeights([
    tf.tensor2d([[1, 2], [0.5, -1]]),
    tf.tensor2d([[0.1, 0.2], [0.3, -0.4], [1, 1]]),
    tf.tensor2d([[0.25], [-0.5]]),
    tf.tensor2d([[0], [0.1], [-0.2]]),
  ]);
  const y = model.predict([
    tf.tensor2d([[0], [1]], [2, 1], "int32"),
    tf.tensor2d([[2], [1]], [2, 1], "int32"),
  ]) as tf.Tensor;
  const z = [1 + 2 + 0.25 + -0.2 + 0.5, 0.15 + 0.4 - 0.5 + 0.1 + 0.5];
  const want = z.map((v) => 5.5 / (1 + Math.exp(-v)));
  const got = y.dataSync();
  assertAlmostEquals(got[0], want[0], 1e-5);
  assertAlmostEquals(got[1], want[1], 1e-5);
  tf.dispose(y);
  model.dispose();
});

Deno.test("embeddingDotBias() gradients match the same model built from stock layers", () => {
  const { layer, model } = build({ numUsers: 6, numMovies: 8, factors: 4, yRange: [0, 5] });
  const users = tf.input({ shape: [1], dtype: "int32" });
  const movies = tf.input({ shape: [1], dtype: "int32" });
  // Stock graph: two factor embeddings, dot, two bias embeddings, add, sigmoid scaled to [0, 5].
  const uf = tf.layers.embedding({ inputDim: 6, outputDim: 4 });
  const mf = tf.layers.embedding({ inputDim: 8, outputDim: 4 });
  const ubl = tf.layers.embedding({ inputDim: 6, outputDim: 1 });
  const mbl = tf.layers.embedding({ inputDim: 8, outputDim: 1 });
  const flat = (x: tf.SymbolicTensor) => tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const dot = tf.layers.dot({ axes: 1 }).apply([
    flat(uf.apply(users) as tf.SymbolicTensor),
    flat(mf.apply(movies) as tf.SymbolicTensor),
  ]) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([
    dot,
    flat(ubl.apply(users) as tf.SymbolicTensor),
    flat(mbl.apply(movies) as tf.SymbolicTensor),
  ]) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: "sigmoid" }).apply(sum) as tf.SymbolicTensor;
  const stock = tf.model({ inputs: [users, movies], outputs: out });
  // Same weights in both (biases made non-zero so that their gradients matter).
  const weights = layer.getWeights().map((w, i) =>
    i < 2 ? w : tf.randomNormal(w.shape, 0, 0.3, "float32", i)
  );
  layer.setWeights(weights);
  uf.setWeights([weights[0]]);
  mf.setWeights([weights[1]]);
  ubl.setWeights([weights[2]]);
  mbl.setWeights([weights[3]]);
  const x = [
    tf.tensor2d([[0], [5], [5], [2]], [4, 1], "int32"),
    tf.tensor2d([[7], [1], [7], [0]], [4, 1], "int32"),
  ];
  const target = tf.tensor2d([[1], [4], [2], [5]]);
  const loss = (m: tf.LayersModel, scale: number) => () =>
    tf.mean(tf.square(tf.sub(tf.mul(m.apply(x) as tf.Tensor, scale), target))) as tf.Scalar;
  const a = tf.variableGrads(loss(model, 1));
  const b = tf.variableGrads(loss(stock, 5));
  assertAlmostEquals(a.value.dataSync()[0], b.value.dataSync()[0], 1e-4);
  const fusedGrads = model.trainableWeights.map((w) => a.grads[(w.read() as tf.Variable).name]);
  const stockGrads = [uf, mf, ubl, mbl].map((l) =>
    b.grads[(l.trainableWeights[0].read() as tf.Variable).name]
  );
  fusedGrads.forEach((g, i) => {
    const d = tf.max(tf.abs(tf.sub(g, stockGrads[i]))).dataSync()[0];
    assert(
      d < 1e-5,
      `gradient of ${["user_factors", "movie_factors", "user_bias", "movie_bias"][i]}: ${d}`,
    );
  });
  model.dispose();
  stock.dispose();
});

Deno.test("embeddingDotBias() lowers the loss on synthetic ratings with model.fit", async () => {
  const { model } = build({ numUsers: 30, numMovies: 40, factors: 4, yRange: [0, 5.5], seed: 3 });
  model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: "meanSquaredError" });
  const { x, y } = synthetic(600, 30, 40, 4);
  const history = await model.fit(x, y, { epochs: 15, batchSize: 50, verbose: 0, shuffle: false });
  const losses = history.history.loss as number[];
  assert(losses[losses.length - 1] < losses[0] / 3, `loss went ${losses[0]} → ${losses.at(-1)}`);
  model.dispose();
  tf.dispose([...x, y]);
});

Deno.test("embeddingDotBias() is reproducible for a seed and differs between seeds", () => {
  const weights = (seed: number) => {
    const { layer, model } = build({ numUsers: 5, numMovies: 5, factors: 3, seed });
    const w = layer.getWeights().map((t) => Array.from(t.dataSync()));
    model.dispose();
    return w;
  };
  assertEquals(weights(9), weights(9));
  assert(JSON.stringify(weights(9)[0]) !== JSON.stringify(weights(10)[0]));
  // Keras' Embedding default: uniform in [-0.05, 0.05]; biases start at zero.
  const [u, , ub] = weights(9);
  assert(u.every((v) => Math.abs(v) <= 0.05) && u.some((v) => v !== 0));
  assert(ub.every((v) => v === 0));
});

Deno.test("embeddingDotBias() saves and loads with identical predictions", async () => {
  const { model } = build({
    numUsers: 6,
    numMovies: 9,
    factors: 3,
    yRange: [0.5, 5],
    offset: 0.2,
    embeddingsInitializer: "heNormal",
    embeddingsL2: 1e-4,
  });
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler((a) => {
    artifacts = a;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    });
  }));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
  const x = [
    tf.tensor2d([[0], [5], [3]], [3, 1], "int32"),
    tf.tensor2d([[8], [0], [4]], [3, 1], "int32"),
  ];
  const a = (model.predict(x) as tf.Tensor).dataSync();
  const b = (loaded.predict(x) as tf.Tensor).dataSync();
  assertEquals(Array.from(b), Array.from(a));
  const layer = loaded.layers.find((l) => l instanceof EmbeddingDotBias) as EmbeddingDotBias;
  assertEquals([layer.offset, layer.yRange, layer.embeddingsL2], [0.2, [0.5, 5], 1e-4]);
  model.dispose();
  loaded.dispose();
});

Deno.test("embeddingDotBias() reports its Keras L2 penalties by variable name", () => {
  const { layer, model } = build({
    numUsers: 3,
    numMovies: 4,
    factors: 2,
    embeddingsL2: 1e-4,
    biasL2: 0,
  });
  const penalties = layer.penalties();
  assertEquals([...penalties.values()], [1e-4, 1e-4]);
  const names = [...penalties.keys()];
  assert(names[0].endsWith("user_factors") && names[1].endsWith("movie_factors"));
  // The same λ also reaches stock training (model.fit) through Keras-style regularisation losses.
  const [u, m] = layer.getWeights().map((w) => tf.sum(tf.square(w)).dataSync()[0]);
  const losses = (model as unknown as { calculateLosses(): tf.Scalar[] }).calculateLosses();
  assertEquals(losses.length, 2);
  assertAlmostEquals(losses[0].dataSync()[0] + losses[1].dataSync()[0], 1e-4 * (u + m), 1e-9);
  model.dispose();
});

Deno.test("embeddingDotBias() accepts float id inputs and casts them", () => {
  const users = tf.input({ shape: [1] });
  const movies = tf.input({ shape: [1] });
  const layer = embeddingDotBias({ numUsers: 3, numMovies: 3, factors: 2 });
  const model = tf.model({
    inputs: [users, movies],
    outputs: layer.apply([users, movies]) as tf.SymbolicTensor,
  });
  const y = model.predict([tf.tensor2d([[2]]), tf.tensor2d([[1]])]) as tf.Tensor;
  assertEquals(y.shape, [1, 1]);
  model.dispose();
});

Deno.test("embeddingDotBias() rejects bad options with a RangeError naming them", () => {
  assertThrows(
    () => embeddingDotBias({ numUsers: 0, numMovies: 3, factors: 2 }),
    RangeError,
    "embeddingDotBias(): expected numUsers to be a positive integer, found 0",
  );
  assertThrows(
    () => embeddingDotBias({ numUsers: 2, numMovies: 3, factors: 2, yRange: [5, 1] }),
    RangeError,
    "expected yRange [lo, hi] with lo < hi, found [5,1]",
  );
  assertThrows(
    () => embeddingDotBias({ numUsers: 2, numMovies: 3, factors: 2, embeddingsL2: -1 }),
    RangeError,
    "embeddingDotBias(): expected embeddingsL2 to be a finite number >= 0, found -1",
  );
  assertThrows(
    () =>
      embeddingDotBias({ numUsers: 2, numMovies: 3, factors: 2, embeddingsInitializer: "magic" }),
    TypeError,
    'unknown initializer "magic"',
  );
  assertThrows( // it drew the weights of seed 9
    () => embeddingDotBias({ numUsers: 2, numMovies: 3, factors: 2, seed: 2 ** 32 + 9 }),
    RangeError,
    "embeddingDotBias(): expected seed to be an integer in [0, 4294967295], found 4294967305",
  );
});
