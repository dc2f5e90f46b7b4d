/**
 * Scatter plots of movie embeddings: a labelled scatter of a few movies on two principal
 * components (seeds 000 and 003), and a t-SNE map of all movies coloured by popularity or a
 * category, its most rated movies labelled and every title on hover (seed 002).
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { DOT_OUTLINE, INK, shortLabels, textWidth, WIDTH } from "./_dom.ts";
import { type Frame, type PlacedLabel, placeLabels, type PlaceOptions } from "./_labels.ts";
import { swatchLegend } from "./_legend.ts";
import { checkPlotOptions, finiteField, positive, rowArray, textField } from "./_check.ts";
import { around } from "../_around.ts";
import { drawable, extent, padded, significant } from "./_extent.ts";
import { figureSize, fittedMarginLeft, render, type RenderSpec } from "./_render.ts";
import { listed, spoken } from "./_describe.ts";
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
   * Write each point's title next to it, or at the end of a leader line. A label that would
   * overlap another, lie on or next to another dot, or not be clearly nearest its own (with no
   * leader line: every other dot twice as far from a label level with its dot, three times
   * from one above or below it) is left out; its dot gets a number key instead where one fits
   * by the same rules (1, 2, 3, … top to bottom, then left to right; touching dots get
   * consecutive numbers, written as one key, "13,14", by dots drawn on one another where
   * numbers of their own could not tell them apart), which a key under the chart lists with
   * the titles, in columns at the size of the labels. The caption names the points left with
   * neither, and then says where hover titles work (every dot keeps its title on hover where
   * the notebook is trusted).
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
/** The colour of a category named "other" in a t-SNE map. */
const OTHER_GREY = "#bbbbbb";
const LABEL_SIZE = 11;
const MARGIN = { left: 48, right: 20, top: 16, bottom: 42 };

/**
 * The axis range of `values` (`what`: "x values"), widened by `pad` of its width each side (a
 * single value: by 1 first); throws a RangeError when no axis can span it.
 */
