import { assert, assertEquals, assertThrows } from "@std/assert";
import pl from "nodejs-polars";
import { dropDuplicateRatings, ratingsFrame } from "../../lib/data/mod.ts";
import { col } from "./_helpers.ts";

const df = ratingsFrame({
  userId: [1, 1, 2, 1, 1],
  movieId: [5, 6, 5, 5, 5],
  rating: [1, 2, 3, 4, 5],
  timestamp: [300, 10, 10, 100, 300],
});

Deno.test("dropDuplicateRatings() keeps the latest rating of a pair, the later row on ties", () => {
  const { ratings, duplicates } = dropDuplicateRatings(df);
  assertEquals(duplicates, 2);
  assertEquals(col(ratings, "rating"), [2, 3, 5]);
});

Deno.test("dropDuplicateRatings() leaves a table without repeats untouched", () => {
  const clean = df.slice(1, 2);
  const result = dropDuplicateRatings(clean);
  assertEquals(result.duplicates, 0);
  assert(result.ratings === clean);
});

Deno.test("dropDuplicateRatings() with 'keep' counts but keeps every row", () => {
  const { ratings, duplicates } = dropDuplicateRatings(df, { policy: "keep" });
  assertEquals([duplicates, ratings.height], [2, 5]);
});

Deno.test("dropDuplicateRatings() with 'error' names the pair and rows", () => {
  assertThrows(
    () => dropDuplicateRatings(df, { policy: "error", label: "my.csv" }),
    RangeError,
    "my.csv: expected one rating per (userId, movieId) pair, found userId 1 rating movieId 5 more than once (rows 0 and 3); 2 repeated rows",
  );
});

Deno.test("dropDuplicateRatings() rejects an unknown policy", () => {
  // deno-lint-ignore no-explicit-any
  assertThrows(() => dropDuplicateRatings(df, { policy: "first" as any }), TypeError, '"first"');
});

Deno.test("dropDuplicateRatings() names a fractional id or a null timestamp and its row", () => {
  assertThrows(
    () =>
      dropDuplicateRatings(
        pl.DataFrame({ userId: [1, 1.5], movieId: [1, 1], rating: [2, 3], timestamp: [1, 2] }),
      ),
    TypeError,
    'dropDuplicateRatings(): expected integer ids in "userId", found 1.5 at row 1',
  );
  assertThrows(
    () =>
      dropDuplicateRatings(
        pl.DataFrame({ userId: [1, 1], movieId: [1, 1], rating: [2, 3], timestamp: [1, null] }),
      ),
    RangeError,
    'expected finite numbers in "timestamp", found null at row 1',
  );
});

Deno.test("dropDuplicateRatings() keeps only the latest of three ratings of a pair", () => {
  const thrice = ratingsFrame({
    userId: [1, 1, 1],
    movieId: [5, 5, 5],
    rating: [1, 2, 3],
    timestamp: [10, 20, 30],
  });
  const { ratings, duplicates } = dropDuplicateRatings(thrice);
  assertEquals(duplicates, 2);
  assertEquals(col(ratings, "rating"), [3]);
});

Deno.test("dropDuplicateRatings() never takes different pairs for one, whatever the ids' size", () => {
  // movieId 65536 of user 1 and movieId 0 of user 2 (small ids: one number per pair); movies
  // 1…4 of a user id above 2²¹ (where user · 2³² + movie would collide in a double).
  const big = 3_000_000;
  for (
    const [userId, movieId] of [
      [[1, 2], [65536, 0]],
      [[big, big, big, big], [1, 2, 3, 4]],
    ]
  ) {
    const df = ratingsFrame({
      userId,
      movieId,
      rating: userId.map(() => 4),
      timestamp: userId.map((_, i) => i),
    });
    const { ratings, duplicates } = dropDuplicateRatings(df);
    assertEquals([duplicates, ratings.height], [0, userId.length]);
  }
});

Deno.test("dropDuplicateRatings() keeps two movies of a user id near -2^31: no repeated pair", () => {
  // The number key user · 2³² + movie loses its last bits at |user| ≥ 2²¹: movies 1 and 2 of
  // user −2³¹ had the same key, and the first row was dropped as a repeat.
  const users = pl.DataFrame({
    userId: [-(2 ** 31), -(2 ** 31), -(2 ** 22), -(2 ** 22)],
    movieId: [1, 2, 1, 1],
    rating: [4, 3, 2, 5],
    timestamp: [1, 2, 3, 4],
  });
  const { ratings, duplicates } = dropDuplicateRatings(users);
  assertEquals(duplicates, 1);
  assertEquals(col(ratings, "rating"), [4, 3, 5]);
});
