import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  compareOutputs,
  formatDifference,
  isTimedColumn,
  maskTables,
  maskTimings,
  outputLines,
} from "../../../tools/notebooks/compare_outputs.ts";
import { assertStringIncludes, FIXTURES, pythonRuns, runCli, writeNotebook } from "./_helpers.ts";
import { withTempDir } from "../../data/_helpers.ts";
import { runWithEnv } from "../../_child.ts";

const RUN_NOTEBOOKS = new URL("../../../tools/notebooks/run_notebooks.ts", import.meta.url).href;

const TIMINGS = `${FIXTURES}timings.ipynb`;

interface Nb {
  cells: { cell_type: string; source: string[]; outputs?: Record<string, unknown>[] }[];
}

const fixture = async (): Promise<Nb> => JSON.parse(await Deno.readTextFile(TIMINGS));

/** The fixture with `from` replaced by `to` in the outputs of one cell (1-based). */
function edit(nb: Nb, cell: number, from: string, to: string): Nb {
  const copy: Nb = structuredClone(nb);
  const text = JSON.stringify(copy.cells[cell - 1].outputs);
  assert(text.includes(from), `cell ${cell} has no ${from}`);
  copy.cells[cell - 1].outputs = JSON.parse(text.replaceAll(from, to));
  return copy;
}

Deno.test("maskTimings() hides durations and throughput and nothing else", () => {
  assertEquals(
    maskTimings("5 epochs in 0:05 · 81,029 samples/s · loss 2.0612 · val_loss 2.5440"),
    "5 epochs in ‹time› · ‹rate› samples/s · loss 2.0612 · val_loss 2.5440",
  );
  assertEquals(
    maskTimings("epoch 2/5 · batch 800/800 · 152,300 samples/s · ETA 1:02:05"),
    "epoch 2/5 · batch 800/800 · ‹rate› samples/s · ETA ‹time›",
  );
  assertEquals(
    maskTimings("epoch 5/5 · loss 0.70 · 0:04 elapsed"),
    "epoch 5/5 · loss 0.70 · ‹time› elapsed",
  );
  assertEquals(maskTimings("step · 0:04 · done"), "step · ‹time› · done");
  assertEquals(
    maskTimings("took 1.52 s (340 ms parsing, 2 minutes in all, 1e-3 seconds, 12 µs)"),
    "took ‹time› s (‹time› ms parsing, ‹time› minutes in all, ‹time› seconds, ‹time› µs)",
  );
  assertEquals(maskTimings("3.5e4 rows/s, 12 per second"), "‹rate› rows/s, ‹rate› per second");
  for (
    const kept of [
      '"3:10 to Yuma (2007)"',
      "timestamp 964982703",
      "loss 0.8123 · 12 epochs · 100,836 ratings",
      "the 1990s",
      "5 stars",
      "user 557 in training",
      "ratio 3:1",
      "v1.2 s3 bucket",
    ]
  ) assertEquals(maskTimings(kept), kept);
});

Deno.test("isTimedColumn() knows time and rate headers, not timestamps or counts", () => {
  for (
    const h of [
      "seconds",
      "s",
      "ms",
      "cpu seconds",
      "wall_seconds",
      "cpuSeconds",
      "time (s)",
      "duration",
      "elapsed",
      "ETA",
      "samples/s",
      "ratings per second",
      "throughput",
    ]
  ) assert(isTimedColumn(h), h);
  for (
    const h of ["timestamp", "epochs", "loss", "votes", "movies", "best epoch", "time", "sd"]
  ) assert(!isTimedColumn(h), h);
});

Deno.test("compareOutputs() passes when only times and throughput changed, in every kind of output", async () => {
  const committed = await fixture();
  let rerun = edit(committed, 2, "0:05 · 81,029 samples/s", "0:09 · 45,112 samples/s");
  rerun = edit(rerun, 3, "152,300 samples/s · ETA 0:12", "98,004 samples/s · ETA 0:31");
  rerun = edit(rerun, 3, "0:04 elapsed", "0:07 elapsed");
  rerun = edit(rerun, 3, "1.52 s (340 ms", "2.9 s (1,020 ms");
  // A text table whose seconds column got wider: the other columns move, and are compared.
  rerun = edit(rerun, 4, "   4.21    152,300", "  104.21     52,300");
  rerun = edit(rerun, 5, "12.5", "13.75");
  rerun = edit(rerun, 5, "81,029", "79,500");
  rerun = edit(rerun, 5, '"throughput":81029', '"throughput":79500');
  rerun = edit(rerun, 6, "┆ 4.21    │", "┆ 14.21   │");
  assertEquals(compareOutputs(committed, rerun), []);
});

