import { assert, assertEquals } from "@std/assert";
import { runNotebook } from "../../../tools/notebooks/fresh_run.ts";
import { verifyNotebook } from "../../../tools/notebooks/verify_notebook.ts";
import { assertStringIncludes, FAILING, runCli, writeNotebook } from "./_helpers.ts";
import { withTempDir } from "../../data/_helpers.ts";

Deno.test("verifyNotebook() reports unexecuted cells, errors, timing metadata and missing outputs", async () => {
  const unexecuted = await verifyNotebook(FAILING);
  assertEquals(unexecuted.map((p) => p.slice(FAILING.length + 2)), [
    "cell 2: was not executed (execution_count is null)",
    "cell 2: shows a value when run, but no output is saved",
    "cell 3: was not executed (execution_count is null)",
    "cell 4: was not executed (execution_count is null)",
  ]);

  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, ["1 + 1", "throw new Error('x')", "[1, 2]"]);
    const nb = JSON.parse(await Deno.readTextFile(path));
    nb.cells[1].execution_count = 1;
    nb.cells[1].metadata.execution = { "iopub.status.idle": "2024-01-01" };
    nb.cells[1].outputs = [
      {
        output_type: "execute_result",
        execution_count: 1,
        data: { "text/plain": "2" },
        metadata: {},
      },
    ];
    nb.cells[2].execution_count = 2;
    nb.cells[2].outputs = [{ output_type: "error", ename: "Error", evalue: "x", traceback: [] }];
    nb.cells[3].execution_count = 4;
    await Deno.writeTextFile(path, JSON.stringify(nb));
    const problems = await verifyNotebook(path);
    assertEquals(problems.map((p) => p.slice(path.length + 2)), [
      "cell 2: keeps timing metadata (metadata.execution); re-run with the runner",
      "cell 3: has an error output: Error: x",
      "cell 4: expected execution count 3 (one run, top to bottom), found 4",
      "cell 4: shows a value when run, but no output is saved",
    ]);
  });
});

Deno.test("verifyNotebook() uses a run to know which cells show values", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, ["const f = () => 7;", "f()"]);
    const run = await runNotebook(path);
    const nb = JSON.parse(await Deno.readTextFile(path));
    nb.cells[1].execution_count = 1;
    nb.cells[2].execution_count = 2;
    await Deno.writeTextFile(path, JSON.stringify(nb));
    assertEquals(await verifyNotebook(path), []); // a call may return undefined: not known
    assertEquals(await verifyNotebook(path, { run }), [
      `${path}, cell 3: shows a value when run, but no output is saved`,
    ]);
  });
});

Deno.test("verifyNotebook() reports another kernel, a syntax error, no last newline", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, ["const x = ;", "1 + 1"], {
      metadata: { kernelspec: { name: "python3", display_name: "Python 3", language: "python" } },
    });
    const nb = JSON.parse(await Deno.readTextFile(path));
    nb.cells[1].execution_count = 1;
    nb.cells[2].execution_count = 2;
    nb.cells[2].source = "1 + 1";
    nb.cells[2].outputs = [{ output_type: "execute_result", data: { "text/plain": "2" } }];
    await Deno.writeTextFile(path, JSON.stringify(nb));
    const problems = (await verifyNotebook(path)).map((p) => p.slice(path.length));
    assertEquals(problems.length, 3, problems.join("\n"));
    assertEquals(problems[0], ": expected the Deno kernel in metadata.kernelspec, found python3");
    assert(problems[1].startsWith(", cell 2: line 1:"), problems[1]);
    assert(problems[2].startsWith(", cell 3: source does not end with a newline"), problems[2]);
  });
});

Deno.test("verifyNotebook() asks nbformat 4.5 for an id of its own on every cell", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, ["1 + 1", "2 + 2", "3 + 3", "4 + 4"]);
    const nb = JSON.parse(await Deno.readTextFile(path));
    nb.cells.slice(1).forEach((cell: Record<string, unknown>, i: number) => {
      cell.execution_count = i + 1;
      cell.outputs = [{ output_type: "execute_result", data: { "text/plain": `${2 * i + 2}` } }];
    });
    delete nb.cells[1].id;
    nb.cells[2].id = "c1";
    nb.cells[3].id = "a cell";
    await Deno.writeTextFile(path, JSON.stringify(nb));
    assertEquals((await verifyNotebook(path)).map((p) => p.slice(path.length + 2)), [
      "cell 2: has no id, which nbformat 4.5 requires (Jupyter would invent one)",
      'cell 3: has the id "c1" of cell 1',
      'cell 4: expected an id of 1–64 letters, digits, - or _, found "a cell"',
    ]);
    nb.nbformat_minor = 4; // before 4.5 a cell has no id
    for (const cell of nb.cells) delete cell.id;
    await Deno.writeTextFile(path, JSON.stringify(nb));
    assertEquals(await verifyNotebook(path), []);
  });
});

Deno.test("verifyNotebook() skips blank cells; only a result or display is a value", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, ["console.log(1); 1 + 1", "   ", "[1, 2]"]);
    const nb = JSON.parse(await Deno.readTextFile(path));
    nb.cells[1].execution_count = 1;
    nb.cells[1].outputs = [{ output_type: "stream", name: "stdout", text: ["1\n"] }];
    nb.cells[3].execution_count = 2;
    nb.cells[3].outputs = [{ output_type: "display_data", data: { "text/plain": "[ 1, 2 ]" } }];
    await Deno.writeTextFile(path, JSON.stringify(nb));
    assertEquals(await verifyNotebook(path), [
      `${path}, cell 2: shows a value when run, but no output is saved`,
    ]);
  });
});

Deno.test("deno task notebooks --verify exits 1 naming each problem, 0 when complete", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, ["1 + 1"]);
    const incomplete = await runCli(["--verify", "--quiet", path]);
    assertEquals(incomplete.code, 1, incomplete.stdout + incomplete.stderr);
    assertStringIncludes(incomplete.stderr, `✗ ${path}, cell 2: was not executed`);
    assertStringIncludes(incomplete.stderr, `✗ ${path}, cell 2: shows a value when run`);
    assertStringIncludes(incomplete.stdout, "Committed notebooks: 2 problems");
    const nb = JSON.parse(await Deno.readTextFile(path));
    nb.cells[1].execution_count = 1;
    nb.cells[1].outputs = [{ output_type: "execute_result", data: { "text/plain": "2" } }];
    await Deno.writeTextFile(path, JSON.stringify(nb));
    const complete = await runCli(["--verify", "--quiet", path]);
    assertEquals(complete.code, 0, complete.stdout + complete.stderr);
    assertStringIncludes(complete.stdout, "Committed notebooks verified: 1 ok");
  });
});
