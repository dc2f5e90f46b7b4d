/**
 * Input checks shared by the whole library (private to lib): a short description of any value
 * for error messages, integer and finite-number checks, and a DataFrame check with readers for
 * id, number, rating and text columns. Every error names the calling function (`who`, e.g.
 * `"rmse()"`), what was expected and what was found, and for columns and arrays the row or
 * position of the first bad value: a `TypeError` when the kind of value is wrong, a `RangeError`
 * when its value is.
 *
 * @module
 */

import pl from "nodejs-polars";
import { COLUMNS } from "./defaults.ts";
import { describe, found } from "./_describe.ts";

export { describe, found, literal } from "./_describe.ts";
export { checkOptionKeys } from "./_options.ts";

/** A nodejs-polars DataFrame (the type only). */
export type DataFrame = pl.DataFrame;

/** Anything indexable with numbers: a typed array or a plain number array. */
export type Numbers = ArrayLike<number>;

/**
 * A count with its noun for messages, a whole count's thousands grouped (a fraction as it is)
 * and the noun in the plural but for 1.
 *
 * @param n The count.
 * @param what The noun in the singular.
 * @param whats Its plural, when that is not `what` with an "s".
 * @returns E.g. `"1 rating"`, `"12,345 ratings"`.
 * @example
 * ```ts
 * import { plural } from "./_validate.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals([plural(1, "row"), plural(1234, "user")], ["1 row", "1,234 users"]);
 * assertEquals(plural(2, "bias", "biases"), "2 biases");
 * ```
 */
export function plural(n: number, what: string, whats = `${what}s`): string {
  return `${Number.isInteger(n) ? n.toLocaleString("en") : String(n)} ${n === 1 ? what : whats}`;
}

/** The largest id the library's tables hold (they are Int32Arrays). */
export const INT32_MAX = 2147483647;
/** The smallest id the library's tables hold. */
export const INT32_MIN = -2147483648;

/** Bounds of {@linkcode checkInteger}. */
export interface IntegerBounds {
  /**
   * The smallest allowed value.
   * @default {-Infinity}
   */
  min?: number;
  /**
   * The largest allowed value.
   * @default {Infinity}
   */
  max?: number;
}

function integerKind(min: number, max: number): string {
  if (max !== Infinity) return `an integer in [${min}, ${max}]`;
  if (min === 1) return "a positive integer";
  if (min === 0) return "a non-negative integer";
  if (min === -Infinity) return "an integer";
  return `an integer >= ${min}`;
}

/**
 * Checks that `value` is an integer within bounds.
 *
 * @param value The value to check.
 * @param name What it is, as the caller calls it (an option name such as `"k"`).
 * @param who The calling function, e.g. `"mostSimilar()"`.
 * @param bounds The allowed range.
 * @returns The value, typed as a number.
 * @throws {TypeError} When `value` is not a number.
 * @throws {RangeError} When it is a number but not an integer within bounds.
 * @example
 * ```ts
 * import { checkInteger } from "./_validate.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 * assertEquals(checkInteger(3, "component", "f()", { min: 0, max: 4 }), 3);
 * assertThrows(
 *   () => checkInteger(5, "component", "f()", { min: 0, max: 4 }),
 *   RangeError,
 *   "f(): expected component to be an integer in [0, 4], found 5",
 * );
 * ```
 */
export function checkInteger(
  value: unknown,
  name: string,
  who: string,
  bounds: IntegerBounds = {},
): number {
  const { min = -Infinity, max = Infinity } = bounds;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const Error = typeof value === "number" ? RangeError : TypeError;
    throw new Error(
      `${who}: expected ${name} to be ${integerKind(min, max)}, found ${found(value)}`,
    );
  }
  return value;
}

