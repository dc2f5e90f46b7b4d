import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { componentScores, type EmbeddingTable, pca, sortAlong } from "../../lib/analysis/mod.ts";

// Rows c + a·u + b·v on a grid: a ∈ {−3, −1, 1, 3}, b ∈ {−1, 1}, with u = (1, 1, 0)/√2,
// v = (0, 0, 1) and c = (5, 5, 5). var(a) = 5, var(b) = 1 and they are uncorrelated, so PC1 = ±u
// explains 5/6 of the variance, PC2 = ±v the remaining 1/6, and PC3 nothing.
const A = [-3, -1, 1, 3], B = [-1, 1];
const rows: { a: number; b: number }[] = [];
for (const a of A) for (const b of B) rows.push({ a, b });
const table: EmbeddingTable = {
  ids: Int32Array.from(rows, (_, i) => 100 + i),
  vectors: Float32Array.from(
    rows.flatMap(({ a, b }) => [5 + a / Math.SQRT2, 5 + a / Math.SQRT2, 5 + b]),
  ),
  dim: 3,
  titles: rows.map(({ a, b }) => `a=${a} b=${b}`),
};

Deno.test("pca() finds the known components and their explained variance", () => {
  const p = pca(table, { components: 2 });
  assertAlmostEquals(p.explainedVarianceRatio[0], 5 / 6, 1e-6);
  assertAlmostEquals(p.explainedVarianceRatio[1], 1 / 6, 1e-6);
  const u = [Math.SQRT1_2, Math.SQRT1_2, 0], v = [0, 0, 1];
  const dot = (c: number, w: number[]) => w.reduce((s, x, d) => s + x * p.loadings[c * 3 + d], 0);
  assertAlmostEquals(Math.abs(dot(0, u)), 1, 1e-6);
  assertAlmostEquals(Math.abs(dot(1, v)), 1, 1e-6);
});

Deno.test("pca() centres each factor across rows and gives per-row scores (fit_transform)", () => {
  const p = pca(table, { components: 2 });
  p.mean.forEach((m) => assertAlmostEquals(m, 5, 1e-6));
  assertEquals(p.scores.length, rows.length * 2);
  rows.forEach(({ a, b }, i) => {
    assertAlmostEquals(Math.abs(p.scores[i * 2]), Math.abs(a), 1e-5);
    assertAlmostEquals(Math.abs(p.scores[i * 2 + 1]), Math.abs(b), 1e-5);
  });
  assertEquals(p.ids, table.ids);
  assertEquals(p.titles, table.titles);
});

Deno.test("pca() makes signs deterministic: the largest score of each component is positive", () => {
  const p = pca(table, { components: 2 });
  for (let c = 0; c < 2; c++) {
    let best = 0;
    for (let i = 0; i < rows.length; i++) {
      if (Math.abs(p.scores[i * 2 + c]) > Math.abs(p.scores[best * 2 + c])) best = i;
    }
    assert(p.scores[best * 2 + c] > 0, `component ${c}`);
  }
  // The first row with |a| = 3 is a = −3, so PC1 points along −u: scores equal −a.
  rows.forEach(({ a }, i) => assertAlmostEquals(p.scores[i * 2], -a, 1e-5));
});

Deno.test("sortAlong() lists the movies at one end of a component", () => {
  const p = pca(table, { components: 2 });
  const top = sortAlong(p, 0, { n: 2 });
  assertEquals(top.map((r) => r.title), ["a=-3 b=-1", "a=-3 b=1"]);
  const bottom = sortAlong(p, 0, { n: 2, order: "asc" });
  assertEquals(bottom.map((r) => r.title), ["a=3 b=-1", "a=3 b=1"]);
  assertEquals(componentScores(p, 1).values.length, rows.length);
});

Deno.test("pca() gives loadings with the scores' signs: score = (row − mean) · loading", () => {
  // PC1 is flipped to −u here (see above), so a loading that kept the solver's sign would not
  // reproduce the scores.
  const p = pca(table, { components: 2 });
  for (let i = 0; i < rows.length; i++) {
    for (let c = 0; c < 2; c++) {
      let dot = 0;
      for (let d = 0; d < 3; d++) {
        dot += (table.vectors[i * 3 + d] - p.mean[d]) * p.loadings[c * 3 + d];
      }
      assertAlmostEquals(p.scores[i * 2 + c], dot, 1e-5, `row ${i}, component ${c}`);
    }
  }
});

Deno.test("componentScores() returns the scores of the component asked for", () => {
  const p = pca(table, { components: 2 });
  const pc2 = componentScores(p, 1);
  rows.forEach((_, i) => assertAlmostEquals(pc2.values[i], p.scores[i * 2 + 1], 1e-6));
  assertEquals(pc2.titles, table.titles);
});

Deno.test("pca() rejects too many components and tables with fewer than 2 rows", () => {
  assertThrows(
    () => pca(table, { components: 4 }),
    RangeError,
    "components <= min(rows, dim) = 3, found 4",
  );
  assertThrows(
    () => pca(table, { components: 0 }),
    RangeError,
    "components to be a positive integer",
  );
  const one = { ids: Int32Array.of(1), vectors: Float32Array.of(1, 2), dim: 2 };
  assertThrows(() => pca(one, { components: 1 }), RangeError, "at least 2 rows, found 1");
  const nan = { ...table, vectors: table.vectors.map((x, i) => (i === 4 ? NaN : x)) };
  assertThrows(() => pca(nan), RangeError, "found NaN at position 4");
});

Deno.test("componentScores() and sortAlong() reject a component out of range", () => {
  const p = pca(table, { components: 2 });
  assertThrows(() => componentScores(p, 2), RangeError, "component index 0..1 (0 = PC1), found 2");
  assertThrows(() => sortAlong(p, -1), RangeError, "found -1");
});

Deno.test("pca() refuses rows with zero variance instead of returning NaN shares", () => {
  for (const value of [1, 0.1]) {
    const same = {
      ids: Int32Array.from({ length: 10 }, (_, i) => i + 1),
      vectors: new Float32Array(40).fill(value).map((v, k) => v * (1 + (k % 4))),
      dim: 4,
    };
    assertThrows(
      () => pca(same, { components: 2 }),
      RangeError,
      "pca(): the rows have zero variance: all 10 rows are identical",
    );
  }
});

Deno.test("pca() gives a component that explains nothing a share of 0, not NaN", () => {
  const line = { ids: Int32Array.of(1, 2, 3), vectors: Float32Array.of(1, 1, 2, 2, 3, 3), dim: 2 };
  const ratio = pca(line, { components: 2 }).explainedVarianceRatio;
  assertAlmostEquals(ratio[0], 1, 1e-12);
  assertAlmostEquals(ratio[1], 0, 1e-12);
});
