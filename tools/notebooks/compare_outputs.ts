/**
 * Compares a notebook's committed outputs with those of a fresh run, cell by cell, with the
 * values that change from run to run on the same code and data — timings and throughput —
 * masked, so that any other difference (a loss, a table, a figure) is reported with the
 * notebook, the cell (number and first line) and the first differing line.
 * `deno task notebooks --compare` runs every notebook at full size in the Deno kernel and
 * applies it.
 *
 * **What the mask hides** ({@linkcode maskTimings}, {@linkcode maskTables}); each is replaced by
 * `‹time›` or `‹rate›`, on both sides:
 *
 * 1. a clock duration (`0:05`, `1:02:05`) after `in ` or `ETA `, before ` elapsed`, or standing
 *    alone between ` · ` separators — the form of lib's progress lines
 *    (`5 epochs in 0:05 · 81,029 samples/s · loss 2.0612`);
 * 2. a number followed by a time unit: ` s` (after a space, so not `1990s`), `ms`, `µs`, `ns`,
 *    `sec`, `secs`, `second(s)`, `min`, `mins`, `minute(s)`, `hour(s)` (`took 1.52 s`,
 *    `340 ms per epoch`);
 * 3. a number followed by a rate per unit of time: `samples/s`, `rows/s`, `/s`, `… per second`
 *    (`205,443 samples/s`);
 * 4. every cell of a table column whose header names a time or a rate (`‹rate›` for a rate): `s`, `ms`, `sec`,
 *    `secs`, `seconds`, `… seconds` or `…Seconds` (`cpu seconds`, `wallSeconds`), `time (s)`,
 *    `duration`, `elapsed`, `ETA`, `samples/s`, `…/s`, `… per second`, `throughput` — in text
 *    tables (aligned columns under a dashed rule, or Polars' `│` boxes), HTML tables and
 *    `application/vnd.dataresource+json` tables.
 *
 * Nothing else is masked: not a `timestamp` column (data), not a clock-like value elsewhere
 * (`3:10 to Yuma`), not a number followed by other words. Figures in `data:` URLs are compared
 * decoded (an SVG as its markup), so a difference in a plot is shown as markup.
 *
 * Two runs in one kernel (a second Run All, `{ session: true }`) differ in one more way: tfjs
 * numbers the names it gives layers on over the session (`embedding_Embedding1` becomes
 * `embedding_Embedding41`), so those numbers are masked too ({@linkcode maskSessionNames}), and
 * with them the width of the columns such a name stands in.
 *
 * @module
 */

import { cellPreview } from "../../lib/notebook/_format.ts";

/** The mask of a duration. */
export const TIME = "‹time›";
/** The mask of a throughput. */
export const RATE = "‹rate›";

const NUMBER = String.raw`\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?`;
const CLOCK = String.raw`\d+:\d{2}(?::\d{2})?`;
const TIME_UNITS = String.raw`(?:ms|µs|us|ns|secs?|seconds?|mins?|minutes?|hours?)`;

const RULES: [RegExp, string][] = [
  // 1. clock durations in lib's progress and summary lines
  [new RegExp(String.raw`(?<=\b(?:in|ETA) )${CLOCK}\b`, "g"), TIME],
  [new RegExp(String.raw`\b${CLOCK}(?= elapsed\b)`, "g"), TIME],
  [new RegExp(String.raw`(?<=(?:^|· ))${CLOCK}(?= ·| *$)`, "gm"), TIME],
  // 3. throughput (before 2, so that `samples/s` is not read as seconds)
  [
    new RegExp(
      String.raw`(?<![\w.])${NUMBER}(?= ?(?:[A-Za-z]+\/s|\/s|[A-Za-z ]*per second)\b)`,
      "g",
    ),
    RATE,
  ],
  // 2. durations with a unit (a bare `s` only after a space: `1.52 s`, not `1990s`)
  [new RegExp(String.raw`(?<![\w.])${NUMBER}(?=(?: ?${TIME_UNITS}| s)\b(?!\/))`, "g"), TIME],
];

