/**
 * Runs the evaluation: loads each data set, builds each split, trains every row of the plan
 * (baselines, the tutorials' recipes with their own training protocol, "ours"), scores it on
 * the test part (MSE, RMSE, MAE; precision, recall and NDCG at k) and puts the tutorials' and
 * the literature's figures beside it, over one or more seeds.
 *
 * @module
 */

import process from "node:process";
import { cpuSecondsSince, type RunInfo } from "./_run_info.ts";
import { dataSourceLabel, type EvaluationDuplicates, evaluationLoadOptions } from "./_loading.ts";
import pl, { type DataFrame } from "nodejs-polars";
import {
  fitEncoders,
  loadMovieLens,
  type MovieLens,
  type ReleaseCheck,
} from "../../lib/data/mod.ts";
import { COLUMNS, DEFAULT_K, DEFAULT_SEED, RELEVANCE_THRESHOLD } from "../../lib/defaults.ts";
import {
  biasBaseline,
  globalMeanBaseline,
  movieMeanBaseline,
  type RankingMetrics,
  ratingMetrics,
} from "../../lib/eval/mod.ts";
import {
  buildModel,
  disposeRecommender,
  FUSED_KINDS,
  type ModelKind,
  predictRatings,
  train,
} from "../../lib/models/mod.ts";
import { setupBackend } from "../../lib/train/backend.ts";
import { blendWeightsAt, OURS_MODEL, predictOurs, trainOurs } from "./ours_ensemble.ts";
import { DEFAULT_PLAN, rowsFor, type RowSpec } from "./row_plan.ts";
import { rankingOf, type Scorer } from "./top_k_ranking.ts";
import { releaseProblem, type ReportedFigure, TARGETS } from "./reported_figures.ts";
import { makeSplit, type NamedSplit, type SplitName } from "./named_splits.ts";
import { checkNonNegativeInt, checkPositiveInt, plural } from "../../lib/_validate.ts";
import { duringRow, type RowPlace } from "./_failed_row.ts";

/** A reported figure next to our number in the same metric. */
export interface ReportedComparison extends ReportedFigure {
  /** Our value in the figure's metric, or null when the figure is not comparable. */
  ours: number | null;
  /** `ours − value`, or null. */
  difference: number | null;
}

/** A row's figures on one seed, or their mean or standard deviation over seeds. */
export interface RowFigures {
  /** MSE. */
  mse: number;
  /** RMSE. */
  rmse: number;
  /** MAE. */
  mae: number;
  /** Precision@k (relevant: test ratings ≥ the threshold), or null. */
  precision: number | null;
  /** Recall@k, or null. */
  recall: number | null;
  /** NDCG@k, or null. */
  ndcg: number | null;
}

/** A row's figures on one seed of the run. */
export interface SeedFigures extends RowFigures {
  /** The seed. */
  seed: number;
  /** Epochs trained on that seed (per member for "ours"), or null for baselines. */
  epochs: number | null;
  /** Training seconds on that seed. */
  seconds: number;
}

/** A row over every seed of a run with more than one: the mean, the spread, each seed's figures. */
export interface OverSeeds {
  /** The seeds, in order (the first is the row's own figures). */
  seeds: number[];
  /** Mean over the seeds. */
  mean: RowFigures;
  /** Sample standard deviation over the seeds. */
  std: RowFigures;
  /** Each seed's figures, in seed order. */
  perSeed: SeedFigures[];
}

/**
 * One row of the table: a model on a data set and split, with the first seed's figures (the
 * committed run's seed 42) and, when more seeds ran, their mean ± sd in `overSeeds`.
 */
