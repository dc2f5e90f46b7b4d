import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "@std/assert";
import {
  type CellRun,
  formatFailure,
  formatSummary,
  type NotebookRun,
  runNotebook,
  runNotebookInKernel,
  verifyNotebook,
} from "../../lib/notebook/runner.ts";
import { parseArgs } from "../../lib/notebook/run_notebooks.ts";

/** `@std/assert`'s assertStringIncludes (the local copy of @std/assert does not carry it). */
function assertStringIncludes(actual: string, expected: string): void {
  assert(actual.includes(expected), `expected to find ${JSON.stringify(expected)} in:\n${actual}`);
}

const FIXTURES = new URL("../fixtures/notebooks/", import.meta.url).pathname;
const SEMANTICS = `${FIXTURES}semantics.ipynb`;
const FAILING = `${FIXTURES}failing.ipynb`;
const MANY = `${FIXTURES}many_outputs.ipynb`;
const LIB = new URL("../../lib/", import.meta.url).href;

function cell(run: NotebookRun, position: number): CellRun {
  const found = run.cells.find((c) => c.cell === position);
  assert(found, `cell ${position} did not run; ran ${run.cells.map((c) => c.cell)}`);
  return found;
}

function texts(run: NotebookRun, position: number, type = "result"): string[] {
  return cell(run, position).outputs.filter((o) => o.type === type).map((o) => o.text);
}

