import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import {
  checkNotebook,
  checkNotebookFile,
  type Finding,
  formatFindings,
  parseCheckArgs,
  significantDigits,
  USAGE,
} from "../../../tools/notebooks/check_outputs.ts";
import { assertHelp, assertUsageError, assertUsageMatches, runProgram } from "../_usage.ts";
import { lossCurves } from "../../../lib/plot/mod.ts";
import { table } from "../../../lib/notebook/tables.ts";
import { withTempDir } from "../../data/_helpers.ts";

const SHOW = Symbol.for("Jupyter.display");
type Shown = Record<symbol, () => Record<string, string>>;

/** A code cell with one execute_result holding `data`. */
function cell(data: Record<string, string>, source = "x"): Record<string, unknown> {
  return {
    cell_type: "code",
    source,
    outputs: [{ output_type: "execute_result", data, metadata: {} }],
  };
}

const notebook = (...cells: Record<string, unknown>[]) => ({ cells, nbformat: 4 });
const rules = (findings: Finding[]) => findings.map((f) => `${f.cell} ${f.rule}`);

Deno.test("checkNotebook() passes a notebook of readable tables, figures and short cells", () => {
  const figure = (lossCurves({ epoch: [1, 2, 3], history: { loss: [1 / 3, 2 / 7, 1 / 9] } }, {
    title: "Loss of model A",
  }) as unknown as Shown)[SHOW]();
  const errors = (table([{ model: "mlp", mae: 0.7274058259197065, n: null }]) as unknown as Shown)[
    SHOW
  ]();
  const findings = checkNotebook(notebook(
    { cell_type: "markdown", source: "# A 0.123456789 number in prose is not an output" },
    cell(figure),
    cell(errors),
    cell({ "text/plain": "100,836 ratings from 610 users; 2.2.1 is a version" }),
  ));
  assertEquals(findings, []);
});

Deno.test("checkNotebook() reports a number with more than 6 significant digits", () => {
  const findings = checkNotebook(notebook(
    { cell_type: "markdown", source: "" },
    cell({ "text/html": "<table><tr><td>0.0016500000000000002</td><td>0.7086</td></tr></table>" }),
    cell({ "text/plain": "mean 3.501556983616962, ok 0.123457" }),
    {
      cell_type: "code",
      source: "",
      outputs: [{ output_type: "stream", text: ["took 1.2345678 s"] }],
    },
  ));
  assertEquals(rules(findings), ["2 long-number", "3 long-number", "4 long-number"]);
  assert(findings[0].message.startsWith("0.0016500000000000002 has 17 significant digits"));
  assert(findings[1].message.startsWith("3.501556983616962 has 16"));
});

Deno.test("checkNotebook() leaves plot coordinates and base64 data alone", () => {
  const svg = '<svg width="640"><circle cx="12.3456789" cy="0.123456789"/></svg>';
  const findings = checkNotebook(notebook(
    cell({ "text/html": `<img src="data:image/svg+xml;base64,MC4xMjM0NTY3ODk=" alt="[figure]">` }),
    cell({ "image/png": "iVBORw0KGgo0.123456789", "text/plain": "[figure: x, 1 point]" }),
    cell({ "image/svg+xml": svg, "text/plain": "[figure: y, 1 point]" }),
  ));
  assertEquals(findings, []);
});

Deno.test("checkNotebook() reports null in a rendered table, HTML or text", () => {
  const findings = checkNotebook(notebook(
    cell({ "text/html": "<table><tr><td>total</td><td>null</td></tr></table>" }),
    cell({
      "text/plain":
        "┌─────┬──────┐\n│ a   ┆ b    │\n╞═════╪══════╡\n│ 1   ┆ null │\n└─────┴──────┘",
    }),
    cell({ "text/plain": "model  mae\n-----  ----\nmlp    null" }),
    cell({ "text/plain": "a sentence that says null is fine" }),
  ));
  assertEquals(rules(findings), ["1 null-cell", "2 null-cell", "3 null-cell"]);
});

Deno.test("checkNotebook() reports [object Object], raw object dumps and typed-array dumps", () => {
  const findings = checkNotebook(notebook(
    cell({ "text/html": "<p>[object Object]</p>" }),
    cell({ "text/plain": "{ mse: 0.7086, rmse: 0.8418 }" }),
    cell({ "text/plain": "Float32Array(5) [ 0, 0.1111, 0.25, 0.5, 1 ]" }),
    cell({ "text/plain": 'Map(1) { "a" => 1 }' }),
  ));
  assertEquals(rules(findings), [
    "1 object-dump",
    "2 object-dump",
    "3 typed-array-dump",
    "4 object-dump",
  ]);
  assert(findings[2].message.includes("Float32Array(5) ["));
});

