/**
 * One factory for every model kind, and one place that compiles them.
 *
 * - `dot`, `dot-bias`, `bce`: user and movie embeddings → dot product (+ biases) (→ sigmoid
 *   range), the fused `embeddingDotBias` layer;
 * - `mlp`, `dlrm`, `hybrid`, `classifier`: one "embeddings → concat → dropout/dense stack"
 *   builder with different options (the hybrid adds scaled movie metadata to the concat, the
 *   classifier ends in a softmax over the rating values).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { IdEncoder } from "../data/encoder.ts";
import { DEFAULT_SEED } from "../defaults.ts";
import { createRng, randomSeed, type Rng } from "../random.ts";
import { checkSchedule, type ScheduleSpec } from "../train/schedule.ts";
import {
  activationName,
  dataRange,
  nonNegative,
  OPTION_KEYS,
  positiveInt,
  rate,
  RECIPE_KEYS,
} from "./_checks.ts";
import { describe, isDataFrame, ratingColumns } from "../_validate.ts";
import { makeInitializer, makeL2, normaliseInitializer } from "./_init.ts";
import { buildMetadata } from "./_metadata.ts";
import { compileModel, lossName } from "./compile.ts";
import { embeddingDotBias } from "./embedding_dot_bias.ts";
import { ratingRange } from "./layers.ts";
import {
  type BuiltConfig,
  type Catalog,
  catalogFrom,
  type InitializerSpec,
  type LossName,
  MODEL_KINDS,
  type ModelKind,
  type OptimizerSettings,
  type Recommender,
  type TargetTransform,
} from "./recommender.ts";
import type { DataFrame } from "../_validate.ts";

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
   * Only the buggy seed-002 fixture sets it to 2.
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
   * seed-002 lab, which weights movies by popularity).
   * @default {"movies"}
   */
  metadataFitOn?: "movies" | "ratings";
  /**
   * hybrid: number of quantiles of the scaler.
   * @default {1000}
   */
  quantiles?: number;
}

const KIND_DEFAULTS: Record<ModelKind, { factors: number; hidden: number[] }> = {
  "dot": { factors: 50, hidden: [] },
  "dot-bias": { factors: 50, hidden: [] },
  "bce": { factors: 50, hidden: [] },
  "mlp": { factors: 50, hidden: [64] },
  "dlrm": { factors: 8, hidden: [32, 4] },
  "hybrid": { factors: 64, hidden: [64, 64] },
  "classifier": { factors: 16, hidden: [128, 128] },
};

const DOT_KINDS = new Set<ModelKind>(["dot", "dot-bias", "bce"]);
const RANGE_KINDS = new Set<ModelKind>(["dot", "dot-bias", "mlp", "hybrid"]);

/**
 * Throws a `TypeError` listing the known kinds unless `kind` is one of them.
 *
 * @param kind A candidate model kind.
 * @returns The kind, typed.
 * @example
 * ```ts
 * import { assertModelKind } from "./build.ts";
 * assertModelKind("dot-bias"); // "dot-bias"
 * ```
 */
export function assertModelKind(kind: unknown): ModelKind {
  if (typeof kind !== "string" || !(MODEL_KINDS as readonly string[]).includes(kind)) {
    throw new TypeError(
      `unknown model kind ${JSON.stringify(kind)} (known kinds: ${MODEL_KINDS.join(", ")})`,
    );
  }
  return kind as ModelKind;
}

interface Resolved {
  config: BuiltConfig;
  users: IdEncoder;
  movies: IdEncoder;
  catalog?: Catalog;
  movieCounts?: Int32Array;
  metadataValues?: Float32Array;
}

