/**
 * What the evaluation runs: for each data set and split, which rows (baselines, tutorial
 * recipes, "ours"), with the protocol each tutorial used and the figures it reported.
 * {@linkcode DEFAULT_PLAN} is the committed table; {@linkcode rowsFor} picks the rows for a
 * `--data` / `--split` / `--models` choice.
 *
 * @module
 */

import type { Layout } from "../../lib/data/mod.ts";
import { MODEL_KINDS, type ModelKind, type Recipe, recipes } from "../../lib/models/mod.ts";
import { REPORTED, type ReportedFigure, type ReportedKey } from "./reported_figures.ts";
import type { SplitName } from "./named_splits.ts";

/** The three baselines of the eval layer. */
export type BaselineName = "global" | "movie" | "bias";

/**
 * How a tutorial used validation data while training:
 * - `"none"`: not at all (or only to print it);
 * - `"holdout"`: Keras' `validation_split` — the last share of the training rows is held out
 *   and never trained on;
 * - `"test"`: the test part itself drives early stopping or "keep the best epoch", as the
 *   tutorial did (its figure is then optimistic).
 */
export type ValidationUse = "none" | "holdout" | "test";

/** One row (or, for "ours", two rows) of the table, before it runs. */
export type RowSpec =
  | {
    type: "baseline";
    /** Which baseline. */
    baseline: BaselineName;
    /** Figures reported beside it. */
    reported: ReportedFigure[];
  }
  | {
    type: "recipe";
    /** Tutorial number, `"000"` … `"004"` (as the reading notes number them). */
    tutorial: string;
    /** A readable label, e.g. `"seed 003 EmbeddingNet"`. */
    label: string;
    /** The recipe. */
    recipe: Recipe;
    /** How the tutorial used validation data. */
    validation: ValidationUse;
    /** Figures reported beside it. */
    reported: ReportedFigure[];
  }
  | {
    type: "ours";
    /** Figures reported beside it. */
    reported: ReportedFigure[];
  };

const fig = (...keys: ReportedKey[]): ReportedFigure[] => keys.map((k) => ({ ...REPORTED[k] }));

function baselines(reported: Partial<Record<BaselineName, ReportedFigure[]>> = {}): RowSpec[] {
  return (["global", "movie", "bias"] as const).map((baseline) => ({
    type: "baseline" as const,
    baseline,
    reported: reported[baseline] ?? [],
  }));
}

/** The recipe group of each tutorial, by the tutorial's number in the reading notes. */
const TUTORIAL_RECIPES = {
  "000": recipes.matrixFactorization,
  "001": recipes.kerasCollaborativeFiltering,
  "002": recipes.explicitFeedbackLab,
  "003": recipes.embeddingNet,
  "004": recipes.dlrmMlp,
} as const;

function recipeRow<T extends keyof typeof TUTORIAL_RECIPES>(
  tutorial: T,
  recipeName: keyof typeof TUTORIAL_RECIPES[T] & string,
  label: string,
  validation: ValidationUse,
  reported: ReportedFigure[] = [],
): RowSpec {
  const recipe = (TUTORIAL_RECIPES[tutorial] as Record<string, Recipe>)[recipeName];
  return { type: "recipe", tutorial, label, recipe, validation, reported };
}

const dlrmBaselines = () =>
  baselines({
    global: fig("dlrmGlobalMse", "dlrmGlobalMae"),
    movie: fig("dlrmMovieMse", "dlrmMovieMae"),
  });

/** The rows of the latest layout (ml-latest-small and its older releases), by split. */
const LATEST_ROWS: Partial<Record<SplitName, () => RowSpec[]>> = {
  mask80: () => [
    ...baselines(),
    recipeRow("000", "mf", "seed 000 model A (MF)", "none"),
    recipeRow(
      "000",
      "biasedMf",
      "seed 000 model B (MF + biases)",
      "none",
      fig("matrixFactorizationLoss"),
    ),
    recipeRow("000", "nn", "seed 000 model C (NN)", "none"),
    { type: "ours", reported: [] },
  ],
  random90: () => [
    ...baselines(),
    recipeRow("001", "recommenderV1", "seed 001 RecommenderV1", "none"),
    recipeRow("001", "recommenderV2", "seed 001 RecommenderV2", "none", fig("recommenderV2Mse")),
    recipeRow("001", "recommenderNet", "seed 001 RecommenderNet", "none"),
    recipeRow("001", "recommenderNetV2", "seed 001 RecommenderNetV2 (keras.io)", "none"),
    { type: "ours", reported: fig("recommenderV2Mse") },
  ],
  tail15: () => [
    ...dlrmBaselines(),
    recipeRow("004", "dlrm", "seed 004 DLRM (faithful split)", "test"),
    { type: "ours", reported: [] },
  ],
  random85: () => [
    ...dlrmBaselines(),
    recipeRow("004", "dlrm", "seed 004 DLRM (shuffled split)", "test"),
    { type: "ours", reported: [] },
  ],
};

