// Plain-text and HTML renderings used by the display helpers (private to lib/notebook).

/** The symbol Deno's kernel calls to turn a value into a MIME bundle. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
  "&nbsp;": " ",
};

/** Escapes text for use inside HTML element content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/** A readable plain-text version of an HTML fragment: tags dropped, block ends become lines. */
export function htmlToText(markup: string): string {
  const text = markup
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|h[1-6]|li|tr|table|thead|tbody|figure|ul|ol|pre)>/gi, "\n")
    .replace(/<\/t[dh]>/gi, "\t")
    .replace(/<[^>]*>/g, "")
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (m) => ENTITIES[m]);
  return text.split("\n").map((line) => line.replace(/[ \t]+$/, "").replace(/^[ ]+/, ""))
    .filter((line, i, all) => line !== "" || (i > 0 && all[i - 1] !== ""))
    .join("\n").trim();
}

/** True for a non-empty array whose items are all plain objects (rows of a table). */
export function isRecordArray(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 &&
    value.every((row) =>
      row !== null && typeof row === "object" && !Array.isArray(row) &&
      Object.getPrototypeOf(row) === Object.prototype
    );
}

function columnsOf(rows: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/** How the numbers of one column are written. */
export type ColumnFormat =
  | number
  | "integer"
  | "id"
  | "share"
  | ((value: unknown) => string);

/**
 * Number formatting of a table, as `cellFormat()` makes it from `TableFormatOptions` (tables.ts),
 * whose fields say more.
 */
export interface CellFormat {
  /** Significant digits of floats (errors, losses, means). */
  digits: number;
  /** Significant digits of floats in share-like columns. */
  shareDigits: number;
  /** Per-column overrides. */
  columns: Record<string, ColumnFormat>;
}

/** The defaults: 4 significant digits, 3 for shares. */
export const DEFAULT_CELL_FORMAT: CellFormat = { digits: 4, shareDigits: 3, columns: {} };

const ID_LIKE =
  /(^|[\s_])(id|ids|year|years|epoch|epochs|seed|seeds|index|rank|timestamp|timestamps)$|[a-z]Id$/i;
const SHARE_LIKE = /share|fraction|proportion|percent|%|density|ratio|coverage|explained/i;

/** The format a column gets from its name when the caller gave none. */
export function columnFormat(name: string, format: CellFormat): ColumnFormat {
  const given = format.columns[name];
  if (given !== undefined) return given;
  if (ID_LIKE.test(name.trim())) return "id";
  if (SHARE_LIKE.test(name)) return "share";
  return format.digits;
}

const GROUPED = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/**
 * A number for reading: integers with thousands separators, other numbers to `digits`
 * significant digits (never fewer than the integer part needs: 12,346 not 12,350), tiny
 * ones as `1.5e-6`; `NaN`, `Infinity` as they are.
 */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return GROUPED.format(value);
  const abs = Math.abs(value);
  if (abs >= 10 ** digits) return GROUPED.format(Math.round(value));
  if (abs < 1e-4) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split("e");
    return `${String(Number(mantissa))}e${Number(exponent)}`;
  }
  const rounded = Number(value.toPrecision(digits));
  if (Math.abs(rounded) >= 1000) {
    const [whole, fraction] = String(rounded).split(".");
    return GROUPED.format(Number(whole)).replace(/^0$/, whole) + (fraction ? `.${fraction}` : "");
  }
  return String(rounded);
}

function formatIn(value: unknown, format: CellFormat, depth: number): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return formatNumber(value, format.digits);
  if (typeof value === "bigint") return GROUPED.format(value);
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString().replace(/T00:00:00\.000Z$/, "");
  if (depth > 1) return "…";
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const shown = items.slice(0, 8).map((v) => formatIn(v, format, depth + 1));
    return `[${shown.join(", ")}${items.length > 8 ? `, … ${items.length - 8} more` : ""}]`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    const shown = entries.slice(0, 6).map(([k, v]) => `${k}: ${formatIn(v, format, depth + 1)}`);
    return `{${shown.join(", ")}${entries.length > 6 ? ", …" : ""}}`;
  }
  return String(value);
}

