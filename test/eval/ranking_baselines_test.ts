import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { ratingsFrame } from "../../lib/data/mod.ts";
import {
  itemKnn,
  popularityScorer,
  type RankingTask,
  rankingTask,
  topKMovies,
} from "../../lib/eval/mod.ts";
import { randomTask } from "./_random_task.ts";

/** Item-kNN computed densely, straight from its definition. */
function denseKnnScores(task: RankingTask, k: number): number[][] {
  const n = task.movies.size, X = task.train;
  const rows: number[][] = Array.from({ length: X.rows }, () => new Array(n).fill(0));
  for (let u = 0; u < X.rows; u++) {
    for (let p = X.indptr[u]; p < X.indptr[u + 1]; p++) rows[u][X.indices[p]] = 1;
  }
  const count = (j: number) => rows.reduce((a, r) => a + r[j], 0);
  const cos = (i: number, j: number) => {
    const both = rows.reduce((a, r) => a + r[i] * r[j], 0);
    return both === 0 ? 0 : both / Math.sqrt(count(i) * count(j));
  };
  // S[j][i] = cos(i, j) when j is among candidate i's k most similar (ties: lower j first).
  const S: number[][] = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let i = 0; i < n; i++) {
    const order = [...Array(n).keys()].filter((j) => j !== i && cos(i, j) > 0)
      .sort((a, b) => cos(i, b) - cos(i, a) || a - b).slice(0, k);
    for (const j of order) S[j][i] = cos(i, j);
  }
  return rows.map((r) =>
    [...Array(n).keys()].map((i) => r.reduce((a, x, j) => a + x * S[j][i], 0))
  );
}

Deno.test("popularityScorer() recommends the most-rated movies a user has not seen", () => {
  const train = ratingsFrame({
    userId: [1, 2, 2, 3, 3, 3],
    movieId: [10, 10, 20, 10, 20, 30],
    rating: [1, 2, 3, 4, 5, 1],
  });
  const test = ratingsFrame({ userId: [1], movieId: [40], rating: [4] });
  const task = rankingTask(train, test);
  assertEquals([...topKMovies(task, popularityScorer(task), { k: 3 }).get(1)!], [20, 30, 40]);
});

for (const k of [1, 3, 50]) {
  Deno.test(`itemKnn() gives the scores of the dense definition (k = ${k})`, () => {
    const task = randomTask(25, 12, 0.3, k);
    const dense = denseKnnScores(task, k);
    const rows = Int32Array.from({ length: task.users.size }, (_, u) => u);
    const sparse = itemKnn(task, { neighbours: k }).scorer(rows);
    const n = task.movies.size;
    for (let u = 0; u < rows.length; u++) {
      for (let i = 0; i < n; i++) assertAlmostEquals(sparse[u * n + i], dense[u][i], 1e-9);
    }
  });
}

Deno.test("itemKnn().similar() lists a movie's neighbours by cosine, most similar first", () => {
  // 10 and 20 share two users; 30 shares one with each.
  const train = ratingsFrame({
    userId: [1, 1, 2, 2, 2, 3],
    movieId: [10, 20, 10, 20, 30, 10],
    rating: [5, 5, 4, 4, 1, 3],
  });
  const task = rankingTask(train, ratingsFrame({ userId: [3], movieId: [20], rating: [4] }));
  const knn = itemKnn(task, { neighbours: 2 });
  const near = knn.similar(20);
  assertEquals(near.map((e) => e.movieId), [10, 30]);
  assertAlmostEquals(near[0].similarity, 2 / Math.sqrt(3 * 2), 1e-12);
  assertAlmostEquals(near[1].similarity, 1 / Math.sqrt(2), 1e-12);
  assertEquals(knn.similar(20, 1).length, 1);
  assertThrows(() => knn.similar(99), RangeError, "unknown movie id 99");
});

Deno.test("itemKnn() checks its options and its task", () => {
  const task = randomTask(5, 4, 0.5, 1);
  assertThrows(() => itemKnn(task, { neighbours: 0 }), RangeError, "neighbours");
  assertThrows(() => itemKnn({} as RankingTask), TypeError, "expected a RankingTask");
  assertThrows(() => popularityScorer(null as never), TypeError, "expected a RankingTask");
});

Deno.test("popularityScorer() gives every user row of a batch the training counts", () => {
  const train = ratingsFrame({ userId: [1, 2, 2], movieId: [10, 10, 20], rating: [1, 2, 3] });
  const test = ratingsFrame({ userId: [1, 2], movieId: [20, 30], rating: [4, 4] });
  const task = rankingTask(train, test); // catalogue 10, 20, 30; counts 2, 1, 0
  assertEquals(Array.from(popularityScorer(task)(Int32Array.of(0, 1))), [2, 1, 0, 2, 1, 0]);
});

Deno.test("itemKnn() keeps exactly `neighbours` of tied neighbours, lower movie column first", () => {
  // 10 is watched with 20, 30 and 40 by one user each: cos = 1 / sqrt(3 · 1) for all three.
  const train = ratingsFrame({
    userId: [1, 1, 2, 2, 3, 3],
    movieId: [10, 20, 10, 30, 10, 40],
    rating: [5, 5, 5, 5, 5, 5],
  });
  const task = rankingTask(train, ratingsFrame({ userId: [1], movieId: [30], rating: [4] }));
  const near = itemKnn(task, { neighbours: 2 }).similar(10, 5);
  assertEquals(near.map((e) => e.movieId), [20, 30]);
  for (const e of near) assertAlmostEquals(e.similarity, 1 / Math.sqrt(3), 1e-12);
  const all = itemKnn(task, { neighbours: 3 }).similar(10);
  assertEquals(all.map((e) => e.movieId), [20, 30, 40]); // ties listed by movie column
});

Deno.test("itemKnn() defaults to 200 neighbours", () => {
  assertEquals(itemKnn(randomTask(10, 5, 0.4, 1)).neighbours, 200);
});

Deno.test("itemKnn() gives the scores of the dense definition on larger catalogues and every k", () => {
  // Many neighbourhood sizes and catalogues, so the selection of the k-th largest similarity
  // meets every shape of partition (ties, the k-th at either end).
  for (const seed of [2, 3, 4, 5, 6]) {
    const task = randomTask(30, 24, 0.35, seed);
    const rows = Int32Array.from({ length: task.users.size }, (_, u) => u);
    const n = task.movies.size;
    for (const k of [2, 4, 5, 7, 10]) {
      const dense = denseKnnScores(task, k);
      const sparse = itemKnn(task, { neighbours: k }).scorer(rows);
      for (let u = 0; u < rows.length; u++) {
        for (let i = 0; i < n; i++) {
          assertAlmostEquals(sparse[u * n + i], dense[u][i], 1e-9, `seed ${seed}, k ${k}`);
        }
      }
    }
  }
});

Deno.test("itemKnn().similar() refuses a count that is not a positive integer", () => {
  const train = ratingsFrame({
    userId: [1, 1, 2, 2, 2, 3],
    movieId: [10, 20, 10, 20, 30, 10],
    rating: [5, 5, 4, 4, 1, 3],
  });
  const knn = itemKnn(
    rankingTask(train, ratingsFrame({ userId: [3], movieId: [20], rating: [4] })),
  );
  assertEquals(knn.similar(10).length, 2);
  // -1 gave every neighbour but the last (slice(0, -1)); NaN gave none.
  for (const n of [0, -1, 1.5, NaN]) {
    assertThrows(
      () => knn.similar(10, n),
      RangeError,
      `ItemKnn.similar(): expected n to be a positive integer, found ${n}`,
    );
  }
});
