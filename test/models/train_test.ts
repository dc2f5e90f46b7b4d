import pl from "nodejs-polars";
import {
  assert,
  assertEquals,
  assertGreater,
  assertLess,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { captureStderr } from "../_stderr.ts";
import {
  buildModel,
  disposeRecommender,
  type ModelKind,
  type ModelOptions,
  predict,
  predictRatings,
  recipes,
  recommend,
  type Recommender,
  train,
  trainingTensors,
  type TrainOptions,
} from "../../lib/models/mod.ts";
import { mae } from "../../lib/eval/rating_metrics.ts";
import { movieId, syntheticMovies, syntheticRatings, userId } from "./_fixtures.ts";

const ratings = syntheticRatings({ users: 12, movies: 16, perUser: 12 });

Deno.test("train() lowers the loss of every kind on synthetic ratings", async () => {
  const kinds: ModelKind[] = ["dot", "dot-bias", "mlp", "bce", "dlrm", "hybrid", "classifier"];
  for (const kind of kinds) {
    const rec = buildModel(kind, {
      ratings,
      catalog: syntheticMovies(),
      factors: 4,
      hidden: kind === "dot" || kind === "dot-bias" || kind === "bce" ? undefined : [8],
      initializer: kind === "dot" ? { name: "randomNormal", stddev: 0.5 } : "randomUniform",
      learningRate: 0.03,
    });
    const h = await train(rec, ratings, { epochs: 8, batchSize: 16, verbose: 0 });
    const loss = h.history.loss;
    assertEquals(loss.length, 8);
    assertLess(loss[7], loss[0], `${kind}: ${loss.map((v) => v.toFixed(3)).join(" ")}`);
    assertEquals(h.warnings, [], kind);
  }
});

Deno.test("train() reports validation figures for a validation DataFrame or fraction", async () => {
  const rec = buildModel("dot-bias", { ratings, factors: 3, learningRate: 0.02 });
  const val = syntheticRatings({ users: 12, movies: 16, perUser: 3, seed: 9 });
  const h = await train(rec, ratings, { epochs: 2, validation: val, verbose: 0 });
  assertEquals(h.history.val_loss.length, 2);
  assertEquals(h.params.validationSamples, val.height);
  const h2 = await train(rec, ratings, { epochs: 1, validation: 0.25, verbose: 0 });
  assertEquals(h2.params.validationSamples, Math.floor(ratings.height * 0.25));
});

Deno.test("train() is reproducible for a seed", async () => {
  const run = async () => {
    const rec = buildModel("mlp", { ratings, factors: 3, hidden: [4], dropout: 0.3, seed: 5 });
    await train(rec, ratings, { epochs: 2, batchSize: 8, verbose: 0 });
    return Array.from(predictRatings(rec, ratings));
  };
  assertEquals(await run(), await run());
});

Deno.test("a trained bce, dlrm or classifier model predicts in stars", async () => {
  const r = ratings.getColumn("rating").toArray() as number[];
  const mean = r.reduce((s, x) => s + x, 0) / r.length;
  for (const kind of ["bce", "dlrm", "classifier"] as const) {
    const rec = buildModel(kind, { ratings, factors: 4, hidden: kind === "bce" ? undefined : [8] });
    await train(rec, ratings, { epochs: 20, batchSize: 16, learningRate: 0.02, verbose: 0 });
    const pred = predictRatings(rec, ratings);
    const m = pred.reduce((s, x) => s + x, 0) / pred.length;
    assertLess(Math.abs(m - mean), 0.5, `${kind}: mean prediction ${m} vs mean rating ${mean}`);
    if (kind !== "dlrm") { // bounded outputs: a sigmoid over 0.5–5, an average of classes
      for (const p of pred) assert(p >= 0.5 - 1e-6 && p <= 5 + 1e-6, `${kind}: ${p}`);
    }
    assertLess(mae(ratings.getColumn("rating").toArray() as number[], pred), 1.2, kind);
  }
});

Deno.test("trainingTensors() applies the model's target transform", () => {
  const rec = buildModel("classifier", { ratings });
  const { x, y } = trainingTensors(rec, ratings);
  assertEquals(x[0].shape, [ratings.height, 1]);
  assertEquals(x[0].dtype, "int32");
  const classes = y.dataSync();
  for (const c of classes) assert(Number.isInteger(c) && c >= 0 && c < rec.config.outputUnits);
});

Deno.test("train() rejects bad input with errors that name it", async () => {
  const rec = buildModel("dot", { ratings, factors: 2 });
  await assertRejects(() => train(rec, ratings.head(0)), RangeError, "empty DataFrame");
  const stranger = pl.DataFrame({ userId: [999], movieId: [1000], rating: [3] });
  await assertRejects(() => train(rec, stranger), RangeError, "unknown user id 999");
  const nan = pl.DataFrame({ userId: [100], movieId: [1000], rating: [NaN] });
  await assertRejects(
    () => train(rec, nan),
    RangeError,
    'finite numbers in "rating", found NaN at row 0',
  );
  const noRating = pl.DataFrame({ userId: [100], movieId: [1000] });
  await assertRejects(() => train(rec, noRating), TypeError, 'expected a "rating" column');
  await assertRejects(() => train(rec, ratings, { epochs: 0 }), RangeError, "epochs");
  await assertRejects(
    () => train(rec, ratings, { validation: 1.5 }),
    RangeError,
    "(0, 1), found 1.5",
  );
  await assertRejects(() => train(rec, ratings, { batchSize: 0 }), RangeError, "batchSize");
  for (const learningRate of [NaN, Infinity, -1, 0]) {
    await assertRejects(
      () => train(rec, ratings, { learningRate }),
      RangeError,
      `train(): expected learningRate to be a finite number > 0, found ${learningRate}`,
    );
  }
  const cls = buildModel("classifier", { ratings, classes: [1, 2, 3, 4, 5] });
  await assertRejects(() => train(cls, ratings), RangeError, "is not one of the model's classes");
});

Deno.test("train() names the frame an unknown id or rating is in, and reports its own verbose", async () => {
  const rec = buildModel("dot", { ratings, factors: 2 });
  const stranger = pl.DataFrame({ userId: [99], movieId: [1000], rating: [3] });
  await assertRejects(
    () => train(rec, ratings, { validation: stranger, verbose: 0 }),
    RangeError,
    "train(): validation: unknown user id 99 (not among the",
  );
  await assertRejects(
    () => train(rec, stranger, { verbose: 0 }),
    RangeError,
    "train(): ratings: unknown user id 99 (not among the",
  );
  const bce = buildModel("bce", { ratings, factors: 2, ratingRange: [1, 4] });
  const five = pl.DataFrame({ userId: [100], movieId: [1000], rating: [5] });
  await assertRejects(
    () =>
      train(bce, ratings.filter(pl.col("rating").gtEq(1).and(pl.col("rating").ltEq(4))), {
        validation: five,
        verbose: 0,
      }),
    RangeError,
    "train(): validation: expected ratings in [1, 4] (the model's range), found 5 at row 0",
  );
  const noRating = pl.DataFrame({ userId: [100], movieId: [1000] });
  await assertRejects(
    () => train(rec, ratings, { validation: noRating, verbose: 0 }),
    TypeError,
    'train(): validation: expected a "rating" column',
  );
  await assertRejects(
    () => train(rec, ratings, { verbose: 3 as never }),
    TypeError,
    'train(): expected verbose 0, 1, 2 or "auto", found 3',
  );
});

Deno.test("train() applies a new learning rate for the call and writes it to the config", async () => {
  const rec = buildModel("dot-bias", { ratings, factors: 2 });
  const h = await train(rec, ratings, { epochs: 1, learningRate: 1e-4, verbose: 0 });
  assertEquals(h.learningRate, [1e-4]);
  assertGreater(h.history.loss[0], 0);
  assertEquals(rec.config.learningRate, 1e-4);
  assertEquals((await train(rec, ratings, { epochs: 1, verbose: 0 })).learningRate, [1e-4]);
});

Deno.test("train() runs the schedule of the config (a recipe's phases), by absolute epoch", async () => {
  const rec = buildModel("dot", {
    ratings,
    factors: 2,
    fit: { schedule: [{ learningRate: 1e-3, epochs: 2 }, { learningRate: 1e-4, epochs: 1 }] },
  } as ModelOptions);
  assertEquals(rec.config.schedule?.type, "steps");
  const a = await train(rec, ratings, { epochs: 1, verbose: 0 });
  const b = await train(rec, ratings, { epochs: 3, verbose: 0 });
  assertEquals([a.learningRate, b.learningRate], [[1e-3], [1e-3, 1e-4, 1e-4]]);
  // The recipe's fit spread whole, its schedule included, is the model's own: accepted.
  const fit = { schedule: [{ learningRate: 1e-3, epochs: 2 }, { learningRate: 1e-4, epochs: 1 }] };
  const c0 = await train(rec, ratings, { ...fit, epochs: 1, verbose: 0 } as TrainOptions);
  assertEquals(c0.learningRate, [1e-4]);
  const r = recipes.matrixFactorization.mf; // a tutorial's recipe with a schedule
  assert(r.fit.schedule !== undefined);
  const viaRecipe = buildModel(r.kind, { ...r, ratings, factors: 2 } as ModelOptions);
  const d = await train(viaRecipe, ratings, { ...r.fit, epochs: 1, verbose: 0 } as TrainOptions);
  assertEquals(d.learningRate, [r.fit.schedule![0].learningRate]);
  const cycle = buildModel("dot", {
    ratings,
    factors: 2,
    schedule: { type: "oneCycle", maxLearningRate: 0.01 },
  });
  const c = await train(cycle, ratings, { epochs: 4, batchSize: 16, verbose: 0 });
  assertLess(c.learningRate[3], 1e-5); // annealed to max / 1e5 by the last step
  assertGreater(c.learningRate[1], c.learningRate[3]);
});

Deno.test("train() on a trained model continues: epochs numbered on, a new shuffle, said in the progress line", async () => {
  const rec = buildModel("mlp", { ratings, factors: 3, hidden: [4], seed: 2 });
  const first = await train(rec, ratings, { epochs: 2, batchSize: 8, verbose: 0 });
  let again!: Awaited<ReturnType<typeof train>>;
  const err = await captureStderr(async () => {
    again = await train(rec, ratings, { epochs: 2, batchSize: 8, verbose: 2 });
  });
  assertEquals([first.epoch, again.epoch, again.params.initialEpoch], [[1, 2], [3, 4], 2]);
  assert(err.startsWith("continuing from epoch 2 · epoch 3/4 · loss"), err);
  // A model trained for 4 epochs in one call gets the same epochs 3 and 4.
  const once = buildModel("mlp", { ratings, factors: 3, hidden: [4], seed: 2 });
  const all = await train(once, ratings, { epochs: 4, batchSize: 8, verbose: 0 });
  assertEquals(all.history.loss.slice(2), again.history.loss);
});

Deno.test("train() calls onEpochEnd after every epoch with the epoch's weights and logs", async () => {
  const rec = buildModel("dot-bias", { ratings, factors: 3, learningRate: 0.02, seed: 3 });
  const val = syntheticRatings({ users: 12, movies: 16, perUser: 3, seed: 9 });
  const seen: { epoch: number; valLoss: number; mse: number }[] = [];
  const y = val.getColumn("rating").toArray() as number[];
  const h = await train(rec, ratings, {
    epochs: 3,
    validation: val,
    verbose: 0,
    onEpochEnd: (epoch, logs) => {
      const p = predictRatings(rec, val);
      const mse = p.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / p.length;
      seen.push({ epoch, valLoss: logs.val_loss, mse });
    },
  });
  assertEquals(seen.map((s) => s.epoch), [1, 2, 3]);
  assertEquals(seen.map((s) => s.valLoss), h.history.val_loss);
  for (const s of seen) assertLess(Math.abs(s.mse - s.valLoss), 1e-4);
  const more = await train(rec, ratings, {
    epochs: 1,
    verbose: 0,
    onEpochEnd: (e) => void seen.push({ epoch: e, valLoss: NaN, mse: NaN }),
  });
  assertEquals([more.epoch, seen.at(-1)!.epoch], [[4], 4]);
  await assertRejects(
    () => train(rec, ratings, { onEpochEnd: 5 as unknown as () => void }),
    TypeError,
    "expected onEpochEnd to be a function, found number",
  );
});

Deno.test("train() refuses an unknown option, naming it and the option it most likely meant", async () => {
  const rec = buildModel("dot", { ratings, factors: 2 });
  const before = predictRatings(rec, ratings);
  await assertRejects(
    () => train(rec, ratings, { epoch: 20, verbose: 0 } as TrainOptions),
    TypeError,
    'train(): unknown option "epoch" (did you mean "epochs"?)',
  );
  await assertRejects(
    () => train(rec, ratings, { verbosity: 0 } as TrainOptions),
    TypeError,
    'train(): unknown option "verbosity" (did you mean "verbose"?)',
  );
  await assertRejects(
    () => train(rec, ratings, { patience: 2 } as TrainOptions),
    TypeError,
    'train(): unknown option "patience" (known: epochs, batchSize, validation,',
  );
  // A schedule that is not the model's own is refused, not ignored.
  await assertRejects(
    () =>
      train(rec, ratings, {
        schedule: [{ learningRate: 1, epochs: 1 }],
      } as TrainOptions),
    TypeError,
    "train(): option \"schedule\" is not this model's: a learning-rate schedule is the model's",
  );
  await assertRejects(
    () => train(rec, ratings, null as unknown as TrainOptions),
    TypeError,
    "train(): expected an options object, found null",
  );
  assertEquals(predictRatings(rec, ratings), before, "the weights did not change");
});

Deno.test("train() refuses a misspelt or mistyped earlyStopping or keepBestWeights, before training", async () => {
  const rec = buildModel("dot", { ratings, factors: 2 });
  const before = predictRatings(rec, ratings);
  const val = syntheticRatings({ users: 12, movies: 16, perUser: 3, seed: 9 });
  const cases: [unknown, ErrorConstructor, string][] = [
    [
      { earlyStopping: { patients: 5, restoreBestWeights: true } },
      TypeError,
      'train(): unknown option "earlyStopping.patients" (did you mean "earlyStopping.patience"?)',
    ],
    [
      { earlyStopping: { patience: 5, restoreBestWeight: true } },
      TypeError,
      'train(): unknown option "earlyStopping.restoreBestWeight" (did you mean ' +
      '"earlyStopping.restoreBestWeights"?)',
    ],
    [
      { keepBestWeights: { monitr: "val_loss" } },
      TypeError,
      'train(): unknown option "keepBestWeights.monitr" (did you mean "keepBestWeights.monitor"?)',
    ],
    [
      { earlyStopping: "yes" },
      TypeError,
      "train(): expected earlyStopping to be true, false, null or an object of its options " +
      "(monitor, patience, minDelta, mode, restoreBestWeights, baseline, startFromEpoch), " +
      "found string yes",
    ],
    [
      { keepBestWeights: 1 },
      TypeError,
      "train(): expected keepBestWeights to be true, false or an object of its options " +
      "(monitor, mode), found number 1",
    ],
    [
      { earlyStopping: { patience: "5" } },
      TypeError,
      "train(): expected earlyStopping.patience to be a non-negative integer, found string 5",
    ],
    [
      { earlyStopping: { patience: -1 } },
      RangeError,
      "train(): expected earlyStopping.patience to be a non-negative integer, found -1",
    ],
    [
      { earlyStopping: { restoreBestWeights: "true" } },
      TypeError,
      "train(): expected earlyStopping.restoreBestWeights to be true or false, found string true",
    ],
    [
      { keepBestWeights: { mode: "lowest" } },
      RangeError,
      'train(): expected keepBestWeights.mode "min", "max" or "auto", found string lowest',
    ],
  ];
  for (const [options, Class, message] of cases) {
    const given = { epochs: 2, validation: val, verbose: 0, ...(options as object) };
    await assertRejects(() => train(rec, ratings, given as TrainOptions), Class, message);
  }
  assertEquals(predictRatings(rec, ratings), before, "the weights did not change");
  // keepBestWeights takes the engine's options, as its type now says.
  const h = await train(rec, ratings, {
    epochs: 2,
    validation: val,
    verbose: 0,
    keepBestWeights: { monitor: "val_loss", mode: "min" },
    earlyStopping: { patience: 5, restoreBestWeights: true },
  });
  assertEquals(h.epoch.length, 2);
});

Deno.test("train() refuses an epochs or initialEpoch of the wrong type with a TypeError showing it", async () => {
  const rec = buildModel("dot", { ratings, factors: 2 });
  const cases: [TrainOptions, ErrorConstructor, string][] = [
    [
      { epochs: "2" as never },
      TypeError,
      "train(): expected epochs to be a positive integer, found string 2",
    ],
    [{ epochs: 0 }, RangeError, "train(): expected epochs to be a positive integer, found 0"],
    [
      { initialEpoch: "a" as never },
      TypeError,
      "train(): expected initialEpoch to be a non-negative integer, found string a",
    ],
    [
      { initialEpoch: -2 },
      RangeError,
      "train(): expected initialEpoch to be a non-negative integer, found -2",
    ],
  ];
  for (const [options, Class, message] of cases) {
    await assertRejects(() => train(rec, ratings, { verbose: 0, ...options }), Class, message);
  }
});

Deno.test("train() refuses a fractional seed and names validationBatchSize", async () => {
  const rec = buildModel("dot", { ratings, factors: 2 });
  await assertRejects(
    () => train(rec, ratings, { seed: 1.5, verbose: 0 }),
    RangeError,
    "train(): expected seed to be an integer in [0, 4294967295], found 1.5",
  );
  for (const seed of [-1, 2 ** 32 + 42]) { // they shuffled as 2³² − 1 and 42
    await assertRejects(
      () => train(rec, ratings, { seed, verbose: 0 }),
      RangeError,
      `train(): expected seed to be an integer in [0, 4294967295], found ${seed}`,
    );
  }
  await assertRejects(
    () => train(rec, ratings, { validation: 0.25, validationBatchSize: 0, verbose: 0 }),
    RangeError,
    "train(): expected validationBatchSize to be a positive integer, found 0",
  );
});

Deno.test("train() and predictRatings() refuse what is not a recommender, and a freed one", async () => {
  for (const bad of [null, {}, buildModel("dot", { ratings, factors: 2 }).model]) {
    const rec = bad as unknown as Recommender;
    await assertRejects(() => train(rec, ratings), TypeError, "train(): expected a Recommender");
    assertThrows(
      () => predictRatings(rec, ratings),
      TypeError,
      "predictRatings(): expected a Recommender",
    );
  }
  const rec = buildModel("dot", { ratings, factors: 2 });
  disposeRecommender(rec);
  const freed = "this recommender was freed by disposeRecommender() and its weights are gone";
  await assertRejects(() => train(rec, ratings, { verbose: 0 }), RangeError, `train(): ${freed}`);
  assertThrows(() => predictRatings(rec, ratings), RangeError, `predictRatings(): ${freed}`);
  assertThrows(() => predict(rec, userId(0), movieId(0)), RangeError, `predict(): ${freed}`);
  assertThrows(() => recommend(rec, userId(0), { excludeSeen: false }), RangeError, freed);
});
