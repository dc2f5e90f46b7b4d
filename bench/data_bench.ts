/**
 * Data-layer timings: loading ml-latest-small from the shipped zip (target: well under a
 * second), loading ml-100k from the local mirror, a seeded split and the conversion to
 * index arrays.
 *
 * ```sh
 * MOVIELENS_DIR=../shared/movielens deno bench -A bench/data_bench.ts
 * ```
 *
 * @module
 */

import { resolve } from "node:path";
import { fitEncoders, loadMovieLens, randomSplit, ratingsToArrays } from "../lib/data/mod.ts";

const mirror = resolve(Deno.env.get("MOVIELENS_DIR") ?? "../shared/movielens");
const hasMirror = (() => {
  try {
    return Deno.statSync(`${mirror}/ml-100k/u.data`).isFile;
  } catch {
    return false;
  }
})();

Deno.bench("loadMovieLens('ml-latest-small') from the shipped zip, sha256 checked", async () => {
  await loadMovieLens();
});

Deno.bench({
  name: "loadMovieLens('ml-100k') from the mirror, sha256 of 3 files checked",
  ignore: !hasMirror,
  fn: async () => {
    await loadMovieLens("ml-100k", { dir: mirror, download: false });
  },
});

const { ratings } = await loadMovieLens();

Deno.bench("randomSplit() of 100,836 ratings (10% test)", () => {
  randomSplit(ratings, { testFraction: 0.1, seed: 42 });
});

const { train } = randomSplit(ratings, { testFraction: 0.1, seed: 42 });
const encoders = fitEncoders(train);

Deno.bench("ratingsToArrays() of 90,752 training ratings", () => {
  ratingsToArrays(train, encoders);
});
