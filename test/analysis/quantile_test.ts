import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { QuantileTransformer } from "../../lib/analysis/mod.ts";
import { normCdf, normPpf } from "../../lib/analysis/_normal.ts";

// Reference values written by test/fixtures/make_quantile_fixtures.py with scikit-learn 1.2.1.
interface Output {
  nQuantilesFitted: number;
  references: number[];
  quantiles: number[][];
  transformFit: number[][];
  transformNew: number[][];
  inverseInput: number[][];
  inverse: number[][];
}
interface Fixture {
  name: string;
  description: string;
  nQuantiles: number;
  fit: number[][];
  new: number[][];
  outputs: Record<"uniform" | "normal", Output>;
}

const CASES = ["continuous", "ties", "constant", "few_quantiles", "default", "single"];
const TOL = 1e-9;

async function load(name: string): Promise<Fixture> {
  const url = new URL(`../fixtures/quantile_${name}.json`, import.meta.url);
  return JSON.parse(await Deno.readTextFile(url));
}

function assertColumnsClose(actual: ArrayLike<number>[], expected: number[][], what: string): void {
  assertEquals(actual.length, expected.length, `${what}: number of columns`);
  expected.forEach((col, f) => {
    col.forEach((e, i) => {
      const a = actual[f][i];
      assertAlmostEquals(a, e, TOL * Math.max(1, Math.abs(e)), `${what}: column ${f}, row ${i}`);
    });
  });
}

for (const name of CASES) {
  for (const dist of ["uniform", "normal"] as const) {
    Deno.test(`QuantileTransformer matches scikit-learn on "${name}" with ${dist} output`, async () => {
      const fx = await load(name);
      const out = fx.outputs[dist];
      const qt = new QuantileTransformer({ nQuantiles: fx.nQuantiles, outputDistribution: dist });
      const fitted = qt.fitTransform(fx.fit);
      assertEquals(qt.nQuantilesFitted, out.nQuantilesFitted);
      assertColumnsClose([qt.references], [out.references], "references");
      assertColumnsClose(qt.quantiles, out.quantiles, "quantiles");
      const rows = out.transformFit[0].length;
      assertColumnsClose(fitted.map((c) => c.subarray(0, rows)), out.transformFit, "fit_transform");
      assertColumnsClose(qt.transform(fx.new), out.transformNew, "transform(new)");
      assertColumnsClose(qt.inverseTransform(out.inverseInput), out.inverse, "inverse_transform");
    });
  }
}

for (const name of CASES) {
  Deno.test(`QuantileTransformer matches scikit-learn bit for bit on "${name}" with uniform output`, async () => {
    // The uniform path is numpy's percentile, maximum.accumulate and interp, step for step:
    // nothing may differ, not even in the last bit.
    const fx = await load(name);
    const out = fx.outputs.uniform;
    const qt = new QuantileTransformer({ nQuantiles: fx.nQuantiles });
    const fitted = qt.fitTransform(fx.fit);
    const exact = (actual: ArrayLike<number>[], expected: number[][]) =>
      assertEquals(actual.map((c) => Array.from(c)), expected);
    exact([qt.references], [out.references]);
    exact(qt.quantiles, out.quantiles);
    exact(fitted.map((c) => c.subarray(0, out.transformFit[0].length)), out.transformFit);
    exact(qt.transform(fx.new), out.transformNew);
    exact(qt.inverseTransform(out.inverseInput), out.inverse);
  });
}

Deno.test("QuantileTransformer maps tied values to the middle of their quantile range", () => {
  // Quantiles of [1, 2, 2, 2, 3] at 0, .25, .5, .75, 1 are [1, 2, 2, 2, 3]: the three 2s span
  // references .25 to .75, so 2 maps to .5 rather than to either end.
  const [u] = new QuantileTransformer({ nQuantiles: 5 }).fitTransform([[1, 2, 2, 2, 3]]);
  assertEquals(Array.from(u), [0, 0.5, 0.5, 0.5, 1]);
});

