/**
 * Tensor-leak checks of the models' public API: every call that makes tfjs tensors, made again
 * and again as a teacher re-runs a cell, leaves the tensor count where it was, beyond what it
 * documents as returned (a model, freed by `disposeRecommender`; tensors the caller owns).
 * `dispose_test.ts` checks that `disposeRecommender` frees a trained model of every kind;
 * `persist_test.ts` and `over_seeds_test.ts` check loading and training over seeds.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { fitEncoders, randomSplit } from "../../lib/data/mod.ts";
import { evaluateRanking, rankingTask, topKMovies } from "../../lib/eval/mod.ts";
import {
  buildModel,
  buildTensordotBugModel,
  compareModels,
  compileModel,
  disposeRecommender,
  MODEL_KINDS,
  type ModelKind,
  movieBiases,
  movieEmbeddings,
  parameterTable,
  predict,
  predictRatings,
  rankingNetwork,
  rankingRecipes,
  rankingScorer,
  ratingRange,
  recommend,
  type Recommender,
  recommender,
  saveRecommender,
  topKForUsers,
  train,
  trainingTensors,
  trainRanking,
  userBiases,
  userEmbeddings,
} from "../../lib/models/mod.ts";
import { bprLoss, setupBackend } from "../../lib/train/mod.ts";
import { dotBiasContextCount } from "../../lib/train/kernels/dot_bias.ts";
import { assertLeavesNoTensors, tensorsLeftBy } from "../_tensor_count.ts";
import { movieId, syntheticMovies, syntheticRatings, userId } from "./_fixtures.ts";

const ratings = syntheticRatings({ users: 10, movies: 12, perUser: 8 });
const catalog = syntheticMovies(12);
const encoders = fitEncoders(ratings);
const split = randomSplit(ratings, { testFraction: 0.25, seed: 1 });
const BACKENDS = ["cpu", "wasm"] as const;
const quiet = { batchSize: 16, verbose: 0 } as const;

/** A small model of `kind` (hidden layers where the kind has them). */
function build(kind: ModelKind, seed = 42): Recommender {
  const concat = kind === "mlp" || kind === "dlrm" || kind === "hybrid" || kind === "classifier";
  return buildModel(kind, { ratings, catalog, factors: 3, hidden: concat ? [4] : undefined, seed });
}

/** A trained model of `kind`: its optimizer's moments exist, as in a notebook after training. */
async function trained(kind: ModelKind): Promise<Recommender> {
  const rec = build(kind);
  await train(rec, ratings, { epochs: 1, ...quiet });
  return rec;
}

/** A `rankingNetwork()` of a recipe, wrapped with the encoders. */
const rankingModel = (recipe: keyof typeof rankingRecipes) =>
  recommender(rankingNetwork(rankingRecipes[recipe], encoders, 1), encoders);

