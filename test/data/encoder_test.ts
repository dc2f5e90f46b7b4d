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

Deno.test("IdEncoder.fit() rejects fractional ids, no ids and an unknown order", () => {
  assertThrows(
    () => IdEncoder.fit([1, 1.5], { name: "movie" }),
    TypeError,
    "IdEncoder.fit(): expected integer movie ids, found 1.5",
  );
  assertThrows(
    () => IdEncoder.fit([], { name: "user" }),
    RangeError,
    "IdEncoder.fit(): expected at least one user id, found none",
  );
  assertThrows(
    () => IdEncoder.fit([2, 1], { order: "random" as never }),
    TypeError,
    'IdEncoder.fit(): unknown order "random" (expected sorted or appearance)',
  );
});

Deno.test("IdEncoder.decode() rejects an index below 0, at size or fractional", () => {
  const enc = IdEncoder.fit([10, 20, 30], { name: "movie" });
  for (const k of [-1, 3, 0.5]) {
    assertThrows(
      () => enc.decode([0, k]),
      RangeError,
      `movie index ${k} out of range (expected 0..2)`,
    );
  }
});

Deno.test("IdEncoder.fromJSON() rejects duplicate ids and a malformed object", () => {
  assertThrows(
    () => IdEncoder.fromJSON({ name: "movie", ids: [1, 2, 1] }),
    RangeError,
    "IdEncoder.fromJSON(): duplicate movie ids in the saved encoder",
  );
  for (const json of [{ name: "movie", ids: "12" }, { name: 3, ids: [1, 2] }]) {
    assertThrows(
      () => IdEncoder.fromJSON(json as never),
      TypeError,
      "IdEncoder.fromJSON(): expected { name: string, ids: number[] }",
    );
  }
});

Deno.test("IdEncoder.ids is a copy: changing it leaves the encoder alone", () => {
  const enc = IdEncoder.fit([10, 20]);
  enc.ids[0] = 99;
  assertEquals(Array.from(enc.ids), [10, 20]);
  assertEquals(enc.decode([0]), Int32Array.of(10));
});
