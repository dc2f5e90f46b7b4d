import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { QuantileTransformer } from "../../lib/models/mod.ts";

Deno.test("QuantileTransformer maps evenly spread values to evenly spread scores", () => {
  const q = QuantileTransformer.fit([1, 2, 3, 4, 5]);
  assertEquals(Array.from(q.transform([1, 2, 3, 4, 5])), [0, 0.25, 0.5, 0.75, 1]);
  assertEquals(Array.from(q.transform([-10, 1.5, 99])), [0, 0.125, 1]);
});

Deno.test("QuantileTransformer gives tied values their mid-rank, as scikit-learn does", () => {
  // quantiles [1, 2, 2, 2, 3] at levels [0, .25, .5, .75, 1]: 2 sits at (0.25 + 0.75) / 2.
  const q = QuantileTransformer.fit([1, 2, 2, 2, 3]);
  assertEquals(q.transform([2])[0], 0.5);
  // with [1, 1, 1, 2]: 1.5 interpolates between level 2/3 (last 1) and 1.
  assertAlmostEquals(QuantileTransformer.fit([1, 1, 1, 2]).transform([1.5])[0], 5 / 6, 1e-6);
});

Deno.test("QuantileTransformer caps the quantiles at the number of values and round-trips JSON", () => {
  const values = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 3001);
  const q = QuantileTransformer.fit(values);
  assertEquals(q.quantiles.length, 1000);
  assertEquals(QuantileTransformer.fit([3, 1], { nQuantiles: 1000 }).quantiles.length, 2);
  const back = QuantileTransformer.fromJSON(JSON.parse(JSON.stringify(q)));
  assertEquals(
    Array.from(back.transform([5, 1500, 2999])),
    Array.from(q.transform([5, 1500, 2999])),
  );
});

Deno.test("QuantileTransformer rejects empty and non-finite input", () => {
  assertThrows(() => QuantileTransformer.fit([]), RangeError, "at least one value");
  assertThrows(() => QuantileTransformer.fit([1, NaN]), RangeError, "found NaN at 1");
  assertThrows(() => QuantileTransformer.fit([1], { nQuantiles: 0 }), RangeError, "nQuantiles");
  assertThrows(() => QuantileTransformer.fit([1, 2]).transform([Infinity]), RangeError, "Infinity");
});
