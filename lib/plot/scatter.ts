/**
 * Scatter plots of movie embeddings: a labelled scatter of a few movies on two principal
 * components (seeds 000 and 003), and a t-SNE map of all movies coloured by popularity with
 * the title on hover (seed 002).
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { INK, shortLabels, WIDTH } from "./_dom.ts";
import { type Frame, type PlacedLabel, placeLabels } from "./_labels.ts";
import { swatchLegend } from "./_legend.ts";
import { finiteField, positive, rowArray, textField } from "./_check.ts";
import { figureSize, render } from "./_render.ts";
import type { FigureOptions, PlotFigure } from "./figure.ts";

/** One movie in an embedding scatter. */
export interface ScatterPoint {
  /** Horizontal coordinate (e.g. the first principal component). */
  x: number;
  /** Vertical coordinate. */
  y: number;
  /** The label (a movie title). */
  title: string;
}

/** Options of {@linkcode embeddingScatter}. */
export interface EmbeddingScatterOptions extends FigureOptions {
  /**
   * The x-axis label.
   * @default {"PC1"}
   */
  xLabel?: string;
  /**
   * The y-axis label.
   * @default {"PC2"}
   */
  yLabel?: string;
  /**
   * Write each point's title next to it (labels that would overlap are left out; every dot
   * keeps its title on hover).
   * @default {true}
   */
  labels?: boolean;
  /**
   * Labels longer than this are shortened, keeping the year and the words that tell similar
   * titles apart ("Lord…Two Towers, The (2002)"); the hover title stays whole.
   * @default {32}
   */
  maxLabelLength?: number;
  /**
   * Dot colour.
   * @default {"#4269d0"}
   */
  color?: string;
}

const BLUE = "#4269d0";
const LABEL_SIZE = 11;
const MARGIN = { left: 48, right: 20, top: 16, bottom: 42 };

