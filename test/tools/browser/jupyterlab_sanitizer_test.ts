// JupyterLab (4.x) renders an untrusted output's `text/html` (a safe renderer, ranked before
// `text/plain`; `image/svg+xml` is unsafe and skipped) after passing it through its Sanitizer:
// @jupyterlab/rendermime 4.6.6, lib/renderers.js `renderHTML()` calls `sanitizer.sanitize(source)`
// when `trusted` is false, then sets `innerHTML`; a `data:` source is not rewritten after that.
// These tests run that Sanitizer, copied unchanged from @jupyterlab/apputils 4.7.6, on the
// committed outputs.
import { assert, assertEquals } from "@std/assert";
import { Sanitizer } from "./fixtures/jupyterlab/sanitizer.js";
import { isFigure, joinText, type NbOutput } from "../../../tools/browser/outputs.ts";
import { checkSanitizedFigure, checkSanitizedTable } from "../../../tools/browser/sanitized.ts";

const NOTEBOOKS = new URL("../../../notebooks/", import.meta.url);
const FIXTURES = new URL("./fixtures/", import.meta.url);

interface HtmlOutput {
  /** `02_embedding_net.ipynb cell 12` (cells numbered from 1, markdown included). */
  where: string;
  html: string;
  figure: boolean;
}

function htmlOutputs(file: URL): HtmlOutput[] {
  const name = file.pathname.split("/").at(-1)!;
  const nb = JSON.parse(Deno.readTextFileSync(file)) as {
    cells: { cell_type: string; outputs?: NbOutput[] }[];
  };
  return nb.cells.flatMap((cell, i) =>
    (cell.outputs ?? []).flatMap((output) => {
      const html = joinText(output.data?.["text/html"]);
      return html ? [{ where: `${name} cell ${i + 1}`, html, figure: isFigure(output) }] : [];
    })
  );
}

function committedOutputs(): HtmlOutput[] {
  return [...Deno.readDirSync(NOTEBOOKS)]
    .filter((e) => e.name.endsWith(".ipynb"))
    .map((e) => e.name)
    .sort()
    .flatMap((name) => htmlOutputs(new URL(name, NOTEBOOKS)));
}

/** The copy has no type declarations; `sanitize(dirty, options?)` as in apputils' sanitizer.d.ts. */
const sanitizer = new Sanitizer() as { sanitize(dirty: string, options?: object): string };

Deno.test("JupyterLab's sanitiser keeps every committed figure as an <img> with its SVG data source", () => {
  const figures = committedOutputs().filter((o) => o.figure);
  assert(figures.length > 0, "expected figures in the committed notebooks, found none");
  const problems = figures.flatMap((o) =>
    checkSanitizedFigure(o.html, sanitizer.sanitize(o.html)).map((p) => `${o.where}: ${p}`)
  );
  assertEquals(problems, []);
});

Deno.test("JupyterLab's sanitiser keeps every committed HTML table with all its cells", () => {
  const tables = committedOutputs().filter((o) => !o.figure && /<table\b/i.test(o.html));
  assert(tables.length > 0, "expected tables in the committed notebooks, found none");
  const problems = tables.flatMap((o) =>
    checkSanitizedTable(o.html, sanitizer.sanitize(o.html)).map((p) => `${o.where}: ${p}`)
  );
  assertEquals(problems, []);
});

Deno.test("JupyterLab's sanitiser leaves an inline <svg> figure as text, and the check says so", () => {
  const [inline] = htmlOutputs(new URL("figure_inline_svg.ipynb", FIXTURES));
  const sanitized = sanitizer.sanitize(inline.html);
  assert(!/<svg\b/i.test(sanitized), `expected the <svg> to be dropped, found ${sanitized}`);
  const problems = checkSanitizedFigure(inline.html, sanitized);
  assertEquals(problems.length, 2, problems.join("\n"));
  assertEquals(problems[0], "the figure has no <img> or <object> with a data:image/svg+xml source");
  assert(problems[1].startsWith('the sanitised figure shows text: "'), problems[1]);
});

Deno.test("JupyterLab's sanitiser keeps the export fixture's figure and pandas-style table", () => {
  const [figure, table] = htmlOutputs(new URL("export_figure_table.ipynb", FIXTURES));
  const figureLeft = sanitizer.sanitize(figure.html);
  assertEquals(checkSanitizedFigure(figure.html, figureLeft), []);
  assert(
    !/<object\b/i.test(figureLeft),
    `expected the <object> to be dropped, found ${figureLeft}`,
  );
  assertEquals(checkSanitizedTable(table.html, sanitizer.sanitize(table.html)), []);
});
