/**
 * Training embeddings for ranking on implicit feedback: {@linkcode fitRanking} trains a user
 * factor table P, a movie factor table Q and a movie bias b so that, for each user, the
 * movies they watched score above the others, with score(u, m) = P[u]·Q[m] + b[m].
 *
 * One step takes a batch of users (shuffled every epoch, seeded) and scores the **whole
 * catalogue** for them at once: `S = P[users] · Qᵀ + b`, one dense product on the engine's SIMD
 * matrix kernel (a 64-user batch of ml-100k is a 64 × 64 by 64 × 1,682 product). The loss is
 * any function of that score matrix and of the batch's positives (the 0/1 rows of the users'
 * training movies), such as the three of `ranking_losses.ts`:
 * - a softmax over the catalogue per user, whose cross-entropy rewards the share of the
 *   user's probability mass that lands on their movies (no sampling at all);
 * - BPR, which gathers from S the score of every positive and of sampled negatives of the same
 *   user and pushes each positive above its negatives (softplus of the score difference);
 * - a weighted squared loss, which pulls positives towards 1 and every score towards 0.
 *
 * To the loss the step adds a penalty on the rows it touched. Either a function of those rows
 * (`penalty`: the batch users' factor rows and the whole movie table, on the tape, so a notebook
 * can write its own term), or the loop's own L2 term weighted by training counts:
 * `l2 · (mean over the batch users of w_u |P_u|² + mean over all movies of w_m |Q_m|²)` with
 * `w = (max(count, 1) / mean count)^l2Power`: rows seen more often are held more firmly, rows
 * seen rarely barely (`l2Power` 0 gives plain L2; the recipes use 0.5, square-root weights, a
 * choice of this project that no recorded study has measured). The biases are not penalised.
 * Gradients come from the tape; the engine's fused Adam applies them. Negatives come from the
 * library's seeded generator, so a seed fixes the whole run.
 *
 * @module
 */

import { cpuSeconds } from "./_clock.ts";
import * as tf from "@tensorflow/tfjs";
import { interruptCheck, interruptDue, InterruptedError, interruptible } from "../_interrupt.ts";
import { stoppedAt, tick, variableGradsFreeingTape } from "./_loop.ts";
import { checkSeed, createRng, type Rng } from "../random.ts";
import { RANKING_LOOP_OPTIONS } from "./_ranking_options.ts";
import {
  checkFiniteNumber,
  checkNonNegativeInt,
  checkNonNegativeNumber,
  checkOptionKeys,
  checkPositiveInt,
  describe,
} from "../_validate.ts";
import { emptyHistory, type History, recordEpoch, summaryLine } from "./_history.ts";
import { NonFiniteLossError } from "./fit.ts";
import { FusedAdam } from "./optimizer.ts";
import { type TrainingProgress, trainingProgress, type Verbosity } from "./progress.ts";
import type { InteractionMatrix } from "../data/types.ts";

/** The trained tables. */
export interface RankingTables {
  /** User factors, `[users, d]`. */
  userFactors: tf.Variable;
  /** Movie factors, `[movies, d]`. */
  movieFactors: tf.Variable;
  /** Movie biases, `[movies, 1]` or `[movies]` (optional). */
  movieBias?: tf.Variable;
  /** User biases, `[users, 1]` or `[users]` (optional; a softmax or BPR ignores them). */
  userBias?: tf.Variable;
}

/** What a loss sees of a batch besides the scores and the positives. */
export interface RankingBatch {
  /** User rows of the batch, `[B]` int32. */
  users: tf.Tensor1D;
  /** Number of positives (training movies) of the batch users. */
  count: number;
  /**
   * Flat positions `r · catalogue + m` in the `[B, catalogue]` score matrix of every positive
   * (batch row r, movie m), row after row; `[count]` int32.
   */
  positive: tf.Tensor1D;
  /**
   * Flat positions of the sampled negatives: `negatives` per positive, drawn uniformly from
   * the catalogue for the positive's user (a drawn movie may happen to be a positive too);
   * `[count × negatives]` int32. Reading it when `negatives` is 0 is an error.
   */
  readonly negative: tf.Tensor1D;
  /** Negatives per positive. */
  negatives: number;
}

