import { assert, assertEquals, assertThrows } from "@std/assert";
import { IdEncoder } from "../../lib/data/mod.ts";
import { rankingNetwork, type RankingRecipe, rankingRecipes } from "../../lib/models/mod.ts";
import { setupBackend } from "../../lib/train/mod.ts";

await setupBackend({ backend: "cpu" });
const encoders = { users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([10, 20, 30]) };

Deno.test("rankingNetwork() builds every recipe's model", () => {
  for (const recipe of Object.values(rankingRecipes)) {
    const model = rankingNetwork(recipe, encoders, 42);
    assertEquals(model.countParams(), 2 * recipe.factors + 3 * recipe.factors + 3);
    model.dispose();
  }
});

Deno.test("rankingNetwork() names a bad recipe field instead of failing inside tfjs", () => {
  const bad: [Partial<Record<keyof RankingRecipe, unknown>>, ErrorConstructor, string][] = [
    [{ factors: 0 }, RangeError, "recipe.factors to be a positive integer, found 0"],
    [{ factors: 2.5 }, RangeError, "recipe.factors to be a positive integer, found 2.5"],
    [{ learningRate: NaN }, RangeError, "recipe.learningRate to be a finite number > 0, found NaN"],
    [{ learningRate: -1 }, RangeError, "recipe.learningRate to be a finite number > 0, found -1"],
    [{ loss: "softmax" }, TypeError, "recipe.loss to be a ranking loss function, found string"],
    [{ batchUsers: 0 }, RangeError, "recipe.batchUsers to be a positive integer, found 0"],
    [{ negatives: -1 }, RangeError, "recipe.negatives to be a non-negative integer, found -1"],
    [{ l2Power: NaN }, RangeError, "recipe.l2Power to be a finite number, found NaN"],
    [{ l2Start: -0.1 }, RangeError, "recipe.l2Start to be a finite number >= 0, found -0.1"],
    [{ l2Step: 0 }, RangeError, "recipe.l2Step to be a finite number > 1, found 0"],
    [{ l2Step: 1 }, RangeError, "recipe.l2Step to be a finite number > 1, found 1"],
    [{ l2MaxTries: 0 }, RangeError, "recipe.l2MaxTries to be a positive integer, found 0"],
    [{ maxEpochs: 0 }, RangeError, "recipe.maxEpochs to be a positive integer, found 0"],
    [{ evalEvery: NaN }, RangeError, "recipe.evalEvery to be a positive integer, found NaN"],
  ];
  for (const [field, Error, message] of bad) {
    const recipe = { ...rankingRecipes.softmax, ...field } as RankingRecipe;
    assertThrows(
      () => rankingNetwork(recipe, encoders, 42),
      Error,
      `rankingNetwork(): expected ${message}`,
    );
  }
  assertThrows(
    () => rankingNetwork(null as never, encoders, 42),
    TypeError,
    "rankingNetwork(): expected a recipe (rankingRecipes.softmax, …), found null",
  );
  assertThrows(
    () => rankingNetwork(rankingRecipes.softmax, { ...encoders, movies: [10, 20] as never }, 42),
    TypeError,
    "rankingNetwork(): expected encoders.movies to be an IdEncoder, found an array of length 2",
  );
  assertThrows(
    () => rankingNetwork(rankingRecipes.softmax, encoders, NaN),
    RangeError,
    "rankingNetwork(): expected seed to be an integer in [0, 4294967295], found NaN",
  );
  assertThrows( // 2³² + 42 would build seed 42's weights
    () => rankingNetwork(rankingRecipes.softmax, encoders, 2 ** 32 + 42),
    RangeError,
    "rankingNetwork(): expected seed to be an integer in [0, 4294967295], found 4294967338",
  );
});

Deno.test("rankingNetwork() draws factors from N(0, 0.1), zero biases, and compiles Adam with epsilon 1e-8", () => {
  const users = IdEncoder.fit(Array.from({ length: 40 }, (_, i) => i + 1));
  const model = rankingNetwork(rankingRecipes.bpr, { users, movies: encoders.movies }, 42);
  const [p, q, b] = model.getWeights().map((w) => Array.from(w.dataSync()));
  const rms = Math.sqrt([...p, ...q].reduce((s, v) => s + v * v, 0) / (p.length + q.length));
  // 2,752 draws: a standard deviation of 0.1 gives an RMS within a few percent of it.
  assert(rms > 0.09 && rms < 0.11, `RMS of the factors ${rms}`);
  assertEquals(b, [0, 0, 0]);
  const config = model.optimizer.getConfig() as { learningRate: number; epsilon: number };
  assertEquals([config.learningRate, config.epsilon], [rankingRecipes.bpr.learningRate, 1e-8]);
  model.dispose();
});

Deno.test("each ranking recipe's label names its loss's negatives: BPR's 16, the full catalogue's none", () => {
  assertEquals(rankingRecipes.bpr.label, "embeddings, BPR (16 negatives per positive)");
  assertEquals(rankingRecipes.bpr.negatives, 16);
  for (const name of ["softmax", "squared"] as const) {
    assertEquals(rankingRecipes[name].negatives, 0, `${name} samples no negatives`);
  }
});
