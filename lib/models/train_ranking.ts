/**
 * Training a {@linkcode Recommender} for ranking on implicit feedback, and scoring whole
 * catalogue rows with it.
 *
 * A ranking model is written in a notebook like any other: two id inputs, a user and a movie
 * embedding table, a movie bias, their dot product plus the bias as the output, compiled with
 * an optimizer and a ranking loss (`softmaxLoss`, `bprLoss`, `weightedSquaredLoss` or any
 * `(positives, scores, batch) => scalar` function), then wrapped with `recommender()`.
 * {@linkcode trainRanking} finds the tables from the graph, checks on a few (user, movie) pairs
 * that the model's output is indeed `P[u]·Q[m] + b[m]` (+ `b[u]`), and trains them with the
 * engine's ranking loop (`fitRanking`): batches of users, every catalogue movie scored at once.
 * {@linkcode rankingScorer} turns any recommender into the scorer the top-k protocol needs —
 * one matrix product for such a model, a batched forward pass over every (user, movie) pair
 * for any other (a rating model then ranks by predicted stars).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import {
  allLayers,
  compiledState,
  REGULARIZER_FIELDS,
  TRAINING_ONLY_LAYERS,
} from "../_tfjs_internals.ts";
import {
  checkLearningRate,
  checkOptionKeys,
  checkPositiveInt,
  type DataFrame,
  describe,
  encodeIds,
  ratingColumns,
} from "../_validate.ts";
import {
  type CatalogueScorer,
  interactionMatrix,
  type RankingTask,
} from "../eval/ranking_protocol.ts";
import {
  catalogueScores,
  fitRanking,
  type History,
  predictOutputs,
  RANKING_LOOP_OPTIONS,
  type RankingLoss,
  rankingNumbers,
  type RankingPenalty,
  type RankingTables,
  setTrainedEpochs,
  trainedEpochs,
  useFusedAdam,
  type Verbosity,
} from "./_engine.ts";
import { scoreIndices } from "./_inputs.ts";
import { checkRecommender } from "./_usable.ts";
import { findTables } from "./_weights.ts";
import { markInStep, syncConfig } from "./compile.ts";
import type { Recommender } from "./recommender.ts";

/** Options of {@linkcode trainRanking}. */
export interface TrainRankingOptions {
  /**
   * The loss.
   * @default {the function the model was compiled with}
   */
  loss?: RankingLoss;
  /**
   * Passes over the users.
   * @default {1}
   */
  epochs?: number;
  /**
   * Users per step.
   * @default {64}
   */
  batchUsers?: number;
  /**
   * Strength of the loop's count-weighted L2 term on the factor tables (see `fitRanking`; not
   * with `penalty`).
   * @default {0}
   */
  l2?: number;
  /**
   * Power of the count weights (0: plain L2; not with `penalty`).
   * @default {0.5}
   */
  l2Power?: number;
  /**
   * A penalty of one's own instead of the loop's L2 term: a function of each step's rows (the
   * batch users' factor rows and the movie table) that returns a scalar, added to the loss.
   * @default {undefined}
   */
  penalty?: RankingPenalty;
  /**
   * Sampled negatives per positive (BPR needs at least 1).
   * @default {0}
   */
  negatives?: number;
  /**
   * Learning rate for this call, written to the config and kept for later calls.
   * @default {rec.config.learningRate}
   */
  learningRate?: number;
  /**
   * Seed of the shuffles and negatives.
   * @default {rec.config.seed}
   */
  seed?: number;
  /**
   * Progress: one live line in notebooks and terminals.
   * @default {"auto"}
   */
  verbose?: Verbosity;
  /**
   * Called after every epoch with its logs (e.g. to score a validation part); returning `true`
   * stops training.
   * @default {undefined}
   */
  onEpochEnd?: (epoch: number, logs: Record<string, number>) => unknown;
}