/**
 * A ranking loss: from the batch's 0/1 positives `[B, catalogue]` and scores `[B, catalogue]`
 * (and the batch, for sampled negatives), a scalar to minimise. Written like a Keras loss,
 * `(yTrue, yPred)`, with one more argument, so that it can be given to `model.compile` as the
 * model's loss; the training loop always passes the batch.
 */
export type RankingLoss = (
  positives: tf.Tensor,
  scores: tf.Tensor,
  batch?: RankingBatch,
) => tf.Tensor;

/** What a {@linkcode RankingPenalty} sees of a step: the rows the step's scores are made of. */
export interface PenaltyRows {
  /** User rows of the batch, `[B]` int32. */
  users: tf.Tensor1D;
  /** The batch users' factor rows `P[users]`, `[B, d]` (the very tensor the scores use). */
  userFactors: tf.Tensor2D;
  /** The whole movie factor table `Q`, `[movies, d]`. */
  movieFactors: tf.Tensor2D;
}

/**
 * A penalty on a step's rows, added to the loss on the tape (so its gradient reaches the tables):
 * a function of the batch users' factor rows and the movie table that returns a scalar tensor.
 */
export type RankingPenalty = (rows: PenaltyRows) => tf.Tensor;

/** Options of {@linkcode fitRanking}. */
export interface FitRankingOptions {
  /** The loss. */
  loss: RankingLoss;
  /** The optimizer: the engine's fused Adam (any other tfjs optimizer runs as tfjs runs it). */
  optimizer: tf.Optimizer;
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
   * Strength of the loop's count-weighted L2 term (not with `penalty`).
   * @default {0}
   */
  l2?: number;
  /**
   * Power of the count weights of the L2 term (0: plain L2 on every row; not with `penalty`).
   * @default {0.5}
   */
  l2Power?: number;
  /**
   * A penalty of one's own on each step's rows, instead of the loop's L2 term (`l2` and
   * `l2Power` must then be left out).
   * @default {undefined}
   */
  penalty?: RankingPenalty;
  /**
   * Sampled negatives per positive (for losses that read `batch.negative`).
   * @default {0}
   */
  negatives?: number;
  /**
   * Seed of the user shuffles and the negatives.
   * @default {42}
   */
  seed?: number;
  /**
   * Epochs already run (the first epoch of this call is this + 1; its shuffles are not repeats).
   * @default {0}
   */
  initialEpoch?: number;
  /**
   * Progress: one live line in notebooks and terminals (`"auto"`), nothing (0), …
   * @default {"auto"}
   */
  verbose?: Verbosity;
  /**
   * Called after every epoch (absolute, from 1) with its logs; may be async. Returning `true`
   * stops training after this epoch.
   * @default {undefined}
   */
  onEpochEnd?: (epoch: number, logs: Record<string, number>) => unknown;
}

/** Count weights `(max(count, 1) / mean count)^power` of the rows of one side. */
function countWeights(counts: Float64Array, power: number): Float32Array {
  const mean = counts.reduce((a, c) => a + c, 0) / counts.length;
  return Float32Array.from(counts, (c) => power === 0 ? 1 : Math.pow(Math.max(c, 1) / mean, power));
}

function checkTables(tables: RankingTables, positives: InteractionMatrix, who: string) {
  if (typeof tables !== "object" || tables === null) {
    throw new TypeError(
      `${who}: expected tables { userFactors, movieFactors }, found ${describe(tables)}`,
    );
  }
  const { userFactors: p, movieFactors: q } = tables;
  for (const [name, v] of [["userFactors", p], ["movieFactors", q]] as const) {
    if (!(v instanceof tf.Variable) || v.rank !== 2) {
      throw new TypeError(
        `${who}: expected tables.${name} to be a 2-D tf.Variable, found ${describe(v)}`,
      );
    }
  }
  if (p.shape[1] !== q.shape[1]) {
    throw new RangeError(
      `${who}: expected user and movie factors of the same width, found ${p.shape[1]} and ${
        q.shape[1]
      }`,
    );
  }
  if (p.shape[0] < positives.rows || q.shape[0] !== positives.cols) {
    throw new RangeError(
      `${who}: expected tables of at least ${positives.rows} users and exactly ${positives.cols} movies ` +
        `(the catalogue of the positives), found [${p.shape}] and [${q.shape}]`,
    );
  }
  for (
    const [name, v, rows] of [
      ["movieBias", tables.movieBias, q.shape[0]],
      ["userBias", tables.userBias, p.shape[0]],
    ] as const
  ) {
    if (v === undefined) continue;
    if (!(v instanceof tf.Variable) || v.size !== rows) {
      throw new TypeError(
        `${who}: expected tables.${name} to be a tf.Variable of ${rows} values, found ${
          describe(v)
        }${v instanceof tf.Variable ? ` of shape [${v.shape}]` : ""}`,
      );
    }
  }
}

