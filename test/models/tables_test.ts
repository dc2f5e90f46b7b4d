import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { fitEncoders } from "../../lib/data/mod.ts";
import { movieBiases, recommender, trainRanking, userBiases } from "../../lib/models/mod.ts";
import { adam, setupBackend, softmaxLoss } from "../../lib/train/mod.ts";
import { syntheticRatings } from "./_fixtures.ts";

await setupBackend({ backend: "cpu" });
const ratings = syntheticRatings({ scale: "whole" });
const encoders = fitEncoders(ratings);

/**
 * A dot product of two tables, with a user and a movie bias table applied to the id inputs but
 * left out of the sum, as a reader does who takes a bias out of the model and keeps its line
 * (the audit's edits of notebooks 01 and 06): the two bias tables are not in the model.
 */
function orphanBiases(): { model: tf.LayersModel; orphans: tf.layers.Layer[] } {
  type S = tf.SymbolicTensor;
  const user = tf.input({ shape: [1], dtype: "int32" });
  const movie = tf.input({ shape: [1], dtype: "int32" });
  const table = (rows: number, width: number, ids: S) => {
    const layer = tf.layers.embedding({
      inputDim: rows,
      outputDim: width,
      embeddingsInitializer: "zeros",
    });
    return { layer, out: layer.apply(ids) as S };
  };
  const p = table(encoders.users.size, 4, user), q = table(encoders.movies.size, 4, movie);
  p.layer.setWeights([tf.randomNormal([encoders.users.size, 4], 0, 0.1, "float32", 1)]);
  q.layer.setWeights([tf.randomNormal([encoders.movies.size, 4], 0, 0.1, "float32", 2)]);
  const ub = table(encoders.users.size, 1, user), mb = table(encoders.movies.size, 1, movie);
  const dot = tf.layers.dot({ axes: -1 }).apply([p.out, q.out]) as S;
  const model = tf.model({ inputs: [user, movie], outputs: tf.layers.flatten().apply(dot) as S });
  return { model, orphans: [ub.layer, mb.layer] };
}

Deno.test("a bias table applied to an id input but left out of the model is no table of it", () => {
  const { model, orphans } = orphanBiases();
  assert(orphans.every((l) => !model.layers.includes(l)));
  model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: "meanSquaredError" });
  const rec = recommender(model, encoders);
  // Notebook 01's bias tables of section 7 read the orphan's untrained zeros before.
  assertThrows(() => movieBiases(rec), TypeError, "movie bias");
  assertThrows(() => userBiases(rec), TypeError, "user bias");
  model.dispose();
  tf.dispose(orphans.flatMap((l) => l.getWeights()));
});

Deno.test("trainRanking() does not train a bias table that is not in the model", async () => {
  const { model, orphans } = orphanBiases();
  model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: softmaxLoss });
  const rec = recommender(model, encoders);
  const before = model.getWeights().map((w) => w.dataSync().slice());
  await trainRanking(rec, ratings, { epochs: 2, verbose: 0 });
  // The model's tables trained; the orphan tables (notebook 06's edit) stay as they started:
  // the loop trained and scored them before, apart from the model it was given.
  const after = model.getWeights().map((w) => w.dataSync());
  assert(after.some((w, i) => w.some((x, j) => x !== before[i][j])));
  for (const layer of orphans) {
    assertEquals([...layer.getWeights()[0].dataSync()].every((x) => x === 0), true, layer.name);
  }
  model.dispose();
});
