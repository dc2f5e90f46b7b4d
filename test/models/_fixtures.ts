/**
 * Tiny synthetic MovieLens-shaped data for the models tests: ratings drawn from a known
 * low-rank model with biases, on the real schema, with non-contiguous raw ids so that the
 * encoders matter.
 *
 * @module
 */

import pl from "nodejs-polars";
import type { DataFrame } from "nodejs-polars";
import { ratingsFrame } from "../../lib/data/frame.ts";
import { createRng } from "../../lib/random.ts";

/** Options of {@linkcode syntheticRatings}. */
export interface SyntheticRatingsOptions {
  /** @default {12} */
  users?: number;
  /** @default {16} */
  movies?: number;
  /** Ratings per user. @default {10} */
  perUser?: number;
  /** @default {1} */
  seed?: number;
  /** Half stars 0.5–5 or whole stars 1–5. @default {"half"} */
  scale?: "half" | "whole";
}

/** Raw user id of user row `i`. */
export const userId = (i: number): number => 100 + 7 * i;
/** Raw movie id of movie row `j`. */
export const movieId = (j: number): number => 1000 + 3 * j;

/**
 * Ratings of `users` users, each rating `perUser` distinct movies, from
 * `3.3 + u·v + b_u + b_m + noise`, rounded to the scale and clipped.
 */
export function syntheticRatings(options: SyntheticRatingsOptions = {}): DataFrame {
  const { users = 12, movies = 16, perUser = 10, seed = 1, scale = "half" } = options;
  const rng = createRng(seed);
  const u = Array.from({ length: users }, () => [rng.normal(), rng.normal()]);
  const v = Array.from({ length: movies }, () => [rng.normal(), rng.normal()]);
  const bm = Array.from({ length: movies }, () => 0.6 * rng.normal());
  const bu = Array.from({ length: users }, () => 0.3 * rng.normal());
  const uid: number[] = [], mid: number[] = [], rating: number[] = [];
  const [lo, hi, step] = scale === "half" ? [0.5, 5, 0.5] : [1, 5, 1];
  for (let i = 0; i < users; i++) {
    const order = rng.permutation(movies).slice(0, Math.min(perUser, movies));
    for (const j of order) {
      const raw = 3.3 + 0.6 * (u[i][0] * v[j][0] + u[i][1] * v[j][1]) + bu[i] + bm[j] +
        0.1 * rng.normal();
      uid.push(userId(i));
      mid.push(movieId(j));
      rating.push(Math.min(hi, Math.max(lo, Math.round(raw / step) * step)));
    }
  }
  return ratingsFrame({ userId: uid, movieId: mid, rating });
}

/** A movies table for movie rows 0..n-1 (title with a year, genres). */
export function syntheticMovies(n = 16): DataFrame {
  return pl.DataFrame({
    movieId: Array.from({ length: n }, (_, j) => movieId(j)),
    title: Array.from({ length: n }, (_, j) => `Movie ${j} (${1950 + 3 * j})`),
    genres: Array.from({ length: n }, (_, j) => (j % 2 ? "Drama" : "Comedy|Romance")),
  });
}