/**
 * Hides the time-dependent values of a text (rules 1–3 of the module doc).
 *
 * @param text Any output text.
 * @returns The text with durations as `‹time›` and throughput as `‹rate›`.
 * @example
 * ```ts
 * import { maskTimings } from "./compare_outputs.ts";
 * console.log(maskTimings("5 epochs in 0:05 · 81,029 samples/s · loss 2.0612"));
 * // 5 epochs in ‹time› · ‹rate› samples/s · loss 2.0612
 * ```
 */
export function maskTimings(text: string): string {
  let out = text;
  for (const [pattern, mask] of RULES) out = out.replace(pattern, mask);
  return out;
}

const TIMED_HEADER = new RegExp(
  String
    .raw`^(?:(?:[\w ]*[ _])?(?:s|ms|secs?|seconds)|[a-z]+Seconds|time \((?:s|ms)\)|duration|elapsed|eta|throughput|[\w ]*\/s|[\w ]* per second)$`,
  "i",
);

/**
 * Whether a table column's header names a time or a rate (rule 4 of the module doc).
 *
 * @param header The column's header text.
 * @returns True for `seconds`, `cpu seconds`, `wallSeconds`, `s`, `ms`, `time (s)`,
 *   `samples/s`, …; false for `timestamp`, `epochs`, `loss`, ….
 * @example
 * ```ts
 * import { isTimedColumn } from "./compare_outputs.ts";
 * console.log(isTimedColumn("samples/s"), isTimedColumn("timestamp")); // true false
 * ```
 */
