// Renders Plot options into a composed figure with the library's size and fonts (private to
// lib/plot).

import * as Plot from "@observablehq/plot";
import {
  compose,
  type DomElement,
  FONT_FAMILY,
  FONT_SIZE,
  INK,
  type NumberKey,
  plotDocument,
  textWidth,
  WIDTH,
} from "./_dom.ts";
import { plotLegend } from "./_legend.ts";
import { positive } from "./_check.ts";
import { exponentTicks } from "./_extent.ts";
import { type FigureInfo, type FigureOptions, PlotFigure } from "./figure.ts";

/** What a helper hands to {@linkcode render}. */
export interface RenderSpec {
  /** Plot options (marks, scales, margins); width, height, document and style are added. */
  plot: Plot.PlotOptions;
  /** Default chart height when the caller gives none. */
  height: number;
  /** A legend built by the helper, or `"color"` for Plot's own color legend (ramp). */
  legend?: { node: DomElement; width: number; height: number } | {
    scale: "color";
    options?: Plot.LegendOptions;
  };
  /**
   * A key to numbers written on the chart, drawn under it in columns.
   * @default {none}
   */
  key?: NumberKey;
}

/** Checks the common figure options; returns width and height. */
export function figureSize(
  fn: string,
  options: FigureOptions,
  defaultHeight: number,
): { width: number; height: number } {
  const { width = WIDTH, height = defaultHeight } = options;
  positive(fn, "width", width);
  positive(fn, "height", height);
  for (const key of ["title", "subtitle", "caption"] as const) {
    const value = options[key];
    if (value !== undefined && typeof value !== "string") {
      throw new TypeError(`${fn}(): expected ${key} to be a string, found ${typeof value}`);
    }
  }
  return { width, height };
}

/**
 * Renders the chart, composes it with titles and legend, wraps it in a figure. A chart whose
 * y-axis tick labels would reach into the rotated y-axis title is rendered once more with a
 * left margin wide enough for both (never narrower than the one asked for).
 */
export function render(
  fn: string,
  spec: RenderSpec,
  options: FigureOptions,
  info: FigureInfo,
): PlotFigure {
  const { width, height } = figureSize(fn, options, spec.height);
  let chart = plotChart(spec.plot, width, height);
  const wider = widerMargin(chart, spec.plot);
  if (wider !== undefined) chart = plotChart({ ...spec.plot, marginLeft: wider }, width, height);
  let legend: { node: DomElement; width: number; height: number } | undefined;
  if (spec.legend && "scale" in spec.legend) {
    const node = chart.legend(spec.legend.scale, {
      width: Math.min(320, width - 20),
      ...spec.legend.options,
    }) as unknown as DomElement | undefined;
    legend = plotLegend(node);
  } else {
    legend = spec.legend;
  }
  const root = compose({
    chart,
    title: options.title,
    subtitle: options.subtitle,
    caption: options.caption,
    key: spec.key,
    legend,
  });
  return new PlotFigure(root, {
    ...info,
    title: options.title ?? info.title,
    subtitle: info.subtitle === null ? null : options.subtitle ?? info.subtitle,
  });
}

/**
 * The left margin {@linkcode render} draws `spec` with: the one asked for (or Plot's), or wider
 * when the y tick labels would reach into the y-axis title. Found from the axes alone (the marks
 * are left out: with fixed domains they do not move the ticks), for a helper that places marks
 * in pixels before it renders.
 */
export function fittedMarginLeft(fn: string, spec: RenderSpec, options: FigureOptions): number {
  const { width, height } = figureSize(fn, options, spec.height);
  const chart = plotChart({ ...spec.plot, marks: [] }, width, height);
  return widerMargin(chart, spec.plot) ?? frameLeft(chart, spec.plot);
}

/**
 * The bare Plot chart of `plot`, at the library's size and fonts; x and y axes over extreme
 * numeric domains get tick labels with an exponent (see {@linkcode exponentTicks}).
 */