/**
 * Formats one table cell: empty for null and undefined, numbers as their column's format
 * says, a nested array or object as a short readable list (never `[object Object]`).
 */
export function formatCell(
  value: unknown,
  column = "",
  format: CellFormat = DEFAULT_CELL_FORMAT,
): string {
  if (typeof value !== "number") return formatIn(value, format, 0);
  const kind = columnFormat(column, format);
  if (typeof kind === "function") return kind(value);
  if (kind === "id") return Number.isInteger(value) ? String(value) : formatNumber(value);
  if (kind === "integer") return GROUPED.format(Math.round(value));
  return formatNumber(value, kind === "share" ? format.shareDigits : kind);
}

/** A table ready to render: column names and rows of raw values. */
export interface Grid {
  /** Column names, in order. */
  columns: string[];
  /** The rows read, each its values in column order. */
  rows: unknown[][];
  /** Rows in the source (more than `rows.length` when cut). */
  total: number;
  /**
   * Which columns hold floats by type (a DataFrame's Float32/Float64 columns): their whole
   * numbers are written with the column's decimals (3.0 next to 2.5), as one quantity.
   * @default every column false (records: 610 next to 0.25 may be a count beside a share)
   */
  floats?: boolean[];
}

/** Rows of records as a grid. */
export function recordsGrid(records: Record<string, unknown>[]): Grid {
  const columns = columnsOf(records);
  return { columns, rows: records.map((r) => columns.map((c) => r[c])), total: records.length };
}

const isNumeric = (grid: Grid, j: number) =>
  grid.rows.every((r) => r[j] == null || typeof r[j] === "number" || typeof r[j] === "bigint");

/** "1 more row", "1,234 more rows". */
const moreRows = (n: number) => `${GROUPED.format(n)} more row${n === 1 ? "" : "s"}`;

const PLAIN_DECIMAL = /^-?[\d,]+(?:\.(\d+))?$/;

/** Significant digits written in a plain decimal ("0.0120" has 3, "1,204" has 4). */
function writtenDigits(text: string): number {
  return text.replace(/[-,.]/g, "").replace(/^0+/, "").length;
}

/** Decimals of a plain decimal as written ("0.409" has 3). */
function decimalsOf(text: string): number {
  return PLAIN_DECIMAL.exec(text)?.[1]?.length ?? 0;
}

/**
 * Decimals a number needs at `digits` significant digits: those of its written form, or, when
 * rounding ended in zeros that the written form drops, of the rounded one (0.40897 is written
 * 0.409 but rounds to 0.4090: 4 decimals). Exponents and grouped thousands: as written.
 */
function neededDecimals(value: number, text: string, digits: number): number {
  const rounded = value.toPrecision(digits);
  // Exact in 64 bits, or in 32 (a Float32 column's 0.1 is 0.10000000149011612).
  const exact = Number(rounded) === value || Math.fround(Number(rounded)) === value;
  return exact || !/^-?\d+\.\d+$/.test(rounded) ? decimalsOf(text) : rounded.split(".")[1].length;
}

/**
 * The cells of shown rows, each column's numbers written to the same number of decimals where
 * that adds no digit beyond the column's significant digits: 0.19 next to 0.1212 is written
 * 0.1900 (both 4 digits, as rounded), 1.087 next to 0.8138 stays 1.087 (a fifth digit would
 * claim a precision the rounding dropped); a rounded value keeps the zeros it rounded to (0.40897
 * is 0.4090). Exact integers, ids, counts and columns with their own format are left as
 * `formatCell` writes them, but for the whole numbers other than 0 of a float column
 * (`Grid.floats`) that also holds fractions: 3 next to 2.5 is written 3.0, 0 stays 0.
 */
