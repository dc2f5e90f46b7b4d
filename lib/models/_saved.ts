/**
 * Private: the checks of the config, catalogue and counts that `loadRecommender()` reads from a
 * `model.json`. A file of format 1 or 2 carries no checksum of its own content, and even a checksum
 * only says the file is as it was written: every field is checked here as `buildModel()` or
 * `recommender()` would have made it, for each format version (1: no schedule, no `fused`, an
 * optimizer of weight decay and mode only; 2: custom models, the schedule, `fused` from late in
 * that version, and missing from the first format-3 files too: a missing `fused` is false). Every
 * error names the file (in `who`), the field and what was found.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { checkSchedule } from "./_engine.ts";
import {
  checkBoolean,
  checkFiniteNumber,
  checkInteger,
  checkLearningRate,
  checkNonNegativeInt,
  checkNonNegativeNumber,
  checkPositiveInt,
  describe,
  INT32_MAX,
  literal,
} from "../_validate.ts";
import {
  activationName,
  checkAdamSettings,
  DOT_KINDS,
  KIND_TARGET,
  RANGE_KINDS,
  rate,
} from "./_checks.ts";
import { normaliseInitializer } from "./_init.ts";
import { lossName, metricNames } from "./compile.ts";
import type {
  ModelKind,
  RecommenderConfig,
  RecommenderKind,
  TargetTransform,
} from "./recommender.ts";

/** The loss names tfjs' `model.compile` knows (tfjs-layers' losses map): a custom model's. */
const TFJS_LOSSES = [
  ...["meanSquaredError", "meanAbsoluteError", "meanAbsolutePercentageError"],
  ...["meanSquaredLogarithmicError", "squaredHinge", "hinge", "categoricalHinge", "logcosh"],
  ...["categoricalCrossentropy", "sparseCategoricalCrossentropy", "binaryCrossentropy"],
  ...["kullbackLeiblerDivergence", "poisson", "cosineProximity"],
];

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** `x` as an object, or a `TypeError` naming the field. */
function object(x: unknown, name: string, who: string): Record<string, unknown> {
  if (!isPlainObject(x)) {
    throw new TypeError(`${who}: expected ${name} to be an object, found ${describe(x)}`);
  }
  return x;
}

/**
 * Checks a saved target transform.
 *
 * @param t The transform.
 * @param who The caller and file, for the errors.
 * @returns The transform, typed.
 */
export function checkTarget(t: unknown, who: string): TargetTransform {
  const target = object(t, "config.target", who);
  switch (target.type) {
    case "identity":
      return target as TargetTransform;
    case "center":
      checkFiniteNumber(target.mean, "config.target.mean", who);
      return target as TargetTransform;
    case "minmax": {
      const min = checkFiniteNumber(target.min, "config.target.min", who);
      const max = checkFiniteNumber(target.max, "config.target.max", who);
      if (!(min < max)) {
        throw new RangeError(
          `${who}: expected config.target's min < max, found min ${min} and max ${max}`,
        );
      }
      return target as TargetTransform;
    }
    case "classes": {
      const values = target.values;
      if (
        !Array.isArray(values) || values.length < 2 ||
        !values.every((v) => typeof v === "number" && Number.isFinite(v)) ||
        new Set(values).size !== values.length
      ) {
        throw new RangeError(
          `${who}: expected config.target.values to be at least two distinct finite numbers, ` +
            `found ${literal(values)}`,
        );
      }
      if (target.decode !== "expected" && target.decode !== "argmax") {
        throw new TypeError(
          `${who}: expected config.target.decode "expected" or "argmax", found ${
            literal(target.decode)
          }`,
        );
      }
      return target as TargetTransform;
    }
    default:
      throw new TypeError(
        `${who}: expected config.target.type "identity", "minmax", "center" or "classes", ` +
          `found ${literal(target.type)}`,
      );
  }
}

/** Checks the optimizer settings (version 1: weight decay and mode only). */
function checkOptimizer(x: unknown, who: string): void {
  const o = object(x, "config.optimizer", who);
  checkNonNegativeNumber(o.weightDecay, "config.optimizer.weightDecay", who);
  if (!["none", "l2", "decoupled"].includes(o.decay as string)) {
    throw new TypeError(
      `${who}: expected config.optimizer.decay "none", "l2" or "decoupled", found ${
        literal(o.decay)
      }`,
    );
  }
  checkAdamSettings(o, who, "config.optimizer.");
  if (o.stock !== undefined) {
    const stock = object(o.stock, "config.optimizer.stock", who);
    const classes = tf.serialization.SerializationMap.getMap().classNameMap;
    if (typeof stock.className !== "string" || classes[stock.className] === undefined) {
      throw new TypeError(
        `${who}: expected config.optimizer.stock.className to name a tfjs optimizer class, ` +
          `found ${literal(stock.className)}`,
      );
    }
    object(stock.config, "config.optimizer.stock.config", who);
  }
}

