/**
 * Embeddings and biases by raw id, with titles: pick rows of an {@linkcode EmbeddingTable} or a
 * {@linkcode ScoreTable} by MovieLens id (never by row number), attach titles from the movies
 * DataFrame, and count ratings to find the most-rated movies.
 *
 * @module
 */

import type pl from "nodejs-polars";
import { COLUMNS } from "../defaults.ts";
import type { EmbeddingTable, ScoreTable } from "./types.ts";
import { checkEmbeddings, checkScores, rowIndex, rowOf } from "./_table.ts";
import {
  checkFrame,
  checkOptionKeys,
  checkPositiveInt,
  idColumn,
  type Numbers,
  plural,
  textColumn,
  toIds,
} from "../_validate.ts";

/**
 * The vector of one id.
 *
 * @param table Embeddings with raw ids.
 * @param id A raw id, e.g. a movieId.
 * @returns A copy of its row (length `table.dim`).
 * @example
 * ```ts
 * import { vectorOf } from "./rows_by_id.ts";
 * import { assertEquals } from "@std/assert";
 * const table = { ids: Int32Array.of(7, 9), vectors: Float32Array.of(1, 2, 3, 4), dim: 2 };
 * assertEquals(vectorOf(table, 9), Float32Array.of(3, 4));
 * ```
 */
export function vectorOf(table: EmbeddingTable, id: number): Float32Array {
  const who = "vectorOf()";
  checkEmbeddings(table, who);
  const row = rowOf(rowIndex(table.ids, who), id, who);
  return table.vectors.slice(row * table.dim, (row + 1) * table.dim);
}

/**
 * The rows of some ids, in the order given.
 *
 * @param table Embeddings with raw ids.
 * @param ids Raw ids to keep; an unknown id is a RangeError naming it.
 * @returns A new table holding only those rows (with their titles, when known).
 * @example
 * ```ts
 * import { selectRows } from "./rows_by_id.ts";
 * import { assertEquals } from "@std/assert";
 * const table = { ids: Int32Array.of(7, 9), vectors: Float32Array.of(1, 2, 3, 4), dim: 2 };
 * assertEquals(selectRows(table, [9]).vectors, Float32Array.of(3, 4));
 * ```
 */
export function selectRows(table: EmbeddingTable, ids: Numbers): EmbeddingTable {
  const who = "selectRows()";
  checkEmbeddings(table, who);
  const index = rowIndex(table.ids, who);
  const keep = toIds(ids, "ids", who);
  const { dim } = table;
  const vectors = new Float32Array(keep.length * dim);
  const rows = Array.from(keep, (id) => rowOf(index, id, who));
  rows.forEach((r, i) => vectors.set(table.vectors.subarray(r * dim, (r + 1) * dim), i * dim));
  const out: EmbeddingTable = { ids: keep, vectors, dim };
  if (table.titles) out.titles = rows.map((r) => table.titles![r]);
  return out;
}

/**
 * The scores (e.g. biases) of some ids, in the order given.
 *
 * @param scores Scores with raw ids.
 * @param ids Raw ids to keep; an unknown id is a RangeError naming it.
 * @returns A new score table holding only those entries.
 * @example
 * ```ts
 * import { selectScores } from "./rows_by_id.ts";
 * import { assertEquals } from "@std/assert";
 * const bias = { ids: Int32Array.of(7, 9), values: Float32Array.of(0.5, -1) };
 * assertEquals(selectScores(bias, [9, 7]).values, Float32Array.of(-1, 0.5));
 * ```
 */
export function selectScores(scores: ScoreTable, ids: Numbers): ScoreTable {
  const who = "selectScores()";
  checkScores(scores, who);
  const index = rowIndex(scores.ids, who);
  const keep = toIds(ids, "ids", who);
  const rows = Array.from(keep, (id) => rowOf(index, id, who));
  const out: ScoreTable = { ids: keep, values: Float32Array.from(rows, (r) => scores.values[r]) };
  if (scores.titles) out.titles = rows.map((r) => scores.titles![r]);
  return out;
}

