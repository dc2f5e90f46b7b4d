/**
 * "Ours": the evaluation's own model, built only from well-known means and the factory's
 * `dot-bias` kind, with one set of settings for every data set (no per-data-set constants):
 *
 * - members ({@linkcode OURS_MEMBERS}): six dot-product-with-biases models with small
 *   N(0, 0.01) embeddings and a sigmoid output range of the training ratings' min − 0.5 …
 *   max + 0.5, trained for 5 epochs with fastai's one-cycle schedule (peak 5e-3, batch 64);
 *   they differ in regularisation (Keras-style L2 on 50 factors with biases initialised from
 *   the user + movie bias baseline, or AdamW weight decay 0.15 on 20 factors), in loss
 *   (squared or absolute error) and in seed;
 * - a blend of the members and of the user + movie bias baseline, fitted on a validation
 *   part carved at random from the training part (10 %), once by least squares (for MSE)
 *   and once by least absolute deviations (for MAE); it is feature-weighted linear stacking
 *   (Sill et al., 2009): each input's weight varies linearly with the log of the user's and
 *   of the movie's number of training ratings (a smaller carve-out gets a plainer blend, see
 *   {@linkcode blendingFor}). The MAE blend is rounded to the rating scale
 *   when that lowers its MAE on the carve-out (an absolute-error-optimal prediction of a
 *   discrete rating, a median, is always an allowed rating). The members are then retrained
 *   on the whole training part and the blends applied to their predictions.
 *
 * The settings were chosen during development on validation parts carved from the training
 * parts of ml-100k (random80) and ml-latest-small (random85, random90) — never on a test
 * part; `bench/tune_ours.ts` reruns that comparison.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import type { DataFrame } from "nodejs-polars";
import { COLUMNS, DEFAULT_SEED } from "../../lib/defaults.ts";
import { type Encoders, randomSplit } from "../../lib/data/mod.ts";
import { type Baseline, biasBaseline } from "../../lib/eval/mod.ts";
import {
  buildModel,
  disposeRecommender,
  FUSED_KINDS,
  predictRatings,
  type Recommender,
  train,
} from "../../lib/models/mod.ts";
import { applyBlend, type Blend, fitBlend } from "./blend.ts";
import { offsetSeed } from "../../lib/random.ts";

/** One member of {@linkcode OURS_MEMBERS}. */
export interface OursMember {
  /** Short name used in notes. */
  name: string;
  /** Factory kind. */
  kind: "dot-bias" | "mlp";
  /** Embedding size. */
  factors: number;
  /** Hidden layers (mlp). */
  hidden: readonly number[];
  /** Keras-style L2 on the factor tables (whole table, every step). */
  l2: number;
  /** AdamW (decoupled) weight decay. */
  weightDecay: number;
  /** Training loss. */
  loss: "mse" | "mae";
  /** Initialise the dot-bias biases from the user + movie bias baseline. */
  biasFromBaseline: boolean;
  /** Peak learning rate of the one-cycle schedule. */
  maxLearningRate: number;
  /** Batch size. */
  batchSize: number;
  /** Epochs. */
  epochs: number;
  /** Added to the run's seed, so that two otherwise equal members differ. */
  seedOffset: number;
}

const MEMBER_DEFAULTS = {
  kind: "dot-bias",
  hidden: [],
  maxLearningRate: 5e-3,
  batchSize: 64,
  epochs: 5,
  seedOffset: 0,
} as const;

/** Keras-style L2 on 50 factors, biases initialised from the bias baseline. */
const KERAS_L2: OursMember = {
  ...MEMBER_DEFAULTS,
  name: "L2 1e-4, 50 factors, biases from the baseline, squared error",
  factors: 50,
  l2: 1e-4,
  weightDecay: 0,
  loss: "mse",
  biasFromBaseline: true,
};

/** AdamW on 20 factors: the best single member on every tuning split. */
const ADAMW: OursMember = {
  ...MEMBER_DEFAULTS,
  name: "AdamW 0.15, 20 factors, squared error",
  factors: 20,
  l2: 0,
  weightDecay: 0.15,
  loss: "mse",
  biasFromBaseline: false,
};

