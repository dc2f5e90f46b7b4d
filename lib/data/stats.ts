/**
 * Summary statistics of a ratings table: counts and sparsity, the rating histogram, per-movie
 * and per-user counts and means, and seed 000's crosstab of the most active users against the
 * most rated movies.
 *
 * Each function checks the columns it reads: a null or fractional id is a `TypeError`, an id
 * outside 32 bits or a null, NaN or infinite rating or timestamp a `RangeError`, naming the
 * function, the column and the first bad row.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { DataFrame } from "nodejs-polars";
import { COLUMNS } from "../defaults.ts";
import {
  checkFiniteNumber,
  checkFrame,
  checkLearningRate,
  checkOptionKeys,
  checkPositiveInt,
  describe,
  numberColumn,
  plural,
} from "../_validate.ts";
import { idValues } from "./_rows.ts";
import type { MovieLens } from "./types.ts";
import type { RatingScale } from "./types.ts";

/** Minimum, median and maximum of a count. */
export interface CountRange {
  /** Smallest count. */
  min: number;
  /** Median count (the mean of the two middle values for an even number). */
  median: number;
  /** Largest count. */
  max: number;
}

/** What {@linkcode summarize} reports. */
export interface RatingSummary {
  /** Number of ratings (rows). */
  ratings: number;
  /** Number of distinct users. */
  users: number;
  /** Number of distinct movies with at least one rating. */
  ratedMovies: number;
  /** Rows of the movies table when a data set is given, else `ratedMovies`. */
  movies: number;
  /** Share of the users × rated-movies matrix that is filled: ratings / (users · ratedMovies). */
  density: number;
  /** 1 − density. */
  sparsity: number;
  /** Mean rating. */
  ratingMean: number;
  /** Population standard deviation of the ratings. */
  ratingStd: number;
  /** Lowest rating. */
  ratingMin: number;
  /** Highest rating. */
  ratingMax: number;
  /** Ratings per user. */
  ratingsPerUser: CountRange;
  /** Ratings per rated movie. */
  ratingsPerMovie: CountRange;
  /** Earliest timestamp (Unix seconds), when there is a timestamp column. */
  firstTimestamp?: number;
  /** Latest timestamp (Unix seconds), when there is a timestamp column. */
  lastTimestamp?: number;
}

function isMovieLens(x: unknown): x is MovieLens {
  return typeof x === "object" && x !== null && "ratings" in x && "movies" in x;
}

function countBy(ids: Int32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) counts.set(ids[i], (counts.get(ids[i]) ?? 0) + 1);
  return counts;
}

function range(values: Iterable<number>): CountRange {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { min: sorted[0], median, max: sorted[n - 1] };
}

/**
 * Counts, sparsity and rating moments of a data set or a ratings table.
 *
 * @param input A loaded data set, or a ratings DataFrame (userId, movieId, rating).
 * @returns The summary (see {@linkcode RatingSummary}).
 * @throws {TypeError} On a missing column, or a null or fractional id (naming column and row).
 * @throws {RangeError} On a table without rows, an id outside 32 bits, or a null, NaN or
 *   infinite rating or timestamp (naming column and row).
 * @example
 * ```ts
 * import { ratingsFrame, summarize } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const s = summarize(ratingsFrame({ userId: [1, 1, 2], movieId: [1, 2, 1], rating: [4, 2, 3] }));
 * assertEquals(s.ratings, 3);
 * assertEquals(s.users, 2);
 * assertEquals(s.ratedMovies, 2);
 * assertEquals(s.sparsity.toFixed(2), "0.25");
 * ```
 */
