import { assertAlmostEquals, assertEquals, assertNotEquals, assertRejects } from "@std/assert";
import * as tf from "@tensorflow/tfjs";
import { fitEncoders } from "../../lib/data/mod.ts";
import {
  buildModel,
  disposeRecommender,
  predictRatings,
  type Recommender,
  recommender,
  train,
  trainOverSeeds,
} from "../../lib/models/mod.ts";
import { randomSeed, setRandomSeed } from "../../lib/random.ts";
import { mae } from "../../lib/eval/rating_metrics.ts";
import { syntheticRatings } from "./_fixtures.ts";
import { embeddingNet } from "./_notebook_models.ts";

const ratings = syntheticRatings({ users: 10, movies: 12, perUser: 8 });
const test = syntheticRatings({ users: 10, movies: 12, perUser: 3, seed: 5 });
const testRatings = test.getColumn("rating").toArray() as number[];
const fit = { epochs: 2, batchSize: 16, verbose: 0 as const };

Deno.test("trainOverSeeds() scores one run per seed with their mean and sample sd", async () => {
  const result = await trainOverSeeds("dot-bias", { ratings, factors: 3, learningRate: 0.02 }, {
    test,
    seeds: [3, 4, 5],
    ...fit,
  });
  assertEquals(result.kind, "dot-bias");
  assertEquals(result.runs.map((r) => r.seed), [3, 4, 5]);
  const maes = result.runs.map((r) => r.mae);
  const mean = maes.reduce((a, b) => a + b, 0) / 3;
  assertAlmostEquals(result.mean.mae, mean, 1e-12);
  const sd = Math.sqrt(maes.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
  assertAlmostEquals(result.sd.mae, sd, 1e-12);
  for (const r of result.runs) assertAlmostEquals(r.rmse, Math.sqrt(r.mse), 1e-12);
  assertNotEquals(maes[0], maes[1], "different seeds should give different models");
});

Deno.test("trainOverSeeds() gives the same errors as building and training by hand", async () => {
  const options = { ratings, factors: 3, learningRate: 0.02 };
  const rec = buildModel("mlp", { ...options, hidden: [4], seed: 8 });
  await train(rec, ratings, { ...fit, seed: 8 });
  const byHand = mae(testRatings, predictRatings(rec, test));
  const result = await trainOverSeeds("mlp", { ...options, hidden: [4] }, {
    test,
    seeds: [8],
    ...fit,
  });
  assertAlmostEquals(result.runs[0].mae, byHand, 1e-12);
  assertEquals(result.sd.mae, 0);
});

Deno.test("trainOverSeeds() scores already-trained models instead of training them again", async () => {
  const rec = buildModel("dot", { ratings, factors: 2, seed: 11 }); // left untrained on purpose
  const untrained = mae(testRatings, predictRatings(rec, test));
  const result = await trainOverSeeds("dot", { ratings, factors: 2 }, {
    test,
    seeds: [11, 12],
    trained: [rec],
    ...fit,
  });
  assertAlmostEquals(result.runs[0].mae, untrained, 1e-12);
});

Deno.test("trainOverSeeds() rejects missing data and bad seeds with a clear message", async () => {
  await assertRejects(
    () => trainOverSeeds("dot", { factors: 2 }, { test, ...fit }),
    TypeError,
    "modelOptions.ratings",
  );
  await assertRejects(
    // @ts-expect-error: the test ratings are required
    () => trainOverSeeds("dot", { ratings }, { ...fit }),
    TypeError,
    "options.test",
  );
  await assertRejects(
    () => trainOverSeeds("dot", { ratings }, { test, seeds: [1, 1], ...fit }),
    RangeError,
    "distinct seeds",
  );
  await assertRejects(
    () => trainOverSeeds("dot", { ratings }, { test, seeds: [], ...fit }),
    RangeError,
    "at least one seed",
  );
  // 2³² + 1 trained as seed 1 and −1 as 2³² − 1: one run twice, under two names.
  const bad: [number[], string][] = [
    [[1, 2 ** 32 + 1], "seeds[1] to be an integer in [0, 4294967295], found 4294967297"],
    [[-1, 1], "seeds[0] to be an integer in [0, 4294967295], found -1"],
    [[1, 2.5], "seeds[1] to be an integer in [0, 4294967295], found 2.5"],
  ];
  for (const [seeds, message] of bad) {
    await assertRejects(
      () => trainOverSeeds("dot", { ratings }, { test, seeds, ...fit }),
      RangeError,
      `trainOverSeeds(): expected ${message}`,
    );
  }
});

Deno.test("trainOverSeeds() refuses an unknown option, and a model function that returns no recommender", async () => {
  const unknown: [Record<string, unknown>, string][] = [
    [{ epoch: 5 }, '"epoch" (did you mean "epochs"?)'],
    [{ seed: 1 }, '"seed" (did you mean "seeds"?)'],
    [
      { earlyStopping: { patients: 2 } },
      '"earlyStopping.patients" (did you mean "earlyStopping.patience"?)',
    ],
    [
      { keepBestWeights: { monitr: "val_loss" } },
      '"keepBestWeights.monitr" (did you mean "keepBestWeights.monitor"?)',
    ],
  ];
  for (const [option, message] of unknown) {
    await assertRejects(
      () => trainOverSeeds("dot", { ratings }, { test, seeds: [1], ...fit, ...option }),
      TypeError,
      `trainOverSeeds(): unknown option ${message}`,
    );
  }
  // A recipe's fit spread whole brings its schedule: the model's own, so it is accepted, and
  // another one is refused by train() for the first seed.
  const phases = [{ learningRate: 0.02, epochs: 1 }, { learningRate: 0.01, epochs: 1 }];
  const scheduled = { ratings, factors: 3, fit: { schedule: phases } };
  type Options = Parameters<typeof trainOverSeeds>[2]; // without schedule, which it lets by
  const withFit = { test, seeds: [1], ...fit, schedule: phases } as Options;
  const viaFit = await trainOverSeeds("dot", scheduled, withFit);
  assertEquals(viaFit.runs.length, 1);
  await assertRejects(
    () =>
      trainOverSeeds("dot", scheduled, {
        test,
        seeds: [1],
        ...fit,
        schedule: [{ learningRate: 1, epochs: 1 }],
      } as Options),
    TypeError,
    'option "schedule" is not this model\'s',
  );
  const before = tf.memory().numTensors;
  await assertRejects(
    () => trainOverSeeds(() => ({}) as Recommender, { ratings }, { test, seeds: [1, 2], ...fit }),
    TypeError,
    "trainOverSeeds(): the model for seed 1: expected a Recommender",
  );
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("trainOverSeeds() repeats a model written as code, each seed initialising its layers", async () => {
  const encoders = fitEncoders(ratings);
  const sizes = { users: encoders.users.size, movies: encoders.movies.size, factors: 3 };
  const net = (seed: number) => {
    const model = embeddingNet(sizes);
    model.compile({ optimizer: tf.train.adam(0.02), loss: "meanSquaredError" });
    return recommender(model, { ...encoders, seed });
  };
  setRandomSeed(1);
  const a = await trainOverSeeds(net, { ratings }, { test, seeds: [3, 4], ...fit });
  const b = await trainOverSeeds(net, { ratings }, { test, seeds: [3, 4], ...fit });
  assertEquals(a.kind, "custom");
  assertEquals(a.runs, b.runs);
  assertNotEquals(a.runs[0].mae, a.runs[1].mae);
  assertEquals(randomSeed(), 1); // the session's seed is put back
});

Deno.test("trainOverSeeds() frees every model it trains unless asked to keep them", async () => {
  const start = tf.memory().numTensors;
  const options = { ratings, factors: 3, learningRate: 0.02 };
  const freed = await trainOverSeeds("mlp", { ...options, hidden: [4] }, {
    test,
    seeds: [1, 2, 3],
    ...fit,
  });
  assertEquals(freed.models, undefined);
  assertEquals(tf.memory().numTensors, start);
  const kept = await trainOverSeeds("dot-bias", options, {
    test,
    seeds: [1, 2],
    keep: true,
    ...fit,
  });
  assertEquals(kept.models?.map((m) => m.config.seed), [1, 2]);
  assertAlmostEquals(
    mae(testRatings, predictRatings(kept.models![1], test)),
    kept.runs[1].mae,
    1e-12,
  );
  kept.models!.forEach(disposeRecommender);
  assertEquals(tf.memory().numTensors, start);
});

Deno.test("trainOverSeeds() leaves the models it was given alone, and frees its own when a run fails", async () => {
  const mine = buildModel("dot", { ratings, factors: 2, seed: 11 });
  const start = tf.memory().numTensors;
  await trainOverSeeds("dot", { ratings, factors: 2 }, {
    test,
    seeds: [11, 12],
    trained: [mine],
    ...fit,
  });
  assertEquals(predictRatings(mine, test).length, test.height); // still usable
  assertEquals(tf.memory().numTensors, start);
  await assertRejects(() =>
    trainOverSeeds("mlp", { ratings, factors: 3, hidden: [4] }, {
      test,
      seeds: [1, 2],
      ...fit,
      learningRate: 1e30,
    })
  );
  assertEquals(tf.memory().numTensors, start);
  disposeRecommender(mine);
});
