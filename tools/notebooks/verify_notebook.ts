/**
 * Checks a committed notebook's outputs: saved from the Deno kernel, every non-blank code cell
 * executed in order in one session, no error output, no timing metadata, an output wherever the
 * cell shows a value, every cell source ending with a newline, and (nbformat 4.5 on) every cell
 * with an id of its own.
 *
 * @module
 */

import { compileCells, type CompiledCell, CompileError } from "./_compile.ts";
import { codeCells, HOST_MODULE, type NotebookJson, readNotebook, sourceOf } from "./_files.ts";
import type { NotebookRun } from "./run_types.ts";

/** Options of {@linkcode verifyNotebook}. */
export interface VerifyOptions {
  /**
   * A run of the same notebook (either path, any parameters). Every cell that showed a result or
   * display in it must have a saved output. Without it, only cells ending in an expression that
   * surely has a value (a name, a literal, `new …`, an operator) are checked.
   * @default {undefined}
   */
  run?: NotebookRun;
}

const SURE_VALUES = new Set([
  "Identifier",
  "MemberExpression",
  "ObjectExpression",
  "ArrayExpression",
  "StringLiteral",
  "NumericLiteral",
  "BooleanLiteral",
  "TemplateLiteral",
  "BinaryExpression",
  "NewExpression",
]);

type Cell = NonNullable<NotebookJson["cells"]>[number];

/**
 * Checks a committed notebook's outputs: saved from the Deno kernel, every non-blank code cell
 * executed in order in one session, no error output, no timing metadata, an output wherever
 * the cell shows a value, every cell source ending with a newline (else Deno 2.9's
 * `deno fmt --check` fails on a fresh machine), and, from nbformat 4.5 on, every cell with an
 * `id` of its own as the format requires (else Jupyter invents one at the next save, and a tool
 * that finds cells by id misses the cell).
 *
 * @param notebook Path of the `.ipynb` file.
 * @param options A run of the notebook that says which cells show values.
 * @returns The problems found, one sentence each naming the cell; empty when it is fine.
 * @throws {TypeError} When the file is missing or is not an nbformat 4 notebook.
 * @example
 * ```ts
 * import { verifyNotebook } from "./verify_notebook.ts";
 * import { assertEquals } from "@std/assert";
 * // The fixture is committed without outputs: its cells were never executed.
 * const path = new URL("../../test/fixtures/notebooks/failing.ipynb", import.meta.url).pathname;
 * const problems = await verifyNotebook(path);
 * assertEquals(problems[0], `${path}, cell 2: was not executed (execution_count is null)`);
 * ```
 */
export async function verifyNotebook(
  notebook: string,
  options: VerifyOptions = {},
): Promise<string[]> {
  const nb = await readNotebook(notebook);
  const problems: string[] = [];
  const kernel = nb.metadata?.kernelspec?.name;
  if (kernel !== "deno") {
    problems.push(`${notebook}: expected the Deno kernel in metadata.kernelspec, found ${kernel}`);
  }
  let compiled: CompiledCell[] = [];
  try {
    compiled = compileCells(codeCells(nb), HOST_MODULE).cells;
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    problems.push(`${notebook}, ${error.message}`);
  }
  const shown = new Set(
    options.run?.cells.filter((c) => c.outputs.some((o) => o.type !== "stream")).map((c) => c.cell),
  );
  const showsValue = (position: number): boolean => {
    const info = compiled.find((c) => c.cell === position);
    return options.run ? shown.has(position) : SURE_VALUES.has(info?.lastExpression ?? "");
  };
  const [major, minor] = [nb.nbformat ?? 0, nb.nbformat_minor ?? 0];
  const ids = major > 4 || (major === 4 && minor >= 5) ? new Map<string, number>() : null;
  let expected = 0;
  nb.cells!.forEach((cell, i) => {
    const where = `${notebook}, cell ${i + 1}`;
    if (ids) problems.push(...idProblems(cell.id, where, i + 1, ids));
    const source = sourceOf(cell);
    if (source !== "" && !source.endsWith("\n")) {
      problems.push(
        `${where}: source does not end with a newline, which \`deno fmt --check\` reports ` +
          "on a fresh machine (Deno 2.9); the kernel path adds it",
      );
    }
    if (cell.cell_type !== "code") return;
    if (cell.metadata && "execution" in cell.metadata) {
      problems.push(`${where}: keeps timing metadata (metadata.execution); re-run with the runner`);
    }
    if (source.trim() === "") return;
    expected++;
    problems.push(...codeCellProblems(cell, where, expected, showsValue(i + 1)));
  });
  return problems;
}

/** The id format of nbformat 4.5's schema. */
const CELL_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/** A cell's id problems (nbformat 4.5 on): missing, malformed or another cell's (`seen`). */
function idProblems(
  id: unknown,
  where: string,
  position: number,
  seen: Map<string, number>,
): string[] {
  if (id === undefined) {
    return [`${where}: has no id, which nbformat 4.5 requires (Jupyter would invent one)`];
  }
  if (typeof id !== "string" || !CELL_ID.test(id)) {
    return [
      `${where}: expected an id of 1–64 letters, digits, - or _, found ${JSON.stringify(id)}`,
    ];
  }
  const first = seen.get(id);
  if (first !== undefined) return [`${where}: has the id "${id}" of cell ${first}`];
  seen.set(id, position);
  return [];
}

/** The problems of one executed, non-blank code cell. */
function codeCellProblems(cell: Cell, where: string, expected: number, needs: boolean): string[] {
  const problems: string[] = [];
  if (typeof cell.execution_count !== "number") {
    problems.push(`${where}: was not executed (execution_count is ${cell.execution_count})`);
  } else if (cell.execution_count !== expected) {
    problems.push(
      `${where}: expected execution count ${expected} (one run, top to bottom), found ${cell.execution_count}`,
    );
  }
  const outputs = cell.outputs ?? [];
  for (const o of outputs.filter((o) => o.output_type === "error")) {
    problems.push(`${where}: has an error output: ${o.ename}: ${o.evalue}`);
  }
  const hasShown = outputs.some((o) =>
    o.output_type === "execute_result" || o.output_type === "display_data"
  );
  if (needs && !hasShown) {
    problems.push(`${where}: shows a value when run, but no output is saved`);
  }
  return problems;
}