Deno.test("checkNotebook() reports terminal colour codes", () => {
  const findings = checkNotebook(notebook(cell({ "text/plain": '\u001b[32m"wasm"\u001b[39m' })));
  assertEquals(rules(findings), ["1 colour-code"]);
  assertEquals(
    findings[0].message,
    'terminal colour codes in text/plain: "\\u001b[32m\\"wasm\\"\\u001b[39m"',
  );
});

Deno.test("checkNotebook() reports a code cell over 20 lines, not one of 20", () => {
  const lines = (n: number) =>
    Array.from({ length: n }, (_, i) => `const x${i} = ${i};`).join("\n");
  const findings = checkNotebook(notebook(
    { cell_type: "code", source: lines(20) + "\n", outputs: [] },
    { cell_type: "code", source: lines(21).split(/(?<=\n)/), outputs: [] },
    { cell_type: "markdown", source: lines(40) },
  ));
  assertEquals(rules(findings), ["2 long-cell"]);
  assertEquals(findings[0].message, "21 lines of code (at most 20)");
  assertEquals(
    checkNotebook(notebook({ cell_type: "code", source: lines(21) }), { maxLines: 30 }),
    [],
  );
});

Deno.test("checkNotebook() reports a plot sent as inline SVG and two figures with one title", () => {
  const findings = checkNotebook(notebook(
    cell({
      "text/html": "<svg><text>Loss</text></svg>",
      "text/plain": '[figure: loss curves "Loss", 2 series, 30 points]',
    }),
    cell({
      "text/html": "<p>ok</p>",
      "text/plain": '[figure: loss curves "Loss", 2 series, 15 points]',
    }),
  ));
  assertEquals(rules(findings), ["1 inline-svg", "2 duplicate-title"]);
  assertEquals(
    findings[1].message,
    'figure title "Loss" is also the title of the figure in cell 1',
  );
});

Deno.test("significantDigits() counts the digits that carry information", () => {
  assertEquals(significantDigits("0.00165"), 3);
  assertEquals(significantDigits("-2.6329223709106446"), 17);
  assertEquals(significantDigits("12,345.6"), 6);
  assertEquals(significantDigits("1.5e-6"), 2);
});

Deno.test("checkNotebookFile() reads a file and names it when it is not JSON", async () => {
  const path = await Deno.makeTempFile({ suffix: ".ipynb" });
  try {
    await Deno.writeTextFile(path, JSON.stringify(notebook(cell({ "text/plain": "0.12345678" }))));
    const findings = await checkNotebookFile(path);
    assertEquals(formatFindings("n.ipynb", findings), [
      "n.ipynb cell 1 [long-number] 0.12345678 has 8 significant digits (at most 6): 0.12345678",
    ]);
    await Deno.writeTextFile(path, "{ not json");
    await assertRejects(() => checkNotebookFile(path), SyntaxError, `${path} is not JSON`);
  } finally {
    await Deno.remove(path);
  }
  assertThrows(() => checkNotebook({}), TypeError, "expected a notebook with a cells array");
});

Deno.test("every committed notebook passes the output check", async () => {
  const dir = new URL("../../../notebooks/", import.meta.url);
  const lines: string[] = [];
  let notebooks = 0;
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".ipynb")) continue;
    notebooks++;
    const findings = await checkNotebookFile(new URL(entry.name, dir).pathname);
    lines.push(...formatFindings(`notebooks/${entry.name}`, findings));
  }
  assert(notebooks > 0, "no notebooks found");
  assertEquals(lines, []);
});

Deno.test("check_outputs.ts --help prints its usage, and a flag or no notebook is one line, status 2", async () => {
  assertUsageMatches(USAGE, ["-h", "--help"], (flag) => parseCheckArgs([flag]));
  assertEquals(parseCheckArgs(["a.ipynb", "b.ipynb"]), ["a.ipynb", "b.ipynb"]);
  await assertHelp("tools/notebooks/check_outputs.ts", USAGE);
  await assertUsageError(
    "tools/notebooks/check_outputs.ts",
    [],
    "expected at least one notebook, found none",
  );
  await assertUsageError("tools/notebooks/check_outputs.ts", ["--all"], 'unknown flag "--all"');
});

