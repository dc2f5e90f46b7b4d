/**
 * Reports of notebook runs: a failure as a readable block naming the notebook, the cell and
 * the error, and the end-of-run summary with the headline figures beside the tutorials'.
 *
 * @module
 */

import { formatSeconds } from "../../lib/notebook/_format.ts";
import {
  definingCell,
  hintedMessage,
  missingName,
  type SourceCell,
  uninitialisedName,
} from "../../lib/notebook/_cell_hints.ts";
import { type CellFailure, type CellRun, NOT_WRITTEN, type NotebookRun } from "./run_types.ts";

const MISSING =
  /^(?:[A-Za-z_$][\w$]* is not defined|Cannot access '[A-Za-z_$][\w$]*' before initialization)/;

/**
 * A `ReferenceError` for a missing name, with the cell that defines it named (number and first
 * line): below the failing cell ("move it up, or run it first"), or above it ("run the cells
 * above first"), or in no cell at all. A hint the kernel added to the message already is
 * replaced by this one, which knows the failing cell (the kernel's stays in the stack). Any other
 * failure is returned as it is.
 *
 * @param failure The failure of a run.
 * @param cells The notebook's code cells.
 * @returns The failure, its message with the hint.
 * @example
 * ```ts
 * import { explainMissingName } from "./run_summary.ts";
 * const failure = explainMissingName(
 *   { cell: 3, count: 2, name: "ReferenceError", message: "total is not defined", stack: "" },
 *   [{ cell: 3, source: "total * 2\n" }, { cell: 5, source: "const total = 1;\n" }],
 * );
 * console.log(failure.message);
 * // total is not defined: cell 5 (`const total = 1;`) defines it, below the cell that uses it; move it up, or run it first
 * ```
 */
export function explainMissingName(failure: CellFailure, cells: SourceCell[]): CellFailure {
  const base = failure.name === "ReferenceError" ? failure.message.match(MISSING)?.[0] : undefined;
  if (base === undefined) return failure;
  const name = (missingName(base) ?? uninitialisedName(base))!;
  return {
    ...failure,
    message: hintedMessage(base, { cell: definingCell(cells, name) }, failure.cell),
  };
}

/**
 * A failure as a readable block: the notebook, the cell, the error and its mapped stack.
 *
 * @param run A run whose `ok` is false.
 * @returns The message (empty when the run succeeded).
 * @example
 * ```ts
 * import { formatFailure } from "./run_summary.ts";
 * const text = formatFailure({
 *   notebook: "nb.ipynb", mode: "fresh", ok: false, seconds: 1, cells: [], headlines: [], output: "",
 *   failure: { cell: 3, count: 2, name: "TypeError", message: "x is not a function", stack: "" },
 * });
 * console.log(text); // ✗ nb.ipynb, cell 3 ([2]): TypeError: x is not a function
 * ```
 */
export function formatFailure(run: NotebookRun): string {
  const f = run.failure;
  if (!f) return "";
  const where = f.cell > 0 ? `, cell ${f.cell}${f.count > 0 ? ` ([${f.count}])` : ""}` : "";
  const head = `✗ ${run.notebook}${where}: ${f.name}: ${f.message}`;
  const stack = f.stack.split("\n")
    .filter((l) =>
      l.trim() !== "" && !l.trim().startsWith(`${f.name}: `) && !l.includes("_host.ts")
    )
    .map((l) => `    ${l.trim()}`);
  return [head, ...stack].join("\n");
}

/** Options of {@linkcode formatSummary}. */
export interface SummaryOptions {
  /**
   * Wall-clock seconds of the whole run, shown as the total when notebooks ran side by side.
   * @default {undefined} (the sum of the notebooks' times)
   */
  wallSeconds?: number;
  /**
   * How many notebooks ran at a time.
   * @default {1}
   */
  jobs?: number;
}

/**
 * The end-of-run summary: one row per notebook (status, cells, time) and the headline figures
 * beside the tutorials' (or published) figures.
 *
 * @param runs The runs to summarise.
 * @param options The wall-clock time and how many notebooks ran at a time, when run side by side.
 * @returns Plain-text tables.
 * @example
 * ```ts
 * import { formatSummary } from "./run_summary.ts";
 * console.log(formatSummary([{
 *   notebook: "01_mf.ipynb", mode: "fresh", ok: true, seconds: 12.3, output: "",
 *   cells: [{ cell: 2, count: 1, seconds: 12, outputs: [] }],
 *   headlines: [{ name: "RMSE", value: "0.87", compared: "tutorial: 0.88" }],
 * }]));
 * ```
 */
export function formatSummary(runs: NotebookRun[], options: SummaryOptions = {}): string {
  const { wallSeconds, jobs = 1 } = options;
  const table = (rows: string[][]): string[] => {
    const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => [...r[j]].length)));
    return rows.map((r) => r.map((c, j) => c.padEnd(widths[j])).join("  ").trimEnd());
  };
  const total = runs.reduce((s, r) => s + r.seconds, 0);
  const lines = table([
    ["notebook", "path", "status", "cells", "time", "slowest cell"],
    ...runs.map((r) => {
      const slowest = r.cells.reduce<CellRun | undefined>(
        (a, c) => (!a || c.seconds > a.seconds ? c : a),
        undefined,
      );
      return [
        r.notebook.split("/").at(-1)!,
        r.mode,
        r.ok
          ? "ok"
          : r.failure?.cell
          ? `FAILED (cell ${r.failure.cell})`
          : r.failure?.name === NOT_WRITTEN
          ? "FAILED (not written)"
          : "FAILED (not run)",
        String(r.cells.length),
        formatSeconds(r.seconds),
        slowest ? `cell ${slowest.cell}: ${formatSeconds(slowest.seconds)}` : "",
      ];
    }),
    [
      "total",
      "",
      `${runs.filter((r) => r.ok).length}/${runs.length} ok`,
      "",
      formatSeconds(wallSeconds ?? total),
      jobs > 1 ? `wall clock, ${jobs} at a time (${formatSeconds(total)} one after another)` : "",
    ],
  ]);
  const figures = runs.flatMap((r) =>
    r.headlines.map((h) => [r.notebook.split("/").at(-1)!, h.name, h.value, h.compared || "—"])
  );
  if (figures.length > 0) {
    lines.push(
      "",
      "Headline figures",
      ...table([["notebook", "figure", "ours", "compared with"], ...figures]),
    );
  }
  return lines.join("\n");
}
