/**
 * Display helpers for notebooks on the Deno Jupyter kernel: markdown, HTML, SVG, any value.
 * Inside the kernel they go through `Deno.jupyter`; elsewhere (a terminal, CI, tests) they
 * print a readable plain-text fallback, so the same code runs in both.
 *
 * Where the output goes is one module-level {@linkcode DisplayTarget}; tests swap it with
 * {@linkcode setDisplayTarget} to record the messages a notebook would receive.
 *
 * Every display helper waits until the kernel has published its output (`flushOutputs()` in
 * flush.ts), so that no output shows under the next cell in Run All; the live line for
 * progress is `liveDisplay()` in live.ts.
 *
 * {@linkcode setupDisplay}, called once in a notebook's import cell, makes what a cell returns
 * readable without a helper in every cell: Polars DataFrames and Series, arrays, plain objects,
 * Maps and typed arrays show as tables with rounded numbers and empty null cells (see
 * `table()` in tables.ts), any other object as plain text, and no output carries terminal
 * colour codes.
 *
 * @module
 */

import { createRequire } from "node:module";
import {
  type CellFormat,
  DEFAULT_CELL_FORMAT,
  formatCell,
  htmlToText,
  JUPYTER_DISPLAY,
  svgSummary,
} from "./_text.ts";
import {
  type DisplayTarget,
  type JupyterDisplayOptions,
  type MimeBundle,
  requireString,
  resolved,
  swapTarget,
} from "./_target.ts";
import { flushOutputs, installOutputFlush } from "./flush.ts";
import { checkOptionKeys } from "../_options.ts";
import {
  cellFormat,
  isDataFrame,
  rowLimit,
  Scalar,
  Table,
  type TableFormatOptions,
  toGrid,
} from "./tables.ts";

export { JUPYTER_DISPLAY };
export type { DisplayTarget, JupyterDisplayOptions, JupyterLike, MimeBundle } from "./_target.ts";

/**
 * Replaces where display output goes (all fields at once; omitted fields use the defaults).
 * Meant for tests and for embedding the helpers in other tools.
 *
 * @param target The new target; `{}` restores the defaults.
 * @returns A function that puts the previous target back.
 * @example
 * ```ts
 * import { md, setDisplayTarget } from "./display.ts";
 * import { assertEquals } from "@std/assert";
 * const printed: string[] = [];
 * const restore = setDisplayTarget({ jupyter: null, stdout: (t) => printed.push(t) });
 * await md("# Results");
 * restore();
 * assertEquals(printed[0], "# Results", "markdown not printed");
 * ```
 */
export function setDisplayTarget(target: DisplayTarget): () => void {
  if (target === null || typeof target !== "object") {
    throw new TypeError(`setDisplayTarget(): expected an object, found ${target}`);
  }
  const previous = swapTarget(target);
  return () => {
    swapTarget(previous);
  };
}

/**
 * Tells whether the code runs inside the Deno Jupyter kernel (or a target that fakes one).
 *
 * @returns `true` when displays go to a notebook, `false` when they fall back to text.
 * @example
 * ```ts
 * import { inJupyter } from "./display.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(inJupyter(), false); // outside the Deno Jupyter kernel
 * ```
 */
export function inJupyter(): boolean {
  return resolved().jupyter !== null;
}

function hasDisplayMethod(value: unknown): value is { [JUPYTER_DISPLAY]: () => unknown } {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as Record<symbol, unknown>)[JUPYTER_DISPLAY] === "function";
}

/** The plain-text form of a MIME bundle, preferring the most readable type. */
function bundleText(bundle: MimeBundle): string {
  const get = (mime: string) => typeof bundle[mime] === "string" ? bundle[mime] as string : null;
  const plain = get("text/plain") ?? get("text/markdown");
  if (plain !== null) return plain;
  const html = get("text/html");
  if (html !== null) return htmlToText(html);
  const svgMarkup = get("image/svg+xml");
  if (svgMarkup !== null) return svgSummary(svgMarkup);
  return `[${Object.keys(bundle).join(", ") || "empty output"}]`;
}

