import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertLess, assertNotEquals, assertThrows } from "@std/assert";
import { fitEncoders } from "../../lib/data/mod.ts";
import {
  buildModel,
  compareModels,
  FUSED_KINDS,
  MODEL_KINDS,
  type ModelKind,
  type ModelOptions,
  optimizerFrom,
  recipes,
  recommender,
  train,
} from "../../lib/models/mod.ts";
import { setupBackend } from "../../lib/train/backend.ts";
import { adam, FusedAdam } from "../../lib/train/optimizer.ts";
import { scheduledAdam } from "../../lib/train/schedule.ts";
import {
  dlrmMlp,
  embeddingNet,
  kerasBiasedMf,
  kerasMf,
  kerasNn,
  notebookHybridModel,
  ratingClassifier,
  recommenderNet,
  recommenderNetV2,
  recommenderV2,
} from "./_notebook_models.ts";
import { syntheticMovies, syntheticRatings } from "./_fixtures.ts";

await setupBackend();
const ratings = syntheticRatings({ scale: "whole" });
const encoders = fitEncoders(ratings);
const factors = 4;
const sizes = { users: encoders.users.size, movies: encoders.movies.size, factors };
const base = { ...encoders, factors };

const disposeAll = (...models: tf.LayersModel[]) => models.forEach((m) => m.dispose());
/** Model A's twin as the notebooks build it: the recipe's Adam places ε as Keras does, and the
 * notebooks compile with tf.train.adam, which places it after the bias correction. */
const mfTwin = () =>
  buildModel("dot", {
    ...recipes.matrixFactorization.mf,
    ...base,
    optimizer: { epsilonHat: false },
  });
const column = (table: ReturnType<typeof compareModels>, name: string) =>
  table.getColumn(name).toArray() as (number | string | null)[];
/** `model`, compiled as `twin` is (the notebooks compile theirs before the twin check). */
const compiledAs = (model: tf.LayersModel, twin: { model: tf.LayersModel }) => {
  const config = (twin as unknown as { config: Parameters<typeof optimizerFrom>[0] }).config;
  model.compile({ optimizer: optimizerFrom(config), loss: config.loss });
  return model;
};

/** Each kind: a model written as a notebook writes it, and the options of its twin. */
const twins: [ModelKind, string, () => tf.LayersModel, ModelOptions][] = [
  ["dot", "Keras MF (model A)", () => kerasMf(sizes), {
    ...recipes.matrixFactorization.mf,
    ...base,
  }],
  ["dot-bias", "Keras biased MF (model B)", () => kerasBiasedMf(sizes), {
    ...recipes.matrixFactorization.biasedMf,
    ...base,
  }],
  ["dot-bias", "RecommenderV2", () => recommenderV2(sizes, [1, 5]), {
    ...recipes.kerasCollaborativeFiltering.recommenderV2,
    ...base,
    yRange: [1, 5],
  }],
  ["dot-bias", "EmbeddingNet", () => embeddingNet(sizes), { ...recipes.embeddingNet.net, ...base }],
  ["bce", "RecommenderNetV2", () => recommenderNetV2(sizes), {
    ...recipes.kerasCollaborativeFiltering.recommenderNetV2,
    ...base,
    ratingRange: [1, 5],
  }],
  ["mlp", "Keras NN (model C)", () => kerasNn(sizes), {
    ...recipes.matrixFactorization.nn,
    ...base,
  }],
  ["mlp", "RecommenderNet", () => recommenderNet(sizes, [1, 5]), {
    ...recipes.kerasCollaborativeFiltering.recommenderNet,
    ...base,
    yRange: [1, 5],
  }],
  ["dlrm", "DLRM README", () => dlrmMlp(sizes), {
    ...recipes.dlrmMlp.dlrm,
    ...base,
    targetMean: 3.5,
  }],
  ["classifier", "the lab's classifier", () => ratingClassifier(sizes, 5), {
    ...recipes.explicitFeedbackLab.classifier,
    ...base,
  }],
];