/** Checks the fields every config has: output, loss, metrics, learning rate, optimizer. */
function checkTraining(c: Record<string, unknown>, version: number, who: string): void {
  const units = checkPositiveInt(c.outputUnits, "config.outputUnits", who);
  if (c.kind === "custom") {
    // "": a loss function of the model's own, which cannot be saved by name.
    if (c.loss !== "" && !TFJS_LOSSES.includes(c.loss as string)) {
      throw new TypeError(
        `${who}: expected config.loss to be a tfjs loss name (${TFJS_LOSSES.join(", ")}) or "", ` +
          `found ${literal(c.loss)}`,
      );
    }
  } else {
    let name: string | undefined;
    try {
      name = lossName(c.loss);
    } catch { /* reported below */ }
    if (name !== c.loss) {
      throw new TypeError(
        `${who}: expected config.loss to be meanSquaredError, meanAbsoluteError, ` +
          `binaryCrossentropy or sparseCategoricalCrossentropy, found ${literal(c.loss)}`,
      );
    }
  }
  metricNames(c.metrics, `${who}: config`);
  checkLearningRate(c.learningRate, who, "config.learningRate");
  if (version === 1) {
    if (c.schedule !== undefined) {
      throw new TypeError(
        `${who}: a config of format version 1 has no schedule, found ${describe(c.schedule)}`,
      );
    }
  } else if (c.schedule !== null) {
    checkSchedule(c.schedule as never, `${who}: config`);
  }
  checkOptimizer(c.optimizer, who);
  const target = checkTarget(c.target, who);
  if (target.type === "classes" && target.values.length !== units) {
    throw new RangeError(
      `${who}: config.target has ${target.values.length} classes but config.outputUnits is ${units}`,
    );
  }
}

/** Checks the layout fields of a built model's config. */
function checkBuilt(c: Record<string, unknown>, kind: ModelKind, who: string) {
  // `fused` came late in format 2, and some format-3 files of a side branch lack it: false.
  if (c.fused !== undefined) checkBoolean(c.fused, "config.fused", who);
  if (c.fused === true && !DOT_KINDS.has(kind)) {
    throw new TypeError(`${who}: config.fused is true, but kind "${kind}" has no fused form`);
  }
  checkPositiveInt(c.factors, "config.factors", who);
  checkNonNegativeNumber(c.l2, "config.l2", who);
  checkNonNegativeNumber(c.biasL2, "config.biasL2", who);
  for (const name of ["initializer", "biasInitializer", "kernelInitializer"]) {
    normaliseInitializer(c[name] as never, `${who}: config.${name}`);
  }
  const { yRange } = c;
  if (yRange !== null) {
    if (!RANGE_KINDS.has(kind)) {
      throw new TypeError(
        `${who}: expected config.yRange null for kind "${kind}", found ${literal(yRange)}`,
      );
    }
    if (!Array.isArray(yRange) || !yRange.every((v) => typeof v === "number")) {
      throw new TypeError(
        `${who}: expected config.yRange to be null or [low, high] of numbers, found ${
          literal(yRange)
        }`,
      );
    }
    if (yRange.length !== 2 || !yRange.every(Number.isFinite) || !(yRange[0] < yRange[1])) {
      throw new RangeError(
        `${who}: expected config.yRange to be null or [low, high], finite, with low < high, ` +
          `found ${literal(yRange)}`,
      );
    }
  }
  const hidden = c.hidden;
  if (!Array.isArray(hidden)) {
    throw new TypeError(
      `${who}: expected config.hidden to be an array of sizes, found ${describe(hidden)}`,
    );
  }
  hidden.forEach((h, i) => checkPositiveInt(h, `config.hidden[${i}]`, who));
  if (DOT_KINDS.has(kind) && hidden.length > 0) {
    throw new RangeError(
      `${who}: kind "${kind}" has no hidden layers, found config.hidden ${literal(hidden)}`,
    );
  }
  rate(c.inputDropout, "config.inputDropout", who);
  if (!Array.isArray(c.dropout) || c.dropout.length !== hidden.length) {
    throw new RangeError(
      `${who}: expected config.dropout to hold one rate per hidden layer (${hidden.length}), ` +
        `found ${literal(c.dropout)}`,
    );
  }
  c.dropout.forEach((r, i) => rate(r, `config.dropout[${i}]`, who));
  activationName(c.activation, "config.activation", who);
  activationName(c.outputActivation, "config.outputActivation", who);
  if (kind === "hybrid") {
    const m = object(c.metadata, "config.metadata", who);
    const columns = m.columns;
    if (
      !Array.isArray(columns) || columns.length === 0 || columns.some((n) => typeof n !== "string")
    ) {
      throw new TypeError(
        `${who}: expected config.metadata.columns to be column names, found ${literal(columns)}`,
      );
    }
    if (m.fitOn !== "movies" && m.fitOn !== "ratings") {
      throw new TypeError(
        `${who}: expected config.metadata.fitOn "movies" or "ratings", found ${literal(m.fitOn)}`,
      );
    }
    if (
      !Array.isArray(m.scalers) || m.scalers.length !== columns.length ||
      !m.scalers.every(isPlainObject)
    ) {
      throw new RangeError(
        `${who}: expected config.metadata.scalers to hold one scaler per column (${columns.length}), ` +
          `found ${describe(m.scalers)}`,
      );
    }
  } else if (c.metadata !== null) {
    throw new TypeError(
      `${who}: expected config.metadata null for kind "${kind}", found ${describe(c.metadata)}`,
    );
  }
  const type = (c.target as TargetTransform).type;
  if (type !== KIND_TARGET[kind]) {
    throw new TypeError(
      `${who}: kind "${kind}" is built with a target of type "${KIND_TARGET[kind]}", ` +
        `found config.target.type ${literal(type)}`,
    );
  }
}

