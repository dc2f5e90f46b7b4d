import { assert, assertEquals, assertGreater, assertLess } from "@std/assert";
import { buildModel, predictRatings, recipes, SEED002_BUGS, train } from "../../lib/models/mod.ts";
import { mae, syntheticRatings } from "./_fixtures.ts";

// whole stars 1–5, as ml-100k.
const ratings = syntheticRatings({ users: 12, movies: 16, perUser: 12, scale: "whole" });

Deno.test("SEED002_BUGS lists the four bugs of the seed-002 exercise with their fixes", () => {
  assertEquals(SEED002_BUGS.length, 4);
  for (const b of SEED002_BUGS) assert(b.bug && b.fix && b.why);
  const buggy = recipes.seed002.deepBuggy, fixed = recipes.seed002.deep;
  assertEquals([buggy.inputDropout, fixed.inputDropout], [0.99, 0.5]);
  assertEquals([buggy.outputUnits, buggy.outputActivation, buggy.loss], [
    2,
    "tanh",
    "binaryCrossentropy",
  ]);
  assertEquals(fixed.loss, "meanAbsoluteError");
});

Deno.test("the buggy seed-002 deep model cannot fit the ratings and the fixed one can", async () => {
  const fit = async (recipe: typeof recipes.seed002.deep | typeof recipes.seed002.deepBuggy) => {
    const rec = buildModel("mlp", {
      ...recipe,
      ratings,
      factors: 8,
      hidden: [16],
      learningRate: 0.01,
    });
    await train(rec, ratings, { epochs: 30, batchSize: 32, verbose: 0 });
    return rec;
  };
  const buggy = await fit(recipes.seed002.deepBuggy);
  assertEquals(buggy.model.outputs[0].shape, [null, 2]);
  const bp = predictRatings(buggy, ratings);
  for (const p of bp) assert(p >= -1 && p <= 1, `tanh output ${p} outside [-1, 1]`);
  const fixed = await fit(recipes.seed002.deep);
  const buggyMae = mae(bp, ratings), fixedMae = mae(predictRatings(fixed, ratings), ratings);
  assertGreater(buggyMae, 2); // ratings average above 3, outputs stay at most 1
  assertLess(fixedMae, 1);
});
