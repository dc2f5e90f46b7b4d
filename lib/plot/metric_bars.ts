/**
 * Horizontal bars of one figure per model — a ranking metric over seeds, say — with the spread
 * over the seeds as a whisker (mean ± standard deviation) and the published figure for the same
 * model as a black tick (a range as a short black bar), so that "ours beside the published" is
 * one picture.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { INK, MUTED } from "./_dom.ts";
import { barFrame } from "./_bar_frame.ts";
import { finiteField, rowArray, textField } from "./_check.ts";
import { render } from "./_render.ts";
import type { FigureOptions, PlotFigure } from "./figure.ts";

/** One bar. */
export interface MetricBar {
  /** The model (the bar's label). */
  model: string;
  /** The value (a mean over seeds, or a single run's figure). */
  value: number;
  /**
   * The standard deviation over seeds (≥ 0), drawn as a whisker of ± sd.
   * @default {undefined (no whisker)}
   */
  sd?: number;
  /**
   * A published figure for the same model and protocol: a value or a [low, high] range
   * (low ≤ high).
   * @default {undefined}
   */
  published?: number | [number, number];
}

/** Options of {@linkcode metricBars}. */
export interface MetricBarsOptions extends FigureOptions {
  /** The x-axis label, e.g. `"NDCG@10 (mean ± sd over 3 seeds)"`. */
  xLabel?: string;
  /**
   * Digits of the values written at the bars' ends.
   * @default {3}
   */
  digits?: number;
}

const BAR = "#4269d0";

interface Row {
  model: string;
  value: number;
  lo: number;
  hi: number;
  sd: number | undefined;
  published: [number, number] | undefined;
}

/**
 * Plots one horizontal bar per model in the given order, the value written at its end, a
 * whisker of ± sd when given, and the published figure as a black tick (or a black bar over a
 * published range). Hover text gives every number.
 *
 * @param rows One `{ model, value, sd?, published? }` per bar.
 * @param options Axis label, digits, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @throws {TypeError} For a row without a model name or with a non-numeric value.
 * @throws {RangeError} For a non-finite value, a negative sd, or a published range whose low
 *   end is above its high end.
 * @example
 * ```ts
 * import { metricBars } from "./metric_bars.ts";
 * import { assertEquals } from "@std/assert";
 * const fig = metricBars([
 *   { model: "most popular", value: 0.218, sd: 0.004, published: 0.22 },
 *   { model: "softmax", value: 0.449, sd: 0.003 },
 * ], { xLabel: "NDCG@10", title: "Ranking quality" });
 * assertEquals(fig.summary, "[figure: metric bars \"Ranking quality\", 2 bars]");
 * ```
 */
export function metricBars(rows: MetricBar[], options: MetricBarsOptions = {}): PlotFigure {
  const fn = "metricBars";
  const list = rowArray<MetricBar>(fn, "rows", rows, "rows");
  const { xLabel = "Value", digits = 3 } = options;
  if (!Number.isInteger(digits) || digits < 0 || digits > 10) {
    throw new RangeError(`${fn}(): expected digits to be an integer 0–10, found ${digits}`);
  }
  const bars: Row[] = list.map((row, i) => barRow(fn, row, i));
  const fmt = (v: number) => v.toFixed(digits);
  const hover = (r: Row) =>
    `${r.model}: ${fmt(r.value)}${r.sd !== undefined ? ` ± ${fmt(r.sd)}` : ""}${
      r.published
        ? `; published ${
          r.published[0] === r.published[1]
            ? fmt(r.published[0])
            : `${fmt(r.published[0])}–${fmt(r.published[1])}`
        }`
        : ""
    }`;
  const top = Math.max(0, ...bars.flatMap((r) => [r.hi, r.published?.[1] ?? 0]));
  const lo = Math.min(0, ...bars.map((r) => r.lo));
  const withSd = bars.filter((r) => r.sd !== undefined);
  const marks: Plot.Markish[] = [
    Plot.barX(bars, { x: "value", y: "model", fill: BAR, title: hover }),
    Plot.ruleX([0], { stroke: MUTED }),
    Plot.text(bars, {
      x: "hi",
      y: "model",
      text: (r: Row) => fmt(r.value),
      textAnchor: "start",
      dx: 6,
      fill: MUTED,
    }),
  ];
  if (withSd.length) {
    marks.push(
      Plot.ruleY(withSd, { y: "model", x1: "lo", x2: "hi", stroke: INK, strokeWidth: 1.5 }),
    );
  }
  marks.push(...publishedMarks(bars, hover));
  const frame = barFrame({
    labels: bars.map((r) => r.model),
    xLabel,
    domain: [lo, top * 1.12 || 1],
    rowHeight: 26,
    padding: 0.25,
    marginRight: 48,
    maxMarginLeft: 300,
    marks,
  });
  return render(
    fn,
    frame,
    options,
    { kind: "metric bars", points: bars.length, unit: "bars" },
  );
}

/** One bar of {@linkcode metricBars}, checked: its whisker's ends and the published range. */
function barRow(fn: string, row: MetricBar, i: number): Row {
  textField(fn, "rows", i, "model", row.model);
  finiteField(fn, "rows", i, "value", row.value);
  if (row.sd !== undefined && finiteField(fn, "rows", i, "sd", row.sd) < 0) {
    throw new RangeError(
      `${fn}(): expected a standard deviation ≥ 0 in rows[${i}] (${row.model}), found ${row.sd}`,
    );
  }
  let published: [number, number] | undefined;
  if (row.published !== undefined) {
    const p = Array.isArray(row.published) ? row.published : [row.published, row.published];
    if (p.length !== 2) {
      throw new RangeError(
        `${fn}(): expected rows[${i}].published as a number or [low, high], found an array ` +
          `of ${p.length}`,
      );
    }
    p.forEach((v) => finiteField(fn, "rows", i, "published", v));
    if (p[0] > p[1]) {
      throw new RangeError(
        `${fn}(): expected rows[${i}].published (${row.model}) as [low, high] with low ≤ high, ` +
          `found [${p[0]}, ${p[1]}]`,
      );
    }
    published = [p[0], p[1]];
  }
  const sd = row.sd;
  return {
    model: row.model,
    value: row.value,
    lo: row.value - (sd ?? 0),
    hi: row.value + (sd ?? 0),
    sd,
    published,
  };
}

/** The published figures: a black tick, and a black bar over a published range. */
function publishedMarks(bars: Row[], hover: (r: Row) => string): Plot.Markish[] {
  const withPublished = bars.filter((r) => r.published !== undefined);
  if (!withPublished.length) return [];
  return [
    Plot.tickX(withPublished, {
      x: (r: Row) => r.published![0],
      y: "model",
      stroke: INK,
      strokeWidth: 3,
      title: hover,
    }),
    Plot.ruleY(withPublished.filter((r) => r.published![1] > r.published![0]), {
      y: "model",
      x1: (r: Row) => r.published![0],
      x2: (r: Row) => r.published![1],
      stroke: INK,
      strokeWidth: 6,
      title: hover,
    }),
  ];
}
