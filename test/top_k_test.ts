import { assertEquals, assertThrows } from "@std/assert";
import { topKIndices } from "../lib/top_k.ts";

Deno.test("topKIndices() keeps the k highest when lower scores come after the list is full", () => {
  assertEquals(topKIndices([3, 2, 1], 2), [0, 1]);
  assertEquals(topKIndices([5, 4, 3, 2, 1, 0], 3), [0, 1, 2]);
});

Deno.test("topKIndices() keeps the lower position on a tie at the last place of a full list", () => {
  assertEquals(topKIndices([1, 1], 1), [0]);
  assertEquals(topKIndices([2, 1, 1, 1], 2), [0, 1]);
});

Deno.test("topKIndices() never selects a NaN score", () => {
  assertEquals(topKIndices([NaN, 1, NaN, 0], 3), [1, 3]);
  assertEquals(topKIndices([0.5, NaN], 2), [0]);
  assertEquals(topKIndices([NaN, NaN], 1), []);
});

Deno.test("topKIndices() keeps none for k = 0 and refuses a k that is no count", () => {
  const scores = [0.2, 0.9, 0.5, 0.9];
  assertEquals(topKIndices(scores, 0), []);
  assertEquals(topKIndices(scores, 9), [1, 3, 2, 0]);
  // NaN and Infinity kept every position, -1 none, 1.5 one.
  for (const k of [-1, 1.5, NaN, Infinity]) {
    assertThrows(
      () => topKIndices(scores, k),
      RangeError,
      `topKIndices(): expected k to be a non-negative integer, found ${k}`,
    );
  }
  assertThrows(() => topKIndices(scores, "2" as never), TypeError, "found string 2");
});

Deno.test("topKIndices() refuses scores that are not numbers and a skip that is not a function", () => {
  assertThrows(
    () => topKIndices(null as unknown as number[], 2),
    TypeError,
    "topKIndices(): expected scores to be an array or typed array of numbers, found null",
  );
  assertThrows(
    () => topKIndices(["b", "a"] as unknown as number[], 1),
    TypeError,
    "of numbers, found an array of length 2, whose first entry is string b",
  );
  assertThrows(
    () => topKIndices([1, 2], 1, 5 as unknown as () => boolean),
    TypeError,
    "topKIndices(): expected skip to be a function, found number 5",
  );
  assertEquals(topKIndices(new Float32Array([1, 3, 2]), 2), [1, 2]);
});
