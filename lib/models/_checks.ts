/**
 * Private: the checks of `buildModel`'s options, and their resolution into a JSON config —
 * per-kind defaults, encoders fitted on the ratings, options derived from the data (rating
 * range, mean, classes, metadata). Every error names the option and the value found; counts,
 * finite numbers and learning rates are checked by the library's one validation module.
 *
 * @module
 */

import { IdEncoder } from "../data/encoder.ts";
import { DEFAULT_SEED } from "../defaults.ts";
import { checkSeed, randomSeed } from "../random.ts";
import { checkSchedule, type ScheduleSpec } from "./_engine.ts";
import {
  checkBoolean,
  checkFiniteNumber,
  checkLearningRate,
  checkNonNegativeNumber,
  checkOptionKeys,
  checkPositiveInt,
  describe,
  encodeIds,
  found,
  isDataFrame,
  literal,
  plural,
  ratingColumns,
  type RatingColumnValues,
} from "../_validate.ts";
import { camelName, normaliseInitializer } from "./_init.ts";
import { buildMetadata } from "./_metadata.ts";
import { lossName, metricNames } from "./compile.ts";
import type { ModelOptions } from "./options.ts";
import {
  type BuiltConfig,
  type Catalog,
  catalogFrom,
  FUSED_KINDS,
  type LossName,
  type ModelKind,
  type OptimizerSettings,
  type TargetTransform,
} from "./recommender.ts";

const WHERE = "buildModel()";

/** Activation names `buildModel` accepts (tfjs names; Keras spellings are converted). */
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

/** Each kind's embedding size and hidden layers when the options do not give them. */
const KIND_DEFAULTS: Record<ModelKind, { factors: number; hidden: number[] }> = {
  "dot": { factors: 50, hidden: [] },
  "dot-bias": { factors: 50, hidden: [] },
  "bce": { factors: 50, hidden: [] },
  "mlp": { factors: 50, hidden: [64] },
  "dlrm": { factors: 8, hidden: [32, 4] },
  "hybrid": { factors: 64, hidden: [64, 64] },
  "classifier": { factors: 16, hidden: [128, 128] },
};

/** The kinds that are a dot product of the two tables (no hidden layers; `fused` applies). */
export const DOT_KINDS: ReadonlySet<ModelKind> = new Set(FUSED_KINDS);
/** The kinds that take a sigmoid output range (`yRange`). */
export const RANGE_KINDS: ReadonlySet<ModelKind> = new Set(["dot", "dot-bias", "mlp", "hybrid"]);

/** Every setting of the `optimizer` option (the type makes the list complete). */
const ADAM_SETTINGS: Record<keyof NonNullable<ModelOptions["optimizer"]>, true> = {
  weightDecay: true,
  decay: true,
  beta1: true,
  beta2: true,
  epsilon: true,
  epsilonHat: true,
};

/** Option keys a recipe may carry that are not model options. */
const RECIPE_KEYS = new Set(["kind", "description", "fit"]);

/** Every key of `ModelOptions`. */
const OPTION_KEYS = new Set([
  ...["ratings", "users", "movies", "catalog", "factors", "l2", "biasL2", "initializer"],
  ...["biasInitializer", "fused", "yRange", "hidden", "inputDropout", "dropout", "activation"],
  ...["kernelInitializer", "outputUnits", "outputActivation", "loss", "metrics", "learningRate"],
  ...["schedule", "optimizer", "seed", "ratingRange", "targetMean", "classes", "decode"],
  ...["metadataColumns", "metadata", "metadataFitOn", "quantiles"],
]);

/** What `buildModel` needs to build a model: the config, encoders and derived tables. */
export interface Resolved {
  /** Every option, resolved. */
  config: BuiltConfig;
  /** Raw userId ↔ row. */
  users: IdEncoder;
  /** Raw movieId ↔ row. */
  movies: IdEncoder;
  /** The catalogue, when given. */
  catalog?: Catalog;
  /** Ratings per movie row in the training ratings, when given. */
  movieCounts?: Int32Array;
  /** The hybrid's scaled metadata, one row per movie. */
  metadataValues?: Float32Array;
}