for (const [kind, name, write, options] of twins) {
  Deno.test(`compareModels() finds ${name} written with stock layers the same as its buildModel("${kind}") twin`, () => {
    const twin = buildModel(kind, options);
    const model = compiledAs(write(), twin);
    const table = compareModels(model, twin);
    assertEquals(column(table, "params (a)"), column(table, "params (b)"));
    assertEquals(column(table, "params (a)").at(-1), model.countParams());
    assertLess(column(table, "max |Δ prediction|").at(-1) as number, 1e-5);
    disposeAll(model, twin.model);
  });
}

Deno.test("the lab's classifier recipe puts its dropouts where the reference solution does", () => {
  // Dropout has no weights and is off when predicting, so compareModels() cannot see its place.
  const stack = (m: tf.LayersModel) =>
    m.layers.flatMap((l) => {
      const c = l.getConfig();
      if (l.getClassName() === "Dropout") return [`dropout ${c.rate}`];
      return l.getClassName() === "Dense" ? [`dense ${c.units}`] : [];
    });
  const twin = buildModel("classifier", { ...recipes.explicitFeedbackLab.classifier, ...base });
  const model = ratingClassifier(sizes, 5);
  assertEquals(stack(twin.model), [
    "dropout 0.5",
    "dense 128",
    "dropout 0.2",
    "dense 128",
    "dense 5",
  ]);
  assertEquals(stack(twin.model), stack(model));
  disposeAll(model, twin.model);
});

Deno.test("compareModels() refuses a twin that predicts alike but trains differently: a reader's edits", () => {
  // Each edit keeps the shapes and the predictions (dropout and penalties are off when
  // predicting), so without this check the edited model passed for its library twin, and a
  // notebook that trains the twin in its place (03's seed repeats) trained another model.
  type S = tf.SymbolicTensor;
  const edited = (edit: string) => {
    const user = tf.input({ shape: [1], dtype: "int32" });
    const movie = tf.input({ shape: [1], dtype: "int32" });
    const table = (rows: number, ids: S) =>
      tf.layers.embedding({
        inputDim: rows,
        outputDim: factors,
        embeddingsRegularizer: tf.regularizers.l2({ l2: edit === "other L2" ? 1e-3 : 1e-4 }),
        embeddingsConstraint: edit === "constraint"
          ? tf.constraints.nonNeg()
          : edit.startsWith("maxNorm")
          ? tf.constraints.maxNorm({ maxValue: Number(edit.split(" ")[1]) })
          : undefined,
        trainable: !(edit === "frozen" && rows === sizes.movies),
      }).apply(ids) as S;
    let u = table(sizes.users, user);
    if (edit === "dropout") u = tf.layers.dropout({ rate: 0.3 }).apply(u) as S;
    const dot = tf.layers.dot({ axes: -1 }).apply([u, table(sizes.movies, movie)]) as S;
    const model = tf.model({ inputs: [user, movie], outputs: tf.layers.flatten().apply(dot) as S });
    const loss = edit === "loss" ? "meanAbsoluteError" : "meanSquaredError";
    const optimizer = edit === "Keras' Adam"
      ? adam({ learningRate: 1e-3 })
      : edit === "SGD"
      ? tf.train.sgd(1e-3)
      : tf.train.adam(1e-3);
    model.compile({ optimizer, loss });
    return model;
  };
  const twinOf = mfTwin;
  const same = twinOf(), asWritten = edited("none");
  compareModels(asWritten, same); // the notebook's model A, compiled as the recipe is
  disposeAll(asWritten, same.model);
  const refused: [string, string][] = [
    ["other L2", "first model is L2 0.001, its counterpart user_embedding in the second L2 0.0001"],
    ["constraint", "first model is L2 0.0001, constraint NonNeg"],
    ["frozen", "is frozen, L2 0.0001, its counterpart movie_embedding in the second L2 0.0001"],
    [
      "dropout",
      "act only in training are [Dropout 0.3 on embedding_Embedding",
    ],
    ["loss", 'compiled with the loss "meanAbsoluteError" and "meanSquaredError"'],
    [
      "Keras' Adam",
      "their compiled optimizers differ in epsilonHat true (first model) and epsilonHat false (second)",
    ],
    [
      "SGD",
      "compiled with the optimizers SGD and Adam (weightDecay 0, decay none, beta1 0.9, " +
      "beta2 0.999, epsilon 1e-7, epsilonHat false)",
    ],
  ];
  for (const [edit, message] of refused) {
    const model = edited(edit), twin = twinOf();
    const ids: [number[], number[]] = [[0, 1, 2], [0, 1, 2]]; // a frozen table is not found
    assertThrows(() => compareModels(model, twin, { ids }), RangeError, message);
    disposeAll(model, twin.model);
  }
  // A constraint's settings count, not only its kind.
  const ids: [number[], number[]] = [[0, 1, 2], [0, 1, 2]];
  const [tight, loose, loose2] = [edited("maxNorm 0.1"), edited("maxNorm 5"), edited("maxNorm 5")];
  compareModels(loose, loose2, { ids });
  assertThrows(
    () => compareModels(tight, loose, { ids }),
    RangeError,
    'constraint MaxNorm {"maxValue":0.1,"axis":0}, its counterpart',
  );
  disposeAll(tight, loose, loose2);
});