let tableFormat: CellFormat = DEFAULT_CELL_FORMAT;
/** Rows a table shows, as `setupDisplay({ maxRows })` set it. */
let tableRows = 50;

/**
 * The bundle for a value without a display method of its own: a table for table-like values
 * (DataFrame, Series, arrays, plain objects, Maps, typed arrays), the value itself for a
 * number or string, colourless `Deno.inspect` text for anything else.
 */
function readableBundle(value: unknown): MimeBundle {
  if (typeof value === "string") return { "text/plain": value };
  if (value === null || value === undefined || typeof value !== "object") {
    return { "text/plain": new Scalar(formatCell(value, "", tableFormat)).text };
  }
  const grid = safeGrid(value);
  if (grid !== undefined) return new Table(grid, tableFormat, tableRows)[JUPYTER_DISPLAY]();
  const own = (value as { toString?: () => string }).toString;
  if (typeof own === "function" && own !== Object.prototype.toString) {
    // Class instances with a text form of their own (a tensor, an error, a date).
    return { "text/plain": String(value) };
  }
  return { "text/plain": Deno.inspect(value, { colors: false, depth: 4 }) };
}

function safeGrid(value: unknown) {
  try {
    return toGrid(value, tableRows);
  } catch {
    return undefined;
  }
}

/**
 * The plain-text fallback of a value, as {@linkcode display} prints it outside Jupyter:
 * a figure's one-line summary, a table's aligned text, a string as it is, anything else as
 * colourless `Deno.inspect` text.
 *
 * @param value Any value.
 * @returns The text that would be printed.
 * @example
 * ```ts
 * import { plainText } from "./display.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(await plainText([{ title: "Toy Story (1995)", rmse: 0.87 }]), [
 *   "title             rmse",
 *   "----------------  ----",
 *   "Toy Story (1995)  0.87",
 * ].join("\n"));
 * ```
 */
export async function plainText(value: unknown): Promise<string> {
  if (typeof value === "string") return value;
  if (hasDisplayMethod(value) && !usesReadableDisplay(value)) {
    return bundleText(await value[JUPYTER_DISPLAY]() as MimeBundle);
  }
  return bundleText(readableBundle(value));
}

/** Options of {@linkcode display}. */
export interface DisplayOptions {
  /**
   * Names this output so that a later `display(…, { id, update: true })` replaces it.
   * @default {undefined (an anonymous output)}
   */
  id?: string;
  /**
   * Replace the output named `id` instead of adding a new one (Jupyter only; outside
   * Jupyter the new text is simply printed).
   * @default {false}
   */
  update?: boolean;
}

async function send(bundle: MimeBundle, options: DisplayOptions = {}): Promise<void> {
  const target = resolved();
  if (target.jupyter === null) {
    target.stdout(bundleText(bundle));
    return;
  }
  await target.jupyter.display(bundle, jupyterOptions(options));
  await flushOutputs();
}

function jupyterOptions(options: DisplayOptions): JupyterDisplayOptions {
  if (options.update && !options.id) {
    throw new TypeError("display(): update: true needs the id of the output to replace");
  }
  const out: JupyterDisplayOptions = { raw: true };
  if (options.id) out.display_id = options.id;
  if (options.update) out.update = true;
  return out;
}

/**
 * Shows Markdown: rendered in Jupyter, printed as it is elsewhere.
 *
 * @param text Markdown source.
 * @returns A promise that resolves once the output is sent.
 * @example
 * ```ts
 * import { md, setDisplayTarget } from "./display.ts";
 * import { assertEquals } from "@std/assert";
 * const printed: string[] = [];
 * const restore = setDisplayTarget({ jupyter: null, stdout: (text) => printed.push(text) });
 * await md(`**RMSE** on the test set: ${(0.8734).toFixed(3)}`);
 * restore();
 * assertEquals(printed, ["**RMSE** on the test set: 0.873"]); // outside Jupyter: the text form
 * ```
 */