export function isTimedColumn(header: string): boolean {
  return TIMED_HEADER.test(header.trim().replace(/&[a-z]+;|&#\d+;/g, "'"));
}

/** The mask of a timed column's cells: `‹rate›` for a rate, else `‹time›`. */
function columnMask(header: string): string {
  return /\/s$|per second|throughput/i.test(header.trim()) ? RATE : TIME;
}

/**
 * Masks the timed columns of aligned text tables (a header over a dashed rule). Such a table is
 * rewritten with its cells trimmed and two spaces between them, so that a column made wider by a
 * longer time does not shift the others.
 */
function maskAlignedTables(text: string): string {
  const lines = text.split("\n");
  for (let i = 1; i < lines.length; i++) {
    if (!/^-+(?: +-+)*\s*$/.test(lines[i]) || !/\S/.test(lines[i - 1])) continue;
    const spans = [...lines[i].matchAll(/-+/g)].map((m) => m.index!);
    const cellsOf = (line: string) =>
      spans.map((a, k) => line.slice(a, k + 1 < spans.length ? spans[k + 1] : line.length).trim());
    const header = cellsOf(lines[i - 1]);
    const timed = header.flatMap((h, k) => isTimedColumn(h) ? [k] : []);
    if (timed.length === 0) continue;
    lines[i - 1] = header.join("  ");
    lines[i] = spans.map(() => "--").join("  ");
    for (let j = i + 1; j < lines.length && lines[j].trim() !== ""; j++) {
      lines[j] = cellsOf(lines[j])
        .map((c, k) => timed.includes(k) && c !== "" ? columnMask(header[k]) : c)
        .join("  ");
    }
  }
  return lines.join("\n");
}

/**
 * Masks the timed columns of Polars' box-drawn tables (`│ a ┆ seconds │`), rewritten with
 * trimmed cells and short rules like the aligned ones.
 */
function maskBoxTables(text: string): string {
  const lines = text.split("\n");
  for (let top = 0; top < lines.length; top++) {
    if (!/^[┌╭]/.test(lines[top]) || !/^│/.test(lines[top + 1] ?? "")) continue;
    const cellsOf = (line: string) => line.slice(1, -1).split(/[┆│]/).map((c) => c.trim());
    const header = cellsOf(lines[top + 1]);
    const timed = header.flatMap((h, k) => isTimedColumn(h) ? [k] : []);
    let end = top + 1;
    while (end < lines.length && /^[│╞├╪═╰└]/.test(lines[end])) end++;
    if (timed.length === 0) {
      top = end - 1;
      continue;
    }
    for (let j = top; j < end; j++) {
      if (!/^│/.test(lines[j])) {
        lines[j] = lines[j].replace(/([─═╌┄])\1+/g, "$1");
        continue;
      }
      const cells = cellsOf(lines[j]);
      const isHeader = j === top + 1;
      lines[j] = `│ ${
        cells.map((c, k) =>
          !isHeader && timed.includes(k) && /\d/.test(c) ? columnMask(header[k]) : c
        ).join(" ┆ ")
      } │`;
    }
    lines[top] = lines[top].replace(/([─═])\1+/g, "$1");
    top = end - 1;
  }
  return lines.join("\n");
}

/** Masks the timed columns of HTML tables. */
function maskHtmlTables(html: string): string {
  return html.replace(/<table\b[\s\S]*?<\/table>/gi, (table) => {
    const rows = table.match(/<tr\b[\s\S]*?<\/tr>/gi) ?? [];
    if (rows.length === 0) return table;
    const cellsOf = (row: string) => row.match(/<t[hd]\b[^>]*>[\s\S]*?<\/t[hd]>/gi) ?? [];
    const text = (cell: string) => cell.replace(/<[^>]*>/g, "").trim();
    const header = cellsOf(rows[0]!).map(text);
    const timed = header.flatMap((h, k) => isTimedColumn(h) ? [k] : []);
    if (timed.length === 0) return table;
    let out = table;
    for (const row of rows.slice(1)) {
      let k = -1;
      const masked = row.replace(
        /(<t[hd]\b[^>]*>)([\s\S]*?)(<\/t[hd]>)/gi,
        (m, open, _c, close) => {
          k++;
          return timed.includes(k) ? `${open}${columnMask(header[k])}${close}` : m;
        },
      );
      out = out.replace(row, masked);
    }
    return out;
  });
}

/**
 * Hides the time-dependent values of an output text: the cells of timed table columns
 * (rule 4), then durations and throughput in the text (rules 1–3). A text table with a timed
 * column is rewritten with trimmed cells two spaces apart (a longer time must not shift the other
 * columns); the comparison sees both sides written so.
 *
 * @param text An output's text (plain text, Markdown or HTML).
 * @param html Whether the text is HTML (its tables are read as HTML).
 * @returns The masked text.
 * @example
 * ```ts
 * import { maskTables } from "./compare_outputs.ts";
 * console.log(maskTables("epoch  loss    seconds\n-----  ------  -------\n1      0.8123  4.21"));
 * // epoch  loss  seconds
 * // --  --  --
 * // 1  0.8123  ‹time›
 * ```
 */
export function maskTables(text: string, html = false): string {
  const tables = html ? maskHtmlTables(text) : maskBoxTables(maskAlignedTables(text));
  return maskTimings(tables);
}

/** Masks the timed fields of an `application/vnd.dataresource+json` table. */
function maskResource(resource: unknown): unknown {
  const r = resource as { schema?: { fields?: { name?: string }[] }; data?: unknown[] };
  const timed = (r?.schema?.fields ?? []).map((f) => f?.name ?? "").filter(isTimedColumn);
  if (timed.length === 0 || !Array.isArray(r.data)) return resource;
  return {
    ...r,
    data: r.data.map((row) =>
      row !== null && typeof row === "object"
        ? Object.fromEntries(
          Object.entries(row).map((
            [k, v],
          ) => [k, timed.includes(k) && v !== null ? columnMask(k) : v]),
        )
        : row
    ),
  };
}

/** The notebook JSON parts the comparison reads. */
export interface OutputJson {
  output_type?: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

const joined = (v: unknown): string =>
  Array.isArray(v) ? v.join("") : typeof v === "string" ? v : JSON.stringify(v, null, 1) ?? "";

/** `data:image/svg+xml;base64,…` in HTML → the SVG markup, to compare figures as markup. */
function decodeDataUrls(html: string): string {
  return html.replace(
    /data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)/g,
    (m, b64) => {
      try {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        return `data:image/svg+xml,${new TextDecoder().decode(bytes)}`;
      } catch {
        return m;
      }
    },
  );
}

/** Markup split at tag boundaries, so that a difference is reported as a short line. */
function markupLines(markup: string): string[] {
  return markup.replace(/>\s*</g, ">\n<").split("\n");
}

/** Text after `\r` rewrites, as a terminal (and the notebook runner) shows it. */
function collapseCarriageReturns(text: string): string {
  return text.replace(/\r\n/g, "\n").split("\n").map((l) => l.slice(l.lastIndexOf("\r") + 1))
    .join("\n");
}

/** The mask of a number tfjs gave a layer's name. */
export const LAYER_NUMBER = "‹n›";

/** tfjs' own layer names: the layer's kind, `_`, its class and a number (`dense_Dense28`). */
const TFJS_NAME = /\b([a-z][a-z0-9]*(?:_[a-z0-9]+)*_[A-Z][A-Za-z0-9]*?)\d+\b/g;

/**
 * Hides what differs between two runs of the same cells in one kernel session, beyond
 * timings: the numbers tfjs appends to the layer names it makes up, which count on over the
 * session (`embedding_Embedding1`, then `embedding_Embedding41` in a second Run All), and with
 * them the alignment of a text table (runs of spaces and of dashes are shortened to two).
 *
 * @param line One comparable line ({@linkcode outputLines}).
 * @returns The line with those numbers as `‹n›`.
 * @example
 * ```ts
 * import { maskSessionNames } from "./compare_outputs.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(maskSessionNames("dense_Dense28/kernel    10 × 1"), "dense_Dense‹n›/kernel  10 × 1");
 * assertEquals(maskSessionNames("user_embedding  embeddings"), "user_embedding  embeddings");
 * ```
 */
export function maskSessionNames(line: string): string {
  return line.replace(TFJS_NAME, `$1${LAYER_NUMBER}`).replace(/ {2,}/g, "  ")
    .replace(/-{3,}/g, "--");
}

/** Options of {@linkcode compareOutputs}. */
export interface CompareOutputsOptions {
  /**
   * The two runs come from one kernel session (a second Run All): mask the numbers of tfjs'
   * made-up layer names as well ({@linkcode maskSessionNames}).
   * @default {false}
   */
  session?: boolean;
}

/**
 * The comparable lines of one cell's outputs, time-dependent values masked: one line per line
 * of each output's text, each prefixed with the output's number and kind
 * (`output 1 text/plain: 5 epochs in ‹time› · …`).
 *
 * @param outputs The cell's `outputs` from nbformat 4 JSON.
 * @param options `session`: mask tfjs' layer numbers too.
 * @returns The lines.
 */
export function outputLines(outputs: OutputJson[], options: CompareOutputsOptions = {}): string[] {
  const lines: string[] = [];
  outputs.forEach((o, i) => {
    const tag = (kind: string) => `output ${i + 1} ${kind}: `;
    const add = (kind: string, parts: string[]) => lines.push(...parts.map((p) => tag(kind) + p));
    if (o.output_type === "stream") {
      add(
        `stream ${o.name ?? ""}`.trim(),
        maskTables(collapseCarriageReturns(joined(o.text))).split("\n"),
      );
    } else if (o.output_type === "error") {
      add("error", [`${o.ename}: ${o.evalue}`]);
    } else {
      for (const mime of Object.keys(o.data ?? {}).sort()) {
        const value = o.data![mime];
        if (mime === "text/html") {
          add(mime, markupLines(maskTables(decodeDataUrls(joined(value)), true)));
        } else if (mime === "image/svg+xml") {
          add(mime, markupLines(joined(value)));
        } else if (mime === "application/vnd.dataresource+json") {
          add(mime, JSON.stringify(maskResource(value), null, 1).split("\n"));
        } else if (mime.startsWith("text/")) {
          add(mime, maskTables(joined(value)).split("\n"));
        } else {
          add(mime, joined(value).split("\n"));
        }
      }
    }
  });
  return options.session ? lines.map(maskSessionNames) : lines;
}

/** One cell whose outputs differ. */
export interface OutputDifference {
  /** 1-based position of the cell in the notebook, markdown cells included. */
  cell: number;
  /** The cell's first line of code. */
  preview: string;
  /** The first differing line of the committed outputs (`""` past their end). */
  committed: string;
  /** The first differing line of the fresh run's outputs (`""` past their end). */
  fresh: string;
  /** 1-based number of that line among the cell's output lines. */
  line: number;
}

interface NotebookLike {
  cells?: { cell_type?: string; source?: string | string[]; outputs?: OutputJson[] }[];
}

/**
 * Compares the outputs of two copies of a notebook (committed and freshly run), cell by cell,
 * with timings and throughput masked.
 *
 * @param committed The committed notebook (parsed nbformat 4 JSON).
 * @param fresh The same notebook after a fresh run.
 * @param options `session`: the two come from one kernel session (tfjs' layer numbers masked).
 * @returns One difference per cell whose outputs differ, in cell order.
 * @throws {TypeError} When the two do not have the same cells (types and sources).
 * @example
 * ```ts
 * import { compareOutputs } from "./compare_outputs.ts";
 * const nb = (loss: string, time: string) => ({
 *   cells: [{
 *     cell_type: "code",
 *     source: "await train(model, data)",
 *     outputs: [{ output_type: "display_data", data: { "text/plain": `5 epochs in ${time} · loss ${loss}` } }],
 *   }],
 * });
 * console.log(compareOutputs(nb("0.7018", "0:21"), nb("0.7018", "0:25")).length); // 0
 * console.log(compareOutputs(nb("0.7018", "0:21"), nb("0.6997", "0:21"))[0].fresh);
 * // output 1 text/plain: 5 epochs in ‹time› · loss 0.6997
 * ```
 */
export function compareOutputs(
  committed: NotebookLike,
  fresh: NotebookLike,
  options: CompareOutputsOptions = {},
): OutputDifference[] {
  const a = committed.cells ?? [];
  const b = fresh.cells ?? [];
  const shape = (cells: typeof a) => cells.map((c) => `${c.cell_type}:${joined(c.source)}`);
  const sa = shape(a);
  const sb = shape(b);
  const at = sa.findIndex((s, i) => s !== sb[i]);
  if (sa.length !== sb.length || at >= 0) {
    const where = at >= 0 ? at : Math.min(sa.length, sb.length);
    throw new TypeError(
      `compareOutputs(): expected the same cells in both notebooks, found a difference at cell ${
        where + 1
      } (${a.length} and ${b.length} cells)`,
    );
  }
  const differences: OutputDifference[] = [];
  a.forEach((cell, i) => {
    if (cell.cell_type !== "code") return;
    const x = outputLines(cell.outputs ?? [], options);
    const y = outputLines(b[i].outputs ?? [], options);
    const k = x.findIndex((line, j) => line !== y[j]);
    const first = k >= 0 ? k : x.length !== y.length ? Math.min(x.length, y.length) : -1;
    if (first < 0) return;
    differences.push({
      cell: i + 1,
      preview: cellPreview(joined(cell.source)),
      committed: x[first] ?? "",
      fresh: y[first] ?? "",
      line: first + 1,
    });
  });
  return differences;
}

/** The excerpt of two long lines around their first difference, for a report. */
function excerpts(a: string, b: string, width = 150): [string, string] {
  if (a.length <= width && b.length <= width) return [a, b];
  let d = 0;
  while (d < a.length && a[d] === b[d]) d++;
  const start = Math.max(0, d - 50);
  const cut = (s: string) =>
    (start > 0 ? "…" : "") + s.slice(start, start + width) + (s.length > start + width ? "…" : "");
  return [cut(a), cut(b)];
}

/**
 * A difference as report lines: the notebook, cell and first line of code, then the committed
 * and the fresh line (long lines cut around their first differing character).
 *
 * @param notebook The notebook's path.
 * @param d The difference.
 * @returns Three lines.
 * @example
 * ```ts
 * import { formatDifference } from "./compare_outputs.ts";
 * const lines = formatDifference("nb.ipynb", {
 *   cell: 5, preview: "history", committed: "output 1 text/plain: loss 0.70", fresh: "output 1 text/plain: loss 0.69", line: 1,
 * });
 * console.log(lines[0]); // ✗ nb.ipynb, cell 5 (`history`): outputs differ at line 1
 * ```
 */
export function formatDifference(notebook: string, d: OutputDifference): string[] {
  const [committed, fresh] = excerpts(d.committed, d.fresh);
  return [
    `✗ ${notebook}, cell ${d.cell} (\`${d.preview}\`): outputs differ at line ${d.line}`,
    `    committed: ${committed || "(no more output)"}`,
    `    this run:  ${fresh || "(no more output)"}`,
  ];
}
