import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import pl from "nodejs-polars";
import {
  loadMovieLens,
  movieStats,
  ratingHistogram,
  ratingsFrame,
  summarize,
  topCrosstab,
  userStats,
} from "../../lib/data/mod.ts";
import { col, LATEST_TINY } from "./_helpers.ts";

const small = ratingsFrame({
  userId: [1, 1, 1, 2, 2, 3],
  movieId: [10, 20, 30, 10, 20, 10],
  rating: [5, 3, 4, 2, 3.5, 4.5],
  timestamp: [100, 200, 300, 50, 60, 700],
});

Deno.test("summarize() counts ratings, users and movies and computes sparsity by hand", () => {
  const s = summarize(small);
  assertEquals([s.ratings, s.users, s.ratedMovies, s.movies], [6, 3, 3, 3]);
  assertAlmostEquals(s.density, 6 / 9, 1e-12);
  assertAlmostEquals(s.sparsity, 3 / 9, 1e-12);
  assertAlmostEquals(s.ratingMean, 22 / 6, 1e-12);
  const variance = [5, 3, 4, 2, 3.5, 4.5].reduce((a, r) => a + (r - 22 / 6) ** 2, 0) / 6;
  assertAlmostEquals(s.ratingStd, Math.sqrt(variance), 1e-12);
  assertEquals([s.ratingMin, s.ratingMax], [2, 5]);
  assertEquals(s.ratingsPerUser, { min: 1, median: 2, max: 3 });
  assertEquals(s.ratingsPerMovie, { min: 1, median: 2, max: 3 });
  assertEquals([s.firstTimestamp, s.lastTimestamp], [50, 700]);
});

Deno.test("summarize() takes density over users × movies and an even count's median as a mean", () => {
  // 2 users (3 and 1 ratings) and 3 movies (2, 1 and 1 ratings): by hand, density 4 / (2 · 3),
  // the users' median (1 + 3) / 2 = 2.
  const s = summarize(ratingsFrame({
    userId: [1, 1, 1, 2],
    movieId: [10, 20, 30, 10],
    rating: [4, 4, 4, 4],
  }));
  assertAlmostEquals(s.density, 4 / 6, 1e-12);
  assertEquals(s.ratingsPerUser, { min: 1, median: 2, max: 3 });
  assertEquals(s.ratingsPerMovie, { min: 1, median: 1, max: 2 });
});

Deno.test("summarize() of a data set counts every row of its movies table", async () => {
  const s = summarize(await loadMovieLens(LATEST_TINY));
  assertEquals([s.ratings, s.users, s.ratedMovies, s.movies], [10, 4, 4, 5]);
});

Deno.test("summarize() rejects an empty ratings table", () => {
  assertThrows(() => summarize(small.head(0)), RangeError, "at least one rating");
});

Deno.test("ratingHistogram() counts each value, and lists unused values of a scale as 0", () => {
  const h = ratingHistogram(small);
  assertEquals(col(h, "rating"), [2, 3, 3.5, 4, 4.5, 5]);
  assertEquals(col(h, "count"), [1, 1, 1, 1, 1, 1]);
  const full = ratingHistogram(small, { scale: { min: 0.5, max: 5, step: 0.5 } });
  assertEquals(full.height, 10);
  assertEquals(col(full, "rating")[0], 0.5);
  assertEquals(col(full, "count")[0], 0);
  assertAlmostEquals((col(full, "share") as number[]).reduce((a, b) => a + b, 0), 1, 1e-12);
});

Deno.test("movieStats() gives count and mean per movie, most rated first, with titles", () => {
  const stats = movieStats(small);
  assertEquals(stats.columns, ["movieId", "count", "mean"]);
  assertEquals(stats.rows(), [[10, 3, 11.5 / 3], [20, 2, 3.25], [30, 1, 4]]);
  const movies = pl.DataFrame([
    pl.Series("movieId", Int32Array.from([10, 20]), pl.Int32),
    pl.Series("title", ["Ten (1990)", "Twenty (1991)"]),
  ]);
  const titled = movieStats(small, movies);
  assertEquals(titled.columns, ["movieId", "title", "count", "mean"]);
  assertEquals(col(titled, "title"), ["Ten (1990)", "Twenty (1991)", null]);
});

Deno.test("movieStats() breaks count ties by ascending movieId", () => {
  const df = ratingsFrame({ userId: [1, 1, 1], movieId: [9, 3, 6], rating: [1, 2, 3] });
  assertEquals(col(movieStats(df), "movieId"), [3, 6, 9]);
});

Deno.test("userStats() gives count and mean per user, most active first", () => {
  assertEquals(userStats(small).rows(), [[1, 3, 4], [2, 2, 2.75], [3, 1, 4.5]]);
});

Deno.test("topCrosstab() shows the rating of each top user for each top movie, null where unrated", () => {
  const t = topCrosstab(small, { n: 2 });
  assertEquals(t.columns, ["userId", "10", "20"]);
  assertEquals(t.rows(), [[1, 5, 3], [2, 2, 3.5]]);
  const all = topCrosstab(small, { n: 3 });
  assertEquals(all.rows()[2], [3, 4.5, null, null]);
  assert(all.schema["10"].equals(pl.Float64));
});