/** Writes a notebook of code cells (after one markdown cell) into a temporary folder. */
async function writeNotebook(
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

// One quick fresh-path run of the semantics fixture, shared by the tests that read it.
let semanticsRun: Promise<NotebookRun> | undefined;
const quickSemantics = () => semanticsRun ??= runNotebook(SEMANTICS, { quick: true });

Deno.test("runNotebook() runs the cells in order in one shared scope", async () => {
  const run = await quickSemantics();
  assert(run.ok, formatFailure(run));
  assertEquals(run.cells.map((c) => c.cell), [2, 3, 4, 6, 7, 8, 9, 11, 12, 13]);
  assertEquals(run.cells.map((c) => c.count), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // Cell 6 sums the draws made in cell 4 with ROUNDS from cell 2.
  assertMatch(texts(run, 6)[0], /^"rounds=2 total=\d+"$/);
});

Deno.test("runNotebook() shows a cell's last bare expression as its output, as the kernel does", async () => {
  const run = await quickSemantics();
  assertEquals(texts(run, 4), ["2"]);
  assertEquals(texts(run, 7), ["{ seed: 42, first: true }"]);
  assertEquals(texts(run, 11), ['"the end"']);
  assertEquals(cell(run, 2).outputs, []);
  assertStringIncludes(run.output, "printed from cell 7");
  assertStringIncludes(run.output, "Out[3]: 2");
});

Deno.test("runNotebook() prints a DataFrame as a table and an SVG as a one-line summary", async () => {
  const run = await quickSemantics();
  assertEquals(texts(run, 12), [
    "movie  rating\n-----  ------\nHeat      4.5\nUp          3",
  ]);
  assertEquals(texts(run, 13), ["[svg 640×400] 0.0 kB"]);
});

Deno.test("runNotebook() supports top-level await and measures each cell", async () => {
  const run = await quickSemantics();
  assert(cell(run, 6).seconds >= 0.015, `cell 6 waits 20 ms, measured ${cell(run, 6).seconds}`);
  assert(run.seconds >= run.cells.reduce((s, c) => s + c.seconds, 0));
});

Deno.test("runNotebook() resolves a relative import of lib from the notebook's folder", async () => {
  const run = await quickSemantics();
  // Cell 7 compares a draw with a fresh createRng imported in cell 3 by a relative path.
  assertStringIncludes(texts(run, 7)[0], "first: true");
});

Deno.test("runNotebook() applies a display update to the output it names", async () => {
  const run = await quickSemantics();
  const displays = cell(run, 8).outputs;
  assertEquals(displays.map((o) => [o.type, o.text]), [["display", "progress 3/3"]]);
  assertStringIncludes(run.output, "progress 0/3\nprogress 3/3\n");
});

Deno.test("runNotebook() collects the headline figures", async () => {
  const run = await quickSemantics();
  assertEquals(run.headlines.length, 2);
  assertEquals(run.headlines[0].tutorial, "n/a");
  assertMatch(run.headlines[1].value, /^\d+\.\d\d$/);
  assertStringIncludes(formatSummary([run]), "Total of the draws");
});

Deno.test("runNotebook() reads parameters from quick values and environment overrides", async () => {
  const full = await runNotebook(SEMANTICS);
  const overridden = await runNotebook(SEMANTICS, { quick: true, env: { ROUNDS: "4" } });
  assertEquals(texts(full, 4), ["5"]);
  assertEquals(texts(overridden, 4), ["4"]);
  const bad = await runNotebook(SEMANTICS, { env: { ROUNDS: "many" } });
  assertEquals([bad.ok, bad.failure?.cell, bad.failure?.name], [false, 2, "RangeError"]);
  assertStringIncludes(bad.failure!.message, 'expected a number for ROUNDS, found "many"');
});

Deno.test("runNotebook() hands a relative MOVIELENS_DIR to the notebook as an absolute path", async () => {
  const path = await writeNotebook(['Deno.env.get("MOVIELENS_DIR")']);
  const run = await runNotebook(path, { env: { MOVIELENS_DIR: "../shared/movielens" } });
  assertEquals(texts(run, 2), [JSON.stringify(`${Deno.cwd()}/../shared/movielens`)]);
});

Deno.test("runNotebook() reports the notebook, cell, line and error of a failing cell", async () => {
  const run = await runNotebook(FAILING);
  assertEquals(run.ok, false);
  assertEquals(run.cells.map((c) => c.cell), [2, 3]);
  const f = run.failure!;
  assertEquals([f.cell, f.count, f.name], [3, 2, "RangeError"]);
  assertEquals(f.message, "bad value in cell 3: 1");
  assertStringIncludes(f.stack, `${FAILING}, cell 3, line 2:`);
  const text = formatFailure(run);
  assertStringIncludes(text, `✗ ${FAILING}, cell 3 ([2]): RangeError: bad value in cell 3: 1`);
  assert(!run.output.includes("never reached"));
});

Deno.test("runNotebook() deletes its generated module, also after a failure", async () => {
  await runNotebook(FAILING);
  const left = [...Deno.readDirSync(FIXTURES)].filter((e) => e.name.includes(".nbrun-"));
  assertEquals(left, []);
});

Deno.test("runNotebook() hoists imports and accepts the same import in two cells", async () => {
  const path = await writeNotebook([
    `import { createRng } from "${LIB}random.ts";\nconst a = createRng(1).int(1000);`,
    `import { createRng } from "${LIB}random.ts";\nimport { DEFAULT_K } from "${LIB}defaults.ts";\n` +
    "a === createRng(1).int(1000) && DEFAULT_K",
  ]);
  const run = await runNotebook(path);
  assert(run.ok, formatFailure(run));
  assertEquals(texts(run, 3), ["10"]);
});

Deno.test("runNotebook() names both cells when a later cell declares a name again", async () => {
  const path = await writeNotebook(["const model = 1;", "model", "let model = 2;"]);
  const run = await runNotebook(path);
  assertEquals([run.ok, run.failure?.cell, run.failure?.name], [false, 4, "SyntaxError"]);
  assertStringIncludes(
    run.failure!.message,
    "`model` is declared again (first declared in cell 2)",
  );
  assertEquals(run.cells, []);
});

Deno.test("runNotebook() reports a syntax error with its cell and line", async () => {
  const path = await writeNotebook(["const ok = 1;", "const x = 1;\nconst y = ;"]);
  const run = await runNotebook(path);
  assertEquals([run.failure?.cell, run.failure?.name], [3, "SyntaxError"]);
  assertStringIncludes(run.failure!.message, "cell 3: line 2:");
});

Deno.test("runNotebook() fails a cell whose promise rejects after the cell returned", async () => {
  const path = await writeNotebook([
    "setTimeout(() => { throw new Error('late failure'); }, 0);",
    "await new Promise((resolve) => setTimeout(resolve, 50));",
    "'not reached'",
  ]);
  const run = await runNotebook(path);
  assertEquals([run.ok, run.failure?.message], [false, "late failure"]);
  assertEquals(run.cells.length < 3, true);
});

Deno.test("runNotebook() throws TypeError for a missing file or a file that is not a notebook", async () => {
  await assertRejects(() => runNotebook(`${FIXTURES}missing.ipynb`), TypeError, "no such file");
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/x.ipynb`, JSON.stringify({ nbformat: 3, worksheets: [] }));
  await assertRejects(() => runNotebook(`${dir}/x.ipynb`), TypeError, "nbformat 4 notebook");
});

Deno.test("verifyNotebook() reports unexecuted cells, errors, timing metadata and missing outputs", async () => {
  const unexecuted = await verifyNotebook(FAILING);
  assertEquals(unexecuted.map((p) => p.slice(FAILING.length + 2)), [
    "cell 2: was not executed (execution_count is null)",
    "cell 2: shows a value when run, but no output is saved",
    "cell 3: was not executed (execution_count is null)",
    "cell 4: was not executed (execution_count is null)",
  ]);

  const path = await writeNotebook(["1 + 1", "throw new Error('x')", "[1, 2]"]);
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

Deno.test("verifyNotebook() uses a run to know which cells show values", async () => {
  const path = await writeNotebook(["const f = () => 7;", "f()"]);
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

Deno.test("parseArgs() reads the notebooks CLI and rejects a quick kernel run in place", () => {
  const cli = parseArgs(["--kernel", "--quick", "--out", "/tmp/x", "--set", "EPOCHS=2", "a.ipynb"]);
  assertEquals([cli.kernel, cli.quick, cli.out, cli.env, cli.notebooks], [
    true,
    true,
    "/tmp/x",
    { EPOCHS: "2" },
    ["a.ipynb"],
  ]);
  assertThrows(() => parseArgs(["--kernel", "--quick"]), TypeError, "add --out DIR");
  assertThrows(
    () => parseArgs(["--set", "epochs=2"]),
    TypeError,
    "UPPER_CASE name, found epochs=2",
  );
  assertThrows(() => parseArgs(["--fast"]), TypeError, "unknown option --fast");
});

Deno.test("deno task notebooks prints outputs and a summary and exits 1 naming the failing cell", async () => {
  const cli = new URL("../../lib/notebook/run_notebooks.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "--quick", SEMANTICS, FAILING],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const out = new TextDecoder().decode(stdout);
  const err = new TextDecoder().decode(stderr);
  assertEquals(code, 1);
  assertStringIncludes(out, 'Out[8]: "the end"');
  assertMatch(out, /semantics\.ipynb\s+fresh\s+ok\s+10/);
  assertMatch(out, /failing\.ipynb\s+fresh\s+FAILED \(cell 3\)/);
  assertStringIncludes(out, "Headline figures");
  assertStringIncludes(err, `${FAILING}, cell 3 ([2]): RangeError: bad value in cell 3: 1`);
});

Deno.test("parseArgs() takes --jobs as a whole number of notebooks at a time, one per core by default", () => {
  assertEquals(parseArgs(["--jobs", "3"]).jobs, 3);
  assertEquals(parseArgs([]).jobs, Math.max(1, navigator.hardwareConcurrency || 1));
  assertThrows(() => parseArgs(["--jobs", "0"]), TypeError, "whole number >= 1, found 0");
  assertThrows(() => parseArgs(["--jobs", "1.5"]), TypeError, "found 1.5");
});

Deno.test("deno task notebooks --jobs 2 runs side by side but prints each notebook whole, in order", async () => {
  const cli = new URL("../../lib/notebook/run_notebooks.ts", import.meta.url).pathname;
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "--quick", "--jobs", "2", MANY, SEMANTICS],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const out = new TextDecoder().decode(stdout);
  assertEquals(code, 0);
  const many = out.indexOf(`━━ ${MANY}`), semantics = out.indexOf(`━━ ${SEMANTICS}`);
  assert(many >= 0 && semantics > many, "the first notebook named is printed first");
  assert(out.indexOf("line 30") < semantics, "the first notebook's outputs are not interleaved");
  assertStringIncludes(out, 'Out[8]: "the end"');
  assertMatch(out, /total\s+2\/2 ok\s+\S+ s\s+wall clock, 2 at a time/);
});

// ---------------------------------------------------------------------------------------------
// The Deno Jupyter kernel path. It needs Python's jupyter_client and `deno jupyter --install`;
// without them these tests are skipped, except under CI=true, where they must run.

async function kernelReady(): Promise<boolean> {
  const python = Deno.env.get("NB_PYTHON") ?? "/usr/bin/python3";
  try {
    const { success } = await new Deno.Command(python, {
      args: [
        "-c",
        "import nbformat; from jupyter_client.kernelspec import KernelSpecManager as M; " +
        "M().get_kernel_spec('deno')",
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

const ignore = !(await kernelReady()) && Deno.env.get("CI") !== "true";

Deno.test({
  name: "runNotebookInKernel() writes the outputs the fresh path shows, and verifies clean",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const run = await runNotebookInKernel(SEMANTICS, { quick: true, out: `${dir}/nb.ipynb` });
    assert(run.ok, formatFailure(run) + run.output);
    const fresh = await quickSemantics();
    for (const c of fresh.cells) {
      assertEquals(texts(run, c.cell), texts(fresh, c.cell), `cell ${c.cell}`);
      assertEquals(
        texts(run, c.cell, "display"),
        texts(fresh, c.cell, "display"),
        `cell ${c.cell}`,
      );
    }
    assertEquals(texts(run, 7, "stream"), ["printed from cell 7\n"]);
    assertEquals(run.headlines, fresh.headlines);
    assertEquals(await verifyNotebook(`${dir}/nb.ipynb`, { run: fresh }), []);
    const saved = JSON.parse(await Deno.readTextFile(`${dir}/nb.ipynb`));
    const progress = saved.cells[7].outputs;
    assertEquals(progress.length, 1);
    assertEquals(progress[0].data["text/plain"], ["progress 3/3"]);
  },
});

Deno.test({
  name: "runNotebookInKernel() writes byte-identical notebooks when run twice",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    for (const name of ["a", "b"]) {
      const run = await runNotebookInKernel(SEMANTICS, {
        quick: true,
        out: `${dir}/${name}.ipynb`,
      });
      assert(run.ok, formatFailure(run));
    }
    const [a, b] = await Promise.all(["a", "b"].map((n) => Deno.readFile(`${dir}/${n}.ipynb`)));
    assertEquals(a, b);
    assert(!new TextDecoder().decode(a).includes('"execution": {'), "timing metadata was kept");
  },
});

Deno.test({
  name: "runNotebookInKernel() reports the notebook, cell and error, and writes nothing",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const run = await runNotebookInKernel(FAILING, { out: `${dir}/nb.ipynb` });
    assertEquals([run.ok, run.failure?.cell, run.failure?.name], [false, 3, "RangeError"]);
    assertEquals(run.failure?.message, "bad value in cell 3: 1");
    assertStringIncludes(formatFailure(run), `${FAILING}, cell 3, line 2:`);
    await assertRejects(() => Deno.stat(`${dir}/nb.ipynb`), Deno.errors.NotFound);
  },
});

Deno.test({
  name: "runNotebookInKernel() loses none of thirty cells' printed lines and results",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const run = await runNotebookInKernel(MANY, { out: `${dir}/nb.ipynb` });
    assert(run.ok, formatFailure(run));
    const saved = JSON.parse(await Deno.readTextFile(`${dir}/nb.ipynb`));
    const code = saved.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
    const got = code.map((c: { outputs: { text?: string[]; data?: Record<string, string[]> }[] }) =>
      c.outputs.map((o) => (o.text ?? o.data!["text/plain"]).join("")).join("|")
    );
    assertEquals(got, code.map((_: unknown, i: number) => `line ${i + 1}\n|${(i + 1) ** 2}`));
  },
});
