import pl from "nodejs-polars";
import { assertAlmostEquals, assertEquals, assertLess, assertThrows } from "@std/assert";
import {
  biasBaseline,
  globalMeanBaseline,
  movieMeanBaseline,
  ratingMetrics,
} from "../../lib/eval/mod.ts";
import { mirrorDir } from "../data/_helpers.ts";

// μ = (5 + 3 + 4 + 4 + 2 + 3) / 6 = 3.5
const train = pl.DataFrame({
  userId: Int32Array.from([1, 1, 1, 2, 2, 3]),
  movieId: Int32Array.from([10, 20, 30, 10, 20, 10]),
  rating: [5, 3, 4, 4, 2, 3],
  timestamp: [1, 2, 3, 4, 5, 6],
});

function close(actual: Float32Array, expected: number[], tol = 1e-5): void {
  assertEquals(actual.length, expected.length);
  expected.forEach((e, i) => assertAlmostEquals(actual[i], e, tol, `at ${i}`));
}

Deno.test("globalMeanBaseline() predicts the training mean for every pair", () => {
  const b = globalMeanBaseline(train);
  assertEquals(b.name, "global mean");
  assertEquals(b.globalMean, 3.5);
  close(b.predict({ userIds: [1, 99], movieIds: [10, 999] }), [3.5, 3.5]);
});

Deno.test("movieMeanBaseline() predicts each movie's mean and the global mean for unseen movies", () => {
  const b = movieMeanBaseline(train);
  // movie 10: (5 + 4 + 3) / 3 = 4; movie 20: (3 + 2) / 2 = 2.5; movie 30: 4; movie 99 unseen.
  close(b.predict({ userIds: [3, 1, 2, 7], movieIds: [10, 20, 30, 99] }), [4, 2.5, 4, 3.5]);
  assertEquals(Array.from(b.movieMeans.ids), [10, 20, 30]);
  close(b.movieMeans.values, [4, 2.5, 4]);
});

Deno.test("biasBaseline() after one pass matches the hand-computed ALS updates", () => {
  const b = biasBaseline(train, { regUser: 1, regMovie: 2, iterations: 1 });
  // Movies first (b_u = 0): b_10 = (1.5 + 0.5 − 0.5) / (2 + 3) = 0.3,
  // b_20 = (−0.5 − 1.5) / (2 + 2) = −0.5, b_30 = 0.5 / (2 + 1) = 1/6.
  close(b.movieBiases.values, [0.3, -0.5, 1 / 6]);
  // Then users: b_1 = (1.2 + 0 + 1/3) / (1 + 3), b_2 = (0.2 − 1) / (1 + 2), b_3 = −0.8 / (1 + 1).
  close(b.userBiases.values, [(1.2 + 1 / 3) / 4, -0.8 / 3, -0.4]);
  const p = b.predict({ userIds: [1, 3, 99, 2, 99], movieIds: [10, 30, 20, 99, 99] });
  close(p, [3.5 + 0.3 + 1.5333333 / 4, 3.5 - 0.4 + 1 / 6, 3.0, 3.5 - 0.8 / 3, 3.5]);
});

Deno.test("biasBaseline() recovers exactly additive ratings without regularisation", () => {
  // r = 3 + b_u + b_i with b_u = ±0.5 and b_i = ±1 on a complete 2 × 2 grid.
  const grid = pl.DataFrame({
    userId: [1, 1, 2, 2],
    movieId: [10, 20, 10, 20],
    rating: [4.5, 2.5, 3.5, 1.5],
  });
  const b = biasBaseline(grid, { regUser: 0, regMovie: 0, iterations: 5 });
  close(b.predict(grid), [4.5, 2.5, 3.5, 1.5]);
  close(b.userBiases.values, [0.5, -0.5]);
  close(b.movieBiases.values, [1, -1]);
});

Deno.test("biasBaseline() shrinks the bias of a rarely rated movie towards zero", () => {
  const loose = biasBaseline(train, { regMovie: 0, regUser: 0 });
  const tight = biasBaseline(train, { regMovie: 100, regUser: 0 });
  const m30 = (b: typeof loose) => b.movieBiases.values[2];
  assertEquals(Math.abs(m30(tight)) < Math.abs(m30(loose)) / 10, true);
});

Deno.test("baselines predict from a DataFrame of pairs as from arrays", () => {
  const b = biasBaseline(train);
  const pairs = pl.DataFrame({ userId: [2, 3], movieId: [30, 20] });
  assertEquals(b.predict(pairs), b.predict({ userIds: [2, 3], movieIds: [30, 20] }));
});

Deno.test("baselines reject a training frame without a rating column, naming it", () => {
  const noRating = pl.DataFrame({ userId: [1], movieId: [2] });
  for (const fit of [globalMeanBaseline, movieMeanBaseline, biasBaseline]) {
    assertThrows(() => fit(noRating), TypeError, 'expected a "rating" column');
  }
});