Deno.test("QuantileTransformer sends values outside the fitted range to the bounds", () => {
  const qt = new QuantileTransformer({ nQuantiles: 3 }).fit([[0, 5, 10]]);
  assertEquals(Array.from(qt.transform([[-100, 2.5, 100]])[0]), [0, 0.25, 1]);
  const normal = new QuantileTransformer({ nQuantiles: 3, outputDistribution: "normal" }).fit([[
    0,
    5,
    10,
  ]]);
  const [z] = normal.transform([[-100, 5, 100]]);
  assertAlmostEquals(z[0], -5.199337582605575, 1e-12);
  assertAlmostEquals(z[1], 0, 1e-12);
  assertAlmostEquals(z[2], 5.19933758270342, 1e-12);
});

Deno.test("QuantileTransformer.inverseTransform() undoes transform() inside the fitted range", () => {
  const x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
  for (const outputDistribution of ["uniform", "normal"] as const) {
    const qt = new QuantileTransformer({ nQuantiles: 11, outputDistribution }).fit([x]);
    const back = qt.inverseTransform(qt.transform([[1.5, 2.5, 7, 8.9]]))[0];
    [1.5, 2.5, 7, 8.9].forEach((v, i) => assertAlmostEquals(back[i], v, 1e-9));
  }
});

Deno.test("QuantileTransformer survives a JSON round trip", () => {
  const qt = new QuantileTransformer({ nQuantiles: 4, outputDistribution: "normal" }).fit([
    [1, 2, 3, 4, 5],
    [10, 0, 10, 0, 5],
  ]);
  const copy = QuantileTransformer.fromJSON(JSON.parse(JSON.stringify(qt)));
  const probe = [[0.5, 2.2, 4.9], [0, 3, 11]];
  assertEquals(copy.transform(probe), qt.transform(probe));
  assertEquals(copy.outputDistribution, "normal");
  assertEquals(QuantileTransformer.fromJSON(new QuantileTransformer().toJSON()).fitted, false);
});

Deno.test("QuantileTransformer subsamples reproducibly for a seed", () => {
  const col = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000);
  const fit = (seed: number) =>
    new QuantileTransformer({ nQuantiles: 100, subsample: 1000, seed }).fit([col]).quantiles[0];
  assertEquals(fit(1), fit(1));
  assert(fit(1).some((v, i) => v !== fit(2)[i]), "different seeds draw different subsamples");
  // A 1000-row subsample of a uniform 0..4999 column has its median near 2500.
  assertAlmostEquals(fit(1)[50], 2500, 250);
});

Deno.test("QuantileTransformer rejects NaN, ragged columns and a flat array", () => {
  const qt = new QuantileTransformer();
  assertThrows(() => qt.fit([[1, NaN]]), RangeError, "found NaN in column 0 at row 1");
  assertThrows(() => qt.fit([[1, 2], [1]]), RangeError, "found 2 in column 0 and 1 in column 1");
  // @ts-expect-error: a single feature must be wrapped in an array
  assertThrows(() => qt.fit([1, 2, 3]), TypeError, "wrap a single feature as [values]");
  assertThrows(() => qt.fit([]), TypeError, "non-empty array of columns");
  assertThrows(() => qt.fit([[]]), RangeError, "at least one row");
});

Deno.test("QuantileTransformer rejects use before fit and a wrong number of columns", () => {
  const qt = new QuantileTransformer();
  assertThrows(() => qt.transform([[1]]), TypeError, "not fitted; call fit() first");
  qt.fit([[1, 2, 3]]);
  assertThrows(
    () => qt.transform([[1], [2]]),
    RangeError,
    "expected 1 column as in fit(), found 2",
  );
  assertThrows(() => qt.inverseTransform([[Infinity]]), RangeError, "found Infinity");
});

