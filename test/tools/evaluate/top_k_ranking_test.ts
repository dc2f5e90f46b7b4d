import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { ratingsFrame } from "../../../lib/data/mod.ts";
import { rankingOf, topKLists } from "../../../tools/evaluate/top_k_ranking.ts";

const train = ratingsFrame({
  userId: [1, 1, 2, 2, 3],
  movieId: [10, 20, 10, 30, 40],
  rating: [5, 4, 3, 2, 1],
});
const test = ratingsFrame({
  userId: [1, 1, 2, 2],
  movieId: [30, 40, 20, 40],
  rating: [5, 2, 4, 5],
});

/** Scores a movie by its id: higher ids first. */
const byId = (_u: Int32Array, m: Int32Array) => Float32Array.from(m);

Deno.test("topKLists() ranks the training movies a user has not rated, best first", () => {
  const lists = topKLists(byId, train, test, { k: 3 });
  assertEquals([...lists.keys()], [1, 2]);
  assertEquals(lists.get(1), [40, 30]); // 10 and 20 were rated in training
  assertEquals(lists.get(2), [40, 20]);
});

Deno.test("topKLists() breaks ties by the lower movie id and works in small batches", () => {
  const flat = (u: Int32Array) => new Float32Array(u.length);
  const lists = topKLists(flat, train, test, { k: 1, batchPairs: 1 });
  assertEquals(lists.get(1), [30]);
  assertEquals(lists.get(2), [20]);
});

Deno.test("rankingOf() scores the lists with the relevance threshold", () => {
  const m = rankingOf(byId, train, test, { k: 1 })!;
  // User 1: top 40 (rated 2, not relevant; relevant is 30). User 2: top 40 (rated 5, relevant).
  assertEquals(m.users, 2);
  assertAlmostEquals(m.precision, 0.5, 1e-12);
  assertAlmostEquals(m.recall, 0.25, 1e-12); // user 2 has two relevant movies, 20 and 40
  assertEquals(m.coverage, 1 / 4);
});

Deno.test("rankingOf() returns null when no test rating is relevant", () => {
  const low = ratingsFrame({ userId: [1], movieId: [30], rating: [2] });
  assertEquals(rankingOf(byId, train, low), null);
});

Deno.test("topKLists() names a scorer that returns the wrong number of scores", () => {
  assertThrows(
    () => topKLists(() => new Float32Array(1), train, test),
    RangeError,
    "returned 1 scores for 8 pairs",
  );
});
