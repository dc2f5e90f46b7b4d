import { assertEquals } from "@std/assert";
import { truncate } from "../../lib/plot/_dom.ts";

Deno.test("truncate() drops a bracket left open right after the first character", () => {
  assertEquals(truncate("X(ab cd ef gh)", 8), "X…");
});
