import { assert, assertEquals, assertThrows } from "@std/assert";
import { lossCurves, type LossHistory } from "../../lib/plot/loss.ts";
import { all, axisLabels, mark, titles } from "./_svg.ts";

const history: LossHistory = {
  epoch: [0, 1, 2, 3],
  history: {
    loss: [1.2, 0.9, 0.8, 0.75],
    val_loss: [1.1, 0.95, 0.9, 0.92],
    mae: [0.9, 0.8, 0.75, 0.7],
    val_mae: [0.88, 0.8, 0.78, 0.79],
  },
};

Deno.test("lossCurves() draws a train and a validation line with a point per epoch", () => {
  const fig = lossCurves(history);
  assertEquals(mark(fig, "line", "path").length, 2);
  assertEquals(mark(fig, "dot", "circle").length, 8);
  assertEquals(axisLabels(fig), { x: "Epoch", y: "Loss" });
  assertEquals(fig.summary, "[figure: loss curves, 2 series, 8 points]");
  const legend = all(fig, 'g[aria-label="legend"] text').map((t) => t.textContent);
  assertEquals(legend, ["train", "validation"]);
});

Deno.test("lossCurves() counts Keras' 0-based epochs from 1 and shows values on hover", () => {
  const fig = lossCurves(history);
  const hover = titles(fig);
  assertEquals(hover[0], "train · epoch 1: 1.2");
  assertEquals(hover[7], "validation · epoch 4: 0.92");
  const ticks = all(fig, 'g[aria-label="x-axis tick label"] text').map((t) => t.textContent);
  assertEquals(ticks, ["1", "2", "3", "4"]);
});

Deno.test("lossCurves() keeps 1-based epochs as they are", () => {
  const fig = lossCurves({ epoch: [1, 2], history: { loss: [0.5, 0.4] } });
  assertEquals(titles(fig), ["train · epoch 1: 0.5", "train · epoch 2: 0.4"]);
});

Deno.test("lossCurves() plots another metric and its validation twin", () => {
  const fig = lossCurves(history, { metric: "mae" });
  assertEquals(axisLabels(fig).y, "MAE");
  assert(titles(fig).includes("validation · epoch 4: 0.79"));
  assertEquals(
    lossCurves(history, { metric: "mae", yLabel: "MAE (stars)" }).info.kind,
    "loss curves",
  );
});

Deno.test("lossCurves() draws a dotted baseline labelled with its value", () => {
  const fig = lossCurves(history, { baseline: { value: 0.76, label: "per-movie mean" } });
  const rules = mark(fig, "rule", "line");
  assertEquals(rules.length, 1);
  const dashed = all(fig, 'g[aria-label="rule"]')[0].getAttribute("stroke-dasharray");
  assertEquals(dashed, "2,4");
  const label = all(fig, 'g[aria-label="text"] text')[0];
  assertEquals(Array.from(label.children).map((t) => t.textContent), ["per-movie mean", "0.76"]);
});

Deno.test("lossCurves() compares runs: one colour per run, validation dashed", () => {
  const fig = lossCurves([
    { name: "dot", history },
    { name: "dot + bias", history },
  ], { title: "Two models" });
  const lines = all(fig, 'g[aria-label="line"]');
  assertEquals(lines.length, 4);
  const strokes = new Set(lines.map((g) => g.getAttribute("stroke")));
  assertEquals(strokes.size, 2);
  assertEquals(lines.filter((g) => g.getAttribute("stroke-dasharray") === "6,3").length, 2);
  const legend = all(fig, 'g[aria-label="legend"] text').map((t) => t.textContent);
  assertEquals(legend, ["dot", "dot + bias", "train", "validation"]);
  assert(titles(fig).includes("dot + bias · validation · epoch 2: 0.95"));
  assertEquals(fig.summary, '[figure: loss curves "Two models", 4 series, 16 points]');
});

Deno.test("lossCurves() leaves validation out when asked", () => {
  const fig = lossCurves(history, { validation: false });
  assertEquals(mark(fig, "line", "path").length, 1);
});

Deno.test("lossCurves() rejects an empty history", () => {
  assertThrows(
    () => lossCurves({ epoch: [], history: { loss: [] } }),
    RangeError,
    "expected at least one epoch in history, found none",
  );
  assertThrows(() => lossCurves([]), RangeError, "expected at least one run");
});

Deno.test("lossCurves() names the series it could not find", () => {
  assertThrows(
    () => lossCurves(history, { metric: "rmse" }),
    RangeError,
    'expected a "rmse" series in history.history, found loss, val_loss, mae, val_mae',
  );
});

Deno.test("lossCurves() rejects NaN losses and series of the wrong length", () => {
  assertThrows(
    () => lossCurves({ epoch: [0, 1, 2], history: { loss: [1, NaN, 0.5] } }),
    RangeError,
    "expected finite numbers in history.history.loss, found NaN at index 1",
  );
  assertThrows(
    () => lossCurves({ epoch: [0, 1, 2], history: { loss: [1, 0.5] } }),
    RangeError,
    "expected history.history.loss to have one value per epoch (3), found 2",
  );
});

Deno.test("lossCurves() rejects bad runs, baselines and y ranges", () => {
  assertThrows(
    () => lossCurves([{ name: "a", history }, { name: "a", history }]),
    RangeError,
    'found "a" twice',
  );
  assertThrows(() => lossCurves({} as LossHistory), TypeError, "expected a history");
  assertThrows(
    () => lossCurves(history, { baseline: { value: NaN, label: "mean" } }),
    RangeError,
    "expected baseline 0 as { value: finite number, label: string }",
  );
  assertThrows(() => lossCurves(history, { ylim: [2, 1] }), RangeError, "min < max");
});

Deno.test("lossCurves() clips the lines to a given y range", () => {
  const fig = lossCurves(history, { ylim: [0, 1] });
  const ticks = all(fig, 'g[aria-label="y-axis tick label"] text').map((t) =>
    Number(t.textContent)
  );
  assertEquals(Math.min(...ticks), 0);
  assertEquals(Math.max(...ticks), 1);
  assert(all(fig, "clipPath").length > 0);
});
