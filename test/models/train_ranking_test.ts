import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertGreater, assertRejects, assertThrows } from "@std/assert";
import { fitEncoders, IdEncoder, ratingsFrame } from "../../lib/data/mod.ts";
import { evaluateRanking, rankingTask } from "../../lib/eval/mod.ts";
import {
  buildModel,
  compareModels,
  predictRatings,
  rankingScorer,
  recommender,
  trainRanking,
} from "../../lib/models/mod.ts";
import { adam, bprLoss, type PenaltyRows, setupBackend, softmaxLoss } from "../../lib/train/mod.ts";
import { setRandomSeed } from "../../lib/random.ts";

// 16 users in 4 taste groups of 4; group g watches movies 10g + 1 … 10g + 4 (each user skips one,
// held out as their test movie).
const rows: { userId: number; movieId: number; test: boolean }[] = [];
for (let user = 1; user <= 16; user++) {
  const g = Math.floor((user - 1) / 4);
  for (let j = 1; j <= 4; j++) {
    rows.push({ userId: user, movieId: 10 * g + j, test: j === ((user - 1) % 4) + 1 });
  }
}
const frame = (r: typeof rows) =>
  ratingsFrame({
    userId: r.map((x) => x.userId),
    movieId: r.map((x) => x.movieId),
    rating: r.map(() => 4),
  });
const train = frame(rows.filter((r) => !r.test));
const test = frame(rows.filter((r) => r.test));
const encoders = fitEncoders(frame(rows));

/** The notebook's ranking model: two tables and a movie bias; output = dot + bias. */
function dotModel(withSigmoid = false, factors = 4): tf.LayersModel {
  const user = tf.input({ shape: [1], dtype: "int32" });
  const movie = tf.input({ shape: [1], dtype: "int32" });
  const init = tf.initializers.randomNormal({ stddev: 0.1 });
  const p = tf.layers.embedding({
    inputDim: encoders.users.size,
    outputDim: factors,
    embeddingsInitializer: init,
  })
    .apply(user) as tf.SymbolicTensor;
  const q = tf.layers.embedding({
    inputDim: encoders.movies.size,
    outputDim: factors,
    embeddingsInitializer: init,
  })
    .apply(movie) as tf.SymbolicTensor;
  const b = tf.layers.embedding({
    inputDim: encoders.movies.size,
    outputDim: 1,
    embeddingsInitializer: "zeros",
  })
    .apply(movie) as tf.SymbolicTensor;
  const dot = tf.layers.dot({ axes: -1 }).apply([p, q]) as tf.SymbolicTensor;
  let out = tf.layers.flatten().apply(tf.layers.add().apply([dot, b])) as tf.SymbolicTensor;
  if (withSigmoid) {
    out = tf.layers.activation({ activation: "sigmoid" }).apply(out) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: [user, movie], outputs: out });
}

Deno.test("trainRanking() trains a model written as code with its compiled ranking loss", async () => {
  await setupBackend({ backend: "wasm" });
  setRandomSeed(1);
  const model = dotModel();
  model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: softmaxLoss });
  const rec = recommender(model, encoders);
  const task = rankingTask(train, test, encoders);
  const before = evaluateRanking(task, rankingScorer(rec, { task }), { k: 1 }).precision;
  const h = await trainRanking(rec, train, { epochs: 80, batchUsers: 4, l2: 0.01, verbose: 0 });
  assertEquals(h.epoch.length, 80);
  const after = evaluateRanking(task, rankingScorer(rec, { task }), { k: 1 });
  assertEquals(after.precision, 1, "every user's held-out movie comes first");
  assertGreater(after.precision, before);
  // The model's own output is the score the loop trained.
  const scorer = rankingScorer(rec);
  const s = scorer(Int32Array.of(0));
  const p = predictRatings(rec, { userIds: [1, 1], movieIds: [1, 11] });
  assert(Math.abs(s[0] - p[0]) < 1e-5 && Math.abs(s[4] - p[1]) < 1e-5);
});

