import { assert, assertEquals, assertGreater } from "@std/assert";
import { IdEncoder } from "../../lib/data/encoder.ts";
import { fitEncoders, loadMovieLens, randomSplit } from "../../lib/data/mod.ts";
import {
  buildModel,
  disposeRecommender,
  LAB_DEEP_MODEL_BUGS,
  type Recipe,
  recipes,
  type Recommender,
  train,
} from "../../lib/models/mod.ts";
import { setupBackend } from "../../lib/train/backend.ts";
import { syntheticMovies, syntheticRatings } from "./_fixtures.ts";

await setupBackend();

const all: [string, Recipe][] = Object.entries(recipes).flatMap(([notebook, group]) =>
  Object.entries(group as Record<string, Recipe>).map((
    [name, r],
  ): [string, Recipe] => [`${notebook}.${name}`, r])
);

// Notebooks that go beyond the tutorials: they have no tutorial recipe to reproduce.
const BEYOND_TUTORIALS = ["fromRatingsToRankings"];

Deno.test("recipes are grouped under the names of the notebooks that mirror their tutorials", () => {
  const notebooks = [...Deno.readDirSync(new URL("../../notebooks/", import.meta.url))]
    .map((e) => e.name)
    .filter((name) => /^\d\d_.*\.ipynb$/.test(name))
    .sort()
    .map((name) =>
      name.replace(/^\d\d_|\.ipynb$/g, "").replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
    )
    .filter((name) => !BEYOND_TUTORIALS.includes(name));
  assertEquals(notebooks.length, 5);
  assertEquals(Object.keys(recipes), notebooks);
});

Deno.test("every recipe builds its kind with a description and a training schedule", () => {
  const ratings = syntheticRatings({ scale: "whole" });
  assertEquals(all.length, 15);
  for (const [name, r] of all) {
    const classes = r.kind === "classifier" ? { classes: [1, 2, 3, 4, 5] } : {};
    const rec = buildModel(r.kind, { ...r, ...classes, ratings, catalog: syntheticMovies() });
    assertEquals(rec.kind, r.kind, name);
    assertGreater(r.description.length, 20, name);
    const phases = r.fit.schedule?.reduce((s, p) => s + p.epochs, 0) ?? r.fit.epochs;
    assertEquals(phases, r.fit.epochs, name);
    rec.model.dispose();
  }
});

Deno.test("recipes reproduce the tutorials' parameter counts on the tutorials' data sizes", () => {
  const enc = (n: number, name: string) =>
    IdEncoder.fit(Array.from({ length: n }, (_, i) => i), { name });
  const count = (r: Recipe, users: number, movies: number, extra = {}) => {
    const rec = buildModel(r.kind, {
      ...r,
      users: enc(users, "user"),
      movies: enc(movies, "movie"),
      ...extra,
    });
    const n = rec.model.countParams();
    rec.model.dispose();
    return n;
  };
  assertEquals(count(recipes.matrixFactorization.mf, 671, 9066), 486_850);
  assertEquals(count(recipes.matrixFactorization.biasedMf, 671, 9066), 496_587);
  assertEquals(count(recipes.matrixFactorization.nn, 671, 9066), 493_991);
  assertEquals(count(recipes.kerasCollaborativeFiltering.recommenderV1, 610, 9724), 516_700);
  assertEquals(
    count(recipes.kerasCollaborativeFiltering.recommenderV2, 610, 9724, { yRange: [0.5, 5] }),
    527_034,
  );
  assertEquals(
    count(recipes.kerasCollaborativeFiltering.recommenderNet, 610, 9724, { yRange: [0.5, 5] }),
    517_721,
  );
  assertEquals(
    count(recipes.kerasCollaborativeFiltering.recommenderNetV2, 610, 9724, {
      ratingRange: [0.5, 5],
    }),
    527_034,
  );
  // The lab sizes its tables max id + 1 (944 × 64 + 1683 × 64 = 168,128); contiguous ids drop the unused row 0.
  assertEquals(count(recipes.explicitFeedbackLab.regression, 943, 1682), 168_128 - 2 * 64);
  assertEquals(count(recipes.embeddingNet.net, 943, 1682), (943 + 1682) * 51);
  assertEquals(count(recipes.dlrmMlp.dlrm, 610, 9724, { targetMean: 3.5 }), 83_353);
});

