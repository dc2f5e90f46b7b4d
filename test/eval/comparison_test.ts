import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import pl from "nodejs-polars";
import { metricsTable, unseenRows } from "../../lib/eval/mod.ts";

const train = pl.DataFrame({ userId: [1, 1, 2], movieId: [10, 20, 10], rating: [4, 3, 5] });
const test = pl.DataFrame({
  userId: [1, 2, 3, 3],
  movieId: [30, 20, 10, 30],
  rating: [2, 4, 5, 1],
});

Deno.test("unseenRows() flags the test rows whose movie never occurs in training", () => {
  assertEquals(Array.from(unseenRows(train, test)), [1, 0, 0, 1]);
});

Deno.test("unseenRows() can look at users instead of movies", () => {
  assertEquals(Array.from(unseenRows(train, test, { column: "userId" })), [0, 0, 1, 1]);
});

Deno.test("unseenRows() names a missing column and rejects other columns", () => {
  assertThrows(
    () => unseenRows(train.select("userId"), test),
    TypeError,
    'train: expected a "movieId" column, found columns [userId]',
  );
  assertThrows(
    // @ts-expect-error: a column that is not an id column
    () => unseenRows(train, test, { column: "rating" }),
    TypeError,
    'found "rating"',
  );
});

Deno.test("metricsTable() computes MSE, RMSE and MAE per model from its predictions", () => {
  // "off by one": errors 1, -1, 1, -1 → MSE 1, MAE 1. "mean 3": errors 1, -1, -2, 2 → MSE 2.5.
  const table = metricsTable(test, { "off by one": [3, 3, 6, 0], "mean 3": [3, 3, 3, 3] });
  assertEquals(table.columns, ["model", "MSE", "RMSE", "MAE"]);
  assertEquals(table.getColumn("model").toArray(), ["off by one", "mean 3"]);
  assertEquals(table.getColumn("MSE").toArray(), [1, 2.5]);
  assertAlmostEquals(table.getColumn("RMSE").toArray()[1] as number, Math.sqrt(2.5), 1e-12);
  assertEquals(table.getColumn("MAE").toArray(), [1, 1.5]);
});

Deno.test("metricsTable() adds the MSE on each subset, with its size in the column name", () => {
  const cold = unseenRows(train, test); // rows 0 and 3
  const table = metricsTable(test, { "mean 3": [3, 3, 3, 3] }, {
    subsets: { "unseen movies": cold, none: [0, 0, 0, 0] },
  });
  assertEquals(table.columns.slice(4), ["MSE unseen movies (n=2)", "MSE none (n=0)"]);
  assertEquals(table.row(0).slice(4), [2.5, null]); // errors 1 and 2: (1 + 4) / 2
});

Deno.test("metricsTable() writes a subset's size with thousands separators", () => {
  const n = 1200;
  const big = pl.DataFrame({
    userId: Array.from({ length: n }, (_, i) => i),
    movieId: Array.from({ length: n }, () => 1),
    rating: Array.from({ length: n }, () => 4),
  });
  const table = metricsTable(big, { "mean 4": new Array(n).fill(4) }, {
    subsets: { all: new Array(n).fill(1) },
  });
  assertEquals(table.columns.at(-1), "MSE all (n=1,200)");
});

Deno.test("metricsTable() sorts best first on request", () => {
  const table = metricsTable(test, { worse: [3, 3, 3, 3], better: [2, 4, 5, 2] }, { sort: true });
  assertEquals(table.getColumn("model").toArray(), ["better", "worse"]);
});

Deno.test("metricsTable() rejects predictions of the wrong length, naming the model", () => {
  assertThrows(
    () => metricsTable(test, { short: [1, 2] }),
    RangeError,
    'expected 4 predictions for "short" (one per test row), found 2',
  );
  assertThrows(
    () => metricsTable(test, { ok: [1, 2, 3, 4] }, { subsets: { cold: [1] } }),
    RangeError,
    'subset "cold" to have one flag per test row (4), found 1',
  );
  assertThrows(() => metricsTable(test, {}), RangeError, "at least one model");
});

Deno.test("metricsTable() names itself and the model for a bad prediction, and checks flags and sort", () => {
  const test = pl.DataFrame({ userId: [1, 1, 2], movieId: [10, 20, 10], rating: [4, 2, 5] });
  // These said "ratingMetrics(): expected finite numbers in yPred, found NaN at position 1".
  assertThrows(
    () => metricsTable(test, { mean: [3, 3, 3], mf: [4, NaN, 5] }),
    RangeError,
    'metricsTable(): expected finite numbers in the predictions of "mf", found NaN at position 1',
  );
  assertThrows(
    () => metricsTable(test.head(0), { mf: [] }),
    RangeError,
    "metricsTable(): expected at least one test rating, found an empty DataFrame",
  );
  // The text "0" is truthy: the row was counted in the subset (n=3 instead of n=1).
  assertThrows(
    () => metricsTable(test, { mf: [4, 2, 5] }, { subsets: { s: ["0", "0", "1"] as never } }),
    TypeError,
    'metricsTable(): expected the flags of subset "s" to be 0, 1, true or false, found string 0 at row 0',
  );
  assertThrows(
    () => metricsTable(test, { mf: [4, 2, 5] }, { sort: "yes" as never }),
    TypeError,
    "metricsTable(): expected sort to be true or false, found string yes",
  );
  const ok = metricsTable(test, { mf: [4, 2, 4] }, { subsets: { s: [false, false, true] } });
  assertEquals(ok.columns[4], "MSE s (n=1)");
});
