/**
 * Display helpers for notebooks on the Deno Jupyter kernel: markdown, HTML, SVG, any value,
 * and one live line that updates in place (training progress). Inside the kernel they go
 * through `Deno.jupyter`; elsewhere (a terminal, CI, tests) they print a readable plain-text
 * fallback, so the same code runs in both.
 *
 * Where the output goes is one module-level {@linkcode DisplayTarget}; tests swap it with
 * {@linkcode setDisplayTarget} to record the messages a notebook would receive.
 *
 * **Every output in its own cell.** Deno's kernel (2.9) queues a cell's outputs and publishes
 * them from a separate loop, stamped with the request current *when it publishes*, while it
 * reports the cell finished as soon as the result is queued; in Run All a late output then shows
 * under the next cell. {@linkcode flushOutputs} waits, while the cell still runs, until the kernel
 * has published everything queued so far (it watches the kernel's own IOPub socket for a marker
 * queued behind the outputs). The display helpers flush after each output, and
 * {@linkcode installOutputFlush} makes every cell end with a flush, a bare last expression
 * included. It is installed as soon as this module is imported inside the kernel (every
 * notebook's parameter cell imports it) and again by {@linkcode setupDisplay}; it also adds to a
 * cell's `ReferenceError` for a missing name which cell defines it and to run the cells above
 * first. `NB_OUTPUT_FLUSH=0` in the kernel's environment switches the flush off (the browser
 * test measures Run All without it that way). Outside the kernel none of this does anything.
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
import { installReferenceHints, type NotebookClues } from "./_cell_hints.ts";
import {
  connectionFileFrom,
  kernelResultHooks,
  OutputFlusher,
  ownCommandLine,
  wrapResultHook,
} from "./_output_flush.ts";
import {
  cellFormat,
  isDataFrame,
  Scalar,
  Table,
  type TableFormatOptions,
  toGrid,
} from "./tables.ts";

export { JUPYTER_DISPLAY };

/** A MIME bundle: MIME type → content, e.g. `{ "text/html": "<b>hi</b>" }`. */
export type MimeBundle = Record<string, unknown>;

/** Options of `Deno.jupyter.display`. */
export interface JupyterDisplayOptions {
  /**
   * Send `obj` as a ready MIME bundle instead of formatting it.
   * @default {false}
   */
  raw?: boolean;
  /**
   * Replace the output that has `display_id` instead of adding one.
   * @default {false}
   */
  update?: boolean;
  /**
   * Names the output so that later updates can replace it.
   * @default {undefined (an anonymous output)}
   */
  display_id?: string;
}

/** The part of `Deno.jupyter` that these helpers use (inject a fake one in tests). */
export interface JupyterLike {
  /** Sends a `display_data` (or `update_display_data`) message to the notebook. */
  display(obj: unknown, options?: JupyterDisplayOptions): Promise<void>;
}

/** Where display helpers send their output. Fields left out keep the default. */
export interface DisplayTarget {
  /**
   * The Jupyter display API, or `null` to behave as outside the kernel.
   * @default {Deno.jupyter inside the kernel, null elsewhere}
   */
  jupyter?: JupyterLike | null;
  /**
   * Receives plain-text fallback output (one call per displayed value, no trailing newline).
   * @default {console.log}
   */
  stdout?: (text: string) => void;
  /**
   * Receives live-line output outside Jupyter (raw chunks, including `\r` and `\n`).
   * @default {a synchronous write to Deno.stderr}
   */
  stderr?: (text: string) => void;
  /**
   * Whether stderr is a terminal, where a live line is rewritten in place with `\r`.
   * @default {Deno.stderr.isTerminal()}
   */
  stderrIsTerminal?: boolean;
  /**
   * Terminal width; live lines are cut to fit so that `\r` can rewrite them.
   * @default {Deno.consoleSize().columns, or 120 when unknown}
   */
  columns?: number;
}

let override: DisplayTarget = {};

function kernelJupyter(): JupyterLike | null {
  try {
    // Outside `deno jupyter` merely reading Deno.jupyter throws.
    const j = (Deno as unknown as { jupyter?: JupyterLike }).jupyter;
    return j && typeof j.display === "function" ? j : null;
  } catch {
    return null;
  }
}

