import { assert, assertEquals, assertThrows } from "@std/assert";
import pl from "nodejs-polars";
import { ratingsFrame } from "../../lib/data/mod.ts";
import { col } from "./_helpers.ts";

Deno.test("ratingsFrame() builds the shared ratings schema", () => {
  const df = ratingsFrame({ userId: [1, 2], movieId: [3, 4], rating: [4.5, 1], timestamp: [9, 8] });
  assertEquals(df.columns, ["userId", "movieId", "rating", "timestamp"]);
  assert(df.schema.userId.equals(pl.Int32));
  assert(df.schema.movieId.equals(pl.Int32));
  assert(df.schema.rating.equals(pl.Float64));
  assert(df.schema.timestamp.equals(pl.Int64));
  assertEquals(df.rows(), [[1, 3, 4.5, 9], [2, 4, 1, 8]]);
});

Deno.test("ratingsFrame() numbers rows as timestamps when none are given", () => {
  const df = ratingsFrame({ userId: [1, 1, 1], movieId: [1, 2, 3], rating: [1, 2, 3] });
  assertEquals(col(df, "timestamp"), [0, 1, 2]);
});

Deno.test("ratingsFrame() accepts typed arrays and bigint timestamps", () => {
  const df = ratingsFrame({
    userId: Int32Array.from([7]),
    movieId: Int32Array.from([8]),
    rating: Float32Array.from([2.5]),
    timestamp: BigInt64Array.from([1_700_000_000n]),
  });
  assertEquals(df.row(0), [7, 8, 2.5, 1_700_000_000]);
});

Deno.test("ratingsFrame() rejects columns of different lengths, bad ids and bad ratings", () => {
  assertThrows(
    () => ratingsFrame({ userId: [1, 2], movieId: [1], rating: [1, 2] }),
    RangeError,
    "expected movieId to have 2 entries like userId, found 1",
  );
  assertThrows(
    () => ratingsFrame({ userId: [1, 2.5], movieId: [1, 1], rating: [1, 2] }),
    RangeError,
    "userId to be an integer in 0..2147483647 at row 1, found 2.5",
  );
  assertThrows(
    () => ratingsFrame({ userId: [1], movieId: [1], rating: [NaN] }),
    RangeError,
    "expected a finite rating at row 0, found NaN",
  );
  assertThrows(
    () => ratingsFrame({ userId: [1], movieId: [1], rating: [1], timestamp: [1.5] }),
    RangeError,
    "integer timestamp at row 0",
  );
});

Deno.test("ratingsFrame() names a text id as text and a missing argument", () => {
  assertThrows(
    () => ratingsFrame({ userId: ["7" as never], movieId: [1], rating: [4] }),
    RangeError,
    "expected userId to be an integer in 0..2147483647 at row 0, found string 7",
  );
  assertThrows(
    () => ratingsFrame(undefined as never),
    TypeError,
    "ratingsFrame(): expected { userId, movieId, rating } arrays",
  );
});
