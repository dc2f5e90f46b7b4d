// The notebooks and quick runs of them that the notebook tests share
// (`notebooks_test.ts`, `notebooks_refused_test.ts`: two modules, so that `deno test --parallel`
// runs their notebooks side by side).

import { runNotebook } from "../../../tools/notebooks/fresh_run.ts";
import { declaredParams } from "../../../tools/notebooks/run_notebooks.ts";
import type { NotebookRun } from "../../../tools/notebooks/run_types.ts";
import { isolated } from "./_helpers.ts";

/** The notebooks' folder. */
export const DIR = new URL("../../../notebooks/", import.meta.url).pathname;

/** The notebooks' file names, sorted. */
export function notebooks(): string[] {
  try {
    return [...Deno.readDirSync(DIR)]
      .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/**
 * A quick run of notebook `name` with `knobs` set and none of the other parameters it declares
 * or an NB_* knob (should the developer have exported one).
 */
export async function quickRunWith(
  name: string,
  knobs: Record<string, string>,
): Promise<NotebookRun> {
  const params = await declaredParams(`${DIR}${name}`) ?? [];
  return await runNotebook(`${DIR}${name}`, {
    quick: true,
    timeout: 600,
    env: isolated(knobs, params),
  });
}

/**
 * Printed lines where a count of 1 meets its noun in the plural ("V2 held-out MSE after 1
 * epochs"), as a quick run, whose epochs and seeds are often 1, prints them; a sum ("1 + 1
 * epochs") is no such count.
 */
export function onePlural(output: string): string[] {
  const nouns = "epochs|seeds|runs|ratings|movies|tags|factors|highest biases";
  const one = new RegExp(`(?<![\\d.,]|\\+ )\\b1 (?:${nouns})\\b`);
  return output.split("\n").filter((line) => one.test(line));
}

/** The text of the outputs of cell `cell` (its number from 1, markdown counted) in `run`. */
export function shown(run: NotebookRun, cell: number): string {
  return run.cells.find((c) => c.cell === cell)?.outputs.map((o) => o.text).join("\n") ?? "";
}
