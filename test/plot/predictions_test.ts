import { assert, assertEquals, assertThrows } from "@std/assert";
import { predictedVsTrue } from "../../lib/plot/predictions.ts";
import type { PlotFigure } from "../../lib/plot/figure.ts";
import { all, axisLabels, mark, texts, tickLabels, titles, unwritten } from "./_svg.ts";

const yTrue = [1, 2, 3, 4, 5, 5];
const yPred = [1.5, 2, 2.5, 4, 4.5, 5.5];

Deno.test("predictedVsTrue() draws one dot per prediction, labelled axes and the y = x line", () => {
  const fig = predictedVsTrue(yTrue, yPred);
  const dotGroups = fig.element.querySelectorAll('g[aria-label="dot"]');
  assertEquals(dotGroups.length, 2, "predictions and per-value means");
  assertEquals(dotGroups[0].querySelectorAll("circle").length, 6);
  assertEquals(axisLabels(fig), { x: "True rating", y: "Predicted rating" });
  const lines = fig.element.querySelectorAll('g[aria-label="line"]');
  assertEquals(lines[0].getAttribute("stroke-dasharray"), "6,3", "the diagonal is dashed");
  const keys = Array.from(fig.element.querySelectorAll("line[stroke-dasharray]"));
  assertEquals(keys.map((k) => k.getAttribute("stroke-dasharray")), ["6,3"], "its key, alike");
  assertEquals(mark(fig, "line", "path").length, 2, "diagonal and the line of means");
  assert(texts(fig).includes("perfect prediction (y = x)"));
});

Deno.test("predictedVsTrue() reports RMSE and MAE over all points in the subtitle", () => {
  // errors: 0.5, 0, -0.5, 0, -0.5, 0.5 → MSE 1/6, MAE 1/3
  const fig = predictedVsTrue(yTrue, yPred);
  assert(texts(fig).includes("RMSE 0.408 · MAE 0.333 · n = 6"));
});

Deno.test("predictedVsTrue() shows the mean prediction per true value on hover", () => {
  const fig = predictedVsTrue(yTrue, yPred);
  const hover = titles(fig);
  assertEquals(hover.length, 5);
  assertEquals(hover[4], "true 5: mean predicted 5.00 ± 0.50 (n = 2)");
});

Deno.test("predictedVsTrue() draws a seeded sample when there are many points", () => {
  const n = 5000;
  const t = Array.from({ length: n }, (_, i) => 1 + (i % 5));
  const p = t.map((v, i) => v + ((i % 7) - 3) / 10);
  const a = predictedVsTrue(t, p, { maxPoints: 400 });
  const b = predictedVsTrue(t, p, { maxPoints: 400 });
  const c = predictedVsTrue(t, p, { maxPoints: 400, seed: 7 });
  assertEquals(
    a.element.querySelector('g[aria-label="dot"]')!.querySelectorAll("circle").length,
    400,
  );
  const dots = (fig: typeof a) =>
    Array.from(fig.element.querySelector('g[aria-label="dot"]')!.querySelectorAll("circle"))
      .map((d) => `${d.getAttribute("cx")},${d.getAttribute("cy")}`).join(" ");
  assertEquals(dots(a), dots(b), "same seed, same sample");
  assert(dots(a) !== dots(c), "another seed, another sample");
  assert(texts(a).some((s) => s.startsWith("A random 400 of 5,000 predictions shown")));
  assertEquals(a.summary, "[figure: predicted vs true, 400 points]");
});

Deno.test("predictedVsTrue() without jitter puts dots exactly above their true value", () => {
  const fig = predictedVsTrue(yTrue, yPred, { jitter: 0 });
  const xs = new Set(
    Array.from(fig.element.querySelector('g[aria-label="dot"]')!.querySelectorAll("circle"))
      .map((c) => c.getAttribute("cx")),
  );
  assertEquals(xs.size, 5);
});

