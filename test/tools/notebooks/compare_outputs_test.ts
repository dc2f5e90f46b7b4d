import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  compareOutputs,
  formatDifference,
  isTimedColumn,
  maskTimings,
  outputLines,
} from "../../../tools/notebooks/compare_outputs.ts";
import { FIXTURES } from "./_helpers.ts";
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
