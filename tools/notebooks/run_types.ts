/**
 * What a notebook run takes and returns, shared by both ways of running a notebook
 * (`fresh_run.ts`, `kernel_run.ts`) and by the checks and reports built on a run.
 *
 * @module
 */

import type { Headline } from "../../lib/notebook/params.ts";

/** Options shared by both ways of running a notebook. */
export interface RunOptions {
  /**
   * Environment overrides for the notebook, e.g. `{ EPOCHS: "2" }` (see `param()`); the
   * notebook inherits the rest of this process's environment, and `undefined` removes a
   * variable from it (`{ EPOCHS: undefined }`: the notebook's own value, whatever is exported).
   * @default {{}}
   */
  env?: Record<string, string | undefined>;
  /**
   * Run every parameter at its `quick` value (sets `NB_QUICK=1`). This option alone decides:
   * an `NB_QUICK` in this process's environment or in `env` is not passed on, so `false` is a
   * full run.
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

/** Options of `runNotebookInKernel()`. */
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
  /**
   * Run every code cell twice in a row, as a teacher pressing Shift-Enter twice does: the run
   * fails where a cell's second run fails, and the second run's outputs are the ones kept.
   * @default {false}
   */
  twice?: boolean;
  /**
   * Run the notebook, then each code cell alone once more from the last to the first (as a
   * teacher going back to one after the end), then the whole notebook again in the same kernel
   * (Cell › Run All pressed again, without a restart), with one draw from the session's random
   * stream before each of its cells. The run fails where a cell fails in any pass, or where the
   * second Run All shows other outputs than the first (timings and tfjs' session-wide layer
   * numbers masked); the second Run All's outputs are the ones kept.
   * @default {false}
   */
  runAllTwice?: boolean;
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

/**
 * The {@linkcode CellFailure} name of a kernel run whose cells all ran but whose notebook could
 * not be written (a full disk, a folder made read-only meanwhile): the summary says
 * "FAILED (not written)", not "not run".
 */
export const NOT_WRITTEN = "not written";

/** Why a notebook run failed. */
export interface CellFailure {
  /**
   * 1-based position of the failing cell, or 0 when the run failed before any cell (or, with
   * the name {@linkcode NOT_WRITTEN}, after all of them).
   */
  cell: number;
  /** Its execution count, or 0. */
  count: number;
  /** Error class, e.g. `"TypeError"`; `"cannot run"` or {@linkcode NOT_WRITTEN} for the runner's. */
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

/**
 * A run that has not started yet: no cells, not ok.
 *
 * @param notebook Path of the notebook as given.
 * @param mode Which path runs it.
 * @returns The empty run.
 * @example
 * ```ts
 * import { emptyRun } from "./run_types.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(emptyRun("a.ipynb", "fresh").ok, false);
 * ```
 */
export function emptyRun(notebook: string, mode: NotebookRun["mode"]): NotebookRun {
  return { notebook, mode, ok: false, seconds: 0, cells: [], headlines: [], output: "" };
}
