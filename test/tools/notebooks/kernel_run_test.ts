import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import { runNotebook } from "../../../tools/notebooks/fresh_run.ts";
import { runNotebookInKernel } from "../../../tools/notebooks/kernel_run.ts";
import { formatFailure } from "../../../tools/notebooks/run_summary.ts";
import { verifyNotebook } from "../../../tools/notebooks/verify_notebook.ts";
import {
  assertStringIncludes,
  FAILING,
  isolated,
  LIB,
  MANY,
  OUT_OF_ORDER,
  outputTexts,
  pythonRuns,
  RUN_ALL_TWICE,
  runCli,
  SEMANTICS,
  startCli,
  writeNotebook,
} from "./_helpers.ts";
import { withTempDir } from "../../data/_helpers.ts";
import { killAll, processesUnder, until } from "../../_child.ts";
import { canLockFolders, withLockableDir } from "../_locked.ts";

// ---------------------------------------------------------------------------------------------
// The Deno Jupyter kernel path. It needs Python's jupyter_client and `deno jupyter --install`;
// without them these tests are skipped, except under CI=true, where they must run. Each run gets
// `env: isolated()`, without the knobs a developer may have exported (SEED, NB_QUICK,
// NB_OUTPUT_FLUSH, …), and writes into a temporary folder, removed afterwards.

const ignore = !(await pythonRuns(
  "import nbformat; from jupyter_client.kernelspec import KernelSpecManager as M; " +
    "M().get_kernel_spec('deno')",
)) && Deno.env.get("CI") !== "true";

Deno.test({
  name: "runNotebookInKernel() writes the outputs the fresh path shows, and verifies clean",
  ignore,
  fn: () =>
    withTempDir(async (dir) => {
      const quick = { quick: true, env: isolated() };
      const run = await runNotebookInKernel(SEMANTICS, { ...quick, out: `${dir}/nb.ipynb` });
      assert(run.ok, formatFailure(run) + run.output);
      const fresh = await runNotebook(SEMANTICS, quick);
      for (const c of fresh.cells) {
        assertEquals(outputTexts(run, c.cell), outputTexts(fresh, c.cell), `cell ${c.cell}`);
        assertEquals(
          outputTexts(run, c.cell, "display"),
          outputTexts(fresh, c.cell, "display"),
          `cell ${c.cell}`,
        );
      }
      assertEquals(outputTexts(run, 7, "stream"), ["printed from cell 7\n"]);
      assertEquals(run.headlines, fresh.headlines);
      assertEquals(await verifyNotebook(`${dir}/nb.ipynb`, { run: fresh }), []);
      const saved = JSON.parse(await Deno.readTextFile(`${dir}/nb.ipynb`));
      const progress = saved.cells[7].outputs;
      assertEquals(progress.length, 1);
      assertEquals(progress[0].data["text/plain"], ["progress 3/3"]);
    }),
});

Deno.test({
  name:
    "runNotebookInKernel({ twice }) runs each cell twice in a row, keeps the second run, fails on it",
  ignore,
  fn: () =>
    withTempDir(async (dir) => {
      const source = await writeNotebook(dir, [
        `import { headline } from "${LIB}notebook/params.ts";\nlet runs = 0;`,
        'runs += 1;\nheadline("runs so far", runs);\n`run ${runs}`',
        'const once = globalThis as { seen?: boolean };\nif (once.seen) throw new Error("only once");\nonce.seen = true;',
        '"not reached"',
      ]);
      const out = `${dir}/out.ipynb`;
      const run = await runNotebookInKernel(source, { env: isolated(), out, twice: true });
      assertEquals(run.ok, false);
      assertEquals([run.failure?.cell, run.failure?.message], [4, "only once"]);
      assertStringIncludes(run.output, "(again)");
      // Cell 2 ran twice in a row: one entry, with the second run's output and count.
      assertEquals(run.cells.map((c) => [c.cell, c.count]), [[2, 2], [3, 4], [4, 6]]);
      assertEquals(outputTexts(run, 3), ['"run 2"']);
      // The first run's figure is left out; the second run's stays.
      assertEquals(run.headlines.map((h) => [h.name, h.value]), [["runs so far", "2"]]);
      // Without the failing cell, the notebook is written with the second runs' outputs.
      await Deno.mkdir(`${dir}/passing`);
      const passing = await writeNotebook(`${dir}/passing`, ["let k = 0;", "k += 1;\nk"]);
      const ok = await runNotebookInKernel(passing, { env: isolated(), out, twice: true });
      assert(ok.ok, formatFailure(ok) + ok.output);
      const saved = JSON.parse(await Deno.readTextFile(out));
      assertEquals(saved.cells[2].execution_count, 4);
      assertEquals(saved.cells[2].outputs[0].data["text/plain"], ["2"]);
    }),
});

