import { assertEquals } from "@std/assert";
import { bundleToText, cellPreview, formatSeconds, tagged } from "../../lib/notebook/_format.ts";

Deno.test("bundleToText() prefers text/plain, then Markdown source, then an svg's size", () => {
  assertEquals(bundleToText({ "text/plain": "x", "text/html": "<b>y</b>" }), "x");
  assertEquals(bundleToText({ "text/markdown": " # T \n" }), "# T");
  const svg = `<svg width="10" height="20">${"a".repeat(2000)}</svg>`;
  assertEquals(
    bundleToText({ "image/svg+xml": svg, "text/html": "<p>z</p>" }),
    "[svg 10×20] 2.0 kB",
  );
});

Deno.test("bundleToText() names the only type of an unknown bundle with its size, and an empty one", () => {
  assertEquals(
    bundleToText({ "application/json": { a: "b".repeat(1000) } }),
    "[application/json] 1.0 kB",
  );
  assertEquals(bundleToText({}), "[empty output]");
});

Deno.test("formatSeconds() gives 3, 2, 1 and then no decimals as the time grows", () => {
  assertEquals(
    [0.0123, 1.234, 45.67, 123.4].map(formatSeconds),
    ["0.012 s", "1.23 s", "45.7 s", "123 s"],
  );
});

Deno.test("cellPreview() keeps a 70-character line whole and cuts a longer one to 70 with an ellipsis", () => {
  const line = "x".repeat(70);
  assertEquals(cellPreview(`// note\n${line}`), line);
  assertEquals(cellPreview(`${line}y`), `${"x".repeat(69)}…`);
});

Deno.test("tagged() puts one line beside its tag and indents several under it", () => {
  assertEquals(tagged("Out[3]: ", "a"), "Out[3]: a");
  assertEquals(tagged("Out[3]: ", "a\nb"), "Out[3]:\n  a\n  b");
});