Deno.test("trainRanking() and compareModels() find the tables of a model of one factor", async () => {
  // FACTORS=1 in notebook 06: the factor tables are as wide as the movie bias. The width-1 tables
  // that feed the dot product are the factors; the one added to it is the bias.
  await setupBackend({ backend: "wasm" });
  setRandomSeed(1);
  const model = dotModel(false, 1);
  const twin = dotModel(false, 1);
  const table = compareModels(model, twin);
  twin.dispose();
  assertEquals(table.getColumn("params (a)").toArray().at(-1), model.countParams());
  model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: softmaxLoss });
  const rec = recommender(model, encoders);
  const h = await trainRanking(rec, train, { epochs: 2, batchUsers: 4, l2: 0.01, verbose: 0 });
  assertEquals(h.epoch.length, 2);
  const s = rankingScorer(rec)(Int32Array.of(0));
  const p = predictRatings(rec, { userIds: [1, 1], movieIds: [1, 11] });
  assert(Math.abs(s[0] - p[0]) < 1e-5 && Math.abs(s[4] - p[1]) < 1e-5);
  model.dispose();
});

Deno.test("trainRanking() hands a penalty to the loop in place of its L2 term", async () => {
  await setupBackend({ backend: "wasm" });
  const fitted = async (options: Parameters<typeof trainRanking>[2]) => {
    setRandomSeed(4);
    const model = dotModel();
    model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: softmaxLoss });
    const rec = recommender(model, encoders);
    const h = await trainRanking(rec, train, { epochs: 3, batchUsers: 4, verbose: 0, ...options });
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return { loss: h.history.loss, weights };
  };
  // Plain L2 (power 0) on the batch users' rows and every movie's, as the loop computes it.
  const l2 = 0.3;
  const penalty = ({ userFactors, movieFactors }: PenaltyRows) =>
    tf.mul(
      tf.add(
        tf.mean(tf.sum(tf.square(userFactors), 1)),
        tf.mean(tf.sum(tf.square(movieFactors), 1)),
      ),
      l2,
    );
  const own = await fitted({ l2, l2Power: 0 });
  assertEquals(await fitted({ penalty }), own);
  assertGreater(Math.abs((await fitted({})).loss[2] - own.loss[2]), 1e-4, "the term counts");
});

Deno.test("trainRanking() numbers epochs on and takes the loss and learning rate it is given", async () => {
  await setupBackend({ backend: "wasm" });
  setRandomSeed(2);
  const model = dotModel();
  model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
  const rec = recommender(model, encoders);
  const first = await trainRanking(rec, train, {
    loss: bprLoss,
    negatives: 3,
    epochs: 2,
    learningRate: 0.02,
    verbose: 0,
  });
  assertEquals([first.epoch, first.learningRate], [[1, 2], [0.02, 0.02]]);
  assertEquals(rec.config.learningRate, 0.02);
  const more = await trainRanking(rec, train, { loss: bprLoss, negatives: 3, verbose: 0 });
  assertEquals(more.epoch, [3]);
});

Deno.test("trainRanking() refuses a model whose output is not the dot product plus biases", async () => {
  await setupBackend({ backend: "cpu" });
  const model = dotModel(true);
  model.compile({ optimizer: adam(), loss: softmaxLoss });
  await assertRejects(
    () => trainRanking(recommender(model, encoders), train, { verbose: 0 }),
    TypeError,
    "not the dot product of the factors plus the biases",
  );
});

