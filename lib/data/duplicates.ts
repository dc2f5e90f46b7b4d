/**
 * Duplicate (userId, movieId) pairs: the official MovieLens files have none, but a hand-made
 * or merged file may. The documented policy: keep the latest rating of each pair (the highest
 * timestamp; on equal timestamps the later row), report how many rows were dropped, and throw
 * only when asked to (`"error"`).
 *
 * @module
 */

import type { DataFrame } from "nodejs-polars";
import { COLUMNS } from "../defaults.ts";
import { checkFrame, checkOptionKeys, numberColumn } from "../_validate.ts";
import { gatherRows, idValues } from "./_rows.ts";
import { duplicateError, scanDuplicates } from "./_duplicates.ts";

/**
 * What to do with a (userId, movieId) pair rated more than once: `"last"` keeps the rating
 * with the highest timestamp (the later row on ties), `"keep"` leaves every row, `"error"`
 * throws a `RangeError` naming the first pair.
 */
export type DuplicatePolicy = typeof DUPLICATE_POLICIES[number];

/** The duplicate policies, in the order messages list them. */
export const DUPLICATE_POLICIES = ["last", "keep", "error"] as const;

/** Whether `x` is one of {@linkcode DUPLICATE_POLICIES}. */
export const isDuplicatePolicy = (x: unknown): x is DuplicatePolicy =>
  (DUPLICATE_POLICIES as readonly unknown[]).includes(x);

/** Options of {@linkcode dropDuplicateRatings}. */
export interface DuplicateOptions {
  /**
   * The policy.
   * @default {"last"}
   */
  policy?: DuplicatePolicy;
  /**
   * What the table is, for error messages (e.g. a file name).
   * @default {"ratings"}
   */
  label?: string;
}

/** Every option of {@linkcode dropDuplicateRatings} (the type makes the list complete). */
const DUPLICATE_OPTIONS: Record<keyof DuplicateOptions, true> = { policy: true, label: true };

/** The result of {@linkcode dropDuplicateRatings}. */
export interface DeduplicatedRatings {
  /** The ratings after the policy (row order kept). */
  ratings: DataFrame;
  /** How many rows repeat an earlier (userId, movieId) pair: dropped under `"last"`. */
  duplicates: number;
}

/**
 * Applies the duplicate policy to a ratings table.
 *
 * @param df Ratings with userId, movieId and timestamp columns.
 * @param options The policy and a label for the error message.
 * @returns The ratings after the policy and the number of repeated rows.
 * @throws {RangeError} With `policy: "error"`, when a pair repeats (naming the ids and rows);
 *   on a null, NaN or infinite timestamp or an id outside 32 bits (naming column and row).
 * @throws {TypeError} On a missing column, or a null or fractional id (naming column and row).
 * @example
 * ```ts
 * import { dropDuplicateRatings, ratingsFrame } from "./mod.ts";
 * import { assertEquals } from "@std/assert";
 * const df = ratingsFrame({
 *   userId: [1, 1, 2],
 *   movieId: [10, 10, 10],
 *   rating: [2, 5, 3],
 *   timestamp: [100, 200, 100],
 * });
 * const { ratings, duplicates } = dropDuplicateRatings(df);
 * assertEquals(duplicates, 1);
 * assertEquals(ratings.getColumn("rating").toArray(), [5, 3]);
 * ```
 */
export function dropDuplicateRatings(
  df: DataFrame,
  options: DuplicateOptions = {},
): DeduplicatedRatings {
  checkOptionKeys(options, Object.keys(DUPLICATE_OPTIONS), "dropDuplicateRatings()");
  const { policy = "last", label = "ratings" } = options;
  if (!isDuplicatePolicy(policy)) {
    throw new TypeError(
      `dropDuplicateRatings(): unknown policy "${policy}" (expected last, keep or error)`,
    );
  }
  const who = "dropDuplicateRatings()";
  checkFrame(df, [COLUMNS.user, COLUMNS.movie, COLUMNS.timestamp], who);
  const users = idValues(df, COLUMNS.user, who);
  const movies = idValues(df, COLUMNS.movie, who);
  const scan = scanDuplicates(users, movies, numberColumn(df, COLUMNS.timestamp, who));
  if (scan.count === 0 || policy === "keep") return { ratings: df, duplicates: scan.count };
  const [a, b] = scan.first!;
  if (policy === "error") {
    throw duplicateError(label, users[b], movies[b], `rows ${a} and ${b}`, scan.count);
  }
  const kept: number[] = [];
  for (let i = 0; i < users.length; i++) if (!scan.drop![i]) kept.push(i);
  return { ratings: gatherRows(df, kept), duplicates: scan.count };
}
