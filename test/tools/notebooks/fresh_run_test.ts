import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { runNotebook } from "../../../tools/notebooks/fresh_run.ts";
import { formatFailure, formatSummary } from "../../../tools/notebooks/run_summary.ts";
import type { NotebookRun } from "../../../tools/notebooks/run_types.ts";
import {
  assertStringIncludes,
  cell,
  FAILING,
  FIXTURES,
  isolated,
  LIB,
  OUT_OF_ORDER,
  outputTexts,
  SEMANTICS,
  startCli,
  writeNotebook,
} from "./_helpers.ts";
import { withTempDir } from "../../data/_helpers.ts";
import { killAll, processesUnder, runWithEnv, until } from "../../_child.ts";

const FRESH_RUN = new URL("../../../tools/notebooks/fresh_run.ts", import.meta.url).href;

// Runs of the semantics fixture pass `env: isolated(…)`: a SEED, ROUNDS or NB_QUICK exported in
// the developer's shell would change the values these tests expect.

// One quick fresh-path run of the semantics fixture, shared by the tests that read it.
let semanticsRun: Promise<NotebookRun> | undefined;
const quickSemantics = () =>
  semanticsRun ??= runNotebook(SEMANTICS, { quick: true, env: isolated() });

Deno.test("runNotebook() runs the cells in order in one shared scope", async () => {
  const run = await quickSemantics();
  assert(run.ok, formatFailure(run));
  assertEquals(run.cells.map((c) => c.cell), [2, 3, 4, 6, 7, 8, 9, 11, 12, 13]);
  assertEquals(run.cells.map((c) => c.count), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // Cell 6 sums the draws made in cell 4 with ROUNDS from cell 2.
  assertMatch(outputTexts(run, 6)[0], /^"rounds=2 total=\d+"$/);
});

Deno.test("runNotebook() shows a cell's last bare expression as its output, as the kernel does", async () => {
  const run = await quickSemantics();
  assertEquals(outputTexts(run, 4), ["2"]);
  assertEquals(outputTexts(run, 7), ["{ seed: 42, first: true }"]);
  assertEquals(outputTexts(run, 11), ['"the end"']);
  assertEquals(cell(run, 2).outputs, []);
  assertStringIncludes(run.output, "printed from cell 7");
  assertStringIncludes(run.output, "Out[3]: 2");
});

Deno.test("runNotebook() prints a DataFrame as a table and an SVG as a one-line summary", async () => {
  const run = await quickSemantics();
  assertEquals(outputTexts(run, 12), [
    "movie  rating\n-----  ------\nHeat      4.5\nUp          3",
  ]);
  assertEquals(outputTexts(run, 13), ["[svg 640×400] 0.0 kB"]);
});

Deno.test("runNotebook() supports top-level await and measures each cell", async () => {
  const run = await quickSemantics();
  assert(cell(run, 6).seconds >= 0.015, `cell 6 waits 20 ms, measured ${cell(run, 6).seconds}`);
  assert(run.seconds >= run.cells.reduce((s, c) => s + c.seconds, 0));
});

Deno.test("runNotebook() resolves a relative import of lib from the notebook's folder", async () => {
  const run = await quickSemantics();
  // Cell 7 compares a draw with a fresh createRng imported in cell 3 by a relative path.
  assertStringIncludes(outputTexts(run, 7)[0], "first: true");
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
  assertEquals(run.headlines[0].compared, "tutorial: n/a");
  assertMatch(run.headlines[1].value, /^\d+\.\d\d$/);
  assertStringIncludes(formatSummary([run]), "Total of the draws");
});

Deno.test("runNotebook() reads parameters from quick values and environment overrides", async () => {
  const full = await runNotebook(SEMANTICS, { env: isolated() });
  const overridden = await runNotebook(SEMANTICS, { quick: true, env: isolated({ ROUNDS: "4" }) });
  assertEquals(outputTexts(full, 4), ["5"]);
  assertEquals(outputTexts(overridden, 4), ["4"]);
  const bad = await runNotebook(SEMANTICS, { env: isolated({ ROUNDS: "many" }) });
  assertEquals([bad.ok, bad.failure?.cell, bad.failure?.name], [false, 2, "RangeError"]);
  assertStringIncludes(
    bad.failure!.message,
    'expected a decimal integer for ROUNDS (digits only, such as 3), found "many"',
  );
});

Deno.test("runNotebook() passes on the environment, but not NB_QUICK, and removes a variable set to undefined", async () => {
  // In a child: an NB_QUICK or ROUNDS set in this process would reach every module beside it.
  const out = await runWithEnv(
    `import { runNotebook } from ${JSON.stringify(FRESH_RUN)};
     const nb = ${JSON.stringify(SEMANTICS)};
     const rounds = async (env) => (await runNotebook(nb, { env })).cells[2].outputs[0].text;
     console.log(JSON.stringify([await rounds({}), await rounds({ ROUNDS: undefined })]));`,
    { NB_QUICK: "1", ROUNDS: "9" },
  );
  // Cell 4 shows ROUNDS: 9 passed on; without it 5, the full size, since NB_QUICK=1 (2) is not.
  assertEquals(JSON.parse(out), ["9", "5"]);
});

Deno.test("runNotebook() hands a relative MOVIELENS_DIR to the notebook as an absolute path", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, ['Deno.env.get("MOVIELENS_DIR")']);
    const run = await runNotebook(path, { env: { MOVIELENS_DIR: "../shared/movielens" } });
    assertEquals(outputTexts(run, 2), [JSON.stringify(`${Deno.cwd()}/../shared/movielens`)]);
  });
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
  // A copy in a folder of its own: other tests run the fixtures (each run writes its module
  // next to the notebook), and a run killed earlier may have left one in the fixtures' folder.
  await withTempDir(async (dir) => {
    await Deno.copyFile(FAILING, `${dir}/failing.ipynb`);
    const run = await runNotebook(`${dir}/failing.ipynb`);
    assertEquals([run.ok, run.failure?.cell], [false, 3]);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["failing.ipynb"]);
  });
});