Deno.test("trainRanking() refuses what its loop would leave out: a regulariser, a constraint, a dropout", async () => {
  // The score check runs the model in inference, where these change nothing; the loop trains
  // the tables alone, so each was dropped without a word (the same losses as without it).
  await setupBackend({ backend: "cpu" });
  type S = tf.SymbolicTensor;
  const edited = (edit: "regularizer" | "constraint" | "dropout" | "noise") => {
    const user = tf.input({ shape: [1], dtype: "int32" });
    const movie = tf.input({ shape: [1], dtype: "int32" });
    let p = tf.layers.embedding({
      inputDim: encoders.users.size,
      outputDim: 4,
      embeddingsRegularizer: edit === "regularizer" ? tf.regularizers.l2({ l2: 10 }) : undefined,
      embeddingsConstraint: edit === "constraint" ? tf.constraints.nonNeg() : undefined,
    }).apply(user) as S;
    if (edit === "dropout") p = tf.layers.dropout({ rate: 0.5 }).apply(p) as S;
    if (edit === "noise") p = tf.layers.gaussianNoise({ stddev: 1 }).apply(p) as S;
    const q = tf.layers.embedding({ inputDim: encoders.movies.size, outputDim: 4 })
      .apply(movie) as S;
    const out = tf.layers.flatten().apply(tf.layers.dot({ axes: -1 }).apply([p, q])) as S;
    const model = tf.model({ inputs: [user, movie], outputs: out });
    model.compile({ optimizer: adam(), loss: softmaxLoss });
    return recommender(model, encoders);
  };
  const cases = [
    ["regularizer", "sets embeddingsRegularizer, which the ranking loop does not apply"],
    ["constraint", "has a constraint, which the ranking loop does not apply"],
    ["dropout", "(Dropout) acts only in training"],
    ["noise", "(GaussianNoise) acts only in training"],
  ] as const;
  for (const [edit, message] of cases) {
    await assertRejects(
      () => trainRanking(edited(edit), train, { epochs: 1, verbose: 0 }),
      TypeError,
      message,
    );
  }
  // The same inside a nested tower (a tf.sequential used as a layer), which the check first
  // did not look into.
  const user = tf.input({ shape: [1], dtype: "int32" });
  const movie = tf.input({ shape: [1], dtype: "int32" });
  const tower = tf.sequential({
    layers: [tf.layers.embedding({
      inputDim: encoders.users.size,
      outputDim: 4,
      inputShape: [1],
      embeddingsRegularizer: tf.regularizers.l2({ l2: 10 }),
    })],
  });
  const q = tf.layers.embedding({ inputDim: encoders.movies.size, outputDim: 4 }).apply(movie);
  const dot = tf.layers.dot({ axes: -1 }).apply([tower.apply(user) as S, q as S]);
  const nested = tf.model({ inputs: [user, movie], outputs: tf.layers.flatten().apply(dot) as S });
  nested.compile({ optimizer: adam(), loss: softmaxLoss });
  await assertRejects(
    () => trainRanking(recommender(nested, encoders), train, { epochs: 1, verbose: 0 }),
    TypeError,
    "sets embeddingsRegularizer, which the ranking loop does not apply",
  );
});

Deno.test("trainRanking() asks for a ranking loss when the model was compiled with a rating one", async () => {
  await setupBackend({ backend: "cpu" });
  const model = dotModel();
  model.compile({ optimizer: adam(), loss: "meanSquaredError" });
  await assertRejects(
    () => trainRanking(recommender(model, encoders), train, { verbose: 0 }),
    TypeError,
    'compiled with the loss "meanSquaredError", not a ranking loss',
  );
  await assertRejects(() => trainRanking(model as never, train), TypeError, "wrap it");
});

Deno.test("rankingScorer() ranks any recommender, and checks the task's encoders", async () => {
  await setupBackend({ backend: "cpu" });
  const rec = buildModel("dot-bias", { ...encoders, yRange: [0, 5], seed: 3 });
  const scores = rankingScorer(rec)(Int32Array.of(2));
  const stars = predictRatings(rec, {
    userIds: new Array(encoders.movies.size).fill(3),
    movieIds: encoders.movies.ids,
  });
  assertEquals(Array.from(scores), Array.from(stars));
  const other = rankingTask(train, test, {
    users: encoders.users,
    movies: IdEncoder.fit([...encoders.movies.ids, 99], { name: "movie" }),
  });
  const n = encoders.movies.size;
  assertThrows(
    () => rankingScorer(rec, { task: other }),
    RangeError,
    "rankingScorer(): the task's encoders differ from the recommender's, so its rows and " +
      `columns would score the wrong users and movies: ${n + 1} movies in the task, ${n} in ` +
      "the recommender (movie 99 is in the task's only); build the task with rankingTask(",
  );
});

Deno.test("rankingScorer() says how the task's encoders differ when they are the same size", async () => {
  await setupBackend({ backend: "cpu" });
  // Both of 943 users and 1,682 movies, but one in order of appearance: the message said
  // "(943 users, 1682 movies) differ from the recommender's (943, 1682)".
  const rec = buildModel("dot-bias", { ...encoders, yRange: [0, 5], seed: 3 });
  const ids = Array.from(encoders.movies.ids);
  const reordered = rankingTask(train, test, {
    users: encoders.users,
    movies: IdEncoder.fit([ids[1], ids[0], ...ids.slice(2)], { order: "appearance" }),
  });
  assertThrows(
    () => rankingScorer(rec, { task: reordered }),
    RangeError,
    `would score the wrong users and movies: the same ${ids.length} movie ids in another ` +
      `order; row 0 is movie ${ids[1]} in the task, ${ids[0]} in the recommender; build the task`,
  );
  // Each encoder has one user the data lack, not the same one.
  const users = [...encoders.users.ids], size = users.length + 1;
  const withExtra = buildModel("dot-bias", {
    users: IdEncoder.fit([...users, 4242]),
    movies: encoders.movies,
  });
  const renamed = rankingTask(train, test, {
    users: IdEncoder.fit([...users, 5151]),
    movies: encoders.movies,
  });
  assertThrows(
    () => rankingScorer(withExtra, { task: renamed }),
    RangeError,
    `: ${size} user ids each, but not the same ones (user 5151 is in the task's only, user ` +
      `4242 in the recommender's only); row ${size - 1} is user 5151 in the task, 4242 in the ` +
      "recommender; build",
  );
});