/**
 * `v` as a rate in [0, 1), or a `RangeError` naming the option.
 *
 * @param v The value.
 * @param name The option, as the caller calls it.
 * @param where The caller, for the error.
 * @returns The rate.
 */
export function rate(v: unknown, name: string, where: string = WHERE): number {
  if (typeof v !== "number" || !(v >= 0 && v < 1)) {
    throw new RangeError(`${where}: expected ${name} in [0, 1), found ${found(v)}`);
  }
  return v;
}

/**
 * `v` as a known activation's tfjs name, or a `TypeError` listing them.
 *
 * @param v The value.
 * @param name The option, as the caller calls it.
 * @param where The caller, for the error.
 * @returns The tfjs name.
 */
export function activationName(v: unknown, name: string, where: string = WHERE): string {
  if (typeof v !== "string" || !ACTIVATIONS.includes(camelName(v))) {
    throw new TypeError(
      `${where}: unknown ${name} ${literal(v)} (known: ${ACTIVATIONS.join(", ")})`,
    );
  }
  return camelName(v);
}

/** The min..max of the training ratings, for options derived from the data. */
function dataRange(ratings: Float64Array | undefined, option: string): [number, number] {
  if (!ratings) {
    throw new TypeError(`${WHERE}: ${option} needs the training ratings (options.ratings)`);
  }
  let lo = Infinity, hi = -Infinity;
  for (const r of ratings) {
    if (r < lo) lo = r;
    if (r > hi) hi = r;
  }
  return [lo, hi];
}

/**
 * A catalogue option (a movies DataFrame or a ready map) as a map.
 *
 * @param value The option.
 * @param where The caller, for the error.
 * @returns The catalogue, or undefined when not given.
 */
export function catalogOption(value: unknown, where: string): Catalog | undefined {
  if (value === undefined || value instanceof Map) return value;
  if (isDataFrame(value)) return catalogFrom(value);
  throw new TypeError(
    `${where}: expected catalog to be a movies DataFrame or a Map, found ${describe(value)}`,
  );
}

/**
 * A seed option, or the seed of `setRandomSeed()`, else the library's default.
 *
 * @param value The option.
 * @param where The caller, for the error.
 * @returns An integer seed from 0 to `MAX_SEED`.
 */
export function seedOption(value: unknown, where: string): number {
  return checkSeed(value ?? randomSeed() ?? DEFAULT_SEED, where);
}

function checkKeys(kind: ModelKind, o: ModelOptions): void {
  checkOptionKeys(o, [...OPTION_KEYS, ...RECIPE_KEYS], WHERE);
  const recipeKind = (o as { kind?: unknown }).kind;
  if (recipeKind !== undefined && recipeKind !== kind) {
    throw new TypeError(
      `${WHERE}: the options are a recipe for kind "${recipeKind}", but kind "${kind}" was asked for`,
    );
  }
  if (o.fused !== undefined) checkBoolean(o.fused, "fused", WHERE);
  if (o.fused && !DOT_KINDS.has(kind)) {
    throw new TypeError(
      `${WHERE}: fused applies to kinds ${[...DOT_KINDS].join(", ")}, not to "${kind}"`,
    );
  }
}

/** The encoders (given, or fitted on the ratings) and the ratings per movie row. */
function encoders(o: ModelOptions, data?: RatingColumnValues) {
  const encoder = (given: unknown, name: "user" | "movie", ids?: Float64Array): IdEncoder => {
    if (given !== undefined) {
      if (given instanceof IdEncoder) return given;
      throw new TypeError(
        `${WHERE}: expected ${name}s to be an IdEncoder, found ${describe(given)}`,
      );
    }
    if (ids) return IdEncoder.fit(ids, { name });
    throw new TypeError(
      `${WHERE}: pass the ${name}s encoder or the training ratings to fit it (options.ratings)`,
    );
  };
  const users = encoder(o.users, "user", data?.userIds);
  const movies = encoder(o.movies, "movie", data?.movieIds);
  let movieCounts: Int32Array | undefined;
  if (data) {
    // The ratings must fit the encoders.
    encodeIds(users, data.userIds, "user", WHERE, "ratings");
    movieCounts = new Int32Array(movies.size);
    for (const j of encodeIds(movies, data.movieIds, "movie", WHERE, "ratings")) movieCounts[j]++;
  }
  return { users, movies, movieCounts };
}

