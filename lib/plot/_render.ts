// Renders Plot options into a composed figure with the library's size and fonts (private to
// lib/plot).

import * as Plot from "@observablehq/plot";
import {
  compose,
  type DomElement,
  FONT_FAMILY,
  FONT_SIZE,
  INK,
  plotDocument,
  WIDTH,
} from "./_dom.ts";
import { plotLegend } from "./_legend.ts";
import { positive } from "./_check.ts";
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

/** Renders the chart, composes it with titles and legend, wraps it in a figure. */
export function render(
  fn: string,
  spec: RenderSpec,
  options: FigureOptions,
  info: FigureInfo,
): PlotFigure {
  const { width, height } = figureSize(fn, options, spec.height);
  const chart = Plot.plot({
    ...spec.plot,
    width,
    height,
    document: plotDocument() as unknown as Plot.PlotOptions["document"],
    style: { fontSize: `${FONT_SIZE}px`, fontFamily: FONT_FAMILY, color: INK },
  }) as unknown as DomElement & Plot.Plot;
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
    legend,
  });
  return new PlotFigure(root, { ...info, title: options.title ?? info.title });
}
