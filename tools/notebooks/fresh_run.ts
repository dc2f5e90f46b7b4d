/**
 * Runs a notebook on the fresh-machine path (Deno alone) with the Deno Jupyter kernel's
 * semantics: the code cells become one module that runs in the notebook's folder, cells sharing
 * one scope in order, with top-level `await`, each cell's last bare expression printed as plain
 * text, `Deno.jupyter.display` available, and the time of every cell measured. The notebook
 * stays the single source: the module is written next to it for the run and deleted afterwards.
 *
 * @module
 */

import type { Headline } from "../../lib/notebook/params.ts";
import { compileCells, type CompiledCell, CompileError } from "./_compile.ts";
import {
  codeCells,
  HOST_MODULE,
  notebookEnv,
  pump,
  readHeadlines,
  readLines,
  readNotebook,
  RUN_CLEANUP,
  splitPath,
} from "./_files.ts";
import type { HostEvent } from "./_host.ts";
import { explainMissingName } from "./run_summary.ts";
import { withCleanUpOnSignals } from "../_cleanup.ts";
import {
  type CellFailure,
  type CellOutput,
  type CellRun,
  emptyRun,
  type NotebookRun,
  type RunOptions,
} from "./run_types.ts";

const FRESH_MAIN = new URL("./_fresh_main.ts", import.meta.url);

/** Options of {@linkcode runNotebook}. */
export interface FreshRunOptions extends RunOptions {
  /**
   * Run only the first this many code cells: 1 runs the parameter cell alone, to check the
   * parameters' values before a long run.
   * @default {every code cell}
   */
  cells?: number;
}

/**
 * Runs a notebook's code cells on the fresh-machine path (Deno alone) with the kernel's
 * semantics. A failing cell does not throw: the result says which cell failed and why.
 *
 * @param notebook Path of the `.ipynb` file.
 * @param options Environment overrides, quick mode, echo, a time limit, the cells to run.
 * @returns What ran, how long each cell took, the outputs, headlines and any failure.
 * @throws {TypeError} When the file is missing or is not an nbformat 4 notebook.
 * @example
 * ```ts
 * import { runNotebook } from "./fresh_run.ts";
 * import { formatFailure } from "./run_summary.ts";
 * import { assert, assertEquals } from "@std/assert";
 * const path = new URL("../../test/fixtures/notebooks/semantics.ipynb", import.meta.url);
 * const run = await runNotebook(path.pathname, { quick: true, env: { ROUNDS: "3" } });
 * assert(run.ok, formatFailure(run));
 * assertEquals(run.cells.find((c) => c.cell === 4)?.outputs[0].text, "3"); // draws.length
 * ```
 */
export async function runNotebook(
  notebook: string,
  options: FreshRunOptions = {},
): Promise<NotebookRun> {
  const started = performance.now();
  const nb = await readNotebook(notebook);
  const base = emptyRun(notebook, "fresh");
  let compiled;
  try {
    compiled = compileCells(codeCells(nb).slice(0, options.cells), HOST_MODULE);
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
  const child = await runModule(notebook, compiled.code, options);
  const mapped = (stack: string) => mapStack(stack, child.moduleUrl, compiled.cells, notebook);
  const byCount = new Map(compiled.cells.map((c) => [c.count, c]));
  const found = cellsFromEvents(child.events, byCount, mapped);
  const reported = found.failure ??
    exitFailure(child, byCount.get(found.lastBegun), found.lastBegun, options, mapped);
  const failure = reported && explainMissingName(reported, codeCells(nb));
  if (failure) chargeFailingCell(found.cells, failure, started);
  return {
    ...base,
    ok: failure === undefined,
    seconds: (performance.now() - started) / 1000,
    cells: found.cells,
    headlines: child.headlines,
    failure,
    output: child.output,
  };
}

/** What the child process running the generated module left behind. */
interface ModuleRun {
  /** The host's events, in order. */
  events: HostEvent[];
  /** Headline figures the notebook printed. */
  headlines: Headline[];
  /** Everything the child printed. */
  output: string;
  /** Its exit code. */
  code: number;
  /** Whether it was stopped for taking too long. */
  timedOut: boolean;
  /** URL of the generated module, as stack traces name it. */
  moduleUrl: string;
}

/**
 * Writes the generated module next to the notebook, runs it, and removes it again, with the
 * run's two temporary files: on every path, Ctrl-C and SIGTERM included (the child is stopped
 * first).
 */
async function runModule(notebook: string, code: string, options: RunOptions): Promise<ModuleRun> {
  const { dir, stem } = splitPath(notebook);
  const modulePath = `${dir}/.${stem}.nbrun-${crypto.randomUUID().slice(0, 8)}.ts`;
  const files = [modulePath];
  const removeFiles = () => Promise.all(files.map((f) => Deno.remove(f).catch(() => {})));
  let child: Deno.ChildProcess | undefined;
  const stop = async () => {
    try {
      child?.kill("SIGKILL");
    } catch { /* it has exited */ }
    await child?.status;
    await removeFiles();
  };
  return await withCleanUpOnSignals(stop, async () => {
    try {
      const events = await Deno.makeTempFile({ prefix: "nbrun-events-" });
      files.push(events);
      const headlines = await Deno.makeTempFile({ prefix: "nbrun-headlines-" });
      files.push(headlines);
      await Deno.writeTextFile(modulePath, code);
      const env = notebookEnv(options, headlines);
      env.NB_EVENTS = events;
      if (options.echo && Deno.stdout.isTerminal()) env.NB_LIVE = "1";
      const exit = await runChild(dir, modulePath, env, options, (c) => child = c);
      const parsed = readLines(events).map((l) => JSON.parse(l) as HostEvent);
      const collected = readHeadlines(headlines);
      const moduleUrl = new URL(`file://${modulePath}`).href;
      return { ...exit, events: parsed, headlines: collected, moduleUrl };
    } finally {
      await removeFiles();
    }
  }, RUN_CLEANUP);
}

/** Runs `deno run -A _fresh_main.ts <module>` in the notebook's folder, with a time limit. */
async function runChild(
  dir: string,
  modulePath: string,
  env: Record<string, string>,
  options: RunOptions,
  started: (child: Deno.ChildProcess) => void,
): Promise<{ code: number; timedOut: boolean; output: string }> {
  const { echo = false, timeout = 1800 } = options;
  const output: string[] = [];
  let timedOut = false;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", FRESH_MAIN.pathname, modulePath.slice(dir.length + 1)],
    cwd: dir,
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  started(child);
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeout * 1000);
  try {
    await Promise.all([
      pump(child.stdout, output, echo ? Deno.stdout : undefined),
      pump(child.stderr, output, echo ? Deno.stderr : undefined),
    ]);
    const code = (await child.status).code;
    return { code, timedOut, output: output.join("") };
  } finally {
    clearTimeout(timer);
  }
}

