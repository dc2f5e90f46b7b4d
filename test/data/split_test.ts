import { assert, assertEquals, assertLess, assertThrows } from "@std/assert";
import pl from "nodejs-polars";
import type { DataFrame } from "nodejs-polars";
import {
  maskSplit,
  perUserSplit,
  randomSplit,
  ratingsFrame,
  tailSplit,
  temporalSplit,
} from "../../lib/data/mod.ts";
import { createRng, MAX_SEED } from "../../lib/random.ts";
import { col } from "./_helpers.ts";

/** n ratings whose timestamp is the row number, so rows can be traced through a split. */
function traced(n: number, users = 7): DataFrame {
  return ratingsFrame({
    userId: Array.from({ length: n }, (_, i) => 1 + (i % users)),
    movieId: Array.from({ length: n }, (_, i) => 1 + Math.floor(i / users)),
    rating: Array.from({ length: n }, (_, i) => 1 + (i % 5)),
    timestamp: Array.from({ length: n }, (_, i) => i),
  });
}

const rowsOf = (df: DataFrame) => col(df, "timestamp") as number[];

function assertPartition(n: number, train: DataFrame, test: DataFrame) {
  const all = [...rowsOf(train), ...rowsOf(test)].sort((a, b) => a - b);
  assertEquals(all, Array.from({ length: n }, (_, i) => i));
}

Deno.test("randomSplit() is deterministic for a seed and differs between seeds", () => {
  const df = traced(200);
  const a = randomSplit(df, { seed: 3 });
  const b = randomSplit(df, { seed: 3 });
  const c = randomSplit(df, { seed: 4 });
  assertEquals(rowsOf(a.test), rowsOf(b.test));
  assert(rowsOf(a.test).join() !== rowsOf(c.test).join());
});

Deno.test("randomSplit() sizes the test part like scikit-learn: ceil(n × fraction)", () => {
  const cases: [number, number, number][] = [[10, 0.25, 3], [100_836, 0.1, 10_084], [
    100_000,
    0.2,
    20_000,
  ]];
  for (const [n, f, nTest] of cases) {
    const { train, test } = randomSplit(traced(n), { testFraction: f });
    assertEquals([train.height, test.height], [n - nTest, nTest]);
  }
});

Deno.test("randomSplit() puts every row in exactly one part", () => {
  const { train, test } = randomSplit(traced(101), { testFraction: 0.3, seed: 9 });
  assertPartition(101, train, test);
});

Deno.test("randomSplit() keeps file order with { shuffle: false }", () => {
  const { train, test } = randomSplit(traced(50), { shuffle: false });
  for (const part of [rowsOf(train), rowsOf(test)]) {
    assertEquals(part, [...part].sort((a, b) => a - b));
  }
  const shuffled = rowsOf(randomSplit(traced(50)).train);
  assert(shuffled.join() !== [...shuffled].sort((a, b) => a - b).join());
});

Deno.test("randomSplit() rejects a fraction outside (0, 1), an empty table and a non-DataFrame", () => {
  assertThrows(() => randomSplit(traced(5), { testFraction: 1 }), RangeError, "found 1");
  assertThrows(() => randomSplit(traced(5), { testFraction: -0.1 }), RangeError, "between 0 and 1");
  assertThrows(() => randomSplit(traced(5).head(0)), RangeError, "at least one row");
  assertThrows(
    () => randomSplit([1, 2] as unknown as DataFrame),
    TypeError,
    "expected a DataFrame, found an array of length 2",
  );
});

Deno.test("maskSplit() draws one coin per row from createRng(seed), as seed 000 does", () => {
  const df = traced(1000);
  const { train, test } = maskSplit(df, { trainProbability: 0.8, seed: 42 });
  const rng = createRng(42);
  const expected = Array.from({ length: 1000 }, (_, i) => i).filter(() => rng.next() < 0.8);
  assertEquals(rowsOf(train), expected);
  assertPartition(1000, train, test);
});

Deno.test("maskSplit() sends about trainProbability of the rows to train", () => {
  const { train } = maskSplit(traced(20_000), { trainProbability: 0.8, seed: 1 });
  assertLess(Math.abs(train.height / 20_000 - 0.8), 0.015);
});

