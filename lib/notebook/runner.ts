/**
 * Runs the project's notebooks, two ways, with the Deno Jupyter kernel's semantics.
 *
 * - {@linkcode runNotebook}, the fresh-machine path (Deno alone): the code cells become one
 *   module that runs in the notebook's folder, cells sharing one scope in order, with top-level
 *   `await`, each cell's last bare expression printed as plain text, `Deno.jupyter.display`
 *   available, and the time of every cell measured. The notebook stays the single source: the
 *   module is written next to it for the run and deleted afterwards.
 * - {@linkcode runNotebookInKernel}: the real Deno kernel, driven from Python's jupyter_client
 *   (`_kernel_driver.py`), writing the outputs into the notebook (or a copy) without timing
 *   metadata, so that re-runs are byte-identical where the maths is deterministic.
 *
 * Both report a failure with the notebook, the cell and the error, and collect the headline
 * figures that notebooks print with `headline()` (see `params.ts`).
 * {@linkcode verifyNotebook} checks a committed notebook: every code cell executed in order, no
 * error output, and an output wherever the cell shows a value. The CLI is `run_notebooks.ts`
 * (`deno task notebooks`).
 *
 * @module
 */

import {
  bundleToText,
  cellHeader,
  cellPreview,
  formatSeconds,
  type MimeBundle,
} from "./_format.ts";
import { compileCells, type CompiledCell, CompileError } from "./_compile.ts";
import type { HostEvent } from "./_host.ts";
import type { Headline } from "./params.ts";

/** Options shared by both ways of running a notebook. */
export interface RunOptions {
  /**
   * Extra environment variables for the notebook, e.g. `{ EPOCHS: "2" }` (see `param()`).
   * @default {{}}
   */
  env?: Record<string, string>;
  /**
   * Run every parameter at its `quick` value (sets `NB_QUICK=1`).
   * @default {false}
   */
  quick?: boolean;
  /**
   * Print the cells' headers, outputs and timings while the notebook runs.
   * @default {false}
   */
  echo?: boolean;
  /**
   * Seconds before the run is stopped: the whole notebook on the fresh path, one cell in the
   * kernel.
   * @default {1800}
   */
  timeout?: number;
}

/** Options of {@linkcode runNotebookInKernel}. */
export interface KernelRunOptions extends RunOptions {
  /**
   * Where to write the executed notebook; by default it is written in place.
   * @default {undefined} (in place)
   */
  out?: string;
  /**
   * Python with jupyter_client and nbformat (Debian's `jupyter-client`, `python3-nbclient`).
   * @default {Deno.env.get("NB_PYTHON") ?? "/usr/bin/python3" (else "python3")}
   */
  python?: string;
  /**
   * Name of the Jupyter kernelspec (`deno jupyter --install` registers `deno`).
   * @default {"deno"}
   */
  kernel?: string;
}

/** One output of a cell, as plain text. */
export interface CellOutput {
  /** `result` (the last expression), `display` (a display call) or `stream` (kernel only). */
  type: "result" | "display" | "stream";
  /** MIME types of the output (`["text/plain"]`, `["image/svg+xml"]`, …); `[]` for streams. */
  mimes: string[];
  /** The output rendered as plain text (after any display updates). */
  text: string;
}

/** One executed code cell. */
export interface CellRun {
  /** 1-based position of the cell in the notebook, markdown cells included. */
  cell: number;
  /** Execution count (1, 2, … over the non-blank code cells). */
  count: number;
  /** Wall time of the cell in seconds. */
  seconds: number;
  /** What the cell showed. The fresh path records results and displays, not printed text. */
  outputs: CellOutput[];
}

/** Why a notebook run failed. */
export interface CellFailure {
  /** 1-based position of the failing cell, or 0 when the run failed before any cell. */
  cell: number;
  /** Its execution count, or 0. */
  count: number;
  /** Error class, e.g. `"TypeError"`. */
  name: string;
  /** Error message. */
  message: string;
  /** Stack trace, with lines of the generated module mapped back to `cell N, line L`. */
  stack: string;
}

