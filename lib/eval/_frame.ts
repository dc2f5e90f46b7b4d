// Private helpers shared by lib/eval and lib/analysis: read and check DataFrame columns and
// plain numeric arrays, with error messages that name the function, the column and the value.

import pl from "nodejs-polars";
import { COLUMNS } from "../defaults.ts";

/** Anything indexable with numbers: a typed array or a plain number array. */
export type Numbers = ArrayLike<number>;

/** Whether `x` looks like a nodejs-polars DataFrame. */
export function isFrame(x: unknown): x is pl.DataFrame {
  return typeof x === "object" && x !== null &&
    typeof (x as pl.DataFrame).getColumn === "function" &&
    Array.isArray((x as pl.DataFrame).columns);
}

/** Throws a TypeError unless `df` is a DataFrame holding every column in `names`. */
export function checkFrame(df: unknown, names: readonly string[], who: string): pl.DataFrame {
  if (!isFrame(df)) {
    throw new TypeError(`${who}: expected a DataFrame, found ${describe(df)}`);
  }
  const missing = names.filter((n) => !df.columns.includes(n));
  if (missing.length > 0) {
    throw new TypeError(
      `${who}: expected columns ${names.join(", ")}; missing ${missing.join(", ")} ` +
        `(found ${df.columns.join(", ") || "no columns"})`,
    );
  }
  return df;
}

/** A numeric column as finite float64 values; nulls, NaN and ±Infinity are errors. */
export function numberColumn(df: pl.DataFrame, name: string, who: string): Float64Array {
  checkFrame(df, [name], who);
  const s = df.getColumn(name);
  if (!s.isNumeric()) {
    throw new TypeError(`${who}: expected column "${name}" to be numeric, found ${s.dtype}`);
  }
  const nulls = s.nullCount();
  if (nulls > 0) {
    throw new RangeError(`${who}: column "${name}" has ${nulls} null value(s)`);
  }
  const values = s.cast(pl.Float64).toTypedArray() as Float64Array;
  checkFinite(values, `column "${name}"`, who);
  return values;
}

/** An integer id column (e.g. userId, movieId) as an Int32Array. */
export function idColumn(df: pl.DataFrame, name: string, who: string): Int32Array {
  return toIds(numberColumn(df, name, who), `column "${name}"`, who);
}

/**
 * userId, movieId and rating of a non-empty ratings DataFrame; `what` names the frame in the
 * error (`"training"`, `"test"`).
 */
export function ratingColumns(
  df: pl.DataFrame,
  what: string,
  who: string,
): { users: Int32Array; movies: Int32Array; ratings: Float64Array } {
  checkFrame(df, [COLUMNS.user, COLUMNS.movie, COLUMNS.rating], who);
  if (df.height === 0) {
    throw new RangeError(`${who}: expected a non-empty ${what} DataFrame, found 0 rows`);
  }
  return {
    users: idColumn(df, COLUMNS.user, who),
    movies: idColumn(df, COLUMNS.movie, who),
    ratings: numberColumn(df, COLUMNS.rating, who),
  };
}

/** A text column as strings; null becomes `undefined`. */
export function textColumn(df: pl.DataFrame, name: string, who: string): (string | undefined)[] {
  checkFrame(df, [name], who);
  return df.getColumn(name).toArray().map((v: unknown) =>
    v === null || v === undefined ? undefined : String(v)
  );
}

/** Integer ids from any numbers; a fractional or non-finite id is a TypeError naming it. */
export function toIds(values: Numbers, what: string, who: string): Int32Array {
  if (!isNumbers(values)) {
    throw new TypeError(
      `${who}: expected ${what} to be an array of ids, found ${describe(values)}`,
    );
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v > 2147483647 || v < -2147483648) {
      throw new TypeError(`${who}: expected integer ids in ${what}, found ${v} at position ${i}`);
    }
    out[i] = v;
  }
  return out;
}

/** Throws a RangeError naming the first NaN or infinite value. */
export function checkFinite(values: Numbers, what: string, who: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new RangeError(
        `${who}: expected finite numbers in ${what}, found ${values[i]} at position ${i}`,
      );
    }
  }
}

/** Whether `x` is an array or typed array of numbers (checked on the first element). */
export function isNumbers(x: unknown): x is Numbers {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    return typeof (x as unknown as Numbers)[0] !== "bigint";
  }
  return Array.isArray(x) && (x.length === 0 || typeof x[0] === "number");
}

/** Throws unless `k` is a positive integer. */
export function checkPositiveInt(k: number, what: string, who: string): void {
  if (!Number.isInteger(k) || k <= 0) {
    throw new RangeError(`${who}: expected ${what} to be a positive integer, found ${k}`);
  }
}

/** A short description of a value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === "object") return `an object (${x.constructor?.name ?? "Object"})`;
  return `${typeof x} ${String(x)}`;
}