function checkPositives(positives: InteractionMatrix, who: string): number {
  const ok = typeof positives === "object" && positives !== null &&
    positives.indptr instanceof Int32Array && positives.indices instanceof Int32Array &&
    positives.indptr.length === positives.rows + 1 &&
    positives.indptr[positives.rows] === positives.indices.length;
  if (!ok) {
    throw new TypeError(
      `${who}: expected positives as compressed rows { rows, cols, indptr, indices } ` +
        `(interactionMatrix() or rankingTask().train), found ${describe(positives)}`,
    );
  }
  if (positives.indices.length === 0) {
    throw new RangeError(`${who}: expected at least one positive, found none`);
  }
  return positives.indices.length;
}

/**
 * Host arrays a batch's tensors are made from, reused from batch to batch. Only where the backend
 * copies an array into its own memory when a tensor is made (wasm); elsewhere (cpu keeps the
 * array itself) every batch gets new ones. A new `[64, 1,682]` array per step, zeroed by the
 * allocator and collected later, cost more than drawing the step's negatives.
 */
interface BatchScratch {
  dense: Float32Array;
  draws: Int32Array;
}

function batchScratch(batchUsers: number, movies: number): BatchScratch | null {
  if (tf.getBackend() !== "wasm") return null;
  return { dense: new Float32Array(batchUsers * movies), draws: new Int32Array(0) };
}

/** The tensors of one batch of user rows. */
function batchOf(
  rows: Int32Array,
  positives: InteractionMatrix,
  negatives: number,
  rng: Rng,
  scratch: BatchScratch | null,
) {
  const n = positives.cols, { indptr, indices } = positives;
  const size = rows.length * n;
  const dense = scratch ? scratch.dense.subarray(0, size) : new Float32Array(size);
  let count = 0;
  for (const u of rows) count += indptr[u + 1] - indptr[u];
  const flat = new Int32Array(count);
  let at = 0;
  for (let r = 0; r < rows.length; r++) {
    const u = rows[r];
    for (let p = indptr[u]; p < indptr[u + 1]; p++) {
      dense[r * n + indices[p]] = 1;
      flat[at++] = r * n + indices[p];
    }
  }
  let negative: tf.Tensor1D | null = null;
  if (negatives > 0) {
    const draws = count * negatives;
    if (scratch && scratch.draws.length < draws) scratch.draws = new Int32Array(draws);
    // Every draw in one pass of the generator, then each shifted to its positive's row.
    const neg = rng.ints(n, scratch ? scratch.draws.subarray(0, draws) : new Int32Array(draws));
    for (let i = 0, q = 0; i < count; i++) {
      const base = flat[i] - (flat[i] % n);
      for (let s = 0; s < negatives; s++) neg[q++] += base;
    }
    negative = tf.tensor1d(neg, "int32");
  }
  const positivesTensor = tf.tensor2d(dense, [rows.length, n]);
  if (scratch) {
    // The backend has copied the array: zero it again for the next batch.
    for (let i = 0; i < count; i++) dense[flat[i]] = 0;
  }
  const batch: RankingBatch = {
    users: tf.tensor1d(rows, "int32"),
    count,
    positive: tf.tensor1d(flat, "int32"),
    negatives,
    get negative(): tf.Tensor1D {
      if (negative === null) {
        throw new RangeError(
          "the loss reads batch.negative but no negatives are sampled: pass { negatives: N } (N ≥ 1)",
        );
      }
      return negative;
    },
  };
  const dispose = () => tf.dispose([batch.users, batch.positive, ...(negative ? [negative] : [])]);
  return { positives: positivesTensor, batch, dispose };
}

