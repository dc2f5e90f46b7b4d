/**
 * The {@linkcode Recommender}: a tfjs layers model together with everything needed to use it
 * with raw MovieLens ids and stars — its id encoders, its JSON config (including the target
 * transform between stars and what the network is trained on, and how it trains: loss,
 * optimizer, learning rate and schedule) and, optionally, the movie catalogue for titles and
 * genres. A model of one of {@linkcode MODEL_KINDS} comes from `buildModel`; a model written
 * as tfjs code is wrapped with `recommender()` (kind `"custom"`).
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs";
import type { ScheduleSpec } from "./_engine.ts";
import type { IdEncoder } from "../data/encoder.ts";
import type { QuantileTransformerJSON } from "../analysis/quantile.ts";
import { COLUMNS } from "../defaults.ts";
import { type DataFrame, idColumn, isDataFrame, optionalStringColumn } from "../_validate.ts";

/** The model kinds {@linkcode buildModel} knows, in the order the tutorials introduce them. */
export const MODEL_KINDS = [
  "dot",
  "dot-bias",
  "mlp",
  "bce",
  "dlrm",
  "hybrid",
  "classifier",
] as const;

/** One of {@linkcode MODEL_KINDS}. */
export type ModelKind = typeof MODEL_KINDS[number];

/**
 * The kinds that are a dot product of the two tables (with or without biases): no hidden
 * layers, and `buildModel`'s `fused: true` builds them as the one `EmbeddingDotBias` layer.
 */
export const FUSED_KINDS: readonly ModelKind[] = ["dot", "dot-bias", "bce"];

/** A recommender's kind: one `buildModel` builds, or `"custom"` for a model written as code. */
export type RecommenderKind = ModelKind | "custom";

/**
 * A weight initializer as JSON: a tfjs or Keras name (`"heNormal"`, `"he_normal"`,
 * `"randomUniform"`, …) or `{ name, ...params }` such as `{ name: "randomNormal", stddev: 1 }`.
 * Seeds are not part of the spec: they are drawn from the model's seed.
 */
export type InitializerSpec = string | { name: string; [param: string]: number | string };

/** Loss names (tfjs names; `mse`, `mae` and `bce` are accepted as aliases). */
export type LossName =
  | "meanSquaredError"
  | "meanAbsoluteError"
  | "binaryCrossentropy"
  | "sparseCategoricalCrossentropy";

/** How the weight decay of the engine's Adam is applied. */
export type DecayMode = "none" | "l2" | "decoupled";

/**
 * The map between stars and what the network is trained on:
 * - `identity`: the rating itself;
 * - `minmax`: `(r − min) / (max − min)`, for a sigmoid output and binary cross-entropy;
 * - `center`: `r − mean` with the training mean;
 * - `classes`: the index of the rating among `values`; a prediction is the expected rating
 *   under the softmax (`decode: "expected"`) or the most likely class (`"argmax"`).
 */
export type TargetTransform =
  | { type: "identity" }
  | { type: "minmax"; min: number; max: number }
  | { type: "center"; mean: number }
  | { type: "classes"; values: number[]; decode: "expected" | "argmax" };

/** Movie metadata fed to a hybrid model: columns, how they were scaled, the fitted scaler. */
export interface MetadataConfig {
  /** Metadata columns in input order, e.g. `["popularity", "year"]`. */
  columns: string[];
  /** Whether the quantile scaler was fitted on one row per movie or one row per rating. */
  fitOn: "movies" | "ratings";
  /** Fitted quantile scaler per column (see {@linkcode QuantileTransformer}). */
  scalers: QuantileTransformerJSON[];
}

/**
 * How a recommender's optimizer is made: the engine's fused Adam with these settings (the
 * learning rate and its schedule are beside it in the config), or a stock tfjs optimizer.
 */
export interface OptimizerSettings {
  /** Weight decay of the fused Adam. */
  weightDecay: number;
  /** How the weight decay is applied. */
  decay: DecayMode;
  /** Adam's β₁ (absent: 0.9). */
  beta1?: number;
  /** Adam's β₂ (absent: 0.999). */
  beta2?: number;
  /** Adam's ε (absent: 1e-7). */
  epsilon?: number;
  /** Where ε is added (absent: as `adam()` chooses; see `AdamOptions.epsilonHat`). */
  epsilonHat?: boolean;
  /**
   * A stock tfjs optimizer the engine has no fused equivalent for (SGD, RMSProp, …), by its
   * tfjs class name and config, trained as it is.
   */
  stock?: { className: string; config: Record<string, unknown> };
}

/** What every recommender's config holds: the target transform and how the model trains. */
export interface TrainingConfig {
  /** The recommender's kind. */
  kind: RecommenderKind;
  /** Units of the output layer (1, or the number of classes for a classifier). */
  outputUnits: number;
  /** Training loss (a tfjs loss name). */
  loss: string;
  /** Metrics reported while training. */
  metrics: string[];
  /**
   * The learning rate: the one `train()` last used (a `learningRate` given to `train()` is
   * written here), or the base of {@linkcode TrainingConfig.schedule}.
   */
  learningRate: number;
  /** A learning-rate schedule `train()` runs when no `learningRate` is given, or null. */
  schedule: ScheduleSpec | null;
  /** The optimizer. */
  optimizer: OptimizerSettings;
  /** Seed of every initializer, and the default seed of training (shuffles, dropout masks). */
  seed: number;
  /** Stars ↔ network target. */
  target: TargetTransform;
}

