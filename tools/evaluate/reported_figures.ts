/**
 * The figures the tutorials and the literature report, exactly as reported: which metric
 * (MSE, RMSE, MAE or a training loss), on which data and split, and what it does or does not
 * measure, and the release it was measured on. The evaluation prints them beside its own
 * numbers with the difference, and only beside results on that release as the loader verified
 * it ({@linkcode releaseProblem}).
 *
 * @module
 */

/** A metric a figure is expressed in; `loss` is a Keras loss that includes penalties. */
export type ReportedMetric = "mse" | "rmse" | "mae" | "loss";

/** A MovieLens release figures were published for. */
export type ReportedRelease = "ml-latest-small" | "ml-100k";

/** One reported figure. */
export interface ReportedFigure {
  /** Who reported it, e.g. `"tutorial 003"` or `"GLocal-K (2021)"`. */
  source: string;
  /** The metric it is expressed in. */
  metric: ReportedMetric;
  /** The value. */
  value: number;
  /**
   * The release it was measured on: it is shown only beside results on that release, as the
   * loader verified it (see {@linkcode releaseProblem}).
   */
  release: ReportedRelease;
  /** Whether the source gives it as approximate ("≈ 0.76"). */
  approx: boolean;
  /** Whether it measures the same thing as our row (else it is shown without a difference). */
  comparable: boolean;
  /** What exactly the figure is. */
  note: string;
}

/** The figures by key; plan rows refer to them. */
export const REPORTED = {
  matrixFactorizationLoss: {
    source: "tutorial 000",
    metric: "loss",
    value: 1,
    release: "ml-latest-small",
    approx: true,
    comparable: false,
    note: "model B's validation loss after 40 epochs, claimed in prose (Keras loss: MSE plus " +
      "the L2 penalty of every embedding; 2016 ml-latest-small; no output survives)",
  },
  recommenderV2Mse: {
    source: "tutorial 001",
    metric: "mse",
    value: 0.76,
    release: "ml-latest-small",
    approx: true,
    comparable: true,
    note: "RecommenderV2's validation loss after 5 epochs on its 10 % test split (MSE plus a " +
      "1e-6 L2 term)",
  },
  embeddingNetBest: {
    source: "tutorial 003",
    metric: "mse",
    value: 0.8458,
    release: "ml-100k",
    approx: false,
    comparable: true,
    note:
      "in the post's own run: best epoch (29 of 30, counted from 1) of the validation MSE, chosen on the " +
      "20 % test split itself",
  },
  dlrmGlobalMae: {
    source: "tutorial 004",
    metric: "mae",
    value: 0.83,
    release: "ml-latest-small",
    approx: false,
    comparable: true,
    note: "global-mean baseline on its validation part (split unspecified)",
  },
  dlrmGlobalMse: {
    source: "tutorial 004",
    metric: "mse",
    value: 1.10,
    release: "ml-latest-small",
    approx: false,
    comparable: true,
    note: "global-mean baseline on its validation part (split unspecified)",
  },
  dlrmMovieMae: {
    source: "tutorial 004",
    metric: "mae",
    value: 0.76,
    release: "ml-latest-small",
    approx: false,
    comparable: true,
    note: "per-movie-mean baseline on its validation part (split unspecified)",
  },
  dlrmMovieMse: {
    source: "tutorial 004",
    metric: "mse",
    value: 0.96,
    release: "ml-latest-small",
    approx: false,
    comparable: true,
    note: "per-movie-mean baseline on its validation part (split unspecified)",
  },
  fastai: {
    source: "fastai tutorial",
    metric: "mse",
    value: 0.81,
    release: "ml-100k",
    approx: true,
    comparable: true,
    note: "fastai's collaborative-filtering tutorial, dot product with biases, " +
      "fit_one_cycle(5, 5e-3, wd=0.1), validation MSE on a random 80/20 split of ml-100k",
  },
  surpriseSvd: {
    source: "Surprise SVD",
    metric: "rmse",
    value: 0.934,
    release: "ml-100k",
    approx: false,
    comparable: true,
    note: "Surprise's benchmark table: SVD, mean RMSE of a 5-fold cross-validation of ml-100k",
  },
  surpriseSvdpp: {
    source: "Surprise SVD++",
    metric: "rmse",
    value: 0.919,
    release: "ml-100k",
    approx: false,
    comparable: true,
    note: "Surprise's benchmark table: SVD++, mean RMSE of a 5-fold cross-validation of ml-100k",
  },
  gcmc: {
    source: "GC-MC (2017)",
    metric: "rmse",
    value: 0.910,
    release: "ml-100k",
    approx: false,
    comparable: true,
    note: "graph convolutional matrix completion (van den Berg et al.), test RMSE on u1",
  },
  glocalk: {
    source: "GLocal-K (2021)",
    metric: "rmse",
    value: 0.889,
    release: "ml-100k",
    approx: false,
    comparable: true,
    note: "global and local kernels (Han et al.), test RMSE on u1",
  },
} as const satisfies Record<string, ReportedFigure>;

