/**
 * The options of `buildModel(kind, options)`, every one optional, with the defaults of each
 * kind. A recipe (see `recipes.ts`) is a set of these options plus its training schedule.
 *
 * @module
 */

import type { IdEncoder } from "../data/encoder.ts";
import type { DataFrame } from "../_validate.ts";
import type { ScheduleSpec } from "./_engine.ts";
import type { Catalog, InitializerSpec, LossName, OptimizerSettings } from "./recommender.ts";

/** Options of {@linkcode buildModel}. Per-kind defaults are given as `kind: value`. */
export interface ModelOptions {
  /**
   * Training ratings (userId, movieId, rating): fits the encoders when they are not given, and
   * supplies the statistics some kinds need (rating range, mean, classes, popularity).
   * @default {undefined}
   */
  ratings?: DataFrame;
  /**
   * User id encoder (else fitted on `ratings`, sorted ids).
   * @default {undefined}
   */
  users?: IdEncoder;
  /**
   * Movie id encoder (else fitted on `ratings`, sorted ids).
   * @default {undefined}
   */
  movies?: IdEncoder;
  /**
   * Movies (movieId, title, genres[, year]) for titles in recommendations and analysis.
   * @default {undefined}
   */
  catalog?: DataFrame | Catalog;
  /**
   * Embedding size. dlrm: 8, hybrid: 64, classifier: 16, others: 50.
   * @default {50}
   */
  factors?: number;
  /**
   * L2 coefficient on the user and movie embeddings (whole matrix, every batch, as Keras).
   * @default {0}
   */
  l2?: number;
  /**
   * L2 coefficient on the bias embeddings.
   * @default {0}
   */
  biasL2?: number;
  /**
   * Initializer of the embeddings (Keras' default is uniform ±0.05).
   * @default {"randomUniform"}
   */
  initializer?: InitializerSpec;
  /**
   * Initializer of the bias embeddings.
   * @default {"randomUniform"}
   */
  biasInitializer?: InitializerSpec;
  /**
   * dot, dot-bias, bce: one fused layer (`EmbeddingDotBias`: the same model as one op with its
   * own gradient, several times faster to train) instead of the stock layers a Keras tutorial
   * writes (embeddings, dot, add, sigmoid, rescaling). Same seed, same initial weights.
   * @default {false}
   */
  fused?: boolean;
  /**
   * Sigmoid output range in stars, or `"data"` for the min..max of `ratings`. Allowed for dot,
   * dot-bias, mlp and hybrid.
   * @default {null}
   */
  yRange?: [number, number] | "data" | null;
  /**
   * Hidden dense sizes. mlp: [64], dlrm: [32, 4], hybrid: [64, 64], classifier: [128, 128].
   * @default {[64]}
   */
  hidden?: number[];
  /**
   * Dropout on the concatenated embeddings (before the metadata, for the hybrid).
   * @default {0}
   */
  inputDropout?: number;
  /**
   * Dropout after each hidden layer: one rate for all, or one per layer.
   * @default {0}
   */
  dropout?: number | number[];
  /**
   * Activation of the hidden layers.
   * @default {"relu"}
   */
  activation?: string;
  /**
   * Initializer of the dense kernels.
   * @default {"glorotUniform"}
   */
  kernelInitializer?: InitializerSpec;
  /**
   * Units of the output layer (concat kinds; the classifier uses the number of classes).
   * Only the lab's buggy deep model sets it to 2.
   * @default {1}
   */
  outputUnits?: number;
  /**
   * Activation of the output layer (concat kinds; the classifier always uses softmax).
   * @default {"linear"}
   */
  outputActivation?: string;
  /**
   * Loss (`mse`, `mae`, `bce` or a tfjs name). bce: binaryCrossentropy, classifier:
   * sparseCategoricalCrossentropy, others: meanSquaredError.
   * @default {"meanSquaredError"}
   */
  loss?: LossName | "mse" | "mae" | "bce";
  /**
   * Metrics reported while training. dlrm: ["mae"].
   * @default {[]}
   */
  metrics?: string[];
  /**
   * Adam learning rate (the base rate of `schedule`, if any).
   * @default {0.001}
   */
  learningRate?: number;
  /**
   * A learning-rate schedule `train()` runs when it is given no `learningRate` (a recipe's
   * `fit.schedule` phases are taken as `{ type: "steps", phases }`).
   * @default {null}
   */
  schedule?: ScheduleSpec | null;
  /**
   * Weight decay of the engine's Adam: coupled (`"l2"`, as PyTorch's `weight_decay`) or
   * `"decoupled"` (AdamW).
   * @default {{ weightDecay: 0, decay: "none" }}
   */
  optimizer?: Partial<Omit<OptimizerSettings, "stock">>;
  /**
   * Seed of every initializer (and the default seed of `train()`).
   * @default {the seed of setRandomSeed(), else 42}
   */
  seed?: number;
  /**
   * bce: the rating range mapped to 0..1 (else the min..max of `ratings`).
   * @default {undefined}
   */
  ratingRange?: [number, number];
  /**
   * dlrm: the mean subtracted from the target (else the mean of `ratings`).
   * @default {undefined}
   */
  targetMean?: number;
  /**
   * classifier: the rating values, one class each (else the distinct values of `ratings`).
   * @default {undefined}
   */
  classes?: number[];
  /**
   * classifier: decode the softmax as the expected rating or the most likely class.
   * @default {"expected"}
   */
  decode?: "expected" | "argmax";
  /**
   * hybrid: metadata columns. `popularity` (ratings per movie in `ratings`) and `year` (from
   * the catalogue; a missing year takes the median) are derived; any other column must be in
   * `metadata`.
   * @default {["popularity", "year"]}
   */
  metadataColumns?: string[];
  /**
   * hybrid: a table with movieId and metadata columns (overrides the derived ones).
   * @default {undefined}
   */
  metadata?: DataFrame;
  /**
   * hybrid: fit the quantile scaler on one row per movie, or one row per rating (as the
   * explicit-feedback lab, which weights movies by popularity).
   * @default {"movies"}
   */
  metadataFitOn?: "movies" | "ratings";
  /**
   * hybrid: number of quantiles of the scaler.
   * @default {1000}
   */
  quantiles?: number;
}
