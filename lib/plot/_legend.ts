// Legends drawn as plain SVG (private to lib/plot). Plot's own swatch legend is HTML and its
// continuous ramp needs a canvas, neither of which fits a standalone SVG made with linkedom.

import { type DomElement, DOT_OUTLINE, FONT_SIZE, svgElement, textWidth } from "./_dom.ts";

/** One legend entry. */
export interface SwatchItem {
  label: string;
  color: string;
  /**
   * How the key is drawn: a line (solid, dashed or dotted), a filled square or dot, or a
   * hollow diamond or box (outlines, as metricBars draws published figures).
   */
  shape: "line" | "dashed" | "dotted" | "square" | "dot" | "diamond" | "box";
  /** A dot key with the maps' dot outline ({@linkcode DOT_OUTLINE}), as the dots it stands for. */
  outlined?: boolean;
}

/** The dash patterns of the line styles, the same in a key as on the chart it explains. */
export const DASHES = { dashed: "6,3", dotted: "2,3" } as const;

/** Whether an item's key is a line (a style: solid, dashed, dotted) rather than a mark. */
const isLine = (item: SwatchItem) => ["line", "dashed", "dotted"].includes(item.shape);
/** Width (px) of a line key. */
const LINE_KEY = 22;
/** Space (px) between one entry's label and the next entry's key. */
const ENTRY_GAP = 14;
/** Where an item's label starts, after its key. */
const labelStart = (item: SwatchItem) => isLine(item) ? LINE_KEY + 6 : 18;

/**
 * The rows of a legend: as few as fit in `maxWidth` (an entry wider than that gets a row of
 * its own); among the ways to break that many rows, one that breaks only between the marks
 * (colours) and the lines (styles) where it can, then the one whose widest row is narrowest,
 * so that no row is left with one short word ("validation") while another is full.
 * @returns The index of each row's first item.
 */
function legendRows(widths: number[], lines: boolean[], maxWidth: number): number[] {
  const n = widths.length;
  // An entry's width, and the gap before the next, which a row's last entry does not need.
  const rowWidth = (from: number, to: number) =>
    widths.slice(from, to).reduce((sum, w) => sum + w + ENTRY_GAP, -ENTRY_GAP);
  const greedy = [0];
  for (let i = 1; i < n; i++) {
    if (rowWidth(greedy[greedy.length - 1], i + 1) > maxWidth) greedy.push(i);
  }
  if (greedy.length === 1 || n > 12) return greedy;
  let best = greedy;
  let bestCost = [Infinity, Infinity];
  // Every choice of rows - 1 breaks among the n - 1 gaps (at most 12 items: 462 choices).
  const choose = (from: number, left: number, starts: number[]): void => {
    if (left === 0) {
      const bounds = [...starts, n];
      const row = (r: number) => rowWidth(bounds[r], bounds[r + 1]);
      const rows = starts.map((_, r) => r);
      // A row that does not fit is allowed only for one entry wider than the legend.
      if (rows.some((r) => row(r) > maxWidth && bounds[r + 1] - bounds[r] > 1)) return;
      const mixed = starts.slice(1).filter((b) => lines[b] === lines[b - 1]).length;
      const cost = [mixed, Math.max(...rows.map(row))];
      if (cost[0] < bestCost[0] || (cost[0] === bestCost[0] && cost[1] < bestCost[1])) {
        best = starts;
        bestCost = cost;
      }
      return;
    }
    for (let b = from; b <= n - left; b++) choose(b + 1, left - 1, [...starts, b]);
  };
  choose(1, greedy.length - 1, [0]);
  return best;
}

/**
 * A legend of swatches in rows at most `maxWidth` wide: as few rows as fit, broken between the
 * colour marks and the line styles where it can and balanced (see `legendRows`).
 */
export function swatchLegend(
  items: SwatchItem[],
  maxWidth: number,
): { node: DomElement; width: number; height: number } {
  const g = svgElement("g", { "text-anchor": "start" });
  const rowHeight = FONT_SIZE + 8;
  const key = LINE_KEY;
  const widths = items.map((item) => labelStart(item) + textWidth(item.label));
  const starts = legendRows(widths, items.map(isLine), maxWidth);
  let x = 0, row = -1, widest = 0;
  items.forEach((item, i) => {
    if (starts.includes(i)) {
      x = 0;
      row++;
    }
    const cy = row * rowHeight + rowHeight / 2;
    const entry = svgElement("g", { transform: `translate(${x},${cy})` });
    if (item.shape === "square") {
      entry.appendChild(
        svgElement("rect", { x: 0, y: -6, width: 12, height: 12, fill: item.color }),
      );
    } else if (item.shape === "dot") {
      const outline: Record<string, string | number> = item.outlined
        ? {
          stroke: DOT_OUTLINE.color,
          "stroke-opacity": DOT_OUTLINE.opacity,
          "stroke-width": DOT_OUTLINE.width,
        }
        : {};
      entry.appendChild(svgElement("circle", { cx: 6, cy: 0, r: 4, fill: item.color, ...outline }));
    } else if (item.shape === "diamond" || item.shape === "box") {
      const outline = { fill: "none", stroke: item.color, "stroke-width": 2 };
      entry.appendChild(
        item.shape === "diamond"
          ? svgElement("path", { d: "M6,-5.5L11.5,0L6,5.5L0.5,0Z", ...outline })
          : svgElement("rect", { x: 1, y: -6, width: 10, height: 12, ...outline }),
      );
    } else {
      const line = svgElement("line", {
        x1: 0,
        x2: key,
        y1: 0,
        y2: 0,
        stroke: item.color,
        "stroke-width": 2,
      });
      if (item.shape === "dashed") line.setAttribute("stroke-dasharray", DASHES.dashed);
      if (item.shape === "dotted") line.setAttribute("stroke-dasharray", DASHES.dotted);
      entry.appendChild(line);
    }
    entry.appendChild(
      svgElement("text", { x: labelStart(item), y: 0, dy: "0.35em" }, item.label),
    );
    g.appendChild(entry);
    widest = Math.max(widest, x + widths[i]);
    x += widths[i] + ENTRY_GAP;
  });
  return { node: g, width: widest, height: (row + 1) * rowHeight };
}

/** Wraps a legend `<svg>` produced by Plot (ramp or threshold) with its size. */
export function plotLegend(
  legend: DomElement | undefined,
): { node: DomElement; width: number; height: number } | undefined {
  if (!legend || legend.tagName.toLowerCase() !== "svg") return undefined;
  return {
    node: legend,
    width: Number(legend.getAttribute("width")),
    height: Number(legend.getAttribute("height")),
  };
}
