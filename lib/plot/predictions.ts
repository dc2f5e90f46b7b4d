/**
 * Predicted versus true ratings (seed 002's `plot_predictions`, with the y-label it lacked):
 * a sample of the predictions as translucent dots, the mean prediction per true value with
 * ±1 sd, and the y = x line of perfect predictions.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { checkSeed, createRng } from "../random.ts";
import { DEFAULT_SEED } from "../defaults.ts";
import { MUTED, WIDTH } from "./_dom.ts";
import { DASHES, type SwatchItem, swatchLegend } from "./_legend.ts";
import {
  checkPlotOptions,
  finiteNumbers,
  nonEmpty,
  positive,
  range,
  sameLength,
} from "./_check.ts";
import { around } from "../_around.ts";
import { drawable, padded } from "./_extent.ts";
import { render } from "./_render.ts";
import type { FigureOptions, PlotFigure } from "./figure.ts";

/** Options of {@linkcode predictedVsTrue}. */
export interface PredictedVsTrueOptions extends FigureOptions {
  /**
   * Dot opacity.
   * @default {from 0.05 to 0.8, lower when more dots are drawn}
   */
  opacity?: number;
  /**
   * At most this many dots are drawn (a seeded random sample); the means use every point.
   * @default {3000}
   */
  maxPoints?: number;
  /**
   * Seed of the sample and of the jitter.
   * @default {DEFAULT_SEED (42)}
   */
  seed?: number;
  /**
   * Half-width of the random horizontal jitter of the dots, in rating units (0 for none).
   * @default {0.3 × the gap between true values when there are at most 20 distinct ones, else 0}
   */
  jitter?: number;
  /**
   * Range `[min, max]` of both axes.
   * @default {the range of all values, padded by half a star}
   */
  domain?: [number, number];
  /**
   * The x-axis label.
   * @default {"True rating"}
   */
  xLabel?: string;
  /**
   * The y-axis label.
   * @default {"Predicted rating"}
   */
  yLabel?: string;
}

interface Group {
  x: number;
  mean: number;
  sd: number;
  n: number;
}

const fmt = new Intl.NumberFormat("en-US");

/** The options of {@linkcode predictedVsTrue} beside the figure's (kept complete by the type). */
const PREDICTED_VS_TRUE_OPTIONS: Record<
  Exclude<keyof PredictedVsTrueOptions, keyof FigureOptions>,
  true
> = {
  opacity: true,
  maxPoints: true,
  seed: true,
  jitter: true,
  domain: true,
  xLabel: true,
  yLabel: true,
};

/**
 * Plots predicted against true ratings: translucent dots (a seeded sample when there are
 * many), the mean prediction and ±1 sd per true value, and the diagonal y = x. The subtitle
 * reports RMSE and MAE over all points.
 *
 * @param yTrue True ratings.
 * @param yPred Predicted ratings, same length.
 * @param options Opacity, sample size, jitter, axis range, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @throws {TypeError} On ratings that are not numbers.
 * @throws {RangeError} On no ratings, lengths that differ, a rating that is not finite, a bad
 *   option, or ratings or a `domain` that no axis can span: wider apart than the largest
 *   number (-1e308 and 1e308) or, for a `domain`, narrower than 1e-300, or errors whose RMSE
 *   or MAE is beyond the largest number.
 * @example
 * ```ts
 * import { predictedVsTrue } from "./predictions.ts";
 * import { assertEquals } from "@std/assert";
 * const fig = predictedVsTrue([1, 3, 5, 4], [1.8, 3.1, 4.2, 3.9], { title: "Test set" });
 * assertEquals(fig.summary, "[figure: predicted vs true \"Test set\", 4 points]");
 * ```
 */