Deno.test("topCrosstab() orders rows and columns by first appearance, id or count", () => {
  const df = ratingsFrame({
    userId: [5, 5, 5, 2, 2, 9, 9, 9, 9],
    movieId: [30, 10, 20, 10, 20, 10, 20, 30, 40],
    rating: [1, 2, 3, 4, 5, 1, 2, 3, 4],
  });
  assertEquals(col(topCrosstab(df, { n: 2 }), "userId"), [5, 9]);
  assertEquals(topCrosstab(df, { n: 2 }).columns, ["userId", "10", "20"]);
  assertEquals(col(topCrosstab(df, { n: 3, order: "id" }), "userId"), [2, 5, 9]);
  assertEquals(col(topCrosstab(df, { n: 3, order: "count" }), "userId"), [9, 5, 2]);
  assertEquals(topCrosstab(df, { n: 3, order: "appearance" }).columns, [
    "userId",
    "30",
    "10",
    "20",
  ]);
});

Deno.test("topCrosstab() names columns by title, marking repeated titles with their id", () => {
  const movies = pl.DataFrame([
    pl.Series("movieId", Int32Array.from([10, 20, 30]), pl.Int32),
    pl.Series("title", ["Chasing Amy (1997)", "Chasing Amy (1997)", "Fargo (1996)"]),
  ]);
  const t = topCrosstab(small, { n: 3, movies });
  assertEquals(t.columns, [
    "userId",
    "Chasing Amy (1997) [10]",
    "Chasing Amy (1997) [20]",
    "Fargo (1996)",
  ]);
});

Deno.test("topCrosstab() rejects a bad size or order", () => {
  assertThrows(() => topCrosstab(small, { n: 0 }), RangeError, "found 0");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => topCrosstab(small, { order: "votes" as any }), TypeError, '"votes"');
});

Deno.test("summarize() names a null or too large id, a NaN or null rating, and its row", () => {
  const frame = (userId: (number | null)[], rating: (number | null)[]) =>
    pl.DataFrame({ userId, movieId: [1, 2, 3], rating });
  assertThrows(
    () => summarize(frame([1, null, 3], [4, 2, 3])),
    TypeError,
    'summarize(): expected integer ids in "userId", found null at row 1',
  );
  assertThrows(
    () => summarize(frame([1, 2 ** 31, 3], [4, 2, 3])),
    RangeError,
    'summarize(): expected 32-bit integer ids in "userId", found 2147483648 at row 1',
  );
  assertThrows(
    () => summarize(frame([1, 2, 3], [4, NaN, 3])),
    RangeError,
    'summarize(): expected finite numbers in "rating", found NaN at row 1',
  );
  assertThrows(
    () => summarize(frame([1, 2, 3], [4, 2, null])),
    RangeError,
    'summarize(): expected finite numbers in "rating", found null at row 2',
  );
});

Deno.test("movieStats() and the other statistics name a null id or a NaN rating", () => {
  const nullMovie = pl.DataFrame({ userId: [1, 2], movieId: [10, null], rating: [4, 2] });
  const nanRating = pl.DataFrame({ userId: [1, 2], movieId: [10, 20], rating: [4, NaN] });
  assertThrows(
    () => movieStats(nullMovie),
    TypeError,
    'movieStats(): expected integer ids in "movieId", found null at row 1',
  );
  assertThrows(
    () => movieStats(nanRating),
    RangeError,
    'movieStats(): expected finite numbers in "rating", found NaN at row 1',
  );
  assertThrows(() => userStats(nanRating), RangeError, "userStats(): expected finite numbers");
  assertThrows(() => ratingHistogram(nanRating), RangeError, "ratingHistogram(): expected finite");
  assertThrows(() => topCrosstab(nullMovie), TypeError, "topCrosstab(): expected integer ids");
});

Deno.test("ratingHistogram() lists the top of the scale as 0 when nobody used it", () => {
  const df = ratingsFrame({ userId: [1, 2], movieId: [10, 10], rating: [1, 2] });
  const h = ratingHistogram(df, { scale: { min: 1, max: 5, step: 1 } });
  assertEquals(col(h, "rating"), [1, 2, 3, 4, 5]);
  assertEquals(col(h, "count"), [1, 1, 0, 0, 0]);
});

Deno.test("ratingHistogram() refuses a scale it cannot list: a step of 0 no longer hangs", () => {
  const df = ratingsFrame({ userId: [1, 1, 2], movieId: [1, 2, 1], rating: [4, 4, 3] });
  const bad: [object, typeof RangeError | typeof TypeError, string][] = [
    [
      { min: 1, max: 5, step: 0 },
      RangeError,
      "ratingHistogram(): expected scale.step to be a finite number > 0, found 0",
    ],
    [{ min: 1, max: 5, step: -1 }, RangeError, "scale.step to be a finite number > 0, found -1"],
    [{ min: 1, max: 5, step: NaN }, RangeError, "scale.step to be a finite number > 0, found NaN"],
    [{ min: 1, max: Infinity, step: 1 }, RangeError, "scale.max to be a finite number"],
    [{ min: 5, max: 1, step: 1 }, RangeError, "expected scale.min <= scale.max, found 5 and 1"],
    [{ min: 0, max: 5, step: 1e-6 }, RangeError, "at most 1,000 values, found 0 to 5 by 0.000001"],
    [{ min: "1", max: 5, step: 1 }, TypeError, "expected scale.min to be a finite number"],
  ];
  for (const [scale, Error, message] of bad) {
    assertThrows(() => ratingHistogram(df, { scale: scale as never }), Error, message);
  }
  const ok = ratingHistogram(df, { scale: { min: 1, max: 5, step: 1 } });
  assertEquals(col(ok, "count"), [0, 0, 1, 2, 0]);
  assertEquals(ratingHistogram(df.head(0)).height, 0); // no rows: an empty table
});