/**
 * The embeddings → MLP member tried during tuning (50 factors, dense 64, AdamW 0.1): its blend
 * weight stayed below 0.1 and leaving it out changed no tuning-validation figure by more than
 * 0.0004, so ours does not use it (see `bench/tune_ours.ts`).
 */
export const OURS_MLP_MEMBER: OursMember = {
  ...MEMBER_DEFAULTS,
  name: "mlp 64, AdamW 0.1, squared error",
  kind: "mlp",
  factors: 50,
  hidden: [64],
  l2: 0,
  weightDecay: 0.1,
  loss: "mse",
  biasFromBaseline: false,
  batchSize: 128,
};

/**
 * The members of "ours", in blend order: dot-product-with-biases models that differ in
 * regularisation (Keras-style L2 or AdamW), size, loss (squared or absolute error) and seed.
 */
export const OURS_MEMBERS: readonly OursMember[] = [
  KERAS_L2,
  ADAMW,
  {
    ...KERAS_L2,
    name: "L2 3e-5, 50 factors, biases from the baseline, absolute error",
    l2: 3e-5,
    loss: "mae",
  },
  { ...ADAMW, name: "AdamW 0.15, 20 factors, absolute error", loss: "mae" },
  { ...ADAMW, name: "AdamW 0.15, 20 factors, squared error, seed + 1", seedOffset: 1 },
  {
    ...ADAMW,
    name: "AdamW 0.15, 20 factors, absolute error, seed + 1",
    loss: "mae",
    seedOffset: 1,
  },
];

/** Share of the training part held out to fit the blends. */
export const OURS_VALIDATION_FRACTION = 0.1;

/** The Model column of ours' rows: what the ensemble is made of. */
export const OURS_MODEL = `ensemble of ${OURS_MEMBERS.length} dot-bias + user/movie biases`;

/** Options of {@linkcode trainMember} and {@linkcode trainOurs}. */
export interface OursOptions {
  /**
   * Seed of the initialisers, shuffles and the validation carve-out.
   * @default {42}
   */
  seed?: number;
  /**
   * Epochs of every member instead of its own (for quick runs).
   * @default {null}
   */
  epochs?: number | null;
  /**
   * The members to train.
   * @default {OURS_MEMBERS}
   */
  members?: readonly OursMember[];
}

function ratingsColumn(df: DataFrame): number[] {
  return df.getColumn(COLUMNS.rating).toArray() as number[];
}