Deno.test("QuantileTransformer rejects bad options", () => {
  assertThrows(() => new QuantileTransformer({ nQuantiles: 0 }), RangeError, "nQuantiles");
  assertThrows(
    () => new QuantileTransformer({ nQuantiles: 2000, subsample: 1000 }),
    RangeError,
    "cannot exceed",
  );
  assertThrows(
    // @ts-expect-error: not a known distribution
    () => new QuantileTransformer({ outputDistribution: "gaussian" }),
    RangeError,
    'found "gaussian"',
  );
  assertThrows( // it subsampled as seed 2³² − 1
    () => new QuantileTransformer({ seed: -1 }),
    RangeError,
    "QuantileTransformer: expected seed to be an integer in [0, 4294967295], found -1",
  );
});

Deno.test("QuantileTransformer accepts nQuantiles equal to subsample", () => {
  const qt = new QuantileTransformer({ nQuantiles: 4, subsample: 4 }).fit([[3, 1, 2, 4]]);
  [1, 2, 3, 4].forEach((want, i) => assertAlmostEquals(qt.quantiles[0][i], want, 1e-12));
});

Deno.test("QuantileTransformer fits on exactly subsample values when it subsamples", () => {
  // 200 distinct integers, a 100-value subsample and 100 quantiles at k/99: each quantile is
  // one of the drawn values, up to the rounding of k/99 (a subsample of 99 would interpolate
  // between them).
  const col = Array.from({ length: 200 }, (_, i) => 3 * i);
  const q = new QuantileTransformer({ nQuantiles: 100, subsample: 100 }).fit([col]).quantiles[0];
  assertEquals(q.length, 100);
  const drawn = q.map((v) => Math.round(v / 3));
  assertEquals(new Set(drawn).size, 100);
  q.forEach((v, i) => assertAlmostEquals(v, 3 * drawn[i], 1e-9, "every quantile is a drawn value"));
});

Deno.test("QuantileTransformer.fromJSON() rejects a feature with the wrong number of quantiles", () => {
  const json = new QuantileTransformer({ nQuantiles: 3 }).fit([[1, 2, 3], [4, 5, 6]]).toJSON();
  json.quantiles![1] = [4, 5];
  assertThrows(
    () => QuantileTransformer.fromJSON(json),
    RangeError,
    "expected 3 quantiles for feature 1 (one per reference), found 2",
  );
});

Deno.test("the normal CDF and quantile function match scipy.stats.norm", async () => {
  const url = new URL("../fixtures/quantile_normal_reference.json", import.meta.url);
  const ref: { cdf: number[][]; ppf: number[][] } = JSON.parse(await Deno.readTextFile(url));
  for (const [x, p] of ref.cdf) assertAlmostEquals(normCdf(x), p, 1e-13 * p, `cdf(${x})`);
  for (const [p, x] of ref.ppf) {
    assertAlmostEquals(normPpf(p), x, 1e-13 * Math.max(1, Math.abs(x)), `ppf(${p})`);
  }
});

Deno.test("QuantileTransformer.fromJSON() refuses references or quantiles that fit() never makes", () => {
  const saved = new QuantileTransformer({ nQuantiles: 3 }).fit([[1, 2, 3]]).toJSON();
  const bad: [Partial<typeof saved>, string][] = [
    // A NaN quantile transformed 0.5 to NaN; a decrease gave a value silently.
    [
      { quantiles: [[1, NaN, 3]] },
      "expected finite numbers in the quantiles of feature 0, found NaN",
    ],
    [
      { quantiles: [[3, 2, 1]] },
      "expected the quantiles of feature 0 to be non-decreasing, found 2 after 3",
    ],
    [
      { references: [0, 0.7, 0.5] },
      "expected references to be non-decreasing, found 0.5 after 0.7",
    ],
    [{ references: [-1, 0.5, 1] }, "expected references in [0, 1], found -1,0.5,1"],
  ];
  for (const [change, message] of bad) {
    assertThrows(
      () => QuantileTransformer.fromJSON({ ...saved, ...change }),
      RangeError,
      `QuantileTransformer.fromJSON(): ${message}`,
    );
  }
  assertEquals(QuantileTransformer.fromJSON(saved).transform([[2.5]]), [Float64Array.of(0.75)]);
});