Deno.test("compareOutputs() fails on a changed loss, naming the cell, its first line and the line", async () => {
  const committed = await fixture();
  const rerun = edit(
    edit(committed, 2, "loss 2.0612", "loss 2.0598"),
    2,
    "0:05",
    "0:06",
  );
  const [d, ...more] = compareOutputs(committed, rerun);
  assertEquals(more, []);
  assertEquals(d, {
    cell: 2,
    preview: "const history = await train(model, data);",
    committed:
      "output 1 text/plain: 5 epochs in ‹time› · ‹rate› samples/s · loss 2.0612 · val_loss 2.5440",
    fresh:
      "output 1 text/plain: 5 epochs in ‹time› · ‹rate› samples/s · loss 2.0598 · val_loss 2.5440",
    line: 1,
  });
  assertEquals(formatDifference("nb.ipynb", d), [
    "✗ nb.ipynb, cell 2 (`const history = await train(model, data);`): outputs differ at line 1",
    "    committed: output 1 text/plain: 5 epochs in ‹time› · ‹rate› samples/s · loss 2.0612 · val_loss 2.5440",
    "    this run:  output 1 text/plain: 5 epochs in ‹time› · ‹rate› samples/s · loss 2.0598 · val_loss 2.5440",
  ]);
});

Deno.test("compareOutputs() fails on any change outside the masked values", async () => {
  const committed = await fixture();
  const cases: [number, string, string, string][] = [
    [3, "loaded 100,836 ratings", "loaded 100,835 ratings", "stream stdout: loaded 100,835"],
    [4, "964982931", "964982932", "text/plain: 2  0.7991  ‹time›  ‹rate›  964982932"],
    [4, "0.7991", "0.7990", "0.7990"],
    [5, "<td>0.8874</td>", "<td>0.8875</td>", "<td>0.8875</td>"],
    [5, '"rmse":0.9112', '"rmse":0.9113', '"rmse": 0.9113'],
    [6, "0.7991", "0.7992", "0.7992"],
    [8, "3:10 to Yuma", "3:11 to Yuma", "3:11 to Yuma"],
  ];
  for (const [cell, from, to, shown] of cases) {
    const differences = compareOutputs(committed, edit(committed, cell, from, to));
    assertEquals(differences.map((d) => d.cell), [cell], `${from} → ${to}`);
    assert(differences[0].fresh.includes(shown), `${differences[0].fresh} shows ${shown}`);
  }
});

