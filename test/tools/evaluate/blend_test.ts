import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { applyBlend, fitBlend } from "../../../tools/evaluate/blend.ts";
import { createRng } from "../../../lib/random.ts";

Deno.test("fitBlend() recovers the intercept and weights of an exact linear blend", () => {
  const rng = createRng(1);
  const a = Array.from({ length: 200 }, () => 3 + rng.normal());
  const b = Array.from({ length: 200 }, () => 3 + rng.normal());
  const target = a.map((x, i) => -0.3 + 0.6 * x + 0.5 * b[i]);
  const blend = fitBlend([a, b], target);
  assertAlmostEquals(blend.intercept, -0.3, 1e-4);
  assertAlmostEquals(blend.weights[0], 0.6, 1e-4);
  assertAlmostEquals(blend.weights[1], 0.5, 1e-4);
  assertEquals(blend.loss, "squared");
});

Deno.test("fitBlend() for absolute error ignores outliers that pull least squares away", () => {
  const rng = createRng(2);
  const x = Array.from({ length: 400 }, () => 1 + 4 * rng.next());
  const target = x.map((v, i) => (i % 10 === 0 ? v + 8 : v));
  const squared = fitBlend([x], target);
  const absolute = fitBlend([x], target, { loss: "absolute" });
  assertAlmostEquals(absolute.intercept, 0, 0.05);
  assertAlmostEquals(absolute.weights[0], 1, 0.02);
  assertAlmostEquals(squared.intercept, 0.8, 0.2); // the mean of the outliers' shift
  const mae = (b: typeof squared) => {
    const p = applyBlend(b, [x]);
    return p.reduce((s, v, i) => s + Math.abs(v - target[i]), 0) / p.length;
  };
  assertEquals(mae(absolute) < mae(squared), true);
});

Deno.test("fitBlend() and applyBlend() name mismatched inputs", () => {
  assertThrows(
    () => fitBlend([[1, 2], [1]], [1, 2]),
    RangeError,
    "member 1 to have 2 values like the target",
  );
  assertThrows(() => fitBlend([], [1]), TypeError, "at least one member");
  assertThrows(() => fitBlend([[1]], [1], { loss: "huber" as "squared" }), TypeError, "huber");
  assertThrows(
    () =>
      applyBlend(
        {
          intercept: 0,
          weights: [1, 1],
          featureWeights: [[], []],
          featureTerms: [],
          loss: "squared",
        },
        [[1]],
      ),
    RangeError,
    "expected 2 members' predictions, found 1",
  );
});

Deno.test("fitBlend() with meta-features lets a member's weight grow with a feature", () => {
  const rng = createRng(3);
  const n = 500;
  const a = Array.from({ length: n }, () => 3 + rng.normal());
  const b = Array.from({ length: n }, () => 3 + rng.normal());
  const f = Array.from({ length: n }, () => rng.next() * 4);
  // Member a counts more where f is high, b where it is low.
  const target = a.map((x, i) => 0.1 + (0.2 + 0.2 * f[i]) * x + (0.8 - 0.2 * f[i]) * b[i]);
  const blend = fitBlend([a, b], target, { features: [f] });
  assertAlmostEquals(blend.weights[0], 0.2, 1e-3);
  assertAlmostEquals(blend.featureWeights[0][0], 0.2, 1e-3);
  assertAlmostEquals(blend.featureWeights[1][0], -0.2, 1e-3);
  assertAlmostEquals(blend.featureTerms[0], 0, 1e-3);
  const p = applyBlend(blend, [a, b], [f]);
  for (let i = 0; i < n; i++) assertAlmostEquals(p[i], target[i], 1e-3);
  assertThrows(() => applyBlend(blend, [a, b]), RangeError, "expected 1 meta-features, found 0");
});