Deno.test("compareModels() finds the lab's HybridModel written with stock layers the same as its twin", () => {
  const options = { ...recipes.explicitFeedbackLab.hybrid, ...base, ratings };
  const twin = buildModel("hybrid", { ...options, catalog: syntheticMovies() });
  const metadata = twin.model.getLayer("movie_metadata").getWeights()[0] as tf.Tensor2D;
  const model = compiledAs(notebookHybridModel(sizes, metadata), twin);
  const table = compareModels(model, twin);
  assertEquals(column(table, "params (a)").at(-1), twin.model.countParams());
  assertEquals(column(table, "max |Δ prediction|").at(-1), 0);
  disposeAll(model, twin.model);
});

Deno.test("buildModel() writes every kind with stock tfjs layers, and the dot kinds fused on request", () => {
  const stock = new Set([
    "InputLayer",
    "Embedding",
    "Flatten",
    "Dot",
    "Add",
    "Activation",
    "Rescaling",
    "Concatenate",
    "Dropout",
    "Dense",
  ]);
  for (const kind of MODEL_KINDS) {
    const rec = buildModel(kind, { ratings, catalog: syntheticMovies(), factors, yRange: null });
    for (const layer of rec.model.layers) {
      assert(stock.has(layer.getClassName()), `${kind}: ${layer.getClassName()}`);
    }
    rec.model.dispose();
  }
  for (const kind of FUSED_KINDS) {
    const rec = buildModel(kind, { ratings, factors, fused: true });
    assertEquals(rec.model.layers.map((l) => l.getClassName()), [
      "InputLayer",
      "InputLayer",
      "EmbeddingDotBias",
    ]);
    assertEquals(rec.config.fused, true);
    rec.model.dispose();
  }
});

Deno.test("the fused and the stock dot kinds start from the same weights for a seed and predict the same", () => {
  const cases: [ModelKind, ModelOptions][] = [
    ["dot", { ...recipes.kerasCollaborativeFiltering.recommenderV1, ...base }],
    ["dot-bias", { ...recipes.embeddingNet.net, ...base }],
    ["dot-bias", { ...recipes.kerasCollaborativeFiltering.recommenderV2, ...base, ratings }],
    ["bce", { ...recipes.kerasCollaborativeFiltering.recommenderNetV2, ...base, ratings }],
  ];
  for (const [kind, options] of cases) {
    const stock = buildModel(kind, { ...options, seed: 5 });
    const fused = buildModel(kind, { ...options, seed: 5, fused: true });
    const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    assertEquals(values(stock.model), values(fused.model), kind);
    const table = compareModels(stock, fused, { pairs: 200 });
    assertLess(column(table, "max |Δ prediction|").at(-1) as number, 1e-5, kind);
    assertEquals(column(table, "layer (b)").slice(0, 4), [
      "embedding_dot_bias/user_factors",
      "embedding_dot_bias/movie_factors",
      ...(kind === "dot" ? ["total"] : ["embedding_dot_bias/user_bias"]),
      ...(kind === "dot" ? [] : ["embedding_dot_bias/movie_bias"]),
    ]);
    disposeAll(stock.model, fused.model);
  }
});

