import { fitEncoders, loadMovieLens, randomSplit } from "../lib/data/mod.ts";
import * as ev from "../lib/eval/mod.ts";
import { topKIndices } from "../lib/top_k.ts";

const ml = await loadMovieLens("ml-100k");
const ratings = ml.ratings.select("userId", "movieId", "rating");
const encoders = fitEncoders(ratings);
const { train, test } = randomSplit(ratings, { testFraction: 0.2, seed: 42 });
const task = ev.rankingTask(train, test, encoders);

function coCounts(t: ev.RankingTask, n: number, x = t.train) {
  const sim = new Float64Array(n * n);
  for (let u = 0; u < x.rows; u++) {
    const watched = x.indices.subarray(x.indptr[u], x.indptr[u + 1]);
    for (const i of watched) for (const j of watched) if (i !== j) sim[i * n + j]++;
  }
  return sim;
}
function a(t: ev.RankingTask, neighbours: number): Float64Array {
  const n = t.movies.size, audience = t.movieCounts;
  const sim = coCounts(t, n);
  const w = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const row = sim.subarray(j * n, (j + 1) * n);
    const common = [...row.keys()].filter((i) => row[i] > 0);
    for (const i of common) row[i] /= Math.sqrt(audience[i] * audience[j]);
    common.sort((a, b) => row[b] - row[a] || a - b);
    for (const i of common.slice(0, neighbours)) w[i * n + j] = row[i];
  }
  return w;
}
function b(t: ev.RankingTask, neighbours: number): Float64Array {
  const n = t.movies.size, audience = t.movieCounts;
  const sim = coCounts(t, n);
  const w = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const row = sim.subarray(j * n, (j + 1) * n);
    for (let i = 0; i < n; i++) row[i] /= Math.sqrt(audience[i] * audience[j]);
    for (const i of topKIndices(row, neighbours, (i) => !(row[i] > 0))) w[i * n + j] = row[i];
  }
  return w;
}
const n = task.movies.size;
for (let rep = 0; rep < 3; rep++) {
  let t0 = performance.now(); const c = coCounts(task, n); const tc = performance.now() - t0;
  t0 = performance.now(); const wa = a(task, 400); const ta = performance.now() - t0;
  t0 = performance.now(); const wb = b(task, 400); const tb = performance.now() - t0;
  let diff = 0; for (let i = 0; i < wa.length; i++) diff = Math.max(diff, Math.abs(wa[i] - wb[i]));
  console.log({ co: tc.toFixed(0), a: ta.toFixed(0), b: tb.toFixed(0), diff, c: c[5] });
}