/** Table sizes, hidden layers, dropout, activations and initialisers. */
function layout(kind: ModelKind, o: ModelOptions) {
  const defaults = KIND_DEFAULTS[kind];
  const hidden = o.hidden ?? defaults.hidden;
  if (!Array.isArray(hidden)) {
    throw new TypeError(
      `${WHERE}: expected hidden to be an array of sizes, found ${describe(hidden)}`,
    );
  }
  hidden.forEach((h, i) => checkPositiveInt(h, `hidden[${i}]`, WHERE));
  if (DOT_KINDS.has(kind) && hidden.length > 0) {
    throw new TypeError(`${WHERE}: kind "${kind}" has no hidden layers, found hidden=[${hidden}]`);
  }
  const dropoutOption = o.dropout ?? 0;
  const dropout = Array.isArray(dropoutOption) ? dropoutOption : hidden.map(() => dropoutOption);
  if (dropout.length !== hidden.length) {
    throw new RangeError(
      `${WHERE}: expected one dropout rate per hidden layer (${hidden.length}), found ${dropout.length}`,
    );
  }
  return {
    factors: checkPositiveInt(o.factors ?? defaults.factors, "factors", WHERE),
    l2: checkNonNegativeNumber(o.l2 ?? 0, "l2", WHERE),
    biasL2: checkNonNegativeNumber(o.biasL2 ?? 0, "biasL2", WHERE),
    initializer: normaliseInitializer(o.initializer ?? "randomUniform", WHERE),
    biasInitializer: normaliseInitializer(o.biasInitializer ?? "randomUniform", WHERE),
    hidden: [...hidden],
    inputDropout: rate(o.inputDropout ?? 0, "inputDropout"),
    dropout: dropout.map((r, i) => rate(r, `dropout[${i}]`)),
    activation: activationName(o.activation ?? "relu", "activation"),
    kernelInitializer: normaliseInitializer(o.kernelInitializer ?? "glorotUniform", WHERE),
  };
}

/**
 * The most parameters {@linkcode buildModel} builds: 2²⁸. Training keeps the weights and Adam's
 * two moments, 12 bytes a parameter (3 GiB at this size), in the WebAssembly backend's heap,
 * which holds at most 4 GiB.
 */
export const MAX_PARAMETERS = 2 ** 28;

/**
 * The parameters a built model has at least: its user and movie tables, and the weights of its
 * dense layers on the concatenated pair of vectors (biases, bias tables and metadata left out).
 *
 * @param config The resolved layout (`factors`, `hidden`).
 * @param users Rows of the user table.
 * @param movies Rows of the movie table.
 * @returns The lower bound.
 */
export function parametersAtLeast(
  config: Pick<BuiltConfig, "factors" | "hidden">,
  users: number,
  movies: number,
): number {
  let total = (users + movies) * config.factors, width = 2 * config.factors;
  for (const units of config.hidden) [total, width] = [total + width * units, units];
  return total;
}

/** Refuses a model too big to train (see {@linkcode MAX_PARAMETERS}), before any allocation. */
function checkModelSize(config: BuiltConfig, users: number, movies: number): void {
  const count = parametersAtLeast(config, users, movies);
  if (count <= MAX_PARAMETERS) return;
  const n = (x: number) => x.toLocaleString("en-US");
  const dense = config.hidden.length > 0;
  const sizes = `factors ${n(config.factors)}` +
    (dense ? ` and hidden [${config.hidden.map(n).join(", ")}]` : "");
  throw new RangeError(
    `${WHERE}: ${sizes} make at least ${n(count)} parameters for ${plural(users, "user")} ` +
      `and ${plural(movies, "movie")}, more than the ${n(MAX_PARAMETERS)} (2^28) that can be ` +
      "trained: the weights and Adam's two moments take 12 bytes a parameter in a heap of at " +
      `most 4 GiB; choose fewer factors${dense ? " or hidden units" : ""}`,
  );
}