Deno.test("recipes carry the tutorials' initialisers, ranges and optimizers", () => {
  const ratings = syntheticRatings();
  const v2 =
    buildModel("dot-bias", { ...recipes.kerasCollaborativeFiltering.recommenderV2, ratings })
      .config;
  const r = ratings.getColumn("rating").toArray() as number[];
  assertEquals(v2.yRange, [Math.min(...r), Math.max(...r)]);
  assertEquals(v2.initializer, "heNormal");
  const net = buildModel("dot-bias", { ...recipes.embeddingNet.net, ratings }).config;
  assertEquals(net.yRange, [0, 5.5]);
  assertEquals(net.optimizer, { weightDecay: 3e-4, decay: "l2" });
  assertEquals(net.initializer, { name: "randomNormal", mean: 0, stddev: 1 });
  const dlrm = buildModel("dlrm", { ...recipes.dlrmMlp.dlrm, ratings }).config;
  assertEquals([dlrm.factors, dlrm.hidden, dlrm.metrics], [8, [32, 4], ["mae"]]);
  assert(recipes.dlrmMlp.classifier.classes.length === 10);
});

Deno.test("recipes keep the tutorials' regularisation, dropout, classes, rates and training lengths", () => {
  // As each recipe's description (and the tutorial it names) gives them.
  const want: Record<string, Record<string, unknown>> = {
    "matrixFactorization.mf": {
      l2: 1e-4,
      learningRate: 1e-3,
      fit: {
        epochs: 8,
        batchSize: 64,
        schedule: [{ learningRate: 1e-3, epochs: 5 }, { learningRate: 1e-4, epochs: 3 }],
      },
    },
    "matrixFactorization.biasedMf": {
      l2: 1e-4,
      biasL2: 0,
      learningRate: 1e-3,
      fit: {
        epochs: 40,
        batchSize: 64,
        schedule: [{ learningRate: 1e-3, epochs: 10 }, { learningRate: 1e-4, epochs: 10 }, {
          learningRate: 5e-5,
          epochs: 10,
        }, { learningRate: 1e-5, epochs: 10 }],
      },
    },
    "matrixFactorization.nn": {
      l2: 1e-4,
      learningRate: 1e-3,
      inputDropout: 0.3,
      dropout: [0.75],
      fit: { epochs: 10, batchSize: 64 },
    },
    "embeddingNet.net": {
      learningRate: 1.5e-3,
      fit: { epochs: 30, batchSize: 100, keepBestWeights: true },
    },
    "kerasCollaborativeFiltering.recommenderV1": {
      l2: 1e-6,
      learningRate: 1e-3,
      fit: { epochs: 5, batchSize: 64 },
    },
    "kerasCollaborativeFiltering.recommenderV2": {
      l2: 1e-6,
      biasL2: 1e-6,
      learningRate: 1e-3,
      fit: { epochs: 5, batchSize: 64 },
    },
    "kerasCollaborativeFiltering.recommenderNet": {
      l2: 1e-6,
      learningRate: 1e-3,
      inputDropout: 0.05,
      dropout: [0.5],
      fit: { epochs: 5, batchSize: 64 },
    },
    "kerasCollaborativeFiltering.recommenderNetV2": {
      l2: 1e-6,
      biasL2: 0,
      learningRate: 1e-3,
      fit: { epochs: 5, batchSize: 64 },
    },
    "explicitFeedbackLab.regression": {
      learningRate: 1e-3,
      fit: { epochs: 10, batchSize: 64, validation: 0.1 },
    },
    "explicitFeedbackLab.deepBuggy": {
      learningRate: 1e-3,
      inputDropout: 0.99,
      dropout: [0],
      outputUnits: 2,
      fit: { epochs: 10, batchSize: 64, validation: 0.1 },
    },
    "explicitFeedbackLab.deep": {
      learningRate: 1e-3,
      inputDropout: 0.5,
      dropout: [0.5],
      fit: { epochs: 10, batchSize: 64, validation: 0.1 },
    },
    "explicitFeedbackLab.hybrid": {
      learningRate: 1e-3,
      inputDropout: 0.3,
      dropout: [0.3, 0.3],
      fit: { epochs: 10, batchSize: 64, validation: 0.1 },
    },
    "explicitFeedbackLab.classifier": {
      learningRate: 1e-3,
      inputDropout: 0.5,
      dropout: [0.2, 0],
      classes: [1, 2, 3, 4, 5],
      fit: { epochs: 15, batchSize: 64, validation: 0.1 },
    },
    "dlrmMlp.dlrm": {
      learningRate: 1e-3,
      dropout: [0, 0],
      fit: {
        epochs: 20,
        batchSize: 500,
        validation: 0.15,
        earlyStopping: { monitor: "val_mae", patience: 0, minDelta: 0 },
        keepBestWeights: false,
      },
    },
    "dlrmMlp.classifier": {
      learningRate: 1e-3,
      dropout: [0, 0],
      classes: [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5],
      fit: { epochs: 20, batchSize: 500, validation: 0.15 },
    },
  };
  const keys = [
    "l2",
    "biasL2",
    "learningRate",
    "inputDropout",
    "dropout",
    "classes",
    "outputUnits",
    "fit",
  ];
  const got: Record<string, Record<string, unknown>> = {};
  for (const [group, byName] of Object.entries(recipes)) {
    for (const [name, recipe] of Object.entries(byName)) {
      const fields = recipe as Record<string, unknown>;
      got[`${group}.${name}`] = Object.fromEntries(
        keys.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]]),
      );
    }
  }
  assertEquals(got, want);
});