/**
 * Checks that `value` is an integer >= 1.
 *
 * @param value The value to check.
 * @param name What it is, as the caller calls it.
 * @param who The calling function.
 * @returns The value, typed as a number.
 * @throws {TypeError} When `value` is not a number.
 * @throws {RangeError} When it is a number but not a positive integer.
 * @example
 * ```ts
 * import { checkPositiveInt } from "./_validate.ts";
 * import { assertThrows } from "@std/assert";
 * assertThrows(
 *   () => checkPositiveInt(0, "k", "mostSimilar()"),
 *   RangeError,
 *   "mostSimilar(): expected k to be a positive integer, found 0",
 * );
 * ```
 */
export function checkPositiveInt(value: unknown, name: string, who: string): number {
  return checkInteger(value, name, who, { min: 1 });
}

/**
 * Checks that `value` is `true` or `false`.
 *
 * @param value The value to check.
 * @param name What it is, as the caller calls it.
 * @param who The calling function.
 * @returns The value, typed as a boolean.
 * @throws {TypeError} When `value` is anything else.
 * @example
 * ```ts
 * import { checkBoolean } from "./_validate.ts";
 * import { assertThrows } from "@std/assert";
 * assertThrows(
 *   () => checkBoolean("yes", "fuse", "train()"),
 *   TypeError,
 *   "train(): expected fuse to be true or false, found string yes",
 * );
 * ```
 */
export function checkBoolean(value: unknown, name: string, who: string): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`${who}: expected ${name} to be true or false, found ${describe(value)}`);
  }
  return value;
}

/**
 * Checks that `value` is an integer >= 0.
 *
 * @param value The value to check.
 * @param name What it is, as the caller calls it.
 * @param who The calling function.
 * @returns The value, typed as a number.
 * @throws {TypeError} When `value` is not a number.
 * @throws {RangeError} When it is a number but not a non-negative integer.
 * @example
 * ```ts
 * import { checkNonNegativeInt } from "./_validate.ts";
 * import { assertThrows } from "@std/assert";
 * assertThrows(
 *   () => checkNonNegativeInt(1.5, "minRatings", "recommend()"),
 *   RangeError,
 *   "recommend(): expected minRatings to be a non-negative integer, found 1.5",
 * );
 * ```
 */
export function checkNonNegativeInt(value: unknown, name: string, who: string): number {
  return checkInteger(value, name, who, { min: 0 });
}

/**
 * Checks that `value` is a finite number.
 *
 * @param value The value to check.
 * @param name What it is, as the caller calls it.
 * @param who The calling function.
 * @returns The value, typed as a number.
 * @throws {TypeError} When `value` is not a number.
 * @throws {RangeError} When it is NaN or infinite.
 * @example
 * ```ts
 * import { checkFiniteNumber } from "./_validate.ts";
 * import { assertThrows } from "@std/assert";
 * assertThrows(
 *   () => checkFiniteNumber(NaN, "threshold", "f()"),
 *   RangeError,
 *   "f(): expected threshold to be a finite number, found NaN",
 * );
 * ```
 */
export function checkFiniteNumber(value: unknown, name: string, who: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    const Error = typeof value === "number" ? RangeError : TypeError;
    throw new Error(`${who}: expected ${name} to be a finite number, found ${found(value)}`);
  }
  return value;
}

/**
 * Checks that `value` is a finite number >= 0 (an L2 coefficient, a weight decay).
 *
 * @param value The value to check.
 * @param name What it is, as the caller calls it.
 * @param who The calling function.
 * @returns The value, typed as a number.
 * @throws {TypeError} When `value` is not a number.
 * @throws {RangeError} When it is negative, NaN or infinite.
 * @example
 * ```ts
 * import { checkNonNegativeNumber } from "./_validate.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 * assertEquals(checkNonNegativeNumber(0, "l2", "buildModel()"), 0);
 * assertThrows(
 *   () => checkNonNegativeNumber(-1e-4, "l2", "buildModel()"),
 *   RangeError,
 *   "buildModel(): expected l2 to be a finite number >= 0, found -0.0001",
 * );
 * ```
 */
export function checkNonNegativeNumber(value: unknown, name: string, who: string): number {
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
    const Error = typeof value === "number" ? RangeError : TypeError;
    throw new Error(`${who}: expected ${name} to be a finite number >= 0, found ${found(value)}`);
  }
  return value;
}

