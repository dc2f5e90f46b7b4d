import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  buildModel,
  disposeRecommender,
  predict,
  predictRatings,
  recommend,
  saveRecommender,
  topKForUsers,
  train,
} from "../../lib/models/mod.ts";
import { NonFiniteLossError } from "../../lib/train/fit.ts";
import { DivergedModelError } from "../../lib/train/health.ts";
import { syntheticMovies, syntheticRatings, userId } from "./_fixtures.ts";

const ratings = syntheticRatings({ users: 12, movies: 16, perUser: 10 });
const catalog = syntheticMovies();

Deno.test("a model whose training diverged refuses to predict, recommend, save or train, saying why", async () => {
  const rec = buildModel("mlp", { ratings, catalog, factors: 4, hidden: [8] });
  const err = await assertRejects(
    () => train(rec, ratings, { epochs: 2, batchSize: 16, learningRate: 1e30, verbose: 0 }),
    NonFiniteLossError,
  );
  assert(err.diverged, err.message);
  const said = `this model's training diverged in epoch ${err.epoch}, batch ${err.batch} at ` +
    "learning rate 1.00e+30";
  for (
    const [where, use] of [
      ["predictRatings()", () => predictRatings(rec, ratings)],
      ["predict()", () => predict(rec, userId(0), 1000)],
      ["recommend()", () => recommend(rec, userId(0), { exclude: ratings })],
      ["topKForUsers()", () => topKForUsers(rec, [userId(0)])],
    ] as const
  ) {
    const e = assertThrows(use, DivergedModelError, `${where}: ${said}`);
    assert(e.message.includes("rebuild the model"), e.message);
    assertEquals(e.divergence?.epoch, err.epoch);
  }
  const dir = await Deno.makeTempDir();
  try {
    await assertRejects(
      () => saveRecommender(rec, `${dir}/model`),
      DivergedModelError,
      `saveRecommender(): ${said}`,
    );
    assertEquals([...Deno.readDirSync(dir)], [], "nothing is written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await assertRejects(
    () => train(rec, ratings, { epochs: 1, learningRate: 1e-3, verbose: 0 }),
    DivergedModelError,
    `train(): ${said}`,
  );
  disposeRecommender(rec);
});

Deno.test("a model with a NaN weight refuses to predict, naming the weight", () => {
  const rec = buildModel("dot-bias", { ratings, factors: 3 });
  const weights = rec.model.getWeights().map((w) => w.clone());
  const table = weights[0].bufferSync();
  table.set(NaN, 2, 1);
  const broken = table.toTensor();
  rec.model.setWeights([broken, ...weights.slice(1)]);
  const e = assertThrows(
    () => predictRatings(rec, ratings),
    DivergedModelError,
    `predictRatings(): the model's weights hold 1 NaN or infinite value (the first in ${
      rec.model.weights[0].name
    })`,
  );
  assertEquals(e.divergence, null);
  tf.dispose([...weights, broken]);
  disposeRecommender(rec);
});

Deno.test("a model whose outputs overflow refuses to predict instead of returning NaN", () => {
  const rec = buildModel("dot", { ratings, factors: 3 });
  const huge = rec.model.getWeights().map((w) => tf.fill(w.shape, 1e30));
  rec.model.setWeights(huge);
  assertThrows(
    () => predictRatings(rec, ratings),
    DivergedModelError,
    `predictRatings(): the model predicts Infinity for 120 of 120 (user, movie) pairs (the first: ` +
      `user ${userId(0)}`,
  );
  assertThrows(
    () => recommend(rec, userId(1), { exclude: ratings }),
    DivergedModelError,
    "overflow",
  );
  tf.dispose(huge);
  disposeRecommender(rec);
});

Deno.test("recommend() never returns an empty list without saying why", () => {
  const few = syntheticRatings({ users: 3, movies: 4, perUser: 4 });
  const rec = buildModel("dot-bias", { ratings: few, factors: 2 });
  assertThrows(
    () => recommend(rec, userId(0), { exclude: few }),
    RangeError,
    `recommend(): no movie is left to recommend to user ${userId(0)}: of the model's 4 movies, ` +
      "4 rated by the user (excludeSeen); set excludeSeen: false to get a list",
  );
  assertThrows(
    () => recommend(rec, userId(0), { excludeSeen: false, minRatings: 100, ratings: few }),
    RangeError,
    "of the model's 4 movies, 4 more with fewer than minRatings 100 ratings",
  );
  assertEquals(recommend(rec, userId(0), { excludeSeen: false, k: 2 }).height, 2);
  disposeRecommender(rec);
});

Deno.test("a dot model at learning rate 1e3 trains to the end but its history says the loss exploded", async () => {
  const rec = buildModel("dot", { ratings, factors: 3 });
  const h = await train(rec, ratings, { epochs: 2, batchSize: 16, learningRate: 1e3, verbose: 0 });
  assertEquals(h.warnings.length, 1);
  assert(h.warnings[0].message.startsWith("epoch 1: the loss exploded to"), h.warnings[0].message);
  disposeRecommender(rec);
});