/** The result of running one notebook. */
export interface NotebookRun {
  /** Path of the notebook as given. */
  notebook: string;
  /** Which path ran it. */
  mode: "fresh" | "kernel";
  /** True when every cell ran without error. */
  ok: boolean;
  /** Wall time in seconds, start-up included. */
  seconds: number;
  /** The cells that ran, in order (up to and including a failing one). */
  cells: CellRun[];
  /** Headline figures the notebook printed with `headline()`. */
  headlines: Headline[];
  /** The failure, when `ok` is false. */
  failure?: CellFailure;
  /** Everything the run printed (stdout and stderr). */
  output: string;
  /** Kernel path: where the executed notebook was written. */
  written?: string;
}

interface NotebookJson {
  nbformat?: number;
  metadata?: Record<string, unknown> & { kernelspec?: { name?: string } };
  cells?: {
    cell_type?: string;
    source?: string | string[];
    execution_count?: number | null;
    metadata?: Record<string, unknown>;
    outputs?: { output_type?: string; ename?: string; evalue?: string }[];
  }[];
}

const HERE = new URL(".", import.meta.url);
const HOST = new URL("_host.ts", HERE);
const FRESH_MAIN = new URL("_fresh_main.ts", HERE);
const DRIVER = new URL("_kernel_driver.py", HERE);
const encoder = new TextEncoder();

function sourceOf(cell: { source?: string | string[] }): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source ?? "";
}

async function readNotebook(path: string): Promise<NotebookJson> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new TypeError(`expected a notebook at ${path}, found no such file`);
    }
    throw error;
  }
  let json: NotebookJson;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`expected ${path} to be notebook JSON, found: ${(error as Error).message}`);
  }
  if (json?.nbformat !== 4 || !Array.isArray(json.cells)) {
    throw new TypeError(
      `expected ${path} to be an nbformat 4 notebook with a cells array, found nbformat ` +
        `${json?.nbformat} and cells of type ${
          Array.isArray(json?.cells) ? "array" : typeof json?.cells
        }`,
    );
  }
  return json;
}

function codeCells(nb: NotebookJson): { cell: number; source: string }[] {
  return nb.cells!.flatMap((c, i) =>
    c.cell_type === "code" ? [{ cell: i + 1, source: sourceOf(c) }] : []
  );
}

function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}

function splitPath(path: string): { dir: string; stem: string } {
  const abs = absolute(path);
  const slash = abs.lastIndexOf("/");
  return { dir: abs.slice(0, slash) || "/", stem: abs.slice(slash + 1).replace(/\.ipynb$/, "") };
}

function readLines(path: string): string[] {
  try {
    return Deno.readTextFileSync(path).split("\n").filter((l) => l.trim() !== "");
  } catch {
    return [];
  }
}

function readHeadlines(path: string): Headline[] {
  return readLines(path).map((l) => JSON.parse(l) as Headline);
}

/** Maps `file:///…/.x.nbrun-…ts:57:11` in a stack trace to `notebook, cell 5, line 3:11`. */
function mapStack(
  stack: string,
  moduleUrl: string,
  cells: CompiledCell[],
  notebook: string,
): string {
  const escaped = moduleUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return stack.replace(new RegExp(`${escaped}(?::(\\d+):(\\d+))?`, "g"), (_m, line, col) => {
    if (line === undefined) return notebook;
    const n = Number(line);
    const cell = cells.find((c) => n >= c.firstLine && n < c.firstLine + c.lines);
    return cell
      ? `${notebook}, cell ${cell.cell}, line ${n - cell.firstLine + 1}:${col}`
      : notebook;
  });
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  sink: string[],
  echo: { writeSync(p: Uint8Array): number } | undefined,
): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    if (echo) echo.writeSync(chunk);
    sink.push(decoder.decode(chunk, { stream: true }));
  }
}

/** Variables holding paths: made absolute, since notebooks run in their own folder. */
const PATH_VARIABLES = ["MOVIELENS_DIR", "MOVIELENS_CACHE"];

function notebookEnv(options: RunOptions, headlines: string): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1", NB_HEADLINES: headlines };
  if (options.quick) env.NB_QUICK = "1";
  Object.assign(env, options.env);
  for (const name of PATH_VARIABLES) {
    const value = env[name] ?? Deno.env.get(name);
    if (value) env[name] = absolute(value);
  }
  return env;
}

