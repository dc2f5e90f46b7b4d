import { assert, assertEquals, assertThrows } from "@std/assert";
import { predictedVsTrue } from "../../lib/plot/predictions.ts";
import { axisLabels, mark, texts, titles } from "./_svg.ts";

const yTrue = [1, 2, 3, 4, 5, 5];
const yPred = [1.5, 2, 2.5, 4, 4.5, 5.5];

Deno.test("predictedVsTrue() draws one dot per prediction, labelled axes and the y = x line", () => {
  const fig = predictedVsTrue(yTrue, yPred);
  const dotGroups = fig.element.querySelectorAll('g[aria-label="dot"]');
  assertEquals(dotGroups.length, 2, "predictions and per-value means");
  assertEquals(dotGroups[0].querySelectorAll("circle").length, 6);
  assertEquals(axisLabels(fig), { x: "True rating", y: "Predicted rating" });
  const lines = fig.element.querySelectorAll('g[aria-label="line"]');
  assertEquals(lines[0].getAttribute("stroke-dasharray"), "5,4", "the diagonal is dashed");
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
