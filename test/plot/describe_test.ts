import { assertEquals } from "@std/assert";
import { listed, spoken } from "../../lib/plot/_describe.ts";

Deno.test("listed() joins all the items when there are no more than max, with no 'and 0 more'", () => {
  assertEquals(listed(["a", "b"], 2), "a; b");
  assertEquals(listed(["a", "b"]), "a; b");
});

Deno.test("listed() keeps the first max items, the first among them, and counts the rest", () => {
  assertEquals(listed(["a", "b", "c", "d"], 2), "a; b and 2 more");
});

Deno.test("spoken() writes whole numbers in full and others with 3 significant digits and a minus sign", () => {
  assertEquals(spoken(100836), "100,836");
  assertEquals(spoken(4.1), "4.10");
  assertEquals(spoken(-0.75), "−0.750");
});
