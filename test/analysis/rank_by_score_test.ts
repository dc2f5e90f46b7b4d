import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { rankByScore, type ScoreTable } from "../../lib/analysis/mod.ts";

const bias: ScoreTable = {
  ids: Int32Array.of(10, 20, 30, 40, 50),
  values: Float32Array.of(0.5, -1, 0.5, 2, 0),
  titles: ["A", "B", "C", "D", "E"],
};

Deno.test("rankByScore() lists the highest scores first by default, ties by increasing id", () => {
  const rows = rankByScore(bias, { n: 3 });
  assertEquals(rows.map((r) => r.movieId), [40, 10, 30]);
  assertEquals(rows.map((r) => r.rank), [1, 2, 3]);
  assertEquals(rows[0], { rank: 1, movieId: 40, title: "D", score: 2 });
});

Deno.test("rankByScore() lists the lowest scores first with order asc", () => {
  const rows = rankByScore(bias, { n: 2, order: "asc" });
  assertEquals(rows.map((r) => r.title), ["B", "E"]);
  assertAlmostEquals(rows[0].score, -1, 1e-7);
});

Deno.test("rankByScore() ranks only the ids in among (e.g. the most-rated movies)", () => {
  const rows = rankByScore(bias, { among: [20, 30, 50], n: 10 });
  assertEquals(rows.map((r) => r.movieId), [30, 50, 20]);
});

Deno.test("rankByScore() omits titles when the table has none", () => {
  const rows = rankByScore({ ids: bias.ids, values: bias.values }, { n: 1 });
  assertEquals(rows, [{ rank: 1, movieId: 40, score: 2 }]);
});

Deno.test("rankByScore() rejects unknown ids in among, n <= 0 and a bad order", () => {
  assertThrows(() => rankByScore(bias, { among: [10, 99] }), RangeError, "unknown id 99");
  assertThrows(() => rankByScore(bias, { among: [] }), RangeError, "at least one id in among");
  assertThrows(
    () => rankByScore(bias, { n: 0 }),
    RangeError,
    "n to be a positive integer, found 0",
  );
  // @ts-expect-error: not a known order
  assertThrows(() => rankByScore(bias, { order: "up" }), RangeError, 'found "up"');
});

Deno.test("rankByScore() rejects NaN scores and mismatched lengths", () => {
  const nan = { ids: Int32Array.of(1, 2), values: Float32Array.of(1, NaN) };
  assertThrows(() => rankByScore(nan), RangeError, "found NaN at position 1");
  const ragged = { ids: Int32Array.of(1, 2), values: Float32Array.of(1) };
  assertThrows(() => rankByScore(ragged), RangeError, "one value per id (2), found 1");
});

Deno.test("rankByScore() lists an id repeated in among once", () => {
  // e.g. among = the movieId column of some ratings, where a movie appears once per rating
  const rows = rankByScore(bias, { among: [40, 40, 10, 40, 10] });
  assertEquals(rows.map((r) => [r.rank, r.movieId]), [[1, 40], [2, 10]]);
});

Deno.test("rankByScore() returns 10 rows by default", () => {
  const many = {
    ids: Int32Array.from({ length: 12 }, (_, i) => i + 1),
    values: new Float32Array(12),
  };
  assertEquals(rankByScore(many).map((r) => r.movieId), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

Deno.test("rankByScore() breaks ties by increasing id whatever the order of the rows", () => {
  const reversed = { ids: Int32Array.of(30, 20, 10), values: Float32Array.of(1, 1, 1) };
  assertEquals(rankByScore(reversed).map((r) => r.movieId), [10, 20, 30]);
  assertEquals(rankByScore(reversed, { order: "asc" }).map((r) => r.movieId), [10, 20, 30]);
});

Deno.test("rankByScore() ranks a single id in among", () => {
  assertEquals(rankByScore(bias, { among: [20] }), [
    { rank: 1, movieId: 20, title: "B", score: -1 },
  ]);
});

Deno.test("rankByScore() rejects a score table with a repeated id, naming it", () => {
  const twice = { ids: Int32Array.of(7, 8, 7), values: Float32Array.of(1, 2, 3) };
  assertThrows(() => rankByScore(twice), RangeError, "rankByScore(): id 7 appears in rows 0 and 2");
});

Deno.test("rankByScore() names what is wrong with a score table", () => {
  const as = (v: unknown) => v as ScoreTable;
  assertThrows(
    () => rankByScore(as(null)),
    TypeError,
    "rankByScore(): expected a ScoreTable, found null",
  );
  assertThrows(
    () => rankByScore(as(7)),
    TypeError,
    "rankByScore(): expected a ScoreTable, found number 7",
  );
  assertThrows(
    () => rankByScore(as({ ids: [1, 2], values: Float32Array.of(1, 2) })),
    TypeError,
    "expected scores.ids to be an Int32Array, found an array of length 2",
  );
  assertThrows(
    () => rankByScore(as({ ids: Int32Array.of(1), values: Float64Array.of(1) })),
    TypeError,
    "expected scores.values to be a Float32Array, found a Float64Array",
  );
  assertThrows(
    () => rankByScore({ ids: new Int32Array(0), values: new Float32Array(0) }),
    RangeError,
    "rankByScore(): expected at least one score, found an empty table",
  );
  assertThrows(
    () => rankByScore({ ids: Int32Array.of(1, 2), values: Float32Array.of(1, 2, 3) }),
    RangeError,
    "one value per id (2), found 3 values",
  );
  assertThrows(
    () => rankByScore({ ...bias, titles: ["A"] }),
    RangeError,
    "rankByScore(): expected one title per row (5), found 1",
  );
});