/**
 * Checks a learning rate: a finite number > 0.
 *
 * @param value The value to check.
 * @param who The calling function.
 * @param name What it is, as the caller calls it.
 * @returns The value, typed as a number.
 * @throws {TypeError} When `value` is not a number.
 * @throws {RangeError} When it is 0, negative, NaN or infinite.
 * @example
 * ```ts
 * import { checkLearningRate } from "./_validate.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 * assertEquals(checkLearningRate(1e-3, "compileModel()"), 1e-3);
 * assertThrows(
 *   () => checkLearningRate(0, "compileModel()"),
 *   RangeError,
 *   "compileModel(): expected learningRate to be a finite number > 0, found 0",
 * );
 * ```
 */
export function checkLearningRate(value: unknown, who: string, name = "learningRate"): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    const Error = typeof value === "number" ? RangeError : TypeError;
    throw new Error(`${who}: expected ${name} to be a finite number > 0, found ${found(value)}`);
  }
  return value;
}

/**
 * Checks that every value is finite.
 *
 * @param values The numbers to check.
 * @param what What they are, e.g. `"yPred"`.
 * @param who The calling function.
 * @throws {RangeError} Naming the first NaN or infinite value and its position.
 * @example
 * ```ts
 * import { checkFinite } from "./_validate.ts";
 * import { assertThrows } from "@std/assert";
 * assertThrows(
 *   () => checkFinite([1, NaN], "yPred", "rmse()"),
 *   RangeError,
 *   "rmse(): expected finite numbers in yPred, found NaN at position 1",
 * );
 * ```
 */
export function checkFinite(values: Numbers, what: string, who: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new RangeError(
        `${who}: expected finite numbers in ${what}, found ${values[i]} at position ${i}`,
      );
    }
  }
}

/**
 * Whether `x` is an array or typed array of numbers (checked on the first element).
 *
 * @param x Any value.
 * @returns True for a number array, an empty array or a non-bigint typed array.
 * @example
 * ```ts
 * import { isNumbers } from "./_validate.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals([isNumbers([1, 2]), isNumbers(new Float32Array(2)), isNumbers(["1"])], [
 *   true,
 *   true,
 *   false,
 * ]);
 * ```
 */
export function isNumbers(x: unknown): x is Numbers {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    return typeof (x as unknown as Numbers)[0] !== "bigint";
  }
  return Array.isArray(x) && (x.length === 0 || typeof x[0] === "number");
}

/**
 * Integer ids from any numbers, as an Int32Array.
 *
 * @param values The ids.
 * @param what What they are, e.g. `"userIds"`.
 * @param who The calling function.
 * @returns The ids.
 * @throws {TypeError} When `values` is not an array of numbers, or an id is not a 32-bit
 *   integer (naming it and its position).
 * @example
 * ```ts
 * import { toIds } from "./_validate.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 * assertEquals(toIds([3, 1], "ids", "f()"), new Int32Array([3, 1]));
 * assertThrows(() => toIds([1.5], "ids", "f()"), TypeError, "found 1.5 at position 0");
 * ```
 */
export function toIds(values: unknown, what: string, who: string): Int32Array {
  if (!isNumbers(values)) {
    throw new TypeError(
      `${who}: expected ${what} to be an array of ids, found ${describe(values)}`,
    );
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v > INT32_MAX || v < INT32_MIN) {
      throw new TypeError(`${who}: expected integer ids in ${what}, found ${v} at position ${i}`);
    }
    out[i] = v;
  }
  return out;
}

/** An id encoder as {@linkcode encodeIds} uses it (`IdEncoder` from `lib/data`). */
export interface IdLookup {
  /** Number of ids it was fitted on. */
  readonly size: number;
  /** Whether an id has an index. */
  has(id: number): boolean;
  /** Raw ids → indices; throws a `RangeError` on an unknown id. */
  encode(ids: ArrayLike<number>): Int32Array;
}