Deno.test("compareModels() copies the first model's weights into the second", () => {
  const a = buildModel("mlp", { ...base, seed: 1 }), b = buildModel("mlp", { ...base, seed: 2 });
  const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
  assertNotEquals(values(a.model), values(b.model));
  compareModels(a, b.model, { ids: [[0, 1, 2], [3, 4, 5]] });
  assertEquals(values(a.model), values(b.model));
  disposeAll(a.model, b.model);
});

Deno.test("compareModels() names the first layer whose weights have no counterpart", () => {
  const dot = buildModel("dot", base), dotBias = buildModel("dot-bias", base);
  const wider = buildModel("dot", { ...base, factors: 5 });
  assertThrows(
    () => compareModels(dot, wider),
    RangeError,
    `layer user_embedding of the first model has a [${sizes.users}, 4] weight and the second model has none of that shape`,
  );
  assertThrows(
    () => compareModels(dot, dotBias),
    RangeError,
    "layer user_bias of the second model",
  );
  disposeAll(dot.model, dotBias.model, wider.model);
});

Deno.test("compareModels() throws when the same weights give other predictions, unless within tolerance", () => {
  const plain = buildModel("dot-bias", base);
  const ranged = buildModel("dot-bias", { ...base, yRange: [0, 5.5] });
  assertThrows(
    () => compareModels(plain, ranged),
    RangeError,
    "with the same weights the predictions differ by",
  );
  const table = compareModels(plain, ranged, { tolerance: 10 });
  assert((column(table, "max |Δ prediction|").at(-1) as number) > 0);
  disposeAll(plain.model, ranged.model);
});

Deno.test("compareModels() rejects what is not a model and ids that do not pair up", () => {
  const rec = buildModel("dot", base);
  assertThrows(() => compareModels({} as never, rec), TypeError, "expected a to be a tfjs");
  assertThrows(
    () => compareModels(rec, rec, { ids: [[0, 1], [0]] }),
    RangeError,
    "expected as many movies as users",
  );
  assertThrows(
    () => compareModels(rec, rec, { tolerance: -1 }),
    RangeError,
    "expected tolerance to be a finite number >= 0",
  );
  for (const seed of [-1, 2 ** 32, 1.5]) { // they drew the pairs of 2³² − 1, 0 and 1
    assertThrows(
      () => compareModels(rec, rec, { seed }),
      RangeError,
      `compareModels(): expected seed to be an integer in [0, 4294967295], found ${seed}`,
    );
  }
  rec.model.dispose();
});

Deno.test("buildModel() refuses fused for kinds with hidden layers and a fused that is not a boolean", () => {
  assertThrows(
    () => buildModel("mlp", { ...base, fused: true }),
    TypeError,
    'fused applies to kinds dot, dot-bias, bce, not to "mlp"',
  );
  assertThrows(
    () => buildModel("dot", { ...base, fused: "yes" as unknown as boolean }),
    TypeError,
    "expected fused to be true or false",
  );
});

Deno.test("compareModels() sees a dropout inside a nested tower", () => {
  // The check read the top-level layers only: a dropout of 0.9 inside a tf.sequential user
  // tower passed for the same model without it.
  type S = tf.SymbolicTensor;
  const towered = (rate: number | null) => {
    const user = tf.input({ shape: [1], dtype: "int32" });
    const movie = tf.input({ shape: [1], dtype: "int32" });
    const tower = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: sizes.users, outputDim: factors, inputShape: [1] }),
        tf.layers.flatten(),
        ...(rate === null ? [] : [tf.layers.dropout({ rate })]),
      ],
    });
    const movies = tf.layers.flatten().apply(
      tf.layers.embedding({ inputDim: sizes.movies, outputDim: factors }).apply(movie),
    ) as S;
    const dot = tf.layers.dot({ axes: -1 }).apply([tower.apply(user) as S, movies]) as S;
    const model = tf.model({ inputs: [user, movie], outputs: dot });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
    return model;
  };
  const ids: [number[], number[]] = [[0, 1, 2], [0, 1, 2]];
  const [plain, plain2, dropped] = [towered(null), towered(null), towered(0.9)];
  compareModels(plain, plain2, { ids });
  // The dropout acts on the tower's embedding, named as the first model's layer inside it.
  const message = (name: string) => `[Dropout 0.9 on ${name}]`;
  const towerOf = (m: tf.LayersModel) =>
    (m.layers.find((l) => l.getClassName() === "Sequential") as tf.Sequential).layers[0].name;
  assertThrows(
    () => compareModels(dropped, plain, { ids }),
    RangeError,
    message(towerOf(dropped)),
  );
  assertThrows(
    () => compareModels(plain, dropped, { ids }),
    RangeError,
    message(towerOf(plain)),
  );
  disposeAll(plain, plain2, dropped);
});

