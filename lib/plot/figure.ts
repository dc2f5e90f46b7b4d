/**
 * The figure wrapper every plot helper returns: it holds the rendered element, shows itself
 * when it is a notebook cell's last expression (Deno's kernel calls its
 * `Symbol.for("Jupyter.display")` method), prints as a one-line summary elsewhere, and saves
 * to a standalone `.svg` file.
 *
 * ## What a notebook receives, and why
 *
 * A figure is sent as `text/html` holding
 * `<object type="image/svg+xml" data="data:image/svg+xml;base64,…"><img src="(the same)"></object>`
 * plus a one-line `text/plain` summary. The `<img>`'s `alt` text and the `<object>`'s `aria-label`
 * tell the figure in words ({@linkcode PlotFigure.alt}: its title, what is plotted on which axes
 * and the values that matter), for a screen reader or a reader with images off. Where the
 * picture shows, and how it is known:
 *
 * - **Untrusted in Notebook 6.4** (a notebook from someone else), *tested*: the browser test
 *   (tools/browser, `deno task test:browser`) opens every committed notebook in headless
 *   Chromium and fails unless each figure shows a loaded picture and no output shows markup as
 *   text. Notebook's sanitiser (Google Caja's) has no `<svg>` and no `<object>` in its tag list:
 *   an inline `<svg>` becomes run-on text, while the `<img>` inside the dropped `<object>` is kept
 *   and shows the picture.
 * - **Untrusted in JupyterLab 4**, *tested on its sanitiser* (JupyterLab itself cannot be
 *   installed offline): JupyterLab renders the safe `text/html` after its `Sanitizer`
 *   (@jupyterlab/apputils 4.7.6 on sanitize-html 2.12.1; `renderHTML()` in @jupyterlab/rendermime
 *   4.6.6). test/tools/browser/jupyterlab_sanitizer_test.ts runs that sanitiser, copied unchanged,
 *   on every committed output: each figure keeps an `<img>` with its SVG data source and no
 *   text, each table keeps all its cells. Set as `innerHTML` in Chromium, as `renderHTML()`
 *   does, the sanitised figures all loaded (30 of them, measured once); the rest of
 *   JupyterLab's page was not run.
 * - **nbconvert's HTML export** (nbconvert 6.5, the exporter nbviewer renders with), *tested*:
 *   the browser test exports every committed notebook and opens each page from `file://`; every
 *   `<object>` must load and its `<img>` decode.
 * - **Trusted** (a live run, or a notebook the reader trusts) and in the export, the `<object>`
 *   loads the SVG as a document of its own, where each mark's `<title>` is a hover tooltip: the
 *   DevTools protocol found the dot under the pointer with its title inside the object's frame.
 * - `image/svg+xml` is no way out: untrusted, Notebook 6.4 ignores it and shows the `text/plain`
 *   fallback; JupyterLab counts its SVG renderer unsafe and skips it; trusted, JupyterLab draws
 *   it inside an `<img>` anyway (no hover), and nbconvert's HTML export showed an empty box.
 * - **Sanitised exports show no picture** with any of these choices (measured once on the committed
 *   notebooks): nbconvert 6.5's `--sanitize-html` (lxml's cleaner) keeps tables but drops the
 *   `<object>` and empties the `<img>`'s `data:` source, so every figure (30 then) is a broken
 *   image; nbconvert 7's `--sanitize-html` (bleach, read in its source and run with bleach 5.0.1)
 *   allows `table`, `tr` and `td` but not `th`, `thead`, `tbody`, `img` or `object`, so every
 *   figure and the header of every table (ours and a pandas table alike) show as escaped markup;
 *   nbconvert's `SanitizeHTML` preprocessor (bleach's defaults) escapes every figure and every
 *   table. The browser test's self-check asserts the two nbconvert 6.5 results on a fixture (a
 *   figure and a pandas table). Both sanitisers pass `image/png` outputs through untouched (read in
 *   nbconvert's template and preprocessor), so only a PNG would show there, and only in a bundle
 *   without `text/html` (which nbconvert prefers).
 * - **GitHub's notebook renderer** and other hosted viewers could not be tried offline: untested.
 *
 * The price is the SVG twice in base64 (about 2.7 times the markup) in a committed output.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import {
  makeFolders,
  namedError,
  nearestFolder,
  removeFolders,
  replaceFile,
} from "../_atomic_write.ts";

/** The symbol Deno's kernel calls to turn a value into a MIME bundle. */
const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

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
   * The figure's subtitle, when it has one (in the `alt` text after the title); null for a
   * summary the plot helper wrote itself, which its description already says.
   * @default {undefined}
   */
  subtitle?: string | null;
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
  /**
   * The figure told in words, for a reader who cannot see it (a screen reader reads it, a
   * browser with images off shows it): what is plotted on which axes, and the values that
   * matter. Written after the title and subtitle in the picture's `alt` text.
   * @default {the one-line summary}
   */
  description?: string;
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