/**
 * Raw ids → indices with an id encoder, an unknown id reported naming the calling function,
 * whether it is a user or a movie id, the input it was found in and how many of its entries
 * are unknown (the encoder alone knows none of these: one fitted without a name says
 * `unknown id 3`).
 *
 * @param encoder The encoder (a model's `users` or `movies`, a task's).
 * @param ids The raw ids.
 * @param role `"user"` or `"movie"`.
 * @param who The calling function, e.g. `"predict()"`.
 * @param source The input the ids come from (`"ratings"`, `"ids"`), or undefined.
 * @param frame Whether `source` is a table, whose entries are rows (else a list, whose entries
 *   are positions).
 * @returns The indices.
 * @throws {TypeError} When `ids` is not a list of numbers.
 * @throws {RangeError} Naming the first unknown id, its row (or position) when there are
 *   several, and how many are unknown.
 * @example
 * ```ts
 * import { IdEncoder } from "../lib/data/encoder.ts";
 * import { encodeIds } from "./_validate.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 * const users = IdEncoder.fit([1, 2]);
 * assertEquals(encodeIds(users, [2, 1], "user", "f()"), Int32Array.of(1, 0));
 * assertThrows(
 *   () => encodeIds(users, [1, 3, 4], "user", "f()", "ratings"),
 *   RangeError,
 *   "f(): ratings: unknown user id 3 in row 1 (2 of its 3 rows have user ids not among the 2 " +
 *     "user ids the encoder was fitted on)",
 * );
 * ```
 */
export function encodeIds(
  encoder: IdLookup,
  ids: ArrayLike<number>,
  role: "user" | "movie",
  who: string,
  source?: string,
  frame = source !== undefined,
): Int32Array {
  const from = source === undefined ? "" : `${source}: `;
  if (!isNumbers(ids)) {
    throw new TypeError(`${who}: ${from}expected a list of ${role} ids, found ${describe(ids)}`);
  }
  try {
    return encoder.encode(ids);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    let first = -1, unknown = 0;
    for (let i = 0; i < ids.length; i++) {
      if (!encoder.has(ids[i])) {
        unknown++;
        if (first < 0) first = i;
      }
    }
    if (first < 0) throw e;
    const count = (n: number) => n.toLocaleString("en-US");
    const fitted = `the ${count(encoder.size)} ${role} ids the encoder was fitted on`;
    let detail: string;
    if (ids.length === 1) detail = `(not among ${fitted})`;
    else if (!frame) {
      detail = `at position ${first} (${count(unknown)} of the ${count(ids.length)} ${role} ` +
        `ids given ${unknown === 1 ? "is" : "are"} not among ${fitted})`;
    } else {
      detail = `in row ${first} (${count(unknown)} of its ${count(ids.length)} rows ` +
        `${unknown === 1 ? "has a" : "have"} ${role} id${unknown === 1 ? "" : "s"} not among ` +
        `${fitted})`;
    }
    throw new RangeError(
      `${who}: ${from}unknown ${role} id ${ids[first]} ${detail}`,
      { cause: e },
    );
  }
}

/**
 * Whether `x` looks like a nodejs-polars DataFrame.
 *
 * @param x Any value.
 * @returns True for a DataFrame.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { isDataFrame } from "./_validate.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals([isDataFrame(pl.DataFrame({ a: [1] })), isDataFrame({ a: [1] })], [true, false]);
 * ```
 */
export function isDataFrame(x: unknown): x is DataFrame {
  return typeof x === "object" && x !== null &&
    typeof (x as DataFrame).getColumn === "function" &&
    Array.isArray((x as DataFrame).columns);
}

/**
 * Checks that `df` is a DataFrame holding every column in `columns`.
 *
 * @param df The value to check.
 * @param columns The columns it must have.
 * @param who The calling function.
 * @returns The DataFrame, typed as one.
 * @throws {TypeError} When `df` is not a DataFrame or lacks a column (naming the missing ones and
 *   the columns it has).
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { checkFrame } from "./_validate.ts";
 * import { assertThrows } from "@std/assert";
 * assertThrows(
 *   () => checkFrame(pl.DataFrame({ userId: [1] }), ["userId", "rating"], "f()"),
 *   TypeError,
 *   'f(): expected a "rating" column, found columns [userId]',
 * );
 * ```
 */
