/**
 * Private: the movie metadata of the hybrid model (popularity, release year or any column of a
 * table), each column scaled by a quantile transformer, as a frozen per-movie table.
 *
 * @module
 */

import { QuantileTransformer } from "../analysis/quantile.ts";
import type { IdEncoder } from "../data/encoder.ts";
import { COLUMNS, DEFAULT_SEED } from "../defaults.ts";
import { type DataFrame, describe, idColumn, numberColumn } from "../_validate.ts";
import type { Catalog, MetadataConfig } from "./recommender.ts";

/** The hybrid model's options that describe its metadata (see `ModelOptions`). */
export interface MetadataOptions {
  metadataColumns?: string[];
  metadata?: DataFrame;
  metadataFitOn?: "movies" | "ratings";
  quantiles?: number;
  seed?: number;
}

/**
 * The hybrid model's metadata: the scaled table (one row per movie of the encoder) and the
 * config that records how it was made.
 */
export function buildMetadata(
  o: MetadataOptions,
  movies: IdEncoder,
  catalog: Catalog | undefined,
  counts: Int32Array | undefined,
  ratedMovieIds: Float64Array | undefined,
): { metadata: MetadataConfig; values: Float32Array } {
  const where = "buildModel(hybrid)";
  const columns = o.metadataColumns ?? ["popularity", "year"];
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new TypeError(
      `${where}: expected at least one metadata column, found ${describe(columns)}`,
    );
  }
  const fitOn = o.metadataFitOn ?? "movies";
  if (fitOn !== "movies" && fitOn !== "ratings") {
    throw new TypeError(`${where}: expected metadataFitOn "movies" or "ratings", found ${fitOn}`);
  }
  const n = movies.size, ids = movies.ids;
  let table: Map<number, number> | undefined;
  const tableColumn = (name: string): Float64Array | undefined => {
    if (!o.metadata || !o.metadata.columns.includes(name)) return undefined;
    const tid = idColumn(o.metadata, COLUMNS.movie, where);
    const tv = numberColumn(o.metadata, name, where);
    table = new Map();
    for (let i = 0; i < tid.length; i++) table.set(tid[i], tv[i]);
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const v = table.get(ids[j]);
      if (v === undefined) {
        throw new RangeError(`${where}: movie id ${ids[j]} has no "${name}" in the metadata table`);
      }
      out[j] = v;
    }
    return out;
  };
  const raw: Float64Array[] = columns.map((name) => {
    const fromTable = tableColumn(name);
    if (fromTable) return fromTable;
    if (name === "popularity") {
      if (!counts) {
        throw new TypeError(`${where}: "popularity" needs the training ratings (options.ratings)`);
      }
      return Float64Array.from(counts);
    }
    if (name === "year") {
      if (!catalog) {
        throw new TypeError(
          `${where}: "year" needs the catalog (movies with titles or a year column)`,
        );
      }
      const years = Array.from(ids, (id) => catalog.get(id)?.year ?? NaN);
      const known = years.filter(Number.isFinite).sort((a, b) => a - b);
      if (known.length === 0) throw new RangeError(`${where}: no movie in the catalog has a year`);
      const median = known[Math.floor((known.length - 1) / 2)];
      return Float64Array.from(years, (y) => Number.isFinite(y) ? y : median);
    }
    throw new TypeError(
      `${where}: metadata column "${name}" is neither derived (popularity, year) nor in the metadata table`,
    );
  });
  let rows: Int32Array | undefined;
  if (fitOn === "ratings") {
    if (!ratedMovieIds) {
      throw new TypeError(`${where}: metadataFitOn "ratings" needs the training ratings`);
    }
    rows = movies.encode(ratedMovieIds);
  }
  const quantiles = o.quantiles ?? 1000;
  const values = new Float32Array(n * columns.length);
  const scalers = raw.map((col, c) => {
    const sample = rows ? Float64Array.from(rows, (j) => col[j]) : col;
    const q = new QuantileTransformer({
      nQuantiles: quantiles,
      subsample: Math.max(quantiles, 10_000),
      seed: o.seed ?? DEFAULT_SEED,
    }).fit([sample]);
    const [scaled] = q.transform([col]);
    for (let j = 0; j < n; j++) values[j * columns.length + c] = scaled[j];
    return q.toJSON();
  });
  return { metadata: { columns: [...columns], fitOn, scalers }, values };
}
