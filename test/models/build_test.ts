import * as tf from "@tensorflow/tfjs";
import pl from "nodejs-polars";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertNotEquals,
  assertThrows,
} from "@std/assert";
import { IdEncoder } from "../../lib/data/encoder.ts";
import {
  buildModel,
  compileModel,
  MODEL_KINDS,
  type ModelKind,
  type ModelOptions,
  userEmbeddings,
} from "../../lib/models/mod.ts";
import { parametersAtLeast } from "../../lib/models/_checks.ts";
import { syntheticMovies, syntheticRatings } from "./_fixtures.ts";

const enc = (n: number, name: string) =>
  IdEncoder.fit(Array.from({ length: n }, (_, i) => 1 + i), { name });

function forward(model: tf.LayersModel, n: number): tf.Tensor {
  const idx = tf.tensor2d(Array.from({ length: n }, (_, i) => i % 3), [n, 1], "int32");
  const out = model.predict([idx, idx]) as tf.Tensor;
  idx.dispose();
  return out;
}

Deno.test("buildModel() throws a TypeError listing the known kinds for an unknown kind", () => {
  const err = assertThrows(
    () => buildModel("svd" as ModelKind, { users: enc(3, "user"), movies: enc(3, "movie") }),
    TypeError,
    'unknown model kind "svd"',
  );
  for (const kind of MODEL_KINDS) assert(err.message.includes(kind), `missing ${kind}`);
});

Deno.test("buildModel() gives one prediction per pair for each regression kind and one probability per class for the classifier", () => {
  const ratings = syntheticRatings();
  const catalog = syntheticMovies();
  for (const kind of MODEL_KINDS) {
    const rec = buildModel(kind, { ratings, catalog, factors: 4 });
    const out = forward(rec.model, 5);
    const units = kind === "classifier"
      ? rec.config.target.type === "classes" &&
        rec.config.target.values.length
      : 1;
    if (kind === "classifier") assertEquals(units, 9); // the distinct synthetic ratings
    assertEquals(out.shape, [5, units], kind);
    if (kind === "classifier") {
      const sums = out.sum(1).dataSync();
      for (const s of sums) assertAlmostEquals(s, 1, 1e-5);
    }
    out.dispose();
    rec.model.dispose();
  }
});

Deno.test("buildModel() reproduces the tutorials' parameter counts", () => {
  const count = (kind: ModelKind, users: number, movies: number, o = {}) => {
    const rec = buildModel(kind, { users: enc(users, "user"), movies: enc(movies, "movie"), ...o });
    const n = rec.model.countParams();
    rec.model.dispose();
    return n;
  };
  // The Keras MF tutorial (2016 data: 671 users, 9,066 movies): A 486,850; B 496,587; C 493,991.
  assertEquals(count("dot", 671, 9066), 486_850);
  assertEquals(count("dot-bias", 671, 9066), 496_587);
  assertEquals(
    count("mlp", 671, 9066, { hidden: [70], inputDropout: 0.3, dropout: 0.75 }),
    493_991,
  );
  // The Keras CF tutorial (2018 data: 610 users, 9,724 movies): V1 516,700; V2 527,034; Net 517,721.
  assertEquals(count("dot", 610, 9724), 516_700);
  assertEquals(count("dot-bias", 610, 9724, { yRange: [0.5, 5] }), 527_034);
  assertEquals(count("mlp", 610, 9724, { hidden: [10], yRange: [0.5, 5] }), 517_721);
  assertEquals(count("bce", 610, 9724, { ratingRange: [0.5, 5] }), 527_034);
  // The DLRM README with contiguous ids: 83,353.
  assertEquals(count("dlrm", 610, 9724, { targetMean: 3.5 }), 83_353);
});

Deno.test("buildModel() refuses a model too big to train before allocating it", () => {
  const ratings = syntheticRatings();
  const tooBig = [{ factors: 300_000_000 }, { factors: 4, hidden: [1_000_000_000] }];
  for (const [kind, options] of [["dot", tooBig[0]], ["mlp", tooBig[1]]] as const) {
    const error = assertThrows(() => buildModel(kind, { ratings, ...options }), RangeError);
    assert(error.message.includes("more than the 268,435,456 (2^28)"), error.message);
    assertEquals(error.message.includes("hidden"), kind === "mlp", error.message); // dot: none
  }
  // The bound counts no more than the model has, for every kind.
  const catalog = syntheticMovies();
  for (const kind of MODEL_KINDS) {
    const hidden = ["dot", "dot-bias", "bce"].includes(kind) ? [] : [16, 8];
    const rec = buildModel(kind, { ratings, catalog, factors: 6, hidden });
    const bound = parametersAtLeast(rec.config, rec.users.size, rec.movies.size);
    assert(bound <= rec.model.countParams(), `${kind}: ${bound} > ${rec.model.countParams()}`);
    assert(bound >= 0.5 * rec.model.countParams(), `${kind}: ${bound} counts too little`);
    rec.model.dispose();
  }
});

