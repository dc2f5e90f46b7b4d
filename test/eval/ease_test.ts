import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { ratingsFrame } from "../../lib/data/mod.ts";
import { ease, invertSpd, rankingTask, topKMovies } from "../../lib/eval/mod.ts";
import { randomSpd } from "./_random_spd.ts";
import { randomTask } from "./_random_task.ts";

/** Solves a x = b by Gaussian elimination with partial pivoting (a and b are copied). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i][k]) > Math.abs(m[p][k])) p = i;
    [m[k], m[p]] = [m[p], m[k]];
    for (let i = k + 1; i < n; i++) {
      const f = m[i][k] / m[k][k];
      for (let j = k; j <= n; j++) m[i][j] -= f * m[k][j];
    }
  }
  const x = new Array(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i][n];
    for (let j = i + 1; j < n; j++) s -= m[i][j] * x[j];
    x[i] = s / m[i][i];
  }
  return x;
}

Deno.test("invertSpd() returns the inverse of a symmetric positive-definite matrix", () => {
  // Within one block of pivots, and over three (64, 64 and a part block of 22).
  for (const n of [7, 150]) {
    const a = randomSpd(n, n);
    const inverse = a.slice();
    invertSpd(inverse, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * inverse[k * n + j];
        assertAlmostEquals(s, i === j ? 1 : 0, 1e-9, `n ${n}, (${i}, ${j})`);
        assertEquals(inverse[i * n + j], inverse[j * n + i], "the inverse is symmetric");
      }
    }
  }
});

Deno.test("invertSpd() names the row where a matrix turns out not to be positive definite", () => {
  assertThrows(
    () => invertSpd(Float64Array.of(1, 2, 2, 1), 2),
    RangeError,
    "found pivot -3 at row 1",
  );
  // In a later block: the identity but for a negative entry at row 100.
  const n = 130;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = i === 100 ? -1 : 1;
  assertThrows(() => invertSpd(a, n), RangeError, "found pivot -1 at row 100");
});

Deno.test("ease() weights equal a ridge regression of each movie on every other movie", () => {
  // B's column j is argmin ‖X_j − X_{−j} b‖² + λ‖b‖², solved here one column at a time.
  const task = randomTask(40, 8, 0.3, 11);
  const lambda = 2.5;
  const model = ease(task, { lambda });
  const n = task.movies.size, X = task.train;
  const dense = Array.from({ length: X.rows }, () => new Array(n).fill(0));
  for (let u = 0; u < X.rows; u++) {
    for (let p = X.indptr[u]; p < X.indptr[u + 1]; p++) dense[u][X.indices[p]] = 1;
  }
  assertEquals(model.modelled.length, n, "every movie of this task has a training rating");
  const ids = task.movies.ids;
  for (let j = 0; j < n; j++) {
    const others = [...Array(n).keys()].filter((i) => i !== j);
    const gram = others.map((a) =>
      others.map((b) => dense.reduce((s, row) => s + row[a] * row[b], 0) + (a === b ? lambda : 0))
    );
    const rhs = others.map((a) => dense.reduce((s, row) => s + row[a] * row[j], 0));
    const b = solve(gram, rhs);
    others.forEach((i, k) => assertAlmostEquals(model.weight(ids[i], ids[j]), b[k], 1e-9));
    assertEquals(model.weight(ids[j], ids[j]), 0);
  }
});

Deno.test("ease() scores a user's candidates by the summed weights of the movies they watched", () => {
  const task = randomTask(30, 6, 0.35, 5);
  const model = ease(task, { lambda: 1 });
  const ids = task.movies.ids, X = task.train;
  const u = task.evaluated[0];
  const scores = model.scorer(Int32Array.of(u));
  for (let j = 0; j < ids.length; j++) {
    let expected = 0;
    for (let p = X.indptr[u]; p < X.indptr[u + 1]; p++) {
      expected += model.weight(ids[X.indices[p]], ids[j]);
    }
    assertAlmostEquals(scores[j], expected, 1e-12);
  }
});

/** Training ratings where movie 10 is watched by 4 users, 20 by 3, 30 by 2 and 40 by 1. */
function capped() {
  return ratingsFrame({
    userId: [1, 1, 1, 1, 2, 2, 2, 3, 3, 4],
    movieId: [10, 20, 30, 40, 10, 20, 30, 10, 20, 10],
    rating: [4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
  });
}

Deno.test("ease() models only the most-watched movies under a cap and ranks the rest last", () => {
  // Movie 10 is watched by 4 users, 20 by 3, 30 by 2, 40 by 1; movie 50 only in the test part.
  const train = capped();
  const test = ratingsFrame({ userId: [4, 4], movieId: [40, 50], rating: [4, 4] });
  const task = rankingTask(train, test);
  const model = ease(task, { lambda: 0.5, maxMovies: 2 });
  assertEquals([...model.modelled].map((c) => task.movies.ids[c]), [10, 20]);
  assertEquals(model.weight(30, 10), 0);
  // User 4 watched 10: 20 is modelled and comes first; 30, 40 and 50 follow, filling the list.
  const list = topKMovies(task, model.scorer, { k: 10 }).get(4)!;
  assertEquals(list[0], 20);
  assertEquals([...list].sort(), [20, 30, 40, 50]);
  // Without the cap, a movie nobody watched in training is still not modelled.
  assertEquals(ease(task, { lambda: 0.5 }).modelled.length, 4);
});

Deno.test("ease() rejects a penalty or a cap that cannot be used, naming it", () => {
  const task = randomTask(10, 5, 0.4, 1);
  for (const lambda of [0, -1, NaN, Infinity]) {
    assertThrows(
      () => ease(task, { lambda }),
      RangeError,
      `ease(): expected lambda to be a finite number > 0, found ${lambda}`,
    );
  }
  assertThrows(
    () => ease(task, { lambda: "1" as unknown as number }),
    TypeError,
    "ease(): expected lambda to be a finite number > 0, found string 1",
  );
  assertThrows(() => ease(task, { maxMovies: 0 }), RangeError, "maxMovies");
  assertThrows(() => ease(task, { maxMovies: 1.5 }), RangeError, "maxMovies");
  assertThrows(() => ease({} as never), TypeError, "expected a RankingTask");
});

Deno.test("ease() under a cap models the lower movie columns among equally watched movies", () => {
  // 10 is watched by 3 users; 20, 30 and 40 by 2 each: a cap of 3 keeps 10, then 20 and 30.
  const train = ratingsFrame({
    userId: [1, 1, 1, 2, 2, 2, 3, 3, 3],
    movieId: [10, 20, 30, 10, 20, 40, 10, 30, 40],
    rating: [4, 4, 4, 4, 4, 4, 4, 4, 4],
  });
  const test = ratingsFrame({ userId: [1], movieId: [40], rating: [4] });
  const task = rankingTask(train, test);
  const model = ease(task, { lambda: 1, maxMovies: 3 });
  assertEquals([...model.modelled].map((c) => task.movies.ids[c]), [10, 20, 30]);
});

Deno.test("ease() scores users who watched unmodelled movies, and each row of a batch alone", () => {
  // Under a cap of 2 (10 and 20), user 1 also watched 30 and 40, which are not modelled.
  const train = capped();
  const test = ratingsFrame({ userId: [1, 4], movieId: [50, 40], rating: [4, 4] });
  const task = rankingTask(train, test);
  const model = ease(task, { lambda: 0.5, maxMovies: 2 });
  const n = task.movies.size, rows = Int32Array.from({ length: task.users.size }, (_, u) => u);
  const batch = model.scorer(rows);
  for (const u of rows) {
    const alone = model.scorer(Int32Array.of(u));
    for (let j = 0; j < n; j++) {
      assert(Number.isFinite(batch[u * n + j]), `user row ${u}, movie column ${j}`);
      assertEquals(batch[u * n + j], alone[j]);
    }
  }
  // User 1 (row 0) watched both modelled movies: their scores are B[10, j] + B[20, j].
  for (const [c, id] of [[0, 10], [1, 20]] as const) {
    assertAlmostEquals(batch[c], model.weight(10, id) + model.weight(20, id), 1e-12);
  }
});

Deno.test("ease() defaults to lambda 200", () => {
  assertEquals(ease(randomTask(10, 5, 0.4, 1)).lambda, 200);
});
