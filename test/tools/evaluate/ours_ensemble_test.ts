import { assert, assertEquals, assertLess } from "@std/assert";
import { fitEncoders, ratingsFrame } from "../../../lib/data/mod.ts";
import { biasBaseline, ratingMetrics } from "../../../lib/eval/mod.ts";
import {
  blendingFor,
  OURS_MEMBERS,
  predictOurs,
  trainMember,
  trainOurs,
} from "../../../tools/evaluate/ours_ensemble.ts";
import { disposeRecommender, predictRatings } from "../../../lib/models/mod.ts";
import { createRng } from "../../../lib/random.ts";
import { setupBackend } from "../../../lib/train/backend.ts";

function synthetic(users: number, movies: number, seed: number) {
  const rng = createRng(seed);
  const ub = Array.from({ length: users }, () => rng.normal());
  const mb = Array.from({ length: movies }, () => rng.normal());
  const u: number[] = [], m: number[] = [], r: number[] = [];
  for (let i = 0; i < users; i++) {
    for (let j = 0; j < movies; j++) {
      if (rng.next() < 0.5) continue;
      u.push(i + 1);
      m.push(j + 1);
      r.push(
        Math.min(5, Math.max(1, Math.round(3 + 0.7 * ub[i] + 0.7 * mb[j] + 0.3 * rng.normal()))),
      );
    }
  }
  return ratingsFrame({ userId: u, movieId: m, rating: r });
}

Deno.test("trainMember() starts the first dot-bias member as the bias baseline predicts", async () => {
  await setupBackend();
  const ratings = synthetic(30, 20, 1);
  const member = { ...OURS_MEMBERS[0], epochs: 1, maxLearningRate: 1e-9 };
  const trained = await trainMember(member, ratings, fitEncoders(ratings));
  const base = biasBaseline(ratings).predict(ratings);
  const ours = predictRatings(trained.rec, ratings);
  // Linearised around the mean, the sigmoid start follows the baseline closely.
  let diff = 0;
  for (let i = 0; i < base.length; i++) diff += Math.abs(base[i] - ours[i]);
  assertLess(diff / base.length, 0.05);
  assertLess(ratingMetrics(base, ours).rmse, 0.08);
  assertEquals(trained.epochs, 1);
  disposeRecommender(trained.rec);
});

Deno.test("trainOurs() blends members fitted on a carve-out and beats the global mean", async () => {
  await setupBackend();
  const ratings = synthetic(60, 40, 2);
  const trainPart = ratings.slice(0, 1000), testPart = ratings.slice(1000, ratings.height - 1000);
  const ours = await trainOurs(trainPart, fitEncoders(ratings), { epochs: 3 });
  assertEquals(ours.members.length, OURS_MEMBERS.length);
  // 100 carve-out ratings cannot support a fitted blend: the members are averaged.
  assertEquals(ours.blending, "mean");
  assertEquals(ours.squared.weights.length, OURS_MEMBERS.length + 1);
  assertEquals(ours.absolute.loss, "absolute");
  const truth = testPart.getColumn("rating").toArray() as number[];
  const p = predictOurs(ours, "squared", testPart);
  for (const v of p) assert(v >= 1 && v <= 5, `prediction ${v} outside the training range`);
  const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
  const flat = ratingMetrics(truth, truth.map(() => mean)).mse;
  assertLess(ratingMetrics(truth, p).mse, flat);
  ours.members.forEach((m) => disposeRecommender(m.rec));
});

Deno.test("trainOurs() stacks with meta-features when the carve-out is large enough", async () => {
  await setupBackend();
  const ratings = synthetic(300, 100, 3);
  const ours = await trainOurs(ratings, fitEncoders(ratings), { epochs: 1 });
  assertEquals(ours.blending, blendingFor(Math.ceil(ratings.height * 0.1), 7, 2));
  assertEquals(ours.blending, "stacked");
  // One weight per member and one for the bias baseline, each varying with two meta-features.
  assertEquals(ours.squared.featureWeights.map((w) => w.length), Array(7).fill(2));
  assertEquals(ours.roundTo, 1);
  const p = predictOurs(ours, "absolute", ratings.slice(0, 50));
  for (const v of p) assertEquals(Number.isInteger(v), true, `MAE prediction ${v} not rounded`);
  ours.members.forEach((m) => disposeRecommender(m.rec));
});

Deno.test("blendingFor() asks for 50 carve-out ratings per coefficient", () => {
  assertEquals(blendingFor(50 * 24, 7, 2), "stacked");
  assertEquals(blendingFor(50 * 24 - 1, 7, 2), "linear");
  assertEquals(blendingFor(50 * 8, 7, 2), "linear");
  assertEquals(blendingFor(50 * 8 - 1, 7, 2), "mean");
});
