import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { fitEncoders } from "../../lib/data/mod.ts";
import {
  buildModel,
  compareModels,
  compileModel,
  disposeRecommender,
  MODEL_KINDS,
  movieBiases,
  movieEmbeddings,
  predict,
  predictRatings,
  recommend,
  type Recommender,
  recommender,
  saveRecommender,
  topKForUsers,
  train,
  userBiases,
  userEmbeddings,
} from "../../lib/models/mod.ts";
import { setupBackend } from "../../lib/train/backend.ts";
import { dotBiasContextCount } from "../../lib/train/kernels/dot_bias.ts";
import { syntheticMovies, syntheticRatings, userId } from "./_fixtures.ts";
import { concatMlp } from "./_notebook_models.ts";

const ratings = syntheticRatings({ users: 10, movies: 12, perUser: 8 });
const catalog = syntheticMovies(12);

/** A model of each kind of `buildModel`, and one written as tfjs code the way notebooks do. */
function build(kind: typeof MODEL_KINDS[number] | "custom"): Recommender {
  if (kind === "custom") {
    const { users, movies } = fitEncoders(ratings);
    const model = concatMlp({ users: users.size, movies: movies.size, factors: 3 });
    model.compile({ optimizer: tf.train.adam(1e-2), loss: "meanSquaredError" });
    return recommender(model, { users, movies, catalog, ratings });
  }
  const concat = kind === "mlp" || kind === "dlrm" || kind === "hybrid" || kind === "classifier";
  return buildModel(kind, { ratings, catalog, factors: 3, hidden: concat ? [6] : undefined });
}

Deno.test("disposeRecommender() frees weights, optimizer state and everything else of every kind", async () => {
  for (const backend of ["cpu", "wasm", "cpu"] as const) {
    await setupBackend({ backend });
    for (const kind of [...MODEL_KINDS, "custom"] as const) {
      const start = tf.memory().numTensors;
      const rec = build(kind);
      await train(rec, ratings, { epochs: 2, batchSize: 16, validation: 0.2, verbose: 0 });
      predictRatings(rec, ratings);
      recommend(rec, userId(0), { k: 3, exclude: ratings });
      topKForUsers(rec, [userId(1), userId(2)], { k: 2, exclude: ratings });
      disposeRecommender(rec);
      assertEquals(tf.memory().numTensors, start, `${kind} on ${backend}`);
    }
  }
  assertEquals(dotBiasContextCount(), 0);
});

Deno.test("disposeRecommender() may be called twice, and on a model disposed by hand", () => {
  const start = tf.memory().numTensors;
  const rec = build("dot-bias");
  disposeRecommender(rec);
  disposeRecommender(rec);
  const other = build("custom");
  other.model.dispose();
  disposeRecommender(other);
  assertEquals(tf.memory().numTensors, start);
});

Deno.test("a recommender whose model was disposed by hand is refused by name, not by tfjs", async () => {
  // predictRatings() failed inside tfjs ("LayersVariable user_embedding/embeddings is already
  // disposed."), and recommend() called a known user unknown.
  const gone = "this recommender's model was disposed (model.dispose()) and cannot be used any " +
    "more; build or load it again";
  for (const kind of ["dot", "custom"] as const) {
    const rec = build(kind);
    rec.model.dispose();
    assertThrows(() => predictRatings(rec, ratings), RangeError, `predictRatings(): ${gone}`);
    assertThrows(() => recommend(rec, userId(0), { k: 3 }), RangeError, `recommend(): ${gone}`);
    assertThrows(
      () => topKForUsers(rec, [userId(1)], { k: 2 }),
      RangeError,
      `topKForUsers(): ${gone}`,
    );
    await assertRejects(() => train(rec, ratings, { verbose: 0 }), RangeError, `train(): ${gone}`);
    disposeRecommender(rec); // frees the optimizer; after it, the message names it
    assertThrows(
      () => predictRatings(rec, ratings),
      RangeError,
      "predictRatings(): this recommender was freed by disposeRecommender()",
    );
  }
});

