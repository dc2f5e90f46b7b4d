import pl from "nodejs-polars";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { IdEncoder, ratingsFrame } from "../../lib/data/mod.ts";
import {
  type CatalogueScorer,
  ease,
  evaluateRanking,
  interactionMatrix,
  itemKnn,
  rankingTask,
  topKMovies,
} from "../../lib/eval/mod.ts";

/** A scorer giving every user the same scores, one per catalogue movie. */
function fixedScores(scores: number[]): CatalogueScorer {
  return (rows) =>
    Float64Array.from({ length: rows.length * scores.length }, (_, i) => scores[i % scores.length]);
}

// Catalogue 10…60 (6 movies). User 1 trained on 10, 20; tests 30, 40, 50 (every one relevant,
// whatever the stars). User 2 trained on 10; tests 60.
const train = ratingsFrame({ userId: [1, 1, 2], movieId: [10, 20, 10], rating: [5, 1, 4] });
const test = ratingsFrame({
  userId: [1, 1, 1, 2],
  movieId: [30, 40, 50, 60],
  rating: [1, 2, 5, 3],
});

Deno.test("rankingTask() makes every rating a positive and the catalogue every movie", () => {
  const task = rankingTask(train, test);
  assertEquals([...task.movies.ids], [10, 20, 30, 40, 50, 60]);
  assertEquals([...task.train.indptr], [0, 2, 3]);
  assertEquals([...task.test.indices], [2, 3, 4, 5]);
  assertEquals([...task.movieCounts], [2, 1, 0, 0, 0, 0]);
  assertEquals([...task.evaluated], [0, 1]);
  assertEquals(task.skipped, { withoutTraining: 0, withoutTest: 0, onlyRepeats: 0 });
});

Deno.test("evaluateRanking() matches hand-computed precision, recall, NDCG and MAP at 3", () => {
  const task = rankingTask(train, test);
  // Scores favour 60, 40, 10, 30, 20, 50: user 1 (10, 20 seen) gets [60, 40, 30]; user 2 (10
  // seen) gets [60, 40, 30].
  const scorer = fixedScores([4, 2, 3, 5, 1, 6]);
  const lists = topKMovies(task, scorer, { k: 3 });
  assertEquals([...lists.get(1)!], [60, 40, 30]);
  assertEquals([...lists.get(2)!], [60, 40, 30]);
  const r = evaluateRanking(task, scorer, { k: 3 });
  // User 1: hits at ranks 2 and 3 of 3 relevant: P 2/3, R 2/3,
  //   DCG 1/log2(3) + 1/2, IDCG 1 + 1/log2(3) + 1/2, AP (1/2 + 2/3) / 3.
  // User 2: hit at rank 1 of 1 relevant: P 1/3, R 1, NDCG 1, AP 1.
  const ndcg1 = (1 / Math.log2(3) + 0.5) / (1 + 1 / Math.log2(3) + 0.5);
  assertAlmostEquals(r.precision, (2 / 3 + 1 / 3) / 2, 1e-12);
  assertAlmostEquals(r.recall, (2 / 3 + 1) / 2, 1e-12);
  assertAlmostEquals(r.ndcg, (ndcg1 + 1) / 2, 1e-12);
  assertAlmostEquals(r.map, ((0.5 + 2 / 3) / 3 + 1) / 2, 1e-12);
  assertAlmostEquals(r.coverage, 3 / 6, 1e-12);
  assertAlmostEquals(r.popularity, 0, 1e-12); // none of 30, 40, 60 was rated in training
  assertEquals([r.users, r.catalogue, r.k], [2, 6, 3]);
});

Deno.test("a user with no training rating is skipped and counted", () => {
  const withCold = ratingsFrame({ userId: [1, 3], movieId: [30, 20], rating: [4, 4] });
  const task = rankingTask(train, withCold);
  assertEquals(task.skipped, { withoutTraining: 1, withoutTest: 1, onlyRepeats: 0 });
  const r = evaluateRanking(task, fixedScores([1, 2, 3])); // catalogue 10, 20, 30
  assertEquals(r.users, 1);
  assertEquals(r.skipped.withoutTraining, 1);
});