export interface EvaluationRow {
  /** Data set name. */
  data: string;
  /** Split name. */
  split: string;
  /** A factory kind, ours' ensemble ({@linkcode OURS_MODEL}) or a name containing "baseline". */
  model: string;
  /** Which recipe: `"seed 003 EmbeddingNet"`, `"ours: blend for MSE"`, … */
  recipe: string;
  /** Tutorial number (`"000"` … `"004"`) or null. */
  tutorial: string | null;
  /** Mean squared error on the test part (first seed). */
  mse: number;
  /** Root mean squared error. */
  rmse: number;
  /** Mean absolute error. */
  mae: number;
  /**
   * Precision at k, test ratings ≥ the threshold relevant (null for the global mean, whose
   * ranking is all ties).
   */
  precision: number | null;
  /** Recall at k. */
  recall: number | null;
  /** NDCG at k. */
  ndcg: number | null;
  /** Epochs trained on the first seed (per member for "ours"), or null for baselines. */
  epochs: number | null;
  /** Training seconds on the first seed (fitting, for baselines). */
  seconds: number;
  /** Number of seeds run. */
  runs: number;
  /** Mean, standard deviation and each seed's figures (present when runs > 1). */
  overSeeds?: OverSeeds;
  /** The tutorial's or the literature's figures beside ours. */
  reported: ReportedComparison[];
  /** What is special about this row's protocol, if anything. */
  note?: string;
  /** True when the row's epochs were chosen on its test part, as its tutorial did. */
  testTuned?: boolean;
}

/** A split as it ran. */
export interface EvaluationSplit {
  /** Data set name. */
  data: string;
  /** Split name. */
  split: string;
  /** What the split is. */
  description: string;
  /** Training ratings (first seed). */
  train: number;
  /** Test ratings. */
  test: number;
  /** Test ratings whose user is not in training. */
  coldUsers: number;
  /** Test ratings whose movie is not in training. */
  coldMovies: number;
  /**
   * Why the figures published for this split are not shown beside its rows: they were
   * measured on a release these data are not (as the loader verified them). Absent when they
   * are shown or none apply.
   */
  reportedWithheld?: string;
}

/** A target checked against the best row of its data set and split. */
export interface TargetResult {
  /** Data set. */
  data: string;
  /** Split. */
  split: string;
  /** Metric. */
  metric: "mse" | "rmse" | "mae";
  /** Threshold. */
  max: number;
  /** Best value among the rows (first seed). */
  best: number;
  /** Recipe of the best row. */
  bestRecipe: string;
  /** Whether `best ≤ max`. */
  met: boolean;
  /** Context. */
  note: string;
  /** The same row's metric over the seeds (present when more than one ran). */
  overSeeds?: { seeds: number[]; mean: number; std: number; perSeed: number[] };
}

/** A data set as loaded. */
export interface EvaluationDataset {
  /** Name. */
  name: string;
  /** File layout. */
  layout: string;
  /** Where it was read from (see `dataSourceLabel()`: relative inside the project). */
  source: string;
  /** Ratings. */
  ratings: number;
  /** Distinct users. */
  users: number;
  /** Distinct rated movies. */
  movies: number;
  /** Whether the official checksums were checked and matched. */
  verified: boolean;
  /**
   * The release the data claim to be and how they differ from it (see `MovieLens.release`);
   * when they differ, `name` ends in ` (modified)`.
   */
  release: ReleaseCheck | null;
}

/** Everything the evaluation produced; `evaluation.json` holds exactly this. */
export interface EvaluationResult extends RunInfo {
  /** Relevance threshold of the ranking metrics (stars). */
  threshold: number;
  /** Data sets. */
  datasets: EvaluationDataset[];
  /** Splits. */
  splits: EvaluationSplit[];
  /** Rows, in table order. */
  rows: EvaluationRow[];
  /** The targets (`TARGETS`) whose split ran. */
  targets: TargetResult[];
}

