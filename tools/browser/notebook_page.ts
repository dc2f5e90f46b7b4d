/**
 * Notebook 6's page, driven over the DevTools protocol: open a notebook, read what each output
 * shows, Kernel › Restart & Run All through the menu and its dialog, and read the outputs the
 * page would save.
 *
 * @module
 */

import type { Page } from "./chromium.ts";
import type { CellOutputs, ObservedCell } from "./outputs.ts";

/**
 * Waits until Notebook 6 has loaded the notebook and every image on the page has finished
 * loading (or failed).
 *
 * @param page The tab, already at the notebook's address.
 * @param timeoutMs Time limit.
 */
export async function waitForNotebook(page: Page, timeoutMs = 120_000): Promise<void> {
  await page.waitUntil(
    "!!(window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded)",
    { timeoutMs, what: "Notebook 6 to load the notebook" },
  );
  await waitForImages(page, 30_000);
}

async function waitForImages(page: Page, timeoutMs: number): Promise<void> {
  await page.waitUntil(
    "[...document.querySelectorAll('#notebook img')].every((i) => i.complete)",
    { timeoutMs, what: "the notebook's images to load" },
  );
}

/** Whether Notebook 6 treats the open notebook as trusted. */
export function isTrusted(page: Page): Promise<boolean> {
  return page.evaluate<boolean>("Jupyter.notebook.trusted === true");
}

/** The page-side script that describes what each code cell's outputs show. */
export const OBSERVE_SCRIPT = `(() => {
  const observe = (area) => {
    const sub = area.querySelector(".output_subarea") || area;
    const images = [...sub.querySelectorAll("img")];
    const svgs = [...sub.querySelectorAll("svg")].filter((s) => !s.parentElement.closest("svg"));
    const loaded = images.filter((i) => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0);
    const broken = images.filter((i) => i.complete && i.naturalWidth === 0);
    const drawn = svgs.filter((s) => {
      const box = s.getBoundingClientRect();
      return box.width > 0 && box.height > 0;
    });
    return {
      pictures: loaded.length + drawn.length,
      brokenImages: broken.length,
      text: (sub.innerText || sub.textContent || "").slice(0, 400),
    };
  };
  return Jupyter.notebook.get_cells().flatMap((cell, index) => {
    if (cell.cell_type !== "code") return [];
    const areas = [...cell.output_area.element[0].children]
      .filter((e) => e.classList.contains("output_area"));
    return [{ cell: index, outputs: areas.map(observe) }];
  });
})()`;

/** What the page shows for each code cell's outputs. */
export function observeOutputs(page: Page): Promise<ObservedCell[]> {
  return page.evaluate<ObservedCell[]>(OBSERVE_SCRIPT);
}

/** The outputs the page holds for each code cell (what a save would write). */
export function pageOutputs(page: Page): Promise<CellOutputs[]> {
  return page.evaluate<CellOutputs[]>(`Jupyter.notebook.get_cells().flatMap((cell, index) =>
    cell.cell_type === "code" ? [{ cell: index, outputs: cell.output_area.toJSON() }] : [])`);
}

/**
 * Clicks an item of Notebook 6's Kernel menu, as a user does: the menu, then the item.
 *
 * @param page The tab with the open notebook.
 * @param id The item's element id (`restart_run_all`, `int_kernel`, …).
 * @param label The item's label, for the error when it is missing.
 */
export async function clickKernelMenu(page: Page, id: string, label: string): Promise<void> {
  await page.evaluate(`(() => {
    const item = document.querySelector(${JSON.stringify(`#${id} > a`)});
    if (!item) throw new Error(${JSON.stringify(`no Kernel › ${label} menu item`)});
    document.querySelector("#kernellink").click();
    item.click();
    return true;
  })()`);
}

/** Options of {@linkcode restartAndRunAll}. */
export interface RunAllOptions {
  /**
   * Time limit for the whole run, in milliseconds.
   * @default {1800000}
   */
  timeoutMs?: number;
  /**
   * After every cell has finished, how long the outputs must stay unchanged, in milliseconds
   * (a late output still arrives then).
   * @default {2000}
   */
  settleMs?: number;
}

/**
 * Kernel › Restart & Run All, as a user does it: the menu item, then the dialog's "Restart and
 * Run All Cells" button; then waits until every code cell has run, the kernel is idle and the
 * outputs have stopped changing.
 *
 * @param page The tab with the open notebook.
 * @param options Time limit, settle time.
 * @returns Seconds from the click to the last cell's end.
 */
export async function restartAndRunAll(page: Page, options: RunAllOptions = {}): Promise<number> {
  const { timeoutMs = 1_800_000, settleMs = 2000 } = options;
  // Count cells started and finished from now on.
  await page.evaluate(`(() => {
    const state = window.__browserTest = { started: 0, finished: 0 };
    if (!window.__browserTestHooked) {
      window.__browserTestHooked = true;
      Jupyter.notebook.events.on("execute.CodeCell", () => window.__browserTest.started++);
      Jupyter.notebook.events.on("finished_execute.CodeCell", () => window.__browserTest.finished++);
    }
    return true;
  })()`);
  const toRun = await page.evaluate<number>(`Jupyter.notebook.get_cells()
    .filter((c) => c.cell_type === "code" && c.get_text().trim() !== "").length`);
  // Without a connected kernel Notebook restarts at once, without its dialog: wait for it.
  await page.waitUntil(
    "!!(Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())",
    { timeoutMs: 120_000, what: "the notebook's kernel to connect" },
  );
  const started = performance.now();
  await clickKernelMenu(page, "restart_run_all", "Restart & Run All");
  await page.waitUntil(
    `(() => {
    const button = [...document.querySelectorAll(".modal-dialog .modal-footer button")]
      .find((b) => b.textContent.trim() === "Restart and Run All Cells");
    if (!button) return false;
    button.click();
    return true;
  })()`,
    { timeoutMs: 30_000, what: "the Restart & Run All dialog" },
  );
  await page.waitUntil(
    `window.__browserTest.started >= ${toRun} && window.__browserTest.finished >= ${toRun} &&
      document.querySelectorAll(".code_cell.running").length === 0 &&
      Jupyter.notebook.get_cells().every((c) => c.cell_type !== "code" ||
        c.input_prompt_number !== "*")`,
    { timeoutMs, intervalMs: 500, what: `all ${toRun} code cells to run` },
  );
  const seconds = (performance.now() - started) / 1000;
  // Outputs still arriving (late ones) change the saved form: wait until it is stable.
  let last = "";
  let stableSince = performance.now();
  const deadline = performance.now() + 60_000;
  while (performance.now() - stableSince < settleMs && performance.now() < deadline) {
    const now = await page.evaluate<string>(
      "JSON.stringify(Jupyter.notebook.get_cells().map((c) => c.output_area ? c.output_area.toJSON() : null)).length + ':' + document.querySelectorAll('.output_area').length",
    );
    if (now !== last) {
      last = now;
      stableSince = performance.now();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await waitForImages(page, 30_000);
  return seconds;
}
