import { assertEquals, assertThrows } from "@std/assert";
import { drawable, extent, padded, significant } from "../../lib/plot/_extent.ts";

Deno.test("extent() takes the least and greatest of more values than Math.min can spread", () => {
  const values = Float64Array.from({ length: 300_000 }, (_, i) => (i % 7) - 3);
  values[123_456] = -10;
  values[200_000] = 10;
  assertEquals(extent(values), [-10, 10]);
});

Deno.test("padded() pads less where the padded width would pass the largest number", () => {
  assertEquals(padded(0, 10, 0.1), [-1, 11]);
  assertEquals(padded(0, Number.MAX_VALUE, 0.1), [0, Number.MAX_VALUE]);
  assertThrows(
    () => drawable("f", "x values", padded(-1e308, 1e308, 0.1)),
    RangeError,
    "f(): expected x values whose range fits on an axis, found -1e+308 to 1e+308",
  );
});

Deno.test("significant() never rounds past the largest number to Infinity", () => {
  assertEquals(significant(0.123456, 4), "0.1235");
  assertEquals(significant(Number.MAX_VALUE, 4), "1.798e+308");
});
