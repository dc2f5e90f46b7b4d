/**
 * Horizontal bar charts of one score per movie, sorted: learned movie biases (the
 * "best/worst movies" tables of seeds 000 and 003), or any per-title number.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { MUTED, shortLabels } from "./_dom.ts";
import { barFrame } from "./_bar_frame.ts";
import { checkPlotOptions, finiteField, positive, rowArray, textField } from "./_check.ts";
import { finiteWidth, padded } from "./_extent.ts";
import { render } from "./_render.ts";
import type { FigureOptions, PlotFigure } from "./figure.ts";

/** One bar. */
export interface BiasRow {
  /** The label (a movie title). */
  title: string;
  /** The bar's value (a learned bias, in stars). */
  bias: number;
  /** The movie id, used to tell apart movies with the same title. */
  id?: number;
}

/** Options of {@linkcode biasBars}. */
export interface BiasBarsOptions extends FigureOptions {
  /**
   * Bar order from top to bottom.
   * @default {"descending"}
   */
  sort?: "descending" | "ascending" | "none";
  /**
   * The x-axis label.
   * @default {"Bias (stars)"}
   */
  xLabel?: string;
  /**
   * Labels longer than this are shortened, keeping the year and the words that tell similar
   * titles apart; the hover title stays whole.
   * @default {40}
   */
  maxLabelLength?: number;
  /**
   * Write each bar's value at its end.
   * @default {true}
   */
  values?: boolean;
}

const POSITIVE = "#4269d0";
const NEGATIVE = "#e15759";

interface Bar {
  label: string;
  title: string;
  bias: number;
}

/** The options of {@linkcode biasBars} beside the figure's (kept complete by the type). */
const BIAS_BARS_OPTIONS: Record<Exclude<keyof BiasBarsOptions, keyof FigureOptions>, true> = {
  sort: true,
  xLabel: true,
  maxLabelLength: true,
  values: true,
};

/**
 * Plots one horizontal bar per title, sorted by value, blue above zero and red below, with the
 * value written at the end of each bar. Repeated titles get their id appended.
 *
 * @param rows `{ title, bias }` per bar (e.g. the 15 highest movie biases).
 * @param options Sort order, labels, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @throws {TypeError} On rows that are not `{ title, bias }` objects, or a bad `sort`.
 * @throws {RangeError} On no rows, a bias that is not finite, a bad `maxLabelLength`, or biases
 *   wider apart than the largest number (-1e308 and 1e308: no axis can span them).
 * @example
 * ```ts
 * import { biasBars } from "./bars.ts";
 * import { assertEquals } from "@std/assert";
 * const fig = biasBars([
 *   { title: "Shawshank Redemption, The (1994)", bias: 0.91 },
 *   { title: "Striptease (1996)", bias: -0.84 },
 * ], { title: "Learned movie biases" });
 * assertEquals(fig.summary, "[figure: bias bars \"Learned movie biases\", 2 bars]");
 * ```
 */
export function biasBars(rows: BiasRow[], options: BiasBarsOptions = {}): PlotFigure {
  const fn = "biasBars";
  checkPlotOptions(fn, options, BIAS_BARS_OPTIONS);
  const list = rowArray<BiasRow>(fn, "rows", rows, "rows");
  const { sort = "descending", xLabel = "Bias (stars)", maxLabelLength = 40, values = true } =
    options;
  positive(fn, "maxLabelLength", maxLabelLength, true);
  if (!["descending", "ascending", "none"].includes(sort)) {
    throw new TypeError(
      `${fn}(): expected sort "descending", "ascending" or "none", found "${sort}"`,
    );
  }
  const bars = labelledBars(fn, list, maxLabelLength, sort);

  const lo = Math.min(0, ...bars.map((b) => b.bias));
  const hi = Math.max(0, ...bars.map((b) => b.bias));
  finiteWidth(fn, "biases", [lo, hi]);
  // Room for the values written at the bars' ends (less where it would pass the largest number).
  const [roomLo, roomHi] = padded(lo, hi, values ? 0.14 : 0.03);
  const domain: [number, number] = [lo < 0 ? roomLo : 0, hi > 0 ? roomHi : 0];
  const fmt = (v: number) => (v > 0 ? "+" : "") + v.toFixed(2);
  const marks: Plot.Markish[] = [
    Plot.barX(bars, {
      x: "bias",
      y: "label",
      fill: (b: Bar) => b.bias >= 0 ? POSITIVE : NEGATIVE,
      title: (b: Bar) => `${b.title}: ${fmt(b.bias)}`,
    }),
    Plot.ruleX([0], { stroke: MUTED }),
  ];
  if (values) marks.push(...valueMarks(bars, fmt));
  const frame = barFrame({
    labels: bars.map((b) => b.label),
    xLabel,
    domain,
    rowHeight: 22,
    padding: 0.2,
    marginRight: 16,
    maxMarginLeft: 360,
    marks,
    extra: { color: { type: "identity" } },
  });
  return render(
    fn,
    frame,
    options,
    {
      kind: "bias bars",
      points: bars.length,
      unit: "bars",
      description: describeBars(bars, xLabel, fmt),
    },
  );
}