Deno.test("a user with an empty test part is not evaluated, and is counted", () => {
  const onlyUser1 = ratingsFrame({ userId: [1], movieId: [30], rating: [4] });
  const task = rankingTask(train, onlyUser1);
  assertEquals([...task.evaluated], [0]);
  assertEquals(task.skipped.withoutTest, 1);
});

Deno.test("a test movie the user also rated in training is not relevant", () => {
  // User 2 rated 10 in training and again in the test part: nothing left to find.
  const repeat = ratingsFrame({ userId: [1, 2], movieId: [30, 10], rating: [4, 4] });
  const task = rankingTask(train, repeat);
  assertEquals(task.repeatedTestRatings, 1);
  assertEquals(task.skipped.onlyRepeats, 1);
  assertEquals(evaluateRanking(task, fixedScores([1, 2, 3])).users, 1); // catalogue 10, 20, 30
});

Deno.test("k larger than the candidates gives the whole list and still divides precision by k", () => {
  const task = rankingTask(train, test);
  const r = evaluateRanking(task, fixedScores([1, 2, 3, 4, 5, 6]), { k: 50 });
  // User 1 has 4 candidates, all listed, 3 of them relevant; user 2 has 5, 1 relevant.
  assertEquals([...topKMovies(task, fixedScores([1, 2, 3, 4, 5, 6]), { k: 50 }).get(1)!], [
    60,
    50,
    40,
    30,
  ]);
  assertAlmostEquals(r.precision, (3 / 50 + 1 / 50) / 2, 1e-12);
  assertAlmostEquals(r.recall, 1, 1e-12);
  assertEquals(Number.isFinite(r.ndcg) && Number.isFinite(r.map), true);
});

Deno.test("no user to evaluate is an error that says why, not a NaN", () => {
  const cold = ratingsFrame({ userId: [7], movieId: [10], rating: [4] });
  assertThrows(
    () => rankingTask(train, cold),
    RangeError,
    "no user has both a training rating and a test movie outside their training movies (1 test user without training ratings",
  );
});

Deno.test("topKMovies() refuses a scorer returning NaN or the wrong number of scores", () => {
  const task = rankingTask(train, test);
  assertThrows(
    () => topKMovies(task, fixedScores([1, 2, NaN, 4, 5, 6])),
    RangeError,
    "the scorer returned NaN for user 1 and movie 30",
  );
  assertThrows(
    () => topKMovies(task, () => new Float32Array(3)),
    RangeError,
    "expected the scorer to return 2 × 6 scores, found 3",
  );
  assertThrows(() => topKMovies(task, fixedScores([1]), { k: 0 }), RangeError, "positive integer");
});

Deno.test("evaluateRanking() given a model instead of its scorer names itself and says to pass .scorer", () => {
  const task = rankingTask(train, test);
  const pass = " with a scorer field (as ease() and itemKnn() return): pass that field, e.g. " +
    "ease(task).scorer";
  assertThrows(
    () => evaluateRanking(task, ease(task) as never),
    TypeError,
    "evaluateRanking(): expected a scorer function ((userRows) => scores), found an object " +
      `(Object)${pass}`,
  );
  assertThrows(
    () => topKMovies(task, itemKnn(task) as never),
    TypeError,
    `topKMovies(): expected a scorer function ((userRows) => scores), found an object (Object)${pass}`,
  );
  assertThrows(
    () => evaluateRanking(task, { scores: [1] } as never),
    TypeError,
    "evaluateRanking(): expected a scorer function ((userRows) => scores), found an object " +
      "(Object)",
  );
});

