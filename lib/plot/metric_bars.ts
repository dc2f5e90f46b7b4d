/**
 * Horizontal bars of one figure per model — a ranking metric over seeds, say — with the spread
 * over the seeds as a whisker (mean ± standard deviation) and the published figure for the same
 * model as a hollow orange diamond (a range as a hollow orange box), named in a legend, so that
 * "ours beside the published" is one picture. The published marks are outlines in a colour of
 * their own, raised into the top of their row, and the whiskers, capped at both ends, are drawn
 * in front of them at the row's middle: a whisker a few pixels long still shows beside a mark at
 * the same value. Each value is written right of everything drawn on its row; an optional
 * dotted reference line (a catalogue's mean, say) crosses every row, labelled above the bars.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { INK, MUTED, WIDTH } from "./_dom.ts";
import { DASHES, type SwatchItem, swatchLegend } from "./_legend.ts";
import { barFrame, labelMargin } from "./_bar_frame.ts";
import { checkPlotOptions, finiteField, labelledValue, rowArray, textField } from "./_check.ts";
import { finiteWidth } from "./_extent.ts";
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
  /**
   * A dotted vertical reference line across every row (a catalogue's mean, say), labelled above
   * the bars with its label and value (`"catalogue mean: 48"`).
   * @default {none}
   */
  reference?: MetricReference;
}

/** A vertical reference line of {@linkcode metricBars}. */
export interface MetricReference {
  /** Where the line stands, in the bars' units. */
  value: number;
  /** What it is, written above the line before its value (blank: the value alone). */
  label: string;
}

const BAR = "#4269d0";
/** The published figures' colour: apart from the bars' blue and the whiskers' black. */
const PUBLISHED = "#e8590c";
/** Radius of a published value's diamond (Plot's "diamond2": tips 4.4 px from its centre). */
const DIAMOND_R = 4;
/** Stroke width (px) of the published marks' outlines. */
const OUTLINE = 1.5;
/**
 * How far (px) the published diamonds sit above the row's middle, where the whisker runs: their
 * lower tip, stroke included, 2.8 px above it, clear of the whisker's caps (2.5 px).
 */
const RAISE = 8;
/** How far (px) the diamond reaches right of its value: its tip and the stroke's mitre. */
const DIAMOND = 5.5;
/** Space (px) between the rightmost mark of a row and its value. */
const LABEL_GAP = 6;

interface Row {
  model: string;
  value: number;
  lo: number;
  hi: number;
  sd: number | undefined;
  published: [number, number] | undefined;
}

/** The options of {@linkcode metricBars} beside the figure's (kept complete by the type). */
const METRIC_BARS_OPTIONS: Record<Exclude<keyof MetricBarsOptions, keyof FigureOptions>, true> = {
  xLabel: true,
  digits: true,
  reference: true,
};

/**
 * Plots one horizontal bar per model in the given order, a capped whisker of ± sd when given,
 * the published figure as a hollow orange diamond (or a hollow orange box over a published
 * range) in the top of its row with a legend entry, the value written right of the whisker and
 * the published mark, and a dotted reference line when asked (a value it runs through is written
 * on a white halo, which breaks the line there). Hover text gives every number.
 *
 * @param rows One `{ model, value, sd?, published? }` per bar.
 * @param options Axis label, digits, reference line, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @throws {TypeError} For a row without a model name or with a non-numeric value, or a
 *   reference that is not `{ value: finite number, label: non-empty string }`.
 * @throws {RangeError} For a non-finite value, a negative sd, a whisker (value ± sd) past the
 *   largest number, a published range whose low end is above its high end, or values wider
 *   apart than the largest number (-1e308 and 1e308: no axis can span them).
 * @example
 * ```ts
 * import { metricBars } from "./metric_bars.ts";
 * import { assertEquals } from "@std/assert";
 * const fig = metricBars([
 *   { model: "most popular", value: 0.218, sd: 0.004, published: 0.22 },
 *   { model: "softmax", value: 0.449, sd: 0.003 },
 * ], { xLabel: "NDCG@10", title: "Ranking quality", reference: { value: 0.1, label: "random" } });
 * assertEquals(fig.summary, "[figure: metric bars \"Ranking quality\", 2 bars]");
 * ```
 */