/** Every option of {@linkcode trainRanking} (the type makes the list complete). */
const TRAIN_RANKING_OPTIONS: Record<keyof TrainRankingOptions, true> = {
  ...RANKING_LOOP_OPTIONS,
  learningRate: true,
};
// A spread escapes the check for keys the type lacks: every shared option must be one of ours.
type NotOurs = Exclude<keyof typeof RANKING_LOOP_OPTIONS, keyof TrainRankingOptions>;
const _sharedAreOurs: [NotOurs] extends [never] ? true : never = true;

/** Rows of the tables used for the score check: first, middle and last of each side. */
function probeRows(size: number): number[] {
  return [...new Set([0, Math.floor(size / 2), size - 1])];
}

/**
 * What of the model the ranking loop would leave out, or null: it trains the tables alone with
 * its own L2 term, so a weight regulariser, a weight constraint or a layer that acts only in
 * training (all invisible to the score check, which runs the model in inference) would be
 * dropped without a word.
 */
function notRunByTheLoop(model: tf.LayersModel): string | null {
  for (const layer of allLayers(model)) {
    const l = layer as unknown as Record<string, unknown>;
    const cls = layer.getClassName();
    if (Object.hasOwn(TRAINING_ONLY_LAYERS, cls)) {
      return `layer "${layer.name}" (${cls}) acts only in training, and the ranking loop ` +
        "trains the tables alone, without it; remove the layer";
    }
    for (const [field] of REGULARIZER_FIELDS) {
      if (l[field] != null) {
        return `layer "${layer.name}" sets ${field}, which the ranking loop does not apply ` +
          "(it has its own L2 term); remove it and pass { l2 } (and l2Power) instead";
      }
    }
  }
  for (const w of model.weights) {
    if ((w as unknown as { constraint?: unknown }).constraint != null) {
      return `weight "${w.originalName}" has a constraint, which the ranking loop does not ` +
        "apply; remove it";
    }
  }
  return null;
}

/**
 * The tables of a recommender whose output is the dot product of its user and movie factor
 * tables plus their biases, or a reason why it is not one.
 */
function dotTables(rec: Recommender): RankingTables | string {
  const left = notRunByTheLoop(rec.model);
  if (left !== null) return left;
  const found = findTables(rec.model);
  if (!found.userFactors || !found.movieFactors) {
    return "it has no user and movie factor tables (embeddings fed by the two id inputs)";
  }
  const tables: RankingTables = {
    userFactors: found.userFactors.read() as tf.Variable,
    movieFactors: found.movieFactors.read() as tf.Variable,
  };
  if (found.movieBias) tables.movieBias = found.movieBias.read() as tf.Variable;
  if (found.userBias) tables.userBias = found.userBias.read() as tf.Variable;
  if (rec.config.outputUnits !== 1) return `it has ${rec.config.outputUnits} output units`;
  const us = probeRows(rec.users.size), ms = probeRows(rec.movies.size);
  const u = Int32Array.from(us.flatMap((r) => ms.map(() => r)));
  const m = Int32Array.from(us.flatMap(() => ms));
  const x = [tf.tensor2d(u, [u.length, 1], "int32"), tf.tensor2d(m, [m.length, 1], "int32")];
  const s = tf.tensor1d(u, "int32");
  try {
    const model = predictOutputs(rec.model, x);
    const expected = tf.tidy(() => {
      const all = catalogueScores(tables, s);
      return tf.gather(
        tf.reshape(all, [-1]),
        tf.tensor1d(m.map((c, i) => i * rec.movies.size + c), "int32"),
      );
    });
    const want = expected.dataSync();
    expected.dispose();
    for (let i = 0; i < want.length; i++) {
      if (!(Math.abs(model[i] - want[i]) <= 1e-4 * (1 + Math.abs(want[i])))) {
        return `its output for user row ${u[i]} and movie row ${m[i]} is ${model[i]}, not the ` +
          `dot product of the factors plus the biases, ${want[i]}`;
      }
    }
  } finally {
    tf.dispose([...x, s]);
  }
  return tables;
}