export function md(text: string): Promise<void> {
  requireString("md", "markdown text", text);
  return send({ "text/markdown": text, "text/plain": text });
}

/**
 * Shows HTML: rendered in Jupyter, as tag-free text elsewhere.
 *
 * @param markup An HTML fragment.
 * @returns A promise that resolves once the output is sent.
 * @example
 * ```ts
 * import { html, setDisplayTarget } from "./display.ts";
 * import { assertEquals } from "@std/assert";
 * const printed: string[] = [];
 * const restore = setDisplayTarget({ jupyter: null, stdout: (text) => printed.push(text) });
 * await html("<p>Train <b>80,668</b> ratings, test <b>20,168</b></p>");
 * restore();
 * assertEquals(printed, ["Train 80,668 ratings, test 20,168"]); // outside Jupyter: the text form
 * ```
 */
export function html(markup: string): Promise<void> {
  requireString("html", "HTML markup", markup);
  return send({ "text/html": markup, "text/plain": htmlToText(markup) });
}

/**
 * Shows SVG markup: as an image in Jupyter, as a one-line `[svg W×H]` summary elsewhere.
 *
 * @param markup A complete `<svg>…</svg>` element.
 * @returns A promise that resolves once the output is sent.
 * @example
 * ```ts
 * import { svg, setDisplayTarget } from "./display.ts";
 * import { assertEquals } from "@std/assert";
 * const printed: string[] = [];
 * const restore = setDisplayTarget({ jupyter: null, stdout: (text) => printed.push(text) });
 * await svg('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><circle cx="10" cy="10" r="8"/></svg>');
 * restore();
 * assertEquals(printed, ["[svg 20×20]"]); // outside Jupyter: the text form
 * ```
 */
export function svg(markup: string): Promise<void> {
  requireString("svg", "SVG markup", markup);
  if (!/^\s*(<\?xml[^>]*>\s*)?<svg\b/i.test(markup)) {
    throw new TypeError(
      `svg(): expected markup starting with <svg, found "${markup.trim().slice(0, 20)}"`,
    );
  }
  return send({ "image/svg+xml": markup, "text/plain": svgSummary(markup) });
}

/** Every option of {@linkcode display} (the type makes the list complete). */
const DISPLAY_OPTIONS: Record<keyof DisplayOptions, true> = { id: true, update: true };

/**
 * Shows any value: figures (anything with a `Symbol.for("Jupyter.display")` method) as they
 * render themselves, DataFrames, Series, arrays, plain objects, Maps and typed arrays as
 * readable tables, a number or string as itself, anything else as colourless text. Outside
 * Jupyter it prints {@linkcode plainText}.
 *
 * @param value The value to show.
 * @param options An output id, to replace an earlier output in place.
 * @returns A promise that resolves once the output is sent.
 * @example
 * ```ts
 * import { display, setDisplayTarget } from "./display.ts";
 * import { assertEquals } from "@std/assert";
 * const printed: string[] = [];
 * const restore = setDisplayTarget({ jupyter: null, stdout: (text) => printed.push(text) });
 * await display([{ model: "dot", rmse: 0.91 }, { model: "dot + bias", rmse: 0.87 }]);
 * restore();
 * assertEquals(printed[0].split("\n"), [
 *   "model       rmse",
 *   "----------  ----",
 *   "dot         0.91",
 *   "dot + bias  0.87",
 * ]);
 * ```
 */
export async function display(value: unknown, options: DisplayOptions = {}): Promise<void> {
  checkOptionKeys(options, Object.keys(DISPLAY_OPTIONS), "display()");
  const target = resolved();
  if (target.jupyter === null) {
    target.stdout(await plainText(value));
    return;
  }
  if (hasDisplayMethod(value) && !usesReadableDisplay(value)) {
    return send(await value[JUPYTER_DISPLAY]() as MimeBundle, options);
  }
  return send(readableBundle(value), options);
}

/** The display method {@linkcode setupDisplay} gives to objects and DataFrames. */
function readableDisplay(this: unknown): MimeBundle {
  return readableBundle(this);
}

