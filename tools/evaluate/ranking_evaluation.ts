/**
 * `deno task evaluate --task ranking`: the top-10 protocol on implicit feedback (every rating a
 * positive, every test movie relevant, training movies excluded, the whole catalogue ranked,
 * means over the users with a test movie) for the most-popular baseline, item-kNN, EASE and three
 * embedding models trained for ranking, on each data set and split, over one or more seeds.
 * Every setting that is chosen is chosen on a validation task carved out of the training part
 * (`ranking_recipes.ts` says how), and the selection is recorded with the rows.
 *
 * @module
 */

import process from "node:process";
import pl from "nodejs-polars";
import {
  type Encoders,
  fitEncoders,
  loadMovieLens,
  type MovieLens,
  randomSplit,
} from "../../lib/data/mod.ts";
import { COLUMNS, DEFAULT_K, DEFAULT_SEED } from "../../lib/defaults.ts";
import {
  type CatalogueScorer,
  ease,
  evaluateRanking,
  itemKnn,
  popularityScorer,
  type RankingReport,
  type RankingTask,
  rankingTask,
  type SkippedUsers,
} from "../../lib/eval/mod.ts";
import {
  rankingNetwork,
  type RankingRecipe,
  type RankingRecipeName,
  rankingRecipes,
  rankingScorer,
  recommender,
  trainRanking,
} from "../../lib/models/mod.ts";
import { setupBackend } from "../../lib/train/backend.ts";
import { checkNonNegativeInt, checkPositiveInt, plural } from "../../lib/_validate.ts";
import { makeSplit, type SplitName } from "./named_splits.ts";
import { type EvaluationDuplicates, evaluationLoadOptions } from "./_loading.ts";
import { duringRow, type RowPlace } from "./_failed_row.ts";
import { cpuSecondsSince, type RunInfo } from "./_run_info.ts";
import { offsetSeed } from "../../lib/random.ts";
import {
  DEFAULT_RANKING_MODELS,
  EASE_LADDER,
  EPOCH_TOLERANCE,
  KNN_GRID,
  PUBLISHED,
  type PublishedRankingFigure,
  RANKING_MODELS,
  RANKING_TARGETS,
  type RankingModelName,
  VALIDATION_FRACTION,
  VALIDATION_SEED_OFFSET,
} from "./ranking_recipes.ts";

/** The metrics of one row (or their spreads). */
export interface RankingFigures {
  /** Precision@10. */
  precision_at_10: number;
  /** Recall@10. */
  recall_at_10: number;
  /** NDCG@10. */
  ndcg_at_10: number;
  /** MAP@10. */
  map_at_10: number;
  /** Share of the catalogue in some top 10. */
  coverage: number;
  /** Mean training ratings of the recommended movies. */
  popularity: number;
}

/** The settings a row ran with, as chosen on the validation task. */
export interface RowSettings {
  /** Item-kNN: the neighbourhood size. */
  neighbours?: number;
  /** EASE: the penalty λ. */
  lambda?: number;
  /** EASE: movies modelled (the most-watched, at most the library's `EASE_MAX_MOVIES`). */
  movies_modelled?: number;
  /** Embeddings: factors. */
  factors?: number;
  /** Embeddings: the L2 strength chosen on validation. */
  l2_validation?: number;
  /** Embeddings: the L2 strength of the final run (scaled to the training part). */
  l2?: number;
  /** Embeddings: epochs of the final run. */
  epochs?: number;
  /** Embeddings: Adam's learning rate. */
  learning_rate?: number;
  /** Embeddings: negatives per positive. */
  negatives?: number;
  /** Embeddings: users per step. */
  batch_users?: number;
}

/** One row: a model on a data set and split, for one seed or averaged over seeds. */
export interface RankingRow extends RankingFigures {
  /** Always "ranking". */
  task: "ranking";
  /** The model's row name. */
  model: RankingModelName;
  /** What the model is. */
  recipe: string;
  /** Data set. */
  data: string;
  /** Split. */
  split: string;
  /** The seeds averaged (one for a per-seed row). */
  seeds: number[];
  /** Standard deviations over the seeds (present when more than one). */
  std?: RankingFigures;
  /** Each seed's figures, in seed order (the mean row's parts; one entry for a per-seed row). */
  per_seed: RankingFigures[];
  /** Training seconds of the final model (fitting, for the baselines); mean over seeds. */
  seconds: number;
  /** Seconds spent choosing its settings on the validation task; mean over seeds. */
  selection_seconds: number;
  /** Users evaluated (first seed). */
  users: number;
  /** Users skipped, by reason (first seed). */
  skipped: SkippedUsers;
  /** Settings of each seed's run, in seed order. */
  settings: RowSettings[];
  /** NDCG@10 on the validation task at the chosen settings, per seed. */
  validation_ndcg_at_10: (number | null)[];
  /** Published figures for this row's model on this protocol (ml-100k random80 only). */
  published: PublishedRankingFigure[];
}