/**
 * Attaches titles from a movies DataFrame (movieId, title) to an embedding or score table.
 *
 * @param table Any table with raw movie ids.
 * @param movies Movies with movieId and title columns.
 * @returns A shallow copy of `table` with `titles`; a movie missing from `movies` is a
 *   RangeError naming it.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { withTitles } from "./rows_by_id.ts";
 * import { assertEquals } from "@std/assert";
 * const movies = pl.DataFrame({ movieId: [1, 2], title: ["Toy Story (1995)", "Jumanji (1995)"] });
 * assertEquals(
 *   withTitles({ ids: Int32Array.of(2), values: Float32Array.of(0.3) }, movies).titles,
 *   ["Jumanji (1995)"],
 * );
 * ```
 */
export function withTitles<T extends EmbeddingTable | ScoreTable>(
  table: T,
  movies: pl.DataFrame,
): T & { titles: string[] } {
  const who = "withTitles()";
  if ("vectors" in table) checkEmbeddings(table, who);
  else checkScores(table, who);
  checkFrame(movies, [COLUMNS.movie, COLUMNS.title], who);
  const ids = idColumn(movies, COLUMNS.movie, who);
  const titles = textColumn(movies, COLUMNS.title, who);
  const byId = new Map<number, string>();
  for (let i = 0; i < ids.length; i++) if (titles[i] !== undefined) byId.set(ids[i], titles[i]!);
  const missing = Array.from(table.ids).filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new RangeError(
      `${who}: no title for ${plural(missing.length, "id")} in the movies DataFrame, e.g. ${
        missing.slice(0, 5).join(", ")
      }`,
    );
  }
  return { ...table, titles: Array.from(table.ids, (id) => byId.get(id)!) };
}

/** Options of {@linkcode mostRated}. */
export interface MostRatedOptions {
  /**
   * How many movies to return.
   * @default {undefined} (every rated movie)
   */
  n?: number;
}

/** Every option of {@linkcode mostRated} (the type makes the list complete). */
const MOST_RATED_OPTIONS: Record<keyof MostRatedOptions, true> = { n: true };

/**
 * Counts ratings per movie and returns the movies in decreasing order of count (ties by
 * increasing movieId) — the "N most-rated movies" the tutorials restrict bias and PCA tables to.
 *
 * @param ratings Ratings with a movieId column (count them on training data to avoid leakage).
 * @param options How many movies to keep.
 * @returns A score table: ids = movieIds, values = rating counts.
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { mostRated } from "./rows_by_id.ts";
 * import { assertEquals } from "@std/assert";
 * const ratings = pl.DataFrame({ userId: [1, 2, 2], movieId: [5, 5, 3], rating: [4, 3, 5] });
 * assertEquals(
 *   mostRated(ratings, { n: 1 }),
 *   { ids: Int32Array.of(5), values: Float32Array.of(2) },
 * );
 * ```
 */
export function mostRated(ratings: pl.DataFrame, options: MostRatedOptions = {}): ScoreTable {
  const who = "mostRated()";
  checkOptionKeys(options, Object.keys(MOST_RATED_OPTIONS), who);
  const { n } = options;
  if (n !== undefined) checkPositiveInt(n, "n", who);
  checkFrame(ratings, [COLUMNS.movie], who);
  if (ratings.height === 0) throw new RangeError(`${who}: expected ratings, found 0 rows`);
  const counts = new Map<number, number>();
  for (const id of idColumn(ratings, COLUMNS.movie, who)) counts.set(id, (counts.get(id) ?? 0) + 1);
  const order = Array.from(counts).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, n);
  return {
    ids: Int32Array.from(order, ([id]) => id),
    values: Float32Array.from(order, ([, c]) => c),
  };
}