/**
 * The scores of whole catalogue rows, `P[users] · Qᵀ + b` (+ the user biases), as a tensor.
 *
 * @param tables The tables.
 * @param users User rows, `[B]` int32.
 * @returns `[B, movies]` scores.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { catalogueScores } from "./ranking.ts";
 * import { assertEquals } from "@std/assert";
 * const userFactors = tf.variable(tf.tensor2d([[1, 0], [0, 1]]));
 * const movieFactors = tf.variable(tf.tensor2d([[1, 1], [2, 0], [0, 3]]));
 * const movieBias = tf.variable(tf.tensor2d([[0], [0], [-1]]));
 * const s = catalogueScores({ userFactors, movieFactors, movieBias }, tf.tensor1d([1], "int32"));
 * assertEquals(s.arraySync(), [[1, 0, 2]]);
 * ```
 */
export function catalogueScores(tables: RankingTables, users: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const pu = tf.gather(tables.userFactors, users);
    const bias = tables.movieBias ? tf.reshape(tables.movieBias, [-1]) : undefined;
    let s = tf.fused.matMul({ a: pu, b: tables.movieFactors, transposeB: true, bias });
    if (tables.userBias) {
      s = tf.add(s, tf.reshape(tf.gather(tf.reshape(tables.userBias, [-1]), users), [-1, 1]));
    }
    return s as tf.Tensor2D;
  });
}

/**
 * Trains ranking tables on a user × movie matrix of positives (see the module doc): batches of
 * users, whole-catalogue scores, the given loss plus the count-weighted L2 term, gradients on
 * the tape, one optimizer update per batch. Deterministic for a seed and initial weights.
 *
 * @param tables The variables to train (changed in place).
 * @param positives Every user's training movies (`rankingTask(train, test).train`).
 * @param options Loss, optimizer, epochs, batch, L2 or penalty, negatives, seed, progress.
 * @returns The history: `loss` per epoch (the mean over the batches, penalty included).
 * @throws {NonFiniteLossError} When a batch's loss is NaN or infinite (that update is skipped).
 * @throws {RangeError} When an option is out of range (a non-integer `epochs`, `seed`, …), or
 *   the tables do not fit the positives; a `TypeError` when one is of the wrong kind or unknown
 *   (naming the option it most likely meant), or when a `penalty` comes with `l2` or `l2Power`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { interactionMatrix } from "../eval/mod.ts";
 * import { adam, fitRanking, setupBackend, softmaxLoss } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * await setupBackend({ backend: "cpu" });
 * // Two users, four movies: user 0 watched movies 0 and 1, user 1 watched 2 and 3.
 * const positives = interactionMatrix([0, 0, 1, 1], [0, 1, 2, 3], 2, 4);
 * const tables = {
 *   userFactors: tf.variable(tf.randomNormal([2, 2], 0, 0.1, "float32", 1)),
 *   movieFactors: tf.variable(tf.randomNormal([4, 2], 0, 0.1, "float32", 2)),
 * };
 * const h = await fitRanking(tables, positives, {
 *   loss: softmaxLoss, optimizer: adam({ learningRate: 0.1 }), epochs: 30, verbose: 0,
 * });
 * assertEquals(h.history.loss[29] < h.history.loss[0], true);
 * ```
 */
