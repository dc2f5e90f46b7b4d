/**
 * Readable tables for committed notebooks. {@linkcode table} turns whatever a cell computes (a
 * Polars DataFrame or Series, an array of records, a plain object, a Map, a typed array, a single
 * number) into a table whose numbers are for reading: 4 significant digits for errors and
 * losses, 3 for shares, integers with thousands separators, ids and years as they are, empty
 * cells empty (never `null`). `setupDisplay()` (display.ts) makes the same table the default
 * display of every DataFrame and object a cell returns. {@linkcode roundFloats} rounds the
 * float columns of a DataFrame itself, for a frame that is computed on.
 *
 * @module
 */

import pl from "nodejs-polars";
import { checkOptionKeys, found, isDataFrame } from "../_validate.ts";
import {
  type CellFormat,
  type ColumnFormat,
  DEFAULT_CELL_FORMAT,
  formatCell,
  type Grid,
  gridToHtml,
  gridToText,
  JUPYTER_DISPLAY,
  recordsGrid,
} from "./_text.ts";

export type { CellFormat, ColumnFormat, Grid };
export { isDataFrame };

/** Options of {@linkcode table}. */
export interface TableFormatOptions {
  /**
   * Significant digits of floats (errors, losses, means, biases).
   * @default {4}
   */
  digits?: number;
  /**
   * Significant digits of floats in a column whose name says it holds a share (share,
   * fraction, proportion, ratio, density, %, explained, coverage).
   * @default {3}
   */
  shareDigits?: number;
  /**
   * Per-column formats, overriding the guess from the name: a number of significant digits,
   * `"integer"` (rounded, thousands separators), `"id"` (as it is: ids, years, epochs), `"share"`,
   * or a function returning the cell's text. Columns named like `movieId`, `year`, `epoch`,
   * `seed` are `"id"` unless given here.
   * @default {{}}
   */
  columns?: Record<string, ColumnFormat>;
  /**
   * Rows shown before "… N more rows" (the text form shows only the first 20 rows of a table
   * longer than 40).
   * @default {50}
   */
  maxRows?: number;
}

/** Every option of {@linkcode table} and `setupDisplay()` (the type makes the list complete). */
const TABLE_FORMAT_OPTIONS: Record<keyof TableFormatOptions, true> = {
  digits: true,
  shareDigits: true,
  columns: true,
  maxRows: true,
};

