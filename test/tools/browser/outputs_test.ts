import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  type CellOutputs,
  checkRendered,
  collapseCarriageReturns,
  compareWithReference,
  describeFinding,
  isFigure,
  mask,
  type NbOutput,
  outputUnits,
  summarizeFindings,
} from "../../../tools/browser/outputs.ts";

const stream = (text: string, name = "stdout"): NbOutput => ({
  output_type: "stream",
  name,
  text,
});
const result = (plain: string, html?: string): NbOutput => ({
  output_type: "execute_result",
  execution_count: 1,
  metadata: {},
  data: html === undefined ? { "text/plain": plain } : { "text/html": html, "text/plain": plain },
});
const display = (plain: string): NbOutput => ({
  output_type: "display_data",
  metadata: {},
  data: { "text/plain": plain },
});

Deno.test("mask() hides numbers, timings and data URIs but keeps the words", () => {
  assertEquals(
    mask("30 epochs in 0:13 · 190,198 samples/s · loss 0.4632\n  best 1.5e-3"),
    "# epochs in # · # samples/s · loss # best #",
  );
  assertEquals(
    mask('<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x">'),
    '<img src="data:…" alt="x">',
  );
});

Deno.test("collapseCarriageReturns() keeps what a terminal shows on each line", () => {
  assertEquals(collapseCarriageReturns("epoch 1\repoch 2\nnext\r\nlast"), "epoch 2\nnext\nlast");
});

Deno.test("isFigure() recognises pictures and HTML holding an <svg> or <img>", () => {
  assert(isFigure(result("[figure]", "<svg width='2'></svg>")));
  assert(isFigure(result("[figure]", "<figure><img src='data:image/png;base64,AA'></figure>")));
  assert(isFigure({ output_type: "display_data", data: { "image/png": "AA" } }));
  assert(!isFigure(result("a table", "<table><tr><td>1</td></tr></table>")));
  assert(!isFigure(stream("<svg> in a log line is not a figure output")));
});

Deno.test("outputUnits() splits streams into lines and keys results by MIME types and text", () => {
  const units = outputUnits([stream("a 1\n\nb 2\n"), result("x", "<b>x</b>")]);
  assertEquals(units.map((u) => u.kind), ["stream stdout", "stream stdout", "execute_result"]);
  assertEquals(units[0].key, "stream stdout: a #");
  assert(units[2].key.startsWith("execute_result [text/html, text/plain] "));
  // Numbers do not matter, words do.
  assertEquals(
    outputUnits([result("loss 0.81")])[0].key,
    outputUnits([result("loss 0.79")])[0].key,
  );
  assert(outputUnits([result("loss")])[0].key !== outputUnits([result("mse")])[0].key);
});

const cells = (...outputs: NbOutput[][]): CellOutputs[] =>
  outputs.map((o, i) => ({ cell: 2 * i + 1, outputs: o }));

Deno.test("compareWithReference() finds nothing when each cell shows its own outputs", () => {
  const reference = cells([result("a")], [stream("b 1\n"), display("c")], []);
  const run = cells([result("a")], [stream("b 2\n"), display("c")], []);
  assertEquals(compareWithReference(reference, run), []);
});

Deno.test("compareWithReference() reports a result shown under the next cell as misplaced from its cell", () => {
  const reference = cells([result("first")], [result("second")]);
  const run = cells([], [result("first"), result("second")]);
  const findings = compareWithReference(reference, run);
  assertEquals(findings.map((f) => [f.kind, f.cell, f.from]), [["misplaced", 3, 1]]);
  assertEquals(
    describeFinding(findings[0]),
    'cell 4: shows execute_result "first" produced by cell 2',
  );
  assertEquals(summarizeFindings(findings), {
    misplaced: 1,
    cellsAffected: 1,
    missing: 0,
    unexpected: 0,
    errors: 0,
  });
});

Deno.test("compareWithReference() finds late stream lines merged into the next cell's stream", () => {
  const reference = cells([stream("one\ntwo\n")], [stream("three\n")]);
  const run = cells([stream("one\n")], [stream("two\nthree\n")]);
  const findings = compareWithReference(reference, run);
  assertEquals(findings.map((f) => [f.kind, f.cell, f.from, f.unit.preview]), [
    ["misplaced", 3, 1, "two"],
  ]);
});

Deno.test("compareWithReference() prefers the nearest earlier cell as the origin of a misplaced output", () => {
  const reference = cells([result("same")], [result("same")], [result("other")]);
  const run = cells([result("same")], [], [result("same"), result("other")]);
  const findings = compareWithReference(reference, run);
  assertEquals(findings.map((f) => [f.kind, f.cell, f.from]), [["misplaced", 5, 3]]);
});

Deno.test("compareWithReference() reports missing, unexpected and error outputs", () => {
  const reference = cells([result("a")], [result("b")]);
  const error: NbOutput = {
    output_type: "error",
    ename: "ReferenceError",
    evalue: "x is not defined",
  };
  const run = cells([], [result("b"), result("surprise"), error]);
  const findings = compareWithReference(reference, run);
  assertEquals(findings.map((f) => [f.kind, f.cell]), [
    ["missing", 1],
    ["error", 3],
    ["unexpected", 3],
    ["unexpected", 3],
  ]);
  assertEquals(summarizeFindings(findings).errors, 1);
});

Deno.test("compareWithReference() throws a RangeError when the runs cover different cells", () => {
  assertThrows(
    () => compareWithReference(cells([]), cells([], [])),
    RangeError,
    "expected the same code cells in both runs, found [1] and [1,3]",
  );
});

Deno.test("summarizeFindings() counts a misplaced stream of several lines as one output", () => {
  const reference = cells([stream("a\nb\nc\n")], []);
  const run = cells([], [stream("a\nb\nc\n")]);
  assertEquals(summarizeFindings(compareWithReference(reference, run)).misplaced, 1);
});

Deno.test("checkRendered() passes a figure shown as a picture", () => {
  const file = cells([result("[figure]", "<img src='data:image/svg+xml;base64,AA'>")]);
  assertEquals(
    checkRendered(file, [{ cell: 1, outputs: [{ pictures: 1, brokenImages: 0, text: "" }] }]),
    [],
  );
});

Deno.test("checkRendered() reports a figure reduced to text, markup as text and broken images", () => {
  const file = cells(
    [result("[figure]", "<svg><text>Loss per epoch</text></svg>")],
    [result("<svg width='10'></svg>")],
    [result("[figure]", "<img src='x.png'>")],
  );
  const problems = checkRendered(file, [
    { cell: 1, outputs: [{ pictures: 0, brokenImages: 0, text: "Loss per epochtrainval" }] },
    { cell: 3, outputs: [{ pictures: 0, brokenImages: 0, text: "<svg width='10'></svg>" }] },
    { cell: 5, outputs: [{ pictures: 0, brokenImages: 1, text: "" }] },
  ]);
  assertEquals(problems, [
    'cell 2, output 1: figure shown as text, not a picture: "Loss per epochtrainval"',
    `cell 4, output 1: markup shown as text: "<svg width='10'></svg>"`,
    "cell 6, output 1: 1 image did not load",
    "cell 6, output 1: figure not shown (no picture)",
  ]);
});

Deno.test("checkRendered() reports cells missing from the page and a different number of outputs", () => {
  const file = cells([result("a")], [result("b")]);
  assertEquals(checkRendered(file, [{ cell: 1, outputs: [] }]), [
    "cell 2: the page shows 0 outputs, the file has 1",
    "cell 4: not found on the page",
  ]);
});
