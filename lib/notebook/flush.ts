/**
 * **Every output in its own cell.** Deno's kernel (2.9) queues a cell's outputs and publishes
 * them from a separate loop, stamped with the request current *when it publishes*, while it
 * reports the cell finished as soon as the result is queued; in Run All a late output then shows
 * under the next cell. {@linkcode flushOutputs} waits, while the cell still runs, until the kernel
 * has published everything queued so far (it watches the kernel's own IOPub socket for a marker
 * queued behind the outputs). The display helpers flush after each output, and
 * {@linkcode installOutputFlush} makes every cell end with a flush, a bare last expression
 * included. It is installed as soon as this module is imported inside the kernel (every
 * notebook's parameter cell imports it) and again by `setupDisplay()`; it also adds to a
 * cell's `ReferenceError` for a missing name which cell defines it and to run the cells above
 * first. `NB_OUTPUT_FLUSH=0` in the kernel's environment switches the flush off (the browser
 * test measures Run All without it that way). Outside the kernel none of this does anything.
 *
 * @module
 */

import { installInterruptHandler } from "../_interrupt.ts";
import { checkOptionKeys } from "../_options.ts";
import { installReferenceHints, type NotebookClues } from "./_cell_hints.ts";
import {
  kernelResultHooks,
  OutputFlusher,
  ownConnectionFile,
  wrapResultHook,
} from "./_output_flush.ts";

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
  const file = jupyter && typeof jupyter.broadcast === "function" ? ownConnectionFile() : null;
  flusher = jupyter && file !== null
    ? new OutputFlusher({
      broadcast: (type, content, extra) => jupyter.broadcast(type, content, extra),
      connectionFile: () => file,
    })
    : null;
  return flusher;
}

/**
 * Whether this process is Deno's Jupyter kernel: `Deno.jupyter` and a connection file on the
 * command line (the notebook runner's fresh path fakes the one but has not the other).
 *
 * @returns `true` inside the kernel.
 * @example
 * ```ts
 * import { inKernel } from "./flush.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(inKernel(), false);
 * ```
 */
export function inKernel(): boolean {
  return kernelFlusher() !== null;
}

function flushDisabled(): boolean {
  try {
    return Deno.env.get(OUTPUT_FLUSH_VARIABLE) === "0";
  } catch {
    return false;
  }
}

/** Every option of {@linkcode flushOutputs} (the type makes the list complete). */
const FLUSH_OPTIONS: Record<keyof FlushOptions, true> = { timeoutMs: true, fallbackMs: true };

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
 * import { flushOutputs } from "./flush.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(await flushOutputs(), "no kernel"); // outside Jupyter
 * ```
 */
export async function flushOutputs(options: FlushOptions = {}): Promise<FlushResult> {
  checkOptionKeys(options, Object.keys(FLUSH_OPTIONS), "flushOutputs()");
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
 * finished; makes a cell's `ReferenceError` for a missing name say which cell defines it and
 * to run the cells above first (Cell › Run All Above); and makes Kernel › Interrupt stop the
 * library's training loop that is running instead of ending the kernel (`lib/_interrupt.ts`).
 * Importing this module inside the kernel calls it, and so does `setupDisplay()`; calling it
 * again does nothing.
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
 * import { installOutputFlush } from "./flush.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(installOutputFlush(), "no kernel");
 * ```
 */
export function installOutputFlush(): InstallResult {
  if (kernelFlusher() === null) return "no kernel";
  installReferenceHints(notebookClues);
  installInterruptHandler(); // Kernel › Interrupt stops a training loop, not the kernel
  if (flushDisabled()) return "disabled";
  return wrapResultHook(kernelResultHooks(), () => flushOutputs());
}

// Inside the kernel, every cell from the one that imports this module on ends with a flush.
installOutputFlush();