/** One point of a selection: a candidate setting and its validation score. */
export interface SelectionPoint {
  /** The L2 strength, the neighbourhood size or EASE's λ tried. */
  value: number;
  /** Epochs at which the validation task was scored (embeddings). */
  epochs?: number[];
  /** NDCG@10 at each of those epochs (embeddings), or the one score (item-kNN). */
  ndcg_at_10: number[];
}

/** How one model's settings were chosen for one seed. */
export interface Selection {
  /** Data set. */
  data: string;
  /** Split. */
  split: string;
  /** Seed of the split and the models. */
  seed: number;
  /** Model. */
  model: RankingModelName;
  /** What was tried: "l2", "neighbours" or "lambda". */
  parameter: "l2" | "neighbours" | "lambda";
  /** Every candidate and its scores. */
  points: SelectionPoint[];
  /** The chosen value. */
  chosen: number;
  /** The chosen epochs (embeddings). */
  epochs?: number;
}

/** A split as it ran (first seed). */
export interface RankingSplitInfo {
  /** Data set. */
  data: string;
  /** Split. */
  split: string;
  /** Training ratings. */
  train: number;
  /** Test ratings. */
  test: number;
  /** Ratings of the validation carve-out's training and validation parts. */
  carve: [number, number];
  /** Catalogue size. */
  catalogue: number;
  /** Test ratings whose movie the user also rated in training (not relevant). */
  repeated: number;
}

/** A target checked against the ranking rows. */
export interface RankingTargetResult {
  /** Data set. */
  data: string;
  /** Split. */
  split: string;
  /** The seed of the rows judged: the run's first (42 in the committed run). */
  seed: number;
  /** The row of that seed with the best validation NDCG@10. */
  model: string;
  /** Its validation NDCG@10 (the carve-out of the training part). */
  validation_ndcg_at_10: number | null;
  /** Its precision@10. */
  precision_at_10: number;
  /** Its NDCG@10. */
  ndcg_at_10: number;
  /** The targets. */
  targets: { precision_at_10: number; ndcg_at_10: number };
  /** Whether both are met. */
  met: boolean;
  /** The same row's mean over the seeds, when several ran. */
  mean?: { seeds: number[]; precision_at_10: number; ndcg_at_10: number };
  /** When several seeds ran: each seed's row best on its own validation task, judged alike. */
  per_seed?: TargetOfSeed[];
}

/** One seed's target check (see {@linkcode RankingTargetResult}). */
export interface TargetOfSeed {
  /** The seed. */
  seed: number;
  /** Its row with the best validation NDCG@10. */
  model: string;
  /** That validation NDCG@10. */
  validation_ndcg_at_10: number | null;
  /** Its precision@10 on the seed's test part. */
  precision_at_10: number;
  /** Its NDCG@10 on the seed's test part. */
  ndcg_at_10: number;
  /** Whether both targets are met. */
  met: boolean;
}

/** Everything the ranking evaluation produced (the `ranking` key of `evaluation.json`). */
export interface RankingEvaluation extends RunInfo {
  /** Data sets (name, ratings, users, movies). */
  datasets: { name: string; ratings: number; users: number; movies: number }[];
  /** Splits. */
  splits: RankingSplitInfo[];
  /** Rows: per seed, then (with several seeds) the means. */
  rows: RankingRow[];
  /** Every selection. */
  selection: Selection[];
  /** The target check (when ml-100k random80 ran). */
  targets: RankingTargetResult[];
}

/** Options of {@linkcode runRankingEvaluation}. */
export interface RankingEvaluationOptions {
  /**
   * A data set name or folder; without it and `split`, ml-100k and ml-latest-small.
   * @default {undefined}
   */
  data?: string;
  /**
   * A split name.
   * @default {"random80"}
   */
  split?: SplitName;
  /**
   * Number of seeds (`firstSeed`, `firstSeed + 1`, …): each seed makes its own split,
   * carve-out, selection and models.
   * @default {1}
   */
  seeds?: number;
  /**
   * The first seed; the seeds are `firstSeed`, `firstSeed + 1`, …
   * @default {DEFAULT_SEED (42)}
   */
  firstSeed?: number;
  /**
   * Caps every embedding run at this many epochs (quick runs; the L2 and λ ladders shrink to
   * their first value).
   * @default {null}
   */
  epochs?: number | null;
  /**
   * Models to run.
   * @default {DEFAULT_RANKING_MODELS: popular, item-knn, ease, softmax, bpr}
   */
  models?: RankingModelName[];
  /**
   * The command line to record.
   * @default {"deno task evaluate --task ranking"}
   */
  command?: string;
  /**
   * Progress messages.
   * @default {a line on stderr}
   */
  onProgress?: (message: string) => void;
  /**
   * Repeated (userId, movieId) pairs in the data: keep the latest rating of each (reported
   * through `onWarning`) or refuse the data (as the rating task; see `EvaluationDuplicates`).
   * @default {"last"}
   */
  duplicates?: EvaluationDuplicates;
  /**
   * The loader's warnings.
   * @default {console.warn}
   */
  onWarning?: (message: string) => void;
}