Deno.test("buildModel() puts the Keras MF tutorial's user embedding at 671 × 50 = 33,550 weights", () => {
  const rec = buildModel("dot", { users: enc(671, "user"), movies: enc(30, "movie"), l2: 1e-4 });
  const user = userEmbeddings(rec);
  assertEquals([user.ids.length, user.dim], [671, 50]);
  assertEquals(user.vectors.length, 33_550);
});

Deno.test("buildModel() draws the same initial weights for a seed and different ones for another", () => {
  const opts = {
    users: enc(5, "user"),
    movies: enc(6, "movie"),
    factors: 3,
    hidden: [4],
    dropout: 0.2,
  };
  const w = (seed: number) =>
    buildModel("mlp", { ...opts, seed }).model.getWeights().map((t) => Array.from(t.dataSync()));
  assertEquals(w(7), w(7));
  assertNotEquals(w(7), w(8));
});

Deno.test("buildModel() fits sorted encoders on the training ratings when none are given", () => {
  const ratings = syntheticRatings({ users: 4, movies: 5, perUser: 3 });
  const rec = buildModel("dot", { ratings });
  const users = [...new Set(ratings.getColumn("userId").toArray() as number[])].sort((a, b) =>
    a - b
  );
  assertEquals(Array.from(rec.users.ids), users);
  assertEquals(rec.users.name, "user");
  assertEquals(rec.movies.name, "movie");
  assertEquals(rec.movieCounts!.reduce((s, c) => s + c, 0), ratings.height);
});

Deno.test("buildModel() resolves data-driven options into a JSON config", () => {
  const ratings = syntheticRatings();
  const r = ratings.getColumn("rating").toArray() as number[];
  const min = Math.min(...r), max = Math.max(...r);
  const mean = r.reduce((s, x) => s + x, 0) / r.length;
  assertEquals(buildModel("dot-bias", { ratings, yRange: "data" }).config.yRange, [min, max]);
  assertEquals(buildModel("bce", { ratings }).config.target, { type: "minmax", min, max });
  const dlrm = buildModel("dlrm", { ratings }).config;
  assertEquals(dlrm.target.type, "center");
  assertAlmostEquals((dlrm.target as { mean: number }).mean, mean, 1e-12);
  assertEquals(dlrm.metrics, ["mae"]);
  const cls = buildModel("classifier", { ratings }).config;
  assertEquals(cls.target, {
    type: "classes",
    values: [...new Set(r)].sort((a, b) => a - b),
    decode: "expected",
  });
  const config = buildModel("mlp", { ratings, initializer: "he_normal", loss: "mae" }).config;
  assertEquals(config.initializer, "heNormal");
  assertEquals(config.loss, "meanAbsoluteError");
  assertEquals(JSON.parse(JSON.stringify(config)), config);
});

Deno.test("buildModel() feeds the hybrid quantile-scaled popularity and year as fixed inputs", () => {
  const ratings = syntheticRatings();
  const rec = buildModel("hybrid", { ratings, catalog: syntheticMovies(), factors: 4 });
  const layer = rec.model.getLayer("movie_metadata");
  assertEquals(layer.trainable, false);
  assertEquals(rec.model.trainableWeights.some((w) => w.originalName.includes("metadata")), false);
  const table = layer.getWeights()[0];
  assertEquals(table.shape, [rec.movies.size, 2]);
  const values = table.dataSync();
  for (const v of values) assert(v >= 0 && v <= 1);
  // the most rated movie gets popularity 1, the newest movie (highest year) gets year 1.
  const counts = rec.movieCounts!;
  const top = counts.indexOf(Math.max(...counts));
  assertEquals(values[top * 2], 1);
  assertEquals(values[(rec.movies.size - 1) * 2 + 1], 1);
  assertEquals(rec.config.metadata?.columns, ["popularity", "year"]);
});

