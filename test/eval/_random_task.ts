import { ratingsFrame } from "../../lib/data/mod.ts";
import { type RankingTask, rankingTask } from "../../lib/eval/mod.ts";
import { createRng } from "../../lib/random.ts";

/** A random task: `users` × `movies` with about `density` of the pairs rated. */
export function randomTask(
  users: number,
  movies: number,
  density: number,
  seed: number,
): RankingTask {
  const rng = createRng(seed);
  const u: number[] = [], m: number[] = [], tu: number[] = [], tm: number[] = [];
  for (let i = 1; i <= users; i++) {
    for (let j = 1; j <= movies; j++) {
      // Popular movies (low ids) are rated more often, as in MovieLens.
      if (rng.next() < density * 2 * (1 - j / (movies + 1))) {
        if (rng.next() < 0.8) {
          u.push(i);
          m.push(j);
        } else {
          tu.push(i);
          tm.push(j);
        }
      }
    }
  }
  const frame = (a: number[], b: number[]) =>
    ratingsFrame({ userId: a, movieId: b, rating: a.map(() => 4) });
  return rankingTask(frame(u, m), frame(tu, tm));
}
