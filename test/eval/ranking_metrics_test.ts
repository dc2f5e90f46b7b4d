import pl from "nodejs-polars";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { rankingMetrics } from "../../lib/eval/mod.ts";

// Relevant (rating >= 4): user 1 → {10, 20, 40}; user 2 → {50}; user 3 → none; user 4 → {90}.
const test = pl.DataFrame({
  userId: [1, 1, 1, 1, 2, 2, 3, 4],
  movieId: [10, 20, 30, 40, 10, 50, 60, 90],
  rating: [5, 4, 2, 4.5, 3, 4, 1, 5],
});
const topK = new Map<number, number[]>([
  [1, [20, 30, 10, 70]], // hits at ranks 1 and 3 in the top 3
  [2, [60, 10, 80]], // no hit
  [3, [10, 20, 30]], // no relevant movie: skipped
]);

Deno.test("rankingMetrics() matches hand-computed values at k = 3", () => {
  const m = rankingMetrics(topK, test, { k: 3, catalogSize: 10 });
  // User 1: precision 2/3, recall 2/3, DCG 1 + 1/2, IDCG 1 + 1/log2(3) + 1/2, AP (1 + 2/3) / 3.
  // User 2: all zero. Means over the 2 evaluated users.
  const ndcg1 = 1.5 / (1.5 + 1 / Math.log2(3));
  assertAlmostEquals(m.precision, 1 / 3, 1e-12);
  assertAlmostEquals(m.recall, 1 / 3, 1e-12);
  assertAlmostEquals(m.ndcg, ndcg1 / 2, 1e-12);
  assertAlmostEquals(m.ndcg, 0.351959, 1e-6);
  assertAlmostEquals(m.map, (5 / 3 / 3) / 2, 1e-12);
  assertEquals(m.hitRate, 0.5);
  // Distinct movies in the three top-3 lists: 10, 20, 30, 60, 80 (70 is at rank 4).
  assertEquals(m.coverage, 0.5);
  assertEquals(m.users, 2);
  assertEquals(m.usersWithoutRelevant, 1);
  assertEquals(m.usersWithoutList, 1);
  assertEquals(m.k, 3);
});

Deno.test("rankingMetrics() uses the movies in test and in the lists as default catalogue", () => {
  // Catalogue {10, 20, 30, 40, 50, 60, 80, 90}: 5 of 8 recommended.
  assertEquals(rankingMetrics(topK, test, { k: 3 }).coverage, 5 / 8);
});

Deno.test("rankingMetrics() counts only ratings at or above the threshold as relevant", () => {
  // threshold 5: user 1 → {10} (found at rank 3), user 2 has nothing relevant.
  const m = rankingMetrics(topK, test, { k: 3, threshold: 5 });
  assertEquals(m.users, 1);
  assertAlmostEquals(m.precision, 1 / 3, 1e-12);
  assertEquals(m.recall, 1);
  assertAlmostEquals(m.ndcg, 0.5, 1e-12);
  assertAlmostEquals(m.map, 1 / 3, 1e-12);
});

Deno.test("rankingMetrics() cuts lists to k and divides precision by k for short lists", () => {
  const k1 = rankingMetrics(topK, test, { k: 1 });
  assertEquals(k1.precision, 0.5); // user 1's first movie is relevant, user 2's is not
  assertEquals(k1.map, 0.5); // min(|relevant|, 1) = 1
  const short = rankingMetrics(new Map([[2, [50]]]), test, { k: 4 });
  assertEquals(short.precision, 0.25);
  assertEquals(short.recall, 1);
  assertEquals(short.ndcg, 1);
});

Deno.test("rankingMetrics() gives perfect scores to lists equal to the relevant movies", () => {
  const m = rankingMetrics(new Map([[1, [40, 10, 20]], [2, [50]], [4, [90]]]), test, { k: 3 });
  assertEquals(m.recall, 1);
  assertEquals(m.ndcg, 1);
  assertEquals(m.map, 1);
  assertEquals(m.hitRate, 1);
});

Deno.test("rankingMetrics() rejects k <= 0 and fractional k", () => {
  for (const k of [0, -1, 1.5, NaN]) {
    assertThrows(() => rankingMetrics(topK, test, { k }), RangeError, "k to be a positive integer");
  }
});

Deno.test("rankingMetrics() rejects a list that repeats a movie, naming user and movie", () => {
  assertThrows(
    () => rankingMetrics(new Map([[1, [10, 20, 10]]]), test, { k: 3 }),
    RangeError,
    "movie 10 appears twice in the top-3 list of user 1",
  );
});

Deno.test("rankingMetrics() rejects empty inputs and data with nobody to evaluate", () => {
  assertThrows(() => rankingMetrics(new Map(), test), RangeError, "at least one top-k list");
  const empty = pl.DataFrame({ userId: [], movieId: [], rating: [] });
  assertThrows(() => rankingMetrics(topK, empty), RangeError, "found an empty DataFrame");
  assertThrows(
    () => rankingMetrics(new Map([[3, [60]]]), test),
    RangeError,
    "no user has both a top-k list and a test rating >= 4",
  );
});

