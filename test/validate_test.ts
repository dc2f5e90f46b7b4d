import { assertEquals, assertMatch, assertThrows } from "@std/assert";
import pl from "nodejs-polars";
import {
  checkFiniteNumber,
  checkFrame,
  checkInteger,
  checkLearningRate,
  checkNonNegativeNumber,
  checkOptionKeys,
  describe,
  found,
  idColumn,
  INT32_MAX,
  INT32_MIN,
  isDataFrame,
  isNumbers,
  literal,
  numberColumn,
  plural,
  ratingColumns,
  toIds,
} from "../lib/_validate.ts";

Deno.test("plural() writes a fraction as it is and counts 0 in the plural", () => {
  assertEquals(plural(0.12345, "epoch"), "0.12345 epochs");
  assertEquals(plural(1234.5, "epoch"), "1234.5 epochs");
  assertEquals(plural(0, "row"), "0 rows");
  assertEquals(plural(1, "row"), "1 row");
});

Deno.test("checkInteger() takes both bounds and names the kind of integer it wanted", () => {
  const bounds = { min: 0, max: 4 };
  assertEquals([checkInteger(0, "k", "f()", bounds), checkInteger(4, "k", "f()", bounds)], [0, 4]);
  assertThrows(
    () => checkInteger(-1, "k", "f()", bounds),
    RangeError,
    "f(): expected k to be an integer in [0, 4], found -1",
  );
  assertThrows(
    () => checkInteger(1.5, "k", "f()"),
    RangeError,
    "f(): expected k to be an integer, found 1.5",
  );
  assertEquals(checkInteger(2, "k", "f()", { min: 2 }), 2);
  assertThrows(
    () => checkInteger(1, "k", "f()", { min: 2 }),
    RangeError,
    "f(): expected k to be an integer >= 2, found 1",
  );
});

Deno.test("checkInteger() refuses a number written as text with a TypeError", () => {
  assertThrows(
    () => checkInteger("3", "k", "f()", { min: 1 }),
    TypeError,
    "f(): expected k to be a positive integer, found string 3",
  );
});

Deno.test("the finite-number checks refuse infinity and NaN", () => {
  for (const x of [Infinity, -Infinity]) {
    assertThrows(() => checkFiniteNumber(x, "t", "f()"), RangeError, `found ${x}`);
  }
  for (const x of [NaN, Infinity]) {
    assertThrows(
      () => checkNonNegativeNumber(x, "l2", "f()"),
      RangeError,
      `f(): expected l2 to be a finite number >= 0, found ${x}`,
    );
    assertThrows(
      () => checkLearningRate(x, "f()"),
      RangeError,
      `f(): expected learningRate to be a finite number > 0, found ${x}`,
    );
  }
});

Deno.test("checkLearningRate() names the option it was given and describes text", () => {
  assertThrows(
    () => checkLearningRate("0.1", "f()", "finalLearningRate"),
    TypeError,
    "f(): expected finalLearningRate to be a finite number > 0, found string 0.1",
  );
});

Deno.test("isNumbers() refuses a DataView", () => {
  assertEquals(isNumbers(new DataView(new ArrayBuffer(8))), false);
});

Deno.test("toIds() and idColumn() take ids up to the 32-bit limits and refuse one beyond", () => {
  assertEquals([INT32_MAX, INT32_MIN], [2 ** 31 - 1, -(2 ** 31)]);
  assertEquals(toIds([INT32_MAX, INT32_MIN], "ids", "f()"), new Int32Array([INT32_MAX, INT32_MIN]));
  assertThrows(
    () => toIds([1, INT32_MAX + 1], "ids", "f()"),
    TypeError,
    `f(): expected integer ids in ids, found ${INT32_MAX + 1} at position 1`,
  );
  assertThrows(() => toIds([INT32_MIN - 1], "ids", "f()"), TypeError, `found ${INT32_MIN - 1}`);
  const df = pl.DataFrame({ movieId: [INT32_MAX, INT32_MIN] });
  assertEquals(idColumn(df, "movieId", "f()"), new Float64Array([INT32_MAX, INT32_MIN]));
  assertThrows(
    () => idColumn(pl.DataFrame({ movieId: [1, INT32_MAX + 1] }), "movieId", "f()"),
    RangeError,
    `f(): expected 32-bit integer ids in "movieId", found ${INT32_MAX + 1} at row 1`,
  );
  assertThrows(
    () => idColumn(pl.DataFrame({ movieId: [INT32_MIN - 1] }), "movieId", "f()"),
    RangeError,
    `found ${INT32_MIN - 1} at row 0`,
  );
});