/** Options of {@linkcode runEvaluation}. */
export interface EvaluationOptions {
  /**
   * `"ml-100k"`, `"ml-latest-small"`, or a folder/zip in either layout. Without `data` and
   * `split`, the whole committed table runs.
   * @default {undefined}
   */
  data?: string;
  /**
   * One split; without it, the splits of the committed table for the data's layout.
   * @default {undefined}
   */
  split?: SplitName;
  /**
   * Model kinds to train (baselines always run; "ours" runs with dot-bias).
   * @default {all kinds}
   */
  models?: ModelKind[];
  /**
   * Number of seeds (`firstSeed`, `firstSeed + 1`, …); figures are means with standard
   * deviations.
   * @default {1}
   */
  seeds?: number;
  /**
   * The first seed; the seeds are `firstSeed`, `firstSeed + 1`, …
   * @default {DEFAULT_SEED (42)}
   */
  firstSeed?: number;
  /**
   * Epochs of every model instead of its recipe's (for quick runs).
   * @default {null}
   */
  epochs?: number | null;
  /**
   * Compute ranking metrics (the slowest part after training).
   * @default {true}
   */
  ranking?: boolean;
  /**
   * The command line to record.
   * @default {"deno task evaluate"}
   */
  command?: string;
  /**
   * Progress messages.
   * @default {a line on stderr per row}
   */
  onProgress?: (message: string) => void;
  /**
   * Repeated (userId, movieId) pairs in the data: keep the latest rating of each (reported
   * through `onWarning`) or refuse the data. Keeping every row is not offered: a pair rated
   * twice could then land in both the training and the test part.
   * @default {"last"}
   */
  duplicates?: EvaluationDuplicates;
  /**
   * The loader's warnings (repeated pairs dropped, files that differ from their release).
   * @default {console.warn}
   */
  onWarning?: (message: string) => void;
}

/** One row as scored for one seed, before {@linkcode aggregate} averages the seeds. */
interface RawRow
  extends Omit<EvaluationRow, "precision" | "recall" | "ndcg" | "runs" | "overSeeds" | "reported"> {
  key: string;
  seed: number;
  ranking: RankingMetrics | null;
  reported: ReportedFigure[];
}

const BASELINE_NAMES = {
  global: "global mean baseline",
  movie: "movie mean baseline",
  bias: "user + movie bias baseline",
} as const;

const ENCODER = new TextEncoder();

function stderrLine(message: string): void {
  try {
    Deno.stderr.writeSync(ENCODER.encode(message + "\n"));
  } catch {
    // No stderr: progress is best effort.
  }
}

function ratingsOf(df: DataFrame): Float64Array {
  return Float64Array.from(df.getColumn(COLUMNS.rating).toArray() as number[]);
}

interface RowContext {
  ml: MovieLens;
  split: NamedSplit;
  seed: number;
  epochs: number | null;
  ranking: boolean;
  all: DataFrame;
}

interface Scored {
  model: string;
  recipe: string;
  tutorial: string | null;
  score: Scorer | null;
  rankable: boolean;
  epochs: number | null;
  seconds: number;
  reported: ReportedFigure[];
  note?: string;
  testTuned?: boolean;
  dispose?: () => void;
}

function baselineRow(spec: Extract<RowSpec, { type: "baseline" }>, ctx: RowContext): Scored {
  const started = performance.now();
  const fitted = spec.baseline === "global"
    ? globalMeanBaseline(ctx.split.train)
    : spec.baseline === "movie"
    ? movieMeanBaseline(ctx.split.train)
    : biasBaseline(ctx.split.train);
  const seconds = (performance.now() - started) / 1000;
  const name = BASELINE_NAMES[spec.baseline];
  return {
    model: name,
    recipe: name,
    tutorial: null,
    score: (u, m) => fitted.predict({ userIds: u, movieIds: m }),
    rankable: spec.baseline !== "global",
    epochs: null,
    seconds,
    reported: spec.reported,
  };
}