export function summarize(input: MovieLens | DataFrame): RatingSummary {
  const df = isMovieLens(input) ? input.ratings : input;
  const who = "summarize()";
  checkFrame(df, [COLUMNS.user, COLUMNS.movie, COLUMNS.rating], who);
  if (df.height === 0) throw new RangeError(`${who}: expected at least one rating, found none`);
  const perUser = countBy(idValues(df, COLUMNS.user, who));
  const perMovie = countBy(idValues(df, COLUMNS.movie, who));
  const r = numberColumn(df, COLUMNS.rating, who);
  let sum = 0, min = Infinity, max = -Infinity;
  for (const v of r) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / r.length;
  let ss = 0;
  for (const v of r) ss += (v - mean) ** 2;
  const density = r.length / (perUser.size * perMovie.size);
  const out: RatingSummary = {
    ratings: r.length,
    users: perUser.size,
    ratedMovies: perMovie.size,
    movies: isMovieLens(input) ? input.movies.height : perMovie.size,
    density,
    sparsity: 1 - density,
    ratingMean: mean,
    ratingStd: Math.sqrt(ss / r.length),
    ratingMin: min,
    ratingMax: max,
    ratingsPerUser: range(perUser.values()),
    ratingsPerMovie: range(perMovie.values()),
  };
  if (df.columns.includes(COLUMNS.timestamp)) {
    const t = numberColumn(df, COLUMNS.timestamp, who);
    let lo = Infinity, hi = -Infinity;
    for (const v of t) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    out.firstTimestamp = lo;
    out.lastTimestamp = hi;
  }
  return out;
}

/** Options of {@linkcode ratingHistogram}. */
export interface RatingHistogramTableOptions {
  /**
   * A rating scale whose every value gets a row, with count 0 where unused (for plots): finite
   * `min` ≤ `max`, a `step` > 0, and at most 1,000 values. Ratings off the scale still get their
   * own rows.
   * @default {undefined (only the values that occur)}
   */
  scale?: RatingScale;
}

/** Every option of {@linkcode ratingHistogram} (the type makes the list complete). */
const RATING_HISTOGRAM_OPTIONS: Record<keyof RatingHistogramTableOptions, true> = { scale: true };

/** Every field of a {@linkcode RatingScale} (the type makes the list complete). */
const SCALE_FIELDS: Record<keyof RatingScale, true> = { min: true, max: true, step: true };

/** The most values a scale given to {@linkcode ratingHistogram} may list (MovieLens': 10). */
const MAX_SCALE_VALUES = 1000;

function checkScale(scale: RatingScale, who: string): number {
  if (typeof scale !== "object" || scale === null) {
    throw new TypeError(`${who}: expected scale { min, max, step }, found ${describe(scale)}`);
  }
  checkOptionKeys(scale, Object.keys(SCALE_FIELDS), who, "scale.");
  const min = checkFiniteNumber(scale.min, "scale.min", who);
  const max = checkFiniteNumber(scale.max, "scale.max", who);
  const step = checkLearningRate(scale.step, who, "scale.step"); // a finite number > 0
  if (min > max) {
    throw new RangeError(`${who}: expected scale.min <= scale.max, found ${min} and ${max}`);
  }
  const steps = Math.round((max - min) / step);
  if (!(steps < MAX_SCALE_VALUES)) {
    throw new RangeError(
      `${who}: expected a scale of at most ${plural(MAX_SCALE_VALUES, "value")}, found ${min} ` +
        `to ${max} by ${step} (${plural(steps + 1, "value")})`,
    );
  }
  return steps;
}

/**
 * How often each rating value occurs.
 *
 * @param df Ratings with a rating column.
 * @param options An optional scale to list unused values too.
 * @returns A DataFrame: rating (Float64, ascending), count (Int32), share (Float64, sums to 1);
 *   no rows for a table without rows (and no scale).
 * @throws {RangeError} On a null, NaN or infinite rating, or a scale that is not finite, has a
 *   step <= 0, a min above its max or more than 1,000 values.
 * @throws {TypeError} When a field of the scale is not a number (a min given as text).
 * @example
 * ```ts
 * import { ratingHistogram, ratingsFrame } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({ userId: [1, 1, 2], movieId: [1, 2, 1], rating: [4, 4, 3] });
 * assertEquals(ratingHistogram(df).getColumn("count").toArray(), [1, 2]);
 * ```
 */