export function predictedVsTrue(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: PredictedVsTrueOptions = {},
): PlotFigure {
  const fn = "predictedVsTrue";
  checkPlotOptions(fn, options, PREDICTED_VS_TRUE_OPTIONS);
  const t = finiteNumbers(fn, "yTrue", yTrue);
  const p = finiteNumbers(fn, "yPred", yPred);
  sameLength(fn, "yTrue", t.length, "yPred", p.length);
  nonEmpty(fn, "prediction", t.length);
  const {
    maxPoints = 3000,
    seed = DEFAULT_SEED,
    xLabel = "True rating",
    yLabel = "Predicted rating",
  } = options;
  positive(fn, "maxPoints", maxPoints, true);
  checkSeed(seed, `${fn}()`);
  const n = t.length;

  const { lo, hi, rmse, mae } = errorSums(fn, t, p);
  const given = range(fn, "domain", options.domain);
  const domain = given ? drawable(fn, "domain", given) : ratingDomain(fn, lo, hi);

  const groups = groupsByTrueValue(t, p);
  const discrete = groups !== null;
  const xs = (groups ?? []).map((g) => g.x);
  const gap = xs.length > 1 ? Math.min(...xs.slice(1).map((x, i) => x - xs[i])) : 1;
  const jitter = options.jitter ?? (discrete ? 0.3 * gap : 0);
  if (typeof jitter !== "number" || !(jitter >= 0)) {
    throw new RangeError(`${fn}(): expected jitter >= 0, found ${jitter}`);
  }

  const dots = sampledDots(t, p, maxPoints, seed, jitter);
  const opacity = options.opacity ?? Math.min(0.8, Math.max(0.05, 12 / Math.sqrt(dots.length)));
  if (typeof opacity !== "number" || !(opacity > 0 && opacity <= 1)) {
    throw new RangeError(`${fn}(): expected opacity in (0, 1], found ${opacity}`);
  }

  const subtitle = options.subtitle ??
    `RMSE ${rmse.toFixed(3)} · MAE ${mae.toFixed(3)} · n = ${fmt.format(n)}`;
  const caption = options.caption ?? sampleNote(dots.length, n, jitter);

  const DOT = "#4269d0";
  const MEAN = "#d62728";
  const marks: Plot.Markish[] = [
    Plot.line([[domain[0], domain[0]], [domain[1], domain[1]]], {
      stroke: MUTED,
      strokeDasharray: DASHES.dashed, // as its key draws it
      strokeWidth: 1.5,
    }),
    Plot.dot(dots, { x: "x", y: "y", r: 2, fill: DOT, fillOpacity: opacity, clip: true }),
  ];
  if (groups?.length) marks.push(...groupMarks(groups, MEAN));
  const legendItems = predictionLegend(DOT, groups?.length ? MEAN : null);
  return render(
    fn,
    {
      height: 420,
      legend: swatchLegend(legendItems, (options.width ?? WIDTH) - 20),
      plot: {
        marginLeft: 52,
        marginBottom: 42,
        marginTop: 16,
        x: { label: xLabel, labelAnchor: "center", labelArrow: "none", domain, grid: true },
        y: { label: yLabel, labelAnchor: "center", labelArrow: "none", domain, grid: true },
        color: { type: "identity" },
        marks,
      },
    },
    { ...options, subtitle, caption },
    {
      kind: "predicted vs true",
      subtitle: options.subtitle === undefined ? null : undefined, // its own: RMSE and MAE
      points: dots.length,
      description: `Scatter of ${yLabel} (up) against ${xLabel} (across), ${
        dots.length < n ? `${fmt.format(dots.length)} of ` : ""
      }${fmt.format(n)} predictions, with the diagonal of a perfect prediction; RMSE ${
        rmse.toFixed(3)
      }, MAE ${mae.toFixed(3)}.${
        groups?.length
          ? ` Mean prediction ± sd per true value: ${
            groups.map((g) => `${g.x}: ${g.mean.toFixed(2)} ± ${g.sd.toFixed(2)}`).join("; ")
          }.`
          : ""
      }`,
    },
  );
}

/**
 * Per true value, the mean and sd of the predictions, in order of the true values; `null`
 * when the true values are not discrete (more than 20 distinct ones).
 */
function groupsByTrueValue(t: ArrayLike<number>, p: ArrayLike<number>): Group[] | null {
  const byValue = new Map<number, number[]>();
  for (let i = 0; i < t.length && byValue.size <= 20; i++) {
    if (!byValue.has(t[i])) byValue.set(t[i], []);
    byValue.get(t[i])!.push(p[i]);
  }
  if (byValue.size > 20) return null;
  return [...byValue].sort((a, b) => a[0] - b[0]).map(([x, ps]) => {
    const mean = ps.reduce((s, v) => s + v, 0) / ps.length;
    const sd = Math.sqrt(ps.reduce((s, v) => s + (v - mean) ** 2, 0) / ps.length);
    return { x, mean, sd, n: ps.length };
  });
}

/** The dots drawn: every point, or a seeded sample of `maxPoints`, true values jittered. */
function sampledDots(
  t: ArrayLike<number>,
  p: ArrayLike<number>,
  maxPoints: number,
  seed: number,
  jitter: number,
): { x: number; y: number }[] {
  const n = t.length;
  const rng = createRng(seed);
  const shown = n > maxPoints
    ? rng.permutation(n).subarray(0, maxPoints).sort()
    : Int32Array.from({ length: n }, (_, i) => i);
  return Array.from(shown, (i) => ({
    x: t[i] + (jitter > 0 ? (rng.next() * 2 - 1) * jitter : 0),
    y: p[i],
  }));
}