function formatRows(grid: Grid, shown: unknown[][], format: CellFormat): string[][] {
  const cells = shown.map((row) => row.map((v, j) => formatCell(v, grid.columns[j], format)));
  grid.columns.forEach((column, j) => {
    const kind = columnFormat(column, format);
    if (typeof kind !== "number" && kind !== "share") return;
    const digits = kind === "share" ? format.shareDigits : kind;
    const plain = (i: number) => typeof shown[i][j] === "number" && PLAIN_DECIMAL.test(cells[i][j]);
    const fraction = (i: number) => plain(i) && !Number.isInteger(shown[i][j]);
    const rows = [...cells.keys()];
    const most = Math.max(
      0,
      ...rows.filter(fraction).map((i) =>
        neededDecimals(shown[i][j] as number, cells[i][j], digits)
      ),
    );
    // Exact integers (counts, sizes) stay as written, 610 is not 610.0, unless the column is
    // one quantity by type (a float column of ratings: 3.0 next to 2.5); 0 stays 0 (exactly).
    const padded = rows.filter((i) =>
      fraction(i) || (most > 0 && grid.floats?.[j] === true && plain(i) && shown[i][j] !== 0)
    );
    for (const row of padded.map((i) => cells[i])) {
      const text = row[j], have = decimalsOf(text);
      const zeros = Math.min(most - have, digits - writtenDigits(text));
      if (zeros > 0) row[j] = `${text}${have === 0 ? "." : ""}${"0".repeat(zeros)}`;
    }
  });
  return cells;
}

/** A grid as an aligned plain-text table (numbers right-aligned), at most `maxRows` rows. */
export function gridToText(grid: Grid, format = DEFAULT_CELL_FORMAT, maxRows = 20): string {
  const shown = grid.rows.slice(0, maxRows);
  const cells = formatRows(grid, shown, format);
  const numeric = grid.columns.map((_, j) => isNumeric(grid, j));
  const widths = grid.columns.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].length)));
  const pad = (s: string, j: number) => numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]);
  const lines = [
    grid.columns.map(pad).join("  "),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map((r) => r.map(pad).join("  ")),
  ];
  const more = grid.total - shown.length;
  if (more > 0) lines.push(`… ${moreRows(more)}`);
  return lines.map((line) => line.trimEnd()).join("\n");
}

/** A grid as a small HTML table, at most `maxRows` rows. */
export function gridToHtml(grid: Grid, format = DEFAULT_CELL_FORMAT, maxRows = 50): string {
  const shown = grid.rows.slice(0, maxRows);
  const numeric = grid.columns.map((_, j) => isNumeric(grid, j));
  const align = (j: number) => numeric[j] ? ' style="text-align:right"' : "";
  const head = grid.columns.map((c, j) => `<th${align(j)}>${escapeHtml(c)}</th>`).join("");
  const body = formatRows(grid, shown, format).map((row) =>
    "<tr>" + row.map((text, j) => `<td${align(j)}>${escapeHtml(text)}</td>`).join("") + "</tr>"
  ).join("");
  const more = grid.total - shown.length;
  const note = more > 0 ? `<p>… ${moreRows(more)}</p>` : "";
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${note}`;
}

/** Rows of records as an aligned plain-text table (numbers right-aligned), at most `maxRows`. */
export function recordsToText(rows: Record<string, unknown>[], maxRows = 20): string {
  return gridToText(recordsGrid(rows), DEFAULT_CELL_FORMAT, maxRows);
}

/** A one-line summary of SVG markup, e.g. `[svg 640×400]`. */
export function svgSummary(markup: string): string {
  const open = markup.match(/<svg\b[^>]*>/i)?.[0] ?? "";
  const width = open.match(/\bwidth="([\d.]+)/)?.[1];
  const height = open.match(/\bheight="([\d.]+)/)?.[1];
  return width && height ? `[svg ${width}×${height}]` : "[svg]";
}
