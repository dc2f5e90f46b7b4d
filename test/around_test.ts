import { assertEquals } from "@std/assert";
import { around } from "../lib/_around.ts";

Deno.test("around() widens a single value by the half given, or by a tenth where it is too fine", () => {
  assertEquals(around(3, 0.5), [2.5, 3.5]);
  assertEquals(around(1e20, 0.5), [9e19, 1.1e20]);
  assertEquals(around(-Number.MAX_VALUE, 1), [-Number.MAX_VALUE, -0.9 * Number.MAX_VALUE]);
});