Deno.test("compareOutputs() compares a figure in a data URL as its decoded markup", async () => {
  const committed = await fixture();
  const html = (committed.cells[6].outputs![0].data as Record<string, string[]>)["text/html"][0];
  const svg = atob(html.match(/base64,([^"]+)/)![1]);
  const changed = btoa(svg.replace("M0,50L60,20", "M0,50L60,25"));
  const rerun = edit(committed, 7, html.match(/base64,([^"]+)/)![1], changed);
  const [d] = compareOutputs(committed, rerun);
  assertEquals(d.cell, 7);
  assertEquals(d.fresh, 'output 1 text/html: <path d="M0,50L60,25L120,10"/>');
});

Deno.test("compareOutputs() fails on an output added or missing, and needs the same cells", async () => {
  const committed = await fixture();
  const extra: Nb = structuredClone(committed);
  extra.cells[7].outputs!.push({ output_type: "stream", name: "stdout", text: ["new\n"] });
  const [d] = compareOutputs(committed, extra);
  assertEquals([d.cell, d.committed, d.fresh], [8, "", "output 2 stream stdout: new"]);
  assertEquals(formatDifference("nb.ipynb", d)[1], "    committed: (no more output)");
  const moved: Nb = structuredClone(committed);
  moved.cells[3].source = ["runs.slice(1)\n"];
  assertThrows(() => compareOutputs(committed, moved), TypeError, "a difference at cell 4");
});

Deno.test("outputLines() tags each line with its output and kind", () => {
  assertEquals(
    outputLines([
      { output_type: "stream", name: "stderr", text: "a\rb\n" },
      { output_type: "error", ename: "TypeError", evalue: "x" },
    ]),
    ["output 1 stream stderr: b", "output 1 stream stderr: ", "output 2 error: TypeError: x"],
  );
});

Deno.test("parseArgs() reads --compare as a full-size kernel run, two notebooks at a time", async () => {
  // In a child without NB_QUICK: parseArgs() counts one exported in the developer's shell as
  // --quick, which --compare refuses.
  await runWithEnv(
    `import { parseArgs } from ${JSON.stringify(RUN_NOTEBOOKS)};
     import { assertEquals, assertThrows } from "@std/assert";
     const cli = parseArgs(["--compare"]);
     assertEquals([cli.compare, cli.kernel, cli.jobs], [
       true,
       true,
       Math.min(2, Math.max(1, navigator.hardwareConcurrency || 1)),
     ]);
     assertEquals(parseArgs(["--compare", "--jobs", "3"]).jobs, 3);
     assertEquals(parseArgs(["--kernel", "--out", "x"]).jobs, 1);
     assertThrows(() => parseArgs(["--compare", "--quick"]), TypeError, "found --quick");
     assertThrows(
       () => parseArgs(["--compare", "--set", "EPOCHS=1"]),
       TypeError,
       "found --set EPOCHS",
     );`,
    { NB_QUICK: undefined },
  );
});

Deno.test("maskTimings() hides every unit and rate it names, with or without a space", () => {
  for (
    const [text, masked] of [
      ["3 sec, 2 secs, 1 second", "‹time› sec, ‹time› secs, ‹time› second"],
      ["4 min, 5 mins, 1 minute", "‹time› min, ‹time› mins, ‹time› minute"],
      ["1 hour, 2 hours", "‹time› hour, ‹time› hours"],
      ["340ms, 2.5e+3 ms", "‹time›ms, ‹time› ms"],
      ["1,200/s", "‹rate›/s"],
      ["epoch 3 · loss 0.70 · 0:04", "epoch 3 · loss 0.70 · ‹time›"],
      ["0:04 · loss 0.70", "‹time› · loss 0.70"],
    ]
  ) assertEquals(maskTimings(text), masked);
  // A clock-like value is a duration only where lib's lines put one.
  for (const kept of ["rank 3:10 · next", "top · 3:10 to Yuma"]) {
    assertEquals(maskTimings(kept), kept);
  }
});

Deno.test("isTimedColumn() knows 'sec' and 'secs', and a header with spaces around it", () => {
  for (const h of ["sec", "secs", "  cpu seconds  "]) assert(isTimedColumn(h), h);
});

Deno.test("maskTables() rewrites only the aligned text tables that have a timed column", () => {
  const text = [
    "---",
    "Runs of 12.5 epochs:",
    "",
    "model  loss    seconds",
    "-----  ------  -------",
    "dot    0.8123     4.21",
    "mlp    0.7991   104.2",
    "   ",
    "after 12.5 epochs",
    "model  loss",
    "-----  ----",
    "dot    0.81",
    "",
    "seconds",
    "-------",
    "4.21",
  ].join("\n");
  assertEquals(maskTables(text).split("\n"), [
    "---",
    "Runs of 12.5 epochs:",
    "",
    "model  loss  seconds",
    "--  --  --",
    "dot  0.8123  ‹time›",
    "mlp  0.7991  ‹time›",
    "   ",
    "after 12.5 epochs",
    "model  loss",
    "-----  ----",
    "dot    0.81",
    "",
    "seconds",
    "--",
    "‹time›",
  ]);
});

Deno.test("maskTables() masks the timed columns of Polars tables, one after another", () => {
  const text = [
    "┌─────────┐",
    "│ seconds │",
    "╞═════════╡",
    "│ 4.21    │",
    "└─────────┘",
    "shape: (1, 1)",
    "┌──────┐",
    "│ loss │",
    "╞══════╡",
    "│ 0.81 │",
    "└──────┘",
    "shape: (1, 2)",
    "┌───────┬─────────┐",
    "│ model ┆ seconds │",
    "│ ---   ┆ ---     │",
    "│ str   ┆ f64     │",
    "╞═══════╪═════════╡",
    "│ dot   ┆ 4.21    │",
    "└───────┴─────────┘",
    "shape: (1, 1)",
    "┌─────────┐",
    "│ seconds │",
    "╞═════════╡",
    "│ 4.21    │",
    "└─────────┘",
  ].join("\n");
  assertEquals(maskTables(text).split("\n"), [
    "┌─┐",
    "│ seconds │",
    "╞═╡",
    "│ ‹time› │",
    "└─┘",
    "shape: (1, 1)",
    "┌──────┐",
    "│ loss │",
    "╞══════╡",
    "│ 0.81 │",
    "└──────┘",
    "shape: (1, 2)",
    "┌─┬─┐",
    "│ model ┆ seconds │",
    "│ --- ┆ --- │",
    "│ str ┆ ‹time› │",
    "╞═╪═╡",
    "│ dot ┆ ‹time› │",
    "└─┴─┘",
    "shape: (1, 1)",
    "┌─┐",
    "│ seconds │",
    "╞═╡",
    "│ ‹time› │",
    "└─┘",
  ]);
});

Deno.test("maskTables() masks an HTML table's one timed column, after an empty cell too", () => {
  const html = "<table><tr><th>model</th><th>note</th><th> <b>seconds</b> </th></tr>" +
    "<tr><td>dot</td><td></td><td>4.21</td></tr></table>" +
    "<table><tr><th>loss</th></tr><tr><td>0.81</td></tr></table><table></table>";
  assertEquals(
    maskTables(html, true),
    "<table><tr><th>model</th><th>note</th><th> <b>seconds</b> </th></tr>" +
      "<tr><td>dot</td><td></td><td>‹time›</td></tr></table>" +
      "<table><tr><th>loss</th></tr><tr><td>0.81</td></tr></table><table></table>",
  );
});

Deno.test("compareOutputs() masks a data table's one timed field and nothing else", () => {
  const nb = (seconds: number, rmse: number) => ({
    cells: [{
      cell_type: "code",
      source: "table(results)",
      outputs: [{
        output_type: "execute_result",
        data: {
          "application/vnd.dataresource+json": {
            schema: { fields: [{ name: "rmse" }, { name: "seconds" }] },
            data: [{ rmse, seconds }],
          },
        },
      }],
    }],
  });
  assertEquals(compareOutputs(nb(4.21, 0.91), nb(5.02, 0.91)), []);
  assertEquals(compareOutputs(nb(4.21, 0.91), nb(4.21, 0.92)).length, 1);
});

Deno.test("compareOutputs() fails on a changed SVG, PNG or JSON output", () => {
  const nb = (data: Record<string, unknown>) => ({
    cells: [{
      cell_type: "code",
      source: "plot",
      outputs: [{ output_type: "display_data", data }],
    }],
  });
  const cases: [string, unknown, unknown][] = [
    ["image/svg+xml", '<svg><path d="M0,1"/></svg>', '<svg><path d="M0,2"/></svg>'],
    ["image/png", "iVBORw0KGgoAAA", "iVBORw0KGgoAAB"],
    ["application/json", { loss: 0.7 }, { loss: 0.8 }],
    // A data URL that is not base64 is compared as written.
    [
      "text/html",
      '<img src="data:image/svg+xml;base64,AAAAA">',
      '<img src="data:image/svg+xml;base64,BBBBB">',
    ],
  ];
  for (const [mime, before, after] of cases) {
    const [d, ...more] = compareOutputs(nb({ [mime]: before }), nb({ [mime]: after }));
    assertEquals(more, [], mime);
    assert(d?.fresh.startsWith(`output 1 ${mime}: `), `${mime}: ${d?.fresh}`);
  }
});

Deno.test("compareOutputs() names the first cell whose source differs, even cell 1", () => {
  const nb = (...sources: string[]) => ({
    cells: sources.map((source) => ({ cell_type: "code", source, outputs: [] })),
  });
  assertThrows(() => compareOutputs(nb("a", "b"), nb("x", "b")), TypeError, "at cell 1 (2 and 2");
  assertThrows(() => compareOutputs(nb("a", "b"), nb("a")), TypeError, "at cell 2 (2 and 1 cells)");
  assertThrows(() => compareOutputs(nb("a"), nb("a", "b")), TypeError, "at cell 2 (1 and 2 cells)");
});

Deno.test("formatDifference() cuts a long line around its first difference", () => {
  const lines = (committed: string, fresh: string) =>
    formatDifference("nb.ipynb", { cell: 2, preview: "f()", committed, fresh, line: 1 }).slice(1);
  const far = (c: string) => "x".repeat(100) + c + "y".repeat(200);
  const cutFar = (c: string) => `…${"x".repeat(50)}${c}${"y".repeat(99)}…`;
  assertEquals(lines(far("A"), far("B")), [
    `    committed: ${cutFar("A")}`,
    `    this run:  ${cutFar("B")}`,
  ]);
  // 170 characters, differing at the 71st: cut from the 21st to the end.
  const near = (c: string) => "x".repeat(70) + c + "y".repeat(99);
  assertEquals(lines(near("A"), near("B")), [
    `    committed: …${near("A").slice(20)}`,
    `    this run:  …${near("B").slice(20)}`,
  ]);
  // Differing at the 11th: cut from the start.
  const early = (c: string) => "x".repeat(10) + c + "y".repeat(189);
  assertEquals(lines(early("A"), early("B"))[0], `    committed: ${early("A").slice(0, 150)}…`);
  assertEquals(lines("short", far("B")), [
    "    committed: short",
    `    this run:  ${far("B").slice(0, 150)}…`,
  ]);
  assertEquals(lines(far("A").slice(0, 150), ""), [
    `    committed: ${far("A").slice(0, 150)}`,
    "    this run:  (no more output)",
  ]);
});

// Needs the Deno Jupyter kernel (as kernel_run_test.ts): skipped without it, except under CI.
const noKernel = !(await pythonRuns(
  "import nbformat; from jupyter_client.kernelspec import KernelSpecManager as M; " +
    "M().get_kernel_spec('deno')",
)) && Deno.env.get("CI") !== "true";

Deno.test({
  name: "deno task notebooks --compare exits 1 naming a cell whose output differs, else 0",
  ignore: noKernel,
  fn: () =>
    withTempDir(async (dir) => {
      const tmp = `${dir}/tmp`;
      await Deno.mkdir(tmp);
      // As deno fmt writes it, as the kernel path writes it back.
      const path = await writeNotebook(dir, ["2 + 3;"]);
      const commit = async (value: string) => {
        const nb = JSON.parse(await Deno.readTextFile(path));
        nb.cells[1].execution_count = 1;
        nb.cells[1].outputs = [{
          output_type: "execute_result",
          execution_count: 1,
          data: { "text/plain": value },
          metadata: {},
        }];
        await Deno.writeTextFile(path, JSON.stringify(nb, null, 1));
      };
      await commit("5");
      const same = await runCli(["--compare", "--quiet", path], { TMPDIR: tmp });
      assertEquals(same.code, 0, same.stdout + same.stderr);
      assertStringIncludes(same.stdout, "1 of 1 notebook ran, no difference beyond timings");
      assertEquals([...Deno.readDirSync(tmp)], [], "its folder is removed");
      await commit("6");
      const changed = await runCli(["--compare", "--quiet", path], { TMPDIR: tmp });
      assertEquals(changed.code, 1, changed.stdout + changed.stderr);
      assertStringIncludes(
        changed.stderr,
        `✗ ${path}, cell 2 (\`2 + 3;\`): outputs differ at line 1`,
      );
      assertStringIncludes(changed.stdout, "1 cell differs (this run's notebooks: ");
      const kept = [...Deno.readDirSync(tmp)].map((e) => e.name);
      assertEquals(kept.length, 1, "the folder of a run that differs is kept");
      assertEquals(
        JSON.parse(await Deno.readTextFile(`${tmp}/${kept[0]}/nb.ipynb`)).cells.length,
        2,
      );
      assertEquals(JSON.parse(await Deno.readTextFile(path)).cells[1].outputs[0].data, {
        "text/plain": "6",
      }, "the committed notebook is left as it was");
    }),
});

Deno.test("compareOutputs({ session }) masks tfjs' layer numbers and the table widths they change", () => {
  const nb = (name: string, pad: string, loss: string) => ({
    cells: [{
      cell_type: "code",
      source: "parameterTable(model)",
      outputs: [{
        output_type: "execute_result",
        data: {
          "text/plain":
            `layer${pad}  params  loss\n-----${pad}  ------  ----\n${name}  30,500  ${loss}`,
          "text/html": `<table><tr><td>${name}/kernel</td><td>${loss}</td></tr></table>`,
        },
      }],
    }],
  });
  const first = nb("embedding_Embedding1", "               ", "0.81");
  const second = nb("embedding_Embedding41", "                ", "0.81");
  // Within one kernel the numbers count on: a second Run All is the same run.
  assertEquals(compareOutputs(first, second, { session: true }), []);
  // Between two kernels they do not, so the comparison with the committed outputs keeps them.
  assertEquals(compareOutputs(first, second).length, 1);
  const changed = compareOutputs(first, nb("embedding_Embedding41", " ", "0.82"), {
    session: true,
  });
  assertEquals(changed.map((d) => d.fresh), ["output 1 text/html: <td>0.82</td>"]);
});