/**
 * Checks the options of {@linkcode trainRanking} before anything changes (the learning rate
 * with `train()`'s check, the loop's numbers and seed with `fitRanking()`'s), so a rejected call
 * leaves the config and the weights as they were. Absent options keep their defaults.
 */
function checkOptions(options: TrainRankingOptions, where: string): void {
  checkOptionKeys(options, Object.keys(TRAIN_RANKING_OPTIONS), where);
  rankingNumbers(options, where);
  if (options.learningRate !== undefined) checkLearningRate(options.learningRate, where);
}

function compiledLoss(rec: Recommender, where: string): RankingLoss {
  const state = compiledState(rec.model);
  const loss = Array.isArray(state?.loss) ? state?.loss[0] : state?.loss;
  if (typeof loss === "function") return loss as RankingLoss;
  throw new TypeError(
    `${where}: the model was compiled with the loss ${JSON.stringify(loss)}, not a ranking ` +
      "loss; compile it with one (softmaxLoss, bprLoss, weightedSquaredLoss or a " +
      "(positives, scores, batch) function) or pass { loss }",
  );
}

/**
 * Trains a recommender for ranking: every rating of `ratings` is a positive (stars ignored),
 * and the engine's ranking loop (`fitRanking`) trains the model's factor tables and biases
 * with the loss, the count-weighted L2 term or the given penalty, sampled negatives if asked
 * for, and the compiled optimizer (a compiled `tf.train.adam` becomes the fused Adam). The
 * config owns the learning rate, as in `train()`. Epochs are counted on from the model's
 * earlier training.
 *
 * @param rec A recommender whose output is `P[u]·Q[m] + b[m]` (+ `b[u]`), compiled with a
 *   ranking loss (or given one in `options.loss`).
 * @param ratings Training ratings (userId, movieId); every id must be known to the encoders.
 * @param options Loss, epochs, batch, L2 or penalty, negatives, learning rate, seed, progress.
 * @returns The history (`loss` per epoch).
 * @throws {TypeError} When `rec` is not a Recommender, an option is unknown (naming it and the
 *   option it most likely meant), a `penalty` comes with `l2` or `l2Power`, or the model is not
 *   such a dot-product model (saying why: a weight regulariser or constraint, or a layer that
 *   acts only in training, such as a dropout, would be left out by the loop, so each is
 *   refused), is not compiled, or has no ranking loss; a `RangeError` for an unknown id, a
 *   recommender freed by `disposeRecommender()` or by hand, or a bad option (a `learningRate`
 *   that is not a finite number > 0, as in `train()`; `epochs` or `batchUsers` not a positive
 *   integer; a negative `l2`; a `seed` outside 0 to `MAX_SEED`; …), checked before the config
 *   or the weights change.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { fitEncoders, ratingsFrame } from "../data/mod.ts";
 * import { adam, setupBackend, softmaxLoss } from "../train/mod.ts";
 * import { recommender, trainRanking } from "./mod.ts";
 * await setupBackend({ backend: "cpu" });
 * const ratings = ratingsFrame({ userId: [1, 1, 2, 2], movieId: [10, 20, 30, 40], rating: [5, 4, 3, 5] });
 * const { users, movies } = fitEncoders(ratings);
 * const user = tf.input({ shape: [1], dtype: "int32" }), movie = tf.input({ shape: [1], dtype: "int32" });
 * const p = tf.layers.embedding({ inputDim: users.size, outputDim: 4 }).apply(user);
 * const q = tf.layers.embedding({ inputDim: movies.size, outputDim: 4 }).apply(movie);
 * const dot = tf.layers.flatten().apply(tf.layers.dot({ axes: -1 }).apply([p, q] as tf.SymbolicTensor[]));
 * const model = tf.model({ inputs: [user, movie], outputs: dot as tf.SymbolicTensor });
 * model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: softmaxLoss });
 * const rec = recommender(model, { users, movies });
 * const h = await trainRanking(rec, ratings, { epochs: 20, verbose: 0 });
 * assertEquals(h.epoch.length, 20);
 * ```
 */