/** The rows of the ml-100k layout, by split. */
const ML100K_ROWS: Partial<Record<SplitName, () => RowSpec[]>> = {
  random80: () => [
    ...baselines(),
    recipeRow("002", "regression", "seed 002 RegressionModel", "holdout"),
    recipeRow("002", "deep", "seed 002 deep model (fixed)", "holdout"),
    recipeRow("002", "hybrid", "seed 002 HybridModel", "holdout"),
    recipeRow("002", "classifier", "seed 002 classifier", "holdout"),
    recipeRow("003", "net", "seed 003 EmbeddingNet", "test", fig("embeddingNetBest")),
    { type: "ours", reported: fig("embeddingNetBest", "fastai") },
  ],
  u1: () => [
    ...baselines(),
    recipeRow("003", "net", "seed 003 EmbeddingNet (last epoch)", "none"),
    { type: "ours", reported: fig("glocalk", "gcmc", "surpriseSvdpp", "surpriseSvd") },
  ],
};

/** One recipe per kind, for splits the tutorials did not use. */
const KIND_RECIPES: Record<ModelKind, () => RowSpec> = {
  "dot": () => recipeRow("001", "recommenderV1", "seed 001 RecommenderV1", "none"),
  "dot-bias": () => recipeRow("003", "net", "seed 003 EmbeddingNet", "none"),
  "mlp": () => recipeRow("002", "deep", "seed 002 deep model (fixed)", "holdout"),
  "bce": () => recipeRow("001", "recommenderNetV2", "seed 001 RecommenderNetV2 (keras.io)", "none"),
  "dlrm": () => recipeRow("004", "dlrm", "seed 004 DLRM", "holdout"),
  "hybrid": () => recipeRow("002", "hybrid", "seed 002 HybridModel", "holdout"),
  "classifier": () => recipeRow("002", "classifier", "seed 002 classifier", "holdout"),
};

/** The committed table: every data set and split of `results/evaluation.md`, in order. */
export const DEFAULT_PLAN: readonly { data: string; split: SplitName }[] = [
  { data: "ml-latest-small", split: "mask80" },
  { data: "ml-latest-small", split: "random90" },
  { data: "ml-latest-small", split: "tail15" },
  { data: "ml-latest-small", split: "random85" },
  { data: "ml-100k", split: "random80" },
  { data: "ml-100k", split: "u1" },
];

/** The model kinds "ours" is made of (kept by `--models` only when all are selected). */
export const OURS_KINDS: readonly ModelKind[] = ["dot-bias"];

/**
 * The kinds a row trains (none for baselines).
 *
 * @param row A row spec.
 * @returns Its model kinds.
 * @example
 * ```ts
 * import { rowKinds } from "./row_plan.ts";
 * console.log(rowKinds({ type: "ours", reported: [] })); // ["dot-bias"]
 * ```
 */
export function rowKinds(row: RowSpec): readonly ModelKind[] {
  if (row.type === "baseline") return [];
  if (row.type === "ours") return OURS_KINDS;
  return [row.recipe.kind];
}

/** Options of {@linkcode rowsFor}. */
export interface RowsForOptions {
  /**
   * Keep only rows whose kinds are all listed (baselines are always kept).
   * @default {all kinds}
   */
  models?: readonly ModelKind[];
}

/**
 * The rows for a data layout and split: the tutorials' rows where the tutorials used that
 * split, else the baselines, one recipe per kind and "ours".
 *
 * @param layout `"latest"` or `"100k"`.
 * @param split The split.
 * @param options The kinds to keep.
 * @returns The rows, in table order.
 * @example
 * ```ts
 * import { rowsFor } from "./row_plan.ts";
 * const rows = rowsFor("100k", "random80", { models: ["mlp"] });
 * console.log(rows.map((r) => r.type)); // ["baseline", "baseline", "baseline", "recipe"]
 * ```
 */
export function rowsFor(layout: Layout, split: SplitName, options: RowsForOptions = {}): RowSpec[] {
  const table = layout === "100k" ? ML100K_ROWS : LATEST_ROWS;
  const make = table[split];
  const rows = make ? make() : [
    ...baselines(),
    ...MODEL_KINDS.map((kind) => KIND_RECIPES[kind]()),
    { type: "ours" as const, reported: [] },
  ];
  const models = options.models ?? MODEL_KINDS;
  return rows.filter((row) => rowKinds(row).every((k) => models.includes(k)));
}