Deno.test("predictedVsTrue() rejects mismatched, empty and non-finite input", () => {
  assertThrows(
    () => predictedVsTrue([1, 2, 3], [1, 2]),
    RangeError,
    "expected yTrue and yPred of the same length, found 3 and 2",
  );
  assertThrows(() => predictedVsTrue([], []), RangeError, "expected at least one prediction");
  assertThrows(
    () => predictedVsTrue([1, 2], [1, NaN]),
    RangeError,
    "expected finite numbers in yPred, found NaN at index 1",
  );
  assertThrows(
    () => predictedVsTrue(["1", 2] as unknown as number[], [1, 2]),
    TypeError,
    'expected yTrue[0] to be a number, found "1"',
  );
  assertThrows(() => predictedVsTrue([1], [1], { opacity: 2 }), RangeError, "opacity in (0, 1]");
});

/** The linear map from pixels to data of one axis, read from its first and last tick labels. */
function axisScale(fig: PlotFigure, axis: "x" | "y"): (px: number) => number {
  const ticks = Array.from(
    fig.element.querySelectorAll(`g[aria-label="${axis}-axis tick label"] text`),
  ).map((t) => {
    const [x, y] = t.getAttribute("transform")!.match(/translate\(([-\d.]+),([-\d.]+)\)/)!
      .slice(1).map(Number);
    return { px: axis === "x" ? x : y, value: Number(t.textContent!.replace("\u2212", "-")) };
  });
  const [a, b] = [ticks[0], ticks[ticks.length - 1]];
  return (px) => a.value + (px - a.px) * (b.value - a.value) / (b.px - a.px);
}

/** The predictions' dots, in data units, and the attributes of their group. */
function predictionDots(fig: PlotFigure) {
  const group = fig.element.querySelector('g[aria-label="dot"]')!;
  const [x, y] = [axisScale(fig, "x"), axisScale(fig, "y")];
  const dots = Array.from(group.querySelectorAll("circle")).map((c) => ({
    x: x(Number(c.getAttribute("cx"))),
    y: y(Number(c.getAttribute("cy"))),
  }));
  const style = group.querySelector("g")!;
  // Plot leaves out a fill-opacity of 1, the default.
  return { group, dots, opacity: Number(style.getAttribute("fill-opacity") ?? 1) };
}

/** The ends of the diagonal, in data units. */
function diagonal(fig: PlotFigure): number[][] {
  const d = fig.element.querySelector('g[aria-label="line"] path')!.getAttribute("d")!;
  const [x0, y0, x1, y1] = d.match(/^M([-\d.]+),([-\d.]+)L([-\d.]+),([-\d.]+)$/)!.slice(1)
    .map(Number);
  const [x, y] = [axisScale(fig, "x"), axisScale(fig, "y")];
  return [[x(x0), y(y0)], [x(x1), y(y1)]];
}

const near = (a: number, b: number, digits = 2) => Math.abs(a - b) < 10 ** -digits;

Deno.test("predictedVsTrue() draws each prediction above its true value, at its height", () => {
  const fig = predictedVsTrue(yTrue, yPred, { jitter: 0 });
  const { dots } = predictionDots(fig);
  assertEquals(dots.map((d) => Math.round(d.x * 100) / 100), yTrue);
  assertEquals(dots.map((d) => Math.round(d.y * 100) / 100), yPred);
});