function ratingBounds(df: DataFrame): [number, number] {
  const r = ratingsColumn(df);
  let lo = Infinity, hi = -Infinity;
  for (const v of r) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Sets a dot-bias model's biases so that it starts as the bias baseline does. */
function initBiasesFromBaseline(rec: Recommender, ratings: DataFrame, range: [number, number]) {
  const base = biasBaseline(ratings);
  const [lo, hi] = range;
  const s = Math.min(Math.max((base.globalMean - lo) / (hi - lo), 1e-3), 1 - 1e-3);
  const logit = Math.log(s / (1 - s));
  const gain = 1 / ((hi - lo) * s * (1 - s));
  const table = (
    encoder: Recommender["users"],
    ids: Int32Array,
    values: Float32Array,
    at0: number,
  ) => {
    const out = new Float32Array(encoder.size).fill(at0);
    const rows = encoder.encode(ids);
    for (let i = 0; i < rows.length; i++) out[rows[i]] = at0 + gain * values[i];
    return out;
  };
  const users = table(rec.users, base.userBiases.ids, base.userBiases.values, 0);
  const movies = table(rec.movies, base.movieBiases.ids, base.movieBiases.values, logit);
  for (const w of rec.model.weights) {
    const name = w.originalName ?? w.name;
    if (name.endsWith("user_bias")) w.write(tf.tensor2d(users, [users.length, 1]));
    if (name.endsWith("movie_bias")) w.write(tf.tensor2d(movies, [movies.length, 1]));
  }
}

/** A trained member and the seconds it took. */
export interface TrainedMember {
  /** The trained model. */
  rec: Recommender;
  /** Training seconds. */
  seconds: number;
  /** Epochs run. */
  epochs: number;
}

/**
 * Builds and trains one member on ratings, with encoders that may know more ids than the
 * ratings hold (rows that never train keep their small initial values).
 *
 * @param member The member's settings.
 * @param ratings Training ratings.
 * @param encoders User and movie encoders covering every id that will be predicted.
 * @param options Seed and epochs override.
 * @returns The trained member.
 * @example
 * ```ts
 * import { fitEncoders, ratingsFrame } from "../../lib/data/mod.ts";
 * import { disposeRecommender, predictRatings } from "../../lib/models/mod.ts";
 * import { setupBackend } from "../../lib/train/backend.ts";
 * import { OURS_MEMBERS, trainMember } from "./ours_ensemble.ts";
 * await setupBackend();
 * const ratings = ratingsFrame({ userId: [1, 1, 2, 2], movieId: [7, 8, 7, 8], rating: [5, 3, 4, 2] });
 * const m = await trainMember(OURS_MEMBERS[0], ratings, fitEncoders(ratings), { epochs: 1 });
 * console.log(m.epochs, predictRatings(m.rec, ratings).length); // 1 4
 * disposeRecommender(m.rec);
 * ```
 */
export async function trainMember(
  member: OursMember,
  ratings: DataFrame,
  encoders: Encoders,
  options: OursOptions = {},
): Promise<TrainedMember> {
  const seed = offsetSeed(options.seed ?? DEFAULT_SEED, member.seedOffset);
  const epochs = options.epochs ?? member.epochs;
  const [lo, hi] = ratingBounds(ratings);
  const range: [number, number] = [lo - 0.5, hi + 0.5];
  const started = performance.now();
  const rec = buildModel(member.kind, {
    users: encoders.users,
    movies: encoders.movies,
    ratings,
    factors: member.factors,
    initializer: { name: "randomNormal", mean: 0, stddev: 0.01 },
    biasInitializer: "zeros",
    yRange: range,
    l2: member.l2,
    loss: member.loss,
    learningRate: member.maxLearningRate,
    schedule: { type: "oneCycle", maxLearningRate: member.maxLearningRate },
    optimizer: {
      weightDecay: member.weightDecay,
      decay: member.weightDecay > 0 ? "decoupled" : "none",
    },
    seed,
    ...(member.kind === "mlp" ? { hidden: [...member.hidden], dropout: 0 } : {}),
    ...(FUSED_KINDS.includes(member.kind) ? { fused: true } : {}),
  });
  if (member.biasFromBaseline && member.kind === "dot-bias") {
    initBiasesFromBaseline(rec, ratings, range);
  }
  const history = await train(rec, ratings, { epochs, batchSize: member.batchSize, verbose: 0 });
  return {
    rec,
    seconds: (performance.now() - started) / 1000,
    epochs: history.epoch.length,
  };
}

/** The trained ensemble: members, the bias baseline and the blends over them. */
export interface Ours {
  /** Members trained on the whole training part. */
  members: TrainedMember[];
  /** Blend fitted for MSE (least squares) on the validation carve-out. */
  squared: Blend;
  /** Blend fitted for MAE (least absolute deviations) on the validation carve-out. */
  absolute: Blend;
  /** Seconds of all training (the carve-out pass and the final pass). */
  seconds: number;
  /** Epochs per member. */
  epochs: number;
  /** The training ratings' min and max: blended predictions are clipped to them. */
  range: [number, number];
  /** How the blends were fitted (see {@linkcode blendingFor}). */
  blending: Blending;
  /** The meta-features' min and max on the carve-out; later values are clamped to them. */
  featureRanges: [number, number][];
  /** The meta-features' means on the carve-out (to report the blends' typical weights). */
  featureMeans: number[];
  /** The user + movie bias baseline fitted on the training part: the blends' last input. */
  baseline: Baseline;
  /** Training ratings per user id (the blends' first meta-feature is its log). */
  userCounts: Map<number, number>;
  /** Training ratings per movie id (the blends' second meta-feature is its log). */
  movieCounts: Map<number, number>;
  /**
   * The spacing of the allowed ratings when the MAE blend rounds its predictions to them
   * (chosen on the carve-out: only when rounding lowers its MAE there), else null.
   */
  roundTo: number | null;
}

/**
 * The spacing of a rating scale: the smallest gap between distinct ratings (0.5 for half
 * stars, 1 for whole stars).
 *
 * @param ratings Ratings.
 * @returns The step, or null when there is only one distinct rating.
 * @example
 * ```ts
 * import { ratingStep } from "./ours_ensemble.ts";
 * console.log(ratingStep([4, 3.5, 5, 1]), ratingStep([1, 2, 5])); // 0.5 1
 * ```
 */
export function ratingStep(ratings: ArrayLike<number>): number | null {
  const values = [...new Set(Array.from(ratings))].sort((a, b) => a - b);
  let step = Infinity;
  for (let i = 1; i < values.length; i++) step = Math.min(step, values[i] - values[i - 1]);
  return Number.isFinite(step) ? Math.round(step * 1e6) / 1e6 : null;
}

/**
 * How the blends are fitted: `"stacked"` (feature-weighted, every input's weight linear in the
 * meta-features), `"linear"` (one weight per input) or `"mean"` (the members' plain average).
 */
export type Blending = "stacked" | "linear" | "mean";

/** Carve-out ratings needed per fitted coefficient before a blend may use that many. */
export const RATINGS_PER_COEFFICIENT = 50;

/**
 * The richest blend the carve-out can support: at least {@linkcode RATINGS_PER_COEFFICIENT}
 * ratings per coefficient (a rule about sample size, the same for every data set), so that a
 * small data set gets a plain average instead of an over-fitted blend.
 *
 * @param ratings Ratings in the carve-out.
 * @param inputs Blend inputs (members and the baseline).
 * @param features Meta-features of the stacked blend.
 * @returns The blending to use.
 * @example
 * ```ts
 * import { blendingFor } from "./ours_ensemble.ts";
 * console.log(blendingFor(10_000, 7, 2), blendingFor(1_000, 7, 2), blendingFor(100, 7, 2));
 * // stacked linear mean
 * ```
 */
export function blendingFor(ratings: number, inputs: number, features: number): Blending {
  if (ratings >= RATINGS_PER_COEFFICIENT * (1 + inputs + inputs * features + features)) {
    return "stacked";
  }
  return ratings >= RATINGS_PER_COEFFICIENT * (1 + inputs) ? "linear" : "mean";
}

/** The members' plain average (the baseline, last input, gets weight 0). */
function meanBlend(members: number, loss: "squared" | "absolute"): Blend {
  return {
    intercept: 0,
    weights: [...Array(members).fill(1 / members), 0],
    featureWeights: Array.from({ length: members + 1 }, () => []),
    featureTerms: [],
    loss,
  };
}

/**
 * A blend's intercept and input weights at given meta-feature values (for a stacked blend the
 * weights vary with the features; at the carve-out's means they are the typical weights).
 *
 * @param blend A fitted blend.
 * @param features One value per meta-feature (ignored for a blend without features).
 * @returns The intercept and one weight per input at those values.
 * @example
 * ```ts
 * import { blendWeightsAt } from "./ours_ensemble.ts";
 * const blend = {
 *   intercept: 0, weights: [0.5], featureWeights: [[0.1]], featureTerms: [0.2],
 *   loss: "squared" as const,
 * };
 * console.log(blendWeightsAt(blend, [2])); // { intercept: 0.4, weights: [0.7] }
 * ```
 */
export function blendWeightsAt(
  blend: Blend,
  features: number[],
): { intercept: number; weights: number[] } {
  const f = blend.featureTerms.length ? features : [];
  let intercept = blend.intercept;
  f.forEach((v, j) => (intercept += blend.featureTerms[j] * v));
  const weights = blend.weights.map((w, k) =>
    f.reduce((acc, v, j) => acc + blend.featureWeights[k][j] * v, w)
  );
  return { intercept, weights };
}

/** Raw-id pairs of a DataFrame or of id arrays, as Int32Arrays. */
function idPairs(
  pairs: DataFrame | { userIds: ArrayLike<number>; movieIds: ArrayLike<number> },
): { userIds: Int32Array; movieIds: Int32Array } {
  if ("userIds" in pairs && "movieIds" in pairs) {
    return { userIds: Int32Array.from(pairs.userIds), movieIds: Int32Array.from(pairs.movieIds) };
  }
  const df = pairs as DataFrame;
  return {
    userIds: Int32Array.from(df.getColumn(COLUMNS.user).toArray() as number[]),
    movieIds: Int32Array.from(df.getColumn(COLUMNS.movie).toArray() as number[]),
  };
}

/** Ratings per id in a column. */
function countIds(df: DataFrame, column: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const id of df.getColumn(column).toArray() as number[]) {
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/**
 * The blends' meta-features: log(1 + training ratings) of each pair's user and movie, clamped
 * to `ranges` when given (so that a cold user or movie does not extrapolate the blend beyond
 * the values it was fitted on).
 */
function metaFeatures(
  pairs: { userIds: Int32Array; movieIds: Int32Array },
  users: Map<number, number>,
  movies: Map<number, number>,
  ranges?: [number, number][],
): Float32Array[] {
  const n = pairs.userIds.length;
  const fu = new Float32Array(n), fm = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    fu[i] = Math.log1p(users.get(pairs.userIds[i]) ?? 0);
    fm[i] = Math.log1p(movies.get(pairs.movieIds[i]) ?? 0);
  }
  if (ranges) {
    [fu, fm].forEach((f, j) => {
      const [lo, hi] = ranges[j];
      for (let i = 0; i < n; i++) f[i] = Math.min(hi, Math.max(lo, f[i]));
    });
  }
  return [fu, fm];
}

function rangeOf(values: Float32Array): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Rounds predictions in place to the nearest value `lo + k·step` within [lo, hi]. */
function roundToScale(p: Float32Array, lo: number, hi: number, step: number): Float32Array {
  for (let i = 0; i < p.length; i++) {
    p[i] = Math.min(hi, Math.max(lo, lo + Math.round((p[i] - lo) / step) * step));
  }
  return p;
}

function meanAbsolute(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - y[i]);
  return s / p.length;
}

