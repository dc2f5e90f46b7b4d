/**
 * Shared shapes of the data layer: a loaded data set and where it was found, a train/test
 * split, a rating scale, the names of ml-100k's predefined splits, and a binary user × movie
 * matrix (the top-k protocol builds it, the ranking loop trains on it).
 *
 * @module
 */

import type { DataFrame } from "nodejs-polars";
import type { Layout } from "./_source.ts";

/** Two disjoint parts of a ratings table. Callers rename `test` to `val` where it validates. */
export interface Split {
  /** The rows to fit on. */
  train: DataFrame;
  /** The held-out rows. */
  test: DataFrame;
}

/** The star scale of a data set: every rating is `min + k * step` for an integer k, ≤ `max`. */
export interface RatingScale {
  /** Lowest rating (0.5 in ml-latest-small, 1 in ml-100k). */
  min: number;
  /** Highest rating (5 in both). */
  max: number;
  /** Spacing of the allowed values (0.5 in ml-latest-small, 1 in ml-100k). */
  step: number;
}

/**
 * ml-100k's predefined splits: u1–u5 are the five disjoint 80/20 folds of a 5-fold cross
 * validation; ua/ub hold out exactly 10 ratings per user.
 */
export type PredefinedSplitName = "u1" | "u2" | "u3" | "u4" | "u5" | "ua" | "ub";

/** All predefined split names, in file order. */
export const PREDEFINED_SPLIT_NAMES: readonly PredefinedSplitName[] = [
  "u1",
  "u2",
  "u3",
  "u4",
  "u5",
  "ua",
  "ub",
];

/** Lazily loaded predefined splits of a data set (ml-100k only). */
export interface PredefinedSplits {
  /** The splits whose `.base` and `.test` files are both present. */
  names: PredefinedSplitName[];
  /**
   * Reads and parses one split (`<name>.base` → train, `<name>.test` → test), memoized; a row
   * that u.data lacks is an error, u.data rows in neither file a warning.
   */
  load(name: PredefinedSplitName): Promise<Split>;
}

/**
 * How the data were found: `"path"` (the source was a path), `"shipped"` (the archive in this
 * repository's `data/`), `"dir"` (`options.dir`), `"MOVIELENS_DIR"`, `"cache"`, `"download"`.
 */
export type Origin = "path" | "shipped" | "dir" | "MOVIELENS_DIR" | "cache" | "download";

/**
 * The release a data folder claims to be, and how what was read differs from it. The claim
 * comes from the folder's own description (ml-100k's `u.info` or `README`, ml-latest-small's
 * `README.txt`), or else from its name when that is a release's (`ml-100k`, `ml-latest-small`).
 */
export interface ReleaseCheck {
  /** The release claimed, e.g. `"ml-100k"`. */
  name: string;
  /** What claims it: a file (`/data/ml-100k/u.info`), "the folder name" or "the data set's name". */
  claimedBy: string;
  /**
   * Each way the data differ from the release, e.g. `"expected 100,000 ratings, found 50,703"`
   * or `"/data/ml-100k/u.data is not the official file (its sha256 differs)"`; empty when
   * they agree.
   */
  differences: string[];
}

/** A loaded MovieLens data set; every table uses the column names in `COLUMNS`. */
export interface MovieLens {
  /**
   * `"ml-latest-small"`, `"ml-100k"`, or the folder/zip name for a source given as a path;
   * followed by ` (modified)` when it is a release's name and the data differ from that
   * release (see `release`).
   */
  name: string;
  /** The file layout: `"latest"` (CSV files) or `"100k"` (u.* files). */
  layout: Layout;
  /** The absolute path of the folder or zip that was read. */
  source: string;
  /** How that path was found. */
  origin: Origin;
  /**
   * Whether official checksums were checked and matched (for a source given as a path: when
   * it claims a release whose checksums are known, and all its files match them). From a
   * mirror or the cache, ml-100k's predefined split files are checked when their split is
   * loaded, a mismatch then being an error naming the file.
   */
  verified: boolean;
  /** The release the files claim to be and how they differ from it, or null when none is claimed. */
  release: ReleaseCheck | null;
  /**
   * userId Int32, movieId Int32, rating Float64, timestamp Int64 (Unix seconds), in file
   * order, after the duplicate policy.
   */
  ratings: DataFrame;
  /**
   * How many rating rows repeated a (userId, movieId) pair (dropped under the default policy,
   * with a warning through `LoadOptions.onWarning`).
   */
  duplicates: number;
  /**
   * movieId Int32, title Utf8, genres Utf8 (pipe-joined; `(no genres listed)` when none),
   * year Int32, genreList List(Utf8). ml-latest-small: year from the title's `(YYYY)`, null
   * when the title has none. ml-100k: year from the release date, `ML100K_MISSING_YEAR`
   * (1920) where it is missing; ml-100k adds releaseDate Utf8 and imdbUrl Utf8.
   */
  movies: DataFrame;
  /** ml-latest-small: userId Int32, movieId Int32 (a movie of `movies`), tag Utf8, timestamp Int64. */
  tags?: DataFrame;
  /**
   * ml-latest-small: movieId Int32 (a movie of `movies`, once at most), imdbId Utf8 (digits,
   * leading zeros kept), tmdbId Int32 (either null when missing).
   */
  links?: DataFrame;
  /** ml-100k: userId Int32, age Int32, gender Utf8, occupation Utf8, zipCode Utf8. */
  users?: DataFrame;
  /**
   * The genre vocabulary: ml-100k's u.genre in flag order; for ml-latest-small the genres
   * that occur, sorted.
   */
  genres: string[];
  /** ml-100k: the occupations of u.occupation. */
  occupations?: string[];
  /** ml-100k: the predefined splits u1–u5, ua, ub, loaded on demand. */
  predefinedSplits?: PredefinedSplits;
  /** The star scale: 0.5–5 in steps of 0.5 (latest) or 1–5 in steps of 1 (100k). */
  ratingScale: RatingScale;
}

/**
 * A binary user × movie matrix in compressed rows: the movies of user row `u` are
 * `indices[indptr[u] … indptr[u + 1])`, ascending, each once.
 */
export interface InteractionMatrix {
  /** Number of user rows. */
  rows: number;
  /** Number of movie columns (the catalogue size). */
  cols: number;
  /** Row starts, length `rows + 1`. */
  indptr: Int32Array;
  /** Movie columns, row after row. */
  indices: Int32Array;
}
