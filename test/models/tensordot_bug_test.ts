import { assert, assertAlmostEquals, assertEquals, assertGreater } from "@std/assert";
import {
  buildModel,
  buildTensordotBugModel,
  predictRatings,
  recipes,
  recommend,
  train,
} from "../../lib/models/mod.ts";
import { setupBackend } from "../../lib/train/backend.ts";
import { syntheticRatings } from "./_fixtures.ts";

await setupBackend();

const ratings = syntheticRatings({ users: 12, movies: 16, perUser: 10 });
const options = { ...recipes.kerasCollaborativeFiltering.recommenderNetV2, ratings, factors: 4 };

function weight(rec: ReturnType<typeof buildTensordotBugModel>, layer: string): number[][] {
  return rec.model.getLayer(layer).getWeights()[0].arraySync() as number[][];
}

Deno.test("buildTensordotBugModel() has the parameter count of the fixed bce model", () => {
  const buggy = buildTensordotBugModel(options);
  const fixed = buildModel("bce", options);
  // (12 + 16) users and movies × (4 factors + 1 bias)
  assertEquals(buggy.model.countParams(), 28 * 5);
  assertEquals(buggy.model.countParams(), fixed.model.countParams());
  assertEquals(buggy.kind, "bce");
  assertEquals(buggy.config.target, fixed.config.target);
});

Deno.test("the buggy score is the sigmoid of the batch's summed dot products plus the biases", () => {
  const rec = buildTensordotBugModel(options);
  const [U, M] = [weight(rec, "user_embedding"), weight(rec, "movie_embedding")];
  const [ub, mb] = [weight(rec, "user_bias"), weight(rec, "movie_bias")];
  const userIds = [100, 107, 114], movieIds = [1000, 1003, 1006];
  const u = rec.users.encode(userIds), m = rec.movies.encode(movieIds);
  let batchSum = 0;
  for (let b = 0; b < 3; b++) {
    for (let f = 0; f < 4; f++) batchSum += U[u[b]][f] * M[m[b]][f];
  }
  const [min, max] = [0.5, 5];
  const got = predictRatings(rec, { userIds, movieIds }, { batchSize: 3 });
  for (let b = 0; b < 3; b++) {
    const p = 1 / (1 + Math.exp(-(batchSum + ub[u[b]][0] + mb[m[b]][0])));
    assertAlmostEquals(got[b], min + p * (max - min), 1e-5);
  }
});

Deno.test("the buggy model's prediction of a pair changes with the other pairs in its batch", async () => {
  const rec = buildTensordotBugModel(options);
  await train(rec, ratings, { epochs: 5, batchSize: 16, verbose: 0 });
  const alone = predictRatings(rec, ratings, { batchSize: 1 });
  const inBatches = predictRatings(rec, ratings, { batchSize: 16 });
  const fixed = buildModel("bce", options);
  const fixedAlone = predictRatings(fixed, ratings, { batchSize: 1 });
  const fixedTogether = predictRatings(fixed, ratings, { batchSize: 16 });
  const gap = (a: Float32Array, b: Float32Array) =>
    a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i])), 0);
  assertGreater(gap(alone, inBatches), 0.01);
  assert(gap(fixedAlone, fixedTogether) < 1e-5, "the fixed model must not depend on the batch");
});

Deno.test("scored in one batch, the buggy model ranks every user's movies by movie bias alone", () => {
  const rec = buildTensordotBugModel(options);
  const mb = weight(rec, "movie_bias").map((row) => row[0]);
  const byBias = Array.from(rec.movies.ids).sort((a, b) =>
    mb[rec.movies.encode([b])[0]] - mb[rec.movies.encode([a])[0]]
  );
  for (const user of [100, 121, 177]) {
    const top = recommend(rec, user, { k: 5, excludeSeen: false });
    assertEquals(Array.from(top.getColumn("movieId").toArray() as number[]), byBias.slice(0, 5));
  }
});

Deno.test("the buggy model trains with train(): finite losses that decrease", async () => {
  const rec = buildTensordotBugModel({ ...options, learningRate: 0.01 });
  const history = await train(rec, ratings, { epochs: 8, batchSize: 16, verbose: 0 });
  const loss = history.history.loss;
  assert(loss.every(Number.isFinite));
  assertGreater(loss[0], loss[loss.length - 1]);
});

Deno.test("train() validates at validationBatchSize, which the buggy model's val_loss depends on", async () => {
  const valLoss = async (validationBatchSize: number) => {
    const rec = buildTensordotBugModel(options);
    const h = await train(rec, ratings, {
      epochs: 1,
      batchSize: 16,
      validation: ratings,
      validationBatchSize,
      verbose: 0,
    });
    return h.history.val_loss[0];
  };
  const [small, again, large] = [await valLoss(16), await valLoss(16), await valLoss(4096)];
  assertEquals(small, again);
  assertGreater(Math.abs(small - large), 1e-3);
});