Deno.test("a recommender that lost a weight to a model sharing its layers names the weight", () => {
  const rec = build("dot");
  const start = tf.memory().numTensors;
  const part = tf.model({
    inputs: rec.model.inputs,
    outputs: rec.model.getLayer("user_embedding").output as tf.SymbolicTensor,
  });
  part.dispose(); // frees the user table the recommender still uses
  assertEquals(tf.memory().numTensors, start - 1);
  const gone =
    'this recommender\'s weight "user_embedding/embeddings" was disposed (with a model ' +
    "or layer that shares it) and is gone; build or load it again";
  assertThrows(() => predictRatings(rec, ratings), RangeError, `predictRatings(): ${gone}`);
  assertThrows(() => recommend(rec, userId(0), { k: 3 }), RangeError, `recommend(): ${gone}`);
  disposeRecommender(rec);
  // Any weight, not only the first: here the movie table.
  const other = build("dot");
  tf.model({
    inputs: other.model.inputs,
    outputs: other.model.getLayer("movie_embedding").output as tf.SymbolicTensor,
  }).dispose();
  assertThrows(
    () => predictRatings(other, ratings),
    RangeError,
    'predictRatings(): this recommender\'s weight "movie_embedding/embeddings" was disposed',
  );
  disposeRecommender(other);
});

Deno.test("every function given a freed recommender says it was freed, not tfjs' 'already disposed'", async () => {
  const rec = build("dot-bias"), other = build("dot-bias");
  disposeRecommender(rec);
  const freed = "this recommender was freed by disposeRecommender() and its weights are gone; " +
    "build or load it again";
  const dir = await Deno.makeTempDir();
  try {
    await assertRejects(
      () => saveRecommender(rec, `${dir}/model`),
      RangeError,
      `saveRecommender(): ${freed}`,
    );
    assertEquals([...Deno.readDirSync(dir)], [], "nothing was written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assertThrows(() => movieEmbeddings(rec), RangeError, `movieEmbeddings(): ${freed}`);
  assertThrows(() => userEmbeddings(rec), RangeError, `userEmbeddings(): ${freed}`);
  assertThrows(() => movieBiases(rec), RangeError, `movieBiases(): ${freed}`);
  assertThrows(() => userBiases(rec), RangeError, `userBiases(): ${freed}`);
  assertThrows(() => compileModel(rec), RangeError, `compileModel(): ${freed}`);
  assertThrows(() => predict(rec, userId(0), 1), RangeError, `predict(): ${freed}`);
  const byName = (which: string) =>
    `compareModels(): ${which} was freed by disposeRecommender() and its weights are gone`;
  assertThrows(() => compareModels(rec, other), RangeError, byName("recommender a"));
  assertThrows(() => compareModels(other, rec), RangeError, byName("recommender b"));
  assertThrows(() => compareModels(other, rec.model), RangeError, byName("model b"));
  const byHand = build("custom");
  byHand.model.dispose();
  assertThrows(
    () => compareModels(byHand.model, other),
    RangeError,
    "compareModels(): model a's model was disposed (model.dispose())",
  );
  disposeRecommender(byHand);
  disposeRecommender(other);
});

Deno.test("disposeRecommender() refuses what is not a recommender with a TypeError saying what it expected", () => {
  assertThrows(
    () => disposeRecommender(undefined as unknown as Recommender),
    TypeError,
    "disposeRecommender(): expected a Recommender ({ model, users, movies, config }, from " +
      "buildModel(), recommender() or loadRecommender()), found undefined",
  );
  const rec = build("dot");
  assertThrows(
    () => disposeRecommender(rec.model as unknown as Recommender),
    TypeError,
    "disposeRecommender(): expected a Recommender, found a tf.LayersModel; pass the recommender " +
      "that holds it (disposeRecommender(rec), not rec.model)",
  );
  predictRatings(rec, ratings); // still usable: nothing was freed
  disposeRecommender(rec);
});
