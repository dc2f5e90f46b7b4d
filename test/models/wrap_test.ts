import * as tf from "@tensorflow/tfjs";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertLess,
  assertNotEquals,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { fitEncoders } from "../../lib/data/mod.ts";
import {
  movieBiases,
  movieEmbeddings,
  predictRatings,
  recommend,
  recommender,
  train,
  trainingTensors,
  userEmbeddings,
} from "../../lib/models/mod.ts";
import { setRandomSeed } from "../../lib/random.ts";
import { setupBackend } from "../../lib/train/backend.ts";
import { FusedAdam } from "../../lib/train/optimizer.ts";
import { captureStderr } from "../_stderr.ts";
import { concatMlp, embeddingNet } from "./_notebook_models.ts";
import { syntheticMovies, syntheticRatings } from "./_fixtures.ts";

await setupBackend();
const ratings = syntheticRatings();
const encoders = fitEncoders(ratings);
const sizes = { users: encoders.users.size, movies: encoders.movies.size, factors: 3 };

function weights(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

Deno.test("recommender() wraps a notebook-written model: predictions, recommendations and tables by raw id", async () => {
  setRandomSeed(3);
  const model = embeddingNet(sizes);
  model.compile({ optimizer: tf.train.adam(0.05), loss: "meanSquaredError" });
  const rec = recommender(model, { ...encoders, catalog: syntheticMovies(), ratings });
  assertEquals([rec.kind, rec.config.kind, rec.config.outputUnits], ["custom", "custom", 1]);
  const h = await train(rec, ratings, { epochs: 6, batchSize: 16, verbose: 0 });
  assertLess(h.history.loss[5], h.history.loss[0]);
  const pred = predictRatings(rec, ratings);
  assert(pred.every((p) => p >= 0 && p <= 5.5));
  // The tables are found from the graph: the layers are named "a" … "d".
  const table = movieEmbeddings(rec);
  assertEquals([table.ids.length, table.dim], [encoders.movies.size, 3]);
  assertEquals(table.vectors, model.getLayer("b").getWeights()[0].dataSync());
  assertEquals(userEmbeddings(rec).dim, 3);
  assertEquals(movieBiases(rec).values, model.getLayer("d").getWeights()[0].dataSync());
  const top = recommend(rec, encoders.users.ids[0], { k: 3, exclude: ratings });
  assertEquals(top.height, 3);
});

Deno.test("train() runs a model compiled with tf.train.adam on the fused Adam, as tfjs' Adam would", async () => {
  setRandomSeed(11);
  const ours = embeddingNet(sizes);
  const stock = embeddingNet(sizes);
  stock.setWeights(ours.getWeights());
  ours.compile({ optimizer: tf.train.adam(0.02, 0.8, 0.99, 1e-4), loss: "meanSquaredError" });
  stock.compile({ optimizer: tf.train.adam(0.02, 0.8, 0.99, 1e-4), loss: "meanSquaredError" });
  const rec = recommender(ours, encoders);
  // One batch per epoch: the order of the samples cannot change the step.
  const n = ratings.height;
  await train(rec, ratings, { epochs: 3, batchSize: n, verbose: 0 });
  const { x, y } = trainingTensors(rec, ratings);
  await stock.fit(x, y, { epochs: 3, batchSize: n, shuffle: false, verbose: 0 });
  tf.dispose([...x, y]);
  assert(ours.optimizer instanceof FusedAdam);
  assertEquals(rec.config.optimizer, {
    weightDecay: 0,
    decay: "none",
    beta1: 0.8,
    beta2: 0.99,
    epsilon: 1e-4,
    epsilonHat: false,
  });
  const [a, b] = [weights(ours), weights(stock)];
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a[i].length; j++) assertAlmostEquals(a[i][j], b[i][j], 1e-5);
  }
});

Deno.test("a model wrapped again (its cell run twice) trains on as if wrapped once, at the optimizer's current rate", async () => {
  const run = async (rewrap: boolean) => {
    setRandomSeed(5);
    const model = embeddingNet(sizes);
    model.compile({ optimizer: tf.train.adam(0.02), loss: "meanSquaredError" });
    const options = { batchSize: 16, verbose: 0 as const };
    const first = recommender(model, encoders);
    await train(first, ratings, { ...options, epochs: 2 });
    await train(first, ratings, { ...options, epochs: 1, learningRate: 0.005 });
    const again = rewrap ? recommender(model, encoders) : first;
    const h = await train(again, ratings, { ...options, epochs: 2 });
    return { rec: again, losses: h.history.loss, weights: weights(model) };
  };
  const once = await run(false), twice = await run(true);
  assertEquals(twice.rec.config.learningRate, 0.005); // the rate the model trains at, as in Keras
  assertEquals(twice.rec.config.optimizer, once.rec.config.optimizer);
  assertEquals(twice.losses, once.losses);
  assertEquals(twice.weights, once.weights);
});