Deno.test("baselines reject empty training data and NaN ratings", () => {
  const empty = pl.DataFrame({ userId: [], movieId: [], rating: [] });
  assertThrows(() => movieMeanBaseline(empty), RangeError, "found an empty DataFrame");
  const nan = pl.DataFrame({ userId: [1, 2], movieId: [1, 2], rating: [4, NaN] });
  assertThrows(
    () => biasBaseline(nan),
    RangeError,
    'finite numbers in "rating", found NaN at row 1',
  );
  const nulls = pl.DataFrame({ userId: [1, 2], movieId: [1, 2], rating: [4, null] });
  assertThrows(
    () => globalMeanBaseline(nulls),
    RangeError,
    'finite numbers in "rating", found null at row 1',
  );
});

Deno.test("biasBaseline() rejects bad options", () => {
  assertThrows(() => biasBaseline(train, { iterations: 0 }), RangeError, "iterations");
  assertThrows(
    () => biasBaseline(train, { regUser: -1 }),
    RangeError,
    "expected regUser to be a finite number >= 0, found -1",
  );
  assertThrows(() => biasBaseline(train, { regMovie: NaN }), RangeError, "NaN");
});

Deno.test("biasBaseline() rejects a negative regMovie, naming it", () => {
  assertThrows(
    () => biasBaseline(train, { regMovie: -1 }),
    RangeError,
    "biasBaseline(): expected regMovie to be a finite number >= 0, found -1",
  );
});

Deno.test("predict() rejects mismatched or fractional ids", () => {
  const b = movieMeanBaseline(train);
  assertThrows(
    () => b.predict({ userIds: [1, 2], movieIds: [10] }),
    RangeError,
    "same length, found 2 and 1",
  );
  assertThrows(() => b.predict({ userIds: [1], movieIds: [10.5] }), TypeError, "found 10.5");
  // @ts-expect-error: not pairs
  assertThrows(() => b.predict([1, 2]), TypeError, "expected a DataFrame or { userIds, movieIds }");
});

const MIRROR = mirrorDir(); // the local MovieLens mirror, or null: these tests are skipped

function readFold(path: string): pl.DataFrame {
  const rows = Deno.readTextFileSync(path).trim().split("\n").map((l) => l.split("\t").map(Number));
  return pl.DataFrame({
    userId: Int32Array.from(rows, (r) => r[0]),
    movieId: Int32Array.from(rows, (r) => r[1]),
    rating: Float64Array.from(rows, (r) => r[2]),
  });
}

Deno.test({
  name: "biasBaseline() matches Surprise's published BaselineOnly accuracy on ml-100k",
  ignore: MIRROR === null,
  fn() {
    // Surprise's benchmark table: BaselineOnly on ml-100k, 5-fold CV, RMSE 0.944, MAE 0.748.
    // Here: the five predefined folds u1..u5 of the GroupLens archive.
    let sumRmse = 0, sumMae = 0;
    for (let k = 1; k <= 5; k++) {
      const train = readFold(`${MIRROR}/ml-100k/u${k}.base`),
        test = readFold(`${MIRROR}/ml-100k/u${k}.test`);
      const y = test.getColumn("rating").toTypedArray() as Float64Array;
      const [g, m, b] = [globalMeanBaseline, movieMeanBaseline, biasBaseline].map((fit) =>
        ratingMetrics(y, fit(train).predict(test))
      );
      assertLess(b.rmse, m.rmse, `fold u${k}: bias beats movie mean`);
      assertLess(m.rmse, g.rmse, `fold u${k}: movie mean beats global mean`);
      sumRmse += b.rmse;
      sumMae += b.mae;
    }
    assertAlmostEquals(sumRmse / 5, 0.944, 0.005);
    assertAlmostEquals(sumMae / 5, 0.748, 0.005);
  },
});

Deno.test("movieMeanBaseline() and biasBaseline() refuse an id outside 32 bits, naming column and row", () => {
  // Their score tables hold ids in Int32Arrays: movie 4,000,000,000 came back as −294,967,296.
  const big = pl.DataFrame({ userId: [1, 2], movieId: [10, 4_000_000_000], rating: [4, 3] });
  for (const fit of [movieMeanBaseline, biasBaseline, globalMeanBaseline]) {
    assertThrows(
      () => fit(big),
      RangeError,
      `${fit.name}(): expected 32-bit integer ids in "movieId", found 4000000000 at row 1`,
    );
  }
});

Deno.test("biasBaseline() names a shrinkage given as text", () => {
  // The message said "found 15 at position 0" for the text "15".
  assertThrows(
    () => biasBaseline(train, { regUser: "15" as never }),
    TypeError,
    "biasBaseline(): expected regUser to be a finite number >= 0, found string 15",
  );
  assertThrows(
    () => biasBaseline(train, { regMovie: null as never }),
    TypeError,
    "biasBaseline(): expected regMovie to be a finite number >= 0, found null",
  );
});
