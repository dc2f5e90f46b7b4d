/**
 * Repeating a training over several seeds: one comparison between two models on one seed can be
 * decided by the random initial weights, shuffles and dropout masks alone. This trains the same
 * model once per seed — a `buildModel` kind, or a function that writes the model as tfjs code —
 * and reports the test errors of every run with their mean and spread.
 *
 * @module
 */

import { interruptible } from "../_interrupt.ts";
import { checkSeed, withRandomSeed } from "../random.ts";
import { checkMonitorOptions, type Verbosity } from "./_engine.ts";
import {
  checkBoolean,
  checkOptionKeys,
  type DataFrame,
  describe,
  isDataFrame,
  ratingColumns,
} from "../_validate.ts";
import { buildModel, type ModelOptions } from "./build.ts";
import { checkRecommender } from "./_usable.ts";
import { disposeRecommender } from "./dispose.ts";
import { predictRatings } from "./predict.ts";
import type { ModelKind, Recommender, RecommenderKind } from "./recommender.ts";
import { train, TRAIN_OPTIONS, type TrainOptions } from "./train.ts";

/** Options of {@linkcode trainOverSeeds}: the ratings to score on, the seeds, and training. */
export interface OverSeedsOptions extends Omit<TrainOptions, "seed" | "verbose"> {
  /**
   * Ratings (userId, movieId, rating) every trained model is scored on. Required.
   * @default {undefined} (a TypeError asks for it)
   */
  test: DataFrame;
  /**
   * The seeds. Each one seeds both the model's initial weights (`seed` of `buildModel`, or
   * `setRandomSeed` while a model function runs) and its training (`seed` of `train`: shuffles
   * and dropout masks).
   * @default {[42, 43, 44]}
   */
  seeds?: number[];
  /**
   * Models already trained with some of the seeds (the seed is read from `config.seed`, and
   * they are assumed trained with that seed): they are scored, not trained again.
   * @default {[]}
   */
  trained?: Recommender[];
  /**
   * Progress of each training (one live line each with `"auto"`).
   * @default {"auto"}
   */
  verbose?: Verbosity;
  /**
   * Return the models in `models` (the caller frees them with `disposeRecommender`) instead of
   * freeing each one once it is scored.
   * @default {false}
   */
  keep?: boolean;
}

/** Every option of {@linkcode trainOverSeeds}: its own and `train()`'s but `seed`. */
const { seed: _seed, ...TRAIN_OPTIONS_BUT_SEED } = TRAIN_OPTIONS;
const OVER_SEEDS_OPTIONS: Record<keyof OverSeedsOptions, true> = {
  ...TRAIN_OPTIONS_BUT_SEED,
  test: true,
  seeds: true,
  trained: true,
  verbose: true,
  keep: true,
};

/** Errors of one seed's model on the test ratings. */
export interface SeedRun {
  /** The seed. */
  seed: number;
  /** Mean squared error (squared stars). */
  mse: number;
  /** Root mean squared error (stars). */
  rmse: number;
  /** Mean absolute error (stars). */
  mae: number;
}

/** Mean and sample standard deviation of each error over the runs. */
export interface SeedSpread {
  /** Of the MSE. */
  mse: number;
  /** Of the RMSE. */
  rmse: number;
  /** Of the MAE. */
  mae: number;
}

/** What {@linkcode trainOverSeeds} returns. */
export interface OverSeeds {
  /** The model kind (`"custom"` for a model function). */
  kind: RecommenderKind;
  /** One entry per seed, in the order of `seeds`. */
  runs: SeedRun[];
  /** Mean of each error over the runs. */
  mean: SeedSpread;
  /** Sample standard deviation (n − 1) of each error; 0 for a single run. */
  sd: SeedSpread;
  /**
   * With `keep: true`, the model of every seed in the order of `seeds` (those given in
   * `trained` included); absent otherwise, the models trained here having been freed.
   */
  models?: Recommender[];
}

function errorsOf(seed: number, y: Float64Array, p: Float32Array): SeedRun {
  let sq = 0, abs = 0;
  for (let i = 0; i < y.length; i++) {
    const d = p[i] - y[i];
    sq += d * d;
    abs += Math.abs(d);
  }
  const mse = sq / y.length;
  return { seed, mse, rmse: Math.sqrt(mse), mae: abs / y.length };
}

function spread(runs: SeedRun[]): { mean: SeedSpread; sd: SeedSpread } {
  const keys = ["mse", "rmse", "mae"] as const;
  const mean = { mse: 0, rmse: 0, mae: 0 }, sd = { mse: 0, rmse: 0, mae: 0 };
  for (const k of keys) {
    const values = runs.map((r) => r[k]);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[k] = m;
    sd[k] = values.length < 2
      ? 0
      : Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
  }
  return { mean, sd };
}

