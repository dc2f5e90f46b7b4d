import { assert, assertEquals, assertThrows } from "@std/assert";
import { metricBars } from "../../lib/plot/metric_bars.ts";
import { axisLabels, mark, texts, titles } from "./_svg.ts";

const rows = [
  { model: "most popular", value: 0.218, sd: 0.004, published: 0.22 },
  { model: "item-kNN", value: 0.385, sd: 0.006, published: 0.399 },
  { model: "BPR", value: 0.419, sd: 0.003, published: [0.4, 0.408] as [number, number] },
  { model: "softmax", value: 0.449, sd: 0.002 },
];

Deno.test("metricBars() draws a bar, a whisker and a value per model, in the given order", () => {
  const fig = metricBars(rows, { xLabel: "NDCG@10", title: "Ranking quality" });
  assertEquals(mark(fig, "bar", "rect").length, 4);
  assertEquals(mark(fig, "rule", "line").length, 1 + 4 + 1, "zero line, 4 whiskers, 1 range");
  assertEquals(axisLabels(fig).x, "NDCG@10");
  for (const v of ["0.218", "0.385", "0.419", "0.449"]) assert(texts(fig).includes(v), v);
  assertEquals(fig.summary, '[figure: metric bars "Ranking quality", 4 bars]');
});

Deno.test("metricBars() marks each published figure, a single value as a tick", () => {
  const fig = metricBars(rows);
  assertEquals(mark(fig, "tick", "line").length, 3);
  assert(titles(fig).includes("BPR: 0.419 ± 0.003; published 0.400–0.408"));
  assert(titles(fig).includes("softmax: 0.449 ± 0.002"));
});

Deno.test("metricBars() works without spreads or published figures", () => {
  const fig = metricBars([{ model: "a", value: 3 }, { model: "b", value: 1 }], { digits: 0 });
  assertEquals(mark(fig, "tick", "line").length, 0);
  assertEquals(mark(fig, "rule", "line").length, 1);
  assert(texts(fig).includes("3"));
});

Deno.test("metricBars() names a bad row", () => {
  assertThrows(
    () => metricBars([{ model: "a", value: NaN }]),
    RangeError,
    "finite value in rows[0]",
  );
  assertThrows(
    () => metricBars([{ value: 1 } as never]),
    TypeError,
    "rows[0].model to be a string",
  );
  assertThrows(() => metricBars(rows, { digits: -1 }), RangeError, "digits");
});

Deno.test("metricBars() rejects a negative sd and a reversed published range", () => {
  assertThrows(
    () => metricBars([{ model: "a", value: 0.4 }, { model: "b", value: 0.4, sd: -0.01 }]),
    RangeError,
    "metricBars(): expected a standard deviation ≥ 0 in rows[1] (b), found -0.01",
  );
  assertThrows(
    () => metricBars([{ model: "BPR", value: 0.4, published: [0.408, 0.4] }]),
    RangeError,
    "metricBars(): expected rows[0].published (BPR) as [low, high] with low ≤ high, " +
      "found [0.408, 0.4]",
  );
  assertThrows(
    () => metricBars([{ model: "a", value: 0.4, published: [0.4] as unknown as number }]),
    RangeError,
    "as a number or [low, high], found an array of 1",
  );
  // A zero spread and a range of one value are fine.
  assertEquals(
    metricBars([{ model: "a", value: 0.4, sd: 0, published: [0.4, 0.4] }]).info.points,
    1,
  );
});