export async function trainRanking(
  rec: Recommender,
  ratings: DataFrame,
  options: TrainRankingOptions = {},
): Promise<History> {
  const where = "trainRanking()";
  checkRecommender(rec, where);
  checkOptions(options, where);
  syncConfig(rec, where);
  const loss = options.loss ?? compiledLoss(rec, where);
  if (typeof loss !== "function") {
    throw new TypeError(
      `${where}: expected options.loss to be a function, found ${describe(loss)}`,
    );
  }
  const tables = dotTables(rec);
  if (typeof tables === "string") {
    throw new TypeError(
      `${where}: expected a model whose output is the dot product of its user and movie ` +
        `factor tables plus their biases (the ranking loop scores the whole catalogue with ` +
        `one matrix product), but ${tables}`,
    );
  }
  const cols = ratingColumns(ratings, where, false);
  const positives = interactionMatrix(
    encodeIds(rec.users, cols.userIds, "user", where, "ratings"),
    encodeIds(rec.movies, cols.movieIds, "movie", where, "ratings"),
    rec.users.size,
    rec.movies.size,
  );
  const config = rec.config;
  if (options.learningRate !== undefined) {
    config.learningRate = options.learningRate;
    config.schedule = null;
  } else if (config.schedule !== null) {
    throw new RangeError(
      `${where}: the ranking loop runs a constant learning rate, and this model's config has a ` +
        "schedule; pass { learningRate }",
    );
  }
  await useFusedAdam(rec.model); // before the rate set below
  const optimizer = rec.model.optimizer as tf.Optimizer & { learningRate?: number };
  if (Number.isFinite(config.learningRate)) optimizer.learningRate = config.learningRate;
  const initialEpoch = trainedEpochs(rec.model);
  try {
    const history = await fitRanking(tables, positives, {
      loss,
      optimizer,
      epochs: options.epochs,
      batchUsers: options.batchUsers,
      l2: options.l2,
      l2Power: options.l2Power,
      penalty: options.penalty,
      negatives: options.negatives,
      seed: options.seed ?? config.seed,
      initialEpoch,
      verbose: options.verbose,
      onEpochEnd: options.onEpochEnd,
    });
    setTrainedEpochs(rec.model, initialEpoch + history.epoch.length);
    return history;
  } finally {
    markInStep(rec);
  }
}

/** Options of {@linkcode rankingScorer}. */
export interface RankingScorerOptions {
  /**
   * The task the scorer is for: its user and movie encoders must hold the same ids in the same
   * order as the recommender's (checked).
   * @default {undefined}
   */
  task?: RankingTask;
  /**
   * (user, movie) pairs per forward pass, for a model that is not a dot product (only speed
   * and memory change; small batches keep the intermediate tensors small, which is faster).
   * @default {4096}
   */
  batchPairs?: number;
}

/**
 * How the task's ids of one role differ from the recommender's, or null when they are the
 * same in the same order: other sizes (with an id one side lacks), the same ids in another order,
 * or other ids; each naming the first row where they part.
 */
