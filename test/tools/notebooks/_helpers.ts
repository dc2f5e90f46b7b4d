// Shared by the notebook runner's tests: the fixture notebooks, a notebook writer and readers
// of a run's cells.

import { assert } from "@std/assert";
import type { CellRun, NotebookRun } from "../../../tools/notebooks/run_types.ts";

/** `@std/assert`'s assertStringIncludes (the local copy of @std/assert does not carry it). */
export function assertStringIncludes(actual: string, expected: string): void {
  assert(actual.includes(expected), `expected to find ${JSON.stringify(expected)} in:\n${actual}`);
}

export const FIXTURES: string = new URL("../../fixtures/notebooks/", import.meta.url).pathname;
export const SEMANTICS = `${FIXTURES}semantics.ipynb`;
export const FAILING = `${FIXTURES}failing.ipynb`;
export const MANY = `${FIXTURES}many_outputs.ipynb`;
export const OUT_OF_ORDER = `${FIXTURES}out_of_order.ipynb`;
export const LIB: string = new URL("../../../lib/", import.meta.url).href;

/** The run of the cell at 1-based `position`; fails when it did not run. */
export function cell(run: NotebookRun, position: number): CellRun {
  const found = run.cells.find((c) => c.cell === position);
  assert(found, `cell ${position} did not run; ran ${run.cells.map((c) => c.cell)}`);
  return found;
}

/** The texts of the cell's outputs of one type. */
export function texts(run: NotebookRun, position: number, type = "result"): string[] {
  return cell(run, position).outputs.filter((o) => o.type === type).map((o) => o.text);
}

/** Writes a notebook of code cells (after one markdown cell) into a temporary folder. */
export async function writeNotebook(
  cells: string[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "runner-test-" });
  const path = `${dir}/nb.ipynb`;
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: [
      { cell_type: "markdown", id: "c1", metadata: {}, source: "# Test\n" },
      ...cells.map((source, i) => ({
        cell_type: "code",
        id: `c${i + 2}`,
        metadata: {},
        source: `${source}\n`,
        execution_count: null,
        outputs: [],
      })),
    ],
    ...extra,
  };
  await Deno.writeTextFile(path, JSON.stringify(nb, null, 1));
  return path;
}

/** The Python that runs the kernel driver (Debian's by default; `NB_PYTHON` overrides it). */
export const PYTHON: string = Deno.env.get("NB_PYTHON") ?? "/usr/bin/python3";

/** Whether {@linkcode PYTHON} runs `code` without an error (e.g. an import it needs). */
export async function pythonRuns(code: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(PYTHON, {
      args: ["-c", code],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}