const ENCODER = new TextEncoder();

function stderrLine(message: string): void {
  try {
    Deno.stderr.writeSync(ENCODER.encode(message + "\n"));
  } catch {
    // progress is best effort
  }
}

function figures(r: RankingReport): RankingFigures {
  return {
    precision_at_10: r.precision,
    recall_at_10: r.recall,
    ndcg_at_10: r.ndcg,
    map_at_10: r.map,
    coverage: r.coverage,
    popularity: r.popularity,
  };
}

/** One model's result on one seed. */
interface SeedResult {
  report: RankingReport;
  seconds: number;
  selectionSeconds: number;
  settings: RowSettings;
  validationNdcg: number | null;
}

/**
 * Walks a geometric ladder of values for the best score: `start`, then `start · step` and
 * `start / step`, then on towards the better side while the score improves, trying at most
 * `maxTries` values. Ties keep the value found first.
 *
 * @param start The first value.
 * @param step The ratio between neighbouring values (> 1).
 * @param maxTries The most values tried (≥ 1).
 * @param score The score of a value (higher is better).
 * @returns The best value and its score.
 * @example
 * ```ts
 * import { walkLadder } from "./ranking_evaluation.ts";
 * const tried: number[] = [];
 * const best = await walkLadder(1, 2, 9, (v) => (tried.push(v), -Math.abs(Math.log2(v) - 2)));
 * console.log(best.value, tried); // 4 [1, 2, 0.5, 4, 8]
 * ```
 */
export async function walkLadder(
  start: number,
  step: number,
  maxTries: number,
  score: (value: number) => number | Promise<number>,
): Promise<{ value: number; score: number }> {
  if (!(start > 0 && step > 1 && Number.isInteger(maxTries) && maxTries >= 1)) {
    throw new RangeError(
      `walkLadder(): expected start > 0, step > 1 and maxTries ≥ 1, found ${start}, ${step}, ${maxTries}`,
    );
  }
  let tries = 1;
  let best = { value: start, score: await score(start) };
  const neighbours: { value: number; score: number }[] = [];
  for (const value of [start * step, start / step]) {
    if (tries >= maxTries) break;
    tries++;
    neighbours.push({ value, score: await score(value) });
  }
  const better = neighbours.filter((n) => n.score > best.score)
    .sort((a, b) => b.score - a.score)[0];
  if (!better) return best;
  best = better;
  const ratio = better.value > start ? step : 1 / step;
  while (tries < maxTries) {
    const value = best.value * ratio;
    tries++;
    const next = { value, score: await score(value) };
    if (next.score <= best.score) break;
    best = next;
  }
  return best;
}

/** The index of the first scored epoch within the tolerance of the curve's best. */
export function chooseEpoch(epochs: number[], ndcg: number[], tolerance = EPOCH_TOLERANCE): number {
  if (epochs.length === 0 || epochs.length !== ndcg.length) {
    throw new RangeError(
      `chooseEpoch(): expected as many scores as epochs (at least one), found ${ndcg.length} and ${epochs.length}`,
    );
  }
  const best = Math.max(...ndcg);
  const i = ndcg.findIndex((v) => v >= best * (1 - tolerance));
  return epochs[i];
}

interface Context {
  ml: MovieLens;
  data: string;
  split: SplitName;
  seed: number;
  train: pl.DataFrame;
  task: RankingTask;
  carve: CarveOut;
  fraction: number;
  encoders: ReturnType<typeof fitEncoders>;
  epochsCap: number | null;
  report: (m: string) => void;
  selection: Selection[];
}

function runPopular(ctx: Context): SeedResult {
  const t = performance.now();
  const scorer = popularityScorer(ctx.task);
  const seconds = (performance.now() - t) / 1000;
  const validation = evaluateRanking(ctx.carve.task, popularityScorer(ctx.carve.task)).ndcg;
  return {
    report: evaluateRanking(ctx.task, scorer),
    seconds,
    selectionSeconds: 0,
    settings: {},
    validationNdcg: validation,
  };
}

/**
 * A model fitted without training (item-kNN, EASE): its one setting chosen on the carve-out by
 * `search` (every try fits `fit` on the carve-out's training part and scores its validation
 * part), recorded in the selection, then the model fitted on the whole training part.
 */
