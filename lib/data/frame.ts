/**
 * Building a ratings DataFrame with the library's schema (userId Int32, movieId Int32,
 * rating Float64, timestamp Int64) from plain arrays: the form every loader returns and every
 * splitter, statistic and model expects. Handy for synthetic data in tests and examples.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { DataFrame } from "nodejs-polars";
import { COLUMNS } from "../defaults.ts";
import { found, INT32_MAX } from "../_validate.ts";

/** Plain columns of a ratings table, one entry per rating. */
export interface RatingColumns {
  /** Raw user ids (integers). */
  userId: ArrayLike<number>;
  /** Raw movie ids (integers). */
  movieId: ArrayLike<number>;
  /** Ratings on the data set's star scale. */
  rating: ArrayLike<number>;
  /**
   * Unix times in seconds.
   * @default {the row index 0, 1, 2, … (so that row order is time order)}
   */
  timestamp?: ArrayLike<number> | BigInt64Array;
}

/**
 * Builds a ratings DataFrame with the library's schema and checks it.
 *
 * @param columns The columns; all of the same length, ids integers in 0..2^31-1, ratings finite.
 * @returns A DataFrame with columns userId (Int32), movieId (Int32), rating (Float64) and
 *   timestamp (Int64), in that order.
 * @throws {RangeError} On columns of different lengths, a non-integer or negative id or a
 *   non-finite rating, naming the row.
 * @example
 * ```ts
 * import { ratingsFrame } from "./frame.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({ userId: [1, 1, 2], movieId: [10, 20, 10], rating: [4, 3.5, 5] });
 * assertEquals(df.height, 3);
 * assertEquals(df.columns, ["userId", "movieId", "rating", "timestamp"]);
 * ```
 */
export function ratingsFrame(columns: RatingColumns): DataFrame {
  const { userId, movieId, rating } = columns ?? {};
  if (!userId || !movieId || !rating) {
    throw new TypeError("ratingsFrame(): expected { userId, movieId, rating } arrays");
  }
  const n = userId.length;
  const timestamp = columns.timestamp;
  for (const [name, col] of [["movieId", movieId], ["rating", rating], ["timestamp", timestamp]]) {
    if (col !== undefined && (col as ArrayLike<unknown>).length !== n) {
      throw new RangeError(
        `ratingsFrame(): expected ${name} to have ${n} entries like userId, found ${
          (col as ArrayLike<unknown>).length
        }`,
      );
    }
  }
  const users = new Int32Array(n);
  const movies = new Int32Array(n);
  const values = new Float64Array(n);
  const times = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    users[i] = checkId(userId[i], "userId", i);
    movies[i] = checkId(movieId[i], "movieId", i);
    const r = rating[i];
    if (typeof r !== "number" || !Number.isFinite(r)) {
      throw new RangeError(`ratingsFrame(): expected a finite rating at row ${i}, found ${r}`);
    }
    values[i] = r;
    if (timestamp === undefined) times[i] = BigInt(i);
    else {
      const t = timestamp[i];
      if (typeof t === "bigint") times[i] = t;
      else if (Number.isSafeInteger(t)) times[i] = BigInt(t);
      else {
        throw new RangeError(
          `ratingsFrame(): expected an integer timestamp at row ${i}, found ${t}`,
        );
      }
    }
  }
  return pl.DataFrame([
    pl.Series(COLUMNS.user, users, pl.Int32),
    pl.Series(COLUMNS.movie, movies, pl.Int32),
    pl.Series(COLUMNS.rating, values, pl.Float64),
    pl.Series(COLUMNS.timestamp, times, pl.Int64),
  ]);
}

function checkId(id: number, name: string, row: number): number {
  if (!Number.isInteger(id) || id < 0 || id > INT32_MAX) {
    throw new RangeError(
      `ratingsFrame(): expected ${name} to be an integer in 0..${INT32_MAX} at row ${row}, ` +
        `found ${found(id)}`,
    );
  }
  return id;
}
