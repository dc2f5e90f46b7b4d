/**
 * A small, dependency-free stand-in for `jsr:@std/assert`, with the same names and semantics
 * for the assertions this project uses. It exists because JSR cannot be reached from the
 * machines this project is built on; online users can swap the import-map entry
 * `"@std/assert": "./lib/testing/assert.ts"` for `"@std/assert": "jsr:@std/assert@^1"`.
 *
 * @module
 */

/** Error thrown when an assertion fails (same name as Deno std's). */
export class AssertionError extends Error {
  /** @param message What failed. */
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function fmt(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try {
    return Deno.inspect(v, { depth: 6, sorted: true, compact: true, iterableLimit: 50 });
  } catch {
    return String(v);
  }
}

function suffix(msg?: string): string {
  return msg ? `: ${msg}` : "";
}

/**
 * Deep structural equality as Deno std's `equal`: primitives by `Object.is` (except that
 * `+0` equals `-0`), Dates by time, RegExps by source, Maps/Sets by content, typed arrays and
 * arrays element-wise, plain objects by own enumerable keys, with cycles handled.
 *
 * @param a First value.
 * @param b Second value.
 * @returns Whether the two values are deeply equal.
 * @example
 * ```ts
 * import { assertEquals, equal } from "./assert.ts";
 * assertEquals([equal({ a: [1, 2] }, { a: [1, 2] }), equal([1, 2], [2, 1])], [true, false]);
 * ```
 */
export function equal(a: unknown, b: unknown): boolean {
  const seen = new Map<unknown, unknown>();
  const eq = (x: unknown, y: unknown): boolean => {
    if (x === y) return true;
    if (typeof x === "number" && typeof y === "number") return Number.isNaN(x) && Number.isNaN(y);
    if (x === null || y === null || typeof x !== "object" || typeof y !== "object") return false;
    if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
    if (seen.get(x) === y) return true;
    seen.set(x, y);
    if (x instanceof Date) return x.getTime() === (y as Date).getTime();
    if (x instanceof RegExp) return String(x) === String(y);
    if (x instanceof Map) {
      const ym = y as Map<unknown, unknown>;
      if (x.size !== ym.size) return false;
      for (const [k, v] of x) if (!ym.has(k) || !eq(v, ym.get(k))) return false;
      return true;
    }
    if (x instanceof Set) {
      const ys = y as Set<unknown>;
      if (x.size !== ys.size) return false;
      for (const v of x) {
        if (!ys.has(v) && ![...ys].some((w) => eq(v, w))) return false;
      }
      return true;
    }
    if (ArrayBuffer.isView(x)) {
      const xa = x as unknown as ArrayLike<unknown>, ya = y as unknown as ArrayLike<unknown>;
      if (xa.length !== ya.length) return false;
      for (let i = 0; i < xa.length; i++) if (!eq(xa[i], ya[i])) return false;
      return true;
    }
    const xk = Object.keys(x), yk = Object.keys(y);
    if (xk.length !== yk.length) return false;
    for (const k of xk) {
      if (!Object.hasOwn(y, k)) return false;
      if (!eq((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k])) return false;
    }
    return true;
  };
  return eq(a, b);
}

/**
 * Asserts that `expr` is truthy.
 * @param expr The value to check.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assert } from "./assert.ts";
 * assert(1 + 1 === 2);
 * ```
 */
export function assert(expr: unknown, msg = ""): asserts expr {
  if (!expr) throw new AssertionError(msg || "Expected expression to be truthy");
}

/**
 * Asserts deep equality (see {@linkcode equal}).
 * @param actual The value found.
 * @param expected The value expected.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assertEquals } from "./assert.ts";
 * assertEquals([1, { a: 2 }], [1, { a: 2 }]);
 * ```
 */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!equal(actual, expected)) {
    throw new AssertionError(
      `Values are not equal${suffix(msg)}\n  actual:   ${fmt(actual)}\n  expected: ${
        fmt(expected)
      }`,
    );
  }
}

/**
 * Asserts that two values are not deeply equal.
 * @param actual The value found.
 * @param expected The value it must differ from.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assertNotEquals } from "./assert.ts";
 * assertNotEquals(1, 2);
 * ```
 */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (equal(actual, expected)) {
    throw new AssertionError(
      `Expected actual: ${fmt(actual)} not to be: ${fmt(expected)}${suffix(msg)}`,
    );
  }
}

