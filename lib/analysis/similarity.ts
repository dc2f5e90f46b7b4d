/**
 * Cosine similarity between embeddings: one pair, one movie against all, the most similar
 * movies, and a histogram of the similarities.
 *
 * @module
 */

import { around } from "../_around.ts";
import type { EmbeddingTable, ScoreTable } from "./types.ts";
import { checkEmbeddings, rowIndex, rowOf } from "./_table.ts";
import {
  checkBoolean,
  checkFinite,
  checkOptionKeys,
  checkPositiveInt,
  describe,
  isNumbers,
  type Numbers,
} from "../_validate.ts";

/** Added to the product of the norms, so that a zero vector gives similarity 0 (as seed 002). */
export const COSINE_EPSILON = 1e-7;

/**
 * Cosine similarity `a·b / (‖a‖‖b‖ + 1e-7)`.
 *
 * @param a A vector.
 * @param b A vector of the same length.
 * @returns A number in [-1, 1]; 0 when either vector is zero (any finite values: vectors too
 *   large to square in floating point are scaled first).
 * @example
 * ```ts
 * import { cosineSimilarity } from "./similarity.ts";
 * import { assertAlmostEquals } from "@std/assert";
 * assertAlmostEquals(cosineSimilarity([1, 0], [1, 1]), 0.7071, 1e-4);
 * ```
 */
export function cosineSimilarity(a: Numbers, b: Numbers): number {
  const who = "cosineSimilarity()";
  if (!isNumbers(a) || !isNumbers(b)) {
    throw new TypeError(
      `${who}: expected two arrays of numbers, found ${describe(a)} and ${describe(b)}`,
    );
  }
  if (a.length !== b.length) {
    throw new RangeError(
      `${who}: expected vectors of the same length, found ${a.length} and ${b.length}`,
    );
  }
  if (a.length === 0) throw new RangeError(`${who}: expected non-empty vectors, found length 0`);
  checkFinite(a, "a", who);
  checkFinite(b, "b", who);
  const { dot, na, nb } = products(a, b, 1, 1);
  if (Number.isFinite(na) && Number.isFinite(nb)) {
    return dot / (Math.sqrt(na) * Math.sqrt(nb) + COSINE_EPSILON);
  }
  // A value above about 1e154 squares to Infinity (the answer was Infinity / Infinity = NaN):
  // the same formula on a / sa and b / sb, whose norms are at most √length.
  let sa = 0, sb = 0;
  for (let i = 0; i < a.length; i++) {
    sa = Math.max(sa, Math.abs(a[i]));
    sb = Math.max(sb, Math.abs(b[i]));
  }
  const scaled = products(a, b, 1 / sa, 1 / sb);
  return scaled.dot / (Math.sqrt(scaled.na) * Math.sqrt(scaled.nb) + COSINE_EPSILON / (sa * sb));
}

/** a·b, a·a and b·b of `a` scaled by `ka` and `b` by `kb`. */
function products(a: Numbers, b: Numbers, ka: number, kb: number) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] * ka, y = b[i] * kb;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return { dot, na, nb };
}

function cosineToAll(table: EmbeddingTable, row: number): Float64Array {
  const { vectors, dim, ids } = table;
  const q = vectors.subarray(row * dim, (row + 1) * dim);
  let nq = 0;
  for (let d = 0; d < dim; d++) nq += q[d] * q[d];
  nq = Math.sqrt(nq);
  const out = new Float64Array(ids.length);
  for (let r = 0; r < ids.length; r++) {
    let dot = 0, nr = 0;
    const o = r * dim;
    for (let d = 0; d < dim; d++) {
      dot += q[d] * vectors[o + d];
      nr += vectors[o + d] * vectors[o + d];
    }
    out[r] = dot / (nq * Math.sqrt(nr) + COSINE_EPSILON);
  }
  return out;
}