Deno.test({
  name:
    "deno task notebooks stopped by Ctrl-C or SIGTERM leaves no module, temporary file or child",
  ignore: Deno.build.os !== "linux", // processesUnder() reads /proc
  fn: () =>
    withTempDir(async (dir) => {
      const tmp = `${dir}/tmp`;
      await Deno.mkdir(tmp);
      const notebooks = [];
      for (const name of ["a", "b"]) {
        await Deno.mkdir(`${dir}/${name}`);
        notebooks.push(
          await writeNotebook(`${dir}/${name}`, [
            "await new Promise((r) => setTimeout(r, 60_000));",
          ]),
        );
      }
      const left = (folder: string) => [...Deno.readDirSync(folder)].map((e) => e.name).sort();
      const modules = () =>
        [...left(`${dir}/a`), ...left(`${dir}/b`)].filter((n) => n !== "nb.ipynb");
      // Ctrl-C reaches the runner and its children (one process group); SIGTERM the runner alone.
      for (
        const [signal, group, status] of [["SIGINT", true, 130], ["SIGTERM", false, 143]] as const
      ) {
        const env = { TMPDIR: tmp, NB_SCHEDULE_FILE: `${dir}/seconds.json` };
        const runner = startCli(["--jobs", "2", ...notebooks], env);
        const stderr = new Response(runner.stderr).text();
        try {
          // Both children are in their first cell once each has written its "begin" event.
          const begun = () =>
            left(tmp).filter((n) =>
              n.startsWith("nbrun-events-") && Deno.statSync(`${tmp}/${n}`).size > 0
            ).length;
          await until(() => begun() === 2, "both notebooks to start their first cell");
          Deno.kill(group ? -runner.pid : runner.pid, signal);
          const { code } = await runner.status;
          assertEquals(code, status, await stderr);
          assertStringIncludes(
            await stderr,
            `${signal}: stopping the notebook runs and removing their files…`,
          );
          assertEquals(modules(), [], `${signal}: generated modules left`);
          assertEquals(left(tmp), [], `${signal}: temporary files left`);
          await until(() => processesUnder(dir).length === 0, `${signal}: children to end`, 5000);
        } finally {
          killAll(processesUnder(dir));
          await stderr;
        }
      }
    }),
});