async function runFitted<M extends { scorer: CatalogueScorer }>(
  ctx: Context,
  model: "item-knn" | "ease",
  parameter: "neighbours" | "lambda",
  search: (score: (value: number) => number) => Promise<{ value: number; score: number }>,
  fit: (task: RankingTask, value: number) => M,
  settings: (value: number, fitted: M) => RowSettings,
): Promise<SeedResult> {
  const t0 = performance.now();
  const points: SelectionPoint[] = [];
  const best = await search((value) => {
    const ndcg = evaluateRanking(ctx.carve.task, fit(ctx.carve.task, value).scorer).ndcg;
    points.push({ value, ndcg_at_10: [ndcg] });
    ctx.report(`    ${model} ${parameter} ${value}: validation NDCG@10 ${ndcg.toFixed(4)}`);
    return ndcg;
  });
  const selectionSeconds = (performance.now() - t0) / 1000;
  ctx.selection.push({
    data: ctx.data,
    split: ctx.split,
    seed: ctx.seed,
    model,
    parameter,
    points,
    chosen: best.value,
  });
  const t1 = performance.now();
  const fitted = fit(ctx.task, best.value);
  const seconds = (performance.now() - t1) / 1000;
  return {
    report: evaluateRanking(ctx.task, fitted.scorer),
    seconds,
    selectionSeconds,
    settings: settings(best.value, fitted),
    validationNdcg: best.score,
  };
}

/** Item-kNN: every neighbourhood size of the grid; the first best wins. */
function runKnn(ctx: Context): Promise<SeedResult> {
  return runFitted(
    ctx,
    "item-knn",
    "neighbours",
    (score) => {
      let best = { value: KNN_GRID[0], score: -Infinity };
      for (const k of KNN_GRID) {
        const ndcg = score(k);
        if (ndcg > best.score) best = { value: k, score: ndcg };
      }
      return Promise.resolve(best);
    },
    (task, k) => itemKnn(task, { neighbours: k }),
    (k) => ({ neighbours: k }),
  );
}

/** EASE: λ walks its ladder (one value under an epochs cap) and is kept for the final fit. */
function runEase(ctx: Context): Promise<SeedResult> {
  const { start, step, maxTries } = EASE_LADDER;
  return runFitted(
    ctx,
    "ease",
    "lambda",
    (score) => walkLadder(start, step, ctx.epochsCap === null ? maxTries : 1, score),
    // The library's cap on the movies modelled (EASE_MAX_MOVIES, 10,000) takes every watched
    // movie of both data sets: about 20 s per fit on ml-latest-small with the native kernels on
    // 2 cores. (Until the inverse ran on every core the cap here was 2,500, which left a fifth of
    // ml-latest-small's relevant validation movies outside the model.)
    (task, lambda) => ease(task, { lambda }),
    (lambda, fitted) => ({ lambda, movies_modelled: fitted.modelled.length }),
  );
}

/**
 * The parts of one seed of the ranking evaluation: the named split, encoders fitted on all of
 * its ratings (so the catalogue is every movie of the data set), and the validation carve-out
 * of its training part ({@linkcode VALIDATION_FRACTION}, seed + {@linkcode VALIDATION_SEED_OFFSET}).
 *
 * @param ml The data set.
 * @param splitName The split's name (`random80`, …).
 * @param seed The seed of the split (and, offset, of the carve-out).
 * @returns The split, the encoders and the carve-out (its training and validation ratings,
 *   its validation task, and the encoders and seed the choice trains with).
 */
export async function rankingParts(ml: MovieLens, splitName: SplitName, seed: number) {
  const split = await makeSplit(ml, splitName, { seed });
  const encoders = fitEncoders(pl.concat([
    split.train.select(COLUMNS.user, COLUMNS.movie),
    split.test.select(COLUMNS.user, COLUMNS.movie),
  ]));
  let carve: CarveOut & { test: pl.DataFrame };
  try {
    const { train, test } = randomSplit(split.train, {
      testFraction: VALIDATION_FRACTION,
      seed: offsetSeed(seed, VALIDATION_SEED_OFFSET),
    });
    carve = { train, test, task: rankingTask(train, test, encoders), encoders, seed };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    // Too few ratings: say which step failed, since the user never asked for a carve-out.
    throw new RangeError(
      `${ml.name} ${splitName}, seed ${seed}: the validation carve-out that chooses every ` +
        `row's settings (${VALIDATION_FRACTION * 100} % of the training part's ${
          plural(split.train.height, "rating")
        }) cannot be made: ${e.message}; the ranking task needs more ratings than that: ` +
        "give --data a larger data set",
      { cause: e },
    );
  }
  return { split, encoders, carve };
}