/** The cell format a set of options gives, checked. */
export function cellFormat(
  fn: string,
  options: TableFormatOptions,
  base = DEFAULT_CELL_FORMAT,
): CellFormat {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${fn}(): expected options as an object, found ${options}`);
  }
  checkOptionKeys(options, Object.keys(TABLE_FORMAT_OPTIONS), `${fn}()`);
  const { digits = base.digits, shareDigits = base.shareDigits, columns = {} } = options;
  for (const [name, value] of [["digits", digits], ["shareDigits", shareDigits]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 17) {
      throw new RangeError(`${fn}(): expected ${name} to be an integer 1–17, found ${value}`);
    }
  }
  for (const [column, f] of Object.entries(columns)) {
    const ok = typeof f === "function" || f === "integer" || f === "id" || f === "share" ||
      (Number.isInteger(f) && (f as number) >= 1 && (f as number) <= 17);
    if (!ok) {
      throw new RangeError(
        `${fn}(): expected columns["${column}"] to be 1–17 digits, "integer", "id", "share" or a function, found ${
          JSON.stringify(f)
        }`,
      );
    }
  }
  return { digits, shareDigits, columns: { ...base.columns, ...columns } };
}

/**
 * The rows a table shows (`maxRows`, 50 by default), checked.
 *
 * @param fn The caller, for the error.
 * @param options Its options.
 * @returns A positive integer.
 * @throws {RangeError} When `maxRows` is not a positive integer.
 */
export function rowLimit(fn: string, options: TableFormatOptions): number {
  const { maxRows = 50 } = options;
  if (!Number.isInteger(maxRows) || maxRows < 1) {
    throw new RangeError(
      `${fn}(): expected maxRows to be a positive integer, found ${found(maxRows)}`,
    );
  }
  return maxRows;
}

const TYPED = Object.getPrototypeOf(Int8Array);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `Symbol.toStringTag` of a value (nodejs-polars makes it a method on a Series). */
function tag(value: unknown): string | undefined {
  try {
    const t = (value as Record<symbol, unknown>)?.[Symbol.toStringTag];
    return typeof t === "function" ? t.call(value) : typeof t === "string" ? t : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a Series holds floats by type (Float32 or Float64). */
function isFloat(series: pl.Series): boolean {
  return series.dtype.equals(pl.Float64) || series.dtype.equals(pl.Float32);
}

/** A Polars Series (duck-typed). */
export function isSeries(value: unknown): value is pl.Series {
  return value !== null && typeof value === "object" && tag(value) === "Series" &&
    typeof (value as pl.Series).toArray === "function";
}

/**
 * The rows and columns of a table-like value, or `undefined` when the value is no table
 * (a primitive, a class instance, a function). At most `maxRows` rows are read.
 */
export function toGrid(value: unknown, maxRows = 50): Grid | undefined {
  if (isDataFrame(value)) {
    const records = value.head(maxRows).toRecords() as Record<string, unknown>[];
    const columns = value.columns;
    return {
      columns,
      rows: records.map((r) => columns.map((c) => r[c])),
      total: value.height,
      floats: columns.map((c) => isFloat(value.getColumn(c))),
    };
  }
  if (isSeries(value)) {
    const values = value.head(maxRows).toArray() as unknown[];
    return {
      columns: [value.name || "value"],
      rows: values.map((v) => [v]),
      total: value.len(),
      floats: [isFloat(value)],
    };
  }
  if (value instanceof Map) return mapGrid(value, maxRows);
  if (value instanceof TYPED || (Array.isArray(value) && value.every((v) => !isObjectLike(v)))) {
    const items = Array.from(value as ArrayLike<unknown>);
    return {
      columns: ["index", "value"],
      rows: items.slice(0, maxRows).map((v, i) => [i, v]),
      total: items.length,
    };
  }
  if (Array.isArray(value)) return arrayGrid(value, maxRows);
  if (isPlainObject(value)) return objectGrid(value, maxRows);
  return undefined;
}

/** A Map as a table: one row per key, the fields of record values as columns. */
function mapGrid(value: Map<unknown, unknown>, maxRows: number): Grid {
  const entries = [...value.entries()];
  if (entries.length > 0 && entries.every(([, v]) => isPlainObject(v))) {
    const inner = recordsGrid(entries.map(([, v]) => v as Record<string, unknown>));
    return {
      columns: ["key", ...inner.columns],
      rows: entries.slice(0, maxRows).map(([k], i) => [k, ...inner.rows[i]]),
      total: entries.length,
    };
  }
  return {
    columns: ["key", "value"],
    rows: entries.slice(0, maxRows).map(([k, v]) => [k, v]),
    total: entries.length,
  };
}

/** An array of records, of rows, or of mixed values as a table. */
function arrayGrid(value: unknown[], maxRows: number): Grid {
  if (value.every(isPlainObject)) {
    const grid = recordsGrid(value.slice(0, maxRows));
    return { ...grid, total: value.length };
  }
  if (value.every((v) => Array.isArray(v) || v instanceof TYPED)) {
    const width = Math.max(0, ...value.map((v) => (v as ArrayLike<unknown>).length));
    return {
      columns: Array.from({ length: width }, (_, j) => String(j)),
      rows: value.slice(0, maxRows).map((v) => Array.from(v as ArrayLike<unknown>)),
      total: value.length,
    };
  }
  return {
    columns: ["index", "value"],
    rows: value.slice(0, maxRows).map((v, i) => [i, v]),
    total: value.length,
  };
}

/**
 * A plain object as a table: column-oriented (`{ model: [...], mae: [...] }`), one row per key
 * of record values, or the object as one row; `undefined` for an object of functions (an API).
 */
function objectGrid(value: Record<string, unknown>, maxRows: number): Grid | undefined {
  const entries = Object.entries(value);
  // An object of functions is an API, not data.
  if (entries.some(([, v]) => typeof v === "function")) return undefined;
  const lengths = entries.map(([, v]) =>
    Array.isArray(v) || v instanceof TYPED ? (v as ArrayLike<unknown>).length : -1
  );
  if (entries.length > 0 && lengths.every((n) => n >= 0 && n === lengths[0])) {
    // Column-oriented: { model: [...], mae: [...] }.
    const columns = entries.map(([k]) => k);
    const arrays = entries.map(([, v]) => Array.from(v as ArrayLike<unknown>));
    const total = lengths[0];
    return {
      columns,
      rows: Array.from({ length: Math.min(total, maxRows) }, (_, i) => arrays.map((a) => a[i])),
      total,
    };
  }
  if (entries.length > 0 && entries.every(([, v]) => isPlainObject(v))) {
    const inner = recordsGrid(entries.map(([, v]) => v as Record<string, unknown>));
    return {
      columns: ["", ...inner.columns],
      rows: entries.slice(0, maxRows).map(([k], i) => [k, ...inner.rows[i]]),
      total: entries.length,
    };
  }
  // One row: the object's fields as columns when they fit, else name/value rows.
  if (entries.length <= 8) return recordsGrid([value]);
  return {
    columns: ["name", "value"],
    rows: entries.slice(0, maxRows).map(([k, v]) => [k, v]),
    total: entries.length,
  };
}

function isObjectLike(v: unknown): boolean {
  return v !== null && typeof v === "object" && !(v instanceof Date);
}

/**
 * Rows of a table's text form: the whole table up to 40 rows, else the first 20, so that the
 * text never cuts a short table that the HTML shows whole.
 */
const TEXT_ROWS = 20, TEXT_ALL_ROWS = 40;

/** A value shown as a readable table in a notebook; `String(t)` gives its text form. */
export class Table {
  /** The formatted plain-text table. */
  readonly text: string;
  /** The formatted HTML table. */
  readonly html: string;

  /**
   * Formats a grid.
   *
   * @param grid Columns and rows.
   * @param format Number formats.
   * @param maxRows Rows shown.
   */
  constructor(grid: Grid, format: CellFormat, maxRows: number) {
    const textRows = grid.total <= TEXT_ALL_ROWS ? grid.total : TEXT_ROWS;
    this.text = gridToText(grid, format, Math.min(maxRows, textRows));
    this.html = gridToHtml(grid, format, maxRows);
  }

  /** The plain-text table. */
  toString(): string {
    return this.text;
  }

  /** The MIME bundle Deno's kernel shows: an HTML table and its text form. */
  [JUPYTER_DISPLAY](): Record<string, string> {
    return { "text/html": this.html, "text/plain": this.text };
  }
}

/** A single value shown as itself, readable: `0.7086`, `15,126`, a string without quotes. */
export class Scalar {
  /** The formatted text. */
  readonly text: string;

  /**
   * Formats a value.
   *
   * @param text The text to show.
   */
  constructor(text: string) {
    this.text = text;
  }

  /** The text. */
  toString(): string {
    return this.text;
  }

  /** The MIME bundle Deno's kernel shows: the text alone. */
  [JUPYTER_DISPLAY](): Record<string, string> {
    return { "text/plain": this.text };
  }
}

/**
 * Shows a value as a readable table (the cell's last expression): a DataFrame, a Series, an
 * array of records, a plain object (one row, or one row per key), a Map, a typed array or an
 * array. Numbers get 4 significant digits (3 in share columns), integers thousands separators,
 * ids and years stay as they are, and null cells are empty. A column's numbers share one number
 * of decimals within those digits (0.19 beside 0.1212 is 0.1900; 0.40897 is 0.4090), and a
 * DataFrame's float column writes its whole numbers but 0 that way too (a rating of 3 beside 2.5
 * is 3.0); in records, whole numbers stay as written (a count of 610 beside a share). Polars makes
 * a column of JavaScript numbers Float64, so a DataFrame column that mixes counts and fractions
 * (a list of facts) reads better as records or with a per-column format. A single number or
 * string is shown as itself.
 *
 * @param value What to show.
 * @param options Digits, per-column formats and row limit.
 * @returns A value that Deno's kernel displays as the table (`String()` gives the text form).
 * @throws {TypeError} When the value has no table form (a function, a class instance).
 * @example
 * ```ts
 * import { table } from "./tables.ts";
 * import { assertEquals } from "@std/assert";
 * const t = table([
 *   { model: "global mean", mae: 0.8329182908157657, ratings: 15126 },
 *   { model: "mlp", mae: 0.7274058259197065, ratings: null },
 * ]);
 * assertEquals(String(t), [
 *   "model           mae  ratings",
 *   "-----------  ------  -------",
 *   "global mean  0.8329   15,126",
 *   "mlp          0.7274",
 * ].join("\n"));
 * ```
 */
export function table(value: unknown, options: TableFormatOptions = {}): Table | Scalar {
  const format = cellFormat("table", options);
  const maxRows = rowLimit("table", options);
  if (value === null || value === undefined || typeof value !== "object") {
    if (typeof value === "function" || typeof value === "symbol") {
      throw new TypeError(`table(): expected a value with a table form, found a ${typeof value}`);
    }
    return new Scalar(formatCell(value, "", format));
  }
  const grid = toGrid(value, maxRows);
  if (grid === undefined) {
    const name = (value as object).constructor?.name ?? "object";
    throw new TypeError(
      `table(): expected a DataFrame, Series, array, Map or plain object, found ${name}`,
    );
  }
  return new Table(grid, format, maxRows);
}

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

/** Every option of {@linkcode roundFloats} (the type makes the list complete). */
const ROUND_FLOATS_OPTIONS: Record<keyof RoundFloatsOptions, true> = { digits: true };

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
 * import { assertEquals } from "@std/assert";
 * const df = pl.DataFrame({ model: ["mlp"], mae: [0.7239674945033985], n: [15126] });
 * assertEquals(roundFloats(df, { digits: 3 }).row(0), ["mlp", 0.724, 15126]);
 * ```
 */
export function roundFloats(df: pl.DataFrame, options: RoundFloatsOptions = {}): pl.DataFrame {
  checkOptionKeys(options, Object.keys(ROUND_FLOATS_OPTIONS), "roundFloats()");
  const { digits = 4 } = options;
  if (!isFrame(df)) {
    throw new TypeError(
      `roundFloats(): expected a Polars DataFrame, found ${df === null ? "null" : typeof df}`,
    );
  }
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) {
    throw new RangeError(`roundFloats(): expected digits to be an integer 0–15, found ${digits}`);
  }
  const floats = df.columns.filter((name) => isFloat(df.getColumn(name)));
  if (floats.length === 0) return df.clone();
  return df.withColumns(...floats.map((name) => pl.col(name).round(digits)));
}
