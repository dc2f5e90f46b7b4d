import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { type EmbeddingTable, pca, sortAlong, transposedPca } from "../../lib/analysis/mod.ts";

// Five movies with four factors, no symmetry, so every singular value is distinct.
const table: EmbeddingTable = {
  ids: Int32Array.of(10, 20, 30, 40, 50),
  vectors: Float32Array.of(
    ...[0.9, 0.1, -0.3, 0.5],
    ...[0.2, -0.7, 0.4, 0.0],
    ...[-0.5, 0.3, 0.8, -0.2],
    ...[0.1, 0.6, -0.9, 0.3],
    ...[0.4, -0.2, 0.1, -0.8],
  ),
  dim: 4,
  titles: ["A", "B", "C", "D", "E"],
};

/** The same numbers with rows and columns swapped: one row per factor. */
function transpose(t: EmbeddingTable): EmbeddingTable {
  const n = t.ids.length;
  return {
    ids: Int32Array.from({ length: t.dim }, (_, d) => d),
    vectors: Float32Array.from({ length: n * t.dim }, (_, k) => {
      const d = Math.floor(k / n), i = k % n;
      return t.vectors[i * t.dim + d];
    }),
    dim: n,
  };
}

Deno.test("transposedPca() gives each movie its entry of components_ of the PCA of the transpose", () => {
  const ours = transposedPca(table, { components: 3 });
  const reference = pca(transpose(table), { components: 3 }); // sklearn fit(E.T): loadings = components_
  for (let c = 0; c < 3; c++) {
    assertAlmostEquals(ours.explainedVarianceRatio[c], reference.explainedVarianceRatio[c], 1e-9);
    const sign = Math.sign(ours.scores[c]) * Math.sign(reference.loadings[c * 5]);
    for (let i = 0; i < 5; i++) {
      assertAlmostEquals(ours.scores[i * 3 + c], sign * reference.loadings[c * 5 + i], 1e-9);
    }
  }
});

Deno.test("transposedPca() coordinates are orthonormal columns over the movies", () => {
  const p = transposedPca(table, { components: 2 });
  const col = (c: number) => Array.from({ length: 5 }, (_, i) => p.scores[i * 2 + c]);
  const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  assertAlmostEquals(dot(col(0), col(0)), 1, 1e-9);
  assertAlmostEquals(dot(col(1), col(1)), 1, 1e-9);
  assertAlmostEquals(dot(col(0), col(1)), 0, 1e-9);
});

Deno.test("transposedPca() centres each movie on its own mean, unlike pca()", () => {
  const p = transposedPca(table, { components: 2 });
  assertAlmostEquals(p.rowMeans[0], (0.9 + 0.1 - 0.3 + 0.5) / 4, 1e-6);
  assertEquals(Array.from(p.mean), [0, 0, 0, 0]);
  // Adding a constant to every factor of one movie leaves its coordinates unchanged.
  const shifted = { ...table, vectors: table.vectors.map((v, k) => k < 4 ? v + 2 : v) };
  const q = transposedPca(shifted, { components: 2 });
  for (let k = 0; k < p.scores.length; k++) assertAlmostEquals(q.scores[k], p.scores[k], 1e-6);
});

Deno.test("transposedPca() returns unit factor-space directions that reproduce the coordinates", () => {
  const p = transposedPca(table, { components: 2 });
  for (let c = 0; c < 2; c++) {
    const u = p.loadings.subarray(c * 4, (c + 1) * 4);
    assertAlmostEquals(Math.hypot(...u), 1, 1e-9);
    // Coordinates are proportional to the projection of each self-centred row on u.
    const proj = Array.from({ length: 5 }, (_, i) => {
      let s = 0;
      for (let d = 0; d < 4; d++) s += (table.vectors[i * 4 + d] - p.rowMeans[i]) * u[d];
      return s;
    });
    const ratio = proj[0] / p.scores[c];
    for (let i = 1; i < 5; i++) assertAlmostEquals(proj[i], ratio * p.scores[i * 2 + c], 1e-6);
    assert(ratio > 0);
  }
});

