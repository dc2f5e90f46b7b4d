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
import { COLUMNS, DEFAULT_SEED } from "../defaults.ts";
import { createRng, type Rng } from "../random.ts";
import { adam } from "./_engine.ts";
import { describe, idColumn, isDataFrame, numberColumn, ratingColumns } from "../_validate.ts";
import { camelName, makeInitializer, makeL2, normaliseInitializer } from "./_init.ts";
import { embeddingDotBias } from "./embedding_dot_bias.ts";
import { ratingRange } from "./layers.ts";
import { QuantileTransformer } from "../analysis/quantile.ts";
import {
  type Catalog,
  catalogFrom,
  type DecayMode,
  type InitializerSpec,
  type LossName,
  type MetadataConfig,
  MODEL_KINDS,
  type ModelKind,
  type Recommender,
  type RecommenderConfig,
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
   * Adam learning rate.
   * @default {0.001}
   */
  learningRate?: number;
  /**
   * Weight decay of the engine's Adam: coupled (`"l2"`, as PyTorch's `weight_decay`) or
   * `"decoupled"` (AdamW).
   * @default {{ weightDecay: 0, decay: "none" }}
   */
  optimizer?: { weightDecay?: number; decay?: DecayMode };
  /**
   * Seed of every initializer (and the default seed of `train()`).
   * @default {42}
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

const LOSS_ALIASES: Record<string, LossName> = {
  mse: "meanSquaredError",
  mae: "meanAbsoluteError",
  bce: "binaryCrossentropy",
  meanSquaredError: "meanSquaredError",
  meanAbsoluteError: "meanAbsoluteError",
  binaryCrossentropy: "binaryCrossentropy",
  sparseCategoricalCrossentropy: "sparseCategoricalCrossentropy",
};

const ACTIVATIONS = [
  "linear",
  "relu",
  "relu6",
  "elu",
  "selu",
  "sigmoid",
  "tanh",
  "softmax",
  "softplus",
  "softsign",
  "swish",
  "mish",
  "gelu",
];

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

/** Option keys a recipe may carry that are not model options. */
const RECIPE_KEYS = new Set(["kind", "description", "fit"]);

const OPTION_KEYS = new Set([
  "ratings",
  "users",
  "movies",
  "catalog",
  "factors",
  "l2",
  "biasL2",
  "initializer",
  "biasInitializer",
  "yRange",
  "hidden",
  "inputDropout",
  "dropout",
  "activation",
  "kernelInitializer",
  "outputUnits",
  "outputActivation",
  "loss",
  "metrics",
  "learningRate",
  "optimizer",
  "seed",
  "ratingRange",
  "targetMean",
  "classes",
  "decode",
  "metadataColumns",
  "metadata",
  "metadataFitOn",
  "quantiles",
]);

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

function positiveInt(v: unknown, name: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`buildModel(): expected ${name} to be a positive integer, found ${v}`);
  }
  return v;
}

function rate(v: unknown, name: string): number {
  if (typeof v !== "number" || !(v >= 0 && v < 1)) {
    throw new RangeError(`buildModel(): expected ${name} in [0, 1), found ${v}`);
  }
  return v;
}

function nonNegative(v: unknown, name: string): number {
  if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) {
    throw new RangeError(`buildModel(): expected ${name} >= 0, found ${v}`);
  }
  return v;
}

function activationName(v: unknown, name: string): string {
  if (typeof v !== "string" || !ACTIVATIONS.includes(camelName(v))) {
    throw new TypeError(
      `buildModel(): unknown ${name} ${JSON.stringify(v)} (known: ${ACTIVATIONS.join(", ")})`,
    );
  }
  return camelName(v);
}

/** Normalises a loss name or alias; throws a `TypeError` listing the known ones. */
export function lossName(v: unknown): LossName {
  const name = typeof v === "string" ? LOSS_ALIASES[v] : undefined;
  if (!name) {
    throw new TypeError(
      `unknown loss ${JSON.stringify(v)} (known: ${Object.keys(LOSS_ALIASES).join(", ")})`,
    );
  }
  return name;
}