Deno.test("rankingMetrics() rejects bad types, NaN ratings and a too small catalogue", () => {
  // @ts-expect-error: a plain object is not a Map
  assertThrows(() => rankingMetrics({ 1: [10] }, test), TypeError, "expected topK to be a Map");
  const nan = pl.DataFrame({ userId: [1], movieId: [10], rating: [NaN] });
  assertThrows(() => rankingMetrics(topK, nan), RangeError, "found NaN");
  assertThrows(
    () => rankingMetrics(topK, test.drop("rating")),
    TypeError,
    'expected a "rating" column',
  );
  assertThrows(
    () => rankingMetrics(topK, test, { k: 3, catalogSize: 4 }),
    RangeError,
    "smaller than the 5 distinct movies",
  );
  assertThrows(
    () => rankingMetrics(new Map([[1, [10.5]]]), test),
    TypeError,
    "the list of user 1",
  );
});

Deno.test("rankingMetrics() takes NDCG's ideal and MAP's divisor over k when more are relevant", () => {
  // One user with 5 relevant movies, k = 2, the top 2 being [1, 9]: one hit at rank 1.
  const five = pl.DataFrame({
    userId: [1, 1, 1, 1, 1],
    movieId: [1, 2, 3, 4, 5],
    rating: [5, 5, 5, 5, 5],
  });
  const m = rankingMetrics(new Map([[1, [1, 9, 2]]]), five, { k: 2 });
  assertEquals(m.precision, 0.5);
  assertEquals(m.recall, 0.2); // recall divides by all 5 relevant movies, not by min(5, k)
  // Reference: sklearn 1.2.1 (Debian python3-sklearn),
  // ndcg_score([[1,1,1,1,1,0]], [[3,1,0,0,0,2]], k=2) for movies [1,2,3,4,5,9].
  assertAlmostEquals(m.ndcg, 0.6131471927654584, 1e-12);
  assertEquals(m.map, 0.5); // AP sum 1/1 over min(5, k) = 2
});

Deno.test("rankingMetrics() takes NDCG's ideal and MAP's divisor over k, not a short list's length", () => {
  // User 1's relevant movies are {10, 20, 40}; the list [20, 70] is shorter than k = 4.
  const m = rankingMetrics(new Map([[1, [20, 70]]]), test, { k: 4 });
  assertEquals(m.precision, 0.25);
  assertAlmostEquals(m.recall, 1 / 3, 1e-12);
  // By hand: DCG 1; ideal over min(3, 4) = 3 hits: 1 + 1/log2(3) + 1/2.
  assertAlmostEquals(m.ndcg, 1 / (1.5 + 1 / Math.log2(3)), 1e-12);
  assertAlmostEquals(m.map, 1 / 3, 1e-12); // AP sum 1/1 over min(3, 4) = 3
});

Deno.test("rankingMetrics() accepts a catalogSize equal to the distinct movies recommended", () => {
  // The top-3 lists recommend 10, 20, 30, 60 and 80.
  assertEquals(rankingMetrics(topK, test, { k: 3, catalogSize: 5 }).coverage, 1);
});

Deno.test("rankingMetrics() rejects a catalogSize that is not a positive integer", () => {
  for (const catalogSize of [5.5, NaN, 0]) {
    assertThrows(
      () => rankingMetrics(topK, test, { k: 3, catalogSize }),
      RangeError,
      "expected catalogSize to be a positive integer",
    );
  }
});

Deno.test("rankingMetrics() rejects a threshold that is NaN or infinite", () => {
  for (const threshold of [NaN, -Infinity]) {
    assertThrows(
      () => rankingMetrics(topK, test, { threshold }),
      RangeError,
      `rankingMetrics(): expected threshold to be a finite number, found ${threshold}`,
    );
  }
});

Deno.test("rankingMetrics() refuses a topK key that is not an integer userId", () => {
  const test = pl.DataFrame({ userId: [1, 1], movieId: [10, 20], rating: [5, 4] });
  // NaN counted as a user without a relevant movie; the text "1" matched no user, and the
  // error blamed the data ("no user has both a top-k list and a test rating >= 4").
  for (const [key, found] of [[NaN, "NaN"], ["1", "string 1"], [1.5, "1.5"]] as const) {
    assertThrows(
      () => rankingMetrics(new Map([[1, [10]], [key as number, [20]]]), test),
      key === "1" ? TypeError : RangeError,
      `rankingMetrics(): expected each userId key of topK to be an integer, found ${found}`,
    );
  }
});

Deno.test("rankingMetrics() names a threshold given as text", () => {
  // The message said "found 4" for the text "4".
  assertThrows(
    () => rankingMetrics(topK, test, { threshold: "4" as never }),
    TypeError,
    "rankingMetrics(): expected threshold to be a finite number, found string 4",
  );
});
