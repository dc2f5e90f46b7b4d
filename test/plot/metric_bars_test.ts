import { assert, assertEquals, assertThrows } from "@std/assert";
import { metricBars } from "../../lib/plot/metric_bars.ts";
import { all, axisLabels, mark, texts, titles } from "./_svg.ts";
import type { FigureElement } from "../../lib/plot/figure.ts";
import { textWidth } from "../../lib/plot/_dom.ts";

/** The x of a mark's `transform="translate(x,y)"` plus its group's. */
const markX = (node: FigureElement, group?: FigureElement) => {
  const x = (n?: FigureElement) =>
    Number(n?.getAttribute("transform")?.match(/translate\(([-\d.]+)/)?.[1] ?? 0);
  return x(node) + x(group);
};

const rows = [
  { model: "most popular", value: 0.218, sd: 0.004, published: 0.22 },
  { model: "item-kNN", value: 0.385, sd: 0.006, published: 0.399 },
  { model: "BPR", value: 0.419, sd: 0.003, published: [0.4, 0.408] as [number, number] },
  { model: "softmax", value: 0.449, sd: 0.002 },
];

Deno.test("metricBars() draws a bar, a whisker and a value per model, in the given order", () => {
  const fig = metricBars(rows, { xLabel: "NDCG@10", title: "Ranking quality" });
  assertEquals(mark(fig, "bar", "rect").length, 4 + 1, "4 bars and 1 published range");
  assertEquals(mark(fig, "rule", "line").length, 1 + 4, "zero line, 4 whiskers");
  assertEquals(axisLabels(fig).x, "NDCG@10");
  for (const v of ["0.218", "0.385", "0.419", "0.449"]) assert(texts(fig).includes(v), v);
  assertEquals(fig.summary, '[figure: metric bars "Ranking quality", 4 bars]');
});

Deno.test("metricBars() marks a published figure with a hollow diamond, a range with a box", () => {
  const fig = metricBars(rows);
  const diamonds = mark(fig, "dot", "path");
  assertEquals(diamonds.length, 2, "most popular and item-kNN");
  const boxes = all(fig, 'g[aria-label="bar"][fill="none"] > rect');
  assertEquals(boxes.length, 1, "BPR's range");
  assert(titles(fig).includes("BPR: 0.419 ± 0.003; published 0.400–0.408"));
  assert(titles(fig).includes("softmax: 0.449 ± 0.002"));
});

Deno.test("metricBars() draws published marks unlike the whiskers and names them in a legend", () => {
  const fig = metricBars(rows);
  const whisker = all(fig, 'g[aria-label="rule"][stroke-width="1.5"]')[0];
  const diamond = all(fig, 'g[aria-label="dot"]')[0];
  const box = all(fig, 'g[aria-label="bar"][fill="none"]')[0];
  assert(whisker.getAttribute("stroke") !== diamond.getAttribute("stroke"), "colours differ");
  assertEquals(box.getAttribute("stroke"), diamond.getAttribute("stroke"));
  for (const outline of [diamond, box]) assertEquals(outline.getAttribute("fill"), "none");
  const legend = all(fig, 'g[aria-label="legend"] text').map((t) => t.textContent);
  assertEquals(legend, ["published figure", "published range"]);
  // Without published figures there is nothing to name.
  const plain = metricBars([{ model: "a", value: 0.3, sd: 0.01 }]);
  assertEquals(all(plain, 'g[aria-label="legend"]').length, 0);
});

Deno.test("metricBars() writes each value right of its whisker and its published mark", () => {
  const fig = metricBars(rows);
  const textGroup = all(fig, 'g[aria-label="text"]')[0];
  const labels = Array.from(textGroup.children);
  const labelX = (model: string) => {
    const i = rows.findIndex((r) => r.model === model);
    return markX(labels[i], textGroup);
  };
  const dotGroup = all(fig, 'g[aria-label="dot"]')[0];
  const diamondX = (i: number) => markX(Array.from(dotGroup.children)[i], dotGroup);
  // item-kNN: 0.385 ± 0.006 ends left of its published 0.399; the value goes right of the
  // diamond's tip (5.5 px) with room to spare.
  assert(labelX("item-kNN") >= diamondX(1) + 5.5 + 4, `${labelX("item-kNN")} vs ${diamondX(1)}`);
  assert(labelX("most popular") >= diamondX(0) + 5.5 + 4);
  // BPR: the whisker (0.419 + 0.003) reaches past the range (0.408): the value follows it.
  const box = all(fig, 'g[aria-label="bar"][fill="none"] > rect')[0];
  const boxRight = Number(box.getAttribute("x")) + Number(box.getAttribute("width"));
  assert(labelX("BPR") >= boxRight + 4, `${labelX("BPR")} vs ${boxRight}`);
});

Deno.test("metricBars() works without spreads or published figures", () => {
  const fig = metricBars([{ model: "a", value: 3 }, { model: "b", value: 1 }], { digits: 0 });
  assertEquals(mark(fig, "dot", "path").length, 0);
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

Deno.test("metricBars() ends its axis a little past the longest bar and takes up to 10 digits", () => {
  const fig = metricBars([{ model: "a", value: 0.218 }, { model: "b", value: 0.449 }]);
  const ticks = all(fig, 'g[aria-label="x-axis tick label"] text').map((t) => t.textContent);
  assertEquals(ticks.at(-1), "0.50");
  assert(titles(metricBars(rows, { digits: 10 })).includes("softmax: 0.4490000000 ± 0.0020000000"));
});

Deno.test("metricBars() rejects a row that is not an object", () => {
  assertThrows(
    () => metricBars([rows[0], 0.4 as unknown as (typeof rows)[0]]),
    TypeError,
    "expected rows[1] to be an object",
  );
});

Deno.test("metricBars() keeps the values written right of the bars inside the figure", () => {
  const fig = metricBars(rows, { digits: 6 });
  const width = Number(fig.element.getAttribute("width"));
  const group = all(fig, 'g[aria-label="text"]')[0];
  for (const text of all(fig, 'g[aria-label="text"] text')) {
    const end = markX(text, group) + textWidth(text.textContent ?? "");
    assert(end <= width, `${text.textContent} ends at ${end.toFixed(1)} of ${width} px`);
  }
});

Deno.test("metricBars() refuses a whisker or values past the largest number, naming them", () => {
  assertThrows(
    () => metricBars([{ model: "a", value: 1e308, sd: 1e308 }]),
    RangeError,
    "metricBars(): expected rows[0] (a) value ± sd within the largest number, found 1e+308 ± 1e+308",
  );
  assertThrows(
    () => metricBars([{ model: "a", value: 1e308 }, { model: "b", value: -1e308 }]),
    RangeError,
    "metricBars(): expected values whose range fits on an axis, found -1e+308 to 1e+308",
  );
  const top = metricBars([{ model: "a", value: Number.MAX_VALUE }]);
  assert(!/NaN|Infinity/.test(top.toSVG()));
});

/** The y of a mark's `transform="translate(x,y)"` plus its group's. */
const markY = (node: FigureElement, group?: FigureElement) => {
  const y = (n?: FigureElement) =>
    Number(n?.getAttribute("transform")?.match(/translate\([-\d.]+,([-\d.]+)/)?.[1] ?? 0);
  return y(node) + y(group);
};

/** The middle (px) of each bar, top to bottom. */
const barMiddles = (fig: ReturnType<typeof metricBars>) =>
  all(fig, 'g[aria-label="bar"]:not([fill="none"]) > rect').map((r) =>
    Number(r.getAttribute("y")) + Number(r.getAttribute("height")) / 2
  );

Deno.test("metricBars() draws the whiskers, capped at both ends, in front of the published marks", () => {
  // Notebook 06: whiskers of ± 0.003 were short ticks hidden under the diamonds drawn after them.
  const fig = metricBars(rows);
  const order = all(fig, 'g[aria-label="chart"] > g').map((g) => g.getAttribute("aria-label"));
  const last = (label: string) => order.lastIndexOf(label);
  assert(last("rule") > last("dot") && last("tick") > last("dot"), order.join(", "));
  assert(last("rule") > order.indexOf("bar", 1), "the whiskers come after the published box");
  // A cap at each end of every whisker: 5 px high, around the bar's middle.
  const caps = mark(fig, "tick", "line");
  assertEquals(caps.length, 2 * rows.length);
  const middles = barMiddles(fig);
  caps.forEach((cap, i) => {
    const [y1, y2] = ["y1", "y2"].map((a) => Number(cap.getAttribute(a)));
    assertEquals(y2 - y1, 5);
    assertEquals((y1 + y2) / 2, middles[i % rows.length]);
  });
});

Deno.test("metricBars() raises the published marks above the whisker's line, clear of its caps", () => {
  const fig = metricBars(rows);
  const middles = barMiddles(fig);
  const group = all(fig, 'g[aria-label="dot"]')[0];
  const diamonds = Array.from(group.children);
  // most popular and item-kNN: the diamond's lower tip (4.4 px from its centre, 0.75 px of
  // stroke) lies above the caps' top (2.5 px above the middle).
  diamonds.forEach((d, i) => {
    const bottom = markY(d, group) + 4.43 + 0.75;
    const capTop = middles[i] - 2.5;
    assert(bottom < capTop, `diamond ${i} reaches ${bottom}, caps from ${capTop}`);
  });
  const box = all(fig, 'g[aria-label="bar"][fill="none"] > rect')[0];
  const boxBottom = Number(box.getAttribute("y")) + Number(box.getAttribute("height")) + 0.75;
  assert(boxBottom < middles[2] - 2.5, `BPR's box reaches ${boxBottom}, caps from ${middles[2]}`);
});

Deno.test("metricBars() draws a dotted reference line across the rows, labelled above the bars", () => {
  const pop = [{ model: "rating model", value: 198, sd: 1 }, { model: "EASE", value: 252, sd: 1 }];
  const reference = { value: 47.56, label: "catalogue mean" };
  const fig = metricBars(pop, { digits: 0, reference });
  const groups = all(fig, 'g[aria-label="rule"]');
  const dotted = groups.find((g) => g.getAttribute("stroke-dasharray"))!;
  assert(dotted, "a dotted rule");
  const line = dotted.querySelector("line")!;
  const [y1, y2] = ["y1", "y2"].map((a) => Number(line.getAttribute(a)));
  const bars = all(fig, 'g[aria-label="bar"] > rect');
  const barTop = Math.min(...bars.map((r) => Number(r.getAttribute("y"))));
  const barBottom = Math.max(
    ...bars.map((r) => Number(r.getAttribute("y")) + Number(r.getAttribute("height"))),
  );
  assert(y1 <= barTop && y2 >= barBottom, `rule ${y1}–${y2}, bars ${barTop}–${barBottom}`);
  // Its label: the value in the bars' digits, above the first bar.
  const group = all(fig, 'g[aria-label="text"]').find((g) => g.textContent?.includes("mean"))!;
  const label = Array.from(group.children)[0];
  assertEquals(label.textContent, "catalogue mean: 48");
  assert(markY(label, group) <= barTop, "the label is above the bars");
  assert(titles(fig).includes("catalogue mean: 48"));
  assert(fig.info.description?.endsWith("Dotted line: catalogue mean 48."));
  // A reference beyond every bar widens the axis to show it.
  const far = metricBars(pop, { reference: { value: 400, label: "far" } });
  const ticks = all(far, 'g[aria-label="x-axis tick label"] text').map((t) => t.textContent);
  assert(Number(ticks.at(-1)) >= 400, ticks.join(", "));
});

Deno.test("metricBars() rejects a reference that is not { value, label }, naming it", () => {
  assertThrows(
    () => metricBars(rows, { reference: { value: NaN, label: "mean" } }),
    RangeError,
    'metricBars(): expected reference as { value: finite number, label: string }, found {"value":NaN,"label":"mean"}',
  );
  assertThrows(
    () => metricBars(rows, { reference: { value: 1, text: "mean" } as never }),
    TypeError,
    'unknown option "reference.text"',
  );
  assertThrows(() => metricBars(rows, { reference: 0.3 as never }), TypeError, "found 0.3");
});

Deno.test("metricBars() writes a reference with a blank label as its value alone, as lossCurves() does", () => {
  const pop = [{ model: "short", value: 40 }, { model: "long", value: 100 }];
  const named = metricBars(pop, { reference: { value: 48, label: "mean" } });
  assert(texts(named).includes("mean: 48.000"), texts(named).join(" | "));
  assert(named.info.description?.endsWith("Dotted line: mean 48.000."), named.info.description);
  for (const label of ["", " "]) {
    const fig = metricBars(pop, { reference: { value: 48, label } });
    assertEquals(texts(fig).filter((t) => t.includes("48")), ["48.000"]);
    assert(fig.info.description?.endsWith("Dotted line: 48.000."), fig.info.description);
  }
});

Deno.test("metricBars() writes a value that a reference line runs through on a white halo", () => {
  const pop = [{ model: "short", value: 40 }, { model: "long", value: 100 }];
  // The line at 43 runs through "40.000", written just right of the first bar.
  const fig = metricBars(pop, { reference: { value: 43, label: "mean" } });
  const group = all(fig, 'g[aria-label="text"]').find((g) => g.textContent?.includes("40.000"))!;
  const value = Array.from(group.children).find((t) => t.textContent === "40.000")!;
  const left = markX(value, group);
  const right = left + textWidth("40.000");
  const dotted = all(fig, 'g[aria-label="rule"]').find((g) => g.getAttribute("stroke-dasharray"))!;
  const line = Number(dotted.querySelector("line")!.getAttribute("x1"));
  assert(left < line && line < right, `line at ${line}, text ${left}–${right}`);
  for (const [attr, v] of [["stroke", "white"], ["paint-order", "stroke"]]) {
    assertEquals(group.getAttribute(attr) ?? value.getAttribute(attr), v, attr);
  }
  // Without a reference line, no halo.
  const plain = metricBars(pop);
  const g = all(plain, 'g[aria-label="text"]').find((g) => g.textContent?.includes("40.000"))!;
  assertEquals(g.getAttribute("stroke"), null);
});