Deno.test("topKMovies() and the baselines name themselves and the role of an unknown id", () => {
  const task = rankingTask(train, test);
  assertThrows(
    () => topKMovies(task, fixedScores([1, 2, 3, 4, 5, 6]), { userIds: [1, 7] }),
    RangeError,
    "topKMovies(): userIds: unknown user id 7 at position 1 (1 of the 2 user ids given is not " +
      "among the 2 user ids the encoder was fitted on)",
  );
  assertThrows(
    () => ease(task).weight(10, 99),
    RangeError,
    "Ease.weight(): unknown movie id 99 at position 1",
  );
  assertThrows(
    () => itemKnn(task).similar(99),
    RangeError,
    "ItemKnn.similar(): unknown movie id 99 (",
  );
  const unnamed = IdEncoder.fit([1]);
  assertThrows(
    () => rankingTask(train, test, { users: unnamed }),
    RangeError,
    "rankingTask(): train: unknown user id 2 in row 2 (1 of its 3 rows has a user id not among " +
      "the 1 user ids the encoder was fitted on)",
  );
});

Deno.test("rankingTask() uses given encoders and names an id they do not know", () => {
  const users = IdEncoder.fit([1, 2], { name: "user" });
  const movies = IdEncoder.fit([10, 20, 30, 40, 50, 60, 70], { name: "movie" });
  assertEquals(rankingTask(train, test, { users, movies }).movies.size, 7);
  const small = IdEncoder.fit([10, 20], { name: "movie" });
  assertThrows(
    () => rankingTask(train, test, { users, movies: small }),
    RangeError,
    "unknown movie id 30",
  );
  assertThrows(
    () => rankingTask(train, test, { users: [1, 2] as never }),
    TypeError,
    "expected options.users to be an IdEncoder",
  );
});

Deno.test("interactionMatrix() sorts rows, merges repeats and checks its input", () => {
  const m = interactionMatrix([0, 0, 0, 2], [3, 1, 3, 0], 3, 4);
  assertEquals([...m.indptr], [0, 2, 2, 3]);
  assertEquals([...m.indices], [1, 3, 0]);
  assertThrows(() => interactionMatrix([5], [0], 3, 4), RangeError, "expected user rows in 0..2");
  assertThrows(() => interactionMatrix([0], [0, 1], 3, 4), RangeError, "as many movie columns");
});

Deno.test("interactionMatrix() rejects rows and columns outside the matrix or not integers", () => {
  for (
    const [rows, cols, message] of [
      [[3], [0], "expected user rows in 0..2, found 3 at 0"],
      [[-1], [0], "expected user rows in 0..2, found -1 at 0"],
      [[0], [4], "expected movie columns in 0..3, found 4 at 0"],
      [[0], [-1], "expected movie columns in 0..3, found -1 at 0"],
      [[0], [1.5], "expected movie columns in 0..3, found 1.5 at 0"],
    ] as const
  ) {
    assertThrows(() => interactionMatrix(rows, cols, 3, 4), RangeError, message);
  }
});

Deno.test("rankingTask() finds a repeated test movie anywhere in a longer training row", () => {
  // User 1 trained on 10, 20, 30 and tests 30 (a repeat, last in the sorted row) and 40.
  const tr = ratingsFrame({ userId: [1, 1, 1], movieId: [10, 20, 30], rating: [5, 4, 3] });
  const te = ratingsFrame({ userId: [1, 1], movieId: [30, 40], rating: [4, 4] });
  const task = rankingTask(tr, te);
  assertEquals(task.repeatedTestRatings, 1);
  assertEquals([...task.test.indices], [3]); // only 40 is relevant
});

Deno.test("rankingTask() does not count an encoder's user without any rating as withoutTest", () => {
  const users = IdEncoder.fit([1, 2, 9], { name: "user" }); // user 9 rated nothing
  const task = rankingTask(train, test, { users });
  assertEquals(task.skipped, { withoutTraining: 0, withoutTest: 0, onlyRepeats: 0 });
});

