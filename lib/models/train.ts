/**
 * Training a {@linkcode Recommender} on a ratings DataFrame: raw ids are encoded with the
 * model's encoders, ratings turned into the model's target (stars, 0–1, centred or class
 * index), and the training engine's `fit` does the rest. The recommender's config owns the
 * learning rate and its schedule: `train()` runs the config's schedule (or rate), and a
 * `learningRate` given to it replaces them in the config, so a saved model reloads with the
 * rate it last trained with.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import {
  checkBackend,
  checkMonitorOptions,
  checkUsable,
  checkVerbosity,
  type EarlyStoppingOptions,
  fit,
  type FitOptions,
  type History,
  type KeepBestWeightsOptions,
  scheduleFrom,
  type Verbosity,
} from "./_engine.ts";
import { markInStep, syncConfig } from "./compile.ts";
import {
  checkBoolean,
  checkLearningRate,
  checkNonNegativeInt,
  checkOptionKeys,
  checkPositiveInt,
  type DataFrame,
  encodeIds,
  isDataFrame,
  ratingColumns,
} from "../_validate.ts";
import { checkSeed } from "../random.ts";
import { checkRecommender } from "./_usable.ts";
import { batchSizeOption, inputTensors } from "./_inputs.ts";
import type { Recommender } from "./recommender.ts";
import { encodeTarget } from "./target.ts";

export type { History } from "./_engine.ts";

/** Options of {@linkcode train}. */
export interface TrainOptions {
  /**
   * Passes over the training ratings.
   * @default {1}
   */
  epochs?: number;
  /**
   * Ratings per gradient step.
   * @default {64}
   */
  batchSize?: number;
  /**
   * Validation ratings (a DataFrame), or a fraction of the training rows to hold out.
   * @default {undefined}
   */
  validation?: DataFrame | number;
  /**
   * Rows per forward pass of the validation evaluation. It changes only speed and memory,
   * except for a model whose output depends on its batch (the tensordot fixture), where Keras
   * semantics are the training batch size.
   * @default {4096}
   */
  validationBatchSize?: number;
  /**
   * Run a dot product of two embedding lookups written as stock layers (with biases and a
   * sigmoid range, when present) as the one fused dot-bias op, on the same weights: the same
   * results, faster. `false` runs every layer as written (to time the layers themselves).
   * @default {true}
   */
  fuse?: boolean;
  /**
   * Learning rate for this call, written to the config (`rec.config.learningRate`, replacing
   * any schedule there) and kept for later calls; else the config's schedule or rate.
   * @default {rec.config.schedule ?? rec.config.learningRate}
   */
  learningRate?: number;
  /**
   * Stop when the validation loss stops improving: `true` (the engine's defaults: watch
   * `val_loss`, patience 0) or the engine's early-stopping options.
   * @default {false}
   */
  earlyStopping?: boolean | EarlyStoppingOptions;
  /**
   * Restore the weights of the best validation epoch at the end: `true` (watch `val_loss`) or
   * the engine's options (`{ monitor: "val_mae" }`).
   * @default {false}
   */
  keepBestWeights?: boolean | KeepBestWeightsOptions;
  /**
   * Seed of the batch shuffles and dropout masks.
   * @default {rec.config.seed}
   */
  seed?: number;
  /**
   * Epochs already run, as Keras' `initial_epoch`: this call's first epoch is
   * `initialEpoch + 1`. By default the epochs the model has run: a trained model continues
   * (its epochs numbered on, its shuffle order not repeated) and the progress line says so.
   * @default {the epochs the model has run}
   */
  initialEpoch?: number;
  /**
   * Progress: `"auto"` shows one live line in notebooks and terminals, none in tests.
   * @default {"auto"}
   */
  verbose?: Verbosity;
  /**
   * Called after every epoch with the absolute epoch (counted from 1) and its logs (`loss`,
   * `val_loss`, …), as Keras' `on_epoch_end`: e.g. to score the model on other ratings at
   * every epoch. The weights are those of the epoch just ended.
   * @default {undefined}
   */
  onEpochEnd?: (epoch: number, logs: Record<string, number>) => void | Promise<void>;
}