/**
 * Runs a notebook's code cells on the fresh-machine path (Deno alone) with the kernel's
 * semantics. A failing cell does not throw: the result says which cell failed and why.
 *
 * @param notebook Path of the `.ipynb` file.
 * @param options Environment overrides, quick mode, echo and a time limit.
 * @returns What ran, how long each cell took, the outputs, headlines and any failure.
 * @throws {TypeError} When the file is missing or is not an nbformat 4 notebook.
 * @example
 * ```ts
 * import { formatFailure, runNotebook } from "./runner.ts";
 * import { assert, assertEquals } from "@std/assert";
 * const path = new URL("../../test/fixtures/notebooks/semantics.ipynb", import.meta.url);
 * const run = await runNotebook(path.pathname, { quick: true, env: { ROUNDS: "3" } });
 * assert(run.ok, formatFailure(run));
 * assertEquals(run.cells.find((c) => c.cell === 4)?.outputs[0].text, "3"); // draws.length
 * ```
 */
export async function runNotebook(
  notebook: string,
  options: RunOptions = {},
): Promise<NotebookRun> {
  const { echo = false, timeout = 1800 } = options;
  const started = performance.now();
  const nb = await readNotebook(notebook);
  const { dir, stem } = splitPath(notebook);
  const base: NotebookRun = {
    notebook,
    mode: "fresh",
    ok: false,
    seconds: 0,
    cells: [],
    headlines: [],
    output: "",
  };
  let compiled;
  try {
    compiled = compileCells(codeCells(nb), HOST.href);
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    const failure = {
      cell: error.cell,
      count: 0,
      name: error.name,
      message: error.message,
      stack: "",
    };
    return { ...base, failure, seconds: (performance.now() - started) / 1000 };
  }
  const modulePath = `${dir}/.${stem}.nbrun-${crypto.randomUUID().slice(0, 8)}.ts`;
  const events = await Deno.makeTempFile({ prefix: "nbrun-events-" });
  const headlines = await Deno.makeTempFile({ prefix: "nbrun-headlines-" });
  const output: string[] = [];
  let code = -1;
  let timedOut = false;
  try {
    await Deno.writeTextFile(modulePath, compiled.code);
    const env = notebookEnv(options, headlines);
    env.NB_EVENTS = events;
    if (echo && Deno.stdout.isTerminal()) env.NB_LIVE = "1";
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", FRESH_MAIN.pathname, modulePath.slice(dir.length + 1)],
      cwd: dir,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeout * 1000);
    // Ctrl-C: the child gets it too; remove the generated module before leaving.
    const interrupted = () => {
      try {
        Deno.removeSync(modulePath);
      } catch { /* already gone */ }
      Deno.exit(130);
    };
    Deno.addSignalListener("SIGINT", interrupted);
    try {
      await Promise.all([
        pump(child.stdout, output, echo ? Deno.stdout : undefined),
        pump(child.stderr, output, echo ? Deno.stderr : undefined),
      ]);
      code = (await child.status).code;
    } finally {
      clearTimeout(timer);
      Deno.removeSignalListener("SIGINT", interrupted);
    }
  } finally {
    await Deno.remove(modulePath).catch(() => {});
  }
  const parsed = readLines(events).map((l) => JSON.parse(l) as HostEvent);
  await Deno.remove(events).catch(() => {});
  const collected = readHeadlines(headlines);
  await Deno.remove(headlines).catch(() => {});

  const byCount = new Map(compiled.cells.map((c) => [c.count, c]));
  const cells: CellRun[] = [];
  const displays = new Map<string, CellOutput[]>();
  let failure: CellFailure | undefined;
  let lastBegun = 0;
  for (const e of parsed) {
    if (e.event === "begin") {
      lastBegun = e.count;
      cells.push({ cell: byCount.get(e.count)!.cell, count: e.count, seconds: 0, outputs: [] });
    } else if (e.event === "value" || e.event === "display") {
      const run = cells.find((c) => c.count === e.count);
      if (!run) continue;
      if (e.event === "display" && e.update) {
        for (const o of displays.get(e.id ?? "") ?? []) {
          Object.assign(o, { mimes: e.mimes, text: e.text });
        }
        continue;
      }
      const out: CellOutput = {
        type: e.event === "value" ? "result" : "display",
        mimes: e.mimes,
        text: e.text,
      };
      run.outputs.push(out);
      if (e.event === "display" && e.id) displays.set(e.id, [...displays.get(e.id) ?? [], out]);
    } else if (e.event === "end") {
      const run = cells.find((c) => c.count === e.count);
      if (run) run.seconds = e.seconds;
    } else if (e.event === "error") {
      const stack = mapStack(
        e.stack,
        new URL(`file://${modulePath}`).href,
        compiled.cells,
        notebook,
      );
      failure = {
        cell: byCount.get(e.count)?.cell ?? 0,
        count: e.count,
        name: e.name,
        message: e.message,
        stack,
      };
    }
  }
  const text = output.join("");
  if (!failure && (code !== 0 || timedOut)) {
    const cell = byCount.get(lastBegun);
    const message = timedOut ? `timed out after ${timeout} s` : `deno exited with code ${code}`;
    failure = {
      cell: cell?.cell ?? 0,
      count: lastBegun,
      name: timedOut ? "TimeoutError" : "Error",
      message,
      stack: mapStack(
        text.split("\n").slice(-20).join("\n"),
        new URL(`file://${modulePath}`).href,
        compiled.cells,
        notebook,
      ),
    };
  }
  if (failure) {
    const run = cells.find((c) => c.count === failure!.count);
    if (run && run.seconds === 0) {
      run.seconds = (performance.now() - started) / 1000 - cells.reduce((s, c) => s + c.seconds, 0);
    }
  }
  return {
    ...base,
    ok: failure === undefined,
    seconds: (performance.now() - started) / 1000,
    cells,
    headlines: collected,
    failure,
    output: text,
  };
}

