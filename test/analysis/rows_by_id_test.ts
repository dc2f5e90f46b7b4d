import pl from "nodejs-polars";
import { assertEquals, assertThrows } from "@std/assert";
import {
  type EmbeddingTable,
  mostRated,
  selectRows,
  selectScores,
  vectorOf,
  withTitles,
} from "../../lib/analysis/mod.ts";

const table: EmbeddingTable = {
  ids: Int32Array.of(50, 181, 1),
  vectors: Float32Array.of(1, 2, 3, 4, 5, 6),
  dim: 2,
  titles: ["Star Wars (1977)", "Return of the Jedi (1983)", "Toy Story (1995)"],
};
const bias = { ids: Int32Array.of(50, 181, 1), values: Float32Array.of(0.5, 0.25, -0.5) };
const movies = pl.DataFrame({
  movieId: [1, 50, 181],
  title: ["Toy Story (1995)", "Star Wars (1977)", "Return of the Jedi (1983)"],
});

Deno.test("vectorOf() finds a row by raw id, not by row number", () => {
  assertEquals(vectorOf(table, 1), Float32Array.of(5, 6));
  assertEquals(vectorOf(table, 181), Float32Array.of(3, 4));
});

Deno.test("selectRows() keeps the requested ids in the requested order with their titles", () => {
  const sub = selectRows(table, [1, 50]);
  assertEquals(sub.ids, Int32Array.of(1, 50));
  assertEquals(sub.vectors, Float32Array.of(5, 6, 1, 2));
  assertEquals(sub.titles, ["Toy Story (1995)", "Star Wars (1977)"]);
});

Deno.test("selectScores() picks biases by raw id", () => {
  assertEquals(selectScores(bias, [181, 1]).values, Float32Array.of(0.25, -0.5));
});

Deno.test("lookups reject an unknown id, naming it", () => {
  assertThrows(() => vectorOf(table, 999), RangeError, "unknown id 999");
  assertThrows(() => selectRows(table, [1, 1682]), RangeError, "unknown id 1682");
  assertThrows(() => selectScores(bias, [7]), RangeError, "unknown id 7");
});

Deno.test("withTitles() attaches titles by movieId and names movies without one", () => {
  const untitled = { ids: table.ids, vectors: table.vectors, dim: 2 };
  assertEquals(withTitles(untitled, movies).titles, table.titles);
  assertEquals(withTitles(bias, movies).titles?.[2], "Toy Story (1995)");
  const missing = { ids: Int32Array.of(1, 2), values: Float32Array.of(0, 0) };
  assertThrows(
    () => withTitles(missing, movies),
    RangeError,
    "no title for 1 id in the movies DataFrame, e.g. 2",
  );
});

Deno.test("mostRated() orders movies by rating count, ties by id, and keeps n", () => {
  const ratings = pl.DataFrame({
    userId: [1, 2, 3, 1, 2, 1, 4],
    movieId: [30, 30, 30, 10, 10, 20, 20],
    rating: [4, 3, 5, 2, 4, 5, 1],
  });
  const all = mostRated(ratings);
  assertEquals(all.ids, Int32Array.of(30, 10, 20));
  assertEquals(all.values, Float32Array.of(3, 2, 2));
  assertEquals(mostRated(ratings, { n: 1 }).ids, Int32Array.of(30));
  assertThrows(() => mostRated(ratings, { n: 0 }), RangeError, "n to be a positive integer");
  assertThrows(() => mostRated(ratings.drop("movieId")), TypeError, 'expected a "movieId" column');
});

