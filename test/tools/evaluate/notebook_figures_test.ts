import { assert } from "@std/assert";
import { NOTEBOOK_FIGURES } from "../../../tools/evaluate/reported_figures.ts";

const NOTEBOOKS = new URL("../../../notebooks/", import.meta.url);

/** The text of a committed cell's outputs (streams, plain text and HTML), by notebook and id. */
function cellOutputs(notebook: string, id: string): string {
  const file = [...Deno.readDirSync(NOTEBOOKS)].find((e) => e.name.startsWith(`${notebook}_`));
  assert(file, `no notebook ${notebook}_*.ipynb in notebooks/`);
  const nb = JSON.parse(Deno.readTextFileSync(new URL(file.name, NOTEBOOKS)));
  const cell = nb.cells.find((c: { id: string }) => c.id === id);
  assert(cell, `${file.name} has no cell ${id}`);
  const join = (v: string | string[] | undefined) => Array.isArray(v) ? v.join("") : v ?? "";
  return (cell.outputs ?? []).map((o: Record<string, unknown>) => {
    const data = (o.data ?? {}) as Record<string, string | string[]>;
    return join(o.text as string[]) + join(data["text/plain"]) + join(data["text/html"]);
  }).join("\n");
}

Deno.test("each notebook figure the evaluation report quotes is in that cell's committed output", () => {
  // The figures are copied by hand into reported_figures.ts; a rerun of a notebook that moves one
  // must move the report's copy too.
  for (const f of NOTEBOOK_FIGURES) {
    const where = /^notebook (\d\d) \(cell ([^)]+)\)$/.exec(f.where);
    assert(
      where,
      `${f.recipe}: expected "notebook NN (cell ID)", found ${JSON.stringify(f.where)}`,
    );
    const text = cellOutputs(where[1], where[2]);
    const shown = f.value.toFixed(4);
    assert(
      text.includes(shown),
      `${f.recipe} (${f.data} ${f.split}): ${f.where} shows no ${shown} in its committed output`,
    );
  }
});