/**
 * Cosine similarity of one movie to every row of the table (itself included).
 *
 * @param table Embeddings with raw ids.
 * @param movieId The raw id to compare; an unknown id is a RangeError naming it, an id given as
 *   text (`"1"`) a TypeError saying so.
 * @returns A score table in the table's row order (with its titles).
 * @example
 * ```ts
 * import { similarities } from "./similarity.ts";
 * import { assertAlmostEquals, assertEquals } from "@std/assert";
 * const t = { ids: Int32Array.of(1, 2), vectors: Float32Array.of(1, 0, 0, 1), dim: 2 };
 * const { values } = similarities(t, 1);
 * assertAlmostEquals(values[0], 1, 1e-6);
 * assertEquals(values[1], 0);
 * ```
 */
export function similarities(table: EmbeddingTable, movieId: number): ScoreTable {
  const who = "similarities()";
  checkEmbeddings(table, who);
  const row = rowOf(rowIndex(table.ids, who), movieId, who);
  const out: ScoreTable = {
    ids: table.ids.slice(),
    values: Float32Array.from(cosineToAll(table, row)),
  };
  if (table.titles) out.titles = table.titles.slice();
  return out;
}

/** One neighbour returned by {@linkcode mostSimilar}. */
export interface SimilarRow {
  /** Raw movie id. */
  movieId: number;
  /** Title, when the table has titles. */
  title?: string;
  /** Cosine similarity to the query movie. */
  similarity: number;
}

/** Options of {@linkcode mostSimilar}. */
export interface MostSimilarOptions {
  /**
   * How many neighbours to return.
   * @default {10}
   */
  k?: number;
  /**
   * Keep the query movie itself (similarity ≈ 1) as the first row, as the tutorials print it.
   * @default {false}
   */
  includeSelf?: boolean;
}

/** Every option of {@linkcode mostSimilar} (the type makes the list complete). */
const MOST_SIMILAR_OPTIONS: Record<keyof MostSimilarOptions, true> = { k: true, includeSelf: true };

/**
 * The k movies whose embeddings have the highest cosine similarity to a movie's.
 * Ties are broken by increasing id.
 *
 * @param table Embeddings with raw ids.
 * @param movieId The query's raw id; an unknown id is a RangeError naming it, an id given as
 *   text (`"1"`) a TypeError saying so.
 * @param options k and whether to keep the query itself.
 * @returns Rows `{ movieId, title?, similarity }`, most similar first.
 * @example
 * ```ts
 * import { mostSimilar } from "./similarity.ts";
 * import { assertAlmostEquals, assertEquals } from "@std/assert";
 * const t = { ids: Int32Array.of(1, 2, 3), vectors: Float32Array.of(1, 0, 0.9, 0.1, 0, 1), dim: 2 };
 * const near = mostSimilar(t, 1, { k: 1 });
 * assertEquals(near.map((n) => n.movieId), [2]);
 * assertAlmostEquals(near[0].similarity, 0.9 / Math.hypot(0.9, 0.1), 1e-6); // cos(1, 2)
 * ```
 */
export function mostSimilar(
  table: EmbeddingTable,
  movieId: number,
  options: MostSimilarOptions = {},
): SimilarRow[] {
  const who = "mostSimilar()";
  checkOptionKeys(options, Object.keys(MOST_SIMILAR_OPTIONS), who);
  const { k = 10, includeSelf = false } = options;
  checkEmbeddings(table, who);
  checkPositiveInt(k, "k", who);
  checkBoolean(includeSelf, "includeSelf", who);
  const self = rowOf(rowIndex(table.ids, who), movieId, who);
  const sims = cosineToAll(table, self);
  const { ids, titles } = table;
  const rows = Array.from(ids, (_, i) => i).filter((r) => r !== self);
  rows.sort((a, b) => sims[b] - sims[a] || ids[a] - ids[b]);
  if (includeSelf) rows.unshift(self);
  return rows.slice(0, k).map((r): SimilarRow =>
    titles
      ? { movieId: ids[r], title: titles[r], similarity: sims[r] }
      : { movieId: ids[r], similarity: sims[r] }
  );
}

/** A histogram: `counts[i]` values fall in `[edges[i], edges[i + 1])` (the last bin is closed). */
export interface Histogram {
  /** `bins + 1` increasing bin edges. */
  edges: Float64Array;
  /** Number of values per bin. */
  counts: Int32Array;
}

