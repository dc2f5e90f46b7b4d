/**
 * Private DataFrame helpers shared by the splitters, statistics, duplicate removal and tensor
 * converters: typed-array access to columns the caller has checked (with `checkFrame` of
 * `lib/_validate.ts`), and row gathering.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { DataFrame } from "nodejs-polars";

/** @returns The column as an Int32Array (cast when stored as another numeric type). */
export function int32Column(df: DataFrame, name: string): Int32Array {
  const s = df.getColumn(name);
  const typed = s.dtype.equals(pl.Int32) ? s.toTypedArray() : s.cast(pl.Int32).toTypedArray();
  return typed as Int32Array;
}

/** @returns The column as a Float64Array (Int64 timestamps included). */
export function float64Column(df: DataFrame, name: string): Float64Array {
  const s = df.getColumn(name);
  const typed = s.dtype.equals(pl.Float64) ? s.toTypedArray() : s.cast(pl.Float64).toTypedArray();
  return typed as Float64Array;
}

/** @returns The rows of `df` at `indices`, in that order. */
export function gatherRows(df: DataFrame, indices: ArrayLike<number>): DataFrame {
  if (indices.length === 0) return df.head(0);
  return df.select(pl.col("*").gather(Array.from(indices)));
}

/** @returns Two frames: rows whose flag is set (in source order), and the others. */
export function partitionRows(
  df: DataFrame,
  flags: Uint8Array,
): { selected: DataFrame; rest: DataFrame } {
  const yes: number[] = [];
  const no: number[] = [];
  for (let i = 0; i < flags.length; i++) (flags[i] ? yes : no).push(i);
  return { selected: gatherRows(df, yes), rest: gatherRows(df, no) };
}