function resolved(): Required<DisplayTarget> {
  const encoder = new TextEncoder();
  return {
    jupyter: override.jupyter !== undefined ? override.jupyter : kernelJupyter(),
    stdout: override.stdout ?? ((text) => console.log(text)),
    stderr: override.stderr ?? ((text) => {
      const bytes = encoder.encode(text);
      let written = 0;
      while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
    }),
    stderrIsTerminal: override.stderrIsTerminal ?? safe(() => Deno.stderr.isTerminal(), false),
    columns: override.columns ?? safe(() => Deno.consoleSize().columns, 120),
  };
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/**
 * Replaces where display output goes (all fields at once; omitted fields use the defaults).
 * Meant for tests and for embedding the helpers in other tools.
 *
 * @param target The new target; `{}` restores the defaults.
 * @returns A function that puts the previous target back.
 * @example
 * ```ts
 * import { md, setDisplayTarget } from "./display.ts";
 * const printed: string[] = [];
 * const restore = setDisplayTarget({ jupyter: null, stdout: (t) => printed.push(t) });
 * await md("# Results");
 * restore();
 * if (printed[0] !== "# Results") throw new Error("markdown not printed");
 * ```
 */
export function setDisplayTarget(target: DisplayTarget): () => void {
  if (target === null || typeof target !== "object") {
    throw new TypeError(`setDisplayTarget(): expected an object, found ${target}`);
  }
  const previous = override;
  override = { ...target };
  return () => {
    override = previous;
  };
}

/**
 * Tells whether the code runs inside the Deno Jupyter kernel (or a target that fakes one).
 *
 * @returns `true` when displays go to a notebook, `false` when they fall back to text.
 * @example
 * ```ts
 * import { inJupyter } from "./display.ts";
 * console.log(inJupyter() ? "notebook" : "terminal");
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
  if (grid !== undefined) return new Table(grid, tableFormat, 50)[JUPYTER_DISPLAY]();
  const own = (value as { toString?: () => string }).toString;
  if (typeof own === "function" && own !== Object.prototype.toString) {
    // Class instances with a text form of their own (a tensor, an error, a date).
    return { "text/plain": String(value) };
  }
  return { "text/plain": Deno.inspect(value, { colors: false, depth: 4 }) };
}

function safeGrid(value: unknown) {
  try {
    return toGrid(value, 50);
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
 * console.log(await plainText([{ title: "Toy Story (1995)", rmse: 0.87 }]));
 * // title             rmse
 * // ----------------  ----
 * // Toy Story (1995)  0.87
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

/** The environment variable that switches the output flush off when it is `0`. */
export const OUTPUT_FLUSH_VARIABLE = "NB_OUTPUT_FLUSH";

/** How {@linkcode flushOutputs} ended. */
export type FlushResult = "flushed" | "waited" | "disabled" | "no kernel";

/** What {@linkcode installOutputFlush} did. */
export type InstallResult =
  | "installed"
  | "already installed"
  | "disabled"
  | "no kernel"
  | "no hook";

/** Options of {@linkcode flushOutputs}. */
export interface FlushOptions {
  /**
   * The longest wait for the kernel to publish, in milliseconds.
   * @default {30000}
   */
  timeoutMs?: number;
  /**
   * The wait when the kernel's IOPub socket cannot be reached, in milliseconds.
   * @default {100}
   */
  fallbackMs?: number;
}

interface KernelBroadcast {
  broadcast(
    msgType: string,
    content: Record<string, unknown>,
    extra?: { metadata?: Record<string, unknown> },
  ): Promise<void> | void;
}

let flusher: OutputFlusher | null | undefined;

/**
 * The flusher of this kernel, made on first use; `null` outside the kernel. Inside `deno jupyter`
 * there is both `Deno.jupyter` and a connection file on the command line (`--conn`); the notebook
 * runner's fresh path provides a `Deno.jupyter` of its own but no connection file.
 */
function kernelFlusher(): OutputFlusher | null {
  if (flusher !== undefined) return flusher;
  let jupyter: KernelBroadcast | undefined;
  try {
    // Outside `deno jupyter` merely reading Deno.jupyter throws.
    jupyter = (Deno as unknown as { jupyter?: KernelBroadcast }).jupyter;
  } catch {
    jupyter = undefined;
  }
  const file = jupyter && typeof jupyter.broadcast === "function"
    ? connectionFileFrom(ownCommandLine())
    : null;
  flusher = jupyter && file !== null
    ? new OutputFlusher({
      broadcast: (type, content, extra) => jupyter.broadcast(type, content, extra),
      connectionFile: () => file,
    })
    : null;
  return flusher;
}

function flushDisabled(): boolean {
  try {
    return Deno.env.get(OUTPUT_FLUSH_VARIABLE) === "0";
  } catch {
    return false;
  }
}

/**
 * Waits until Deno's Jupyter kernel has published every output the running cell queued before
 * the call, so that none can be shown under the next cell in Run All. Await it at the end of a
 * cell of your own that displays something and keeps the kernel busy no longer (the display
 * helpers here, and every cell once {@linkcode installOutputFlush} is in place, do it already).
 *
 * It queues a marker behind the outputs (a second `busy` status of the running cell) and watches
 * the kernel's IOPub socket, whose address is in the connection file on the kernel's command
 * line, until the marker is published. Without access to the socket it waits `fallbackMs`.
 *
 * @param options Time limit and fallback wait.
 * @returns `"flushed"` (the marker was seen), `"waited"` (no IOPub access, or the time limit),
 *   `"disabled"` (`NB_OUTPUT_FLUSH=0`: it only yields for 1 ms) or `"no kernel"` (not in
 *   `deno jupyter`: it returns at once).
 * @throws {RangeError} When a time is negative or not a number.
 * @example
 * ```ts
 * import { flushOutputs } from "./display.ts";
 * console.log(await flushOutputs()); // "no kernel" outside Jupyter
 * ```
 */
export async function flushOutputs(options: FlushOptions = {}): Promise<FlushResult> {
  const { timeoutMs = 30_000, fallbackMs = 100 } = options;
  for (const [name, value] of [["timeoutMs", timeoutMs], ["fallbackMs", fallbackMs]] as const) {
    if (typeof value !== "number" || !(value >= 0)) {
      throw new RangeError(`flushOutputs(): expected ${name} >= 0, found ${value}`);
    }
  }
  const kernel = kernelFlusher();
  if (kernel === null) return "no kernel";
  if (flushDisabled()) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return "disabled";
  }
  return await kernel.flush(timeoutMs, fallbackMs);
}

