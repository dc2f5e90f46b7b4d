/**
 * Shared defaults: one place for the column names, the seed, the top-k size and the
 * relevance threshold, so that every loader, splitter, model and metric fits the others.
 *
 * @module
 */

/** Column names used by every ratings and movies DataFrame in this library. */
export const COLUMNS = {
  /** Raw user id (integer, as in the source files). */
  user: "userId",
  /** Raw movie id (integer, as in the source files). */
  movie: "movieId",
  /** Rating on the data set's star scale. */
  rating: "rating",
  /** Unix time in seconds. */
  timestamp: "timestamp",
  /** Movie title, with the year in brackets as MovieLens writes it. */
  title: "title",
  /** Genres joined with `|`, as MovieLens writes them. */
  genres: "genres",
  /** Release year derived from the title or release date. */
  year: "year",
} as const;

/** The seed used wherever a caller gives none. */
export const DEFAULT_SEED = 42;

/** How many items a top-k list or ranking metric looks at by default. */
export const DEFAULT_K = 10;

/** A rating at or above this counts as relevant for ranking metrics (on a 5-star scale). */
export const RELEVANCE_THRESHOLD = 4;