/** A model written as tfjs code and wrapped by `recommender()`: its topology is the model's. */
export interface CustomConfig extends TrainingConfig {
  /** Always `"custom"`. */
  kind: "custom";
}

/** Every option of a `buildModel` model, resolved, as JSON: enough to rebuild the same network. */
export interface BuiltConfig extends TrainingConfig {
  /** Model kind. */
  kind: ModelKind;
  /** Whether a dot kind is the one fused `EmbeddingDotBias` layer (else stock layers). */
  fused: boolean;
  /** Embedding size. */
  factors: number;
  /** L2 coefficient on the user and movie embeddings (Keras semantics: whole matrix). */
  l2: number;
  /** L2 coefficient on the bias embeddings. */
  biasL2: number;
  /** Initializer of the user and movie embeddings. */
  initializer: InitializerSpec;
  /** Initializer of the bias embeddings. */
  biasInitializer: InitializerSpec;
  /** Sigmoid output range in stars, or null for an unbounded output. */
  yRange: [number, number] | null;
  /** Sizes of the hidden dense layers (concat kinds). */
  hidden: number[];
  /** Dropout rate on the concatenated embeddings (concat kinds). */
  inputDropout: number;
  /** Dropout rate after each hidden layer (same length as `hidden`). */
  dropout: number[];
  /** Activation of the hidden layers. */
  activation: string;
  /** Initializer of the dense kernels. */
  kernelInitializer: InitializerSpec;
  /** Activation of the output layer. */
  outputActivation: string;
  /** Training loss (tfjs name). */
  loss: LossName;
  /** Hybrid metadata, or null. */
  metadata: MetadataConfig | null;
}

/** A recommender's config: a built model's or a custom one's. */
export type RecommenderConfig = BuiltConfig | CustomConfig;

/** Title and genres of a movie. */
export interface CatalogEntry {
  /** Title as MovieLens writes it, e.g. `"Toy Story (1995)"`. */
  title: string;
  /** Genres joined with `|`. */
  genres: string;
  /** Release year, when known. */
  year?: number;
}

/** movieId → title and genres. */
export type Catalog = Map<number, CatalogEntry>;

/** A trained-or-not model with its encoders, config and catalogue. */
export interface Recommender<C extends RecommenderConfig = RecommenderConfig> {
  /** Model kind (same as `config.kind`). */
  kind: C["kind"];
  /** The tfjs layers model; inputs `[users int32 [n,1], movies int32 [n,1]]`. */
  model: tf.LayersModel;
  /** Raw userId ↔ embedding row. */
  users: IdEncoder;
  /** Raw movieId ↔ embedding row. */
  movies: IdEncoder;
  /** Every option, resolved, as JSON. */
  config: C;
  /** movieId → title and genres, for recommendations and analysis. */
  catalog?: Catalog;
  /** Ratings per movie row in the DataFrame the model was built from (popularity). */
  movieCounts?: Int32Array;
}

const YEAR_IN_TITLE = /\((\d{4})\)\s*$/;

/**
 * Builds a {@linkcode Catalog} from a movies DataFrame (movieId, title, genres and,
 * optionally, year; a missing year is read from the title's "(1995)").
 *
 * @param movies A movies DataFrame, e.g. from the data layer's loader.
 * @returns movieId → {title, genres, year}.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { catalogFrom } from "./recommender.ts";
 * import { assertEquals } from "@std/assert";
 * const movies = pl.DataFrame({ movieId: [1], title: ["Toy Story (1995)"], genres: ["Animation"] });
 * assertEquals(
 *   catalogFrom(movies).get(1),
 *   { title: "Toy Story (1995)", genres: "Animation", year: 1995 },
 * );
 * ```
 */
export function catalogFrom(movies: DataFrame): Catalog {
  if (!isDataFrame(movies)) {
    throw new TypeError("catalogFrom(): expected a movies DataFrame with movieId and title");
  }
  const where = "catalogFrom()";
  const ids = idColumn(movies, COLUMNS.movie, where);
  const titles = optionalStringColumn(movies, COLUMNS.title);
  if (!titles) {
    throw new TypeError(
      `${where}: expected a "${COLUMNS.title}" column, found columns [${
        movies.columns.join(", ")
      }]`,
    );
  }
  const genres = optionalStringColumn(movies, COLUMNS.genres);
  const years = movies.columns.includes(COLUMNS.year)
    ? (movies.getColumn(COLUMNS.year).toArray() as unknown[])
    : undefined;
  const catalog: Catalog = new Map();
  for (let i = 0; i < ids.length; i++) {
    const entry: CatalogEntry = { title: titles[i], genres: genres?.[i] ?? "" };
    const raw = years ? years[i] : YEAR_IN_TITLE.exec(titles[i])?.[1];
    const year = raw == null ? NaN : Number(raw);
    if (Number.isFinite(year)) entry.year = year;
    catalog.set(ids[i], entry);
  }
  return catalog;
}
