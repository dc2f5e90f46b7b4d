// Plain-text and HTML renderings used by the display helpers (private to lib/notebook).

const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&#39;": "'",
  "&nbsp;": " ",
};

/** Escapes text for use inside HTML element content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/** A readable plain-text version of an HTML fragment: tags dropped, block ends become lines. */
export function htmlToText(markup: string): string {
  const text = markup
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|h[1-6]|li|tr|table|thead|tbody|figure|ul|ol|pre)>/gi, "\n")
    .replace(/<\/t[dh]>/gi, "\t")
    .replace(/<[^>]*>/g, "")
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (m) => ENTITIES[m]);
  return text.split("\n").map((line) => line.replace(/[ \t]+$/, "").replace(/^[ ]+/, ""))
    .filter((line, i, all) => line !== "" || (i > 0 && all[i - 1] !== ""))
    .join("\n").trim();
}

/** True for a non-empty array whose items are all plain objects (rows of a table). */
export function isRecordArray(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 &&
    value.every((row) =>
      row !== null && typeof row === "object" && !Array.isArray(row) &&
      Object.getPrototypeOf(row) === Object.prototype
    );
}

function columnsOf(rows: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/** Formats one table cell: integers as they are, other numbers to 4 significant decimals. */
export function formatCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") {
    if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
    return String(Number(value.toFixed(4)));
  }
  return String(value);
}

/** Rows of records as an aligned plain-text table (numbers right-aligned), at most `maxRows`. */
export function recordsToText(rows: Record<string, unknown>[], maxRows = 20): string {
  const cols = columnsOf(rows);
  const shown = rows.slice(0, maxRows);
  const cells = shown.map((row) => cols.map((c) => formatCell(row[c])));
  const numeric = cols.map((c) => shown.every((r) => r[c] == null || typeof r[c] === "number"));
  const widths = cols.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].length)));
  const pad = (s: string, j: number) => numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]);
  const lines = [
    cols.map(pad).join("  "),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map((r) => r.map(pad).join("  ")),
  ];
  if (rows.length > shown.length) lines.push(`… ${rows.length - shown.length} more rows`);
  return lines.map((line) => line.trimEnd()).join("\n");
}

/** Rows of records as a small HTML table, at most `maxRows`. */
export function recordsToHtml(rows: Record<string, unknown>[], maxRows = 50): string {
  const cols = columnsOf(rows);
  const shown = rows.slice(0, maxRows);
  const head = cols.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = shown.map((row) =>
    "<tr>" + cols.map((c) => {
      const align = typeof row[c] === "number" ? ' style="text-align:right"' : "";
      return `<td${align}>${escapeHtml(formatCell(row[c]))}</td>`;
    }).join("") + "</tr>"
  ).join("");
  const more = rows.length > shown.length ? `<p>… ${rows.length - shown.length} more rows</p>` : "";
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more}`;
}

/** A one-line summary of SVG markup, e.g. `[svg 640×400]`. */
export function svgSummary(markup: string): string {
  const open = markup.match(/<svg\b[^>]*>/i)?.[0] ?? "";
  const width = open.match(/\bwidth="([\d.]+)/)?.[1];
  const height = open.match(/\bheight="([\d.]+)/)?.[1];
  return width && height ? `[svg ${width}×${height}]` : "[svg]";
}