/** What {@linkcode trainScored} needs besides the recipe and the ratings. */
export interface TrainScoredOptions {
  /** The split's encoders (users and movies of the whole data set). */
  encoders: Encoders;
  /** Initial seed of the network (and of its shuffles and negatives). */
  seed: number;
  /** Strength of the count-weighted L2 term. */
  l2: number;
  /** Epochs to train. */
  epochs: number;
  /** A task whose NDCG@10 is scored every `every` epochs and after the last (none by default). */
  score?: { task: RankingTask; every: number };
}

/**
 * Trains notebook 06's ranking network with a recipe's loss and settings on `ratings`, as the
 * evaluation trains every embedding row (on a carve-out to choose, then on the training part).
 *
 * @param recipe The recipe (loss, factors, learning rate, users per step, negatives, L2 power).
 * @param ratings The ratings to train on.
 * @param options Encoders, seed, L2 strength, epochs, and the task to score while training.
 * @returns The trained recommender (dispose its model), the scored curve and the training seconds.
 * @example
 * ```ts
 * import { fitEncoders, loadMovieLens, randomSplit } from "../../lib/data/mod.ts";
 * import { rankingTask } from "../../lib/eval/mod.ts";
 * import { rankingRecipes } from "../../lib/models/mod.ts";
 * import { setupBackend } from "../../lib/train/backend.ts";
 * import { trainScored } from "./ranking_evaluation.ts";
 * await setupBackend();
 * const ml = await loadMovieLens(new URL("../../test/fixtures/latest_tiny", import.meta.url).pathname);
 * const encoders = fitEncoders(ml.ratings);
 * const { train, test } = randomSplit(ml.ratings, { testFraction: 0.2, seed: 42 });
 * const task = rankingTask(train, test, encoders);
 * const { rec, curve } = await trainScored(rankingRecipes.softmax, train, {
 *   encoders, seed: 42, l2: 0.1, epochs: 4, score: { task, every: 2 },
 * });
 * console.log(curve.epochs); // [2, 4]
 * rec.model.dispose();
 * ```
 */
export async function trainScored(
  recipe: RankingRecipe,
  ratings: pl.DataFrame,
  options: TrainScoredOptions,
) {
  const { encoders, seed, l2, epochs, score } = options;
  const rec = recommender(rankingNetwork(recipe, encoders, seed), { ...encoders, seed });
  const curve: { epochs: number[]; ndcg: number[] } = { epochs: [], ndcg: [] };
  const scorer = score ? rankingScorer(rec, { task: score.task }) : null;
  const history = await trainRanking(rec, ratings, {
    epochs,
    batchUsers: recipe.batchUsers,
    l2,
    l2Power: recipe.l2Power,
    negatives: recipe.negatives,
    verbose: 0,
    onEpochEnd: (epoch) => {
      if (!score || !scorer || (epoch % score.every !== 0 && epoch !== epochs)) return;
      curve.epochs.push(epoch);
      curve.ndcg.push(evaluateRanking(score.task, scorer).ndcg);
    },
  });
  const seconds = history.trainSeconds.reduce((a, b) => a + b, 0);
  return { rec, curve, seconds };
}

/** A carve-out a recipe's L2 strength and epochs are chosen on. */
export interface CarveOut {
  /** The carve-out's training part (the ratings the tries train on). */
  train: pl.DataFrame;
  /** Its validation task. */
  task: RankingTask;
  /** The split's encoders. */
  encoders: Encoders;
  /** The initial seed of every try. */
  seed: number;
}

/** Options of {@linkcode chooseL2}. */
export interface ChooseL2Options {
  /**
   * Epochs of every try (the validation task is scored every `evalEvery` and at the end).
   * @default {recipe.maxEpochs}
   */
  maxEpochs?: number;
  /**
   * Walk the recipe's ladder; `false` tries its first strength only (an epochs cap's quick run).
   * @default {true}
   */
  walk?: boolean;
  /**
   * Receives a line per strength tried.
   * @default {undefined}
   */
  report?: (line: string) => void;
}

/** What {@linkcode chooseL2} chose, and every try behind it. */
export interface L2Choice {
  /** Every strength tried with its validation curve. */
  points: SelectionPoint[];
  /** The strength whose curve reached the best NDCG@10 (the first on a tie). */
  l2: number;
  /** That curve: the scored epochs and their NDCG@10. */
  curve: { epochs: number[]; ndcg: number[] };
  /** The epochs {@linkcode chooseEpoch} picks on that curve. */
  epochs: number;
  /** The validation NDCG@10 at those epochs. */
  validationNdcg: number;
}

