/**
 * What notebooks import besides the models: readable display of whatever a cell returns
 * (`setupDisplay()` once in the import cell; `table(x, options)` for per-call number formats),
 * markdown, HTML and SVG output through the Deno Jupyter kernel (with plain-text fallbacks
 * elsewhere), a live line for progress, notebook parameters that an environment variable can
 * override (`param`), headline figures (`headline`) and counts in words that read right at 1
 * (`counted`). The program that runs the notebooks lives in `tools/notebooks/`.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { restoreDisplay, setupDisplay, table } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * setupDisplay(); // in the import cell: DataFrames and objects now show as rounded tables
 * const errors = pl.DataFrame({ model: ["mean", "mlp"], mae: [0.8329182908, 0.7274058259] });
 * errors; // a cell ending here shows mae as 0.8329 and 0.7274
 * assertEquals(String(table(errors, { digits: 3 })).split("\n")[2], "mean   0.833");
 * restoreDisplay();
 * ```
 *
 * @module
 */

export * from "./display.ts";
export * from "./flush.ts";
export * from "./live.ts";
export * from "./params.ts";
export * from "./tables.ts";
export * from "./words.ts";