function resolve(kind: ModelKind, o: ModelOptions): Resolved {
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.has(key) && !RECIPE_KEYS.has(key)) {
      throw new TypeError(`buildModel(): unknown option "${key}"`);
    }
  }
  const recipeKind = (o as { kind?: unknown }).kind;
  if (recipeKind !== undefined && recipeKind !== kind) {
    throw new TypeError(
      `buildModel(): the options are a recipe for kind "${recipeKind}", but kind "${kind}" was asked for`,
    );
  }
  const where = "buildModel()";
  const data = o.ratings === undefined ? undefined : ratingColumns(o.ratings, where, true);
  const encoder = (given: unknown, name: "user" | "movie", ids?: Float64Array): IdEncoder => {
    if (given !== undefined) {
      if (!(given instanceof IdEncoder)) {
        throw new TypeError(
          `${where}: expected ${name}s to be an IdEncoder, found ${describe(given)}`,
        );
      }
      return given;
    }
    if (!ids) {
      throw new TypeError(
        `${where}: pass the ${name}s encoder or the training ratings to fit it (options.ratings)`,
      );
    }
    return IdEncoder.fit(ids, { name });
  };
  const users = encoder(o.users, "user", data?.userIds);
  const movies = encoder(o.movies, "movie", data?.movieIds);
  let movieCounts: Int32Array | undefined;
  if (data) {
    users.encode(data.userIds); // the ratings must fit the encoders
    movieCounts = new Int32Array(movies.size);
    for (const j of movies.encode(data.movieIds)) movieCounts[j]++;
  }
  let catalog: Catalog | undefined;
  if (o.catalog !== undefined) {
    if (o.catalog instanceof Map) catalog = o.catalog;
    else if (isDataFrame(o.catalog)) catalog = catalogFrom(o.catalog);
    else {
      throw new TypeError(
        `${where}: expected catalog to be a movies DataFrame or a Map, found ${
          describe(o.catalog)
        }`,
      );
    }
  }

  const defaults = KIND_DEFAULTS[kind];
  const factors = positiveInt(o.factors ?? defaults.factors, "factors");
  const seed = o.seed ?? randomSeed() ?? DEFAULT_SEED;
  if (!Number.isInteger(seed)) {
    throw new TypeError(`${where}: expected an integer seed, found ${seed}`);
  }
  const hidden = o.hidden ?? defaults.hidden;
  if (!Array.isArray(hidden)) {
    throw new TypeError(
      `${where}: expected hidden to be an array of sizes, found ${describe(hidden)}`,
    );
  }
  hidden.forEach((h, i) => positiveInt(h, `hidden[${i}]`));
  if (DOT_KINDS.has(kind) && o.hidden !== undefined && o.hidden.length > 0) {
    throw new TypeError(
      `${where}: kind "${kind}" has no hidden layers, found hidden=[${o.hidden}]`,
    );
  }
  const dropoutOpt = o.dropout ?? 0;
  const dropout = Array.isArray(dropoutOpt) ? dropoutOpt : hidden.map(() => dropoutOpt);
  if (dropout.length !== hidden.length) {
    throw new RangeError(
      `${where}: expected one dropout rate per hidden layer (${hidden.length}), found ${dropout.length}`,
    );
  }
  dropout.forEach((r, i) => rate(r, `dropout[${i}]`));

  let yRange: [number, number] | null = null;
  if (o.yRange !== undefined && o.yRange !== null) {
    if (!RANGE_KINDS.has(kind)) {
      throw new TypeError(
        `${where}: yRange does not apply to kind "${kind}" (only to ${
          [...RANGE_KINDS].join(", ")
        })`,
      );
    }
    yRange = o.yRange === "data" ? dataRange(data?.ratings, "yRange") : o.yRange;
    if (
      !Array.isArray(yRange) || yRange.length !== 2 || !Number.isFinite(yRange[0]) ||
      !Number.isFinite(yRange[1]) || !(yRange[0] < yRange[1])
    ) {
      throw new RangeError(
        `${where}: expected yRange [low, high] with low < high, found ${JSON.stringify(o.yRange)}`,
      );
    }
    yRange = [yRange[0], yRange[1]];
  }

  let target: TargetTransform = { type: "identity" };
  let outputUnits = positiveInt(o.outputUnits ?? 1, "outputUnits");
  let outputActivation = activationName(o.outputActivation ?? "linear", "outputActivation");
  if (kind === "bce") {
    const [min, max] = o.ratingRange ?? dataRange(data?.ratings, "ratingRange");
    if (!(Number.isFinite(min) && Number.isFinite(max) && min < max)) {
      throw new RangeError(
        `${where}: expected ratingRange [min, max] with min < max, found [${min}, ${max}]`,
      );
    }
    target = { type: "minmax", min, max };
  } else if (kind === "dlrm") {
    let mean = o.targetMean;
    if (mean === undefined) {
      if (!data) {
        throw new TypeError(`${where}: kind "dlrm" needs targetMean or the training ratings`);
      }
      mean = data.ratings.reduce((s, r) => s + r, 0) / data.ratings.length;
    }
    if (!Number.isFinite(mean)) {
      throw new RangeError(`${where}: expected a finite targetMean, found ${mean}`);
    }
    target = { type: "center", mean };
  } else if (kind === "classifier") {
    let values = o.classes;
    if (values === undefined) {
      if (!data) {
        throw new TypeError(`${where}: kind "classifier" needs classes or the training ratings`);
      }
      values = [...new Set(data.ratings)].sort((a, b) => a - b);
    }
    if (!Array.isArray(values) || values.length < 2 || values.some((v) => !Number.isFinite(v))) {
      throw new RangeError(
        `${where}: expected at least two finite class values, found ${JSON.stringify(values)}`,
      );
    }
    if (new Set(values).size !== values.length) {
      throw new RangeError(`${where}: duplicate class values in ${JSON.stringify(values)}`);
    }
    const decode = o.decode ?? "expected";
    if (decode !== "expected" && decode !== "argmax") {
      throw new TypeError(
        `${where}: expected decode "expected" or "argmax", found ${JSON.stringify(decode)}`,
      );
    }
    target = { type: "classes", values: [...values], decode };
    outputUnits = values.length;
    outputActivation = "softmax";
  }
  const defaultLoss: LossName = kind === "bce"
    ? "binaryCrossentropy"
    : kind === "classifier"
    ? "sparseCategoricalCrossentropy"
    : "meanSquaredError";
  const optimizer: OptimizerSettings = {
    ...o.optimizer,
    weightDecay: nonNegative(o.optimizer?.weightDecay ?? 0, "optimizer.weightDecay"),
    decay: o.optimizer?.decay ?? (o.optimizer?.weightDecay ? "l2" : "none"),
  };
  if (!["none", "l2", "decoupled"].includes(optimizer.decay)) {
    throw new TypeError(
      `${where}: expected optimizer.decay none, l2 or decoupled, found ${optimizer.decay}`,
    );
  }
  const learningRate = o.learningRate ?? 1e-3;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new RangeError(`${where}: expected learningRate > 0, found ${learningRate}`);
  }
  const phases = (o as { fit?: { schedule?: { learningRate: number; epochs: number }[] } }).fit
    ?.schedule;
  const schedule: ScheduleSpec | null = o.schedule ?? (phases ? { type: "steps", phases } : null);
  const config: BuiltConfig = {
    kind,
    factors,
    l2: nonNegative(o.l2 ?? 0, "l2"),
    biasL2: nonNegative(o.biasL2 ?? 0, "biasL2"),
    initializer: normaliseInitializer(o.initializer ?? "randomUniform", where),
    biasInitializer: normaliseInitializer(o.biasInitializer ?? "randomUniform", where),
    yRange,
    hidden: [...hidden],
    inputDropout: rate(o.inputDropout ?? 0, "inputDropout"),
    dropout: [...dropout],
    activation: activationName(o.activation ?? "relu", "activation"),
    kernelInitializer: normaliseInitializer(o.kernelInitializer ?? "glorotUniform", where),
    outputUnits,
    outputActivation,
    loss: lossName(o.loss ?? defaultLoss),
    metrics: [...(o.metrics ?? (kind === "dlrm" ? ["mae"] : []))],
    learningRate,
    schedule: schedule === null ? null : checkSchedule(schedule, where),
    optimizer,
    seed,
    target,
    metadata: null,
  };
  if (kind === "classifier" && config.loss !== "sparseCategoricalCrossentropy") {
    throw new TypeError(
      `${where}: kind "classifier" trains with sparseCategoricalCrossentropy, found loss ${config.loss}`,
    );
  }
  const resolved: Resolved = { config, users, movies, catalog, movieCounts };
  if (kind === "hybrid") {
    const { metadata, values } = buildMetadata(o, movies, catalog, movieCounts, data?.movieIds);
    config.metadata = metadata;
    resolved.metadataValues = values;
  }
  return resolved;
}