/** Every option of {@linkcode train} (the type makes the list complete). */
export const TRAIN_OPTIONS: Readonly<Record<keyof TrainOptions, true>> = {
  epochs: true,
  batchSize: true,
  validation: true,
  validationBatchSize: true,
  fuse: true,
  learningRate: true,
  earlyStopping: true,
  keepBestWeights: true,
  seed: true,
  initialEpoch: true,
  verbose: true,
  onEpochEnd: true,
};

/** Encoded inputs and targets of a ratings DataFrame. */
export interface TrainingTensors {
  /** `[users int32 [n,1], movies int32 [n,1]]`. */
  x: [tf.Tensor2D, tf.Tensor2D];
  /**
   * Targets `float32 [n,1]` after the model's target transform (`[n, units]`, the rating
   * repeated, for a regression model with several output units).
   */
  y: tf.Tensor2D;
}

/**
 * Converts ratings to the model's inputs and targets (the caller disposes the tensors).
 * Unknown ids throw a `RangeError` naming them; NaN ratings or an empty frame throw too.
 *
 * @param rec The recommender (its encoders and target transform are used).
 * @param ratings Ratings with userId, movieId, rating.
 * @returns The tensors.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { buildModel } from "./build.ts";
 * import { trainingTensors } from "./train.ts";
 * import { assertEquals } from "@std/assert";
 * const ratings = pl.DataFrame({ userId: [1, 2], movieId: [7, 7], rating: [0.5, 5] });
 * const rec = buildModel("bce", { ratings, factors: 2 });
 * const { x, y } = trainingTensors(rec, ratings);
 * assertEquals(y.dataSync(), Float32Array.of(0, 1));
 * ```
 */
export function trainingTensors(rec: Recommender, ratings: DataFrame): TrainingTensors {
  return tensorsOf(rec, ratings, "train()", "ratings");
}

/** What to do about ids of a frame that the model's encoders do not know. */
function unknownIdAdvice(frame: "ratings" | "validation", role: "user" | "movie"): string {
  const column = role === "user" ? ', { column: "userId" }' : "";
  return frame === "validation"
    ? "; buildModel() fits the encoders on the ratings it is given: to validate on " +
      `${role}s the training part lacks, fit them on all the ratings and pass them too ` +
      "(buildModel(kind, { ratings: train, ...fitEncoders(allRatings) })), or drop the " +
      `validation rows that unseenRows(train, validation${column}) flags`
    : "; the model's encoders were fitted on other ratings: build the model with these " +
      "(buildModel(kind, { ratings })) or with encoders fitted on all the ratings " +
      "(buildModel(kind, { ratings, ...fitEncoders(allRatings) }))";
}

/** A frame's ids as rows of the model's tables, an unknown id reported with what to do. */
function encodeFrame(
  rec: Recommender,
  cols: { userIds: Float64Array; movieIds: Float64Array },
  who: string,
  frame: "ratings" | "validation",
): [Int32Array, Int32Array] {
  const encode = (role: "user" | "movie") => {
    try {
      return role === "user"
        ? encodeIds(rec.users, cols.userIds, role, who, frame)
        : encodeIds(rec.movies, cols.movieIds, role, who, frame);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new RangeError(e.message + unknownIdAdvice(frame, role), { cause: e.cause });
    }
  };
  return [encode("user"), encode("movie")];
}

/**
 * {@linkcode trainingTensors} for one of the frames `who` takes: an id the encoders do not
 * know is reported naming the frame, the row and what to do (`train(): validation: unknown
 * movie id 45635 in row 17 (…); … fit them on all the ratings …`), and so is a rating the
 * target cannot encode; a frame other than the ratings is also named when it lacks a column or
 * holds a bad value.
 */