/** The sigmoid output range: given, or the min..max of the ratings (`"data"`), or null. */
function yRangeOption(kind: ModelKind, o: ModelOptions, data?: RatingColumnValues) {
  if (o.yRange === undefined || o.yRange === null) return null;
  if (!RANGE_KINDS.has(kind)) {
    throw new TypeError(
      `${WHERE}: yRange does not apply to kind "${kind}" (only to ${[...RANGE_KINDS].join(", ")})`,
    );
  }
  const range = o.yRange === "data" ? dataRange(data?.ratings, "yRange") : o.yRange;
  if (
    !Array.isArray(range) || range.length !== 2 || !Number.isFinite(range[0]) ||
    !Number.isFinite(range[1]) || !(range[0] < range[1])
  ) {
    throw new RangeError(
      `${WHERE}: expected yRange [low, high] with low < high, found ${literal(o.yRange)}`,
    );
  }
  return [range[0], range[1]] as [number, number];
}

/** The classifier's class values: given, or the distinct ratings. */
function classValues(o: ModelOptions, data?: RatingColumnValues): number[] {
  const values = o.classes ?? (data ? [...new Set(data.ratings)].sort((a, b) => a - b) : null);
  if (values === null) {
    throw new TypeError(`${WHERE}: kind "classifier" needs classes or the training ratings`);
  }
  if (!Array.isArray(values) || values.length < 2 || values.some((v) => !Number.isFinite(v))) {
    throw new RangeError(
      `${WHERE}: expected at least two finite class values, found ${literal(values)}`,
    );
  }
  if (new Set(values).size !== values.length) {
    throw new RangeError(`${WHERE}: duplicate class values in ${literal(values)}`);
  }
  return [...values];
}

/**
 * The target transform each kind is built with (`buildModel()`'s choice, which a saved
 * config must repeat).
 */
export const KIND_TARGET: Readonly<Record<ModelKind, TargetTransform["type"]>> = {
  "dot": "identity",
  "dot-bias": "identity",
  "mlp": "identity",
  "hybrid": "identity",
  "bce": "minmax",
  "dlrm": "center",
  "classifier": "classes",
};

/** The map between stars and the network's target, and the output layer it implies. */
function targetOptions(kind: ModelKind, o: ModelOptions, data?: RatingColumnValues) {
  const output = {
    outputUnits: checkPositiveInt(o.outputUnits ?? 1, "outputUnits", WHERE),
    outputActivation: activationName(o.outputActivation ?? "linear", "outputActivation"),
  };
  let target: TargetTransform = { type: "identity" };
  const type = KIND_TARGET[kind];
  if (type === "minmax") {
    const [min, max] = o.ratingRange ?? dataRange(data?.ratings, "ratingRange");
    if (!(Number.isFinite(min) && Number.isFinite(max) && min < max)) {
      throw new RangeError(
        `${WHERE}: expected ratingRange [min, max] with min < max, found [${min}, ${max}]`,
      );
    }
    target = { type: "minmax", min, max };
  } else if (type === "center") {
    if (o.targetMean === undefined && !data) {
      throw new TypeError(`${WHERE}: kind "${kind}" needs targetMean or the training ratings`);
    }
    const mean = o.targetMean ?? data!.ratings.reduce((s, r) => s + r, 0) / data!.ratings.length;
    target = { type: "center", mean: checkFiniteNumber(mean, "targetMean", WHERE) };
  } else if (type === "classes") {
    const decode = o.decode ?? "expected";
    if (decode !== "expected" && decode !== "argmax") {
      throw new TypeError(
        `${WHERE}: expected decode "expected" or "argmax", found ${JSON.stringify(decode)}`,
      );
    }
    target = { type: "classes", values: classValues(o, data), decode };
    output.outputUnits = target.values.length;
    output.outputActivation = "softmax";
  }
  return { target, ...output };
}

/**
 * Checks Adam's betas, ε and ε-hat flag where they are given, each named `<prefix><name>`: the
 * `optimizer` option of {@linkcode buildModel} (`"optimizer."`) or a saved config's
 * (`"config.optimizer."`).
 *
 * @param o The settings.
 * @param where The caller, for the errors.
 * @param prefix What each name is written after.
 * @throws {RangeError} On a beta outside [0, 1) or an ε that is not a positive finite number.
 * @throws {TypeError} On an ε-hat flag that is not true or false.
 */