Deno.test("recommender() refuses a seed outside 0 … MAX_SEED", () => {
  const model = embeddingNet(sizes);
  for (const seed of [-1, 2 ** 32 + 42]) { // they trained as seeds 2³² − 1 and 42
    assertThrows(
      () => recommender(model, { ...encoders, seed }),
      RangeError,
      `recommender(): expected seed to be an integer in [0, 4294967295], found ${seed}`,
    );
  }
  model.dispose();
});

Deno.test("recommender() names the inputs when they are not two id columns", async () => {
  const one = tf.input({ shape: [1], dtype: "int32", name: "user" });
  const two = tf.input({ shape: [1], dtype: "int32", name: "movie" });
  const genres = tf.input({ shape: [19], name: "genres" });
  const x = tf.layers.concatenate().apply([one, two, genres]) as tf.SymbolicTensor;
  const three = tf.model({
    inputs: [one, two, genres],
    outputs: tf.layers.dense({ units: 1 }).apply(x) as tf.SymbolicTensor,
  });
  assertThrows(
    () => recommender(three, encoders),
    TypeError,
    "two id inputs, users then movies, each of shape [null, 1] (int32), found 3 inputs: " +
      "user [null,1] int32, movie [null,1] int32, genres [null,19] float32",
  );
  const wide = tf.input({ shape: [4], name: "wide" });
  const model = tf.model({
    inputs: [one, wide],
    outputs: tf.layers.dense({ units: 1 }).apply(wide) as tf.SymbolicTensor,
  });
  assertThrows(() => recommender(model, encoders), TypeError, "wide [null,4] float32");
  const net = embeddingNet(sizes);
  assertThrows(() => recommender(net, encoders), TypeError, "call model.compile(");
  net.compile({ optimizer: "adam", loss: "meanSquaredError" });
  assertThrows(
    () => recommender(net, { users: encoders.users, movies: [1, 2] as never }),
    TypeError,
    "expected movies to be an IdEncoder, found an array of length 2",
  );
  assertThrows(
    () => recommender(embeddingNetCompiled({ ...sizes, users: 2 }), encoders),
    RangeError,
    `has 2 rows but the users encoder has ${encoders.users.size} ids`,
  );
  await assertRejects(
    // deno-lint-ignore no-explicit-any
    () => train(net as any, ratings),
    TypeError,
    "wrap it with its id encoders first: recommender(model, { users, movies })",
  );
});

function embeddingNetCompiled(s: typeof sizes): tf.LayersModel {
  const model = embeddingNet(s);
  model.compile({ optimizer: "adam", loss: "meanSquaredError" });
  return model;
}

Deno.test("a layer without a fast path trains correctly on stock tfjs and says so once", async () => {
  const user = tf.input({ shape: [1], dtype: "int32" });
  const movie = tf.input({ shape: [1], dtype: "int32" });
  const u = tf.layers.embedding({ inputDim: sizes.users, outputDim: 4 }).apply(user);
  const m = tf.layers.embedding({ inputDim: sizes.movies, outputDim: 4 }).apply(movie);
  const prod = tf.layers.multiply({ name: "elementwise" }).apply([u, m] as tf.SymbolicTensor[]);
  const flat = tf.layers.flatten().apply(prod) as tf.SymbolicTensor;
  const leaky = tf.layers.leakyReLU({ name: "leaky" }).apply(flat) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1 }).apply(leaky) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [user, movie], outputs: out });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: "meanSquaredError" });
  let h!: Awaited<ReturnType<typeof train>>;
  const err = await captureStderr(async () => {
    h = await train(recommender(model, encoders), ratings, { epochs: 3, verbose: 2 });
  });
  assertLess(h.history.loss[2], h.history.loss[0]);
  const lines = err.trim().split("\n");
  assertEquals(lines.length, 4, err);
  for (
    const note of [
      "stock tfjs for layer elementwise (Multiply): slower",
      "stock tfjs for layer leaky (LeakyReLU): slower",
      "stock tfjs optimizer SGD: slower",
    ]
  ) {
    assert(lines[0].includes(note) && lines[3].includes(note), err);
    assert(!lines[1].includes(note) && !lines[2].includes(note), err);
  }
});

Deno.test("the same notebook-style model built twice after setRandomSeed(7) has identical weights and losses", async () => {
  const run = async () => {
    setRandomSeed(7);
    const model = concatMlp(sizes);
    model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
    const before = weights(model);
    const h = await train(recommender(model, encoders), ratings, {
      epochs: 2,
      batchSize: 16,
      verbose: 0,
    });
    return { before, losses: h.history.loss };
  };
  const a = await run(), b = await run();
  assertEquals(a.before, b.before);
  assertEquals(a.losses, b.losses);
  setRandomSeed(8);
  assertNotEquals(weights(concatMlp(sizes)), a.before);
});
