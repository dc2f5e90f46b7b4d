/**
 * Plain-data shapes shared by the models library (which produces them from a trained model)
 * and the analysis and plot helpers (which consume them). Keeping them as plain typed arrays
 * keeps analysis independent of tfjs.
 *
 * @module
 */

export type { Numbers } from "../_validate.ts";

/** One embedding table with the raw ids (and titles) of its rows. */
export interface EmbeddingTable {
  /** Raw ids (e.g. MovieLens movieId), one per row. */
  ids: Int32Array;
  /** Row-major vectors: row `i` is `vectors.subarray(i * dim, (i + 1) * dim)`. */
  vectors: Float32Array;
  /** Number of factors per row. */
  dim: number;
  /** Titles (or any labels) per row, when known. */
  titles?: string[];
}

/** A bias (or any scalar score) per raw id. */
export interface ScoreTable {
  /** Raw ids, one per entry. */
  ids: Int32Array;
  /** The score of each id. */
  values: Float32Array;
  /** Titles per entry, when known. */
  titles?: string[];
}
