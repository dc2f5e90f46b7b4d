import * as tf from "@tensorflow/tfjs";
import { assertEquals, assertThrows } from "@std/assert";
import pl from "nodejs-polars";
import {
  fitEncoders,
  IdEncoder,
  randomSplit,
  ratingsFrame,
  ratingsToArrays,
  ratingsToTensors,
} from "../../lib/data/mod.ts";

const train = ratingsFrame({
  userId: [30, 10, 30, 20],
  movieId: [500, 100, 100, 700],
  rating: [4.5, 3, 2, 5],
});

Deno.test("fitEncoders() indexes users and movies in sorted or appearance order", () => {
  const sorted = fitEncoders(train);
  assertEquals(Array.from(sorted.users.ids), [10, 20, 30]);
  assertEquals(Array.from(sorted.movies.ids), [100, 500, 700]);
  const seen = fitEncoders(train, { order: "appearance" });
  assertEquals(Array.from(seen.users.ids), [30, 10, 20]);
  assertEquals(Array.from(seen.movies.ids), [500, 100, 700]);
});

Deno.test("ratingsToArrays() returns row-aligned indices and float32 ratings", () => {
  const a = ratingsToArrays(train, fitEncoders(train));
  assertEquals(a.users, Int32Array.from([2, 0, 2, 1]));
  assertEquals(a.movies, Int32Array.from([1, 0, 0, 2]));
  assertEquals(a.ratings, Float32Array.from([4.5, 3, 2, 5]));
});

Deno.test("ratingsToArrays() names an id the encoders were not fitted on", () => {
  const encoders = fitEncoders(train);
  const test = ratingsFrame({ userId: [10, 10], movieId: [100, 999], rating: [3, 4] });
  assertThrows(() => ratingsToArrays(test, encoders), RangeError, "unknown movie id 999");
  const newUser = ratingsFrame({ userId: [77], movieId: [100], rating: [3] });
  assertThrows(() => ratingsToArrays(newUser, encoders), RangeError, "unknown user id 77");
});

Deno.test("ratingsToTensors() gives two int32 [n, 1] inputs and a float32 [n, 1] target", () => {
  const { x, y } = ratingsToTensors(train, fitEncoders(train));
  try {
    assertEquals(x[0].shape, [4, 1]);
    assertEquals(x[1].shape, [4, 1]);
    assertEquals([x[0].dtype, x[1].dtype, y.dtype], ["int32", "int32", "float32"]);
    assertEquals(Array.from(x[0].dataSync()), [2, 0, 2, 1]);
    assertEquals(Array.from(x[1].dataSync()), [1, 0, 0, 2]);
    assertEquals(Array.from(y.dataSync()), [4.5, 3, 2, 5]);
  } finally {
    x.forEach((t) => t.dispose());
    y.dispose();
  }
});

Deno.test("ratingsToTensors() makes exactly the three tensors it returns, and none for an unknown id", () => {
  const encoders = fitEncoders(train);
  const before = tf.memory().numTensors;
  const { x, y } = ratingsToTensors(train, encoders);
  assertEquals(tf.memory().numTensors - before, 3, "x[0], x[1] and y, which the caller owns");
  tf.dispose([...x, y]);
  assertEquals(tf.memory().numTensors, before);
  const unknown = ratingsFrame({ userId: [10], movieId: [999], rating: [3] });
  assertThrows(() => ratingsToTensors(unknown, encoders), RangeError, "unknown movie id 999");
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("encoders fitted on a train split encode the matching test rows", () => {
  const n = 400;
  const df = ratingsFrame({
    userId: Array.from({ length: n }, (_, i) => i % 20),
    movieId: Array.from({ length: n }, (_, i) => i % 10),
    rating: Array.from({ length: n }, (_, i) => 1 + (i % 5)),
  });
  const { train: tr, test } = randomSplit(df, { seed: 1 });
  const enc = fitEncoders(tr);
  const a = ratingsToArrays(test, enc);
  assertEquals(Array.from(enc.users.decode(a.users)), test.getColumn("userId").toArray());
});

Deno.test("ratingsToArrays() rejects missing columns and missing encoders", () => {
  assertThrows(
    () => ratingsToArrays(train.select("userId", "movieId"), fitEncoders(train)),
    TypeError,
    'expected a "rating" column',
  );
  assertThrows(
    // deno-lint-ignore no-explicit-any
    () => ratingsToArrays(train, { users: IdEncoder.fit([1]) } as any),
    TypeError,
    "expected encoders",
  );
  assertThrows(() => fitEncoders(train.head(0)), RangeError, "at least one rating");
});

Deno.test("fitEncoders() names the column and row of a null, fractional or too large id", () => {
  const frame = (userId: (number | null)[]) =>
    pl.DataFrame({ userId, movieId: [1, 2, 3], rating: [4, 2, 3] });
  assertThrows(
    () => fitEncoders(frame([1, null, 3])),
    TypeError,
    'fitEncoders(): expected integer ids in "userId", found null at row 1',
  );
  assertThrows(
    () => fitEncoders(frame([1, 2.7, 3])),
    TypeError,
    'fitEncoders(): expected integer ids in "userId", found 2.7 at row 1',
  );
  assertThrows(
    () => fitEncoders(frame([1, 2, 2 ** 31])),
    RangeError,
    'fitEncoders(): expected 32-bit integer ids in "userId", found 2147483648 at row 2',
  );
  assertThrows(
    () => fitEncoders(pl.DataFrame({ userId: ["1"], movieId: [1] })),
    TypeError,
    'expected integer ids in "userId"',
  );
});

Deno.test("ratingsToArrays() names a fractional id or a NaN rating instead of casting it", () => {
  const encoders = fitEncoders(train);
  assertThrows(
    () => ratingsToArrays(pl.DataFrame({ userId: [10], movieId: [100.5], rating: [4] }), encoders),
    TypeError,
    'ratingsToArrays(): expected integer ids in "movieId", found 100.5 at row 0',
  );
  assertThrows(
    () => ratingsToArrays(pl.DataFrame({ userId: [10], movieId: [100], rating: [NaN] }), encoders),
    RangeError,
    'ratingsToArrays(): expected finite numbers in "rating", found NaN at row 0',
  );
});
