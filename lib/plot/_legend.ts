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

/** A row-wrapping legend of swatches, at most `maxWidth` wide. */
export function swatchLegend(
  items: SwatchItem[],
  maxWidth: number,
): { node: DomElement; width: number; height: number } {
  const g = svgElement("g", { "text-anchor": "start" });
  const rowHeight = FONT_SIZE + 8;
  const key = 22;
  let x = 0, row = 0, widest = 0;
  for (const item of items) {
    const w = key + 6 + textWidth(item.label) + 18;
    if (x > 0 && x + w > maxWidth) {
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
      if (item.shape === "dashed") line.setAttribute("stroke-dasharray", "6,3");
      if (item.shape === "dotted") line.setAttribute("stroke-dasharray", "2,3");
      entry.appendChild(line);
    }
    const labelX = ["square", "dot", "diamond", "box"].includes(item.shape) ? 18 : key + 6;
    entry.appendChild(svgElement("text", { x: labelX, y: 0, dy: "0.35em" }, item.label));
    g.appendChild(entry);
    x += w;
    widest = Math.max(widest, x);
  }
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