Deno.test("embedding tables with a wrong shape, NaN or repeated ids are rejected", () => {
  const short = { ids: Int32Array.of(1, 2), vectors: Float32Array.of(1, 2, 3), dim: 2 };
  assertThrows(
    () => vectorOf(short, 1),
    RangeError,
    "expected 2 rows × 2 = 4 values in table.vectors, found 3",
  );
  const nan = { ids: Int32Array.of(1), vectors: Float32Array.of(1, NaN), dim: 2 };
  assertThrows(() => vectorOf(nan, 1), RangeError, "table.vectors, found NaN at position 1");
  const twice = { ids: Int32Array.of(4, 4), vectors: Float32Array.of(1, 2), dim: 1 };
  assertThrows(() => vectorOf(twice, 4), RangeError, "id 4 appears in rows 0 and 1");
  const empty = { ids: new Int32Array(0), vectors: new Float32Array(0), dim: 3 };
  assertThrows(() => selectRows(empty, []), RangeError, "empty table");
  const zeroDim = { ids: Int32Array.of(1), vectors: new Float32Array(0), dim: 0 };
  assertThrows(
    () => vectorOf(zeroDim, 1),
    RangeError,
    "table.dim to be a positive integer, found 0",
  );
  const wrongTitles = { ...table, titles: ["only one"] };
  assertThrows(() => vectorOf(wrongTitles, 1), RangeError, "one title per row (3), found 1");
  const plainIds = { ids: [1], vectors: Float32Array.of(1), dim: 1 };
  // @ts-expect-error: ids must be an Int32Array
  assertThrows(() => vectorOf(plainIds, 1), TypeError, "Int32Array");
});

Deno.test("mostRated() breaks count ties by increasing id whatever the order of the rows", () => {
  const ratings = pl.DataFrame({
    userId: [1, 1, 2, 2],
    movieId: [20, 10, 20, 10],
    rating: [4, 4, 4, 4],
  });
  assertEquals(mostRated(ratings).ids, Int32Array.of(10, 20));
});

Deno.test("mostRated() rejects a ratings table without rows", () => {
  const empty = pl.DataFrame({ userId: [], movieId: [], rating: [] });
  assertThrows(() => mostRated(empty), RangeError, "mostRated(): expected ratings, found 0 rows");
});

Deno.test("selectScores() keeps the titles of the ids it picks", () => {
  const titled = withTitles(bias, movies);
  assertEquals(selectScores(titled, [1, 50]).titles, ["Toy Story (1995)", "Star Wars (1977)"]);
});

Deno.test("withTitles() names a movie whose title is null as one without a title", () => {
  const nullTitle = pl.DataFrame({
    movieId: [1, 50, 181],
    title: ["Toy Story (1995)", null, "Jedi"],
  });
  assertThrows(
    () => withTitles(bias, nullTitle),
    RangeError,
    "no title for 1 id in the movies DataFrame, e.g. 50",
  );
});

Deno.test("mostRated() refuses a movie id outside 32 bits instead of listing it changed", () => {
  const ratings = pl.DataFrame({ movieId: [3_000_000_000, 3_000_000_000, 1] });
  assertThrows(
    () => mostRated(ratings),
    RangeError,
    'mostRated(): expected 32-bit integer ids in "movieId", found 3000000000 at row 0',
  );
});

Deno.test("vectorOf() returns a copy: changing it leaves the table as it was", () => {
  const copy = { ...table, vectors: table.vectors.slice() };
  vectorOf(copy, 50)[0] = 99;
  assertEquals(copy.vectors, table.vectors);
});

Deno.test("selectRows() and selectScores() reject a table with a repeated id, naming it", () => {
  const twice = { ids: Int32Array.of(4, 5, 4), vectors: Float32Array.of(1, 2, 3), dim: 1 };
  assertThrows(
    () => selectRows(twice, [5]),
    RangeError,
    "selectRows(): id 4 appears in rows 0 and 2",
  );
  const scoresTwice = { ids: Int32Array.of(4, 5, 4), values: Float32Array.of(1, 2, 3) };
  assertThrows(
    () => selectScores(scoresTwice, [5]),
    RangeError,
    "selectScores(): id 4 appears in rows 0 and 2",
  );
});