/** The cells, their outputs and a failing cell's error, from the host's events. */
function cellsFromEvents(
  events: HostEvent[],
  byCount: Map<number, CompiledCell>,
  mapped: (stack: string) => string,
): { cells: CellRun[]; failure?: CellFailure; lastBegun: number } {
  const cells: CellRun[] = [];
  const displays = new Map<string, CellOutput[]>();
  let failure: CellFailure | undefined;
  let lastBegun = 0;
  for (const e of events) {
    if (e.event === "begin") {
      lastBegun = e.count;
      cells.push({ cell: byCount.get(e.count)!.cell, count: e.count, seconds: 0, outputs: [] });
    } else if (e.event === "value" || e.event === "display") {
      const run = cells.find((c) => c.count === e.count);
      if (run) addOutput(run, e, displays);
    } else if (e.event === "end") {
      const run = cells.find((c) => c.count === e.count);
      if (run) run.seconds = e.seconds;
    } else if (e.event === "error") {
      failure = {
        cell: byCount.get(e.count)?.cell ?? 0,
        count: e.count,
        name: e.name,
        message: e.message,
        stack: mapped(e.stack),
      };
    }
  }
  return { cells, failure, lastBegun };
}

/** Records a value or display in its cell; a display update rewrites the outputs it names. */
function addOutput(
  run: CellRun,
  e: Extract<HostEvent, { event: "value" | "display" }>,
  displays: Map<string, CellOutput[]>,
): void {
  if (e.event === "display" && e.update) {
    for (const o of displays.get(e.id ?? "") ?? []) {
      Object.assign(o, { mimes: e.mimes, text: e.text });
    }
    return;
  }
  const out: CellOutput = {
    type: e.event === "value" ? "result" : "display",
    mimes: e.mimes,
    text: e.text,
  };
  run.outputs.push(out);
  if (e.event === "display" && e.id) displays.set(e.id, [...displays.get(e.id) ?? [], out]);
}

/** The failure of a child that exited badly or timed out without reporting an error. */
function exitFailure(
  child: ModuleRun,
  cell: CompiledCell | undefined,
  lastBegun: number,
  options: RunOptions,
  mapped: (stack: string) => string,
): CellFailure | undefined {
  if (child.code === 0 && !child.timedOut) return undefined;
  const { timeout = 1800 } = options;
  return {
    cell: cell?.cell ?? 0,
    count: lastBegun,
    name: child.timedOut ? "TimeoutError" : "Error",
    message: child.timedOut
      ? `timed out after ${timeout} s`
      : `deno exited with code ${child.code}`,
    stack: mapped(child.output.split("\n").slice(-20).join("\n")),
  };
}

/** Gives the failing cell, when it never ended, the time the run spent outside other cells. */
function chargeFailingCell(cells: CellRun[], failure: CellFailure, started: number): void {
  const run = cells.find((c) => c.count === failure.count);
  if (run && run.seconds === 0) {
    run.seconds = (performance.now() - started) / 1000 - cells.reduce((s, c) => s + c.seconds, 0);
  }
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
