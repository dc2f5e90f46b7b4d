import pl from "nodejs-polars";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { predictionsTable } from "../../lib/eval/mod.ts";

const test = pl.DataFrame({
  userId: [1, 2, 3],
  movieId: [10, 20, 30],
  rating: [4, 2.5, 5],
  timestamp: [0, 0, 0],
});
const movies = pl.DataFrame({ movieId: [10, 20], title: ["Heat (1995)", "Up (2009)"] });

Deno.test("predictionsTable() lists user, movie, title, truth, prediction and error", () => {
  const t = predictionsTable(test, Float32Array.from([3.5, 3, 5]), { movies });
  assertEquals(t.columns, ["userId", "movieId", "title", "rating", "prediction", "error"]);
  assertEquals(t.getColumn("title").toArray() as unknown[], ["Heat (1995)", "Up (2009)", null]);
  assertEquals(Array.from(t.getColumn("error").toArray()), [-0.5, 0.5, 0]);
  assertEquals(Array.from(t.getColumn("userId").toArray()), [1, 2, 3]);
});

Deno.test("predictionsTable() omits the title column without movies and keeps the first n rows", () => {
  const t = predictionsTable(test, [1, 2, 3], { n: 2 });
  assertEquals(t.columns, ["userId", "movieId", "rating", "prediction", "error"]);
  assertEquals(t.height, 2);
  assertAlmostEquals(t.getColumn("error").toArray()[1] as number, -0.5, 1e-12);
});

Deno.test("predictionsTable() rejects a prediction count that does not match the test rows", () => {
  assertThrows(
    () => predictionsTable(test, [1, 2]),
    RangeError,
    "one prediction per test row (3), found 2",
  );
});

Deno.test("predictionsTable() rejects NaN predictions, n <= 0 and movies without titles", () => {
  assertThrows(
    () => predictionsTable(test, [1, NaN, 3]),
    RangeError,
    "yPred, found NaN at position 1",
  );
  assertThrows(
    () => predictionsTable(test, [1, 2, 3], { n: 0 }),
    RangeError,
    "n to be a positive integer",
  );
  assertThrows(
    () => predictionsTable(test, [1, 2, 3], { movies: pl.DataFrame({ movieId: [10] }) }),
    TypeError,
    'expected a "title" column',
  );
});