Deno.test("transposedPca() makes signs deterministic and works with sortAlong()", () => {
  const p = transposedPca(table, { components: 2 });
  for (let c = 0; c < 2; c++) {
    const col = Array.from({ length: 5 }, (_, i) => p.scores[i * 2 + c]);
    const top = col.reduce((b, x, i) => Math.abs(x) > Math.abs(col[b]) ? i : b, 0);
    assert(col[top] > 0, `component ${c}`);
  }
  const ends = sortAlong(p, 0, { n: 1 });
  assertEquals(ends[0].title, p.titles![ends[0].movieId / 10 - 1]);
  assertEquals(p.ids, table.ids);
});

Deno.test("transposedPca() rejects too many components and tiny tables, naming the limit", () => {
  assertThrows(
    () => transposedPca(table, { components: 5 }),
    RangeError,
    "expected components <= min(rows, dim) = 4, found 5",
  );
  const one = { ids: Int32Array.of(1), vectors: Float32Array.of(1, 2), dim: 2 };
  assertThrows(() => transposedPca(one), RangeError, "found 1 row of 2 factors");
});

Deno.test("transposedPca() refuses rows with no variance across their factors, not NaN", () => {
  // Each row constant over its factors: centred on its own mean, every row is zero.
  const flat = {
    ids: Int32Array.of(1, 2, 3, 4, 5, 6),
    vectors: Float32Array.from({ length: 30 }, (_, k) => 0.1 * (1 + Math.floor(k / 5))),
    dim: 5,
  };
  assertThrows(
    () => transposedPca(flat, { components: 2 }),
    RangeError,
    "transposedPca(): the rows have zero variance across their factors",
  );
  // Identical rows whose factors differ are fine for the transposed fit (not for pca()).
  const same = { ...table, vectors: Float32Array.from(table.vectors, (_, k) => 0.1 * (k % 4)) };
  assertEquals(transposedPca(same, { components: 1 }).explainedVarianceRatio.length, 1);
});

Deno.test("transposedPca() keeps 3 components by default", () => {
  const p = transposedPca(table);
  assertEquals(p.components, 3);
  assertEquals(p.scores.length, 5 * 3);
  assertEquals(p.loadings.length, 3 * 4);
});

Deno.test("transposedPca() directions are pca()'s scores of the transpose, normalised", () => {
  // The project's pca() of the transpose stands in for scikit-learn's fit(E.T).transform(E.T)
  // (pca() is itself checked against scikit-learn): fit(E.T).transform(E.T) gives each factor's coordinate on components_[c]; over the factors
  // that column, made a unit vector, is the factor-space direction of component c.
  const ours = transposedPca(table, { components: 3 });
  const reference = pca(transpose(table), { components: 3 });
  for (let c = 0; c < 3; c++) {
    const column = Array.from({ length: 4 }, (_, d) => reference.scores[d * 3 + c]);
    const norm = Math.hypot(...column);
    const sign = Math.sign(ours.loadings[c * 4]) * Math.sign(column[0]);
    for (let d = 0; d < 4; d++) {
      assertAlmostEquals(ours.loadings[c * 4 + d], sign * column[d] / norm, 1e-6);
    }
  }
});

Deno.test("transposedPca() takes the smallest table it allows: 2 rows of 2 factors", () => {
  const small = { ids: Int32Array.of(1, 2), vectors: Float32Array.of(1, 0, 0, 2), dim: 2 };
  assertEquals(transposedPca(small, { components: 1 }).scores.length, 2);
  const oneFactor = { ids: Int32Array.of(1, 2, 3), vectors: Float32Array.of(1, 2, 3), dim: 1 };
  assertThrows(
    () => transposedPca(oneFactor, { components: 1 }),
    RangeError,
    "transposedPca(): expected at least 2 rows and 2 factors, found 3 rows of 1 factor",
  );
});

Deno.test("transposedPca() returns copies: changing the result leaves the table as it was", () => {
  const p = transposedPca(table, { components: 1 });
  p.ids[0] = -1;
  p.titles![0] = "changed";
  assertEquals(table.ids[0], 10);
  assertEquals(table.titles![0], "A");
});
