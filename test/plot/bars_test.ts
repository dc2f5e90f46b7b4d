import { assert, assertEquals, assertThrows } from "@std/assert";
import { biasBars } from "../../lib/plot/bars.ts";
import { all, axisLabels, mark, titles } from "./_svg.ts";
import type { FigureElement } from "../../lib/plot/figure.ts";
import { FONT_SIZE, textWidth } from "../../lib/plot/_dom.ts";

const rows = [
  { title: "Striptease (1996)", bias: -0.84 },
  { title: "Shawshank Redemption, The (1994)", bias: 0.91 },
  { title: "Casablanca (1942)", bias: 0.75 },
  { title: "Jury Duty (1995)", bias: -0.6 },
];

/** Bar labels from top to bottom (the y tick labels, in order of their y position). */
function order(fig: ReturnType<typeof biasBars>): string[] {
  const ticks = Array.from(
    fig.element.querySelectorAll('g[aria-label="y-axis tick label"] text'),
  );
  const y = (t: (typeof ticks)[number]) =>
    Number(/translate\([\d.]+,([\d.]+)\)/.exec(t.getAttribute("transform") ?? "")?.[1]);
  return ticks.sort((a, b) => y(a) - y(b)).map((t) => t.textContent ?? "");
}

Deno.test("biasBars() draws one bar per movie, highest bias on top", () => {
  const fig = biasBars(rows, { title: "Movie biases" });
  assertEquals(mark(fig, "bar", "rect").length, 4);
  assertEquals(order(fig), [
    "Shawshank Redemption, The (1994)",
    "Casablanca (1942)",
    "Jury Duty (1995)",
    "Striptease (1996)",
  ]);
  assertEquals(axisLabels(fig).x, "Bias (stars)");
  assertEquals(fig.summary, '[figure: bias bars "Movie biases", 4 bars]');
});

Deno.test("biasBars() colours bars by sign and writes signed values", () => {
  const fig = biasBars(rows);
  const fills = mark(fig, "bar", "rect").map((r) => r.getAttribute("fill"));
  assertEquals(new Set(fills).size, 2);
  const values = Array.from(fig.element.querySelectorAll('g[aria-label="text"] text'))
    .map((t) => t.textContent);
  assertEquals(values.sort(), ["+0.75", "+0.91", "-0.60", "-0.84"]);
  assert(titles(fig).includes("Striptease (1996): -0.84"));
});

Deno.test("biasBars() can sort ascending and keep the given order", () => {
  assertEquals(order(biasBars(rows, { sort: "ascending" }))[0], "Striptease (1996)");
  assertEquals(order(biasBars(rows, { sort: "none" }))[0], "Striptease (1996)");
  assertEquals(order(biasBars(rows, { sort: "none" }))[1], "Shawshank Redemption, The (1994)");
});

Deno.test("biasBars() tells apart movies that share a title", () => {
  const fig = biasBars([
    { title: "Chasing Amy (1997)", bias: 0.3, id: 246 },
    { title: "Chasing Amy (1997)", bias: 0.1, id: 268 },
  ]);
  assertEquals(order(fig), ["Chasing Amy (1997) [id 246]", "Chasing Amy (1997) [id 268]"]);
});

Deno.test("biasBars() rejects empty input, NaN biases and unknown sort orders", () => {
  assertThrows(() => biasBars([]), RangeError, "expected at least one row, found none");
  assertThrows(
    () => biasBars([{ title: "A", bias: NaN }]),
    RangeError,
    "expected a finite bias in rows[0], found NaN",
  );
  assertThrows(
    () => biasBars([{ title: 3, bias: 1 } as never]),
    TypeError,
    "expected rows[0].title to be a string, found number 3",
  );
  assertThrows(
    () => biasBars(rows, { sort: "random" as "none" }),
    TypeError,
    'found "random"',
  );
});

/** The x of a `transform="translate(x,…)"`. */
const shiftX = (node: FigureElement) =>
  Number(node.getAttribute("transform")?.match(/translate\(([-\d.]+)/)?.[1] ?? 0);

Deno.test("biasBars() leaves room left of the bars for the longest label, at the labels' font size", () => {
  const fig = biasBars(rows);
  const group = all(fig, 'g[aria-label="y-axis tick label"]')[0];
  for (const label of all(fig, 'g[aria-label="y-axis tick label"] text')) {
    // Labels end (text-anchor end) at their x; each starts inside the figure.
    const start = shiftX(group) + shiftX(label) - textWidth(label.textContent ?? "", FONT_SIZE);
    assert(start >= 0, `"${label.textContent}" starts at ${start.toFixed(1)} px`);
  }
});

Deno.test("biasBars() gives each row 22 px, a fifth of it left empty between bars", () => {
  const fig = biasBars(rows);
  // The zero line spans the plot area: 4 rows of 22 px.
  const zero = mark(fig, "rule", "line")[0];
  assertEquals(Number(zero.getAttribute("y2")) - Number(zero.getAttribute("y1")), 4 * 22);
  const bars = mark(fig, "bar", "rect");
  const step = Number(bars[1].getAttribute("y")) - Number(bars[0].getAttribute("y"));
  assertEquals(Number(bars[0].getAttribute("height")) / step, 0.8);
});

Deno.test("biasBars() draws grid lines on the value axis, centres its label, and no ticks beside the titles", () => {
  const fig = biasBars(rows);
  const xTicks = all(fig, 'g[aria-label="x-axis tick label"] text').map(shiftX);
  assertEquals(
    all(fig, 'g[aria-label="x-grid"] line').map((l) => Number(l.getAttribute("x1"))),
    xTicks,
  );
  assertEquals(all(fig, 'g[aria-label="y-axis tick"]').length, 0);
  // The plot area runs from the labels' margin to 16 px (room for the values) short of the edge.
  const left = shiftX(all(fig, 'g[aria-label="y-axis tick label"] text')[0]);
  const right = Number(fig.element.getAttribute("width")) - 16;
  const label = all(fig, 'g[aria-label="x-axis label"] text')[0];
  assertEquals(shiftX(label), (left + right) / 2);
  assert(label.getAttribute("text-anchor") === null, "anchored at its middle, as the chart's text");
});

Deno.test("biasBars() draws biases up to the largest number and refuses wider ones", () => {
  const top = biasBars([{ title: "A", bias: Number.MAX_VALUE }, { title: "B", bias: 0 }]);
  assertEquals(mark(top, "bar", "rect").length, 2);
  assert(!/NaN|Infinity/.test(top.toSVG()));
  assertThrows(
    () => biasBars([{ title: "A", bias: 1e308 }, { title: "B", bias: -1e308 }]),
    RangeError,
    "biasBars(): expected biases whose range fits on an axis, found -1e+308 to 1e+308",
  );
});
