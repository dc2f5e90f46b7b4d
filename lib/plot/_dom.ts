// The DOM side of the plot helpers (private to lib/plot): one linkedom document, a minimal
// element type (Deno has no DOM typings), number rounding and the composition of a title,
// a legend and a Plot chart into one standalone SVG.

import { parseHTML } from "linkedom";
import type { FigureElement as DomElement } from "./figure.ts";

export type { DomElement };

/** The document members these helpers use. */
export interface DomDocument {
  createElementNS(namespace: string, tag: string): DomElement;
}

export const SVG_NS = "http://www.w3.org/2000/svg";

/** Width of every figure in pixels. */
export const WIDTH = 640;
/** Font family of every figure. */
export const FONT_FAMILY =
  "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
/** Font size (px) of tick labels, axis labels and data labels. */
export const FONT_SIZE = 12;
/** Font size (px) of a figure's title. */
export const TITLE_SIZE = 16;
/** Text colour. */
export const INK = "#222";
/** Secondary text colour (subtitles, captions, annotations). */
export const MUTED = "#666";
/**
 * The outline of a map's dots: black at 0.4 opacity darkens each dot's own colour at its edge,
 * so that the lightest fills (yellow, 1.2–1.3 : 1 against white) keep an edge of at least 3 : 1,
 * WCAG's contrast for graphics (`test/plot/scatter_test.ts` checks every colour drawn).
 */
export const DOT_OUTLINE = { color: "#000", opacity: 0.4, width: 0.7 } as const;

let cached: DomDocument | null = null;

/** The linkedom document every plot is rendered with (created once). */
export function plotDocument(): DomDocument {
  if (cached === null) {
    const { document } = parseHTML("<!doctype html><html><body></body></html>") as unknown as {
      document: DomDocument;
    };
    cached = document;
  }
  return cached;
}