/**
 * Chooses an embedding recipe's L2 strength and epochs on a carve-out as the evaluation does:
 * every strength of the recipe's ladder ({@linkcode walkLadder}) trains `maxEpochs` epochs with
 * the validation task scored every `evalEvery`; the strength with the best score wins and
 * {@linkcode chooseEpoch} picks its epochs. The evaluation and `bench/ranking_studies.ts` both
 * choose through it.
 *
 * @param recipe The recipe (its ladder, epochs and scoring interval).
 * @param carve The carve-out's training part, validation task, encoders and seed.
 * @param options Epochs per try, whether to walk the ladder, and a progress line per try.
 * @returns The choice and every try.
 * @example
 * ```ts
 * import { fitEncoders, loadMovieLens, randomSplit } from "../../lib/data/mod.ts";
 * import { rankingTask } from "../../lib/eval/mod.ts";
 * import { rankingRecipes } from "../../lib/models/mod.ts";
 * import { setupBackend } from "../../lib/train/backend.ts";
 * import { chooseL2 } from "./ranking_evaluation.ts";
 * await setupBackend();
 * const ml = await loadMovieLens(new URL("../../test/fixtures/latest_tiny", import.meta.url).pathname);
 * const encoders = fitEncoders(ml.ratings);
 * const { train, test } = randomSplit(ml.ratings, { testFraction: 0.2, seed: 42 });
 * const task = rankingTask(train, test, encoders);
 * const choice = await chooseL2(rankingRecipes.softmax, { train, task, encoders, seed: 42 }, {
 *   maxEpochs: 4,
 *   walk: false,
 * });
 * console.log(choice.l2, choice.curve.epochs); // 0.1 [ 4 ]
 * ```
 */
export async function chooseL2(
  recipe: RankingRecipe,
  carve: CarveOut,
  options: ChooseL2Options = {},
): Promise<L2Choice> {
  const maxEpochs = options.maxEpochs ?? recipe.maxEpochs;
  const every = Math.min(recipe.evalEvery, maxEpochs);
  const points: SelectionPoint[] = [];
  const tryL2 = async (l2: number) => {
    const { rec, curve } = await trainScored(recipe, carve.train, {
      encoders: carve.encoders,
      seed: carve.seed,
      l2,
      epochs: maxEpochs,
      score: { task: carve.task, every },
    });
    rec.model.dispose();
    points.push({ value: l2, epochs: curve.epochs, ndcg_at_10: curve.ndcg });
    options.report?.(
      `    ${recipe.name} l2 ${l2.toPrecision(3)}: best validation NDCG@10 ${
        Math.max(...curve.ndcg).toFixed(4)
      } (epochs ${curve.epochs[0]}…${curve.epochs[curve.epochs.length - 1]})`,
    );
    return Math.max(...curve.ndcg);
  };
  if (options.walk ?? true) {
    await walkLadder(recipe.l2Start, recipe.l2Step, recipe.l2MaxTries, tryL2);
  } else {
    await tryL2(recipe.l2Start);
  }
  const best = points.reduce((a, b) =>
    Math.max(...b.ndcg_at_10) > Math.max(...a.ndcg_at_10) ? b : a
  );
  const curve = { epochs: best.epochs!, ndcg: best.ndcg_at_10 };
  const epochs = chooseEpoch(curve.epochs, curve.ndcg);
  return {
    points,
    l2: best.value,
    curve,
    epochs,
    validationNdcg: curve.ndcg[curve.epochs.indexOf(epochs)],
  };
}

async function runEmbedding(name: RankingRecipeName, ctx: Context): Promise<SeedResult> {
  const recipe = rankingRecipes[name];
  const cap = ctx.epochsCap;
  const t0 = performance.now();
  const { points, l2: chosen, epochs, validationNdcg } = await chooseL2(recipe, ctx.carve, {
    maxEpochs: cap === null ? recipe.maxEpochs : Math.min(cap, recipe.maxEpochs),
    walk: cap === null,
    report: ctx.report,
  });
  const selectionSeconds = (performance.now() - t0) / 1000;
  ctx.selection.push({
    data: ctx.data,
    split: ctx.split,
    seed: ctx.seed,
    model: name,
    parameter: "l2",
    points,
    chosen,
    epochs,
  });
  const l2 = chosen * ctx.fraction;
  const { rec, seconds } = await trainScored(recipe, ctx.train, {
    encoders: ctx.encoders,
    seed: ctx.seed,
    l2,
    epochs,
  });
  const report = evaluateRanking(ctx.task, rankingScorer(rec, { task: ctx.task }));
  rec.model.dispose();
  return {
    report,
    seconds,
    selectionSeconds,
    settings: {
      factors: recipe.factors,
      l2_validation: chosen,
      l2,
      epochs,
      learning_rate: recipe.learningRate,
      negatives: recipe.negatives,
      batch_users: recipe.batchUsers,
    },
    validationNdcg,
  };
}