Deno.test({
  name: "runNotebookInKernel({ runAllTwice }) fails where a cell reruns otherwise after the end",
  ignore,
  fn: () =>
    withTempDir(async (dir) => {
      // FAULT 0: the fixture reruns clean. 1: a layer built from the session's random stream
      // without its own seed (the draw before each cell of the second Run All moves it on);
      // 2: a tensor freed by the last cell, read by an earlier one; 3: a count kept across runs.
      const run = (fault: number) =>
        runNotebookInKernel(RUN_ALL_TWICE, {
          env: isolated({ FAULT: String(fault) }),
          out: `${dir}/nb.ipynb`,
          runAllTwice: true,
        });
      const clean = await run(0);
      assert(clean.ok, formatFailure(clean) + clean.output);
      assertStringIncludes(clean.output, "(Run All again)");
      assertEquals(outputTexts(clean, 4).length, 1); // the second Run All's cells are the ones kept
      const random = await run(1);
      assertEquals([random.failure?.cell, random.failure?.name], [4, "Run All again"]);
      assertStringIncludes(random.failure!.message, "1 cell shows other outputs");
      assertStringIncludes(random.failure!.stack, 'first Run All:  output 1 text/plain: "0.5');
      const freed = await run(2);
      assertEquals([freed.failure?.cell, freed.failure?.name], [6, "Error"]);
      assertStringIncludes(freed.failure!.message, "Tensor is disposed. (run again alone after");
      const kept = await run(3);
      assertEquals([kept.failure?.cell, kept.failure?.name], [7, "Run All again"]);
      assertStringIncludes(kept.failure!.stack, 'second Run All: output 1 text/plain: "run 3"');
    }),
});

Deno.test({
  name: "runNotebookInKernel() writes byte-identical notebooks when run twice",
  ignore,
  fn: () =>
    withTempDir(async (dir) => {
      for (const name of ["a", "b"]) {
        const run = await runNotebookInKernel(SEMANTICS, {
          quick: true,
          env: isolated(),
          out: `${dir}/${name}.ipynb`,
        });
        assert(run.ok, formatFailure(run));
      }
      const [a, b] = await Promise.all(["a", "b"].map((n) => Deno.readFile(`${dir}/${n}.ipynb`)));
      assertEquals(a, b);
      assert(!new TextDecoder().decode(a).includes('"execution": {'), "timing metadata was kept");
    }),
});

Deno.test({
  name: "runNotebookInKernel() reports the notebook, cell and error, and writes nothing",
  ignore,
  fn: () =>
    withTempDir(async (dir) => {
      const run = await runNotebookInKernel(FAILING, { env: isolated(), out: `${dir}/nb.ipynb` });
      assertEquals([run.ok, run.failure?.cell, run.failure?.name], [false, 3, "RangeError"]);
      assertEquals(run.failure?.message, "bad value in cell 3: 1");
      assertStringIncludes(formatFailure(run), `${FAILING}, cell 3, line 2:`);
      await assertRejects(() => Deno.stat(`${dir}/nb.ipynb`), Deno.errors.NotFound);
    }),
});

Deno.test({
  name:
    "deno task notebooks --kernel names the file in one line when it cannot be written after the run",
  ignore: ignore || !canLockFolders,
  fn: () =>
    withLockableDir("notebooks-unwritten-", async (dir) => {
      // The --out folder passes the check before the run; the cell then makes it unwritable,
      // as a disk that fills during the run would leave it.
      const out = `${dir}/out`;
      await Deno.mkdir(out);
      const lock = Deno.uid() === 0
        ? `new Deno.Command("chattr", { args: ["+i", ${
          JSON.stringify(out)
        }] }).outputSync().success`
        : `Deno.chmodSync(${JSON.stringify(out)}, 0o555), true`;
      const notebook = await writeNotebook(dir, ["1 + 1", lock]);
      const run = await runCli(["--kernel", "--out", out, notebook]);
      assertEquals(run.code, 1, run.stdout + run.stderr);
      assertStringIncludes(run.stdout, "Out[2]: true"); // every cell ran
      assertMatch(run.stdout, /nb\.ipynb\s+kernel\s+FAILED \(not written\)\s+2/);
      const err = run.stderr.trimEnd();
      assertEquals(err.split("\n").length, 1, err);
      assertMatch(
        err,
        new RegExp(
          `^✗ ${notebook}: not written: cannot write ${out}/nb\\.ipynb: [^:]+ \\(os error \\d+\\) ` +
            "\\(after 2 cells ran; the file is as it was\\)$",
        ),
      );
      assertEquals([...Deno.readDirSync(out)], [], "no temporary file left");
    }),
});