/**
 * Trains "ours": members on 90 % of the training part, blends fitted on the other 10 %, then
 * the members retrained on the whole training part.
 *
 * @param ratings The training part.
 * @param encoders Encoders covering every id that will be predicted.
 * @param options Seed, epochs override, members.
 * @returns The members and both blends.
 * @example
 * ```ts
 * import { fitEncoders, ratingsFrame } from "../../lib/data/mod.ts";
 * import { setupBackend } from "../../lib/train/backend.ts";
 * import { predictOurs, trainOurs } from "./ours_ensemble.ts";
 * await setupBackend();
 * const ratings = ratingsFrame({
 *   userId: Array.from({ length: 40 }, (_, i) => i % 8),
 *   movieId: Array.from({ length: 40 }, (_, i) => i % 5),
 *   rating: Array.from({ length: 40 }, (_, i) => 1 + (i % 5)),
 * });
 * const ours = await trainOurs(ratings, fitEncoders(ratings), { epochs: 1 });
 * console.log(ours.squared.weights.length, predictOurs(ours, "squared", ratings).length); // 7 40
 * ```
 */
export async function trainOurs(
  ratings: DataFrame,
  encoders: Encoders,
  options: OursOptions = {},
): Promise<Ours> {
  const seed = options.seed ?? DEFAULT_SEED;
  const members = options.members ?? OURS_MEMBERS;
  const inner = randomSplit(ratings, {
    testFraction: OURS_VALIDATION_FRACTION,
    seed: offsetSeed(seed, 1),
  });
  const target = inner.test.getColumn(COLUMNS.rating).toArray() as number[];
  const pairs = idPairs(inner.test);
  const validation: Float32Array[] = [];
  let seconds = 0;
  for (const member of members) {
    const m = await trainMember(member, inner.train, encoders, options);
    validation.push(predictRatings(m.rec, pairs));
    seconds += m.seconds;
    disposeRecommender(m.rec);
  }
  validation.push(biasBaseline(inner.train).predict(pairs));
  const counted = metaFeatures(
    pairs,
    countIds(inner.train, COLUMNS.user),
    countIds(inner.train, COLUMNS.movie),
  );
  const featureRanges = counted.map(rangeOf);
  const featureMeans = counted.map((f) => f.reduce((a, b) => a + b, 0) / Math.max(1, f.length));
  const blending = blendingFor(target.length, validation.length, counted.length);
  const features = blending === "stacked" ? counted : [];
  const fit = (loss: "squared" | "absolute"): Blend =>
    blending === "mean"
      ? meanBlend(validation.length - 1, loss)
      : fitBlend(validation, target, { loss, features });
  const squared = fit("squared");
  const absolute = fit("absolute");
  // The absolute-error-optimal prediction of a discrete rating (a median) is one of the
  // allowed ratings: round the MAE blend to them when that lowers its MAE on the carve-out.
  const range = ratingBounds(ratings);
  const step = ratingStep(ratingsColumn(ratings));
  let roundTo: number | null = null;
  if (step !== null) {
    const blended = applyBlend(absolute, validation, features);
    for (let i = 0; i < blended.length; i++) {
      blended[i] = Math.min(range[1], Math.max(range[0], blended[i]));
    }
    const plain = meanAbsolute(blended, target);
    if (meanAbsolute(roundToScale(blended, range[0], range[1], step), target) < plain) {
      roundTo = step;
    }
  }
  const trained: TrainedMember[] = [];
  for (const member of members) {
    const m = await trainMember(member, ratings, encoders, options);
    seconds += m.seconds;
    trained.push(m);
  }
  return {
    members: trained,
    squared,
    absolute,
    seconds,
    epochs: trained[0]?.epochs ?? 0,
    range,
    baseline: biasBaseline(ratings),
    userCounts: countIds(ratings, COLUMNS.user),
    movieCounts: countIds(ratings, COLUMNS.movie),
    blending,
    featureRanges,
    featureMeans,
    roundTo,
  };
}

