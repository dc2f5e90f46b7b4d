/**
 * Named recipes reproducing each tutorial's model exactly (layer sizes, initialisers,
 * regularisers, loss, optimizer) plus its training schedule, grouped by the notebook that
 * mirrors the tutorial (`recipes.matrixFactorization` for `01_matrix_factorization`, …), so
 * training one on a random split of ml-latest-small is
 *
 * ```ts ignore
 * const ml = await loadMovieLens();
 * const { train: trainSet, test: val } = randomSplit(ml.ratings, { testFraction: 0.1, seed: 42 });
 * const r = recipes.embeddingNet.net;
 * // Encoders fitted on every rating: a random split leaves some movies (and users) in the
 * // validation part only, and buildModel() would fit its encoders on the training part alone.
 * const encoders = fitEncoders(ml.ratings);
 * const rec = buildModel(r.kind, { ...r, ratings: trainSet, ...encoders, catalog: ml.movies });
 * await train(rec, trainSet, { ...r.fit, validation: val }); // fit.schedule: buildModel read it
 * ```
 *
 * (`test/models/recipes_test.ts` runs this example as written, for one epoch.)
 *
 * Differences from the tutorials are deliberate and documented on each recipe (e.g. the keras.io
 * example's `tensordot` bug is not reproduced). Also here: the explicit-feedback lab's deep
 * model with its four deliberate bugs ({@linkcode LAB_DEEP_MODEL_BUGS}), as a teaching fixture,
 * next to its fix.
 *
 * @module
 */

import type { ModelOptions } from "./build.ts";
import type { ModelKind } from "./recommender.ts";

/** A tutorial's training schedule. */
export interface RecipeFit {
  /** Total epochs (the sum of `schedule` when there is one). */
  epochs: number;
  /** Batch size. */
  batchSize: number;
  /** Learning-rate phases run one after the other (the Keras MF tutorial lowers it by hand). */
  schedule?: { learningRate: number; epochs: number }[];
  /** Fraction of the training rows held out for validation, when the tutorial does that. */
  validation?: number;
  /** Early stopping as the tutorial sets it. */
  earlyStopping?: { monitor: string; patience: number; minDelta: number };
  /** Whether the tutorial keeps the best validation epoch's weights. */
  keepBestWeights?: boolean;
}

/** A model recipe: a kind, its options, the training schedule and a sentence on its origin. */
export interface Recipe extends ModelOptions {
  /** Model kind for {@linkcode buildModel}. */
  kind: ModelKind;
  /** Which tutorial model this is and how it differs, if at all. */
  description: string;
  /** The tutorial's training schedule. */
  fit: RecipeFit;
}

/** One deliberate bug of an exercise model and its fix. */
export interface ModelBug {
  /** What the buggy model does. */
  bug: string;
  /** The fix. */
  fix: string;
  /** Why the bug is critical. */
  why: string;
}

/**
 * The four deliberate bugs of the explicit-feedback lab's `DeepRegressionModel` exercise
 * (`recipes.explicitFeedbackLab.deepBuggy`) and their fixes
 * (`recipes.explicitFeedbackLab.deep`).
 */
export const LAB_DEEP_MODEL_BUGS: readonly ModelBug[] = [
  {
    bug: "Dropout(0.99) on the concatenated embeddings",
    fix: "Dropout(0.5)",
    why: "99% of the inputs are zeroed at every step, so the dense layers see almost no signal " +
      "and the embeddings get almost no gradient.",
  },
  {
    bug: "Dense(2) output layer",
    fix: "Dense(1)",
    why: "A rating is one number; two units give two predictions per pair, and the loss " +
      "compares both with the same target.",
  },
  {
    bug: "tanh output activation",
    fix: "linear output (no activation)",
    why: "tanh confines predictions to [−1, 1], while ratings lie in 1–5: the error can never " +
      "fall below about 2.5 stars on average.",
  },
  {
    bug: "binary_crossentropy loss",
    fix: "mean absolute (or squared) error",
    why: "Cross-entropy is for probabilities of 0/1 labels; with targets of 1–5 it is " +
      "unbounded below and rewards pushing outputs to the clip limits, not towards the rating.",
  },
];