Deno.test("compareModels() counts the dropouts and sees what each acts on", () => {
  // Kinds and rates alone let a reader move the MLP's dropout from the embeddings to the hidden
  // layer, or add a second one, and still pass for the twin.
  type S = tf.SymbolicTensor;
  const on = (layer: tf.layers.Layer, x: S | S[]) => layer.apply(x) as S;
  const drop = (x: S) => on(tf.layers.dropout({ rate: 0.2 }), x);
  const mlp = (variant: string) => {
    const user = tf.input({ shape: [1], dtype: "int32" });
    const movie = tf.input({ shape: [1], dtype: "int32" });
    const table = (rows: number, ids: S) =>
      on(tf.layers.flatten(), on(tf.layers.embedding({ inputDim: rows, outputDim: factors }), ids));
    let [u, m] = [table(sizes.users, user), table(sizes.movies, movie)];
    if (variant === "on each part") [u, m] = [drop(u), drop(m)];
    let x = on(tf.layers.concatenate(), [u, m]);
    if (["on the concatenation", "twice"].includes(variant)) x = drop(x);
    if (variant === "twice") x = drop(x);
    const sigmoid = variant.includes("sigmoid");
    const activation = variant === "separate ReLU" || sigmoid ? "linear" : "relu";
    x = on(tf.layers.dense({ units: 8, activation }), x);
    if (variant === "dropout, then sigmoid") x = drop(x);
    if (variant === "separate ReLU") x = on(tf.layers.activation({ activation: "relu" }), x);
    if (sigmoid) x = on(tf.layers.activation({ activation: "sigmoid" }), x);
    if (["after the hidden layer", "separate ReLU", "sigmoid, then dropout"].includes(variant)) {
      x = drop(x);
    }
    const y = on(tf.layers.dense({ units: 1 }), x);
    return tf.model({ inputs: [user, movie], outputs: y });
  };
  const ids: [number[], number[]] = [[0, 1, 2], [0, 1, 2]];
  const check = (a: string, b: string) => {
    const [ma, mb] = [mlp(a), mlp(b)];
    try {
      return compareModels(ma, mb, { ids });
    } finally {
      disposeAll(ma, mb);
    }
  };
  // The same model written two ways: a dropout of the concatenation is one on each part, and
  // a dropout after a ReLU layer is one after the dense layer with that activation.
  check("on the concatenation", "on each part");
  check("on each part", "on the concatenation");
  check("after the hidden layer", "separate ReLU");
  const refused: [string, string, string][] = [
    ["on the concatenation", "after the hidden layer", "[Dropout 0.2 on dense_Dense"],
    ["on the concatenation", "twice", "Dropout 0.2 on Dropout(embedding_Embedding"],
    ["on the concatenation", "none", "in the first model and [] in the second"],
    ["dropout, then sigmoid", "sigmoid, then dropout", "Dropout 0.2 on sigmoid(dense_Dense"],
  ];
  for (const [a, b, message] of refused) {
    assertThrows(() => check(a, b), RangeError, message, `${a} / ${b}`);
  }
  // The message names both models' places in the first model's layer names.
  const error = assertThrows(() => check("on each part", "after the hidden layer"), RangeError);
  const [first, second] = [...error.message.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]);
  assertEquals(first.split("; ").length, 2);
  assertEquals(second.split("; ").length, 1);
  assert(second.startsWith("Dropout 0.2 on dense_Dense"), second);
});