Deno.test("buildModel() rejects bad options with errors that name them", () => {
  const users = enc(3, "user"), movies = enc(3, "movie");
  assertThrows(() => buildModel("dot", {}), TypeError, "users encoder or the training ratings");
  assertThrows(() => buildModel("dot", { users, movies, factors: 0 }), RangeError, "factors");
  assertThrows(
    () => buildModel("mlp", { users, movies, hidden: [8], dropout: 1.5 }),
    RangeError,
    "dropout[0] in [0, 1), found 1.5",
  );
  assertThrows(
    () => buildModel("mlp", { users, movies, hidden: [8, 4], dropout: [0.1] }),
    RangeError,
    "one dropout rate per hidden layer (2), found 1",
  );
  assertThrows(() => buildModel("dlrm", { users, movies, yRange: [0, 5] }), TypeError, "yRange");
  assertThrows(
    () => buildModel("dot", { users, movies, yRange: [NaN, 5] }),
    RangeError,
    "buildModel(): expected yRange [low, high] with low < high, found [NaN,5]",
  );
  assertThrows(() => buildModel("dlrm", { users, movies }), TypeError, "targetMean");
  assertThrows(
    () => buildModel("dot", { users, movies, initializer: "magic" }),
    TypeError,
    "magic",
  );
  assertThrows(
    () => buildModel("dot", { users, movies, loss: "hinge" as "mae" }),
    TypeError,
    "hinge",
  );
  assertThrows(
    () => buildModel("dot", { users, movies, factor: 3 } as Record<string, unknown>),
    TypeError,
    'buildModel(): unknown option "factor" (did you mean "factors"?)',
  );
  assertThrows(
    () => buildModel("dot", { users, movies, hidden: [4] }),
    TypeError,
    "no hidden layers",
  );
  for (const seed of [2 ** 32 + 7, -1]) { // the weights of seed 7 and of seed 2³² − 1
    assertThrows(
      () => buildModel("dot", { users, movies, seed }),
      RangeError,
      `buildModel(): expected seed to be an integer in [0, 4294967295], found ${seed}`,
    );
  }
  const ratings = syntheticRatings({ users: 2, movies: 3, perUser: 2 });
  assertThrows(
    () => buildModel("dot", { ratings, users, movies }),
    RangeError,
    "unknown user id 100",
  );
  const nan = pl.DataFrame({ userId: [1, 2], movieId: [1, 2], rating: [4, NaN] });
  assertThrows(() => buildModel("dot", { ratings: nan }), RangeError, "found NaN at row 1");
  const empty = syntheticRatings().head(0);
  assertThrows(() => buildModel("dot", { ratings: empty }), RangeError, "empty");
  assertThrows(
    () => buildModel("hybrid", { ratings: syntheticRatings() }),
    TypeError,
    '"year" needs the catalog',
  );
});

Deno.test("buildModel() refuses an unknown metric and optimizer settings Adam cannot train with", () => {
  const [users, movies] = [enc(2, "user"), enc(3, "movie")];
  assertThrows(
    () => buildModel("dot", { users, movies, metrics: ["bogus"] }),
    TypeError,
    'buildModel(): unknown metric "bogus" in metrics[0] (known: mse, MSE, mae, MAE,',
  );
  assertThrows(
    () => buildModel("dot", { users, movies, metrics: "mae" as unknown as string[] }),
    TypeError,
    "buildModel(): expected metrics to be an array of names, found string mae",
  );
  const rec = buildModel("dot", { users, movies, metrics: ["mae", "acc"] });
  assertEquals(rec.config.metrics, ["mae", "acc"]);
  assertThrows(
    () => compileModel(rec, { metrics: ["rmse"] }),
    TypeError,
    'compileModel(): unknown metric "rmse" in metrics[0]',
  );
  assertEquals(rec.config.metrics, ["mae", "acc"]);
  for (const epsilon of [0, -1e-8, NaN, Infinity]) {
    assertThrows(
      () => buildModel("dot-bias", { users, movies, optimizer: { epsilon } }),
      RangeError,
      `buildModel(): expected optimizer.epsilon to be a finite number > 0, found ${epsilon}`,
    );
  }
  assertThrows(
    () => buildModel("dot-bias", { users, movies, optimizer: { beta1: 1 } }),
    RangeError,
    "buildModel(): expected optimizer.beta1 in [0, 1), found 1",
  );
  assertThrows(
    () =>
      buildModel("dot-bias", {
        users,
        movies,
        optimizer: { eps: 1e-8 } as ModelOptions["optimizer"],
      }),
    TypeError,
    'buildModel(): unknown option "optimizer.eps" (did you mean "optimizer.epsilon"?)',
  );
  assertEquals(
    buildModel("dot-bias", { users, movies, optimizer: { epsilon: 1e-8 } }).config.optimizer
      .epsilon,
    1e-8,
  );
});