/**
 * Asserts strict (`Object.is`) equality.
 * @param actual The value found.
 * @param expected The value expected.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assertStrictEquals } from "./assert.ts";
 * const a = {};
 * assertStrictEquals(a, a);
 * ```
 */
export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  msg?: string,
): asserts actual is T {
  if (!Object.is(actual, expected)) {
    const same = equal(actual, expected)
      ? " (values are deeply equal but not the same reference)"
      : "";
    throw new AssertionError(
      `Values are not strictly equal${same}${suffix(msg)}\n  actual:   ${
        fmt(actual)
      }\n  expected: ${fmt(expected)}`,
    );
  }
}

/**
 * Asserts that two numbers are within `tolerance` of each other. As in Deno std, the default
 * tolerance is `1e-7` times the expected value (`1e-7` when it is not finite); identical values,
 * NaN included, are always equal.
 * @param actual The number found.
 * @param expected The number expected.
 * @param tolerance Largest allowed absolute difference.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assertAlmostEquals } from "./assert.ts";
 * assertAlmostEquals(0.1 + 0.2, 0.3);
 * assertAlmostEquals(3.14, Math.PI, 0.01);
 * ```
 */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance?: number,
  msg?: string,
): void {
  if (Object.is(actual, expected)) return;
  const tol = tolerance ?? (Number.isFinite(expected) ? Math.abs(expected * 1e-7) : 1e-7);
  const delta = Math.abs(expected - actual);
  if (delta <= tol) return;
  throw new AssertionError(
    `Expected actual: "${actual}" to be close to "${expected}": delta "${delta}" is greater than "${tol}"${
      suffix(msg)
    }`,
  );
}

/**
 * Asserts that `actual` is neither `null` nor `undefined`.
 * @param actual The value to check.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assertExists } from "./assert.ts";
 * assertExists(0);
 * ```
 */
export function assertExists<T>(actual: T, msg?: string): asserts actual is NonNullable<T> {
  if (actual === undefined || actual === null) {
    throw new AssertionError(msg || `Expected actual: "${actual}" to not be null or undefined`);
  }
}

function compare(
  actual: unknown,
  expected: unknown,
  ok: boolean,
  op: string,
  msg?: string,
): void {
  if (!ok) {
    throw new AssertionError(
      msg || `Expect ${fmt(actual)} ${op} ${fmt(expected)}`,
    );
  }
}

/**
 * Asserts `actual > expected`.
 * @param actual The value found.
 * @param expected The bound.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assertGreater } from "./assert.ts";
 * assertGreater(2, 1);
 * ```
 */
export function assertGreater<T>(actual: T, expected: T, msg?: string): void {
  compare(actual, expected, actual > expected, ">", msg);
}

/**
 * Asserts `actual >= expected`.
 * @param actual The value found.
 * @param expected The bound.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assertGreaterOrEqual } from "./assert.ts";
 * assertGreaterOrEqual(2, 2);
 * ```
 */
export function assertGreaterOrEqual<T>(actual: T, expected: T, msg?: string): void {
  compare(actual, expected, actual >= expected, ">=", msg);
}

/**
 * Asserts `actual < expected`.
 * @param actual The value found.
 * @param expected The bound.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assertLess } from "./assert.ts";
 * assertLess(1, 2);
 * ```
 */
export function assertLess<T>(actual: T, expected: T, msg?: string): void {
  compare(actual, expected, actual < expected, "<", msg);
}

/**
 * Asserts `actual <= expected`.
 * @param actual The value found.
 * @param expected The bound.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assertLessOrEqual } from "./assert.ts";
 * assertLessOrEqual(2, 2);
 * ```
 */
export function assertLessOrEqual<T>(actual: T, expected: T, msg?: string): void {
  compare(actual, expected, actual <= expected, "<=", msg);
}

/**
 * Asserts that `actual` contains every element of `expected` (deep equality).
 * @param actual The array-like found.
 * @param expected Elements that must be present.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assertArrayIncludes } from "./assert.ts";
 * assertArrayIncludes([1, 2, 3], [3, 1]);
 * ```
 */