Deno.test("predictedVsTrue() spans both axes over all values, padded by half a star", () => {
  // Predictions reach below and above the true values: 0.8 and 5.3 give 0 to 6.
  const fig = predictedVsTrue([1, 2, 3, 4, 5], [0.8, 2, 3, 4, 5.3], { jitter: 0 });
  const [from, to] = diagonal(fig);
  for (const [v, want] of [...from.map((v) => [v, 0]), ...to.map((v) => [v, 6])]) {
    assert(near(v, want), `${v} for ${want}`);
  }
  // True values reach further: 0.6 to 4.2 give 0 to 5.
  const other = diagonal(predictedVsTrue([0.6, 4.2], [1, 4], { jitter: 0 }));
  assert(near(other[0][0], 0) && near(other[1][1], 5), JSON.stringify(other));
  // A range given is taken for both axes, and the dots outside it are clipped.
  const given = predictedVsTrue([1, 2, 6], [1, 2, 6], { domain: [1, 5], jitter: 0 });
  for (const axis of ["x", "y"]) {
    const ticks = all(given, `g[aria-label="${axis}-axis tick label"] text`)
      .map((t) => Number(t.textContent));
    assertEquals([Math.min(...ticks), Math.max(...ticks)], [1, 5], `${axis} axis`);
  }
  const ends = diagonal(given);
  assert(near(ends[0][0], 1) && near(ends[0][1], 1), JSON.stringify(ends));
  assert(near(ends[1][0], 5) && near(ends[1][1], 5), JSON.stringify(ends));
  assert(predictionDots(given).group.getAttribute("clip-path")?.startsWith("url(#"));
});

Deno.test("predictedVsTrue() jitters dots by 0.3 of the least gap between true values", () => {
  // True values 1, 1.5 and 3: the least gap is 0.5, so up to ±0.15 either way.
  const t = Array.from({ length: 600 }, (_, i) => [1, 1.5, 3][i % 3]);
  const fig = predictedVsTrue(t, t.map((v) => v + 0.1));
  const offsets = predictionDots(fig).dots.map((d, i) => d.x - t[i]);
  assert(Math.max(...offsets.map(Math.abs)) <= 0.15 + 0.01, `${Math.max(...offsets)}`);
  assert(Math.min(...offsets) < -0.12 && Math.max(...offsets) > 0.12, "both ways, to the limit");
  assert(texts(fig).includes("True values jittered by up to ±0.15"), texts(fig).join(" | "));
  // Two true values half a star apart: the same.
  const two = predictedVsTrue([1, 1.5, 1, 1.5], [1, 1.5, 1, 1.5]);
  assert(texts(two).includes("True values jittered by up to ±0.15"), texts(two).join(" | "));
});

/** `n` predictions of `distinct` true values 1, 2, …, each predicted 0.1 too high. */
function distinctValues(distinct: number, n = 2 * distinct) {
  const t = Array.from({ length: n }, (_, i) => 1 + (i % distinct));
  return predictedVsTrue(t, t.map((v) => v + 0.1));
}

Deno.test("predictedVsTrue() takes up to 20 distinct true values as discrete, with their means", () => {
  const twenty = distinctValues(20);
  assertEquals(titles(twenty).length, 20, "a mean per true value");
  assert(texts(twenty).includes("mean ± 1 sd per true value"));
  assert(texts(twenty).some((s) => s.startsWith("True values jittered")));
  const more = distinctValues(21);
  assertEquals(titles(more).length, 0, "no means");
  assert(!texts(more).includes("mean ± 1 sd per true value"), "nor their legend entry");
  assertEquals(mark(more, "line", "path").length, 1, "only the diagonal");
  assert(!texts(more).some((s) => s.includes("jittered")), texts(more).join(" | "));
  const { dots } = predictionDots(more);
  assert(dots.every((d, i) => near(d.x, 1 + (i % 21), 1)), "dots on their true values");
});

Deno.test("predictedVsTrue() fades its dots from 0.8 as more are drawn", () => {
  assertEquals(predictionDots(predictedVsTrue(yTrue, yPred)).opacity, 0.8);
  const many = (n: number) => {
    const t = Array.from({ length: n }, (_, i) => 1 + (i % 5));
    return predictionDots(predictedVsTrue(t, t, { maxPoints: n })).opacity;
  };
  const [some, more] = [many(1000), many(3000)];
  assert(0.05 < more && more < some && some < 0.8, `${some}, ${more}`);
  assertEquals(predictionDots(predictedVsTrue(yTrue, yPred, { opacity: 1 })).opacity, 1);
});

