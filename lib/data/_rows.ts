/**
 * Private DataFrame helpers shared by the splitters, statistics, duplicate removal and tensor
 * converters: id columns as Int32Arrays, checked (a null, a fractional or too large id is an
 * error naming the caller, the column and the first bad row, never a cast that silently
 * changes it; number columns are `numberColumn()` of `lib/_validate.ts`), and row gathering.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { DataFrame } from "nodejs-polars";
import { idColumn } from "../_validate.ts";

/**
 * An id column (userId, movieId) as an Int32Array.
 * @throws {TypeError} When the frame lacks the column, or it is not numeric or holds a null or
 *   fractional id (naming the first and its row).
 * @throws {RangeError} On an id outside the 32-bit range, naming it and its row.
 */
export function idValues(df: DataFrame, name: string, who: string): Int32Array {
  const s = df.getColumn(name);
  if (s.dtype.equals(pl.Int32) && s.nullCount() === 0) return s.toTypedArray() as Int32Array;
  return Int32Array.from(idColumn(df, name, who));
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