export function metricBars(rows: MetricBar[], options: MetricBarsOptions = {}): PlotFigure {
  const fn = "metricBars";
  checkPlotOptions(fn, options, METRIC_BARS_OPTIONS);
  const list = rowArray<MetricBar>(fn, "rows", rows, "rows");
  const { xLabel = "Value", digits = 3 } = options;
  if (!Number.isInteger(digits) || digits < 0 || digits > 10) {
    throw new RangeError(`${fn}(): expected digits to be an integer 0–10, found ${digits}`);
  }
  const bars: Row[] = list.map((row, i) => barRow(fn, row, i));
  const reference = referenceOption(fn, options.reference);
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
  const ref = reference ? [reference.value] : [];
  const top = Math.max(0, ...bars.flatMap((r) => [r.hi, r.published?.[1] ?? 0]), ...ref);
  const lo = Math.min(0, ...bars.map((r) => r.lo), ...ref);
  // Room for the values written after the bars (up to the largest number).
  const domain = finiteWidth(fn, "values", [
    lo,
    Math.min(top * 1.12, Number.MAX_VALUE) || 1,
  ], [lo, top]);
  const marks: Plot.Markish[] = [
    Plot.barX(bars, { x: "value", y: "model", fill: BAR, title: hover }),
    Plot.ruleX([0], { stroke: MUTED }),
  ];
  if (reference) marks.push(...referenceMarks(reference, domain, fmt));
  const band = bandHeight(bars.length);
  const published = publishedMarks(bars, hover, band);
  marks.push(...published.marks);
  // In front of the published marks, which would otherwise hide a whisker shorter than them.
  marks.push(...whiskerMarks(bars.filter((r) => r.sd !== undefined), band));
  const rowLabels = bars.map((r) => r.model);
  const plotWidth = (options.width ?? WIDTH) - labelMargin(rowLabels, FRAME.maxMarginLeft) -
    FRAME.marginRight;
  const perPixel = (domain[1] - domain[0]) / plotWidth;
  marks.push(Plot.text(bars, {
    x: (r: Row) => labelAnchor(r, perPixel),
    y: "model",
    text: (r: Row) => fmt(r.value),
    textAnchor: "start",
    dx: LABEL_GAP,
    fill: MUTED,
    // A reference line may run through a value: a white halo keeps the digits readable.
    ...(reference ? { stroke: "white", strokeWidth: 4, paintOrder: "stroke" } : {}),
  }));
  const legend = published.legend;
  const frame = barFrame({
    ...FRAME,
    ...(reference ? { marginTop: FRAME.marginTop + REFERENCE_ROOM } : {}),
    labels: rowLabels,
    xLabel,
    domain,
    marks,
  });
  return render(
    fn,
    {
      ...frame,
      ...(legend.length ? { legend: swatchLegend(legend, (options.width ?? WIDTH) - 20) } : {}),
    },
    options,
    {
      kind: "metric bars",
      points: bars.length,
      unit: "bars",
      // "most popular 0.214 ± 0.004 (published 0.220)", from the hover text.
      description: `Horizontal bar chart of ${xLabel}, top to bottom: ${
        bars.map((r) => hover(r).replace(": ", " ").replace(/; published (.*)$/, " (published $1)"))
          .join("; ")
      }.${
        reference
          ? ` Dotted line: ${reference.label === "" ? "" : `${reference.label} `}${
            fmt(reference.value)
          }.`
          : ""
      }`,
    },
  );
}

/** The frame options every metric bar chart shares. */
const FRAME = {
  rowHeight: 26,
  padding: 0.25,
  marginTop: 8,
  marginRight: 48,
  maxMarginLeft: 300,
};

/** Room (px) above the bars for a reference line's label. */
const REFERENCE_ROOM = 16;

/** The reference option, checked: `{ value: finite number, label: string }`. */
function referenceOption(fn: string, given: unknown): MetricReference | undefined {
  return given === undefined ? undefined : labelledValue(fn, "reference", given);
}

/**
 * A reference line: dotted, across every row, in front of the bars (a bar ending past it still
 * shows it) and behind the whiskers; its label and value above the bars, running away from the
 * nearer side of the chart so that it stays inside.
 */
