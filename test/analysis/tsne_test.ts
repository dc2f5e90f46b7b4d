import {
  assert,
  assertEquals,
  assertGreater,
  assertNotEquals,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { type EmbeddingTable, tsne, tsneSync } from "../../lib/analysis/mod.ts";
import { createRng } from "../../lib/random.ts";

/** Three tight Gaussian clusters of `per` points in 10 dimensions, centres 20 apart. */
function clusters(per: number): { table: EmbeddingTable; label: Int32Array } {
  const rng = createRng(7), dim = 10, n = 3 * per;
  const vectors = new Float32Array(n * dim), label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    label[i] = i % 3;
    for (let d = 0; d < dim; d++) vectors[i * dim + d] = (d === label[i] ? 20 : 0) + rng.normal();
  }
  return { table: { ids: Int32Array.from({ length: n }, (_, i) => i + 1), vectors, dim }, label };
}

/** Share of points whose nearest neighbour in the embedding has the same label. */
function neighbourAgreement(y: Float64Array, label: Int32Array): number {
  const n = label.length;
  let same = 0;
  for (let i = 0; i < n; i++) {
    let best = -1, bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = (y[2 * i] - y[2 * j]) ** 2 + (y[2 * i + 1] - y[2 * j + 1]) ** 2;
      if (d < bestD) [best, bestD] = [j, d];
    }
    if (label[best] === label[i]) same++;
  }
  return same / n;
}

/** Smallest distance between cluster centroids over the largest cluster radius. */
function separation(y: Float64Array, label: Int32Array): number {
  const c = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < label.length; i++) {
    c[label[i]][0] += y[2 * i];
    c[label[i]][1] += y[2 * i + 1];
    c[label[i]][2]++;
  }
  const centre = c.map(([x, z, k]) => [x / k, z / k]);
  let radius = 0, gap = Infinity;
  for (let i = 0; i < label.length; i++) {
    const [x, z] = centre[label[i]];
    radius = Math.max(radius, Math.hypot(y[2 * i] - x, y[2 * i + 1] - z));
  }
  for (let a = 0; a < 3; a++) {
    for (let b = a + 1; b < 3; b++) {
      gap = Math.min(gap, Math.hypot(centre[a][0] - centre[b][0], centre[a][1] - centre[b][1]));
    }
  }
  return gap / radius;
}

const { table, label } = clusters(30);

Deno.test("tsneSync() is deterministic for a seed with random initialisation", () => {
  const opts = { perplexity: 10, iterations: 300, init: "random" as const };
  const a = tsneSync(table, { ...opts, seed: 1 }), b = tsneSync(table, { ...opts, seed: 1 });
  assertEquals(a.coordinates, b.coordinates);
  assertNotEquals(tsneSync(table, { ...opts, seed: 2 }).coordinates, a.coordinates);
});

Deno.test("tsneSync() with PCA initialisation gives the same layout on every run", () => {
  const a = tsneSync(table, { perplexity: 10, iterations: 300 });
  const b = tsneSync(table, { perplexity: 10, iterations: 300, seed: 99 });
  assertEquals(a.coordinates, b.coordinates);
  assertEquals(a.ids, table.ids);
  assertEquals(a.dims, 2);
});

Deno.test("tsneSync() (Barnes-Hut) keeps well-separated clusters separated", () => {
  const r = tsneSync(table, { perplexity: 10, iterations: 500, init: "random", seed: 3 });
  assertEquals(neighbourAgreement(r.coordinates, label), 1);
  assertGreater(separation(r.coordinates, label), 2);
  assert(Number.isFinite(r.klDivergence) && r.klDivergence > 0, `KL ${r.klDivergence}`);
});

Deno.test("tsneSync() (exact) keeps well-separated clusters separated", () => {
  const r = tsneSync(table, { perplexity: 10, iterations: 500, method: "exact", init: "random" });
  assertEquals(neighbourAgreement(r.coordinates, label), 1);
  assertGreater(separation(r.coordinates, label), 2);
});

Deno.test("tsneSync() with the cosine metric and 3 output dimensions returns finite coordinates", () => {
  const r = tsneSync(table, { perplexity: 5, iterations: 100, metric: "cosine", dims: 3 });
  assertEquals(r.coordinates.length, 90 * 3);
  assert(r.coordinates.every(Number.isFinite));
});