for (const backend of BACKENDS) {
  Deno.test(`predict(), predictRatings(), recommend(), topKForUsers(), the embedding and bias tables and parameterTable() leave no tensor behind, for every kind (${backend})`, async () => {
    await setupBackend({ backend });
    for (const kind of MODEL_KINDS) {
      const rec = await trained(kind);
      try {
        const calls: [string, () => unknown][] = [
          ["predict()", () => predict(rec, userId(0), movieId(1))],
          ["predictRatings()", () => predictRatings(rec, ratings, { batchSize: 7 })],
          ["recommend()", () => recommend(rec, userId(0), { k: 3, exclude: ratings })],
          [
            "recommend() falling back",
            () => recommend(rec, 5, { k: 3, exclude: ratings, fallback: "popularity" }),
          ],
          ["topKForUsers()", () => topKForUsers(rec, [userId(1), userId(2)], { k: 2 })],
          ["movieEmbeddings()", () => movieEmbeddings(rec, { ids: [movieId(2)] })],
          ["userEmbeddings()", () => userEmbeddings(rec)],
          ["parameterTable()", () => parameterTable(rec)],
        ];
        if (kind === "dot-bias" || kind === "bce") {
          calls.push(["movieBiases()", () => movieBiases(rec)]);
          calls.push(["userBiases()", () => userBiases(rec)]);
        }
        for (const [what, f] of calls) await assertLeavesNoTensors(`${what} of ${kind}`, f);
        await assertLeavesNoTensors(`predictRatings() of ${kind} with an unknown id`, () => {
          assertThrows(() => predictRatings(rec, { userIds: [1], movieIds: [movieId(0)] }));
        });
      } finally {
        disposeRecommender(rec);
      }
    }
  });

  Deno.test(`train() again — with validation ratings, a validation fraction, early stopping — leaves the tensor count as it was, for every kind (${backend})`, async () => {
    await setupBackend({ backend });
    for (const kind of MODEL_KINDS) {
      const rec = await trained(kind);
      try {
        await assertLeavesNoTensors(`train() of ${kind} again`, async () => {
          await train(rec, split.train, { epochs: 2, ...quiet, validation: split.test });
          await train(rec, ratings, {
            epochs: 3,
            ...quiet,
            validation: 0.25,
            earlyStopping: true,
            keepBestWeights: true,
          });
        }, 2);
      } finally {
        disposeRecommender(rec);
      }
    }
    assertEquals(dotBiasContextCount(), 0);
  });

  Deno.test(`compileModel() on a trained model frees the optimizer it replaces (${backend})`, async () => {
    await setupBackend({ backend });
    // Before the fix, each recompile kept the old Adam's two moments per weight: 8 tensors
    // for dot-bias (four tables), 12 for this mlp (two tables, two dense layers).
    for (const kind of ["dot-bias", "mlp"] as const) {
      const rec = await trained(kind);
      try {
        await assertLeavesNoTensors(
          `compileModel() of a trained ${kind}, then train()`,
          async () => {
            compileModel(rec, { learningRate: 0.01 });
            await train(rec, ratings, { epochs: 1, ...quiet });
          },
        );
      } finally {
        disposeRecommender(rec);
      }
    }
  });

  Deno.test(`trainRanking() again leaves the tensor count as it was, and disposeRecommender() frees a trained rankingNetwork(), for each ranking recipe (${backend})`, async () => {
    await setupBackend({ backend });
    for (const recipe of ["softmax", "bpr", "squared"] as const) {
      const options = { epochs: 2, batchUsers: 4, l2: 0.01, verbose: 0 as const };
      const negatives = recipe === "bpr" ? 2 : 0;
      const start = tf.memory().numTensors;
      const rec = rankingModel(recipe);
      await trainRanking(rec, ratings, { ...options, negatives });
      await assertLeavesNoTensors(
        `trainRanking() of ${recipe} again`,
        () => trainRanking(rec, ratings, { ...options, negatives }),
        2,
      );
      disposeRecommender(rec);
      assertEquals(tf.memory().numTensors, start, `${recipe}: left after disposeRecommender()`);
    }
  });

  Deno.test(`trainRanking() whose loss fails leaves no tensor behind: BPR without negatives, a loss that is not a scalar, a loss that throws (${backend})`, async () => {
    await setupBackend({ backend });
    const rec = rankingModel("softmax");
    try {
      await trainRanking(rec, ratings, { epochs: 1, verbose: 0 }); // makes Adam's moments
      // Before the fix, each failed call kept what the gradient tape had saved of the forward
      // pass: 9 tensors (11 for the two other losses) on this model.
      await assertLeavesNoTensors("trainRanking() with BPR and no negatives", () =>
        assertRejects(
          () => trainRanking(rec, ratings, { loss: bprLoss, verbose: 0 }),
          RangeError,
          "no negatives are sampled",
        ));
      await assertLeavesNoTensors(
        "trainRanking() with a loss that is not a scalar",
        () =>
          assertRejects(
            () => trainRanking(rec, ratings, { loss: (p, s) => tf.mul(p, s), verbose: 0 }),
            TypeError,
            "expected the loss to return a scalar tensor",
          ),
      );
      await assertLeavesNoTensors("trainRanking() with a loss that throws", () =>
        assertRejects(
          () =>
            trainRanking(rec, ratings, {
              loss: (p, s) => {
                tf.mul(p, s);
                throw new Error("a typo in the loss");
              },
              verbose: 0,
            }),
          Error,
          "a typo in the loss",
        ));
      // The model still trains, on the same tensors.
      await assertLeavesNoTensors(
        "trainRanking() after the failures",
        () => trainRanking(rec, ratings, { epochs: 1, verbose: 0 }),
        1,
      );
    } finally {
      disposeRecommender(rec);
    }
  });
}

