/**
 * nbconvert's HTML export, checked in the browser: each notebook is exported with
 * `python3 -m nbconvert --to html` (the exporter nbviewer renders with), the page is opened
 * in headless Chromium from a `file://` address, and what each code cell's outputs show is
 * checked like an opened notebook's ({@linkcode checkRendered}): every figure an image that
 * loaded, no markup shown as text.
 *
 * Two of nbconvert's sanitisers can be asked for, to measure what they do to outputs (the
 * browser test's self-check uses them as inputs that must fail):
 *
 * - `"sanitize-html"`: `--sanitize-html` (nbconvert 6.5's template filter, lxml's
 *   `clean_html`): keeps tables, drops `<object>` and empties an `<img>`'s `data:` source.
 * - `"bleach"`: nbconvert's `SanitizeHTML` preprocessor with its default options (bleach's
 *   default tags: no `img`, no `table`): escapes the whole HTML output, so it shows as text.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import type { Page } from "./chromium.ts";
import {
  type CellOutputs,
  checkRendered,
  isFigure,
  type NbOutput,
  type ObservedCell,
} from "./outputs.ts";

/** How nbconvert treats HTML in outputs. */
export type Sanitize = "none" | "sanitize-html" | "bleach";

/** Options of {@linkcode nbconvertArgs} and {@linkcode exportNotebooks}. */
export interface ExportOptions {
  /**
   * Which sanitiser nbconvert applies.
   * @default {"none"}
   */
  sanitize?: Sanitize;
}

/**
 * nbconvert's command line (after `python3`) for exporting notebooks to HTML in one folder.
 *
 * @param notebooks Paths of the `.ipynb` files.
 * @param outDir The folder for the `.html` files (one per notebook, same base name).
 * @param options The sanitiser.
 * @returns The arguments.
 * @throws {RangeError} When no notebook is given or a path does not end in `.ipynb`.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { nbconvertArgs } from "./html_export.ts";
 * assertEquals(nbconvertArgs(["a.ipynb"], "out"), [
 *   "-m", "nbconvert", "--to", "html", "--output-dir", "out", "a.ipynb",
 * ]);
 * ```
 */
export function nbconvertArgs(
  notebooks: string[],
  outDir: string,
  options: ExportOptions = {},
): string[] {
  const { sanitize = "none" } = options;
  if (notebooks.length === 0) {
    throw new RangeError("nbconvertArgs(): expected at least one notebook, found none");
  }
  const bad = notebooks.find((n) => !n.endsWith(".ipynb"));
  if (bad !== undefined) {
    throw new RangeError(`nbconvertArgs(): expected .ipynb files, found "${bad}"`);
  }
  const args = ["-m", "nbconvert", "--to", "html", "--output-dir", outDir];
  if (sanitize === "sanitize-html") args.push("--sanitize-html");
  else if (sanitize === "bleach") {
    args.push("--HTMLExporter.preprocessors=['nbconvert.preprocessors.sanitize.SanitizeHTML']");
  } else if (sanitize !== "none") {
    throw new RangeError(
      `nbconvertArgs(): expected sanitize "none", "sanitize-html" or "bleach", found "${sanitize}"`,
    );
  }
  return [...args, ...notebooks];
}

/**
 * The exported page's path for a notebook: the same base name with `.html`, in `outDir`.
 *
 * @param notebook The notebook's path.
 * @param outDir The export folder.
 * @returns The page's path.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { exportedPath } from "./html_export.ts";
 * assertEquals(exportedPath("notebooks/01_mf.ipynb", "/tmp/x"), "/tmp/x/01_mf.html");
 * ```
 */
export function exportedPath(notebook: string, outDir: string): string {
  const base = notebook.split("/").at(-1)!.replace(/\.ipynb$/, "");
  return `${outDir}/${base}.html`;
}

/**
 * Exports notebooks to HTML with one nbconvert process, with a config folder of its own (the
 * user's nbconvert settings are not read).
 *
 * @param notebooks Paths of the `.ipynb` files.
 * @param outDir The folder for the pages (created when needed).
 * @param options The sanitiser, the Python that has nbconvert (default `NB_PYTHON` or
 *   `/usr/bin/python3`) and an empty config folder.
 * @returns The pages' paths, in the order of `notebooks`.
 * @throws {Error} When nbconvert fails or writes no page for a notebook (with its stderr).
 */