/**
 * Blended predictions of "ours" for raw-id pairs.
 *
 * @param ours The trained ensemble.
 * @param blend `"squared"` (the MSE blend) or `"absolute"` (the MAE blend).
 * @param pairs A ratings DataFrame or `{ userIds, movieIds }`.
 * @returns One prediction per pair, clipped to the training ratings' min and max (and, for
 *   the MAE blend, rounded to the rating scale when `ours.roundTo` says so).
 * @example
 * ```ts
 * import { fitEncoders, ratingsFrame } from "../../lib/data/mod.ts";
 * import { setupBackend } from "../../lib/train/backend.ts";
 * import { OURS_MEMBERS, predictOurs, trainOurs } from "./ours_ensemble.ts";
 * await setupBackend();
 * const ratings = ratingsFrame({
 *   userId: Array.from({ length: 30 }, (_, i) => i % 6),
 *   movieId: Array.from({ length: 30 }, (_, i) => i % 4),
 *   rating: Array.from({ length: 30 }, (_, i) => 1 + (i % 5)),
 * });
 * const ours = await trainOurs(ratings, fitEncoders(ratings), { epochs: 1, members: OURS_MEMBERS.slice(0, 2) });
 * const p = predictOurs(ours, "absolute", { userIds: [0], movieIds: [3] });
 * console.log(p[0] >= 1 && p[0] <= 5); // true
 * ```
 */
export function predictOurs(
  ours: Ours,
  blend: "squared" | "absolute",
  pairs: DataFrame | { userIds: ArrayLike<number>; movieIds: ArrayLike<number> },
): Float32Array {
  const ids = idPairs(pairs);
  const inputs = ours.members.map((m) => predictRatings(m.rec, ids));
  inputs.push(ours.baseline.predict(ids));
  const features = ours.blending === "stacked"
    ? metaFeatures(ids, ours.userCounts, ours.movieCounts, ours.featureRanges)
    : [];
  const out = applyBlend(blend === "squared" ? ours.squared : ours.absolute, inputs, features);
  const [lo, hi] = ours.range;
  for (let i = 0; i < out.length; i++) out[i] = Math.min(hi, Math.max(lo, out[i]));
  if (blend === "absolute" && ours.roundTo !== null) roundToScale(out, lo, hi, ours.roundTo);
  return out;
}
