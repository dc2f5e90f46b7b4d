/**
 * Best and worst movies by a score (a learned bias, a principal component, a popularity count),
 * optionally among a subset such as the N most-rated movies.
 *
 * @module
 */

import type { ScoreTable } from "./types.ts";
import { checkScores, rowIndex, rowOf } from "./_table.ts";
import { checkOptionKeys, checkPositiveInt, type Numbers, toIds } from "../_validate.ts";

/** One row of a ranking. */
export interface RankedRow {
  /** 1-based position in the ranking. */
  rank: number;
  /** Raw movie id. */
  movieId: number;
  /** Title, when the table has titles. */
  title?: string;
  /** The score the ranking is sorted by. */
  score: number;
}

/** Options of {@linkcode rankByScore}. */
export interface RankOptions {
  /**
   * How many rows to return.
   * @default {10}
   */
  n?: number;
  /**
   * `"desc"`: highest scores first (best biases); `"asc"`: lowest first (worst biases).
   * @default {"desc"}
   */
  order?: "asc" | "desc";
  /**
   * Rank only these ids (e.g. `mostRated(train, { n: 2000 }).ids`); an id without a score is a
   * RangeError naming it.
   * @default {undefined} (every id in the table)
   */
  among?: Numbers;
}

/** Every option of {@linkcode rankByScore} (the type makes the list complete). */
const RANK_OPTIONS: Record<keyof RankOptions, true> = { n: true, order: true, among: true };

/**
 * Sorts scores and returns the top n rows. Ties are broken by increasing id, so the result is
 * deterministic.
 *
 * @param scores Scores with raw ids (and titles).
 * @param options How many, which direction, and an optional subset of ids.
 * @returns Rows `{ rank, movieId, title?, score }`.
 * @example
 * ```ts
 * import { rankByScore } from "./rank_by_score.ts";
 * import { assertEquals } from "@std/assert";
 * const bias = { ids: Int32Array.of(1, 2, 3), values: Float32Array.of(0.1, 0.9, -0.4) };
 * assertEquals(rankByScore(bias, { n: 1, order: "asc" }), [
 *   { rank: 1, movieId: 3, score: Math.fround(-0.4) }, // the score as float32 holds it
 * ]);
 * ```
 */
export function rankByScore(scores: ScoreTable, options: RankOptions = {}): RankedRow[] {
  const who = "rankByScore()";
  checkOptionKeys(options, Object.keys(RANK_OPTIONS), who);
  const { n = 10, order = "desc", among } = options;
  checkScores(scores, who);
  checkPositiveInt(n, "n", who);
  if (order !== "asc" && order !== "desc") {
    throw new RangeError(`${who}: expected order "asc" or "desc", found ${JSON.stringify(order)}`);
  }
  const index = rowIndex(scores.ids, who);
  let rows: number[];
  if (among === undefined) rows = Array.from(scores.ids, (_, i) => i);
  else {
    const ids = toIds(among, "among", who);
    if (ids.length === 0) {
      throw new RangeError(`${who}: expected at least one id in among, found none`);
    }
    rows = Array.from(new Set(ids), (id) => rowOf(index, id, who));
  }
  const sign = order === "desc" ? -1 : 1;
  const { ids, values, titles } = scores;
  rows.sort((a, b) => sign * (values[a] - values[b]) || ids[a] - ids[b]);
  return rows.slice(0, n).map((r, i): RankedRow =>
    titles
      ? { rank: i + 1, movieId: ids[r], title: titles[r], score: values[r] }
      : { rank: i + 1, movieId: ids[r], score: values[r] }
  );
}