Deno.test("runNotebook() hoists imports and accepts the same import in two cells", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, [
      `import { createRng } from "${LIB}random.ts";\nconst a = createRng(1).int(1000);`,
      `import { createRng } from "${LIB}random.ts";\nimport { DEFAULT_K } from "${LIB}defaults.ts";\n` +
      "a === createRng(1).int(1000) && DEFAULT_K",
    ]);
    const run = await runNotebook(path);
    assert(run.ok, formatFailure(run));
    assertEquals(outputTexts(run, 3), ["10"]);
  });
});

Deno.test("runNotebook() names both cells when a later cell declares a name again", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, ["const model = 1;", "model", "let model = 2;"]);
    const run = await runNotebook(path);
    assertEquals([run.ok, run.failure?.cell, run.failure?.name], [false, 4, "SyntaxError"]);
    assertStringIncludes(
      run.failure!.message,
      "`model` is declared again (first declared in cell 2)",
    );
    assertEquals(run.cells, []);
  });
});

Deno.test("runNotebook() reports a syntax error with its cell and line", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, ["const ok = 1;", "const x = 1;\nconst y = ;"]);
    const run = await runNotebook(path);
    assertEquals([run.failure?.cell, run.failure?.name], [3, "SyntaxError"]);
    assertStringIncludes(run.failure!.message, "cell 3: line 2:");
  });
});

Deno.test("runNotebook() fails a cell whose promise rejects after the cell returned", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, [
      "setTimeout(() => { throw new Error('late failure'); }, 0);",
      "await new Promise((resolve) => setTimeout(resolve, 50));",
      "'not reached'",
    ]);
    const run = await runNotebook(path);
    assertEquals([run.ok, run.failure?.message], [false, "late failure"]);
    assertEquals(run.cells.length < 3, true);
  });
});

Deno.test("runNotebook() throws TypeError for a missing file or a file that is not a notebook", async () => {
  await assertRejects(() => runNotebook(`${FIXTURES}missing.ipynb`), TypeError, "no such file");
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/x.ipynb`, JSON.stringify({ nbformat: 3, worksheets: [] }));
    await assertRejects(() => runNotebook(`${dir}/x.ipynb`), TypeError, "nbformat 4 notebook");
  });
});

Deno.test("runNotebook() names the cell that defines a name used too early, and its first line", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, [
      "const a = 1;",
      "total * a",
      "// the total\nconst total = 3;",
    ]);
    const run = await runNotebook(path);
    assertEquals([run.ok, run.failure?.cell, run.failure?.name], [false, 3, "ReferenceError"]);
    assertEquals(
      run.failure?.message,
      "Cannot access 'total' before initialization: cell 4 (`const total = 3;`) defines it, " +
        "below the cell that uses it; move it up, or run it first",
    );
    assertStringIncludes(
      formatFailure(run),
      `${path}, cell 3 ([2]): ReferenceError: Cannot access`,
    );
  });
});

Deno.test("runNotebook() leaves lib/notebook's output flush out: no kernel to flush", async () => {
  const run = await runNotebook(OUT_OF_ORDER);
  assertEquals(outputTexts(run, 3), ['[ "no kernel", "no kernel" ]']);
  assertEquals(
    run.failure?.message,
    "Cannot access 'total' before initialization: cell 5 (`const total = 3;`) defines it, " +
      "below the cell that uses it; move it up, or run it first",
  );
});

Deno.test("runNotebook() says when no cell defines a missing name", async () => {
  await withTempDir(async (dir) => {
    const path = await writeNotebook(dir, ["const a = 1;", "totl * a"]);
    const run = await runNotebook(path);
    assertEquals(
      run.failure?.message,
      "totl is not defined, and no cell declares it at its top level",
    );
  });
});
