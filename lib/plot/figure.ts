/**
 * The figure wrapper every plot helper returns: it holds the rendered element, shows itself
 * when it is a notebook cell's last expression (Deno's kernel calls its
 * `Symbol.for("Jupyter.display")` method), prints as a one-line summary elsewhere, and saves
 * to a standalone `.svg` file.
 *
 * @module
 */

import { dirname } from "node:path";
import { JUPYTER_DISPLAY } from "../notebook/display.ts";

/** The DOM element members a figure relies on (linkedom implements them; Deno has no DOM types). */
export interface FigureElement {
  /** Upper- or lower-case tag name (`svg`, `FIGURE`, …). */
  readonly tagName: string;
  /** The element's markup. */
  readonly outerHTML: string;
  /** The markup of its children. */
  readonly innerHTML: string;
  /** Concatenated text of the element. */
  textContent: string | null;
  /** Child elements. */
  readonly children: ArrayLike<FigureElement>;
  /** Child nodes, text included. */
  readonly childNodes: ArrayLike<FigureElement>;
  /** Attributes as name/value pairs. */
  readonly attributes: ArrayLike<{ name: string; value: string }>;
  /** Reads an attribute. */
  getAttribute(name: string): string | null;
  /** Writes an attribute. */
  setAttribute(name: string, value: string): void;
  /** Deletes an attribute. */
  removeAttribute(name: string): void;
  /** Tells whether an attribute is set. */
  hasAttribute(name: string): boolean;
  /** First descendant matching a CSS selector. */
  querySelector(selector: string): FigureElement | null;
  /** All descendants matching a CSS selector. */
  querySelectorAll(selector: string): ArrayLike<FigureElement>;
  /** Appends (moves) a child. */
  appendChild(child: FigureElement): FigureElement;
  /** Detaches the element from its parent. */
  remove(): void;
}

/** What a figure shows, for its plain-text summary. */
export interface FigureInfo {
  /** The kind of plot, e.g. `"loss curves"`. */
  kind: string;
  /**
   * The figure's title, when it has one.
   * @default {undefined}
   */
  title?: string;
  /**
   * Number of data series (lines or colour groups); left out of the summary when undefined.
   * @default {undefined}
   */
  series?: number;
  /** Number of marks drawn from data (points, bars, …). */
  points: number;
  /**
   * What one of `points` is called.
   * @default {"points"}
   */
  unit?: string;
}

/** Options every plot helper accepts: titles and size. */
export interface FigureOptions {
  /**
   * Title drawn above the chart.
   * @default {none}
   */
  title?: string;
  /**
   * A line of smaller text under the title.
   * @default {none}
   */
  subtitle?: string;
  /**
   * A line of italic text under the chart (a note on the data or method).
   * @default {none}
   */
  caption?: string;
  /**
   * Width of the figure in pixels.
   * @default {640}
   */
  width?: number;
  /**
   * Height of the chart area in pixels (titles and legends add to it).
   * @default {depends on the plot, 300–560}
   */
  height?: number;
}

/** Options of the {@linkcode PlotFigure} constructor. */
export interface PlotFigureOptions {
  /**
   * The MIME type a notebook receives for an `<svg>` figure. `"text/html"` puts the SVG inline,
   * where hover titles work and where JupyterLab shows it even in an untrusted notebook;
   * `"image/svg+xml"` shows it as an image (JupyterLab renders it inside `<img>`: no hover).
   * A non-SVG root (an HTML `<figure>`) is always sent as `"text/html"`.
   * @default {"text/html"}
   */
  mime?: "text/html" | "image/svg+xml";
}

/** A rendered plot: shows itself in Jupyter, prints a summary elsewhere, saves as SVG. */
export class PlotFigure {
  /** The rendered root element (an `<svg>` for every helper in this library). */
  readonly element: FigureElement;
  /** What the figure shows. */
  readonly info: Readonly<FigureInfo>;
  /** The MIME type sent to a notebook. */
  readonly mime: "text/html" | "image/svg+xml";

  /**
   * Wraps a rendered element.
   *
   * @param element The root element, as `Plot.plot()` returns it.
   * @param info What it shows (for the summary).
   * @param options MIME type for notebooks.
   * @example
   * ```ts
   * import { PlotFigure } from "./figure.ts";
   * import { histogram } from "./histogram.ts";
   * const fig = histogram([1, 2, 2, 3]);
   * const copy = new PlotFigure(fig.element, { kind: "copy", points: 4 });
   * console.log(copy.summary); // [figure: copy, 4 points]
   * ```
   */
  constructor(element: FigureElement, info: FigureInfo, options: PlotFigureOptions = {}) {
    if (element === null || typeof element !== "object" || typeof element.outerHTML !== "string") {
      throw new TypeError(`PlotFigure: expected a DOM element, found ${typeof element}`);
    }
    const { mime = "text/html" } = options;
    if (mime !== "text/html" && mime !== "image/svg+xml") {
      throw new TypeError(
        `PlotFigure: expected mime "text/html" or "image/svg+xml", found "${mime}"`,
      );
    }
    this.element = element;
    this.info = { ...info };
    this.mime = this.isSvg ? mime : "text/html";
  }

