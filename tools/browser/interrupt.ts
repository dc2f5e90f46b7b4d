/**
 * The browser test's interrupt check: Notebook 6 runs a training cell of a fixture notebook,
 * the test presses Kernel › Interrupt while it trains, and expects what the README promises —
 * the cell ends with an `Interrupted` error, the same kernel goes on (no restart), and a variable
 * of an earlier cell is still there.
 *
 * @module
 */

import type { Page } from "./chromium.ts";
import { clickKernelMenu, waitForNotebook } from "./notebook_page.ts";

/** The fixture: imports, then a long training cell, then `kept + 1`. */
export const INTERRUPT_FIXTURE = "interrupt_training.ipynb";

/** What the check saw. */
export interface InterruptReport {
  /** The training cell's error, `"Interrupted: …"`, or what it showed instead. */
  error: string;
  /** Seconds from the click on Kernel › Interrupt to the cell's end. */
  seconds: number;
  /** The last cell's result (`"42"` when the variable survived). */
  result: string;
  /** Whether the kernel is the one that started the run (not died, not restarted). */
  sameKernel: boolean;
  /** What is wrong, empty when nothing is. */
  problems: string[];
}

/** Runs code cell `index` (0-based among all cells) and waits until it has finished. */
async function runCell(page: Page, index: number, timeoutMs: number): Promise<void> {
  await page.evaluate(`(Jupyter.notebook.execute_cells([${index}]), true)`);
  await page.waitUntil(
    `(() => { const c = Jupyter.notebook.get_cell(${index});
      return typeof c.input_prompt_number === "number"; })()`,
    { timeoutMs, intervalMs: 200, what: `cell ${index + 1} to finish` },
  );
}

/** The text of cell `index`'s outputs of one type. */
function outputsOf(page: Page, index: number): Promise<Record<string, unknown>[]> {
  return page.evaluate(`Jupyter.notebook.get_cell(${index}).output_area.toJSON()`);
}

/**
 * Opens the fixture, runs its cells, interrupts the training cell through the Kernel menu and
 * reports what happened.
 *
 * @param page The tab.
 * @param url The fixture's address on the notebook server.
 * @returns What the check saw, with its problems.
 */
export async function checkInterrupt(page: Page, url: string): Promise<InterruptReport> {
  await page.goto(url);
  await waitForNotebook(page);
  await page.waitUntil(
    "!!(Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())",
    { timeoutMs: 120_000, what: "the fixture's kernel to connect" },
  );
  const kernelId = await page.evaluate<string>("Jupyter.notebook.kernel.id");
  await runCell(page, 1, 120_000);
  // Start the training cell, and wait until its progress line shows.
  await page.evaluate("(Jupyter.notebook.execute_cells([2]), true)");
  await page.waitUntil(
    "Jupyter.notebook.get_cell(2).output_area.outputs.length > 0",
    { timeoutMs: 60_000, intervalMs: 200, what: "the training cell's progress line" },
  );
  await new Promise((r) => setTimeout(r, 1000));
  // Before Deno's kernel had an interrupt, the click ended the kernel and Notebook restarted it.
  await page.evaluate(`(() => {
    window.__interruptCheck = { restarted: false };
    Jupyter.notebook.events.on(
      "kernel_restarting.Kernel kernel_autorestarting.Kernel kernel_dead.Kernel",
      () => { window.__interruptCheck.restarted = true; },
    );
    return true;
  })()`);
  const clicked = performance.now();
  await clickKernelMenu(page, "int_kernel", "Interrupt");
  await page.waitUntil(
    "typeof Jupyter.notebook.get_cell(2).input_prompt_number === 'number' || " +
      "window.__interruptCheck.restarted",
    { timeoutMs: 60_000, intervalMs: 200, what: "the interrupted cell to end" },
  );
  const seconds = (performance.now() - clicked) / 1000;
  const restarted = await page.evaluate<boolean>("window.__interruptCheck.restarted");
  if (restarted) {
    await page.waitUntil(
      "!!(Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())",
      { timeoutMs: 120_000, what: "the restarted kernel to connect" },
    );
  }
  const errors = (await outputsOf(page, 2)).filter((o) => o.output_type === "error");
  const error = errors.length > 0
    ? `${errors[0].ename}: ${errors[0].evalue}`
    : "no error (the cell ran to its end)";
  await runCell(page, 3, 60_000);
  const results = (await outputsOf(page, 3)).filter((o) => o.output_type === "execute_result");
  const data = results[0]?.data as Record<string, string> | undefined;
  const result = data?.["text/plain"] ?? "no result";
  const sameKernel = !restarted && await page.evaluate<boolean>(
    `Jupyter.notebook.kernel.id === ${JSON.stringify(kernelId)}`,
  );
  const problems: string[] = [];
  if (!error.startsWith("Interrupted: stopped by Kernel › Interrupt in epoch")) {
    problems.push(`the training cell showed ${JSON.stringify(error)}, not the Interrupted error`);
  }
  if (result !== "42") problems.push(`the variable of cell 2 was lost: kept + 1 gave ${result}`);
  if (!sameKernel) problems.push("the kernel died and was restarted");
  return { error, seconds, result, sameKernel, problems };
}