Deno.test("LAB_DEEP_MODEL_BUGS names the buggy lab recipe's own dropout, output layer and loss", () => {
  const buggy = recipes.explicitFeedbackLab.deepBuggy;
  const bugs = LAB_DEEP_MODEL_BUGS.map((b) => b.bug);
  assertEquals(bugs, [
    `Dropout(${buggy.inputDropout}) on the concatenated embeddings`,
    `Dense(${buggy.outputUnits}) output layer`,
    `${buggy.outputActivation} output activation`,
    "binary_crossentropy loss",
  ]);
  assertEquals(buggy.loss, "binaryCrossentropy");
});

Deno.test("the module doc's example trains a recipe on a random split of ml-latest-small as written", async () => {
  // It built the model on the training part alone, and train() then stopped at the first
  // validation movie the training part lacks ("unknown movie id 45635").
  const source = await Deno.readTextFile(new URL("../../lib/models/recipes.ts", import.meta.url));
  const block = source.match(/```ts ignore\n([\s\S]*?) \* ```/);
  assert(block, "the module doc has a ts example");
  const code = block[1].split("\n").map((line) => line.replace(/^ \* ?/, "")).join("\n");
  // The example as written, but for one epoch: a recipes object whose recipe runs one.
  const net = recipes.embeddingNet.net;
  const short = { ...recipes, embeddingNet: { net: { ...net, fit: { ...net.fit, epochs: 1 } } } };
  const names = { loadMovieLens, randomSplit, fitEncoders, buildModel, train, recipes: short };
  const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (
    ...values: unknown[]
  ) => Promise<unknown>;
  const run = new AsyncFunction(...Object.keys(names), `${code}\nreturn rec;`);
  const rec = await run(...Object.values(names)) as Recommender;
  assertEquals(rec.movies.size, 9724, "encoders fitted on every rating");
  disposeRecommender(rec);
});
