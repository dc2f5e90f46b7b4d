// The frame the horizontal bar charts share (private to lib/plot): one row per label, the labels
// left of the bars in a margin as wide as the longest, the value axis below.

import type * as Plot from "@observablehq/plot";
import { FONT_SIZE, textWidth } from "./_dom.ts";
import type { RenderSpec } from "./_render.ts";

/** What differs between the bar charts. */
export interface BarFrame {
  /** One label per row, top to bottom. */
  labels: string[];
  /** The value axis' label. */
  xLabel: string;
  /** The value axis' extent. */
  domain: [number, number];
  /** Pixels per row. */
  rowHeight: number;
  /** Share of a row left empty between bars. */
  padding: number;
  /**
   * Room above the plot area.
   * @default {8}
   */
  marginTop?: number;
  /** Room right of the plot area (for value labels). */
  marginRight: number;
  /** The widest the label margin may grow. */
  maxMarginLeft: number;
  /** The marks. */
  marks: Plot.Markish[];
  /** Further Plot options (scales), added as they are. */
  extra?: Plot.PlotOptions;
}

/** The left margin of a bar chart: as wide as its longest row label, at most `maxMarginLeft`. */
export function labelMargin(labels: string[], maxMarginLeft: number): number {
  return Math.min(
    maxMarginLeft,
    Math.ceil(Math.max(...labels.map((label) => textWidth(label, FONT_SIZE)))) + 14,
  );
}

/** The render spec of a horizontal bar chart: height from the rows, margins from the labels. */
export function barFrame(frame: BarFrame): RenderSpec {
  const { labels, rowHeight, marginRight, maxMarginLeft, marginTop = 8 } = frame;
  const marginLeft = labelMargin(labels, maxMarginLeft);
  return {
    height: marginTop + 42 + rowHeight * labels.length,
    plot: {
      marginLeft,
      marginRight,
      marginTop,
      marginBottom: 42,
      x: {
        label: frame.xLabel,
        labelAnchor: "center",
        labelArrow: "none",
        domain: frame.domain,
        grid: true,
      },
      y: { label: null, domain: labels, padding: frame.padding, tickSize: 0 },
      ...frame.extra,
      marks: frame.marks,
    },
  };
}