Deno.test("compareModels() keeps an activation that changes what a dropout or noise does, and places layers inside a tower", () => {
  type S = tf.SymbolicTensor;
  const on = (layer: tf.layers.Layer, x: S) => layer.apply(x) as S;
  const ids: [number[], number[]] = [[0, 1, 2], [0, 1, 2]];
  /** Embeddings → `middle` → dense(1). */
  const model = (middle: (x: S) => S) => {
    const user = tf.input({ shape: [1], dtype: "int32" });
    const movie = tf.input({ shape: [1], dtype: "int32" });
    const table = (rows: number, ids: S) =>
      on(tf.layers.flatten(), on(tf.layers.embedding({ inputDim: rows, outputDim: factors }), ids));
    const x = tf.layers.concatenate().apply([table(sizes.users, user), table(sizes.movies, movie)]);
    const y = on(tf.layers.dense({ units: 1 }), middle(x as S));
    return tf.model({ inputs: [user, movie], outputs: y });
  };
  /** A dense layer of 8 with `activation`, then `after`. */
  const net = (activation: "linear" | "sigmoid" | "relu", after: (x: S) => S) =>
    model((x) => after(on(tf.layers.dense({ units: 8, activation }), x)));
  const drop = (x: S) => on(tf.layers.dropout({ rate: 0.5 }), x);
  const noise = (x: S) => on(tf.layers.gaussianNoise({ stddev: 0.1 }), x);
  const act = (activation: "sigmoid" | "relu") => (x: S) =>
    on(tf.layers.activation({ activation }), x);
  const check = (a: tf.LayersModel, b: tf.LayersModel) => {
    try {
      return compareModels(a, b, { ids });
    } finally {
      disposeAll(a, b);
    }
  };
  // A sigmoid inside the dense layer, then a dropout: the same as a separate sigmoid layer then
  // the dropout, not as the dropout then the sigmoid (a dropped unit gives 0.5, not 0).
  check(net("sigmoid", drop), net("linear", (x) => drop(act("sigmoid")(x))));
  assertThrows(
    () => check(net("sigmoid", drop), net("linear", (x) => act("sigmoid")(drop(x)))),
    RangeError,
    "[Dropout 0.5 on sigmoid(dense_Dense",
  );
  // A ReLU commutes with a dropout, not with Gaussian noise.
  check(net("relu", drop), net("linear", (x) => act("relu")(drop(x))));
  assertThrows(
    () => check(net("relu", noise), net("linear", (x) => act("relu")(noise(x)))),
    RangeError,
    "[GaussianNoise 0.1 on relu(dense_Dense",
  );
  // Inside a tower each dense layer has its own name: a dropout between the tower's two dense
  // layers is not one after the tower (both were "on" the tower).
  const towerNet = (between: boolean) =>
    model((x) => {
      const dense = () => tf.layers.dense({ units: 8, inputShape: [8] });
      const layers = between
        ? [dense(), tf.layers.dropout({ rate: 0.5 }), dense()]
        : [dense(), dense()];
      const out = on(tf.sequential({ layers }), x);
      return between ? out : drop(out);
    });
  check(towerNet(true), towerNet(true));
  assertThrows(() => check(towerNet(true), towerNet(false)), RangeError, "act only in training");
});

