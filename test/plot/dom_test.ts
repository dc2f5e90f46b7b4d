import { assert, assertEquals, assertMatch } from "@std/assert";
import { histogram } from "../../lib/plot/histogram.ts";
import { truncate } from "../../lib/plot/_dom.ts";

Deno.test("truncate() drops a bracket left open right after the first character", () => {
  assertEquals(truncate("X(ab cd ef gh)", 8), "X…");
});

Deno.test("a composed figure's root keeps the class its Plot style rules select", () => {
  const fig = histogram([1, 2, 3], { title: "T" });
  const className = fig.element.getAttribute("class") ?? "";
  assertMatch(className, /^plot-\w+$/);
  assert(fig.element.querySelector("style")?.textContent?.includes(`.${className}`));
});