Deno.test("rankingScorer() of a dot-product and of a rating model, and evaluateRanking() and topKMovies() with it, leave no tensor behind", async () => {
  await setupBackend({ backend: "wasm" });
  const task = rankingTask(split.train, split.test, encoders);
  const dot = rankingModel("softmax"), mlp = build("mlp");
  try {
    for (const [name, rec] of [["a rankingNetwork()", dot], ["an mlp", mlp]] as const) {
      await assertLeavesNoTensors(`rankingScorer() of ${name}`, () => {
        const scores = rankingScorer(rec, { task, batchPairs: 5 })(Int32Array.of(0, 3, 9));
        assertEquals(scores.length, 3 * encoders.movies.size);
      });
      await assertLeavesNoTensors(`evaluateRanking() and topKMovies() with ${name}`, () => {
        evaluateRanking(task, rankingScorer(rec, { task }), { k: 3 });
        topKMovies(task, rankingScorer(rec), { k: 2, batchUsers: 4 });
      });
    }
  } finally {
    disposeRecommender(dot);
    disposeRecommender(mlp);
  }
});

Deno.test("compareModels() leaves no tensor behind, whether the models agree, differ or refuse the inputs", async () => {
  await setupBackend({ backend: "wasm" });
  const a = build("dot-bias"), b = build("dot-bias", 7), mlp = build("mlp");
  const wide = buildModel("dot-bias", { ratings, factors: 3, yRange: [-100, 100] });
  const oneInput = () =>
    tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 12, outputDim: 3, inputLength: 1 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1 }),
      ],
    });
  const [c, d] = [oneInput(), oneInput()];
  try {
    await assertLeavesNoTensors(
      "compareModels() of twins",
      () => compareModels(a, b, { pairs: 20 }),
    );
    await assertLeavesNoTensors(
      "compareModels() of models whose weights differ",
      () => assertThrows(() => compareModels(a, mlp), RangeError, "has a [10, 1] weight"),
    );
    await assertLeavesNoTensors(
      "compareModels() of models whose predictions differ",
      () => assertThrows(() => compareModels(a, wide), RangeError, "the predictions differ by"),
    );
    // Before the fix, the two input tensors stayed behind when a model refused them.
    await assertLeavesNoTensors(
      "compareModels() of models that take one input",
      () => assertThrows(() => compareModels(c, d, { ids: [[0, 1], [1, 2]] })),
    );
  } finally {
    [a, b, mlp, wide].forEach(disposeRecommender);
    c.dispose();
    d.dispose();
  }
});

Deno.test("saveRecommender() leaves no tensor behind", async () => {
  await setupBackend({ backend: "wasm" });
  const rec = await trained("mlp");
  const dir = await Deno.makeTempDir();
  try {
    await assertLeavesNoTensors("saveRecommender()", () => saveRecommender(rec, `${dir}/m`));
  } finally {
    disposeRecommender(rec);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildTensordotBugModel() trained and used is freed completely by disposeRecommender()", async () => {
  await setupBackend({ backend: "wasm" });
  await assertLeavesNoTensors("buildTensordotBugModel() … disposeRecommender()", async () => {
    const rec = buildTensordotBugModel({ ratings, factors: 3 });
    await train(rec, ratings, { epochs: 1, ...quiet });
    predictRatings(rec, ratings);
    disposeRecommender(rec);
  }, 2);
});

Deno.test("trainingTensors() makes exactly the three tensors it returns, which the caller frees", async () => {
  await setupBackend({ backend: "wasm" });
  const rec = build("dot");
  try {
    let made: tf.Tensor[] = [];
    assertEquals(
      await tensorsLeftBy(() => {
        const { x, y } = trainingTensors(rec, ratings);
        made = [...x, y];
      }),
      3,
    );
    assertEquals(await tensorsLeftBy(() => tf.dispose(made)), -3);
  } finally {
    disposeRecommender(rec);
  }
});

Deno.test("a ratingRange() layer keeps nothing but its output", async () => {
  await setupBackend({ backend: "wasm" });
  const layer = ratingRange({ low: 0.5, high: 5 });
  const x = tf.tensor2d([[-1], [0], [2]]);
  try {
    await assertLeavesNoTensors(
      "RatingRange.apply()",
      () => (layer.apply(x) as tf.Tensor).dispose(),
    );
  } finally {
    x.dispose();
  }
});