/** Where the hint for a missing name looks for the open notebook. */
function notebookClues(): NotebookClues {
  let sessionName: string | undefined;
  try {
    sessionName = Deno.env.get("JPY_SESSION_NAME");
  } catch {
    sessionName = undefined;
  }
  return { dir: Deno.cwd(), executed: flusher?.executedCode() ?? [], sessionName };
}

/**
 * Makes every cell of Deno's Jupyter kernel end with {@linkcode flushOutputs}, so that a cell's
 * last-expression result, like its displays, is published before the kernel reports the cell
 * finished; and makes a cell's `ReferenceError` for a missing name say which cell defines it and
 * to run the cells above first (Cell › Run All Above). Importing this module inside the kernel
 * calls it, and so does {@linkcode setupDisplay}; calling it again does nothing.
 *
 * It wraps the kernel's result hook (`Deno[Deno.internal].jupyter.broadcastResult`, internal to
 * Deno, which the kernel awaits after each cell) and sets `Error.prepareStackTrace` (a previous
 * one is kept and called). A cell run in a new kernel before any cell has imported this module
 * gets Deno's plain message: Deno 2.9's kernel runs no project code before the first cell.
 *
 * @returns `"installed"`, `"already installed"`, `"disabled"` (`NB_OUTPUT_FLUSH=0`: no flush,
 *   the hint for missing names all the same),
 *   `"no kernel"` (not in `deno jupyter`) or `"no hook"` (this Deno has no result hook to wrap;
 *   displays still flush).
 * @example
 * ```ts
 * import { installOutputFlush } from "./display.ts";
 * console.log(installOutputFlush()); // "no kernel" outside Jupyter
 * ```
 */
