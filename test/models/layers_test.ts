import * as tf from "@tensorflow/tfjs";
import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { RatingRange, ratingRange } from "../../lib/models/mod.ts";

Deno.test("ratingRange() maps scores through a sigmoid onto [low, high]", () => {
  const y = ratingRange({ low: 0.5, high: 5 }).apply(tf.tensor2d([[-50], [0], [50]])) as tf.Tensor;
  const v = y.dataSync();
  assertAlmostEquals(v[0], 0.5, 1e-6);
  assertAlmostEquals(v[1], 2.75, 1e-6);
  assertAlmostEquals(v[2], 5, 1e-6);
});

Deno.test("ratingRange() rejects an empty or reversed range", () => {
  assertThrows(
    () => ratingRange({ low: 5, high: 1 }),
    RangeError,
    "low < high, found low=5, high=1",
  );
  assertThrows(() => ratingRange({ low: 1, high: NaN }), RangeError, "finite");
});

Deno.test("RatingRange round-trips through its config", () => {
  const r = RatingRange.fromConfig(RatingRange, ratingRange({ low: 1, high: 2 }).getConfig());
  assertEquals([(r as RatingRange).low, (r as RatingRange).high], [1, 2]);
});
