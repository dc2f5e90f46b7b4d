/**
 * What an untrusted front end's HTML sanitiser leaves of an output, checked on markup (no
 * browser): a figure must keep an `<img>` with its `data:image/svg+xml` source and show no text
 * of its own; a table must keep its cells. The test feeds it JupyterLab's own sanitiser
 * (test/tools/browser/jupyterlab_sanitizer_test.ts).
 *
 * @module
 */

import { parseHTML } from "linkedom";

interface Node {
  getAttribute(name: string): string | null;
  textContent: string | null;
  querySelectorAll(selector: string): ArrayLike<Node>;
}

function body(html: string): Node {
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${html}</body></html>`) as unknown as {
    document: { body: Node };
  };
  return document.body;
}

function excerpt(text: string, length = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > length ? flat.slice(0, length - 1) + "…" : flat;
}

/**
 * The `data:image/svg+xml` sources of a figure's `<img src>` and `<object data>`.
 *
 * @param html A figure's `text/html`.
 * @returns The sources, in document order, each once.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { svgSources } from "./sanitized.ts";
 * const html = '<object data="data:image/svg+xml;base64,AA"><img src="data:image/svg+xml;base64,AA"></object>';
 * assertEquals(svgSources(html), ["data:image/svg+xml;base64,AA"]);
 * ```
 */
export function svgSources(html: string): string[] {
  const root = body(html);
  const sources = [
    ...Array.from(root.querySelectorAll("object[data]"), (o) => o.getAttribute("data") ?? ""),
    ...Array.from(root.querySelectorAll("img[src]"), (i) => i.getAttribute("src") ?? ""),
  ].filter((s) => s.startsWith("data:image/svg+xml"));
  return [...new Set(sources)];
}

/**
 * Checks what a sanitiser left of a figure: an `<img>` whose source is the figure's SVG data
 * source, and no text of the figure's own (an inline `<svg>` stripped of its tags leaves its
 * labels as run-on text).
 *
 * @param original The figure's `text/html` as committed.
 * @param sanitized What the sanitiser made of it.
 * @returns Problems, one line each (empty when the figure survives as a picture).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { checkSanitizedFigure } from "./sanitized.ts";
 * const img = '<img src="data:image/svg+xml;base64,AA" alt="[figure]">';
 * assertEquals(checkSanitizedFigure(img, img), []);
 * assertEquals(checkSanitizedFigure(img, ""), [
 *   "no <img> with the figure's data:image/svg+xml source is left (0 <img> in all)",
 * ]);
 * ```
 */
export function checkSanitizedFigure(original: string, sanitized: string): string[] {
  const problems: string[] = [];
  const sources = svgSources(original);
  if (sources.length === 0) {
    problems.push("the figure has no <img> or <object> with a data:image/svg+xml source");
  }
  const root = body(sanitized);
  const images = Array.from(root.querySelectorAll("img"), (i) => i.getAttribute("src") ?? "");
  if (sources.length > 0 && !images.some((src) => sources.includes(src))) {
    problems.push(
      `no <img> with the figure's data:image/svg+xml source is left (${images.length} <img> in all)`,
    );
  }
  const text = (root.textContent ?? "").trim();
  if (text) problems.push(`the sanitised figure shows text: "${excerpt(text)}"`);
  return problems;
}

/**
 * Checks what a sanitiser left of an HTML table: a `<table>` with as many cells (`<td>`, `<th>`)
 * as the original.
 *
 * @param original The table's `text/html` as committed.
 * @param sanitized What the sanitiser made of it.
 * @returns Problems, one line each (empty when the table survives).
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { checkSanitizedTable } from "./sanitized.ts";
 * const table = "<table><tr><th>a</th><td>1</td></tr></table>";
 * assertEquals(checkSanitizedTable(table, table), []);
 * assertEquals(checkSanitizedTable(table, "a1"), ["no <table> is left; 2 cells expected, 0 left"]);
 * ```
 */
export function checkSanitizedTable(original: string, sanitized: string): string[] {
  const count = (html: string) => body(html).querySelectorAll("td, th").length;
  const tables = body(sanitized).querySelectorAll("table").length;
  const want = count(original);
  const got = count(sanitized);
  if (tables === 0) return [`no <table> is left; ${want} cells expected, ${got} left`];
  return got === want ? [] : [`${want} table cells expected, ${got} left`];
}
