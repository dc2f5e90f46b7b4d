/**
 * Runs a notebook in the real Deno Jupyter kernel, driven from Python's jupyter_client
 * (`_kernel_driver.py`), and writes the outputs into the notebook (or a copy) without timing
 * metadata, so that re-runs are byte-identical where the maths is deterministic. The driver
 * prints one JSON event per line; {@linkcode KernelView} turns them into the run's cells and the
 * text shown while it runs.
 *
 * @module
 */

import {
  bundleToText,
  cellHeader,
  cellPreview,
  formatSeconds,
  type MimeBundle,
} from "../../lib/notebook/_format.ts";
import {
  absolute,
  codeCells,
  notebookEnv,
  pump,
  readHeadlines,
  readNotebook,
  RUN_CLEANUP,
} from "./_files.ts";
import { compareOutputs } from "./compare_outputs.ts";
import { withCleanUpOnSignals } from "../_cleanup.ts";
import { explainMissingName } from "./run_summary.ts";
import {
  type CellOutput,
  emptyRun,
  type KernelRunOptions,
  NOT_WRITTEN,
  type NotebookRun,
} from "./run_types.ts";
import { plural } from "../../lib/_validate.ts";

const DRIVER = new URL("./_kernel_driver.py", import.meta.url);
const DENO_JSON = new URL("../../deno.json", import.meta.url);
const encoder = new TextEncoder();
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** One JSON line printed by the kernel driver. */
export interface DriverEvent {
  /**
   * begin, stream, result, display, update, end, error, setup, failed, kernel, written,
   * unwritten (every cell ran, but `path` could not be written: `message` says why), or
   * restamped (an output the kernel stamped with the runner's token request, kept in its cell).
   */
  event: string;
  cell?: number;
  count?: number;
  name?: string;
  text?: string;
  id?: string | null;
  data?: MimeBundle;
  seconds?: number;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  message?: string;
  path?: string;
  /** On `begin`: the cell's second run in a row (`--twice`). */
  again?: boolean;
  /**
   * On `begin`, with `runAllTwice`: `"backwards"` for a run of each cell alone after the end
   * (the last cell first), `2` for the second Run All; absent in the first.
   */
  pass?: 2 | "backwards";
  /** On `begin`: the lines in the headline file when the run began (read by the driver). */
  headlines?: number;
}

/**
 * Runs a notebook in the real Deno Jupyter kernel and writes the executed notebook (in place,
 * or to `options.out`) with its outputs and without timing metadata, formatted by `deno fmt`
 * (which formats notebooks' cells) so that `deno fmt --check` passes. Needs Python with
 * jupyter_client and nbformat, and the kernel registered with `deno jupyter --install`. The
 * notebook is not written when a cell fails.
 *
 * @param notebook Path of the `.ipynb` file.
 * @param options Where to write, which Python and kernel, environment overrides, echo, timeout.
 * @returns What ran, the outputs, headlines and any failure (`failure.cell` is 0 when the
 *   kernel could not be started).
 * @throws {TypeError} When the file is missing or is not an nbformat 4 notebook.
 * @example (needs Python's jupyter_client and `deno jupyter --install`, hence not run as a doc test)
 * ```ts ignore
 * import { runNotebookInKernel } from "./kernel_run.ts";
 * import { formatFailure } from "./run_summary.ts";
 * const run = await runNotebookInKernel("notebooks/01_intro.ipynb", { echo: true });
 * console.log(run.ok ? `written to ${run.written}` : formatFailure(run));
 * ```
 */