/** A rendered plot: shows itself in Jupyter, prints a summary elsewhere, saves as SVG. */
export class PlotFigure {
  /** The rendered root element (an `<svg>` for every helper in this library). */
  readonly element: FigureElement;
  /** What the figure shows. */
  readonly info: Readonly<FigureInfo>;

  /**
   * Wraps a rendered element.
   *
   * @param element The root element, as `Plot.plot()` returns it.
   * @param info What it shows (for the summary).
   * @example
   * ```ts
   * import { parseHTML } from "linkedom";
   * import { type FigureElement, PlotFigure } from "./figure.ts";
   * import { assertEquals } from "@std/assert";
   * const page = parseHTML('<svg width="20" height="10"><circle r="4"/></svg>');
   * const { document } = page as unknown as { document: { firstChild: FigureElement } };
   * const fig = new PlotFigure(document.firstChild, {
   *   kind: "dot",
   *   points: 1,
   * });
   * assertEquals(fig.summary, "[figure: dot, 1 point]");
   * ```
   */
  constructor(element: FigureElement, info: FigureInfo) {
    if (element === null || typeof element !== "object" || typeof element.outerHTML !== "string") {
      throw new TypeError(`PlotFigure: expected a DOM element, found ${typeof element}`);
    }
    this.element = element;
    this.info = { ...info };
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
   * The picture's text alternative: the title, then the description (what is plotted and its
   * main values), or the one-line summary for a figure without a description.
   *
   * @example
   * ```ts
   * import { parseHTML } from "linkedom";
   * import { type FigureElement, PlotFigure } from "./figure.ts";
   * import { assertEquals } from "@std/assert";
   * const page = parseHTML('<svg width="20" height="10"></svg>');
   * const { document } = page as unknown as { document: { firstChild: FigureElement } };
   * const fig = new PlotFigure(document.firstChild, {
   *   kind: "bars",
   *   title: "Ratings",
   *   points: 2,
   *   description: "Bar chart of ratings: 4 stars 120, 5 stars 80.",
   * });
   * assertEquals(fig.alt, "Ratings. Bar chart of ratings: 4 stars 120, 5 stars 80.");
   * ```
   */
  get alt(): string {
    const { title, subtitle, description } = this.info;
    if (description === undefined) return this.summary;
    const sentence = (s: string | undefined) => s ? `${s}${/[.!?]$/.test(s) ? "" : "."} ` : "";
    return `${sentence(title)}${sentence(subtitle ?? undefined)}${description}`;
  }

  /**
   * The figure's markup (SVG, or HTML for a non-SVG root).
   *
   * @returns The root element's `outerHTML`.
   * @example
   * ```ts
   * import { parseHTML } from "linkedom";
   * import { type FigureElement, PlotFigure } from "./figure.ts";
   * import { assertEquals } from "@std/assert";
   * const page = parseHTML('<svg width="20" height="10"></svg>');
   * const { document } = page as unknown as { document: { firstChild: FigureElement } };
   * const fig = new PlotFigure(document.firstChild, {
   *   kind: "empty",
   *   points: 0,
   * });
   * assertEquals(fig.toString(), "<svg width=\"20\" height=\"10\" />");
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
   * import { parseHTML } from "linkedom";
   * import { type FigureElement, PlotFigure } from "./figure.ts";
   * import { assertEquals } from "@std/assert";
   * const page = parseHTML('<svg width="20" height="10"></svg>');
   * const { document } = page as unknown as { document: { firstChild: FigureElement } };
   * const fig = new PlotFigure(document.firstChild, {
   *   kind: "empty",
   *   points: 0,
   * });
   * assertEquals(fig.toSVG().startsWith("<?xml"), true);
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
   * The HTML a notebook shows: the SVG as a picture that survives Jupyter's sanitiser, with
   * hover titles where the notebook is trusted (see the module doc for why).
   *
   * @returns `<object data="data:image/svg+xml;base64,…"><img src="(same)" alt="…"></object>`
   *   (the {@linkcode PlotFigure.alt} text as the `alt` and the object's `aria-label`), or the
   *   inline markup of a non-SVG root.
   * @example
   * ```ts
   * import { parseHTML } from "linkedom";
   * import { type FigureElement, PlotFigure } from "./figure.ts";
   * import { assertEquals } from "@std/assert";
   * const page = parseHTML('<svg width="20" height="10"></svg>');
   * const { document } = page as unknown as { document: { firstChild: FigureElement } };
   * const fig = new PlotFigure(document.firstChild, {
   *   kind: "empty",
   *   points: 0,
   * });
   * assertEquals(fig.toHTML().startsWith('<object type="image/svg+xml"'), true);
   * ```
   */
  toHTML(): string {
    if (!this.isSvg) return this.toString();
    const source = `data:image/svg+xml;base64,${base64(this.toSVG())}`;
    const size = (this.width ? ` width="${this.width}"` : "") +
      (this.height ? ` height="${this.height}"` : "");
    const alt = escapeAttribute(this.alt);
    return `<object type="image/svg+xml" data="${source}"${size} aria-label="${alt}">` +
      `<img src="${source}"${size} alt="${alt}"></object>`;
  }