function tensorsOf(
  rec: Recommender,
  ratings: DataFrame,
  who: string,
  frame: "ratings" | "validation",
): TrainingTensors {
  const cols = ratingColumns(ratings, frame === "ratings" ? who : `${who}: ${frame}`, true);
  const [users, movies] = encodeFrame(rec, cols, who, frame);
  let target: Float32Array;
  try {
    target = encodeTarget(rec.config.target, cols.ratings);
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    const Class = e.constructor as ErrorConstructor;
    const reason = e.message.replace(/^\w+\(\): /, ""); // encodeTarget() is not the caller's name
    throw new Class(`${who}: ${frame}: ${reason}`, { cause: e });
  }
  const units = rec.config.target.type === "classes" ? 1 : rec.config.outputUnits;
  // Several regression units (the buggy seed-002 fixture): every unit gets the rating, which is
  // what Keras' broadcasting of a [n, 1] target against a [n, 2] output computes.
  const y = units === 1
    ? target
    : Float32Array.from({ length: target.length * units }, (_, i) => target[Math.floor(i / units)]);
  return { x: inputTensors(users, movies), y: tf.tensor2d(y, [target.length, units]) };
}

/**
 * Trains a recommender with the engine's `fit` and returns its history. Losses are on the
 * target scale of the model (stars, or 0–1 for `bce`, …) and include the L2 penalty; compute
 * RMSE/MAE from `predictRatings` for a fair comparison. Epochs are counted from 1; training a
 * trained model continues from its last epoch. A model compiled by hand (a custom one from
 * `recommender()`, or one recompiled) has its optimizer and loss read into the config first.
 *
 * @param rec The recommender to train (its model's weights change).
 * @param ratings Training ratings (userId, movieId, rating).
 * @param options Epochs, batch size, validation, learning rate, early stopping, seed.
 * @returns The per-epoch history.
 * @throws {TypeError} When `rec` is not a Recommender (a bare tf.LayersModel included), or an
 *   option is unknown (naming it and the option it most likely meant) or of the wrong type.
 * @throws {RangeError} For a recommender freed by `disposeRecommender()`, or a bad option value
 *   (`epochs`, `batchSize` or `validationBatchSize` not a positive integer, a `seed` that is not
 *   an integer from 0 to `MAX_SEED`, a `learningRate` that is not a finite number > 0, …),
 *   before the model changes.
 * @throws {InterruptedError} on Kernel › Interrupt in the Jupyter kernel, after the current
 *   batch (the model keeps the weights of that batch; training again goes on from them).
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { assertEquals } from "@std/assert";
 * import { buildModel } from "./build.ts";
 * import { train } from "./train.ts";
 * const ratings = pl.DataFrame({ userId: [1, 1, 2, 2], movieId: [1, 2, 1, 2], rating: [5, 1, 1, 5] });
 * const rec = buildModel("dot-bias", { ratings, factors: 2, learningRate: 0.05 });
 * const history = await train(rec, ratings, { epochs: 2, batchSize: 4, learningRate: 0.01 });
 * assertEquals([history.epoch, rec.config.learningRate], [[1, 2], 0.01]);
 * const more = await train(rec, ratings, { epochs: 1, batchSize: 4 }); // continues, at 0.01
 * assertEquals([more.epoch, more.learningRate], [[3], [0.01]]);
 * ```
 */