Deno.test("isDataFrame() wants both getColumn() and a columns array", () => {
  assertEquals(isDataFrame({ columns: ["a"] }), false);
  assertEquals(isDataFrame({ getColumn: () => null, columns: "a" }), false);
});

Deno.test("checkFrame() lists every missing column", () => {
  assertThrows(
    () => checkFrame(pl.DataFrame({ title: ["Heat"] }), ["userId", "movieId"], "f()"),
    TypeError,
    'f(): expected columns "userId", "movieId", found columns [title]',
  );
});

Deno.test("numberColumn() names the first null, an infinity and a column of text", () => {
  assertThrows(
    () => numberColumn(pl.DataFrame({ rating: [4, null, 3, null] }), "rating", "f()"),
    RangeError,
    'f(): expected finite numbers in "rating", found null at row 1',
  );
  assertThrows(
    () => numberColumn(pl.DataFrame({ rating: [4, Infinity] }), "rating", "f()"),
    RangeError,
    'f(): expected finite numbers in "rating", found Infinity at row 1',
  );
  const text = assertThrows(
    () => numberColumn(pl.DataFrame({ rating: ["4"] }), "rating", "f()"),
    TypeError,
    'f(): expected finite numbers in "rating", found a ',
  );
  assertMatch(text.message, /found a String column$/);
});

Deno.test("idColumn() refuses a null id with a TypeError, naming its row", () => {
  assertThrows(
    () => idColumn(pl.DataFrame({ userId: [1, null] }), "userId", "f()"),
    TypeError,
    'f(): expected integer ids in "userId", found null at row 1',
  );
});

Deno.test("ratingColumns() without the rating needs no rating column", () => {
  const df = pl.DataFrame({ userId: [1], movieId: [10], rating: [null] });
  const { userIds, movieIds, ratings } = ratingColumns(df, "f()", false);
  assertEquals([userIds, movieIds, ratings], [
    new Float64Array([1]),
    new Float64Array([10]),
    new Float64Array(0),
  ]);
  assertEquals(ratingColumns(df.drop("rating"), "f()", false).ratings.length, 0);
});

Deno.test("checkOptionKeys() names an unknown key and the known one it most likely meant", () => {
  const known = ["epochs", "batchSize", "validation", "verbose", "min"];
  assertEquals(checkOptionKeys({ epochs: 1, min: 0 }, known, "f()"), { epochs: 1, min: 0 });
  for (
    const [key, near] of [
      ["epoch", "epochs"], // a letter left out
      ["batchsize", "batchSize"], // case
      ["valdiation", "validation"], // two letters swapped
      ["verbosity", "verbose"], // most of the name
      ["minimum", "min"], // the name, longer
    ]
  ) {
    assertThrows(
      () => checkOptionKeys({ [key]: 1 }, known, "f()"),
      TypeError,
      `f(): unknown option "${key}" (did you mean "${near}"?)`,
    );
  }
  assertThrows(
    () => checkOptionKeys({ patience: 2 }, known, "f()"),
    TypeError,
    'f(): unknown option "patience" (known: epochs, batchSize, validation, verbose, min)',
  );
  assertThrows(
    () => checkOptionKeys({ eps: 0 }, ["epsilon", "beta1"], "f()", "optimizer."),
    TypeError,
    'f(): unknown option "optimizer.eps" (did you mean "optimizer.epsilon"?)',
  );
  assertThrows(
    () => checkOptionKeys({ momentum: 0 }, ["epsilon", "beta1"], "f()", "optimizer."),
    TypeError,
    'f(): unknown option "optimizer.momentum" (known: optimizer.epsilon, optimizer.beta1)',
  );
  for (const bad of [null, 5, "epochs", [1]]) {
    assertThrows(
      () => checkOptionKeys(bad, known, "f()"),
      TypeError,
      `f(): expected an options object, found ${describe(bad)}`,
    );
  }
  assertThrows(
    () => checkOptionKeys(null, known, "f()", "optimizer."),
    TypeError,
    "f(): expected optimizer to be an object, found null",
  );
});

Deno.test("describe(), found() and literal() show an empty string and the numbers JSON cannot hold", () => {
  assertEquals([describe(""), found(""), describe("a")], [
    "an empty string",
    "an empty string",
    "string a",
  ]);
  assertEquals([found(NaN), literal([NaN, 5]), literal({ max: -Infinity })], [
    "NaN",
    "[NaN,5]",
    '{"max":-Infinity}',
  ]);
  assertEquals([literal("x"), literal(null), literal(undefined)], ['"x"', "null", "undefined"]);
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  assertEquals(literal(cycle), '{"a":1,"self":an object (Object)}');
  assertEquals(literal([new Float32Array(2)]), "[a Float32Array]");
});