  /** Whether the root element is an `<svg>` (true for every helper in this library). */
  get isSvg(): boolean {
    return this.element.tagName.toLowerCase() === "svg";
  }

  /** Width in pixels (from the root's `width` attribute; 0 when unknown). */
  get width(): number {
    return Number(this.element.getAttribute("width")) || 0;
  }

  /** Height in pixels (from the root's `height` attribute; 0 when unknown). */
  get height(): number {
    return Number(this.element.getAttribute("height")) || 0;
  }

  /** A one-line summary, e.g. `[figure: loss curves, 2 series, 30 points]`. */
  get summary(): string {
    const { kind, title, series, points, unit = "points" } = this.info;
    const parts = [`figure: ${kind}${title ? ` "${title}"` : ""}`];
    if (series !== undefined) parts.push(`${series} series`);
    parts.push(`${points} ${points === 1 ? unit.replace(/s$/, "") : unit}`);
    return `[${parts.join(", ")}]`;
  }

  /**
   * The figure's markup (SVG, or HTML for a non-SVG root).
   *
   * @returns The root element's `outerHTML`.
   * @example
   * ```ts
   * import { histogram } from "./histogram.ts";
   * console.log(histogram([1, 2, 3]).toString().slice(0, 4)); // <svg
   * ```
   */
  toString(): string {
    return this.element.outerHTML;
  }

  /**
   * A standalone SVG document (XML declaration, namespace). A non-SVG root is embedded in a
   * `<foreignObject>`, which browsers render but simple SVG converters may not.
   *
   * @returns The text of a `.svg` file.
   * @example
   * ```ts
   * import { histogram } from "./histogram.ts";
   * console.log(histogram([1, 2, 3]).toSVG().startsWith("<?xml")); // true
   * ```
   */
  toSVG(): string {
    const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
    let markup = this.toString();
    if (this.isSvg) {
      if (!/^<svg[^>]*\sxmlns=/.test(markup)) {
        markup = markup.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"');
      }
      return head + markup + "\n";
    }
    const width = this.width || 640;
    const height = this.height || 480;
    return head +
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<foreignObject width="100%" height="100%">` +
      `<div xmlns="http://www.w3.org/1999/xhtml">${markup}</div></foreignObject></svg>\n`;
  }

  /**
   * The MIME bundle Deno's Jupyter kernel shows for this figure.
   *
   * @returns The markup under {@linkcode PlotFigure.mime} plus a `text/plain` summary.
   * @example
   * ```ts
   * import { histogram } from "./histogram.ts";
   * import { JUPYTER_DISPLAY } from "../notebook/display.ts";
   * const bundle = histogram([1, 2, 3])[JUPYTER_DISPLAY]();
   * console.log(Object.keys(bundle)); // ["text/html", "text/plain"]
   * ```
   */
  [JUPYTER_DISPLAY](): Record<string, string> {
    return { [this.mime]: this.toString(), "text/plain": this.summary };
  }
}

/**
 * Writes a figure to a standalone `.svg` file, creating the folder when needed.
 *
 * @param figure A figure from one of the plot helpers.
 * @param path Destination path ending in `.svg`.
 * @returns A promise that resolves once the file is written.
 * @example
 * ```ts
 * import { histogram } from "./histogram.ts";
 * import { saveFigure } from "./figure.ts";
 * const path = await Deno.makeTempFile({ suffix: ".svg" });
 * await saveFigure(histogram([3, 4, 4, 5]), path);
 * console.log((await Deno.readTextFile(path)).includes("<svg")); // true
 * ```
 */
export async function saveFigure(figure: PlotFigure, path: string): Promise<void> {
  if (!(figure instanceof PlotFigure)) {
    throw new TypeError(
      `saveFigure(): expected a PlotFigure from a plot helper, found ${
        figure === null ? "null" : typeof figure
      }`,
    );
  }
  if (typeof path !== "string" || !path.toLowerCase().endsWith(".svg")) {
    throw new RangeError(`saveFigure(): expected a path ending in .svg, found "${path}"`);
  }
  await Deno.mkdir(dirname(path) || ".", { recursive: true });
  await Deno.writeTextFile(path, figure.toSVG());
}