export async function train(
  rec: Recommender,
  ratings: DataFrame,
  options: TrainOptions = {},
): Promise<History> {
  const where = "train()";
  checkRecommender(rec, where);
  checkBackend(where, isDataFrame(ratings) ? ratings.height : 0);
  const fitOptions = fitOptionsFor(rec, options);
  checkUsable(rec.model, where);
  syncConfig(rec, where);
  const config = rec.config;
  if (options.learningRate !== undefined) {
    config.learningRate = options.learningRate;
    config.schedule = null;
  }
  if (config.schedule) fitOptions.schedule = scheduleFrom(config.schedule);
  else fitOptions.learningRate = config.learningRate;
  const data = tensorsOf(rec, ratings, where, "ratings");
  let val: TrainingTensors | undefined;
  try {
    const { validation } = options;
    if (typeof validation === "number") {
      if (!(validation > 0 && validation < 1)) {
        throw new RangeError(
          `${where}: expected a validation fraction in (0, 1), found ${validation}`,
        );
      }
      fitOptions.validationSplit = validation;
    } else if (validation !== undefined) {
      if (!isDataFrame(validation)) {
        throw new TypeError(`${where}: expected validation to be a DataFrame or a fraction`);
      }
      val = tensorsOf(rec, validation, where, "validation");
      fitOptions.validationData = val;
    }
    return await fit(rec.model, data, fitOptions);
  } finally {
    // The engine may have put its fused Adam in place of a compiled tf.train.adam.
    markInStep(rec);
    tf.dispose([...data.x, data.y]);
    if (val) tf.dispose([...val.x, val.y]);
  }
}

/** Whether `given` is the phases of the model's own step schedule (a recipe's `fit.schedule`). */
function isOwnSchedule(rec: Recommender, given: unknown): boolean {
  const own = rec.config.schedule;
  if (own?.type !== "steps" || !Array.isArray(given) || given.length !== own.phases.length) {
    return false;
  }
  return given.every((p, i) =>
    p?.learningRate === own.phases[i].learningRate && p?.epochs === own.phases[i].epochs
  );
}

/** `train()`'s options as the engine's, checked (the learning rate is the config's). */
function fitOptionsFor(rec: Recommender, options: TrainOptions): FitOptions {
  const where = "train()";
  if (typeof options === "object" && options !== null && "schedule" in options) {
    // A recipe's fit spread whole brings the schedule buildModel() has already read: the same
    // phases are the model's own and pass; another schedule is refused, not silently ignored.
    const { schedule, ...rest } = options as TrainOptions & { schedule?: unknown };
    if (!isOwnSchedule(rec, schedule)) {
      throw new TypeError(
        `${where}: option "schedule" is not this model's: a learning-rate schedule is the ` +
          "model's config (buildModel()'s schedule option, or a recipe's fit.schedule, which " +
          "buildModel() reads), and train() runs it; to train at another rate, pass learningRate",
      );
    }
    options = rest;
  }
  checkOptionKeys(options, Object.keys(TRAIN_OPTIONS), where);
  const { epochs = 1, batchSize = 64 } = options;
  checkPositiveInt(epochs, "epochs", where);
  batchSizeOption(batchSize, where);
  checkMonitorOptions(options.earlyStopping, options.keepBestWeights, where);
  const seed = checkSeed(options.seed ?? rec.config.seed, where);
  if (options.learningRate !== undefined) checkLearningRate(options.learningRate, where);
  const fitOptions: FitOptions = {
    epochs,
    batchSize,
    seed,
    earlyStopping: options.earlyStopping === true
      ? {}
      : options.earlyStopping === false
      ? null
      : options.earlyStopping ?? null,
    keepBestWeights: options.keepBestWeights ?? false,
    verbose: options.verbose === undefined ? "auto" : checkVerbosity(options.verbose, where),
  };
  if (options.initialEpoch !== undefined) {
    fitOptions.initialEpoch = checkNonNegativeInt(options.initialEpoch, "initialEpoch", where);
  }
  if (options.onEpochEnd !== undefined) {
    if (typeof options.onEpochEnd !== "function") {
      throw new TypeError(
        `${where}: expected onEpochEnd to be a function, found ${typeof options.onEpochEnd}`,
      );
    }
    fitOptions.onEpochEnd = options.onEpochEnd;
  }
  if (options.validationBatchSize !== undefined) {
    fitOptions.validationBatchSize = checkPositiveInt(
      options.validationBatchSize,
      "validationBatchSize",
      where,
    );
  }
  if (options.fuse !== undefined) fitOptions.fuse = checkBoolean(options.fuse, "fuse", where);
  return fitOptions;
}