export function checkFrame(df: unknown, columns: readonly string[], who: string): DataFrame {
  if (!isDataFrame(df)) {
    throw new TypeError(`${who}: expected a DataFrame, found ${describe(df)}`);
  }
  const missing = columns.filter((n) => !df.columns.includes(n));
  if (missing.length > 0) {
    const names = missing.map((n) => `"${n}"`);
    const wanted = names.length === 1 ? `a ${names[0]} column` : `columns ${names.join(", ")}`;
    throw new TypeError(`${who}: expected ${wanted}, found columns [${df.columns.join(", ")}]`);
  }
  return df;
}

/** A numeric column's values as float64; `what` says what they should be, for the errors. */
function numericValues(df: unknown, name: string, who: string, what: string): Float64Array {
  const s = checkFrame(df, [name], who).getColumn(name);
  if (!s.isNumeric()) {
    // Polars prints a type as "DataType(String)"; its variant is the name a reader knows.
    const type = (s.dtype as unknown as { variant?: string }).variant ?? String(s.dtype);
    throw new TypeError(`${who}: expected ${what} in "${name}", found a ${type} column`);
  }
  if (s.nullCount() > 0) {
    const row = (s.isNull().toArray() as boolean[]).indexOf(true);
    const Error = what === "integer ids" ? TypeError : RangeError;
    throw new Error(`${who}: expected ${what} in "${name}", found null at row ${row}`);
  }
  return s.cast(pl.Float64).toTypedArray() as Float64Array;
}

/**
 * A numeric column as finite float64 values.
 *
 * @param df The DataFrame.
 * @param name The column.
 * @param who The calling function.
 * @returns The values.
 * @throws {TypeError} When `df` is not a DataFrame, lacks the column or the column is not
 *   numeric.
 * @throws {RangeError} Naming the first null, NaN or infinite value and its row.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { numberColumn } from "./_validate.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 * const df = pl.DataFrame({ rating: [4, NaN] });
 * assertEquals(numberColumn(df.head(1), "rating", "f()"), new Float64Array([4]));
 * assertThrows(
 *   () => numberColumn(df, "rating", "f()"),
 *   RangeError,
 *   'f(): expected finite numbers in "rating", found NaN at row 1',
 * );
 * ```
 */
export function numberColumn(df: unknown, name: string, who: string): Float64Array {
  const values = numericValues(df, name, who, "finite numbers");
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new RangeError(
        `${who}: expected finite numbers in "${name}", found ${values[i]} at row ${i}`,
      );
    }
  }
  return values;
}

/**
 * An integer id column (userId, movieId) as float64 values, each a 32-bit integer: the ids of
 * every table and encoder of the library are Int32Arrays, so a larger id would come back
 * changed (3,000,000,000 as −1,294,967,296) rather than refused.
 *
 * @param df The DataFrame.
 * @param name The column.
 * @param who The calling function.
 * @returns The ids.
 * @throws {TypeError} When `df` is not a DataFrame, lacks the column, or a value is not an
 *   integer (naming the first and its row).
 * @throws {RangeError} When an id is outside the 32-bit range (naming the first and its row).
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { idColumn } from "./_validate.ts";
 * import { assertThrows } from "@std/assert";
 * assertThrows(
 *   () => idColumn(pl.DataFrame({ movieId: [1, 2.5] }), "movieId", "f()"),
 *   TypeError,
 *   'f(): expected integer ids in "movieId", found 2.5 at row 1',
 * );
 * ```
 */