Deno.test("tailSplit() holds out the last rows unshuffled, as Keras' validation_split", () => {
  const { train, test } = tailSplit(traced(80_000), { fraction: 0.1 });
  assertEquals([train.height, test.height], [72_000, 8_000]);
  assertEquals(rowsOf(test)[0], 72_000);
  assertEquals(rowsOf(test).at(-1), 79_999);
  const small = tailSplit(traced(10), { fraction: 0.15 });
  assertEquals(rowsOf(small.test), [8, 9]);
});

Deno.test("perUserSplit() holds out ceil(count × fraction) per user and keeps one in train", () => {
  const df = ratingsFrame({
    userId: [1, 1, 1, 1, 1, 2, 2, 3],
    movieId: [1, 2, 3, 4, 5, 1, 2, 1],
    rating: [1, 2, 3, 4, 5, 1, 2, 3],
  });
  const { train, test } = perUserSplit(df, { testFraction: 0.3, seed: 5 });
  const count = (part: DataFrame, user: number) =>
    (col(part, "userId") as number[]).filter((u) => u === user).length;
  assertEquals([count(test, 1), count(test, 2), count(test, 3)], [2, 1, 0]);
  assertEquals([count(train, 1), count(train, 2), count(train, 3)], [3, 1, 1]);
});

Deno.test("perUserSplit() with testCount holds out that many per user, leaving minTrain", () => {
  const df = traced(70, 7); // 10 ratings per user
  const { train, test } = perUserSplit(df, { testCount: 3, seed: 2 });
  assertEquals([train.height, test.height], [49, 21]);
  assertPartition(70, train, test);
  const capped = perUserSplit(df, { testCount: 10, minTrain: 4 });
  assertEquals(capped.test.height, 42);
  assertThrows(() => perUserSplit(df, { testCount: 1.5 }), RangeError, "testCount");
  assertThrows(() => perUserSplit(df, { minTrain: -1 }), RangeError, "minTrain");
});

Deno.test("perUserSplit() is deterministic for a seed and keeps row order", () => {
  const df = traced(300, 10);
  const a = perUserSplit(df, { seed: 11 });
  assertEquals(rowsOf(a.test), rowsOf(perUserSplit(df, { seed: 11 }).test));
  assert(rowsOf(a.test).join() !== rowsOf(perUserSplit(df, { seed: 12 }).test).join());
  assertEquals(rowsOf(a.train), [...rowsOf(a.train)].sort((x, y) => x - y));
});

