import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "@std/assert";
import {
  buildModel,
  buildTensordotBugModel,
  parameterTable,
  recipes,
} from "../../lib/models/mod.ts";
import { IdEncoder } from "../../lib/data/encoder.ts";
import { syntheticRatings } from "./_fixtures.ts";

const users = IdEncoder.fit([1, 2, 3], { name: "user" });
const movies = IdEncoder.fit([10, 20, 30, 40, 50], { name: "movie" });

Deno.test("parameterTable() lists each table of a dot-bias model and the total", () => {
  const rec = buildModel("dot-bias", { users, movies, factors: 4 });
  const t = parameterTable(rec);
  assertEquals(t.columns, ["layer", "weight", "shape", "trainable", "params"]);
  assertEquals(t.getColumn("layer").toArray(), [
    "user_embedding",
    "movie_embedding",
    "user_bias",
    "movie_bias",
    "total",
  ]);
  assertEquals(t.getColumn("shape").toArray().slice(0, 2), ["3 × 4", "5 × 4"]);
  assertEquals(t.getColumn("params").toArray().map(Number), [12, 20, 3, 5, 40]);
});

Deno.test("parameterTable() lists the four weights of the fused dot-bias layer by name", () => {
  const rec = buildModel("dot-bias", { users, movies, factors: 4, fused: true });
  const t = parameterTable(rec);
  assertEquals(t.getColumn("weight").toArray(), [
    "user_factors",
    "movie_factors",
    "user_bias",
    "movie_bias",
    "",
  ]);
  assertEquals(t.getColumn("params").toArray().map(Number), [12, 20, 3, 5, 40]);
});

Deno.test("parameterTable() of the Keras RecommenderNet adds up to countParams()", () => {
  const rec = buildModel("mlp", {
    ...recipes.kerasCollaborativeFiltering.recommenderNet,
    ratings: syntheticRatings(),
  });
  const params = parameterTable(rec.model).getColumn("params").toArray().map(Number);
  const total = params.pop()!;
  assertEquals(total, rec.model.countParams());
  assertEquals(params.reduce((a, b) => a + b, 0), total);
  // (12 users + 16 movies) × 50 + dense 100→10 + dense 10→1
  assertEquals(total, 28 * 50 + 100 * 10 + 10 + 10 + 1);
});

Deno.test("parameterTable() shows the four embedding layers of the tensordot model", () => {
  const rec = buildTensordotBugModel({ users, movies, factors: 2, ratingRange: [0.5, 5] });
  const layers = parameterTable(rec).getColumn("layer").toArray();
  assertEquals(layers, ["user_embedding", "movie_embedding", "user_bias", "movie_bias", "total"]);
});

Deno.test("parameterTable() marks the weights of a frozen layer as not trainable", () => {
  const movie = tf.input({ shape: [1], dtype: "int32" });
  const frozen = tf.layers.embedding({ inputDim: 5, outputDim: 3, trainable: false });
  const learned = tf.layers.embedding({ inputDim: 5, outputDim: 2 });
  const parts = [frozen.apply(movie), learned.apply(movie)] as tf.SymbolicTensor[];
  const out = tf.layers.concatenate().apply(parts) as tf.SymbolicTensor;
  const model = tf.model({ inputs: movie, outputs: out });
  const t = parameterTable(model);
  assertEquals(t.getColumn("trainable").toArray() as (boolean | null)[], [false, true, null]);
  assertEquals(t.getColumn("params").toArray().map(Number), [15, 10, 25]);
  model.dispose();
});

Deno.test("parameterTable() rejects what is not a model, naming what it found", () => {
  assertThrows(() => parameterTable({} as never), TypeError, "found an object (Object)");
});

Deno.test("parameterTable() groups a shape's sizes by thousands, as the notebooks' counts are", () => {
  const model = tf.sequential({
    layers: [tf.layers.embedding({ inputDim: 9724, outputDim: 50, inputLength: 1 })],
  });
  assertEquals(parameterTable(model).getColumn("shape").toArray()[0], "9,724 × 50");
  model.dispose();
});