export function ratingHistogram(
  df: DataFrame,
  options: RatingHistogramTableOptions = {},
): DataFrame {
  checkOptionKeys(options, Object.keys(RATING_HISTOGRAM_OPTIONS), "ratingHistogram()");
  checkFrame(df, [COLUMNS.rating], "ratingHistogram()");
  const counts = new Map<number, number>();
  for (const v of numberColumn(df, COLUMNS.rating, "ratingHistogram()")) {
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const { scale } = options;
  if (scale !== undefined) {
    const steps = checkScale(scale, "ratingHistogram()");
    for (let k = 0; k <= steps; k++) {
      const v = Math.round((scale.min + k * scale.step) * 1e9) / 1e9;
      if (!counts.has(v)) counts.set(v, 0);
    }
  }
  const values = [...counts.keys()].sort((a, b) => a - b);
  const n = df.height || 1;
  return pl.DataFrame([
    pl.Series(COLUMNS.rating, Float64Array.from(values), pl.Float64),
    pl.Series("count", Int32Array.from(values, (v) => counts.get(v)!), pl.Int32),
    pl.Series("share", Float64Array.from(values, (v) => counts.get(v)! / n), pl.Float64),
  ]);
}

function statsBy(df: DataFrame, key: string, caller: string): DataFrame {
  checkFrame(df, [key, COLUMNS.rating], caller);
  idValues(df, key, caller);
  numberColumn(df, COLUMNS.rating, caller);
  return df.groupBy(key)
    .agg(
      pl.col(COLUMNS.rating).count().cast(pl.Int32).alias("count"),
      pl.col(COLUMNS.rating).mean().alias("mean"),
    )
    .sort(["count", key], [true, false]);
}

/**
 * Number of ratings and mean rating of every rated movie, most rated first.
 *
 * @param df Ratings with movieId and rating columns.
 * @param movies An optional movies table (movieId, title) to add titles.
 * @returns A DataFrame: movieId, [title], count (Int32), mean (Float64); sorted by count
 *   descending, then movieId ascending.
 * @example
 * ```ts
 * import { movieStats, ratingsFrame } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({ userId: [1, 2, 2], movieId: [7, 7, 9], rating: [4, 2, 5] });
 * assertEquals(movieStats(df).row(0), [7, 2, 3]);
 * ```
 */
export function movieStats(df: DataFrame, movies?: DataFrame): DataFrame {
  const stats = statsBy(df, COLUMNS.movie, "movieStats()");
  if (!movies) return stats;
  checkFrame(movies, [COLUMNS.movie, COLUMNS.title], "movieStats() movies");
  return stats.join(movies.select(COLUMNS.movie, COLUMNS.title), { on: COLUMNS.movie, how: "left" })
    .select(COLUMNS.movie, COLUMNS.title, "count", "mean");
}

/**
 * Number of ratings and mean rating of every user, most active first.
 *
 * @param df Ratings with userId and rating columns.
 * @returns A DataFrame: userId, count (Int32), mean (Float64); sorted by count descending,
 *   then userId ascending.
 * @example
 * ```ts
 * import { ratingsFrame, userStats } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({ userId: [1, 2, 2], movieId: [7, 7, 9], rating: [4, 2, 5] });
 * assertEquals(userStats(df).row(0), [2, 2, 3.5]);
 * ```
 */
export function userStats(df: DataFrame): DataFrame {
  return statsBy(df, COLUMNS.user, "userStats()");
}

/** Options of {@linkcode topCrosstab}. */
export interface CrosstabOptions {
  /**
   * How many users (rows) and movies (columns): the n with the most ratings; ties go to the
   * one that appears first in the table.
   * @default {15}
   */
  n?: number;
  /**
   * Order of rows and columns. `"appearance"`: order of first appearance in the ratings, which
   * is seed 000's (its crosstab sorts by the index it gave ids in order of appearance);
   * `"id"`: ascending raw ids (seed 001's crosstab on raw ids); `"count"`: most ratings first.
   * @default {"appearance"}
   */
  order?: "appearance" | "id" | "count";
  /**
   * A movies table (movieId, title); with it, columns are named by title (suffixed with
   * ` [movieId]` when two top movies share a title).
   * @default {undefined (columns named by movieId)}
   */
  movies?: DataFrame;
}

function topIds(ids: Int32Array, n: number): { top: number[]; first: Map<number, number> } {
  const counts = new Map<number, number>();
  const first = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) {
    const c = counts.get(ids[i]);
    if (c === undefined) {
      counts.set(ids[i], 1);
      first.set(ids[i], i);
    } else counts.set(ids[i], c + 1);
  }
  const top = [...counts.keys()]
    .sort((a, b) => counts.get(b)! - counts.get(a)! || first.get(a)! - first.get(b)!)
    .slice(0, n);
  return { top, first };
}