export async function fitRanking(
  tables: RankingTables,
  positives: InteractionMatrix,
  options: FitRankingOptions,
): Promise<History> {
  const who = "fitRanking()";
  const nnz = checkPositives(positives, who);
  checkTables(tables, positives, who);
  const { epochs, batchUsers, negatives, initialEpoch, l2, l2Power, seed } = rankingSettings(
    options,
    who,
  );
  const { loss, optimizer, onEpochEnd, penalty } = options;
  const { active, userCounts, movieCounts } = activeUsers(positives);
  const steps = Math.ceil(active.length / batchUsers);
  // The caller's penalty, or the loop's own L2 term with its row weights (freed at the end).
  const term: RankingPenalty | L2Term = penalty ?? {
    l2,
    userWeights: tf.tensor1d(countWeights(userCounts, l2Power)),
    movieWeights: tf.tensor1d(countWeights(movieCounts, l2Power)),
  };
  const variables = [tables.userFactors, tables.movieFactors, tables.movieBias, tables.userBias]
    .filter((v): v is tf.Variable => v !== undefined);
  const history = emptyHistory(["loss"], {
    epochs,
    batchSize: batchUsers,
    samples: nnz,
    validationSamples: 0,
    stepsPerEpoch: steps,
    initialEpoch,
  }, null);
  const notes = initialEpoch > 0 ? [`continuing from epoch ${initialEpoch}`] : [];
  if (!(optimizer instanceof FusedAdam)) {
    notes.push(`stock tfjs optimizer ${optimizer.getClassName()}: slower`);
  }
  const progress = trainingProgress(
    { epochs, batches: steps, samples: nnz, initialEpoch, notes },
    { verbose: options.verbose ?? "auto" },
  );
  const root = createRng(seed);
  for (let e = 0; e < initialEpoch; e++) root.fork();
  const started = performance.now();
  let failed: boolean | "interrupted" = true;
  try {
    await interruptible(async () => {
      for (let e = 1; e <= epochs; e++) {
        const epoch = initialEpoch + e, rng = root.fork();
        const t0 = performance.now(), c0 = cpuSeconds();
        const order = rng.shuffle(active.slice()) as Int32Array;
        const sum = await trainEpoch(tables, positives, epoch, order, rng, {
          batchUsers,
          negatives,
          progress,
          step: {
            loss,
            optimizer,
            penalty: term,
            variables,
            who,
          },
        });
        const logs = { loss: sum / steps };
        const trainSeconds = (performance.now() - t0) / 1000;
        const trainCpu = cpuSeconds() - c0;
        const learningRate = (optimizer as unknown as { learningRate?: number }).learningRate;
        const stop = onEpochEnd ? await onEpochEnd(epoch, { ...logs }) === true : false;
        recordEpoch(history, {
          epoch,
          logs,
          seconds: (performance.now() - t0) / 1000,
          trainSeconds,
          trainCpuSeconds: trainCpu,
          learningRate: typeof learningRate === "number" ? learningRate : NaN,
        });
        if (progress.epochEnd(epoch, logs)) await tick();
        if (stop) {
          history.stoppedEpoch = epoch;
          break;
        }
      }
    });
    failed = false;
  } catch (e) {
    if (e instanceof InterruptedError) failed = "interrupted";
    throw e;
  } finally {
    if (typeof term !== "function") tf.dispose([term.userWeights, term.movieWeights]);
    const line = summaryLine(history, notes, (performance.now() - started) / 1000, failed);
    if (failed) await progress.close(line).catch(() => {});
    else await progress.close(line);
  }
  return history;
}

/** How {@linkcode trainEpoch} goes through an epoch's users. */
interface EpochPlan {
  batchUsers: number;
  negatives: number;
  progress: TrainingProgress;
  step: RankingStep;
}

/**
 * One epoch: a step per batch of users in `order`, the progress line updated.
 *
 * @returns The sum of the batches' losses.
 * @throws {NonFiniteLossError} When a batch's loss is NaN or infinite.
 */
async function trainEpoch(
  tables: RankingTables,
  positives: InteractionMatrix,
  epoch: number,
  order: Int32Array,
  rng: Rng,
  plan: EpochPlan,
): Promise<number> {
  const { batchUsers, negatives, progress, step } = plan;
  const steps = Math.ceil(order.length / batchUsers);
  const scratch = batchScratch(batchUsers, positives.cols);
  let sum = 0;
  for (let s = 0; s < steps; s++) {
    const rows = order.subarray(s * batchUsers, Math.min(order.length, (s + 1) * batchUsers));
    const b = batchOf(rows, positives, negatives, rng, scratch);
    try {
      const v = rankingStep(tables, b, step);
      if (!Number.isFinite(v)) {
        throw new NonFiniteLossError(
          epoch,
          s + 1,
          v,
          `${step.who}: the loss became ${v} in epoch ${epoch}, batch ${s + 1}/${steps}; ` +
            "the weights are left as they were before this batch. Lower the learning rate",
        );
      }
      sum += v;
      // One yield for the progress line and the interrupt, as in the rating models' loop.
      const drawn = progress.batch(epoch, s + 1, () => ({ loss: sum / (s + 1) }));
      if (drawn || interruptDue()) await interruptCheck(() => stoppedAt(epoch, s + 1, steps));
    } finally {
      b.dispose();
      b.positives.dispose();
    }
  }
  return sum;
}