Deno.test({
  name: "runNotebookInKernel() loses none of thirty cells' printed lines and results",
  ignore,
  fn: () =>
    withTempDir(async (dir) => {
      const run = await runNotebookInKernel(MANY, { env: isolated(), out: `${dir}/nb.ipynb` });
      assert(run.ok, formatFailure(run));
      const saved = JSON.parse(await Deno.readTextFile(`${dir}/nb.ipynb`));
      const code = saved.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
      const got = code.map((
        c: { outputs: { text?: string[]; data?: Record<string, string[]> }[] },
      ) => c.outputs.map((o) => (o.text ?? o.data!["text/plain"]).join("")).join("|"));
      assertEquals(got, code.map((_: unknown, i: number) => `line ${i + 1}\n|${(i + 1) ** 2}`));
    }),
});

Deno.test({
  name: "in the kernel a cell's missing name is explained by the kernel and by the runner",
  ignore,
  fn: () =>
    withTempDir(async (dir) => {
      const run = await runNotebookInKernel(OUT_OF_ORDER, {
        env: isolated(),
        out: `${dir}/nb.ipynb`,
      });
      assertEquals([run.ok, run.failure?.cell, run.failure?.name], [false, 4, "ReferenceError"]);
      // lib/notebook, imported in cell 2, installed the flush; cell 3's flush saw its marker.
      assertEquals(outputTexts(run, 3), ['[ "flushed", "already installed" ]']);
      // What the notebook shows: lib/notebook's hint, which cannot know the failing cell.
      assertEquals(
        run.failure?.stack.split("\n")[0],
        "ReferenceError: total is not defined: cell 5 of out_of_order.ipynb (`const total = 3;`) " +
          "defines it; run it first, or every cell above with Cell › Run All Above",
      );
      // What the runner says: it knows the cells and which one failed.
      assertEquals(
        run.failure?.message,
        "total is not defined: cell 5 (`const total = 3;`) defines it, below the cell that uses " +
          "it; move it up, or run it first",
      );
    }),
});

Deno.test({
  name: "deno task notebooks --compare passes on new timings and fails on a changed value",
  ignore,
  fn: () =>
    withTempDir(async (dir) => {
      await Deno.mkdir(`${dir}/source`);
      const source = await writeNotebook(`${dir}/source`, [
        "const t0 = performance.now();\nawait new Promise((resolve) => setTimeout(resolve, 20));",
        "`total 42 in ${((performance.now() - t0) / 1000).toFixed(4)} s`",
      ]);
      const committed = `${dir}/nb.ipynb`;
      const first = await runNotebookInKernel(source, { env: isolated(), out: committed });
      assert(first.ok, formatFailure(first));
      const compare = (...out: string[]) => runCli(["--compare", "--quiet", ...out, committed]);
      // Into a temporary copy of its own, removed when nothing differs.
      const same = await compare();
      assertEquals(same.code, 0, same.stdout + same.stderr);
      assertStringIncludes(same.stdout, "1 of 1 notebook ran, no difference beyond timings");

      const saved = await Deno.readTextFile(committed);
      await Deno.writeTextFile(committed, saved.replace('\\"total 42 in', '\\"total 41 in'));
      // A run that differs keeps its notebooks for a look: here, in this test's folder.
      const changed = await compare("--out", `${dir}/run`);
      assertEquals(changed.code, 1);
      // The cell's first line as the written notebook has it (formatted by deno fmt: a `;` added).
      assertStringIncludes(
        changed.stderr,
        `✗ ${committed}, cell 3 (\`\`total 42 in \${((performance.now() - t0) / 1000).toFixed(4)} s\`;\`): ` +
          "outputs differ at line 1\n" +
          '    committed: output 1 text/plain: "total 41 in ‹time› s"\n' +
          '    this run:  output 1 text/plain: "total 42 in ‹time› s"',
      );
      assertStringIncludes(changed.stdout, `1 cell differs (this run's notebooks: ${dir}/run)`);
    }),
});