/** A key of {@linkcode REPORTED}. */
export type ReportedKey = keyof typeof REPORTED;

/** What the loader says about a data set (the fields of `MovieLens` the check reads). */
export interface LoadedRelease {
  /** The data set's name (`"ml-100k"`, a folder name, `"ml-100k (modified)"`). */
  name: string;
  /** Whether the official checksums were checked and matched. */
  verified: boolean;
  /** The release the files claim to be and how they differ from it, or null. */
  release: { name: string; differences: readonly string[] } | null;
}

/**
 * Why figures published for `release` may not stand beside results on a loaded data set, or
 * null when they may: only the named release itself qualifies, as the loader verified it (its
 * official checksums matched, it claims that release and differs from it in nothing). Other
 * data in the same file layout, however named, get no published figure.
 *
 * @param data The loaded data set (`MovieLens` or the evaluation's record of it).
 * @param release The release the figures were published for.
 * @returns The reason in one clause, or null.
 * @example
 * ```ts
 * import { releaseProblem } from "./reported_figures.ts";
 * import { assertEquals } from "@std/assert";
 * const tiny = { name: "latest_tiny", verified: false, release: null };
 * assertEquals(
 *   releaseProblem(tiny, "ml-latest-small"),
 *   "latest_tiny does not claim to be that release and the loader could not verify it",
 * );
 * const real = {
 *   name: "ml-100k",
 *   verified: true,
 *   release: { name: "ml-100k", differences: [] },
 * };
 * assertEquals(releaseProblem(real, "ml-100k"), null);
 * ```
 */
export function releaseProblem(data: LoadedRelease, release: ReportedRelease): string | null {
  const claim = data.release;
  if (claim === null) {
    return `${data.name} does not claim to be that release and the loader could not verify it`;
  }
  if (claim.name !== release) return `${data.name} is the ${claim.name} release`;
  if (claim.differences.length > 0) {
    const more = claim.differences.length - 1;
    return `${data.name} differs from it: ${claim.differences[0]}${
      more > 0 ? ` (and in ${more} more way${more > 1 ? "s" : ""})` : ""
    }`;
  }
  if (!data.verified) {
    return `the loader could not verify ${data.name} as that release (its official ` +
      "checksums did not apply or did not match)";
  }
  return null;
}

/** A target: the best row of a data set and split must reach `max`. */
export interface Target {
  /** Data set name. */
  data: string;
  /** Split name. */
  split: string;
  /** Metric. */
  metric: "mse" | "rmse" | "mae";
  /** The value the best row must not exceed. */
  max: number;
  /** Context for the reader. */
  note: string;
}

/** The targets the best row of each data set and split must reach. */
export const TARGETS: readonly Target[] = [
  {
    data: "ml-100k",
    split: "random80",
    metric: "mse",
    max: 0.80,
    note: "tutorial 003: 0.846 (chosen on its test part); fastai's tutorial ≈ 0.81",
  },
  {
    data: "ml-latest-small",
    split: "random90",
    metric: "mse",
    max: 0.70,
    note: "tutorial 001: ≈ 0.76",
  },
  {
    data: "ml-latest-small",
    split: "random85",
    metric: "mae",
    max: 0.63,
    note: "tutorial 004's per-movie baseline: 0.76",
  },
  {
    data: "ml-100k",
    split: "u1",
    metric: "rmse",
    max: 0.91,
    note: "GC-MC 0.910, GLocal-K 0.889",
  },
];

/** A notebook's seed-42 figure for a row of the evaluation: the same recipe, split and seed. */
export interface NotebookFigure {
  /** Data set. */
  data: string;
  /** Split. */
  split: string;
  /** The row's recipe label. */
  recipe: string;
  /** The metric. */
  metric: "mse" | "rmse" | "mae";
  /** The notebook's figure, as its committed output prints it. */
  value: number;
  /** Where: the notebook and its cell. */
  where: string;
}

/**
 * The notebooks' seed-42 figures for recipes the evaluation also trains on the same split and
 * seed (copied from their committed outputs). The notebooks build the tutorials' models as stock
 * tfjs layers after seeding the global generator, so their initial weights are other draws.
 */
export const NOTEBOOK_FIGURES: readonly NotebookFigure[] = [
  {
    data: "ml-latest-small",
    split: "random90",
    recipe: "seed 001 RecommenderV2",
    metric: "mse",
    value: 0.7222,
    where: "notebook 03 (cell c43)",
  },
  {
    data: "ml-latest-small",
    split: "random90",
    recipe: "seed 001 RecommenderNet",
    metric: "mse",
    value: 0.7521,
    where: "notebook 03 (cell c50)",
  },
  {
    data: "ml-latest-small",
    split: "random90",
    recipe: "seed 001 RecommenderNetV2 (keras.io)",
    metric: "mse",
    value: 0.7139,
    where: "notebook 03 (cell c109)",
  },
  {
    data: "ml-100k",
    split: "random80",
    recipe: "seed 003 EmbeddingNet",
    metric: "mse",
    value: 0.8353,
    where: "notebook 02 (cell cell-47)",
  },
];
