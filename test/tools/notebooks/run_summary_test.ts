import { assertEquals } from "@std/assert";
import {
  explainMissingName,
  formatFailure,
  formatSummary,
} from "../../../tools/notebooks/run_summary.ts";
import { KernelView } from "../../../tools/notebooks/kernel_run.ts";
import {
  type CellFailure,
  emptyRun,
  type NotebookRun,
} from "../../../tools/notebooks/run_types.ts";

function run(over: Partial<NotebookRun>): NotebookRun {
  return {
    notebook: "notebooks/01_mf.ipynb",
    mode: "fresh",
    ok: true,
    seconds: 12.34,
    cells: [],
    headlines: [],
    output: "",
    ...over,
  };
}

const failure = (over: Partial<CellFailure>): CellFailure => ({
  cell: 3,
  count: 2,
  name: "TypeError",
  message: "x is not a function",
  stack: "",
  ...over,
});

Deno.test("formatFailure() names the cell, its count when known, and the notebook's stack", () => {
  const stack = [
    "TypeError: x is not a function",
    "    at f (notebooks/01_mf.ipynb, cell 3, line 2)",
    "   ",
    "    at run (file:///repo/tools/notebooks/_host.ts:10:3)",
    "at g (notebooks/01_mf.ipynb, cell 2, line 1)",
  ].join("\n");
  assertEquals(
    formatFailure(run({ ok: false, failure: failure({ stack }) })),
    [
      "✗ notebooks/01_mf.ipynb, cell 3 ([2]): TypeError: x is not a function",
      "    at f (notebooks/01_mf.ipynb, cell 3, line 2)",
      "    at g (notebooks/01_mf.ipynb, cell 2, line 1)",
    ].join("\n"),
  );
  const heads = [failure({ count: 0 }), failure({ cell: 1, count: 1 }), failure({ cell: 0 })]
    .map((f) => formatFailure(run({ ok: false, failure: f })));
  assertEquals(heads, [
    "✗ notebooks/01_mf.ipynb, cell 3: TypeError: x is not a function",
    "✗ notebooks/01_mf.ipynb, cell 1 ([1]): TypeError: x is not a function",
    "✗ notebooks/01_mf.ipynb: TypeError: x is not a function",
  ]);
  assertEquals(formatFailure(run({})), "");
});

Deno.test("formatSummary() tabulates each run, the total and the headline figures", () => {
  const runs = [
    run({
      cells: [
        { cell: 2, count: 1, seconds: 4, outputs: [] },
        { cell: 4, count: 2, seconds: 8, outputs: [] },
        { cell: 5, count: 3, seconds: 8, outputs: [] },
      ],
      headlines: [
        { name: "RMSE", value: "0.87", compared: "tutorial: 0.88" },
        { name: "MAE", value: "0.68", compared: "" },
      ],
    }),
    run({
      notebook: "notebooks/02_net.ipynb",
      mode: "kernel",
      ok: false,
      seconds: 3,
      failure: failure({ cell: 7 }),
    }),
    run({ notebook: "x/03_bad.ipynb", ok: false, seconds: 0, failure: failure({ cell: 0 }) }),
  ];
  assertEquals(formatSummary(runs).split("\n"), [
    "notebook      path    status            cells  time     slowest cell",
    "01_mf.ipynb   fresh   ok                3      12.3 s   cell 4: 8.00 s",
    "02_net.ipynb  kernel  FAILED (cell 7)   0      3.00 s",
    "03_bad.ipynb  fresh   FAILED (not run)  0      0.000 s",
    "total                 1/3 ok                   15.3 s",
    "",
    "Headline figures",
    "notebook     figure  ours  compared with",
    "01_mf.ipynb  RMSE    0.87  tutorial: 0.88",
    "01_mf.ipynb  MAE     0.68  —",
  ]);
  const side = formatSummary(runs.slice(0, 1), { wallSeconds: 9, jobs: 2 }).split("\n");
  assertEquals(
    side[2],
    "total               1/1 ok         9.00 s  wall clock, 2 at a time (12.3 s one after another)",
  );
  assertEquals(formatSummary(runs.slice(1, 2)).split("\n").length, 3);
  const one = run({ headlines: [{ name: "RMSE", value: "0.87", compared: "" }] });
  assertEquals(formatSummary([one]).split("\n").slice(-2), [
    "notebook     figure  ours  compared with",
    "01_mf.ipynb  RMSE    0.87  —",
  ]);
});

Deno.test("explainMissingName() explains a one-letter name too, used or read too early", () => {
  const cells = [{ cell: 2, source: "x * 2\n" }, { cell: 4, source: "const x = 1;\n" }];
  for (const message of ["x is not defined", "Cannot access 'x' before initialization"]) {
    const f = explainMissingName(failure({ cell: 2, name: "ReferenceError", message }), cells);
    assertEquals(f.message.startsWith(`${message}: cell 4 (\`const x = 1;\`) defines it`), true);
  }
  const other = failure({ name: "ReferenceError", message: "see: x is not defined" });
  assertEquals(explainMissingName(other, cells), other);
});

Deno.test("a kernel run whose notebook cannot be written after its cells ran says so in one line", () => {
  const view = new KernelView(emptyRun("nb.ipynb", "kernel"), [{ cell: 2, source: "1 + 1" }]);
  view.apply({ event: "begin", cell: 2, count: 1 });
  view.apply({ event: "end", seconds: 0.1 });
  view.apply({
    event: "unwritten",
    path: "/o/nb.ipynb",
    message: "No space left on device (os error 28)",
  });
  const r = { ...view.run, seconds: 1 };
  assertEquals(
    formatFailure(r),
    "✗ nb.ipynb: not written: cannot write /o/nb.ipynb: No space left on device (os error 28) " +
      "(after 1 cell ran; the file is as it was)",
  );
  const summary = formatSummary([r]);
  assertEquals(summary.split("\n")[1].split(/\s{2,}/).slice(0, 3), [
    "nb.ipynb",
    "kernel",
    "FAILED (not written)",
  ]);
});