Deno.test({
  name: "deno task notebooks --kernel stopped by SIGTERM or Ctrl-C shuts its kernel down, " +
    "leaving no file",
  ignore: ignore || Deno.build.os !== "linux", // processesUnder() reads /proc
  fn: () =>
    withTempDir(async (dir) => {
      // TMPDIR holds the runner's temporary file and the kernel's connection file.
      const [tmp, out] = [`${dir}/tmp`, `${dir}/out`];
      await Deno.mkdir(tmp);
      await Deno.mkdir(`${dir}/source`);
      const source = await writeNotebook(`${dir}/source`, [
        "await new Promise((r) => setTimeout(r, 60_000));",
      ]);
      const left = (folder: string) => [...Deno.readDirSync(folder)].map((e) => e.name);
      // The kernel runs in the notebook's folder, in a session of its own.
      const kernels = () =>
        processesUnder(`${dir}/source`).filter((pid) =>
          Deno.readTextFileSync(`/proc/${pid}/cmdline`).includes("--kernel\0--conn")
        );
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        const env = { TMPDIR: tmp, NB_SCHEDULE_FILE: `${dir}/seconds.json` };
        const runner = startCli(["--kernel", "--out", out, source], env);
        const stderr = new Response(runner.stderr).text();
        try {
          await until(() => kernels().length === 1, "the kernel to start");
          Deno.kill(-runner.pid, signal); // the runner's process group, as a terminal does
          const { code } = await runner.status;
          assertEquals(code, signal === "SIGINT" ? 130 : 143, await stderr);
          await until(() => processesUnder(dir).length === 0, `${signal}: driver, kernel`, 5000);
          assertEquals(left(tmp), [], `${signal}: temporary files left`);
          assertEquals(left(out), [], `${signal}: a notebook written`);
        } finally {
          killAll(processesUnder(dir));
          await stderr;
        }
      }
    }),
});

Deno.test({
  name: "runNotebookInKernel() stops a driver that prints anything but events, quoting the line",
  ignore: Deno.build.os !== "linux", // a shell script for Python; /proc tells what runs
  fn: () =>
    withTempDir(async (dir) => {
      // A "Python" that prints a banner, then hangs as a driver would, running its kernel.
      const python = `${dir}/python`;
      await Deno.writeTextFile(
        python,
        `#!/bin/sh\necho $$ > "${dir}/pid"\necho "$NB_HEADLINES" > "${dir}/headlines"\n` +
          'echo "Python 3.11.2 (main)"\nexec sleep 60\n',
      );
      await Deno.chmod(python, 0o755);
      const notebook = await writeNotebook(dir, ["1 + 1"]);
      const alive = (pid: number) => {
        try {
          return !Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z ");
        } catch {
          return false;
        }
      };
      let pid = 0;
      try {
        const error = await runNotebookInKernel(notebook, { python, env: isolated() })
          .then(() => null, (e: Error) => e);
        pid = Number(await Deno.readTextFile(`${dir}/pid`));
        assert(!alive(pid), `the driver ${pid} is still running`);
        const headlines = (await Deno.readTextFile(`${dir}/headlines`)).trim();
        await assertRejects(() => Deno.stat(headlines), Deno.errors.NotFound);
        assert(error instanceof TypeError, `expected a TypeError, found ${error}`);
        assertStringIncludes(
          error.message,
          `printed "Python 3.11.2 (main)", expected one JSON event per line`,
        );
      } finally {
        pid ||= Number(await Deno.readTextFile(`${dir}/pid`).catch(() => "0"));
        if (pid) killAll([pid]);
      }
    }),
});

Deno.test({
  name: "runNotebookInKernel() starts the kernel again when it dies before its first reply",
  ignore,
  fn: () =>
    withTempDir(async (dir) => {
      // A kernel spec whose first start exits at once, as Deno's kernel does when another
      // process took one of the ports jupyter_client chose ("Address already in use").
      const spec = `${dir}/jupyter/kernels/flaky`;
      await Deno.mkdir(spec, { recursive: true });
      const script = `${dir}/flaky.py`;
      await Deno.writeTextFile(
        script,
        [
          "import os, sys",
          `marker = ${JSON.stringify(`${dir}/failed-once`)}`,
          "if not os.path.exists(marker):",
          "    open(marker, 'w').close()",
          "    sys.exit(1)",
          `os.execv(${JSON.stringify(Deno.execPath())}, ` +
          `['deno', 'jupyter', '--kernel', '--conn', sys.argv[1]])`,
        ].join("\n"),
      );
      const argv = ["/usr/bin/python3", script, "{connection_file}"];
      const kernel = { argv, display_name: "flaky", language: "typescript" };
      await Deno.writeTextFile(`${spec}/kernel.json`, JSON.stringify(kernel));
      const source = await writeNotebook(dir, ['"started"']);
      const run = await runNotebookInKernel(source, {
        env: isolated({ JUPYTER_PATH: `${dir}/jupyter` }),
        kernel: "flaky",
        out: `${dir}/out.ipynb`,
      });
      assert(run.ok, formatFailure(run) + run.output);
      assert(await Deno.stat(`${dir}/failed-once`).then(() => true), "the first start failed");
      assertEquals(outputTexts(run, 2), ['"started"']); // cell 1 is the notebook's title
    }),
});