export async function exportNotebooks(
  notebooks: string[],
  outDir: string,
  options: ExportOptions & { python?: string; configDir: string },
): Promise<string[]> {
  const python = options.python ?? Deno.env.get("NB_PYTHON") ?? "/usr/bin/python3";
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.mkdir(options.configDir, { recursive: true });
  const { code, stderr } = await new Deno.Command(python, {
    args: nbconvertArgs(notebooks, outDir, options),
    env: { JUPYTER_CONFIG_DIR: options.configDir },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(stderr);
  if (code !== 0) {
    throw new Error(`nbconvert --to html failed (exit ${code}):\n${log.slice(-3000)}`);
  }
  const pages = notebooks.map((n) => exportedPath(n, outDir));
  for (const [i, page] of pages.entries()) {
    try {
      await Deno.stat(page);
    } catch {
      throw new Error(`nbconvert wrote no ${page} for ${notebooks[i]}:\n${log.slice(-3000)}`);
    }
  }
  return pages;
}

/**
 * Installed before an exported page loads: marks each `<object>` whose document loaded
 * (`data-loaded="1"`) or failed (`"0"`); load and error events do not bubble, so the listener
 * captures them at the document.
 */
export const OBJECT_LOAD_SCRIPT = `document.addEventListener("load", (e) => {
  if (e.target instanceof HTMLObjectElement) e.target.dataset.loaded = "1";
}, true);
document.addEventListener("error", (e) => {
  if (e.target instanceof HTMLObjectElement) e.target.dataset.loaded = "0";
}, true);`;

/**
 * The page-side script that describes what each code cell of an exported page (nbconvert's
 * `lab` template: one `.jp-Notebook-cell` per notebook cell, one `.jp-OutputArea-child` per
 * output) shows. A picture is a visible `<img>` that loaded, a visible `<svg>`, or a visible
 * `<object>` whose document loaded and whose fallback `<img>` (the same data) decodes.
 */
export const EXPORT_OBSERVE_SCRIPT = `(() => {
  const visible = (e) => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const decoded = (i) => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0;
  const observe = (child) => {
    const sub = child.querySelector(".jp-OutputArea-output") || child;
    const objects = [...sub.querySelectorAll("object")];
    const inObject = (e) => objects.some((o) => o.contains(e));
    const images = [...sub.querySelectorAll("img")].filter((i) => !inObject(i) || visible(i));
    const svgs = [...sub.querySelectorAll("svg")].filter((s) => !s.parentElement.closest("svg"));
    const shownObjects = objects.filter((o) => {
      const fallback = o.querySelector("img");
      return o.dataset.loaded === "1" && visible(o) && !(fallback && visible(fallback)) &&
        (!fallback || decoded(fallback));
    });
    return {
      pictures: images.filter((i) => decoded(i) && visible(i)).length +
        svgs.filter(visible).length + shownObjects.length,
      brokenImages: [...sub.querySelectorAll("img")]
        .filter((i) => i.complete && i.naturalWidth === 0).length +
        objects.filter((o) => o.dataset.loaded === "0").length,
      text: (sub.innerText || sub.textContent || "").slice(0, 400),
    };
  };
  const cells = [...document.querySelectorAll(".jp-Notebook-cell")];
  return {
    cells: cells.length,
    observed: cells.flatMap((cell, index) => {
      if (!cell.classList.contains("jp-CodeCell")) return [];
      const children = [...cell.querySelectorAll(".jp-OutputArea-child")];
      return [{ cell: index, outputs: children.map(observe) }];
    }),
  };
})()`;

/** A notebook as stored: its cells. */
export interface NotebookFile {
  cells: { cell_type: string; outputs?: NbOutput[] }[];
}

/**
 * A notebook's code cells and outputs, as {@linkcode checkRendered} expects them.
 *
 * @param nb The parsed notebook.
 * @returns One entry per code cell, with its index among all cells.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { codeCellOutputs } from "./html_export.ts";
 * const nb = { cells: [{ cell_type: "markdown" }, { cell_type: "code", outputs: [] }] };
 * assertEquals(codeCellOutputs(nb), [{ cell: 1, outputs: [] }]);
 * ```
 */
export function codeCellOutputs(nb: NotebookFile): CellOutputs[] {
  return nb.cells.flatMap((c, cell) =>
    c.cell_type === "code" ? [{ cell, outputs: c.outputs ?? [] }] : []
  );
}

/**
 * Checks what an exported page shows against the notebook it came from: the same number of
 * cells, then {@linkcode checkRendered} on the code cells.
 *
 * @param nb The notebook.
 * @param shown What the page shows ({@linkcode EXPORT_OBSERVE_SCRIPT}).
 * @returns Problems, one line each, cells numbered from 1 (empty when all is well).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { checkExported } from "./html_export.ts";
 * const nb = { cells: [{ cell_type: "code", outputs: [] }] };
 * assertEquals(checkExported(nb, { cells: 2, observed: [] }), [
 *   "the page shows 2 cells, the notebook has 1",
 * ]);
 * ```
 */
export function checkExported(
  nb: NotebookFile,
  shown: { cells: number; observed: ObservedCell[] },
): string[] {
  if (shown.cells !== nb.cells.length) {
    return [`the page shows ${shown.cells} cells, the notebook has ${nb.cells.length}`];
  }
  return checkRendered(codeCellOutputs(nb), shown.observed);
}

/**
 * Opens an exported page in the tab and checks it.
 *
 * @param page A tab of the test's Chromium.
 * @param htmlPath The exported page (absolute path).
 * @param nb The notebook it was exported from.
 * @returns Problems (see {@linkcode checkExported}) and the number of figure outputs checked.
 */
export async function checkExportedPage(
  page: Page,
  htmlPath: string,
  nb: NotebookFile,
): Promise<{ problems: string[]; figures: number }> {
  const { identifier } = await page.send<{ identifier: string }>(
    "Page.addScriptToEvaluateOnNewDocument",
    { source: OBJECT_LOAD_SCRIPT },
  );
  try {
    await page.goto(pathToFileURL(htmlPath).href);
  } finally {
    await page.send("Page.removeScriptToEvaluateOnNewDocument", { identifier });
  }
  await page.waitUntil(
    "[...document.images].every((i) => i.complete) && " +
      "[...document.querySelectorAll('object[data]')].every((o) => o.dataset.loaded)",
    { timeoutMs: 30_000, what: `the images and objects of ${htmlPath} to load` },
  );
  const shown = await page.evaluate<{ cells: number; observed: ObservedCell[] }>(
    EXPORT_OBSERVE_SCRIPT,
  );
  const figures = codeCellOutputs(nb).reduce((n, c) => n + c.outputs.filter(isFigure).length, 0);
  return { problems: checkExported(nb, shown), figures };
}
