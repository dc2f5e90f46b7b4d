/**
 * Private: the movie metadata of the hybrid model (popularity, release year or any column of a
 * table), each column scaled by a quantile transformer, as a frozen per-movie table.
 *
 * @module
 */

import { QuantileTransformer } from "../analysis/quantile.ts";
import type { IdEncoder } from "../data/encoder.ts";
import { COLUMNS, DEFAULT_SEED } from "../defaults.ts";
import {
  checkPositiveInt,
  type DataFrame,
  describe,
  idColumn,
  numberColumn,
} from "../_validate.ts";
import type { Catalog, MetadataConfig } from "./recommender.ts";

/** The hybrid model's options that describe its metadata (see `ModelOptions`). */
export interface MetadataOptions {
  metadataColumns?: string[];
  metadata?: DataFrame;
  metadataFitOn?: "movies" | "ratings";
  quantiles?: number;
  seed?: number;
}

const WHERE = "buildModel(hybrid)";

/** What a metadata column can be read from. */
interface Sources {
  table?: DataFrame;
  movies: IdEncoder;
  catalog?: Catalog;
  counts?: Int32Array;
}

/** A column of the metadata table, one value per movie of the encoder. */
function tableColumn(table: DataFrame, name: string, movies: IdEncoder): Float64Array {
  const tableIds = idColumn(table, COLUMNS.movie, WHERE);
  const tableValues = numberColumn(table, name, WHERE);
  const byId = new Map<number, number>();
  for (let i = 0; i < tableIds.length; i++) byId.set(tableIds[i], tableValues[i]);
  return Float64Array.from(movies.ids, (id) => {
    const v = byId.get(id);
    if (v === undefined) {
      throw new RangeError(`${WHERE}: movie id ${id} has no "${name}" in the metadata table`);
    }
    return v;
  });
}

/** Each movie's release year from the catalogue; a missing year takes the median. */
function years(catalog: Catalog | undefined, movies: IdEncoder): Float64Array {
  if (!catalog) {
    throw new TypeError(`${WHERE}: "year" needs the catalog (movies with titles or a year column)`);
  }
  const all = Array.from(movies.ids, (id) => catalog.get(id)?.year ?? NaN);
  const known = all.filter(Number.isFinite).sort((a, b) => a - b);
  if (known.length === 0) throw new RangeError(`${WHERE}: no movie in the catalog has a year`);
  const median = known[Math.floor((known.length - 1) / 2)];
  return Float64Array.from(all, (y) => Number.isFinite(y) ? y : median);
}

/** One metadata column before scaling: from the table, else derived (popularity, year). */
function rawColumn(name: string, from: Sources): Float64Array {
  if (from.table?.columns.includes(name)) return tableColumn(from.table, name, from.movies);
  if (name === "popularity") {
    if (!from.counts) {
      throw new TypeError(`${WHERE}: "popularity" needs the training ratings (options.ratings)`);
    }
    return Float64Array.from(from.counts);
  }
  if (name === "year") return years(from.catalog, from.movies);
  throw new TypeError(
    `${WHERE}: metadata column "${name}" is neither derived (popularity, year) nor in the metadata table`,
  );
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
  const columns = o.metadataColumns ?? ["popularity", "year"];
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new TypeError(
      `${WHERE}: expected at least one metadata column, found ${describe(columns)}`,
    );
  }
  const fitOn = o.metadataFitOn ?? "movies";
  if (fitOn !== "movies" && fitOn !== "ratings") {
    throw new TypeError(`${WHERE}: expected metadataFitOn "movies" or "ratings", found ${fitOn}`);
  }
  if (fitOn === "ratings" && !ratedMovieIds) {
    throw new TypeError(`${WHERE}: metadataFitOn "ratings" needs the training ratings`);
  }
  const raw = columns.map((name) =>
    rawColumn(name, { table: o.metadata, movies, catalog, counts })
  );
  // Fitted on one row per movie, or one per rating (movies weighted by popularity).
  const rows = fitOn === "ratings" ? movies.encode(ratedMovieIds!) : undefined;
  const quantiles = checkPositiveInt(o.quantiles ?? 1000, "quantiles", WHERE);
  const n = movies.size, values = new Float32Array(n * columns.length);
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