export async function runNotebookInKernel(
  notebook: string,
  options: KernelRunOptions = {},
): Promise<NotebookRun> {
  const started = performance.now();
  const nb = await readNotebook(notebook);
  const headlines = await Deno.makeTempFile({ prefix: "nbrun-headlines-" });
  const view = new KernelView(emptyRun(notebook, "kernel"), codeCells(nb), options.echo ?? false);
  const run = view.run;
  const python = options.python ?? driverPython();
  const stderr: string[] = [];
  const firstPass = options.runAllTwice
    ? await Deno.makeTempFile({ prefix: "nbrun-first-pass-", suffix: ".ipynb" })
    : undefined;
  // With `twice`: the headline lines each cell's first run wrote, as [from, to) line ranges.
  // The driver counts the lines as it begins a run, when the run before has finished: counted
  // here, as the events are read, a later run's lines could already be there.
  const firstRuns: [number, number][] = [];
  let firstFrom = 0;
  // With `runAllTwice`: the lines when the backwards pass and the second Run All began.
  const passFrom: { backwards?: number; 2?: number } = {};
  const sink = {
    apply(e: DriverEvent): void {
      if (options.twice && e.event === "begin") {
        const lines = e.headlines ?? 0;
        if (e.again) firstRuns.push([firstFrom, lines]);
        else firstFrom = lines;
      }
      if (e.event === "begin" && e.pass !== undefined) passFrom[e.pass] ??= e.headlines ?? 0;
      view.apply(e);
    },
  };
  let code: number;
  // Ctrl-C or SIGTERM: the driver is told to stop, which shuts the kernel down (the kernel runs
  // in a session of its own, so no signal of the terminal's reaches it).
  let driver: Deno.ChildProcess | undefined;
  const removeFiles = async () => {
    for (const file of [headlines, firstPass]) {
      if (file) await Deno.remove(file).catch(() => {});
    }
  };
  const stop = async () => {
    if (driver) await stopDriver(driver);
    await removeFiles();
  };
  try {
    code = await withCleanUpOnSignals(stop, () => {
      const env = notebookEnv(options, headlines);
      const args = driverArgs(notebook, options, firstPass);
      return driveKernel(python, args, env, sink, stderr, (child) => driver = child);
    }, RUN_CLEANUP);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      await removeFiles();
      throw error;
    }
    code = -1;
    run.failure = {
      cell: 0,
      count: 0,
      name: "Error",
      message: `cannot start ${python}: the kernel path needs Python ` +
        "with jupyter_client (Debian: apt-get install jupyter-client python3-nbclient)",
      stack: "",
    };
  }
  // Run twice, a cell reports its figures twice: the first run's reports are left out.
  // Run All twice: the second Run All's reports are kept, or the first's when the run stopped
  // before the second Run All began.
  if (passFrom[2] !== undefined) firstRuns.push([0, passFrom[2]]);
  else if (passFrom.backwards !== undefined) firstRuns.push([passFrom.backwards, Infinity]);
  run.headlines = readHeadlines(headlines)
    .filter((_, i) => !firstRuns.some(([from, to]) => i >= from && i < to));
  if (firstPass && !run.failure && code === 0 && run.written) {
    run.failure = await againDifferences(firstPass, run.written);
  }
  await removeFiles();
  const errText = stderr.join("").split("\n")
    .filter((l) => l.trim() !== "" && !l.includes('"deno jupyter" is unstable')).join("\n");
  if (!run.failure && code !== 0) {
    run.failure = {
      cell: 0,
      count: 0,
      name: "Error",
      message: `the kernel driver exited with code ${code}`,
      stack: errText,
    };
  }
  run.output = view.output.join("") + (errText ? `${errText}\n` : "");
  if (run.failure) run.failure = explainMissingName(run.failure, codeCells(nb));
  const when = view.pass === 2
    ? "on Run All again"
    : view.pass === "backwards"
    ? "run again alone after the end, after each cell below it"
    : undefined;
  if (run.failure && run.failure.cell > 0 && when && run.failure.count > 0) {
    run.failure.message += ` (${when})`;
  }
  run.ok = run.failure === undefined;
  run.seconds = (performance.now() - started) / 1000;
  return run;
}

/**
 * The Python that runs the kernel driver when `python` is not given: `NB_PYTHON`, else
 * Debian's `/usr/bin/python3` where it exists, else `python3` from the `PATH`.
 *
 * @returns The executable.
 */
export function driverPython(): string {
  const fromEnv = Deno.env.get("NB_PYTHON");
  if (fromEnv) return fromEnv;
  try {
    Deno.statSync("/usr/bin/python3");
    return "/usr/bin/python3";
  } catch {
    return "python3";
  }
}

/**
 * What runs, hidden, before each cell of the second pass of `runAllTwice`: one draw from the
 * session's random stream (lib/random.ts seeds tfjs' unseeded initialisers from it), as a cell
 * that builds a layer makes. A cell whose output depends on how far the stream has gone (one
 * that builds a model without setting the seed itself) then shows other figures, as it does when
 * a teacher goes back to it after other cells ran. Nothing happens where tfjs cannot be imported
 * as the notebooks import it (no import map): such a notebook draws nothing from it either.
 */
export const BETWEEN_CELLS = "await (async () => {\n" +
  '  const tf = await import("@tensorflow/tfjs").catch(() => null);\n' +
  "  tf?.initializers.randomUniform({}).apply([1]).dispose();\n" +
  "})();";

/**
 * The first difference between a Run All's outputs and those of a second Run All in the same
 * kernel, as a failure (tfjs' session-wide layer numbers masked), or undefined when none.
 */
