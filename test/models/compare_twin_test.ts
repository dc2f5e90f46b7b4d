/**
 * What a notebook's twin check must catch beyond predictions: the edits of an outside audit
 * that passed compareModels() before (another initializer, a model checked before it was
 * compiled, a learning rate), and messages that say what to do.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import { fitEncoders } from "../../lib/data/mod.ts";
import {
  buildModel,
  compareModels,
  embeddingDotBias,
  type ModelOptions,
  recipes,
  recommender,
  trainRanking,
} from "../../lib/models/mod.ts";
import { adam, setupBackend, softmaxLoss } from "../../lib/train/mod.ts";
import { embeddingNet, kerasMf } from "./_notebook_models.ts";
import { syntheticRatings } from "./_fixtures.ts";

await setupBackend({ backend: "cpu" });
const ratings = syntheticRatings({ scale: "whole" });
const encoders = fitEncoders(ratings);
const factors = 4;
const sizes = { users: encoders.users.size, movies: encoders.movies.size, factors };
const ids: [number[], number[]] = [[0, 1, 2], [0, 1, 2]];
/** `text` contains `part`. */
const assertIncludes = (text: string, part: string) => assert(text.includes(part), text);
const ADVICE = "In a notebook this means that the library's twin, which later cells may train " +
  "in this model's place, follows its options rather than the edited code: change the twin's " +
  "options in the check cell to match the edit, or undo the edit.";

/** Notebook 02's EmbeddingNet, compiled, with its tables' initializer given. */
function net02(init?: ReturnType<typeof tf.initializers.zeros>): tf.LayersModel {
  type S = tf.SymbolicTensor;
  const user = tf.input({ shape: [1], dtype: "int32" });
  const movie = tf.input({ shape: [1], dtype: "int32" });
  const table = (rows: number, width: number, x: S) =>
    tf.layers.embedding({
      inputDim: rows,
      outputDim: width,
      embeddingsInitializer: init ?? tf.initializers.randomNormal({ mean: 0, stddev: 1 }),
    }).apply(x) as S;
  const dot = tf.layers.dot({ axes: -1 }).apply([
    table(sizes.users, factors, user),
    table(sizes.movies, factors, movie),
  ]) as S;
  const sum = tf.layers.add().apply([
    dot,
    table(sizes.users, 1, user),
    table(sizes.movies, 1, movie),
  ]);
  const flat = tf.layers.flatten().apply(sum);
  const p = tf.layers.activation({ activation: "sigmoid" }).apply(flat);
  const out = tf.layers.rescaling({ scale: 5.5 }).apply(p) as S;
  const model = tf.model({ inputs: [user, movie], outputs: out });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
  return model;
}
const twin02 = (extra: Partial<ModelOptions> = {}) =>
  buildModel("dot-bias", {
    ...recipes.embeddingNet.net,
    ...encoders,
    factors,
    yRange: [0, 5.5],
    learningRate: 1e-3,
    optimizer: { epsilonHat: false },
    ...extra,
  });

Deno.test("compareModels() compares the initializers, which the copied weights hide", () => {
  const asWritten = net02(), twin = twin02();
  compareModels(asWritten, twin);
  // Notebook 02's edit: N(0, 1) tables → uniform ±0.05. Both checks passed before; the
  // notebook's later cells drew their models from the fused layer's own N(0, 1).
  const edited = net02(tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }));
  const error = assertThrows(() => compareModels(edited, twin02()), RangeError);
  assertIncludes(
    error.message,
    "start differently: layer embedding_Embedding",
  );
  assertIncludes(
    error.message,
    'of the first model draws its initial weights from RandomUniform {"maxval":0.05,"minval":-0.05}, its counterpart ' +
      'user_embedding in the second from RandomNormal {"mean":0,"stddev":1}',
  );
  assertEquals(error.message.endsWith(ADVICE), true, error.message);
  // A twin given the edit passes; so does any twin for a caller that copies the starting weights.
  const uniform = { name: "randomUniform", minval: -0.05, maxval: 0.05 } as const;
  compareModels(edited, twin02({ initializer: uniform, biasInitializer: uniform }));
  compareModels(edited, twin02(), { initializers: false });
  [asWritten, twin.model, edited].forEach((m) => m.dispose());
});

