/**
 * Readable tables for committed notebooks. The Deno kernel renders a Polars DataFrame with every
 * float at full precision (`0.7239674945033985`); {@linkcode roundFloats} rounds the float
 * columns once, so a table shows `0.724` and the committed outputs stay small and diff-friendly.
 *
 * @module
 */

import pl from "nodejs-polars";

/** Options of {@linkcode roundFloats}. */
export interface RoundFloatsOptions {
  /**
   * Decimals kept in every Float32/Float64 column.
   * @default {4}
   */
  digits?: number;
}

function isFrame(value: unknown): value is pl.DataFrame {
  return typeof value === "object" && value !== null &&
    Array.isArray((value as pl.DataFrame).columns) &&
    typeof (value as pl.DataFrame).getColumn === "function";
}

/**
 * Rounds every float column of a DataFrame to `digits` decimals (half away from zero, as
 * Polars' `round`); integer, string, boolean and null columns are unchanged.
 *
 * @param df The table to show.
 * @param options The number of decimals.
 * @returns A new DataFrame with the same columns in the same order.
 * @throws {TypeError} When `df` is not a DataFrame.
 * @throws {RangeError} When `digits` is not an integer from 0 to 15.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { roundFloats } from "./tables.ts";
 * const df = pl.DataFrame({ model: ["mlp"], mae: [0.7239674945033985], n: [15126] });
 * console.log(roundFloats(df, { digits: 3 }).row(0)); // ["mlp", 0.724, 15126]
 * ```
 */
export function roundFloats(df: pl.DataFrame, options: RoundFloatsOptions = {}): pl.DataFrame {
  const { digits = 4 } = options;
  if (!isFrame(df)) {
    throw new TypeError(
      `roundFloats(): expected a Polars DataFrame, found ${df === null ? "null" : typeof df}`,
    );
  }
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) {
    throw new RangeError(`roundFloats(): expected digits to be an integer 0–15, found ${digits}`);
  }
  const floats = df.columns.filter((name) => {
    const dtype = df.getColumn(name).dtype;
    return dtype.equals(pl.Float64) || dtype.equals(pl.Float32);
  });
  if (floats.length === 0) return df.clone();
  return df.withColumns(...floats.map((name) => pl.col(name).round(digits)));
}
