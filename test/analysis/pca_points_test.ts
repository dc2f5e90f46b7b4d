import { assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { type EmbeddingTable, pca, pcaPoints } from "../../lib/analysis/mod.ts";

// Rows c + a·u + b·v + w·t: three uncorrelated directions with variances 5, 1 and 0.25, so
// PC1, PC2 and PC3 are ±u, ±v and ±t and each row's scores are ±a, ±b and ±w.
const u = [Math.SQRT1_2, Math.SQRT1_2, 0], v = [0, 0, 1], t = [Math.SQRT1_2, -Math.SQRT1_2, 0];
const rows: { a: number; b: number; w: number }[] = [];
for (const a of [-3, -1, 1, 3]) {
  for (const b of [-1, 1]) for (const w of [-0.5, 0.5]) rows.push({ a, b, w });
}
const table: EmbeddingTable = {
  ids: Int32Array.from(rows, (_, i) => 200 + i),
  vectors: Float32Array.from(
    rows.flatMap(({ a, b, w }) => [0, 1, 2].map((d) => 5 + a * u[d] + b * v[d] + w * t[d])),
  ),
  dim: 3,
  titles: rows.map(({ a, b, w }) => `a=${a} b=${b} w=${w}`),
};
const result = pca(table, { components: 3 });

Deno.test("pcaPoints() places the chosen ids on PC1 and PC3, in the order given", () => {
  const ids = [207, 200, 215];
  const points = pcaPoints(result, ids, { x: 0, y: 2 });
  assertEquals(points.map((p) => p.movieId), ids);
  ids.forEach((id, i) => {
    const { a, w } = rows[id - 200];
    assertEquals(points[i].title, table.titles![id - 200]);
    assertAlmostEquals(Math.abs(points[i].x), Math.abs(a), 1e-5);
    assertAlmostEquals(Math.abs(points[i].y), Math.abs(w), 1e-5);
    assertEquals(points[i].x, result.scores[(id - 200) * 3]);
    assertEquals(points[i].y, result.scores[(id - 200) * 3 + 2]);
  });
});

Deno.test("pcaPoints() uses PC1 and PC2 by default and the id as title when there are none", () => {
  const untitled = pca({ ...table, titles: undefined }, { components: 2 });
  const [point] = pcaPoints(untitled, [203]);
  assertEquals(point.title, "203");
  assertEquals([point.x, point.y], [untitled.scores[3 * 2], untitled.scores[3 * 2 + 1]]);
});

Deno.test("pcaPoints() rejects an unknown id and a component the PCA did not keep", () => {
  assertThrows(() => pcaPoints(result, [200, 999]), RangeError, "unknown id 999");
  assertThrows(
    () => pcaPoints(pca(table, { components: 2 }), [200], { y: 2 }),
    RangeError,
    "expected y to be a component index 0..1 (0 = PC1), found 2",
  );
  assertThrows(() => pcaPoints(result, [200], { x: -1 }), RangeError, "found -1");
  assertThrows(() => pcaPoints(result, [1.5]), TypeError, "expected integer ids");
});

Deno.test("pcaPoints() names the components a bad axis may take and how many the PCA kept", () => {
  const error = assertThrows(() => pcaPoints(result, [200], { x: -1 }), RangeError);
  assertEquals(
    error.message,
    "pcaPoints(): expected x to be a component index 0..2 (0 = PC1), found -1",
  );
  assertThrows(
    () => pcaPoints(result, [200], { y: 3 }),
    RangeError,
    "found 3: the PCA kept 3 components",
  );
  assertThrows(
    () => pcaPoints(result, [200], { x: 1.5 }),
    RangeError,
    "expected x to be a component index 0..2 (0 = PC1), found 1.5",
  );
});

Deno.test("pcaPoints() rejects what is not a pca() result, and a result with a repeated id", () => {
  assertThrows(
    () => pcaPoints(null as unknown as typeof result, [200]),
    TypeError,
    "pcaPoints(): expected a pca() result, found null",
  );
  assertThrows(
    () => pcaPoints({} as typeof result, [200]),
    TypeError,
    "pcaPoints(): expected a pca() result, found object",
  );
  const twice = { ...result, ids: Int32Array.from(result.ids, (id, i) => i === 5 ? 200 : id) };
  assertThrows(() => pcaPoints(twice, [201]), RangeError, "id 200 appears in rows 0 and 5");
});