function usesReadableDisplay(value: { [JUPYTER_DISPLAY]: () => unknown }): boolean {
  return value[JUPYTER_DISPLAY] === readableDisplay || isDataFrame(value);
}

interface Installed {
  frames: {
    module: { _DataFrame: (inner: unknown) => unknown };
    original: (i: unknown) => unknown;
  };
  noColor: PropertyDescriptor | undefined;
}

let installed: Installed | null = null;

/**
 * Makes what a notebook cell returns readable, once for the whole notebook (call it in the
 * import cell; it shows nothing). Afterwards Deno's kernel shows
 *
 * - every Polars DataFrame and Series, array, plain object, Map and typed array as a table
 *   with numbers rounded for reading and empty null cells (the options of `table()`);
 * - any other object as colourless text (no `Float32Array(5) [` or `[object Object]` dumps);
 * - a bare string or number without terminal colour codes (it sets `Deno.noColor`).
 *
 * It works by giving `Object.prototype` a non-enumerable `Symbol.for("Jupyter.display")`
 * method, and each DataFrame one as Polars creates it (Polars sets its own on every frame).
 * Objects with a display method of their own (figures, tables) keep it.
 * {@linkcode restoreDisplay} undoes it all. Inside the kernel it also installs the output flush
 * ({@linkcode installOutputFlush}), which stays.
 *
 * @param options Table defaults for the notebook (digits, share digits, column formats, rows
 *   shown).
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { restoreDisplay, setupDisplay } from "./display.ts";
 * import { assertEquals } from "@std/assert";
 * setupDisplay();
 * const df = pl.DataFrame({ model: ["mlp"], mae: [0.7274058259197065], n: [null] });
 * const bundle = (df as unknown as Record<symbol, () => Record<string, string>>)[
 *   Symbol.for("Jupyter.display")
 * ]();
 * assertEquals(bundle["text/plain"], [
 *   "model     mae  n",
 *   "-----  ------  -",
 *   "mlp    0.7274",
 * ].join("\n"));
 * restoreDisplay();
 * ```
 */
export function setupDisplay(options: TableFormatOptions = {}): void {
  tableFormat = cellFormat("setupDisplay", options);
  tableRows = rowLimit("setupDisplay", options);
  installOutputFlush();
  if (installed !== null) return;
  const require = createRequire(import.meta.url);
  const module = require("nodejs-polars/bin/dataframe.js") as Installed["frames"]["module"];
  const original = module._DataFrame;
  module._DataFrame = (inner: unknown) => {
    const frame = original(inner) as Record<symbol, unknown>;
    frame[JUPYTER_DISPLAY] = readableDisplay;
    return frame;
  };
  Object.defineProperty(Object.prototype, JUPYTER_DISPLAY, {
    value: readableDisplay,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  const noColor = Object.getOwnPropertyDescriptor(Deno, "noColor");
  try {
    Object.defineProperty(Deno, "noColor", { value: true, configurable: true, enumerable: true });
  } catch {
    // A runtime whose Deno.noColor cannot be changed keeps its colours for bare values.
  }
  installed = { frames: { module, original }, noColor };
}

/**
 * Undoes {@linkcode setupDisplay}: Polars' own DataFrame display, no display method on plain
 * objects, `Deno.noColor` as it was. DataFrames made in between keep the readable display.
 *
 * @example
 * ```ts
 * import { restoreDisplay, setupDisplay } from "./display.ts";
 * import { assertEquals } from "@std/assert";
 * setupDisplay();
 * restoreDisplay();
 * assertEquals(Symbol.for("Jupyter.display") in {}, false);
 * ```
 */
export function restoreDisplay(): void {
  tableFormat = DEFAULT_CELL_FORMAT;
  tableRows = 50;
  if (installed === null) return;
  installed.frames.module._DataFrame = installed.frames.original;
  delete (Object.prototype as Record<symbol, unknown>)[JUPYTER_DISPLAY];
  if (installed.noColor) Object.defineProperty(Deno, "noColor", installed.noColor);
  installed = null;
}