Deno.test("selectScores() returns the ids it picks and rejects a malformed score table", () => {
  assertEquals(selectScores(bias, [181, 1]).ids, Int32Array.of(181, 1));
  const ragged = { ids: Int32Array.of(1, 2), values: Float32Array.of(1) };
  assertThrows(() => selectScores(ragged, [1]), RangeError, "one value per id (2), found 1");
});

Deno.test("withTitles() rejects a malformed table and a movies frame without its columns", () => {
  const short = { ids: Int32Array.of(1, 50), vectors: Float32Array.of(1, 2, 3), dim: 2 };
  assertThrows(() => withTitles(short, movies), RangeError, "withTitles(): expected 2 rows × 2");
  const nan = { ids: Int32Array.of(1), values: Float32Array.of(NaN) };
  assertThrows(() => withTitles(nan, movies), RangeError, "found NaN at position 0");
  assertThrows(
    () => withTitles(bias, pl.DataFrame({ name: ["x"] })),
    TypeError,
    'withTitles(): expected columns "movieId", "title", found columns [name]',
  );
});

Deno.test("withTitles() lists the first five ids without a title", () => {
  const untitled = { ids: Int32Array.of(2, 3, 4, 5, 6, 7), values: new Float32Array(6) };
  const error = assertThrows(() => withTitles(untitled, movies), RangeError);
  assertEquals(
    error.message,
    "withTitles(): no title for 6 ids in the movies DataFrame, e.g. 2, 3, 4, 5, 6",
  );
});

Deno.test("mostRated() counts a single rating and rejects what is not a DataFrame", () => {
  const one = pl.DataFrame({ userId: [1], movieId: [8], rating: [3] });
  assertEquals(mostRated(one), { ids: Int32Array.of(8), values: Float32Array.of(1) });
  // @ts-expect-error: not a DataFrame
  assertThrows(() => mostRated(null), TypeError, "mostRated(): expected a DataFrame, found null");
});

Deno.test("an embedding table that is not one is named in the message", () => {
  const as = (v: unknown) => v as EmbeddingTable;
  assertThrows(
    () => vectorOf(as(null), 1),
    TypeError,
    "vectorOf(): expected an EmbeddingTable, found null",
  );
  assertThrows(
    () => vectorOf(as(5), 1),
    TypeError,
    "vectorOf(): expected an EmbeddingTable, found number 5",
  );
  const plainIds = { ids: [1], vectors: Float32Array.of(1), dim: 1 };
  assertThrows(
    () => vectorOf(as(plainIds), 1),
    TypeError,
    "expected table.ids to be an Int32Array, found an array of length 1",
  );
  const doubles = { ids: Int32Array.of(1), vectors: Float64Array.of(1), dim: 1 };
  assertThrows(
    () => vectorOf(as(doubles), 1),
    TypeError,
    "vectorOf(): expected table.vectors to be a Float32Array, found a Float64Array",
  );
});

Deno.test("an embedding table with extra values or titles that are not one per row is refused", () => {
  const long = { ids: Int32Array.of(1, 2), vectors: Float32Array.of(1, 2, 3, 4, 5), dim: 2 };
  assertThrows(
    () => vectorOf(long, 1),
    RangeError,
    "expected 2 rows × 2 = 4 values in table.vectors, found 5",
  );
  const extraTitles = { ...table, titles: ["a", "b", "c", "d"] };
  assertThrows(() => vectorOf(extraTitles, 1), RangeError, "one title per row (3), found 4");
  const textTitles = { ...table, titles: "abc" as unknown as string[] };
  assertThrows(
    () => vectorOf(textTitles, 1),
    RangeError,
    "one title per row (3), found string abc",
  );
});

Deno.test("an unknown id's message says how many ids the table has", () => {
  assertThrows(() => vectorOf(table, 2), RangeError, "unknown id 2 (not among the table's 3 ids)");
});
