/**
 * Histograms: any numbers in equal-width bins (similarities, release years, errors), and a
 * bar per star value for ratings.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { MUTED } from "./_dom.ts";
import { checkPlotOptions, finiteNumbers, nonEmpty, positive, range } from "./_check.ts";
import { around } from "../_around.ts";
import { drawable, extent, finiteWidth, significant } from "./_extent.ts";
import { render } from "./_render.ts";
import { spoken } from "./_describe.ts";
import type { FigureOptions, PlotFigure } from "./figure.ts";

/** Options of {@linkcode histogram}. */
export interface HistogramPlotOptions extends FigureOptions {
  /**
   * Number of equal-width bins (exactly this many bars), at most 10,000.
   * @default {30}
   */
  bins?: number;
  /**
   * Width of each bin, instead of a number of bins: each bin starts at a multiple of it. For
   * whole numbers (years, counts) and a whole width, the edges fall halfway between whole values
   * and each bin's first value is a multiple of the width, so every bin holds the same number of
   * values (width 1: a bar per year, 1995.5 to 1996.5 for 1996), where equal bins over the range
   * hold one value or two in turn (50 bins over 1920–1998 are 1.56 years wide, so every other bar
   * is about twice as tall as its neighbours). With `domain`, the bins cover it in whole widths
   * and values outside the domain are still left out. At most 10,000 bins.
   * @default {none: `bins` equal bins over the range}
   */
  binWidth?: number;
  /**
   * Range `[min, max]` the bins cover; values outside it are left out (and counted in the
   * caption).
   * @default {[min, max] of the values}
   */
  domain?: [number, number];
  /**
   * The x-axis label.
   * @default {"Value"}
   */
  xLabel?: string;
  /**
   * The y-axis label.
   * @default {"Count"}
   */
  yLabel?: string;
  /**
   * Formats the x-axis tick labels, e.g. `String` for years (`1990`, not `1,990`).
   * @default {Plot's number format, with thousands separators}
   */
  xTickFormat?: (value: number) => string;
  /**
   * Bar colour.
   * @default {"#4269d0"}
   */
  color?: string;
}

const BLUE = "#4269d0";
/** The most bins a histogram draws (a width too small for its range is refused, not drawn). */
const MAX_BINS = 10_000;
const count = new Intl.NumberFormat("en-US");
/** Tick labels `0, 5k, 10k` (Plot's "~s" would write `0k`). */
const thousands = (v: number) => Math.abs(v) >= 1000 ? `${v / 1000}k` : String(v);

function short(x: number): string {
  return significant(x, 4);
}

interface Bin {
  x1: number;
  x2: number;
  count: number;
}

/** A bin of whole values told by the values it holds: "1996", or "1996–1997" (edges ± 0.5). */
function wholeSpan(b: Bin, value: (v: number) => string): string {
  const first = b.x1 + 0.5, last = b.x2 - 0.5;
  if (first === last) return value(first);
  return `${value(first)}${first < 0 || last < 0 ? " to " : "–"}${value(last)}`;
}

/**
 * Equal-width bins over [lo, hi]; the last bin includes hi. Values outside [lo, hi] or outside
 * `keep` (a domain the bins were widened from) are skipped and counted. An edge is found within
 * a billionth of a bin's width, so 0.3 in bins of 0.1 from 0.3 starts the first bin.
 */
function binValues(
  values: Float64Array,
  bins: number,
  lo: number,
  hi: number,
  keep: [number, number] = [-Infinity, Infinity],
): {
  bins: Bin[];
  outside: number;
} {
  const width = (hi - lo) / bins, eps = width * 1e-9;
  const out: Bin[] = Array.from({ length: bins }, (_, i) => ({
    x1: lo + i * width,
    x2: i === bins - 1 ? hi : lo + (i + 1) * width,
    count: 0,
  }));
  let outside = 0;
  for (const v of values) {
    if (v < lo - eps || v > hi + eps || v < keep[0] || v > keep[1]) {
      outside++;
      continue;
    }
    out[Math.max(0, Math.min(bins - 1, Math.floor((v - lo) / width + 1e-9)))].count++;
  }
  return { bins: out, outside };
}

/** Decimals that write `x` exactly, up to 6 (1.5: 1; 0.25: 2). */
function decimalsOf(x: number): number {
  for (let d = 0; d < 6; d++) {
    const scaled = x * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, Math.abs(scaled))) return d;
  }
  return 6;
}