async function recipeRow(
  spec: Extract<RowSpec, { type: "recipe" }>,
  ctx: RowContext,
): Promise<Scored> {
  const { kind, fit, classes: _classes, description: _d, ...modelOptions } = spec.recipe;
  const encoders = fitEncoders(ctx.all);
  const started = performance.now();
  const rec = buildModel(kind, {
    ...modelOptions,
    users: encoders.users,
    movies: encoders.movies,
    ratings: ctx.split.train,
    seed: ctx.seed,
    ...(kind === "hybrid" ? { catalog: ctx.ml.movies } : {}),
    ...(FUSED_KINDS.includes(kind) ? { fused: true } : {}),
  });
  const phases = ctx.epochs !== null
    ? [{ learningRate: spec.recipe.learningRate ?? 1e-3, epochs: ctx.epochs }]
    : fit.schedule ?? [{ learningRate: spec.recipe.learningRate ?? 1e-3, epochs: fit.epochs }];
  const validation = spec.validation === "test"
    ? ctx.split.test
    : spec.validation === "holdout"
    ? fit.validation ?? 0.1
    : undefined;
  const earlyStopping = validation !== undefined && fit.earlyStopping
    ? { ...fit.earlyStopping }
    : false;
  const keepBestWeights = validation !== undefined && (fit.keepBestWeights ?? false);
  let epochs = 0;
  let best: number | null = null;
  for (const phase of phases) {
    const history = await train(rec, ctx.split.train, {
      epochs: phase.epochs,
      batchSize: fit.batchSize,
      learningRate: phase.learningRate,
      validation,
      earlyStopping,
      keepBestWeights,
      seed: ctx.seed,
      initialEpoch: epochs,
      verbose: 0,
    });
    epochs += history.epoch.length;
    best = history.bestEpoch;
    if (history.stoppedEpoch !== null) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const notes: string[] = [];
  if (spec.validation === "test") {
    notes.push(
      keepBestWeights
        ? `in our run: best epoch (${best} of ${epochs}) chosen on the test part, as the tutorial did`
        : `early stopping watched the test part (stopped after ${
          plural(epochs, "epoch")
        }), as the tutorial did`,
    );
  }
  if (spec.validation === "holdout") {
    notes.push(
      `Keras validation_split: the last ${
        Math.round((fit.validation ?? 0.1) * 100)
      } % of the training rows held out`,
    );
  }
  return {
    model: kind,
    recipe: spec.label,
    tutorial: spec.tutorial,
    score: (u, m) => predictRatings(rec, { userIds: u, movieIds: m }),
    rankable: true,
    epochs,
    seconds,
    reported: spec.reported,
    note: notes.join("; ") || undefined,
    ...(spec.validation === "test" ? { testTuned: true } : {}),
    dispose: () => disposeRecommender(rec),
  };
}

async function oursRows(spec: Extract<RowSpec, { type: "ours" }>, ctx: RowContext) {
  const ours = await trainOurs(ctx.split.train, fitEncoders(ctx.all), {
    seed: ctx.seed,
    epochs: ctx.epochs,
  });
  const rows: Scored[] = (["squared", "absolute"] as const).map((blend) => ({
    model: OURS_MODEL,
    recipe: blend === "squared"
      ? "ours: blend for MSE"
      : `ours: blend for MAE${ours.roundTo !== null ? ", rounded to the rating scale" : ""}`,
    tutorial: null,
    score: (u: Int32Array, m: Int32Array) => predictOurs(ours, blend, { userIds: u, movieIds: m }),
    rankable: true,
    epochs: ours.epochs,
    seconds: ours.seconds,
    // The figures beside ours are MSE/RMSE figures: they go beside the MSE blend only.
    reported: blend === "squared" ? spec.reported : [],
    note: `${blend === "squared" ? "" : "same members, "}${ours.blending} blend, ${
      formatBlend(
        blendWeightsAt(blend === "squared" ? ours.squared : ours.absolute, ours.featureMeans),
      )
    }${ours.blending === "stacked" ? " at the carve-out's mean log counts" : ""}`,
  }));
  rows[1].dispose = () => ours.members.forEach((m) => disposeRecommender(m.rec));
  return rows;
}

function formatBlend(b: { intercept: number; weights: number[] }): string {
  return `intercept ${b.intercept.toFixed(2)}, weights [${
    b.weights.map((w) => w.toFixed(2)).join(", ")
  }] for the ${b.weights.length - 1} members and the bias baseline`;
}

function metricOf(row: { mse: number; rmse: number; mae: number }, metric: string): number {
  return metric === "rmse" ? row.rmse : metric === "mae" ? row.mae : row.mse;
}

async function runSplit(
  ml: MovieLens,
  splitName: SplitName,
  rows: RowSpec[],
  seed: number,
  options: EvaluationOptions,
  report: (m: string) => void,
  splits: EvaluationSplit[],
): Promise<RawRow[]> {
  const place: RowPlace = { data: ml.name, split: splitName, seed };
  const split = await duringRow(place, () => makeSplit(ml, splitName, { seed }));
  if (!splits.some((s) => s.data === ml.name && s.split === splitName)) {
    const withheld = withheldNote(ml, rows.flatMap((r) => r.reported));
    splits.push({
      data: ml.name,
      split: splitName,
      description: split.description,
      train: split.train.height,
      test: split.test.height,
      coldUsers: split.coldUsers,
      coldMovies: split.coldMovies,
      ...(withheld ? { reportedWithheld: withheld } : {}),
    });
  }
  const ctx: RowContext = {
    ml,
    split,
    seed,
    epochs: options.epochs ?? null,
    ranking: options.ranking ?? true,
    all: pl.concat([
      split.train.select(COLUMNS.user, COLUMNS.movie),
      split.test.select(COLUMNS.user, COLUMNS.movie),
    ]),
  };
  const truth = ratingsOf(split.test);
  const out: RawRow[] = [];
  for (const [i, spec] of rows.entries()) {
    const row = { ...rowName(spec), index: i + 1, count: rows.length };
    await duringRow({ ...place, row }, () => runRow(spec, ctx, truth, out, report));
  }
  return out;
}

/** A row's label and model kind, for the message of an error in it. */
function rowName(spec: RowSpec): { label: string; model: string } {
  if (spec.type === "baseline") {
    const name = BASELINE_NAMES[spec.baseline];
    return { label: name, model: name };
  }
  if (spec.type === "recipe") return { label: spec.label, model: spec.recipe.kind };
  return { label: "ours: blends for MSE and MAE", model: OURS_MODEL };
}

/** Trains one row of the plan (two for ours), scores it on the test part and adds it to `out`. */
async function runRow(
  spec: RowSpec,
  ctx: RowContext,
  truth: Float64Array,
  out: RawRow[],
  report: (m: string) => void,
): Promise<void> {
  const { ml, split } = ctx;
  const splitName = split.name;
  // Published figures stand only beside results on the release they were measured on.
  const shown = (figures: ReportedFigure[]) =>
    figures.filter((f) => releaseProblem(ml, f.release) === null);
  const scored = spec.type === "baseline"
    ? [baselineRow(spec, ctx)]
    : spec.type === "recipe"
    ? [await recipeRow(spec, ctx)]
    : await oursRows(spec, ctx);
  try {
    for (const s of scored) {
      const u = Int32Array.from(split.test.getColumn(COLUMNS.user).toArray() as number[]);
      const m = Int32Array.from(split.test.getColumn(COLUMNS.movie).toArray() as number[]);
      const pred = s.score!(u, m);
      const metrics = ratingMetrics(truth, pred);
      const ranking = ctx.ranking && s.rankable
        ? rankingOf(s.score!, split.train, split.test, { k: DEFAULT_K })
        : null;
      out.push({
        key: `${ml.name}|${splitName}|${s.recipe}`,
        seed: ctx.seed,
        data: ml.name,
        split: splitName,
        model: s.model,
        recipe: s.recipe,
        tutorial: s.tutorial,
        mse: metrics.mse,
        rmse: metrics.rmse,
        mae: metrics.mae,
        ranking,
        epochs: s.epochs,
        seconds: s.seconds,
        reported: shown(s.reported),
        note: s.note,
        ...(s.testTuned ? { testTuned: true } : {}),
      });
      report(
        `  ${ml.name} ${splitName} · ${s.recipe}: MSE ${metrics.mse.toFixed(4)}, MAE ${
          metrics.mae.toFixed(4)
        }${ranking ? `, NDCG@${DEFAULT_K} ${ranking.ndcg.toFixed(4)}` : ""} (${
          s.seconds.toFixed(1)
        } s training)`,
      );
    }
  } finally {
    for (const s of scored) s.dispose?.();
  }
}

/**
 * Refuses, before any row trains, data whose ratings are all the same: a model's output range
 * is its training ratings' min to max (`buildModel()` refuses an empty one), and every error
 * would be that of a constant, so no row could run past the baselines.
 *
 * @throws {RangeError} Naming the data set, where it was read from and the one rating.
 */
function checkRatingsVary(ml: MovieLens): void {
  const column = ml.ratings.getColumn(COLUMNS.rating);
  const [min, max] = [column.min() as number, column.max() as number];
  if (ml.ratings.height > 0 && min === max) {
    throw new RangeError(
      `${ml.name} (${ml.source}): expected ratings of at least two values to ` +
        `train the models on, found all ${ml.ratings.height.toLocaleString("en")} ratings ` +
        `equal to ${min} (a model predicts within its training ratings' range, which would be ` +
        "empty); nothing was trained",
    );
  }
}

/** The sentence saying why published figures are left out, or null when none is. */
function withheldNote(ml: MovieLens, figures: ReportedFigure[]): string | null {
  const reasons = new Map<string, string>();
  for (const f of figures) {
    const problem = releaseProblem(ml, f.release);
    if (problem) reasons.set(f.release, problem);
  }
  if (reasons.size === 0) return null;
  const why = [...reasons].map(([release, problem]) => `on ${release}, and ${problem}`);
  return `The tutorials' and the literature's figures are not shown (–): they were measured ${
    why.join("; ")
  }.`;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function std(values: number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/**
 * One row per data set, split and recipe: the first seed's figures, and, over more seeds, their
 * mean, standard deviation and each seed's figures.
 */
function aggregate(raw: RawRow[]): EvaluationRow[] {
  const groups = new Map<string, RawRow[]>();
  for (const r of raw) {
    const list = groups.get(r.key);
    if (list) list.push(r);
    else groups.set(r.key, [r]);
  }
  return [...groups.values()].map((runs) => {
    const first = runs[0];
    const figures = (r: RawRow): RowFigures => ({
      mse: r.mse,
      rmse: r.rmse,
      mae: r.mae,
      precision: r.ranking?.precision ?? null,
      recall: r.ranking?.recall ?? null,
      ndcg: r.ranking?.ndcg ?? null,
    });
    const row: EvaluationRow = {
      data: first.data,
      split: first.split,
      model: first.model,
      recipe: first.recipe,
      tutorial: first.tutorial,
      ...figures(first),
      epochs: first.epochs,
      seconds: first.seconds,
      runs: runs.length,
      reported: [],
    };
    if (runs.length > 1) row.overSeeds = overSeeds(runs, figures);
    row.reported = first.reported.map((f) => {
      const ours = f.comparable && f.metric !== "loss" ? metricOf(row, f.metric) : null;
      return { ...f, ours, difference: ours === null ? null : ours - f.value };
    });
    if (first.note) row.note = first.note;
    if (first.testTuned) row.testTuned = true;
    return row;
  });
}

/** The mean, spread and each seed's figures of one row's runs. */
function overSeeds(runs: RawRow[], figures: (r: RawRow) => RowFigures): OverSeeds {
  const each = runs.map(figures);
  const summary = (f: (values: number[]) => number): RowFigures => {
    const of = (key: keyof RowFigures) => {
      const values = each.map((e) => e[key]);
      return values.some((v) => v === null) ? null : f(values as number[]);
    };
    return {
      mse: of("mse")!,
      rmse: of("rmse")!,
      mae: of("mae")!,
      precision: of("precision"),
      recall: of("recall"),
      ndcg: of("ndcg"),
    };
  };
  return {
    seeds: runs.map((r) => r.seed),
    mean: summary(mean),
    std: summary(std),
    perSeed: runs.map((r, i) => ({
      seed: r.seed,
      ...each[i],
      epochs: r.epochs,
      seconds: r.seconds,
    })),
  };
}

function checkTargets(rows: EvaluationRow[]): TargetResult[] {
  const out: TargetResult[] = [];
  for (const t of TARGETS) {
    const candidates = rows.filter((r) => r.data === t.data && r.split === t.split);
    if (candidates.length === 0) continue;
    let best = candidates[0];
    for (const r of candidates) if (metricOf(r, t.metric) < metricOf(best, t.metric)) best = r;
    const value = metricOf(best, t.metric);
    const target: TargetResult = {
      data: t.data,
      split: t.split,
      metric: t.metric,
      max: t.max,
      best: value,
      bestRecipe: best.recipe,
      met: value <= t.max,
      note: t.note,
    };
    const spread = best.overSeeds;
    if (spread) {
      target.overSeeds = {
        seeds: spread.seeds,
        mean: metricOf(spread.mean, t.metric),
        std: metricOf(spread.std, t.metric),
        perSeed: spread.perSeed.map((p) => metricOf(p, t.metric)),
      };
    }
    out.push(target);
  }
  return out;
}

/**
 * Runs the evaluation and returns every row, split, data set and target check.
 *
 * @param options Data set, split, models, seeds, epochs override, progress.
 * @returns The result (what `evaluation.json` holds).
 * @example
 * ```ts
 * import { runEvaluation } from "./run_evaluation.ts";
 * const tiny = new URL("../../test/fixtures/latest_tiny", import.meta.url).pathname;
 * const result = await runEvaluation({
 *   data: tiny, split: "random80", models: ["dot"], epochs: 1, onProgress: () => {},
 * });
 * console.log(result.rows.map((r) => r.model));
 * // ["global mean baseline", "movie mean baseline", "user + movie bias baseline", "dot"]
 * ```
 */
export async function runEvaluation(options: EvaluationOptions = {}): Promise<EvaluationResult> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const report = options.onProgress ?? stderrLine;
  const seeds = options.seeds ?? 1;
  checkPositiveInt(seeds, "seeds", "runEvaluation()");
  const firstSeed = checkNonNegativeInt(
    options.firstSeed ?? DEFAULT_SEED,
    "firstSeed",
    "runEvaluation()",
  );
  if (options.epochs != null) checkPositiveInt(options.epochs, "epochs", "runEvaluation()");
  const info = await setupBackend();
  const loaded = new Map<string, MovieLens>();
  const load = async (name: string) => {
    let ml = loaded.get(name);
    if (!ml) {
      report(`Loading ${name} …`);
      ml = await loadMovieLens(name, evaluationLoadOptions(options));
      checkRatingsVary(ml);
      loaded.set(name, ml);
    }
    return ml;
  };
  let jobs: { data: string; split: SplitName }[];
  if (options.data === undefined && options.split === undefined) {
    jobs = [...DEFAULT_PLAN];
  } else {
    const data = options.data ?? "ml-latest-small";
    const ml = await load(data);
    const defaults = DEFAULT_PLAN.filter((j) =>
      j.data === (ml.layout === "100k" ? "ml-100k" : "ml-latest-small")
    ).map((j) => j.split);
    jobs = (options.split ? [options.split] : defaults).map((split) => ({ data, split }));
  }
  const seedList = Array.from({ length: seeds }, (_, i) => firstSeed + i);
  const raw: RawRow[] = [];
  const splits: EvaluationSplit[] = [];
  for (const seed of seedList) {
    for (const job of jobs) {
      const ml = await load(job.data);
      const rows = rowsFor(ml.layout, job.split, { models: options.models });
      report(`${ml.name} · ${job.split} · seed ${seed}: ${plural(rows.length, "row")}`);
      raw.push(...await runSplit(ml, job.split, rows, seed, options, report, splits));
    }
  }
  const rows = aggregate(raw);
  const datasets: EvaluationDataset[] = [...loaded.values()].map((ml) => ({
    name: ml.name,
    layout: ml.layout,
    source: dataSourceLabel(ml.source, ml.origin),
    ratings: ml.ratings.height,
    users: new Set(ml.ratings.getColumn(COLUMNS.user).toArray() as number[]).size,
    movies: new Set(ml.ratings.getColumn(COLUMNS.movie).toArray() as number[]).size,
    verified: ml.verified,
    release: ml.release && {
      ...ml.release,
      claimedBy: ml.release.claimedBy.startsWith("/")
        ? dataSourceLabel(ml.release.claimedBy, ml.origin)
        : ml.release.claimedBy,
    },
  }));
  return {
    version: 1,
    generated: new Date().toISOString(),
    command: options.command ?? "deno task evaluate",
    seeds: seedList,
    epochs: options.epochs ?? null,
    k: DEFAULT_K,
    threshold: RELEVANCE_THRESHOLD,
    backend: `${info.backend}${info.simd ? " simd" : ""}, ${plural(info.threads, "thread")}`,
    totalSeconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSecondsSince(cpuStart),
    datasets,
    splits,
    rows,
    targets: checkTargets(rows),
  };
}