async function againDifferences(
  first: string,
  second: string,
): Promise<NotebookRun["failure"]> {
  const differences = compareOutputs(
    JSON.parse(await Deno.readTextFile(first)),
    JSON.parse(await Deno.readTextFile(second)),
    { session: true },
  );
  if (differences.length === 0) return undefined;
  const d = differences[0];
  const cells = differences.map((x) => x.cell).join(", ");
  return {
    cell: d.cell,
    count: 0,
    name: "Run All again",
    message:
      `${plural(differences.length, "cell")} ${differences.length === 1 ? "shows" : "show"} ` +
      "other outputs on the second Run All " +
      `(cells ${cells}); the first, cell ${d.cell} (\`${d.preview}\`), at line ${d.line}`,
    stack: `first Run All:  ${d.committed || "(no more output)"}\n` +
      `second Run All: ${d.fresh || "(no more output)"}`,
  };
}

function driverArgs(notebook: string, options: KernelRunOptions, firstPass?: string): string[] {
  const { timeout = 1800, kernel = "deno" } = options;
  const args = [
    DRIVER.pathname,
    absolute(notebook),
    "--kernel",
    kernel,
    "--timeout",
    String(timeout),
  ];
  if (options.out) args.push("--out", absolute(options.out));
  if (options.twice) args.push("--twice");
  if (options.runAllTwice && firstPass) {
    args.push("--run-all-twice", "--between", BETWEEN_CELLS, "--first-pass-out", firstPass);
  }
  args.push("--deno", Deno.execPath(), "--fmt-config", DENO_JSON.pathname);
  return args;
}

/** How long the driver has to shut its kernel down once told to stop, in milliseconds. */
const DRIVER_GRACE_MS = 20_000;

/**
 * Tells the driver to stop (SIGTERM: it shuts its kernel down and exits) and waits until it
 * has; SIGKILL when it takes longer than {@linkcode DRIVER_GRACE_MS}.
 */
async function stopDriver(child: Deno.ChildProcess): Promise<void> {
  const signal = (name: Deno.Signal) => {
    try {
      child.kill(name);
    } catch { /* it has exited */ }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), DRIVER_GRACE_MS);
  await child.status;
  clearTimeout(timer);
}

/**
 * Starts the driver, hands each event line to `view`, and returns the driver's exit code. When
 * reading fails (a line that is not an event, say), the driver is stopped before the error is
 * passed on.
 */
async function driveKernel(
  python: string,
  args: string[],
  env: Record<string, string>,
  view: { apply(e: DriverEvent): void },
  stderr: string[],
  started: (child: Deno.ChildProcess) => void = () => {},
): Promise<number> {
  const child = new Deno.Command(python, {
    args,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  started(child);
  const errors = pump(child.stderr, stderr, undefined);
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of child.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim() !== "") view.apply(driverEvent(line, python));
      }
    }
  } catch (error) {
    await stopDriver(child);
    throw error;
  }
  await errors;
  return (await child.status).code;
}

/** One line of the driver's output as an event; anything else is an error that quotes it. */
function driverEvent(line: string, python: string): DriverEvent {
  try {
    return JSON.parse(line) as DriverEvent;
  } catch {
    throw new TypeError(
      `the kernel driver (${python} ${DRIVER.pathname}) printed ${
        JSON.stringify(line.slice(0, 200))
      }, expected one JSON event per line`,
    );
  }
}

/**
 * Builds a kernel run from the driver's events: the cells and their outputs, the failure, and
 * the text shown while it runs (cell headers, outputs, `Out[n]:` results, timings).
 *
 * @example
 * ```ts
 * import { KernelView } from "./kernel_run.ts";
 * import { emptyRun } from "./run_types.ts";
 * import { assertEquals } from "@std/assert";
 * const view = new KernelView(emptyRun("nb.ipynb", "kernel"), [{ cell: 2, source: "1 + 1" }]);
 * view.apply({ event: "begin", cell: 2, count: 1 });
 * view.apply({ event: "result", data: { "text/plain": "2" } });
 * view.apply({ event: "end", seconds: 0.5 });
 * assertEquals(view.run.cells[0].outputs[0].text, "2");
 * ```
 */
export class KernelView {
  /** Everything shown so far. */
  readonly output: string[] = [];
  readonly #sources: Map<number, string>;
  readonly #pending = new Map<string, string>();
  readonly #displays = new Map<string, CellOutput[]>();
  /** The pass under way (`runAllTwice`): undefined in the first. */
  pass: DriverEvent["pass"];