export function assertArrayIncludes<T>(
  actual: ArrayLike<T>,
  expected: ArrayLike<T>,
  msg?: string,
): void {
  const missing: T[] = [];
  for (let i = 0; i < expected.length; i++) {
    let found = false;
    for (let j = 0; j < actual.length; j++) {
      if (equal(expected[i], actual[j])) {
        found = true;
        break;
      }
    }
    if (!found) missing.push(expected[i]);
  }
  if (missing.length > 0) {
    throw new AssertionError(
      msg ||
        `Expected actual: "${fmt(actual)}" to include: "${fmt(expected)}"\nmissing: ${
          fmt(missing)
        }`,
    );
  }
}

/**
 * Asserts that `actual` matches the regular expression.
 * @param actual The string found.
 * @param expected The pattern.
 * @param msg Optional message.
 * @example
 * ```ts
 * import { assertMatch } from "./assert.ts";
 * assertMatch("movie 42", /\d+/);
 * ```
 */
export function assertMatch(actual: string, expected: RegExp, msg?: string): void {
  if (!expected.test(actual)) {
    throw new AssertionError(msg || `Expected actual: "${actual}" to match: "${expected}"`);
  }
}

/**
 * Fails unconditionally.
 * @param msg Optional message.
 * @returns Never returns.
 * @example
 * ```ts
 * import { AssertionError, assertThrows, fail } from "./assert.ts";
 * assertThrows(() => fail("boom"), AssertionError, "Failed assertion: boom");
 * ```
 */
export function fail(msg?: string): never {
  throw new AssertionError(`Failed assertion${msg ? `: ${msg}` : "."}`);
}

// deno-lint-ignore no-explicit-any
type ErrorClass<E extends Error = Error> = new (...args: any[]) => E;

function checkError(
  e: unknown,
  ErrorClass?: ErrorClass,
  msgIncludes?: string,
  msg?: string,
): void {
  if (ErrorClass === undefined) return;
  if (!(e instanceof ErrorClass)) {
    throw new AssertionError(
      `Expected error to be instance of "${ErrorClass.name}", but was "${
        e instanceof Error ? e.constructor.name : typeof e
      }"${suffix(msg)}`,
    );
  }
  if (msgIncludes !== undefined && !e.message.includes(msgIncludes)) {
    throw new AssertionError(
      `Expected error message to include ${JSON.stringify(msgIncludes)}, but got ${
        JSON.stringify(e.message)
      }${suffix(msg)}`,
    );
  }
}

/**
 * Asserts that `fn` throws; optionally that the error is an instance of `ErrorClass` whose
 * message includes `msgIncludes`. Returns the error thrown.
 * @param fn The function expected to throw.
 * @param ErrorClass Expected class of the error.
 * @param msgIncludes Text the message must include.
 * @param msg Optional message.
 * @returns The thrown error.
 * @example
 * ```ts
 * import { assertThrows } from "./assert.ts";
 * assertThrows(() => { throw new RangeError("k must be > 0"); }, RangeError, "k must");
 * ```
 */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): E {
  let thrown = false;
  let err: unknown;
  try {
    fn();
  } catch (e) {
    thrown = true;
    err = e;
  }
  if (!thrown) throw new AssertionError(`Expected function to throw${suffix(msg)}`);
  checkError(err, ErrorClass, msgIncludes, msg);
  return err as E;
}

/**
 * Asserts that the promise returned by `fn` rejects; optionally with an instance of
 * `ErrorClass` whose message includes `msgIncludes`. Resolves to the error.
 * @param fn The async function expected to reject.
 * @param ErrorClass Expected class of the error.
 * @param msgIncludes Text the message must include.
 * @param msg Optional message.
 * @returns The rejection reason.
 * @example
 * ```ts
 * import { assertRejects } from "./assert.ts";
 * await assertRejects(() => Promise.reject(new TypeError("bad")), TypeError, "bad");
 * ```
 */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): Promise<E> {
  let rejected = false;
  let err: unknown;
  let promise: PromiseLike<unknown>;
  try {
    promise = fn();
  } catch (e) {
    throw new AssertionError(
      `Function throws when expected to reject: ${fmt(e)}${suffix(msg)}`,
    );
  }
  if (!promise || typeof promise.then !== "function") {
    throw new AssertionError(`Function did not return a promise${suffix(msg)}`);
  }
  try {
    await promise;
  } catch (e) {
    rejected = true;
    err = e;
  }
  if (!rejected) throw new AssertionError(`Expected function to reject${suffix(msg)}`);
  checkError(err, ErrorClass, msgIncludes, msg);
  return err as E;
}