function paddedExtent(values: number[], pad = 0.06): [number, number] {
  let lo = Math.min(...values), hi = Math.max(...values);
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

function checkPoints(fn: string, points: unknown): ScatterPoint[] {
  const rows = rowArray<ScatterPoint>(fn, "points", points, "points");
  rows.forEach((p, i) => {
    finiteField(fn, "points", i, "x", p.x);
    finiteField(fn, "points", i, "y", p.y);
    textField(fn, "points", i, "title", p.title);
  });
  return rows;
}

/** Label marks (one text mark per anchor) for placed labels. */
function labelMarks(
  frame: Frame,
  points: { x: number; y: number }[],
  texts: string[],
  order: number[],
  dotRadius: number,
  avoidDots: boolean,
): { links: Plot.Markish; marks: Plot.Markish[]; dropped: number } {
  const { placed, dropped } = placeLabels(
    frame,
    points,
    texts,
    order,
    LABEL_SIZE,
    dotRadius,
    avoidDots,
  );
  const leaders = placed.filter((l) => l.leader !== undefined);
  const links = Plot.link(leaders, {
    x1: (l: PlacedLabel) => points[l.index].x,
    y1: (l: PlacedLabel) => points[l.index].y,
    x2: (l: PlacedLabel) => l.leader!.x,
    y2: (l: PlacedLabel) => l.leader!.y,
    stroke: "#888",
    strokeWidth: 0.8,
  });
  const labelTexts = (["start", "middle", "end"] as const).map((anchor) =>
    Plot.text(placed.filter((l) => l.anchor === anchor), {
      x: "x",
      y: "y",
      text: "text",
      textAnchor: anchor,
      fontSize: LABEL_SIZE,
      fill: INK,
      stroke: "white",
      strokeWidth: 3,
      strokeOpacity: 0.85,
    })
  );
  return { links, marks: labelTexts, dropped };
}

/**
 * Plots movies on two axes (e.g. two principal components of their embeddings) with their
 * titles written next to the dots, placed so that they do not overlap.
 *
 * @param points `{ x, y, title }` per movie, most important first (they get labels first).
 * @param options Axis labels, labelling, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @example
 * ```ts
 * import { embeddingScatter } from "./scatter.ts";
 * import { assertEquals } from "@std/assert";
 * const fig = embeddingScatter([
 *   { x: 0.8, y: 0.1, title: "Star Wars (1977)" },
 *   { x: 0.7, y: 0.3, title: "Return of the Jedi (1983)" },
 *   { x: -0.5, y: -0.2, title: "Fargo (1996)" },
 * ], { xLabel: "PC1", yLabel: "PC3" });
 * assertEquals(fig.summary, "[figure: embedding scatter, 3 points]");
 * ```
 */
export function embeddingScatter(
  points: ScatterPoint[],
  options: EmbeddingScatterOptions = {},
): PlotFigure {
  const fn = "embeddingScatter";
  const rows = checkPoints(fn, points);
  const {
    xLabel = "PC1",
    yLabel = "PC2",
    labels = true,
    maxLabelLength = 32,
    color = BLUE,
  } = options;
  positive(fn, "maxLabelLength", maxLabelLength, true);
  const { width, height } = figureSize(fn, options, 560);
  const frame: Frame = {
    left: MARGIN.left,
    right: width - MARGIN.right,
    top: MARGIN.top,
    bottom: height - MARGIN.bottom,
    x: paddedExtent(rows.map((p) => p.x)),
    y: paddedExtent(rows.map((p) => p.y)),
  };
  const dotRadius = 4;
  const marks: Plot.Markish[] = [
    Plot.dot(rows, {
      x: "x",
      y: "y",
      r: dotRadius,
      fill: color,
      stroke: "white",
      strokeWidth: 0.8,
      title: "title",
    }),
  ];
  let dropped = 0;
  if (labels) {
    const texts = shortLabels(rows.map((p) => p.title), maxLabelLength);
    const order = rows.map((_, i) => i);
    const placed = labelMarks(frame, rows, texts, order, dotRadius, true);
    marks.unshift(placed.links);
    marks.push(...placed.marks);
    dropped = placed.dropped;
  }
  const caption = options.caption ??
    (dropped > 0
      ? `${dropped} label${
        dropped > 1 ? "s" : ""
      } left out to avoid overlaps (hover a dot for its title)`
      : undefined);
  return render(
    fn,
    {
      height,
      plot: {
        marginLeft: MARGIN.left,
        marginRight: MARGIN.right,
        marginTop: MARGIN.top,
        marginBottom: MARGIN.bottom,
        x: {
          label: xLabel,
          labelAnchor: "center",
          labelArrow: "none",
          domain: frame.x,
          grid: true,
        },
        y: {
          label: yLabel,
          labelAnchor: "center",
          labelArrow: "none",
          domain: frame.y,
          grid: true,
        },
        marks: [Plot.ruleX([0], { stroke: "#ccc" }), Plot.ruleY([0], { stroke: "#ccc" }), ...marks],
      },
    },
    { ...options, caption },
    { kind: "embedding scatter", points: rows.length },
  );
}

/** One movie in a t-SNE map. */
export interface TsnePoint {
  /** First t-SNE coordinate. */
  x: number;
  /** Second t-SNE coordinate. */
  y: number;
  /** The movie title, shown on hover. */
  title: string;
  /** Number of ratings (the default colour). */
  popularity?: number;
  /** Any other field can colour the dots (a number, or a category such as a genre). */
  [field: string]: unknown;
}

/** Options of {@linkcode tsneScatter}. */
export interface TsneScatterOptions extends FigureOptions {
  /**
   * The point field that colours the dots: numbers get a 5-class quantile scale with a
   * legend, strings one colour per category (at most 10); `null` for one colour.
   * @default {"popularity"}
   */
  color?: string | null;
  /**
   * Legend label of the colour.
   * @default {the field name}
   */
  colorLabel?: string;
  /**
   * Write the titles of this many points next to them: those with the highest colour value
   * (numbers), else the first ones given.
   * @default {10}
   */
  labels?: number;
  /**
   * Dot radius in pixels.
   * @default {2.5}
   */
  r?: number;
  /**
   * Dot opacity.
   * @default {0.8}
   */
  opacity?: number;
}

const CATEGORY_COLORS = [
  "#4269d0",
  "#efb118",
  "#ff725c",
  "#6cc5b0",
  "#3ca951",
  "#ff8ab7",
  "#a463f2",
  "#97bbf5",
  "#9c6b4e",
  "#9498a0",
];

/**
 * Plots a t-SNE (or UMAP) map of movies: one dot per movie with its title (and colour value)
 * on hover through SVG `<title>` elements, coloured by popularity or another field, and the
 * titles of the most popular movies written on the map. The axes have no units, so none are
 * drawn.
 *
 * @param points `{ x, y, title, popularity }` per movie.
 * @param options Colour field, labels, dot size, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @example
 * ```ts
 * import { tsneScatter } from "./scatter.ts";
 * import { assertEquals } from "@std/assert";
 * const fig = tsneScatter([
 *   { x: 1, y: 2, title: "Star Wars (1977)", popularity: 583 },
 *   { x: -3, y: 0.5, title: "Fargo (1996)", popularity: 508 },
 *   { x: 4, y: -1, title: "Kolya (1996)", popularity: 117 },
 * ]);
 * assertEquals(fig.summary, "[figure: t-SNE scatter, 3 points]");
 * ```
 */
export function tsneScatter(points: TsnePoint[], options: TsneScatterOptions = {}): PlotFigure {
  const fn = "tsneScatter";
  const rows = checkPoints(fn, points) as TsnePoint[];
  const { color = "popularity", labels = 10, r = 2.5, opacity = 0.8 } = options;
  checkDots(fn, r, opacity, labels);
  const { width, height } = figureSize(fn, options, 560);

  const kind = colorKind(fn, rows, color);
  const value = (p: TsnePoint) => p[color as string] as number;
  // Draw the highest values last, on top.
  const order = rows.map((_, i) => i);
  if (kind === "number") order.sort((a, b) => value(rows[a]) - value(rows[b]));
  const drawn = order.map((i) => rows[i]);
  const label = options.colorLabel ??
    (color === "popularity" ? "Popularity (number of ratings)" : color ?? "");
  const categories = kind === "category" ? categoriesOf(fn, rows, color!) : [];
  const hover = (p: TsnePoint) => kind === "none" ? p.title : hoverText(p, color!);

  const frame: Frame = {
    left: 8,
    right: width - 8,
    top: 8,
    bottom: height - 8,
    x: paddedExtent(rows.map((p) => p.x), 0.04),
    y: paddedExtent(rows.map((p) => p.y), 0.04),
  };
  const marks: Plot.Markish[] = [
    Plot.frame({ stroke: "#ddd" }),
    Plot.dot(drawn, {
      x: "x",
      y: "y",
      r,
      fill: kind === "none" ? BLUE : (p: TsnePoint) => p[color!],
      fillOpacity: opacity,
      title: hover,
    }),
  ];
  let dropped = 0;
  if (labels > 0) {
    const ranked = kind === "number" ? [...order].reverse() : rows.map((_, i) => i);
    const titled = titledDots(frame, rows, ranked.slice(0, labels), r);
    marks.push(...titled.marks);
    dropped = titled.dropped;
  }
  const notes = ["t-SNE axes have no units: only nearby positions are meaningful"];
  if (dropped > 0) {
    notes.push(`${dropped} label${dropped > 1 ? "s" : ""} left out to avoid overlaps`);
  }
  const caption = options.caption ?? notes.join("; ");

  const integers = kind === "number" && rows.every((p) => Number.isInteger(value(p)));
  const { colorScale, legend } = colorLegend(kind, categories, label, integers, options.width);
  return render(
    fn,
    {
      height,
      legend,
      plot: {
        marginLeft: frame.left,
        marginRight: width - frame.right,
        marginTop: frame.top,
        marginBottom: height - frame.bottom,
        x: { axis: null, domain: frame.x },
        y: { axis: null, domain: frame.y },
        color: colorScale,
        marks,
      },
    },
    { ...options, caption },
    {
      kind: "t-SNE scatter",
      points: rows.length,
      series: kind === "category" ? categories.length : undefined,
    },
  );
}

/** A dot's hover text: the title, and the value it is coloured by. */
function hoverText(p: TsnePoint, color: string): string {
  const value = p[color];
  return `${p.title}\n${color}: ${
    typeof value === "number" ? Number(value.toPrecision(6)) : value
  }`;
}

/** Checks the dot radius, opacity and number of labels of {@linkcode tsneScatter}. */
function checkDots(fn: string, r: number, opacity: number, labels: number): void {
  positive(fn, "r", r);
  if (!(opacity > 0 && opacity <= 1)) {
    throw new RangeError(`${fn}(): expected opacity in (0, 1], found ${opacity}`);
  }
  if (!Number.isInteger(labels) || labels < 0) {
    throw new RangeError(`${fn}(): expected labels to be an integer >= 0, found ${labels}`);
  }
}

/** The distinct values of the field `color`, in order of appearance: at most one per colour. */
function categoriesOf(fn: string, rows: TsnePoint[], color: string): string[] {
  const categories = [...new Set(rows.map((p) => String(p[color])))];
  if (categories.length > CATEGORY_COLORS.length) {
    throw new RangeError(
      `${fn}(): expected at most ${CATEGORY_COLORS.length} categories in "${color}", found ${categories.length}`,
    );
  }
  return categories;
}

/** How {@linkcode tsneScatter} colours its dots by the field `color`, after checking it. */
function colorKind(
  fn: string,
  rows: TsnePoint[],
  color: string | null,
): "none" | "number" | "category" {
  if (color === null) return "none";
  if (typeof color !== "string") {
    throw new TypeError(`${fn}(): expected color as a field name or null, found ${typeof color}`);
  }
  const first = rows[0][color];
  const kind = typeof first === "number"
    ? "number"
    : typeof first === "string"
    ? "category"
    : "none";
  if (kind === "none") {
    throw new RangeError(
      `${fn}(): expected points[0].${color} to be a number or a string (to colour by), found ${
        first === undefined ? "no such field" : typeof first
      }`,
    );
  }
  rows.forEach((p, i) => {
    if (kind === "number") finiteField(fn, "points", i, color, p[color]);
    else textField(fn, "points", i, color, p[color]);
  });
  return kind;
}

/** The titles of the dots `wanted` (ringed so the label's dot is easy to find), as space allows. */
function titledDots(
  frame: Frame,
  rows: TsnePoint[],
  wanted: number[],
  r: number,
): { marks: Plot.Markish[]; dropped: number } {
  const texts = shortLabels(rows.map((p) => p.title), 28);
  const ring = Plot.dot(wanted.map((i) => rows[i]), {
    x: "x",
    y: "y",
    r: r + 1.5,
    stroke: INK,
    strokeWidth: 1,
  });
  const placed = labelMarks(frame, rows, texts, wanted, r + 1.5, false);
  return { marks: [ring, placed.links, ...placed.marks], dropped: placed.dropped };
}

/** The colour scale and legend of a t-SNE map: quantiles of a number, or one colour per category. */
function colorLegend(
  kind: "none" | "number" | "category",
  categories: string[],
  label: string,
  integers: boolean,
  width: number | undefined,
) {
  const colorScale: Plot.ScaleOptions | undefined = kind === "number"
    ? { type: "quantile", n: 5, scheme: "viridis", reverse: true, label }
    : kind === "category"
    ? { type: "ordinal", domain: categories, range: CATEGORY_COLORS.slice(0, categories.length) }
    : undefined;
  const legend = kind === "number"
    ? {
      scale: "color" as const,
      options: { tickFormat: integers ? ",d" : ".3~g" } as Plot.LegendOptions,
    }
    : kind === "category"
    ? swatchLegend(
      categories.map((c, i) => ({
        label: c,
        color: CATEGORY_COLORS[i],
        shape: "dot" as const,
      })),
      (width ?? WIDTH) - 20,
    )
    : undefined;
  return { colorScale, legend };
}