Deno.test("compareModels() compares the update rule and the rate each model was compiled with, not the rate of the moment", async () => {
  await setupBackend({ backend: "cpu" });
  const ids: [number[], number[]] = [[0, 1, 2], [0, 1, 2]];
  const stock = (optimizer: tf.Optimizer) => {
    const model = kerasMf(sizes);
    model.compile({ optimizer, loss: "meanSquaredError" });
    return model;
  };
  const twinOf = mfTwin;
  // Trained, the stock model's tf.train.adam has become the engine's Adam at a rate lowered by
  // hand, as notebook 01 does: compiled at the twin's rate, so a twin check run again (as
  // --run-all-twice does after the rate was lowered) still passes.
  const trained = recommender(stock(tf.train.adam(1e-3)), encoders);
  await train(trained, ratings, { epochs: 1, verbose: 0 });
  await train(trained, ratings, { epochs: 1, learningRate: 1e-4, verbose: 0 });
  assert(trained.model.optimizer instanceof FusedAdam);
  assertEquals((trained.model.optimizer as FusedAdam).learningRate, 1e-4);
  const fresh = twinOf();
  compareModels(trained, fresh, { ids });
  // The rate it was compiled with counts: notebook 03's model compiled at 0.02 while its seed
  // repeats trained the recipe's twin at 1e-3 (passed before).
  const faster = stock(tf.train.adam(2e-2)), twin = twinOf();
  assertThrows(
    () => compareModels(faster, twin, { ids }),
    RangeError,
    "compiled with the learning rates 0.02 (first model) and 0.001 (second). In a notebook " +
      "this means that the library's twin, which later cells may train in this model's place, " +
      "follows its options rather than the edited code: change the twin's options in the check " +
      "cell to match the edit, or undo the edit.",
  );
  // Trained at another rate than it was compiled with, the model keeps its compiled rate.
  const lowered = recommender(stock(tf.train.adam(2e-2)), encoders);
  await train(lowered, ratings, { epochs: 1, learningRate: 1e-3, verbose: 0 });
  assertThrows(() => compareModels(lowered, twinOf(), { ids }), RangeError, "rates 0.02 (first");
  // A schedule starting at the twin's rate, and a coupled weight decay of 0 (the same updates
  // as none).
  const others = [
    stock(scheduledAdam((step) => 1e-3 / (1 + step), { epsilonHat: false })),
    stock(adam({ learningRate: 1e-3, weightDecay: 0, decay: "l2" })),
  ];
  for (const model of others) compareModels(model, twinOf(), { ids });
  disposeAll(faster, twin.model, lowered.model);
  // A weight decay is part of the rule.
  const decayed = stock(adam({ learningRate: 1e-3, weightDecay: 1e-4, decay: "l2" }));
  assertThrows(
    () => compareModels(decayed, twinOf(), { ids }),
    RangeError,
    "differ in weightDecay 0.0001, decay l2 (first model) and weightDecay 0, decay none (second)",
  );
  disposeAll(trained.model, fresh.model, decayed, ...others);
});

Deno.test("compareModels() names each setting of the update rule that differs, a stock optimizer's too", () => {
  const ids: [number[], number[]] = [[0, 1, 2], [0, 1, 2]];
  const stock = (optimizer: tf.Optimizer) => {
    const model = kerasMf(sizes);
    model.compile({ optimizer, loss: "meanSquaredError" });
    return model;
  };
  // tf.train.adam's betas and ε are its update rule: PyTorch's ε (1e-8) is not the twin's.
  const refused: [tf.Optimizer, string][] = [
    [tf.train.adam(1e-3, 0.5), "differ in beta1 0.5 (first model) and beta1 0.9 (second)"],
    [tf.train.adam(1e-3, 0.9, 0.99), "differ in beta2 0.99 (first model) and beta2 0.999 (second)"],
    [
      tf.train.adam(1e-3, 0.9, 0.999, 1e-8),
      "differ in epsilon 1e-8 (first model) and epsilon 1e-7 (second)",
    ],
  ];
  for (const [optimizer, message] of refused) {
    const model = stock(optimizer), twin = mfTwin();
    assertThrows(() => compareModels(model, twin, { ids }), RangeError, message);
    disposeAll(model, twin.model);
  }
  // A stock optimizer: its config counts, and so does its learning rate.
  const [slow, fast, light, slow2] = [
    stock(tf.train.momentum(1e-3, 0.9)),
    stock(tf.train.momentum(1e-2, 0.9)),
    stock(tf.train.momentum(1e-3, 0.5)),
    stock(tf.train.momentum(1e-3, 0.9)),
  ];
  compareModels(slow, slow2, { ids });
  assertThrows(() => compareModels(slow, fast, { ids }), RangeError, "rates 0.001 (first");
  assertThrows(
    () => compareModels(slow, light, { ids }),
    RangeError,
    "differ in momentum 0.9 (first model) and momentum 0.5 (second)",
  );
  disposeAll(slow, fast, light, slow2);
});