function defaultPython(): string {
  const fromEnv = Deno.env.get("NB_PYTHON");
  if (fromEnv) return fromEnv;
  try {
    Deno.statSync("/usr/bin/python3");
    return "/usr/bin/python3";
  } catch {
    return "python3";
  }
}

interface DriverEvent {
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
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

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
 * import { formatFailure, runNotebookInKernel } from "./runner.ts";
 * const run = await runNotebookInKernel("notebooks/01_intro.ipynb", { echo: true });
 * console.log(run.ok ? `written to ${run.written}` : formatFailure(run));
 * ```
 */
export async function runNotebookInKernel(
  notebook: string,
  options: KernelRunOptions = {},
): Promise<NotebookRun> {
  const { echo = false, timeout = 1800, kernel = "deno" } = options;
  const started = performance.now();
  const nb = await readNotebook(notebook);
  const sources = new Map(codeCells(nb).map((c) => [c.cell, c.source]));
  const headlines = await Deno.makeTempFile({ prefix: "nbrun-headlines-" });
  const args = [
    new URL(DRIVER).pathname,
    absolute(notebook),
    "--kernel",
    kernel,
    "--timeout",
    String(timeout),
  ];
  if (options.out) args.push("--out", absolute(options.out));
  args.push("--deno", Deno.execPath(), "--fmt-config", new URL("../../deno.json", HERE).pathname);
  const run: NotebookRun = {
    notebook,
    mode: "kernel",
    ok: false,
    seconds: 0,
    cells: [],
    headlines: [],
    output: "",
  };
  const output: string[] = [];
  const say = (text: string) => {
    output.push(text);
    if (echo) Deno.stdout.writeSync(encoder.encode(text));
  };
  const pending = new Map<string, string>();
  const displays = new Map<string, CellOutput[]>();
  const stderr: string[] = [];
  let code: number;
  try {
    const child = new Deno.Command(options.python ?? defaultPython(), {
      args,
      env: notebookEnv(options, headlines),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const errors = pump(child.stderr, stderr, undefined);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of child.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim() === "") continue;
        const e = JSON.parse(line) as DriverEvent;
        const cell = run.cells.at(-1);
        switch (e.event) {
          case "begin":
            run.cells.push({ cell: e.cell!, count: e.count!, seconds: 0, outputs: [] });
            say(cellHeader(e.count!, e.cell!, cellPreview(sources.get(e.cell!) ?? "")) + "\n");
            break;
          case "stream": {
            const last = cell?.outputs.at(-1);
            if (last?.type === "stream") last.text += e.text!;
            else cell?.outputs.push({ type: "stream", mimes: [], text: e.text! });
            say(e.text!);
            break;
          }
          case "result":
          case "display": {
            const text = bundleToText(e.data!);
            const out: CellOutput = {
              type: e.event === "result" ? "result" : "display",
              mimes: Object.keys(e.data!),
              text,
            };
            cell?.outputs.push(out);
            if (e.id) displays.set(e.id, [...displays.get(e.id) ?? [], out]);
            const shown = e.event === "result" && text.includes("\n")
              ? `Out[${cell?.count}]:\n${text.split("\n").map((l) => `  ${l}`).join("\n")}`
              : e.event === "result"
              ? `Out[${cell?.count}]: ${text}`
              : text;
            say(shown + "\n");
            break;
          }
          case "update": {
            const text = bundleToText(e.data!);
            for (const o of displays.get(e.id ?? "") ?? []) {
              Object.assign(o, { mimes: Object.keys(e.data!), text });
            }
            pending.set(e.id ?? "", text);
            break;
          }
          case "end":
          case "error":
            for (const text of pending.values()) say(text + "\n");
            pending.clear();
            if (cell) cell.seconds = e.seconds ?? 0;
            if (e.event === "end") say(`   ✓ ${formatSeconds(e.seconds ?? 0)}\n`);
            else {
              run.failure = {
                cell: e.cell!,
                count: e.count!,
                name: e.ename ?? "Error",
                message: e.evalue ?? "",
                stack: (e.traceback ?? []).join("\n").replace(ANSI, "")
                  .replace(/<anonymous>:(\d+):(\d+)/g, `${notebook}, cell ${e.cell}, line $1:$2`),
              };
            }
            break;
          case "setup":
          case "failed":
            if (!run.failure) {
              run.failure = {
                cell: e.event === "failed" ? cell?.cell ?? 0 : 0,
                count: e.event === "failed" ? cell?.count ?? 0 : 0,
                name: "Error",
                message: e.message ?? "",
                stack: "",
              };
            }
            break;
          case "written":
            run.written = e.path;
            break;
        }
      }
    }
    await errors;
    code = (await child.status).code;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    code = -1;
    run.failure = {
      cell: 0,
      count: 0,
      name: "Error",
      message: `cannot start ${options.python ?? defaultPython()}: the kernel path needs Python ` +
        "with jupyter_client (Debian: apt-get install jupyter-client python3-nbclient)",
      stack: "",
    };
  }
  run.headlines = readHeadlines(headlines);
  await Deno.remove(headlines).catch(() => {});
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
  run.output = output.join("") + (errText ? `${errText}\n` : "");
  run.ok = run.failure === undefined;
  run.seconds = (performance.now() - started) / 1000;
  return run;
}

/**
 * A failure as a readable block: the notebook, the cell, the error and its mapped stack.
 *
 * @param run A run whose `ok` is false.
 * @returns The message (empty when the run succeeded).
 * @example
 * ```ts
 * import { formatFailure } from "./runner.ts";
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
      l.trim() !== "" && !l.includes(`${f.name}: ${f.message}`) && !l.includes("_host.ts")
    )
    .map((l) => `    ${l.trim()}`);
  return [head, ...stack].join("\n");
}

