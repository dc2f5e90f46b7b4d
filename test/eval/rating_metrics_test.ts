import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { mae, mse, ratingMetrics, rmse } from "../../lib/eval/mod.ts";

// Errors 1, 0, -2: squares 1 + 0 + 4 = 5, absolutes 1 + 0 + 2 = 3, over n = 3.
const yTrue = [2, 2, 5];
const yPred = Float32Array.from([3, 2, 3]);

Deno.test("mse() is the mean of the squared errors", () => {
  assertAlmostEquals(mse(yTrue, yPred), 5 / 3, 1e-12);
});

Deno.test("rmse() is the square root of the MSE, in stars", () => {
  assertAlmostEquals(rmse(yTrue, yPred), Math.sqrt(5 / 3), 1e-12);
  assertEquals(rmse([1, 5], [2, 4]), 1);
});

Deno.test("mae() is the mean of the absolute errors", () => {
  assertAlmostEquals(mae(yTrue, yPred), 1, 1e-12);
});

Deno.test("ratingMetrics() returns all three errors and the count", () => {
  const m = ratingMetrics(yTrue, yPred);
  assertAlmostEquals(m.mse, 5 / 3, 1e-12);
  assertAlmostEquals(m.rmse, 1.2909944487, 1e-9);
  assertAlmostEquals(m.mae, 1, 1e-12);
  assertEquals(m.n, 3);
});

Deno.test("ratingMetrics() is zero for perfect predictions", () => {
  assertEquals(ratingMetrics([0.5, 5], [0.5, 5]), { mse: 0, rmse: 0, mae: 0, n: 2 });
});

Deno.test("rating metrics reject arrays of different lengths", () => {
  for (const f of [mse, rmse, mae, ratingMetrics]) {
    assertThrows(() => f([1, 2, 3], [1, 2]), RangeError, "same length, found 3 and 2");
  }
});

Deno.test("rating metrics reject empty input", () => {
  assertThrows(() => mse([], []), RangeError, "at least one rating");
  assertThrows(() => ratingMetrics(new Float32Array(0), new Float32Array(0)), RangeError, "empty");
});

Deno.test("rating metrics reject NaN and Infinity, naming the array and position", () => {
  assertThrows(() => rmse([1, 2], [1, NaN]), RangeError, "yPred, found NaN at position 1");
  assertThrows(() => mae([Infinity, 2], [1, 2]), RangeError, "yTrue, found Infinity at position 0");
});

Deno.test("rating metrics reject values that are not arrays of numbers", () => {
  // @ts-expect-error: a string is not a number array
  assertThrows(() => mse("1,2", [1, 2]), TypeError, "expected yTrue to be an array of numbers");
  // @ts-expect-error: strings inside
  assertThrows(() => mse([1, 2], ["1", "2"]), TypeError, "yPred");
});