export function idColumn(df: unknown, name: string, who: string): Float64Array {
  const values = numericValues(df, name, who, "integer ids");
  for (let i = 0; i < values.length; i++) {
    if (!Number.isInteger(values[i])) {
      throw new TypeError(
        `${who}: expected integer ids in "${name}", found ${values[i]} at row ${i}`,
      );
    }
    if (values[i] < INT32_MIN || values[i] > INT32_MAX) {
      throw new RangeError(
        `${who}: expected 32-bit integer ids in "${name}", found ${values[i]} at row ${i}`,
      );
    }
  }
  return values;
}

/** The userId, movieId and rating columns of a ratings DataFrame, read by {@linkcode ratingColumns}. */
export interface RatingColumnValues {
  /** userId of each row. */
  userIds: Float64Array;
  /** movieId of each row. */
  movieIds: Float64Array;
  /** rating of each row; empty when the rating was not asked for. */
  ratings: Float64Array;
}

/**
 * Reads userId and movieId, and rating unless `withRating` is false, from a non-empty ratings
 * DataFrame.
 *
 * @param df The ratings.
 * @param who The calling function.
 * @param withRating Whether the rating column is needed.
 * @returns The columns.
 * @throws {TypeError} When `df` is not a DataFrame, lacks a column or holds a non-integer id.
 * @throws {RangeError} When it has no rows, an id is outside the 32-bit range, or a rating is
 *   null, NaN or infinite.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { ratingColumns } from "./_validate.ts";
 * import { assertEquals, assertThrows } from "@std/assert";
 * const df = pl.DataFrame({ userId: [1, 2], movieId: [10, 20], rating: [4, 3.5] });
 * assertEquals(ratingColumns(df, "f()").ratings, new Float64Array([4, 3.5]));
 * assertThrows(
 *   () => ratingColumns(df.head(0), "f()"),
 *   RangeError,
 *   "f(): expected at least one rating row, found an empty DataFrame",
 * );
 * ```
 */
export function ratingColumns(df: unknown, who: string, withRating = true): RatingColumnValues {
  const columns = withRating
    ? [COLUMNS.user, COLUMNS.movie, COLUMNS.rating]
    : [COLUMNS.user, COLUMNS.movie];
  const frame = checkFrame(df, columns, who);
  if (frame.height === 0) {
    throw new RangeError(`${who}: expected at least one rating row, found an empty DataFrame`);
  }
  return {
    userIds: idColumn(frame, COLUMNS.user, who),
    movieIds: idColumn(frame, COLUMNS.movie, who),
    ratings: withRating ? numberColumn(frame, COLUMNS.rating, who) : new Float64Array(0),
  };
}

/**
 * A text column as strings, null becoming `undefined`.
 *
 * @param df The DataFrame.
 * @param name The column.
 * @param who The calling function.
 * @returns One string (or `undefined`) per row.
 * @throws {TypeError} When `df` is not a DataFrame or lacks the column.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { textColumn } from "./_validate.ts";
 * import { assertEquals } from "@std/assert";
 * const df = pl.DataFrame({ title: ["Heat", null] });
 * assertEquals(textColumn(df, "title", "f()"), ["Heat", undefined]);
 * ```
 */
export function textColumn(df: unknown, name: string, who: string): (string | undefined)[] {
  return checkFrame(df, [name], who).getColumn(name).toArray().map((v: unknown) =>
    v === null || v === undefined ? undefined : String(v)
  );
}

/**
 * A text column that may be absent, null becoming `""`.
 *
 * @param df The DataFrame.
 * @param name The column.
 * @returns One string per row, or `undefined` when the column is absent.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { optionalStringColumn } from "./_validate.ts";
 * import { assertEquals } from "@std/assert";
 * const df = pl.DataFrame({ genres: ["Drama", null] });
 * assertEquals(optionalStringColumn(df, "genres"), ["Drama", ""]);
 * assertEquals(optionalStringColumn(df, "title"), undefined);
 * ```
 */
export function optionalStringColumn(df: DataFrame, name: string): string[] | undefined {
  if (!df.columns.includes(name)) return undefined;
  return (df.getColumn(name).toArray() as unknown[]).map((v) => v == null ? "" : String(v));
}