/** Builds the tfjs graph of a resolved config. */
function buildGraph(
  config: BuiltConfig,
  numUsers: number,
  numMovies: number,
  metadataValues?: Float32Array,
): tf.LayersModel {
  const rng: Rng = createRng(config.seed);
  const users = tf.input({ shape: [1], dtype: "int32", name: "user" });
  const movies = tf.input({ shape: [1], dtype: "int32", name: "movie" });
  let output: tf.SymbolicTensor;
  if (DOT_KINDS.has(config.kind)) {
    output = embeddingDotBias({
      name: "embedding_dot_bias",
      numUsers,
      numMovies,
      factors: config.factors,
      bias: config.kind !== "dot",
      yRange: config.kind === "bce" ? [0, 1] : config.yRange,
      embeddingsInitializer: config.initializer,
      biasInitializer: config.biasInitializer,
      embeddingsL2: config.l2,
      biasL2: config.biasL2,
      seed: rng.uint32(),
    }).apply([users, movies]) as tf.SymbolicTensor;
  } else {
    const embed = (name: string, rows: number, input: tf.SymbolicTensor) =>
      tf.layers.flatten({ name: `${name}_flat` }).apply(
        tf.layers.embedding({
          name,
          inputDim: rows,
          outputDim: config.factors,
          embeddingsInitializer: makeInitializer(config.initializer, rng.uint32()),
          embeddingsRegularizer: makeL2(config.l2),
        }).apply(input),
      ) as tf.SymbolicTensor;
    const u = embed("user_embedding", numUsers, users);
    const m = embed("movie_embedding", numMovies, movies);
    let x = tf.layers.concatenate({ name: "concat" }).apply([u, m]) as tf.SymbolicTensor;
    if (config.inputDropout > 0) {
      x = tf.layers.dropout({ rate: config.inputDropout, name: "input_dropout" })
        .apply(x) as tf.SymbolicTensor;
    }
    if (config.metadata && metadataValues) {
      const width = config.metadata.columns.length;
      const meta = tf.layers.embedding({
        name: "movie_metadata",
        inputDim: numMovies,
        outputDim: width,
        embeddingsInitializer: "zeros",
        trainable: false,
      });
      const metaOut = tf.layers.flatten({ name: "movie_metadata_flat" }).apply(
        meta.apply(movies),
      ) as tf.SymbolicTensor;
      const table = tf.tensor2d(metadataValues, [numMovies, width]);
      meta.setWeights([table]);
      table.dispose();
      x = tf.layers.concatenate({ name: "concat_metadata" }).apply([
        x,
        metaOut,
      ]) as tf.SymbolicTensor;
    }
    config.hidden.forEach((units, i) => {
      x = tf.layers.dense({
        name: `hidden_${i + 1}`,
        units,
        activation: config.activation as "relu",
        kernelInitializer: makeInitializer(config.kernelInitializer, rng.uint32()),
      }).apply(x) as tf.SymbolicTensor;
      if (config.dropout[i] > 0) {
        x = tf.layers.dropout({ rate: config.dropout[i], name: `dropout_${i + 1}` })
          .apply(x) as tf.SymbolicTensor;
      }
    });
    output = tf.layers.dense({
      name: "prediction",
      units: config.outputUnits,
      activation: config.outputActivation as "linear",
      kernelInitializer: makeInitializer(config.kernelInitializer, rng.uint32()),
    }).apply(x) as tf.SymbolicTensor;
    if (config.yRange) {
      output = ratingRange({ low: config.yRange[0], high: config.yRange[1] })
        .apply(output) as tf.SymbolicTensor;
    }
  }
  return tf.model({
    inputs: [users, movies],
    outputs: output,
    name: config.kind.replace("-", "_"),
  });
}