Deno.test("tsneSync() rejects a perplexity too large for the table and other bad options", () => {
  assertThrows(
    () => tsneSync(table, { perplexity: 90 }),
    RangeError,
    "perplexity < number of rows (90), found 90",
  );
  assertThrows(
    () => tsneSync(table, { iterations: 0 }),
    RangeError,
    "iterations to be a positive integer",
  );
  assertThrows(
    () => tsneSync(table, { dims: 4 }),
    RangeError,
    'dims 1 to 3, found 4; use method "exact"',
  );
  // @ts-expect-error: not a metric
  assertThrows(() => tsneSync(table, { metric: "manhattan" }), RangeError, 'found "manhattan"');
  assertThrows(() => tsneSync(table, { learningRate: -1 }), RangeError, "learningRate");
});

Deno.test("tsneSync() rejects tiny tables and NaN embeddings", () => {
  const two = { ids: Int32Array.of(1, 2), vectors: Float32Array.of(0, 1), dim: 1 };
  assertThrows(() => tsneSync(two, { perplexity: 1 }), RangeError, "at least 3 rows, found 2");
  const nan = { ...table, vectors: table.vectors.map((v, i) => (i === 11 ? NaN : v)) };
  assertThrows(() => tsneSync(nan), RangeError, "table.vectors, found NaN at position 11");
});

Deno.test("tsne() resolves to tsneSync()'s coordinates, exact and Barnes-Hut", async () => {
  const titles = Array.from({ length: 90 }, (_, i) => `movie ${i + 1}`);
  for (const method of ["barnes-hut", "exact"] as const) {
    const options = { perplexity: 10, iterations: 120, method, init: "random" as const, seed: 5 };
    const sync = tsneSync({ ...table, titles }, options);
    const promised = tsne({ ...table, titles }, options);
    assert(promised instanceof Promise);
    assertEquals(await promised, sync);
  }
});

Deno.test("tsne() rejects a bad table or option, naming itself, before any work", async () => {
  await assertRejects(() => tsne(table, { perplexity: 90 }), RangeError, "tsne(): expected 0 <");
  const two = { ids: Int32Array.of(1, 2), vectors: Float32Array.of(0, 1), dim: 1 };
  await assertRejects(() => tsne(two, { perplexity: 1 }), RangeError, "at least 3 rows");
  assertThrows(() => tsneSync(two, { perplexity: 1 }), RangeError, "tsneSync(): expected");
});

Deno.test("tsneSync() stops a diverging descent instead of returning NaN coordinates", () => {
  const { table } = clusters(4);
  // Each of these returned 24 NaN coordinates and a NaN KL divergence.
  for (const options of [{ learningRate: 1e300 }, { earlyExaggeration: 1e308 }]) {
    assertThrows(
      () => tsneSync(table, { perplexity: 3, iterations: 300, ...options }),
      RangeError,
      "tsneSync(): the gradient descent diverged at iteration ",
    );
  }
  assertThrows(
    () => tsneSync(table, { perplexity: 3, earlyExaggeration: Infinity }),
    RangeError,
    "tsneSync(): expected earlyExaggeration to be a finite number, found Infinity",
  );
  assertThrows(
    () => tsneSync(table, { perplexity: 3, earlyExaggeration: 0.5 }),
    RangeError,
    "tsneSync(): expected earlyExaggeration to be a finite number >= 1, found 0.5",
  );
  // Options given as text: each named as text ("found 12" read like a value that is right),
  // and a theta "0.5" is no longer taken.
  for (const name of ["perplexity", "earlyExaggeration", "theta", "learningRate"]) {
    assertThrows(
      () => tsneSync(table, { perplexity: 3, [name]: name === "theta" ? "0.5" : "5" }),
      TypeError,
      `tsneSync(): expected ${name} to be a finite number, found string`,
    );
  }
});

Deno.test("tsne() of identical rows names itself and init 'random', which maps them", async () => {
  const same: EmbeddingTable = {
    ids: Int32Array.from({ length: 6 }, (_, i) => i + 1),
    vectors: new Float32Array(12).fill(1),
    dim: 2,
  };
  // The error named pca(), which the caller never called.
  await assertRejects(
    () => tsne(same, { perplexity: 2, iterations: 50 }),
    RangeError,
    "tsne(): the PCA initialisation cannot start from these rows (pca(): the rows have zero variance",
  );
  const { coordinates } = tsneSync(same, { perplexity: 2, iterations: 50, init: "random" });
  assert(coordinates.every(Number.isFinite));
});
