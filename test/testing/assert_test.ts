import {
  assert,
  assertAlmostEquals,
  assertArrayIncludes,
  assertEquals,
  assertExists,
  assertGreater,
  assertGreaterOrEqual,
  AssertionError,
  assertLess,
  assertLessOrEqual,
  assertMatch,
  assertNotEquals,
  assertRejects,
  assertStrictEquals,
  assertThrows,
  equal,
  fail,
} from "@std/assert";

/** Runs `fn` and returns the AssertionError it throws (fails the test when it does not). */
function failure(fn: () => unknown): AssertionError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AssertionError) return e;
    throw e;
  }
  throw new Error("expected an AssertionError");
}

Deno.test("equal() compares values deeply, as Deno std does", () => {
  assert(equal({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }));
  assert(!equal({ a: 1 }, { a: 1, b: undefined }));
  assert(equal(NaN, NaN));
  assert(equal(new Float32Array([1, 2]), new Float32Array([1, 2])));
  assert(!equal(new Float32Array([1, 2]), new Int32Array([1, 2])), "typed array kinds differ");
  assert(equal(new Map([[1, { x: 1 }]]), new Map([[1, { x: 1 }]])));
  assert(equal(new Set([1, 2]), new Set([2, 1])));
  assert(equal(new Date(5), new Date(5)) && !equal(new Date(5), new Date(6)));
  assert(!equal([1, 2], [1, 2, 3]));
  const a: Record<string, unknown> = { v: 1 };
  a.self = a;
  const b: Record<string, unknown> = { v: 1 };
  b.self = b;
  assert(equal(a, b), "cycles are handled");
});

Deno.test("assert() and assertExists() throw AssertionError with the given message", () => {
  assertEquals(failure(() => assert(0, "zero is falsy")).message, "zero is falsy");
  assert(1);
  assertExists(0);
  assertMatch(failure(() => assertExists(null)).message, /not be null or undefined/);
});

Deno.test("assertEquals() shows both values when they differ", () => {
  assertEquals({ a: [1] }, { a: [1] });
  const e = failure(() => assertEquals([1, 2], [1, 3], "rows"));
  assertMatch(e.message, /Values are not equal: rows/);
  assertMatch(e.message, /actual: +\[ 1, 2 \]/);
  assertMatch(e.message, /expected: \[ 1, 3 \]/);
  failure(() => assertNotEquals({ a: 1 }, { a: 1 }));
  assertNotEquals(1, 2);
});

Deno.test("assertStrictEquals() uses reference identity", () => {
  const o = { a: 1 };
  assertStrictEquals(o, o);
  assertMatch(failure(() => assertStrictEquals({ a: 1 }, { a: 1 })).message, /deeply equal/);
});

Deno.test("assertAlmostEquals() uses 1e-7 relative tolerance by default, or the one given", () => {
  assertAlmostEquals(0.1 + 0.2, 0.3);
  assertAlmostEquals(100, 100.5, 1);
  assertAlmostEquals(Infinity, Infinity);
  failure(() => assertAlmostEquals(1, 1.001));
  assertAlmostEquals(NaN, NaN); // identical values pass, as in Deno std
  failure(() => assertAlmostEquals(5, Infinity));
  assertMatch(failure(() => assertAlmostEquals(1, 2, 0.5)).message, /delta "1" is greater/);
});

Deno.test("assertGreater/Less and their OrEqual forms compare with the right operator", () => {
  assertGreater(2, 1);
  assertGreaterOrEqual(2, 2);
  assertLess(1, 2);
  assertLessOrEqual(2, 2);
  failure(() => assertGreater(2, 2));
  failure(() => assertLess(2, 2));
  failure(() => assertGreaterOrEqual(1, 2));
  failure(() => assertLessOrEqual(3, 2));
});

Deno.test("assertArrayIncludes() lists the missing elements", () => {
  assertArrayIncludes([1, { a: 2 }, 3], [{ a: 2 }, 1]);
  assertMatch(failure(() => assertArrayIncludes([1, 2], [2, 5])).message, /missing: \[ 5 \]/);
});

Deno.test("assertMatch() and fail() report what failed", () => {
  assertMatch("movie 42", /\d+/);
  failure(() => assertMatch("movie", /\d+/));
  assertEquals(failure(() => fail("boom")).message, "Failed assertion: boom");
});

Deno.test("assertThrows() checks the error class and message and returns the error", () => {
  const e = assertThrows(
    () => {
      throw new RangeError("k must be > 0, found -1");
    },
    RangeError,
    "found -1",
  );
  assertEquals(e.message, "k must be > 0, found -1");
  failure(() => assertThrows(() => {}));
  failure(() =>
    assertThrows(() => {
      throw new TypeError("x");
    }, RangeError)
  );
  failure(() =>
    assertThrows(
      () => {
        throw new RangeError("x");
      },
      RangeError,
      "y",
    )
  );
});

Deno.test("assertRejects() checks a rejected promise's class and message", async () => {
  const e = await assertRejects(() => Promise.reject(new TypeError("bad id 7")), TypeError, "7");
  assertEquals(e.message, "bad id 7");
  await assertRejects(
    () => assertRejects(() => Promise.resolve(1)),
    AssertionError,
    "Expected function to reject",
  );
  await assertRejects(
    () => assertRejects(() => Promise.reject(new TypeError("x")), RangeError),
    AssertionError,
    'instance of "RangeError"',
  );
});
