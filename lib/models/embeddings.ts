/**
 * Embedding and bias tables by raw id, with titles from the catalogue, for analysis (PCA,
 * similarity, bias rankings). Works for every model, built or written as code: the tables are
 * the embedding layers fed by the user and movie inputs (factors: the widest; biases: one
 * column), or the fused dot-bias layer's.
 *
 * @module
 */

import type { EmbeddingTable, ScoreTable } from "../analysis/types.ts";
import type { IdEncoder } from "../data/encoder.ts";
import {
  findTable,
  MOVIE_BIAS,
  MOVIE_TABLE,
  TABLE_DESCRIPTIONS,
  type TableRole,
  USER_BIAS,
  USER_TABLE,
} from "./_weights.ts";
import type { Recommender } from "./recommender.ts";
import { checkOptionKeys, encodeIds } from "../_validate.ts";
import { checkRecommender } from "./_usable.ts";

/** Options of the embedding and bias accessors. */
export interface TableOptions {
  /**
   * Raw ids of the rows wanted, in this order (else every id, in encoder order). An unknown id
   * throws a `RangeError` naming it.
   * @default {undefined}
   */
  ids?: ArrayLike<number>;
}

/** Every option of the table readers (the type makes the list complete). */
const TABLE_OPTIONS: Record<keyof TableOptions, true> = { ids: true };

function readRows(
  rec: Recommender,
  encoder: IdEncoder,
  names: TableRole[],
  what: string,
  options: TableOptions,
  role: "user" | "movie",
): { ids: Int32Array; vectors: Float32Array; dim: number } {
  checkOptionKeys(options, Object.keys(TABLE_OPTIONS), what);
  checkRecommender(rec, what);
  const weight = findTable(rec.model, names);
  if (!weight) {
    throw new TypeError(
      `${what}: a "${rec.kind}" model has no ${
        names.map((n) => TABLE_DESCRIPTIONS[n]).join(" or ")
      }`,
    );
  }
  const [rows, dim] = weight.shape as [number, number];
  if (rows !== encoder.size) {
    throw new RangeError(
      `${what}: the ${weight.originalName} table has ${rows} rows but the ${encoder.name} encoder has ${encoder.size} ids`,
    );
  }
  const all = weight.read().dataSync() as Float32Array;
  if (options.ids === undefined) return { ids: encoder.ids, vectors: all.slice(), dim };
  const idx = encodeIds(encoder, options.ids, role, what, "ids", false);
  const ids = Int32Array.from(options.ids as ArrayLike<number>);
  const vectors = new Float32Array(idx.length * dim);
  for (let i = 0; i < idx.length; i++) {
    vectors.set(all.subarray(idx[i] * dim, (idx[i] + 1) * dim), i * dim);
  }
  return { ids, vectors, dim };
}

function movieTitles(rec: Recommender, ids: Int32Array): string[] | undefined {
  if (!rec.catalog) return undefined;
  return Array.from(ids, (id) => rec.catalog!.get(id)?.title ?? String(id));
}

/**
 * The movie embedding table by raw movie id, with titles when the model has a catalogue.
 *
 * @param rec The recommender (a `RangeError` for one freed by `disposeRecommender()`).
 * @param options Which ids (default all).
 * @returns ids, row-major vectors, dim and titles.
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { movieEmbeddings } from "./embeddings.ts";
 * import { assertEquals } from "@std/assert";
 * const rec = buildModel("mlp", { users: IdEncoder.fit([1]), movies: IdEncoder.fit([5, 9]), factors: 3 });
 * assertEquals(movieEmbeddings(rec, { ids: [9] }).vectors.length, 3);
 * ```
 */
export function movieEmbeddings(rec: Recommender, options: TableOptions = {}): EmbeddingTable {
  const t = readRows(rec, rec.movies, MOVIE_TABLE, "movieEmbeddings()", options, "movie");
  const titles = movieTitles(rec, t.ids);
  return titles ? { ...t, titles } : t;
}

/**
 * The user embedding table by raw user id.
 *
 * @param rec The recommender (a `RangeError` for one freed by `disposeRecommender()`).
 * @param options Which ids (default all).
 * @returns ids, row-major vectors and dim.
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { userEmbeddings } from "./embeddings.ts";
 * import { assertEquals } from "@std/assert";
 * const rec = buildModel("dot", { users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([5]), factors: 4 });
 * assertEquals(userEmbeddings(rec).dim, 4);
 * ```
 */
export function userEmbeddings(rec: Recommender, options: TableOptions = {}): EmbeddingTable {
  return readRows(rec, rec.users, USER_TABLE, "userEmbeddings()", options, "user");
}

/**
 * The learned movie biases by raw movie id (dot-bias and bce kinds), with titles.
 *
 * @param rec The recommender (a `RangeError` for one freed by `disposeRecommender()`).
 * @param options Which ids (default all).
 * @returns ids, bias values and titles.
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { movieBiases } from "./embeddings.ts";
 * import { assertEquals } from "@std/assert";
 * const rec = buildModel("dot-bias", { users: IdEncoder.fit([1]), movies: IdEncoder.fit([5, 9]) });
 * assertEquals(movieBiases(rec).values.length, 2);
 * ```
 */
export function movieBiases(rec: Recommender, options: TableOptions = {}): ScoreTable {
  const t = readRows(rec, rec.movies, MOVIE_BIAS, "movieBiases()", options, "movie");
  const titles = movieTitles(rec, t.ids);
  return titles ? { ids: t.ids, values: t.vectors, titles } : { ids: t.ids, values: t.vectors };
}

/**
 * The learned user biases by raw user id (dot-bias and bce kinds).
 *
 * @param rec The recommender (a `RangeError` for one freed by `disposeRecommender()`).
 * @param options Which ids (default all).
 * @returns ids and bias values.
 * @example
 * ```ts
 * import { IdEncoder } from "../data/encoder.ts";
 * import { buildModel } from "./build.ts";
 * import { userBiases } from "./embeddings.ts";
 * import { assertEquals } from "@std/assert";
 * const rec = buildModel("dot-bias", { users: IdEncoder.fit([1, 2]), movies: IdEncoder.fit([5]) });
 * assertEquals(userBiases(rec, { ids: [2] }).values.length, 1);
 * ```
 */
export function userBiases(rec: Recommender, options: TableOptions = {}): ScoreTable {
  const t = readRows(rec, rec.users, USER_BIAS, "userBiases()", options, "user");
  return { ids: t.ids, values: t.vectors };
}