/** Options of {@linkcode histogramCounts}. */
export interface HistogramCountsOptions {
  /**
   * Number of equal-width bins.
   * @default {30}
   */
  bins?: number;
  /**
   * Lower and upper edge; values outside are ignored.
   * @default {undefined} (the minimum and maximum of the values, as numpy)
   */
  range?: [number, number];
}

/** Every option of {@linkcode histogramCounts} (the type makes the list complete). */
const HISTOGRAM_COUNTS_OPTIONS: Record<keyof HistogramCountsOptions, true> = {
  bins: true,
  range: true,
};

/**
 * Equal-width histogram with numpy's conventions (`np.histogram`): half-open bins except the
 * last, and a range widened by ±0.5 when every value is equal (by ±10% for a value beyond
 * 3.4e10, where half a unit is too fine a step: numpy loses it beside 5e15 and counts nothing).
 *
 * @param values Numbers, e.g. `similarities(table, 181).values`.
 * @param options Number of bins and range.
 * @returns Bin edges and counts.
 * @throws {RangeError} On no values, a NaN or infinite value or range end, a range with
 *   lo >= hi, or a range whose width overflows (such as -1e308 to 1e308).
 * @throws {TypeError} On values that are not numbers or a range that is not [lo, hi].
 * @example
 * ```ts
 * import { histogramCounts } from "./similarity.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(histogramCounts([0, 0.2, 0.5, 1], { bins: 2 }).counts, Int32Array.of(2, 2));
 * ```
 */
export function histogramCounts(values: Numbers, options: HistogramCountsOptions = {}): Histogram {
  const who = "histogramCounts()";
  checkOptionKeys(options, Object.keys(HISTOGRAM_COUNTS_OPTIONS), who);
  const { bins = 30, range } = options;
  checkPositiveInt(bins, "bins", who);
  if (!isNumbers(values)) {
    throw new TypeError(`${who}: expected numbers, found ${describe(values)}`);
  }
  if (values.length === 0) throw new RangeError(`${who}: expected at least one value, found none`);
  checkFinite(values, "values", who);
  let lo: number, hi: number;
  if (range !== undefined) {
    if (!isNumbers(range) || range.length !== 2) {
      throw new TypeError(`${who}: expected range as [lo, hi], found ${describe(range)}`);
    }
    [lo, hi] = range;
    checkFinite(range, "range", who);
    if (!(lo < hi)) {
      throw new RangeError(`${who}: expected range [lo, hi] with lo < hi, found [${lo}, ${hi}]`);
    }
  } else {
    lo = Infinity;
    hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      lo = Math.min(lo, values[i]);
      hi = Math.max(hi, values[i]);
    }
    if (lo === hi) {
      // numpy's ±0.5, unless too small beside the value for the numbers there to step through
      // it in 2^16 steps (beside 5e15 it rounds away, and every value fell outside the bins):
      // then a tenth of |value| each side, within the finite numbers.
      [lo, hi] = around(lo, 0.5);
    }
  }
  if (!Number.isFinite(hi - lo)) {
    // -1e308 to 1e308: every edge but the last would be NaN or infinite.
    throw new RangeError(
      `${who}: the range ${lo} to ${hi} is too wide to split (its width overflows to ` +
        "Infinity); expected a narrower range or values",
    );
  }
  // The edges as np.linspace computes them (i · step + lo), to the last bit: a value on an inner
  // edge falls in the bin numpy puts it in.
  const step = (hi - lo) / bins, norm = bins / (hi - lo);
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => i * step + lo);
  edges[bins] = hi;
  const counts = new Int32Array(bins);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo || v > hi) continue;
    // Below a range of about 1e-307 (values such as 1e-320), bins / (hi - lo) overflows to
    // Infinity and 0 · Infinity is NaN: the share of the range, then.
    let b = Math.min(
      bins - 1,
      Math.floor(Number.isFinite(norm) ? (v - lo) * norm : (v - lo) / (hi - lo) * bins),
    );
    // Correct floating-point misplacement at the edges so bins stay [edges[b], edges[b + 1]).
    if (b > 0 && v < edges[b]) b--;
    else if (b < bins - 1 && v >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { edges, counts };
}