/**
 * Builds a model of the given kind with its encoders and config, compiled (see
 * {@linkcode compileModel}). Every initializer is seeded from `options.seed`, so the same
 * options give the same initial weights; dropout masks are drawn by the training engine from
 * the seed given to `train()`.
 *
 * @param kind One of {@linkcode MODEL_KINDS}; anything else throws a `TypeError` listing them.
 * @param options Encoders or training ratings, sizes, regularisation, loss, optimizer, seed
 *   (spread a recipe here: `{ ...recipes.seed003.embeddingNet, ratings }`).
 * @returns The recommender (model, encoders, config, catalogue).
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { buildModel } from "./build.ts";
 * const ratings = pl.DataFrame({ userId: [1, 1, 2], movieId: [10, 20, 10], rating: [4, 3, 5] });
 * const rec = buildModel("dot-bias", { ratings, factors: 4, yRange: [0, 5.5] });
 * console.log(rec.users.size, rec.movies.size, rec.model.countParams()); // 2 2 20
 * ```
 */
export function buildModel(kind: ModelKind, options: ModelOptions = {}): Recommender<BuiltConfig> {
  const k = assertModelKind(kind);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`buildModel(): expected an options object, found ${describe(options)}`);
  }
  const { config, users, movies, catalog, movieCounts, metadataValues } = resolve(k, options);
  const model = buildGraph(config, users.size, movies.size, metadataValues);
  const rec: Recommender<BuiltConfig> = { kind: k, model, users, movies, config };
  if (catalog) rec.catalog = catalog;
  if (movieCounts) rec.movieCounts = movieCounts;
  compileModel(rec);
  return rec;
}