export function checkAdamSettings(
  o: { beta1?: unknown; beta2?: unknown; epsilon?: unknown; epsilonHat?: unknown },
  where: string,
  prefix: string,
): void {
  for (const name of ["beta1", "beta2"] as const) {
    const beta = o[name];
    if (beta !== undefined && (typeof beta !== "number" || !(beta >= 0 && beta < 1))) {
      throw new RangeError(`${where}: expected ${prefix}${name} in [0, 1), found ${found(beta)}`);
    }
  }
  // ε = 0 divides 0 by 0 wherever a weight has had no gradient yet: NaN weights, "diverged".
  if (o.epsilon !== undefined) checkLearningRate(o.epsilon, where, `${prefix}epsilon`);
  if (o.epsilonHat !== undefined) checkBoolean(o.epsilonHat, `${prefix}epsilonHat`, where);
}

/** Loss, metrics, optimizer, learning rate and schedule, and the seed. */
function training(kind: ModelKind, o: ModelOptions) {
  const defaultLoss: LossName = kind === "bce"
    ? "binaryCrossentropy"
    : kind === "classifier"
    ? "sparseCategoricalCrossentropy"
    : "meanSquaredError";
  const loss = lossName(o.loss ?? defaultLoss);
  if (kind === "classifier" && loss !== "sparseCategoricalCrossentropy") {
    throw new TypeError(
      `${WHERE}: kind "classifier" trains with sparseCategoricalCrossentropy, found loss ${loss}`,
    );
  }
  if (o.optimizer !== undefined) {
    checkOptionKeys(o.optimizer, Object.keys(ADAM_SETTINGS), WHERE, "optimizer.");
    checkAdamSettings(o.optimizer, WHERE, "optimizer.");
  }
  const weightDecay = o.optimizer?.weightDecay ?? 0;
  const optimizer: OptimizerSettings = {
    ...o.optimizer,
    weightDecay: checkNonNegativeNumber(weightDecay, "optimizer.weightDecay", WHERE),
    decay: o.optimizer?.decay ?? (weightDecay ? "l2" : "none"),
  };
  if (!["none", "l2", "decoupled"].includes(optimizer.decay)) {
    throw new TypeError(
      `${WHERE}: expected optimizer.decay none, l2 or decoupled, found ${optimizer.decay}`,
    );
  }
  const phases = (o as { fit?: { schedule?: { learningRate: number; epochs: number }[] } }).fit
    ?.schedule;
  const schedule: ScheduleSpec | null = o.schedule ?? (phases ? { type: "steps", phases } : null);
  return {
    loss,
    metrics: metricNames(o.metrics ?? (kind === "dlrm" ? ["mae"] : []), WHERE),
    learningRate: checkLearningRate(o.learningRate ?? 1e-3, WHERE),
    schedule: schedule === null ? null : checkSchedule(schedule, WHERE),
    optimizer,
    seed: seedOption(o.seed, WHERE),
  };
}

/**
 * Checks `buildModel`'s options for a kind and resolves them: encoders, catalogue, popularity
 * counts, the hybrid's metadata table and the JSON config.
 *
 * @param kind The model kind (already checked).
 * @param o The options.
 * @returns What the builders need.
 */
export function resolveOptions(kind: ModelKind, o: ModelOptions): Resolved {
  checkKeys(kind, o);
  const data = o.ratings === undefined ? undefined : ratingColumns(o.ratings, WHERE, true);
  const { users, movies, movieCounts } = encoders(o, data);
  const catalog = catalogOption(o.catalog, WHERE);
  const config: BuiltConfig = {
    kind,
    fused: o.fused ?? false,
    ...layout(kind, o),
    yRange: yRangeOption(kind, o, data),
    ...targetOptions(kind, o, data),
    ...training(kind, o),
    metadata: null,
  };
  checkModelSize(config, users.size, movies.size);
  const resolved: Resolved = { config, users, movies, catalog, movieCounts };
  if (kind === "hybrid") {
    const { metadata, values } = buildMetadata(o, movies, catalog, movieCounts, data?.movieIds);
    config.metadata = metadata;
    resolved.metadataValues = values;
  }
  return resolved;
}