Deno.test("trainRanking() rejects a learning rate that train() rejects", async () => {
  await setupBackend({ backend: "cpu" });
  const model = dotModel();
  model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: softmaxLoss });
  const rec = recommender(model, encoders);
  const weights = model.getWeights().map((w) => w.dataSync().slice());
  const rate = rec.config.learningRate;
  for (const learningRate of [NaN, Infinity, -1, 0]) {
    await assertRejects(
      () => trainRanking(rec, train, { learningRate, verbose: 0 }),
      RangeError,
      `trainRanking(): expected learningRate to be a finite number > 0, found ${learningRate}`,
    );
  }
  await assertRejects(
    () => trainRanking(rec, train, { learningRate: "0.1" as never, verbose: 0 }),
    TypeError,
    "trainRanking(): expected learningRate to be a finite number > 0, found string",
  );
  // Nothing changed: not the config, not the weights.
  assertEquals(rec.config.learningRate, rate);
  assertEquals(model.getWeights().map((w) => w.dataSync().slice()), weights);
});

Deno.test("trainRanking() checks its other options before training, naming them", async () => {
  await setupBackend({ backend: "cpu" });
  const model = dotModel();
  model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: softmaxLoss });
  const rec = recommender(model, encoders);
  const rate = rec.config.learningRate;
  const bad: [Record<string, unknown>, ErrorConstructor, string][] = [
    [{ epochs: 0 }, RangeError, "epochs to be a positive integer, found 0"],
    [{ epochs: 1.5 }, RangeError, "epochs to be a positive integer, found 1.5"],
    [{ batchUsers: 0 }, RangeError, "batchUsers to be a positive integer, found 0"],
    [{ l2: -0.1 }, RangeError, "l2 to be a finite number >= 0, found -0.1"],
    [{ l2: NaN }, RangeError, "l2 to be a finite number >= 0, found NaN"],
    [{ l2Power: Infinity }, RangeError, "l2Power to be a finite number, found Infinity"],
    [{ negatives: -1 }, RangeError, "negatives to be a non-negative integer, found -1"],
    [{ negatives: 2.5 }, RangeError, "negatives to be a non-negative integer, found 2.5"],
    [{ seed: NaN }, RangeError, "seed to be an integer in [0, 4294967295], found NaN"],
    [{ seed: -1 }, RangeError, "seed to be an integer in [0, 4294967295], found -1"],
    [{ seed: 2 ** 32 }, RangeError, "seed to be an integer in [0, 4294967295], found 4294967296"],
    [{ onEpochEnd: 3 }, TypeError, "onEpochEnd to be a function, found number 3"],
    [{ penalty: "l2" }, TypeError, "penalty to be a function of the step's rows, found string l2"],
    [{ penalty: null }, TypeError, "penalty to be a function of the step's rows, found null"],
    [{ penalty: () => tf.scalar(0), l2: 0.1 }, TypeError, "either a penalty or the loop's L2"],
    [
      { penalty: () => tf.scalar(0), l2Power: 1 },
      TypeError,
      "either a penalty or the loop's L2 term, found penalty and l2Power",
    ],
  ];
  for (const [option, Error, message] of bad) {
    await assertRejects(
      // A new learning rate too: a rejected call must not write it to the config.
      () => trainRanking(rec, train, { ...option, learningRate: 0.5, verbose: 0 }),
      Error,
      `trainRanking(): expected ${message}`,
    );
  }
  for (
    const [option, message] of [[{ epoch: 20 }, '"epoch" (did you mean "epochs"?)'], [
      { negative: 2 },
      '"negative" (did you mean "negatives"?)',
    ], [{ batchSize: 8 }, '"batchSize" (known: loss, epochs, batchUsers,']] as const
  ) {
    await assertRejects(
      () => trainRanking(rec, train, { ...option, learningRate: 0.5, verbose: 0 }),
      TypeError,
      `trainRanking(): unknown option ${message}`,
    );
  }
  assertEquals(rec.config.learningRate, rate);
  await assertRejects(
    () => trainRanking(null as unknown as typeof rec, train),
    TypeError,
    "trainRanking(): expected a Recommender",
  );
});