Deno.test("buildModel() refuses a recipe spread under another kind", () => {
  assertThrows(
    () =>
      buildModel("mlp", {
        kind: "dot",
        users: enc(2, "user"),
        movies: enc(2, "movie"),
      } as Record<string, unknown>),
    TypeError,
    'recipe for kind "dot"',
  );
});

Deno.test("compileModel() writes its overrides back to the config", () => {
  const rec = buildModel("dot", { users: enc(2, "user"), movies: enc(2, "movie") });
  compileModel(rec, { loss: "mae", learningRate: 0.01, metrics: ["mse"] });
  assertEquals(rec.config.loss, "meanAbsoluteError");
  assertEquals(rec.config.learningRate, 0.01);
  assertEquals(rec.config.metrics, ["mse"]);
  assertThrows(() => compileModel(rec, { learningRate: -1 }), RangeError, "learningRate");
});

Deno.test("buildModel() names the hidden layers from 1 and puts a Dropout of each non-zero rate after its layer, none for 0", () => {
  const ratings = syntheticRatings();
  const rec = buildModel("mlp", {
    ratings,
    factors: 4,
    hidden: [8, 6, 5],
    inputDropout: 0.25,
    dropout: [0.5, 0, 0.125],
  });
  const rates = rec.model.layers
    .filter((l) => l.getClassName() === "Dropout")
    .map((l) => [l.name, (l.getConfig() as { rate: number }).rate]);
  assertEquals(rates, [["input_dropout", 0.25], ["dropout_1", 0.5], ["dropout_3", 0.125]]);
  const dense = rec.model.layers.filter((l) => l.getClassName() === "Dense").map((l) => l.name);
  assertEquals(dense, ["hidden_1", "hidden_2", "hidden_3", "prediction"]);
  rec.model.dispose();
});

Deno.test("buildModel('dot') puts its predictions in the sigmoid range yRange gives", () => {
  const ratings = syntheticRatings();
  const rec = buildModel("dot", { ratings, factors: 4, yRange: [1, 2] });
  const names = rec.model.layers.map((l) => l.name);
  assertEquals(names.slice(-2), ["sigmoid", "rating_range"]);
  const out = forward(rec.model, 6);
  for (const v of out.dataSync()) assert(v > 1 && v < 2, `${v} outside (1, 2)`);
  out.dispose();
  rec.model.dispose();
});

Deno.test("buildModel() with fused: true predicts what the stock layers predict, for dot, dot-bias and bce", () => {
  const ratings = syntheticRatings();
  const cases: [ModelKind, [number, number] | undefined][] = [
    ["dot", undefined],
    ["dot-bias", [1, 5]],
    ["bce", undefined],
  ];
  for (const [kind, yRange] of cases) {
    const [stock, fused] = [false, true].map((f) =>
      buildModel(kind, { ratings, factors: 4, yRange, fused: f, seed: 7 })
    );
    const [a, b] = [forward(stock.model, 6), forward(fused.model, 6)];
    const [x, y] = [a.dataSync(), b.dataSync()];
    x.forEach((v, i) => assertAlmostEquals(y[i], v, 1e-5, `${kind}, prediction ${i}`));
    if (kind === "bce") { for (const p of y) assert(p > 0 && p < 1, `probability ${p}`); }
    tf.dispose([a, b]);
    stock.model.dispose();
    fused.model.dispose();
  }
});

Deno.test("buildModel() returns a compiled model with the catalogue it was given", () => {
  const ratings = syntheticRatings();
  const catalog = syntheticMovies();
  const rec = buildModel("dot-bias", { ratings, catalog, factors: 4 });
  assert(rec.model.optimizer != null, "the model is compiled");
  assertEquals(rec.model.loss, "meanSquaredError");
  assert(rec.catalog !== undefined, "the catalogue is kept for titles");
  const first = (catalog.getColumn("movieId").toArray() as number[])[0];
  assertEquals(
    rec.catalog.get(first)?.title,
    (catalog.getColumn("title").toArray() as string[])[0],
  );
  rec.model.dispose();
});