/** The legend: a dot per prediction, the mean ± 1 sd per true value (if drawn), y = x. */
function predictionLegend(dot: string, mean: string | null): SwatchItem[] {
  return [
    { label: "one prediction", color: dot, shape: "dot" as const },
    ...(mean !== null
      ? [{ label: "mean ± 1 sd per true value", color: mean, shape: "line" as const }]
      : []),
    { label: "perfect prediction (y = x)", color: MUTED, shape: "dashed" as const },
  ];
}

/** The caption's note on a sample of the points and on jitter, if any. */
function sampleNote(shown: number, n: number, jitter: number): string | undefined {
  const notes: string[] = [];
  if (shown < n) {
    notes.push(`a random ${fmt.format(shown)} of ${fmt.format(n)} predictions shown`);
  }
  if (jitter > 0) notes.push(`true values jittered by up to ±${Number(jitter.toFixed(2))}`);
  return notes.length ? notes.join("; ").replace(/^./, (c) => c.toUpperCase()) : undefined;
}

/**
 * The lowest and highest rating, the RMSE and the MAE. Where the sums overflow (errors of 1e200
 * squared), they are taken over the halved errors |p/2 − t/2| (finite even where p − t is not,
 * 1e308 against -1e308) divided by the largest one, and scaled back. Throws a RangeError naming
 * the index of the largest error when the RMSE or MAE itself is beyond the largest number.
 */
function errorSums(fn: string, t: ArrayLike<number>, p: ArrayLike<number>) {
  const n = t.length;
  let lo = Infinity, hi = -Infinity, se = 0, ae = 0;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, t[i], p[i]);
    hi = Math.max(hi, t[i], p[i]);
    se += (p[i] - t[i]) ** 2;
    ae += Math.abs(p[i] - t[i]);
  }
  if (Number.isFinite(se) && Number.isFinite(ae)) {
    return { lo, hi, rmse: Math.sqrt(se / n), mae: ae / n };
  }
  const half = (i: number) => Math.abs(p[i] / 2 - t[i] / 2);
  let worst = 0;
  for (let i = 1; i < n; i++) if (half(i) > half(worst)) worst = i;
  const largest = half(worst);
  let scaledSe = 0, scaledAe = 0;
  for (let i = 0; i < n; i++) {
    const e = half(i) / largest;
    scaledSe += e * e;
    scaledAe += e;
  }
  const rmse = largest * Math.sqrt(scaledSe / n) * 2, mae = largest * (scaledAe / n) * 2;
  if (!Number.isFinite(rmse) || !Number.isFinite(mae)) {
    throw new RangeError(
      `${fn}(): expected errors whose RMSE and MAE are finite numbers, found ${
        Number.isFinite(rmse) ? "an MAE" : "an RMSE"
      } beyond the largest number (largest error at index ${worst}: true ${t[worst]}, predicted ${
        p[worst]
      })`,
    );
  }
  return { lo, hi, rmse, mae };
}

/**
 * The default axis range: whole half stars around the ratings and half a star more each side.
 * Beyond 2^36, where half a star is lost in rounding, the values' range padded by 6% (a single
 * value by a tenth of it first); throws a RangeError when no axis can span it.
 */
function ratingDomain(fn: string, lo: number, hi: number): [number, number] {
  if (Math.max(Math.abs(lo), Math.abs(hi)) <= 2 ** 36) {
    return [Math.floor(lo * 2) / 2 - 0.5, Math.ceil(hi * 2) / 2 + 0.5];
  }
  const [a, b] = lo === hi ? around(lo, 0.5) : [lo, hi];
  return drawable(fn, "values", padded(a, b, 0.06), [lo, hi]);
}

/** The mean ± 1 sd of the predictions per true value: a rule, a line and a dot with a title. */
function groupMarks(groups: Group[], color: string): Plot.Markish[] {
  const title = (g: Group) =>
    `true ${g.x}: mean predicted ${g.mean.toFixed(2)} ± ${g.sd.toFixed(2)} (n = ${
      fmt.format(g.n)
    })`;
  return [
    Plot.ruleX(groups, {
      x: "x",
      y1: (g: Group) => g.mean - g.sd,
      y2: (g: Group) => g.mean + g.sd,
      stroke: color,
      strokeWidth: 2,
    }),
    Plot.line(groups, { x: "x", y: "mean", stroke: color, strokeWidth: 1.5 }),
    Plot.dot(groups, { x: "x", y: "mean", r: 4, fill: color, stroke: "white", title }),
  ];
}