/** Options of {@linkcode verifyNotebook}. */
export interface VerifyOptions {
  /**
   * A run of the same notebook (either path, any parameters). Every cell that showed a result or
   * display in it must have a saved output. Without it, only cells ending in an expression that
   * surely has a value (a name, a literal, `new …`, an operator) are checked.
   * @default {undefined}
   */
  run?: NotebookRun;
}

const SURE_VALUES = new Set([
  "Identifier",
  "MemberExpression",
  "ObjectExpression",
  "ArrayExpression",
  "StringLiteral",
  "NumericLiteral",
  "BooleanLiteral",
  "TemplateLiteral",
  "BinaryExpression",
  "NewExpression",
]);

/**
 * Checks a committed notebook's outputs: saved from the Deno kernel, every non-blank code cell
 * executed in order in one session, no error output, no timing metadata, an output wherever
 * the cell shows a value, and every cell source ending with a newline (else Deno 2.9's
 * `deno fmt --check` fails on a fresh machine).
 *
 * @param notebook Path of the `.ipynb` file.
 * @param options A run of the notebook that says which cells show values.
 * @returns The problems found, one sentence each naming the cell; empty when it is fine.
 * @throws {TypeError} When the file is missing or is not an nbformat 4 notebook.
 * @example
 * ```ts
 * import { verifyNotebook } from "./runner.ts";
 * import { assertEquals } from "@std/assert";
 * // The fixture is committed without outputs: its cells were never executed.
 * const path = new URL("../../test/fixtures/notebooks/failing.ipynb", import.meta.url).pathname;
 * const problems = await verifyNotebook(path);
 * assertEquals(problems[0], `${path}, cell 2: was not executed (execution_count is null)`);
 * ```
 */
