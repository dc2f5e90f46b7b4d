/**
 * Several models side by side on the same test ratings: one row per model with MSE, RMSE and
 * MAE computed from its predictions, optionally also on subsets of the rows such as the
 * ratings of movies the training data never showed ({@linkcode unseenRows}).
 *
 * @module
 */

import pl from "nodejs-polars";
import { COLUMNS } from "../defaults.ts";
import {
  checkBoolean,
  checkFinite,
  checkFrame,
  checkOptionKeys,
  describe,
  idColumn,
  isNumbers,
  numberColumn,
  type Numbers,
} from "../_validate.ts";
import { ratingMetrics } from "./rating_metrics.ts";

/** Options of {@linkcode unseenRows}. */
export interface UnseenRowsOptions {
  /**
   * The id column to look up: `"movieId"` (movies the training data never showed) or
   * `"userId"` (users it never showed).
   * @default {"movieId"}
   */
  column?: "movieId" | "userId";
}

/** Every option of {@linkcode unseenRows} (the type makes the list complete). */
const UNSEEN_ROWS_OPTIONS: Record<keyof UnseenRowsOptions, true> = { column: true };

/**
 * Flags the test rows whose movie (or user) does not occur in the training rows: the
 * cold-start rows, where a model can only fall back on what it learned for everyone.
 *
 * @param train Training ratings.
 * @param test Test ratings.
 * @param options Which id column.
 * @returns One flag per test row: 1 where the id is unseen in `train`, else 0.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { unseenRows } from "./comparison.ts";
 * import { assertEquals } from "@std/assert";
 * const train = pl.DataFrame({ userId: [1, 2], movieId: [10, 20] });
 * const test = pl.DataFrame({ userId: [1, 3], movieId: [30, 10] });
 * assertEquals(unseenRows(train, test), Uint8Array.of(1, 0));
 * assertEquals(unseenRows(train, test, { column: "userId" }), Uint8Array.of(0, 1));
 * ```
 */
export function unseenRows(
  train: pl.DataFrame,
  test: pl.DataFrame,
  options: UnseenRowsOptions = {},
): Uint8Array {
  const who = "unseenRows()";
  checkOptionKeys(options, Object.keys(UNSEEN_ROWS_OPTIONS), who);
  const { column = COLUMNS.movie } = options;
  if (column !== COLUMNS.movie && column !== COLUMNS.user) {
    throw new TypeError(
      `${who}: expected column "${COLUMNS.movie}" or "${COLUMNS.user}", found ${
        JSON.stringify(column)
      }`,
    );
  }
  const seen = new Set(idColumn(checkFrame(train, [column], `${who} train`), column, who));
  const ids = idColumn(checkFrame(test, [column], `${who} test`), column, who);
  return Uint8Array.from(ids, (id) => seen.has(id) ? 0 : 1);
}

/** Options of {@linkcode metricsTable}. */
export interface MetricsTableOptions {
  /**
   * Extra columns: the MSE on a subset of the rows, by name. Each subset is one flag per test
   * row (1/true = in the subset, 0/false = not; anything else is a TypeError), e.g.
   * `{ "unseen movies": unseenRows(train, test) }`. The
   * column is named `MSE <name> (n=<count>)` (the count with thousands separators); it is null
   * when the subset is empty.
   * @default {{}}
   */
  subsets?: Record<string, ArrayLike<number | boolean>>;
  /**
   * Sort the rows by MSE, best first (otherwise they keep the order of `predictions`).
   * @default {false}
   */
  sort?: boolean;
}

/** Every option of {@linkcode metricsTable} (the type makes the list complete). */
const METRICS_TABLE_OPTIONS: Record<keyof MetricsTableOptions, true> = {
  subsets: true,
  sort: true,
};