function idsDifference(task: Int32Array, rec: Int32Array, role: "user" | "movie"): string | null {
  let row = 0;
  while (row < task.length && row < rec.length && task[row] === rec[row]) row++;
  if (row === task.length && row === rec.length) return null;
  const mine = new Set(rec), theirs = new Set(task);
  const onlyTask = task.find((id) => !mine.has(id));
  const onlyRec = rec.find((id) => !theirs.has(id));
  const lacks = [
    onlyTask === undefined ? "" : `${role} ${onlyTask} is in the task's only`,
    onlyRec === undefined ? "" : `${role} ${onlyRec} in the recommender's only`,
  ].filter((s) => s !== "").join(", ");
  const at = row < task.length && row < rec.length
    ? `; row ${row} is ${role} ${task[row]} in the task, ${rec[row]} in the recommender`
    : "";
  if (task.length !== rec.length) {
    return `${task.length.toLocaleString("en-US")} ${role}s in the task, ` +
      `${rec.length.toLocaleString("en-US")} in the recommender (${lacks})`;
  }
  if (lacks === "") {
    return `the same ${task.length.toLocaleString("en-US")} ${role} ids in another order${at}`;
  }
  return `${task.length.toLocaleString("en-US")} ${role} ids each, but not the same ones ` +
    `(${lacks})${at}`;
}

/** Every option of {@linkcode rankingScorer} (the type makes the list complete). */
const RANKING_SCORER_OPTIONS: Record<keyof RankingScorerOptions, true> = {
  task: true,
  batchPairs: true,
};

/**
 * The scorer of whole catalogue rows for the top-k protocol (`evaluateRanking`,
 * `topKMovies`): for a dot-product model, `P[users]·Qᵀ + b` in one matrix product; for any
 * other model, its output for every (user, movie) pair, decoded to stars, in batched forward
 * passes (a rating model ranks by predicted rating). Rows and columns follow the recommender's
 * encoders, so build the task with them: `rankingTask(train, test, { users: rec.users, movies:
 * rec.movies })`.
 *
 * @param rec The recommender.
 * @param options The task to check the encoders against, and the batch size.
 * @returns The scorer.
 * @throws {RangeError} When the task's encoders differ from the recommender's, saying how (other
 *   sizes, the same ids in another order, or other ids; the first row where they part).
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { rankingScorer } from "./train_ranking.ts";
 * import { assertEquals } from "@std/assert";
 * const rec = buildModel("dot-bias", { users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([10, 20, 30]), yRange: [0, 5] });
 * assertEquals(rankingScorer(rec)(Int32Array.of(0, 1)).length, 6); // 2 users × 3 movies
 * ```
 */
export function rankingScorer(
  rec: Recommender,
  options: RankingScorerOptions = {},
): CatalogueScorer {
  const where = "rankingScorer()";
  checkOptionKeys(options, Object.keys(RANKING_SCORER_OPTIONS), where);
  checkRecommender(rec, where);
  const batchPairs = checkPositiveInt(options.batchPairs ?? 4096, "batchPairs", where);
  const { task } = options;
  if (task !== undefined) {
    const differences = [
      idsDifference(task.users.ids, rec.users.ids, "user"),
      idsDifference(task.movies.ids, rec.movies.ids, "movie"),
    ].filter((d) => d !== null);
    if (differences.length > 0) {
      throw new RangeError(
        `${where}: the task's encoders differ from the recommender's, so its rows and columns ` +
          `would score the wrong users and movies: ${differences.join("; and ")}; build the ` +
          "task with rankingTask(train, test, { users: rec.users, movies: rec.movies })",
      );
    }
  }
  const n = rec.movies.size;
  const tables = rec.config.target.type === "identity" ? dotTables(rec) : "not identity";
  if (typeof tables !== "string") {
    return (rows) => {
      const u = tf.tensor1d(rows, "int32");
      const s = catalogueScores(tables, u);
      const out = s.dataSync() as Float32Array;
      tf.dispose([u, s]);
      return out;
    };
  }
  const movies = Int32Array.from({ length: n }, (_, j) => j);
  return (rows) => {
    const u = new Int32Array(rows.length * n), m = new Int32Array(rows.length * n);
    for (let b = 0; b < rows.length; b++) {
      u.fill(rows[b], b * n, (b + 1) * n);
      m.set(movies, b * n);
    }
    return scoreIndices(rec, u, m, batchPairs);
  };
}