export async function verifyNotebook(
  notebook: string,
  options: VerifyOptions = {},
): Promise<string[]> {
  const nb = await readNotebook(notebook);
  const problems: string[] = [];
  const kernel = nb.metadata?.kernelspec?.name;
  if (kernel !== "deno") {
    problems.push(`${notebook}: expected the Deno kernel in metadata.kernelspec, found ${kernel}`);
  }
  let compiled: CompiledCell[] = [];
  try {
    compiled = compileCells(codeCells(nb), HOST.href).cells;
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    problems.push(`${notebook}, ${error.message}`);
  }
  const shown = new Set(
    options.run?.cells.filter((c) => c.outputs.some((o) => o.type !== "stream")).map((c) => c.cell),
  );
  let expected = 0;
  nb.cells!.forEach((cell, i) => {
    const where = `${notebook}, cell ${i + 1}`;
    const source = sourceOf(cell);
    if (source !== "" && !source.endsWith("\n")) {
      problems.push(
        `${where}: source does not end with a newline, which \`deno fmt --check\` reports ` +
          "on a fresh machine (Deno 2.9); the kernel path adds it",
      );
    }
    if (cell.cell_type !== "code") return;
    if (cell.metadata && "execution" in cell.metadata) {
      problems.push(`${where}: keeps timing metadata (metadata.execution); re-run with the runner`);
    }
    if (sourceOf(cell).trim() === "") return;
    expected++;
    if (typeof cell.execution_count !== "number") {
      problems.push(`${where}: was not executed (execution_count is ${cell.execution_count})`);
    } else if (cell.execution_count !== expected) {
      problems.push(
        `${where}: expected execution count ${expected} (one run, top to bottom), found ${cell.execution_count}`,
      );
    }
    const outputs = cell.outputs ?? [];
    for (const o of outputs.filter((o) => o.output_type === "error")) {
      problems.push(`${where}: has an error output: ${o.ename}: ${o.evalue}`);
    }
    const hasShown = outputs.some((o) =>
      o.output_type === "execute_result" || o.output_type === "display_data"
    );
    const info = compiled.find((c) => c.cell === i + 1);
    const needs = options.run ? shown.has(i + 1) : SURE_VALUES.has(info?.lastExpression ?? "");
    if (needs && !hasShown) {
      problems.push(`${where}: shows a value when run, but no output is saved`);
    }
  });
  return problems;
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
 * beside the tutorials'.
 *
 * @param runs The runs to summarise.
 * @param options The wall-clock time and how many notebooks ran at a time, when run side by side.
 * @returns Plain-text tables.
 * @example
 * ```ts
 * import { formatSummary } from "./runner.ts";
 * console.log(formatSummary([{
 *   notebook: "01_mf.ipynb", mode: "fresh", ok: true, seconds: 12.3, output: "",
 *   cells: [{ cell: 2, count: 1, seconds: 12, outputs: [] }],
 *   headlines: [{ name: "RMSE", value: "0.87", tutorial: "0.88" }],
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
        r.ok ? "ok" : `FAILED (cell ${r.failure?.cell})`,
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
    r.headlines.map((h) => [r.notebook.split("/").at(-1)!, h.name, h.value, h.tutorial || "—"])
  );
  if (figures.length > 0) {
    lines.push(
      "",
      "Headline figures",
      ...table([["notebook", "figure", "ours", "tutorial"], ...figures]),
    );
  }
  return lines.join("\n");
}