/** Every option of {@linkcode fitRanking} (the type makes the list complete). */
const FIT_RANKING_OPTIONS: Record<keyof FitRankingOptions, true> = {
  ...RANKING_LOOP_OPTIONS,
  optimizer: true,
  initialEpoch: true,
};

/** The options of {@linkcode fitRanking}, checked, with their defaults. */
function rankingSettings(options: FitRankingOptions, who: string) {
  checkOptionKeys(options, Object.keys(FIT_RANKING_OPTIONS), who);
  if (typeof options.loss !== "function") {
    throw new TypeError(
      `${who}: expected options.loss to be a loss function, found ${describe(options?.loss)}`,
    );
  }
  if (!(options.optimizer instanceof tf.Optimizer)) {
    throw new TypeError(
      `${who}: expected options.optimizer to be a tfjs optimizer, found ${
        describe(options.optimizer)
      }`,
    );
  }
  return rankingNumbers(options, who);
}

/**
 * Checks the numeric options of the ranking loop, its `onEpochEnd` and `penalty`, as
 * {@linkcode fitRanking} reads them; callers that change a model before the loop runs
 * (`trainRanking()`) check first.
 *
 * @param options The options (absent ones take their defaults).
 * @param who The calling function, for the messages.
 * @returns The settings with their defaults.
 * @throws {TypeError} When `options` is not an object, a value is not a number, `onEpochEnd` or
 *   `penalty` not a function, or a `penalty` comes with `l2` or `l2Power`.
 * @throws {RangeError} When a number is out of range (a non-integer `epochs`, a negative `l2`, …).
 * @example
 * ```ts
 * import { rankingNumbers } from "./ranking.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 * assertEquals(rankingNumbers({ epochs: 3 }, "f()").epochs, 3);
 * assertThrows(() => rankingNumbers({ l2: -1 }, "f()"), RangeError, "f(): expected l2");
 * ```
 */
export function rankingNumbers(
  options: Omit<Partial<FitRankingOptions>, "loss" | "optimizer">,
  who: string,
): Required<
  Pick<
    FitRankingOptions,
    "epochs" | "batchUsers" | "negatives" | "initialEpoch" | "l2" | "l2Power" | "seed"
  >
> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${who}: expected an options object, found ${describe(options)}`);
  }
  const epochs = checkPositiveInt(options.epochs ?? 1, "epochs", who);
  const batchUsers = checkPositiveInt(options.batchUsers ?? 64, "batchUsers", who);
  const negatives = checkNonNegativeInt(options.negatives ?? 0, "negatives", who);
  const initialEpoch = checkNonNegativeInt(options.initialEpoch ?? 0, "initialEpoch", who);
  const l2 = checkNonNegativeNumber(options.l2 ?? 0, "l2", who);
  const l2Power = checkFiniteNumber(options.l2Power ?? 0.5, "l2Power", who);
  const seed = checkSeed(options.seed ?? 42, who);
  if (options.onEpochEnd !== undefined && typeof options.onEpochEnd !== "function") {
    throw new TypeError(
      `${who}: expected onEpochEnd to be a function, found ${describe(options.onEpochEnd)}`,
    );
  }
  if (options.penalty !== undefined) {
    if (typeof options.penalty !== "function") {
      throw new TypeError(
        `${who}: expected penalty to be a function of the step's rows, found ${
          describe(options.penalty)
        }`,
      );
    }
    const both = (["l2", "l2Power"] as const).filter((k) => options[k] !== undefined);
    if (both.length > 0) {
      throw new TypeError(
        `${who}: expected either a penalty or the loop's L2 term, found penalty and ${
          both.join(" and ")
        }; leave ${both.length > 1 ? "them" : "it"} out (the penalty replaces that term)`,
      );
    }
  }
  return { epochs, batchUsers, negatives, initialEpoch, l2, l2Power, seed };
}

/**
 * The users with at least one positive (the ones a step can learn from), and every user's and
 * movie's number of positives.
 */
function activeUsers(positives: InteractionMatrix) {
  const users = [];
  const userCounts = new Float64Array(positives.rows),
    movieCounts = new Float64Array(positives.cols);
  for (let u = 0; u < positives.rows; u++) {
    userCounts[u] = positives.indptr[u + 1] - positives.indptr[u];
    if (userCounts[u] > 0) users.push(u);
  }
  for (const m of positives.indices) movieCounts[m]++;
  return { active: Int32Array.from(users), userCounts, movieCounts };
}

/** The count-weighted L2 term of {@linkcode fitRanking}: its strength and the row weights. */
interface L2Term {
  l2: number;
  userWeights: tf.Tensor1D;
  movieWeights: tf.Tensor1D;
}

/** What one step of {@linkcode fitRanking} needs besides the tables and the batch. */
interface RankingStep {
  loss: RankingLoss;
  optimizer: tf.Optimizer;
  /** The caller's penalty, or the loop's L2 term. */
  penalty: RankingPenalty | L2Term;
  variables: tf.Variable[];
  who: string;
}

/**
 * One step: the batch's loss (plus the penalty or the L2 term) and its gradients on the tape,
 * then one optimizer update when the loss is finite.
 *
 * @returns The batch's loss; a non-finite loss leaves the weights as they were.
 */
function rankingStep(
  tables: RankingTables,
  b: ReturnType<typeof batchOf>,
  step: RankingStep,
): number {
  const { value, grads } = variableGradsFreeingTape(
    () => batchLoss(tables, b, step.loss, step.penalty, step.who),
    step.variables,
  );
  const v = value.dataSync()[0];
  if (Number.isFinite(v)) step.optimizer.applyGradients(grads);
  tf.dispose([value, ...Object.values(grads)]);
  return v;
}

/** A loss's or penalty's result as a scalar, or a TypeError naming what it returned. */
function scalarOf(out: unknown, what: string, who: string): tf.Scalar {
  if (!(out instanceof tf.Tensor) || out.size !== 1) {
    throw new TypeError(
      `${who}: expected ${what} to return a scalar tensor, found ${
        out instanceof tf.Tensor ? `shape [${out.shape}]` : describe(out)
      }`,
    );
  }
  return tf.reshape(out, []) as tf.Scalar;
}

/** The batch's loss on its whole-catalogue scores, plus the penalty or the L2 term. */
function batchLoss(
  tables: RankingTables,
  b: ReturnType<typeof batchOf>,
  loss: RankingLoss,
  penalty: RankingPenalty | L2Term,
  who: string,
): tf.Scalar {
  const pu = tf.gather(tables.userFactors, b.batch.users);
  const bias = tables.movieBias ? tf.reshape(tables.movieBias, [-1]) : undefined;
  let scores = tf.fused.matMul({ a: pu, b: tables.movieFactors, transposeB: true, bias });
  if (tables.userBias) {
    const bu = tf.gather(tf.reshape(tables.userBias, [-1]), b.batch.users);
    scores = tf.add(scores, tf.reshape(bu, [-1, 1]));
  }
  let total = scalarOf(loss(b.positives, scores, b.batch), "the loss", who);
  if (typeof penalty === "function") {
    const rows = {
      users: b.batch.users,
      userFactors: pu as tf.Tensor2D,
      movieFactors: tables.movieFactors as tf.Tensor2D,
    };
    return tf.add(total, scalarOf(penalty(rows), "the penalty", who));
  }
  if (penalty.l2 > 0) {
    const rowNorms = (t: tf.Tensor) => tf.sum(tf.square(t), 1);
    const pen = tf.add(
      tf.mean(tf.mul(tf.gather(penalty.userWeights, b.batch.users), rowNorms(pu))),
      tf.mean(tf.mul(penalty.movieWeights, rowNorms(tables.movieFactors))),
    );
    total = tf.add(total, tf.mul(pen, penalty.l2));
  }
  return total as tf.Scalar;
}