/** Every option of {@linkcode topCrosstab} (the type makes the list complete). */
const CROSSTAB_OPTIONS: Record<keyof CrosstabOptions, true> = {
  n: true,
  order: true,
  movies: true,
};

/**
 * Seed 000's table: the `n` users with the most ratings against the `n` most rated movies,
 * each cell the rating (null where the user did not rate the movie).
 *
 * @param df Ratings with userId, movieId and rating columns. A repeated pair shows its last
 *   rating in row order.
 * @param options Size, row/column order, titles.
 * @returns A DataFrame whose first column is userId (Int32) and whose other columns are the
 *   top movies (Float64 ratings with nulls), named by movieId (or title).
 * @example
 * ```ts
 * import { ratingsFrame, topCrosstab } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({ userId: [1, 1, 2, 3], movieId: [5, 6, 5, 5], rating: [4, 3, 2, 1] });
 * const t = topCrosstab(df, { n: 2 });
 * assertEquals(t.columns, ["userId", "5", "6"]);
 * assertEquals(t.row(0), [1, 4, 3]);
 * ```
 */
export function topCrosstab(df: DataFrame, options: CrosstabOptions = {}): DataFrame {
  checkOptionKeys(options, Object.keys(CROSSTAB_OPTIONS), "topCrosstab()");
  const { n = 15, order = "appearance", movies } = options;
  checkFrame(df, [COLUMNS.user, COLUMNS.movie, COLUMNS.rating], "topCrosstab()");
  checkPositiveInt(n, "n", "topCrosstab()");
  if (order !== "appearance" && order !== "id" && order !== "count") {
    throw new TypeError(
      `topCrosstab(): expected order "appearance", "id" or "count", found "${order}"`,
    );
  }
  const users = idValues(df, COLUMNS.user, "topCrosstab()");
  const items = idValues(df, COLUMNS.movie, "topCrosstab()");
  const ratings = numberColumn(df, COLUMNS.rating, "topCrosstab()");
  const rowPick = topIds(users, n);
  const colPick = topIds(items, n);
  const arrange = (pick: { top: number[]; first: Map<number, number> }) => {
    if (order === "id") return [...pick.top].sort((a, b) => a - b);
    if (order === "appearance") {
      return [...pick.top].sort((a, b) => pick.first.get(a)! - pick.first.get(b)!);
    }
    return pick.top;
  };
  const rows = arrange(rowPick);
  const cols = arrange(colPick);
  const rowAt = new Map(rows.map((id, i) => [id, i]));
  const colAt = new Map(cols.map((id, j) => [id, j]));
  const cells: (number | null)[][] = cols.map(() => rows.map(() => null));
  for (let i = 0; i < users.length; i++) {
    const r = rowAt.get(users[i]);
    if (r === undefined) continue;
    const c = colAt.get(items[i]);
    if (c !== undefined) cells[c][r] = ratings[i];
  }
  const names = columnNames(cols, movies);
  return pl.DataFrame([
    pl.Series(COLUMNS.user, Int32Array.from(rows), pl.Int32),
    ...cols.map((_, j) => pl.Series(names[j], cells[j]).cast(pl.Float64)),
  ]);
}

function columnNames(ids: number[], movies?: DataFrame): string[] {
  if (!movies) return ids.map(String);
  checkFrame(movies, [COLUMNS.movie, COLUMNS.title], "topCrosstab() movies");
  const idCol = idValues(movies, COLUMNS.movie, "topCrosstab() movies");
  const titleCol = movies.getColumn(COLUMNS.title).toArray() as string[];
  const titles = new Map<number, string>();
  for (let i = 0; i < idCol.length; i++) titles.set(idCol[i], titleCol[i]);
  const names = ids.map((id) => titles.get(id) ?? String(id));
  return names.map((name, j) =>
    names.indexOf(name) !== names.lastIndexOf(name) ? `${name} [${ids[j]}]` : name
  );
}