Deno.test("compareModels() reads the fused layer's initializers, given as specs or objects", () => {
  const fused = (init: unknown) => {
    const inputs = [0, 1].map(() => tf.input({ shape: [1], dtype: "int32" }));
    const layer = embeddingDotBias({
      numUsers: sizes.users,
      numMovies: sizes.movies,
      factors,
      yRange: [0, 5.5],
      embeddingsInitializer: init as { name: "randomNormal" },
      biasInitializer: init as { name: "randomNormal" },
    });
    const model = tf.model({ inputs, outputs: layer.apply(inputs) as tf.SymbolicTensor });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
    return model;
  };
  const asWritten = net02();
  compareModels(asWritten, fused({ name: "randomNormal", mean: 0, stddev: 1 }));
  compareModels(asWritten, fused(tf.initializers.randomNormal({ mean: 0, stddev: 1 })));
  assertThrows(
    () => compareModels(asWritten, fused({ name: "randomNormal", mean: 0, stddev: 0.01 })),
    RangeError,
    'in the second from RandomNormal {"mean":0,"stddev":0.01}',
  );
  asWritten.dispose();
});

Deno.test("compareModels() refuses one model compiled and the other not, naming which", () => {
  // Notebook 05 checked its model before compiling it, so another loss passed unseen.
  const uncompiled = kerasMf(sizes);
  const twin = buildModel("dot", { ...recipes.matrixFactorization.mf, ...encoders, factors });
  const message = "compareModels(): the second model is compiled and the first is not, so " +
    "their losses, optimizers and learning rates cannot be compared: compile the first model " +
    "first (as the code that trains it does), then compare";
  assertThrows(() => compareModels(uncompiled, twin), RangeError, message);
  assertThrows(() => compareModels(twin, uncompiled), RangeError, "the first model is compiled");
  // Compiled with another loss, it is refused for the loss.
  uncompiled.compile({ optimizer: tf.train.adam(1e-3), loss: "meanAbsoluteError" });
  assertThrows(
    () => compareModels(uncompiled, twin),
    RangeError,
    'compiled with the loss "meanAbsoluteError" and "meanSquaredError"',
  );
  // A network checked against a copy kept for another program, never trained in its place.
  const network = embeddingNet(sizes), kept = twin02();
  compareModels(network, kept, { training: false });
  assertThrows(() => compareModels(network, kept), RangeError, "the first is not");
  assertThrows(
    () => compareModels(network, kept, { training: "no" as unknown as boolean }),
    TypeError,
    "compareModels(): expected training to be true or false, found string",
  );
  assertThrows(
    () => compareModels(network, kept, { initializers: 0 as unknown as boolean }),
    TypeError,
    "compareModels(): expected initializers to be true or false",
  );
  [uncompiled, twin.model, network, kept.model].forEach((m) => m.dispose());
});

Deno.test("compareModels() ends every message of a difference with what it means for a notebook", () => {
  // Notebook 06's message named the missing weight and stopped there.
  const withBias = net02(),
    twin = buildModel("dot", {
      ...recipes.matrixFactorization.mf,
      ...encoders,
      factors,
      optimizer: { epsilonHat: false },
    });
  const shapes = assertThrows(() => compareModels(withBias, twin, { ids }), RangeError);
  assertIncludes(shapes.message, "has a [");
  assertEquals(shapes.message.endsWith(ADVICE), true, shapes.message);
  const other = kerasMf(sizes);
  other.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
  other.layers[2].setWeights([tf.ones(other.layers[2].getWeights()[0].shape)]);
  const predictions = assertThrows(
    () => compareModels(other, twin02({ factors }), { ids }),
    RangeError,
  );
  assertEquals(predictions.message.endsWith(ADVICE), true, predictions.message);
  [withBias, twin.model, other].forEach((m) => m.dispose());
});

Deno.test("compareModels() keeps the rate a model was compiled with through trainRanking()", async () => {
  const compiled = (rate: number) => {
    type S = tf.SymbolicTensor;
    const [user, movie] = [0, 1].map(() => tf.input({ shape: [1], dtype: "int32" }));
    const table = (rows: number, x: S) =>
      tf.layers.embedding({ inputDim: rows, outputDim: factors }).apply(x) as S;
    const dot = tf.layers.dot({ axes: -1 })
      .apply([table(sizes.users, user), table(sizes.movies, movie)]) as S;
    const out = tf.layers.flatten().apply(dot) as S;
    const model = tf.model({ inputs: [user, movie], outputs: out });
    model.compile({ optimizer: adam({ learningRate: rate }), loss: softmaxLoss });
    return model;
  };
  const trained = recommender(compiled(0.05), encoders), same = compiled(0.05);
  await trainRanking(trained, ratings, { epochs: 1, learningRate: 0.01, verbose: 0 });
  compareModels(trained, same, { ids });
  assertThrows(() => compareModels(trained, compiled(0.01), { ids }), RangeError, "0.05 (first");
  [trained.model, same].forEach((m) => m.dispose());
});
