import { assert, assertEquals, assertThrows } from "@std/assert";
import { lossCurves, type LossHistory } from "../../lib/plot/loss.ts";
import { all, axisLabels, mark, texts, tickLabels, titles, unwritten } from "./_svg.ts";
import type { PlotFigure } from "../../lib/plot/figure.ts";
import { offScaleNote, type ScalePoint } from "../../lib/plot/_off_scale.ts";
import { textWidth } from "../../lib/plot/_dom.ts";
import { contrastWithWhite, deltaE2000, lab, type Vision } from "./_color.ts";

/** The y of a text mark's anchor: Plot writes `transform="translate(x,y)"`. */
const textY = (t: { getAttribute(name: string): string | null }) =>
  Number(t.getAttribute("transform")!.match(/translate\([^,]+,([^)]+)\)/)![1]);

const ticks = (fig: PlotFigure) =>
  all(fig, 'g[aria-label="x-axis tick label"] text').map((t) => t.textContent);

const history: LossHistory = {
  epoch: [1, 2, 3, 4],
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

Deno.test("lossCurves() draws each point at its history's epoch, counted from 1", () => {
  const fig = lossCurves(history);
  const hover = titles(fig);
  assertEquals(hover[0], "train · epoch 1: 1.2");
  assertEquals(hover[7], "validation · epoch 4: 0.92");
  assertEquals(ticks(fig), ["1", "2", "3", "4"]);
});

Deno.test("lossCurves() puts a phase that continues a run at the epochs its history gives", () => {
  const first = { epoch: [1, 2, 3, 4, 5], history: { loss: [4, 3.5, 3, 2.8, 2.7] } };
  const second = { epoch: [6, 7, 8], history: { loss: [2.5, 2.45, 2.4] } };
  const fig = lossCurves([{ name: "lr 1e-3", history: first }, {
    name: "lr 1e-4",
    history: second,
  }]);
  const hover = titles(fig);
  assertEquals(hover.filter((t) => t.startsWith("lr 1e-4")), [
    "lr 1e-4 · train · epoch 6: 2.5",
    "lr 1e-4 · train · epoch 7: 2.45",
    "lr 1e-4 · train · epoch 8: 2.4",
  ]);
  // The x position of epoch 6 lies one step right of epoch 5 (same spacing as 1 → 2).
  const xs = mark(fig, "dot", "circle").map((c) => Number(c.getAttribute("cx")));
  const step = xs[1] - xs[0];
  assert(Math.abs(xs[5] - xs[4] - step) < 0.2, `epoch 5 → 6 spans ${xs[5] - xs[4]}, not ${step}`);
  assertEquals(ticks(fig), ["1", "2", "3", "4", "5", "6", "7", "8"]);
});

Deno.test("lossCurves() labels a 40-epoch axis 1, 5, 10, …, 40", () => {
  const n = 40;
  const fig = lossCurves({
    epoch: Array.from({ length: n }, (_, i) => i + 1),
    history: { loss: Array.from({ length: n }, (_, i) => 1 / (i + 1)) },
  });
  assertEquals(ticks(fig), ["1", "5", "10", "15", "20", "25", "30", "35", "40"]);
});

/** A history of `n` epochs of a falling loss. */
const epochs = (n: number): LossHistory => ({
  epoch: Array.from({ length: n }, (_, i) => i + 1),
  history: { loss: Array.from({ length: n }, (_, i) => 1 / (i + 1)) },
});

/** The x of each epoch tick label, left to right. */
const tickXs = (fig: PlotFigure) =>
  all(fig, 'g[aria-label="x-axis tick label"] text').map((t) =>
    Number(t.getAttribute("transform")!.match(/translate\(([^,]+),/)![1])
  );

Deno.test("lossCurves() labels a 13- to 20-epoch axis 1, 3, 5, …, never 2 right beside 1", () => {
  // Notebooks 02 and 05: 15 and 13 epochs had their ticks at 1, 2, 4, 6, …
  assertEquals(ticks(lossCurves(epochs(13))), ["1", "3", "5", "7", "9", "11", "13"]);
  assertEquals(ticks(lossCurves(epochs(20))), [
    "1",
    "3",
    "5",
    "7",
    "9",
    "11",
    "13",
    "15",
    "17",
    "19",
  ]);
  assertEquals(ticks(lossCurves(epochs(12))), Array.from({ length: 12 }, (_, i) => String(i + 1)));
});

Deno.test("lossCurves() thins the epoch ticks to what the axis has room for", () => {
  // A narrow figure, and one whose right margin holds baseline labels.
  const narrow = lossCurves(epochs(12), { width: 300 });
  const labelled = lossCurves(epochs(12), {
    width: 400,
    baseline: [{ value: 0.5, label: "a baseline with a long name to the right of the chart" }],
  });
  for (const fig of [narrow, labelled]) {
    const labels = ticks(fig);
    assert(labels.length < 12, `${labels.length} ticks: ${labels}`);
    assertEquals(labels[0], "1");
    const xs = tickXs(fig);
    const gaps = xs.slice(1).map((x, i) => x - xs[i]);
    assert(Math.min(...gaps) >= 28, `ticks ${Math.min(...gaps).toFixed(1)} px apart: ${labels}`);
  }
});

Deno.test("lossCurves() rejects epochs counted from 0", () => {
  assertThrows(
    () => lossCurves({ epoch: [0, 1], history: { loss: [1, 0.5] } }),
    RangeError,
    "expected history.epoch counted from 1 (whole numbers 1, 2, …), found 0 at index 0",
  );
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
  assertEquals(dashed, "2,3", "dotted as a dotted legend key is drawn");
  const label = all(fig, 'g[aria-label="text"] text')[0];
  assertEquals(Array.from(label.children).map((t) => t.textContent), ["per-movie mean", "0.76"]);
});

Deno.test("lossCurves() marks an epoch with a dashed line labelled at its top", () => {
  const fig = lossCurves(history, { epochMark: { epoch: 3, label: "weights kept" } });
  const rules = all(fig, 'g[aria-label="rule"]');
  assertEquals(rules.length, 1);
  // Solid: the validation curves are dashed and the baselines dotted.
  assertEquals(rules[0].getAttribute("stroke-dasharray"), null);
  const label = all(fig, 'g[aria-label="text"] text').map((t) => t.textContent);
  assertEquals(label, ["weights kept (epoch 3)"]);
  assert(fig.alt.endsWith(" Grey vertical line at epoch 3: weights kept."), fig.alt);
  // The label sits right of the line where it fits there, else left of it: inside the chart.
  const anchor = (epoch: number, label = "kept") =>
    all(lossCurves(history, { epochMark: { epoch, label } }), 'g[aria-label="text"]')[0]
      .getAttribute("text-anchor");
  assertEquals([anchor(1), anchor(3), anchor(4)], ["start", "start", "end"]);
  assertEquals(anchor(3, "the weights of the run stopped early were kept here"), "end");
  assertEquals(anchor(2, "the weights of the run stopped early were kept here"), "start");
});

Deno.test("lossCurves() refuses an epoch mark off the curves or without a label", () => {
  assertThrows(
    () => lossCurves(history, { epochMark: { epoch: 5, label: "kept" } }),
    RangeError,
    "expected epochMark.epoch to be one of the histories' epochs (epochs 1–4), found 5",
  );
  assertThrows(
    () => lossCurves(history, { epochMark: { epoch: 2.5, label: "kept" } }),
    RangeError,
    "found 2.5",
  );
  assertThrows(
    () => lossCurves(history, { epochMark: { epoch: "3" as never, label: "kept" } }),
    TypeError,
    'expected epochMark.epoch to be a number, found "3"',
  );
  assertThrows(
    () => lossCurves(history, { epochMark: { epoch: 2, label: " " } }),
    TypeError,
    'expected epochMark.label to be a non-empty string, found " "',
  );
  assertThrows(
    () => lossCurves(history, { epochMark: [{ epoch: 2, label: "kept" }] as never }),
    TypeError,
    "expected epochMark as { epoch, label }",
  );
});

Deno.test("lossCurves() compares runs: one colour per run, validation dashed", () => {
  const withBias = {
    epoch: history.epoch,
    history: { loss: [1.1, 0.85, 0.7, 0.65], val_loss: [1.0, 0.95, 0.88, 0.9] },
  };
  const fig = lossCurves([
    { name: "dot", history },
    { name: "dot + bias", history: withBias },
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

Deno.test("lossCurves() names the two series as asked, in the legend and the hover titles", () => {
  const scored = { epoch: [1, 2], history: { test: [0.9, 0.85], val_test: [0.92, 0.86] } };
  const fig = lossCurves([{ name: "small init", history: scored }], {
    metric: "test",
    splitNames: { train: "test" },
  });
  const legend = all(fig, 'g[aria-label="legend"] text').map((t) => t.textContent);
  assertEquals(legend, ["small init", "test", "validation"]);
  assert(titles(fig).includes("small init · test · epoch 2: 0.85"));
  const single = lossCurves(history, { splitNames: { validation: "held out" } });
  assertEquals(all(single, 'g[aria-label="legend"] text').map((t) => t.textContent), [
    "train",
    "held out",
  ]);
  assert(titles(single).includes("held out · epoch 4: 0.92"));
  assertThrows(
    () => lossCurves(history, { splitNames: { train: "" } }),
    TypeError,
    'expected splitNames.train to be a non-empty string, found ""',
  );
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
    () => lossCurves({ epoch: [1, 2, 3], history: { loss: [1, NaN, 0.5] } }),
    RangeError,
    "expected finite numbers in history.history.loss, found NaN at index 1",
  );
  assertThrows(
    () => lossCurves({ epoch: [1, 2, 3], history: { loss: [1, 0.5] } }),
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
    'lossCurves(): expected baseline as { value: finite number, label: string }, found {"value":NaN,"label":"mean"}',
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

Deno.test("lossCurves() draws the same markup when drawn again (a cell run twice)", () => {
  // Plot numbers its clip paths over the whole process (plot-clip-1, -2, …): each figure
  // numbers its own from 1, so that the markup depends on the data only.
  const draw = () => lossCurves(history, { ylim: [0, 1] }).toString();
  const first = draw();
  assertEquals(draw(), first);
  const ids = [...first.matchAll(/<clipPath id="([^"]+)"/g)].map((m) => m[1]);
  assert(ids.length > 0 && ids.every((id, i) => id === `plot-clip-${i + 1}`), ids.join(", "));
  for (const id of ids) assert(first.includes(`url(#${id})`), `${id} is not used`);
});

Deno.test("lossCurves() stacks baseline labels with close values so they do not overlap", () => {
  const fig = lossCurves(history, {
    baseline: [
      { value: 0.7561, label: "per-movie mean (tail validation)" },
      { value: 0.7543, label: "per-movie mean (shuffled)" },
    ],
  });
  const labels = all(fig, 'g[aria-label="text"] text');
  assertEquals(labels.length, 2);
  const lines = labels.map((l) => Array.from(l.children).map((t) => t.textContent));
  assertEquals(lines.map((l) => l.at(-1)), ["0.756", "0.754"]);
  assertEquals(lines.map((l) => l.slice(0, -1).join(" ")), [
    "per-movie mean (tail validation)",
    "per-movie mean (shuffled)",
  ]);
  // Each label is a block of lines 1 em (12 px) apart around its y; blocks must not overlap.
  const blocks = labels.map((l, i) => {
    const y = textY(l);
    const h = lines[i].length * 12;
    return { top: y - h / 2, bottom: y + h / 2 };
  }).sort((a, b) => a.top - b.top);
  assert(blocks[0].bottom <= blocks[1].top, JSON.stringify(blocks));
  // A leader joins a moved label to its line.
  assert(mark(fig, "link", "line").length + mark(fig, "link", "path").length >= 1);
});

Deno.test("lossCurves() keeps a bracketed part of a baseline label on one line", () => {
  // Notebook 05's label read "user + movie bias (tail" above "validation)".
  const fig = lossCurves(history, {
    baseline: { value: 1.2, label: "user + movie bias (tail validation)" },
  });
  const text = all(fig, 'g[aria-label="text"] text')[0];
  const lines = Array.from(text.children).map((t) => t.textContent?.trim());
  assertEquals(lines, ["user + movie bias", "(tail validation)", "1.2"]);
});

Deno.test("lossCurves() keeps baseline labels inside the figure, wrapped to the margin", () => {
  const label = "a very long baseline label that would not fit the right margin at all";
  const fig = lossCurves(history, { baseline: { value: 1.2, label } });
  const text = all(fig, 'g[aria-label="text"] text')[0];
  const lines = Array.from(text.children).map((t) => t.textContent ?? "");
  assert(lines.length <= 3, lines.join(" | "));
  assert(lines.slice(0, -1).join(" ").startsWith("a very long baseline"));
  const width = Number(fig.element.getAttribute("width"));
  const plotRight = Math.max(
    ...mark(fig, "dot", "circle").map((c) => Number(c.getAttribute("cx"))),
  );
  // Lines start 16 px right of the last epoch and are at most 150 px wide (estimated).
  assert(plotRight + 16 + 150 <= width, `label from ${plotRight + 16} in a ${width} px figure`);
  const chartTop = textY({
    getAttribute: () =>
      fig.element.querySelector('g[aria-label="chart"]')!.getAttribute("transform"),
  });
  const top = chartTop + textY(text) - lines.length * 6;
  assert(top >= 0, `label block starts above the figure at ${top}`);
});

Deno.test("lossCurves() shows and names a run lying exactly under another", () => {
  const shortRun = {
    epoch: [1, 2, 3],
    history: { loss: [1.2, 0.9, 0.8], val_loss: [1.1, 0.95, 0.9] },
  };
  const fig = lossCurves([
    { name: "patience 0", history: shortRun },
    { name: "patience 5", history },
  ]);
  const legend = all(fig, 'g[aria-label="legend"] text').map((t) => t.textContent);
  assertEquals(legend[0], "patience 0 (under “patience 5” at epochs 1–3: same values)");
  assertEquals(legend[1], "patience 5");
  const widths = all(fig, 'g[aria-label="line"]').map((g) => g.getAttribute("stroke-width"));
  assertEquals(widths, ["6", "6", "2", "2"], "the hidden run is drawn wide beneath");
});

Deno.test("lossCurves() does not call runs that merely cross each other hidden", () => {
  const other = {
    epoch: [1, 2, 3, 4],
    history: { loss: [1.2, 0.7, 0.6, 0.5], val_loss: [1.1, 0.9, 0.8, 0.85] },
  };
  const fig = lossCurves([{ name: "a", history }, { name: "b", history: other }]);
  const legend = all(fig, 'g[aria-label="legend"] text').map((t) => t.textContent);
  assertEquals(legend.slice(0, 2), ["a", "b"]);
  assert(texts(fig).every((t) => !t.includes("under")));
});

/** Two runs whose curves differ by `gap` (in loss units) at every epoch. */
function closeRuns(gap: number, epochs = 6) {
  const epoch = Array.from({ length: epochs }, (_, i) => i + 1);
  const loss = epoch.map((e) => 1 / e);
  const val = epoch.map((e) => 1.1 / e);
  const shifted = (v: number[]) => v.map((x, i) => x + (i % 2 ? gap : -gap));
  return [
    { name: "ours", history: { epoch, history: { loss, val_loss: val } } },
    {
      name: "theirs",
      history: { epoch, history: { loss: shifted(loss), val_loss: shifted(val) } },
    },
  ];
}

Deno.test("lossCurves() draws a run lying close under a later one wide, and says so", () => {
  // The y range is about 0.2–1.1 over 286 px: 0.005 is about 1.5 px, past the half pixel of
  // "same values" but within the 3 px at which two 2 px lines look like one.
  const fig = lossCurves(closeRuns(0.005));
  const legend = all(fig, 'g[aria-label="legend"] text').map((t) => t.textContent);
  assertEquals(legend.slice(0, 2), ["ours (drawn wide: within 3 px of “theirs”)", "theirs"]);
  const widths = all(fig, 'g[aria-label="line"]').map((g) => g.getAttribute("stroke-width"));
  assertEquals(widths, ["6", "6", "2", "2"], "the covered run is drawn wide beneath");
  // Farther apart (0.05, about 15 px) both are drawn as usual.
  const apart = lossCurves(closeRuns(0.05));
  const apartWidths = all(apart, 'g[aria-label="line"]').map((g) => g.getAttribute("stroke-width"));
  assertEquals(apartWidths, ["2", "2", "2", "2"]);
  assertEquals(
    all(apart, 'g[aria-label="legend"] text').map((t) => t.textContent).slice(0, 2),
    ["ours", "theirs"],
  );
});

Deno.test("lossCurves() names the split and the epochs when only part of a run lies close", () => {
  const [ours, theirs] = closeRuns(0.005);
  // Move their training curve away at every epoch, and their validation at two of six.
  const h = theirs.history.history;
  h.loss = h.loss.map((v) => v + 0.3);
  h.val_loss = h.val_loss.map((v, i) => (i < 2 ? v + 0.3 : v));
  const fig = lossCurves([ours, theirs]);
  const legend = all(fig, 'g[aria-label="legend"] text').map((t) => t.textContent);
  assertEquals(legend[0], "ours (validation drawn wide: within 3 px of “theirs” at 4 of 6 epochs)");
  const widths = all(fig, 'g[aria-label="line"]').map((g) => g.getAttribute("stroke-width"));
  assertEquals(widths, ["2", "6", "2", "2"]);
});

Deno.test("lossCurves() counts the close epochs of each curve, not train and validation points together", () => {
  // Two 3-epoch runs, both curves close at epochs 1 and 2 only: the legend said "at 4 of 6
  // epochs", adding the train and validation points.
  const ours = { epoch: [1, 2, 3], history: { loss: [1, 0.5, 0.33], val_loss: [1.1, 0.55, 0.37] } };
  const theirs = {
    epoch: [1, 2, 3],
    history: { loss: [1.005, 0.495, 0.6], val_loss: [1.105, 0.545, 0.6] },
  };
  const legendOf = (fig: PlotFigure) =>
    all(fig, 'g[aria-label="legend"] text').map((t) => t.textContent);
  const both = lossCurves([{ name: "A", history: ours }, { name: "B", history: theirs }]);
  assertEquals(
    legendOf(both)[0],
    "A (drawn wide: within 3 px of “B” at 2 of 3 epochs of each curve)",
  );
  // Their validation close at every epoch, their training at two: each curve says its own.
  theirs.history.val_loss = [1.105, 0.545, 0.372];
  const apart = lossCurves([{ name: "A", history: ours }, { name: "C", history: theirs }]);
  assertEquals(
    legendOf(apart)[0],
    "A (drawn wide: within 3 px of “C”, train at 2 of 3 epochs, validation at all 3)",
  );
});

/** The figure's caption (the italic line under the chart), or null. */
const caption = (fig: PlotFigure) =>
  fig.element.querySelector('text[font-style="italic"]')?.textContent ?? null;

Deno.test("lossCurves() notes the points a fixed y range leaves out, in the picture", () => {
  const fig = lossCurves(history, { ylim: [0, 1] });
  const note = "Off the scale (above 1): train 1.2 and validation 1.1 at epoch 1";
  assertEquals(caption(fig), note);
  // The note is part of the SVG, so the <img> fallback shows it too.
  const source = fig.toHTML().match(/<img src="data:image\/svg\+xml;base64,([^"]+)"/)![1];
  const svg = new TextDecoder().decode(Uint8Array.from(atob(source), (c) => c.charCodeAt(0)));
  assert(svg.includes(note), "the note is in the image");
  // Nothing to note inside the range, or without one.
  assertEquals(caption(lossCurves(history, { ylim: [0, 2] })), null);
  assertEquals(caption(lossCurves(history)), null);
});

Deno.test("lossCurves() notes epochs, extremes and runs off both ends of the range", () => {
  const runs = [
    { name: "a", history },
    {
      name: "b",
      history: {
        epoch: [1, 2, 3, 4],
        history: { loss: [3, 2.5, 0.9, 0.1], val_loss: [2.2, 1.05, 0.9, 0.88] },
      },
    },
  ];
  // A figure wide enough for every detail.
  const fig = lossCurves(runs, { ylim: [0.5, 1], caption: "Two runs.", width: 1200 });
  assertEquals(
    caption(fig),
    "Two runs. Off the scale (above 1): a, train 1.2 and validation 1.1 at epoch 1; " +
      "b, train and validation at epochs 1–2 (up to 3). " +
      "Off the scale (below 0.5): b, train 0.1 at epoch 4",
  );
});

Deno.test("lossCurves() shortens the off-scale note to fit the figure", () => {
  const long = (n: number) => `a run with a long descriptive name, number ${n}`;
  const epoch = Array.from({ length: 20 }, (_, i) => i + 1);
  const runs = [1, 2, 3].map((n) => ({
    name: long(n),
    history: {
      epoch,
      history: {
        loss: epoch.map((e) => (e % 3 === n % 3 ? 5 + e / 10 : 0.5)),
        val_loss: epoch.map((e) => (e < 2 * n ? 4 : 0.6)),
      },
    },
  }));
  const note = caption(lossCurves(runs, { ylim: [0, 2] }))!;
  assertEquals(note, "Off the scale (above 2): 29 points of 3 runs (up to 7)");
  // A wider figure has room for each run's count.
  const wide = caption(lossCurves(runs, { ylim: [0, 2], width: 2000 }))!;
  assert(wide.includes(`${long(2)}, 7 train, 3 validation points (up to 7)`), wide);
});

Deno.test("lossCurves() ticks the round bottom of its y range (0.70, not 0.7000000000000001)", () => {
  // Notebook 03's RecommenderNet curve ended at 0.7015 on an axis whose lowest tick was 0.72,
  // and 04's classifier at 1.2225 above a bare 1.22: 14 × 0.05 and 48 × 0.025 came out a hair
  // above 0.70 and 1.20, so Plot left those ticks out.
  for (
    const [loss, bottom] of [[[0.913, 0.765, 0.729, 0.712, 0.7015], "0.70"], [
      [1.363, 1.28, 1.26, 1.25, 1.2225],
      "1.20",
    ]] as const
  ) {
    const fig = lossCurves({ epoch: [1, 2, 3, 4, 5], history: { loss: [...loss] } });
    const yTicks = all(fig, 'g[aria-label="y-axis tick label"] text').map((t) => t.textContent);
    assertEquals(yTicks[0], bottom, yTicks.join(" "));
  }
});

Deno.test("lossCurves() colours lines 3 : 1 on white, apart for colour-blind readers too", () => {
  // Observable's orange (validation, and the second run) was 2.7 : 1 against white, and its
  // green 8 apart from the orange for a protanope or deuteranope (notebook 03's three models).
  const run = (k: number) => ({
    name: `run ${k}`,
    history: { epoch: [1, 2], history: { loss: [1 + k, 0.5 + k], val_loss: [1.1 + k, 0.9 + k] } },
  });
  const colours = (fig: PlotFigure) => [
    ...new Set(all(fig, 'g[aria-label="line"]').map((g) => g.getAttribute("stroke")!)),
  ];
  const runs = colours(lossCurves([0, 1, 2, 3].map(run)));
  const splits = colours(lossCurves(history));
  assertEquals([runs.length, splits.length], [4, 2]);
  const visions: Vision[] = ["normal", "protanopia", "deuteranopia", "tritanopia"];
  for (const set of [runs, splits]) {
    for (const c of set) {
      assert(contrastWithWhite(c) >= 3, `${c}: ${contrastWithWhite(c).toFixed(2)} : 1`);
    }
    set.forEach((a, i) =>
      set.slice(i + 1).forEach((b) => {
        for (const vision of visions) {
          const d = deltaE2000(lab(a, vision), lab(b, vision));
          assert(d >= 12, `${a} and ${b} are ${d.toFixed(1)} apart in ${vision}`);
        }
      })
    );
  }
});

/** The legend's rows, top to bottom: the labels of the entries on each. */
function legendRows(fig: PlotFigure): string[][] {
  const rows = new Map<number, string[]>();
  for (const entry of all(fig, 'g[aria-label="legend"] > g')) {
    const y = Number(entry.getAttribute("transform")!.match(/,([-\d.]+)\)/)![1]);
    if (!rows.has(y)) rows.set(y, []);
    rows.get(y)!.push(entry.querySelector("text")!.textContent!);
  }
  return [...rows].sort((a, b) => a[0] - b[0]).map(([, labels]) => labels);
}

Deno.test("lossCurves() breaks a legend that needs two rows between the runs and the line styles", () => {
  // Notebook 02's legend left "validation" alone on a second row under a full first one.
  const run = (name: string, k = 0) => ({
    name,
    history: { epoch: [1, 2], history: { loss: [1 + k, 0.5 + k], val_loss: [1.2 + k, 0.8 + k] } },
  });
  const fig = lossCurves([
    run("the post's setup (val = test set)"),
    run("N(0, 0.01) init, own validation set", 1),
  ]);
  assertEquals(legendRows(fig), [
    ["the post's setup (val = test set)", "N(0, 0.01) init, own validation set"],
    ["train", "validation"],
  ]);
  // Notebook 01's legend of four rates fits one row, as before.
  const rates = [1, 2, 3, 4].map((k) => run(`lr 1e-${k}`, k));
  assertEquals(legendRows(lossCurves(rates)).length, 1);
});

Deno.test("lossCurves() draws wide a run close under a later one over just two epochs", () => {
  // The y range is about 0.2–1.1 over 286 px, as in closeRuns(): 0.005 is about 1.5 px.
  const runs = [
    { name: "ours", history: { epoch: [1, 2], history: { loss: [1.1, 0.2] } } },
    { name: "theirs", history: { epoch: [1, 2], history: { loss: [1.105, 0.205] } } },
  ];
  const legend = all(lossCurves(runs), 'g[aria-label="legend"] text').map((t) => t.textContent);
  assertEquals(legend.slice(0, 2), ["ours (drawn wide: within 3 px of “theirs”)", "theirs"]);
});

Deno.test("lossCurves() notes each series' epochs and extreme, to 3 significant digits", () => {
  // Train leaves the range at epoch 1 alone, validation at epochs 1, 2 and 4 (not one run).
  const note = (loss: number[], val_loss: number[]) =>
    caption(lossCurves({ epoch: [1, 2, 3, 4], history: { loss, val_loss } }, {
      ylim: [0, 2],
      width: 1000,
    }));
  assertEquals(
    note([2.346, 1.5, 0.8, 0.7], [2.2, 2.5, 0.9, 2.3]),
    "Off the scale (above 2): train at epoch 1 (2.35) and validation at 3 epochs (up to 2.5)",
  );
  // Both series off at epoch 1 only: each value.
  assertEquals(
    note([2.346, 1.5, 0.8, 0.7], [2.214, 1.9, 0.9, 1]),
    "Off the scale (above 2): train 2.35 and validation 2.21 at epoch 1",
  );
  // Both off at the same epochs: the highest of either series.
  assertEquals(
    note([2.2, 2.1, 1, 0.9], [2.3, 2.6, 1, 1]),
    "Off the scale (above 2): train and validation at epochs 1–2 (up to 2.6)",
  );
});

Deno.test("lossCurves() leaves a point lying exactly on an end of the y range out of the note", () => {
  // history runs from 0.75 (train, epoch 4) to 1.2 (train, epoch 1).
  assertEquals(caption(lossCurves(history, { ylim: [0.75, 1.2] })), null);
  // The bound is written as given, not rounded.
  assertEquals(
    caption(lossCurves(history, { ylim: [0, 1.125] })),
    "Off the scale (above 1.125): train 1.2 at epoch 1",
  );
});

/** Points as the loss plot holds them, for the off-scale note. */
const scalePoints = (
  run: string,
  split: ScalePoint["split"],
  list: [epoch: number, value: number][],
): ScalePoint[] => list.map(([epoch, value]) => ({ run, split, epoch, value }));

const splitNames = { train: "train", validation: "validation" };

Deno.test("offScaleNote() takes the most detailed form that fits, caption included", () => {
  const points = [
    ...scalePoints("r", "train", [[1, 2.346]]),
    ...scalePoints("r", "validation", [[1, 2.2], [2, 2.5], [4, 2.3]]),
  ];
  const style = (maxWidth: number, caption?: string) => ({
    multi: false,
    names: splitNames,
    maxWidth,
    caption,
  });
  // Too narrow for each series' extreme: the epochs, and the extreme of both.
  const epochsOnly =
    "Off the scale (above 2): train at epoch 1 and validation at 3 epochs (up to 2.5)";
  assertEquals(offScaleNote(points, [0, 2], style(textWidth(epochsOnly))), epochsOnly);
  // The caller's caption counts towards the width; its trailing "; " becomes ". ".
  const lead = "A caption that takes up a good part of the line. ";
  const withCaption = offScaleNote(
    points,
    [0, 2],
    style(textWidth(lead + epochsOnly), "A caption that takes up a good part of the line; "),
  )!;
  assertEquals(withCaption, lead + epochsOnly);
  // Counts per series of each run, each run with its own extreme.
  const runs = [
    ...scalePoints("a", "train", [[1, 2.346]]),
    ...scalePoints("b", "train", [[1, 3.1], [2, 2.2]]),
    ...scalePoints("b", "validation", [[3, 2.4]]),
  ];
  const counts =
    "Off the scale (above 2): a, 1 train point (2.35); b, 2 train, 1 validation points (up to 3.1)";
  assertEquals(
    offScaleNote(runs, [0, 2], { ...style(textWidth(counts)), multi: true }),
    counts,
  );
  // Nothing fits: the shortest form, a count of all points.
  const one = scalePoints("a", "train", [[1, 2.346]]);
  assertEquals(offScaleNote(one, [0, 2], style(10)), "Off the scale (above 2): 1 point (2.35)");
  assertEquals(
    offScaleNote(one, [0, 2], { ...style(10), multi: true }),
    "Off the scale (above 2): 1 point of 1 run (2.35)",
  );
});

/** The chart's height (the default figure height; legend and caption lie outside it). */
const CHART_HEIGHT = 340;

/** Each baseline label as a block of lines 12 px apart around its y, top to bottom. */
const labelBlocks = (fig: PlotFigure) =>
  all(fig, 'g[aria-label="text"] text').map((t) => {
    // One line is written as the text itself, several as its tspans.
    const tspans = Array.from(t.children).map((s) => s.textContent ?? "");
    const lines = tspans.length ? tspans : [t.textContent ?? ""];
    const y = textY(t);
    return { y, lines, top: y - lines.length * 6, bottom: y + lines.length * 6 };
  }).sort((a, b) => a.top - b.top);

/** Asserts that the blocks lie inside the chart and apart from each other. */
function assertStacked(blocks: ReturnType<typeof labelBlocks>) {
  const where = JSON.stringify(blocks.map(({ top, bottom }) => [top, bottom]));
  assert(blocks[0].top >= 0, `a label runs above the chart: ${where}`);
  assert(blocks.at(-1)!.bottom <= CHART_HEIGHT, `a label runs below the chart: ${where}`);
  blocks.slice(1).forEach((b, i) => assert(blocks[i].bottom <= b.top, `overlap: ${where}`));
}

Deno.test("lossCurves() stacks the labels of baselines at the top of the range down, inside the chart", () => {
  const long = "user + movie bias (tail validation)"; // two lines and the value
  for (const [first, second] of [[long, "mean"], ["mean", long]]) {
    const fig = lossCurves(history, {
      ylim: [0, 2],
      baseline: [{ value: 2, label: first }, { value: 1.99, label: second }],
    });
    assertStacked(labelBlocks(fig));
  }
});

Deno.test("lossCurves() stacks the labels of baselines at the bottom of the range up, inside the chart", () => {
  // A label without text is its value alone, one line.
  for (const first of ["", "user + movie bias (tail validation)"]) {
    const fig = lossCurves(history, {
      ylim: [0, 2],
      baseline: [0.006, 0.004, 0.002, 0].map((value, i) => ({
        value,
        label: i === 0 ? first : "",
      })),
    });
    const blocks = labelBlocks(fig);
    assertEquals(blocks.length, 4);
    assertStacked(blocks);
  }
});

Deno.test("lossCurves() leaves a label that fits beside its line there, with no leader", () => {
  // 0.08 below the top of 0 to 2 is about 11 px into the chart: room for "mean" and "1.92".
  const fig = lossCurves(history, { ylim: [0, 2], baseline: { value: 1.92, label: "mean" } });
  const ruleY = Number(all(fig, 'g[aria-label="rule"] line')[0].getAttribute("y1"));
  const [text] = all(fig, 'g[aria-label="text"] text');
  assert(Math.abs(textY(text) - ruleY) < 0.2, `label at ${textY(text)}, line at ${ruleY}`);
  assertEquals(mark(fig, "link", "path").length, 0);
  // The lines sit around the rule: the first baseline above it, the last below.
  const em = (v: string | null) => Number(v?.replace("em", "") ?? 0) * 12;
  let y = textY(text);
  const baselines = Array.from(text.children).map((t, i) =>
    y = i === 0 ? y + em(t.getAttribute("y")) : y + em(t.getAttribute("dy"))
  );
  assert(baselines[0] < ruleY && ruleY < baselines.at(-1)!, `${baselines} around ${ruleY}`);
});

/** The x of a `transform="translate(x,…)"`. */
const shiftX = (node: { getAttribute(name: string): string | null }) =>
  Number(node.getAttribute("transform")?.match(/translate\(([-\d.]+)/)?.[1] ?? 0);

Deno.test("lossCurves() joins a moved baseline label to its line by a leader between the chart and the text", () => {
  const fig = lossCurves(history, {
    baseline: [
      { value: 0.7561, label: "per-movie mean (tail validation)" },
      { value: 0.7543, label: "per-movie mean (shuffled)" },
    ],
  });
  // Too close to stand level with their lines, the two labels move apart, one up, one down.
  const ruleYs = mark(fig, "rule", "line").map((l) => Number(l.getAttribute("y1")));
  const group = all(fig, 'g[aria-label="text"]')[0];
  const texts = all(fig, 'g[aria-label="text"] text');
  const links = mark(fig, "link", "path");
  assertEquals(links.length, 2, "a leader for each moved label");
  const lastX = Math.max(...mark(fig, "dot", "circle").map((c) => Number(c.getAttribute("cx"))));
  const [upper, lower] = [Math.min(...ruleYs), Math.max(...ruleYs)];
  for (const [value, ruleY] of [["0.756", upper], ["0.754", lower]] as const) {
    const moved = texts.find((t) => t.textContent?.endsWith(value))!;
    const ends = links.map((l) => l.getAttribute("d")!.match(/[-\d.]+/g)!.map(Number));
    const found = ends.find(([, y1]) => y1 === ruleY);
    assert(found, `no leader starts at the line of ${value}`);
    const [x1, y1, x2, y2] = found;
    assertEquals([y1, y2], [ruleY, textY(moved)]);
    // The leader runs right of the last point and left of the text.
    const linkX = x1 + shiftX(all(fig, 'g[aria-label="link"]')[0]);
    const textX = shiftX(moved) + shiftX(group);
    assertEquals(x1, x2);
    assert(lastX < linkX && linkX < textX, `point ${lastX}, leader ${linkX}, text ${textX}`);
  }
});

Deno.test("lossCurves() moves close baseline labels apart so that each spans its own line and no other", () => {
  // Notebook 05: 0.766 and 0.756, 14 px apart, each label three lines (42 px) high. Stacked
  // down from the upper line, the upper label covered both lines and the lower hung below them.
  const h = { epoch: [1, 2, 3, 4, 5], history: { mae: [0.795, 0.702, 0.654, 0.631, 0.625] } };
  const fig = lossCurves(h, {
    metric: "mae",
    baseline: [
      { value: 0.7557, label: "per-movie mean (tail validation)" },
      { value: 0.7657, label: "user + movie bias (tail validation)" },
    ],
  });
  const ruleYs = mark(fig, "rule", "line").map((l) => Number(l.getAttribute("y1")))
    .sort((a, b) => a - b);
  const blocks = labelBlocks(fig);
  assertEquals(blocks.map((b) => b.lines.at(-1)), ["0.766", "0.756"]);
  blocks.forEach((b, i) => {
    const where = `${JSON.stringify([b.top, b.bottom])}, lines at ${ruleYs}`;
    assert(b.top <= ruleYs[i] && ruleYs[i] <= b.bottom, `label ${i} misses its line: ${where}`);
    const other = ruleYs[1 - i];
    assert(other < b.top || other > b.bottom, `label ${i} spans the other line: ${where}`);
  });
});

Deno.test("lossCurves() counts the baselines off the scale in the legend, and draws one exactly at its bottom", () => {
  const legendOf = (fig: PlotFigure) =>
    all(fig, 'g[aria-label="legend"] text').map((t) => t.textContent);
  const fig = lossCurves(history, {
    ylim: [0.5, 2],
    baseline: [
      { value: 0.5, label: "floor" },
      { value: 3, label: "above" },
      { value: 0.1, label: "below" },
    ],
  });
  assertEquals(legendOf(fig).at(-1), "baseline (2 off the scale)");
  assertEquals(labelBlocks(fig).map((b) => b.lines), [["floor", "0.5"]]);
  // The key is dotted like the lines it stands for.
  const key = all(fig, 'g[aria-label="legend"] line').at(-1)!.getAttribute("stroke-dasharray");
  const rule = all(fig, 'g[aria-label="rule"] g')[0].getAttribute("stroke-dasharray");
  assertEquals(key?.split(",")[0], rule?.split(",")[0]);
  // All off the scale: no label, but the legend still says they are there.
  const none = lossCurves(history, {
    ylim: [0.5, 2],
    baseline: [{ value: 3, label: "above" }, { value: 0.1, label: "below" }],
  });
  assertEquals(legendOf(none).at(-1), "baseline (2 off the scale)");
  assertEquals(labelBlocks(none).length, 0);
});

Deno.test("lossCurves() cuts a baseline label to two lines of at most 150 px, marking the cut", () => {
  const words = "a very long baseline label that would not fit the right margin at all";
  const word = "per-movie-mean-of-the-shuffled-validation-ratings";
  for (const label of [words, word]) {
    const [block] = labelBlocks(lossCurves(history, { baseline: { value: 1.2, label } }));
    const lines = block.lines.slice(0, -1);
    assert(lines.length <= 2, lines.join(" | "));
    for (const line of lines) assert(textWidth(line) <= 150, `${line}: ${textWidth(line)} px`);
    assert(lines.at(-1)!.endsWith("…"), lines.join(" | "));
  }
});

Deno.test("lossCurves() draws values up to the largest number and of any size", () => {
  // The round domain went up to 2e308, Infinity; the hover text read "epoch 2: Infinity".
  const top = lossCurves({ epoch: [1, 2], history: { loss: [0, Number.MAX_VALUE] } });
  assertEquals(unwritten(top), []);
  assertEquals(titles(top).at(-1), "train · epoch 2: 1.798e+308");
  const flat = lossCurves({ epoch: [1, 2], history: { loss: [1e20, 1e20] } });
  assertEquals(tickLabels(flat, "y")[0], "9e+19");
  const tiny = lossCurves({ epoch: [1, 2], history: { loss: [1e-300, 2e-300] } });
  assertEquals(tickLabels(tiny, "y")[0], "1e-300");
});

Deno.test("lossCurves() refuses values or a ylim no axis can span, naming them", () => {
  assertThrows(
    () => lossCurves({ epoch: [1, 2], history: { loss: [1e308, -1e308] } }),
    RangeError,
    "lossCurves(): expected values whose range fits on an axis, found -1e+308 to 1e+308",
  );
  assertThrows(
    () => lossCurves({ epoch: [1, 2], history: { loss: [1e-320, 2e-320] } }),
    RangeError,
    "lossCurves(): expected values at least 1e-300 apart or all equal, found 1e-320 to 2e-320",
  );
  assertThrows(
    () => lossCurves({ epoch: [1, 2], history: { loss: [1, 2] } }, { ylim: [-1e308, 1e308] }),
    RangeError,
    "lossCurves(): expected ylim whose range fits on an axis",
  );
});

Deno.test("lossCurves() names its dotted lines as told, in the legend and the text alternative", () => {
  const legendOf = (fig: PlotFigure) =>
    all(fig, 'g[aria-label="legend"] text').map((t) => t.textContent);
  const floor = { value: 0.5, label: "mean entropy" };
  const fig = lossCurves(history, { baseline: floor, baselineName: "floor" });
  assertEquals(legendOf(fig).at(-1), "floor");
  assert(fig.info.description?.endsWith(" Dotted line (floor): mean entropy 0.500."));
  const off = lossCurves(history, {
    ylim: [0.6, 2],
    baseline: [floor, { value: 0.7, label: "b" }],
    baselineName: "floor",
  });
  assertEquals(legendOf(off).at(-1), "floor (1 off the scale)");
  assert(off.info.description?.includes(" Dotted lines (floor): mean entropy 0.500; b 0.700."));
  // Without a name, a baseline.
  assertEquals(legendOf(lossCurves(history, { baseline: floor })).at(-1), "baseline");
  assertThrows(
    () => lossCurves(history, { baseline: floor, baselineName: " " }),
    TypeError,
    'lossCurves(): expected baselineName as a non-empty string, found " "',
  );
  assertThrows(
    () => lossCurves(history, { baselineName: "floor" }),
    TypeError,
    'lossCurves(): baselineName "floor" names the dotted lines, but no baseline was given',
  );
});
