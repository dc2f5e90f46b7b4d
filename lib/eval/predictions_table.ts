/**
 * A readable table of predictions next to the truth: one row per test rating with the user,
 * the movie, its title, the true rating, the prediction and the error.
 *
 * @module
 */

import pl from "nodejs-polars";
import { COLUMNS } from "../defaults.ts";
import {
  checkFinite,
  checkFrame,
  checkOptionKeys,
  checkPositiveInt,
  describe,
  idColumn,
  isNumbers,
  numberColumn,
  type Numbers,
  textColumn,
} from "../_validate.ts";

/** Options of {@linkcode predictionsTable}. */
export interface PredictionsTableOptions {
  /**
   * Movies (movieId, title) to add a title column; a movie missing from it gets a null title.
   * @default {undefined} (no title column)
   */
  movies?: pl.DataFrame;
  /**
   * Keep only the first n rows.
   * @default {undefined} (all rows)
   */
  n?: number;
}

/** Every option of {@linkcode predictionsTable} (the type makes the list complete). */
const PREDICTIONS_TABLE_OPTIONS: Record<keyof PredictionsTableOptions, true> = {
  movies: true,
  n: true,
};

/**
 * Builds the table (userId, movieId, title, rating, prediction, error) where
 * `error = prediction − rating`, in the row order of `test`.
 *
 * @param test Test ratings (userId, movieId, rating).
 * @param yPred One prediction per test row.
 * @param options Movie titles and a row limit.
 * @returns A DataFrame; `title` is present only when `movies` is given.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { predictionsTable } from "./predictions_table.ts";
 * import { assertEquals } from "@std/assert";
 * const test = pl.DataFrame({ userId: [1], movieId: [10], rating: [4] });
 * const movies = pl.DataFrame({ movieId: [10], title: ["Heat (1995)"] });
 * const table = predictionsTable(test, [3.5], { movies });
 * assertEquals(table.toRecords(), [
 *   { userId: 1, movieId: 10, title: "Heat (1995)", rating: 4, prediction: 3.5, error: -0.5 },
 * ]);
 * ```
 */
export function predictionsTable(
  test: pl.DataFrame,
  yPred: Numbers,
  options: PredictionsTableOptions = {},
): pl.DataFrame {
  const who = "predictionsTable()";
  checkOptionKeys(options, Object.keys(PREDICTIONS_TABLE_OPTIONS), who);
  const { movies, n } = options;
  checkFrame(test, [COLUMNS.user, COLUMNS.movie, COLUMNS.rating], who);
  if (!isNumbers(yPred)) {
    throw new TypeError(
      `${who}: expected yPred to be an array of numbers, found ${describe(yPred)}`,
    );
  }
  if (yPred.length !== test.height) {
    throw new RangeError(
      `${who}: expected one prediction per test row (${test.height}), found ${yPred.length}`,
    );
  }
  if (test.height === 0) {
    throw new RangeError(`${who}: expected a non-empty test DataFrame, found 0 rows`);
  }
  checkFinite(yPred, "yPred", who);
  if (n !== undefined) checkPositiveInt(n, "n", who);
  const rows = Math.min(n ?? test.height, test.height);

  const users = idColumn(test, COLUMNS.user, who).slice(0, rows);
  const movieIds = idColumn(test, COLUMNS.movie, who).slice(0, rows);
  const rating = numberColumn(test, COLUMNS.rating, who).slice(0, rows);
  const prediction = Float64Array.from({ length: rows }, (_, i) => yPred[i]);
  const error = prediction.map((p, i) => p - rating[i]);

  const columns: pl.Series[] = [
    pl.Series(COLUMNS.user, users),
    pl.Series(COLUMNS.movie, movieIds),
  ];
  if (movies !== undefined) {
    checkFrame(movies, [COLUMNS.movie, COLUMNS.title], `${who} (movies)`);
    const ids = idColumn(movies, COLUMNS.movie, `${who} (movies)`);
    const titles = textColumn(movies, COLUMNS.title, `${who} (movies)`);
    const byId = new Map<number, string | undefined>();
    for (let i = 0; i < ids.length; i++) byId.set(ids[i], titles[i]);
    columns.push(pl.Series(COLUMNS.title, Array.from(movieIds, (id) => byId.get(id) ?? null)));
  }
  columns.push(
    pl.Series(COLUMNS.rating, rating),
    pl.Series("prediction", prediction),
    pl.Series("error", error),
  );
  return pl.DataFrame(columns);
}