  /**
   * @param run The run to fill in.
   * @param cells The notebook's code cells, for the headers' previews.
   * @param echo Also print what is shown, as it comes.
   */
  constructor(
    readonly run: NotebookRun,
    cells: { cell: number; source: string }[],
    readonly echo = false,
  ) {
    this.#sources = new Map(cells.map((c) => [c.cell, c.source]));
  }

  /** Applies one driver event. */
  apply(e: DriverEvent): void {
    switch (e.event) {
      case "begin":
        // A second run in a row replaces the first: its outputs are the ones kept.
        if (e.again && this.run.cells.at(-1)?.cell === e.cell) this.run.cells.pop();
        // So does a later pass over the notebook: the last pass's cells are kept.
        if (e.pass !== this.pass) {
          this.pass = e.pass;
          this.run.cells.length = 0;
        }
        this.run.cells.push({ cell: e.cell!, count: e.count!, seconds: 0, outputs: [] });
        this.#say(
          cellHeader(e.count!, e.cell!, this.#preview(e.cell!)) + (e.again ? " (again)" : "") +
            (e.pass === 2 ? " (Run All again)" : e.pass === "backwards" ? " (alone, again)" : "") +
            "\n",
        );
        break;
      case "stream":
        this.#stream(e.text!);
        break;
      case "result":
      case "display":
        this.#shown(e);
        break;
      case "update":
        this.#update(e);
        break;
      case "end":
      case "error":
        this.#finish(e);
        break;
      case "setup":
      case "failed":
        this.#failed(e);
        break;
      case "written":
        this.run.written = e.path;
        break;
      case "unwritten":
        this.run.failure = {
          cell: 0,
          count: 0,
          name: NOT_WRITTEN,
          message: `cannot write ${e.path}: ${e.message} (after ${
            plural(this.run.cells.length, "cell")
          } ran; the file is as it was)`,
          stack: "",
        };
        break;
    }
  }

  #preview(cell: number): string {
    return cellPreview(this.#sources.get(cell) ?? "");
  }

  #say(text: string): void {
    this.output.push(text);
    if (this.echo) Deno.stdout.writeSync(encoder.encode(text));
  }

  #stream(text: string): void {
    const cell = this.run.cells.at(-1);
    const last = cell?.outputs.at(-1);
    if (last?.type === "stream") last.text += text;
    else cell?.outputs.push({ type: "stream", mimes: [], text });
    this.#say(text);
  }

  #shown(e: DriverEvent): void {
    const cell = this.run.cells.at(-1);
    const text = bundleToText(e.data!);
    const result = e.event === "result";
    const out: CellOutput = {
      type: result ? "result" : "display",
      mimes: Object.keys(e.data!),
      text,
    };
    cell?.outputs.push(out);
    if (e.id) this.#displays.set(e.id, [...this.#displays.get(e.id) ?? [], out]);
    const shown = result && text.includes("\n")
      ? `Out[${cell?.count}]:\n${text.split("\n").map((l) => `  ${l}`).join("\n")}`
      : result
      ? `Out[${cell?.count}]: ${text}`
      : text;
    this.#say(shown + "\n");
  }

  #update(e: DriverEvent): void {
    const text = bundleToText(e.data!);
    for (const o of this.#displays.get(e.id ?? "") ?? []) {
      Object.assign(o, { mimes: Object.keys(e.data!), text });
    }
    this.#pending.set(e.id ?? "", text);
  }

  #finish(e: DriverEvent): void {
    const cell = this.run.cells.at(-1);
    for (const text of this.#pending.values()) this.#say(text + "\n");
    this.#pending.clear();
    if (cell) cell.seconds = e.seconds ?? 0;
    if (e.event === "end") {
      this.#say(`   ✓ ${formatSeconds(e.seconds ?? 0)}\n`);
      return;
    }
    this.run.failure = {
      cell: e.cell!,
      count: e.count!,
      name: e.ename ?? "Error",
      message: e.evalue ?? "",
      stack: (e.traceback ?? []).join("\n").replace(ANSI, "")
        .replace(/<anonymous>:(\d+):(\d+)/g, `${this.run.notebook}, cell ${e.cell}, line $1:$2`),
    };
  }

  #failed(e: DriverEvent): void {
    if (this.run.failure) return;
    const cell = this.run.cells.at(-1);
    this.run.failure = {
      cell: e.event === "failed" ? cell?.cell ?? 0 : 0,
      count: e.event === "failed" ? cell?.count ?? 0 : 0,
      name: "Error",
      message: e.message ?? "",
      stack: "",
    };
  }
}