/**
 * The bars of {@linkcode biasBars}, checked, labelled and sorted: a repeated title gets its id
 * (or its rank among the repeats) appended, and labels that still collide are numbered.
 */
function labelledBars(
  fn: string,
  list: BiasRow[],
  maxLabelLength: number,
  sort: NonNullable<BiasBarsOptions["sort"]>,
): Bar[] {
  const counts = new Map<string, number>();
  list.forEach((row, i) => {
    textField(fn, "rows", i, "title", row.title);
    finiteField(fn, "rows", i, "bias", row.bias);
    counts.set(row.title, (counts.get(row.title) ?? 0) + 1);
  });
  const seen = new Map<string, number>();
  const short = shortLabels(list.map((row) => row.title), maxLabelLength);
  const bars: Bar[] = list.map((row, i) => {
    let label = short[i];
    if (counts.get(row.title)! > 1) {
      const k = (seen.get(row.title) ?? 0) + 1;
      seen.set(row.title, k);
      label += row.id !== undefined ? ` [id ${row.id}]` : ` [${k}]`;
    }
    return { label, title: row.title, bias: row.bias };
  });
  if (sort === "descending") bars.sort((a, b) => b.bias - a.bias);
  if (sort === "ascending") bars.sort((a, b) => a.bias - b.bias);
  const labels = new Set(bars.map((b) => b.label));
  if (labels.size < bars.length) {
    // Two cut labels can still collide; number them so each bar keeps its own row.
    bars.forEach((b, i) => b.label = `${i + 1}. ${b.label}`);
  }
  return bars;
}

/** Each bar's value written at its end: right of a positive bar, left of a negative one. */
function valueMarks(bars: Bar[], fmt: (v: number) => string): Plot.Markish[] {
  return [
    Plot.text(bars.filter((b) => b.bias >= 0), {
      x: "bias",
      y: "label",
      text: (b: Bar) => fmt(b.bias),
      textAnchor: "start",
      dx: 4,
      fill: MUTED,
    }),
    Plot.text(bars.filter((b) => b.bias < 0), {
      x: "bias",
      y: "label",
      text: (b: Bar) => fmt(b.bias),
      textAnchor: "end",
      dx: -4,
      fill: MUTED,
    }),
  ];
}

/**
 * Bias bars in words: the axis, then the bars from top to bottom, all of them up to 8, else the
 * first and last three.
 */
function describeBars(bars: Bar[], xLabel: string, fmt: (v: number) => string): string {
  const bar = (b: Bar) => `${b.title} ${fmt(b.bias).replace("-", "−")}`;
  const list = bars.length <= 8
    ? bars.map(bar).join("; ")
    : `${bars.slice(0, 3).map(bar).join("; ")}; … ${bars.length - 6} more …; ${
      bars.slice(-3).map(bar).join("; ")
    }`;
  return `Horizontal bar chart of ${xLabel} for ${bars.length} ${
    bars.length === 1 ? "movie" : "movies"
  }, top to bottom: ${list}.`;
}
