import pl from "nodejs-polars";
import { assertEquals } from "@std/assert";
import {
  escapeHtml,
  formatCell,
  formatNumber,
  gridToHtml,
  htmlToText,
  recordsGrid,
  svgSummary,
} from "../../lib/notebook/_text.ts";
import { table } from "../../lib/notebook/tables.ts";

Deno.test("escapeHtml() escapes both quotes, so a value is safe in a quoted attribute", () => {
  assertEquals(escapeHtml(`a"b'c<&>`), "a&quot;b&#39;c&lt;&amp;&gt;");
});

Deno.test("htmlToText() drops a style block and keeps one blank line between paragraphs", () => {
  assertEquals(htmlToText("<style>p { color: red }</style><p>a</p>"), "a");
  assertEquals(htmlToText("<p>a</p>\n<p>b</p>"), "a\n\nb");
});

Deno.test("formatNumber() writes 0.0001 as a decimal and only smaller numbers with an exponent", () => {
  assertEquals(formatNumber(1e-4), "0.0001");
  assertEquals(formatNumber(9.9e-5), "9.9e-5");
});

Deno.test("formatCell() writes a midnight date as its day", () => {
  assertEquals(formatCell(new Date("2024-01-05T00:00:00Z")), "2024-01-05");
});

Deno.test("formatCell() lists 8 items and 6 entries whole and says how many more past them", () => {
  assertEquals(formatCell([1, 2, 3, 4, 5, 6, 7, 8]), "[1, 2, 3, 4, 5, 6, 7, 8]");
  assertEquals(formatCell([1, 2, 3, 4, 5, 6, 7, 8, 9]), "[1, 2, 3, 4, 5, 6, 7, 8, … 1 more]");
  assertEquals(
    formatCell({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }),
    "{a: 1, b: 2, c: 3, d: 4, e: 5, f: 6}",
  );
  assertEquals(formatCell({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 }).endsWith("f: 6, …}"), true);
});

Deno.test("formatCell() shows two levels of nesting and an ellipsis below them", () => {
  assertEquals(formatCell([[1, 2]]), "[[1, 2]]");
  assertEquals(formatCell([[[1]]]), "[[…]]");
});

Deno.test("gridToHtml() adds no 'more rows' note to a table shown whole", () => {
  const html = gridToHtml(recordsGrid([{ a: 1 }]));
  assertEquals(html.includes("<p>"), false);
  assertEquals(html.endsWith("</table>"), true);
});

Deno.test("svgSummary() gives the size only when the svg has both a width and a height", () => {
  assertEquals(svgSummary('<svg width="640" height="400">'), "[svg 640×400]");
  assertEquals(svgSummary('<svg width="640">'), "[svg]");
});

Deno.test("table() writes a float column's 1,234 without a trailing point beside 0.5", () => {
  const df = pl.DataFrame([pl.Series("x", [1234, 0.5], pl.Float64)]);
  assertEquals(String(table(df)).split("\n").map((l) => l.trim()), ["x", "-----", "1,234", "0.5"]);
});

Deno.test("table() accepts 1 significant digit", () => {
  assertEquals(String(table([{ x: 0.123456 }], { digits: 1 })).split("\n").at(-1), "0.1");
});