/**
 * Recipes by tutorial. Keras defaults are spelled out: embeddings uniform ±0.05
 * (`randomUniform`), dense kernels `glorotUniform`, Adam 1e-3.
 */
export const recipes = {
  /**
   * Notebook 01 (`01_matrix_factorization`): the Keras 2 tutorial "Recommender systems on the
   * Movielens dataset" — matrix factorisation, biased MF and a small NN on ml-latest-small.
   */
  matrixFactorization: {
    mf: {
      kind: "dot",
      description:
        "Model A of the Keras MF tutorial: 50-factor dot product, L2 1e-4 on both embeddings, " +
        "MSE, Adam 1e-3 for 5 epochs then 1e-4 for 3 (the tutorial's `model.optimizer.lr = …` " +
        "may not have changed the rate in Keras 2; here it does).",
      factors: 50,
      l2: 1e-4,
      initializer: "randomUniform",
      loss: "meanSquaredError",
      learningRate: 1e-3,
      fit: {
        epochs: 8,
        batchSize: 64,
        schedule: [{ learningRate: 1e-3, epochs: 5 }, { learningRate: 1e-4, epochs: 3 }],
      },
    },
    biasedMf: {
      kind: "dot-bias",
      description:
        "Model B of the Keras MF tutorial: model A plus unregularised user and movie biases; 40 " +
        "epochs with the rate lowered by hand from 1e-3 to 1e-5.",
      factors: 50,
      l2: 1e-4,
      biasL2: 0,
      initializer: "randomUniform",
      biasInitializer: "randomUniform",
      loss: "meanSquaredError",
      learningRate: 1e-3,
      fit: {
        epochs: 40,
        batchSize: 64,
        schedule: [
          { learningRate: 1e-3, epochs: 10 },
          { learningRate: 1e-4, epochs: 10 },
          { learningRate: 5e-5, epochs: 10 },
          { learningRate: 1e-5, epochs: 10 },
        ],
      },
    },
    nn: {
      kind: "mlp",
      description:
        "Model C of the Keras MF tutorial: 50-factor embeddings (L2 1e-4) → concat → dropout 0.3 " +
        "→ dense 70 relu → dropout 0.75 → dense 1.",
      factors: 50,
      l2: 1e-4,
      initializer: "randomUniform",
      inputDropout: 0.3,
      hidden: [70],
      dropout: [0.75],
      activation: "relu",
      kernelInitializer: "glorotUniform",
      loss: "meanSquaredError",
      learningRate: 1e-3,
      fit: { epochs: 10, batchSize: 64 },
    },
  },
  /** Notebook 02 (`02_embedding_net`): a PyTorch blog post's fastai-style EmbeddingNet, ml-100k. */
  embeddingNet: {
    net: {
      kind: "dot-bias",
      description:
        "The blog post's EmbeddingNet: 50 factors and biases initialised N(0, 1) (PyTorch's " +
        "default), sigmoid range 0–5.5, MSE, Adam with coupled weight decay 3e-4. The post sets " +
        "lr 3e-3, but its LinearLR(start_factor=0.5) halves it at construction and is never " +
        "stepped, so it trained at 1.5e-3; the recipe uses what ran. Best validation epoch kept.",
      factors: 50,
      initializer: { name: "randomNormal", mean: 0, stddev: 1 },
      biasInitializer: { name: "randomNormal", mean: 0, stddev: 1 },
      yRange: [0, 5.5],
      loss: "meanSquaredError",
      learningRate: 1.5e-3,
      optimizer: { weightDecay: 3e-4, decay: "l2" },
      fit: { epochs: 30, batchSize: 100, keepBestWeights: true },
    },
  },
  /**
   * Notebook 03 (`03_keras_collaborative_filtering`): tf.keras RecommenderV1, V2 and
   * RecommenderNet, then the keras.io example's RecommenderNetV2.
   */
  kerasCollaborativeFiltering: {
    recommenderV1: {
      kind: "dot",
      description: "RecommenderV1: 50 factors, he_normal, L2 1e-6, MSE.",
      factors: 50,
      l2: 1e-6,
      initializer: "heNormal",
      loss: "meanSquaredError",
      learningRate: 1e-3,
      fit: { epochs: 5, batchSize: 64 },
    },
    recommenderV2: {
      kind: "dot-bias",
      description:
        "RecommenderV2: V1 plus biases (also he_normal, L2 1e-6) and a sigmoid scaled to the " +
        "data's min..max rating.",
      factors: 50,
      l2: 1e-6,
      biasL2: 1e-6,
      initializer: "heNormal",
      biasInitializer: "heNormal",
      yRange: "data",
      loss: "meanSquaredError",
      learningRate: 1e-3,
      fit: { epochs: 5, batchSize: 64 },
    },
    recommenderNet: {
      kind: "mlp",
      description:
        "RecommenderNet: he_normal embeddings (L2 1e-6) → concat → dropout 0.05 → dense 10 relu " +
        "→ dropout 0.5 → dense 1 → sigmoid scaled to min..max.",
      factors: 50,
      l2: 1e-6,
      initializer: "heNormal",
      inputDropout: 0.05,
      hidden: [10],
      dropout: [0.5],
      activation: "relu",
      kernelInitializer: "heNormal",
      yRange: "data",
      loss: "meanSquaredError",
      learningRate: 1e-3,
      fit: { epochs: 5, batchSize: 64 },
    },
    recommenderNetV2: {
      kind: "bce",
      description:
        "RecommenderNetV2 (keras.io): he_normal embeddings (L2 1e-6), default-init unregularised " +
        "biases, sigmoid, binary cross-entropy on ratings scaled to 0–1. Uses a per-row dot " +
        "product: the tutorial's tensordot(u, m, 2) summed over the whole batch (keras-io issue " +
        "#397).",
      factors: 50,
      l2: 1e-6,
      biasL2: 0,
      initializer: "heNormal",
      biasInitializer: "randomUniform",
      loss: "binaryCrossentropy",
      learningRate: 1e-3,
      fit: { epochs: 5, batchSize: 64 },
    },
  },
  /**
   * Notebook 04 (`04_explicit_feedback_lab`): the course lab "Explicit Feedback Neural
   * Recommender Systems" on ml-100k.
   */
  explicitFeedbackLab: {
    regression: {
      kind: "dot",
      description:
        "The lab's RegressionModel: 64-d embeddings, default init, no regularisation, plain dot " +
        "product, MAE loss.",
      factors: 64,
      initializer: "randomUniform",
      loss: "meanAbsoluteError",
      learningRate: 1e-3,
      fit: { epochs: 10, batchSize: 64, validation: 0.1 },
    },
    deepBuggy: {
      kind: "mlp",
      description:
        "The lab's DeepRegressionModel exercise, bugs kept on purpose (see LAB_DEEP_MODEL_BUGS): " +
        "dropout 0.99, dense 64 relu, Dense(2, tanh), binary cross-entropy.",
      factors: 64,
      initializer: "randomUniform",
      inputDropout: 0.99,
      hidden: [64],
      dropout: [0],
      activation: "relu",
      outputUnits: 2,
      outputActivation: "tanh",
      loss: "binaryCrossentropy",
      learningRate: 1e-3,
      fit: { epochs: 10, batchSize: 64, validation: 0.1 },
    },
    deep: {
      kind: "mlp",
      description:
        "The lab's DeepRegressionModel, fixed: dropout 0.5 → dense 64 relu → dropout 0.5 (as the " +
        "reference solution) → Dense(1) linear, MAE loss.",
      factors: 64,
      initializer: "randomUniform",
      inputDropout: 0.5,
      hidden: [64],
      dropout: [0.5],
      activation: "relu",
      loss: "meanAbsoluteError",
      learningRate: 1e-3,
      fit: { epochs: 10, batchSize: 64, validation: 0.1 },
    },
    hybrid: {
      kind: "hybrid",
      description:
        "The lab's HybridModel: 64-d embeddings with dropout 0.3, concat with quantile-scaled " +
        "popularity and release year, dense 64 relu, dropout 0.3, dense 64 relu, dropout 0.3, " +
        "dense 1, MAE. The scaler is fitted on rating rows as in the lab, but popularity is " +
        "counted on the training ratings only (the lab leaks the test set).",
      factors: 64,
      initializer: "randomUniform",
      inputDropout: 0.3,
      hidden: [64, 64],
      dropout: [0.3, 0.3],
      activation: "relu",
      metadataColumns: ["popularity", "year"],
      metadataFitOn: "ratings",
      quantiles: 1000,
      loss: "meanAbsoluteError",
      learningRate: 1e-3,
      fit: { epochs: 10, batchSize: 64, validation: 0.1 },
    },
    classifier: {
      kind: "classifier",
      description:
        "The lab's home assignment: ratings 1–5 as 5 classes, 16-d embeddings, dropout 0.5 on " +
        "their concatenation → dense 128 relu → dropout 0.2 → dense 128 relu → softmax, sparse " +
        "categorical cross-entropy (the lab's reference solution file, " +
        "solutions/classification.py, which its text loads without showing); predictions are " +
        "the expected rating.",
      factors: 16,
      initializer: "randomUniform",
      inputDropout: 0.5,
      hidden: [128, 128],
      dropout: [0.2, 0],
      activation: "relu",
      classes: [1, 2, 3, 4, 5],
      decode: "expected",
      loss: "sparseCategoricalCrossentropy",
      learningRate: 1e-3,
      fit: { epochs: 15, batchSize: 64, validation: 0.1 },
    },
  },
  /** Notebook 05 (`05_dlrm_mlp`): the "DLRM-with-Keras" README on ml-latest-small (2018). */
  dlrmMlp: {
    dlrm: {
      kind: "dlrm",
      description:
        "The DLRM README: 8-d user and movie embeddings → concat → dense 32 relu → dense 4 relu " +
        "→ dense 1 linear on the rating minus the training mean; MSE with MAE as a metric; batch " +
        "500, up to 20 epochs, 15% validation, early stopping on validation MAE with patience 0 " +
        "(as the README; patience 2–3 with best weights kept is kinder).",
      factors: 8,
      initializer: "randomUniform",
      hidden: [32, 4],
      dropout: [0, 0],
      activation: "relu",
      kernelInitializer: "glorotUniform",
      loss: "meanSquaredError",
      metrics: ["mae"],
      learningRate: 1e-3,
      fit: {
        epochs: 20,
        batchSize: 500,
        validation: 0.15,
        earlyStopping: { monitor: "val_mae", patience: 0, minDelta: 0 },
        keepBestWeights: false,
      },
    },
    classifier: {
      kind: "classifier",
      description:
        "The DLRM README's further thought: the same network with a softmax over the 10 " +
        "half-star values (0.5–5) instead of a linear output; predictions are the expected " +
        "rating.",
      factors: 8,
      initializer: "randomUniform",
      hidden: [32, 4],
      dropout: [0, 0],
      activation: "relu",
      classes: [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5],
      decode: "expected",
      loss: "sparseCategoricalCrossentropy",
      learningRate: 1e-3,
      fit: { epochs: 20, batchSize: 500, validation: 0.15 },
    },
  },
} satisfies Record<string, Record<string, Recipe>>;
