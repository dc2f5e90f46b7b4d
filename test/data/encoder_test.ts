import { assertEquals, assertThrows } from "@std/assert";
import { IdEncoder } from "../../lib/data/mod.ts";

Deno.test("IdEncoder maps ids to contiguous indices and back", () => {
  const enc = IdEncoder.fit([30, 10, 30, 20], { name: "movie" });
  assertEquals(enc.size, 3);
  assertEquals(enc.encode([10, 20, 30]), Int32Array.from([0, 1, 2]));
  assertEquals(enc.decode([2, 0]), Int32Array.from([30, 10]));
});

Deno.test("IdEncoder with order 'appearance' numbers ids as pandas' unique() does", () => {
  const enc = IdEncoder.fit([30, 10, 30, 20], { order: "appearance" });
  assertEquals(Array.from(enc.ids), [30, 10, 20]);
});

Deno.test("IdEncoder.encode() names an unknown id", () => {
  const enc = IdEncoder.fit([1, 2], { name: "user" });
  assertThrows(() => enc.encode([2, 5]), RangeError, "unknown user id 5");
});

Deno.test("IdEncoder survives a JSON round trip", () => {
  const enc = IdEncoder.fit([7, 3, 9], { name: "movie" });
  const back = IdEncoder.fromJSON(JSON.parse(JSON.stringify(enc)));
  assertEquals(back.name, "movie");
  assertEquals(back.encode([9, 3]), enc.encode([9, 3]));
});