Deno.test("predictedVsTrue() draws at most 3,000 dots unless told otherwise", () => {
  const t = Array.from({ length: 3001 }, (_, i) => 1 + (i % 5));
  assertEquals(predictedVsTrue(t, t).summary, "[figure: predicted vs true, 3000 points]");
  assertEquals(
    predictedVsTrue(t.slice(1), t.slice(1)).summary,
    "[figure: predicted vs true, 3000 points]",
  );
  assert(!texts(predictedVsTrue(t.slice(1), t.slice(1))).some((s) => s.includes("random")));
});

Deno.test("predictedVsTrue() rejects a bad sample size, jitter and opacity", () => {
  assertThrows(
    () => predictedVsTrue([1], [1], { maxPoints: 0 }),
    RangeError,
    "expected maxPoints to be a positive integer, found 0",
  );
  assertThrows(
    () => predictedVsTrue([1], [1], { jitter: "0.1" as unknown as number }),
    RangeError,
    "expected jitter >= 0, found 0.1",
  );
  assertThrows(() => predictedVsTrue([1], [1], { opacity: 0 }), RangeError, "opacity in (0, 1]");
  // A fraction was truncated, NaN reached createRng(), 2³² drew seed 0's sample.
  for (const seed of [1.5, NaN, 2 ** 32, -1]) {
    assertThrows(
      () => predictedVsTrue([1], [1], { seed }),
      RangeError,
      `predictedVsTrue(): expected seed to be an integer in [0, 4294967295], found ${seed}`,
    );
  }
  assertThrows(
    () => predictedVsTrue([1], [1], { opacity: "0.5" as unknown as number }),
    RangeError,
    "opacity in (0, 1]",
  );
});

Deno.test("predictedVsTrue()'s legend keys each mark in its own colour and style", () => {
  const fig = predictedVsTrue(yTrue, yPred);
  const entries = all(fig, 'g[aria-label="legend"] > g').map((g) => ({
    label: g.querySelector("text")!.textContent,
    key: g.querySelector("circle, line")!,
  }));
  assertEquals(entries.map((e) => e.label), [
    "one prediction",
    "mean ± 1 sd per true value",
    "perfect prediction (y = x)",
  ]);
  const [dot, mean, diagonal] = entries.map((e) => e.key);
  const dots = fig.element.querySelector('g[aria-label="dot"] g')!;
  assertEquals(dot.tagName.toLowerCase(), "circle");
  assertEquals(dot.getAttribute("fill"), dots.getAttribute("fill"));
  const means = all(fig, 'g[aria-label="dot"]')[1];
  assertEquals(mean.tagName.toLowerCase(), "line");
  assertEquals(mean.getAttribute("stroke-dasharray"), null, "a solid line");
  assertEquals(mean.getAttribute("stroke"), means.getAttribute("fill"));
  assert(dot.getAttribute("fill") !== mean.getAttribute("stroke"), "two colours");
  assert(diagonal.getAttribute("stroke-dasharray"), "a dashed line");
  const line = fig.element.querySelector('g[aria-label="line"]')!;
  assertEquals(diagonal.getAttribute("stroke"), line.getAttribute("stroke"));
});

Deno.test("predictedVsTrue()'s legend wraps to fit a narrow figure", () => {
  const rows = (fig: PlotFigure) =>
    new Set(
      all(fig, 'g[aria-label="legend"] > g').map((g) =>
        g.getAttribute("transform")!.match(/,([-\d.]+)\)/)![1]
      ),
    ).size;
  assertEquals(rows(predictedVsTrue(yTrue, yPred)), 1);
  assert(rows(predictedVsTrue(yTrue, yPred, { width: 320 })) > 1);
});

