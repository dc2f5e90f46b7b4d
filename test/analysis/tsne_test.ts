import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertGreater,
  assertNotEquals,
  assertRejects,
  assertThrows,
} from "@std/assert";
import {
  type EmbeddingTable,
  pca,
  tsne,
  type TsneOptions,
  tsneSync,
} from "../../lib/analysis/mod.ts";
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
  await assertRejects( // it laid out the map of seed 42
    () => tsne(table, { perplexity: 5, seed: 2 ** 32 + 42 }),
    RangeError,
    "tsne(): expected seed to be an integer in [0, 4294967295], found 4294967338",
  );
  assertThrows(
    () => tsneSync(table, { perplexity: 5, seed: -1 }),
    RangeError,
    "tsneSync(): expected seed to be an integer in [0, 4294967295], found -1",
  );
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

/** scikit-learn's t-SNE run step by step on a small table (test/fixtures/make_tsne_fixtures.py). */
interface TsneReference {
  table: number[][];
  cases: {
    name: string;
    /** The case's own table, when not the common one. */
    table?: number[][];
    options: TsneOptions;
    coordinates: number[];
    klDivergence: number;
  }[];
}

Deno.test("tsneSync() takes scikit-learn's steps: P, gradient, gains and momentum, exact and Barnes-Hut", async () => {
  const url = new URL("../fixtures/tsne_reference.json", import.meta.url);
  const ref: TsneReference = JSON.parse(await Deno.readTextFile(url));
  const embeddings = (rows: number[][]): EmbeddingTable => ({
    ids: Int32Array.from(rows, (_, i) => i + 1),
    vectors: Float32Array.from(rows.flat()),
    dim: rows[0].length,
  });
  for (const { name, table, options, coordinates, klDivergence } of ref.cases) {
    const small = embeddings(table ?? ref.table);
    // scikit-learn rounds distances to float32 (those of the cosine metric are not exact there)
    // and computes its Barnes-Hut gradient (theta > 0) in float32.
    const tolerance = options.theta ? 2e-5 : options.metric === "cosine" ? 1e-6 : 1e-10;
    const result = tsneSync(small, options);
    const scale = Math.max(...coordinates.map(Math.abs));
    assertEquals(result.coordinates.length, coordinates.length, name);
    coordinates.forEach((v, t) => {
      assertAlmostEquals(result.coordinates[t], v, tolerance * scale, `${name}, coordinate ${t}`);
    });
    assertAlmostEquals(result.klDivergence, klDivergence, tolerance * klDivergence, name);
  }
});

Deno.test("tsneSync() starts from the first principal components scaled to sd 1e-4, or from N(0, 1e-4²) draws", () => {
  const { table } = clusters(4);
  const still = { iterations: 1, learningRate: 1e-300, perplexity: 3 }; // one step of ~1e-305
  const start = tsneSync(table, still).coordinates;
  const { scores } = pca(table, { components: 2 });
  const pc1 = Array.from({ length: 12 }, (_, i) => scores[2 * i]);
  const mean = pc1.reduce((s, v) => s + v, 0) / 12;
  const sd = Math.sqrt(pc1.reduce((s, v) => s + (v - mean) ** 2, 0) / 12);
  scores.forEach((v, t) => assertAlmostEquals(start[t], (v / sd) * 1e-4, 1e-15));
  const random = tsneSync(table, { ...still, init: "random", seed: 9 }).coordinates;
  const rng = createRng(9);
  random.forEach((v) => assertAlmostEquals(v, 1e-4 * rng.normal(), 1e-18));
});

Deno.test("tsneSync()'s defaults are the ones its options document", () => {
  const { table } = clusters(12); // 36 rows: a perplexity of 30 fits
  assertEquals(
    tsneSync(table),
    tsneSync(table, {
      perplexity: 30,
      iterations: 1000,
      seed: 42,
      dims: 2,
      init: "pca",
      method: "barnes-hut",
      theta: 0.5,
      metric: "euclidean",
      earlyExaggeration: 12,
      exaggerationIterations: 250,
      learningRate: 50,
    }),
  );
});

Deno.test("tsneSync()'s learning rate 'auto' is max(N / earlyExaggeration / 4, 50)", () => {
  const rng = createRng(3);
  const big = {
    ids: Int32Array.from({ length: 240 }, (_, i) => i + 1),
    vectors: Float32Array.from({ length: 480 }, () => rng.normal()),
    dim: 2,
  };
  const options = { earlyExaggeration: 1, iterations: 2 };
  assertEquals(tsneSync(big, options), tsneSync(big, { ...options, learningRate: 240 / 4 }));
});

Deno.test("tsneSync() takes theta 0 and 1 and refuses a perplexity of 0 or a PCA start wider than the rows", () => {
  const { table } = clusters(2);
  for (const theta of [0, 1]) {
    assert(tsneSync(table, { perplexity: 2, iterations: 5, theta }).coordinates.every(isFinite));
  }
  assertThrows(
    () => tsneSync(table, { perplexity: 0 }),
    RangeError,
    "tsneSync(): expected 0 < perplexity < number of rows (6), found 0",
  );
  const wide = {
    ids: Int32Array.of(1, 2, 3),
    vectors: Float32Array.from({ length: 15 }, (_, i) => i % 4),
    dim: 5,
  };
  assertThrows(
    () => tsneSync(wide, { perplexity: 1, dims: 4, method: "exact" }),
    RangeError,
    'tsneSync(): PCA initialisation needs dims <= 3, found 4; use init "random"',
  );
});

Deno.test("tsneSync() with the cosine metric maps a zero row (it stays zero, not NaN)", () => {
  const { table } = clusters(3);
  const zero = { ...table, vectors: table.vectors.map((v, k) => k < 10 ? 0 : v) };
  const { coordinates } = tsneSync(zero, { perplexity: 2, iterations: 20, metric: "cosine" });
  assert(coordinates.every(Number.isFinite));
});

Deno.test("tsneSync() returns copies of the ids and titles", () => {
  const { table } = clusters(2);
  const titles = ["a", "b", "c", "d", "e", "f"];
  const result = tsneSync({ ...table, titles }, { perplexity: 2, iterations: 5 });
  result.ids[0] = -1;
  result.titles![0] = "changed";
  assertEquals([table.ids[0], titles[0]], [1, "a"]);
});

Deno.test("tsneSync() names the first iteration, counted from 1, when the first step overflows", () => {
  const { table } = clusters(4);
  assertThrows(
    () => tsneSync(table, { perplexity: 3, learningRate: 1e308, earlyExaggeration: 1e308 }),
    RangeError,
    "tsneSync(): the gradient descent diverged at iteration 1 (a coordinate became",
  );
});
