import { assert, assertEquals, assertGreater, assertLess } from "@std/assert";
import {
  buildModel,
  LAB_DEEP_MODEL_BUGS,
  predictRatings,
  recipes,
  train,
} from "../../lib/models/mod.ts";
import { mae } from "../../lib/eval/rating_metrics.ts";
import { syntheticRatings } from "./_fixtures.ts";

// whole stars 1–5, as ml-100k.
const ratings = syntheticRatings({ users: 12, movies: 16, perUser: 12, scale: "whole" });

Deno.test("LAB_DEEP_MODEL_BUGS lists the four bugs of the lab's deep-model exercise with their fixes", () => {
  assertEquals(LAB_DEEP_MODEL_BUGS.length, 4);
  for (const b of LAB_DEEP_MODEL_BUGS) assert(b.bug && b.fix && b.why);
  const buggy = recipes.explicitFeedbackLab.deepBuggy, fixed = recipes.explicitFeedbackLab.deep;
  assertEquals([buggy.inputDropout, fixed.inputDropout], [0.99, 0.5]);
  assertEquals([buggy.outputUnits, buggy.outputActivation, buggy.loss], [
    2,
    "tanh",
    "binaryCrossentropy",
  ]);
  assertEquals(fixed.loss, "meanAbsoluteError");
});

Deno.test("the lab's buggy deep model cannot fit the ratings and the fixed one can", async () => {
  const fit = async (
    recipe: typeof recipes.explicitFeedbackLab.deep | typeof recipes.explicitFeedbackLab.deepBuggy,
  ) => {
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
  const buggy = await fit(recipes.explicitFeedbackLab.deepBuggy);
  assertEquals(buggy.model.outputs[0].shape, [null, 2]);
  const bp = predictRatings(buggy, ratings);
  for (const p of bp) assert(p >= -1 && p <= 1, `tanh output ${p} outside [-1, 1]`);
  const fixed = await fit(recipes.explicitFeedbackLab.deep);
  const truth = ratings.getColumn("rating").toArray() as number[];
  const buggyMae = mae(truth, bp), fixedMae = mae(truth, predictRatings(fixed, ratings));
  assertGreater(buggyMae, 2); // ratings average above 3, outputs stay at most 1
  assertLess(fixedMae, 1);
});