Deno.test("topKMovies() leaves out only each user's own training movies", () => {
  const task = rankingTask(train, test);
  // Scores favour 20, which user 1 rated in training and user 2 did not.
  const lists = topKMovies(task, fixedScores([1, 6, 2, 3, 4, 5]), { k: 3 });
  assertEquals([...lists.get(1)!], [60, 50, 40]);
  assertEquals([...lists.get(2)!], [20, 60, 50]);
});

Deno.test("topKMovies() refuses NaN for the first movie, too many scores and a bad scorer", () => {
  const task = rankingTask(train, test);
  assertThrows(
    () => topKMovies(task, fixedScores([NaN, 2, 3, 4, 5, 6])),
    RangeError,
    "the scorer returned NaN for user 1 and movie 10",
  );
  assertThrows(
    () => topKMovies(task, () => new Float32Array(13)),
    RangeError,
    "expected the scorer to return 2 × 6 scores, found 13",
  );
  assertThrows(
    () => topKMovies(task, "scores" as never),
    TypeError,
    "topKMovies(): expected a scorer function ((userRows) => scores), found string scores",
  );
});

Deno.test("topKMovies() rejects a batchUsers that is not a positive integer", () => {
  const task = rankingTask(train, test);
  for (const batchUsers of [1.5, NaN]) {
    assertThrows(
      () => topKMovies(task, fixedScores([1, 2, 3, 4, 5, 6]), { batchUsers }),
      RangeError,
      "expected batchUsers to be a positive integer",
    );
  }
});

Deno.test("evaluateRanking() averages popularity over the slots of lists shorter than k", () => {
  const task = rankingTask(train, test); // training counts: 10 → 2, 20 → 1, others 0
  const r = evaluateRanking(task, fixedScores([1, 2, 3, 4, 5, 6]), { k: 50 });
  // User 1 gets [60, 50, 40, 30] (4 slots, 0 ratings); user 2 [60, 50, 40, 30, 20] (5 slots,
  // 1 rating, of 20): 1 / 9 by hand.
  assertAlmostEquals(r.popularity, 1 / 9, 1e-12);
});

Deno.test("evaluateRanking() names itself for a bad k, and both name a task that is not one", () => {
  const train = ratingsFrame({ userId: [1, 2], movieId: [10, 20], rating: [5, 4] });
  const test = ratingsFrame({ userId: [1], movieId: [20], rating: [4] });
  const task = rankingTask(train, test);
  const scorer = (rows: Int32Array) => new Float32Array(rows.length * task.movies.size);
  for (const k of [0, -1, 1.5, NaN]) {
    assertThrows(
      () => evaluateRanking(task, scorer, { k }),
      RangeError,
      `evaluateRanking(): expected k to be a positive integer, found ${k}`,
    );
  }
  // {} failed inside with "Cannot read properties of undefined (reading 'size')".
  for (const [name, run] of [["topKMovies", topKMovies], ["evaluateRanking", evaluateRanking]]) {
    assertThrows(
      () => (run as typeof topKMovies)({} as never, scorer),
      TypeError,
      `${name}(): expected a RankingTask (rankingTask()), found an object (Object)`,
    );
  }
  assertThrows(
    () => interactionMatrix(undefined as never, [0], 2, 1),
    TypeError,
    "interactionMatrix(): expected user rows and movie columns as arrays of numbers, found undefined",
  );
});

Deno.test("rankingTask() refuses an id outside 32 bits instead of calling it unknown", () => {
  // The encoder kept 3e9 as −1,294,967,296, then said 'unknown user id 3000000000'.
  const big = pl.DataFrame({ userId: [3_000_000_000, 1], movieId: [10, 20] });
  assertThrows(
    () => rankingTask(big, big),
    RangeError,
    'rankingTask() (train): expected 32-bit integer ids in "userId", found 3000000000 at row 0',
  );
});
