// Plain-text rendering of Jupyter outputs for the notebook runner's console (private to
// lib/notebook). Both paths use it: the fresh-machine child process for values it computes, and
// the runner for the MIME bundles the Deno kernel sends, so a cell prints the same way in both.

import { htmlToText, isRecordArray, recordsToText, svgSummary } from "./_text.ts";

/** A Jupyter MIME bundle: MIME type → payload (a string, or JSON for JSON types). */
import type { MimeBundle } from "./_target.ts";

export type { MimeBundle };

/** Rows of a table shown in the console before "… more rows". */
const TABLE_ROWS = 10;

function kilobytes(text: string): string {
  return `${(new TextEncoder().encode(text).length / 1024).toFixed(1)} kB`;
}

function dataResourceToText(resource: unknown): string | undefined {
  const data = (resource as { data?: unknown } | null)?.data;
  if (!isRecordArray(data)) return undefined;
  const text = recordsToText(data, TABLE_ROWS);
  return data.length >= 50 ? `${text}\n(first ${data.length} rows sent)` : text;
}

/**
 * Renders a MIME bundle as console text: `text/plain` when there is one, else Markdown source,
 * a table as aligned text, and a one-line summary for images and other HTML.
 */
export function bundleToText(bundle: MimeBundle): string {
  const plain = bundle["text/plain"];
  if (typeof plain === "string") return plain;
  const markdown = bundle["text/markdown"];
  if (typeof markdown === "string") return markdown.trim();
  const table = dataResourceToText(bundle["application/vnd.dataresource+json"]);
  if (table !== undefined) return table;
  const svg = bundle["image/svg+xml"];
  if (typeof svg === "string") return `${svgSummary(svg)} ${kilobytes(svg)}`;
  const html = bundle["text/html"];
  if (typeof html === "string") {
    if (/<table\b/i.test(html)) return htmlToText(html);
    const inner = /<svg\b/i.test(html)
      ? ` with ${svgSummary(html.slice(html.search(/<svg\b/i)))}`
      : "";
    return `[html${inner}] ${kilobytes(html)}`;
  }
  const types = Object.keys(bundle);
  if (types.length === 0) return "[empty output]";
  const first = bundle[types[0]];
  const payload = typeof first === "string" ? first : JSON.stringify(first) ?? "";
  return `[${types[0]}] ${kilobytes(payload)}`;
}

/** Seconds with a precision that suits the size: `0.012 s`, `1.23 s`, `45.6 s`, `123 s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 0.1) return `${seconds.toFixed(3)} s`;
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 100) return `${seconds.toFixed(1)} s`;
  return `${Math.round(seconds)} s`;
}

/** The first line of code worth showing as a cell's title, at most 70 characters. */
export function cellPreview(source: string): string {
  const line = source.split("\n").map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("//"));
  if (line === undefined) return "(comments only)";
  return line.length > 70 ? `${line.slice(0, 69)}…` : line;
}

/** The header printed before a cell's outputs: `── [3] cell 5 · const x = …`. */
export function cellHeader(count: number, cell: number, preview: string): string {
  return `── [${count}] cell ${cell} · ${preview}`;
}

/** Prefixes the first line of an output with a tag (`Out[3]: `) and indents the rest under it. */
export function tagged(tag: string, text: string): string {
  const lines = text.split("\n");
  if (lines.length === 1) return `${tag}${text}`;
  return `${tag.trimEnd()}\n${lines.map((l) => `  ${l}`).join("\n")}`;
}