export function installOutputFlush(): InstallResult {
  if (kernelFlusher() === null) return "no kernel";
  installReferenceHints(notebookClues);
  if (flushDisabled()) return "disabled";
  return wrapResultHook(kernelResultHooks(), () => flushOutputs());
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

function requireString(fn: string, what: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new TypeError(`${fn}(): expected ${what} as a string, found ${typeof value}`);
  }
  return value;
}

/**
 * Shows Markdown: rendered in Jupyter, printed as it is elsewhere.
 *
 * @param text Markdown source.
 * @returns A promise that resolves once the output is sent.
 * @example
 * ```ts
 * import { md } from "./display.ts";
 * await md(`**RMSE** on the test set: ${(0.8734).toFixed(3)}`);
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
 * import { html } from "./display.ts";
 * await html("<p>Train <b>80,668</b> ratings, test <b>20,168</b></p>");
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
 * import { svg } from "./display.ts";
 * await svg('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><circle cx="10" cy="10" r="8"/></svg>');
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
 * import { display } from "./display.ts";
 * await display([{ model: "dot", rmse: 0.91 }, { model: "dot + bias", rmse: 0.87 }]);
 * ```
 */
export async function display(value: unknown, options: DisplayOptions = {}): Promise<void> {
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
 * @param options Table defaults for the notebook (digits, share digits, column formats).
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { restoreDisplay, setupDisplay } from "./display.ts";
 * setupDisplay();
 * const df = pl.DataFrame({ model: ["mlp"], mae: [0.7274058259197065], n: [null] });
 * const bundle = (df as unknown as Record<symbol, () => Record<string, string>>)[
 *   Symbol.for("Jupyter.display")
 * ]();
 * console.log(bundle["text/plain"]);
 * // model  mae     n
 * // -----  ------  -
 * // mlp    0.7274
 * restoreDisplay();
 * ```
 */
export function setupDisplay(options: TableFormatOptions = {}): void {
  tableFormat = cellFormat("setupDisplay", options);
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
 * setupDisplay();
 * restoreDisplay();
 * console.log(Symbol.for("Jupyter.display") in {}); // false
 * ```
 */
export function restoreDisplay(): void {
  tableFormat = DEFAULT_CELL_FORMAT;
  if (installed === null) return;
  installed.frames.module._DataFrame = installed.frames.original;
  delete (Object.prototype as Record<symbol, unknown>)[JUPYTER_DISPLAY];
  if (installed.noColor) Object.defineProperty(Deno, "noColor", installed.noColor);
  installed = null;
}

/** How a {@linkcode liveDisplay} line is shown. */
export type LiveMode = "auto" | "jupyter" | "terminal" | "log" | "silent";

/** Options of {@linkcode liveDisplay}. */
export interface LiveDisplayOptions {
  /**
   * `"jupyter"`: one output updated in place; `"terminal"`: one stderr line rewritten with
   * `\r`; `"log"`: a full stderr line now and then (for CI logs); `"silent"`: nothing (tests).
   * `"auto"` picks jupyter inside the kernel, terminal when stderr is a TTY, log otherwise.
   * @default {"auto"}
   */
  mode?: LiveMode;
  /**
   * Minimum time between two shown updates in jupyter and terminal modes; updates in between
   * are held back and the latest one is shown later (the final text is always shown).
   * @default {100}
   */
  minIntervalMs?: number;
  /**
   * Minimum time between two printed lines in log mode.
   * @default {10000}
   */
  logIntervalMs?: number;
  /**
   * Clock in milliseconds (inject a fake one in tests).
   * @default {performance.now}
   */
  now?: () => number;
}

/** A live output line returned by {@linkcode liveDisplay}. */
export interface LiveDisplay {
  /** The latest text given (shown or held back by the rate limit). */
  readonly text: string;
  /** Replaces the line's text (rate-limited). Ignored after {@linkcode LiveDisplay.close}. */
  update(text: string): void;
  /**
   * Shows the final text (the latest update, or `finalText` when given), ends the line and
   * waits until every message is delivered. Closing twice does nothing.
   */
  close(finalText?: string): Promise<void>;
}

let liveCounter = 0;

/**
 * Opens one output line that updates in place: a Jupyter output with a `display_id`
 * (later texts are `update_display_data` messages), a `\r`-rewritten stderr line in a
 * terminal, occasional full lines in a log, or nothing when silent. The training loop's
 * progress line uses it.
 *
 * @param initialText The text shown at once.
 * @param options Mode, rate limits and clock.
 * @returns The line; call `update(text)` as often as you like and `await close()` at the end.
 * @example
 * ```ts
 * import { liveDisplay } from "./display.ts";
 * const line = liveDisplay("epoch 1/3", { mode: "silent" });
 * for (let epoch = 2; epoch <= 3; epoch++) line.update(`epoch ${epoch}/3`);
 * await line.close("3 epochs, val_loss 0.81");
 * console.log(line.text); // 3 epochs, val_loss 0.81
 * ```
 */
export function liveDisplay(initialText: string, options: LiveDisplayOptions = {}): LiveDisplay {
  requireString("liveDisplay", "the initial text", initialText);
  const {
    mode: requested = "auto",
    minIntervalMs = 100,
    logIntervalMs = 10_000,
    now = () => performance.now(),
  } = options;
  const modes: LiveMode[] = ["auto", "jupyter", "terminal", "log", "silent"];
  if (!modes.includes(requested)) {
    throw new TypeError(
      `liveDisplay(): unknown mode "${requested}" (expected one of ${modes.join(", ")})`,
    );
  }
  for (
    const [name, value] of [["minIntervalMs", minIntervalMs], ["logIntervalMs", logIntervalMs]]
  ) {
    if (typeof value !== "number" || !(value >= 0)) {
      throw new RangeError(`liveDisplay(): expected ${name} >= 0, found ${value}`);
    }
  }
  const target = resolved();
  let mode = requested;
  if (mode === "auto") {
    mode = target.jupyter !== null ? "jupyter" : target.stderrIsTerminal ? "terminal" : "log";
  }
  if (mode === "jupyter" && target.jupyter === null) {
    throw new TypeError('liveDisplay(): mode "jupyter" needs the Deno Jupyter kernel');
  }
  const id = `live-${Date.now().toString(36)}-${++liveCounter}`;
  let latest = initialText;
  let shown = "";
  let lastShownAt = -Infinity;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  let failure: unknown = null;

  const fit = (text: string) => {
    const line = text.replace(/\s*\n\s*/g, "  ");
    const max = Math.max(20, target.columns - 1);
    return line.length > max ? line.slice(0, max - 1) + "…" : line;
  };
  const show = (text: string, first: boolean) => {
    shown = text;
    lastShownAt = now();
    if (mode === "jupyter") {
      const jupyter = target.jupyter!;
      const opts: JupyterDisplayOptions = first
        ? { raw: true, display_id: id }
        : { raw: true, update: true, display_id: id };
      queue = queue.then(() => jupyter.display({ "text/plain": text }, opts)).catch((e) => {
        failure ??= e;
      });
    } else if (mode === "terminal") {
      target.stderr(`\r\x1b[2K${fit(text)}`);
    } else if (mode === "log") {
      target.stderr(`${text}\n`);
    }
  };

  show(initialText, true);
  return {
    get text() {
      return latest;
    },
    update(text: string) {
      requireString("LiveDisplay.update", "the new text", text);
      if (closed) return;
      latest = text;
      const interval = mode === "log" ? logIntervalMs : minIntervalMs;
      if (text !== shown && now() - lastShownAt >= interval) show(text, false);
    },
    async close(finalText?: string) {
      if (closed) return await queue;
      if (finalText !== undefined) requireString("LiveDisplay.close", "the final text", finalText);
      closed = true;
      if (finalText !== undefined) latest = finalText;
      if (latest !== shown) show(latest, false);
      if (mode === "terminal") target.stderr("\n");
      await queue;
      if (mode === "jupyter") await flushOutputs();
      if (failure !== null) throw failure;
    },
  };
}

// Inside the kernel, every cell from the one that imports this module on ends with a flush.
installOutputFlush();
