import { assertEquals, assertThrows } from "@std/assert";
import {
  checkExported,
  codeCellOutputs,
  exportedPath,
  nbconvertArgs,
  type NotebookFile,
} from "../../../tools/browser/html_export.ts";
import type { NbOutput, ObservedOutput } from "../../../tools/browser/outputs.ts";

const figure: NbOutput = {
  output_type: "execute_result",
  execution_count: 1,
  metadata: {},
  data: {
    "text/html": '<object type="image/svg+xml" data="data:image/svg+xml;base64,PHN2Zy8+">' +
      '<img src="data:image/svg+xml;base64,PHN2Zy8+" alt="[figure: dot, 1 point]"></object>',
    "text/plain": "[figure: dot, 1 point]",
  },
};
const table: NbOutput = {
  output_type: "execute_result",
  execution_count: 2,
  metadata: {},
  data: { "text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "1" },
};
const nb: NotebookFile = {
  cells: [
    { cell_type: "markdown" },
    { cell_type: "code", outputs: [figure] },
    { cell_type: "code", outputs: [table] },
  ],
};
const shown = (text: string, pictures = 0, brokenImages = 0): ObservedOutput => ({
  pictures,
  brokenImages,
  text,
});

Deno.test("nbconvertArgs() exports to one folder, with the sanitiser asked for", () => {
  assertEquals(nbconvertArgs(["a.ipynb", "b.ipynb"], "out"), [
    "-m",
    "nbconvert",
    "--to",
    "html",
    "--output-dir",
    "out",
    "a.ipynb",
    "b.ipynb",
  ]);
  assertEquals(
    nbconvertArgs(["a.ipynb"], "out", { sanitize: "sanitize-html" }).at(-2),
    "--sanitize-html",
  );
  assertEquals(
    nbconvertArgs(["a.ipynb"], "out", { sanitize: "bleach" }).at(-2),
    "--HTMLExporter.preprocessors=['nbconvert.preprocessors.sanitize.SanitizeHTML']",
  );
  assertThrows(() => nbconvertArgs([], "out"), RangeError, "expected at least one notebook");
  assertThrows(
    () => nbconvertArgs(["a.py"], "out"),
    RangeError,
    'expected .ipynb files, found "a.py"',
  );
  assertThrows(
    // @ts-expect-error: a sanitiser that does not exist
    () => nbconvertArgs(["a.ipynb"], "out", { sanitize: "lxml" }),
    RangeError,
    'found "lxml"',
  );
});

Deno.test("exportedPath() names the page after the notebook, in the export folder", () => {
  assertEquals(
    exportedPath("/x/notebooks/02_embedding_net.ipynb", "/t"),
    "/t/02_embedding_net.html",
  );
  assertEquals(exportedPath("a.b.ipynb", "out"), "out/a.b.html");
});

Deno.test("codeCellOutputs() keeps code cells with their index among all cells", () => {
  assertEquals(codeCellOutputs(nb), [
    { cell: 1, outputs: [figure] },
    { cell: 2, outputs: [table] },
  ]);
});

Deno.test("checkExported() passes a page with the figure as a picture and the table as a table", () => {
  assertEquals(
    checkExported(nb, {
      cells: 3,
      observed: [
        { cell: 1, outputs: [shown("", 1)] },
        { cell: 2, outputs: [shown("1")] },
      ],
    }),
    [],
  );
});

Deno.test("checkExported() names the cell of a stripped figure and of escaped markup", () => {
  // nbconvert --sanitize-html: the <object> is dropped and the <img> loses its data: source.
  assertEquals(
    checkExported(nb, {
      cells: 3,
      observed: [
        { cell: 1, outputs: [shown("", 0, 1)] },
        { cell: 2, outputs: [shown("1")] },
      ],
    }),
    [
      "cell 2, output 1: 1 image did not load",
      "cell 2, output 1: figure not shown (no picture)",
    ],
  );
  // nbconvert's bleach preprocessor: both outputs escaped, their markup shown as text.
  assertEquals(
    checkExported(nb, {
      cells: 3,
      observed: [
        { cell: 1, outputs: [shown('<object type="image/svg+xml" data="data:image/svg+xml;…')] },
        { cell: 2, outputs: [shown("<table><tr><td>1</td></tr></table>")] },
      ],
    }),
    [
      'cell 2, output 1: markup shown as text: "<object type="image/svg+xml" data="data:image/svg+xml;…"',
      'cell 3, output 1: markup shown as text: "<table><tr><td>1</td></tr></table>"',
    ],
  );
});

Deno.test("checkExported() reports a page whose cells do not match the notebook's", () => {
  assertEquals(checkExported(nb, { cells: 2, observed: [] }), [
    "the page shows 2 cells, the notebook has 3",
  ]);
  assertEquals(
    checkExported(nb, { cells: 3, observed: [{ cell: 1, outputs: [shown("", 1)] }] }),
    ["cell 3: not found on the page"],
  );
});