function referenceMarks(
  ref: MetricReference,
  domain: [number, number],
  fmt: (v: number) => string,
): Plot.Markish[] {
  const text = ref.label === "" ? fmt(ref.value) : `${ref.label}: ${fmt(ref.value)}`;
  const leftHalf = ref.value - domain[0] <= (domain[1] - domain[0]) / 2;
  return [
    // Dark dots on a white line: seen on the bars' blue and between them.
    Plot.ruleX([ref.value], { stroke: "white", strokeWidth: 3.5 }),
    Plot.ruleX([ref.value], {
      stroke: INK,
      strokeWidth: 1.5,
      strokeDasharray: DASHES.dotted,
      title: () => text,
    }),
    Plot.text([ref.value], {
      x: (v: number) => v,
      frameAnchor: "top",
      lineAnchor: "bottom",
      dy: -4,
      textAnchor: leftHalf ? "start" : "end",
      dx: leftHalf ? -2 : 2,
      text: () => text,
      fill: MUTED,
    }),
  ];
}

/**
 * Where a row's value is written (before the gap): right of the bar or whisker end and of the
 * published mark, whose diamond reaches `DIAMOND` px past its value (a box, its stroke's 1 px).
 */
function labelAnchor(r: Row, perPixel: number): number {
  if (!r.published) return r.hi;
  const [low, high] = r.published;
  const reach = (low === high ? DIAMOND : 1) * perPixel;
  return Math.max(r.hi, high + reach);
}

/** Height (px) of a whisker's end caps. */
const CAP = 5;

/**
 * The height (px) of a bar among `rows` rows, as Plot's band scale makes it: the rows' height
 * divided into `rows − padding + 2 × padding` steps rounded down to whole pixels, `padding` of
 * each step left empty, the rest rounded.
 */
const bandHeight = (rows: number) =>
  Math.round(
    Math.floor(FRAME.rowHeight * rows / (rows + FRAME.padding)) * (1 - FRAME.padding),
  );

/**
 * The whiskers of ± sd: a line with an end cap at each end, so that one only a few pixels long
 * still shows its two ends.
 */
function whiskerMarks(withSd: Row[], band: number): Plot.Markish[] {
  if (!withSd.length) return [];
  const inset = (band - CAP) / 2;
  const style = { y: "model", stroke: INK, strokeWidth: 1.5 };
  return [
    Plot.ruleY(withSd, { ...style, x1: "lo", x2: "hi" }),
    ...(["lo", "hi"] as const).map((x) =>
      Plot.tickX(withSd, { ...style, x, insetTop: inset, insetBottom: inset })
    ),
  ];
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
  const [lo, hi] = [row.value - (sd ?? 0), row.value + (sd ?? 0)];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new RangeError(
      `${fn}(): expected rows[${i}] (${row.model}) value ± sd within the largest number, found ` +
        `${row.value} ± ${sd}`,
    );
  }
  return {
    model: row.model,
    value: row.value,
    lo,
    hi,
    sd,
    published,
  };
}

/**
 * The published figures: a hollow diamond at a single value, a hollow box over a range, both
 * in the top of the row, above the whisker's line, and open, so the bar's end shows through;
 * and their legend entries (only the kinds drawn).
 */
function publishedMarks(
  bars: Row[],
  hover: (r: Row) => string,
  band: number,
): { marks: Plot.Markish[]; legend: SwatchItem[] } {
  const values = bars.filter((r) => r.published !== undefined && r.published[0] === r.published[1]);
  const ranges = bars.filter((r) => r.published !== undefined && r.published[0] < r.published[1]);
  const legend: SwatchItem[] = [];
  if (values.length) legend.push({ label: "published figure", color: PUBLISHED, shape: "diamond" });
  if (ranges.length) legend.push({ label: "published range", color: PUBLISHED, shape: "box" });
  const marks = [
    Plot.barX(ranges, {
      x1: (r: Row) => r.published![0],
      x2: (r: Row) => r.published![1],
      y: "model",
      fill: "none",
      stroke: PUBLISHED,
      strokeWidth: OUTLINE,
      // From 2 px above the bar to 3.5 px above the row's middle: clear of the caps, as the
      // diamonds.
      insetTop: -2,
      insetBottom: band / 2 + 3.5,
      title: hover,
    }),
    Plot.dot(values, {
      x: (r: Row) => r.published![0],
      y: "model",
      symbol: "diamond2",
      r: DIAMOND_R,
      dy: -RAISE,
      fill: "none",
      stroke: PUBLISHED,
      strokeWidth: OUTLINE,
      title: hover,
    }),
  ];
  return { marks, legend };
}
