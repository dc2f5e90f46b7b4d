// Small queries over a figure's SVG, shared by the plot tests.

import type { FigureElement, PlotFigure } from "../../lib/plot/figure.ts";

/** Elements matching a CSS selector. */
export function all(fig: PlotFigure, selector: string): FigureElement[] {
  return Array.from(fig.element.querySelectorAll(selector));
}

/** Elements of one Plot mark kind (`dot`, `line`, `bar`, `rect`, `text`, `rule`, `link`, …). */
export function mark(fig: PlotFigure, kind: string, child = "*"): FigureElement[] {
  return all(fig, `g[aria-label="${kind}"] > ${child}`);
}

/** Text of every `<title>` (hover text). */
export function titles(fig: PlotFigure): string[] {
  return all(fig, "title").map((t) => t.textContent ?? "");
}

/** Text of every `<text>` element (axis labels, tick labels, data labels, legend). */
export function texts(fig: PlotFigure): string[] {
  return all(fig, "text").map((t) => t.textContent ?? "");
}

/** The x and y axis labels. */
export function axisLabels(fig: PlotFigure): { x: string | null; y: string | null } {
  const x = fig.element.querySelector('g[aria-label="x-axis label"] text');
  const y = fig.element.querySelector('g[aria-label="y-axis label"] text');
  return { x: x?.textContent ?? null, y: y?.textContent ?? null };
}

/** The tick labels of the x or y axis. */
export function tickLabels(fig: PlotFigure, axis: "x" | "y"): string[] {
  return all(fig, `g[aria-label="${axis}-axis tick label"] text`).map((t) => t.textContent ?? "");
}

/** `NaN`, `Infinity` and `undefined` written anywhere in the figure's SVG (none, drawn right). */
export function unwritten(fig: PlotFigure): string[] {
  return fig.toSVG().match(/NaN|Infinity|undefined/g) ?? [];
}