/**
 * Compares models on the same test ratings: one row per model with MSE, RMSE and MAE from its
 * predictions, plus the MSE on any subsets of the rows.
 *
 * @param test Test ratings with a rating column (the truth).
 * @param predictions Model name → one prediction per test row, in the row order of `test`.
 * @param options Subsets of rows and sorting.
 * @returns A DataFrame with columns model, MSE, RMSE, MAE and one `MSE <subset>` per subset.
 * @throws {RangeError} On an empty test table, a null, NaN or infinite rating or prediction
 *   (naming the model and position), or predictions of another length than the test.
 * @throws {TypeError} On a flag that is not 0, 1, true or false, or a `sort` that is not a
 *   boolean.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { metricsTable } from "./comparison.ts";
 * import { assertEquals } from "@std/assert";
 * const test = pl.DataFrame({ userId: [1, 1], movieId: [10, 20], rating: [4, 2] });
 * const table = metricsTable(test, { mean: [3, 3], perfect: [4, 2] }, {
 *   subsets: { "movie 20": [0, 1] },
 * });
 * assertEquals(table.columns, ["model", "MSE", "RMSE", "MAE", "MSE movie 20 (n=1)"]);
 * assertEquals(table.getColumn("MSE").toArray(), [1, 0]);
 * ```
 */
export function metricsTable(
  test: pl.DataFrame,
  predictions: Record<string, Numbers>,
  options: MetricsTableOptions = {},
): pl.DataFrame {
  const who = "metricsTable()";
  checkOptionKeys(options, Object.keys(METRICS_TABLE_OPTIONS), who);
  const { subsets = {}, sort = false } = options;
  checkBoolean(sort, "sort", who);
  const truth = numberColumn(checkFrame(test, [COLUMNS.rating], who), COLUMNS.rating, who);
  if (truth.length === 0) {
    throw new RangeError(`${who}: expected at least one test rating, found an empty DataFrame`);
  }
  if (typeof predictions !== "object" || predictions === null) {
    throw new TypeError(
      `${who}: expected predictions as { model name: numbers }, found ${describe(predictions)}`,
    );
  }
  const names = Object.keys(predictions);
  if (names.length === 0) {
    throw new RangeError(`${who}: expected predictions of at least one model, found none`);
  }
  const masks = Object.entries(subsets).map(([name, flags]) => {
    if (!isNumbers(flags) && !Array.isArray(flags)) {
      throw new TypeError(
        `${who}: expected subset "${name}" as one flag per row, found ${describe(flags)}`,
      );
    }
    if (flags.length !== truth.length) {
      throw new RangeError(
        `${who}: expected subset "${name}" to have one flag per test row (${truth.length}), ` +
          `found ${flags.length}`,
      );
    }
    const rows: number[] = [];
    for (let i = 0; i < flags.length; i++) {
      const flag: unknown = flags[i];
      if (flag !== 0 && flag !== 1 && flag !== true && flag !== false) {
        // The text "0" is truthy: such a row was counted in the subset.
        throw new TypeError(
          `${who}: expected the flags of subset "${name}" to be 0, 1, true or false, found ` +
            `${describe(flag)} at row ${i}`,
        );
      }
      if (flag) rows.push(i);
    }
    return { label: `MSE ${name} (n=${rows.length.toLocaleString("en-US")})`, rows };
  });
  const table = names.map((model) => {
    const pred = predictions[model];
    if (!isNumbers(pred) || pred.length !== truth.length) {
      throw new RangeError(
        `${who}: expected ${truth.length} predictions for "${model}" (one per test row), ` +
          `found ${isNumbers(pred) ? pred.length : describe(pred)}`,
      );
    }
    // Checked here so that the error names this function and the model, not ratingMetrics().
    checkFinite(pred, `the predictions of "${model}"`, who);
    const all = ratingMetrics(truth, pred);
    const extra = masks.map(({ rows }) =>
      rows.length === 0
        ? null
        : ratingMetrics(rows.map((i) => truth[i]), rows.map((i) => pred[i])).mse
    );
    return { model, all, extra };
  });
  if (sort) table.sort((a, b) => a.all.mse - b.all.mse);
  return pl.DataFrame([
    pl.Series("model", table.map((r) => r.model), pl.Utf8),
    pl.Series("MSE", table.map((r) => r.all.mse), pl.Float64),
    pl.Series("RMSE", table.map((r) => r.all.rmse), pl.Float64),
    pl.Series("MAE", table.map((r) => r.all.mae), pl.Float64),
    ...masks.map(({ label }, j) => pl.Series(label, table.map((r) => r.extra[j]), pl.Float64)),
  ]);
}