  /**
   * The MIME bundle Deno's Jupyter kernel shows for this figure.
   *
   * @returns `text/html` ({@linkcode PlotFigure.toHTML}) and a one-line `text/plain` summary.
   * @example
   * ```ts
   * import { parseHTML } from "linkedom";
   * import { type FigureElement, PlotFigure } from "./figure.ts";
   * import { assertEquals } from "@std/assert";
   * const page = parseHTML('<svg width="20" height="10"></svg>');
   * const { document } = page as unknown as { document: { firstChild: FigureElement } };
   * const fig = new PlotFigure(document.firstChild, {
   *   kind: "empty",
   *   points: 0,
   * });
   * const show = Symbol.for("Jupyter.display") as unknown as keyof PlotFigure;
   * assertEquals(Object.keys((fig[show] as () => object)()), ["text/html", "text/plain"]);
   * ```
   */
  [JUPYTER_DISPLAY](): Record<string, string> {
    return { "text/html": this.toHTML(), "text/plain": this.summary };
  }
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function escapeAttribute(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

/**
 * Writes a figure to a standalone `.svg` file, creating the folder when needed. The file is
 * written in one step (a temporary file beside it, renamed over it), so it is never
 * half-written and a failure leaves an earlier file in place, and none of the folders this
 * call made (a full disk); a symbolic link at `path` is replaced by the file.
 *
 * @param figure A figure from one of the plot helpers.
 * @param path Destination path ending in `.svg`.
 * @returns A promise that resolves once the file is written.
 * @throws {TypeError} When `figure` is not a figure, or the path cannot take a file (a
 *   folder, a device, a file where a folder above it should be), naming the path; an error
 *   of the operating system (`Deno.errors.PermissionDenied`, …) keeps its class and gets a
 *   message naming the path.
 * @throws {RangeError} When the path does not end in `.svg`.
 * @example
 * ```ts
 * import { parseHTML } from "linkedom";
 * import { type FigureElement, PlotFigure, saveFigure } from "./figure.ts";
 * import { assertMatch } from "@std/assert";
 * const page = parseHTML('<svg width="20" height="10"></svg>');
 * const { document } = page as unknown as { document: { firstChild: FigureElement } };
 * const fig = new PlotFigure(document.firstChild, {
 *   kind: "empty",
 *   points: 0,
 * });
 * const path = await Deno.makeTempFile({ suffix: ".svg" });
 * await saveFigure(fig, path);
 * assertMatch(await Deno.readTextFile(path), /^<\?xml[^>]*>\s*<svg/);
 * await Deno.remove(path);
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
  const full = resolve(path);
  const label = "saveFigure()";
  const here = await Deno.lstat(full).catch(() => null);
  if (here && !here.isFile && !here.isSymlink) {
    throw new TypeError(
      `${label}: cannot write ${full}: ${
        here.isDirectory ? "it is a folder" : "it is not a regular file"
      }`,
    );
  }
  const text = figure.toSVG();
  await nearestFolder(full).catch((e) => {
    throw namedError(e, full, { label }); // a file where a folder above should be
  });
  let made: string[] = [];
  try {
    made = await makeFolders(dirname(full));
  } catch (e) {
    throw namedError(e, full, { label, why: (m) => `its folder cannot be made (${m})` });
  }
  try {
    await replaceFile(full, text, label);
  } catch (e) {
    await removeFolders(made); // a full disk leaves no empty folders behind
    throw e;
  }
}