/** Creates an SVG element with attributes (numbers are written as they are). */
export function svgElement(
  tag: string,
  attributes: Record<string, string | number> = {},
  text?: string,
): DomElement {
  const node = plotDocument().createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

const GEOMETRY = new Set([
  "x",
  "y",
  "x1",
  "x2",
  "y1",
  "y2",
  "cx",
  "cy",
  "r",
  "width",
  "height",
  "d",
  "transform",
  "points",
]);

/** Rounds the numbers in geometry attributes to `digits` decimals (smaller markup, same look). */
export function roundGeometry(root: DomElement, digits = 1): void {
  const round = (m: string) => String(Number(Number(m).toFixed(digits)));
  const visit = (node: DomElement) => {
    for (const { name, value } of Array.from(node.attributes)) {
      if (GEOMETRY.has(name) && /\d\.\d/.test(value)) {
        node.setAttribute(name, value.replace(/-?\d*\.\d+(?:e[-+]?\d+)?/gi, round));
      }
    }
    for (const child of Array.from(node.children)) visit(child);
  };
  visit(root);
}

/** The ids Plot numbers on from one figure to the next: clip paths, markers, patterns. */
const PLOT_ID = /\bplot-(clip|marker|pattern)-(\d+)\b/g;

/**
 * Numbers Plot's ids (`plot-clip-7`, and the `url(#plot-clip-7)` that use them) from 1 within
 * the figure. Plot counts them over every figure of the process, so a figure drawn again (its
 * cell run again) would differ in its markup; each figure is a picture of its own (an `<img>`),
 * so its ids need only be unique within it.
 */
export function renumberIds(root: DomElement): void {
  const renamed = new Map<string, string>();
  const counts = new Map<string, number>();
  const rename = (id: string, kind: string) => {
    let name = renamed.get(id);
    if (name === undefined) {
      const n = (counts.get(kind) ?? 0) + 1;
      counts.set(kind, n);
      name = `plot-${kind}-${n}`;
      renamed.set(id, name);
    }
    return name;
  };
  const visit = (node: DomElement) => {
    for (const { name, value } of Array.from(node.attributes)) {
      if (value.includes("plot-")) node.setAttribute(name, value.replace(PLOT_ID, rename));
    }
    for (const child of Array.from(node.children)) visit(child);
  };
  visit(root);
}

/** Approximate rendered width (px) of `text` in a sans-serif font of `size` px. */
export function textWidth(text: string, size = FONT_SIZE): number {
  let em = 0;
  for (const ch of text) {
    // Widths of DejaVu Sans, the widest common fallback; narrower fonts just get more room.
    if (/[iljI.,:;'!|]/.test(ch)) em += 0.3;
    else if (/[ ()ftr\[\]-]/.test(ch)) em += 0.4;
    else if (/[mwMW@%&]/.test(ch)) em += 0.92;
    else if (/[A-Z#?]/.test(ch)) em += 0.7;
    else em += 0.62;
  }
  return em * size;
}

/** Punctuation that must not dangle before an ellipsis ("Star Wars: Episode V -…"). */
const TRAILING = /[\s,:;\-–—(\[/&]+$/;
/** Punctuation that must not open a kept tail ("…- The Empire"). */
const LEADING = /^[\s,:;.\-–—)\]/&]+/;

/**
 * Cuts `text` to at most `max` characters, at a word end when one is near, adding "…"; no
 * punctuation or unclosed bracket is left dangling before the "…".
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(1, max - 1));
  const space = cut.lastIndexOf(" ");
  const atWordEnd = /\s/.test(text[cut.length]);
  if (!atWordEnd && space >= cut.length - 10 && space > 0) cut = cut.slice(0, space);
  // A bracket opened and not closed ("Shanghai Triad (Yao…") goes with what it opened.
  const open = Math.max(cut.lastIndexOf("("), cut.lastIndexOf("["));
  if (open > 0 && !/[)\]]/.test(cut.slice(open)) && cut.slice(0, open).trim() !== "") {
    cut = cut.slice(0, open);
  }
  return (cut.replace(TRAILING, "") || cut) + "…";
}

/** Parts of a composed figure, stacked top to bottom. */
export interface Parts {
  /** The chart Plot rendered (an `<svg>` root). */
  chart: DomElement;
  title?: string;
  subtitle?: string;
  /** A legend (an `<svg>` root or a `<g>`) with its size. */
  legend?: { node: DomElement; width: number; height: number };
  caption?: string;
  /** A key to numbered marks, drawn under the chart (above the caption). */
  key?: NumberKey;
}

/** A key to the numbers written on a chart: `entries[k]` is what number `k + 1` stands for. */
export interface NumberKey {
  /** Words before the entries ("Numbered dots:"). */
  heading: string;
  /** What each number stands for, number 1 first. */
  entries: string[];
  /** Font size (px): that of the numbers on the chart. */
  size: number;
}

/** Space (px) between a key's columns, and between its heading and its first column. */
const KEY_GAP = 14;
/** Space (px) between a number of the key and its entry. */
const NUMBER_GAP = 4;
/** How much wider bold digits are than the regular ones {@linkcode textWidth} counts. */
const BOLD = 1.12;

/** Where a key's parts go: its heading on a line of its own or beside the first row. */
export interface KeyLayout {
  /** The heading has a line of its own above the entries (else it leads the first row). */
  headingLine: boolean;
  /** Rows of entries; entry `k` is in column `floor(k / rows)`, row `k % rows`. */
  rows: number;
  /** Right edge of each column's numbers (they are right-aligned), from the key's left. */
  numberRight: number[];
}

/**
 * Lays a key out in columns, numbers down each column and then on to the next (1–5, 6–10, …),
 * each column as wide as its widest entry: the fewest lines that fit `width`, the heading
 * beside the first row unless a line of its own saves lines.
 */
export function keyLayout(key: NumberKey, width: number): KeyLayout {
  const { entries, size } = key;
  const n = entries.length;
  const title = entries.map((t) => textWidth(t, size));
  /** Column `c` of `rows`: the width of its numbers (its last is the widest) and its own. */
  const column = (c: number, rows: number) => {
    const last = Math.min(n, (c + 1) * rows);
    const numbers = textWidth(String(last), size) * BOLD;
    return { numbers, width: numbers + NUMBER_GAP + Math.max(...title.slice(c * rows, last)) };
  };
  const headingWidth = textWidth(key.heading, size) + KEY_GAP;
  /** Width of the entries laid out in `rows` rows. */
  const span = (rows: number) => {
    let total = -KEY_GAP;
    for (let c = 0; c * rows < n; c++) total += column(c, rows).width + KEY_GAP;
    return total;
  };
  const fit = (room: number) => {
    for (let rows = 1; rows < n; rows++) if (span(rows) <= room) return rows;
    return Math.max(1, n);
  };
  const beside = fit(width - headingWidth), above = fit(width);
  // The heading goes on a line of its own when that saves lines, or when even one column does
  // not fit beside it.
  const headingLine = above + 1 < beside || span(beside) > width - headingWidth;
  const rows = headingLine ? above : beside;
  const numberRight: number[] = [];
  let x = headingLine ? 0 : headingWidth;
  for (let c = 0; c * rows < n; c++) {
    const { numbers, width } = column(c, rows);
    numberRight.push(x + numbers);
    x += width + KEY_GAP;
  }
  return { headingLine, rows, numberRight };
}

/**
 * One standalone SVG holding a title, a subtitle, a legend, the chart and a caption: a
 * single `<svg>` that renders the same inline in HTML, as an image and in a `.svg` file.
 */
export function compose(parts: Parts): DomElement {
  const { chart } = parts;
  const width = Number(chart.getAttribute("width"));
  const chartHeight = Number(chart.getAttribute("height"));
  const pad = 10;
  const root = svgElement("svg", {
    xmlns: SVG_NS,
    width,
    height: 0,
    viewBox: `0 0 ${width} 0`,
    "font-family": FONT_FAMILY,
    "font-size": FONT_SIZE,
    fill: INK,
    color: INK,
    style: `background: white; color: ${INK}; max-width: 100%; height: auto;`,
  });
  const className = chart.getAttribute("class");
  if (className) root.setAttribute("class", className);
  const style = chart.querySelector("style");
  if (style) root.appendChild(style);
  root.appendChild(svgElement("rect", { width: "100%", height: "100%", fill: "white" }));

  let y = 0;
  if (parts.title) {
    y += pad + TITLE_SIZE;
    root.appendChild(svgElement("text", {
      x: pad,
      y,
      "font-size": TITLE_SIZE,
      "font-weight": 600,
      "text-anchor": "start",
    }, parts.title));
  }
  if (parts.subtitle) {
    y += 6 + FONT_SIZE;
    root.appendChild(
      svgElement("text", { x: pad, y, fill: MUTED, "text-anchor": "start" }, parts.subtitle),
    );
  }
  if (parts.legend) {
    y += 8;
    const g = svgElement("g", { transform: `translate(${pad},${y})`, "aria-label": "legend" });
    moveChildren(parts.legend.node, g);
    root.appendChild(g);
    y += parts.legend.height;
  }
  if (y > 0) y += 4;

  const body = svgElement("g", { transform: `translate(0,${y})`, "aria-label": "chart" });
  for (const name of ["text-anchor", "font-variant"]) {
    const value = chart.getAttribute(name);
    if (value) body.setAttribute(name, value);
  }
  moveChildren(chart, body);
  root.appendChild(body);
  y += chartHeight;

  if (parts.key && parts.key.entries.length > 0) y = drawKey(root, parts.key, y, width, pad);

  if (parts.caption) {
    const size = FONT_SIZE;
    const lineHeight = size + 4;
    y += 4 + size;
    const lines = wrapWords(parts.caption.split(" "), width - 2 * pad, size);
    const caption = svgElement("text", {
      x: pad,
      y,
      fill: MUTED,
      "font-style": "italic",
      "text-anchor": "start",
    }, lines.length === 1 ? lines[0] : undefined);
    if (lines.length > 1) {
      // One <text> holding a <tspan> per line: its text is still the whole caption.
      lines.forEach((line, i) => {
        const last = i === lines.length - 1;
        caption.appendChild(
          svgElement("tspan", { x: pad, dy: i === 0 ? 0 : lineHeight }, last ? line : `${line} `),
        );
      });
      y += (lines.length - 1) * lineHeight;
    }
    root.appendChild(caption);
    y += 6;
  }
  root.setAttribute("height", String(y));
  root.setAttribute("viewBox", `0 0 ${width} ${y}`);
  roundGeometry(root);
  renumberIds(root);
  return root;
}

/**
 * Draws `key` under `top` (a `<g aria-label="key">`: a `<text>` for the heading, then one for
 * each number, bold and right-aligned in its column, and one for each entry) and returns the new
 * bottom. In columns, so that a number never runs into its entry ("4 12 Angry Men") and each is
 * found by reading down.
 */
function drawKey(root: DomElement, key: NumberKey, top: number, width: number, pad: number) {
  const { size } = key;
  const layout = keyLayout(key, width - 2 * pad);
  const lineHeight = size + 4;
  const g = svgElement("g", {
    transform: `translate(${pad},${top + 4 + size})`,
    "aria-label": "key",
    "font-size": size,
    "text-anchor": "start",
  });
  g.appendChild(
    svgElement("text", { x: 0, y: 0, fill: MUTED, "font-style": "italic" }, key.heading),
  );
  const first = layout.headingLine ? lineHeight : 0;
  key.entries.forEach((entry, k) => {
    const column = Math.floor(k / layout.rows), y = first + (k % layout.rows) * lineHeight;
    const right = layout.numberRight[column];
    g.appendChild(svgElement("text", {
      x: right,
      y,
      "font-weight": 700,
      "text-anchor": "end",
      class: "key-number",
    }, String(k + 1)));
    g.appendChild(svgElement("text", { x: right + NUMBER_GAP, y, class: "key-entry" }, entry));
  });
  root.appendChild(g);
  return top + 4 + size + first + (layout.rows - 1) * lineHeight + 6;
}

/**
 * Greedy line breaking: `words` joined by spaces into lines at most `width` px wide at `size`
 * (a word wider than that gets a line of its own). The caller splits the text into words as it
 * needs (a caption only at plain spaces, so that no-break spaces hold).
 */
export function wrapWords(words: string[], width: number, size = FONT_SIZE): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    const next = line === "" ? word : `${line} ${word}`;
    if (line !== "" && textWidth(next, size) > width) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

function moveChildren(from: DomElement, to: DomElement): void {
  for (const child of Array.from(from.childNodes)) {
    if ((child as { tagName?: string }).tagName?.toLowerCase() === "style") continue;
    to.appendChild(child);
  }
}

const YEAR = /\s*\(\d{4}(?:[-–]\d{0,4})?\)$/;

/** Length of the common start of two strings. */
function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * Short labels for titles, at most `max` characters each, that tell the titles apart: a
 * trailing year `(1977)` is always kept, and when the kept start of a title is shared with
 * another title of the set ("Lord of the Rings: The…"), the label keeps the part where they
 * differ instead ("Lord…Two Towers, The (2002)"), from its subtitle when it has one
 * ("…The Empire Strikes Back (1980)"). No label leaves punctuation dangling at an "…".
 * Identical titles get the same label.
 *
 * @param titles All titles of the figure (labelled or not: each is a possible confusion).
 * @param max Longest label, in characters.
 * @returns One label per title, in the same order.
 */
export function shortLabels(titles: string[], max: number): string[] {
  const distinct = [...new Set(titles)];
  const byTitle = new Map<string, string>();
  for (const title of distinct) {
    if (title.length <= max) {
      byTitle.set(title, title);
      continue;
    }
    const year = title.match(YEAR)?.[0] ?? "";
    const main = title.slice(0, title.length - year.length);
    const budget = Math.max(4, max - year.length);
    const cut = truncate(main, budget);
    const kept = cut.endsWith("…") ? cut.slice(0, -1) : cut;
    const rivals = distinct.filter((t) => t !== title && t.startsWith(kept))
      .map((t) => t.replace(YEAR, ""));
    byTitle.set(title, (rivals.length === 0 ? cut : tellApart(main, rivals, budget)) + year);
  }
  return titles.map((t) => byTitle.get(t)!);
}

/** A subtitle separator: ": " or a spaced dash. */
const SEPARATOR = /(?::|\s[-–—])\s+/g;

/**
 * A label of at most `budget` characters for `main` (a title without its year) that keeps
 * the words where it parts from `rivals` (titles it shares its start with): "head…tail".
 */
function tellApart(main: string, rivals: string[], budget: number): string {
  const differ = Math.max(...rivals.map((r) => commonPrefix(main, r)));
  // The word holding the first difference ("V" of "Episode V" against "Episode VI")…
  let from = main.lastIndexOf(" ", differ - 1) + 1;
  // …or rather the subtitle that follows it ("Episode V - The Empire…"), if no rival ends so.
  SEPARATOR.lastIndex = from;
  const next = SEPARATOR.exec(main);
  if (next !== null) {
    const subtitle = main.slice(next.index + next[0].length);
    if (subtitle !== "" && !rivals.some((r) => r.endsWith(subtitle))) {
      from = next.index + next[0].length;
    }
  }
  if (from === 0) return truncate(main, budget);
  const tail = main.slice(from).replace(LEADING, "");
  const words = main.slice(0, from).split(/\s+/).filter((w) => w !== "");
  const clean = (head: string) => head.replace(TRAILING, "");
  if (tail.length + 1 <= budget) {
    // The whole tail fits: as many words of the start as room allows.
    let head = "";
    for (const word of words) {
      const longer = head ? `${head} ${word}` : word;
      if (clean(longer).length > budget - 1 - tail.length) break;
      head = longer;
    }
    return `${clean(head)}…${tail}`;
  }
  // The tail is cut too: the head is the series' name ("Star Wars") when it takes at most
  // half the room, else the first word.
  const series = clean(main.slice(0, from).split(SEPARATOR)[0]);
  const head = series.length <= budget / 2 - 1 ? series : clean(words[0]) || words[0];
  return `${head}…${truncate(tail, Math.max(4, budget - head.length - 1))}`;
}
