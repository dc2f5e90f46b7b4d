/**
 * {@linkcode recommender}: a tfjs `LayersModel` written in a notebook, the way a Keras tutorial
 * writes it (`tf.input` → `tf.layers.embedding` → … → `tf.model`, then `model.compile`),
 * together with its id encoders, as a {@linkcode Recommender}. `train()`, `predictRatings()`,
 * `recommend()`, the embedding accessors and `saveRecommender()` then work on it as on a built
 * model; the user and movie tables are found from the graph (the embedding layers fed by each
 * input), not from layer names.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { IdEncoder } from "../data/encoder.ts";
import { checkOptionKeys, describe, encodeIds, plural, ratingColumns } from "../_validate.ts";
import { catalogOption, seedOption } from "./_checks.ts";
import { findTables, type Tables } from "./_weights.ts";
import { syncConfig } from "./compile.ts";
import {
  type Catalog,
  type CustomConfig,
  type Recommender,
  type TargetTransform,
} from "./recommender.ts";
import type { DataFrame } from "../_validate.ts";

/** Options of {@linkcode recommender}. */
export interface RecommenderOptions {
  /** Raw userId ↔ row of the user tables (the model's first input). */
  users: IdEncoder;
  /** Raw movieId ↔ row of the movie tables (the model's second input). */
  movies: IdEncoder;
  /**
   * Movies (movieId, title, genres[, year]) for titles in recommendations and analysis.
   * @default {undefined}
   */
  catalog?: DataFrame | Catalog;
  /**
   * Training ratings: counts the ratings per movie (popularity, for recommendations).
   * @default {undefined}
   */
  ratings?: DataFrame;
  /**
   * The map between stars and what the network outputs (e.g. `{ type: "center", mean }` for a
   * model trained on the rating minus the mean).
   * @default {{ type: "identity" }}
   */
  target?: TargetTransform;
  /**
   * Default seed of `train()` (shuffles, dropout masks).
   * @default {the seed of setRandomSeed(), else 42}
   */
  seed?: number;
}

function inputsProblem(model: tf.LayersModel): string | null {
  const ok = (t: tf.SymbolicTensor) => {
    const shape = t.shape.slice(1);
    return (shape.length === 0 || (shape.length === 1 && shape[0] === 1)) &&
      (t.dtype === "int32" || t.dtype === "float32");
  };
  if (model.inputs.length === 2 && model.inputs.every(ok)) return null;
  const found = model.inputs.map((t) =>
    `${t.name} [${t.shape.map((d) => d ?? "null")}] ${t.dtype}`
  );
  return `expected a model with two id inputs, users then movies, each of shape [null, 1] ` +
    `(int32), found ${plural(model.inputs.length, "input")}: ${found.join(", ")}`;
}

function checkTables(tables: Tables, users: IdEncoder, movies: IdEncoder): void {
  const where = "recommender()";
  const rows: [keyof Tables, IdEncoder][] = [
    ["userFactors", users],
    ["userBias", users],
    ["movieFactors", movies],
    ["movieBias", movies],
  ];
  for (const [role, encoder] of rows) {
    const table = tables[role];
    if (table && table.shape[0]! < encoder.size) {
      throw new RangeError(
        `${where}: the ${encoder.name} table ${table.originalName} has ${
          table.shape[0]
        } rows but the ${encoder.name}s encoder has ${encoder.size} ids`,
      );
    }
  }
}

function outputUnits(model: tf.LayersModel, target: TargetTransform): number {
  const where = "recommender()";
  if (model.outputs.length !== 1) {
    throw new TypeError(
      `${where}: expected a model with one output, found ${model.outputs.length}`,
    );
  }
  const shape = model.outputs[0].shape.slice(1);
  const units = shape.reduce((a: number, d) => a * (d ?? 0), 1);
  if (!(units >= 1)) {
    throw new TypeError(
      `${where}: expected an output of fixed size, found shape [${model.outputs[0].shape}]`,
    );
  }
  if (target.type === "classes" && units !== target.values.length) {
    throw new RangeError(
      `${where}: the target has ${target.values.length} classes but the model outputs ${units} units`,
    );
  }
  return units;
}

/** Every option of {@linkcode recommender} (the type makes the list complete). */
const RECOMMENDER_OPTIONS: Record<keyof RecommenderOptions, true> = {
  users: true,
  movies: true,
  catalog: true,
  ratings: true,
  target: true,
  seed: true,
};