/** The options of {@linkcode histogram} beside the figure's (kept complete by the type). */
const HISTOGRAM_OPTIONS: Record<Exclude<keyof HistogramPlotOptions, keyof FigureOptions>, true> = {
  bins: true,
  binWidth: true,
  domain: true,
  xLabel: true,
  yLabel: true,
  xTickFormat: true,
  color: true,
};

/**
 * Plots a histogram of numbers in equal-width bins (hover a bar for its range and count).
 *
 * @param values The numbers (an array or typed array); all finite.
 * @param options Bins, range, axis labels, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @throws {TypeError} On values that are not numbers, or both `bins` and `binWidth`.
 * @throws {RangeError} On no values, a value that is not finite, a bad `bins`, `binWidth` or
 *   `domain`, more than 10,000 bins, a `binWidth` too small for the values' size (1 beside
 *   1e20), or values or a domain that no axis can span: wider than the largest number
 *   (-1e308 to 1e308) or, unless all equal, closer together than 1e-300.
 * @example
 * ```ts
 * import { histogram } from "./histogram.ts";
 * import { assertEquals } from "@std/assert";
 * const fig = histogram([0.1, 0.25, 0.3, 0.9], { bins: 4, xLabel: "Cosine similarity" });
 * assertEquals(fig.summary, "[figure: histogram, 4 bars]");
 * ```
 */
export function histogram(
  values: ArrayLike<number>,
  options: HistogramPlotOptions = {},
): PlotFigure {
  const fn = "histogram";
  checkPlotOptions(fn, options, HISTOGRAM_OPTIONS);
  const data = finiteNumbers(fn, "values", values);
  nonEmpty(fn, "value", data.length);
  const { xLabel = "Value", yLabel = "Count", color = BLUE, binWidth } = options;
  if (binWidth !== undefined && options.bins !== undefined) {
    throw new TypeError(`${fn}(): expected bins or binWidth, found both`);
  }
  if (binWidth !== undefined) positive(fn, "binWidth", binWidth);
  let bins = options.bins ?? 30;
  positive(fn, "bins", bins, true);
  if (bins > MAX_BINS) {
    throw new RangeError(`${fn}(): expected at most ${count.format(MAX_BINS)} bins, found ${bins}`);
  }
  const domain = range(fn, "domain", options.domain);
  const given: [number, number] = domain ?? extent(data);
  let [lo, hi] = given;
  finiteWidth(fn, domain ? "domain" : "values", given);
  if (!domain && lo === hi && binWidth === undefined) [lo, hi] = around(lo, 0.5);
  // Whole values in whole-width bins: edges halfway between values, each bin holding as many.
  const whole = binWidth !== undefined && Number.isInteger(binWidth) &&
    data.every(Number.isInteger);
  if (binWidth !== undefined) {
    // The first edge at or below lo, and bins on to the first edge at or above hi (the last bin
    // includes its upper edge, as numpy's and d3's do); edges within a billionth of a width
    // count as reached.
    const half = whole ? 0.5 : 0;
    const first = Math.floor((lo + half) / binWidth + 1e-9) * binWidth - half;
    const needed = Math.max(1, Math.ceil((hi - first) / binWidth - 1e-9));
    if (!(needed <= MAX_BINS)) {
      throw new RangeError(
        `${fn}(): expected a binWidth that makes at most ${
          count.format(MAX_BINS)
        } bins, found ${binWidth} over [${short(lo)}, ${short(hi)}] (${
          needed < 1e15 ? count.format(needed) : short(needed)
        } bins)`,
      );
    }
    bins = needed;
    [lo, hi] = [first, first + bins * binWidth];
    // Beside 1e20, numbers are 16,384 apart: edges a width of 1 apart would all be one number.
    for (const edge of [lo, hi]) {
      if (!(Math.abs(edge + binWidth - edge - binWidth) <= binWidth / 100)) {
        throw new RangeError(
          `${fn}(): expected a binWidth that numbers near ${
            Number(edge.toPrecision(4)).toExponential()
          } can step by, found ${binWidth}: bin edges there round off more than 1% of it`,
        );
      }
    }
  }
  drawable(fn, domain ? "domain" : "values", [lo, hi], given);
  const { bins: binned, outside } = binValues(data, bins, lo, hi, domain);
  const [shownLo, shownHi] = domain ?? [lo, hi];
  const caption = options.caption ??
    (outside > 0
      ? `${count.format(outside)} values outside [${short(shownLo)}, ${short(shownHi)}] not shown`
      : undefined);
  return render(
    fn,
    {
      height: 300,
      plot: {
        marginLeft: 56,
        marginBottom: 40,
        x: {
          label: xLabel,
          labelAnchor: "center",
          labelArrow: "none",
          domain: [lo, hi],
          ...(options.xTickFormat ? { tickFormat: options.xTickFormat } : {}),
        },
        y: {
          label: yLabel,
          labelAnchor: "center",
          labelArrow: "none",
          grid: true,
          tickFormat: thousands,
        },
        marks: [
          Plot.rectY(binned, {
            x1: "x1",
            x2: "x2",
            y: "count",
            fill: color,
            insetLeft: 0.5,
            insetRight: 0.5,
            title: (b: Bin) =>
              `${whole ? wholeSpan(b, String) : `${short(b.x1)} – ${short(b.x2)}`}: ${
                count.format(b.count)
              }`,
          }),
          Plot.ruleY([0], { stroke: MUTED }),
        ],
      },
    },
    { ...options, caption },
    {
      kind: "histogram",
      points: binned.length,
      unit: "bars",
      description: describeHistogram(data, binned, {
        xLabel,
        yLabel,
        outside,
        whole,
        binWidth: whole ? undefined : binWidth,
      }),
    },
  );
}

