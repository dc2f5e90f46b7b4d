/**
 * Private helpers: read and validate the columns of a ratings or movies DataFrame, with errors
 * that name the function, the column and the offending row.
 *
 * @module
 */

import type pl from "nodejs-polars";
import { COLUMNS } from "../defaults.ts";
import { describe, isFrame as isDataFrame } from "../eval/_frame.ts";

export { describe, isDataFrame };

/** A nodejs-polars DataFrame (the type only). */
export type DataFrame = pl.DataFrame;

function requireFrame(df: unknown, where: string, what: string): DataFrame {
  if (!isDataFrame(df)) {
    throw new TypeError(`${where}: expected ${what} as a DataFrame, found ${describe(df)}`);
  }
  return df;
}

function rawColumn(df: DataFrame, name: string, where: string): unknown[] {
  if (!df.columns.includes(name)) {
    throw new TypeError(
      `${where}: expected a "${name}" column, found columns [${df.columns.join(", ")}]`,
    );
  }
  return df.getColumn(name).toArray() as unknown[];
}

/**
 * Reads an integer id column (userId or movieId) as numbers; NaN, null or fractional ids throw.
 */
export function idColumn(df: DataFrame, name: string, where: string): Float64Array {
  const raw = rawColumn(df, name, where);
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = typeof raw[i] === "bigint" ? Number(raw[i]) : raw[i];
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new TypeError(`${where}: expected integer ids in "${name}", found ${v} at row ${i}`);
    }
    out[i] = v;
  }
  return out;
}

/** Reads a finite numeric column; NaN, null or infinite values throw a RangeError naming the row. */
export function numberColumn(df: DataFrame, name: string, where: string): Float64Array {
  const raw = rawColumn(df, name, where);
  const out = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = typeof raw[i] === "bigint" ? Number(raw[i]) : raw[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(
        `${where}: expected finite numbers in "${name}", found ${v} at row ${i}`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** The userId, movieId and rating columns of a ratings DataFrame. */
export interface RatingColumns {
  userIds: Float64Array;
  movieIds: Float64Array;
  ratings: Float64Array;
}

/**
 * Reads userId and movieId (and rating when `withRating`) from a non-empty ratings DataFrame.
 */
export function ratingColumns(
  df: unknown,
  where: string,
  withRating: boolean,
): RatingColumns {
  const frame = requireFrame(df, where, "ratings");
  if (frame.height === 0) {
    throw new RangeError(`${where}: expected at least one rating row, found an empty DataFrame`);
  }
  const userIds = idColumn(frame, COLUMNS.user, where);
  const movieIds = idColumn(frame, COLUMNS.movie, where);
  const ratings = withRating ? numberColumn(frame, COLUMNS.rating, where) : new Float64Array(0);
  return { userIds, movieIds, ratings };
}

/** Reads a string column (null becomes ""); a missing column gives undefined. */
export function optionalStringColumn(df: DataFrame, name: string): string[] | undefined {
  if (!df.columns.includes(name)) return undefined;
  return (df.getColumn(name).toArray() as unknown[]).map((v) => v == null ? "" : String(v));
}
