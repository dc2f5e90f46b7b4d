import pl from "nodejs-polars";
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  buildModel,
  predictRatings,
  recommend,
  topKForUsers,
  train,
} from "../../lib/models/mod.ts";
import { movieId, syntheticMovies, syntheticRatings, userId } from "./_fixtures.ts";

const ratings = syntheticRatings({ users: 12, movies: 16, perUser: 8 });
const rec = buildModel("dot-bias", {
  ratings,
  catalog: syntheticMovies(),
  factors: 3,
  learningRate: 0.02,
});
await train(rec, ratings, { epochs: 5, verbose: 0 });

const seenBy = (u: number) => {
  const rows = ratings.filter(pl.col("userId").eq(u));
  return new Set(rows.getColumn("movieId").toArray() as number[]);
};

Deno.test("recommend() ranks the unseen movies by predicted rating, with titles and counts", () => {
  const u = userId(2);
  const top = recommend(rec, u, { k: 5, exclude: ratings });
  assertEquals(top.columns, ["movieId", "title", "genres", "score", "count"]);
  assertEquals(top.height, 5);
  const ids = top.getColumn("movieId").toArray() as number[];
  const scores = top.getColumn("score").toArray() as number[];
  for (const id of ids) assert(!seenBy(u).has(id), `movie ${id} was seen`);
  for (let i = 1; i < scores.length; i++) assert(scores[i - 1] >= scores[i]);
  // the scores are the model's predictions, and no unseen movie scores higher than the 5th.
  const all = predictRatings(rec, {
    userIds: rec.movies.ids.map(() => u),
    movieIds: rec.movies.ids,
  });
  const unseen = Array.from(rec.movies.ids).map((id, j) => [id, all[j]]).filter(([id]) =>
    !seenBy(u).has(id)
  );
  const best = unseen.sort((a, b) => b[1] - a[1]).slice(0, 5).map(([id]) => id);
  assertEquals(ids, best);
  assertEquals(
    top.getColumn("title").toArray()[0],
    `Movie ${(ids[0] - 1000) / 3} (${1950 + (ids[0] - 1000)})`,
  );
  assertEquals(top.getColumn("count").toArray().every((c) => typeof c === "number"), true);
});

Deno.test("recommend() keeps only movies with enough ratings", () => {
  const top = recommend(rec, userId(0), { k: 16, exclude: ratings, minRatings: 7 });
  const counts = top.getColumn("count").toArray() as number[];
  assert(counts.length > 0);
  for (const c of counts) assert(c >= 7);
});

Deno.test("recommend() falls back to popularity for a new user only when asked", () => {
  assertThrows(
    () => recommend(rec, 31337, { exclude: ratings }),
    RangeError,
    "unknown user id 31337",
  );
  const top = recommend(rec, 31337, { k: 3, exclude: ratings, fallback: "popularity" });
  const counts = top.getColumn("count").toArray() as number[];
  assertEquals(top.getColumn("score").toArray(), counts);
  const most = Math.max(...Array.from(rec.movieCounts!));
  assertEquals(counts[0], most);
});

Deno.test("recommend() treats a known user without a rating in exclude or ratings as new", () => {
  // The encoders know userId(3), but the ratings given hold none of theirs (an encoder fitted on
  // every rating, a model trained on a split): their embedding row learnt nothing.
  const u = userId(3);
  const part = ratings.filter(pl.col("userId").neq(u));
  for (
    const [options, where] of [
      [{ exclude: part }, "options.exclude"],
      [{ exclude: part, ratings: part }, "options.exclude"],
      [{ excludeSeen: false, ratings: part }, "options.ratings"],
    ] as const
  ) {
    assertThrows(
      () => recommend(rec, u, options),
      RangeError,
      `recommend(): user ${u} has no rating in ${where}`,
    );
  }
  const top = recommend(rec, u, { k: 3, exclude: part, ratings: part, fallback: "popularity" });
  const counts = top.getColumn("count").toArray() as number[];
  assertEquals(top.getColumn("score").toArray(), counts);
  const inPart = new Map<number, number>();
  for (const id of part.getColumn("movieId").toArray() as number[]) {
    inPart.set(id, (inPart.get(id) ?? 0) + 1);
  }
  assertEquals(counts[0], Math.max(...inPart.values()));
  // Their ratings in either frame are enough: the model's own list, as before.
  const own = recommend(rec, u, { k: 3, exclude: ratings });
  assertEquals(
    recommend(rec, u, { k: 3, exclude: ratings, ratings: part }).getColumn("movieId")
      .toArray(),
    own.getColumn("movieId").toArray(),
  );
  // Without any ratings there is nothing to tell: the model's list.
  assertEquals(recommend(rec, u, { k: 3, excludeSeen: false }).height, 3);
});

Deno.test("recommend() rejects bad input with errors that name it", () => {
  assertThrows(
    () => recommend(rec, userId(0), { k: 0, exclude: ratings }),
    RangeError,
    "k to be a positive integer, found 0",
  );
  assertThrows(
    () => recommend(rec, userId(0), { k: -3, exclude: ratings }),
    RangeError,
    "found -3",
  );
  assertThrows(() => recommend(rec, userId(0)), TypeError, "pass options.exclude");
  assertThrows(
    () => recommend(rec, userId(0), { exclude: [] as unknown as pl.DataFrame }),
    TypeError,
    "exclude to be a DataFrame",
  );
  const bare = buildModel("dot", { users: rec.users, movies: rec.movies });
  assertThrows(
    () => recommend(bare, userId(0), { excludeSeen: false, minRatings: 3 }),
    TypeError,
    "minRatings needs rating counts",
  );
});

Deno.test("topKForUsers() gives each user the same list as recommend()", () => {
  const users = [userId(0), userId(5), userId(11)];
  const lists = topKForUsers(rec, users, { k: 4, exclude: ratings, batchSize: 20 });
  assertEquals([...lists.keys()], users);
  for (const u of users) {
    const one = recommend(rec, u, { k: 4, exclude: ratings }).getColumn("movieId").toArray();
    assertEquals(lists.get(u), one);
  }
  assertThrows(() => topKForUsers(rec, [userId(0), 5], { k: 2 }), RangeError, "unknown user id 5");
  assertThrows(() => topKForUsers(rec, users, { k: 0 }), RangeError, "k to be a positive integer");
});

Deno.test("topKForUsers() without exclusions may return seen movies", () => {
  const lists = topKForUsers(rec, [userId(1)], { k: 16 });
  assertEquals(lists.get(userId(1))!.length, 16);
  assertEquals(new Set(lists.get(userId(1))).size, 16);
  assert(lists.get(userId(1))!.includes(movieId(0)));
});