/**
 * Builds and trains the same model once per seed and scores every run on the test ratings.
 *
 * @param kind The model kind (see `buildModel`), or a function that writes the model for a seed
 *   and wraps it (`(seed) => recommender(myNet(), { ...encoders, seed })`); it runs inside
 *   `withRandomSeed(seed, …)`, so layers without their own seed are initialised from `seed`.
 * @param modelOptions The options of `buildModel`, with the training ratings in `ratings`
 *   (their `seed` is replaced by each seed in turn); for a model function, `{ ratings }`.
 * @param options The test ratings, the seeds, already-trained models, and the options of
 *   `train()` (epochs, batch size, validation, …).
 * @returns The errors of every run, their mean and their standard deviation, and with
 *   `keep: true` the models. Without `keep`, every model trained here is freed once scored
 *   (and all of them when a run fails); models given in `trained` are the caller's.
 * @throws {TypeError} Without training ratings or test ratings, on an unknown option (naming it
 *   and the option it most likely meant: `seeds`, not `seed`), a seed that is not a number, or
 *   when a model function does not return a Recommender.
 * @throws {RangeError} On an empty or repeated list of seeds, or a seed that is not an integer
 *   from 0 to `MAX_SEED` (naming its position).
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { trainOverSeeds } from "./over_seeds.ts";
 * import { assertEquals } from "@std/assert";
 * const ratings = pl.DataFrame({ userId: [1, 1, 2, 2], movieId: [1, 2, 1, 2], rating: [5, 1, 1, 5] });
 * const result = await trainOverSeeds("dot-bias", { ratings, factors: 2 }, {
 *   test: ratings, seeds: [1, 2], epochs: 2, batchSize: 4, verbose: 0,
 * });
 * assertEquals(result.runs.length, 2);
 * assertEquals(result.sd.mae >= 0, true);
 * ```
 */
export async function trainOverSeeds(
  kind: ModelKind | ((seed: number) => Recommender),
  modelOptions: ModelOptions,
  options: OverSeedsOptions,
): Promise<OverSeeds> {
  const where = "trainOverSeeds()";
  if (typeof modelOptions !== "object" || modelOptions === null) {
    throw new TypeError(`${where}: expected model options, found ${describe(modelOptions)}`);
  }
  const ratings = modelOptions.ratings;
  if (!isDataFrame(ratings)) {
    throw new TypeError(
      `${where}: expected the training ratings in modelOptions.ratings, found ${describe(ratings)}`,
    );
  }
  if (typeof options !== "object" || options === null || !isDataFrame(options.test)) {
    throw new TypeError(
      `${where}: expected the test ratings in options.test, found ${describe(options?.test)}`,
    );
  }
  // "schedule": a recipe's fit spread whole; train() accepts it when it is the model's own.
  checkOptionKeys(options, [...Object.keys(OVER_SEEDS_OPTIONS), "schedule"], where);
  const { test, seeds = [42, 43, 44], trained = [], keep = false, ...fit } = options;
  checkBoolean(keep, "keep", where);
  checkMonitorOptions(fit.earlyStopping, fit.keepBestWeights, where); // before any model is built
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw new RangeError(`${where}: expected at least one seed, found ${describe(seeds)}`);
  }
  seeds.forEach((s, i) => checkSeed(s, where, `seeds[${i}]`));
  if (new Set(seeds).size !== seeds.length) {
    throw new RangeError(`${where}: expected distinct seeds, found [${seeds.join(", ")}]`);
  }
  const y = ratingColumns(test, where, true).ratings;
  const runs: SeedRun[] = [];
  const models: Recommender[] = [];
  const name: RecommenderKind = typeof kind === "function" ? "custom" : kind;
  // The models made here: freed once scored (or on an error), unless they are to be kept.
  const own: Recommender[] = [];
  try {
    // One interruptible operation: an interrupt between two seeds stops the next training.
    await interruptible(async () => {
      for (const seed of seeds) {
        let rec = trained.find((t) => t.kind === name && t.config.seed === seed);
        if (!rec) {
          rec = typeof kind === "function"
            ? withRandomSeed(seed, () => kind(seed))
            : buildModel(kind, { ...modelOptions, seed });
          checkRecommender(rec, `${where}: the model for seed ${seed}`);
          own.push(rec);
          await train(rec, ratings, { ...fit, seed });
        }
        runs.push(errorsOf(seed, y, predictRatings(rec, test)));
        models.push(rec);
        if (!keep && own.at(-1) === rec) disposeRecommender(own.pop()!);
      }
    });
  } catch (e) {
    own.forEach(disposeRecommender);
    throw e;
  }
  return keep
    ? { kind: name, runs, ...spread(runs), models }
    : { kind: name, runs, ...spread(runs) };
}