Deno.test("predictedVsTrue() draws the mean ± 1 sd per true value, joined by a line", () => {
  const fig = predictedVsTrue(yTrue, yPred, { jitter: 0 });
  const [x, y] = [axisScale(fig, "x"), axisScale(fig, "y")];
  // True 5 is predicted 4.5 and 5.5: mean 5, sd 0.5.
  const rules = mark(fig, "rule", "line").map((l) =>
    [l.getAttribute("x1"), l.getAttribute("y1"), l.getAttribute("y2")].map(Number)
  );
  const last = rules[rules.length - 1];
  assert(near(x(last[0]), 5) && near(y(last[1]), 4.5) && near(y(last[2]), 5.5), `${last}`);
  const means = Array.from(all(fig, 'g[aria-label="dot"]')[1].querySelectorAll("circle"))
    .map((c) => `${c.getAttribute("cx")},${c.getAttribute("cy")}`);
  const path = mark(fig, "line", "path")[1].getAttribute("d")!;
  assertEquals(path, `M${means.join("L")}`, "the line runs through the mean dots");
  assertEquals(means.map((m) => Math.round(y(Number(m.split(",")[1])) * 100) / 100), [
    1.5,
    2,
    2.5,
    4,
    5,
  ]);
});

Deno.test("predictedVsTrue() says in words and in the caption what it shows", () => {
  const fig = predictedVsTrue(yTrue, yPred, { jitter: 0 });
  assert(fig.alt.startsWith("Scatter of Predicted rating (up) against True rating (across), 6 "));
  assert(!texts(fig).some((s) => s.includes("random") || s.includes("jittered")));
  const t = Array.from({ length: 5000 }, (_, i) => 1 + (i % 5));
  const sample = predictedVsTrue(t, t, { maxPoints: 400 });
  assert(
    texts(sample).includes(
      "A random 400 of 5,000 predictions shown; true values jittered by up to ±0.3",
    ),
    texts(sample).join(" | "),
  );
  assert(texts(sample).includes("RMSE 0.000 · MAE 0.000 · n = 5,000"));
  assertEquals(titles(sample)[0], "true 1: mean predicted 1.00 ± 0.00 (n = 1,000)");
  const own = predictedVsTrue(t, t, { maxPoints: 400, caption: "Test set" });
  assert(texts(own).includes("Test set"));
  assert(!texts(own).some((s) => s.includes("random")), "the caller's caption replaces the note");
});

Deno.test("predictedVsTrue() reports errors too large to square and draws values of any size", () => {
  // The squared errors overflowed: "RMSE Infinity".
  const far = predictedVsTrue([1, 2], [1e200, -1e200]);
  assert(texts(far).includes("RMSE 1e+200 · MAE 1e+200 · n = 2"), texts(far).join(" | "));
  assertEquals(unwritten(far), []);
  // Errors beyond the largest number: p − t overflowed, and Infinity / Infinity read "RMSE NaN".
  const farthest = predictedVsTrue([1e308, 1], [-1e308, 1], { domain: [0, 5] });
  assert(
    texts(farthest).includes("RMSE 1.4142135623730951e+308 · MAE 1e+308 · n = 2"),
    texts(farthest).join(" | "),
  );
  // Beside 1e20 half a star is lost: the axis was the single point [1e20, 1e20].
  const flat = predictedVsTrue([1e20, 1e20], [1e20, 1e20]);
  assertEquals(tickLabels(flat, "x")[0], "9e+19");
  assertEquals(unwritten(flat), []);
});

Deno.test("predictedVsTrue() refuses values or a domain no axis can span, naming them", () => {
  assertThrows(
    () => predictedVsTrue([1e308, 1.5e308], [-1e308, -1.5e308], { domain: [0, 5] }),
    RangeError,
    "predictedVsTrue(): expected errors whose RMSE and MAE are finite numbers, found an RMSE " +
      "beyond the largest number (largest error at index 1: true 1.5e+308, predicted -1.5e+308)",
  );
  assertThrows(
    () => predictedVsTrue([1e308, -1e308], [1, 2]),
    RangeError,
    "predictedVsTrue(): expected values whose range fits on an axis, found -1e+308 to 1e+308",
  );
  assertThrows(
    () => predictedVsTrue([1, 2], [1, 2], { domain: [-1e308, 1e308] }),
    RangeError,
    "predictedVsTrue(): expected domain whose range fits on an axis",
  );
});
