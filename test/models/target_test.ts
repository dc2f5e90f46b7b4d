import { assertEquals, assertThrows } from "@std/assert";
import { decodeOutput, encodeTarget, type TargetTransform } from "../../lib/models/mod.ts";

Deno.test("encodeTarget() and decodeOutput() are inverse for minmax and center", () => {
  const ratings = [0.5, 2, 3.5, 5];
  for (const t of [{ type: "minmax", min: 0.5, max: 5 }, { type: "center", mean: 3.5 }] as const) {
    const back = decodeOutput(t, encodeTarget(t, ratings), 1);
    assertEquals(Array.from(back), ratings);
  }
  assertEquals(Array.from(encodeTarget({ type: "minmax", min: 1, max: 5 }, [1, 3, 5])), [
    0,
    0.5,
    1,
  ]);
  assertEquals(Array.from(encodeTarget({ type: "center", mean: 3 }, [1, 4])), [-2, 1]);
});

Deno.test("encodeTarget() maps ratings to class indices and decodeOutput() to expected ratings", () => {
  const t: TargetTransform = { type: "classes", values: [1, 2, 3], decode: "expected" };
  assertEquals(Array.from(encodeTarget(t, [3, 1, 2])), [2, 0, 1]);
  // 0.5·1 + 0.5·3 = 2; one-hot on class 3 gives 3.
  assertEquals(Array.from(decodeOutput(t, [0.5, 0, 0.5, 0, 0, 1], 3)), [2, 3]);
  const argmax: TargetTransform = { type: "classes", values: [1, 2, 3], decode: "argmax" };
  assertEquals(Array.from(decodeOutput(argmax, [0.2, 0.5, 0.3], 3)), [2]);
});

Deno.test("decodeOutput() reads a several-unit regression output as the mean of its units", () => {
  assertEquals(Array.from(decodeOutput({ type: "identity" }, [1, 3, -1, 1], 2)), [2, 0]);
});

Deno.test("encodeTarget() names the rating that does not fit the model", () => {
  assertThrows(
    () => encodeTarget({ type: "classes", values: [1, 2], decode: "expected" }, [1, 2.5]),
    RangeError,
    "rating 2.5 at row 1 is not one of the model's classes [1, 2]",
  );
  assertThrows(
    () => encodeTarget({ type: "minmax", min: 1, max: 5 }, [0.5]),
    RangeError,
    "ratings in [1, 5]",
  );
  assertThrows(
    () => encodeTarget({ type: "identity" }, [NaN]),
    RangeError,
    "expected finite numbers in ratings, found NaN at position 0",
  );
  assertThrows(
    () => decodeOutput({ type: "classes", values: [1, 2, 3], decode: "expected" }, [0.5, 0.5], 2),
    RangeError,
    "expected 3 class probabilities",
  );
});