interface Resolved {
  config: RecommenderConfig;
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
  const seed = o.seed ?? DEFAULT_SEED;
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
  const optimizer = {
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
  const config: RecommenderConfig = {
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

function dataRange(ratings: Float64Array | undefined, option: string): [number, number] {
  if (!ratings) {
    throw new TypeError(`buildModel(): ${option} needs the training ratings (options.ratings)`);
  }
  let lo = Infinity, hi = -Infinity;
  for (const r of ratings) {
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  return [lo, hi];
}

function buildMetadata(
  o: ModelOptions,
  movies: IdEncoder,
  catalog: Catalog | undefined,
  counts: Int32Array | undefined,
  ratedMovieIds: Float64Array | undefined,
): { metadata: MetadataConfig; values: Float32Array } {
  const where = "buildModel(hybrid)";
  const columns = o.metadataColumns ?? ["popularity", "year"];
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new TypeError(
      `${where}: expected at least one metadata column, found ${describe(columns)}`,
    );
  }
  const fitOn = o.metadataFitOn ?? "movies";
  if (fitOn !== "movies" && fitOn !== "ratings") {
    throw new TypeError(`${where}: expected metadataFitOn "movies" or "ratings", found ${fitOn}`);
  }
  const n = movies.size, ids = movies.ids;
  let table: Map<number, number> | undefined;
  const tableColumn = (name: string): Float64Array | undefined => {
    if (!o.metadata || !o.metadata.columns.includes(name)) return undefined;
    const tid = idColumn(o.metadata, COLUMNS.movie, where);
    const tv = numberColumn(o.metadata, name, where);
    table = new Map();
    for (let i = 0; i < tid.length; i++) table.set(tid[i], tv[i]);
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const v = table.get(ids[j]);
      if (v === undefined) {
        throw new RangeError(`${where}: movie id ${ids[j]} has no "${name}" in the metadata table`);
      }
      out[j] = v;
    }
    return out;
  };
  const raw: Float64Array[] = columns.map((name) => {
    const fromTable = tableColumn(name);
    if (fromTable) return fromTable;
    if (name === "popularity") {
      if (!counts) {
        throw new TypeError(`${where}: "popularity" needs the training ratings (options.ratings)`);
      }
      return Float64Array.from(counts);
    }
    if (name === "year") {
      if (!catalog) {
        throw new TypeError(
          `${where}: "year" needs the catalog (movies with titles or a year column)`,
        );
      }
      const years = Array.from(ids, (id) => catalog.get(id)?.year ?? NaN);
      const known = years.filter(Number.isFinite).sort((a, b) => a - b);
      if (known.length === 0) throw new RangeError(`${where}: no movie in the catalog has a year`);
      const median = known[Math.floor((known.length - 1) / 2)];
      return Float64Array.from(years, (y) => Number.isFinite(y) ? y : median);
    }
    throw new TypeError(
      `${where}: metadata column "${name}" is neither derived (popularity, year) nor in the metadata table`,
    );
  });
  let rows: Int32Array | undefined;
  if (fitOn === "ratings") {
    if (!ratedMovieIds) {
      throw new TypeError(`${where}: metadataFitOn "ratings" needs the training ratings`);
    }
    rows = movies.encode(ratedMovieIds);
  }
  const quantiles = o.quantiles ?? 1000;
  const values = new Float32Array(n * columns.length);
  const scalers = raw.map((col, c) => {
    const sample = rows ? Float64Array.from(rows, (j) => col[j]) : col;
    const q = new QuantileTransformer({
      nQuantiles: quantiles,
      subsample: Math.max(quantiles, 10_000),
      seed: o.seed ?? DEFAULT_SEED,
    }).fit([sample]);
    const [scaled] = q.transform([col]);
    for (let j = 0; j < n; j++) values[j * columns.length + c] = scaled[j];
    return q.toJSON();
  });
  return { metadata: { columns: [...columns], fitOn, scalers }, values };
}

/** Builds the tfjs graph of a resolved config. */
function buildGraph(
  config: RecommenderConfig,
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
export function buildModel(kind: ModelKind, options: ModelOptions = {}): Recommender {
  const k = assertModelKind(kind);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`buildModel(): expected an options object, found ${describe(options)}`);
  }
  const { config, users, movies, catalog, movieCounts, metadataValues } = resolve(k, options);
  const model = buildGraph(config, users.size, movies.size, metadataValues);
  const rec: Recommender = { kind: k, model, users, movies, config };
  if (catalog) rec.catalog = catalog;
  if (movieCounts) rec.movieCounts = movieCounts;
  compileModel(rec);
  return rec;
}

/** Options of {@linkcode compileModel}: overrides written back to the config. */
export interface CompileOptions {
  /**
   * Loss (alias or tfjs name).
   * @default {config.loss}
   */
  loss?: LossName | "mse" | "mae" | "bce";
  /**
   * Metrics.
   * @default {config.metrics}
   */
  metrics?: string[];
  /**
   * Adam learning rate.
   * @default {config.learningRate}
   */
  learningRate?: number;
  /**
   * Weight decay and its mode.
   * @default {config.optimizer}
   */
  optimizer?: { weightDecay?: number; decay?: DecayMode };
}

/**
 * Compiles a recommender's model with the engine's Adam, its loss and metrics: the one place
 * where models are compiled. Overrides are written back to `rec.config`. Recompiling starts a
 * fresh optimizer (new Adam moments); to lower the learning rate mid-course, pass
 * `learningRate` to `train()` instead.
 *
 * @param rec The recommender.
 * @param options Loss, metrics, learning rate or weight decay to change.
 * @returns The same recommender.
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel, compileModel } from "./build.ts";
 * const rec = buildModel("dot", { users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([5]) });
 * compileModel(rec, { loss: "mae" });
 * console.log(rec.config.loss); // "meanAbsoluteError"
 * ```
 */
export function compileModel(rec: Recommender, options: CompileOptions = {}): Recommender {
  const config = rec.config;
  if (options.loss !== undefined) config.loss = lossName(options.loss);
  if (options.metrics !== undefined) config.metrics = [...options.metrics];
  if (options.learningRate !== undefined) {
    if (!(options.learningRate > 0)) {
      throw new RangeError(
        `compileModel(): expected learningRate > 0, found ${options.learningRate}`,
      );
    }
    config.learningRate = options.learningRate;
  }
  if (options.optimizer !== undefined) {
    config.optimizer = {
      weightDecay: options.optimizer.weightDecay ?? config.optimizer.weightDecay,
      decay: options.optimizer.decay ?? config.optimizer.decay,
    };
  }
  rec.model.compile({
    optimizer: adam({
      learningRate: config.learningRate,
      weightDecay: config.optimizer.weightDecay,
      decay: config.optimizer.decay,
    }),
    loss: config.loss,
    metrics: config.metrics,
  });
  return rec;
}