function plotChart(plot: Plot.PlotOptions, width: number, height: number): DomElement & Plot.Plot {
  return Plot.plot({
    ...plot,
    ...extremeAxes(plot),
    width,
    height,
    document: plotDocument() as unknown as Plot.PlotOptions["document"],
    style: { fontSize: `${FONT_SIZE}px`, fontFamily: FONT_FAMILY, color: INK },
  }) as unknown as DomElement & Plot.Plot;
}

/** The x and y scale options of `plot` whose numeric domain calls for exponent tick labels. */
function extremeAxes(plot: Plot.PlotOptions): Plot.PlotOptions {
  const out: Plot.PlotOptions = {};
  for (const key of ["x", "y"] as const) {
    const scale = plot[key];
    const domain = scale?.domain;
    if (
      scale === undefined || scale.tickFormat !== undefined || !Array.isArray(domain) ||
      domain.length !== 2 || !domain.every((v) => typeof v === "number")
    ) continue;
    const tickFormat = exponentTicks(domain as [number, number]);
    if (tickFormat) out[key] = { ...scale, tickFormat };
  }
  return out;
}

/** The wider left margin `chart` needs for its y tick labels and title, or none. */
function widerMargin(chart: DomElement, plot: Plot.PlotOptions): number | undefined {
  const short = yTitleOverlap(chart);
  return short > 0 ? short + frameLeft(chart, plot) : undefined;
}

/** Space (px) kept between the y-axis title and the widest tick label. */
const TITLE_GAP = 5;
/**
 * What `textWidth()` misses on a minus sign (U+2212, which Plot writes for negative ticks): it
 * counts it as a digit (0.62 em) where DejaVu Sans, the widest common fallback, draws it
 * 0.84 em wide.
 */
const MINUS_EXTRA = 0.22 * FONT_SIZE;

/** Estimated width (px) of a tick label. */
function tickLabelWidth(text: string): number {
  return textWidth(text) + MINUS_EXTRA * (text.match(/\u2212/g)?.length ?? 0);
}

/** `[x, y]` of an element's `translate(x,y)`, or `[0, 0]`. */
function translation(node: DomElement | null): [number, number] {
  const m = node?.getAttribute("transform")?.match(/translate\(\s*([-\d.e]+)[,\s]+([-\d.e]+)/);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/**
 * By how many pixels the left y axis' widest tick label (as Plot drew it) reaches into the
 * rotated y-axis title beside it, `TITLE_GAP` included; 0 when they are clear or the chart has
 * no left y axis with a title.
 */
function yTitleOverlap(chart: DomElement): number {
  const title = chart.querySelector('g[aria-label="y-axis label"]');
  const ticks = chart.querySelector('g[aria-label="y-axis tick label"]');
  const titleText = title?.querySelector("text");
  if (!title || !ticks || !titleText || ticks.getAttribute("text-anchor") !== "end") return 0;
  if (!/rotate\(-90\)/.test(titleText.getAttribute("transform") ?? "")) return 0;
  // The rotated title's glyphs run from its anchor to its baseline (the `y` offset, in em,
  // turned to the right) and on by a descent of about a quarter em.
  const baseline = Number.parseFloat(titleText.getAttribute("y") ?? "0.71") || 0;
  const titleRight = translation(title)[0] + translation(titleText)[0] +
    (baseline + 0.25) * FONT_SIZE;
  const shift = translation(ticks)[0];
  let left = Infinity;
  for (const text of Array.from(ticks.querySelectorAll("text"))) {
    const right = shift + translation(text)[0];
    left = Math.min(left, right - tickLabelWidth(text.textContent ?? ""));
  }
  return left === Infinity ? 0 : Math.max(0, Math.ceil(titleRight + TITLE_GAP - left));
}

/** The chart's left margin: the one asked for, or where Plot put the y axis. */
function frameLeft(chart: DomElement, plot: Plot.PlotOptions): number {
  if (typeof plot.marginLeft === "number") return plot.marginLeft;
  const tick = chart.querySelector('g[aria-label="y-axis tick label"] text');
  return translation(tick)[0];
}