function recipeLabel(model: RankingModelName): string {
  if (model === "popular") return "most popular (training ratings per movie)";
  if (model === "item-knn") return "item-kNN (cosine on the binary user × movie matrix)";
  if (model === "ease") return "EASE (item × item ridge regression, closed form)";
  return rankingRecipes[model].label;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function sd(values: number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

function rowOf(
  model: RankingModelName,
  data: string,
  split: string,
  seeds: number[],
  runs: SeedResult[],
  published: PublishedRankingFigure[],
): RankingRow {
  const keys = Object.keys(figures(runs[0].report)) as (keyof RankingFigures)[];
  const summary = (f: (v: number[]) => number) =>
    Object.fromEntries(keys.map((k) => [k, f(runs.map((r) => figures(r.report)[k]))])) as
      & RankingFigures
      & Record<string, number>;
  const row: RankingRow = {
    task: "ranking",
    model,
    recipe: recipeLabel(model),
    data,
    split,
    seeds,
    ...summary(mean),
    seconds: mean(runs.map((r) => r.seconds)),
    selection_seconds: mean(runs.map((r) => r.selectionSeconds)),
    users: runs[0].report.users,
    skipped: runs[0].report.skipped,
    settings: runs.map((r) => r.settings),
    validation_ndcg_at_10: runs.map((r) => r.validationNdcg),
    per_seed: runs.map((r) => figures(r.report)),
    published,
  };
  if (runs.length > 1) row.std = summary(sd);
  return row;
}

/**
 * Runs the ranking evaluation.
 *
 * @param options Data set, split, seeds, epochs cap, models, progress.
 * @returns The rows (per seed and averaged), the selections, the splits and the target check.
 * @example
 * ```ts
 * import { runRankingEvaluation } from "./ranking_evaluation.ts";
 * const tiny = new URL("../../test/fixtures/latest_tiny", import.meta.url).pathname;
 * const result = await runRankingEvaluation({
 *   data: tiny, split: "random80", epochs: 1, models: ["popular", "softmax"], onProgress: () => {},
 * });
 * console.log(result.rows.map((r) => r.model)); // ["popular", "softmax"]
 * ```
 */
export async function runRankingEvaluation(
  options: RankingEvaluationOptions = {},
): Promise<RankingEvaluation> {
  const started = performance.now(), cpu0 = process.cpuUsage();
  const report = options.onProgress ?? stderrLine;
  const seedCount = checkPositiveInt(options.seeds ?? 1, "seeds", "runRankingEvaluation()");
  const firstSeed = checkNonNegativeInt(
    options.firstSeed ?? DEFAULT_SEED,
    "firstSeed",
    "runRankingEvaluation()",
  );
  const epochsCap = options.epochs ?? null;
  if (epochsCap !== null) checkPositiveInt(epochsCap, "epochs", "runRankingEvaluation()");
  const models = options.models ?? [...DEFAULT_RANKING_MODELS];
  for (const m of models) {
    if (!(RANKING_MODELS as readonly string[]).includes(m)) {
      throw new RangeError(
        `runRankingEvaluation(): unknown model ${JSON.stringify(m)} (known: ${
          RANKING_MODELS.join(", ")
        })`,
      );
    }
  }
  const info = await setupBackend();
  const datasets = options.data === undefined && options.split === undefined
    ? ["ml-100k", "ml-latest-small"]
    : [options.data ?? "ml-latest-small"];
  const splitName: SplitName = options.split ?? "random80";
  const seeds = Array.from({ length: seedCount }, (_, i) => firstSeed + i);
  const result: RankingEvaluation = {
    version: 1,
    generated: new Date().toISOString(),
    command: options.command ?? "deno task evaluate --task ranking",
    seeds,
    epochs: epochsCap,
    k: DEFAULT_K,
    backend: `${info.backend}${info.simd ? " simd" : ""}, ${plural(info.threads, "thread")}`,
    totalSeconds: 0,
    cpuSeconds: 0,
    datasets: [],
    splits: [],
    rows: [],
    selection: [],
    targets: [],
  };
  for (const data of datasets) {
    report(`Loading ${data} …`);
    const ml = await loadMovieLens(data, evaluationLoadOptions(options));
    const all = ml.ratings;
    result.datasets.push({
      name: ml.name,
      ratings: all.height,
      users: new Set(all.getColumn(COLUMNS.user).toArray() as number[]).size,
      movies: new Set(all.getColumn(COLUMNS.movie).toArray() as number[]).size,
    });
    const perModel = new Map<RankingModelName, SeedResult[]>();
    for (const seed of seeds) {
      // rankingParts() names the data set, split and seed of what it refuses.
      const { split, encoders, carve } = await rankingParts(ml, splitName, seed);
      const place: RowPlace = { data: ml.name, split: splitName, seed };
      const ctx: Context = {
        ml,
        data: ml.name,
        split: splitName,
        seed,
        train: split.train,
        task: rankingTask(split.train, split.test, encoders),
        carve,
        fraction: carve.train.height / split.train.height,
        encoders,
        epochsCap,
        report,
        selection: result.selection,
      };
      if (seed === seeds[0]) {
        result.splits.push({
          data: ml.name,
          split: splitName,
          train: split.train.height,
          test: split.test.height,
          carve: [carve.train.height, carve.test.height],
          catalogue: encoders.movies.size,
          repeated: ctx.task.repeatedTestRatings,
        });
      }
      report(`${ml.name} · ${splitName} · seed ${seed}`);
      for (const [i, model] of models.entries()) {
        const row = { label: model, index: i + 1, count: models.length };
        const r = await duringRow(
          { ...place, row },
          () =>
            model === "popular"
              ? runPopular(ctx)
              : model === "item-knn"
              ? runKnn(ctx)
              : model === "ease"
              ? runEase(ctx)
              : runEmbedding(model, ctx),
        );
        report(
          `  ${model}: P@10 ${r.report.precision.toFixed(4)}, NDCG@10 ${
            r.report.ndcg.toFixed(4)
          } (${r.seconds.toFixed(1)} s training, ${r.selectionSeconds.toFixed(1)} s choosing)`,
        );
        const list = perModel.get(model) ?? [];
        list.push(r);
        perModel.set(model, list);
      }
    }
    const published = (m: RankingModelName) =>
      ml.name === "ml-100k" && splitName === "random80" ? PUBLISHED[m] ?? [] : [];
    for (const [model, runs] of perModel) {
      result.rows.push(rowOf(model, ml.name, splitName, [seeds[0]], [runs[0]], published(model)));
    }
    if (seeds.length > 1) {
      for (const [model, runs] of perModel) {
        result.rows.push(rowOf(model, ml.name, splitName, seeds, runs, published(model)));
      }
    }
  }
  result.targets = checkRankingTargets(result.rows);
  result.totalSeconds = (performance.now() - started) / 1000;
  result.cpuSeconds = cpuSecondsSince(cpu0);
  return result;
}

/**
 * The target check: on ml-100k random80, the first seed's row (seed 42 in the committed run;
 * `--first-seed` replicates it on other splits) with the best **validation** NDCG@10
 * (every row records it, on the same carve-out of the training part) against P@10 ≥ 0.37 and
 * NDCG@10 ≥ 0.45 on the test part, with the same model's mean over the seeds when several ran,
 * and each seed's own validation-chosen row judged the same way.
 * The row is chosen on validation, not on the test figures it is judged by: picking the best of
 * several test figures would be one more choice made on the test part.
 *
 * @param rows The rows.
 * @returns One result, or none when ml-100k random80 did not run.
 * @example
 * ```ts
 * import { checkRankingTargets } from "./ranking_evaluation.ts";
 * console.log(checkRankingTargets([])); // []
 * ```
 */
export function checkRankingTargets(rows: RankingRow[]): RankingTargetResult[] {
  const t = RANKING_TARGETS;
  const here = rows.filter((r) => r.data === t.data && r.split === t.split);
  const single = here.filter((r) => r.seeds.length === 1);
  if (single.length === 0) return [];
  // The row best on validation for the i-th seed of its rows, and whether figures meet both.
  const chosen = (candidates: RankingRow[], i: number) =>
    candidates.reduce((a, b) =>
      (b.validation_ndcg_at_10[i] ?? -Infinity) > (a.validation_ndcg_at_10[i] ?? -Infinity) ? b : a
    );
  const meets = (f: RankingFigures) => f.precision_at_10 >= t.precision && f.ndcg_at_10 >= t.ndcg;
  const best = chosen(single, 0);
  const out: RankingTargetResult = {
    data: t.data,
    split: t.split,
    seed: best.seeds[0],
    model: best.model,
    validation_ndcg_at_10: best.validation_ndcg_at_10[0],
    precision_at_10: best.precision_at_10,
    ndcg_at_10: best.ndcg_at_10,
    targets: { precision_at_10: t.precision, ndcg_at_10: t.ndcg },
    met: meets(best),
  };
  const pooled = here.filter((r) => r.seeds.length > 1);
  const same = pooled.find((r) => r.model === best.model);
  if (same) {
    out.mean = {
      seeds: same.seeds,
      precision_at_10: same.precision_at_10,
      ndcg_at_10: same.ndcg_at_10,
    };
  }
  // Rows written before the per-seed figures were recorded have none to judge.
  if (same && pooled.every((r) => r.per_seed?.length === same.seeds.length)) {
    out.per_seed = same.seeds.map((seed, i) => {
      const row = chosen(pooled, i), f = row.per_seed[i];
      return {
        seed,
        model: row.model,
        validation_ndcg_at_10: row.validation_ndcg_at_10[i],
        precision_at_10: f.precision_at_10,
        ndcg_at_10: f.ndcg_at_10,
        met: meets(f),
      };
    });
  }
  return [out];
}