function paddedExtent(fn: string, what: string, values: number[], pad = 0.06): [number, number] {
  const given = extent(values);
  const [lo, hi] = given[0] === given[1] ? around(given[0], 1) : given;
  return drawable(fn, what, padded(lo, hi, pad), given);
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

/**
 * Label marks (one text mark per anchor), number keys for the points whose label found no room
 * (with `keys`; class `number-key`), the title of each numbered dot in number order, the
 * points left with neither, those labelled, and how many of those at the end of a leader line.
 */
function labelMarks(
  frame: Frame,
  points: { x: number; y: number }[],
  place: Omit<PlaceOptions, "fontSize">,
): {
  links: Plot.Markish;
  marks: Plot.Markish[];
  keyed: string[];
  dropped: number[];
  labelled: number[];
  led: number;
} {
  const { placed, dropped, keys } = placeLabels(frame, points, {
    ...place,
    fontSize: LABEL_SIZE,
  });
  const leaders = [...placed, ...keys].filter((l) => l.leader !== undefined);
  const links = Plot.link(leaders, {
    x1: (l: PlacedLabel) => points[l.index].x,
    y1: (l: PlacedLabel) => points[l.index].y,
    x2: (l: PlacedLabel) => l.leader!.x,
    y2: (l: PlacedLabel) => l.leader!.y,
    stroke: "#888",
    strokeWidth: 0.8,
  });
  const textMarks = (labels: PlacedLabel[], key: boolean) =>
    (["start", "middle", "end"] as const).map((anchor) =>
      Plot.text(labels.filter((l) => l.anchor === anchor), {
        x: "x",
        y: "y",
        text: "text",
        textAnchor: anchor,
        fontSize: LABEL_SIZE,
        fill: INK,
        stroke: "white",
        strokeWidth: 3,
        strokeOpacity: 0.85,
        // Number keys in a class of their own (the key under the chart names their titles).
        ...(key ? { className: "number-key" } : {}),
      })
    );
  const keyed = new Set(keys.flatMap((k) => [k.index, ...k.also ?? []]));
  return {
    links,
    marks: [...textMarks(placed, false), ...textMarks(keys, true)],
    keyed: keys.flatMap((k) => [k.index, ...k.also ?? []].map((i) => place.texts[i])),
    dropped: dropped.filter((i) => !keyed.has(i)),
    labelled: placed.map((l) => l.index),
    led: placed.filter((l) => l.leader !== undefined).length,
  };
}

/** How many unlabelled points a caption names at most (the rest are counted). */
const NAMED_AT_MOST = 8;
/** Where hover titles show: not in an untrusted notebook, which shows the figure as an `<img>`. */
const HOVER_NOTE = "Hover shows every title where the notebook is trusted or exported.";

/** No-break spaces keep a name on one line when the caption wraps. */
const unbroken = (text: string) => text.replaceAll(" ", "\u00a0");

/**
 * The key's size (px): that of the numbers and labels on the map, so that a key of a dozen
 * whole titles fits in a few rows of columns.
 */
const KEY_SIZE = LABEL_SIZE;

/** The key to a map's numbered dots (`keyed[k]` is number `k + 1`), or none. */
const numberKey = (keyed: string[]) =>
  keyed.length === 0 ? undefined : { heading: "Numbered dots:", entries: keyed, size: KEY_SIZE };

/**
 * The caption, after `before`: the points with neither a label nor a number (the numbered ones
 * have the key, {@linkcode numberKey}), as many as fit in about two lines of a figure `width` px
 * wide (at most {@linkcode NAMED_AT_MOST}), the rest counted, and where hover titles work (only
 * then: with every dot labelled or numbered, the figure tells them all itself).
 */
function unlabelledNote(names: string[], width: number, before = ""): string {
  const room = 2 * (width - 20) - textWidth(before) - 30;
  const list = (n: number) =>
    names.slice(0, n).map(unbroken).join("; ") +
    (n < names.length ? ` and ${names.length - n} more` : "");
  let named = 1;
  while (
    named < Math.min(names.length, NAMED_AT_MOST) &&
    textWidth(`Not labelled (no room): ${list(named + 1)}.`) <= room
  ) named++;
  return `${before}Not labelled (no room): ${list(named)}. ${HOVER_NOTE}`;
}

/** The options of {@linkcode embeddingScatter} beside the figure's (kept complete by the type). */
const EMBEDDING_SCATTER_OPTIONS: Record<
  Exclude<keyof EmbeddingScatterOptions, keyof FigureOptions>,
  true
> = {
  xLabel: true,
  yLabel: true,
  labels: true,
  maxLabelLength: true,
  color: true,
};

/**
 * Plots movies on two axes (e.g. two principal components of their embeddings) with their
 * titles written next to the dots, each clear of the other labels and dots and clearly nearest
 * its own dot; a dot whose title finds no such place gets a number, listed in a key under the
 * chart, so that every dot can be told in the figure itself (hover titles work only in a
 * trusted notebook).
 *
 * @param points `{ x, y, title }` per movie, most important first (they get labels first).
 * @param options Axis labels, labelling, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @throws {TypeError} On points that are not `{ x, y, title }` objects.
 * @throws {RangeError} On no points, a coordinate that is not finite, a bad option, or x or y
 *   values that no axis can span: wider apart than the largest number (-1e308 and 1e308) or,
 *   unless all equal, closer together than 1e-300.
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
  checkPlotOptions(fn, options, EMBEDDING_SCATTER_OPTIONS);
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
  const x = paddedExtent(fn, "x values", rows.map((p) => p.x));
  const y = paddedExtent(fn, "y values", rows.map((p) => p.y));
  const dotRadius = 4;
  const dots = Plot.dot(rows, {
    x: "x",
    y: "y",
    r: dotRadius,
    fill: color,
    stroke: "white",
    strokeWidth: 0.8,
    title: "title",
  });
  const chart = (marginLeft: number, marks: Plot.Markish[]): RenderSpec => ({
    height,
    plot: {
      marginLeft,
      marginRight: MARGIN.right,
      marginTop: MARGIN.top,
      marginBottom: MARGIN.bottom,
      x: { label: xLabel, labelAnchor: "center", labelArrow: "none", domain: x, grid: true },
      y: { label: yLabel, labelAnchor: "center", labelArrow: "none", domain: y, grid: true },
      // The axes through the origin, where it is inside the chart (else Plot draws them outside
      // the frame, over the axis labels or the caption).
      marks: [
        ...(x[0] < 0 && 0 < x[1] ? [Plot.ruleX([0], { stroke: "#ccc" })] : []),
        ...(y[0] < 0 && 0 < y[1] ? [Plot.ruleY([0], { stroke: "#ccc" })] : []),
        ...marks,
      ],
    },
  });
  const about = (written: string) => ({
    kind: "embedding scatter",
    points: rows.length,
    description: describeScatter(rows, xLabel, yLabel, written),
  });
  if (!labels) {
    return render(fn, chart(MARGIN.left, [dots]), options, about("No titles are written."));
  }

  const texts = shortLabels(rows.map((p) => p.title), maxLabelLength);
  const order = rows.map((_, i) => i);
  // Labels are placed in pixels, so in the frame the chart is drawn in: with the left margin
  // render() will use (wider than asked when the y tick labels need it).
  const left = fittedMarginLeft(fn, chart(MARGIN.left, []), options);
  const frame: Frame = {
    left,
    right: width - MARGIN.right,
    top: MARGIN.top,
    bottom: height - MARGIN.bottom,
    x,
    y,
  };
  const placed = labelMarks(frame, rows, {
    texts,
    order,
    dotRadius,
    obstacles: "all",
    keys: true,
  });
  const keyed = placed.keyed;
  const unlabelled = placed.dropped.map((i) => texts[i]);
  // A caller's caption replaces the note (the key to the numbers on the map stays).
  const caption = options.caption ??
    (unlabelled.length > 0 ? unlabelledNote(unlabelled, width) : undefined);
  const marks = [placed.links, dots, ...placed.marks];
  const { led } = placed, near = placed.labelled.length - led;
  const written = [
    `${near} ${near === 1 ? "title is" : "titles are"} written beside ${
      near === 1 ? "its dot" : "their dots"
    }`,
    ...(led > 0
      ? [`${led} at the end of a line from ${led === 1 ? "its dot" : "their dots"}`]
      : []),
    ...(keyed.length > 0
      ? [`${keyed.length} numbered (${keyed.map((name, k) => `${k + 1} ${name}`).join("; ")})`]
      : []),
    ...(unlabelled.length > 0
      ? [`${unlabelled.length} left unlabelled (${listed(unlabelled, 10)})`]
      : []),
  ].join(", ");
  return render(
    fn,
    { ...chart(left, marks), key: numberKey(keyed) },
    { ...options, caption },
    about(`${written}.`),
  );
}

/**
 * An embedding scatter in words: how many movies on which axes, the movie farthest out on
 * each side, and how the titles are shown (`written`).
 */
function describeScatter(
  rows: ScatterPoint[],
  xLabel: string,
  yLabel: string,
  written: string,
): string {
  const far = (value: (p: ScatterPoint) => number, sign: 1 | -1) =>
    rows.reduce((a, b) => (sign * value(b) > sign * value(a) ? b : a)).title;
  const sides = [
    `left ${far((p) => p.x, -1)}`,
    `right ${far((p) => p.x, 1)}`,
    `top ${far((p) => p.y, 1)}`,
    `bottom ${far((p) => p.y, -1)}`,
  ];
  return `Scatter of ${rows.length} ${rows.length === 1 ? "movie" : "movies"}, ${xLabel} ` +
    `across and ${yLabel} up. Farthest out: ${sides.join("; ")}. ${written}`;
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
   * The categories of a categorical `color`, in legend order; every value that occurs must be
   * listed. Colours go by class size, not by this order: the largest classes get the most
   * distinct colours of a colour-blind-safe palette (Okabe–Ito's), and a category named
   * "other" is drawn grey, beneath the others.
   * @default {the categories by decreasing number of points, "other" last}
   */
  categories?: string[];
  /**
   * Write the titles of this many points next to them (those ranked highest by `labelBy`),
   * ringing their dots; a ringed dot whose title finds no room gets a number key, listed in a
   * key under the chart.
   * @default {10}
   */
  labels?: number;
  /**
   * The numeric field that ranks the points for labels, highest first; `null` labels the first
   * points given. Two maps of the same points, coloured differently, get the same labelled
   * reference points unless this is changed.
   * @default {`color` if it is numeric, else "popularity" if every point has one, else null}
   */
  labelBy?: string | null;
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

/**
 * Category colours, most distinct first: Okabe & Ito's colour-blind-safe palette (blue,
 * orange, bluish green, reddish purple, sky blue, vermillion, yellow), then brown, black and
 * grey. Blended at opacity 0.8 on white, the first seven and the grey of "other" stay at least
 * 9 apart (CIEDE2000) in every pair, for normal vision and simulated protanopia, deuteranopia
 * and tritanopia (Machado et al. 2009).
 */
const CATEGORY_COLORS = [
  "#0072b2",
  "#e69f00",
  "#009e73",
  "#cc79a7",
  "#56b4e9",
  "#d55e00",
  "#f0e442",
  "#8b5a2b",
  "#000000",
  OTHER_GREY,
];

/** The options of {@linkcode tsneScatter} beside the figure's (kept complete by the type). */
const TSNE_SCATTER_OPTIONS: Record<Exclude<keyof TsneScatterOptions, keyof FigureOptions>, true> = {
  color: true,
  colorLabel: true,
  categories: true,
  labels: true,
  labelBy: true,
  r: true,
  opacity: true,
};

/**
 * Plots a t-SNE (or UMAP) map of movies: one dot per movie with its title (and colour value)
 * on hover through SVG `<title>` elements, coloured by popularity or another field, and the
 * titles of the most popular movies written on the map. The axes have no units, so none are
 * drawn.
 *
 * @param points `{ x, y, title, popularity }` per movie.
 * @param options Colour field, labels, dot size, titles and size.
 * @returns The figure (shown as a cell's last expression).
 * @throws {RangeError} On no points, a coordinate that is not finite, a bad option, or x or y
 *   values that no map can span: wider apart than the largest number (-1e308 and 1e308) or,
 *   unless all equal, closer together than 1e-300.
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
  checkPlotOptions(fn, options, TSNE_SCATTER_OPTIONS);
  const rows = checkPoints(fn, points) as TsnePoint[];
  const { color = "popularity", labels = 10, r = 2.5, opacity = 0.8 } = options;
  checkDots(fn, r, opacity, labels);
  const { width, height } = figureSize(fn, options, 560);

  const kind = colorKind(fn, rows, color);
  const label = options.colorLabel ??
    (color === "popularity" ? "Popularity (number of ratings)" : color ?? "");
  const classes = kind === "category"
    ? categoryClasses(fn, rows, color!, options.categories)
    : undefined;
  const hover = (p: TsnePoint) => kind === "none" ? p.title : hoverText(p, color!);

  const frame: Frame = {
    left: 8,
    right: width - 8,
    top: 8,
    bottom: height - 8,
    x: paddedExtent(fn, "x values", rows.map((p) => p.x), 0.04),
    y: paddedExtent(fn, "y values", rows.map((p) => p.y), 0.04),
  };
  const marks: Plot.Markish[] = [
    Plot.frame({ stroke: "#ddd" }),
    Plot.dot(drawOrder(rows, kind, color, classes).map((i) => rows[i]), {
      x: "x",
      y: "y",
      r,
      fill: kind === "none" ? BLUE : (p: TsnePoint) => p[color!],
      fillOpacity: opacity,
      stroke: DOT_OUTLINE.color,
      strokeOpacity: DOT_OUTLINE.opacity,
      strokeWidth: DOT_OUTLINE.width,
      title: hover,
    }),
  ];
  let caption = "t-SNE axes have no units: only nearby positions are meaningful";
  let ringed: string[] = [];
  let keyed: string[] = [];
  if (labels > 0) {
    const labelBy = labelField(fn, rows, options.labelBy, kind === "number" ? color : null);
    const wanted = ranked(rows, labelBy).slice(0, labels);
    ringed = wanted.map((i) => rows[i].title);
    const titled = titledDots(frame, rows, wanted, r);
    marks.push(...titled.marks);
    keyed = titled.keyed;
    if (titled.unlabelled.length > 0) {
      caption = unlabelledNote(titled.unlabelled, width, `${caption}. `);
    }
  }

  const integers = kind === "number" &&
    rows.every((p) => Number.isInteger(p[color as string] as number));
  const { colorScale, legend } = colorLegend(kind, classes, label, integers, options.width);
  return render(
    fn,
    {
      height,
      legend,
      key: numberKey(keyed),
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
    { ...options, caption: options.caption ?? caption },
    {
      kind: "t-SNE scatter",
      points: rows.length,
      series: classes?.order.length,
      description: describeMap(rows, { kind, color, label, classes, integers, ringed }),
    },
  );
}

/**
 * A t-SNE map in words: how many movies, what the colours stand for (the classes' bounds, or
 * each category and its size) and the titles written on the map.
 */
function describeMap(
  rows: TsnePoint[],
  about: {
    kind: "none" | "number" | "category";
    color: string | null;
    label: string;
    classes: Classes | undefined;
    integers: boolean;
    ringed: string[];
  },
): string {
  const { kind, color, label, classes, integers, ringed } = about;
  let colours = "";
  if (kind === "number") {
    // The bounds of the five classes, as Plot's quantile scale (d3's) splits them.
    const sorted = rows.map((p) => p[color!] as number).sort((a, b) => a - b);
    const bounds = [1, 2, 3, 4].map((k) => {
      const h = (sorted.length - 1) * k / 5, i = Math.floor(h);
      const value = sorted[i] + (h - i) * ((sorted[i + 1] ?? sorted[i]) - sorted[i]);
      return spoken(integers ? Math.round(value) : value);
    });
    colours = `, coloured by ${label} in five classes of equal size, dark for the highest, ` +
      `split at ${bounds.slice(0, 3).join(", ")} and ${bounds[3]}`;
  } else if (classes !== undefined) {
    const sizes = classes.order.map((c) => `${c} ${spoken(classes.size.get(c)!)}`);
    colours = `, coloured by ${label}: ${sizes.join(", ")}`;
  }
  const written = ringed.length === 0 ? "" : ` Ringed and titled: ${listed(ringed)}.`;
  return `Map of ${spoken(rows.length)} ${rows.length === 1 ? "movie" : "movies"} made by ` +
    `t-SNE, where nearby dots are movies with similar embeddings and the axes have no units` +
    `${colours}.${written}`;
}

/** A dot's hover text: the title, and the value it is coloured by. */
function hoverText(p: TsnePoint, color: string): string {
  const value = p[color];
  return `${p.title}\n${color}: ${typeof value === "number" ? significant(value, 6) : value}`;
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

/** The categories of a t-SNE map: legend order, and the colour of each. */
interface Classes {
  order: string[];
  colors: Map<string, string>;
  size: Map<string, number>;
}

const isOther = (category: string) => category.trim().toLowerCase() === "other";

/**
 * The categories of the field `color` in legend order (`given`, else by decreasing size with
 * "other" last), each coloured by its size rank; at most one category per colour.
 */
function categoryClasses(
  fn: string,
  rows: TsnePoint[],
  color: string,
  given: string[] | undefined,
): Classes {
  const size = new Map<string, number>();
  for (const p of rows) size.set(String(p[color]), (size.get(String(p[color])) ?? 0) + 1);
  if (size.size > CATEGORY_COLORS.length) {
    throw new RangeError(
      `${fn}(): expected at most ${CATEGORY_COLORS.length} categories in "${color}", found ${size.size}`,
    );
  }
  const bySize = [...size.keys()].sort((a, b) =>
    Number(isOther(a)) - Number(isOther(b)) || size.get(b)! - size.get(a)!
  );
  let order = bySize;
  if (given !== undefined) {
    if (!Array.isArray(given) || given.some((c) => typeof c !== "string")) {
      throw new TypeError(`${fn}(): expected categories as an array of strings`);
    }
    const missing = bySize.filter((c) => !given.includes(c));
    if (missing.length > 0) {
      throw new RangeError(
        `${fn}(): expected categories to list every value of "${color}", found no ${
          missing.map((c) => `"${c}"`).join(", ")
        }`,
      );
    }
    order = [...new Set(given)].filter((c) => size.has(c));
  }
  const colors = new Map<string, string>();
  let next = 0;
  for (const c of bySize) colors.set(c, isOther(c) ? OTHER_GREY : CATEGORY_COLORS[next++]);
  return { order, colors, size };
}

/**
 * The order dots are drawn in, last on top: the highest numbers; or the grey "other" class
 * first and then the classes by decreasing size, so that small classes are not buried.
 */
function drawOrder(
  rows: TsnePoint[],
  kind: "none" | "number" | "category",
  color: string | null,
  classes: Classes | undefined,
): number[] {
  const order = rows.map((_, i) => i);
  if (kind === "number") {
    const value = (i: number) => rows[i][color!] as number;
    order.sort((a, b) => value(a) - value(b));
  } else if (classes !== undefined) {
    const rank = (i: number) => {
      const c = String(rows[i][color!]);
      return isOther(c) ? Number.MAX_SAFE_INTEGER : classes.size.get(c)!;
    };
    order.sort((a, b) => rank(b) - rank(a));
  }
  return order;
}

/** The field that ranks points for labels (see {@linkcode TsneScatterOptions.labelBy}). */
function labelField(
  fn: string,
  rows: TsnePoint[],
  given: string | null | undefined,
  numericColor: string | null,
): string | null {
  if (given === null) return null;
  if (given !== undefined) {
    if (typeof given !== "string") {
      throw new TypeError(
        `${fn}(): expected labelBy as a field name or null, found ${typeof given}`,
      );
    }
    rows.forEach((p, i) => finiteField(fn, "points", i, given, p[given]));
    return given;
  }
  if (numericColor !== null) return numericColor;
  return rows.every((p) => typeof p.popularity === "number" && Number.isFinite(p.popularity))
    ? "popularity"
    : null;
}

/** Point indices by decreasing `field` (ties and `null`: the order given). */
function ranked(rows: TsnePoint[], field: string | null): number[] {
  const order = rows.map((_, i) => i);
  if (field === null) return order;
  const value = (i: number) => rows[i][field] as number;
  return order.sort((a, b) => value(b) - value(a) || a - b);
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

/**
 * The titles of the dots `wanted` (ringed so the label's dot is easy to find), as space allows,
 * else a number key; the short titles of the dots numbered (in number order) and of those left
 * with neither.
 */
function titledDots(
  frame: Frame,
  rows: TsnePoint[],
  wanted: number[],
  r: number,
): { marks: Plot.Markish[]; keyed: string[]; unlabelled: string[] } {
  const texts = shortLabels(rows.map((p) => p.title), 28);
  const ring = Plot.dot(wanted.map((i) => rows[i]), {
    x: "x",
    y: "y",
    r: r + 1.5,
    stroke: INK,
    strokeWidth: 1,
  });
  // Only the ringed dots are obstacles: a map has too many dots for labels to avoid them all,
  // and the ring, not the distance, marks the labelled dot.
  const placed = labelMarks(frame, rows, {
    texts,
    order: wanted,
    dotRadius: r + 1.5,
    obstacles: "labelled",
    keys: true,
  });
  return {
    marks: [ring, placed.links, ...placed.marks],
    keyed: placed.keyed,
    unlabelled: placed.dropped.map((i) => texts[i]),
  };
}

/** The colour scale and legend of a t-SNE map: quantiles of a number, or one colour per category. */
function colorLegend(
  kind: "none" | "number" | "category",
  classes: Classes | undefined,
  label: string,
  integers: boolean,
  width: number | undefined,
) {
  const colorScale: Plot.ScaleOptions | undefined = kind === "number"
    ? { type: "quantile", n: 5, scheme: "viridis", reverse: true, label: `${label}, in fifths` }
    : classes !== undefined
    ? {
      type: "ordinal",
      domain: classes.order,
      range: classes.order.map((c) => classes.colors.get(c)!),
    }
    : undefined;
  const legend = kind === "number"
    ? {
      scale: "color" as const,
      options: { tickFormat: integers ? ",d" : ".3~g" } as Plot.LegendOptions,
    }
    : classes !== undefined
    ? swatchLegend(
      classes.order.map((c) => ({
        label: c,
        color: classes.colors.get(c)!,
        shape: "dot" as const,
        outlined: true,
      })),
      (width ?? WIDTH) - 20,
    )
    : undefined;
  return { colorScale, legend };
}
