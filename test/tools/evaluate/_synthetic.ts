/**
 * A tiny synthetic MovieLens folder in the ml-latest-small layout, with a planted structure
 * (user and movie biases plus a rank-2 interaction) so that models have something to learn.
 *
 * @module
 */

import { createRng } from "../../../lib/random.ts";

/** Options of {@linkcode writeSyntheticLatest}. */
export interface SyntheticOptions {
  /** Users. */
  users?: number;
  /** Movies. */
  movies?: number;
  /** Probability that a user rated a movie. */
  density?: number;
  /** Seed. */
  seed?: number;
}

/**
 * Writes ratings.csv and movies.csv into a new temporary folder.
 *
 * @param options Sizes and seed.
 * @returns The folder and the number of ratings written.
 */
export async function writeSyntheticLatest(
  options: SyntheticOptions = {},
): Promise<{ dir: string; ratings: number }> {
  const { users = 40, movies = 30, density = 0.6, seed = 3 } = options;
  const rng = createRng(seed);
  const dir = await Deno.makeTempDir({ prefix: "evaluate_synthetic_" });
  const userVec = Array.from({ length: users }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const movieVec = Array.from({ length: movies }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const lines = ["userId,movieId,rating,timestamp"];
  let t = 1_000_000_000;
  for (let u = 0; u < users; u++) {
    for (let m = 0; m < movies; m++) {
      if (rng.next() >= density) continue;
      const [ub, ua, uc] = userVec[u], [mb, ma, mc] = movieVec[m];
      const raw = 3.5 + 0.5 * ub + 0.5 * mb + 0.6 * (ua * ma + uc * mc) + 0.3 * rng.normal();
      const rating = Math.min(5, Math.max(0.5, Math.round(raw * 2) / 2));
      lines.push(`${u + 1},${(m + 1) * 10},${rating.toFixed(1)},${t}`);
      t += 1 + rng.int(1000);
    }
  }
  const genres = ["Comedy", "Drama", "Action|Thriller", "Animation|Children"];
  const movieLines = ["movieId,title,genres"];
  for (let m = 0; m < movies; m++) {
    movieLines.push(`${(m + 1) * 10},Movie ${m + 1} (${1980 + m}),${genres[m % genres.length]}`);
  }
  await Deno.writeTextFile(`${dir}/ratings.csv`, lines.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/movies.csv`, movieLines.join("\n") + "\n");
  return { dir, ratings: lines.length - 1 };
}