Deno.test("checkNotebook() quotes 15 characters either side of a finding, … where cut", () => {
  const long = `${"a".repeat(15)} 0.12345678 ${"b".repeat(14)}`;
  const dump = "{ mse: 0.7086, rmse: 0.8418, mae: 0.6612, ndcg: 0.05 }";
  const colour = "\u001b[1mbold and longer than twenty\u001b[0m";
  const findings = checkNotebook(notebook(
    cell({ "text/plain": long }),
    cell({ "text/plain": dump }),
    cell({ "text/plain": `${"c".repeat(20)}[object Object]${"d".repeat(20)}` }),
    cell({ "text/plain": colour }),
    cell({ "text/plain": `x 0.12345678 ${"b".repeat(15)}` }),
  ));
  assertEquals(findings.map((f) => f.message), [
    `0.12345678 has 8 significant digits (at most 6): …${long.slice(1)}`,
    `a raw object dump instead of a table: ${dump.slice(0, 45)}…`,
    `[object Object] in text/plain: …${"c".repeat(15)}[object Object]${"d".repeat(15)}…`,
    `terminal colour codes in text/plain: ${JSON.stringify(colour.slice(0, 20))}`,
    `0.12345678 has 8 significant digits (at most 6): x 0.12345678 ${"b".repeat(14)}…`,
  ]);
});

Deno.test("checkNotebook() reports each form of raw dump, not the same text in prose", () => {
  const findings = checkNotebook(notebook(
    cell({ "text/plain": "Metrics { mse: 0.7086 }" }),
    cell({ "text/plain": "[\n  { mse: 0.7086 },\n  { mse: 0.6997 }\n]" }),
    {
      cell_type: "code",
      source: "x",
      outputs: [{ output_type: "stream", text: "[object Object]\n" }],
    },
    cell({ "text/plain": "rows [ { a: 1 } ], Map(2) { 1 => 2 } and { a: 1 } quoted in prose" }),
    cell({
      "text/plain": "{ mse: 0.7086 }",
      "text/html": "<table><tr><td>0.7086</td></tr></table>",
    }),
  ));
  assertEquals(rules(findings), ["1 object-dump", "2 object-dump", "3 object-dump"]);
});

Deno.test("checkNotebook() finds every colour code, the reset codes included", () => {
  for (const code of ["\u001b[0m", "\u001b[39m", "\u001b[m"]) {
    const findings = checkNotebook(notebook(cell({ "text/plain": `plain ${code}text` })));
    assertEquals(rules(findings), ["1 colour-code"], JSON.stringify(code));
  }
});

Deno.test("checkNotebook() reads null as a cell only in a table, and only as a whole word", () => {
  const findings = checkNotebook(notebook(
    cell({ "text/plain": "model  mae\n--  --\nmlp    null" }),
    cell({
      "text/plain": "model  nullable  is_null\n-----  --------  -------\ndot    no        false",
    }),
    cell({ "text/plain": "Results\n-------\nnull means no rating" }),
    cell({ "text/plain": "k  mae\n-  ---\n1  null" }),
  ));
  assertEquals(rules(findings), ["1 null-cell", "4 null-cell"]);
});

Deno.test("checkNotebook() names what it was given instead of a notebook", () => {
  assertThrows(() => checkNotebook(null), TypeError, "cells array, found null");
  assertThrows(() => checkNotebook(5), TypeError, "cells array, found number");
});

Deno.test("check_outputs.ts exits 0 on clean notebooks, else 1 with each finding", async () => {
  await withTempDir(async (dir) => {
    const clean = `${dir}/clean.ipynb`;
    const bad = `${dir}/bad.ipynb`;
    await Deno.writeTextFile(clean, JSON.stringify(notebook(cell({ "text/plain": "0.7086" }))));
    await Deno.writeTextFile(bad, JSON.stringify(notebook(cell({ "text/plain": "0.70861234" }))));
    const ok = await runProgram("tools/notebooks/check_outputs.ts", [clean, clean]);
    assertEquals([ok.code, ok.stdout], [0, "2 notebooks: no findings\n"]);
    const failed = await runProgram("tools/notebooks/check_outputs.ts", [clean, bad]);
    assertEquals([failed.code, failed.stdout], [
      1,
      `${bad} cell 1 [long-number] 0.70861234 has 8 significant digits (at most 6): 0.70861234\n` +
      "1 findings\n",
    ]);
  });
});

Deno.test("checkNotebook() reads a table printed to the output stream too, not a sentence", () => {
  const stream = (text: string) => ({
    cell_type: "code",
    source: "console.log(table)",
    outputs: [{ output_type: "stream", name: "stdout", text }],
  });
  const findings = checkNotebook(notebook(
    stream(
      "shape: (1, 2)\n┌─────┬──────┐\n│ a   ┆ b    │\n╞═════╪══════╡\n│ 1   ┆ null │\n└─────┴──────┘\n",
    ),
    stream("model  mae\n-----  ----\nmlp    null\n"),
    stream("epoch 3/5: loss null would mean a broken run\n"),
  ));
  assertEquals(rules(findings), ["1 null-cell", "2 null-cell"]);
});