/**
 * Checks a saved config against what `buildModel()` or `recommender()` makes, for a format
 * version (its kind and seed are checked by the caller).
 *
 * @param config The config as read from the file.
 * @param kind The section's kind (checked).
 * @param version The section's format version (1 to 3).
 * @param who The caller and the file, e.g. `"loadRecommender(): /m/model.json"`.
 * @returns The config, typed.
 * @throws {TypeError} When a field is missing or of the wrong type, or unknown (a loss, a
 *   target type, an activation).
 * @throws {RangeError} When a field's value is out of range (`factors` not a positive integer,
 *   a target range with min >= max, a non-finite number).
 */
export function checkSavedConfig(
  config: unknown,
  kind: RecommenderKind,
  version: number,
  who: string,
): RecommenderConfig {
  const c = object(config, "config", who);
  checkTraining(c, version, who);
  if (kind !== "custom") checkBuilt(c, kind, who);
  return c as unknown as RecommenderConfig;
}

/**
 * Checks a saved catalogue: `[movieId, title, genres, year or null]` rows.
 *
 * @param catalog The catalogue as read from the file.
 * @param who The caller and the file.
 */
export function checkSavedCatalog(catalog: unknown, who: string): void {
  if (catalog === null) return;
  if (!Array.isArray(catalog)) {
    throw new TypeError(
      `${who}: expected catalog to be an array or null, found ${describe(catalog)}`,
    );
  }
  catalog.forEach((row, i) => {
    const ok = Array.isArray(row) && row.length === 4 && Number.isInteger(row[0]) &&
      typeof row[1] === "string" && typeof row[2] === "string" &&
      (row[3] === null || (typeof row[3] === "number" && Number.isFinite(row[3])));
    if (!ok) {
      throw new TypeError(
        `${who}: expected catalog[${i}] to be [movieId, title, genres, year or null], found ${
          literal(row)
        }`,
      );
    }
  });
}

/**
 * Checks saved popularity counts: non-negative integers, or null.
 *
 * @param counts The counts as read from the file.
 * @param who The caller and the file.
 */
export function checkSavedCounts(counts: unknown, who: string): void {
  if (counts === null) return;
  if (!Array.isArray(counts)) {
    throw new TypeError(
      `${who}: expected movieCounts to be an array or null, found ${describe(counts)}`,
    );
  }
  counts.forEach((n, i) => checkInteger(n, `movieCounts[${i}]`, who, { min: 0, max: INT32_MAX }));
}

/**
 * Checks the epochs a saved model had trained (absent in format 1: none counted).
 *
 * @param epochs The field as read from the file.
 * @param version The format version.
 * @param who The caller and the file.
 */
export function checkSavedEpochs(epochs: unknown, version: number, who: string): void {
  if (epochs === undefined && version === 1) return;
  checkNonNegativeInt(epochs, "epochs", who);
}
