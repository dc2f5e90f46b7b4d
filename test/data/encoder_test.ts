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

Deno.test("IdEncoder.fit() refuses an id outside 32 bits instead of keeping it changed", () => {
  // Int32Array.from([3e9]) holds −1,294,967,296: decode() gave that id back for 3,000,000,000.
  assertThrows(
    () => IdEncoder.fit([1, 3_000_000_000], { name: "user" }),
    RangeError,
    "IdEncoder.fit(): expected 32-bit integer user ids, found 3000000000",
  );
  assertThrows(() => IdEncoder.fit([-(2 ** 31) - 1]), RangeError, "found -2147483649");
  assertEquals(Array.from(IdEncoder.fit([-(2 ** 31), 2 ** 31 - 1]).ids), [-(2 ** 31), 2 ** 31 - 1]);
  assertThrows(
    () => IdEncoder.fit(undefined as never, { name: "movie" }),
    TypeError,
    "IdEncoder.fit(): expected a list of movie ids, found undefined",
  );
});

Deno.test("IdEncoder.fromJSON() refuses saved ids that are not 32-bit integers, or none", () => {
  // Each of these was read as another id (1.5 as 1, "a" and null as 0, 3e9 wrapped).
  for (const [bad, found] of [[1.5, "1.5"], ["a", "a"], [null, "null"], [3e9, "3000000000"]]) {
    assertThrows(
      () => IdEncoder.fromJSON({ name: "movie", ids: [7, bad as number] }),
      TypeError,
      `IdEncoder.fromJSON(): expected integer ids in the saved movie ids, found ${found} at position 1`,
    );
  }
  assertThrows(
    () => IdEncoder.fromJSON({ name: "movie", ids: [] }),
    RangeError,
    "IdEncoder.fromJSON(): expected at least one movie id, found none",
  );
});

Deno.test("IdEncoder's messages say 'id', not 'id id', for an encoder without a name", () => {
  const enc = IdEncoder.fit([1, 2]);
  assertThrows(() => enc.encode([5]), RangeError, "unknown id 5 (not in the 2 ids the encoder");
  assertThrows(() => IdEncoder.fit([]), RangeError, "expected at least one id, found none");
  assertThrows(() => IdEncoder.fit([0.5]), TypeError, "expected integer ids, found 0.5");
});

Deno.test("IdEncoder.encode() and decode() name a missing list", () => {
  // Both failed inside with "Cannot read properties of undefined (reading 'length')".
  const enc = IdEncoder.fit([1, 2], { name: "user" });
  assertThrows(
    () => enc.encode(undefined as never),
    TypeError,
    "IdEncoder.encode(): expected a list of user ids, found undefined",
  );
  assertThrows(
    () => enc.decode("01" as never),
    TypeError,
    "IdEncoder.decode(): expected a list of user indices, found string 01",
  );
});