/** Options of {@linkcode ratingBars}. */
export interface RatingBarsOptions extends FigureOptions {
  /**
   * Column holding the ratings when a DataFrame is given.
   * @default {"rating"}
   */
  column?: string;
  /**
   * The x-axis label.
   * @default {"Rating (stars)"}
   */
  xLabel?: string;
  /**
   * Write each bar's count above it.
   * @default {true}
   */
  counts?: boolean;
}

/** The DataFrame members used here (nodejs-polars DataFrames have them). */
export interface ColumnSource {
  /** Column names. */
  columns: string[];
  /** One column as a Series. */
  getColumn(name: string): { toArray(): unknown };
}

function isColumnSource(value: unknown): value is ColumnSource {
  const v = value as ColumnSource | null;
  return v !== null && typeof v === "object" && Array.isArray(v.columns) &&
    typeof v.getColumn === "function";
}

/** The options of {@linkcode ratingBars} beside the figure's (kept complete by the type). */
const RATING_BARS_OPTIONS: Record<Exclude<keyof RatingBarsOptions, keyof FigureOptions>, true> = {
  column: true,
  xLabel: true,
  counts: true,
};

/**
 * Plots how many ratings each star value has: one bar per value (half-star steps when the
 * data have half stars, including values nobody gave), with the count on each bar.
 *
 * @param ratings A ratings DataFrame (its `rating` column) or the rating values.
 * @param options Column name, labels, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @example
 * ```ts
 * import { ratingBars } from "./histogram.ts";
 * import { assertEquals } from "@std/assert";
 * const fig = ratingBars([4, 3.5, 5, 4, 0.5]);
 * assertEquals(fig.summary, "[figure: rating histogram, 10 bars]");
 * ```
 */
export function ratingBars(
  ratings: ColumnSource | ArrayLike<number>,
  options: RatingBarsOptions = {},
): PlotFigure {
  const fn = "ratingBars";
  checkPlotOptions(fn, options, RATING_BARS_OPTIONS);
  const { column = "rating", xLabel = "Rating (stars)", counts = true } = options;
  const data = ratingValues(fn, ratings, column);
  const { bars, mean } = starTally(fn, data);
  const subtitle = options.subtitle ??
    `${count.format(data.length)} ratings, mean ${mean.toFixed(2)}`;
  const marks: Plot.Markish[] = [
    Plot.barY(bars, {
      x: "rating",
      y: "n",
      fill: BLUE,
      title: (d: { rating: number; n: number; share: number }) =>
        `${d.rating} stars: ${count.format(d.n)} ratings (${(100 * d.share).toFixed(1)}%)`,
    }),
    Plot.ruleY([0], { stroke: MUTED }),
  ];
  if (counts) {
    marks.push(Plot.text(bars, {
      x: "rating",
      y: "n",
      text: (d: { n: number }) => count.format(d.n),
      dy: -7,
      fill: MUTED,
    }));
  }
  return render(
    fn,
    {
      height: 300,
      plot: {
        marginLeft: 56,
        marginTop: 28,
        marginBottom: 40,
        x: {
          label: xLabel,
          labelAnchor: "center",
          labelArrow: "none",
          type: "band",
          padding: 0.15,
          tickFormat: (v: number) => String(v),
        },
        y: {
          label: "Ratings",
          labelAnchor: "center",
          labelArrow: "none",
          grid: true,
          tickFormat: thousands,
        },
        marks,
      },
    },
    { ...options, subtitle },
    {
      kind: "rating histogram",
      subtitle: options.subtitle === undefined ? null : undefined, // its own: count and mean
      points: bars.length,
      unit: "bars",
      description: `Bar chart of the ${spoken(data.length)} ratings per star value, mean ${
        mean.toFixed(2)
      }: ${
        bars.map((b) => `${b.rating} ${b.rating === 1 ? "star" : "stars"} ${spoken(b.n)}`).join(
          ", ",
        )
      }.`,
    },
  );
}

