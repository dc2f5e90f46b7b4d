/**
 * How `deno task evaluate` loads its data: the duplicate policies it offers and the options it
 * passes to `loadMovieLens()` (shared by the rating and the ranking task).
 *
 * @module
 */

import type { DuplicatePolicy, LoadOptions } from "../../lib/data/mod.ts";

/** What an evaluation does with repeated (userId, movieId) pairs: see `loadMovieLens()`. */
export type EvaluationDuplicates = Exclude<DuplicatePolicy, "keep">;

/**
 * The loader's options for an evaluation run: its duplicate policy and warning hook, each only
 * when given (so that the loader's own defaults apply otherwise).
 *
 * @param options The run's options.
 * @returns Options for `loadMovieLens()`.
 * @example
 * ```ts
 * import { evaluationLoadOptions } from "./_loading.ts";
 * console.log(evaluationLoadOptions({ duplicates: "error" })); // { duplicates: "error" }
 * console.log(evaluationLoadOptions({})); // {}
 * ```
 */
export function evaluationLoadOptions(
  options: { duplicates?: EvaluationDuplicates; onWarning?: (message: string) => void },
): LoadOptions {
  const out: LoadOptions = {};
  if (options.duplicates !== undefined) out.duplicates = options.duplicates;
  if (options.onWarning !== undefined) out.onWarning = options.onWarning;
  return out;
}