Deno.test("temporalSplit() puts the most recent ratings in test", () => {
  const df = ratingsFrame({
    userId: [1, 2, 3, 1, 2, 3, 1, 2, 3, 1],
    movieId: [1, 1, 1, 2, 2, 2, 3, 3, 3, 4],
    rating: [3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
    timestamp: [50, 10, 90, 20, 70, 30, 60, 40, 80, 100],
  });
  const { train, test } = temporalSplit(df, { testFraction: 0.25 });
  assertEquals(col(test, "timestamp"), [90, 80, 100]);
  assertEquals(train.height, 7);
  const latestTrain = Math.max(...(col(train, "timestamp") as number[]));
  assertLess(latestTrain, Math.min(...(col(test, "timestamp") as number[])));
});

Deno.test("temporalSplit() by user holds out each user's own latest ratings", () => {
  const df = ratingsFrame({
    userId: [1, 1, 1, 1, 2, 2],
    movieId: [1, 2, 3, 4, 1, 2],
    rating: [3, 3, 3, 3, 3, 3],
    timestamp: [40, 10, 30, 20, 5, 500],
  });
  const { train, test } = temporalSplit(df, { testFraction: 0.5, by: "user" });
  assertEquals(col(test, "timestamp"), [40, 30, 500]);
  assertEquals(col(train, "timestamp"), [10, 20, 5]);
  assertThrows(
    // deno-lint-ignore no-explicit-any
    () => temporalSplit(df, { by: "movie" as any }),
    TypeError,
    'expected by to be "global" or "user"',
  );
});

Deno.test("temporalSplit() breaks timestamp ties by row so the split is deterministic", () => {
  const df = ratingsFrame({
    userId: [1, 2, 3, 4],
    movieId: [1, 1, 1, 1],
    rating: [1, 2, 3, 4],
    timestamp: [7, 7, 7, 7],
  });
  assertEquals(col(temporalSplit(df, { testFraction: 0.5 }).test, "rating"), [3, 4]);
});

Deno.test("splits reject a table without the columns they need, naming them", () => {
  const df = traced(10).select("movieId", "rating");
  assertThrows(
    () => perUserSplit(df),
    TypeError,
    'a "userId" column, found columns [movieId, rating]',
  );
  assertThrows(() => temporalSplit(df), TypeError, 'expected a "timestamp" column');
});

Deno.test("randomSplit() refuses sizes that leave the training part empty, naming them", () => {
  assertThrows(
    () => randomSplit(traced(8), { testFraction: 0.999 }),
    RangeError,
    "randomSplit(): a test fraction of 0.999 on 8 ratings leaves the training part empty",
  );
  assertThrows(() => randomSplit(traced(1)), RangeError, "0.2 on 1 rating leaves the training");
  assertEquals(randomSplit(traced(2)).test.height, 1);
});

Deno.test("maskSplit() refuses a draw that leaves a part empty, naming the seed", () => {
  assertThrows(
    () => maskSplit(traced(1), { seed: 3 }),
    RangeError,
    "maskSplit(): a train probability of 0.8 on 1 rating (seed 3) leaves the",
  );
});

Deno.test("tailSplit() refuses a fraction that leaves the training part empty", () => {
  assertThrows(
    () => tailSplit(traced(1), { fraction: 0.15 }),
    RangeError,
    "tailSplit(): a fraction of 0.15 on 1 rating leaves the training part empty",
  );
  assertThrows(
    () => tailSplit(traced(4), { fraction: 1e-17 }),
    RangeError,
    "leaves the test part empty",
  );
});

Deno.test("perUserSplit() refuses a split with an empty test or training part", () => {
  const once = ratingsFrame({ userId: [1, 2], movieId: [1, 2], rating: [1, 2] });
  assertThrows(
    () => perUserSplit(once),
    RangeError,
    "perUserSplit(): a test fraction of 0.2 with minTrain 1 on 2 ratings of 2 users leaves the " +
      "test part empty",
  );
  assertThrows(
    () => perUserSplit(traced(8), { minTrain: 0, testFraction: 0.99 }),
    RangeError,
    "with minTrain 0 on 8 ratings of 7 users leaves the training part empty",
  );
  assertThrows(() => perUserSplit(traced(8), { testCount: 0 }), RangeError, "a test count of 0");
});

Deno.test("temporalSplit() refuses a split with an empty training part", () => {
  assertThrows(
    () => temporalSplit(traced(1)),
    RangeError,
    "temporalSplit(): a test fraction of 0.2 on 1 rating leaves the training part empty",
  );
  assertThrows(
    () => temporalSplit(traced(7), { by: "user" }),
    RangeError,
    "leaves the test part empty",
  );
});

Deno.test("randomSplit(), maskSplit() and perUserSplit() reject a non-integer seed", () => {
  const df = traced(10);
  assertThrows(
    () => randomSplit(df, { seed: 1.5 }),
    RangeError,
    "randomSplit(): expected seed to be an integer in [0, 4294967295], found 1.5",
  );
  assertThrows(() => maskSplit(df, { seed: NaN }), RangeError, "expected seed to be an integer");
  // deno-lint-ignore no-explicit-any
  assertThrows(() => perUserSplit(df, { seed: "7" as any }), TypeError, "found string 7");
});

Deno.test("randomSplit(), maskSplit() and perUserSplit() refuse a seed outside 0 … MAX_SEED", () => {
  // The generator reduces a seed to 32 bits: 2³² + 42 split exactly as 42, −1 as 2³² − 1.
  const df = traced(10);
  for (const [name, split] of Object.entries({ randomSplit, maskSplit, perUserSplit })) {
    for (const seed of [2 ** 32 + 42, -1]) {
      assertThrows(
        () => split(df, { seed }),
        RangeError,
        `${name}(): expected seed to be an integer in [0, 4294967295], found ${seed}`,
      );
    }
    split(df, { seed: MAX_SEED }); // the largest seed of a stream of its own
    split(df, { seed: 0 });
  }
});

Deno.test("perUserSplit() and temporalSplit() name a null userId or timestamp and its row", () => {
  const df = pl.DataFrame({
    userId: [1, null, 2, 2],
    movieId: [1, 2, 3, 4],
    rating: [3, 4, 5, 1],
    timestamp: [1, 2, null, 4],
  });
  assertThrows(
    () => perUserSplit(df),
    TypeError,
    'perUserSplit(): expected integer ids in "userId", found null at row 1',
  );
  assertThrows(
    () => temporalSplit(df),
    RangeError,
    'temporalSplit(): expected finite numbers in "timestamp", found null at row 2',
  );
});

Deno.test("maskSplit() names the part a one-sided draw leaves empty", () => {
  // createRng(42)'s first draw is 0.2395…: below 0.9 (train), not below 0.1 (test).
  assertThrows(
    () => maskSplit(traced(1), { trainProbability: 0.9, seed: 42 }),
    RangeError,
    "leaves the test part empty",
  );
  assertThrows(
    () => maskSplit(traced(1), { trainProbability: 0.1, seed: 42 }),
    RangeError,
    "leaves the training part empty",
  );
});

Deno.test("the splits reject a fraction of 0 as outside (0, 1), naming it", () => {
  const df = traced(10);
  assertThrows(
    () => randomSplit(df, { testFraction: 0 }),
    RangeError,
    "randomSplit(): expected testFraction strictly between 0 and 1, found 0",
  );
  assertThrows(
    () => maskSplit(df, { trainProbability: 0 }),
    RangeError,
    "expected trainProbability strictly between 0 and 1, found 0",
  );
  assertThrows(
    () => tailSplit(df, { fraction: 0 }),
    RangeError,
    "expected fraction strictly between 0 and 1, found 0",
  );
  assertThrows(
    () => perUserSplit(df, { testFraction: 0 }),
    RangeError,
    "expected testFraction strictly between 0 and 1, found 0",
  );
});

Deno.test("perUserSplit() holds out nothing from a user with fewer ratings than minTrain", () => {
  // User 1 has 1 rating (below minTrain 2), user 2 has 4: one of user 2's goes to test.
  const df = ratingsFrame({
    userId: [1, 2, 2, 2, 2],
    movieId: [1, 1, 2, 3, 4],
    rating: [5, 4, 3, 2, 1],
  });
  const { train, test } = perUserSplit(df, { testCount: 1, minTrain: 2, seed: 1 });
  assertEquals([train.height, test.height], [4, 1]);
  assertEquals(col(test, "userId"), [2]);
});

Deno.test("temporalSplit() by user keeps minTrain of each user's earliest ratings in train", () => {
  // User 1 has 3 ratings: half is ceil(1.5) = 2, but minTrain 2 leaves only the latest for test.
  const df = ratingsFrame({
    userId: [1, 1, 1, 2, 2, 2, 2],
    movieId: [1, 2, 3, 1, 2, 3, 4],
    rating: [3, 3, 3, 3, 3, 3, 3],
    timestamp: [30, 10, 20, 1, 2, 3, 4],
  });
  const { train, test } = temporalSplit(df, { testFraction: 0.5, by: "user", minTrain: 2 });
  assertEquals(col(test, "timestamp"), [30, 3, 4]);
  assertEquals(col(train, "timestamp"), [10, 20, 1, 2]);
});

Deno.test("randomSplit() names a fraction given as text and refuses a shuffle that is not a boolean", () => {
  const df = ratingsFrame({ userId: [1, 2, 3, 4], movieId: [1, 1, 1, 1], rating: [1, 2, 3, 4] });
  // The message said "found 0.2" for the string "0.2", a value that looks right.
  assertThrows(
    () => randomSplit(df, { testFraction: "0.2" as never }),
    TypeError,
    "randomSplit(): expected testFraction strictly between 0 and 1, found string 0.2",
  );
  assertThrows(
    () => perUserSplit(df, { testFraction: "0.5" as never }),
    TypeError,
    "found string 0.5",
  );
  // shuffle: "no" is truthy: the rows came back shuffled.
  assertThrows(
    () => randomSplit(df, { shuffle: "no" as never }),
    TypeError,
    "randomSplit(): expected shuffle to be true or false, found string no",
  );
});