/**
 * A histogram in words: how many values in how many bins over which range, the median, and
 * the tallest two bins (both ends of a U-shaped histogram, the peak and its neighbour of a
 * single-peaked one).
 */
function describeHistogram(
  data: Float64Array,
  bins: Bin[],
  about: { xLabel: string; yLabel: string; outside: number; whole: boolean; binWidth?: number },
): string {
  const sorted = Float64Array.from(data).sort();
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  const lo = bins[0].x1, hi = bins[bins.length - 1].x2;
  // Values with the decimals that tell one bin edge from the next (a cosine 0.650, a rating
  // 0.25), not 3 significant digits (years 1994.4 and 1996 both "1,990"); none where bins are
  // at least 1 wide (years 1920 to 1998).
  const width = (hi - lo) / bins.length;
  const decimals = Math.max(
    width >= 1 ? 0 : Math.max(0, Math.ceil(-Math.log10(width)) + 1),
    about.binWidth === undefined ? 0 : decimalsOf(about.binWidth),
  );
  // Bins narrower than 1e-19 (values such as 1e-300): as many significant digits as reach
  // those decimals (toFixed takes at most 100), at most the 17 a number has.
  const digits = Math.min(
    17,
    Math.max(1, Math.floor(Math.log10(Math.max(Math.abs(lo), Math.abs(hi)))) + 1 + decimals),
  );
  const value = (v: number) =>
    (decimals <= 20 ? v.toFixed(decimals) : v.toPrecision(digits)).replace(/^-/, "−");
  const span = (b: Bin) => about.whole ? wholeSpan(b, value) : `${value(b.x1)} to ${value(b.x2)}`;
  const bin = (b: Bin) => `${span(b)} (${spoken(b.count)})`;
  const [from, to] = about.whole ? [lo + 0.5, hi - 0.5] : [lo, hi];
  const tallest = [...bins].sort((a, b) => b.count - a.count || a.x1 - b.x1).slice(0, 2)
    .filter((b) => b.count > 0);
  return `Histogram of ${about.xLabel} (bar heights: ${about.yLabel}): ${
    spoken(data.length)
  } values in ` +
    `${bins.length} bins from ${value(from)} to ${value(to)}` +
    (about.outside > 0 ? ` (${spoken(about.outside)} outside, not shown)` : "") +
    `, median ${value(median)}. Tallest: ${tallest.map(bin).join(" and ")}.`;
}

/** The rating values: a column of a DataFrame, or the values given; finite, at least one. */
function ratingValues(
  fn: string,
  ratings: ColumnSource | ArrayLike<number>,
  column: string,
): Float64Array {
  let raw: unknown = ratings;
  let name = "ratings";
  if (isColumnSource(ratings)) {
    if (!ratings.columns.includes(column)) {
      throw new RangeError(
        `${fn}(): expected a "${column}" column, found ${
          ratings.columns.join(", ") || "no columns"
        }`,
      );
    }
    raw = ratings.getColumn(column).toArray();
    name = `column "${column}"`;
  }
  const data = finiteNumbers(fn, name, raw);
  nonEmpty(fn, "rating", data.length);
  return data;
}

/**
 * One bar per star value in half- or whole-star steps over the whole scale (values nobody gave
 * included), with its count and share, and the mean rating.
 */
function starTally(fn: string, data: Float64Array) {
  const halves = data.some((v) => !Number.isInteger(v));
  const step = halves ? 0.5 : 1;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isInteger(data[i] / step)) {
      throw new RangeError(
        `${fn}(): expected ratings in steps of ${step}, found ${data[i]} at index ${i}`,
      );
    }
  }
  let lo = Infinity, hi = -Infinity, sum = 0;
  for (const v of data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    sum += v;
  }
  // Half-star data sets start at 0.5 and 1..5 data at 1: show the whole scale.
  lo = Math.min(lo, step === 0.5 ? 0.5 : 1);
  hi = Math.max(hi, 5);
  const tally = new Map<number, number>();
  for (let v = lo; v <= hi + 1e-9; v += step) tally.set(Number(v.toFixed(1)), 0);
  for (const v of data) tally.set(v, (tally.get(v) ?? 0) + 1);
  const bars = [...tally].map(([rating, n]) => ({ rating, n, share: n / data.length }));
  return { bars, mean: sum / data.length };
}