/** Every field of each kind of target transform (the type makes the lists complete). */
const TARGET_FIELDS: {
  [K in TargetTransform["type"]]: Record<keyof Extract<TargetTransform, { type: K }>, true>;
} = {
  identity: { type: true },
  minmax: { type: true, min: true, max: true },
  center: { type: true, mean: true },
  classes: { type: true, values: true, decode: true },
};

/**
 * Wraps a compiled tfjs model whose inputs are the user and movie ids (`[users, movies]`, each
 * `[n, 1]`) as a {@linkcode Recommender} of kind `"custom"`. Its config records the target
 * transform and what the model was compiled with (loss, metrics, optimizer, learning rate),
 * so that `train()` runs it and `saveRecommender()` / `loadRecommender()` restore it.
 *
 * @param model The model, compiled (`model.compile({ optimizer, loss })`).
 * @param options The id encoders, and optionally the catalogue, training ratings, target and
 *   seed.
 * @returns The recommender.
 * @throws {TypeError} when the inputs are not two id columns (naming them), the model is not
 *   compiled, or an option has the wrong type; a `RangeError` when a table has fewer rows than
 *   its encoder has ids.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { IdEncoder } from "../data/encoder.ts";
 * import { recommender } from "./wrap.ts";
 * const users = IdEncoder.fit([1, 2, 3]), movies = IdEncoder.fit([10, 20]);
 * const user = tf.input({ shape: [1], dtype: "int32" });
 * const movie = tf.input({ shape: [1], dtype: "int32" });
 * const u = tf.layers.embedding({ inputDim: users.size, outputDim: 4 }).apply(user);
 * const m = tf.layers.embedding({ inputDim: movies.size, outputDim: 4 }).apply(movie);
 * const dot = tf.layers.dot({ axes: -1 }).apply([u, m] as tf.SymbolicTensor[]);
 * const out = tf.layers.flatten().apply(dot) as tf.SymbolicTensor;
 * const model = tf.model({ inputs: [user, movie], outputs: out });
 * model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
 * const rec = recommender(model, { users, movies });
 * assertEquals([rec.kind, rec.config.learningRate, rec.config.loss], ["custom", 1e-3, "meanSquaredError"]);
 * ```
 */
export function recommender(
  model: tf.LayersModel,
  options: RecommenderOptions,
): Recommender<CustomConfig> {
  const where = "recommender()";
  if (!(model instanceof tf.LayersModel)) {
    throw new TypeError(`${where}: expected a tf.LayersModel, found ${describe(model)}`);
  }
  const problem = inputsProblem(model);
  if (problem) throw new TypeError(`${where}: ${problem}`);
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${where}: expected options { users, movies }, found ${describe(options)}`);
  }
  checkOptionKeys(options, Object.keys(RECOMMENDER_OPTIONS), where);
  const { users, movies, target = { type: "identity" } } = options;
  const type = (target as { type?: unknown } | null)?.type;
  if (typeof type === "string" && Object.hasOwn(TARGET_FIELDS, type)) {
    const fields = TARGET_FIELDS[type as TargetTransform["type"]];
    checkOptionKeys(target, Object.keys(fields), where, "target."); // a known kind, its fields
  }
  for (const [name, encoder] of [["users", users], ["movies", movies]] as const) {
    if (!(encoder instanceof IdEncoder)) {
      throw new TypeError(
        `${where}: expected ${name} to be an IdEncoder, found ${describe(encoder)}`,
      );
    }
  }
  checkTables(findTables(model), users, movies);
  const seed = seedOption(options.seed, where);
  const config: CustomConfig = {
    kind: "custom",
    outputUnits: outputUnits(model, target),
    loss: "",
    metrics: [],
    learningRate: NaN,
    schedule: null,
    optimizer: { weightDecay: 0, decay: "none" },
    seed,
    target,
  };
  const rec: Recommender<CustomConfig> = { kind: "custom", model, users, movies, config };
  const catalog = catalogOption(options.catalog, where);
  if (catalog) rec.catalog = catalog;
  if (options.ratings !== undefined) {
    const cols = ratingColumns(options.ratings, where, true);
    encodeIds(users, cols.userIds, "user", where, "ratings"); // the ratings must fit the encoders
    const counts = new Int32Array(movies.size);
    for (const j of encodeIds(movies, cols.movieIds, "movie", where, "ratings")) counts[j]++;
    rec.movieCounts = counts;
  }
  return syncConfig(rec, where);
}
